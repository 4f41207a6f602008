//! A coalition's pools with their totals; one pool's ledger, a page at a time, with the form
//! to pledge or give to it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::pools::{AllocationRequestBody, GiftRequest};
use commands::ops::{ErrorCode, Reply, Request};
use model::{EntryKind, PoolKind};

use super::{Chrome, CoalitionNav, Field, page, unexpected};
use crate::i18n::{Arg, date_time, isolated, number};
use crate::{Visit, Web, see_other};

/// Ledger entries on a page.
const PAGE: usize = 50;

/// Pools on a page of the list.
const POOLS_PAGE: usize = 25;

/// Notices a redirect may ask for.
const NOTICES: &[&str] = &["give-recorded", "request-awaits-budget"];

fn entry_kind(c: &Chrome, k: EntryKind) -> String {
    c.t(&format!("entry-{}", k.as_str()))
}

fn pool_kind(c: &Chrome, k: PoolKind) -> String {
    c.t(&format!("poolkind-{}", k.as_str()))
}

/// A pool's row.
#[derive(Debug)]
pub(crate) struct PoolRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) pledged: String,
    pub(crate) contributed: String,
    pub(crate) allocated: String,
    pub(crate) balance: String,
}

#[derive(Template)]
#[template(path = "pools.html")]
struct Pools {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    rows: Vec<PoolRow>,
    /// The filter by kind of pool, and whether it is set.
    kinds: Vec<super::Choice>,
    filtered: bool,
    showing: String,
    previous: Option<String>,
    next: Option<String>,
}

/// The list's filter and page, as the address carries them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    /// Only pools of this kind (`funds`, `volunteer-hours`, `space`, `equipment`).
    #[serde(default)]
    kind: String,
    #[serde(default)]
    offset: usize,
}

/// The coalition's pools (filtered and paged here: the node answers with every pool's
/// totals).
pub(crate) async fn list(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("pools").live(&coalition);
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    let pools = match web
        .ask(Request::PoolList {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(Reply::Pools(p)) => p,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    // The unit is record text: isolated, so that a right-to-left one cannot reorder the number.
    let unit = |amount: &str, unit: &str| format!("{} {}", number(c.l, amount), isolated(unit));
    let matching: Vec<_> = pools
        .iter()
        .filter(|p| q.kind.is_empty() || p.kind.as_str() == q.kind)
        .collect();
    let total = matching.len();
    let window = super::Window::over(q.offset, total, POOLS_PAGE);
    let offset = window.offset;
    let rows: Vec<PoolRow> = matching
        .iter()
        .skip(offset)
        .take(POOLS_PAGE)
        .map(|p| PoolRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            kind: pool_kind(&c, p.kind),
            pledged: unit(&p.pledged, &p.unit),
            contributed: unit(&p.contributed, &p.unit),
            allocated: unit(&p.allocated, &p.unit),
            balance: unit(&p.balance, &p.unit),
        })
        .collect();
    let path = format!("/c/{coalition}/pools");
    let (showing, previous, next) = super::pager(
        &c,
        "pools-showing",
        |o| super::page_link(&path, &[("kind", &q.kind)], o),
        window,
    );
    let kinds = PoolKind::ALL
        .iter()
        .map(|k| super::Choice {
            value: k.as_str().to_owned(),
            label: pool_kind(&c, *k),
            selected: q.kind == k.as_str(),
        })
        .collect();
    page(
        StatusCode::OK,
        &Pools {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "pools",
            },
            heading: c.tw("pools-title", &[("coalition", Arg::Text(summary.name))]),
            c,
            rows,
            kinds,
            filtered: !q.kind.is_empty(),
            showing,
            previous,
            next,
        },
    )
}

/// A ledger line.
#[derive(Debug)]
pub(crate) struct LedgerRow {
    pub(crate) when: String,
    pub(crate) member: String,
    pub(crate) kind: String,
    pub(crate) amount: String,
    pub(crate) note: String,
    pub(crate) balance: String,
}

/// A choice of the entry's kind.
#[derive(Debug)]
pub(crate) struct KindChoice {
    pub(crate) value: &'static str,
    pub(crate) label: String,
    pub(crate) help: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "pool.html")]
struct PoolPage {
    c: Chrome,
    coalition: String,
    id: String,
    name: String,
    totals: String,
    showing: String,
    amount_heading: String,
    rows: Vec<LedgerRow>,
    previous: Option<String>,
    next: Option<String>,
    /// The ledger's filters: by kind of entry, by member.
    filter_kinds: Vec<super::Choice>,
    filter_members: Vec<super::Choice>,
    /// Whether a filter is set (an empty page then says nothing matches).
    filtered: bool,
    form_error: Option<String>,
    kinds: Vec<KindChoice>,
    fields: Vec<Field>,
    request_error: Option<String>,
    request_fields: Vec<Field>,
}

/// What a pool's address may carry.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PoolQuery {
    /// Only entries of this kind (`pledge`, `contribution`, `request`).
    #[serde(default)]
    kind: String,
    /// Only entries of this member (its id).
    #[serde(default)]
    member: String,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    done: Option<String>,
}

/// What the form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct GiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

/// What the allocation request form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RequestForm {
    #[serde(default)]
    csrf: String,
    /// Named apart from the gift form's amount: both are on the page.
    #[serde(default, rename = "ask_amount")]
    amount: String,
    #[serde(default)]
    reason: String,
}

/// The forms as sent, with what was wrong.
#[derive(Default)]
struct Given<'a> {
    form: Option<&'a GiveForm>,
    amount_error: Option<String>,
    form_error: Option<String>,
    status: Option<StatusCode>,
    /// The request form as sent, what was wrong above it and next to its fields.
    request: Option<&'a RequestForm>,
    request_error: Option<String>,
    request_errors: Vec<(&'static str, String)>,
}

async fn pool_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    pool: &str,
    q: &PoolQuery,
    given: Given<'_>,
) -> Response {
    let c = visit
        .chrome("pools")
        .with_notice(q.done.as_deref(), NOTICES)
        .live(coalition);
    let ledger = match web
        .ask(Request::PoolLedger {
            coalition: coalition.to_owned(),
            pool: pool.to_owned(),
        })
        .await
    {
        Ok(Reply::Ledger(l)) => l,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    // Filtered here: the ledger comes whole (its balances run over every entry).
    let shown: Vec<&model::reports::LedgerLine> = ledger
        .entries
        .iter()
        .filter(|e| q.kind.is_empty() || e.kind.as_str() == q.kind)
        .filter(|e| q.member.is_empty() || e.member.as_str() == q.member)
        .collect();
    let total = shown.len();
    let window = super::Window::over(q.offset, total, PAGE);
    let offset = window.offset;
    let rows: Vec<LedgerRow> = shown
        .iter()
        .skip(offset)
        .take(PAGE)
        .map(|e| LedgerRow {
            when: date_time(c.l, e.at),
            member: e.name.clone(),
            kind: entry_kind(&c, e.kind),
            amount: number(c.l, &e.amount.to_string()),
            note: e.note.clone(),
            balance: number(c.l, &e.balance),
        })
        .collect();
    let path = format!("/c/{coalition}/pools/{}", ledger.pool);
    let (showing, previous, next) = super::pager(
        &c,
        "ledger-showing",
        |o| super::page_link(&path, &[("kind", &q.kind), ("member", &q.member)], o),
        window,
    );
    let filter_kinds = model::EntryKind::ALL
        .iter()
        .map(|k| super::Choice {
            value: k.as_str().to_owned(),
            label: entry_kind(&c, *k),
            selected: q.kind == k.as_str(),
        })
        .collect();
    let members: std::collections::BTreeMap<&str, &str> = ledger
        .entries
        .iter()
        .map(|e| (e.member.as_str(), e.name.as_str()))
        .collect();
    let mut filter_members: Vec<super::Choice> = members
        .into_iter()
        .map(|(id, name)| super::Choice {
            value: id.to_owned(),
            label: name.to_owned(),
            selected: q.member == id,
        })
        .collect();
    filter_members.sort_by(|a, b| a.label.cmp(&b.label));
    let filtered = !q.kind.is_empty() || !q.member.is_empty();
    let unit = Arg::Text(ledger.unit.clone());
    let chosen = given.form.map_or("pledge", |f| f.kind.as_str());
    let kinds = [EntryKind::Pledge, EntryKind::Contribution]
        .into_iter()
        .map(|k| KindChoice {
            value: k.as_str(),
            label: entry_kind(&c, k),
            help: c.t(&format!("give-{}-help", k.as_str())),
            checked: k.as_str() == chosen,
        })
        .collect();
    let mut amount = Field::text(&c, "amount", "give-amount", "give-amount-help")
        .decimal()
        .required()
        .value(given.form.map_or("", |f| f.amount.as_str()));
    amount.label = c.tw("give-amount", &[("unit", unit.clone())]);
    amount.error = given.amount_error;
    let note = Field::text(&c, "note", "give-note", "give-note-help")
        .value(given.form.map_or("", |f| f.note.as_str()));
    let mut ask = Field::text(&c, "ask_amount", "request-amount", "request-amount-help")
        .decimal()
        .required()
        .value(given.request.map_or("", |f| f.amount.as_str()));
    ask.label = c.tw("request-amount", &[("unit", unit.clone())]);
    let mut reason = Field::text(&c, "reason", "request-reason", "request-reason-help")
        .required()
        .value(given.request.map_or("", |f| f.reason.as_str()));
    for (name, e) in given.request_errors {
        match name {
            "amount" => ask.error = Some(e),
            _ => reason.error = Some(e),
        }
    }
    page(
        given.status.unwrap_or(StatusCode::OK),
        &PoolPage {
            coalition: coalition.to_owned(),
            id: ledger.pool.to_string(),
            name: ledger.name.clone(),
            totals: c.tw(
                "pool-totals",
                &[
                    ("pledged", Arg::Own(number(c.l, &ledger.pledged))),
                    ("contributed", Arg::Own(number(c.l, &ledger.contributed))),
                    ("allocated", Arg::Own(number(c.l, &ledger.allocated))),
                    ("balance", Arg::Own(number(c.l, &ledger.balance))),
                    ("unit", unit.clone()),
                ],
            ),
            showing,
            amount_heading: c.tw("ledger-col-amount", &[("unit", unit)]),
            rows,
            previous,
            next,
            filter_kinds,
            filter_members,
            filtered,
            form_error: given.form_error,
            kinds,
            fields: vec![amount, note],
            request_error: given.request_error,
            request_fields: vec![ask, reason],
            c,
        },
    )
}

/// One pool.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, pool)): Path<(String, String)>,
    Query(q): Query<PoolQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    pool_page(&web, &visit, &coalition, &pool, &q, Given::default()).await
}

/// An amount as typed (`12,50` is read as `12.50`), if it has the form the node takes.
pub(crate) fn amount_typed(typed: &str) -> Option<String> {
    let t: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t
    };
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    let ok = !int.is_empty()
        && int.len() <= 15
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && t.bytes().any(|b| (b'1'..=b'9').contains(&b));
    ok.then_some(t)
}

/// Records a pledge or a contribution, then shows the pool; or the page again with what was
/// wrong next to its field.
pub(crate) async fn give(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, pool)): Path<(String, String)>,
    axum::Form(f): axum::Form<GiveForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let q = PoolQuery::default();
    let kind = match f.kind.as_str() {
        "pledge" | "contribution" => f.kind.clone(),
        _ => "pledge".to_owned(),
    };
    let Some(amount) = amount_typed(&f.amount) else {
        let given = Given {
            form: Some(&f),
            amount_error: Some(l.t("error-amount")),
            form_error: Some(l.t("error-form")),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Given::default()
        };
        return pool_page(&web, &visit, &coalition, &pool, &q, given).await;
    };
    let req = Request::PoolGive {
        coalition: coalition.clone(),
        pool: pool.clone(),
        body: GiftRequest {
            kind,
            amount,
            note: f.note.trim().to_owned(),
        },
    };
    match web.ask(req).await {
        Ok(_) => see_other(
            &format!("/c/{coalition}/pools/{pool}?done=give-recorded"),
            None,
        ),
        Err(e) => {
            let status = super::status_of(&e);
            let given = Given {
                form: Some(&f),
                amount_error: (e.code == ErrorCode::Invalid && e.message.contains("amount"))
                    .then(|| l.t("error-amount")),
                form_error: Some(super::refusal(visit.lang, &e)),
                status: Some(status),
                ..Given::default()
            };
            pool_page(&web, &visit, &coalition, &pool, &q, given).await
        }
    }
}

/// Asks for an allocation from the pool, which opens the proposal that decides it, then
/// shows that proposal; or the pool again with what was wrong next to its field.
pub(crate) async fn request(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, pool)): Path<(String, String)>,
    axum::Form(f): axum::Form<RequestForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let q = PoolQuery::default();
    let amount = amount_typed(&f.amount);
    let mut errors = Vec::new();
    if amount.is_none() {
        errors.push(("amount", l.t("error-amount")));
    }
    if f.reason.trim().is_empty() {
        errors.push(("reason", l.t("error-required")));
    }
    let Some(amount) = amount.filter(|_| errors.is_empty()) else {
        let given = Given {
            request: Some(&f),
            request_error: Some(l.t("error-form")),
            request_errors: errors,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Given::default()
        };
        return pool_page(&web, &visit, &coalition, &pool, &q, given).await;
    };
    let req = Request::PoolRequest {
        coalition: coalition.clone(),
        pool: pool.clone(),
        body: AllocationRequestBody {
            amount,
            reason: f.reason.trim().to_owned(),
        },
    };
    match web.ask(req).await {
        Ok(Reply::Requested(made)) => match made.proposal {
            Some(proposal) => see_other(
                &format!("/c/{coalition}/proposals/{proposal}?done=allocation-requested"),
                None,
            ),
            // Under `allocation=budget`: it awaits the next budget poll over the pool.
            None => see_other(
                &format!("/c/{coalition}/pools/{pool}?done=request-awaits-budget"),
                None,
            ),
        },
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            // A conflict here is the pool holding less than asked: said at the amount too.
            let request_errors = if e.code == ErrorCode::Conflict {
                vec![("amount", l.t("error-amount-exceeds"))]
            } else {
                Vec::new()
            };
            let given = Given {
                request: Some(&f),
                status: Some(super::status_of(&e)),
                request_error: Some(super::refusal(visit.lang, &e)),
                request_errors,
                ..Given::default()
            };
            pool_page(&web, &visit, &coalition, &pool, &q, given).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::amount_typed;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(amount_typed("500").as_deref(), Some("500"));
        assert_eq!(amount_typed(" 12,50 ").as_deref(), Some("12.50"));
        assert_eq!(amount_typed("0.5").as_deref(), Some("0.5"));
        for bad in [
            "",
            "0",
            "0.00",
            "-5",
            "1.234",
            "12.5.0",
            "abc",
            "1e3",
            "9999999999999999",
        ] {
            assert_eq!(amount_typed(bad), None, "{bad}");
        }
    }
}
