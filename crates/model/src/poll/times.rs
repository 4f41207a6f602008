//! `time`: each proposed time answered yes, if needed or no. The times that suit the most
//! come first: by the weight answering yes, then if needed; equal times by the order they
//! were proposed in. Each time names the members it leaves out (those answering no).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Ballot, Opt, Order, Weighted, order_by};
use crate::values::Answer;

/// How one proposed time suits the members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fit {
    /// The weight answering yes.
    pub yes: u128,
    /// The weight answering if needed.
    pub if_needed: u128,
    /// The weight answering no.
    pub no: u128,
    /// The members answering no, by id.
    pub left_out: BTreeSet<String>,
}

/// The result of a `time` poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    /// Each proposed time's fit, in the order proposed.
    pub times: Vec<Fit>,
    /// The times, best first; equal ones share a place.
    pub order: Order,
}

/// Counts a `time` poll of `options` times.
pub(crate) fn count(options: usize, ballots: &[&Weighted<'_>]) -> Times {
    let mut times: Vec<Fit> = (0..options)
        .map(|_| Fit {
            yes: 0,
            if_needed: 0,
            no: 0,
            left_out: BTreeSet::new(),
        })
        .collect();
    for b in ballots {
        let Ballot::Times(answers) = b.ballot else {
            continue;
        };
        let w = u128::from(b.weight);
        for (fit, answer) in times.iter_mut().zip(answers) {
            match answer {
                Answer::Yes => fit.yes += w,
                Answer::IfNeeded => fit.if_needed += w,
                Answer::No => {
                    fit.no += w;
                    fit.left_out.insert(b.by.to_owned());
                }
            }
        }
    }
    let order = order_by(options, |o: Opt| (times[o].yes, times[o].if_needed));
    Times { times, order }
}
