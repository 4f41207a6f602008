//! Pools: pledges, contributions and passed allocations, a balance that never goes below
//! zero, and requests passed on partitioned nodes funded alike after merging.

use model::*;

use crate::{World, gift, new_pool, request, t, world};

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
