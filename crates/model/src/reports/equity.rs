//! The equity report: per pool and member, the share given against the share received.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::funding::{Funds, funds};
use super::percent;
use crate::ids::{MemberId, PoolId};
use crate::schema::{Coalition, Member, Pool};
use crate::values::{Amount, EntryKind, Fraction, Timestamp};

/// One member's giving and receiving in one pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EquityRow {
    /// Member id.
    pub member: MemberId,
    /// Organization name.
    pub name: String,
    /// Pledged.
    pub pledged: String,
    /// Contributed.
    pub given: String,
    /// Received through passed allocations.
    pub received: String,
    /// Share of all contributions, in percent (one decimal).
    pub share_given: f64,
    /// Share of all allocations, in percent (one decimal).
    pub share_received: f64,
    /// Whether its share received exceeds the charter's threshold.
    pub flagged: bool,
}

/// Equity in one pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoolEquity {
    /// Pool id.
    pub pool: PoolId,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// One row per member.
    pub members: Vec<EquityRow>,
}

/// Per pool and member: share given versus share received, flagging capture.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EquityReport {
    /// The share of a pool's allocations above which a member is flagged.
    pub threshold: Fraction,
    /// Pools.
    pub pools: Vec<PoolEquity>,
    /// Members flagged in any pool.
    pub flagged: Vec<MemberId>,
}
/// The equity report at `now`.
pub fn equity(state: &Coalition, now: Timestamp) -> EquityReport {
    let pools: Vec<(&Pool, Funds)> = state
        .pools
        .values()
        .map(|p| (p, funds(state, p, now)))
        .collect();
    equity_of(&pools, &state.members, state.charter.equity_threshold)
}

/// The equity report of `pools`, each with what became of its requests (`funds_of` with
/// their proposals' decisions), among the members in force `members_in_force`, flagged
/// above `threshold`: what [`equity`] computes of the whole coalition, for a caller that
/// keeps only those.
pub fn equity_of(
    pools: &[(&Pool, Funds)],
    members_in_force: &BTreeMap<MemberId, Member>,
    threshold: Fraction,
) -> EquityReport {
    let mut out = Vec::new();
    let mut flagged: Vec<MemberId> = Vec::new();
    let mut all_pools: Vec<&(&Pool, Funds)> = pools.iter().collect();
    all_pools.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    for (pool, funded) in all_pools {
        let mut per: BTreeMap<&MemberId, [i128; 3]> =
            members_in_force.keys().map(|m| (m, [0; 3])).collect();
        for e in pool.ledger.values() {
            let slot = per.entry(&e.member).or_insert([0; 3]);
            let amount = i128::from(e.amount.hundredths());
            match e.kind {
                EntryKind::Pledge => slot[0] += amount,
                EntryKind::Contribution => slot[1] += amount,
                EntryKind::Request if funded.is_funded(&e.id) => slot[2] += amount,
                EntryKind::Request => {}
            }
        }
        let total_given: i128 = per.values().map(|s| s[1]).sum();
        let total_received: i128 = per.values().map(|s| s[2]).sum();
        let receivers = per.values().filter(|s| s[2] > 0).count();
        let members = per
            .iter()
            .map(|(m, s)| {
                let is_flagged = members_in_force.len() > 1
                    && receivers > 0
                    && threshold.exceeded_by(s[2] as u128, total_received as u128);
                if is_flagged && !flagged.contains(m) {
                    flagged.push((*m).clone());
                }
                EquityRow {
                    member: (*m).clone(),
                    name: members_in_force
                        .get(*m)
                        .map_or_else(|| m.to_string(), |x| x.name.clone()),
                    pledged: Amount::format_total(s[0]),
                    given: Amount::format_total(s[1]),
                    received: Amount::format_total(s[2]),
                    share_given: percent(s[1], total_given),
                    share_received: percent(s[2], total_received),
                    flagged: is_flagged,
                }
            })
            .collect();
        out.push(PoolEquity {
            pool: pool.id.clone(),
            name: pool.name.clone(),
            unit: pool.unit.clone(),
            members,
        });
    }
    EquityReport {
        threshold,
        pools: out,
        flagged,
    }
}
