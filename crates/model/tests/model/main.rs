//! Behaviour of coalition documents: validation, multi-member reports, and convergence of
//! concurrent edits (property tests).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod convergence;
mod documents;
mod overlap_and_positions;
mod pools;
mod statements;

use model::*;

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
