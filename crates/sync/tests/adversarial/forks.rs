//! Evidence of forks (one key, two versions of a change): learnt when it holds, refused or
//! ignored when it does not, and what is kept when a member equivocates.

use automerge::{AutoCommit, Change};
use ed25519_dalek::SigningKey;
use model::{CoalitionDoc, CoalitionId, Founding, MemberProfile, Timestamp};
use sync::wire::ByteChunk;
use sync::{Message, Output, Refusal, SignedHead};

use crate::{World, local_issue, party, raise, refusal, sent, wire};

#[test]
fn an_equivocating_member_is_flagged_and_the_version_another_member_built_on_is_kept() {
    let mut w = World::new();
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    w.push_signed(&first);
    assert_eq!(w.issues(), 1);
    // A second, different change with the same actor and sequence number, validly signed.
    let (_, second) = w.edit_as(&w.peer, &w.peer.member.clone(), "Something else entirely");
    assert_eq!(first[0].seq(), second[0].seq());
    let out = w.push_signed(&second);
    assert!(
        refusal(&out).is_none(),
        "evidence is not a refusal: {out:?}"
    );
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Forked { key, seq: 1, .. } if *key == w.peer.key)),
        "{out:?}"
    );
    // The evidence goes to the peer, which can check it; the key is flagged.
    assert_eq!(
        sent(&out, |m| matches!(m, Message::Fork { .. })).len(),
        1,
        "{out:?}"
    );
    assert!(
        !w.docs.forks[&w.coalition].1.is_empty(),
        "the forked key is recorded"
    );
    // No other member built on either version yet: this node keeps the one it holds, and
    // sets nothing aside.
    assert_eq!(w.issues(), 1);
    assert!(!w.docs.kept_aside.contains_key(&w.coalition));
    // This node's member builds on its version: that is a witness, sent on, and the other
    // version is set aside with what its actor builds on it.
    let out = local_issue(&mut w, 60, "Raised on what A holds");
    let witnesses = sent(&out, |m| matches!(m, Message::Witness { .. }));
    assert_eq!(witnesses.len(), 1, "{out:?}");
    assert_eq!(w.issues(), 2);
    let mut b = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    b.apply_changes(second.clone()).unwrap();
    let later = raise(
        &mut b,
        &w.peer.member,
        61,
        "Built on the second version",
        "",
    );
    let head = sync::sign(&w.peer.signing, &later.last().unwrap().hash());
    let mut on_second = second.clone();
    on_second.extend(later.iter().cloned());
    let out = w.push(w.peer.key, &on_second, vec![head]);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Applied { .. })));
    assert_eq!(w.issues(), 2);
    // A third version is set aside too.
    let (_, third) = w.edit_as(&w.peer, &w.peer.member.clone(), "A third version");
    let out = w.push_signed(&third);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 2);
    let doc = w.docs.doc(&w.coalition).unwrap();
    assert!(AutoCommit::load(&doc.save()).is_ok());
    // A witness from a key that is no other member's counts for nothing: B "witnessing"
    // its own second version is refused as such.
    let Message::Witness { path, head, .. } = witnesses[0].clone() else {
        unreachable!()
    };
    assert!(sync::forks::Witness::check(&path, &head).is_ok());
    let own = vec![
        ByteChunk(second[0].raw_bytes().to_vec()),
        ByteChunk(later[0].raw_bytes().to_vec()),
    ];
    let own_head = SignedHead::from(&sync::sign(&w.peer.signing, &later[0].hash()));
    assert!(matches!(
        sync::forks::Witness::check(&own, &own_head),
        Err(Refusal::MalformedFork(_))
    ));
}

/// A fork message built from two versions, each signed by its actor at its end.
fn fork_message(w: &World, signing: &SigningKey, first: &[Change], second: &[Change]) -> Vec<u8> {
    let chunks = |c: &[Change]| {
        c.iter()
            .map(|c| ByteChunk(c.raw_bytes().to_vec()))
            .collect()
    };
    let head = |c: &[Change]| SignedHead::from(&sync::sign(signing, &c.last().unwrap().hash()));
    Message::Fork {
        coalition: wire(&w.coalition),
        first: chunks(first),
        first_head: head(first),
        second: chunks(second),
        second_head: head(second),
    }
    .encode()
}

/// A peer sends evidence of a fork made of `first` and `second`, signed by `signing`.
fn offer_fork(
    w: &mut World,
    signing: &SigningKey,
    first: &[Change],
    second: &[Change],
) -> Vec<Output> {
    let frame = fork_message(w, signing, first, second);
    w.node.received(&mut w.docs, w.peer.key, &frame)
}

/// No fork was learnt: none reported, none recorded.
fn no_fork_learnt(w: &World, out: &[Output]) {
    assert!(
        !out.iter().any(|o| matches!(o, Output::Forked { .. })),
        "{out:?}"
    );
    assert!(
        w.docs
            .forks
            .get(&w.coalition)
            .is_none_or(|f| f.1.is_empty())
    );
}

#[test]
fn two_changes_of_one_key_from_two_coalitions_are_no_fork() {
    // B belongs to this coalition and founded another: its first change in each has
    // sequence number 1. A hostile member presents the two as a fork in this coalition.
    let mut w = World::new();
    let (_, here) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    w.push_signed(&here);
    assert_eq!(w.issues(), 1);
    let mut elsewhere = CoalitionDoc::found(
        w.peer.key,
        Founding::new(
            CoalitionId::from_bytes([8; 16]),
            "Another coalition",
            w.peer.member.clone(),
            MemberProfile::named("B"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    let founding = elsewhere.changes_since(&[]);
    assert_eq!((here[0].seq(), founding[0].seq()), (1, 1));
    for (first, second) in [(&here, &founding), (&founding, &here)] {
        let signing = w.peer.signing.clone();
        let out = offer_fork(&mut w, &signing, first, second);
        no_fork_learnt(&w, &out);
    }
    assert_eq!(w.issues(), 1, "nothing set aside");
}

#[test]
fn evidence_that_arrives_before_what_it_builds_on_is_learnt_once_that_arrives() {
    // B's two versions both build on an issue of B's this node has not received yet.
    let mut w = World::new();
    let mut b = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let base_change = raise(&mut b, &w.peer.member, 1, "Bus fares", "");
    let saved = b.save();
    let version = |title: &str| {
        let mut v = CoalitionDoc::load(&saved, w.peer.key).unwrap();
        raise(&mut v, &w.peer.member, title.len() as u8, title, "")
    };
    let (first, second) = (version("One"), version("Another one"));
    assert_eq!(first[0].seq(), second[0].seq());
    let frame = fork_message(&w, &w.peer.signing, &first, &second);
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Forked { .. })));
    // The change both build on arrives: the evidence is learnt, and what it sets aside stays
    // out (B's later changes), while the issue before the fork stays in.
    let out = w.push_signed(&base_change);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Forked { key, seq: 2, .. } if *key == w.peer.key)),
        "{out:?}"
    );
    assert_eq!(w.issues(), 1);
    // No other member built on either version: the version that arrives is kept here.
    w.push_signed(&first);
    assert_eq!(w.issues(), 2, "nothing is set aside before a witness");
}

/// A node holding nothing of the coalition yet (joining it) can judge no evidence: its
/// inviter's evidence of two foundings by one key waits, unrefused, rather than being taken
/// for evidence that can never tie here.
#[test]
fn evidence_reaching_a_node_that_holds_nothing_yet_waits() {
    let mut w = World::new();
    w.docs
        .insert(w.coalition.clone(), AutoCommit::new(), vec![]);
    let founder = party(1);
    let founding = |name: &str| {
        let doc = CoalitionDoc::found(
            founder.key,
            Founding::new(
                w.coalition.clone(),
                name,
                founder.member.clone(),
                MemberProfile::named("A"),
                Timestamp::from_millis(0),
            ),
        )
        .unwrap();
        doc.automerge().clone().get_changes(&[])
    };
    let (first, second) = (founding("Transit Justice"), founding("Transit Justice Now"));
    assert_eq!((first.len(), second.len()), (1, 1));
    let frame = fork_message(&w, &founder.signing, &first, &second);
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(refusal(&out).is_none(), "{out:?}");
    no_fork_learnt(&w, &out);
}

#[test]
fn evidence_about_a_key_that_is_no_members_is_not_learnt() {
    let mut w = World::new();
    let outsider = party(3);
    let raw = |title: &str| {
        use automerge::transaction::Transactable;
        let mut d = AutoCommit::load(&w.base)
            .unwrap()
            .with_actor(outsider.key.actor());
        let before = d.get_heads();
        d.put(automerge::ROOT, "note", title).unwrap();
        d.commit();
        d.get_changes(&before)
    };
    let (first, second) = (raw("One"), raw("Another one"));
    assert_eq!((first[0].seq(), second[0].seq()), (1, 1));
    let out = offer_fork(&mut w, &outsider.signing, &first, &second);
    no_fork_learnt(&w, &out);
    // No honest node sends it (each sends evidence tied to its own copy, which holds what
    // this one does): refused, so that its reading of the governance is not free again.
    assert!(
        matches!(refusal(&out), Some(Refusal::MalformedFork(_))),
        "{out:?}"
    );
}

#[test]
fn a_version_that_does_not_continue_the_actors_previous_change_ties_nothing() {
    // B writes P (seq 1), then A2 and A3 on it. Its "second version" of change 2 hangs only
    // off A3, which the fork itself sets aside: a node that learnt it could not show it to a
    // node that joins later. Such evidence is not learnt anywhere.
    let mut w = World::new();
    let mut b = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let chain: Vec<Change> = ["P", "A2", "A3"]
        .iter()
        .enumerate()
        .flat_map(|(n, title)| raise(&mut b, &w.peer.member, 20 + n as u8, title, ""))
        .collect();
    w.push_signed(&chain);
    assert_eq!(w.issues(), 3);
    let (a2, a3) = (&chain[1], &chain[2]);
    let mut forged = a2.decode();
    forged.deps = vec![a3.hash()];
    forged.message = Some("another version".into());
    let b2 = Change::from(forged);
    assert_eq!(b2.seq(), a2.seq());
    let signing = w.peer.signing.clone();
    let out = offer_fork(&mut w, &signing, std::slice::from_ref(a2), &[b2]);
    no_fork_learnt(&w, &out);
    assert_eq!(w.issues(), 3, "nothing set aside");
}

#[test]
fn evidence_beyond_the_protocols_size_is_refused_on_every_node_alike() {
    let mut w = World::new();
    w.node.set_max_message(sync::wire::MAX_MESSAGE);
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "One");
    let big = "x".repeat(20_000);
    let mut doc = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let second: Vec<Change> = (0..40)
        .flat_map(|n| raise(&mut doc, &w.peer.member, 40 + n, "Long", &big))
        .collect();
    let bytes: usize = second.iter().map(|c| c.raw_bytes().len()).sum();
    assert!(bytes > sync::forks::MAX_FORK_BYTES, "{bytes}");
    let frame = fork_message(&w, &w.peer.signing, &first, &second);
    let mut out = Vec::new();
    for f in Message::decode(&frame).unwrap().frames() {
        out.extend(w.node.received(&mut w.docs, w.peer.key, &f));
    }
    assert!(
        // Refused for the allowance: its bytes, or its operations counted while parsed.
        matches!(refusal(&out), Some(Refusal::MalformedFork(m))
            if m.contains(&sync::forks::MAX_FORK_BYTES.to_string())
                && (m.contains("claims more than") || m.contains("larger than the message limit"))),
        "{:?}",
        refusal(&out)
    );
}

#[test]
fn a_rollback_far_back_is_shown_from_the_nearest_signature_kept() {
    // B writes 40 long issues, each pushed as it is made (so each arrives signed), then its
    // home is restored from a backup taken after the first and it writes again: a second
    // version of its change 2. From change 2 up to B's newest signature is more than evidence
    // may carry, but every signature received is kept: the one over change 2 itself makes
    // the evidence one change per version.
    let mut w = World::new();
    w.node.set_max_message(sync::wire::MAX_MESSAGE);
    let big = "x".repeat(20_000);
    let mut b = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let mut backup = None;
    let mut chain = Vec::new();
    for n in 0..40u8 {
        let changes = raise(&mut b, &w.peer.member, 40 + n, "Long", &big);
        let head = sync::sign(&w.peer.signing, &changes.last().unwrap().hash());
        let out = w.push(w.peer.key, &changes, vec![head]);
        assert!(refusal(&out).is_none(), "{out:?}");
        chain.extend(changes);
        if n == 0 {
            backup = Some(b.save());
        }
    }
    assert_eq!(w.issues(), 40);
    let bytes: usize = chain[1..].iter().map(|c| c.raw_bytes().len()).sum();
    assert!(bytes > sync::forks::MAX_FORK_BYTES, "{bytes}");
    let mut restored = CoalitionDoc::load(&backup.unwrap(), w.peer.key).unwrap();
    let again = raise(
        &mut restored,
        &w.peer.member,
        99,
        "Written after the restore",
        "",
    );
    assert_eq!(again[0].seq(), 2);
    let out = w.push_signed(&again);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Forked { key, seq: 2, .. } if *key == w.peer.key)),
        "{out:?}"
    );
    let evidence = out.iter().find_map(|o| match o {
        Output::Send { frame, .. } => match Message::decode(frame) {
            Ok(Message::Fork { first, second, .. }) => Some((first.len(), second.len())),
            _ => None,
        },
        _ => None,
    });
    assert_eq!(evidence, Some((1, 1)), "{out:?}");
    // Nothing is set aside: no other member built on the version written after the
    // restore, and this node keeps the one it holds.
    assert_eq!(w.issues(), 40);
}
