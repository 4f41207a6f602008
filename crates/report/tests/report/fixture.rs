//! A realistic coalition to report on: six member groups of a regional transit coalition,
//! two goals measured over months, an inventory with tags and evidence, a pool with gifts and
//! allocations, decisions passed, blocked and failed, meetings, and a charter amendment.

use model::*;

/// The moment `day` at `hour` UTC.
pub(crate) fn at(day: &str, hour: i8) -> Timestamp {
    let t: jiff::Timestamp = format!("{day}T{hour:02}:00:00Z").parse().unwrap();
    Timestamp::from_millis(t.as_millisecond())
}

pub(crate) fn day(d: &str) -> Day {
    d.parse().unwrap()
}

pub(crate) fn member(i: u8) -> MemberId {
    MemberId::from_bytes([i; 16])
}

/// The members' names, in id order.
pub(crate) const NAMES: [&str; 6] = [
    "Eastside Tenants",
    "Bus Riders United",
    "St. Mary's Church",
    "Transit Workers Local 32",
    "Familias Unidas",
    "Disability Rights Now",
];

pub(crate) struct Fixture {
    pub(crate) doc: CoalitionDoc,
}

fn profile(i: usize, communities: &[&str], languages: &[&str], access: &[&str]) -> MemberProfile {
    MemberProfile {
        name: NAMES[i].into(),
        communities: communities.iter().map(|s| (*s).into()).collect(),
        languages: languages.iter().map(|s| (*s).into()).collect(),
        accessibility: access.iter().map(|s| (*s).into()).collect(),
        contact: format!("organizer{i}@example.org"),
    }
}

fn proposal(n: u8, kind: DecisionKind, title: &str, closes: Option<Timestamp>) -> NewProposal {
    NewProposal {
        id: ProposalId::from_bytes([n; 16]),
        kind,
        title: title.into(),
        text: String::new(),
        closes_at: closes,
    }
}

/// Every member agrees in turn, until the proposal is decided (a position after that is
/// refused).
fn agree_until_decided(doc: &mut CoalitionDoc, proposal: u8, d: &str) {
    for s in 1..=6u8 {
        match doc.take_position(
            &member(s),
            &ProposalId::from_bytes([proposal; 16]),
            Stance::Agree,
            "",
            at(d, 10 + s as i8),
        ) {
            Ok(_) => {}
            Err(EditError::ProposalDecided { .. }) => return,
            Err(e) => panic!("{e}"),
        }
    }
}

pub(crate) fn fixture() -> Fixture {
    let key = |i: u8| NodeKey::from_bytes([i; 32]);
    let founder = member(1);
    let mut doc = CoalitionDoc::found(
        key(1),
        Founding {
            id: CoalitionId::from_bytes([9; 16]),
            name: "Harbor Transit Justice".into(),
            frame: "Buses that every family can afford and reach.".into(),
            values: vec!["solidarity".into()],
            commitments: vec!["nonviolence".into()],
            equity_threshold: None,
            founder_id: founder.clone(),
            founder: profile(0, &["tenants", "housing"], &["en", "es"], &[]),
            at: at("2026-01-05", 15),
        },
    )
    .unwrap();
    let profiles = [
        profile(1, &["bus riders"], &["en"], &["captioning"]),
        profile(2, &["faith"], &["en", "es"], &["step-free venue"]),
        profile(3, &["labor"], &["en"], &[]),
        profile(4, &["immigrants", "latino"], &["es"], &["childcare"]),
        profile(
            5,
            &["disability"],
            &["en", "ase"],
            &["sign language", "step-free venue"],
        ),
    ];
    for (i, p) in profiles.iter().enumerate() {
        let n = u8::try_from(i).unwrap() + 2;
        doc.admit_member(
            &founder,
            &member(n),
            p,
            key(n),
            at("2026-01-06", 10 + n as i8),
        )
        .unwrap();
    }
    let m = member;

    // Goals, measured over months.
    let fares = GoalId::from_bytes([1; 16]);
    doc.add_goal(
        &m(2),
        &fares,
        "Fare-free buses",
        "100".parse().unwrap(),
        "percent",
        at("2026-01-10", 12),
    )
    .unwrap();
    for (d, v, note) in [
        ("2026-01-20", "10", "City budget line"),
        ("2026-03-15", "25", "Two routes free"),
        ("2026-06-10", "40", "Four routes free"),
    ] {
        doc.record_progress(&m(2), &fares, day(d), v.parse().unwrap(), note, at(d, 18))
            .unwrap();
    }
    let shelters = GoalId::from_bytes([2; 16]);
    doc.add_goal(
        &m(6),
        &shelters,
        "New bus shelters",
        "50".parse().unwrap(),
        "shelters",
        at("2026-01-10", 13),
    )
    .unwrap();
    for (d, v) in [
        ("2026-02-01", "12"),
        ("2026-05-01", "30"),
        ("2026-06-20", "52"),
    ] {
        doc.record_progress(
            &m(6),
            &shelters,
            day(d),
            v.parse().unwrap(),
            "Counted by our members",
            at(d, 18),
        )
        .unwrap();
    }
    let ramps = GoalId::from_bytes([3; 16]);
    doc.add_goal(
        &m(6),
        &ramps,
        "Ramps at every stop",
        "200".parse().unwrap(),
        "stops",
        at("2026-01-10", 14),
    )
    .unwrap();

    // The issue inventory.
    let issues = [
        (
            1,
            "Fares too high for low-wage workers",
            vec!["low income", "labor"],
            4,
        ),
        (2, "No shelter at Eastside stops", vec!["tenants"], 1),
        (3, "Broken ramps on Route 9", vec!["disability"], 6),
        (4, "Signs only in English", vec!["immigrants"], 5),
        (
            5,
            "Night buses stop too early",
            vec!["labor", "low income"],
            4,
        ),
        (6, "Parking fees at the church lot", vec![], 3),
    ];
    for (n, title, tags, lead) in issues {
        doc.add_issue(
            &m(lead),
            NewIssue {
                id: IssueId::from_bytes([n; 16]),
                title: title.into(),
                description: "What we heard at our meetings.".into(),
                tags: tags.into_iter().map(Into::into).collect(),
                lead: Some(m(lead)),
            },
            at("2026-02-02", 9 + n as i8),
        )
        .unwrap();
    }
    for (n, sharers) in [
        (1, vec![4, 1, 2]),
        (2, vec![1, 2]),
        (3, vec![6, 2]),
        (4, vec![5]),
        (5, vec![4, 2]),
    ] {
        for (rank, s) in sharers.into_iter().enumerate() {
            doc.share_issue(
                &m(s),
                &IssueId::from_bytes([n; 16]),
                Rank::new(rank as u64 + 1).unwrap(),
                at("2026-02-10", 12),
            )
            .unwrap();
        }
    }
    doc.add_evidence(
        &m(4),
        &IssueId::from_bytes([1; 16]),
        "Rider survey",
        "62% of riders earn under $30,000",
        "race and income",
        at("2026-02-15", 12),
    )
    .unwrap();
    doc.add_evidence(
        &m(6),
        &IssueId::from_bytes([3; 16]),
        "City audit",
        "41 of 120 ramps broken",
        "",
        at("2026-02-16", 12),
    )
    .unwrap();

    // A pool: gifts, pledges, two requests (one passes, one is blocked).
    let pool = PoolId::from_bytes([1; 16]);
    doc.create_pool(
        &m(1),
        NewPool {
            id: pool.clone(),
            name: "Campaign fund".into(),
            kind: PoolKind::Funds,
            unit: "USD".into(),
            description: String::new(),
        },
        at("2026-02-01", 10),
    )
    .unwrap();
    for (e, who, kind, amount) in [
        (1, 1, GiftKind::Contribution, "1500"),
        (2, 4, GiftKind::Contribution, "2500"),
        (3, 3, GiftKind::Contribution, "800"),
        (4, 2, GiftKind::Pledge, "500"),
    ] {
        doc.give(
            &m(who),
            &pool,
            Gift {
                entry: EntryId::from_bytes([e; 16]),
                kind,
                amount: amount.parse().unwrap(),
                note: String::new(),
            },
            at("2026-03-01", 10 + e as i8),
        )
        .unwrap();
    }
    doc.request_allocation(
        &m(5),
        &pool,
        AllocationRequest {
            entry: EntryId::from_bytes([10; 16]),
            proposal: ProposalId::from_bytes([10; 16]),
            amount: "1200".parse().unwrap(),
            reason: "Spanish flyers for Route 9".into(),
        },
        at("2026-04-01", 10),
    )
    .unwrap();
    agree_until_decided(&mut doc, 10, "2026-04-03");

    // Decisions: one by consensus, an amendment, one blocked, one failed, one still open.
    doc.new_proposal(
        &m(2),
        proposal(20, DecisionKind::General, "Join the May Day rally", None),
        at("2026-04-10", 10),
    )
    .unwrap();
    agree_until_decided(&mut doc, 20, "2026-04-12");
    doc.propose_amendment(
        &m(6),
        proposal(23, DecisionKind::Amendment, "Statements need consent", None),
        schema::Amendment {
            add_values: vec!["access for all".into()],
            rules: vec![schema::RuleChange {
                kind: RuleKind::PublicStatement,
                rule: Some(Rule::new(Method::Consent, Fraction::HALF)),
            }],
            ..Default::default()
        },
        at("2026-04-20", 10),
    )
    .unwrap();
    agree_until_decided(&mut doc, 23, "2026-04-21");
    doc.new_proposal(
        &m(4),
        proposal(
            21,
            DecisionKind::PublicStatement,
            "Back the mayor's transit plan",
            None,
        ),
        at("2026-05-01", 10),
    )
    .unwrap();
    doc.take_position(
        &m(4),
        &ProposalId::from_bytes([21; 16]),
        Stance::Agree,
        "",
        at("2026-05-02", 10),
    )
    .unwrap();
    doc.take_position(
        &m(3),
        &ProposalId::from_bytes([21; 16]),
        Stance::Block,
        "We do not back candidates.",
        at("2026-05-03", 10),
    )
    .unwrap();
    doc.new_proposal(
        &m(1),
        proposal(
            22,
            DecisionKind::General,
            "Hold a fare strike",
            Some(at("2026-05-20", 12)),
        ),
        at("2026-05-10", 10),
    )
    .unwrap();
    doc.take_position(
        &m(1),
        &ProposalId::from_bytes([22; 16]),
        Stance::Agree,
        "",
        at("2026-05-11", 10),
    )
    .unwrap();
    doc.take_position(
        &m(4),
        &ProposalId::from_bytes([22; 16]),
        Stance::Agree,
        "",
        at("2026-05-11", 11),
    )
    .unwrap();
    doc.take_position(
        &m(3),
        &ProposalId::from_bytes([22; 16]),
        Stance::Disagree,
        "",
        at("2026-05-12", 10),
    )
    .unwrap();
    doc.take_position(
        &m(2),
        &ProposalId::from_bytes([22; 16]),
        Stance::Disagree,
        "",
        at("2026-05-12", 11),
    )
    .unwrap();
    doc.take_position(
        &m(6),
        &ProposalId::from_bytes([22; 16]),
        Stance::Disagree,
        "",
        at("2026-05-12", 12),
    )
    .unwrap();
    doc.new_proposal(
        &m(5),
        proposal(24, DecisionKind::General, "Print signs in Spanish", None),
        at("2026-06-25", 10),
    )
    .unwrap();

    // Meetings.
    for (n, d, facilitator, attendance) in [
        (1, "2026-02-10", 1, vec![1, 2, 3, 4, 6]),
        (2, "2026-04-12", 2, vec![1, 2, 4, 5, 6]),
        (3, "2026-06-02", 6, vec![1, 2, 3, 4, 5, 6]),
    ] {
        doc.add_meeting(
            &m(facilitator),
            NewMeeting {
                id: MeetingId::from_bytes([n; 16]),
                day: day(d),
                facilitator: m(facilitator),
                attendance: attendance.into_iter().map(m).collect(),
                agenda: vec!["Check-in".into(), "Campaign updates".into()],
                minutes: "We shared news from each group.".into(),
                decisions: vec![],
                checkins: vec![],
                timeboxes: vec![],
            },
            at(d, 20),
        )
        .unwrap();
    }
    Fixture { doc }
}
