//! Coalitions being joined: the pending joins and the empty documents that wait for the
//! coalition to arrive.
//!
//! A join is recorded ([`Replica::start_join`], a [`PendingJoin`] with the invite code, at most
//! [`MAX_PENDING_JOINS`]) before the node connects, so it outlives restarts; [`Replica::end_join`]
//! forgets one and stops holding its coalition if nothing of it arrived.

use super::*;

/// Node-wide record of the joins this node started that have not completed: coalition id →
/// [`PendingJoin`] (JSON), so that a restarted node takes them up again.
pub const JOINS_RECORD: &str = "joins";
/// Most joins pending at once.
pub const MAX_PENDING_JOINS: usize = 64;

/// A join this node started and has not completed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingJoin {
    /// The invite code it was started with.
    pub code: String,
    /// The organization's name given to the inviting node.
    pub org: String,
    /// When it was started (Unix milliseconds).
    pub started_at: i64,
}

impl Replica {
    /// Forgets the in-memory copy of a coalition; the next use loads it again from the store.
    /// For a document Automerge panicked on, which may be inconsistent: the store holds only
    /// what was checked and applied.
    pub fn discard(&mut self, id: &CoalitionId) {
        self.docs.remove(id);
    }

    /// Whether a coalition is held but has not all arrived yet (being joined): none of it,
    /// or part of a long one that arrives in parts while its join is pending.
    pub fn is_joining(&mut self, id: &CoalitionId) -> bool {
        self.loaded(id)
            .is_ok_and(|l| l.joining || l.doc.heads().is_empty())
    }

    /// The joins this node started that have not completed. An unreadable record reads as
    /// none.
    pub fn pending_joins(&self) -> Result<BTreeMap<CoalitionId, PendingJoin>, ReplicaError> {
        let stored: BTreeMap<String, PendingJoin> = self
            .record(JOINS_RECORD)?
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Ok(stored
            .into_iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
            .collect())
    }

    pub(crate) fn save_pending_joins(
        &self,
        joins: &BTreeMap<CoalitionId, PendingJoin>,
    ) -> Result<(), ReplicaError> {
        let stored: BTreeMap<String, &PendingJoin> =
            joins.iter().map(|(k, v)| (k.to_string(), v)).collect();
        // Strings and integers always serialize.
        let bytes = serde_json::to_vec(&stored).unwrap_or_default();
        self.put_record(JOINS_RECORD, &bytes)
    }

    /// Starts holding coalition `id`, which this node joins with `join`, and remembers the
    /// join until it completes or is ended (see [`Replica::end_join`]).
    pub fn start_join(&mut self, id: &CoalitionId, join: PendingJoin) -> Result<(), ReplicaError> {
        let mut joins = self.pending_joins()?;
        if joins.len() >= MAX_PENDING_JOINS && !joins.contains_key(id) {
            return Err(ReplicaError::TooManyJoins);
        }
        self.create_joining(id)?;
        joins.insert(id.clone(), join);
        self.save_pending_joins(&joins)?;
        if let Some(l) = self.docs.get_mut(id) {
            l.joining = true;
        }
        Ok(())
    }

    /// Ends the pending join of `id` (completed, refused or cancelled): forgets it and, if
    /// nothing of the coalition arrived, stops holding it. Returns whether a join was pending.
    pub fn end_join(&mut self, id: &CoalitionId) -> Result<bool, ReplicaError> {
        let mut joins = self.pending_joins()?;
        let pending = joins.remove(id).is_some();
        if pending {
            self.save_pending_joins(&joins)?;
        }
        if let Some(l) = self.docs.get_mut(id) {
            l.joining = false;
        }
        if self.store.remove_if_empty(id.as_str())? {
            self.docs.remove(id);
        }
        Ok(pending)
    }

    /// Starts holding a coalition this node is joining, before any of it has arrived.
    pub fn create_joining(&mut self, id: &CoalitionId) -> Result<(), ReplicaError> {
        if self.store.load(id.as_str())?.is_none() {
            self.store.append(id.as_str(), &[])?;
        }
        self.loaded(id)?;
        Ok(())
    }
}
