//! Honest snapshots load as themselves; forged chunks automerge's own loader accepts (an
//! operation no change vouches for, operations out of order, ids twice, junk) are refused.

use super::*;

#[test]
fn an_honest_snapshot_loads_as_the_same_document() {
    let mut doc = sample();
    for bytes in [doc.save(), doc.save_nocompress()] {
        let (mut loaded, changes) = checked(&bytes).unwrap();
        assert_eq!(loaded.save(), doc.save());
        assert_eq!(changes.len(), doc.get_changes(&[]).len());
    }
}

#[test]
fn taking_a_chunk_apart_and_putting_it_together_changes_nothing() {
    let mut doc = sample();
    let again = put_together(&take_apart(&doc.save_nocompress()));
    let (mut loaded, _) = checked(&again).unwrap();
    assert_eq!(loaded.save(), doc.save());
}

#[test]
fn an_operation_no_change_vouches_for_is_refused() {
    let mut doc = sample();
    let mut p = take_apart(&doc.save_nocompress());
    // A value at a new root key, by a counter beyond every change of actor 0.
    let last_root = p.rows.iter().rposition(is_root).unwrap();
    let mut row = p.rows[last_root].clone();
    assert!(key_str(&row).unwrap().as_str() < "zzz");
    row.cells
        .insert((col::KEY << 4) | col::STRING, Cell::S(Some("zzz".into())));
    row.cells
        .insert((col::ID << 4) | col::DELTA, Cell::U(Some(1000)));
    row.cells
        .insert((col::ID << 4) | col::ACTOR, Cell::U(Some(0)));
    row.succ.clear();
    p.rows.insert(last_root + 1, row);
    let forged = put_together(&p);
    let seen = automerge_accepts(&forged);
    assert!(seen.get(AM_ROOT, "zzz").unwrap().is_some());
    refused(&forged, "belongs to no change");
}

#[test]
fn a_deletion_no_change_vouches_for_is_refused() {
    let mut doc = sample();
    let mut p = take_apart(&doc.save_nocompress());
    let i = p
        .rows
        .iter()
        .position(|r| key_str(r).as_deref() == Some("list") && r.succ.is_empty())
        .unwrap();
    p.rows[i].succ.push((0, 1000));
    let forged = put_together(&p);
    let seen = automerge_accepts(&forged);
    assert!(
        seen.get(AM_ROOT, "list").unwrap().is_none(),
        "the list is hidden"
    );
    refused(&forged, "belongs to no change");
}

#[test]
fn list_elements_out_of_order_are_refused() {
    let mut doc = sample();
    let honest: Vec<String> = doc
        .list_range(doc.get(AM_ROOT, "list").unwrap().unwrap().1, ..)
        .map(|i| format!("{:?}", i.value))
        .collect();
    let mut p = take_apart(&doc.save_nocompress());
    // Swap the two concurrently inserted elements (each a one-operation group).
    let ins = (col::INSERT << 4) | col::BOOLEAN;
    let elems: Vec<usize> = (0..p.rows.len())
        .filter(|i| p.rows[*i].cells[&ins] == Cell::B(true))
        .collect();
    assert_eq!(elems.len(), 3);
    p.rows.swap(elems[1], elems[2]);
    let forged = put_together(&p);
    // Automerge notices only through a debug assertion (a panic), absent from release builds.
    if !cfg!(debug_assertions) {
        let seen = automerge_accepts(&forged);
        let list = seen.get(AM_ROOT, "list").unwrap().unwrap().1;
        let order: Vec<String> = seen
            .list_range(list, ..)
            .map(|i| format!("{:?}", i.value))
            .collect();
        assert_ne!(order, honest, "the forgery reorders the list");
    }
    refused(&forged, "list elements out of order");
}

#[test]
fn map_operations_out_of_order_are_refused() {
    let mut doc = sample();
    let mut p = take_apart(&doc.save_nocompress());
    let roots: Vec<usize> = (0..p.rows.len()).filter(|i| is_root(&p.rows[*i])).collect();
    let (a, b) = (roots[0], roots[roots.len() - 1]);
    p.rows.swap(a, b);
    refused(&put_together(&p), "out of order");
}

#[test]
fn an_operation_id_twice_is_refused() {
    let mut doc = sample();
    let mut p = take_apart(&doc.save_nocompress());
    let first = id_of(&p.rows[0]);
    p.rows[1]
        .cells
        .insert((col::ID << 4) | col::DELTA, Cell::U(Some(first.1)));
    p.rows[1]
        .cells
        .insert((col::ID << 4) | col::ACTOR, Cell::U(Some(first.0)));
    refused(&put_together(&p), "twice");
}

#[test]
fn a_successor_in_another_key_is_refused() {
    let mut doc = sample();
    let mut p = take_apart(&doc.save_nocompress());
    // "title" was overwritten: point another root key's op at the overwrite.
    let overwrite = p
        .rows
        .iter()
        .find(|r| key_str(r).as_deref() == Some("title") && !r.succ.is_empty())
        .unwrap()
        .succ[0];
    let i = p
        .rows
        .iter()
        .position(|r| key_str(r).as_deref() == Some("list"))
        .unwrap();
    assert!(id_of(&p.rows[i]).1 < overwrite.1);
    p.rows[i].succ = vec![overwrite];
    refused(&put_together(&p), "another key");
}

#[test]
fn junk_after_the_chunk_and_other_chunk_kinds_are_refused() {
    let mut doc = sample();
    let mut bytes = doc.save();
    bytes.push(0);
    assert!(checked(&bytes).is_err());
    let change = doc.get_changes(&[])[0].raw_bytes().to_vec();
    refused(&change, "not a document chunk");
}

/// An object made by an operation no older than a write into it (an object in itself, or two
/// each in the other) is refused before Automerge sees it: walking from such an object to
/// the root would never end, and the rules walk it beside the chain check.
#[test]
fn an_operation_in_an_object_no_older_than_itself_is_refused() {
    let mut doc = sample();
    let mut p = take_apart(&doc.save_nocompress());
    let i = p.rows.iter().position(|r| !is_root(r)).unwrap();
    let (actor, ctr) = id_of(&p.rows[i]);
    p.rows[i]
        .cells
        .insert((col::OBJ << 4) | col::INTEGER, Cell::U(Some(ctr)));
    p.rows[i]
        .cells
        .insert((col::OBJ << 4) | col::ACTOR, Cell::U(Some(actor)));
    refused(&put_together(&p), "no older than itself");
}
