//! The client against the router: every request reaches the route that carries it out, and
//! every reply reads back.

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
        // The UI's own sign-in operations have no route: the client refuses them.
        if req.ui_only() {
            prop_assert!(call_of(&req).is_err());
            return Ok(());
        }
        // An empty id is refused before it is sent, as the node refuses it.
        let Ok(call) = call_of(&req) else {
            let e = call_of(&req).unwrap_err();
            prop_assert!(e.downcast_ref::<commands::PrefixError>().is_some(), "{e}");
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
            body: Box::new(proposals::NewProposalRequest {
                kind: "general".into(),
                title: "Join the march".into(),
                text: String::new(),
                closes: Some("7d".into()),
                ..Default::default()
            }),
        },
    );
    // Polls of the methods whose results nest deepest (rounds, matrices, tagged actions).
    let polls: Vec<String> = ["stv:1:scottish", "stv:1", "condorcet", "ranked", "time"]
        .into_iter()
        .map(|method| {
            made(
                &mut r,
                Request::ProposalCreate {
                    coalition: coalition.clone(),
                    body: Box::new(proposals::NewProposalRequest {
                        kind: "general".into(),
                        title: format!("Which wording ({method})?"),
                        closes: Some("7d".into()),
                        method: Some(method.into()),
                        options: vec!["Fare-free".into(), "Half fares".into(), "Transfers".into()],
                        ..Default::default()
                    }),
                },
            )
        })
        .collect();
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
    let first = [
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
    ];
    let ballots = polls.iter().enumerate().flat_map(|(i, poll)| {
        let body = if i == 4 {
            proposals::BallotRequest {
                slots: vec!["1=yes".into(), "Transfers=if-needed".into()],
                ..Default::default()
            }
        } else {
            proposals::BallotRequest {
                rank: vec!["2".into(), "fare-free".into()],
                ..Default::default()
            }
        };
        [
            Request::ProposalBallot {
                coalition: c(),
                proposal: poll.clone(),
                body,
            },
            Request::ProposalShow {
                coalition: c(),
                proposal: poll.clone(),
            },
        ]
    });
    let reads = [
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
        Request::LinkAffiliates { coalition: c() },
        Request::StatementCalls { coalition: c() },
        Request::StatementReceived { coalition: c() },
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
    for req in first.into_iter().chain(ballots).chain(reads) {
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
        // Not an operation of the node's core: the web UI's sign-in links, which
        // `Client::sign_in_link` asks for (`coalesce ui`, tested end to end).
        if path == crate::SIGN_IN_ROUTE {
            continue;
        }
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
