//! The systemd unit, the compose demo, the Dockerfile and the demo entrypoint.

use std::path::Path;
use std::process::{Command, Stdio};

use coalesce_tests::{Node, bin};

use super::{repo, stop};

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
