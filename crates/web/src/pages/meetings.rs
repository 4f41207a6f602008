//! A coalition's meetings: the list (latest first, a page at a time), one meeting (who
//! facilitated, who was present, the agenda, the minutes, the proposals decided), and the
//! form to record one (the facilitator defaults to the charter's rotation).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::meetings::{MeetingQuery, NewMeetingRequest};
use commands::ops::members::MemberQuery;
use commands::ops::proposals::ProposalQuery;
use commands::ops::{Reply, Request};

use super::{Chrome, CoalitionNav, Field, name_of, page, unexpected};
use crate::i18n::{Arg, day};
use crate::{Visit, Web, see_other};

/// Meetings on a page.
const PAGE: usize = 25;

/// Proposals offered to link to a meeting (the latest).
const LINKABLE: usize = 50;

/// Notices a redirect may ask for.
const NOTICES: &[&str] = &["meeting-recorded", "translated"];

/// A row of the list.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) day: String,
    pub(crate) facilitator: String,
    pub(crate) attendance: usize,
    pub(crate) agenda: usize,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct Meetings {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    showing: String,
    rows: Vec<Row>,
    /// "The minutes of 3 meetings are not yet in Spanish", per language.
    untranslated: Vec<String>,
    previous: Option<String>,
    next: Option<String>,
    /// The filters: who was there (every member, former ones too), the first and last days.
    members: Vec<super::Choice>,
    from: String,
    to: String,
    from_error: Option<String>,
    to_error: Option<String>,
    filtered: bool,
}

/// The list's filters and page, as the address carries them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    /// Only meetings this member (its id) attended or facilitated.
    #[serde(default)]
    member: String,
    /// Only meetings held on or after this day.
    #[serde(default)]
    from: String,
    /// Only meetings held on or before this day.
    #[serde(default)]
    to: String,
    #[serde(default)]
    offset: usize,
}

/// The coalition's meetings.
pub(crate) async fn list(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("meetings").live(&coalition);
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    // A day that does not read is said at its field, and left out of the filter.
    let bound = |given: &str| -> (Option<String>, Option<String>) {
        let given = given.trim();
        if given.is_empty() {
            (None, None)
        } else if given.parse::<model::Day>().is_ok() {
            (Some(given.to_owned()), None)
        } else {
            (None, Some(c.t("error-date")))
        }
    };
    let ((from, from_error), (to, to_error)) = (bound(&q.from), bound(&q.to));
    let every: Vec<commands::ops::members::MemberEntry> = match web
        .ask_for(Request::MemberList {
            coalition: coalition.clone(),
            query: MemberQuery { all: true },
        })
        .await
    {
        Ok(m) => m,
        Err(e) => return super::node_error(&visit, &e),
    };
    // Names as pickers show them: one that reads like another member's carries its id.
    let names: std::collections::BTreeMap<model::MemberId, String> = every
        .iter()
        .map(|m| (m.member.id.clone(), m.member.name.clone()))
        .collect();
    let mut members: Vec<super::Choice> = every
        .iter()
        .map(|m| super::Choice {
            value: m.member.id.to_string(),
            label: super::name_of(&names, &m.member.id),
            selected: q.member == m.member.id.as_str(),
        })
        .collect();
    members.sort_by(|a, b| a.label.cmp(&b.label));
    // Only a member of the list: the node is not asked to find what was not offered, and a
    // member it does not know (an address typed or kept from another coalition) matches no
    // meeting.
    let member = members.iter().any(|m| m.selected).then(|| q.member.clone());
    let unknown = member.is_none() && !q.member.trim().is_empty();
    let filtered = unknown || member.is_some() || from.is_some() || to.is_some();
    let list = if unknown {
        commands::ops::meetings::MeetingPage::default()
    } else {
        let query = MeetingQuery {
            member,
            from,
            to,
            offset: q.offset,
            limit: Some(PAGE),
        };
        let req = Request::MeetingList {
            coalition: coalition.clone(),
            query,
        };
        match web.ask_for(req).await {
            Ok(page) => page,
            Err(e) => return super::node_error(&visit, &e),
        }
    };
    let rows: Vec<Row> = list
        .meetings
        .iter()
        .map(|m| Row {
            id: m.id.to_string(),
            day: day(c.l, &m.day),
            facilitator: name_of(&list.names, &m.facilitator),
            attendance: m.attendance.len(),
            agenda: m.agenda.len(),
        })
        .collect();
    let path = format!("/c/{coalition}/meetings");
    let (showing, previous, next) = super::pager(
        &c,
        "meetings-showing",
        |o| {
            super::page_link(
                &path,
                &[("member", &q.member), ("from", &q.from), ("to", &q.to)],
                o,
            )
        },
        super::Window {
            offset: list.offset,
            shown: rows.len(),
            total: list.total,
            next: list.next,
            page_size: PAGE,
        },
    );
    let untranslated = super::translated::untranslated(&web, &c, &coalition, "meetings").await;
    page(
        StatusCode::OK,
        &Meetings {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "meetings",
            },
            heading: c.tw("meetings-title", &[("coalition", Arg::Text(summary.name))]),
            c,
            showing,
            rows,
            untranslated,
            previous,
            next,
            members,
            from: q.from.trim().to_owned(),
            to: q.to.trim().to_owned(),
            from_error,
            to_error,
            filtered,
        },
    )
}

/// A member offered in the form.
#[derive(Debug)]
pub(crate) struct MemberChoice {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) present: bool,
    pub(crate) facilitating: bool,
}

/// A proposal offered in the form.
#[derive(Debug)]
pub(crate) struct ProposalChoice {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewMeeting {
    c: Chrome,
    coalition: String,
    heading: String,
    form_error: Option<String>,
    fields: Vec<Field>,
    members: Vec<MemberChoice>,
    texts: Vec<Field>,
    proposals: Vec<ProposalChoice>,
}

/// What the form sends (repeated fields: the members present, the proposals decided).
#[derive(Debug, Default)]
pub(crate) struct MeetingForm {
    csrf: String,
    date: String,
    facilitator: String,
    present: Vec<String>,
    agenda: String,
    checkins: String,
    minutes: String,
    decided: Vec<String>,
}

impl MeetingForm {
    /// Reads the form's fields; at most `MAX_PAIRS` of them (the body is bounded too).
    fn parse(body: &[u8]) -> Self {
        const MAX_PAIRS: usize = 1024;
        let mut f = Self::default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        for (k, v) in pairs.into_iter().take(MAX_PAIRS) {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "date" => f.date = v,
                "facilitator" => f.facilitator = v,
                "present" => f.present.push(v),
                "agenda" => f.agenda = v,
                "checkins" => f.checkins = v,
                "minutes" => f.minutes = v,
                "decided" => f.decided.push(v),
                _ => {}
            }
        }
        f
    }
}

/// The form, as sent (`f`) with what was wrong.
async fn form_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    f: &MeetingForm,
    date_error: Option<String>,
    form_error: Option<String>,
    status: StatusCode,
) -> Response {
    let c = visit.chrome("meetings");
    let summary = match super::coalition(web, coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(visit, &e),
    };
    let members = match web
        .ask(Request::MemberList {
            coalition: coalition.to_owned(),
            query: MemberQuery::default(),
        })
        .await
    {
        Ok(Reply::Members(m)) => m,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    let proposals = match web
        .ask(Request::ProposalList {
            coalition: coalition.to_owned(),
            query: ProposalQuery {
                limit: Some(LINKABLE),
                ..ProposalQuery::default()
            },
        })
        .await
    {
        Ok(Reply::Proposals(p)) => p.proposals,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    let day_given = if f.date.is_empty() {
        super::today().to_string()
    } else {
        f.date.clone()
    };
    let mut date = Field::text(&c, "date", "meeting-date", "meeting-date-help")
        .required()
        .value(&day_given);
    date.error = date_error;
    let texts = vec![
        Field::text(&c, "agenda", "meeting-agenda", "meeting-agenda-help")
            .multiline()
            .value(&f.agenda),
        Field::text(&c, "checkins", "meeting-checkins", "meeting-checkins-help")
            .multiline()
            .value(&f.checkins),
        Field::text(&c, "minutes", "meeting-minutes", "meeting-minutes-help")
            .multiline()
            .value(&f.minutes),
    ];
    page(
        status,
        &NewMeeting {
            heading: c.tw(
                "meeting-new-title",
                &[("coalition", Arg::Text(summary.name))],
            ),
            coalition: coalition.to_owned(),
            form_error,
            fields: vec![date],
            members: members
                .iter()
                .filter(|m| m.status == "member")
                .map(|m| {
                    let id = m.member.id.to_string();
                    MemberChoice {
                        present: f.present.contains(&id),
                        facilitating: f.facilitator == id,
                        name: m.member.name.clone(),
                        id,
                    }
                })
                .collect(),
            texts,
            proposals: proposals
                .iter()
                .map(|v| {
                    let id = v.proposal.id.to_string();
                    ProposalChoice {
                        checked: f.decided.contains(&id),
                        title: v.proposal.title.clone(),
                        id,
                    }
                })
                .collect(),
            c,
        },
    )
}

/// The form to record a meeting.
pub(crate) async fn new_form(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let f = MeetingForm::default();
    form_page(&web, &visit, &coalition, &f, None, None, StatusCode::OK).await
}

/// Records the meeting, then shows it; or the form again with what was wrong.
pub(crate) async fn create(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let f = MeetingForm::parse(&body);
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let date = f.date.trim().to_owned();
    if date.parse::<model::Day>().is_err() {
        let (e, form) = (Some(l.t("error-date")), Some(l.t("error-form")));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return form_page(&web, &visit, &coalition, &f, e, form, status).await;
    }
    let (agenda, timeboxes) = commands::ops::meetings::split_timeboxes(
        f.agenda
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    );
    let req = Request::MeetingCreate {
        coalition: coalition.clone(),
        body: NewMeetingRequest {
            date,
            facilitator: Some(f.facilitator.clone()).filter(|s| !s.is_empty()),
            attendance: f.present.clone(),
            agenda,
            minutes: f.minutes.trim().to_owned(),
            decisions: f.decided.clone(),
            checkins: f
                .checkins
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            timeboxes,
        },
    };
    match web.ask(req).await {
        Ok(Reply::Created(made)) => see_other(
            &format!("/c/{coalition}/meetings/{}?done=meeting-recorded", made.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let status = super::status_of(&e);
            form_page(
                &web,
                &visit,
                &coalition,
                &f,
                None,
                Some(super::refusal(visit.lang, &e)),
                status,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    c: Chrome,
    coalition: String,
    /// The meeting's id.
    id: String,
    heading: String,
    facilitated: String,
    present: Vec<String>,
    agenda: Vec<String>,
    minutes: String,
    checkins: Vec<String>,
    access: Vec<String>,
    minutes_shown: super::translated::Shown,
    tf: super::translated::TranslateForm,
    /// Proposal id and title.
    decisions: Vec<(String, String)>,
}

/// An access plan's needs in words, each with who asked.
pub(crate) fn access_lines(
    c: &Chrome,
    names: &std::collections::BTreeMap<model::MemberId, String>,
    access: &[model::schema::AccessNeed],
) -> Vec<String> {
    access
        .iter()
        .map(|n| {
            let who = super::joined(
                &n.asked_by
                    .iter()
                    .map(|a| name_of(names, a))
                    .collect::<Vec<_>>(),
            );
            let id = match n.kind {
                model::AccessKind::Interpretation => "meeting-access-interpretation",
                model::AccessKind::Access => "meeting-access-need",
                model::AccessKind::Childcare => "meeting-access-childcare",
            };
            c.tw(
                id,
                &[("what", Arg::Text(n.what.clone())), ("who", Arg::Own(who))],
            )
        })
        .collect()
}

/// One meeting.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, meeting)): Path<(String, String)>,
    Query(q): Query<super::DoneQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit
        .chrome("meetings")
        .with_notice(q.done.as_deref(), NOTICES)
        .live(&coalition);
    let detail = match web
        .ask(Request::MeetingShow {
            coalition: coalition.clone(),
            meeting,
        })
        .await
    {
        Ok(Reply::Meeting(d)) => d,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let m = &detail.meeting;
    let translations = super::translated::of_record(&web, &coalition, m.id.as_str()).await;
    let tv = translations.as_ref();
    let minutes_shown =
        super::translated::shown(&c, tv, &format!("meetings/{}/minutes", m.id), &m.minutes);
    let tf = super::translated::TranslateForm::new(
        &c,
        tv,
        &coalition,
        m.id.as_str(),
        &format!("/c/{coalition}/meetings/{}", m.id),
        &[("minutes", "translate-field-minutes")],
    );
    let mut decisions = Vec::new();
    // Titles for at most `LINKABLE` decisions (their number is a peer's to set); the others
    // are shown by id.
    for (n, p) in m.decisions.iter().enumerate() {
        if n >= LINKABLE {
            decisions.push((p.to_string(), p.to_string()));
            continue;
        }
        let title = match web
            .ask(Request::ProposalShow {
                coalition: coalition.clone(),
                proposal: p.to_string(),
            })
            .await
        {
            Ok(Reply::Proposal(d)) => d.proposal.proposal.title,
            _ => p.to_string(),
        };
        decisions.push((p.to_string(), title));
    }
    page(
        StatusCode::OK,
        &MeetingPage {
            id: m.id.to_string(),
            coalition,
            heading: c.tw("meeting-title", &[("date", Arg::Own(day(c.l, &m.day)))]),
            facilitated: c.tw(
                "meeting-facilitated",
                &[("name", Arg::Text(name_of(&detail.names, &m.facilitator)))],
            ),
            present: m
                .attendance
                .iter()
                .map(|a| name_of(&detail.names, a))
                .collect(),
            agenda: m
                .agenda
                .iter()
                .enumerate()
                .map(|(i, item)| match m.timeboxes.get(i).filter(|t| **t > 0) {
                    Some(t) => c.tw(
                        "meeting-timeboxed",
                        &[
                            ("item", Arg::Text(item.clone())),
                            ("minutes", Arg::Count(usize::try_from(*t).unwrap_or(0))),
                        ],
                    ),
                    None => item.clone(),
                })
                .collect(),
            checkins: m
                .checkins
                .iter()
                .map(|a| name_of(&detail.names, a))
                .collect(),
            access: access_lines(&c, &detail.names, &m.access),
            minutes: m.minutes.clone(),
            minutes_shown,
            tf,
            decisions,
            c,
        },
    )
}
