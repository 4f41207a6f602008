//! Statements drafted for the coalition to publish and members' co-signatures of them, each in
//! the member's own record: what honest nodes write passes the rules and verifies against the
//! coalition's roster; what a hostile node writes by hand is refused on receipt.

use model::automerge::transaction::Transactable;
use model::automerge::{ObjType, ReadDoc};
use model::federation::{self, Cosign, RosterChain, StatementId, Threshold};
use model::rules::Violation;
use model::statements::{Stated, Topic, drafts, statement_at};
use model::*;

use crate::common::*;
use crate::{by, keyed_three, public, t};

/// Three members whose nodes hold real keys (secrets `[1; 32]`, `[2; 32]`, `[3; 32]`), and a
/// goal.
fn coalition() -> (CoalitionDoc, GoalId) {
    let mut doc = keyed_three([9; 16], "Coastal Housing Coalition");
    let goal = GoalId::from_bytes([6; 16]);
    doc.add_goal(
        &member(1),
        &goal,
        "Homes kept",
        "100".parse().unwrap(),
        "homes",
        t(2),
    )
    .unwrap();
    (doc, goal)
}

fn stated(roster: u64) -> Stated {
    Stated {
        as_of: t(3),
        roster,
        sequence: 1,
        supersedes: None,
    }
}

#[test]
fn a_draft_co_signed_by_two_members_verifies_against_the_coalitions_roster() {
    let (mut doc, goal) = coalition();
    let heads = doc.heads();
    let roster = statement_at(&mut doc, &heads, &Topic::Roster, stated(0)).unwrap();
    let total = statement_at(&mut doc, &heads, &Topic::Goal(goal), stated(1)).unwrap();

    let id = by(&mut doc, 1, |d| {
        d.draft_statement(&member(1), &total, t(4)).unwrap()
    });
    assert_eq!(id, federation::Signed::new(&total).unwrap().id());
    for who in [1u8, 3] {
        by(&mut doc, who, |d| {
            let cosign = Cosign::sign(&[who; 32], &id);
            d.cosign_statement(&member(who), &id, &cosign, t(5))
                .unwrap()
        });
    }
    assert_eq!(verdict(&mut doc), Ok(()));

    let all = drafts(&doc);
    let draft = &all[&id];
    assert_eq!(draft.drafted_by, member(1));
    assert_eq!(draft.statement, total);
    assert_eq!(
        draft.cosigns.keys().cloned().collect::<Vec<_>>(),
        vec![member(1), member(3)]
    );
    let first = federation::Signed::new(&roster).unwrap();
    let chain = RosterChain::trust(&first.id(), &first).unwrap();
    let v = chain
        .verify(&draft.signed(), Threshold::new(2).unwrap())
        .unwrap();
    assert_eq!(v.signers, vec![[1; 16], [3; 16]]);

    // The model refuses a co-signature by another node's key, or one that does not verify,
    // and a statement of another coalition.
    let e = by(&mut doc, 2, |d| {
        d.cosign_statement(&member(2), &id, &Cosign::sign(&[3; 32], &id), t(6))
            .unwrap_err()
    });
    assert!(e.to_string().contains("its own key"), "{e}");
    let other = StatementId([7; 32]);
    let e = by(&mut doc, 2, |d| {
        d.cosign_statement(&member(2), &id, &Cosign::sign(&[2; 32], &other), t(6))
            .unwrap_err()
    });
    assert!(e.to_string().contains("does not verify"), "{e}");
    let foreign = federation::Statement {
        coalition: [8; 16],
        ..total.clone()
    };
    let e = by(&mut doc, 2, |d| {
        d.draft_statement(&member(2), &foreign, t(6)).unwrap_err()
    });
    assert!(e.to_string().contains("this coalition's"), "{e}");
}

/// What a modified node writes by hand into its member's record.
fn by_hand(
    doc: &mut CoalitionDoc,
    who: u8,
    write: impl FnOnce(&mut model::automerge::AutoCommit, &model::automerge::ObjId),
) -> CoalitionDoc {
    let mut d = doc.fork_as(public(who));
    let am = d.automerge_mut();
    let record = obj(am, &["members", member(who).as_str()]);
    write(am, &record);
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(8).as_secs()),
    );
    d
}

fn refused(d: &mut CoalitionDoc, says: &str) {
    let err = verdict(d).unwrap_err();
    assert!(err.to_string().contains(says), "{says}: {err}");
}

#[test]
fn drafts_and_co_signatures_written_by_hand_are_judged_on_receipt() {
    let (mut doc, goal) = coalition();
    let heads = doc.heads();
    let total = statement_at(&mut doc, &heads, &Topic::Goal(goal), stated(1)).unwrap();
    let body = total.encode().unwrap();
    let id = StatementId::of(&body);
    let draft = |key: String, body: Vec<u8>| {
        move |am: &mut model::automerge::AutoCommit, record: &model::automerge::ObjId| {
            let map = am.put_object(record, "statements", ObjType::Map).unwrap();
            let d = am.put_object(&map, key.as_str(), ObjType::Map).unwrap();
            am.put(&d, "body", body).unwrap();
            am.put(&d, "at", t(8).as_millis()).unwrap();
        }
    };
    let mut ok = by_hand(&mut doc, 2, draft(id.hex(), body.clone()));
    assert_eq!(verdict(&mut ok), Ok(()));
    // A second draft, into the map the first made, under another id than its bytes'.
    let mut second = by_hand(&mut ok, 2, |am, record| {
        let map = match am.get(record, "statements").unwrap() {
            Some((_, map)) => map,
            None => panic!("the first draft made the map"),
        };
        let d = am
            .put_object(&map, StatementId([5; 32]).hex().as_str(), ObjType::Map)
            .unwrap();
        am.put(&d, "body", body.clone()).unwrap();
        am.put(&d, "at", t(8).as_millis()).unwrap();
    });
    refused(&mut second, "its id is not its statement's");
    // Under another id than its bytes'.
    let mut misnamed = by_hand(&mut doc, 2, draft(StatementId([1; 32]).hex(), body.clone()));
    refused(&mut misnamed, "its id is not its statement's");
    // Another coalition's statement.
    let foreign = federation::Statement {
        coalition: [8; 16],
        ..total.clone()
    }
    .encode()
    .unwrap();
    let mut other = by_hand(&mut doc, 2, draft(StatementId::of(&foreign).hex(), foreign));
    refused(&mut other, "another coalition's");
    // Bytes that are no statement.
    let junk = vec![1, 2, 3];
    let mut bad = by_hand(&mut doc, 2, draft(StatementId::of(&junk).hex(), junk));
    refused(&mut bad, "malformed");

    let cosign = |key: NodeKey, signature: [u8; 64]| {
        move |am: &mut model::automerge::AutoCommit, record: &model::automerge::ObjId| {
            let map = am.put_object(record, "cosigns", ObjType::Map).unwrap();
            let c = am
                .put_object(&map, id.hex().as_str(), ObjType::Map)
                .unwrap();
            am.put(&c, "key", key.to_string()).unwrap();
            am.put(&c, "signature", signature.to_vec()).unwrap();
            am.put(&c, "at", t(8).as_millis()).unwrap();
        }
    };
    let good = Cosign::sign(&[2; 32], &id);
    let mut ok = by_hand(&mut doc, 2, cosign(public(2), good.signature));
    assert_eq!(verdict(&mut ok), Ok(()));
    // Another member's key named, with that member's real signature.
    let theirs = Cosign::sign(&[3; 32], &id);
    let mut borrowed = by_hand(&mut doc, 2, cosign(public(3), theirs.signature));
    refused(&mut borrowed, "not by the node key that wrote it");
    // Its own key, a signature over other bytes.
    let wrong = Cosign::sign(&[2; 32], &StatementId([7; 32]));
    let mut forged = by_hand(&mut doc, 2, cosign(public(2), wrong.signature));
    refused(&mut forged, "does not verify");

    // Into another member's record.
    let mut d = doc.fork_as(public(2));
    let am = d.automerge_mut();
    let record = obj(am, &["members", member(3).as_str()]);
    cosign(public(2), good.signature)(am, &record);
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(8).as_secs()),
    );
    let err = verdict(&mut d).unwrap_err();
    assert!(matches!(err, Violation::NotOwner { .. }), "{err}");
}

/// A member's maps of drafts and co-signatures, and their entries, are made once: never put
/// to null, made again over the old one, or removed.
#[test]
fn drafts_and_co_signatures_are_never_withdrawn() {
    let (mut doc, goal) = coalition();
    let heads = doc.heads();
    let total = statement_at(&mut doc, &heads, &Topic::Goal(goal), stated(1)).unwrap();
    let id = by(&mut doc, 2, |d| {
        d.draft_statement(&member(2), &total, t(4)).unwrap()
    });
    by(&mut doc, 2, |d| {
        d.cosign_statement(&member(2), &id, &Cosign::sign(&[2; 32], &id), t(5))
            .unwrap()
    });
    assert_eq!(verdict(&mut doc), Ok(()));
    let permanent = |d: &mut CoalitionDoc| {
        let err = verdict(d).unwrap_err();
        assert!(matches!(err, Violation::Permanent { .. }), "{err}");
    };
    for field in ["statements", "cosigns"] {
        let mut null = by_hand(&mut doc, 2, |am, record| {
            am.put(record, field, ()).unwrap();
        });
        permanent(&mut null);
        let mut again = by_hand(&mut doc, 2, |am, record| {
            am.put_object(record, field, ObjType::Map).unwrap();
        });
        permanent(&mut again);
        let mut gone = by_hand(&mut doc, 2, |am, record| {
            am.delete(record, field).unwrap();
        });
        permanent(&mut gone);
        let mut entry_gone = by_hand(&mut doc, 2, |am, record| {
            let (_, map) = am.get(record, field).unwrap().unwrap();
            am.delete(&map, id.hex().as_str()).unwrap();
        });
        permanent(&mut entry_gone);
    }
}
