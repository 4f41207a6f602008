//! `coalesce-node`: the Coalesce node daemon.
//!
//! Wiring only: opens the replica (setting up a fresh home on first start), starts the network
//! side (`net::swarm`), the core thread that runs the sync protocol over the replica
//! (`net::core`) and the control API on loopback (`api`), writes the addresses and the API
//! token into the home folder, and shuts everything down cleanly on SIGINT or SIGTERM.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use config::{LogFormat, Settings};
use libp2p::Multiaddr;
use net::core::{CHANNEL, Core, Event};
use replica::{Replica, ReplicaError};
use tokio::sync::mpsc;
use tracing::{info, warn};

mod config;
mod heap;
mod tls;

/// The version printed by `--version`: the program's, and the wire protocol's it speaks.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (protocol 17)");

fn main() -> ExitCode {
    use std::io::Write;
    let args = config::parse_args();
    if args.man_page {
        use clap::CommandFactory;
        let mut page = Vec::new();
        return match clap_mangen::Man::new(config::Args::command()).render(&mut page) {
            Ok(()) if std::io::stdout().write_all(&page).is_ok() => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        };
    }
    let settings = Settings::resolve(&args).and_then(|s| {
        if args.check_config {
            // The API's certificate and key must load, not only be named.
            if let (Some(cert), Some(key)) = (&s.api_tls_cert, &s.api_tls_key) {
                tls::server_config(cert, key)?;
            }
            write!(std::io::stdout(), "{}", s.to_toml()?)?;
        }
        Ok(s)
    });
    let settings = match settings {
        Ok(_) if args.check_config => return ExitCode::SUCCESS,
        Ok(s) if args.health_check => return health_check(&s.home),
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            // A health check answers 0 or 1 only (container engines reserve 2).
            return ExitCode::from(if args.health_check { 1 } else { 2 });
        }
    };
    // Before any thread starts: the new run replaces this process.
    let heap = heap::keep_freed_memory();
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour only on a terminal: a file, a pipe or a journal gets plain text.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Human => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match heap {
        heap::Heap::Kept => info!("the heap keeps the memory it frees (glibc's tunables set)"),
        heap::Heap::Left => {}
        heap::Heap::NotRestarted(why) => {
            warn!("could not restart with glibc keeping freed memory ({why}); going on without")
        }
    }
    match run(settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a node runs on `home` and answers `/health` (through the API file it wrote).
fn health_check(home: &Path) -> ExitCode {
    use std::io::Write;
    match api::Client::discover(home) {
        Ok(Some(_)) => {
            let _ = writeln!(std::io::stdout(), "ok");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            let _ = writeln!(
                std::io::stderr(),
                "no node answers on {} (not started, starting, or stopped)",
                home.display()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Settings) -> Result<()> {
    let home = args.home.clone();
    let replica = match Replica::open(&home) {
        Err(ReplicaError::NotInitialized { .. }) => {
            let key = Replica::init(&home, &args.org)?;
            if args.org == replica::UNNAMED_ORG {
                warn!(home = %home.display(), node = %key, "set up a new node without a name; name your organization (the node keeps running): coalesce --home {} rename \"Your organization\"", home.display());
            } else {
                info!(home = %home.display(), node = %key, org = %args.org, "set up a new node");
            }
            Replica::open(&home)?
        }
        other => other?,
    };
    // What setting up the network needs from the replica is read now; the coalitions load
    // (Automerge's load: seconds for a long history) on their own thread meanwhile, instead
    // of after, on the core's first work.
    let held = Held {
        node: replica.identity().node_key(),
        org: replica.identity().org().to_owned(),
        secret: replica.identity().secret_bytes(),
        known_peers: net::core::known_peers(&replica),
    };
    // The replica comes back over a channel, not by joining the thread: a stop asked while it
    // loads ends the process without waiting for the load (the runtime would wait for a
    // blocking task joining it).
    let (loaded_tx, loading) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("coalesce-load".into())
        .spawn(move || {
            let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut replica = replica;
                replica.load_all();
                replica
            }));
            let _ = loaded_tx.send(loaded);
        })
        .context("could not start loading the coalitions")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(serve(args, home, held, loading))
}

/// What the node's setup reads from the replica while the replica loads its coalitions.
struct Held {
    node: model::NodeKey,
    org: String,
    secret: [u8; 32],
    known_peers: Vec<String>,
}

async fn serve(
    args: Settings,
    home: PathBuf,
    held: Held,
    loading: tokio::sync::oneshot::Receiver<std::thread::Result<Replica>>,
) -> Result<()> {
    let mut stop = ShutdownSignal::install()?;
    // A certificate that does not load stops the node before it joins the network.
    let tls = match api_tls_files(&args, &home)? {
        Some(files) => {
            let (config, fingerprint) = tls::server_config(&files.0, &files.1)?;
            Some(ApiTls {
                files,
                config,
                fingerprint,
            })
        }
        None => None,
    };
    let Held {
        node,
        org,
        secret,
        known_peers,
    } = held;
    let (events_tx, events_rx) = mpsc::channel(CHANNEL);
    let (out_tx, out_rx) = mpsc::channel(CHANNEL);
    let mut bootstrap = args.bootstrap.clone();
    bootstrap.extend(known_peers.iter().filter_map(|a| a.parse().ok()));
    let announce = own_announced(&args.announce, &node)?;
    let shared = std::sync::Arc::new(net::swarm::Shared::default());
    let config = net::swarm::NetConfig {
        secret,
        listen: args.listen.clone(),
        // Identify names the peer id itself.
        external: args.announce.iter().map(without_peer).collect(),
        mdns: args.mdns,
        bootstrap,
        keep: args.bootstrap.clone(),
        frames_per_second: args.peer_frames_per_second,
        max_connections: args.max_connections.get(),
        max_connections_per_peer: args.max_connections_per_peer.get(),
        max_frame: net::swarm::frame_limit(
            usize::try_from(args.max_message_bytes).unwrap_or(usize::MAX),
        ),
        relay: args.relay.then(|| net::swarm::RelayLimits {
            reservations: args.relay_max_reservations.get() as usize,
            circuits: args.relay_max_circuits.get() as usize,
            circuit_bytes: u64::from(args.relay_circuit_mib.get()) * 1024 * 1024,
            circuit_duration: std::time::Duration::from_secs(
                u64::from(args.relay_circuit_minutes.get()) * 60,
            ),
        }),
        shared: shared.clone(),
    };
    let (listening, handle) = net::swarm::start(config, events_tx.clone(), out_rx)
        .await
        .context("could not start the network")?;
    let addrs = dialable(&listening, &announce, &interface_addresses(), &node);
    net::core::write_addresses(&home, &addrs).with_context(|| {
        format!(
            "could not write {}",
            home.join(net::core::ADDRESSES_FILE).display()
        )
    })?;

    // With TLS, the API address serves TLS, and commands on this machine reach the node
    // through a second listener on loopback (what `api.json` names), as without TLS.
    let (local, tls) = match tls {
        Some(t) => (
            bind_api("127.0.0.1:0".parse()?).await?,
            Some((t, bind_api(args.api).await?)),
        ),
        None => (bind_api(args.api).await?, None),
    };
    let api_addr = local.local_addr()?;
    let token = api::new_token()?;
    let tls_endpoint = match &tls {
        Some((t, listener)) => Some(api::TlsEndpoint {
            addr: listener.local_addr()?,
            cert_sha256: t.fingerprint.clone(),
        }),
        None => None,
    };
    let api_file = api::ApiFile {
        version: api::API_VERSION,
        addr: api_addr,
        token: token.clone(),
        pid: std::process::id(),
        tls: tls_endpoint,
    };
    api_file.write(&home)?;
    let metrics = std::sync::Arc::new(api::Metrics::default());
    let api_metrics = metrics.clone();
    if let Some(addr) = args.metrics {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("could not listen on {addr} for metrics"))?;
        let monitoring = api::monitoring(metrics.clone());
        info!(addr = %listener.local_addr()?, "serving /metrics, /health and /ready");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, monitoring).await {
                warn!(error = %e, "the metrics endpoint stopped");
            }
        });
    }
    let (jobs_tx, mut jobs_rx) = mpsc::channel::<api::Job>(64);
    let to_core = events_tx.clone();
    tokio::spawn(async move {
        while let Some(job) = jobs_rx.recv().await {
            if to_core.send(Event::Api(job)).await.is_err() {
                return;
            }
        }
    });
    // The web UI, on the loopback listener that `api.json` names (a person on this machine
    // signs in with `coalesce ui`); with TLS, also on the TLS listener, where people sign in
    // with the accounts `coalesce person add` makes (below).
    let sessions = std::sync::Arc::new(web::Sessions::new(format!("http://{api_addr}")));
    // Which coalitions change, from the core to the pages open in browsers.
    let (changes, _) = tokio::sync::broadcast::channel(256);
    let pages = web::router(
        web::Web::new(jobs_tx.clone(), sessions.clone(), web::hosts_for(api_addr))
            .with_changes(changes.clone()),
    );
    let router = api::router_with_ui(
        token.clone(),
        jobs_tx.clone(),
        api_metrics.clone(),
        std::sync::Arc::new(web::UiHooks::new(sessions)),
        pages,
    );
    let mut reloadable = None;
    let mut people_url = None;
    if let Some((t, listener)) = tls {
        let addr = listener.local_addr()?;
        let config = axum_server::tls_rustls::RustlsConfig::from_config(t.config);
        let server = axum_server::from_tcp_rustls(listener.into_std()?, config.clone())
            .context("could not serve the control API over TLS")?;
        info!(%addr, cert_sha256 = %t.fingerprint, "serving the control API over TLS");
        reloadable = Some(ReloadableTls {
            config,
            files: t.files,
            home: home.clone(),
            api_file,
        });
        // Other machines get the same routes but for those writing files on this one, and the
        // UI for the people with accounts here.
        let lan = lan_ui(addr, &args.ui_host);
        info!(url = %lan.base, hosts = ?lan.hosts, "serving the web UI to people on other machines");
        let sessions = std::sync::Arc::new(web::Sessions::over_tls(lan.base.clone()));
        let pages = web::router(
            web::Web::new(jobs_tx.clone(), sessions.clone(), lan.hosts)
                .with_changes(changes.clone())
                .for_people(),
        );
        people_url = Some(lan.base);
        let app = api::remote_router_with_ui(
            token,
            jobs_tx,
            api_metrics,
            std::sync::Arc::new(web::UiHooks::new(sessions)),
            pages,
        )
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            if let Err(e) = server.serve(app).await {
                warn!(error = %e, "the control API (TLS) stopped");
            }
        });
    }
    tokio::spawn(async move {
        if let Err(e) = axum::serve(local, router).await {
            warn!(error = %e, "the control API stopped");
        }
    });
    reload_on_hangup(reloadable)?;

    // The setting was checked to lie within the protocol's limits, which fit in a usize.
    let max_message = usize::try_from(args.max_message_bytes).unwrap_or(usize::MAX);
    // A stop asked while the coalitions load is taken at once (nothing is written while
    // loading: the loading thread, which still holds the store open, ends with the process);
    // a load that panicked stops the node, as a core that did would.
    let loaded = tokio::select! {
        signal = stop.wait() => {
            api::ApiFile::remove(&home);
            signal?;
            info!("shutting down while the coalitions were loading");
            return Ok(());
        }
        loaded = loading => loaded,
    };
    let replica = match loaded {
        Ok(Ok(replica)) => replica,
        Ok(Err(panic)) => {
            api::ApiFile::remove(&home);
            anyhow::bail!(
                "loading the coalitions stopped: {}",
                panic_message(panic.as_ref())
            );
        }
        Err(e) => {
            api::ApiFile::remove(&home);
            return Err(e).context("could not wait for the coalitions to load");
        }
    };
    let core = Core::new(replica, out_tx, handle.sender(), addrs.clone())
        .with_max_message(max_message)
        .with_peer_bound(args.peers_per_coalition.get() as usize)
        .with_publish_every(
            (args.publish_every_seconds > 0)
                .then(|| std::time::Duration::from_secs(u64::from(args.publish_every_seconds))),
        )
        .with_network(shared)
        .with_metrics(metrics.clone())
        .with_changes(changes);
    let core = match people_url {
        Some(url) => core.with_people_url(url),
        None => core,
    };
    // The core thread reports how it ended: with the replica after a shutdown, or with the
    // panic that stopped it. A node whose core stopped must not stay half alive.
    let (core_done, mut core_ended) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("coalesce-core".into())
        .spawn(move || {
            let ended =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| core.run(events_rx)))
                    .map_err(|panic| panic_message(panic.as_ref()));
            let _ = core_done.send(ended);
        })?;
    metrics.set_ready(true);
    info!(home = %home.display(), %node, %org, api = %api_addr, addrs = ?addrs, "node running; stop with Ctrl-C or SIGTERM");

    let ended = tokio::select! {
        signal = stop.wait() => {
            signal?;
            metrics.set_ready(false);
            info!("shutting down");
            api::ApiFile::remove(&home);
            let _ = events_tx.send(Event::Shutdown).await;
            core_ended.await
        }
        ended = &mut core_ended => ended,
    };
    let why = match ended {
        Ok(Ok(replica)) if !metrics.is_ready() => {
            drop(replica);
            info!("stopped; every change was stored when it was made");
            return Ok(());
        }
        Ok(Ok(_)) => "it ended on its own".to_owned(),
        Ok(Err(panic)) => format!("it panicked: {panic}"),
        Err(_) => "it vanished".to_owned(),
    };
    // What was stored stays stored (every change is durable before it is reported); the
    // node stops with an error so that a supervisor restarts it.
    metrics.fail(format!("the node's core stopped: {why}"));
    api::ApiFile::remove(&home);
    anyhow::bail!(
        "the node's core stopped ({why}); stopping the node. Every change stored before it stopped is kept; start the node again"
    )
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

/// The addresses of this machine other machines can reach the API at when it listens on
/// every address (`addr` unspecified; else none): real interfaces before containers' and
/// virtual bridges', IPv4 first.
fn lan_addresses(addr: std::net::SocketAddr) -> Vec<std::net::IpAddr> {
    if !addr.ip().is_unspecified() {
        return Vec::new();
    }
    interface_addresses()
}

/// This machine's addresses on its network interfaces but loopback: real interfaces before
/// containers' and virtual bridges', IPv4 first.
fn interface_addresses() -> Vec<std::net::IpAddr> {
    let mut lan: Vec<(bool, std::net::IpAddr)> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| {
            let bridge = ["docker", "br-", "veth", "virbr", "cni", "flannel", "podman"]
                .iter()
                .any(|p| i.name.starts_with(p));
            (bridge, i.ip())
        })
        .collect();
    lan.sort_by_key(|(bridge, ip)| (*bridge, ip.is_ipv6(), *ip));
    lan.into_iter().map(|(_, ip)| ip).collect()
}

/// Where the web UI is served to other machines.
struct LanUi {
    /// `https://HOST:PORT`, which setup links start with.
    base: String,
    /// The `Host` header values it answers to (against DNS rebinding).
    hosts: Vec<String>,
}

/// The web UI served over TLS at `addr` (the address it listens on): it answers to the names
/// the operator gave (`ui_host`), the bound address, this machine's addresses and host name
/// and loopback, each with the port; setup links name the first given, else the bound
/// address, else this machine's first LAN address (IPv4 first), else its host name.
fn lan_ui(addr: std::net::SocketAddr, ui_host: &[String]) -> LanUi {
    let port = addr.port();
    let with_port = |name: &str| -> String {
        match name.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
            _ => format!("{name}:{port}"),
        }
    };
    let lan = lan_addresses(addr);
    let names = tls::default_names(addr);
    let first = ui_host
        .first()
        .cloned()
        .or_else(|| (!addr.ip().is_unspecified()).then(|| addr.ip().to_string()))
        .or_else(|| lan.first().map(ToString::to_string))
        .or_else(|| {
            names
                .iter()
                .find(|n| !["localhost", "127.0.0.1", "::1"].contains(&n.as_str()))
                .cloned()
        })
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    let mut hosts: Vec<String> = ui_host.iter().map(|n| with_port(n)).collect();
    hosts.extend(names.iter().map(|n| with_port(n)));
    hosts.extend(lan.iter().map(|ip| with_port(&ip.to_string())));
    hosts.push(with_port(&first));
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|h| seen.insert(h.to_ascii_lowercase()));
    LanUi {
        base: format!("https://{}", with_port(&first)),
        hosts,
    }
}

/// Listens for the control API on `addr`.
async fn bind_api(addr: std::net::SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("could not listen on {addr} for the control API (is another node using it? pass --api 127.0.0.1:0)")
    })
}

/// The API's certificate and key files, if it serves TLS (generating a self-signed pair if
/// asked to and there is none yet).
fn api_tls_files(args: &Settings, home: &Path) -> Result<Option<(PathBuf, PathBuf)>> {
    Ok(match (&args.api_tls_cert, &args.api_tls_key) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        _ if args.api_tls_self_signed => {
            // The names people use for the UI too (`--ui-host`, this machine's LAN addresses),
            // when the pair is first made.
            let mut names = tls::default_names(args.api);
            let lan = lan_addresses(args.api).into_iter().map(|ip| ip.to_string());
            for host in args.ui_host.iter().cloned().chain(lan) {
                if !names.contains(&host) {
                    names.push(host);
                }
            }
            Some(tls::self_signed(home, &names)?)
        }
        _ => None,
    })
}

/// The API's TLS side as the node starts: its files, configuration and certificate fingerprint.
struct ApiTls {
    files: (PathBuf, PathBuf),
    config: std::sync::Arc<rustls::ServerConfig>,
    fingerprint: String,
}

/// What a SIGHUP reloads: the API's TLS certificate and key.
struct ReloadableTls {
    config: axum_server::tls_rustls::RustlsConfig,
    files: (PathBuf, PathBuf),
    home: PathBuf,
    api_file: api::ApiFile,
}

impl ReloadableTls {
    /// Reads the certificate and key again (e.g. after a renewal) and serves the new pair to
    /// new connections; a pair that does not load is logged and the old one kept.
    fn reload(&mut self) {
        match tls::server_config(&self.files.0, &self.files.1) {
            Ok((new, fingerprint)) => {
                self.config.reload_from_config(new);
                if let Some(endpoint) = self.api_file.tls.as_mut() {
                    endpoint.cert_sha256 = fingerprint.clone();
                }
                if let Err(e) = self.api_file.write(&self.home) {
                    warn!(error = %e, "could not update the API file");
                }
                info!(cert_sha256 = %fingerprint, "reloaded the API's TLS certificate");
            }
            Err(e) => warn!(
                error = format!("{e:#}"),
                "kept the API's TLS certificate: the new one does not load"
            ),
        }
    }
}

/// Handles SIGHUP (`systemctl reload`) for the node's lifetime: reloads the API's TLS
/// certificate, if it serves TLS; otherwise notes that there is nothing to reload. Either
/// way the node keeps running (SIGHUP's default action would stop it).
fn reload_on_hangup(mut tls: Option<ReloadableTls>) -> Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangup = signal(SignalKind::hangup()).context("could not listen for SIGHUP")?;
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match tls.as_mut() {
                    Some(t) => t.reload(),
                    None => info!("SIGHUP: nothing to reload (the API does not serve TLS)"),
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(tls.take());
    Ok(())
}

/// `addr` without the peer ids it names.
fn without_peer(addr: &Multiaddr) -> Multiaddr {
    addr.iter()
        .filter(|p| !matches!(p, libp2p::multiaddr::Protocol::P2p(_)))
        .collect()
}

/// The announced addresses (`--announce`), each ending in this node's peer id: one naming
/// another peer id is refused, since other nodes would reach some other node there.
fn own_announced(announce: &[Multiaddr], node: &model::NodeKey) -> Result<Vec<Multiaddr>> {
    use libp2p::multiaddr::Protocol;
    let Some(peer) = net::swarm::peer_id(node) else {
        anyhow::bail!("this node's key does not make a libp2p peer id");
    };
    announce
        .iter()
        .map(|a| match a.iter().last() {
            Some(Protocol::P2p(id)) if id == peer => Ok(a.clone()),
            Some(Protocol::P2p(id)) => anyhow::bail!(
                "announce: `{a}` names the peer id {id}, but this node's is {peer}; leave the /p2p/ part out"
            ),
            _ => Ok(net::swarm::with_peer(a.clone(), peer)),
        })
        .collect()
}

/// Addresses other machines can dial this node at, for its invites and the address record
/// it gives its peers, each ending in its peer id: the announced ones first, then each
/// listening address (libp2p reports one per interface for an unspecified one; one given
/// unspecified stands for each of `lan` of its family) in the order of `lan`, real interfaces
/// before bridges, TCP before QUIC; loopback only if nothing else is left (a node listening
/// only there). IPv6 link-local addresses, which need an interface to be dialed, are left out.
fn dialable(
    listening: &[Multiaddr],
    announce: &[Multiaddr],
    lan: &[std::net::IpAddr],
    node: &model::NodeKey,
) -> Vec<String> {
    use libp2p::multiaddr::Protocol;
    use std::net::IpAddr;
    let peer = net::swarm::peer_id(node);
    let finish = |a: Multiaddr| -> String {
        match peer {
            Some(peer) => net::swarm::with_peer(a, peer).to_string(),
            None => a.to_string(),
        }
    };
    let with_ip = |a: &Multiaddr, ip: IpAddr| -> Multiaddr {
        a.iter()
            .map(|p| match (p, ip) {
                (Protocol::Ip4(_), IpAddr::V4(v4)) => Protocol::Ip4(v4),
                (Protocol::Ip6(_), IpAddr::V6(v6)) => Protocol::Ip6(v6),
                (other, _) => other,
            })
            .collect()
    };
    let link_local = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_unicast_link_local(),
    };
    // The machine's own addresses in the order of `lan` (real interfaces first), TCP before
    // QUIC; an address on no interface listed, last.
    let quic = |a: &Multiaddr| a.iter().any(|p| matches!(p, Protocol::QuicV1));
    let rank = |ip: Option<IpAddr>, a: &Multiaddr| {
        let at = ip
            .and_then(|ip| lan.iter().position(|l| *l == ip))
            .unwrap_or(lan.len());
        (at, quic(a))
    };
    let mut own: Vec<((usize, bool), Multiaddr)> = Vec::new();
    let mut loopback: Vec<String> = Vec::new();
    for a in listening {
        let ip = match a.iter().next() {
            Some(Protocol::Ip4(ip)) => IpAddr::V4(ip),
            Some(Protocol::Ip6(ip)) => IpAddr::V6(ip),
            _ => {
                own.push((rank(None, a), a.clone()));
                continue;
            }
        };
        if ip.is_unspecified() {
            let same_family = lan
                .iter()
                .filter(|l| l.is_ipv4() == ip.is_ipv4() && !l.is_loopback() && !link_local(l));
            for l in same_family {
                let with = with_ip(a, *l);
                own.push((rank(Some(*l), &with), with));
            }
            let local = match ip {
                IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            };
            loopback.push(finish(with_ip(a, local)));
        } else if ip.is_loopback() {
            loopback.push(finish(a.clone()));
        } else if !link_local(&ip) {
            own.push((rank(Some(ip), a), a.clone()));
        }
    }
    own.sort_by_key(|(r, _)| *r);
    let mut out: Vec<String> = announce.iter().cloned().map(finish).collect();
    out.extend(own.into_iter().map(|(_, a)| finish(a)));
    if out.is_empty() {
        out = loopback;
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|a| seen.insert(a.clone()));
    out.truncate(sync::invite::MAX_ADDRS);
    out
}

/// SIGINT and SIGTERM, listened for from the moment of [`ShutdownSignal::install`], so that a
/// signal arriving right after the node says it is running is not missed.
struct ShutdownSignal {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    fn install() -> Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate()).context("could not listen for SIGTERM")?,
                int: signal(SignalKind::interrupt()).context("could not listen for SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn wait(&mut self) -> Result<()> {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c()
            .await
            .context("could not listen for Ctrl-C")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_ui_for_other_machines_answers_to_its_names_and_links_to_the_first() {
        let ui = lan_ui("192.168.1.20:7443".parse().unwrap(), &[]);
        assert_eq!(ui.base, "https://192.168.1.20:7443");
        for host in [
            "192.168.1.20:7443",
            "localhost:7443",
            "127.0.0.1:7443",
            "[::1]:7443",
        ] {
            assert!(ui.hosts.iter().any(|h| h == host), "{host}: {:?}", ui.hosts);
        }
        let given = ["office-node.lan".to_owned(), "fd00::5".to_owned()];
        let ui = lan_ui("0.0.0.0:7443".parse().unwrap(), &given);
        assert_eq!(ui.base, "https://office-node.lan:7443");
        assert!(ui.hosts.iter().any(|h| h == "[fd00::5]:7443"));
        // Listening everywhere, it answers to this machine's own addresses too; never twice.
        let mut seen = std::collections::HashSet::new();
        assert!(ui.hosts.iter().all(|h| seen.insert(h)));
        assert!(!ui.hosts.iter().any(|h| h.starts_with("0.0.0.0")));
    }

    fn addrs(list: &[&str]) -> Vec<Multiaddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn invites_name_addresses_other_machines_can_dial() {
        let node = replica::Identity::generate("Northside").unwrap().node_key();
        let peer = net::swarm::peer_id(&node).unwrap();
        // As `interface_addresses` orders them: IPv4 first.
        let lan: Vec<std::net::IpAddr> = ["192.168.1.20", "10.0.0.3", "fd00::5", "fe80::1"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let everywhere = addrs(&["/ip4/0.0.0.0/tcp/7421", "/ip6/::/tcp/7421"]);
        let announce = own_announced(&addrs(&["/ip4/203.0.113.7/tcp/9000"]), &node).unwrap();
        // Announced first; every address of the machine but loopback and link-local.
        assert_eq!(
            dialable(&everywhere, &announce, &lan, &node),
            [
                format!("/ip4/203.0.113.7/tcp/9000/p2p/{peer}"),
                format!("/ip4/192.168.1.20/tcp/7421/p2p/{peer}"),
                format!("/ip4/10.0.0.3/tcp/7421/p2p/{peer}"),
                format!("/ip6/fd00::5/tcp/7421/p2p/{peer}"),
            ]
        );
        // Listening only on loopback, loopback it is; with somewhere else too, not.
        let local = addrs(&["/ip4/127.0.0.1/tcp/7421"]);
        assert_eq!(
            dialable(&local, &[], &lan, &node),
            [format!("/ip4/127.0.0.1/tcp/7421/p2p/{peer}")]
        );
        assert_eq!(
            dialable(&local, &announce, &lan, &node),
            [format!("/ip4/203.0.113.7/tcp/9000/p2p/{peer}")]
        );
        // Listening everywhere on a machine with no other interface: loopback, not 0.0.0.0.
        assert_eq!(
            dialable(&everywhere[..1], &[], &[], &node),
            [format!("/ip4/127.0.0.1/tcp/7421/p2p/{peer}")]
        );
        // As libp2p reports a listener on every address: one per interface, in any order;
        // named in the order of the machine's interfaces (real ones before bridges), TCP
        // before QUIC, without loopback or link-local.
        let bridged: Vec<std::net::IpAddr> = ["192.168.1.20", "172.17.0.1"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let reported = addrs(&[
            "/ip4/127.0.0.1/tcp/7421",
            "/ip4/172.17.0.1/tcp/7421",
            "/ip4/192.168.1.20/udp/7421/quic-v1",
            "/ip4/192.168.1.20/tcp/7421",
            "/ip6/fe80::1/tcp/7421",
        ]);
        assert_eq!(
            dialable(&reported, &[], &bridged, &node),
            [
                format!("/ip4/192.168.1.20/tcp/7421/p2p/{peer}"),
                format!("/ip4/192.168.1.20/udp/7421/quic-v1/p2p/{peer}"),
                format!("/ip4/172.17.0.1/tcp/7421/p2p/{peer}"),
            ]
        );
        // A specific address is named as it is; quic too.
        assert_eq!(
            dialable(
                &addrs(&["/ip4/10.0.0.3/udp/7421/quic-v1"]),
                &[],
                &lan,
                &node
            ),
            [format!("/ip4/10.0.0.3/udp/7421/quic-v1/p2p/{peer}")]
        );
    }

    #[test]
    fn an_announced_address_of_another_node_is_refused() {
        let node = replica::Identity::generate("Northside").unwrap().node_key();
        let other = replica::Identity::generate("Eastside").unwrap().node_key();
        let theirs = net::swarm::peer_id(&other).unwrap();
        let err = own_announced(
            &addrs(&[&format!("/ip4/203.0.113.7/tcp/9000/p2p/{theirs}")]),
            &node,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("announce") && err.contains("peer id"), "{err}");
        let mine = own_announced(&addrs(&["/dns4/node.example.org/tcp/9000"]), &node).unwrap();
        assert!(
            mine[0]
                .to_string()
                .ends_with(&net::swarm::peer_id(&node).unwrap().to_string())
        );
    }
}
