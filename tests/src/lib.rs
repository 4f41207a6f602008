//! Helpers for driving the real `coalesce` and `coalesce-node` binaries in end-to-end tests.
//!
//! Each [`Node`] has its own temporary home folder. The binaries are the ones cargo built for
//! this test run (`cargo test --workspace` builds them, because the `cli` and `node` packages
//! have integration tests of their own).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `GET path` from the running node's API address (read from `api.json` in `home`), with no
/// token: (status code, body).
pub fn http_get(home: &Path, path: &str) -> (u16, String) {
    get_from_api(home, path, false)
}

/// `GET path` on the node's API with the token from `api.json`: (status, body).
pub fn http_get_with_token(home: &Path, path: &str) -> (u16, String) {
    get_from_api(home, path, true)
}

fn get_from_api(home: &Path, path: &str, with_token: bool) -> (u16, String) {
    use std::io::{Read, Write};
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("api.json")).expect("api.json"))
            .expect("api.json is JSON");
    let addr = file["addr"].as_str().expect("an API address");
    let auth = if with_token {
        format!(
            "Authorization: Bearer {}\r\n",
            file["token"].as_str().expect("a token")
        )
    } else {
        String::new()
    };
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the API");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Calls the API of the node running on `home` once (a fresh connection, as a command would),
/// with or without its token; the status and the reply (JSON, or the text as a JSON string).
pub fn api_call(
    home: &Path,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
    with_token: bool,
) -> (u16, serde_json::Value) {
    ApiSession::open(home).call(method, path, body, with_token)
}

/// A client of the API of the node running on a home that keeps its connection between calls,
/// as a browser does.
#[derive(Debug)]
pub struct ApiSession {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl ApiSession {
    /// Reads where the node's API listens and its token (`api.json`).
    pub fn open(home: &Path) -> Self {
        let file: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(home.join("api.json")).expect("api.json"),
        )
        .expect("api.json is JSON");
        // A node that stops answering fails the caller instead of hanging it (the longest
        // call, a join's wait, is seconds).
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(120)))
            .build()
            .into();
        Self {
            agent,
            base: format!("http://{}", file["addr"].as_str().expect("an address")),
            token: format!("Bearer {}", file["token"].as_str().expect("a token")),
        }
    }

    /// One call: the status and the reply (JSON, or the text as a JSON string).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        with_token: bool,
    ) -> (u16, serde_json::Value) {
        let url = format!("{}{path}", self.base);
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        if with_token {
            request = request.header("authorization", &self.token);
        }
        let sent = match body {
            Some(b) => {
                request = request.header("content-type", "application/json");
                self.agent
                    .run(request.body(b.to_string()).expect("a request"))
            }
            None => self
                .agent
                .run(request.body(ureq::SendBody::none()).expect("a request")),
        };
        let mut resp = sent.expect("the API answers");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().expect("a body");
        let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, value)
    }
}

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

    /// A one-shot `coalesce-node` on this home with `args` (a check, a refusal), not yet run.
    pub fn node_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("coalesce-node"));
        cmd.arg("--home")
            .arg(self.home())
            .args(args)
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

    /// Whether `coalesce` with `args` succeeds (e.g. whether a record has arrived here).
    pub fn succeeds(&self, args: &[&str]) -> bool {
        self.run(args).status.success()
    }

    /// Waits up to `secs` for `coalesce` with `args` to succeed (a record to arrive).
    pub fn wait_for(&self, secs: u64, what: &str, args: &[&str]) {
        eventually(secs, what, || self.succeeds(args).then_some(()));
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
}

/// Whether `s` is a record id: 32 lowercase hex digits.
pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A free TCP port on loopback (released before it is used; good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Lines of a node's log shown when a test fails.
const DUMPED_LINES: usize = 80;

/// A running `coalesce-node`, stopped with SIGTERM when dropped.
#[derive(Debug)]
pub struct Daemon {
    child: std::process::Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Daemon {
    /// The node's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The node's peak resident memory so far, in bytes (`VmHWM`), where the system says.
    pub fn peak_memory(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
        kb.trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()
            .map(|k| k * 1024)
    }

    /// Everything the node has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// Whether the node has logged a line containing `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.log.lock().expect("log").contains(text)
    }

    /// Stops the node with SIGTERM and waits for it; returns whether it exited cleanly.
    pub fn stop(mut self) -> bool {
        self.terminate();
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Waits up to `secs` seconds for the node to exit on its own; its exit status.
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }

    fn terminate(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // A failing test shows what each of its nodes logged last (CI keeps only this).
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(DUMPED_LINES)..].join("\n");
            eprintln!(
                "--- last {} lines logged by node process {} ---\n{tail}",
                DUMPED_LINES.min(lines.len()),
                self.child.id()
            );
        }
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
            let _ = self.child.wait();
        }
        if let Some(dir) = std::env::var_os("COALESCE_TEST_LOG_DIR") {
            // Every node's whole log, shutdown included, for reading a run that passed or
            // failed: named by the test and the process.
            std::thread::sleep(std::time::Duration::from_millis(100));
            let test: String = std::thread::current()
                .name()
                .unwrap_or("test")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let _ = std::fs::create_dir_all(&dir);
            let file = Path::new(&dir).join(format!("{test}-{}.log", self.child.id()));
            let _ = std::fs::write(file, self.log());
        }
    }
}

impl Node {
    /// Starts `coalesce-node` on this home, listening on loopback `port`, without mDNS, and
    /// waits until it serves its API.
    pub fn run_daemon(&self, port: u16) -> Daemon {
        self.run_daemon_on(&format!("/ip4/127.0.0.1/tcp/{port}"))
    }

    /// Starts `coalesce-node` listening on `listen` (a multiaddr), without mDNS.
    pub fn run_daemon_on(&self, listen: &str) -> Daemon {
        self.run_daemon_with(listen, &[])
    }

    /// Starts the node daemon listening on `listen`, with extra environment variables.
    pub fn run_daemon_with(&self, listen: &str, env: &[(&str, &str)]) -> Daemon {
        self.run_daemon_api(listen, "127.0.0.1:0", env)
    }

    /// Starts the node daemon listening on `listen`, its API on `api`, with extra
    /// environment variables.
    pub fn run_daemon_api(&self, listen: &str, api: &str, env: &[(&str, &str)]) -> Daemon {
        use std::io::BufRead;
        let mut child = Command::new(bin("coalesce-node"))
            .arg("--home")
            .arg(self.home())
            .args(["--listen", listen, "--api", api, "--no-mdns"])
            .env("COALESCE_LOG", "info,net=debug,sync=debug")
            .env("NO_COLOR", "1")
            // The allocator as a node finds it on a fresh machine, whatever the runner has.
            .env_remove("GLIBC_TUNABLES")
            .env_remove("MALLOC_TRIM_THRESHOLD_")
            .env_remove("MALLOC_MMAP_THRESHOLD_")
            .env_remove("COALESCE_HEAP_KEPT")
            // Statements are drafted by hand unless a test says otherwise (with
            // `COALESCE_PUBLISH_EVERY_SECONDS` in `env`): a test of drafting by hand stays
            // about that, whichever node's turn it would be.
            .env("COALESCE_PUBLISH_EVERY_SECONDS", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start coalesce-node");
        let stderr = child.stderr.take().expect("stderr");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if line.contains("node running") {
                    let _ = ready_tx.send(());
                }
                sink.lock().expect("log").push_str(&line);
                sink.lock().expect("log").push('\n');
            }
        });
        let daemon = Daemon { child, log };
        // A node loads its coalitions before it runs: 20–30 s for one of 100,000 issues
        // (the join bench's largest).
        if ready_rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .is_err()
        {
            // Copied out first: a panic holding the lock would poison it for the drop,
            // which reads the log too.
            let log = daemon.log.lock().map(|l| l.clone()).unwrap_or_default();
            panic!("coalesce-node did not start:\n{log}");
        }
        daemon
    }
}

/// Polls `check` every 100 ms until it returns `Some`, for at most `secs` seconds.
pub fn eventually<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Held by tests that run several nodes, so that they run one at a time: each starts several
/// node processes, and on a 2-core machine running them all at once starves them.
pub fn network_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The Node.js checks' folder (`tests/js`: the JavaScript Automerge, playwright-core and
/// axe-core, pinned in its `package-lock.json`), its packages installed with `npm ci` once.
pub fn js_dir() -> PathBuf {
    static NPM: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    let _guard = NPM.lock().unwrap_or_else(|p| p.into_inner());
    let installed = ["@automerge/automerge", "playwright-core", "axe-core"]
        .iter()
        .all(|p| dir.join("node_modules").join(p).exists());
    if !installed {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm (Node.js) is needed for the checks in tests/js");
        assert!(status.success(), "npm ci in {} failed", dir.display());
    }
    dir
}

/// Debian's Chromium (`/usr/bin/chromium`, or `$CHROMIUM`), installed with `apt-get` if it
/// is missing.
pub fn chromium() -> PathBuf {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    let path =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    INSTALL.call_once(|| {
        if path.exists() {
            return;
        }
        let install = || {
            Command::new("apt-get")
                .args(["install", "-y", "-q", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !install() {
            let _ = Command::new("apt-get").args(["update", "-q"]).status();
            assert!(
                install(),
                "Chromium is needed for the web UI's browser tests (apt-get install chromium)"
            );
        }
    });
    assert!(path.exists(), "no Chromium at {}", path.display());
    path
}

/// Runs one of the browser scripts of `tests/js` (`script`, with `args`) in Node.js against
/// Debian's Chromium (both installed if missing); its standard output, once it succeeded (a
/// failure panics with what it printed).
pub fn browser_script(script: &str, args: &[String]) -> String {
    let chromium = chromium();
    let out = Command::new("node")
        .arg(js_dir().join(script))
        .args(args)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node (Node.js) runs the browser checks");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the browser checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
