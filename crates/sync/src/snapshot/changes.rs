//! Each change's operations in the compact form the chain check and the rules read
//! ([`model::ops::ChangeOps`]), read from a snapshot's own operation columns instead of from
//! the changes Automerge rebuilds out of the loaded document (`get_changes`: about as long as
//! the load itself, 1.2 s for a coalition of 10,000 issues).
//!
//! A document chunk stores every operation once, in document order, with its successors
//! instead of its predecessors, and no deletions: a deletion is a successor that is no
//! operation. So a change's operations are the operations whose ids fall in its range, and
//! the deletions whose ids do; an operation's predecessors are the operations that name it
//! as a successor; a deletion writes in the object and at the key (or list element) of what it
//! deletes. Which range is whose comes from the loaded change graph (`get_changes_meta`), whose
//! hashes Automerge's loader checked against the chunk's heads.
//!
//! Only what [`crate::change_ops`] reads from a change's columns is read here (maps, lists,
//! texts, plain values, deletions); a change holding anything else (a counter, an increment, a
//! mark, a table, an unknown column or value type) is answered `None`, for its caller to take
//! from Automerge instead. Where it answers, it answers what decoding the rebuilt change gives
//! (property-tested against Automerge in `snapshot/tests/histories.rs`). The chunk must have
//! passed [`super::check`] and loaded: what is malformed gives `None`, never a guess.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use automerge::{ActorId, ChangeMetadata, ObjType};
use model::ops::{ChangeOps, NewAction, NewKey, Obj, Ref};

use super::{Header, Id, ROOT, columns, header};
use crate::columns::{Bools, Deltas, Reader, Runs, kind, spec};
use crate::verify::Refusal;

const OBJ_ACTOR: u32 = spec(0, kind::ACTOR);
const OBJ_CTR: u32 = spec(0, kind::INTEGER);
const KEY_ACTOR: u32 = spec(1, kind::ACTOR);
const KEY_CTR: u32 = spec(1, kind::DELTA);
const KEY_STR: u32 = spec(1, kind::STRING);
const ID_ACTOR: u32 = spec(2, kind::ACTOR);
const ID_CTR: u32 = spec(2, kind::DELTA);
const INSERT: u32 = spec(3, kind::BOOLEAN);
const ACTION: u32 = spec(4, kind::INTEGER);
const VAL_META: u32 = spec(5, kind::VALUE_META);
const VAL_RAW: u32 = spec(5, kind::VALUE_RAW);
const SUCC_GROUP: u32 = spec(8, kind::GROUP);
const SUCC_ACTOR: u32 = spec(8, kind::ACTOR);
const SUCC_CTR: u32 = spec(8, kind::DELTA);
const EXPAND: u32 = spec(9, kind::BOOLEAN);
const MARK_NAME: u32 = spec(10, kind::STRING);

const KNOWN: [u32; 16] = [
    OBJ_ACTOR, OBJ_CTR, KEY_ACTOR, KEY_CTR, KEY_STR, ID_ACTOR, ID_CTR, INSERT, ACTION, VAL_META,
    VAL_RAW, SUCC_GROUP, SUCC_ACTOR, SUCC_CTR, EXPAND, MARK_NAME,
];

/// How many operations and successors are read between two looks at whether to stop (see
/// [`read`]).
pub(super) const STOP_EVERY: usize = 1 << 16;

/// Errors here only mean "take it from Automerge".
fn quiet(_: String) -> Refusal {
    Refusal::MalformedSnapshot(String::new())
}

/// Where an operation writes in its object: a map key (an index into the keys read), the
/// head of a list, or after (or at) a list element.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Map(u32),
    Head,
    Elem(Id),
}

/// One operation of the chunk, as much as building changes needs, in 32 bytes: a large
/// snapshot holds millions, all read while Automerge loads it.
#[derive(Debug)]
struct Row {
    id: Id,
    obj: Id,
    /// Its key, packed (see [`Key::pack`]).
    key: Id,
    /// Where the value's bytes start in the raw column.
    raw: u32,
    /// The value's length, type, the action, whether it inserts, and whether some operation
    /// names it as a successor (see [`Row::LEN_BITS`] and the accessors).
    bits: u32,
}

// What the row's documentation says of it.
const _: () = assert!(std::mem::size_of::<Row>() == 32);

impl Key {
    /// A key as an id: a list's head as the root, a map key `k` as `(k, u32::MAX)` (no actor
    /// has that index), an element as itself (its counter is never 0).
    fn pack(self) -> Id {
        match self {
            Key::Head => ROOT,
            Key::Map(k) => Id {
                ctr: k,
                actor: u32::MAX,
            },
            Key::Elem(id) => id,
        }
    }

    fn unpack(id: Id) -> Key {
        if id == ROOT {
            Key::Head
        } else if id.actor == u32::MAX {
            Key::Map(id.ctr)
        } else {
            Key::Elem(id)
        }
    }
}

impl Row {
    /// A value's length takes the low 23 bits, its type the next 4, the action 3
    /// ([`Row::OTHER`] for anything else), then whether it inserts and whether it is
    /// preceded. A value of 8 MiB or more (no field of a coalition holds one) makes the whole
    /// chunk unread: its changes are rebuilt by Automerge.
    const LEN_BITS: u32 = 23;
    /// The action of an operation read as "other" (see the module documentation).
    const OTHER: u8 = 7;

    fn new(
        id: Id,
        obj: Id,
        key: Key,
        raw: u32,
        value: (u32, u8),
        action: u8,
        insert: bool,
    ) -> Option<Self> {
        let (len, vtype) = value;
        // (The type is four bits as read, the action one of 0, 1, 2, 4 and `OTHER`.)
        if len >> Self::LEN_BITS != 0 {
            return None;
        }
        let bits = len
            | (u32::from(vtype) << Self::LEN_BITS)
            | (u32::from(action) << (Self::LEN_BITS + 4))
            | (u32::from(insert) << (Self::LEN_BITS + 7));
        Some(Row {
            id,
            obj,
            key: key.pack(),
            raw,
            bits,
        })
    }

    fn key(&self) -> Key {
        Key::unpack(self.key)
    }

    fn len(&self) -> u32 {
        self.bits & ((1 << Self::LEN_BITS) - 1)
    }

    fn vtype(&self) -> u8 {
        ((self.bits >> Self::LEN_BITS) & 0xf) as u8
    }

    fn action(&self) -> u8 {
        ((self.bits >> (Self::LEN_BITS + 4)) & 0x7) as u8
    }

    fn insert(&self) -> bool {
        self.bits & (1 << (Self::LEN_BITS + 7)) != 0
    }

    fn preceded(&self) -> bool {
        self.bits & (1 << (Self::LEN_BITS + 8)) != 0
    }

    fn set_preceded(&mut self) {
        self.bits |= 1 << (Self::LEN_BITS + 8);
    }
}

/// An entry of a change: an operation of the chunk (its row), or a deletion (its id).
#[derive(Clone, Copy, Debug)]
enum Entry {
    Empty,
    Row(u32),
    Delete(Id),
}

/// A chunk's operations read from its columns, before the change graph is known: what
/// [`Rows::changes`] builds each change's operations from. Reading them needs nothing
/// Automerge's loader gives, so a join reads them while the loader runs.
pub(crate) struct Rows<'a> {
    actors: Vec<Vec<u8>>,
    /// The values' column, as read (inflated if it was deflated).
    raw: std::borrow::Cow<'a, [u8]>,
    rows: Vec<Row>,
    preds: HashMap<Id, Vec<u32>>,
    keys: Vec<Box<str>>,
}

/// Reads the operations of a chunk that passed [`super::check`] (`None` if its columns do
/// not read as the ones it passed, or hold a column left to Automerge). `capacity` is how
/// many operations it holds, as the check counted them (a hint: rows are made at once for
/// that many, not grown by doubling through the millions). `max_inflated` bounds the
/// unpacked columns as there. Reading stops, answering `None`, once `stop` is set (the load
/// it runs beside refused the chunk: its rows would go unused).
pub(crate) fn read<'a>(
    chunk: &'a [u8],
    max_inflated: usize,
    capacity: usize,
    stop: &AtomicBool,
) -> Option<Rows<'a>> {
    let Header {
        actors,
        op_specs,
        op_data,
        ..
    } = header(chunk).ok()?;
    let mut budget = max_inflated;
    let cols = columns(&op_specs, op_data, &mut budget).ok()?;
    if cols.keys().any(|s| !KNOWN.contains(s)) {
        return None;
    }
    // No more rows than the check's limit allows, whatever the caller says.
    let capacity = capacity.min(usize::try_from(super::ops_limit(chunk.len(), max_inflated)).ok()?);
    let (rows, preds, keys) = read_rows(&cols, actors.len(), capacity, stop)?;
    // Of the columns, only the values are read again (the rest, inflated, goes now).
    let mut cols = cols;
    let raw = cols
        .remove(&VAL_RAW)
        .unwrap_or(std::borrow::Cow::Borrowed(&[]));
    Some(Rows {
        actors,
        raw,
        rows,
        preds,
        keys,
    })
}

/// The operations of every change `metas` names, in that order, each compact (`None` for a
/// change holding what is left to Automerge); `None` if the chunk's columns do not read as
/// the ones [`super::check`] passed. `max_inflated` bounds the unpacked columns as there.
/// [`read`] then [`Rows::changes`], at once (a join does the first beside Automerge's load).
pub(crate) fn change_ops(
    chunk: &[u8],
    max_inflated: usize,
    metas: &[ChangeMetadata<'_>],
) -> Option<Vec<Option<ChangeOps>>> {
    // (No count of the operations at hand: the rows grow as they are read.)
    read(chunk, max_inflated, 0, &AtomicBool::new(false))?.changes(metas)
}

impl Rows<'_> {
    /// The operations of every change `metas` names, in that order, each compact (`None` for
    /// a change holding what is left to Automerge); `None` if the changes do not cover the
    /// operations read exactly, each id once.
    pub(crate) fn changes(self, metas: &[ChangeMetadata<'_>]) -> Option<Vec<Option<ChangeOps>>> {
        self.changes_apart(metas, crate::beside::APART)
    }

    /// [`Self::changes`], built on two threads from `apart` operations in all (tests try
    /// both ways on small chunks).
    pub(super) fn changes_apart(
        self,
        metas: &[ChangeMetadata<'_>],
        apart: usize,
    ) -> Option<Vec<Option<ChangeOps>>> {
        let Rows {
            actors,
            raw,
            mut rows,
            preds,
            keys,
        } = self;
        // As many places as the changes hold operations, at most (deletions are no rows).
        let most: u64 = metas
            .iter()
            .map(|m| m.max_op.saturating_add(1).saturating_sub(m.start_op))
            .fold(0u64, u64::saturating_add);
        // Every place of every change is filled by an operation (a row) or a deletion (a
        // successor no row is): ranges over that many cannot all be filled (and are not
        // allocated).
        if most > (rows.len() as u64).saturating_add(preds.len() as u64) {
            return None;
        }
        // Each change's range, by the chunk's actor index (the table is sorted).
        let mut ranges: Vec<Vec<(u64, u64, usize)>> = vec![Vec::new(); actors.len()];
        for (i, m) in metas.iter().enumerate() {
            let a = actors
                .binary_search_by(|x| x.as_slice().cmp(m.actor.to_bytes()))
                .ok()?;
            if m.max_op.saturating_add(1) < m.start_op {
                return None;
            }
            ranges[a].push((m.start_op, m.max_op, i));
        }
        for r in &mut ranges {
            r.sort_unstable();
        }
        // The change an id belongs to, and its place there. Operations come mostly in runs of
        // one change's (a text typed in one go): the change found last is tried first.
        let last = std::cell::Cell::new((u32::MAX, 0u64, 0u64, 0usize));
        let locate = |id: Id| -> Option<(usize, usize)> {
            let ctr = u64::from(id.ctr);
            let (actor, start, max, change) = last.get();
            if actor == id.actor && start <= ctr && ctr <= max {
                return Some((change, usize::try_from(ctr - start).ok()?));
            }
            let r = ranges.get(id.actor as usize)?;
            let i = r.partition_point(|(s, _, _)| *s <= ctr).checked_sub(1)?;
            let (start, max, change) = *r.get(i)?;
            if ctr > max {
                return None;
            }
            last.set((id.actor, start, max, change));
            Some((change, usize::try_from(ctr - start).ok()?))
        };
        let mut slots: Vec<Vec<Entry>> = Vec::with_capacity(metas.len());
        for m in metas {
            // Checked above: `max_op + 1 >= start_op`.
            let n = usize::try_from(m.max_op.saturating_add(1) - m.start_op).ok()?;
            slots.push(vec![Entry::Empty; n]);
        }
        // Each id in one place only.
        let place = |slots: &mut [Vec<Entry>], id: Id, entry: Entry| -> Option<()> {
            let (change, at) = locate(id)?;
            let slot = slots.get_mut(change)?.get_mut(at)?;
            if !matches!(slot, Entry::Empty) {
                return None;
            }
            *slot = entry;
            Some(())
        };
        for (r, row) in rows.iter().enumerate() {
            place(&mut slots, row.id, Entry::Row(u32::try_from(r).ok()?))?;
        }
        // A successor that is a row is marked as having predecessors (so that only those are
        // looked up); one that is none is a deletion, placed in its change.
        for id in preds.keys() {
            let row = locate(*id).and_then(|(change, at)| match slots.get(change)?.get(at)? {
                Entry::Row(r) => Some(*r),
                _ => None,
            });
            match row {
                Some(r) => rows.get_mut(r as usize)?.set_preceded(),
                None => place(&mut slots, *id, Entry::Delete(*id))?,
            }
        }

        let built = Built {
            rows: &rows,
            keys: &keys,
            raw: &raw,
            preds: &preds,
            actors: &actors,
        };
        Some(built.all(metas, &slots, apart))
    }
}

/// Every row of the chunk, and the rows naming each successor.
#[allow(clippy::type_complexity)]
fn read_rows<'a>(
    cols: &'a std::collections::BTreeMap<u32, std::borrow::Cow<'a, [u8]>>,
    actors: usize,
    capacity: usize,
    stop: &AtomicBool,
) -> Option<(Vec<Row>, HashMap<Id, Vec<u32>>, Vec<Box<str>>)> {
    let mut keys: Vec<Box<str>> = Vec::new();
    let col = |s: u32| cols.get(&s).map_or(&[][..], |c| &c[..]);
    // Which columns are there, looked up once (not per operation).
    let [
        id_actor_p,
        obj_ctr_p,
        obj_actor_p,
        key_str_p,
        key_ctr_p,
        key_actor_p,
        insert_p,
        expand_p,
        mark_p,
        action_p,
        meta_p,
        succ_p,
    ] = [
        ID_ACTOR, OBJ_CTR, OBJ_ACTOR, KEY_STR, KEY_CTR, KEY_ACTOR, INSERT, EXPAND, MARK_NAME,
        ACTION, VAL_META, SUCC_GROUP,
    ]
    .map(|s| cols.contains_key(&s));
    let mut id_ctr = Deltas::new(col(ID_CTR), quiet);
    let mut id_actor = Runs::new(col(ID_ACTOR), quiet, |r| r.uleb());
    let mut obj_ctr = Runs::new(col(OBJ_CTR), quiet, |r| r.uleb());
    let mut obj_actor = Runs::new(col(OBJ_ACTOR), quiet, |r| r.uleb());
    let mut key_ctr = Deltas::new(col(KEY_CTR), quiet);
    let mut key_actor = Runs::new(col(KEY_ACTOR), quiet, |r| r.uleb());
    let mut key_str = Runs::new(col(KEY_STR), quiet, Reader::str);
    let mut insert = Bools::new(col(INSERT), quiet);
    let mut action = Runs::new(col(ACTION), quiet, |r| r.uleb());
    let mut meta = Runs::new(col(VAL_META), quiet, |r| r.uleb());
    let mut succ_n = Runs::new(col(SUCC_GROUP), quiet, |r| r.uleb());
    let mut succ_ctr = Deltas::new(col(SUCC_CTR), quiet);
    let mut succ_actor = Runs::new(col(SUCC_ACTOR), quiet, |r| r.uleb());
    let mut expand = Bools::new(col(EXPAND), quiet);
    let mut mark_name = Runs::new(col(MARK_NAME), quiet, Reader::str);
    // A column left out is null throughout; one present must have a row for every operation.
    let pull = |present: bool, v: Result<Option<Option<u64>>, Refusal>| -> Option<Option<u64>> {
        if present { v.ok()? } else { Some(None) }
    };
    let id_of = |ctr: u64, a: Option<u64>| -> Option<Id> {
        let actor = u32::try_from(a?).ok().filter(|a| (*a as usize) < actors)?;
        Some(Id {
            ctr: u32::try_from(ctr).ok().filter(|c| *c > 0)?,
            actor,
        })
    };
    let mut interned: HashMap<&'a str, u32> = HashMap::new();
    let mut rows = Vec::with_capacity(capacity);
    let mut preds: HashMap<Id, Vec<u32>> = HashMap::new();
    let mut raw_at = 0usize;
    // Operations and successors read, counted to look at `stop` every `STOP_EVERY` of them
    // (a few milliseconds of reading apart), successors included: one operation may have
    // millions.
    let mut read = 0usize;
    let mut go_on = || {
        let look = read.is_multiple_of(STOP_EVERY);
        read = read.wrapping_add(1);
        !look || !stop.load(Ordering::Relaxed)
    };
    while let Some(ctr) = id_ctr.next().ok()? {
        if !go_on() {
            return None;
        }
        let id = id_of(ctr?, pull(id_actor_p, id_actor.next())?)?;
        let obj = match (
            pull(obj_ctr_p, obj_ctr.next())?,
            pull(obj_actor_p, obj_actor.next())?,
        ) {
            (None, None) => ROOT,
            (Some(c), a) => id_of(c, a)?,
            _ => return None,
        };
        let key = match (
            if key_str_p {
                key_str.next().ok()??
            } else {
                None
            },
            pull(key_ctr_p, key_ctr.next())?,
            pull(key_actor_p, key_actor.next())?,
        ) {
            (Some(s), None, None) => {
                let next = u32::try_from(keys.len()).ok()?;
                let k = *interned.entry(s).or_insert(next);
                if k == next {
                    keys.push(s.into());
                }
                Key::Map(k)
            }
            (None, Some(0), None) => Key::Head,
            (None, Some(c), a) => Key::Elem(id_of(c, a)?),
            _ => return None,
        };
        let inserts = if insert_p {
            insert.next().ok()??
        } else {
            false
        };
        let expands = expand_p && expand.next().ok()??;
        let marked = mark_p && mark_name.next().ok()??.is_some();
        let act = pull(action_p, action.next())??;
        let m = pull(meta_p, meta.next())?.unwrap_or(0);
        let len = usize::try_from(m >> 4).ok()?;
        let action = match act {
            0 | 1 | 2 | 4 if !expands && !marked => act as u8,
            _ => Row::OTHER,
        };
        let k = pull(succ_p, succ_n.next())?.unwrap_or(0);
        let row = u32::try_from(rows.len()).ok()?;
        for _ in 0..k {
            if !go_on() {
                return None;
            }
            let c = succ_ctr.next().ok()??;
            let a = succ_actor.next().ok()??;
            preds.entry(id_of(c?, a)?).or_default().push(row);
        }
        rows.push(Row::new(
            id,
            obj,
            key,
            u32::try_from(raw_at).ok()?,
            (u32::try_from(len).ok()?, (m & 0xf) as u8),
            action,
            inserts,
        )?);
        raw_at = raw_at.checked_add(len)?;
    }
    Some((rows, preds, keys))
}

/// What an entry writes (see [`Built::entry`]).
type Written<'r> = (Id, Id, Key, bool, Option<&'r Row>, bool);

/// What building each change reads.
struct Built<'a> {
    rows: &'a [Row],
    keys: &'a [Box<str>],
    raw: &'a [u8],
    preds: &'a HashMap<Id, Vec<u32>>,
    actors: &'a [Vec<u8>],
}

impl Built<'_> {
    /// Every change's operations, `metas` with `slots` (their entries), in that order. Each
    /// change is built alone from what every one reads, so a large chunk's are built as two
    /// runs of about equal entries, the second on a thread of its own (or here, should it not
    /// start): about half the time a join waits for them.
    fn all(
        &self,
        metas: &[ChangeMetadata<'_>],
        slots: &[Vec<Entry>],
        apart: usize,
    ) -> Vec<Option<ChangeOps>> {
        let total: usize = slots.iter().map(Vec::len).sum();
        let build = |metas: &[ChangeMetadata<'_>], slots: &[Vec<Entry>]| {
            // Each chunk actor's place in the change being made (`u32::MAX`: none), shared by
            // the run and reset after each change, so that finding it costs the same however
            // many actors a change names.
            let mut places = vec![u32::MAX; self.actors.len()];
            metas
                .iter()
                .zip(slots)
                .map(|(m, entries)| self.change(m, entries, &mut places))
                .collect::<Vec<_>>()
        };
        if total < apart {
            return build(metas, slots);
        }
        let halves = crate::beside::runs(slots.iter().map(Vec::len), 2);
        let second = halves.get(1).map_or(slots.len(), |r| r.start);
        let (metas_a, metas_b) = metas.split_at(second.min(metas.len()));
        let (slots_a, slots_b) = slots.split_at(second.min(slots.len()));
        let (mut out, b) = crate::beside::beside(
            "coalesce-snapshot",
            || build(metas_b, slots_b),
            || build(metas_a, slots_a),
        );
        match b {
            crate::beside::There::Done(b) => out.extend(b),
            // Nothing here panics on what a chunk holds; should the thread fail anyway, its
            // changes are left to Automerge (`None`), as for any change not read.
            crate::beside::There::Failed => out.extend(metas_b.iter().map(|_| None)),
            crate::beside::There::NotStarted => out.extend(build(metas_b, slots_b)),
        }
        out
    }

    /// What an entry writes: its id, object, key, whether it inserts, the row it is (none
    /// for a deletion), and whether anything precedes it.
    fn entry(&self, e: Entry) -> Option<Written<'_>> {
        match e {
            Entry::Empty => None,
            Entry::Row(r) => {
                let row = self.rows.get(r as usize)?;
                Some((
                    row.id,
                    row.obj,
                    row.key(),
                    row.insert(),
                    Some(row),
                    row.preceded(),
                ))
            }
            Entry::Delete(id) => {
                // In the object, and at the key or element, of what it deletes (one group:
                // `check` refuses a deletion in two).
                let first = self.preds.get(&id)?.first()?;
                let row = self.rows.get(*first as usize)?;
                let key = if row.insert() {
                    Key::Elem(row.id)
                } else {
                    row.key()
                };
                Some((id, row.obj, key, false, None, true))
            }
        }
    }

    /// The operations preceding `id`, if any do.
    fn preds_of(&self, id: Id, preceded: bool) -> &[u32] {
        if preceded {
            self.preds.get(&id).map_or(&[][..], Vec::as_slice)
        } else {
            &[]
        }
    }

    /// One change's operations, from its entries in counter order. `places` holds no actor's
    /// place before and after.
    fn change(
        &self,
        m: &ChangeMetadata<'_>,
        entries: &[Entry],
        places: &mut [u32],
    ) -> Option<ChangeOps> {
        let mut table = Vec::new();
        let made = self.make(m, entries, places, &mut table);
        for a in &table {
            if let Some(p) = places.get_mut(*a as usize) {
                *p = u32::MAX;
            }
        }
        made
    }

    /// [`Self::change`], noting in `table` the chunk actors it gave places to.
    fn make(
        &self,
        m: &ChangeMetadata<'_>,
        entries: &[Entry],
        places: &mut [u32],
        table: &mut Vec<u32>,
    ) -> Option<ChangeOps> {
        // The change's actor table: its author first, then every other actor its operations
        // name, in the order they first do (a first pass, so that the table is whole before
        // the change is made); no more than a change may name (as `change_ops` reads them).
        let author = self
            .actors
            .binary_search_by(|x| x.as_slice().cmp(m.actor.to_bytes()))
            .ok()?;
        let mut note = |a: u32| -> Option<()> {
            let place = places.get_mut(a as usize)?;
            if *place == u32::MAX {
                if table.len() > crate::verify::MAX_OTHER_ACTORS {
                    return None;
                }
                *place = u32::try_from(table.len()).ok()?;
                table.push(a);
            }
            Some(())
        };
        note(u32::try_from(author).ok()?)?;
        for e in entries {
            let (id, obj, key, _, _, preceded) = self.entry(*e)?;
            if obj != ROOT {
                note(obj.actor)?;
            }
            if let Key::Elem(el) = key {
                note(el.actor)?;
            }
            for p in self.preds_of(id, preceded) {
                note(self.rows.get(*p as usize)?.id.actor)?;
            }
        }
        let places = &*places;
        let refer = |id: Id| -> Option<Ref> {
            let at = *places.get(id.actor as usize)?;
            (at != u32::MAX).then_some(Ref {
                ctr: id.ctr,
                actor: at,
            })
        };
        let actors: Vec<ActorId> = table
            .iter()
            .map(|a| {
                self.actors
                    .get(*a as usize)
                    .map(|b| ActorId::from(b.as_slice()))
            })
            .collect::<Option<_>>()?;
        let mut out = ChangeOps::with_actors(m.start_op, actors, entries.len())?;
        let mut preds: Vec<Ref> = Vec::new();
        for e in entries {
            let (id, obj, key, insert, row, preceded) = self.entry(*e)?;
            let action = match row {
                None => NewAction::Delete,
                Some(row) => match row.action() {
                    0 => NewAction::Make(ObjType::Map),
                    2 => NewAction::Make(ObjType::List),
                    4 => NewAction::Make(ObjType::Text),
                    1 => {
                        let at = row.raw as usize;
                        let bytes = self.raw.get(at..at.checked_add(row.len() as usize)?)?;
                        let meta = (u64::from(row.len()) << 4) | u64::from(row.vtype());
                        NewAction::Put(crate::change_ops::value_of(meta, bytes)?)
                    }
                    _ => return None,
                },
            };
            let obj = if obj == ROOT {
                Obj::Root
            } else {
                Obj::Id(refer(obj)?)
            };
            let key = match key {
                Key::Map(k) => NewKey::Map(self.keys.get(k as usize)?),
                Key::Head => NewKey::Head,
                Key::Elem(el) => NewKey::Elem(refer(el)?),
            };
            preds.clear();
            for p in self.preds_of(id, preceded) {
                preds.push(refer(self.rows.get(*p as usize)?.id)?);
            }
            out.push(obj, key, action, insert, &preds)?;
        }
        Some(out)
    }
}
