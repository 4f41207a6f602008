//! The checks a batch of changes passes before Automerge applies it: that each change
//! continues its actor's history and that every operation refers to something that exists,
//! as Automerge assumes and does not check.
//!
//! Automerge 0.12 panics, or silently keeps a document it can no longer save and load, when
//! a change skips a sequence number, leaves out its actor's previous change from its
//! dependencies, reuses operation counters, or refers to an object, list element or
//! overwritten value that is not there. [`check`] refuses all of these before
//! `apply_changes`, and puts the batch in the order Automerge will apply it.
//!
//! What it checks, per change, in causal order:
//!
//! - **History.** Its dependencies are in the document or the batch (else the change waits,
//!   with everything after it, for a catch-up); sequence number 1, or a dependency that is
//!   its actor's previous change (so no gap and no fork: a second change with one actor and
//!   sequence number is equivocation); its start operation exactly one past the largest
//!   operation of its dependencies (so operation ids never collide).
//! - **Operations.** Only what a coalition document holds: maps, lists and texts, plain
//!   values, deletions — no counters, increments or marks. Each operation's object is the
//!   root, an object an earlier operation made, or one in the document or batch, of the
//!   kind its key needs (a map key on a map, a list position on a list or text); a list
//!   position is an element of that very object; an insertion is the only operation at the
//!   head of a list; every overwritten value (predecessor) is older than the operation,
//!   exists, and a deletion has one. A reference to something older than the change that is
//!   in neither the document nor the batch makes the change wait, like a missing dependency.
//!   Whatever is referred to must be older than the change (a counter below its start
//!   operation), which every change made from its dependencies is.
//! - **Actors.** Every other actor the change lists is one its operations refer to.
//!
//! - **Texts.** Only insertions and deletions of characters, as splicing writes: nothing put
//!   over a character, no object in a text.
//!
//! A predecessor, or a character of a text, is confirmed in the document's current state
//! where it can be (indexed and cheap). A list position, and anything no longer visible
//! (overwritten or deleted since), is confirmed from the operation that wrote it, read from
//! its change (`Written`: a first pass notes them, their changes are rebuilt once, a second
//! pass judges), which says its object, place and whether it inserted exactly: a value put
//! over a list element reads back with the element's cursor where it wins, so the current
//! state cannot tell the two apart alike on every node. Nothing is rebuilt after applying.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{ActorId, Automerge, Change, ChangeHash, ObjType, ReadDoc, ScalarValue};

use crate::verify::Refusal;

fn bad(why: impl Into<String>) -> Refusal {
    Refusal::MalformedChange(why.into())
}

/// A batch, ordered and checked.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// The changes that can be applied, each after everything it depends on.
    pub order: Vec<Change>,
    /// How many changes wait for something not here yet (left out of `order`).
    pub dangling: usize,
    /// The operations of each change of `order`, decoded: the rules read them too.
    pub decoded: Vec<automerge::ExpandedChange>,
}

/// An operation id within the batch: (counter, actor).
type Id = (u64, ActorId);

/// An operation id as the batch's maps hold it: counter and the actor's index among the
/// batch's actors (no allocation per operation).
type Short = (u64, u32);

/// What the batch itself holds, for references into it.
#[derive(Default)]
struct BatchOps {
    /// The batch's actors, numbered.
    actors: HashMap<ActorId, u32>,
    /// The map keys written in the batch, numbered.
    keys: HashMap<String, u32>,
    /// Objects made in the batch, with their kind.
    objects: HashMap<Short, ObjType>,
    /// List and text elements inserted in the batch, with the object they are in.
    elements: HashMap<Short, Short>,
    /// Values written in the batch (puts and makes), with the place written: (object, key).
    values: HashMap<Short, (Option<Short>, Place)>,
    /// Counter ranges of the batch's changes, per actor: first counter → last. (Ranges that
    /// overlap are refused by the start-op check; until then a lookup may miss one.)
    ranges: HashMap<u32, BTreeMap<u64, u64>>,
}

/// A key, as the batch holds it: a map key (numbered) or a list element (`None` for the
/// head).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Place {
    Map(u32),
    Elem(Option<Short>),
}

impl BatchOps {
    /// The batch's number for an actor, given one if new.
    fn actor(&mut self, a: &ActorId) -> u32 {
        number(&mut self.actors, a)
    }

    /// The batch's number for a map key, given one if new.
    fn key(&mut self, k: &str) -> u32 {
        number(&mut self.keys, k)
    }

    /// An id as the batch's maps hold it; `None` if its actor wrote nothing in the batch (so
    /// nothing of the batch has that id).
    fn short(&self, id: &Id) -> Option<Short> {
        self.actors.get(&id.1).map(|a| (id.0, *a))
    }

    /// A place as the batch's maps hold it; `None` if no operation of the batch is there.
    fn place(&self, key: &Key) -> Option<Place> {
        Some(match key {
            Key::Map(k) => Place::Map(*self.keys.get(k.as_str())?),
            Key::Seq(ElementId::Head) => Place::Elem(None),
            Key::Seq(ElementId::Id(e)) => Place::Elem(Some(self.short(&id_of(e))?)),
        })
    }

    fn holds(&self, id: &Id) -> bool {
        self.short(id)
            .and_then(|(c, a)| Some((c, self.ranges.get(&a)?)))
            .and_then(|(c, rs)| rs.range(..=c).next_back().map(|r| (c, r)))
            .is_some_and(|(c, (_, last))| c <= *last)
    }
}

/// The number `map` gives `k`, the next one if `k` is new.
fn number<K, Q>(map: &mut HashMap<K, u32>, k: &Q) -> u32
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: ToOwned<Owned = K> + std::hash::Hash + Eq + ?Sized,
{
    if let Some(n) = map.get(k) {
        return *n;
    }
    let n = map.len() as u32;
    map.insert(k.to_owned(), n);
    n
}

/// Where a reference resolved.
enum Found {
    /// Confirmed.
    Yes,
    /// Not here (yet).
    Missing,
}

/// Orders `new` (changes not in `doc`, already past the signature checks) and checks every
/// change as described in the module documentation.
pub(crate) fn check(doc: &Automerge, new: Vec<Change>) -> Result<Checked, Refusal> {
    let (order, mut dangling) = causal_order(doc, new);
    let mut out = Checked::default();
    // Sized once: the batch's operations were counted (and bounded) when it was parsed.
    let ops: usize = order.iter().map(Change::len).sum();
    let mut batch = BatchOps {
        values: HashMap::with_capacity(ops),
        ..BatchOps::default()
    };
    // Every change of the batch first: references may point anywhere in it.
    let mut decoded = Vec::with_capacity(order.len());
    let mut meta: HashMap<ChangeHash, (ActorId, u64, u64)> = HashMap::with_capacity(order.len());
    let mut seqs: HashSet<(ActorId, u64)> = HashSet::with_capacity(order.len());
    for ch in &order {
        let expanded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ch.decode()))
            .map_err(|_| bad("its operations do not decode"))?;
        let actor = ch.actor_id().clone();
        if !seqs.insert((actor.clone(), ch.seq())) {
            return Err(Refusal::Equivocation {
                actor: actor.to_hex_string(),
                seq: ch.seq(),
            });
        }
        let start = ch.start_op().get();
        let end = start + ch.len() as u64;
        meta.insert(ch.hash(), (actor.clone(), ch.seq(), end.saturating_sub(1)));
        let me = batch.actor(&actor);
        if end > start {
            batch.ranges.entry(me).or_default().insert(start, end - 1);
        }
        for (i, op) in expanded.operations.iter().enumerate() {
            let id = (start + i as u64, me);
            // Every actor an operation names is listed by its change; numbering them all
            // keeps references between the batch's changes exact.
            let obj = match &op.obj {
                ObjectId::Root => None,
                ObjectId::Id(o) => Some((o.0, batch.actor(&o.1))),
            };
            let place = match &op.key {
                Key::Map(k) => Place::Map(batch.key(k)),
                Key::Seq(ElementId::Head) => Place::Elem(None),
                Key::Seq(ElementId::Id(e)) => Place::Elem(Some((e.0, batch.actor(&e.1)))),
            };
            if let OpType::Make(t) = &op.action {
                batch.objects.insert(id, *t);
            }
            if op.insert {
                if let Some(o) = obj {
                    batch.elements.insert(id, o);
                }
                batch.values.insert(id, (obj, Place::Elem(Some(id))));
            } else if matches!(op.action, OpType::Make(_) | OpType::Put(_)) {
                batch.values.insert(id, (obj, place));
            }
        }
        decoded.push(expanded);
    }
    // A first pass notes the references only the changes that wrote them can confirm (taken
    // as confirmed meanwhile); if there are any, those changes are read and the batch is
    // checked again with what they say. A refusal in the first pass stands either way.
    // A batch that waits for something is taken by neither pass: it is not judged exactly
    // (nor anything rebuilt for it) until it is whole, so a peer resending an incomplete
    // batch costs no reads of the document.
    let mut written = Written::noting();
    let mut passed = judge(doc, &order, &decoded, &meta, &batch, &mut written)?;
    if written.wants_any() && passed.1 == 0 {
        written.read(doc)?;
        passed = judge(doc, &order, &decoded, &meta, &batch, &mut written)?;
    }
    let (accepted, waiting) = passed;
    if waiting > 0 {
        // Taken whole or not at all (as for missing dependencies).
        dangling += accepted.len() + waiting;
    } else {
        let mut slots: Vec<Option<(Change, automerge::ExpandedChange)>> =
            order.into_iter().zip(decoded).map(Some).collect();
        for i in accepted {
            if let Some((ch, expanded)) = slots.get_mut(i).and_then(Option::take) {
                out.order.push(ch);
                out.decoded.push(expanded);
            }
        }
    }
    out.dangling = dangling;
    Ok(out)
}

/// One pass over the batch in causal order: the indices of the changes that pass, and how
/// many wait (a change whose references are not all here yet waits, with every change after
/// it).
fn judge(
    doc: &Automerge,
    order: &[Change],
    decoded: &[automerge::ExpandedChange],
    meta: &HashMap<ChangeHash, (ActorId, u64, u64)>,
    batch: &BatchOps,
    written: &mut Written,
) -> Result<(Vec<usize>, usize), Refusal> {
    let mut waiting: HashSet<ChangeHash> = HashSet::new();
    let mut accepted = Vec::with_capacity(order.len());
    for (i, (ch, expanded)) in order.iter().zip(decoded).enumerate() {
        if ch.deps().iter().any(|d| waiting.contains(d)) {
            waiting.insert(ch.hash());
            continue;
        }
        check_history(doc, ch, meta)?;
        match check_ops(doc, ch, expanded, batch, written)? {
            Found::Yes => accepted.push(i),
            Found::Missing => {
                waiting.insert(ch.hash());
            }
        }
    }
    Ok((accepted, waiting.len()))
}

fn id_of(o: &OpId) -> Id {
    (o.0, o.1.clone())
}

/// Sequence number and start operation against the change's dependencies.
fn check_history(
    doc: &Automerge,
    ch: &Change,
    batch: &HashMap<ChangeHash, (ActorId, u64, u64)>,
) -> Result<(), Refusal> {
    let mut previous = false;
    let mut max_op = 0;
    for d in ch.deps() {
        let (actor, seq, max) = match batch.get(d) {
            Some((a, s, m)) => (a.clone(), *s, *m),
            None => {
                let m = doc
                    .get_change_meta_by_hash(d)
                    .ok_or_else(|| bad("a dependency is missing"))?;
                (m.actor.into_owned(), m.seq, m.max_op)
            }
        };
        previous |= actor == *ch.actor_id() && seq + 1 == ch.seq();
        max_op = max_op.max(max);
    }
    if ch.seq() > 1 && !previous {
        return Err(bad(format!(
            "change {} of {} does not follow its actor's change {}",
            ch.seq(),
            ch.actor_id().to_hex_string(),
            ch.seq() - 1
        )));
    }
    if ch.start_op().get() != max_op + 1 {
        return Err(bad(format!(
            "change {} of {} starts at operation {} but its dependencies end at {max_op}",
            ch.seq(),
            ch.actor_id().to_hex_string(),
            ch.start_op()
        )));
    }
    Ok(())
}

/// The document's id for an operation, if its actor is known to the document.
fn exid(id: &Id) -> automerge::ObjId {
    // The actor index is looked up again by the document when it does not match.
    automerge::ObjId::Id(id.0, id.1.clone(), usize::MAX)
}

/// Checks every operation of one change; whether all its references were confirmed.
fn check_ops(
    doc: &Automerge,
    ch: &Change,
    expanded: &automerge::ExpandedChange,
    batch: &BatchOps,
    written: &mut Written,
) -> Result<Found, Refusal> {
    let start = ch.start_op().get();
    let own = ch.actor_id();
    let mut result = Found::Yes;
    let mut referred: HashSet<ActorId> = HashSet::new();
    // What this change made so far: objects and the kinds, values by place.
    let mut made: HashMap<u64, ObjType> = HashMap::new();
    let mut note = |f: Found| {
        if let Found::Missing = f {
            result = Found::Missing;
        }
    };
    for (i, op) in expanded.operations.iter().enumerate() {
        let me = start + i as u64;
        let older = |id: &Id| {
            if id.0 >= me {
                Err(bad("an operation refers to itself or a later one"))
            } else {
                Ok(())
            }
        };
        match &op.action {
            OpType::Make(ObjType::Map | ObjType::List | ObjType::Text) | OpType::Delete => {}
            OpType::Put(v)
                if !matches!(v, ScalarValue::Counter(_) | ScalarValue::Unknown { .. }) => {}
            other => {
                return Err(bad(format!(
                    "an operation a coalition document does not hold: {other:?}"
                )));
            }
        }
        // The object written in, and its kind.
        let kind = match &op.obj {
            ObjectId::Root => ObjType::Map,
            ObjectId::Id(o) => {
                let o = id_of(o);
                older(&o)?;
                referred.insert(o.1.clone());
                if o.1 == *own && o.0 >= start {
                    *made
                        .get(&o.0)
                        .ok_or_else(|| bad("an operation writes into something not an object"))?
                } else if let Some(t) = batch.short(&o).and_then(|o| batch.objects.get(&o)) {
                    *t
                } else {
                    match doc.object_type(exid(&o)) {
                        Ok(t) => t,
                        Err(_) if doc.hash_for_opid(&exid(&o)).is_some() || batch.holds(&o) => {
                            return Err(bad("an operation writes into something not an object"));
                        }
                        Err(_) => {
                            note(Found::Missing);
                            continue;
                        }
                    }
                }
            }
        };
        if kind == ObjType::Text
            && (matches!(op.action, OpType::Make(_))
                || !op.insert && !matches!(op.action, OpType::Delete))
        {
            // Splicing only inserts and deletes characters: with nothing ever written over
            // a character, a character's cursor is its own (see `element`).
            return Err(bad(
                "a value written over a character of a text, or an object in it",
            ));
        }
        let list = matches!(kind, ObjType::List | ObjType::Text);
        match (&op.key, list) {
            (Key::Map(_), false) => {
                if op.insert {
                    return Err(bad("an insertion into a map"));
                }
            }
            (Key::Seq(ElementId::Head), true) => {
                if !op.insert {
                    return Err(bad(
                        "an operation at the head of a list that inserts nothing",
                    ));
                }
            }
            (Key::Seq(ElementId::Id(e)), true) => {
                let e = id_of(e);
                older(&e)?;
                referred.insert(e.1.clone());
                note(element(doc, &op.obj, kind, &e, start, own, batch, written)?);
            }
            _ => return Err(bad("a key of the wrong kind for its object")),
        }
        if matches!(op.action, OpType::Delete) && op.pred.is_empty() {
            return Err(bad("a deletion of nothing"));
        }
        for p in op.pred.iter() {
            let p = id_of(p);
            older(&p)?;
            referred.insert(p.1.clone());
            note(predecessor(doc, op, &p, start, own, batch, written)?);
        }
        if let OpType::Make(t) = &op.action {
            made.insert(me, *t);
        }
    }
    for a in other_actors(ch) {
        if a != *own && !referred.contains(&a) {
            return Err(bad("an actor listed that no operation refers to"));
        }
    }
    Ok(result)
}

/// A list position: an element of that very object (of kind `kind`).
#[allow(clippy::too_many_arguments)]
fn element(
    doc: &Automerge,
    obj: &ObjectId,
    kind: ObjType,
    e: &Id,
    start: u64,
    own: &ActorId,
    batch: &BatchOps,
    written: &mut Written,
) -> Result<Found, Refusal> {
    let ObjectId::Id(o) = obj else {
        return Err(bad("a list position in the root"));
    };
    let o = id_of(o);
    let in_batch = batch.short(e).and_then(|e| batch.elements.get(&e));
    if e.1 == *own && e.0 >= start || in_batch.is_some() {
        return match in_batch {
            Some(in_obj) if Some(*in_obj) == batch.short(&o) => Ok(Found::Yes),
            _ => Err(bad("a list position that is no element of its list")),
        };
    }
    if batch
        .short(&o)
        .is_some_and(|o| batch.objects.contains_key(&o))
    {
        // A list made in the batch holds only the batch's elements.
        return Err(bad("a list position that is no element of its list"));
    }
    let cursor = automerge::Cursor::try_from(format!("{}@{}", e.0, e.1))
        .map_err(|_| bad("a malformed list position"))?;
    if doc.hash_for_opid(&exid(e)).is_none() {
        return Ok(Found::Missing);
    }
    // The current state first (indexed, cheap): a visible element that is not overwritten
    // reads back as itself. Automerge asserts, on this path, that the element is in the
    // object named: a read, so a panic there changes nothing and means "elsewhere".
    // A value put over an element reads back the same way wherever it wins (and not where a
    // concurrent one does): that is enough only in a text, where nothing is ever put over a
    // character (`check_ops`). In a list the operation that made the position decides.
    if kind == ObjType::Text {
        let here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            match doc.get_cursor_position(exid(&o), &cursor, None) {
                Ok(pos) => doc.get_cursor(exid(&o), pos, None).ok() == Some(cursor.clone()),
                Err(_) => false,
            }
        }))
        .map_err(|_| bad("a list position that is no element of its list"))?;
        if here {
            return Ok(Found::Yes);
        }
    }
    // In a list, or deleted since: what the operation that made it says.
    if written.confirms(doc, e, |w| w.insert && w.obj == *obj) {
        Ok(Found::Yes)
    } else {
        Err(bad("a list position that is no element of its list"))
    }
}

/// A value the operation overwrites: one written at the same place, by an older operation.
fn predecessor(
    doc: &Automerge,
    op: &automerge::legacy::Op,
    p: &Id,
    start: u64,
    own: &ActorId,
    batch: &BatchOps,
    written: &mut Written,
) -> Result<Found, Refusal> {
    let obj = match &op.obj {
        ObjectId::Root => None,
        ObjectId::Id(o) => Some(id_of(o)),
    };
    if matches!(op.key, Key::Seq(ElementId::Head)) {
        return Err(bad("a predecessor at the head of a list"));
    }
    let in_batch = batch.short(p).and_then(|p| batch.values.get(&p));
    if p.1 == *own && p.0 >= start || in_batch.is_some() {
        // Both places as the batch numbers them (every actor and key of the batch's
        // operations is numbered, so equal places get equal numbers).
        let obj_short = match &obj {
            None => Some(None),
            Some(o) => batch.short(o).map(Some),
        };
        return match (in_batch, obj_short, batch.place(&op.key)) {
            (Some((o, pl)), Some(obj), Some(place)) if *o == obj && *pl == place => Ok(Found::Yes),
            _ => Err(bad("a predecessor written elsewhere")),
        };
    }
    if batch.holds(p) {
        return Err(bad("a predecessor that is no value"));
    }
    let target = obj.as_ref().map_or(automerge::ROOT, exid);
    let pid = exid(p);
    if doc.hash_for_opid(&pid).is_none() {
        return Ok(Found::Missing);
    }
    // The current state first (indexed, cheap): a value still visible at its place.
    let here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &op.key {
        Key::Map(k) => doc.get_all(&target, k.as_str()),
        Key::Seq(ElementId::Id(e)) => {
            // Only where the element itself reads back at its index (visible, its own value
            // winning): a deleted element's index is its visible neighbour's, whose values
            // are no predecessors here. Otherwise the writing operation decides.
            match automerge::Cursor::try_from(format!("{}@{}", e.0, e.1)) {
                Ok(cursor) => match doc.get_cursor_position(&target, &cursor, None) {
                    Ok(pos) if doc.get_cursor(&target, pos, None).ok() == Some(cursor) => {
                        doc.get_all(&target, pos)
                    }
                    _ => Ok(Vec::new()),
                },
                Err(_) => Ok(Vec::new()),
            }
        }
        Key::Seq(ElementId::Head) => Ok(Vec::new()),
    }))
    .map_err(|_| bad("a predecessor written elsewhere"))?;
    if here.is_ok_and(|vs| vs.iter().any(|(_, id)| *id == pid)) {
        return Ok(Found::Yes);
    }
    // Overwritten or deleted since: what the operation that wrote it says of its place (an
    // insertion's place is the element it made). A deletion is no value: it cannot be
    // overwritten.
    let fits = |w: &WrittenOp| {
        let key = if w.insert {
            Key::Seq(ElementId::Id(OpId(p.0, p.1.clone())))
        } else {
            w.key.clone()
        };
        w.value && w.obj == op.obj && key == op.key
    };
    if written.confirms(doc, p, fits) {
        Ok(Found::Yes)
    } else {
        Err(bad("a predecessor written elsewhere"))
    }
}

/// Operations already in the document, read from the changes that wrote them: where each
/// was written, for references the current state cannot confirm (a list position, a value
/// overwritten or an element deleted since). A batch that has any is checked twice: the first
/// pass only notes them (taken as confirmed meanwhile), then the changes holding them are
/// rebuilt from the document — one by one when few (`ONE_BY_ONE`, about 60 µs each at
/// 100,000 issues), else all in one pass over the document's operations (`Automerge::bundle`)
/// — keeping only the operations referred to, and the second pass judges with those. The work
/// is bounded by the document whatever a batch refers to, and no honest batch is refused for
/// how many changes it refers to (a catch-up tagging thousands of issues refers to as many).
struct Written {
    /// Whether references are only noted (the first pass).
    noting: bool,
    /// Per change holding a referenced operation, the operations referred to.
    wanted: HashMap<ChangeHash, HashSet<Id>>,
    /// The operations referred to, as their changes hold them (the second pass).
    found: HashMap<Id, WrittenOp>,
}

/// Where an operation was written.
struct WrittenOp {
    obj: ObjectId,
    key: Key,
    insert: bool,
    /// Whether it wrote a value (an insertion, a put or a make), not a deletion.
    value: bool,
}

/// Up to how many changes are rebuilt one by one; more are rebuilt in one pass over the
/// document's operations (a pass costs about what rebuilding this many one by one does at
/// 100,000 issues).
const ONE_BY_ONE: usize = 4096;

impl Written {
    fn noting() -> Self {
        Self {
            noting: true,
            wanted: HashMap::new(),
            found: HashMap::new(),
        }
    }

    /// Whether the operation `id`, in the document, was written as `fits` says. While noting,
    /// any operation in the document fits (and is noted).
    fn confirms(
        &mut self,
        doc: &Automerge,
        id: &Id,
        fits: impl FnOnce(&WrittenOp) -> bool,
    ) -> bool {
        if self.noting {
            let Some(hash) = doc.hash_for_opid(&exid(id)) else {
                return false;
            };
            self.wanted.entry(hash).or_default().insert(id.clone());
            return true;
        }
        self.found.get(id).is_some_and(fits)
    }

    /// Whether the first pass noted any reference.
    fn wants_any(&self) -> bool {
        !self.wanted.is_empty()
    }

    /// Reads the operations noted from their changes, and stops noting. The operations are
    /// matched by id (actor and counter), not by the rebuilt change's hash: a change a peer
    /// encoded otherwise than Automerge does (the order of its other actors, say) rebuilds
    /// to other bytes.
    fn read(&mut self, doc: &Automerge) -> Result<(), Refusal> {
        self.noting = false;
        let wanted = std::mem::take(&mut self.wanted);
        let ids: HashSet<Id> = wanted.values().flatten().cloned().collect();
        let mut keep = |c: &Change| {
            let Ok(e) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.decode()))
            else {
                return;
            };
            let start = e.start_op.get();
            for (i, op) in e.operations.iter().enumerate() {
                let id = (start + i as u64, e.actor_id.clone());
                if ids.contains(&id) {
                    self.found.insert(
                        id,
                        WrittenOp {
                            obj: op.obj.clone(),
                            key: op.key.clone(),
                            insert: op.insert,
                            value: op.insert
                                || matches!(op.action, OpType::Put(_) | OpType::Make(_)),
                        },
                    );
                }
            }
        };
        // Every change in the document passed these checks when it arrived; should Automerge
        // still fail to give one back, its references count as unconfirmed.
        let rebuild = |h: &ChangeHash| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.get_change_by_hash(h)))
                .ok()
                .flatten()
        };
        let bundled = (wanted.len() > ONE_BY_ONE)
            .then(|| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    doc.bundle(wanted.keys().copied())
                        .ok()
                        .and_then(|b| b.to_changes().ok())
                }))
                .ok()
                .flatten()
            })
            .flatten();
        match bundled {
            Some(changes) => changes.iter().for_each(&mut keep),
            // Many, and the one pass failed: rebuilding them one by one is unbounded work.
            None if wanted.len() > ONE_BY_ONE => return Err(Refusal::TooMuchWork),
            // Few: one by one, each dropped once read.
            None => {
                for h in wanted.keys() {
                    if let Some(c) = rebuild(h) {
                        keep(&c);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The other actors a change chunk lists (after its own), read from its header.
fn other_actors(ch: &Change) -> Vec<ActorId> {
    let bytes = ch.raw_bytes();
    let mut r = crate::columns::Reader::new(bytes, Refusal::MalformedChange);
    let read = |r: &mut crate::columns::Reader<'_>| -> Result<Vec<ActorId>, Refusal> {
        r.take(9)?;
        r.uleb()?;
        let deps = r.len()?;
        r.take(deps.saturating_mul(32))?;
        let n = r.len()?;
        r.take(n)?;
        r.uleb()?;
        r.uleb()?;
        r.sleb()?;
        r.str()?;
        let n = r.len()?;
        let mut out = Vec::new();
        for _ in 0..n {
            let len = r.len()?;
            out.push(ActorId::from(r.take(len)?));
        }
        Ok(out)
    };
    // The chunk passed `prescan_change`, so its header reads.
    read(&mut r).unwrap_or_default()
}

/// Orders `new` so that every change comes after its dependencies (Kahn's algorithm, linear
/// in the batch); changes whose dependencies are neither in `doc` nor in `new` are left out
/// with everything after them (second value: how many).
pub(crate) fn causal_order(doc: &Automerge, new: Vec<Change>) -> (Vec<Change>, usize) {
    let total = new.len();
    let index: HashMap<ChangeHash, usize> =
        new.iter().enumerate().map(|(i, c)| (c.hash(), i)).collect();
    let mut waiting_on = vec![0usize; total];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut ready: Vec<usize> = Vec::new();
    for (i, ch) in new.iter().enumerate() {
        let mut missing = false;
        for d in ch.deps() {
            match index.get(d) {
                Some(&j) => {
                    waiting_on[i] += 1;
                    children[j].push(i);
                }
                None if doc.get_change_meta_by_hash(d).is_some() => {}
                None => missing = true,
            }
        }
        if missing {
            // Never ready: counted among the dangling below.
            waiting_on[i] += 1;
        } else if waiting_on[i] == 0 {
            ready.push(i);
        }
    }
    let mut slots: Vec<Option<Change>> = new.into_iter().map(Some).collect();
    let mut order = Vec::with_capacity(total);
    // Oldest first among the ready, so the order is the one the batch came in where it can.
    ready.reverse();
    while let Some(i) = ready.pop() {
        if let Some(c) = slots[i].take() {
            order.push(c);
        }
        for &k in &children[i] {
            waiting_on[k] -= 1;
            if waiting_on[k] == 0 {
                ready.push(k);
            }
        }
    }
    let dangling = total - order.len();
    (order, dangling)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::AutoCommit;
    use automerge::transaction::Transactable;

    /// The change `doc` just made.
    fn made(doc: &mut AutoCommit) -> Change {
        doc.commit();
        doc.get_last_local_change().expect("a change").clone()
    }

    /// Checks that `change` is refused as malformed in `doc`, for a reason saying `why`.
    fn refused_as(doc: &Automerge, change: Change, why: &str) {
        match check(doc, vec![change]) {
            Err(Refusal::MalformedChange(said)) => assert!(said.contains(why), "{said}"),
            other => panic!("not refused ({why}): {other:?}"),
        }
    }

    /// Honest references to values overwritten since, and to elements deleted since, in the
    /// receiver's current state: confirmed from the change that wrote them.
    #[test]
    fn references_overwritten_or_deleted_since_are_confirmed_where_they_were_written() {
        let mut a = AutoCommit::new();
        let list = a
            .put_object(automerge::ROOT, "languages", ObjType::List)
            .unwrap();
        a.insert(&list, 0, "en").unwrap();
        let text = a
            .put_object(automerge::ROOT, "about", ObjType::Text)
            .unwrap();
        a.splice_text(&text, 0, 0, "hello").unwrap();
        let base = made(&mut a);
        let mut b = AutoCommit::new();
        b.apply_changes([base.clone()]).unwrap();
        let mut c = b.fork();
        // a overwrites the list's element; b holds that and overwrites it again concurrently
        // with a's second overwrite, whose predecessor b no longer shows.
        a.put(&list, 0, "fr").unwrap();
        let first = made(&mut a);
        b.apply_changes([first]).unwrap();
        b.put(&list, 0, "pt").unwrap();
        b.commit();
        a.put(&list, 0, "de").unwrap();
        let second = made(&mut a);
        let checked = check(b.document(), vec![second]).unwrap();
        assert_eq!((checked.order.len(), checked.dangling), (1, 0));
        // b deletes a character; c, concurrently, inserts after it.
        b.splice_text(&text, 1, 1, "").unwrap();
        b.commit();
        c.splice_text(&text, 2, 0, "X").unwrap();
        let after_deleted = made(&mut c);
        let checked = check(b.document(), vec![after_deleted]).unwrap();
        assert_eq!((checked.order.len(), checked.dangling), (1, 0));
        b.apply_changes(checked.order).unwrap();
        assert_eq!(b.text(&text).unwrap(), "hXllo");
    }

    /// The id of the operation whose value is at `list[index]`, as (counter, actor).
    fn value_id(doc: &AutoCommit, list: &automerge::ObjId, index: usize) -> (u64, ActorId) {
        let (_, id) = doc.get(list, index).unwrap().expect("a value");
        match id {
            automerge::ObjId::Id(c, a, _) => (c, a),
            automerge::ObjId::Root => unreachable!("a list element is never the root"),
        }
    }

    /// A list position names an element by the operation that inserted it. A value put over
    /// an element later reads back, in Automerge's current state, with that element's cursor
    /// as long as it wins there: naming it as a position must be refused alike where it wins
    /// and where a concurrent value does, or one member's change splits honest nodes.
    #[test]
    fn a_list_position_naming_a_value_put_over_an_element_is_refused_wherever_it_wins() {
        let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 16]));
        let list = a
            .put_object(automerge::ROOT, "tags", ObjType::List)
            .unwrap();
        a.insert(&list, 0, "housing").unwrap();
        let base = made(&mut a);
        // Concurrently: a overwrites the element; another actor (higher id, so it wins
        // wherever both are held) overwrites it too.
        let mut other = AutoCommit::new().with_actor(ActorId::from([0xffu8; 16]));
        other.apply_changes([base.clone()]).unwrap();
        a.put(&list, 0, "transit").unwrap();
        let put = made(&mut a);
        let overwriting = value_id(&a, &list, 0);
        other.put(&list, 0, "schools").unwrap();
        let rival = made(&mut other);
        // An honest insertion after the element, then the same naming a's put as the
        // position.
        a.insert(&list, 1, "wages").unwrap();
        let honest = made(&mut a);
        let mut forged = honest.decode();
        forged.operations[0].key =
            Key::Seq(ElementId::Id(OpId(overwriting.0, overwriting.1.clone())));
        let forged = Change::from(forged);
        // Where a's put wins (the rival not held) and where the rival wins.
        let mut wins = AutoCommit::new();
        wins.apply_changes([base.clone(), put.clone()]).unwrap();
        assert_eq!(value_id(&wins, &list, 0), overwriting);
        let mut loses = AutoCommit::new();
        loses.apply_changes([base, put, rival]).unwrap();
        assert_ne!(value_id(&loses, &list, 0), overwriting);
        for doc in [&mut wins, &mut loses] {
            refused_as(doc.document(), forged.clone(), "no element of its list");
            let checked = check(doc.document(), vec![honest.clone()]).unwrap();
            assert_eq!((checked.order.len(), checked.dangling), (1, 0));
        }
    }

    /// Nothing but insertions and deletions is written in a text (what splicing writes): a
    /// value put over a character is refused, so a character's cursor is always its own.
    #[test]
    fn a_value_put_over_a_character_of_a_text_is_refused() {
        let mut a = AutoCommit::new();
        let text = a
            .put_object(automerge::ROOT, "about", ObjType::Text)
            .unwrap();
        a.splice_text(&text, 0, 0, "hello").unwrap();
        let base = made(&mut a);
        let mut b = AutoCommit::new();
        b.apply_changes([base]).unwrap();
        a.splice_text(&text, 1, 1, "a").unwrap();
        let honest = made(&mut a);
        let checked = check(b.document(), vec![honest.clone()]).unwrap();
        assert_eq!(checked.order.len(), 1);
        // The deletion of "e" turned into a put over it, with "e" as the overwritten value.
        let mut forged = honest.decode();
        let delete = forged
            .operations
            .iter()
            .position(|op| matches!(op.action, OpType::Delete))
            .expect("the splice deletes");
        forged.operations[delete].action = OpType::Put(ScalarValue::Str("X".into()));
        refused_as(b.document(), Change::from(forged), "over a character");
    }

    /// Every position in a list is confirmed from the change that made it, however many
    /// changes a batch refers to: an honest change appending to more lists than are rebuilt
    /// one by one, each list made in a change of its own, passes (rebuilt in one pass: were
    /// that pass to fail, the batch would be refused as too much work); the same naming a
    /// value put over an element as a position is still refused.
    #[test]
    fn appending_to_lists_made_in_thousands_of_changes_passes_and_a_forgery_among_them_does_not() {
        let mut a = AutoCommit::new();
        let mut lists = Vec::new();
        for i in 0..ONE_BY_ONE + 100 {
            let list = a
                .put_object(automerge::ROOT, format!("tags{i}"), ObjType::List)
                .unwrap();
            a.insert(&list, 0, "housing").unwrap();
            a.commit();
            lists.push(list);
        }
        a.put(&lists[0], 0, "transit").unwrap();
        a.commit();
        let overwriting = value_id(&a, &lists[0], 0);
        let mut b = a.fork();
        for list in &lists {
            a.insert(list, 1, "wages").unwrap();
        }
        let appended = made(&mut a);
        let checked = check(b.document(), vec![appended.clone()]).unwrap();
        assert_eq!((checked.order.len(), checked.dangling), (1, 0));
        // The same, its first insertion placed after the value put over list 0's element.
        let mut forged = appended.decode();
        let first = forged
            .operations
            .iter()
            .position(|op| op.insert)
            .expect("insertions");
        forged.operations[first].key =
            Key::Seq(ElementId::Id(OpId(overwriting.0, overwriting.1.clone())));
        refused_as(b.document(), Change::from(forged), "no element of its list");
        b.apply_changes(checked.order).unwrap();
        assert_eq!(b.length(&lists[ONE_BY_ONE + 99]), 2);
    }
}
