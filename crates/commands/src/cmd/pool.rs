//! `pool` commands.

use anyhow::Result;
use model::reports;

use super::{day, on, short};
use crate::args::PoolCmd;
use crate::ops::{Created, Exec, Request, pools};
use crate::output::{Out, line};

pub(crate) fn run(x: &mut dyn Exec, cmd: PoolCmd, out: &Out) -> Result<()> {
    match cmd {
        PoolCmd::Create {
            c,
            name,
            kind,
            unit,
            description,
        } => {
            let coalition = on(x, &c, out)?;
            let body = pools::NewPoolRequest {
                name,
                kind: kind.to_string(),
                unit,
                description,
            };
            let made: Created = x
                .call(Request::PoolCreate { coalition, body })?
                .try_into()?;
            out.id(made.id)?;
        }
        PoolCmd::Pledge(g) => give(x, g, "pledge", out)?,
        PoolCmd::Contribute(g) => give(x, g, "contribution", out)?,
        PoolCmd::Request {
            c,
            pool,
            amount,
            reason,
        } => {
            let coalition = on(x, &c, out)?;
            let body = pools::AllocationRequestBody {
                amount: amount.to_string(),
                reason,
            };
            let made: pools::AllocationRequested = x
                .call(Request::PoolRequest {
                    coalition,
                    pool,
                    body,
                })?
                .try_into()?;
            match made.proposal {
                Some(proposal) => {
                    out.note("Allocation requested; members decide it on the proposal below.");
                    out.id(proposal)?;
                }
                None => {
                    out.note(
                        "Allocation requested; the charter decides allocations by budget \
                         polls, so it awaits the next one over this pool's requests (`proposal \
                         new --kind allocation --method budget:SHARE --pool POOL --request \
                         all`). Its entry:",
                    );
                    out.id(made.entry)?;
                }
            }
        }
        PoolCmd::List { c, format } => {
            let coalition = on(x, &c, out)?;
            let lines: Vec<pools::PoolSummary> =
                x.call(Request::PoolList { coalition })?.try_into()?;
            list(&lines, format.json, out)?;
        }
        PoolCmd::Ledger { c, pool, format } => {
            let coalition = on(x, &c, out)?;
            let report: Box<reports::LedgerReport> = x
                .call(Request::PoolLedger { coalition, pool })?
                .try_into()?;
            ledger(&report, format.json, out)?;
        }
        PoolCmd::Equity { c, format } => {
            let coalition = on(x, &c, out)?;
            let view: Box<crate::ops::reports::EquityView> =
                x.call(Request::ReportEquity { coalition })?.try_into()?;
            let report = &view.report;
            if format.json {
                return out.json(&view.report);
            }
            let mut rows = Vec::new();
            for p in &report.pools {
                for m in &p.members {
                    rows.push(vec![
                        p.name.clone(),
                        m.name.clone(),
                        format!("{} {}", m.pledged, p.unit),
                        format!("{} {}", m.given, p.unit),
                        format!("{} {}", m.received, p.unit),
                        format!("{:.1}%", m.share_given),
                        format!("{:.1}%", m.share_received),
                        if m.flagged {
                            "FLAG".into()
                        } else {
                            String::new()
                        },
                    ]);
                }
            }
            out.table(
                &[
                    "POOL",
                    "MEMBER",
                    "PLEDGED",
                    "GIVEN",
                    "RECEIVED",
                    "SHARE GIVEN",
                    "SHARE RECEIVED",
                    "FLAG",
                ],
                rows,
                "No pools yet.",
            )?;
            if !report.flagged.is_empty() {
                out.note(&format!(
                    "Flagged: a member received more than {} of a pool's allocations.",
                    report.threshold
                ));
            }
        }
    }
    Ok(())
}

/// `pool list`'s table (or JSON).
fn list(lines: &[pools::PoolSummary], json: bool, out: &Out) -> Result<()> {
    if json {
        return out.json(&lines);
    }
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                short(&l.id).to_owned(),
                l.name.clone(),
                l.kind.to_string(),
                l.unit.clone(),
                l.pledged.clone(),
                l.contributed.clone(),
                l.allocated.clone(),
                l.balance.clone(),
            ]
        })
        .collect();
    out.table(
        &[
            "ID",
            "NAME",
            "KIND",
            "UNIT",
            "PLEDGED",
            "CONTRIBUTED",
            "ALLOCATED",
            "BALANCE",
        ],
        rows,
        "No pools yet. Create one with `coalesce pool create`.",
    )
}

/// `pool ledger`'s table and notes (or JSON).
fn ledger(report: &reports::LedgerReport, json: bool, out: &Out) -> Result<()> {
    if json {
        return out.json(report);
    }
    let rows = report
        .entries
        .iter()
        .map(|e| {
            let kind = match (e.decision, &e.funding) {
                (_, Some(reports::Funding::Unfunded { .. })) => {
                    format!("{} (passed, unfunded)", e.kind)
                }
                (Some(o), _) => format!("{} ({o})", e.kind),
                (None, _) => e.kind.to_string(),
            };
            vec![
                day(e.effective),
                short(&e.entry).to_owned(),
                kind,
                e.name.clone(),
                e.amount.to_string(),
                e.balance.clone(),
                e.note.clone(),
            ]
        })
        .collect();
    out.table(
        &[
            "DATE", "ENTRY", "KIND", "MEMBER", "AMOUNT", "BALANCE", "NOTE",
        ],
        rows,
        "The ledger is empty.",
    )?;
    for e in &report.entries {
        if let Some(reports::Funding::Unfunded { available, .. }) = &e.funding {
            out.note(&format!(
                "Request {} of {} {u} passed but is unfunded: when it was decided the \
                 pool held {available} {u}, as allocations decided before it had taken \
                 the rest. Nothing was allocated; request again once the pool holds enough.",
                short(&e.entry),
                e.amount,
                u = line(&report.unit)
            ));
        }
    }
    if !report.entries.is_empty() {
        out.note(&format!(
            "{}: pledged {p} {u}, contributed {c} {u}, allocated {a} {u}, balance {b} {u}",
            line(&report.name),
            p = report.pledged,
            c = report.contributed,
            a = report.allocated,
            b = report.balance,
            u = line(&report.unit)
        ));
    }
    Ok(())
}

fn give(x: &mut dyn Exec, g: crate::args::Gift, kind: &str, out: &Out) -> Result<()> {
    let coalition = on(x, &g.c, out)?;
    let body = pools::GiftRequest {
        kind: kind.to_owned(),
        amount: g.amount.to_string(),
        note: g.note,
    };
    let made: Created = x
        .call(Request::PoolGive {
            coalition,
            pool: g.pool,
            body,
        })?
        .try_into()?;
    out.id(made.id)
}
