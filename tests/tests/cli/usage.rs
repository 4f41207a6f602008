//! The command line itself: setting up, help, completions, status, which coalition is meant,
//! shortened ids, usage errors, refusals that lose nothing, text that cannot drive a terminal.

use coalesce_tests::Node;

use super::coalition;

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
fn text_written_by_a_member_cannot_drive_another_members_terminal() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let title = "Fares\u{1b}[31m red\u{7} \u{202e}lanigiro\u{202c}\nforged row | passed\t5/5";
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
        // A bar or a tab in a cell draws no column of its own.
        assert!(list.contains("forged row \\| passed\\t5/5"), "{list}");
        // One-line fields stay on their line in a record's own view too.
        let show = node.ok(&["issue", "show", "--coalition", &c, &issue]);
        assert!(show.contains("\\nforged row"), "{show}");
        assert!(!show.lines().any(|l| l.starts_with("forged row")), "{show}");
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
