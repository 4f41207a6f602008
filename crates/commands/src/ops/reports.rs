//! The coalition's reports: which members share which issues (overlap), how each pool's
//! allocations are spread (equity), and how power is shared (the power audit). Each is
//! computed from the parts the replica keeps up to date (the listings' headers, the pools,
//! the meetings, the governance), never from a whole read; the records that do not read are
//! left out, as a whole read leaves them out.
//!
//! The progress report ([`progress`]) is the exception: a report of everything over a period
//! that organizers hand out, it reads the coalition whole, like an export.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use model::reports::{EquityReport, Funds, IssueFacts, OverlapReport, PowerReport, ProposalFacts};
use model::schema::{Member, Pool};
use model::{CoalitionId, Fraction, MemberId, PoolId, Timestamp, reports};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The overlap report: issues by how many members share them and how high they rank them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OverlapView {
    /// The report (`issues`: rows most shared first; `members`: what each member shares).
    #[schema(value_type = Object)]
    pub report: OverlapReport,
    /// How many members are in force (what "shared by 3 of 6" counts against).
    pub members: usize,
}

/// The equity report: per pool, what each member pledged, gave and received.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EquityView {
    /// The report.
    #[schema(value_type = Object)]
    pub report: EquityReport,
}

/// The power audit: proposals, facilitation, resources, positions and blocks per member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PowerView {
    /// The report.
    #[schema(value_type = Object)]
    pub report: PowerReport,
}

/// The records of `collection` that do not read (left out of the reports, as from a whole
/// read), by id.
fn unreadable(
    r: &mut Replica,
    c: &CoalitionId,
    collection: &str,
) -> anyhow::Result<std::collections::HashSet<String>> {
    let prefix = format!("{collection}/");
    Ok(r.unreadable(c)
        .with_context(|| format!("could not read coalition {c}"))?
        .into_iter()
        .filter_map(|u| u.path.strip_prefix(&prefix).map(str::to_owned))
        .collect())
}

/// The members in force and the charter's equity threshold, from one read of the charter
/// in force (to the millisecond, as a whole read decides).
fn in_force(
    r: &mut Replica,
    c: &CoalitionId,
) -> anyhow::Result<(BTreeMap<MemberId, Member>, Fraction)> {
    let charter = r
        .charter(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    Ok((
        charter.governance.members_owned(),
        charter.charter.equity_threshold,
    ))
}

/// Every pool that reads, with what became of its requests at `now`.
fn pools(
    r: &mut Replica,
    c: &CoalitionId,
    now: Timestamp,
) -> anyhow::Result<Vec<(Arc<Pool>, Funds)>> {
    let ids: Vec<PoolId> = r
        .record_ids(c, "pools")
        .with_context(|| format!("could not read coalition {c}"))?
        .into_iter()
        .filter_map(|i| i.parse().ok())
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some((pool, deciding)) = super::pools::read_pool(r, c, &id)? {
            let funds = super::pools::funds(&pool, &deciding, now);
            out.push((pool, funds));
        }
    }
    Ok(out)
}

/// The overlap report, from the issues' headers the replica keeps (no issue is read whole).
pub fn overlap(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<OverlapView> {
    let headers = r
        .issue_headers(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let left_out = unreadable(r, c, "issues")?;
    let (members, _) = in_force(r, c)?;
    let facts = headers
        .iter()
        .filter(|(id, _)| !left_out.contains(id.as_str()))
        .map(|(id, h)| IssueFacts {
            id,
            title: &h.title,
            status: h.status,
            lead: &h.lead,
            ranks: &h.ranks,
        });
    Ok(OverlapView {
        report: reports::overlap_of(facts, &members),
        members: members.len(),
    })
}

/// The equity report, as of now, from the pools the replica keeps.
pub fn equity(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<EquityView> {
    let now = replica::now();
    let pools = pools(r, c, now)?;
    let (members, threshold) = in_force(r, c)?;
    let pools: Vec<(&Pool, Funds)> = pools.iter().map(|(p, f)| (p.as_ref(), f.clone())).collect();
    Ok(EquityView {
        report: reports::equity_of(&pools, &members, threshold),
    })
}

/// The power audit, as of now, from the proposals' headers, the meetings and the pools.
pub fn power(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<PowerView> {
    let now = replica::now();
    let headers = r
        .proposal_headers(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let left_out = unreadable(r, c, "proposals")?;
    let proposals: Vec<ProposalFacts<'_>> = headers
        .iter()
        .filter(|(id, _)| !left_out.contains(id.as_str()))
        .map(|(_, h)| ProposalFacts {
            author: &h.author,
            electorate: &h.electorate,
            positions: if h.poll {
                std::borrow::Cow::Owned(reports::ballots_as_positions(&h.ballots))
            } else {
                std::borrow::Cow::Borrowed(&h.positions)
            },
        })
        .collect();
    let meetings = r
        .meetings(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let facilitators: Vec<&MemberId> = meetings.values().map(|m| &m.facilitator).collect();
    let checkins = reports::check_in_turns(meetings.values());
    let pools = pools(r, c, now)?;
    let pools: Vec<(&Pool, Funds)> = pools.iter().map(|(p, f)| (p.as_ref(), f.clone())).collect();
    let (members, threshold) = in_force(r, c)?;
    Ok(PowerView {
        report: reports::power_of(
            &proposals,
            &facilitators,
            &checkins,
            &pools,
            &members,
            threshold,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;
    use crate::ops::{Request, handle};

    /// The reports computed from the parts the replica keeps are those computed from the
    /// coalition read whole.
    #[test]
    fn reports_from_kept_parts_are_those_of_the_whole_read() {
        let (_dir, mut r, c) = replica();
        let cs = c.to_string();
        let ok = |r: &mut Replica, req: Request| handle(r, req).unwrap();
        ok(
            &mut r,
            Request::MeetingCreate {
                coalition: cs.clone(),
                body: crate::ops::meetings::NewMeetingRequest {
                    date: "2026-11-30".into(),
                    minutes: "We met.".into(),
                    ..Default::default()
                },
            },
        );
        for n in 0..6 {
            let made = ok(
                &mut r,
                Request::IssueCreate {
                    coalition: cs.clone(),
                    body: crate::ops::issues::NewIssueRequest {
                        title: format!("Issue {n}"),
                        description: "x".repeat(n * 30),
                        tags: vec!["housing".into()],
                        lead: None,
                    },
                },
            );
            let crate::ops::Reply::Created(made) = made else {
                panic!()
            };
            if n % 2 == 0 {
                ok(
                    &mut r,
                    Request::IssueShare {
                        coalition: cs.clone(),
                        issue: made.id.clone(),
                        body: crate::ops::issues::ShareRequest { rank: 1 + n as u64 },
                    },
                );
            }
        }
        let pool = ok(
            &mut r,
            Request::PoolCreate {
                coalition: cs.clone(),
                body: crate::ops::pools::NewPoolRequest {
                    name: "Legal defense fund".into(),
                    kind: "funds".into(),
                    unit: "USD".into(),
                    description: String::new(),
                },
            },
        );
        let crate::ops::Reply::Created(pool) = pool else {
            panic!()
        };
        ok(
            &mut r,
            Request::PoolGive {
                coalition: cs.clone(),
                pool: pool.id.clone(),
                body: crate::ops::pools::GiftRequest {
                    kind: "contribution".into(),
                    amount: "100".into(),
                    note: String::new(),
                },
            },
        );
        let asked = ok(
            &mut r,
            Request::PoolRequest {
                coalition: cs.clone(),
                pool: pool.id.clone(),
                body: crate::ops::pools::AllocationRequestBody {
                    amount: "30".into(),
                    reason: "Bus passes".into(),
                },
            },
        );
        let crate::ops::Reply::Requested(asked) = asked else {
            panic!()
        };
        ok(
            &mut r,
            Request::ProposalPosition {
                coalition: cs.clone(),
                proposal: asked.proposal.clone().unwrap().to_string(),
                body: crate::ops::proposals::PositionRequest {
                    stance: "agree".into(),
                    reason: String::new(),
                },
            },
        );
        ok(
            &mut r,
            Request::ProposalCreate {
                coalition: cs.clone(),
                body: Box::new(crate::ops::proposals::NewProposalRequest {
                    kind: "general".into(),
                    title: "Open".into(),
                    text: String::new(),
                    closes: None,
                    ..Default::default()
                }),
            },
        );
        // Two more members, once the allocation is decided (admitted directly, as the
        // founding charter admits by invite): with three in force, the one member receiving
        // every allocation is flagged, in both computations.
        for (n, name) in [
            (5u8, "Eastside Disability Justice"),
            (6, "Riverside Faith Network"),
        ] {
            let id = MemberId::from_bytes([n; 16]);
            let profile = model::MemberProfile::named(name);
            let key = model::NodeKey::from_bytes([n; 32]);
            r.edit(&c, |doc, a| {
                doc.admit_member(&a.member, &id, &profile, key, a.now)
            })
            .unwrap();
        }
        let state = r.read(&c).unwrap();
        let now = replica::now();
        let json = |v: serde_json::Result<serde_json::Value>| v.unwrap();
        assert_eq!(
            json(serde_json::to_value(overlap(&mut r, &c).unwrap().report)),
            json(serde_json::to_value(reports::overlap(&state)))
        );
        assert_eq!(
            json(serde_json::to_value(equity(&mut r, &c).unwrap().report)),
            json(serde_json::to_value(reports::equity(&state, now)))
        );
        assert_eq!(
            json(serde_json::to_value(power(&mut r, &c).unwrap().report)),
            json(serde_json::to_value(reports::power(&state, now)))
        );
        let o = overlap(&mut r, &c).unwrap().report;
        assert_eq!(o.issues.len(), 6);
        assert_eq!(o.issues[0].members_sharing, 1);
        assert_eq!(o.members.len(), 3);
        let p = power(&mut r, &c).unwrap().report;
        assert_eq!(p.members.len(), 3);
        assert_eq!(p.flagged.len(), 1, "{p:?}");
        let e = equity(&mut r, &c).unwrap().report;
        assert_eq!(e.flagged.len(), 1, "{e:?}");
    }
}

/// Which progress report: the days it covers, its language and its form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// The first day covered, `YYYY-MM-DD` (from the first record if none).
    #[serde(default)]
    pub from: Option<String>,
    /// The last day covered, `YYYY-MM-DD` (to today if none).
    #[serde(default)]
    pub to: Option<String>,
    /// The language: `en` (the default) or `es`.
    #[serde(default)]
    pub lang: Option<String>,
    /// The form: `html` (the default: one self-contained file), `md` or `json`.
    #[serde(default)]
    pub format: Option<String>,
}

/// A progress report written.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressMade {
    /// The coalition's name.
    pub name: String,
    /// Its language: `en` or `es`.
    pub lang: String,
    /// Its form: `html`, `md` or `json`.
    pub format: String,
    /// The report.
    pub text: String,
}

/// A day a person typed, or what was wrong with it.
fn day_of(what: &str, given: Option<&str>) -> anyhow::Result<Option<model::Day>> {
    given
        .map(|d| {
            d.trim()
                .parse::<model::Day>()
                .map_err(|e| anyhow::Error::from(super::Invalid(format!("--{what}: {e}"))))
        })
        .transpose()
}

/// What the query asks for, checked: its period, language and form.
pub fn progress_terms(
    q: &ProgressQuery,
) -> anyhow::Result<(report::Period, report::Lang, report::Format)> {
    let period = report::Period {
        from: day_of("from", q.from.as_deref())?,
        to: day_of("to", q.to.as_deref())?,
    };
    if let (Some(f), Some(t)) = (period.from, period.to)
        && f > t
    {
        return Err(super::Invalid(format!(
            "--from {f} is after --to {t}: the period would hold no day"
        ))
        .into());
    }
    let lang = match q.lang.as_deref().map(str::trim) {
        None | Some("") => report::Lang::En,
        Some(l) => report::Lang::from_tag(l).ok_or_else(|| {
            super::Invalid(format!(
                "--lang {l}: the report is written in en (English) or es (Spanish)"
            ))
        })?,
    };
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("html") => report::Format::Html,
        Some("md" | "markdown") => report::Format::Md,
        Some("json") => report::Format::Json,
        Some(f) => {
            return Err(super::Invalid(format!(
                "--format {f}: one of html (a file to print or share), md (Markdown) or json"
            ))
            .into());
        }
    };
    Ok((period, lang, format))
}

/// The progress report over the query's period, as of now, from a whole read.
pub fn progress(
    r: &mut Replica,
    c: &CoalitionId,
    q: &ProgressQuery,
) -> anyhow::Result<ProgressMade> {
    let (period, lang, format) = progress_terms(q)?;
    let state = r
        .read(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let translations = r
        .translations(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let made = report::progress_with(&state, period, replica::now(), &translations);
    Ok(ProgressMade {
        name: made.name.clone(),
        lang: lang.tag().to_owned(),
        format: match format {
            report::Format::Html => "html",
            report::Format::Md => "md",
            report::Format::Json => "json",
        }
        .to_owned(),
        text: report::render(&made, lang, format),
    })
}
