//! Two organizations on a LAN with no other route between them: each node runs in its own
//! network namespace joined by a veth pair, so the only way to find the other is mDNS (the
//! invite is stripped of the inviter's addresses before it is used). Until they
//! share a coalition, the two are strangers: disconnected once they greeted, and not redialed.
//! Needs root and iproute2, which CI has.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Node, eventually};

use crate::netns::{Ns, ip, run, start};

#[test]
fn nodes_on_a_lan_find_each_other_by_mdns_and_join() {
    let _serial = coalesce_tests::network_lock();
    let tag = std::process::id() % 100_000;
    let (na, nb) = (
        Ns::new(format!("coal-a-{tag}")),
        Ns::new(format!("coal-b-{tag}")),
    );
    let (va, vb) = (format!("cva{tag}"), format!("cvb{tag}"));
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
        ns.ip(&["link", "set", dev, "up"]);
    }

    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let _da = start(&na, &a, 7421, &[]);
    let _db = start(&nb, &b, 7421, &[]);
    let status = crate::netns::status;
    let id_b = status(&nb, &b)["node"].as_str().unwrap().to_owned();
    let id_a = status(&na, &a)["node"].as_str().unwrap().to_owned();

    // Before they share a coalition the two nodes are strangers: each shows the other
    // among its other nodes, connected while they greet, then disconnected for good.
    let judged = |ns: &Ns, node: &Node, other: &str| {
        let v = status(ns, node);
        let o = v["other_nodes"]
            .as_array()?
            .iter()
            .find(|o| o["node"] == other)?
            .clone();
        (o["connected"] == false && o["disconnected_at"].is_string()).then_some(o)
    };
    let seen = eventually(
        40,
        "A to find B by mDNS and let it go as a stranger",
        || judged(&na, &a, &id_b),
    );
    assert!(
        seen["address"]
            .as_str()
            .is_some_and(|a| a.contains("10.231.")),
        "{seen}"
    );
    eventually(20, "B to let A go as a stranger", || judged(&nb, &b, &id_a));
    assert!(
        run(&na, a.home(), &["status"]).contains("Other nodes"),
        "status names them in words too"
    );
    // Neither redials the other (a redial would come within a second or two).
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(judged(&na, &a, &id_b).is_some() && judged(&nb, &b, &id_a).is_some());

    // Joining through a node let go as a stranger works at once: the joiner dials it again
    // where the LAN announced it (the invite, which would name the inviter's address on the
    // LAN, is given no address at all).
    let c = run(&na, a.home(), &["coalition", "create", "Transit Justice"]);
    let code = run(&na, a.home(), &["invite", "create", "--coalition", &c]);
    let mut invite = sync::invite::Invite::decode(&code).unwrap();
    invite.addrs.clear();
    let code = invite.encode();
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
    // Members now: no longer among the other nodes, and still connected past the grace.
    std::thread::sleep(std::time::Duration::from_secs(12));
    let v = status(&na, &a);
    assert!(
        !v["other_nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["node"] == id_b.as_str()),
        "{v}"
    );
    assert_eq!(
        v["coalitions"][0]["member_nodes"][0]["connected"], true,
        "{v}"
    );
}
