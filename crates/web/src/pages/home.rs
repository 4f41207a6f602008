//! What needs me: the coalitions this node holds, each with its counts and its member nodes
//! (connected or not, last synced, changes behind), and the offline banner when no other
//! member's node is reachable.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::{Reply, Request};

use super::{Chrome, page};
use crate::i18n::{Arg, date_time, day, number};
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
    /// This organization's member id here, if it is a member.
    pub(crate) me: Option<model::MemberId>,
    pub(crate) needs: Needs,
}

/// What a coalition waits for from this organization, and where it stands.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    /// Open proposals this organization has not answered, soonest closing first: id, title,
    /// when it closes.
    pub(crate) waiting: Vec<(String, String, String)>,
    /// More are waiting than shown.
    pub(crate) more_waiting: bool,
    /// Each goal against its target, in words.
    pub(crate) goals: Vec<String>,
    /// Each pool's balance, in words.
    pub(crate) pools: Vec<String>,
    /// The next meeting, in words.
    pub(crate) meeting: String,
}

/// Most proposals waiting for this organization shown on the page (soonest closing); a link
/// leads to the rest.
const WAITING_SHOWN: usize = 10;

/// What `coalition` waits for from this organization (`me`), read through its operations;
/// what does not read is left out (the page still shows the rest).
async fn needs(web: &Web, c: &Chrome, coalition: &str, me: Option<&model::MemberId>) -> Needs {
    let mut needs = Needs::default();
    if me.is_some()
        && let Ok(Reply::Proposals(page)) = web
            .ask(Request::ProposalList {
                coalition: coalition.to_owned(),
                query: commands::ops::proposals::ProposalQuery {
                    waiting: true,
                    limit: Some(WAITING_SHOWN),
                    ..Default::default()
                },
            })
            .await
    {
        needs.more_waiting = page.next.is_some();
        needs.waiting = page
            .proposals
            .into_iter()
            .map(|v| {
                let closes = v.proposal.closes_at.map_or_else(
                    || c.t("home-open-until-decided"),
                    |t| c.tw("home-closes", &[("date", Arg::Own(date_time(c.l, t)))]),
                );
                (v.proposal.id.to_string(), v.proposal.title, closes)
            })
            .collect();
    }
    if let Ok(Reply::Charter(detail)) = web
        .ask(Request::CharterShow {
            coalition: coalition.to_owned(),
        })
        .await
    {
        needs.goals = detail
            .charter
            .goals
            .values()
            .map(|g| {
                let target = Arg::Own(number(c.l, &g.target.to_string()));
                let unit = Arg::Text(g.unit.clone());
                let title = Arg::Text(g.title.clone());
                match g.progress.iter().max_by_key(|p| p.day) {
                    Some(p) => c.tw(
                        "home-goal-row",
                        &[
                            ("title", title),
                            ("value", Arg::Own(number(c.l, &p.value.to_string()))),
                            ("target", target),
                            ("unit", unit),
                        ],
                    ),
                    None => c.tw(
                        "home-goal-none",
                        &[("title", title), ("target", target), ("unit", unit)],
                    ),
                }
            })
            .collect();
    }
    if let Ok(Reply::Pools(pools)) = web
        .ask(Request::PoolList {
            coalition: coalition.to_owned(),
        })
        .await
    {
        needs.pools = pools
            .iter()
            .map(|p| {
                c.tw(
                    "home-pool-row",
                    &[
                        ("name", Arg::Text(p.name.clone())),
                        ("balance", Arg::Own(number(c.l, &p.balance))),
                        ("unit", Arg::Text(p.unit.clone())),
                    ],
                )
            })
            .collect();
    }
    needs.meeting = c.t("home-meeting-none");
    if let Ok(Reply::Meetings(page)) = web
        .ask(Request::MeetingList {
            coalition: coalition.to_owned(),
            query: commands::ops::meetings::MeetingQuery::default(),
        })
        .await
    {
        let today = super::today();
        // Newest first: the last one from today on is the next.
        if let Some(m) = page.meetings.iter().rfind(|m| m.day >= today) {
            needs.meeting = c.tw("home-meeting-next", &[("date", Arg::Own(day(c.l, &m.day)))]);
        }
    }
    needs
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
    let c = visit.chrome("home").live("*");
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
    let mut coalitions: Vec<Card> = summaries
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
                me: s.me.clone(),
                needs: Needs::default(),
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
    for card in &mut coalitions {
        card.needs = needs(&web, &c, &card.id, card.me.as_ref()).await;
    }
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
