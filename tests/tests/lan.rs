//! Two organizations on a LAN with no other route between them: each node runs in its own
//! network namespace joined by a veth pair, so the only way to find the other is mDNS (the
//! invite's addresses are the inviter's loopback, unreachable from the other host). Needs root
//! and iproute2, which CI has.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use coalesce_tests::{Node, bin, eventually};

/// A network namespace, deleted when dropped.
struct Ns(String);

fn ip(args: &[&str]) {
    let status = Command::new("ip")
        .args(args)
        .status()
        .expect("iproute2's `ip` is needed for the LAN test");
    assert!(
        status.success(),
        "`ip {}` failed (the LAN test needs root to create network namespaces)",
        args.join(" ")
    );
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn in_ns(ns: &Ns, program: &Path) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &ns.0])
        .arg(program)
        .stdin(Stdio::null());
    c
}

fn run(ns: &Ns, home: &Path, args: &[&str]) -> String {
    let out = in_ns(ns, &bin("coalesce"))
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "coalesce {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn start(ns: &Ns, node: &Node) -> Daemon {
    let child = in_ns(ns, &bin("coalesce-node"))
        .arg("--home")
        .arg(node.home())
        .args(["--listen", "/ip4/0.0.0.0/tcp/7421", "--api", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually(30, "the node to serve its API", || {
        node.home().join("api.json").exists().then_some(())
    });
    Daemon(child)
}

#[test]
fn nodes_on_a_lan_find_each_other_by_mdns_and_join() {
    let _serial = coalesce_tests::network_lock();
    let tag = std::process::id() % 100_000;
    let (na, nb) = (Ns(format!("coal-a-{tag}")), Ns(format!("coal-b-{tag}")));
    let (va, vb) = (format!("cva{tag}"), format!("cvb{tag}"));
    ip(&["netns", "add", &na.0]);
    ip(&["netns", "add", &nb.0]);
    ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb]);
    ip(&["link", "set", &va, "netns", &na.0]);
    ip(&["link", "set", &vb, "netns", &nb.0]);
    let octet = (tag % 250 + 1).to_string();
    ip(&[
        "-n",
        &na.0,
        "addr",
        "add",
        &format!("10.231.{octet}.1/24"),
        "dev",
        &va,
    ]);
    ip(&[
        "-n",
        &nb.0,
        "addr",
        "add",
        &format!("10.231.{octet}.2/24"),
        "dev",
        &vb,
    ]);
    for (ns, dev) in [(&na, &va), (&nb, &vb)] {
        ip(&["-n", &ns.0, "link", "set", "lo", "up"]);
        ip(&["-n", &ns.0, "link", "set", dev, "up"]);
    }

    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let _da = start(&na, &a);
    let _db = start(&nb, &b);
    let c = run(&na, a.home(), &["coalition", "create", "Transit Justice"]);
    let code = run(&na, a.home(), &["invite", "create", "--coalition", &c]);
    assert_eq!(run(&nb, b.home(), &["join", &code, "--wait", "60"]), c);
    run(
        &nb,
        b.home(),
        &["issue", "add", "--coalition", &c, "Raised across the LAN"],
    );
    eventually(20, "the issue to reach the other host", || {
        run(&na, a.home(), &["issue", "list", "--coalition", &c])
            .contains("Raised across the LAN")
            .then_some(())
    });
}
