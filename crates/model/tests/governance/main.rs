//! Governance derived from the record: amendments become charter versions, removals and
//! departures end write rights, admission can be a vote; the same on every node whatever
//! order changes arrive in. Every honest history here also passes the validator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod amendments;
mod arrival_order_and_cache;
mod budgets;
mod device_keys;
mod drafts;
mod links;
mod mandates;
mod membership;
mod received;
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

/// The public node key of secret `[i; 32]`.
fn public(i: u8) -> NodeKey {
    NodeKey::from_bytes(
        ed25519_dalek::SigningKey::from_bytes(&[i; 32])
            .verifying_key()
            .to_bytes(),
    )
}

/// Member `who`'s node (key `public(who)`) makes an edit, which then reaches `doc`.
fn by<T>(doc: &mut CoalitionDoc, who: u8, f: impl FnOnce(&mut CoalitionDoc) -> T) -> T {
    let mut mine = doc.fork_as(public(who));
    let out = f(&mut mine);
    doc.merge(&mut mine).unwrap();
    out
}

/// Coalition `id`, named `name`, of three members whose nodes hold real keys (`public(1)`
/// to `public(3)`, secrets `[1; 32]` to `[3; 32]`): member 1 founded it and admitted 2 and 3.
fn keyed_three(id: [u8; 16], name: &str) -> CoalitionDoc {
    let mut doc = CoalitionDoc::found(
        public(1),
        Founding {
            id: CoalitionId::from_bytes(id),
            name: name.into(),
            frame: "Homes for all".into(),
            values: vec![],
            commitments: vec![],
            equity_threshold: None,
            founder_id: member(1),
            founder: profile("Eastside Tenants"),
            at: t(0),
        },
    )
    .unwrap();
    for i in 2..=3u8 {
        doc.admit_member(
            &member(1),
            &member(i),
            &profile(&format!("Org {i}")),
            public(i),
            t(1),
        )
        .unwrap();
    }
    doc
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

/// What a proposal written by hand states: its id, kind, rule (its quorum and the poll method
/// it names, if any), closing time (seconds on from `t(0)`) and whether it decides request 1
/// of pool `0x70…` by positions too.
struct ByHand<'a> {
    id: ProposalId,
    kind: &'a str,
    quorum: &'a str,
    rule_poll: Option<&'a str>,
    closes: i64,
    subject: Option<String>,
}

/// Member 2's node writes a whole proposal by hand as one change (stating time `t(12)`), its
/// electorate the three members; `poll` then writes its poll (or nothing: no poll).
fn by_hand(
    doc: &mut CoalitionDoc,
    h: ByHand<'_>,
    poll: impl FnOnce(&mut model::automerge::AutoCommit, &model::automerge::ObjId),
) -> CoalitionDoc {
    use model::automerge::ObjType;
    use model::automerge::transaction::Transactable;
    let mut d = doc.fork_as(key(2));
    let am = d.automerge_mut();
    let proposals = obj(am, &["proposals"]);
    let p = am
        .put_object(&proposals, h.id.as_str(), ObjType::Map)
        .unwrap();
    for (k, v) in [
        ("id", h.id.to_string()),
        ("kind", h.kind.into()),
        ("title", "Mine".into()),
        ("author", member(2).to_string()),
    ] {
        am.put(&p, k, v).unwrap();
    }
    am.put_object(&p, "text", ObjType::Text).unwrap();
    am.put(&p, "created_at", t(12).as_millis()).unwrap();
    am.put(&p, "closes_at", t(h.closes).as_millis()).unwrap();
    match h.subject {
        Some(s) => am.put(&p, "subject", s).unwrap(),
        None => am.put(&p, "subject", ()).unwrap(),
    }
    let r = am.put_object(&p, "rule", ObjType::Map).unwrap();
    am.put(&r, "method", "majority").unwrap();
    am.put(&r, "fraction", ()).unwrap();
    am.put(&r, "quorum", h.quorum).unwrap();
    match h.rule_poll {
        Some(m) => am.put(&r, "poll", m).unwrap(),
        None => am.put(&r, "poll", ()).unwrap(),
    }
    let el = am.put_object(&p, "electorate", ObjType::List).unwrap();
    for m in 1..=3u8 {
        am.insert(&el, usize::from(m - 1), member(m).as_str())
            .unwrap();
    }
    am.put_object(&p, "positions", ObjType::Map).unwrap();
    am.put_object(&p, "weights", ObjType::Map).unwrap();
    am.put_object(&p, "ballots", ObjType::Map).unwrap();
    poll(am, &p);
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(12).as_secs()),
    );
    d
}
