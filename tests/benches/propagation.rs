//! One edit reaching every member, as organizers see it: eight real `coalesce-node`
//! processes on loopback (a hub and seven members that joined its coalition by invite, as
//! the README says), an issue raised through the hub's HTTP API, and the time until each
//! member's API shows it. Reported as percentiles over `BENCH_EDITS` edits (default 200),
//! with the hub's own answer to the edit beside it.
//!
//! Run: `cargo build --release -p coalesce-node -p coalesce-cli` then
//! `cargo bench -p coalesce-tests --bench propagation` (`BENCH_LOG=FILTER` runs the nodes with
//! that log filter, as `info,net::core::dispatch=debug`, and prints their logs at the end).
//!
//! How arrival is seen: one thread per member asks its node for the issue over a kept
//! connection until it answers 200, pausing 200 µs between asks (`BENCH_ASK_US`). So a
//! figure includes up to one ask's round trip (about 0.25 ms) after the edit arrived, and the
//! askers share the two cores with the nodes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use coalesce_tests::{ApiSession, Daemon, Node, eventually, free_port};

const MEMBERS: usize = 7;

struct Org {
    node: Node,
    daemon: Daemon,
}

fn org(name: &str) -> Org {
    let node = Node::init(name);
    let port = free_port();
    // The node logging as an operator runs it (the tests' default adds debug lines).
    let daemon = node.run_daemon_with(
        &format!("/ip4/127.0.0.1/tcp/{port}"),
        &[(
            "COALESCE_LOG",
            &std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into()),
        )],
    );
    Org { node, daemon }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let edits: usize = std::env::var("BENCH_EDITS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(200usize)
        .max(1);
    let hub = org("Hub Tenants Union");
    let c = hub.node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses",
    ]);
    let members: Vec<Org> = (0..MEMBERS)
        .map(|i| {
            let m = org(&format!("Member Organization {i}"));
            let code = hub
                .node
                .ok(&["invite", "create", "--coalition", &c, "--expires", "1h"]);
            let joined = m.node.ok(&["join", &code, "--wait", "60"]);
            assert_eq!(joined, c);
            m
        })
        .collect();
    for m in members.iter().chain([&hub]) {
        eventually(60, "every node to know every member", || {
            (m.node
                .json(&["member", "list", "--coalition", &c])
                .as_array()?
                .len()
                == MEMBERS + 1)
                .then_some(())
        });
    }

    // One asker per member: told an issue id, it asks its node until the issue is there and
    // reports when.
    let start = Arc::new(Barrier::new(MEMBERS + 1));
    let pause = Duration::from_micros(
        std::env::var("BENCH_ASK_US")
            .map_or(200, |s| s.trim().parse().expect("BENCH_ASK_US: a number")),
    );
    let (seen_tx, seen_rx) = mpsc::channel::<(usize, Instant)>();
    let mut askers = Vec::new();
    for (n, m) in members.iter().enumerate() {
        let session = ApiSession::open(m.node.home());
        let (tx, rx) = mpsc::channel::<Option<String>>();
        let seen = seen_tx.clone();
        let c = c.clone();
        let start = start.clone();
        std::thread::spawn(move || {
            start.wait();
            while let Ok(Some(issue)) = rx.recv() {
                let path = format!("/v1/coalitions/{c}/issues/{issue}");
                loop {
                    let (status, _) = session.call("GET", &path, None, true);
                    if status == 200 {
                        let _ = seen.send((n, Instant::now()));
                        break;
                    }
                    std::thread::sleep(pause);
                }
            }
        });
        askers.push(tx);
    }
    start.wait();

    let api = ApiSession::open(hub.node.home());
    let path = format!("/v1/coalitions/{c}/issues");
    let mut reach = Vec::with_capacity(edits);
    let mut answer = Vec::with_capacity(edits);
    // A few edits first, not counted: connections warm, documents loaded.
    for i in 0..edits + 10 {
        let body = serde_json::json!({
            "title": format!("Live edit {i}"),
            "description": "Riders report the 12 bus skipping the Eastside stops after 9 pm.",
            "tags": ["transit", "disability", "night-shift"],
        });
        let t = Instant::now();
        let (status, reply) = api.call("POST", &path, Some(&body), true);
        let answered = t.elapsed();
        assert_eq!(status, 201, "{reply}");
        let id = reply["id"].as_str().expect("an issue id").to_string();
        for a in &askers {
            a.send(Some(id.clone())).unwrap();
        }
        let mut last = t;
        for _ in 0..MEMBERS {
            let (_, at) = seen_rx
                .recv_timeout(Duration::from_secs(30))
                .expect("every member sees the edit");
            last = last.max(at);
        }
        if i >= 10 {
            reach.push(last - t);
            answer.push(answered);
        }
        // Between edits, as people make them: not back to back.
        std::thread::sleep(Duration::from_millis(20));
    }
    for a in &askers {
        let _ = a.send(None);
    }
    if std::env::var_os("BENCH_LOG").is_some() {
        for (n, o) in std::iter::once(&hub).chain(&members).enumerate() {
            eprintln!("--- node {n}\n{}", o.daemon.log());
        }
    }
    reach.sort();
    answer.sort();
    println!("| {MEMBERS} members, {edits} edits | p50 | p90 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (what, v) in [
        ("the hub's API answers the edit", &answer),
        ("every member's API shows it", &reach),
    ] {
        println!(
            "| {what} | {:.2?} | {:.2?} | {:.2?} | {:.2?} |",
            percentile(v, 0.5),
            percentile(v, 0.9),
            percentile(v, 0.99),
            v[v.len() - 1]
        );
    }
}
