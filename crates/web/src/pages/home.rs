//! What needs me: the coalitions this node holds, each with its counts and its member nodes
//! (connected or not, last synced, changes behind), and the offline banner when no other
//! member's node is reachable.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::{Reply, Request};

use super::{Chrome, page};
use crate::i18n::{Arg, date_time};
use crate::{Visit, Web};

/// A member node's row.
#[derive(Debug)]
pub(crate) struct NodeRow {
    pub(crate) name: String,
    pub(crate) connected: bool,
    pub(crate) last: String,
    pub(crate) behind: String,
}

/// A coalition's card.
#[derive(Debug)]
pub(crate) struct Card {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) counts: String,
    pub(crate) member: bool,
    pub(crate) issues_link: String,
    pub(crate) proposals_link: String,
    pub(crate) invite_link: String,
    pub(crate) pools_link: String,
    pub(crate) caption: String,
    pub(crate) nodes: Vec<NodeRow>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    c: Chrome,
    intro: String,
    offline: bool,
    coalitions: Vec<Card>,
    /// Coalitions being joined: id, and a line about it.
    joins: Vec<(String, String)>,
}

pub(crate) async fn home(State(web): State<Web>, visit: Visit) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("home");
    let summaries = match web.ask(Request::CoalitionList).await {
        Ok(Reply::Coalitions(s)) => s,
        Ok(_) => Vec::new(),
        Err(e) => return super::node_error(&visit, &e),
    };
    let status = match web.ask(Request::Status).await {
        Ok(Reply::Status(s)) => s.status,
        Ok(_) | Err(_) => {
            return super::node_error(
                &visit,
                &commands::ops::OpError::new(
                    commands::ops::ErrorCode::Internal,
                    "the node did not report its status",
                ),
            );
        }
    };
    let mut any_node = false;
    let mut any_connected = false;
    let coalitions = summaries
        .into_iter()
        .map(|s| {
            let id = s.id.to_string();
            let nodes: Vec<NodeRow> = status
                .coalitions
                .iter()
                .find(|k| k.id == id)
                .map(|k| {
                    k.member_nodes
                        .iter()
                        .map(|n| {
                            any_node = true;
                            any_connected |= n.connected;
                            NodeRow {
                                name: n.name.clone(),
                                connected: n.connected,
                                last: n
                                    .last_sync
                                    .map_or_else(|| c.t("sync-never"), |t| date_time(c.l, t)),
                                behind: n.behind.map_or_else(
                                    || "–".to_owned(),
                                    |b| c.tw("sync-behind", &[("count", Arg::Count(b))]),
                                ),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            Card {
                counts: c.tw(
                    "home-coalition-counts",
                    &[
                        ("members", Arg::Count(s.members)),
                        ("issues", Arg::Count(s.issues)),
                        ("proposals", Arg::Count(s.proposals)),
                    ],
                ),
                member: s.me.is_some(),
                issues_link: c.tw(
                    "home-issues-link",
                    &[("coalition", Arg::Text(s.name.clone()))],
                ),
                proposals_link: c.tw(
                    "home-proposals-link",
                    &[("coalition", Arg::Text(s.name.clone()))],
                ),
                pools_link: c.tw(
                    "home-pools-link",
                    &[("coalition", Arg::Text(s.name.clone()))],
                ),
                invite_link: c.tw(
                    "home-invite-link",
                    &[("coalition", Arg::Text(s.name.clone()))],
                ),
                caption: c.tw(
                    "sync-table-caption",
                    &[("coalition", Arg::Text(s.name.clone()))],
                ),
                id,
                name: s.name,
                nodes,
            }
        })
        .collect();
    let joins = match web.ask(Request::JoinList).await {
        Ok(Reply::Joins(list)) => list
            .into_iter()
            .map(|j| {
                let line = c.tw(
                    "home-pending-join",
                    &[
                        ("org", Arg::Text(j.org)),
                        ("date", Arg::Own(date_time(c.l, j.started_at))),
                    ],
                );
                (j.coalition, line)
            })
            .collect(),
        Ok(_) | Err(_) => Vec::new(),
    };
    let intro = c.tw("home-intro", &[("org", Arg::Text(status.org.clone()))]);
    page(
        StatusCode::OK,
        &Home {
            c,
            intro,
            offline: any_node && !any_connected,
            coalitions,
            joins,
        },
    )
}
