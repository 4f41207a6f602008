//! What a node does with changes and evidence arriving: loads and stores what it knows,
//! sets aside what forks set aside, makes and learns evidence.

use super::*;

impl SyncNode {
    /// Loads what is known of forks in `c`, once.
    ///
    /// A document stored before its forks record (a crash between the two) still holds
    /// what the record sets aside: it is rebuilt without it here.
    pub(crate) fn load_forks(&mut self, docs: &mut impl Documents, c: &CoalitionId) {
        if !self.forks.contains_key(c) {
            let forks = docs
                .load_forks(c)
                .map(|b| Forks::from_bytes(&b))
                .unwrap_or_default();
            let known = !forks.is_empty();
            self.forks.insert(c.clone(), forks);
            if known && let Err(e) = self.rebuild_without_aside(docs, c) {
                warn!(coalition = %c, error = %e, "could not set aside what a known fork sets aside");
            }
        }
    }

    pub(crate) fn save_forks(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
    ) -> Result<(), Refusal> {
        let Some(forks) = self.forks.get(c) else {
            return Ok(());
        };
        let forked: Vec<[u8; 32]> = forks.forked().keys().copied().collect();
        docs.save_forks(c, &forks.to_bytes(), &forked)
            .map_err(Refusal::Local)
    }

    /// Parses the changes a message carries only to vouch for others, within `budget`:
    /// what is left of the message's allowance.
    pub(crate) fn parse_vouchers(
        &self,
        chunks: &[ByteChunk],
        mut budget: usize,
    ) -> Result<Vec<Change>, Refusal> {
        chunks
            .iter()
            .map(|c| change_in_chunk(&c.0, &mut budget))
            .collect()
    }

    /// What vouches for kept changes whose signed successors were set aside in `c`.
    pub(crate) fn vouchers(
        &self,
        c: &CoalitionId,
        index: &HeadIndex,
    ) -> (Vec<SignedHead>, Vec<ByteChunk>) {
        self.forks
            .get(c)
            .map(|f| f.vouchers(|a| index.max_seq(a)))
            .unwrap_or_default()
    }

    /// Tells a peer starting to sync `c` of every fork known there.
    pub(crate) fn send_forks(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        self.load_forks(docs, c);
        if let Some(forks) = self.forks.get(c) {
            for m in forks.messages(wire_id(c)) {
                send(out, peer, &m);
            }
        }
    }

    /// Takes out of `new` (verified, not held) what the forks known set aside, remembering
    /// it; returns the rest, and what vouches for kept changes whose signature came over a
    /// change set aside (to keep with [`SyncNode::keep_vouchers`] once they are stored).
    pub(crate) fn set_aside_arriving(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        mut new: Vec<Change>,
        vouchers: &[Change],
        used: &[ChangeSignature],
    ) -> Result<(Vec<Change>, Vec<Vouch>), Refusal> {
        let forks = self.forks.entry(c.clone()).or_default();
        let remembered = forks.set_aside();
        let (aside, kept): (Vec<Change>, Vec<Change>) = if forks.is_empty() {
            (Vec::new(), new)
        } else {
            // Start operations grow along the change graph: a causal order for the rule.
            new.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
            let mut seen = HashSet::new();
            new.into_iter()
                .partition(|ch| forks.sets_aside(ch, &mut seen))
        };
        if aside.is_empty() && vouchers.is_empty() {
            return Ok((kept, Vec::new()));
        }
        if forks.set_aside() > remembered {
            self.save_forks(docs, c)?;
        }
        let pool: HashMap<ChangeHash, &Change> = aside
            .iter()
            .chain(vouchers)
            .map(|ch| (ch.hash(), ch))
            .collect();
        let kept_meta: HashMap<ChangeHash, (automerge::ActorId, u64)> = kept
            .iter()
            .map(|ch| (ch.hash(), (ch.actor_id().clone(), ch.seq())))
            .collect();
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let am = doc.document();
        let mut vouches = Vec::new();
        for sig in used {
            let Some(tip) = pool.get(&ChangeHash(sig.hash)) else {
                continue;
            };
            let held = |h: &ChangeHash| {
                kept_meta.get(h).cloned().or_else(|| {
                    am.get_change_meta_by_hash(h)
                        .map(|m| (m.actor.into_owned(), m.seq))
                })
            };
            if let (Some(chain), Ok(actor)) = (
                chain_back(tip, &pool, held),
                crate::verify::actor_key(tip.actor_id()),
            ) {
                let raw = chain.iter().map(|c| c.raw_bytes().to_vec()).collect();
                vouches.push((actor, sig.clone(), raw));
            }
        }
        Ok((kept, vouches))
    }

    /// Keeps what vouches for an actor's kept changes, once they are stored. Failing to is
    /// this node's own trouble (its store), not the peer's: logged, and peers carry the
    /// vouchers again with the changes they vouch for.
    pub(crate) fn keep_vouchers(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        vouches: Vec<Vouch>,
    ) {
        if vouches.is_empty() {
            return;
        }
        let forks = self.forks.entry(c.clone()).or_default();
        let mut changed = false;
        for (actor, sig, chain) in vouches {
            changed |= forks.vouch(actor, &sig, chain);
        }
        if changed && let Err(e) = self.save_forks(docs, c) {
            warn!(coalition = %c, error = %e, "could not keep what vouches for changes");
        }
    }

    /// Evidence of a fork: `incoming` (verified, in `new` with `vouchers` and signed as
    /// `used` says) and the version of it held here.
    pub(crate) fn evidence(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        incoming: &Change,
        new: &[Change],
        vouchers: &[Change],
        used: &[ChangeSignature],
    ) -> Result<Fork, Refusal> {
        let equivocation = || Refusal::Equivocation {
            actor: incoming.actor_id().to_hex_string(),
            seq: incoming.seq(),
        };
        let actor = incoming.actor_id();
        let seq = incoming.seq();
        // The incoming version, up to the actor's signed change in the batch.
        let pool: HashMap<ChangeHash, &Change> = new
            .iter()
            .chain(vouchers)
            .map(|ch| (ch.hash(), ch))
            .collect();
        let (second_head, tip) = used
            .iter()
            .find_map(|s| {
                pool.get(&ChangeHash(s.hash))
                    .filter(|c| c.actor_id() == actor)
                    .map(|c| (s.clone(), *c))
            })
            .ok_or_else(equivocation)?;
        let mut second = vec![tip.clone()];
        while second.last().is_some_and(|c| c.seq() > seq) {
            let cur = second.last().ok_or_else(equivocation)?;
            let prev = cur
                .deps()
                .iter()
                .find_map(|d| pool.get(d).filter(|p| p.actor_id() == actor))
                .ok_or_else(equivocation)?;
            second.push((*prev).clone());
        }
        second.reverse();
        // The version held here: the actor's chain from `seq` up to the nearest change of it
        // with a signature stored here (every signature received is kept), found below its
        // newest signed change held, or below its newest kept one and then its voucher (the
        // chain set aside up to a signed change).
        let voucher = self
            .forks
            .get(c)
            .and_then(|f| f.voucher_of(actor.to_bytes()));
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let (mut first_head, mut tail) = match index.newest(actor.to_bytes()) {
            Some(h)
                if doc
                    .document()
                    .get_change_meta_by_hash(&ChangeHash(h.hash))
                    .is_some_and(|m| m.seq >= seq) =>
            {
                (h.clone(), Vec::new())
            }
            _ => {
                let (chain, head) = voucher.ok_or_else(equivocation)?;
                (head, chain)
            }
        };
        let mut hash = match tail.first() {
            // The newest kept change, just before the voucher's chain.
            Some(v) => own_previous(doc, actor, v.deps(), v.seq()).ok_or_else(equivocation)?,
            None => ChangeHash(first_head.hash),
        };
        // Down to `seq` through the changes' metadata (nothing rebuilt on the way).
        let mut hashes = Vec::new();
        loop {
            let (at, deps) = doc
                .document()
                .get_change_meta_by_hash(&hash)
                .map(|m| (m.seq, m.deps.clone()))
                .ok_or_else(equivocation)?;
            hashes.push(hash);
            if at <= seq {
                break;
            }
            hash = own_previous(doc, actor, &deps, at).ok_or_else(equivocation)?;
        }
        hashes.reverse();
        // The nearest signature to `seq` shortens the chain (a far one cannot travel).
        for (i, h) in hashes.iter().enumerate().take(wire::MAX_FORK_CHAIN) {
            if let Some(sig) = docs.signature(c, &h.0) {
                hashes.truncate(i + 1);
                first_head = sig;
                tail.clear();
                break;
            }
        }
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let mut first = Vec::with_capacity(hashes.len());
        for h in &hashes {
            first.push(
                automerge::ReadDoc::get_change_by_hash(doc.document(), h)
                    .ok_or_else(equivocation)?,
            );
            if first.len() > wire::MAX_FORK_CHAIN {
                break;
            }
        }
        first.append(&mut tail);
        // Evidence that peers would refuse as too large is not learnt either: every node
        // must be able to check what sets changes aside here.
        if first.len() > wire::MAX_FORK_CHAIN
            || second.len() > wire::MAX_FORK_CHAIN
            || !fits(&first, &second)
        {
            tracing::warn!(coalition = %c, actor = %actor, seq, "a member's node forked its history too far back for evidence to travel: the other version is not applied here");
            return Err(equivocation());
        }
        Fork::from_chains(first, first_head, second, second_head)
    }

    /// Learns a fork (found here, or sent by `from`): records it, flags the key, tells
    /// every other peer syncing `c`, and starts syncing `c` again with each (the batch that
    /// showed it is taken again, without the other version). Nothing is set aside until a
    /// witness of a version is known: this node then proves its own version's if it can.
    pub(crate) fn learn_fork(
        &mut self,
        docs: &mut impl Documents,
        from: Option<NodeKey>,
        c: &CoalitionId,
        fork: &Fork,
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.load_forks(docs, c);
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        match fork.tied_to(doc) {
            Tie::Tied => {}
            // Evidence a peer sends it found tied to its own copy, which holds what this
            // one holds of the versions' dependencies (else `Waiting`) and reads them alike:
            // never tied here, it is no honest evidence, and reading the governance at both
            // versions' dependencies for it is not done again for free.
            Tie::Never if from.is_some() => {
                return Err(Refusal::MalformedFork(
                    "evidence of a fork that is not tied to this coalition's history".into(),
                ));
            }
            Tie::Never => return Ok(()),
            Tie::Waiting => {
                // This node has not caught up with what the versions build on yet: tried
                // again after each batch applied, while it waits in memory.
                let pending = self.pending_forks.entry(c.clone()).or_default();
                wait_in(pending, fork, |p| p.same_as(fork));
                return Ok(());
            }
        }
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let Some(base) = fork.base(doc) else {
            return Ok(());
        };
        let forks = self.forks.entry(c.clone()).or_default();
        if !forks.add(fork, base) {
            return Ok(());
        }
        self.save_forks(docs, c)?;
        let key = NodeKey::from_bytes(fork.actor);
        warn!(coalition = %c, key = %key, seq = fork.seq, "a member's node forked its history (two different changes with one sequence number): its key is flagged; the version another member built on is kept on every node, and neither if both were");
        let message = fork.message(wire_id(c));
        self.tell_syncing(from, c, &message, out);
        self.witness_held(docs, c, None, out);
        let set_aside = self.forks.get(c).map_or(0, Forks::set_aside);
        out.push(Output::Forked {
            coalition: c.clone(),
            key,
            seq: fork.seq,
            set_aside,
        });
        self.retry_pending_witnesses(docs, c, out);
        self.resync(docs, c, out);
        Ok(())
    }
}
