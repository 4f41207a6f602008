//! Resource pools and the entries of their ledgers.
//!
//! A ledger is an append-only map of entries keyed by id (entries never change once written:
//! [`crate::rules`]); balances and equity are computed from it ([`crate::reports`]), never stored.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::Prose;
use crate::ids::{EntryId, MemberId, PoolId, ProposalId};
use crate::values::{Amount, EntryKind, PoolKind, Timestamp};

/// A resource pool with its append-only ledger.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Pool {
    /// Pool id.
    pub id: PoolId,
    /// Name.
    pub name: String,
    /// What it holds.
    pub kind: PoolKind,
    /// Unit of its amounts (USD, hours, rooms...).
    pub unit: String,
    /// What it is for.
    pub description: Prose,
    /// Member that created it.
    pub created_by: MemberId,
    /// When it was created.
    pub created_at: Timestamp,
    /// Ledger entries by entry id; never modified once written.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub ledger: BTreeMap<EntryId, LedgerEntry>,
}

/// An entry in a pool's ledger.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Entry id.
    pub id: EntryId,
    /// Pledge, contribution or request.
    pub kind: EntryKind,
    /// The member giving (pledge, contribution) or asking to receive (request).
    pub member: MemberId,
    /// How much.
    pub amount: Amount,
    /// Why, or a note.
    pub note: String,
    /// When it was written.
    pub at: Timestamp,
    /// For a request, the allocation proposal that decides it.
    #[autosurgeon(missing = "Default::default")]
    pub proposal: Option<ProposalId>,
}
