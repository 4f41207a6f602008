//! The statements this coalition publishes to linked coalitions, as this node drafts and
//! co-signs them (issue 20): a draft is built from this node's copy at its heads now
//! (`model::statements::statement_at`) and signed by this node at once; another member's draft
//! is co-signed only if this node computes the same bytes from its own copy
//! (`model::statements::recompute`), and says why not otherwise.

use std::collections::BTreeMap;

use model::federation::{Cosign, StatementId, Subject};
use model::statements::{Draft, Expected, Stated, Topic};
use model::{CoalitionId, Timestamp};

use crate::{Replica, ReplicaError, now};

/// Why a draft was not co-signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// No draft has that id.
    #[error("no statement drafted in this coalition has id {0}")]
    NoDraft(String),
    /// The draft supersedes a statement this node does not hold.
    #[error("the draft follows statement {0}, which this node does not hold (yet)")]
    UnknownPrevious(String),
    /// This node computes otherwise, or does not hold the heads yet.
    #[error(transparent)]
    Differs(#[from] model::statements::BuildError),
    /// Reading or storing failed.
    #[error(transparent)]
    Replica(#[from] ReplicaError),
}

impl Replica {
    /// Every statement drafted in coalition `id`, with the co-signatures that verify.
    pub fn drafts(
        &mut self,
        id: &CoalitionId,
    ) -> Result<BTreeMap<StatementId, Draft>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(model::statements::drafts(self.loaded(id)?.doc.automerge()))
    }

    /// The version of the roster coalition `id` publishes under (0 before its first).
    pub fn roster_version(&mut self, id: &CoalitionId) -> Result<u64, ReplicaError> {
        let drafts = self.drafts(id)?;
        let members = self.in_force(id)?.members.len();
        Ok(
            model::statements::roster_in_force(&drafts, members)
                .map_or(0, |d| d.statement.sequence),
        )
    }

    /// Drafts the statement of `topic` from this node's copy now, following the latest on its
    /// subject, and co-signs it; its id.
    pub fn draft_statement(
        &mut self,
        id: &CoalitionId,
        topic: &Topic,
    ) -> Result<StatementId, SignError> {
        let drafts = self.drafts(id)?;
        let members = self.in_force(id)?.members.len();
        let in_force = model::statements::roster_in_force(&drafts, members);
        let roster = in_force.map_or(0, |d| d.statement.sequence);
        let at = Timestamp::from_secs(now().as_secs());
        let loaded = self.loaded(id)?;
        let heads = loaded.doc.heads();
        // The subject is the value's: built once to find it, then again in its place.
        let probe = model::statements::statement_at(
            &mut loaded.doc,
            &heads,
            topic,
            Stated {
                as_of: at,
                roster,
                sequence: 1,
                supersedes: None,
            },
        )?;
        let subject: Subject = probe.subject();
        let previous = if matches!(topic, Topic::Roster) {
            in_force
        } else {
            model::statements::latest_on(&drafts, &subject)
        };
        let stated = Stated {
            as_of: at,
            roster,
            sequence: previous.map_or(1, |p| p.statement.sequence.saturating_add(1)),
            supersedes: previous.map(|p| p.id.0),
        };
        let statement = model::statements::statement_at(&mut loaded.doc, &heads, topic, stated)?;
        let secret = self.identity.secret_bytes();
        let made = self.edit(id, |doc, a| {
            let sid = doc.draft_statement(&a.member, &statement, a.now)?;
            let cosign = Cosign::sign(&secret, &sid);
            doc.cosign_statement(&a.member, &sid, &cosign, a.now)?;
            Ok(sid)
        })?;
        Ok(made)
    }

    /// Co-signs the draft `statement` of coalition `id` if this node computes the same bytes
    /// from its own copy and it follows what was published before.
    pub fn sign_statement(
        &mut self,
        id: &CoalitionId,
        statement: &StatementId,
    ) -> Result<(), SignError> {
        let drafts = self.drafts(id)?;
        let draft = drafts
            .get(statement)
            .ok_or_else(|| SignError::NoDraft(statement.hex()))?;
        let previous = match draft.statement.supersedes {
            Some(p) => Some(
                drafts
                    .get(&StatementId(p))
                    .ok_or_else(|| SignError::UnknownPrevious(StatementId(p).short()))?,
            ),
            None => None,
        };
        let roster = self.roster_version(id)?;
        let expected = Expected {
            now: now(),
            roster,
            previous: previous.map(|p| &p.statement),
        };
        let loaded = self.loaded(id)?;
        model::statements::recompute(&mut loaded.doc, &draft.statement, expected)?;
        let secret = self.identity.secret_bytes();
        let cosign = Cosign::sign(&secret, statement);
        self.edit(id, |doc, a| {
            doc.cosign_statement(&a.member, statement, &cosign, a.now)
        })?;
        Ok(())
    }
}
