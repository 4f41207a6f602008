//! Member nodes as real `coalesce-node` processes on loopback: joining by invite, live
//! propagation, catching up after downtime, merging edits made while apart, and outsiders.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod joining;
mod merging;
mod peer_set;
mod staying_in_sync;

use coalesce_tests::{Daemon, Node, eventually, free_port};

pub(crate) struct Org {
    pub(crate) node: Node,
    port: u16,
    daemon: Option<Daemon>,
    /// Extra environment its daemon runs with.
    env: Vec<(String, String)>,
}

impl Org {
    pub(crate) fn new(name: &str) -> Self {
        Self::with_env(name, &[])
    }

    /// An organization whose daemon runs with the extra environment `env`.
    pub(crate) fn with_env(name: &str, env: &[(&str, &str)]) -> Self {
        let node = Node::init(name);
        let port = free_port();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut org = Org {
            node,
            port,
            daemon: None,
            env,
        };
        org.start();
        org
    }

    /// The port its daemon listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn stop(&mut self) {
        let d = self.daemon.take().expect("running");
        assert!(d.stop(), "a clean shutdown");
    }

    fn start(&mut self) {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.daemon = Some(
            self.node
                .run_daemon_with(&format!("/ip4/127.0.0.1/tcp/{}", self.port), &env),
        );
    }

    fn issues(&self, c: &str) -> serde_json::Value {
        self.node.json(&["issue", "list", "--coalition", c])
    }
}

/// Three organizations: the first founds a coalition and invites the other two.
pub(crate) fn coalition_of_three() -> (Vec<Org>, String) {
    coalition_of(vec![
        Org::new("Northside Tenants Union"),
        Org::new("Eastside Disability Justice"),
        Org::new("Faith in Transit"),
    ])
}

/// The first of `orgs` founds a coalition and invites the others, one after the other; once
/// every node knows every member, returns them and the coalition's id.
pub(crate) fn coalition_of(orgs: Vec<Org>) -> (Vec<Org>, String) {
    let c = orgs[0].node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses",
    ]);
    for org in &orgs[1..] {
        let code = orgs[0]
            .node
            .ok(&["invite", "create", "--coalition", &c, "--expires", "1h"]);
        assert!(code.starts_with("coalesce-invite-1:"), "{code}");
        let joined = org.node.ok(&["join", &code, "--wait", "60"]);
        assert_eq!(joined, c, "join prints the coalition id alone");
    }
    for org in &orgs {
        eventually(60, "every node to know every member", || {
            (org.node
                .json(&["member", "list", "--coalition", &c])
                .as_array()?
                .len()
                == orgs.len())
            .then_some(())
        });
    }
    (orgs, c)
}

/// The hashes of the changes a node holds of coalition `c`, read from its store.
fn changes_held(node: &Node, c: &str) -> std::collections::BTreeSet<String> {
    node.json(&["history", "--coalition", c])
        .as_array()
        .expect("history lists changes")
        .iter()
        .map(|e| e["change"].as_str().expect("a change hash").to_owned())
        .collect()
}

/// What `status` on `org` says of each other member node: (node id, connected, behind,
/// last sync).
fn member_nodes(org: &Org) -> Vec<(String, bool, serde_json::Value, serde_json::Value)> {
    org.node.json(&["status"])["coalitions"][0]["member_nodes"]
        .as_array()
        .expect("member nodes")
        .iter()
        .map(|n| {
            (
                n["node"].as_str().unwrap_or_default().to_owned(),
                n["connected"] == true,
                n["behind"].clone(),
                n["last_sync"].clone(),
            )
        })
        .collect()
}
