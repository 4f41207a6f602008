//! The node's own records beside its coalitions: when each peer last synced, which peers
//! took backups; raw records by key, which only the replica reads and writes.
//!
//! `last_sync` (when each peer last synced, for a stopped node's `status`), `backups` (the device
//! key of each backup this node took, for `member key list`, and so that a backup file replaced
//! with `--force` whose key was never seen at work has it revoked) and the peers' records
//! (`restore`). The pending joins are in `joins`.

use super::*;

/// The record of when this node last synced with each peer.
pub const LAST_SYNC_RECORD: &str = "last_sync";

/// A map of node keys to times as JSON (keys in hex).
pub(crate) fn json_map(map: &BTreeMap<model::NodeKey, i64>) -> Vec<u8> {
    let stored: BTreeMap<String, i64> = map.iter().map(|(k, t)| (k.to_string(), *t)).collect();
    // A map of strings and integers always serializes.
    serde_json::to_vec(&stored).unwrap_or_default()
}

/// [`json_map`]'s bytes read back; unreadable bytes and entries are left out.
pub(crate) fn read_json_map(bytes: &[u8]) -> BTreeMap<model::NodeKey, i64> {
    let stored: BTreeMap<String, i64> = serde_json::from_slice(bytes).unwrap_or_default();
    stored
        .into_iter()
        .filter_map(|(k, t)| Some((k.parse().ok()?, t)))
        .collect()
}

impl Replica {
    /// A node-wide record (invites and the like).
    pub(crate) fn record(&self, key: &str) -> Result<Option<Vec<u8>>, ReplicaError> {
        Ok(self.store.get_record(key)?)
    }

    /// Writes a node-wide record durably.
    pub(crate) fn put_record(&self, key: &str, value: &[u8]) -> Result<(), ReplicaError> {
        Ok(self.store.put_record(key, value)?)
    }

    /// When this node last synced with each peer (Unix milliseconds), as last saved by
    /// [`Replica::save_last_syncs`]: kept across restarts so that `status` does not forget
    /// it. An unreadable record reads as empty (it is rewritten at the next save).
    pub fn last_syncs(&self) -> Result<BTreeMap<model::NodeKey, i64>, ReplicaError> {
        Ok(self
            .record(LAST_SYNC_RECORD)?
            .map(|bytes| read_json_map(&bytes))
            .unwrap_or_default())
    }

    /// The backups this node took: each one's device key and when (Unix milliseconds). An
    /// unreadable record reads as empty.
    pub fn backups_taken(&self) -> Result<BTreeMap<model::NodeKey, i64>, ReplicaError> {
        Ok(self
            .record(BACKUPS_RECORD)?
            .map(|bytes| read_json_map(&bytes))
            .unwrap_or_default())
    }

    /// Saves when this node last synced with each peer.
    pub fn save_last_syncs(
        &self,
        last: &BTreeMap<model::NodeKey, i64>,
    ) -> Result<(), ReplicaError> {
        self.put_record(LAST_SYNC_RECORD, &json_map(last))
    }
}
