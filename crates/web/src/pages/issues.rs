//! A coalition's issues: the inventory (filtered by tag and status, a page at a time) with
//! the form to raise one; one issue with the form to share it with a rank.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::issues::{
    EvidenceRequest, IssueOrder, IssueQuery, NewIssueRequest, ShareRequest,
};
use commands::ops::{Reply, Request};
use model::IssueStatus;

use super::{Chrome, CoalitionNav, Field, joined, name_of, page, unexpected};
use crate::i18n::{Arg, date_time};
use crate::{Visit, Web, see_other};

/// Issues on a page.
const PAGE: usize = 25;

/// Notices a redirect may ask for.
const NOTICES: &[&str] = &[
    "issue-raised",
    "coalition-created",
    "issue-shared",
    "evidence-added",
    "issue-edited",
    "translated",
];

fn status_name(c: &Chrome, s: IssueStatus) -> String {
    c.t(&format!("status-{}", s.as_str()))
}

/// A row of the inventory.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) tags: String,
    pub(crate) lead: String,
    pub(crate) status: String,
    pub(crate) shared: String,
    /// Its place in the inventory's priority ("not ranked" where the poll did not rank it).
    pub(crate) place: String,
}

/// The poll that decided the inventory's priority, as the page names it.
struct Decided {
    proposal: String,
    title: String,
    closed: String,
}

#[derive(Template)]
#[template(path = "issues.html")]
struct Issues {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    coalition: String,
    tag: String,
    status: String,
    statuses: Vec<(&'static str, String)>,
    /// `priority` or `age`.
    by: &'static str,
    /// The poll that decided the priority, if one has.
    priority: Option<Decided>,
    showing: String,
    /// "12 issues are not yet in Spanish", per language members work in.
    untranslated: Vec<String>,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    form_error: Option<String>,
    fields: Vec<Field>,
}

/// The inventory's filters and page, as the address carries them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    tag: String,
    #[serde(default)]
    status: String,
    /// `age` for oldest first; otherwise the inventory's priority first.
    #[serde(default)]
    by: String,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    done: Option<String>,
}

impl ListQuery {
    /// The order asked for: the inventory's priority unless `age` is.
    fn order(&self) -> IssueOrder {
        if self.by == IssueOrder::Age.as_str() {
            IssueOrder::Age
        } else {
            IssueOrder::Priority
        }
    }
}

/// What the raise form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RaiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: String,
}

fn raise_fields(c: &Chrome, f: &RaiseForm) -> Vec<Field> {
    vec![
        Field::text(c, "title", "issue-title-field", "issue-title-help")
            .required()
            .value(&f.title),
        Field::text(
            c,
            "description",
            "issue-description-field",
            "issue-description-help",
        )
        .multiline()
        .value(&f.description),
        Field::text(c, "tags", "issue-tags-field", "issue-tags-help").value(&f.tags),
    ]
}

/// The address of a page of the inventory.
fn page_link(coalition: &str, q: &ListQuery, offset: usize) -> String {
    super::page_link(
        &format!("/c/{coalition}/issues"),
        &[
            ("tag", &q.tag),
            ("status", &q.status),
            ("by", q.order().as_str()),
        ],
        offset,
    )
}

/// The raise form as the inventory page shows it: as sent, with what was wrong.
struct Raised<'a> {
    form: &'a RaiseForm,
    /// Above the form.
    error: Option<String>,
    /// Next to a field, by the field's name.
    field_errors: Vec<(&'static str, String)>,
    status: StatusCode,
}

impl Raised<'_> {
    fn blank() -> Raised<'static> {
        static BLANK: RaiseForm = RaiseForm {
            csrf: String::new(),
            title: String::new(),
            description: String::new(),
            tags: String::new(),
        };
        Raised {
            form: &BLANK,
            error: None,
            field_errors: Vec::new(),
            status: StatusCode::OK,
        }
    }
}

/// Renders the inventory page (with the raise form as given, and its errors).
async fn inventory(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    q: &ListQuery,
    raised: Raised<'_>,
) -> Response {
    let Raised {
        form,
        error: form_error,
        field_errors: errors,
        status: status_code,
    } = raised;
    let c = visit
        .chrome("issues")
        .with_notice(q.done.as_deref(), NOTICES)
        .live(coalition);
    let untranslated = super::translated::untranslated(web, &c, coalition, "issues").await;
    let name = match super::coalition(web, coalition).await {
        Ok(s) => s.name,
        Err(e) => return super::node_error(visit, &e),
    };
    let query = IssueQuery {
        tag: Some(q.tag.trim().to_owned()).filter(|t| !t.is_empty()),
        status: Some(q.status.clone()).filter(|s| !s.is_empty()),
        offset: q.offset,
        limit: Some(PAGE),
        by: Some(q.order().as_str().to_owned()),
    };
    let list = match web
        .ask(Request::IssueList {
            coalition: coalition.to_owned(),
            query,
        })
        .await
    {
        Ok(Reply::Issues(p)) => p,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    let rows: Vec<Row> = list
        .issues
        .iter()
        .map(|i| Row {
            id: i.id.to_string(),
            title: i.title.clone(),
            tags: joined(&i.tags),
            lead: name_of(&list.names, &i.lead),
            status: status_name(&c, i.status),
            shared: i
                .ranks
                .iter()
                .map(|(m, r)| format!("{} ({r})", crate::i18n::isolated(&name_of(&list.names, m))))
                .collect::<Vec<_>>()
                .join(", "),
            place: i
                .place
                .map_or_else(|| c.t("issue-not-ranked"), |p| p.to_string()),
        })
        .collect();
    let priority = list.priority.as_ref().map(|p| Decided {
        proposal: p.proposal.to_string(),
        title: p.title.clone(),
        closed: c.tw(
            "issues-priority-closed",
            &[("date", Arg::Text(crate::i18n::date_time(c.l, p.closed_at)))],
        ),
    });
    let (showing, previous, next) = super::pager(
        &c,
        "issues-showing",
        |o| page_link(coalition, q, o),
        super::Window {
            offset: list.offset,
            shown: rows.len(),
            total: list.total,
            next: list.next,
            page_size: PAGE,
        },
    );
    let mut fields = raise_fields(&c, form);
    for (name, e) in errors {
        if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
            f.error = Some(e);
        }
    }
    let statuses = IssueStatus::ALL
        .iter()
        .map(|s| (s.as_str(), status_name(&c, *s)))
        .collect();
    page(
        status_code,
        &Issues {
            nav: CoalitionNav {
                id: coalition.to_owned(),
                label: name.clone(),
                here: "issues",
            },
            heading: c.tw("issues-title", &[("coalition", Arg::Text(name))]),
            c,
            coalition: coalition.to_owned(),
            tag: q.tag.clone(),
            status: q.status.clone(),
            statuses,
            by: q.order().as_str(),
            priority,
            showing,
            untranslated,
            rows,
            previous,
            next,
            form_error,
            fields,
        },
    )
}

/// The inventory.
pub(crate) async fn list(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    inventory(&web, &visit, &coalition, &q, Raised::blank()).await
}

/// Raises an issue, then shows it; or the inventory again with the form's errors.
pub(crate) async fn raise(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<RaiseForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    if f.title.trim().is_empty() {
        let raised = Raised {
            form: &f,
            error: Some(l.t("error-form")),
            field_errors: vec![("title", l.t("error-required"))],
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return inventory(&web, &visit, &coalition, &ListQuery::default(), raised).await;
    }
    let tags = f
        .tags
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let req = Request::IssueCreate {
        coalition: coalition.clone(),
        body: NewIssueRequest {
            title: f.title.trim().to_owned(),
            description: f.description.trim().to_owned(),
            tags,
            lead: None,
        },
    };
    match web.ask(req).await {
        Ok(Reply::Created(made)) => see_other(
            &format!("/c/{coalition}/issues/{}?done=issue-raised", made.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let status = super::status_of(&e);
            let raised = Raised {
                form: &f,
                error: Some(super::refusal(visit.lang, &e)),
                field_errors: Vec::new(),
                status,
            };
            inventory(&web, &visit, &coalition, &ListQuery::default(), raised).await
        }
    }
}

#[derive(Template)]
#[template(path = "issue.html")]
struct IssuePage {
    c: Chrome,
    coalition: String,
    id: String,
    title: String,
    title_shown: super::translated::Shown,
    description_shown: super::translated::Shown,
    tf: super::translated::TranslateForm,
    raised: String,
    lead: String,
    status: String,
    description: String,
    tags: Vec<String>,
    shares: Vec<String>,
    /// Each piece of evidence in words, and its figure as the reader sees it.
    evidence: Vec<(String, super::translated::Shown)>,
    form_error: Option<String>,
    fields: Vec<Field>,
    evidence_error: Option<String>,
    evidence_fields: Vec<Field>,
}

/// The share form as the issue page shows it: as sent, with what was wrong.
#[derive(Default)]
struct Shared<'a> {
    /// The notice a redirect asked for.
    done: Option<&'a str>,
    rank: &'a str,
    rank_error: Option<String>,
    form_error: Option<String>,
    /// The page's status, 200 when none.
    status: Option<StatusCode>,
    /// The evidence form as sent, with what was wrong: above it, and next to its fields.
    evidence: Option<&'a EvidenceForm>,
    evidence_error: Option<String>,
    evidence_field_errors: Vec<(&'static str, String)>,
}

async fn issue_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    issue: &str,
    shared: Shared<'_>,
) -> Response {
    let Shared {
        done,
        rank,
        rank_error,
        form_error,
        status,
        evidence,
        evidence_error,
        evidence_field_errors,
    } = shared;
    let status_code = status.unwrap_or(StatusCode::OK);
    let c = visit
        .chrome("issues")
        .with_notice(done, NOTICES)
        .live(coalition);
    let detail = match web
        .ask(Request::IssueShow {
            coalition: coalition.to_owned(),
            issue: issue.to_owned(),
        })
        .await
    {
        Ok(Reply::Issue(d)) => d,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    let i = &detail.issue;
    let names = &detail.names;
    let translations = super::translated::of_record(web, coalition, i.id.as_str()).await;
    let tv = translations.as_ref();
    let target = |field: &str| format!("issues/{}/{field}", i.id);
    let title_shown = super::translated::shown(&c, tv, &target("title"), &i.title);
    let description_shown =
        super::translated::shown(&c, tv, &target("description"), &i.description);
    let mut tf = super::translated::TranslateForm::new(
        &c,
        tv,
        coalition,
        i.id.as_str(),
        &format!("/c/{coalition}/issues/{}", i.id),
        &[
            ("title", "translate-field-title"),
            ("description", "translate-field-description"),
        ],
    );
    for (n, e) in i.evidence.iter().enumerate() {
        tf.fields.push(super::Choice {
            value: format!("evidence:{}", n + 1),
            label: c.tw(
                "translate-field-evidence",
                &[("text", Arg::Text(e.figure.clone()))],
            ),
            selected: false,
        });
    }
    let mut rank_field = Field::text(&c, "rank", "issue-share-rank", "issue-share-rank-help")
        .number()
        .required()
        .value(rank);
    rank_field.error = rank_error;
    let blank = EvidenceForm::default();
    let ev = evidence.unwrap_or(&blank);
    let mut evidence_fields = vec![
        Field::text(&c, "figure", "evidence-figure", "evidence-figure-help")
            .required()
            .value(&ev.figure),
        Field::text(&c, "source", "evidence-source", "evidence-source-help")
            .required()
            .value(&ev.source),
        Field::text(
            &c,
            "disaggregation",
            "evidence-disaggregation",
            "evidence-disaggregation-help",
        )
        .value(&ev.disaggregation),
    ];
    for (name, e) in evidence_field_errors {
        if let Some(f) = evidence_fields.iter_mut().find(|f| f.name == name) {
            f.error = Some(e);
        }
    }
    page(
        status_code,
        &IssuePage {
            coalition: coalition.to_owned(),
            id: i.id.to_string(),
            title: i.title.clone(),
            title_shown,
            description_shown,
            tf,
            raised: c.tw(
                "issue-raised-by",
                &[
                    ("name", Arg::Text(name_of(names, &i.raised_by))),
                    ("date", Arg::Own(date_time(c.l, i.created_at))),
                ],
            ),
            lead: c.tw(
                "issue-lead",
                &[("name", Arg::Text(name_of(names, &i.lead)))],
            ),
            status: c.tw(
                "issue-status",
                &[("status", Arg::Own(status_name(&c, i.status)))],
            ),
            description: i.description.clone(),
            tags: i.tags.clone(),
            shares: i
                .ranks
                .iter()
                .map(|(m, r)| {
                    c.tw(
                        "issue-share-row",
                        &[
                            ("name", Arg::Text(name_of(names, m))),
                            ("rank", Arg::Count(usize::from(r.get()))),
                        ],
                    )
                })
                .collect(),
            evidence: i
                .evidence
                .iter()
                .map(|e| {
                    let figure = super::translated::shown(
                        &c,
                        tv,
                        &format!(
                            "issues/{}/evidence/{}",
                            i.id,
                            model::translations::digest(&e.figure)
                        ),
                        &e.figure,
                    );
                    let row = c.tw(
                        "issue-evidence-row",
                        &[
                            ("figure", Arg::Text(figure.text.clone())),
                            ("source", Arg::Text(e.source.clone())),
                            ("name", Arg::Text(name_of(names, &e.added_by))),
                        ],
                    );
                    (row, figure)
                })
                .collect(),
            form_error,
            fields: vec![rank_field],
            evidence_error,
            evidence_fields,
            c,
        },
    )
}

/// One issue.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, issue)): Path<(String, String)>,
    Query(q): Query<super::DoneQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let shared = Shared {
        done: q.done.as_deref(),
        ..Shared::default()
    };
    issue_page(&web, &visit, &coalition, &issue, shared).await
}

/// What the share form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ShareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    rank: String,
}

/// Shares the issue with a rank, then shows it; or the page again with the rank's error.
pub(crate) async fn share(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, issue)): Path<(String, String)>,
    axum::Form(f): axum::Form<ShareForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let rank = f
        .rank
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|r| (1..=10).contains(r));
    let Some(rank) = rank else {
        let l = visit.lang;
        let shared = Shared {
            rank: &f.rank,
            rank_error: Some(l.t("error-rank")),
            form_error: Some(l.t("error-form")),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Shared::default()
        };
        return issue_page(&web, &visit, &coalition, &issue, shared).await;
    };
    let req = Request::IssueShare {
        coalition: coalition.clone(),
        issue: issue.clone(),
        body: ShareRequest { rank },
    };
    match web.ask(req).await {
        Ok(Reply::Updated(shared)) => see_other(
            &format!("/c/{coalition}/issues/{}?done=issue-shared", shared.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let status = super::status_of(&e);
            let shared = Shared {
                rank: &f.rank,
                form_error: Some(super::refusal(visit.lang, &e)),
                status: Some(status),
                ..Shared::default()
            };
            issue_page(&web, &visit, &coalition, &issue, shared).await
        }
    }
}

/// What the evidence form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct EvidenceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    figure: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    disaggregation: String,
}

/// Adds evidence to the issue, then shows it; or the page again with what was wrong next to
/// each field.
pub(crate) async fn add_evidence(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, issue)): Path<(String, String)>,
    axum::Form(f): axum::Form<EvidenceForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let missing: Vec<(&'static str, String)> = [("figure", &f.figure), ("source", &f.source)]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(name, _)| (name, l.t("error-required")))
        .collect();
    if !missing.is_empty() {
        let shared = Shared {
            evidence: Some(&f),
            evidence_error: Some(l.t("error-form")),
            evidence_field_errors: missing,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Shared::default()
        };
        return issue_page(&web, &visit, &coalition, &issue, shared).await;
    }
    let req = Request::IssueEvidence {
        coalition: coalition.clone(),
        issue: issue.clone(),
        body: EvidenceRequest {
            source: f.source.trim().to_owned(),
            figure: f.figure.trim().to_owned(),
            disaggregation: f.disaggregation.trim().to_owned(),
        },
    };
    match web.ask(req).await {
        Ok(Reply::Updated(updated)) => see_other(
            &format!("/c/{coalition}/issues/{}?done=evidence-added", updated.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let shared = Shared {
                evidence: Some(&f),
                status: Some(super::status_of(&e)),
                evidence_error: Some(super::refusal(visit.lang, &e)),
                ..Shared::default()
            };
            issue_page(&web, &visit, &coalition, &issue, shared).await
        }
    }
}
