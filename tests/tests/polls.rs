//! Polls between real nodes: three organizations cast ballots in a ranked poll and an STV
//! election while apart (each node alone, its daemon stopped), then meet again; every node then
//! shows the same ballots, the same rounds and the same winners. A ballot for another
//! organization cannot be cast, and the CLI says what a ballot must hold.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Node, free_port};

/// The poll's result as `proposal show --json` gives it on `node`.
fn result(node: &Node, c: &str, poll: &str) -> serde_json::Value {
    node.json(&["proposal", "show", "--coalition", c, poll])["result"].clone()
}

#[test]
fn ballots_cast_apart_give_the_same_count_everywhere() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Familias Unidas");
    let d = Node::init("Eastside Faith Alliance");
    let (pa, pb, pd) = (free_port(), free_port(), free_port());
    let da = a.run_daemon(pa);
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    for n in [&b, &d] {
        let _dn = n.run_daemon(free_port());
        let code = a.ok(&["invite", "create", "--coalition", &c]);
        n.ok(&["join", &code, "--wait", "30"]);
    }
    let options = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .flat_map(|o| ["--option".to_owned(), (*o).to_owned()])
            .collect()
    };
    let open = |method: &str, title: &str, names: &[&str]| -> String {
        let mut args: Vec<String> = [
            "proposal",
            "new",
            "--coalition",
            &c,
            "--kind",
            "general",
            title,
            "--closes",
            "7d",
            "--method",
            method,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(options(names));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        a.ok(&args)
    };
    let ranked = open(
        "ranked",
        "Which demand first?",
        &["Fare-free buses", "Half fares", "Free transfers"],
    );
    let election = open(
        "stv:2:scottish",
        "Delegates to the national coalition",
        &["Ana", "Bo", "Cy", "Dee"],
    );
    // Both polls reach every member.
    for n in [&b, &d] {
        let _dn = n.run_daemon(free_port());
        coalesce_tests::eventually(30, "the polls reach every member", || {
            (n.succeeds(&["proposal", "show", "--coalition", &c, &ranked])
                && n.succeeds(&["proposal", "show", "--coalition", &c, &election]))
            .then_some(())
        });
    }
    drop(da);

    // Apart: each node alone casts its organization's ballots.
    let vote = |n: &Node, poll: &str, rank: &str| {
        n.ok(&["proposal", "vote", "--coalition", &c, poll, "--rank", rank]);
    };
    vote(&a, &ranked, "Half fares,1");
    vote(&b, &ranked, "1,3");
    vote(&d, &ranked, "3,1,2");
    vote(&a, &election, "Ana,Bo");
    vote(&b, &election, "Bo,Ana,Cy");
    vote(&d, &election, "Cy,Dee");
    // A ballot that does not fit, and a position in a poll, are refused in words.
    let wrong = a.fails(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &ranked,
        "--score",
        "1=4",
    ]);
    assert!(wrong.contains("counted by ranked"), "{wrong}");
    let wrong = a.fails(&["proposal", "vote", "--coalition", &c, &ranked, "agree"]);
    assert!(wrong.contains("cast a ballot"), "{wrong}");
    let wrong = a.fails(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &ranked,
        "--rank",
        "Fare",
    ]);
    assert!(wrong.contains("none of this poll's options"), "{wrong}");
    // Apart, each counts only its own ballot.
    let alone = result(&a, &c, &ranked);
    assert_eq!(alone["ranked"]["irv"]["winner"], 1, "{alone}");

    // Together again: every node shows all three ballots and the same count.
    let _da = a.run_daemon(pa);
    let _db = b.run_daemon(pb);
    let _dd = d.run_daemon(pd);
    for poll in [&ranked, &election] {
        coalesce_tests::eventually(60, "every ballot on every node", || {
            [&a, &b, &d]
                .iter()
                .all(|n| {
                    n.json(&["proposal", "show", "--coalition", &c, poll])["ballots"]
                        .as_object()
                        .is_some_and(|m| m.len() == 3)
                })
                .then_some(())
        });
        let here = result(&a, &c, poll);
        assert_eq!(result(&b, &c, poll), here);
        assert_eq!(result(&d, &c, poll), here);
    }
    // Ranked: round 1 Fare-free 1, Half fares 1, Free transfers 1: all tied, the one listed
    // last goes; its ballot moves to Fare-free, which wins.
    let ranked_result = result(&a, &c, &ranked);
    assert_eq!(
        ranked_result["ranked"]["irv"]["winner"], 0,
        "{ranked_result}"
    );
    assert_eq!(
        ranked_result["ranked"]["irv"]["rounds"][0]["tie"]["by"],
        "listed-last"
    );
    // STV, 2 seats of 4 from 3 papers: quota 2; Ana, Bo and Cy have one each, Dee none.
    let stv = result(&a, &c, &election);
    assert_eq!(stv["stv"]["rounds"][0]["quota"], 200_000, "{stv}");
    let elected = stv["stv"]["elected"].as_array().unwrap().len();
    assert_eq!(elected, 2, "{stv}");
    let shown = b.ok(&["proposal", "show", "--coalition", &c, &election]);
    assert!(shown.contains("Elected:"), "{shown}");
    assert!(shown.contains("quota 2.00000"), "{shown}");
    let shown = d.ok(&["proposal", "show", "--coalition", &c, &ranked]);
    assert!(
        shown.contains("Winner by instant runoff: Fare-free buses"),
        "{shown}"
    );
}

/// Weights between real nodes: an amendment weighs one organization three in general
/// decisions; once it passes on every node, a poll opened after it counts that
/// organization's ballot three times, on every node, and `charter show` and `proposal show`
/// say so.
#[test]
fn weights_from_the_charter_count_the_same_on_every_node() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Familias Unidas");
    let _da = a.run_daemon(free_port());
    let _db = b.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    // Named by its exact name, as organizers know each other.
    let wrong = a.fails(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--weight",
        "general:Familias Unidas=0",
    ]);
    assert!(wrong.contains("KIND:MEMBER=WEIGHT"), "{wrong}");
    let amendment = a.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--weight",
        "general:Familias Unidas=3",
        "--text",
        "Familias Unidas speaks for three times as many households.",
    ]);
    let shown = a.ok(&["proposal", "show", "--coalition", &c, &amendment]);
    assert!(
        shown.contains("weight in general polls: Familias Unidas 3"),
        "{shown}"
    );
    a.ok(&["proposal", "vote", "--coalition", &c, &amendment, "agree"]);
    coalesce_tests::eventually(30, "the amendment reaches B", || {
        b.succeeds(&["proposal", "show", "--coalition", &c, &amendment])
            .then_some(())
    });
    b.ok(&["proposal", "vote", "--coalition", &c, &amendment, "agree"]);
    coalesce_tests::eventually(30, "the amendment passes on A", || {
        a.ok(&["charter", "show", "--coalition", &c])
            .contains("Familias Unidas 3")
            .then_some(())
    });
    let poll = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Which banner first?",
        "--closes",
        "7d",
        "--method",
        "choose",
        "--option",
        "Fares",
        "--option",
        "Routes",
    ]);
    let choose = |n: &Node, option: &str| {
        n.ok(&[
            "proposal",
            "vote",
            "--coalition",
            &c,
            &poll,
            "--choose",
            option,
        ]);
    };
    choose(&a, "Fares");
    coalesce_tests::eventually(30, "the poll reaches B", || {
        b.succeeds(&["proposal", "show", "--coalition", &c, &poll])
            .then_some(())
    });
    choose(&b, "Routes");
    for n in [&a, &b] {
        coalesce_tests::eventually(30, "both ballots on every node", || {
            (result(n, &c, &poll)["choose"]["totals"] == serde_json::json!([1, 3])).then_some(())
        });
    }
    let shown = b.ok(&["proposal", "show", "--coalition", &c, &poll]);
    assert!(
        shown.contains("Weights (every other member weighs one): Familias Unidas 3"),
        "{shown}"
    );
}

/// The charter's rules name poll methods: under `allocation=budget` a request waits for a
/// budget poll, and a role election fills the spokespeople; once both close, both nodes show
/// the same allocations and the same spokespeople.
#[test]
fn a_budget_and_an_election_decide_allocations_and_roles_on_every_node() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Familias Unidas");
    let _da = a.run_daemon(free_port());
    let _db = b.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    let wrong = a.fails(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "allocation=ranked",
    ]);
    assert!(wrong.contains("budget polls only"), "{wrong}");
    let amendment = a.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "allocation=budget",
        "--rule",
        "role=stv:1",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &amendment, "agree"]);
    b.wait_for(
        30,
        "the amendment reaches B",
        &["proposal", "show", "--coalition", &c, &amendment],
    );
    b.ok(&["proposal", "vote", "--coalition", &c, &amendment, "agree"]);
    coalesce_tests::eventually(30, "the amendment passes on A", || {
        a.ok(&["charter", "show", "--coalition", &c])
            .contains("budget@1/2")
            .then_some(())
    });
    let pool = a.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Grants",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    a.ok(&["pool", "contribute", "--coalition", &c, &pool, "1000"]);
    // A request opens no proposal: it prints its ledger entry.
    let bus = a.ok(&[
        "pool",
        "request",
        "--coalition",
        &c,
        &pool,
        "600",
        "--reason",
        "Bus passes",
    ]);
    b.wait_for(
        30,
        "the pool reaches B",
        &["pool", "ledger", "--coalition", &c, &pool],
    );
    let rent = b.ok(&[
        "pool",
        "request",
        "--coalition",
        &c,
        &pool,
        "300",
        "--reason",
        "Rent relief",
    ]);
    coalesce_tests::eventually(30, "B's request reaches A", || {
        a.ok(&["pool", "ledger", "--coalition", &c, &pool])
            .contains("Rent relief")
            .then_some(())
    });
    let budget = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "allocation",
        "Spring grants",
        "--method",
        "budget:500",
        "--pool",
        &pool,
        "--request",
        "all",
        "--closes",
        "1m",
    ]);
    let election = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "role",
        "Spokesperson",
        "--method",
        "stv:1",
        "--role",
        "spokespeople",
        "--candidate",
        "all",
        "--closes",
        "1m",
    ]);
    let shown = a.ok(&["proposal", "show", "--coalition", &c, &election]);
    assert!(shown.contains("An election of spokespeople"), "{shown}");
    for n in [&a, &b] {
        n.wait_for(
            30,
            "both polls on every node",
            &["proposal", "show", "--coalition", &c, &budget],
        );
        n.wait_for(
            30,
            "both polls on every node",
            &["proposal", "show", "--coalition", &c, &election],
        );
    }
    // Each gives the bus passes what it can; the rent relief gets too little.
    a.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &budget,
        "--give",
        "1=500,2=0",
    ]);
    b.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &budget,
        "--give",
        "1=100,2=200",
    ]);
    for n in [&a, &b] {
        n.ok(&[
            "proposal",
            "vote",
            "--coalition",
            &c,
            &election,
            "--rank",
            "Familias Unidas,Northside Tenants Union",
        ]);
    }
    for n in [&a, &b] {
        coalesce_tests::eventually(120, "the polls close with both ballots", || {
            let charter = n.ok(&["charter", "show", "--coalition", &c]);
            let ledger = n.json(&["pool", "ledger", "--coalition", &c, &pool]);
            let status = |entry: &str| {
                ledger["entries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["entry"] == entry)
                    .map(|e| e["funding"]["status"].clone())
            };
            (charter.contains("spokespeople:         Familias Unidas")
                && status(&bus) == Some("funded".into())
                && status(&rent) == Some("not-decided".into())
                && ledger["balance"] == "400")
                .then_some(())
        });
    }
}
