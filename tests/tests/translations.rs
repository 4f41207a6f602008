//! Translations between real nodes: one member translates another's issue; the translation
//! reaches every node with its translator, the listing says what still lacks one, and the
//! web UI shows each reader its language with the original a click away.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Node, eventually, free_port};

#[test]
fn a_translation_reaches_every_node_with_its_translator_and_what_lacks_one_is_counted() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Familias Unidas");
    let _da = a.run_daemon(free_port());
    let _db = b.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    a.ok(&["member", "update", "--coalition", &c, "--language", "en"]);
    b.ok(&[
        "member",
        "update",
        "--coalition",
        &c,
        "--language",
        "es",
        "--language",
        "en",
    ]);
    let issue = a.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fares are too high",
        "--description",
        "Riders pay 9% of income.",
    ]);
    a.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Night buses stop too early",
    ]);
    b.wait_for(
        20,
        "the issue to reach B",
        &["issue", "show", "--coalition", &c, &issue],
    );

    let before = a.ok(&["translations", "--coalition", &c, "--lang", "es"]);
    assert!(
        before.contains("2 issues not yet in Spanish (es)"),
        "{before}"
    );

    let key = b.ok(&[
        "translate",
        "--coalition",
        &c,
        &issue[..8],
        "--field",
        "title",
        "--lang",
        "es",
        "Los pasajes del autobús son muy caros",
    ]);
    assert_eq!(key, format!("issues/{issue}/title@es"));
    b.ok(&[
        "translate",
        "--coalition",
        &c,
        &issue,
        "--field",
        "description",
        "--lang",
        "es",
        "--machine",
        "Los pasajeros pagan el 9% de sus ingresos.",
    ]);
    let seen = eventually(20, "B's translations to reach A", || {
        let v = a.json(&["translations", "--coalition", &c, "--lang", "es"]);
        (v["translations"].as_array()?.len() == 2).then_some(v)
    });
    let title = seen["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["translation"]["target"] == format!("issues/{issue}/title"))
        .unwrap();
    assert_eq!(
        title["translation"]["text"],
        "Los pasajes del autobús son muy caros"
    );
    assert_eq!(title["translation"]["machine"], false);
    assert_eq!(title["by_name"], "Familias Unidas");
    assert_eq!(title["original"], "Bus fares are too high");
    assert_eq!(title["original_lang"], "en");
    let after = a.ok(&["translations", "--coalition", &c, "--lang", "es"]);
    assert!(after.contains("1 issue not yet in Spanish (es)"), "{after}");
    // The issue listing's count, read from the issues' headers: the same.
    let (status, count) = coalesce_tests::api_call(
        a.home(),
        "GET",
        &format!("/v1/coalitions/{c}/translations?lang=es&issues_missing=true"),
        None,
        true,
    );
    assert_eq!(status, 200, "{count}");
    assert_eq!(count["missing"][0]["count"], 1, "{count}");
    assert_eq!(count["missing"][0]["kind"], "issues");
    // As each listing asks, of every language the members work in.
    let (status, each) = coalesce_tests::api_call(
        a.home(),
        "GET",
        &format!("/v1/coalitions/{c}/translations?missing_of=issues"),
        None,
        true,
    );
    assert_eq!(status, 200, "{each}");
    let es = each["missing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["lang"] == "es")
        .cloned();
    assert_eq!(es, Some(count["missing"][0].clone()), "{each}");
    assert!(
        after.contains("machine") && after.contains("Familias Unidas"),
        "{after}"
    );

    // A key longer than an id (a piece of evidence, named by its figure's digest) travels too.
    a.ok(&[
        "issue",
        "evidence",
        "--coalition",
        &c,
        &issue,
        "--source",
        "Rider survey",
        "--figure",
        "9% of income goes to fares",
    ]);
    b.wait_for(
        20,
        "the evidence to reach B",
        &[
            "translate",
            "--coalition",
            &c,
            &issue,
            "--field",
            "evidence:1",
            "--lang",
            "es",
            "El 9% de los ingresos se va en pasajes",
        ],
    );
    eventually(20, "the evidence's translation to reach A", || {
        let v = a.json(&["translations", "--coalition", &c, "--record", &issue]);
        (v["translations"].as_array()?.len() == 3).then_some(())
    });
    assert!(a.json(&["audit", "refused"]).as_array().unwrap().is_empty());

    // A goal's title, named from the charter as goal:ID.
    let goal = a.ok(&[
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
    b.wait_for(
        20,
        "the goal to reach B",
        &[
            "translate",
            "--coalition",
            &c,
            "charter",
            "--field",
            &format!("goal:{}", &goal[..8]),
            "--lang",
            "es",
            "Autobuses gratis",
        ],
    );
    eventually(20, "the goal's translation to reach A", || {
        let v = a.json(&["translations", "--coalition", &c, "--record", "charter"]);
        v["translations"]
            .as_array()?
            .iter()
            .any(|t| t["translation"]["target"] == format!("charter/goals/{goal}/title"))
            .then_some(())
    });

    // Once the original says something else, the translation is of an earlier version: it
    // is listed as not current, and the title counts as lacking one again.
    a.ok(&[
        "issue",
        "edit",
        "--coalition",
        &c,
        &issue,
        "--title",
        "Bus fares are far too high",
    ]);
    let edited = a.json(&["translations", "--coalition", &c, "--lang", "es"]);
    let title = edited["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["translation"]["target"] == format!("issues/{issue}/title"))
        .unwrap();
    assert_eq!(title["current"], false, "{edited}");
    let after_edit = a.ok(&["translations", "--coalition", &c, "--lang", "es"]);
    assert!(
        after_edit.contains("2 issues not yet in Spanish (es)"),
        "{after_edit}"
    );

    // Only its author may change it; A's node writing its own into the same field is its own.
    let refused = a.run(&[
        "translate",
        "--coalition",
        &c,
        &issue,
        "--field",
        "status",
        "--lang",
        "es",
        "x",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a translatable field"));
    let bad_lang = a.run(&[
        "translate",
        "--coalition",
        &c,
        &issue,
        "--field",
        "title",
        "--lang",
        "spanish",
        "x",
    ]);
    assert!(String::from_utf8_lossy(&bad_lang.stderr).contains("language code"));
}
