//! Changes received from a peer, accepted: new ones found, forks kept apart, checked, applied
//! and judged by the rules, stored, then relayed; and this node's own changes pushed.
//!
//! A change is stored or applied only after: its actor is a 32-byte Ed25519 key; a signature by
//! that key over the actor's newest change in the batch verifies and every other change of that
//! actor in the batch is its ancestor (an actor's newest change here may instead be vouched for by
//! a signed later one carried as a voucher, or by a signed later one in the batch that this node
//! set aside already: `forks`); it is not set aside by a known fork; it does not reuse an actor's
//! sequence number (that is a fork); its dependencies are here or in the batch (a batch with
//! missing dependencies is not applied, and sync catches up on what it lacks); it passes
//! `chain::check`; and, once applied in causal order, every change of the batch passes
//! `model::rules`. Otherwise the document is rolled back to its heads before the batch (`fork_at`)
//! and the whole message is refused with the rule broken (`Refusal::Rule`). Applying, and the
//! rules' reading of what was applied, run under `catch_unwind`: should Automerge still panic, the
//! batch is refused and the in-memory document dropped and reloaded from the store
//! (`Documents::discard`), which holds only what passed. A batch that cannot be stored is rolled
//! back the same way, so memory never runs ahead of the store; signatures are indexed only once the
//! batch is stored.
//!
//! The sender signs for every actor's newest change in each message: its newest signatures and,
//! where Automerge left out changes it sent that peer before (so the message's newest change of an
//! actor is an older one), the signature stored over that one. New changes are relayed to the other
//! peers sharing the coalition as one batch (the signatures that vouched for it here vouch for it
//! there) only up to [`super::MAX_RELAY`] changes and within what each takes in one message; a
//! larger batch is a catch-up, offered to them
//! through a sync round instead. The members in force (`Documents::member_key_map`) are derived again after
//! each local change and after a received batch that may have changed them
//! (`Validator::governance_changed`; a removal decided by a closing time is seen at the next local
//! change or governance write): the node starts syncing with peers that became members and stops
//! with those that no longer are (removed, left, revoked key), so a removed member's node receives
//! the change that removed it and nothing after.

use super::*;

impl SyncNode {
    /// Verifies, stores and applies changes from `peer`; relays the new ones to the other
    /// peers sharing the coalition. Returns how many were new. Each step is a method below:
    /// the changes not held here ([`Self::unseen`]), their signatures, those that forks set
    /// aside, other versions of changes held here ([`Self::without_other_versions`]), then
    /// checked, applied, judged and stored ([`Self::apply_checked`]) and relayed
    /// ([`Self::relay`]).
    pub(crate) fn accept(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        batch: Batch,
        heads: &[ChangeSignature],
        out: &mut Vec<Output>,
    ) -> Result<Applied, Refusal> {
        let Batch {
            changes,
            snapshot,
            vouchers,
        } = batch;
        self.load_forks(docs, c);
        let total = changes.len();
        let (new, vouchers) = self.unseen(docs, peer, c, changes, vouchers)?;
        if new.is_empty() {
            return Ok(Applied::default());
        }
        // Honest nodes never make a change with no operations; one would share its start
        // operation with the next change, and start operations order changes causally here.
        if new.iter().any(Change::is_empty) {
            return Err(Refusal::MalformedChange(
                "a change with no operations".into(),
            ));
        }
        let used = check_signatures(&new, heads, &vouchers)?;
        // What the forks known set aside is neither applied nor refused (see `forks`).
        let arriving = new.len();
        let (new, vouches) = self.set_aside_arriving(docs, c, new, &vouchers, &used)?;
        if new.is_empty() {
            self.keep_vouchers(docs, c, vouches);
            return Ok(Applied::default());
        }
        // A snapshot stands in for applying only if every one of its changes is new here
        // and none is set aside (the snapshot would hold those too).
        let snapshot = snapshot.filter(|_| new.len() == total && arriving == total);
        let Some((new, snapshot)) =
            self.without_other_versions(docs, c, new, snapshot, &vouchers, &used, out)?
        else {
            return Ok(Applied::default());
        };
        // Kept whatever becomes of the batch: keyed by heads, it cannot be wrong, and a peer
        // sending batches that come to nothing should not cost the next one a reading.
        let known = self.governance.get(c).cloned();
        let (new, governance_changed) =
            match Self::apply_checked(docs, peer, c, new, snapshot, &used, known)? {
                Checked::Applied(new, changed, known) => {
                    if let Some(known) = known {
                        docs.governance_known(c, &known.0, known.1.clone());
                        self.governance.insert(c.clone(), known);
                    }
                    (new, changed)
                }
                Checked::Dangling(dangling) => return Ok(Applied { count: 0, dangling }),
            };
        self.keep_vouchers(docs, c, vouches);
        debug!(peer = %peer, coalition = %c, changes = new.len(), "applied changes");
        out.push(Output::Applied {
            peer,
            coalition: c.clone(),
            changes: new.len(),
        });
        self.relay(docs, peer, c, &new, &used, out);
        let count = new.len();
        // The members in force are re-derived only when they may have changed (a removal
        // that closing time decides is seen at the next local change or governance write).
        if governance_changed || !self.peers.values().all(|p| p.docs.contains_key(c)) {
            self.rehello(docs, c, out);
        }
        self.retry_pending_forks(docs, c, out);
        self.retry_pending_addresses(docs, c, out);
        Ok(Applied { count, dangling: 0 })
    }

    /// A snapshot whose changes were read from it rather than rebuilt (`snapshot::load_read`),
    /// taken as [`Self::accept`] takes a snapshot's changes, for the case it is sent for: a
    /// node that holds nothing of the coalition and knows no fork in it (a whole document
    /// sent with vouchers is refused before it is loaded, `on_sync`).
    /// Then no change is held here, none is set aside, and none is another version of one
    /// held, so what is left of [`Self::accept`] is: no change without operations, the
    /// signatures, `chain::check_whole` (the same checks as `chain::check`, on the operations
    /// read) and the rules on the snapshot put in place (at once, `judge_whole`), storing it
    /// whole with its signatures (`Documents::persist_snapshot`), and offering it on through
    /// sync rounds (never pushed:
    /// the other peers that share the coalition are its members, who mostly hold it, and a
    /// round sends each what it lacks). Anything else is handed to [`Self::accept`] with the
    /// changes rebuilt.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn accept_read(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        snapshot: AutoCommit,
        read: Vec<crate::chain::Read>,
        heads: &[ChangeSignature],
        out: &mut Vec<Output>,
    ) -> Result<Applied, Refusal> {
        if read.is_empty() {
            // Nothing new, as for any batch.
            return Ok(Applied::default());
        }
        self.load_forks(docs, c);
        let forked = self.forks.get(c).is_some_and(|f| !f.is_empty());
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        if forked || !doc.get_heads().is_empty() || !index.signatures().is_empty() {
            let mut snapshot = snapshot;
            let changes = snapshot.get_changes(&[]);
            let batch = Batch {
                snapshot: Some(snapshot),
                ..Batch::from(changes)
            };
            return self.accept(docs, peer, c, batch, heads, out);
        }
        if read.iter().any(ChangeFacts::is_empty) {
            return Err(Refusal::MalformedChange(
                "a change with no operations".into(),
            ));
        }
        let total = read.len();
        let used = check_signatures(&read, heads, &[])?;
        let known = self.governance.get(c).cloned();
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let started = std::time::Instant::now();
        let (order, dangling) = crate::chain::causal_order(doc.document(), read);
        if dangling > 0 || order.len() != total {
            // Automerge loaded the snapshot: every dependency is in it.
            return Err(crate::chain::snapshot_lacks());
        }
        let (new, decoded): (Vec<_>, Vec<_>) = order.into_iter().map(|r| (r.0, r.1)).unzip();
        put_whole(doc, snapshot);
        let judged = judge_whole(doc, &new, &decoded, known);
        debug!(coalition = %c, changes = new.len(), judged = ?started.elapsed(), "checked the chain and the rules of a snapshot");
        let (governance_changed, known) = match judged {
            Ok(judged) => judged,
            Err(Failure::Refused(refusal)) => {
                roll_back(doc, &[])?;
                return Err(refusal);
            }
            Err(Failure::Broken(refusal)) => {
                tracing::warn!(peer = %peer, coalition = %c, %refusal, "discarding the in-memory document after a failed snapshot; reloading it from the store");
                docs.discard(c);
                return Err(refusal);
            }
        };
        if let Err(e) = docs.persist_snapshot(c, &used) {
            if let Some((doc, _)) = docs.entry(c) {
                roll_back(doc, &[])?;
            }
            return Err(Refusal::Local(e));
        }
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        for h in &used {
            index.offer(doc, h.clone());
        }
        index.settle(doc);
        if let Some(known) = known {
            docs.governance_known(c, &known.0, known.1.clone());
            self.governance.insert(c.clone(), known);
        }
        debug!(peer = %peer, coalition = %c, changes = new.len(), "applied a snapshot");
        out.push(Output::Applied {
            peer,
            coalition: c.clone(),
            changes: new.len(),
        });
        let hashes: Vec<ChangeHash> = new.iter().map(ChangeFacts::hash).collect();
        self.offer(docs, peer, c, &hashes, out);
        let count = new.len();
        if governance_changed || !self.peers.values().all(|p| p.docs.contains_key(c)) {
            self.rehello(docs, c, out);
        }
        self.retry_pending_forks(docs, c, out);
        self.retry_pending_addresses(docs, c, out);
        Ok(Applied { count, dangling: 0 })
    }

    /// Notes that `peer` holds `hashes` (it sent them) and offers them to the other peers
    /// sharing the coalition through a sync round: [`Self::relay`] for a batch never pushed.
    fn offer(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        hashes: &[ChangeHash],
        out: &mut Vec<Output>,
    ) {
        let mut offer_to = Vec::new();
        for (other, p) in &mut self.peers {
            let Some(d) = p.docs.get_mut(c) else {
                continue;
            };
            if *other == peer {
                d.note(hashes.iter().copied());
            } else {
                offer_to.push(*other);
            }
        }
        for other in offer_to {
            self.sync_step(docs, other, c, out);
        }
    }

    /// Of the changes `peer` sent, those not held here, once each; those set aside here join
    /// the vouchers (the sender may not know yet). Notes that the peer holds the others.
    fn unseen(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        changes: Vec<Change>,
        vouchers: Vec<Change>,
    ) -> Result<(Vec<Change>, Vec<Change>), Refusal> {
        let mut seen = BTreeSet::new();
        let forks = self.forks.get(c);
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let mut vouchers = vouchers;
        let mut new: Vec<Change> = Vec::with_capacity(changes.len());
        // Changes held here already that the peer sent: it holds them too (so `status` does
        // not count a node that joined by snapshot, and relayed what it got, as behind).
        let mut held_by_peer = Vec::new();
        for ch in changes {
            if holds(doc, &ch.hash()) {
                held_by_peer.push(ch.hash());
                continue;
            }
            if !seen.insert(ch.hash()) {
                continue;
            }
            if forks.is_some_and(|f| f.is_aside(&ch.hash())) {
                // Set aside here already, but the sender may not know yet: its signature can
                // still vouch for the sender's earlier changes, as a voucher does.
                vouchers.push(ch);
            } else {
                new.push(ch);
            }
        }
        if !held_by_peer.is_empty()
            && let Some(d) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c))
        {
            d.note(held_by_peer);
        }
        Ok((new, vouchers))
    }

    /// `new` without other versions of changes held here and what builds on them: a new
    /// fork is learnt and sent on (then nothing is applied: the batch is synced again);
    /// versions of known forks are left out with what needs them, and the snapshot with them.
    /// `None` when nothing is left to apply.
    #[allow(clippy::too_many_arguments)]
    fn without_other_versions(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        new: Vec<Change>,
        snapshot: Option<AutoCommit>,
        vouchers: &[Change],
        used: &[ChangeSignature],
        out: &mut Vec<Output>,
    ) -> Result<Option<ToApply>, Refusal> {
        // An actor's changes held here go up to its newest signed one, or to the one a
        // voucher vouches for, if that one is held.
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let forks = self.forks.get(c);
        let mut conflicting: Vec<Change> = Vec::new();
        for ch in &new {
            let actor = ch.actor_id().to_bytes();
            let signed = index.max_seq(actor).is_some_and(|max| ch.seq() <= max);
            let vouched = forks
                .and_then(|f| f.vouched(actor))
                .is_some_and(|(deps, seq)| {
                    ch.seq() <= seq
                        && deps.iter().any(|d| {
                            doc.document()
                                .get_change_meta_by_hash(d)
                                .is_some_and(|m| m.actor.as_ref() == ch.actor_id() && m.seq == seq)
                        })
                });
            if signed || vouched {
                conflicting.push(ch.clone());
            }
        }
        // Left out of this batch: versions of known forks other than the one held here, and
        // changes continuing a change not held here (a version of an earlier change that is
        // not applied here: no new fork for this node). Any other change conflicting with
        // one held here is a new fork.
        conflicting.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
        let mut apart: HashSet<ChangeHash> = HashSet::new();
        let mut fresh = Vec::new();
        for ch in &conflicting {
            let continues_held = ch.seq() == 1 || crate::forks::previous_own(doc, ch).is_some();
            if !forks.is_some_and(|f| f.knows(ch))
                && continues_held
                && !ch.deps().iter().any(|d| apart.contains(d))
            {
                fresh.push(ch.clone());
            }
            apart.insert(ch.hash());
        }
        for ch in fresh {
            // Signed by its actor yet another version of a change held here: evidence of a
            // fork, learnt and sent on; the batch is synced again afterwards.
            // Evidence that cannot be made here (what is held of that actor is not vouched
            // for here, or it is too large) is made by the node holding the other version,
            // when this one reaches it; meanwhile the change is left out here with what
            // builds on it, the rest of the batch goes on, and nobody is blamed.
            if let Ok(fork) = self.evidence(docs, c, &ch, &new, vouchers, used) {
                self.learn_fork(docs, None, c, &fork, out)?;
                return Ok(None);
            }
        }
        let mut new = new;
        let mut snapshot = snapshot;
        if !conflicting.is_empty() {
            // Versions of known forks other than the one held here, and what builds on them:
            // not applied here while no witness decides between the versions (each node
            // keeps the one it holds, see `forks`); the rest of the batch goes on.
            // An actor whose signature here is over a change left out has nothing here to
            // vouch for the rest of its changes: those are left out too (they come again,
            // signed, from a node that holds them).
            set_apart_what_follows(&new, used, &mut apart);
            new.retain(|ch| !apart.contains(&ch.hash()));
            snapshot = None;
            if new.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some((new, snapshot)))
    }

    /// Checks, applies and judges `new` (or puts the snapshot in place), stores it with its
    /// signatures and indexes those: the changes in the order applied, whether the
    /// governance changed and the governance at the heads after, when the rules know it
    /// without reading (given `known`, the governance at some heads); or how many could
    /// not be judged yet (dependencies not here).
    fn apply_checked(
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        new: Vec<Change>,
        snapshot: Option<AutoCommit>,
        used: &[ChangeSignature],
        known: Option<super::Known>,
    ) -> Result<Checked, Refusal> {
        // Only changes whose dependencies are here or in the batch can be judged; the rest
        // wait for a catch-up with the peer. Each change must continue its actor's history
        // and refer only to operations of its own history (`chain`), which Automerge
        // assumes and does not check.
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        // A snapshot's changes too: Automerge rebuilt them from a document whose operations
        // `snapshot::check` did not all relate to each other (an object older than what is
        // written in it, of the right kind), and the rules walk those relations.
        let started = std::time::Instant::now();
        let checked = crate::chain::check(doc.document(), new)?;
        let chained = started.elapsed();
        if checked.dangling > 0 {
            // Taken whole or not at all, so that the signatures stored vouch for what is here.
            return Ok(Checked::Dangling(checked.dangling));
        }
        let new = checked.order;
        let before = doc.get_heads();
        let applied = apply_and_judge(
            doc,
            &new,
            &checked.decoded,
            snapshot,
            !before.is_empty(),
            known,
        );
        debug!(coalition = %c, changes = new.len(), ?chained, judged = ?started.elapsed(), "checked the chain and the rules");
        let (governance_changed, known) = match applied {
            Ok(judged) => judged,
            Err(Failure::Refused(refusal)) => {
                roll_back(doc, &before)?;
                return Err(refusal);
            }
            Err(Failure::Broken(refusal)) => {
                // Automerge panicked or kept something it cannot give back: the document
                // may be inconsistent. Reload it from the store, which holds only what was
                // checked and applied before.
                tracing::warn!(peer = %peer, coalition = %c, %refusal, "discarding the in-memory document after a failed apply; reloading it from the store");
                docs.discard(c);
                return Err(refusal);
            }
        };
        if let Err(e) = docs.persist(c, &new, used) {
            if let Some((doc, _)) = docs.entry(c)
                && let Err(r) = roll_back(doc, &before)
            {
                // The document keeps what was not stored: reloaded from the store instead,
                // so that nothing unstored is ever written as a snapshot.
                tracing::warn!(coalition = %c, refusal = %r, "could not roll back an unstored batch; reloading the document from the store");
                docs.discard(c);
                return Err(r);
            }
            return Err(Refusal::Local(e));
        }
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        for h in used {
            index.offer(doc, h.clone());
        }
        index.settle(doc);
        Ok(Checked::Applied(new, governance_changed, known))
    }

    /// Sends `new` on to the other peers sharing the coalition (a batch too large to relay
    /// whole is left to a sync round with each), and notes who holds it.
    fn relay(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        new: &[Change],
        used: &[ChangeSignature],
        out: &mut Vec<Output>,
    ) {
        let hashes: Vec<ChangeHash> = new.iter().map(Change::hash).collect();
        // Pushed whole only to a peer that takes it in one message (with room to spare for
        // the signatures); to the others, and whatever its weight past `MAX_RELAY` changes,
        // it is offered through a sync round, in pages where it must (`pages`).
        if new.len() > MAX_RELAY {
            self.offer(docs, peer, c, &hashes, out);
            return;
        }
        let weight: usize = new.iter().map(crate::verify::allowance_of).sum();
        let mut relay_to: Vec<NodeKey> = Vec::new();
        let mut offer_to: Vec<NodeKey> = Vec::new();
        let limits: Vec<(NodeKey, usize)> =
            self.peers.keys().map(|k| (*k, self.limit_for(k))).collect();
        for (other, limit) in limits {
            let Some(d) = self.peers.get_mut(&other).and_then(|p| p.docs.get_mut(c)) else {
                continue;
            };
            let push = weight <= super::pages::page_budget(limit, 0);
            // The sender holds them; those pushed to are about to be sent them.
            if push || other == peer {
                d.note(hashes.iter().copied());
            }
            if other != peer {
                if push {
                    relay_to.push(other);
                } else {
                    offer_to.push(other);
                }
            }
        }
        for other in offer_to {
            self.sync_step(docs, other, c, out);
        }
        if !relay_to.is_empty() {
            let (mut voucher_heads, vouchers) = match docs.entry(c) {
                Some((_, index)) => self.vouchers(c, index),
                None => Default::default(),
            };
            voucher_heads.retain(|v| !used.iter().any(|u| u.hash == v.hash));
            let mut heads = wire::heads(used);
            heads.extend(voucher_heads);
            let frames = Message::Changes {
                coalition: wire_id(c),
                changes: new
                    .iter()
                    .map(|ch| ByteChunk(ch.raw_bytes().to_vec()))
                    .collect(),
                // The relayed batch is exactly `new`, so the signatures that vouched for it
                // do (with what vouches for changes whose signed successor was set aside).
                heads,
                vouchers,
            }
            .frames();
            for other in relay_to {
                for frame in &frames {
                    out.push(Output::Send {
                        peer: other,
                        frame: frame.clone(),
                    });
                }
            }
        }
    }

    /// Changes made on this node (already stored, applied and indexed): push them to every
    /// peer sharing the coalition.
    pub fn local_changes(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        changes: &[Change],
        head: ChangeSignature,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        let frames = Message::Changes {
            coalition: wire_id(c),
            changes: changes
                .iter()
                .map(|ch| ByteChunk(ch.raw_bytes().to_vec()))
                .collect(),
            heads: vec![SignedHead::from(&head)],
            vouchers: Vec::new(),
        }
        .frames();
        for (peer, p) in &mut self.peers {
            if let Some(d) = p.docs.get_mut(c) {
                d.note(changes.iter().map(Change::hash));
                for frame in &frames {
                    out.push(Output::Send {
                        peer: *peer,
                        frame: frame.clone(),
                    });
                }
            }
        }
        self.rehello(docs, c, &mut out);
        // A change made on a version of a fork that no witness decided yet is one.
        if let Some(made) = changes.last() {
            self.witness_held(docs, c, Some(made), &mut out);
        }
        out
    }

    /// After a coalition changed, offer it to connected peers that have become members, and
    /// start syncing with those that already offered it (a node that just joined); stop
    /// syncing it with peers that are no longer members (removed, or left).
    pub(crate) fn rehello(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let Some(keys) = docs.member_key_map(c) else {
            return;
        };
        for (peer, p) in &mut self.peers {
            if p.docs.contains_key(c) && !keys.contains_key(peer.as_bytes()) {
                p.docs.remove(c);
                p.offered.remove(c);
                info!(peer = %peer, coalition = %c, "peer is no longer a member: not syncing with it");
            }
        }
        let newly: Vec<(NodeKey, bool)> = self
            .peers
            .iter()
            .filter(|(k, p)| !p.docs.contains_key(c) && keys.contains_key(k.as_bytes()))
            .map(|(k, p)| (*k, p.offered.contains(c)))
            .collect();
        for (peer, offered) in newly {
            out.push(self.hello(docs, peer));
            if offered && let Some(p) = self.peers.get_mut(&peer) {
                p.docs.insert(c.clone(), PeerDoc::new());
                self.send_addresses(docs, peer, c, out);
                self.send_forks(docs, peer, c, out);
                self.sync_step(docs, peer, c, out);
            }
        }
    }
}

/// Changes to apply, and the checked snapshot that stands in for applying them, if any.
pub(super) type ToApply = (Vec<Change>, Option<AutoCommit>);

/// What [`SyncNode::apply_checked`] did.
pub(crate) enum Checked {
    /// Applied these changes, in this order; whether the governance changed; the
    /// governance at the heads after, if the rules knew it without reading.
    Applied(Vec<Change>, bool, Option<super::Known>),
    /// Applied nothing: this many changes depend on what is not here yet.
    Dangling(usize),
}

/// Why a batch was not applied.
pub(super) enum Failure {
    /// It broke a rule: the document can be rolled back to before it.
    Refused(Refusal),
    /// Automerge panicked on it or kept it wrongly: the document must be reloaded.
    Broken(Refusal),
}

/// Applies `new` (in causal order) and judges every change against the coalition's rules.
/// On error the document may hold part of the batch: the caller rolls it back
/// (or, for a [`Failure::Broken`] one, reloads it). Returns whether the batch may have
/// changed the members in force.
pub(super) fn apply_and_judge(
    doc: &mut AutoCommit,
    new: &[Change],
    decoded: &[model::ops::ChangeOps],
    snapshot: Option<AutoCommit>,
    founded: bool,
    known: Option<super::Known>,
) -> Result<(bool, Option<super::Known>), Failure> {
    let broken = |why: &str| Failure::Broken(Refusal::MalformedChange(why.to_owned()));
    match snapshot {
        // `doc` holds nothing and `new` are all the snapshot's changes (checked): the
        // snapshot is the document applying them would give.
        Some(snapshot) if !founded => put_whole(doc, snapshot),
        _ => {
            // `chain::check` rules out every input known to make Automerge panic; should
            // another exist, it costs this batch and a reload, not the node.
            let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                doc.apply_changes(new.to_vec())
            }))
            .map_err(|_| broken("Automerge could not apply it"))?;
            applied.map_err(|e| {
                Failure::Refused(match e {
                    automerge::AutomergeError::DuplicateSeqNumber(seq, actor) => {
                        Refusal::Equivocation {
                            actor: actor.to_hex_string(),
                            seq,
                        }
                    }
                    other => Refusal::MalformedChange(other.to_string()),
                })
            })?;
        }
    }
    judge_applied(doc, new, decoded, founded, known)
}

/// Puts a checked snapshot in place of `doc`, which holds nothing, keeping its actor.
pub(super) fn put_whole(doc: &mut AutoCommit, snapshot: AutoCommit) {
    let actor = doc.get_actor().clone();
    *doc = snapshot.with_actor(actor);
}

/// Judges `new`, applied to `doc` already (with `decoded`, their operations), against the
/// coalition's rules; see [`apply_and_judge`].
pub(super) fn judge_applied<C: ChangeFacts>(
    doc: &mut AutoCommit,
    new: &[C],
    decoded: &[model::ops::ChangeOps],
    founded: bool,
    known: Option<super::Known>,
) -> Result<(bool, Option<super::Known>), Failure> {
    let rules = judge_read(doc, new, decoded, founded, known)?;
    Ok(verdict(doc, rules))
}

/// [`judge_applied`] up to its verdict, reading `doc` only: the rules as they stand after
/// judging every change of `new`.
fn judge_read<C: ChangeFacts>(
    doc: &AutoCommit,
    new: &[C],
    decoded: &[model::ops::ChangeOps],
    founded: bool,
    known: Option<super::Known>,
) -> Result<Validator, Failure> {
    let broken = |why: &str| Failure::Broken(Refusal::MalformedChange(why.to_owned()));
    let mut rules = Validator::new(founded);
    if let Some((heads, governance)) = known {
        rules = rules.knowing(&heads, governance);
    }
    // The rules read the document Automerge built; should a reading path still panic on
    // what a peer sent, it costs the batch and a reload, not the node.
    let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // Decoded by `chain::check`, one per change.
        for (ch, expanded) in new.iter().zip(decoded) {
            rules
                .check_decoded(doc, ch, expanded)
                .map_err(|v| Failure::Refused(v.into()))?;
        }
        Ok(())
    }))
    .map_err(|_| broken("the rules could not read what it wrote"))?;
    judged?;
    Ok(rules)
}

/// A whole history in causal order, `order` with `decoded` (its operations), put in place in
/// `doc` (which held nothing before it), judged: the checks of `chain::check_whole` (against
/// an empty document, as `doc` was), then the rules. From [`crate::beside::APART`] operations
/// the chain is checked on a thread of its own while the rules judge it here (each reads only
/// `order` and `decoded`, the rules `doc` too), for half the time of one after the other. The
/// chain's refusal comes first where both refuse, as when the chain is checked first. A chain
/// check that cannot run on a thread of its own runs here, after the rules; one whose thread
/// fails is a refusal. The rules may then read a document whose history the chain check goes
/// on to refuse: what keeps their reading bounded there is `snapshot::check` (every object
/// older than what is written in it, so walking to the root ends) and the rules' own bound on
/// how deep an object may lie (`model::rules`), with `catch_unwind` for a panic.
fn judge_whole(
    doc: &mut AutoCommit,
    order: &[model::ops::Stated],
    decoded: &[model::ops::ChangeOps],
    known: Option<super::Known>,
) -> Result<(bool, Option<super::Known>), Failure> {
    let chain = || crate::chain::check_whole(order, decoded);
    let ops: usize = decoded.iter().map(model::ops::ChangeOps::len).sum();
    if ops < crate::beside::apart() {
        chain().map_err(Failure::Refused)?;
        let rules = judge_read(doc, order, decoded, false, known)?;
        return Ok(verdict(doc, rules));
    }
    let (judged, chained) = crate::beside::beside("coalesce-chain", chain, || {
        judge_read(doc, order, decoded, false, known)
    });
    let chained = match chained {
        crate::beside::There::Done(chained) => chained,
        crate::beside::There::NotStarted => chain(),
        crate::beside::There::Failed => Err(Refusal::MalformedSnapshot(
            "the history's operations could not be checked".into(),
        )),
    };
    chained.map_err(Failure::Refused)?;
    Ok(verdict(doc, judged?))
}

/// What the rules found of a batch applied to `doc`: whether the governance changed, and the
/// governance after it with the heads it is at, where the rules know it.
fn verdict(doc: &mut AutoCommit, rules: Validator) -> (bool, Option<super::Known>) {
    let heads = doc.get_heads();
    let known = rules.governance_after(doc, &heads).map(|g| (heads, g));
    (rules.governance_changed(), known)
}

/// Takes a refused or unstored batch back out: the document as it was at `before`.
pub(super) fn roll_back(doc: &mut AutoCommit, before: &[ChangeHash]) -> Result<(), Refusal> {
    let actor = doc.get_actor().clone();
    let restored = if before.is_empty() {
        AutoCommit::new()
    } else {
        doc.fork_at(before)
            .map_err(|e| Refusal::Local(format!("could not roll back: {e}")))?
    };
    *doc = restored.with_actor(actor);
    Ok(())
}

/// Whether `doc` holds the change `hash` (a lookup in its change graph; nothing is rebuilt).
pub(super) fn holds(doc: &mut AutoCommit, hash: &ChangeHash) -> bool {
    doc.document().get_change_meta_by_hash(hash).is_some()
}

/// Adds to `apart` every change of `new` that builds on one in it, and every change of an actor
/// whose signature in `used` is over one in it (nothing here vouches for the rest of that
/// actor's changes), until nothing more follows: a worklist over the batch, each change and
/// each dependency visited once, however the apart changes, the actors and the dependencies
/// chain (one pass per actor, as before, took a crafted batch of 10,000 changes minutes).
fn set_apart_what_follows(
    new: &[Change],
    used: &[ChangeSignature],
    apart: &mut HashSet<ChangeHash>,
) {
    let index: HashMap<ChangeHash, usize> = new
        .iter()
        .enumerate()
        .map(|(i, ch)| (ch.hash(), i))
        .collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); new.len()];
    for (i, ch) in new.iter().enumerate() {
        for d in ch.deps() {
            if let Some(&j) = index.get(d) {
                dependents[j].push(i);
            }
        }
    }
    let mut by_actor: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, ch) in new.iter().enumerate() {
        by_actor
            .entry(ch.actor_id().to_bytes())
            .or_default()
            .push(i);
    }
    let signed: HashSet<ChangeHash> = used.iter().map(|sig| ChangeHash(sig.hash)).collect();
    let mut unvouched: HashSet<&[u8]> = HashSet::new();
    // The apart changes of the batch still to follow, and those whose dependencies are
    // apart, not in the batch.
    let mut queue: Vec<usize> = Vec::new();
    for (i, ch) in new.iter().enumerate() {
        if apart.contains(&ch.hash()) || ch.deps().iter().any(|d| apart.contains(d)) {
            apart.insert(ch.hash());
            queue.push(i);
        }
    }
    while let Some(i) = queue.pop() {
        let ch = &new[i];
        let actor = ch.actor_id().to_bytes();
        let of_actor = if signed.contains(&ch.hash()) && unvouched.insert(actor) {
            by_actor.get(actor).map_or(&[][..], Vec::as_slice)
        } else {
            &[]
        };
        for &j in dependents[i].iter().chain(of_actor) {
            if apart.insert(new[j].hash()) {
                queue.push(j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ROOT};

    use super::*;
    use crate::node::tests::signed;

    fn actor(i: u32) -> ActorId {
        let mut bytes = [0u8; 32];
        bytes[..4].copy_from_slice(&i.to_be_bytes());
        ActorId::from(bytes.as_slice())
    }

    /// A member's crafted batch: one change set apart, then thousands of fresh actors, each
    /// with a first change and a signed second one depending on the previous actor's first.
    /// Setting apart what follows took one pass over the batch per actor (each pass finding
    /// the next), minutes at this size (this test would not end in CI's time); now each change
    /// is visited once. Everything of the chain is apart, and a change beside it is not.
    #[test]
    fn what_follows_a_change_set_apart_is_found_in_one_walk_however_actors_chain() {
        const ACTORS: u32 = 5_000;
        let mut root = AutoCommit::new().with_actor(actor(0));
        root.put(ROOT, "x", 0).unwrap();
        root.commit();
        let mut new: Vec<Change> = vec![root.get_last_local_change().unwrap()];
        let mut used = vec![signed(&new[0])];
        let mut previous = root;
        for i in 1..=ACTORS {
            let mut first = AutoCommit::new().with_actor(actor(i));
            first.put(ROOT, "y", 1).unwrap();
            first.commit();
            let one = first.get_last_local_change().unwrap();
            let mut second = first.fork().with_actor(actor(i));
            second.merge(&mut previous).unwrap();
            second.put(ROOT, "y", 2).unwrap();
            second.commit();
            let two = second.get_last_local_change().unwrap();
            used.push(signed(&two));
            new.push(one);
            new.push(two);
            previous = first;
        }
        let mut beside = AutoCommit::new().with_actor(actor(ACTORS + 1));
        beside.put(ROOT, "z", 1).unwrap();
        beside.commit();
        let unrelated = beside.get_last_local_change().unwrap();
        new.push(unrelated.clone());
        let mut apart: HashSet<ChangeHash> = [new[0].hash()].into_iter().collect();
        set_apart_what_follows(&new, &used, &mut apart);
        assert_eq!(apart.len(), new.len() - 1);
        assert!(!apart.contains(&unrelated.hash()));
    }
}
