//! Concurrent edits converge, and tallies do not depend on arrival order, whatever order
//! copies merge in (property tests).

use model::*;
use proptest::prelude::*;

use crate::{new_issue, new_pool, t, world};

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
