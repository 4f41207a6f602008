//! Crash safety: `kill -9` in the middle of a write loop loses no change that was reported
//! written, and the store opens cleanly afterwards.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use coalesce_tests::Node;

#[test]
fn kill_9_during_a_write_loop_loses_no_reported_change() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let mut reported: BTreeSet<String> = BTreeSet::new();
    // Kill after different numbers of writes so the kill lands at different points of a write.
    for stop_after in [1usize, 17, 60, 151] {
        let mut child = node
            .command(&[
                "debug",
                "write-loop",
                "--coalition",
                &c,
                "--count",
                "1000000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the write loop");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut seen = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read a line");
            let v: serde_json::Value = serde_json::from_str(&line).expect("one JSON object a line");
            reported.insert(v["id"].as_str().expect("an id").to_owned());
            seen += 1;
            if seen == stop_after {
                // SIGKILL: no destructor, no flush, mid-way through the next write.
                child.kill().expect("kill -9");
                break;
            }
        }
        let status = child.wait().expect("reap the killed process");
        assert!(!status.success(), "the loop was killed, not finished");

        // The store opens cleanly and holds every change that was reported written.
        let issues = node.json(&["issue", "list", "--coalition", &c]);
        let stored: BTreeSet<String> = issues
            .as_array()
            .expect("a list")
            .iter()
            .map(|i| i["id"].as_str().expect("an id").to_owned())
            .collect();
        let lost: Vec<&String> = reported.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "changes reported written but lost after kill -9: {lost:?}"
        );
        // Writing after the crash works.
        node.ok(&["issue", "add", "--coalition", &c, "After the crash"]);
    }
}
