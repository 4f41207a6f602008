//! Issues raised, listed by page, shown and edited, and evidence, shares and goals recorded,
//! through their routes.

use coalesce_tests::{Node, api_call, free_port};
use serde_json::json;

use super::assert_refused;

#[test]
fn issues_are_raised_listed_by_page_shown_and_edited_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let issues = format!("/v1/coalitions/{c}/issues");

    let (status, created) = api_call(
        home,
        "POST",
        &issues,
        Some(&json!({"title": "Bus fare equity", "description": "Fares\nrose", "tags": ["Race"]})),
        true,
    );
    assert_eq!(status, 201, "{created}");
    let first = created["id"].as_str().unwrap().to_owned();
    for n in 1..5 {
        let (status, _) = api_call(
            home,
            "POST",
            &issues,
            Some(&json!({"title": format!("Issue {n}")})),
            true,
        );
        assert_eq!(status, 201);
    }
    // What the API raised, the command line lists; what the command line raises, the API.
    node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Raised by the command line",
    ]);
    let cli: Vec<String> = node
        .json(&["issue", "list", "--coalition", &c])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(cli.len(), 6);
    assert_eq!(cli[0], first);

    // Pages, oldest first, the same order as the command line's.
    let (status, page) = api_call(home, "GET", &format!("{issues}?limit=4"), None, true);
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 6);
    assert_eq!(page["next"], 4);
    let ids = |p: &serde_json::Value| -> Vec<String> {
        p["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, rest) = api_call(
        home,
        "GET",
        &format!("{issues}?limit=4&offset=4"),
        None,
        true,
    );
    assert_eq!(rest["next"], serde_json::Value::Null);
    assert_eq!([ids(&page), ids(&rest)].concat(), cli);
    assert_eq!(
        page["names"][page["issues"][0]["lead"].as_str().unwrap()],
        "Northside Tenants Union",
        "a page names the members it mentions"
    );
    let (_, tagged) = api_call(home, "GET", &format!("{issues}?tag=race"), None, true);
    assert_eq!(ids(&tagged), vec![first.clone()]);

    // One issue by a prefix of its id, the same record the command line prints as JSON.
    let (status, shown) = api_call(
        home,
        "GET",
        &format!("{issues}/{}", &first[..8]),
        None,
        true,
    );
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["issue"],
        node.json(&["issue", "show", "--coalition", &c, &first])
    );
    assert_eq!(shown["issue"]["description"], "Fares\nrose");

    let (status, edited) = api_call(
        home,
        "PATCH",
        &format!("{issues}/{first}"),
        Some(&json!({"status": "adopted", "add_tags": ["disability"]})),
        true,
    );
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["id"], first.as_str());
    let shown = node.json(&["issue", "show", "--coalition", &c, &first]);
    assert_eq!(shown["status"], "adopted");
    assert_eq!(shown["tags"], json!(["race", "disability"]));
    drop(daemon);
}

#[test]
fn evidence_shares_and_goals_are_recorded_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let issue = node.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let at = |rest: &str| format!("/v1/coalitions/{c}/{rest}");

    let evidence = json!({"source": "Transit survey 2026", "figure": "38% of riders", "disaggregation": "by race"});
    let (status, added) = api_call(
        home,
        "POST",
        &at(&format!("issues/{}/evidence", &issue[..8])),
        Some(&evidence),
        true,
    );
    assert_eq!(
        (status, added["id"].as_str()),
        (201, Some(issue.as_str())),
        "{added}"
    );
    let (status, shared) = api_call(
        home,
        "PUT",
        &at(&format!("issues/{issue}/share")),
        Some(&json!({"rank": 2})),
        true,
    );
    assert_eq!(status, 200, "{shared}");
    let shown = node.json(&["issue", "show", "--coalition", &c, &issue]);
    assert_eq!(shown["evidence"][0]["figure"], "38% of riders");
    assert_eq!(
        shown["ranks"]
            .as_object()
            .unwrap()
            .values()
            .collect::<Vec<_>>(),
        [&json!(2)]
    );
    let (status, _) = api_call(
        home,
        "DELETE",
        &at(&format!("issues/{issue}/share")),
        None,
        true,
    );
    assert_eq!(status, 200);
    let shown = node.json(&["issue", "show", "--coalition", &c, &issue]);
    assert_eq!(shown["ranks"], json!({}));
    assert_refused(
        home,
        "PUT",
        &at(&format!("issues/{issue}/share")),
        &json!({"rank": 11}),
        422,
        "invalid",
    );
    assert_refused(
        home,
        "POST",
        &at(&format!("issues/{issue}/evidence")),
        &json!({"source": "", "figure": "x"}),
        422,
        "invalid",
    );

    let (status, goal) = api_call(
        home,
        "POST",
        &at("charter/goals"),
        Some(&json!({"title": "Fare-free buses", "target": "100", "unit": "percent"})),
        true,
    );
    assert_eq!(status, 201, "{goal}");
    let goal = goal["id"].as_str().unwrap().to_owned();
    let progress = json!({"value": "40", "date": "2026-03-01", "note": "council vote"});
    let (status, _) = api_call(
        home,
        "POST",
        &at(&format!("charter/goals/{goal}/progress")),
        Some(&progress),
        true,
    );
    assert_eq!(status, 201);
    let charter = node.json(&["charter", "show", "--coalition", &c]);
    assert_eq!(charter["goals"][&goal]["progress"][0]["value"], "40");
    assert_refused(
        home,
        "POST",
        &at("charter/goals/ffff/progress"),
        &progress,
        404,
        "not_found",
    );
    assert_refused(
        home,
        "POST",
        &at("charter/goals"),
        &json!({"title": "x", "target": "lots", "unit": "u"}),
        422,
        "invalid",
    );
    drop(daemon);
}
