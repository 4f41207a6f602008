//! The overlap report's ranking of shared issues, and who may take a position on a
//! proposal (blocks need reasons; members joining later do not vote).

use model::*;

use crate::{new_issue, profile, t, world};

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
