//! Every command of the offline command line, as an organizer would use it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Node, is_id};

fn coalition(node: &Node) -> String {
    node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses",
        "--commitment",
        "nonviolence",
        "--value",
        "solidarity",
    ])
}

#[test]
fn init_prints_the_node_id_and_refuses_a_second_init() {
    let node = Node::new();
    let id = node.ok(&["init", "--org", "Northside Tenants Union"]);
    assert_eq!(id.len(), 64, "node id is the 32-byte key in hex: {id}");
    let err = node.fails(&["init", "--org", "Someone Else"]);
    assert!(err.contains("already set up"), "{err}");
    assert!(
        node.fails(&["init", "--org", "  "])
            .contains("organization name must not be empty")
    );
}

#[test]
fn commands_on_a_home_without_a_node_say_how_to_start() {
    let node = Node::new();
    let err = node.fails(&["coalition", "list"]);
    assert!(err.contains("coalesce init --org"), "{err}");
}

#[test]
fn coalition_create_list_and_charter_show() {
    let node = Node::init("Northside Tenants Union");
    let id = coalition(&node);
    assert!(is_id(&id), "create prints the id alone: {id:?}");
    let list = node.json(&["coalition", "list"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["name"], "Transit Justice");
    assert_eq!(list[0]["members"], 1);
    let table = node.ok(&["coalition", "list"]);
    assert!(
        table.contains("Transit Justice") && table.contains(&id[..8]),
        "{table}"
    );

    let charter = node.json(&["charter", "show", "--coalition", &id]);
    assert_eq!(charter["name"], "Transit Justice");
    assert_eq!(charter["frame"], "Fare-free, accessible buses");
    assert_eq!(charter["commitments"][0], "nonviolence");
    assert_eq!(charter["rules"]["amendment"], "consensus@1/2");
    assert_eq!(charter["version"], 1);
    let text = node.ok(&["charter", "show", "--coalition", &id[..6]]);
    assert!(
        text.contains("charter version 1") && text.contains("nonviolence"),
        "{text}"
    );

    let versions = node.json(&["charter", "versions", "--coalition", &id]);
    assert_eq!(versions.as_array().unwrap().len(), 1);
    assert_eq!(versions[0]["agreed_by"].as_array().unwrap().len(), 1);

    node.ok(&[
        "member",
        "update",
        "--coalition",
        &id,
        "--community",
        "tenants",
        "--community",
        "Latinx families",
        "--language",
        "Spanish",
        "--accessibility",
        "step-free venue",
        "--contact",
        "hello@northside.example",
    ]);
    let members = node.json(&["member", "list", "--coalition", &id]);
    assert_eq!(members[0]["name"], "Northside Tenants Union");
    assert_eq!(
        members[0]["communities"],
        serde_json::json!(["tenants", "Latinx families"])
    );
    assert_eq!(members[0]["languages"], serde_json::json!(["Spanish"]));
    assert_eq!(
        members[0]["accessibility"],
        serde_json::json!(["step-free venue"])
    );
    assert_eq!(members[0]["contact"], "hello@northside.example");
    assert!(
        node.ok(&["member", "list", "--coalition", &id])
            .contains("Northside Tenants Union")
    );
}

#[test]
fn goals_are_added_and_progress_recorded() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let goal = node.ok(&[
        "charter",
        "goal",
        "add",
        "--coalition",
        &c,
        "Fare-free buses",
        "--target",
        "100",
        "--unit",
        "percent",
    ]);
    assert!(is_id(&goal));
    node.ok(&[
        "charter",
        "goal",
        "progress",
        "--coalition",
        &c,
        &goal[..6],
        "--value",
        "35",
        "--date",
        "2026-11-01",
        "--note",
        "3 of 8 lines",
    ]);
    let charter = node.json(&["charter", "show", "--coalition", &c]);
    let g = &charter["goals"][&goal];
    assert_eq!(g["target"], "100");
    assert_eq!(g["unit"], "percent");
    assert_eq!(g["progress"][0]["value"], "35");
    assert_eq!(g["progress"][0]["day"], "2026-11-01");
    let err = node.fails(&[
        "charter",
        "goal",
        "add",
        "--coalition",
        &c,
        "Bad",
        "--target",
        "-3",
        "--unit",
        "x",
    ]);
    assert!(err.contains("cannot be negative"), "{err}");
}

#[test]
fn issues_are_raised_shared_listed_and_overlapped() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let me = node.json(&["member", "list", "--coalition", &c])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fares = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fare equity",
        "--tag",
        "race",
        "--tag",
        "class",
        "--lead",
        &me[..6],
    ]);
    let ramps = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Wheelchair ramps",
        "--tag",
        "Disability",
        "--lead",
        "Northside Tenants Union",
        "--description",
        "Broken ramps on line 4",
    ]);
    assert!(is_id(&fares) && is_id(&ramps));
    node.ok(&[
        "issue",
        "share",
        "--coalition",
        &c,
        &fares[..5],
        "--rank",
        "1",
    ]);
    node.ok(&["issue", "share", "--coalition", &c, &ramps, "--rank", "3"]);
    node.ok(&[
        "issue",
        "evidence",
        "--coalition",
        &c,
        &ramps,
        "--source",
        "City audit 2025",
        "--figure",
        "41% of ramps broken",
        "--disaggregation",
        "by district",
    ]);
    node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &ramps,
        "--status",
        "adopted",
        "--tag",
        "age",
    ]);

    let list = node.json(&["issue", "list", "--coalition", &c]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["title"], "Bus fare equity");
    assert_eq!(list[0]["tags"], serde_json::json!(["race", "class"]));
    assert_eq!(list[0]["lead"], me.as_str());
    assert_eq!(list[0]["ranks"][&me], 1);
    assert_eq!(list[1]["status"], "adopted");
    assert_eq!(list[1]["tags"], serde_json::json!(["disability", "age"]));
    assert_eq!(list[1]["evidence"][0]["figure"], "41% of ramps broken");
    let only = node.json(&["issue", "list", "--coalition", &c, "--tag", "disability"]);
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert!(
        node.ok(&["issue", "list", "--coalition", &c])
            .contains("Wheelchair ramps")
    );
    let shown = node.ok(&["issue", "show", "--coalition", &c, &ramps[..6]]);
    assert!(
        shown.contains("Broken ramps on line 4") && shown.contains("City audit 2025"),
        "{shown}"
    );

    let overlap = node.json(&["issue", "overlap", "--coalition", &c]);
    assert_eq!(
        overlap["issues"][0]["issue"],
        fares.as_str(),
        "rank 1 outranks rank 3"
    );
    assert_eq!(overlap["issues"][0]["shared_by"][0]["rank"], 1);
    assert_eq!(overlap["members"][&me].as_array().unwrap().len(), 2);
    assert!(
        node.ok(&["issue", "overlap", "--coalition", &c])
            .contains("Bus fare equity")
    );

    node.ok(&["issue", "unshare", "--coalition", &c, &ramps]);
    let overlap = node.json(&["issue", "overlap", "--coalition", &c]);
    assert_eq!(overlap["issues"][1]["members_sharing"], 0);

    let err = node.fails(&["issue", "share", "--coalition", &c, &fares, "--rank", "0"]);
    assert!(err.contains("from 1 (highest priority) to 10"), "{err}");
    let err = node.fails(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Fares",
        "--lead",
        "Nobody Org",
    ]);
    assert!(err.contains("no member with id `Nobody Org`"), "{err}");
    let err = node.fails(&["issue", "add", "--coalition", &c, " "]);
    assert!(err.contains("issue title must not be empty"), "{err}");
}

#[test]
fn pools_take_pledges_contributions_and_requests() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let pool = node.ok(&[
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
    assert!(is_id(&pool));
    let pledge = node.ok(&["pool", "pledge", "--coalition", &c, &pool[..4], "500"]);
    assert!(is_id(&pledge));
    node.ok(&[
        "pool",
        "contribute",
        "--coalition",
        &c,
        &pool,
        "250.50",
        "--note",
        "first instalment",
    ]);
    let request = node.ok(&[
        "pool",
        "request",
        "--coalition",
        &c,
        &pool,
        "100",
        "--reason",
        "bail for a tenant organizer",
    ]);
    assert!(is_id(&request), "request prints its proposal id: {request}");

    let ledger = node.json(&["pool", "ledger", "--coalition", &c, &pool]);
    assert_eq!(ledger["pledged"], "500");
    assert_eq!(ledger["contributed"], "250.50");
    assert_eq!(
        ledger["balance"], "250.50",
        "an undecided request does not move money"
    );
    assert_eq!(ledger["entries"].as_array().unwrap().len(), 3);
    assert_eq!(ledger["entries"][2]["decision"], "open");

    // The requesting member's own agreement passes it (one member, simple majority).
    node.ok(&["proposal", "vote", "--coalition", &c, &request, "agree"]);
    let ledger = node.json(&["pool", "ledger", "--coalition", &c, &pool]);
    assert_eq!(ledger["balance"], "150.50");
    assert_eq!(ledger["allocated"], "100");
    assert!(
        node.ok(&["pool", "ledger", "--coalition", &c, &pool])
            .contains("contribution")
    );

    let pools = node.json(&["pool", "list", "--coalition", &c]);
    assert_eq!(pools[0]["balance"], "150.50");
    assert!(
        node.ok(&["pool", "list", "--coalition", &c])
            .contains("Legal defense fund")
    );

    let equity = node.json(&["pool", "equity", "--coalition", &c]);
    assert_eq!(equity["threshold"], "1/2");
    let other = node.ok(&["coalition", "create", "Other", "--equity-threshold", "1/3"]);
    assert_eq!(
        node.json(&["pool", "equity", "--coalition", &other])["threshold"],
        "1/3"
    );
    assert_eq!(equity["pools"][0]["members"][0]["share_given"], 100.0);
    assert_eq!(equity["pools"][0]["members"][0]["received"], "100");
    assert!(
        node.ok(&["pool", "equity", "--coalition", &c])
            .contains("Northside Tenants Union")
    );

    let err = node.fails(&["pool", "pledge", "--coalition", &c, &pool, "-5"]);
    assert!(err.contains("cannot be negative"), "{err}");
    let err = node.fails(&["pool", "pledge", "--coalition", &c, "ffff", "5"]);
    assert!(err.contains("no pool with id `ffff`"), "{err}");
    let err = node.fails(&["pool", "pledge", "--coalition", &c, &pool, "0"]);
    assert!(err.contains("more than zero"), "{err}");
    let err = node.fails(&[
        "pool",
        "request",
        "--coalition",
        &c,
        &pool,
        "1000",
        "--reason",
        "too much",
    ]);
    assert!(err.contains("cannot be met"), "{err}");
    let err = node.fails(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "X",
        "--kind",
        "gold",
        "--unit",
        "oz",
    ]);
    assert!(
        err.contains("funds, volunteer-hours, space, equipment"),
        "{err}"
    );
}

#[test]
fn text_written_by_a_member_cannot_drive_another_members_terminal() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let title = "Fares\u{1b}[31m red\u{7} \u{202e}lanigiro\u{202c}\nforged row";
    let issue = node.ok(&["issue", "add", "--coalition", &c, title]);
    let raw = |s: &str| {
        s.chars()
            .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{202e}' | '\u{202c}'))
    };
    let shown_safely = |node: &Node| {
        for args in [
            vec!["issue", "list", "--coalition", &c],
            vec!["issue", "show", "--coalition", &c, &issue],
            vec!["issue", "list", "--coalition", &c, "--json"],
            vec!["history", "--coalition", &c],
        ] {
            let out = node.run(&args);
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert!(out.status.success(), "{args:?}: {stderr}");
            assert!(
                !raw(&stdout) && !raw(&stderr),
                "{args:?} prints raw controls: {stdout:?}"
            );
        }
        let list = node.ok(&["issue", "list", "--coalition", &c]);
        assert!(list.contains("\\u{1b}[31m red\\u{7}"), "{list}");
        assert!(list.contains("\\nforged row"), "{list}");
        assert!(!list.lines().any(|l| l.starts_with("forged row")), "{list}");
        // JSON keeps the text exactly, escaped the JSON way.
        let json = node.json(&["issue", "list", "--coalition", &c]);
        assert_eq!(json[0]["title"], title);
    };
    shown_safely(&node);
    // The same through a running node, which runs the command and hands back its output.
    let daemon = node.run_daemon(coalesce_tests::free_port());
    assert_eq!(node.json(&["status"])["running"], true);
    shown_safely(&node);
    assert!(daemon.stop());
}

#[test]
fn the_only_coalition_is_used_when_none_is_named_and_said_so() {
    let node = Node::init("Northside Tenants Union");
    let err = node.fails(&["issue", "list"]);
    assert!(
        err.contains("holds no coalition yet") && err.contains("coalition create"),
        "{err}"
    );
    let c = coalition(&node);
    let out = node.run(&["issue", "add", "Night buses"]);
    assert!(out.status.success(), "{out:?}");
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(
        notes.contains(&format!("Using coalition {}", &c[..8])) && notes.contains("only one"),
        "{notes}"
    );
    assert_eq!(
        node.json(&["issue", "list", "--coalition", &c])[0]["title"],
        "Night buses"
    );
    // With two, it must be named, and the message lists them.
    node.ok(&["coalition", "create", "Housing Now"]);
    let err = node.fails(&["issue", "list"]);
    assert!(
        err.contains("holds 2 coalitions")
            && err.contains("--coalition")
            && err.contains("Transit Justice")
            && err.contains("Housing Now"),
        "{err}"
    );
    // The same through the running node.
    let port = coalesce_tests::free_port();
    let _daemon = node.run_daemon(port);
    let err = node.fails(&["issue", "list"]);
    assert!(err.contains("holds 2 coalitions"), "{err}");
}

#[test]
fn bad_amounts_are_usage_errors_and_rules_must_be_able_to_decide() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let pool = node.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    for amount in ["0", "0.00", "-5", "abc"] {
        let out = node.run(&["pool", "pledge", "--coalition", &c, &pool, amount]);
        assert_eq!(out.status.code(), Some(2), "{amount}: {out:?}");
    }
    let err = node.fails(&["pool", "contribute", "--coalition", &c, &pool, "0"]);
    assert!(err.contains("more than zero"), "{err}");
    for (rule, says) in [
        ("general=majority@0", "no quorum"),
        ("general=super-majority:1/3", "no super-majority"),
        ("general=super-majority:1/2", "no super-majority"),
    ] {
        let err = node.fails(&["charter", "amend", "--coalition", &c, "--rule", rule]);
        assert!(err.contains(says), "{rule}: {err}");
    }
    node.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "general=super-majority:2/3@1/3",
    ]);
}

#[test]
fn a_pool_never_pays_out_more_than_it_holds() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let pool = node.ok(&[
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
    node.ok(&["pool", "contribute", "--coalition", &c, &pool, "40"]);
    // Two requests of 30 each fit when asked (neither is decided yet); both then pass.
    let request = |reason: &str| {
        node.ok(&[
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
    let (first, second) = (request("rent relief"), request("bail"));
    node.ok(&["proposal", "vote", "--coalition", &c, &second, "agree"]);
    node.ok(&["proposal", "vote", "--coalition", &c, &first, "agree"]);
    let ledger = node.json(&["pool", "ledger", "--coalition", &c, &pool]);
    assert_eq!(ledger["balance"], "10", "{ledger}");
    assert_eq!(ledger["allocated"], "30");
    let entries = ledger["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| !e["balance"].as_str().unwrap().starts_with('-'))
    );
    // The one decided first is funded; the other passed but is unfunded, with the reason.
    let shown = node.json(&["proposal", "show", "--coalition", &c, &second]);
    assert_eq!(shown["outcome"], "passed");
    assert_eq!(shown["funding"]["status"], "funded", "{shown}");
    let shown = node.json(&["proposal", "show", "--coalition", &c, &first]);
    assert_eq!(shown["outcome"], "passed");
    assert_eq!(shown["funding"]["status"], "unfunded", "{shown}");
    assert_eq!(shown["funding"]["available"], "10");
    let text = node.ok(&["proposal", "show", "--coalition", &c, &first]);
    assert!(text.contains("Unfunded: passed on"), "{text}");
    assert!(text.contains("the pool held 10 USD"), "{text}");
    let out = node.run(&["pool", "ledger", "--coalition", &c, &pool]);
    let (text, notes) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(text.contains("request (passed, unfunded)"), "{text}");
    assert!(notes.contains("passed but is unfunded"), "{notes}");
    assert_eq!(
        node.json(&["pool", "list", "--coalition", &c])[0]["balance"],
        "10"
    );
}

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

#[test]
fn ids_may_be_shortened_to_a_unique_prefix_and_ambiguity_is_explained() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let mut ids: Vec<String> = (0..40)
        .map(|n| node.ok(&["issue", "add", "--coalition", &c, &format!("Issue {n}")]))
        .collect();
    ids.sort();
    // Among 40 random ids two share a first digit; that digit alone is ambiguous.
    let pair = ids
        .windows(2)
        .find(|w| w[0][..1] == w[1][..1])
        .expect("a shared first digit");
    let err = node.fails(&[
        "issue",
        "share",
        "--coalition",
        &c,
        &pair[0][..1],
        "--rank",
        "2",
    ]);
    assert!(err.contains("matches") && err.contains("issues"), "{err}");
    node.ok(&["issue", "share", "--coalition", &c, &pair[0], "--rank", "2"]);
    let err = node.fails(&["issue", "list", "--coalition", "nope"]);
    assert!(err.contains("no coalition with id `nope`"), "{err}");
}

#[test]
fn every_command_has_help() {
    let node = Node::new();
    for args in [
        vec!["--help"],
        vec!["coalition", "create", "--help"],
        vec!["charter", "goal", "add", "--help"],
        vec!["issue", "overlap", "--help"],
        vec!["pool", "equity", "--help"],
        vec!["proposal", "vote", "--help"],
        vec!["meeting", "add", "--help"],
        vec!["export", "--help"],
    ] {
        let out = node.ok(&args);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[test]
fn refused_commands_lose_nothing_already_stored() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let issue = node.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    let before = node.ok(&["issue", "list", "--coalition", &c, "--json"]);
    node.fails(&["issue", "add", "--coalition", &c, &"x".repeat(500)]);
    node.fails(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--status",
        "finished",
    ]);
    node.fails(&["pool", "pledge", "--coalition", &c, "missing", "5"]);
    assert_eq!(
        node.ok(&["issue", "list", "--coalition", &c, "--json"]),
        before
    );
}

#[test]
fn a_member_adds_a_second_device_restores_an_old_text_and_reads_the_history() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let laptop = Node::new().ok(&["init", "--org", "Northside Tenants Union"]);
    node.ok(&["member", "key", "add", "--coalition", &c, &laptop]);
    let members = node.json(&["member", "list", "--coalition", &c]);
    assert_eq!(members[0]["keys"].as_array().unwrap().len(), 2, "{members}");
    node.ok(&["member", "key", "revoke", "--coalition", &c, &laptop]);
    let members = node.json(&["member", "list", "--coalition", &c]);
    assert_eq!(members[0]["keys"].as_array().unwrap().len(), 1, "{members}");
    let err = node.fails(&["member", "key", "revoke", "--coalition", &c, "zz"]);
    assert!(err.contains("node key"), "{err}");

    // history: who changed what; restore an earlier description as a new change.
    let issue = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fares",
        "--description",
        "Fares rose 40%",
    ]);
    node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--description",
        "Fares doubled",
    ]);
    let history = node.json(&["history", "--coalition", &c, "--record", &issue]);
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{history}");
    assert_eq!(entries[1]["message"], "edit issue");
    let first = entries[0]["change"].as_str().unwrap();
    node.ok(&[
        "history",
        "--coalition",
        &c,
        "--record",
        &issue,
        "--field",
        "description",
        "--restore",
        &first[..12],
    ]);
    let shown = node.json(&["issue", "show", "--coalition", &c, &issue]);
    assert_eq!(shown["description"], "Fares rose 40%", "{shown}");
    let table = node.ok(&["history", "--coalition", &c]);
    assert!(
        table.contains("restore earlier value") && table.contains("Northside Tenants Union"),
        "{table}"
    );
    let err = node.fails(&["history", "--coalition", &c, "--restore", first]);
    assert!(err.contains("--record"), "{err}");
}

#[test]
fn a_lone_founder_amends_its_charter_and_cannot_leave_it_empty() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let bad = node.fails(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "amendment=unanimity",
    ]);
    assert!(
        bad.contains("invalid decision rule `unanimity`") && bad.contains("super-majority"),
        "{bad}"
    );
    let empty = node.fails(&["charter", "amend", "--coalition", &c]);
    assert!(empty.contains("must change something"), "{empty}");
    let p = node.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--add-commitment",
        "language access at every meeting",
        "--rule",
        "allocation=consent@2/3",
    ]);
    assert!(is_id(&p), "{p}");
    let shown = node.ok(&["proposal", "show", "--coalition", &c, &p]);
    assert!(
        shown.contains("Changes to the charter") && shown.contains("rule: allocation=consent@2/3"),
        "{shown}"
    );
    node.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    let charter = node.json(&["charter", "show", "--coalition", &c]);
    assert_eq!(charter["version"], 2);
    assert_eq!(charter["rules"]["allocation"], "consent@2/3");
    let versions = node.json(&["charter", "versions", "--coalition", &c]);
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let err = node.fails(&["member", "leave", "--coalition", &c]);
    assert!(err.contains("only member"), "{err}");
    let err = node.fails(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "membership",
        "Someone",
    ]);
    assert!(err.contains("member remove"), "{err}");
}

#[test]
fn status_on_a_stopped_node_says_so() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let status = node.json(&["status"]);
    assert_eq!(status["running"], false, "{status}");
    assert_eq!(status["coalitions"][0]["id"], c.as_str());
    assert_eq!(status["protocol"], sync::wire::VERSION);
    let text = node.ok(&["status"]);
    assert!(text.contains("Not running"), "{text}");
}

#[test]
fn completions_and_man_pages_come_from_the_command_definition() {
    let node = Node::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = node.ok(&["completions", shell]);
        assert!(
            script.contains("charter") && script.contains("coalition"),
            "{shell}: {script}"
        );
    }
    assert!(node.fails(&["completions", "tcsh"]).contains("tcsh"));
    // Hidden commands are not offered.
    let script = node.ok(&["completions", "bash"]);
    assert!(
        !script.contains("debug") && !script.contains("write-loop"),
        "{script}"
    );
    // The node has its page too.
    let out = node
        .node_command(&["--man-page"])
        // As under the systemd unit, or with COALESCE_HOME exported for the CLI.
        .env("COALESCE_HOME", node.home())
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        page.contains(".TH coalesce-node") && page.contains("max\\-connections"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    node.ok(&["man", "--out", dir.path().to_str().unwrap()]);
    let page = std::fs::read_to_string(dir.path().join("coalesce-member-remove.1")).unwrap();
    assert!(page.contains("membership"), "{page}");
    assert!(dir.path().join("coalesce.1").exists());
}

#[test]
fn member_leave_asks_first_on_a_terminal() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    // `script` gives the command a terminal; what is piped in is typed at it.
    let on_a_terminal = |typed: &str, extra: &str| {
        let cmd = format!(
            "{} --home {} member leave --coalition {c} {extra}",
            coalesce_tests::bin("coalesce").display(),
            node.home().display()
        );
        let mut child = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) gives the command a terminal");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let status =
        |node: &Node| node.json(&["member", "list", "--coalition", &c])[0]["status"].clone();
    let (left, shown) = on_a_terminal("no\n", "");
    assert!(!left, "{shown}");
    assert!(
        shown.contains("Type yes to leave") && shown.contains("Not left"),
        "{shown}"
    );
    assert_eq!(status(&node), "member");
    // Answered yes, the command runs (and here says why a sole member cannot leave).
    let (_, shown) = on_a_terminal("yes\n", "");
    assert!(shown.contains("only member"), "{shown}");
    // --yes does not ask.
    let (_, shown) = on_a_terminal("", "--yes");
    assert!(
        !shown.contains("Type yes") && shown.contains("only member"),
        "{shown}"
    );
    assert_eq!(status(&node), "member");
}
