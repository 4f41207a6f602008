//! Proposal tallies: the positions that count, the tally at a moment, and when a proposal
//! was decided.

use std::collections::BTreeMap;

use autosurgeon::Hydrate;

use crate::ids::MemberId;
use crate::schema::{BallotRecord, PositionRecord, Proposal};
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
///
/// A poll is decided by its ballots, not positions: it is open until it closes, then
/// `passed` (its result stands: see [`poll_result`]) where the ballots cast reach its quorum,
/// else `failed`; its tally counts the ballots cast as `agree`.
pub fn proposal_tally(p: &Proposal, now: Timestamp) -> Tally {
    match &p.poll {
        Some(_) => poll_tally(p.rule, &p.electorate, &p.ballots, p.closes_at, now),
        None => tally_at(p.rule, &p.electorate, &p.positions, p.closes_at, now),
    }
}

/// The ballots that count in a poll: those of its electorate, cast before it closed.
pub fn counted_ballots(p: &Proposal) -> impl Iterator<Item = (&MemberId, &BallotRecord)> {
    p.ballots
        .iter()
        .filter(move |(m, b)| p.electorate.contains(m) && p.closes_at.is_none_or(|c| b.at < c))
}

/// A poll's result from the ballots that count, each of its member's weight when the poll
/// opened (`Proposal::weights`; one unless the charter said otherwise); none for a proposal
/// that is no poll.
pub fn poll_result(p: &Proposal) -> Option<crate::poll::PollResult> {
    let poll = p.poll.as_ref()?;
    let asks = poll.asks_hundredths();
    let ballots: Vec<crate::poll::Weighted<'_>> = counted_ballots(p)
        .map(|(m, b)| crate::poll::Weighted {
            by: m.as_str(),
            weight: p.weight_of(m),
            ballot: &b.ballot,
        })
        .collect();
    Some(crate::poll::count(
        &crate::poll::Poll {
            method: poll.method,
            options: poll.options.len(),
            asks: &asks,
        },
        &ballots,
    ))
}

/// A poll's outcome at `now`, `cast` of its `n` deciders (each once) having cast a ballot
/// before it closed: open until it closes, then passed where they reach `quorum`.
pub(crate) fn poll_outcome(
    quorum: crate::Fraction,
    (cast, n): (u64, u64),
    closes_at: Option<Timestamp>,
    now: Timestamp,
) -> Outcome {
    if closes_at.is_none_or(|c| now < c) {
        Outcome::Open
    } else if quorum.reached_by(cast, n) {
        Outcome::Passed
    } else {
        Outcome::Failed
    }
}

/// A poll's tally: open until it closes, then passed where the ballots cast reach the quorum.
fn poll_tally(
    rule: Rule,
    electorate: &[MemberId],
    ballots: &BTreeMap<MemberId, BallotRecord>,
    closes_at: Option<Timestamp>,
    now: Timestamp,
) -> Tally {
    let mut deciding: Vec<&MemberId> = electorate.iter().collect();
    deciding.sort_unstable();
    deciding.dedup();
    let n = deciding.len() as u64;
    let cast = ballots
        .iter()
        .filter(|(m, b)| deciding.binary_search(m).is_ok() && closes_at.is_none_or(|c| b.at < c))
        .count() as u64;
    let outcome = poll_outcome(rule.quorum(), (cast, n), closes_at, now);
    Tally {
        electorate: n,
        agree: cast,
        abstain: 0,
        disagree: 0,
        block: 0,
        pending: n - cast,
        quorum_needed: (0..=n)
            .find(|k| rule.quorum().reached_by(*k, n))
            .unwrap_or(n),
        outcome,
    }
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
