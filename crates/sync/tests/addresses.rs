//! Members learn where each other's nodes listen through any member they sync with, so the
//! coalition does not depend on the node that invited everyone; strangers learn nothing, and
//! nobody can speak for another node's addresses.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use ed25519_dalek::SigningKey;
use model::{CoalitionDoc, CoalitionId, Founding, MemberId, MemberProfile, NodeKey, Timestamp};
use sync::addresses::AddressRecord;
use sync::{MemoryDocs, Message, Output, Refusal, SyncNode};

struct Node {
    key: NodeKey,
    secret: [u8; 32],
    docs: MemoryDocs,
    sync: SyncNode,
}

fn addrs(n: u8) -> Vec<String> {
    vec![format!("/ip4/192.168.1.{n}/tcp/7421")]
}

/// Node 1 founds a coalition and admits nodes 2 and 3; node 4 is a stranger.
fn world() -> (BTreeMap<u8, Node>, CoalitionId) {
    let key =
        |n: u8| NodeKey::from_bytes(SigningKey::from_bytes(&[n; 32]).verifying_key().to_bytes());
    let coalition = CoalitionId::from_bytes([7; 16]);
    let mut doc = CoalitionDoc::found(
        key(1),
        Founding::new(
            coalition.clone(),
            "Transit Justice",
            MemberId::from_bytes([1; 16]),
            MemberProfile::named("Founder"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    for n in [2u8, 3] {
        doc.admit_member(
            &MemberId::from_bytes([1; 16]),
            &MemberId::from_bytes([n; 16]),
            &MemberProfile::named(format!("Member {n}")),
            key(n),
            Timestamp::from_millis(i64::from(n)),
        )
        .unwrap();
    }
    let head = sync::sign(&SigningKey::from_bytes(&[1; 32]), &doc.heads()[0]);
    let base = doc.save();
    let mut nodes = BTreeMap::new();
    for n in 1u8..=4 {
        let mut docs = MemoryDocs::new(key(n));
        if n <= 3 {
            docs.insert(
                coalition.clone(),
                AutoCommit::load(&base).unwrap().with_actor(key(n).actor()),
                vec![head.clone()],
            );
        }
        let mut sync = SyncNode::new();
        sync.set_own_addresses(AddressRecord::sign(&[n; 32], &addrs(n), 1_000));
        nodes.insert(
            n,
            Node {
                key: key(n),
                secret: [n; 32],
                docs,
                sync,
            },
        );
    }
    (nodes, coalition)
}

/// Connects `a` and `b` and delivers frames until none are left; returns every output that
/// was not a frame, by node.
fn connect(nodes: &mut BTreeMap<u8, Node>, a: u8, b: u8) -> Vec<(u8, Output)> {
    let by_key: BTreeMap<NodeKey, u8> = nodes.iter().map(|(n, node)| (node.key, *n)).collect();
    let mut queue = Vec::new();
    let mut rest = Vec::new();
    for (me, other) in [(a, b), (b, a)] {
        let peer = nodes[&other].key;
        let node = nodes.get_mut(&me).unwrap();
        let out = node.sync.connected(&mut node.docs, peer);
        queue.extend(out.into_iter().map(|o| (me, o)));
    }
    while let Some((from, o)) = queue.pop() {
        match o {
            Output::Send { peer, frame } => {
                let to = by_key[&peer];
                let sender = nodes[&from].key;
                let node = nodes.get_mut(&to).unwrap();
                if !node.sync.is_connected(&sender) {
                    continue;
                }
                let out = node.sync.received(&mut node.docs, sender, &frame);
                queue.splice(0..0, out.into_iter().map(|o| (to, o)));
            }
            other => rest.push((from, other)),
        }
    }
    rest
}

fn knows(nodes: &BTreeMap<u8, Node>, who: u8, of: u8) -> bool {
    let key = nodes[&of].key;
    nodes[&who]
        .sync
        .address_book()
        .get(key.as_bytes())
        .is_some_and(|r| r.addrs == addrs(of))
}

#[test]
fn members_learn_each_others_addresses_through_the_founder_and_strangers_learn_nothing() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 2);
    assert!(knows(&nodes, 2, 1) && knows(&nodes, 1, 2));
    // Node 3 connects to the founder only: it is told where node 2 listens, and node 2 is
    // told where node 3 does (passed on by the founder, which is connected to both).
    let out = connect(&mut nodes, 1, 3);
    assert!(knows(&nodes, 3, 2), "the joiner learns of the other member");
    assert!(knows(&nodes, 2, 3), "the other member learns of the joiner");
    assert!(
        out.iter().any(|(n, o)| *n == 3
            && matches!(o, Output::Addresses { records } if records.iter().any(|r| r.node == *nodes[&2].key.as_bytes()))),
        "the node is told to reach the member it learned of: {out:?}"
    );
    // A stranger connected to the founder learns nothing and teaches nothing.
    connect(&mut nodes, 1, 4);
    assert!(nodes[&4].sync.address_book().is_empty());
    assert!(!knows(&nodes, 1, 4));
}

#[test]
fn a_newer_record_replaces_an_older_one_and_an_older_one_is_not_passed_on() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 2);
    connect(&mut nodes, 1, 3);
    // Node 2 moved: its newer record reaches node 3 through the founder.
    let moved = AddressRecord::sign(&nodes[&2].secret, &addrs(99), 2_000);
    let frame = Message::Addresses {
        records: vec![moved.clone()],
    }
    .encode();
    let (k2, k3) = (nodes[&2].key, nodes[&3].key);
    let founder = nodes.get_mut(&1).unwrap();
    let out = founder.sync.received(&mut founder.docs, k2, &frame);
    let passed = out
        .iter()
        .any(|o| matches!(o, Output::Send { peer, .. } if *peer == k3));
    assert!(passed, "passed on to node 3: {out:?}");
    assert_eq!(founder.sync.address_book().get(k2.as_bytes()), Some(&moved));
    // The old one again is not news.
    let old = AddressRecord::sign(&nodes[&2].secret, &addrs(2), 1_000);
    let frame = Message::Addresses { records: vec![old] }.encode();
    let founder = nodes.get_mut(&1).unwrap();
    let out = founder.sync.received(&mut founder.docs, k2, &frame);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn a_member_cannot_speak_for_another_nodes_addresses() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 2);
    let (k2, k3) = (nodes[&2].key, nodes[&3].key);
    // Node 2 claims node 3 listens at an address of its choosing, signing it itself.
    let mut forged =
        AddressRecord::sign(&nodes[&2].secret, &["/ip4/10.0.0.1/tcp/22".into()], 5_000);
    forged.node = *k3.as_bytes();
    let frame = Message::Addresses {
        records: vec![forged],
    }
    .encode();
    let founder = nodes.get_mut(&1).unwrap();
    let out = founder.sync.received(&mut founder.docs, k2, &frame);
    assert!(
        out.iter().any(|o| matches!(
            o,
            Output::Refused {
                reason: Refusal::Addresses(_),
                ..
            }
        )),
        "{out:?}"
    );
    assert!(founder.sync.address_book().get(k3.as_bytes()).is_none());
    // Records kept in the store are checked again when loaded.
    let mut tampered = AddressRecord::sign(&nodes[&3].secret, &addrs(3), 1_000);
    tampered.addrs = vec!["/ip4/10.0.0.1/tcp/22".into()];
    let mut fresh = SyncNode::new();
    assert_eq!(fresh.learn_addresses(vec![tampered]), 0);
}
