//! The issue inventory's priority, as the latest poll over its issues to pass decided it.

use serde::{Deserialize, Serialize};

use crate::ids::{IssueId, MemberId, ProposalId};
use crate::poll::{PollMethod, PollResult};
use crate::records::ProposalHeader;
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

/// Most polls over issues read whole to find the one deciding the priority: those the
/// headers say passed, latest closed first, of which only one that does not read is passed
/// over for the next.
pub const MAX_PRIORITY_READS: usize = 8;

/// The priority decided by the latest poll over issues to have passed by `now` (closed, its
/// quorum reached; the later closing wins, then the greater id, so every node picks the same),
/// found from the proposal headers (those that are polls over issues say so, with their
/// rule's quorum, electorate and who cast a ballot): only that poll is read whole, with
/// `read`, for its count (one that does not read is passed over, at most
/// [`MAX_PRIORITY_READS`]). None such: no priority, and the inventory keeps its order; polls
/// that failed their quorum, however many, cost a look at their headers.
pub fn inventory_priority_of<'a, E>(
    headers: impl IntoIterator<Item = (&'a ProposalId, &'a ProposalHeader)>,
    mut read: impl FnMut(&ProposalId) -> Result<Option<Proposal>, E>,
    now: Timestamp,
) -> Result<Option<Priority>, E> {
    let mut passed: Vec<(Timestamp, &ProposalId)> = headers
        .into_iter()
        .filter(|(_, h)| h.ranks_issues && header_outcome(h, now) == Outcome::Passed)
        .filter_map(|(id, h)| h.closes_at.map(|at| (at, id)))
        .collect();
    passed.sort_unstable_by(|a, b| b.cmp(a));
    for (_, id) in passed.into_iter().take(MAX_PRIORITY_READS) {
        let Some(p) = read(id)? else { continue };
        // As the headers said (every ballot stored was cast before the close, by an elector:
        // the rules on receipt see to it).
        if p.poll.as_ref().is_some_and(|s| !s.issues.is_empty())
            && super::proposal_tally(&p, now).outcome == Outcome::Passed
        {
            return Ok(priority_of(&p));
        }
    }
    Ok(None)
}

/// A poll's outcome as its header tells it: [`super::proposal_tally`]'s for a poll, from who
/// of its electorate cast a ballot.
pub fn header_outcome(h: &ProposalHeader, now: Timestamp) -> Outcome {
    let Some(quorum) = h.quorum else {
        return Outcome::Open;
    };
    let mut deciding: Vec<&MemberId> = h.electorate.iter().collect();
    deciding.sort_unstable();
    deciding.dedup();
    let cast = h
        .ballots
        .iter()
        .filter(|m| deciding.binary_search(m).is_ok())
        .count();
    super::tallies::poll_outcome(
        quorum,
        (cast as u64, deciding.len() as u64),
        h.closes_at,
        now,
    )
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
