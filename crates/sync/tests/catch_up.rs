//! A catch-up whose first change Automerge's summary of the peer wrongly says it holds.
//!
//! A node tells a peer what it holds as a Bloom filter (about one hash in a hundred is a
//! false positive). Automerge sends the changes the filter does not hold and everything after
//! them, so a change whose own dependencies the peer holds and whose hash the filter
//! wrongly holds is left out, while the changes after it go. Automerge would keep those
//! waiting and name the missing change as needed; this node takes a batch whole or not at
//! all, so it must name what the batch lacks itself, or the two nodes go round without end
//! (a restarted node once missed 500 changes this way, one test run in fifteen).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::collections::VecDeque;

use automerge::AutoCommit;
use automerge::sync::BloomFilter;
use ed25519_dalek::SigningKey;
use model::{
    CoalitionDoc, CoalitionId, Founding, IssueId, MemberId, MemberProfile, NewIssue, NodeKey,
    Timestamp,
};
use sync::{MemoryDocs, Output, SyncNode};

struct Node {
    key: NodeKey,
    sync: SyncNode,
    docs: MemoryDocs,
}

fn party(n: u8) -> (SigningKey, NodeKey, MemberId) {
    let s = SigningKey::from_bytes(&[n; 32]);
    let k = NodeKey::from_bytes(s.verifying_key().to_bytes());
    (s, k, MemberId::from_bytes([n; 16]))
}

fn issue(n: u64, title: String) -> NewIssue {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&n.to_be_bytes());
    NewIssue {
        id: IssueId::from_bytes(id),
        title,
        description: String::new(),
        tags: vec![],
        lead: None,
    }
}

#[test]
fn a_change_the_peers_summary_wrongly_holds_still_reaches_it() {
    catch_up(false, false);
}

/// The same while the peer wrote a change of its own meanwhile: the sender cannot tell
/// exactly what it lacks until that change has arrived, and the rounds go on from there.
#[test]
fn a_change_wrongly_held_reaches_a_peer_that_wrote_meanwhile() {
    catch_up(true, false);
}

/// The same in a catch-up heavier than the peer takes in one message, sent in pages (each
/// change held with its signature, so that pages can end anywhere): the change added goes in
/// the first page, counted as sent like the rest.
#[test]
fn a_change_wrongly_held_goes_in_the_first_page_of_a_long_catch_up() {
    catch_up(false, true);
}

fn catch_up(b_wrote: bool, paged: bool) {
    let (sa, ka, ma) = party(1);
    let (sb, kb, mb) = party(2);
    let c = CoalitionId::from_bytes([9; 16]);
    let mut doc = CoalitionDoc::found(
        ka,
        Founding::new(
            c.clone(),
            "Transit Justice",
            ma.clone(),
            MemberProfile::named("A"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    doc.admit_member(
        &ma,
        &mb,
        &MemberProfile::named("B"),
        kb,
        Timestamp::from_millis(1),
    )
    .unwrap();
    let base = doc.save();
    let base_head = sync::sign(&sa, &doc.heads()[0]);
    let (b_holds, b_head) = if b_wrote {
        let mut own = CoalitionDoc::load(&base, kb).unwrap();
        own.add_issue(
            &mb,
            issue(1_000, "Raised while apart".into()),
            Timestamp::from_millis(2),
        )
        .unwrap();
        let head = sync::sign(&sb, &own.heads()[0]);
        (own.save(), head)
    } else {
        (base.clone(), base_head)
    };
    // What B will say it holds: every change it has (a fresh connection shares no heads).
    let mut held = AutoCommit::load(&b_holds).unwrap();
    let bloom = BloomFilter::from_hashes(
        held.get_changes(&[])
            .iter()
            .map(|ch| ch.hash())
            .collect::<Vec<_>>()
            .into_iter(),
    );
    // A's next change, worded until the filter wrongly holds it (about one in a hundred).
    let mut tries = 0;
    let mut doc = loop {
        tries += 1;
        assert!(tries < 10_000, "no false positive found");
        let mut next = CoalitionDoc::load(&base, ka).unwrap();
        next.add_issue(
            &ma,
            issue(0, format!("Bus fare equity, draft {tries}")),
            Timestamp::from_millis(2),
        )
        .unwrap();
        if bloom.contains_hash(&next.heads()[0]) {
            break next;
        }
    };
    let wrongly_held = doc.heads()[0];
    let mut signed = vec![sync::sign(&sa, &doc.heads()[0])];
    for i in 1..60 {
        let mut new = issue(i, format!("Issue {i}"));
        if paged {
            // 60 of 19,600 characters: more than the 1 MiB a message may take.
            new.description = "Riders spend more on fares. ".repeat(700);
        }
        doc.add_issue(&ma, new, Timestamp::from_millis(3)).unwrap();
        signed.push(sync::sign(&sa, &doc.heads()[0]));
    }
    let head = signed.pop().unwrap();
    let full = doc.save();
    let node = |key: NodeKey, bytes: &[u8], heads: Vec<_>| {
        let mut docs = MemoryDocs::new(key);
        docs.insert(
            c.clone(),
            AutoCommit::load(bytes).unwrap().with_actor(key.actor()),
            heads,
        );
        Node {
            key,
            sync: SyncNode::new(),
            docs,
        }
    };
    let a_signed = if paged {
        signed.into_iter().chain([head]).collect()
    } else {
        vec![head]
    };
    let mut nodes = [node(ka, &full, a_signed), node(kb, &b_holds, vec![b_head])];
    if paged {
        for n in &mut nodes {
            n.sync.set_max_message(sync::wire::MIN_MESSAGE_LIMIT);
        }
    }
    let mut pages = 0;
    // The changes of A's first message that carries any.
    let mut first_sent: Option<Vec<automerge::ChangeHash>> = None;
    let mut wire: VecDeque<(usize, Vec<u8>)> = VecDeque::new();
    let take = |from: usize, out: Vec<Output>, wire: &mut VecDeque<_>| {
        for o in out {
            match o {
                Output::Send { frame, .. } => wire.push_back((from, frame)),
                Output::Refused { reason, .. } => panic!("refused: {reason}"),
                _ => {}
            }
        }
    };
    let out = nodes[0].sync.connected(&mut nodes[0].docs, kb);
    take(0, out, &mut wire);
    let out = nodes[1].sync.connected(&mut nodes[1].docs, ka);
    take(1, out, &mut wire);
    let mut steps = 0;
    while let Some((from, frame)) = wire.pop_front() {
        steps += 1;
        assert!(steps < 1_000, "no quiet");
        let to = 1 - from;
        if from == 0
            && let Ok(sync::Message::Sync { sync, .. }) = sync::Message::decode(&frame)
            && let Ok(m) = automerge::sync::Message::decode(&sync)
            && !m.changes.is_empty()
        {
            pages += 1;
            first_sent.get_or_insert_with(|| {
                m.changes
                    .iter()
                    .map(|ch| automerge::Change::try_from(ch).unwrap().hash())
                    .collect()
            });
        }
        let kf = nodes[from].key;
        let out = nodes[to].sync.received(&mut nodes[to].docs, kf, &frame);
        take(to, out, &mut wire);
    }
    let want = nodes[0].docs.doc(&c).unwrap().get_heads();
    assert_eq!(want.len(), 1 + usize::from(b_wrote));
    assert!(!paged || pages > 1, "{pages} messages carried changes");
    if !b_wrote {
        // Added by A to its first message (or page) carrying changes: the summary B sent
        // wrongly held it, so Automerge alone would have left it out.
        assert!(
            first_sent.is_some_and(|sent| sent.contains(&wrongly_held)),
            "the change wrongly held went with the first changes"
        );
    }
    assert_eq!(
        nodes[1].docs.doc(&c).unwrap().get_heads(),
        want,
        "B caught up after {steps} messages"
    );
}
