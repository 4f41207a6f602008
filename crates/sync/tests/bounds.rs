//! Every count and length a peer sends is bounded before memory is reserved for it: change
//! chunks and sync messages crafted to make Automerge allocate without bound, overflow its
//! `u32` counters or divide by zero are refused, quickly, with the rule they broke.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT};
use sync::Refusal;
use sync::verify::{change_in_chunk, decode_sync, prescan_change};

#[path = "parts/mod.rs"]
mod parts;
use parts::*;

/// A real change: an issue-like record with a text, a list and a number.
fn honest() -> Parts {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&[7u8; 32][..]));
    doc.put(ROOT, "title", "Bus fares").unwrap();
    doc.commit();
    let m = doc
        .put_object(ROOT, "issue", automerge::ObjType::Map)
        .unwrap();
    doc.put(&m, "title", "Bus fare equity").unwrap();
    doc.put(&m, "rank", 3u64).unwrap();
    let t = doc
        .put_object(&m, "tags", automerge::ObjType::List)
        .unwrap();
    doc.insert(&t, 0, "race").unwrap();
    doc.put(ROOT, "title", "Transit").unwrap();
    doc.commit();
    let change = doc.get_last_local_change().unwrap();
    Parts::of(change.raw_bytes())
}

fn budget() -> usize {
    sync::wire::MIN_MESSAGE_LIMIT
}

fn refused(chunk: &[u8], why: &str) {
    let started = std::time::Instant::now();
    match change_in_chunk(chunk, &mut budget()) {
        Err(Refusal::MalformedChange(m)) => {
            assert!(m.contains(why), "refused for {m:?}, not {why:?}")
        }
        other => panic!("not refused: {other:?}"),
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused, but slowly"
    );
}

/// A run-length column of `n` copies of `value` (a uLEB).
fn run(n: i64, value: u64) -> Vec<u8> {
    let mut o = Vec::new();
    sleb(&mut o, n);
    uleb(&mut o, value);
    o
}

const ACTION: u32 = 0x42;
const OBJ_CTR: u32 = 0x02;
const OBJ_ACTOR: u32 = 0x01;
const VALUE_META: u32 = 0x56;
const PRED_GROUP: u32 = 0x70;

#[test]
fn an_honest_change_passes_and_takes_itself_apart_unchanged() {
    let p = honest();
    let bytes = p.encode();
    let change = change_in_chunk(&bytes, &mut budget()).unwrap();
    assert_eq!(change.raw_bytes(), &bytes[..]);
    assert_eq!(change.len(), 6);
}

#[test]
fn a_column_claiming_billions_of_operations_is_refused() {
    let mut p = honest();
    p.col(ACTION, run(1 << 40, 1));
    refused(&p.encode(), "rows");
}

#[test]
fn columns_that_disagree_on_their_length_are_refused() {
    let mut p = honest();
    p.col(ACTION, run(7, 1));
    refused(&p.encode(), "rows");
}

#[test]
fn a_group_claiming_billions_of_members_is_refused() {
    let mut p = honest();
    p.col(PRED_GROUP, run(6, 1 << 40));
    refused(&p.encode(), "groups too large");
}

#[test]
fn a_value_claiming_a_gigabyte_is_refused() {
    let mut p = honest();
    p.col(VALUE_META, run(6, (1_000_000_000 << 4) | 6));
    refused(&p.encode(), "value");
}

#[test]
fn counters_beyond_automerges_u32_are_refused() {
    let mut p = honest();
    p.col(OBJ_CTR, run(6, u64::from(u32::MAX) + 1));
    p.col(OBJ_ACTOR, run(6, 0));
    refused(&p.encode(), "out of range");
    let mut p = honest();
    p.start_op = u64::from(u32::MAX) - 2;
    refused(&p.encode(), "out of range");
}

#[test]
fn an_actor_index_beyond_the_actors_is_refused() {
    let mut p = honest();
    p.col(OBJ_ACTOR, run(6, 3));
    p.col(OBJ_CTR, run(6, 1));
    refused(&p.encode(), "actor index");
}

#[test]
fn malformed_headers_are_refused() {
    let mut p = honest();
    p.deps = vec![[2; 32], [1; 32]];
    refused(&p.encode(), "sorted");
    let mut p = honest();
    p.seq = 0;
    refused(&p.encode(), "sequence number");
    let mut p = honest();
    p.time = -1;
    refused(&p.encode(), "time");
    let mut p = honest();
    p.actor = vec![1; 16];
    refused(&p.encode(), "32-byte");
    let mut p = honest();
    p.extra = vec![0; 4];
    refused(&p.encode(), "after the operations");
    let p = honest();
    let mut bytes = p.encode();
    bytes[5] ^= 1;
    refused(&bytes, "checksum");
}

#[test]
fn a_compressed_change_inflating_beyond_the_limit_is_refused_before_it_is_inflated() {
    use std::io::Write;
    // 64 MiB of zeros deflate to a few tens of kilobytes.
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let deflated = enc.finish().unwrap();
    assert!(deflated.len() < 200_000);
    let bomb = chunk(2, &deflated, &[]);
    refused(&bomb, "inflates beyond");
    // An honest compressed change inflates and hashes as the plain one.
    let p = honest();
    let body = p.body();
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&body).unwrap();
    let compressed = chunk(2, &enc.finish().unwrap(), &body);
    let plain = prescan_change(&compressed, &mut budget()).unwrap();
    assert_eq!(&plain[..], &p.encode()[..]);
}

#[test]
fn several_changes_may_not_inflate_beyond_the_message_limit_together() {
    let p = honest();
    let one = p.encode();
    // Each costs its bytes and, per operation and per predecessor, `MESSAGE_BYTES_PER_OP`.
    let change = change_in_chunk(&one, &mut budget()).unwrap();
    let cost = sync::verify::allowance_of(&change);
    assert_eq!(
        cost,
        one.len() + (change.len() + 1) * sync::wire::MESSAGE_BYTES_PER_OP,
        "its operations and the one value it overwrites"
    );
    let mut left = cost * 2 + 10;
    assert!(change_in_chunk(&one, &mut left).is_ok());
    assert!(change_in_chunk(&one, &mut left).is_ok());
    assert!(matches!(
        change_in_chunk(&one, &mut left),
        Err(Refusal::MalformedChange(_))
    ));
}

#[test]
fn predecessors_count_against_the_allowance_like_operations() {
    // One operation overwriting 40 concurrent values: 40 predecessors in a few bytes (a
    // modified node can name 100,000 as cheaply).
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&[1u8; 32][..]));
    doc.put(ROOT, "k", 0u64).unwrap();
    doc.commit();
    let mut base = doc.fork();
    for i in 2..42u8 {
        let mut other = base.fork().with_actor(ActorId::from(&[i; 32][..]));
        other.put(ROOT, "k", u64::from(i)).unwrap();
        other.commit();
        doc.merge(&mut other).unwrap();
    }
    doc.put(ROOT, "k", 99u64).unwrap();
    doc.commit();
    let chunk = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let per = sync::wire::MESSAGE_BYTES_PER_OP;
    let whole = chunk.len() + 41 * per;
    let mut left = whole;
    let change = change_in_chunk(&chunk, &mut left).unwrap();
    assert_eq!(change.len(), 1);
    // The change's bytes (not its chunk's few header bytes), one operation, 40 predecessors.
    assert!(left < 16, "{left} left");
    assert_eq!(sync::verify::allowance_of(&change), whole);
    let mut short = whole - left - 1;
    match change_in_chunk(&chunk, &mut short) {
        Err(Refusal::MalformedChange(m)) => {
            assert!(
                m.contains("predecessors beyond the message's allowance"),
                "{m}"
            )
        }
        other => panic!("not refused: {other:?}"),
    }
}

/// A sync message with one `have` whose Bloom filter has the given parameters.
fn sync_with_bloom(entries: u64, bits_per_entry: u64, probes: u64, bits: &[u8]) -> Vec<u8> {
    let mut bloom = Vec::new();
    uleb(&mut bloom, entries);
    uleb(&mut bloom, bits_per_entry);
    uleb(&mut bloom, probes);
    bloom.extend(bits);
    let mut m = vec![0x42, 0, 0, 1, 0];
    uleb(&mut m, bloom.len() as u64);
    m.extend(bloom);
    m.push(0);
    m
}

#[test]
fn bloom_filters_that_would_divide_by_zero_or_spin_are_refused() {
    // Zero bits per entry: Automerge would take the modulo of zero bits.
    let zero = sync_with_bloom(1, 0, 7, &[]);
    // Four billion probes for every hash the node holds.
    let spin = sync_with_bloom(1, 10, u64::from(u32::MAX), &[0; 2]);
    for msg in [zero, spin] {
        match decode_sync(&msg, budget()) {
            Err(Refusal::MalformedSync(m)) => assert!(m.contains("Bloom"), "{m}"),
            other => panic!("not refused: {other:?}"),
        }
    }
    // Automerge's own parameters pass.
    assert!(decode_sync(&sync_with_bloom(1, 10, 7, &[0; 2]), budget()).is_ok());
}

/// Every head a sync message names, every change it asks for and every head its summary
/// starts from is looked up in the document: more than a message's signed heads are refused
/// before any is.
#[test]
fn a_sync_message_naming_more_heads_than_a_message_signs_is_refused() {
    let heads = |n: usize| -> Vec<automerge::ChangeHash> {
        (0..n)
            .map(|i| {
                let mut h = [0u8; 32];
                h[..8].copy_from_slice(&(i as u64).to_be_bytes());
                automerge::ChangeHash(h)
            })
            .collect()
    };
    let message = |heads: Vec<automerge::ChangeHash>,
                   need: Vec<automerge::ChangeHash>,
                   since: Vec<automerge::ChangeHash>| {
        let mut doc = AutoCommit::new();
        let mut state = automerge::sync::State::new();
        let mut m =
            automerge::sync::SyncDoc::generate_sync_message(&doc.sync(), &mut state).unwrap();
        m.heads = heads;
        m.need = need;
        m.have = vec![automerge::sync::Have {
            last_sync: since,
            bloom: Default::default(),
        }];
        m.encode()
    };
    let most = sync::wire::MAX_HEADS;
    assert!(decode_sync(&message(heads(most), heads(most), heads(most)), 1 << 24).is_ok());
    for (h, n, s) in [(most + 1, 0, 0), (0, most + 1, 0), (0, 0, most + 1)] {
        let refused = decode_sync(&message(heads(h), heads(n), heads(s)), 1 << 24).unwrap_err();
        assert!(
            matches!(&refused, Refusal::MalformedSync(why) if why.contains("at most")),
            "{refused:?}"
        );
    }
}
