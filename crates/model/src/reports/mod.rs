//! Reports computed from a coalition's state: issue overlap, pool ledgers and balances,
//! resource equity, proposal tallies. Pure functions of the state (and the caller's clock
//! for closing dates), so every node computes the same report.
//!
//! One report per module: proposal tallies (`tallies`), pool funding (`funding`), issue
//! overlap (`overlap`), the inventory's priority a poll decided (`priority`), pool ledgers (`ledger`), resource equity (`equity`), the power audit
//! (`power`), the facilitation rotation (`rotation`), elected role holders (`roles`), the
//! links in force with other coalitions (`links`) and what affiliates published, rolled up
//! (`affiliates`).

mod access;
pub mod affiliates;
mod equity;
mod funding;
mod ledger;
mod links;
mod overlap;
mod power;
mod priority;
mod roles;
mod rotation;
mod tallies;

pub use access::{MOST_NEEDS, access_plan};
pub use equity::{EquityReport, EquityRow, PoolEquity, equity, equity_of};
pub use funding::{
    BudgetDecision, Decided, Funding, Funds, budgets_over, decision, funds, funds_of,
};
pub use ledger::{LedgerLine, LedgerReport, ledger, ledger_of};
pub use links::{LinkInForce, links, links_of};
pub use overlap::{IssueFacts, OverlapReport, OverlapRow, Sharer, overlap, overlap_of};
pub use power::{
    PowerReport, PowerRow, ProposalFacts, ballots_as_positions, check_in_turns, power, power_of,
};
pub use priority::{MAX_PRIORITY_READS, Placed, Priority, header_outcome, inventory_priority_of};
pub use roles::{Elected, MAX_ELECTION_READS, apply_elections, elections, elections_of};
pub use rotation::{next_facilitator, next_in_rotation};
pub(crate) use tallies::{Vote, vote_tally};
pub use tallies::{counted_ballots, counted_positions, decided_at, poll_result, proposal_tally};

fn percent(part: i128, whole: i128) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    // Rounded to one decimal in integer arithmetic so every node prints the same figure.
    let tenths = (part * 1000 + whole / 2) / whole;
    tenths as f64 / 10.0
}

#[cfg(test)]
mod tests;
