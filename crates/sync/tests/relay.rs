//! A catch-up larger than a pushed batch may be is passed on through sync rounds, not relayed.

use std::collections::VecDeque;

use automerge::AutoCommit;
use ed25519_dalek::SigningKey;
use model::{
    CoalitionDoc, CoalitionId, Founding, IssueId, MemberId, MemberProfile, NewIssue, NodeKey,
    Timestamp,
};
use sync::node::MAX_RELAY;
use sync::{MemoryDocs, Message, Output, SyncNode};

struct Node {
    key: NodeKey,
    sync: SyncNode,
    docs: MemoryDocs,
}

fn party(n: u8) -> (SigningKey, NodeKey, MemberId) {
    let s = SigningKey::from_bytes(&[n; 32]);
    let k = NodeKey::from_bytes(s.verifying_key().to_bytes());
    (s, k, MemberId::from_bytes([n; 16]))
}

fn profile(name: &str) -> MemberProfile {
    MemberProfile::named(name)
}

#[test]
fn a_large_batch_reaches_a_third_node_through_sync_not_one_pushed_message() {
    let (sa, ka, ma) = party(1);
    let (_, kb, mb) = party(2);
    let (_, kc, mc) = party(3);
    let c = CoalitionId::from_bytes([9; 16]);
    let mut doc = CoalitionDoc::found(
        ka,
        Founding::new(
            c.clone(),
            "Transit Justice",
            ma.clone(),
            profile("A"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    doc.admit_member(&ma, &mb, &profile("B"), kb, Timestamp::from_millis(1))
        .unwrap();
    doc.admit_member(&ma, &mc, &profile("C"), kc, Timestamp::from_millis(2))
        .unwrap();
    let base = doc.save();
    let base_head = sync::sign(&sa, &doc.heads()[0]);
    for i in 0..=MAX_RELAY {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&(i as u64).to_be_bytes());
        doc.add_issue(
            &ma,
            NewIssue {
                id: IssueId::from_bytes(id),
                title: format!("Issue {i}"),
                description: String::new(),
                tags: vec![],
                lead: None,
            },
            Timestamp::from_millis(3),
        )
        .unwrap();
    }
    let head = sync::sign(&sa, &doc.heads()[0]);
    let full = doc.save();
    let node = |key: NodeKey, bytes: &[u8], head| {
        let mut docs = MemoryDocs::new(key);
        docs.insert(
            c.clone(),
            AutoCommit::load(bytes).unwrap().with_actor(key.actor()),
            vec![head],
        );
        Node {
            key,
            sync: SyncNode::new(),
            docs,
        }
    };
    let mut nodes = [
        node(ka, &full, head),
        node(kb, &base, base_head.clone()),
        node(kc, &base, base_head),
    ];
    // A - B - C: C hears of A's changes only through B.
    let mut wire: VecDeque<(usize, usize, Vec<u8>)> = VecDeque::new();
    let index = |k: &NodeKey, nodes: &[Node]| nodes.iter().position(|n| n.key == *k).unwrap();
    let take = |from: usize, out: Vec<Output>, nodes: &[Node], wire: &mut VecDeque<_>| {
        for o in out {
            match o {
                Output::Send { peer, frame } => wire.push_back((from, index(&peer, nodes), frame)),
                Output::Refused { reason, .. } => panic!("refused: {reason}"),
                _ => {}
            }
        }
    };
    for (x, y) in [(0, 1), (1, 2)] {
        let ky = nodes[y].key;
        let kx = nodes[x].key;
        let out = nodes[x].sync.connected(&mut nodes[x].docs, ky);
        take(x, out, &nodes, &mut wire);
        let out = nodes[y].sync.connected(&mut nodes[y].docs, kx);
        take(y, out, &nodes, &mut wire);
    }
    let mut largest_push_to_c = 0;
    let mut steps = 0;
    while let Some((from, to, frame)) = wire.pop_front() {
        steps += 1;
        assert!(steps < 10_000, "no quiet");
        if to == 2
            && let Ok(Message::Changes { changes, .. }) = Message::decode(&frame)
        {
            largest_push_to_c = largest_push_to_c.max(changes.len());
        }
        let kf = nodes[from].key;
        let out = nodes[to].sync.received(&mut nodes[to].docs, kf, &frame);
        take(to, out, &nodes, &mut wire);
    }
    assert!(largest_push_to_c <= MAX_RELAY, "pushed {largest_push_to_c}");
    let want = nodes[0].docs.doc(&c).unwrap().get_heads();
    assert_eq!(nodes[2].docs.doc(&c).unwrap().get_heads(), want);
    assert_eq!(
        nodes[2].docs.persisted[&c].0.len(),
        nodes[0].docs.persisted[&c].0.len()
    );
}
