//! A hostile peer speaking the real protocol over libp2p to a running node: as an outsider,
//! then holding a member's key. Nothing it sends gets in, the node stays up and keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod bricking;
mod forks;
mod members;
mod protocol;

use std::time::Duration;

use coalesce_tests::{Node, free_port};
use ed25519_dalek::SigningKey;
use model::NodeKey;
use model::automerge::AutoCommit;
use net::core::{Event, Outgoing};
use sync::Message;
use sync::wire::ByteChunk;
use tokio::sync::mpsc;

/// A bare protocol endpoint with a given key: no replica, no checks of its own.
pub(crate) struct Hostile {
    rt: tokio::runtime::Runtime,
    events: mpsc::Receiver<Event>,
    out: mpsc::Sender<Outgoing>,
    target: NodeKey,
    /// The key it signs with.
    secret: [u8; 32],
}

impl Hostile {
    pub(crate) fn connect(secret: [u8; 32], target_port: u16, target: NodeKey) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (etx, events) = mpsc::channel(1024);
        let (out, orx) = mpsc::channel(1024);
        let peer = net::swarm::peer_id(&target).unwrap();
        let config = net::swarm::NetConfig {
            secret,
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
            external: Vec::new(),
            mdns: false,
            frames_per_second: std::num::NonZeroU32::new(net::swarm::FRAMES_PER_SECOND).unwrap(),
            max_connections: net::swarm::MAX_CONNECTIONS,
            max_connections_per_peer: net::swarm::MAX_CONNECTIONS_PER_PEER,
            max_frame: sync::wire::MAX_FRAME,
            relay: None,
            shared: Default::default(),
            bootstrap: vec![
                format!("/ip4/127.0.0.1/tcp/{target_port}/p2p/{peer}")
                    .parse()
                    .unwrap(),
            ],
            keep: vec![],
        };
        rt.block_on(net::swarm::start(config, etx, orx)).unwrap();
        let mut h = Hostile {
            rt,
            events,
            out,
            target,
            secret,
        };
        h.wait(|e| matches!(e, Event::Connected(k) if *k == target));
        h
    }

    fn wait(&mut self, mut want: impl FnMut(&Event) -> bool) -> Event {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let events = &mut self.events;
            let e = self
                .rt
                .block_on(async { tokio::time::timeout(left, events.recv()).await })
                .expect("timed out")
                .expect("events");
            if want(&e) {
                return e;
            }
        }
    }

    /// The next protocol message from the target.
    pub(crate) fn next_message(&mut self) -> Message {
        match self.wait(|e| matches!(e, Event::Frame(..))) {
            Event::Frame(_, f) => Message::decode(&f).unwrap(),
            _ => unreachable!(),
        }
    }

    pub(crate) fn send(&self, frame: Vec<u8>) {
        self.out
            .blocking_send(Outgoing::Send(self.target, frame))
            .unwrap();
    }

    /// Names coalition `c` in a Hello, as a member's node does.
    pub(crate) fn hello(&self, c: &str) {
        self.send(
            Message::Hello {
                coalitions: vec![wire(c)],
                max_message: sync::wire::MAX_MESSAGE as u64,
                takes: Vec::new(),
            }
            .encode(),
        );
    }

    /// Pushes `change` in coalition `c`, signed with this endpoint's key.
    fn push(&self, c: &str, change: &model::automerge::Change) {
        let sig = sync::sign(&SigningKey::from_bytes(&self.secret), &change.hash());
        self.send(
            Message::Changes {
                coalition: wire(c),
                changes: vec![ByteChunk(change.raw_bytes().to_vec())],
                heads: vec![sync::SignedHead::from(&sig)],
                vouchers: Vec::new(),
            }
            .encode(),
        );
    }
}

pub(crate) fn secret_of(node: &Node) -> [u8; 32] {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(node.home().join("identity.json")).unwrap())
            .unwrap();
    let hex = v["secret_key"].as_str().unwrap();
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

pub(crate) fn key_of(secret: &[u8; 32]) -> NodeKey {
    NodeKey::from_bytes(SigningKey::from_bytes(secret).verifying_key().to_bytes())
}

/// The coalition `c` as `node` holds it, exported as an Automerge document.
fn exported(node: &Node, c: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    node.ok(&[
        "export",
        "--coalition",
        c,
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    std::fs::read(dir.path().join(format!("{c}.automerge"))).unwrap()
}

/// Two running nodes: A founded coalition `c` and B joined it by A's invite.
struct Members {
    a: Node,
    b: Node,
    /// A's port.
    pa: u16,
    da: coalesce_tests::Daemon,
    db: coalesce_tests::Daemon,
    c: String,
}

fn two_members() -> Members {
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let (pa, pb) = (free_port(), free_port());
    let da = a.run_daemon(pa);
    let db = b.run_daemon(pb);
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    }
}

pub(crate) fn wire(c: &str) -> [u8; 16] {
    c.parse::<model::CoalitionId>().unwrap().to_bytes()
}

/// A change made by `key` on top of the document `bytes`, written directly with Automerge
/// (as a modified node could), with no checks of the model.
/// A valid record id for forged records.
const FORGED: &str = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";

fn raw_change(
    bytes: &[u8],
    key: NodeKey,
    f: impl FnOnce(&mut AutoCommit),
) -> model::automerge::Change {
    let mut d = AutoCommit::load(bytes).unwrap().with_actor(key.actor());
    let before = d.get_heads();
    f(&mut d);
    d.commit();
    d.get_changes(&before).remove(0)
}

fn obj(d: &AutoCommit, path: &[&str]) -> model::automerge::ObjId {
    use model::automerge::ReadDoc;
    let mut o = model::automerge::ROOT;
    for k in path {
        o = d.get(&o, *k).unwrap().unwrap().1;
    }
    o
}
