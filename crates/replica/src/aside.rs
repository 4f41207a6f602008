//! Changes set aside because their author forked its history, and the records that say so.

use super::*;

/// Record holding a coalition's forks (evidence and what it sets aside), as the sync
/// protocol stores it.
pub(crate) fn forks_record(id: &CoalitionId) -> String {
    format!("forks/{id}")
}

/// Record listing the node keys that forked in a coalition (hex, JSON).
pub(crate) fn forked_record(id: &CoalitionId) -> String {
    format!("forked/{id}")
}

/// Record `n` of those keeping the changes this node had stored that a fork later set aside
/// (see `sync::forks`): out of the document, not lost. Each rebuild adds one record, of the
/// changes not kept already; they are never more than what the store held.
pub(crate) fn aside_record(id: &CoalitionId, n: usize) -> String {
    format!("aside/{id}/{n}")
}

/// Format of the [`aside_record`].
pub(crate) const ASIDE_FORMAT: u8 = 1;

/// A change this node had stored that a fork set aside.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AsideChange {
    /// The change's hash (hex).
    pub change: String,
    /// The node key that wrote it.
    pub node: Option<NodeKey>,
    /// Its sequence number among that key's changes.
    pub seq: u64,
    /// When it was made, as its author states.
    pub at: model::Timestamp,
    /// The edit, as its author's node named it.
    pub message: String,
}

impl Replica {
    /// Every change kept aside in a coalition, raw, and how many records hold them.
    pub(crate) fn aside_raw(
        &self,
        id: &CoalitionId,
    ) -> Result<(Vec<Vec<u8>>, usize), ReplicaError> {
        let mut all = Vec::new();
        let mut n = 0;
        while let Some(bytes) = self.record(&aside_record(id, n))? {
            // Said rather than skipped: the edits it holds exist nowhere else.
            let damaged = |detail: String| ReplicaError::DamagedRecord {
                record: aside_record(id, n),
                detail,
            };
            match bytes.split_first() {
                Some((&ASIDE_FORMAT, rest)) => all.extend(
                    postcard::from_bytes::<Vec<Vec<u8>>>(rest)
                        .map_err(|e| damaged(e.to_string()))?,
                ),
                _ => return Err(damaged("unknown format".into())),
            }
            n += 1;
        }
        Ok((all, n))
    }

    pub(crate) fn keep_aside(&self, id: &CoalitionId, aside: &[&[u8]]) -> Result<(), ReplicaError> {
        if aside.is_empty() {
            return Ok(());
        }
        let (kept, n) = self.aside_raw(id)?;
        let known: std::collections::HashSet<&[u8]> = kept.iter().map(Vec::as_slice).collect();
        let new: Vec<&[u8]> = aside
            .iter()
            .copied()
            .filter(|raw| !known.contains(raw))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let mut out = vec![ASIDE_FORMAT];
        // Serializing byte slices into a Vec cannot fail.
        out.extend(postcard::to_stdvec(&new).unwrap_or_default());
        self.put_record(&aside_record(id, n), &out)
    }

    /// How many changes this node keeps aside in a coalition (the changes are not parsed).
    pub fn aside_count(&self, id: &CoalitionId) -> Result<usize, ReplicaError> {
        Ok(self.aside_raw(id)?.0.len())
    }

    /// The changes this node had stored in a coalition that a fork set aside, as kept.
    pub fn aside(&self, id: &CoalitionId) -> Result<Vec<AsideChange>, ReplicaError> {
        Ok(self
            .aside_raw(id)?
            .0
            .into_iter()
            .filter_map(|raw| Change::from_bytes(raw).ok())
            .map(|c| AsideChange {
                change: c.hash().to_string(),
                node: <[u8; 32]>::try_from(c.actor_id().to_bytes())
                    .ok()
                    .map(NodeKey::from_bytes),
                seq: c.seq(),
                // Changes state their time in seconds (`CoalitionDoc` commits so).
                at: model::Timestamp::from_secs(c.timestamp()),
                message: c.message().unwrap_or_default().to_owned(),
            })
            .collect())
    }
}
