//! A command prints the same through the running node as on a stopped node's home.

use coalesce_tests::{Node, free_port};

/// The promise of the typed operations: a command prints the same (standard output, standard
/// error, exit code) whether it runs on a stopped node's home or through the running node.
#[test]
fn every_command_prints_the_same_through_the_running_node_as_on_a_stopped_one() {
    let node = Node::init("Northside Tenants Union");
    node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--value",
        "solidarity",
    ]);
    let issue = node.ok(&[
        "issue",
        "add",
        "Bus fare equity",
        "--tag",
        "race",
        "--description",
        "Fares\nrose",
    ]);
    node.ok(&[
        "issue", "evidence", &issue, "--source", "Survey", "--figure", "38%",
    ]);
    node.ok(&["issue", "share", &issue, "--rank", "2"]);
    let pool = node.ok(&[
        "pool",
        "create",
        "Legal fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    node.ok(&["pool", "contribute", &pool, "125.50", "--note", "dues"]);
    let p = node.ok(&[
        "proposal",
        "new",
        "--kind",
        "general",
        "Join the march",
        "--closes",
        "7d",
    ]);
    node.ok(&["proposal", "vote", &p, "agree"]);
    node.ok(&[
        "meeting",
        "add",
        "--date",
        "2026-11-20",
        "--minutes",
        "We met.",
        "--agenda",
        "Fares",
    ]);
    node.ok(&[
        "charter",
        "goal",
        "add",
        "Fare-free buses",
        "--target",
        "100",
        "--unit",
        "percent",
    ]);
    let link = node.ok(&[
        "link",
        "propose",
        "--with",
        "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e",
        "--name",
        "National Housing Alliance",
        "--relation",
        "parent",
        "--publish",
        "issue,pool",
        "--accept",
        "call",
        "--roster",
        "3f2a000000000000000000000000000000000000000000000000000000000001",
    ]);
    node.ok(&["proposal", "vote", &link, "agree"]);
    let commands: Vec<Vec<&str>> = vec![
        vec!["coalition", "list"],
        vec!["link", "list"],
        vec!["link", "list", "--json"],
        vec!["link", "end", "--with", "ffff"],
        vec!["statement", "list"],
        vec!["statement", "list", "--json"],
        vec!["statement", "sign", "ffff"],
        vec!["statement", "received"],
        vec!["statement", "received", "--json"],
        vec!["statement", "calls"],
        vec!["statement", "calls", "--json"],
        vec!["statement", "verify", "ffff"],
        vec!["statement", "import", "/nonexistent/x.statements"],
        vec!["coalition", "list", "--json"],
        vec!["issue", "list"],
        vec!["issue", "list", "--json", "--tag", "race"],
        vec!["issue", "show", &issue],
        vec!["issue", "show", "--json", &issue[..8]],
        vec!["issue", "overlap"],
        vec!["issue", "overlap", "--json"],
        vec!["pool", "list"],
        vec!["pool", "ledger", &pool],
        vec!["pool", "ledger", "--json", &pool],
        vec!["pool", "equity"],
        vec!["proposal", "list"],
        vec!["proposal", "show", &p],
        vec!["proposal", "show", "--json", &p],
        vec!["meeting", "list"],
        vec![
            "meeting",
            "list",
            "--from",
            "2026-01-01",
            "--member",
            "nobody",
        ],
        vec!["member", "list", "--all"],
        vec!["member", "list", "--json"],
        vec!["charter", "show"],
        vec!["charter", "versions", "--json"],
        vec!["audit", "power"],
        vec!["audit", "aside"],
        vec!["audit", "refused", "--json"],
        vec!["history"],
        vec!["history", "--json", "--record", &issue[..8]],
        vec!["report"],
        vec!["report", "--format", "md", "--from", "2026-01-01"],
        vec![
            "report",
            "--lang",
            "es",
            "--format",
            "json",
            "--to",
            "2030-01-01",
        ],
        vec!["report", "--lang", "fr"],
        vec!["report", "--from", "2026-02-30"],
        // Refusals print the same too.
        vec!["issue", "show", "zzzz"],
        vec!["issue", "show", ""],
        vec!["pool", "ledger", "nope"],
        vec!["charter", "show", "--coalition", "ffff"],
        vec!["join", "--cancel", "abc"],
        vec!["member", "key", "revoke", "not-a-key"],
    ];
    let outputs = || {
        commands
            .iter()
            .map(|args| {
                let out = node.run(args);
                (
                    String::from_utf8_lossy(&out.stdout).into_owned(),
                    String::from_utf8_lossy(&out.stderr).into_owned(),
                    out.status.code(),
                )
            })
            .collect::<Vec<_>>()
    };
    let stopped = outputs();
    let daemon = node.run_daemon(free_port());
    assert!(
        node.ok(&["status"]).contains("Running; API on"),
        "through the node"
    );
    let running = outputs();
    drop(daemon);
    for ((args, a), b) in commands.iter().zip(&stopped).zip(&running) {
        assert_eq!(
            a,
            b,
            "`coalesce {}` printed otherwise through the running node",
            args.join(" ")
        );
    }
    assert!(
        stopped.iter().any(|(_, _, code)| *code == Some(1)),
        "refusals were tried"
    );
}
