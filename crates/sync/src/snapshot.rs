//! Whole-document transfer (a *snapshot*: one Automerge document chunk), checked so that the
//! signed changes it rebuilds vouch for everything it writes into the document.
//!
//! Catching a fresh node up with individual changes makes the receiver apply them one by one,
//! which costs about twice what loading the same history as a document does. A document
//! chunk, though, stores operations, not changes: Automerge rebuilds the changes from the
//! operations and (in its `Check` mode) refuses a chunk whose rebuilt changes do not hash to
//! the heads it names. Those hashes are what the signatures vouch for. What automerge 0.12's
//! loader does *not* check, and [`load`] does before trusting a chunk:
//!
//! - **Every operation belongs to a change.** An operation whose id lies outside every
//!   change's range is kept in the document yet left out of every rebuilt change. Likewise a
//!   successor id (a deletion or an overwrite) outside every change hides a value without any
//!   change vouching for it. Checked against the loaded change graph ([`Shape::covered_by`]).
//! - **Operations are in the order applying the changes gives.** The loader takes the order
//!   as it comes (a FIXME in automerge), and order is meaning: which list element comes first.
//!   Checked here from the chunk's own columns: objects in id order, map operations by key
//!   then id, list elements in RGA order (each element after the one it was inserted after,
//!   concurrent insertions newest first), the operations on one element or key in id order.
//! - **No operation id twice, and each deletion in one place:** either would make the loader
//!   panic while rebuilding changes.
//!
//! With those checks a chunk that loads gives exactly the document applying its changes gives,
//! and the changes are checked like any others (signatures, rules) before it is used.
//!
//! In order, [`load`] reads the chunk's operation columns itself, as streams (compressed columns
//! may unpack to no more than the node's message limit in all, and every column is validated like a
//! change's), and makes the checks above; then Automerge loads the chunk in its `Check` mode (its
//! rebuilt changes must hash to its heads), inside `catch_unwind`; then every operation and
//! successor id must lie within one of those changes. The changes then go through the same
//! checks as any others (signatures, forks, `chain`, rules, storage), and the snapshot replaces the
//! document only if the node held nothing and every change was new. A node joining does not
//! rebuild them (`load_read`): each change's facts (hash, author, sequence, start,
//! dependencies, time) come from the loaded change graph, whose hashes Automerge computed from
//! the chunk and checked against its heads, and its operations from the chunk's own columns
//! (`changes`, property-tested and fuzzed against Automerge's rebuilt changes); rebuilding
//! them took about as long as the load (BENCHMARKS.md). A chunk holding what only Automerge
//! reads (counters, marks) is rebuilt as [`load`] does. A node sends one only to a peer
//! that holds nothing of the coalition (its heads are empty: a new member's node), only under
//! its limit ([`ops_limit`]: changes and successors included, weighed on the saved chunk by
//! [`weight`]), and
//! never in a coalition where a fork was found (vouchers travel only with changes); everyone
//! else gets the changes it lacks.
//! `snapshot/tests/` forges chunks that automerge's own loader accepts (an unsigned value, a
//! hidden value, reordered list elements) and checks that each is refused, also through `SyncNode`.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use automerge::{AutoCommit, Change};
use tracing::debug;

use crate::beside::{There, beside};
use crate::columns::{Bools, DEFLATE, Deltas, Layout, Range, Reader, Runs, spec, validate};
use crate::verify::{MAGIC, Refusal, chunk_extent};

/// Most changes, operations and successor entries a snapshot may hold in all, whatever the
/// node's message limit: bounds the memory a snapshot makes the node use before anything in
/// it is trusted. Measured on coalitions' documents (BENCHMARKS.md), the join peaks at about
/// 150 bytes an entry, Automerge's document included (about 110 bytes an entry, which the
/// node holds once it has joined whichever way the history came): some 10 GB at this cap. A
/// crafted chunk costs more per entry where it holds mostly deletions (the check keeps about
/// 110 bytes for each, the reader as much beside the load, and Automerge's load some 100 more,
/// estimated, not measured): a peer can make a node that holds nothing of a coalition use an
/// estimated 20 GB at a time before the chunk is refused; lowering the message limit lowers
/// that in proportion. A larger history goes in pages of changes.
pub const MAX_SNAPSHOT_OPS: usize = 64_000_000;

/// Most changes a snapshot may hold, whatever the node's message limit: a change costs
/// Automerge's change graph and the check several hundred bytes however few its operations,
/// so changes are not left to the shared count of [`MAX_SNAPSHOT_OPS`]. A coalition of
/// 100,000 issues holds 111,007.
pub const MAX_SNAPSHOT_CHANGES: usize = 2_000_000;

/// What each change, operation and successor of a snapshot counts against the message limit
/// of a node that holds nothing of the coalition ([`ops_limit`]): 64 M at the default limit,
/// four times what the same limit takes as changes ([`crate::wire::MESSAGE_BYTES_PER_OP`]).
/// Such a node is a new member, and the snapshot its whole coalition: what it makes the node
/// allocate is the document the node will hold however the history comes, besides the
/// check's. Weighed like changes, a coalition past 16.8 M operations (about 37,000 issues as
/// coalitions write them) joined in pages, about four times slower than a snapshot at 100,000
/// issues and at 1.4 times its peak memory. A node that holds some of the coalition weighs a
/// snapshot as changes ([`Holding::Some`]).
pub const SNAPSHOT_BYTES_PER_OP: usize = 8;

/// Most actors a snapshot's table may name: a coalition's writers are its member nodes.
pub const MAX_SNAPSHOT_ACTORS: usize = 100_000;

/// What a node taking a snapshot holds of its coalition, which decides the snapshot's limit
/// ([`limit_for`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// Nothing: a new member, which snapshots are sent to ([`ops_limit`]).
    Nothing,
    /// Some of it already (a snapshot that crossed changes from another peer): weighed as
    /// changes, [`crate::wire::MESSAGE_BYTES_PER_OP`] an entry, as no node sends it a whole
    /// coalition it mostly holds.
    Some,
}

/// What a node whose message limit is `max_message`, holding nothing of the coalition, takes
/// in a snapshot of `chunk_len` bytes: changes, operations and successors in all, each costing
/// [`SNAPSHOT_BYTES_PER_OP`] of what the chunk leaves of the limit; never more than
/// [`MAX_SNAPSHOT_OPS`]. What a sender offers a new member is held to this.
pub fn ops_limit(chunk_len: usize, max_message: usize) -> u64 {
    limit_for(chunk_len, max_message, Holding::Nothing)
}

/// [`ops_limit`] for a node holding `holding` of the coalition.
pub fn limit_for(chunk_len: usize, max_message: usize, holding: Holding) -> u64 {
    let per_op = match holding {
        Holding::Nothing => SNAPSHOT_BYTES_PER_OP,
        Holding::Some => crate::wire::MESSAGE_BYTES_PER_OP,
    };
    let left = max_message.saturating_sub(chunk_len) / per_op;
    (left.min(MAX_SNAPSHOT_OPS)) as u64
}

fn bad(why: impl Into<String>) -> Refusal {
    Refusal::MalformedSnapshot(why.into())
}

fn bad_snapshot(why: String) -> Refusal {
    Refusal::MalformedSnapshot(why)
}

/// An operation id, ordered as Automerge orders them: counter, then actor (the chunk's actor
/// table is sorted, so index order is byte order). Counters are `u32`s, as Automerge keeps
/// them (`validate` holds every counter column to that range): 8 bytes an id, for the
/// millions a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Id {
    ctr: u32,
    actor: u32,
}

/// A counter read from a column, as an [`Id`] keeps it.
fn counter(c: u64) -> Result<u32, Refusal> {
    u32::try_from(c).map_err(|_| bad("a counter out of range"))
}

/// The root object, and the head of every list.
const ROOT: Id = Id { ctr: 0, actor: 0 };

/// A key, borrowing map keys from the chunk's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Map(&'a str),
    /// An element id (ROOT for the head of the list).
    Seq(Id),
}

#[derive(Debug)]
struct Op<'a> {
    obj: Id,
    key: Key<'a>,
    id: Id,
    insert: bool,
    /// Range in the successor list.
    succ: (u32, u32),
}

impl<'a> Op<'a> {
    /// The key the operation sorts and groups under: an insertion starts its own element.
    fn group_key(&self) -> Key<'a> {
        if self.insert {
            Key::Seq(self.id)
        } else {
            self.key
        }
    }

    fn succ<'s>(&self, all: &'s [Id]) -> &'s [Id] {
        &all[self.succ.0 as usize..self.succ.1 as usize]
    }
}

/// What [`check`] read from a snapshot: the ids of its operations and successors, for
/// [`Shape::covered_by`].
#[derive(Debug)]
pub struct Shape {
    actors: Vec<Vec<u8>>,
    ids: Vec<Id>,
    succ: Vec<Id>,
}

/// Column ids (spec >> 4) and types (spec & 7) of the operation columns read here.
mod col {
    pub(super) const OBJ: u32 = 0;
    pub(super) const KEY: u32 = 1;
    pub(super) const ID: u32 = 2;
    pub(super) const INSERT: u32 = 3;
    pub(super) const SUCC: u32 = 8;

    pub(super) const GROUP: u32 = 0;
    pub(super) const ACTOR: u32 = 1;
    pub(super) const INTEGER: u32 = 2;
    pub(super) const DELTA: u32 = 3;
    pub(super) const BOOLEAN: u32 = 4;
    pub(super) const STRING: u32 = 5;
}

/// Column specs with their bytes, decompressed, as listed in the chunk. All inflated bytes
/// count against `budget`, so a deflate bomb is refused here, before Automerge's loader
/// inflates it.
fn columns<'a>(
    specs: &[(u32, usize)],
    data: &'a [u8],
    budget: &mut usize,
) -> Result<BTreeMap<u32, std::borrow::Cow<'a, [u8]>>, Refusal> {
    let mut out = BTreeMap::new();
    let mut r = Reader::new(data, bad_snapshot);
    for &(spec, len) in specs {
        let raw = r.take(len)?;
        let id = spec & !DEFLATE;
        let bytes = if spec & DEFLATE == 0 {
            std::borrow::Cow::Borrowed(raw)
        } else {
            let mut inflated = Vec::new();
            inflate_into(spec, raw, budget, &mut inflated)?;
            std::borrow::Cow::Owned(inflated)
        };
        if out.insert(id, bytes).is_some() {
            return Err(bad(format!("column {spec} twice")));
        }
    }
    if !r.is_empty() {
        return Err(bad("column data longer than its columns"));
    }
    Ok(out)
}

/// Inflates the compressed column `spec`'s bytes `raw` into `out`, taking what they inflate
/// to from `budget`: refused past it, so that a deflate bomb is never inflated whole.
fn inflate_into(
    spec: u32,
    raw: &[u8],
    budget: &mut usize,
    out: &mut impl std::io::Write,
) -> Result<(), Refusal> {
    let limit = u64::try_from(*budget).unwrap_or(u64::MAX).saturating_add(1);
    let inflated = std::io::copy(&mut flate2::read::DeflateDecoder::new(raw).take(limit), out)
        .map_err(|e| bad(format!("column {spec} does not inflate: {e}")))?;
    *budget = usize::try_from(inflated)
        .ok()
        .and_then(|n| budget.checked_sub(n))
        .ok_or_else(|| bad("columns inflate beyond the message limit"))?;
    Ok(())
}

/// The ranges of a document's change columns that are not counters: times.
const CHANGE_RANGES: &[(u32, Range)] = &[(
    0x23,
    Range {
        min: 0,
        max: crate::verify::MAX_CHANGE_TIME,
    },
)];

/// Checks a document's change columns (see [`validate`]); dependencies point only to earlier
/// changes and no change carries extra bytes (Automerge's loader panics on either). Returns
/// the number of changes.
fn check_changes(
    cols: &BTreeMap<u32, std::borrow::Cow<'_, [u8]>>,
    actors: usize,
    limit: u64,
) -> Result<u64, Refusal> {
    let n = validate(
        cols,
        &Layout {
            ranges: CHANGE_RANGES,
        },
        actors,
        limit,
        bad_snapshot,
    )?;
    if cols.get(&0x57).is_some_and(|c| !c.is_empty()) {
        return Err(bad("a change with extra bytes"));
    }
    let get = |spec: u32| cols.get(&spec).map_or(&[][..], |c| &c[..]);
    let mut counts = Runs::new(get(0x40), bad_snapshot, |r| r.uleb());
    let mut deps = Deltas::new(get(0x43), bad_snapshot);
    for row in 0..n {
        let k = counts.next()?.flatten().unwrap_or(0);
        for _ in 0..k {
            let dep = deps
                .next()?
                .flatten()
                .ok_or_else(|| bad("a dependency without an index"))?;
            if dep >= row {
                return Err(bad("a change depends on a later one"));
            }
        }
    }
    Ok(n)
}

/// One value per operation from a column, or null throughout if the column is absent.
fn pull<T>(
    present: bool,
    next: Result<Option<Option<T>>, Refusal>,
    what: &str,
) -> Result<Option<T>, Refusal> {
    if !present {
        return Ok(None);
    }
    next?.ok_or_else(|| bad(format!("{what} column shorter than the operations")))
}

/// After the last operation: a column must have no values left.
fn ended<T>(next: Result<Option<T>, Refusal>, what: &str) -> Result<(), Refusal> {
    match next? {
        None => Ok(()),
        Some(_) => Err(bad(format!("{what} column longer than the operations"))),
    }
}

fn actor_at(a: Option<u64>, actors: usize) -> Result<u32, Refusal> {
    a.and_then(|a| u32::try_from(a).ok())
        .filter(|a| (*a as usize) < actors)
        .ok_or_else(|| bad("actor index out of range"))
}

/// Reads a snapshot's operations and checks everything that needs no change graph: layout,
/// unique ids, successors, and canonical order; its compressed columns may inflate to at
/// most `max_inflated` bytes in all (the node's message limit), and its changes, operations
/// and successors number at most [`limit_for`] `holding` in all, the changes at most
/// [`MAX_SNAPSHOT_CHANGES`]. Cheap next to loading; done first so that the loader never sees
/// a chunk that would make it panic.
pub fn check(chunk: &[u8], max_inflated: usize, holding: Holding) -> Result<Shape, Refusal> {
    check_apart(chunk, max_inflated, holding, crate::beside::APART)
}

/// [`check`], on two threads from `apart` operations (tests try both ways on small chunks).
fn check_apart(
    chunk: &[u8],
    max_inflated: usize,
    holding: Holding,
    apart: usize,
) -> Result<Shape, Refusal> {
    let limit = limit_for(chunk.len(), max_inflated, holding);
    let Header {
        actors,
        change_specs,
        op_specs,
        change_data,
        op_data,
    } = header(chunk)?;
    let mut budget = max_inflated;
    let change_cols = columns(&change_specs, change_data, &mut budget)?;
    let changes = check_changes(
        &change_cols,
        actors.len(),
        limit.min(MAX_SNAPSHOT_CHANGES as u64),
    )?;
    let cols = columns(&op_specs, op_data, &mut budget)?;
    check_ops(&cols, actors, limit.saturating_sub(changes), apart)
}

/// What [`check`] counts against its limit ([`ops_limit`]) in a document chunk: its changes
/// (refused past [`MAX_SNAPSHOT_CHANGES`], as there), operations and successors. Reads the
/// change columns and the two operation columns that say so, after inflating every compressed
/// column to count it against `max_inflated` as [`check`] does (refused if over); for a
/// sender deciding whether to send its document whole, and a receiver whether to load one:
/// whole only when this is under the limit, which [`check`] then always takes.
pub fn weight(chunk: &[u8], max_inflated: usize) -> Result<u64, Refusal> {
    let Header {
        actors,
        change_specs,
        op_specs,
        change_data,
        op_data,
    } = header(chunk)?;
    let mut budget = max_inflated;
    let changes = check_changes(
        &columns(&change_specs, change_data, &mut budget)?,
        actors.len(),
        MAX_SNAPSHOT_CHANGES as u64,
    )?;
    // The two columns counted are kept; every other compressed one is inflated only to be
    // counted against the same budget.
    let wanted = [spec(col::ID, col::DELTA), spec(col::SUCC, col::GROUP)];
    let mut r = Reader::new(op_data, bad_snapshot);
    let mut cols = BTreeMap::new();
    for &(s, len) in &op_specs {
        let raw = r.take(len)?;
        if wanted.contains(&(s & !DEFLATE)) {
            cols.extend(columns(&[(s, len)], raw, &mut budget)?);
        } else if s & DEFLATE != 0 {
            inflate_into(s, raw, &mut budget, &mut std::io::sink())?;
        }
    }
    let get = |s: u32| cols.get(&s).map_or(&[][..], |c| &c[..]);
    let (ops, succ) = entries(
        get(wanted[0]),
        get(wanted[1]),
        ops_limit(chunk.len(), max_inflated),
    )?;
    Ok(changes.saturating_add(ops).saturating_add(succ))
}

/// The operations an id column lists and the successors a successor-count column adds up
/// to, counted entry by entry but never past `most` (the most any node takes, [`ops_limit`]:
/// a run a few bytes long can claim 2^63 entries, and a peer's chunk is weighed too), nor
/// more successor counts than operations.
fn entries(ids: &[u8], succ_counts: &[u8], most: u64) -> Result<(u64, u64), Refusal> {
    let mut ops = 0u64;
    let mut ids = Deltas::new(ids, bad_snapshot);
    while ids.next()?.is_some() {
        ops += 1;
        if ops > most {
            return Err(bad("too many operations"));
        }
    }
    let (mut rows, mut succ) = (0u64, 0u64);
    let mut counts = Runs::new(succ_counts, bad_snapshot, |r| r.uleb());
    while let Some(n) = counts.next()? {
        rows += 1;
        succ = succ.saturating_add(n.unwrap_or(0));
        if rows > ops || succ > most {
            return Err(bad("too many successors"));
        }
    }
    Ok((ops, succ))
}

/// A document chunk's parts before any column is read.
struct Header<'a> {
    actors: Vec<Vec<u8>>,
    change_specs: Vec<(u32, usize)>,
    op_specs: Vec<(u32, usize)>,
    change_data: &'a [u8],
    op_data: &'a [u8],
}

fn header(chunk: &[u8]) -> Result<Header<'_>, Refusal> {
    let (kind, total) = chunk_extent(chunk)?;
    if chunk[..4] != MAGIC || kind != 0 {
        return Err(bad("not a document chunk"));
    }
    if total != chunk.len() {
        return Err(bad("bytes after the document chunk"));
    }
    let mut r = Reader::new(chunk, bad_snapshot);
    r.take(9)?;
    r.uleb()?;
    let mut actors = Vec::new();
    for _ in 0..r.len()? {
        let n = r.len()?;
        actors.push(r.take(n)?.to_vec());
        if actors.len() > MAX_SNAPSHOT_ACTORS {
            return Err(bad("too many actors"));
        }
    }
    if !actors.windows(2).all(|w| w[0] < w[1]) {
        return Err(bad("actor table not sorted"));
    }
    // The heads: Automerge's loader checks that the rebuilt changes hash to them.
    for _ in 0..r.len()? {
        r.take(32)?;
    }
    let specs = |r: &mut Reader<'_>| -> Result<Vec<(u32, usize)>, Refusal> {
        let n = r.len()?;
        let mut v = Vec::new();
        for _ in 0..n.min(64) {
            let s = u32::try_from(r.uleb()?).map_err(|_| bad("bad column spec"))?;
            v.push((s, r.len()?));
        }
        if n > 64 {
            return Err(bad("too many columns"));
        }
        Ok(v)
    };
    let change_specs = specs(&mut r)?;
    let op_specs = specs(&mut r)?;
    let change_len: usize = change_specs
        .iter()
        .try_fold(0usize, |a, (_, l)| a.checked_add(*l))
        .ok_or_else(|| bad("column lengths overflow"))?;
    let op_len: usize = op_specs
        .iter()
        .try_fold(0usize, |a, (_, l)| a.checked_add(*l))
        .ok_or_else(|| bad("column lengths overflow"))?;
    let change_data = r.take(change_len)?;
    let op_data = r.take(op_len)?;
    // What is left are the heads' indices in the change columns; the loader checks them.
    Ok(Header {
        actors,
        change_specs,
        op_specs,
        change_data,
        op_data,
    })
}

/// The operation columns' part of [`check`].
fn check_ops(
    cols: &BTreeMap<u32, std::borrow::Cow<'_, [u8]>>,
    actors: Vec<Vec<u8>>,
    limit: u64,
    apart: usize,
) -> Result<Shape, Refusal> {
    let rows = validate(
        cols,
        &Layout { ranges: &[] },
        actors.len(),
        limit,
        bad_snapshot,
    )?;
    let (na, rows) = (actors.len(), usize::try_from(rows).unwrap_or(0));
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    // The ids and their index on a thread of their own while every operation is read here
    // (`ids_indexed`); should it not run, fail, or give other ids (not expected: both read
    // the same columns alike), they are taken from the operations.
    let (read, indexed) = if rows >= apart {
        // Set once the operations are refused, so that the ids' thread ends soon too.
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (read, there) = beside(
            "coalesce-check",
            || ids_indexed(cols, na, rows, &stop),
            || {
                let read = read_ops(cols, na, limit, rows);
                if read.is_err() {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                read
            },
        );
        (
            read,
            match there {
                There::Done(indexed) => indexed,
                There::NotStarted | There::Failed => None,
            },
        )
    } else {
        (read_ops(cols, na, limit, rows), None)
    };
    let (ops, succ) = read?;
    let indexed = indexed
        .filter(|(ids, _)| ids.len() == ops.len() && ids.iter().zip(&ops).all(|(i, o)| *i == o.id));
    let (ids, index) = indexed.unwrap_or_else(|| {
        let ids: Vec<Id> = ops.iter().map(|o| o.id).collect();
        let index = id_index(&ids);
        (ids, index)
    });
    if ops.len() < apart {
        check_ids(&ops, &succ, &index)?;
        check_order(&ops)?;
    } else {
        // The order on a thread of its own while the ids are checked here; a refusal of the
        // ids comes first, as when they are checked first. The order's thread failing is a
        // refusal.
        let (ids_checked, ordered) = beside(
            "coalesce-check",
            || check_order(&ops),
            || check_ids(&ops, &succ, &index),
        );
        ids_checked?;
        match ordered {
            There::Done(ordered) => ordered?,
            There::NotStarted => check_order(&ops)?,
            There::Failed => return Err(bad("the order of the operations could not be checked")),
        }
    }
    Ok(Shape { actors, ids, succ })
}

/// Every operation's id with its place, sorted by id ([`id_index`]).
type IdIndex = Vec<(Id, u32)>;

/// The chunk's operation ids, in order, and their index ([`id_index`]), read from the id
/// columns alone: what [`check_ids`] needs besides the operations, made while [`read_ops`]
/// reads them. `rows` is how many operations the columns hold ([`validate`] counted them
/// within the limit): no more are read. `None` where the columns do not read (reading the
/// operations says why), or once `stop` is set (they were refused), looked at every
/// `changes::STOP_EVERY` ids and before the index is made.
fn ids_indexed(
    cols: &BTreeMap<u32, std::borrow::Cow<'_, [u8]>>,
    na: usize,
    rows: usize,
    stop: &std::sync::atomic::AtomicBool,
) -> Option<(Vec<Id>, IdIndex)> {
    let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
    let get = |id: u32, kind: u32| cols.get(&spec(id, kind)).map_or(&[][..], |c| &c[..]);
    let mut id_ctr = Deltas::new(get(col::ID, col::DELTA), bad_snapshot);
    let mut id_actor = Runs::new(get(col::ID, col::ACTOR), bad_snapshot, |r| r.uleb());
    let actor_present = !get(col::ID, col::ACTOR).is_empty();
    let mut ids = Vec::with_capacity(rows);
    while let Some(ctr) = id_ctr.next().ok()? {
        if ids.len() >= rows || (ids.len() % changes::STOP_EVERY == 0 && stopped()) {
            return None;
        }
        ids.push(op_id(ctr, id_actor.next(), actor_present, na).ok()?);
    }
    if stopped() {
        return None;
    }
    let index = id_index(&ids);
    Some((ids, index))
}

/// An operation's id from the next entries of its two id columns (`actor_present`: whether
/// the actor column is there): a counter above 0, an actor of the table's `na`.
fn op_id(
    ctr: Option<u64>,
    actor: Result<Option<Option<u64>>, Refusal>,
    actor_present: bool,
    na: usize,
) -> Result<Id, Refusal> {
    Ok(Id {
        ctr: counter(
            ctr.filter(|c| *c > 0)
                .ok_or_else(|| bad("operation without an id"))?,
        )?,
        actor: actor_at(pull(actor_present, actor, "id actor")?, na)?,
    })
}

/// Every operation of the chunk's columns, with its successors, for [`check_ops`]: refused
/// past `limit` operations and successors; `rows` (as [`validate`] counted them) is how many
/// operations to make room for.
#[allow(clippy::type_complexity)]
fn read_ops<'c>(
    cols: &'c BTreeMap<u32, std::borrow::Cow<'_, [u8]>>,
    na: usize,
    limit: usize,
    rows: usize,
) -> Result<(Vec<Op<'c>>, Vec<Id>), Refusal> {
    let get = |id: u32, kind: u32| cols.get(&spec(id, kind)).map_or(&[][..], |c| &c[..]);
    let has = |id: u32, kind: u32| !get(id, kind).is_empty();

    let mut id_ctr = Deltas::new(get(col::ID, col::DELTA), bad_snapshot);
    let mut id_actor = Runs::new(get(col::ID, col::ACTOR), bad_snapshot, |r| r.uleb());
    let mut obj_ctr = Runs::new(get(col::OBJ, col::INTEGER), bad_snapshot, |r| r.uleb());
    let mut obj_actor = Runs::new(get(col::OBJ, col::ACTOR), bad_snapshot, |r| r.uleb());
    let mut key_ctr = Deltas::new(get(col::KEY, col::DELTA), bad_snapshot);
    let mut key_actor = Runs::new(get(col::KEY, col::ACTOR), bad_snapshot, |r| r.uleb());
    let mut key_str = Runs::new(get(col::KEY, col::STRING), bad_snapshot, Reader::str);
    let mut insert = Bools::new(get(col::INSERT, col::BOOLEAN), bad_snapshot);
    let mut succ_n = Runs::new(get(col::SUCC, col::GROUP), bad_snapshot, |r| r.uleb());
    let mut succ_ctr = Deltas::new(get(col::SUCC, col::DELTA), bad_snapshot);
    let mut succ_actor = Runs::new(get(col::SUCC, col::ACTOR), bad_snapshot, |r| r.uleb());
    let present = [
        has(col::ID, col::ACTOR),
        has(col::OBJ, col::INTEGER),
        has(col::OBJ, col::ACTOR),
        has(col::KEY, col::DELTA),
        has(col::KEY, col::ACTOR),
        has(col::KEY, col::STRING),
        has(col::INSERT, col::BOOLEAN),
        has(col::SUCC, col::GROUP),
    ];

    // As many as the columns hold (counted within the limit by `validate`): made once, not
    // grown by doubling through the millions.
    let mut ops: Vec<Op<'_>> = Vec::with_capacity(rows);
    let mut succ: Vec<Id> = Vec::new();
    while let Some(ctr) = id_ctr.next()? {
        if ops.len() + succ.len() >= limit {
            return Err(bad("too many operations"));
        }
        let id = op_id(ctr, id_actor.next(), present[0], na)?;
        let obj = match (
            pull(present[1], obj_ctr.next(), "object counter")?,
            pull(present[2], obj_actor.next(), "object actor")?,
        ) {
            (None, None) => ROOT,
            (Some(ctr), a @ Some(_)) if ctr > 0 => Id {
                ctr: counter(ctr)?,
                actor: actor_at(a, na)?,
            },
            _ => return Err(bad("malformed object id")),
        };
        // Every object is made by an operation of a change the writes into it depend on, so
        // its counter is below theirs. Refused otherwise: an object in itself, or two each
        // in the other, would make Automerge's walk from an object to the root endless (the
        // rules walk it, beside the chain check that refuses the same).
        if obj != ROOT && obj.ctr >= id.ctr {
            return Err(bad("an operation in an object no older than itself"));
        }
        let key = match (
            pull(present[5], key_str.next(), "key string")?,
            pull(present[3], key_ctr.next(), "key counter")?,
            pull(present[4], key_actor.next(), "key actor")?,
        ) {
            (Some(s), None, None) => Key::Map(s),
            (None, Some(0), None) => Key::Seq(ROOT),
            (None, Some(ctr), a @ Some(_)) if ctr > 0 => Key::Seq(Id {
                ctr: counter(ctr)?,
                actor: actor_at(a, na)?,
            }),
            _ => return Err(bad("malformed key")),
        };
        let insert = if present[6] {
            insert
                .next()?
                .ok_or_else(|| bad("insert column shorter than the operations"))?
        } else {
            false
        };
        if insert && matches!(key, Key::Map(_)) {
            return Err(bad("insertion into a map"));
        }
        let k = pull(present[7], succ_n.next(), "successor count")?.unwrap_or(0);
        let from = succ.len();
        for _ in 0..k {
            if ops.len() + succ.len() >= limit {
                return Err(bad("too many operations"));
            }
            let ctr = succ_ctr
                .next()?
                .flatten()
                .filter(|c| *c > 0)
                .ok_or_else(|| bad("successor without a counter"))?;
            let actor = actor_at(
                succ_actor
                    .next()?
                    .ok_or_else(|| bad("successor without an actor"))?,
                na,
            )?;
            succ.push(Id {
                ctr: counter(ctr)?,
                actor,
            });
        }
        let at = |n: usize| u32::try_from(n).map_err(|_| bad("too many operations"));
        ops.push(Op {
            obj,
            key,
            id,
            insert,
            succ: (at(from)?, at(succ.len())?),
        });
    }
    ended(id_actor.next(), "id actor")?;
    ended(obj_ctr.next(), "object counter")?;
    ended(obj_actor.next(), "object actor")?;
    ended(key_ctr.next(), "key counter")?;
    ended(key_actor.next(), "key actor")?;
    ended(key_str.next(), "key string")?;
    ended(insert.next(), "insert")?;
    ended(succ_n.next(), "successor count")?;
    ended(succ_ctr.next(), "successor counter")?;
    ended(succ_actor.next(), "successor actor")?;

    Ok((ops, succ))
}

/// Unique operation ids; successors ascending, later than their operation, and in its
/// group; each deletion (a successor that is no operation) in one group only.
fn check_ids(ops: &[Op<'_>], succ: &[Id], index: &[(Id, u32)]) -> Result<(), Refusal> {
    if index.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(bad("an operation id twice"));
    }
    let find = |id: &Id| {
        index
            .binary_search_by(|(k, _)| k.cmp(id))
            .ok()
            .map(|i| index[i].1 as usize)
    };
    let mut deletions: HashMap<Id, (Id, Key<'_>), crate::chain::Seeded> = HashMap::default();
    for op in ops {
        let after = op.succ(succ);
        if !after.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad("successors not in order"));
        }
        let group = (op.obj, op.group_key());
        for s in after {
            if s.ctr <= op.id.ctr {
                return Err(bad("a successor older than its operation"));
            }
            match find(s) {
                Some(j) => {
                    let other = &ops[j];
                    if (other.obj, other.group_key()) != group {
                        return Err(bad("a successor in another key"));
                    }
                }
                None => match deletions.get(s) {
                    Some(g) if *g != group => {
                        return Err(bad("a deletion in two keys"));
                    }
                    Some(_) => {}
                    None => {
                        deletions.insert(*s, group);
                    }
                },
            }
        }
    }
    Ok(())
}

/// Every operation's id with its place, sorted by id. Counters run up to about as many as the
/// operations (each operation takes the next): counted into place by counter in one pass,
/// then each run of one counter sorted by actor, instead of a comparison sort of millions
/// (a quarter of a second at 4.5 M). A chunk whose counters run much higher is sorted.
fn id_index(ids: &[Id]) -> IdIndex {
    let most = ids.iter().map(|id| id.ctr as usize).max().unwrap_or(0);
    if most > ids.len().saturating_mul(2).saturating_add(1024) {
        let mut index: Vec<(Id, u32)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        index.sort_unstable();
        return index;
    }
    // Where each counter's run starts, then (as it is filled) where its next entry goes.
    let mut next = vec![0u32; most + 2];
    for id in ids {
        next[id.ctr as usize + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    let mut index = vec![(ROOT, 0u32); ids.len()];
    for (i, id) in ids.iter().enumerate() {
        let at = &mut next[id.ctr as usize];
        index[*at as usize] = (*id, i as u32);
        *at += 1;
    }
    // Ids of one counter, of different actors (made concurrently), by actor.
    for run in index.chunk_by_mut(|a, b| a.0.ctr == b.0.ctr) {
        if run.len() > 1 {
            run.sort_unstable();
        }
    }
    index
}

/// Canonical order: objects by id; in a map, by key then id; in a list, elements in RGA
/// order, each followed by the operations on it in id order.
fn check_order(all: &[Op<'_>]) -> Result<(), Refusal> {
    let mut start = 0;
    while start < all.len() {
        let obj = all[start].obj;
        let end = all[start..]
            .iter()
            .position(|o| o.obj != obj)
            .map_or(all.len(), |p| start + p);
        if end < all.len() && all[end].obj <= obj {
            return Err(bad("objects out of order"));
        }
        let ops = &all[start..end];
        if matches!(ops[0].key, Key::Map(_)) {
            check_map(ops)?;
        } else {
            check_list(ops)?;
        }
        start = end;
    }
    Ok(())
}

impl Shape {
    /// How many operations the chunk holds.
    pub(crate) fn ops(&self) -> usize {
        self.ids.len()
    }

    /// Checks that every operation and successor id lies within a change of `doc` (the
    /// document loaded from this chunk).
    pub fn covered_by(&self, doc: &mut AutoCommit) -> Result<(), Refusal> {
        let mut ranges: HashMap<&[u8], Vec<(u64, u64)>> = HashMap::new();
        let metas = doc.document().get_changes_meta(&[]);
        for m in &metas {
            ranges
                .entry(m.actor.to_bytes())
                .or_default()
                .push((m.start_op, m.max_op));
        }
        for r in ranges.values_mut() {
            r.sort_unstable();
        }
        let by_index: Vec<Option<&Vec<(u64, u64)>>> = self
            .actors
            .iter()
            .map(|a| ranges.get(a.as_slice()))
            .collect();
        // Operations come mostly in runs of one change's (a text typed in one go): the range
        // found last is tried before searching.
        let last = std::cell::Cell::new((u32::MAX, 0u64, 0u64));
        let covered = |id: &Id| {
            let ctr = u64::from(id.ctr);
            let (actor, start, max) = last.get();
            if actor == id.actor && start <= ctr && ctr <= max {
                return true;
            }
            by_index[id.actor as usize].is_some_and(|r| {
                let i = r.partition_point(|(s, _)| *s <= ctr);
                let found = i > 0 && r[i - 1].1 >= ctr;
                if found {
                    last.set((id.actor, r[i - 1].0, r[i - 1].1));
                }
                found
            })
        };
        if let Some(id) = self.ids.iter().find(|id| !covered(id)) {
            return Err(bad(format!(
                "operation {}@{} belongs to no change",
                id.ctr, id.actor
            )));
        }
        if self.succ.iter().any(|s| !covered(s)) {
            return Err(bad("a deletion or overwrite belongs to no change"));
        }
        Ok(())
    }
}

fn check_map(ops: &[Op<'_>]) -> Result<(), Refusal> {
    for w in ops.windows(2) {
        let (Key::Map(a), Key::Map(b)) = (w[0].key, w[1].key) else {
            return Err(bad("a map with list keys"));
        };
        if (a, w[0].id) >= (b, w[1].id) {
            return Err(bad("map operations out of order"));
        }
    }
    if let Some(Op {
        key: Key::Seq(_), ..
    }) = ops.last()
    {
        return Err(bad("a map with list keys"));
    }
    Ok(())
}

fn check_list(ops: &[Op<'_>]) -> Result<(), Refusal> {
    // RGA order is the tree of insertions (each element under the one it was inserted after,
    // the head at the root) walked depth first, later insertions under one element first. So
    // each element's predecessor must be on the path from the head to the element before it,
    // and come after that predecessor's children seen so far, which are later than it: one
    // pass with the path as a stack, each entry with the last child seen under it.
    let mut path: Vec<(Id, Option<Id>)> = vec![(ROOT, None)];
    let mut current: Option<(Id, Id)> = None; // (element, last op id in its group)
    for op in ops {
        let Key::Seq(after) = op.key else {
            return Err(bad("a list with map keys"));
        };
        if op.insert {
            if after != ROOT && after >= op.id {
                return Err(bad("an element inserted after a later one"));
            }
            while path.last().is_some_and(|(e, _)| *e != after) {
                path.pop();
            }
            let Some((_, last_child)) = path.last_mut() else {
                return Err(bad(
                    "list elements out of order (or one inserted after one that is not there)",
                ));
            };
            if last_child.is_some_and(|c| c < op.id) {
                return Err(bad("list elements out of order"));
            }
            *last_child = Some(op.id);
            path.push((op.id, None));
            current = Some((op.id, op.id));
        } else {
            match current {
                Some((e, last)) if e == after && op.id > last => current = Some((e, op.id)),
                _ => return Err(bad("list operations out of order")),
            }
        }
    }
    Ok(())
}

/// Checks and loads a snapshot: [`check`], then Automerge's loader (which refuses a chunk
/// whose rebuilt changes do not hash to its heads), then [`Shape::covered_by`]. Returns the
/// document and its changes, to be verified (signatures, rules) like any others. The node
/// passes its message limit as `max_inflated`: a snapshot may not unpack to more than a
/// message may hold. Weighed for a node holding nothing of the coalition ([`ops_limit`]).
pub fn load(chunk: &[u8], max_inflated: usize) -> Result<(AutoCommit, Vec<Change>), Refusal> {
    let started = std::time::Instant::now();
    let mut doc = load_checked(chunk, max_inflated)?;
    let changes = doc.get_changes(&[]);
    debug!(rebuilt = ?started.elapsed(), changes = changes.len(), "loaded a snapshot");
    Ok((doc, changes))
}

/// What a snapshot holds besides the document, as [`load_read`] gives it.
#[derive(Debug)]
pub(crate) enum Contents {
    /// Every change's facts (from the change graph) and operations (from the columns).
    Read(Vec<crate::chain::Read>),
    /// Every change, rebuilt by Automerge: where a change holds what only Automerge reads.
    Rebuilt(Vec<Change>),
}

impl Contents {
    /// How many changes.
    pub(crate) fn len(&self) -> usize {
        match self {
            Contents::Read(r) => r.len(),
            Contents::Rebuilt(c) => c.len(),
        }
    }
}

/// [`load`], without rebuilding the changes where they can be read: each change's facts
/// come from the loaded change graph, whose hashes Automerge checked against the chunk's
/// heads, and its operations from the chunk's own columns (`changes::read`, on a thread of
/// its own while Automerge loads the checked chunk, then `Rows::changes`). Where any change
/// holds what only Automerge reads, every change is rebuilt as [`load`] does.
pub(crate) fn load_read(
    chunk: &[u8],
    max_inflated: usize,
    holding: Holding,
) -> Result<(AutoCommit, Contents), Refusal> {
    let started = std::time::Instant::now();
    let shape = check(chunk, max_inflated, holding)?;
    // The operations are read from the checked chunk on a thread of their own while
    // Automerge loads it (neither needs the other: which change each belongs to is matched
    // after). A thread that cannot start, or a read that fails, leaves the changes to be
    // rebuilt.
    // Set once the load refused the chunk, so that the reading ends soon too.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (doc, rows) = beside(
        "coalesce-snapshot",
        || changes::read(chunk, max_inflated, shape.ops(), &stop),
        || {
            let doc = load_shaped(chunk, &shape, started);
            if doc.is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            doc
        },
    );
    let rows = match rows {
        There::Done(rows) => rows,
        There::NotStarted | There::Failed => None,
    };
    let mut doc = doc?;
    let read = rows.and_then(|rows| {
        let metas = doc.document().get_changes_meta(&[]);
        rows.changes(&metas).and_then(|ops| {
            metas
                .iter()
                .zip(ops)
                .map(|(m, ops)| {
                    let ops = ops?;
                    Some(crate::chain::Read(model::ops::Stated::new(m, &ops)?, ops))
                })
                .collect::<Option<Vec<_>>>()
        })
    });
    let contents = match read {
        Some(read) => Contents::Read(read),
        None => Contents::Rebuilt(doc.get_changes(&[])),
    };
    debug!(read = ?started.elapsed(), changes = contents.len(), rebuilt = matches!(contents, Contents::Rebuilt(_)), "read a snapshot's changes");
    Ok((doc, contents))
}

/// The checks and the load of [`load`], without the changes.
fn load_checked(chunk: &[u8], max_inflated: usize) -> Result<AutoCommit, Refusal> {
    let started = std::time::Instant::now();
    let shape = check(chunk, max_inflated, Holding::Nothing)?;
    load_shaped(chunk, &shape, started)
}

/// Automerge's load of a chunk that passed [`check`] as `shape`, then [`Shape::covered_by`].
fn load_shaped(
    chunk: &[u8],
    shape: &Shape,
    started: std::time::Instant,
) -> Result<AutoCommit, Refusal> {
    let checked = started.elapsed();
    let options = automerge::LoadOptions::new()
        .on_partial_load(automerge::OnPartialLoad::Error)
        .verification_mode(automerge::VerificationMode::Check);
    // The checks ruled out the inputs known to make the loader panic; should another one
    // exist, it refuses the chunk instead of stopping the node.
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        AutoCommit::load_with_options(chunk, options)
    }))
    .map_err(|_| bad("the document does not load"))?;
    let mut doc = loaded.map_err(|e| bad(format!("the document does not load: {e}")))?;
    let loaded = started.elapsed();
    shape.covered_by(&mut doc)?;
    // Where a join's time goes (see BENCHMARKS.md), cumulative.
    debug!(?checked, ?loaded, covered = ?started.elapsed(), "checked and loaded a snapshot");
    Ok(doc)
}

mod changes;
pub(crate) use changes::change_ops;

#[cfg(test)]
mod tests;
