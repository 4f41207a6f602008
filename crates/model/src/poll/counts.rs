//! The counting methods: `choose` and `dots` (a total per option) and `score` (a total and a
//! mean per option). Ties: equal options share a place, the lowest listed first.

use serde::{Deserialize, Serialize};

use super::{Ballot, Opt, Order, Weighted, order_by};

/// A total per option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Each option's total: the weight of the ballots picking it (`choose`), or the dots put
    /// on it times each ballot's weight (`dots`).
    pub totals: Vec<u128>,
    /// The weight of the ballots counted.
    pub ballots: u128,
    /// The options by total, highest first, equal totals sharing a place.
    pub order: Order,
}

/// A total and a mean score per option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    /// Each option's total score (each ballot's score times its weight; an option a ballot
    /// leaves out scores 0 on it).
    pub totals: Vec<u128>,
    /// The weight of the ballots counted: each mean is its total over this (no mean without
    /// ballots).
    pub ballots: u128,
    /// The options by total (the same order as by mean), highest first.
    pub order: Order,
}

impl Scores {
    /// Option `o`'s mean score as an exact ratio (numerator, denominator), in lowest terms;
    /// none without ballots.
    pub fn mean(&self, o: Opt) -> Option<(u128, u128)> {
        let total = *self.totals.get(o)?;
        (self.ballots > 0).then(|| {
            let g = gcd(total, self.ballots);
            (total / g, self.ballots / g)
        })
    }
}

/// The greatest common divisor (of `0` and `b`: `b`).
pub(crate) fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// `choose` and `dots`: what each ballot gives each option, times its weight.
pub(crate) fn totals(options: usize, ballots: &[&Weighted<'_>]) -> Totals {
    let mut totals = vec![0u128; options];
    let mut weight = 0u128;
    for b in ballots {
        let w = u128::from(b.weight);
        weight += w;
        match b.ballot {
            Ballot::Choose(picked) => {
                for o in picked {
                    if let Some(t) = totals.get_mut(*o) {
                        *t += w;
                    }
                }
            }
            Ballot::Dots(spread) => {
                for (o, d) in spread {
                    if let Some(t) = totals.get_mut(*o) {
                        *t += w * u128::from(*d);
                    }
                }
            }
            Ballot::Score(_) | Ballot::Rank(_) | Ballot::Times(_) | Ballot::Budget(_) => {}
        }
    }
    let order = order_by(options, |o| totals[o]);
    Totals {
        totals,
        ballots: weight,
        order,
    }
}

/// `score`: each option's total and the weight counted.
pub(crate) fn scores(options: usize, ballots: &[&Weighted<'_>]) -> Scores {
    let mut totals = vec![0u128; options];
    let mut weight = 0u128;
    for b in ballots {
        let Ballot::Score(scores) = b.ballot else {
            continue;
        };
        let w = u128::from(b.weight);
        weight += w;
        for (o, s) in scores {
            if let Some(t) = totals.get_mut(*o) {
                *t += w * u128::from(*s);
            }
        }
    }
    let order = order_by(options, |o| totals[o]);
    Scores {
        totals,
        ballots: weight,
        order,
    }
}
