//! The node's control API: HTTP on loopback, every request but `/health`, `/ready` and
//! `/metrics` (which carry no coalition id and no peer key) carrying the token the node writes to `api.json` in its home folder (readable by
//! its owner only). Beyond loopback the node serves the same routes over TLS ([`TlsEndpoint`]);
//! the command line always uses the loopback listener.
//!
//! The command line finds a running node through that file and sends each operation of a
//! command to its route ([`client`]: [`Client`] is an `ops::Exec`), printing the replies
//! itself; so every command works and prints the same whether the node runs or not.
//!
//! `api.json` (the address, token, pid, and `tls` when the node also serves TLS: that address and
//! the certificate's fingerprint) is written owner-only. Over TLS the router is [`remote_router`]:
//! the operations that write files on the node's machine (backups, exports) are refused there
//! (`forbidden`). Bodies are limited to [`MAX_BODY`]. The monitoring routes ([`monitoring`]),
//! without the token, can also be served on a separate address.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

pub mod client;
pub mod metrics;
pub mod routes;
pub use metrics::Metrics;
pub use routes::{ApiDoc, openapi_json};

/// File name of the API address and token in a home folder.
pub const API_FILE: &str = "api.json";
/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// The version of the API (and of `api.json`) this build speaks: 2 since every command is made
/// of typed operations (version 1 also took command lines at `/v1/run`).
pub const API_VERSION: u32 = 2;

/// Where a running node listens, as written in `api.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFile {
    /// The API version the node speaks ([`API_VERSION`]).
    pub version: u32,
    /// The API's address.
    pub addr: SocketAddr,
    /// The bearer token.
    pub token: String,
    /// The node's process id.
    pub pid: u32,
    /// Where the API also serves TLS, when it does (for clients on other machines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsEndpoint>,
}

/// The API's TLS listener, as written in `api.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsEndpoint {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// SHA-256 fingerprint of its certificate, for clients to pin.
    pub cert_sha256: String,
}

/// A request from the API to the node's core, with the channel for the answer.
#[derive(Debug)]
pub enum Job {
    /// A typed operation (the routes of [`routes`]).
    Op(
        commands::ops::Request,
        oneshot::Sender<Result<commands::ops::Reply, commands::ops::OpError>>,
    ),
    /// A typed operation that a person signed in to the UI from another machine asked for
    /// (their name first): carried out as [`Job::Op`], and kept in the node's people log when
    /// it writes a change.
    By(
        String,
        commands::ops::Request,
        oneshot::Sender<Result<commands::ops::Reply, commands::ops::OpError>>,
    ),
}

/// Where a job's answer goes.
pub type Answer = oneshot::Sender<Result<commands::ops::Reply, commands::ops::OpError>>;

impl Job {
    /// The operation asked for.
    pub fn request(&self) -> &commands::ops::Request {
        match self {
            Self::Op(req, _) | Self::By(_, req, _) => req,
        }
    }

    /// The operation, who asked (a person, or the operator), and where the answer goes.
    pub fn into_parts(self) -> (commands::ops::Request, Option<String>, Answer) {
        match self {
            Self::Op(req, tx) => (req, None, tx),
            Self::By(person, req, tx) => (req, Some(person), tx),
        }
    }
}

/// Something went wrong setting up or calling the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `api.json` is not valid.
    #[error("{path} is not a valid API file: {detail}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The running node speaks another version of the API (it runs another version of
    /// Coalesce than this command line).
    #[error(
        "the running node (process {pid}) speaks API version {running}, this command line \
         {API_VERSION}: restart the node with the Coalesce this command line belongs to (or \
         use the command line that came with the node)"
    )]
    Version {
        /// The node's process id.
        pid: u32,
        /// The version it speaks.
        running: u32,
    },
    /// The random number generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
}

/// A fresh random token.
pub fn new_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ApiError::Random(e.to_string()))?;
    Ok(hex::encode(b))
}

impl ApiFile {
    /// Writes the file atomically, readable by the owner only.
    pub fn write(&self, home: &Path) -> Result<(), ApiError> {
        use std::io::Write;
        let path = home.join(API_FILE);
        let tmp = home.join("api.json.tmp");
        let io = |p: &Path, source| ApiError::Io {
            path: p.to_owned(),
            source,
        };
        let text = serde_json::to_vec_pretty(self).map_err(|e| ApiError::BadFile {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(&text)
            .and_then(|()| f.sync_all())
            .map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))
    }

    /// Reads the file, if there is one.
    pub fn read(home: &Path) -> Result<Option<Self>, ApiError> {
        let path = home.join(API_FILE);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ApiError::Io { path, source: e }),
        };
        if text.len() > 64 * 1024 {
            return Err(ApiError::BadFile {
                path,
                detail: "too large".into(),
            });
        }
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| ApiError::BadFile {
                path,
                detail: e.to_string(),
            })
    }

    /// Removes the file (on shutdown).
    pub fn remove(home: &Path) {
        let _ = std::fs::remove_file(home.join(API_FILE));
    }
}

#[derive(Clone)]
struct AppState {
    token: String,
    jobs: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
    /// Whether this listener serves other machines (TLS): it does not write files on the
    /// node's machine (backups, exports), which only the command line there asks for.
    remote: bool,
    /// The web UI served beside the API, if any.
    ui: Option<Arc<dyn Ui>>,
}

/// Route of the one-time sign-in links for the web UI (`POST`, with the token).
pub const SIGN_IN_ROUTE: &str = "/v1/ui/sign-in";

/// A one-time link that signs this machine's browser in to the web UI.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SignInLink {
    /// The link to open (it works once).
    pub url: String,
    /// How long it works, in seconds.
    pub expires_in_seconds: u64,
}

/// The web UI as the API serves it beside its routes: it mints sign-in links (through
/// [`SIGN_IN_ROUTE`], token-protected) and answers paths outside `/v1` that no page has.
pub trait Ui: Send + Sync + 'static {
    /// A new one-time sign-in link; `None` if none can be made (no randomness).
    fn sign_in_link(&self) -> Option<SignInLink>;
    /// The page for a path no route serves, in the language the request asks for.
    fn not_found(&self, headers: &HeaderMap) -> axum::response::Response;
}

/// Whether two strings are equal, in time independent of where they differ (tokens, CSRF
/// tokens).
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| same_token(t, &state.token))
}

/// The API's routes: the typed operations ([`routes`]) and `GET /v1/metrics` (every metric,
/// per coalition and per peer included) with the token;
/// `GET /v1/openapi.json` and the monitoring routes of [`monitoring`] without. For the
/// listener on loopback, which the command line on the node's machine uses.
pub fn router(token: String, jobs: mpsc::Sender<Job>, metrics: Arc<Metrics>) -> Router {
    router_for(token, jobs, metrics, false, None)
}

/// [`router`] with the web UI: its `pages` (a router of paths outside `/v1`, with its own
/// state and layers) beside the API's routes, [`SIGN_IN_ROUTE`], and `ui` answering the
/// paths no route serves outside `/v1`.
pub fn router_with_ui(
    token: String,
    jobs: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
    ui: Arc<dyn Ui>,
    pages: Router,
) -> Router {
    router_for(token, jobs, metrics, false, Some(ui)).merge(pages)
}

/// [`router`] for a listener that serves other machines (TLS): the same routes, but those
/// that write files on the node's machine (`POST /v1/backups`, `POST …/exports`) are refused
/// (`forbidden`), as a path there means nothing to a client elsewhere.
pub fn remote_router(token: String, jobs: mpsc::Sender<Job>, metrics: Arc<Metrics>) -> Router {
    router_for(token, jobs, metrics, true, None)
}

/// [`remote_router`] with the web UI for people on other machines: its `pages` beside the
/// API's routes, and `ui` answering the paths no route serves outside `/v1`.
pub fn remote_router_with_ui(
    token: String,
    jobs: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
    ui: Arc<dyn Ui>,
    pages: Router,
) -> Router {
    router_for(token, jobs, metrics, true, Some(ui)).merge(pages)
}

fn router_for(
    token: String,
    jobs: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
    remote: bool,
    ui: Option<Arc<dyn Ui>>,
) -> Router {
    Router::new()
        .route("/v1/metrics", get(detailed_metrics))
        .merge(routes::router())
        .route("/v1/openapi.json", get(routes::openapi))
        .fallback(routes::no_route)
        .method_not_allowed_fallback(routes::wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(AppState {
            token,
            jobs,
            metrics: metrics.clone(),
            remote,
            ui,
        })
        .merge(monitoring(metrics))
}

/// The monitoring routes, answered without the token; they carry no coalition id and no
/// peer key, only aggregate counts: `GET /health` (the node is up; 503 once its core has
/// stopped), `GET /ready` (store open and network listening; 503 until then), `GET /metrics`
/// (Prometheus text format, [`Metrics::encode_public`]).
pub fn monitoring(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(prometheus))
        .with_state(metrics)
}

async fn health(State(metrics): State<Arc<Metrics>>) -> Response {
    match metrics.failure() {
        None => "ok".into_response(),
        Some(why) => (StatusCode::SERVICE_UNAVAILABLE, why).into_response(),
    }
}

async fn ready(State(metrics): State<Arc<Metrics>>) -> Response {
    if metrics.is_ready() {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response()
    }
}

fn prometheus_text(body: String) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn prometheus(State(metrics): State<Arc<Metrics>>) -> Response {
    prometheus_text(metrics.encode_public())
}

async fn detailed_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return routes::error(commands::ops::OpError::new(
            commands::ops::ErrorCode::Unauthorized,
            "missing or wrong API token (see api.json in the node's home)",
        ));
    }
    prometheus_text(state.metrics.encode_detailed())
}

/// A client of a running node's API.
#[derive(Debug, Clone)]
pub struct Client {
    file: ApiFile,
    /// One agent for every call, so that calls reuse its connection.
    agent: ureq::Agent,
}

impl Client {
    /// The running node on `home`, if `api.json` names one that answers.
    pub fn discover(home: &Path) -> Result<Option<Self>, ApiError> {
        let Some(file) = ApiFile::read(home)? else {
            return Ok(None);
        };
        let client = Self::new(file);
        if !client.healthy() {
            return Ok(None);
        }
        if client.file.version != API_VERSION {
            return Err(ApiError::Version {
                pid: client.file.pid,
                running: client.file.version,
            });
        }
        Ok(Some(client))
    }

    fn new(file: ApiFile) -> Self {
        Self {
            file,
            agent: Self::agent(Duration::from_secs(600)),
        }
    }

    fn agent(timeout: Duration) -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into()
    }

    fn healthy(&self) -> bool {
        Self::agent(Duration::from_secs(2))
            .get(format!("http://{}/health", self.file.addr))
            .call()
            .is_ok_and(|r| r.status() == 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OpenAPI document is generated from the types; the one checked in is what clients
    /// read without a node, so it must not drift: `UPDATE_OPENAPI=1 cargo test -p api`
    /// rewrites it after a change of the operations.
    #[test]
    fn the_openapi_document_checked_in_is_the_one_the_types_describe() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let generated = openapi_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "crates/api/openapi.json is not what the operations' types describe: run \
             `UPDATE_OPENAPI=1 cargo test -p api` and commit the file"
        );
    }

    /// The typed routes' refusals, through the router with a core that answers every
    /// operation with an id.
    #[tokio::test]
    async fn typed_routes_answer_refusals_as_json_with_a_code() {
        use axum::body::Body;
        use axum::http::Request;
        use tower::ServiceExt;
        let (tx, mut rx) = mpsc::channel::<Job>(4);
        tokio::spawn(async move {
            while let Some(Job::Op(req, reply)) = rx.recv().await {
                assert_eq!(req.name(), "issue_create");
                let _ = reply.send(Ok(commands::ops::Reply::Created(commands::ops::Created {
                    id: "ab\u{9b}\u{202e}".into(),
                })));
            }
        });
        let app = router("secret".into(), tx, Arc::new(Metrics::default()));
        let call = |body: Vec<u8>, token: &str| {
            Request::post("/v1/coalitions/c1/issues")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let answer = |resp: Response| async move {
            let status = resp.status().as_u16();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            (status, v)
        };
        let ok = app
            .clone()
            .oneshot(call(br#"{"title": "Fares"}"#.to_vec(), "secret"))
            .await
            .unwrap();
        assert_eq!(ok.status(), 201);
        // Text from other members reaches a client escaped, as the command line prints it.
        let bytes = axum::body::to_bytes(ok.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&bytes[..], br#"{"id":"ab\u009b\u202e"}"#);
        let cases = [
            // Without the token, nothing of the request is parsed.
            (b"{not json".to_vec(), "wrong", 401, "unauthorized"),
            (
                br#"{"title": "Fares"}"#.to_vec(),
                "wrong",
                401,
                "unauthorized",
            ),
            (b"{not json".to_vec(), "secret", 400, "bad_request"),
            (br#"{"title": 7}"#.to_vec(), "secret", 400, "bad_request"),
            (
                serde_json::to_vec(&serde_json::json!({"title": "x".repeat(MAX_BODY)})).unwrap(),
                "secret",
                413,
                "too_large",
            ),
        ];
        for (body, token, status, code) in cases {
            let resp = app.clone().oneshot(call(body, token)).await.unwrap();
            let (got, v) = answer(resp).await;
            assert_eq!((got, v["code"].as_str()), (status, Some(code)), "{v}");
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Any body, query or path piece a client sends gets a JSON answer: the reply, or an
        /// error with a code and a message; never bare text, never a server error.
        #[test]
        fn any_request_to_a_typed_route_gets_json(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            json_body in proptest::prelude::any::<bool>(),
            query in "[a-z=&%0-9?]{0,30}",
            piece in "[a-zA-Z0-9%._~-]{1,20}",
            method in 0usize..5,
        ) {
            use axum::body::Body;
            use axum::http::Request;
            use tower::ServiceExt;
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let (tx, mut rx) = mpsc::channel::<Job>(4);
                tokio::spawn(async move {
                    while let Some(Job::Op(_, reply)) = rx.recv().await {
                        let _ = reply.send(Err(commands::ops::OpError::new(
                            commands::ops::ErrorCode::NotFound,
                            "no such issue",
                        )));
                    }
                });
                let app = router("secret".into(), tx, Arc::new(Metrics::default()));
                let (m, path) = [
                    ("POST", format!("/v1/coalitions/{piece}/issues?{query}")),
                    ("GET", format!("/v1/coalitions/{piece}/issues?{query}")),
                    ("PATCH", format!("/v1/coalitions/{piece}/issues/{piece}")),
                    ("GET", format!("/v1/coalitions/{piece}/issues/{piece}/{query}")),
                    ("DELETE", format!("/v1/coalitions/{piece}/issues/{piece}")),
                ][method].clone();
                let body = if json_body {
                    serde_json::to_vec(&String::from_utf8_lossy(&body)).unwrap()
                } else {
                    body
                };
                let req = Request::builder()
                    .method(m)
                    .uri(path)
                    .header("authorization", "Bearer secret")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap();
                let resp = app.oneshot(req).await.unwrap();
                let status = resp.status().as_u16();
                let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
                let v: serde_json::Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| panic!("{status}: {}", String::from_utf8_lossy(&bytes)));
                assert!(status < 500, "{status}: {v}");
                assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
            });
        }
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
    }

    /// A join's stage asked with a wait that the core does not answer in time (nothing
    /// happened to wake it) is answered at the wait's end, with the stage as it is.
    #[tokio::test]
    async fn a_held_join_stage_is_answered_when_its_wait_ends() {
        use axum::body::Body;
        use axum::http::Request;
        use commands::ops::joins::{JoinStage, JoinStep};
        use tower::ServiceExt;
        let (tx, mut rx) = mpsc::channel::<Job>(4);
        let held = Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = held.clone();
        tokio::spawn(async move {
            while let Some(Job::Op(req, reply)) = rx.recv().await {
                match req {
                    commands::ops::Request::JoinStage { wait, .. }
                        if wait.holds_for().is_some() =>
                    {
                        // Held, as the core holds it while nothing moves.
                        keep.lock().unwrap().push(reply);
                    }
                    _ => {
                        let stage = JoinStage::at(JoinStep::Connecting);
                        let _ = reply.send(Ok(commands::ops::Reply::JoinStage(stage)));
                    }
                }
            }
        });
        let app = router("secret".into(), tx, Arc::new(Metrics::default()));
        let asked = std::time::Instant::now();
        let resp = app
            .oneshot(
                Request::get("/v1/joins/c1?after=pending%3A%20connecting&wait_ms=300")
                    .header("authorization", "Bearer secret")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let waited = asked.elapsed();
        assert_eq!(resp.status().as_u16(), 200);
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["step"], "connecting", "{v}");
        assert!(
            waited >= std::time::Duration::from_millis(300)
                && waited < std::time::Duration::from_secs(5),
            "{waited:?}"
        );
        assert_eq!(
            held.lock().unwrap().len(),
            1,
            "the held one was asked first"
        );
    }

    #[tokio::test]
    async fn the_client_finds_the_node_and_sends_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, mut rx) = mpsc::channel::<Job>(4);
        tokio::spawn(async move {
            while let Some(Job::Op(req, reply)) = rx.recv().await {
                let _ = reply.send(Ok(commands::ops::Reply::Coalitions(Vec::new())));
                assert_eq!(req.name(), "coalition_list");
            }
        });
        let metrics = Arc::new(Metrics::default());
        tokio::spawn(
            async move { axum::serve(listener, router("secret".into(), tx, metrics)).await },
        );
        let file = ApiFile {
            version: API_VERSION,
            addr,
            token: "secret".into(),
            pid: 1,
            tls: None,
        };
        file.write(dir.path()).unwrap();
        let home = dir.path().to_owned();
        let listed = tokio::task::spawn_blocking(move || {
            let client = Client::discover(&home).unwrap().expect("a running node");
            client.call(&commands::ops::Request::CoalitionList).unwrap()
        })
        .await
        .unwrap();
        assert!(matches!(listed, commands::ops::Reply::Coalitions(l) if l.is_empty()));
        let home = dir.path().to_owned();
        let refused = tokio::task::spawn_blocking(move || {
            let mut f = ApiFile::read(&home).unwrap().unwrap();
            f.token = "wrong".into();
            Client::new(f)
                .call(&commands::ops::Request::CoalitionList)
                .unwrap_err()
        })
        .await
        .unwrap();
        assert_eq!(
            refused.code,
            commands::ops::ErrorCode::Unauthorized,
            "{refused}"
        );
    }
}
