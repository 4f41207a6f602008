//! Witnesses (a member building on one version of a fork): they decide which version is set
//! aside, and forged, early or malformed ones count for nothing.

use std::collections::BTreeSet;

use automerge::{AutoCommit, Change};
use model::CoalitionDoc;
use sync::wire::ByteChunk;
use sync::{Message, Output, SignedHead};

use crate::{Party, World, local_issue, party, raise, refusal, sent, wire};

#[test]
fn versions_both_built_on_are_both_set_aside_with_what_was_built_on_them() {
    // As across a partition: member A built on B's first version here, and a witness shows
    // that a member built on B's second version elsewhere. Both go, with what was built on
    // them, and stay apart in the store; nothing else does.
    let mut w = World::new();
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    w.push_signed(&first);
    let (_, second) = w.edit_as(&w.peer, &w.peer.member.clone(), "Something else entirely");
    w.push_signed(&second);
    local_issue(&mut w, 60, "Raised on the first version");
    assert_eq!(w.issues(), 2);
    // A change of member A's made on the second version (on another of its nodes, say).
    let frame = witness_frame(&w, &party(1), &second);
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(
        w.issues(),
        0,
        "both versions and what was built on them are set aside"
    );
    let kept: BTreeSet<Vec<u8>> = w.docs.kept_aside[&w.coalition].iter().cloned().collect();
    assert!(kept.contains(first[0].raw_bytes()));
    assert_eq!(kept.len(), 2, "the first version and A's issue on it");
    let doc = w.docs.doc(&w.coalition).unwrap();
    assert!(AutoCommit::load(&doc.save()).is_ok());
    // The same witness again changes nothing.
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 0);
}

#[test]
fn a_member_forking_an_old_change_sets_aside_only_its_new_version() {
    // B's change is old news: A built on it. B then signs another version of it. No other
    // member can build on that one here (A holds the original), so the original is kept with
    // all that was built since, and only B's new version (and what B builds on it) goes.
    let mut w = World::new();
    let (_, original) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    w.push_signed(&original);
    for n in 0..3 {
        local_issue(&mut w, 70 + n, &format!("Built since, {n}"));
    }
    assert_eq!(w.issues(), 4);
    let (_, new_version) = w.edit_as(&w.peer, &w.peer.member.clone(), "Rewritten history");
    let mut b = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    b.apply_changes(new_version.clone()).unwrap();
    let on_it = raise(&mut b, &w.peer.member, 80, "Built on the rewrite", "");
    let mut batch = new_version.clone();
    batch.extend(on_it.iter().cloned());
    let head = sync::sign(&w.peer.signing, &on_it.last().unwrap().hash());
    let out = w.push(w.peer.key, &batch, vec![head]);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Forked { key, seq: 1, .. } if *key == w.peer.key)),
        "{out:?}"
    );
    // The witness is this node's own: made, learnt and sent at once.
    assert_eq!(
        sent(&out, |m| matches!(m, Message::Witness { .. })).len(),
        1,
        "{out:?}"
    );
    assert_eq!(w.issues(), 4, "nothing held is set aside");
    assert!(!w.docs.kept_aside.contains_key(&w.coalition));
    // The rewrite and what B built on it stay out, now and when sent again.
    let head = sync::sign(&w.peer.signing, &on_it.last().unwrap().hash());
    let out = w.push(w.peer.key, &batch, vec![head]);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 4);
    let forks = sync::forks::Forks::from_bytes(&w.docs.forks[&w.coalition].0);
    assert_eq!(
        forks.witnessed(w.peer.key.as_bytes(), 1),
        vec![original[0].hash()]
    );
}

/// B's two versions of its first change, each signed, and the witness message of a change by
/// `who` built on `version`.
fn witness_frame(w: &World, who: &Party, version: &[Change]) -> Vec<u8> {
    use automerge::transaction::Transactable;
    let mut doc = AutoCommit::load(&w.base)
        .unwrap()
        .with_actor(who.key.actor());
    doc.apply_changes(version.to_vec()).unwrap();
    let before = doc.get_heads();
    doc.put(automerge::ROOT, "note", "built on it").unwrap();
    doc.commit();
    let on_it = doc.get_changes(&before);
    let head = SignedHead::from(&sync::sign(&who.signing, &on_it[0].hash()));
    Message::Witness {
        coalition: wire(&w.coalition),
        path: vec![
            ByteChunk(version[0].raw_bytes().to_vec()),
            ByteChunk(on_it[0].raw_bytes().to_vec()),
        ],
        head,
    }
    .encode()
}

#[test]
fn a_witness_by_a_key_of_no_member_counts_for_nothing_and_one_before_its_fork_waits() {
    let mut w = World::new();
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    let (_, second) = w.edit_as(&w.peer, &w.peer.member.clone(), "Something else entirely");
    // A witness arriving before the evidence of its fork waits for it.
    let honest = party(1);
    let early = witness_frame(&w, &honest, &second);
    let out = w.node.received(&mut w.docs, w.peer.key, &early);
    assert!(refusal(&out).is_none(), "{out:?}");
    w.push_signed(&first);
    // An outsider's "witness" of the version held here is checked and counts for nothing.
    let outsider = party(3);
    let forged = witness_frame(&w, &outsider, &first);
    let out = w.push_signed(&second);
    assert!(
        out.iter().any(|o| matches!(o, Output::Forked { .. })),
        "{out:?}"
    );
    let out = w.node.received(&mut w.docs, w.peer.key, &forged);
    assert!(refusal(&out).is_none(), "{out:?}");
    // The early witness (A's, of the second version) decided once the fork was known: the
    // first version, held here, is set aside and kept apart.
    assert_eq!(w.issues(), 0);
    let forks = sync::forks::Forks::from_bytes(&w.docs.forks[&w.coalition].0);
    assert_eq!(
        forks.witnessed(w.peer.key.as_bytes(), 1),
        vec![second[0].hash()]
    );
    assert_eq!(
        w.docs.kept_aside[&w.coalition],
        vec![first[0].raw_bytes().to_vec()]
    );
}

#[test]
fn changes_built_on_a_version_not_held_here_are_left_out_without_new_evidence() {
    // B forks its first change; this node holds the first version and B's change 2 on it.
    // B then sends its change 2 built on the second version: that is no new fork here (it
    // continues a change this node does not hold), and the batch does not stall.
    let mut w = World::new();
    let mut b = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let u = raise(&mut b, &w.peer.member, 1, "First version", "");
    let v = raise(&mut b, &w.peer.member, 2, "On the first", "");
    let mut held = u.clone();
    held.extend(v.iter().cloned());
    w.push_signed(&held);
    assert_eq!(w.issues(), 2);
    let mut b2 = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let u2 = raise(&mut b2, &w.peer.member, 3, "Second version", "");
    let v2 = raise(&mut b2, &w.peer.member, 4, "On the second", "");
    let mut other = u2.clone();
    other.extend(v2.iter().cloned());
    let head = sync::sign(&w.peer.signing, &other.last().unwrap().hash());
    let out = w.push(w.peer.key, &other, vec![head.clone()]);
    let forked = |out: &[Output]| {
        out.iter()
            .filter(|o| matches!(o, Output::Forked { .. }))
            .count()
    };
    assert_eq!(forked(&out), 1, "{out:?}");
    for _ in 0..20 {
        let out = w.push(w.peer.key, &other, vec![head.clone()]);
        assert!(refusal(&out).is_none(), "{out:?}");
        assert_eq!(
            forked(&out),
            0,
            "no evidence of a fork at change 2: {out:?}"
        );
    }
    let out = w.push(w.peer.key, &v2, vec![head]);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(forked(&out), 0, "{out:?}");
    assert_eq!(w.issues(), 2);
    assert_eq!(
        w.node.waiting(&w.coalition),
        (0, 0),
        "no evidence made of it waits either"
    );
}

#[test]
fn a_witness_of_a_version_its_actor_never_signed_counts_for_nothing() {
    // Member A (here, the honest node's key, signing on another node) writes a "version" of
    // B's forked change itself, unsigned by B, builds on it and sends the witness: it names
    // no version of the evidence, so it decides nothing.
    let mut w = World::new();
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    w.push_signed(&first);
    let (_, second) = w.edit_as(&w.peer, &w.peer.member.clone(), "Something else entirely");
    w.push_signed(&second);
    let (_, invented) = w.edit_as(&w.peer, &w.peer.member.clone(), "Invented by another");
    assert_eq!(invented[0].seq(), first[0].seq());
    let frame = witness_frame(&w, &party(1), &invented);
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 1, "the version held here stays");
    let forks = sync::forks::Forks::from_bytes(&w.docs.forks[&w.coalition].0);
    assert!(forks.witnessed(w.peer.key.as_bytes(), 1).is_empty());
}

#[test]
fn malformed_witnesses_are_refused_as_such() {
    let w = World::new();
    let (_, version) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    let Message::Witness { path, head, .. } =
        Message::decode(&witness_frame(&w, &party(1), &version)).unwrap()
    else {
        unreachable!()
    };
    assert!(sync::forks::Witness::check(&path, &head).is_ok());
    let refused =
        |path: &[ByteChunk], head: &SignedHead| sync::forks::Witness::check(path, head).is_err();
    // Too short: the version alone.
    assert!(refused(&path[..1], &head));
    // A change that does not depend on the one before.
    assert!(refused(&[path[1].clone(), path[0].clone()], &head));
    // A signature by another key, or over another change.
    let forged = SignedHead::from(&sync::sign(&party(3).signing, &head_hash(&head)));
    assert!(refused(&path, &forged));
    let mut other = head.clone();
    other.hash = [0; 32];
    assert!(refused(&path, &other));
    // Bytes that are no change.
    assert!(refused(&[path[0].clone(), ByteChunk(vec![1, 2, 3])], &head));
}

fn head_hash(h: &SignedHead) -> automerge::ChangeHash {
    automerge::ChangeHash(h.hash)
}
