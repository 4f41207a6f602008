//! A hostile peer against one honest node: every attack is refused with the rule it broke,
//! nothing it sends gets stored or applied, and nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::collections::BTreeSet;

use automerge::{AutoCommit, Change};
use ed25519_dalek::SigningKey;
use model::{
    CoalitionDoc, CoalitionId, Founding, IssueId, MemberId, MemberProfile, NewIssue, NodeKey,
    Timestamp,
};
use sync::wire::ByteChunk;
use sync::{
    ChangeSignature, Documents, MemoryDocs, Message, Output, Refusal, SignedHead, SyncNode,
};

struct Party {
    signing: SigningKey,
    key: NodeKey,
    member: MemberId,
}

fn party(n: u8) -> Party {
    let signing = SigningKey::from_bytes(&[n; 32]);
    let key = NodeKey::from_bytes(signing.verifying_key().to_bytes());
    Party {
        signing,
        key,
        member: MemberId::from_bytes([n; 16]),
    }
}

struct World {
    peer: Party,
    outsider: Party,
    coalition: CoalitionId,
    /// The coalition as both members hold it.
    base: Vec<u8>,
    node: SyncNode,
    docs: MemoryDocs,
}

fn wire(c: &CoalitionId) -> [u8; 16] {
    c.to_bytes()
}

impl World {
    /// An honest node (member A) connected to a member peer B that has said Hello.
    fn new() -> Self {
        let (honest, peer, outsider) = (party(1), party(2), party(3));
        let coalition = CoalitionId::from_bytes([7; 16]);
        let mut doc = CoalitionDoc::found(
            honest.key,
            Founding::new(
                coalition.clone(),
                "Transit Justice",
                honest.member.clone(),
                MemberProfile::named("A"),
                Timestamp::from_millis(0),
            ),
        )
        .unwrap();
        doc.admit_member(
            &honest.member,
            &peer.member,
            &MemberProfile::named("B"),
            peer.key,
            Timestamp::from_millis(1),
        )
        .unwrap();
        let head = sync::sign(&honest.signing, &doc.heads()[0]);
        let base = doc.save();
        let mut docs = MemoryDocs::new(honest.key);
        docs.insert(
            coalition.clone(),
            AutoCommit::load(&base)
                .unwrap()
                .with_actor(honest.key.actor()),
            vec![head],
        );
        let mut node = SyncNode::new();
        node.connected(&mut docs, peer.key);
        let hello = Message::Hello {
            coalitions: vec![wire(&coalition)],
        }
        .encode();
        node.received(&mut docs, peer.key, &hello);
        World {
            peer,
            outsider,
            coalition,
            base,
            node,
            docs,
        }
    }

    /// A copy of the coalition editing as `who`, with one new issue raised by `member`.
    fn edit_as(&self, who: &Party, member: &MemberId, title: &str) -> (AutoCommit, Vec<Change>) {
        let mut doc = CoalitionDoc::load(&self.base, who.key).unwrap();
        let before = doc.heads();
        let id = IssueId::from_bytes([title.len() as u8; 16]);
        // A hostile node can write whatever it likes into its own copy: bypass validation by
        // acting as a member id it claims.
        let _ = doc.add_issue(
            member,
            NewIssue {
                id,
                title: title.into(),
                description: String::new(),
                tags: vec![],
                lead: None,
            },
            Timestamp::from_millis(5),
        );
        let changes = doc.changes_since(&before);
        (doc.into_automerge(), changes)
    }

    fn push(
        &mut self,
        from: NodeKey,
        changes: &[Change],
        heads: Vec<ChangeSignature>,
    ) -> Vec<Output> {
        let frame = Message::Changes {
            coalition: wire(&self.coalition),
            changes: changes
                .iter()
                .map(|c| ByteChunk(c.raw_bytes().to_vec()))
                .collect(),
            heads: sync::wire::heads(&heads),
            vouchers: Vec::new(),
        }
        .encode();
        self.node.received(&mut self.docs, from, &frame)
    }

    /// Pushes `changes` from the member peer B, signed by it over the last one.
    fn push_signed(&mut self, changes: &[Change]) -> Vec<Output> {
        let head = sync::sign(&self.peer.signing, &changes.last().unwrap().hash());
        self.push(self.peer.key, changes, vec![head])
    }

    fn issues(&mut self) -> usize {
        let doc = self.docs.doc(&self.coalition).unwrap().fork();
        CoalitionDoc::from_automerge(doc)
            .unwrap()
            .read()
            .unwrap()
            .issues
            .len()
    }

    fn persisted(&self) -> usize {
        self.docs.persisted[&self.coalition].0.len()
    }
}

fn refusal(out: &[Output]) -> Option<&Refusal> {
    out.iter().find_map(|o| match o {
        Output::Refused { reason, .. } => Some(reason),
        _ => None,
    })
}

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

/// The honest node (member A) raises an issue on what it holds, as its replica would: the
/// change is applied, stored with its signature, and handed to the sync protocol.
fn local_issue(w: &mut World, n: u8, title: &str) -> Vec<Output> {
    let honest = party(1);
    let held = w.docs.doc(&w.coalition).unwrap().fork();
    let mut doc = CoalitionDoc::from_automerge(held.with_actor(honest.key.actor())).unwrap();
    let changes = raise(&mut doc, &honest.member, n, title, "");
    let head = sync::sign(&honest.signing, &changes.last().unwrap().hash());
    w.docs
        .doc(&w.coalition)
        .unwrap()
        .apply_changes(changes.clone())
        .unwrap();
    w.docs.local_edit(&w.coalition, &changes, head.clone());
    w.node
        .local_changes(&mut w.docs, &w.coalition, &changes, head)
}

/// The frames of kind `kind` sent in `out`.
fn sent(out: &[Output], kind: fn(&Message) -> bool) -> Vec<Message> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { frame, .. } => Message::decode(frame).ok().filter(&kind),
            _ => None,
        })
        .collect()
}

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

#[test]
fn an_outsider_learns_nothing_and_gets_nothing() {
    let mut w = World::new();
    let outsider = w.outsider.key;
    let out = w.node.connected(&mut w.docs, outsider);
    // The hello to an outsider names no coalition.
    for o in &out {
        if let Output::Send { frame, .. } = o {
            assert_eq!(
                Message::decode(frame).unwrap(),
                Message::Hello { coalitions: vec![] }
            );
        }
    }
    // Asking for the coalition by id (learned elsewhere) gets nothing back.
    let hello = Message::Hello {
        coalitions: vec![wire(&w.coalition)],
    }
    .encode();
    let out = w.node.received(&mut w.docs, outsider, &hello);
    assert!(out.is_empty(), "{out:?}");
    let mut probe = AutoCommit::new();
    let mut state = automerge::sync::State::new();
    let msg = automerge::sync::SyncDoc::generate_sync_message(&probe.sync(), &mut state).unwrap();
    let frame = Message::Sync {
        coalition: wire(&w.coalition),
        sync: msg.encode(),
        heads: vec![],
        vouchers: Vec::new(),
    }
    .encode();
    let out = w.node.received(&mut w.docs, outsider, &frame);
    assert!(
        !out.iter().any(|o| matches!(o, Output::Send { .. })),
        "{out:?}"
    );
    assert!(matches!(refusal(&out), Some(Refusal::NotShared)));
}

#[test]
fn malformed_oversized_and_unknown_version_frames_are_refused_and_repeated_abuse_disconnects() {
    let mut w = World::new();
    let peer = w.peer.key;
    let mut frames: Vec<Vec<u8>> = vec![
        vec![],
        vec![9, 1, 2, 3],
        vec![1, 0xff, 0xff, 0xff],
        vec![1; sync::wire::MAX_FRAME + 1],
    ];
    let mut valid_sync = Message::Sync {
        coalition: wire(&w.coalition),
        sync: vec![0x42, 0, 0, 0, 0xde, 0xad],
        heads: vec![],
        vouchers: Vec::new(),
    }
    .encode();
    frames.push(valid_sync.clone());
    valid_sync.extend([1, 2, 3]);
    frames.push(valid_sync);
    let mut disconnected = false;
    for (n, f) in frames
        .iter()
        .cycle()
        .take(sync::node::MAX_STRIKES as usize)
        .enumerate()
    {
        let out = w.node.received(&mut w.docs, peer, f);
        assert!(
            refusal(&out).is_some(),
            "frame {n} was not refused: {out:?}"
        );
        disconnected |= out.iter().any(|o| matches!(o, Output::Disconnect { .. }));
    }
    assert!(disconnected, "a peer sending only garbage is disconnected");
    assert_eq!(w.issues(), 0);
    assert!(
        w.docs.entry(&w.coalition).is_some(),
        "the coalition is intact"
    );
}

#[test]
fn large_messages_travel_in_fragments_and_bad_fragments_are_refused() {
    use sync::wire::{MAX_FRAGMENT, VERSION};
    let mut w = World::new();
    // A sync message too large for one frame: split, reassembled, then parsed (and refused for
    // its garbage content, which shows it reached the parser whole).
    let msg = Message::Sync {
        coalition: wire(&w.coalition),
        sync: vec![0x42; MAX_FRAGMENT * 2 + 10],
        heads: vec![],
        vouchers: Vec::new(),
    };
    let frames = msg.frames();
    assert_eq!(frames.len(), 3, "the message was split");
    assert!(frames.iter().all(|f| f.len() <= MAX_FRAGMENT + 64));
    for f in &frames[..2] {
        assert!(
            w.node.received(&mut w.docs, w.peer.key, f).is_empty(),
            "pieces are held until the last"
        );
    }
    let out = w.node.received(&mut w.docs, w.peer.key, &frames[2]);
    assert!(
        matches!(refusal(&out), Some(Refusal::MalformedSync(_))),
        "{out:?}"
    );
    // Out-of-order and orphan fragments are refused.
    let out = w.node.received(&mut w.docs, w.peer.key, &frames[1]);
    assert!(matches!(refusal(&out), Some(Refusal::Wire(_))), "{out:?}");
    let first = Message::Fragment {
        index: 0,
        total: 2,
        bytes: ByteChunk(vec![VERSION, 0xff]),
    }
    .encode();
    assert!(
        w.node.received(&mut w.docs, w.peer.key, &first).is_empty(),
        "first piece is held"
    );
    let out = w.node.received(
        &mut w.docs,
        w.peer.key,
        &Message::Fragment {
            index: 1,
            total: 2,
            bytes: ByteChunk(vec![0xff]),
        }
        .encode(),
    );
    assert!(
        matches!(refusal(&out), Some(Refusal::Wire(_))),
        "a reassembled garbage message is refused: {out:?}"
    );
    let huge = Message::Fragment {
        index: 0,
        total: u32::MAX,
        bytes: ByteChunk(vec![]),
    }
    .encode();
    assert!(matches!(
        refusal(&w.node.received(&mut w.docs, w.peer.key, &huge)),
        Some(Refusal::Wire(_))
    ));
}

#[test]
fn a_peer_speaking_another_protocol_version_is_told_and_disconnected() {
    let mut w = World::new();
    let peer = w.peer.key;
    // A frame in a future version: this node names its own version, then disconnects.
    let out = w.node.received(&mut w.docs, peer, &[7, 1, 2, 3]);
    assert!(out.iter().any(|o| matches!(o,
        Output::Send { peer: p, frame } if *p == peer && *frame == sync::wire::version_notice())));
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Incompatible { speaks: 7, .. }))
    );
    assert!(out.iter().any(|o| matches!(o, Output::Disconnect { .. })));
    // A version notice from the peer: no answer, just the disconnection.
    let out = w.node.received(&mut w.docs, peer, &[sync::wire::NOTICE, 9]);
    assert!(!out.iter().any(|o| matches!(o, Output::Send { .. })));
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Incompatible { speaks: 9, .. }))
    );
    assert!(out.iter().any(|o| matches!(o, Output::Disconnect { .. })));
    // A malformed notice is an ordinary malformed frame.
    let out = w
        .node
        .received(&mut w.docs, peer, &[sync::wire::NOTICE, 9, 9]);
    assert!(matches!(refusal(&out), Some(Refusal::Wire(_))), "{out:?}");
}

#[test]
fn a_node_with_a_lower_message_limit_refuses_larger_messages_whole_or_in_pieces() {
    use sync::wire::{MAX_MESSAGE, MIN_MESSAGE_LIMIT};
    let mut w = World::new();
    w.node.set_max_message(0);
    assert_eq!(
        w.node.max_message(),
        MIN_MESSAGE_LIMIT,
        "clamped to the floor"
    );
    w.node.set_max_message(usize::MAX);
    assert_eq!(w.node.max_message(), MAX_MESSAGE, "clamped to the ceiling");
    w.node.set_max_message(MIN_MESSAGE_LIMIT);

    let sized = |n: usize| Message::Sync {
        coalition: wire(&w.coalition),
        sync: vec![0x42; n],
        heads: vec![],
        vouchers: Vec::new(),
    };
    let too_large = |out: &[Output]| {
        matches!(
            refusal(out),
            Some(Refusal::Wire(sync::wire::WireError::TooLarge(_)))
        )
    };
    // One frame above the limit: refused before it is parsed as a sync message.
    let frames = sized(MIN_MESSAGE_LIMIT + 1).frames();
    assert_eq!(frames.len(), 1);
    let out = w.node.received(&mut w.docs, w.peer.key, &frames[0]);
    assert!(too_large(&out), "{out:?}");
    // Fragments adding up to more than the limit: refused at the piece that crosses it.
    let frames = sized(sync::wire::MAX_FRAGMENT + 10).frames();
    assert_eq!(frames.len(), 2);
    let out = w.node.received(&mut w.docs, w.peer.key, &frames[0]);
    assert!(too_large(&out), "{out:?}");
    // A message within the limit still reaches the parser.
    let frames = sized(1000).frames();
    let out = w.node.received(&mut w.docs, w.peer.key, &frames[0]);
    assert!(
        matches!(refusal(&out), Some(Refusal::MalformedSync(_))),
        "{out:?}"
    );
}

// A member's node sending changes that do not chain, or that refer to what is not there:
// each is refused before Automerge sees it (which would panic or keep a document it can no
// longer save and load), nothing is stored, and the node goes on working.

use automerge::ExpandedChange;
use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};

/// B's honest change (an issue), taken apart for forging.
fn honest_expanded(w: &World) -> ExpandedChange {
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    assert_eq!(changes.len(), 1);
    changes[0].decode()
}

/// Pushes a forged change, signed by B, and returns the refusal.
fn push_forged(w: &mut World, forged: ExpandedChange) -> Vec<Output> {
    let change = Change::from(forged);
    let head = sync::sign(&w.peer.signing, &change.hash());
    w.push(w.peer.key, &[change], vec![head])
}

/// Nothing of the forgery is there, the document saves and loads as itself, and an honest
/// change of B's is still accepted.
fn still_sound(w: &mut World, persisted: usize) {
    assert_eq!(w.persisted(), persisted, "nothing stored");
    let doc = w.docs.doc(&w.coalition).unwrap();
    let saved = doc.save();
    let mut loaded = AutoCommit::load(&saved).expect("the document loads");
    assert_eq!(loaded.get_heads(), doc.get_heads());
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Still working");
    let out = w.push_signed(&changes);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 1);
}

fn malformed(out: &[Output], why: &str) {
    match refusal(out) {
        Some(Refusal::MalformedChange(m)) => {
            assert!(m.contains(why), "refused for {m:?}, not {why:?}")
        }
        other => panic!("not refused as malformed ({why}): {other:?} in {out:?}"),
    }
}

#[test]
fn a_change_whose_sequence_number_skips_is_refused() {
    let mut w = World::new();
    let persisted = w.persisted();
    let mut forged = honest_expanded(&w);
    forged.seq = 3;
    malformed(&push_forged(&mut w, forged), "does not follow");
    still_sound(&mut w, persisted);
}

#[test]
fn a_change_that_leaves_out_its_actors_previous_change_is_refused() {
    let mut w = World::new();
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "First");
    let head = sync::sign(&w.peer.signing, &first[0].hash());
    assert!(refusal(&w.push(w.peer.key, &first, vec![head])).is_none());
    let persisted = w.persisted();
    // Seq 2 of B, but depending only on the coalition as it was before B's seq 1.
    let mut forged = honest_expanded(&w);
    forged.seq = 2;
    forged.operations.truncate(1);
    let out = push_forged(&mut w, forged);
    malformed(&out, "does not follow");
    assert_eq!(w.persisted(), persisted);
}

#[test]
fn a_change_whose_operation_counters_overlap_earlier_ones_is_refused() {
    let mut w = World::new();
    let persisted = w.persisted();
    let mut forged = honest_expanded(&w);
    forged.start_op = std::num::NonZeroU64::new(2).unwrap();
    malformed(&push_forged(&mut w, forged), "starts at operation");
    still_sound(&mut w, persisted);
}

#[test]
fn operations_referring_to_what_is_not_there_are_refused_or_wait() {
    let mut w = World::new();
    let persisted = w.persisted();
    let a = party(1).key.actor();
    // Written into an existing operation that is no object: the founding's own second op.
    let mut forged = honest_expanded(&w);
    forged.operations[0].obj = ObjectId::Id(OpId(2, a.clone()));
    malformed(&push_forged(&mut w, forged), "not an object");
    // A map key on the root, then a list position on a map.
    let mut forged = honest_expanded(&w);
    forged.operations[0].key = Key::Seq(ElementId::Head);
    forged.operations[0].insert = true;
    malformed(&push_forged(&mut w, forged), "wrong kind");
    // Referring to its own later operation.
    let mut forged = honest_expanded(&w);
    let start = forged.start_op.get();
    forged.operations[1].obj = ObjectId::Id(OpId(start + 5, w.peer.key.actor()));
    malformed(&push_forged(&mut w, forged), "later one");
    // An object that exists nowhere (yet): the change waits for it, nothing is refused
    // and nothing applied.
    let mut forged = honest_expanded(&w);
    forged.operations[0].obj = ObjectId::Id(OpId(1, party(9).key.actor()));
    let out = push_forged(&mut w, forged);
    assert!(
        !out.iter().any(|o| matches!(o, Output::Applied { .. })),
        "{out:?}"
    );
    // A counter, then an increment.
    let mut forged = honest_expanded(&w);
    forged.operations[1].action = OpType::Put(automerge::ScalarValue::counter(5));
    malformed(&push_forged(&mut w, forged), "does not hold");
    still_sound(&mut w, persisted);
}

#[test]
fn a_predecessor_in_another_place_is_refused_and_the_document_stays_sound() {
    let mut w = World::new();
    let persisted = w.persisted();
    // Overwrites the issue's title, naming as predecessor the value of another key of the
    // founding change (one in the document, not at this place).
    let mut forged = honest_expanded(&w);
    let a = party(1).key.actor();
    let (obj, key) = (
        forged.operations[1].obj.clone(),
        forged.operations[1].key.clone(),
    );
    let mut op = forged.operations[1].clone();
    op.obj = ObjectId::Root;
    op.key = Key::Map("schema".into());
    op.pred = vec![OpId(2, a)].into();
    op.action = OpType::Put(automerge::ScalarValue::Uint(9));
    let _ = (obj, key);
    forged.operations.push(op);
    let out = push_forged(&mut w, forged);
    malformed(&out, "");
    still_sound(&mut w, persisted);
}

#[test]
fn a_message_whose_changes_hold_too_many_operations_in_all_is_refused() {
    use sync::wire::{MESSAGE_BYTES_PER_OP, MIN_MESSAGE_LIMIT};
    let mut w = World::new();
    w.node.set_max_message(MIN_MESSAGE_LIMIT);
    let most = MIN_MESSAGE_LIMIT / MESSAGE_BYTES_PER_OP;
    // Issues whose descriptions are one operation per character: a few kilobytes on the
    // wire, more operations in all than this node takes in one message.
    let mut doc = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let long = "a".repeat(20_000);
    let changes: Vec<Change> = (0..=most / 20_000)
        .flat_map(|i| raise(&mut doc, &w.peer.member, 9 + i as u8, "Long", &long))
        .collect();
    let mut changes = changes;
    let bytes: usize = changes.iter_mut().map(|c| c.bytes().len()).sum();
    assert!(bytes < MIN_MESSAGE_LIMIT / 10, "{bytes} bytes on the wire");
    let head = sync::sign(&w.peer.signing, &changes.last().unwrap().hash());
    let persisted = w.persisted();
    let out = w.push(w.peer.key, &changes, vec![head]);
    // Refused as the allowance ran out while its columns were read.
    malformed(&out, "operations (rows)");
    still_sound(&mut w, persisted);
}

#[test]
fn a_change_with_no_operations_is_refused() {
    let mut w = World::new();
    let mut forged = honest_expanded(&w);
    forged.operations.clear();
    let persisted = w.persisted();
    let out = push_forged(&mut w, forged);
    malformed(&out, "no operations");
    still_sound(&mut w, persisted);
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

/// Raises issue `n` (as `who`) on `doc`, and returns the changes it made.
fn raise(
    doc: &mut CoalitionDoc,
    who: &MemberId,
    n: u8,
    title: &str,
    description: &str,
) -> Vec<Change> {
    let before = doc.heads();
    doc.add_issue(
        who,
        NewIssue {
            id: IssueId::from_bytes([n; 16]),
            title: title.into(),
            description: description.into(),
            tags: vec![],
            lead: None,
        },
        Timestamp::from_millis(5),
    )
    .unwrap();
    doc.changes_since(&before)
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
