//! Edits made while apart merge the same everywhere, allocations included.

use coalesce_tests::eventually;

use super::{Org, coalition_of_three};

#[test]
fn edits_to_one_issue_made_while_apart_merge_the_same_everywhere() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    let issue = orgs[0].node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Night bus routes",
        "--description",
        "Routes stop at 10pm.",
    ]);
    eventually(20, "the issue to reach the second node", || {
        (orgs[1].issues(&c).as_array()?.len() == 1).then_some(())
    });
    orgs[1].stop();
    // Apart: one node edits the title and ranks it, the other (offline, on its own store)
    // edits the description, adds a tag and ranks it.
    orgs[0].node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--title",
        "Night and weekend bus routes",
    ]);
    orgs[0]
        .node
        .ok(&["issue", "share", "--coalition", &c, &issue, "--rank", "2"]);
    orgs[1].node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--description",
        "Routes stop at 10pm; shift workers walk home.",
        "--tag",
        "class",
    ]);
    orgs[1]
        .node
        .ok(&["issue", "share", "--coalition", &c, &issue, "--rank", "1"]);
    orgs[1].start();
    let merged = eventually(30, "both to hold the same merged issue", || {
        let a = orgs[0].issues(&c);
        (a == orgs[1].issues(&c)
            && a == orgs[2].issues(&c)
            && a[0]["ranks"].as_object()?.len() == 2)
            .then_some(a)
    });
    assert_eq!(merged[0]["title"], "Night and weekend bus routes");
    assert_eq!(
        merged[0]["description"],
        "Routes stop at 10pm; shift workers walk home."
    );
    assert_eq!(merged[0]["tags"], serde_json::json!(["class"]));
}

/// Two allocations of one pool approved on nodes cut off from each other: once they meet,
/// every node funds the one decided first and shows the other passed but unfunded, and the
/// balance never goes below zero.
#[test]
fn allocations_approved_apart_are_funded_alike_once_the_nodes_meet() {
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = coalition_of_three();
    let pool = orgs[0].node.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Bail fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    orgs[0]
        .node
        .ok(&["pool", "contribute", "--coalition", &c, &pool, "40"]);
    let request = |reason: &str| {
        orgs[0].node.ok(&[
            "pool",
            "request",
            "--coalition",
            &c,
            &pool,
            "30",
            "--reason",
            reason,
        ])
    };
    let (rent, bail) = (request("rent relief"), request("bail"));
    let vote = |org: &Org, p: &str| {
        org.node
            .ok(&["proposal", "vote", "--coalition", &c, p, "agree"]);
    };
    vote(&orgs[0], &rent);
    vote(&orgs[0], &bail);
    let positions = |org: &Org, p: &str| {
        org.node.json(&["proposal", "show", "--coalition", &c, p])["positions"]
            .as_object()
            .map_or(0, serde_json::Map::len)
    };
    for org in &orgs {
        eventually(
            20,
            "both requests and the first position everywhere",
            || (positions(org, &rent) == 1 && positions(org, &bail) == 1).then_some(()),
        );
    }
    // Apart: the second member approves the rent relief with the third away...
    orgs[2].stop();
    vote(&orgs[1], &rent);
    let funding = |org: &Org, p: &str| {
        let shown = org.node.json(&["proposal", "show", "--coalition", &c, p]);
        (shown["outcome"].clone(), shown["funding"]["status"].clone())
    };
    eventually(20, "the rent relief to pass on the first node", || {
        (funding(&orgs[0], &rent) == ("passed".into(), "funded".into())).then_some(())
    });
    // ...then, with those two away, the third approves the bail, which it sees funded.
    orgs[0].stop();
    orgs[1].stop();
    orgs[2].start();
    vote(&orgs[2], &bail);
    assert_eq!(funding(&orgs[2], &bail), ("passed".into(), "funded".into()));
    // Together again: decided first, funded first, on every node.
    orgs[0].start();
    orgs[1].start();
    for org in &orgs {
        eventually(
            30,
            "every node to fund the rent relief, not the bail",
            || {
                (funding(org, &rent) == ("passed".into(), "funded".into())
                    && funding(org, &bail) == ("passed".into(), "unfunded".into()))
                    .then_some(())
            },
        );
        let ledger = org.node.json(&["pool", "ledger", "--coalition", &c, &pool]);
        assert_eq!(ledger["balance"], "10", "{ledger}");
        assert!(
            ledger["entries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| !e["balance"].as_str().unwrap().starts_with('-')),
            "{ledger}"
        );
    }
}
