//! Polls: decisions among a proposal's options, counted from members' signed ballots by one of
//! several methods, the same on every node.
//!
//! Like [`crate::tally`], everything here is a pure function of the method, the options and
//! the ballots with their weights: no I/O, no clock, no randomness, and exact arithmetic only
//! (integers; a mean is a ratio of two). The order ballots arrive in never matters (each count
//! sums or takes its ballots as a set, checked by property tests). Every tie has a written rule,
//! given with the result: earlier rounds first where a method has rounds, then the lowest
//! option (the one listed first) goes first.
//!
//! Methods ([`PollMethod`]):
//! - `choose` (`choose:MIN-MAX`): pick between MIN and MAX options (more than one is approval
//!   voting); the count per option ([`counts`]).
//! - `score` (`score:S`): every option scored 0 to S (5 unless said); total and mean per option.
//! - `dots` (`dots:D`): spread at most D dots (8 unless said) over the options; the total per
//!   option.
//! - `ranked`: a ranking of at least two options; one winner by instant runoff, with the Borda
//!   count and the pairwise matrix for reading ([`ranked`]).
//! - `condorcet`: a ranking; the Schulze winner and full order, with the pairwise and
//!   strongest-path matrices ([`schulze`]).
//! - `stv:N` (`stv:N:meek`, `stv:N:scottish`): a ranking; N seats by the single transferable
//!   vote, Meek's method unless said, round by round ([`stv`]).
//! - `time`: each proposed time (an option) answered yes, if needed or no; the times by yes,
//!   then if needed, with the members each leaves out ([`times`]).
//! - `budget:SHARE`: each member spreads up to SHARE (in hundredths, times its weight) over
//!   requests, each with its ask; a request is funded when what it is given reaches its ask, as
//!   in Cobudget ([`budget`]).
//!
//! A ballot is checked against its poll ([`check`]) before it is stored or counted: the rules on
//! receipt refuse one that does not fit, so a count never meets a malformed ballot; the counts
//! still skip what does not fit rather than fail.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::values::Answer;

pub mod budget;
pub mod counts;
pub mod ranked;
pub mod rule;
pub mod schulze;
pub mod stv;
pub mod times;

pub use rule::PollRule;

/// The most options a poll may list.
pub const MAX_OPTIONS: usize = 100;
/// The highest score a `score` poll may allow.
pub const MAX_SCORE: u32 = 100;
/// The most dots a `dots` poll may give each member.
pub const MAX_DOTS: u32 = 1000;
/// The heaviest weight a ballot may carry in a count (the charter gives at most
/// `schema::MAX_WEIGHT`, see `schema::Weights`).
pub const MAX_WEIGHT: u64 = 10_000_000;
/// The score a `score` poll allows unless it says.
pub const DEFAULT_SCORE: u32 = 5;
/// The dots a `dots` poll gives unless it says.
pub const DEFAULT_DOTS: u32 = 8;
/// The largest share of a `budget` poll, in hundredths (what an amount may be).
pub const MAX_SHARE: u64 = 100_000_000_000_000;

/// An option, by its place in the poll's list of options (0 is the first listed).
pub type Opt = usize;

/// How a poll is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PollMethod {
    /// Pick between `min` and `max` options.
    Choose {
        /// The fewest options a ballot picks.
        min: u32,
        /// The most.
        max: u32,
    },
    /// Score every option from 0 to `max`.
    Score {
        /// The highest score.
        max: u32,
    },
    /// Spread at most `dots` dots over the options.
    Dots {
        /// The dots each member has.
        dots: u32,
    },
    /// Rank the options; one winner by instant runoff.
    Ranked,
    /// Rank the options; the Schulze winner and order.
    Condorcet,
    /// Rank the options; `seats` seats by STV.
    Stv {
        /// The seats.
        seats: u32,
        /// Which rules.
        variant: stv::Variant,
    },
    /// Answer each proposed time (option) yes, if needed or no.
    Time,
    /// Spread up to `share` over the requests (options).
    Budget {
        /// What each member spreads, in hundredths (times its weight).
        share: u64,
    },
}

/// A poll's method that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a poll method: say choose, choose:MIN-MAX, score, score:MAX, dots, dots:N, \
     ranked, condorcet, stv:SEATS[:meek|:scottish], time or budget:SHARE ({why})"
)]
pub struct MethodError {
    /// What was given.
    pub given: String,
    /// What was wrong with it.
    pub why: String,
}

impl fmt::Display for PollMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PollMethod::Choose { min, max } => write!(f, "choose:{min}-{max}"),
            PollMethod::Score { max } => write!(f, "score:{max}"),
            PollMethod::Dots { dots } => write!(f, "dots:{dots}"),
            PollMethod::Ranked => f.write_str("ranked"),
            PollMethod::Condorcet => f.write_str("condorcet"),
            PollMethod::Stv { seats, variant } => {
                let v = match variant {
                    stv::Variant::Meek => "meek",
                    stv::Variant::Scottish => "scottish",
                };
                write!(f, "stv:{seats}:{v}")
            }
            PollMethod::Time => f.write_str("time"),
            PollMethod::Budget { share } => write!(f, "budget:{share}"),
        }
    }
}

impl std::str::FromStr for PollMethod {
    type Err = MethodError;
    /// `choose` (one option), `choose:MAX` or `choose:MIN-MAX`, `score[:MAX]`, `dots[:N]`,
    /// `ranked`, `condorcet`, `time`, `budget:SHARE` (SHARE in hundredths).
    fn from_str(s: &str) -> Result<Self, MethodError> {
        let bad = |why: &str| MethodError {
            given: s.chars().take(40).collect(),
            why: why.to_owned(),
        };
        let number = |n: &str, what: &str| -> Result<u32, MethodError> {
            n.trim()
                .parse::<u32>()
                .map_err(|_| bad(&format!("{what} is not a whole number")))
        };
        let (name, arg) = match s.trim().split_once(':') {
            Some((n, a)) => (n.trim(), Some(a)),
            None => (s.trim(), None),
        };
        let method = match (name.to_ascii_lowercase().as_str(), arg) {
            ("choose", None) => PollMethod::Choose { min: 1, max: 1 },
            ("choose", Some(a)) => {
                let (min, max) = match a.split_once('-') {
                    Some((lo, hi)) => (number(lo, "MIN")?, number(hi, "MAX")?),
                    None => (1, number(a, "MAX")?),
                };
                if min > max || max == 0 || max as usize > MAX_OPTIONS {
                    return Err(bad(&format!(
                        "MIN at most MAX, MAX from 1 to {MAX_OPTIONS}"
                    )));
                }
                PollMethod::Choose { min, max }
            }
            ("score", a) => {
                let max = a.map_or(Ok(DEFAULT_SCORE), |a| number(a, "MAX"))?;
                if !(1..=MAX_SCORE).contains(&max) {
                    return Err(bad(&format!("the highest score is from 1 to {MAX_SCORE}")));
                }
                PollMethod::Score { max }
            }
            ("dots", a) => {
                let dots = a.map_or(Ok(DEFAULT_DOTS), |a| number(a, "N"))?;
                if !(1..=MAX_DOTS).contains(&dots) {
                    return Err(bad(&format!("the dots are from 1 to {MAX_DOTS}")));
                }
                PollMethod::Dots { dots }
            }
            ("ranked", None) => PollMethod::Ranked,
            ("condorcet", None) => PollMethod::Condorcet,
            ("time", None) => PollMethod::Time,
            ("ranked" | "condorcet" | "time", Some(_)) => return Err(bad("it takes no number")),
            ("budget", Some(a)) => {
                let share = a
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=MAX_SHARE).contains(s))
                    .ok_or_else(|| bad(&format!("SHARE is from 1 to {MAX_SHARE} hundredths")))?;
                PollMethod::Budget { share }
            }
            ("budget", None) => return Err(bad("say each member's SHARE")),
            ("stv", Some(a)) => {
                let (seats, variant) = match a.split_once(':') {
                    Some((n, v)) => (n, Some(v.trim().to_ascii_lowercase())),
                    None => (a, None),
                };
                let seats = number(seats, "SEATS")?;
                if !(1..=stv::MAX_SEATS as u32).contains(&seats) {
                    return Err(bad(&format!("SEATS is from 1 to {}", stv::MAX_SEATS)));
                }
                let variant = match variant.as_deref() {
                    None | Some("meek") => stv::Variant::Meek,
                    Some("scottish") => stv::Variant::Scottish,
                    Some(_) => return Err(bad("the rules are meek or scottish")),
                };
                PollMethod::Stv { seats, variant }
            }
            ("stv", None) => return Err(bad("say how many SEATS")),
            _ => return Err(bad("unknown method")),
        };
        Ok(method)
    }
}

/// A member's ballot in a poll.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ballot {
    /// The options picked (`choose`).
    Choose(BTreeSet<Opt>),
    /// A score per option; an option left out scores 0 (`score`).
    Score(#[serde(with = "by_option")] BTreeMap<Opt, u32>),
    /// Dots per option (`dots`).
    Dots(#[serde(with = "by_option")] BTreeMap<Opt, u32>),
    /// Options from most to least preferred; those left out rank below every ranked one,
    /// equal among themselves (`ranked`, `condorcet`).
    Rank(Vec<Opt>),
    /// An answer for each proposed time, in the poll's order (`time`).
    Times(Vec<Answer>),
    /// What the member gives each request, in hundredths (`budget`).
    Budget(#[serde(with = "by_option")] BTreeMap<Opt, u64>),
}

/// A figure per option as JSON writes it, `{"0": 4}`, read back wherever it is: JSON's keys
/// are text, and a value read through a buffer (a flattened record: a proposal in
/// `proposal show --json`) no longer turns a key's text into a number by itself.
mod by_option {
    use std::collections::BTreeMap;

    use serde::de::{self, Deserializer, Visitor};
    use serde::{Deserialize, Serialize, Serializer};

    use super::Opt;

    pub(super) fn serialize<S: Serializer, V: Serialize>(
        map: &BTreeMap<Opt, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        map.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
    ) -> Result<BTreeMap<Opt, V>, D::Error> {
        let keyed: BTreeMap<Key, V> = BTreeMap::deserialize(d)?;
        Ok(keyed.into_iter().map(|(k, v)| (k.0, v)).collect())
    }

    /// An option's number, as a number or as its text.
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    struct Key(Opt);

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Number;
            impl Visitor<'_> for Number {
                type Value = Key;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an option's number")
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                    Opt::try_from(v)
                        .ok()
                        .filter(|o| *o < super::MAX_OPTIONS)
                        .map(Key)
                        .ok_or_else(|| E::custom(format!("{v} is not an option's number")))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                    // Written as the number alone (no sign, no leading zero).
                    v.parse::<Opt>()
                        .ok()
                        .filter(|o| *o < super::MAX_OPTIONS && o.to_string() == v)
                        .map(Key)
                        .ok_or_else(|| E::custom(format!("`{v}` is not an option's number")))
                }
            }
            d.deserialize_any(Number)
        }
    }
}

/// What is wrong with a ballot for its poll.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    /// The ballot is of another kind than the poll's method takes.
    #[error("this poll is counted by {method}: its ballots {wants}")]
    WrongKind {
        /// The poll's method.
        method: PollMethod,
        /// What its ballots hold, in words.
        wants: &'static str,
    },
    /// An option the poll does not list.
    #[error("option {0} is not one of this poll's options")]
    NoSuchOption(usize),
    /// Too few or too many options picked.
    #[error("pick from {min} to {max} options (this ballot picks {picked})")]
    Picked {
        /// Fewest.
        min: u32,
        /// Most.
        max: u32,
        /// How many it picks.
        picked: usize,
    },
    /// A score above the poll's highest.
    #[error("a score is from 0 to {max} (this ballot gives {given})")]
    Score {
        /// The highest score.
        max: u32,
        /// What was given.
        given: u32,
    },
    /// More dots than a member has.
    #[error("each member spreads at most {dots} dots (this ballot spreads {spread})")]
    Dots {
        /// The dots each member has.
        dots: u32,
        /// How many it spreads.
        spread: u64,
    },
    /// An option ranked twice.
    #[error("option {0} is ranked twice")]
    RankedTwice(usize),
    /// A ranking too short.
    #[error("rank at least {least} option(s) (this ballot ranks {ranked})")]
    TooShort {
        /// How many at least.
        least: usize,
        /// How many it ranks.
        ranked: usize,
    },
    /// Not one answer per proposed time.
    #[error("answer each of the {times} times once (this ballot answers {answers})")]
    Answers {
        /// The times proposed.
        times: usize,
        /// The answers given.
        answers: usize,
    },
    /// More given than the member's share.
    #[error("each member gives at most its share, {share} hundredths (this ballot gives {given})")]
    Budget {
        /// The member's share (the poll's, times its weight).
        share: u128,
        /// What it gives.
        given: u128,
    },
}

/// What a method's ballots hold, in words.
fn wants(method: PollMethod) -> &'static str {
    match method {
        PollMethod::Choose { .. } => "pick options",
        PollMethod::Score { .. } => "score options",
        PollMethod::Dots { .. } => "spread dots over options",
        PollMethod::Ranked | PollMethod::Condorcet | PollMethod::Stv { .. } => "rank options",
        PollMethod::Time => "answer each proposed time",
        PollMethod::Budget { .. } => "give amounts to requests",
    }
}

/// Whether `ballot`, of a member of weight `weight`, fits a poll counted by `method` with
/// `options` options.
pub fn check(
    method: PollMethod,
    options: usize,
    weight: u64,
    ballot: &Ballot,
) -> Result<(), BallotError> {
    let listed = |o: &Opt| {
        if *o < options {
            Ok(())
        } else {
            Err(BallotError::NoSuchOption(*o))
        }
    };
    match (method, ballot) {
        (PollMethod::Choose { min, max }, Ballot::Choose(picked)) => {
            picked.iter().try_for_each(listed)?;
            let n = picked.len();
            if n < min as usize || n > max as usize {
                return Err(BallotError::Picked {
                    min,
                    max,
                    picked: n,
                });
            }
        }
        (PollMethod::Score { max }, Ballot::Score(scores)) => {
            scores.keys().try_for_each(listed)?;
            if let Some(&given) = scores.values().find(|s| **s > max) {
                return Err(BallotError::Score { max, given });
            }
        }
        (PollMethod::Dots { dots }, Ballot::Dots(spread)) => {
            spread.keys().try_for_each(listed)?;
            let total: u64 = spread.values().map(|d| u64::from(*d)).sum();
            if total > u64::from(dots) {
                return Err(BallotError::Dots {
                    dots,
                    spread: total,
                });
            }
        }
        (
            method @ (PollMethod::Ranked | PollMethod::Condorcet | PollMethod::Stv { .. }),
            Ballot::Rank(ranking),
        ) => {
            let mut seen = BTreeSet::new();
            for o in ranking {
                listed(o)?;
                if !seen.insert(*o) {
                    return Err(BallotError::RankedTwice(*o));
                }
            }
            // Instant runoff asks for a choice between two at least; the others count a
            // single preference too.
            let least = if method == PollMethod::Ranked { 2 } else { 1 };
            if ranking.len() < least {
                return Err(BallotError::TooShort {
                    least,
                    ranked: ranking.len(),
                });
            }
        }
        (PollMethod::Time, Ballot::Times(answers)) => {
            if answers.len() != options {
                return Err(BallotError::Answers {
                    times: options,
                    answers: answers.len(),
                });
            }
        }
        (PollMethod::Budget { share }, Ballot::Budget(given)) => {
            given.keys().try_for_each(listed)?;
            let total: u128 = given.values().map(|g| u128::from(*g)).sum();
            let share = u128::from(share) * u128::from(weight);
            if total > share {
                return Err(BallotError::Budget {
                    share,
                    given: total,
                });
            }
        }
        (method, _) => {
            return Err(BallotError::WrongKind {
                method,
                wants: wants(method),
            });
        }
    }
    Ok(())
}

/// A ballot with its member and the member's weight (1 unless the charter weighs members).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighted<'a> {
    /// The member that cast it (for the results that name members: who a time leaves out).
    pub by: &'a str,
    /// The weight.
    pub weight: u64,
    /// The ballot.
    pub ballot: &'a Ballot,
}

/// Options in groups of equals, best first; each group by option.
pub type Order = Vec<Vec<Opt>>;

/// `options` in groups of equal `key`, highest first (each group by option, lowest first).
pub(crate) fn order_by<K: Ord + Copy>(options: usize, key: impl Fn(Opt) -> K) -> Order {
    let mut sorted: Vec<Opt> = (0..options).collect();
    sorted.sort_by(|a, b| key(*b).cmp(&key(*a)).then(a.cmp(b)));
    let mut groups: Order = Vec::new();
    for o in sorted {
        match groups.last_mut() {
            Some(g) if g.first().is_some_and(|f| key(*f) == key(o)) => g.push(o),
            _ => groups.push(vec![o]),
        }
    }
    groups
}

/// The result of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// (Tagged outside, `{"stv": {...}}`: its counts are 128-bit, which serde reads back only
/// outside a buffered, internally tagged or flattened, value.)
#[serde(rename_all = "kebab-case")]
pub enum PollResult {
    /// `choose`: the weight of the ballots picking each option.
    Choose(counts::Totals),
    /// `score`: total and mean score per option.
    Score(counts::Scores),
    /// `dots`: the weighted dots per option.
    Dots(counts::Totals),
    /// `ranked`: instant runoff, Borda and the pairwise matrix.
    Ranked(ranked::Ranked),
    /// `condorcet`: Schulze.
    Condorcet(schulze::Schulze),
    /// `stv`: the count, round by round.
    Stv(stv::Stv),
    /// `time`: the times by how many they suit.
    Time(times::Times),
    /// `budget`: what each request is given, and which are funded.
    Budget(budget::Budget),
}

/// A poll as its count needs it: the method, how many options, and (for `budget`) each
/// request's ask in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll<'a> {
    /// The method.
    pub method: PollMethod,
    /// How many options (times, requests) it lists.
    pub options: usize,
    /// Each request's ask (`budget`), in the options' order.
    pub asks: &'a [u64],
}

impl Poll<'static> {
    /// A poll with no asks (every method but `budget`).
    pub fn new(method: PollMethod, options: usize) -> Self {
        Self {
            method,
            options,
            asks: &[],
        }
    }
}

/// Counts `ballots` of `poll`. Ballots that do not fit the poll ([`check`]) are left out, and
/// so is every ballot of a member after its first (a member casts one; the rules on receipt
/// keep one per member).
pub fn count(poll: &Poll<'_>, ballots: &[Weighted<'_>]) -> PollResult {
    let (method, options) = (poll.method, poll.options.min(MAX_OPTIONS));
    let mut seen = BTreeSet::new();
    let mut fit: Vec<&Weighted<'_>> = ballots
        .iter()
        .filter(|b| b.weight <= MAX_WEIGHT && check(method, options, b.weight, b.ballot).is_ok())
        .collect();
    // One ballot per member whatever the order given: the first of its ballots by content.
    fit.sort_by(|a, b| (a.by, a.weight, a.ballot).cmp(&(b.by, b.weight, b.ballot)));
    fit.retain(|b| seen.insert(b.by));
    match method {
        PollMethod::Choose { .. } => PollResult::Choose(counts::totals(options, &fit)),
        PollMethod::Dots { .. } => PollResult::Dots(counts::totals(options, &fit)),
        PollMethod::Score { .. } => PollResult::Score(counts::scores(options, &fit)),
        PollMethod::Ranked => PollResult::Ranked(ranked::count(options, &fit)),
        PollMethod::Condorcet => PollResult::Condorcet(schulze::count(options, &fit)),
        PollMethod::Stv { seats, variant } => {
            PollResult::Stv(stv::count(variant, seats as usize, options, &fit))
        }
        PollMethod::Time => PollResult::Time(times::count(options, &fit)),
        PollMethod::Budget { .. } => PollResult::Budget(budget::count(options, poll.asks, &fit)),
    }
}

/// The ranking a ballot gives, where it is one.
pub(crate) fn ranking<'a>(b: &'a Weighted<'_>) -> Option<&'a [Opt]> {
    match b.ballot {
        Ballot::Rank(r) => Some(r),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

/// The longest a ballot may be written, in characters.
pub const MAX_BALLOT_TEXT: usize = 4096;

/// A ballot written as text that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a ballot: say choose:1,3 or score:1=4,2=5 or dots:1=5 or rank:3,1,2 or \
     times:yes,if-needed,no or budget:1=1500 ({why})"
)]
pub struct BallotTextError {
    /// The start of what was given.
    pub given: String,
    /// What was wrong with it.
    pub why: String,
}

impl fmt::Display for Ballot {
    /// The stored form: `choose:0,2`, `score:0=4,2=5`, `dots:0=5`, `rank:2,0,1`,
    /// `times:yes,if-needed,no`, `budget:0=1500` (options counted from 0, in order).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T: fmt::Display>(
            f: &mut fmt::Formatter<'_>,
            items: impl Iterator<Item = T>,
        ) -> fmt::Result {
            for (i, item) in items.enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{item}")?;
            }
            Ok(())
        }
        match self {
            Ballot::Choose(picked) => {
                f.write_str("choose:")?;
                list(f, picked.iter())
            }
            Ballot::Score(m) => {
                f.write_str("score:")?;
                list(f, m.iter().map(|(o, s)| format!("{o}={s}")))
            }
            Ballot::Dots(m) => {
                f.write_str("dots:")?;
                list(f, m.iter().map(|(o, d)| format!("{o}={d}")))
            }
            Ballot::Rank(r) => {
                f.write_str("rank:")?;
                list(f, r.iter())
            }
            Ballot::Times(a) => {
                f.write_str("times:")?;
                list(f, a.iter().map(|a| a.as_str()))
            }
            Ballot::Budget(m) => {
                f.write_str("budget:")?;
                list(f, m.iter().map(|(o, g)| format!("{o}={g}")))
            }
        }
    }
}

impl std::str::FromStr for Ballot {
    type Err = BallotTextError;
    /// The stored form only ([`Ballot`]'s `Display`): one way to write each ballot, so a ballot
    /// read back is the one written.
    fn from_str(s: &str) -> Result<Self, BallotTextError> {
        let bad = |why: &str| BallotTextError {
            given: s.chars().take(40).collect(),
            why: why.to_owned(),
        };
        if s.len() > MAX_BALLOT_TEXT {
            return Err(bad(&format!("longer than {MAX_BALLOT_TEXT} characters")));
        }
        let (kind, rest) = s.split_once(':').ok_or_else(|| bad("no kind"))?;
        let items: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split(',').collect()
        };
        if items.len() > MAX_OPTIONS {
            return Err(bad(&format!("more than {MAX_OPTIONS} items")));
        }
        let option = |t: &str| -> Result<Opt, BallotTextError> {
            t.parse::<Opt>()
                .ok()
                .filter(|o| *o < MAX_OPTIONS)
                .ok_or_else(|| bad(&format!("`{t}` is not an option's number")))
        };
        let pairs = |items: &[&str]| -> Result<BTreeMap<Opt, u64>, BallotTextError> {
            let mut m = BTreeMap::new();
            for item in items {
                let (o, n) = item
                    .split_once('=')
                    .ok_or_else(|| bad(&format!("`{item}` is not OPTION=NUMBER")))?;
                let n = n
                    .parse::<u64>()
                    .map_err(|_| bad(&format!("`{n}` is not a whole number")))?;
                if m.insert(option(o)?, n).is_some() {
                    return Err(bad(&format!("option {o} given twice")));
                }
            }
            Ok(m)
        };
        let small = |m: BTreeMap<Opt, u64>| -> Result<BTreeMap<Opt, u32>, BallotTextError> {
            m.into_iter()
                .map(|(o, n)| {
                    u32::try_from(n)
                        .map(|n| (o, n))
                        .map_err(|_| bad("a number too large"))
                })
                .collect()
        };
        let ballot = match kind {
            "choose" => {
                let picked = items
                    .iter()
                    .map(|t| option(t))
                    .collect::<Result<BTreeSet<Opt>, _>>()?;
                Ballot::Choose(picked)
            }
            "score" => Ballot::Score(small(pairs(&items)?)?),
            "dots" => Ballot::Dots(small(pairs(&items)?)?),
            "rank" => Ballot::Rank(
                items
                    .iter()
                    .map(|t| option(t))
                    .collect::<Result<Vec<Opt>, _>>()?,
            ),
            "times" => Ballot::Times(
                items
                    .iter()
                    .map(|t| {
                        t.parse::<Answer>()
                            .map_err(|_| bad(&format!("`{t}` is not yes, if-needed or no")))
                    })
                    .collect::<Result<Vec<Answer>, _>>()?,
            ),
            "budget" => Ballot::Budget(pairs(&items)?),
            _ => return Err(bad("unknown kind")),
        };
        // One way to write each ballot: what reads must be written as it is stored.
        if ballot.to_string() != s {
            return Err(bad(
                "not written as stored (numbers without leading zeros, in order)",
            ));
        }
        Ok(ballot)
    }
}

impl Serialize for PollMethod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

crate::values::deserialize_from_str!(PollMethod);

/// What is wrong with a poll of `method` over `options` standing for `issues` (a poll over
/// the issue inventory, deciding its priority), if anything: only `dots` and `score` put the
/// inventory in an order (each option weighed on its own); one issue per option, none twice.
/// Whether the issues exist is the document's to say.
pub fn issues_problem(
    method: PollMethod,
    options: usize,
    issues: &[crate::ids::IssueId],
) -> Option<String> {
    if issues.is_empty() {
        return None;
    }
    if !matches!(method, PollMethod::Dots { .. } | PollMethod::Score { .. }) {
        return Some(format!(
            "a poll over issues decides their priority by dots or scores, not by {method}"
        ));
    }
    if issues.len() != options {
        return Some(format!(
            "a poll over issues has one option per issue: {options} options, {} issues",
            issues.len()
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = issues.iter().find(|i| !seen.insert(*i)) {
        return Some(format!("issue {twice} is listed twice"));
    }
    None
}

/// What is wrong with a poll of `method` over `options` (asking `asks`, a budget), if
/// anything: at least two options (one will do for times and requests), each written and none
/// twice, no more than [`MAX_OPTIONS`]; what the method picks among them fits them; a budget
/// gives each request its ask, and only a budget has asks.
pub fn spec_problem(method: PollMethod, options: &[String], asks: &[u64]) -> Option<String> {
    let least = match method {
        PollMethod::Time | PollMethod::Budget { .. } => 1,
        _ => 2,
    };
    if options.len() < least || options.len() > MAX_OPTIONS {
        return Some(format!(
            "a {method} poll lists from {least} to {MAX_OPTIONS} options (this one lists {})",
            options.len()
        ));
    }
    let mut seen = BTreeSet::new();
    for o in options {
        if crate::values::is_blank(o) {
            return Some("an option says nothing".to_owned());
        }
        if !seen.insert(o.trim().to_lowercase()) {
            return Some(format!("option `{}` is listed twice", o.trim()));
        }
    }
    match method {
        PollMethod::Choose { min, .. } if min as usize > options.len() => {
            return Some(format!(
                "it asks to pick at least {min} of {} options",
                options.len()
            ));
        }
        PollMethod::Stv { seats, .. } if seats as usize >= options.len() => {
            return Some(format!(
                "{seats} seats need more than {seats} candidates (this poll lists {})",
                options.len()
            ));
        }
        _ => {}
    }
    match (method, asks.len()) {
        (PollMethod::Budget { .. }, n) if n != options.len() => Some(format!(
            "a budget gives each request its ask: {} requests, {n} asks",
            options.len()
        )),
        (PollMethod::Budget { .. }, _) if asks.contains(&0) => Some(
            "every request asks for something (an ask of 0 would be funded by nothing)".to_owned(),
        ),
        (PollMethod::Budget { .. }, _) => None,
        (_, 0) => None,
        (_, _) => Some("only a budget has asks".to_owned()),
    }
}
