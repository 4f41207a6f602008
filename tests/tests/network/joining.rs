//! Joining by invite: three organizations see each other's changes, outsiders and used or
//! unadmittable invites are refused, a pending join says how it goes.

use coalesce_tests::{Node, eventually, free_port, is_id};

use super::{Org, coalition_of_three};

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
        waited
            .matches("Joining: connecting to the inviting node")
            .count()
            == 1
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

/// A member whose node takes messages of 1 MiB at most (`--max-message-bytes`, the lowest)
/// joins a coalition whose history weighs more than that: its Hello says so, the inviting
/// node sends the history in pages it takes, and `coalesce join` returns once all of it is
/// there.
#[test]
fn a_node_taking_small_messages_joins_a_long_coalition_in_pages() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let pa = free_port();
    let da = a.run_daemon(pa);
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    // 70 issues of 2,000 characters: 140,000 operations, about 4.5 MB against 1 MiB, and
    // over what a snapshot may hold at that limit (131,072 operations).
    let mut last = String::new();
    for i in 0..70 {
        let text: String = (0..2_000)
            .map(|k| char::from(b'a' + ((i + k) % 26) as u8))
            .collect();
        last = a.ok(&[
            "issue",
            "add",
            "--coalition",
            &c,
            &format!("Route {i} service cuts"),
            "--description",
            &text,
            "--tag",
            "transit",
        ]);
    }
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    let db = b.run_daemon_with(
        &format!("/ip4/127.0.0.1/tcp/{}", free_port()),
        &[("COALESCE_MAX_MESSAGE_BYTES", "1048576")],
    );
    let joined = b.ok(&["join", &code, "--wait", "120"]);
    assert_eq!(joined, c);
    // Once `join` returns, everything is there: the last issue raised, with its text.
    let shown = b.json(&["issue", "show", "--coalition", &c, &last]);
    assert_eq!(shown["description"].as_str().map(str::len), Some(2_000));
    assert!(
        da.logged("sending them in pages"),
        "the inviting node paged the history:\n{}",
        da.log()
    );
    assert!(
        !db.log().contains("refused"),
        "the joining node refused nothing:\n{}",
        db.log()
    );
}
