//! Coalitions listed and founded, invites made and joins, through their routes.

use coalesce_tests::{Node, api_call, free_port};
use serde_json::json;

use super::assert_refused;

#[test]
fn invites_and_joins_go_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let (status, made) = api_call(
        home,
        "POST",
        &format!("/v1/coalitions/{}/invites", &c[..8]),
        Some(&json!({"expires": "2d"})),
        true,
    );
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["coalition"], c.as_str());
    assert!(
        made["code"]
            .as_str()
            .unwrap()
            .starts_with("coalesce-invite-"),
        "{made}"
    );
    // This node's own invite is refused for joining, with the reason.
    assert_refused(
        home,
        "POST",
        "/v1/joins",
        &json!({"code": made["code"]}),
        422,
        "invalid",
    );
    assert_refused(
        home,
        "POST",
        "/v1/joins",
        &json!({"code": "hello"}),
        422,
        "invalid",
    );
    let (status, joins) = api_call(home, "GET", "/v1/joins", None, true);
    assert_eq!((status, joins), (200, json!([])));
    let (status, refused) = api_call(home, "DELETE", "/v1/joins/ffff", None, true);
    assert_eq!(
        (status, refused["code"].as_str()),
        (404, Some("not_found")),
        "{refused}"
    );
    let (status, stage) = api_call(home, "GET", &format!("/v1/joins/{c}"), None, true);
    assert_eq!(
        (status, stage["stage"].as_str()),
        (200, Some("joined")),
        "{stage}"
    );
    drop(daemon);
}

#[test]
fn coalitions_are_listed_and_founded_through_their_route() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    node.ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let (status, created) = api_call(
        home,
        "POST",
        "/v1/coalitions",
        Some(&json!({"name": "Housing Now", "values": ["solidarity"], "equity_threshold": "2/3"})),
        true,
    );
    assert_eq!(status, 201, "{created}");
    let (status, listed) = api_call(home, "GET", "/v1/coalitions", None, true);
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed, node.json(&["coalition", "list"]));
    assert_eq!(listed[0]["id"], created["id"], "by name");
    assert_eq!(listed[1]["issues"], 1);
    assert_eq!(listed[1]["members"], 1);
    for (body, status_code, code) in [
        (
            json!({"name": "Transit", "equity_threshold": "lots"}),
            422,
            "invalid",
        ),
        (json!({"name": " "}), 422, "invalid"),
        (json!({"name": "Transit", "rules": []}), 400, "bad_request"),
    ] {
        assert_refused(home, "POST", "/v1/coalitions", &body, status_code, code);
    }
    drop(daemon);
}
