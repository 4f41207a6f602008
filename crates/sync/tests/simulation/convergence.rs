//! One seed run to the end: after healing, every node holds the same document, nothing
//! honest is lost or refused, and forks and flags are seen alike everywhere.

use std::collections::BTreeSet;

use automerge::AutoCommit;
use model::CoalitionDoc;
use sync::Refusal;

use crate::{JOINER, Seen, Sim};

/// Runs one seed; returns what it exercised.
pub(crate) fn run(seed: u64) -> Seen {
    let mut sim = Sim::new(seed);
    sim.chaos(600);
    sim.heal();
    // Once every node holds the flags, the forking node writes on anyway: refused alike.
    if let Some(f) = sim.forker
        && sim.flagged_here(f)
    {
        sim.write_after_flags(f);
        sim.drain();
    }
    let c = sim.coalition.clone();
    let mut states = Vec::new();
    let mut heads = Vec::new();
    for n in &mut sim.nodes {
        let doc = n.docs.doc(&c).unwrap();
        let mut h = doc.get_heads();
        h.sort();
        heads.push(h);
        states.push(
            CoalitionDoc::from_automerge(doc.fork())
                .unwrap()
                .read()
                .unwrap(),
        );
    }
    for (i, n) in sim.nodes.iter_mut().enumerate() {
        let doc = n.docs.doc(&c).unwrap();
        let mut reloaded = AutoCommit::load(&doc.save()).unwrap();
        let mut h = reloaded.get_heads();
        h.sort();
        assert_eq!(
            h, heads[i],
            "seed {seed}: node {i}: saving and loading changed the heads"
        );
        let all: BTreeSet<_> = doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
        let all_reloaded: BTreeSet<_> = AutoCommit::load(&doc.save())
            .unwrap()
            .get_changes(&[])
            .iter()
            .map(|c| c.hash())
            .collect();
        assert_eq!(
            all, all_reloaded,
            "seed {seed}: node {i}: saving and loading changed change hashes"
        );
    }
    for (i, s) in states.iter().enumerate() {
        assert_eq!(
            heads[i], heads[0],
            "seed {seed}: node {i} has different heads after healing; log: {:?}",
            sim.log
        );
        assert_eq!(s, &states[0], "seed {seed}: node {i} differs after healing");
    }
    // The joining node asked node 0, and was told the coalition arrived; no other node was.
    assert!(
        sim.join_requests > 0,
        "seed {seed}: no join request reached node 0"
    );
    assert!(
        !sim.joined.is_empty() && sim.joined.iter().all(|i| *i == JOINER),
        "seed {seed}: joined {:?}",
        sim.joined
    );
    // A fork some node found, every node learnt (a version lost on the way is no fork).
    let mut detected = 0;
    let mut witnessed = 0;
    if let Some(f) = sim.forker {
        let key = *sim.nodes[f].key.as_bytes();
        let knows: Vec<bool> = sim
            .nodes
            .iter()
            .map(|n| {
                n.docs
                    .forks
                    .get(&c)
                    .is_some_and(|(_, keys)| keys.contains(&key))
            })
            .collect();
        assert!(
            knows.iter().all(|k| *k) || knows.iter().all(|k| !*k),
            "seed {seed}: only some nodes learnt of the fork: {knows:?}"
        );
        detected = usize::from(knows[0]);
        // How many versions of its forks a witness decided (the same everywhere: the
        // states compared above).
        if let Some((record, _)) = sim.nodes[0].docs.forks.get(&c) {
            let forks = sync::forks::Forks::from_bytes(record);
            witnessed = forks
                .forked()
                .iter()
                .map(|(actor, seq)| forks.witnessed(actor, *seq).len())
                .sum();
        }
    }
    // Without a fork, nothing honest is lost; with one, what was built on the forked changes
    // is set aside, identically everywhere (the states compared above).
    if sim.forks == 0 {
        for (i, n) in sim.nodes.iter().enumerate() {
            for e in &n.edits {
                assert!(
                    states[0].issues.contains_key(e.as_str()),
                    "seed {seed}: issue raised by node {i} was lost"
                );
            }
        }
    }
    // Whatever the hostile member sent, no record is unreadable anywhere.
    for (i, s) in states.iter().enumerate() {
        assert!(
            s.unreadable.is_empty(),
            "seed {seed}: node {i} holds unreadable records: {:?}",
            s.unreadable
        );
    }
    let hostile = sim.hostile.map(|h| sim.nodes[h].key);
    let forker = sim.forker.map(|f| sim.nodes[f].key);
    // What the forking node wrote after seeing two flags on its key is refused, alike on
    // every node (the states compared above), and only that of what it sent.
    let flagged_refusals = sim
        .refusals
        .iter()
        .filter(|(peer, r)| {
            Some(*peer) == forker
                && matches!(r, Refusal::Rule(model::rules::Violation::KeyFlagged { .. }))
        })
        .count();
    let bad: Vec<&Refusal> = sim
        .refusals
        .iter()
        .filter(|(peer, _)| Some(*peer) != hostile)
        .filter(|(peer, r)| {
            !(Some(*peer) == forker
                && matches!(r, Refusal::Rule(model::rules::Violation::KeyFlagged { .. })))
        })
        .map(|(_, r)| r)
        .filter(|r| {
            !matches!(
                r,
                Refusal::NotShared | Refusal::TooMuchWork | Refusal::StartedOver
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "seed {seed}: honest nodes refused each other: {bad:?}"
    );
    // Those refusals are of what it wrote after the flags, and no node holds any of that.
    if sim.after_flags.is_empty() {
        assert_eq!(flagged_refusals, 0, "seed {seed}");
    }
    for (i, n) in sim.nodes.iter_mut().enumerate() {
        let doc = n.docs.doc(&c).unwrap();
        for h in &sim.after_flags {
            assert!(
                automerge::ReadDoc::get_change_by_hash(doc.document(), h).is_none(),
                "seed {seed}: node {i} holds a change written after two flags"
            );
        }
    }
    Seen {
        attacks: sim.attacks,
        forks: detected,
        witnessed,
        refused_after_flags: flagged_refusals,
    }
}
