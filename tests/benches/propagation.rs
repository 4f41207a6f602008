//! One edit reaching every member, as organizers see it: real `coalesce-node` processes on
//! loopback (a hub and `BENCH_MEMBERS` members, seven by default, that joined its coalition by
//! invite, as the README says), an issue raised through the hub's HTTP API, and the time until
//! each member's API shows it. Reported as percentiles over `BENCH_EDITS` edits (default 200),
//! with the hub's own answer to the edit beside it, and the bytes each node sent per edit
//! (`coalesce_bytes_sent_total`). `BENCH_PEERS=N` runs the nodes with
//! `--peers-per-coalition N`; after the joins the nodes are given `BENCH_SETTLE` seconds
//! (30 with more than seven members, else none) to settle their peer sets.
//!
//! Run: `cargo build --release -p coalesce-node -p coalesce-cli` then
//! `cargo bench -p coalesce-tests --bench propagation` (`BENCH_LOG=FILTER` runs the nodes with
//! that log filter, as `info,net::core::dispatch=debug`, and prints their logs at the end).
//!
//! How arrival is seen (`BENCH_ARRIVAL`):
//! - `events` (the default), as an organizer's open page sees it: one thread per member is
//!   signed in to its node's web UI (`coalesce ui`) and holds its live stream (`/events`, the
//!   one the pages refresh on); at each `changed` event after the edit, and every second
//!   without one, it reads the issue once through the API, and the time is when that read
//!   answers 200. Nothing runs between changes, so the figures are the nodes' own.
//! - `poll`: one thread per member asks its node for the issue over a kept connection until it
//!   answers 200, pausing 200 µs between asks (`BENCH_ASK_US`; 2 ms with more than seven
//!   members, so that the askers leave the nodes the cores). A figure includes up to one ask's
//!   round trip and pause after the edit arrived, and the askers share the two cores with the
//!   nodes (with 31 members, 15,000 asks a second).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use coalesce_tests::{ApiSession, Daemon, Node, eventually, free_port};

/// Members besides the hub, unless `BENCH_MEMBERS` says.
const MEMBERS: usize = 7;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|s| {
        s.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: a number"))
    })
}

/// Bytes a node sent to peers so far.
fn bytes_sent(node: &Node) -> f64 {
    let (status, metrics) = coalesce_tests::http_get(node.home(), "/metrics");
    assert_eq!(status, 200);
    metrics
        .lines()
        .find(|l| l.starts_with("coalesce_bytes_sent_total "))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .expect("coalesce_bytes_sent_total")
}

struct Org {
    node: Node,
    daemon: Daemon,
}

fn org(name: &str) -> Org {
    let node = Node::init(name);
    let port = free_port();
    // The node logging as an operator runs it (the tests' default adds debug lines).
    let log = std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into());
    let peers = env_number("BENCH_PEERS").map(|n| n.to_string());
    let mut env = vec![("COALESCE_LOG", log.as_str())];
    if let Some(n) = &peers {
        env.push(("COALESCE_PEERS_PER_COALITION", n.as_str()));
    }
    let daemon = node.run_daemon_with(&format!("/ip4/127.0.0.1/tcp/{port}"), &env);
    Org { node, daemon }
}

/// Signs in to `node`'s web UI with a link from `coalesce ui` and opens its live stream: when
/// each `changed` event arrived.
fn live_stream(node: &Node) -> mpsc::Receiver<Instant> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let link = node.ok(&["ui"]);
    let base = link.split("/sign-in").next().unwrap().to_owned();
    let code = link.split("code=").nth(1).unwrap().to_owned();
    let status = agent.get(&link).call().unwrap().status();
    assert_eq!(status, 200, "the sign-in page");
    let signed = agent
        .post(format!("{base}/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send(format!("code={code}").as_bytes())
        .unwrap();
    assert_eq!(signed.status(), 303, "signed in");
    let cookie = signed
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let stream = agent
        .get(format!("{base}/events"))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(stream.status(), 200, "the live stream");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let reader = std::io::BufReader::new(stream.into_body().into_reader());
        for line in reader.lines().map_while(Result::ok) {
            if line.trim() == "event: changed" && tx.send(Instant::now()).is_err() {
                return;
            }
        }
    });
    rx
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let edits = env_number("BENCH_EDITS").map_or(200, |n| n as usize).max(1);
    let members_count = env_number("BENCH_MEMBERS")
        .map_or(MEMBERS, |n| n as usize)
        .max(1);
    let hub = org("Hub Tenants Union");
    let c = hub.node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses",
    ]);
    let members: Vec<Org> = (0..members_count)
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
                == members_count + 1)
                .then_some(())
        });
    }

    let settle = env_number("BENCH_SETTLE").unwrap_or(if members_count > MEMBERS { 30 } else { 0 });
    std::thread::sleep(Duration::from_secs(settle));

    // One watcher per member: told an issue id, it waits until its node has the issue and
    // reports when.
    let arrival = std::env::var("BENCH_ARRIVAL").unwrap_or_else(|_| "events".into());
    let polling = match arrival.as_str() {
        "events" => false,
        "poll" => true,
        other => panic!("BENCH_ARRIVAL: events or poll, not {other}"),
    };
    let start = Arc::new(Barrier::new(members_count + 1));
    let pause = Duration::from_micros(
        env_number("BENCH_ASK_US").unwrap_or(if members_count > MEMBERS { 2000 } else { 200 }),
    );
    let (seen_tx, seen_rx) = mpsc::channel::<(usize, Instant)>();
    // Reads made because no change was announced for a second (events only).
    let fallbacks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut askers = Vec::new();
    for (n, m) in members.iter().enumerate() {
        let session = ApiSession::open(m.node.home());
        let changed = (!polling).then(|| live_stream(&m.node));
        let (tx, rx) = mpsc::channel::<Option<(String, Instant)>>();
        let seen = seen_tx.clone();
        let c = c.clone();
        let start = start.clone();
        let fallbacks = fallbacks.clone();
        std::thread::spawn(move || {
            start.wait();
            while let Ok(Some((issue, made))) = rx.recv() {
                let path = format!("/v1/coalitions/{c}/issues/{issue}");
                loop {
                    if let Some(changed) = &changed {
                        // The next change announced since the edit, or a second without one
                        // (counted: the figures would not be the live stream's).
                        let deadline = Instant::now() + Duration::from_secs(1);
                        loop {
                            let left = deadline.saturating_duration_since(Instant::now());
                            match changed.recv_timeout(left) {
                                Ok(at) if at >= made => break,
                                Ok(_) => {}
                                Err(mpsc::RecvTimeoutError::Timeout) => {
                                    fallbacks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                    break;
                                }
                                Err(mpsc::RecvTimeoutError::Disconnected) => {
                                    panic!("member {n}'s live stream ended")
                                }
                            }
                        }
                    }
                    let (status, _) = session.call("GET", &path, None, true);
                    if status == 200 {
                        let _ = seen.send((n, Instant::now()));
                        break;
                    }
                    if polling {
                        std::thread::sleep(pause);
                    }
                }
            }
        });
        askers.push(tx);
    }
    start.wait();

    let api = ApiSession::open(hub.node.home());
    let path = format!("/v1/coalitions/{c}/issues");
    let mut reach = Vec::with_capacity(edits);
    let mut sent_before = 0.0;
    let mut answer = Vec::with_capacity(edits);
    // A few edits first, not counted: connections warm, documents loaded.
    for i in 0..edits + 10 {
        if i == 10 {
            sent_before = std::iter::once(&hub)
                .chain(&members)
                .map(|o| bytes_sent(&o.node))
                .sum::<f64>();
        }
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
            a.send(Some((id.clone(), t))).unwrap();
        }
        let mut last = t;
        for _ in 0..members_count {
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
    let sent = std::iter::once(&hub)
        .chain(&members)
        .map(|o| bytes_sent(&o.node))
        .sum::<f64>()
        - sent_before;
    let connected: Vec<u64> = std::iter::once(&hub)
        .chain(&members)
        .map(|o| {
            o.node.json(&["status"])["coalitions"][0]["member_nodes"]
                .as_array()
                .map_or(0, |a| {
                    a.iter().filter(|n| n["connected"] == true).count() as u64
                })
        })
        .collect();
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
    let nodes = members_count + 1;
    println!(
        "{nodes} nodes; member nodes connected per node at the end: min {}, max {}, mean {:.1}; bytes sent per node per edit: {:.0}",
        connected.iter().min().unwrap_or(&0),
        connected.iter().max().unwrap_or(&0),
        connected.iter().sum::<u64>() as f64 / nodes as f64,
        sent / edits as f64 / nodes as f64,
    );
    if !polling {
        println!(
            "arrival seen on the live stream; reads without an announced change: {}",
            fallbacks.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    println!("| {members_count} members, {edits} edits | p50 | p90 | p99 | max |");
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
