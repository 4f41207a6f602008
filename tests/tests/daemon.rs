//! The node daemon: exclusive hold of the store, clean shutdown on SIGTERM, first start.

use std::io::{BufRead, BufReader};
use std::process::Child;

use coalesce_tests::Node;

/// Waits until the daemon logs that it is running.
fn wait_running(child: &mut Child) -> BufReader<std::process::ChildStderr> {
    let mut reader = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).expect("read the daemon's log");
        assert!(n > 0, "coalesce-node exited before it was running");
        if line.contains("node running") {
            return reader;
        }
    }
}

fn terminate(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[test]
fn the_running_node_holds_the_store_and_stops_cleanly_on_sigterm() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let issue = node.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    let mut daemon = node.start_daemon();
    let _log = wait_running(&mut daemon);

    let err = node.fails(&["issue", "list", "--coalition", &c]);
    assert!(
        err.contains("in use by another process") && err.contains("coalesce-node"),
        "{err}"
    );

    terminate(&daemon);
    let status = daemon.wait().expect("wait for the daemon");
    assert!(status.success(), "SIGTERM is a clean shutdown: {status}");
    let issues = node.json(&["issue", "list", "--coalition", &c]);
    assert_eq!(issues[0]["id"], issue.as_str(), "nothing was lost");
}

#[test]
fn the_node_sets_up_a_fresh_home_on_first_start() {
    let node = Node::new();
    let mut daemon = node.start_daemon();
    let _log = wait_running(&mut daemon);
    terminate(&daemon);
    assert!(daemon.wait().expect("wait").success());
    assert!(node.home().join("identity.json").exists());
    assert_eq!(node.json(&["coalition", "list"]), serde_json::json!([]));
}

#[test]
fn a_foreign_or_damaged_store_is_reported_not_panicked_on() {
    let node = Node::init("Northside Tenants Union");
    std::fs::write(
        node.home().join("store.redb"),
        "definitely not a database\n".repeat(100),
    )
    .unwrap();
    let err = node.fails(&["coalition", "list"]);
    assert!(err.contains("is not a Coalesce store"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let node = Node::init("Northside Tenants Union");
    std::fs::write(node.home().join("identity.json"), "{\"version\": 1}").unwrap();
    let err = node.fails(&["coalition", "list"]);
    assert!(
        err.contains("identity file") && err.contains("missing field"),
        "{err}"
    );
}
