//! A change's operations read straight from its columns into the compact form the chain check
//! and the rules read ([`model::ops::ChangeOps`]), without Automerge's expanded form: no
//! allocation per operation beyond a value's own (a string over 23 bytes, bytes), nothing
//! decoded twice.
//!
//! Only what a coalition document holds is read here: maps, lists, texts, deletions and plain
//! values (null, booleans, integers, floats, strings, bytes, timestamps), each column exactly as
//! Automerge writes it ([`crate::columns::canonical`]). Anything else — a compressed column,
//! an unknown one, an empty one, a counter, an increment or a mark, a number not in its
//! shortest encoding, runs split otherwise than Automerge splits them, a value whose length
//! does not fit its type, a column with rows or bytes left over, an actor listed twice or
//! named by no operation, other actors out of order, a deletion or a new object carrying a
//! value, predecessors not ascending — is left to Automerge ([`read`] falls back to
//! `ChangeOps::decode`), which then decodes it or fails as before, and refuses a change that
//! does not encode again into itself. Automerge lists a change by encoding its operations
//! again, so a change that does not would be listed under another hash than the one it came
//! with, breaking every copy of the document that holds it. So this reader is never more
//! lenient than Automerge's: where it answers, it answers what Automerge would, and the change
//! encodes again into itself (checked against Automerge on every change of two test histories,
//! on every change rewritten otherwise than Automerge writes it, and by the `batch` fuzz
//! target, [`crate::fuzzing::change_ops_agree`]).

use std::collections::BTreeMap;

use automerge::{ActorId, Change, ObjType, ScalarValue};
use model::ops::{ChangeOps, NewAction, NewKey, Obj, Ref};

use crate::columns::{Bools, Deltas, Reader, Runs, kind, spec};
use crate::verify::Refusal;

/// A change's operations, compact: read from its columns ([`direct`]), or else decoded by
/// Automerge and compacted; `None` where they do not decode.
pub(crate) fn read(ch: &Change) -> Option<ChangeOps> {
    direct(ch).or_else(|| ChangeOps::decode(ch))
}

const OBJ_ACTOR: u32 = spec(0, kind::ACTOR);
const OBJ_CTR: u32 = spec(0, kind::INTEGER);
const KEY_ACTOR: u32 = spec(1, kind::ACTOR);
const KEY_CTR: u32 = spec(1, kind::DELTA);
const KEY_STR: u32 = spec(1, kind::STRING);
const INSERT: u32 = spec(3, kind::BOOLEAN);
const ACTION: u32 = spec(4, kind::INTEGER);
const VAL_META: u32 = spec(5, kind::VALUE_META);
const VAL_RAW: u32 = spec(5, kind::VALUE_RAW);
pub(crate) const PRED_GROUP: u32 = spec(7, kind::GROUP);
const PRED_ACTOR: u32 = spec(7, kind::ACTOR);
const PRED_CTR: u32 = spec(7, kind::DELTA);

/// The columns Automerge writes for what a coalition holds (the expand and mark-name columns
/// it writes only for marks).
const KNOWN: [u32; 12] = [
    OBJ_ACTOR, OBJ_CTR, KEY_ACTOR, KEY_CTR, KEY_STR, INSERT, ACTION, VAL_META, VAL_RAW, PRED_GROUP,
    PRED_ACTOR, PRED_CTR,
];

/// Errors here only mean "leave it to Automerge".
fn quiet(_: String) -> Refusal {
    Refusal::MalformedChange(String::new())
}

/// The next value of a column that must have one (a null reads as `Some(None)`); `None` if
/// the column has ended or does not read.
fn next<T: Copy>(col: &mut Runs<'_, T>) -> Option<Option<T>> {
    col.next().ok().flatten()
}

fn next_delta(col: &mut Deltas<'_>) -> Option<Option<u64>> {
    col.next().ok().flatten()
}

/// Whether a column has no row left, and no byte it cannot read.
fn ended<T: Copy>(col: &mut Runs<'_, T>) -> bool {
    matches!(col.next(), Ok(None))
}

/// A counter as the compact form keeps it: from 1 to `u32::MAX`.
fn counter(c: u64) -> Option<u32> {
    u32::try_from(c).ok().filter(|c| *c >= 1)
}

fn actor(a: u64) -> Option<u32> {
    u32::try_from(a).ok()
}

/// The change's operations straight from its columns; `None` for anything this reader leaves
/// to Automerge (see the module documentation). The change must be one Automerge made or
/// one that passed `verify::prescan_change`: its counts (rows, groups) were bounded there,
/// and are trusted here.
pub(crate) fn direct(ch: &Change) -> Option<ChangeOps> {
    let rows = ch.len();
    let others = ch.other_actor_ids();
    if others.len() > crate::verify::MAX_OTHER_ACTORS {
        return None;
    }
    // Automerge lists the other actors in ascending order, and encodes a change again so:
    // in another order, left to its decoding (which refuses what does not encode again).
    if others.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    // An actor listed twice (the author among the others, say) is named by its first place
    // where Automerge's decoding resolves it: left to that path.
    let mut actors: Vec<&ActorId> = Vec::with_capacity(others.len() + 1);
    actors.push(ch.actor_id());
    actors.extend(others);
    let mut distinct = actors.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != actors.len() {
        return None;
    }
    let (listed, after) = crate::verify::change_columns(ch.raw_bytes())?;
    if listed.len() > KNOWN.len() || !after.is_empty() {
        return None;
    }
    let mut cols: BTreeMap<u32, &[u8]> = BTreeMap::new();
    for (s, data) in listed {
        // Each column as Automerge writes it, and only the ones it writes.
        if !KNOWN.contains(&s) || !crate::columns::canonical(s & 7, data) {
            return None;
        }
        if cols.insert(s, data).is_some() {
            return None;
        }
    }
    let col = |s: u32| cols.get(&s).copied().unwrap_or_default();
    let mut obj_actor = Runs::new(col(OBJ_ACTOR), quiet, |r| r.uleb());
    let mut obj_ctr = Runs::new(col(OBJ_CTR), quiet, |r| r.uleb());
    let mut key_actor = Runs::new(col(KEY_ACTOR), quiet, |r| r.uleb());
    let mut key_ctr = Deltas::new(col(KEY_CTR), quiet);
    let mut key_str = Runs::new(col(KEY_STR), quiet, |r| r.str());
    let mut insert = Bools::new(col(INSERT), quiet);
    let mut action = Runs::new(col(ACTION), quiet, |r| r.uleb());
    let mut meta = Runs::new(col(VAL_META), quiet, |r| r.uleb());
    let mut raw = Reader::new(col(VAL_RAW), quiet);
    let mut pred_group = Runs::new(col(PRED_GROUP), quiet, |r| r.uleb());
    let mut pred_actor = Runs::new(col(PRED_ACTOR), quiet, |r| r.uleb());
    let mut pred_ctr = Deltas::new(col(PRED_CTR), quiet);
    // Columns that may be left out when every row is null (or false).
    let nullable = |s: u32| !cols.contains_key(&s);
    let table = actors;
    // Which actors the operations name: Automerge lists a change with the other actors its
    // operations name, and no other.
    let mut named = vec![false; table.len()];
    let mut name = |r: Ref| {
        if let Some(n) = named.get_mut(r.actor as usize) {
            *n = true;
        }
        r
    };
    let actors = table.iter().map(|a| (*a).clone()).collect();
    let mut out = ChangeOps::with_actors(ch.start_op().get(), actors, rows)?;
    let mut preds: Vec<Ref> = Vec::new();
    for _ in 0..rows {
        let oa = if nullable(OBJ_ACTOR) {
            None
        } else {
            next(&mut obj_actor)?
        };
        let oc = if nullable(OBJ_CTR) {
            None
        } else {
            next(&mut obj_ctr)?
        };
        let obj = match (oa, oc) {
            (None, None) => Obj::Root,
            (Some(a), Some(c)) => Obj::Id(name(Ref {
                ctr: counter(c)?,
                actor: actor(a)?,
            })),
            _ => return None,
        };
        let ka = if nullable(KEY_ACTOR) {
            None
        } else {
            next(&mut key_actor)?
        };
        let kc = if nullable(KEY_CTR) {
            None
        } else {
            next_delta(&mut key_ctr)?
        };
        let ks = if nullable(KEY_STR) {
            None
        } else {
            next(&mut key_str)?
        };
        let key = match (ka, kc, ks) {
            (None, None, Some(s)) => NewKey::Map(s),
            (None, Some(0), None) => NewKey::Head,
            (Some(a), Some(c), None) => NewKey::Elem(name(Ref {
                ctr: counter(c)?,
                actor: actor(a)?,
            })),
            _ => return None,
        };
        let inserts = insert.next().ok()??;
        let value = value(next(&mut meta)??, &mut raw)?;
        let act = match next(&mut action)?? {
            1 => NewAction::Put(value),
            // Any other operation carrying a value: Automerge drops it and would list the
            // change under another hash; left to its decoding, which refuses what does not
            // encode again.
            _ if value != ScalarValue::Null => return None,
            0 => NewAction::Make(ObjType::Map),
            2 => NewAction::Make(ObjType::List),
            3 => NewAction::Delete,
            4 => NewAction::Make(ObjType::Text),
            _ => return None,
        };
        let group = next(&mut pred_group)??;
        preds.clear();
        for _ in 0..group {
            let a = next(&mut pred_actor)??;
            let c = next_delta(&mut pred_ctr)??;
            preds.push(name(Ref {
                ctr: counter(c)?,
                actor: actor(a)?,
            }));
        }
        // Predecessors as Automerge writes them, ascending by counter then actor; others are
        // left to its decoding (as above).
        let order = |r: &Ref| (r.ctr, table.get(r.actor as usize));
        if preds.windows(2).any(|w| order(&w[0]) >= order(&w[1])) {
            return None;
        }
        out.push(obj, key, act, inserts, &preds)?;
    }
    // Every column read to its end, and nothing after it.
    let all = ended(&mut obj_actor)
        && ended(&mut obj_ctr)
        && ended(&mut key_actor)
        && matches!(key_ctr.next(), Ok(None))
        && ended(&mut key_str)
        && matches!(insert.next(), Ok(None))
        && ended(&mut action)
        && ended(&mut meta)
        && raw.is_empty()
        && ended(&mut pred_group)
        && ended(&mut pred_actor)
        && matches!(pred_ctr.next(), Ok(None))
        && named.iter().skip(1).all(|n| *n);
    all.then_some(out)
}

/// A value, from its metadata (length and type) and its bytes; `None` for the types left to
/// Automerge (counters, unknown types) and for any encoding Automerge might read otherwise.
fn value(meta: u64, raw: &mut Reader<'_>) -> Option<ScalarValue> {
    let len = usize::try_from(meta >> 4).ok()?;
    value_of(meta, raw.take(len).ok()?)
}

/// A value from its metadata and exactly its bytes (see [`value`]).
pub(crate) fn value_of(meta: u64, bytes: &[u8]) -> Option<ScalarValue> {
    let len = bytes.len();
    if usize::try_from(meta >> 4).ok()? != len {
        return None;
    }
    // A number in exactly its bytes, in its shortest encoding (Automerge refuses others).
    let uleb = |b: &[u8]| {
        let mut rest = b;
        let v = leb128::read::unsigned(&mut rest).ok()?;
        let mut again = Vec::with_capacity(b.len());
        leb128::write::unsigned(&mut again, v).ok()?;
        (rest.is_empty() && again == b).then_some(v)
    };
    let sleb = |b: &[u8]| {
        let mut rest = b;
        let v = leb128::read::signed(&mut rest).ok()?;
        let mut again = Vec::with_capacity(b.len());
        leb128::write::signed(&mut again, v).ok()?;
        (rest.is_empty() && again == b).then_some(v)
    };
    Some(match meta & 0xf {
        0 if len == 0 => ScalarValue::Null,
        1 if len == 0 => ScalarValue::Boolean(false),
        2 if len == 0 => ScalarValue::Boolean(true),
        3 => ScalarValue::Uint(uleb(bytes)?),
        4 => ScalarValue::Int(sleb(bytes)?),
        5 => ScalarValue::F64(f64::from_le_bytes(bytes.try_into().ok()?)),
        6 => ScalarValue::Str(std::str::from_utf8(bytes).ok()?.into()),
        7 => ScalarValue::Bytes(bytes.to_vec()),
        9 => ScalarValue::Timestamp(sleb(bytes)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::AutoCommit;
    use automerge::transaction::Transactable;

    #[test]
    fn a_coalition_history_is_read_from_its_columns_as_automerge_decodes_it() {
        let doc = AutoCommit::load(&crate::fuzzing::batch_document()).unwrap();
        let changes = doc.clone().get_changes(&[]);
        assert!(changes.len() > 1);
        for ch in &changes {
            let direct = direct(ch).expect("a coalition's change is read from its columns");
            assert!(direct.same_operations(&ChangeOps::decode(ch).unwrap()));
        }
    }

    #[test]
    fn every_kind_of_operation_reads_as_automerge_decodes_it_or_is_left_to_it() {
        let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
        let list = a
            .put_object(automerge::ROOT, "list", ObjType::List)
            .unwrap();
        let text = a
            .put_object(automerge::ROOT, "text", ObjType::Text)
            .unwrap();
        a.insert(&list, 0, "x").unwrap();
        a.insert(&list, 1, -2i64).unwrap();
        a.insert(&list, 2, 300u64).unwrap();
        a.insert(&list, 3, 1.5f64).unwrap();
        a.insert(&list, 4, ScalarValue::Timestamp(-7)).unwrap();
        a.insert(&list, 5, ScalarValue::Null).unwrap();
        a.insert(&list, 6, true).unwrap();
        a.splice_text(&text, 0, 0, "héllo wörld").unwrap();
        a.put(automerge::ROOT, "bytes", vec![1u8, 2, 3]).unwrap();
        a.commit();
        // Another actor overwriting and deleting the first one's values: references to
        // another actor, predecessors of both.
        let mut b = a.fork().with_actor(ActorId::from([2u8; 32]));
        b.put(&list, 0, "y").unwrap();
        b.delete(&list, 1).unwrap();
        b.splice_text(&text, 2, 3, "").unwrap();
        b.put(
            automerge::ROOT,
            "new",
            "a long value, far past twenty-three bytes",
        )
        .unwrap();
        b.delete(automerge::ROOT, "bytes").unwrap();
        b.commit();
        let mut c = a.fork().with_actor(ActorId::from([0u8; 32]));
        c.put(&list, 0, "z").unwrap();
        c.commit();
        b.merge(&mut c).unwrap();
        // Two concurrent values overwritten at once: two predecessors.
        b.put(&list, 0, "w").unwrap();
        b.commit();
        let changes = b.get_changes(&[]);
        for ch in &changes {
            let direct = direct(ch).expect("plain operations are read from the columns");
            assert!(direct.same_operations(&ChangeOps::decode(ch).unwrap()));
        }
        assert!(changes.iter().any(|ch| {
            ChangeOps::decode(ch)
                .unwrap()
                .iter()
                .any(|op| op.preds().count() == 2)
        }));
        // The author listed again among the other actors: left to Automerge, which names it
        // by its first place (the author's), and so is everything that refers to it.
        let by_c = c.get_last_local_change().unwrap().clone();
        let raw = by_c.raw_bytes();
        let mut r = Reader::new(raw, quiet);
        r.take(9).unwrap();
        r.len().unwrap();
        let body_at = raw.len() - r.bytes.len();
        let mut body = raw[body_at..].to_vec();
        let (a_key, c_key) = ([1u8; 32], [0u8; 32]);
        let at = body
            .windows(32)
            .rposition(|w| w == a_key)
            .expect("the other actor in the header");
        body[at..at + 32].copy_from_slice(&c_key);
        let twice = Change::try_from(&crate::fuzzing::change_chunk(&body)[..]).unwrap();
        assert_eq!(twice.other_actor_ids(), &[ActorId::from(c_key)]);
        assert!(direct(&twice).is_none());
        // Automerge decodes it, but would list it with its actors once each, under another
        // hash: refused for that alone.
        assert!(ChangeOps::decode_as_automerge_does(&twice).is_some());
        assert!(read(&twice).is_none());
        // A counter is left to Automerge, and read the same through `read`.
        let mut d = b.fork().with_actor(ActorId::from([3u8; 32]));
        d.put(automerge::ROOT, "count", ScalarValue::counter(1))
            .unwrap();
        d.increment(automerge::ROOT, "count", 2).unwrap();
        d.commit();
        let last = d.get_last_local_change().unwrap().clone();
        assert!(direct(&last).is_none());
        assert!(
            read(&last)
                .unwrap()
                .same_operations(&ChangeOps::decode(&last).unwrap())
        );
    }
}
