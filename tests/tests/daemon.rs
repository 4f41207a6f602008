//! The node daemon: commands go through it while it runs, it holds the store exclusively,
//! stops cleanly on SIGTERM, and sets up a fresh home on first start.

use coalesce_tests::{Node, bin, free_port};

#[test]
fn commands_go_through_the_running_node_which_holds_the_store_and_stops_cleanly() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    assert!(
        node.home().join("api.json").exists(),
        "the API address and token are in the home folder"
    );
    assert!(node.home().join("addresses.json").exists());

    // The command line works while the node runs, through its API.
    let issue = node.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    assert_eq!(
        node.json(&["issue", "list", "--coalition", &c])[0]["id"],
        issue.as_str()
    );
    let err = node.fails(&["issue", "add", "--coalition", &c, " "]);
    assert!(
        err.contains("issue title must not be empty"),
        "errors come back from the node: {err}"
    );

    // A second node on the same home is refused.
    let second = std::process::Command::new(bin("coalesce-node"))
        .arg("--home")
        .arg(node.home())
        .args([
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api",
            "127.0.0.1:0",
            "--no-mdns",
        ])
        .output()
        .unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("in use by another process"));

    assert!(daemon.stop(), "SIGTERM is a clean shutdown");
    assert!(
        !node.home().join("api.json").exists(),
        "the API file goes with the node"
    );
    // After it stops, the command line opens the store itself; nothing was lost.
    assert_eq!(
        node.json(&["issue", "list", "--coalition", &c])[0]["id"],
        issue.as_str()
    );
}

#[test]
fn the_node_sets_up_a_fresh_home_on_first_start() {
    let node = Node::new();
    let daemon = node.run_daemon(free_port());
    assert!(node.home().join("identity.json").exists());
    assert_eq!(node.json(&["coalition", "list"]), serde_json::json!([]));
    assert!(daemon.stop());
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

#[test]
fn a_node_holds_no_more_connections_than_its_limit() {
    let _lock = coalesce_tests::network_lock();
    let hub = Node::init("Northside Tenants Union");
    let port = free_port();
    let hub_daemon = hub.run_daemon_with(
        &format!("/ip4/127.0.0.1/tcp/{port}"),
        &[("COALESCE_MAX_CONNECTIONS", "1")],
    );
    let hub_addr = hub.json(&["status"])["addresses"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let dialers: Vec<(Node, coalesce_tests::Daemon)> =
        ["Eastside Disability Justice", "Riverside Faith Council"]
            .into_iter()
            .map(|org| {
                let n = Node::init(org);
                let d = n.run_daemon_with(
                    &format!("/ip4/127.0.0.1/tcp/{}", free_port()),
                    &[("COALESCE_BOOTSTRAP", hub_addr.as_str())],
                );
                (n, d)
            })
            .collect();
    coalesce_tests::eventually(30, "the hub to refuse a connection", || {
        hub_daemon
            .logged("refused a connection over the limit")
            .then_some(())
    });
    let connected = || {
        let (status, body) = coalesce_tests::http_get(hub.home(), "/metrics");
        assert_eq!(status, 200);
        body.lines()
            .find_map(|l| l.strip_prefix("coalesce_peers_connected "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .expect("coalesce_peers_connected in /metrics")
    };
    // The connection that was let in may still be completing its handshake.
    coalesce_tests::eventually(30, "one peer to be connected", || {
        (connected() == 1.0).then_some(())
    });
    // The other keeps redialing and keeps being refused.
    for _ in 0..10 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(connected(), 1.0, "more connections than the limit");
    }
    drop(dialers);
    assert!(hub_daemon.stop());
}

#[test]
fn a_store_from_the_first_release_is_migrated_by_the_node_with_its_refusal_log() {
    let node = Node::init("Northside Tenants Union");
    // The store format 1 wrote (the store crate's fixture), in place of this home's.
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/store/tests/fixtures/format-1.redb"
        ),
        node.home().join("store.redb"),
    )
    .unwrap();
    let daemon = node.run_daemon(free_port());
    assert!(daemon.logged("store migrated"), "{}", daemon.log());
    assert!(node.home().join("store.redb.format-1").exists());
    // The refusals format 1 kept as one record are there, oldest first.
    let refused = node.ok(&["audit", "refused"]);
    let order: Vec<usize> = ["bad signature", "not a member", "equivocation"]
        .iter()
        .map(|r| {
            refused
                .find(r)
                .unwrap_or_else(|| panic!("{r} missing:\n{refused}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{refused}");
    // And the node works on the migrated store.
    node.ok(&["coalition", "create", "Transit Justice"]);
    assert!(daemon.stop());
    assert_eq!(
        node.json(&["coalition", "list"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn a_node_whose_core_panics_stops_with_an_error_and_keeps_what_it_stored() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    // Without the variable, the debug command is refused and the node goes on.
    let plain = node.run_daemon(free_port());
    let err = node.fails(&["debug", "panic"]);
    assert!(err.contains("COALESCE_DEBUG_PANIC"), "{err}");
    assert!(plain.stop());

    let mut daemon = node.run_daemon_with("/ip4/127.0.0.1/tcp/0", &[("COALESCE_DEBUG_PANIC", "1")]);
    let issue = node.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    let err = node.fails(&["debug", "panic"]);
    assert!(!err.is_empty());
    let status = daemon
        .wait_exit(20)
        .expect("the node exits once its core has stopped");
    assert!(!status.success(), "a stopped core is an error: {status:?}");
    coalesce_tests::eventually(5, "the node to log why it stopped", || {
        daemon.logged("the node's core stopped").then_some(())
    });
    assert!(
        !node.home().join("api.json").exists(),
        "the API file goes with the node"
    );
    // What was stored before the panic is there when the store is opened again.
    assert_eq!(
        node.json(&["issue", "list", "--coalition", &c])[0]["id"],
        issue.as_str()
    );
}

#[test]
fn a_node_lists_its_quic_addresses_beside_its_tcp_ones() {
    let node = Node::init("Northside Tenants Union");
    // Unspecified addresses report one address per interface: all of them are listed.
    let _daemon = node.run_daemon_on("/ip4/0.0.0.0/tcp/0,/ip4/0.0.0.0/udp/0/quic-v1");
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(node.home().join("addresses.json")).unwrap())
            .unwrap();
    let status = node.json(&["status"]);
    for listed in [&file["addrs"], &status["addresses"]] {
        let listed = listed.to_string();
        assert!(listed.contains("/tcp/"), "{listed}");
        assert!(
            listed.contains("/udp/") && listed.contains("/quic-v1/"),
            "{listed}"
        );
    }
}

#[test]
fn invites_name_the_announced_address_first_and_never_loopback_beside_others() {
    let _serial = coalesce_tests::network_lock();
    let node = Node::init("Northside Tenants Union");
    let announced = "/ip4/203.0.113.7/tcp/9000";
    let _daemon = node.run_daemon_with("/ip4/0.0.0.0/tcp/0", &[("COALESCE_ANNOUNCE", announced)]);
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let code = node.ok(&["invite", "create", "--coalition", &c]);
    let invite = sync::invite::Invite::decode(&code).unwrap();
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(node.home().join("addresses.json")).unwrap())
            .unwrap();
    let status = node.json(&["status"]);
    let from_file: Vec<String> = serde_json::from_value(file["addrs"].clone()).unwrap();
    let from_status: Vec<String> = serde_json::from_value(status["addresses"].clone()).unwrap();
    for listed in [&invite.addrs, &from_file, &from_status] {
        assert!(
            listed[0].starts_with(&format!("{announced}/p2p/12D3")),
            "{listed:?}"
        );
        assert!(
            !listed
                .iter()
                .any(|a| a.contains("/127.0.0.1/") || a.contains("/0.0.0.0/")),
            "{listed:?}"
        );
    }
    // A node elsewhere on the network joins at the machine's own address (this machine, as
    // CI's, has one besides loopback), the announced one (a documentation address no one
    // answers at) notwithstanding.
    assert!(
        invite.addrs.len() > 1,
        "the machine's own address too: {:?}",
        invite.addrs
    );
    let joiner = Node::init("Eastside Disability Justice");
    let _joining = joiner.run_daemon(free_port());
    assert_eq!(joiner.ok(&["join", &code, "--wait", "30"]), c);
}

#[test]
fn a_second_node_on_a_port_in_use_is_refused_with_a_clear_message() {
    let first = Node::init("Northside Tenants Union");
    let port = free_port();
    let _daemon = first.run_daemon(port);
    let second = Node::init("Eastside Disability Justice");
    for listen in [
        format!("/ip4/127.0.0.1/tcp/{port}"),
        format!("/ip4/0.0.0.0/tcp/{port}"),
    ] {
        let out = second
            .node_command(&["--listen", &listen, "--api", "127.0.0.1:0", "--no-mdns"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{err}");
        assert!(
            err.contains(&format!("TCP port {port} is already in use")),
            "{err}"
        );
    }
    // The first node is untouched.
    first.ok(&["status"]);
}

#[test]
fn a_home_and_its_store_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = dir.path().join("north");
    let coalesce = |args: &[&str]| {
        let out = std::process::Command::new(bin("coalesce"))
            .arg("--home")
            .arg(&home)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    coalesce(&["init", "--org", "Northside Tenants Union"]);
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("store.redb")), 0o600);
    assert_eq!(mode(&home.join("identity.json")), 0o600);
    // A home made before the rule is tightened when next opened.
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        home.join("store.redb"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    coalesce(&["coalition", "list"]);
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("store.redb")), 0o600);
}

#[test]
fn a_flag_overrides_the_environment_and_a_bad_variable_is_named() {
    let node = Node::init("Northside Tenants Union");
    let run = |env: (&str, &str), args: &[&str]| {
        node.node_command(args).env(env.0, env.1).output().unwrap()
    };
    let out = run(("COALESCE_MDNS", "true"), &["--no-mdns", "--check-config"]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("mdns = false"), "{shown}");
    let out = run(("COALESCE_MAX_CONNECTIONS", "abc"), &["--check-config"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("in the environment variable COALESCE_MAX_CONNECTIONS"),
        "{err}"
    );
    // Typed as a flag, the flag is named.
    let out = run(
        ("COALESCE_LOG", "warn"),
        &["--max-connections", "abc", "--check-config"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("for '--max-connections"), "{err}");
}

#[test]
fn a_node_started_without_a_name_is_named_and_renamed_later() {
    let node = Node::new();
    let mut daemon = node.run_daemon(free_port());
    assert!(daemon.logged("rename"), "{}", daemon.log());
    // `init --org` on the unnamed node names it, while it runs, and prints its id; the
    // running node founds coalitions under the new name without a restart.
    let id = node.ok(&["init", "--org", "Northside Tenants Union"]);
    let org = |node: &Node| node.json(&["status"])["org"].clone();
    assert_eq!(org(&node), "Northside Tenants Union");
    assert_eq!(node.json(&["status"])["node"], id.trim());
    let founder = |node: &Node, name: &str| {
        let c = node.ok(&["coalition", "create", name]);
        let members = node.json(&["member", "list", "--coalition", c.trim()]);
        members[0]["name"].clone()
    };
    assert_eq!(founder(&node, "Transit"), "Northside Tenants Union");
    node.ok(&["rename", "Northside Tenants"]);
    assert_eq!(founder(&node, "Housing"), "Northside Tenants");
    assert!(daemon.stop());
    node.ok(&["rename", "Northside Tenants Union"]);
    // Named once, `init` refuses; `rename` renames, keeping the key.
    let id = node.json(&["status"])["node"].clone();
    assert!(
        node.fails(&["init", "--org", "Other"])
            .contains("already set up")
    );
    node.ok(&["rename", "Northside Tenants"]);
    assert_eq!(org(&node), "Northside Tenants");
    assert_eq!(node.json(&["status"])["node"], id);
    assert!(node.fails(&["rename", "  "]).contains("organization name"));
    daemon = node.run_daemon(free_port());
    assert_eq!(org(&node), "Northside Tenants");
    assert!(daemon.stop());
}

/// The node's log is coloured on a terminal only: written to a file, a pipe or journald it
/// carries no escape codes (the harness's `NO_COLOR` is taken away for both runs, so that
/// only the terminal decides).
#[test]
fn node_logs_are_coloured_on_a_terminal_only() {
    let node = Node::new();
    node.ok(&["init", "--org", "Northside Tenants Union"]);
    let home = node.home().display().to_string();
    let flags = [
        "--listen",
        "/ip4/127.0.0.1/tcp/0",
        "--api",
        "127.0.0.1:0",
        "--no-mdns",
    ];
    // To a file.
    let path = node.home().with_extension("log");
    let file = std::fs::File::create(&path).unwrap();
    let mut child = node
        .node_command(&flags)
        .env_remove("NO_COLOR")
        .env("COALESCE_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(file)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let logged = loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains("node running") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(logged.contains("INFO"), "{logged}");
    assert!(
        !logged.contains('\u{1b}'),
        "escape codes in a file: {logged:?}"
    );
    // On a terminal (`script` gives it one), for ten seconds.
    let cmd = format!(
        "timeout -s INT 10 {} --home {home} {}",
        bin("coalesce-node").display(),
        flags.join(" ")
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("COALESCE_LOG", "info")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) gives the node a terminal");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("INFO"), "{shown}");
    assert!(
        shown.contains('\u{1b}'),
        "no colour on a terminal: {shown:?}"
    );
}

/// The environment of process `pid`, one `NAME=VALUE` each.
fn environment(pid: u32) -> Vec<String> {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/environ")) else {
        panic!("no environment for process {pid}");
    };
    raw.split(|b| *b == 0)
        .filter(|v| !v.is_empty())
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

/// A node started without glibc's tunables for keeping freed memory runs itself again with
/// them, in the same process, and serves as ever; one started with either set keeps what it
/// was given.
#[test]
fn a_node_keeps_freed_memory_unless_told_otherwise() {
    let node = Node::init("Northside Tenants Union");
    let daemon = node.run_daemon(free_port());
    let env = environment(daemon.pid());
    // (glibc 2.36 cuts the variable at its first `:` where the kernel shows it, as it reads
    // it; later ones leave it whole: the start holds either way.)
    assert!(
        env.iter()
            .any(|v| v.starts_with("GLIBC_TUNABLES=glibc.malloc.trim_threshold=68719476736")),
        "{env:?}"
    );
    assert!(env.iter().any(|v| v == "COALESCE_HEAP_KEPT=1"), "{env:?}");
    assert!(daemon.logged("the heap keeps the memory it frees"));
    // Named as its program still, not after the path it ran itself again through.
    let name = std::fs::read_to_string(format!("/proc/{}/comm", daemon.pid())).unwrap_or_default();
    assert_eq!(name.trim(), "coalesce-node");
    assert!(node.succeeds(&["status"]));
    assert!(daemon.stop());

    let listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());
    let given = "glibc.malloc.trim_threshold=134217728";
    let daemon = node.run_daemon_with(&listen, &[("GLIBC_TUNABLES", given)]);
    let env = environment(daemon.pid());
    assert!(
        env.iter().any(|v| *v == format!("GLIBC_TUNABLES={given}")),
        "{env:?}"
    );
    assert!(
        !env.iter().any(|v| v.starts_with("COALESCE_HEAP_KEPT")),
        "{env:?}"
    );
    assert!(daemon.stop());

    // The marker alone (inherited, or set by hand) neither restarts the node nor claims the
    // memory is kept.
    let listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());
    let daemon = node.run_daemon_with(&listen, &[("COALESCE_HEAP_KEPT", "1")]);
    assert!(!daemon.logged("the heap keeps the memory it frees"));
    let env = environment(daemon.pid());
    assert!(
        !env.iter().any(|v| v.starts_with("GLIBC_TUNABLES")),
        "{env:?}"
    );
    assert!(daemon.stop());

    // glibc's older variable for the same is an operator's choice too.
    let listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());
    let daemon = node.run_daemon_with(&listen, &[("MALLOC_TRIM_THRESHOLD_", "134217728")]);
    let env = environment(daemon.pid());
    assert!(
        !env.iter().any(|v| v.starts_with("COALESCE_HEAP_KEPT")),
        "{env:?}"
    );
    assert!(daemon.stop());
}
