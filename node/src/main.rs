//! `coalesce-node`: the Coalesce node daemon.
//!
//! Wiring only: opens the replica (setting up a fresh home on first start), starts the network
//! side (`net::swarm`), the core thread that runs the sync protocol over the replica
//! (`net::core`) and the control API on loopback (`api`), writes the addresses and the API
//! token into the home folder, and shuts everything down cleanly on SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use libp2p::Multiaddr;
use net::core::{CHANNEL, Core, Event};
use replica::{Replica, ReplicaError};
use tokio::sync::mpsc;
use tracing::{info, warn};

/// File in the home folder listing where the node can be reached.
const ADDRESSES_FILE: &str = "addresses.json";

/// Run a Coalesce node: keeps this organization's copy of its coalitions and syncs it with the
/// other members' nodes.
#[derive(Debug, Parser)]
#[command(name = "coalesce-node", version, max_term_width = 100)]
struct Args {
    /// The node's data folder [default: the user's data directory]
    #[arg(long, env = "COALESCE_HOME", value_name = "DIR")]
    home: Option<PathBuf>,
    /// Organization name used if the home folder is not set up yet
    #[arg(long, env = "COALESCE_ORG", default_value = "Unnamed organization")]
    org: String,
    /// Address to listen on for other nodes (repeat for several; port 0 picks a free port)
    #[arg(
        long = "listen",
        value_name = "MULTIADDR",
        default_values = ["/ip4/0.0.0.0/tcp/7421", "/ip4/0.0.0.0/udp/7421/quic-v1"]
    )]
    listen: Vec<Multiaddr>,
    /// Address of the local control API (loopback only; port 0 picks a free port)
    #[arg(
        long,
        env = "COALESCE_API",
        value_name = "ADDR",
        default_value = "127.0.0.1:7420"
    )]
    api: SocketAddr,
    /// A peer to keep connected to (repeat for several)
    #[arg(long = "bootstrap", value_name = "MULTIADDR")]
    bootstrap: Vec<Multiaddr>,
    /// Do not look for other nodes on the local network (mDNS)
    #[arg(long)]
    no_mdns: bool,
    /// Messages one peer may send per second on average (bursts of twice that); a peer
    /// sending faster is slowed down so that the other peers stay served
    #[arg(
        long,
        env = "COALESCE_PEER_FRAMES_PER_SECOND",
        value_name = "N",
        default_value_t = std::num::NonZeroU32::new(net::swarm::FRAMES_PER_SECOND).unwrap_or(std::num::NonZeroU32::MIN)
    )]
    peer_frames_per_second: std::num::NonZeroU32,
    /// Log filter, e.g. info or net=debug
    #[arg(long, env = "COALESCE_LOG", default_value = "info")]
    log: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    if !args.api.ip().is_loopback() {
        anyhow::bail!(
            "the control API must listen on loopback (got {}); serving it beyond loopback needs TLS, which is not supported yet",
            args.api
        );
    }
    let home = match &args.home {
        Some(h) => h.clone(),
        None => directories::ProjectDirs::from("org", "Coalesce", "coalesce")
            .map(|d| d.data_dir().to_owned())
            .context("no home folder given and no user data directory found; pass --home DIR")?,
    };
    let replica = match Replica::open(&home) {
        Err(ReplicaError::NotInitialized { .. }) => {
            let key = Replica::init(&home, &args.org)?;
            warn!(home = %home.display(), node = %key, org = %args.org, "set up a new node; pass --org NAME on first start to name your organization");
            Replica::open(&home)?
        }
        other => other?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(serve(args, home, replica))
}

async fn serve(args: Args, home: PathBuf, replica: Replica) -> Result<()> {
    let stop = ShutdownSignal::install()?;
    let node = replica.identity().node_key();
    let org = replica.identity().org().to_owned();
    let (events_tx, events_rx) = mpsc::channel(CHANNEL);
    let (out_tx, out_rx) = mpsc::channel(CHANNEL);
    let mut bootstrap = args.bootstrap.clone();
    bootstrap.extend(
        net::core::known_peers(&replica)
            .iter()
            .filter_map(|a| a.parse().ok()),
    );
    let config = net::swarm::NetConfig {
        secret: replica.identity().secret_bytes(),
        listen: args.listen.clone(),
        mdns: !args.no_mdns,
        bootstrap,
        frames_per_second: args.peer_frames_per_second,
    };
    let (listening, handle) = net::swarm::start(config, events_tx.clone(), out_rx)
        .await
        .context("could not start the network")?;
    let addrs = announced(&listening, &node);
    write_addresses(&home, &addrs)?;

    let listener = tokio::net::TcpListener::bind(args.api)
        .await
        .with_context(|| format!("could not listen on {} for the control API (is another node using it? pass --api 127.0.0.1:0)", args.api))?;
    let api_addr = listener.local_addr()?;
    let token = api::new_token()?;
    api::ApiFile {
        version: 1,
        addr: api_addr,
        token: token.clone(),
        pid: std::process::id(),
    }
    .write(&home)?;
    let (jobs_tx, mut jobs_rx) = mpsc::channel::<api::Job>(64);
    let to_core = events_tx.clone();
    tokio::spawn(async move {
        while let Some(job) = jobs_rx.recv().await {
            if to_core.send(Event::Api(job)).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, api::router(token, jobs_tx)).await {
            warn!(error = %e, "the control API stopped");
        }
    });

    let core = Core::new(replica, out_tx, handle.sender(), addrs.clone());
    let core_thread = std::thread::Builder::new()
        .name("coalesce-core".into())
        .spawn(move || core.run(events_rx))?;
    info!(home = %home.display(), %node, %org, api = %api_addr, addrs = ?addrs, "node running; stop with Ctrl-C or SIGTERM");

    stop.wait().await?;
    info!("shutting down");
    api::ApiFile::remove(&home);
    let _ = events_tx.send(Event::Shutdown).await;
    let replica = tokio::task::spawn_blocking(move || core_thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the core thread panicked"))?;
    drop(replica);
    info!("stopped; every change was stored when it was made");
    Ok(())
}

/// Addresses other nodes can dial: listening addresses with unspecified IPs replaced by
/// loopback (other interfaces are found by mDNS on a LAN), each ending in this node's peer id.
fn announced(listening: &[Multiaddr], node: &model::NodeKey) -> Vec<String> {
    use libp2p::multiaddr::Protocol;
    let peer = net::swarm::peer_id(node);
    listening
        .iter()
        .map(|a| {
            let mut out = Multiaddr::empty();
            for p in a.iter() {
                out.push(match p {
                    Protocol::Ip4(ip) if ip.is_unspecified() => {
                        Protocol::Ip4(std::net::Ipv4Addr::LOCALHOST)
                    }
                    Protocol::Ip6(ip) if ip.is_unspecified() => {
                        Protocol::Ip6(std::net::Ipv6Addr::LOCALHOST)
                    }
                    other => other,
                });
            }
            if let Some(peer) = peer {
                out.push(Protocol::P2p(peer));
            }
            out.to_string()
        })
        .collect()
}

fn write_addresses(home: &Path, addrs: &[String]) -> Result<()> {
    let path = home.join(ADDRESSES_FILE);
    let text = serde_json::to_vec_pretty(&serde_json::json!({ "addrs": addrs }))?;
    std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))
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

    async fn wait(mut self) -> Result<()> {
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
