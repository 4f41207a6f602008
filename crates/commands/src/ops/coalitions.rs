//! The coalitions this node holds: list them (with their counts, read from the governance and
//! the listings' headers, not from a whole read of each) and found a new one.

use model::CoalitionId;
pub use replica::CoalitionSummary;
use replica::{NewCoalition, Replica};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A coalition to found, this node's organization its first member.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCoalitionRequest {
    /// Its name (up to 200 characters).
    pub name: String,
    /// The unifying frame: what brings the members together (up to 20,000 characters).
    #[serde(default)]
    pub frame: String,
    /// Core values (up to 50, each up to 200 characters).
    #[serde(default)]
    pub values: Vec<String>,
    /// Non-negotiable commitments (up to 50, each up to 200 characters).
    #[serde(default)]
    pub commitments: Vec<String>,
    /// The share of a pool's allocations above which one member receiving it is flagged, as
    /// a fraction such as `1/2` (the default).
    #[serde(default)]
    pub equity_threshold: Option<String>,
}

/// Every coalition held here whose data has arrived, by name.
pub fn list(r: &mut Replica) -> anyhow::Result<Vec<CoalitionSummary>> {
    Ok(r.coalitions()?)
}

/// Founds a coalition; returns its id.
pub fn create(r: &mut Replica, req: NewCoalitionRequest) -> anyhow::Result<CoalitionId> {
    let equity_threshold = req
        .equity_threshold
        .as_deref()
        .map(|t| t.trim().parse::<model::Fraction>())
        .transpose()?;
    Ok(r.found_coalition(NewCoalition {
        name: req.name,
        frame: req.frame,
        values: req.values,
        commitments: req.commitments,
        equity_threshold,
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;
    use crate::ops::{ErrorCode, OpError};

    /// The counts are those of a whole read of each coalition.
    #[test]
    fn coalitions_are_counted_as_the_whole_read_counts_them() {
        let (_dir, mut r, c) = replica();
        let issue = crate::ops::issues::NewIssueRequest {
            title: "Bus fares".into(),
            ..Default::default()
        };
        crate::ops::issues::create(&mut r, &c, issue).unwrap();
        let pool = crate::ops::pools::NewPoolRequest {
            name: "Legal defense fund".into(),
            kind: "funds".into(),
            unit: "USD".into(),
            description: String::new(),
        };
        crate::ops::pools::create(&mut r, &c, pool).unwrap();
        let proposal = crate::ops::proposals::NewProposalRequest {
            kind: "general".into(),
            title: "Adopt the fare campaign".into(),
            ..Default::default()
        };
        crate::ops::proposals::create(&mut r, &c, proposal).unwrap();
        let other = create(
            &mut r,
            NewCoalitionRequest {
                name: "Housing Now".into(),
                equity_threshold: Some("2/3".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let listed = list(&mut r).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].id, other, "by name");
        let whole = r.read(&c).unwrap();
        let me = whole.members.keys().next().cloned();
        assert_eq!(
            listed[1],
            CoalitionSummary {
                id: c.clone(),
                name: whole.charter.name.clone(),
                members: whole.members.len(),
                issues: whole.issues.len(),
                pools: whole.pools.len(),
                proposals: whole.proposals.len(),
                me,
            }
        );
        assert_eq!(
            (listed[1].issues, listed[1].pools, listed[1].proposals),
            (1, 1, 1)
        );
        assert_eq!(
            r.read(&other).unwrap().charter.equity_threshold.to_string(),
            "2/3"
        );
        let code = |e: anyhow::Error| OpError::from_anyhow(&e).code;
        let bad = NewCoalitionRequest {
            name: "Transit".into(),
            equity_threshold: Some("lots".into()),
            ..Default::default()
        };
        assert_eq!(code(create(&mut r, bad).unwrap_err()), ErrorCode::Invalid);
        let unnamed = NewCoalitionRequest::default();
        assert_eq!(
            code(create(&mut r, unnamed).unwrap_err()),
            ErrorCode::Invalid
        );
    }
}
