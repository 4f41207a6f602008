//! Every page of the web UI in a real headless Chromium (Debian's, driven by playwright-core
//! from `tests/js/ui.mjs`), on a coalition shaped like a real one — two member organizations'
//! nodes, 50 issues with descriptions, tags, shares and evidence, one title written to attack
//! the page — in English and Spanish at 320 and 1280 px: axe-core finds no WCAG 2.2 A/AA
//! violation, each page has its `lang`, one h1, a main landmark and a skip link, nothing
//! scrolls sideways and nothing is loaded from outside the node; then, with the keyboard alone
//! and in both languages, an issue is raised and shared with a rank, a proposal is blocked
//! with a reason, an amount is pledged to a pool, and a meeting is recorded; and an open
//! page shows, within a second, an issue another member's node raised, without disturbing
//! what is being typed; a progress report is opened in the other language with the keyboard,
//! its own policy lets its stylesheet apply, and printed at the width of an A4 and of a Letter
//! page nothing is wider than the page. Screenshots of every page
//! land in `target/ui-screenshots/`.

use coalesce_tests::{Node, api_call, eventually, free_port};
use serde_json::json;

const TAGS: [&str; 6] = [
    "race",
    "disability",
    "housing",
    "class",
    "language",
    "transit",
];

#[test]
fn every_page_passes_axe_in_both_languages_and_widths_and_works_by_keyboard() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let (pa, pb) = (free_port(), free_port());
    let da = a.run_daemon(pa);
    let db = b.run_daemon(pb);
    let c = a.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses for every neighborhood",
    ]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);

    let issues = format!("/v1/coalitions/{c}/issues");
    let mut ids = Vec::new();
    for n in 0..50 {
        let title = if n == 7 {
            "<script>alert(1)</script><img src=x onerror=alert(2)>".to_owned()
        } else {
            format!("Bus fare equity in district {n}")
        };
        let body = json!({
            "title": title,
            "description": format!(
                "Riders in district {n} spend a larger share of their income on fares than \
                 riders elsewhere; the 2025 transit survey, disaggregated by race, income and \
                 disability, shows the gap widening since the last fare increase."
            ),
            "tags": [TAGS[n % 6], TAGS[(n + 1) % 6], TAGS[(n + 3) % 6]],
        });
        let (status, made) = api_call(a.home(), "POST", &issues, Some(&body), true);
        assert_eq!(status, 201, "{made}");
        ids.push(made["id"].as_str().unwrap().to_owned());
    }
    let shown = ids[3].clone();
    // A poll over five issues closing within a minute, for the inventory in the order it
    // decides: both members cast a ballot while it is open, and the pages are visited once
    // it has closed.
    let (status, made) = api_call(
        a.home(),
        "POST",
        &format!("/v1/coalitions/{c}/proposals"),
        Some(
            &json!({"kind": "general", "title": "Our priorities for 2027", "closes": "1m",
            "method": "dots:6", "issues": &ids[..5]}),
        ),
        true,
    );
    assert_eq!(status, 201, "{made}");
    let ranking = made["id"].as_str().unwrap().to_owned();
    let (status, cast) = api_call(
        a.home(),
        "PUT",
        &format!("/v1/coalitions/{c}/proposals/{ranking}/ballot"),
        Some(&json!({"dots": ["2=4", "5=2"]})),
        true,
    );
    assert_eq!(status, 200, "{cast}");
    eventually(20, "the poll over issues to reach B", || {
        b.succeeds(&["proposal", "show", "--coalition", &c, &ranking])
            .then_some(())
    });
    b.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &ranking,
        "--dots",
        "1=3,3=3",
    ]);
    for (i, id) in ids.iter().enumerate().take(12) {
        let (status, _) = api_call(
            a.home(),
            "PUT",
            &format!("{issues}/{id}/share"),
            Some(&json!({"rank": 1 + (i % 10)})),
            true,
        );
        assert_eq!(status, 200);
    }
    let (status, _) = api_call(
        a.home(),
        "POST",
        &format!("{issues}/{shown}/evidence"),
        Some(&json!({
            "source": "Transit survey 2025",
            "figure": "fares take 9% of income",
            "disaggregation": "by race and income",
        })),
        true,
    );
    assert_eq!(status, 201);
    // The second member's node shares one too, and translates its title and description into
    // Spanish (a machine made the second); A sees them.
    b.ok(&["issue", "share", "--coalition", &c, &shown, "--rank", "2"]);
    b.ok(&[
        "translate",
        "--coalition",
        &c,
        &shown,
        "--field",
        "title",
        "--lang",
        "es",
        "Equidad en las tarifas del distrito 3",
    ]);
    b.ok(&[
        "translate",
        "--coalition",
        &c,
        &shown,
        "--field",
        "description",
        "--lang",
        "es",
        "--machine",
        "Los pasajeros del distrito 3 gastan una parte mayor de sus ingresos en tarifas.",
    ]);
    eventually(20, "B's translations to reach A", || {
        let v = a.json(&["translations", "--coalition", &c, "--record", &shown]);
        (v["translations"].as_array()?.len() == 2).then_some(())
    });
    eventually(20, "B's share to reach A", || {
        let (_, issue) = api_call(a.home(), "GET", &format!("{issues}/{shown}"), None, true);
        (issue["issue"]["ranks"].as_object()?.len() == 2).then_some(())
    });

    // Proposals in every state: passed, blocked, open with a closing date, and one open
    // for each language's keyboard walkthrough.
    let proposals = format!("/v1/coalitions/{c}/proposals");
    let mut open = |kind: &str, title: &str, closes: Option<&str>| {
        let body = json!({"kind": kind, "title": title, "text": "Members agreed at the assembly to bring this to a decision.", "closes": closes});
        let (status, made) = api_call(a.home(), "POST", &proposals, Some(&body), true);
        assert_eq!(status, 201, "{made}");
        made["id"].as_str().unwrap().to_owned()
    };
    let passed = open("general", "Endorse the May Day fare strike", None);
    let blocked = open("public-statement", "Statement on the bus cuts", None);
    let closing = open("general", "Join the regional transit alliance", Some("30d"));
    let walk_en = open("general", "Co-sign the letter to the transit board", None);
    let walk_es = open("general", "Firmar la carta a la junta de transporte", None);
    let _ = &mut open;
    // A poll, with a ballot cast.
    let (status, made) = api_call(
        a.home(),
        "POST",
        &proposals,
        Some(
            &json!({"kind": "general", "title": "Which demand first?", "closes": "30d",
            "method": "ranked", "options": ["Fare-free buses", "Half fares", "Free transfers"]}),
        ),
        true,
    );
    assert_eq!(status, 201, "{made}");
    let poll = made["id"].as_str().unwrap().to_owned();
    let (status, cast) = api_call(
        a.home(),
        "PUT",
        &format!("{proposals}/{poll}/ballot"),
        Some(&json!({"rank": ["2", "Fare-free buses"]})),
        true,
    );
    assert_eq!(status, 200, "{cast}");
    // A poll without a ballot: its form sent empty is refused (pick one at least).
    let (status, made) = api_call(
        a.home(),
        "POST",
        &proposals,
        Some(
            &json!({"kind": "general", "title": "Which banners to print?", "closes": "30d",
            "method": "choose:1-2", "options": ["Fares", "Routes", "Safety"]}),
        ),
        true,
    );
    assert_eq!(status, 201, "{made}");
    let choose = made["id"].as_str().unwrap().to_owned();
    api_call(
        a.home(),
        "PUT",
        &format!("{proposals}/{passed}/position"),
        Some(&json!({"stance": "agree"})),
        true,
    );
    eventually(20, "the proposals to reach B", || {
        b.succeeds(&["proposal", "show", "--coalition", &c, &walk_es])
            .then_some(())
    });
    b.ok(&["proposal", "vote", "--coalition", &c, &passed, "agree"]);
    b.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &blocked,
        "block",
        "--reason",
        "We are nonpartisan: <b>no statements</b> on elections.",
    ]);
    b.ok(&["proposal", "vote", "--coalition", &c, &closing, "abstain"]);
    eventually(20, "B's positions to reach A", || {
        let taken = |id: &str| {
            let (_, p) = api_call(a.home(), "GET", &format!("{proposals}/{id}"), None, true);
            p["proposal"]["positions"]
                .as_object()
                .map_or(0, |o| o.len())
        };
        (taken(&passed) == 2 && taken(&blocked) == 1 && taken(&closing) == 1).then_some(())
    });

    // A pool with a ledger of two pages: both members pledge and give.
    let pools = format!("/v1/coalitions/{c}/pools");
    let (status, made) = api_call(
        a.home(),
        "POST",
        &pools,
        Some(&json!({"name": "Legal defense fund", "kind": "funds", "unit": "USD"})),
        true,
    );
    assert_eq!(status, 201, "{made}");
    let pool = made["id"].as_str().unwrap().to_owned();
    for n in 0..60 {
        let kind = if n % 3 == 0 { "contribution" } else { "pledge" };
        let body = json!({"kind": kind, "amount": format!("{}.50", 100 + n * 7), "note": format!("Spring dinner, table {n}")});
        let (status, _) = api_call(
            a.home(),
            "POST",
            &format!("{pools}/{pool}/entries"),
            Some(&body),
            true,
        );
        assert_eq!(status, 201);
    }

    // The charter amended once (both members agree): two versions to compare.
    let amendment = a.ok(&[
        "charter",
        "amend",
        "--coalition",
        &c,
        "--add-value",
        "Disability justice",
        "--frame",
        "Fare-free, accessible buses for every neighborhood, decided together.",
        // Weights: the charter page's table of them, and the comparison's line.
        "--weight",
        "general:Eastside Disability Justice=3",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &amendment, "agree"]);
    eventually(20, "the amendment to reach B", || {
        b.succeeds(&["proposal", "show", "--coalition", &c, &amendment])
            .then_some(())
    });
    b.ok(&["proposal", "vote", "--coalition", &c, &amendment, "agree"]);
    eventually(20, "the second version to reach A", || {
        let (_, charter) = api_call(
            a.home(),
            "GET",
            &format!("/v1/coalitions/{c}/charter"),
            None,
            true,
        );
        (charter["charter"]["version"] == 2).then_some(())
    });

    // A link with a national coalition, passed by both (the amendment rule, consensus): the
    // charter page says it, its proposal page what it decides.
    let link = a.ok(&[
        "link",
        "propose",
        "--coalition",
        &c,
        "--with",
        "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e",
        "--name",
        "National <Transit> Alliance",
        "--relation",
        "parent",
        "--publish",
        "issue,pool,goal",
        "--accept",
        "call",
        "--roster",
        "3f2a000000000000000000000000000000000000000000000000000000000001",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &link, "agree"]);
    b.wait_for(
        20,
        "the link proposal to reach B",
        &["proposal", "vote", "--coalition", &c, &link, "agree"],
    );
    eventually(20, "the link to be in force on A", || {
        let (_, links) = api_call(
            a.home(),
            "GET",
            &format!("/v1/coalitions/{c}/links"),
            None,
            true,
        );
        (links["links"].as_array()?.len() == 1).then_some(())
    });

    // A meeting recorded, linked to the passed proposal.
    let (status, made) = api_call(
        a.home(),
        "POST",
        &format!("/v1/coalitions/{c}/meetings"),
        Some(&json!({
            "date": "2026-11-30",
            "attendance": ["Northside Tenants Union", "Eastside Disability Justice"],
            "agenda": ["Fare strike", "Budget"],
            "minutes": "Agreed to join the strike; the budget waits for the survey.",
            "decisions": [passed],
        })),
        true,
    );
    assert_eq!(status, 201, "{made}");
    let meeting = made["id"].as_str().unwrap().to_owned();

    // A meeting's times proposed, answered by both members.
    let plan = a.ok(&[
        "meeting",
        "plan",
        "--coalition",
        &c,
        "--title",
        "Spring assembly",
        "--slot",
        "2026-12-10 18:00",
        "--slot",
        "2026-12-12 10:00",
    ]);
    a.ok(&[
        "meeting",
        "answer",
        "--coalition",
        &c,
        &plan,
        "yes",
        "if-needed",
    ]);
    b.wait_for(
        20,
        "the plan to reach B",
        &["meeting", "answer", "--coalition", &c, &plan, "no", "yes"],
    );

    // A goal measured three times: the progress report draws its chart.
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
    for (day, value) in [
        ("2026-03-01", "10"),
        ("2026-06-01", "25"),
        ("2026-09-01", "40"),
    ] {
        a.ok(&[
            "charter",
            "goal",
            "progress",
            "--coalition",
            &c,
            &goal,
            "--value",
            value,
            "--date",
            day,
            "--note",
            "Routes made free",
        ]);
    }

    // A national coalition on A's node taking a region as its affiliate (both A's alone): the
    // node carries the region's statements across by itself; names and titles written to
    // test escaping.
    let national = a.ok(&["coalition", "create", "National <Housing> Alliance"]);
    let region = a.ok(&["coalition", "create", "Valley Housing"]);
    let region_goal = a.ok(&[
        "charter",
        "goal",
        "add",
        "--coalition",
        &region,
        "Homes <b>kept</b>",
        "--target",
        "100",
        "--unit",
        "homes",
    ]);
    a.ok(&[
        "charter",
        "goal",
        "progress",
        "--coalition",
        &region,
        &region_goal,
        "--value",
        "35",
        "--date",
        "2026-11-20",
    ]);
    let region_issue = a.ok(&[
        "issue",
        "add",
        "--coalition",
        &region,
        "Evictions <i>up</i>",
        "--tag",
        "evictions",
    ]);
    a.ok(&[
        "issue",
        "share",
        "--coalition",
        &region,
        &region_issue,
        "--rank",
        "1",
    ]);
    let roster = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &region,
        "--kind",
        "roster",
    ]);
    let national_roster = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &national,
        "--kind",
        "roster",
    ]);
    let up = a.ok(&[
        "link",
        "propose",
        "--coalition",
        &region,
        "--with",
        &national,
        "--name",
        "National <Housing> Alliance",
        "--relation",
        "parent",
        "--publish",
        "issue,goal,mandate",
        "--threshold",
        "1",
        "--accept",
        "call",
        "--their-threshold",
        "1",
        "--roster",
        &national_roster,
    ]);
    a.ok(&["proposal", "vote", "--coalition", &region, &up, "agree"]);
    for (kind, record) in [("goal", &region_goal), ("issue", &region_issue)] {
        a.ok(&[
            "statement",
            "draft",
            "--coalition",
            &region,
            "--kind",
            kind,
            "--record",
            record,
        ]);
    }
    let down = a.ok(&[
        "link",
        "propose",
        "--coalition",
        &national,
        "--with",
        &region,
        "--name",
        "Valley <script>Housing</script>",
        "--relation",
        "affiliate",
        "--accept",
        "issue,goal,mandate",
        "--their-threshold",
        "1",
        "--roster",
        &roster,
        "--publish",
        "call",
        "--threshold",
        "1",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &national, &down, "agree"]);
    eventually(
        60,
        "A's node to carry the region's statements across",
        || {
            let got = a.json(&["statement", "received", "--coalition", &national]);
            (got["statements"].as_array()?.len() == 2).then_some(())
        },
    );
    // A national question called down; the region's own decision comes back as its position.
    let question = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &national,
        "--kind",
        "general",
        "Back the <national> rent cap",
        "--closes",
        "7d",
    ]);
    let call = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &national,
        "--kind",
        "call",
        "--record",
        &question,
    ]);
    a.wait_for(
        60,
        "the call to reach the region",
        &["statement", "verify", "--coalition", &region, &call],
    );
    // The region answers with a proposal of its own; decided, its outcome is drafted as its
    // position by A's node on its own.
    let answer = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &region,
        "--kind",
        "general",
        "Back the cap",
        "--answers",
        &call[..12],
    ]);
    a.ok(&["proposal", "vote", "--coalition", &region, &answer, "agree"]);
    // A second call, not answered yet: the region's proposals page offers to answer it.
    let second = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &national,
        "--kind",
        "general",
        "Join the <national> day of action",
        "--text",
        "<b>March</b> with us",
        "--closes",
        "7d",
    ]);
    let second_call = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &national,
        "--kind",
        "call",
        "--record",
        &second,
    ]);
    a.wait_for(
        60,
        "the second call to reach the region",
        &["statement", "verify", "--coalition", &region, &second_call],
    );
    eventually(60, "the region's position to reach the nation", || {
        let t = a.json(&["link", "mandates", "--coalition", &national, &question]);
        (t["weight_silent"] == 0).then_some(())
    });

    eventually(
        90,
        "the poll over issues to close and order the inventory",
        || {
            let (_, page) = api_call(
                a.home(),
                "GET",
                &format!("{issues}?by=priority&limit=1"),
                None,
                true,
            );
            page["priority"].is_object().then_some(())
        },
    );
    let pages = json!([
        {"name": "home", "path": "/"},
        {"name": "new-coalition", "path": "/coalitions/new"},
        {"name": "issues", "path": format!("/c/{c}/issues")},
        {"name": "issues-by-age", "path": format!("/c/{c}/issues?by=age")},
        {"name": "proposal-issue-poll", "path": format!("/c/{c}/proposals/{ranking}")},
        {"name": "issues-page-2", "path": format!("/c/{c}/issues?offset=25")},
        {"name": "issues-filtered", "path": format!("/c/{c}/issues?tag=disability&status=raised")},
        {"name": "issue", "path": format!("/c/{c}/issues/{shown}")},
        {"name": "issue-edit", "path": format!("/c/{c}/issues/{shown}/edit")},
        {"name": "hostile-issue", "path": format!("/c/{c}/issues/{}", ids[7])},
        {"name": "proposals", "path": format!("/c/{c}/proposals")},
        {"name": "proposals-waiting", "path": format!("/c/{c}/proposals?waiting=1")},
        {"name": "proposal-passed", "path": format!("/c/{c}/proposals/{passed}")},
        {"name": "proposal-blocked", "path": format!("/c/{c}/proposals/{blocked}")},
        {"name": "proposal-open", "path": format!("/c/{c}/proposals/{closing}")},
        {"name": "proposal-poll", "path": format!("/c/{c}/proposals/{poll}")},
        {"name": "proposal-choose", "path": format!("/c/{c}/proposals/{choose}")},
        {"name": "charter", "path": format!("/c/{c}/charter")},
        {"name": "proposal-link", "path": format!("/c/{c}/proposals/{link}")},
        {"name": "affiliates", "path": format!("/c/{national}/affiliates")},
        {"name": "proposal-mandates", "path": format!("/c/{national}/proposals/{question}")},
        {"name": "affiliates-none", "path": format!("/c/{c}/affiliates")},
        {"name": "region-calls", "path": format!("/c/{region}/proposals")},
        {"name": "proposal-answers", "path": format!("/c/{region}/proposals/{answer}")},
        {"name": "charter-amend", "path": format!("/c/{c}/charter/amend")},
        {"name": "history", "path": format!("/c/{c}/history")},
        {"name": "issue-history", "path": format!("/c/{c}/history?record={shown}")},
        {"name": "refused", "path": "/refused"},
        {"name": "members", "path": format!("/c/{c}/members")},
        {"name": "members-filtered", "path": format!("/c/{c}/members?find=disability&standing=member")},
        {"name": "members-none-match", "path": format!("/c/{c}/members?find=nobody&standing=former")},
        {"name": "refused-none-match", "path": "/refused?peer=00"},
        {"name": "pools-none-match", "path": format!("/c/{c}/pools?kind=space")},
        {"name": "pool-filtered", "path": format!("/c/{c}/pools/{pool}?kind=pledge")},
        {"name": "meetings-date-error", "path": format!("/c/{c}/meetings?from=someday")},
        {"name": "charter-compare", "path": format!("/c/{c}/charter?from=1&to=2")},
        {"name": "meetings", "path": format!("/c/{c}/meetings")},
        {"name": "meeting", "path": format!("/c/{c}/meetings/{meeting}")},
        {"name": "meeting-new", "path": format!("/c/{c}/meetings/new")},
        {"name": "pools", "path": format!("/c/{c}/pools")},
        {"name": "pool", "path": format!("/c/{c}/pools/{pool}")},
        {"name": "pool-page-2", "path": format!("/c/{c}/pools/{pool}?offset=50")},
        {"name": "reports", "path": format!("/c/{c}/reports")},
        {"name": "progress-form", "path": format!("/c/{c}/reports/progress")},
        {"name": "plans", "path": format!("/c/{c}/plans")},
        {"name": "progress-report", "path": format!("/c/{c}/reports/progress?get=view")},
        {"name": "progress-report-spring", "path": format!("/c/{c}/reports/progress?from=2026-03-01&to=2026-06-30&get=view")},
        {"name": "progress-bad-day", "path": format!("/c/{c}/reports/progress?from=someday&get=view"), "status": 422},
        {"name": "invite", "path": format!("/c/{c}/invite")},
        {"name": "join", "path": "/join"},
        {"name": "join-progress", "path": format!("/join/{c}")},
        {"name": "not-found", "path": "/no/such/page", "status": 404},
    ]);
    // Forms sent empty or unchanged, whose refusal pages are checked too.
    let errors = json!([
        {"name": "raise-issue", "path": format!("/c/{c}/issues"), "form": format!("form[method=\"post\"][action=\"/c/{c}/issues\"]")},
        {"name": "share-issue", "path": format!("/c/{c}/issues/{shown}"), "form": "form[action$=\"/share\"]"},
        {"name": "give", "path": format!("/c/{c}/pools/{pool}"), "form": "form[action$=\"/entries\"]"},
        {"name": "position", "path": format!("/c/{c}/proposals/{closing}"), "form": "form[action$=\"/position\"]"},
        {"name": "new-coalition", "path": "/coalitions/new", "form": "main form[method=\"post\"]"},
        {"name": "join", "path": "/join", "form": "main form[method=\"post\"]"},
        {"name": "amend", "path": format!("/c/{c}/charter/amend"), "form": "main form[method=\"post\"]"},
        {"name": "open-proposal", "path": format!("/c/{c}/proposals"), "form": format!("form[method=\"post\"][action=\"/c/{c}/proposals\"]")},
        {"name": "ballot", "path": format!("/c/{c}/proposals/{choose}"), "form": format!("form[action=\"/c/{c}/proposals/{choose}/ballot\"]")},
    ]);
    let walks = json!({
        "errors": errors,
        "en": format!("/c/{c}/proposals/{walk_en}"),
        "es": format!("/c/{c}/proposals/{walk_es}"),
        "pool": format!("/c/{c}/pools/{pool}"),
        "poll": format!("/c/{c}/proposals/{poll}"),
        "meeting": format!("/c/{c}/meetings/new"),
        "reports": format!("/c/{c}/reports"),
        // While a page is open, another member's node raises an issue: the page shows it
        // within a second, and what is being typed in its form stays.
        "live": {
            "path": format!("/c/{c}/issues?offset=50"),
            "command": [
                coalesce_tests::bin("coalesce").display().to_string(),
                "--home".to_owned(),
                b.home().display().to_string(),
                "issue".to_owned(),
                "add".to_owned(),
                "--coalition".to_owned(),
                c.clone(),
                "Raised while the page was open".to_owned(),
            ],
            "expect": "Raised while the page was open",
        },
    });
    let link = a.ok(&["ui"]);
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui-screenshots");
    // Only this run's screenshots.
    let _ = std::fs::remove_dir_all(&shots);
    let stdout = coalesce_tests::browser_script(
        "ui.mjs",
        &[
            link,
            pages.to_string(),
            shots.display().to_string(),
            walks.to_string(),
        ],
    );
    // Every page and every refused form, in two languages, at two widths.
    let views = (pages.as_array().map_or(0, Vec::len) + errors.as_array().map_or(0, Vec::len)) * 4;
    assert!(
        stdout.contains(&format!("{views} page views checked, 0 failures")),
        "{stdout}"
    );
    // The region's page answers the second call with a proposal of its own, one button.
    let mut browser = super::Browser::new();
    let (base, csrf) = browser.sign_in(&a);
    let (_, _, listed) = browser.get(&format!("{base}/c/{region}/proposals"));
    assert!(
        listed.contains("Join the &#60;national&#62; day of action"),
        "{listed}"
    );
    assert!(
        !listed.contains("<b>March</b>"),
        "the caller's text is escaped"
    );
    let (status, headers, _) = browser.post(
        &format!("{base}/c/{region}/proposals/answer"),
        &[("csrf", &csrf), ("call", &second_call)],
    );
    assert_eq!(status, 303);
    let to = headers
        .iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.clone())
        .unwrap();
    let opened = to
        .split("/proposals/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .unwrap();
    let shown = a.ok(&["proposal", "show", "--coalition", &region, opened]);
    assert!(
        shown.contains(&format!("Answers call {}", &second_call[..8])),
        "{shown}"
    );
    let (_, _, listed) = browser.get(&format!("{base}/c/{region}/proposals"));
    assert_eq!(
        listed.matches("/proposals/answer").count(),
        0,
        "both calls answered"
    );
    assert!(da.stop());
    assert!(db.stop());
}
