//! The typed operations as a client calls them: each [`Request`] sent to its route, its reply
//! read back into its type ([`Client`] is an [`Exec`], so the command line's commands run on
//! the running node exactly as on the replica in their own process).
//!
//! The routes are written here and in [`crate::routes`]; a test sends a request of every
//! operation through the real router and checks that the core receives it as sent.

use commands::ops::{
    Created, ErrorCode, Exec, OpError, Reply, Request, ResolveQuery, ResolvedCoalition, Updated,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Client;

/// An HTTP method of the typed routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reads.
    Get,
    /// Makes a record.
    Post,
    /// Replaces this organization's own record (a position).
    Put,
    /// Changes some fields of a record.
    Patch,
    /// Withdraws this organization's own record (a share).
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// One request as HTTP: method, path with its query, and JSON body.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method.
    pub method: Method,
    /// The path, its segments percent-encoded, and the query if any.
    pub path: String,
    /// The JSON body, if the route takes one.
    pub body: Option<serde_json::Value>,
}

/// A path segment as typed (a member's name may hold spaces or slashes); an empty one, which
/// no route takes, is refused as the node refuses an empty id.
fn seg(s: &str, what: &'static str) -> anyhow::Result<String> {
    if s.is_empty() {
        return Err(model::PrefixError::Empty { what }.into());
    }
    Ok(utf8_percent_encode(s, NON_ALPHANUMERIC).to_string())
}

/// A query string (with its `?`), or nothing when every field is left out.
fn query(q: &impl Serialize) -> anyhow::Result<String> {
    let text = serde_urlencoded::to_string(q)?;
    Ok(if text.is_empty() {
        text
    } else {
        format!("?{text}")
    })
}

fn body(b: &impl Serialize) -> anyhow::Result<Option<serde_json::Value>> {
    Ok(Some(serde_json::to_value(b)?))
}

/// The route of `req` under `/v1`.
pub fn call_of(req: &Request) -> anyhow::Result<Call> {
    use Method::{Delete, Get, Patch, Post, Put};
    let c = |c: &str| -> anyhow::Result<String> {
        Ok(format!("/v1/coalitions/{}", seg(c, "coalition")?))
    };
    let (method, path, body) = match req {
        Request::CoalitionList => (Get, "/v1/coalitions".to_owned(), None),
        Request::CoalitionResolve { query: q } => {
            (Get, format!("/v1/coalitions/resolve{}", query(q)?), None)
        }
        Request::CoalitionCreate { body: b } => (Post, "/v1/coalitions".to_owned(), body(b)?),
        Request::IssueCreate { coalition, body: b } => {
            (Post, format!("{}/issues", c(coalition)?), body(b)?)
        }
        Request::IssueEdit {
            coalition,
            issue,
            body: b,
        } => (
            Patch,
            format!("{}/issues/{}", c(coalition)?, seg(issue, "issue")?),
            body(b)?,
        ),
        Request::IssueEvidence {
            coalition,
            issue,
            body: b,
        } => (
            Post,
            format!("{}/issues/{}/evidence", c(coalition)?, seg(issue, "issue")?),
            body(b)?,
        ),
        Request::IssueShare {
            coalition,
            issue,
            body: b,
        } => (
            Put,
            format!("{}/issues/{}/share", c(coalition)?, seg(issue, "issue")?),
            body(b)?,
        ),
        Request::IssueUnshare { coalition, issue } => (
            Delete,
            format!("{}/issues/{}/share", c(coalition)?, seg(issue, "issue")?),
            None,
        ),
        Request::GoalCreate { coalition, body: b } => {
            (Post, format!("{}/charter/goals", c(coalition)?), body(b)?)
        }
        Request::GoalProgress {
            coalition,
            goal,
            body: b,
        } => (
            Post,
            format!(
                "{}/charter/goals/{}/progress",
                c(coalition)?,
                seg(goal, "goal")?
            ),
            body(b)?,
        ),
        Request::MemberLeave { coalition } => (Post, format!("{}/leave", c(coalition)?), None),
        Request::CharterAmend { coalition, body: b } => (
            Post,
            format!("{}/charter/amendments", c(coalition)?),
            body(b)?,
        ),
        Request::KeyList { coalition } => (Get, format!("{}/keys", c(coalition)?), None),
        Request::KeyAdd { coalition, body: b } => {
            (Post, format!("{}/keys", c(coalition)?), body(b)?)
        }
        Request::KeyRevoke { coalition, key } => (
            Delete,
            format!("{}/keys/{}", c(coalition)?, seg(key, "node key")?),
            None,
        ),
        Request::ReportOverlap { coalition } => {
            (Get, format!("{}/reports/overlap", c(coalition)?), None)
        }
        Request::ReportEquity { coalition } => {
            (Get, format!("{}/reports/equity", c(coalition)?), None)
        }
        Request::ReportPower { coalition } => {
            (Get, format!("{}/reports/power", c(coalition)?), None)
        }
        Request::History {
            coalition,
            query: q,
        } => (Get, format!("{}/history{}", c(coalition)?, query(q)?), None),
        Request::HistoryRestore { coalition, body: b } => {
            (Post, format!("{}/history/restore", c(coalition)?), body(b)?)
        }
        Request::Aside { coalition } => (Get, format!("{}/aside", c(coalition)?), None),
        Request::Refused => (Get, "/v1/refused".to_owned(), None),
        Request::Status => (Get, "/v1/status".to_owned(), None),
        Request::InviteCreate { coalition, body: b } => {
            (Post, format!("{}/invites", c(coalition)?), body(b)?)
        }
        Request::JoinStart { body: b } => (Post, "/v1/joins".to_owned(), body(b)?),
        Request::JoinList => (Get, "/v1/joins".to_owned(), None),
        Request::JoinCancel { coalition } => (
            Delete,
            format!("/v1/joins/{}", seg(coalition, "pending join")?),
            None,
        ),
        Request::JoinStage { coalition } => (
            Get,
            format!("/v1/joins/{}", seg(coalition, "pending join")?),
            None,
        ),
        Request::Backup { body: b } => (Post, "/v1/backups".to_owned(), body(b)?),
        Request::Export { coalition, body: b } => {
            (Post, format!("{}/exports", c(coalition)?), body(b)?)
        }
        Request::KnownPeers => (Get, "/v1/peers/known".to_owned(), None),
        Request::DebugPanic => (Post, "/v1/debug/panic".to_owned(), None),
        Request::IssueShow { coalition, issue } => (
            Get,
            format!("{}/issues/{}", c(coalition)?, seg(issue, "issue")?),
            None,
        ),
        Request::IssueList {
            coalition,
            query: q,
        } => (Get, format!("{}/issues{}", c(coalition)?, query(q)?), None),
        Request::ProposalCreate { coalition, body: b } => {
            (Post, format!("{}/proposals", c(coalition)?), body(b)?)
        }
        Request::ProposalPosition {
            coalition,
            proposal,
            body: b,
        } => (
            Put,
            format!(
                "{}/proposals/{}/position",
                c(coalition)?,
                seg(proposal, "proposal")?
            ),
            body(b)?,
        ),
        Request::ProposalShow {
            coalition,
            proposal,
        } => (
            Get,
            format!("{}/proposals/{}", c(coalition)?, seg(proposal, "proposal")?),
            None,
        ),
        Request::ProposalList {
            coalition,
            query: q,
        } => (
            Get,
            format!("{}/proposals{}", c(coalition)?, query(q)?),
            None,
        ),
        Request::PoolCreate { coalition, body: b } => {
            (Post, format!("{}/pools", c(coalition)?), body(b)?)
        }
        Request::PoolGive {
            coalition,
            pool,
            body: b,
        } => (
            Post,
            format!("{}/pools/{}/entries", c(coalition)?, seg(pool, "pool")?),
            body(b)?,
        ),
        Request::PoolRequest {
            coalition,
            pool,
            body: b,
        } => (
            Post,
            format!("{}/pools/{}/requests", c(coalition)?, seg(pool, "pool")?),
            body(b)?,
        ),
        Request::PoolList { coalition } => (Get, format!("{}/pools", c(coalition)?), None),
        Request::PoolLedger { coalition, pool } => (
            Get,
            format!("{}/pools/{}", c(coalition)?, seg(pool, "pool")?),
            None,
        ),
        Request::MeetingCreate { coalition, body: b } => {
            (Post, format!("{}/meetings", c(coalition)?), body(b)?)
        }
        Request::MeetingList {
            coalition,
            query: q,
        } => (
            Get,
            format!("{}/meetings{}", c(coalition)?, query(q)?),
            None,
        ),
        Request::MeetingShow { coalition, meeting } => (
            Get,
            format!("{}/meetings/{}", c(coalition)?, seg(meeting, "meeting")?),
            None,
        ),
        Request::CharterShow { coalition } => (Get, format!("{}/charter", c(coalition)?), None),
        Request::CharterVersions { coalition } => {
            (Get, format!("{}/charter/versions", c(coalition)?), None)
        }
        Request::MemberList {
            coalition,
            query: q,
        } => (Get, format!("{}/members{}", c(coalition)?, query(q)?), None),
        Request::ProfileUpdate { coalition, body: b } => {
            (Patch, format!("{}/profile", c(coalition)?), body(b)?)
        }
        Request::MemberRemoval {
            coalition,
            member,
            body: b,
        } => (
            Post,
            format!(
                "{}/members/{}/removal",
                c(coalition)?,
                seg(member, "member")?
            ),
            body(b)?,
        ),
    };
    Ok(Call { method, path, body })
}

/// The reply to `req`, read from the JSON the route answered with.
fn reply_of(req: &Request, text: &[u8]) -> anyhow::Result<Reply> {
    fn read<T: DeserializeOwned>(text: &[u8]) -> anyhow::Result<T> {
        Ok(serde_json::from_slice(text)?)
    }
    Ok(match req {
        Request::CoalitionList => Reply::Coalitions(read(text)?),
        Request::CoalitionResolve { .. } => Reply::Resolved(read(text)?),
        Request::IssueShow { .. } => Reply::Issue(read(text)?),
        Request::IssueList { .. } => Reply::Issues(read(text)?),
        Request::ProposalPosition { .. } => Reply::PositionTaken(read(text)?),
        Request::ProposalShow { .. } => Reply::Proposal(read(text)?),
        Request::ProposalList { .. } => Reply::Proposals(read(text)?),
        Request::PoolRequest { .. } => Reply::Requested(read(text)?),
        Request::PoolList { .. } => Reply::Pools(read(text)?),
        Request::PoolLedger { .. } => Reply::Ledger(read(text)?),
        Request::MeetingList { .. } => Reply::Meetings(read(text)?),
        Request::MeetingShow { .. } => Reply::Meeting(read(text)?),
        Request::CharterShow { .. } => Reply::Charter(read(text)?),
        Request::CharterVersions { .. } => Reply::CharterVersions(read(text)?),
        Request::MemberList { .. } => Reply::Members(read(text)?),
        Request::KeyList { .. } => Reply::Keys(read(text)?),
        Request::ReportOverlap { .. } => Reply::Overlap(read(text)?),
        Request::ReportEquity { .. } => Reply::Equity(read(text)?),
        Request::ReportPower { .. } => Reply::Power(read(text)?),
        Request::History { .. } => Reply::History(read(text)?),
        Request::Aside { .. } => Reply::Aside(read(text)?),
        Request::Refused => Reply::Refused(read(text)?),
        Request::Status => Reply::Status(read(text)?),
        Request::InviteCreate { .. } => Reply::Invite(read(text)?),
        Request::JoinStart { .. } => Reply::JoinStarted(read(text)?),
        Request::JoinList => Reply::Joins(read(text)?),
        Request::JoinStage { .. } => Reply::JoinStage(read(text)?),
        Request::Backup { .. } => Reply::Backup(read(text)?),
        Request::Export { .. } => Reply::Exported(read(text)?),
        Request::KnownPeers => Reply::KnownPeers(read(text)?),
        // It answers only if the node did not panic, and then with an error.
        Request::DebugPanic => Reply::Updated(read::<Updated>(text)?),
        Request::IssueEdit { .. }
        | Request::MemberLeave { .. }
        | Request::KeyAdd { .. }
        | Request::KeyRevoke { .. }
        | Request::HistoryRestore { .. }
        | Request::JoinCancel { .. }
        | Request::ProfileUpdate { .. }
        | Request::IssueEvidence { .. }
        | Request::IssueShare { .. }
        | Request::IssueUnshare { .. }
        | Request::GoalProgress { .. } => Reply::Updated(read::<Updated>(text)?),
        Request::CoalitionCreate { .. }
        | Request::IssueCreate { .. }
        | Request::ProposalCreate { .. }
        | Request::PoolCreate { .. }
        | Request::PoolGive { .. }
        | Request::MeetingCreate { .. }
        | Request::MemberRemoval { .. }
        | Request::GoalCreate { .. }
        | Request::CharterAmend { .. } => Reply::Created(read::<Created>(text)?),
    })
}

/// Most bytes of a reply read (a page of 500 long issues fits many times over).
const MAX_REPLY: u64 = 64 * 1024 * 1024;

impl Client {
    /// Carries out one operation on the running node.
    pub fn call(&self, req: &Request) -> Result<Reply, OpError> {
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            OpError::new(
                ErrorCode::Internal,
                format!(
                    "could not {what} the running node at {}: {e}",
                    self.file.addr
                ),
            )
        };
        let call = call_of(req).map_err(|e| {
            if e.downcast_ref::<model::PrefixError>().is_some() {
                OpError::from_anyhow(&e)
            } else {
                failed("build a request for", &e)
            }
        })?;
        let url = format!("http://{}{}", self.file.addr, call.path);
        let agent = &self.agent;
        let auth = format!("Bearer {}", self.file.token);
        let sent = match (call.method, call.body) {
            (Method::Get, _) => agent.get(&url).header("authorization", &auth).call(),
            (Method::Delete, _) => agent.delete(&url).header("authorization", &auth).call(),
            (m, body) => {
                let builder = match m {
                    Method::Post => agent.post(&url),
                    Method::Put => agent.put(&url),
                    _ => agent.patch(&url),
                };
                builder
                    .header("authorization", &auth)
                    .send_json(body.unwrap_or(serde_json::Value::Null))
            }
        };
        let mut resp = sent.map_err(|e| failed("reach", &e))?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_REPLY)
            .read_to_vec()
            .map_err(|e| failed("read the answer of", &e))?;
        if !status.is_success() {
            return Err(
                serde_json::from_slice::<OpError>(&text).unwrap_or_else(|_| {
                    OpError::new(
                        ErrorCode::Internal,
                        format!(
                            "the running node answered {status}: {}",
                            commands::ops::bounded(&String::from_utf8_lossy(
                                text.get(..1024).unwrap_or(&text)
                            ))
                        ),
                    )
                }),
            );
        }
        reply_of(req, &text).map_err(|e| failed("read the answer of", &e))
    }
}

impl Exec for Client {
    fn call(&mut self, req: Request) -> anyhow::Result<Reply> {
        Client::call(self, &req).map_err(OpError::into_anyhow)
    }

    fn coalition(&mut self, given: Option<&str>) -> anyhow::Result<(String, bool)> {
        if let Some(given) = given {
            // The node resolves it with each operation.
            return Ok((given.to_owned(), false));
        }
        let req = Request::CoalitionResolve {
            query: ResolveQuery { coalition: None },
        };
        let resolved: ResolvedCoalition = Exec::call(self, req)?.try_into()?;
        Ok((resolved.id, resolved.chosen))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Job, Metrics};
    use proptest::prelude::*;
    use tokio::sync::mpsc;
    use tower::ServiceExt;

    /// Sends `req` as [`Client`] would through the real router; answers with the request the
    /// core received (or the refusal, if the route refused it first).
    async fn through_router(req: &Request) -> Result<Request, String> {
        let (tx, mut rx) = mpsc::channel::<Job>(1);
        let app = crate::router("secret".into(), tx, std::sync::Arc::new(Metrics::default()));
        let call = call_of(req).map_err(|e| e.to_string())?;
        let mut builder = axum::http::Request::builder()
            .method(call.method.as_str())
            .uri(&call.path)
            .header("authorization", "Bearer secret");
        let body = match call.body {
            Some(b) => {
                builder = builder.header("content-type", "application/json");
                axum::body::Body::from(serde_json::to_vec(&b).unwrap())
            }
            None => axum::body::Body::empty(),
        };
        let sent = tokio::spawn(app.oneshot(builder.body(body).unwrap()));
        let received = match rx.recv().await {
            Some(Job::Op(received, reply)) => {
                let _ = reply.send(Ok(Reply::Updated(Updated { id: String::new() })));
                Some(received)
            }
            _ => None,
        };
        let resp = sent.await.unwrap().unwrap();
        match received {
            Some(r) => Ok(r),
            None => {
                let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .unwrap();
                Err(String::from_utf8_lossy(&bytes).into_owned())
            }
        }
    }

    /// The segments of a path without its query.
    fn segments(path: &str) -> Vec<&str> {
        path.split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Whatever a request holds, the client's route for it reaches the core as the same
        /// request: the routes written in `call_of` and in `routes` agree.
        #[test]
        fn every_request_reaches_the_core_as_sent(
            req in commands::testing::request("c0ffee".into())
        ) {
            // An empty id is refused before it is sent, as the node refuses it.
            let Ok(call) = call_of(&req) else {
                let e = call_of(&req).unwrap_err();
                prop_assert!(e.downcast_ref::<model::PrefixError>().is_some(), "{e}");
                return Ok(());
            };
            prop_assert!(!segments(&call.path).iter().skip(1).any(|s| s.is_empty()));
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let got = rt.block_on(through_router(&req));
            prop_assert_eq!(got.map(|r| format!("{r:?}")), Ok(format!("{req:?}")));
        }
    }

    /// Every reading operation's reply, on a coalition with something of everything in it,
    /// reads back on the client's side (`reply_of`) as what the node sent: the command line
    /// prints from the reply it reads, so one that lost or changed something would print
    /// otherwise than the same command on a stopped node.
    #[test]
    fn every_reply_reads_back_as_the_node_sent_it() {
        use commands::ops::{charter, issues, meetings, pools, proposals};
        let (_home, mut r, c) = commands::testing::replica();
        let coalition = c.to_string();
        let made = |r: &mut replica::Replica, req| match commands::ops::handle(r, req) {
            Ok(Reply::Created(Created { id })) => id,
            other => panic!("{other:?}"),
        };
        let issue = made(
            &mut r,
            Request::IssueCreate {
                coalition: coalition.clone(),
                body: issues::NewIssueRequest {
                    title: "Bus fare equity \u{202e}".into(),
                    description: "Fares rose\nby 40%".into(),
                    tags: vec!["race".into(), "disability".into()],
                    lead: None,
                },
            },
        );
        for req in [
            Request::IssueEvidence {
                coalition: coalition.clone(),
                issue: issue.clone(),
                body: issues::EvidenceRequest {
                    source: "Survey".into(),
                    figure: "38%".into(),
                    disaggregation: "by race".into(),
                },
            },
            Request::IssueShare {
                coalition: coalition.clone(),
                issue: issue.clone(),
                body: issues::ShareRequest { rank: 2 },
            },
        ] {
            commands::ops::handle(&mut r, req).unwrap();
        }
        let pool = made(
            &mut r,
            Request::PoolCreate {
                coalition: coalition.clone(),
                body: pools::NewPoolRequest {
                    name: "Legal fund".into(),
                    kind: "funds".into(),
                    unit: "USD".into(),
                    description: String::new(),
                },
            },
        );
        made(
            &mut r,
            Request::PoolGive {
                coalition: coalition.clone(),
                pool: pool.clone(),
                body: pools::GiftRequest {
                    kind: "contribution".into(),
                    amount: "125.50".into(),
                    note: "dues".into(),
                },
            },
        );
        let proposal = made(
            &mut r,
            Request::ProposalCreate {
                coalition: coalition.clone(),
                body: proposals::NewProposalRequest {
                    kind: "general".into(),
                    title: "Join the march".into(),
                    text: String::new(),
                    closes: Some("7d".into()),
                },
            },
        );
        let meeting = made(
            &mut r,
            Request::MeetingCreate {
                coalition: coalition.clone(),
                body: meetings::NewMeetingRequest {
                    date: "2026-11-20".into(),
                    minutes: "We met.".into(),
                    agenda: vec!["Fares".into()],
                    ..Default::default()
                },
            },
        );
        made(
            &mut r,
            Request::GoalCreate {
                coalition: coalition.clone(),
                body: charter::NewGoalRequest {
                    title: "Fare-free buses".into(),
                    target: "100".into(),
                    unit: "percent".into(),
                },
            },
        );
        let c = || coalition.clone();
        let reads = [
            Request::CoalitionList,
            Request::CoalitionResolve {
                query: commands::ops::ResolveQuery { coalition: None },
            },
            Request::IssueShow {
                coalition: c(),
                issue: issue.clone(),
            },
            Request::IssueList {
                coalition: c(),
                query: issues::IssueQuery::default(),
            },
            Request::ProposalShow {
                coalition: c(),
                proposal,
            },
            Request::ProposalList {
                coalition: c(),
                query: proposals::ProposalQuery::default(),
            },
            Request::PoolList { coalition: c() },
            Request::PoolLedger {
                coalition: c(),
                pool,
            },
            Request::MeetingList {
                coalition: c(),
                query: meetings::MeetingQuery::default(),
            },
            Request::MeetingShow {
                coalition: c(),
                meeting,
            },
            Request::CharterShow { coalition: c() },
            Request::CharterVersions { coalition: c() },
            Request::MemberList {
                coalition: c(),
                query: commands::ops::members::MemberQuery { all: true },
            },
            Request::KeyList { coalition: c() },
            Request::ReportOverlap { coalition: c() },
            Request::ReportEquity { coalition: c() },
            Request::ReportPower { coalition: c() },
            Request::History {
                coalition: c(),
                query: commands::ops::audit::HistoryQuery::default(),
            },
            Request::Aside { coalition: c() },
            Request::Refused,
            Request::Status,
            Request::JoinList,
            Request::KnownPeers,
        ];
        for req in reads {
            let reply = commands::ops::handle(&mut r, req.clone())
                .unwrap_or_else(|e| panic!("{}: {e}", req.name()));
            // As the route sends it: JSON, with what must not reach a terminal escaped.
            let sent = commands::output::escape_json(&serde_json::to_string(&reply).unwrap());
            let read = reply_of(&req, sent.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {e:#}: {sent}", req.name()));
            assert_eq!(
                serde_json::to_value(&read).unwrap(),
                serde_json::to_value(&reply).unwrap(),
                "{}",
                req.name()
            );
        }
    }

    /// Every operation the OpenAPI document describes is one the client can send (so a route
    /// added to the router and the document is added to `call_of` too).
    #[test]
    fn the_client_sends_every_documented_operation() {
        use proptest::strategy::ValueTree;
        use utoipa::OpenApi;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = commands::testing::request("c0ffee".into());
        let mut sent = std::collections::BTreeSet::new();
        for _ in 0..4000 {
            let req = strategy.new_tree(&mut runner).unwrap().current();
            let Ok(call) = call_of(&req) else { continue };
            let path: Vec<String> = segments(&call.path)
                .into_iter()
                .map(ToOwned::to_owned)
                .collect();
            sent.insert((call.method.as_str(), path, req.name()));
        }
        let doc = crate::ApiDoc::openapi();
        for (path, item) in &doc.paths.paths {
            let template: Vec<&str> = path.split('/').collect();
            for (method, op) in [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ] {
                if op.is_none() {
                    continue;
                }
                // The handler's name is the operation's name (`coalition_list`...), and the
                // client's path is the documented one, a `{name}` standing for any segment.
                let covered = sent.iter().any(|(m, sent_path, name)| {
                    *m == method
                        && op.as_ref().and_then(|o| o.operation_id.as_deref()) == Some(*name)
                        && sent_path.len() == template.len()
                        && sent_path
                            .iter()
                            .zip(&template)
                            .all(|(s, t)| t.starts_with('{') || s == t)
                });
                assert!(
                    covered,
                    "{method} {path} ({template:?}) is never sent by the client"
                );
            }
        }
    }
}
