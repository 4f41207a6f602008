//! Changes in and out: this node's edits (validated, signed, durable before they are
//! reported), changes received from peers, signatures, forks, and compaction.

use super::*;

/// Changes this node made, signed, for the sync protocol to push to peers.
#[derive(Debug, Clone)]
pub struct LocalChange {
    /// The coalition.
    pub coalition: CoalitionId,
    /// The changes, oldest first.
    pub changes: Vec<Change>,
    /// This node's signature over the newest of them.
    pub signature: ChangeSignature,
}

/// Most local changes kept for the sync protocol before the oldest are dropped (peers then
/// get them by catching up instead).
pub const MAX_OUTBOX: usize = 10_000;

pub(crate) fn stored_signatures(sigs: &[ChangeSignature]) -> Vec<store::StoredSignature> {
    sigs.iter().map(|s| (s.hash, s.signature)).collect()
}

/// Notes that changes up to `upto` (the store's next sequence number) are stored for a
/// loaded coalition, `count` of them new. Compacting is left for [`Replica::compact_due`],
/// when the node has time, unless [`COMPACT_NOW`] changes wait already (a node never idle).
pub(crate) fn stored(
    store: &Store,
    id: &CoalitionId,
    loaded: &mut Loaded,
    count: usize,
    upto: u64,
) {
    loaded.since_snapshot += count;
    loaded.stored_upto = upto;
    loaded.stored_heads = loaded.doc.heads();
    if loaded.since_snapshot >= COMPACT_NOW {
        compact_logged(store, id, loaded);
    }
}

/// Compacts a loaded coalition up to what is stored, if the document in memory is exactly
/// what is stored (it never holds more; should it, that is not written as a snapshot). A
/// failure is logged and tried again after another [`COMPACT_AFTER`] changes, not at every
/// quiet moment (each try saves the whole document); what was appended is stored either way.
/// Returns whether it compacted.
fn compact_logged(store: &Store, id: &CoalitionId, loaded: &mut Loaded) -> bool {
    if loaded.doc.heads() != loaded.stored_heads {
        tracing::warn!(coalition = %id, "the document in memory is not what is stored; not compacting it");
        loaded.since_snapshot = 0;
        return false;
    }
    let upto = loaded.stored_upto;
    match compact(store, id, loaded, upto) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(coalition = %id, error = %e, "could not compact the stored changes; will try again after more changes");
            loaded.since_snapshot = 0;
            false
        }
    }
}

pub(crate) fn compact(
    store: &Store,
    id: &CoalitionId,
    loaded: &mut Loaded,
    upto: u64,
) -> Result<(), ReplicaError> {
    let snapshot = loaded.doc.save();
    store.compact(id.as_str(), &snapshot, upto)?;
    loaded.stored_heads = loaded.doc.heads();
    // Every signature is kept, not only each actor's newest (which vouches for everything
    // held): evidence of a fork is a chain from the forked change up to one its actor
    // signed, and the nearest signature keeps it short however far back the fork is.
    info!(coalition = %id, changes = loaded.since_snapshot, bytes = snapshot.len(), "document compacted");
    loaded.since_snapshot = 0;
    Ok(())
}

impl Replica {
    /// Flags, as this node's member, `keys` found writing two histories in coalition `id`
    /// (the sync protocol checked the evidence and knows which version is kept, see
    /// `sync::forks`): once two members other than its own have, what such a key writes
    /// after seeing the flags is refused on every node. Keys this member flagged already,
    /// its own organization's keys and keys of no member in force are skipped, and a member
    /// not in force (or a node whose own key forked) flags nothing. Returns how many keys it
    /// flagged now.
    #[instrument(skip_all, fields(coalition = %id))]
    pub fn flag_forked(
        &mut self,
        id: &CoalitionId,
        keys: &[NodeKey],
    ) -> Result<usize, ReplicaError> {
        if keys.is_empty() {
            return Ok(0);
        }
        match self.edit(id, |doc, a| doc.flag_keys(&a.member, keys, a.now)) {
            Ok(n) => {
                if n > 0 {
                    info!(
                        keys = n,
                        "flagged member nodes' keys that wrote two histories"
                    );
                }
                Ok(n)
            }
            // No member's key here any more, or this node's own key forked or refused:
            // nothing to flag.
            Err(
                ReplicaError::KeyForked { .. }
                | ReplicaError::Edit(EditError::NotAMember { .. } | EditError::KeyFlagged { .. }),
            ) => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Runs an edit as this node's member and stores the resulting change durably before
    /// returning. If storing fails, the in-memory copy is dropped so it cannot run ahead of
    /// the store.
    #[instrument(skip_all, fields(coalition = %id))]
    pub fn edit<T>(
        &mut self,
        id: &CoalitionId,
        f: impl FnOnce(&mut CoalitionDoc, &Actor) -> Result<T, EditError>,
    ) -> Result<T, ReplicaError> {
        if self.forked(id)?.contains(&self.identity.node_key()) {
            return Err(ReplicaError::KeyForked {
                coalition: id.to_string(),
            });
        }
        let member = self.me(id)?;
        let actor = Actor { member, now: now() };
        let loaded = self.loaded(id)?;
        let before = loaded.doc.heads();
        let value = f(&mut loaded.doc, &actor)?;
        let changes = loaded.doc.changes_since(&before);
        let Some(newest) = changes.last().map(Change::hash) else {
            return Ok(value); // the edit changed nothing
        };
        let signature = self.identity.sign(&newest);
        let raw: Vec<&[u8]> = changes.iter().map(|c| c.raw_bytes()).collect();
        match self.store.append_signed(
            id.as_str(),
            &raw,
            &stored_signatures(std::slice::from_ref(&signature)),
        ) {
            Ok(next_seq) => {
                debug!(changes = raw.len(), "edit stored");
                let count = raw.len();
                drop(raw);
                if let Some(loaded) = self.docs.get_mut(id) {
                    loaded
                        .index
                        .offer(loaded.doc.automerge_mut(), signature.clone());
                    // The edit is stored: a compaction that fails now is retried later and
                    // never reported as the edit failing (a retry would make a duplicate).
                    stored(&self.store, id, loaded, count, next_seq);
                }
                if self.outbox.len() >= MAX_OUTBOX {
                    self.outbox.remove(0);
                }
                self.outbox.push(LocalChange {
                    coalition: id.clone(),
                    changes,
                    signature,
                });
                Ok(value)
            }
            Err(e) => {
                self.docs.remove(id);
                Err(e.into())
            }
        }
    }

    /// Local changes made since the last call, for the sync protocol to push.
    pub fn drain_local_changes(&mut self) -> Vec<LocalChange> {
        std::mem::take(&mut self.outbox)
    }

    /// A coalition's Automerge document and head index, for the sync protocol.
    pub fn sync_entry(
        &mut self,
        id: &CoalitionId,
    ) -> Result<(&mut AutoCommit, &mut HeadIndex), ReplicaError> {
        let loaded = self.loaded(id)?;
        Ok((loaded.doc.automerge_mut(), &mut loaded.index))
    }

    /// Keeps the governance the rules found at a loaded coalition's heads (see
    /// `CoalitionDoc::know_governance`); a coalition not loaded, or at other heads, is left
    /// as it is.
    pub fn know_governance(
        &mut self,
        id: &CoalitionId,
        heads: &[model::automerge::ChangeHash],
        gov: std::sync::Arc<model::governance::Governance>,
    ) {
        if let Some(loaded) = self.docs.get_mut(id) {
            loaded.doc.know_governance(heads, gov);
        }
    }

    /// The node keys of a coalition's members in force as of its heads, each with its
    /// member (what `sync::member_key_map` reads, from the governance kept between
    /// changes); empty if it has none yet, `None` if the coalition cannot be loaded.
    pub fn member_key_map(&mut self, id: &CoalitionId) -> Option<BTreeMap<[u8; 32], MemberId>> {
        let loaded = self.loaded(id).ok()?;
        let Ok(gov) = loaded.doc.in_force_at_heads() else {
            return Some(BTreeMap::new());
        };
        Some(
            gov.members
                .values()
                .flat_map(|m| m.keys.iter().map(|k| (*k.as_bytes(), m.id.clone())))
                .collect(),
        )
    }

    /// Makes changes received from peers (already verified) and their signatures durable.
    pub fn persist_remote(
        &mut self,
        id: &CoalitionId,
        changes: &[Change],
        signatures: &[ChangeSignature],
    ) -> Result<(), ReplicaError> {
        let raw: Vec<&[u8]> = changes.iter().map(|c| c.raw_bytes()).collect();
        let next_seq =
            self.store
                .append_signed(id.as_str(), &raw, &stored_signatures(signatures))?;
        if let Some(loaded) = self.docs.get_mut(id) {
            // A node that only receives compacts too.
            stored(&self.store, id, loaded, raw.len(), next_seq);
        }
        Ok(())
    }

    /// Makes a coalition that a snapshot put in place of nothing (its changes verified, see
    /// `sync::node::accept_read`) durable whole, as the snapshot the next start loads, with
    /// the signatures that vouch for it, in one transaction: there is nothing to compact
    /// later.
    pub fn persist_snapshot(
        &mut self,
        id: &CoalitionId,
        signatures: &[ChangeSignature],
    ) -> Result<(), ReplicaError> {
        let loaded = self.loaded(id)?;
        let snapshot = loaded.doc.save();
        let upto = loaded.stored_upto;
        self.store
            .compact_signed(id.as_str(), &snapshot, upto, &stored_signatures(signatures))?;
        if let Some(loaded) = self.docs.get_mut(id) {
            loaded.stored_heads = loaded.doc.heads();
            loaded.since_snapshot = 0;
        }
        info!(coalition = %id, bytes = snapshot.len(), "stored the coalition received whole");
        Ok(())
    }

    /// Whether a loaded coalition has [`COMPACT_AFTER`] changes or more stored since its
    /// snapshot.
    pub fn compaction_due(&self) -> bool {
        self.docs
            .values()
            .any(|l| l.since_snapshot >= COMPACT_AFTER)
    }

    /// Compacts every loaded coalition with [`COMPACT_AFTER`] changes or more stored since
    /// its snapshot into one snapshot, which the next start loads in one pass. The running
    /// node calls this when it has been idle a while, so that no compaction of a whole
    /// history is on the way of a catch-up or an answer; the replica does it as it closes.
    /// Returns how many it compacted; a failure is logged and tried again next time.
    pub fn compact_due(&mut self) -> usize {
        let mut done = 0;
        for (id, loaded) in &mut self.docs {
            if loaded.since_snapshot >= COMPACT_AFTER {
                done += usize::from(compact_logged(&self.store, id, loaded));
            }
        }
        done
    }

    /// The node keys known to have forked their history in a coalition (see `sync::forks`).
    pub fn forked(&self, id: &CoalitionId) -> Result<Vec<NodeKey>, ReplicaError> {
        let Some(bytes) = self.record(&forked_record(id))? else {
            return Ok(Vec::new());
        };
        let keys: Vec<String> = serde_json::from_slice(&bytes).unwrap_or_default();
        Ok(keys.iter().filter_map(|k| k.parse().ok()).collect())
    }

    /// A coalition's forks record as `sync::forks` stored it, if there is one.
    pub fn forks_stored(&self, id: &CoalitionId) -> Result<Option<Vec<u8>>, ReplicaError> {
        self.record(&forks_record(id))
    }

    /// Stores a coalition's forks record and the keys that forked.
    pub fn save_forks(
        &mut self,
        id: &CoalitionId,
        record: &[u8],
        forked: &[NodeKey],
    ) -> Result<(), ReplicaError> {
        self.put_record(&forks_record(id), record)?;
        let keys: Vec<String> = forked.iter().map(ToString::to_string).collect();
        // A list of strings always serializes.
        let json = serde_json::to_vec(&keys).unwrap_or_default();
        self.put_record(&forked_record(id), &json)
    }

    /// Stores the in-memory document of a coalition whole (after changes were set aside),
    /// replacing what was stored; the changes set aside (`aside`, raw) are kept first in
    /// the coalition's records of changes kept aside.
    pub fn store_whole(&mut self, id: &CoalitionId, aside: &[&[u8]]) -> Result<(), ReplicaError> {
        self.keep_aside(id, aside)?;
        let next = self.store.load(id.as_str())?.map_or(0, |s| s.next_seq);
        self.loaded(id)?;
        match self.docs.get_mut(id) {
            Some(loaded) => compact(&self.store, id, loaded, next),
            None => Ok(()),
        }
    }

    /// The signature stored over a change of a coalition, if any.
    pub fn signature(
        &self,
        id: &CoalitionId,
        hash: &[u8; 32],
    ) -> Result<Option<ChangeSignature>, ReplicaError> {
        Ok(self
            .store
            .signature(id.as_str(), hash)?
            .map(|signature| ChangeSignature {
                hash: *hash,
                signature,
            }))
    }
}
