//! A hostile peer speaking the real protocol over libp2p to a running node: as an outsider,
//! then holding a member's key. Nothing it sends gets in, the node stays up and keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::time::Duration;

use coalesce_tests::{Node, eventually, free_port};
use ed25519_dalek::SigningKey;
use model::automerge::AutoCommit;
use model::{CoalitionDoc, IssueId, NewIssue, NodeKey, Timestamp};
use net::core::{Event, Outgoing};
use sync::Message;
use sync::wire::ByteChunk;
use tokio::sync::mpsc;

/// A bare protocol endpoint with a given key: no replica, no checks of its own.
struct Hostile {
    rt: tokio::runtime::Runtime,
    events: mpsc::Receiver<Event>,
    out: mpsc::Sender<Outgoing>,
    target: NodeKey,
    /// The key it signs with.
    secret: [u8; 32],
}

impl Hostile {
    fn connect(secret: [u8; 32], target_port: u16, target: NodeKey) -> Self {
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
            mdns: false,
            frames_per_second: std::num::NonZeroU32::new(net::swarm::FRAMES_PER_SECOND).unwrap(),
            max_connections: net::swarm::MAX_CONNECTIONS,
            max_connections_per_peer: net::swarm::MAX_CONNECTIONS_PER_PEER,
            max_frame: sync::wire::MAX_FRAME,
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
    fn next_message(&mut self) -> Message {
        match self.wait(|e| matches!(e, Event::Frame(..))) {
            Event::Frame(_, f) => Message::decode(&f).unwrap(),
            _ => unreachable!(),
        }
    }

    fn send(&self, frame: Vec<u8>) {
        self.out
            .blocking_send(Outgoing::Send(self.target, frame))
            .unwrap();
    }

    /// Names coalition `c` in a Hello, as a member's node does.
    fn hello(&self, c: &str) {
        self.send(
            Message::Hello {
                coalitions: vec![wire(c)],
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

fn secret_of(node: &Node) -> [u8; 32] {
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

fn key_of(secret: &[u8; 32]) -> NodeKey {
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

fn wire(c: &str) -> [u8; 16] {
    c.parse::<model::CoalitionId>().unwrap().to_bytes()
}

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
        Message::Hello { coalitions: vec![] }
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

#[test]
fn a_member_breaking_the_charters_rules_is_refused_and_the_operator_sees_why() {
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    // A founded the coalition, admitted B and opened a proposal; B's node turns hostile: it
    // signs honestly with its own key, but writes what is not its to write.
    let Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    } = two_members();
    let p = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "March on city hall",
    ]);
    let issue = a.ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    let pool = a.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Legal fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    b.wait_for(
        20,
        "B to receive the proposal",
        &["proposal", "show", "--coalition", &c, &p],
    );
    assert!(db.stop());
    assert!(a.json(&["audit", "refused"]).as_array().unwrap().is_empty());
    let key_a = key_of(&secret_of(&a));
    let secret_b = secret_of(&b);
    let key_b = key_of(&secret_b);
    let bytes = exported(&a, &c);
    let state = AutoCommit::load(&bytes).unwrap();
    let member_a = CoalitionDoc::from_automerge(state)
        .unwrap()
        .member_for_key(key_a)
        .unwrap()
        .to_string();
    let proposal = a.json(&["proposal", "show", "--coalition", &c, &p])["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let hostile = Hostile::connect(secret_b, pa, key_a);
    hostile.hello(&c);
    let push = |change: model::automerge::Change| hostile.push(&c, &change);
    // 1. B records a position in A's name.
    push(raw_change(&bytes, key_b, |d| {
        let positions = obj(d, &["proposals", &proposal, "positions"]);
        let pos = d
            .put_object(
                &positions,
                member_a.as_str(),
                model::automerge::ObjType::Map,
            )
            .unwrap();
        d.put(&pos, "stance", "block").unwrap();
        d.put(&pos, "reason", "forged").unwrap();
        d.put(&pos, "at", 1i64).unwrap();
    }));
    // 2. B rewrites the charter's amendment rule without a proposal.
    push(raw_change(&bytes, key_b, |d| {
        let rule = obj(d, &["charter", "rules", "amendment"]);
        d.put(&rule, "method", "majority").unwrap();
    }));

    // 3. B ranks an issue in A's name.
    push(raw_change(&bytes, key_b, |d| {
        let ranks = obj(d, &["issues", &issue, "ranks"]);
        d.put(&ranks, member_a.as_str(), 1u64).unwrap();
    }));
    // 4. B pledges in A's name.
    push(raw_change(&bytes, key_b, |d| {
        let ledger = obj(d, &["pools", &pool, "ledger"]);
        let e = d
            .put_object(&ledger, FORGED, model::automerge::ObjType::Map)
            .unwrap();
        for (k, v) in [
            ("id", FORGED),
            ("kind", "pledge"),
            ("member", member_a.as_str()),
            ("note", ""),
        ] {
            d.put(&e, k, v).unwrap();
        }
        d.put(&e, "amount", 100_000i64).unwrap();
        d.put(&e, "at", 1i64).unwrap();
        d.put(&e, "proposal", ()).unwrap();
    }));
    // 5. B strikes A from the member list.
    push(raw_change(&bytes, key_b, |d| {
        let members = obj(d, &["members"]);
        d.delete(&members, member_a.as_str()).unwrap();
    }));

    eventually(20, "every refusal in the audit log", || {
        let log = a.json(&["audit", "refused"]);
        (log.as_array()?.len() == 5).then_some(log)
    });
    let log = a.json(&["audit", "refused"]);
    let reasons: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons[0].contains("positions") && reasons[0].contains("only member"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("passed proposal"), "{reasons:?}");
    assert!(
        reasons[2].contains("ranks") && reasons[2].contains("only member"),
        "{reasons:?}"
    );
    assert!(
        reasons[3].contains(&format!("member names {member_a}")),
        "{reasons:?}"
    );
    assert!(
        reasons[4].contains("members/") && reasons[4].contains("passed proposal"),
        "{reasons:?}"
    );
    assert!(
        log[0]["peer"].as_str().unwrap() == key_b.to_string(),
        "{log}"
    );
    let table = a.ok(&["audit", "refused"]);
    assert!(
        table.contains("REFUSED BECAUSE") && table.contains("passed proposal"),
        "{table}"
    );
    // The operator's monitoring counts them by kind, without the API token.
    let (status, metrics) = coalesce_tests::http_get(a.home(), "/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("coalesce_refused_total{reason=\"rule\"} 5"),
        "{metrics}"
    );

    // Nothing got in: no position, the founding rule still in force.
    let shown = a.json(&["proposal", "show", "--coalition", &c, &p]);
    assert_eq!(
        shown["positions"].as_object().map(|m| m.len()),
        Some(0),
        "{shown}"
    );
    let charter = a.json(&["charter", "show", "--coalition", &c]);
    assert_eq!(charter["rules"]["amendment"], "consensus@1/2", "{charter}");
    assert!(da.stop(), "the node shut down cleanly");
}

#[test]
fn a_removed_member_is_sent_nothing_and_its_later_changes_are_refused() {
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    let Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    } = two_members();
    // A removes B: the membership rule is consensus of the other members, here A alone.
    let p = a.ok(&[
        "member",
        "remove",
        "--coalition",
        &c,
        "Eastside Disability Justice",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    eventually(20, "B's node to learn of its removal", || {
        let members = b.json(&["member", "list", "--coalition", &c]);
        (members.as_array()?.len() == 1).then_some(())
    });
    assert!(db.stop());
    let key_a = key_of(&secret_of(&a));
    let secret_b = secret_of(&b);
    let key_b = key_of(&secret_b);
    let bytes = exported(&a, &c);
    let member_b = CoalitionDoc::from_automerge(AutoCommit::load(&bytes).unwrap())
        .unwrap()
        .member_for_key(key_b)
        .unwrap()
        .to_string();

    // B's node, modified, reconnects: A no longer names the coalition to it...
    let mut hostile = Hostile::connect(secret_b, pa, key_a);
    assert_eq!(
        hostile.next_message(),
        Message::Hello { coalitions: vec![] }
    );
    hostile.hello(&c);
    // ...and refuses what it writes after its removal, signed with its own key.
    let change = raw_change(&bytes, key_b, |d| {
        let me = obj(d, &["members", &member_b]);
        d.put(&me, "contact", "we never left").unwrap();
    });
    hostile.push(&c, &change);
    hostile.send(
        Message::Sync {
            coalition: wire(&c),
            sync: vec![0x42, 0, 0, 0, 0],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    let log = eventually(20, "the refusal in the audit log", || {
        let log = a.json(&["audit", "refused"]);
        (!log.as_array()?.is_empty()).then_some(log)
    });
    // Refused before its content is read: the coalition is no longer shared with it. (A
    // member relaying such a change would see it refused by the rules instead: written by a
    // key that was not a member's; see the model's governance tests.)
    assert!(
        log[0]["reason"].as_str().unwrap().contains("not shared"),
        "{log}"
    );
    assert_eq!(log[0]["peer"], key_b.to_string());
    std::thread::sleep(Duration::from_millis(300));
    while let Ok(e) = hostile.events.try_recv() {
        assert!(
            !matches!(e, Event::Frame(..)),
            "a removed member's node was sent {e:?}"
        );
    }
    let all = a.json(&["member", "list", "--coalition", &c, "--all"]);
    let b_record = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member_b.as_str())
        .unwrap();
    assert_eq!(b_record["status"], "removed");
    assert_eq!(b_record["contact"], "", "nothing it wrote got in: {all}");
    assert!(da.stop());
}

#[test]
fn a_flooding_member_is_slowed_down_and_the_others_stay_served() {
    let _serial = coalesce_tests::network_lock();
    // A admits 20 messages a second from each peer (bursts of 40).
    let (a, b, x) = (
        Node::init("Northside Tenants Union"),
        Node::init("Eastside Disability Justice"),
        Node::init("Faith in Transit"),
    );
    let pa = free_port();
    let listen = format!("/ip4/127.0.0.1/tcp/{pa}");
    let da = a.run_daemon_with(&listen, &[("COALESCE_PEER_FRAMES_PER_SECOND", "20")]);
    let db = b.run_daemon(free_port());
    let dx = x.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    for node in [&b, &x] {
        let code = a.ok(&["invite", "create", "--coalition", &c]);
        node.ok(&["join", &code, "--wait", "30"]);
    }
    // The third member's node turns into a flood of messages.
    assert!(dx.stop());
    let key_a = key_of(&secret_of(&a));
    let bytes = exported(&a, &c);
    let held = AutoCommit::load(&bytes).unwrap().get_changes(&[]);
    let mut hostile = Hostile::connect(secret_of(&x), pa, key_a);
    assert_eq!(
        hostile.next_message(),
        Message::Hello {
            coalitions: vec![wire(&c)]
        }
    );
    hostile.hello(&c);
    while !matches!(hostile.next_message(), Message::Sync { .. }) {}
    // 400 replays of a change A holds: each valid, none adding anything; at 20 a second
    // they take A at least 18 seconds to read.
    let replay = Message::Changes {
        coalition: wire(&c),
        changes: vec![ByteChunk(held[0].raw_bytes().to_vec())],
        heads: vec![],
        vouchers: Vec::new(),
    }
    .encode();
    for _ in 0..400 {
        hostile.send(replay.clone());
    }
    // Meanwhile an honest member keeps working, and A keeps hearing from it.
    let started = std::time::Instant::now();
    let issue = b.ok(&["issue", "add", "--coalition", &c, "Night buses"]);
    a.wait_for(
        20,
        "A to receive B's issue during the flood",
        &["issue", "show", "--coalition", &c, &issue],
    );
    let served_in = started.elapsed();
    assert!(
        served_in < Duration::from_secs(10),
        "B was kept waiting {served_in:?} by the flood"
    );
    eventually(20, "A to slow the flooding peer down", || {
        da.logged("faster than its rate limit").then_some(())
    });
    a.ok(&["issue", "add", "--coalition", &c, "Still serving"]);
    assert!(da.stop(), "the flooded node shut down cleanly");
    assert!(db.stop());
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

/// One member's node, signing with its own key, sends what used to break a coalition for
/// everyone: a value of the wrong type where it may write, changes that do not chain, a
/// compressed change that inflates to gigabytes. Each is refused with its reason, the node
/// stays up and healthy, the coalition stays readable and exportable, and the member's next
/// honest change is taken.
#[test]
fn one_member_cannot_brick_crash_or_exhaust_a_node() {
    use model::automerge::ExpandedChange;
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    let Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    } = two_members();
    let issue = a.ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    b.wait_for(
        20,
        "B to receive the issue",
        &["issue", "show", "--coalition", &c, &issue],
    );
    assert!(db.stop());
    let key_a = key_of(&secret_of(&a));
    let secret_b = secret_of(&b);
    let key_b = key_of(&secret_b);
    let bytes = exported(&a, &c);
    let member_b = CoalitionDoc::from_automerge(AutoCommit::load(&bytes).unwrap())
        .unwrap()
        .member_for_key(key_b)
        .unwrap()
        .to_string();
    let issue_id = a.json(&["issue", "show", "--coalition", &c, &issue])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hostile = Hostile::connect(secret_b, pa, key_a);
    hostile.hello(&c);

    // 1. A number where B's own name belongs; an issue title that is a list.
    hostile.push(
        &c,
        &raw_change(&bytes, key_b, |d| {
            let me = obj(d, &["members", &member_b]);
            d.put(&me, "name", 42i64).unwrap();
        }),
    );
    hostile.push(
        &c,
        &raw_change(&bytes, key_b, |d| {
            let i = obj(d, &["issues", &issue_id]);
            d.put_object(&i, "title", model::automerge::ObjType::List)
                .unwrap();
        }),
    );
    // 2. A change whose sequence number skips, and one whose counters overlap earlier ones.
    let honest = raw_change(&bytes, key_b, |d| {
        let i = obj(d, &["issues", &issue_id]);
        d.put(&i, "status", "adopted").unwrap();
    });
    let mut skipped: ExpandedChange = honest.decode();
    skipped.seq += 5;
    hostile.push(&c, &model::automerge::Change::from(skipped));
    let mut overlapping: ExpandedChange = honest.decode();
    overlapping.start_op = std::num::NonZeroU64::new(3).unwrap();
    hostile.push(&c, &model::automerge::Change::from(overlapping));
    // 3. A compressed change that inflates to 64 MiB (a few kilobytes on the wire).
    let bomb = {
        use std::io::Write;
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        let deflated = enc.finish().unwrap();
        let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
        let mut n = deflated.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                chunk.push(byte);
                break;
            }
            chunk.push(byte | 0x80);
        }
        chunk.extend(deflated);
        chunk
    };
    assert!(bomb.len() < 200_000);
    hostile.send(
        Message::Changes {
            coalition: wire(&c),
            changes: vec![ByteChunk(bomb)],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );

    let log = eventually(20, "every refusal in the audit log", || {
        let log = a.json(&["audit", "refused"]);
        (log.as_array()?.len() == 5).then_some(log)
    });
    let reasons: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons[0].contains("name") && reasons[0].contains("text"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("title"), "{reasons:?}");
    assert!(reasons[2].contains("does not follow"), "{reasons:?}");
    assert!(reasons[3].contains("starts at operation"), "{reasons:?}");
    assert!(reasons[4].contains("inflates beyond"), "{reasons:?}");

    // The node is up and healthy, the coalition reads and exports, and loads again.
    assert_eq!(
        coalesce_tests::http_get(a.home(), "/health"),
        (200, "ok".to_owned())
    );
    let issues = a.json(&["issue", "list", "--coalition", &c]);
    assert_eq!(issues[0]["title"], "Bus fares");
    assert!(
        a.json(&["member", "list", "--coalition", &c])
            .as_array()
            .unwrap()
            .len()
            == 2
    );
    AutoCommit::load(&exported(&a, &c)).expect("the export loads");
    // B's next honest change is taken.
    hostile.push(&c, &honest);
    eventually(20, "B's honest change to arrive", || {
        (a.json(&["issue", "show", "--coalition", &c, &issue])["status"] == "adopted").then_some(())
    });
    assert!(da.stop(), "the node stops cleanly");
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

/// A member's node forks its history: one version of its next change goes to one node, a
/// different one with the same sequence number to another. The two honest nodes find the
/// fork and each keeps its version until a member writes on one: then both hold that one,
/// the other is kept apart where it was stored, and the documents are identical; the
/// operator sees which member's node did it; another version of that change is set aside
/// too. (Before, each kept its version and refused the other's: split for good.)
#[test]
fn a_member_forking_its_history_is_flagged_and_honest_nodes_converge_on_the_version_built_on() {
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = crate::network::coalition_of_three();
    let issue = orgs[0]
        .node
        .ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    for org in &orgs {
        org.node.wait_for(
            20,
            "the issue everywhere",
            &["issue", "show", "--coalition", &c, &issue],
        );
    }
    // East's node turns hostile (its key is used by a bare endpoint).
    orgs[1].stop();
    let north = &orgs[0].node;
    let faith = &orgs[2].node;
    let secret_east = secret_of(&orgs[1].node);
    let key_east = key_of(&secret_east);
    let bytes = exported(north, &c);
    let issue_id = north.json(&["issue", "show", "--coalition", &c, &issue])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = |title: &str| {
        raw_change(&bytes, key_east, |d| {
            let i = obj(d, &["issues", &issue_id]);
            d.put(&i, "title", title).unwrap();
        })
    };
    let (a, b) = (
        version("Version told to North"),
        version("Version told to Faith"),
    );
    assert_eq!(a.seq(), b.seq());
    let port = |o: &crate::network::Org| {
        o.node.json(&["status"])["addresses"]
            .as_array()
            .and_then(|a| {
                a.first()?
                    .as_str()?
                    .rsplit_once("/tcp/")?
                    .1
                    .split('/')
                    .next()?
                    .parse::<u16>()
                    .ok()
            })
            .unwrap()
    };
    let to_north = Hostile::connect(secret_east, port(&orgs[0]), key_of(&secret_of(north)));
    to_north.hello(&c);
    to_north.push(&c, &a);
    let to_faith = Hostile::connect(secret_east, port(&orgs[2]), key_of(&secret_of(faith)));
    to_faith.hello(&c);
    to_faith.push(&c, &b);

    // North and Faith meet (they are connected): both find the fork.
    for node in [north, faith] {
        eventually(30, "the fork found", || {
            let status = node.json(&["status"]);
            let forked = status["coalitions"][0]["forked"].as_array()?.clone();
            (forked.len() == 1 && forked[0]["node"] == key_east.to_string()).then_some(())
        });
    }
    let title = |n: &Node| n.json(&["issue", "show", "--coalition", &c, &issue])["title"].clone();
    // No other member built on either version yet: each keeps the one that reached it
    // first (North's, or Faith's if Faith relayed it first).
    let versions = |t: &serde_json::Value| {
        if t == "Version told to North" {
            a.hash().to_string()
        } else {
            b.hash().to_string()
        }
    };
    let held = [title(north), title(faith)];
    // North's organization writes, on the version it holds: that one is kept everywhere.
    north.ok(&["issue", "add", "--coalition", &c, "Fare-free buses"]);
    eventually(30, "North and Faith to agree", || {
        (title(faith) == held[0]).then_some(())
    });
    let heads = |n: &Node| {
        let mut d = AutoCommit::load(&exported(n, &c)).unwrap();
        let mut h = d.get_heads();
        h.sort();
        h
    };
    eventually(30, "identical documents", || {
        (heads(north) == heads(faith)).then_some(())
    });
    assert!(
        north
            .ok(&["status"])
            .contains("wrote two different changes with one sequence number"),
    );
    // A node that had applied and stored the other version keeps it apart, and lists it.
    for (node, t) in [north, faith].into_iter().zip(&held) {
        let kept = node.json(&["audit", "aside", "--coalition", &c]);
        let kept = kept.as_array().unwrap();
        if *t == held[0] {
            assert!(kept.is_empty(), "{kept:?}");
            continue;
        }
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(kept[0]["change"], versions(t), "{kept:?}");
        assert_eq!(kept[0]["node"], key_east.to_string());
        let text = node.ok(&["status"]);
        assert!(text.contains("coalesce audit aside"), "{text}");
        let listed = node.ok(&["audit", "aside", "--coalition", &c]);
        assert!(listed.contains("Eastside Disability Justice"), "{listed}");
    }
    // Yet another version of that change is set aside everywhere, not refused.
    let later = raw_change(&bytes, key_east, |d| {
        let i = obj(d, &["issues", &issue_id]);
        d.put(&i, "status", "won").unwrap();
    });
    to_north.push(&c, &later);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        north.json(&["issue", "show", "--coalition", &c, &issue])["status"],
        "raised"
    );
    // Both honest members' nodes flag East's key: what it writes after seeing both flags is
    // refused on every node, with the reason, and the operator is told.
    for node in [north, faith] {
        eventually(30, "East's key flagged by both others", || {
            let status = node.json(&["status"]);
            let f = &status["coalitions"][0]["forked"][0];
            (f["refused"] == true && f["flagged_by"].as_array()?.len() == 2).then_some(())
        });
    }
    assert!(north.ok(&["status"]).contains("2 other members flagged it"));
    eventually(30, "both flags on both nodes", || {
        (heads(north) == heads(faith)).then_some(())
    });
    let after = raw_change(&exported(north, &c), key_east, |d| {
        let i = obj(d, &["issues", &issue_id]);
        d.put(&i, "title", "Written after the flags").unwrap();
    });
    to_north.push(&c, &after);
    to_faith.push(&c, &after);
    for node in [north, faith] {
        eventually(30, "the flagged key's change refused", || {
            let refused = node.ok(&["audit", "refused"]);
            refused
                .contains("flagged it for writing two histories")
                .then_some(())
        });
    }
    assert_eq!(title(north), held[0]);
    assert_eq!(title(faith), held[0]);
    assert_eq!(
        coalesce_tests::http_get(north.home(), "/health"),
        (200, "ok".to_owned())
    );
    let metrics = coalesce_tests::http_get(north.home(), "/metrics").1;
    assert!(metrics.contains("coalesce_forks_total 1"), "{metrics}");
}
