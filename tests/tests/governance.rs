//! Governance from the command line, on three real nodes: the charter amended by a
//! super-majority it first adopted by consensus, a blocked proposal failing with its reason,
//! a member removed by the charter's rule (and no longer sent the coalition), the power audit.

use std::time::Duration;

use coalesce_tests::{eventually, is_id};

use crate::network::coalition_of_three;

#[test]
fn three_members_amend_the_charter_block_a_proposal_remove_a_member_and_audit_power() {
    let _serial = coalesce_tests::network_lock();
    let (orgs, c) = coalition_of_three();
    let (a, b, x) = (&orgs[0].node, &orgs[1].node, &orgs[2].node);
    let vote = |node: &coalesce_tests::Node, p: &str, stance: &str, reason: &str| {
        let mut args = vec!["proposal", "vote", "--coalition", &c, p, stance];
        if !reason.is_empty() {
            args.extend(["--reason", reason]);
        }
        node.ok(&args);
    };
    let seen_everywhere = |p: &str| {
        for node in [a, b, x] {
            node.wait_for(
                20,
                "the proposal to reach every node",
                &["proposal", "show", "--coalition", &c, p],
            );
        }
    };
    let version_everywhere = |n: u64| {
        for node in [a, b, x] {
            eventually(20, "every node to derive the new charter version", || {
                let ch = node.json(&["charter", "show", "--coalition", &c]);
                (ch["version"] == n).then_some(())
            });
        }
    };

    // 1. Amendments by super-majority: adopted by consensus under the founding charter.
    let p1 = a.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "amendment=super-majority:2/3@1/2",
        "--add-value",
        "language justice",
    ]);
    assert!(
        is_id(&p1),
        "charter amend prints the proposal id alone: {p1}"
    );
    seen_everywhere(&p1);
    for node in [a, b, x] {
        vote(node, &p1, "agree", "");
    }
    version_everywhere(2);
    let charter = x.json(&["charter", "show", "--coalition", &c]);
    assert_eq!(charter["rules"]["amendment"], "super-majority:2/3@1/2");
    assert_eq!(charter["values"][0], "language justice");

    // 2. The next amendment passes with two of three agreeing, one disagreeing.
    let p2 = b.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--frame",
        "Fare-free, accessible, multilingual buses",
    ]);
    seen_everywhere(&p2);
    vote(a, &p2, "agree", "");
    vote(x, &p2, "disagree", "");
    vote(b, &p2, "agree", "");
    version_everywhere(3);
    let shown = a.json(&["proposal", "show", "--coalition", &c, &p2]);
    assert_eq!(shown["outcome"], "passed", "{shown}");
    let versions = x.json(&["charter", "versions", "--coalition", &c]);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[2]["number"], 3);
    assert_eq!(versions[2]["proposal"], shown["id"]);
    assert_eq!(versions[2]["agreed_by"].as_array().unwrap().len(), 2);
    assert_eq!(
        versions[2]["frame"],
        "Fare-free, accessible, multilingual buses"
    );
    let table = a.ok(&["charter", "versions", "--coalition", &c]);
    assert!(table.contains("Eastside Disability Justice"), "{table}");

    // 3. A blocked proposal fails, with the reason for all to read.
    let p3 = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Endorse a mayoral candidate",
    ]);
    seen_everywhere(&p3);
    let no_reason = x.fails(&["proposal", "vote", "--coalition", &c, &p3, "block"]);
    assert!(no_reason.contains("reason"), "{no_reason}");
    // A majority proposal: a block counts against, and the other two decide it.
    vote(x, &p3, "block", "We are nonpartisan");
    vote(b, &p3, "disagree", "");
    eventually(20, "the outcome on the proposing node", || {
        let shown = a.json(&["proposal", "show", "--coalition", &c, &p3]);
        (shown["outcome"] == "failed").then_some(())
    });
    let shown = a.ok(&["proposal", "show", "--coalition", &c, &p3]);
    assert!(shown.contains("block: We are nonpartisan"), "{shown}");

    // 4. Removing a member: by consensus of the other members.
    let p4 = a.ok(&[
        "member",
        "remove",
        "--coalition",
        &c,
        "Faith in Transit",
        "--reason",
        "Left the transit campaign",
    ]);
    seen_everywhere(&p4);
    let own = x.fails(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &p4,
        "block",
        "--reason",
        "no",
    ]);
    assert!(own.contains("takes no position"), "{own}");
    vote(a, &p4, "agree", "");
    vote(b, &p4, "agree", "");
    for node in [a, b, x] {
        eventually(20, "every node to see the removal", || {
            let members = node.json(&["member", "list", "--coalition", &c]);
            (members.as_array()?.len() == 2).then_some(())
        });
    }
    let all = a.json(&["member", "list", "--coalition", &c, "--all"]);
    let removed = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Faith in Transit")
        .unwrap();
    assert_eq!(removed["status"], "removed", "{all}");
    // The removed member's node writes nothing more, and is sent nothing more.
    let refused = x.fails(&["issue", "add", "--coalition", &c, "Still here"]);
    assert!(refused.contains("not a member"), "{refused}");
    let issue = a.ok(&["issue", "add", "--coalition", &c, "Night buses"]);
    b.wait_for(
        20,
        "the other member to receive the new issue",
        &["issue", "show", "--coalition", &c, &issue],
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !x.succeeds(&["issue", "show", "--coalition", &c, &issue]),
        "a removed member's node must not receive new changes"
    );

    // 5. The power audit: A authored three of four proposals, over the charter's one half.
    let power = a.json(&["audit", "power", "--coalition", &c]);
    let rows = power["members"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{power}");
    let first = rows
        .iter()
        .find(|r| r["name"] == "Northside Tenants Union")
        .unwrap();
    assert_eq!(first["proposals_authored"], 3, "{power}");
    assert_eq!(first["flags"][0], "proposals", "{power}");
    assert_eq!(power["flagged"].as_array().unwrap().len(), 1, "{power}");
    let table = a.ok(&["audit", "power", "--coalition", &c]);
    assert!(table.contains("over 1/2: proposals"), "{table}");
}

#[test]
fn when_admission_is_a_vote_an_invite_opens_it_and_the_newcomer_waits_for_it() {
    let _serial = coalesce_tests::network_lock();
    let a = coalesce_tests::Node::init("Northside Tenants Union");
    let b = coalesce_tests::Node::init("Eastside Disability Justice");
    let n = coalesce_tests::Node::init("New Neighbors Alliance");
    let pn = coalesce_tests::free_port();
    let (da, db, dn) = (
        a.run_daemon(coalesce_tests::free_port()),
        b.run_daemon(coalesce_tests::free_port()),
        n.run_daemon(pn),
    );
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    let p = a.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "admission=majority@1/2",
    ]);
    b.wait_for(
        20,
        "B to receive the amendment",
        &["proposal", "show", "--coalition", &c, &p],
    );
    a.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    b.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    eventually(20, "A to derive the new admission rule", || {
        let ch = a.json(&["charter", "show", "--coalition", &c]);
        (ch["rules"]["admission"] == "majority@1/2").then_some(())
    });

    // The invite now opens a membership vote; the newcomer gets nothing until it passes.
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    let waited = n.fails(&["join", &code, "--wait", "3"]);
    assert!(waited.contains("has not arrived"), "{waited}");
    assert!(
        waited.contains("Joining: connected; waiting to be admitted"),
        "the join says how it is going: {waited}"
    );
    let pending = n.json(&["join", "--pending"]);
    assert_eq!(pending[0]["coalition"], c.as_str(), "{pending}");
    assert!(
        pending[0]["stage"]
            .as_str()
            .unwrap()
            .contains("waiting to be admitted"),
        "{pending}"
    );
    // The newcomer's node restarts while the vote is open: it takes the join up again, asks
    // the inviting node again, and is not refused for the invite it already used.
    assert!(dn.stop());
    let dn = n.run_daemon(pn);
    eventually(20, "the restarted node to wait for admission again", || {
        let p = n.json(&["join", "--pending"]);
        p[0]["stage"]
            .as_str()
            .is_some_and(|s| s.contains("waiting to be admitted"))
            .then_some(())
    });
    eventually(20, "the inviting node to answer the restarted node", || {
        da.logged("asked again; nothing more to do").then_some(())
    });
    assert_eq!(
        n.json(&["join", "--pending"]).as_array().unwrap().len(),
        1,
        "not refused for asking again"
    );
    let vote = eventually(20, "the admission vote to reach B", || {
        admission_vote(&b, &c)
    });
    let all = a.json(&["member", "list", "--coalition", &c, "--all"]);
    let pending = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "New Neighbors Alliance")
        .unwrap();
    assert_eq!(pending["status"], "pending", "{all}");
    assert!(
        n.json(&["coalition", "list"])
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["name"] != "Transit Justice"),
        "a pending member's node receives nothing"
    );
    a.ok(&["proposal", "vote", "--coalition", &c, &vote, "agree"]);
    b.ok(&["proposal", "vote", "--coalition", &c, &vote, "agree"]);
    n.wait_for(
        30,
        "the admitted member's node to receive the coalition",
        &["charter", "show", "--coalition", &c],
    );
    let members = n.json(&["member", "list", "--coalition", &c]);
    assert_eq!(members.as_array().unwrap().len(), 3, "{members}");
    assert_eq!(n.json(&["join", "--pending"]), serde_json::json!([]));
    n.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Language access on buses",
    ]);
    for d in [da, db, dn] {
        assert!(d.stop());
    }
}

#[test]
fn a_newcomer_the_members_vote_down_is_told_when_it_asks_again() {
    let _serial = coalesce_tests::network_lock();
    let a = coalesce_tests::Node::init("Northside Tenants Union");
    let n = coalesce_tests::Node::init("New Neighbors Alliance");
    let pn = coalesce_tests::free_port();
    let da = a.run_daemon(coalesce_tests::free_port());
    let dn = n.run_daemon(pn);
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let p = a.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "admission=majority@1/2",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    let waited = n.fails(&["join", &code, "--wait", "2"]);
    assert!(waited.contains("waiting to be admitted"), "{waited}");
    let vote = eventually(20, "the admission vote", || admission_vote(&a, &c));
    a.ok(&["proposal", "vote", "--coalition", &c, &vote, "disagree"]);
    // The newcomer's node asks again when it restarts, and is told.
    assert!(dn.stop());
    let dn = n.run_daemon(pn);
    eventually(20, "the voted-down join to end", || {
        (n.json(&["join", "--pending"]) == serde_json::json!([])).then_some(())
    });
    assert!(
        dn.logged("did not admit"),
        "the node says why the join ended"
    );
    assert!(da.stop());
    assert!(dn.stop());
}

/// The id of the open admission vote `node` holds in coalition `c`, if any.
fn admission_vote(node: &coalesce_tests::Node, c: &str) -> Option<String> {
    let list = node.json(&["proposal", "list", "--coalition", c]);
    list.as_array()?
        .iter()
        .find(|p| {
            p["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("admit/"))
        })
        .map(|p| p["id"].as_str().unwrap_or_default().to_owned())
}
