//! Member nodes as real `coalesce-node` processes on loopback: joining by invite, live
//! propagation, catching up after downtime, merging edits made while apart, and outsiders.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Daemon, Node, eventually, free_port, is_id};

pub(crate) struct Org {
    pub(crate) node: Node,
    port: u16,
    daemon: Option<Daemon>,
}

impl Org {
    pub(crate) fn new(name: &str) -> Self {
        let node = Node::init(name);
        let port = free_port();
        let daemon = Some(node.run_daemon(port));
        Org { node, port, daemon }
    }

    pub(crate) fn stop(&mut self) {
        let d = self.daemon.take().expect("running");
        assert!(d.stop(), "a clean shutdown");
    }

    fn start(&mut self) {
        self.daemon = Some(self.node.run_daemon(self.port));
    }

    fn issues(&self, c: &str) -> serde_json::Value {
        self.node.json(&["issue", "list", "--coalition", c])
    }
}

/// Three organizations: the first founds a coalition and invites the other two.
pub(crate) fn coalition_of_three() -> (Vec<Org>, String) {
    let orgs = vec![
        Org::new("Northside Tenants Union"),
        Org::new("Eastside Disability Justice"),
        Org::new("Faith in Transit"),
    ];
    let c = orgs[0].node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses",
    ]);
    for org in &orgs[1..] {
        let code = orgs[0]
            .node
            .ok(&["invite", "create", "--coalition", &c, "--expires", "1h"]);
        assert!(code.starts_with("coalesce-invite-1:"), "{code}");
        let joined = org.node.ok(&["join", &code, "--wait", "30"]);
        assert_eq!(joined, c, "join prints the coalition id alone");
    }
    for org in &orgs {
        eventually(20, "every node to know all three members", || {
            (org.node
                .json(&["member", "list", "--coalition", &c])
                .as_array()?
                .len()
                == 3)
                .then_some(())
        });
    }
    (orgs, c)
}

#[test]
fn three_organizations_join_by_invite_and_see_each_others_changes() {
    let _serial = coalesce_tests::network_lock();
    let (orgs, c) = coalition_of_three();
    let fares = orgs[1].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fare equity",
        "--tag",
        "race",
        "--tag",
        "class",
    ]);
    let ramps = orgs[2].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Wheelchair ramps",
        "--tag",
        "disability",
    ]);
    assert!(is_id(&fares) && is_id(&ramps));
    let pool = orgs[0].node.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Legal defense fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    eventually(20, "the pool to reach every node", || {
        orgs.iter()
            .all(|o| {
                o.node
                    .json(&["pool", "list", "--coalition", &c])
                    .as_array()
                    .is_some_and(|a| a.len() == 1)
            })
            .then_some(())
    });
    for (n, org) in orgs.iter().enumerate() {
        org.node.ok(&[
            "pool",
            "pledge",
            "--coalition",
            &c,
            &pool,
            &format!("{}00", n + 1),
        ]);
        org.node
            .ok(&["issue", "share", "--coalition", &c, &fares, "--rank", "1"]);
    }
    let expected = eventually(20, "all nodes to converge", || {
        let first = orgs[0]
            .node
            .ok(&["pool", "ledger", "--coalition", &c, &pool, "--json"]);
        let issues = orgs[0].issues(&c);
        let same = orgs.iter().all(|o| {
            o.node
                .ok(&["pool", "ledger", "--coalition", &c, &pool, "--json"])
                == first
                && o.issues(&c) == issues
        });
        let complete = issues.as_array()?.len() == 2 && issues[0]["ranks"].as_object()?.len() == 3;
        (same && complete).then_some(first)
    });
    let ledger: serde_json::Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(ledger["pledged"], "600");
    let overlap = orgs[2].node.json(&["issue", "overlap", "--coalition", &c]);
    assert_eq!(overlap["issues"][0]["members_sharing"], 3);
    for org in &orgs {
        assert!(
            !org.daemon.as_ref().unwrap().logged("refused"),
            "honest nodes refused nothing"
        );
    }
    // Monitoring, without the API token: ready, two peers, changes in and out, the store;
    // no coalition id and no peer key.
    let home = orgs[0].node.home();
    assert_eq!(
        coalesce_tests::http_get(home, "/ready"),
        (200, "ready".to_owned())
    );
    let (status, metrics) = coalesce_tests::http_get(home, "/metrics");
    assert_eq!(status, 200);
    let value = |metrics: &str, name: &str| -> f64 {
        metrics
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
    };
    assert_eq!(value(&metrics, "coalesce_peers_connected "), 2.0);
    assert_eq!(value(&metrics, "coalesce_coalitions_synced "), 1.0);
    assert!(value(&metrics, "coalesce_changes_received_total ") >= 4.0);
    assert!(value(&metrics, "coalesce_changes_sent_total ") >= 3.0);
    assert!(value(&metrics, "coalesce_store_bytes ") > 0.0);
    assert!(value(&metrics, "coalesce_frames_received_total ") > 0.0);
    assert!(value(&metrics, "coalesce_last_sync_timestamp_seconds ") > 0.0);
    assert!(!metrics.contains(c.as_str()), "{metrics}");
    for org in &orgs[1..] {
        let key = org.node.json(&["status"])["node"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!metrics.contains(&key), "{metrics}");
    }
    // With the token, the same per coalition and per peer.
    assert_eq!(coalesce_tests::http_get(home, "/v1/metrics").0, 401);
    let (status, detailed) = coalesce_tests::http_get_with_token(home, "/v1/metrics");
    assert_eq!(status, 200);
    assert_eq!(
        value(
            &detailed,
            &format!("coalesce_coalition_peers{{coalition=\"{c}\"}}")
        ),
        2.0
    );
    assert!(
        value(
            &detailed,
            &format!("coalesce_coalition_changes_received_total{{coalition=\"{c}\"}}")
        ) >= 4.0
    );
    assert!(
        value(
            &detailed,
            &format!("coalesce_coalition_changes_sent_total{{coalition=\"{c}\"}}")
        ) >= 3.0
    );
    assert!(
        detailed.contains("coalesce_peer_last_sync_timestamp_seconds{peer="),
        "{detailed}"
    );

    // `coalesce status`: both other member nodes connected, synced, nothing behind.
    let status = eventually(20, "status to show both member nodes caught up", || {
        let status = orgs[0].node.json(&["status"]);
        let nodes = status["coalitions"][0]["member_nodes"].as_array()?.clone();
        (nodes.len() == 2
            && nodes
                .iter()
                .all(|n| n["connected"] == true && n["behind"] == 0 && !n["last_sync"].is_null()))
        .then_some(status)
    });
    assert_eq!(status["running"], true, "{status}");
    assert!(
        status["api"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:"))
    );
    assert_eq!(status["coalitions"][0]["id"], c.as_str());
    let table = orgs[0].node.ok(&["status"]);
    assert!(
        table.contains("LAST SYNC") && table.contains("0 changes"),
        "{table}"
    );
}

/// The hashes of the changes a node holds of coalition `c`, read from its store.
fn changes_held(node: &Node, c: &str) -> std::collections::BTreeSet<String> {
    node.json(&["history", "--coalition", c])
        .as_array()
        .expect("history lists changes")
        .iter()
        .map(|e| e["change"].as_str().expect("a change hash").to_owned())
        .collect()
}

/// What `status` on `org` says of each other member node: (node id, connected, behind,
/// last sync).
fn member_nodes(org: &Org) -> Vec<(String, bool, serde_json::Value, serde_json::Value)> {
    org.node.json(&["status"])["coalitions"][0]["member_nodes"]
        .as_array()
        .expect("member nodes")
        .iter()
        .map(|n| {
            (
                n["node"].as_str().unwrap_or_default().to_owned(),
                n["connected"] == true,
                n["behind"].clone(),
                n["last_sync"].clone(),
            )
        })
        .collect()
}

#[test]
fn status_figures_match_the_stores_and_last_sync_survives_a_restart() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    let ids: Vec<String> = orgs
        .iter()
        .map(|o| {
            o.node.json(&["status"])["node"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // The last two joined by snapshot. Nobody writes: every node's `behind` for every other
    // is what its store holds that the other's lacks, which is nothing.
    let stores: Vec<_> = orgs.iter().map(|o| changes_held(&o.node, &c)).collect();
    assert!(stores.iter().all(|s| *s == stores[0]), "the stores agree");
    // (A node not connected to another says `null`: it does not know.)
    for (i, org) in orgs.iter().enumerate() {
        eventually(20, "status to count what the stores hold", || {
            let nodes = member_nodes(org);
            (nodes.len() == 2
                && nodes.iter().any(|(_, connected, _, _)| *connected)
                && nodes.iter().all(|(node, connected, behind, last)| {
                    let j = ids.iter().position(|k| k == node).expect("a member node");
                    let lacks = stores[i].difference(&stores[j]).count();
                    if *connected {
                        *behind == serde_json::json!(lacks) && !last.is_null()
                    } else {
                        behind.is_null()
                    }
                }))
            .then_some(())
        });
    }
    // A push moves "last sync" on the node that pushed.
    let before = member_nodes(&orgs[0]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    orgs[0]
        .node
        .ok(&["issue", "add", "--coalition", &c, "Night buses"]);
    eventually(20, "last sync to move after a push", || {
        let now = member_nodes(&orgs[0]);
        now.iter()
            .all(|(node, _, behind, last)| {
                let (_, _, _, was) = before.iter().find(|(n, ..)| n == node).expect("known");
                last != was && *behind == 0
            })
            .then_some(())
    });
    // Stopped, the node still says when it last synced with each; not `-`.
    orgs[0].stop();
    let status = orgs[0].node.json(&["status"]);
    assert_eq!(status["running"], false);
    let stopped = member_nodes(&orgs[0]);
    assert_eq!(stopped.len(), 2);
    assert!(
        stopped.iter().all(|(.., last)| last.is_string()),
        "{status}"
    );
    // Restarted with both other members down (so nothing syncs again), the running node says
    // the same times, and does not claim to know how far behind they are.
    orgs[1].stop();
    orgs[2].stop();
    orgs[0].start();
    let restarted = member_nodes(&orgs[0]);
    assert_eq!(restarted.len(), 2);
    for (node, connected, behind, last) in &restarted {
        let (.., was) = stopped.iter().find(|(n, ..)| n == node).expect("known");
        assert!(!connected && behind.is_null(), "{restarted:?}");
        assert_eq!(last, was, "last sync kept across the restart");
    }
}

#[test]
fn members_keep_syncing_with_the_founding_node_stopped() {
    let _serial = coalesce_tests::network_lock();
    // Both joiners were given only the founder's address, in their invites.
    let (mut orgs, c) = coalition_of_three();
    orgs[0].stop();
    orgs[1].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised with the founder away",
    ]);
    eventually(30, "the issue to reach the other member directly", || {
        (orgs[2].issues(&c).as_array()?.len() == 1).then_some(())
    });
    // Both restart, the founder still down: they find each other from what they kept.
    orgs[1].stop();
    orgs[2].stop();
    orgs[1].start();
    orgs[2].start();
    orgs[2].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised after both restarted",
    ]);
    eventually(30, "the second issue to cross after the restarts", || {
        (orgs[1].issues(&c).as_array()?.len() == 2).then_some(())
    });
    // Status shows the two connected, the founder not.
    let faith = orgs[2].node.json(&["status"])["node"]
        .as_str()
        .unwrap()
        .to_owned();
    let nodes = member_nodes(&orgs[1]);
    assert_eq!(
        nodes
            .iter()
            .filter(|(.., connected, _, _)| *connected)
            .count(),
        1
    );
    assert!(
        nodes
            .iter()
            .any(|(node, connected, ..)| *node == faith && *connected)
    );
}

#[test]
fn a_stopped_node_catches_up_on_500_changes_when_it_restarts() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    orgs[2].stop();
    orgs[0]
        .node
        .ok(&["debug", "write-loop", "--coalition", &c, "--count", "500"]);
    orgs[1].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised while Faith in Transit was away",
    ]);
    let want = eventually(30, "the two running nodes to agree", || {
        let a = orgs[0].issues(&c);
        (a.as_array()?.len() == 501 && orgs[1].issues(&c) == a).then_some(a)
    });
    orgs[2].start();
    eventually(60, "the restarted node to catch up", || {
        (orgs[2].issues(&c) == want).then_some(())
    });
}

#[test]
fn edits_to_one_issue_made_while_apart_merge_the_same_everywhere() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    let issue = orgs[0].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Night bus routes",
        "--description",
        "Routes stop at 10pm.",
    ]);
    eventually(20, "the issue to reach the second node", || {
        (orgs[1].issues(&c).as_array()?.len() == 1).then_some(())
    });
    orgs[1].stop();
    // Apart: one node edits the title and ranks it, the other (offline, on its own store)
    // edits the description, adds a tag and ranks it.
    orgs[0].node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--title",
        "Night and weekend bus routes",
    ]);
    orgs[0]
        .node
        .ok(&["issue", "share", "--coalition", &c, &issue, "--rank", "2"]);
    orgs[1].node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--description",
        "Routes stop at 10pm; shift workers walk home.",
        "--tag",
        "class",
    ]);
    orgs[1]
        .node
        .ok(&["issue", "share", "--coalition", &c, &issue, "--rank", "1"]);
    orgs[1].start();
    let merged = eventually(30, "both to hold the same merged issue", || {
        let a = orgs[0].issues(&c);
        (a == orgs[1].issues(&c)
            && a == orgs[2].issues(&c)
            && a[0]["ranks"].as_object()?.len() == 2)
            .then_some(a)
    });
    assert_eq!(merged[0]["title"], "Night and weekend bus routes");
    assert_eq!(
        merged[0]["description"],
        "Routes stop at 10pm; shift workers walk home."
    );
    assert_eq!(merged[0]["tags"], serde_json::json!(["class"]));
}

#[test]
fn outsiders_learn_nothing_and_used_invites_are_refused() {
    let _serial = coalesce_tests::network_lock();
    let (orgs, c) = coalition_of_three();
    let code = orgs[0].node.ok(&["invite", "create", "--coalition", &c]);
    let outsider = Org::new("Not Invited");
    // A reused code: the first join consumes it, the second is refused.
    let late = Org::new("Second Comer");
    assert_eq!(late.node.ok(&["join", &code, "--wait", "30"]), c);
    let err = outsider.node.fails(&["join", &code, "--wait", "20"]);
    assert!(
        err.contains("refused this join: invite already used"),
        "{err}"
    );
    assert!(
        orgs[0]
            .daemon
            .as_ref()
            .unwrap()
            .logged("invite already used")
    );
    assert_eq!(
        outsider.node.json(&["coalition", "list"]),
        serde_json::json!([])
    );
    assert_eq!(
        orgs[0]
            .node
            .json(&["member", "list", "--coalition", &c])
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // Garbage and foreign codes are refused with a clear message.
    let err = outsider
        .node
        .fails(&["join", "coalesce-invite-1:zz", "--wait", "1"]);
    assert!(err.contains("damaged"), "{err}");
    let err = outsider.node.fails(&["join", "hello", "--wait", "1"]);
    assert!(err.contains("not a Coalesce invite code"), "{err}");
    // Offline, invites and joins explain that they need the node.
    let offline = Node::init("Offline Org");
    assert!(
        offline
            .fails(&["invite", "create", "--coalition", "ab"])
            .contains("needs the running node")
    );
}

#[test]
fn nodes_sync_over_quic_alone() {
    let _serial = coalesce_tests::network_lock();
    let free_udp = || {
        std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let _da = a.run_daemon_on(&format!("/ip4/127.0.0.1/udp/{}/quic-v1", free_udp()));
    let _db = b.run_daemon_on(&format!("/ip4/127.0.0.1/udp/{}/quic-v1", free_udp()));
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    assert_eq!(b.ok(&["join", &code, "--wait", "30"]), c);
    b.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    eventually(20, "the issue to cross over QUIC", || {
        (a.json(&["issue", "list", "--coalition", &c])
            .as_array()?
            .len()
            == 1)
            .then_some(())
    });
}

#[test]
fn a_join_the_inviter_can_no_longer_admit_is_refused_at_once() {
    let _serial = coalesce_tests::network_lock();
    let (orgs, c) = coalition_of_three();
    // East invites, then leaves the coalition: it can no longer admit anyone.
    let code = orgs[1].node.ok(&["invite", "create", "--coalition", &c]);
    orgs[1].node.ok(&["member", "leave", "--coalition", &c]);
    let late = Org::new("Second Comer");
    let started = std::time::Instant::now();
    let err = late.node.fails(&["join", &code, "--wait", "60"]);
    assert!(
        err.contains("could not admit you"),
        "{err}\n{}",
        late.daemon.as_ref().unwrap().log()
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the joiner was told, not left waiting"
    );
    assert_eq!(
        late.node.json(&["coalition", "list"]),
        serde_json::json!([])
    );
}

#[test]
fn a_pending_join_says_how_it_goes_survives_a_restart_and_can_be_cancelled() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let pa = free_port();
    let da = a.run_daemon(pa);
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    let second = a.ok(&["coalition", "create", "Housing Justice"]);
    let code2 = a.ok(&["invite", "create", "--coalition", &second]);
    let id_a = a.json(&["status"])["node"].as_str().unwrap().to_owned();
    // The inviting node goes away before anyone joins.
    assert!(da.stop());

    let pb = free_port();
    let db = b.run_daemon(pb);
    let waited = b.fails(&["join", &code, "--wait", "2"]);
    assert!(
        waited.contains("Joining: connecting to the inviting node")
            && waited.contains("join --pending")
            && waited.contains("join --cancel"),
        "{waited}"
    );
    // Ctrl-C stops the waiting, not the join, and says so.
    let child = b
        .command(&["join", &code2, "--wait", "30"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let interrupted = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&interrupted.stderr);
    assert_eq!(interrupted.status.code(), Some(130), "{said}");
    assert!(
        said.contains("Stopped waiting") && said.contains("goes on joining"),
        "{said}"
    );

    let pending = b.json(&["join", "--pending"]);
    let listed: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["coalition"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 2, "{pending}");
    assert!(listed.contains(&c.as_str()) && listed.contains(&second.as_str()));
    assert_eq!(pending[0]["inviter"], id_a.as_str());
    assert_eq!(
        pending[0]["stage"],
        "pending: connecting to the inviting node"
    );

    // One is cancelled: gone from the list and the store, on the running node.
    b.ok(&["join", "--cancel", &second[..6]]);
    let pending = b.json(&["join", "--pending"]);
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(pending[0]["coalition"], c.as_str());
    let err = b.fails(&["join", "--cancel", &second[..6]]);
    assert!(err.contains("join --pending"), "{err}");

    // The other survives a restart of the joining node (listed while stopped too), and
    // completes by itself once the inviting node is back.
    assert!(db.stop());
    let stopped = b.json(&["join", "--pending"]);
    assert_eq!(stopped[0]["stage"], "node not running", "{stopped}");
    let db = b.run_daemon(pb);
    let da = a.run_daemon(pa);
    b.wait_for(
        30,
        "the pending join to complete after the restart",
        &["charter", "show", "--coalition", &c],
    );
    eventually(10, "the completed join to leave the pending list", || {
        (b.json(&["join", "--pending"]) == serde_json::json!([])).then_some(())
    });
    let held: Vec<String> = b
        .json(&["coalition", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(held, vec![c.clone()], "the cancelled coalition is not held");
    assert!(db.stop());
    assert!(da.stop());
}

#[test]
fn a_bootstrap_peer_is_not_let_go_although_it_shares_nothing_yet() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let pa = free_port();
    let da = a.run_daemon(pa);
    let bootstrap = format!("/ip4/127.0.0.1/tcp/{pa}");
    let db = b.run_daemon_with(
        &format!("/ip4/127.0.0.1/tcp/{}", free_port()),
        &[("COALESCE_BOOTSTRAP", bootstrap.as_str())],
    );
    let id_a = a.json(&["status"])["node"].as_str().unwrap().to_owned();
    // Past the grace a stranger gets: A (which did not ask for B) lets B go, B keeps A.
    eventually(30, "A to let B go as a stranger", || {
        da.logged("letting go of a node that shares no coalition")
            .then_some(())
    });
    // B dials A again (A is its bootstrap peer), and has let nothing go by then.
    eventually(20, "B to reconnect to A", || {
        (da.log().matches("peer connected").count() >= 2).then_some(())
    });
    assert!(
        !db.logged("letting go of a node that shares no coalition"),
        "B keeps its bootstrap peer"
    );
    let status = b.json(&["status"]);
    assert!(
        status["other_nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["node"] != id_a.as_str() || o["disconnected_at"].is_null()),
        "{status}"
    );
    assert!(da.stop());
    assert!(db.stop());
}

/// Two allocations of one pool approved on nodes cut off from each other: once they meet,
/// every node funds the one decided first and shows the other passed but unfunded, and the
/// balance never goes below zero.
#[test]
fn allocations_approved_apart_are_funded_alike_once_the_nodes_meet() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    let pool = orgs[0].node.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Bail fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    orgs[0]
        .node
        .ok(&["pool", "contribute", "--coalition", &c, &pool, "40"]);
    let request = |reason: &str| {
        orgs[0].node.ok(&[
            "pool",
            "request",
            "--coalition",
            &c,
            &pool,
            "30",
            "--reason",
            reason,
        ])
    };
    let (rent, bail) = (request("rent relief"), request("bail"));
    let vote = |org: &Org, p: &str| {
        org.node
            .ok(&["proposal", "vote", "--coalition", &c, p, "agree"]);
    };
    vote(&orgs[0], &rent);
    vote(&orgs[0], &bail);
    let positions = |org: &Org, p: &str| {
        org.node.json(&["proposal", "show", "--coalition", &c, p])["positions"]
            .as_object()
            .map_or(0, serde_json::Map::len)
    };
    for org in &orgs {
        eventually(
            20,
            "both requests and the first position everywhere",
            || (positions(org, &rent) == 1 && positions(org, &bail) == 1).then_some(()),
        );
    }
    // Apart: the second member approves the rent relief with the third away...
    orgs[2].stop();
    vote(&orgs[1], &rent);
    let funding = |org: &Org, p: &str| {
        let shown = org.node.json(&["proposal", "show", "--coalition", &c, p]);
        (shown["outcome"].clone(), shown["funding"]["status"].clone())
    };
    eventually(20, "the rent relief to pass on the first node", || {
        (funding(&orgs[0], &rent) == ("passed".into(), "funded".into())).then_some(())
    });
    // ...then, with those two away, the third approves the bail, which it sees funded.
    orgs[0].stop();
    orgs[1].stop();
    orgs[2].start();
    vote(&orgs[2], &bail);
    assert_eq!(funding(&orgs[2], &bail), ("passed".into(), "funded".into()));
    // Together again: decided first, funded first, on every node.
    orgs[0].start();
    orgs[1].start();
    for org in &orgs {
        eventually(
            30,
            "every node to fund the rent relief, not the bail",
            || {
                (funding(org, &rent) == ("passed".into(), "funded".into())
                    && funding(org, &bail) == ("passed".into(), "unfunded".into()))
                    .then_some(())
            },
        );
        let ledger = org.node.json(&["pool", "ledger", "--coalition", &c, &pool]);
        assert_eq!(ledger["balance"], "10", "{ledger}");
        assert!(
            ledger["entries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| !e["balance"].as_str().unwrap().starts_with('-')),
            "{ledger}"
        );
    }
}
