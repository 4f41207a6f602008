//! Statements of linked coalitions this node carries into a coalition it belongs to (issue
//! 20): from a statements file, or from the other coalition's copy when this node belongs to
//! both. Each is judged as every node's rules will judge it (`model::received`) before it is
//! written; what is not taken is said with its reason, logged, and kept in the node's refusal
//! log against whoever brought it.

use std::collections::BTreeMap;

use model::Offer;
use model::federation::{Signed, StatementId, StatementsFile};
use model::received::FromLinked;
use model::{CoalitionId, NodeKey};

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

    /// What coalition `id`'s count with its affiliates on proposal `p` reads at `now`, as of
    /// `model::reports::affiliates::Moment::of` its close (the links in force then, the
    /// rosters carried in by the time answers stop counting): what it takes from each linked
    /// coalition, and the calls it published to them (`model::statements::asked_with`; none
    /// where no call names `p`).
    pub fn asked(
        &mut self,
        id: &CoalitionId,
        p: &model::schema::Proposal,
        now: model::Timestamp,
    ) -> Result<model::reports::affiliates::Asked, ReplicaError> {
        let moment = model::reports::affiliates::Moment::of(p.closes_at, now);
        let links = self.links_at(id, moment.at)?;
        let members = self.in_force(id)?.members.len();
        Ok(model::statements::asked_with(
            &self.loaded(id)?.doc,
            id,
            &links,
            members,
            Some(p.id.to_bytes()),
            moment.until,
        )
        .unwrap_or_default())
    }

    /// Per coalition linked with `id` that it takes statements from, the chain of that
    /// coalition's rosters `id` took (its newest roster lists the member nodes of the other
    /// side): replayed from the rosters alone (`model::received::linked_chains`).
    pub fn linked_chains(
        &mut self,
        id: &CoalitionId,
    ) -> Result<BTreeMap<CoalitionId, model::federation::RosterChain>, ReplicaError> {
        let links = self.links(id)?;
        if !links.values().any(|l| l.terms.takes_rosters()) {
            return Ok(BTreeMap::new());
        }
        let rosters = model::received::received_rosters(&self.loaded(id)?.doc);
        Ok(model::received::linked_chains(&rosters, &links))
    }

    /// The member nodes of every coalition linked with one this node is a member of, as the
    /// newest roster taken from each says (`linked_chains`); a coalition that cannot be read
    /// is passed over.
    pub fn linked_nodes(&mut self) -> Result<std::collections::HashSet<NodeKey>, ReplicaError> {
        let mut out = std::collections::HashSet::new();
        for c in self.coalition_ids()? {
            if self.is_joining(&c) || self.me(&c).is_err() {
                continue;
            }
            match self.linked_chains(&c) {
                Ok(chains) => out.extend(chains.values().flat_map(|chain| {
                    chain
                        .newest()
                        .members
                        .iter()
                        .flat_map(|m| m.keys.iter().map(|k| NodeKey::from_bytes(*k)))
                })),
                Err(e) => {
                    tracing::warn!(coalition = %c, error = %e, "could not read the rosters of linked coalitions")
                }
            }
        }
        out.remove(&self.identity().node_key());
        Ok(out)
    }

    /// What this node's coalitions take from linked coalitions whose newest roster (as taken
    /// here) lists `peer`: (the publisher, the coalition taking, the fewest signers its link
    /// takes and the kinds), for links taking statements; told to the peer in each Hello, so that it passes
    /// only what counts here and what it passes with fewer is counted against it. Read once
    /// for all peers while no coalition's heads move (every connection, strangers' too, is
    /// greeted). A coalition that cannot be read is passed over.
    pub fn takes_from(
        &mut self,
        peer: &NodeKey,
    ) -> Vec<(CoalitionId, CoalitionId, model::federation::LinkTakes)> {
        let mut heads = Vec::new();
        for to in self.coalition_ids().unwrap_or_default() {
            if self.is_joining(&to) || self.me(&to).is_err() {
                continue;
            }
            if let Ok(l) = self.loaded(&to) {
                let h = l.doc.heads();
                heads.push((to, h));
            }
        }
        // Links also come into force at their closing time, which moves no heads: read again
        // at least every `TAKES_EVERY` too.
        let now = now();
        let fresh = self.takes.as_ref().is_some_and(|t| {
            t.heads == heads && now.as_millis().saturating_sub(t.at.as_millis()) < TAKES_EVERY_MS
        });
        if !fresh {
            let mut rows = Vec::new();
            for (to, _) in &heads {
                self.takes_of(to, &mut rows);
            }
            self.takes = Some(TakesTable {
                heads,
                rows,
                at: now,
            });
        }
        self.takes
            .as_ref()
            .map(|t| {
                t.rows
                    .iter()
                    .filter(|(_, _, _, roster)| roster.member_of(peer.as_bytes()).is_some())
                    .map(|(from, to, k, _)| (from.clone(), to.clone(), *k))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What coalition `to` takes from each coalition linked with it, with that coalition's
    /// newest roster taken here, added to `rows`.
    fn takes_of(&mut self, to: &CoalitionId, rows: &mut Vec<TakesRow>) {
        let links = match self.links(to) {
            Ok(links) => links,
            Err(e) => {
                tracing::warn!(coalition = %to, error = %e, "could not read the links");
                return;
            }
        };
        if links.values().all(|l| l.terms.accept.is_empty()) {
            return;
        }
        let chains = match self.linked_chains(to) {
            Ok(chains) => chains,
            Err(e) => {
                tracing::warn!(coalition = %to, error = %e, "could not read the rosters of linked coalitions");
                return;
            }
        };
        for (from, link) in &links {
            let Some(chain) = chains.get(from) else {
                continue;
            };
            if link.terms.accept.is_empty() {
                continue;
            }
            let taking = model::federation::LinkTakes {
                threshold: u32::try_from(link.terms.their_threshold).unwrap_or(u32::MAX),
                kinds: model::federation::LinkTakes::kinds_of(
                    model::federation::Kind::ALL
                        .into_iter()
                        .filter(|k| link.terms.accepts(*k)),
                ),
            };
            rows.push((from.clone(), to.clone(), taking, chain.newest().clone()));
        }
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

/// Most rosters of a publisher a passed file may hold beyond those held here (an honest file
/// holds its chain, one roster a version).
pub const MAX_NEW_ROSTERS: usize = 256;

/// Most rosters a passed file holds beyond the chain taken here that are checked for a
/// forgery (each may cost a majority's signatures).
const MAX_FORKS_CHECKED: usize = 8;

/// One link's row of [`TakesTable`]: the publisher, the coalition taking, what it takes (the
/// fewest signers, the kinds), the publisher's newest roster taken here.
type TakesRow = (
    CoalitionId,
    CoalitionId,
    model::federation::LinkTakes,
    model::federation::Roster,
);

/// What this node's coalitions take from linked coalitions, as of the coalitions' heads.
#[derive(Debug, Clone)]
pub(crate) struct TakesTable {
    heads: Vec<(CoalitionId, Vec<model::automerge::ChangeHash>)>,
    rows: Vec<TakesRow>,
    /// When it was read.
    at: model::Timestamp,
}

/// Longest a [`TakesTable`] is kept whose coalitions did not move, in milliseconds.
const TAKES_EVERY_MS: i64 = 60_000;

/// What a coalition publishes on its link with another, as a statements file.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The file.
    pub file: StatementsFile,
    /// How many rosters it holds (first).
    pub rosters: usize,
    /// How many other statements.
    pub statements: usize,
    /// Statements of kinds the link publishes left out (not signed enough yet...).
    pub left_out: usize,
}

/// Why statements a peer passed ([`Replica::receive_passed`]) were not all taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PassedError {
    /// Not a statements file, or one damaged.
    #[error("not a statements file this node reads: {0}")]
    File(#[from] model::federation::FileError),
    /// For a coalition this node is not a member of.
    #[error("the statements are for coalition {0}, which this node is not a member of")]
    NotHere(CoalitionId),
    /// The receiving coalition takes nothing from the publisher.
    #[error(
        "coalition {to} takes no statements from coalition {from}: no link in force there takes any"
    )]
    NotLinked {
        /// The receiving coalition.
        to: CoalitionId,
        /// The publisher.
        from: CoalitionId,
    },
    /// The roster the receiving side trusts first is neither held nor passed: the publisher's
    /// members cannot be told.
    #[error(
        "the roster coalition {to} trusts first from coalition {from} is neither held nor among those passed: its members cannot be told yet"
    )]
    NoRoster {
        /// The receiving coalition.
        to: CoalitionId,
        /// The publisher.
        from: CoalitionId,
    },
    /// More rosters than an honest publisher passes at once: two of one version, or more
    /// than [`MAX_NEW_ROSTERS`] beyond those held.
    #[error(
        "the rosters of coalition {from} passed are not one chain (two of one version, or more than {MAX_NEW_ROSTERS} beyond those held)"
    )]
    Rosters {
        /// The publisher.
        from: CoalitionId,
    },
    /// The peer is not a member node of the publisher.
    #[error(
        "the node passing them is not a member node of coalition {from} (its newest roster does not list it): only the publisher's member nodes pass its statements"
    )]
    NotAMember {
        /// The publisher.
        from: CoalitionId,
    },
    /// Some statements were refused (those taken are stored).
    #[error("{refused} of {offered} statements refused, the first: {first}")]
    Refused {
        /// How many were refused.
        refused: usize,
        /// How many were passed.
        offered: usize,
        /// The first refusal's reason.
        first: String,
    },
    /// Reading or writing here failed: not the peer's fault.
    #[error(transparent)]
    Local(#[from] ReplicaError),
}

impl PassedError {
    /// Whether the refusal is counted against the peer: for what no honest member node of
    /// the publisher passes (a file that does not read, rosters that are no chain, a sender
    /// the rosters do not list, statements refused for a forgery); not where this node's own
    /// state differs (not a member here, no link taking them yet, the pinned roster not
    /// come) nor when this node failed.
    pub fn counts(&self) -> bool {
        matches!(
            self,
            PassedError::File(_)
                | PassedError::Rosters { .. }
                | PassedError::NotAMember { .. }
                | PassedError::Refused { .. }
        )
    }
}

/// What became of statements a peer passed.
#[derive(Debug, Clone)]
pub struct Passed {
    /// The publisher.
    pub from: CoalitionId,
    /// The receiving coalition.
    pub to: CoalitionId,
    /// Each statement, and what became of it.
    pub offers: Vec<(StatementId, Offer)>,
    /// The address records the file carried (unchecked: see `StatementsFile::addresses`).
    pub addresses: Vec<Vec<u8>>,
}

impl Replica {
    /// What coalition `c` publishes to `other` on a link with `terms`
    /// (`model::statements::published_for`: its rosters as receivers take them, then what
    /// verifies with the link's threshold; with `latest_only`, of those only the latest on
    /// each subject), as a statements file; `None` while `c` has no roster a majority signed.
    pub fn publication(
        &mut self,
        c: &CoalitionId,
        other: &CoalitionId,
        terms: &model::schema::LinkTerms,
        latest_only: bool,
    ) -> Result<Option<Publication>, ReplicaError> {
        let drafts = self.drafts(c)?;
        let members = self.in_force(c)?.members.len();
        let Some(chain) = model::statements::roster_chain(&drafts, members) else {
            return Ok(None);
        };
        let (rosters, mut statements, left_out) =
            model::statements::published_for(&drafts, &chain, terms);
        if latest_only {
            // As receivers take it: the highest sequence, then the lowest id.
            type Rank = (u64, std::cmp::Reverse<StatementId>);
            let mut latest: BTreeMap<model::federation::Subject, Rank> = BTreeMap::new();
            for d in &statements {
                let rank = (d.statement.sequence, std::cmp::Reverse(d.id));
                let e = latest.entry(d.statement.subject()).or_insert(rank);
                *e = (*e).max(rank);
            }
            statements
                .retain(|d| latest.get(&d.statement.subject()).map(|(_, id)| id.0) == Some(d.id));
        }
        Ok(Some(Publication {
            file: StatementsFile {
                format: model::federation::FORMAT,
                from: c.to_bytes(),
                to: other.to_bytes(),
                items: rosters
                    .iter()
                    .chain(&statements)
                    .map(|d| d.signed().encode())
                    .collect(),
                // Where its member nodes listen: the caller, which holds them, adds them.
                addresses: Vec::new(),
            },
            rosters: rosters.len(),
            statements: statements.len(),
            left_out,
        }))
    }

    /// Judges the statements file `bytes` that `peer` passed over the network and stores what
    /// the receiving coalition takes, as an import would: the file must be for a coalition
    /// this node is a member of, whose link in force with the publisher takes statements, and
    /// `peer` must be a member node of the publisher (its newest roster, as held here with
    /// those passed, lists the peer's key); then each statement is judged as every node's
    /// rules judge it. Every statement refused is logged; the message is refused (counted
    /// against the peer) only for what no honest member node passes (see `counts_against`).
    pub fn receive_passed(&mut self, peer: &NodeKey, bytes: &[u8]) -> Result<Passed, PassedError> {
        self.receive_passed_told(peer, bytes, |_, _| None)
    }

    /// [`Replica::receive_passed`], where `told(from, to)` says what this node told `peer`,
    /// in every greeting of the connection, that coalition `to` takes of `from`
    /// (`sync::SyncNode::told_to`: the fewest signers, every kind told): a statement the peer
    /// passes with fewer signers, every one listed and verifying under the roster this side
    /// took, or of a kind no greeting told, is one it knew would not count, and is counted
    /// against it too.
    pub fn receive_passed_told(
        &mut self,
        peer: &NodeKey,
        bytes: &[u8],
        told: impl Fn(&CoalitionId, &CoalitionId) -> Option<model::federation::LinkTakes>,
    ) -> Result<Passed, PassedError> {
        let mut file = StatementsFile::decode(bytes)?;
        let addresses = std::mem::take(&mut file.addresses);
        let (from, to) = (
            CoalitionId::from_bytes(file.from),
            CoalitionId::from_bytes(file.to),
        );
        if !self.coalition_ids()?.contains(&to) || self.is_joining(&to) || self.me(&to).is_err() {
            return Err(PassedError::NotHere(to));
        }
        let links = self.links(&to)?;
        let Some(link) = links.get(&from).filter(|l| l.terms.takes_rosters()) else {
            return Err(PassedError::NotLinked { to, from });
        };
        let Some(pin) = link
            .terms
            .roster
            .as_deref()
            .and_then(|r| StatementId::from_hex(r).ok())
        else {
            return Err(PassedError::NoRoster { to, from });
        };
        // Each item decoded and opened once: (its place in the file, it, its statement if it
        // reads).
        let mut items = Vec::new();
        let mut malformed = Vec::new();
        for (i, item) in file.items.iter().enumerate() {
            match Signed::decode(item) {
                Ok(s) => {
                    let opened = s.open().ok();
                    items.push((i + 1, s, opened));
                }
                Err(e) => malformed.push(format!("item {}: {e}", i + 1)),
            }
        }
        // The publisher's statements that read: what the two checks below look at.
        let of_publisher = || {
            items.iter().filter_map(|(n, s, o)| {
                o.as_ref()
                    .filter(|o| o.statement.coalition == from.to_bytes())
                    .map(|o| (*n, s, o))
            })
        };
        // The sender told by the rosters held here first; by those passed only where they go
        // beyond (one a version, a bounded number), so that a stranger replaying a
        // publisher's chain costs no signature checks once it is held.
        let held = model::received::received_rosters(&self.loaded(&to)?.doc);
        let held_chain = model::received::chain_of(held.values(), &from, &pin);
        let lists = |chain: &model::federation::RosterChain| {
            chain.newest().member_of(peer.as_bytes()).is_some()
        };
        let chain = match held_chain {
            Some(chain) if lists(&chain) => chain,
            held_chain => {
                let newest = held_chain.as_ref().map_or(0, |c| c.version());
                let mut versions = std::collections::BTreeSet::new();
                let mut newer = Vec::new();
                for (_, s, o) in of_publisher() {
                    if o.statement.value.kind() != model::federation::Kind::Roster
                        || o.statement.sequence <= newest
                    {
                        continue;
                    }
                    if !versions.insert(o.statement.sequence) || newer.len() >= MAX_NEW_ROSTERS {
                        return Err(PassedError::Rosters { from });
                    }
                    newer.push(s.clone());
                }
                match model::received::chain_with(&held, &newer, &from, &pin) {
                    None => return Err(PassedError::NoRoster { to, from }),
                    Some(chain) if !lists(&chain) => return Err(PassedError::NotAMember { from }),
                    Some(chain) => chain,
                }
            }
        };
        // A signature by a key a roster of the publisher lists that does not verify is forged:
        // honest nodes pass only signatures that verify (the model leaves such ones out before
        // judging, so they are looked for here). One by a key no roster here lists costs
        // nothing and counts for nothing: an honest node passes those too (a member's new node
        // co-signing before a roster lists it; the sender's chain gone on beyond this one's).
        let passed_rosters: Vec<(u64, StatementId)> = of_publisher()
            .filter(|(_, _, o)| o.statement.value.kind() == model::federation::Kind::Roster)
            .map(|(_, _, o)| (o.statement.sequence, o.id))
            .collect();
        // A roster this chain took whose version the file names no other of: both sides
        // count a statement's signers under it alike.
        let knows = |version: u64| {
            chain
                .ids()
                .iter()
                .find(|(v, _)| *v == version)
                .is_some_and(|(_, id)| {
                    passed_rosters
                        .iter()
                        .all(|(v, passed)| *v != version || passed == id)
                })
        };
        for (n, s, o) in of_publisher() {
            if o.statement.value.kind() == model::federation::Kind::Roster {
                continue;
            }
            if let Some(c) = s
                .cosigns
                .iter()
                .find(|c| chain.lists(&c.key) && !c.verifies(&o.id))
            {
                malformed.push(format!(
                    "item {n}: a signature by key {} that does not verify",
                    hex::encode(&c.key[..4]),
                ));
            }
        }
        // A roster superseding one this side holds that no chain takes after it (a minority
        // of it, a version skipped, dated before it) is forged: an honest node passes only
        // its chain, whose every roster follows the one it supersedes, and that depends only
        // on the two rosters' bytes. A fork a majority signed, or a roster superseding one not
        // held here (the pin elsewhere, dropped, a chain of its own), may be honest. At most
        // `MAX_FORKS_CHECKED` are checked a file, and the first forged one is enough.
        let taken: std::collections::BTreeSet<StatementId> =
            chain.ids().iter().map(|(_, id)| *id).collect();
        let not_taken = of_publisher().filter(|(_, _, o)| {
            o.statement.value.kind() == model::federation::Kind::Roster && !taken.contains(&o.id)
        });
        for (n, s, _) in not_taken.take(MAX_FORKS_CHECKED) {
            if let Some(Err(e)) = chain.follows_held(s) {
                malformed.push(format!(
                    "item {n}: a roster that does not follow the roster it supersedes: {e}"
                ));
                break;
            }
        }
        let source = format!("node {peer}");
        for why in &malformed {
            let logged = self.log_refusal(Refusal {
                at: now().as_millis(),
                peer: source.clone(),
                coalition: Some(to.to_string()),
                reason: why.clone(),
            });
            if let Err(e) = logged {
                tracing::warn!(error = %e, "could not log the refusal");
            }
        }
        // The rosters the file carries, by version with the moment each speaks of: the
        // sender's own chain, if it is honest.
        let carried: std::collections::BTreeMap<u64, i64> = of_publisher()
            .filter(|(_, _, o)| o.statement.value.kind() == model::federation::Kind::Roster)
            .map(|(_, _, o)| (o.statement.sequence, o.statement.as_of))
            .collect();
        // Each item's roster and moment, where it reads and is the publisher's (what `told`
        // and `carried` speak of).
        let stated: Vec<Option<(u64, i64)>> = items
            .iter()
            .map(|(_, _, o)| {
                o.as_ref()
                    .filter(|o| o.statement.coalition == from.to_bytes())
                    .map(|o| (o.statement.roster, o.statement.as_of))
            })
            .collect();
        let items: Vec<Signed> = items.into_iter().map(|(_, s, _)| s).collect();
        let told = told(&from, &to);
        let floor = told.map(|t| t.threshold);
        let offers = self.receive_statements(&to, &items, &source)?;
        let counted: Vec<String> = malformed
            .into_iter()
            .chain(
                offers
                    .iter()
                    .zip(&stated)
                    .filter_map(|((_, o), stated)| match o {
                        Offer::Refused(e) if counts_against(e) => Some(e.to_string()),
                        Offer::Refused(e) if replaced_in_file(e, *stated, &carried) => {
                            Some(format!(
                                "{e}, passed with the roster that replaced it before it was dated"
                            ))
                        }
                        Offer::Refused(e) if stated.is_some() && below_told(e, floor, knows) => Some(format!(
                            "{e}, passed by a node told that this side takes at least {} signers",
                            floor.unwrap_or_default()
                        )),
                        Offer::Refused(e) if stated.is_some() && kind_not_told(e, told) => Some(
                            format!("{e}, passed by a node never told that this side takes them"),
                        ),
                        _ => None,
                    }),
            )
            .collect();
        if let Some(first) = counted.first() {
            return Err(PassedError::Refused {
                refused: counted.len(),
                offered: file.items.len(),
                first: first.clone(),
            });
        }
        Ok(Passed {
            from,
            to,
            offers,
            addresses,
        })
    }
}

/// Whether statement refusal `e` makes a message passing it refused: not for what honest
/// nodes pass when the two sides' terms, timing or rosters differ (a kind this side does not
/// take, a roster its chain does not take, a statement under a roster it does not hold or
/// that a newer one replaced, fewer signers than this side asks with every listed key's
/// signature verifying: the publisher's threshold may be lower, and a key no roster here
/// lists may be a new member's), unless this side told the sender otherwise (`below_told`,
/// `kind_not_told`); yes for a forgery (a listed key's signature that does not verify,
/// malformed bytes).
fn counts_against(e: &model::received::ReceiveError) -> bool {
    use model::federation::StatementError;
    use model::received::ReceiveError;
    !matches!(
        e,
        ReceiveError::NotTaken { .. }
            | ReceiveError::NoPinnedRoster { .. }
            | ReceiveError::NotInChain { .. }
            | ReceiveError::Statement {
                error: StatementError::StaleRoster { .. }
                    | StatementError::UnknownRoster { .. }
                    | StatementError::TooFewSigners { bad: 0, .. },
                ..
            }
    )
}

/// Whether refusal `e` is of a statement under a roster replaced before it was dated (signed by
/// members since removed, or dated after their removal), `stated` (its roster and moment), by
/// a roster the file itself carries (`carried`, version to moment): an honest sender passes
/// its own chain with only statements that verify through it, so it never passes one that
/// chain makes stale.
fn replaced_in_file(
    e: &model::received::ReceiveError,
    stated: Option<(u64, i64)>,
    carried: &std::collections::BTreeMap<u64, i64>,
) -> bool {
    use model::federation::StatementError;
    use model::received::ReceiveError;
    let Some((roster, as_of)) = stated else {
        return false;
    };
    matches!(
        e,
        ReceiveError::Statement {
            error: StatementError::StaleRoster { .. },
            ..
        }
    ) && roster
        .checked_add(1)
        .and_then(|next| carried.get(&next))
        .is_some_and(|replaced| as_of >= *replaced)
}

/// Whether refusal `e` is of a statement of a kind this side's link does not take and that no
/// greeting of the connection told the sender it takes (`told`): an honest sender passes only
/// the kinds the last greeting it had told, all of them among those.
fn kind_not_told(
    e: &model::received::ReceiveError,
    told: Option<model::federation::LinkTakes>,
) -> bool {
    match e {
        model::received::ReceiveError::NotTaken { kind, .. } => {
            told.is_some_and(|t| !t.takes(*kind))
        }
        _ => false,
    }
}

/// Whether refusal `e` is of a statement with fewer signers than `floor` (what this side told
/// the sender it takes), every signature listed and verifying, under a roster this side `knows`
/// as the sender does (the one its chain took at that version, the file carrying no other):
/// the sender counted the same signers and passed it anyway.
fn below_told(
    e: &model::received::ReceiveError,
    floor: Option<u32>,
    knows: impl Fn(u64) -> bool,
) -> bool {
    use model::federation::StatementError;
    use model::received::ReceiveError;
    match e {
        ReceiveError::Statement {
            error:
                StatementError::TooFewSigners {
                    signed,
                    roster,
                    bad: 0,
                    ..
                },
            ..
        } => floor.is_some_and(|t| (*signed as u64) < u64::from(t)) && knows(*roster),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use model::federation::{Kind, StatementError};
    use model::received::ReceiveError;

    use super::{below_told, counts_against, kind_not_told, replaced_in_file};

    /// Fewer signers than this side told the sender it takes count against it only where
    /// every signature is good and the roster named is the one both sides hold.
    #[test]
    fn fewer_signers_than_told_count_only_under_a_roster_both_hold() {
        let too_few = |signed, not_listed| ReceiveError::Statement {
            name: "Coastal".into(),
            error: StatementError::TooFewSigners {
                signed,
                needed: 3,
                members: 3,
                roster: 1,
                not_listed,
                bad: 0,
            },
        };
        let both = |v: u64| v == 1;
        assert!(below_told(&too_few(1, 0), Some(2), both));
        assert!(
            !below_told(&too_few(2, 0), Some(2), both),
            "as many as told"
        );
        assert!(!below_told(&too_few(1, 0), None, both), "not told");
        assert!(
            !below_told(&too_few(1, 0), Some(2), |_| false),
            "another roster"
        );
        assert!(
            below_told(&too_few(1, 1), Some(2), both),
            "a stranger's key counts for nothing either side"
        );
        let other = ReceiveError::NotTaken {
            name: "Coastal".into(),
            kind: Kind::Issue,
        };
        assert!(!below_told(&other, Some(2), both));
    }

    /// A statement under a roster replaced before it was dated counts against the sender only
    /// where the file carries the replacing roster: the sender's own chain made it stale.
    #[test]
    fn a_statement_the_file_s_own_rosters_make_stale_counts_against_the_sender() {
        let stale = ReceiveError::Statement {
            name: "Coastal".into(),
            error: StatementError::StaleRoster {
                named: 1,
                newest: 2,
            },
        };
        let carried = |rosters: &[(u64, i64)]| rosters.iter().copied().collect();
        // Roster 2, as of 100, carried: a statement under roster 1 dated at or after it.
        let with_second = carried(&[(1, 10), (2, 100)]);
        assert!(replaced_in_file(&stale, Some((1, 100)), &with_second));
        assert!(replaced_in_file(&stale, Some((1, 500)), &with_second));
        // Dated before roster 2 (the receiver's chain holds another roster 2), roster 2 not
        // carried, or the statement not read: not counted.
        assert!(!replaced_in_file(&stale, Some((1, 99)), &with_second));
        assert!(!replaced_in_file(
            &stale,
            Some((1, 500)),
            &carried(&[(1, 10)])
        ));
        assert!(!replaced_in_file(&stale, None, &with_second));
        // Another refusal: not this.
        let unknown = ReceiveError::Statement {
            name: "Coastal".into(),
            error: StatementError::UnknownRoster {
                named: 3,
                newest: 2,
            },
        };
        assert!(!replaced_in_file(&unknown, Some((3, 500)), &with_second));
    }

    /// A kind not taken counts against the sender only where every greeting of the
    /// connection left it out.
    #[test]
    fn a_kind_no_greeting_told_counts_against_the_sender() {
        use model::federation::LinkTakes;
        let not_taken = ReceiveError::NotTaken {
            name: "Coastal".into(),
            kind: Kind::Issue,
        };
        let told = |kinds: &[Kind]| {
            Some(LinkTakes {
                threshold: 1,
                kinds: LinkTakes::kinds_of(kinds.iter().copied()),
            })
        };
        assert!(kind_not_told(&not_taken, told(&[Kind::Goal])));
        assert!(!kind_not_told(&not_taken, told(&[Kind::Goal, Kind::Issue])));
        assert!(!kind_not_told(&not_taken, None));
    }

    #[test]
    fn what_honest_nodes_pass_when_terms_differ_is_not_counted_against_them() {
        let statement = |error| ReceiveError::Statement {
            name: "Coastal".into(),
            error,
        };
        let too_few = |not_listed, bad| {
            statement(StatementError::TooFewSigners {
                signed: 1,
                needed: 2,
                members: 3,
                roster: 1,
                not_listed,
                bad,
            })
        };
        // Honest: a roster this side's chain does not take, a kind not taken here, a statement
        // under a roster not held, fewer signers than this side asks (every one good).
        for honest in [
            ReceiveError::NotInChain {
                name: "Coastal".into(),
                version: 3,
                newest: 2,
            },
            ReceiveError::NotTaken {
                name: "Coastal".into(),
                kind: Kind::Issue,
            },
            statement(StatementError::UnknownRoster {
                named: 5,
                newest: 3,
            }),
            too_few(0, 0),
        ] {
            assert!(!counts_against(&honest), "{honest}");
        }
        // A key no roster here lists: maybe a new member's node (its signature counts for
        // nothing either side).
        assert!(!counts_against(&too_few(1, 0)));
        // Forged: a listed key's signature that does not verify, malformed bytes.
        for forged in [
            too_few(0, 1),
            statement(StatementError::Malformed {
                what: "junk".into(),
            }),
        ] {
            assert!(counts_against(&forged), "{forged}");
        }
    }
}
