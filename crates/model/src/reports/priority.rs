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

/// Most polls over issues read to find the one deciding the priority (latest closed first):
/// past that many later ones that failed their quorum, no priority is found (a member opening
/// poll after poll that nobody answers costs each listing this much at most).
pub const MAX_PRIORITY_READS: usize = 64;

/// The priority decided by the latest of `polls` over issues to have passed by `now`: closed,
/// its quorum reached (the later closing wins, then the greater id, so every node picks the
/// same; at most [`MAX_PRIORITY_READS`] looked at). Proposals that are not polls over issues,
/// still open or failed are passed over; none such: no priority, and the inventory keeps its
/// order.
pub fn inventory_priority<'a>(
    polls: impl IntoIterator<Item = &'a Proposal>,
    now: Timestamp,
) -> Option<Priority> {
    let polls: std::collections::BTreeMap<&ProposalId, &Proposal> = polls
        .into_iter()
        .filter(|p| p.poll.as_ref().is_some_and(|s| !s.issues.is_empty()))
        .map(|p| (&p.id, p))
        .collect();
    let candidates = polls.values().map(|p| (p.closes_at, &p.id));
    let read =
        |id: &ProposalId| Ok::<_, std::convert::Infallible>(polls.get(id).map(|p| (*p).clone()));
    let Ok(found) = latest_passed(candidates, read, now);
    found
}

/// [`inventory_priority`] over what a listing keeps: the proposal headers (those that are
/// polls over issues say so), each candidate read whole with `read` only as needed, latest
/// closed first, until one passed.
pub fn inventory_priority_of<'a, E>(
    headers: impl IntoIterator<Item = (&'a ProposalId, &'a crate::records::ProposalHeader)>,
    read: impl FnMut(&ProposalId) -> Result<Option<Proposal>, E>,
    now: Timestamp,
) -> Result<Option<Priority>, E> {
    let candidates = headers
        .into_iter()
        .filter(|(_, h)| h.ranks_issues)
        .map(|(id, h)| (h.closes_at, id));
    latest_passed(candidates, read, now)
}

/// The priority of the latest of `candidates` (closing time, id) to have passed by `now`,
/// each read with `read` from the latest closed (then the greatest id), at most
/// [`MAX_PRIORITY_READS`].
fn latest_passed<'a, E>(
    candidates: impl IntoIterator<Item = (Option<Timestamp>, &'a ProposalId)>,
    mut read: impl FnMut(&ProposalId) -> Result<Option<Proposal>, E>,
    now: Timestamp,
) -> Result<Option<Priority>, E> {
    let mut closed: Vec<(Timestamp, &ProposalId)> = candidates
        .into_iter()
        .filter_map(|(at, id)| at.filter(|at| *at <= now).map(|at| (at, id)))
        .collect();
    closed.sort_unstable_by(|a, b| b.cmp(a));
    for (_, id) in closed.into_iter().take(MAX_PRIORITY_READS) {
        let Some(p) = read(id)? else { continue };
        if p.poll.as_ref().is_some_and(|s| !s.issues.is_empty())
            && super::proposal_tally(&p, now).outcome == Outcome::Passed
        {
            return Ok(priority_of(&p));
        }
    }
    Ok(None)
}

/// The priority `latest` (a passed poll over issues) decided.
fn priority_of(latest: &Proposal) -> Option<Priority> {
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
