//! Who may use the UI in a browser: one-time sign-in codes (minted through the token-protected
//! API, which `coalesce ui` calls) and the sessions they open for the operator on this
//! machine; on the UI served to other machines (TLS), sessions that people open with their
//! name and password. Both live in this node's memory only: a restarted node asks for a new
//! link or sign-in. Counts are bounded: the oldest session or code gives way.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a sign-in link works.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long a session lasts without being used.
pub(crate) const SESSION_IDLE: Duration = Duration::from_secs(12 * 60 * 60);
/// Most sign-in codes waiting at once.
const MAX_CODES: usize = 16;
/// Most sessions at once.
const MAX_SESSIONS: usize = 256;
/// Most sessions of one person at once (so that no account can push everyone else out).
const MAX_SESSIONS_PER_PERSON: usize = 8;

/// The session cookie's name, before the port: browsers keep cookies by host, not by port, so
/// each node's UI on one machine (and any other local web service) has its own name.
pub(crate) const SESSION_COOKIE: &str = "coalesce_session";
/// The language cookie's name.
pub(crate) const LANG_COOKIE: &str = "coalesce_lang";

/// Who a session is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The operator, on this machine, signed in with a one-time link.
    Operator,
    /// A person with an account, signed in from another machine with their password.
    Person {
        /// Their name, as stored.
        name: String,
        /// What they may do.
        role: replica::Role,
        /// Their account's epoch when they signed in: a reset or removal since ends it.
        epoch: u64,
    },
}

impl Who {
    /// Whether they may change records.
    pub fn can_edit(&self) -> bool {
        !matches!(
            self,
            Self::Person {
                role: replica::Role::Viewer,
                ..
            }
        )
    }

    /// The person's name, for a person.
    pub fn person(&self) -> Option<&str> {
        match self {
            Self::Operator => None,
            Self::Person { name, .. } => Some(name),
        }
    }
}

/// A browser's session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The token every form carries back (against cross-site requests).
    pub csrf: String,
    /// Who it is for.
    pub who: Who,
    last: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    codes: HashMap<String, Instant>,
    sessions: HashMap<String, Session>,
}

/// The sign-in codes and sessions of this node's UI.
#[derive(Debug)]
pub struct Sessions {
    inner: Mutex<Inner>,
    base: String,
    cookie: String,
    /// Cookies only over TLS (`Secure`).
    secure: bool,
}

/// 32 random bytes as hex; `None` if the system has no randomness to give.
fn random_hex() -> Option<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).ok()?;
    Some(hex::encode(b))
}

impl Sessions {
    /// Sessions for a UI served at `base` (such as `http://127.0.0.1:7420`), which sign-in
    /// links start with.
    pub fn new(base: impl Into<String>) -> Self {
        let base = base.into();
        let port = base.rsplit(':').next().unwrap_or_default();
        let cookie = if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            format!("{SESSION_COOKIE}_{port}")
        } else {
            SESSION_COOKIE.to_owned()
        };
        Self {
            inner: Mutex::new(Inner::default()),
            base,
            cookie,
            secure: false,
        }
    }

    /// Sessions for the UI served to other machines over TLS at `base` (such as
    /// `https://10.0.0.5:7443`): cookies marked `Secure`, named with the `__Host-` prefix (the
    /// browser keeps them to this host, over TLS, for every path) and the port.
    pub fn over_tls(base: impl Into<String>) -> Self {
        let mut s = Self::new(base);
        s.cookie = format!("__Host-{}", s.cookie);
        s.secure = true;
        s
    }

    /// Where the UI is served (`http://…` or `https://…`, no path).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The `Set-Cookie` value that keeps session `id` in the browser.
    pub(crate) fn set_cookie(&self, id: &str) -> String {
        format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
            self.cookie,
            SESSION_IDLE.as_secs(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub(crate) fn clear_cookie(&self) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
            self.cookie,
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The session cookie's name for this UI (with its port).
    pub fn cookie_name(&self) -> &str {
        &self.cookie
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves maps that are still whole: go on with them.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new one-time sign-in code.
    pub fn mint_code(&self) -> Option<String> {
        let code = random_hex()?;
        let mut inner = self.lock();
        let now = Instant::now();
        inner
            .codes
            .retain(|_, t| now.duration_since(*t) < CODE_LIFETIME);
        if inner.codes.len() >= MAX_CODES
            && let Some(oldest) = inner
                .codes
                .iter()
                .min_by_key(|(_, t)| **t)
                .map(|(k, _)| k.clone())
        {
            inner.codes.remove(&oldest);
        }
        inner.codes.insert(code.clone(), now);
        Some(code)
    }

    /// Whether `code` would sign in now (it is not spent by asking).
    pub fn code_works(&self, code: &str) -> bool {
        self.lock()
            .codes
            .get(code)
            .is_some_and(|made| made.elapsed() < CODE_LIFETIME)
    }

    /// Spends a sign-in code: a new session's id if it was valid (once).
    pub fn redeem(&self, code: &str) -> Option<String> {
        let made = self.lock().codes.remove(code)?;
        if made.elapsed() >= CODE_LIFETIME {
            return None;
        }
        self.open(Who::Operator)
    }

    /// Opens a session for `who`: its id, `None` if the system has no randomness to give.
    pub fn open(&self, who: Who) -> Option<String> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        let now = Instant::now();
        let mut inner = self.lock();
        inner
            .sessions
            .retain(|_, s| now.duration_since(s.last) < SESSION_IDLE);
        // A person's own oldest session gives way first; then anyone's oldest.
        if let Some(name) = who.person() {
            let theirs = |s: &Session| s.who.person() == Some(name);
            if inner.sessions.values().filter(|s| theirs(s)).count() >= MAX_SESSIONS_PER_PERSON
                && let Some(oldest) = inner
                    .sessions
                    .iter()
                    .filter(|(_, s)| theirs(s))
                    .min_by_key(|(_, s)| s.last)
                    .map(|(k, _)| k.clone())
            {
                inner.sessions.remove(&oldest);
            }
        }
        if inner.sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = inner
                .sessions
                .iter()
                .min_by_key(|(_, s)| s.last)
                .map(|(k, _)| k.clone())
        {
            inner.sessions.remove(&oldest);
        }
        inner.sessions.insert(
            id.clone(),
            Session {
                csrf,
                who,
                last: now,
            },
        );
        Some(id)
    }

    /// The session `id` names, if it is open (and it is kept open a while longer).
    pub fn session(&self, id: &str) -> Option<Session> {
        let mut inner = self.lock();
        let s = inner.sessions.get_mut(id)?;
        if s.last.elapsed() >= SESSION_IDLE {
            inner.sessions.remove(id);
            return None;
        }
        s.last = Instant::now();
        Some(s.clone())
    }

    /// The session `id` names if it is still open, without keeping it open longer (a page's
    /// live stream asks this: an open tab alone does not keep a session alive).
    pub fn peek(&self, id: &str) -> Option<Session> {
        self.lock()
            .sessions
            .get(id)
            .filter(|s| s.last.elapsed() < SESSION_IDLE)
            .cloned()
    }

    /// Ends a session.
    pub fn end(&self, id: &str) {
        self.lock().sessions.remove(id);
    }
}

impl Sessions {
    /// A new one-time link to sign in with; `None` if no code could be drawn.
    pub fn sign_in_link(&self) -> Option<api::SignInLink> {
        let code = self.mint_code()?;
        Some(api::SignInLink {
            url: format!("{}/sign-in?code={code}", self.base),
            expires_in_seconds: CODE_LIFETIME.as_secs(),
        })
    }
}

/// The values of cookie `name` in a `Cookie` header, in the order sent (a cookie set by
/// another service on this host for a longer path comes first).
pub(crate) fn cookies<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> {
    header
        .split(';')
        .take(64)
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The first value of cookie `name` in a `Cookie` header.
pub(crate) fn cookie<'a>(header: &'a str, name: &'a str) -> Option<&'a str> {
    cookies(header, name).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_opens_one_session_once() {
        let s = Sessions::new("http://127.0.0.1:1");
        let code = s.mint_code().unwrap();
        let id = s.redeem(&code).unwrap();
        assert!(s.redeem(&code).is_none(), "a code works once");
        let session = s.session(&id).unwrap();
        assert_eq!(session.csrf.len(), 64);
        s.end(&id);
        assert!(s.session(&id).is_none());
        assert!(s.redeem("not a code").is_none());
    }

    #[test]
    fn codes_and_sessions_are_bounded() {
        let s = Sessions::new("http://127.0.0.1:1");
        let codes: Vec<String> = (0..MAX_CODES + 5).map(|_| s.mint_code().unwrap()).collect();
        assert_eq!(s.lock().codes.len(), MAX_CODES);
        assert!(s.redeem(&codes[codes.len() - 1]).is_some());
        for _ in 0..MAX_SESSIONS + 3 {
            let c = s.mint_code().unwrap();
            s.redeem(&c).unwrap();
        }
        assert_eq!(s.lock().sessions.len(), MAX_SESSIONS);
    }

    #[test]
    fn one_person_cannot_push_everyone_else_out() {
        let s = Sessions::over_tls("https://10.0.0.5:7443");
        let person = |name: &str| Who::Person {
            name: name.into(),
            role: replica::Role::Editor,
            epoch: 1,
        };
        let bo = s.open(person("Bo")).unwrap();
        let ana: Vec<String> = (0..MAX_SESSIONS_PER_PERSON + 5)
            .map(|_| s.open(person("Ana")).unwrap())
            .collect();
        assert!(s.peek(&bo).is_some(), "Bo's session stays");
        let open = ana.iter().filter(|id| s.peek(id).is_some()).count();
        assert_eq!(open, MAX_SESSIONS_PER_PERSON);
        assert!(s.peek(&ana[0]).is_none(), "Ana's oldest gave way");
        assert!(s.set_cookie("x").contains("; Secure"));
        assert!(s.cookie_name().starts_with("__Host-"));
    }

    #[test]
    fn cookies_are_read_by_name() {
        let h = "a=1; coalesce_session=abc; coalesce_lang=es";
        assert_eq!(cookie(h, SESSION_COOKIE), Some("abc"));
        let two = "coalesce_session_7420=junk; coalesce_session_7420=good";
        assert_eq!(
            cookies(two, "coalesce_session_7420").collect::<Vec<_>>(),
            ["junk", "good"]
        );
        assert_eq!(
            Sessions::new("http://127.0.0.1:7420").cookie_name(),
            "coalesce_session_7420"
        );
        assert_eq!(cookie(h, LANG_COOKIE), Some("es"));
        assert_eq!(cookie(h, "b"), None);
    }
}
