//! How fast a node with a long history starts, and what durability costs an edit, each as a
//! ratio to what Automerge itself does in memory, measured side by side in this run.
//!
//! Run: `cargo bench -p replica --bench open` (figures go in BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use model::{CoalitionDoc, IssueEdit, IssueId, MemberId, NewIssue, NodeKey, Rank, Timestamp};
use replica::{NewCoalition, Replica};

const EDITS: u32 = 20_000;
const ROUNDS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn issue(n: u32) -> NewIssue {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&n.to_le_bytes());
    b[15] = 1;
    NewIssue {
        id: IssueId::from_bytes(b),
        title: format!("Issue {n}"),
        description: "Evidence pending".into(),
        tags: vec!["race".into()],
        lead: None,
    }
}

/// One edit of a realistic mix: new issues, shares, title and description edits.
fn edit(doc: &mut CoalitionDoc, me: &MemberId, n: u32, at: Timestamp) {
    match n % 4 {
        0 | 1 => doc.add_issue(me, issue(n), at).unwrap(),
        2 => {
            doc.share_issue(
                me,
                &issue(n - 2).id,
                Rank::new(u64::from(n % 10 + 1)).unwrap(),
                at,
            )
            .unwrap();
        }
        _ => {
            let e = IssueEdit {
                title: Some(format!("Issue {n} (edited)")),
                description: Some(format!("Evidence from survey {n}")),
                ..Default::default()
            };
            doc.edit_issue(me, &issue(n - 3).id, e, at).unwrap();
        }
    }
}

fn main() {
    let home = tempfile::tempdir().unwrap();
    Replica::init(home.path(), "Northside Tenants Union").unwrap();
    let id = {
        let mut r = Replica::open(home.path()).unwrap();
        let id = r
            .found_coalition(NewCoalition {
                name: "Transit Justice".into(),
                ..Default::default()
            })
            .unwrap();
        // Build the history in batches of edits (the store sees every change, as in real use).
        for batch in 0..(EDITS / 100) {
            r.edit(&id, |doc, a| {
                for i in 0..100 {
                    edit(doc, &a.member, batch * 100 + i, a.now);
                }
                Ok(())
            })
            .unwrap();
        }
        id
    };
    // The store as a node leaves it: the replica that wrote the history (one change per
    // edit) compacted it as it closed, so a start loads one snapshot.
    let mut r = Replica::open(home.path()).unwrap();
    let saved = r.save(&id).unwrap();
    let me = r.me(&id).unwrap();
    let stored = r.store().load(id.as_str()).unwrap().unwrap();
    drop(r);
    println!(
        "history: {EDITS} edits, {} bytes saved, store {} bytes, {} changes since the snapshot",
        saved.len(),
        std::fs::metadata(home.path().join(replica::STORE_FILE))
            .unwrap()
            .len(),
        stored.changes.len()
    );

    // 1. Start: open the node and load the coalition, vs Automerge loading the same bytes.
    let (mut base, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let doc = automerge::AutoCommit::load(&saved).unwrap();
        base.push(t.elapsed());
        drop(doc);
        let t = Instant::now();
        let mut r = Replica::open(home.path()).unwrap();
        r.me(&id).unwrap();
        ours.push(t.elapsed());
    }
    let (b, o) = (median(base), median(ours));
    println!(
        "start   Automerge::load {b:>10.2?}   Replica::open+load {o:>10.2?}   ratio {:.2}",
        o.as_secs_f64() / b.as_secs_f64()
    );

    // 2. Edit: a durable edit through the replica vs the same edit on a document in memory.
    let mut mem = CoalitionDoc::load(&saved, NodeKey::from_bytes([9; 32])).unwrap();
    let mut r = Replica::open(home.path()).unwrap();
    let (mut base, mut ours) = (Vec::new(), Vec::new());
    for i in 0..(ROUNDS as u32 * 4) {
        let n = 1_000_000 + i * 4;
        let at = replica::now();
        let t = Instant::now();
        mem.add_issue(&me, issue(n), at).unwrap();
        base.push(t.elapsed());
        let t = Instant::now();
        r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(n + 1), a.now))
            .unwrap();
        ours.push(t.elapsed());
    }
    let (b, o) = (median(base), median(ours));
    println!(
        "edit    in memory       {b:>10.2?}   durable (fsync)    {o:>10.2?}   ratio {:.2}",
        o.as_secs_f64() / b.as_secs_f64()
    );
}
