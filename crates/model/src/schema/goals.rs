//! The charter's shared goals and the progress measured towards them.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::{GoalId, MemberId};
use crate::values::{Amount, Day};

/// A shared goal with a measurable benchmark.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    /// Goal id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: GoalId,
    /// What the coalition wants.
    pub title: String,
    /// The benchmark's target figure.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub target: Amount,
    /// Unit of the target (percent, households, USD...).
    pub unit: String,
    /// Dated progress entries, oldest first.
    pub progress: Vec<Progress>,
    /// Member that added the goal.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub added_by: MemberId,
}

/// A dated measurement of progress towards a goal.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    /// Day of the measurement.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub day: Day,
    /// The figure reached.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub value: Amount,
    /// How it was measured.
    pub note: String,
    /// Member that recorded it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: MemberId,
}
