//! Pool funding: which passed allocation requests a pool funds, in the same order on every
//! node, and its balance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tallies::{decided_at, proposal_tally};
use crate::ids::{EntryId, ProposalId};
use crate::schema::{Coalition, Pool, Proposal};
use crate::tally::Outcome;
use crate::values::{Amount, EntryKind, Timestamp};

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
    /// The decided requests (funded or not), in the order funding took them: at one moment,
    /// a budget poll's in the order it funded them.
    pub decided: Vec<EntryId>,
}

impl Funds {
    /// Whether request `entry` was funded.
    pub fn is_funded(&self, entry: &EntryId) -> bool {
        matches!(self.requests.get(entry), Some(Funding::Funded { .. }))
    }
}

/// What a passed budget poll over a pool's requests funds (`allocation=budget`): the requests
/// its count funded, in the order it funded them, at the moment it was decided (its close).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetDecision {
    /// The poll.
    pub poll: ProposalId,
    /// When it was decided.
    pub at: Timestamp,
    /// The requests it funded, most given first (`poll::budget`).
    pub funded: Vec<EntryId>,
}

/// What the passed budget polls among `polls` over pool `pool` fund at `now`, earliest first
/// (then by poll id); polls over another pool, open, failed or of another kind give nothing.
pub fn budgets_over<P: std::borrow::Borrow<Proposal>>(
    pool: &crate::ids::PoolId,
    polls: impl IntoIterator<Item = P>,
    now: Timestamp,
) -> Vec<BudgetDecision> {
    let mut out: Vec<BudgetDecision> = polls
        .into_iter()
        .filter_map(|p| {
            let p = p.borrow();
            let spec = p.poll.as_ref()?;
            if p.kind != crate::values::DecisionKind::Allocation || spec.pool.as_ref() != Some(pool)
            {
                return None;
            }
            let Decided {
                outcome: Outcome::Passed,
                at: Some(at),
            } = decision(p, now)
            else {
                return None;
            };
            let Some(crate::poll::PollResult::Budget(b)) = super::tallies::poll_result(p) else {
                return None;
            };
            Some(BudgetDecision {
                poll: p.id.clone(),
                at,
                funded: b
                    .funded
                    .iter()
                    .filter_map(|o| spec.requests.get(*o).cloned())
                    .collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.poll.cmp(&b.poll)));
    out
}

/// Decides which passed requests a pool funds: contributions (at their time) and passed
/// requests (at their decision time: a request's own allocation proposal, or the budget polls
/// in `budgets` that funded it, in the order each funded them) in time order, contributions
/// first at equal times, then by entry id (a poll's, in its order); a request is funded if the
/// balance then covers it, and takes its amount; otherwise it is unfunded for good. A request
/// is decided once: the first poll that funds it decides it. A function of the pool and the
/// proposals alone, so every node funds the same requests, whichever order it learnt of them
/// in.
pub fn funds_of(
    pool: &Pool,
    decision: impl Fn(&ProposalId) -> Option<Decided>,
    budgets: &[BudgetDecision],
) -> Funds {
    let mut requests = BTreeMap::new();
    // (time, contributions first, (the deciding budget poll's place, the request's place in
    // it), entry id, amount)
    let mut events = Vec::new();
    for e in pool.ledger.values() {
        let amount = i128::from(e.amount.hundredths());
        match e.kind {
            EntryKind::Contribution => events.push((e.at, 0u8, (0, 0), &e.id, amount)),
            EntryKind::Pledge => {}
            EntryKind::Request => match e.proposal.as_ref().and_then(&decision) {
                Some(Decided {
                    outcome: Outcome::Passed,
                    at: Some(at),
                }) => events.push((at, 1u8, (0, 0), &e.id, amount)),
                _ => {
                    requests.insert(e.id.clone(), Funding::NotDecided);
                }
            },
        }
    }
    for (n, b) in budgets.iter().enumerate() {
        for (place, id) in b.funded.iter().enumerate() {
            // Only a request awaiting a budget poll (one with its own proposal is decided by
            // that proposal).
            if let Some(e) = pool
                .ledger
                .get(id)
                .filter(|e| e.kind == EntryKind::Request && e.proposal.is_none())
            {
                let amount = i128::from(e.amount.hundredths());
                events.push((b.at, 1u8, (n + 1, place), &e.id, amount));
            }
        }
    }
    events.sort();
    let mut balance = 0i128;
    let mut decided = Vec::new();
    for (at, kind, _, id, amount) in events {
        if kind == 0 {
            balance += amount;
        } else if matches!(
            requests.get(id),
            Some(Funding::Funded { .. } | Funding::Unfunded { .. })
        ) {
            // Decided already, by an earlier poll.
        } else if amount <= balance {
            balance -= amount;
            requests.insert(id.clone(), Funding::Funded { at });
            decided.push(id.clone());
        } else {
            requests.insert(
                id.clone(),
                Funding::Unfunded {
                    at,
                    available: Amount::format_total(balance),
                },
            );
            decided.push(id.clone());
        }
    }
    Funds {
        balance,
        requests,
        decided,
    }
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
    let budgets = budgets_over(&pool.id, state.proposals.values(), now);
    funds_of(
        pool,
        |id| state.proposals.get(id).map(|p| decision(p, now)),
        &budgets,
    )
}
