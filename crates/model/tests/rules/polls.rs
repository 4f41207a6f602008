//! Polls on receipt: a poll is sound when it opens (a general question, a closing time,
//! options its method fits), and a ballot is its member's own, fits the poll, is cast while
//! the poll is open by a member deciding it, and is changed but never removed; so a poll's
//! result, once it closes, no ballot can change.

use model::automerge::ObjType;
use model::automerge::transaction::{CommitOptions, Transactable};
use model::poll::{Ballot, PollResult};
use model::rules::Violation;
use model::schema::PollSpec;
use model::*;
use proptest::prelude::*;

use crate::common::*;
use crate::{Handmade, coalition, handmade_proposal, proposal, t};

const POLL: [u8; 16] = [0x55; 16];
/// When the poll closes.
const CLOSES: i64 = 100_000;

fn poll_id() -> ProposalId {
    ProposalId::from_bytes(POLL)
}

fn spec(method: &str, options: &[&str]) -> PollSpec {
    PollSpec {
        method: method.parse().unwrap(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        asks: Vec::new(),
        issues: Vec::new(),
        pool: None,
        requests: Vec::new(),
        role: None,
        candidates: Vec::new(),
    }
}

fn new(closes_at: Option<Timestamp>) -> NewProposal {
    NewProposal {
        id: poll_id(),
        kind: DecisionKind::General,
        title: "Which wording of the fares demand?".into(),
        text: String::new(),
        closes_at,
    }
}

/// The coalition with a ranked poll over three wordings opened by member 1, as each
/// member's copy.
fn with_poll() -> Vec<CoalitionDoc> {
    let mut docs = coalition();
    docs[0]
        .open_poll(
            &member(1),
            new(Some(t(CLOSES))),
            spec(
                "ranked",
                &["Fare-free buses", "Half fares", "Free transfers"],
            ),
            t(5),
        )
        .unwrap();
    spread(&mut docs);
    docs
}

/// What member 1's copy holds, merged into every other member's copy.
fn spread(docs: &mut [CoalitionDoc]) {
    let mut first = docs[0].fork_as(key(1));
    for (i, d) in docs.iter_mut().enumerate().skip(1) {
        let mut copy = first.fork_as(key(i as u8 + 1));
        d.merge(&mut copy).unwrap();
    }
}

/// Every member's copy merged into one, as member 1's node holds them all.
fn gathered(docs: &mut [CoalitionDoc]) -> CoalitionDoc {
    let mut all = docs[0].fork_as(key(1));
    for d in docs.iter_mut().skip(1) {
        let mut copy = d.fork_as(key(1));
        all.merge(&mut copy).unwrap();
    }
    all
}

/// Member `who`'s node writes ballot text `text` for member `of` by hand, stating time `at`.
fn raw_ballot(docs: &mut [CoalitionDoc], who: usize, of: u8, text: &str, at: i64) -> CoalitionDoc {
    let mut d = docs[who].fork_as(key(who as u8 + 1));
    let am = d.automerge_mut();
    let ballots = obj(am, &["proposals", poll_id().as_str(), "ballots"]);
    let b = am
        .put_object(&ballots, member(of).as_str(), ObjType::Map)
        .unwrap();
    am.put(&b, "ballot", text).unwrap();
    am.put(&b, "at", t(at).as_millis()).unwrap();
    am.commit_with(CommitOptions::default().with_time(t(at).as_secs()));
    d
}

fn bad_record(v: Result<(), Violation>, says: &str) {
    let err = v.unwrap_err();
    assert!(
        matches!(&err, Violation::BadRecord { .. }) && err.to_string().contains(says),
        "{err}"
    );
}

#[test]
fn an_honest_poll_and_its_ballots_pass_and_count() {
    let mut docs = with_poll();
    for (i, ranking) in [(0, vec![1, 0, 2]), (1, vec![1, 2]), (2, vec![0, 1])] {
        docs[i]
            .cast_ballot(
                &member(i as u8 + 1),
                &poll_id(),
                Ballot::Rank(ranking),
                t(10_000 + 1000 * i as i64),
            )
            .unwrap();
    }
    // Member 2 changes its mind: its ballot is changed, not added to.
    docs[1]
        .cast_ballot(&member(2), &poll_id(), Ballot::Rank(vec![0, 1]), t(20_000))
        .unwrap();
    let mut all = gathered(&mut docs);
    assert_eq!(verdict(&mut all), Ok(()));
    let state = all.read().unwrap();
    let p = &state.proposals[&poll_id()];
    assert_eq!(p.ballots.len(), 3);
    assert_eq!(
        reports::proposal_tally(p, t(50_000)).outcome,
        Outcome::Open,
        "open until it closes"
    );
    assert_eq!(
        reports::proposal_tally(p, t(CLOSES)).outcome,
        Outcome::Passed
    );
    let Some(PollResult::Ranked(r)) = reports::poll_result(p) else {
        panic!("a ranked result");
    };
    assert_eq!(
        r.irv.winner,
        Some(0),
        "two of three rank the first wording first"
    );
}

#[test]
fn a_member_may_not_cast_a_ballot_for_another() {
    let mut docs = with_poll();
    let mut d = raw_ballot(&mut docs, 1, 1, "rank:0,1", 10_000);
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(&err, Violation::NotOwner { owner, .. } if owner == member(1).as_str()),
        "{err}"
    );
}

#[test]
fn a_ballot_must_fit_its_poll() {
    let mut docs = with_poll();
    let mut honest = raw_ballot(&mut docs, 1, 2, "rank:2,0", 10_000);
    assert_eq!(verdict(&mut honest), Ok(()));
    bad_record(
        verdict(&mut raw_ballot(&mut docs, 1, 2, "rank:0,9", 10_000)),
        "not one of this poll's options",
    );
    bad_record(
        verdict(&mut raw_ballot(&mut docs, 1, 2, "score:0=5", 10_000)),
        "counted by ranked",
    );
    bad_record(
        verdict(&mut raw_ballot(&mut docs, 1, 2, "rank:1", 10_000)),
        "at least 2",
    );
    // Text that reads as no ballot is refused by the layout.
    let err = verdict(&mut raw_ballot(&mut docs, 1, 2, "rank:01,2", 10_000)).unwrap_err();
    assert!(err.to_string().contains("ballot"), "{err}");
    // The model refuses it too, with the same words.
    let e = docs[1]
        .cast_ballot(&member(2), &poll_id(), Ballot::Rank(vec![0, 9]), t(10_000))
        .unwrap_err();
    assert!(
        e.to_string().contains("not one of this poll's options"),
        "{e}"
    );
}

#[test]
fn no_ballot_is_cast_once_the_poll_closes() {
    let mut docs = with_poll();
    bad_record(
        verdict(&mut raw_ballot(&mut docs, 1, 2, "rank:0,1", CLOSES)),
        "closed",
    );
    let e = docs[1]
        .cast_ballot(
            &member(2),
            &poll_id(),
            Ballot::Rank(vec![0, 1]),
            t(CLOSES + 1000),
        )
        .unwrap_err();
    assert!(e.to_string().contains("closed"), "{e}");
}

#[test]
fn a_ballot_is_changed_but_never_removed() {
    let mut docs = with_poll();
    docs[1]
        .cast_ballot(&member(2), &poll_id(), Ballot::Rank(vec![0, 1]), t(10_000))
        .unwrap();
    let mut d = docs[1].fork_as(key(2));
    let am = d.automerge_mut();
    let ballots = obj(am, &["proposals", poll_id().as_str(), "ballots"]);
    am.delete(&ballots, member(2).as_str()).unwrap();
    am.commit();
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));
}

#[test]
fn only_a_poll_takes_ballots_and_a_poll_takes_no_positions() {
    let mut docs = with_poll();
    let mut d = docs[1].fork_as(key(2));
    let am = d.automerge_mut();
    // Into the (empty) map of ballots every proposal is now opened with.
    let ballots = obj(am, &["proposals", &proposal(), "ballots"]);
    let b = am
        .put_object(&ballots, member(2).as_str(), ObjType::Map)
        .unwrap();
    am.put(&b, "ballot", "rank:0,1").unwrap();
    am.put(&b, "at", t(10_000).as_millis()).unwrap();
    am.commit_with(CommitOptions::default().with_time(t(10_000).as_secs()));
    bad_record(verdict(&mut d), "is no poll");
    let e = docs[1]
        .take_position(&member(2), &poll_id(), Stance::Agree, "", t(10))
        .unwrap_err();
    assert!(e.to_string().contains("cast a ballot"), "{e}");
    let e = docs[1]
        .cast_ballot(
            &member(2),
            &proposal().parse().unwrap(),
            Ballot::Rank(vec![0, 1]),
            t(10),
        )
        .unwrap_err();
    assert!(e.to_string().contains("no poll"), "{e}");
}

/// A position written on a poll by hand (a modified node: the model refuses to) is refused
/// on receipt.
#[test]
fn a_position_on_a_poll_is_refused_on_receipt() {
    let mut docs = with_poll();
    for who in [1usize, 2] {
        let mut d = docs[who].fork_as(key(who as u8 + 1));
        let am = d.automerge_mut();
        let positions = obj(am, &["proposals", poll_id().as_str(), "positions"]);
        let pos = am
            .put_object(&positions, member(who as u8 + 1).as_str(), ObjType::Map)
            .unwrap();
        am.put(&pos, "stance", "agree").unwrap();
        am.put(&pos, "reason", "").unwrap();
        am.put(&pos, "at", t(10_000).as_millis()).unwrap();
        am.commit_with(CommitOptions::default().with_time(t(10_000).as_secs()));
        bad_record(verdict(&mut d), "cast ballots on it, not positions");
    }
    // A position on an ordinary proposal still passes, judged the same way.
    let p: ProposalId = proposal().parse().unwrap();
    docs[1]
        .take_position(&member(2), &p, Stance::Agree, "", t(10_000))
        .unwrap();
    assert_eq!(verdict(&mut docs[1]), Ok(()));
}

/// A new proposal carries the charter's weights for its kind, of its electorate (none while
/// every member weighs one): one claiming weights is refused.
#[test]
fn a_proposal_carries_the_charters_weights() {
    let mut docs = coalition();
    let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
        let w = d.put_object(p, "weights", ObjType::Map).unwrap();
        d.put(&w, member(2).as_str(), 5u64).unwrap();
    });
    bad_record(verdict(&mut d), "its weights are not the charter's");
    let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
        let w = d.put_object(p, "weights", ObjType::Map).unwrap();
        d.put(&w, member(2).as_str(), 0u64).unwrap();
    });
    // (Judged as a new record before its values' shapes: refused either way.)
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(
            &err,
            Violation::BadValue { .. } | Violation::BadRecord { .. }
        ),
        "{err}"
    );
    let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
        d.put_object(p, "weights", ObjType::Map).unwrap();
    });
    assert_eq!(verdict(&mut d), Ok(()));
    // An amendment weighing a member in decisions no poll decides, or one member twice.
    let amendment = |weights: &[(&'static str, u8, u64)]| {
        let weights = weights.to_vec();
        move |d: &mut model::automerge::AutoCommit, p: &model::automerge::ObjId| {
            let a = d.put_object(p, "amendment", ObjType::Map).unwrap();
            d.put(&a, "frame", ()).unwrap();
            d.put_object(&a, "add_values", ObjType::List).unwrap();
            d.put_object(&a, "add_commitments", ObjType::List).unwrap();
            d.put_object(&a, "rules", ObjType::List).unwrap();
            d.put(&a, "equity_threshold", ()).unwrap();
            let list = d.put_object(&a, "weights", ObjType::List).unwrap();
            for (i, (kind, who, weight)) in weights.iter().enumerate() {
                let w = d.insert_object(&list, i, ObjType::Map).unwrap();
                d.put(&w, "kind", *kind).unwrap();
                d.put(&w, "member", member(*who).as_str()).unwrap();
                d.put(&w, "weight", *weight).unwrap();
            }
        }
    };
    let amend = || Handmade {
        kind: "amendment",
        rule: ("consensus", None, "1/2"),
        ..Handmade::default()
    };
    let mut d = handmade_proposal(&mut docs, amend(), amendment(&[("general", 2, 3)]));
    assert_eq!(verdict(&mut d), Ok(()));
    let mut d = handmade_proposal(&mut docs, amend(), amendment(&[("amendment", 2, 3)]));
    bad_record(verdict(&mut d), "only general decisions");
    let mut d = handmade_proposal(
        &mut docs,
        amend(),
        amendment(&[("general", 2, 3), ("general", 2, 4)]),
    );
    bad_record(verdict(&mut d), "changed twice");
}

#[test]
fn a_poll_is_sound_when_it_opens() {
    let mut docs = coalition();
    for (closes, spec, says) in [
        (None, spec("ranked", &["A", "B"]), "closing time"),
        (
            Some(t(CLOSES)),
            spec("ranked", &["A"]),
            "from 2 to 100 options",
        ),
        (
            Some(t(CLOSES)),
            spec("ranked", &["A", " a "]),
            "listed twice",
        ),
        (
            Some(t(CLOSES)),
            spec("stv:2", &["A", "B"]),
            "more than 2 candidates",
        ),
        (
            Some(t(CLOSES)),
            PollSpec {
                asks: vec!["10".parse().unwrap(), "20".parse().unwrap()],
                issues: Vec::new(),
                pool: None,
                requests: Vec::new(),
                role: None,
                candidates: Vec::new(),
                ..spec("ranked", &["A", "B"])
            },
            "only a budget",
        ),
    ] {
        let e = docs[0]
            .open_poll(&member(1), new(closes), spec, t(5))
            .unwrap_err();
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    // Written by hand: a poll of one option, and a poll on an amendment, are refused.
    for (kind, options, says) in [
        ("general", &["Only"][..], "from 2 to 100 options"),
        ("amendment", &["A", "B"][..], "carries no poll"),
    ] {
        let rule = if kind == "amendment" {
            ("consensus", None, "1/2")
        } else {
            ("majority", None, "1/2")
        };
        let mut d = handmade_proposal(
            &mut docs,
            Handmade {
                kind,
                rule,
                ..Handmade::default()
            },
            |d, p| {
                d.put(p, "closes_at", t(CLOSES).as_millis()).unwrap();
                d.put_object(p, "ballots", ObjType::Map).unwrap();
                let poll = d.put_object(p, "poll", ObjType::Map).unwrap();
                d.put(&poll, "method", "ranked").unwrap();
                let list = d.put_object(&poll, "options", ObjType::List).unwrap();
                for (i, o) in options.iter().enumerate() {
                    d.insert(&list, i, *o).unwrap();
                }
                d.put_object(&poll, "asks", ObjType::List).unwrap();
            },
        );
        let err = verdict(&mut d).unwrap_err();
        assert!(err.to_string().contains(says), "{kind}: {err}");
    }
    // A poll opened without its map of ballots could take none: refused.
    let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
        d.put(p, "closes_at", t(CLOSES).as_millis()).unwrap();
        let poll = d.put_object(p, "poll", ObjType::Map).unwrap();
        d.put(&poll, "method", "ranked").unwrap();
        let list = d.put_object(&poll, "options", ObjType::List).unwrap();
        d.insert(&list, 0, "A").unwrap();
        d.insert(&list, 1, "B").unwrap();
        d.put_object(&poll, "asks", ObjType::List).unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(err.to_string().contains("map of ballots"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Once a poll closes, whatever ballots members' nodes write stating a later time, every
    /// node refuses each for that reason (a ballot fitting the poll in every other way), so
    /// the count stays what it was. (A change stating an earlier time than it was made is
    /// its author's to state: a known limit, `rules`, shared with positions.)
    #[test]
    fn ballots_stated_after_a_poll_closes_are_refused(
        before in proptest::collection::vec((0usize..3, proptest::collection::vec(0usize..3, 2..=3)), 0..4),
        after in proptest::collection::vec((0usize..3, proptest::collection::vec(0usize..3, 2..=3), 0i64..50), 1..3),
    ) {
        let mut docs = with_poll();
        for (i, (who, mut ranking)) in before.into_iter().enumerate() {
            ranking.dedup();
            if ranking.len() < 2 || ranking.iter().collect::<std::collections::BTreeSet<_>>().len() != ranking.len() {
                continue;
            }
            docs[who]
                .cast_ballot(&member(who as u8 + 1), &poll_id(), Ballot::Rank(ranking), t(10_000 + 1000 * i as i64))
                .unwrap();
        }
        let mut all = gathered(&mut docs);
        for (who, mut ranking, late) in after {
            ranking.sort_unstable();
            ranking.dedup();
            if ranking.len() < 2 {
                ranking = vec![0, 2];
            }
            let mut copies: Vec<CoalitionDoc> =
                (0..3).map(|i| all.fork_as(key(i as u8 + 1))).collect();
            let text = Ballot::Rank(ranking).to_string();
            let mut d = raw_ballot(&mut copies, who, who as u8 + 1, &text, CLOSES + 1000 * late);
            let refused = verdict(&mut d).unwrap_err().to_string();
            prop_assert!(refused.contains("closed"), "{}", refused);
            // The same ballot a moment before the close passes.
            let mut copies: Vec<CoalitionDoc> =
                (0..3).map(|i| all.fork_as(key(i as u8 + 1))).collect();
            let mut d = raw_ballot(&mut copies, who, who as u8 + 1, &text, CLOSES - 1000);
            prop_assert_eq!(verdict(&mut d), Ok(()));
        }
    }
}

/// Issue `n`'s id.
fn issue(n: u8) -> IssueId {
    IssueId::from_bytes([0xa0 + n; 16])
}

/// The coalition with three issues raised by member 1, as each member's copy.
fn with_issues() -> Vec<CoalitionDoc> {
    let mut docs = coalition();
    for (n, title) in [(1, "Bus fares"), (2, "Ramps at stops"), (3, "Night buses")] {
        docs[0]
            .add_issue(
                &member(1),
                NewIssue {
                    id: issue(n),
                    title: title.into(),
                    description: String::new(),
                    tags: vec![],
                    lead: None,
                },
                t(2),
            )
            .unwrap();
    }
    spread(&mut docs);
    docs
}

/// A poll over issues 1 to 3 by `method`, closing at `closes`, with id `id`.
fn issue_poll(docs: &mut [CoalitionDoc], id: u8, method: &str, closes: i64) -> ProposalId {
    let pid = ProposalId::from_bytes([id; 16]);
    docs[0]
        .open_poll(
            &member(1),
            NewProposal {
                id: pid.clone(),
                closes_at: Some(t(closes)),
                ..new(None)
            },
            PollSpec {
                issues: vec![issue(1), issue(2), issue(3)],
                ..spec(method, &["Bus fares", "Ramps at stops", "Night buses"])
            },
            t(5),
        )
        .unwrap();
    pid
}

#[test]
fn the_latest_poll_over_issues_to_pass_sets_the_inventorys_priority() {
    let mut docs = with_issues();
    let dots = issue_poll(&mut docs, 0x61, "dots:6", CLOSES);
    let scores = issue_poll(&mut docs, 0x62, "score:5", 2 * CLOSES);
    let failed = issue_poll(&mut docs, 0x63, "dots:6", 3 * CLOSES);
    // Closing with the scores poll, of a smaller id: the scores poll decides.
    let tied = issue_poll(&mut docs, 0x60, "dots:6", 2 * CLOSES);
    spread(&mut docs);
    // Dots: ramps 2+3+4, night buses 4+3+2, fares 0 — ramps and night buses share a place.
    for (who, ballot) in [(1, [0, 2, 4]), (2, [0, 3, 3]), (3, [0, 4, 2])] {
        docs[usize::from(who) - 1]
            .cast_ballot(
                &member(who),
                &dots,
                Ballot::Dots(ballot.into_iter().enumerate().collect()),
                t(1_000),
            )
            .unwrap_or_else(|e| panic!("member {who}: {e}"));
    }
    // Scores: fares first, then night buses, then ramps.
    for who in 1..=3u8 {
        docs[usize::from(who) - 1]
            .cast_ballot(
                &member(who),
                &scores,
                Ballot::Score([(0, 5), (1, 1), (2, 3)].into()),
                t(1_000),
            )
            .unwrap();
    }
    for who in 1..=3u8 {
        docs[usize::from(who) - 1]
            .cast_ballot(&member(who), &tied, Ballot::Dots([(0, 6)].into()), t(1_000))
            .unwrap();
    }
    // One ballot of three: under the majority quorum, so the last poll fails.
    docs[0]
        .cast_ballot(&member(1), &failed, Ballot::Dots([(2, 6)].into()), t(1_000))
        .unwrap();
    let mut all = gathered(&mut docs);
    assert_eq!(verdict(&mut all), Ok(()));
    let state = all.read().unwrap();
    // From the headers (which polls rank issues, and passed), reading only the one deciding.
    let headers = all.headers::<model::records::ProposalHeader>();
    let priority = |now| {
        let mut reads = 0;
        let found = reports::inventory_priority_of(
            &headers,
            |id| {
                reads += 1;
                Ok::<_, std::convert::Infallible>(state.proposals.get(id).cloned())
            },
            t(now),
        );
        let Ok(found) = found;
        assert!(reads <= 1, "{reads} polls read whole");
        found
    };
    assert_eq!(priority(CLOSES - 1), None, "no poll over issues has closed");
    let first = priority(CLOSES).unwrap();
    assert_eq!(first.proposal, dots);
    let places: Vec<(IssueId, u32, u128)> = first
        .places
        .iter()
        .map(|p| (p.issue.clone(), p.place, p.total))
        .collect();
    assert_eq!(
        places,
        vec![(issue(2), 1, 9), (issue(3), 1, 9), (issue(1), 3, 0)],
        "equal totals share a place, in the poll's order"
    );
    let second = priority(2 * CLOSES).unwrap();
    assert_eq!(
        second.proposal, scores,
        "the later poll decides; of two closing together, the greater id"
    );
    assert_eq!(second.place_of(&issue(1)), Some(1));
    assert_eq!(second.place_of(&issue(3)), Some(2));
    assert_eq!(second.place_of(&issue(2)), Some(3));
    assert_eq!(
        priority(3 * CLOSES).unwrap().proposal,
        scores,
        "a poll that failed its quorum decides nothing"
    );
}

#[test]
fn a_poll_over_issues_ranks_issues_that_are_there_by_dots_or_scores() {
    let mut docs = with_issues();
    let over = |method: &str, issues: Vec<IssueId>| PollSpec {
        issues,
        ..spec(method, &["Bus fares", "Ramps at stops", "Night buses"])
    };
    let all = || vec![issue(1), issue(2), issue(3)];
    for (spec, says) in [
        (over("ranked", all()), "by dots or scores"),
        (
            over("dots:5", vec![issue(1), issue(2)]),
            "one option per issue",
        ),
        (
            over("score:5", vec![issue(1), issue(2), issue(1)]),
            "listed twice",
        ),
    ] {
        let e = docs[0]
            .open_poll(&member(1), new(Some(t(CLOSES))), spec, t(5))
            .unwrap_err();
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    let e = docs[0]
        .open_poll(
            &member(1),
            new(Some(t(CLOSES))),
            over("dots:5", vec![issue(1), issue(2), issue(9)]),
            t(5),
        )
        .unwrap_err();
    assert!(e.to_string().contains("no issue"), "{e}");
    // Written by hand, each is refused on receipt, and so is a poll naming an issue that is
    // not there.
    for (method, issues, says) in [
        ("ranked", all(), "by dots or scores"),
        ("dots:5", vec![issue(1), issue(2)], "one option per issue"),
        ("dots:5", vec![issue(1), issue(2), issue(2)], "listed twice"),
        (
            "score:5",
            vec![issue(1), issue(2), issue(9)],
            "which is not there",
        ),
    ] {
        let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
            d.put(p, "closes_at", t(CLOSES).as_millis()).unwrap();
            d.put_object(p, "ballots", ObjType::Map).unwrap();
            let poll = d.put_object(p, "poll", ObjType::Map).unwrap();
            d.put(&poll, "method", method).unwrap();
            let list = d.put_object(&poll, "options", ObjType::List).unwrap();
            for (i, o) in ["Bus fares", "Ramps at stops", "Night buses"]
                .iter()
                .enumerate()
            {
                d.insert(&list, i, *o).unwrap();
            }
            d.put_object(&poll, "asks", ObjType::List).unwrap();
            let named = d.put_object(&poll, "issues", ObjType::List).unwrap();
            for (i, id) in issues.iter().enumerate() {
                d.insert(&named, i, id.as_str()).unwrap();
            }
        });
        let err = verdict(&mut d).unwrap_err();
        assert!(err.to_string().contains(says), "{method}: {err}");
    }
    // An honest one passes.
    issue_poll(&mut docs, 0x61, "dots:6", CLOSES);
    assert_eq!(verdict(&mut docs[0]), Ok(()));
}

#[test]
fn an_amendment_naming_a_poll_method_a_kind_cannot_be_decided_by_is_refused() {
    let mut docs = coalition();
    let amendment = |kind: &'static str, poll: &'static str| {
        move |d: &mut model::automerge::AutoCommit, p: &model::automerge::ObjId| {
            let a = d.put_object(p, "amendment", ObjType::Map).unwrap();
            d.put(&a, "frame", ()).unwrap();
            d.put_object(&a, "add_values", ObjType::List).unwrap();
            d.put_object(&a, "add_commitments", ObjType::List).unwrap();
            let rules = d.put_object(&a, "rules", ObjType::List).unwrap();
            let change = d.insert_object(&rules, 0, ObjType::Map).unwrap();
            d.put(&change, "kind", kind).unwrap();
            let r = d.put_object(&change, "rule", ObjType::Map).unwrap();
            d.put(&r, "method", "majority").unwrap();
            d.put(&r, "fraction", ()).unwrap();
            d.put(&r, "quorum", "1/2").unwrap();
            d.put(&r, "poll", poll).unwrap();
            d.put(&a, "equity_threshold", ()).unwrap();
            d.put_object(&a, "weights", ObjType::List).unwrap();
        }
    };
    let amend = || Handmade {
        kind: "amendment",
        rule: ("consensus", None, "1/2"),
        ..Handmade::default()
    };
    for kind in ["amendment", "membership", "admission", "public-statement"] {
        let mut d = handmade_proposal(&mut docs, amend(), amendment(kind, "ranked"));
        bad_record(verdict(&mut d), "decided by positions");
    }
    let mut d = handmade_proposal(&mut docs, amend(), amendment("allocation", "ranked"));
    bad_record(verdict(&mut d), "budget polls only");
    let mut d = handmade_proposal(&mut docs, amend(), amendment("allocation", "budget"));
    assert_eq!(verdict(&mut d), Ok(()));
    // A poll method not written as a rule names it is no rule at all.
    let mut d = handmade_proposal(&mut docs, amend(), amendment("general", "stv:2:meek "));
    assert!(verdict(&mut d).is_err());
    let mut d = handmade_proposal(&mut docs, amend(), amendment("general", "stv:2"));
    assert_eq!(verdict(&mut d), Ok(()));
}
