//! `proposal` and `meeting` commands.

use anyhow::Result;
use model::reports;

use super::{day, named, on, short};
use crate::args::{MeetingCmd, ProposalCmd};
use crate::ops::{Created, Exec, Request, meetings, proposals};
use crate::output::{Out, line};

/// What `blocks` blocks do under `method`, in words.
fn block_effect(method: model::Method, blocks: u64) -> String {
    let n = if blocks == 1 {
        "1 block".to_owned()
    } else {
        format!("{blocks} blocks")
    };
    match method {
        model::Method::Consensus | model::Method::Consent => {
            format!("{n}: under {method} one block stops the proposal (outcome: blocked).")
        }
        model::Method::Majority | model::Method::SuperMajority(_) => format!(
            "{n}: under {method} a block counts as a no; it cannot stop the proposal alone."
        ),
    }
}

pub(crate) fn proposal(x: &mut dyn Exec, cmd: ProposalCmd, out: &Out) -> Result<()> {
    match cmd {
        ProposalCmd::New {
            c,
            kind,
            title,
            text,
            closes,
            method,
            options,
            asks,
            issues,
            pool,
            requests,
            role,
            candidates,
            answers,
        } => {
            let coalition = on(x, &c, out)?;
            let body = proposals::NewProposalRequest {
                kind: kind.to_string(),
                title,
                text,
                closes,
                method,
                options,
                asks,
                issues,
                pool,
                requests,
                role,
                candidates,
                answers,
            };
            let made: Created = x
                .call(Request::ProposalCreate {
                    coalition,
                    body: Box::new(body),
                })?
                .try_into()?;
            out.id(made.id)
        }
        ProposalCmd::Vote {
            c,
            proposal,
            stance,
            reason,
            rank,
            choose,
            score,
            dots,
            slots,
            give,
        } => {
            let ballot = proposals::BallotRequest {
                choose,
                rank,
                score,
                dots,
                slots,
                give,
            };
            let balloted = !(ballot.choose.is_empty()
                && ballot.rank.is_empty()
                && ballot.score.is_empty()
                && ballot.dots.is_empty()
                && ballot.slots.is_empty()
                && ballot.give.is_empty());
            let stance = match (stance, balloted) {
                (Some(_), true) => {
                    anyhow::bail!("give a stance (on a proposal) or a ballot (in a poll), not both")
                }
                (None, false) => anyhow::bail!(
                    "say a stance (agree, abstain, disagree or block), or in a poll the ballot \
                     its method takes (--rank, --choose, --score, --dots, --slot or --give)"
                ),
                (None, true) => {
                    let coalition = on(x, &c, out)?;
                    let cast: proposals::BallotCast = x
                        .call(Request::ProposalBallot {
                            coalition,
                            proposal,
                            body: ballot,
                        })?
                        .try_into()?;
                    out.note(&format!(
                        "Ballot recorded. Poll {} is {}; {} of {} have voted.",
                        cast.id.short(),
                        cast.outcome,
                        cast.tally.agree,
                        cast.tally.electorate
                    ));
                    return Ok(());
                }
                (Some(stance), false) => stance,
            };
            let coalition = on(x, &c, out)?;
            // The model refuses it too, in words without the flag.
            if stance == model::Stance::Block && model::is_blank(&reason) {
                anyhow::bail!(
                    "a block needs a reason (--reason \"...\"): the other members must know \
                     what to address"
                );
            }
            let body = proposals::PositionRequest {
                stance: stance.to_string(),
                reason,
            };
            let taken: proposals::PositionTaken = x
                .call(Request::ProposalPosition {
                    coalition,
                    proposal,
                    body,
                })?
                .try_into()?;
            out.note(&format!(
                "Position recorded: {}. Proposal {} is {}.",
                taken.stance,
                taken.id.short(),
                taken.outcome
            ));
            Ok(())
        }
        ProposalCmd::Show {
            c,
            proposal,
            format,
        } => {
            let coalition = on(x, &c, out)?;
            let detail: Box<proposals::ProposalDetail> = x
                .call(Request::ProposalShow {
                    coalition,
                    proposal,
                })?
                .try_into()?;
            if format.json {
                return out.json(&detail.proposal);
            }
            out.text(&shown(&detail))
        }
        ProposalCmd::List { c, waiting, format } => {
            let coalition = on(x, &c, out)?;
            // Every proposal: the command line prints the whole list.
            let (listed, names) =
                super::every::<proposals::ProposalPage>(x, |offset| Request::ProposalList {
                    coalition: coalition.clone(),
                    query: proposals::ProposalQuery {
                        offset,
                        limit: Some(usize::MAX),
                        waiting,
                        ..Default::default()
                    },
                })?;
            if format.json {
                return out.json(&listed);
            }
            let rows = listed
                .iter()
                .map(|v| {
                    let p = &v.proposal;
                    vec![
                        short(&p.id).to_owned(),
                        p.title.clone(),
                        p.kind.to_string(),
                        v.outcome.to_string(),
                        format!(
                            "{}/{}",
                            v.tally.electorate - v.tally.pending,
                            v.tally.electorate
                        ),
                        named(&names, &p.author),
                        day(p.created_at),
                    ]
                })
                .collect();
            out.table(
                &[
                    "ID",
                    "TITLE",
                    "KIND",
                    "OUTCOME",
                    "POSITIONS",
                    "AUTHOR",
                    "OPENED",
                ],
                rows,
                "No proposals yet.",
            )
        }
    }
}

/// What a link proposal decides, in words.
fn link_terms(l: &model::schema::LinkTerms) -> String {
    // Whole ids: a voter checks them against what the other coalition gave (a lookalike id or
    // roster could share a prefix).
    let name = line(&l.name);
    let id = l.coalition.as_str();
    if l.relation == model::LinkRelation::End {
        return format!("\nDecides: end the link with {name} ({id})\n");
    }
    let what = match l.relation {
        model::LinkRelation::Affiliate => "as our affiliate",
        _ => "as the coalition we are an affiliate of",
    };
    let kinds = |ks: &[model::SharedKind]| {
        if ks.is_empty() {
            "nothing".to_owned()
        } else {
            ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    let mut s = format!("\nDecides: link with {name} ({id}) {what}\n");
    s += &format!(
        "  publishes: {} ({} of our members co-sign each)\n",
        kinds(&l.publish),
        l.threshold
    );
    if !l.tags.is_empty() {
        s += &format!("  only issues tagged: {}\n", line(&l.tags.join(", ")));
    }
    if !l.goals.is_empty() {
        let ids: Vec<&str> = l.goals.iter().map(|g| g.as_str()).collect();
        s += &format!("  only these goals: {}\n", ids.join(", "));
    }
    if !l.pools.is_empty() {
        let ids: Vec<&str> = l.pools.iter().map(|p| p.as_str()).collect();
        s += &format!("  only these pools: {}\n", ids.join(", "));
    }
    if !l.accept.is_empty() {
        s += &format!(
            "  takes: {} ({} of their members sign each)\n",
            kinds(&l.accept),
            l.their_threshold
        );
    }
    if let Some(r) = &l.roster {
        s += &format!("  their roster trusted first: {}\n", line(r));
    }
    if l.relation == model::LinkRelation::Affiliate {
        s += &match l.weight {
            Some(w) => format!("  weight in our mandates: {w}\n"),
            None => "  weight in our mandates: its number of members\n".to_owned(),
        };
    }
    s
}

/// A proposal as `proposal show` prints it.
fn shown(detail: &proposals::ProposalDetail) -> String {
    let (p, tally) = (&detail.proposal.proposal, &detail.proposal.tally);
    let name_of = |m: &model::MemberId| named(&detail.names, m);
    let mut s = format!("{}  [{}]\n{}\n\n", line(&p.title), tally.outcome, p.id);
    s += &format!(
        "Kind: {}; rule: {}; proposed by {} on {}\n",
        p.kind,
        p.rule,
        name_of(&p.author),
        day(p.created_at)
    );
    if let Some(closes) = p.closes_at {
        s += &format!("Closes: {closes}\n");
    }
    if !p.text.as_str().is_empty() {
        s += &format!("\n{}\n", p.text.as_str());
    }
    if let Some(a) = &p.amendment {
        s += "\nChanges to the charter:\n";
        if let Some(frame) = &a.frame {
            s += &format!("  frame: {frame}\n");
        }
        for v in &a.add_values {
            s += &format!("  add value: {}\n", line(v));
        }
        for v in &a.add_commitments {
            s += &format!("  add commitment: {}\n", line(v));
        }
        for r in &a.rules {
            s += &format!("  rule: {r}\n");
        }
        if let Some(t) = a.equity_threshold {
            s += &format!("  equity threshold: {t}\n");
        }
        for w in &a.weights {
            s += &format!(
                "  weight in {} polls: {} {}\n",
                w.kind,
                name_of(&w.member),
                w.weight
            );
        }
    }
    if let Some(l) = &p.link {
        s += &link_terms(l);
    }
    if let Some(call) = &p.answers {
        s += &format!(
            "\nAnswers call {} (`statement verify {}`): its outcome is our mandate position, \
             drafted and co-signed by the members' nodes once it is decided\n",
            model::federation::StatementId::from_hex(call)
                .map_or_else(|_| "?".to_owned(), |id| id.short()),
            call.get(..16).filter(|s| s.is_ascii()).unwrap_or("?")
        );
    }
    if p.poll.is_some() && !p.weights.is_empty() {
        let each: Vec<String> = p
            .weights
            .iter()
            .map(|(m, w)| format!("{} {w}", name_of(m)))
            .collect();
        s += &format!(
            "\nWeights (every other member weighs one): {}\n",
            each.join(", ")
        );
    }
    match model::governance::subject(p) {
        Some(model::schema::Subject::Admit(m)) => {
            s += &format!("\nDecides: admit {}\n", name_of(m));
        }
        Some(model::schema::Subject::Remove(m)) => {
            s += &format!("\nDecides: remove {}\n", name_of(m));
        }
        _ => {}
    }
    if let Some(a) = &detail.allocation {
        s += &format!(
            "\nDecides: allocate {} {} from {} to {}\n",
            a.amount,
            line(&a.unit),
            line(&a.pool_name),
            name_of(&a.member)
        );
        match &a.funding {
            reports::Funding::Funded { at } => {
                s += &format!("Funded: allocated on {}\n", day(*at));
            }
            reports::Funding::Unfunded { at, available } => {
                s += &format!(
                    "Unfunded: passed on {}, when the pool held {available} {}, less than asked \
                     (allocations decided before it took the rest); nothing was allocated\n",
                    day(*at),
                    a.unit
                );
            }
            reports::Funding::NotDecided => {}
        }
    }
    if p.poll.is_some() {
        s += &super::poll::shown(
            p,
            detail.proposal.result.as_ref(),
            &detail.names,
            tally.outcome == model::Outcome::Open,
        );
        s += &format!(
            "\n{} of {} have voted (quorum: {})\n",
            tally.agree, tally.electorate, tally.quorum_needed
        );
        return s;
    }
    s += &format!(
        "\nagree {}, abstain {}, disagree {}, block {}; {} of {} yet to take a position (quorum: {})\n",
        tally.agree,
        tally.abstain,
        tally.disagree,
        tally.block,
        tally.pending,
        tally.electorate,
        tally.quorum_needed
    );
    if tally.block > 0 {
        s += &format!("{}\n", block_effect(p.rule.method(), tally.block));
    }
    for m in &p.electorate {
        let position = p.positions.get(m).map_or_else(
            || "—".to_owned(),
            |pos| {
                if pos.reason.is_empty() {
                    pos.stance.to_string()
                } else {
                    format!("{}: {}", pos.stance, line(&pos.reason))
                }
            },
        );
        s += &format!("  {:<30} {position}\n", name_of(m));
    }
    s
}

/// An access plan's needs, one a line: what, and who asked.
fn access_lines(
    access: &[model::schema::AccessNeed],
    names: &std::collections::BTreeMap<model::MemberId, String>,
) -> String {
    let mut s = String::new();
    for n in access {
        let what = match n.kind {
            model::AccessKind::Interpretation => format!("interpretation into {}", line(&n.what)),
            model::AccessKind::Access => line(&n.what),
            model::AccessKind::Childcare => format!("childcare ({})", line(&n.what)),
        };
        let who: Vec<String> = n.asked_by.iter().map(|i| named(names, i)).collect();
        s += &format!("  {what}: asked by {}\n", who.join(", "));
    }
    s
}

/// A meeting as `meeting show` prints it.
fn meeting_view(d: &meetings::MeetingDetail) -> String {
    let m = &d.meeting;
    let names = &d.names;
    let who = |ids: &[model::MemberId]| {
        ids.iter()
            .map(|i| named(names, i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let present = if m.attendance.is_empty() {
        "nobody recorded".to_owned()
    } else {
        who(&m.attendance)
    };
    let mut s = format!(
        "Meeting {} on {}\nFacilitated by {}\nPresent: {present}\n",
        short(m.id.as_str()),
        m.day,
        named(names, &m.facilitator),
    );
    if !m.checkins.is_empty() {
        s += &format!("Check-in, in order: {}\n", who(&m.checkins));
    }
    if !m.agenda.is_empty() {
        s += "Agenda:\n";
        for (i, item) in m.agenda.iter().enumerate() {
            let timebox = match m.timeboxes.get(i).filter(|t| **t > 0) {
                Some(t) => format!(" ({t} min)"),
                None => String::new(),
            };
            s += &format!("  {}. {}{timebox}\n", i + 1, line(item));
        }
    }
    if !m.access.is_empty() {
        s += "Access plan:\n";
        s += &access_lines(&m.access, names);
    }
    if !m.minutes.is_empty() {
        s += &format!("Minutes:\n{}\n", m.minutes);
    }
    s
}

pub(crate) fn meeting(x: &mut dyn Exec, cmd: MeetingCmd, out: &Out) -> Result<()> {
    match cmd {
        MeetingCmd::Add {
            c,
            date,
            facilitator,
            attendance,
            agenda,
            checkins,
            minutes,
            minutes_file,
            decisions,
        } => {
            if minutes_file.is_some() {
                anyhow::bail!(
                    "--minutes-file is read by the `coalesce` command line, which passes the text on: give the text itself with --minutes"
                );
            }
            let coalition = on(x, &c, out)?;
            let (agenda, timeboxes) = meetings::split_timeboxes(agenda);
            let body = meetings::NewMeetingRequest {
                date: date.to_string(),
                facilitator,
                attendance,
                agenda,
                minutes,
                decisions,
                checkins,
                timeboxes,
            };
            let made: Created = x
                .call(Request::MeetingCreate { coalition, body })?
                .try_into()?;
            out.id(made.id)
        }
        MeetingCmd::Plan { c, title, slots } => {
            let coalition = on(x, &c, out)?;
            let made: Created = x
                .call(Request::PlanCreate {
                    coalition,
                    body: crate::ops::plans::PlanRequest { title, slots },
                })?
                .try_into()?;
            out.note("Times proposed; members answer with `coalesce meeting answer`.");
            out.id(made.id)
        }
        MeetingCmd::Answer { c, plan, answers } => {
            let coalition = on(x, &c, out)?;
            let done: crate::ops::Updated = x
                .call(Request::PlanAnswer {
                    coalition,
                    plan,
                    body: crate::ops::plans::AnswerRequest { answers },
                })?
                .try_into()?;
            out.note(&format!(
                "Answers recorded for meeting plan {}.",
                short(&done.id)
            ));
            Ok(())
        }
        MeetingCmd::Plans { c, format } => {
            let coalition = on(x, &c, out)?;
            let view: Box<crate::ops::plans::PlansView> =
                x.call(Request::PlanList { coalition })?.try_into()?;
            if format.json {
                return out.json(&view);
            }
            if view.plans.is_empty() {
                out.note("No meeting plans yet.");
                return Ok(());
            }
            let names = &view.names;
            let who = |ids: &[model::MemberId]| {
                if ids.is_empty() {
                    "nobody".to_owned()
                } else {
                    ids.iter()
                        .map(|i| named(names, i))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let mut s = String::new();
            for p in &view.plans {
                s += &format!(
                    "Plan {}: {} (proposed by {})\n",
                    short(p.plan.id.as_str()),
                    line(&p.plan.title),
                    named(names, &p.plan.by)
                );
                for f in &p.fits {
                    s += &format!(
                        "  {}  works for {}; if needed {}; leaves out {}; no answer from {}\n",
                        f.slot,
                        who(&f.yes),
                        who(&f.if_needed),
                        who(&f.left_out),
                        who(&f.unanswered)
                    );
                }
                if !p.access.is_empty() {
                    s += "  Access plan for the first time:
";
                    for l in access_lines(&p.access, names).lines() {
                        s += &format!(
                            "  {l}
"
                        );
                    }
                }
            }
            out.text(&s)
        }
        MeetingCmd::Show { c, meeting, format } => {
            let coalition = on(x, &c, out)?;
            let d: Box<meetings::MeetingDetail> = x
                .call(Request::MeetingShow { coalition, meeting })?
                .try_into()?;
            if format.json {
                return out.json(&d);
            }
            out.text(&meeting_view(&d))
        }
        MeetingCmd::List {
            c,
            member,
            from,
            to,
            format,
        } => {
            let coalition = on(x, &c, out)?;
            let (listed, names) =
                super::every::<meetings::MeetingPage>(x, |offset| Request::MeetingList {
                    coalition: coalition.clone(),
                    query: meetings::MeetingQuery {
                        member: member.clone(),
                        from: from.map(|d| d.to_string()),
                        to: to.map(|d| d.to_string()),
                        offset,
                        limit: Some(usize::MAX),
                    },
                })?;
            if format.json {
                return out.json(&listed);
            }
            let rows: Vec<Vec<String>> = listed
                .iter()
                .map(|m| {
                    vec![
                        short(&m.id).to_owned(),
                        m.day.to_string(),
                        named(&names, &m.facilitator),
                        m.attendance.len().to_string(),
                        m.agenda.join("; "),
                        m.decisions
                            .iter()
                            .map(|d| short(d).to_owned())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.note("No meetings recorded yet.");
                return Ok(());
            }
            out.table(
                &[
                    "ID",
                    "DATE",
                    "FACILITATOR",
                    "PRESENT",
                    "AGENDA",
                    "DECISIONS",
                ],
                rows,
                "",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::proposals::{closing_time, deadline};
    use model::Timestamp;

    #[test]
    fn deadlines_name_what_they_are_and_a_day_prints_as_typed() {
        let now = Timestamp::from_millis(1_764_547_200_000); // 2025-12-01 00:00:00Z
        let day = deadline("2025-12-31", now, "invite expiry").unwrap();
        assert_eq!(day.to_string(), "2025-12-31 23:59:59Z");
        let err = deadline("1s", now, "invite expiry")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid invite expiry `1s`") && err.contains("minutes"),
            "{err}"
        );
        let err = deadline("2025-11-30", now, "invite expiry")
            .unwrap_err()
            .to_string();
        assert!(err.contains("that day is over"), "{err}");
        assert_eq!(
            closing_time("48h", now).unwrap().as_millis(),
            now.as_millis() + 48 * 3_600_000
        );
        let err = closing_time("soon", now).unwrap_err().to_string();
        assert!(err.contains("invalid closing time"), "{err}");
    }
}
