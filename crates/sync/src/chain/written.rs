//! What each change of a batch writes, by object and key: what [`super::check`] looks
//! predecessors and list elements up in before the document has them.

use super::*;
use automerge::legacy::{Key, ObjectId, OpType};

/// Operations already in the document, read from the changes that wrote them: where each
/// was written, for references the current state cannot confirm (a list position, a value
/// overwritten or an element deleted since). A batch that has any is checked twice: the first
/// pass only notes them (taken as confirmed meanwhile), then the changes holding them are
/// rebuilt from the document — one by one when few (`ONE_BY_ONE`, about 60 µs each at
/// 100,000 issues), else all in one pass over the document's operations (`Automerge::bundle`)
/// — keeping only the operations referred to, and the second pass judges with those. The work
/// is bounded by the document whatever a batch refers to, and no honest batch is refused for
/// how many changes it refers to (a catch-up tagging thousands of issues refers to as many).
pub(super) struct Written {
    /// Whether references are only noted (the first pass).
    pub(super) noting: bool,
    /// Per change holding a referenced operation, the operations referred to.
    pub(super) wanted: HashMap<ChangeHash, HashSet<Id>>,
    /// The operations referred to, as their changes hold them (the second pass).
    pub(super) found: HashMap<Id, WrittenOp>,
}

/// Where an operation was written.
pub(super) struct WrittenOp {
    pub(super) obj: ObjectId,
    pub(super) key: Key,
    pub(super) insert: bool,
    /// Whether it wrote a value (an insertion, a put or a make), not a deletion.
    pub(super) value: bool,
}

/// Up to how many changes are rebuilt one by one; more are rebuilt in one pass over the
/// document's operations (a pass costs about what rebuilding this many one by one does at
/// 100,000 issues).
pub(super) const ONE_BY_ONE: usize = 4096;

impl Written {
    pub(super) fn noting() -> Self {
        Self {
            noting: true,
            wanted: HashMap::default(),
            found: HashMap::default(),
        }
    }

    /// Whether the operation `id`, in the document, was written as `fits` says. While noting,
    /// any operation in the document fits (and is noted).
    pub(super) fn confirms(
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
    pub(super) fn wants_any(&self) -> bool {
        !self.wanted.is_empty()
    }

    /// Reads the operations noted from their changes, and stops noting. The operations are
    /// matched by id (actor and counter), not by the rebuilt change's hash: a change a peer
    /// encoded otherwise than Automerge does (the order of its other actors, say) rebuilds
    /// to other bytes.
    pub(super) fn read(&mut self, doc: &Automerge) -> Result<(), Refusal> {
        self.noting = false;
        let wanted = std::mem::take(&mut self.wanted);
        let ids: HashSet<Id> = wanted.values().flatten().cloned().collect();
        let mut keep = |c: &Change| {
            let Some(e) = super::decode_caught(c) else {
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
