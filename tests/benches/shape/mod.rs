//! The coalition the benches measure on, shaped like a real one: issues with a long
//! description and three tags, six member organizations, a pool with a ledger, open
//! proposals. Built through the replica in edits of 100 issues, or one edit per issue as
//! organizers make them (`Shape::join`).

use std::path::Path;

use model::{
    CoalitionId, DecisionKind, Gift, GiftKind, IssueId, NewIssue, NewPool, NewProposal, ProposalId,
};
use replica::{NewCoalition, Replica};

pub(crate) fn id16(n: u32, tag: u8) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&n.to_le_bytes());
    b[15] = tag;
    b
}

/// The coalition sizes a bench measures: `BENCH_SIZES` (numbers, comma-separated), else
/// 1,000 and 10,000 issues.
#[allow(dead_code)] // not every bench takes sizes
pub(crate) fn sizes() -> Vec<u32> {
    std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("BENCH_SIZES: numbers"))
        .collect()
}

/// An issue as coalitions write them: a title, a long description, three tags.
pub(crate) fn issue(n: u32) -> NewIssue {
    NewIssue {
        id: IssueId::from_bytes(id16(n, 1)),
        title: format!("Bus fare equity in district {n}"),
        description: format!(
            "Riders in district {n} spend a larger share of their income on fares than \
             riders elsewhere; the 2025 transit survey, disaggregated by race, income and \
             disability, shows the gap widening since the last fare increase. Members \
             report long waits at stops without shelter or seating, and paratransit \
             bookings that must be made a day ahead. We ask for fare-free passes for \
             low-income riders, shelters at every stop, and same-day paratransit."
        ),
        tags: vec!["race".into(), "class".into(), "disability".into()],
        lead: None,
    }
}

/// What a bench's coalition holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Issues.
    pub(crate) issues: u32,
    /// One pledge in the pool's ledger every this many issues.
    pub(crate) pledge_every: u32,
    /// One open general proposal every this many issues.
    pub(crate) proposal_every: u32,
    /// Issues per edit (each edit is committed as its own change or changes).
    pub(crate) per_edit: u32,
}

impl Shape {
    /// The API bench's: `n` issues, `n / 10` pledges, `n / 100` proposals.
    #[allow(dead_code)] // each bench uses its own
    pub(crate) fn api(n: u32) -> Self {
        Self {
            issues: n,
            pledge_every: 10,
            proposal_every: 100,
            per_edit: 100,
        }
    }

    /// The join bench's: as the API bench's, one edit per issue.
    #[allow(dead_code)] // each bench uses its own
    pub(crate) fn join(n: u32) -> Self {
        Self {
            per_edit: 1,
            ..Self::api(n)
        }
    }
}

/// A home with one coalition shaped as `shape` says, six member organizations and a pool
/// (one of the proposals voted on by the benches).
pub(crate) fn build(home: &Path, shape: Shape) -> (CoalitionId, ProposalId, model::PoolId) {
    let n = shape.issues;
    Replica::init(home, "Northside Tenants Union").unwrap();
    let mut r = Replica::open(home).unwrap();
    let id = r
        .found_coalition(NewCoalition {
            name: "Transit Justice".into(),
            ..Default::default()
        })
        .unwrap();
    let pool = model::PoolId::from_bytes(id16(0, 2));
    let new_pool = NewPool {
        id: pool.clone(),
        name: "Legal defense fund".into(),
        kind: model::PoolKind::Funds,
        unit: "USD".into(),
        description: String::new(),
    };
    r.edit(&id, |doc, a| doc.create_pool(&a.member, new_pool, a.now))
        .unwrap();
    // Five more member organizations (their nodes never run here): no single position
    // decides a proposal.
    r.edit(&id, |doc, a| {
        for m in 2u8..=6 {
            let key = ed25519_dalek::SigningKey::from_bytes(&[m; 32])
                .verifying_key()
                .to_bytes();
            doc.admit_member(
                &a.member,
                &model::MemberId::from_bytes([m; 16]),
                &model::MemberProfile::named(format!("Member organization {m}")),
                model::NodeKey::from_bytes(key),
                a.now,
            )?;
        }
        Ok(())
    })
    .unwrap();
    let per = shape.per_edit.max(1);
    for batch in 0..n.div_ceil(per) {
        r.edit(&id, |doc, a| {
            for i in batch * per..((batch + 1) * per).min(n) {
                doc.add_issue(&a.member, issue(i), a.now)?;
                if i % shape.pledge_every == 0 {
                    let gift = Gift {
                        entry: model::EntryId::from_bytes(id16(i, 3)),
                        kind: GiftKind::Pledge,
                        amount: "25".parse().unwrap(),
                        note: "monthly dues share".into(),
                    };
                    doc.give(&a.member, &pool, gift, a.now)?;
                }
                if i % shape.proposal_every == 0 {
                    let p = NewProposal {
                        id: ProposalId::from_bytes(id16(i, 4)),
                        kind: DecisionKind::General,
                        title: format!("Adopt campaign {i}"),
                        text: "Members decide whether to adopt the campaign.".into(),
                        closes_at: None,
                    };
                    doc.new_proposal(&a.member, p, a.now)?;
                }
            }
            Ok(())
        })
        .unwrap();
    }
    (id, ProposalId::from_bytes(id16(0, 4)), pool)
}
