//! A coalition's member organizations: each one's profile (communities, languages,
//! accessibility needs, contact), when it joined and its node keys; those awaiting their
//! admission vote; former members, with when they left or were removed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::members::MemberQuery;
use commands::ops::{Reply, Request};

use super::{Chrome, CoalitionNav, joined, page, unexpected};
use crate::i18n::{Arg, date_time};
use crate::{Visit, Web};

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
    current: Vec<MemberRow>,
    former: Vec<MemberRow>,
}

/// The coalition's members, former ones included.
pub(crate) async fn list(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("members").live(&coalition);
    let summary = match super::coalition(&web, &coalition).await {
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
    let (mut current, mut former) = (Vec::new(), Vec::new());
    for e in entries {
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
    page(
        StatusCode::OK,
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
        },
    )
}
