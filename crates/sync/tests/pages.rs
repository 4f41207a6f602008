//! A catch-up heavier than one message travels in pages: each a batch of whole changes in
//! causal order, under the receiver's message limit, ending for every actor at a change the
//! sender holds a signature over; the next page goes when the receiver answers. A node joining
//! a coalition whose history weighs more than its limit gets it all, and is told it has joined
//! only once it holds what the sender had.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use automerge::AutoCommit;
use ed25519_dalek::SigningKey;
use model::{
    CoalitionDoc, CoalitionId, Founding, IssueId, MemberId, MemberProfile, NewIssue, NodeKey,
    Timestamp,
};
use sync::verify::{Carried, decode_sync};
use sync::wire::{MAX_MESSAGE, MIN_MESSAGE_LIMIT};
use sync::{Documents, MemoryDocs, Message, Output, Refusal, SyncNode};

struct Side {
    key: NodeKey,
    node: SyncNode,
    docs: MemoryDocs,
}

fn key(n: u8) -> (SigningKey, NodeKey) {
    let s = SigningKey::from_bytes(&[n; 32]);
    let k = NodeKey::from_bytes(s.verifying_key().to_bytes());
    (s, k)
}

/// How A signed what it holds.
#[derive(Clone, Copy, PartialEq)]
enum Signed {
    /// Every edit, as a node that made them all keeps a signature over each.
    EveryEdit,
    /// Only its newest change, as a node that received it all in one message keeps.
    NewestOnly,
}

/// A, holding a coalition that admitted B and C and then raised `issues` issues with a description
/// of `chars` characters each, one edit (one change) per issue; B, holding nothing, joining
/// it through A.
fn world(issues: usize, chars: usize, signed: Signed) -> (Side, Side, CoalitionId) {
    let ((sa, ka), (_, kb)) = (key(1), key(2));
    let c = CoalitionId::from_bytes([7; 16]);
    let founder = MemberId::from_bytes([1; 16]);
    let mut doc = CoalitionDoc::found(
        ka,
        Founding::new(
            c.clone(),
            "Transit Justice",
            founder.clone(),
            MemberProfile::named("A"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    doc.admit_member(
        &founder,
        &MemberId::from_bytes([2; 16]),
        &MemberProfile::named("B"),
        kb,
        Timestamp::from_millis(1),
    )
    .unwrap();
    doc.admit_member(
        &founder,
        &MemberId::from_bytes([3; 16]),
        &MemberProfile::named("C"),
        key(3).1,
        Timestamp::from_millis(1),
    )
    .unwrap();
    let mut sigs = vec![sync::sign(&sa, &doc.heads()[0])];
    for i in 0..issues {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&(i as u64).to_be_bytes());
        let text: String = (0..chars)
            .map(|k| char::from(b'a' + ((i + k) % 26) as u8))
            .collect();
        doc.add_issue(
            &founder,
            NewIssue {
                id: IssueId::from_bytes(id),
                title: format!("Issue {i}"),
                description: text,
                tags: vec!["transit".into(), "housing".into()],
                lead: None,
            },
            Timestamp::from_millis(2 + i as i64),
        )
        .unwrap();
        sigs.push(sync::sign(&sa, &doc.heads()[0]));
    }
    if signed == Signed::NewestOnly {
        sigs.drain(..sigs.len() - 1);
    }
    let mut a = Side {
        key: ka,
        node: SyncNode::new(),
        docs: MemoryDocs::new(ka),
    };
    a.docs.insert(
        c.clone(),
        AutoCommit::load(&doc.save())
            .unwrap()
            .with_actor(ka.actor()),
        sigs,
    );
    let mut b = Side {
        key: kb,
        node: SyncNode::new(),
        docs: MemoryDocs::new(kb),
    };
    b.docs.create(&c).unwrap();
    b.node.join(
        &mut b.docs,
        c.clone(),
        sync::JoinRequest {
            inviter: ka,
            secret: [3; 16],
            org: "B".into(),
        },
    );
    (a, b, c)
}

/// [`world`] of 60 issues of 3,000 characters (180,000 operations, about 5.8 MB), both nodes
/// taking messages of 1 MiB at most (32,768 operations): six pages at least.
fn heavy_world(signed: Signed) -> (Side, Side, CoalitionId) {
    let (mut a, mut b, c) = world(60, 3_000, signed);
    a.node.set_max_message(MIN_MESSAGE_LIMIT);
    b.node.set_max_message(MIN_MESSAGE_LIMIT);
    (a, b, c)
}

/// What crossed from A to B, and what came of it.
#[derive(Default)]
struct Seen {
    /// Sync messages from A carrying changes: (changes, bytes).
    pages: Vec<(usize, usize)>,
    /// Whether B had all of A's heads when it was told it joined (one entry per `Joined`).
    joined_whole: Vec<bool>,
    refused: Vec<Refusal>,
}

/// Carries frames between A and B until both are quiet.
/// (`a` sends, `b` receives: what `b` is told of joining is checked against `a`'s heads.)
fn exchange(a: &mut Side, b: &mut Side, c: &CoalitionId) -> Seen {
    exchange_with(a, b, c, |_, _| Vec::new())
}

/// [`exchange`], with `between` run after each delivery to B: what it returns is A's to send.
fn exchange_with(
    a: &mut Side,
    b: &mut Side,
    c: &CoalitionId,
    mut between: impl FnMut(&mut Side, &mut Side) -> Vec<Output>,
) -> Seen {
    let mut seen = Seen::default();
    let mut to_b: Vec<Vec<u8>> = Vec::new();
    let mut to_a: Vec<Vec<u8>> = Vec::new();
    let take = |out: Vec<Output>, q: &mut Vec<Vec<u8>>, seen: &mut Seen, whole: bool| {
        for o in out {
            match o {
                Output::Send { frame, .. } => q.push(frame),
                Output::Refused { reason, .. } => seen.refused.push(reason),
                Output::Joined { .. } => seen.joined_whole.push(whole),
                _ => {}
            }
        }
    };
    take(
        a.node.connected(&mut a.docs, b.key),
        &mut to_b,
        &mut seen,
        false,
    );
    take(
        b.node.connected(&mut b.docs, a.key),
        &mut to_a,
        &mut seen,
        false,
    );
    for _ in 0..1_000 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        for f in std::mem::take(&mut to_b) {
            if let Ok(Message::Sync { sync, .. }) = Message::decode(&f)
                && let Ok((_, Carried::Changes(changes))) = decode_sync(&sync, MAX_MESSAGE)
                && !changes.is_empty()
            {
                seen.pages.push((changes.len(), sync.len()));
            }
            let out = b.node.received(&mut b.docs, a.key, &f);
            let whole = b.docs.doc(c).unwrap().get_heads() == a.docs.doc(c).unwrap().get_heads();
            take(out, &mut to_a, &mut seen, whole);
            let more = between(a, b);
            take(more, &mut to_b, &mut seen, false);
        }
        for f in std::mem::take(&mut to_a) {
            take(
                a.node.received(&mut a.docs, b.key, &f),
                &mut to_b,
                &mut seen,
                false,
            );
        }
    }
    seen
}

/// `joiner` holds all `holder` holds, refused nothing on the way, and was told it joined once,
/// when it held it all.
fn assert_joined(seen: &Seen, joiner: &mut Side, holder: &mut Side, c: &CoalitionId) {
    assert!(seen.refused.is_empty(), "{:?}", seen.refused);
    assert_eq!(
        joiner.docs.doc(c).unwrap().get_heads(),
        holder.docs.doc(c).unwrap().get_heads(),
        "it holds all the sender's history"
    );
    assert_eq!(
        seen.joined_whole,
        vec![true],
        "joined once, when it held all the sender had"
    );
}

/// A history over six times the receiver's limit ([`heavy_world`]) arrives in pages under it,
/// each change once.
#[test]
fn a_history_heavier_than_the_receivers_limit_arrives_in_pages() {
    let (mut a, mut b, c) = heavy_world(Signed::EveryEdit);
    let seen = exchange(&mut a, &mut b, &c);
    assert_joined(&seen, &mut b, &mut a, &c);
    assert!(seen.pages.len() >= 6, "in pages: {:?}", seen.pages);
    assert!(
        seen.pages
            .iter()
            .all(|(_, bytes)| *bytes <= MIN_MESSAGE_LIMIT),
        "{:?}",
        seen.pages
    );
    // Each change went once: the "nothing here" B said as the first page crossed it did not
    // start the pages over.
    assert_eq!(
        seen.pages.iter().map(|(n, _)| n).sum::<usize>(),
        a.docs.persisted[&c].0.len(),
        "{:?}",
        seen.pages
    );
    // What B keeps is what A holds: every change.
    assert_eq!(
        b.docs.persisted[&c].0.len(),
        a.docs.persisted[&c].0.len(),
        "every change stored"
    );
}

/// A node that caught up in pages keeps the signature at each page's end, so it can page the
/// same history to the next member that joins through it.
#[test]
fn a_node_that_caught_up_in_pages_pages_it_onward() {
    let (mut a, mut b, c) = heavy_world(Signed::EveryEdit);
    let seen = exchange(&mut a, &mut b, &c);
    assert!(seen.refused.is_empty(), "{:?}", seen.refused);
    let (_, kc) = key(3);
    let mut third = Side {
        key: kc,
        node: SyncNode::new(),
        docs: MemoryDocs::new(kc),
    };
    third.node.set_max_message(MIN_MESSAGE_LIMIT);
    third.docs.create(&c).unwrap();
    third.node.join(
        &mut third.docs,
        c.clone(),
        sync::JoinRequest {
            inviter: b.key,
            secret: [4; 16],
            org: "C".into(),
        },
    );
    let seen = exchange(&mut b, &mut third, &c);
    assert_joined(&seen, &mut third, &mut b, &c);
    assert!(seen.pages.len() >= 6, "in pages: {:?}", seen.pages);
}

/// The sender pages for the receiver's limit, which the receiver tells in its Hello, not for
/// its own (higher) one.
#[test]
fn pages_fit_the_receivers_limit_when_the_sender_takes_more() {
    let (mut a, mut b, c) = world(60, 3_000, Signed::EveryEdit);
    b.node.set_max_message(MIN_MESSAGE_LIMIT);
    let seen = exchange(&mut a, &mut b, &c);
    assert_joined(&seen, &mut b, &mut a, &c);
    assert!(seen.pages.len() >= 6, "in pages: {:?}", seen.pages);
}

/// A history small enough for one message still goes in one (as a snapshot, to a node that
/// holds nothing).
#[test]
fn a_light_history_is_not_paged() {
    let (mut a, mut b, c) = world(20, 200, Signed::EveryEdit);
    a.node.set_max_message(MIN_MESSAGE_LIMIT);
    b.node.set_max_message(MIN_MESSAGE_LIMIT);
    let seen = exchange(&mut a, &mut b, &c);
    assert_joined(&seen, &mut b, &mut a, &c);
    assert!(seen.pages.is_empty(), "as a snapshot: {:?}", seen.pages);
}

/// A history heavier than one message of changes to the receiver but within what it takes
/// in a snapshot (a quarter of the weight an operation, `snapshot::SNAPSHOT_BYTES_PER_OP`)
/// goes whole as a snapshot, not in pages: 90,000 operations at a limit of 1 MiB, which takes
/// 32,768 as changes and 131,072 in a snapshot.
#[test]
fn a_history_within_the_snapshot_limit_goes_whole_though_heavier_than_a_message() {
    let (mut a, mut b, c) = world(30, 3_000, Signed::EveryEdit);
    let ops = automerge::ReadDoc::stats(a.docs.doc(&c).unwrap().document()).num_ops;
    let as_changes = (MIN_MESSAGE_LIMIT / sync::wire::MESSAGE_BYTES_PER_OP) as u64;
    assert!(ops > as_changes, "{ops} operations");
    assert!(ops < sync::snapshot::ops_limit(0, MIN_MESSAGE_LIMIT));
    a.node.set_max_message(MIN_MESSAGE_LIMIT);
    b.node.set_max_message(MIN_MESSAGE_LIMIT);
    let seen = exchange(&mut a, &mut b, &c);
    assert_joined(&seen, &mut b, &mut a, &c);
    assert!(seen.pages.is_empty(), "as a snapshot: {:?}", seen.pages);
}

/// A sender holding a signature over its newest change only cannot cut the history where
/// the receiver could check a page: it sends nothing it knows the receiver must refuse, and
/// says why; the receiver is not left half-joined (it holds nothing, and is not told it joined).
#[test]
fn a_history_that_cannot_be_paged_is_not_sent_over_the_limit() {
    let (mut a, mut b, c) = heavy_world(Signed::NewestOnly);
    let seen = exchange(&mut a, &mut b, &c);
    assert!(seen.pages.is_empty(), "nothing sent: {:?}", seen.pages);
    // Nothing refused as broken or too large; the rounds that bring nothing end in the idle
    // cut-off.
    assert!(
        seen.refused.iter().all(|r| matches!(
            r,
            Refusal::TooMuchWork | Refusal::StartedOver | Refusal::NotShared
        )),
        "{:?}",
        seen.refused
    );
    assert!(seen.joined_whole.is_empty());
    assert!(b.docs.doc(&c).unwrap().get_heads().is_empty());
}

/// A raises an issue while B is still catching up in pages: the new change depends on
/// changes not sent yet, so it waits for them (pushed alone, B cannot apply it and asks
/// again); B ends with everything, refusing nothing.
#[test]
fn an_edit_made_during_a_paged_catch_up_arrives_after_what_it_depends_on() {
    let (mut a, mut b, c) = heavy_world(Signed::EveryEdit);
    let (sa, _) = key(1);
    let mut edited = false;
    let seen = exchange_with(&mut a, &mut b, &c, |a, b| {
        let held = b.docs.doc(&c).unwrap().get_heads();
        if edited || held.is_empty() {
            return Vec::new();
        }
        edited = true;
        let doc = a.docs.entry(&c).unwrap().0;
        let before = doc.get_heads();
        let mut model_doc =
            CoalitionDoc::from_automerge(std::mem::replace(doc, AutoCommit::new())).unwrap();
        model_doc
            .add_issue(
                &MemberId::from_bytes([1; 16]),
                NewIssue {
                    id: IssueId::from_bytes([0xee; 16]),
                    title: "Raised during the join".into(),
                    description: "Bus shelters".into(),
                    tags: vec![],
                    lead: None,
                },
                Timestamp::from_millis(10_000),
            )
            .unwrap();
        *doc = model_doc.into_automerge();
        let changes = doc.get_changes(&before);
        let head = sync::sign(&sa, &changes.last().unwrap().hash());
        a.docs.local_edit(&c, &changes, head.clone());
        a.node.local_changes(&mut a.docs, &c, &changes, head)
    });
    assert!(edited);
    assert_joined(&seen, &mut b, &mut a, &c);
}

fn frames(out: Vec<Output>) -> Vec<Vec<u8>> {
    out.into_iter()
        .filter_map(|o| match o {
            Output::Send { frame, .. } => Some(frame),
            _ => None,
        })
        .collect()
}

/// A and B of [`heavy_world`] connected, B having taken a first page; then B (as a hostile
/// peer would) saying over and over that it holds nothing, between messages claiming it
/// holds all A holds, until A pauses the coalition's sync with it. The refusal, if any, and
/// the two frames B sent over and over.
fn start_over_until_cut_off() -> (Side, Side, CoalitionId, Option<Refusal>, [Vec<u8>; 2]) {
    let (mut a, mut b, c) = heavy_world(Signed::EveryEdit);
    let mut to_b = frames(a.node.connected(&mut a.docs, b.key));
    let mut to_a = frames(b.node.connected(&mut b.docs, a.key));
    // B's first sync message: it holds nothing.
    let mut nothing = None;
    while b.docs.doc(&c).unwrap().get_heads().is_empty() {
        for f in std::mem::take(&mut to_a) {
            if nothing.is_none() && matches!(Message::decode(&f), Ok(Message::Sync { .. })) {
                nothing = Some(f.clone());
            }
            to_b.extend(frames(a.node.received(&mut a.docs, b.key, &f)));
        }
        for f in std::mem::take(&mut to_b) {
            to_a.extend(frames(b.node.received(&mut b.docs, a.key, &f)));
        }
    }
    let nothing = nothing.expect("B asked");
    // The same, claiming to hold all A holds (heads A's, no summary): Automerge takes it
    // that B took every page.
    let everything = match Message::decode(&nothing).unwrap() {
        Message::Sync {
            coalition,
            sync,
            heads,
            vouchers,
        } => {
            let mut m = automerge::sync::Message::decode(&sync).unwrap();
            m.heads = a.docs.doc(&c).unwrap().get_heads();
            m.heads.sort();
            m.have = Vec::new();
            Message::Sync {
                coalition,
                sync: m.encode(),
                heads,
                vouchers,
            }
            .encode()
        }
        _ => unreachable!(),
    };
    for round in 0..4 * sync::node::MAX_IDLE_ROUNDS {
        let frame = if round % 2 == 0 {
            &nothing
        } else {
            &everything
        };
        let out = a.node.received(&mut a.docs, b.key, frame);
        if let Some(reason) = out.into_iter().find_map(|o| match o {
            Output::Refused { reason, .. } => Some(reason),
            _ => None,
        }) {
            return (a, b, c, Some(reason), [nothing, everything]);
        }
    }
    (a, b, c, None, [nothing, everything])
}

/// A peer that keeps saying it holds nothing while it is sent pages (each such message makes
/// the sender build the whole catch-up again), even between messages claiming it took them
/// all, has that coalition's rounds paused, and is told why.
#[test]
fn a_peer_that_keeps_starting_over_is_paused() {
    let (_, _, _, refused, _) = start_over_until_cut_off();
    assert!(
        matches!(refused, Some(Refusal::StartedOver)),
        "starting over and over is cut off: {refused:?}"
    );
}

/// A coalition's rounds paused with a peer are paused, not ended: what the peer sends
/// meanwhile is read but not answered, without a strike, a greeting does not end the pause,
/// and once [`sync::node::RESUME_AFTER`] has passed the rounds go on with B's own node, on the
/// same connection, from what B said last (no pages: a peer that started over that often is
/// given no more on this connection, pause or not).
#[test]
fn a_coalition_paused_with_a_peer_goes_on_after_the_pause() {
    let (mut a, mut b, c, refused, [nothing, everything]) = start_over_until_cut_off();
    assert!(refused.is_some());
    let hello = Message::Hello {
        coalitions: vec![c.to_bytes()],
        max_message: MIN_MESSAGE_LIMIT as u64,
        takes: Vec::new(),
    }
    .encode();
    // B greets again and goes on with the same rounds, as many as earn a pause: read,
    // neither refused nor answered. The last says it holds nothing, as its first did: what
    // A goes on from.
    let rounds = [&nothing, &everything]
        .into_iter()
        .cycle()
        .take(sync::node::MAX_IDLE_ROUNDS as usize - 1);
    for frame in std::iter::once(&hello).chain(rounds) {
        let out = a.node.received(&mut a.docs, b.key, frame);
        assert!(out.is_empty(), "{out:?}");
    }
    assert!(a.node.any_paused(), "a greeting does not end the pause");
    // The pause is timed from the first tick that sees it (the state machine reads no
    // clock).
    let now = std::time::Instant::now();
    assert!(frames(a.node.resume_paused(&mut a.docs, now)).is_empty());
    let early = now + sync::node::RESUME_AFTER - std::time::Duration::from_millis(1);
    assert!(frames(a.node.resume_paused(&mut a.docs, early)).is_empty());
    assert!(a.node.any_paused());
    let mut to_b = frames(
        a.node
            .resume_paused(&mut a.docs, now + sync::node::RESUME_AFTER),
    );
    assert!(!to_b.is_empty(), "A goes on");
    assert!(!a.node.any_paused());
    let mut to_a = Vec::new();
    for _ in 0..1_000 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        for f in std::mem::take(&mut to_b) {
            to_a.extend(frames(b.node.received(&mut b.docs, a.key, &f)));
        }
        for f in std::mem::take(&mut to_a) {
            let out = a.node.received(&mut a.docs, b.key, &f);
            assert!(
                out.iter().all(|o| !matches!(o, Output::Refused { .. })),
                "{out:?}"
            );
            to_b.extend(frames(out));
        }
    }
    assert!(to_a.is_empty() && to_b.is_empty(), "the rounds end");
    assert!(!a.node.any_paused(), "without another pause");
    // B says the same again and again: a second pause (one refusal, no strike), twice as
    // long as the first.
    let pause_again = |a: &mut Side, b: &Side| {
        let mut refused = Vec::new();
        for _ in 0..=sync::node::MAX_IDLE_ROUNDS {
            for o in a.node.received(&mut a.docs, b.key, &nothing) {
                match o {
                    Output::Refused { reason, .. } => refused.push(reason),
                    Output::Disconnect { .. } => panic!("a pause is no strike"),
                    _ => {}
                }
            }
            if !refused.is_empty() {
                break;
            }
        }
        assert!(
            matches!(refused[..], [Refusal::StartedOver | Refusal::TooMuchWork]),
            "{refused:?}"
        );
        assert!(a.node.any_paused());
    };
    pause_again(&mut a, &b);
    let now = std::time::Instant::now();
    a.node.resume_paused(&mut a.docs, now);
    a.node
        .resume_paused(&mut a.docs, now + sync::node::RESUME_AFTER);
    assert!(a.node.any_paused(), "the second pause is longer");
    a.node
        .resume_paused(&mut a.docs, now + 2 * sync::node::RESUME_AFTER);
    assert!(!a.node.any_paused());
    pause_again(&mut a, &b);
    // While paused, as many rounds again are read; past them each is refused unread, with
    // a strike, and the strikes end the connection.
    for _ in 0..sync::node::MAX_IDLE_ROUNDS {
        let out = a.node.received(&mut a.docs, b.key, &nothing);
        assert!(out.is_empty(), "{out:?}");
    }
    let mut disconnected = false;
    for _ in 0..sync::node::MAX_STRIKES {
        let out = a.node.received(&mut a.docs, b.key, &nothing);
        assert!(
            out.iter().any(|o| matches!(
                o,
                Output::Refused {
                    reason: Refusal::TooMuchWork,
                    ..
                }
            )),
            "{out:?}"
        );
        disconnected |= out.iter().any(|o| matches!(o, Output::Disconnect { .. }));
    }
    assert!(disconnected, "strikes end the connection");
}

/// A peer in sync repeating a round that tells nothing new (the same heads, no need, a
/// summary of what it holds) while nothing is owed it: Automerge answers none, and sends no
/// such round itself, yet reading each walks the history, and the round ends with nothing to
/// send, which does not count as idle. Its rounds are paused once they pass
/// [`sync::node::MAX_IDLE_ROUNDS`], and a joining exchange is not.
#[test]
fn a_peer_repeating_a_round_that_tells_nothing_new_is_paused() {
    let (mut a, mut b, c) = world(20, 100, Signed::EveryEdit);
    let mut to_b = frames(a.node.connected(&mut a.docs, b.key));
    let mut to_a = frames(b.node.connected(&mut b.docs, a.key));
    let mut last = None;
    for _ in 0..1_000 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        for f in std::mem::take(&mut to_a) {
            if matches!(Message::decode(&f), Ok(Message::Sync { .. })) {
                last = Some(f.clone());
            }
            to_b.extend(frames(a.node.received(&mut a.docs, b.key, &f)));
        }
        for f in std::mem::take(&mut to_b) {
            to_a.extend(frames(b.node.received(&mut b.docs, a.key, &f)));
        }
    }
    let heads = a.docs.doc(&c).unwrap().get_heads();
    assert_eq!(b.docs.doc(&c).unwrap().get_heads(), heads, "B joined");
    assert!(!a.node.any_paused());
    let chatter = match Message::decode(&last.expect("B sent rounds")).unwrap() {
        Message::Sync {
            coalition,
            sync,
            heads: signed,
            vouchers,
        } => {
            let mut m = automerge::sync::Message::decode(&sync).unwrap();
            m.heads = heads.clone();
            m.heads.sort();
            m.need = Vec::new();
            m.changes = automerge::sync::ChunkList::empty();
            Message::Sync {
                coalition,
                sync: m.encode(),
                heads: signed,
                vouchers,
            }
            .encode()
        }
        _ => unreachable!(),
    };
    let mut refused = None;
    for _ in 0..2 * sync::node::MAX_IDLE_ROUNDS {
        let out = a.node.received(&mut a.docs, b.key, &chatter);
        refused = refused.or(out.into_iter().find_map(|o| match o {
            Output::Refused { reason, .. } => Some(reason),
            _ => None,
        }));
    }
    assert!(
        matches!(refused, Some(Refusal::TooMuchWork)),
        "paused: {refused:?}"
    );
    assert!(a.node.any_paused());
}
