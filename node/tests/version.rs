//! The daemon binary's own smoke test (this also makes `cargo test` build `coalesce-node` for
//! the workspace's end-to-end tests).

#[test]
fn version_and_help_are_printed() {
    let out = assert_cmd::Command::cargo_bin("coalesce-node")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("coalesce-node "));
    let out = assert_cmd::Command::cargo_bin("coalesce-node")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--home"));
}
