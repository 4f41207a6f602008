//! The rules every node enforces on received changes: every edit the model makes for a member
//! passes them (property test), and each kind of write a hostile member's node could make
//! into its own copy is refused with the rule it broke.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod clocks;
mod layout_and_new_records;
mod model_edits;
mod one_member;
mod past_reads;
mod polls;
mod values;
mod write_rights;

use model::automerge::transaction::Transactable;
use model::automerge::{AutoCommit, ObjType};
use model::*;

#[path = "../common/mod.rs"]
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

fn issue_id() -> String {
    IssueId::from_bytes([1; 16]).to_string()
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
