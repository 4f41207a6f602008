//! People signing in to the UI served to other machines (over TLS): with their name and
//! password (`/sign-in`), or choosing a password with their one-time setup link (`/setup`).
//!
//! Passwords are hashed and checked with Argon2id off the async threads
//! (`spawn_blocking`). Attempts are limited per machine, per name and overall ([`Limits`]),
//! and a name without an account costs the same check as one with (a fixed hash), so the
//! answer's timing does not tell which names exist. Every refusal of a name and password is
//! the same sentence.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::OnceLock;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::Request;
use commands::ops::people::Credentials;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::i18n::Arg;
use crate::pages::{self, Chrome, Field, tie};
use crate::session::Who;
use crate::{Visit, Web, see_other};

/// Most machines or names whose recent attempts are remembered; past it, old ones are
/// forgotten, and if all are recent, new ones wait.
const MAX_KEYS: usize = 10_000;

/// How many attempts to sign in (or to set a password) may be made.
#[derive(Debug)]
pub(crate) struct Limits {
    /// From one machine: 10 a minute.
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// For one name: 5 a minute.
    by_name: DefaultKeyedRateLimiter<String>,
    /// Overall: 5 a second, bursts of 20 (each costs an Argon2id hash).
    overall: DefaultDirectRateLimiter,
}

fn per_minute(n: u32) -> Quota {
    // The counts are constants above zero.
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Default for Limits {
    fn default() -> Self {
        let overall = Quota::per_second(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
        Self {
            by_ip: RateLimiter::keyed(per_minute(10)),
            by_name: RateLimiter::keyed(per_minute(5)),
            overall: RateLimiter::direct(overall),
        }
    }
}

impl Limits {
    /// Whether one more attempt from `ip` may go on now. An IPv6 machine counts by its /64
    /// (one host can take many addresses there). The overall limit is spent only by
    /// attempts the machine's own limit lets through, so one machine cannot use it up.
    fn machine(&self, ip: IpAddr) -> bool {
        if self.by_ip.len() >= MAX_KEYS {
            self.by_ip.retain_recent();
            if self.by_ip.len() >= MAX_KEYS {
                return false;
            }
        }
        // An IPv4 client of a dual-stack listener arrives as ::ffff:a.b.c.d: counted as itself.
        let key = match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
            v4 => v4,
        };
        self.by_ip.check_key(&key).is_ok() && self.overall.check().is_ok()
    }

    /// Whether one more attempt for `name` may go on now.
    fn name(&self, name: &str) -> bool {
        if self.by_name.len() >= MAX_KEYS {
            self.by_name.retain_recent();
            if self.by_name.len() >= MAX_KEYS {
                return false;
            }
        }
        let key: String = name.trim().to_lowercase().chars().take(64).collect();
        self.by_name.check_key(&key).is_ok()
    }
}

/// The address of the machine that sent a request (unspecified when the server did not
/// record it).
pub(crate) fn client_ip(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// A hash no password matches in practice, checked for names without an account so that
/// they take as long as names with one.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 32];
        let _ = getrandom::fill(&mut secret);
        // Should hashing fail, a fixed well-formed hash of a random password costs the same.
        replica::hash_password(&hex::encode(secret)).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QkJlDBfjxL9ZaBZ0hF4wRw8JCKm1+qzOGPj6B+qmXTE".to_owned()
        })
    })
}

#[derive(askama::Template)]
#[template(path = "signin_people.html")]
struct SignInPage {
    c: Chrome,
    fields: Vec<Field>,
    form_error: Option<String>,
}

/// The sign-in form: name and password, with `error` above it.
pub(crate) fn sign_in_form(visit: &Visit, error: Option<String>, name: &str) -> Response {
    let c = visit.chrome("none");
    let fields = vec![
        Field::text(&c, "name", "people-name", "people-name-help")
            .required()
            .autocomplete("username")
            .value(name),
        Field::text(&c, "password", "people-password", "people-password-help")
            .required()
            .password("current-password"),
    ];
    let status = match &error {
        None => StatusCode::OK,
        Some(_) => StatusCode::UNAUTHORIZED,
    };
    pages::page(
        status,
        &SignInPage {
            c,
            fields,
            form_error: error,
        },
    )
}

/// Too many attempts: the form again, saying to wait.
fn slow_down(visit: &Visit, name: &str) -> Response {
    let mut resp = sign_in_form(visit, Some(visit.lang.t("people-too-many")), name);
    *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    resp.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        "60".parse()
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static("60")),
    );
    resp
}

/// Checks a name and password: a session for the person, or the form again.
pub(crate) async fn sign_in(
    web: &Web,
    limits: &Limits,
    visit: &Visit,
    ip: IpAddr,
    name: String,
    password: String,
) -> Response {
    if !limits.machine(ip) {
        tracing::warn!(%ip, "too many attempts to sign in from one machine");
        return slow_down(visit, &name);
    }
    // What is put back in the form is no longer than a name can be.
    let name: String = name.chars().take(replica::MAX_PERSON_NAME).collect();
    let name_ok = replica::person_name(&name).is_ok();
    // Every name counts, with an account or not: the answer does not tell which exist.
    if name_ok && !limits.name(&name) {
        tracing::warn!(%ip, "too many attempts to sign in as one name");
        return slow_down(visit, &name);
    }
    let creds: Option<Credentials> = if name_ok {
        match web
            .ask_for(Request::PersonCredentials { name: name.clone() })
            .await
        {
            Ok(c) => c,
            Err(e) => return pages::node_error(visit, &e),
        }
    } else {
        None
    };
    let hash = creds.as_ref().and_then(|c| c.password.clone());
    let matches = tokio::task::spawn_blocking(move || {
        // A name without a password costs the same check (against the decoy).
        let hash = hash.as_deref().unwrap_or_else(|| decoy());
        replica::verify_password(hash, &password)
    })
    .await
    .unwrap_or(false);
    match creds {
        Some(c) if matches && c.password.is_some() => open(web, visit, c),
        _ => {
            tracing::info!(%ip, "a sign-in with a wrong name or password");
            sign_in_form(visit, Some(visit.lang.t("people-wrong")), &name)
        }
    }
}

/// A session for `c`, and the home page.
fn open(web: &Web, visit: &Visit, c: Credentials) -> Response {
    let who = Who::Person {
        name: c.name.clone(),
        role: c.role,
        epoch: c.epoch,
    };
    // Signing in as someone else on this browser ends the session it had.
    if let Some((old, _)) = &visit.session {
        web.sessions.end(old);
    }
    match web.sessions.open(who) {
        Some(id) => {
            tracing::info!(person = %c.name, role = c.role.as_str(), "a person signed in");
            see_other("/", Some(web.sessions.set_cookie(&id)))
        }
        None => {
            let c = visit.chrome("none");
            pages::problem(
                &c,
                StatusCode::INTERNAL_SERVER_ERROR,
                c.t("error-title"),
                None,
            )
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct SetupQuery {
    #[serde(default)]
    code: String,
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

#[derive(askama::Template)]
#[template(path = "setup.html")]
struct SetupPage {
    c: Chrome,
    intro: String,
    code: String,
    fields: Vec<Field>,
    form_error: Option<String>,
}

/// The page for a link that does not work (used, replaced or too old).
fn link_spent(visit: &Visit) -> Response {
    let c = visit.chrome("none");
    let days = usize::try_from(replica::SETUP_LIFETIME_MS / (24 * 60 * 60 * 1000)).unwrap_or(3);
    let message = c.tw("people-setup-invalid", &[("days", Arg::Count(days))]);
    pages::problem(&c, StatusCode::FORBIDDEN, message, None)
}

fn setup_page(
    visit: &Visit,
    who: &Credentials,
    code: String,
    errors: Vec<(&'static str, String)>,
) -> Response {
    let c = visit.chrome("none");
    let intro = c.tw(
        "people-setup-intro",
        &[
            ("name", Arg::Text(who.name.clone())),
            (
                "role",
                Arg::Own(c.t(&format!("people-role-{}", who.role.as_str()))),
            ),
        ],
    );
    let mut fields = vec![
        Field {
            help: c.tw(
                "people-new-password-help",
                &[("min", Arg::Count(replica::MIN_PASSWORD))],
            ),
            ..Field::text(
                &c,
                "password",
                "people-new-password",
                "people-new-password-help",
            )
            .required()
            .password("new-password")
        },
        Field::text(&c, "again", "people-again", "people-again-help")
            .required()
            .password("new-password"),
    ];
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form_error = (!errors.is_empty()).then(|| c.t("error-form"));
    tie(&mut fields, errors);
    pages::page(
        status,
        &SetupPage {
            c,
            intro,
            code,
            fields,
            form_error,
        },
    )
}

/// The setup link's page: who it is for, and the form to choose a password. Following the
/// link spends nothing.
pub(crate) async fn setup_form(
    State(web): State<Web>,
    visit: Visit,
    Query(q): Query<SetupQuery>,
) -> Response {
    if web.people.is_none() {
        return pages::not_found(&visit);
    }
    match web
        .ask_for::<Option<Credentials>>(Request::PersonSetupFor {
            code: q.code.clone(),
        })
        .await
    {
        Ok(Some(who)) => setup_page(&visit, &who, q.code, Vec::new()),
        Ok(None) => link_spent(&visit),
        Err(e) => pages::node_error(&visit, &e),
    }
}

/// Sets the password the form gives (twice), spends the link and signs the person in.
pub(crate) async fn setup(
    State(web): State<Web>,
    visit: Visit,
    extensions: axum::http::Extensions,
    axum::Form(f): axum::Form<SetupForm>,
) -> Response {
    let Some(limits) = &web.people else {
        return pages::not_found(&visit);
    };
    if !limits.machine(client_ip(&extensions)) {
        let c = visit.chrome("none");
        return pages::problem(
            &c,
            StatusCode::TOO_MANY_REQUESTS,
            c.t("people-too-many"),
            None,
        );
    }
    let who = match web
        .ask_for::<Option<Credentials>>(Request::PersonSetupFor {
            code: f.code.clone(),
        })
        .await
    {
        Ok(Some(who)) => who,
        Ok(None) => return link_spent(&visit),
        Err(e) => return pages::node_error(&visit, &e),
    };
    let mut errors = Vec::new();
    if replica::check_password(&f.password).is_err() {
        errors.push((
            "password",
            visit.lang.t_with(
                "people-password-length",
                &[
                    ("min", Arg::Count(replica::MIN_PASSWORD)),
                    ("max", Arg::Count(replica::MAX_PASSWORD)),
                ],
            ),
        ));
    } else if f.password != f.again {
        errors.push(("again", visit.lang.t("people-again-differs")));
    }
    if !errors.is_empty() {
        return setup_page(&visit, &who, f.code, errors);
    }
    let password = f.password;
    let hash = match tokio::task::spawn_blocking(move || replica::hash_password(&password)).await {
        Ok(Ok(h)) => h,
        _ => {
            let c = visit.chrome("none");
            return pages::problem(
                &c,
                StatusCode::INTERNAL_SERVER_ERROR,
                c.t("error-title"),
                None,
            );
        }
    };
    match web
        .ask_for::<Option<Credentials>>(Request::PersonSetupFinish {
            code: f.code,
            password_hash: hash,
        })
        .await
    {
        Ok(Some(c)) => open(&web, &visit, c),
        Ok(None) => link_spent(&visit),
        Err(e) if e.code == commands::ops::ErrorCode::Invalid => link_spent(&visit),
        Err(e) => pages::node_error(&visit, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_are_counted_apart_ipv4_through_a_dual_stack_listener_too() {
        let limits = Limits::default();
        let mapped =
            |last: u8| IpAddr::V6(std::net::Ipv4Addr::new(192, 168, 1, last).to_ipv6_mapped());
        for _ in 0..10 {
            assert!(limits.machine(mapped(5)));
        }
        assert!(!limits.machine(mapped(5)), "the eleventh in a minute waits");
        assert!(limits.machine(mapped(6)), "another machine does not");
        // One IPv6 host counts by its /64, whatever address it takes in it.
        let limits = Limits::default();
        let v6 = |last: u16| IpAddr::V6(std::net::Ipv6Addr::new(0xfd00, 0, 0, 1, 0, 0, 0, last));
        for n in 0..10 {
            assert!(limits.machine(v6(n)));
        }
        assert!(!limits.machine(v6(99)));
    }
}
