//! The coalition's reports: which members share which issues (overlap), how each pool's
//! allocations are spread (equity), and how power is shared (the power audit). Each is
//! computed from the whole coalition, read once.

use anyhow::Context;
use model::CoalitionId;
use model::reports::{EquityReport, OverlapReport, PowerReport};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The overlap report: issues by how many members share them and how high they rank them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OverlapView {
    /// The report (`issues`: rows most shared first; `members`: what each member shares).
    #[schema(value_type = Object)]
    pub report: OverlapReport,
    /// How many members are in force (what "shared by 3 of 6" counts against).
    pub members: usize,
}

/// The equity report: per pool, what each member pledged, gave and received.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EquityView {
    /// The report.
    #[schema(value_type = Object)]
    pub report: EquityReport,
}

/// The power audit: proposals, facilitation, resources, positions and blocks per member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PowerView {
    /// The report.
    #[schema(value_type = Object)]
    pub report: PowerReport,
}

fn read(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<model::Coalition> {
    r.read(c)
        .with_context(|| format!("could not read coalition {c}"))
}

/// The overlap report.
pub fn overlap(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<OverlapView> {
    let state = read(r, c)?;
    Ok(OverlapView {
        report: model::reports::overlap(&state),
        members: state.members.len(),
    })
}

/// The equity report, as of now.
pub fn equity(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<EquityView> {
    let state = read(r, c)?;
    Ok(EquityView {
        report: model::reports::equity(&state, replica::now()),
    })
}

/// The power audit, as of now.
pub fn power(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<PowerView> {
    let state = read(r, c)?;
    Ok(PowerView {
        report: model::reports::power(&state, replica::now()),
    })
}
