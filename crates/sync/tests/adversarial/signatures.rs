//! Signed changes: honest ones are applied; forged, missing or tampered signatures, a
//! non-member's key, another member's name, replays and unchained batches are refused.

use automerge::Change;
use model::{CoalitionDoc, IssueId, NewIssue, Timestamp};
use sync::wire::ByteChunk;
use sync::{Message, Output, Refusal, SignedHead};

use crate::{World, party, refusal, wire};

#[test]
fn an_honest_change_is_accepted_and_applied() {
    let mut w = World::new();
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    let out = w.push_signed(&changes);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 1);
}

#[test]
fn a_forged_signature_is_refused() {
    let mut w = World::new();
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    // Signed by the outsider, claiming to be B's change.
    let forged = sync::sign(&w.outsider.signing, &changes.last().unwrap().hash());
    let before = w.persisted();
    let out = w.push(w.peer.key, &changes, vec![forged]);
    assert!(
        matches!(refusal(&out), Some(Refusal::BadSignature { .. })),
        "{out:?}"
    );
    assert_eq!(
        (w.issues(), w.persisted()),
        (0, before),
        "nothing stored or applied"
    );
}

#[test]
fn a_missing_signature_is_refused() {
    let mut w = World::new();
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    let out = w.push(w.peer.key, &changes, vec![]);
    assert!(
        matches!(refusal(&out), Some(Refusal::MissingSignature { .. })),
        "{out:?}"
    );
    assert_eq!(w.issues(), 0);
}

#[test]
fn a_tampered_change_is_refused() {
    let mut w = World::new();
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    let head = sync::sign(&w.peer.signing, &changes.last().unwrap().hash());
    let mut bytes = changes[0].raw_bytes().to_vec();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x5a;
    let frame = Message::Changes {
        coalition: wire(&w.coalition),
        changes: vec![ByteChunk(bytes)],
        heads: vec![SignedHead::from(&head)],
        vouchers: Vec::new(),
    }
    .encode();
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(
        matches!(
            refusal(&out),
            Some(Refusal::MalformedChange(_) | Refusal::MissingSignature { .. })
        ),
        "{out:?}"
    );
    assert_eq!(w.issues(), 0);
}

#[test]
fn a_change_by_a_non_member_key_is_refused_even_when_relayed_by_a_member() {
    let mut w = World::new();
    let outsider = party(3);
    let (_, changes) = w.edit_as(&outsider, &w.peer.member.clone(), "Injected");
    let head = sync::sign(&outsider.signing, &changes.last().unwrap().hash());
    // Correctly signed by its author, relayed by member B: the author is not a member.
    let out = w.push(w.peer.key, &changes, vec![head]);
    assert!(
        matches!(
            refusal(&out),
            Some(Refusal::Rule(model::rules::Violation::NotAMember { .. }))
        ),
        "{out:?}"
    );
    assert_eq!(w.issues(), 0);
}

#[test]
fn a_member_writing_in_another_members_name_is_refused_and_rolled_back() {
    let mut w = World::new();
    // B's node, signing as itself, raises an issue in A's name.
    let a = party(1).member;
    let (_, changes) = w.edit_as(&w.peer, &a, "In A's name");
    let head = sync::sign(&w.peer.signing, &changes.last().unwrap().hash());
    let before = w.persisted();
    let heads_before = w.docs.doc(&w.coalition).unwrap().get_heads();
    let out = w.push(w.peer.key, &changes, vec![head]);
    let Some(Refusal::Rule(rule)) = refusal(&out) else {
        panic!("{out:?}");
    };
    assert!(rule.to_string().contains("raised_by"), "{rule}");
    assert_eq!(
        (w.issues(), w.persisted()),
        (0, before),
        "nothing stored or applied"
    );
    assert_eq!(w.docs.doc(&w.coalition).unwrap().get_heads(), heads_before);
    // The node goes on accepting B's honest changes after the refusal.
    let b = w.peer.member.clone();
    let (_, changes) = w.edit_as(&w.peer, &b, "Bus fares");
    let out = w.push_signed(&changes);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 1);
}

#[test]
fn replayed_changes_are_ignored_without_harm() {
    let mut w = World::new();
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    let head = sync::sign(&w.peer.signing, &changes.last().unwrap().hash());
    w.push(w.peer.key, &changes, vec![head.clone()]);
    let persisted = w.persisted();
    for _ in 0..3 {
        let out = w.push(w.peer.key, &changes, vec![head.clone()]);
        assert!(refusal(&out).is_none(), "{out:?}");
        assert!(!out.iter().any(|o| matches!(o, Output::Applied { .. })));
    }
    assert_eq!((w.issues(), w.persisted()), (1, persisted));
}

#[test]
fn changes_not_hanging_off_the_signed_one_are_refused() {
    let mut w = World::new();
    let (_, a) = w.edit_as(&w.peer, &w.peer.member.clone(), "Branch one");
    let (mut other, _) = w.edit_as(&w.peer, &w.peer.member.clone(), "Branch two, longer");
    // Make seq 2 on the second branch: signed, but the first branch's seq 1 is not its ancestor.
    let before = other.get_heads();
    let mut doc = CoalitionDoc::from_automerge(other).unwrap();
    doc.add_issue(
        &w.peer.member,
        NewIssue {
            id: IssueId::from_bytes([99; 16]),
            title: "x".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
        Timestamp::from_millis(9),
    )
    .unwrap();
    other = doc.into_automerge();
    let b2 = other.get_changes(&before);
    let head = sync::sign(&w.peer.signing, &b2.last().unwrap().hash());
    let batch: Vec<Change> = a.into_iter().chain(b2).collect();
    let out = w.push(w.peer.key, &batch, vec![head]);
    assert!(
        matches!(
            refusal(&out),
            Some(Refusal::Unvouched { .. } | Refusal::Equivocation { .. })
        ),
        "{out:?}"
    );
    assert_eq!(w.issues(), 0);
}
