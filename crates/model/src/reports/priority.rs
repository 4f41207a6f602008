//! The issue inventory's priority, as the latest poll over its issues to pass decided it.

use serde::{Deserialize, Serialize};

use crate::ids::{IssueId, ProposalId};
use crate::poll::{PollMethod, PollResult};
use crate::schema::Proposal;
use crate::tally::Outcome;
use crate::values::Timestamp;

/// An issue's place in the inventory's priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placed {
    /// The issue.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub issue: IssueId,
    /// Its place, from 1; issues of equal totals share a place (1, 2, 2, 4).
    pub place: u32,
    /// Its total: dots, or the sum of the scores, each ballot times its member's weight.
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub total: u128,
}

/// The inventory's priority and the poll that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Priority {
    /// The poll.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub proposal: ProposalId,
    /// Its title.
    pub title: String,
    /// When it closed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub closed_at: Timestamp,
    /// How it was counted (`dots:N` or `score:N`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub method: PollMethod,
    /// The issues it ranked, highest first (equal totals by the poll's order of options).
    pub places: Vec<Placed>,
}

impl Priority {
    /// `issue`'s place, if the poll ranked it.
    pub fn place_of(&self, issue: &IssueId) -> Option<u32> {
        self.places
            .iter()
            .find(|p| &p.issue == issue)
            .map(|p| p.place)
    }
}

/// The priority decided by the latest of `polls` over issues to have passed by `now`: closed,
/// its quorum reached (the later closing wins, then the greater id, so every node picks the
/// same). Proposals that are not polls over issues, still open or failed are passed over;
/// none such: no priority, and the inventory keeps its order.
pub fn inventory_priority<'a>(
    polls: impl IntoIterator<Item = &'a Proposal>,
    now: Timestamp,
) -> Option<Priority> {
    let latest = polls
        .into_iter()
        .filter(|p| p.poll.as_ref().is_some_and(|s| !s.issues.is_empty()))
        .filter(|p| super::proposal_tally(p, now).outcome == Outcome::Passed)
        .max_by(|a, b| (a.closes_at, &a.id).cmp(&(b.closes_at, &b.id)))?;
    let spec = latest.poll.as_ref()?;
    let (totals, order) = match super::poll_result(latest)? {
        PollResult::Dots(t) => (t.totals, t.order),
        PollResult::Score(s) => (s.totals, s.order),
        // Receipt lets only dots and scores rank issues.
        _ => return None,
    };
    let mut places = Vec::with_capacity(spec.issues.len());
    for group in order {
        let place = u32::try_from(places.len() + 1).unwrap_or(u32::MAX);
        for o in group {
            if let (Some(issue), Some(total)) = (spec.issues.get(o), totals.get(o)) {
                places.push(Placed {
                    issue: issue.clone(),
                    place,
                    total: *total,
                });
            }
        }
    }
    Some(Priority {
        proposal: latest.id.clone(),
        title: latest.title.clone(),
        closed_at: latest.closes_at?,
        method: spec.method,
        places,
    })
}
