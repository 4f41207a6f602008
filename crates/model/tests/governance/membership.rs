//! Membership decided by the record: a removed member or one that left writes nothing more,
//! and admission can be made a vote.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::rules::Violation;
use model::schema::Amendment;
use model::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three, vote};

#[test]
fn a_removed_member_loses_write_rights_from_its_removal() {
    let mut doc = three();
    doc.propose_removal(
        &member(1),
        &member(3),
        NewProposal {
            kind: DecisionKind::Membership,
            ..new(pid(1), "")
        },
        t(2),
    )
    .unwrap();
    let c = doc.read().unwrap();
    let p = &c.proposals[pid(1).as_str()];
    assert_eq!(p.title, "Remove Org 3");
    assert_eq!(p.rule.to_string(), "consensus@1/2");
    // The member concerned takes no part.
    assert_eq!(
        p.electorate,
        vec![member(1).to_string(), member(2).to_string()]
    );
    vote(&mut doc, 1, &pid(1), Stance::Agree, 3);
    let mut before = doc.fork_as(key(3));
    vote(&mut doc, 2, &pid(1), Stance::Agree, 4);
    let c = doc.read().unwrap();
    assert!(!c.members.contains_key(member(3).as_str()));
    assert_eq!(
        c.former_members[member(3).as_str()].status.as_str(),
        "removed"
    );
    assert_eq!(verdict(&mut doc), Ok(()));

    // Its node, having seen its removal, can no longer edit.
    let mut removed = doc.fork_as(key(3));
    let err = removed
        .update_profile(&member(3), ProfileUpdate::default(), t(5))
        .unwrap_err();
    assert!(matches!(err, EditError::NotAMember { .. }), "{err}");
    // A modified node writing anyway on top of its removal is refused.
    let am = removed.automerge_mut();
    let me = obj(am, &["members", member(3).as_str()]);
    am.put(&me, "contact", "still here").unwrap();
    am.commit();
    assert!(matches!(
        verdict(&mut removed),
        Err(Violation::NotAMember { .. })
    ));
    // What it wrote before it knew of its removal is concurrent with it, and stays.
    before
        .update_profile(
            &member(3),
            ProfileUpdate {
                contact: Some("x".into()),
                ..Default::default()
            },
            t(4),
        )
        .unwrap();
    doc.merge(&mut before).unwrap();
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn a_member_that_leaves_writes_nothing_more() {
    let mut doc = three();
    act(&mut doc, 2, |d| d.leave(&member(2), t(2)).unwrap());
    let c = doc.read().unwrap();
    assert_eq!(c.members.len(), 2);
    assert_eq!(c.former_members[member(2).as_str()].status.as_str(), "left");
    let err = act(&mut doc, 2, |d| d.leave(&member(2), t(3)).unwrap_err());
    assert!(matches!(err, EditError::NotAMember { .. }), "{err}");
    // New proposals no longer count it.
    doc.new_proposal(
        &member(1),
        NewProposal {
            kind: DecisionKind::General,
            ..new(pid(1), "March")
        },
        t(3),
    )
    .unwrap();
    assert_eq!(
        doc.read().unwrap().proposals[pid(1).as_str()]
            .electorate
            .len(),
        2
    );
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn admission_can_be_made_a_vote() {
    let mut doc = three();
    let amend = Amendment {
        rules: vec![rule("admission=majority@1/2")],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Admission by vote"), amend, t(2))
        .unwrap();
    for (m, at) in [(1, 3), (2, 4), (3, 5)] {
        vote(&mut doc, m, &pid(1), Stance::Agree, at);
    }
    let err = doc
        .admit_member(&member(1), &member(4), &profile("Org 4"), key(4), t(6))
        .unwrap_err();
    assert!(err.to_string().contains("by vote"), "{err}");
    let vote_id = doc
        .admit_by_rule(
            &member(1),
            &member(4),
            &profile("Org 4"),
            key(4),
            &pid(2),
            t(6),
        )
        .unwrap();
    assert_eq!(vote_id, Some(pid(2)));
    let c = doc.read().unwrap();
    assert_eq!(
        c.former_members[member(4).as_str()].status.as_str(),
        "pending"
    );
    assert_eq!(c.proposals[pid(2).as_str()].electorate.len(), 3);
    let mut pending = doc.fork_as(key(4));
    assert!(
        pending
            .update_profile(&member(4), ProfileUpdate::default(), t(7))
            .is_err()
    );
    vote(&mut doc, 1, &pid(2), Stance::Agree, 7);
    vote(&mut doc, 2, &pid(2), Stance::Agree, 8);
    let c = doc.read().unwrap();
    assert!(c.members.contains_key(member(4).as_str()));
    assert_eq!(verdict(&mut doc), Ok(()));
    // An invite alone no longer admits: a modified node writing a plain record is refused.
    let mut forged = doc.fork_as(key(1));
    let am = forged.automerge_mut();
    let members = obj(am, &["members"]);
    let m = am
        .put_object(&members, member(5).as_str(), ObjType::Map)
        .unwrap();
    am.put(&m, "id", member(5).as_str()).unwrap();
    am.put(&m, "name", "Org 5").unwrap();
    am.put(&m, "contact", "").unwrap();
    for list in ["communities", "languages", "accessibility"] {
        am.put_object(&m, list, ObjType::List).unwrap();
    }
    let keys = am.put_object(&m, "keys", ObjType::List).unwrap();
    am.insert(&keys, 0, key(5).to_string()).unwrap();
    am.put(&m, "joined_at", 9i64).unwrap();
    am.commit();
    let err = verdict(&mut forged).unwrap_err();
    assert!(err.to_string().contains("by vote"), "{err}");
}
