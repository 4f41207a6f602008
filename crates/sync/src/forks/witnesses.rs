//! Witnesses learnt, made and sent; pending evidence retried; the document rebuilt without
//! what is set aside.

use super::*;

impl SyncNode {
    /// Learns the witnesses waiting for `c` that now count.
    pub(crate) fn retry_pending_witnesses(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let Some(pending) = self.pending_witnesses.remove(c) else {
            return;
        };
        for w in pending {
            // Those still waiting are queued again by `learn_witness`.
            if let Err(e) = self.learn_witness(docs, None, c, &w, out) {
                warn!(coalition = %c, error = %e, "could not learn a witness");
            }
        }
    }

    /// Sends `message` to every peer syncing `c` but `from`.
    pub(crate) fn tell_syncing(
        &self,
        from: Option<NodeKey>,
        c: &CoalitionId,
        message: &Message,
        out: &mut Vec<Output>,
    ) {
        for (peer, p) in &self.peers {
            if p.docs.contains_key(c) && Some(*peer) != from {
                send(out, *peer, message);
            }
        }
    }

    /// Starts syncing `c` afresh with every peer syncing it.
    pub(crate) fn resync(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let syncing: Vec<NodeKey> = self
            .peers
            .iter()
            .filter(|(_, p)| p.docs.contains_key(c))
            .map(|(k, _)| *k)
            .collect();
        for peer in syncing {
            self.restart_rounds(docs, peer, c, out);
        }
    }

    /// Starts the rounds of `c` with `peer` afresh (a pause under way and the counts of
    /// pauses and resends kept: `PeerDoc::restarted`) and runs the first.
    pub(crate) fn restart_rounds(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        if let Some(d) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) {
            *d = d.restarted();
        }
        self.sync_step(docs, peer, c, out);
    }

    /// Learns a witness (built here, or sent by `from`): if it counts and decides more than
    /// was known, sets aside what the versions it leaves out set aside, and tells every
    /// other peer syncing `c`.
    pub(crate) fn learn_witness(
        &mut self,
        docs: &mut impl Documents,
        from: Option<NodeKey>,
        c: &CoalitionId,
        w: &Witness,
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.load_forks(docs, c);
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let forks = self.forks.entry(c.clone()).or_default();
        // Known already, or the fork decided for good: nothing more to judge.
        if forks.has_witness(w) {
            return Ok(());
        }
        match w.counts_in(doc, forks) {
            Tie::Tied => {}
            Tie::Never => return Ok(()),
            Tie::Waiting => {
                // Its fork is not known here yet, or happened where this node has not caught
                // up: tried again after each fork learnt and each batch applied.
                // Only a member's key's witness waits (an outsider's could crowd the list).
                if !docs
                    .member_key_map(c)
                    .is_some_and(|keys| keys.contains_key(&w.witness_key()))
                {
                    return Ok(());
                }
                let pending = self.pending_witnesses.entry(c.clone()).or_default();
                wait_in(pending, w, |p| {
                    p.version().hash() == w.version().hash() && p.witness_key() == w.witness_key()
                });
                return Ok(());
            }
        }
        // Whether this node holds a version the witness sets aside (or cannot tell).
        let v = w.version();
        let loses_held = match held_at(doc, index, v.actor_id(), v.seq()) {
            Some(Some(held)) => held != v.hash(),
            Some(None) => false,
            None => true,
        };
        forks.add_witness(w);
        let changed = if loses_held {
            match self.rebuild_without_aside(docs, c) {
                Ok(changed) => changed,
                Err(e) => {
                    // Not recorded, so that it is judged again when it comes again.
                    if let Some(f) = self.forks.get_mut(c) {
                        f.remove_witness(w);
                    }
                    return Err(e);
                }
            }
        } else {
            false
        };
        self.save_forks(docs, c)?;
        let v = w.version();
        info!(coalition = %c, seq = v.seq(), version = %v.hash(), set_aside = self.forks.get(c).map_or(0, Forks::set_aside), "another member built on a version of a fork: versions without a witness are set aside");
        self.tell_syncing(from, c, &w.message(wire_id(c)), out);
        out.push(Output::ForkDecided {
            coalition: c.clone(),
        });
        if changed {
            self.resync(docs, c, out);
        }
        Ok(())
    }

    /// For each fork known in `c` whose version held here has no witness yet while fewer
    /// than two versions have one, proves one if this node can (a change of another member
    /// built on it, signed) and learns it. After a local edit (`made`, which builds on
    /// every version held), only where that edit itself counts as a witness: the search
    /// is not repeated on every edit of a node whose member cannot witness.
    pub(crate) fn witness_held(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        made: Option<&Change>,
        out: &mut Vec<Output>,
    ) {
        let Some(forks) = self.forks.get(c) else {
            return;
        };
        let mut wanted = Vec::new();
        for key in &forks.known {
            let witnessed: Vec<ChangeHash> = forks
                .witnessed
                .get(key)
                .map(|w| w.iter().map(|(v, _)| ChangeHash(*v)).collect())
                .unwrap_or_default();
            if witnessed.len() >= 2 {
                continue;
            }
            for v in forks.versions_of(key) {
                if !witnessed.contains(&v) {
                    wanted.push(v);
                }
            }
        }
        for v in wanted {
            let Some((doc, _)) = docs.entry(c) else {
                return;
            };
            let Some(version) = automerge::ReadDoc::get_change_by_hash(doc.document(), &v) else {
                continue;
            };
            if let (Some(made), Some(forks)) = (made, self.forks.get(c))
                && !counts_as_witness(doc, forks, &version, made)
            {
                continue;
            }
            if let Some(w) = self.build_witness(docs, c, &v)
                && let Err(e) = self.learn_witness(docs, None, c, &w, out)
            {
                warn!(coalition = %c, error = %e, "could not learn a witness built here");
            }
        }
    }

    /// A witness of the version `v` (held here): the earliest change built on it by a key
    /// of another member where the fork happened, with a signature stored here, and the
    /// shortest path of changes from `v` up to it that fits the evidence limits.
    pub(crate) fn build_witness(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        v: &ChangeHash,
    ) -> Option<Witness> {
        let (doc, _) = docs.entry(c)?;
        let version = automerge::ReadDoc::get_change_by_hash(doc.document(), v)?;
        // Later changes in causal order, each with the dependency it descends from `v` by.
        let mut later = doc.get_changes(&[*v]);
        later.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
        let mut parent: HashMap<ChangeHash, ChangeHash> = HashMap::new();
        let mut candidates = Vec::new();
        let forks = self.forks.get(c)?;
        let mut keys_checked: HashMap<Vec<u8>, bool> = HashMap::new();
        let mut by_hash: HashMap<ChangeHash, &Change> = HashMap::new();
        for ch in &later {
            let Some(d) = ch
                .deps()
                .iter()
                .find(|d| *d == v || parent.contains_key(d))
                .copied()
            else {
                continue;
            };
            parent.insert(ch.hash(), d);
            by_hash.insert(ch.hash(), ch);
            let actor = ch.actor_id().to_bytes().to_vec();
            if actor.as_slice() == version.actor_id().to_bytes() {
                continue;
            }
            let counts = *keys_checked
                .entry(actor)
                .or_insert_with(|| counts_as_witness(doc, forks, &version, ch));
            if counts {
                candidates.push(ch.hash());
            }
        }
        let mut sigs = Vec::new();
        for h in candidates.iter().take(256) {
            if let Some(sig) = docs.signature(c, &h.0) {
                sigs.push(sig);
            }
        }
        for sig in sigs {
            let mut path = vec![by_hash.get(&ChangeHash(sig.hash)).map(|c| (*c).clone())?];
            let mut cur = ChangeHash(sig.hash);
            while let Some(p) = parent.get(&cur) {
                if p == v {
                    break;
                }
                path.push(by_hash.get(p).map(|c| (*c).clone())?);
                cur = *p;
                if path.len() > wire::MAX_FORK_CHAIN {
                    break;
                }
            }
            path.push(version.clone());
            path.reverse();
            if let Ok(w) = Witness::from_path(path, sig) {
                return Some(w);
            }
        }
        None
    }

    /// Learns the evidence waiting for `c` that is now tied to what is held.
    pub(crate) fn retry_pending_forks(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        self.retry_waiting_forks(docs, c, out);
        self.retry_pending_witnesses(docs, c, out);
    }

    pub(crate) fn retry_waiting_forks(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let Some(pending) = self.pending_forks.remove(c) else {
            return;
        };
        let Some((doc, _)) = docs.entry(c) else {
            return;
        };
        let mut tied = Vec::new();
        let mut waiting = Vec::new();
        for f in pending {
            match f.tied_to(doc) {
                Tie::Tied => tied.push(f),
                Tie::Waiting => waiting.push(f),
                Tie::Never => {}
            }
        }
        if !waiting.is_empty() {
            self.pending_forks.insert(c.clone(), waiting);
        }
        for fork in tied {
            // The batch that tied it is stored already: a failure here is this node's own
            // (its store), reported, and the evidence comes again from peers.
            if let Err(e) = self.learn_fork(docs, None, c, &fork, out) {
                warn!(coalition = %c, error = %e, "could not learn a fork");
            }
        }
    }

    /// Rebuilds the document of `c` without what the forks known set aside; keeps what
    /// vouches for actors whose newest signed change was set aside; stores the result.
    /// Returns whether anything was set aside.
    pub(crate) fn rebuild_without_aside(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
    ) -> Result<bool, Refusal> {
        let Some(forks) = self.forks.get_mut(c) else {
            return Ok(false);
        };
        let Some((doc, index)) = docs.entry(c) else {
            return Ok(false);
        };
        let mut all = doc.get_changes(&[]);
        // Start operations grow along the change graph (see `chain`): a causal order, which
        // the rule needs (Automerge's own order need not be one).
        all.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
        let mut seen = HashSet::new();
        let (aside, kept): (Vec<Change>, Vec<Change>) = all
            .into_iter()
            .partition(|ch| forks.sets_aside(ch, &mut seen));
        if aside.is_empty() {
            return Ok(false);
        }
        let sigs = index.signatures();
        let mut fresh = AutoCommit::new().with_actor(doc.get_actor().clone());
        fresh.apply_changes(kept.iter().cloned()).map_err(local)?;
        *doc = fresh;
        *index = HeadIndex::rebuild(doc, sigs.clone());
        // Actors whose newest kept change has no signature here any more: vouch for it with
        // the chain up to their signed change set aside.
        let mut newest_kept: HashMap<Vec<u8>, u64> = HashMap::new();
        for ch in &kept {
            let e = newest_kept
                .entry(ch.actor_id().to_bytes().to_vec())
                .or_default();
            *e = (*e).max(ch.seq());
        }
        // The changes a voucher already carries count as set aside too: a fork found at an
        // earlier sequence number extends their chains down to what is kept now.
        let mut heads = sigs.clone();
        let mut earlier: Vec<Change> = Vec::new();
        for actor in forks.vouchers.keys().copied().collect::<Vec<_>>() {
            if let Some((chain, head)) = forks.voucher_of(&actor) {
                earlier.extend(chain);
                heads.push(head);
            }
        }
        let pool: HashMap<ChangeHash, &Change> = aside
            .iter()
            .chain(&earlier)
            .map(|ch| (ch.hash(), ch))
            .collect();
        let kept_meta: HashMap<ChangeHash, (automerge::ActorId, u64)> = kept
            .iter()
            .map(|ch| (ch.hash(), (ch.actor_id().clone(), ch.seq())))
            .collect();
        for sig in &heads {
            let Some(tip) = pool.get(&ChangeHash(sig.hash)) else {
                continue;
            };
            let a = tip.actor_id().to_bytes();
            let signed = index.max_seq(a);
            if newest_kept
                .get(a)
                .is_none_or(|n| signed.is_some_and(|s| s >= *n))
            {
                continue;
            }
            if let (Some(chain), Ok(actor)) = (
                chain_back(tip, &pool, |h| kept_meta.get(h).cloned()),
                crate::verify::actor_key(tip.actor_id()),
            ) {
                forks.vouch(
                    actor,
                    sig,
                    chain.iter().map(|c| c.raw_bytes().to_vec()).collect(),
                );
            }
        }
        docs.rebuilt(c, &aside).map_err(Refusal::Local)?;
        Ok(true)
    }
}
