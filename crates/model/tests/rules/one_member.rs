//! What one member's modified node could write that passed every check at its own heads, yet
//! broke the coalition for everyone once merged, or had the pool pay what no vote decided, or
//! moved when a decision was made: each is refused, and the honest edit beside it passes.

use model::automerge::transaction::Transactable;
use model::automerge::{AutoCommit, Change, ObjType, ScalarValue};
use model::rules::Violation;
use model::*;

use crate::common::*;
use crate::{FORGED, Handmade, POOL, coalition, handmade_proposal, pledge, proposal, raw, t};

const GOAL: [u8; 16] = [0x60; 16];

/// `d`'s last change, with each deletion's predecessors cut down to those of `other`'s key:
/// a deletion naming only some of the values a field holds.
fn deleting_only(d: &mut CoalitionDoc, other: u8) -> Change {
    let am = d.automerge_mut();
    let change = am.get_last_local_change().expect("a change");
    let mut forged = change.decode();
    let other = key(other).actor();
    for op in &mut forged.operations {
        if matches!(op.action, model::automerge::legacy::OpType::Delete) {
            let kept: Vec<_> = op.pred.iter().filter(|p| p.1 == other).cloned().collect();
            assert_eq!(kept.len(), 1, "the other member's value is named");
            op.pred = kept.into_iter().collect();
        }
    }
    Change::from(forged)
}

/// Member `n` writes the goal's `field` by hand (`value`, or deletes it).
fn write_goal(d: &mut CoalitionDoc, field: &str, value: Option<&str>) {
    let am = d.automerge_mut();
    let g = obj(am, &["charter", "goals", GoalId::from_bytes(GOAL).as_str()]);
    match value {
        Some(v) => am.put(&g, field, v).unwrap(),
        None => am.delete(&g, field).unwrap(),
    }
    am.commit();
}

/// Two members retitle a goal at once (honest: the title holds both values), then each
/// deletes the title naming only the other's value. Each deletion leaves a value at its own
/// heads; merged, the goal has no title, so the charter, which reads all its goals or none,
/// reads on no node. A deletion must leave the value that wins (as Automerge writes one,
/// resolving a conflict by putting the winning value again): of two such, one deletes the
/// winner and is refused.
#[test]
fn deletions_that_each_leave_a_value_but_together_remove_a_field_are_refused() {
    let mut docs = coalition();
    docs[0]
        .add_goal(
            &member(1),
            &GoalId::from_bytes(GOAL),
            "Fare-free buses",
            "100".parse().unwrap(),
            "percent",
            t(5),
        )
        .unwrap();
    let mut two = docs[0].fork_as(key(2));
    let mut three = docs[0].fork_as(key(3));
    write_goal(&mut two, "title", Some("Free buses"));
    write_goal(&mut three, "title", Some("No fares"));
    two.merge(&mut three).unwrap();
    three.merge(&mut two).unwrap();
    let mut conflicted = two.fork_as(key(1));
    assert_eq!(verdict(&mut conflicted), Ok(()), "a conflict is honest");
    let charter = conflicted.read().expect("a conflicted title reads").charter;
    let title = &charter.goals[&GoalId::from_bytes(GOAL)].title;
    assert_eq!(
        title, "No fares",
        "member 3's value wins (same counter, greater actor)"
    );

    write_goal(&mut two, "title", None);
    write_goal(&mut three, "title", None);
    // Member 2 deletes the winner, member 3 the other value.
    let winner_deleted = deleting_only(&mut two, 3);
    let loser_deleted = deleting_only(&mut three, 2);

    // What they do together, applied unchecked: the charter no longer reads.
    let mut both = conflicted.fork_as(key(1));
    both.apply_changes(vec![winner_deleted.clone(), loser_deleted.clone()])
        .unwrap();
    assert!(
        both.read().is_err(),
        "the charter reads without a goal title"
    );

    let mut d = conflicted.fork_as(key(1));
    d.apply_changes(vec![winner_deleted]).unwrap();
    match verdict(&mut d) {
        Err(Violation::BadValue { why, path }) => {
            assert!(why.contains("cannot be removed"), "{why}");
            assert!(path.ends_with("/title"), "{path}");
        }
        other => panic!("a deletion of the winning value: {other:?}"),
    }
    let mut d = conflicted.fork_as(key(1));
    d.apply_changes(vec![loser_deleted]).unwrap();
    assert_eq!(
        verdict(&mut d),
        Ok(()),
        "resolving the conflict for the winner"
    );
    // As Automerge resolves one: the winning value put again deletes the other.
    let mut resolved = conflicted.fork_as(key(2));
    write_goal(&mut resolved, "title", Some("No fares"));
    let ops = resolved
        .automerge_mut()
        .get_last_local_change()
        .unwrap()
        .decode()
        .operations;
    assert!(matches!(ops[..], [ref op] if op.action == model::automerge::legacy::OpType::Delete));
    assert_eq!(verdict(&mut resolved), Ok(()));
    // A deletion of both values and a new value in one change: the new one wins.
    let mut replaced = conflicted.fork_as(key(2));
    {
        let am = replaced.automerge_mut();
        let g = obj(am, &["charter", "goals", GoalId::from_bytes(GOAL).as_str()]);
        am.delete(&g, "title").unwrap();
        am.put(&g, "title", "Buses for all").unwrap();
        am.commit();
    }
    assert_eq!(verdict(&mut replaced), Ok(()));
    // And a deletion of both values, as Automerge writes a deletion.
    let mut whole = conflicted.fork_as(key(2));
    write_goal(&mut whole, "title", None);
    assert!(matches!(
        verdict(&mut whole),
        Err(Violation::BadValue { .. })
    ));
}

/// Member 2's node writes a ledger entry by hand: kind, its `proposal`, its id and time (the
/// raw change states time 0: a time within its first second is its own).
fn forged_entry(
    docs: &mut [CoalitionDoc],
    kind: &str,
    proposal: Option<&str>,
    id: &str,
    at: i64,
) -> CoalitionDoc {
    let pool = PoolId::from_bytes(POOL).to_string();
    raw(docs, 1, |d| {
        let ledger = obj(d, &["pools", &pool, "ledger"]);
        let e = d.put_object(&ledger, FORGED, ObjType::Map).unwrap();
        for (k, v) in [
            ("id", id),
            ("kind", kind),
            ("member", member(2).as_str()),
            ("note", ""),
        ] {
            d.put(&e, k, v).unwrap();
        }
        d.put(&e, "amount", 100_000i64).unwrap();
        d.put(&e, "at", at).unwrap();
        match proposal {
            Some(p) => d.put(&e, "proposal", p).unwrap(),
            None => d.put(&e, "proposal", ()).unwrap(),
        }
    })
}

/// Funding pays any request whose proposal passed. A request naming a proposal passed for
/// something else (here the open general proposal; once it passes, the pool would pay), or
/// none, or an entry under another entry's id (readers key entries by id) is refused; a
/// request made as the model makes it, with its allocation in the same change, passes.
#[test]
fn a_request_is_decided_only_by_the_allocation_opened_for_it() {
    let mut docs = coalition();
    let refused_for = |mut d: CoalitionDoc, why: &str| match verdict(&mut d) {
        Err(Violation::BadRecord { why: w, .. }) => assert!(w.contains(why), "{w} (not {why})"),
        other => panic!("not refused ({why}): {other:?}"),
    };
    refused_for(
        forged_entry(&mut docs, "request", Some(&proposal()), FORGED, 6),
        "no allocation of this request",
    );
    refused_for(
        forged_entry(&mut docs, "request", None, FORGED, 6),
        "names the allocation proposal",
    );
    let other = EntryId::from_bytes([0x0e; 16]).to_string();
    refused_for(
        forged_entry(&mut docs, "pledge", None, &other, 6),
        "its id is",
    );
    // The same entry as a pledge, under its own id: taken.
    let mut pledge = forged_entry(&mut docs, "pledge", None, FORGED, 6);
    assert_eq!(verdict(&mut pledge), Ok(()));

    let mut honest = docs[1].fork_as(key(2));
    honest
        .give(
            &member(2),
            &PoolId::from_bytes(POOL),
            Gift {
                entry: EntryId::from_bytes([0x0c; 16]),
                kind: GiftKind::Contribution,
                amount: "100".parse().unwrap(),
                note: String::new(),
            },
            t(8),
        )
        .unwrap();
    honest
        .request_allocation(
            &member(2),
            &PoolId::from_bytes(POOL),
            AllocationRequest {
                entry: EntryId::from_bytes([0x0a; 16]),
                proposal: ProposalId::from_bytes([0x0b; 16]),
                amount: "30".parse().unwrap(),
                reason: "Bus passes".into(),
            },
            t(9),
        )
        .unwrap();
    assert_eq!(verdict(&mut honest), Ok(()));
}

/// The other way round: a proposal deciding a request is an allocation, written with the
/// request it decides, by that request's author, which names it back.
#[test]
fn only_an_allocation_written_with_its_request_decides_it() {
    let mut docs = coalition();
    pledge(&mut docs[1], 2, 0x0e);
    let pool = PoolId::from_bytes(POOL).to_string();
    let pledged = EntryId::from_bytes([0x0e; 16]).to_string();
    let with_subject = |docs: &mut [CoalitionDoc], kind: &str, entry: &str| {
        let subject = format!("{pool}/{entry}");
        handmade_proposal(
            docs,
            Handmade {
                kind,
                ..Handmade::default()
            },
            |d, p| {
                d.put(p, "subject", subject.as_str()).unwrap();
            },
        )
    };
    let refused_for = |mut d: CoalitionDoc, why: &str| match verdict(&mut d) {
        Err(Violation::BadRecord { why: w, .. }) => assert!(w.contains(why), "{w} (not {why})"),
        other => panic!("not refused ({why}): {other:?}"),
    };
    refused_for(
        with_subject(&mut docs, "general", &pledged),
        "decides no request",
    );
    refused_for(
        with_subject(&mut docs, "allocation", &pledged),
        "not its author's request naming it",
    );
    refused_for(
        with_subject(&mut docs, "allocation", FORGED),
        "which it decides",
    );
}

/// New records hold the key they are stored under as their id: readers key records by it.
#[test]
fn a_new_record_under_another_records_id_is_refused() {
    let mut docs = coalition();
    let other = IssueId::from_bytes([0x0d; 16]).to_string();
    for path in [
        &["issues"][..],
        &["pools"][..],
        &["meetings"][..],
        &["charter", "goals"][..],
    ] {
        let mut d = raw(&mut docs, 1, |d| {
            let records = obj(d, path);
            let r = d.put_object(&records, FORGED, ObjType::Map).unwrap();
            d.put(&r, "id", other.as_str()).unwrap();
        });
        match verdict(&mut d) {
            Err(Violation::BadRecord { why, .. }) => assert!(why.contains("its id is"), "{why}"),
            other => panic!("{path:?}: {other:?}"),
        }
    }
}

/// Member 2's node writes its position on the general proposal by hand, at `at` (ms).
fn position_at(docs: &mut [CoalitionDoc], at: ScalarValue) -> CoalitionDoc {
    raw(docs, 1, |d: &mut AutoCommit| {
        let positions = obj(d, &["proposals", &proposal(), "positions"]);
        let p = d
            .put_object(&positions, member(2).as_str(), ObjType::Map)
            .unwrap();
        d.put(&p, "stance", "agree").unwrap();
        d.put(&p, "reason", "").unwrap();
        d.put(&p, "at", at).unwrap();
    })
}

/// A proposal is decided when its last counted position was taken, which orders the
/// allocations a pool funds: a position dated at the end of time would make its proposal
/// decided last, and so funded after every other. A position's time, and a ledger entry's,
/// is the time its change states (each raw change here states time 0), so a position is
/// judged open at the time it carries: where its proposal closes, no later than that.
#[test]
fn a_positions_time_and_a_ledger_entrys_are_the_time_their_change_states() {
    let mut docs = coalition();
    for at in [
        ScalarValue::Timestamp(i64::MAX),
        ScalarValue::Timestamp(1000),
        ScalarValue::Int(-1),
    ] {
        let mut d = position_at(&mut docs, at.clone());
        match verdict(&mut d) {
            Err(Violation::BadValue { why, .. }) => assert!(why.contains("time"), "{why}"),
            other => panic!("a position at {at:?}: {other:?}"),
        }
    }
    let mut d = position_at(&mut docs, ScalarValue::Timestamp(999));
    assert_eq!(verdict(&mut d), Ok(()));
    // What this does not stop: a change stating a far-future time, its position carrying
    // it, on a proposal that never closes (the stated time is its author's: a known limit).
    let far = 4_000_000_000_000i64;
    let mut d = docs[1].fork_as(key(2));
    {
        let am = d.automerge_mut();
        let positions = obj(am, &["proposals", &proposal(), "positions"]);
        let p = am
            .put_object(&positions, member(2).as_str(), ObjType::Map)
            .unwrap();
        am.put(&p, "stance", "agree").unwrap();
        am.put(&p, "reason", "").unwrap();
        am.put(&p, "at", ScalarValue::Timestamp(far * 1000))
            .unwrap();
        am.commit_with(model::automerge::transaction::CommitOptions::default().with_time(far));
    }
    assert_eq!(verdict(&mut d), Ok(()));

    let mut late = forged_entry(&mut docs, "pledge", None, FORGED, 5_000);
    match verdict(&mut late) {
        Err(Violation::BadValue { why, .. }) => assert!(why.contains("time"), "{why}"),
        other => panic!("a ledger entry dated after its change: {other:?}"),
    }
    let mut dated = forged_entry(&mut docs, "pledge", None, FORGED, 999);
    assert_eq!(verdict(&mut dated), Ok(()));
}
