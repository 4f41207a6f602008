//! Proposal tallies: the positions that count, the tally at a moment, and when a proposal
//! was decided.

use std::collections::BTreeMap;

use autosurgeon::Hydrate;

use crate::ids::MemberId;
use crate::schema::{PositionRecord, Proposal};
use crate::tally::{Outcome, Rule, Tally, tally};
use crate::values::Timestamp;

/// The positions that count on a proposal: those of its electorate, taken before it closed.
pub fn counted_positions(p: &Proposal) -> impl Iterator<Item = (&MemberId, &PositionRecord)> {
    counted(&p.positions, &p.electorate, p.closes_at)
}

/// The positions of `positions` that count, with that electorate and closing time.
fn counted<'a>(
    positions: &'a BTreeMap<MemberId, PositionRecord>,
    electorate: &'a [MemberId],
    closes_at: Option<Timestamp>,
) -> impl Iterator<Item = (&'a MemberId, &'a PositionRecord)> {
    positions
        .iter()
        .filter(move |(m, pos)| electorate.contains(m) && closes_at.is_none_or(|c| pos.at < c))
}

/// The tally of a proposal at `now` (closed once `now` reaches its closing time).
pub fn proposal_tally(p: &Proposal, now: Timestamp) -> Tally {
    tally_at(p.rule, &p.electorate, &p.positions, p.closes_at, now)
}

/// What a proposal's tally reads of it, and no more: the rules read this much of a proposal
/// at past heads to tell whether it was still open, not its text.
#[derive(Debug, Clone, Hydrate)]
pub(crate) struct Vote {
    pub(crate) rule: Rule,
    pub(crate) electorate: Vec<MemberId>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub(crate) positions: BTreeMap<MemberId, PositionRecord>,
    #[autosurgeon(missing = "Default::default")]
    pub(crate) closes_at: Option<Timestamp>,
}

/// [`proposal_tally`] of what it reads.
pub(crate) fn vote_tally(v: &Vote, now: Timestamp) -> Tally {
    tally_at(v.rule, &v.electorate, &v.positions, v.closes_at, now)
}

fn tally_at(
    rule: Rule,
    electorate: &[MemberId],
    positions: &BTreeMap<MemberId, PositionRecord>,
    closes_at: Option<Timestamp>,
    now: Timestamp,
) -> Tally {
    let closed = closes_at.is_some_and(|c| now >= c);
    let counted = counted(positions, electorate, closes_at)
        .map(|(m, pos)| (m.clone(), pos.stance))
        .collect();
    tally(rule, electorate, &counted, closed)
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
