//! Errors as JSON with a stable code, and the OpenAPI document the node serves.

use coalesce_tests::{Node, api_call, free_port};
use serde_json::json;

#[test]
fn api_errors_are_json_with_a_stable_code() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let _daemon = node.run_daemon(free_port());
    let home = node.home();
    let issues = format!("/v1/coalitions/{c}/issues");
    let code = |(status, body): (u16, serde_json::Value)| {
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "every error has a message: {body}"
        );
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    };

    let cases = [
        (
            api_call(home, "GET", &issues, None, false),
            401,
            "unauthorized",
        ),
        (
            api_call(home, "GET", "/v1/coalitions/ffffffff/issues", None, true),
            404,
            "not_found",
        ),
        (
            api_call(home, "POST", &issues, Some(&json!({"title": " "})), true),
            422,
            "invalid",
        ),
        (
            api_call(home, "POST", &issues, Some(&json!({"titel": "typo"})), true),
            400,
            "bad_request",
        ),
        (
            api_call(home, "GET", &format!("{issues}?status=maybe"), None, true),
            422,
            "invalid",
        ),
        (
            api_call(home, "GET", &format!("{issues}?limit=many"), None, true),
            400,
            "bad_request",
        ),
        (
            api_call(home, "GET", &format!("{issues}/0000"), None, true),
            404,
            "not_found",
        ),
        (
            api_call(home, "GET", "/v1/nothing/here", None, true),
            404,
            "not_found",
        ),
        (
            api_call(home, "DELETE", &format!("{issues}/0000"), None, true),
            405,
            "wrong_method",
        ),
    ];
    for (answer, status, expected) in cases {
        assert_eq!(code(answer), (status, expected.to_owned()));
    }
    // A member that is not in force cannot be named lead; the message is the command line's.
    let (status, body) = api_call(
        home,
        "POST",
        &issues,
        Some(&json!({"title": "Fares", "lead": "Nobody"})),
        true,
    );
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    assert!(
        body["message"].as_str().unwrap().contains("Nobody"),
        "{body}"
    );
}

#[test]
fn the_node_serves_the_openapi_document_that_is_checked_in() {
    let node = Node::init("Northside Tenants Union");
    let _daemon = node.run_daemon(free_port());
    let (status, served) = api_call(node.home(), "GET", "/v1/openapi.json", None, false);
    assert_eq!(status, 200);
    let checked_in: serde_json::Value =
        serde_json::from_str(include_str!("../../../crates/api/openapi.json")).unwrap();
    assert_eq!(served, checked_in);
    assert!(served["paths"]["/v1/coalitions/{coalition}/issues"]["post"].is_object());
}
