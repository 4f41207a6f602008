//! Settings from flags, environment and file, and what each refuses.

use super::*;

fn args(extra: &[&str]) -> Args {
    let mut v = vec!["coalesce-node"];
    v.extend_from_slice(extra);
    Args::try_parse_from(v).unwrap()
}

fn with_file(text: &str, extra: &[&str]) -> Result<Settings> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.toml");
    std::fs::write(&path, text).unwrap();
    let mut a = vec!["--config", path.to_str().unwrap(), "--home", "/tmp/h"];
    a.extend_from_slice(extra);
    Settings::resolve(&args(&a))
}

#[test]
fn defaults_then_file_then_flags() {
    let s = with_file("", &[]).unwrap();
    assert_eq!(s.api.to_string(), DEFAULT_API);
    assert_eq!(s.listen.len(), 2);
    assert!(s.mdns);
    let s = with_file(
        "api = \"127.0.0.1:9000\"\nmdns = false\nlisten = [\"/ip4/127.0.0.1/tcp/0\"]\npeer-frames-per-second = 7\nlog-format = \"json\"\n",
        &[],
    )
    .unwrap();
    assert_eq!(s.api.to_string(), "127.0.0.1:9000");
    assert!(!s.mdns);
    assert_eq!(s.listen.len(), 1);
    assert_eq!(s.peer_frames_per_second.get(), 7);
    assert_eq!(s.log_format, LogFormat::Json);
    let s = with_file(
        "max-connections = 3\nmax-connections-per-peer = 2\nmax-message-bytes = 2097152\n",
        &["--max-connections", "4"],
    )
    .unwrap();
    assert_eq!(s.max_connections.get(), 4);
    assert_eq!(s.max_connections_per_peer.get(), 2);
    assert_eq!(s.max_message_bytes, 2 * 1024 * 1024);
    assert_eq!(s.publish_every_seconds, 3600);
    let s = with_file("publish-every-seconds = 0\n", &[]).unwrap();
    assert_eq!(s.publish_every_seconds, 0, "0: drafts nothing on its own");
    let s = with_file("", &["--publish-every-seconds", "60"]).unwrap();
    assert_eq!(s.publish_every_seconds, 60);
    let err = with_file("publish-every-seconds = 2592001\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("publish-every-seconds"), "{err}");
    let s = with_file("api = \"127.0.0.1:9000\"\n", &["--api", "127.0.0.1:9001"]).unwrap();
    assert_eq!(s.api.to_string(), "127.0.0.1:9001");
}

#[test]
fn unknown_keys_and_bad_values_name_the_key() {
    let err = with_file("lisen = []\n", &[]).unwrap_err().to_string();
    assert!(err.contains("lisen"), "{err}");
    let err = with_file("api = \"nowhere\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("api"), "{err}");
    let err = with_file("listen = [\"tcp:7421\"]\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("listen") && err.contains("multiaddr"), "{err}");
    let err = with_file("peer-frames-per-second = 0\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("peer-frames-per-second"), "{err}");
    let err = with_file("log = \"[[\"\n", &[]).unwrap_err().to_string();
    assert!(err.contains("log"), "{err}");
    let err = with_file("api = \"0.0.0.0:7420\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("api") && err.contains("TLS"), "{err}");
    let err = with_file("api-tls-cert = \"/etc/c.pem\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("api-tls-key"), "{err}");
    let err = with_file(
        "api-tls-cert = \"/etc/c.pem\"\napi-tls-key = \"/etc/k.pem\"\n",
        &["--api-tls-self-signed"],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("api-tls-self-signed"), "{err}");
    assert!(with_file("api = \"0.0.0.0:7420\"\napi-tls-self-signed = true\n", &[]).is_ok());
    let err = with_file("max-connections = 0\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("max-connections"), "{err}");
    let err = with_file("max-message-bytes = 1000\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("max-message-bytes") && err.contains("1 MiB"),
        "{err}"
    );
    let err = with_file("", &["--max-message-bytes", "9999999999"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("max-message-bytes"), "{err}");
}

const KEYS: [&str; 25] = [
    "home",
    "org",
    "listen",
    "api",
    "api-tls-cert",
    "api-tls-key",
    "api-tls-self-signed",
    "ui-host",
    "announce",
    "bootstrap",
    "mdns",
    "relay",
    "relay-max-reservations",
    "relay-max-circuits",
    "relay-circuit-mib",
    "relay-circuit-minutes",
    "peer-frames-per-second",
    "max-connections",
    "max-connections-per-peer",
    "peers-per-coalition",
    "max-message-bytes",
    "metrics",
    "log",
    "log-format",
    "no-such-key",
];

fn toml_value() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        "[a-z0-9:./ ]{0,12}".prop_map(|s| format!("{s:?}")),
        proptest::collection::vec("[a-z0-9/.]{0,10}", 0..3).prop_map(|v| format!("{v:?}")),
    ]
}

proptest::proptest! {
    /// Whatever bytes a config file holds, the node reads it or refuses it naming the
    /// file (or, for a value it parsed but cannot use, the key); it never panics.
    #[test]
    fn any_config_file_is_read_or_refused_by_name(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.toml");
        std::fs::write(&path, &bytes).unwrap();
        let a = args(&["--config", path.to_str().unwrap(), "--home", "/tmp/h"]);
        if let Err(e) = Settings::resolve(&a) {
            let e = e.to_string();
            proptest::prop_assert!(
                e.contains("node.toml") || KEYS.iter().any(|k| e.contains(k)),
                "{e}"
            );
        }
    }

    /// A known key with a value of any type is taken or refused naming the key.
    #[test]
    fn a_bad_value_is_refused_naming_its_key(
        key in proptest::sample::select(KEYS.as_slice()),
        value in toml_value(),
    ) {
        let text = format!("{key} = {value}\n");
        if let Err(e) = with_file(&text, &[]) {
            proptest::prop_assert!(format!("{e:#}").contains(key), "{text}: {e:#}");
        }
    }
}

#[test]
fn a_config_file_over_the_limit_is_refused_unread() {
    let big = "# padding\n".repeat((MAX_CONFIG_BYTES / 10 + 1) as usize);
    let err = format!("{:#}", with_file(&big, &[]).unwrap_err());
    assert!(err.contains("larger than expected"), "{err}");
}

#[test]
fn the_printed_settings_read_back_as_a_config_file() {
    let s = with_file(
        "org = \"Northside\"\nbootstrap = [\"/ip4/10.0.0.2/tcp/7421\"]\n",
        &[],
    )
    .unwrap();
    let again = with_file(&s.to_toml().unwrap(), &[]).unwrap();
    assert_eq!(again.to_toml().unwrap(), s.to_toml().unwrap());
    assert_eq!(again.org, "Northside");
}

#[test]
fn a_bad_environment_value_is_named_by_its_variable() {
    let argv: Vec<String> = ["coalesce-node", "--home", "/tmp/x"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let e = Args::try_parse_from(
        argv.iter()
            .chain(&["--max-connections".to_owned(), "abc".to_owned()]),
    )
    .unwrap_err();
    // Typed as a flag: clap's message stands.
    let typed: Vec<String> = argv
        .iter()
        .cloned()
        .chain(["--max-connections".to_owned(), "abc".to_owned()])
        .collect();
    assert_eq!(from_environment(&e, &typed, |_| Some("abc".into())), None);
    // Not typed, and in the environment: named by the variable.
    let said = from_environment(&e, &argv, |v| {
        (v == "COALESCE_MAX_CONNECTIONS").then(|| "abc".into())
    })
    .unwrap();
    assert!(
        said.contains("invalid value 'abc' in the environment variable COALESCE_MAX_CONNECTIONS (the setting --max-connections)"),
        "{said}"
    );
}

#[test]
fn no_mdns_wins_over_the_environment() {
    let a = Args::try_parse_from([
        "coalesce-node",
        "--home",
        "/tmp/x",
        "--no-mdns",
        "--mdns",
        "true",
    ])
    .unwrap();
    assert!(a.no_mdns);
}

#[test]
fn ui_hosts_are_host_names_or_addresses() {
    let s = with_file("ui-host = [\"office-node.lan\", \"192.168.1.20\"]\n", &[]).unwrap();
    assert_eq!(s.ui_host, ["office-node.lan", "192.168.1.20"]);
    let s = with_file("ui-host = [\"a.lan\"]\n", &["--ui-host", "b.lan,fe80::1"]).unwrap();
    assert_eq!(s.ui_host, ["b.lan", "fe80::1"]);
    for bad in [
        "https://a.lan",
        "a.lan:7443",
        "",
        "-a.lan",
        "a..lan",
        "a lan",
    ] {
        let err = with_file(&format!("ui-host = [{bad:?}]\n"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("ui-host"), "{bad}: {err}");
    }
}

#[test]
fn announced_addresses_are_ones_another_machine_can_dial() {
    let s = with_file(
        "announce = [\"/ip4/203.0.113.7/tcp/7421\"]\n",
        &["--announce", "/dns4/node.example.org/udp/7421/quic-v1"],
    )
    .unwrap();
    assert_eq!(
        s.announce
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["/dns4/node.example.org/udp/7421/quic-v1"],
        "the flag wins over the file"
    );
    let peer = libp2p::identity::Keypair::generate_ed25519()
        .public()
        .to_peer_id();
    let s = with_file(
        &format!("announce = [\"/ip6/2001:db8::7/tcp/7421/p2p/{peer}\"]\n"),
        &[],
    )
    .unwrap();
    assert_eq!(s.announce.len(), 1);
    for (bad, why) in [
        ("/ip4/0.0.0.0/tcp/7421", "unspecified, loopback"),
        ("/ip4/127.0.0.1/tcp/7421", "unspecified, loopback"),
        ("/ip6/::1/tcp/7421", "unspecified, loopback"),
        ("/ip6/fe80::1/tcp/7421", "link-local"),
        ("/ip4/169.254.3.4/tcp/7421", "link-local"),
        ("/ip4/203.0.113.7/tcp/7421/quic-v1", "other than a peer id"),
        ("/ip4/203.0.113.7/udp/7421/tcp/7421", "needs a port"),
        ("/tcp/7421", "does not start with a host"),
        ("/ip4/203.0.113.7", "needs a port"),
        ("/ip4/203.0.113.7/tcp/0", "needs a port"),
        ("/ip4/203.0.113.7/udp/7421", "needs a port"),
        ("/ip4/203.0.113.7/tcp/7421/ws", "other than a peer id"),
    ] {
        let err = with_file("", &["--announce", bad]).unwrap_err().to_string();
        assert!(
            err.contains("announce") && err.contains(why),
            "{bad}: {err}"
        );
    }
}
