//! A bounded peer set with real processes: eleven member nodes that may keep two peers each
//! they dialed (and six in all before they let go of peers that dialed them) stay connected as
//! one coalition, pass every edit on to everyone, and the node that invited them all (all ten
//! others dialed it) lets the surplus go, each node once (one that comes back is kept: no
//! dial and let-go loop).

use super::*;

const _: () = assert!(NODES > MOST + 1);

/// Member nodes kept per coalition in this test.
const BOUND: usize = 2;
/// More than `MOST + 1`, so that the inviting node, which every other dialed, must let some go.
const NODES: usize = 11;
/// Most peers a node keeps: those it dialed (the bound), and those that dialed it up to
/// `INBOUND_FACTOR` times the bound in all, give or take one that came back.
const MOST: usize = BOUND * (net::core::INBOUND_FACTOR + 1);

fn org(name: &str) -> Org {
    Org::with_env(
        name,
        &[("COALESCE_PEERS_PER_COALITION", &BOUND.to_string())],
    )
}

/// How many member nodes `org` is connected to in its coalition.
fn connected(org: &Org) -> usize {
    member_nodes(org).iter().filter(|(_, up, ..)| *up).count()
}

#[test]
fn member_nodes_keep_a_bounded_peer_set_and_every_edit_still_reaches_everyone() {
    let _serial = coalesce_tests::network_lock();
    let orgs: Vec<Org> = std::iter::once(org("Hub Tenants Union"))
        .chain((1..NODES).map(|i| org(&format!("Member Organization {i}"))))
        .collect();
    let (orgs, c) = coalition_of(orgs);
    // The inviting node had everyone connected: it lets the surplus go (after the grace a
    // new peer has, at its next look at the peer set).
    eventually(60, "the inviting node to let member nodes go", || {
        orgs[0]
            .daemon
            .as_ref()?
            .logged("letting go of a member node")
            .then_some(())
    });
    eventually(60, "every node to keep a bounded peer set", || {
        orgs.iter()
            .all(|o| (1..=MOST).contains(&connected(o)))
            .then_some(())
    });

    // An edit made anywhere reaches every node, through the others.
    for (i, o) in orgs.iter().enumerate().skip(1).step_by(2) {
        let title = format!("Bus shelters on route {i}");
        o.node.ok(&["issue", "add", "--coalition", &c, &title]);
        for other in &orgs {
            eventually(60, "the edit to reach every node", || {
                other
                    .issues(&c)
                    .as_array()?
                    .iter()
                    .any(|x| x["title"] == title.as_str())
                    .then_some(())
            });
        }
    }
    // Still bounded after the edits (a node let go may come back once before it knows it
    // has peers enough: looked at again until settled).
    eventually(
        60,
        "every node to keep a bounded peer set after the edits",
        || {
            orgs.iter()
                .all(|o| (1..=MOST).contains(&connected(o)))
                .then_some(())
        },
    );
    // The inviting node let each member node go once at most: one that comes back is kept
    // (`peerset::RETRY_AFTER`, longer than this test), not let go again and again.
    let log = orgs[0].daemon.as_ref().expect("running").log();
    let let_go: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("letting go of a member node"))
        .filter_map(|l| l.split("peer=").nth(1)?.split(['}', ' ']).next())
        .collect();
    let distinct: std::collections::BTreeSet<&str> = let_go.iter().copied().collect();
    assert_eq!(
        let_go.len(),
        distinct.len(),
        "a member node was let go again and again: {let_go:?}"
    );
}
