//! Goals with their progress, and issues raised, shared, listed and overlapped.

use coalesce_tests::{Node, is_id};

use super::coalition;

#[test]
fn goals_are_added_and_progress_recorded() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let goal = node.ok(&[
        "charter",
        "goal",
        "add",
        "--coalition",
        &c,
        "Fare-free buses",
        "--target",
        "100",
        "--unit",
        "percent",
    ]);
    assert!(is_id(&goal));
    node.ok(&[
        "charter",
        "goal",
        "progress",
        "--coalition",
        &c,
        &goal[..6],
        "--value",
        "35",
        "--date",
        "2026-11-01",
        "--note",
        "3 of 8 lines",
    ]);
    let charter = node.json(&["charter", "show", "--coalition", &c]);
    let g = &charter["goals"][&goal];
    assert_eq!(g["target"], "100");
    assert_eq!(g["unit"], "percent");
    assert_eq!(g["progress"][0]["value"], "35");
    assert_eq!(g["progress"][0]["day"], "2026-11-01");
    let err = node.fails(&[
        "charter",
        "goal",
        "add",
        "--coalition",
        &c,
        "Bad",
        "--target",
        "-3",
        "--unit",
        "x",
    ]);
    assert!(err.contains("cannot be negative"), "{err}");
}

#[test]
fn issues_are_raised_shared_listed_and_overlapped() {
    let node = Node::init("Northside Tenants Union");
    let c = coalition(&node);
    let me = node.json(&["member", "list", "--coalition", &c])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fares = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fare equity",
        "--tag",
        "race",
        "--tag",
        "class",
        "--lead",
        &me[..6],
    ]);
    let ramps = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Wheelchair ramps",
        "--tag",
        "Disability",
        "--lead",
        "Northside Tenants Union",
        "--description",
        "Broken ramps on line 4",
    ]);
    assert!(is_id(&fares) && is_id(&ramps));
    node.ok(&[
        "issue",
        "share",
        "--coalition",
        &c,
        &fares[..5],
        "--rank",
        "1",
    ]);
    node.ok(&["issue", "share", "--coalition", &c, &ramps, "--rank", "3"]);
    node.ok(&[
        "issue",
        "evidence",
        "--coalition",
        &c,
        &ramps,
        "--source",
        "City audit 2025",
        "--figure",
        "41% of ramps broken",
        "--disaggregation",
        "by district",
    ]);
    node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &ramps,
        "--status",
        "adopted",
        "--tag",
        "age",
    ]);

    let list = node.json(&["issue", "list", "--coalition", &c]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["title"], "Bus fare equity");
    assert_eq!(list[0]["tags"], serde_json::json!(["race", "class"]));
    assert_eq!(list[0]["lead"], me.as_str());
    assert_eq!(list[0]["ranks"][&me], 1);
    assert_eq!(list[1]["status"], "adopted");
    assert_eq!(list[1]["tags"], serde_json::json!(["disability", "age"]));
    assert_eq!(list[1]["evidence"][0]["figure"], "41% of ramps broken");
    let only = node.json(&["issue", "list", "--coalition", &c, "--tag", "disability"]);
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert!(
        node.ok(&["issue", "list", "--coalition", &c])
            .contains("Wheelchair ramps")
    );
    let shown = node.ok(&["issue", "show", "--coalition", &c, &ramps[..6]]);
    assert!(
        shown.contains("Broken ramps on line 4") && shown.contains("City audit 2025"),
        "{shown}"
    );

    let overlap = node.json(&["issue", "overlap", "--coalition", &c]);
    assert_eq!(
        overlap["issues"][0]["issue"],
        fares.as_str(),
        "rank 1 outranks rank 3"
    );
    assert_eq!(overlap["issues"][0]["shared_by"][0]["rank"], 1);
    assert_eq!(overlap["members"][&me].as_array().unwrap().len(), 2);
    assert!(
        node.ok(&["issue", "overlap", "--coalition", &c])
            .contains("Bus fare equity")
    );

    node.ok(&["issue", "unshare", "--coalition", &c, &ramps]);
    let overlap = node.json(&["issue", "overlap", "--coalition", &c]);
    assert_eq!(overlap["issues"][1]["members_sharing"], 0);

    let err = node.fails(&["issue", "share", "--coalition", &c, &fares, "--rank", "0"]);
    assert!(err.contains("from 1 (highest priority) to 10"), "{err}");
    let err = node.fails(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Fares",
        "--lead",
        "Nobody Org",
    ]);
    assert!(err.contains("no member with id `Nobody Org`"), "{err}");
    let err = node.fails(&["issue", "add", "--coalition", &c, " "]);
    assert!(err.contains("issue title must not be empty"), "{err}");
}
