//! Frames that reach the core before the swarm reports their connection.
//!
//! A peer's stream reader and the swarm task both feed the core, unordered: a peer that dialed
//! this node can have its greeting and join request handled before this node hears that it is
//! connected. Two cores run here over real stores, with the test standing in for the network
//! so that it can deliver in exactly that order (on a loaded machine, libp2p does so too: the
//! end-to-end join over QUIC stalled that way in CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use commands::ops::joins::{InviteRequest, JoinRequest};
use commands::ops::{OpError, Reply, Request};
use model::NodeKey;
use net::core::{CHANNEL, Core, Event, Outgoing};
use replica::{NewCoalition, Replica};
use tokio::sync::{mpsc, oneshot};

struct Running {
    key: NodeKey,
    events: mpsc::Sender<Event>,
    out: mpsc::Receiver<Outgoing>,
    _dial: mpsc::Receiver<net::swarm::Command>,
}

fn start(home: &std::path::Path) -> Running {
    let replica = Replica::open(home).unwrap();
    let key = replica.identity().node_key();
    let (events_tx, events_rx) = mpsc::channel(CHANNEL);
    let (out_tx, out_rx) = mpsc::channel(CHANNEL);
    let (dial_tx, dial_rx) = mpsc::channel(CHANNEL);
    let core = Core::new(
        replica,
        out_tx,
        dial_tx,
        vec![
            "/ip4/127.0.0.1/tcp/9/p2p/12D3KooWA2U7f1LnBW1B5D8DANMzZ8Jog2pFxLsnoYYWC6ireYSx".into(),
        ],
    );
    std::thread::spawn(move || core.run(events_rx));
    Running {
        key,
        events: events_tx,
        out: out_rx,
        _dial: dial_rx,
    }
}

/// Carries out an operation on a core, as the API does.
fn op(node: &Running, req: Request) -> Result<Reply, OpError> {
    let (tx, rx) = oneshot::channel();
    node.events
        .blocking_send(Event::Api(api::Job::Op(req, tx)))
        .unwrap();
    rx.blocking_recv().unwrap()
}

/// A one-time invite to `coalition` made on `node`.
fn invite_code(node: &Running, coalition: &str) -> String {
    let req = Request::InviteCreate {
        coalition: coalition.to_owned(),
        body: InviteRequest::default(),
    };
    match op(node, req) {
        Ok(Reply::Invite(made)) => made.code,
        other => panic!("{other:?}"),
    }
}

/// `node` starts joining with `code`.
fn start_join(node: &Running, code: &str) {
    let req = Request::JoinStart {
        body: JoinRequest {
            code: code.to_owned(),
            org: None,
        },
    };
    let started = op(node, req);
    assert!(matches!(started, Ok(Reply::JoinStarted(_))), "{started:?}");
}

/// The frames a core sent to `to`, waiting a moment for them.
fn sent(node: &mut Running, to: NodeKey) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(300);
    while Instant::now() < deadline {
        match node.out.try_recv() {
            Ok(Outgoing::Send(peer, frame)) if peer == to => frames.push(frame),
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    frames
}

/// A, which founded a coalition, and B, which started joining it with A's invite (the two
/// not connected yet); the coalition's id.
fn joining(dir: &std::path::Path) -> (Running, Running, String) {
    let (home_a, home_b) = (dir.join("a"), dir.join("b"));
    Replica::init(&home_a, "Northside Tenants Union").unwrap();
    Replica::init(&home_b, "Eastside Disability Justice").unwrap();
    let coalition = Replica::open(&home_a)
        .unwrap()
        .found_coalition(NewCoalition {
            name: "Transit Justice".into(),
            ..Default::default()
        })
        .unwrap()
        .to_string();
    let a = start(&home_a);
    let b = start(&home_b);
    let code = invite_code(&a, &coalition);
    start_join(&b, &code);
    (a, b, coalition)
}

#[test]
fn a_join_request_that_arrives_before_its_connection_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, coalition) = joining(dir.path());

    // B hears first that it is connected, and greets A and asks to join at once; A handles
    // those frames before it hears of the connection itself.
    b.events.blocking_send(Event::Connected(a.key)).unwrap();
    let early = sent(&mut b, a.key);
    assert!(early.len() >= 2, "a greeting and a join request");
    for frame in early {
        a.events.blocking_send(Event::Frame(b.key, frame)).unwrap();
    }
    a.events.blocking_send(Event::Connected(b.key)).unwrap();

    // From here on the network carries frames in order both ways, until B holds the coalition.
    carry_until_joined(&mut a, &mut b, &coalition);
}

/// Carries frames in order between `a` and `b` until `b` holds `coalition` (not joining).
fn carry_until_joined(a: &mut Running, b: &mut Running, coalition: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // A coalition still joining is not listed.
        let list = op(b, Request::CoalitionList);
        if let Ok(Reply::Coalitions(list)) = &list
            && list.iter().any(|s| s.id.as_str() == coalition)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the join never completed: {list:?}"
        );
        for frame in sent(a, b.key) {
            b.events.blocking_send(Event::Frame(a.key, frame)).unwrap();
        }
        for frame in sent(b, a.key) {
            a.events.blocking_send(Event::Frame(b.key, frame)).unwrap();
        }
    }
}

/// A member's node presenting an invite made for another organization does not use it up:
/// codes are passed around, and the organization it was made for can still join with it.
#[test]
fn a_member_presenting_an_unused_invite_leaves_it_for_the_organization_it_was_made_for() {
    let dir = tempfile::tempdir().unwrap();
    let homes: Vec<_> = ["a", "b", "c"].iter().map(|h| dir.path().join(h)).collect();
    for (home, org) in homes
        .iter()
        .zip(["Northside", "Eastside", "Faith Alliance"])
    {
        Replica::init(home, org).unwrap();
    }
    let coalition = Replica::open(&homes[0])
        .unwrap()
        .found_coalition(NewCoalition {
            name: "Transit Justice".into(),
            ..Default::default()
        })
        .unwrap();
    let c = coalition.to_string();
    let (mut a, mut b, mut third) = (start(&homes[0]), start(&homes[1]), start(&homes[2]));
    let invite = |a: &Running| invite_code(a, &c);
    let connect = |x: &Running, y: &Running| {
        x.events.blocking_send(Event::Connected(y.key)).unwrap();
        y.events.blocking_send(Event::Connected(x.key)).unwrap();
    };
    let first = invite(&a);
    start_join(&b, &first);
    connect(&a, &b);
    carry_until_joined(&mut a, &mut b, &c);

    // B, a member now, presents the code made for the third organization (its own node
    // would not: a modified one, or a code passed to the wrong member).
    let second = invite(&a);
    let secret = sync::invite::Invite::decode(&second).unwrap().secret;
    let join = sync::Message::Join {
        coalition: coalition.to_bytes(),
        secret,
        org: "Eastside".into(),
    };
    a.events
        .blocking_send(Event::Frame(b.key, join.encode()))
        .unwrap();
    for frame in sent(&mut a, b.key) {
        b.events.blocking_send(Event::Frame(a.key, frame)).unwrap();
    }

    // The organization it was made for still joins with it.
    start_join(&third, &second);
    connect(&a, &third);
    carry_until_joined(&mut a, &mut third, &c);
}

/// A peer that connects and never greets is disconnected once its grace is over: silent
/// connections would otherwise be held for good, and keys cost nothing.
#[test]
fn a_peer_that_never_greets_is_disconnected_after_its_grace() {
    let home = tempfile::tempdir().unwrap();
    Replica::init(home.path(), "Northside").unwrap();
    let mut node = start(home.path());
    let silent = NodeKey::from_bytes([9; 32]);
    node.events.blocking_send(Event::Connected(silent)).unwrap();
    std::thread::sleep(net::core::STRANGER_GRACE + Duration::from_millis(200));
    node.events.blocking_send(Event::Tick).unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut disconnected = false;
    while Instant::now() < deadline && !disconnected {
        match node.out.try_recv() {
            Ok(Outgoing::Disconnect(p)) => disconnected |= p == silent,
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    assert!(disconnected, "the silent peer is disconnected");
}

/// `coalesce join` asks how its join goes with the stage it saw last: the node holds the
/// answer until the stage moves (no polling quantum), and answers at once what moved already.
#[test]
fn a_join_stage_asked_with_a_wait_is_answered_when_the_stage_moves() {
    use commands::ops::joins::{JoinStage, JoinWait};
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, coalition) = joining(dir.path());
    let stage = |wait: JoinWait| Request::JoinStage {
        coalition: coalition.clone(),
        wait,
    };
    let first: JoinStage = match op(&b, stage(JoinWait::default())) {
        Ok(Reply::JoinStage(s)) => s,
        other => panic!("{other:?}"),
    };
    // Held while the stage stays what the asker saw.
    let (tx, mut held) = oneshot::channel();
    let asked = Instant::now();
    let wait = JoinWait {
        after: Some(first.stage.clone()),
        wait_ms: Some(10_000),
    };
    b.events
        .blocking_send(Event::Api(api::Job::Op(stage(wait), tx)))
        .unwrap();
    // Asked with a stage it has moved from already (or with no stage): answered at once,
    // while the other stays held.
    for after in [Some("pending: long gone".to_owned()), None] {
        let t = Instant::now();
        let wait = JoinWait {
            after,
            wait_ms: Some(10_000),
        };
        assert!(matches!(op(&b, stage(wait)), Ok(Reply::JoinStage(_))));
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
    assert!(held.try_recv().is_err(), "still held");
    // The join goes on: the held answer comes as soon as the stage moves, long before its
    // wait is over.
    a.events.blocking_send(Event::Connected(b.key)).unwrap();
    b.events.blocking_send(Event::Connected(a.key)).unwrap();
    carry_until_joined(&mut a, &mut b, &coalition);
    let moved = match held.blocking_recv().unwrap() {
        Ok(Reply::JoinStage(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_ne!(moved.stage, first.stage);
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    // Joined: asked with the stage before, answered at once.
    let wait = JoinWait {
        after: Some(moved.stage),
        wait_ms: Some(10_000),
    };
    match op(&b, stage(wait)) {
        Ok(Reply::JoinStage(s)) => assert_eq!(s.stage, "joined"),
        other => panic!("{other:?}"),
    }
}
