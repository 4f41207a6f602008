//! A hostile peer at the protocol level: as an outsider it gets nothing in, another protocol
//! version is told so, and a frame beyond the node's limit is not read.

use std::time::Duration;

use coalesce_tests::{Node, eventually, free_port};
use ed25519_dalek::SigningKey;
use model::automerge::AutoCommit;
use model::{CoalitionDoc, IssueId, NewIssue, Timestamp};
use net::core::Event;
use sync::Message;
use sync::wire::ByteChunk;

use super::{Hostile, Members, exported, key_of, secret_of, two_members, wire};

#[test]
fn a_hostile_peer_gets_nothing_in_and_the_node_stays_up() {
    let _serial = coalesce_tests::network_lock();
    // A founded the coalition and admitted B; B's node is stopped and its key is stolen.
    let Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    } = two_members();
    a.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    eventually(20, "B to receive the issue", || {
        (b.json(&["issue", "list", "--coalition", &c])
            .as_array()?
            .len()
            == 1)
            .then_some(())
    });
    assert!(db.stop());
    let key_a = key_of(&secret_of(&a));
    let before = a.ok(&["issue", "list", "--coalition", &c, "--json"]);

    // 1. An outsider learns nothing: its Hello lists no coalition, asking by id gets nothing.
    let mut outsider = Hostile::connect([0x77; 32], pa, key_a);
    assert_eq!(
        outsider.next_message(),
        Message::Hello {
            coalitions: vec![],
            max_message: sync::wire::MAX_MESSAGE as u64,
            takes: Vec::new(),
        }
    );
    outsider.hello(&c);
    outsider.send(
        Message::Sync {
            coalition: wire(&c),
            sync: vec![0x42, 0, 0, 0, 0],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    std::thread::sleep(Duration::from_millis(300));
    // (Connection events may come, e.g. a second connection under load: no frame may.)
    while let Ok(e) = outsider.events.try_recv() {
        assert!(
            !matches!(e, Event::Frame(..)),
            "the outsider was sent nothing"
        );
    }

    // 2. A member's stolen key: forged, tampered, replayed and malformed messages.
    let stolen = secret_of(&b);
    let hostile = Hostile::connect(stolen, pa, key_a);
    hostile.hello(&c);
    // Take A's document as a starting point, as a member would have it.
    let bytes = exported(&a, &c);
    // A change claiming to be A's, signed with B's key.
    let mut as_a =
        CoalitionDoc::from_automerge(AutoCommit::load(&bytes).unwrap().with_actor(key_a.actor()))
            .unwrap();
    let before_heads = as_a.heads();
    let member_a = as_a.member_for_key(key_a).unwrap();
    as_a.add_issue(
        &member_a,
        NewIssue {
            id: IssueId::from_bytes([9; 16]),
            title: "Forged".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
        Timestamp::from_millis(1),
    )
    .unwrap();
    let forged = as_a.changes_since(&before_heads);
    let sig = sync::sign(&SigningKey::from_bytes(&stolen), &forged[0].hash());
    let chunk = |bytes: &[u8]| ByteChunk(bytes.to_vec());
    hostile.send(
        Message::Changes {
            coalition: wire(&c),
            changes: vec![chunk(forged[0].raw_bytes())],
            heads: vec![sync::SignedHead::from(&sig)],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    // A tampered change.
    let mut tampered = forged[0].raw_bytes().to_vec();
    let n = tampered.len() - 2;
    tampered[n] ^= 0xff;
    hostile.send(
        Message::Changes {
            coalition: wire(&c),
            changes: vec![ByteChunk(tampered)],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    // Replayed: A's own history again.
    let all = AutoCommit::load(&bytes).unwrap().get_changes(&[]);
    hostile.send(
        Message::Changes {
            coalition: wire(&c),
            changes: all.iter().map(|ch| chunk(ch.raw_bytes())).collect(),
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    // Malformed and unknown-version frames.
    hostile.send(vec![1, 0xff, 0xff]);
    hostile.send(vec![99, 1, 2, 3]);
    // An oversized frame closes the stream (and the node refuses it before reading it).
    hostile.send(vec![0u8; sync::wire::MAX_FRAME + 10]);

    for refusal in ["bad signature", "malformed", "not supported"] {
        eventually(20, refusal, || da.logged(refusal).then_some(()));
    }
    // Nothing got in, and the node still serves its members.
    assert_eq!(
        a.ok(&["issue", "list", "--coalition", &c, "--json"]),
        before
    );
    a.ok(&["issue", "add", "--coalition", &c, "Still working"]);
    assert_eq!(
        a.json(&["issue", "list", "--coalition", &c])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(da.stop(), "the node shut down cleanly after the attack");
}

#[test]
fn a_peer_speaking_another_protocol_version_is_told_so_and_shown_in_status() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let pa = free_port();
    let da = a.run_daemon(pa);
    let key_a = key_of(&secret_of(&a));
    let mut future = Hostile::connect([0x55; 32], pa, key_a);
    // A node from the future speaks the next version.
    let next = sync::wire::VERSION + 1;
    future.send(vec![next, 0, 0]);
    let notice =
        future.wait(|e| matches!(e, Event::Frame(_, f) if f.first() == Some(&sync::wire::NOTICE)));
    let Event::Frame(_, frame) = notice else {
        unreachable!()
    };
    assert_eq!(frame, sync::wire::version_notice());
    future.wait(|e| matches!(e, Event::Disconnected(k) if *k == key_a));
    let status = a.json(&["status"]);
    assert_eq!(
        status["incompatible_peers"][0]["protocol"], next,
        "{status}"
    );
    assert_eq!(
        status["incompatible_peers"][0]["node"],
        key_of(&[0x55; 32]).to_string()
    );
    let text = a.ok(&["status"]);
    assert!(text.contains(&format!("speaks protocol {next}")), "{text}");
    assert!(da.stop());
}

/// A frame announced beyond the node's own message limit closes the stream before anything
/// is read into memory for it; the node goes on serving.
#[test]
fn a_frame_beyond_the_nodes_limit_is_not_read() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let pa = free_port();
    let da = a.run_daemon_with(
        &format!("/ip4/127.0.0.1/tcp/{pa}"),
        &[("COALESCE_MAX_MESSAGE_BYTES", "1048576")],
    );
    let key_a = key_of(&secret_of(&a));
    let hostile = Hostile::connect([9; 32], pa, key_a);
    hostile.send(
        Message::Changes {
            coalition: [1; 16],
            changes: vec![ByteChunk(vec![0; 3 << 20])],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    eventually(20, "the node to refuse the frame", || {
        da.logged("over this node's limit").then_some(())
    });
    assert_eq!(
        coalesce_tests::http_get(a.home(), "/health"),
        (200, "ok".to_owned())
    );
    assert!(da.stop());
}
