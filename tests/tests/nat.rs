//! Organizations behind NAT routers, reaching each other across a simulated internet: each
//! node runs in its own network namespace; two sit behind Linux routers doing NAT (iptables
//! masquerade, dropping what nobody inside asked for, as home and office routers do; with
//! `--random-fully`, a new port per connection: a symmetric NAT), the third has a public
//! address on the "internet" bridge. The two behind NAT cannot dial each other: they find out
//! they are private (AutoNAT), reserve a slot on the public member's relay, tell the members
//! their relayed address, reach each other through it, and punch a hole for a direct
//! connection where the NATs allow it (DCUtR). One router's uplink loses 1 % of packets and is
//! rate-limited (tbf): this kernel has no `netem` for delays.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::Node;

use crate::netns::{Daemon, Ns, example, in_ns, link, run, start, status};

/// The public member's address on the internet.
const PUBLIC: &str = "198.51.100.3";

/// The internet (a bridge), the public member's host, and two hosts each behind its router.
struct World {
    _inet: Ns,
    public: Ns,
    _routers: Vec<Ns>,
    hosts: Vec<Ns>,
}

fn world(symmetric: bool) -> World {
    let tag = std::process::id() % 10_000;
    let inet = Ns::new(format!("cn-inet-{tag}"));
    inet.ip(&["link", "add", "br0", "type", "bridge"]);
    inet.ip(&["link", "set", "br0", "up"]);
    let public = Ns::new(format!("cn-pub-{tag}"));
    let port = format!("cnp{tag}");
    link(&public, "eth0", &inet, &port);
    inet.ip(&["link", "set", &port, "master", "br0"]);
    public.ip(&["addr", "add", &format!("{PUBLIC}/24"), "dev", "eth0"]);
    let mut routers = Vec::new();
    let mut hosts = Vec::new();
    for i in 1..=2u8 {
        let router = Ns::new(format!("cn-r{i}-{tag}"));
        let port = format!("cnr{i}{tag}");
        link(&router, "wan", &inet, &port);
        inet.ip(&["link", "set", &port, "master", "br0"]);
        router.ip(&["addr", "add", &format!("198.51.100.{i}/24"), "dev", "wan"]);
        let host = Ns::new(format!("cn-h{i}-{tag}"));
        link(&host, "eth0", &router, "lan");
        router.ip(&["addr", "add", &format!("10.{i}.0.1/24"), "dev", "lan"]);
        host.ip(&["addr", "add", &format!("10.{i}.0.2/24"), "dev", "eth0"]);
        host.ip(&["route", "add", "default", "via", &format!("10.{i}.0.1")]);
        router.exec("sysctl", &["-qw", "net.ipv4.ip_forward=1"]);
        let mut nat = vec![
            "-t",
            "nat",
            "-A",
            "POSTROUTING",
            "-o",
            "wan",
            "-j",
            "MASQUERADE",
        ];
        if symmetric {
            nat.push("--random-fully");
        }
        router.exec("iptables", &nat);
        // Nothing from outside reaches the router or the host unless someone inside asked
        // for it (no reset either, as home routers do).
        for chain in ["INPUT", "FORWARD"] {
            router.exec(
                "iptables",
                &[
                    "-A",
                    chain,
                    "-i",
                    "wan",
                    "-m",
                    "conntrack",
                    "--ctstate",
                    "NEW,INVALID",
                    "-j",
                    "DROP",
                ],
            );
        }
        if i == 1 {
            router.exec(
                "iptables",
                &[
                    "-A",
                    "FORWARD",
                    "-m",
                    "statistic",
                    "--mode",
                    "random",
                    "--probability",
                    "0.01",
                    "-j",
                    "DROP",
                ],
            );
            router.exec(
                "tc",
                &[
                    "qdisc", "add", "dev", "wan", "root", "tbf", "rate", "20mbit", "burst",
                    "64kbit", "latency", "50ms",
                ],
            );
        }
        routers.push(router);
        hosts.push(host);
    }
    World {
        _inet: inet,
        public,
        _routers: routers,
        hosts,
    }
}

/// Both QUIC and TCP on port `port`, no mDNS.
fn args(port: u16) -> Vec<String> {
    vec![
        "--listen".into(),
        format!("/ip4/0.0.0.0/udp/{port}/quic-v1"),
        "--no-mdns".into(),
    ]
}

fn start_in(ns: &Ns, node: &Node, port: u16, more: &[String]) -> Daemon {
    let more: Vec<&str> = more.iter().map(String::as_str).collect();
    start(ns, node, port, &more)
}

/// Waits up to `secs` for `check`; on a timeout, prints the nodes' logs' ends and fails.
fn wait<T>(secs: u64, what: &str, nodes: &[&Node], mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        if std::time::Instant::now() >= deadline {
            let mut logs = String::new();
            for n in nodes {
                let log = std::fs::read_to_string(n.home().join("node.log")).unwrap_or_default();
                logs += &format!("--- {}, about reaching:\n", n.home().display());
                for l in log
                    .lines()
                    .filter(|l| l.contains("reach") || l.contains("relay") || l.contains("punch"))
                    .take(40)
                {
                    logs += &format!("{l}\n");
                }
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                logs += &format!("--- {}:\n", n.home().display());
                for l in tail.into_iter().rev() {
                    logs += &format!("{l}\n");
                }
            }
            panic!("timed out after {secs} s waiting for {what}\n{logs}");
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// How `ns`'s `node` is connected to the member node `other`: its status row.
fn row(ns: &Ns, node: &Node, other: &str) -> Option<serde_json::Value> {
    let v = status(ns, node);
    v["coalitions"][0]["member_nodes"]
        .as_array()?
        .iter()
        .find(|n| n["node"] == other)
        .cloned()
}

fn reachability(ns: &Ns, node: &Node) -> String {
    status(ns, node)["reachability"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// The public member founds a coalition and invites the two behind NAT, who join through its
/// public address; all three find out how reachable they are.
fn coalition(w: &World, nodes: [&Node; 3]) -> (String, Vec<String>) {
    let [p, a, b] = nodes;
    let c = run(
        &w.public,
        p.home(),
        &["coalition", "create", "Housing Justice"],
    );
    for (host, node) in w.hosts.iter().zip([a, b]) {
        let code = run(
            &w.public,
            p.home(),
            &["invite", "create", "--coalition", &c],
        );
        assert!(code.len() > 10);
        let invite = sync::invite::Invite::decode(&code).unwrap();
        assert!(
            invite.addrs.first().is_some_and(|a| a.contains(PUBLIC)),
            "the invite names the announced address first: {:?}",
            invite.addrs
        );
        assert_eq!(run(host, node.home(), &["join", &code, "--wait", "90"]), c);
    }
    let ids: Vec<String> = [(&w.public, p), (&w.hosts[0], a), (&w.hosts[1], b)]
        .iter()
        .map(|(ns, n)| status(ns, n)["node"].as_str().unwrap().to_owned())
        .collect();
    wait(90, "the public node to be confirmed public", &nodes, || {
        (reachability(&w.public, p) == "public").then_some(())
    });
    for (host, node) in w.hosts.iter().zip([a, b]) {
        wait(
            90,
            "a node behind NAT to find it is private",
            &nodes,
            || (reachability(host, node) == "private").then_some(()),
        );
    }
    let s = status(&w.public, p);
    assert_eq!(s["relaying"], true, "{s}");
    // Behind NAT, nodes relay for nobody (a relayed address is not one of their own).
    for (host, node) in w.hosts.iter().zip([a, b]) {
        let s = status(host, node);
        assert_eq!(s["relaying"], false, "{s}");
        assert!(
            s["external_addresses"].as_array().unwrap().is_empty(),
            "{s}"
        );
    }
    assert!(
        s["external_addresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().contains(PUBLIC)),
        "{s}"
    );
    (c, ids)
}

/// A node behind the first NAT that is no member's (a fresh key) asks the public member's
/// relay for a slot, and is refused: the relay serves member nodes only.
fn an_outsider_is_refused_a_relay_slot(w: &World, p: &Node) {
    let key: model::NodeKey = status(&w.public, p)["node"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let id = net::swarm::peer_id(&key).unwrap();
    let relay = format!("/ip4/{PUBLIC}/tcp/7421/p2p/{id}");
    let out = in_ns(&w.hosts[0], &example("relay_probe"))
        .arg(&relay)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("refused") && said.contains("ResourceLimitExceeded"),
        "an outsider was not refused a relay slot: {said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_organizations_behind_nat_reach_each_other_through_a_members_relay_then_directly() {
    let _serial = coalesce_tests::network_lock();
    let w = world(false);
    let (p, a, b) = (
        Node::init("Statewide Housing Alliance"),
        Node::init("Eastside Tenants Union"),
        Node::init("Westside Faith Coalition"),
    );
    let mut public_args = args(7421);
    public_args.extend(["--announce".into(), format!("/ip4/{PUBLIC}/tcp/7421")]);
    let _dp = start_in(&w.public, &p, 7421, &public_args);
    let mut da = start_in(&w.hosts[0], &a, 7421, &args(7421));
    let _db = start_in(&w.hosts[1], &b, 7421, &args(7421));
    let all = [&p, &a, &b];
    let (c, ids) = coalition(&w, all);
    let (id_a, id_b) = (&ids[1], &ids[2]);
    an_outsider_is_refused_a_relay_slot(&w, &p);

    // Each behind-NAT node holds a relay slot on the public member and names it.
    for (host, node) in w.hosts.iter().zip([&a, &b]) {
        wait(60, "a relayed address", &all, || {
            status(host, node)["addresses"]
                .as_array()?
                .iter()
                .any(|x| x.as_str().is_some_and(|x| x.contains("/p2p-circuit/")))
                .then_some(())
        });
    }
    // They reach each other (through the relay first), and end up connected directly: the
    // path of the connection, not only that data arrived.
    let direct = |ns: &Ns, node: &Node, other: &str| {
        let r = row(ns, node, other)?;
        (r["path"] == "direct").then_some(r)
    };
    wait(
        120,
        "A and B to connect directly after a hole punch",
        &all,
        || direct(&w.hosts[1], &b, id_a),
    );
    wait(30, "A to see B directly too", &all, || {
        direct(&w.hosts[0], &a, id_b)
    });
    // Directly because a hole was punched (the routers drop whatever nobody inside asked
    // for, so a plain dial cannot get through).
    let punched = [&a, &b].iter().any(|n| {
        std::fs::read_to_string(n.home().join("node.log"))
            .unwrap_or_default()
            .contains("hole punched: connected directly")
    });
    assert!(punched, "no hole punch was logged");
    run(
        &w.hosts[0],
        a.home(),
        &[
            "issue",
            "add",
            "--coalition",
            &c,
            "Rent strike support fund",
        ],
    );
    wait(30, "the issue to reach B", &all, || {
        run(&w.hosts[1], b.home(), &["issue", "list", "--coalition", &c])
            .contains("Rent strike support fund")
            .then_some(())
    });
    let text = run(&w.hosts[1], b.home(), &["status"]);
    assert!(
        text.contains("Reachable from outside its network: no"),
        "{text}"
    );
    let text = run(&w.public, p.home(), &["status"]);
    assert!(text.contains("Relaying for member nodes"), "{text}");

    // A restarts on another port (a new external port at its router): the others find it
    // again, at its new relayed address.
    drop(da);
    wait(60, "B to see A gone", &all, || {
        (row(&w.hosts[1], &b, id_a)?["connected"] == false).then_some(())
    });
    da = start_in(&w.hosts[0], &a, 7431, &args(7431));
    wait(120, "B to reach A again after A moved", &all, || {
        let r = row(&w.hosts[1], &b, id_a)?;
        (r["connected"] == true).then_some(())
    });
    run(
        &w.hosts[0],
        a.home(),
        &["issue", "add", "--coalition", &c, "After the move"],
    );
    wait(30, "A's issue after the move to reach B", &all, || {
        run(&w.hosts[1], b.home(), &["issue", "list", "--coalition", &c])
            .contains("After the move")
            .then_some(())
    });
    drop(da);
}

#[test]
fn behind_symmetric_nats_members_stay_connected_through_the_relay() {
    let _serial = coalesce_tests::network_lock();
    let w = world(true);
    let (p, a, b) = (
        Node::init("National Disability Network"),
        Node::init("Northside Parents"),
        Node::init("Southside Workers Center"),
    );
    let mut public_args = args(7421);
    public_args.extend(["--announce".into(), format!("/ip4/{PUBLIC}/tcp/7421")]);
    let _dp = start_in(&w.public, &p, 7421, &public_args);
    let _da = start_in(&w.hosts[0], &a, 7421, &args(7421));
    let _db = start_in(&w.hosts[1], &b, 7421, &args(7421));
    let all = [&p, &a, &b];
    let (c, ids) = coalition(&w, all);
    let (id_p, id_a) = (&ids[0], &ids[1]);
    let relayed = wait(120, "B to reach A through the relay", &all, || {
        let r = row(&w.hosts[1], &b, id_a)?;
        (r["path"] == "relayed").then_some(r)
    });
    assert_eq!(relayed["via"], id_p.as_str(), "{relayed}");
    let text = run(&w.hosts[1], b.home(), &["status"]);
    assert!(text.contains("relayed (via"), "{text}");
    run(
        &w.hosts[1],
        b.home(),
        &["issue", "add", "--coalition", &c, "Bus stop access audit"],
    );
    wait(30, "the issue to reach A", &all, || {
        run(&w.hosts[0], a.home(), &["issue", "list", "--coalition", &c])
            .contains("Bus stop access audit")
            .then_some(())
    });
    // No hole through symmetric NATs: still relayed a while later.
    std::thread::sleep(std::time::Duration::from_secs(10));
    let r = row(&w.hosts[1], &b, id_a).unwrap();
    assert_eq!(r["path"], "relayed", "{r}");
}
