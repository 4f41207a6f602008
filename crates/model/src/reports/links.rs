//! The links in force on this side: with each other coalition, the terms of the latest link
//! proposal about it to pass (decided last; of two decided at one moment, the greater id, so
//! every node picks the same), unless that one ended the link. What was published before a
//! link ended stays published; it is the receiving side's to keep.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{CoalitionId, ProposalId};
use crate::records::ProposalHeader;
use crate::schema::{LinkTerms, Proposal};
use crate::tally::Outcome;
use crate::values::{DecisionKind, LinkRelation, Timestamp};

/// A link in force, and the decision that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInForce {
    /// The link proposal that passed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub proposal: ProposalId,
    /// When it was decided.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub decided_at: Timestamp,
    /// Its terms.
    pub terms: LinkTerms,
}

/// The links in force at `now`, from the proposal headers: only link proposals are read, with
/// `read`.
pub fn links_of<'a, E>(
    headers: impl IntoIterator<Item = (&'a ProposalId, &'a ProposalHeader)>,
    mut read: impl FnMut(&ProposalId) -> Result<Option<Proposal>, E>,
    now: Timestamp,
) -> Result<BTreeMap<CoalitionId, LinkInForce>, E> {
    let mut proposals = Vec::new();
    for (id, h) in headers {
        if h.kind == DecisionKind::Link
            && let Some(p) = read(id)?
        {
            proposals.push(p);
        }
    }
    Ok(links(&proposals, now))
}

/// The links in force at `now` among `proposals` (any kinds: only passed link proposals
/// count).
pub fn links<'a>(
    proposals: impl IntoIterator<Item = &'a Proposal>,
    now: Timestamp,
) -> BTreeMap<CoalitionId, LinkInForce> {
    let mut latest: BTreeMap<CoalitionId, LinkInForce> = BTreeMap::new();
    for p in proposals {
        let Some(terms) = p.link.as_ref().filter(|_| p.kind == DecisionKind::Link) else {
            continue;
        };
        if super::proposal_tally(p, now).outcome != Outcome::Passed {
            continue;
        }
        // Decided by `now` (a position stating a later time decides nothing yet).
        let Some(at) = super::decided_at(p, now).filter(|at| *at <= now) else {
            continue;
        };
        let newer = latest
            .get(&terms.coalition)
            .is_none_or(|l| (at, &p.id) > (l.decided_at, &l.proposal));
        if newer {
            latest.insert(
                terms.coalition.clone(),
                LinkInForce {
                    proposal: p.id.clone(),
                    decided_at: at,
                    terms: terms.clone(),
                },
            );
        }
    }
    latest.retain(|_, l| l.terms.relation != LinkRelation::End);
    latest
}
