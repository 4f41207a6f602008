//! The statements this coalition publishes to linked coalitions, as this node drafts and
//! co-signs them (issue 20). What the coalition has published is replayed from the drafts in
//! members' records as a receiver would take it: the roster chain (`model::statements::
//! roster_chain`) and, on each subject, the latest statement that verifies through it with the
//! weakest threshold its links ask (anything a link may have received: `published_latest`); a
//! member's own junk draft is never what a new one follows. A draft is built from this node's copy at its heads now and checked
//! as a co-signer would check it before this node signs it; another member's draft is
//! co-signed only if it follows what was published and this node computes the same bytes from
//! its own copy (`model::statements::recompute`), and says why not otherwise.

use std::collections::BTreeMap;

use model::federation::{Cosign, RosterChain, StatementId, Subject, Threshold, Value};
use model::statements::{BuildError, Draft, Expected, Stated, Topic};
use model::{CoalitionId, Timestamp};

use crate::{Replica, ReplicaError, now};

/// Why a statement was not drafted or co-signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// No draft has that id.
    #[error("no statement drafted in this coalition has id {0}")]
    NoDraft(String),
    /// Statements other than the roster wait for a roster a majority signed.
    #[error(
        "the coalition has no roster yet: draft it first (`statement draft --kind roster`); it \
         takes effect once a majority of the members co-sign it"
    )]
    NoRoster,
    /// This node computes otherwise, does not hold the heads yet, or the draft does not follow
    /// what was published.
    #[error(transparent)]
    Differs(#[from] BuildError),
    /// Reading or storing failed.
    #[error(transparent)]
    Replica(#[from] ReplicaError),
}

/// What the coalition has published, replayed from its drafts.
pub(crate) struct Published {
    pub(crate) drafts: BTreeMap<StatementId, Draft>,
    pub(crate) chain: Option<RosterChain>,
    /// The weakest threshold among the links in force (what any of them may have received; at
    /// most the roster's size; two when no link asks: one member alone publishes nothing).
    pub(crate) threshold: Threshold,
}

impl Published {
    /// The statement on `subject` one follows: the roster in force for a roster, else the
    /// latest published on it; `except` itself left out (a statement already published is
    /// signed by more members as the one it follows).
    fn previous(&self, subject: &Subject, except: Option<&StatementId>) -> Option<&Draft> {
        let chain = self.chain.as_ref()?;
        if subject.kind == model::federation::Kind::Roster {
            let ids = chain.ids();
            let newest = chain.newest_id();
            let id = if Some(&newest) == except {
                ids.len().checked_sub(2).map(|i| ids[i].1)?
            } else {
                newest
            };
            return self.drafts.get(&id);
        }
        model::statements::published_latest(&self.drafts, chain, subject, self.threshold, except)
    }

    fn roster(&self) -> u64 {
        self.chain.as_ref().map_or(0, RosterChain::version)
    }
}

impl Replica {
    /// Every statement drafted in coalition `id`, with every co-signature that verifies.
    pub fn drafts(
        &mut self,
        id: &CoalitionId,
    ) -> Result<BTreeMap<StatementId, Draft>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(model::statements::drafts(&self.loaded(id)?.doc))
    }

    /// The coalition's roster chain as receivers take it (none before a first roster a
    /// majority signed).
    pub fn roster_chain(&mut self, id: &CoalitionId) -> Result<Option<RosterChain>, ReplicaError> {
        let members = self.in_force(id)?.members.len();
        Ok(model::statements::roster_chain(&self.drafts(id)?, members))
    }

    /// Whether every one of `older` is among the changes `newer` holds (`newer` saw them).
    fn holds(&mut self, id: &CoalitionId, older: &[[u8; 32]], newer: &[[u8; 32]]) -> bool {
        let Ok(loaded) = self.loaded(id) else {
            return false;
        };
        let newer: Vec<model::automerge::ChangeHash> = newer
            .iter()
            .map(|h| model::automerge::ChangeHash(*h))
            .collect();
        let Ok(at) = loaded.doc.automerge_mut().fork_at(&newer) else {
            return false;
        };
        older.iter().all(|h| {
            model::automerge::ReadDoc::get_change_by_hash(&at, &model::automerge::ChangeHash(*h))
                .is_some()
        })
    }

    pub(crate) fn published(&mut self, id: &CoalitionId) -> Result<Published, ReplicaError> {
        let drafts = self.drafts(id)?;
        let members = self.in_force(id)?.members.len();
        let chain = model::statements::roster_chain(&drafts, members);
        let weakest = self
            .links(id)?
            .values()
            .map(|l| l.terms.threshold)
            .min()
            .unwrap_or(2);
        let size = chain
            .as_ref()
            .map_or(1, |c| c.newest().members.len() as u64);
        Ok(Published {
            drafts,
            chain,
            threshold: Threshold::clamped(weakest.min(size)),
        })
    }

    /// Drafts the statement of `topic` from this node's copy now, following what was
    /// published on its subject, checks it as a co-signer would, and signs it; its id.
    pub fn draft_statement(
        &mut self,
        id: &CoalitionId,
        topic: &Topic,
    ) -> Result<StatementId, SignError> {
        let published = self.published(id)?;
        if published.chain.is_none() && !matches!(topic, Topic::Roster) {
            return Err(SignError::NoRoster);
        }
        let roster = published.roster();
        let previous = published.previous(&topic.subject(id.to_bytes()), None);
        let loaded = self.loaded(id)?;
        // Not before its heads' changes nor the statement it follows (clocks differ).
        let moment = model::governance::latest_moment(loaded.doc.automerge());
        let as_of = [
            now(),
            moment,
            previous.map_or(Timestamp::MIN, |p| {
                Timestamp::from_millis(p.statement.as_of)
            }),
        ]
        .into_iter()
        .max()
        .unwrap_or_else(now);
        let stated = Stated {
            as_of: Timestamp::from_secs(as_of.as_secs() + i64::from(as_of.as_millis() % 1000 != 0)),
            roster,
            sequence: previous.map_or(1, |p| p.statement.sequence.saturating_add(1)),
            supersedes: previous.map(|p| p.id.0),
        };
        // Built from the document as it is (its heads now), and checked as a co-signer would.
        let statement = model::statements::statement_of(&mut loaded.doc, topic, stated)?;
        let expected = Expected {
            now: now(),
            roster,
            previous: previous.map(|p| &p.statement),
        };
        model::statements::check_stated(&loaded.doc, &statement, expected)?;
        let secret = self.identity.secret_bytes();
        let made = self.edit(id, |doc, a| {
            let sid = doc.draft_statement(&a.member, &statement, a.now)?;
            let cosign = Cosign::sign(&secret, &sid);
            doc.cosign_statement(&a.member, &sid, &cosign, a.now)?;
            Ok(sid)
        })?;
        Ok(made)
    }

    /// Co-signs the draft `statement` of coalition `id` if it follows what was published on
    /// its subject and this node computes the same bytes from its own copy.
    pub fn sign_statement(
        &mut self,
        id: &CoalitionId,
        statement: &StatementId,
    ) -> Result<(), SignError> {
        let published = self.published(id)?;
        let draft = published
            .drafts
            .get(statement)
            .ok_or_else(|| SignError::NoDraft(statement.hex()))?;
        if published.chain.is_none()
            && draft.statement.value.kind() != model::federation::Kind::Roster
        {
            return Err(SignError::NoRoster);
        }
        let previous = published.previous(&draft.statement.subject(), Some(statement));
        // This member signs another roster of a version it signed one of only if it was
        // computed at heads that hold that one's (a newer view): two rosters drafted apart meet
        // in a third, and no member's signatures split a version two ways at one view.
        if let Value::Roster(_) = draft.statement.value {
            let me = self.me(id)?;
            let other = published.drafts.values().find(|d| {
                d.id != *statement
                    && matches!(d.statement.value, Value::Roster(_))
                    && d.statement.sequence == draft.statement.sequence
                    && d.cosigns.contains_key(&me)
                    && !self.holds(id, &d.statement.heads, &draft.statement.heads)
            });
            if let Some(other) = other {
                return Err(BuildError::Unexpected(format!(
                    "is roster {}, and this member signed another roster {} ({})",
                    draft.statement.sequence,
                    draft.statement.sequence,
                    other.id.short()
                ))
                .into());
            }
        }
        if draft.statement.supersedes != previous.map(|p| p.id.0) {
            return Err(BuildError::Unexpected(match previous {
                Some(p) => format!(
                    "does not follow statement {} (number {}), the latest published on its subject",
                    p.id.short(),
                    p.statement.sequence
                ),
                None => "follows a statement that was never published".to_owned(),
            })
            .into());
        }
        // A roster is signed under the one it follows (already replaced by it, for a late
        // co-signer); any other statement under the roster in force.
        let roster = match draft.statement.value {
            Value::Roster(_) => previous.map_or(0, |p| p.statement.sequence),
            _ => published.roster(),
        };
        // A call signed after its question closed would ask affiliates of a count already
        // closed, whatever time the draft states.
        if let Value::Call(c) = &draft.statement.value
            && now().as_millis() >= c.closes_at
        {
            let e = model::statements::call_after_close(Timestamp::from_millis(c.closes_at));
            tracing::warn!(coalition = %id, statement = %statement.short(), "not co-signed: {e}");
            return Err(e.into());
        }
        let expected = Expected {
            now: now(),
            roster,
            previous: previous.map(|p| &p.statement),
        };
        let loaded = self.loaded(id)?;
        if let Err(e) = model::statements::recompute(&mut loaded.doc, &draft.statement, expected) {
            tracing::warn!(coalition = %id, statement = %statement.short(), "not co-signed: {e}");
            return Err(e.into());
        }
        // Its facts as this node holds them now: a draft made at older heads is out of date
        // once newer changes alter what it says (old facts are not stated as of now). Made at
        // this node's heads, `recompute` just built them.
        let mut heads: Vec<[u8; 32]> = loaded.doc.heads().iter().map(|h| h.0).collect();
        heads.sort_unstable();
        let current = heads == draft.statement.heads;
        if let (false, Ok(topic)) = (current, model::statements::topic_of(&draft.statement)) {
            let stated = Stated {
                as_of: Timestamp::from_millis(draft.statement.as_of),
                roster: draft.statement.roster,
                sequence: draft.statement.sequence,
                supersedes: draft.statement.supersedes,
            };
            let now_value = model::statements::statement_of(&mut loaded.doc, &topic, stated)?;
            if now_value.value != draft.statement.value {
                let e = BuildError::Unexpected(
                    "is out of date: this node holds newer changes that alter what it says; draft it again"
                        .into(),
                );
                tracing::warn!(coalition = %id, statement = %statement.short(), "not co-signed: {e}");
                return Err(e.into());
            }
        }
        let secret = self.identity.secret_bytes();
        let cosign = Cosign::sign(&secret, statement);
        self.edit(id, |doc, a| {
            doc.cosign_statement(&a.member, statement, &cosign, a.now)
        })?;
        Ok(())
    }
}

/// A call received from a linked coalition, as drafting and co-signing a position read it.
#[derive(Debug, Clone)]
struct CallReceived {
    caller: CoalitionId,
    question: [u8; 16],
    closes: Timestamp,
}

/// The proposal that answers `call` (closing at `closes`) for the members' nodes to sign its
/// position on their own: of those opened to answer it and closing when it does, the first
/// opened (then the lowest id). A member opening another, or one closing otherwise by hand,
/// gives a position members can only sign by hand.
fn chosen_answer(
    headers: &crate::ProposalHeaders,
    call: StatementId,
    closes: Timestamp,
) -> Option<model::ProposalId> {
    headers
        .iter()
        .filter(|(_, h)| h.answers == Some(call) && h.closes_at == Some(closes))
        .min_by_key(|(id, h)| (h.created_at, (*id).clone()))
        .map(|(id, _)| id.clone())
}

/// Most drafts `Replica::cosign_pending` tries in one round (each is built again from the
/// document): a member writing drafts without end costs each node this much a round at most.
pub const MAX_COSIGN_TRIES: usize = 64;
/// Most refusals a caller keeps (those past it are tried again, `MAX_COSIGN_TRIES` a round).
pub const MAX_REFUSED_KEPT: usize = 10_000;

impl Replica {
    /// Co-signs on its own what this node's members would sign by hand: in each coalition it
    /// belongs to, each draft its member has not signed, of a roster or of a kind some link in
    /// force publishes (`LinkTerms::publishes`), rosters first, once this node computes the
    /// same from its own copy (`sign_statement`). Calls are left to members by hand (which
    /// proposal a call is about is a judgement the bytes do not check), and so are mandate
    /// positions, except one given by the answer to its call (`chosen_answer`: the first
    /// proposal opened to answer it, `schema::Proposal::answers`, closing when it does: the
    /// members decided it as the answer), on a link publishing positions to the caller. At most [`MAX_COSIGN_TRIES`] drafts are tried a round. Drafts
    /// refused are added to `refused` (up to [`MAX_REFUSED_KEPT`]) and not tried again; those
    /// waiting for changes this node lacks are tried at the next round. A coalition that
    /// fails is logged and passed over. The drafts it co-signed, by coalition.
    pub fn cosign_pending(
        &mut self,
        refused: &mut std::collections::HashSet<StatementId>,
    ) -> Result<Vec<(CoalitionId, StatementId)>, ReplicaError> {
        let mut ids = self.coalition_ids()?;
        ids.retain(|c| !self.is_joining(c));
        let mut signed = Vec::new();
        let mut tries = 0;
        for c in ids {
            let _s = tracing::info_span!("coalition", coalition = %c).entered();
            let Ok(me) = self.me(&c) else { continue };
            let read = self
                .links(&c)
                .and_then(|l| Ok((l, self.drafts(&c)?, self.proposal_headers(&c)?)));
            let (links, drafts, headers) = match read {
                Ok(read) => read,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the drafts to co-sign");
                    continue;
                }
            };
            // The calls received, read only when a mandate position waits for this node.
            let waits = |d: &Draft| {
                matches!(d.statement.value, Value::Mandate(_))
                    && !d.cosigns.contains_key(&me)
                    && !refused.contains(&d.id)
            };
            let calls = if drafts.values().any(waits) {
                match self.received_calls(&c) {
                    Ok(calls) => calls,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the calls received");
                        continue;
                    }
                }
            } else {
                BTreeMap::new()
            };
            let mut pending: Vec<(u64, StatementId)> = drafts
                .values()
                .filter(|d| !d.cosigns.contains_key(&me) && !refused.contains(&d.id))
                .filter(|d| match d.statement.value {
                    Value::Roster(_) => true,
                    Value::Call(_) => false,
                    Value::Mandate(ref m) => calls.get(&StatementId(m.call)).is_some_and(|k| {
                        k.caller.to_bytes() == m.caller
                            && chosen_answer(&headers, StatementId(m.call), k.closes)
                                == Some(model::ProposalId::from_bytes(m.proposal))
                            && links
                                .get(&k.caller)
                                .is_some_and(|l| l.terms.publishes(&d.statement.value))
                    }),
                    ref v => links.values().any(|l| l.terms.publishes(v)),
                })
                // Rosters first (others wait for the roster in force), by version.
                .map(|d| {
                    let rank = match d.statement.value {
                        Value::Roster(_) => d.statement.sequence,
                        _ => u64::MAX,
                    };
                    (rank, d.id)
                })
                .collect();
            pending.sort();
            for (_, id) in pending {
                if tries >= MAX_COSIGN_TRIES {
                    return Ok(signed);
                }
                tries += 1;
                match self.sign_statement(&c, &id) {
                    Ok(()) => signed.push((c.clone(), id)),
                    Err(SignError::Differs(BuildError::NotYet { .. }))
                    | Err(SignError::NoRoster) => {}
                    Err(SignError::Replica(e)) => {
                        tracing::warn!(error = %e, statement = %id.short(), "could not co-sign");
                        break;
                    }
                    Err(_) => {
                        if refused.len() < MAX_REFUSED_KEPT {
                            refused.insert(id);
                        }
                    }
                }
            }
        }
        Ok(signed)
    }
}

impl Replica {
    /// Drafts on its own the mandate position each proposal opened to answer a call gives,
    /// once decided: in each coalition this node belongs to, for each such proposal its own
    /// member wrote (so one node drafts it), decided and not drafted yet, that is the answer
    /// to its call (`chosen_answer`), a call received from a coalition a link in force
    /// publishes mandate positions to. The other members'
    /// nodes then co-sign it on their own (`cosign_pending`). Proposals in `tried` (drafted or
    /// refused before) are passed over, and those drafted or refused added. What it drafted,
    /// by coalition.
    pub fn draft_mandates(
        &mut self,
        tried: &mut std::collections::HashSet<(CoalitionId, model::ProposalId)>,
    ) -> Result<Vec<(CoalitionId, StatementId)>, ReplicaError> {
        let mut ids = self.coalition_ids()?;
        ids.retain(|c| !self.is_joining(c));
        let mut drafted = Vec::new();
        for c in ids {
            let _s = tracing::info_span!("coalition", coalition = %c).entered();
            let Ok(me) = self.me(&c) else { continue };
            match self.draft_mandates_in(&c, &me, tried) {
                Ok(made) => drafted.extend(made.into_iter().map(|id| (c.clone(), id))),
                Err(e) => tracing::warn!(error = %e, "could not draft mandate positions"),
            }
        }
        Ok(drafted)
    }

    /// The calls coalition `c` received that verify now, by id.
    fn received_calls(
        &mut self,
        c: &CoalitionId,
    ) -> Result<BTreeMap<StatementId, CallReceived>, ReplicaError> {
        Ok(self
            .from_linked(c)?
            .into_iter()
            .flat_map(|(caller, l)| {
                l.verified
                    .into_iter()
                    .filter_map(move |v| match v.statement.value {
                        // Only a call asking a position is answered.
                        Value::Call(q) if q.mandate => Some((
                            v.id,
                            CallReceived {
                                caller: caller.clone(),
                                question: q.proposal,
                                closes: Timestamp::from_millis(q.closes_at),
                            },
                        )),
                        _ => None,
                    })
            })
            .collect())
    }

    /// What `draft_mandates` drafts in coalition `c`, whose member here is `me`.
    fn draft_mandates_in(
        &mut self,
        c: &CoalitionId,
        me: &model::MemberId,
        tried: &mut std::collections::HashSet<(CoalitionId, model::ProposalId)>,
    ) -> Result<Vec<StatementId>, ReplicaError> {
        let headers = self.proposal_headers(c)?;
        let mut decided = Vec::new();
        for (id, h) in headers.iter() {
            let Some(call) = h.answers else { continue };
            if h.author != *me || tried.contains(&(c.clone(), id.clone())) {
                continue;
            }
            let done = self.proposal(c, id)?.is_some_and(|p| {
                model::reports::proposal_tally(&p, now()).outcome != model::Outcome::Open
            });
            if done {
                decided.push((id.clone(), call));
            }
        }
        if decided.is_empty() {
            return Ok(Vec::new());
        }
        let links = self.links(c)?;
        let drafts = self.drafts(c)?;
        let calls = self.received_calls(c)?;
        let mut made = Vec::new();
        for (proposal, call) in decided {
            let key = (c.clone(), proposal.clone());
            let already = drafts.values().any(|d| {
                matches!(&d.statement.value, Value::Mandate(m)
                    if m.call == call.0 && m.proposal == proposal.to_bytes())
            });
            // Only the answer members' nodes sign on their own, to a call still received, on a
            // link publishing positions to its caller; a call not received now (a roster
            // changing...) is looked at again next round.
            let Some(asked) = calls.get(&call) else {
                continue;
            };
            let publishes = links
                .get(&asked.caller)
                .is_some_and(|l| l.terms.publish.iter().any(|p| p.as_str() == "mandate"));
            if already
                || !publishes
                || chosen_answer(&headers, call, asked.closes) != Some(proposal.clone())
            {
                tried.insert(key);
                continue;
            }
            let topic = Topic::Mandate {
                call,
                question: asked.question,
                caller: asked.caller.to_bytes(),
                proposal: proposal.clone(),
            };
            match self.draft_statement(c, &topic) {
                Ok(id) => {
                    tracing::info!(proposal = %proposal.short(), statement = %id.short(), "drafted the mandate position a decided answer gives");
                    made.push(id);
                    tried.insert(key);
                }
                Err(SignError::Differs(BuildError::NotYet { .. })) | Err(SignError::NoRoster) => {}
                Err(SignError::Replica(e)) => return Err(e),
                Err(e) => {
                    tracing::warn!(proposal = %proposal.short(), error = %e, "could not draft the mandate position");
                    tried.insert(key);
                }
            }
        }
        Ok(made)
    }
}
