//! Store behaviour on real redb files in temporary directories.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::path::Path;

use proptest::prelude::*;
use redb::ReadableDatabase;
use store::{OpenError, Store, StoreError};

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    (dir, path)
}

#[test]
fn only_an_empty_document_is_removed() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    s.append("joining", &[]).unwrap();
    s.append("held", &[b"1".as_slice()]).unwrap();
    s.append_signed("signed", &[], &[([1; 32], [2; 64])])
        .unwrap();
    s.append("a", &[]).unwrap();
    s.append_signed("b", &[], &[([1; 32], [2; 64])]).unwrap();
    assert!(!s.remove_if_empty("held").unwrap());
    assert!(!s.remove_if_empty("signed").unwrap());
    assert!(!s.remove_if_empty("missing").unwrap());
    assert!(s.remove_if_empty("joining").unwrap());
    assert!(
        s.remove_if_empty("a").unwrap(),
        "a neighbour's signatures are not its own"
    );
    assert_eq!(s.doc_names().unwrap(), ["b", "held", "signed"]);
    assert_eq!(s.load("held").unwrap().unwrap().changes, [b"1".to_vec()]);
}

#[test]
fn appended_changes_survive_reopen_in_order() {
    let (_dir, path) = temp();
    {
        let s = Store::open(&path).unwrap();
        s.append("a", &[b"1".as_slice(), b"2"]).unwrap();
        s.append("b", &[b"x".as_slice()]).unwrap();
        s.append("a", &[b"3".as_slice()]).unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.doc_names().unwrap(), ["a", "b"]);
    let a = s.load("a").unwrap().unwrap();
    assert_eq!(a.changes, [b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
    assert_eq!(a.next_seq, 3);
    assert_eq!(s.load("missing").unwrap(), None);
}

#[test]
fn compaction_replaces_a_prefix_with_a_snapshot() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    s.append("a", &[b"1".as_slice(), b"2"]).unwrap();
    let before = s.load("a").unwrap().unwrap();
    s.append("a", &[b"3".as_slice()]).unwrap();
    s.compact("a", b"snap(1,2)", before.next_seq).unwrap();
    let after = s.load("a").unwrap().unwrap();
    assert_eq!(after.snapshot.as_deref(), Some(b"snap(1,2)".as_slice()));
    assert_eq!(after.changes, [b"3".to_vec()]);
    assert_eq!(after.concatenated(), b"snap(1,2)3");
    assert!(s.compact("a", b"s", 99).is_err());
}

#[test]
fn a_document_received_whole_is_stored_with_its_signatures_or_not_at_all() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    let sig = ([7u8; 32], [9u8; 64]);
    s.compact_signed("a", b"whole", 0, &[sig]).unwrap();
    let stored = s.load("a").unwrap().unwrap();
    assert_eq!(stored.snapshot.as_deref(), Some(b"whole".as_slice()));
    assert!(stored.changes.is_empty());
    assert_eq!(s.signatures("a").unwrap(), vec![sig]);
    // A refused one (compacting past what is stored) keeps neither.
    assert!(s.compact_signed("b", b"whole", 5, &[sig]).is_err());
    assert_eq!(s.load("b").unwrap(), None);
    assert!(s.signatures("b").unwrap().is_empty());
}

#[test]
fn a_second_open_is_refused_with_a_clear_message() {
    let (_dir, path) = temp();
    let _held = Store::open(&path).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, OpenError::Locked { .. }), "{e}");
    assert!(e.to_string().contains("in use by another process"), "{e}");
}

#[test]
fn a_foreign_file_is_named_as_such() {
    let (_dir, path) = temp();
    std::fs::write(
        &path,
        "these are someone's meeting notes, not a store\n".repeat(200),
    )
    .unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, OpenError::Foreign { .. }), "{e}");
    // The file is left as it was.
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("these are")
    );
}

#[test]
fn another_programs_redb_file_is_foreign() {
    let (_dir, path) = temp();
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx
                .open_table(redb::TableDefinition::<&str, u64>::new("theirs"))
                .unwrap();
            t.insert("k", 1).unwrap();
        }
        tx.commit().unwrap();
    }
    assert!(matches!(
        Store::open(&path).unwrap_err(),
        OpenError::Foreign { .. }
    ));
}

#[test]
fn a_store_from_a_newer_format_is_refused() {
    let (_dir, path) = temp();
    drop(Store::open(&path).unwrap());
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx
                .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
                .unwrap();
            t.insert("version", 99u64.to_le_bytes().as_slice()).unwrap();
        }
        tx.commit().unwrap();
    }
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, OpenError::Newer { found: 99, .. }), "{e}");
}

fn open_never_panics(path: &Path) -> Result<(), String> {
    let p = path.to_owned();
    match std::panic::catch_unwind(move || Store::open(&p).map(|s| s.load("a").map(|_| ()))) {
        Ok(_) => Ok(()),
        Err(_) => Err("opening a damaged store panicked".into()),
    }
}

#[test]
fn damaged_stores_give_errors_not_panics() {
    let (_dir, path) = temp();
    {
        let s = Store::open(&path).unwrap();
        for i in 0..200u32 {
            s.append("a", &[format!("change number {i}").as_bytes()])
                .unwrap();
        }
    }
    let pristine = std::fs::read(&path).unwrap();
    let len = pristine.len();
    for pos in [0, 9, 100, 600, len / 3, len / 2, len - 10] {
        let mut damaged = pristine.clone();
        damaged[pos] ^= 0xff;
        std::fs::write(&path, &damaged).unwrap();
        open_never_panics(&path).unwrap();
    }
    std::fs::write(&path, &pristine[..len / 2]).unwrap();
    open_never_panics(&path).unwrap();
}

#[test]
fn oversized_records_and_bad_names_are_refused() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    let big = vec![0u8; store::MAX_CHANGE_BYTES + 1];
    assert!(matches!(
        s.append("a", &[big.as_slice()]),
        Err(StoreError::TooLarge { .. })
    ));
    assert!(matches!(
        s.append("", &[b"x".as_slice()]),
        Err(StoreError::BadName(_))
    ));
    assert_eq!(
        s.load("a").unwrap(),
        None,
        "a refused append writes nothing"
    );
}

#[derive(Debug, Clone)]
enum Step {
    Append(u8, Vec<Vec<u8>>),
    Compact(u8),
    Reopen,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..3, proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..4)).prop_map(|(d, c)| Step::Append(d, c)),
        1 => (0u8..3).prop_map(Step::Compact),
        1 => Just(Step::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever mix of appends, compactions and reopenings, loading a document gives its
    /// snapshot followed by the later changes: all bytes ever appended, in order.
    #[test]
    fn load_returns_everything_appended(steps in proptest::collection::vec(step(), 1..30)) {
        let (_dir, path) = temp();
        let mut s = Store::open(&path).unwrap();
        let mut expected: [Vec<u8>; 3] = Default::default();
        for st in steps {
            match st {
                Step::Append(d, changes) => {
                    let refs: Vec<&[u8]> = changes.iter().map(Vec::as_slice).collect();
                    s.append(&format!("d{d}"), &refs).unwrap();
                    for c in changes { expected[d as usize].extend(c); }
                }
                Step::Compact(d) => {
                    if let Some(doc) = s.load(&format!("d{d}")).unwrap() {
                        s.compact(&format!("d{d}"), &doc.concatenated(), doc.next_seq).unwrap();
                    }
                }
                Step::Reopen => {
                    drop(s);
                    s = Store::open(&path).unwrap();
                }
            }
        }
        for (d, bytes) in expected.iter().enumerate() {
            let got = s.load(&format!("d{d}")).unwrap().map(|doc| doc.concatenated()).unwrap_or_default();
            prop_assert_eq!(&got, bytes);
        }
    }
}

#[test]
fn signatures_are_stored_with_their_changes_and_looked_up_by_change() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    s.append_signed("a", &[b"1".as_slice()], &[([1; 32], [9; 64])])
        .unwrap();
    s.append_signed("a", &[b"2".as_slice()], &[([2; 32], [8; 64])])
        .unwrap();
    s.append_signed("b", &[b"x".as_slice()], &[([3; 32], [7; 64])])
        .unwrap();
    let mut sigs = s.signatures("a").unwrap();
    sigs.sort();
    assert_eq!(sigs, vec![([1; 32], [9; 64]), ([2; 32], [8; 64])]);
    assert_eq!(s.signature("a", &[2; 32]).unwrap(), Some([8; 64]));
    assert_eq!(s.signature("a", &[3; 32]).unwrap(), None, "b's, not a's");
    assert_eq!(s.signature("c", &[1; 32]).unwrap(), None);
    assert_eq!(s.signatures("b").unwrap().len(), 1);
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.signatures("a").unwrap().len(), 2);
    assert_eq!(s.signature("a", &[1; 32]).unwrap(), Some([9; 64]));
}

#[test]
fn node_records_are_kept_apart_from_documents() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    assert_eq!(s.get_record("invite/ab").unwrap(), None);
    s.put_record("invite/ab", b"{}").unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.get_record("invite/ab").unwrap().as_deref(),
        Some(b"{}".as_slice())
    );
    assert!(s.doc_names().unwrap().is_empty());
}

/// A copy of the store written by format 1 (the first release), in a temporary directory.
fn format_1_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = temp();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format-1.redb"),
        &path,
    )
    .unwrap();
    (dir, path)
}

#[test]
fn a_format_1_store_is_migrated_with_nothing_lost_and_a_copy_kept() {
    let (dir, path) = format_1_store();
    let s = Store::open(&path).unwrap();

    // Documents, snapshots, signatures and records are as format 1 wrote them.
    assert_eq!(s.doc_names().unwrap(), ["a", "b"]);
    let a = s.load("a").unwrap().unwrap();
    assert_eq!(a.changes, [b"change one".to_vec(), b"change two".to_vec()]);
    assert_eq!(s.signatures("a").unwrap(), [([7u8; 32], [9u8; 64])]);
    let b = s.load("b").unwrap().unwrap();
    assert_eq!(b.snapshot.as_deref(), Some(b"snapshot of b1 b2".as_slice()));
    assert_eq!(b.changes, [b"b3".to_vec()]);
    assert_eq!(
        s.get_record("peers").unwrap().as_deref(),
        Some(br#"["/ip4/127.0.0.1/tcp/4001"]"#.as_slice())
    );

    // The one-record refusal log became a log of entries, in order.
    assert_eq!(s.get_record("refused").unwrap(), None);
    let log = s.log("refused").unwrap();
    let reasons: Vec<String> = log
        .iter()
        .map(|e| {
            let v: serde_json::Value = serde_json::from_slice(e).unwrap();
            v["reason"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(reasons, ["bad signature", "not a member", "equivocation"]);

    // The old file is kept beside the store, still in format 1 with its one-record log.
    let copy = dir.path().join("store.redb.format-1");
    {
        let db = redb::Database::open(&copy).unwrap();
        let read = db.begin_read().unwrap();
        let meta = read
            .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
            .unwrap();
        let version = meta.get("version").unwrap().unwrap().value().to_vec();
        assert_eq!(version, 1u64.to_le_bytes());
        let log = meta.get("node/refused").unwrap().unwrap().value().to_vec();
        assert!(String::from_utf8(log).unwrap().contains("equivocation"));
    }

    // The migrated store writes and reopens as the current format, without migrating again.
    s.append_log("refused", b"{\"reason\":\"new\"}", 10)
        .unwrap();
    s.append("a", &[b"change three".as_slice()]).unwrap();
    drop(s);
    std::fs::remove_file(&copy).unwrap();
    let s = Store::open(&path).unwrap();
    assert_eq!(s.log("refused").unwrap().len(), 4);
    assert_eq!(s.load("a").unwrap().unwrap().changes.len(), 3);
    assert!(!copy.exists(), "a current store is not migrated again");
}

#[test]
fn an_unreadable_old_refusal_log_is_left_in_place() {
    let (_dir, path) = format_1_store();
    {
        // Damage the old log while the file is still format 1.
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
            let mut meta = tx.open_table(def).unwrap();
            meta.insert("node/refused", b"not json".as_slice()).unwrap();
        }
        tx.commit().unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.get_record("refused").unwrap().as_deref(),
        Some(b"not json".as_slice())
    );
    assert!(s.log("refused").unwrap().is_empty());
    assert_eq!(s.doc_names().unwrap(), ["a", "b"]);
}

#[test]
fn logs_keep_their_newest_entries_in_order() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    assert!(s.log("l").unwrap().is_empty());
    for i in 0..25u8 {
        s.append_log("l", &[i], 10).unwrap();
    }
    s.append_log("other", b"x", 10).unwrap();
    let kept: Vec<u8> = s.log("l").unwrap().into_iter().map(|e| e[0]).collect();
    assert_eq!(kept, (15..25).collect::<Vec<u8>>());
    assert_eq!(s.log("other").unwrap(), [b"x".to_vec()]);
    let e = s
        .append_log("l", &vec![0; store::MAX_LOG_ENTRY_BYTES + 1], 10)
        .unwrap_err();
    assert!(matches!(e, StoreError::TooLarge { .. }), "{e}");
    assert_eq!(s.log("l").unwrap().len(), 10);
}

/// Turns a current store into the format-1 layout: no logs table, the refusal log as one
/// JSON array under `node/refused`, version 1.
fn downgrade_to_format_1(path: &Path, old_log: &serde_json::Value) {
    let db = redb::Database::create(path).unwrap();
    let tx = db.begin_write().unwrap();
    {
        let logs: redb::TableDefinition<(&str, u64), &[u8]> = redb::TableDefinition::new("logs");
        tx.delete_table(logs).unwrap();
        let mut meta = tx
            .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
            .unwrap();
        meta.insert("version", 1u64.to_le_bytes().as_slice())
            .unwrap();
        meta.insert("node/refused", old_log.to_string().as_bytes())
            .unwrap();
    }
    tx.commit().unwrap();
}

fn json_entry() -> impl Strategy<Value = serde_json::Value> {
    (any::<i64>(), "[a-f0-9]{0,8}", proptest::option::of("[a-f0-9]{4}"), ".{0,40}").prop_map(
        |(at, peer, coalition, reason)| {
            serde_json::json!({ "at": at, "peer": peer, "coalition": coalition, "reason": reason })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Migrating any format-1 store keeps every document, signature and record, and turns
    /// its refusal log into the same entries in the same order.
    #[test]
    fn migration_from_format_1_loses_nothing(
        docs in proptest::collection::vec(
            (0u8..4, proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..30), 1..5)),
            0..6,
        ),
        records in proptest::collection::btree_map("[a-z]{1,8}", proptest::collection::vec(any::<u8>(), 0..30), 0..4),
        log in proptest::collection::vec(json_entry(), 0..20),
    ) {
        // `refused` is where format 1 kept its log.
        let records: std::collections::BTreeMap<_, _> =
            records.into_iter().filter(|(k, _)| k != "refused").collect();
        let (dir, path) = temp();
        {
            let s = Store::open(&path).unwrap();
            for (d, changes) in &docs {
                let refs: Vec<&[u8]> = changes.iter().map(Vec::as_slice).collect();
                s.append_signed(&format!("d{d}"), &refs, &[([*d; 32], [*d; 64])]).unwrap();
            }
            for (k, v) in &records {
                s.put_record(k, v).unwrap();
            }
        }
        let before = {
            let s = Store::open(&path).unwrap();
            s.doc_names().unwrap().into_iter().map(|n| {
                let doc = s.load(&n).unwrap();
                let sigs = s.signatures(&n).unwrap();
                (n, doc, sigs)
            }).collect::<Vec<_>>()
        };
        downgrade_to_format_1(&path, &serde_json::Value::Array(log.clone()));

        let s = Store::open(&path).unwrap();
        let after = s.doc_names().unwrap().into_iter().map(|n| {
            let doc = s.load(&n).unwrap();
            let sigs = s.signatures(&n).unwrap();
            (n, doc, sigs)
        }).collect::<Vec<_>>();
        prop_assert_eq!(after, before);
        for (k, v) in &records {
            prop_assert_eq!(s.get_record(k).unwrap(), Some(v.clone()));
        }
        prop_assert_eq!(s.get_record("refused").unwrap(), None);
        let entries: Vec<serde_json::Value> = s
            .log("refused")
            .unwrap()
            .iter()
            .map(|e| serde_json::from_slice(e).unwrap())
            .collect();
        prop_assert_eq!(entries, log);
        prop_assert!(dir.path().join("store.redb.format-1").exists());
    }
}

#[test]
fn opening_a_store_held_for_a_moment_waits_for_it_and_says_so() {
    let (_dir, path) = temp();
    let held = Store::open(&path).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(held);
    });
    let mut told = 0;
    let s = Store::open_waiting(&path, std::time::Duration::from_secs(10), || told += 1);
    release.join().unwrap();
    assert!(s.is_ok(), "{:?}", s.err());
    assert_eq!(told, 1, "said once that it waits");
    // Held for longer than the wait: refused as before.
    let _held = s.unwrap();
    let started = std::time::Instant::now();
    let e = Store::open_waiting(&path, std::time::Duration::from_millis(300), || {}).unwrap_err();
    assert!(matches!(e, OpenError::Locked { .. }), "{e}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}
