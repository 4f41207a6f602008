//! `pool` commands.

use replica::Replica;

use anyhow::Result;
use model::{EntryId, PoolId, ProposalId, reports};
use serde::Serialize;

use super::{Ctx, day, short};
use crate::args::PoolCmd;
use crate::output::Out;

#[derive(Serialize)]
struct PoolLine<'a> {
    id: &'a model::PoolId,
    name: &'a str,
    kind: model::PoolKind,
    unit: &'a str,
    pledged: String,
    contributed: String,
    allocated: String,
    balance: String,
}

pub fn run(r: &mut Replica, cmd: PoolCmd, out: &Out) -> Result<()> {
    match cmd {
        PoolCmd::Create {
            c,
            name,
            kind,
            unit,
            description,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let id = PoolId::from_bytes(replica::fresh_id_bytes()?);
            let new = model::NewPool {
                id: id.clone(),
                name,
                kind,
                unit,
                description,
            };
            ctx.replica
                .edit(&ctx.id, |doc, a| doc.create_pool(&a.member, new, a.now))?;
            out.id(id)
        }
        PoolCmd::Pledge(g) => give(r, g, model::GiftKind::Pledge, out),
        PoolCmd::Contribute(g) => give(r, g, model::GiftKind::Contribution, out),
        PoolCmd::Request {
            c,
            pool,
            amount,
            reason,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let entry = EntryId::from_bytes(replica::fresh_id_bytes()?);
            let proposal = ProposalId::from_bytes(replica::fresh_id_bytes()?);
            let request = model::AllocationRequest {
                entry,
                proposal: proposal.clone(),
                amount,
                reason,
            };
            ctx.replica.edit(&ctx.id, |doc, a| {
                doc.request_allocation(&a.member, &pool, request, a.now)
            })?;
            out.note("Allocation requested; members decide it on the proposal below.");
            out.id(proposal)
        }
        PoolCmd::List { c, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let now = replica::now();
            let mut pools: Vec<_> = state.pools.values().collect();
            pools.sort_by(|a, b| a.name.cmp(&b.name));
            let lines: Vec<PoolLine> = pools
                .iter()
                .map(|p| {
                    let l = reports::ledger(&state, p, now);
                    PoolLine {
                        id: &p.id,
                        name: &p.name,
                        kind: p.kind,
                        unit: &p.unit,
                        pledged: l.pledged,
                        contributed: l.contributed,
                        allocated: l.allocated,
                        balance: l.balance,
                    }
                })
                .collect();
            if format.json {
                return out.json(&lines);
            }
            let rows = lines
                .iter()
                .map(|l| {
                    vec![
                        short(l.id).to_owned(),
                        l.name.to_owned(),
                        l.kind.to_string(),
                        l.unit.to_owned(),
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
        PoolCmd::Ledger { c, pool, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let id = model::resolve_prefix(&pool, "pool", state.pools.keys().map(AsRef::as_ref))?;
            let report = reports::ledger(&state, &state.pools[id], replica::now());
            if format.json {
                return out.json(&report);
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
                        u = report.unit
                    ));
                }
            }
            if !report.entries.is_empty() {
                out.note(&format!(
                    "{}: pledged {p} {u}, contributed {c} {u}, allocated {a} {u}, balance {b} {u}",
                    report.name,
                    p = report.pledged,
                    c = report.contributed,
                    a = report.allocated,
                    b = report.balance,
                    u = report.unit
                ));
            }
            Ok(())
        }
        PoolCmd::Equity { c, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let report = reports::equity(&state, replica::now());
            if format.json {
                return out.json(&report);
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
            Ok(())
        }
    }
}

fn give(r: &mut Replica, g: crate::args::Gift, kind: model::GiftKind, out: &Out) -> Result<()> {
    let ctx = Ctx::new(r, &g.c, out)?;
    let entry = EntryId::from_bytes(replica::fresh_id_bytes()?);
    let gift = model::Gift {
        entry: entry.clone(),
        kind,
        amount: g.amount,
        note: g.note,
    };
    ctx.replica
        .edit(&ctx.id, |doc, a| doc.give(&a.member, &g.pool, gift, a.now))?;
    out.id(entry)
}
