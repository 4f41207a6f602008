//! How long a node takes to count the heaviest polls a coalition asks for (issue 19's goal:
//! under 10 ms each): an STV election of 10 seats among 40 candidates from 200 weighted
//! ballots, by Meek's method and by Scottish STV, and a Schulze count of 30 options from 200
//! weighted ballots. Ballots rank as members do: by how near each option stands to the
//! member's own views (one dimension, with some noise), most ranking a dozen or so and few
//! ranking all; weights from 1 to 40 (people represented).
//!
//! Reported with a baseline counted in the same run on the same ballots: `stv-rs`'s Meek
//! count (nine decimals, as ours) for STV, and the pairwise matrix alone for Schulze.
//!
//! Run: `cargo bench -p model --bench polls` (figures go in BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use model::poll::{self, Ballot, Poll, PollMethod, Weighted, stv};

const RUNS: usize = 31;

/// A small deterministic generator (the same ballots every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` ballots over `options` options, with weights.
fn ballots(options: usize, n: usize, seed: u64) -> Vec<(String, u64, Vec<usize>)> {
    let mut rng = Lcg(seed);
    let stands: Vec<i64> = (0..options).map(|_| rng.below(1000) as i64).collect();
    (0..n)
        .map(|i| {
            let me = rng.below(1000) as i64;
            let mut ranked: Vec<(i64, usize)> = stands
                .iter()
                .enumerate()
                .map(|(o, s)| ((s - me).abs() + rng.below(300) as i64, o))
                .collect();
            ranked.sort_unstable();
            let length = if rng.below(10) == 0 {
                options
            } else {
                3 + rng.below(15) as usize
            };
            let ranking = ranked.into_iter().take(length).map(|(_, o)| o).collect();
            (format!("m{i}"), 1 + rng.below(40), ranking)
        })
        .collect()
}

/// The ballots `cast` (of `raw`'s rankings), each with its member and weight.
fn with_weights<'a>(raw: &'a [(String, u64, Vec<usize>)], cast: &'a [Ballot]) -> Vec<Weighted<'a>> {
    raw.iter()
        .zip(cast)
        .map(|((by, w, _), ballot)| Weighted {
            by,
            weight: *w,
            ballot,
        })
        .collect()
}

/// The median time of `f` over [`RUNS`] runs.
fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // STV: 10 seats, 40 candidates, 200 weighted ballots.
    let raw = ballots(40, 200, 19);
    let cast: Vec<Ballot> = raw
        .iter()
        .map(|(_, _, r)| Ballot::Rank(r.clone()))
        .collect();
    let weighted = with_weights(&raw, &cast);
    let mut elected = Vec::new();
    let meek = median(|| {
        let poll = Poll::new(
            PollMethod::Stv {
                seats: 10,
                variant: stv::Variant::Meek,
            },
            40,
        );
        if let poll::PollResult::Stv(s) = poll::count(&poll, &weighted) {
            elected = s.elected;
        }
    });
    let scottish = median(|| {
        let poll = Poll::new(
            PollMethod::Stv {
                seats: 10,
                variant: stv::Variant::Scottish,
            },
            40,
        );
        std::hint::black_box(poll::count(&poll, &weighted));
    });
    let election = {
        use stv_rs::types::{Ballot as StvBallot, Candidate, Election};
        Election::builder()
            .title("bench")
            .num_seats(10)
            .candidates(
                (0..40)
                    .map(|o| Candidate::new(format!("c{o}"), false))
                    .collect::<Vec<_>>(),
            )
            .ballots(
                raw.iter()
                    .map(|(_, w, r)| StvBallot::new(*w as usize, r.iter().map(|o| vec![*o])))
                    .collect::<Vec<_>>(),
            )
            .build()
    };
    let mut theirs = Vec::new();
    let baseline = median(|| {
        use stv_rs::arithmetic::{FixedDecimal9, Integer64};
        let result = stv_rs::meek::stv_droop::<Integer64, FixedDecimal9>(
            &mut std::io::sink(),
            &election,
            "bench",
            6,
            stv_rs::cli::Parallel::No,
            None,
            false,
            true,
            false,
        )
        .unwrap();
        theirs = result.elected;
    });
    let (mut ours, mut other) = (elected.clone(), theirs.clone());
    ours.sort_unstable();
    other.sort_unstable();
    println!(
        "stv:10 of 40 candidates, 200 weighted ballots: Meek {:.2} ms, Scottish {:.2} ms; \
         stv-rs Meek {:.2} ms (ours / stv-rs: {:.2}); same seats as stv-rs: {}",
        ms(meek),
        ms(scottish),
        ms(baseline),
        meek.as_secs_f64() / baseline.as_secs_f64(),
        ours == other
    );

    // Schulze: 30 options, 200 weighted ballots.
    let raw = ballots(30, 200, 23);
    let cast: Vec<Ballot> = raw
        .iter()
        .map(|(_, _, r)| Ballot::Rank(r.clone()))
        .collect();
    let weighted = with_weights(&raw, &cast);
    let schulze = median(|| {
        std::hint::black_box(poll::count(
            &Poll::new(PollMethod::Condorcet, 30),
            &weighted,
        ));
    });
    let pairwise = median(|| {
        let refs: Vec<&Weighted<'_>> = weighted.iter().collect();
        std::hint::black_box(poll::ranked::pairwise(30, &refs));
    });
    println!(
        "condorcet of 30 options, 200 weighted ballots: Schulze {:.3} ms; the pairwise matrix \
         alone {:.3} ms (ratio {:.2})",
        ms(schulze),
        ms(pairwise),
        schulze.as_secs_f64() / pairwise.as_secs_f64()
    );
}
