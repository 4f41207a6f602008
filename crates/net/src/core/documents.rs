//! The replica as the sync state machine sees it: the documents it reads, stores and
//! rebuilds.

use super::*;

/// The replica seen as the sync protocol's documents.
pub(super) struct ReplicaDocs<'a>(pub(super) &'a mut Replica);

impl Documents for ReplicaDocs<'_> {
    fn coalitions(&self) -> Vec<CoalitionId> {
        self.0.coalition_ids().unwrap_or_default()
    }

    fn entry(&mut self, coalition: &CoalitionId) -> Option<(&mut AutoCommit, &mut HeadIndex)> {
        self.0.sync_entry(coalition).ok()
    }

    fn create(&mut self, coalition: &CoalitionId) -> Result<(), String> {
        self.0.create_joining(coalition).map_err(|e| e.to_string())
    }

    fn persist(
        &mut self,
        coalition: &CoalitionId,
        changes: &[Change],
        heads: &[ChangeSignature],
    ) -> Result<(), String> {
        self.0
            .persist_remote(coalition, changes, heads)
            .map_err(|e| e.to_string())
    }

    fn persist_snapshot(
        &mut self,
        coalition: &CoalitionId,
        heads: &[ChangeSignature],
    ) -> Result<(), String> {
        self.0
            .persist_snapshot(coalition, heads)
            .map_err(|e| e.to_string())
    }

    fn governance_known(
        &mut self,
        coalition: &CoalitionId,
        heads: &[model::automerge::ChangeHash],
        governance: std::sync::Arc<model::governance::Governance>,
    ) {
        self.0.know_governance(coalition, heads, governance);
    }

    fn takes_for(&mut self, peer: &NodeKey) -> Vec<(CoalitionId, CoalitionId, sync::LinkTakes)> {
        self.0.takes_from(peer)
    }

    fn member_key_map(
        &mut self,
        coalition: &CoalitionId,
    ) -> Option<std::collections::BTreeMap<[u8; 32], model::MemberId>> {
        self.0.member_key_map(coalition)
    }

    fn discard(&mut self, coalition: &CoalitionId) {
        self.0.discard(coalition);
    }

    fn load_forks(&mut self, coalition: &CoalitionId) -> Option<Vec<u8>> {
        self.0.forks_stored(coalition).ok().flatten()
    }

    fn save_forks(
        &mut self,
        coalition: &CoalitionId,
        record: &[u8],
        forked: &[[u8; 32]],
    ) -> Result<(), String> {
        let keys: Vec<NodeKey> = forked.iter().map(|k| NodeKey::from_bytes(*k)).collect();
        self.0
            .save_forks(coalition, record, &keys)
            .map_err(|e| e.to_string())
    }

    fn rebuilt(&mut self, coalition: &CoalitionId, aside: &[Change]) -> Result<(), String> {
        let raw: Vec<&[u8]> = aside.iter().map(|c| c.raw_bytes()).collect();
        self.0
            .store_whole(coalition, &raw)
            .map_err(|e| e.to_string())
    }

    fn signature(&mut self, coalition: &CoalitionId, hash: &[u8; 32]) -> Option<ChangeSignature> {
        // A store that cannot be read answers as if no signature were there (logged): the
        // evidence is built from the newest one instead, or not at all.
        self.0
            .signature(coalition, hash)
            .inspect_err(|e| tracing::warn!(coalition = %coalition, error = %e, "could not read a signature from the store"))
            .ok()
            .flatten()
    }
}
