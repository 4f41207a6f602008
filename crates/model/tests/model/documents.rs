//! Coalition documents: founding, edits validated before anything is written, members'
//! own profiles, saving and loading back, and damaged bytes refused without panic.

use model::*;
use proptest::prelude::*;

use crate::{gift, new_issue, t, world};

#[test]
fn founding_makes_the_creator_first_member_and_charter_version_one() {
    let mut w = world(1);
    let c = w.doc.read().unwrap();
    assert_eq!(c.members.len(), 1);
    assert_eq!(c.charter.version, 1);
    assert_eq!(c.charter_versions.len(), 1);
    assert_eq!(c.charter.rules.amendment.method(), Method::Consensus);
    assert_eq!(c.charter.rules.general.method(), Method::Majority);
    assert_eq!(
        w.doc.member_for_key(w.members[0].1).unwrap(),
        w.members[0].0
    );
    assert!(matches!(
        w.doc.member_for_key(NodeKey::from_bytes([77; 32])),
        Err(EditError::NotAMember { .. })
    ));
}

#[test]
fn validation_names_what_was_wrong_and_writes_nothing() {
    let mut w = world(2);
    let me = w.members[0].0.clone();
    let before = w.doc.heads();

    let e = w
        .doc
        .add_issue(&me, new_issue(1, "   "), t(10))
        .unwrap_err();
    assert_eq!(e.to_string(), "issue title must not be empty");

    let mut bad_lead = new_issue(1, "Bus fares");
    bad_lead.lead = Some(MemberId::from_bytes([0xee; 16]));
    let e = w.doc.add_issue(&me, bad_lead, t(10)).unwrap_err();
    assert!(e.to_string().starts_with("no member with id"), "{e}");

    let e = w
        .doc
        .give(
            &me,
            &PoolId::from_bytes([0xab; 16]),
            gift(1, GiftKind::Pledge, "5"),
            t(10),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("no pool with id `{}`", "ab".repeat(16))
    );

    let e = w
        .doc
        .add_issue(
            &me,
            NewIssue {
                title: "x".repeat(201),
                ..new_issue(1, "")
            },
            t(10),
        )
        .unwrap_err();
    assert!(matches!(e, EditError::TooLong { max: 200, .. }), "{e}");

    assert!("-5".parse::<Amount>().is_err());
    assert!(Rank::new(11).is_err());

    let outsider = MemberId::from_bytes([0x55; 16]);
    let e = w
        .doc
        .add_issue(&outsider, new_issue(1, "Fares"), t(10))
        .unwrap_err();
    assert!(matches!(e, EditError::NotAMember { .. }));

    assert_eq!(w.doc.heads(), before, "refused edits must not write");
}

#[test]
fn members_edit_their_own_profile() {
    let mut w = world(2);
    let me = w.members[1].0.clone();
    let update = ProfileUpdate {
        languages: Some(vec!["Spanish".into(), "ASL".into()]),
        contact: Some("organizers@example.org".into()),
        ..Default::default()
    };
    w.doc.update_profile(&me, update, t(5)).unwrap();
    let m = &w.doc.read().unwrap().members[me.as_str()];
    assert_eq!(m.languages, ["Spanish", "ASL"]);
    assert_eq!(m.contact, "organizers@example.org");
    assert_eq!(m.name, "Org 2", "fields not given stay as they were");
    let e = w
        .doc
        .update_profile(
            &me,
            ProfileUpdate {
                name: Some(" ".into()),
                ..Default::default()
            },
            t(6),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "organization name must not be empty");
}

#[test]
fn saved_documents_load_back_identically() {
    let mut w = world(2);
    let me = w.members[0].0.clone();
    w.doc.add_issue(&me, new_issue(1, "Fares"), t(1)).unwrap();
    let bytes = w.doc.save();
    let loaded = CoalitionDoc::load(&bytes, w.members[1].1).unwrap();
    assert_eq!(loaded.read().unwrap(), w.doc.read().unwrap());
    assert!(CoalitionDoc::load(b"not automerge", w.members[1].1).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Loading arbitrary bytes, or a real document with bytes flipped or cut, gives a document
    /// or an error, never a panic; a document that loads can be read or refused cleanly.
    #[test]
    fn damaged_documents_are_refused_without_panic(
        garbage in proptest::collection::vec(any::<u8>(), 0..512),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let key = NodeKey::from_bytes([5; 32]);
        let _ = CoalitionDoc::load(&garbage, key).map(|d| d.read());
        let mut w = world(2);
        let me = w.members[0].0.clone();
        w.doc.add_issue(&me, new_issue(1, "Fares"), t(1)).unwrap();
        let mut bytes = w.doc.save();
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        let _ = CoalitionDoc::load(&bytes, key).map(|d| d.read());
        let _ = CoalitionDoc::load(&bytes[..cut.index(bytes.len())], key).map(|d| d.read());
    }
}
