//! Statements of linked coalitions this node carries into a coalition it belongs to (issue
//! 20): from a statements file, or from the other coalition's copy when this node belongs to
//! both. Each is judged as every node's rules will judge it (`model::received`) before it is
//! written; what is not taken is said with its reason, logged, and kept in the node's refusal
//! log against whoever brought it.

use std::collections::BTreeMap;

use model::CoalitionId;
use model::Offer;
use model::federation::{Signed, StatementId};
use model::received::FromLinked;

use crate::{Refusal, Replica, ReplicaError, now};

/// A statement refused when carried in: its id, how many signatures it had, and the
/// receiving side's link decision (a new decision, with another threshold or pin, tries again).
pub type CarryRefusal = (StatementId, usize, model::ProposalId);

/// Statements carried from one coalition this node belongs to into another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// The publishing coalition.
    pub from: CoalitionId,
    /// The receiving coalition.
    pub to: CoalitionId,
    /// Each statement offered, and what became of it.
    pub offers: Vec<(StatementId, Offer)>,
}

impl Replica {
    /// What coalition `id` holds from each coalition linked with it that it takes statements
    /// from: the rosters taken, each statement verifying now (the latest on each subject
    /// marked), and those held that do not verify now.
    pub fn from_linked(
        &mut self,
        id: &CoalitionId,
    ) -> Result<BTreeMap<CoalitionId, FromLinked>, ReplicaError> {
        let links = self.links(id)?;
        // Nothing is read where no link takes statements.
        if links.values().all(|l| l.terms.accept.is_empty()) {
            return Ok(BTreeMap::new());
        }
        let received = model::received::received(&self.loaded(id)?.doc);
        Ok(model::received::from_linked(id, &received, &links))
    }

    /// Carries `items` (statements of coalitions linked with `id`) into coalition `id`, in
    /// this node's member's record: each item's outcome, in order. `source` says where they
    /// came from (a file, a peer) for the refusal log.
    pub fn receive_statements(
        &mut self,
        id: &CoalitionId,
        items: &[Signed],
        source: &str,
    ) -> Result<Vec<(StatementId, Offer)>, ReplicaError> {
        self.arrived_or_err(id)?;
        let out = self.edit(id, |doc, a| doc.receive_statements(&a.member, items, a.now))?;
        for (sid, offer) in &out {
            if let Offer::Refused(e) = offer {
                tracing::warn!(coalition = %id, statement = %sid.short(), source, "statement not taken: {e}");
                let logged = self.log_refusal(Refusal {
                    at: now().as_millis(),
                    peer: source.to_owned(),
                    coalition: Some(id.to_string()),
                    reason: format!("statement {}: {e}", sid.short()),
                });
                if let Err(e) = logged {
                    tracing::warn!(error = %e, "could not log the refusal");
                }
            }
        }
        Ok(out)
    }

    /// Carries what each coalition this node belongs to publishes on a link into the
    /// coalition on the other side, where this node belongs too and a link there takes it (a
    /// member of both, typically a region's delegate): the publisher's rosters and statements
    /// as its export has them, those the receiving link takes and not held there yet. Those in
    /// `refused` (refused before with as many signatures under the same link decision) are left
    /// out, and those refused now are added (up to `MAX_REFUSED_KEPT`), so that a refusal is
    /// not logged again at each round. A coalition that fails is logged and passed over. What
    /// was carried, by pair.
    pub fn carry_statements(
        &mut self,
        refused: &mut std::collections::HashSet<CarryRefusal>,
    ) -> Result<Vec<Carried>, ReplicaError> {
        let mut ids = self.coalition_ids()?;
        ids.retain(|c| !self.is_joining(c));
        let mut out = Vec::new();
        for to in &ids {
            // Only coalitions this node is a member of carry anything in.
            if self.me(to).is_err() {
                continue;
            }
            let _s = tracing::info_span!("coalition", coalition = %to).entered();
            match self.carry_into(to, &ids, refused) {
                Ok(carried) => out.extend(carried),
                // One coalition failing (this organization left it, its key forked...) stops
                // none of the others.
                Err(e) => tracing::warn!(error = %e, "could not carry statements in"),
            }
        }
        Ok(out)
    }

    /// What `carry_statements` carries into coalition `to` from the others of `ids`.
    fn carry_into(
        &mut self,
        to: &CoalitionId,
        ids: &[CoalitionId],
        refused: &mut std::collections::HashSet<CarryRefusal>,
    ) -> Result<Vec<Carried>, ReplicaError> {
        let mut out = Vec::new();
        // What `to` holds, read once, and again only after something was stored.
        let mut held: Option<BTreeMap<StatementId, model::received::Received>> = None;
        for (from, link) in &self.links(to)? {
            if link.terms.accept.is_empty() || !ids.contains(from) || self.me(from).is_err() {
                continue;
            }
            let Some(theirs) = self.links(from)?.remove(to) else {
                continue;
            };
            let drafts = self.drafts(from)?;
            let members = self.in_force(from)?.members.len();
            let Some(chain) = model::statements::roster_chain(&drafts, members) else {
                continue;
            };
            if held.is_none() {
                held = Some(model::received::received(&self.loaded(to)?.doc));
            }
            let Some(held_now) = held.as_ref() else {
                continue;
            };
            let (rosters, statements, _) =
                model::statements::published_for(&drafts, &chain, &theirs.terms);
            let items: Vec<Signed> = rosters
                .into_iter()
                .chain(statements)
                .filter(|d| link.terms.accepts(d.statement.value.kind()))
                .map(model::statements::Draft::signed)
                .filter(|s| {
                    let id = s.id();
                    // Held already if every signature that can count is (those by keys the
                    // rosters do not list are not stored).
                    !refused.contains(&(id, s.cosigns.len(), link.proposal.clone()))
                        && held_now.get(&id).is_none_or(|h| {
                            !s.cosigns
                                .iter()
                                .filter(|c| chain.lists(&c.key))
                                .all(|c| h.cosigns.contains(c))
                        })
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            let source = format!("coalition {from} on this node");
            let offers = self.receive_statements(to, &items, &source)?;
            if offers.iter().any(|(_, o)| *o == Offer::Stored) {
                held = None;
            }
            for ((id, offer), s) in offers.iter().zip(&items) {
                if matches!(offer, Offer::Refused(_)) && refused.len() < crate::MAX_REFUSED_KEPT {
                    refused.insert((*id, s.cosigns.len(), link.proposal.clone()));
                }
            }
            out.push(Carried {
                from: from.clone(),
                to: to.clone(),
                offers,
            });
        }
        Ok(out)
    }
}
