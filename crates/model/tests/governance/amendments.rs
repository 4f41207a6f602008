//! Amendments: one that passes becomes the next charter version with who agreed; a blocked
//! one changes nothing, and a block needs its reason, from a modified node too.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::rules::Violation;
use model::schema::Amendment;
use model::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three, vote};

#[test]
fn a_passed_amendment_becomes_the_next_version_with_who_agreed() {
    let mut doc = three();
    let amend = Amendment {
        add_values: vec!["language justice".into()],
        rules: vec![rule("amendment=super-majority:2/3@1/2")],
        ..Default::default()
    };
    act(&mut doc, 2, |d| {
        d.propose_amendment(&member(2), new(pid(1), "Super-majority"), amend, t(2))
            .unwrap()
    });
    vote(&mut doc, 1, &pid(1), Stance::Agree, 3);
    vote(&mut doc, 2, &pid(1), Stance::Agree, 4);
    // Consensus needs all three: still open, still version 1.
    assert_eq!(doc.read().unwrap().charter.version, 1);
    vote(&mut doc, 3, &pid(1), Stance::Agree, 5);
    let c = doc.read().unwrap();
    assert_eq!(c.charter.version, 2);
    assert_eq!(c.charter.values, vec!["language justice".to_owned()]);
    assert_eq!(
        c.charter.rules.amendment.to_string(),
        "super-majority:2/3@1/2"
    );
    let v2 = &c.charter_versions["000002"];
    assert_eq!(v2.proposal.as_ref(), Some(&pid(1)));
    assert_eq!(v2.agreed_by.len(), 3);
    assert_eq!(v2.ratified_at, t(5));

    // The next amendment carries the new rule and passes with two of three.
    let amend = Amendment {
        frame: Some("Fare-free, accessible buses".into()),
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(2), "New frame"), amend, t(6))
        .unwrap();
    let p = &doc.read().unwrap().proposals[pid(2).as_str()];
    assert_eq!(p.rule.to_string(), "super-majority:2/3@1/2");
    vote(&mut doc, 1, &pid(2), Stance::Agree, 7);
    vote(&mut doc, 3, &pid(2), Stance::Disagree, 8);
    vote(&mut doc, 2, &pid(2), Stance::Agree, 9);
    let c = doc.read().unwrap();
    assert_eq!(c.charter.version, 3);
    assert_eq!(c.charter.frame.as_str(), "Fare-free, accessible buses");
    assert_eq!(
        c.charter_versions["000003"].agreed_by,
        vec![member(1).to_string(), member(2).to_string()]
    );
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn a_blocked_amendment_fails_with_its_reason_and_changes_nothing() {
    let mut doc = three();
    let amend = Amendment {
        add_commitments: vec!["no police partnerships".into()],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Commitment"), amend, t(2))
        .unwrap();
    vote(&mut doc, 2, &pid(1), Stance::Block, 3);
    let c = doc.read().unwrap();
    let p = &c.proposals[pid(1).as_str()];
    assert_eq!(reports::proposal_tally(p, t(4)).outcome, Outcome::Blocked);
    assert_eq!(p.positions[member(2).as_str()].reason, "harms us");
    assert_eq!(c.charter.version, 1);
    assert!(c.charter.commitments.is_empty());
    // Decided: nobody's position can change it now, locally or from a modified node.
    let err = act(&mut doc, 2, |d| {
        d.take_position(&member(2), &pid(1), Stance::Agree, "", t(5))
            .unwrap_err()
    });
    assert!(err.to_string().contains("already blocked"), "{err}");
    let mut forged = doc.fork_as(key(2));
    let am = forged.automerge_mut();
    let mine = obj(
        am,
        &[
            "proposals",
            pid(1).as_str(),
            "positions",
            member(2).as_str(),
        ],
    );
    am.put(&mine, "stance", "agree").unwrap();
    am.commit();
    assert!(matches!(
        verdict(&mut forged),
        Err(Violation::Decided { .. })
    ));
}

/// Member 2's modified node blocks `proposal` with a blank `reason` at `at`, as a position of
/// its own (made anew, over any earlier one).
fn blocked_without_a_reason(
    doc: &mut CoalitionDoc,
    proposal: &ProposalId,
    reason: &str,
    at: i64,
) -> CoalitionDoc {
    let mut forged = doc.fork_as(key(2));
    let am = forged.automerge_mut();
    let positions = obj(am, &["proposals", proposal.as_str(), "positions"]);
    let p = am
        .put_object(&positions, member(2).as_str(), ObjType::Map)
        .unwrap();
    am.put(&p, "stance", "block").unwrap();
    am.put(&p, "reason", reason).unwrap();
    am.put(&p, "at", t(at).as_millis()).unwrap();
    // Stated at the position's time, as an edit states it.
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(at).as_secs()),
    );
    forged
}

#[test]
fn a_block_without_a_reason_is_refused_from_a_modified_node() {
    let mut doc = three();
    doc.new_proposal(
        &member(1),
        NewProposal {
            kind: DecisionKind::General,
            ..new(pid(1), "March")
        },
        t(2),
    )
    .unwrap();
    let mut forged = blocked_without_a_reason(&mut doc, &pid(1), " ", 3);
    let err = verdict(&mut forged).unwrap_err();
    assert!(
        err.to_string().contains("a block carries a reason"),
        "{err}"
    );
    // A reason of characters that draw nothing is no reason for an edit here; on receipt it
    // passes, as it did on older nodes (refusing it now would split nodes of two versions).
    let invisible = "\u{200b}\u{2800} \u{3164}";
    let mut forged = blocked_without_a_reason(&mut doc, &pid(1), invisible, 3);
    assert_eq!(verdict(&mut forged), Ok(()));
    let mut mine = doc.fork_as(key(2));
    assert!(matches!(
        mine.take_position(&member(2), &pid(1), Stance::Block, invisible, t(3)),
        Err(EditError::BlockWithoutReason)
    ));
}

/// On an amendment, whose positions the rules carry from the operations once they read them,
/// a block without a reason is refused alike: as a first position (read), made anew over an
/// earlier one, and written over an earlier one field by field (carried, where `verdict`
/// judges the history in one batch).
#[test]
fn a_block_without_a_reason_on_an_amendment_is_refused_from_a_modified_node() {
    let mut doc = three();
    let amend = model::schema::Amendment {
        add_values: vec!["solidarity".into()],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Values"), amend, t(2))
        .unwrap();
    let refused = |mut forged: CoalitionDoc| {
        let err = verdict(&mut forged).unwrap_err();
        assert!(
            err.to_string().contains("a block carries a reason"),
            "{err}"
        );
    };
    // As a first position.
    refused(blocked_without_a_reason(&mut doc, &pid(1), " ", 3));
    // Over an earlier position, field by field.
    let mut mine = doc.fork_as(key(2));
    mine.take_position(&member(2), &pid(1), Stance::Abstain, "", t(3))
        .unwrap();
    doc.merge(&mut mine).unwrap();
    let over = |doc: &mut CoalitionDoc, fields: &[(&str, &str)]| {
        let mut forged = doc.fork_as(key(2));
        let am = forged.automerge_mut();
        let (proposal, me) = (pid(1), member(2));
        let p = obj(
            am,
            &["proposals", proposal.as_str(), "positions", me.as_str()],
        );
        for (field, value) in fields {
            am.put(&p, *field, *value).unwrap();
        }
        am.commit();
        forged
    };
    // A position made anew over the earlier one, with an empty reason.
    refused(blocked_without_a_reason(&mut doc, &pid(1), "", 4));
    // Its stance alone written over.
    refused(over(&mut doc, &[("stance", "block")]));
    // With a reason, it stands.
    let mut forged = over(
        &mut doc,
        &[("stance", "block"), ("reason", "we are nonpartisan")],
    );
    verdict(&mut forged).unwrap();
}
