//! A member's node sending a change whose columns Automerge reads but would write otherwise:
//! a run split in two, a run of one, a literal run beside another, a number padded with empty
//! bytes, an empty or all-default column, an actor no operation names. Automerge lists every
//! change by encoding its operations again, so such a change, once applied, is listed under
//! another hash than the one it was signed and stored under, and every node that syncs it
//! breaks. Each is refused, nothing is stored, and the honest change it was made from is
//! still taken.

use automerge::{Change, ExpandedChange};
use model::{CoalitionDoc, IssueId, NewIssue, ProfileUpdate, Timestamp};

use crate::parts::Parts;
use crate::{World, refusal};

thread_local! {
    /// Whether a panic on this thread is expected, and so not printed.
    static EXPECTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching its panic without printing it (Automerge panicking on what the node
/// refuses is what this test shows); a panic on any other thread prints as always.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTED.get() {
                previous(info);
            }
        }));
    });
    EXPECTED.set(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    EXPECTED.set(false);
    result
}

/// How a run-length column's values are encoded.
#[derive(Clone, Copy, Debug)]
enum Item {
    Unsigned,
    Signed,
    Text,
}

fn item_of(spec: u32) -> Option<Item> {
    match spec & 7 {
        0 | 1 | 2 | 6 => Some(Item::Unsigned),
        3 => Some(Item::Signed),
        5 => Some(Item::Text),
        _ => None,
    }
}

/// One run of a run-length column, its values kept as the bytes that encode them.
#[derive(Clone, Debug)]
enum Run {
    Repeat(u64, Vec<u8>),
    Literal(Vec<Vec<u8>>),
    Null(u64),
}

/// The bytes of one LEB128 number at the front of `b`.
fn leb<'a>(b: &mut &'a [u8]) -> &'a [u8] {
    let n = b.iter().position(|x| x & 0x80 == 0).unwrap() + 1;
    let (head, rest) = b.split_at(n);
    *b = rest;
    head
}

fn item(b: &mut &[u8], kind: Item) -> Vec<u8> {
    let start = *b;
    let len = leb(b).len();
    let len = match kind {
        Item::Text => {
            let n = leb128::read::unsigned(&mut &start[..len]).unwrap() as usize;
            *b = &b[n..];
            len + n
        }
        _ => len,
    };
    start[..len].to_vec()
}

fn runs(mut b: &[u8], kind: Item) -> Vec<Run> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let count = leb128::read::signed(&mut b).unwrap();
        out.push(match count {
            1.. => Run::Repeat(count as u64, item(&mut b, kind)),
            ..0 => Run::Literal((0..-count).map(|_| item(&mut b, kind)).collect()),
            0 => Run::Null(leb128::read::unsigned(&mut b).unwrap()),
        });
    }
    out
}

/// A number's bytes padded with one more byte that adds nothing.
fn padded(bytes: &[u8], signed: bool) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let last = *out.last().unwrap();
    *out.last_mut().unwrap() |= 0x80;
    out.push(if signed && last & 0x40 != 0 { 0x7f } else { 0 });
    out
}

fn sleb(v: i64) -> Vec<u8> {
    let mut o = Vec::new();
    leb128::write::signed(&mut o, v).unwrap();
    o
}

fn uleb(v: u64) -> Vec<u8> {
    let mut o = Vec::new();
    leb128::write::unsigned(&mut o, v).unwrap();
    o
}

/// The column `runs` make, with the count of run `pad` (if any) padded.
fn write(runs: &[Run], pad: Option<usize>) -> Vec<u8> {
    let mut o = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let count = |n: Vec<u8>| if pad == Some(i) { padded(&n, true) } else { n };
        match run {
            Run::Repeat(n, v) => {
                o.extend(count(sleb(*n as i64)));
                o.extend(v);
            }
            Run::Literal(vs) => {
                o.extend(count(sleb(-(vs.len() as i64))));
                vs.iter().for_each(|v| o.extend(v));
            }
            Run::Null(n) => {
                o.extend(count(sleb(0)));
                o.extend(uleb(*n));
            }
        }
    }
    o
}

/// The value `v` (of `kind`) with its number, or its length, padded.
fn padded_item(v: &[u8], kind: Item) -> Vec<u8> {
    let mut b = v;
    let number = leb(&mut b);
    let mut out = padded(number, matches!(kind, Item::Signed));
    out.extend(b);
    out
}

/// Every way this test writes a run-length column otherwise than Automerge would, each
/// holding the same values.
fn run_mutants(col: &[u8], kind: Item) -> Vec<(String, Vec<u8>)> {
    let rs = runs(col, kind);
    let mut out = Vec::new();
    let mut with = |what: String, rs: Vec<Run>| out.push((what, write(&rs, None)));
    for (i, run) in rs.iter().enumerate() {
        let swap = |new: &[Run]| {
            let mut all = rs[..i].to_vec();
            all.extend_from_slice(new);
            all.extend_from_slice(&rs[i + 1..]);
            all
        };
        match run {
            Run::Repeat(n, v) => {
                with(
                    format!("run {i} as a literal"),
                    swap(&[Run::Literal(vec![v.clone(); *n as usize])]),
                );
                with(
                    format!("run {i} split after one"),
                    swap(&[Run::Repeat(1, v.clone()), Run::Repeat(n - 1, v.clone())]),
                );
                if *n >= 4 {
                    with(
                        format!("run {i} split in two runs"),
                        swap(&[Run::Repeat(2, v.clone()), Run::Repeat(n - 2, v.clone())]),
                    );
                }
                with(
                    format!("run {i}'s value padded"),
                    swap(&[Run::Repeat(*n, padded_item(v, kind))]),
                );
            }
            Run::Literal(vs) => {
                if vs.len() >= 2 {
                    with(
                        format!("literal {i} split"),
                        swap(&[
                            Run::Literal(vs[..1].to_vec()),
                            Run::Literal(vs[1..].to_vec()),
                        ]),
                    );
                } else {
                    with(
                        format!("literal {i} as a run of one"),
                        swap(&[Run::Repeat(1, vs[0].clone())]),
                    );
                }
                let mut first = vs.clone();
                first[0] = padded_item(&vs[0], kind);
                with(
                    format!("literal {i}'s first value padded"),
                    swap(&[Run::Literal(first)]),
                );
            }
            Run::Null(n) => {
                if *n >= 2 {
                    with(
                        format!("null run {i} split"),
                        swap(&[Run::Null(1), Run::Null(n - 1)]),
                    );
                }
                with(
                    format!("null run {i} beside an empty one"),
                    swap(&[Run::Null(0), Run::Null(*n)]),
                );
            }
        }
    }
    with("an empty null run first".into(), {
        let mut all = vec![Run::Null(0)];
        all.extend(rs.iter().cloned());
        all
    });
    for i in 0..rs.len() {
        out.push((format!("run {i}'s count padded"), write(&rs, Some(i))));
    }
    out
}

/// Every way this test writes a boolean column otherwise than Automerge would.
fn bool_mutants(col: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut b = col;
    let mut counts = Vec::new();
    while !b.is_empty() {
        counts.push(leb128::read::unsigned(&mut b).unwrap());
    }
    let write = |counts: &[u64], pad: Option<usize>| {
        let mut o = Vec::new();
        for (i, c) in counts.iter().enumerate() {
            let n = uleb(*c);
            o.extend(if pad == Some(i) { padded(&n, false) } else { n });
        }
        o
    };
    let mut out = vec![("a count of none at the end".into(), {
        let mut c = counts.clone();
        c.extend([0, 0]);
        write(&c, None)
    })];
    for i in 0..counts.len() {
        out.push((format!("count {i} padded"), write(&counts, Some(i))));
        let mut c = counts.clone();
        c.insert(i + 1, 0);
        c.insert(i + 1, 0);
        out.push((
            format!("two counts of none after count {i}"),
            write(&c, None),
        ));
    }
    out
}

/// Every way this test writes `honest` otherwise than Automerge would.
fn mutants(honest: &Change) -> Vec<(String, Parts)> {
    let parts = Parts::of(honest.raw_bytes());
    let mut out = Vec::new();
    for (spec, col) in &parts.cols {
        let rewritten = match (spec & 7, item_of(*spec)) {
            (4, _) => bool_mutants(col),
            (_, Some(kind)) => run_mutants(col, kind),
            _ => Vec::new(),
        };
        for (what, bytes) in rewritten {
            let mut p = parts.clone();
            p.col(*spec, bytes);
            out.push((format!("column {spec:#x}: {what}"), p));
        }
    }
    let rows = honest.len() as u64;
    let absent = |spec: u32| !parts.cols.iter().any(|(s, _)| *s == spec);
    // Columns Automerge leaves out: an empty one, and the mark columns holding only their
    // defaults (no expansion, no mark name).
    for spec in [0x01, 0x02, 0x11, 0x13, 0x15, 0x57, 0x71, 0x73] {
        if absent(spec) {
            let mut p = parts.clone();
            p.col(spec, Vec::new());
            out.push((format!("an empty column {spec:#x}"), p));
        }
    }
    for (spec, bytes, what) in [
        (0x94, uleb(rows), "an expand column of falses"),
        (
            0xa5,
            [vec![0], uleb(rows)].concat(),
            "a mark-name column of nulls",
        ),
    ] {
        if absent(spec) {
            let mut p = parts.clone();
            p.col(spec, bytes);
            out.push((what.into(), p));
        }
    }
    // An actor listed that no operation names (last, so no index moves).
    let mut p = parts.clone();
    p.others.push(vec![0xff; 32]);
    out.push(("an actor no operation names".into(), p));
    out
}

/// B's honest changes of every shape a coalition holds: an issue (map keys, texts, a list of
/// tags), communities listed (insertions), taken back (deletions with predecessors), and its
/// name changed over the one A wrote (objects and predecessors of another actor).
fn honest_changes(w: &World) -> Vec<Change> {
    let mut doc = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let b = w.peer.member.clone();
    let mut out = Vec::new();
    let mut last = |doc: &mut CoalitionDoc| {
        out.push(doc.automerge_mut().get_last_local_change().unwrap().clone());
    };
    doc.add_issue(
        &b,
        NewIssue {
            id: IssueId::from_bytes([9; 16]),
            title: "Bus fares".into(),
            description: "Fares rose by 40% since 2020; riders in Eastside pay most.".into(),
            tags: vec!["race".into(), "class".into(), "disability".into()],
            lead: None,
        },
        Timestamp::from_millis(1_700_000_000_000),
    )
    .unwrap();
    last(&mut doc);
    let profile = |communities: &[&str], name: Option<&str>| ProfileUpdate {
        communities: Some(communities.iter().map(|c| (*c).to_owned()).collect()),
        name: name.map(str::to_owned),
        ..Default::default()
    };
    for (i, (list, name)) in [
        (&["tenants", "renters", "elders"][..], None),
        (&[][..], None),
        (&["tenants"][..], Some("Eastside Faith Coalition")),
    ]
    .into_iter()
    .enumerate()
    {
        doc.update_profile(
            &b,
            profile(list, name),
            Timestamp::from_millis(1_700_000_100_000 + i as i64),
        )
        .unwrap();
        last(&mut doc);
    }
    out
}

#[test]
fn a_change_written_otherwise_than_automerge_writes_it_is_refused() {
    let mut w = World::new();
    let mut tried = 0;
    for honest in honest_changes(&w) {
        let ops = honest.decode().operations;
        let persisted = w.persisted();
        for (what, parts) in mutants(&honest) {
            let forged = match Change::from_bytes(parts.encode()) {
                Ok(forged) => forged,
                // Some empty columns Automerge does not take either.
                Err(_) if what.starts_with("an empty column") => continue,
                Err(e) => panic!("{what}: Automerge does not parse it: {e}"),
            };
            // The same operations as the honest change, which Automerge writes otherwise:
            // applied unchecked, it is listed under another hash (or listing the document's
            // changes panics, a dependency missing under the hash it came with; or applying
            // it panics, for an actor no operation names).
            let decoded: ExpandedChange = forged.decode();
            assert_eq!(decoded.operations, ops, "{what}: other operations");
            let mut scratch = w.docs.doc(&w.coalition).unwrap().clone();
            let listed = quietly(|| {
                scratch.apply_changes([forged.clone()]).ok()?;
                Some(
                    scratch
                        .get_changes(&[])
                        .iter()
                        .any(|c| c.hash() == forged.hash()),
                )
            });
            assert!(
                !matches!(listed, Ok(Some(true))),
                "{what}: Automerge lists it under its own hash"
            );
            let out = w.push_signed(&[forged]);
            assert!(
                matches!(refusal(&out), Some(sync::Refusal::MalformedChange(_))),
                "{what}: not refused as malformed: {out:?}"
            );
            assert_eq!(w.persisted(), persisted, "{what}: stored");
            tried += 1;
            // A fresh connection for the next one, before strikes end this one.
            w.node.disconnected(&w.peer.key);
            w.node.connected(&mut w.docs, w.peer.key);
            let hello = sync::Message::Hello {
                coalitions: vec![w.coalition.to_bytes()],
                max_message: sync::wire::MAX_MESSAGE as u64,
                takes: Vec::new(),
            };
            w.node.received(&mut w.docs, w.peer.key, &hello.encode());
        }
        // The honest change itself is taken, and the next one's mutants tried on it.
        let out = w.push_signed(&[honest]);
        assert!(refusal(&out).is_none(), "{out:?}");
    }
    assert!(tried > 100, "{tried} forgeries");
    // Every change the node holds is listed under the hash it came with.
    let mut node = w.docs.doc(&w.coalition).unwrap().clone();
    let doc = node.document();
    let held: Vec<_> = doc.get_changes_meta(&[]).iter().map(|m| m.hash).collect();
    let listed: Vec<_> = doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
    assert_eq!(held, listed);
}
