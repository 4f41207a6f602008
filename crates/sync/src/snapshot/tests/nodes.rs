//! Node-level: A holds a coalition that admitted B; B, holding nothing, expects it from A.

use ed25519_dalek::SigningKey;
use model::{CoalitionDoc, CoalitionId, Founding, MemberId, MemberProfile, NodeKey, Timestamp};

use super::*;
use crate::verify::{Carried, decode_sync};
use crate::{Documents, MemoryDocs, Message, Output, SyncNode};

struct Side {
    key: NodeKey,
    node: SyncNode,
    docs: MemoryDocs,
}

fn key(n: u8) -> (SigningKey, NodeKey) {
    let s = SigningKey::from_bytes(&[n; 32]);
    let k = NodeKey::from_bytes(s.verifying_key().to_bytes());
    (s, k)
}

/// A (holding the coalition, which admitted B), B (holding nothing, expecting it from A).
fn world() -> (Side, Side, CoalitionId) {
    world_with(|_| {})
}

/// [`world`], with A's document written on by `more` (as A) after B's admission.
fn world_with(more: impl FnOnce(&mut CoalitionDoc)) -> (Side, Side, CoalitionId) {
    let ((sa, ka), (_, kb)) = (key(1), key(2));
    let c = CoalitionId::from_bytes([7; 16]);
    let founder = MemberId::from_bytes([1; 16]);
    let mut doc = CoalitionDoc::found(
        ka,
        Founding::new(
            c.clone(),
            "Transit Justice",
            founder.clone(),
            MemberProfile::named("A"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    doc.admit_member(
        &founder,
        &MemberId::from_bytes([2; 16]),
        &MemberProfile::named("B"),
        kb,
        Timestamp::from_millis(1),
    )
    .unwrap();
    more(&mut doc);
    // A signed every change it made, as a node keeps a signature over each of its edits.
    let signed: Vec<_> = AutoCommit::load(&doc.save())
        .unwrap()
        .get_changes(&[])
        .iter()
        .map(|ch| crate::sign(&sa, &ch.hash()))
        .collect();
    let mut a = Side {
        key: ka,
        node: SyncNode::new(),
        docs: MemoryDocs::new(ka),
    };
    a.docs.insert(
        c.clone(),
        AutoCommit::load(&doc.save())
            .unwrap()
            .with_actor(ka.actor()),
        signed,
    );
    let mut b = Side {
        key: kb,
        node: SyncNode::new(),
        docs: MemoryDocs::new(kb),
    };
    b.docs.create(&c).unwrap();
    b.node.expect(&mut b.docs, c.clone(), ka);
    (a, b, c)
}

fn carries_snapshot(frame: &[u8]) -> bool {
    match Message::decode(frame) {
        Ok(Message::Sync { sync, .. }) => {
            matches!(
                decode_sync(&sync, crate::wire::MAX_MESSAGE),
                Ok((_, Carried::Snapshot(_)))
            )
        }
        _ => false,
    }
}

/// Carries frames between A and B until both are quiet: how many snapshots B got, and
/// what either refused.
fn exchange(a: &mut Side, b: &mut Side) -> (usize, Vec<Refusal>) {
    exchange_until(a, b, |_| false)
}

/// The frames of `out` onto the queue `q`, its refusals into `refused`.
fn route(out: Vec<Output>, q: &mut Vec<Vec<u8>>, refused: &mut Vec<Refusal>) {
    for o in out {
        match o {
            Output::Send { frame, .. } => q.push(frame),
            Output::Refused { reason, .. } => refused.push(reason),
            _ => {}
        }
    }
}

/// [`exchange`], stopping early once `stop` holds of B after a frame it took.
fn exchange_until(
    a: &mut Side,
    b: &mut Side,
    stop: impl Fn(&mut Side) -> bool,
) -> (usize, Vec<Refusal>) {
    let mut to_b: Vec<Vec<u8>> = Vec::new();
    let mut to_a: Vec<Vec<u8>> = Vec::new();
    let mut refused = Vec::new();
    let mut sends = |out: Vec<Output>, q: &mut Vec<Vec<u8>>| route(out, q, &mut refused);
    sends(a.node.connected(&mut a.docs, b.key), &mut to_b);
    sends(b.node.connected(&mut b.docs, a.key), &mut to_a);
    let mut snapshots = 0;
    for _ in 0..100 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        for f in std::mem::take(&mut to_b) {
            snapshots += usize::from(carries_snapshot(&f));
            sends(b.node.received(&mut b.docs, a.key, &f), &mut to_a);
            if stop(b) {
                return (snapshots, refused);
            }
        }
        for f in std::mem::take(&mut to_a) {
            sends(a.node.received(&mut a.docs, b.key, &f), &mut to_b);
        }
    }
    (snapshots, refused)
}

#[test]
fn a_node_holding_nothing_catches_up_from_a_snapshot() {
    let (mut a, mut b, c) = world();
    let (snapshots, refused) = exchange(&mut a, &mut b);
    assert!(refused.is_empty(), "{refused:?}");
    assert!(snapshots >= 1, "B got the coalition as a snapshot");
    let ours = a.docs.doc(&c).unwrap().save();
    assert_eq!(b.docs.doc(&c).unwrap().save(), ours);
    assert_eq!(b.docs.persisted[&c].0.len(), a.docs.persisted[&c].0.len());
}

/// A node whose message limit is its lowest (1 MiB: 131,072 operations in a snapshot), told
/// in its Hello, is not sent a document of fewer operations than that but weighing more,
/// successors counted: the sender weighs the saved chunk and sends the changes instead, in
/// pages B takes.
#[test]
fn a_document_over_the_receivers_limit_goes_as_changes() {
    // Twelve descriptions of 10,000 characters, each replacing the last: 120,000 insertions
    // (operations), 110,000 of them deleted (a successor each): 230,000 against 131,072.
    // (Each change stays under what one message to B takes, 32,768.)
    let (mut a, mut b, c) = world_with(|doc| descriptions(doc, 12));
    let saved = a.docs.doc(&c).unwrap().save();
    let limit = ops_limit(0, crate::wire::MIN_MESSAGE_LIMIT);
    let held = automerge::ReadDoc::stats(a.docs.doc(&c).unwrap().document()).num_ops;
    assert!(held < limit, "offered: {held} operations");
    assert!(weight(&saved, crate::wire::MAX_MESSAGE).unwrap() > limit);
    b.node.set_max_message(crate::wire::MIN_MESSAGE_LIMIT);
    // The first rounds only: the pages that follow are `tests/pages.rs`'s (each later one
    // deletes thousands of characters B holds, slow to check without optimisation).
    let (snapshots, refused) = exchange_until(&mut a, &mut b, |b| {
        !b.docs.doc(&c).unwrap().get_heads().is_empty()
    });
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(snapshots, 0, "too heavy for B's limit: sent as changes");
    assert!(
        a.node.too_heavy.contains_key(&c),
        "weighed on the saved chunk"
    );
    let held = b.docs.doc(&c).unwrap().get_heads();
    assert!(!held.is_empty(), "the first page arrived");
}

/// An issue whose description of 10,000 characters is written `n` times, each replacing the
/// last: 10,000 operations each, and 10,000 successors each but the last.
fn descriptions(doc: &mut CoalitionDoc, n: usize) {
    let issue = raise(doc);
    for (i, letter) in ('a'..='z').take(n).enumerate() {
        let edit = model::IssueEdit {
            description: Some(letter.to_string().repeat(10_000)),
            ..Default::default()
        };
        doc.edit_issue(
            &MemberId::from_bytes([1; 16]),
            &issue,
            edit,
            Timestamp::from_millis(3 + i as i64),
        )
        .unwrap();
    }
}

/// A node that holds some of the coalition weighs a whole document sent to it as it weighs
/// changes: only a node holding nothing is sent one (a new member, whose whole coalition it
/// is), so no peer makes a node that holds the coalition read four times what its limit
/// takes as changes. One heavier than that (a second snapshot crossing the first, from an
/// honest sender) is dropped unread, not refused, and the rest comes as changes. B, holding
/// the coalition, takes messages of 1 MiB: 32,768 entries as changes, 131,072 in a snapshot
/// to a node holding nothing; A's document holds about 50,000.
#[test]
fn a_whole_document_to_a_node_holding_some_is_weighed_as_changes() {
    let (mut a, mut b, c) = world_with(|doc| descriptions(doc, 3));
    let (_, refused) = exchange(&mut a, &mut b);
    assert!(refused.is_empty(), "{refused:?}");
    let new = edit(&mut a, &c, 1);
    let doc = a.docs.doc(&c).unwrap();
    let (heads, chunk) = (doc.get_heads(), doc.save());
    let min = crate::wire::MIN_MESSAGE_LIMIT;
    let weighs = weight(&chunk, crate::wire::MAX_MESSAGE).unwrap();
    assert!(
        weighs > limit_for(chunk.len(), min, Holding::Some),
        "{weighs}"
    );
    assert!(weighs < ops_limit(chunk.len(), min), "{weighs}");
    b.node.set_max_message(min);
    let frame = whole_frame(&mut a, &c, chunk, heads, Vec::new());
    let out = b.node.received(&mut b.docs, a.key, &frame);
    assert!(
        !out.iter()
            .any(|o| matches!(o, Output::Refused { .. } | Output::Applied { .. })),
        "dropped, neither refused nor loaded: {out:?}"
    );
    // B answers with what it holds; A sends the new change as a change.
    let (mut to_a, mut to_b, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    route(out, &mut to_a, &mut refused);
    for _ in 0..20 {
        for f in std::mem::take(&mut to_a) {
            route(
                a.node.received(&mut a.docs, b.key, &f),
                &mut to_b,
                &mut refused,
            );
        }
        for f in std::mem::take(&mut to_b) {
            route(
                b.node.received(&mut b.docs, a.key, &f),
                &mut to_a,
                &mut refused,
            );
        }
    }
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(b.docs.doc(&c).unwrap().get_heads(), vec![new]);
}

/// A's issue, raised after B's admission.
fn raise(doc: &mut CoalitionDoc) -> model::IssueId {
    let id = model::IssueId::from_bytes([9; 16]);
    doc.add_issue(
        &MemberId::from_bytes([1; 16]),
        model::NewIssue {
            id: id.clone(),
            title: "Fare-free buses".into(),
            description: String::new(),
            tags: vec!["transit".into()],
            lead: None,
        },
        Timestamp::from_millis(2),
    )
    .unwrap();
    id
}

/// Changes of a snapshot that write in objects an earlier change of it made are placed
/// without reading the document, and judged by the rules all the same: a share of an issue
/// (in the issue's ranks) passes, a field no issue has is refused with nothing kept.
#[test]
fn writes_in_objects_made_earlier_in_a_snapshot_are_judged_where_they_land() {
    let (mut a, mut b, c) = world_with(|doc| {
        let issue = raise(doc);
        doc.share_issue(
            &MemberId::from_bytes([1; 16]),
            &issue,
            model::Rank::new(2).unwrap(),
            Timestamp::from_millis(3),
        )
        .unwrap();
    });
    let (snapshots, refused) = exchange(&mut a, &mut b);
    assert!(refused.is_empty(), "{refused:?}");
    assert!(snapshots >= 1);
    assert_eq!(
        b.docs.doc(&c).unwrap().get_heads(),
        a.docs.doc(&c).unwrap().get_heads()
    );

    let (mut a, mut b, c) = world_with(|doc| {
        let issue = raise(doc);
        // Written as a modified node would, past the model's checks.
        let am = doc.automerge_mut();
        let (_, issues) = am.get(automerge::ROOT, "issues").unwrap().unwrap();
        let (_, record) = am.get(&issues, issue.as_str()).unwrap().unwrap();
        automerge::transaction::Transactable::put(am, &record, "bogus", "x").unwrap();
        am.commit();
    });
    let (snapshots, refused) = exchange(&mut a, &mut b);
    assert!(snapshots >= 1);
    assert!(
        refused
            .iter()
            .any(|r| r.to_string().contains("bogus") && r.to_string().contains("is not part of")),
        "{refused:?}"
    );
    assert!(b.docs.doc(&c).unwrap().get_heads().is_empty());
    assert!(b.docs.persisted[&c].0.is_empty());
}

/// A snapshot whose history the chain check refuses (a value put over a character of a
/// text, which only a modified node writes; the rules read it on another thread meanwhile)
/// is refused for that, with nothing kept.
#[test]
fn a_history_the_chain_check_refuses_is_refused_whole_from_a_snapshot() {
    // The chain checked before the rules, then beside them on a thread of its own.
    for apart in [usize::MAX, 0] {
        crate::beside::TEST_APART.with(|a| a.set(Some(apart)));
        chain_refused_history_is_refused();
    }
    crate::beside::TEST_APART.with(|a| a.set(None));
}

fn chain_refused_history_is_refused() {
    let (mut a, mut b, c) = world_with(|doc| {
        let issue = raise(doc);
        let am = doc.automerge_mut();
        let (_, issues) = am.get(automerge::ROOT, "issues").unwrap().unwrap();
        let (_, record) = am.get(&issues, issue.as_str()).unwrap().unwrap();
        let text = am.put_object(&record, "notes", ObjType::Text).unwrap();
        am.splice_text(&text, 0, 0, "hello").unwrap();
        am.commit();
        // The deletion of "e", turned into a put over it, as a modified node would write.
        let before = am.get_heads();
        am.splice_text(&text, 1, 1, "").unwrap();
        am.commit();
        let deleting = am.get_changes(&before).pop().unwrap();
        let mut forged = deleting.decode();
        forged.operations[0].action = automerge::legacy::OpType::Put(ScalarValue::Str("X".into()));
        let mut kept = am.fork_at(&before).unwrap();
        kept.apply_changes([automerge::Change::from(forged)])
            .unwrap();
        *am = kept;
    });
    let (snapshots, refused) = exchange(&mut a, &mut b);
    assert!(snapshots >= 1);
    assert!(
        refused
            .iter()
            .any(|r| r.to_string().contains("over a character")),
        "{refused:?}"
    );
    assert!(b.docs.doc(&c).unwrap().get_heads().is_empty());
    assert!(b.docs.persisted[&c].0.is_empty());
}

#[test]
fn a_forged_snapshot_is_refused_and_nothing_is_kept() {
    let (mut a, mut b, c) = world();
    greeted(&a, &mut b, &c);
    // A's document with a member nobody admitted, written by an operation no change holds.
    let doc = a.docs.doc(&c).unwrap();
    let heads = doc.get_heads();
    let mut p = take_apart(&doc.save_nocompress());
    let last_root = p.rows.iter().rposition(is_root).unwrap();
    let mut row = p.rows[last_root].clone();
    row.cells.insert(
        (col::KEY << 4) | col::STRING,
        Cell::S(Some("~intruder".into())),
    );
    row.cells
        .insert((col::ID << 4) | col::DELTA, Cell::U(Some(1 << 30)));
    row.succ.clear();
    p.rows.insert(last_root + 1, row);
    let forged = put_together(&p);
    let frame = whole_frame(&mut a, &c, forged, heads, Vec::new());
    let out = b.node.received(&mut b.docs, a.key, &frame);
    assert!(
        out.iter().any(|o| matches!(
            o,
            Output::Refused { reason: Refusal::MalformedSnapshot(m), .. } if m.contains("no change")
        )),
        "{out:?}"
    );
    assert!(b.docs.doc(&c).unwrap().get_heads().is_empty());
    assert!(b.docs.persisted[&c].0.is_empty());
}

/// A's whole document as a sync frame to B naming `heads`, with `vouchers`.
fn whole_frame(
    a: &mut Side,
    c: &CoalitionId,
    chunk: Vec<u8>,
    heads: Vec<automerge::ChangeHash>,
    vouchers: Vec<crate::wire::ByteChunk>,
) -> Vec<u8> {
    let sync = automerge::sync::Message {
        heads,
        need: vec![],
        have: vec![],
        changes: vec![chunk].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V2,
    };
    Message::Sync {
        coalition: c.to_bytes(),
        sync: sync.encode(),
        heads: crate::wire::heads(&a.docs.persisted[c].1),
        vouchers,
    }
    .encode()
}

/// B, greeted by A, ready to take what A sends of the coalition.
fn greeted(a: &Side, b: &mut Side, c: &CoalitionId) {
    b.node.connected(&mut b.docs, a.key);
    let hello = Message::Hello {
        coalitions: vec![c.to_bytes()],
        max_message: crate::wire::MAX_MESSAGE as u64,
        takes: Vec::new(),
    };
    b.node.received(&mut b.docs, a.key, &hello.encode());
}

#[test]
fn a_whole_document_sent_with_vouchers_is_refused_and_nothing_is_kept() {
    let (mut a, mut b, c) = world();
    greeted(&a, &mut b, &c);
    let doc = a.docs.doc(&c).unwrap();
    let (heads, chunk) = (doc.get_heads(), doc.save());
    let voucher = doc.get_changes(&[]).last().unwrap().raw_bytes().to_vec();
    let frame = whole_frame(
        &mut a,
        &c,
        chunk,
        heads,
        vec![crate::wire::ByteChunk(voucher)],
    );
    let out = b.node.received(&mut b.docs, a.key, &frame);
    assert!(
        out.iter().any(|o| matches!(
            o,
            Output::Refused { reason: Refusal::MalformedSnapshot(m), .. } if m.contains("vouchers")
        )),
        "{out:?}"
    );
    assert!(b.docs.doc(&c).unwrap().get_heads().is_empty());
    assert!(b.docs.persisted[&c].0.is_empty());
}

#[test]
fn an_empty_document_sent_whole_changes_and_stores_nothing() {
    let (mut a, mut b, c) = world();
    greeted(&a, &mut b, &c);
    let heads = a.docs.doc(&c).unwrap().get_heads();
    let frame = whole_frame(&mut a, &c, AutoCommit::new().save(), heads, Vec::new());
    let out = b.node.received(&mut b.docs, a.key, &frame);
    assert!(
        !out.iter()
            .any(|o| matches!(o, Output::Applied { .. } | Output::Refused { .. })),
        "{out:?}"
    );
    assert!(b.docs.doc(&c).unwrap().get_heads().is_empty());
    assert!(b.docs.persisted[&c].0.is_empty());
    assert!(b.docs.persisted[&c].1.is_empty());
}

/// Changes that went to a peer once and were not taken (a batch dropped for a dependency
/// missing, or refused whole) go again once the peer asks again: Automerge sends nothing twice,
/// its peers keeping what they cannot apply yet, but a node takes no batch with a dependency
/// missing, and the peer names only the sender's heads it lacks, not the changes before them.
/// Before, the two sides exchanged rounds that brought nothing until the sync paused, holding
/// them apart for 30 s.
#[test]
fn changes_sent_once_and_not_taken_go_again_when_the_peer_asks_again() {
    let (mut a, mut b, c) = world();
    let (_, refused) = exchange(&mut a, &mut b);
    assert!(refused.is_empty(), "{refused:?}");
    // A writes three changes, each on the one before, while B is away.
    edit(&mut a, &c, 1);
    let second = edit(&mut a, &c, 2);
    let third = edit(&mut a, &c, 3);
    // They meet again. Once A syncs the coalition with B, it counts the last two as sent
    // already, as if they had gone in a message B could not take: B names only the third.
    let (mut to_a, mut to_b, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    route(
        a.node.connected(&mut a.docs, b.key),
        &mut to_b,
        &mut refused,
    );
    route(
        b.node.connected(&mut b.docs, a.key),
        &mut to_a,
        &mut refused,
    );
    let mut marked = false;
    for _ in 0..1_000 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        if !to_b.is_empty() {
            let f = to_b.remove(0);
            route(
                b.node.received(&mut b.docs, a.key, &f),
                &mut to_a,
                &mut refused,
            );
        }
        if !to_a.is_empty() {
            let f = to_a.remove(0);
            route(
                a.node.received(&mut a.docs, b.key, &f),
                &mut to_b,
                &mut refused,
            );
            if !marked
                && let Some(pd) = a
                    .node
                    .peers
                    .get_mut(&b.key)
                    .and_then(|p| p.docs.get_mut(&c))
            {
                pd.state.sent_hashes.extend([second, third]);
                marked = true;
            }
        }
    }
    assert!(marked, "A never synced the coalition with B");
    assert!(refused.is_empty(), "{refused:?}");
    assert!(
        !a.node.any_paused() && !b.node.any_paused(),
        "the sync paused"
    );
    let mut ours = a.docs.doc(&c).unwrap().get_heads();
    let mut theirs = b.docs.doc(&c).unwrap().get_heads();
    ours.sort();
    theirs.sort();
    assert_eq!(theirs, ours, "B got every change");
}

/// A writes issue `n` on its own copy, signed as a node signs its edits; the change's hash.
fn edit(a: &mut Side, c: &CoalitionId, n: u8) -> automerge::ChangeHash {
    let (sa, _) = key(1);
    let doc = a.docs.entry(c).unwrap().0;
    let before = doc.get_heads();
    let mut model_doc =
        CoalitionDoc::from_automerge(std::mem::replace(doc, AutoCommit::new())).unwrap();
    model_doc
        .add_issue(
            &MemberId::from_bytes([1; 16]),
            model::NewIssue {
                id: model::IssueId::from_bytes([n; 16]),
                title: format!("Issue {n}"),
                description: "Written while apart".into(),
                tags: vec![],
                lead: None,
            },
            Timestamp::from_millis(10_000 + i64::from(n)),
        )
        .unwrap();
    *doc = model_doc.into_automerge();
    let changes = doc.get_changes(&before);
    let head = crate::sign(&sa, &changes.last().unwrap().hash());
    a.docs.local_edit(c, &changes, head);
    changes.last().unwrap().hash()
}

/// A snapshot whose changes were read reaching a node that holds part of the coalition
/// already (it got the rest from another member meanwhile) is taken as any batch: its changes
/// rebuilt, the new ones checked and applied, the rest left.
#[test]
fn a_snapshot_read_reaching_a_node_that_holds_some_is_taken_as_any_batch() {
    let (mut a, mut b, c) = world();
    let (_, refused) = exchange(&mut a, &mut b);
    assert!(refused.is_empty(), "{refused:?}");
    let new = edit(&mut a, &c, 1);
    let chunk = a.docs.doc(&c).unwrap().save();
    let (snapshot, contents) =
        load_read(&chunk, crate::wire::MAX_MESSAGE, Holding::Nothing).unwrap();
    let Contents::Read(read) = contents else {
        panic!("a coalition's snapshot is read, not rebuilt");
    };
    let signed = a.docs.persisted[&c].1.clone();
    let mut out = Vec::new();
    let applied = b
        .node
        .accept_read(&mut b.docs, a.key, &c, snapshot, read, &signed, &mut out)
        .unwrap();
    assert_eq!(applied.count, 1, "only the new change is applied");
    assert_eq!(
        b.docs.doc(&c).unwrap().get_heads(),
        vec![new],
        "B holds the new change"
    );
    // Stored as any batch: the change, and its signature, beside what B held.
    assert_eq!(b.docs.persisted[&c].0.len(), a.docs.persisted[&c].0.len());
}

/// A member asking again and again for what it holds (its heads behind, a need named round
/// after round, a summary saying it holds nothing) is sent the whole history again at most
/// `MAX_RESENDS` times on a connection however often it asks (its idle rounds then pause the
/// sync, and no time passes here for the pause to end).
#[test]
fn a_peer_asking_again_and_again_is_sent_the_history_a_bounded_number_of_times() {
    let (mut a, mut b, c) = world();
    let (_, refused) = exchange(&mut a, &mut b);
    assert!(refused.is_empty(), "{refused:?}");
    for n in 1..=5 {
        edit(&mut a, &c, n);
    }
    let doc = a.docs.doc(&c).unwrap();
    let all = doc.get_changes(&[]);
    let (first, head) = (all[0].hash(), doc.get_heads());
    // B (hostile) greets A and asks, round after round.
    greeted(&b, &mut a, &c);
    let asking = Message::Sync {
        coalition: c.to_bytes(),
        sync: automerge::sync::Message {
            heads: vec![first],
            need: head.clone(),
            have: vec![automerge::sync::Have {
                last_sync: vec![],
                bloom: automerge::sync::BloomFilter::default(),
            }],
            changes: automerge::sync::ChunkList::empty(),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        }
        .encode(),
        heads: vec![],
        vouchers: vec![],
    }
    .encode();
    // Messages carrying the history B claims to lack (all but the first change).
    let mut histories = 0;
    for _ in 0..200 {
        for o in a.node.received(&mut a.docs, b.key, &asking) {
            if let Output::Send { frame, .. } = o
                && let Ok(Message::Sync { sync, .. }) = Message::decode(&frame)
                && let Ok((_, Carried::Changes(changes))) =
                    decode_sync(&sync, crate::wire::MAX_MESSAGE)
                && changes.len() + 1 >= all.len()
            {
                histories += 1;
            }
        }
    }
    let most = 1 + crate::node::MAX_RESENDS as usize;
    assert!(
        (2..=most).contains(&histories),
        "the history went {histories} times: once, then again at most {} times",
        crate::node::MAX_RESENDS
    );
}
