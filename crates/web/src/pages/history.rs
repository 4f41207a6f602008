//! Who changed what and when: the history of a coalition or of one record in it (read from
//! the document's own change history), newest first, a page at a time; for an issue, a pool
//! or a meeting, each field a change wrote can be restored as it was after that change (a new
//! change, signed by this node). And what this node refused from peers, and why.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::Request;
use commands::ops::audit::{HistoryQuery, RestoreRequest};

use super::{Chrome, CoalitionNav, page};
use crate::i18n::{Arg, date_time, isolated};
use crate::{Visit, Web, see_other};

/// Changes per page.
const PAGE: usize = 50;
/// Longest name of a change shown as another node wrote it, in characters.
const MESSAGE: usize = 80;

/// A field a change wrote that can be restored as it was after it.
#[derive(Debug)]
pub(crate) struct Restorable {
    pub(crate) field: String,
    pub(crate) label: String,
}

/// One change of the history.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) change: String,
    pub(crate) when: String,
    pub(crate) who: String,
    pub(crate) what: String,
    pub(crate) fields: String,
    pub(crate) restorable: Vec<Restorable>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    /// The record, when the history is one record's, and where it is shown.
    record: String,
    back: Option<String>,
    showing: String,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    form_error: Option<String>,
}

/// Which history, which page, and the notice after a restore.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct HistoryParams {
    #[serde(default)]
    record: String,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    done: Option<String>,
}

/// Where a record of `collection` is shown.
fn record_page(coalition: &str, collection: &str, id: &str) -> Option<String> {
    let area = match collection {
        "issues" | "proposals" | "pools" | "meetings" => collection,
        _ => return None,
    };
    Some(format!("/c/{coalition}/{area}/{id}"))
}

async fn history_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    q: &HistoryParams,
    refused: Option<(StatusCode, String)>,
) -> Response {
    let c = visit
        .chrome("history")
        .with_notice(q.done.as_deref(), &["field-restored"]);
    let summary = match super::coalition(web, coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(visit, &e),
    };
    let record = q.record.trim().to_owned();
    let history: commands::ops::audit::HistoryView = match web
        .ask_for(Request::History {
            coalition: coalition.to_owned(),
            query: HistoryQuery {
                record: Some(record.clone()).filter(|r| !r.is_empty()),
            },
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(visit, &e),
    };
    // The record's collection and whole id, as the node found them.
    let located = history
        .record
        .as_ref()
        .map(|r| (r.collection.clone(), r.id.clone()));
    let restorable_here: &[&str] = located
        .as_ref()
        .and_then(|(collection, _)| {
            model::RESTORABLE
                .iter()
                .find(|(c, _)| c == collection)
                .map(|(_, fields)| *fields)
        })
        .unwrap_or(&[]);
    let total = history.entries.len();
    let window = super::Window::over(q.offset, total, PAGE);
    let offset = window.offset;
    let rows: Vec<Row> = history
        .entries
        .iter()
        .rev()
        .skip(offset)
        .take(PAGE)
        .map(|e| {
            let who = e.member.as_ref().map_or_else(
                || c.t("history-no-member"),
                |m| super::name_of(&history.names, m),
            );
            let restorable = match &located {
                Some((collection, id)) => {
                    let whole = format!("{collection}/{id}");
                    // A record written whole (raised, created) wrote every field.
                    let written: Vec<&str> = if e.fields.contains(&whole) {
                        restorable_here.to_vec()
                    } else {
                        e.fields
                            .iter()
                            .filter_map(|f| f.strip_prefix(&format!("{whole}/")))
                            .filter(|field| restorable_here.contains(field))
                            .collect()
                    };
                    written
                        .into_iter()
                        .map(|field| Restorable {
                            field: field.to_owned(),
                            label: c.tw(
                                "history-restore",
                                &[("field", Arg::Own(c.t(&format!("field-{field}"))))],
                            ),
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            // Names this version knows are said in words; others are shown as written.
            let what =
                c.l.t_known(&format!("change-{}", e.message.replace(' ', "-")))
                    .unwrap_or_else(|| {
                        // Another node's own words, quoted and cut.
                        let said: String = e.message.chars().take(MESSAGE).collect();
                        c.tw("history-their-words", &[("words", Arg::Text(said))])
                    });
            let fields: Vec<String> = match &located {
                Some((collection, id)) => {
                    let whole = format!("{collection}/{id}");
                    e.fields
                        .iter()
                        .map(|f| match f.strip_prefix(&format!("{whole}/")) {
                            Some(field) => {
                                c.l.t_known(&format!("field-{field}"))
                                    .unwrap_or_else(|| field.to_owned())
                            }
                            None if *f == whole => c.t("history-whole-record"),
                            None => f.clone(),
                        })
                        .collect()
                }
                None => e.fields.clone(),
            };
            Row {
                change: e.change.clone(),
                when: date_time(c.l, e.at),
                who,
                what,
                fields: super::joined(&fields),
                restorable,
            }
        })
        .collect();
    let path = format!("/c/{coalition}/history");
    let (showing, previous, next) = super::pager(
        &c,
        "history-showing",
        |o| super::page_link(&path, &[("record", &record)], o),
        window,
    );
    let (status, form_error) = match refused {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    let heading = if record.is_empty() {
        c.tw(
            "history-title",
            &[("coalition", Arg::Text(summary.name.clone()))],
        )
    } else {
        c.t("history-record-title")
    };
    page(
        status,
        &HistoryPage {
            nav: CoalitionNav {
                id: coalition.to_owned(),
                label: summary.name,
                here: "history",
            },
            heading,
            back: located
                .as_ref()
                .and_then(|(collection, id)| record_page(coalition, collection, id)),
            record: located.map_or(record, |(_, id)| id),
            showing,
            rows,
            previous,
            next,
            form_error,
            c,
        },
    )
}

/// The history of the coalition, or of the record `?record=` names.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<HistoryParams>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    history_page(&web, &visit, &coalition, &q, None).await
}

/// What the restore buttons send.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RestoreForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    change: String,
}

/// Writes a field as it was after a change, then shows the record's history again.
pub(crate) async fn restore(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<RestoreForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let req = Request::HistoryRestore {
        coalition: coalition.clone(),
        body: RestoreRequest {
            record: f.record.clone(),
            field: f.field.clone(),
            change: f.change.clone(),
        },
    };
    match web.ask(req).await {
        Ok(_) => {
            let back = super::page_link(
                &format!("/c/{coalition}/history"),
                &[("record", &f.record), ("done", "field-restored")],
                0,
            );
            see_other(&back, None)
        }
        Err(e) => {
            let q = HistoryParams {
                record: f.record.clone(),
                ..HistoryParams::default()
            };
            let refused = Some((super::status_of(&e), super::refusal(visit.lang, &e)));
            history_page(&web, &visit, &coalition, &q, refused).await
        }
    }
}

/// A refusal's row.
#[derive(Debug)]
pub(crate) struct RefusalRow {
    pub(crate) when: String,
    pub(crate) peer: String,
    /// The coalition's name, or its id (shown as code) when this node holds no such one.
    pub(crate) coalition: String,
    pub(crate) coalition_known: bool,
    pub(crate) reason: String,
}

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    c: Chrome,
    rows: Vec<RefusalRow>,
    /// The filters: by coalition (those named in the log), by the sending node's key as typed;
    /// and whether one is set.
    coalitions: Vec<super::Choice>,
    peer: String,
    filtered: bool,
    showing: String,
    previous: Option<String>,
    next: Option<String>,
}

/// Longest reason shown, in characters (a peer chooses much of it; the log keeps up to 4 KB).
const REASON: usize = 300;

/// Which refusals, and which page of them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RefusedParams {
    /// Only those concerning this coalition (its id).
    #[serde(default)]
    coalition: String,
    /// Only those from the node whose key starts so (hex, any case).
    #[serde(default)]
    peer: String,
    #[serde(default)]
    offset: usize,
}

/// What this node refused from peers, newest first, a page at a time.
pub(crate) async fn refused(
    State(web): State<Web>,
    visit: Visit,
    Query(q): Query<RefusedParams>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("refused");
    let list: Vec<commands::ops::audit::Refusal> = match web.ask_for(Request::Refused).await {
        Ok(v) => v,
        Err(e) => return super::node_error(&visit, &e),
    };
    // The coalitions' names, where this node holds them (a refusal may name one it does not).
    let names: std::collections::BTreeMap<String, String> =
        match web.ask(Request::CoalitionList).await {
            Ok(commands::ops::Reply::Coalitions(l)) => {
                l.into_iter().map(|s| (s.id.to_string(), s.name)).collect()
            }
            Ok(_) => return super::node_error(&visit, &super::unexpected()),
            Err(e) => return super::node_error(&visit, &e),
        };
    // Cut as the field allows (a key is 64 characters).
    let typed: String = q.peer.trim().chars().take(200).collect();
    let peer = typed.to_lowercase();
    let matching: Vec<_> = list
        .iter()
        .rev()
        .filter(|r| q.coalition.is_empty() || r.coalition.as_deref() == Some(&q.coalition))
        .filter(|r| peer.is_empty() || r.peer.to_lowercase().starts_with(&peer))
        .collect();
    let total = matching.len();
    let window = super::Window::over(q.offset, total, PAGE);
    let offset = window.offset;
    let named = |id: &str| names.get(id).map_or_else(|| id.to_owned(), |n| isolated(n));
    let known = |c: &Option<String>| c.as_deref().is_some_and(|id| names.contains_key(id));
    let rows: Vec<RefusalRow> = matching
        .iter()
        .skip(offset)
        .take(PAGE)
        .map(|r| {
            let mut reason: String = r.reason.chars().take(REASON).collect();
            if reason.len() < r.reason.len() {
                reason.push('…');
            }
            RefusalRow {
                when: date_time(c.l, model::Timestamp::from_millis(r.at)),
                peer: match r.peer.get(..16) {
                    Some(cut) if cut.len() < r.peer.len() => format!("{cut}…"),
                    _ => r.peer.clone(),
                },
                coalition: r.coalition.as_deref().map_or_else(|| "–".to_owned(), named),
                coalition_known: known(&r.coalition),
                reason,
            }
        })
        .collect();
    let (showing, previous, next) = super::pager(
        &c,
        "refused-showing",
        |o| {
            super::page_link(
                "/refused",
                &[("coalition", &q.coalition), ("peer", &typed)],
                o,
            )
        },
        window,
    );
    // By name (or id), as written: the marks that isolate a name are added after sorting.
    let mut ids: Vec<&str> = list
        .iter()
        .filter_map(|r| r.coalition.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    ids.sort_by_key(|id| names.get(*id).map_or(*id, String::as_str));
    let coalitions = ids
        .into_iter()
        .map(|id| super::Choice {
            value: id.to_owned(),
            label: named(id),
            selected: q.coalition == id,
        })
        .collect();
    page(
        StatusCode::OK,
        &RefusedPage {
            rows,
            coalitions,
            peer: typed.clone(),
            filtered: !q.coalition.is_empty() || !peer.is_empty(),
            showing,
            previous,
            next,
            c,
        },
    )
}
