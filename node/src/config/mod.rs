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
    /// A host name or address people on other machines use to reach the web UI over TLS
    /// (repeat for several; the first is the one setup links name). The UI answers only to
    /// these, the address the API binds and this machine's addresses and host name
    /// [default: the bound address, else this machine's first LAN address]
    #[arg(
        long = "ui-host",
        env = "COALESCE_UI_HOST",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub ui_host: Vec<String>,
    /// An address other machines reach this node at, for its invites and its peers: its
    /// public address, or a router's port forwarded to it (repeat for several; e.g.
    /// /ip4/203.0.113.7/tcp/7421 or /dns4/node.example.org/tcp/7421). Named first, before
    /// this machine's own addresses [default: none]
    #[arg(
        long = "announce",
        env = "COALESCE_ANNOUNCE",
        value_name = "MULTIADDR",
        value_delimiter = ','
    )]
    pub announce: Vec<Multiaddr>,
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
    /// Relay for member nodes that cannot be reached directly (behind a NAT), while this node
    /// can be reached from outside; only nodes of members in force of a coalition held here
    /// are served [default: true]
    #[arg(long, env = "COALESCE_RELAY", value_name = "BOOL")]
    pub relay: Option<bool>,
    /// Relay for nobody (the same as --relay false; it wins over --relay and COALESCE_RELAY)
    #[arg(long)]
    pub no_relay: bool,
    /// Member nodes this node holds a relay slot for at once [default: 128]
    #[arg(long, env = "COALESCE_RELAY_MAX_RESERVATIONS", value_name = "N")]
    pub relay_max_reservations: Option<NonZeroU32>,
    /// Connections relayed at once [default: 64]
    #[arg(long, env = "COALESCE_RELAY_MAX_CIRCUITS", value_name = "N")]
    pub relay_max_circuits: Option<NonZeroU32>,
    /// MiB one relayed connection may carry, both ways, before it is closed (enough for a
    /// whole catch-up; the nodes then reconnect) [default: 1024]
    #[arg(long, env = "COALESCE_RELAY_CIRCUIT_MIB", value_name = "MIB")]
    pub relay_circuit_mib: Option<NonZeroU32>,
    /// Minutes one relayed connection may stay open before it is closed (the nodes then
    /// reconnect) [default: 60]
    #[arg(long, env = "COALESCE_RELAY_CIRCUIT_MINUTES", value_name = "MINUTES")]
    pub relay_circuit_minutes: Option<NonZeroU32>,
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
    /// Member nodes dialed per coalition: more are dialed only while fewer are, those this
    /// node dialed beyond it are let go, and those that dialed it once it has more than three
    /// times it in all. Every member node passes on the changes it verified, so a coalition of
    /// hundreds stays in sync without everyone connected to everyone. At least 2 (a 1 counts
    /// as 2) [default: 8]
    #[arg(long, env = "COALESCE_PEERS_PER_COALITION", value_name = "N")]
    pub peers_per_coalition: Option<NonZeroU32>,
    /// Seconds between two statements this node drafts on its own on one subject (an issue,
    /// a goal, a pool's month, the roster...) of what a coalition's links share, as records
    /// change; it waits that long for each member before its own (the members in force take
    /// turns, the first drafting at once). 0: this node drafts nothing on its own, it still
    /// co-signs (at most 2592000, 30 days) [default: 3600]
    #[arg(long, env = "COALESCE_PUBLISH_EVERY_SECONDS", value_name = "SECONDS")]
    pub publish_every_seconds: Option<u32>,
    /// Largest message taken from another node, in bytes, whole or reassembled from pieces
    /// (1 MiB to 512 MiB). Lower it to bound the memory one peer can use; other nodes are
    /// told it, and send a longer catch-up in several messages. A coalition joined arrives
    /// whole up to one operation per 8 bytes of it (about 150 bytes of memory each while
    /// checked; an estimated 20 GB at a time for a crafted one at the default), in pages beyond
    /// [default: 536870912, 512 MiB]
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
    ui_host: Option<Vec<String>>,
    announce: Option<Vec<String>>,
    bootstrap: Option<Vec<String>>,
    mdns: Option<bool>,
    relay: Option<bool>,
    relay_max_reservations: Option<NonZeroU32>,
    relay_max_circuits: Option<NonZeroU32>,
    relay_circuit_mib: Option<NonZeroU32>,
    relay_circuit_minutes: Option<NonZeroU32>,
    peer_frames_per_second: Option<NonZeroU32>,
    max_connections: Option<NonZeroU32>,
    max_connections_per_peer: Option<NonZeroU32>,
    peers_per_coalition: Option<NonZeroU32>,
    publish_every_seconds: Option<u32>,
    max_message_bytes: Option<u64>,
    metrics: Option<SocketAddr>,
    log: Option<String>,
    log_format: Option<LogFormat>,
}

/// Most seconds between two statements drafted on their own on a subject: 30 days.
const MAX_PUBLISH_EVERY_SECONDS: u32 = 30 * 24 * 3600;

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
    /// Names people use to reach the UI over TLS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ui_host: Vec<String>,
    /// Addresses other machines reach this node at, named first in invites.
    #[serde(serialize_with = "strings")]
    pub announce: Vec<Multiaddr>,
    /// Peers to keep connected to.
    #[serde(serialize_with = "strings")]
    pub bootstrap: Vec<Multiaddr>,
    /// mDNS discovery on the local network.
    pub mdns: bool,
    /// Relaying for member nodes.
    pub relay: bool,
    /// Member nodes held a relay slot for at once.
    pub relay_max_reservations: NonZeroU32,
    /// Connections relayed at once.
    pub relay_max_circuits: NonZeroU32,
    /// MiB one relayed connection carries.
    pub relay_circuit_mib: NonZeroU32,
    /// Minutes one relayed connection stays open.
    pub relay_circuit_minutes: NonZeroU32,
    /// Per-peer message rate.
    pub peer_frames_per_second: NonZeroU32,
    /// Connections held at once.
    pub max_connections: NonZeroU32,
    /// Connections held at once with one peer.
    pub max_connections_per_peer: NonZeroU32,
    /// Member nodes kept connected per coalition.
    pub peers_per_coalition: NonZeroU32,
    /// Seconds between two statements drafted on their own on a subject (0: none).
    pub publish_every_seconds: u32,
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
        let announce = pick_addrs(
            &args.announce,
            file.announce.as_deref(),
            &[],
            "announce",
            &path,
        )?;
        for addr in &announce {
            if let Err(why) = announceable(addr) {
                bail!("announce: `{addr}` {why}");
            }
        }
        let mdns = if args.no_mdns {
            false
        } else {
            args.mdns.or(file.mdns).unwrap_or(true)
        };
        let relay = if args.no_relay {
            false
        } else {
            args.relay.or(file.relay).unwrap_or(true)
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
        let ui_host = if args.ui_host.is_empty() {
            file.ui_host.unwrap_or_default()
        } else {
            args.ui_host.clone()
        };
        for name in &ui_host {
            if !host_name(name) {
                bail!(
                    "ui-host: `{}` is not a host name or IP address (such as office-node.lan or 192.168.1.20; no port, no scheme)",
                    name.chars().take(80).collect::<String>()
                );
            }
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
        let publish_every_seconds = args
            .publish_every_seconds
            .or(file.publish_every_seconds)
            .unwrap_or(replica::DEFAULT_PUBLISH_EVERY.as_secs() as u32);
        if publish_every_seconds > MAX_PUBLISH_EVERY_SECONDS {
            bail!(
                "publish-every-seconds: {publish_every_seconds} is out of range; expected 0 (draft nothing on its own) to {MAX_PUBLISH_EVERY_SECONDS} (30 days)"
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
            ui_host,
            announce,
            bootstrap,
            mdns,
            relay,
            relay_max_reservations: limit(
                args.relay_max_reservations,
                file.relay_max_reservations,
                net::swarm::RELAY_RESERVATIONS as u32,
            ),
            relay_max_circuits: limit(
                args.relay_max_circuits,
                file.relay_max_circuits,
                net::swarm::RELAY_CIRCUITS as u32,
            ),
            relay_circuit_mib: limit(
                args.relay_circuit_mib,
                file.relay_circuit_mib,
                net::swarm::RELAY_CIRCUIT_MIB as u32,
            ),
            relay_circuit_minutes: limit(
                args.relay_circuit_minutes,
                file.relay_circuit_minutes,
                net::swarm::RELAY_CIRCUIT_MINUTES as u32,
            ),
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
            peers_per_coalition: limit(
                args.peers_per_coalition,
                file.peers_per_coalition,
                net::core::PEERS_PER_COALITION as u32,
            ),
            publish_every_seconds,
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

/// Whether `name` is a host name (letters, digits, hyphens and dots, up to 253 characters) or
/// an IP address.
pub(crate) fn host_name(name: &str) -> bool {
    name.parse::<std::net::IpAddr>().is_ok()
        || (!name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }))
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

/// Whether another machine can dial `addr` as given: a host (an IP address that is neither
/// unspecified nor loopback, or a DNS name) and a TCP port or a UDP port with QUIC, optionally
/// ending in a peer id (which the node checks is its own). Otherwise, why not.
pub(crate) fn announceable(addr: &Multiaddr) -> std::result::Result<(), &'static str> {
    use libp2p::multiaddr::Protocol;
    const UNREACHABLE: &str =
        "is not an address another machine can reach (unspecified, loopback or link-local)";
    let mut parts = addr.iter();
    match parts.next() {
        Some(Protocol::Ip4(ip))
            if ip.is_unspecified() || ip.is_loopback() || ip.is_link_local() =>
        {
            return Err(UNREACHABLE);
        }
        Some(Protocol::Ip6(ip))
            if ip.is_unspecified() || ip.is_loopback() || ip.is_unicast_link_local() =>
        {
            return Err(UNREACHABLE);
        }
        Some(
            Protocol::Ip4(_)
            | Protocol::Ip6(_)
            | Protocol::Dns(_)
            | Protocol::Dns4(_)
            | Protocol::Dns6(_),
        ) => {}
        _ => return Err("does not start with a host (/ip4/, /ip6/, /dns/, /dns4/ or /dns6/)"),
    }
    let rest = match (parts.next(), parts.next()) {
        (Some(Protocol::Tcp(p)), rest) if p != 0 => rest,
        (Some(Protocol::Udp(p)), Some(Protocol::QuicV1)) if p != 0 => parts.next(),
        _ => {
            return Err(
                "needs a port other nodes dial: /tcp/PORT, or /udp/PORT/quic-v1 (not port 0)",
            );
        }
    };
    match (rest, parts.next()) {
        (None | Some(Protocol::P2p(_)), None) => Ok(()),
        _ => Err("has parts after its port other than a peer id (/p2p/...)"),
    }
}

#[cfg(test)]
mod tests;
