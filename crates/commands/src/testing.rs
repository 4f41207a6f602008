//! What tests of this crate and of the crates above it share: requests of every typed
//! operation as a hostile or careless client sends them (a `proptest` strategy). Built for
//! this crate's tests and with the `testing` feature.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use model::CoalitionId;
use proptest::prelude::*;
use replica::Replica;

use crate::ops::{
    Request, ResolveQuery, audit, charter, coalitions, files, issues, joins, keys, meetings,
    members, pools, proposals,
};

/// A node's replica in a fresh home, founding one coalition.
pub fn replica() -> (tempfile::TempDir, Replica, CoalitionId) {
    let dir = tempfile::tempdir().unwrap();
    Replica::init(dir.path(), "Northside Tenants Union").unwrap();
    let mut r = Replica::open(dir.path()).unwrap();
    let c = r
        .found_coalition(replica::NewCoalition {
            name: "Transit Justice".into(),
            frame: "Fare-free buses".into(),
            values: vec![],
            commitments: vec![],
            equity_threshold: None,
        })
        .unwrap();
    (dir, r, c)
}

/// Raises an issue titled `title`; its id.
pub fn raise(r: &mut Replica, c: &CoalitionId, title: &str) -> model::IssueId {
    crate::ops::issues::create(
        r,
        c,
        crate::ops::issues::NewIssueRequest {
            title: title.into(),
            ..Default::default()
        },
    )
    .unwrap()
}

/// This (only) member agrees to `proposal`, which its agreement alone decides.
pub fn agree(r: &mut Replica, c: &CoalitionId, proposal: &model::ProposalId) {
    let agree = crate::ops::proposals::PositionRequest {
        stance: "agree".into(),
        reason: String::new(),
    };
    crate::ops::proposals::take_position(r, c, proposal.as_str(), agree).unwrap();
}

/// Opens the amendment `req` and passes it by this (only) member's agreement; its id.
pub fn amended(
    r: &mut Replica,
    c: &CoalitionId,
    req: crate::ops::charter::AmendmentRequest,
) -> model::ProposalId {
    let proposal = crate::ops::charter::amend(r, c, req).unwrap();
    agree(r, c, &proposal);
    proposal
}

/// A dots poll over `issues` (`dots:6`, options `Issue 1`, `Issue 2`...) that closes a
/// moment after it opens, with this member's ballot `dots` ((option from 1, dots)) cast in the
/// same edit: returned once it has closed, passed (the one member's ballot is its quorum), so
/// its result is the inventory's priority. (A request's closing time is a minute away at
/// least: the poll is opened through the model.)
pub fn closed_issue_poll(
    r: &mut Replica,
    c: &CoalitionId,
    issues: &[model::IssueId],
    dots: &[(usize, u32)],
) -> model::ProposalId {
    let id = model::ProposalId::from_bytes(replica::fresh_id_bytes().unwrap());
    let ballot = model::poll::Ballot::Dots(dots.iter().map(|(o, d)| (o - 1, *d)).collect());
    let mut closes = 0;
    r.edit(c, |doc, a| {
        closes = a.now.as_millis() + 400;
        doc.open_poll(
            &a.member,
            model::NewProposal {
                id: id.clone(),
                kind: model::DecisionKind::General,
                title: "Our priorities".into(),
                text: String::new(),
                closes_at: Some(model::Timestamp::from_millis(closes)),
            },
            model::schema::PollSpec {
                method: "dots:6".parse().unwrap(),
                options: (1..=issues.len()).map(|n| format!("Issue {n}")).collect(),
                asks: Vec::new(),
                issues: issues.to_vec(),
                pool: None,
                requests: Vec::new(),
                role: None,
                candidates: Vec::new(),
            },
            a.now,
        )?;
        doc.cast_ballot(&a.member, &id, ballot, a.now)
    })
    .unwrap();
    while replica::now().as_millis() <= closes {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    id
}

/// Text as a hostile or careless client sends it: empty, blank, long, control
/// characters, bidirectional overrides, any Unicode.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" \t\n".to_owned()),
        "[a-zA-Z ]{1,40}",
        "\\PC{0,60}",
        "[\u{0}-\u{1f}\u{202a}-\u{202e}]{1,10}",
        (1usize..3000).prop_map(|n| "x".repeat(n)),
    ]
}

pub fn request(coalition: String) -> impl Strategy<Value = Request> {
    let c1 = coalition.clone();
    let c2 = coalition.clone();
    let c3 = coalition.clone();
    let (c4, c5, c6, c7) = (
        coalition.clone(),
        coalition.clone(),
        coalition.clone(),
        coalition.clone(),
    );
    let (c8, c9, c10, c11) = (
        coalition.clone(),
        coalition.clone(),
        coalition.clone(),
        coalition.clone(),
    );
    let (c12, c13, c14) = (coalition.clone(), coalition.clone(), coalition.clone());
    let (c15, c16, c17) = (coalition.clone(), coalition.clone(), coalition.clone());
    let (c18, c19) = (coalition.clone(), coalition.clone());
    prop_oneof![
        Just(Request::KnownPeers),
        Just(Request::DebugPanic),
        Just(Request::PersonList),
        Just(Request::PersonLog),
        (text(), any::<bool>()).prop_map(|(name, edit)| Request::PersonAdd {
            body: crate::ops::people::PersonAddRequest {
                name,
                role: if edit {
                    replica::Role::Editor
                } else {
                    replica::Role::Viewer
                },
            }
        }),
        text().prop_map(|name| Request::PersonRemove { name }),
        text().prop_map(|name| Request::PersonReset {
            name,
            body: Default::default()
        }),
        text().prop_map(|name| Request::PersonCredentials { name }),
        text().prop_map(|code| Request::PersonSetupFor { code }),
        (text(), text()).prop_map(|(code, password_hash)| Request::PersonSetupFinish {
            code,
            password_hash
        }),
        (text(), any::<bool>()).prop_map(|(file, force)| Request::Backup {
            body: files::BackupRequest { file, force }
        }),
        (text(), any::<bool>()).prop_map({
            let c = coalition.clone();
            move |(dir, csv)| Request::Export {
                coalition: c.clone(),
                body: files::ExportRequest { dir, csv },
            }
        }),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text())
        )
            .prop_map({
                let c = coalition.clone();
                move |(from, to, lang, format)| Request::ReportProgress {
                    coalition: c.clone(),
                    query: crate::ops::reports::ProgressQuery {
                        from,
                        to,
                        lang,
                        format,
                    },
                }
            }),
        (
            prop_oneof![
                Just("ranked".to_owned()),
                Just("budget:12.50".to_owned()),
                Just("stv:2:scottish".to_owned()),
                text()
            ],
            proptest::collection::vec(text(), 0..4),
            proptest::collection::vec(text(), 0..3),
            proptest::option::of(prop_oneof![Just("7d".to_owned()), text()]),
            prop_oneof![
                Just(Vec::new()),
                Just(vec!["all".to_owned()]),
                proptest::collection::vec(text(), 0..3)
            ],
            (
                prop_oneof![
                    Just("general".to_owned()),
                    Just("allocation".to_owned()),
                    Just("role".to_owned())
                ],
                proptest::option::of(prop_oneof![Just("Legal fund".to_owned()), text()]),
                prop_oneof![
                    Just(Vec::new()),
                    Just(vec!["all".to_owned()]),
                    proptest::collection::vec(text(), 0..3)
                ],
                proptest::option::of(prop_oneof![Just("spokespeople".to_owned()), text()]),
                prop_oneof![
                    Just(Vec::new()),
                    Just(vec!["all".to_owned()]),
                    proptest::collection::vec(text(), 0..3)
                ],
            ),
        )
            .prop_map({
                let c = coalition.clone();
                move |(
                    method,
                    options,
                    asks,
                    closes,
                    issues,
                    (kind, pool, requests, role, candidates),
                )| {
                    Request::ProposalCreate {
                        coalition: c.clone(),
                        body: Box::new(proposals::NewProposalRequest {
                            answers: None,
                            kind,
                            title: "A poll".into(),
                            text: String::new(),
                            closes,
                            method: Some(method),
                            options,
                            asks,
                            issues,
                            pool,
                            requests,
                            role,
                            candidates,
                        }),
                    }
                }
            }),
        (
            text(),
            proptest::collection::vec(text(), 0..4),
            proptest::collection::vec(text(), 0..4),
            proptest::collection::vec(text(), 0..2),
        )
            .prop_map({
                let c = coalition.clone();
                move |(proposal, rank, score, slots)| Request::ProposalBallot {
                    coalition: c.clone(),
                    proposal,
                    body: proposals::BallotRequest {
                        rank,
                        score,
                        slots,
                        ..Default::default()
                    },
                }
            }),
        (text(), text(), text(), text(), any::<bool>()).prop_map({
            let c = coalition.clone();
            move |(record, field, lang, text, machine)| Request::Translate {
                coalition: c.clone(),
                body: crate::ops::translations::TranslateRequest {
                    record,
                    field,
                    lang,
                    text,
                    machine,
                },
            }
        }),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            any::<bool>(),
            proptest::option::of(text()),
        )
            .prop_map({
                let c = coalition.clone();
                move |(lang, record, issues_missing, missing_of)| Request::TranslationList {
                    coalition: c.clone(),
                    query: crate::ops::translations::TranslationsQuery {
                        lang,
                        record,
                        issues_missing,
                        missing_of,
                    },
                }
            }),
        (text(), proptest::collection::vec(text(), 0..3)).prop_map({
            let c = coalition.clone();
            move |(title, slots)| Request::PlanCreate {
                coalition: c.clone(),
                body: crate::ops::plans::PlanRequest { title, slots },
            }
        }),
        (text(), proptest::collection::vec(text(), 0..3)).prop_map({
            let c = coalition.clone();
            move |(plan, answers)| Request::PlanAnswer {
                coalition: c.clone(),
                plan,
                body: crate::ops::plans::AnswerRequest { answers },
            }
        }),
        Just(Request::PlanList {
            coalition: coalition.clone()
        }),
        Just(Request::LinkList {
            coalition: coalition.clone()
        }),
        Just(Request::StatementList {
            coalition: coalition.clone()
        }),
        (
            prop_oneof![Just("roster".to_owned()), Just("goal".to_owned()), text()],
            proptest::option::of(text()),
            proptest::option::of(prop_oneof![Just("2026-01-01".to_owned()), text()]),
        )
            .prop_map({
                let c = coalition.clone();
                move |(kind, record, from)| Request::StatementDraft {
                    coalition: c.clone(),
                    body: crate::ops::statements::StatementDraftRequest {
                        kind,
                        record,
                        call: None,
                        from,
                        to: None,
                    },
                }
            }),
        text().prop_map({
            let c = coalition.clone();
            move |statement| Request::StatementSign {
                coalition: c.clone(),
                statement,
            }
        }),
        (text(), text()).prop_map({
            let c = coalition.clone();
            move |(with, file)| Request::StatementExport {
                coalition: c.clone(),
                body: crate::ops::statements::StatementExportRequest { with, file },
            }
        }),
        text().prop_map({
            let c = coalition.clone();
            move |file| Request::StatementImport {
                coalition: c.clone(),
                body: crate::ops::received::StatementImportRequest { file },
            }
        }),
        Just(Request::StatementReceived {
            coalition: coalition.clone(),
        }),
        Just(Request::LinkAffiliates {
            coalition: coalition.clone(),
        }),
        Just(Request::StatementCalls {
            coalition: coalition.clone(),
        }),
        text().prop_map({
            let c = coalition.clone();
            move |proposal| Request::LinkMandates {
                coalition: c.clone(),
                proposal,
            }
        }),
        text().prop_map({
            let c = coalition.clone();
            move |statement| Request::StatementVerify {
                coalition: c.clone(),
                statement,
            }
        }),
        (
            prop_oneof![Just("4e".repeat(16)), text()],
            prop_oneof![Just("parent".to_owned()), Just("end".to_owned()), text()],
            proptest::collection::vec(
                prop_oneof![
                    Just("issue,pool".to_owned()),
                    Just("call".to_owned()),
                    text()
                ],
                0..3
            ),
            proptest::option::of(prop_oneof![Just("3f2a".repeat(16)), text()]),
            proptest::option::of(0u64..3000),
            proptest::option::of(prop_oneof![Just("members".to_owned()), text()]),
            proptest::option::of(text()),
        )
            .prop_map({
                let c = coalition.clone();
                move |(with, relation, publish, roster, threshold, weight, name)| {
                    Request::LinkPropose {
                        coalition: c.clone(),
                        body: Box::new(crate::ops::links::LinkRequest {
                            with,
                            name,
                            relation,
                            accept: publish.clone(),
                            publish,
                            roster,
                            threshold,
                            weight,
                            ..Default::default()
                        }),
                    }
                }
            }),
        (text(), proptest::option::of(text())).prop_map({
            let c = coalition.clone();
            move |(with, closes)| Request::LinkEnd {
                coalition: c.clone(),
                body: crate::ops::links::LinkEndRequest {
                    with,
                    closes,
                    ..Default::default()
                },
            }
        }),
        Just(Request::JoinList),
        text().prop_map(|coalition| Request::JoinCancel { coalition }),
        (
            text(),
            proptest::option::of(text()),
            proptest::option::of(0u64..20_000)
        )
            .prop_map(|(coalition, after, wait_ms)| Request::JoinStage {
                coalition,
                wait: joins::JoinWait { after, wait_ms },
            }),
        (text(), proptest::option::of(text())).prop_map(|(code, org)| Request::JoinStart {
            body: joins::JoinRequest { code, org }
        }),
        proptest::option::of(prop_oneof![Just("7d".to_owned()), text()]).prop_map({
            let c = coalition.clone();
            move |expires| Request::InviteCreate {
                coalition: c.clone(),
                body: joins::InviteRequest { expires },
            }
        }),
        Just(Request::Status),
        Just(Request::Refused),
        Just(Request::MemberLeave {
            coalition: coalition.clone()
        }),
        Just(Request::KeyList {
            coalition: coalition.clone()
        }),
        Just(Request::ReportOverlap {
            coalition: coalition.clone()
        }),
        Just(Request::ReportEquity {
            coalition: coalition.clone()
        }),
        Just(Request::ReportPower {
            coalition: coalition.clone()
        }),
        Just(Request::Aside {
            coalition: coalition.clone()
        }),
        prop_oneof![Just("a".repeat(64)), text()].prop_map({
            let c = coalition.clone();
            move |key| Request::KeyAdd {
                coalition: c.clone(),
                body: keys::KeyRequest { key },
            }
        }),
        prop_oneof![Just("a".repeat(64)), text()].prop_map({
            let c = coalition.clone();
            move |key| Request::KeyRevoke {
                coalition: c.clone(),
                key,
            }
        }),
        proptest::option::of(text()).prop_map({
            let c = coalition.clone();
            move |record| Request::History {
                coalition: c.clone(),
                query: audit::HistoryQuery { record },
            }
        }),
        (
            text(),
            prop_oneof![Just("title".to_owned()), text()],
            text()
        )
            .prop_map({
                let c = coalition.clone();
                move |(record, field, change)| Request::HistoryRestore {
                    coalition: c.clone(),
                    body: audit::RestoreRequest {
                        record,
                        field,
                        change,
                    },
                }
            }),
        (
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..3),
            proptest::collection::vec(
                prop_oneof![
                    Just("amendment=consensus".to_owned()),
                    Just("general=ranked@2/3".to_owned()),
                    text()
                ],
                0..3
            ),
            proptest::option::of(prop_oneof![Just("1/2".to_owned()), text()]),
            proptest::option::of(text()),
            text(),
            proptest::option::of(prop_oneof![Just("7d".to_owned()), text()]),
            proptest::collection::vec(
                prop_oneof![Just("general:Northside Tenants Union=3".to_owned()), text()],
                0..2
            ),
        )
            .prop_map({
                let c = coalition.clone();
                move |(frame, add_values, rules, equity_threshold, title, text, closes, weights)| {
                    Request::CharterAmend {
                        coalition: c.clone(),
                        body: Box::new(charter::AmendmentRequest {
                            frame,
                            add_values,
                            add_commitments: Vec::new(),
                            rules,
                            equity_threshold,
                            weights,
                            title,
                            text,
                            closes,
                        }),
                    }
                }
            }),
        (text(), text(), text(), text()).prop_map({
            let c = coalition.clone();
            move |(issue, source, figure, disaggregation)| Request::IssueEvidence {
                coalition: c.clone(),
                issue,
                body: issues::EvidenceRequest {
                    source,
                    figure,
                    disaggregation,
                },
            }
        }),
        (text(), 0u64..20).prop_map({
            let c = coalition.clone();
            move |(issue, rank)| Request::IssueShare {
                coalition: c.clone(),
                issue,
                body: issues::ShareRequest { rank },
            }
        }),
        text().prop_map({
            let c = coalition.clone();
            move |issue| Request::IssueUnshare {
                coalition: c.clone(),
                issue,
            }
        }),
        (text(), prop_oneof![Just("100".to_owned()), text()], text()).prop_map({
            let c = coalition.clone();
            move |(title, target, unit)| Request::GoalCreate {
                coalition: c.clone(),
                body: charter::NewGoalRequest {
                    title,
                    target,
                    unit,
                },
            }
        }),
        (
            text(),
            prop_oneof![Just("40".to_owned()), text()],
            proptest::option::of(prop_oneof![Just("2026-03-01".to_owned()), text()]),
            text()
        )
            .prop_map({
                let c = coalition.clone();
                move |(goal, value, date, note)| Request::GoalProgress {
                    coalition: c.clone(),
                    goal,
                    body: charter::ProgressRequest { value, date, note },
                }
            }),
        Just(Request::PoolList {
            coalition: coalition.clone()
        }),
        proptest::option::of(text()).prop_map(|coalition| Request::CoalitionResolve {
            query: ResolveQuery { coalition }
        }),
        (
            text(),
            text(),
            proptest::collection::vec(text(), 0..40),
            proptest::option::of(text())
        )
            .prop_map(move |(title, description, tags, lead)| {
                Request::IssueCreate {
                    coalition: c1.clone(),
                    body: issues::NewIssueRequest {
                        title,
                        description,
                        tags,
                        lead,
                    },
                }
            }),
        (
            text(),
            proptest::option::of(text()),
            proptest::option::of(prop_oneof![Just("won".to_owned()), text()]),
            proptest::collection::vec(text(), 0..5)
        )
            .prop_map(move |(issue, title, status, add_tags)| Request::IssueEdit {
                coalition: c2.clone(),
                issue,
                body: issues::IssueEditRequest {
                    title,
                    status,
                    add_tags,
                    ..Default::default()
                },
            }),
        text().prop_map(move |issue| Request::IssueShow {
            coalition: c3.clone(),
            issue,
        }),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            any::<usize>(),
            proptest::option::of(any::<usize>()),
            proptest::option::of(prop_oneof![
                Just("age".to_owned()),
                Just("priority".to_owned()),
                text()
            ])
        )
            .prop_map(move |(tag, status, offset, limit, by)| Request::IssueList {
                coalition: coalition.clone(),
                query: issues::IssueQuery {
                    tag,
                    status,
                    offset,
                    limit,
                    by,
                },
            }),
        text().prop_map(|coalition| Request::IssueShow {
            coalition,
            issue: "00".into(),
        }),
        (
            prop_oneof![
                Just("general".to_owned()),
                Just("amendment".to_owned()),
                text()
            ],
            text(),
            text(),
            proptest::option::of(prop_oneof![Just("7d".to_owned()), text()])
        )
            .prop_map(move |(kind, title, text, closes)| Request::ProposalCreate {
                coalition: c4.clone(),
                body: Box::new(proposals::NewProposalRequest {
                    answers: None,
                    kind,
                    title,
                    text,
                    method: None,
                    options: Vec::new(),
                    asks: Vec::new(),
                    issues: Vec::new(),
                    pool: None,
                    requests: Vec::new(),
                    role: None,
                    candidates: Vec::new(),
                    closes,
                }),
            }),
        (
            text(),
            prop_oneof![Just("agree".to_owned()), Just("block".to_owned()), text()],
            text()
        )
            .prop_map(move |(proposal, stance, reason)| {
                Request::ProposalPosition {
                    coalition: c5.clone(),
                    proposal,
                    body: proposals::PositionRequest { stance, reason },
                }
            }),
        text().prop_map(move |proposal| Request::ProposalShow {
            coalition: c6.clone(),
            proposal,
        }),
        (
            proptest::option::of(text()),
            any::<bool>(),
            any::<usize>(),
            proptest::option::of(any::<usize>())
        )
            .prop_map(
                move |(kind, waiting, offset, limit)| Request::ProposalList {
                    coalition: c7.clone(),
                    query: proposals::ProposalQuery {
                        kind,
                        waiting,
                        offset,
                        limit,
                    },
                }
            ),
        (
            prop_oneof![Just("funds".to_owned()), text()],
            text(),
            text()
        )
            .prop_map(move |(kind, name, unit)| Request::PoolCreate {
                coalition: c8.clone(),
                body: pools::NewPoolRequest {
                    name,
                    kind,
                    unit,
                    description: String::new(),
                },
            }),
        (
            text(),
            prop_oneof![
                Just("pledge".to_owned()),
                Just("contribution".to_owned()),
                text()
            ],
            prop_oneof![Just("10".to_owned()), Just("0.001".to_owned()), text()],
            text()
        )
            .prop_map(move |(pool, kind, amount, note)| Request::PoolGive {
                coalition: c9.clone(),
                pool,
                body: pools::GiftRequest { kind, amount, note },
            }),
        (text(), text(), text()).prop_map(move |(pool, amount, reason)| {
            Request::PoolRequest {
                coalition: c10.clone(),
                pool,
                body: pools::AllocationRequestBody { amount, reason },
            }
        }),
        text().prop_map(move |pool| Request::PoolLedger {
            coalition: c11.clone(),
            pool,
        }),
        (
            prop_oneof![Just("2026-11-20".to_owned()), text()],
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..3),
            proptest::collection::vec(text(), 0..60),
            text(),
            proptest::collection::vec(text(), 0..3),
            (
                proptest::collection::vec(text(), 0..3),
                proptest::collection::vec(any::<u64>(), 0..3)
            )
        )
            .prop_map(
                move |(
                    date,
                    facilitator,
                    attendance,
                    agenda,
                    minutes,
                    decisions,
                    (checkins, timeboxes),
                )| {
                    Request::MeetingCreate {
                        coalition: c12.clone(),
                        body: meetings::NewMeetingRequest {
                            date,
                            facilitator,
                            attendance,
                            agenda,
                            minutes,
                            decisions,
                            checkins,
                            timeboxes,
                        },
                    }
                }
            ),
        (any::<usize>(), proptest::option::of(any::<usize>())).prop_map(move |(offset, limit)| {
            Request::MeetingList {
                coalition: c13.clone(),
                query: meetings::MeetingQuery {
                    offset,
                    limit,
                    ..Default::default()
                },
            }
        }),
        text().prop_map(move |meeting| Request::MeetingShow {
            coalition: c14.clone(),
            meeting,
        }),
        any::<bool>().prop_map(move |all| Request::MemberList {
            coalition: c15.clone(),
            query: members::MemberQuery { all },
        }),
        (
            proptest::option::of(text()),
            proptest::option::of(proptest::collection::vec(text(), 0..60)),
            proptest::option::of(text())
        )
            .prop_map(move |(name, languages, contact)| Request::ProfileUpdate {
                coalition: c16.clone(),
                body: members::ProfileRequest {
                    name,
                    languages,
                    contact,
                    ..Default::default()
                },
            }),
        Just(Request::CoalitionList),
        (
            text(),
            text(),
            proptest::option::of(prop_oneof![Just("1/2".to_owned()), text()])
        )
            .prop_map(|(name, frame, equity_threshold)| Request::CoalitionCreate {
                body: coalitions::NewCoalitionRequest {
                    name,
                    frame,
                    equity_threshold,
                    ..Default::default()
                },
            }),
        Just(()).prop_map(move |()| Request::CharterShow {
            coalition: c18.clone()
        }),
        Just(()).prop_map(move |()| Request::CharterVersions {
            coalition: c19.clone()
        }),
        (text(), text(), proptest::option::of(text())).prop_map(move |(member, reason, closes)| {
            Request::MemberRemoval {
                coalition: c17.clone(),
                member,
                body: members::RemovalRequest { reason, closes },
            }
        }),
    ]
}
