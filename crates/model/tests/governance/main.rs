//! Governance derived from the record: amendments become charter versions, removals and
//! departures end write rights, admission can be a vote; the same on every node whatever
//! order changes arrive in. Every honest history here also passes the validator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod amendments;
mod arrival_order_and_cache;
mod budgets;
mod device_keys;
mod membership;
mod records_and_reports;
mod roles;

use model::schema::RuleChange;
use model::*;

#[path = "../common/mod.rs"]
mod common;
use common::*;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_700_000_000_000 + ms * 1000)
}

fn pid(n: u8) -> ProposalId {
    ProposalId::from_bytes([0x60 + n; 16])
}

/// Three members; member 1 founded the coalition and admitted 2 and 3.
fn three() -> CoalitionDoc {
    three_members(t(0), t(1))
}

fn new(id: ProposalId, title: &str) -> NewProposal {
    NewProposal {
        id,
        kind: DecisionKind::Amendment,
        title: title.into(),
        text: String::new(),
        closes_at: None,
    }
}

fn rule(text: &str) -> RuleChange {
    text.parse().unwrap()
}

/// Member `who`'s node makes an edit (signed with its own key), which then reaches `doc`.
fn act<T>(doc: &mut CoalitionDoc, who: u8, f: impl FnOnce(&mut CoalitionDoc) -> T) -> T {
    let mut mine = doc.fork_as(key(who));
    let out = f(&mut mine);
    doc.merge(&mut mine).unwrap();
    out
}

fn vote(doc: &mut CoalitionDoc, who: u8, p: &ProposalId, stance: Stance, at: i64) {
    let reason = if stance == Stance::Block {
        "harms us"
    } else {
        ""
    };
    act(doc, who, |d| {
        d.take_position(&member(who), p, stance, reason, t(at))
            .unwrap()
    });
}
