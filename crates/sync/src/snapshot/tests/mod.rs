//! Honest snapshots load; forged ones — each a chunk automerge 0.12's own loader accepts —
//! are refused. The forgeries are made by decoding a real document chunk's operation
//! columns, changing them, and encoding them again.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT as AM_ROOT, ReadDoc, ScalarValue};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;

mod forgeries;
mod histories;
mod limits;
mod nodes;

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

/// Automerge's own (checking) loader takes the forgery.
fn automerge_accepts(forged: &[u8]) -> AutoCommit {
    AutoCommit::load(forged).expect("automerge's loader takes the forgery")
}

/// The check gives the same answer on two threads as on one, however few the operations.
fn same_both_ways(chunk: &[u8]) {
    let max = crate::wire::MAX_MESSAGE;
    let one = check_apart(chunk, max, Holding::Nothing, usize::MAX);
    let two = check_apart(chunk, max, Holding::Nothing, 0);
    assert_eq!(format!("{two:?}"), format!("{one:?}"));
}

fn refused(forged: &[u8], why: &str) {
    same_both_ways(forged);
    match checked(forged) {
        Err(Refusal::MalformedSnapshot(m)) => {
            assert!(m.contains(why), "refused for {m:?}, not {why:?}")
        }
        other => panic!("forgery not refused: {other:?}"),
    }
}

proptest! {
    /// The id index is the ids sorted, with their places, whether the counters run close to
    /// the count (counted into place) or far past it (sorted).
    #[test]
    fn the_id_index_is_the_ids_sorted(
        ids in proptest::collection::vec((1u32..64, 0u32..4), 0..200),
        far in any::<bool>(),
    ) {
        let ops: Vec<Op<'_>> = ids
            .iter()
            .map(|&(ctr, actor)| Op {
                obj: ROOT,
                key: Key::Map("k"),
                id: Id {
                    ctr: if far { ctr.saturating_mul(1_000_000) } else { ctr },
                    actor,
                },
                insert: false,
                succ: (0, 0),
            })
            .collect();
        let mut expected: Vec<(Id, u32)> =
            ops.iter().enumerate().map(|(i, o)| (o.id, i as u32)).collect();
        expected.sort_unstable();
        prop_assert_eq!(id_index(&ops.iter().map(|o| o.id).collect::<Vec<_>>()), expected);
    }
}

/// At the edge between counting and sorting: counters up to twice the operations and 1,024
/// more are counted into place, higher ones sorted; both give the ids sorted.
#[test]
fn the_id_index_at_the_edge_between_counting_and_sorting() {
    for ctr in [1_029u32, 1_030, 1_031] {
        let ops: Vec<Op<'_>> = [(ctr, 1u32), (1, 0), (ctr, 0)]
            .iter()
            .map(|&(ctr, actor)| Op {
                obj: ROOT,
                key: Key::Map("k"),
                id: Id { ctr, actor },
                insert: false,
                succ: (0, 0),
            })
            .collect();
        let mut expected: Vec<(Id, u32)> = ops
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, i as u32))
            .collect();
        expected.sort_unstable();
        assert_eq!(
            id_index(&ops.iter().map(|o| o.id).collect::<Vec<_>>()),
            expected,
            "counters up to {ctr}"
        );
    }
}
