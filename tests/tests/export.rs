//! `coalesce export` writes standard .automerge files that other Automerge implementations load.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::path::Path;
use std::process::Command;

use coalesce_tests::Node;

/// A coalition with something in every section, exported; returns the two files' paths.
fn exported(node: &Node, out: &Path) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let c = node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free buses",
        "--commitment",
        "nonviolence",
    ]);
    let i = node.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Bus fare equity",
        "--tag",
        "race",
        "--description",
        "Fares take 9% of income",
    ]);
    node.ok(&["issue", "share", "--coalition", &c, &i, "--rank", "2"]);
    let p = node.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Legal defense fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    node.ok(&["pool", "pledge", "--coalition", &c, &p, "500"]);
    node.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "Adopt the fare campaign",
    ]);
    let printed = node.ok(&["export", "--coalition", &c, "--out", out.to_str().unwrap()]);
    let am = out.join(format!("{c}.automerge"));
    let json = out.join(format!("{c}.json"));
    assert_eq!(printed, format!("{}\n{}", am.display(), json.display()));
    (c, am, json)
}

#[test]
fn exported_documents_load_with_the_automerge_library_and_match_the_json() {
    let node = Node::init("Northside Tenants Union");
    let out = tempfile::tempdir().unwrap();
    let (c, am, json) = exported(&node, out.path());
    let bytes = std::fs::read(&am).unwrap();
    let doc = automerge::Automerge::load(&bytes).expect("a standard Automerge document");
    let typed =
        model::CoalitionDoc::from_automerge(automerge::AutoCommit::load(&bytes).unwrap()).unwrap();
    assert_eq!(typed.id().as_str(), c);
    let from_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(typed.read().unwrap()).unwrap(),
        from_json
    );
    assert_eq!(from_json["charter"]["name"], "Transit Justice");
    assert!(!doc.get_heads().is_empty());
}

#[test]
fn exported_documents_load_in_javascript_automerge() {
    let node = Node::init("Northside Tenants Union");
    let out = tempfile::tempdir().unwrap();
    let (_c, am, json) = exported(&node, out.path());
    let dir = coalesce_tests::js_dir();
    let result = Command::new("node")
        .arg(dir.join("load.mjs"))
        .arg(&am)
        .output()
        .expect("node is needed for this test");
    assert!(
        result.status.success(),
        "JavaScript Automerge could not load the export: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let js: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(js["charter"]["name"], ours["charter"]["name"]);
    assert_eq!(js["charter"]["frame"], ours["charter"]["frame"]);
    assert_eq!(js["id"], ours["id"]);
    let issue = ours["issues"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    assert_eq!(js["issues"][&issue]["title"], "Bus fare equity");
    assert_eq!(
        js["issues"][&issue]["description"],
        "Fares take 9% of income"
    );
    assert_eq!(
        js["issues"][&issue]["ranks"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap(),
        2
    );
    assert_eq!(js["members"].as_object().unwrap().len(), 1);
}
