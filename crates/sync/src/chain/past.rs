//! What each change of a batch holds in its history (its causal past: its dependencies and
//! everything they depend on), so that an operation referring to anything outside it is
//! refused.
//!
//! Automerge applies an operation that writes into an object, at an element or over a value
//! made by a change its own change does not depend on, wherever the receiving node holds
//! that change. Every honest change refers only to its history (it was made from a document
//! that held exactly that), but a member's modified node can write otherwise, and then the
//! change means different things on different nodes: a node that holds a version of the
//! change referred to (an equivocation) resolves it to that version, another to the other;
//! setting a losing version aside would keep the change that refers into it and rebuild a
//! document Automerge panics on; a catch-up sent in pages could stop for good at a page that
//! refers to the next one (both read from the code, not reproduced). So a reference must be to an operation of the change's history.
//!
//! Each actor's changes form a chain (`check_history`), each starting past the operations of
//! the one before, so what a history holds of an actor is every operation up to a counter:
//! a history is a clock. Here a clock has two parts: for the batch's actors, the last counter
//! of the batch's operations it holds (taken from the batch changes it depends on), and for
//! the document, everything but, for some actors, the operations from some counter on (read
//! once per document change depended on, from Automerge's change graph:
//! `get_changes_meta`, which lists what is outside that change's history from Automerge's
//! cached clocks).
//!
//! Clocks are computed in the batch's causal order, each change's from those of its
//! dependencies; a change's clock is kept only until the last change depending on it is
//! judged, and handed over rather than copied to that last one (a linear history copies
//! none). What this costs is bounded, and a batch past a bound is refused as too much work:
//! the document's changes read for the clocks of the document changes it depends on
//! ([`MOST_READ`], or [`READ_PER_DOC_CHANGE`] for each change of the document where that is
//! more: an honest batch reads a few times the changes made since the histories it
//! continues parted), the clock entries held at once ([`MOST_HELD`]), and the entries
//! merged, copied and set in all ([`MOST_MERGED`], or [`MERGED_PER_CHANGE`] for each change
//! of the batch where that is more: an honest change merges a clock or two of the batch's
//! actors).

use std::collections::BTreeMap;

use super::*;

/// Most of the document's changes read, in all, for the clocks of the document changes a
/// batch depends on, however small the document ([`READ_PER_DOC_CHANGE`]). Each document
/// change depended on costs the changes outside its history: a catch-up depends on the
/// heads it was missing from, whose histories leave out what was made since they parted
/// (for a partition healing, each side's changes since, once for each distinct head the
/// other side's changes continue); a crafted batch could name every old change.
const MOST_READ: usize = 1_000_000;

/// Document changes read, in all, for each change the document holds, where that allows more
/// than [`MOST_READ`].
const READ_PER_DOC_CHANGE: usize = 16;

/// Most clock entries (one per actor of the batch, and one per actor of the document a
/// history leaves some of out, for each change whose clock is held) held at once: 32 M
/// entries, some 256 MB at worst.
const MOST_HELD: usize = 32_000_000;

/// Most clock entries merged, copied and set in all, however small the batch
/// ([`MERGED_PER_CHANGE`]).
const MOST_MERGED: usize = 100_000_000;

/// Clock entries merged, copied and set for each change of the batch, where that allows more
/// than [`MOST_MERGED`]: an honest change depends on its actor's previous change and, where
/// it merges, on a few others, each clock one entry per actor of the batch.
const MERGED_PER_CHANGE: usize = 1_024;

/// What of the document a history holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum DocPart {
    /// Nothing (no change of the history is in the document).
    Nothing,
    /// Every operation of the document but, for each actor listed (sorted), those from the
    /// counter given on.
    AllBut(Vec<(ActorId, u64)>),
}

impl DocPart {
    /// What either history holds.
    fn merge(&mut self, other: &DocPart) {
        match (&mut *self, other) {
            (_, DocPart::Nothing) => {}
            (DocPart::Nothing, o) => *self = o.clone(),
            (DocPart::AllBut(mine), DocPart::AllBut(theirs)) => {
                // An actor's operations left out of both stay out, from the later counter.
                mine.retain_mut(
                    |(a, from)| match theirs.binary_search_by(|(b, _)| b.cmp(a)) {
                        Ok(i) => {
                            *from = (*from).max(theirs[i].1);
                            true
                        }
                        Err(_) => false,
                    },
                );
            }
        }
    }

    /// Whether the document's operation `(counter, actor)` is in the history.
    fn holds(&self, (counter, actor): OpRef<'_>) -> bool {
        match self {
            DocPart::Nothing => false,
            DocPart::AllBut(out) => match out.binary_search_by(|(b, _)| b.cmp(actor)) {
                Ok(i) => counter < out[i].1,
                Err(_) => true,
            },
        }
    }
}

/// A change's history: see the module documentation.
#[derive(Clone, Debug)]
pub(super) struct Clock {
    /// Per actor of the batch (by its index in [`Past::actors`]), the last counter of the
    /// batch's operations the history holds (0: none).
    batch: Vec<u64>,
    doc: DocPart,
}

/// The histories of a batch's changes, computed pass by pass in causal order.
pub(super) struct Past<'a> {
    doc: &'a Automerge,
    /// Each actor with operations in the batch, by index.
    actors: HashMap<&'a ActorId, usize>,
    /// Each change of the batch (by hash): its index in the order.
    index: HashMap<ChangeHash, usize>,
    /// Per change of the batch: how many changes of the batch depend on it and are not
    /// judged yet in this pass.
    waiting: Vec<u32>,
    /// Per change of the batch, once judged and while a change depending on it is not: its
    /// history and itself.
    after: Vec<Option<Clock>>,
    /// What of the document the history of each document change depended on holds.
    in_doc: HashMap<ChangeHash, DocPart>,
    /// Document changes read so far (against [`MOST_READ`]).
    read: usize,
    /// How many changes the document holds, once counted (past [`MOST_READ`]).
    doc_changes: Option<usize>,
    /// Clock entries held (against [`MOST_HELD`]).
    held: usize,
    /// Clock entries merged, copied and set (against [`MOST_MERGED`]), and the most allowed.
    merged: usize,
    most_merged: usize,
}

impl<'a> Past<'a> {
    pub(super) fn new<C: ChangeFacts>(
        doc: &'a Automerge,
        order: &[C],
        ranges: &'a HashMap<ActorId, Vec<(u64, u64, usize)>>,
    ) -> Self {
        let actors = ranges.keys().enumerate().map(|(i, a)| (a, i)).collect();
        let index = order
            .iter()
            .enumerate()
            .map(|(i, c)| (c.hash(), i))
            .collect();
        Past {
            doc,
            actors,
            index,
            waiting: Vec::new(),
            after: Vec::new(),
            in_doc: HashMap::default(),
            read: 0,
            doc_changes: None,
            held: 0,
            merged: 0,
            most_merged: MOST_MERGED.max(order.len().saturating_mul(MERGED_PER_CHANGE)),
        }
    }

    /// Counts `n` clock entries merged, copied or set.
    fn merging(&mut self, n: usize) -> Result<(), Refusal> {
        self.merged = self.merged.saturating_add(n);
        if self.merged > self.most_merged {
            return Err(Refusal::TooMuchWork);
        }
        Ok(())
    }

    /// Starts a pass over the batch (the document's parts read are kept).
    pub(super) fn start<C: ChangeFacts>(&mut self, order: &[C]) {
        self.waiting = vec![0; order.len()];
        for ch in order {
            for d in ch.deps() {
                if let Some(&j) = self.index.get(d) {
                    self.waiting[j] += 1;
                }
            }
        }
        self.after = vec![None; order.len()];
        self.held = 0;
        self.merged = 0;
    }

    /// The history of `ch` (judged after every change of the batch it depends on).
    pub(super) fn before(&mut self, ch: &dyn ChangeFacts) -> Result<Clock, Refusal> {
        let mut clock: Option<Clock> = None;
        for d in ch.deps() {
            let part = match self.index.get(d) {
                Some(&j) => {
                    self.waiting[j] = self.waiting[j].saturating_sub(1);
                    if self.waiting[j] == 0 {
                        // The last change depending on it: handed over.
                        let taken = self.after[j].take();
                        let size = taken.as_ref().map_or(0, Clock::size);
                        self.held = self.held.saturating_sub(size);
                        taken
                    } else {
                        let copy = self.after[j].clone();
                        self.merging(copy.as_ref().map_or(0, Clock::size))?;
                        copy
                    }
                }
                None => Some(Clock {
                    batch: Vec::new(),
                    doc: self.of_doc(d)?,
                }),
            };
            let Some(part) = part else {
                // Judged in this pass, so held: should it not be, nothing is held of it.
                continue;
            };
            match &mut clock {
                None => clock = Some(part),
                Some(c) => {
                    self.merging(part.size())?;
                    c.merge(&part);
                }
            }
        }
        let mut clock = clock.unwrap_or(Clock {
            batch: Vec::new(),
            doc: DocPart::Nothing,
        });
        if clock.batch.len() != self.actors.len() {
            self.merging(self.actors.len())?;
            clock.batch.resize(self.actors.len(), 0);
        }
        Ok(clock)
    }

    /// Keeps `ch`'s history and itself for the changes that depend on it.
    pub(super) fn judged(
        &mut self,
        i: usize,
        ch: &dyn ChangeFacts,
        mut clock: Clock,
    ) -> Result<(), Refusal> {
        if self.waiting.get(i).copied().unwrap_or(0) == 0 {
            return Ok(());
        }
        // A change with no operations holds none (and the batch's are refused elsewhere).
        if let (Some(&a), Some(last)) = (
            self.actors.get(ch.actor_id()),
            (ch.len() as u64).checked_sub(1),
        ) && let Some(held) = clock.batch.get_mut(a)
        {
            *held = (*held).max(ch.start_op().get() + last);
        }
        let size = clock.size();
        self.held += size;
        if self.held > MOST_HELD {
            return Err(Refusal::TooMuchWork);
        }
        if let Some(slot) = self.after.get_mut(i) {
            *slot = Some(clock);
        }
        Ok(())
    }

    /// Whether the operation `id` (of the batch: `in_batch`, else of the document) is in the
    /// history `clock`.
    pub(super) fn holds(&self, clock: &Clock, id: OpRef<'_>, in_batch: bool) -> bool {
        if in_batch {
            self.actors
                .get(id.1)
                .and_then(|&a| clock.batch.get(a))
                .is_some_and(|&last| id.0 <= last)
        } else {
            clock.doc.holds(id)
        }
    }

    /// What of the document the history of its change `d` holds.
    fn of_doc(&mut self, d: &ChangeHash) -> Result<DocPart, Refusal> {
        if let Some(part) = self.in_doc.get(d) {
            return Ok(part.clone());
        }
        let outside = self.doc.get_changes_meta(std::slice::from_ref(d));
        self.read = self.read.saturating_add(outside.len());
        if self.read > MOST_READ {
            // Counted once, only then (a read of every change's metadata).
            let changes = *self
                .doc_changes
                .get_or_insert_with(|| self.doc.get_changes_meta(&[]).len());
            if self.read > changes.saturating_mul(READ_PER_DOC_CHANGE) {
                return Err(Refusal::TooMuchWork);
            }
        }
        // An actor's changes outside a history follow those inside it: the first one's
        // start is where the history ends.
        let mut from: BTreeMap<&ActorId, u64> = BTreeMap::new();
        for m in &outside {
            let f = from.entry(m.actor.as_ref()).or_insert(m.start_op);
            *f = (*f).min(m.start_op);
        }
        let part = DocPart::AllBut(from.into_iter().map(|(a, f)| (a.clone(), f)).collect());
        self.in_doc.insert(*d, part.clone());
        Ok(part)
    }
}

impl Clock {
    /// Its entries: one per actor of the batch, and one per actor of the document it leaves
    /// some of out.
    fn size(&self) -> usize {
        self.batch.len()
            + match &self.doc {
                DocPart::Nothing => 0,
                DocPart::AllBut(out) => out.len(),
            }
    }

    /// What either history holds.
    fn merge(&mut self, other: &Clock) {
        if self.batch.len() < other.batch.len() {
            self.batch.resize(other.batch.len(), 0);
        }
        for (mine, theirs) in self.batch.iter_mut().zip(&other.batch) {
            *mine = (*mine).max(*theirs);
        }
        self.doc.merge(&other.doc);
    }
}
