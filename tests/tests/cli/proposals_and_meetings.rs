//! Proposals opened, voted and decided, and meetings recorded with their minutes.

use coalesce_tests::{Node, is_id};

use super::coalition;

#[test]
fn proposals_are_opened_voted_and_shown_with_their_outcome() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let p = node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Adopt the fare campaign",
        "--text",
        "We run it jointly",
        "--closes",
        "30d",
    ]);
    assert!(is_id(&p));
    let shown = node.json(&["proposal", "show", "--coalition", &c, &p]);
    assert_eq!(shown["outcome"], "open");
    assert_eq!(shown["rule"], "majority@1/2");
    let err = node.fails(&["proposal", "vote", "--coalition", &c, &p, "block"]);
    assert!(err.contains("a block needs a reason"), "{err}");
    assert!(
        err.contains("--reason"),
        "the command line names its flag: {err}"
    );
    node.ok(&["proposal", "vote", "--coalition", &c, &p[..7], "agree"]);
    let shown = node.json(&["proposal", "show", "--coalition", &c, &p]);
    assert_eq!(shown["outcome"], "passed");
    assert_eq!(shown["tally"]["agree"], 1);
    let text = node.ok(&["proposal", "show", "--coalition", &c, &p]);
    assert!(
        text.contains("[passed]") && text.contains("We run it jointly"),
        "{text}"
    );
    let err = node.fails(&["proposal", "vote", "--coalition", &c, &p, "disagree"]);
    assert!(err.contains("already passed"), "{err}");

    // Kinds whose effect needs a subject are opened by the command that gives it.
    for (kind, pointer) in [
        ("amendment", "charter amend"),
        ("allocation", "pool request"),
        ("membership", "member remove"),
    ] {
        let err = node.fails(&["proposal", "new", "--coalition", &c, "--kind", kind, "Bare"]);
        assert!(err.contains(pointer), "{kind}: {err}");
    }
    let amendment = node.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--add-value",
        "Add a value",
    ]);
    node.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &amendment,
        "block",
        "--reason",
        "not yet discussed",
    ]);
    assert_eq!(
        node.json(&["proposal", "show", "--coalition", &c, &amendment])["outcome"],
        "blocked"
    );
    let shown = node.ok(&["proposal", "show", "--coalition", &c, &amendment]);
    assert!(
        shown.contains("1 block: under consensus one block stops the proposal (outcome: blocked)")
            && shown.contains("block: not yet discussed"),
        "{shown}"
    );
    // Under a majority rule a block is a no: the proposal fails (one member, one no).
    let general = node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Endorse a candidate",
    ]);
    node.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &general,
        "block",
        "--reason",
        "nonpartisan",
    ]);
    let shown = node.ok(&["proposal", "show", "--coalition", &c, &general]);
    assert!(
        shown.contains("[failed]") && shown.contains("under majority a block counts as a no"),
        "{shown}"
    );
    let list = node.json(&["proposal", "list", "--coalition", &c]);
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(
        node.ok(&["proposal", "list", "--coalition", &c])
            .contains("Add a value")
    );

    let err = node.fails(&["proposal", "new", "--coalition", &c, "--kind", "vote", "x"]);
    assert!(
        err.contains("amendment, membership, allocation, public-statement, general"),
        "{err}"
    );
    let err = node.fails(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "x",
        "--closes",
        "soon",
    ]);
    assert!(err.contains("invalid closing time"), "{err}");
}

#[test]
fn meetings_are_recorded_and_listed() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let p = node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Adopt the fare campaign",
    ]);
    let m = node.ok(&[
        "meeting",
        "add",
        "--coalition",
        &c,
        "--date",
        "2026-11-20",
        "--facilitator",
        "Northside Tenants Union",
        "--attend",
        "Northside Tenants Union",
        "--agenda",
        "Fare campaign",
        "--agenda",
        "Budget",
        "--minutes",
        "Agreed to start the campaign.",
        "--decision",
        &p[..6],
    ]);
    assert!(is_id(&m));
    let list = node.json(&["meeting", "list", "--coalition", &c]);
    assert_eq!(list[0]["day"], "2026-11-20");
    assert_eq!(
        list[0]["agenda"],
        serde_json::json!(["Fare campaign", "Budget"])
    );
    assert_eq!(list[0]["decisions"][0], p.as_str());
    assert!(
        node.ok(&["meeting", "list", "--coalition", &c])
            .contains("Fare campaign")
    );
    let err = node.fails(&[
        "meeting",
        "add",
        "--coalition",
        &c,
        "--date",
        "2026-02-30",
        "--facilitator",
        "x",
    ]);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
}

/// The minutes of the newest meeting `node` lists in coalition `c`.
fn newest_minutes(node: &Node, c: &str) -> String {
    node.json(&["meeting", "list", "--coalition", c])[0]["minutes"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn long_minutes_are_read_from_a_file_or_standard_input_also_through_the_node() {
    let _serial = coalesce_tests::network_lock();
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("minutes.md");
    let text =
        "- Fares: agreed to start the campaign.\n- Budget: tabled.\n\nÑandú café — 12 present.\n";
    std::fs::write(&file, text).unwrap();
    let add = |extra: &[&str]| -> Vec<String> {
        ["meeting", "add", "--coalition", &c]
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned())
            .collect()
    };
    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }

    node.ok(&refs(&add(&[
        "--date",
        "2026-11-20",
        "--minutes-file",
        file.to_str().unwrap(),
    ])));
    assert_eq!(
        newest_minutes(&node, &c),
        text.trim_end(),
        "stored as typed, trimmed"
    );

    let args = add(&["--date", "2026-11-21", "--minutes-file", "-"]);
    let mut child = node
        .command(&refs(&args))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"From standard input.")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(newest_minutes(&node, &c), "From standard input.");

    // Through the running node the file is still read here, by `coalesce`.
    let daemon = node.run_daemon(coalesce_tests::free_port());
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "Read by the command line.").unwrap();
    let given = format!("--minutes-file={}", other.display());
    node.ok(&refs(&add(&["--date", "2026-11-22", &given])));
    assert_eq!(newest_minutes(&node, &c), "Read by the command line.");

    // Too long, missing, or given twice: refused, naming what is wrong.
    std::fs::write(&other, "x".repeat(20_001)).unwrap();
    let err = node.fails(&refs(&add(&[
        "--date",
        "2026-11-23",
        "--minutes-file",
        other.to_str().unwrap(),
    ])));
    assert!(err.contains("20000") || err.contains("20,000"), "{err}");
    let err = node.fails(&refs(&add(&[
        "--date",
        "2026-11-23",
        "--minutes-file",
        "/nonexistent/minutes",
    ])));
    assert!(err.contains("/nonexistent/minutes"), "{err}");
    let both = node.run(&refs(&add(&["--minutes", "x", "--minutes-file", "-"])));
    assert_eq!(both.status.code(), Some(2));
    assert!(daemon.stop());
}
