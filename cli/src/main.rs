//! `coalesce`: the command-line client of a Coalesce node.
//!
//! Thin glue: parses arguments, opens the node's replica in the home folder, runs one command,
//! prints through [`output`], and maps errors to a message and exit code.

mod args;
mod cmd;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::note(&format!("error: {e}"));
            for cause in e.chain().skip(1) {
                output::note(&format!("  caused by: {cause}"));
            }
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COALESCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// The home folder: `--home`, `$COALESCE_HOME`, or the user's data directory.
fn home(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(h) = given {
        return Ok(h);
    }
    directories::ProjectDirs::from("org", "Coalesce", "coalesce")
        .map(|d| d.data_dir().to_owned())
        .context("no home folder given and no user data directory found; pass --home DIR")
}

fn run(cli: args::Cli) -> Result<()> {
    let home = home(cli.home)?;
    let out = output::Out;
    cmd::run(&home, cli.command, &out)
}
