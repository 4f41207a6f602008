//! The API beyond loopback: TLS with a pinnable certificate, reloaded on SIGHUP.

use std::process::Command;

use coalesce_tests::{Node, bin};

#[test]
fn an_api_beyond_loopback_needs_tls_and_serves_it_with_a_pinnable_certificate() {
    use coalesce_tests::free_port;
    let node = Node::init("Northside Tenants Union");
    let listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());

    // Without TLS the node refuses to start, and says what to set.
    let out = node
        .node_command(&["--listen", &listen, "--api", "0.0.0.0:0", "--no-mdns"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("beyond loopback") && err.contains("api-tls-cert"),
        "{err}"
    );

    // --check-config loads the certificate and key it is given.
    let junk = node.home().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let out = std::process::Command::new(bin("coalesce-node"))
        .arg("--home")
        .arg(node.home())
        .args(["--api", "0.0.0.0:0", "--check-config", "--api-tls-cert"])
        .arg(&junk)
        .arg("--api-tls-key")
        .arg(&junk)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("api-tls-cert") && err.contains("junk.pem"),
        "{err}"
    );

    let daemon = node.run_daemon_api(
        &listen,
        "0.0.0.0:0",
        &[("COALESCE_API_TLS_SELF_SIGNED", "true")],
    );
    // Commands on this machine still go through the node.
    node.ok(&["coalition", "create", "Transit Justice"]);
    let file = api_file(&node);
    let port = tls_port(&file);
    let fingerprint = file["tls"]["cert_sha256"].as_str().unwrap();
    assert!(daemon.logged(fingerprint), "the log names the certificate");
    let status = node.json(&["status"]);
    assert_eq!(status["api_tls"]["cert_sha256"], fingerprint);
    assert!(node.ok(&["status"]).contains(fingerprint));

    // A client that pins the generated certificate gets answers over TLS.
    let pem = std::fs::read(node.home().join("tls/api-cert.pem")).unwrap();
    let agent = pinned_agent(&pem);
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
    // The operations still want the token.
    let status = agent
        .get(format!("https://127.0.0.1:{port}/v1/status"))
        .call()
        .unwrap();
    assert_eq!(status.status(), 401);
    // With the token, other machines may read and write records, but not have files written
    // on the node's machine.
    let api = api_file(&node);
    let token = api["token"].as_str().unwrap();
    let status = agent
        .get(format!("https://127.0.0.1:{port}/v1/status"))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(status.status(), 200);
    let mut backup = agent
        .post(format!("https://127.0.0.1:{port}/v1/backups"))
        .header("authorization", format!("Bearer {token}"))
        .send_json(serde_json::json!({"file": "/tmp/elsewhere.backup"}))
        .unwrap();
    assert_eq!(backup.status(), 403);
    assert!(
        backup
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("loopback")
    );
    let export = agent
        .post(format!(
            "https://127.0.0.1:{port}/v1/coalitions/ffff/exports"
        ))
        .header("authorization", format!("Bearer {token}"))
        .send_json(serde_json::json!({"dir": "/tmp/elsewhere"}))
        .unwrap();
    assert_eq!(export.status(), 403);

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

/// An agent that trusts exactly the certificate in `pem`.
fn pinned_agent(pem: &[u8]) -> ureq::Agent {
    let cert = ureq::tls::Certificate::from_pem(pem).unwrap();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
                .build(),
        )
        .build()
        .into()
}

fn api_file(node: &Node) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(node.home().join("api.json")).unwrap()).unwrap()
}

/// The port of the TLS listener named in an API file.
fn tls_port(file: &serde_json::Value) -> String {
    let addr: std::net::SocketAddr = file["tls"]["addr"].as_str().unwrap().parse().unwrap();
    addr.port().to_string()
}

fn hangup(node: &Node) {
    let pid = api_file(node)["pid"].as_u64().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn sighup_reloads_a_renewed_api_certificate_and_keeps_a_working_one() {
    let node = Node::init("Northside Tenants Union");
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let issue = || {
        let pair = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        (pair.cert.pem(), pair.key_pair.serialize_pem())
    };
    let (first, first_key) = issue();
    std::fs::write(&cert, &first).unwrap();
    std::fs::write(&key, &first_key).unwrap();
    let daemon = node.run_daemon_api(
        &format!("/ip4/127.0.0.1/tcp/{}", coalesce_tests::free_port()),
        "0.0.0.0:0",
        &[
            ("COALESCE_API_TLS_CERT", cert.to_str().unwrap()),
            ("COALESCE_API_TLS_KEY", key.to_str().unwrap()),
        ],
    );
    let port = tls_port(&api_file(&node));
    let health = |pem: &str| {
        pinned_agent(pem.as_bytes())
            .get(format!("https://localhost:{port}/health"))
            .call()
            .is_ok_and(|r| r.status() == 200)
    };
    assert!(health(&first));
    let first_fingerprint = api_file(&node)["tls"]["cert_sha256"].clone();

    // A renewal: new files, then SIGHUP. New connections get the new certificate.
    let (second, second_key) = issue();
    std::fs::write(&cert, &second).unwrap();
    std::fs::write(&key, &second_key).unwrap();
    hangup(&node);
    // The node serves the new pair, then rewrites the API file, then logs: wait for the log.
    coalesce_tests::eventually(10, "the new certificate to be served", || {
        (health(&second) && daemon.logged("reloaded the API's TLS certificate")).then_some(())
    });
    assert!(!health(&first), "the old certificate is no longer served");
    assert_ne!(api_file(&node)["tls"]["cert_sha256"], first_fingerprint);

    // A broken renewal keeps the working certificate.
    std::fs::write(&key, "not a key\n").unwrap();
    hangup(&node);
    coalesce_tests::eventually(10, "the bad pair to be refused", || {
        daemon
            .logged("kept the API's TLS certificate")
            .then_some(())
    });
    assert!(health(&second));
    node.ok(&["status"]);
    assert!(daemon.stop(), "the node stops cleanly after reloads");
}

#[test]
fn sighup_leaves_a_node_without_tls_running() {
    let node = Node::init("Northside Tenants Union");
    let daemon = node.run_daemon(coalesce_tests::free_port());
    hangup(&node);
    coalesce_tests::eventually(10, "the SIGHUP to be noted", || {
        daemon.logged("nothing to reload").then_some(())
    });
    node.ok(&["status"]);
    assert!(daemon.stop());
}
