//! `ranked`: one winner by instant runoff (IRV), with the Borda count and the pairwise matrix
//! for reading.
//!
//! Instant runoff, round by round: each ballot counts, with its weight, for its highest-ranked
//! option still in the count (a ballot with none left is exhausted); an option with more than
//! half of the votes counted for options still in the count is elected; otherwise the option
//! with the fewest votes is excluded and the next round counted. Ties for exclusion: the option
//! that had fewer votes in the latest earlier round where the tied options differed is
//! excluded; where they never differed, the one listed last (the lowest option stays).
//!
//! Borda: an option ranked first gets one point fewer than there are options, the next one
//! fewer, and so on; an option a ballot leaves out gets none from it; each ballot's points
//! count times its weight.

use serde::{Deserialize, Serialize};

use super::{Opt, Order, Weighted, order_by, ranking};

/// How a tie for exclusion was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum TieBreak {
    /// By the votes of an earlier round (counted from 1), the latest where they differed.
    EarlierRound {
        /// The round.
        round: usize,
    },
    /// Equal in every round so far: the option listed last is excluded.
    ListedLast,
}

/// One round of an instant-runoff count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// Each option's votes this round; none for an option no longer in the count.
    pub votes: Vec<Option<u128>>,
    /// The weight of the ballots with no option left in the count.
    pub exhausted: u128,
    /// The option elected this round, if one was.
    pub elected: Option<Opt>,
    /// The option excluded this round, if one was.
    pub excluded: Option<Opt>,
    /// How a tie for exclusion was broken, if there was one.
    pub tie: Option<TieBreak>,
}

/// An instant-runoff count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Irv {
    /// The rounds, in order.
    pub rounds: Vec<Round>,
    /// The winner; none without ballots or options.
    pub winner: Option<Opt>,
}

/// The result of a `ranked` poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// The instant-runoff count, which decides.
    pub irv: Irv,
    /// Each option's Borda points (for reading).
    pub borda: Vec<u128>,
    /// The options by Borda points, equal ones sharing a place.
    pub borda_order: Order,
    /// `pairwise[a][b]`: the weight of the ballots ranking `a` above `b` (an option left out
    /// ranks below every ranked one).
    pub pairwise: Vec<Vec<u128>>,
}

/// Counts a `ranked` poll.
pub(crate) fn count(options: usize, ballots: &[&Weighted<'_>]) -> Ranked {
    let irv = irv(options, ballots);
    let borda = borda(options, ballots);
    let borda_order = order_by(options, |o| borda[o]);
    Ranked {
        irv,
        borda,
        borda_order,
        pairwise: pairwise(options, ballots),
    }
}

/// The instant-runoff count of `ballots` over `options` options.
pub fn irv(options: usize, ballots: &[&Weighted<'_>]) -> Irv {
    let mut continuing = vec![true; options];
    let mut history: Vec<Vec<u128>> = Vec::new();
    let mut rounds = Vec::new();
    // Each round excludes one option or ends the count: at most `options` rounds.
    for _ in 0..options {
        let mut votes = vec![0u128; options];
        let mut exhausted = 0u128;
        for b in ballots {
            let w = u128::from(b.weight);
            match ranking(b)
                .unwrap_or_default()
                .iter()
                .find(|o| continuing.get(**o).copied().unwrap_or(false))
            {
                Some(o) => votes[*o] += w,
                None => exhausted += w,
            }
        }
        let still: Vec<Opt> = (0..options).filter(|o| continuing[*o]).collect();
        let counted: u128 = still.iter().map(|o| votes[*o]).sum();
        let shown: Vec<Option<u128>> = (0..options)
            .map(|o| continuing[o].then_some(votes[o]))
            .collect();
        let mut round = Round {
            votes: shown,
            exhausted,
            elected: None,
            excluded: None,
            tie: None,
        };
        if counted == 0 {
            rounds.push(round);
            return Irv {
                rounds,
                winner: None,
            };
        }
        // The most votes, the lowest option among equals (only one can pass half).
        let top = still
            .iter()
            .copied()
            .max_by(|a, b| votes[*a].cmp(&votes[*b]).then(b.cmp(a)));
        if let Some(top) = top.filter(|t| votes[*t] * 2 > counted || still.len() == 1) {
            round.elected = Some(top);
            rounds.push(round);
            return Irv {
                rounds,
                winner: Some(top),
            };
        }
        let (excluded, tie) = pick(&still, &votes, &history, false);
        round.excluded = Some(excluded);
        round.tie = tie;
        continuing[excluded] = false;
        rounds.push(round);
        history.push(votes);
    }
    Irv {
        rounds,
        winner: None,
    }
}

/// The option of `among` with the most (`highest`) or fewest `votes`, ties broken by
/// [`break_tie`].
pub(crate) fn pick(
    among: &[Opt],
    votes: &[u128],
    history: &[Vec<u128>],
    highest: bool,
) -> (Opt, Option<TieBreak>) {
    let count = |o: &Opt| votes.get(*o).copied().unwrap_or(0);
    let extreme = if highest {
        among.iter().map(count).max()
    } else {
        among.iter().map(count).min()
    }
    .unwrap_or(0);
    let tied: Vec<Opt> = among
        .iter()
        .copied()
        .filter(|o| count(o) == extreme)
        .collect();
    break_tie(&tied, history, highest)
}

/// The one of `tied` to pick (`highest`: the one with most votes, else fewest) by the votes
/// at the end of earlier rounds (`history`, latest last), the most recent where they differ,
/// narrowing as they do; then the poll's rule: the most goes to the one listed first, the
/// fewest to the one listed last.
pub(crate) fn break_tie(
    tied: &[Opt],
    history: &[Vec<u128>],
    highest: bool,
) -> (Opt, Option<TieBreak>) {
    let mut tied = tied.to_vec();
    tied.sort_unstable();
    if tied.len() <= 1 {
        return (tied.first().copied().unwrap_or(0), None);
    }
    for (i, earlier) in history.iter().enumerate().rev() {
        let then = |a: &Opt| earlier.get(*a).copied().unwrap_or(0);
        let target = if highest {
            tied.iter().map(then).max()
        } else {
            tied.iter().map(then).min()
        }
        .unwrap_or(0);
        let narrowed: Vec<Opt> = tied.iter().copied().filter(|o| then(o) == target).collect();
        if narrowed.len() < tied.len() {
            tied = narrowed;
            if let [only] = tied[..] {
                return (only, Some(TieBreak::EarlierRound { round: i + 1 }));
            }
        }
    }
    let by_rule = if highest { tied.first() } else { tied.last() };
    (by_rule.copied().unwrap_or(0), Some(TieBreak::ListedLast))
}

/// Each option's Borda points.
pub fn borda(options: usize, ballots: &[&Weighted<'_>]) -> Vec<u128> {
    let mut points = vec![0u128; options];
    for b in ballots {
        let w = u128::from(b.weight);
        for (place, o) in ranking(b).unwrap_or_default().iter().enumerate() {
            if let Some(p) = points.get_mut(*o) {
                *p += w * (options.saturating_sub(1 + place)) as u128;
            }
        }
    }
    points
}

/// `pairwise[a][b]`: the weight of the ballots ranking `a` above `b`.
pub fn pairwise(options: usize, ballots: &[&Weighted<'_>]) -> Vec<Vec<u128>> {
    let mut d = vec![vec![0u128; options]; options];
    let mut place: Vec<Option<usize>> = vec![None; options];
    for b in ballots {
        let w = u128::from(b.weight);
        let ranked = ranking(b).unwrap_or_default();
        for (p, o) in ranked.iter().enumerate() {
            if let Some(slot) = place.get_mut(*o) {
                *slot = Some(p);
            }
        }
        for a in ranked.iter().copied().filter(|a| *a < options) {
            let pa = place[a];
            for (other, pb) in place.iter().enumerate() {
                let above = match (pa, pb) {
                    (Some(pa), Some(pb)) => pa < *pb,
                    (Some(_), None) => true,
                    _ => false,
                };
                if other != a && above {
                    d[a][other] += w;
                }
            }
        }
        for o in ranked {
            if let Some(slot) = place.get_mut(*o) {
                *slot = None;
            }
        }
    }
    d
}
