//! Honest snapshots load; forged ones — each a chunk automerge 0.12's own loader accepts —
//! are refused. The forgeries are made by decoding a real document chunk's operation
//! columns, changing them, and encoding them again.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT as AM_ROOT, ReadDoc, ScalarValue};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;

/// Whole columns, for taking chunks apart.
fn rle_u64(data: &[u8], _max: usize) -> Result<Vec<Option<u64>>, Refusal> {
    let mut runs = Runs::new(data, bad_snapshot, |r| r.uleb());
    let mut out = Vec::new();
    while let Some(v) = runs.next()? {
        out.push(v);
    }
    Ok(out)
}

fn delta(data: &[u8], _max: usize) -> Result<Vec<Option<u64>>, Refusal> {
    let mut runs = Deltas::new(data, bad_snapshot);
    let mut out = Vec::new();
    while let Some(v) = runs.next()? {
        out.push(v);
    }
    Ok(out)
}

fn strings(data: &[u8], _max: usize) -> Result<Vec<Option<String>>, Refusal> {
    let mut runs = Runs::new(data, bad_snapshot, Reader::str);
    let mut out = Vec::new();
    while let Some(v) = runs.next()? {
        out.push(v.map(str::to_owned));
    }
    Ok(out)
}

fn booleans(data: &[u8], _max: usize) -> Result<Vec<bool>, Refusal> {
    let mut runs = Bools::new(data, bad_snapshot);
    let mut out = Vec::new();
    while let Some(v) = runs.next()? {
        out.push(v);
    }
    Ok(out)
}

/// One operation column value.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    U(Option<u64>),
    S(Option<String>),
    B(bool),
}

/// A document chunk taken apart: everything but the operations kept as bytes.
#[derive(Debug, Clone)]
struct Parts {
    prefix: Vec<u8>, // actors and heads
    change_specs: Vec<(u32, usize)>,
    change_data: Vec<u8>,
    op_specs: Vec<u32>,
    suffix: Vec<u8>,
    rows: Vec<Row>,
}

#[derive(Debug, Clone)]
struct Row {
    cells: BTreeMap<u32, Cell>,
    value: Vec<u8>,
    succ: Vec<(u64, u64)>, // (actor, counter)
}

const VALUE_META: u32 = (5 << 4) | 6;
const VALUE: u32 = (5 << 4) | 7;
const SUCC_N: u32 = col::SUCC << 4;
const SUCC_A: u32 = (col::SUCC << 4) | col::ACTOR;
const SUCC_C: u32 = (col::SUCC << 4) | col::DELTA;

fn take_apart(chunk: &[u8]) -> Parts {
    let mut r = Reader::new(chunk, bad_snapshot);
    r.take(9).unwrap();
    r.uleb().unwrap();
    let start = chunk.len() - r.bytes.len();
    for _ in 0..r.len().unwrap() {
        let n = r.len().unwrap();
        r.take(n).unwrap();
    }
    for _ in 0..r.len().unwrap() {
        r.take(32).unwrap();
    }
    let prefix = chunk[start..chunk.len() - r.bytes.len()].to_vec();
    let specs = |r: &mut Reader<'_>| -> Vec<(u32, usize)> {
        (0..r.len().unwrap())
            .map(|_| (r.uleb().unwrap() as u32, r.len().unwrap()))
            .collect()
    };
    let change_specs = specs(&mut r);
    let op_specs = specs(&mut r);
    let change_data = r
        .take(change_specs.iter().map(|s| s.1).sum())
        .unwrap()
        .to_vec();
    let op_data = r.take(op_specs.iter().map(|s| s.1).sum()).unwrap();
    let suffix = r.bytes.to_vec();
    let cols = columns(
        &op_specs.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        op_data,
        &mut usize::MAX.clone(),
    )
    .unwrap();
    let max = usize::MAX;
    let mut per: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    let mut succ_a = Vec::new();
    let mut succ_c = Vec::new();
    let mut values: &[u8] = &[];
    for (spec, _) in &op_specs {
        let data = &cols[spec][..];
        match *spec {
            SUCC_A => succ_a = rle_u64(data, max).unwrap(),
            SUCC_C => succ_c = delta(data, max).unwrap(),
            VALUE => values = data,
            s => {
                let v: Vec<Cell> = match s & 7 {
                    col::DELTA => delta(data, max).unwrap().into_iter().map(Cell::U).collect(),
                    col::BOOLEAN => booleans(data, max)
                        .unwrap()
                        .into_iter()
                        .map(Cell::B)
                        .collect(),
                    col::STRING => strings(data, max)
                        .unwrap()
                        .into_iter()
                        .map(Cell::S)
                        .collect(),
                    _ => rle_u64(data, max)
                        .unwrap()
                        .into_iter()
                        .map(Cell::U)
                        .collect(),
                };
                per.insert(s, v);
            }
        }
    }
    let n = per[&((col::ID << 4) | col::DELTA)].len();
    let mut rows = Vec::new();
    let mut at = 0;
    let mut vat = 0;
    for i in 0..n {
        let mut cells = BTreeMap::new();
        for (s, v) in &per {
            let blank = if s & 7 == col::BOOLEAN {
                Cell::B(false)
            } else if s & 7 == col::STRING {
                Cell::S(None)
            } else {
                Cell::U(None)
            };
            cells.insert(*s, v.get(i).cloned().unwrap_or(blank));
        }
        let k = match cells.get(&SUCC_N) {
            Some(Cell::U(Some(k))) => *k as usize,
            _ => 0,
        };
        let succ = (at..at + k)
            .map(|j| (succ_a[j].unwrap(), succ_c[j].unwrap()))
            .collect();
        at += k;
        let vlen = match cells.get(&VALUE_META) {
            Some(Cell::U(Some(m))) => (*m >> 4) as usize,
            _ => 0,
        };
        let value = values[vat..vat + vlen].to_vec();
        vat += vlen;
        rows.push(Row { cells, value, succ });
    }
    Parts {
        prefix,
        change_specs,
        change_data,
        op_specs: op_specs.iter().map(|s| s.0).collect(),
        suffix,
        rows,
    }
}

fn sleb(out: &mut Vec<u8>, v: i64) {
    leb128::write::signed(out, v).unwrap();
}

fn uleb(out: &mut Vec<u8>, v: u64) {
    leb128::write::unsigned(out, v).unwrap();
}

/// Run-length encodes values (`write` writes one), nulls as null runs.
fn encode_rle<T: PartialEq + Clone>(
    vals: &[Option<T>],
    write: impl Fn(&mut Vec<u8>, &T),
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut literal: Vec<T> = Vec::new();
    let flush = |out: &mut Vec<u8>, literal: &mut Vec<T>| {
        if !literal.is_empty() {
            sleb(out, -(literal.len() as i64));
            for v in literal.drain(..) {
                write(out, &v);
            }
        }
    };
    while i < vals.len() {
        let mut j = i;
        while j < vals.len() && vals[j] == vals[i] {
            j += 1;
        }
        match &vals[i] {
            None => {
                flush(&mut out, &mut literal);
                sleb(&mut out, 0);
                uleb(&mut out, (j - i) as u64);
            }
            Some(v) if j - i > 1 => {
                flush(&mut out, &mut literal);
                sleb(&mut out, (j - i) as i64);
                write(&mut out, v);
            }
            Some(v) => literal.push(v.clone()),
        }
        i = j;
    }
    flush(&mut out, &mut literal);
    out
}

fn encode_delta(vals: &[Option<u64>]) -> Vec<u8> {
    let mut prev = 0i64;
    let deltas: Vec<Option<i64>> = vals
        .iter()
        .map(|v| {
            v.map(|v| {
                let d = v as i64 - prev;
                prev = v as i64;
                d
            })
        })
        .collect();
    encode_rle(&deltas, |o, d| sleb(o, *d))
}

fn encode_bool(vals: &[bool]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut current = false;
    let mut run = 0u64;
    for v in vals {
        if *v == current {
            run += 1;
        } else {
            uleb(&mut out, run);
            current = *v;
            run = 1;
        }
    }
    if run > 0 {
        uleb(&mut out, run);
    }
    out
}

fn put_together(p: &Parts) -> Vec<u8> {
    let mut cols: Vec<(u32, Vec<u8>)> = Vec::new();
    for &spec in &p.op_specs {
        let bytes = match spec {
            SUCC_N => encode_rle(
                &p.rows
                    .iter()
                    .map(|r| Some(r.succ.len() as u64))
                    .collect::<Vec<_>>(),
                |o, v| uleb(o, *v),
            ),
            SUCC_A => encode_rle(
                &p.rows
                    .iter()
                    .flat_map(|r| r.succ.iter().map(|s| Some(s.0)))
                    .collect::<Vec<_>>(),
                |o, v| uleb(o, *v),
            ),
            SUCC_C => encode_delta(
                &p.rows
                    .iter()
                    .flat_map(|r| r.succ.iter().map(|s| Some(s.1)))
                    .collect::<Vec<_>>(),
            ),
            VALUE => p.rows.iter().flat_map(|r| r.value.clone()).collect(),
            s => {
                let cells: Vec<&Cell> = p.rows.iter().map(|r| &r.cells[&s]).collect();
                match s & 7 {
                    col::BOOLEAN => encode_bool(
                        &cells
                            .iter()
                            .map(|c| matches!(c, Cell::B(true)))
                            .collect::<Vec<_>>(),
                    ),
                    col::STRING => encode_rle(
                        &cells
                            .iter()
                            .map(|c| match c {
                                Cell::S(s) => s.clone(),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                        |o, v: &String| {
                            uleb(o, v.len() as u64);
                            o.extend(v.as_bytes());
                        },
                    ),
                    kind => {
                        let vals: Vec<Option<u64>> = cells
                            .iter()
                            .map(|c| match c {
                                Cell::U(v) => *v,
                                _ => None,
                            })
                            .collect();
                        if kind == col::DELTA {
                            encode_delta(&vals)
                        } else {
                            encode_rle(&vals, |o, v| uleb(o, *v))
                        }
                    }
                }
            }
        };
        cols.push((spec, bytes));
    }
    let mut data = p.prefix.clone();
    uleb(&mut data, p.change_specs.len() as u64);
    for (s, l) in &p.change_specs {
        uleb(&mut data, u64::from(*s));
        uleb(&mut data, *l as u64);
    }
    uleb(&mut data, cols.len() as u64);
    for (s, b) in &cols {
        uleb(&mut data, u64::from(*s));
        uleb(&mut data, b.len() as u64);
    }
    data.extend(&p.change_data);
    for (_, b) in &cols {
        data.extend(b);
    }
    data.extend(&p.suffix);
    let mut body = vec![0u8];
    uleb(&mut body, data.len() as u64);
    body.extend(&data);
    let sum = Sha256::digest(&body);
    let mut out = MAGIC.to_vec();
    out.extend(&sum[..4]);
    out.extend(body);
    out
}

fn id_of(r: &Row) -> (u64, u64) {
    let a = match r.cells[&((col::ID << 4) | col::ACTOR)] {
        Cell::U(Some(a)) => a,
        _ => panic!("no id actor"),
    };
    let c = match r.cells[&((col::ID << 4) | col::DELTA)] {
        Cell::U(Some(c)) => c,
        _ => panic!("no id counter"),
    };
    (a, c)
}

fn key_str(r: &Row) -> Option<String> {
    match &r.cells[&((col::KEY << 4) | col::STRING)] {
        Cell::S(s) => s.clone(),
        _ => None,
    }
}

fn is_root(r: &Row) -> bool {
    r.cells[&(col::OBJ << 4 | col::INTEGER)] == Cell::U(None)
}

/// A small document: two actors, root keys, a list with concurrent inserts, a deletion.
fn sample() -> AutoCommit {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    a.put(AM_ROOT, "title", "Tenants' union").unwrap();
    a.put(AM_ROOT, "zeta", 1).unwrap();
    let list = a.put_object(AM_ROOT, "list", ObjType::List).unwrap();
    a.insert(&list, 0, "first").unwrap();
    a.commit();
    let mut b = a.fork().with_actor(ActorId::from([2u8; 32]));
    a.insert(&list, 1, "from a").unwrap();
    a.put(AM_ROOT, "title", "Tenants' union (a)").unwrap();
    b.insert(&list, 1, "from b").unwrap();
    b.delete(AM_ROOT, "zeta").unwrap();
    a.merge(&mut b).unwrap();
    a
}

fn checked(chunk: &[u8]) -> Result<(AutoCommit, Vec<automerge::Change>), Refusal> {
    load(chunk, crate::wire::MAX_MESSAGE)
}

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

/// Automerge's own (checking) loader takes the forgery.
fn automerge_accepts(forged: &[u8]) -> AutoCommit {
    AutoCommit::load(forged).expect("automerge's loader takes the forgery")
}

fn refused(forged: &[u8], why: &str) {
    match checked(forged) {
        Err(Refusal::MalformedSnapshot(m)) => {
            assert!(m.contains(why), "refused for {m:?}, not {why:?}")
        }
        other => panic!("forgery not refused: {other:?}"),
    }
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
        prop_assert_eq!(rebuilt.save(), bytes);
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
        if let Ok((mut loaded, _)) = checked(&put_together(&p)) {
            prop_assert_eq!(loaded.save(), doc.save());
        }
    }

    /// Any bytes: refused or loaded, never a panic.
    #[test]
    fn any_bytes_are_refused_or_loaded(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = checked(&bytes);
    }
}

/// Node-level: A holds a coalition that admitted B; B, holding nothing, expects it from A.
mod nodes {
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
        let head = crate::sign(&sa, &doc.heads()[0]);
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
            vec![head],
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

    #[test]
    fn a_node_holding_nothing_catches_up_from_a_snapshot() {
        let (mut a, mut b, c) = world();
        let mut to_b: Vec<Vec<u8>> = Vec::new();
        let mut to_a: Vec<Vec<u8>> = Vec::new();
        let sends = |out: Vec<Output>, q: &mut Vec<Vec<u8>>| {
            for o in out {
                match o {
                    Output::Send { frame, .. } => q.push(frame),
                    Output::Refused { reason, .. } => panic!("refused: {reason}"),
                    _ => {}
                }
            }
        };
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
            }
            for f in std::mem::take(&mut to_a) {
                sends(a.node.received(&mut a.docs, b.key, &f), &mut to_b);
            }
        }
        assert!(snapshots >= 1, "B got the coalition as a snapshot");
        let ours = a.docs.doc(&c).unwrap().save();
        assert_eq!(b.docs.doc(&c).unwrap().save(), ours);
        assert_eq!(b.docs.persisted[&c].0.len(), a.docs.persisted[&c].0.len());
    }

    #[test]
    fn a_forged_snapshot_is_refused_and_nothing_is_kept() {
        let (mut a, mut b, c) = world();
        b.node.connected(&mut b.docs, a.key);
        let hello = Message::Hello {
            coalitions: vec![c.to_bytes()],
        };
        b.node.received(&mut b.docs, a.key, &hello.encode());
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
        let sync = automerge::sync::Message {
            heads,
            need: vec![],
            have: vec![],
            changes: vec![forged].into(),
            flags: None,
            version: automerge::sync::MessageVersion::V2,
        };
        let frame = Message::Sync {
            coalition: c.to_bytes(),
            sync: sync.encode(),
            heads: crate::wire::heads(&a.docs.persisted[&c].1),
            vouchers: Vec::new(),
        }
        .encode();
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
}

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
