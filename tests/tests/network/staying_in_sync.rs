//! Staying in sync: status figures, the founding node stopped, catching up after downtime,
//! QUIC alone, a bootstrap peer kept.

use coalesce_tests::{Node, eventually, free_port};

use super::{changes_held, coalition_of_three, member_nodes};

#[test]
fn status_figures_match_the_stores_and_last_sync_survives_a_restart() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    let ids: Vec<String> = orgs
        .iter()
        .map(|o| {
            o.node.json(&["status"])["node"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // The last two joined by snapshot. Nobody writes: every node's `behind` for every other
    // is what its store holds that the other's lacks, which is nothing.
    let stores: Vec<_> = orgs.iter().map(|o| changes_held(&o.node, &c)).collect();
    assert!(stores.iter().all(|s| *s == stores[0]), "the stores agree");
    // (A node not connected to another says `null`: it does not know.)
    for (i, org) in orgs.iter().enumerate() {
        eventually(20, "status to count what the stores hold", || {
            let nodes = member_nodes(org);
            (nodes.len() == 2
                && nodes.iter().any(|(_, connected, _, _)| *connected)
                && nodes.iter().all(|(node, connected, behind, last)| {
                    let j = ids.iter().position(|k| k == node).expect("a member node");
                    let lacks = stores[i].difference(&stores[j]).count();
                    if *connected {
                        *behind == serde_json::json!(lacks) && !last.is_null()
                    } else {
                        behind.is_null()
                    }
                }))
            .then_some(())
        });
    }
    // A push moves "last sync" on the node that pushed.
    let before = member_nodes(&orgs[0]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    orgs[0]
        .node
        .ok(&["issue", "add", "--coalition", &c, "Night buses"]);
    eventually(20, "last sync to move after a push", || {
        let now = member_nodes(&orgs[0]);
        now.iter()
            .all(|(node, _, behind, last)| {
                let (_, _, _, was) = before.iter().find(|(n, ..)| n == node).expect("known");
                last != was && *behind == 0
            })
            .then_some(())
    });
    // Stopped, the node still says when it last synced with each; not `-`.
    orgs[0].stop();
    let status = orgs[0].node.json(&["status"]);
    assert_eq!(status["running"], false);
    let stopped = member_nodes(&orgs[0]);
    assert_eq!(stopped.len(), 2);
    assert!(
        stopped.iter().all(|(.., last)| last.is_string()),
        "{status}"
    );
    // Restarted with both other members down (so nothing syncs again), the running node says
    // the same times, and does not claim to know how far behind they are.
    orgs[1].stop();
    orgs[2].stop();
    orgs[0].start();
    let restarted = member_nodes(&orgs[0]);
    assert_eq!(restarted.len(), 2);
    for (node, connected, behind, last) in &restarted {
        let (.., was) = stopped.iter().find(|(n, ..)| n == node).expect("known");
        assert!(!connected && behind.is_null(), "{restarted:?}");
        assert_eq!(last, was, "last sync kept across the restart");
    }
}

#[test]
fn members_keep_syncing_with_the_founding_node_stopped() {
    let _serial = coalesce_tests::network_lock();
    // Both joiners were given only the founder's address, in their invites.
    let (mut orgs, c) = coalition_of_three();
    orgs[0].stop();
    orgs[1].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised with the founder away",
    ]);
    eventually(30, "the issue to reach the other member directly", || {
        (orgs[2].issues(&c).as_array()?.len() == 1).then_some(())
    });
    // Both restart, the founder still down: they find each other from what they kept.
    orgs[1].stop();
    orgs[2].stop();
    orgs[1].start();
    orgs[2].start();
    orgs[2].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised after both restarted",
    ]);
    eventually(30, "the second issue to cross after the restarts", || {
        (orgs[1].issues(&c).as_array()?.len() == 2).then_some(())
    });
    // Status shows the two connected, the founder not.
    let faith = orgs[2].node.json(&["status"])["node"]
        .as_str()
        .unwrap()
        .to_owned();
    let nodes = member_nodes(&orgs[1]);
    assert_eq!(
        nodes
            .iter()
            .filter(|(.., connected, _, _)| *connected)
            .count(),
        1
    );
    assert!(
        nodes
            .iter()
            .any(|(node, connected, ..)| *node == faith && *connected)
    );
}

#[test]
fn a_stopped_node_catches_up_on_500_changes_when_it_restarts() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    orgs[2].stop();
    orgs[0]
        .node
        .ok(&["debug", "write-loop", "--coalition", &c, "--count", "500"]);
    orgs[1].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised while Faith in Transit was away",
    ]);
    let want = eventually(30, "the two running nodes to agree", || {
        let a = orgs[0].issues(&c);
        (a.as_array()?.len() == 501 && orgs[1].issues(&c) == a).then_some(a)
    });
    orgs[2].start();
    eventually(60, "the restarted node to catch up", || {
        (orgs[2].issues(&c) == want).then_some(())
    });
}

#[test]
fn nodes_sync_over_quic_alone() {
    let _serial = coalesce_tests::network_lock();
    let free_udp = || {
        std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let _da = a.run_daemon_on(&format!("/ip4/127.0.0.1/udp/{}/quic-v1", free_udp()));
    let _db = b.run_daemon_on(&format!("/ip4/127.0.0.1/udp/{}/quic-v1", free_udp()));
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    assert_eq!(b.ok(&["join", &code, "--wait", "30"]), c);
    b.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    eventually(20, "the issue to cross over QUIC", || {
        (a.json(&["issue", "list", "--coalition", &c])
            .as_array()?
            .len()
            == 1)
            .then_some(())
    });
}

#[test]
fn a_bootstrap_peer_is_not_let_go_although_it_shares_nothing_yet() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let pa = free_port();
    let da = a.run_daemon(pa);
    let bootstrap = format!("/ip4/127.0.0.1/tcp/{pa}");
    let db = b.run_daemon_with(
        &format!("/ip4/127.0.0.1/tcp/{}", free_port()),
        &[("COALESCE_BOOTSTRAP", bootstrap.as_str())],
    );
    let id_a = a.json(&["status"])["node"].as_str().unwrap().to_owned();
    // Past the grace a stranger gets: A (which did not ask for B) lets B go, B keeps A.
    eventually(30, "A to let B go as a stranger", || {
        da.logged("letting go of a node that shares no coalition")
            .then_some(())
    });
    // B dials A again (A is its bootstrap peer), and has let nothing go by then.
    eventually(20, "B to reconnect to A", || {
        (da.log().matches("peer connected").count() >= 2).then_some(())
    });
    assert!(
        !db.logged("letting go of a node that shares no coalition"),
        "B keeps its bootstrap peer"
    );
    let status = b.json(&["status"]);
    assert!(
        status["other_nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["node"] != id_a.as_str() || o["disconnected_at"].is_null()),
        "{status}"
    );
    assert!(da.stop());
    assert!(db.stop());
}
