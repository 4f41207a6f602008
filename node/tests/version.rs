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

#[test]
fn version_names_the_protocol() {
    let out = assert_cmd::Command::cargo_bin("coalesce-node")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(&format!("(protocol {})", sync::wire::VERSION)),
        "{text}"
    );
}

/// The documented example is a valid config file, and its values are the defaults.
#[test]
fn the_example_config_is_valid_and_gives_the_defaults() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/config.example.toml");
    let home = tempfile::tempdir().unwrap();
    let check = |extra: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("coalesce-node")
            .unwrap()
            .args(["--home", home.path().to_str().unwrap(), "--check-config"])
            .args(extra)
            .env_remove("COALESCE_LOG")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(check(&["--config", example]), check(&[]));
    // A bad value is refused with its key, and exit code 2.
    let bad = home.path().join("config.toml");
    std::fs::write(&bad, "api = \"somewhere\"\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("coalesce-node")
        .unwrap()
        .args(["--home", home.path().to_str().unwrap(), "--check-config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("api"));
}
