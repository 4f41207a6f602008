//! The organizers' web UI, served by the node on its API listener (loopback by default) and,
//! when the API also listens beyond loopback over TLS, there to people with accounts:
//! server-rendered pages with plain forms (POST, then redirect), in English and Spanish from
//! Fluent catalogs, over the same typed operations as the CLI and the API
//! ([`commands::ops::Request`], carried to the node's core as an [`api::Job`]).
//!
//! - **Who**: a browser signs in with a one-time link (`coalesce ui`, minted through the
//!   token-protected [`api::SIGN_IN_ROUTE`]; the link's page has a button that spends it, so
//!   a link previewer cannot); the session is an `HttpOnly`,
//!   `SameSite=Strict` cookie, in this node's memory only ([`Sessions`]). On the TLS
//!   listener ([`Web::for_people`]) people sign in with their name and password (`people`),
//!   their sessions hold only while their accounts do, and a viewer changes nothing.
//! - **Guards** on every page: the `Host` header must name an address the UI is served at
//!   (against DNS rebinding); every form post carries the session's CSRF token and, when the
//!   browser sends one (over TLS: always, `https`), an `Origin` of this UI; responses carry a Content-Security-Policy with
//!   no script but this node's own `live.js` (no inline script), `nosniff`, the referrer only to this UI, no framing, and are not cached.
//! - **Hostile text**: everything a page shows from records was written on some member's node;
//!   askama templates escape it all (no template marks anything safe).
//! - **Language**: the `coalesce_lang` cookie (set by the switcher on every page), else the
//!   browser's `Accept-Language`, else English.
//!
//! Pages: what needs me (`/`), founding a coalition (`/coalitions/new`), a coalition's issues
//! (`/c/{id}/issues`, filtered and paginated, with the form to raise one) and one issue
//! (`/c/{id}/issues/{issue}`, with the form to share it with a rank), a coalition's proposals
//! (`/c/{id}/proposals`) and one proposal (`/c/{id}/proposals/{p}`: its rule in words, the
//! outcome as a sentence and a chart with the positions' table, the form to take a position),
//! a coalition's members (`/c/{id}/members`: profiles, node keys, former members), a
//! coalition's charter (`/c/{id}/charter`: the version in force, every ratified version
//! with who agreed, what changed between two), a coalition's meetings (`/c/{id}/meetings`, one of them, and the form to record one),
//! a coalition's pools (`/c/{id}/pools`) and one pool's ledger with the form to pledge or give
//! (`/c/{id}/pools/{pool}`), inviting an organization (`/c/{id}/invite`) and joining by an invite code (`/join`, and
//! `/join/{id}` for how it is going).

mod i18n;
mod pages;
mod people;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use commands::ops::{OpError, Reply};
use tokio::sync::{mpsc, oneshot};

pub use i18n::Lang;
pub use session::{Sessions, Who};

/// The Content-Security-Policy of every page: nothing but this node's own stylesheet and
/// script (`/assets/live.js`, which only refreshes what changed), no inline script, no
/// frame, forms posting only here.
pub const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// What the UI needs from the node.
#[derive(Debug, Clone)]
pub struct Web {
    jobs: mpsc::Sender<api::Job>,
    sessions: Arc<Sessions>,
    hosts: Arc<Vec<String>>,
    /// The coalitions whose records change, as the core tells them (live updates).
    changes: Option<tokio::sync::broadcast::Sender<model::CoalitionId>>,
    /// Open event streams, bounded.
    streams: Arc<tokio::sync::Semaphore>,
    /// Served to other machines: people sign in with a password (the limits on their
    /// attempts); `None` on loopback, where the operator signs in with a one-time link.
    people: Option<Arc<people::Limits>>,
}

tokio::task_local! {
    /// The person a request is for, while it is handled (their changes go in the people log).
    static PERSON: (String, bool);
}

/// Most event streams open at once (each browser tab with a page open holds one).
const MAX_STREAMS: usize = 64;

impl Web {
    /// The UI over the core's job channel, served at `hosts` (the `Host` header values
    /// accepted, such as `127.0.0.1:7420` and `localhost:7420`).
    pub fn new(jobs: mpsc::Sender<api::Job>, sessions: Arc<Sessions>, hosts: Vec<String>) -> Self {
        Self {
            jobs,
            sessions,
            hosts: Arc::new(hosts),
            changes: None,
            streams: Arc::new(tokio::sync::Semaphore::new(MAX_STREAMS)),
            people: None,
        }
    }

    /// The UI as served to other machines (over TLS): people sign in with their name and
    /// password, or set one with a setup link; one-time links do not sign in here.
    pub fn for_people(mut self) -> Self {
        self.people = Some(Arc::new(people::Limits::default()));
        self
    }

    /// Pages update themselves when `changes` tells a coalition changed.
    pub fn with_changes(
        mut self,
        changes: tokio::sync::broadcast::Sender<model::CoalitionId>,
    ) -> Self {
        self.changes = Some(changes);
        self
    }

    /// Carries out one operation on the node's core.
    pub(crate) async fn ask(&self, req: commands::ops::Request) -> Result<Reply, OpError> {
        let (tx, rx) = oneshot::channel();
        let gone = || {
            OpError::new(
                commands::ops::ErrorCode::Unavailable,
                "the node is shutting down",
            )
        };
        // A person's request is theirs in the people log; a viewer's may not write (the
        // guard refuses their forms first: this holds whatever route asks).
        let job = match PERSON.try_with(Clone::clone) {
            Ok((_, false)) if req.writes() => {
                return Err(OpError::new(
                    commands::ops::ErrorCode::Forbidden,
                    "a viewer's account changes nothing",
                ));
            }
            Ok((person, _)) => api::Job::By(person, req, tx),
            Err(_) => api::Job::Op(req, tx),
        };
        self.jobs.send(job).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// The node's answer to `req`, of the kind the caller expects (each kind of
    /// [`Reply`] converts with `TryFrom`); an answer of another kind is an internal error.
    pub(crate) async fn ask_for<T: TryFrom<Reply>>(
        &self,
        req: commands::ops::Request,
    ) -> Result<T, OpError> {
        T::try_from(self.ask(req).await?).map_err(|_| pages::unexpected())
    }
}

/// The `Host` header values a UI served at `addr` accepts: the address itself, and
/// `localhost` with its port when it is a loopback address.
pub fn hosts_for(addr: std::net::SocketAddr) -> Vec<String> {
    let mut hosts = vec![addr.to_string()];
    if addr.ip().is_loopback() {
        hosts.push(format!("localhost:{}", addr.port()));
    }
    hosts
}

/// The UI's pages (to merge beside the API with [`api::router_with_ui`]).
pub fn router(web: Web) -> Router {
    Router::new()
        .route("/", get(pages::home::home))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/setup", get(people::setup_form).post(people::setup))
        .route("/sign-out", post(sign_out))
        .route("/lang/{tag}", get(switch_language))
        .route("/assets/style.css", get(stylesheet))
        .route("/assets/live.js", get(script))
        .route("/events", get(events))
        .route("/favicon.ico", get(icon))
        .route("/assets/icon.svg", get(icon))
        .route("/coalitions/new", get(pages::coalitions::new_form))
        .route("/coalitions", post(pages::coalitions::create))
        .route(
            "/c/{coalition}/issues",
            get(pages::issues::list).post(pages::issues::raise),
        )
        .route("/c/{coalition}/issues/{issue}", get(pages::issues::show))
        .route(
            "/c/{coalition}/issues/{issue}/edit",
            get(pages::issue_edit::form).post(pages::issue_edit::save),
        )
        .route("/c/{coalition}/charter", get(pages::charter::show))
        .route(
            "/c/{coalition}/charter/amend",
            get(pages::charter_amend::form).post(pages::charter_amend::propose),
        )
        .route("/c/{coalition}/members", get(pages::members::list))
        .route("/c/{coalition}/profile", post(pages::members::save_profile))
        .route(
            "/c/{coalition}/removals",
            post(pages::members::propose_removal),
        )
        .route("/c/{coalition}/leave", post(pages::members::leave))
        .route(
            "/c/{coalition}/proposals",
            get(pages::proposals::list).post(pages::proposals::open),
        )
        .route(
            "/c/{coalition}/proposals/answer",
            post(pages::proposals::answer),
        )
        .route(
            "/c/{coalition}/meetings",
            get(pages::meetings::list).post(pages::meetings::create),
        )
        .route(
            "/c/{coalition}/meetings/new",
            get(pages::meetings::new_form),
        )
        .route(
            "/c/{coalition}/meetings/{meeting}",
            get(pages::meetings::show),
        )
        .route("/c/{coalition}/pools", get(pages::pools::list))
        .route("/c/{coalition}/reports", get(pages::reports::show))
        .route("/c/{coalition}/affiliates", get(pages::affiliates::show))
        .route(
            "/c/{coalition}/reports/progress",
            get(pages::reports::progress),
        )
        .route(
            "/c/{coalition}/plans",
            get(pages::plans::show).post(pages::plans::propose),
        )
        .route(
            "/c/{coalition}/plans/{plan}/answers",
            axum::routing::post(pages::plans::answer),
        )
        .route(
            "/c/{coalition}/translate",
            axum::routing::post(pages::translated::translate),
        )
        .route("/c/{coalition}/history", get(pages::history::show))
        .route(
            "/c/{coalition}/history/restore",
            post(pages::history::restore),
        )
        .route("/refused", get(pages::history::refused))
        .route("/c/{coalition}/pools/{pool}", get(pages::pools::show))
        .route(
            "/c/{coalition}/pools/{pool}/entries",
            post(pages::pools::give),
        )
        .route(
            "/c/{coalition}/pools/{pool}/requests",
            post(pages::pools::request),
        )
        .route("/c/{coalition}/invite", get(pages::joins::invite_form))
        .route("/c/{coalition}/invites", post(pages::joins::invite_create))
        .route(
            "/join",
            get(pages::joins::join_form).post(pages::joins::join_start),
        )
        .route("/join/{coalition}", get(pages::joins::join_progress))
        .route(
            "/c/{coalition}/proposals/{proposal}",
            get(pages::proposals::show),
        )
        .route(
            "/c/{coalition}/proposals/{proposal}/position",
            post(pages::proposals::take_position),
        )
        .route(
            "/c/{coalition}/proposals/{proposal}/ballot",
            post(pages::polls::cast),
        )
        .route(
            "/c/{coalition}/issues/{issue}/share",
            post(pages::issues::share),
        )
        .route(
            "/c/{coalition}/issues/{issue}/evidence",
            post(pages::issues::add_evidence),
        )
        .layer(axum::extract::DefaultBodyLimit::max(api::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(web.clone(), guard))
        .with_state(web)
}

/// The UI as the API serves it: sign-in links and the page for paths nothing serves.
#[derive(Debug)]
pub struct UiHooks {
    sessions: Arc<Sessions>,
}

impl UiHooks {
    /// Hooks over the UI's sessions.
    pub fn new(sessions: Arc<Sessions>) -> Self {
        Self { sessions }
    }
}

impl api::Ui for UiHooks {
    fn sign_in_link(&self) -> Option<api::SignInLink> {
        self.sessions.sign_in_link()
    }

    fn not_found(&self, headers: &HeaderMap) -> Response {
        let visit = Visit::read(headers, &self.sessions, "/");
        let mut resp = pages::problem(
            &visit.chrome("none"),
            StatusCode::NOT_FOUND,
            visit.lang.t("error-not-found"),
            None,
        );
        secure(resp.headers_mut());
        resp
    }
}

/// Adds the headers every page carries. The one answer that keeps a policy of its own is the
/// progress report shown as a page (`pages::reports::progress`): a document with its
/// stylesheet inline, allowed by its hash, and no script at all (`report::policy`); every
/// other answer gets [`CSP`], whatever its handler set.
fn secure(h: &mut HeaderMap) {
    let own = h
        .get(header::CONTENT_SECURITY_POLICY)
        .is_some_and(|p| p.as_bytes() == report::policy().as_bytes());
    if !own {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Not `no-referrer`: under it a browser sends `Origin: null` with this UI's own forms,
    // and the Origin check could not tell them from another site's.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Refuses a request whose `Host` is not one the UI is served at, or a form post from
/// another origin; adds the security headers to every answer.
async fn guard(State(web): State<Web>, mut req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !web.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "this node's UI is not served at that host name",
        )
            .into_response();
    }
    if req.method() == axum::http::Method::POST {
        // Served to other machines (over TLS), a post must say it comes from this UI's own
        // https origin; on loopback, an origin is checked when the browser sends one.
        let ok = match req.headers().get(header::ORIGIN) {
            Some(origin) => origin.to_str().ok().is_some_and(|o| {
                let rest = if web.people.is_some() {
                    o.strip_prefix("https://")
                } else {
                    o.strip_prefix("http://")
                        .or_else(|| o.strip_prefix("https://"))
                };
                rest.is_some_and(|rest| web.hosts.iter().any(|h| h.eq_ignore_ascii_case(rest)))
            }),
            None => web.people.is_none(),
        };
        if !ok {
            return (
                StatusCode::FORBIDDEN,
                "a form posted from another site is refused",
            )
                .into_response();
        }
    }
    let signed = web.signed_in(req.headers()).await;
    if let Some((_, s)) = &signed
        && !s.who.can_edit()
        && changes_things(req.method(), req.uri().path())
    {
        let path = req.uri().path().to_owned();
        let mut visit = Visit::with_session(req.headers(), signed.clone(), &path);
        visit.lan = web.people.is_some();
        let mut resp = pages::viewer_refused(&visit);
        secure(resp.headers_mut());
        return resp;
    }
    let person = signed
        .as_ref()
        .and_then(|(_, s)| Some((s.who.person()?.to_owned(), s.who.can_edit())));
    req.extensions_mut().insert(Signed(signed));
    let mut resp = match person {
        Some(p) => PERSON.scope(p, next.run(req)).await,
        None => next.run(req).await,
    };
    secure(resp.headers_mut());
    resp
}

/// Whether a request changes records or shows a form that only does (what a viewer may not
/// ask for): every post but signing out, and the pages that are only a form.
fn changes_things(method: &axum::http::Method, path: &str) -> bool {
    if method == axum::http::Method::POST {
        // Signing out, or in as someone else, or setting up another account on a shared
        // browser changes no record.
        return !matches!(path, "/sign-out" | "/sign-in" | "/setup");
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    matches!(
        parts.as_slice(),
        ["coalitions", "new"]
            | ["join"]
            | ["c", _, "charter", "amend"]
            | ["c", _, "invite"]
            | ["c", _, "meetings", "new"]
            | ["c", _, "issues", _, "edit"]
    )
}

/// The session a request carries, as the guard found it (once per request).
#[derive(Debug, Clone)]
struct Signed(Option<(String, session::Session)>);

impl Web {
    /// The open session the request's cookies name, if any. On the UI served to other
    /// machines, a person's session holds only while their account does, unchanged (a
    /// removal or a reset ends it).
    async fn signed_in(&self, headers: &HeaderMap) -> Option<(String, session::Session)> {
        let cookies = headers
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .unwrap_or("");
        // Every value sent under the name: one planted by another service on this host for a
        // longer path must not hide this UI's own.
        let (id, s) = session::cookies(cookies, self.sessions.cookie_name())
            .find_map(|id| Some((id.to_owned(), self.sessions.session(id)?)))?;
        self.holds(&id, &s).await.then_some((id, s))
    }

    /// Whether session `id` still holds: the operator's always; a person's while their
    /// account is as it was when they signed in (else the session is ended).
    async fn holds(&self, id: &str, s: &session::Session) -> bool {
        let session::Who::Person { name, role, epoch } = &s.who else {
            return true;
        };
        let now: Result<Option<commands::ops::people::Credentials>, _> = self
            .ask_for(commands::ops::Request::PersonCredentials { name: name.clone() })
            .await;
        let holds = matches!(
            now,
            Ok(Some(c)) if c.epoch == *epoch && c.role == *role && c.password.is_some()
        );
        if !holds {
            self.sessions.end(id);
        }
        holds
    }
}

/// Who is asking, in which language, from which page.
#[derive(Debug, Clone)]
pub(crate) struct Visit {
    pub(crate) lang: Lang,
    /// The session id and the session, when signed in.
    pub(crate) session: Option<(String, session::Session)>,
    /// The path and query asked for (where the language switcher comes back to).
    pub(crate) path: String,
    /// Served to other machines: people sign in with a password.
    pub(crate) lan: bool,
}

impl Visit {
    /// The visit of a request that did not pass the guard (the API's page for paths nothing
    /// serves): the session as the cookies name it, unchecked against people's accounts.
    fn read(headers: &HeaderMap, sessions: &Sessions, path: &str) -> Self {
        let cookies = headers
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .unwrap_or("");
        let session = session::cookies(cookies, sessions.cookie_name())
            .find_map(|id| Some((id.to_owned(), sessions.session(id)?)));
        Self::with_session(headers, session, path)
    }

    /// The visit of a request with the session the guard found.
    fn with_session(
        headers: &HeaderMap,
        session: Option<(String, session::Session)>,
        path: &str,
    ) -> Self {
        let cookies = headers
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .unwrap_or("");
        let lang = session::cookie(cookies, session::LANG_COOKIE)
            .and_then(Lang::from_tag)
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|a| a.to_str().ok())
                    .and_then(Lang::negotiate)
            })
            .unwrap_or(Lang::En);
        Self {
            lang,
            session,
            path: path.to_owned(),
            lan: false,
        }
    }

    /// The page's frame: language, switcher, navigation.
    pub(crate) fn chrome(&self, here: &'static str) -> pages::Chrome {
        pages::Chrome {
            l: self.lang,
            lang: self.lang.tag(),
            signed_in: self.session.is_some(),
            can_edit: self.can_edit(),
            person: self
                .session
                .as_ref()
                .and_then(|(_, s)| s.who.person().map(str::to_owned)),
            csrf: self
                .session
                .as_ref()
                .map(|(_, s)| s.csrf.clone())
                .unwrap_or_default(),
            back: serde_urlencoded::to_string([("back", &self.path)]).unwrap_or_default(),
            here,
            notice: None,
            coalition: None,
        }
    }

    /// The page telling how to sign in, when this browser is not signed in.
    pub(crate) fn unsigned(&self) -> Option<Response> {
        self.session
            .is_none()
            .then(|| pages::signed_out(self, false))
    }

    /// Whether whoever is signed in may change records (not a viewer).
    pub(crate) fn can_edit(&self) -> bool {
        self.session.as_ref().is_some_and(|(_, s)| s.who.can_edit())
    }

    /// The page refusing a form post: not signed in, or not carrying this session's CSRF
    /// token (`token`); `None` when the post may go on.
    pub(crate) fn refuse_post(&self, token: &str) -> Option<Response> {
        if let Some(r) = self.unsigned() {
            return Some(r);
        }
        (!self.csrf_ok(token)).then(|| pages::csrf_refused(self))
    }

    /// Whether `token` is this session's CSRF token.
    pub(crate) fn csrf_ok(&self, token: &str) -> bool {
        self.session
            .as_ref()
            .is_some_and(|(_, s)| api::same_token(&s.csrf, token))
    }
}

impl FromRequestParts<Web> for Visit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        web: &Web,
    ) -> Result<Self, Self::Rejection> {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let mut visit = match parts.extensions.get::<Signed>() {
            Some(Signed(session)) => Visit::with_session(&parts.headers, session.clone(), path),
            None => Visit::read(&parts.headers, &web.sessions, path),
        };
        visit.lan = web.people.is_some();
        Ok(visit)
    }
}

#[derive(Debug, serde::Deserialize)]
struct SignInQuery {
    #[serde(default)]
    code: String,
}

/// What a sign-in form sends: a one-time code (on loopback), or a name and password (on
/// the UI served to other machines).
#[derive(Debug, serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

#[derive(askama::Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: pages::Chrome,
    code: String,
}

/// The link's page: a button that signs in. Following the link spends nothing, so a link
/// previewer or a prefetching browser cannot use the code up; only the form does.
async fn sign_in_page(
    State(web): State<Web>,
    visit: Visit,
    axum::extract::Query(q): axum::extract::Query<SignInQuery>,
) -> Response {
    if web.people.is_some() {
        return people::sign_in_form(&visit, None, "");
    }
    if !web.sessions.code_works(&q.code) {
        return pages::signed_out(&visit, true);
    }
    pages::page(
        StatusCode::OK,
        &SignInPage {
            c: visit.chrome("none"),
            code: q.code,
        },
    )
}

/// Spends a one-time code: a session cookie and the home page, or the page saying the link
/// is spent. (The guard has checked that the form came from this UI's own page.)
async fn sign_in(
    State(web): State<Web>,
    visit: Visit,
    extensions: axum::http::Extensions,
    axum::Form(q): axum::Form<SignInForm>,
) -> Response {
    if let Some(limits) = &web.people {
        let ip = people::client_ip(&extensions);
        return people::sign_in(&web, limits, &visit, ip, q.name, q.password).await;
    }
    match web.sessions.redeem(&q.code) {
        Some(id) => see_other("/", Some(web.sessions.set_cookie(&id))),
        None => pages::signed_out(&visit, true),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    State(web): State<Web>,
    visit: Visit,
    axum::Form(f): axum::Form<CsrfOnly>,
) -> Response {
    if !visit.csrf_ok(&f.csrf) {
        return pages::csrf_refused(&visit);
    }
    if let Some((id, _)) = &visit.session {
        web.sessions.end(id);
    }
    see_other(
        if web.people.is_some() {
            "/sign-in"
        } else {
            "/"
        },
        Some(web.sessions.clear_cookie()),
    )
}

#[derive(Debug, serde::Deserialize)]
struct Back {
    #[serde(default)]
    back: String,
}

/// Remembers the language chosen and goes back to the page it was chosen on (a path of this
/// UI only).
async fn switch_language(
    axum::extract::Path(tag): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<Back>,
) -> Response {
    let lang = Lang::from_tag(&tag).unwrap_or(Lang::En);
    let back = if local_path(&q.back) {
        q.back
    } else {
        "/".to_owned()
    };
    let cookie = format!(
        "{}={}; Path=/; SameSite=Strict; Max-Age=31536000",
        session::LANG_COOKIE,
        lang.tag()
    );
    see_other(&back, Some(cookie))
}

/// Whether `path` is a path of this UI that a redirect may go back to: `/`, then only the
/// characters of paths and queries this UI makes (no whitespace or control byte a browser
/// would strip into `//elsewhere`, no backslash, no second slash at the start).
pub(crate) fn local_path(path: &str) -> bool {
    path.len() <= 2048
        && path.starts_with('/')
        && !path.starts_with("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_.~%?=&-+".contains(&b))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../assets/style.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../assets/live.js"),
    )
        .into_response()
}

/// How often an open live stream checks that its session is still open, when no change comes.
const STREAM_CHECK: std::time::Duration = std::time::Duration::from_secs(15);

/// The coalitions whose records change, as server-sent events (`changed`, the coalition's
/// id), for a signed-in page to refresh what it shows (`assets/live.js`). Bounded: at most
/// [`MAX_STREAMS`] open; a stream that falls behind skips to the newest.
async fn events(State(web): State<Web>, visit: Visit) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let (Some(changes), Ok(permit)) = (&web.changes, web.streams.clone().try_acquire_owned())
    else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no live updates now").into_response();
    };
    let rx = changes.subscribe();
    // The stream ends with the session (signed out, or idle too long): checked at each change
    // and every [`STREAM_CHECK`] between them.
    let id = visit.session.map(|(id, _)| id).unwrap_or_default();
    let state = (rx, permit, id, web.clone());
    let stream = futures::stream::unfold(state, |(mut rx, permit, id, web)| async move {
        loop {
            let next = tokio::time::timeout(STREAM_CHECK, rx.recv()).await;
            // Without keeping it open longer; a person's, only while their account holds.
            let held = match web.sessions.peek(&id) {
                Some(s) => web.holds(&id, &s).await,
                None => false,
            };
            if !held {
                return None;
            }
            match next {
                Ok(Ok(c)) => {
                    let event = Event::default().event("changed").data(&c);
                    let state = (rx, permit, id, web);
                    return Some((Ok::<_, std::convert::Infallible>(event), state));
                }
                Err(_) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The UI's icon (a browser asks for `/favicon.ico` on its own).
async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        include_str!("../assets/icon.svg"),
    )
        .into_response()
}

/// A redirect after a form (303), setting a cookie if given.
pub(crate) fn see_other(to: &str, cookie: Option<String>) -> Response {
    let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response();
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

#[cfg(test)]
mod tests;
