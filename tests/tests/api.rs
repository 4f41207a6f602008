//! The typed API of a running node: one route per operation family, JSON in and out, errors
//! with a stable code, and the OpenAPI document it serves, the same as the one checked in.
//! (A body over the limit is tested in `api`'s own tests: a real client may see the
//! connection closed before it has sent the whole body.)

use coalesce_tests::{Node, api_call, free_port};
use serde_json::{Value, json};

/// Sends `body` to `path` and checks it is refused with `status` and the error `code`.
fn assert_refused(
    home: &std::path::Path,
    method: &str,
    path: &str,
    body: &Value,
    status: u16,
    code: &str,
) {
    let (got, refused) = api_call(home, method, path, Some(body), true);
    assert_eq!(
        (got, refused["code"].as_str()),
        (status, Some(code)),
        "{method} {path} {body}: {refused}"
    );
}

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
fn proposals_are_opened_listed_shown_and_decided_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let proposals = format!("/v1/coalitions/{c}/proposals");

    let (status, created) = api_call(
        home,
        "POST",
        &proposals,
        Some(
            &json!({"kind": "public-statement", "title": "Endorse fare-free buses",
                     "text": "We endorse\nthe campaign", "closes": "7d"}),
        ),
        true,
    );
    assert_eq!(status, 201, "{created}");
    let first = created["id"].as_str().unwrap().to_owned();
    let second = node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Join the May Day march",
    ]);

    // Newest first, as the command line lists them, and the same records.
    let (status, page) = api_call(home, "GET", &proposals, None, true);
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 2);
    let cli = node.json(&["proposal", "list", "--coalition", &c]);
    assert_eq!(page["proposals"], cli);
    assert_eq!(page["proposals"][0]["id"], second.as_str());
    let (_, statements) = api_call(
        home,
        "GET",
        &format!("{proposals}?kind=public-statement&limit=1"),
        None,
        true,
    );
    assert_eq!(statements["total"], 1);
    assert_eq!(statements["proposals"][0]["id"], first.as_str());

    // A block needs its reason; a stance must be one of the four.
    let position = format!("{proposals}/{}/position", &first[..8]);
    for body in [json!({"stance": "block"}), json!({"stance": "maybe"})] {
        let (status, refused) = api_call(home, "PUT", &position, Some(&body), true);
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["code"], "invalid");
    }
    let (status, taken) = api_call(
        home,
        "PUT",
        &position,
        Some(&json!({"stance": "agree", "reason": "Fares hurt our members"})),
        true,
    );
    assert_eq!(status, 200, "{taken}");
    assert_eq!(taken["id"], first.as_str());
    assert_eq!(taken["outcome"], "passed");
    assert_eq!(taken["tally"]["agree"], 1);
    // Decided: no more positions.
    let (status, refused) = api_call(
        home,
        "PUT",
        &position,
        Some(&json!({"stance": "disagree"})),
        true,
    );
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "conflict");

    // One proposal by a prefix, the record the command line prints, with names.
    let (status, shown) = api_call(
        home,
        "GET",
        &format!("{proposals}/{}", &first[..8]),
        None,
        true,
    );
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["proposal"],
        node.json(&["proposal", "show", "--coalition", &c, &first])
    );
    assert_eq!(shown["proposal"]["text"], "We endorse\nthe campaign");
    let author = shown["proposal"]["author"].as_str().unwrap();
    assert_eq!(shown["names"][author], "Northside Tenants Union");
    assert!(
        node.ok(&["proposal", "show", "--coalition", &c, &first])
            .contains("Fares hurt our members")
    );
    drop(daemon);
}

#[test]
fn pools_are_created_given_to_and_drawn_on_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let pools = format!("/v1/coalitions/{c}/pools");

    let (status, created) = api_call(
        home,
        "POST",
        &pools,
        Some(&json!({"name": "Legal defense fund", "kind": "funds", "unit": "USD"})),
        true,
    );
    assert_eq!(status, 201, "{created}");
    let pool = created["id"].as_str().unwrap().to_owned();
    let entries = format!("{pools}/{}/entries", &pool[..8]);
    node.ok(&["pool", "pledge", "--coalition", &c, &pool, "100"]);
    let (status, given) = api_call(
        home,
        "POST",
        &entries,
        Some(&json!({"kind": "contribution", "amount": "40", "note": "May dues"})),
        true,
    );
    assert_eq!(status, 201, "{given}");
    for (body, code) in [
        (json!({"kind": "gift", "amount": "5"}), "invalid"),
        (json!({"kind": "pledge", "amount": "0"}), "invalid"),
        (json!({"kind": "pledge", "amount": "-3"}), "invalid"),
    ] {
        assert_refused(home, "POST", &entries, &body, 422, code);
    }

    // A request opens its proposal; once it passes, the pool pays it.
    let (status, requested) = api_call(
        home,
        "POST",
        &format!("{pools}/{pool}/requests"),
        Some(&json!({"amount": "30", "reason": "Bus passes for the hearing"})),
        true,
    );
    assert_eq!(status, 201, "{requested}");
    let proposal = requested["proposal"].as_str().unwrap();
    let (status, taken) = api_call(
        home,
        "PUT",
        &format!("/v1/coalitions/{c}/proposals/{proposal}/position"),
        Some(&json!({"stance": "agree"})),
        true,
    );
    assert_eq!(status, 200, "{taken}");
    let (_, shown) = api_call(
        home,
        "GET",
        &format!("/v1/coalitions/{c}/proposals/{proposal}"),
        None,
        true,
    );
    assert_eq!(
        shown["allocation"]["funding"]["status"], "funded",
        "{shown}"
    );
    assert_eq!(shown["allocation"]["pool_name"], "Legal defense fund");

    // The ledger and the list, the same records the command line prints.
    let (status, ledger) = api_call(home, "GET", &format!("{pools}/{pool}"), None, true);
    assert_eq!(status, 200, "{ledger}");
    assert_eq!(
        ledger,
        node.json(&["pool", "ledger", "--coalition", &c, &pool])
    );
    assert_eq!(ledger["balance"], "10");
    assert_eq!(ledger["entries"].as_array().unwrap().len(), 3);
    let (status, listed) = api_call(home, "GET", &pools, None, true);
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed, node.json(&["pool", "list", "--coalition", &c]));
    assert_eq!(listed[0]["pledged"], "100");
    drop(daemon);
}

#[test]
fn meetings_are_recorded_listed_and_shown_through_their_routes() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let daemon = node.run_daemon(free_port());
    let home = node.home();
    let meetings = format!("/v1/coalitions/{c}/meetings");
    let decided = node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Adopt the fare campaign",
    ]);

    let (status, created) = api_call(
        home,
        "POST",
        &meetings,
        Some(&json!({
            "date": "2026-11-20",
            "attendance": ["Northside Tenants Union"],
            "agenda": ["Fare campaign"],
            "minutes": "Agreed to start.",
            "decisions": [&decided[..8]],
        })),
        true,
    );
    assert_eq!(status, 201, "{created}");
    let first = created["id"].as_str().unwrap().to_owned();
    node.ok(&[
        "meeting",
        "add",
        "--coalition",
        &c,
        "--date",
        "2026-12-01",
        "--agenda",
        "Budget",
    ]);
    for (body, status_code, code) in [
        (json!({"date": "20 November"}), 422, "invalid"),
        (
            json!({"date": "2026-11-20", "facilitator": "Nobody"}),
            404,
            "not_found",
        ),
        (
            json!({"date": "2026-11-20", "room": "B"}),
            400,
            "bad_request",
        ),
    ] {
        assert_refused(home, "POST", &meetings, &body, status_code, code);
    }

    // Newest first, a page at a time, the same records the command line lists.
    let (status, page) = api_call(home, "GET", &format!("{meetings}?limit=1"), None, true);
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (page["total"].as_u64(), page["next"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(page["meetings"][0]["agenda"], json!(["Budget"]));
    let (_, all) = api_call(home, "GET", &meetings, None, true);
    assert_eq!(
        all["meetings"],
        node.json(&["meeting", "list", "--coalition", &c])
    );
    let (status, shown) = api_call(
        home,
        "GET",
        &format!("{meetings}/{}", &first[..8]),
        None,
        true,
    );
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["meeting"]["decisions"], json!([decided]));
    let facilitator = shown["meeting"]["facilitator"].as_str().unwrap();
    assert_eq!(shown["names"][facilitator], "Northside Tenants Union");
    drop(daemon);
}

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
        serde_json::from_str(include_str!("../../crates/api/openapi.json")).unwrap();
    assert_eq!(served, checked_in);
    assert!(served["paths"]["/v1/coalitions/{coalition}/issues"]["post"].is_object());
}

/// The promise of the typed operations: a command prints the same (standard output, standard
/// error, exit code) whether it runs on a stopped node's home or through the running node.
#[test]
fn every_command_prints_the_same_through_the_running_node_as_on_a_stopped_one() {
    let node = Node::init("Northside Tenants Union");
    node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--value",
        "solidarity",
    ]);
    let issue = node.ok(&[
        "issue",
        "add",
        "Bus fare equity",
        "--tag",
        "race",
        "--description",
        "Fares\nrose",
    ]);
    node.ok(&[
        "issue", "evidence", &issue, "--source", "Survey", "--figure", "38%",
    ]);
    node.ok(&["issue", "share", &issue, "--rank", "2"]);
    let pool = node.ok(&[
        "pool",
        "create",
        "Legal fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    node.ok(&["pool", "contribute", &pool, "125.50", "--note", "dues"]);
    let p = node.ok(&[
        "proposal",
        "new",
        "--kind",
        "general",
        "Join the march",
        "--closes",
        "7d",
    ]);
    node.ok(&["proposal", "vote", &p, "agree"]);
    node.ok(&[
        "meeting",
        "add",
        "--date",
        "2026-11-20",
        "--minutes",
        "We met.",
        "--agenda",
        "Fares",
    ]);
    node.ok(&[
        "charter",
        "goal",
        "add",
        "Fare-free buses",
        "--target",
        "100",
        "--unit",
        "percent",
    ]);
    let commands: Vec<Vec<&str>> = vec![
        vec!["coalition", "list"],
        vec!["coalition", "list", "--json"],
        vec!["issue", "list"],
        vec!["issue", "list", "--json", "--tag", "race"],
        vec!["issue", "show", &issue],
        vec!["issue", "show", "--json", &issue[..8]],
        vec!["issue", "overlap"],
        vec!["issue", "overlap", "--json"],
        vec!["pool", "list"],
        vec!["pool", "ledger", &pool],
        vec!["pool", "ledger", "--json", &pool],
        vec!["pool", "equity"],
        vec!["proposal", "list"],
        vec!["proposal", "show", &p],
        vec!["proposal", "show", "--json", &p],
        vec!["meeting", "list"],
        vec!["member", "list", "--all"],
        vec!["member", "list", "--json"],
        vec!["charter", "show"],
        vec!["charter", "versions", "--json"],
        vec!["audit", "power"],
        vec!["audit", "aside"],
        vec!["audit", "refused", "--json"],
        vec!["history"],
        vec!["history", "--json", "--record", &issue[..8]],
        // Refusals print the same too.
        vec!["issue", "show", "zzzz"],
        vec!["issue", "show", ""],
        vec!["pool", "ledger", "nope"],
        vec!["charter", "show", "--coalition", "ffff"],
        vec!["join", "--cancel", "abc"],
        vec!["member", "key", "revoke", "not-a-key"],
    ];
    let outputs = || {
        commands
            .iter()
            .map(|args| {
                let out = node.run(args);
                (
                    String::from_utf8_lossy(&out.stdout).into_owned(),
                    String::from_utf8_lossy(&out.stderr).into_owned(),
                    out.status.code(),
                )
            })
            .collect::<Vec<_>>()
    };
    let stopped = outputs();
    let daemon = node.run_daemon(free_port());
    assert!(
        node.ok(&["status"]).contains("Running; API on"),
        "through the node"
    );
    let running = outputs();
    drop(daemon);
    for ((args, a), b) in commands.iter().zip(&stopped).zip(&running) {
        assert_eq!(
            a,
            b,
            "`coalesce {}` printed otherwise through the running node",
            args.join(" ")
        );
    }
    assert!(
        stopped.iter().any(|(_, _, code)| *code == Some(1)),
        "refusals were tried"
    );
}
