//! Pools: pledges, contributions and requests, and never paying out more than is held.

use coalesce_tests::{Node, is_id};

use super::coalition;

#[test]
fn pools_take_pledges_contributions_and_requests() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let pool = node.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Legal defense fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    assert!(is_id(&pool));
    let pledge = node.ok(&["pool", "pledge", "--coalition", &c, &pool[..4], "500"]);
    assert!(is_id(&pledge));
    node.ok(&[
        "pool",
        "contribute",
        "--coalition",
        &c,
        &pool,
        "250.50",
        "--note",
        "first instalment",
    ]);
    let request = node.ok(&[
        "pool",
        "request",
        "--coalition",
        &c,
        &pool,
        "100",
        "--reason",
        "bail for a tenant organizer",
    ]);
    assert!(is_id(&request), "request prints its proposal id: {request}");

    let ledger = node.json(&["pool", "ledger", "--coalition", &c, &pool]);
    assert_eq!(ledger["pledged"], "500");
    assert_eq!(ledger["contributed"], "250.50");
    assert_eq!(
        ledger["balance"], "250.50",
        "an undecided request does not move money"
    );
    assert_eq!(ledger["entries"].as_array().unwrap().len(), 3);
    assert_eq!(ledger["entries"][2]["decision"], "open");

    // The requesting member's own agreement passes it (one member, simple majority).
    node.ok(&["proposal", "vote", "--coalition", &c, &request, "agree"]);
    let ledger = node.json(&["pool", "ledger", "--coalition", &c, &pool]);
    assert_eq!(ledger["balance"], "150.50");
    assert_eq!(ledger["allocated"], "100");
    assert!(
        node.ok(&["pool", "ledger", "--coalition", &c, &pool])
            .contains("contribution")
    );

    let pools = node.json(&["pool", "list", "--coalition", &c]);
    assert_eq!(pools[0]["balance"], "150.50");
    assert!(
        node.ok(&["pool", "list", "--coalition", &c])
            .contains("Legal defense fund")
    );

    let equity = node.json(&["pool", "equity", "--coalition", &c]);
    assert_eq!(equity["threshold"], "1/2");
    let other = node.ok(&["coalition", "create", "Other", "--equity-threshold", "1/3"]);
    assert_eq!(
        node.json(&["pool", "equity", "--coalition", &other])["threshold"],
        "1/3"
    );
    assert_eq!(equity["pools"][0]["members"][0]["share_given"], 100.0);
    assert_eq!(equity["pools"][0]["members"][0]["received"], "100");
    assert!(
        node.ok(&["pool", "equity", "--coalition", &c])
            .contains("Northside Tenants Union")
    );

    let err = node.fails(&["pool", "pledge", "--coalition", &c, &pool, "-5"]);
    assert!(err.contains("cannot be negative"), "{err}");
    let err = node.fails(&["pool", "pledge", "--coalition", &c, "ffff", "5"]);
    assert!(err.contains("no pool with id `ffff`"), "{err}");
    let err = node.fails(&["pool", "pledge", "--coalition", &c, &pool, "0"]);
    assert!(err.contains("more than zero"), "{err}");
    let err = node.fails(&[
        "pool",
        "request",
        "--coalition",
        &c,
        &pool,
        "1000",
        "--reason",
        "too much",
    ]);
    assert!(err.contains("cannot be met"), "{err}");
    let err = node.fails(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "X",
        "--kind",
        "gold",
        "--unit",
        "oz",
    ]);
    assert!(
        err.contains("funds, volunteer-hours, space, equipment"),
        "{err}"
    );
}

#[test]
fn a_pool_never_pays_out_more_than_it_holds() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let pool = node.ok(&[
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
    node.ok(&["pool", "contribute", "--coalition", &c, &pool, "40"]);
    // Two requests of 30 each fit when asked (neither is decided yet); both then pass.
    let request = |reason: &str| {
        node.ok(&[
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
    let (first, second) = (request("rent relief"), request("bail"));
    node.ok(&["proposal", "vote", "--coalition", &c, &second, "agree"]);
    node.ok(&["proposal", "vote", "--coalition", &c, &first, "agree"]);
    let ledger = node.json(&["pool", "ledger", "--coalition", &c, &pool]);
    assert_eq!(ledger["balance"], "10", "{ledger}");
    assert_eq!(ledger["allocated"], "30");
    let entries = ledger["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| !e["balance"].as_str().unwrap().starts_with('-'))
    );
    // The one decided first is funded; the other passed but is unfunded, with the reason.
    let shown = node.json(&["proposal", "show", "--coalition", &c, &second]);
    assert_eq!(shown["outcome"], "passed");
    assert_eq!(shown["funding"]["status"], "funded", "{shown}");
    let shown = node.json(&["proposal", "show", "--coalition", &c, &first]);
    assert_eq!(shown["outcome"], "passed");
    assert_eq!(shown["funding"]["status"], "unfunded", "{shown}");
    assert_eq!(shown["funding"]["available"], "10");
    let text = node.ok(&["proposal", "show", "--coalition", &c, &first]);
    assert!(text.contains("Unfunded: passed on"), "{text}");
    assert!(text.contains("the pool held 10 USD"), "{text}");
    let out = node.run(&["pool", "ledger", "--coalition", &c, &pool]);
    let (text, notes) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(text.contains("request (passed, unfunded)"), "{text}");
    assert!(notes.contains("passed but is unfunded"), "{notes}");
    assert_eq!(
        node.json(&["pool", "list", "--coalition", &c])[0]["balance"],
        "10"
    );
}
