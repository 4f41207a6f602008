//! The README's commands and sessions run as written.

use std::process::{Command, Stdio};

use coalesce_tests::bin;

use super::repo;

/// The README's two commands — `cargo run --release -p coalesce-node` and a workspace build —
/// resolve every package the node uses with the same features, so switching between them
/// rebuilds nothing.
#[test]
fn the_node_alone_and_the_workspace_build_the_node_the_same_way() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let features = |selection: &[&str]| -> std::collections::BTreeMap<String, String> {
        let out = Command::new(&cargo)
            .args([
                "tree",
                "--offline",
                "-e",
                "normal,build",
                "--prefix",
                "none",
            ])
            .args(["-f", "{p}|{f}"])
            .args(selection)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let (p, f) = l.trim_end_matches(" (*)").split_once('|')?;
                Some((p.to_owned(), f.trim_end_matches(" (*)").to_owned()))
            })
            .collect()
    };
    let node = features(&["-p", "coalesce-node"]);
    let all = features(&["--workspace"]);
    let differ: Vec<String> = node
        .iter()
        .filter(|(p, f)| all.get(*p).is_some_and(|g| g != *f))
        .map(|(p, f)| format!("{p}: node [{f}], workspace [{}]", all[p]))
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
}

/// The README's session ("Using it"), run as written by bash with this build's `coalesce`
/// first on the PATH, in a fresh home: every command in it works.
#[test]
fn the_readme_session_runs_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let after = readme
        .split_once("A session as the organizers")
        .expect("the README's session")
        .1;
    let script = after
        .split("```")
        .nth(1)
        .expect("the session's code block")
        .trim_start_matches(|c| c != '\n');
    assert!(script.contains("coalesce init") && script.contains("coalesce export"));
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        bin("coalesce").parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(work.path())
        .env("PATH", path)
        .env("COALESCE_HOME", home.path())
        .env_remove("COALESCE_COALITION")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the README's session failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(work.path().join("export").is_dir());
}

/// The README's three organizations on one machine, run as written (with this build's
/// binaries for `./target/release/`), then on with the founding node stopped: an issue written
/// on one member still reaches the other.
#[test]
fn the_readme_three_nodes_run_as_written_and_go_on_with_the_founder_stopped() {
    let _serial = coalesce_tests::network_lock();
    let bins = format!("{}/", bin("coalesce").parent().unwrap().display());
    let example = readme_block("## Several organizations, several nodes");
    assert!(example.contains("join \"$CODE\"") && example.contains("issue list"));
    let script = format!(
        "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n{example}\n\
         kill %1; wait %1 2>/dev/null || true\n\
         {bins}coalesce --home ./east issue add --coalition $C 'Written with north stopped' >/dev/null\n\
         for i in $(seq 100); do\n\
           {bins}coalesce --home ./faith issue list --coalition $C | grep -q 'Written with north stopped' && break\n\
           sleep 0.2\n\
         done\n\
         {bins}coalesce --home ./faith issue list --coalition $C\n"
    );
    let stdout = run_readme_script(&script);
    assert!(stdout.contains("Bus fare equity"), "{stdout}");
    assert!(stdout.contains("Written with north stopped"), "{stdout}");
}

/// The README's governance example, continuing its three organizations, run as written
/// (`CHANGE` is the first change of the history it shows, as a reader would copy it): an
/// amendment agreed by all three is version 2 everywhere, a blocked general proposal fails
/// with the block's reason, a member is removed by the others, and the audits answer.
#[test]
fn the_readme_governance_example_runs_as_written() {
    let _serial = coalesce_tests::network_lock();
    let start = readme_block("## Several organizations, several nodes");
    let governance = readme_block("three-node session above:");
    assert!(governance.contains("--restore CHANGE"), "{governance}");
    let governance = governance.replace(
        "--restore CHANGE",
        "--restore $($N history --coalition $C --record $I --json | grep -o '\"change\": *\"[0-9a-f]*' | head -1 | grep -o '[0-9a-f]*$')",
    );
    let script = format!(
        "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n{start}\n{governance}\n\
         echo SHOWN-AFTER\n$F charter versions --coalition $C --json\n"
    );
    let stdout = run_readme_script(&script);
    assert!(stdout.contains("We are nonpartisan"), "{stdout}");
    assert!(
        stdout.contains("Endorse a mayoral candidate  [failed]"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("faith organization") && l.contains("removed")),
        "{stdout}"
    );
    // The versions as faith's node shows them at the end: the amendment is version 2 there,
    // agreed by all three, with the value it added.
    let (_, after) = stdout
        .split_once("SHOWN-AFTER\n")
        .expect("the last listing");
    let versions: serde_json::Value = serde_json::from_str(after).expect("versions as JSON");
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
    assert_eq!(versions[1]["number"], 2);
    assert_eq!(versions[1]["agreed_by"].as_array().map(Vec::len), Some(3));
    assert!(
        versions[1]["values"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x == "language justice")),
        "{versions}"
    );
}

/// The README's first code block after `after`, with this build's binaries for
/// `./target/release/` and without its `cargo build` line.
fn readme_block(after: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let bins = format!("{}/", bin("coalesce").parent().unwrap().display());
    readme
        .split_once(after)
        .unwrap_or_else(|| panic!("the README's {after:?}"))
        .1
        .split("```")
        .nth(1)
        .expect("its code block")
        .lines()
        .filter(|l| !l.trim_start().starts_with("cargo build"))
        .map(|l| l.replace("./target/release/", &bins) + "\n")
        .collect()
}

/// Runs `script` with bash (errors stop it) in a fresh folder, outside any home or coalition
/// set in the environment; its standard output, once it succeeded.
fn run_readme_script(script: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(work.path())
        .env_remove("COALESCE_HOME")
        .env_remove("COALESCE_COALITION")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the README's example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
