//! The joint issue inventory: issues and their evidence.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::Prose;
use crate::ids::{IssueId, MemberId};
use crate::values::{IssueStatus, Rank, Timestamp};

/// An issue in the joint inventory.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Issue {
    /// Issue id.
    pub id: IssueId,
    /// Short title.
    pub title: String,
    /// Longer description.
    pub description: Prose,
    /// Member that raised it.
    pub raised_by: MemberId,
    /// Lead member (often the most affected community).
    pub lead: MemberId,
    /// Identity tags it touches.
    pub tags: Vec<String>,
    /// Evidence supporting it.
    pub evidence: Vec<Evidence>,
    /// Where it stands.
    pub status: IssueStatus,
    /// Each sharing member's priority rank (1 highest), by member id.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub ranks: BTreeMap<MemberId, Rank>,
    /// When it was raised.
    pub created_at: Timestamp,
}

/// One piece of evidence for an issue.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it comes from.
    pub source: String,
    /// The figure or finding.
    pub figure: String,
    /// How the data is disaggregated (by race, gender, language...).
    pub disaggregation: String,
    /// Member that added it.
    pub added_by: MemberId,
}
