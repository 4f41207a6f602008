//! Device keys: a member adds and revokes its own, and a key flagged by two other members
//! writes nothing once its node has seen the flags.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::rules::Violation;
use model::*;

use crate::common::*;
use crate::{act, t, three};

#[test]
fn a_member_adds_and_revokes_its_own_device_keys() {
    let mut doc = three();
    act(&mut doc, 2, |d| {
        d.add_device_key(&member(2), key(22), t(2)).unwrap()
    });
    assert_eq!(doc.member_for_key(key(22)).unwrap(), member(2));
    // The second device acts for member 2.
    act(&mut doc, 22, |d| {
        d.update_profile(
            &member(2),
            ProfileUpdate {
                contact: Some("laptop two".into()),
                ..Default::default()
            },
            t(3),
        )
        .unwrap()
    });
    assert_eq!(verdict(&mut doc), Ok(()));
    // Each key's certification and work, read from the history.
    let m2 = doc.read().unwrap().members[member(2).as_str()].clone();
    let activity = doc.key_activity(&m2);
    assert_eq!(activity.len(), 2);
    assert_eq!(activity[0].key, key(2));
    assert_eq!(
        activity[0].added,
        Some(m2.joined_at),
        "the key it joined with"
    );
    assert_eq!(activity[1].key, key(22));
    assert_eq!(activity[1].added, Some(t(2)));
    assert_eq!(activity[1].changes, 1);
    assert_eq!(activity[1].last_change, Some(t(3)));
    // Another member's key cannot be claimed, nor the last key revoked.
    let err = act(&mut doc, 2, |d| {
        d.add_device_key(&member(2), key(1), t(4)).unwrap_err()
    });
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = act(&mut doc, 3, |d| {
        d.revoke_device_key(&member(3), key(3), t(4)).unwrap_err()
    });
    assert!(err.to_string().contains("at least one"), "{err}");
    act(&mut doc, 2, |d| {
        d.revoke_device_key(&member(2), key(22), t(5)).unwrap()
    });
    // What the revoked device signs afterwards is refused.
    let mut revoked = contact_written(&mut doc, 22, 2, "stolen laptop");
    assert!(matches!(
        verdict(&mut revoked),
        Err(Violation::NotAMember { .. })
    ));
}

/// A copy of `doc` where key `k` wrote `contact` into member `m`'s record directly (no edit
/// checks: as a modified node could).
fn contact_written(doc: &mut CoalitionDoc, k: u8, m: u8, contact: &str) -> CoalitionDoc {
    let mut hostile = doc.fork_as(key(k));
    let am = hostile.automerge_mut();
    let me = obj(am, &["members", member(m).as_str()]);
    am.put(&me, "contact", contact).unwrap();
    am.commit();
    hostile
}

/// Member 3's node writes something with its key, made on `doc` as it stands.
fn written_by_3(doc: &mut CoalitionDoc, contact: &str) -> CoalitionDoc {
    contact_written(doc, 3, 3, contact)
}

#[test]
fn a_key_flagged_by_two_other_members_writes_nothing_after_seeing_the_flags() {
    let mut doc = three();
    // Member 3 may not flag its own key, nor a key of no member.
    let err = act(&mut doc, 3, |d| {
        d.flag_key(&member(3), key(3), t(2)).unwrap_err()
    });
    assert!(err.to_string().contains("your own"), "{err}");
    let err = act(&mut doc, 1, |d| {
        d.flag_key(&member(1), key(42), t(2)).unwrap_err()
    });
    assert!(matches!(err, EditError::Unknown { .. }), "{err}");
    // Flagging what a node found skips, rather than refuses, its own and unknown keys.
    let skipped = act(&mut doc, 3, |d| {
        d.flag_keys(&member(3), &[key(3), key(42)], t(2)).unwrap()
    });
    assert_eq!(skipped, 0);
    // One flag is not enough: no single member silences another's key.
    act(&mut doc, 1, |d| {
        d.flag_key(&member(1), key(3), t(2)).unwrap()
    });
    act(&mut doc, 1, |d| {
        d.flag_key(&member(1), key(3), t(3)).unwrap()
    }); // twice: no-op
    let mut one = written_by_3(&mut doc, "after one flag");
    assert_eq!(verdict(&mut one), Ok(()));
    // Concurrent with the second flag: made without seeing it, accepted everywhere alike.
    let mut concurrent = written_by_3(&mut doc, "concurrent");
    act(&mut doc, 2, |d| {
        d.flag_key(&member(2), key(3), t(4)).unwrap()
    });
    let mut merged = doc.fork_as(key(9));
    merged.merge(&mut concurrent).unwrap();
    assert_eq!(verdict(&mut merged), Ok(()));
    let read = doc.read().unwrap();
    assert_eq!(read.members[&member(1)].flagged, vec![key(3)]);
    assert_eq!(read.members[&member(2)].flagged, vec![key(3)]);
    // The count reports show is the one the rules take.
    let by = model::governance::flaggers(&read.members, Some(&member(3)), &key(3));
    assert_eq!(by, vec![&member(1), &member(2)]);
    assert!(doc.in_force(t(5)).unwrap().flagged(key(3).as_bytes()));
    assert!(!doc.in_force(t(5)).unwrap().flagged(key(2).as_bytes()));
    // After both flags: refused, on every node, whatever else it depends on.
    let mut after = written_by_3(&mut merged, "after both flags");
    assert!(matches!(
        verdict(&mut after),
        Err(Violation::KeyFlagged { .. })
    ));
    // Member 3's own node, once it holds both flags, is told so rather than writing on.
    let mut own = doc.fork_as(key(3));
    let err = own
        .update_profile(
            &member(3),
            ProfileUpdate {
                contact: Some("still here".into()),
                ..Default::default()
            },
            t(6),
        )
        .unwrap_err();
    assert!(matches!(err, EditError::KeyFlagged { .. }), "{err}");
    // A new member cannot arrive with flags already (a member admitting another could
    // otherwise supply a second flag in its name).
    let mut admitting = doc.fork_as(key(1));
    let am = admitting.automerge_mut();
    let members = obj(am, &["members"]);
    let newcomer = MemberId::from_bytes([0x44; 16]);
    let record = model::schema::Member {
        id: newcomer.clone(),
        name: "Puppet".into(),
        communities: vec![],
        languages: vec![],
        accessibility: vec![],
        contact: String::new(),
        keys: vec![key(44)],
        joined_at: t(7),
        left_at: None,
        admission: None,
        flagged: vec![key(2)],
    };
    autosurgeon::reconcile_prop(am, &members, newcomer.as_str(), &record).unwrap();
    am.commit();
    let err = verdict(&mut admitting).unwrap_err();
    assert!(err.to_string().contains("flagged no key"), "{err}");
    // On receipt too: a member flags another member's key, once.
    for (flag, why) in [
        (key(3), "flagged already"),
        (key(1), "its own"),
        (key(42), "no member's"),
    ] {
        let mut forged = doc.fork_as(key(1));
        let am = forged.automerge_mut();
        let mine = obj(am, &["members", member(1).as_str(), "flagged"]);
        am.insert(&mine, 1, flag.to_string()).unwrap();
        am.commit();
        let err = verdict(&mut forged).unwrap_err();
        assert!(
            matches!(err, Violation::BadRecord { .. }) && err.to_string().contains(why),
            "{err}"
        );
    }
    // Nor can a member make its key list (or its flags) again, whose items would then go
    // unjudged: claiming another member's key that way would silence it.
    for field in ["keys", "flagged"] {
        let mut forged = doc.fork_as(key(1));
        let am = forged.automerge_mut();
        let me = obj(am, &["members", member(1).as_str()]);
        let list = am.put_object(&me, field, ObjType::List).unwrap();
        am.insert(&list, 0, key(1).to_string()).unwrap();
        am.insert(&list, 1, key(2).to_string()).unwrap();
        am.commit();
        assert!(
            matches!(verdict(&mut forged), Err(Violation::Permanent { .. })),
            "{field}"
        );
    }
    // A member cannot write another's flags.
    let mut forged = doc.fork_as(key(1));
    let am = forged.automerge_mut();
    let theirs = obj(am, &["members", member(2).as_str(), "flagged"]);
    am.insert(&theirs, 1, key(1).to_string()).unwrap();
    am.commit();
    assert!(matches!(
        verdict(&mut forged),
        Err(Violation::NotOwner { .. })
    ));
}
