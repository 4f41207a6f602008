//! One module per area; each handler reads what it shows through typed operations and renders
//! one askama template (autoescaped: record text is hostile until escaped).

pub(crate) mod affiliates;
pub(crate) mod charter;
pub(crate) mod charter_amend;
pub(crate) mod coalitions;
pub(crate) mod history;
pub(crate) mod home;
pub(crate) mod issue_edit;
pub(crate) mod issues;
pub(crate) mod joins;
pub(crate) mod links;
pub(crate) mod meetings;
pub(crate) mod members;
pub(crate) mod plans;
pub(crate) mod polls;
pub(crate) mod pools;
pub(crate) mod proposals;
pub(crate) mod reports;
pub(crate) mod translated;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use commands::ops::{ErrorCode, OpError};

use crate::i18n::{Arg, Lang};
use crate::{Visit, Web};

/// The frame every page shares.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    pub(crate) l: Lang,
    /// The page's language tag.
    pub(crate) lang: &'static str,
    pub(crate) signed_in: bool,
    /// Whether they may change records (forms are shown).
    pub(crate) can_edit: bool,
    /// The person signed in from another machine, if it is one.
    pub(crate) person: Option<String>,
    /// The session's CSRF token, for forms.
    pub(crate) csrf: String,
    /// `back=…` for the language switcher.
    pub(crate) back: String,
    /// Which navigation entry is this page.
    pub(crate) here: &'static str,
    /// A message after a form succeeded.
    pub(crate) notice: Option<String>,
    /// The coalition this page shows (`*`: any), whose changes refresh it in place.
    pub(crate) coalition: Option<String>,
}

impl Chrome {
    /// Refreshes the page's live regions when `coalition` changes (`*`: any coalition).
    pub(crate) fn live(mut self, coalition: &str) -> Self {
        self.coalition = Some(coalition.to_owned());
        self
    }

    /// "Signed in as …", for a person signed in from another machine.
    pub(crate) fn signed_in_as(&self) -> Option<String> {
        let name = self.person.clone()?;
        Some(self.tw("signed-in-as", &[("name", Arg::Text(name))]))
    }

    /// A message of the page's language.
    pub(crate) fn t(&self, id: &str) -> String {
        self.l.t(id)
    }

    /// A message with variables.
    pub(crate) fn tw(&self, id: &str, args: &[(&'static str, Arg)]) -> String {
        self.l.t_with(id, args)
    }

    /// Shows the notice a redirect after a form asked for (`?done=…`), if it is one of
    /// `known` (ids of the catalog, never text from the address).
    pub(crate) fn with_notice(mut self, done: Option<&str>, known: &[&str]) -> Self {
        self.notice = done
            .and_then(|d| known.iter().find(|k| **k == d))
            .map(|id| self.t(id));
        self
    }
}

/// One form field with its label, help and error.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) help: String,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
    pub(crate) multiline: bool,
    pub(crate) required: bool,
    /// The input's type: `text`, `number` (a rank, 1 to 10), `decimal` (an amount) or
    /// `password`.
    pub(crate) kind: &'static str,
    /// What a browser may fill it with (`username`, `current-password`, `new-password`).
    pub(crate) autocomplete: Option<&'static str>,
}

impl Field {
    pub(crate) fn text(c: &Chrome, name: &'static str, label: &str, help: &str) -> Self {
        Self {
            name,
            label: c.t(label),
            help: c.t(help),
            value: String::new(),
            error: None,
            multiline: false,
            required: false,
            kind: "text",
            autocomplete: None,
        }
    }

    /// A password (hidden as typed), filled by the browser's password manager as `what`
    /// (`current-password` or `new-password`).
    pub(crate) fn password(mut self, what: &'static str) -> Self {
        self.kind = "password";
        self.autocomplete = Some(what);
        self
    }

    /// Filled by the browser as `what` (such as `username`).
    pub(crate) fn autocomplete(mut self, what: &'static str) -> Self {
        self.autocomplete = Some(what);
        self
    }

    pub(crate) fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub(crate) fn multiline(mut self) -> Self {
        self.multiline = true;
        self
    }

    pub(crate) fn number(mut self) -> Self {
        self.kind = "number";
        self
    }

    /// An amount with decimals (a text field with the decimal keyboard).
    pub(crate) fn decimal(mut self) -> Self {
        self.kind = "decimal";
        self
    }

    pub(crate) fn value(mut self, v: &str) -> Self {
        self.value = v.to_owned();
        self
    }
}

/// Renders a template as a page with `status`.
pub(crate) fn page(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not render a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not render the page",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct Problem<'a> {
    c: &'a Chrome,
    heading: String,
    message: String,
    command: Option<&'a str>,
}

/// A page that only says what went wrong.
pub(crate) fn problem(
    c: &Chrome,
    status: StatusCode,
    message: String,
    command: Option<&str>,
) -> Response {
    page(
        status,
        &Problem {
            c,
            heading: c.t("error-title"),
            message,
            command,
        },
    )
}

/// The page telling how to sign in (`used`: a link that was spent or expired was followed).
pub(crate) fn signed_out(v: &Visit, used: bool) -> Response {
    let c = v.chrome("none");
    if v.lan {
        // Served to other machines: people sign in with their name and password.
        return crate::see_other("/sign-in", None);
    }
    let message = if used {
        format!("{} {}", c.t("signed-out-used"), c.t("signed-out-body"))
    } else {
        c.t("signed-out-body")
    };
    page(
        if used {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNAUTHORIZED
        },
        &Problem {
            c: &c,
            heading: c.t("signed-out-title"),
            message,
            command: Some("coalesce ui --open"),
        },
    )
}

/// The page for an address nothing is at.
pub(crate) fn not_found(v: &Visit) -> Response {
    let c = v.chrome("none");
    problem(&c, StatusCode::NOT_FOUND, c.t("error-not-found"), None)
}

/// What a viewer asked to change, refused.
pub(crate) fn viewer_refused(v: &Visit) -> Response {
    let c = v.chrome("none");
    problem(&c, StatusCode::FORBIDDEN, c.t("error-viewer"), None)
}

/// A form whose CSRF token is missing or wrong.
pub(crate) fn csrf_refused(v: &Visit) -> Response {
    let c = v.chrome("none");
    problem(&c, StatusCode::FORBIDDEN, c.t("error-csrf"), None)
}

/// What the node said when it refused a form, in the page's language: a sentence of the
/// catalog by the kind of refusal, then the node's own explanation (in English).
pub(crate) fn refusal(l: crate::i18n::Lang, e: &OpError) -> String {
    let kind = match e.code {
        ErrorCode::NotFound => "refusal-not-found",
        ErrorCode::Invalid | ErrorCode::BadRequest | ErrorCode::TooLarge => "refusal-invalid",
        ErrorCode::Forbidden => "refusal-forbidden",
        ErrorCode::Conflict => "refusal-conflict",
        ErrorCode::NotArrived => "refusal-not-arrived",
        _ => "refusal-other",
    };
    l.t_with(kind, &[("message", Arg::Text(e.message.clone()))])
}

/// What the node answered, as a page.
pub(crate) fn node_error(v: &Visit, e: &OpError) -> Response {
    let c = v.chrome("none");
    let status = status_of(e);
    let message = if e.code == ErrorCode::NotFound {
        format!("{} {}", c.t("error-not-found"), e.message)
    } else {
        c.tw("error-node", &[("message", Arg::Text(e.message.clone()))])
    };
    problem(&c, status, message, None)
}

/// A coalition's own navigation, on its pages.
#[derive(Debug, Clone)]
pub(crate) struct CoalitionNav {
    pub(crate) id: String,
    /// The navigation's accessible name (the coalition's name).
    pub(crate) label: String,
    /// Which area is this page: `issues` or `proposals`.
    pub(crate) here: &'static str,
}

/// The coalition `id` as this node holds it, or what the node said when it holds none.
pub(crate) async fn coalition(
    web: &Web,
    id: &str,
) -> Result<commands::ops::coalitions::CoalitionSummary, OpError> {
    match web.ask(commands::ops::Request::CoalitionList).await? {
        commands::ops::Reply::Coalitions(list) => list
            .into_iter()
            .find(|s| s.id.as_str() == id)
            .ok_or_else(|| {
                OpError::new(
                    ErrorCode::NotFound,
                    format!("no coalition with id `{id}` here"),
                )
            }),
        _ => Err(unexpected()),
    }
}

/// The node answered an operation with a reply of another kind (a bug).
pub(crate) fn unexpected() -> OpError {
    OpError::new(
        ErrorCode::Internal,
        "the node answered with something else than asked",
    )
}

/// The address of a page of a listing: `path` with the query's non-empty `params` and the
/// offset (left out at 0).
pub(crate) fn page_link(path: &str, params: &[(&str, &str)], offset: usize) -> String {
    let offset = offset.to_string();
    let mut all: Vec<(&str, &str)> = params
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if offset != "0" {
        all.push(("offset", &offset));
    }
    match serde_urlencoded::to_string(&all) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// Record texts joined with commas, each isolated (U+2068 … U+2069) so that one with
/// right-to-left marks cannot reorder the others.
pub(crate) fn joined(items: &[String]) -> String {
    items
        .iter()
        .map(|i| crate::i18n::isolated(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of member `m` among `names`, or its id when the node does not know it (or the
/// name shows nothing). A name that reads like another member's (the same, or the same but
/// for case, spacing or characters that draw nothing) carries the start of its id beside it,
/// so that a member renamed to another's is not taken for it in a list or a picker.
pub(crate) fn name_of(
    names: &std::collections::BTreeMap<model::MemberId, String>,
    m: &model::MemberId,
) -> String {
    match model::shown_name(names, m) {
        model::ShownName::Id => m.to_string(),
        model::ShownName::Alike(name) => {
            // Without its own direction controls, which could reverse the id after it (a
            // picker's option cannot isolate it).
            let name: String = name
                .chars()
                .filter(|c| !model::is_bidi_control(*c))
                .collect();
            let id = m.as_str();
            format!("{name} ({})", id.get(..8).unwrap_or(id))
        }
        model::ShownName::Own(name) => name.to_owned(),
    }
}

/// A decision method in words.
pub(crate) fn method_words(c: &Chrome, method: model::Method) -> String {
    match method {
        model::Method::SuperMajority(f) => c.tw(
            "method-super-majority",
            &[("fraction", Arg::Own(f.to_string()))],
        ),
        m => c.t(&format!("method-{m}")),
    }
}

/// A rule's method in words: its positions' method, or the poll method it names (with the
/// settings it fixes, as the node spells them: `stv:2`).
pub(crate) fn rule_method_words(c: &Chrome, rule: model::Rule) -> String {
    let Some(poll) = rule.poll() else {
        return method_words(c, rule.method());
    };
    let words = c.t(&format!("rule-poll-{}", poll.family()));
    match poll {
        model::poll::PollRule::Any(_) => words,
        settings => c.tw(
            "rule-poll-settings",
            &[
                ("method", Arg::Own(words)),
                ("settings", Arg::Own(settings.to_string())),
            ],
        ),
    }
}

/// The HTTP status a page answers with for what the node refused.
pub(crate) fn status_of(e: &OpError) -> StatusCode {
    StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
}

/// Now, as the node counts time.
pub(crate) fn now() -> model::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    model::Timestamp::from_millis(ms)
}

/// Today (UTC), as the node writes days.
pub(crate) fn today() -> model::Day {
    model::Day::of(now())
}

/// A list typed one item per line, as the node takes it: each line trimmed, blank ones left
/// out (an item may hold commas: "step-free entrance, quiet room" is one need).
pub(crate) fn lines_of(typed: &str) -> Vec<String> {
    typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The error for a proposal's closing time as typed (`closes`, blank for none), checked as the
/// node will check it, so that a day that is over is said at its field.
pub(crate) fn closes_error(l: crate::i18n::Lang, closes: &str) -> Option<(&'static str, String)> {
    let closes = closes.trim();
    (!closes.is_empty() && commands::closing_time(closes, now()).is_err())
        .then(|| ("closes", l.t("error-closes")))
}

/// Puts each error next to the field it names.
pub(crate) fn tie(fields: &mut [Field], errors: Vec<(&'static str, String)>) {
    for (name, e) in errors {
        if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
            f.error = Some(e);
        }
    }
}

/// A choice of a select: its value, its label, whether chosen.
#[derive(Debug)]
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// Where a page falls in a listing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    /// Records skipped before it.
    pub(crate) offset: usize,
    /// Records on it.
    pub(crate) shown: usize,
    /// Records in all pages.
    pub(crate) total: usize,
    /// The next page's offset, if there is one.
    pub(crate) next: Option<usize>,
    /// Most records on a page.
    pub(crate) page_size: usize,
}

impl Window {
    /// The page of at most `page_size` of `total` records from `offset`. An offset past the
    /// last record is taken as the last page's, so that a listing with records never shows
    /// an empty page (nor "none match") for an address kept from when it was longer.
    pub(crate) fn over(offset: usize, total: usize, page_size: usize) -> Self {
        let page_size = page_size.max(1);
        let last = total.saturating_sub(1) / page_size * page_size;
        let offset = offset.min(last);
        let shown = total.saturating_sub(offset).min(page_size);
        // At most `total`: `offset` is below it, or 0.
        let end = offset + shown;
        Window {
            offset,
            shown,
            total,
            next: (end < total).then_some(end),
            page_size,
        }
    }
}

/// A listing's page: "items F to T of N" in words (`message`, with `from`, `to`, `total`),
/// and the addresses of the pages before and after, if any.
pub(crate) fn pager(
    c: &Chrome,
    message: &str,
    link: impl Fn(usize) -> String,
    w: Window,
) -> (String, Option<String>, Option<String>) {
    let Window {
        offset,
        shown,
        total,
        next,
        page_size,
    } = w;
    let showing = c.tw(
        message,
        &[
            ("from", Arg::Count(offset.saturating_add(1))),
            ("to", Arg::Count(offset.saturating_add(shown))),
            ("total", Arg::Count(total)),
        ],
    );
    let previous = (offset > 0).then(|| link(offset.saturating_sub(page_size)));
    (showing, previous, next.map(link))
}

/// What a record's address may carry after a form: the notice to show.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    pub(crate) done: Option<String>,
}

#[cfg(test)]
mod tests {
    /// A member renamed to another's name (or to it with characters that draw nothing) is
    /// shown with the start of its id in lists and pickers, and so is the one it copies;
    /// a name that shows nothing gives way to the id.
    #[test]
    fn names_that_read_alike_are_told_apart_by_their_ids() {
        use model::MemberId;
        let (a, b, c, d) = (
            MemberId::from_bytes([0xa1; 16]),
            MemberId::from_bytes([0xb2; 16]),
            MemberId::from_bytes([0xc3; 16]),
            MemberId::from_bytes([0xd4; 16]),
        );
        let names: std::collections::BTreeMap<MemberId, String> = [
            (a.clone(), "Northside Tenants Union".to_owned()),
            (b.clone(), "Northside Tenants\u{200b} Union".to_owned()),
            (c.clone(), "Eastside".to_owned()),
            (d.clone(), " \u{3164}".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            super::name_of(&names, &a),
            "Northside Tenants Union (a1a1a1a1)"
        );
        assert!(super::name_of(&names, &b).ends_with("(b2b2b2b2)"));
        assert_eq!(super::name_of(&names, &c), "Eastside");
        assert_eq!(super::name_of(&names, &d), d.to_string());
    }
}
