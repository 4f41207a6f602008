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
//!   operation of its dependencies (so operation ids never collide). Two changes of one actor
//!   whose operations' counters overlap are refused before any change is judged (they could
//!   only be refused once the batch is whole).
//! - **Operations.** Only what a coalition document holds: maps, lists and texts, plain
//!   values, deletions — no counters, increments or marks. Each operation's object is the
//!   root, an object an earlier operation made, or one in the document or batch, of the
//!   kind its key needs (a map key on a map, a list position on a list or text); a list
//!   position is an element of that very object; an insertion is the only operation at the
//!   head of a list; every overwritten value (predecessor) is older than the operation,
//!   exists, and a deletion has one; an insertion overwrites nothing (Automerge would apply
//!   its predecessors, then panic listing the document's changes).
//! - **History.** Whatever an operation refers to (object, list position, predecessor),
//!   other than an earlier operation of its own change, is an operation of the change's
//!   history: its dependencies and what they depend on (`past`: a clock per change, from its
//!   dependencies'), as for every change made from a document. A change is judged once its
//!   dependencies are all here, so its whole history is here: a reference to anything else,
//!   whether the node holds it (a concurrent change, which Automerge would apply it over) or
//!   not, is refused.
//! - **Keys.** No map key longer than any place of a coalition's layout has ([`MAX_KEY`]), so
//!   comparing keys costs little whatever a change repeats.
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
//!
//! The work is bounded by the document whatever a batch refers to, and no honest catch-up is
//! refused for the number of changes it refers to: changes are ordered causally in time linear in
//! the batch (Kahn's algorithm, `order`); the changes a batch refers into are rebuilt from the
//! document one by one up to `ONE_BY_ONE`, else all in one pass over the document's operations
//! (`written`), keeping only the operations referred to (matched by actor and counter); should that
//! one pass fail, the batch is refused as too much work (automerge is pinned to the version this
//! was checked against); the histories cost a clock entry per actor of the batch for each change
//! whose clock is held (handed over, not copied, along a line of changes) and, per document
//! change depended on, a read of the document's changes outside its history (`past`: both
//! bounded, past them the batch is refused as too much work). A reference's object and place
//! must be its writing operation's exactly. A reference into the batch is answered from the operation it names, found by its
//! actor's counter ranges (a binary search; nothing kept per operation), and the decoded
//! operations (compact: `model::ops::ChangeOps`, read by `change_ops`) are handed on to the rules.
//!
//! Nothing received is rebuilt after applying (Automerge's rebuild asserts on misplaced references:
//! the fuzzer found one), and the cursor lookups, which assert that an element is in the object
//! named, run under `catch_unwind` (a read: a panic there means "elsewhere"). Taking a list
//! position from the current state would let a change naming a value put over an element as a
//! position be taken by some honest nodes and refused by others (found by review, tested in
//! `tests`). Since the text rule, a history holding a value put over a character (only a modified
//! node writes one) is refused by nodes of this version, so a coalition holding one cannot be
//! joined or caught up on from it.
//!
//! A snapshot's changes, rebuilt by Automerge from the document, pass the same checks:
//! `snapshot::check` does not relate an operation to the object it writes in, and the rules walk
//! those relations.

mod order;
mod past;
#[cfg(test)]
mod tests;
mod written;

pub(crate) use order::causal_order;
use past::{Clock, Past};
use written::*;

use std::hash::BuildHasher;

/// The hasher of a batch's maps (per change and per actor here; the deletions of a snapshot,
/// which may be millions, in `snapshot`): foldhash, several times faster than SipHash, keyed by 64 bits of the operating
/// system's randomness drawn once per process (through the standard library's `RandomState`,
/// whose keys come from there), and a seed of its own for each map. A peer chooses the keys,
/// so it must not know where they fall; the maps live for one batch.
#[derive(Clone, Debug)]
pub(crate) struct Seeded(foldhash::fast::SeedableRandomState);

impl Default for Seeded {
    fn default() -> Self {
        static SHARED: std::sync::OnceLock<foldhash::SharedSeed> = std::sync::OnceLock::new();
        static MAPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let shared = SHARED.get_or_init(|| {
            let os = std::collections::hash_map::RandomState::new().hash_one(0u64);
            foldhash::SharedSeed::from_u64(os)
        });
        let map = MAPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(foldhash::fast::SeedableRandomState::with_seed(map, shared))
    }
}

impl BuildHasher for Seeded {
    type Hasher = foldhash::fast::FoldHasher<'static>;

    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, Seeded>;
type HashSet<T> = std::collections::HashSet<T, Seeded>;

use automerge::{ActorId, Automerge, Change, ChangeHash, ObjType, ReadDoc, ScalarValue};
use model::ops::{Action, ChangeFacts, ChangeOps, KeyRef, ObjRef, OpView, Stated};

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
    pub decoded: Vec<ChangeOps>,
}

/// An operation id within the batch: (counter, actor).
type Id = (u64, ActorId);

/// Where the batch's operations are, to answer references into the batch from the operations
/// themselves (no map entry per operation: a catch-up may hold millions).
struct BatchOps<'a> {
    /// Per actor, the counter ranges of its changes in the batch: (first, last, index of the
    /// change in the batch's order), sorted by first counter, none overlapping (refused).
    ranges: HashMap<ActorId, Vec<(u64, u64, usize)>>,
    /// The operations of each change, in the batch's order.
    decoded: &'a [ChangeOps],
}

/// An operation id as the compact form resolves it: (counter, actor).
type OpRef<'a> = (u64, &'a ActorId);

impl<'a> BatchOps<'a> {
    /// The change (index in the batch's order) and position in it of the operation `id`, if
    /// the batch holds it.
    fn locate(&self, (counter, actor): OpRef<'_>) -> Option<(usize, usize)> {
        let rs = self.ranges.get(actor)?;
        let after = rs.partition_point(|r| r.0 <= counter);
        let (first, last, ch) = *rs.get(after.checked_sub(1)?)?;
        (counter <= last).then(|| (ch, (counter - first) as usize))
    }

    /// The batch's operation `id`.
    fn op(&self, id: OpRef<'_>) -> Option<OpView<'a>> {
        let (ch, at) = self.locate(id)?;
        self.decoded.get(ch)?.get(at)
    }

    /// The kind of the object the batch's operation `id` made, if it made one.
    fn object(&self, id: OpRef<'_>) -> Option<ObjType> {
        match self.op(id)?.action() {
            Action::Make(t) => Some(t),
            _ => None,
        }
    }
}

/// Whether a value written by operation `id` (`insert`: by inserting the element, else at
/// `written`) is at `key`.
fn at_place(id: OpRef<'_>, insert: bool, written: KeyRef<'_>, key: KeyRef<'_>) -> bool {
    if insert {
        key == KeyRef::Elem(id.0, id.1)
    } else {
        written == key
    }
}

/// Where a reference resolved.
enum Found {
    /// Confirmed.
    Yes,
    /// Not here: outside the change's history (refused).
    Missing,
}

/// Orders `new` (changes not in `doc`, already past the signature checks) and checks every
/// change as described in the module documentation.
pub(crate) fn check(doc: &Automerge, new: Vec<Change>) -> Result<Checked, Refusal> {
    let (order, dangling) = causal_order(doc, new);
    if dangling > 0 {
        // Taken whole or not at all (`node::accept`): nothing is checked of a batch that
        // cannot be taken, so that one whose dependency is missing, sent again and again,
        // costs no reading of the history each time.
        return Ok(Checked {
            order,
            dangling,
            decoded: Vec::new(),
        });
    }
    // Up to the first change that does not decode, refused when the checks reach it.
    let decoded: Vec<ChangeOps> = decode_all(&order).into_iter().map_while(|d| d).collect();
    check_refs(doc, &order, &decoded)?;
    Ok(Checked {
        order,
        dangling,
        decoded,
    })
}

/// A change read with its operations (a snapshot's, see `snapshot::change_ops`).
#[derive(Debug)]
pub(crate) struct Read(pub Stated, pub ChangeOps);

/// A change read with its operations is ordered by its facts.
impl ChangeFacts for Read {
    fn hash(&self) -> ChangeHash {
        self.0.hash()
    }
    fn actor_id(&self) -> &ActorId {
        self.0.actor_id()
    }
    fn seq(&self) -> u64 {
        self.0.seq()
    }
    fn start_op(&self) -> std::num::NonZeroU64 {
        self.0.start_op()
    }
    fn len(&self) -> usize {
        ChangeFacts::len(&self.0)
    }
    fn deps(&self) -> &[ChangeHash] {
        self.0.deps()
    }
    fn timestamp(&self) -> i64 {
        self.0.timestamp()
    }
    fn other_actor_ids(&self) -> &[ActorId] {
        self.0.other_actor_ids()
    }
}

/// The checks of [`check`] on a whole history whose operations were read already (a
/// snapshot's, read from its columns by `snapshot::change_ops`), already in causal order
/// (`causal_order` left none out): for a snapshot received by a node that holds nothing of
/// its coalition, checked while the rules judge it: against an empty document, as that
/// node's was (every reference must be into the history, and each into its own change's).
/// Refused unless every change passes.
pub(crate) fn check_whole<C: ChangeFacts>(
    order: &[C],
    decoded: &[ChangeOps],
) -> Result<(), Refusal> {
    check_refs(&Automerge::new(), order, decoded)
}

/// The refusal of a snapshot whose changes need something it does not hold.
pub(crate) fn snapshot_lacks() -> Refusal {
    Refusal::MalformedSnapshot("a change depends on one the snapshot does not hold".into())
}

/// The checks of [`check`], reading the batch: refused unless every change passes
/// ([`judge`]). `decoded` holds the operations of the first changes of
/// `order`; the first change without them is refused as not decoding, where the checks
/// reach it.
fn check_refs<C: ChangeFacts>(
    doc: &Automerge,
    order: &[C],
    decoded: &[ChangeOps],
) -> Result<(), Refusal> {
    // Every change of the batch first: references may point anywhere in it.
    let mut meta: HashMap<ChangeHash, (ActorId, u64, u64)> =
        HashMap::with_capacity_and_hasher(order.len(), Seeded::default());
    let mut seqs: HashSet<(ActorId, u64)> =
        HashSet::with_capacity_and_hasher(order.len(), Seeded::default());
    let mut ranges: HashMap<ActorId, Vec<(u64, u64, usize)>> = HashMap::default();
    for (i, ch) in order.iter().enumerate() {
        if i >= decoded.len() {
            return Err(bad("its operations do not decode"));
        }
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
        if end > start {
            ranges.entry(actor).or_default().push((start, end - 1, i));
        }
    }
    for (actor, rs) in ranges.iter_mut() {
        rs.sort_unstable();
        // An actor's changes follow each other, each starting past the operations of the one
        // before (`check_history`): counters used twice are refused at once.
        if rs.windows(2).any(|w| w[1].0 <= w[0].1) {
            return Err(bad(format!(
                "two changes of {} use the same operation counters",
                actor.to_hex_string()
            )));
        }
    }
    let batch = BatchOps { ranges, decoded };
    let mut past = Past::new(doc, order, &batch.ranges);
    // A first pass notes the references only the changes that wrote them can confirm (taken
    // as confirmed meanwhile); if there are any, those changes are read and the batch is
    // checked again with what they say. A refusal in the first pass stands either way.
    let mut written = Written::noting();
    judge(doc, order, &meta, &batch, &mut written, Some(&mut past))?;
    if written.wants_any() {
        written.read(doc)?;
        // The histories do not depend on what was written: checked in the first pass alone.
        judge(doc, order, &meta, &batch, &mut written, None)?;
    }
    Ok(())
}

/// A change's operations in Automerge's expanded form, or `None` where they do not decode
/// (Automerge panics on some malformed operations: caught).
pub(crate) fn decode_caught(ch: &Change) -> Option<automerge::ExpandedChange> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ch.decode())).ok()
}

/// Batches of at least this many operations are decoded on several threads.
const DECODE_APART: usize = 50_000;

/// Most threads a batch is decoded on.
const DECODE_THREADS: usize = 4;

/// Every change of `order` in the compact form ([`crate::change_ops::read`]: from its columns,
/// or else decoded by Automerge and compacted at once), in order; `None` for one that does not
/// decode (Automerge panics on some malformed operations: caught). Decoding is most of a large catch-up's own work here and each change decodes alone, so a
/// large batch is split into runs of about equal operations, one per core (at most
/// [`DECODE_THREADS`]).
fn decode_all(order: &[Change]) -> Vec<Option<ChangeOps>> {
    let decode = crate::change_ops::read;
    let ops: usize = order.iter().map(Change::len).sum();
    if ops < DECODE_APART {
        return order.iter().map(decode).collect();
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(DECODE_THREADS);
    if threads < 2 {
        return order.iter().map(decode).collect();
    }
    // Runs of about ops / threads operations each.
    let runs: Vec<&[Change]> = crate::beside::runs(order.iter().map(Change::len), threads)
        .into_iter()
        .map(|r| &order[r])
        .collect();
    // The first run on this thread, the others each on its own; a run whose thread cannot
    // be made is decoded here too.
    std::thread::scope(|scope| {
        let others: Vec<_> = runs
            .iter()
            .skip(1)
            .map(|run| {
                let thread = std::thread::Builder::new()
                    .name("decode".into())
                    .spawn_scoped(scope, move || run.iter().map(decode).collect::<Vec<_>>());
                (run, thread)
            })
            .collect();
        let mut out = Vec::with_capacity(order.len());
        out.extend(
            runs.first()
                .into_iter()
                .flat_map(|run| run.iter().map(decode)),
        );
        for (run, thread) in others {
            match thread.map(|t| t.join()) {
                Ok(Ok(decoded)) => out.extend(decoded),
                Err(_) => out.extend(run.iter().map(decode)),
                // Each decode is caught already; should a thread fail anyway, its changes
                // count as not decoding.
                Ok(Err(_)) => out.extend(run.iter().map(|_| None)),
            }
        }
        out
    })
}

/// One pass over the batch in causal order: refused unless every change passes. Every
/// change judged has its dependencies in the document or the batch (`causal_order` left out
/// the others), so its whole history is here: a reference to anything not here is outside
/// it, and refused.
fn judge<C: ChangeFacts>(
    doc: &Automerge,
    order: &[C],
    meta: &HashMap<ChangeHash, (ActorId, u64, u64)>,
    batch: &BatchOps,
    written: &mut Written,
    mut past: Option<&mut Past>,
) -> Result<(), Refusal> {
    if let Some(p) = past.as_deref_mut() {
        p.start(order);
    }
    for (i, (ch, ops)) in order.iter().zip(batch.decoded).enumerate() {
        check_history(doc, ch, meta)?;
        let clock = match past.as_deref_mut() {
            Some(p) => Some(p.before(ch)?),
            None => None,
        };
        let history = past.as_deref().zip(clock.as_ref());
        if let Found::Missing = check_ops(doc, ch, ops, batch, written, history)? {
            return Err(outside_history());
        }
        if let (Some(p), Some(clock)) = (past.as_deref_mut(), clock) {
            p.judged(i, ch, clock)?;
        }
    }
    Ok(())
}

/// The refusal of a change with an operation that refers to something outside its history.
fn outside_history() -> Refusal {
    bad("an operation refers to something outside its change's history")
}

fn id_of((counter, actor): OpRef<'_>) -> Id {
    (counter, actor.clone())
}

/// Sequence number and start operation against the change's dependencies.
fn check_history(
    doc: &Automerge,
    ch: &dyn ChangeFacts,
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
    ch: &dyn ChangeFacts,
    ops: &ChangeOps,
    batch: &BatchOps,
    written: &mut Written,
    history: Option<(&Past, &Clock)>,
) -> Result<Found, Refusal> {
    let start = ch.start_op().get();
    let own = ch.actor_id();
    // Whatever an operation refers to, other than an earlier operation of its own change,
    // is in the change's history.
    let in_history = |id: OpRef<'_>| {
        // (An id both of the batch and of the document would be a second change of one actor
        // and sequence number, which Automerge refuses applying: read as the batch's here.)
        let held =
            |(past, clock): (&Past, &Clock)| past.holds(clock, id, batch.locate(id).is_some());
        if (id.1 == own && id.0 >= start) || history.is_none_or(held) {
            Ok(())
        } else {
            Err(bad(format!(
                "an operation refers to {}@{}, outside its change's history",
                id.0, id.1
            )))
        }
    };
    let mut result = Found::Yes;
    // The other actors the operations refer to (a change's own are not hashed).
    let mut referred: HashSet<&ActorId> = HashSet::default();
    // This change's operations whose object is not here (yet), in order: an object one of
    // them makes is no object to write into.
    let mut unplaced: Vec<u64> = Vec::new();
    let mut note = |f: Found| {
        if let Found::Missing = f {
            result = Found::Missing;
        }
    };
    for op in ops.iter() {
        let me = op.id();
        let older = |counter: u64| {
            if counter >= me {
                Err(bad("an operation refers to itself or a later one"))
            } else {
                Ok(())
            }
        };
        let action = op.action();
        match action {
            Action::Make(ObjType::Map | ObjType::List | ObjType::Text) | Action::Delete => {}
            Action::Put(v)
                if !matches!(v, ScalarValue::Counter(_) | ScalarValue::Unknown { .. }) => {}
            // Named by its kind alone, never by what the change carries (a value may be
            // megabytes of a peer's bytes).
            other => {
                let kind = match other {
                    Action::Make(t) => format!("Make({t:?})"),
                    Action::Put(ScalarValue::Counter(_)) => "Put(Counter)".to_owned(),
                    Action::Put(ScalarValue::Unknown { type_code, .. }) => {
                        format!("Put(Unknown {{ type_code: {type_code} }})")
                    }
                    Action::Put(_) | Action::Delete => "Put".to_owned(),
                    Action::Other(o) => o.to_owned(),
                };
                return Err(bad(format!(
                    "an operation a coalition document does not hold: {kind}"
                )));
            }
        }
        // An insertion makes a new element: it overwrites nothing. Automerge never writes
        // one with predecessors, yet applies them (hiding the values they name), and then
        // panics listing the document's changes.
        if op.insert() && !op.no_preds() {
            return Err(bad("an insertion that overwrites a value"));
        }
        // Keys are compared, with every value they overwrite: none longer than any place of
        // the layout has (which the rules would refuse anyway).
        if let KeyRef::Map(k) = op.key()
            && k.len() > MAX_KEY
        {
            return Err(bad(format!(
                "a map key of {} bytes, longer than any a coalition has",
                k.len()
            )));
        }
        // The object written in, and its kind.
        let obj = op.obj();
        let kind = match obj {
            ObjRef::Root => ObjType::Map,
            ObjRef::Id(counter, actor) => {
                let o = (counter, actor);
                older(counter)?;
                in_history(o)?;
                refer(&mut referred, own, actor);
                if actor == own && counter >= start {
                    // Made earlier in this change (`older`), in an object that is there.
                    let made = ops.get((counter - start) as usize);
                    match made.map(|w| w.action()) {
                        Some(Action::Make(t)) if unplaced.binary_search(&counter).is_err() => t,
                        _ => {
                            return Err(bad("an operation writes into something not an object"));
                        }
                    }
                } else {
                    let found = batch.op(o);
                    if let Some(Action::Make(t)) = found.map(|w| w.action()) {
                        t
                    } else {
                        let o = id_of(o);
                        match doc.object_type(exid(&o)) {
                            Ok(t) => t,
                            Err(_) if found.is_some() || doc.hash_for_opid(&exid(&o)).is_some() => {
                                return Err(bad(
                                    "an operation writes into something not an object",
                                ));
                            }
                            Err(_) => {
                                note(Found::Missing);
                                unplaced.push(me);
                                continue;
                            }
                        }
                    }
                }
            }
        };
        if kind == ObjType::Text
            && (matches!(action, Action::Make(_))
                || !op.insert() && !matches!(action, Action::Delete))
        {
            // Splicing only inserts and deletes characters: with nothing ever written over
            // a character, a character's cursor is its own (see `element`).
            return Err(bad(
                "a value written over a character of a text, or an object in it",
            ));
        }
        let list = matches!(kind, ObjType::List | ObjType::Text);
        let key = op.key();
        match (key, list) {
            (KeyRef::Map(_), false) => {
                if op.insert() {
                    return Err(bad("an insertion into a map"));
                }
            }
            (KeyRef::Head, true) => {
                if !op.insert() {
                    return Err(bad(
                        "an operation at the head of a list that inserts nothing",
                    ));
                }
            }
            (KeyRef::Elem(counter, actor), true) => {
                older(counter)?;
                in_history((counter, actor))?;
                refer(&mut referred, own, actor);
                note(element(
                    doc,
                    obj,
                    kind,
                    (counter, actor),
                    (start, own, ops),
                    batch,
                    written,
                )?);
            }
            _ => return Err(bad("a key of the wrong kind for its object")),
        }
        if matches!(action, Action::Delete) && op.no_preds() {
            return Err(bad("a deletion of nothing"));
        }
        for p in op.preds() {
            older(p.0)?;
            in_history(p)?;
            refer(&mut referred, own, p.1);
            note(predecessor(doc, &op, p, (start, own, ops), batch, written)?);
        }
    }
    for a in ch.other_actor_ids() {
        if a != own && !referred.contains(a) {
            return Err(bad("an actor listed that no operation refers to"));
        }
    }
    Ok(result)
}

/// The longest map key a change may write: no place of a coalition's layout has a longer one
/// (`model::layout::MAX_KEY`).
const MAX_KEY: usize = model::layout::MAX_KEY;

/// Notes that an operation refers to actor `a` (if not the change's own).
fn refer<'a>(referred: &mut HashSet<&'a ActorId>, own: &ActorId, a: &'a ActorId) {
    if a != own {
        referred.insert(a);
    }
}

/// The change being judged: its start operation, actor and operations.
type Judged<'c> = (u64, &'c ActorId, &'c ChangeOps);

/// The operation of the change being judged at `id`, if it is one of its own (made earlier in
/// it: the caller checked `id` is older than the operation referring to it), or else of the
/// batch.
fn in_batch<'b>(
    (counter, actor): OpRef<'_>,
    (start, own, ops): Judged<'b>,
    batch: &BatchOps<'b>,
) -> (bool, Option<OpView<'b>>) {
    if actor == own && counter >= start {
        (true, ops.get((counter - start) as usize))
    } else {
        (false, batch.op((counter, actor)))
    }
}

/// A list position: an element of that very object (of kind `kind`).
fn element(
    doc: &Automerge,
    obj: ObjRef<'_>,
    kind: ObjType,
    e: OpRef<'_>,
    judged: Judged<'_>,
    batch: &BatchOps,
    written: &mut Written,
) -> Result<Found, Refusal> {
    let ObjRef::Id(oc, oa) = obj else {
        return Err(bad("a list position in the root"));
    };
    let (own, writer) = in_batch(e, judged, batch);
    let writer = writer.filter(|w| w.insert() && w.obj() != ObjRef::Root);
    if own || writer.is_some() {
        return match writer {
            Some(w) if w.obj() == obj => Ok(Found::Yes),
            _ => Err(bad("a list position that is no element of its list")),
        };
    }
    if batch.object((oc, oa)).is_some() {
        // A list made in the batch holds only the batch's elements.
        return Err(bad("a list position that is no element of its list"));
    }
    let (o, e) = (id_of((oc, oa)), id_of(e));
    let cursor = automerge::Cursor::try_from(format!("{}@{}", e.0, e.1))
        .map_err(|_| bad("a malformed list position"))?;
    if doc.hash_for_opid(&exid(&e)).is_none() {
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
    if written.confirms(doc, &e, |w| w.insert && obj.is(&w.obj)) {
        Ok(Found::Yes)
    } else {
        Err(bad("a list position that is no element of its list"))
    }
}

/// A value the operation overwrites: one written at the same place, by an older operation.
fn predecessor(
    doc: &Automerge,
    op: &OpView<'_>,
    p: OpRef<'_>,
    judged: Judged<'_>,
    batch: &BatchOps,
    written: &mut Written,
) -> Result<Found, Refusal> {
    let key = op.key();
    if key == KeyRef::Head {
        return Err(bad("a predecessor at the head of a list"));
    }
    let (own, found) = in_batch(p, judged, batch);
    let writer =
        found.filter(|w| w.insert() || matches!(w.action(), Action::Make(_) | Action::Put(_)));
    if own || writer.is_some() {
        return match writer {
            Some(w) if w.obj() == op.obj() && at_place(p, w.insert(), w.key(), key) => {
                Ok(Found::Yes)
            }
            _ => Err(bad("a predecessor written elsewhere")),
        };
    }
    if found.is_some() {
        return Err(bad("a predecessor that is no value"));
    }
    let obj = match op.obj() {
        ObjRef::Root => None,
        ObjRef::Id(c, a) => Some(id_of((c, a))),
    };
    let p = &id_of(p);
    let target = obj.as_ref().map_or(automerge::ROOT, exid);
    let pid = exid(p);
    if doc.hash_for_opid(&pid).is_none() {
        return Ok(Found::Missing);
    }
    // The current state first (indexed, cheap): a value still visible at its place.
    let here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match key {
        KeyRef::Map(k) => doc.get_all(&target, k),
        KeyRef::Elem(ec, ea) => {
            // Only where the element itself reads back at its index (visible, its own value
            // winning): a deleted element's index is its visible neighbour's, whose values
            // are no predecessors here. Otherwise the writing operation decides.
            match automerge::Cursor::try_from(format!("{ec}@{ea}")) {
                Ok(cursor) => match doc.get_cursor_position(&target, &cursor, None) {
                    Ok(pos) if doc.get_cursor(&target, pos, None).ok() == Some(cursor) => {
                        doc.get_all(&target, pos)
                    }
                    _ => Ok(Vec::new()),
                },
                Err(_) => Ok(Vec::new()),
            }
        }
        KeyRef::Head => Ok(Vec::new()),
    }))
    .map_err(|_| bad("a predecessor written elsewhere"))?;
    if here.is_ok_and(|vs| vs.iter().any(|(_, id)| *id == pid)) {
        return Ok(Found::Yes);
    }
    // Overwritten or deleted since: what the operation that wrote it says of its place (an
    // insertion's place is the element it made). A deletion is no value: it cannot be
    // overwritten.
    let fits = |w: &WrittenOp| {
        w.value
            && op.obj().is(&w.obj)
            && if w.insert {
                key == KeyRef::Elem(p.0, &p.1)
            } else {
                key.is(&w.key)
            }
    };
    if written.confirms(doc, p, fits) {
        Ok(Found::Yes)
    } else {
        Err(bad("a predecessor written elsewhere"))
    }
}
