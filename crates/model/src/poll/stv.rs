//! `stv:N`: N seats by the single transferable vote, Droop quota, by one of two rule sets:
//!
//! - **Scottish STV**, as the Scottish Local Government Elections Order 2007 (SSI 2007/42,
//!   schedule 1, rules 45 to 52) counts: a whole-number quota, `floor(papers / (seats + 1)) +
//!   1` (rule 46); elected at the quota (47); the largest surplus transferred first, every paper
//!   of the elected candidate at `surplus × its value ÷ the candidate's votes`, to five decimal
//!   places, any remainder ignored (48, 49); otherwise the candidate with fewest votes
//!   excluded, its papers passed on at their values (50); when as many candidates are left as
//!   seats, they are elected and nothing more is transferred (52). Ties (rules 49(2), 51(2)):
//!   the votes at the end of the most recent earlier stage where the tied candidates differed.
//! - **Meek's method** (Hill, Wichmann and Woodall, "Algorithm 123: Single transferable vote by
//!   Meek's method", The Computer Journal 30(3), 1987), in the fixed-point form Droop counts it
//!   ("Meek Parametric"): nine decimal places, each ballot passing on what each candidate's
//!   keep factor leaves (products truncated), a quota of the votes not exhausted over seats
//!   plus one, plus one unit, keep factors adjusted (rounded up) until the surplus is at most
//!   10⁻⁶ or stops falling; then the candidate with fewest votes is excluded, candidates within
//!   the surplus of the fewest counting as tied with it.
//!
//! Where the Order says "by lot", and where Meek's rules leave a tie to chance, the poll's
//! written rule decides instead, so every node counts the same: between candidates equal at
//! every stage, the one listed first keeps its place (its surplus goes first; the one listed
//! last is excluded). A member's weight is that many papers.
//!
//! Values are fixed-point integers: units of 10⁻⁵ (Scottish) or 10⁻⁹ (Meek) of a vote, as
//! [`Stv::places`] says.

use serde::{Deserialize, Serialize};

use super::ranked::{TieBreak, break_tie, pick};
use super::{Opt, Weighted, ranking};

/// The most seats an `stv` poll may fill.
pub const MAX_SEATS: usize = 50;

/// Meek counts at most this many adjustments of the keep factors before excluding a candidate
/// (as if the surplus had stopped falling); convergence takes far fewer.
const MAX_ITERATIONS: usize = 10_000;

/// Which STV rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Meek's method.
    Meek,
    /// The Scottish Local Government Elections Order 2007.
    Scottish,
}

impl Variant {
    /// The decimal places of the arithmetic.
    pub fn places(self) -> u32 {
        match self {
            Variant::Meek => 9,
            Variant::Scottish => 5,
        }
    }
}

/// What a stage of the count did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// First preferences counted (Scottish stage 1).
    FirstPreferences,
    /// A surplus transferred (Scottish).
    Surplus {
        /// Whose.
        of: Opt,
    },
    /// The keep factors adjusted until the surplus settled (Meek), in this many iterations.
    Iterated {
        /// How many.
        iterations: usize,
    },
    /// A candidate excluded, its votes passed on.
    Exclude {
        /// Who.
        of: Opt,
    },
    /// As many candidates left as seats: all elected, nothing more transferred.
    LastVacancies,
}

/// One stage (Scottish) or round (Meek) of the count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// What it did.
    pub action: Action,
    /// The quota, in units.
    pub quota: u128,
    /// Each candidate's votes at its end, in units; none once excluded.
    pub votes: Vec<Option<u128>>,
    /// The votes no candidate holds, in units: non-transferable papers, and (Meek) what its
    /// rounding leaves. Scottish STV's truncated fractions of transfer values are in no
    /// candidate's count and not here either, as the Order counts them (rule 48(3)).
    pub exhausted: u128,
    /// The candidates it elected, in order.
    pub elected: Vec<Opt>,
    /// How a tie in it was broken, if there was one.
    pub tie: Option<TieBreak>,
    /// Meek: each candidate's keep factor at its end, in units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep: Option<Vec<u128>>,
}

/// An STV count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stv {
    /// The rules.
    pub variant: Variant,
    /// The seats.
    pub seats: usize,
    /// The decimal places of every value (a value of `v` units is `v / 10^places` votes).
    pub places: u32,
    /// The stages or rounds, in order.
    pub rounds: Vec<Round>,
    /// The candidates elected, in the order they were.
    pub elected: Vec<Opt>,
}

/// A value of `units` at `places` decimal places, written out (`1353.00000`).
pub fn decimal(units: u128, places: u32) -> String {
    let scale = 10u128.pow(places);
    format!(
        "{}.{:0width$}",
        units / scale,
        units % scale,
        width = places as usize
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Hopeful,
    Elected,
    Excluded,
}

/// Counts `seats` seats among `options` candidates by `variant`.
pub fn count(variant: Variant, seats: usize, options: usize, ballots: &[&Weighted<'_>]) -> Stv {
    let seats = seats.min(MAX_SEATS);
    let rounds_elected = match variant {
        Variant::Scottish => scottish(seats, options, ballots),
        Variant::Meek => meek(seats, options, ballots),
    };
    let (rounds, elected) = rounds_elected;
    Stv {
        variant,
        seats,
        places: variant.places(),
        rounds,
        elected,
    }
}

/// A paper of the Scottish count: the ballot, its weight (that many papers), its value and
/// who holds it.
struct Paper<'a> {
    ranking: &'a [Opt],
    weight: u128,
    value: u128,
    holder: Option<Opt>,
}

/// The first continuing candidate `ranking` prefers.
fn next_preference(ranking: &[Opt], status: &[Status]) -> Option<Opt> {
    ranking
        .iter()
        .copied()
        .find(|o| status.get(*o) == Some(&Status::Hopeful))
}

/// Passes every paper `from` holds to its next continuing preference at the value `value`
/// gives it, crediting `votes`; returns what no continuing candidate takes.
fn pass_on(
    papers: &mut [Paper<'_>],
    from: Opt,
    status: &[Status],
    votes: &mut [u128],
    value: impl Fn(u128) -> u128,
) -> u128 {
    let mut left = 0;
    for p in papers.iter_mut().filter(|p| p.holder == Some(from)) {
        p.value = value(p.value);
        p.holder = next_preference(p.ranking, status);
        match p.holder {
            Some(o) => votes[o] += p.weight * p.value,
            None => left += p.weight * p.value,
        }
    }
    left
}

/// Scottish STV: the stages and the candidates elected.
fn scottish(seats: usize, options: usize, ballots: &[&Weighted<'_>]) -> (Vec<Round>, Vec<Opt>) {
    const ONE: u128 = 100_000;
    let mut status = vec![Status::Hopeful; options];
    let mut papers: Vec<Paper<'_>> = ballots
        .iter()
        .filter_map(|b| {
            Some(Paper {
                ranking: ranking(b)?,
                weight: u128::from(b.weight),
                value: ONE,
                holder: None,
            })
        })
        .filter(|p| p.weight > 0)
        .collect();
    let total: u128 = papers.iter().map(|p| p.weight).sum();
    let quota = (total / (seats as u128 + 1) + 1) * ONE;
    let mut votes = vec![0u128; options];
    let mut exhausted = 0u128;
    for p in &mut papers {
        p.holder = next_preference(p.ranking, &status);
        match p.holder {
            Some(o) => votes[o] += p.weight * p.value,
            None => exhausted += p.weight * p.value,
        }
    }
    let mut elected: Vec<Opt> = Vec::new();
    // Elected candidates whose surplus is still to be transferred.
    let mut pending: Vec<Opt> = Vec::new();
    let mut history: Vec<Vec<u128>> = Vec::new();
    let mut rounds = Vec::new();
    let mut action = Action::FirstPreferences;
    let mut tie = None;
    // Each stage excludes a candidate or transfers a surplus: at most twice the options.
    for _ in 0..=2 * options + 1 {
        // Rule 47: elected at the quota, most votes first.
        let mut reached: Vec<Opt> = (0..options)
            .filter(|o| status[*o] == Status::Hopeful && votes[*o] >= quota)
            .collect();
        reached.sort_by(|a, b| votes[*b].cmp(&votes[*a]).then(a.cmp(b)));
        let mut now = Vec::new();
        for o in reached {
            if elected.len() < seats {
                status[o] = Status::Elected;
                elected.push(o);
                now.push(o);
                pending.push(o);
            }
        }
        // Rule 52: as many left as seats left.
        let hopeful: Vec<Opt> = (0..options)
            .filter(|o| status[*o] == Status::Hopeful)
            .collect();
        let last = elected.len() < seats && hopeful.len() <= seats - elected.len();
        let shown = |status: &[Status]| -> Vec<Option<u128>> {
            (0..options)
                .map(|o| (status[o] != Status::Excluded).then_some(votes[o]))
                .collect()
        };
        rounds.push(Round {
            action: action.clone(),
            quota,
            votes: shown(&status),
            exhausted,
            elected: now,
            tie: tie.take(),
            keep: None,
        });
        history.push(votes.clone());
        if last {
            let mut rest = hopeful;
            rest.sort_by(|a, b| votes[*b].cmp(&votes[*a]).then(a.cmp(b)));
            for o in &rest {
                status[*o] = Status::Elected;
            }
            elected.extend(rest.iter().copied());
            rounds.push(Round {
                action: Action::LastVacancies,
                quota,
                votes: shown(&status),
                exhausted,
                elected: rest,
                tie: None,
                keep: None,
            });
            break;
        }
        if elected.len() >= seats || hopeful.is_empty() {
            break;
        }
        pending.retain(|o| votes[*o] > quota);
        if !pending.is_empty() {
            // Rules 48, 49: the largest surplus first.
            let earlier = &history[..history.len() - 1];
            let (from, broken) = pick(&pending, &votes, earlier, true);
            tie = broken;
            pending.retain(|o| *o != from);
            let surplus = votes[from] - quota;
            let held = votes[from];
            // Rule 48(3): each paper at A ÷ B to five places, the remainder ignored.
            let pass = |value: u128| surplus * value / held;
            exhausted += pass_on(&mut papers, from, &status, &mut votes, pass);
            votes[from] = quota;
            action = Action::Surplus { of: from };
        } else {
            // Rules 50, 51: the fewest votes excluded.
            let earlier = &history[..history.len() - 1];
            let (out, broken) = pick(&hopeful, &votes, earlier, false);
            tie = broken;
            status[out] = Status::Excluded;
            // Rule 50(4): each paper at the value it had.
            exhausted += pass_on(&mut papers, out, &status, &mut votes, |value| value);
            votes[out] = 0;
            action = Action::Exclude { of: out };
        }
    }
    (rounds, elected)
}

/// Meek's method: the rounds and the candidates elected.
fn meek(seats: usize, options: usize, ballots: &[&Weighted<'_>]) -> (Vec<Round>, Vec<Opt>) {
    const ONE: u128 = 1_000_000_000;
    // The surplus at which the keep factors have settled: 10⁻⁶.
    const OMEGA: u128 = 1_000;
    let papers: Vec<(&[Opt], u128)> = ballots
        .iter()
        .filter_map(|b| Some((ranking(b)?, u128::from(b.weight))))
        .filter(|(_, w)| *w > 0)
        .collect();
    let total: u128 = papers.iter().map(|(_, w)| *w).sum::<u128>() * ONE;
    let mut status = vec![Status::Hopeful; options];
    let mut keep = vec![ONE; options];
    let mut elected: Vec<Opt> = Vec::new();
    let mut history: Vec<Vec<u128>> = Vec::new();
    let mut rounds = Vec::new();

    // Each ballot's power passes down its ranking, each candidate keeping its keep factor's
    // share of what reaches it (truncated, as is what it passes on).
    let tally = |keep: &[u128]| -> (Vec<u128>, u128) {
        let mut votes = vec![0u128; options];
        let mut used = 0u128;
        for (ranking, weight) in &papers {
            let mut power = ONE;
            for o in ranking.iter().copied().filter(|o| *o < options) {
                let k = keep[o];
                let kept = power * k / ONE;
                votes[o] += kept * weight;
                used += kept * weight;
                power = power * (ONE - k) / ONE;
                if power == 0 {
                    break;
                }
            }
        }
        (votes, total - used)
    };
    let quota_of = |exhausted: u128| (total - exhausted) / (seats as u128 + 1) + 1;
    let surplus_of = |votes: &[u128], quota: u128, status: &[Status]| -> u128 {
        (0..options)
            .filter(|o| status[*o] == Status::Elected)
            .map(|o| votes[o].saturating_sub(quota))
            .sum()
    };

    for _ in 0..=options {
        let hopeful: Vec<Opt> = (0..options)
            .filter(|o| status[*o] == Status::Hopeful)
            .collect();
        if elected.len() >= seats || hopeful.is_empty() {
            break;
        }
        if hopeful.len() <= seats - elected.len() {
            let (votes, exhausted) = tally(&keep);
            let mut rest = hopeful;
            rest.sort_by(|a, b| votes[*b].cmp(&votes[*a]).then(a.cmp(b)));
            for o in &rest {
                status[*o] = Status::Elected;
            }
            elected.extend(rest.iter().copied());
            rounds.push(Round {
                action: Action::LastVacancies,
                quota: quota_of(exhausted),
                votes: shown(&votes, &status),
                exhausted,
                elected: rest,
                tie: None,
                keep: Some(keep.clone()),
            });
            break;
        }
        // Adjust the keep factors until someone reaches the quota or the surplus settles.
        let mut last_surplus = u128::MAX;
        let mut iterations = 0;
        let (votes, exhausted, quota, now, surplus) = loop {
            iterations += 1;
            let (votes, exhausted) = tally(&keep);
            let quota = quota_of(exhausted);
            let mut reached: Vec<Opt> = (0..options)
                .filter(|o| status[*o] == Status::Hopeful && votes[*o] >= quota)
                .collect();
            reached.sort_by(|a, b| votes[*b].cmp(&votes[*a]).then(a.cmp(b)));
            reached.truncate(seats - elected.len());
            for o in &reached {
                status[*o] = Status::Elected;
            }
            let surplus = surplus_of(&votes, quota, &status);
            if !reached.is_empty()
                || surplus <= OMEGA
                || surplus >= last_surplus
                || iterations >= MAX_ITERATIONS
            {
                break (votes, exhausted, quota, reached, surplus);
            }
            last_surplus = surplus;
            for o in (0..options).filter(|o| status[*o] == Status::Elected) {
                // k ← k × quota ÷ votes, each step rounded up, never above one.
                let scaled = (keep[o] * quota).div_ceil(ONE);
                keep[o] = (scaled * ONE).div_ceil(votes[o].max(1)).min(ONE);
            }
        };
        if !now.is_empty() {
            elected.extend(now.iter().copied());
            rounds.push(Round {
                action: Action::Iterated { iterations },
                quota,
                votes: shown(&votes, &status),
                exhausted,
                elected: now,
                tie: None,
                keep: Some(keep.clone()),
            });
            history.push(votes);
            continue;
        }
        // Exclude the fewest; those within the surplus of it are tied with it.
        let hopeful: Vec<Opt> = (0..options)
            .filter(|o| status[*o] == Status::Hopeful)
            .collect();
        let fewest = hopeful.iter().map(|o| votes[*o]).min().unwrap_or(0);
        let tied: Vec<Opt> = hopeful
            .iter()
            .copied()
            .filter(|o| votes[*o] <= fewest + surplus)
            .collect();
        let (out, tie) = break_tie(&tied, &history, false);
        status[out] = Status::Excluded;
        keep[out] = 0;
        let (after, exhausted_after) = tally(&keep);
        rounds.push(Round {
            action: Action::Exclude { of: out },
            quota,
            votes: shown(&after, &status),
            exhausted: exhausted_after,
            elected: Vec::new(),
            tie,
            keep: Some(keep.clone()),
        });
        history.push(votes);
    }
    (rounds, elected)
}

/// Votes as a round shows them: none for an excluded candidate.
fn shown(votes: &[u128], status: &[Status]) -> Vec<Option<u128>> {
    votes
        .iter()
        .zip(status)
        .map(|(v, s)| (*s != Status::Excluded).then_some(*v))
        .collect()
}

#[cfg(test)]
#[path = "stv_tests.rs"]
mod tests;
