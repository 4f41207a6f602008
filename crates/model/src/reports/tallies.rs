//! Proposal tallies: the positions that count, the tally at a moment, and when a proposal
//! was decided.

use crate::ids::MemberId;
use crate::schema::{PositionRecord, Proposal};
use crate::tally::{Outcome, Tally, tally};
use crate::values::Timestamp;

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
