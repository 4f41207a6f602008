//! The rules every node enforces on received changes: every edit the model makes for a member
//! passes them (property test), and each kind of write a hostile member's node could make
//! into its own copy is refused with the rule it broke.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use model::automerge::transaction::Transactable;
use model::automerge::{AutoCommit, ObjType};
use model::rules::Violation;
use model::*;
use proptest::prelude::*;

mod common;
use common::*;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_700_000_000_000 + ms)
}

const POOL: [u8; 16] = [0xfe; 16];
const PROPOSAL: [u8; 16] = [0x77; 16];

/// A coalition of three members (1 founded it and admitted 2 and 3), with a pool, an issue
/// and an open general proposal; returned as each member's copy.
fn coalition() -> Vec<CoalitionDoc> {
    let mut doc = three_members(t(0), t(1));
    doc.create_pool(
        &member(1),
        NewPool {
            id: PoolId::from_bytes(POOL),
            name: "Legal fund".into(),
            kind: PoolKind::Funds,
            unit: "USD".into(),
            description: String::new(),
        },
        t(2),
    )
    .unwrap();
    doc.add_issue(
        &member(1),
        NewIssue {
            id: IssueId::from_bytes([1; 16]),
            title: "Bus fares".into(),
            description: "Fares rose 40%".into(),
            tags: vec![],
            lead: None,
        },
        t(3),
    )
    .unwrap();
    doc.new_proposal(
        &member(1),
        NewProposal {
            id: ProposalId::from_bytes(PROPOSAL),
            kind: DecisionKind::General,
            title: "March on city hall".into(),
            text: String::new(),
            closes_at: None,
        },
        t(4),
    )
    .unwrap();
    (1..=3).map(|i| doc.fork_as(key(i))).collect()
}

/// A hostile node's raw write: member `who`'s copy, edited directly with Automerge.
fn raw(docs: &mut [CoalitionDoc], who: usize, f: impl FnOnce(&mut AutoCommit)) -> CoalitionDoc {
    let mut d = docs[who].fork_as(key(who as u8 + 1));
    f(d.automerge_mut());
    d.automerge_mut().commit();
    d
}

fn proposal() -> String {
    ProposalId::from_bytes(PROPOSAL).to_string()
}

#[test]
fn the_founding_history_passes() {
    let mut docs = coalition();
    assert_eq!(verdict(&mut docs[0]), Ok(()));
}

#[test]
fn a_member_may_not_take_a_position_for_another() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let positions = obj(d, &["proposals", &proposal(), "positions"]);
        let p = d
            .put_object(&positions, member(1).as_str(), ObjType::Map)
            .unwrap();
        d.put(&p, "stance", "agree").unwrap();
        d.put(&p, "reason", "").unwrap();
        d.put(&p, "at", 5i64).unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(&err, Violation::NotOwner { owner, .. } if owner == member(1).as_str()),
        "{err}"
    );
    assert!(err.to_string().contains("positions"), "{err}");
}

#[test]
fn a_member_may_not_change_another_members_position() {
    let mut docs = coalition();
    docs[0]
        .take_position(
            &member(1),
            &proposal().parse().unwrap(),
            Stance::Disagree,
            "",
            t(5),
        )
        .unwrap();
    let mut first = docs[0].fork_as(key(2));
    docs[1].merge(&mut first).unwrap();
    let mut d = raw(&mut docs, 1, |d| {
        let p = obj(
            d,
            &["proposals", &proposal(), "positions", member(1).as_str()],
        );
        d.put(&p, "stance", "agree").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
}

#[test]
fn a_member_may_not_rank_an_issue_for_another() {
    let mut docs = coalition();
    let issue = IssueId::from_bytes([1; 16]).to_string();
    let mut d = raw(&mut docs, 2, |d| {
        let ranks = obj(d, &["issues", &issue, "ranks"]);
        d.put(&ranks, member(1).as_str(), 9u64).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
}

/// Member `who` pledges 100 to the pool through the model, as ledger entry `[entry; 16]`.
fn pledge(doc: &mut CoalitionDoc, who: u8, entry: u8) {
    doc.give(
        &member(who),
        &PoolId::from_bytes(POOL),
        Gift {
            entry: EntryId::from_bytes([entry; 16]),
            kind: GiftKind::Pledge,
            amount: "100".parse().unwrap(),
            note: String::new(),
        },
        t(6),
    )
    .unwrap();
}

#[test]
fn a_member_may_not_pledge_in_another_members_name() {
    let mut docs = coalition();
    // Member 2's own pledge passes; a ledger entry it writes in member 1's name does not.
    pledge(&mut docs[1], 2, 5);
    let mut honest = docs[1].fork_as(key(2));
    assert_eq!(verdict(&mut honest), Ok(()));
    let mut d = forged_pledge(&mut docs, 1, true);
    let err = verdict(&mut d).unwrap_err();
    assert!(matches!(&err, Violation::BadRecord { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("member names {}", member(1))),
        "{err}"
    );
}

/// A valid record id for forged records.
const FORGED: &str = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";

/// Member 2's node writes a pledge entry by hand in the name of member `of`, with its
/// optional `proposal` (null) or without it.
fn forged_pledge(docs: &mut [CoalitionDoc], of: u8, proposal: bool) -> CoalitionDoc {
    let pool = PoolId::from_bytes(POOL).to_string();
    raw(docs, 1, |d| {
        let ledger = obj(d, &["pools", &pool, "ledger"]);
        let e = d.put_object(&ledger, FORGED, ObjType::Map).unwrap();
        for (k, v) in [
            ("id", FORGED),
            ("kind", "pledge"),
            ("member", member(of).as_str()),
            ("note", ""),
        ] {
            d.put(&e, k, v).unwrap();
        }
        d.put(&e, "amount", 100_000i64).unwrap();
        d.put(&e, "at", 6i64).unwrap();
        if proposal {
            d.put(&e, "proposal", ()).unwrap();
        }
    })
}

#[test]
fn ledger_entries_are_permanent() {
    let mut docs = coalition();
    pledge(&mut docs[1], 2, 5);
    let pool = PoolId::from_bytes(POOL).to_string();
    let entry = EntryId::from_bytes([5; 16]).to_string();
    let mut d = raw(&mut docs, 1, |d| {
        let e = obj(d, &["pools", &pool, "ledger", &entry]);
        d.put(&e, "amount", 1i64).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));
}

#[test]
fn a_member_may_not_edit_another_members_profile_or_keys() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let m = obj(d, &["members", member(1).as_str()]);
        d.put(&m, "name", "Defunct").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(1).as_str(), "keys"]);
        d.insert(&keys, 0, key(2).to_string()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
    // Its own device keys are its own to add, but not another member's key.
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(2).as_str(), "keys"]);
        d.insert(&keys, 1, key(7).to_string()).unwrap();
    });
    assert_eq!(verdict(&mut d), Ok(()));
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(2).as_str(), "keys"]);
        d.insert(&keys, 1, key(1).to_string()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::BadRecord { .. })));
}

#[test]
fn the_charter_and_member_list_change_only_through_proposals() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let rule = obj(d, &["charter", "rules", "amendment"]);
        d.put(&rule, "method", "majority").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Governed { .. })));
    let mut d = raw(&mut docs, 1, |d| {
        let members = obj(d, &["members"]);
        d.delete(&members, member(1).as_str()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Governed { .. })));
    let mut d = raw(&mut docs, 0, |d| {
        let charter = obj(d, &["charter"]);
        d.put(&charter, "name", "Mine now").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Governed { .. })));
}

#[test]
fn a_proposal_must_carry_the_charters_rule_and_the_whole_membership() {
    let mut docs = coalition();
    // An amendment opened honestly, then one that lowers its own bar.
    docs[1]
        .propose_amendment(
            &member(2),
            NewProposal {
                id: ProposalId::from_bytes([0x88; 16]),
                kind: DecisionKind::Amendment,
                title: "Admission by vote".into(),
                text: String::new(),
                closes_at: None,
            },
            model::schema::Amendment {
                add_values: vec!["admission by vote".into()],
                ..Default::default()
            },
            t(7),
        )
        .unwrap();
    let mut honest = docs[1].fork_as(key(2));
    assert_eq!(verdict(&mut honest), Ok(()));
    let id = ProposalId::from_bytes([0x88; 16]).to_string();
    let mut d = raw(&mut docs, 1, |d| {
        let rule = obj(d, &["proposals", &id, "rule"]);
        d.put(&rule, "method", "majority").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));

    // Written whole in one change with a rule of its own choosing.
    let mut fresh = coalition();
    let h = Handmade {
        id: id.clone(),
        kind: "amendment",
        rule: ("majority", None, "1/3"),
        electorate: &[2],
    };
    let mut d = handmade_proposal(&mut fresh, h, |_, _| {});
    let err = verdict(&mut d).unwrap_err();
    assert!(matches!(&err, Violation::BadRecord { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("the charter's rule for amendment decisions is consensus"),
        "{err}"
    );
}

#[test]
fn an_outsider_and_a_second_founding_are_refused() {
    let mut docs = coalition();
    let mut d = docs[0].fork_as(key(9));
    d.add_issue(
        &member(1),
        NewIssue {
            id: IssueId::from_bytes([2; 16]),
            title: "Sneaky".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
        t(8),
    )
    .unwrap();
    assert!(matches!(verdict(&mut d), Err(Violation::NotAMember { .. })));

    // Member 2 founds "the same" coalition again as a root of its own.
    let mut docs = coalition();
    let mut other = CoalitionDoc::found(
        key(2),
        Founding::new(
            CoalitionId::from_bytes([9; 16]),
            "Takeover",
            member(2),
            profile("Org 2"),
            t(9),
        ),
    )
    .unwrap();
    docs[0].merge(&mut other).unwrap();
    // Whichever root comes first in the history, the other is a second founding.
    assert_eq!(verdict(&mut docs[0]), Err(Violation::SecondFounding));
}

#[test]
fn shared_records_may_be_edited_by_any_member() {
    let mut docs = coalition();
    let issue = IssueId::from_bytes([1; 16]).to_string();
    docs[2]
        .edit_issue(
            &member(3),
            &issue.parse().unwrap(),
            IssueEdit {
                title: Some("Bus fares and routes".into()),
                description: Some("Fares rose 40% and routes were cut".into()),
                ..Default::default()
            },
            t(9),
        )
        .unwrap();
    assert_eq!(verdict(&mut docs[2]), Ok(()));
}

#[derive(Debug, Clone)]
enum Edit {
    Issue(u8),
    Title(u8),
    Share(u8, u64),
    Unshare(u8),
    Pledge(u8),
    Position(u8),
    Profile(String),
    Proposal(u8, DecisionKind),
    Goal(u8),
    Progress(u8),
    Meeting(u8),
    Request(u8),
    Amend(u8, usize),
    Vote(usize, u8),
    Remove(u8),
    Leave,
    Restore(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let n = 0u8..4;
    prop_oneof![
        n.clone().prop_map(Edit::Issue),
        n.clone().prop_map(Edit::Title),
        (n.clone(), 1u64..5).prop_map(|(i, r)| Edit::Share(i, r)),
        n.clone().prop_map(Edit::Unshare),
        n.clone().prop_map(Edit::Pledge),
        n.clone().prop_map(Edit::Position),
        "[a-z]{1,8}".prop_map(Edit::Profile),
        (
            n.clone(),
            proptest::sample::select(DecisionKind::ALL.to_vec())
        )
            .prop_map(|(i, k)| Edit::Proposal(i, k)),
        n.clone().prop_map(Edit::Goal),
        n.clone().prop_map(Edit::Progress),
        n.clone().prop_map(Edit::Meeting),
        n.clone().prop_map(Edit::Request),
        (n.clone(), 0..model::RuleKind::ALL.len()).prop_map(|(i, k)| Edit::Amend(i, k)),
        (0usize..8, 0u8..4).prop_map(|(p, s)| Edit::Vote(p, s)),
        (1u8..4).prop_map(Edit::Remove),
        Just(Edit::Leave),
        (0usize..40).prop_map(Edit::Restore),
    ]
}

/// Applies an edit through the model as member `who`; edits the model refuses (an issue this
/// copy lacks, a position on a decided proposal) are skipped, as a member's node would.
/// Returns whether the edit was made.
fn apply(doc: &mut CoalitionDoc, who: u8, e: &Edit, at: Timestamp) -> bool {
    let by = member(who);
    let id = |n: u8| [n, who, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let issue = |n: u8| IssueId::from_bytes([n + 1; 16]).to_string();
    let pool = PoolId::from_bytes(POOL).to_string();
    let made = match e {
        Edit::Issue(n) => doc
            .add_issue(
                &by,
                NewIssue {
                    id: IssueId::from_bytes([n + 1; 16]),
                    title: format!("Issue {n}"),
                    description: String::new(),
                    tags: vec!["housing".into()],
                    lead: None,
                },
                at,
            )
            .map(|_| ()),
        Edit::Title(n) => doc
            .edit_issue(
                &by,
                &issue(*n).parse().unwrap(),
                IssueEdit {
                    title: Some(format!("Renamed by {who}")),
                    description: Some(format!("Text by {who}")),
                    add_tags: vec!["transit".into()],
                    ..Default::default()
                },
                at,
            )
            .map(|_| ()),
        Edit::Share(n, r) => doc
            .share_issue(&by, &issue(*n).parse().unwrap(), Rank::new(*r).unwrap(), at)
            .map(|_| ()),
        Edit::Unshare(n) => doc
            .unshare_issue(&by, &issue(*n).parse().unwrap(), at)
            .map(|_| ()),
        Edit::Pledge(n) => doc
            .give(
                &by,
                &pool.parse().unwrap(),
                Gift {
                    entry: EntryId::from_bytes(id(*n)),
                    kind: GiftKind::Pledge,
                    amount: "25".parse().unwrap(),
                    note: String::new(),
                },
                at,
            )
            .map(|_| ()),
        Edit::Position(n) => {
            let stance = Stance::ALL[usize::from(*n) % Stance::ALL.len()];
            doc.take_position(&by, &proposal().parse().unwrap(), stance, "because", at)
                .map(|_| ())
        }
        Edit::Profile(name) => doc
            .update_profile(
                &by,
                ProfileUpdate {
                    name: Some(name.clone()),
                    languages: Some(vec!["es".into()]),
                    ..Default::default()
                },
                at,
            )
            .map(|_| ()),
        Edit::Proposal(n, kind) => doc
            .new_proposal(
                &by,
                NewProposal {
                    id: ProposalId::from_bytes(id(*n)),
                    kind: *kind,
                    title: "A proposal".into(),
                    text: "Its text".into(),
                    closes_at: None,
                },
                at,
            )
            .map(|_| ()),
        Edit::Goal(n) => doc
            .add_goal(
                &by,
                &GoalId::from_bytes(id(*n)),
                "Riders reached",
                "1000".parse().unwrap(),
                "people",
                at,
            )
            .map(|_| ()),
        Edit::Progress(n) => doc
            .record_progress(
                &by,
                &GoalId::from_bytes(id(*n)),
                "2026-11-01".parse().unwrap(),
                "10".parse().unwrap(),
                "",
                at,
            )
            .map(|_| ()),
        Edit::Meeting(n) => doc
            .add_meeting(
                &by,
                NewMeeting {
                    id: MeetingId::from_bytes(id(*n)),
                    day: "2026-11-02".parse().unwrap(),
                    facilitator: member(1),
                    attendance: vec![member(1), by.clone()],
                    agenda: vec!["Fares".into()],
                    minutes: "We met".into(),
                    decisions: vec![],
                },
                at,
            )
            .map(|_| ()),
        Edit::Amend(n, k) => {
            let kind = model::RuleKind::ALL[*k];
            let rule = if kind == model::RuleKind::Admission {
                "admission=majority@1/2".to_owned()
            } else {
                format!("{kind}=super-majority:2/3@1/3")
            };
            let amendment = model::schema::Amendment {
                add_values: vec![format!("value {n}")],
                rules: vec![rule.parse().unwrap()],
                ..Default::default()
            };
            let new = NewProposal {
                id: ProposalId::from_bytes(id(n + 50)),
                kind: DecisionKind::Amendment,
                title: "Amend".into(),
                text: String::new(),
                closes_at: None,
            };
            doc.propose_amendment(&by, new, amendment, at)
        }
        Edit::Vote(p, n) => {
            let Ok(state) = doc.read() else { return false };
            let Some(p) = state.proposals.keys().nth(*p) else {
                return false;
            };
            let stance = Stance::ALL[usize::from(*n) % Stance::ALL.len()];
            doc.take_position(&by, p, stance, "because", at).map(|_| ())
        }
        Edit::Remove(m) => {
            let new = NewProposal {
                id: ProposalId::from_bytes(id(m + 60)),
                kind: DecisionKind::Membership,
                title: String::new(),
                text: String::new(),
                closes_at: None,
            };
            doc.propose_removal(&by, &member(*m), new, at).map(|_| ())
        }
        Edit::Leave => doc.leave(&by, at),
        Edit::Restore(n) => {
            let Ok(history) = doc.history(Some(issue(0).as_str())) else {
                return false;
            };
            let Some(change) = history.get(*n % history.len().max(1)) else {
                return false;
            };
            doc.restore(&by, &issue(0), "title", change.change.parse().unwrap(), at)
                .map(|_| ())
        }
        Edit::Request(n) => doc
            .request_allocation(
                &by,
                &pool.parse().unwrap(),
                AllocationRequest {
                    entry: EntryId::from_bytes(id(n + 100)),
                    proposal: ProposalId::from_bytes(id(n + 100)),
                    amount: "10".parse().unwrap(),
                    reason: "Bus passes".into(),
                },
                at,
            )
            .map(|_| ()),
    };
    made.is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever members do through the model, on their own copies and merged in any
    /// interleaving, every change passes the rules on a node receiving the whole history.
    #[test]
    fn every_edit_the_model_makes_passes_the_rules(
        edits in proptest::collection::vec((0usize..3, edit(), any::<bool>()), 1..30),
    ) {
        let mut docs = coalition();
        // Every run makes at least one edit (to the issue every copy holds), so that no run
        // passes only because the model refused everything.
        let edits: Vec<_> = std::iter::once((0, Edit::Title(0), true)).chain(edits).collect();
        let mut made = 0;
        for (step, (who, e, sync)) in edits.iter().enumerate() {
            made += usize::from(apply(&mut docs[*who], *who as u8 + 1, e, t(100 + step as i64)));
            if *sync {
                let (a, b) = (*who, (*who + 1) % 3);
                let mut from = docs[a].fork_as(key(a as u8 + 1));
                docs[b].merge(&mut from).unwrap();
            }
        }
        let mut all = docs[0].fork_as(key(1));
        for d in docs.iter_mut().skip(1) {
            all.merge(d).unwrap();
        }
        prop_assert!(made >= 1, "no edit was made");
        prop_assert_eq!(verdict(&mut all), Ok(()));
    }
}

// A member writing a value of the wrong type or shape where it may write: refused on
// receipt like any other rule break (it used to make the coalition unreadable everywhere).

fn issue_id() -> String {
    IssueId::from_bytes([1; 16]).to_string()
}

fn refused_as_bad_value(d: &mut CoalitionDoc, why: &str) {
    match verdict(d) {
        Err(Violation::BadValue { why: w, .. }) => {
            assert!(w.contains(why), "refused for {w:?}, not {why:?}")
        }
        other => panic!("not refused as a bad value ({why}): {other:?}"),
    }
}

#[test]
fn a_number_where_a_members_own_name_belongs_is_refused() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        d.put(&me, "name", 42i64).unwrap();
    });
    refused_as_bad_value(&mut d, "text");
    // A list where a text belongs, a map where a list of keys belongs.
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        d.put_object(&me, "contact", ObjType::List).unwrap();
    });
    refused_as_bad_value(&mut d, "text");
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        d.put_object(&me, "keys", ObjType::Map).unwrap();
    });
    refused_as_bad_value(&mut d, "list");
    // A key that is no node key, added to its own list of keys.
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(2).as_str(), "keys"]);
        d.insert(&keys, 0, "not a key").unwrap();
    });
    refused_as_bad_value(&mut d, "node key");
}

#[test]
fn a_shared_records_field_of_the_wrong_type_is_refused() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "title", 7u64).unwrap();
    });
    refused_as_bad_value(&mut d, "text");
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "status", "burning").unwrap();
    });
    refused_as_bad_value(&mut d, "issue status");
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "title", "x".repeat(201)).unwrap();
    });
    refused_as_bad_value(&mut d, "201 characters");
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id(), "tags"]);
        d.insert(&i, 0, model::automerge::ScalarValue::counter(3))
            .unwrap();
    });
    refused_as_bad_value(&mut d, "tag");
    // A field the layout does not know.
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "colour", "red").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Unknown { .. })));
    // Removing a field every issue has.
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.delete(&i, "title").unwrap();
    });
    refused_as_bad_value(&mut d, "cannot be removed");
}

#[test]
fn a_new_record_that_does_not_read_whole_is_refused() {
    let mut docs = coalition();
    let id = IssueId::from_bytes([9; 16]).to_string();
    let mut d = raw(&mut docs, 1, |d| {
        let issues = obj(d, &["issues"]);
        let i = d.put_object(&issues, id.as_str(), ObjType::Map).unwrap();
        d.put(&i, "id", id.as_str()).unwrap();
        d.put(&i, "raised_by", member(2).as_str()).unwrap();
        // No title, no status, no tags...
    });
    match verdict(&mut d) {
        Err(Violation::BadRecord { why, .. }) => assert!(why.contains("read as a issue"), "{why}"),
        other => panic!("{other:?}"),
    }
    // A record under a key that is no id.
    let mut d = raw(&mut docs, 1, |d| {
        let issues = obj(d, &["issues"]);
        d.put_object(&issues, "not-an-id", ObjType::Map).unwrap();
    });
    refused_as_bad_value(&mut d, "not a valid key");
}

#[test]
fn fields_said_to_be_permanent_stay_so_in_every_record_kind() {
    let mut docs = coalition();
    let goal = GoalId::from_bytes([5; 16]);
    docs[1]
        .add_goal(
            &member(2),
            &goal,
            "Fare-free buses",
            "100".parse().unwrap(),
            "percent",
            t(5),
        )
        .unwrap();
    docs[1]
        .add_evidence(
            &member(2),
            &issue_id().parse().unwrap(),
            "Survey",
            "9% of income",
            "by race",
            t(6),
        )
        .unwrap();
    let goal = goal.to_string();
    use model::automerge::ScalarValue;
    let other = || ScalarValue::Str(member(3).as_str().into());
    for (path, field, value) in [
        (vec!["charter", "goals", goal.as_str()], "id", other()),
        (vec!["charter", "goals", goal.as_str()], "added_by", other()),
        (vec!["issues", &issue_id()], "raised_by", other()),
        (
            vec!["members", member(2).as_str()],
            "joined_at",
            ScalarValue::Timestamp(9),
        ),
        (vec!["members", member(2).as_str()], "admission", other()),
    ] {
        let mut d = raw(&mut docs, 1, |d| {
            let o = obj(d, &path);
            d.put(&o, field, value).unwrap();
        });
        assert!(
            matches!(verdict(&mut d), Err(Violation::Permanent { .. })),
            "{path:?}/{field}: {:?}",
            verdict(&mut d)
        );
    }
    let mut d = raw(&mut docs, 1, |d| {
        let e = obj(d, &["issues", &issue_id(), "evidence"]);
        let first = model::automerge::ReadDoc::get(d, &e, 0).unwrap().unwrap().1;
        d.put(&first, "added_by", member(3).as_str()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));
}

/// Every place a coalition written by the model's edits holds a value — every field of
/// every record kind — is a place of the layout that admits that value: a field added to a
/// record without being added to the layout fails here before it ships.
#[test]
fn every_place_the_model_writes_is_in_the_layout() {
    use model::automerge::{ReadDoc, Value};
    let mut docs = coalition();
    let d = &mut docs[0];
    let goal = GoalId::from_bytes([5; 16]);
    d.add_goal(
        &member(1),
        &goal,
        "Fare-free buses",
        "100".parse().unwrap(),
        "percent",
        t(5),
    )
    .unwrap();
    d.record_progress(
        &member(1),
        &goal,
        "2026-01-02".parse().unwrap(),
        "40".parse().unwrap(),
        "Half way",
        t(6),
    )
    .unwrap();
    d.add_evidence(
        &member(1),
        &issue_id().parse().unwrap(),
        "Survey",
        "9%",
        "by race",
        t(7),
    )
    .unwrap();
    d.share_issue(
        &member(1),
        &issue_id().parse().unwrap(),
        Rank::new(1).unwrap(),
        t(8),
    )
    .unwrap();
    pledge(d, 1, 9);
    d.take_position(
        &member(1),
        &proposal().parse().unwrap(),
        Stance::Block,
        "Not yet",
        t(10),
    )
    .unwrap();
    d.propose_amendment(
        &member(1),
        NewProposal {
            id: ProposalId::from_bytes([0x55; 16]),
            kind: DecisionKind::Amendment,
            title: "Two thirds".into(),
            text: "Amendments by two thirds".into(),
            closes_at: Some(t(100_000)),
        },
        model::schema::Amendment {
            frame: Some("A new frame".into()),
            add_values: vec!["care".into()],
            add_commitments: vec!["nonviolence".into()],
            rules: vec![
                "amendment=super-majority:2/3@1/2".parse().unwrap(),
                "admission=majority".parse().unwrap(),
            ],
            equity_threshold: Some("1/3".parse().unwrap()),
        },
        t(11),
    )
    .unwrap();
    d.add_meeting(
        &member(1),
        NewMeeting {
            id: MeetingId::from_bytes([0x66; 16]),
            day: "2026-01-03".parse().unwrap(),
            facilitator: member(1),
            attendance: vec![member(1), member(2)],
            agenda: vec!["Fares".into()],
            minutes: "Agreed".into(),
            decisions: vec![ProposalId::from_bytes(PROPOSAL)],
        },
        t(12),
    )
    .unwrap();
    assert_eq!(verdict(d), Ok(()));

    fn walk(
        doc: &AutoCommit,
        obj: &model::automerge::ObjId,
        path: &mut Vec<String>,
        seen: &mut usize,
    ) {
        let props: Vec<model::automerge::Prop> = match doc.object_type(obj).unwrap() {
            ObjType::Map | ObjType::Table => doc.keys(obj).map(Into::into).collect(),
            ObjType::List => (0..doc.length(obj)).map(Into::into).collect(),
            // Characters: the text object itself was admitted at its place.
            ObjType::Text => return,
        };
        for prop in props {
            let (value, child) = doc.get(obj, prop.clone()).unwrap().unwrap();
            path.push(match &prop {
                model::automerge::Prop::Map(k) => k.clone(),
                model::automerge::Prop::Seq(_) => "*".to_owned(),
            });
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            let (slot, _) = model::layout::resolve(&segments)
                .unwrap_or_else(|e| panic!("{} is not in the layout: {e:?}", path.join("/")));
            let write = match &value {
                Value::Scalar(v) => model::layout::Write::Put(v),
                Value::Object(t) => model::layout::Write::Make(*t),
            };
            slot.admits(write)
                .unwrap_or_else(|e| panic!("{}: {e}", path.join("/")));
            *seen += 1;
            if let Value::Object(_) = value {
                walk(doc, &child, path, seen);
            }
            path.pop();
        }
    }
    let mut seen = 0;
    walk(
        d.automerge(),
        &model::automerge::ROOT,
        &mut Vec::new(),
        &mut seen,
    );
    assert!(seen > 150, "{seen} places");
}

/// A record that does not read (stored before values were checked on receipt) is left out
/// and named; the rest of the coalition reads, and its governance still works.
#[test]
fn a_record_that_does_not_read_is_skipped_and_reported_not_the_whole_coalition() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "title", 7u64).unwrap();
        let me = obj(d, &["members", member(2).as_str()]);
        d.put(&me, "name", 42i64).unwrap();
    });
    let c = d.read().expect("the coalition reads");
    assert!(c.issues.is_empty());
    let paths: Vec<&str> = c.unreadable.iter().map(|u| u.path.as_str()).collect();
    assert!(
        paths.contains(&format!("issues/{}", issue_id()).as_str()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&format!("members/{}", member(2)).as_str()),
        "{paths:?}"
    );
    assert!(c.members.contains_key(member(1).as_str()));
    assert_eq!(c.proposals.len(), 1);
    // Members whose records read can still edit.
    d.add_issue(
        &member(3),
        NewIssue {
            id: IssueId::from_bytes([2; 16]),
            title: "Still working".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
        t(50),
    )
    .unwrap();
    assert_eq!(d.read().unwrap().issues.len(), 1);
}

/// What a proposal written by hand holds.
struct Handmade<'a> {
    id: String,
    kind: &'a str,
    /// Method, fraction, quorum.
    rule: (&'a str, Option<&'a str>, &'a str),
    /// Members (by number) in the electorate.
    electorate: &'a [u8],
}

impl Default for Handmade<'_> {
    fn default() -> Self {
        Self {
            id: ProposalId::from_bytes([0x99; 16]).to_string(),
            kind: "general",
            rule: ("majority", None, "1/2"),
            electorate: &[1, 2, 3],
        }
    }
}

/// A whole proposal written by hand in one change by member 2; `after` edits it further in
/// the same change.
fn handmade_proposal(
    docs: &mut [CoalitionDoc],
    h: Handmade<'_>,
    after: impl FnOnce(&mut AutoCommit, &automerge::ObjId),
) -> CoalitionDoc {
    raw(docs, 1, |d| {
        let proposals = obj(d, &["proposals"]);
        let p = d
            .put_object(&proposals, h.id.as_str(), ObjType::Map)
            .unwrap();
        for (k, v) in [
            ("id", h.id.as_str()),
            ("kind", h.kind),
            ("title", "Mine"),
            ("author", member(2).as_str()),
        ] {
            d.put(&p, k, v).unwrap();
        }
        d.put_object(&p, "text", ObjType::Text).unwrap();
        d.put(&p, "created_at", 7i64).unwrap();
        d.put(&p, "closes_at", ()).unwrap();
        d.put(&p, "subject", ()).unwrap();
        let r = d.put_object(&p, "rule", ObjType::Map).unwrap();
        d.put(&r, "method", h.rule.0).unwrap();
        match h.rule.1 {
            Some(f) => d.put(&r, "fraction", f).unwrap(),
            None => d.put(&r, "fraction", ()).unwrap(),
        }
        d.put(&r, "quorum", h.rule.2).unwrap();
        let el = d.put_object(&p, "electorate", ObjType::List).unwrap();
        for (i, m) in h.electorate.iter().enumerate() {
            d.insert(&el, i, member(*m).as_str()).unwrap();
        }
        d.put_object(&p, "positions", ObjType::Map).unwrap();
        after(d, &p);
    })
}

/// A proposal stored under one key whose record names another id is refused: governance
/// keys proposals by where they are stored, and an id that is not its key could shadow
/// another governing proposal.
#[test]
fn a_proposal_whose_id_is_not_its_key_is_refused() {
    let mut fresh = coalition();
    let key = ProposalId::from_bytes([0x55; 16]).to_string();
    let other = ProposalId::from_bytes([0x56; 16]).to_string();
    let h = Handmade {
        id: key.clone(),
        kind: "general",
        rule: ("majority", None, "1/2"),
        electorate: &[1, 2, 3],
    };
    let mut honest = handmade_proposal(&mut fresh, h, |_, _| {});
    assert_eq!(verdict(&mut honest), Ok(()));
    let mut fresh = coalition();
    let h = Handmade {
        id: key,
        kind: "general",
        rule: ("majority", None, "1/2"),
        electorate: &[1, 2, 3],
    };
    let mut d = handmade_proposal(&mut fresh, h, |d, p| {
        d.put(p, "id", other.as_str()).unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(err.to_string().contains("its id is"), "{err}");
}

#[test]
fn a_new_record_is_judged_by_what_it_holds_at_the_end_of_its_change() {
    let why = |d: &mut CoalitionDoc| match verdict(d) {
        Err(Violation::BadRecord { why, .. }) => why,
        other => panic!("{other:?}"),
    };
    // A new issue without its title, or whose title is written then deleted in the change.
    for delete in [false, true] {
        let mut docs = coalition();
        let id = IssueId::from_bytes([0x42; 16]).to_string();
        let mut d = raw(&mut docs, 1, |d| {
            let issues = obj(d, &["issues"]);
            let i = d.put_object(&issues, id.as_str(), ObjType::Map).unwrap();
            for (k, v) in [
                ("id", id.as_str()),
                ("raised_by", member(2).as_str()),
                ("lead", member(2).as_str()),
                ("status", "raised"),
            ] {
                d.put(&i, k, v).unwrap();
            }
            d.put_object(&i, "description", ObjType::Text).unwrap();
            d.put_object(&i, "tags", ObjType::List).unwrap();
            d.put_object(&i, "evidence", ObjType::List).unwrap();
            d.put_object(&i, "ranks", ObjType::Map).unwrap();
            d.put(&i, "created_at", 7i64).unwrap();
            if delete {
                d.put(&i, "title", "Bus fares").unwrap();
                d.delete(&i, "title").unwrap();
            }
        });
        if delete {
            assert!(matches!(verdict(&mut d), Err(Violation::BadValue { .. })));
        } else {
            let w = why(&mut d);
            assert!(w.contains("its title is missing"), "{w}");
        }
    }
    // A field written twice ends with the second value.
    let mut docs = coalition();
    let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
        d.put(p, "title", "Mine, renamed").unwrap();
    });
    assert_eq!(verdict(&mut d), Ok(()));
    // Fields that constrain each other are read back: a super-majority needs its fraction.
    let mut docs = coalition();
    let h = Handmade {
        rule: ("super-majority", None, "1/2"),
        ..Handmade::default()
    };
    let mut d = handmade_proposal(&mut docs, h, |_, _| {});
    let w = why(&mut d);
    assert!(w.contains("with a fraction"), "{w}");
}

#[test]
fn a_new_record_without_its_optional_fields_reads_and_keeps_its_collection_readable() {
    // A ledger entry written without `proposal` (optional): accepted, and the pool, its
    // ledger and the entry all read.
    let mut docs = coalition();
    let pool = PoolId::from_bytes(POOL).to_string();
    let mut d = forged_pledge(&mut docs, 2, false);
    assert_eq!(verdict(&mut d), Ok(()));
    let read = d.read().unwrap();
    assert!(read.unreadable.is_empty(), "{:?}", read.unreadable);
    let entry = &read.pools[pool.as_str()].ledger[FORGED];
    assert_eq!(entry.proposal, None);
}

/// References between records are typed ids: a reference that is not an id is refused on
/// receipt (the layout's `ID`), and where one was stored before that check, only its record
/// fails to read, reported, never the coalition.
#[test]
fn a_reference_that_is_not_an_id_is_refused_and_reads_as_its_record_alone() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "lead", "member two").unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(&err, Violation::BadValue { .. }) && err.to_string().contains("lead"),
        "{err}"
    );
    let c = d.read().expect("the coalition reads");
    assert!(c.issues.is_empty());
    assert_eq!(
        c.unreadable
            .iter()
            .map(|u| u.path.clone())
            .collect::<Vec<_>>(),
        vec![format!("issues/{}", issue_id())]
    );
    assert_eq!(c.members.len(), 3);
}
