//! The binary's own smoke test (this also makes `cargo test` build the `coalesce` binary that
//! the workspace's end-to-end tests drive).

#[test]
fn version_and_help_are_printed() {
    let out = assert_cmd::Command::cargo_bin("coalesce")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("coalesce "));
    let out = assert_cmd::Command::cargo_bin("coalesce")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("issue"));
}
