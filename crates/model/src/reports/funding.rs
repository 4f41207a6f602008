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
