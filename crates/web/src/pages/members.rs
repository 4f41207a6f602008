//! A coalition's member organizations: each one's profile (communities, languages,
//! accessibility needs, contact), when it joined and its node keys; those awaiting their
//! admission vote; former members, with when they left or were removed. Below them, this
//! organization's own profile to edit, a proposal to remove a member (decided by the
//! charter's rule for membership), and leaving the coalition (confirmed first).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::members::{MemberQuery, ProfileRequest, RemovalRequest};
use commands::ops::{Reply, Request};

use super::{Choice, Chrome, CoalitionNav, Field, joined, page, unexpected};
use crate::i18n::{Arg, date_time};
use crate::{Visit, Web, see_other};

/// The notices a redirect to the page may ask for.
const NOTICES: &[&str] = &["profile-saved", "member-left"];

/// Most members on a page (members in force first, then former ones).
const PAGE: usize = 50;

/// Longest text looked for, in characters (as the field allows).
const FIND: usize = 200;

/// The standings a member can be filtered by: in force, awaiting admission, former.
const STANDINGS: &[&str] = &["member", "pending", "former"];

/// The listing's filter and page, as the address carries them.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct MembersQuery {
    #[serde(default)]
    done: Option<String>,
    /// Text to find in a member's name or profile (any case).
    #[serde(default)]
    find: String,
    /// Only members of this standing (one of [`STANDINGS`]).
    #[serde(default)]
    standing: String,
    #[serde(default)]
    offset: usize,
}

impl MembersQuery {
    /// The query as it is used: the text trimmed and cut to [`FIND`] characters; a standing
    /// not offered (only an address typed by hand can carry one) left out.
    fn normalized(mut self) -> Self {
        self.find = self.find.trim().chars().take(FIND).collect();
        if !STANDINGS.contains(&self.standing.as_str()) {
            self.standing.clear();
        }
        self
    }

    fn filtered(&self) -> bool {
        !self.find.is_empty() || !self.standing.is_empty()
    }

    /// Whether a member of standing `status` (`member`, `pending`, `left`, `removed`) and
    /// profile `m` is asked for; `find` is the query's text in lower case.
    fn matches(&self, find: &str, status: &str, m: &model::schema::Member) -> bool {
        let standing = if matches!(status, "left" | "removed") {
            "former"
        } else {
            status
        };
        if !self.standing.is_empty() && self.standing != standing {
            return false;
        }
        if find.is_empty() {
            return true;
        }
        let has = |t: &str| t.to_lowercase().contains(find);
        has(&m.name)
            || has(&m.contact)
            || [&m.communities, &m.languages, &m.accessibility]
                .iter()
                .any(|list| list.iter().any(|t| has(t)))
    }
}

/// A member's row.
#[derive(Debug)]
pub(crate) struct MemberRow {
    pub(crate) name: String,
    /// Its standing, when it is not simply a member in force.
    pub(crate) status: Option<String>,
    pub(crate) communities: String,
    pub(crate) languages: String,
    pub(crate) access: String,
    pub(crate) contact: String,
    pub(crate) joined: String,
    pub(crate) since: String,
    /// Its node keys, shortened.
    pub(crate) keys: Vec<String>,
}

#[derive(Template)]
#[template(path = "members.html")]
struct Members {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    /// The page's members in force (and awaiting admission), then its former members.
    current: Vec<MemberRow>,
    former: Vec<MemberRow>,
    /// Whether the coalition has no former member at all.
    no_former: bool,
    /// The filter as typed, the standings to choose from, and whether any is set.
    find: String,
    standings: Vec<Choice>,
    filtered: bool,
    showing: String,
    previous: Option<String>,
    next: Option<String>,
    /// Whether this organization is a member in force (the forms are shown then).
    member: bool,
    profile_error: Option<String>,
    profile: Vec<Field>,
    removal_error: Option<String>,
    others: Vec<Choice>,
    member_error: Option<String>,
    removal: Vec<Field>,
    leave_error: Option<String>,
}

/// What the profile form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    communities: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    accessibility: String,
    #[serde(default)]
    contact: String,
}

/// What the removal form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct RemovalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    closes: String,
}

/// What the leave form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct LeaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

/// The forms as sent, with what was wrong.
#[derive(Default)]
struct Sent<'a> {
    /// The listing's filter and page, and the notice to show.
    query: MembersQuery,
    status: Option<StatusCode>,
    profile: Option<&'a ProfileForm>,
    profile_error: Option<String>,
    profile_errors: Vec<(&'static str, String)>,
    removal: Option<&'a RemovalForm>,
    removal_error: Option<String>,
    removal_errors: Vec<(&'static str, String)>,
    leave_error: Option<String>,
}

/// The coalition's members, former ones included.
pub(crate) async fn list(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(query): Query<MembersQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let sent = Sent {
        query: query.normalized(),
        ..Sent::default()
    };
    members_page(&web, &visit, &coalition, sent).await
}

async fn members_page(web: &Web, visit: &Visit, coalition: &str, sent: Sent<'_>) -> Response {
    let visit = visit.clone();
    let coalition = coalition.to_owned();
    let c = visit
        .chrome("members")
        .with_notice(sent.query.done.as_deref(), NOTICES)
        .live(&coalition);
    let summary = match super::coalition(web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    let entries = match web
        .ask(Request::MemberList {
            coalition: coalition.clone(),
            query: MemberQuery { all: true },
        })
        .await
    {
        Ok(Reply::Members(m)) => m,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let me = summary.me.clone();
    let mine = entries
        .iter()
        .find(|e| Some(&e.member.id) == me.as_ref() && e.status == "member")
        .map(|e| e.member.clone());
    // Names as pickers show them: one that reads like another member's carries its id.
    let names: std::collections::BTreeMap<model::MemberId, String> = entries
        .iter()
        .map(|e| (e.member.id.clone(), e.member.name.clone()))
        .collect();
    let others: Vec<Choice> = entries
        .iter()
        .filter(|e| e.status == "member" && Some(&e.member.id) != me.as_ref())
        .map(|e| Choice {
            value: e.member.id.to_string(),
            label: super::name_of(&names, &e.member.id),
            selected: sent
                .removal
                .is_some_and(|f| f.member == e.member.id.as_str()),
        })
        .collect();
    let stands = mine.as_ref().map(|m| ProfileForm {
        name: m.name.clone(),
        communities: m.communities.join("\n"),
        languages: m.languages.join("\n"),
        accessibility: m.accessibility.join("\n"),
        contact: m.contact.clone(),
        ..ProfileForm::default()
    });
    let typed = sent.profile.cloned().or(stands).unwrap_or_default();
    let mut profile = vec![
        Field::text(&c, "name", "profile-name", "profile-name-help")
            .required()
            .value(&typed.name),
        Field::text(
            &c,
            "communities",
            "profile-communities",
            "profile-list-help",
        )
        .multiline()
        .value(&typed.communities),
        Field::text(&c, "languages", "profile-languages", "profile-list-help")
            .multiline()
            .value(&typed.languages),
        Field::text(
            &c,
            "accessibility",
            "profile-accessibility",
            "profile-list-help",
        )
        .multiline()
        .value(&typed.accessibility),
        Field::text(&c, "contact", "profile-contact", "profile-contact-help").value(&typed.contact),
    ];
    super::tie(&mut profile, sent.profile_errors);
    let removal_typed = sent.removal.cloned().unwrap_or_default();
    let mut removal = vec![
        Field::text(&c, "reason", "removal-reason", "removal-reason-help")
            .required()
            .value(&removal_typed.reason),
        Field::text(&c, "closes", "removal-closes", "removal-closes-help")
            .value(&removal_typed.closes),
    ];
    let member_error = sent
        .removal_errors
        .iter()
        .find(|(name, _)| *name == "member")
        .map(|(_, e)| e.clone());
    super::tie(&mut removal, sent.removal_errors);
    let q = &sent.query;
    let no_former = !entries
        .iter()
        .any(|e| matches!(e.status.as_str(), "left" | "removed"));
    // Members in force and awaiting first, then former ones, each in the node's order.
    let find = q.find.to_lowercase();
    let mut matching: Vec<_> = entries
        .iter()
        .filter(|e| q.matches(&find, &e.status, &e.member))
        .collect();
    matching.sort_by_key(|e| matches!(e.status.as_str(), "left" | "removed"));
    let total = matching.len();
    let window = super::Window::over(q.offset, total, PAGE);
    let offset = window.offset;
    let (mut current, mut former) = (Vec::new(), Vec::new());
    for e in matching.iter().skip(offset).take(PAGE) {
        let m = &e.member;
        let status = match e.status.as_str() {
            "member" => None,
            "left" | "removed" | "pending" => Some(c.t(&format!("member-status-{}", e.status))),
            other => Some(other.to_owned()),
        };
        let row = MemberRow {
            name: m.name.clone(),
            status,
            communities: joined(&m.communities),
            languages: joined(&m.languages),
            access: joined(&m.accessibility),
            contact: m.contact.clone(),
            joined: date_time(c.l, m.joined_at),
            since: e.since.map(|t| date_time(c.l, t)).unwrap_or_default(),
            keys: m
                .keys
                .iter()
                .map(|k| {
                    let k = k.to_string();
                    format!("{}…", k.get(..16).unwrap_or(&k))
                })
                .collect(),
        };
        if matches!(e.status.as_str(), "left" | "removed") {
            former.push(row);
        } else {
            current.push(row);
        }
    }
    let path = format!("/c/{coalition}/members");
    let (showing, previous, next) = super::pager(
        &c,
        "members-showing",
        |o| super::page_link(&path, &[("find", &q.find), ("standing", &q.standing)], o),
        window,
    );
    let standings = STANDINGS
        .iter()
        .map(|s| Choice {
            value: (*s).to_owned(),
            label: c.t(&format!("members-standing-{s}")),
            selected: q.standing == *s,
        })
        .collect();
    page(
        sent.status.unwrap_or(StatusCode::OK),
        &Members {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "members",
            },
            heading: c.tw("members-title", &[("coalition", Arg::Text(summary.name))]),
            c,
            current,
            former,
            no_former,
            find: q.find.clone(),
            standings,
            filtered: q.filtered(),
            showing,
            previous,
            next,
            member: mine.is_some(),
            profile_error: sent.profile_error,
            profile,
            removal_error: sent.removal_error,
            others,
            member_error,
            removal,
            leave_error: sent.leave_error,
        },
    )
}

/// Saves this organization's profile, then shows the members; or the page again with what
/// was wrong.
pub(crate) async fn save_profile(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<ProfileForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    if f.name.trim().is_empty() {
        let sent = Sent {
            profile: Some(&f),
            profile_error: Some(l.t("error-form")),
            profile_errors: vec![("name", l.t("error-required"))],
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Sent::default()
        };
        return members_page(&web, &visit, &coalition, sent).await;
    }
    let req = Request::ProfileUpdate {
        coalition: coalition.clone(),
        body: ProfileRequest {
            name: Some(f.name.trim().to_owned()),
            communities: Some(super::lines_of(&f.communities)),
            languages: Some(super::lines_of(&f.languages)),
            accessibility: Some(super::lines_of(&f.accessibility)),
            contact: Some(f.contact.trim().to_owned()),
        },
    };
    match web.ask(req).await {
        Ok(_) => see_other(&format!("/c/{coalition}/members?done=profile-saved"), None),
        Err(e) => {
            let sent = Sent {
                profile: Some(&f),
                status: Some(super::status_of(&e)),
                profile_error: Some(super::refusal(visit.lang, &e)),
                ..Sent::default()
            };
            members_page(&web, &visit, &coalition, sent).await
        }
    }
}

/// Proposes removing a member, then shows the proposal that decides it; or the page again
/// with what was wrong.
pub(crate) async fn propose_removal(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<RemovalForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let closes = f.closes.trim();
    let mut errors = Vec::new();
    if f.member.is_empty() {
        errors.push(("member", l.t("removal-member-missing")));
    }
    if f.reason.trim().is_empty() {
        errors.push(("reason", l.t("error-required")));
    }
    errors.extend(super::closes_error(l, closes));
    if !errors.is_empty() {
        let sent = Sent {
            removal: Some(&f),
            removal_error: Some(l.t("error-form")),
            removal_errors: errors,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Sent::default()
        };
        return members_page(&web, &visit, &coalition, sent).await;
    }
    let req = Request::MemberRemoval {
        coalition: coalition.clone(),
        member: f.member.clone(),
        body: RemovalRequest {
            reason: f.reason.trim().to_owned(),
            closes: Some(f.closes.trim().to_owned()).filter(|c| !c.is_empty()),
        },
    };
    match web.ask(req).await {
        Ok(Reply::Created(made)) => see_other(
            &format!("/c/{coalition}/proposals/{}?done=removal-proposed", made.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let sent = Sent {
                removal: Some(&f),
                status: Some(super::status_of(&e)),
                removal_error: Some(super::refusal(visit.lang, &e)),
                ..Sent::default()
            };
            members_page(&web, &visit, &coalition, sent).await
        }
    }
}

/// This organization leaves the coalition once it has confirmed; then the members page.
pub(crate) async fn leave(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<LeaveForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    if f.confirm != "yes" {
        let sent = Sent {
            leave_error: Some(visit.lang.t("leave-confirm-missing")),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Sent::default()
        };
        return members_page(&web, &visit, &coalition, sent).await;
    }
    let req = Request::MemberLeave {
        coalition: coalition.clone(),
    };
    match web.ask(req).await {
        Ok(_) => see_other(&format!("/c/{coalition}/members?done=member-left"), None),
        Err(e) => {
            let sent = Sent {
                status: Some(super::status_of(&e)),
                leave_error: Some(super::refusal(visit.lang, &e)),
                ..Sent::default()
            };
            members_page(&web, &visit, &coalition, sent).await
        }
    }
}
