use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::values::Answer;

/// A ballot ranking `order` (options by letter: A is 0) of weight `n`: as `n` members would
/// cast it.
fn ranked(n: u64, order: &str) -> (u64, Ballot) {
    (
        n,
        Ballot::Rank(order.bytes().map(|c| usize::from(c - b'A')).collect()),
    )
}

/// Each ballot cast by a member of its own (named by its place).
fn weighted(ballots: &[(u64, Ballot)]) -> Vec<Weighted<'_>> {
    const NAMES: [&str; 64] = [
        "m00", "m01", "m02", "m03", "m04", "m05", "m06", "m07", "m08", "m09", "m10", "m11", "m12",
        "m13", "m14", "m15", "m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24", "m25",
        "m26", "m27", "m28", "m29", "m30", "m31", "m32", "m33", "m34", "m35", "m36", "m37", "m38",
        "m39", "m40", "m41", "m42", "m43", "m44", "m45", "m46", "m47", "m48", "m49", "m50", "m51",
        "m52", "m53", "m54", "m55", "m56", "m57", "m58", "m59", "m60", "m61", "m62", "m63",
    ];
    ballots
        .iter()
        .zip(NAMES)
        .map(|((weight, ballot), by)| Weighted {
            by,
            weight: *weight,
            ballot,
        })
        .collect()
}

fn poll(method: PollMethod, options: usize) -> Poll<'static> {
    Poll::new(method, options)
}

/// The Tennessee capital example, as published in Wikipedia's articles "Instant-runoff
/// voting" and "Condorcet method" (and many textbooks after them): Memphis (A) 42%, Nashville
/// (B) 26%, Chattanooga (C) 15%, Knoxville (D) 17%. Instant runoff excludes Chattanooga, then
/// Nashville, and elects Knoxville 58 to 42; Nashville is the Condorcet (so Schulze) and the
/// Borda winner.
fn tennessee() -> Vec<(u64, Ballot)> {
    vec![
        ranked(42, "ABCD"),
        ranked(26, "BCDA"),
        ranked(15, "CDBA"),
        ranked(17, "DCBA"),
    ]
}

#[test]
fn tennessee_by_instant_runoff_borda_and_schulze() {
    let ballots = tennessee();
    let PollResult::Ranked(r) = count(&poll(PollMethod::Ranked, 4), &weighted(&ballots)) else {
        panic!("a ranked result");
    };
    let rounds: Vec<_> = r
        .irv
        .rounds
        .iter()
        .map(|r| (r.votes.clone(), r.elected, r.excluded))
        .collect();
    assert_eq!(
        rounds,
        vec![
            (vec![Some(42), Some(26), Some(15), Some(17)], None, Some(2)),
            (vec![Some(42), Some(26), None, Some(32)], None, Some(1)),
            (vec![Some(42), None, None, Some(58)], Some(3), None),
        ]
    );
    assert_eq!(r.irv.winner, Some(3));
    // Borda (3, 2, 1, 0 points): Memphis 126, Nashville 194, Chattanooga 173, Knoxville 107.
    assert_eq!(r.borda, vec![126, 194, 173, 107]);
    assert_eq!(r.borda_order, vec![vec![1], vec![2], vec![0], vec![3]]);
    assert_eq!(r.pairwise[1][0], 58, "Nashville over Memphis");
    assert_eq!(r.pairwise[1][2], 68, "Nashville over Chattanooga");
    let PollResult::Condorcet(s) = count(&poll(PollMethod::Condorcet, 4), &weighted(&ballots))
    else {
        panic!("a condorcet result");
    };
    assert_eq!(s.winner(), Some(1));
    assert_eq!(s.order, vec![vec![1], vec![2], vec![3], vec![0]]);
}

/// The example of Wikipedia's article "Schulze method" (the first of Schulze's own, 2011,
/// §3.1): 45 voters, five candidates; the pairwise matrix and strongest paths as printed there,
/// and the order E > A > C > B > D.
#[test]
fn schulze_as_published() {
    let ballots = vec![
        ranked(5, "ACBED"),
        ranked(5, "ADECB"),
        ranked(8, "BEDAC"),
        ranked(3, "CABED"),
        ranked(7, "CAEBD"),
        ranked(2, "CBADE"),
        ranked(7, "DCEBA"),
        ranked(8, "EBADC"),
    ];
    let PollResult::Condorcet(s) = count(&poll(PollMethod::Condorcet, 5), &weighted(&ballots))
    else {
        panic!("a condorcet result");
    };
    assert_eq!(
        s.pairwise,
        vec![
            vec![0, 20, 26, 30, 22],
            vec![25, 0, 16, 33, 18],
            vec![19, 29, 0, 17, 24],
            vec![15, 12, 28, 0, 14],
            vec![23, 27, 21, 31, 0],
        ]
    );
    assert_eq!(
        s.strongest,
        vec![
            vec![0, 28, 28, 30, 24],
            vec![25, 0, 28, 33, 24],
            vec![25, 29, 0, 29, 24],
            vec![25, 28, 28, 0, 24],
            vec![25, 28, 28, 31, 0],
        ]
    );
    assert_eq!(s.order, vec![vec![4], vec![0], vec![2], vec![1], vec![3]]);
    assert_eq!(s.winner(), Some(4));
}

#[test]
fn counts_scores_and_dots() {
    let choose = [
        (1, Ballot::Choose(BTreeSet::from([0, 2]))),
        (3, Ballot::Choose(BTreeSet::from([2]))),
    ];
    let PollResult::Choose(t) = count(
        &poll(PollMethod::Choose { min: 1, max: 2 }, 3),
        &weighted(&choose),
    ) else {
        panic!("a choose result");
    };
    assert_eq!(t.totals, vec![1, 0, 4]);
    assert_eq!(t.ballots, 4);
    assert_eq!(t.order, vec![vec![2], vec![0], vec![1]]);

    let scores = [
        (1, Ballot::Score(BTreeMap::from([(0, 5), (1, 2)]))),
        (2, Ballot::Score(BTreeMap::from([(1, 4)]))),
    ];
    let PollResult::Score(s) = count(&poll(PollMethod::Score { max: 5 }, 3), &weighted(&scores))
    else {
        panic!("a score result");
    };
    assert_eq!(s.totals, vec![5, 10, 0]);
    assert_eq!(s.mean(0), Some((5, 3)));
    assert_eq!(s.mean(1), Some((10, 3)));
    assert_eq!(s.mean(2), Some((0, 1)));
    assert_eq!(s.order, vec![vec![1], vec![0], vec![2]]);

    let dots = [
        (1, Ballot::Dots(BTreeMap::from([(0, 5), (1, 3)]))),
        (1, Ballot::Dots(BTreeMap::from([(1, 5), (0, 3)]))),
    ];
    let PollResult::Dots(d) = count(&poll(PollMethod::Dots { dots: 8 }, 2), &weighted(&dots))
    else {
        panic!("a dots result");
    };
    assert_eq!(d.totals, vec![8, 8]);
    assert_eq!(d.order, vec![vec![0, 1]], "tied, the lowest listed first");
}

#[test]
fn ballots_that_do_not_fit_are_refused_with_what_is_wrong() {
    let choose = PollMethod::Choose { min: 1, max: 2 };
    let picked = |o: &[usize]| Ballot::Choose(o.iter().copied().collect());
    assert_eq!(check(choose, 3, 1, &picked(&[0, 1])), Ok(()));
    assert_eq!(
        check(choose, 3, 1, &picked(&[0, 1, 2])),
        Err(BallotError::Picked {
            min: 1,
            max: 2,
            picked: 3
        })
    );
    assert!(check(choose, 3, 1, &picked(&[])).is_err());
    assert_eq!(
        check(choose, 3, 1, &picked(&[7])),
        Err(BallotError::NoSuchOption(7))
    );
    assert_eq!(
        check(
            PollMethod::Score { max: 5 },
            2,
            1,
            &Ballot::Score(BTreeMap::from([(0, 6)]))
        ),
        Err(BallotError::Score { max: 5, given: 6 })
    );
    assert_eq!(
        check(
            PollMethod::Dots { dots: 8 },
            2,
            1,
            &Ballot::Dots(BTreeMap::from([(0, 5), (1, 4)]))
        ),
        Err(BallotError::Dots { dots: 8, spread: 9 })
    );
    assert_eq!(
        check(PollMethod::Ranked, 3, 1, &Ballot::Rank(vec![0, 1, 0])),
        Err(BallotError::RankedTwice(0))
    );
    assert_eq!(
        check(PollMethod::Ranked, 3, 1, &Ballot::Rank(vec![2])),
        Err(BallotError::TooShort {
            least: 2,
            ranked: 1
        })
    );
    let wrong = check(PollMethod::Ranked, 3, 1, &picked(&[0])).unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "this poll is counted by ranked: its ballots rank options"
    );
    // A ballot that does not fit is left out of the count.
    let ballots = [(1, picked(&[0, 1, 2])), (1, picked(&[1]))];
    let PollResult::Choose(t) = count(&poll(choose, 3), &weighted(&ballots)) else {
        panic!("a choose result");
    };
    assert_eq!((t.totals, t.ballots), (vec![0, 1, 0], 1));
}

#[test]
fn methods_read_and_print_as_written() {
    for (given, method) in [
        ("choose", PollMethod::Choose { min: 1, max: 1 }),
        ("choose:3", PollMethod::Choose { min: 1, max: 3 }),
        ("choose:0-3", PollMethod::Choose { min: 0, max: 3 }),
        ("score", PollMethod::Score { max: 5 }),
        ("score:10", PollMethod::Score { max: 10 }),
        ("dots", PollMethod::Dots { dots: 8 }),
        ("DOTS:12", PollMethod::Dots { dots: 12 }),
        ("ranked", PollMethod::Ranked),
        ("condorcet", PollMethod::Condorcet),
        ("time", PollMethod::Time),
        (
            "stv:2",
            PollMethod::Stv {
                seats: 2,
                variant: stv::Variant::Meek,
            },
        ),
        (
            "stv:3:Scottish",
            PollMethod::Stv {
                seats: 3,
                variant: stv::Variant::Scottish,
            },
        ),
        ("budget:2500", PollMethod::Budget { share: 2500 }),
    ] {
        let read: PollMethod = given.parse().unwrap();
        assert_eq!(read, method, "{given}");
        assert_eq!(read.to_string().parse::<PollMethod>().unwrap(), method);
    }
    for bad in [
        "choose:3-1",
        "choose:0",
        "choose:101",
        "score:0",
        "score:101",
        "dots:0",
        "dots:x",
        "ranked:2",
        "plurality",
        "time:2",
        "stv",
        "stv:0",
        "stv:2:irish",
        "budget",
        "budget:0",
        "",
    ] {
        let e = bad.parse::<PollMethod>().unwrap_err();
        assert!(e.to_string().contains("is not a poll method"), "{bad}: {e}");
    }
}

#[test]
fn instant_runoff_ties_go_by_earlier_rounds_then_the_lowest_option() {
    // Round 1: A 4, B 3, C 3, D 2 → D out (its ballots go to C). Round 2: A 4, B 3, C 5:
    // no majority of 12; B out, no tie. Round 3: A 7, C 5 → A.
    let ballots = vec![
        ranked(4, "AB"),
        ranked(3, "BA"),
        ranked(3, "CA"),
        ranked(2, "DC"),
    ];
    let r = ranked::irv(4, &weighted(&ballots).iter().collect::<Vec<_>>());
    assert_eq!(r.winner, Some(0));
    assert_eq!(r.rounds[0].tie, None);
    // All equal from the first round: the one listed last goes.
    let ballots = vec![ranked(2, "AB"), ranked(2, "BA"), ranked(2, "CA")];
    let r = ranked::irv(3, &weighted(&ballots).iter().collect::<Vec<_>>());
    assert_eq!(r.rounds[0].excluded, Some(2));
    assert_eq!(r.rounds[0].tie, Some(ranked::TieBreak::ListedLast));
    // Equal now, different in an earlier round: the one with fewer then goes.
    let ballots = vec![
        ranked(5, "AB"),
        ranked(3, "BA"),
        ranked(2, "CB"),
        ranked(1, "DC"),
        ranked(4, "EC"),
    ];
    // Round 1: A5 B3 C2 D1 E4 → D out (to C). Round 2: A5 B3 C3 E4: B and C tie at 3; in round
    // 1 C had 2, B 3 → C out.
    let r = ranked::irv(5, &weighted(&ballots).iter().collect::<Vec<_>>());
    assert_eq!(r.rounds[1].excluded, Some(2));
    assert_eq!(
        r.rounds[1].tie,
        Some(ranked::TieBreak::EarlierRound { round: 1 })
    );
    // No ballots: no winner.
    let r = ranked::irv(3, &[]);
    assert_eq!(r.winner, None);
}

/// Random ranked ballots over `options` options, each with a weight.
fn elections(options: usize, ballots: usize) -> impl Strategy<Value = Vec<(u64, Ballot)>> {
    proptest::collection::vec(
        (
            1u64..5,
            Just((0..options).collect::<Vec<_>>())
                .prop_shuffle()
                .prop_flat_map(move |all| {
                    (2..=all.len()).prop_map(move |k| Ballot::Rank(all[..k].to_vec()))
                }),
        ),
        0..ballots,
    )
}

/// Any ballot at all, fitting or not.
fn any_ballot(options: usize) -> impl Strategy<Value = Ballot> {
    let o = 0..options + 2;
    prop_oneof![
        proptest::collection::btree_set(o.clone(), 0..6).prop_map(Ballot::Choose),
        proptest::collection::btree_map(o.clone(), 0u32..12, 0..6).prop_map(Ballot::Score),
        proptest::collection::btree_map(o.clone(), 0u32..12, 0..6).prop_map(Ballot::Dots),
        proptest::collection::vec(o.clone(), 0..8).prop_map(Ballot::Rank),
        proptest::collection::vec(
            prop_oneof![Just(Answer::Yes), Just(Answer::IfNeeded), Just(Answer::No)],
            0..options + 2
        )
        .prop_map(Ballot::Times),
        proptest::collection::btree_map(o, 0u64..40, 0..6).prop_map(Ballot::Budget),
    ]
}

/// Ballots each cast by a member of its own, named as given.
pub(super) fn cast(ballots: &[(String, u64, Ballot)]) -> Vec<Weighted<'_>> {
    ballots
        .iter()
        .map(|(by, weight, ballot)| Weighted {
            by,
            weight: *weight,
            ballot,
        })
        .collect()
}

/// `ballots`, each named by its place.
fn named(ballots: Vec<(u64, Ballot)>) -> Vec<(String, u64, Ballot)> {
    ballots
        .into_iter()
        .enumerate()
        .map(|(i, (w, b))| (format!("m{i}"), w, b))
        .collect()
}

fn methods() -> impl Strategy<Value = PollMethod> {
    prop_oneof![
        (0u32..3, 0u32..4).prop_map(|(min, more)| PollMethod::Choose {
            min,
            max: (min + more).max(1)
        }),
        (1u32..10).prop_map(|max| PollMethod::Score { max }),
        (1u32..20).prop_map(|dots| PollMethod::Dots { dots }),
        Just(PollMethod::Ranked),
        Just(PollMethod::Condorcet),
        Just(PollMethod::Time),
        (1u64..60).prop_map(|share| PollMethod::Budget { share }),
        (1u32..4, any::<bool>()).prop_map(|(seats, scottish)| PollMethod::Stv {
            seats,
            variant: if scottish {
                stv::Variant::Scottish
            } else {
                stv::Variant::Meek
            },
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the ballots, every method counts without failing, and the same ballots in
    /// any order give the same result.
    #[test]
    fn results_do_not_depend_on_ballot_order(
        method in methods(),
        options in 0usize..7,
        asks in proptest::collection::vec(0u64..100, 0..8),
        ballots in proptest::collection::vec((0u64..4, any_ballot(6)), 0..12)
            .prop_map(named)
            .prop_flat_map(|b| (Just(b.clone()), Just(b).prop_shuffle())),
        again in proptest::collection::vec((0u64..4, any_ballot(6)), 0..4),
    ) {
        let (ballots, mut shuffled) = ballots;
        let poll = Poll { method, options, asks: &asks };
        let counted = count(&poll, &cast(&ballots));
        prop_assert_eq!(&counted, &count(&poll, &cast(&shuffled)));
        // A member's second ballot (which the rules on receipt never keep) changes nothing
        // whichever comes first... when it is the one kept by content: the count is of one
        // ballot per member, chosen by content, not by arrival.
        for (i, (w, b)) in again.into_iter().enumerate() {
            shuffled.insert(0, (format!("m{i}"), w, b));
        }
        let doubled = count(&poll, &cast(&shuffled));
        shuffled.reverse();
        prop_assert_eq!(doubled, count(&poll, &cast(&shuffled)));
    }

    /// A ballot of weight k counts as k ballots of weight 1 (so weights of 1 give the
    /// unweighted result), by every method but `budget`, where a weight is a larger share to
    /// give (and `time` names the members each time leaves out, so copies are named apart).
    #[test]
    fn a_weight_counts_as_that_many_ballots(
        method in methods().prop_filter("budget weighs shares", |m| {
            !matches!(m, PollMethod::Budget { .. })
        }),
        options in 2usize..6,
        ballots in proptest::collection::vec((1u64..4, any_ballot(5)), 0..10),
    ) {
        let ballots = named(ballots);
        let copies: Vec<(String, u64, Ballot)> = ballots
            .iter()
            .flat_map(|(by, w, b)| (0..*w).map(move |k| (format!("{by}.{k}"), 1, b.clone())))
            .collect();
        let unnamed = |r: PollResult| match r {
            PollResult::Time(mut t) => {
                for fit in &mut t.times {
                    fit.left_out.clear();
                }
                PollResult::Time(t)
            }
            other => other,
        };
        prop_assert_eq!(
            unnamed(count(&poll(method, options), &cast(&ballots))),
            unnamed(count(&poll(method, options), &cast(&copies)))
        );
    }

    /// An option that beats every other head to head wins by Schulze, alone.
    #[test]
    fn a_condorcet_winner_wins_schulze(ballots in elections(5, 25)) {
        let PollResult::Condorcet(s) = count(&poll(PollMethod::Condorcet, 5), &weighted(&ballots)) else {
            panic!("a condorcet result");
        };
        let d = &s.pairwise;
        if let Some(c) = (0..5).find(|a| (0..5).all(|b| b == *a || d[*a][b] > d[b][*a])) {
            prop_assert_eq!(s.winner(), Some(c));
        }
    }

    /// Schulze's relation is transitive, and its order puts every option beaten by another
    /// in a later group than that option.
    #[test]
    fn the_schulze_order_is_transitive(ballots in elections(6, 30)) {
        let PollResult::Condorcet(s) = count(&poll(PollMethod::Condorcet, 6), &weighted(&ballots)) else {
            panic!("a condorcet result");
        };
        let p = &s.strongest;
        let beats = |a: usize, b: usize| p[a][b] > p[b][a];
        for a in 0..6 {
            for b in 0..6 {
                for c in 0..6 {
                    if beats(a, b) && beats(b, c) {
                        prop_assert!(beats(a, c));
                    }
                }
            }
        }
        let group = |o: usize| s.order.iter().position(|g| g.contains(&o));
        for a in 0..6 {
            for b in 0..6 {
                if beats(a, b) {
                    prop_assert!(group(a) < group(b));
                }
            }
        }
    }

    /// Instant runoff ends with a winner holding more than half of what its last round
    /// counted, or the last option left; each round excludes the fewest votes.
    #[test]
    fn instant_runoff_elects_a_majority_of_its_last_round(ballots in elections(5, 25)) {
        let r = ranked::irv(5, &weighted(&ballots).iter().collect::<Vec<_>>());
        if ballots.is_empty() {
            prop_assert_eq!(r.winner, None);
            return Ok(());
        }
        let last = r.rounds.last().unwrap();
        let winner = r.winner.unwrap();
        let counted: u128 = last.votes.iter().flatten().sum();
        let left = last.votes.iter().flatten().count();
        prop_assert!(last.votes[winner].unwrap() * 2 > counted || left == 1);
        for round in &r.rounds[..r.rounds.len() - 1] {
            let out = round.excluded.unwrap();
            let least = round.votes.iter().flatten().min().unwrap();
            prop_assert_eq!(round.votes[out], Some(*least));
        }
    }
}

#[test]
fn times_by_yes_then_if_needed_with_who_each_leaves_out() {
    use Answer::{IfNeeded, No, Yes};
    let ballots = [
        (1, Ballot::Times(vec![Yes, No, IfNeeded])),
        (2, Ballot::Times(vec![No, Yes, Yes])),
        (1, Ballot::Times(vec![Yes, IfNeeded, No])),
        (1, Ballot::Times(vec![Yes])),
    ];
    let PollResult::Time(t) = count(&poll(PollMethod::Time, 3), &weighted(&ballots)) else {
        panic!("a time result");
    };
    assert_eq!(
        t.times
            .iter()
            .map(|f| (f.yes, f.if_needed, f.no))
            .collect::<Vec<_>>(),
        vec![(2, 0, 2), (2, 1, 1), (2, 1, 1)],
        "the ballot answering one time of three is left out"
    );
    assert_eq!(t.order, vec![vec![1, 2], vec![0]]);
    assert_eq!(t.times[0].left_out.iter().collect::<Vec<_>>(), vec!["m01"]);
    assert_eq!(
        check(PollMethod::Time, 3, 1, &Ballot::Times(vec![Yes])),
        Err(BallotError::Answers {
            times: 3,
            answers: 1
        })
    );
}

/// Cobudget's rule: a request is funded when what it is given reaches its ask.
#[test]
fn a_budget_funds_the_requests_given_their_ask() {
    let spread = |pairs: &[(usize, u64)]| Ballot::Budget(pairs.iter().copied().collect());
    let ballots = [
        (1, spread(&[(0, 60), (1, 40)])),
        (2, spread(&[(0, 50), (2, 150)])),
        (1, spread(&[(1, 30), (2, 20)])),
    ];
    let asks = [100, 200, 150];
    let p = Poll {
        method: PollMethod::Budget { share: 100 },
        options: 3,
        asks: &asks,
    };
    let PollResult::Budget(b) = count(&p, &weighted(&ballots)) else {
        panic!("a budget result");
    };
    assert_eq!(
        b.requests
            .iter()
            .map(|r| (r.given, r.funded))
            .collect::<Vec<_>>(),
        vec![(110, true), (70, false), (170, true)]
    );
    assert_eq!(b.funded, vec![2, 0], "the most given first");
    assert_eq!((b.given, b.spent), (350, 250));
    assert_eq!(b.order, vec![vec![2], vec![0], vec![1]]);
    // A member of weight 2 gives up to twice the share; one of weight 1 may not.
    assert_eq!(
        check(p.method, 3, 1, &spread(&[(0, 50), (2, 150)])),
        Err(BallotError::Budget {
            share: 100,
            given: 200
        })
    );
    assert_eq!(check(p.method, 3, 2, &spread(&[(0, 50), (2, 150)])), Ok(()));
}

#[test]
fn ballots_are_stored_as_text_one_way() {
    use Answer::{IfNeeded, No, Yes};
    for (ballot, text) in [
        (Ballot::Choose(BTreeSet::from([0, 2])), "choose:0,2"),
        (Ballot::Choose(BTreeSet::new()), "choose:"),
        (
            Ballot::Score(BTreeMap::from([(0, 4), (2, 5)])),
            "score:0=4,2=5",
        ),
        (Ballot::Dots(BTreeMap::from([(1, 3)])), "dots:1=3"),
        (Ballot::Rank(vec![2, 0, 1]), "rank:2,0,1"),
        (
            Ballot::Times(vec![Yes, IfNeeded, No]),
            "times:yes,if-needed,no",
        ),
        (Ballot::Budget(BTreeMap::from([(0, 1500)])), "budget:0=1500"),
    ] {
        assert_eq!(ballot.to_string(), text);
        assert_eq!(text.parse::<Ballot>().unwrap(), ballot);
    }
    for bad in [
        "",
        "rank",
        "rank:01,2",
        "rank:1,,2",
        "choose:2,0",
        "score:0=4,0=5",
        "score:2=1,0=4",
        "score:0=99999999999",
        "dots:0",
        "times:maybe",
        "rank:100",
        "vote:1",
        " rank:1",
    ] {
        let e = bad.parse::<Ballot>().unwrap_err();
        assert!(e.to_string().contains("is not a ballot"), "{bad}: {e}");
    }
    let long = format!("rank:{}", vec!["1"; 3000].join(","));
    assert!(long.parse::<Ballot>().is_err());
}

proptest! {
    /// Any ballot reads back from its text as itself, and any text either reads as a ballot
    /// written exactly so or is refused (never a panic).
    #[test]
    fn ballot_text_reads_back(ballot in any_ballot(20), text in "\\PC{0,40}") {
        prop_assert_eq!(ballot.to_string().parse::<Ballot>().unwrap(), ballot);
        if let Ok(b) = text.parse::<Ballot>() {
            prop_assert_eq!(b.to_string(), text);
        }
    }
}

/// Every kind of ballot reads back from JSON, alone and inside a flattened record (as
/// `proposal show --json` carries a proposal's ballots, through the node's API): a figure
/// per option's keys are text there.
#[test]
fn ballots_read_back_from_json_inside_a_flattened_record() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Inner {
        ballot: Ballot,
    }
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Outer {
        #[serde(flatten)]
        inner: Inner,
        n: u32,
    }
    for ballot in [
        Ballot::Dots([(0, 4), (2, 2)].into()),
        Ballot::Score([(1, 5)].into()),
        Ballot::Budget([(0, 1_250)].into()),
        Ballot::Rank(vec![1, 0]),
        Ballot::Choose([1].into()),
        Ballot::Times(vec![Answer::Yes, Answer::No]),
    ] {
        let alone = serde_json::to_string(&ballot).unwrap();
        assert_eq!(serde_json::from_str::<Ballot>(&alone).unwrap(), ballot);
        let outer = Outer {
            inner: Inner {
                ballot: ballot.clone(),
            },
            n: 1,
        };
        let json = serde_json::to_string(&outer).unwrap();
        assert_eq!(
            serde_json::from_str::<Outer>(&json).unwrap(),
            outer,
            "{json}"
        );
    }
    for bad in ["x", "+1", "01", "100", "18446744073709551616"] {
        let json = format!(r#"{{"dots": {{"{bad}": 1}}}}"#);
        let e = serde_json::from_str::<Ballot>(&json).unwrap_err();
        assert!(
            e.to_string().contains("is not an option's number"),
            "{bad}: {e}"
        );
    }
}
