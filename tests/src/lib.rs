//! Helpers for driving the real `coalesce` and `coalesce-node` binaries in end-to-end tests.
//!
//! Each [`Node`] has its own temporary home folder. The binaries are the ones cargo built for
//! this test run (`cargo test --workspace` builds them, because the `cli` and `node` packages
//! have integration tests of their own).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Path of a binary built in this workspace's target directory.
pub fn bin(name: &str) -> PathBuf {
    // The test executable lives in target/<profile>/deps/.
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (or `cargo build --workspace` first)",
        path.display()
    );
    path
}

/// A node's home folder and the command line pointed at it.
#[derive(Debug)]
pub struct Node {
    dir: tempfile::TempDir,
}

impl Default for Node {
    fn default() -> Self {
        Self::new()
    }
}

impl Node {
    /// A fresh, empty home folder.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A node set up for `org`.
    pub fn init(org: &str) -> Self {
        let node = Self::new();
        node.ok(&["init", "--org", org]);
        node
    }

    /// The home folder.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// A `coalesce` command on this home, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("coalesce"));
        cmd.args(args)
            .env("COALESCE_HOME", self.home())
            .env_remove("COALESCE_COALITION")
            .env_remove("COALESCE_LOG")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `coalesce` with `args`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run coalesce")
    }

    /// Runs `coalesce` and expects success; returns standard output, trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "`coalesce {}` failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8 output")
            .trim_end()
            .to_owned()
    }

    /// Runs `coalesce` expecting failure; returns standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "`coalesce {}` should have failed",
            args.join(" ")
        );
        assert!(
            out.stdout.is_empty(),
            "a failing command printed on stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).expect("utf-8 errors")
    }

    /// Runs a listing with `--json` and parses it.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("valid JSON")
    }

    /// Starts `coalesce-node` on this home.
    pub fn start_daemon(&self) -> std::process::Child {
        Command::new(bin("coalesce-node"))
            .args(["--home"])
            .arg(self.home())
            .env("COALESCE_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start coalesce-node")
    }
}

/// Whether `s` is a record id: 32 lowercase hex digits.
pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}
