//! The deployment files stay valid and do what they say: the systemd unit passes
//! `systemd-analyze verify`; the compose file passes `docker-compose config` and its settings
//! pass the node's own `--check-config`; the Dockerfile copies files that exist and its health
//! check tells a running node from a stopped one; the demo entrypoint links three real nodes.
//! (No container engine runs here: the image itself is not built.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use coalesce_tests::{Node, bin};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository root")
        .to_owned()
}

/// `docker-compose` (the Debian package), installed if missing: it validates a compose file
/// against the compose schema without a container engine.
fn docker_compose() -> Command {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let present = Command::new("docker-compose")
            .arg("version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !present {
            let install = || {
                Command::new("apt-get")
                    .args(["install", "-y", "-q", "docker-compose"])
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !install() {
                let _ = Command::new("apt-get").args(["update", "-q"]).status();
                assert!(
                    install(),
                    "docker-compose is needed to validate deploy/compose.yaml (apt-get install docker-compose)"
                );
            }
        }
    });
    Command::new("docker-compose")
}

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
    // Sandboxed: systemd rates its exposure "OK" or better (below 5.0 of 10), and files the
    // node creates are its own alone.
    let out = std::process::Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--threshold=49"])
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("Overall exposure level"), "{report}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("UMask=0077")
    );
}

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

/// The compose file as `docker-compose config` resolves it (anchors merged, schema checked).
fn compose_config() -> yaml_rust2::Yaml {
    let out = docker_compose()
        .args(["-f", "compose.yaml", "config"])
        .current_dir(repo().join("deploy"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "deploy/compose.yaml is not valid:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap()
        .remove(0)
}

#[test]
fn the_compose_demo_is_valid_publishes_on_loopback_only_and_its_settings_pass_the_node() {
    let config = compose_config();
    let services = config["services"].as_hash().unwrap();
    let names: Vec<&str> = services.keys().filter_map(|k| k.as_str()).collect();
    assert_eq!(names, ["alpha", "beta", "gamma"]);
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    for (name, service) in services {
        let name = name.as_str().unwrap();
        for port in service["ports"].as_vec().unwrap() {
            let port = port.as_str().unwrap();
            assert!(
                port.starts_with("127.0.0.1:"),
                "{name} publishes {port} beyond loopback"
            );
        }
        let entrypoint = service["entrypoint"][0].as_str().unwrap();
        assert!(
            dockerfile.contains(&format!("/usr/local/bin/{entrypoint}")),
            "{name}'s entrypoint {entrypoint} is not installed by the Dockerfile"
        );
        // The node accepts the service's settings as they are.
        let home = tempfile::tempdir().unwrap();
        let mut check = Command::new(bin("coalesce-node"));
        check
            .arg("--check-config")
            .env_clear()
            .env("COALESCE_HOME", home.path());
        for (k, v) in service["environment"].as_hash().unwrap() {
            let (k, v) = (k.as_str().unwrap(), v.as_str().unwrap());
            if k.starts_with("COALESCE_") && k != "COALESCE_HOME" {
                check.env(k, v);
            }
        }
        let out = check.output().unwrap();
        assert!(
            out.status.success(),
            "{name}'s settings are refused by the node: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(printed.contains("api-tls-self-signed = true"), "{printed}");
    }
}

#[test]
fn the_dockerfile_copies_what_exists_and_its_health_check_tells_running_from_stopped() {
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("\nUSER coalesce"),
        "the node runs unprivileged"
    );
    assert!(dockerfile.contains("VOLUME [\"/data\"]"));
    for line in dockerfile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"COPY") && !words[1].starts_with("--from") {
            for source in &words[1..words.len() - 1] {
                if *source != "." {
                    assert!(
                        repo().join(source).exists(),
                        "the Dockerfile copies {source}, which does not exist"
                    );
                }
            }
        }
    }
    let copied_bins: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY --from=build"))
        .flat_map(|l| l.split_whitespace())
        .filter_map(|w| w.strip_prefix("/src/target/release/"))
        .collect();
    assert_eq!(copied_bins, ["coalesce-node", "coalesce"]);
    for b in copied_bins {
        bin(b);
    }
    // The health check, as the image runs it, against a real node.
    let health = dockerfile
        .lines()
        .find_map(|l| l.trim().strip_prefix("CMD "))
        .expect("a HEALTHCHECK CMD");
    let argv: Vec<String> = serde_json::from_str(health).unwrap();
    assert_eq!(argv[0], "coalesce-node");
    let node = Node::init("Northside Tenants Union");
    let check = || {
        Command::new(bin("coalesce-node"))
            .args(&argv[1..])
            .env("COALESCE_HOME", node.home())
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(!check(), "healthy with no node running");
    // Bad settings make the check fail with 1, never the 2 container engines reserve.
    let bad = Command::new(bin("coalesce-node"))
        .args(&argv[1..])
        .env("COALESCE_HOME", node.home())
        .env("COALESCE_API", "0.0.0.0:7420")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let daemon = node.run_daemon(coalesce_tests::free_port());
    assert!(check(), "unhealthy while the node runs");
    assert!(daemon.stop());
    assert!(!check(), "healthy after the node stopped");
}

/// One demo node on `home`, run by the compose file's entrypoint script on loopback.
fn demo_node(
    home: &Path,
    name: &str,
    org: &str,
    shared: &Path,
    extra: &[(&str, String)],
) -> std::process::Child {
    let bins = bin("coalesce-node").parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bins.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .arg(repo().join("deploy/demo/entrypoint.sh"))
        .env("PATH", path)
        .env("COALESCE_HOME", home)
        .env("COALESCE_ORG", org)
        .env(
            "COALESCE_LISTEN",
            format!("/ip4/127.0.0.1/tcp/{}", coalesce_tests::free_port()),
        )
        .env("COALESCE_API", "0.0.0.0:0")
        .env("COALESCE_API_TLS_SELF_SIGNED", "true")
        .env("COALESCE_MDNS", "false")
        .env("DEMO_SHARED", shared)
        .env("DEMO_NAME", name)
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn stop(mut child: std::process::Child) -> bool {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap().success()
}

#[test]
fn the_demo_entrypoint_links_three_real_nodes_once() {
    let _lock = coalesce_tests::network_lock();
    let shared = tempfile::tempdir().unwrap();
    let alpha = Node::new();
    let founder = [
        ("DEMO_INVITE", "beta gamma".to_owned()),
        ("DEMO_COALITION", "Riverside Transit Coalition".to_owned()),
    ];
    let start_alpha = || {
        demo_node(
            alpha.home(),
            "alpha",
            "Northside Tenants Union",
            shared.path(),
            &founder,
        )
    };
    let alpha_run = start_alpha();
    let linked = |home: &Path| home.join("demo-linked").exists();
    coalesce_tests::eventually(60, "the founder to link", || {
        linked(alpha.home()).then_some(())
    });
    let alpha_addr = alpha.json(&["status"])["addresses"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let others: Vec<_> = [
        ("beta", "Eastside Disability Justice"),
        ("gamma", "Riverside Faith Council"),
    ]
    .into_iter()
    .map(|(name, org)| {
        let home = Node::new();
        let child = demo_node(
            home.home(),
            name,
            org,
            shared.path(),
            &[("COALESCE_BOOTSTRAP", alpha_addr.clone())],
        );
        (home, child)
    })
    .collect();
    for (home, _) in &others {
        coalesce_tests::eventually(120, "a member to join", || {
            linked(home.home()).then_some(())
        });
    }
    let coalitions = |node: &Node| {
        node.json(&["coalition", "list"])
            .as_array()
            .unwrap()
            .clone()
    };
    let id = coalitions(&alpha)[0]["id"].as_str().unwrap().to_owned();
    // Everyone sees a change made on any node.
    others[1]
        .0
        .ok(&["issue", "add", "--coalition", &id, "Bus stop ramps"]);
    for node in [&alpha, &others[0].0] {
        coalesce_tests::eventually(30, "the issue to reach every node", || {
            node.ok(&["issue", "list", "--coalition", &id])
                .contains("Bus stop ramps")
                .then_some(())
        });
    }
    let members = alpha.ok(&["member", "list", "--coalition", &id]);
    for org in [
        "Northside Tenants Union",
        "Eastside Disability Justice",
        "Riverside Faith Council",
    ] {
        assert!(members.contains(org), "{members}");
    }
    // SIGHUP, as `docker kill -s HUP` sends it, reaches the node and stops nothing.
    let run_pid = alpha_run.id().to_string();
    for _ in 0..2 {
        assert!(
            Command::new("kill")
                .args(["-HUP", &run_pid])
                .status()
                .unwrap()
                .success()
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut alpha_run = alpha_run;
    assert!(
        alpha_run.try_wait().unwrap().is_none(),
        "SIGHUP stopped the demo"
    );
    alpha.ok(&["status"]);
    // The nodes stop cleanly, and a restart only starts the node.
    for (_, child) in others {
        assert!(stop(child), "a member node did not stop cleanly");
    }
    assert!(stop(alpha_run), "the founder did not stop cleanly");
    let alpha_run = start_alpha();
    coalesce_tests::eventually(30, "the founder to run again", || {
        Command::new(bin("coalesce-node"))
            .arg("--health-check")
            .env("COALESCE_HOME", alpha.home())
            .output()
            .unwrap()
            .status
            .success()
            .then_some(())
    });
    // Give a (wrong) second founding the time it would take.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(coalitions(&alpha).len(), 1, "a restart founds nothing new");
    assert!(stop(alpha_run));
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
