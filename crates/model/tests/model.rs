//! Behaviour of coalition documents: validation, multi-member reports, and convergence of
//! concurrent edits (property tests).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use model::*;
use proptest::prelude::*;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_700_000_000_000 + ms)
}

struct World {
    doc: CoalitionDoc,
    members: Vec<(MemberId, NodeKey)>,
}

fn profile(name: &str) -> MemberProfile {
    MemberProfile::named(name)
}

/// A coalition with `n` members, each with its own node key.
fn world(n: u8) -> World {
    let key = NodeKey::from_bytes([1; 32]);
    let founder = MemberId::from_bytes([1; 16]);
    let mut doc = CoalitionDoc::found(
        key,
        Founding {
            id: CoalitionId::from_bytes([9; 16]),
            name: "Transit Justice".into(),
            frame: "Fare-free buses".into(),
            values: vec!["solidarity".into()],
            commitments: vec!["nonviolence".into()],
            equity_threshold: None,
            founder_id: founder.clone(),
            founder: profile("Northside Tenants Union"),
            at: t(0),
        },
    )
    .unwrap();
    let mut members = vec![(founder.clone(), key)];
    for i in 2..=n {
        let id = MemberId::from_bytes([i; 16]);
        let k = NodeKey::from_bytes([i; 32]);
        doc.admit_member(
            &founder,
            &id,
            &profile(&format!("Org {i}")),
            k,
            t(i64::from(i)),
        )
        .unwrap();
        members.push((id, k));
    }
    World { doc, members }
}

fn new_issue(id: u8, title: &str) -> NewIssue {
    NewIssue {
        id: IssueId::from_bytes([id; 16]),
        title: title.into(),
        description: String::new(),
        tags: vec![],
        lead: None,
    }
}

fn new_pool(id: &PoolId, name: &str) -> NewPool {
    NewPool {
        id: id.clone(),
        name: name.into(),
        kind: PoolKind::Funds,
        unit: "USD".into(),
        description: String::new(),
    }
}

fn gift(entry: u8, kind: GiftKind, amount: &str) -> Gift {
    Gift {
        entry: EntryId::from_bytes([entry; 16]),
        kind,
        amount: amount.parse().unwrap(),
        note: String::new(),
    }
}

fn request(n: u8, amount: Amount, reason: &str) -> AllocationRequest {
    AllocationRequest {
        entry: EntryId::from_bytes([n; 16]),
        proposal: ProposalId::from_bytes([n; 16]),
        amount,
        reason: reason.into(),
    }
}

#[test]
fn founding_makes_the_creator_first_member_and_charter_version_one() {
    let mut w = world(1);
    let c = w.doc.read().unwrap();
    assert_eq!(c.members.len(), 1);
    assert_eq!(c.charter.version, 1);
    assert_eq!(c.charter_versions.len(), 1);
    assert_eq!(c.charter.rules.amendment.method(), Method::Consensus);
    assert_eq!(c.charter.rules.general.method(), Method::Majority);
    assert_eq!(
        w.doc.member_for_key(w.members[0].1).unwrap(),
        w.members[0].0
    );
    assert!(matches!(
        w.doc.member_for_key(NodeKey::from_bytes([77; 32])),
        Err(EditError::NotAMember { .. })
    ));
}

#[test]
fn validation_names_what_was_wrong_and_writes_nothing() {
    let mut w = world(2);
    let me = w.members[0].0.clone();
    let before = w.doc.heads();

    let e = w
        .doc
        .add_issue(&me, new_issue(1, "   "), t(10))
        .unwrap_err();
    assert_eq!(e.to_string(), "issue title must not be empty");

    let mut bad_lead = new_issue(1, "Bus fares");
    bad_lead.lead = Some(MemberId::from_bytes([0xee; 16]));
    let e = w.doc.add_issue(&me, bad_lead, t(10)).unwrap_err();
    assert!(e.to_string().starts_with("no member with id"), "{e}");

    let e = w
        .doc
        .give(
            &me,
            &PoolId::from_bytes([0xab; 16]),
            gift(1, GiftKind::Pledge, "5"),
            t(10),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("no pool with id `{}`", "ab".repeat(16))
    );

    let e = w
        .doc
        .add_issue(
            &me,
            NewIssue {
                title: "x".repeat(201),
                ..new_issue(1, "")
            },
            t(10),
        )
        .unwrap_err();
    assert!(matches!(e, EditError::TooLong { max: 200, .. }), "{e}");

    assert!("-5".parse::<Amount>().is_err());
    assert!(Rank::new(11).is_err());

    let outsider = MemberId::from_bytes([0x55; 16]);
    let e = w
        .doc
        .add_issue(&outsider, new_issue(1, "Fares"), t(10))
        .unwrap_err();
    assert!(matches!(e, EditError::NotAMember { .. }));

    assert_eq!(w.doc.heads(), before, "refused edits must not write");
}

#[test]
fn members_edit_their_own_profile() {
    let mut w = world(2);
    let me = w.members[1].0.clone();
    let update = ProfileUpdate {
        languages: Some(vec!["Spanish".into(), "ASL".into()]),
        contact: Some("organizers@example.org".into()),
        ..Default::default()
    };
    w.doc.update_profile(&me, update, t(5)).unwrap();
    let m = &w.doc.read().unwrap().members[me.as_str()];
    assert_eq!(m.languages, ["Spanish", "ASL"]);
    assert_eq!(m.contact, "organizers@example.org");
    assert_eq!(m.name, "Org 2", "fields not given stay as they were");
    let e = w
        .doc
        .update_profile(
            &me,
            ProfileUpdate {
                name: Some(" ".into()),
                ..Default::default()
            },
            t(6),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "organization name must not be empty");
}

#[test]
fn overlap_ranks_issues_by_sharers_then_priority() {
    let mut w = world(3);
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    w.doc
        .add_issue(&ids[0], new_issue(1, "Bus fare equity"), t(10))
        .unwrap();
    w.doc
        .add_issue(&ids[1], new_issue(2, "Wheelchair ramps"), t(11))
        .unwrap();
    w.doc
        .add_issue(&ids[2], new_issue(3, "Night routes"), t(12))
        .unwrap();
    let r = |n: u64| Rank::new(n).unwrap();
    // Fares: shared by all three. Ramps: two, high priority. Night routes: two, low priority.
    for (m, rank) in [(0, 1), (1, 2), (2, 3)] {
        w.doc
            .share_issue(&ids[m], &"01".repeat(16).parse().unwrap(), r(rank), t(20))
            .unwrap();
    }
    w.doc
        .share_issue(&ids[1], &"02".repeat(16).parse().unwrap(), r(1), t(21))
        .unwrap();
    w.doc
        .share_issue(&ids[2], &"02".repeat(16).parse().unwrap(), r(1), t(21))
        .unwrap();
    w.doc
        .share_issue(&ids[0], &"03".repeat(16).parse().unwrap(), r(9), t(22))
        .unwrap();
    w.doc
        .share_issue(&ids[2], &"03".repeat(16).parse().unwrap(), r(9), t(22))
        .unwrap();
    let report = reports::overlap(&w.doc.read().unwrap());
    let titles: Vec<&str> = report.issues.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Bus fare equity", "Wheelchair ramps", "Night routes"]
    );
    assert_eq!(report.issues[0].members_sharing, 3);
    assert_eq!(report.issues[0].score, 10 + 9 + 8);
    assert_eq!(report.members[ids[2].as_str()].len(), 3);
}

#[test]
fn pools_track_pledges_contributions_and_passed_allocations() {
    let mut w = world(3);
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let pool = PoolId::from_bytes([5; 16]);
    w.doc
        .create_pool(&ids[0], new_pool(&pool, "Legal defense fund"), t(1))
        .unwrap();
    let a = |s: &str| s.parse::<Amount>().unwrap();
    w.doc
        .give(&ids[0], &pool, gift(1, GiftKind::Pledge, "500"), t(2))
        .unwrap();
    w.doc
        .give(&ids[0], &pool, gift(2, GiftKind::Contribution, "400"), t(3))
        .unwrap();
    w.doc
        .give(&ids[1], &pool, gift(3, GiftKind::Contribution, "100"), t(4))
        .unwrap();
    let e = w
        .doc
        .request_allocation(&ids[2], &pool, request(4, a("600"), "bail"), t(5))
        .unwrap_err();
    assert!(matches!(e, EditError::InsufficientBalance { .. }), "{e}");
    let proposal = ProposalId::from_bytes([4; 16]);
    w.doc
        .request_allocation(&ids[2], &pool, request(4, a("300"), "bail fund"), t(5))
        .unwrap();
    let state = w.doc.read().unwrap();
    assert_eq!(
        reports::ledger(&state, &state.pools[pool.as_str()], t(6)).balance,
        "500"
    );
    // Allocation by simple majority: two of three agree.
    w.doc
        .take_position(&ids[0], &proposal, Stance::Agree, "", t(7))
        .unwrap();
    w.doc
        .take_position(&ids[1], &proposal, Stance::Agree, "", t(8))
        .unwrap();
    let state = w.doc.read().unwrap();
    let ledger = reports::ledger(&state, &state.pools[pool.as_str()], t(9));
    assert_eq!(
        (
            ledger.balance.as_str(),
            ledger.allocated.as_str(),
            ledger.pledged.as_str()
        ),
        ("200", "300", "500")
    );
    let equity = reports::equity(&state, t(9));
    let row = equity.pools[0]
        .members
        .iter()
        .find(|r| r.member == ids[2].as_str())
        .unwrap();
    assert_eq!((row.share_received, row.flagged), (100.0, true));
    assert_eq!(equity.flagged, vec![ids[2].to_string()]);
    // A decided proposal takes no more positions.
    let e = w
        .doc
        .take_position(&ids[2], &proposal, Stance::Disagree, "", t(10))
        .unwrap_err();
    assert!(
        matches!(
            e,
            EditError::ProposalDecided {
                outcome: Outcome::Passed,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn blocks_need_reasons_and_members_joining_later_do_not_vote() {
    let mut w = world(2);
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let p = ProposalId::from_bytes([8; 16]);
    w.doc
        .propose_amendment(
            &ids[0],
            NewProposal {
                id: p.clone(),
                kind: DecisionKind::Amendment,
                title: "Add a value".into(),
                text: String::new(),
                closes_at: None,
            },
            model::schema::Amendment {
                add_values: vec!["care".into()],
                ..Default::default()
            },
            t(1),
        )
        .unwrap();
    assert!(matches!(
        w.doc.take_position(&ids[1], &p, Stance::Block, " ", t(2)),
        Err(EditError::BlockWithoutReason)
    ));
    let late = MemberId::from_bytes([0x33; 16]);
    w.doc
        .admit_member(
            &ids[0],
            &late,
            &profile("Late Org"),
            NodeKey::from_bytes([0x33; 32]),
            t(3),
        )
        .unwrap();
    assert!(matches!(
        w.doc.take_position(&late, &p, Stance::Agree, "", t(4)),
        Err(EditError::NotInElectorate { .. })
    ));
    w.doc
        .take_position(
            &ids[1],
            &p,
            Stance::Block,
            "conflicts with our commitments",
            t(5),
        )
        .unwrap();
    let state = w.doc.read().unwrap();
    assert_eq!(
        reports::proposal_tally(&state.proposals[p.as_str()], t(6)).outcome,
        Outcome::Blocked
    );
}

#[test]
fn saved_documents_load_back_identically() {
    let mut w = world(2);
    let me = w.members[0].0.clone();
    w.doc.add_issue(&me, new_issue(1, "Fares"), t(1)).unwrap();
    let bytes = w.doc.save();
    let loaded = CoalitionDoc::load(&bytes, w.members[1].1).unwrap();
    assert_eq!(loaded.read().unwrap(), w.doc.read().unwrap());
    assert!(CoalitionDoc::load(b"not automerge", w.members[1].1).is_err());
}

/// An edit one member may make; ids are small numbers so that edits collide often.
#[derive(Debug, Clone)]
enum Op {
    AddIssue(u8, String),
    EditTitle(u8, String),
    EditDescription(u8, String),
    SetStatus(u8, IssueStatus),
    Share(u8, u64),
    Unshare(u8),
    AddTag(u8, String),
    Pledge(u8, u32),
}

fn op() -> impl Strategy<Value = Op> {
    let issue = 0u8..4;
    prop_oneof![
        (issue.clone(), "[a-z ]{1,12}").prop_map(|(i, s)| Op::AddIssue(i, s)),
        (issue.clone(), "[a-z ]{1,12}").prop_map(|(i, s)| Op::EditTitle(i, s)),
        (issue.clone(), "[a-z ]{0,20}").prop_map(|(i, s)| Op::EditDescription(i, s)),
        (
            issue.clone(),
            proptest::sample::select(IssueStatus::ALL.to_vec())
        )
            .prop_map(|(i, s)| Op::SetStatus(i, s)),
        (issue.clone(), 1u64..=10).prop_map(|(i, r)| Op::Share(i, r)),
        issue.clone().prop_map(Op::Unshare),
        (issue, proptest::sample::select(SUGGESTED_TAGS.to_vec()))
            .prop_map(|(i, t)| Op::AddTag(i, t.to_owned())),
        (0u8..200, 1u32..1000).prop_map(|(e, a)| Op::Pledge(e, a)),
    ]
}

fn issue_id(i: u8) -> String {
    IssueId::from_bytes([i + 1; 16]).to_string()
}

/// Applies `op` as `member`; refused edits (e.g. on an issue this copy does not have yet) are
/// part of normal life and are skipped.
fn apply(doc: &mut CoalitionDoc, member: &MemberId, op: &Op, at: Timestamp, salt: u8) {
    let pool = PoolId::from_bytes([0xfe; 16]);
    let _ = match op {
        Op::AddIssue(i, title) => doc
            .add_issue(member, new_issue(*i + 1, title), at)
            .map(|_| ()),
        Op::EditTitle(i, title) => doc
            .edit_issue(
                member,
                &issue_id(*i).parse().unwrap(),
                IssueEdit {
                    title: Some(title.clone()),
                    ..Default::default()
                },
                at,
            )
            .map(|_| ()),
        Op::EditDescription(i, d) => doc
            .edit_issue(
                member,
                &issue_id(*i).parse().unwrap(),
                IssueEdit {
                    description: Some(d.clone()),
                    ..Default::default()
                },
                at,
            )
            .map(|_| ()),
        Op::SetStatus(i, s) => doc
            .edit_issue(
                member,
                &issue_id(*i).parse().unwrap(),
                IssueEdit {
                    status: Some(*s),
                    ..Default::default()
                },
                at,
            )
            .map(|_| ()),
        Op::Share(i, r) => doc
            .share_issue(
                member,
                &issue_id(*i).parse().unwrap(),
                Rank::new(*r).unwrap(),
                at,
            )
            .map(|_| ()),
        Op::Unshare(i) => doc
            .unshare_issue(member, &issue_id(*i).parse().unwrap(), at)
            .map(|_| ()),
        Op::AddTag(i, tag) => doc
            .edit_issue(
                member,
                &issue_id(*i).parse().unwrap(),
                IssueEdit {
                    add_tags: vec![tag.clone()],
                    ..Default::default()
                },
                at,
            )
            .map(|_| ()),
        Op::Pledge(e, a) => {
            let entry = EntryId::from_bytes([*e, salt, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
            let amount = Amount::from_hundredths(i64::from(*a)).unwrap();
            doc.give(
                member,
                &pool,
                Gift {
                    entry,
                    kind: GiftKind::Pledge,
                    amount,
                    note: String::new(),
                },
                at,
            )
            .map(|_| ())
        }
    };
}

fn three_copies() -> (Vec<CoalitionDoc>, Vec<MemberId>) {
    let mut w = world(3);
    let founder = w.members[0].0.clone();
    w.doc
        .create_pool(
            &founder,
            new_pool(&PoolId::from_bytes([0xfe; 16]), "Fund"),
            t(5),
        )
        .unwrap();
    let ids = w.members.iter().map(|m| m.0.clone()).collect();
    let copies = w.members.iter().map(|(_, k)| w.doc.fork_as(*k)).collect();
    (copies, ids)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Three members edit their own copies concurrently; merging the copies in any order gives
    /// every copy the same state.
    #[test]
    fn concurrent_edits_converge_in_any_merge_order(
        ops in proptest::collection::vec((0usize..3, op()), 1..40),
        order in Just([0usize, 1, 2]).prop_shuffle(),
    ) {
        let (mut copies, ids) = three_copies();
        for (step, (who, op)) in ops.iter().enumerate() {
            apply(&mut copies[*who], &ids[*who], op, t(100 + step as i64), *who as u8);
        }
        // Merge everyone into a fresh copy in the shuffled order, and pairwise the other way.
        let mut a = copies[order[0]].fork_as(NodeKey::from_bytes([0xa0; 32]));
        for &i in &order[1..] {
            a.merge(&mut copies[i]).unwrap();
        }
        let mut b = copies[2].fork_as(NodeKey::from_bytes([0xb0; 32]));
        b.merge(&mut copies[1]).unwrap();
        b.merge(&mut copies[0]).unwrap();
        prop_assert_eq!(a.heads().len(), b.heads().len());
        let (sa, sb) = (a.read().unwrap(), b.read().unwrap());
        prop_assert_eq!(&sa, &sb);
        prop_assert_eq!(
            serde_json::to_string(&reports::overlap(&sa)).unwrap(),
            serde_json::to_string(&reports::overlap(&sb)).unwrap()
        );
    }

    /// Positions taken on different copies give the same tally whatever order they merge in.
    #[test]
    fn tallies_do_not_depend_on_arrival_order(
        stances in proptest::collection::vec(proptest::option::of(proptest::sample::select(Stance::ALL.to_vec())), 3),
        order in Just([0usize, 1, 2]).prop_shuffle(),
    ) {
        let (mut copies, ids) = three_copies();
        let p = ProposalId::from_bytes([0x77; 16]);
        copies[0].new_proposal(&ids[0], NewProposal { id: p.clone(), kind: DecisionKind::General, title: "Adopt".into(), text: String::new(), closes_at: None }, t(10)).unwrap();
        let mut base = copies[0].fork_as(NodeKey::from_bytes([0xc0; 32]));
        for (i, copy) in copies.iter_mut().enumerate().skip(1) {
            copy.merge(&mut base).unwrap();
            if let Some(s) = stances[i] {
                copy.take_position(&ids[i], &p, s, "a reason", t(20 + i as i64)).unwrap();
            }
        }
        if let Some(s) = stances[0] {
            copies[0].take_position(&ids[0], &p, s, "a reason", t(20)).unwrap();
        }
        let mut merged = copies[order[0]].fork_as(NodeKey::from_bytes([0xd0; 32]));
        for &i in &order[1..] {
            merged.merge(&mut copies[i]).unwrap();
        }
        let state = merged.read().unwrap();
        let got = reports::proposal_tally(&state.proposals[p.as_str()], t(100));
        let expected_positions: std::collections::BTreeMap<String, Stance> = ids
            .iter()
            .zip(&stances)
            .filter_map(|(m, s)| s.map(|s| (m.to_string(), s)))
            .collect();
        let electorate: Vec<String> = ids.iter().map(|m| m.to_string()).collect();
        prop_assert_eq!(got, tally(state.charter.rules.general, &electorate, &expected_positions, false));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Loading arbitrary bytes, or a real document with bytes flipped or cut, gives a document
    /// or an error, never a panic; a document that loads can be read or refused cleanly.
    #[test]
    fn damaged_documents_are_refused_without_panic(
        garbage in proptest::collection::vec(any::<u8>(), 0..512),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let key = NodeKey::from_bytes([5; 32]);
        let _ = CoalitionDoc::load(&garbage, key).map(|d| d.read());
        let mut w = world(2);
        let me = w.members[0].0.clone();
        w.doc.add_issue(&me, new_issue(1, "Fares"), t(1)).unwrap();
        let mut bytes = w.doc.save();
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        let _ = CoalitionDoc::load(&bytes, key).map(|d| d.read());
        let _ = CoalitionDoc::load(&bytes[..cut.index(bytes.len())], key).map(|d| d.read());
    }
}

/// Two members agree on `proposal` at `at` and `at + 1`.
fn pass(
    doc: &mut CoalitionDoc,
    ids: &[MemberId],
    proposal: &ProposalId,
    voters: [usize; 2],
    at: i64,
) {
    for (i, v) in voters.into_iter().enumerate() {
        doc.take_position(&ids[v], proposal, Stance::Agree, "", t(at + i as i64))
            .unwrap();
    }
}

/// A pool holding 40 USD with two requests of 30 open on it (both fit when asked).
fn pool_with_two_requests() -> (World, Vec<MemberId>, PoolId) {
    let mut w = world(3);
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let pool = PoolId::from_bytes([5; 16]);
    w.doc
        .create_pool(&ids[0], new_pool(&pool, "Bail fund"), t(1))
        .unwrap();
    w.doc
        .give(&ids[0], &pool, gift(1, GiftKind::Contribution, "40"), t(2))
        .unwrap();
    let a = |s: &str| s.parse::<Amount>().unwrap();
    w.doc
        .request_allocation(&ids[1], &pool, request(3, a("30"), "rent"), t(3))
        .unwrap();
    w.doc
        .request_allocation(&ids[2], &pool, request(4, a("30"), "bail"), t(4))
        .unwrap();
    (w, ids, pool)
}

fn funding_of(state: &Coalition, pool: &PoolId, entry: u8) -> reports::Funding {
    reports::funds(state, &state.pools[pool.as_str()], t(100))
        .requests
        .remove(&EntryId::from_bytes([entry; 16]))
        .unwrap()
}

#[test]
fn a_pool_never_goes_below_zero_the_later_decided_request_is_unfunded() {
    let (mut w, ids, pool) = pool_with_two_requests();
    // The second request is decided first; the first one after it no longer fits.
    pass(
        &mut w.doc,
        &ids,
        &ProposalId::from_bytes([4; 16]),
        [0, 1],
        10,
    );
    pass(
        &mut w.doc,
        &ids,
        &ProposalId::from_bytes([3; 16]),
        [0, 2],
        20,
    );
    let state = w.doc.read().unwrap();
    let ledger = reports::ledger(&state, &state.pools[pool.as_str()], t(100));
    assert_eq!(
        (ledger.balance.as_str(), ledger.allocated.as_str()),
        ("10", "30")
    );
    assert!(ledger.entries.iter().all(|l| !l.balance.starts_with('-')));
    assert_eq!(
        funding_of(&state, &pool, 4),
        reports::Funding::Funded { at: t(11) }
    );
    assert_eq!(
        funding_of(&state, &pool, 3),
        reports::Funding::Unfunded {
            at: t(21),
            available: "10".into()
        }
    );
    // The ledger lists money out when it went out: the funded request after the
    // contribution, the unfunded one last, and the totals agree with the equity report.
    let kinds: Vec<_> = ledger
        .entries
        .iter()
        .map(|l| (l.entry.clone(), l.balance.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EntryId::from_bytes([1; 16]), "40".to_owned()),
            (EntryId::from_bytes([4; 16]), "10".to_owned()),
            (EntryId::from_bytes([3; 16]), "10".to_owned()),
        ]
    );
    let equity = reports::equity(&state, t(100));
    let received: Vec<_> = equity.pools[0]
        .members
        .iter()
        .map(|r| r.received.clone())
        .collect();
    assert_eq!(received, vec!["0", "0", "30"]);
    // A new request is judged against what the pool holds after funding.
    let e = w
        .doc
        .request_allocation(
            &ids[1],
            &pool,
            request(5, "20".parse().unwrap(), "rent again"),
            t(30),
        )
        .unwrap_err();
    assert!(
        matches!(&e, EditError::InsufficientBalance { available, .. } if available == "10"),
        "{e}"
    );
}

#[test]
fn requests_approved_on_partitioned_nodes_are_funded_alike_after_merging() {
    let (mut w, ids, pool) = pool_with_two_requests();
    let mut left = w.doc.fork_as(NodeKey::from_bytes([0xa1; 32]));
    let mut right = w.doc.fork_as(NodeKey::from_bytes([0xa2; 32]));
    // Apart, each side passes a different request: each alone funds its own.
    pass(
        &mut left,
        &ids,
        &ProposalId::from_bytes([3; 16]),
        [0, 1],
        10,
    );
    pass(
        &mut right,
        &ids,
        &ProposalId::from_bytes([4; 16]),
        [0, 2],
        12,
    );
    for (doc, funded, entry) in [(&mut left, 3u8, 4u8), (&mut right, 4, 3)] {
        let state = doc.read().unwrap();
        assert!(matches!(
            funding_of(&state, &pool, funded),
            reports::Funding::Funded { .. }
        ));
        assert_eq!(
            funding_of(&state, &pool, entry),
            reports::Funding::NotDecided
        );
    }
    // Merged either way: the one decided first (at 11, before 13) is funded, the other is
    // unfunded with the reason, on both sides.
    let mut a = left.fork_as(NodeKey::from_bytes([0xb1; 32]));
    a.merge(&mut right).unwrap();
    let mut b = right.fork_as(NodeKey::from_bytes([0xb2; 32]));
    b.merge(&mut left).unwrap();
    for doc in [&mut a, &mut b] {
        let state = doc.read().unwrap();
        assert_eq!(
            funding_of(&state, &pool, 3),
            reports::Funding::Funded { at: t(11) }
        );
        assert_eq!(
            funding_of(&state, &pool, 4),
            reports::Funding::Unfunded {
                at: t(13),
                available: "10".into()
            }
        );
        assert_eq!(
            reports::ledger(&state, &state.pools[pool.as_str()], t(100)).balance,
            "10"
        );
    }
}
