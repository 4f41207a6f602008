//! A history ordered against Automerge's clock cache, shared by `tests/rules/past_reads.rs`
//! and `benches/judging.rs`.
//!
//! Automerge keeps a clock for one change in 16, by their order in the document; a read at
//! past heads walks back from them to the nearest such change. A history's author chooses
//! that order (a snapshot is loaded as it was saved), so it can keep every change of one
//! member from having a clock: reads at those changes then walk back through all of them.

use model::automerge::{AutoCommit, Change};
use model::{CoalitionDoc, IssueId, MemberId, NewIssue, NodeKey, Timestamp};

/// The same history in two orders: `along` with Automerge's clock cache (member 2's issues,
/// then member 3's changes), `against` it (none of member 3's changes has a clock).
pub(crate) struct Orders {
    pub(crate) along: Vec<Change>,
    pub(crate) against: Vec<Change>,
}

/// Member 3's node key, as `common::key(3)` makes it.
pub(crate) fn third() -> NodeKey {
    NodeKey::from_bytes([3; 32])
}

/// The history of `doc` (three members, as `common::three_members` makes them) with `n`
/// changes member 3 makes with `edit` (given its n-th), concurrent with `n` issues member 2
/// raises, in both orders.
pub(crate) fn orders(
    mut doc: CoalitionDoc,
    n: usize,
    edit: impl Fn(&mut CoalitionDoc, usize),
) -> Orders {
    let start = doc.heads();
    let founded = doc.changes_since(&[]);
    let mut two = doc.fork_as(NodeKey::from_bytes([2; 32]));
    let mut three = doc.fork_as(third());
    for i in 0..n {
        let mut id = [2u8; 16];
        id[8..].copy_from_slice(&(i as u64).to_be_bytes());
        let issue = NewIssue {
            id: IssueId::from_bytes(id),
            title: format!("Issue {i}"),
            description: "Fares take a tenth of what families earn.".into(),
            tags: vec!["transit".into()],
            lead: None,
        };
        let at = Timestamp::from_millis(1_700_000_010_000 + i as i64);
        two.add_issue(&MemberId::from_bytes([2; 16]), issue, at)
            .unwrap();
        edit(&mut three, i);
    }
    let twos = two.changes_since(&start);
    let threes = three.changes_since(&start);
    let along = founded
        .iter()
        .chain(&twos)
        .chain(&threes)
        .cloned()
        .collect();
    let (mut twos, mut threes) = (twos.into_iter(), threes.into_iter());
    let mut against: Vec<Change> = founded;
    loop {
        let clocked = (against.len() + 1).is_multiple_of(16);
        let next = if clocked {
            twos.next().or_else(|| threes.next())
        } else {
            threes.next().or_else(|| twos.next())
        };
        let Some(next) = next else { break };
        against.push(next);
    }
    Orders { along, against }
}

/// A document holding `order`, in that order, as a node loads a snapshot saved that way.
pub(crate) fn loaded(order: &[Change]) -> AutoCommit {
    let mut applied = AutoCommit::new();
    for c in order {
        applied.apply_changes([c.clone()]).unwrap();
    }
    AutoCommit::load(&applied.save()).unwrap()
}
