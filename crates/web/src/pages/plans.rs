//! Finding a time that works: the meeting plans with their times, those that work for the
//! most members first and who each leaves out; the form to answer each plan's times, and the
//! form to propose a meeting's times.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::Request;
use commands::ops::plans::{AnswerRequest, PlanRequest, PlansView};

use super::{Chrome, CoalitionNav, name_of, page};
use crate::i18n::Arg;
use crate::{Visit, Web, see_other};

/// Notices a redirect may ask for.
const NOTICES: &[&str] = &["plan-proposed", "plan-answered"];

/// One time of a plan, as the page shows it.
#[derive(Debug)]
pub(crate) struct TimeRow {
    pub(crate) index: usize,
    pub(crate) when: String,
    pub(crate) yes: String,
    pub(crate) if_needed: String,
    pub(crate) left_out: String,
    pub(crate) unanswered: String,
    /// This organization's answer now, if it gave one.
    pub(crate) mine: String,
}

/// A plan, as the page shows it.
#[derive(Debug)]
pub(crate) struct PlanRow {
    /// `PLANNER.PLAN`: what names it whole.
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) by: String,
    /// The answer form's legend.
    pub(crate) legend: String,
    /// Its times, best first.
    pub(crate) best: Vec<TimeRow>,
    /// Its times in its own order (the answer form's).
    pub(crate) times: Vec<TimeRow>,
    /// The access plan its first time would need.
    pub(crate) access: Vec<String>,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    plans: Vec<PlanRow>,
}

/// The query's notice.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// `t` as the page writes a time (UTC).
fn when(c: &Chrome, t: model::Timestamp) -> String {
    crate::i18n::date_time(c.l, t)
}

/// The meeting plans of a coalition.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<Done>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit
        .chrome("meetings")
        .with_notice(q.done.as_deref(), NOTICES)
        .live(&coalition);
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    let view: Box<PlansView> = match web
        .ask_for(Request::PlanList {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(&visit, &e),
    };
    let me = summary.me.clone();
    let names = &view.names;
    let who = |ids: &[model::MemberId]| {
        if ids.is_empty() {
            c.t("plans-nobody")
        } else {
            super::joined(&ids.iter().map(|i| name_of(names, i)).collect::<Vec<_>>())
        }
    };
    let plans = view
        .plans
        .iter()
        .map(|p| {
            let mine = |i: usize| {
                me.as_ref()
                    .and_then(|m| p.plan.answers.get(m))
                    .and_then(|a| a.get(i))
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default()
            };
            let row = |f: &model::plans::SlotFit| {
                let index = f.index;
                TimeRow {
                    index,
                    when: when(&c, f.slot),
                    yes: who(&f.yes),
                    if_needed: who(&f.if_needed),
                    left_out: who(&f.left_out),
                    unanswered: who(&f.unanswered),
                    mine: mine(index),
                }
            };
            let best: Vec<TimeRow> = p.fits.iter().map(row).collect();
            let mut times: Vec<TimeRow> = p.fits.iter().map(row).collect();
            times.sort_by_key(|t| t.index);
            PlanRow {
                access: super::meetings::access_lines(&c, names, &p.access),
                // Plan ids are each planner's: the planner's id names it whole.
                id: model::plans::answer_key(&p.plan.by, &p.plan.id),
                legend: c.tw(
                    "plans-answer",
                    &[("title", Arg::Text(p.plan.title.clone()))],
                ),
                title: p.plan.title.clone(),
                by: c.tw(
                    "plans-by",
                    &[("name", Arg::Text(name_of(names, &p.plan.by)))],
                ),
                best,
                times,
            }
        })
        .collect();
    page(
        StatusCode::OK,
        &PlansPage {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "meetings",
            },
            heading: c.tw("plans-title", &[("coalition", Arg::Text(summary.name))]),
            plans,
            c,
        },
    )
}

/// What the propose form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    /// One time a line.
    #[serde(default)]
    times: String,
}

/// Proposes a meeting's times, then shows the plans; what the node refuses is said on a page
/// of its own.
pub(crate) async fn propose(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<ProposeForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let req = Request::PlanCreate {
        coalition: coalition.clone(),
        body: PlanRequest {
            title: f.title,
            slots: f
                .times
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(model::plans::MOST_SLOTS + 1)
                .map(str::to_owned)
                .collect(),
        },
    };
    match web.ask(req).await {
        Ok(_) => see_other(&format!("/c/{coalition}/plans?done=plan-proposed"), None),
        Err(e) => super::node_error(&visit, &e),
    }
}

/// Answers one plan's times, then shows the plans.
pub(crate) async fn answer(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, plan)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    // Repeated fields: one `answer` per time, in the plan's order.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if let Some(r) = visit.refuse_post(&csrf) {
        return r;
    }
    let answers = pairs
        .into_iter()
        .filter(|(k, _)| k == "answer")
        .take(model::plans::MOST_SLOTS + 1)
        .map(|(_, v)| v)
        .collect();
    let req = Request::PlanAnswer {
        coalition: coalition.clone(),
        plan,
        body: AnswerRequest { answers },
    };
    match web.ask(req).await {
        Ok(_) => see_other(&format!("/c/{coalition}/plans?done=plan-answered"), None),
        Err(e) => super::node_error(&visit, &e),
    }
}
