//! Reports computed from a coalition's state: issue overlap, pool ledgers and balances,
//! resource equity, proposal tallies. Pure functions of the state (and the caller's clock
//! for closing dates), so every node computes the same report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{EntryId, IssueId, MemberId, PoolId, ProposalId};
use crate::schema::{Coalition, Pool, PositionRecord, Proposal};
use crate::tally::{Outcome, Tally, tally};
use crate::values::{Amount, EntryKind, Fraction, IssueStatus, Rank, Timestamp};

/// The positions that count on a proposal: those of its electorate, taken before it closed.
pub fn counted_positions(p: &Proposal) -> impl Iterator<Item = (&MemberId, &PositionRecord)> {
    p.positions
        .iter()
        .filter(|(m, pos)| p.electorate.contains(m) && p.closes_at.is_none_or(|c| pos.at < c))
}

/// The tally of a proposal at `now` (closed once `now` reaches its closing time).
pub fn proposal_tally(p: &Proposal, now: Timestamp) -> Tally {
    let closed = p.closes_at.is_some_and(|c| now >= c);
    let positions = counted_positions(p)
        .map(|(m, pos)| (m.clone(), pos.stance))
        .collect();
    tally(p.rule, &p.electorate, &positions, closed)
}

/// When `p` was decided, if it was by `now`: settled by positions alone, the moment of the
/// latest counted one; otherwise its closing time. The same on every node (it reads only the
/// record), so allocations are funded in the same order everywhere.
pub fn decided_at(p: &Proposal, now: Timestamp) -> Option<Timestamp> {
    if proposal_tally(p, now).outcome == Outcome::Open {
        return None;
    }
    if proposal_tally(p, Timestamp::MIN).outcome != Outcome::Open {
        Some(
            counted_positions(p)
                .map(|(_, pos)| pos.at)
                .max()
                .unwrap_or(p.created_at),
        )
    } else {
        Some(p.closes_at.unwrap_or(p.created_at))
    }
}

/// A request's deciding proposal as funding reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    /// Its outcome.
    pub outcome: Outcome,
    /// When it was decided, unless open.
    pub at: Option<Timestamp>,
}

/// What became of an allocation request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Funding {
    /// Its proposal is open (or missing, or did not pass): nothing is allocated.
    NotDecided,
    /// Passed, and the pool held enough when it was decided: allocated.
    Funded {
        /// When it was decided.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        at: Timestamp,
    },
    /// Passed, but by the time it was decided the pool no longer held enough (other
    /// allocations decided before it took the money): nothing is allocated.
    Unfunded {
        /// When it was decided.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        at: Timestamp,
        /// What the pool held then, in its unit.
        available: String,
    },
}

/// A pool's balance and what became of each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funds {
    /// Contributions minus funded allocations, in hundredths: never below zero while the
    /// contributions recorded do not shrink.
    pub balance: i128,
    /// Per request entry.
    pub requests: BTreeMap<EntryId, Funding>,
}

impl Funds {
    /// Whether request `entry` was funded.
    pub fn is_funded(&self, entry: &EntryId) -> bool {
        matches!(self.requests.get(entry), Some(Funding::Funded { .. }))
    }
}

/// Decides which passed requests a pool funds: contributions (at their time) and passed
/// requests (at their decision time) in time order, contributions first at equal times,
/// then by entry id; a request is funded if the balance then covers it, and takes its
/// amount; otherwise it is unfunded for good. A function of the pool and the proposals
/// alone, so every node funds the same requests, whichever order it learnt of them in.
pub fn funds_of(pool: &Pool, decision: impl Fn(&ProposalId) -> Option<Decided>) -> Funds {
    let mut requests = BTreeMap::new();
    // (time, contributions first, entry id, amount, is a request)
    let mut events = Vec::new();
    for e in pool.ledger.values() {
        let amount = i128::from(e.amount.hundredths());
        match e.kind {
            EntryKind::Contribution => events.push((e.at, 0u8, &e.id, amount)),
            EntryKind::Pledge => {}
            EntryKind::Request => match e.proposal.as_ref().and_then(&decision) {
                Some(Decided {
                    outcome: Outcome::Passed,
                    at: Some(at),
                }) => events.push((at, 1u8, &e.id, amount)),
                _ => {
                    requests.insert(e.id.clone(), Funding::NotDecided);
                }
            },
        }
    }
    events.sort();
    let mut balance = 0i128;
    for (at, kind, id, amount) in events {
        if kind == 0 {
            balance += amount;
        } else if amount <= balance {
            balance -= amount;
            requests.insert(id.clone(), Funding::Funded { at });
        } else {
            requests.insert(
                id.clone(),
                Funding::Unfunded {
                    at,
                    available: Amount::format_total(balance),
                },
            );
        }
    }
    Funds { balance, requests }
}

/// How `p` stands for funding at `now`.
pub fn decision(p: &Proposal, now: Timestamp) -> Decided {
    Decided {
        outcome: proposal_tally(p, now).outcome,
        at: decided_at(p, now),
    }
}

/// A pool's funding at `now`, read from the coalition's state.
pub fn funds(state: &Coalition, pool: &Pool, now: Timestamp) -> Funds {
    funds_of(pool, |id| state.proposals.get(id).map(|p| decision(p, now)))
}

/// One issue in the overlap report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverlapRow {
    /// Issue id.
    pub issue: IssueId,
    /// Title.
    pub title: String,
    /// Status.
    pub status: IssueStatus,
    /// Lead member id.
    pub lead: MemberId,
    /// How many members share it.
    pub members_sharing: usize,
    /// Sum of the sharers' rank weights (rank 1 weighs 10, rank 10 weighs 1).
    pub score: u64,
    /// Who shares it, highest priority first.
    pub shared_by: Vec<Sharer>,
}

/// A member sharing an issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sharer {
    /// Member id.
    pub member: MemberId,
    /// Organization name.
    pub name: String,
    /// Its rank for the issue.
    pub rank: Rank,
}

/// Issues ranked by how many members share them and how high they rank them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverlapReport {
    /// Issues, most shared first; ties by score, then title.
    pub issues: Vec<OverlapRow>,
    /// For each member, the issues it shares.
    pub members: BTreeMap<MemberId, Vec<IssueId>>,
}

/// The overlap report. Dropped issues are left out.
pub fn overlap(state: &Coalition) -> OverlapReport {
    let mut rows: Vec<OverlapRow> = state
        .issues
        .values()
        .filter(|i| i.status != IssueStatus::Dropped)
        .map(|i| {
            let mut shared_by: Vec<Sharer> = i
                .ranks
                .iter()
                .filter(|(m, _)| state.members.contains_key(*m))
                .map(|(m, r)| Sharer {
                    member: m.clone(),
                    name: state.members[m].name.clone(),
                    rank: *r,
                })
                .collect();
            shared_by.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));
            OverlapRow {
                issue: i.id.clone(),
                title: i.title.clone(),
                status: i.status,
                lead: i.lead.clone(),
                members_sharing: shared_by.len(),
                score: shared_by.iter().map(|s| s.rank.weight()).sum(),
                shared_by,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.members_sharing
            .cmp(&a.members_sharing)
            .then(b.score.cmp(&a.score))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.issue.cmp(&b.issue))
    });
    let mut members: BTreeMap<MemberId, Vec<IssueId>> = state
        .members
        .keys()
        .map(|m| (m.clone(), Vec::new()))
        .collect();
    for row in &rows {
        for s in &row.shared_by {
            members
                .entry(s.member.clone())
                .or_default()
                .push(row.issue.clone());
        }
    }
    OverlapReport {
        issues: rows,
        members,
    }
}

/// One line of a pool's ledger with its effect on the balance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerLine {
    /// Entry id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub entry: EntryId,
    /// When it was written.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// When it took effect: a contribution when written, a request when its proposal was
    /// decided; the ledger's order.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub effective: Timestamp,
    /// Pledge, contribution or request.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: EntryKind,
    /// Member id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member: MemberId,
    /// Organization name.
    pub name: String,
    /// Amount.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Amount,
    /// Note or reason.
    pub note: String,
    /// For a request: the deciding proposal's outcome.
    pub decision: Option<Outcome>,
    /// For a request: whether the pool funded it.
    pub funding: Option<Funding>,
    /// Balance after this line, in the pool's unit.
    pub balance: String,
}

/// A pool's ledger, in the order entries took effect, with running balance and totals.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerReport {
    /// Pool id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub pool: PoolId,
    /// Pool name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Lines, oldest first.
    pub entries: Vec<LedgerLine>,
    /// Total pledged.
    pub pledged: String,
    /// Total contributed.
    pub contributed: String,
    /// Total allocated by passed and funded requests.
    pub allocated: String,
    /// Balance now.
    pub balance: String,
}

/// A pool's entries with the time each took effect (a decided request when decided, any
/// other entry when written), in the order funding takes them: by that time, contributions
/// first, then entry id.
fn ledger_order<'a>(
    pool: &'a Pool,
    funds: &Funds,
) -> Vec<(Timestamp, &'a crate::schema::LedgerEntry)> {
    let mut entries: Vec<_> = pool
        .ledger
        .values()
        .map(|e| match funds.requests.get(&e.id) {
            Some(Funding::Funded { at } | Funding::Unfunded { at, .. }) => (*at, e),
            _ => (e.at, e),
        })
        .collect();
    let key = |(at, e): &(Timestamp, &'a crate::schema::LedgerEntry)| {
        (*at, e.kind != EntryKind::Contribution, &e.id)
    };
    entries.sort_by(|a, b| key(a).cmp(&key(b)));
    entries
}

/// The ledger of `pool` at `now`.
pub fn ledger(state: &Coalition, pool: &Pool, now: Timestamp) -> LedgerReport {
    ledger_of(
        pool,
        |id| state.proposals.get(id),
        |m| state.members.get(m).map(|m| m.name.clone()),
        now,
    )
}

/// The ledger of `pool` at `now`, from its requests' proposals (`proposal`) and the names
/// of the members in force (`name`; others are shown by id): what [`ledger`] reads of the
/// whole coalition, for a caller that reads only those.
pub fn ledger_of<'p>(
    pool: &Pool,
    proposal: impl Fn(&ProposalId) -> Option<&'p Proposal>,
    name: impl Fn(&MemberId) -> Option<String>,
    now: Timestamp,
) -> LedgerReport {
    let funds = funds_of(pool, |id| proposal(id).map(|p| decision(p, now)));
    let entries = ledger_order(pool, &funds);
    let (mut balance, mut pledged, mut contributed, mut allocated) = (0i128, 0i128, 0i128, 0i128);
    let lines = entries
        .into_iter()
        .map(|(effective, e)| {
            let amount = i128::from(e.amount.hundredths());
            let (mut decision, mut funding) = (None, None);
            match e.kind {
                EntryKind::Pledge => pledged += amount,
                EntryKind::Contribution => {
                    contributed += amount;
                    balance += amount;
                }
                EntryKind::Request => {
                    let outcome = e
                        .proposal
                        .as_ref()
                        .and_then(&proposal)
                        .map_or(Outcome::Failed, |p| proposal_tally(p, now).outcome);
                    let f = funds
                        .requests
                        .get(&e.id)
                        .cloned()
                        .unwrap_or(Funding::NotDecided);
                    if matches!(f, Funding::Funded { .. }) {
                        allocated += amount;
                        balance -= amount;
                    }
                    decision = Some(outcome);
                    funding = Some(f);
                }
            }
            LedgerLine {
                entry: e.id.clone(),
                at: e.at,
                effective,
                kind: e.kind,
                member: e.member.clone(),
                name: name(&e.member).unwrap_or_else(|| e.member.to_string()),
                amount: e.amount,
                note: e.note.clone(),
                decision,
                funding,
                balance: Amount::format_total(balance),
            }
        })
        .collect();
    LedgerReport {
        pool: pool.id.clone(),
        name: pool.name.clone(),
        unit: pool.unit.clone(),
        entries: lines,
        pledged: Amount::format_total(pledged),
        contributed: Amount::format_total(contributed),
        allocated: Amount::format_total(allocated),
        balance: Amount::format_total(balance),
    }
}

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

fn percent(part: i128, whole: i128) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    // Rounded to one decimal in integer arithmetic so every node prints the same figure.
    let tenths = (part * 1000 + whole / 2) / whole;
    tenths as f64 / 10.0
}

/// The equity report at `now`.
pub fn equity(state: &Coalition, now: Timestamp) -> EquityReport {
    let threshold = state.charter.equity_threshold;
    let mut pools = Vec::new();
    let mut flagged: Vec<MemberId> = Vec::new();
    let mut all_pools: Vec<&Pool> = state.pools.values().collect();
    all_pools.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    for pool in all_pools {
        let mut per: BTreeMap<&MemberId, [i128; 3]> =
            state.members.keys().map(|m| (m, [0; 3])).collect();
        let funded = funds(state, pool, now);
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
                let is_flagged = state.members.len() > 1
                    && receivers > 0
                    && threshold.exceeded_by(s[2] as u128, total_received as u128);
                if is_flagged && !flagged.contains(m) {
                    flagged.push((*m).clone());
                }
                EquityRow {
                    member: (*m).clone(),
                    name: state
                        .members
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
        pools.push(PoolEquity {
            pool: pool.id.clone(),
            name: pool.name.clone(),
            unit: pool.unit.clone(),
            members,
        });
    }
    EquityReport {
        threshold,
        pools,
        flagged,
    }
}

/// One member's share of the coalition's power.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PowerRow {
    /// Member id.
    pub member: MemberId,
    /// Organization name.
    pub name: String,
    /// Proposals it authored.
    pub proposals_authored: u64,
    /// Its share of all proposals, in percent.
    pub share_authored: f64,
    /// Meetings it facilitated.
    pub facilitation_turns: u64,
    /// Its share of all facilitation turns, in percent.
    pub share_facilitation: f64,
    /// Contributed, per unit.
    pub given: BTreeMap<String, String>,
    /// Received through passed allocations, per unit.
    pub received: BTreeMap<String, String>,
    /// Its highest share of what was allocated in any one unit, in percent.
    pub share_received: f64,
    /// Proposals it was entitled to take a position on.
    pub open_to: u64,
    /// Positions it recorded on those.
    pub positions: u64,
    /// Positions recorded over proposals open to it, in percent.
    pub participation: f64,
    /// Blocks it used.
    pub blocks: u64,
    /// What it holds more than the charter's share of: `proposals`, `facilitation`,
    /// `resources`.
    pub flags: Vec<String>,
}

/// How power is shared among the members in force.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PowerReport {
    /// The charter's share above which a member is flagged.
    pub threshold: Fraction,
    /// One row per member in force, by name.
    pub members: Vec<PowerRow>,
    /// Members flagged for anything.
    pub flagged: Vec<MemberId>,
}

/// The power audit at `now`.
///
/// A member is flagged when its share of proposals authored, of facilitation turns, or of
/// what was allocated in some unit exceeds the charter's threshold, once there is enough to
/// judge: at least as many proposals (or turns) as members, and more than one member.
pub fn power(state: &Coalition, now: Timestamp) -> PowerReport {
    let threshold = state.charter.equity_threshold;
    let n = state.members.len() as u64;
    let total_proposals = state.proposals.len() as u64;
    let total_turns = state.meetings.len() as u64;
    // Per unit: member -> [given, received], and the unit's total received.
    let mut units: BTreeMap<&str, BTreeMap<&MemberId, [i128; 2]>> = BTreeMap::new();
    for pool in state.pools.values() {
        let per = units.entry(pool.unit.as_str()).or_default();
        let funded = funds(state, pool, now);
        for e in pool.ledger.values() {
            let slot = per.entry(&e.member).or_insert([0; 2]);
            let amount = i128::from(e.amount.hundredths());
            match e.kind {
                EntryKind::Contribution => slot[0] += amount,
                EntryKind::Request if funded.is_funded(&e.id) => slot[1] += amount,
                _ => {}
            }
        }
    }
    let mut rows: Vec<PowerRow> = state
        .members
        .values()
        .map(|m| {
            let id = &m.id;
            let authored = state.proposals.values().filter(|p| p.author == *id).count() as u64;
            let turns = state
                .meetings
                .values()
                .filter(|x| x.facilitator == *id)
                .count() as u64;
            let open_to: Vec<&crate::schema::Proposal> = state
                .proposals
                .values()
                .filter(|p| p.electorate.contains(id))
                .collect();
            let positions = open_to
                .iter()
                .filter(|p| p.positions.contains_key(id))
                .count() as u64;
            let blocks = state
                .proposals
                .values()
                .filter(|p| {
                    p.positions
                        .get(id)
                        .is_some_and(|pos| pos.stance == crate::values::Stance::Block)
                })
                .count() as u64;
            let (mut given, mut received) = (BTreeMap::new(), BTreeMap::new());
            let mut share_received: f64 = 0.0;
            let mut over_resources = false;
            for (unit, per) in &units {
                let mine = per.get(id).copied().unwrap_or([0; 2]);
                let total: i128 = per.values().map(|s| s[1]).sum();
                if mine[0] > 0 {
                    given.insert((*unit).to_owned(), Amount::format_total(mine[0]));
                }
                if mine[1] > 0 {
                    received.insert((*unit).to_owned(), Amount::format_total(mine[1]));
                }
                share_received = share_received.max(percent(mine[1], total));
                over_resources |=
                    total > 0 && threshold.exceeded_by(mine[1] as u128, total as u128);
            }
            let judged = |part: u64, total: u64| {
                n > 1 && total >= n && threshold.exceeded_by(u128::from(part), u128::from(total))
            };
            let mut flags = Vec::new();
            if judged(authored, total_proposals) {
                flags.push("proposals".to_owned());
            }
            if judged(turns, total_turns) {
                flags.push("facilitation".to_owned());
            }
            if n > 1 && over_resources {
                flags.push("resources".to_owned());
            }
            PowerRow {
                member: m.id.clone(),
                name: m.name.clone(),
                proposals_authored: authored,
                share_authored: percent(authored.into(), total_proposals.into()),
                facilitation_turns: turns,
                share_facilitation: percent(turns.into(), total_turns.into()),
                given,
                received,
                share_received,
                open_to: open_to.len() as u64,
                positions,
                participation: percent(positions.into(), (open_to.len() as u64).into()),
                blocks,
                flags,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.member.cmp(&b.member)));
    let flagged = rows
        .iter()
        .filter(|r| !r.flags.is_empty())
        .map(|r| r.member.clone())
        .collect();
    PowerReport {
        threshold,
        members: rows,
        flagged,
    }
}

/// Who facilitates next: the member in the charter's rotation (members in force, by when they
/// joined) with the fewest turns so far, the earliest in the rotation among equals.
pub fn next_facilitator(state: &Coalition) -> Option<MemberId> {
    next_in_rotation(
        &state.charter.roles.facilitator_rotation,
        state.meetings.values(),
    )
}

/// The member of `rotation` with the fewest turns facilitating `meetings`, the earliest in
/// the rotation among equals ([`next_facilitator`] without reading the whole coalition).
pub fn next_in_rotation<'a>(
    rotation: &[MemberId],
    meetings: impl IntoIterator<Item = &'a crate::schema::Meeting>,
) -> Option<MemberId> {
    let mut turns: BTreeMap<&MemberId, usize> = BTreeMap::new();
    for m in meetings {
        *turns.entry(&m.facilitator).or_default() += 1;
    }
    rotation
        .iter()
        .enumerate()
        .min_by_key(|(i, m)| (turns.get(m).copied().unwrap_or(0), *i))
        .map(|(_, m)| m.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{LedgerEntry, Prose};
    use crate::values::PoolKind;
    use proptest::prelude::*;

    /// (is a contribution, amount, written at, decided at if a passed request)
    type Entry = (bool, i64, i64, Option<i64>);

    fn pool_of(entries: &[Entry]) -> (Pool, BTreeMap<ProposalId, Decided>) {
        let mut ledger = BTreeMap::new();
        let mut decisions = BTreeMap::new();
        for (i, (contribution, amount, at, decided)) in entries.iter().enumerate() {
            let id = EntryId::from_bytes([i as u8; 16]);
            let proposal = ProposalId::from_bytes([i as u8; 16]);
            decisions.insert(
                proposal.clone(),
                Decided {
                    outcome: if decided.is_some() {
                        Outcome::Passed
                    } else {
                        Outcome::Open
                    },
                    at: decided.map(Timestamp::from_millis),
                },
            );
            ledger.insert(
                id.clone(),
                LedgerEntry {
                    id,
                    kind: if *contribution {
                        EntryKind::Contribution
                    } else {
                        EntryKind::Request
                    },
                    member: MemberId::from_bytes([1; 16]),
                    amount: Amount::from_hundredths(*amount).unwrap(),
                    note: String::new(),
                    at: Timestamp::from_millis(*at),
                    proposal: (!contribution).then_some(proposal),
                },
            );
        }
        let pool = Pool {
            id: PoolId::from_bytes([0; 16]),
            name: "Fund".into(),
            kind: PoolKind::Funds,
            unit: "USD".into(),
            description: Prose(String::new()),
            created_by: MemberId::from_bytes([1; 16]),
            created_at: Timestamp::from_millis(0),
            ledger,
        };
        (pool, decisions)
    }

    proptest! {
        /// Whatever is contributed, requested and decided, and when: the balance never goes
        /// below zero at any step, funded and balance add up to what was contributed, and a
        /// request is unfunded only when it did not fit.
        #[test]
        fn funding_never_overdraws_a_pool(
            entries in proptest::collection::vec(
                (any::<bool>(), 1i64..5_000, 0i64..20, proptest::option::of(0i64..20)), 0..24),
        ) {
            let (pool, decisions) = pool_of(&entries);
            let funds = funds_of(&pool, |p| decisions.get(p).copied());
            prop_assert!(funds.balance >= 0);
            let contributed: i128 = entries.iter().filter(|e| e.0).map(|e| i128::from(e.1)).sum();
            let funded: i128 = pool
                .ledger
                .values()
                .filter(|e| funds.is_funded(&e.id))
                .map(|e| i128::from(e.amount.hundredths()))
                .sum();
            prop_assert_eq!(funds.balance, contributed - funded);
            for e in pool.ledger.values() {
                if let Some(Funding::Unfunded { available, .. }) = funds.requests.get(&e.id) {
                    let held: Amount = available.parse().unwrap();
                    prop_assert!(held.hundredths() < e.amount.hundredths());
                }
            }
            // The ledger's running balance never shows a negative figure either.
            let state_free = ledger_balances(&pool, &funds);
            prop_assert!(state_free.iter().all(|b| *b >= 0), "{:?}", state_free);
        }
    }

    /// The running balance in the ledger's order (effective time, contributions first, id).
    fn ledger_balances(pool: &Pool, funds: &Funds) -> Vec<i128> {
        let mut balance = 0;
        ledger_order(pool, funds)
            .into_iter()
            .map(|(_, e)| {
                match e.kind {
                    EntryKind::Contribution => balance += i128::from(e.amount.hundredths()),
                    EntryKind::Request if funds.is_funded(&e.id) => {
                        balance -= i128::from(e.amount.hundredths())
                    }
                    _ => {}
                }
                balance
            })
            .collect()
    }
}
