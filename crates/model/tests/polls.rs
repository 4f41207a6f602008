//! The poll counts against independent implementations, on thousands of random elections:
//! instant runoff against `ranked_voting`, Meek's STV against `stv-rs` (counting as the Droop
//! program does, to nine decimal places), and `stv:1` against instant runoff. Elections whose
//! count meets a tie are left out of the comparisons with other programs (each breaks ties
//! its own way: `ranked_voting` and `stv-rs` by candidate order, without looking back).

#![allow(clippy::unwrap_used)]

use model::poll::ranked::{Irv, irv};
use model::poll::stv::{self, Variant};
use model::poll::{Ballot, Weighted};
use proptest::prelude::*;

/// Random strict rankings (at least one option each) over `options` options, each with a
/// weight of 1 to 4 (as that many members casting it).
fn elections(
    options: std::ops::Range<usize>,
    ballots: std::ops::Range<usize>,
) -> impl Strategy<Value = (usize, Vec<(u64, Vec<usize>)>)> {
    options.prop_flat_map(move |n| {
        let ballot = (
            1u64..5,
            Just((0..n).collect::<Vec<_>>())
                .prop_shuffle()
                .prop_flat_map(move |all| (1..=all.len()).prop_map(move |k| all[..k].to_vec())),
        );
        (Just(n), proptest::collection::vec(ballot, ballots.clone()))
    })
}

/// The ballots, each a member's of its own.
fn ballots(raw: &[(u64, Vec<usize>)]) -> (Vec<String>, Vec<Ballot>) {
    (
        (0..raw.len()).map(|i| format!("m{i}")).collect(),
        raw.iter().map(|(_, r)| Ballot::Rank(r.clone())).collect(),
    )
}

fn weighted<'a>(
    raw: &[(u64, Vec<usize>)],
    names: &'a [String],
    ballots: &'a [Ballot],
) -> Vec<Weighted<'a>> {
    raw.iter()
        .zip(names.iter().zip(ballots))
        .map(|((w, _), (by, ballot))| Weighted {
            by,
            weight: *w,
            ballot,
        })
        .collect()
}

fn name(o: usize) -> String {
    format!("c{o}")
}

/// The instant-runoff winner by `ranked_voting`, one ballot line per weight.
fn ranked_voting_winner(options: usize, raw: &[(u64, Vec<usize>)]) -> Option<usize> {
    let rules = ranked_voting::VoteRules {
        elimination_algorithm: ranked_voting::EliminationAlgorithm::Single,
        ..ranked_voting::VoteRules::default()
    };
    let names: Vec<String> = (0..options).map(name).collect();
    let mut builder = ranked_voting::Builder::new(&rules)
        .unwrap()
        .candidates(&names)
        .unwrap();
    for (w, ranking) in raw {
        let ranks: Vec<Vec<String>> = ranking.iter().map(|o| vec![name(*o)]).collect();
        builder.add_vote(&ranks, *w as u32).unwrap();
    }
    let result = ranked_voting::run_election(&builder).ok()?;
    let winners = result.winners?;
    let [winner] = winners.as_slice() else {
        return None;
    };
    names.iter().position(|n| n == winner)
}

/// The candidates Meek's method elects by `stv-rs` (nine decimals, omega 10⁻⁶, surpluses
/// counted positive), or none where it refuses the election.
fn stv_rs_elected(seats: usize, options: usize, raw: &[(u64, Vec<usize>)]) -> Option<Vec<usize>> {
    use stv_rs::arithmetic::{FixedDecimal9, Integer64};
    use stv_rs::types::{Ballot as StvBallot, Candidate, Election};
    let election = Election::builder()
        .title("random")
        .num_seats(seats)
        .candidates(
            (0..options)
                .map(|o| Candidate::new(name(o), false))
                .collect::<Vec<_>>(),
        )
        .ballots(
            raw.iter()
                .map(|(w, r)| StvBallot::new(*w as usize, r.iter().map(|o| vec![*o])))
                .collect::<Vec<_>>(),
        )
        .build();
    let result = std::panic::catch_unwind(|| {
        stv_rs::meek::stv_droop::<Integer64, FixedDecimal9>(
            &mut std::io::sink(),
            &election,
            "coalesce",
            6,
            stv_rs::cli::Parallel::No,
            None,
            false,
            true,
            false,
        )
    })
    .ok()?
    .ok()?;
    let mut elected = result.elected;
    elected.sort_unstable();
    Some(elected)
}

fn untied_irv(r: &Irv) -> bool {
    r.rounds.iter().all(|round| round.tie.is_none())
}

fn untied_stv(s: &stv::Stv) -> bool {
    s.rounds.iter().all(|round| round.tie.is_none())
}

proptest! {
    // Ties are common in small random elections; those are drawn again.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        max_global_rejects: 200_000,
        ..ProptestConfig::default()
    })]

    /// Instant runoff elects whom `ranked_voting` elects.
    #[test]
    fn instant_runoff_agrees_with_ranked_voting((options, raw) in elections(2..8, 1..40)) {
        let (names, ballots) = ballots(&raw);
        let cast = weighted(&raw, &names, &ballots);
        let ours = irv(options, &cast.iter().collect::<Vec<_>>());
        prop_assume!(untied_irv(&ours));
        prop_assert_eq!(ours.winner, ranked_voting_winner(options, &raw));
    }

    /// Meek's method elects whom `stv-rs` elects.
    #[test]
    fn meek_agrees_with_stv_rs(
        ((options, raw), seats) in elections(3..10, 10..60)
            .prop_flat_map(|(n, raw)| (Just((n, raw)), 1..n.min(4))),
    ) {
        let (names, ballots) = ballots(&raw);
        let cast = weighted(&raw, &names, &ballots);
        let ours = stv::count(Variant::Meek, seats, options, &cast.iter().collect::<Vec<_>>());
        prop_assume!(untied_stv(&ours));
        let theirs = stv_rs_elected(seats, options, &raw);
        prop_assume!(theirs.is_some());
        let mut elected = ours.elected.clone();
        elected.sort_unstable();
        prop_assert_eq!(Some(elected), theirs);
    }

    /// One seat by STV is instant runoff: Meek's method always (its quota is a majority of
    /// the votes not exhausted), and Scottish STV where no ballot runs out (its quota counts
    /// every paper).
    #[test]
    fn one_seat_by_stv_is_instant_runoff((options, raw) in elections(2..8, 1..40)) {
        let (names, ballots) = ballots(&raw);
        let cast = weighted(&raw, &names, &ballots);
        let cast: Vec<&Weighted<'_>> = cast.iter().collect();
        let runoff = irv(options, &cast);
        prop_assume!(untied_irv(&runoff));
        let meek = stv::count(Variant::Meek, 1, options, &cast);
        prop_assert_eq!(meek.elected.first().copied(), runoff.winner);
        if raw.iter().all(|(_, r)| r.len() == options) {
            let scottish = stv::count(Variant::Scottish, 1, options, &cast);
            prop_assert_eq!(scottish.elected.first().copied(), runoff.winner);
        }
    }

    /// Every count fills its seats (or elects every candidate, if fewer), each once, and
    /// never from an excluded candidate; a weight counts as that many ballots.
    #[test]
    fn stv_fills_its_seats_once(
        (options, raw) in elections(1..9, 0..30),
        seats in 1usize..5,
        scottish in any::<bool>(),
    ) {
        let variant = if scottish { Variant::Scottish } else { Variant::Meek };
        let (names, ballots) = ballots(&raw);
        let cast = weighted(&raw, &names, &ballots);
        let count = stv::count(variant, seats, options, &cast.iter().collect::<Vec<_>>());
        let mut elected = count.elected.clone();
        elected.sort_unstable();
        elected.dedup();
        prop_assert_eq!(elected.len(), count.elected.len());
        prop_assert_eq!(elected.len(), seats.min(options));
        for round in &count.rounds {
            for o in &round.elected {
                prop_assert!(round.votes[*o].is_some());
            }
        }
        // As copies of weight one.
        let copies: Vec<(u64, Vec<usize>)> = raw
            .iter()
            .flat_map(|(w, r)| (0..*w).map(move |_| (1, r.clone())))
            .collect();
        let (names, ballots) = self::ballots(&copies);
        let cast = weighted(&copies, &names, &ballots);
        let again = stv::count(variant, seats, options, &cast.iter().collect::<Vec<_>>());
        prop_assert_eq!(again, count);
    }
}
