//! [`ChangeOps`]: a change's operations in a compact form, for checking whole catch-ups.
//!
//! Automerge's expanded form (`Change::decode`) gives every operation owned actor ids (a
//! node key is 32 bytes: one allocation per reference), an owned key and an owned value: about
//! 280 bytes per operation, 1.3 GB for a catch-up of 4.5 million operations, all alive at once
//! because a reference may point anywhere in the batch. Here each operation is 44 bytes:
//! references name an actor by its index in the change's own table (0: the change's author),
//! map keys are ranges of one string per change, values (about 32 bytes each, besides a long
//! string's or bytes' own) and predecessors (8 bytes each) sit in side tables. Each change is
//! compacted on its own: from the columns (`sync`'s reader, no expanded form at all), or from
//! Automerge's expanded form of that change alone ([`ChangeOps::decode`]), dropped at once.
//!
//! Reading is through [`OpView`], which resolves indices back to actor ids ([`ObjRef`],
//! [`KeyRef`]) for comparisons across changes. Counters are kept as `u32`, as Automerge keeps
//! them; a change whose counters pass that does not compact (`sync::verify` refuses such a
//! change from a peer before it is decoded).

use automerge::legacy::{ElementId, Key as LegacyKey, ObjectId, OpId, OpType};
use automerge::{ActorId, Change, ExpandedChange, ObjType, ScalarValue};

/// What the checks read of a change besides its operations: a change as Automerge holds it
/// ([`Change`]), or the same facts read from a loaded document's change graph ([`Stated`])
/// for a change that was never rebuilt (a snapshot's: its operations are read from the
/// snapshot's columns instead). The methods answer as `Change`'s own do.
pub trait ChangeFacts {
    /// The change's hash.
    fn hash(&self) -> automerge::ChangeHash;
    /// Its author.
    fn actor_id(&self) -> &ActorId;
    /// Its author's sequence number.
    fn seq(&self) -> u64;
    /// The counter of its first operation.
    fn start_op(&self) -> std::num::NonZeroU64;
    /// How many operations it holds.
    fn len(&self) -> usize;
    /// Whether it holds none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The changes it depends on.
    fn deps(&self) -> &[automerge::ChangeHash];
    /// When it was made, as its author states.
    fn timestamp(&self) -> i64;
    /// The other actors its operations refer to, as its actor table lists them.
    fn other_actor_ids(&self) -> &[ActorId];
}

impl ChangeFacts for Change {
    fn hash(&self) -> automerge::ChangeHash {
        Change::hash(self)
    }
    fn actor_id(&self) -> &ActorId {
        Change::actor_id(self)
    }
    fn seq(&self) -> u64 {
        Change::seq(self)
    }
    fn start_op(&self) -> std::num::NonZeroU64 {
        Change::start_op(self)
    }
    fn len(&self) -> usize {
        Change::len(self)
    }
    fn deps(&self) -> &[automerge::ChangeHash] {
        Change::deps(self)
    }
    fn timestamp(&self) -> i64 {
        Change::timestamp(self)
    }
    fn other_actor_ids(&self) -> &[ActorId] {
        Change::other_actor_ids(self)
    }
}

/// A change's facts read from a loaded document's change graph (`get_changes_meta`), with the
/// other actors of its operations as read with them: see [`ChangeFacts`].
#[derive(Debug, Clone)]
pub struct Stated {
    hash: automerge::ChangeHash,
    actor: ActorId,
    seq: u64,
    start_op: std::num::NonZeroU64,
    len: usize,
    deps: Vec<automerge::ChangeHash>,
    timestamp: i64,
    others: Vec<ActorId>,
}

impl Stated {
    /// The facts of the change `meta` describes, whose operations are `ops` (read for it:
    /// they give the other actors); `None` if the two do not fit (another author or start,
    /// or a count that `meta`'s range does not hold).
    pub fn new(meta: &automerge::ChangeMetadata<'_>, ops: &ChangeOps) -> Option<Self> {
        let start_op = std::num::NonZeroU64::new(meta.start_op)?;
        let len = usize::try_from(meta.max_op.checked_add(1)?.checked_sub(meta.start_op)?).ok()?;
        if ops.start() != meta.start_op || ops.author() != meta.actor.as_ref() || ops.len() != len {
            return None;
        }
        Some(Stated {
            hash: meta.hash,
            actor: meta.actor.clone().into_owned(),
            seq: meta.seq,
            start_op,
            len,
            deps: meta.deps.clone(),
            timestamp: meta.timestamp,
            others: ops.actors.get(1..).unwrap_or_default().to_vec(),
        })
    }
}

impl ChangeFacts for Stated {
    fn hash(&self) -> automerge::ChangeHash {
        self.hash
    }
    fn actor_id(&self) -> &ActorId {
        &self.actor
    }
    fn seq(&self) -> u64 {
        self.seq
    }
    fn start_op(&self) -> std::num::NonZeroU64 {
        self.start_op
    }
    fn len(&self) -> usize {
        self.len
    }
    fn deps(&self) -> &[automerge::ChangeHash] {
        &self.deps
    }
    fn timestamp(&self) -> i64 {
        self.timestamp
    }
    fn other_actor_ids(&self) -> &[ActorId] {
        &self.others
    }
}

/// An operation id within a change's operations: its counter and the index of its actor in
/// the change's table (0: the change's author).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Ref {
    /// The operation's counter.
    pub ctr: u32,
    /// The index of its actor in the change's table.
    pub actor: u32,
}

/// The object an operation writes in, compact: comparable within one change.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Obj {
    /// The document's root map.
    Root,
    /// The object made by that operation.
    Id(Ref),
}

/// Where in its object an operation writes, compact.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    /// A map key: a range of the change's key text.
    Map { at: u32, len: u32 },
    /// The head of a list.
    Head,
    /// After (or at) the list element made by that operation.
    Elem(Ref),
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Act {
    Make(ObjType),
    Delete,
    /// A value: its index in the change's values.
    Put(u32),
    /// Anything else (increments, marks, tables): which, as [`OTHER`] names it.
    Other(u8),
}

#[derive(Clone, Copy, PartialEq, Debug)]
struct Op {
    obj: Obj,
    key: Key,
    act: Act,
    /// The operation's predecessors: `preds[pred..pred + npred]`.
    pred: u32,
    npred: u32,
    insert: bool,
}

/// One change's operations, compact (see the module documentation).
/// (No `PartialEq`: [`ChangeOps::same_operations`] compares; the layout differs by source.)
#[derive(Debug, Clone)]
pub struct ChangeOps {
    start: u64,
    /// The change's author first, then every other actor its operations refer to.
    actors: Vec<ActorId>,
    ops: Vec<Op>,
    preds: Vec<Ref>,
    keys: String,
    /// The last map key written into `keys`, with where its text came from (address and
    /// length): a key given again from the same place (one run of a column, read once; the
    /// shared text of Automerge's expanded form) is kept once and not compared, so neither
    /// the text nor the work outgrows the change's own bytes.
    last_key: Option<(usize, usize, u32, u32)>,
    values: Vec<ScalarValue>,
}

/// Where an operation writes, for [`ChangeOps::push`].
#[derive(Clone, Copy, Debug)]
pub enum NewKey<'a> {
    /// A map key.
    Map(&'a str),
    /// The head of a list.
    Head,
    /// The list element made by that operation.
    Elem(Ref),
}

/// What an operation does, for [`ChangeOps::push`].
#[derive(Clone, Debug)]
pub enum NewAction {
    /// Makes an object.
    Make(ObjType),
    /// Deletes what it overwrites.
    Delete,
    /// Writes a value.
    Put(ScalarValue),
}

/// The object an operation writes in, resolved: comparable across changes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjRef<'a> {
    /// The root map.
    Root,
    /// The object made by operation (counter, actor).
    Id(u64, &'a ActorId),
}

/// Where an operation writes in its object, resolved: comparable across changes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyRef<'a> {
    /// A map key.
    Map(&'a str),
    /// The head of a list.
    Head,
    /// The list element made by operation (counter, actor).
    Elem(u64, &'a ActorId),
}

/// What an operation does.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Action<'a> {
    /// Makes an object.
    Make(ObjType),
    /// Deletes what it overwrites.
    Delete,
    /// Writes a value.
    Put(&'a ScalarValue),
    /// Something a coalition document never holds (an increment, a mark), described.
    Other(&'a str),
}

/// One operation of a [`ChangeOps`].
#[derive(Clone, Copy)]
pub struct OpView<'a> {
    ops: &'a ChangeOps,
    op: &'a Op,
    index: usize,
}

impl std::fmt::Debug for OpView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpView")
            .field("id", &self.id())
            .field("obj", &self.obj())
            .field("key", &self.key())
            .field("action", &self.action())
            .field("insert", &self.insert())
            .field("preds", &self.preds().collect::<Vec<_>>())
            .finish()
    }
}

impl ObjRef<'_> {
    /// Whether this is the legacy object id `o`.
    pub fn is(&self, o: &ObjectId) -> bool {
        match (self, o) {
            (ObjRef::Root, ObjectId::Root) => true,
            (ObjRef::Id(c, a), ObjectId::Id(OpId(oc, oa))) => c == oc && *a == oa,
            _ => false,
        }
    }

    /// The legacy object id.
    pub fn to_legacy(&self) -> ObjectId {
        match self {
            ObjRef::Root => ObjectId::Root,
            ObjRef::Id(c, a) => ObjectId::Id(OpId(*c, (*a).clone())),
        }
    }
}

impl KeyRef<'_> {
    /// Whether this is the legacy key `k`.
    pub fn is(&self, k: &LegacyKey) -> bool {
        match (self, k) {
            (KeyRef::Map(a), LegacyKey::Map(b)) => *a == b.as_str(),
            (KeyRef::Head, LegacyKey::Seq(ElementId::Head)) => true,
            (KeyRef::Elem(c, a), LegacyKey::Seq(ElementId::Id(OpId(ec, ea)))) => {
                c == ec && *a == ea
            }
            _ => false,
        }
    }
}

/// What operations a coalition document never holds are called in refusals (by
/// [`Act::Other`]): the kind alone, never a text the change carries.
const OTHER: [&str; 4] = ["Increment", "MarkBegin", "MarkEnd", "Make(Table)"];

/// The table of a change's actors being built, and where each is in it.
struct Actors {
    list: Vec<ActorId>,
    /// Past a few actors, each one's first index (a scan of a long list per reference would
    /// cost a hostile change's actors times its references).
    index: std::collections::HashMap<ActorId, u32>,
}

/// Up to how many actors a reference is found by a scan.
const SCANNED: usize = 8;

impl Actors {
    fn new(author: ActorId, others: &[ActorId]) -> Option<Self> {
        let mut out = Actors {
            list: Vec::with_capacity(others.len() + 1),
            index: std::collections::HashMap::new(),
        };
        out.add(author)?;
        for a in others {
            out.add(a.clone())?;
        }
        Some(out)
    }

    /// Adds `a` at the end of the list; its index is its first place.
    fn add(&mut self, a: ActorId) -> Option<u32> {
        let i = small(self.list.len())?;
        if self.list.len() >= SCANNED || !self.index.is_empty() {
            if self.index.is_empty() {
                for (j, b) in self.list.iter().enumerate() {
                    self.index.entry(b.clone()).or_insert(small(j)?);
                }
            }
            self.index.entry(a.clone()).or_insert(i);
        }
        self.list.push(a);
        Some(i)
    }

    /// The first index of `a`, added if new.
    fn find(&mut self, a: &ActorId) -> Option<u32> {
        let found = if self.index.is_empty() {
            self.list.iter().position(|b| b == a).and_then(small)
        } else {
            self.index.get(a).copied()
        };
        match found {
            Some(i) => Some(i),
            None => self.add(a.clone()),
        }
    }

    fn refer(&mut self, id: &OpId) -> Option<Ref> {
        Some(Ref {
            ctr: u32::try_from(id.0).ok()?,
            actor: self.find(&id.1)?,
        })
    }
}

/// A compact count, or `None` past `u32`.
fn small(n: usize) -> Option<u32> {
    u32::try_from(n).ok()
}

impl ChangeOps {
    /// The change's operations, or `None` where they do not decode (Automerge panics on some
    /// malformed operations: caught) or a counter passes `u32`. An actor is named by its first
    /// place in the change's list (its author first), as Automerge resolves it.
    ///
    /// `None` too for a change Automerge would not write as it is: one that does not encode
    /// again, from what it decodes to, into the same change (the same hash). Automerge keeps
    /// no received bytes but rebuilds every change from its operations when it lists, saves
    /// or forks a document, so such a change (a deletion carrying a value, predecessors out of
    /// order...) would come back under another hash than the one the history names, and the
    /// document would no longer list its changes.
    pub fn decode(change: &Change) -> Option<Self> {
        let expanded = Self::expanded(change)?;
        let ops = Self::compact(&expanded, change.other_actor_ids())?;
        let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Change::from(expanded).hash()
        }))
        .ok()?;
        (again == change.hash()).then_some(ops)
    }

    /// Automerge's decoding of `change`, or `None` where it panics (caught).
    fn expanded(change: &Change) -> Option<ExpandedChange> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())).ok()
    }

    /// [`ChangeOps::decode`] without asking whether the change encodes again into itself:
    /// its operations as Automerge decodes them, for comparing another reading with
    /// Automerge's (`sync`'s fuzz targets).
    #[doc(hidden)]
    pub fn decode_as_automerge_does(change: &Change) -> Option<Self> {
        Self::compact(&Self::expanded(change)?, change.other_actor_ids())
    }

    fn compact(expanded: &ExpandedChange, others: &[ActorId]) -> Option<Self> {
        let mut actors = Actors::new(expanded.actor_id.clone(), others)?;
        let mut out = ChangeOps {
            start: expanded.start_op.get(),
            actors: Vec::new(),
            ops: Vec::with_capacity(expanded.operations.len()),
            preds: Vec::new(),
            keys: String::new(),
            last_key: None,
            values: Vec::new(),
        };
        for op in &expanded.operations {
            let obj = match &op.obj {
                ObjectId::Root => Obj::Root,
                ObjectId::Id(id) => Obj::Id(actors.refer(id)?),
            };
            let key = match &op.key {
                LegacyKey::Map(k) => out.map_key(k.as_str())?,
                LegacyKey::Seq(ElementId::Head) => Key::Head,
                LegacyKey::Seq(ElementId::Id(id)) => Key::Elem(actors.refer(id)?),
            };
            let act = match &op.action {
                OpType::Make(ObjType::Table) => Act::Other(3),
                OpType::Make(t) => Act::Make(*t),
                OpType::Delete => Act::Delete,
                OpType::Put(v) => {
                    out.values.push(v.clone());
                    Act::Put(small(out.values.len() - 1)?)
                }
                OpType::Increment(_) => Act::Other(0),
                OpType::MarkBegin(..) => Act::Other(1),
                OpType::MarkEnd(_) => Act::Other(2),
            };
            let pred = small(out.preds.len())?;
            for p in op.pred.iter() {
                let r = actors.refer(p)?;
                out.preds.push(r);
            }
            out.ops.push(Op {
                obj,
                key,
                act,
                pred,
                npred: small(op.pred.len())?,
                insert: op.insert,
            });
        }
        out.actors = actors.list;
        Some(out)
    }

    /// A map key's place in the key text: the last one's again if given from the same place.
    fn map_key(&mut self, k: &str) -> Option<Key> {
        let from = (k.as_ptr() as usize, k.len());
        if let Some((p, l, at, len)) = self.last_key
            && (p, l) == from
        {
            return Some(Key::Map { at, len });
        }
        let (at, len) = (small(self.keys.len())?, small(k.len())?);
        small(self.keys.len().checked_add(k.len())?)?;
        self.keys.push_str(k);
        self.last_key = Some((from.0, from.1, at, len));
        Some(Key::Map { at, len })
    }

    /// An empty set of operations for a change whose first operation is `start`, its actor
    /// table given: the change's author first, then the other actors in the order the
    /// change's columns index them (a [`Ref`]'s `actor`). Filled by [`ChangeOps::push`].
    pub fn with_actors(start: u64, actors: Vec<ActorId>, capacity: usize) -> Option<Self> {
        if actors.is_empty() || small(actors.len()).is_none() {
            return None;
        }
        Some(ChangeOps {
            start,
            actors,
            ops: Vec::with_capacity(capacity),
            preds: Vec::new(),
            keys: String::new(),
            last_key: None,
            values: Vec::new(),
        })
    }

    /// Adds the next operation; `None` (and nothing added) if a reference names an actor
    /// outside the table or a count passes `u32`. Only maps, lists, texts, values and
    /// deletions are pushed this way. The predecessors are kept in Automerge's order (by
    /// counter, then actor), whatever order they come in.
    pub fn push(
        &mut self,
        obj: Obj,
        key: NewKey<'_>,
        action: NewAction,
        insert: bool,
        preds: &[Ref],
    ) -> Option<()> {
        let known = |r: &Ref| (r.actor as usize) < self.actors.len();
        if let Obj::Id(r) = &obj
            && !known(r)
        {
            return None;
        }
        if let NewKey::Elem(r) = &key
            && !known(r)
        {
            return None;
        }
        if !preds.iter().all(known) {
            return None;
        }
        let pred = small(self.preds.len())?;
        let npred = small(preds.len())?;
        let value = small(self.values.len())?;
        let key = match key {
            NewKey::Map(k) => self.map_key(k)?,
            NewKey::Head => Key::Head,
            NewKey::Elem(r) => Key::Elem(r),
        };
        let act = match action {
            NewAction::Make(t) => Act::Make(t),
            NewAction::Delete => Act::Delete,
            NewAction::Put(_) => Act::Put(value),
        };
        if let NewAction::Put(v) = action {
            self.values.push(v);
        }
        self.preds.extend_from_slice(preds);
        // In Automerge's order, as its expanded form gives them: by counter, then actor.
        let actors = &self.actors;
        self.preds[pred as usize..].sort_by(|a, b| {
            (a.ctr, &actors[a.actor as usize]).cmp(&(b.ctr, &actors[b.actor as usize]))
        });
        self.ops.push(Op {
            obj,
            key,
            act,
            pred,
            npred,
            insert,
        });
        Some(())
    }

    /// Whether `other` holds the same operations (each resolved: the actor tables may list
    /// actors in other orders). Floats compare by their bits.
    pub fn same_operations(&self, other: &ChangeOps) -> bool {
        let action = |a: Action<'_>, b: Action<'_>| match (a, b) {
            (Action::Put(ScalarValue::F64(x)), Action::Put(ScalarValue::F64(y))) => {
                x.to_bits() == y.to_bits()
            }
            (a, b) => a == b,
        };
        self.start == other.start
            && self.author() == other.author()
            && self.len() == other.len()
            && self.iter().zip(other.iter()).all(|(a, b)| {
                a.obj() == b.obj()
                    && a.obj_by_author() == b.obj_by_author()
                    && a.in_list() == b.in_list()
                    && a.key() == b.key()
                    && action(a.action(), b.action())
                    && a.insert() == b.insert()
                    && a.preds().eq(b.preds())
            })
    }

    /// The counter of the change's first operation.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The change's author.
    pub fn author(&self) -> &ActorId {
        // The table is made with the author first and never emptied.
        &self.actors[0]
    }

    /// How many operations the change holds.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the change holds no operation.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Operation `i` of the change (its id is `start() + i`).
    pub fn get(&self, i: usize) -> Option<OpView<'_>> {
        self.ops.get(i).map(|op| OpView {
            ops: self,
            op,
            index: i,
        })
    }

    /// The change's operations, in order.
    pub fn iter(&self) -> impl Iterator<Item = OpView<'_>> {
        self.ops.iter().enumerate().map(|(index, op)| OpView {
            ops: self,
            op,
            index,
        })
    }

    /// The actor at index `i` of the change's table.
    fn actor(&self, i: u32) -> &ActorId {
        // Every index was made by `refer`, into this table.
        &self.actors[i as usize]
    }

    fn resolve(&self, r: Ref) -> (u64, &ActorId) {
        (u64::from(r.ctr), self.actor(r.actor))
    }
}

impl<'a> OpView<'a> {
    /// The operation's id: its counter and actor (the change's author).
    pub fn id(&self) -> u64 {
        self.ops.start + self.index as u64
    }

    /// The object it writes in, compact (comparable within its change).
    pub fn obj_ref(&self) -> Obj {
        self.op.obj
    }

    /// The object it writes in.
    pub fn obj(&self) -> ObjRef<'a> {
        match self.op.obj {
            Obj::Root => ObjRef::Root,
            Obj::Id(r) => {
                let (c, a) = self.ops.resolve(r);
                ObjRef::Id(c, a)
            }
        }
    }

    /// The counter of the object it writes in, if the change's author made it (by this
    /// change or an earlier one).
    pub fn obj_by_author(&self) -> Option<u64> {
        match self.op.obj {
            Obj::Id(r) if r.actor == 0 => Some(u64::from(r.ctr)),
            _ => None,
        }
    }

    /// Where it writes in its object.
    pub fn key(&self) -> KeyRef<'a> {
        match self.op.key {
            Key::Map { at, len } => {
                let (at, len) = (at as usize, len as usize);
                // Ranges were cut from this text, at character boundaries, by `map_key`.
                KeyRef::Map(self.ops.keys.get(at..at + len).unwrap_or_default())
            }
            Key::Head => KeyRef::Head,
            Key::Elem(r) => {
                let (c, a) = self.ops.resolve(r);
                KeyRef::Elem(c, a)
            }
        }
    }

    /// Whether it writes at a list position (not a map key).
    pub fn in_list(&self) -> bool {
        !matches!(self.op.key, Key::Map { .. })
    }

    /// What it does.
    pub fn action(&self) -> Action<'a> {
        match self.op.act {
            Act::Make(t) => Action::Make(t),
            Act::Delete => Action::Delete,
            Act::Put(i) => self
                .ops
                .values
                .get(i as usize)
                .map_or(Action::Other("a missing value"), Action::Put),
            Act::Other(i) => Action::Other(OTHER.get(usize::from(i)).copied().unwrap_or("?")),
        }
    }

    /// Whether it inserts a list element.
    pub fn insert(&self) -> bool {
        self.op.insert
    }

    /// The values it overwrites: (counter, actor) of each.
    pub fn preds(&self) -> impl Iterator<Item = (u64, &'a ActorId)> + 'a {
        let ops = self.ops;
        let from = self.op.pred as usize;
        ops.preds
            .get(from..from + self.op.npred as usize)
            .unwrap_or_default()
            .iter()
            .map(move |r| ops.resolve(*r))
    }

    /// Whether it overwrites nothing.
    pub fn no_preds(&self) -> bool {
        self.op.npred == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation reads back as Automerge's expanded form says.
    fn same(change: &Change) {
        let expanded = change.decode();
        let ops = ChangeOps::decode(change).unwrap();
        assert_eq!(ops.len(), expanded.operations.len());
        assert_eq!(ops.start(), expanded.start_op.get());
        assert_eq!(ops.author(), &expanded.actor_id);
        for (view, op) in ops.iter().zip(&expanded.operations) {
            assert!(view.obj().is(&op.obj));
            assert_eq!(view.obj().to_legacy(), op.obj);
            assert!(view.key().is(&op.key), "{:?} {:?}", view.key(), op.key);
            assert_eq!(view.insert(), op.insert);
            assert_eq!(view.in_list(), matches!(op.key, LegacyKey::Seq(_)));
            let preds: Vec<OpId> = view.preds().map(|(c, a)| OpId(c, a.clone())).collect();
            assert_eq!(preds, op.pred.iter().cloned().collect::<Vec<_>>());
            assert_eq!(view.no_preds(), op.pred.is_empty());
            match (view.action(), &op.action) {
                (Action::Make(a), OpType::Make(b)) => assert_eq!(a, *b),
                (Action::Delete, OpType::Delete) => {}
                (Action::Put(a), OpType::Put(b)) => assert_eq!(a, b),
                (Action::Other(a), other) => assert!(format!("{other:?}").starts_with(a)),
                (a, b) => panic!("{a:?} read where {b:?} was written"),
            }
            assert_eq!(
                view.obj_by_author(),
                match &op.obj {
                    ObjectId::Id(OpId(c, a)) if *a == expanded.actor_id => Some(*c),
                    _ => None,
                }
            );
        }
    }

    #[test]
    fn a_key_written_again_and_again_is_kept_once() {
        use automerge::transaction::Transactable;
        let long = "k".repeat(10_000);
        let mut a = automerge::AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
        for i in 0..1_000i64 {
            a.put(automerge::ROOT, long.as_str(), i).unwrap();
        }
        a.commit();
        let change = a.get_last_local_change().unwrap().clone();
        let ops = ChangeOps::decode(&change).unwrap();
        assert_eq!(ops.len(), 1_000);
        assert_eq!(ops.keys.len(), long.len());
        same(&change);
        // And through `push`.
        let mut pushed = ChangeOps::with_actors(1, vec![ActorId::from([1u8; 32])], 0).unwrap();
        for _ in 0..1_000 {
            pushed
                .push(Obj::Root, NewKey::Map(&long), NewAction::Delete, false, &[])
                .unwrap();
        }
        assert_eq!(pushed.keys.len(), long.len());
    }

    #[test]
    fn actors_are_found_at_their_first_place_however_many() {
        let author = ActorId::from([0u8; 32]);
        let others: Vec<ActorId> = (1..=20u8).map(|i| ActorId::from([i; 32])).collect();
        let mut listed = others.clone();
        listed.push(author.clone());
        listed.push(others[3].clone());
        let mut actors = Actors::new(author.clone(), &listed).unwrap();
        assert_eq!(actors.find(&author), Some(0));
        for (i, a) in others.iter().enumerate() {
            assert_eq!(actors.find(a), Some(i as u32 + 1));
        }
        let new = ActorId::from([99u8; 32]);
        assert_eq!(actors.find(&new), Some(listed.len() as u32 + 1));
        assert_eq!(actors.find(&new), Some(listed.len() as u32 + 1));
        // A short list is scanned, the same way.
        let mut few = Actors::new(author.clone(), &[author.clone(), others[0].clone()]).unwrap();
        assert_eq!(few.find(&author), Some(0));
        assert_eq!(few.find(&others[0]), Some(2));
    }

    #[test]
    fn a_coalition_history_reads_back_as_automerge_decodes_it() {
        use crate::*;
        let (founder, mut doc) = crate::testing::founded();
        let issue = IssueId::from_bytes([4; 16]);
        doc.add_issue(
            &founder,
            NewIssue {
                id: issue.clone(),
                title: "Bus fare equity".into(),
                description: "Fares rose twice this year; riders in the east pay most.".into(),
                tags: vec!["race".into(), "transit".into()],
                lead: None,
            },
            Timestamp::from_millis(1),
        )
        .unwrap();
        doc.share_issue(
            &founder,
            &issue,
            Rank::new(1).unwrap(),
            Timestamp::from_millis(2),
        )
        .unwrap();
        for change in doc.automerge_mut().get_changes(&[]) {
            same(&change);
        }
    }

    #[test]
    fn operations_of_other_actors_and_every_kind_read_back() {
        use automerge::marks::{ExpandMark, Mark};
        use automerge::transaction::Transactable;
        // Nested objects, a counter and its increments, a mark: what no coalition holds
        // compacts too (described by its kind), and references to another actor resolve.
        let mut a = automerge::AutoCommit::new().with_actor(ActorId::from([5u8; 32]));
        let rows = a
            .put_object(automerge::ROOT, "rows", ObjType::List)
            .unwrap();
        let row = a.insert_object(&rows, 0, ObjType::Map).unwrap();
        a.put(&row, "name", "Eastside").unwrap();
        let notes = a.put_object(&row, "notes", ObjType::Text).unwrap();
        a.splice_text(&notes, 0, 0, "ñandú").unwrap();
        a.put(automerge::ROOT, "votes", ScalarValue::counter(0))
            .unwrap();
        a.commit();
        let mut b = a.fork().with_actor(ActorId::from([6u8; 32]));
        b.increment(automerge::ROOT, "votes", 2).unwrap();
        b.put(&row, "name", "Westside").unwrap();
        b.delete(&row, "notes").unwrap();
        b.mark(
            &notes,
            Mark::new("bold".into(), true, 0, 2),
            ExpandMark::After,
        )
        .unwrap();
        let sub = b.insert_object(&rows, 1, ObjType::List).unwrap();
        b.insert(&sub, 0, ScalarValue::Uint(7)).unwrap();
        b.commit();
        for change in b.get_changes(&[]) {
            same(&change);
        }
    }
}
