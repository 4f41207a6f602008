//! Coalitions and their members: founding, listing and the charter, a member's second device,
//! amending a lone founder's charter, leaving.

use coalesce_tests::{Node, is_id};

use super::coalition;

#[test]
fn coalition_create_list_and_charter_show() {
    let node = Node::init("Northside Tenants Union");
    let id = coalition(&node);
    assert!(is_id(&id), "create prints the id alone: {id:?}");
    let list = node.json(&["coalition", "list"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["name"], "Transit Justice");
    assert_eq!(list[0]["members"], 1);
    let table = node.ok(&["coalition", "list"]);
    assert!(
        table.contains("Transit Justice") && table.contains(&id[..8]),
        "{table}"
    );

    let charter = node.json(&["charter", "show", "--coalition", &id]);
    assert_eq!(charter["name"], "Transit Justice");
    assert_eq!(charter["frame"], "Fare-free, accessible buses");
    assert_eq!(charter["commitments"][0], "nonviolence");
    assert_eq!(charter["rules"]["amendment"], "consensus@1/2");
    assert_eq!(charter["version"], 1);
    let text = node.ok(&["charter", "show", "--coalition", &id[..6]]);
    assert!(
        text.contains("charter version 1") && text.contains("nonviolence"),
        "{text}"
    );

    let versions = node.json(&["charter", "versions", "--coalition", &id]);
    assert_eq!(versions.as_array().unwrap().len(), 1);
    assert_eq!(versions[0]["agreed_by"].as_array().unwrap().len(), 1);

    node.ok(&[
        "member",
        "update",
        "--coalition",
        &id,
        "--community",
        "tenants",
        "--community",
        "Latinx families",
        "--language",
        "Spanish",
        "--accessibility",
        "step-free venue",
        "--contact",
        "hello@northside.example",
    ]);
    let members = node.json(&["member", "list", "--coalition", &id]);
    assert_eq!(members[0]["name"], "Northside Tenants Union");
    assert_eq!(
        members[0]["communities"],
        serde_json::json!(["tenants", "Latinx families"])
    );
    assert_eq!(members[0]["languages"], serde_json::json!(["Spanish"]));
    assert_eq!(
        members[0]["accessibility"],
        serde_json::json!(["step-free venue"])
    );
    assert_eq!(members[0]["contact"], "hello@northside.example");
    assert!(
        node.ok(&["member", "list", "--coalition", &id])
            .contains("Northside Tenants Union")
    );
}

#[test]
fn a_member_adds_a_second_device_restores_an_old_text_and_reads_the_history() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let laptop = Node::new().ok(&["init", "--org", "Northside Tenants Union"]);
    node.ok(&["member", "key", "add", "--coalition", &c, &laptop]);
    let members = node.json(&["member", "list", "--coalition", &c]);
    assert_eq!(members[0]["keys"].as_array().unwrap().len(), 2, "{members}");
    node.ok(&["member", "key", "revoke", "--coalition", &c, &laptop]);
    let members = node.json(&["member", "list", "--coalition", &c]);
    assert_eq!(members[0]["keys"].as_array().unwrap().len(), 1, "{members}");
    let err = node.fails(&["member", "key", "revoke", "--coalition", &c, "zz"]);
    assert!(err.contains("node key"), "{err}");

    // history: who changed what; restore an earlier description as a new change.
    let issue = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fares",
        "--description",
        "Fares rose 40%",
    ]);
    node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--description",
        "Fares doubled",
    ]);
    let history = node.json(&["history", "--coalition", &c, "--record", &issue]);
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{history}");
    assert_eq!(entries[1]["message"], "edit issue");
    let first = entries[0]["change"].as_str().unwrap();
    node.ok(&[
        "history",
        "--coalition",
        &c,
        "--record",
        &issue,
        "--field",
        "description",
        "--restore",
        &first[..12],
    ]);
    let shown = node.json(&["issue", "show", "--coalition", &c, &issue]);
    assert_eq!(shown["description"], "Fares rose 40%", "{shown}");
    let table = node.ok(&["history", "--coalition", &c]);
    assert!(
        table.contains("restore earlier value") && table.contains("Northside Tenants Union"),
        "{table}"
    );
    let err = node.fails(&["history", "--coalition", &c, "--restore", first]);
    assert!(err.contains("--record"), "{err}");
}

#[test]
fn a_lone_founder_amends_its_charter_and_cannot_leave_it_empty() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let bad = node.fails(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--rule",
        "amendment=unanimity",
    ]);
    assert!(
        bad.contains("invalid decision rule `unanimity`") && bad.contains("super-majority"),
        "{bad}"
    );
    let empty = node.fails(&["charter", "amend", "--coalition", &c]);
    assert!(empty.contains("must change something"), "{empty}");
    assert!(
        empty.contains("--frame"),
        "the command line names its flags: {empty}"
    );
    let p = node.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--add-commitment",
        "language access at every meeting",
        "--rule",
        "allocation=consent@2/3",
    ]);
    assert!(is_id(&p), "{p}");
    let shown = node.ok(&["proposal", "show", "--coalition", &c, &p]);
    assert!(
        shown.contains("Changes to the charter") && shown.contains("rule: allocation=consent@2/3"),
        "{shown}"
    );
    node.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    let charter = node.json(&["charter", "show", "--coalition", &c]);
    assert_eq!(charter["version"], 2);
    assert_eq!(charter["rules"]["allocation"], "consent@2/3");
    let versions = node.json(&["charter", "versions", "--coalition", &c]);
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let err = node.fails(&["member", "leave", "--coalition", &c]);
    assert!(err.contains("only member"), "{err}");
    let err = node.fails(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "membership",
        "Someone",
    ]);
    assert!(err.contains("member remove"), "{err}");
}

#[test]
fn member_leave_asks_first_on_a_terminal() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    // `script` gives the command a terminal; what is piped in is typed at it.
    let on_a_terminal = |typed: &str, extra: &str| {
        let cmd = format!(
            "{} --home {} member leave --coalition {c} {extra}",
            coalesce_tests::bin("coalesce").display(),
            node.home().display()
        );
        let mut child = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) gives the command a terminal");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let status =
        |node: &Node| node.json(&["member", "list", "--coalition", &c])[0]["status"].clone();
    let (left, shown) = on_a_terminal("no\n", "");
    assert!(!left, "{shown}");
    assert!(
        shown.contains("Type yes to leave") && shown.contains("Not left"),
        "{shown}"
    );
    assert_eq!(status(&node), "member");
    // Answered yes, the command runs (and here says why a sole member cannot leave).
    let (_, shown) = on_a_terminal("yes\n", "");
    assert!(shown.contains("only member"), "{shown}");
    // --yes does not ask.
    let (_, shown) = on_a_terminal("", "--yes");
    assert!(
        !shown.contains("Type yes") && shown.contains("only member"),
        "{shown}"
    );
    assert_eq!(status(&node), "member");
}
