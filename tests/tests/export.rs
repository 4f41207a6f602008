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

/// Rows of a CSV file as Python's `csv` module reads them (a parser this repository did not
/// write, as forgiving as a spreadsheet's), with the encoding spreadsheet programs detect by
/// the byte-order mark.
fn read_by_python(file: &Path) -> Vec<Vec<String>> {
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n\
                  \x20   print(json.dumps(list(csv.reader(f, strict=True))))\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .expect("python3 is needed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn export_csv_writes_tables_a_spreadsheet_opens_and_a_formula_stays_text() {
    let node = Node::init("=cmd|' /C calc'!A0");
    let out = tempfile::tempdir().unwrap();
    let (c, _, _) = exported(&node, out.path());
    let printed = node.ok(&[
        "export",
        "--coalition",
        &c,
        "--out",
        out.path().to_str().unwrap(),
        "--csv",
    ]);
    let files: Vec<&str> = printed.lines().collect();
    let tables = [
        "issues.csv",
        "ledger.csv",
        "decisions.csv",
        "members.csv",
        "goal_progress.csv",
    ];
    assert_eq!(files.len(), 2 + tables.len(), "{printed}");
    for (f, t) in files[2..].iter().zip(tables) {
        assert_eq!(
            *f,
            out.path().join(format!("{c}.{t}")).display().to_string()
        );
    }
    let issues = read_by_python(&out.path().join(format!("{c}.issues.csv")));
    assert_eq!(issues[0][..3], ["id", "title", "status"]);
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[1][1], "Bus fare equity");
    assert_eq!(issues[1][3], "race");
    assert_eq!(issues[1][13], "Fares take 9% of income");
    let members = read_by_python(&out.path().join(format!("{c}.members.csv")));
    assert_eq!(
        members[1][1], "'=cmd|' /C calc'!A0",
        "the organization's name would run as a formula: it is kept as text"
    );
    let ledger = read_by_python(&out.path().join(format!("{c}.ledger.csv")));
    assert_eq!(ledger[1][5], "pledge");
    assert_eq!(ledger[1][8], "500");
    let decisions = read_by_python(&out.path().join(format!("{c}.decisions.csv")));
    assert_eq!(decisions[1][1], "Adopt the fare campaign");
    assert_eq!(decisions[1][8], "open");
}

#[test]
fn the_progress_report_is_written_in_english_and_spanish_to_a_file_or_the_terminal() {
    let node = Node::init("Northside Tenants Union");
    let out = tempfile::tempdir().unwrap();
    let (c, _, _) = exported(&node, out.path());
    let html = out.path().join("report.html");
    let said = node.run(&[
        "report",
        "--coalition",
        &c,
        "--lang",
        "es",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(said.status.success());
    assert!(String::from_utf8_lossy(&said.stderr).contains("report.html"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"es\">"));
    assert!(page.contains("informe de avances"));
    assert!(page.contains("<bdi>Transit Justice</bdi>"));
    let md = node.ok(&["report", "--coalition", &c, "--format", "md"]);
    assert!(md.starts_with("# Transit Justice: progress report"), "{md}");
    assert!(md.contains("No decision was made in this time."));
    assert!(md.contains("One proposal is still open."));
    let json: serde_json::Value =
        serde_json::from_str(&node.ok(&["report", "--coalition", &c, "--format", "json"])).unwrap();
    assert_eq!(json["figures"]["name"], "Transit Justice");
    let bad = node.run(&[
        "report",
        "--coalition",
        &c,
        "--from",
        "2026-05-01",
        "--to",
        "2026-04-01",
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--from 2026-05-01 is after --to 2026-04-01"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// The README's report of the demo coalition: three organizations' nodes, filled with a season
/// of work by `deploy/demo/fill.sh`, then reported on in English and Spanish.
#[test]
fn the_demo_coalition_filled_by_its_script_reports_in_english_and_spanish() {
    let _serial = coalesce_tests::network_lock();
    let north = Node::init("Northside Tenants Union");
    let east = Node::init("Eastside Disability Justice");
    let faith = Node::init("Riverside Faith Council");
    let _dn = north.run_daemon(coalesce_tests::free_port());
    let _de = east.run_daemon(coalesce_tests::free_port());
    let _df = faith.run_daemon(coalesce_tests::free_port());
    let c = north.ok(&["coalition", "create", "Harbor Transit Justice"]);
    for member in [&east, &faith] {
        let code = north.ok(&["invite", "create", "--coalition", &c]);
        member.ok(&["join", &code, "--wait", "30"]);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/demo/fill.sh");
    let filled = Command::new("sh")
        .arg(&script)
        .arg(&c)
        .args([north.home(), east.home(), faith.home()])
        .env("COALESCE", coalesce_tests::bin("coalesce"))
        .env("COALESCE_LOG", "error")
        .output()
        .unwrap();
    assert!(
        filled.status.success(),
        "{}",
        String::from_utf8_lossy(&filled.stderr)
    );
    // Every node reports the same once it has every change: here, the last written.
    let en = coalesce_tests::eventually(30, "the block to reach the east node", || {
        let md = east.ok(&["report", "--coalition", &c, "--format", "md"]);
        md.contains("Blocked by Riverside Faith Council: “We do not back candidates.”")
            .then_some(md)
    });
    for said in [
        "# Harbor Transit Justice: progress report",
        "Fare-free buses: 40 of 100 percent, up from 10 in January 2026.",
        "Passed by consensus: all 3 members agreed.",
        "Campaign fund: 2 groups gave 2,300 USD. Groups promised 500 USD more. 600 USD went to members.",
        "Riverside Faith Council got 600 USD for “Spanish flyers for Route 9”",
        "2 meetings were held.",
        "Public statements now need consent, with 50% of members taking part.",
    ] {
        assert!(en.contains(said), "{said:?} in:\n{en}");
    }
    let es = east.ok(&[
        "report",
        "--coalition",
        &c,
        "--format",
        "md",
        "--lang",
        "es",
    ]);
    for said in [
        "# Harbor Transit Justice: informe de avances",
        "Fare-free buses: 40 de 100 percent, más que en enero de 2026, cuando era 10.",
        "Se aprobó por consenso: los 3 miembros dijeron que sí.",
        "Lo frenó Riverside Faith Council: «We do not back candidates.»",
        "Hubo 2 reuniones.",
    ] {
        assert!(es.contains(said), "{said:?} in:\n{es}");
    }
}
