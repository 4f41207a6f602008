//! What common operations cost through a running node's API, as organizers (and the coming
//! web UI) meet them, against the replica's own edit or read of the same kind in the same run,
//! on coalitions of N issues shaped like real ones (long descriptions, several tags, a pool
//! with a ledger, open proposals).
//!
//! Run (release binaries first: the bench drives real `coalesce-node` and `coalesce`
//! processes):
//!
//! ```text
//! cargo build --release -p coalesce-node -p coalesce-cli
//! BENCH_SIZES=1000,10000 cargo bench -p coalesce-tests --bench api
//! ```
//!
//! For each size: the baseline is the replica in this process on the same home (a durable
//! edit, or reading the one record); then the node runs on that home and the same operation
//! goes through its API — the typed routes (`POST …/issues`, `PUT …/proposals/{p}/position`,
//! `POST …/pools/{pool}/entries`, `GET …/proposals/{p}`, `GET …/issues/{i}`,
//! `GET …/issues?limit=50`, `GET …/proposals?limit=50`) — and as a whole `coalesce` command
//! (process start included; the pages have none). A `floor` row times `GET /health` on the
//! same connection: a request that does no work and never reaches the core thread, the HTTP
//! round trip every route pays. Medians of `ROUNDS`. The baselines run before the node
//! starts (it holds the store), not alternated with it; the history is built in edits of 100
//! issues, so it holds N/100 changes where real use makes one per edit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use model::{Gift, GiftKind, IssueId, Stance};
use replica::Replica;

mod shape;
use shape::{Shape, build, id16, issue};

const ROUNDS: usize = 15;

/// An operation run through the node: round number, and whether as a whole `coalesce`
/// process (else through the API client).
type Op<'a> = Box<dyn Fn(usize, bool) + 'a>;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median time of `f` over `ROUNDS` runs.
fn time(mut f: impl FnMut(usize)) -> Duration {
    median(
        (0..ROUNDS)
            .map(|i| {
                let t = Instant::now();
                f(i);
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let sizes = shape::sizes();
    println!(
        "{:>7}  {:<14} {:>12} {:>12} {:>7} {:>12} {:>7}",
        "issues", "operation", "replica", "API", "ratio", "command", "ratio"
    );
    for n in sizes {
        let node = coalesce_tests::Node::new();
        let home = node.home();
        let (id, proposal, pool) = build(home, Shape::api(n));
        let c = id.to_string();
        let (p, pl) = (proposal.to_string(), pool.to_string());

        // Baselines: the replica in this process, on the same home.
        let mut r = Replica::open(home).unwrap();
        r.read(&id).unwrap(); // loaded, as the running node has it
        let base_add = time(|i| {
            r.edit(&id, |doc, a| {
                doc.add_issue(&a.member, issue(10_000_000 + i as u32), a.now)
            })
            .unwrap();
        });
        let base_vote = time(|i| {
            let stance = if i % 2 == 0 {
                Stance::Agree
            } else {
                Stance::Abstain
            };
            r.edit(&id, |doc, a| {
                doc.take_position(&a.member, &proposal, stance, "", a.now)
            })
            .unwrap();
        });
        let base_pledge = time(|i| {
            let gift = Gift {
                entry: model::EntryId::from_bytes(id16(20_000_000 + i as u32, 3)),
                kind: GiftKind::Pledge,
                amount: "10".parse().unwrap(),
                note: String::new(),
            };
            r.edit(&id, |doc, a| doc.give(&a.member, &pool, gift, a.now))
                .unwrap();
        });
        // What `proposal show` reads of the replica, given a whole id: whether the proposal
        // is there, the one proposal, the governance in force (for names).
        let base_show = time(|_| {
            assert!(
                !r.record_ids_starting(&id, "proposals", proposal.as_str())
                    .unwrap()
                    .is_empty()
            );
            r.proposal(&id, &proposal).unwrap().unwrap();
            r.in_force(&id).unwrap();
        });
        // What a page of 50 issues reads: the issues' headers in the order the replica keeps
        // (to filter), the 50 issues of the page, the governance (for names).
        let page = |r: &mut Replica| {
            let (_, order) = r.issue_listing(&id).unwrap();
            for (_, i) in order.iter().take(50) {
                r.issue(&id, i).unwrap().unwrap();
            }
            r.in_force(&id).unwrap();
        };
        let base_page = time(|_| page(&mut r));
        // What `status` does in the replica: each coalition's governance, name and
        // unreadable records (each kept up to date from what changed), the forks set aside,
        // when each peer last synced.
        let base_status = time(|_| {
            commands::ops::status::report(&mut r, None).unwrap();
        });
        // What a page of 50 proposals reads: the proposals' headers in the replica's order,
        // the 50 newest proposals, the governance.
        let base_proposal_page = time(|_| {
            let (_, order) = r.proposal_listing(&id).unwrap();
            for (_, p) in order.iter().take(50) {
                r.proposal(&id, p).unwrap().unwrap();
            }
            r.in_force(&id).unwrap();
        });
        // What `issue show` reads, given a whole id: whether it is there, the one issue, the
        // governance.
        let shown = IssueId::from_bytes(id16(n / 2, 1));
        let base_issue = time(|_| {
            assert!(
                !r.record_ids_starting(&id, "issues", shown.as_str())
                    .unwrap()
                    .is_empty()
            );
            r.issue(&id, &shown).unwrap().unwrap();
            r.in_force(&id).unwrap();
        });
        // The first page after a change: the headers are read again (not timed: the edit).
        let base_fresh_page = median(
            (0..ROUNDS)
                .map(|i| {
                    r.edit(&id, |doc, a| {
                        doc.add_issue(&a.member, issue(30_000_000 + i as u32), a.now)
                    })
                    .unwrap();
                    let t = Instant::now();
                    page(&mut r);
                    t.elapsed()
                })
                .collect(),
        );
        drop(r);

        // Logging as an operator would run it, not the tests' debug logs.
        let daemon = node.run_daemon_with("/ip4/127.0.0.1/tcp/0", &[("COALESCE_LOG", "info")]);
        let cli = |args: &[&str]| {
            let out = node.run(args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        // One connection kept between calls, as the web UI's browser keeps it.
        let session = coalesce_tests::ApiSession::open(home);
        let call = |method: &str, path: &str, body: Option<serde_json::Value>| {
            let (status, reply) = session.call(method, path, body.as_ref(), true);
            assert!((200..300).contains(&status), "{path}: {reply}");
        };
        let typed = |path: &str| call("GET", path, None);
        let (page_path, issue_path, issues_path) = (
            format!("/v1/coalitions/{c}/issues?limit=50"),
            format!("/v1/coalitions/{c}/issues/{shown}"),
            format!("/v1/coalitions/{c}/issues"),
        );
        let (proposal_path, proposals_path, position_path) = (
            format!("/v1/coalitions/{c}/proposals/{p}"),
            format!("/v1/coalitions/{c}/proposals?limit=50"),
            format!("/v1/coalitions/{c}/proposals/{p}/position"),
        );
        let entries_path = format!("/v1/coalitions/{c}/pools/{pl}/entries");
        let s = shown.to_string();
        let ops: Vec<(&str, Duration, Op<'_>)> = vec![
            (
                "issue add",
                base_add,
                Box::new(|i, process| {
                    let t = format!("Shelters at stop {i}");
                    if process {
                        cli(&["issue", "add", "--coalition", &c, &t, "--tag", "disability"]);
                    } else {
                        let body = serde_json::json!({"title": t, "tags": ["disability"]});
                        call("POST", &issues_path, Some(body));
                    }
                }),
            ),
            (
                "proposal vote",
                base_vote,
                Box::new(|i, process| {
                    let s = if i % 2 == 0 { "agree" } else { "abstain" };
                    if process {
                        cli(&["proposal", "vote", "--coalition", &c, &p, s]);
                    } else {
                        let body = serde_json::json!({"stance": s});
                        call("PUT", &position_path, Some(body));
                    }
                }),
            ),
            (
                "pool pledge",
                base_pledge,
                Box::new(|_, process| {
                    if process {
                        cli(&["pool", "pledge", "--coalition", &c, &pl, "10"]);
                    } else {
                        let body = serde_json::json!({"kind": "pledge", "amount": "10"});
                        call("POST", &entries_path, Some(body));
                    }
                }),
            ),
            (
                "proposal show",
                base_show,
                Box::new(|_, process| {
                    if process {
                        cli(&["proposal", "show", "--coalition", &c, &p]);
                    } else {
                        typed(&proposal_path);
                    }
                }),
            ),
            (
                "proposal page",
                base_proposal_page,
                // `coalesce proposal list` lists every proposal: the route only.
                Box::new(|_, process| {
                    if !process {
                        typed(&proposals_path);
                    }
                }),
            ),
            // Typed routes: the API column is the route; the command is `coalesce issue show`.
            (
                "issue show",
                base_issue,
                Box::new(|_, process| {
                    if process {
                        cli(&["issue", "show", "--coalition", &c, &s]);
                    } else {
                        typed(&issue_path);
                    }
                }),
            ),
            (
                "status",
                base_status,
                Box::new(|_, process| {
                    if process {
                        cli(&["status"]);
                    } else {
                        typed("/v1/status");
                    }
                }),
            ),
            // The floor: a request that reads nothing and does not reach the core thread
            // (`GET /health`), through the same connection; no baseline, no command.
            (
                "floor",
                Duration::ZERO,
                Box::new(|_, process| {
                    if !process {
                        let (status, _) = session.call("GET", "/health", None, false);
                        assert_eq!(status, 200);
                    }
                }),
            ),
            // The command line has no page (it lists every issue): the route only.
            (
                "issue page",
                base_page,
                Box::new(|_, process| {
                    if !process {
                        typed(&page_path);
                    }
                }),
            ),
        ];
        for (name, base, op) in &ops {
            let api = time(|i| op(i, false));
            let cmd = time(|i| op(i, true));
            if base.is_zero() {
                println!(
                    "{n:>7}  {name:<14} {:>12} {api:>12.2?} {:>7} {:>12} {:>7}",
                    "-", "-", "-", "-"
                );
                continue;
            }
            let (cmd, cmd_ratio) = if name.ends_with(" page") {
                ("-".to_owned(), "-".to_owned())
            } else {
                (
                    format!("{cmd:.2?}"),
                    format!("{:.1}", cmd.as_secs_f64() / base.as_secs_f64()),
                )
            };
            println!(
                "{n:>7}  {name:<14} {base:>12.2?} {api:>12.2?} {:>7.1} {cmd:>12} {cmd_ratio:>7}",
                api.as_secs_f64() / base.as_secs_f64(),
            );
        }
        // The first page after a change, through the route (the edit through the API, not
        // timed).
        let fresh_page = median(
            (0..ROUNDS)
                .map(|i| {
                    let t = format!("Crossings at stop {i}");
                    call("POST", &issues_path, Some(serde_json::json!({"title": t})));
                    let t = Instant::now();
                    typed(&page_path);
                    t.elapsed()
                })
                .collect(),
        );
        println!(
            "{n:>7}  {:<14} {base_fresh_page:>12.2?} {fresh_page:>12.2?} {:>7.1} {:>12} {:>7}",
            "page, changed",
            fresh_page.as_secs_f64() / base_fresh_page.as_secs_f64(),
            "-",
            "-"
        );
        assert!(daemon.stop());
    }
}
