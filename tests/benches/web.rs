//! What each page of the web UI costs, as an organizer's browser meets it, on a coalition of
//! 10,000 issues (long descriptions, three tags each), 1,000 proposals and a pool ledger of
//! 5,000 entries, against reading the same records through the command line's path
//! (`commands::ops::handle` on the replica, the operations the page asks for) in the same run.
//!
//! Run (release binaries first: the bench drives a real `coalesce-node`):
//!
//! ```text
//! cargo build --release -p coalesce-node -p coalesce-cli
//! cargo bench -p coalesce-tests --bench web
//! ```
//!
//! Each page is fetched `ROUNDS` times over one kept connection with a signed-in session
//! (as a browser keeps it), through the whole stack: HTTP, the guard, the operations on the
//! core thread, rendering. Reported: the median and the 95th percentile, the page's size,
//! and the ratio of the median to the reads' median; and the bytes of CSS and JavaScript a
//! page loads. `BENCH_ISSUES` changes the size (proposals and entries follow).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use commands::ops::Request;
use replica::Replica;

mod shape;
use shape::{Shape, build};

const ROUNDS: usize = 41;

fn sorted(mut v: Vec<Duration>) -> Vec<Duration> {
    v.sort();
    v
}

/// The median and the 95th percentile of `v`, sorted.
fn median_p95(v: &[Duration]) -> (Duration, Duration) {
    let p95 = (v.len() * 95).div_ceil(100).saturating_sub(1);
    (v[v.len() / 2], v[p95])
}

fn main() {
    let n: u32 = std::env::var("BENCH_ISSUES")
        .ok()
        .map(|s| s.trim().parse().expect("BENCH_ISSUES: a number"))
        .unwrap_or(10_000);
    let node = coalesce_tests::Node::new();
    let home = node.home();
    let shape = Shape {
        issues: n,
        pledge_every: 2,
        proposal_every: 10,
        per_edit: 100,
    };
    let (id, proposal, pool) = build(home, shape);
    let c = id.to_string();
    let issue = shape::issue(n / 2).id.to_string();
    let (p, pl) = (proposal.to_string(), pool.to_string());

    // What each page asks of the node, in order.
    let pages: Vec<(&str, String, Vec<Request>)> = vec![
        (
            "home",
            "/".into(),
            vec![
                Request::CoalitionList,
                Request::Status,
                Request::ProposalList {
                    coalition: c.clone(),
                    query: commands::ops::proposals::ProposalQuery {
                        waiting: true,
                        limit: Some(10),
                        ..Default::default()
                    },
                },
                Request::CharterShow {
                    coalition: c.clone(),
                },
                Request::PoolList {
                    coalition: c.clone(),
                },
                Request::MeetingList {
                    coalition: c.clone(),
                    query: Default::default(),
                },
                Request::JoinList,
            ],
        ),
        (
            "issues",
            format!("/c/{c}/issues"),
            vec![
                Request::CoalitionList,
                Request::IssueList {
                    coalition: c.clone(),
                    query: commands::ops::issues::IssueQuery {
                        limit: Some(25),
                        ..Default::default()
                    },
                },
            ],
        ),
        (
            "issues, tag",
            format!("/c/{c}/issues?tag=disability&offset=5000"),
            vec![
                Request::CoalitionList,
                Request::IssueList {
                    coalition: c.clone(),
                    query: commands::ops::issues::IssueQuery {
                        tag: Some("disability".into()),
                        offset: 5000,
                        limit: Some(25),
                        ..Default::default()
                    },
                },
            ],
        ),
        (
            "issue",
            format!("/c/{c}/issues/{issue}"),
            vec![Request::IssueShow {
                coalition: c.clone(),
                issue: issue.clone(),
            }],
        ),
        (
            "edit an issue",
            format!("/c/{c}/issues/{issue}/edit"),
            vec![
                Request::IssueShow {
                    coalition: c.clone(),
                    issue: issue.clone(),
                },
                Request::MemberList {
                    coalition: c.clone(),
                    query: Default::default(),
                },
            ],
        ),
        (
            "history of an issue",
            format!("/c/{c}/history?record={issue}"),
            vec![
                Request::CoalitionList,
                Request::History {
                    coalition: c.clone(),
                    query: commands::ops::audit::HistoryQuery {
                        record: Some(issue.clone()),
                    },
                },
            ],
        ),
        (
            "reports",
            format!("/c/{c}/reports"),
            vec![
                Request::CoalitionList,
                Request::ReportOverlap {
                    coalition: c.clone(),
                },
                Request::ReportEquity {
                    coalition: c.clone(),
                },
                Request::ReportPower {
                    coalition: c.clone(),
                },
            ],
        ),
        (
            "proposals",
            format!("/c/{c}/proposals"),
            vec![
                Request::CoalitionList,
                Request::ProposalList {
                    coalition: c.clone(),
                    query: commands::ops::proposals::ProposalQuery {
                        limit: Some(25),
                        ..Default::default()
                    },
                },
            ],
        ),
        (
            "proposal",
            format!("/c/{c}/proposals/{p}"),
            vec![
                Request::CoalitionList,
                Request::ProposalShow {
                    coalition: c.clone(),
                    proposal: p.clone(),
                },
            ],
        ),
        (
            "pools",
            format!("/c/{c}/pools"),
            vec![
                Request::CoalitionList,
                Request::PoolList {
                    coalition: c.clone(),
                },
            ],
        ),
        (
            "pool ledger",
            format!("/c/{c}/pools/{pl}"),
            vec![Request::PoolLedger {
                coalition: c.clone(),
                pool: pl.clone(),
            }],
        ),
        (
            "meetings",
            format!("/c/{c}/meetings"),
            vec![
                Request::CoalitionList,
                Request::MeetingList {
                    coalition: c.clone(),
                    query: commands::ops::meetings::MeetingQuery {
                        offset: 0,
                        limit: Some(25),
                        ..Default::default()
                    },
                },
            ],
        ),
        (
            "record meeting",
            format!("/c/{c}/meetings/new"),
            vec![
                Request::CoalitionList,
                Request::MemberList {
                    coalition: c.clone(),
                    query: Default::default(),
                },
                Request::ProposalList {
                    coalition: c.clone(),
                    query: commands::ops::proposals::ProposalQuery {
                        limit: Some(50),
                        ..Default::default()
                    },
                },
            ],
        ),
    ];

    // The reads, through the command line's path on the replica in this process.
    let mut r = Replica::open(home).unwrap();
    r.read(&id).unwrap(); // loaded, as the running node has it
    let mut reads = Vec::new();
    for (_, _, requests) in &pages {
        let times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                for req in requests {
                    commands::ops::handle(&mut r, req.clone()).unwrap();
                }
                t.elapsed()
            })
            .collect();
        reads.push(median_p95(&sorted(times)).0);
    }
    // The reads above kept what is slow to read again for the next run, as a node does:
    // forgotten, so that the first views below are those of a node's first run.
    for kept in ["unreadable", "history"] {
        r.store().put_record(&format!("{kept}/{c}"), b"").unwrap();
    }
    drop(r);

    let daemon = node.run_daemon_with("/ip4/127.0.0.1/tcp/0", &[("COALESCE_LOG", "info")]);
    let session = Session::new(&node);
    let get = |path: &str| session.get(path);
    // `first`: the page's first view since the node started (caches of headers, pools and
    // history still empty); the median and p95 are over every view, the first included.
    println!(
        "{:<16} {:>12} {:>12} {:>12} {:>12} {:>7} {:>9}",
        "page", "reads", "first", "page", "page p95", "ratio", "bytes"
    );
    for ((name, path, _), read) in pages.iter().zip(&reads) {
        let mut bytes = 0;
        let times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                let (status, len) = get(path);
                let took = t.elapsed();
                assert_eq!(status, 200, "{path}");
                bytes = len;
                took
            })
            .collect();
        let first = times[0];
        let (median, p95) = median_p95(&sorted(times));
        println!(
            "{name:<16} {read:>12.2?} {first:>12.2?} {median:>12.2?} {p95:>12.2?} {:>7.1} {bytes:>9}",
            median.as_secs_f64() / read.as_secs_f64()
        );
    }
    let (status, css) = get("/assets/style.css");
    assert_eq!(status, 200);
    let (status, js) = get("/assets/live.js");
    assert_eq!(status, 200);
    println!("CSS per page: {css} bytes; JavaScript per page: {js} bytes (live updates)");
    assert!(daemon.stop());

    // Started again: what the first run read and kept as it stopped is taken back.
    let daemon = node.run_daemon_with("/ip4/127.0.0.1/tcp/0", &[("COALESCE_LOG", "info")]);
    let session = Session::new(&node);
    println!("first view after a restart:");
    for (name, path, _) in &pages {
        let t = Instant::now();
        let (status, _) = session.get(path);
        let took = t.elapsed();
        assert_eq!(status, 200, "{path}");
        println!("{name:<16} {took:>12.2?}");
    }
    assert!(daemon.stop());
}

/// A browser signed in to a running node's UI, keeping its connection.
struct Session {
    agent: ureq::Agent,
    base: String,
    cookie: String,
}

impl Session {
    /// Signs in with a fresh link from `coalesce ui`.
    fn new(node: &coalesce_tests::Node) -> Self {
        let link = String::from_utf8(node.run(&["ui"]).stdout).unwrap();
        let link = link.trim();
        let base = link.split("/sign-in").next().unwrap().to_owned();
        let code = link.split("code=").nth(1).unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let resp = agent
            .post(&format!("{base}/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send(format!("code={code}").as_bytes())
            .unwrap();
        let cookie = resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Self {
            agent,
            base,
            cookie,
        }
    }

    /// Status and size of the page at `path`.
    fn get(&self, path: &str) -> (u16, usize) {
        let mut resp = self
            .agent
            .get(&format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .call()
            .unwrap();
        let body = resp.body_mut().read_to_vec().unwrap();
        (resp.status().as_u16(), body.len())
    }
}
