//! `budget`: participatory budgeting as Cobudget does it. Each member spreads its share of a
//! pool (the poll's share times the member's weight, `Proposal::weights`) over the
//! requests; a request is funded
//! when what it is given reaches its ask. What is given to a request left unfunded stays in
//! the pool, as does what a funded request is given beyond its ask.
//!
//! Funded requests come first, those given the most first; then the others, those nearest
//! their ask first; equal ones by the order they were listed in.

use serde::{Deserialize, Serialize};

use super::{Ballot, Opt, Order, Weighted, order_by};

/// What one request is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// What it asks, in hundredths (none where the poll gives no ask: never funded).
    pub ask: Option<u128>,
    /// What the members give it, in hundredths.
    pub given: u128,
    /// Whether what it is given reaches its ask.
    pub funded: bool,
}

/// The result of a `budget` poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Each request, in the order listed.
    pub requests: Vec<Request>,
    /// The funded requests, in order.
    pub funded: Vec<Opt>,
    /// The requests, funded ones first (see the module's order), equal ones sharing a place.
    pub order: Order,
    /// What the members gave in all, in hundredths.
    pub given: u128,
    /// What the funded requests take of it (their asks), in hundredths.
    pub spent: u128,
}

/// Counts a `budget` poll of `options` requests asking `asks`.
pub(crate) fn count(options: usize, asks: &[u64], ballots: &[&Weighted<'_>]) -> Budget {
    let mut given = vec![0u128; options];
    for b in ballots {
        let Ballot::Budget(spread) = b.ballot else {
            continue;
        };
        for (o, g) in spread {
            if let Some(t) = given.get_mut(*o) {
                *t += u128::from(*g);
            }
        }
    }
    let requests: Vec<Request> = (0..options)
        .map(|o| {
            let ask = asks.get(o).map(|a| u128::from(*a));
            Request {
                ask,
                given: given[o],
                funded: ask.is_some_and(|a| given[o] >= a),
            }
        })
        .collect();
    // Funded first, by what they are given; the others by how near their ask they came
    // (given over ask, compared exactly as given × other's ask), then by what they are given.
    let order = order_by(options, |o| {
        let r = &requests[o];
        (
            r.funded,
            r.funded.then_some(r.given),
            Nearness(r.given, r.ask),
            r.given,
        )
    });
    let funded: Vec<Opt> = order
        .iter()
        .flatten()
        .copied()
        .filter(|o| requests[*o].funded)
        .collect();
    let spent = funded.iter().filter_map(|o| requests[*o].ask).sum();
    Budget {
        given: given.iter().sum(),
        requests,
        funded,
        order,
        spent,
    }
}

/// How near a request came to its ask: given over ask, as an exact fraction (no ask: zero).
#[derive(Debug, Clone, Copy)]
struct Nearness(u128, Option<u128>);

impl Nearness {
    /// The fraction as numerator and denominator (a zero ask counts as reached: 1/1).
    fn fraction(self) -> (u128, u128) {
        match self.1 {
            None => (0, 1),
            Some(0) => (1, 1),
            Some(ask) => (self.0.min(ask), ask),
        }
    }
}

impl PartialEq for Nearness {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Nearness {}
impl PartialOrd for Nearness {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Nearness {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let ((a, b), (c, d)) = (self.fraction(), other.fraction());
        // a/b against c/d, exactly: a·d against c·b (each factor is at most an ask, below
        // 2^64, so no product reaches 2^128).
        (a.saturating_mul(d)).cmp(&c.saturating_mul(b))
    }
}
