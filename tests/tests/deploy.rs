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

#[test]
fn an_api_beyond_loopback_needs_tls_and_serves_it_with_a_pinnable_certificate() {
    use coalesce_tests::{Node, free_port};
    let node = Node::init("Northside Tenants Union");
    let listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());

    // Without TLS the node refuses to start, and says what to set.
    let out = std::process::Command::new(bin("coalesce-node"))
        .arg("--home")
        .arg(node.home())
        .args(["--listen", &listen, "--api", "0.0.0.0:0", "--no-mdns"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("beyond loopback") && err.contains("api-tls-cert"),
        "{err}"
    );

    let daemon = node.run_daemon_api(
        &listen,
        "0.0.0.0:0",
        &[("COALESCE_API_TLS_SELF_SIGNED", "true")],
    );
    // Commands on this machine still go through the node.
    node.ok(&["coalition", "create", "Transit Justice"]);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(node.home().join("api.json")).unwrap())
            .unwrap();
    let tls = &file["tls"];
    let port = tls["addr"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    let fingerprint = tls["cert_sha256"].as_str().unwrap();
    assert!(daemon.logged(fingerprint), "the log names the certificate");
    let status = node.json(&["status"]);
    assert_eq!(status["api_tls"]["cert_sha256"], fingerprint);
    assert!(node.ok(&["status"]).contains(fingerprint));

    // A client that pins the generated certificate gets answers over TLS.
    let pem = std::fs::read(node.home().join("tls/api-cert.pem")).unwrap();
    let cert = ureq::tls::Certificate::from_pem(&pem).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
                .build(),
        )
        .build()
        .into();
    let mut health = agent
        .get(format!("https://127.0.0.1:{port}/health"))
        .call()
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.body_mut().read_to_string().unwrap(), "ok");
    let metrics = agent
        .get(format!("https://localhost:{port}/metrics"))
        .call()
        .unwrap();
    assert_eq!(metrics.status(), 200);
    // The command route still wants the token.
    let run = agent
        .post(format!("https://127.0.0.1:{port}/v1/run"))
        .send_json(serde_json::json!({ "args": ["status"] }))
        .unwrap();
    assert_eq!(run.status(), 401);

    // A client that does not trust the certificate, or speaks plain HTTP, gets nothing.
    let untrusting: ureq::Agent = ureq::Agent::config_builder().build().into();
    assert!(
        untrusting
            .get(format!("https://127.0.0.1:{port}/health"))
            .call()
            .is_err()
    );
    assert!(
        untrusting
            .get(format!("http://127.0.0.1:{port}/health"))
            .call()
            .is_err()
    );
    assert!(daemon.stop());
}
