//! Meetings everyone can attend, between real nodes: the access plan computed from the
//! profiles of those present (interpretation, accessibility needs, childcare, who asked), the
//! check-in round in order and time-boxed agenda items, kept with the record on every node;
//! the power audit counts who spoke.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Node, free_port};

#[test]
fn a_meeting_keeps_its_access_plan_check_ins_and_time_boxes_on_every_node() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Familias Unidas");
    let _da = a.run_daemon(free_port());
    let _db = b.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    a.ok(&[
        "member",
        "update",
        "--coalition",
        &c,
        "--language",
        "en",
        "--accessibility",
        "Step-free venue",
    ]);
    b.ok(&[
        "member",
        "update",
        "--coalition",
        &c,
        "--language",
        "es",
        "--accessibility",
        "Childcare",
        "--accessibility",
        "step-free venue",
    ]);
    a.wait_for(
        20,
        "B's profile to reach A",
        &["member", "list", "--coalition", &c],
    );
    coalesce_tests::eventually(20, "B's profile on A", || {
        a.ok(&["member", "list", "--coalition", &c, "--json"])
            .contains("Childcare")
            .then_some(())
    });
    // A check-in by an organization not present is refused, saying why.
    let refused = a.run(&[
        "meeting",
        "add",
        "--coalition",
        &c,
        "--date",
        "2026-11-20",
        "--attend",
        "Northside Tenants Union",
        "--checkin",
        "Familias Unidas",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not among those present"));
    let m = a.ok(&[
        "meeting",
        "add",
        "--coalition",
        &c,
        "--date",
        "2026-11-20",
        "--attend",
        "Northside Tenants Union",
        "--attend",
        "Familias Unidas",
        "--checkin",
        "Familias Unidas",
        "--checkin",
        "Northside Tenants Union",
        "--agenda",
        "Fare campaign@20",
        "--agenda",
        "Budget",
        "--minutes",
        "We met.",
    ]);
    b.wait_for(
        20,
        "the meeting to reach B",
        &["meeting", "show", "--coalition", &c, &m],
    );
    let shown = b.ok(&["meeting", "show", "--coalition", &c, &m]);
    for said in [
        "Check-in, in order: Familias Unidas, Northside Tenants Union",
        "1. Fare campaign (20 min)",
        "2. Budget",
        // English and Spanish are each listed once: English comes first, so B needs Spanish.
        "interpretation into es: asked by Familias Unidas",
        "childcare (Childcare): asked by Familias Unidas",
    ] {
        assert!(shown.contains(said), "{said:?} in:\n{shown}");
    }
    // One need, listed by both (written as the first of them by id wrote it), both named.
    let venue = shown
        .lines()
        .find(|l| l.to_lowercase().contains("step-free venue: asked by"))
        .unwrap_or_else(|| panic!("the venue in:\n{shown}"));
    assert!(
        venue.contains("Familias Unidas") && venue.contains("Northside Tenants Union"),
        "{venue}"
    );
    let power = b.ok(&["audit", "power", "--coalition", &c]);
    assert!(power.contains("CHECK-INS"), "{power}");
    // Each spoke once: a row per member whose check-in count is 1.
    for org in ["Familias Unidas", "Northside Tenants Union"] {
        let row = power.lines().find(|l| l.contains(org)).unwrap();
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells.get(4), Some(&"1"), "{row}");
    }

    // Finding a time: A proposes two, B answers on its node, A sees the one that works for
    // both first, and whom the other leaves out.
    let plan = a.ok(&[
        "meeting",
        "plan",
        "--coalition",
        &c,
        "--title",
        "Fare campaign",
        "--slot",
        "2026-12-10 18:00",
        "--slot",
        "2026-12-11T09:30:00Z",
    ]);
    b.wait_for(
        20,
        "the plan to reach B",
        &[
            "meeting",
            "answer",
            "--coalition",
            &c,
            &plan[..8],
            "no",
            "yes",
        ],
    );
    a.ok(&["meeting", "answer", "--coalition", &c, &plan, "yes", "yes"]);
    let wrong = a.run(&["meeting", "answer", "--coalition", &c, &plan, "yes"]);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("one answer for each"));
    let listed = coalesce_tests::eventually(20, "B's answers to reach A", || {
        let l = a.ok(&["meeting", "plans", "--coalition", &c]);
        l.contains("leaves out Familias Unidas").then_some(l)
    });
    let first = listed.find("2026-12-11 09:30:00Z").unwrap();
    let second = listed.find("2026-12-10 18:00:00Z").unwrap();
    assert!(
        first < second,
        "the time that works for both first:\n{listed}"
    );
    assert!(
        listed.contains("2026-12-10 18:00:00Z  works for Northside Tenants Union; if needed nobody; leaves out Familias Unidas"),
        "{listed}"
    );
    // Shown while it is planned: what the first time would need, for those it works for.
    assert!(
        listed.contains("Access plan for the first time:"),
        "{listed}"
    );
    assert!(
        listed.contains("interpretation into es: asked by Familias Unidas"),
        "{listed}"
    );
}
