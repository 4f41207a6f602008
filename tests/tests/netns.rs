//! Separate hosts on one machine: network namespaces joined by veth pairs and bridges, with
//! routers doing NAT, and real node processes in them. Needs root, iproute2 and iptables,
//! which CI has.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::path::Path;
use std::process::{Child, Command, Stdio};

use coalesce_tests::{Node, bin, eventually};

/// A network namespace, deleted when dropped.
pub(crate) struct Ns(pub(crate) String);

impl Ns {
    /// A new namespace named `name`, with its loopback up.
    pub(crate) fn new(name: String) -> Self {
        // One left over from a run that was killed would be in the way.
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        ip(&["netns", "add", &name]);
        let ns = Self(name);
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// `ip ARGS` inside the namespace.
    pub(crate) fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", &self.0];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// A command run inside the namespace, which must succeed.
    pub(crate) fn exec(&self, program: &str, args: &[&str]) {
        let status = Command::new("ip")
            .args(["netns", "exec", &self.0, program])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("{program} is needed for the network tests: {e}"));
        assert!(
            status.success(),
            "`{program} {}` failed in {}",
            args.join(" "),
            self.0
        );
    }
}

/// `ip ARGS`, which must succeed.
pub(crate) fn ip(args: &[&str]) {
    let status = Command::new("ip")
        .args(args)
        .status()
        .expect("iproute2's `ip` is needed for the network tests");
    assert!(
        status.success(),
        "`ip {}` failed (the network tests need root to create network namespaces)",
        args.join(" ")
    );
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// A veth pair: `a_dev` in `a`, `b_dev` in `b`, both up (made under names of its own, so
/// that names like `eth0` may be taken in this machine's namespace).
pub(crate) fn link(a: &Ns, a_dev: &str, b: &Ns, b_dev: &str) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let tag = std::process::id() % 100_000;
    let (ta, tb) = (format!("cx{tag}a{n}"), format!("cx{tag}b{n}"));
    ip(&["link", "add", &ta, "type", "veth", "peer", "name", &tb]);
    ip(&["link", "set", &ta, "netns", &a.0, "name", a_dev]);
    ip(&["link", "set", &tb, "netns", &b.0, "name", b_dev]);
    a.ip(&["link", "set", a_dev, "up"]);
    b.ip(&["link", "set", b_dev, "up"]);
}

/// `program` run inside `ns`.
pub(crate) fn in_ns(ns: &Ns, program: &Path) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &ns.0])
        .arg(program)
        .stdin(Stdio::null());
    c
}

/// `coalesce --home HOME ARGS` inside `ns`, which must succeed; its output.
pub(crate) fn run(ns: &Ns, home: &Path, args: &[&str]) -> String {
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

/// An example program of the workspace (`cargo test --workspace` builds them), as
/// `target/<profile>/examples/NAME`.
pub(crate) fn example(name: &str) -> std::path::PathBuf {
    let coalesce = bin("coalesce");
    let path = coalesce
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (or `cargo build --workspace --examples` first)",
        path.display()
    );
    path
}

/// `coalesce status --json` inside `ns`.
pub(crate) fn status(ns: &Ns, node: &Node) -> serde_json::Value {
    serde_json::from_str(&run(ns, node.home(), &["status", "--json"])).unwrap()
}

/// A node process, stopped with SIGTERM when dropped.
pub(crate) struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// Starts `node` inside `ns`, listening on TCP port `port` on every interface, with `more`
/// arguments; waits for its API. Its log goes to `node.log` in its home.
pub(crate) fn start(ns: &Ns, node: &Node, port: u16, more: &[&str]) -> Daemon {
    let _ = std::fs::remove_file(node.home().join("api.json"));
    let log = std::fs::File::create(node.home().join("node.log")).unwrap();
    let child = in_ns(ns, &bin("coalesce-node"))
        .arg("--home")
        .arg(node.home())
        .arg("--listen")
        .arg(format!("/ip4/0.0.0.0/tcp/{port}"))
        .args(["--api", "127.0.0.1:0"])
        .args(more)
        .env("COALESCE_LOG", "info,net=debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    eventually(30, "the node to serve its API", || {
        node.home().join("api.json").exists().then_some(())
    });
    Daemon(child)
}
