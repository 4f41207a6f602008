//! Proposals opened and decided, pools given to and drawn on, and meetings recorded, through
//! their routes.

use coalesce_tests::{Node, api_call, free_port};
use serde_json::json;

use super::assert_refused;

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
    // Filtered by days and by who was there, through the API and the command line alike.
    let (status, since) = api_call(
        home,
        "GET",
        &format!("{meetings}?from=2026-11-25&member=northside%20tenants%20union"),
        None,
        true,
    );
    assert_eq!(status, 200, "{since}");
    assert_eq!(since["total"], 1);
    assert_eq!(
        since["meetings"],
        node.json(&[
            "meeting",
            "list",
            "--coalition",
            &c,
            "--from",
            "2026-11-25",
            "--member",
            "Northside Tenants Union",
        ])
    );
    let (status, refused) = api_call(home, "GET", &format!("{meetings}?to=someday"), None, true);
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("invalid")),
        "{refused}"
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
