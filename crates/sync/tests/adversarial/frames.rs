//! Frames from peers: an outsider gets nothing; malformed, oversized, fragmented and
//! other-version frames are refused, and repeated abuse disconnects.

use automerge::AutoCommit;
use sync::wire::ByteChunk;
use sync::{Documents, Message, Output, Refusal};

use crate::{World, refusal, wire};

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
                Message::Hello {
                    coalitions: vec![],
                    max_message: sync::wire::MAX_MESSAGE as u64,
                    takes: Vec::new(),
                }
            );
        }
    }
    // Asking for the coalition by id (learned elsewhere) gets nothing back.
    let hello = Message::Hello {
        coalitions: vec![wire(&w.coalition)],
        max_message: sync::wire::MAX_MESSAGE as u64,
        takes: Vec::new(),
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
    let next = sync::wire::VERSION + 1;
    let out = w.node.received(&mut w.docs, peer, &[next, 1, 2, 3]);
    assert!(out.iter().any(|o| matches!(o,
        Output::Send { peer: p, frame } if *p == peer && *frame == sync::wire::version_notice())));
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Incompatible { speaks, .. } if *speaks == next))
    );
    assert!(out.iter().any(|o| matches!(o, Output::Disconnect { .. })));
    // A version notice from the peer: no answer, just the disconnection.
    let out = w
        .node
        .received(&mut w.docs, peer, &[sync::wire::NOTICE, next + 1]);
    assert!(!out.iter().any(|o| matches!(o, Output::Send { .. })));
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Incompatible { speaks, .. } if *speaks == next + 1))
    );
    assert!(out.iter().any(|o| matches!(o, Output::Disconnect { .. })));
    // A malformed notice is an ordinary malformed frame.
    let out = w
        .node
        .received(&mut w.docs, peer, &[sync::wire::NOTICE, next + 1, 9]);
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

/// A peer sending the whole coalition over and over to a node that holds it, each naming a
/// head the node lacks (so not dismissed unread): one may cross the node's first round,
/// honestly, and is weighed (its columns inflated, its entries counted); past
/// [`sync::node::MAX_CROSSED_SNAPSHOTS`] each is refused unweighed.
#[test]
fn whole_documents_sent_over_and_over_to_a_node_holding_the_coalition_are_refused() {
    use automerge::sync::{Capability, State, SyncDoc};
    let mut w = World::new();
    let mut doc = AutoCommit::load(&w.base).unwrap();
    let mut state = State::new();
    state.their_heads = Some(Vec::new());
    state.their_have = Some(Vec::new());
    state.their_need = Some(Vec::new());
    state.their_capabilities = Some(vec![Capability::MessageV2]);
    let mut msg = doc.sync().generate_sync_message(&mut state).unwrap();
    msg.heads = vec![automerge::ChangeHash([0xab; 32])];
    let encoded = msg.encode();
    assert!(
        matches!(
            sync::verify::decode_sync(&encoded, sync::wire::MAX_MESSAGE),
            Ok((_, sync::verify::Carried::Snapshot(_)))
        ),
        "a whole document"
    );
    let frame = Message::Sync {
        coalition: wire(&w.coalition),
        sync: encoded,
        heads: vec![],
        vouchers: vec![],
    }
    .encode();
    for _ in 0..sync::node::MAX_CROSSED_SNAPSHOTS {
        let out = w.node.received(&mut w.docs, w.peer.key, &frame);
        assert_eq!(refusal(&out), None, "{out:?}");
    }
    let out = w.node.received(&mut w.docs, w.peer.key, &frame);
    assert!(
        matches!(refusal(&out), Some(Refusal::MalformedSnapshot(_))),
        "{out:?}"
    );
}

/// Peers (a member's several keys, say) each sending all but the last piece of a message as
/// large as the node takes, then stalling: together they may hold no more than
/// [`sync::node::MAX_ASSEMBLING_MESSAGES`] such messages; past that, the one whose last piece
/// came longest ago is dropped, and those still coming are kept. The peer whose message was
/// dropped may be honest and slow: it is not refused, the rest of that message is let go
/// unread, and its rounds start afresh (each side would otherwise wait for the other).
#[test]
fn stalled_messages_in_pieces_cannot_hold_more_than_a_few_messages_of_memory() {
    use sync::wire::{MIN_MESSAGE_LIMIT, VERSION};
    let mut w = World::new();
    w.node.set_max_message(MIN_MESSAGE_LIMIT);
    let piece = MIN_MESSAGE_LIMIT / 4;
    let fragment = |index: u32| {
        let mut bytes = vec![0x42; piece];
        bytes[0] = VERSION;
        Message::Fragment {
            index,
            total: 5,
            bytes: ByteChunk(bytes),
        }
        .encode()
    };
    let mut peers = vec![w.peer.key];
    for i in 0..2u8 {
        let k = model::NodeKey::from_bytes([0xa0 + i; 32]);
        w.node.connected(&mut w.docs, k);
        peers.push(k);
    }
    // Each sends four pieces of five (a message just under the limit), one peer after the
    // other; the member peer, which syncs the coalition, first.
    let mut outs = Vec::new();
    for k in &peers {
        for i in 0..4 {
            let out = w.node.received(&mut w.docs, *k, &fragment(i));
            assert_eq!(refusal(&out), None, "{out:?}");
            outs.extend(out);
        }
    }
    assert_eq!(w.node.assembling(&peers[0]), None, "the stalest is dropped");
    for k in &peers[1..] {
        assert_eq!(w.node.assembling(k), Some((4, 5, 4 * piece)));
    }
    assert!(
        outs.iter().any(|o| matches!(o,
            Output::Send { peer, frame } if *peer == w.peer.key
                && matches!(Message::decode(frame), Ok(Message::Sync { .. })))),
        "the dropped peer's rounds start afresh: {outs:?}"
    );
    // Its last piece is let go, unread and unrefused; its next message is read as any.
    let out = w.node.received(&mut w.docs, peers[0], &fragment(4));
    assert!(out.is_empty(), "{out:?}");
    let out = w.node.received(&mut w.docs, peers[0], &fragment(0));
    assert_eq!(refusal(&out), None, "{out:?}");
    assert_eq!(w.node.assembling(&peers[0]), Some((1, 5, piece)));
}

#[test]
fn statements_a_peer_passes_go_to_the_node_and_each_refusal_is_counted_against_it() {
    let mut w = World::new();
    let outsider = w.outsider.key;
    w.node.connected(&mut w.docs, outsider);
    // Not greeted yet: nothing is passed to it.
    assert!(w.node.statements_to(outsider, vec![1, 2, 3]).is_empty());
    let hello = Message::Hello {
        coalitions: vec![],
        max_message: sync::wire::MIN_MESSAGE_LIMIT as u64,
        takes: Vec::new(),
    }
    .encode();
    w.node.received(&mut w.docs, outsider, &hello);
    // Passed to a peer that shares no coalition (a linked coalition's node), once greeted; a
    // file larger than it takes is not.
    let frames = w.node.statements_to(outsider, vec![1, 2, 3]);
    let [Output::Send { peer, frame }] = frames.as_slice() else {
        panic!("one frame: {frames:?}");
    };
    assert_eq!(*peer, outsider);
    assert_eq!(
        Message::decode(frame).unwrap(),
        Message::Statements {
            file: ByteChunk(vec![1, 2, 3])
        }
    );
    assert!(
        w.node
            .statements_to(outsider, vec![0; sync::wire::MIN_MESSAGE_LIMIT + 1])
            .is_empty()
    );
    // What a peer passes goes to the node as it came, whoever it is; a file larger than a
    // statements file can be is refused at the frame.
    let out = w.node.received(&mut w.docs, outsider, frame);
    assert!(
        matches!(out.as_slice(), [Output::Statements { peer, file }] if *peer == outsider && file == &[1, 2, 3]),
        "{out:?}"
    );
    let huge = Message::Statements {
        file: ByteChunk(vec![0; model::federation::MAX_FILE + 1]),
    }
    .encode();
    assert!(Message::decode_within(&huge, sync::wire::MAX_MESSAGE).is_err());
    // Each refusal the node makes is counted against the peer: enough end the connection.
    for i in 1..=sync::node::MAX_STRIKES {
        let out = w
            .node
            .refuse_statements(outsider, "not a member node".into());
        assert!(
            matches!(&out[0], Output::Refused { peer, reason: r @ Refusal::Statements(_), .. } if *peer == outsider && r.kind() == "statements"),
            "{out:?}"
        );
        assert_eq!(
            out.iter()
                .any(|o| matches!(o, Output::Disconnect { peer, .. } if *peer == outsider)),
            i == sync::node::MAX_STRIKES,
            "{out:?}"
        );
    }
    assert!(!w.node.is_connected(&outsider));
}
