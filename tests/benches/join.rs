//! A new member's join as organizers make it, through real processes: a coalition of N
//! issues shaped like a real one (a long description and three tags each, one change per
//! issue, a pledge every ten, a proposal every hundred) on a running `coalesce-node`; a second
//! organization's node started fresh; `coalesce invite create` on the first, and the clock
//! runs around `coalesce join CODE --wait` on the second, from the command's start until it
//! returns with the coalition there. The limit, measured in the same run: Automerge syncing
//! the same document into an empty one in memory; and beside it samod (automerge-repo in
//! Rust) joining the same document over loopback TCP, as `net`'s sync bench measures it.
//!
//! Then the same member returns: its node stopped, a tenth more issues raised on the hub
//! through its HTTP API, the hub restarted, the member's node started again, and the clock
//! runs from the member process's start until its API shows the last new issue. The limit:
//! Automerge loading what the member held and syncing the hub's document into it, in memory,
//! shown with its two parts (the load, then the sync of the new edits alone).
//!
//! Run: `cargo build --release -p coalesce-node -p coalesce-cli` then
//! `cargo bench -p coalesce-tests --bench join` (`BENCH_SIZES=1000,10000` by default;
//! `BENCH_LOG=FILTER` runs the nodes with that log filter, as `info,net::core::dispatch=debug`,
//! and prints both nodes' logs after each join; `BENCH_NODE_ENV=NAME=VALUE` sets one
//! more variable for the node processes alone, as `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::time::{Duration, Instant};

use automerge::sync::{State, SyncDoc};
use automerge::{AutoCommit, ReadDoc};
use coalesce_tests::{ApiSession, Node, free_port};
use replica::Replica;

mod shape;
use shape::{Shape, build};

// samod's join, as `net`'s sync bench measures it.
#[path = "../../crates/net/benches/samod_baseline/mod.rs"]
mod samod_baseline;

/// How long the member's idle compaction is waited for before its memory is read.
const COMPACTION_WAIT: Duration = Duration::from_secs(120);

/// Automerge syncing `saved` into an empty document, both in memory.
fn in_memory(saved: &[u8]) -> Duration {
    sync_in_memory(saved, None).0
}

/// Automerge syncing `saved` into a document that held `held`, or into an empty one: the
/// time in all, loading `held` counted; and of that, loading `held` alone.
fn sync_in_memory(saved: &[u8], held: Option<&[u8]>) -> (Duration, Duration) {
    let mut a = AutoCommit::load(saved).unwrap();
    let t = Instant::now();
    let mut b = held.map_or_else(AutoCommit::new, |h| AutoCommit::load(h).unwrap());
    let loaded = t.elapsed();
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
    (elapsed, loaded)
}

fn main() {
    let sizes = shape::sizes();
    println!(
        "| issues (changes, operations) | Automerge in memory | samod over loopback | ratio | `coalesce join` | ratio | peak memory, member / hub |"
    );
    println!("|---|---|---|---|---|---|---|");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut returning = Vec::new();
    for n in sizes {
        let hub = Node::new();
        let (id, _, _) = build(hub.home(), Shape::join(n));
        let saved = Replica::open(hub.home()).unwrap().save(&id).unwrap();
        let (changes, ops) = {
            // Dropped at once: at 100,000 issues it holds gigabytes the nodes need.
            let mut doc = AutoCommit::load(&saved).unwrap();
            (doc.get_changes(&[]).len(), doc.stats().num_ops)
        };
        let limit = in_memory(&saved);
        let samod = samod_baseline::samod_join(&rt, &saved);
        let c = id.to_string();
        let extra = std::env::var("BENCH_NODE_ENV").unwrap_or_default();
        let filter = std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into());
        let mut info = vec![("COALESCE_LOG", filter.as_str())];
        if let Some((k, v)) = extra.split_once('=') {
            info.push((k, v));
        }
        let hub_listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());
        let member_listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());
        let hub_node = hub.run_daemon_with(&hub_listen, &info);
        // The coalition loaded, as a running node holds it when a member's node asks.
        hub.ok(&["charter", "show", "--coalition", &c]);
        let code = hub.ok(&["invite", "create", "--coalition", &c, "--expires", "1h"]);
        let member = Node::init("Eastside Disability Justice");
        let member_node = member.run_daemon_with(&member_listen, &info);
        let t = Instant::now();
        let joined = member.ok(&["join", &code, "--wait", "3600"]);
        let ours = t.elapsed();
        assert_eq!(joined, c, "the join prints the coalition");
        if std::env::var_os("BENCH_LOG").is_some() {
            eprintln!(
                "--- hub\n{}\n--- member\n{}",
                hub_node.log(),
                member_node.log()
            );
        }
        // Memory: the member's peak against the hub's, which holds the same coalition loaded
        // (and saved it once, for the snapshot). The member's counted after it compacted what
        // it received (saving it whole), which it does once idle.
        // A coalition received whole is stored whole at once, with nothing left to compact.
        let waited = Instant::now();
        let due = changes >= replica::COMPACT_AFTER;
        let compacted = || {
            member_node.logged("document compacted")
                || member_node.logged("stored the coalition received whole")
        };
        while due && !compacted() && waited.elapsed() < COMPACTION_WAIT {
            std::thread::sleep(Duration::from_millis(100));
        }
        let compacted = compacted();
        let mb = |b: Option<u64>| b.expect("VmHWM in /proc") as f64 / 1e6;
        let (peak, held) = (mb(member_node.peak_memory()), mb(hub_node.peak_memory()));
        println!(
            "| {n} ({changes}, {ops}) | {limit:.2?} | {samod:.2?} | {:.2} | {ours:.2?} | {:.2} | {peak:.0} MB / {held:.0} MB{} |",
            samod.as_secs_f64() / limit.as_secs_f64(),
            ours.as_secs_f64() / limit.as_secs_f64(),
            if compacted || !due {
                ""
            } else {
                " (not compacted yet)"
            }
        );

        // The same member returning: its node stopped, a tenth more issues raised on the
        // hub through its API, its node started again; the clock runs from the process's
        // start until its API shows the last of them.
        drop(member_node);
        let new = (n / 10).max(1);
        let api = ApiSession::open(hub.home());
        let path = format!("/v1/coalitions/{c}/issues");
        let mut last = String::new();
        for i in 0..new {
            let issue = shape::issue(n + 1 + i);
            let body = serde_json::json!({
                "title": issue.title,
                "description": issue.description,
                "tags": issue.tags,
            });
            let (status, reply) = api.call("POST", &path, Some(&body), true);
            assert_eq!(status, 201, "{reply}");
            last = reply["id"].as_str().expect("an issue id").to_string();
        }
        drop(api);
        // Both stores read while no node holds them: the limit syncs the hub's document into
        // what the member held, loading that counted.
        drop(hub_node);
        let hub_saved = Replica::open(hub.home()).unwrap().save(&id).unwrap();
        let member_saved = Replica::open(member.home()).unwrap().save(&id).unwrap();
        let (limit, load) = sync_in_memory(&hub_saved, Some(&member_saved));
        // Issue 16 words the returning member's goal against syncing the new edits alone
        // (the document already loaded): shown beside the whole.
        let alone = limit.saturating_sub(load);
        let hub_node = hub.run_daemon_with(&hub_listen, &info);
        hub.ok(&["charter", "show", "--coalition", &c]);
        let t = Instant::now();
        let member_node = member.run_daemon_with(&member_listen, &info);
        let session = ApiSession::open(member.home());
        let shown = format!("/v1/coalitions/{c}/issues/{last}");
        while session.call("GET", &shown, None, true).0 != 200 {
            assert!(
                t.elapsed() < Duration::from_secs(3600),
                "the member never caught up"
            );
            // Asked every 5 ms: often enough to see it within a few, rarely enough to leave
            // the member's node the cores.
            std::thread::sleep(Duration::from_millis(5));
        }
        let ours = t.elapsed();
        if std::env::var_os("BENCH_LOG").is_some() {
            eprintln!(
                "--- hub\n{}\n--- member\n{}",
                hub_node.log(),
                member_node.log()
            );
        }
        returning.push(format!(
            "| {new} new on {n} | {load:.2?} | {alone:.2?} | {limit:.2?} | {ours:.2?} | {:.2} | {:.1} |",
            ours.as_secs_f64() / limit.as_secs_f64(),
            ours.as_secs_f64() / alone.as_secs_f64()
        ));
    }
    println!();
    println!(
        "| returning member | Automerge: loading what it held | then syncing the new alone | both | until its API shows the last | ratio to both | ratio to the new alone |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in returning {
        println!("{row}");
    }
}
