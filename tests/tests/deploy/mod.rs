//! The deployment files stay valid and do what they say: the systemd unit passes
//! `systemd-analyze verify`; the compose file passes `docker-compose config` and its settings
//! pass the node's own `--check-config`; the Dockerfile copies files that exist and its health
//! check tells a running node from a stopped one; the demo entrypoint links three real nodes.
//! (No container engine runs here: the image itself is not built.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod packaging;
mod readme;
mod tls;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository root")
        .to_owned()
}

fn stop(mut child: std::process::Child) -> bool {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap().success()
}
