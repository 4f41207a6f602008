//! `coalesce-node`: the Coalesce node daemon.
//!
//! For now the daemon opens the node's replica (which holds the store exclusively, so the
//! offline CLI cannot write behind its back), reports what it holds, and waits for SIGINT or
//! SIGTERM. Later issues add the peer-to-peer network and the local control API here.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use replica::{Replica, ReplicaError};
use tracing::{info, warn};

/// Run a Coalesce node: keeps this organization's copy of its coalitions.
#[derive(Debug, Parser)]
#[command(name = "coalesce-node", version, max_term_width = 100)]
struct Args {
    /// The node's data folder [default: the user's data directory]
    #[arg(long, env = "COALESCE_HOME", value_name = "DIR")]
    home: Option<PathBuf>,
    /// Organization name used if the home folder is not set up yet
    #[arg(long, env = "COALESCE_ORG", default_value = "Unnamed organization")]
    org: String,
    /// Log filter, e.g. info or coalesce=debug
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
    let home = match args.home {
        Some(h) => h,
        None => directories::ProjectDirs::from("org", "Coalesce", "coalesce")
            .map(|d| d.data_dir().to_owned())
            .context("no home folder given and no user data directory found; pass --home DIR")?,
    };
    let mut replica = match Replica::open(&home) {
        Err(ReplicaError::NotInitialized { .. }) => {
            let key = Replica::init(&home, &args.org)?;
            warn!(home = %home.display(), node = %key, org = %args.org, "set up a new node; pass --org NAME on first start to name your organization");
            Replica::open(&home)?
        }
        other => other?,
    };
    let coalitions = replica.coalitions()?;
    for c in &coalitions {
        info!(coalition = %c.id, name = %c.name, members = c.members, issues = c.issues, "holding coalition");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        let stop = ShutdownSignal::install()?;
        info!(
            home = %home.display(),
            node = %replica.identity().node_key(),
            org = %replica.identity().org(),
            coalitions = coalitions.len(),
            "node running; stop with Ctrl-C or SIGTERM"
        );
        stop.wait().await
    })?;
    info!("shutting down; every change was stored when it was made");
    drop(replica);
    Ok(())
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
