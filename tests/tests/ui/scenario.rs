//! The README's scenario in the web UI, as a new organizer would carry it through: two real
//! nodes on this machine, each organization in its own browser (the founder's in English, the
//! invited one's in Spanish) in a real headless Chromium (`tests/js/scenario.mjs`). Founding,
//! inviting, joining, raising and sharing an issue, amending the charter, opening and blocking
//! a proposal, an invite made once each node knows it is reachable on its own network only,
//! putting a field back from its history and removing a member all happen through
//! the pages; the command line then reads the outcome on both nodes.

use coalesce_tests::{Node, free_port};
use serde_json::json;

#[test]
fn the_readme_scenario_is_carried_through_in_two_browsers() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let da = a.run_daemon(free_port());
    let db = b.run_daemon(free_port());
    let config = json!({
        "a": a.ok(&["ui"]),
        "b": b.ok(&["ui"]),
        "bName": "Eastside Disability Justice",
    });
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui-screenshots");
    let stdout = coalesce_tests::browser_script(
        "scenario.mjs",
        &[config.to_string(), shots.display().to_string()],
    );
    assert!(
        stdout.contains("9 page views checked, 0 failures"),
        "{stdout}"
    );
    let id = |what: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{what} ")))
            .unwrap_or_else(|| panic!("no {what} in {stdout}"))
            .to_owned()
    };
    let (c, issue, general) = (id("coalition"), id("issue"), id("general"));

    // What the pages did is what the nodes hold, read through the command line.
    let charter = b.ok(&["charter", "show", "--coalition", &c]);
    assert!(charter.contains("language justice"), "{charter}");
    let shown = a.ok(&["proposal", "show", "--coalition", &c, &general]);
    assert!(
        shown.contains("failed") && shown.contains("We are nonpartisan"),
        "{shown}"
    );
    let shown = a.ok(&["issue", "show", "--coalition", &c, &issue]);
    assert!(shown.contains("Bus fare equity"), "{shown}");
    let members = a.ok(&["member", "list", "--coalition", &c, "--all"]);
    assert!(
        members.contains("Eastside Disability Justice") && members.contains("removed"),
        "{members}"
    );
    assert!(da.stop());
    assert!(db.stop());
}
