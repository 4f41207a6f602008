//! The deployment files stay valid: the systemd unit passes `systemd-analyze verify`.

use coalesce_tests::bin;

#[test]
fn the_systemd_unit_verifies() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/coalesce-node.service"
    ))
    .unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/coalesce-node"));
    // Verified against the binary this run built, in place of the installed one.
    let node = bin("coalesce-node");
    let unit = unit.replace("/usr/local/bin/coalesce-node", node.to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coalesce-node.service");
    std::fs::write(&path, unit).unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (from the systemd package) is needed to check the unit");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
