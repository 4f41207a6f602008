//! Member records: a member organization, and a record that is not (or not yet) a member in
//! force.

use autosurgeon::{Hydrate, HydrateError, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::{MemberId, ProposalId};
use crate::values::{NodeKey, Timestamp};

/// A member organization.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// Member id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: MemberId,
    /// Organization name.
    pub name: String,
    /// Communities the organization represents.
    pub communities: Vec<String>,
    /// Languages it works in.
    pub languages: Vec<String>,
    /// Accessibility needs to plan for.
    pub accessibility: Vec<String>,
    /// How to reach it.
    pub contact: String,
    /// Keys of the nodes that act for it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub keys: Vec<NodeKey>,
    /// When it joined.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub joined_at: Timestamp,
    /// When it left the coalition (written by the member itself).
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub left_at: Option<Timestamp>,
    /// Under an admission rule that is a vote: the membership proposal that decides it.
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub admission: Option<ProposalId>,
    /// Other members' node keys this member's node found writing two histories (checked
    /// evidence of a fork, see `sync::forks`). A key flagged by two members in force other
    /// than its own is refused from then on: see [`crate::governance::InForce::flagged`].
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub flagged: Vec<NodeKey>,
}

/// Why a member record is not a member in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepartureStatus {
    /// It left (it wrote `left_at`).
    Left,
    /// A passed membership proposal removed it.
    Removed,
    /// Awaiting its admission vote.
    Pending,
}

impl DepartureStatus {
    /// The name printed and in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Removed => "removed",
            Self::Pending => "pending",
        }
    }
}

impl std::fmt::Display for DepartureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member record that is not (or not yet) a member in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Departure {
    /// The member's record.
    #[serde(flatten)]
    pub member: Member,
    /// Left, removed, or pending (awaiting its admission vote).
    pub status: DepartureStatus,
    /// The proposal that removed it, or that decides its admission.
    pub proposal: Option<ProposalId>,
    /// When it left or was removed.
    pub since: Option<Timestamp>,
}

impl Hydrate for Departure {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        _doc: &D,
        _obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Err(HydrateError::unexpected(
            "nothing: departures are derived, not stored",
            "a stored departure".to_owned(),
        ))
    }
}
