//! `condorcet`: the Schulze method (Markus Schulze, "A new monotonic, clone-independent,
//! reversal symmetric, and Condorcet-consistent single-winner election method", Social Choice
//! and Welfare 36, 2011), with the strength of a link measured by winning votes.
//!
//! From the pairwise matrix `d` (the weight of the ballots ranking `a` above `b`), a link
//! `a → b` has strength `d[a][b]` where `d[a][b] > d[b][a]`, else none; the strength of a path
//! is that of its weakest link, and `p[a][b]` is the strength of the strongest path from `a` to
//! `b`. `a` beats `b` where `p[a][b] > p[b][a]`: a relation that is transitive (Schulze, 2011,
//! §4.1), so the options fall into an order of groups, each group the options no option left
//! beats. The winners are the first group; options in one group are tied, shown as tied, and
//! listed lowest first (the tie rule of every poll).

use serde::{Deserialize, Serialize};

use super::{Opt, Order, Weighted, ranked};

/// The result of a `condorcet` poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schulze {
    /// `pairwise[a][b]`: the weight of the ballots ranking `a` above `b`.
    pub pairwise: Vec<Vec<u128>>,
    /// `strongest[a][b]`: the strength of the strongest path from `a` to `b`.
    pub strongest: Vec<Vec<u128>>,
    /// The options in order, best first, tied ones in one group (the first group wins).
    pub order: Order,
}

impl Schulze {
    /// The winner: the only option of the first group; none where it holds more than one (a
    /// tie the poll shows) or none.
    pub fn winner(&self) -> Option<Opt> {
        match self.order.first().map(Vec::as_slice) {
            Some([only]) => Some(*only),
            _ => None,
        }
    }
}

/// Counts a `condorcet` poll.
pub(crate) fn count(options: usize, ballots: &[&Weighted<'_>]) -> Schulze {
    let pairwise = ranked::pairwise(options, ballots);
    let strongest = strongest_paths(&pairwise);
    let order = order(&strongest);
    Schulze {
        pairwise,
        strongest,
        order,
    }
}

/// The strongest paths' strengths from the pairwise matrix `d` (a widest-path
/// Floyd–Warshall: cubic in the options).
pub fn strongest_paths(d: &[Vec<u128>]) -> Vec<Vec<u128>> {
    let n = d.len();
    let mut p = vec![vec![0u128; n]; n];
    for a in 0..n {
        for b in 0..n {
            if a != b && d[a][b] > d[b][a] {
                p[a][b] = d[a][b];
            }
        }
    }
    for k in 0..n {
        // Row k does not change while paths through k are tried (a path from k through k
        // is no stronger), so a copy of it serves.
        let from_k = p[k].clone();
        for (a, row) in p.iter_mut().enumerate() {
            let through = row[k];
            if a == k || through == 0 {
                continue;
            }
            for (b, cell) in row.iter_mut().enumerate() {
                let via = through.min(from_k[b]);
                if b != a && b != k && via > *cell {
                    *cell = via;
                }
            }
        }
    }
    p
}

/// The options in groups, best first: each group the options beaten by none left.
fn order(p: &[Vec<u128>]) -> Order {
    let n = p.len();
    let mut left: Vec<Opt> = (0..n).collect();
    let mut groups = Vec::new();
    while !left.is_empty() {
        let unbeaten: Vec<Opt> = left
            .iter()
            .copied()
            .filter(|a| left.iter().all(|b| p[*b][*a] <= p[*a][*b]))
            .collect();
        // The relation is transitive, so some option is unbeaten; were it not (it is, by the
        // theorem, and property-tested), what is left would be one group rather than a loop.
        let group = if unbeaten.is_empty() {
            left.clone()
        } else {
            unbeaten
        };
        left.retain(|o| !group.contains(o));
        groups.push(group);
    }
    groups
}
