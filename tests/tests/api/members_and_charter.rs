//! Members, profiles and removals, the charter and its versions, and reports, history, keys,
//! amendments and leaving, through their routes.

use coalesce_tests::{Node, api_call, free_port};
use serde_json::json;

use super::assert_refused;

#[test]
fn members_are_listed_profiles_updated_and_removals_proposed_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();

    let (status, updated) = api_call(
        home,
        "PATCH",
        &format!("/v1/coalitions/{c}/profile"),
        Some(&json!({"languages": ["es", "en"], "contact": "info@northside.example"})),
        true,
    );
    assert_eq!(status, 200, "{updated}");
    let (status, listed) = api_call(
        home,
        "GET",
        &format!("/v1/coalitions/{c}/members?all=true"),
        None,
        true,
    );
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        listed,
        node.json(&["member", "list", "--coalition", &c, "--all"])
    );
    assert_eq!(listed[0]["id"], updated["id"]);
    assert_eq!(listed[0]["languages"], json!(["es", "en"]));
    assert_eq!(listed[0]["status"], "member");
    for (path, body, status_code, code) in [
        (
            "members/Nobody/removal",
            json!({"reason": "Left"}),
            404,
            "not_found",
        ),
        (
            "members/Northside/removal",
            json!({"reason": "Left", "closes": "soon"}),
            422,
            "invalid",
        ),
        ("profile", json!({"name": "x".repeat(201)}), 422, "invalid"),
        ("profile", json!({"website": "x"}), 400, "bad_request"),
    ] {
        let method = if path == "profile" { "PATCH" } else { "POST" };
        let path = format!("/v1/coalitions/{c}/{path}");
        assert_refused(home, method, &path, &body, status_code, code);
    }
    drop(daemon);
}

#[test]
fn the_charter_and_its_versions_are_read_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--value",
        "solidarity",
    ]);
    node.ok(&[
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
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let (status, shown) = api_call(
        home,
        "GET",
        &format!("/v1/coalitions/{c}/charter"),
        None,
        true,
    );
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["charter"],
        node.json(&["charter", "show", "--coalition", &c])
    );
    assert_eq!(shown["charter"]["values"], json!(["solidarity"]));
    let founder = shown["charter"]["roles"]["facilitator_rotation"][0]
        .as_str()
        .unwrap();
    assert_eq!(shown["names"][founder], "Northside Tenants Union");
    let (status, versions) = api_call(
        home,
        "GET",
        &format!("/v1/coalitions/{c}/charter/versions"),
        None,
        true,
    );
    assert_eq!(status, 200, "{versions}");
    assert_eq!(
        versions["versions"],
        node.json(&["charter", "versions", "--coalition", &c])
    );
    assert_eq!(versions["versions"][0]["number"], 1);
    let (status, refused) = api_call(home, "GET", "/v1/coalitions/ffff/charter", None, true);
    assert_eq!((status, refused["code"].as_str()), (404, Some("not_found")));
    drop(daemon);
}

#[test]
fn reports_history_keys_amendments_and_leaving_go_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let issue = node.ok(&["issue", "add", "--coalition", &c, "Bus fare equity"]);
    node.ok(&["issue", "share", "--coalition", &c, &issue, "--rank", "1"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let at = |rest: &str| format!("/v1/coalitions/{c}/{rest}");
    let get = |path: &str| {
        let (status, v) = api_call(home, "GET", path, None, true);
        assert_eq!(status, 200, "{path}: {v}");
        v
    };

    // Each report is what the command line prints as JSON.
    let overlap = get(&at("reports/overlap"));
    assert_eq!(
        overlap["report"],
        node.json(&["issue", "overlap", "--coalition", &c])
    );
    assert_eq!(overlap["members"], 1);
    let equity = get(&at("reports/equity"));
    assert_eq!(
        equity["report"],
        node.json(&["pool", "equity", "--coalition", &c])
    );
    let power = get(&at("reports/power"));
    assert_eq!(
        power["report"]["members"][0]["name"],
        "Northside Tenants Union"
    );

    let history = get(&at(&format!("history?record={}", &issue[..8])));
    assert_eq!(
        history["entries"],
        node.json(&["history", "--coalition", &c, "--record", &issue])
    );
    assert_eq!(history["entries"].as_array().unwrap().len(), 2, "{history}");
    let change = history["entries"][0]["change"].as_str().unwrap().to_owned();
    node.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--title",
        "Fares",
    ]);
    let (status, restored) = api_call(
        home,
        "POST",
        &at("history/restore"),
        Some(&json!({"record": issue, "field": "title", "change": change})),
        true,
    );
    assert_eq!(status, 201, "{restored}");
    assert_eq!(
        node.json(&["issue", "show", "--coalition", &c, &issue])["title"],
        "Bus fare equity"
    );
    assert_eq!(get(&at("aside"))["kept"], json!([]));
    assert_eq!(get("/v1/refused"), json!([]));

    let keys = get(&at("keys"));
    assert_eq!(keys[0]["kind"], "this node", "{keys}");
    let other = "a".repeat(64);
    let (status, _) = api_call(
        home,
        "POST",
        &at("keys"),
        Some(&json!({"key": other})),
        true,
    );
    assert_eq!(status, 201);
    assert_eq!(get(&at("keys")).as_array().unwrap().len(), 2);
    let (status, _) = api_call(home, "DELETE", &at(&format!("keys/{other}")), None, true);
    assert_eq!(status, 200);
    assert_refused(
        home,
        "POST",
        &at("keys"),
        &json!({"key": "nope"}),
        422,
        "invalid",
    );

    let amendment = json!({"add_values": ["solidarity"], "rules": ["general=majority"]});
    let (status, made) = api_call(
        home,
        "POST",
        &at("charter/amendments"),
        Some(&amendment),
        true,
    );
    assert_eq!(status, 201, "{made}");
    let shown = node.json(&[
        "proposal",
        "show",
        "--coalition",
        &c,
        made["id"].as_str().unwrap(),
    ]);
    assert_eq!(shown["kind"], "amendment");
    assert_eq!(
        shown["title"],
        "Amend the charter: add value \u{201c}solidarity\u{201d}; general=majority@1/2"
    );
    assert_refused(
        home,
        "POST",
        &at("charter/amendments"),
        &json!({"rules": ["general=whim"]}),
        422,
        "invalid",
    );

    // The only member cannot leave: the coalition would have no one in it.
    let (status, refused) = api_call(home, "POST", &at("leave"), None, true);
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("forbidden")),
        "{refused}"
    );
    drop(daemon);
}
