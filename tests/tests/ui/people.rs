//! People of an organization using its node's web UI from other machines: the node serves
//! the UI over TLS (its self-signed certificate here), `coalesce person add` prints a
//! one-time setup link, and in a real headless Chromium (`tests/js/people.mjs`) the people
//! choose passwords and sign in with the keyboard alone; the sign-in and setup pages and a
//! viewer's pages pass axe-core in English and Spanish at 320 and 1280 px, and a viewer sees
//! no form. Which person made a change is kept in the node's own log, not in the coalition.

use coalesce_tests::{Node, free_port};
use serde_json::json;

#[test]
fn people_get_setup_links_sign_in_over_tls_and_what_they_change_is_logged() {
    let _serial = coalesce_tests::network_lock();
    let node = Node::init("Northside Tenants Union");

    // Without a UI for other machines there is nowhere for a setup link to lead.
    let plain = node.run_daemon(free_port());
    let err = node.fails(&["person", "add", "Ana Ruiz", "--role", "editor"]);
    assert!(err.contains("--api-tls-self-signed"), "{err}");
    assert!(plain.stop());
    // Nor on a stopped node.
    let err = node.fails(&["person", "add", "Ana Ruiz", "--role", "editor"]);
    assert!(err.contains("running node"), "{err}");

    let port = free_port();
    let daemon = node.run_daemon_api(
        &format!("/ip4/127.0.0.1/tcp/{}", free_port()),
        &format!("127.0.0.1:{port}"),
        &[("COALESCE_API_TLS_SELF_SIGNED", "true")],
    );
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    let issue = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus stops without ramps",
        "--tag",
        "disability",
    ]);
    let proposal = node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Endorse the fare strike",
    ]);

    let out = node
        .command(&["person", "add", "Ana Ruiz", "--role", "editor"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let editor = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        editor.starts_with(&format!("https://127.0.0.1:{port}/setup?code=")),
        "{editor}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("privately"));
    let err = node.fails(&["person", "add", "ana ruiz", "--role", "viewer"]);
    assert!(err.contains("already has an account"), "{err}");
    let viewer = node.ok(&["person", "add", "Bo", "--role", "viewer"]);
    let listed = node.ok(&["person", "list"]);
    assert!(
        listed.contains("Ana Ruiz") && listed.contains("waiting for setup"),
        "{listed}"
    );

    let config = json!({
        "editor": editor,
        "editorName": "Ana Ruiz",
        "viewer": viewer,
        "issues": format!("/c/{c}/issues"),
        "title": "Raised by Ana from another machine",
        "pages": [
            {"name": "home", "path": "/"},
            {"name": "issues", "path": format!("/c/{c}/issues")},
            {"name": "issue", "path": format!("/c/{c}/issues/{issue}")},
            {"name": "proposal", "path": format!("/c/{c}/proposals/{proposal}")},
            {"name": "members", "path": format!("/c/{c}/members")},
        ],
    });
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui-screenshots");
    let stdout = coalesce_tests::browser_script(
        "people.mjs",
        &[config.to_string(), shots.display().to_string()],
    );
    // Sign-in, setup and its refusal: 3 pages; a viewer's: 5; each in 2 languages at 2 widths.
    assert!(
        stdout.contains(&format!("{} page views checked, 0 failures", (3 + 5) * 4)),
        "{stdout}"
    );

    // The issue Ana raised is the organization's, signed by its node; the node's own log
    // says it was Ana.
    let issues = node.ok(&["issue", "list", "--coalition", &c]);
    assert!(
        issues.contains("Raised by Ana from another machine"),
        "{issues}"
    );
    let log = node.ok(&["person", "log"]);
    assert!(
        log.contains("Ana Ruiz") && log.contains("issue_create") && log.contains(&c),
        "{log}"
    );
    let log: serde_json::Value = node.json(&["person", "log", "--person", "bo"]);
    assert_eq!(log, json!([]), "the viewer changed nothing");
    let listed = node.ok(&["person", "list"]);
    assert!(
        !listed.contains("waiting"),
        "both chose a password: {listed}"
    );

    // A reset gives a new link and forgets the password; a removal ends the account.
    let again = node.ok(&["person", "reset", "ANA RUIZ", "--role", "viewer"]);
    assert!(again.contains("/setup?code=") && again != editor);
    let people: serde_json::Value = node.json(&["person", "list"]);
    assert_eq!(people[0]["name"], "Ana Ruiz");
    assert_eq!(people[0]["role"], "viewer");
    assert_eq!(people[0]["state"], "waiting");
    node.ok(&["person", "remove", "bo"]);
    let err = node.fails(&["person", "remove", "Bo"]);
    assert!(err.contains("no person named"), "{err}");
    assert!(daemon.stop());
}
