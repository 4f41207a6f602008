//! Snapshots beyond the limits: one unpacking beyond the message limit, change columns
//! claiming billions of changes, refused before loading.

use super::*;

#[test]
fn a_snapshot_unpacking_beyond_the_message_limit_is_refused() {
    // 1 MB of one letter deflates to a few kilobytes: the value column is compressed.
    let mut doc = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    doc.put(AM_ROOT, "description", "a".repeat(1 << 20))
        .unwrap();
    let bytes = doc.save();
    assert!(bytes.len() < 20_000, "{}", bytes.len());
    match load(&bytes, 512 * 1024) {
        Err(Refusal::MalformedSnapshot(m)) => {
            assert!(m.contains("beyond the message limit"), "{m}")
        }
        other => panic!("not refused: {other:?}"),
    }
    assert!(load(&bytes, 2 << 20).is_ok());
}

/// A chunk whose change column `spec` is replaced by `bytes`.
fn with_change_column(chunk: &[u8], spec: u32, bytes: Vec<u8>) -> Vec<u8> {
    let mut p = take_apart(chunk);
    let mut at = 0;
    let mut cols: Vec<(u32, Vec<u8>)> = p
        .change_specs
        .iter()
        .map(|(s, l)| {
            let c = p.change_data[at..at + l].to_vec();
            at += l;
            (*s, c)
        })
        .collect();
    match cols.iter_mut().find(|(s, _)| *s == spec) {
        Some((_, c)) => *c = bytes,
        None => {
            cols.push((spec, bytes));
            cols.sort_by_key(|(s, _)| *s);
        }
    }
    p.change_specs = cols.iter().map(|(s, c)| (*s, c.len())).collect();
    p.change_data = cols.into_iter().flat_map(|(_, c)| c).collect();
    put_together(&p)
}

#[test]
fn change_columns_claiming_billions_of_changes_are_refused_before_loading() {
    let mut doc = sample();
    let chunk = doc.save_nocompress();
    let mut run = Vec::new();
    sleb(&mut run, 1 << 33);
    uleb(&mut run, 0);
    let started = std::time::Instant::now();
    refused(&with_change_column(&chunk, 0x01, run), "rows");
    // Dependencies claimed by the billion.
    let mut deps = Vec::new();
    sleb(&mut deps, 1);
    uleb(&mut deps, 1 << 40);
    refused(&with_change_column(&chunk, 0x40, deps), "groups too large");
    // Extra bytes (an author footer Automerge's loader panics on).
    let mut meta = Vec::new();
    let changes = doc.get_changes(&[]).len() as i64;
    sleb(&mut meta, changes);
    uleb(&mut meta, (2 << 4) | 7);
    let extra = with_change_column(&chunk, 0x56, meta);
    let extra = with_change_column(&extra, 0x57, vec![0; 2 * changes as usize]);
    refused(&extra, "extra bytes");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn weight_counts_changes_operations_and_their_successors() {
    let mut doc = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    // Three writes of one key: three operations, two overwritten (two successors).
    for v in 0..3 {
        doc.put(AM_ROOT, "title", v).unwrap();
    }
    // A text (one operation) of five characters (five), two deleted (two successors).
    let text = doc.put_object(AM_ROOT, "notes", ObjType::Text).unwrap();
    doc.splice_text(&text, 0, 0, "hello").unwrap();
    doc.splice_text(&text, 1, 2, "").unwrap();
    let bytes = doc.save();
    // And the one change they make.
    assert_eq!(weight(&bytes, 1 << 20).unwrap(), 3 + 2 + 1 + 5 + 2 + 1);
    // Not a document chunk: refused, not weighed.
    assert!(weight(doc.get_changes(&[])[0].raw_bytes(), 1 << 20).is_err());
    assert!(weight(&bytes[..bytes.len() / 2], 1 << 20).is_err());
}

#[test]
fn the_limit_follows_the_message_limit() {
    let per_op = super::super::SNAPSHOT_BYTES_PER_OP;
    // At the default message limit the cap binds (for chunks under about 23.7 MiB); lower, a snapshot
    // takes a fixed share of the limit per change, operation and successor.
    assert_eq!(
        ops_limit(0, crate::wire::MAX_MESSAGE),
        MAX_SNAPSHOT_OPS as u64
    );
    assert_eq!(
        ops_limit(23 << 20, crate::wire::MAX_MESSAGE),
        MAX_SNAPSHOT_OPS as u64
    );
    assert!(ops_limit(24 << 20, crate::wire::MAX_MESSAGE) < MAX_SNAPSHOT_OPS as u64);
    assert_eq!(ops_limit(0, 64 << 20), (64 << 20) as u64 / per_op as u64);
    assert_eq!(
        ops_limit(1 << 20, 2 << 20),
        (1 << 20) as u64 / per_op as u64
    );
    assert_eq!(ops_limit(3 << 20, 2 << 20), 0);
    // Four times what the same limit takes as changes: a whole coalition of 100,000 issues
    // (45 M) joins as one document at the default limit.
    assert_eq!(per_op * 4, crate::wire::MESSAGE_BYTES_PER_OP);
    assert!(ops_limit(10 << 20, crate::wire::MAX_MESSAGE) > 46_000_000);
}

/// A saved document of 1 change, 1 text and 400 characters: 402 changes and operations in all.
fn notes() -> Vec<u8> {
    let mut doc = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    let text = doc.put_object(AM_ROOT, "notes", ObjType::Text).unwrap();
    doc.splice_text(&text, 0, 0, &"a".repeat(400)).unwrap();
    doc.save()
}

#[test]
fn a_snapshot_over_the_nodes_operation_limit_is_refused() {
    let bytes = notes();
    let per_op = super::super::SNAPSHOT_BYTES_PER_OP;
    let room = |n: usize| bytes.len() + n * per_op;
    match load(&bytes, room(401)) {
        Err(Refusal::MalformedSnapshot(m)) => assert!(m.contains("operations (rows)"), "{m}"),
        other => panic!("not refused: {other:?}"),
    }
    // At most the limit: 402 in all pass at a limit of 402.
    assert!(load(&bytes, room(402)).is_ok());
    // The sender weighs it the same way: its one change, operations and successors.
    assert_eq!(weight(&bytes, 1 << 20).unwrap(), 402);
}

/// A node holding some of the coalition takes a quarter of what a node holding nothing
/// takes in a snapshot: as much as its limit takes as changes.
#[test]
fn a_node_holding_some_weighs_a_snapshot_as_changes() {
    let bytes = notes();
    let as_snapshot = bytes.len() + 402 * super::super::SNAPSHOT_BYTES_PER_OP;
    assert!(check(&bytes, as_snapshot, Holding::Nothing).is_ok());
    match check(&bytes, as_snapshot, Holding::Some) {
        Err(Refusal::MalformedSnapshot(m)) => assert!(m.contains("operations (rows)"), "{m}"),
        other => panic!("not refused: {other:?}"),
    }
    let as_changes = bytes.len() + 402 * crate::wire::MESSAGE_BYTES_PER_OP;
    assert!(check(&bytes, as_changes, Holding::Some).is_ok());
}

/// Changes cost Automerge's change graph and the check far more than an operation each, so
/// a chunk listing more than [`MAX_SNAPSHOT_CHANGES`] is refused whatever the limit, before
/// any is read: one run of the actor column claims them here, in a few bytes.
#[test]
fn a_snapshot_listing_more_changes_than_a_snapshot_may_hold_is_refused() {
    let mut p = take_apart(&sample().save_nocompress());
    let mut actors = Vec::new();
    leb128::write::signed(&mut actors, MAX_SNAPSHOT_CHANGES as i64 + 1).unwrap();
    uleb(&mut actors, 0);
    p.change_specs = vec![(0x01, actors.len())];
    p.change_data = actors;
    match check(
        &put_together(&p),
        crate::wire::MAX_MESSAGE,
        Holding::Nothing,
    ) {
        Err(Refusal::MalformedSnapshot(m)) => assert!(
            m.contains(&format!("more than {MAX_SNAPSHOT_CHANGES} operations")),
            "{m}"
        ),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn an_actor_table_beyond_its_limit_is_refused_before_the_columns() {
    let mut p = take_apart(&sample().save_nocompress());
    let mut prefix = Vec::new();
    uleb(&mut prefix, MAX_SNAPSHOT_ACTORS as u64 + 1);
    for a in 0..=MAX_SNAPSHOT_ACTORS as u32 {
        uleb(&mut prefix, 4);
        prefix.extend(a.to_be_bytes());
    }
    uleb(&mut prefix, 0); // no heads
    p.prefix = prefix;
    refused(&put_together(&p), "too many actors");
}

/// A peer's chunk is weighed too (a node holding some of the coalition weighs one before
/// it drops it): a run of a few bytes claiming 2^62 operations, or successors, is refused
/// once past what a snapshot may hold, not counted to its end.
#[test]
fn weighing_a_run_claiming_endless_entries_stops_at_the_limit() {
    let mut nulls = vec![0u8];
    uleb(&mut nulls, 1 << 62);
    let started = std::time::Instant::now();
    assert!(matches!(
        super::super::entries(&nulls, &[], MAX_SNAPSHOT_OPS as u64),
        Err(Refusal::MalformedSnapshot(m)) if m.contains("too many operations")
    ));
    // One operation, a run of successor counts as long.
    let mut one = Vec::new();
    leb128::write::signed(&mut one, 1).unwrap();
    leb128::write::signed(&mut one, 1).unwrap();
    let mut counts = Vec::new();
    leb128::write::signed(&mut counts, 1 << 62).unwrap();
    uleb(&mut counts, 1 << 40);
    assert!(matches!(
        super::super::entries(&one, &counts, MAX_SNAPSHOT_OPS as u64),
        Err(Refusal::MalformedSnapshot(m)) if m.contains("too many successors")
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // What a document holds is counted as it is.
    assert_eq!(super::super::entries(&one, &[], 1).unwrap(), (1, 0));
}
