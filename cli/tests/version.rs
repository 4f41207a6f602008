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
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(version.starts_with("coalesce "), "{version}");
    assert!(
        version.contains(&format!("(protocol {})", sync::wire::VERSION)),
        "{version}"
    );
    let out = assert_cmd::Command::cargo_bin("coalesce")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("issue"));
}
