//! Entry points shared by the `cargo fuzz` targets (`fuzz/`) and the tests that replay their
//! past crashers (`tests/regressions.rs`), so both feed input the same way.
//!
//! The targets (nightly only): `cargo +nightly fuzz run wire`, `... snapshot`, `... invite` and
//! `... batch` (a member's signed changes with arbitrary contents, wrapped in valid chunk headers,
//! pushed into a `SyncNode`). `.ci/fuzz` (run by `.ci/run`) fuzzes each for a bounded time on seeds
//! made by the current code plus every past crasher. Inputs that once crashed a target are kept in
//! `fuzz/regressions/<target>/` and replayed through these functions by `tests/regressions.rs` on
//! every test run, with every byte flip of the `batch` seeds.

use crate::Message;

/// Every frame a peer can send: decoded strictly and, for sync and change messages, the
/// embedded Automerge data parsed the way a node parses it before verifying anything. Half the
/// inputs get a valid version byte so that the body parser is reached.
pub fn wire(data: &[u8]) {
    let framed;
    let frame = if data.first().is_some_and(|b| b & 1 == 0) {
        framed = [
            &[crate::wire::VERSION][..],
            data.get(1..).unwrap_or_default(),
        ]
        .concat();
        &framed[..]
    } else {
        data
    };
    match Message::decode(frame) {
        Ok(Message::Sync { sync, .. }) => {
            let _ = crate::verify::decode_sync(&sync, crate::wire::MIN_MESSAGE_LIMIT);
        }
        Ok(Message::Fork {
            first,
            first_head,
            second,
            second_head,
            ..
        }) => {
            let _ = crate::forks::Fork::check(&first, &first_head, &second, &second_head);
        }
        Ok(Message::Changes { changes, .. }) => {
            for c in changes {
                let _ = crate::verify::change_in_chunk(
                    &c.0,
                    &mut crate::wire::MIN_MESSAGE_LIMIT.clone(),
                );
            }
        }
        Ok(Message::Addresses { records }) => {
            for r in records {
                let _ = r.check();
            }
        }
        Ok(Message::Statements { file }) => {
            let _ = model::federation::StatementsFile::decode(&file.0);
        }
        _ => {}
    }
    let _ = crate::verify::decode_sync(data, crate::wire::MIN_MESSAGE_LIMIT);
    let _ = crate::verify::changes_in_chunks(data, &mut crate::wire::MIN_MESSAGE_LIMIT.clone());
}

/// Invite codes as people paste them.
pub fn invite(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::invite::Invite::decode(text);
        let _ = crate::invite::Invite::decode(&format!("{}{text}", crate::invite::PREFIX));
    }
}

/// The message limit snapshots are fuzzed at: 64 MiB, 8 M entries (`snapshot::ops_limit`).
/// A few bytes of runs can claim every entry the limit allows, and at the default limit (64 M)
/// filling them would pass the fuzzer's memory limit (4 GB) without finding anything more.
pub const SNAPSHOT_LIMIT: usize = 64 << 20;

/// Whole-document snapshots as a peer sends them: the bytes as they come, and the bytes as
/// the body of a document chunk, so that the column parser is reached.
/// What loads is also read change by change from its columns, which must agree with
/// Automerge's rebuilt changes ([`snapshot_ops_agree`]).
pub fn snapshot(data: &[u8]) {
    // A node holding some of a coalition weighs a peer's chunk before anything else.
    let _ = crate::snapshot::weight(data, SNAPSHOT_LIMIT);
    if let Ok((doc, changes)) = crate::snapshot::load(data, SNAPSHOT_LIMIT) {
        snapshot_ops_agree(data, doc, &changes);
    }
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 0];
    // Writing to a Vec cannot fail.
    let _ = leb128::write::unsigned(&mut chunk, data.len() as u64);
    chunk.extend_from_slice(data);
    let _ = crate::snapshot::weight(&chunk, SNAPSHOT_LIMIT);
    if let Ok((doc, changes)) = crate::snapshot::load(&chunk, SNAPSHOT_LIMIT) {
        snapshot_ops_agree(&chunk, doc, &changes);
    }
}

/// Every change of a checked and loaded snapshot (`doc`, loaded from `chunk`, whose changes
/// Automerge rebuilt as `changes`) that is read from the snapshot's columns
/// (`snapshot::change_ops`) holds the operations Automerge decodes from the rebuilt change.
/// Panics otherwise.
pub fn snapshot_ops_agree(
    chunk: &[u8],
    mut doc: automerge::AutoCommit,
    changes: &[automerge::Change],
) {
    let metas = doc.document().get_changes_meta(&[]);
    let Some(read) = crate::snapshot::change_ops(chunk, SNAPSHOT_LIMIT, &metas) else {
        return;
    };
    let rebuilt: std::collections::HashMap<automerge::ChangeHash, &automerge::Change> =
        changes.iter().map(|c| (c.hash(), c)).collect();
    for (m, ours) in metas.iter().zip(&read) {
        let Some(ours) = ours else {
            continue;
        };
        let Some(change) = rebuilt.get(&m.hash) else {
            panic!("a change of the loaded document that Automerge did not rebuild");
        };
        let Some(decoded) = model::ops::ChangeOps::decode_as_automerge_does(change) else {
            panic!("read from the snapshot, but Automerge does not decode the change");
        };
        assert!(
            ours.same_operations(&decoded),
            "the snapshot's columns read otherwise than Automerge's rebuilt change:\n{:?}\n{:?}",
            ours.iter().collect::<Vec<_>>(),
            decoded.iter().collect::<Vec<_>>()
        );
        // The same actors besides the author (the chain check refuses one named by no
        // operation), whatever their order.
        let Some(facts) = model::ops::Stated::new(m, ours) else {
            panic!("the operations read do not fit the change's facts");
        };
        let set =
            |a: &[automerge::ActorId]| a.iter().cloned().collect::<std::collections::BTreeSet<_>>();
        assert_eq!(
            set(model::ops::ChangeFacts::other_actor_ids(&facts)),
            set(change.other_actor_ids()),
            "the snapshot's columns name other actors than Automerge's rebuilt change"
        );
    }
}

/// A member's node pushing a batch of changes with valid signatures and arbitrary contents:
/// `data` is split into change bodies (each prefixed by a two-byte length), each wrapped in a
/// valid change chunk header with its checksum and signed by the member, so that every check
/// after the signatures (the pre-scan, the history and operation checks, Automerge's apply,
/// the rules) is reached. The node must refuse or apply without panicking, and its document
/// must still save and load. Returns how many changes were applied.
pub fn batch(data: &[u8]) -> usize {
    use crate::{Documents, MemoryDocs, SyncNode};
    let (coalition, base, honest, member) = batch_world();
    let mut docs = MemoryDocs::new(honest);
    let Ok(doc) = automerge::AutoCommit::load(base) else {
        return 0;
    };
    docs.insert(
        coalition.clone(),
        doc.with_actor(honest.actor()),
        Vec::new(),
    );
    let mut node = SyncNode::new();
    let member_key = model::NodeKey::from_bytes(member.verifying_key().to_bytes());
    node.connected(&mut docs, member_key);
    let hello = Message::Hello {
        coalitions: vec![coalition.to_bytes()],
        max_message: crate::wire::MAX_MESSAGE as u64,
        takes: Vec::new(),
    };
    node.received(&mut docs, member_key, &hello.encode());
    let mut rest = data;
    let mut chunks = Vec::new();
    let mut heads = Vec::new();
    while rest.len() >= 2 && chunks.len() < 16 {
        let n = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let body = &rest[2..2 + n];
        rest = &rest[2 + n..];
        let chunk = change_chunk(body);
        let hash = automerge::ChangeHash(crate::verify::chunk_hash_of(&chunk));
        heads.push(crate::wire::SignedHead::from(&crate::sign(&member, &hash)));
        chunks.push(crate::wire::ByteChunk(chunk));
    }
    for chunk in &chunks {
        let mut budget = crate::wire::MAX_MESSAGE;
        if let Ok(change) = crate::verify::change_in_chunk(&chunk.0, &mut budget) {
            change_ops_agree(&change);
        }
    }
    let frame = Message::Changes {
        coalition: coalition.to_bytes(),
        changes: chunks,
        heads,
        vouchers: Vec::new(),
    }
    .encode();
    let out = node.received(&mut docs, member_key, &frame);
    if let Some((doc, _)) = docs.entry(&coalition) {
        let saved = doc.save();
        assert!(
            automerge::AutoCommit::load(&saved).is_ok(),
            "the document no longer loads"
        );
        // Automerge lists every change by encoding its operations again: each must come out
        // under the hash it was received with, or every node that syncs it breaks.
        let doc = doc.document();
        let held: Vec<_> = doc.get_changes_meta(&[]).iter().map(|m| m.hash).collect();
        let listed: Vec<_> = doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
        assert_eq!(held, listed, "a change is listed under another hash");
    }
    out.iter()
        .map(|o| match o {
            crate::Output::Applied { changes, .. } => *changes,
            _ => 0,
        })
        .sum()
}

/// Where the columns reader answers for a change, Automerge decodes it to the same
/// operations and encodes them again into the same change (panics otherwise): the reader is
/// never more lenient than Automerge, never reads otherwise, and never lets through a change
/// Automerge would list under another hash.
pub fn change_ops_agree(change: &automerge::Change) {
    if let Some(direct) = crate::change_ops::direct(change) {
        let Some(decoded) = model::ops::ChangeOps::decode_as_automerge_does(change) else {
            panic!("read from the columns, but Automerge does not decode it");
        };
        assert!(
            model::ops::ChangeOps::decode(change).is_some(),
            "read from the columns, but Automerge encodes it again into another change"
        );
        assert!(
            direct.same_operations(&decoded),
            "the columns read otherwise than Automerge decodes:\n{:?}\n{:?}",
            direct.iter().collect::<Vec<_>>(),
            decoded.iter().collect::<Vec<_>>()
        );
    }
}

/// A change chunk around `body`: magic, checksum and length as Automerge writes them.
pub fn change_chunk(body: &[u8]) -> Vec<u8> {
    let mut len = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = leb128::write::unsigned(&mut len, body.len() as u64);
    let mut hashed = vec![1u8];
    hashed.extend_from_slice(&len);
    hashed.extend_from_slice(body);
    let sum = {
        use sha2::Digest;
        sha2::Sha256::digest(&hashed)
    };
    let mut out = vec![0x85, 0x6f, 0x4a, 0x83];
    out.extend_from_slice(&sum[..4]);
    out.push(1);
    out.extend_from_slice(&len);
    out.extend_from_slice(body);
    out
}

/// The world [`batch`] pushes into: a coalition founded by an honest node, which admitted a
/// member; its saved bytes, the honest node's key and the member's signing key.
fn batch_world() -> (
    model::CoalitionId,
    &'static [u8],
    model::NodeKey,
    ed25519_dalek::SigningKey,
) {
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let honest_signing = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let member = ed25519_dalek::SigningKey::from_bytes(&[2; 32]);
    let honest = model::NodeKey::from_bytes(honest_signing.verifying_key().to_bytes());
    let coalition = model::CoalitionId::from_bytes([7; 16]);
    let base = BASE.get_or_init(|| {
        let member_key = model::NodeKey::from_bytes(member.verifying_key().to_bytes());
        let founded = model::CoalitionDoc::found(
            honest,
            model::Founding::new(
                coalition.clone(),
                "Transit Justice",
                model::MemberId::from_bytes([1; 16]),
                model::MemberProfile::named("A"),
                model::Timestamp::from_millis(0),
            ),
        );
        let Ok(mut doc) = founded else {
            return Vec::new();
        };
        let _ = doc.admit_member(
            &model::MemberId::from_bytes([1; 16]),
            &model::MemberId::from_bytes([2; 16]),
            &model::MemberProfile::named("B"),
            member_key,
            model::Timestamp::from_millis(1),
        );
        doc.save()
    });
    (coalition, base, honest, member)
}

/// The coalition [`batch`] pushes into, as a saved document: a seed for the snapshot target.
pub fn batch_document() -> Vec<u8> {
    batch_world().1.to_vec()
}

/// Bodies of honest changes a member makes on [`batch`]'s world, each prefixed as
/// [`batch`] reads them: a seed corpus for its fuzz target.
pub fn batch_seeds() -> Vec<Vec<u8>> {
    let (_, base, _, member) = batch_world();
    let key = model::NodeKey::from_bytes(member.verifying_key().to_bytes());
    let Ok(mut doc) = model::CoalitionDoc::load(base, key) else {
        return Vec::new();
    };
    let me = model::MemberId::from_bytes([2; 16]);
    let before = doc.heads();
    let _ = doc.add_issue(
        &me,
        model::NewIssue {
            id: model::IssueId::from_bytes([3; 16]),
            title: "Bus fares".into(),
            description: "Fares rose by 40% since 2020".into(),
            tags: vec!["race".into(), "class".into()],
            lead: None,
        },
        model::Timestamp::from_millis(2_000),
    );
    let _ = doc.update_profile(
        &me,
        model::ProfileUpdate {
            name: Some("Eastside Faith Coalition".into()),
            ..Default::default()
        },
        model::Timestamp::from_millis(3_000),
    );
    let changes = doc.changes_since(&before);
    let mut all = Vec::new();
    let mut seeds = Vec::new();
    for c in &changes {
        let body = body_of(c.raw_bytes());
        let mut one = (body.len() as u16).to_le_bytes().to_vec();
        one.extend_from_slice(body);
        all.extend_from_slice(&one);
        seeds.push(one);
    }
    seeds.push(all);
    seeds
}

/// The body of a plain change chunk (after its header).
fn body_of(chunk: &[u8]) -> &[u8] {
    let mut rest = chunk.get(9..).unwrap_or_default();
    let _ = leb128::read::unsigned(&mut rest);
    rest
}
