//! Members learn where each other's nodes listen through any member they sync with, so the
//! coalition does not depend on the node that invited everyone; strangers learn nothing, and
//! nobody can speak for another node's addresses; a node that shares nothing is told apart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

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
    world_where(true)
}

/// As [`world`]; unless `third_holds_it`, node 3 holds nothing yet (it is joining).
fn world_where(third_holds_it: bool) -> (BTreeMap<u8, Node>, CoalitionId) {
    world_of(third_holds_it, false)
}

/// As [`world_where`]; with `second_device`, node 5 is member 2's second device.
fn world_of(third_holds_it: bool, second_device: bool) -> (BTreeMap<u8, Node>, CoalitionId) {
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
    if second_device {
        doc.add_device_key(
            &MemberId::from_bytes([2; 16]),
            key(5),
            Timestamp::from_millis(9),
        )
        .unwrap();
    }
    let head = sync::sign(&SigningKey::from_bytes(&[1; 32]), &doc.heads()[0]);
    let base = doc.save();
    let mut nodes = BTreeMap::new();
    for n in 1u8..=(if second_device { 5 } else { 4 }) {
        let mut docs = MemoryDocs::new(key(n));
        if n <= 2 || (n == 3 && third_holds_it) || n == 5 {
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

fn addresses_frame(records: Vec<AddressRecord>) -> Vec<u8> {
    Message::Addresses { records }.encode()
}

#[test]
fn a_joining_node_learns_where_members_listen_once_the_coalition_arrives() {
    let (mut nodes, c) = world_where(false);
    connect(&mut nodes, 1, 2);
    let inviter = nodes[&1].key;
    let joiner = nodes.get_mut(&3).unwrap();
    joiner.sync.expect(&mut joiner.docs, c.clone(), inviter);
    let out = connect(&mut nodes, 1, 3);
    assert!(
        nodes
            .get_mut(&3)
            .unwrap()
            .docs
            .doc(&c)
            .is_some_and(|d| !d.get_heads().is_empty()),
        "the coalition arrived"
    );
    assert!(knows(&nodes, 3, 1) && knows(&nodes, 3, 2), "{out:?}");
    assert!(knows(&nodes, 2, 3), "the other member learns of the joiner");
}

#[test]
fn of_one_node_only_the_newest_record_in_a_message_counts() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 2);
    connect(&mut nodes, 1, 3);
    let (k2, k3) = (nodes[&2].key, nodes[&3].key);
    let versions: Vec<AddressRecord> = (2_000..2_200)
        .map(|at| AddressRecord::sign(&nodes[&2].secret, &addrs(at as u8), at))
        .collect();
    let founder = nodes.get_mut(&1).unwrap();
    let out = founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(versions));
    let learned: Vec<&Output> = out
        .iter()
        .filter(|o| matches!(o, Output::Addresses { .. }))
        .collect();
    assert!(
        matches!(learned[..], [Output::Addresses { records }] if records.len() == 1 && records[0].at == 2_199),
        "{out:?}"
    );
    let passed = out
        .iter()
        .filter(|o| matches!(o, Output::Send { peer, .. } if *peer == k3))
        .count();
    assert_eq!(passed, 1, "passed on once");
}

#[test]
fn records_far_ahead_or_too_frequent_are_ignored() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 2);
    let k2 = nodes[&2].key;
    let secret = nodes[&2].secret;
    let founder = nodes.get_mut(&1).unwrap();
    let now = 1_000_000_000;
    founder.sync.set_time(now);
    // Signed two days ahead: it would never be replaced.
    let ahead = AddressRecord::sign(&secret, &addrs(50), now + 2 * 24 * 3600 * 1000);
    let out = founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(vec![ahead]));
    assert!(out.is_empty(), "{out:?}");
    assert!(founder.sync.address_book().get(k2.as_bytes()).unwrap().at < now);
    // Two updates within MIN_UPDATE: the second waits.
    let first = AddressRecord::sign(&secret, &addrs(51), now);
    founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(vec![first.clone()]));
    assert_eq!(founder.sync.address_book().get(k2.as_bytes()), Some(&first));
    let second = AddressRecord::sign(&secret, &addrs(52), now + 1);
    founder.sync.set_time(now + 1_000);
    founder.sync.received(
        &mut founder.docs,
        k2,
        &addresses_frame(vec![second.clone()]),
    );
    assert_eq!(founder.sync.address_book().get(k2.as_bytes()), Some(&first));
    founder.sync.set_time(now + sync::addresses::MIN_UPDATE);
    founder.sync.received(
        &mut founder.docs,
        k2,
        &addresses_frame(vec![second.clone()]),
    );
    assert_eq!(
        founder.sync.address_book().get(k2.as_bytes()),
        Some(&second)
    );
}

#[test]
fn a_stranger_costs_no_signature_checks_and_too_many_records_are_refused() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 4);
    let k4 = nodes[&4].key;
    // Badly signed records from a stranger: not even looked at.
    let mut bad = AddressRecord::sign(&[9; 32], &addrs(9), 5);
    bad.at = 6;
    let founder = nodes.get_mut(&1).unwrap();
    let out = founder
        .sync
        .received(&mut founder.docs, k4, &addresses_frame(vec![bad; 10]));
    assert!(out.is_empty(), "{out:?}");
    // More records than a message may carry: the frame is refused as such.
    let many = vec![AddressRecord::sign(&[9; 32], &addrs(9), 5); sync::addresses::MAX_RECORDS + 1];
    assert!(Message::decode(&addresses_frame(many)).is_err());
}

/// Whether node `me` sees the connected node `of` as a stranger.
fn stranger(nodes: &mut BTreeMap<u8, Node>, me: u8, of: u8) -> bool {
    let peer = nodes[&of].key;
    let node = nodes.get_mut(&me).unwrap();
    node.sync.shares_nothing(&mut node.docs, &peer)
}

#[test]
fn members_and_joiners_share_something_with_each_other_and_a_stranger_nothing() {
    let (mut nodes, c) = world_where(false);
    connect(&mut nodes, 1, 2);
    connect(&mut nodes, 1, 4);
    assert!(!stranger(&mut nodes, 1, 2) && !stranger(&mut nodes, 2, 1));
    assert!(stranger(&mut nodes, 1, 4) && stranger(&mut nodes, 4, 1));
    assert!(stranger(&mut nodes, 2, 3), "not connected: nothing shared");
    // Node 3, admitted but holding nothing yet, joins through the founder: neither side is
    // a stranger to the other, before and after the coalition arrives.
    let founder = nodes[&1].key;
    let n3 = nodes.get_mut(&3).unwrap();
    n3.sync.expect(&mut n3.docs, c, founder);
    connect(&mut nodes, 1, 3);
    assert!(!stranger(&mut nodes, 1, 3) && !stranger(&mut nodes, 3, 1));
}

#[test]
fn a_coalition_forgotten_is_no_longer_synced_with_anyone() {
    let (mut nodes, c) = world();
    connect(&mut nodes, 1, 2);
    let founder = nodes[&1].key;
    assert!(nodes[&2].sync.syncs_with(&founder, &c));
    let n2 = nodes.get_mut(&2).unwrap();
    n2.sync.forget(&c);
    assert!(!n2.sync.syncs_with(&founder, &c));
}

#[test]
fn one_member_cannot_fill_the_records_held_aside_for_everyone() {
    // Member 2 has two devices (nodes 2 and 5): they share one quota.
    let (mut nodes, _) = world_of(true, true);
    connect(&mut nodes, 1, 2);
    connect(&mut nodes, 1, 3);
    connect(&mut nodes, 1, 5);
    let (k2, k3, k5) = (nodes[&2].key, nodes[&3].key, nodes[&5].key);
    // Records of nodes that are no members (yet), each signed by its own node.
    let fake = |from: u16, n: usize| -> Vec<AddressRecord> {
        (0..n)
            .map(|i| {
                let mut secret = [0u8; 32];
                secret[..2].copy_from_slice(&from.to_le_bytes());
                secret[2..10].copy_from_slice(&(i as u64).to_le_bytes());
                AddressRecord::sign(&secret, &addrs(50), 2_000)
            })
            .collect()
    };
    let quota = sync::addresses::MAX_PENDING_PER_MEMBER;
    let founder = nodes.get_mut(&1).unwrap();
    founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(fake(2, quota)));
    assert_eq!(founder.sync.held_aside(), quota);
    founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(fake(3, 1)));
    assert_eq!(founder.sync.held_aside(), quota, "over its quota");
    // Over its quota, records that could not be held are dropped before their signatures
    // are checked (resent, each would cost a check every time): forged ones draw no refusal
    // then; with room, they do.
    let forged = |from: u16, n: usize| -> Vec<AddressRecord> {
        fake(from, n)
            .into_iter()
            .map(|mut r| {
                r.signature[0] ^= 1;
                r
            })
            .collect()
    };
    let refused = |out: &[sync::Output]| {
        out.iter()
            .any(|o| matches!(o, sync::Output::Refused { .. }))
    };
    let out = founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(forged(6, 200)));
    assert!(!refused(&out), "{out:?}");
    assert_eq!(founder.sync.held_aside(), quota);
    founder
        .sync
        .received(&mut founder.docs, k5, &addresses_frame(fake(5, quota)));
    assert_eq!(
        founder.sync.held_aside(),
        quota,
        "the same member's other device has no quota of its own"
    );
    founder
        .sync
        .received(&mut founder.docs, k3, &addresses_frame(fake(4, 1)));
    assert_eq!(
        founder.sync.held_aside(),
        quota + 1,
        "another member's still held"
    );
    let out = founder
        .sync
        .received(&mut founder.docs, k3, &addresses_frame(forged(7, 1)));
    assert!(
        refused(&out),
        "a forged record with room is refused: {out:?}"
    );
    // A newer record of that node from the first member does not take it over.
    let mut secret = [0u8; 32];
    secret[..2].copy_from_slice(&4u16.to_le_bytes());
    let newer = AddressRecord::sign(&secret, &addrs(51), 3_000);
    founder
        .sync
        .received(&mut founder.docs, k2, &addresses_frame(vec![newer]));
    // Gone with the peer that sent them; then the member's other device has room again.
    founder.sync.disconnected(&k2);
    assert_eq!(founder.sync.held_aside(), 1);
    founder
        .sync
        .received(&mut founder.docs, k5, &addresses_frame(fake(5, 2)));
    assert_eq!(founder.sync.held_aside(), 3);
}

/// A node whose addresses changed (a relay slot, an external address confirmed) tells the
/// peers it syncs with at once, and they pass it on; a stranger is told nothing.
#[test]
fn a_node_tells_its_new_addresses_to_the_members_it_syncs_with_and_no_stranger() {
    let (mut nodes, _) = world();
    connect(&mut nodes, 1, 2);
    connect(&mut nodes, 1, 3);
    connect(&mut nodes, 2, 4);
    let (k1, k3, k4) = (nodes[&1].key, nodes[&3].key, nodes[&4].key);
    let relayed = vec![format!(
        "/ip4/203.0.113.9/tcp/7421/p2p/{}/p2p-circuit",
        "12D3KooWRelay"
    )];
    let record = AddressRecord::sign(&nodes[&2].secret, &relayed, 20_000);
    let node = nodes.get_mut(&2).unwrap();
    let out = node.sync.update_own_addresses(record.clone());
    let to: Vec<NodeKey> = out
        .iter()
        .filter_map(|o| match o {
            Output::Send { peer, .. } => Some(*peer),
            _ => None,
        })
        .collect();
    assert_eq!(to, vec![k1], "only the member it syncs with: {out:?}");
    assert!(!to.contains(&k4));
    // The founder takes it and passes it on to node 3.
    let Output::Send { frame, .. } = &out[0] else {
        unreachable!()
    };
    let k2 = nodes[&2].key;
    let founder = nodes.get_mut(&1).unwrap();
    founder.sync.set_time(20_000);
    let passed = founder.sync.received(&mut founder.docs, k2, frame);
    assert_eq!(
        founder.sync.address_book().get(k2.as_bytes()),
        Some(&record)
    );
    assert!(
        passed
            .iter()
            .any(|o| matches!(o, Output::Send { peer, .. } if *peer == k3)),
        "{passed:?}"
    );
}
