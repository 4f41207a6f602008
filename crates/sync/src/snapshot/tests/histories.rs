//! Random histories (property tests): honest snapshots pass, reordered operations never pass
//! as another document, and any bytes are refused or loaded without a panic.

use super::*;

/// One edit of a random history.
#[derive(Debug, Clone)]
enum Edit {
    Put(usize, u8, i64),
    Delete(usize, u8),
    Insert(usize, usize, i64),
    Remove(usize, usize),
    Splice(usize, usize, String),
    Increment(usize, i64),
    /// A map inserted into the list, with a value in it.
    Nest(usize, usize, u8),
    /// A formatting mark over part of the text.
    Mark(usize, usize, usize, bool),
    Merge(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..3usize, 0..6u8, any::<i64>()).prop_map(|(a, k, v)| Edit::Put(a, k, v)),
        (0..3usize, 0..6u8).prop_map(|(a, k)| Edit::Delete(a, k)),
        (0..3usize, any::<usize>(), any::<i64>()).prop_map(|(a, p, v)| Edit::Insert(a, p, v)),
        (0..3usize, any::<usize>()).prop_map(|(a, p)| Edit::Remove(a, p)),
        (0..3usize, any::<usize>(), "[a-z ]{0,4}").prop_map(|(a, p, s)| Edit::Splice(a, p, s)),
        (0..3usize, -5..5i64).prop_map(|(a, v)| Edit::Increment(a, v)),
        (0..3usize, any::<usize>(), 0..4u8).prop_map(|(a, p, k)| Edit::Nest(a, p, k)),
        (0..3usize, any::<usize>(), any::<usize>(), any::<bool>())
            .prop_map(|(a, p, l, b)| Edit::Mark(a, p, l, b)),
        (0..3usize, 0..3usize).prop_map(|(a, b)| Edit::Merge(a, b)),
    ]
}

fn history(actors: &[[u8; 32]], edits: &[Edit]) -> AutoCommit {
    let mut base = AutoCommit::new().with_actor(ActorId::from(actors[0]));
    base.put_object(AM_ROOT, "list", ObjType::List).unwrap();
    base.put_object(AM_ROOT, "text", ObjType::Text).unwrap();
    base.put_object(AM_ROOT, "map", ObjType::Map).unwrap();
    base.put(AM_ROOT, "count", ScalarValue::counter(0)).unwrap();
    base.commit();
    let mut docs: Vec<AutoCommit> = actors
        .iter()
        .map(|a| base.fork().with_actor(ActorId::from(*a)))
        .collect();
    for e in edits {
        match e {
            Edit::Merge(a, b) if a != b => {
                let mut other = docs[*b].fork();
                docs[*a].merge(&mut other).unwrap();
            }
            Edit::Merge(..) => {}
            Edit::Put(a, k, v) => {
                let d = &mut docs[*a];
                let map = d.get(AM_ROOT, "map").unwrap().unwrap().1;
                d.put(&map, format!("k{k}"), *v).unwrap();
            }
            Edit::Delete(a, k) => {
                let d = &mut docs[*a];
                let map = d.get(AM_ROOT, "map").unwrap().unwrap().1;
                d.delete(&map, format!("k{k}")).unwrap();
            }
            Edit::Insert(a, p, v) => {
                let d = &mut docs[*a];
                let list = d.get(AM_ROOT, "list").unwrap().unwrap().1;
                let at = p % (d.length(&list) + 1);
                d.insert(&list, at, *v).unwrap();
            }
            Edit::Remove(a, p) => {
                let d = &mut docs[*a];
                let list = d.get(AM_ROOT, "list").unwrap().unwrap().1;
                let len = d.length(&list);
                if len > 0 {
                    d.delete(&list, p % len).unwrap();
                }
            }
            Edit::Splice(a, p, s) => {
                let d = &mut docs[*a];
                let text = d.get(AM_ROOT, "text").unwrap().unwrap().1;
                let at = p % (d.length(&text) + 1);
                let del = isize::from(at < d.length(&text));
                d.splice_text(&text, at, del, s).unwrap();
            }
            Edit::Increment(a, v) => {
                docs[*a].increment(AM_ROOT, "count", *v).unwrap();
            }
            Edit::Nest(a, p, k) => {
                let d = &mut docs[*a];
                let list = d.get(AM_ROOT, "list").unwrap().unwrap().1;
                let at = p % (d.length(&list) + 1);
                let inner = d.insert_object(&list, at, ObjType::Map).unwrap();
                d.put(&inner, format!("n{k}"), "nested").unwrap();
            }
            Edit::Mark(a, p, l, bold) => {
                let d = &mut docs[*a];
                let text = d.get(AM_ROOT, "text").unwrap().unwrap().1;
                let len = d.length(&text);
                if len > 0 {
                    let start = p % len;
                    let end = start + 1 + l % (len - start);
                    let mark = automerge::marks::Mark::new("bold".into(), *bold, start, end);
                    d.mark(&text, mark, automerge::marks::ExpandMark::After)
                        .unwrap();
                }
            }
        }
        for d in &mut docs {
            d.commit();
        }
    }
    let mut all = docs.remove(0);
    for mut d in docs {
        all.merge(&mut d).unwrap();
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any honest history, by actors in any order, passes the checks and loads as itself.
    #[test]
    fn honest_snapshots_pass(
        actors in proptest::collection::vec(any::<[u8; 32]>(), 3),
        edits in proptest::collection::vec(edit(), 0..80),
    ) {
        let mut doc = history(&actors, &edits);
        let bytes = doc.save();
        let (mut loaded, changes) = checked(&bytes).unwrap();
        prop_assert_eq!(loaded.save(), bytes.clone());
        prop_assert_eq!(changes.len(), doc.get_changes(&[]).len());
        let again = put_together(&take_apart(&doc.save_nocompress()));
        let (mut rebuilt, _) = checked(&again).unwrap();
        prop_assert_eq!(rebuilt.save(), bytes.clone());
        // A sender weighs a chunk as the receiver's check counts it, compressed or not.
        let shape = check(&bytes, 1 << 24, Holding::Nothing).unwrap();
        // Checked on two threads, however few the operations: the same.
        let apart = check_apart(&bytes, 1 << 24, Holding::Nothing, 0).unwrap();
        prop_assert_eq!(format!("{apart:?}"), format!("{shape:?}"));
        let counted = (changes.len() + shape.ids.len() + shape.succ.len()) as u64;
        prop_assert_eq!(weight(&bytes, 1 << 24).unwrap(), counted);
        prop_assert_eq!(weight(&again, 1 << 24).unwrap(), counted);
    }

    /// Swapping any two operations gives a chunk that is refused, or one that loads as the
    /// same document (two operations that may come in either order do not exist, so: refused
    /// unless they were identical).
    #[test]
    fn reordered_operations_never_pass_as_another_document(
        actors in proptest::collection::vec(any::<[u8; 32]>(), 3),
        edits in proptest::collection::vec(edit(), 1..40),
        i in any::<usize>(),
        j in any::<usize>(),
    ) {
        let mut doc = history(&actors, &edits);
        let mut p = take_apart(&doc.save_nocompress());
        let n = p.rows.len();
        let (i, j) = (i % n, j % n);
        p.rows.swap(i, j);
        let forged = put_together(&p);
        same_both_ways(&forged);
        if let Ok((mut loaded, _)) = checked(&forged) {
            prop_assert_eq!(loaded.save(), doc.save());
        }
    }

    /// Any bytes: refused or loaded, never a panic.
    #[test]
    fn any_bytes_are_refused_or_loaded(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = checked(&bytes);
        same_both_ways(&bytes);
    }
}

/// Reads every change's operations from the chunk's columns and compares each with Automerge's
/// rebuilt change: the same operations wherever this side answers, and an answer wherever
/// the change's own columns are read without Automerge (`change_ops::direct`). Returns how
/// many it answered.
fn columns_agree_with_rebuilt_changes(bytes: &[u8]) -> usize {
    let (mut loaded, changes) = checked(bytes).unwrap();
    let metas = loaded.document().get_changes_meta(&[]);
    let ours = change_ops(bytes, 1 << 24, &metas).expect("the columns read");
    assert_eq!(ours.len(), changes.len());
    // Built on two threads, however few: the same changes.
    let apart = super::changes::read(
        bytes,
        1 << 24,
        0,
        &std::sync::atomic::AtomicBool::new(false),
    )
    .expect("the columns read")
    .changes_apart(&metas, 0)
    .expect("the columns read");
    assert_eq!(apart.len(), ours.len());
    for (a, o) in apart.iter().zip(&ours) {
        match (a, o) {
            (Some(a), Some(o)) => assert!(a.same_operations(o), "{a:?}\n{o:?}"),
            (None, None) => {}
            _ => panic!("built on two threads: {a:?}, on one: {o:?}"),
        }
    }
    let mut answered = 0;
    for (m, o) in metas.iter().zip(&ours) {
        let ch = changes.iter().find(|c| c.hash() == m.hash).unwrap();
        let theirs = crate::change_ops::read(ch).expect("Automerge decodes its own change");
        match o {
            Some(o) => {
                assert!(
                    o.same_operations(&theirs),
                    "change {} differs:\n{o:?}\n{theirs:?}",
                    m.hash
                );
                answered += 1;
            }
            None => assert!(
                crate::change_ops::direct(ch).is_none(),
                "change {} read from its own columns but not from the snapshot's",
                m.hash
            ),
        }
    }
    crate::fuzzing::snapshot_ops_agree(bytes, loaded, &changes);
    answered
}

#[test]
fn a_coalitions_changes_read_from_its_snapshot_as_automerge_rebuilds_them() {
    let doc = crate::fuzzing::batch_document();
    let n = columns_agree_with_rebuilt_changes(&doc);
    assert_eq!(n, AutoCommit::load(&doc).unwrap().get_changes(&[]).len());
    // So a node joining a coalition takes its changes as read, rebuilding none.
    match load_read(&doc, crate::wire::MAX_MESSAGE, Holding::Nothing)
        .unwrap()
        .1
    {
        Contents::Read(read) => assert_eq!(read.len(), n),
        Contents::Rebuilt(_) => panic!("a coalition's snapshot was rebuilt, not read"),
    }
    let uncompressed = AutoCommit::load(&doc).unwrap().save_nocompress();
    columns_agree_with_rebuilt_changes(&uncompressed);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any history, by actors in any order, deletions, overwrites, nested objects, text,
    /// counters and marks included: every change read from the snapshot's columns is the
    /// change Automerge rebuilds, or left to Automerge.
    #[test]
    fn changes_read_from_a_snapshot_are_the_ones_automerge_rebuilds(
        actors in proptest::collection::vec(any::<[u8; 32]>(), 3),
        edits in proptest::collection::vec(edit(), 0..80),
    ) {
        let mut doc = history(&actors, &edits);
        columns_agree_with_rebuilt_changes(&doc.save());
        columns_agree_with_rebuilt_changes(&doc.save_nocompress());
    }
}

#[test]
fn a_snapshot_holding_a_counter_is_rebuilt_not_read() {
    let mut doc = AutoCommit::new().with_actor(ActorId::from([3u8; 32]));
    doc.put(AM_ROOT, "count", ScalarValue::counter(1)).unwrap();
    doc.put(AM_ROOT, "name", "Transit Justice").unwrap();
    doc.commit();
    let bytes = doc.save();
    match load_read(&bytes, crate::wire::MAX_MESSAGE, Holding::Nothing)
        .unwrap()
        .1
    {
        Contents::Rebuilt(changes) => assert_eq!(changes.len(), 1),
        Contents::Read(_) => panic!("a counter, which only Automerge reads, was read"),
    }
}

/// Reading a chunk's operations beside Automerge's load stops once it is told to (the load
/// refused the chunk): nothing is read for nothing, up to the limit of a snapshot.
#[test]
fn a_read_told_to_stop_reads_nothing_more() {
    use std::sync::atomic::AtomicBool;
    let doc = crate::fuzzing::batch_document();
    assert!(super::super::changes::read(&doc, 1 << 24, 0, &AtomicBool::new(false)).is_some());
    assert!(super::super::changes::read(&doc, 1 << 24, 0, &AtomicBool::new(true)).is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The ids read alone on their own thread (`ids_indexed`) are the ids the check reads
    /// with every operation, with their index: the check never falls back on taking them from
    /// the operations for an honest history (so the thread is not wasted and not hidden).
    #[test]
    fn the_ids_read_alone_are_the_ones_read_with_the_operations(
        actors in proptest::collection::vec(any::<[u8; 32]>(), 3),
        edits in proptest::collection::vec(edit(), 0..60),
    ) {
        let bytes = history(&actors, &edits).save();
        let shape = check(&bytes, 1 << 24, Holding::Nothing).unwrap();
        let Header { actors, op_specs, op_data, .. } = header(&bytes).unwrap();
        let mut budget = 1 << 24;
        let cols = columns(&op_specs, op_data, &mut budget).unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (ids, index) = ids_indexed(&cols, actors.len(), shape.ids.len(), &stop)
            .expect("the ids read");
        prop_assert_eq!(&ids, &shape.ids);
        prop_assert_eq!(index, id_index(&shape.ids));
        // Told to stop, it reads nothing more.
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        prop_assert!(ids_indexed(&cols, actors.len(), shape.ids.len(), &stop).is_none());
    }
}
