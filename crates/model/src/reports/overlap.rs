//! The overlap report: issues ranked by how many members share them and how high they rank
//! them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{IssueId, MemberId};
use crate::schema::{Coalition, Member};
use crate::values::{IssueStatus, Rank};

/// One issue in the overlap report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverlapRow {
    /// Issue id.
    pub issue: IssueId,
    /// Title.
    pub title: String,
    /// Status.
    pub status: IssueStatus,
    /// Lead member id.
    pub lead: MemberId,
    /// How many members share it.
    pub members_sharing: usize,
    /// Sum of the sharers' rank weights (rank 1 weighs 10, rank 10 weighs 1).
    pub score: u64,
    /// Who shares it, highest priority first.
    pub shared_by: Vec<Sharer>,
}

/// A member sharing an issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sharer {
    /// Member id.
    pub member: MemberId,
    /// Organization name.
    pub name: String,
    /// Its rank for the issue.
    pub rank: Rank,
}

/// Issues ranked by how many members share them and how high they rank them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverlapReport {
    /// Issues, most shared first; ties by score, then title.
    pub issues: Vec<OverlapRow>,
    /// For each member, the issues it shares.
    pub members: BTreeMap<MemberId, Vec<IssueId>>,
}

/// What the overlap report reads of one issue.
#[derive(Debug, Clone, Copy)]
pub struct IssueFacts<'a> {
    /// Issue id.
    pub id: &'a IssueId,
    /// Title.
    pub title: &'a str,
    /// Status.
    pub status: IssueStatus,
    /// Lead member.
    pub lead: &'a MemberId,
    /// Each sharing member's rank.
    pub ranks: &'a BTreeMap<MemberId, Rank>,
}

/// The overlap report. Dropped issues are left out.
pub fn overlap(state: &Coalition) -> OverlapReport {
    overlap_of(
        state.issues.values().map(|i| IssueFacts {
            id: &i.id,
            title: &i.title,
            status: i.status,
            lead: &i.lead,
            ranks: &i.ranks,
        }),
        &state.members,
    )
}

/// The overlap report of `issues` (what a whole read holds of them, e.g. the listing's
/// headers) among the members in force `members_in_force`: what [`overlap`] computes of the whole
/// coalition, for a caller that keeps only those.
pub fn overlap_of<'a>(
    issues: impl Iterator<Item = IssueFacts<'a>>,
    members_in_force: &BTreeMap<MemberId, Member>,
) -> OverlapReport {
    let mut rows: Vec<OverlapRow> = issues
        .filter(|i| i.status != IssueStatus::Dropped)
        .map(|i| {
            let mut shared_by: Vec<Sharer> = i
                .ranks
                .iter()
                .filter_map(|(m, r)| {
                    Some(Sharer {
                        member: m.clone(),
                        name: members_in_force.get(m)?.name.clone(),
                        rank: *r,
                    })
                })
                .collect();
            shared_by.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));
            OverlapRow {
                issue: i.id.clone(),
                title: i.title.to_owned(),
                status: i.status,
                lead: i.lead.clone(),
                members_sharing: shared_by.len(),
                score: shared_by.iter().map(|s| s.rank.weight()).sum(),
                shared_by,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.members_sharing
            .cmp(&a.members_sharing)
            .then(b.score.cmp(&a.score))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.issue.cmp(&b.issue))
    });
    let mut members: BTreeMap<MemberId, Vec<IssueId>> = members_in_force
        .keys()
        .map(|m| (m.clone(), Vec::new()))
        .collect();
    for row in &rows {
        for s in &row.shared_by {
            members
                .entry(s.member.clone())
                .or_default()
                .push(row.issue.clone());
        }
    }
    OverlapReport {
        issues: rows,
        members,
    }
}
