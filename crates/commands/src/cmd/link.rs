//! `coalesce link`: links with other coalitions.

use anyhow::Result;

use super::{on, short};
use crate::args::LinkCmd;
use crate::ops::links::{LinkEndRequest, LinkRequest, LinksView};
use crate::ops::{Created, Exec, Request};
use crate::output::{Out, line};

pub(crate) fn run(x: &mut dyn Exec, cmd: LinkCmd, out: &Out) -> Result<()> {
    match cmd {
        LinkCmd::Propose {
            c,
            with,
            name,
            relation,
            publish,
            tags,
            goals,
            pools,
            threshold,
            accept,
            their_threshold,
            roster,
            weight,
            title,
            text,
            closes,
        } => {
            let coalition = on(x, &c, out)?;
            let body = LinkRequest {
                with,
                name,
                relation,
                publish,
                tags,
                goals,
                pools,
                threshold,
                accept,
                their_threshold,
                roster,
                weight,
                title,
                text,
                closes,
            };
            let made: Created = x
                .call(Request::LinkPropose {
                    coalition,
                    body: Box::new(body),
                })?
                .try_into()?;
            out.note(
                "Link proposed; once it passes here, the link is in force on this side (the \
                 other coalition decides its own side).",
            );
            out.id(made.id)?;
        }
        LinkCmd::End {
            c,
            with,
            title,
            text,
            closes,
        } => {
            let coalition = on(x, &c, out)?;
            let body = LinkEndRequest {
                with,
                title,
                text,
                closes,
            };
            let made: Created = x.call(Request::LinkEnd { coalition, body })?.try_into()?;
            out.note("End of the link proposed; once it passes, the link is no longer in force.");
            out.id(made.id)?;
        }
        LinkCmd::List { c, format } => {
            let coalition = on(x, &c, out)?;
            let listed: LinksView = x.call(Request::LinkList { coalition })?.try_into()?;
            if format.json {
                return out.json(&listed.links);
            }
            let kinds = |ks: &[String]| {
                if ks.is_empty() {
                    "-".to_owned()
                } else {
                    ks.join(",")
                }
            };
            let rows = listed
                .links
                .iter()
                .map(|l| {
                    vec![
                        l.coalition.clone(),
                        l.name.clone(),
                        l.relation.clone(),
                        format!("{} ({} co-signers)", kinds(&l.publish), l.threshold),
                        format!("{} ({} co-signers)", kinds(&l.accept), l.their_threshold),
                        // An affiliate's weight in mandates (by default its members).
                        match (l.relation.parse(), l.weight) {
                            (Ok(model::LinkRelation::Affiliate), Some(w)) => w.to_string(),
                            (Ok(model::LinkRelation::Affiliate), None) => {
                                "its number of members".to_owned()
                            }
                            _ => "-".to_owned(),
                        },
                        short(&l.proposal).to_owned(),
                    ]
                })
                .collect();
            out.table(
                &[
                    "COALITION",
                    "NAME",
                    "RELATION",
                    "PUBLISH",
                    "TAKE",
                    "WEIGHT",
                    "DECIDED BY",
                ],
                rows,
                "No links in force.",
            )?;
        }
        LinkCmd::Affiliates { c, format } => {
            let coalition = on(x, &c, out)?;
            let view: Box<crate::ops::received::AffiliatesView> =
                x.call(Request::LinkAffiliates { coalition })?.try_into()?;
            if format.json {
                return out.json(&view);
            }
            affiliates(&view, out)?;
        }
        LinkCmd::Mandates {
            c,
            proposal,
            format,
        } => {
            let coalition = on(x, &c, out)?;
            let v: crate::ops::received::MandatesView = x
                .call(Request::LinkMandates {
                    coalition,
                    proposal,
                })?
                .try_into()?;
            if format.json {
                return out.json(&v);
            }
            out.text(&format!(
                "{}: affiliates' weights {} for, {} against, {} abstaining, {} not yet decided; \
                 our members {} agree, {} abstain, {} disagree, {} block ({}).",
                line(&v.title),
                v.weight_for,
                v.weight_against,
                v.weight_abstain,
                v.weight_silent,
                v.members[0],
                v.members[1],
                v.members[2],
                v.members[3],
                v.outcome
            ))?;
            out.text(&format!(
                "Counted together (our members one each, affiliates by weight): {} for, {} \
                 against, {} abstaining.",
                v.together[0], v.together[1], v.together[2]
            ))?;
            if let Some(t) = &v.with_affiliates {
                out.text(&format!(
                    "Counting both under the proposal's rule ({}): {}{} (weights: {} for, {} \
                     against, {} abstaining, {} blocking, {} not decided, of {}).",
                    v.rule,
                    t.outcome,
                    v.decided_with_affiliates_at
                        .map(|at| format!(" on {}", model::Day::of(at)))
                        .unwrap_or_default(),
                    t.agree,
                    t.disagree,
                    t.abstain,
                    t.block,
                    t.pending,
                    t.electorate
                ))?;
                if let (None, Some(until)) = (v.decided_with_affiliates_at, v.answers_until) {
                    out.text(&format!(
                        "Affiliates' positions that reach us by {until} count (seven days after \
                         the close, for their own decisions to be signed and carried here)."
                    ))?;
                }
            }
            let rows = v
                .affiliates
                .iter()
                .map(|a| {
                    vec![
                        line(&a.from),
                        a.weight.to_string(),
                        a.position.clone().unwrap_or_else(|| "-".to_owned()),
                        a.provenance.as_deref().map_or_else(|| "-".to_owned(), line),
                    ]
                })
                .collect();
            out.table(
                &["AFFILIATE", "WEIGHT", "POSITION", "PROVENANCE"],
                rows,
                "No affiliate was asked: a call on this proposal, published on a link to an \
                 affiliate, asks it.",
            )?;
        }
    }
    Ok(())
}

/// The affiliates' picture as tables, each figure followed by where it came from.
fn affiliates(v: &crate::ops::received::AffiliatesView, out: &Out) -> Result<()> {
    let rows = v
        .affiliates
        .iter()
        .map(|a| {
            vec![
                short(&a.id).to_owned(),
                line(&a.name),
                a.members.map_or_else(|| "-".to_owned(), |m| m.to_string()),
                a.weight.to_string(),
            ]
        })
        .collect();
    out.table(
        &["AFFILIATE", "NAME", "MEMBERS", "WEIGHT"],
        rows,
        "No affiliates: a link with relation affiliate that takes statements makes one.",
    )?;
    let rows = v
        .issues
        .iter()
        .map(|i| {
            vec![
                line(&i.from),
                line(&i.title),
                format!("{} of {}", i.sharing, i.members),
                i.priority.map_or_else(|| "-".to_owned(), |p| p.to_string()),
                line(&i.tags.join(",")),
                line(&i.provenance),
            ]
        })
        .collect();
    out.table(
        &["FROM", "ISSUE", "SHARED BY", "PLACE", "TAGS", "PROVENANCE"],
        rows,
        "No issues received.",
    )?;
    let rows = v
        .overlap
        .iter()
        .map(|t| {
            vec![
                line(&t.tag),
                line(&t.affiliates.join(", ")),
                t.issues.to_string(),
            ]
        })
        .collect();
    out.table(&["TAG", "RAISED BY", "ISSUES"], rows, "No tags.")?;
    let rows = v
        .pools
        .iter()
        .map(|p| {
            vec![
                line(&p.from),
                line(&p.name),
                format!("{} to {}", p.period_from, p.period_to),
                format!("{} {}", p.contributed, line(&p.unit)),
                p.pledged.clone(),
                p.allocated.clone(),
                p.balance.clone(),
                line(&p.provenance),
            ]
        })
        .collect();
    out.table(
        &[
            "FROM",
            "POOL",
            "PERIOD",
            "CONTRIBUTED",
            "PLEDGED",
            "ALLOCATED",
            "BALANCE",
            "PROVENANCE",
        ],
        rows,
        "No pools received.",
    )?;
    let rows = v
        .pool_sums
        .iter()
        .map(|s| {
            vec![
                line(&s.kind),
                line(&s.unit),
                s.contributed.clone(),
                s.pledged.clone(),
                s.allocated.clone(),
                s.balance.clone(),
                s.pools.to_string(),
            ]
        })
        .collect();
    out.table(
        &[
            "KIND",
            "UNIT",
            "CONTRIBUTED",
            "PLEDGED",
            "ALLOCATED",
            "BALANCE",
            "POOLS",
        ],
        rows,
        "",
    )?;
    let rows = v
        .goals
        .iter()
        .map(|g| {
            vec![
                line(&g.from),
                line(&g.title),
                format!(
                    "{} of {} {}",
                    g.progress.as_deref().unwrap_or("0"),
                    g.target,
                    line(&g.unit)
                ),
                line(&g.provenance),
            ]
        })
        .collect();
    out.table(
        &["FROM", "GOAL", "PROGRESS", "PROVENANCE"],
        rows,
        "No goals received.",
    )?;
    let rows = v
        .goal_sums
        .iter()
        .map(|s| {
            let pct = |p: &Option<String>| {
                p.as_deref()
                    .map_or_else(|| "-".to_owned(), |p| format!("{p}%"))
            };
            vec![
                line(&s.unit),
                format!("{} of {}", s.progress, s.target),
                pct(&s.by_target),
                pct(&s.by_weight),
                s.goals.to_string(),
            ]
        })
        .collect();
    out.table(
        &["UNIT", "PROGRESS", "BY TARGET", "BY WEIGHT", "GOALS"],
        rows,
        "",
    )?;
    let rows = v
        .decisions
        .iter()
        .map(|d| {
            vec![
                line(&d.from),
                line(&d.title),
                line(&d.outcome),
                line(&d.rule),
                format!(
                    "{} agree, {} abstain, {} disagree, {} block",
                    d.counts[0], d.counts[1], d.counts[2], d.counts[3]
                ),
                line(&d.provenance),
            ]
        })
        .collect();
    out.table(
        &[
            "FROM",
            "DECISION",
            "OUTCOME",
            "RULE",
            "POSITIONS",
            "PROVENANCE",
        ],
        rows,
        "No decisions received.",
    )
}
