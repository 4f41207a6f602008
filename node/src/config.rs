//! The node's settings: built-in defaults, overridden by the TOML config file, overridden by
//! environment variables, overridden by flags. Every setting has all four; `deploy/
//! config.example.toml` documents them with their defaults.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use libp2p::Multiaddr;
use serde::{Deserialize, Serialize};

/// Parses the command line and the environment, exiting with clap's message on an error; a
/// bad value that came from an environment variable is reported under the variable's name,
/// not the flag's the person did not type.
pub(crate) fn parse_args() -> Args {
    let e = match Args::try_parse() {
        Ok(args) => return args,
        Err(e) => e,
    };
    let argv: Vec<String> = std::env::args().collect();
    match from_environment(&e, &argv, |var| std::env::var(var).ok()) {
        Some(message) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "{message}\n\nFor more information, try '--help'."
            );
            std::process::exit(2)
        }
        None => e.exit(),
    }
}

/// clap's error rewritten to name the environment variable the bad value came from, if it
/// came from one (the flag was not on the command line `argv`, and `env` gives the value).
fn from_environment(
    e: &clap::Error,
    argv: &[String],
    env: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        e.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }
    let ContextValue::String(arg) = e.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let ContextValue::String(value) = e.get(ContextKind::InvalidValue)? else {
        return None;
    };
    let long = arg.split_whitespace().next()?.strip_prefix("--")?;
    let flag = format!("--{long}");
    if argv
        .iter()
        .any(|a| *a == flag || a.starts_with(&format!("{flag}=")))
    {
        return None;
    }
    let command = Args::command();
    let var = command
        .get_arguments()
        .find(|a| a.get_long() == Some(long))?
        .get_env()?
        .to_str()?
        .to_owned();
    if !env(&var)?.contains(value.as_str()) {
        return None;
    }
    let rendered = e.to_string();
    let first = rendered.lines().next()?;
    Some(first.replacen(
        &format!("for '{arg}'"),
        &format!("in the environment variable {var} (the setting {flag})"),
        1,
    ))
}

/// Config file name looked for in the home folder when no `--config` is given.
pub(crate) const CONFIG_FILE: &str = "config.toml";
/// Default addresses to listen on for other nodes.
pub(crate) const DEFAULT_LISTEN: [&str; 2] =
    ["/ip4/0.0.0.0/tcp/7421", "/ip4/0.0.0.0/udp/7421/quic-v1"];
/// Default address of the control API.
pub(crate) const DEFAULT_API: &str = "127.0.0.1:7420";

/// Run a Coalesce node: keeps this organization's copy of its coalitions and syncs it with the
/// other members' nodes.
///
/// Settings come from the config file (--config, or config.toml in the home folder), each
/// overridden by its environment variable, overridden by its flag.
#[derive(Debug, Parser)]
#[command(name = "coalesce-node", version = crate::VERSION, max_term_width = 100)]
pub(crate) struct Args {
    /// The config file [default: config.toml in the home folder, if there]
    #[arg(long, env = "COALESCE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Check the configuration, print the settings in effect (as TOML) and exit
    #[arg(long)]
    pub check_config: bool,
    /// Exit with status 0 if a node runs on this home and answers, 1 if not (for container
    /// health checks and scripts)
    #[arg(long, conflicts_with = "check_config")]
    pub health_check: bool,
    /// Print this program's manual page (roff) and exit: `coalesce-node --man-page >
    /// coalesce-node.1`
    #[arg(long)]
    pub man_page: bool,
    /// The node's data folder [default: the user's data directory]
    #[arg(long, env = "COALESCE_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Organization name used if the home folder is not set up yet [default: Unnamed
    /// organization]
    #[arg(long, env = "COALESCE_ORG")]
    pub org: Option<String>,
    /// Address to listen on for other nodes (repeat for several; port 0 picks a free port)
    /// [default: /ip4/0.0.0.0/tcp/7421 and /ip4/0.0.0.0/udp/7421/quic-v1]
    #[arg(
        long = "listen",
        env = "COALESCE_LISTEN",
        value_name = "MULTIADDR",
        value_delimiter = ','
    )]
    pub listen: Vec<Multiaddr>,
    /// Address of the control API (port 0 picks a free port). Beyond loopback it needs TLS:
    /// --api-tls-cert and --api-tls-key, or --api-tls-self-signed [default: 127.0.0.1:7420]
    #[arg(long, env = "COALESCE_API", value_name = "ADDR")]
    pub api: Option<SocketAddr>,
    /// Certificate chain (PEM) the API serves TLS with; needs --api-tls-key
    #[arg(long, env = "COALESCE_API_TLS_CERT", value_name = "FILE")]
    pub api_tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --api-tls-cert
    #[arg(long, env = "COALESCE_API_TLS_KEY", value_name = "FILE")]
    pub api_tls_key: Option<PathBuf>,
    /// Serve the API over TLS with a self-signed certificate generated once in the home
    /// folder (tls/api-cert.pem), for clients that pin it [default: false]
    #[arg(long, env = "COALESCE_API_TLS_SELF_SIGNED", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub api_tls_self_signed: Option<bool>,
    /// A peer to keep connected to (repeat for several)
    #[arg(
        long = "bootstrap",
        env = "COALESCE_BOOTSTRAP",
        value_name = "MULTIADDR",
        value_delimiter = ','
    )]
    pub bootstrap: Vec<Multiaddr>,
    /// Look for other nodes on the local network with mDNS [default: true]
    #[arg(long, env = "COALESCE_MDNS", value_name = "BOOL")]
    pub mdns: Option<bool>,
    /// Do not look for other nodes on the local network (the same as --mdns false; it wins
    /// over --mdns and COALESCE_MDNS)
    #[arg(long)]
    pub no_mdns: bool,
    /// Messages one peer may send per second on average (bursts of twice that); a peer
    /// sending faster is slowed down so that the other peers stay served [default: 500]
    #[arg(long, env = "COALESCE_PEER_FRAMES_PER_SECOND", value_name = "N")]
    pub peer_frames_per_second: Option<NonZeroU32>,
    /// Connections to other nodes held at once, in and out; more are refused [default: 256]
    #[arg(long, env = "COALESCE_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<NonZeroU32>,
    /// Connections held at once with any one node [default: 8]
    #[arg(long, env = "COALESCE_MAX_CONNECTIONS_PER_PEER", value_name = "N")]
    pub max_connections_per_peer: Option<NonZeroU32>,
    /// Largest message taken from another node, in bytes, whole or reassembled from pieces
    /// (1 MiB to 512 MiB). Lower it to bound the memory one peer can use; a catch-up larger
    /// than it then fails [default: 536870912, 512 MiB]
    #[arg(long, env = "COALESCE_MAX_MESSAGE_BYTES", value_name = "BYTES")]
    pub max_message_bytes: Option<u64>,
    /// A separate address serving /metrics, /health and /ready (no token; they reveal no
    /// coalition data) [default: none, they are served on the API address]
    #[arg(long, env = "COALESCE_METRICS", value_name = "ADDR")]
    pub metrics: Option<SocketAddr>,
    /// Log filter, e.g. info or net=debug [default: info]
    #[arg(long, env = "COALESCE_LOG")]
    pub log: Option<String>,
    /// Log format: human or json [default: human]
    #[arg(long, env = "COALESCE_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The config file's contents: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    home: Option<PathBuf>,
    org: Option<String>,
    listen: Option<Vec<String>>,
    api: Option<SocketAddr>,
    api_tls_cert: Option<PathBuf>,
    api_tls_key: Option<PathBuf>,
    api_tls_self_signed: Option<bool>,
    bootstrap: Option<Vec<String>>,
    mdns: Option<bool>,
    peer_frames_per_second: Option<NonZeroU32>,
    max_connections: Option<NonZeroU32>,
    max_connections_per_peer: Option<NonZeroU32>,
    max_message_bytes: Option<u64>,
    metrics: Option<SocketAddr>,
    log: Option<String>,
    log_format: Option<LogFormat>,
}

/// The settings in effect.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Settings {
    /// The data folder.
    pub home: PathBuf,
    /// Organization name for a fresh home.
    pub org: String,
    /// Addresses to listen on for other nodes.
    #[serde(serialize_with = "strings")]
    pub listen: Vec<Multiaddr>,
    /// Control API address.
    pub api: SocketAddr,
    /// TLS certificate chain for the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_tls_cert: Option<PathBuf>,
    /// TLS key for the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_tls_key: Option<PathBuf>,
    /// Serve the API over TLS with a generated self-signed certificate.
    pub api_tls_self_signed: bool,
    /// Peers to keep connected to.
    #[serde(serialize_with = "strings")]
    pub bootstrap: Vec<Multiaddr>,
    /// mDNS discovery on the local network.
    pub mdns: bool,
    /// Per-peer message rate.
    pub peer_frames_per_second: NonZeroU32,
    /// Connections held at once.
    pub max_connections: NonZeroU32,
    /// Connections held at once with one peer.
    pub max_connections_per_peer: NonZeroU32,
    /// Largest message taken from a peer.
    pub max_message_bytes: u64,
    /// Separate monitoring address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<SocketAddr>,
    /// Log filter.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
}

fn strings<S: serde::Serializer>(addrs: &[Multiaddr], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(addrs.iter().map(ToString::to_string))
}

impl Settings {
    /// The settings in effect for `args`: reads the config file it names (or the home
    /// folder's), refusing unknown keys and bad values with the key's name.
    pub(crate) fn resolve(args: &Args) -> Result<Self> {
        let default_home = || -> Result<PathBuf> {
            directories::ProjectDirs::from("org", "Coalesce", "coalesce")
                .map(|d| d.data_dir().to_owned())
                .context("no home folder given and no user data directory found; pass --home DIR")
        };
        let (path, explicit) = match &args.config {
            Some(p) => (p.clone(), true),
            None => {
                let home = match &args.home {
                    Some(h) => h.clone(),
                    None => default_home()?,
                };
                (home.join(CONFIG_FILE), false)
            }
        };
        let file = if explicit || path.exists() {
            read_file(&path)?
        } else {
            FileConfig::default()
        };
        let listen = pick_addrs(
            &args.listen,
            file.listen.as_deref(),
            &DEFAULT_LISTEN,
            "listen",
            &path,
        )?;
        let bootstrap = pick_addrs(
            &args.bootstrap,
            file.bootstrap.as_deref(),
            &[],
            "bootstrap",
            &path,
        )?;
        let mdns = if args.no_mdns {
            false
        } else {
            args.mdns.or(file.mdns).unwrap_or(true)
        };
        let home = match args.home.clone().or(file.home) {
            Some(h) => h,
            None => default_home()?,
        };
        let api = match args.api.or(file.api) {
            Some(a) => a,
            None => DEFAULT_API.parse().context("the default API address")?,
        };
        let api_tls_cert = args.api_tls_cert.clone().or(file.api_tls_cert);
        let api_tls_key = args.api_tls_key.clone().or(file.api_tls_key);
        let api_tls_self_signed = args
            .api_tls_self_signed
            .or(file.api_tls_self_signed)
            .unwrap_or(false);
        match (&api_tls_cert, &api_tls_key, api_tls_self_signed) {
            (Some(_), None, _) | (None, Some(_), _) => {
                bail!("api-tls-cert and api-tls-key go together: give both, or neither")
            }
            (Some(_), Some(_), true) => bail!(
                "api-tls-self-signed generates its own certificate: give it, or api-tls-cert and api-tls-key, not both"
            ),
            (None, None, false) if !api.ip().is_loopback() => bail!(
                "api: {api} is beyond loopback, which needs TLS: set api-tls-cert and api-tls-key (PEM files), or api-tls-self-signed = true"
            ),
            _ => {}
        }
        let log = args
            .log
            .clone()
            .or(file.log)
            .unwrap_or_else(|| "info".to_owned());
        if tracing_subscriber::EnvFilter::try_new(&log).is_err() {
            bail!("log: `{log}` is not a log filter (expected e.g. info, debug or info,net=debug)");
        }
        let max_message_bytes = args
            .max_message_bytes
            .or(file.max_message_bytes)
            .unwrap_or(sync::wire::MAX_MESSAGE as u64);
        let (floor, ceiling) = (
            sync::wire::MIN_MESSAGE_LIMIT as u64,
            sync::wire::MAX_MESSAGE as u64,
        );
        if !(floor..=ceiling).contains(&max_message_bytes) {
            bail!(
                "max-message-bytes: {max_message_bytes} is out of range; expected {floor} (1 MiB) to {ceiling} (512 MiB)"
            );
        }
        let limit = |given: Option<NonZeroU32>, from_file: Option<NonZeroU32>, default: u32| {
            given
                .or(from_file)
                .unwrap_or(NonZeroU32::new(default).unwrap_or(NonZeroU32::MIN))
        };
        Ok(Self {
            home,
            org: args
                .org
                .clone()
                .or(file.org)
                .unwrap_or_else(|| replica::UNNAMED_ORG.to_owned()),
            listen,
            api,
            api_tls_cert,
            api_tls_key,
            api_tls_self_signed,
            bootstrap,
            mdns,
            peer_frames_per_second: limit(
                args.peer_frames_per_second,
                file.peer_frames_per_second,
                net::swarm::FRAMES_PER_SECOND,
            ),
            max_connections: limit(
                args.max_connections,
                file.max_connections,
                net::swarm::MAX_CONNECTIONS,
            ),
            max_connections_per_peer: limit(
                args.max_connections_per_peer,
                file.max_connections_per_peer,
                net::swarm::MAX_CONNECTIONS_PER_PEER,
            ),
            max_message_bytes,
            metrics: args.metrics.or(file.metrics),
            log,
            log_format: args
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Human),
        })
    }

    /// The settings as TOML, as `--check-config` prints them (a valid config file).
    pub(crate) fn to_toml(&self) -> Result<String> {
        toml::to_string(self).context("could not write the settings as TOML")
    }
}

/// Largest config file read, in bytes.
pub(crate) const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

fn read_file(path: &Path) -> Result<FileConfig> {
    let bytes = commands::read_limited(path, MAX_CONFIG_BYTES)
        .with_context(|| format!("could not read the config file {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!(
            "the config file {} is not valid: it is not UTF-8 text",
            path.display()
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "the config file {} is not valid: {}",
            path.display(),
            e.to_string().trim_end()
        )
    })
}

/// Addresses from flags or environment, else the file (checked), else the defaults.
fn pick_addrs(
    given: &[Multiaddr],
    file: Option<&[String]>,
    defaults: &[&str],
    key: &str,
    path: &Path,
) -> Result<Vec<Multiaddr>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let (list, from): (Vec<&str>, String) = match file {
        Some(l) => (
            l.iter().map(String::as_str).collect(),
            format!("the config file {}", path.display()),
        ),
        None => (defaults.to_vec(), "the defaults".to_owned()),
    };
    list.into_iter()
        .map(|a| {
            a.parse::<Multiaddr>().map_err(|e| {
                anyhow::anyhow!("{key}: `{a}` in {from} is not a multiaddr ({e}); expected e.g. /ip4/0.0.0.0/tcp/7421")
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
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

    const KEYS: [&str; 17] = [
        "home",
        "org",
        "listen",
        "api",
        "api-tls-cert",
        "api-tls-key",
        "api-tls-self-signed",
        "bootstrap",
        "mdns",
        "peer-frames-per-second",
        "max-connections",
        "max-connections-per-peer",
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
}
