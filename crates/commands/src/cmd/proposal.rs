//! `proposal` and `meeting` commands.

use replica::Replica;

use anyhow::{Context, Result, bail};
use model::{
    MeetingId, NewMeeting, NewProposal, ProposalId, Tally, Timestamp, reports, schema::Proposal,
};
use serde::Serialize;

use super::issue::{members_arg, one_member_arg};
use super::{Ctx, day, name_of, short};
use crate::args::{MeetingCmd, ProposalCmd};
use crate::output::Out;

/// A proposal with its tally, as `proposal show --json` prints it.
#[derive(Serialize)]
struct ProposalView<'a> {
    #[serde(flatten)]
    proposal: &'a Proposal,
    outcome: model::Outcome,
    tally: Tally,
    /// For an allocation: whether the pool funded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    funding: Option<reports::Funding>,
}

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

/// Parses `--closes`: a day (through the end of that day, UTC) or a duration from `now`
/// (`7d`, `48h`, `30m`).
pub fn closing_time(given: &str, now: Timestamp) -> Result<Timestamp> {
    deadline(given, now, "closing time")
}

/// Parses a deadline named `what` in messages (`closing time`, `invite expiry`): a day
/// (through the end of that day, UTC: its last millisecond, so that it prints as the day
/// typed) or a duration from `now` in days, hours or minutes.
pub fn deadline(given: &str, now: Timestamp, what: &str) -> Result<Timestamp> {
    let g = given.trim();
    let bad = || {
        anyhow::anyhow!(
            "invalid {what} `{g}`: give a duration in days, hours or minutes (7d, 48h, 30m) or \
             a day (2026-12-31, through the end of that day UTC)"
        )
    };
    if let Ok(d) = g.parse::<jiff::civil::Date>() {
        let end = d.tomorrow().map_err(|_| bad())?;
        let ts =
            jiff::tz::Offset::UTC.to_timestamp(end.to_datetime(jiff::civil::Time::midnight()))?;
        let at = ts.as_millisecond() - 1;
        if at <= now.as_millis() {
            bail!("invalid {what} `{g}`: that day is over");
        }
        return Ok(Timestamp::from_millis(at));
    }
    let (num, unit) = g.split_at(g.find(|c: char| !c.is_ascii_digit()).unwrap_or(g.len()));
    let n: i64 = num.parse().map_err(|_| bad())?;
    let ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return Err(bad()),
    };
    if n <= 0 || n > 3650 * 86_400_000 / ms {
        bail!("invalid {what} `{g}`: the duration must be between one minute and ten years");
    }
    Ok(Timestamp::from_millis(now.as_millis() + n * ms))
}

/// A new proposal with a fresh id, closing at `--closes` if given.
pub fn new_proposal(
    kind: model::DecisionKind,
    title: String,
    text: String,
    closes: Option<&str>,
) -> Result<NewProposal> {
    Ok(NewProposal {
        id: ProposalId::from_bytes(replica::fresh_id_bytes()?),
        kind,
        title,
        text,
        closes_at: closes
            .map(|g| closing_time(g, replica::now()))
            .transpose()?,
    })
}

pub fn proposal(r: &mut Replica, cmd: ProposalCmd, out: &Out) -> Result<()> {
    match cmd {
        ProposalCmd::New {
            c,
            kind,
            title,
            text,
            closes,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let new = new_proposal(kind, title, text, closes.as_deref())?;
            let id = new.id.clone();
            ctx.replica
                .edit(&ctx.id, |doc, a| doc.new_proposal(&a.member, new, a.now))?;
            out.id(id)
        }
        ProposalCmd::Vote {
            c,
            proposal,
            stance,
            reason,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let id = ctx.replica.edit(&ctx.id, |doc, a| {
                doc.take_position(&a.member, &proposal, stance, &reason, a.now)
            })?;
            // The one proposal, read alone: its record holds all its tally needs.
            let voted = ctx
                .replica
                .proposal(&ctx.id, &id)?
                .ok_or_else(|| anyhow::anyhow!("proposal {id} is gone after the vote"))?;
            let outcome = reports::proposal_tally(&voted, replica::now()).outcome;
            out.note(&format!(
                "Position recorded: {stance}. Proposal {} is {outcome}.",
                id.short()
            ));
            Ok(())
        }
        ProposalCmd::Show {
            c,
            proposal,
            format,
        } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            // The proposal is found and read alone; the whole coalition is read only for an
            // allocation, whose funding depends on the pool's other decisions.
            let coalition = ctx.id.clone();
            let context = move || format!("could not read coalition {coalition}");
            let ids: Vec<String> = ctx
                .replica
                .record_ids(&ctx.id, "proposals")
                .with_context(&context)?
                .into_iter()
                .filter(|i| i.parse::<model::ProposalId>().is_ok())
                .collect();
            let id: model::ProposalId =
                model::resolve_prefix(&proposal, "proposal", ids.iter().map(String::as_str))?
                    .parse()?;
            let alone = ctx
                .replica
                .proposal(&ctx.id, &id)
                .with_context(&context)?
                .ok_or_else(|| anyhow::anyhow!("no proposal {id}"))?;
            let state = if alone.kind == model::DecisionKind::Allocation {
                Some(ctx.read()?)
            } else {
                None
            };
            let p = state
                .as_ref()
                .and_then(|s| s.proposals.get(id.as_str()))
                .unwrap_or(&alone);
            let now = replica::now();
            let tally = reports::proposal_tally(p, now);
            // An allocation's request, its pool, and what became of it.
            let request = match (&p.subject, &state) {
                (Some(model::schema::Subject::Request { pool, entry }), Some(state))
                    if p.kind == model::DecisionKind::Allocation =>
                {
                    state.pools.get(pool.as_str()).and_then(|pool| {
                        let e = pool.ledger.get(entry.as_str())?;
                        let funding = reports::funds(state, pool, now).requests.remove(entry)?;
                        Some((pool, e, funding))
                    })
                }
                _ => None,
            };
            if format.json {
                return out.json(&ProposalView {
                    proposal: p,
                    outcome: tally.outcome,
                    tally,
                    funding: request.map(|(_, _, f)| f),
                });
            }
            // Names for the text: the governance in force, unless the whole coalition is read.
            let gov = match &state {
                Some(_) => None,
                None => Some(ctx.replica.in_force(&ctx.id).with_context(&context)?),
            };
            let name_of = |m: &model::MemberId| match (&state, &gov) {
                (Some(state), _) => name_of(state, m),
                (None, Some(gov)) => gov
                    .name_of(m)
                    .map_or_else(|| short(m).to_owned(), str::to_owned),
                (None, None) => short(m).to_owned(),
            };
            let mut s = format!("{}  [{}]\n{}\n\n", p.title, tally.outcome, p.id);
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
                    s += &format!("  add value: {v}\n");
                }
                for v in &a.add_commitments {
                    s += &format!("  add commitment: {v}\n");
                }
                for r in &a.rules {
                    s += &format!("  rule: {r}\n");
                }
                if let Some(t) = a.equity_threshold {
                    s += &format!("  equity threshold: {t}\n");
                }
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
            if let Some((pool, e, funding)) = &request {
                s += &format!(
                    "\nDecides: allocate {} {} from {} to {}\n",
                    e.amount,
                    pool.unit,
                    pool.name,
                    name_of(&e.member)
                );
                match funding {
                    reports::Funding::Funded { at } => {
                        s += &format!("Funded: allocated on {}\n", day(*at));
                    }
                    reports::Funding::Unfunded { at, available } => {
                        s += &format!(
                            "Unfunded: passed on {}, when the pool held {available} {}, less \
                             than asked (allocations decided before it took the rest); nothing \
                             was allocated\n",
                            day(*at),
                            pool.unit
                        );
                    }
                    reports::Funding::NotDecided => {}
                }
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
                            format!("{}: {}", pos.stance, pos.reason)
                        }
                    },
                );
                s += &format!("  {:<30} {position}\n", name_of(m));
            }
            out.text(&s)
        }
        ProposalCmd::List { c, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let now = replica::now();
            let mut list: Vec<_> = state.proposals.values().collect();
            list.sort_by(|a, b| {
                b.created_at
                    .cmp(&a.created_at)
                    .then_with(|| a.id.cmp(&b.id))
            });
            let views: Vec<ProposalView> = list
                .iter()
                .map(|p| {
                    let tally = reports::proposal_tally(p, now);
                    ProposalView {
                        proposal: p,
                        outcome: tally.outcome,
                        tally,
                        funding: None,
                    }
                })
                .collect();
            if format.json {
                return out.json(&views);
            }
            let rows = views
                .iter()
                .map(|v| {
                    let p = v.proposal;
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
                        name_of(&state, &p.author),
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

pub fn meeting(r: &mut Replica, cmd: MeetingCmd, out: &Out) -> Result<()> {
    match cmd {
        MeetingCmd::Add {
            c,
            date,
            facilitator,
            attendance,
            agenda,
            minutes,
            minutes_file,
            decisions,
        } => {
            if minutes_file.is_some() {
                anyhow::bail!(
                    "--minutes-file is read by the `coalesce` command line, which passes the text on: give the text itself with --minutes"
                );
            }
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let facilitator = match facilitator {
                Some(f) => one_member_arg(&state, &f)?,
                None => reports::next_facilitator(&state)
                    .ok_or_else(|| anyhow::anyhow!("the coalition has no members in force"))?,
            };
            let attendance = members_arg(&state, &attendance)?;
            let decisions = decisions
                .iter()
                .map(|d| -> Result<ProposalId> {
                    Ok(model::resolve_prefix(
                        d,
                        "proposal",
                        state.proposals.keys().map(AsRef::as_ref),
                    )?
                    .parse()?)
                })
                .collect::<Result<Vec<_>>>()?;
            let id = MeetingId::from_bytes(replica::fresh_id_bytes()?);
            let new = NewMeeting {
                id: id.clone(),
                day: date,
                facilitator,
                attendance,
                agenda,
                minutes,
                decisions,
            };
            ctx.replica
                .edit(&ctx.id, |doc, a| doc.add_meeting(&a.member, new, a.now))?;
            out.id(id)
        }
        MeetingCmd::List { c, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let mut list: Vec<_> = state.meetings.values().collect();
            list.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.id.cmp(&b.id)));
            if format.json {
                return out.json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|m| {
                    vec![
                        short(&m.id).to_owned(),
                        m.day.to_string(),
                        name_of(&state, &m.facilitator),
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
    use super::*;

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
