//! The ledger report: a pool's entries in the order they took effect, with the running
//! balance and totals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::funding::{Funding, Funds, decision, funds_of};
use super::tallies::proposal_tally;
use crate::ids::{EntryId, MemberId, PoolId, ProposalId};
use crate::schema::{Coalition, Pool, Proposal};
use crate::tally::Outcome;
use crate::values::{Amount, EntryKind, Timestamp};

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
/// first, then decided requests in the order funding decided them (a budget poll's, most
/// given first), then by entry id.
pub(super) fn ledger_order<'a>(
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
    let place: BTreeMap<&EntryId, usize> = funds
        .decided
        .iter()
        .enumerate()
        .map(|(i, e)| (e, i))
        .collect();
    let key = |(at, e): &(Timestamp, &'a crate::schema::LedgerEntry)| {
        let decided = place.get(&e.id).copied().unwrap_or(usize::MAX);
        (*at, e.kind != EntryKind::Contribution, decided, &e.id)
    };
    entries.sort_by(|a, b| key(a).cmp(&key(b)));
    entries
}

/// The ledger of `pool` at `now`.
pub fn ledger(state: &Coalition, pool: &Pool, now: Timestamp) -> LedgerReport {
    let budgets = super::budgets_over(&pool.id, state.proposals.values(), now);
    ledger_of(
        pool,
        |id| state.proposals.get(id),
        &budgets,
        |m| state.members.get(m).map(|m| m.name.clone()),
        now,
    )
}

/// The ledger of `pool` at `now`, from its requests' proposals (`proposal`), what the budget
/// polls over its requests funded (`budgets`, [`super::budgets_over`]) and the names of the
/// members in force (`name`; others are shown by id): what [`ledger`] reads of the whole
/// coalition, for a caller that reads only those.
pub fn ledger_of<'p>(
    pool: &Pool,
    proposal: impl Fn(&ProposalId) -> Option<&'p Proposal>,
    budgets: &[super::BudgetDecision],
    name: impl Fn(&MemberId) -> Option<String>,
    now: Timestamp,
) -> LedgerReport {
    let funds = funds_of(pool, |id| proposal(id).map(|p| decision(p, now)), budgets);
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
                    let f = funds
                        .requests
                        .get(&e.id)
                        .cloned()
                        .unwrap_or(Funding::NotDecided);
                    // A request awaiting a budget poll is open until one funds it.
                    let outcome = match (&e.proposal, &f) {
                        (Some(p), _) => {
                            proposal(p).map_or(Outcome::Failed, |p| proposal_tally(p, now).outcome)
                        }
                        (None, Funding::NotDecided) => Outcome::Open,
                        (None, _) => Outcome::Passed,
                    };
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
