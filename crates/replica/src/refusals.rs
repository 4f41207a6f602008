//! The node's refusal log: what it refused from peers, and why, most recent last.
//!
//! Bounded ([`MAX_REFUSALS`], store record `refused`) and shown by `coalesce audit refused`. A
//! failure to log a refusal is itself logged, and never stops sync.

use super::*;

/// How many refusals the node's refusal log keeps.
pub const MAX_REFUSALS: usize = 1000;
pub(crate) const REFUSALS: &str = "refused";
/// Longest reason kept in the refusal log, in bytes.
pub(crate) const MAX_REFUSAL_REASON: usize = 4096;

/// A message or change from a peer that this node refused: kept for the operator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refusal {
    /// When (milliseconds since the Unix epoch).
    pub at: i64,
    /// The peer that sent it (node key, hex).
    pub peer: String,
    /// The coalition concerned, when known and shared with the peer.
    pub coalition: Option<String>,
    /// The rule it broke.
    pub reason: String,
}

impl Replica {
    /// Keeps a refused message or change in the node's refusal log (the newest
    /// [`MAX_REFUSALS`]), for `coalesce audit refused`.
    pub fn log_refusal(&self, mut refusal: Refusal) -> Result<(), ReplicaError> {
        // A peer chooses much of a refusal's reason: keep the entry well under the store's
        // limit for one log entry.
        if refusal.reason.len() > MAX_REFUSAL_REASON {
            let mut end = MAX_REFUSAL_REASON;
            while !refusal.reason.is_char_boundary(end) {
                end -= 1;
            }
            refusal.reason.truncate(end);
            refusal.reason.push('…');
        }
        // Serializing plain strings and numbers cannot fail.
        let bytes = serde_json::to_vec(&refusal).unwrap_or_default();
        Ok(self.store.append_log(REFUSALS, &bytes, MAX_REFUSALS)?)
    }

    /// The refusal log, oldest first. A damaged entry is skipped rather than failing.
    pub fn refusals(&self) -> Result<Vec<Refusal>, ReplicaError> {
        Ok(self
            .store
            .log(REFUSALS)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }
}
