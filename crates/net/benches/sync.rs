//! Node-to-node sync over loopback (libp2p, signatures, redb) against the limit: the same
//! changes synced between two Automerge documents in memory, measured in the same run, for a
//! new member's node (also against samod, automerge-repo in Rust, over loopback TCP) and for a
//! member's node restarted after missing a tenth of the edits; and
//! how long one change takes to reach five connected nodes. The coalition is shaped like a
//! real one, one change per edit: issues with long descriptions and tags, shares of earlier
//! issues, pledges.
//!
//! Run: `cargo bench -p net --bench sync` (1,000 and 10,000 edits; `BENCH_SIZES=1000,100000`
//! to choose sizes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use commands::ops::issues::NewIssueRequest;
use commands::ops::{OpError, Reply, Request};
use model::automerge::AutoCommit;
use model::automerge::sync::{State, SyncDoc};
use model::{CoalitionId, IssueId, MemberId, MemberProfile, NewIssue, NodeKey};
use net::core::{CHANNEL, Core, Event};
use replica::{NewCoalition, Replica};
use tokio::sync::mpsc;

// Shared with the real-process join bench (`tests/benches/join.rs`).
mod samod_baseline;
use samod_baseline::samod_join;

struct Running {
    key: NodeKey,
    events: mpsc::Sender<Event>,
    progress: std::sync::mpsc::Receiver<(CoalitionId, usize)>,
    addr: String,
    /// The core's thread, which hands the replica back when it stops.
    core: std::thread::JoinHandle<Replica>,
}

impl Running {
    /// Stops the node and waits until its store is closed.
    fn stop(self) {
        let _ = self.events.blocking_send(Event::Shutdown);
        drop(self.core.join().unwrap());
    }
}

fn start(rt: &tokio::runtime::Runtime, home: &Path) -> Running {
    let replica = Replica::open(home).unwrap();
    let key = replica.identity().node_key();
    let secret = replica.identity().secret_bytes();
    let (events_tx, events_rx) = mpsc::channel(CHANNEL);
    let (out_tx, out_rx) = mpsc::channel(CHANNEL);
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
        bootstrap: vec![],
        keep: vec![],
    };
    let (addrs, handle) = rt
        .block_on(net::swarm::start(config, events_tx.clone(), out_rx))
        .unwrap();
    let peer = net::swarm::peer_id(&key).unwrap();
    let addr = format!("{}/p2p/{peer}", addrs[0]);
    let (ptx, prx) = std::sync::mpsc::channel();
    let core = Core::new(replica, out_tx, handle.sender(), vec![addr.clone()]).with_progress(ptx);
    // Named after the node's folder, so that a profile can pick out one node's core.
    let name = home
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let core = std::thread::Builder::new()
        .name(format!("core-{name}"))
        .spawn(move || core.run(events_rx))
        .unwrap();
    Running {
        key,
        events: events_tx,
        progress: prx,
        addr,
        core,
    }
}

fn init(dir: &Path, name: &str) -> (std::path::PathBuf, NodeKey) {
    let home = dir.join(name);
    let key = Replica::init(&home, name).unwrap();
    (home, key)
}

/// Founds a coalition at `home` with `changes` edits and admits `members`.
fn history(home: &Path, changes: usize, members: &[NodeKey]) -> (CoalitionId, Vec<u8>) {
    let mut r = Replica::open(home).unwrap();
    let c = r
        .found_coalition(NewCoalition {
            name: "Bench".into(),
            ..Default::default()
        })
        .unwrap();
    for (i, k) in members.iter().enumerate() {
        let id = MemberId::from_bytes([i as u8 + 1; 16]);
        r.edit(&c, |doc, a| {
            doc.admit_member(
                &a.member,
                &id,
                &MemberProfile::named(format!("Member {i}")),
                *k,
                a.now,
            )
        })
        .unwrap();
    }
    // Shaped like a real coalition, one change per edit (as organizers make them): mostly
    // issues with a long description and three tags; every tenth edit a pledge to a pool;
    // two in ten a member's share of an earlier issue (a write in an object an earlier
    // change made).
    let pool = model::PoolId::from_bytes([0xee; 16]);
    r.edit(&c, |doc, a| {
        doc.create_pool(
            &a.member,
            model::NewPool {
                id: pool.clone(),
                name: "Legal defense fund".into(),
                kind: model::PoolKind::Funds,
                unit: "USD".into(),
                description: String::new(),
            },
            a.now,
        )
    })
    .unwrap();
    let issue_id = |n: usize| {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&(n as u64).to_le_bytes());
        IssueId::from_bytes(b)
    };
    let mut issues = 0usize;
    for n in 0..changes {
        r.edit(&c, |doc, a| {
            match n % 10 {
                3 | 6 if issues > 0 => {
                    let rank = model::Rank::new(1 + (n % 10) as u64).unwrap();
                    doc.share_issue(&a.member, &issue_id(n * 7 % issues), rank, a.now)?;
                }
                9 => {
                    let mut b = [0u8; 16];
                    b[..8].copy_from_slice(&(n as u64).to_le_bytes());
                    b[15] = 3;
                    let gift = model::Gift {
                        entry: model::EntryId::from_bytes(b),
                        kind: model::GiftKind::Pledge,
                        amount: "25".parse().unwrap(),
                        note: "monthly dues share".into(),
                    };
                    doc.give(&a.member, &pool, gift, a.now)?;
                }
                _ => {
                    doc.add_issue(
                        &a.member,
                        NewIssue {
                            id: issue_id(issues),
                            title: format!("Bus fare equity in district {n}"),
                            description: format!(
                                "Riders in district {n} spend a larger share of their income \
                                 on fares than riders elsewhere; the 2025 transit survey, \
                                 disaggregated by race, income and disability, shows the gap \
                                 widening since the last fare increase. We ask for fare-free \
                                 passes for low-income riders and shelters at every stop."
                            ),
                            tags: vec!["race".into(), "class".into(), "disability".into()],
                            lead: None,
                        },
                        a.now,
                    )?;
                    issues += 1;
                }
            }
            Ok(())
        })
        .unwrap();
    }
    let saved = r.save(&c).unwrap();
    (c, saved)
}

/// The limit: Automerge syncing the document into an empty one in memory.
fn in_memory(saved: &[u8]) -> Duration {
    in_memory_from(saved, None)
}

/// The limit for a returning member, counted from its start as the node is: Automerge loading
/// `held` (an older state of the document, what the member kept) and syncing the document
/// `saved` into it (the other side loaded already, as a running member's node has it).
fn in_memory_from(saved: &[u8], held: Option<&[u8]>) -> Duration {
    let mut a = AutoCommit::load(saved).unwrap();
    let t = Instant::now();
    let mut b = held.map_or_else(AutoCommit::new, |h| AutoCommit::load(h).unwrap());
    let (mut sa, mut sb) = (State::new(), State::new());
    loop {
        let ma = a.sync().generate_sync_message(&mut sa);
        let mb = b.sync().generate_sync_message(&mut sb);
        if ma.is_none() && mb.is_none() {
            break;
        }
        if let Some(m) = ma {
            b.sync().receive_sync_message(&mut sb, m).unwrap();
        }
        if let Some(m) = mb {
            a.sync().receive_sync_message(&mut sa, m).unwrap();
        }
    }
    let elapsed = t.elapsed();
    assert_eq!(a.get_heads(), b.get_heads());
    elapsed
}

fn wait_for(
    progress: &std::sync::mpsc::Receiver<(CoalitionId, usize)>,
    want: usize,
    limit: Duration,
) -> usize {
    let deadline = Instant::now() + limit;
    let mut got = 0;
    while got < want {
        let left = deadline.saturating_duration_since(Instant::now());
        match progress.recv_timeout(left) {
            Ok((_, n)) => got += n,
            Err(_) => panic!("only {got} of {want} changes arrived"),
        }
    }
    got
}

fn main() {
    if let Ok(filter) = std::env::var("COALESCE_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| changes | Automerge in memory | samod over loopback | ratio | node to fresh node over loopback | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    let mut returning = Vec::new();
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let (home_a, _) = init(dir.path(), "a");
        let (home_b, key_b) = init(dir.path(), "b");
        let (c, saved) = history(&home_a, n, &[key_b]);
        let total = AutoCommit::load(&saved).unwrap().get_changes(&[]).len();
        let ops = model::automerge::ReadDoc::stats(&AutoCommit::load(&saved).unwrap()).num_ops;
        let limit = in_memory(&saved);
        let samod = samod_join(&rt, &saved);
        let a = start(&rt, &home_a);
        let b = start(&rt, &home_b);
        // The baseline starts with the document in memory; so does A (a running node has
        // loaded its coalitions by the time a member's new node connects).
        warm(&a, &c);
        let t = Instant::now();
        b.events
            .blocking_send(Event::Expect(c.clone(), a.key))
            .unwrap();
        let dial = net::swarm::Command::Dial(a.addr.parse().unwrap());
        // B already is a member (admitted above) and expects the coalition from A: it connects
        // and catches up as a member's new node would.
        dial_from(&b, dial);
        wait_for(&b.progress, total, Duration::from_secs(600));
        let ours = t.elapsed();
        println!(
            "| {n} ({total} changes, {ops} operations) | {limit:.2?} | {samod:.2?} | {:.2} | {ours:.2?} | {:.2} |",
            samod.as_secs_f64() / limit.as_secs_f64(),
            ours.as_secs_f64() / limit.as_secs_f64()
        );
        // A returning member: B stops, A makes a tenth more edits, B starts again and catches
        // up, counted from the start of its process's work (opening its store).
        b.stop();
        let more = (n / 10).max(1);
        for i in 0..more {
            let req = Request::IssueCreate {
                coalition: c.to_string(),
                body: NewIssueRequest {
                    title: format!("While B was away {i}"),
                    ..Default::default()
                },
            };
            let answer = command(&a, req).blocking_recv().unwrap();
            assert!(answer.is_ok(), "{answer:?}");
        }
        let now = save_of(&a, &c);
        let limit = in_memory_from(&now, Some(&saved));
        let t = Instant::now();
        let b = start(&rt, &home_b);
        dial_from(&b, net::swarm::Command::Dial(a.addr.parse().unwrap()));
        wait_for(&b.progress, more, Duration::from_secs(600));
        let ours = t.elapsed();
        returning.push(format!(
            "| {more} new on {n} | {limit:.2?} | {ours:.2?} | {:.2} |",
            ours.as_secs_f64() / limit.as_secs_f64()
        ));
        a.stop();
        b.stop();
    }
    println!();
    println!(
        "| returning member: edits missed | Automerge in memory: load what it held, sync those edits | node restarted over loopback, from its start | ratio |"
    );
    println!("|---|---|---|---|");
    for line in returning {
        println!("{line}");
    }

    // Propagation: one change from A to five connected members.
    let dir = tempfile::tempdir().unwrap();
    let (home_a, _) = init(dir.path(), "hub");
    let others: Vec<(std::path::PathBuf, NodeKey)> =
        (0..5).map(|i| init(dir.path(), &format!("m{i}"))).collect();
    let keys: Vec<NodeKey> = others.iter().map(|(_, k)| *k).collect();
    let (c, saved) = history(&home_a, 10, &keys);
    let total = AutoCommit::load(&saved).unwrap().get_changes(&[]).len();
    let hub = start(&rt, &home_a);
    let members: Vec<Running> = others.iter().map(|(h, _)| start(&rt, h)).collect();
    for m in &members {
        m.events
            .blocking_send(Event::Expect(c.clone(), hub.key))
            .unwrap();
        dial_from(m, net::swarm::Command::Dial(hub.addr.parse().unwrap()));
    }
    for m in &members {
        wait_for(&m.progress, total, Duration::from_secs(60));
    }
    let mut samples = Vec::new();
    for i in 0..30 {
        let title = format!("Live change {i}");
        let t = Instant::now();
        let answer = command(
            &hub,
            Request::IssueCreate {
                coalition: c.to_string(),
                body: NewIssueRequest {
                    title,
                    ..Default::default()
                },
            },
        );
        for m in &members {
            wait_for(&m.progress, 1, Duration::from_secs(10));
        }
        samples.push(t.elapsed());
        let _ = answer.blocking_recv();
    }
    samples.sort();
    println!();
    println!(
        "one change to 5 connected nodes (30 changes): median {:.2?}, max {:.2?}",
        samples[samples.len() / 2],
        samples[samples.len() - 1]
    );
}

/// The answer to an operation.
type Answer = tokio::sync::oneshot::Receiver<Result<Reply, OpError>>;

/// Hands `node` an operation as its API would; the answer comes on the returned channel.
fn command(node: &Running, req: Request) -> Answer {
    let (tx, rx) = tokio::sync::oneshot::channel();
    node.events
        .blocking_send(Event::Api(api::Job::Op(req, tx)))
        .unwrap();
    rx
}

/// The document of `coalition` as `node` holds it now (through an export to a file).
fn save_of(node: &Running, coalition: &CoalitionId) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let req = Request::Export {
        coalition: coalition.to_string(),
        body: commands::ops::files::ExportRequest {
            dir: dir.path().display().to_string(),
            csv: false,
        },
    };
    match command(node, req).blocking_recv().unwrap() {
        Ok(Reply::Exported(e)) => std::fs::read(e.automerge).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Has `node` load `coalition` into memory (through an operation that reads it).
fn warm(node: &Running, coalition: &CoalitionId) {
    let req = Request::CharterShow {
        coalition: coalition.to_string(),
    };
    let answer = command(node, req).blocking_recv().unwrap();
    assert!(answer.is_ok(), "{answer:?}");
}

fn dial_from(node: &Running, cmd: net::swarm::Command) {
    node.events.blocking_send(Event::Dial(cmd)).unwrap();
}
