//! Frames from a peer: reassembled, decoded and answered (hello, sync rounds, changes), or
//! refused with a strike.

use super::*;

impl SyncNode {
    /// A frame arrived from `peer`.
    pub fn received(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        frame: &[u8],
    ) -> Vec<Output> {
        if !self.peers.contains_key(&peer) {
            debug!(%peer, "a frame from a peer not connected; dropped");
            return Vec::new();
        }
        let mut out = Vec::new();
        let decoded = match Message::decode_within(frame, self.max_message) {
            Ok(Message::Fragment {
                index,
                total,
                bytes,
            }) => match self.reassemble(peer, index, total, bytes.0) {
                Ok(None) => {
                    self.restart_dropped(docs, &mut out);
                    return out;
                }
                Ok(Some(whole)) => match Message::decode_reassembled(&whole) {
                    Ok(Message::Fragment { .. }) => Err(crate::wire::WireError::Malformed(
                        "a fragment inside a fragment".into(),
                    )),
                    other => other,
                },
                Err(e) => Err(e),
            },
            other => other,
        };
        let result = match decoded {
            Err(crate::wire::WireError::PeerSpeaks { speaks }) => {
                self.incompatible(peer, speaks, false, &mut out);
                return out;
            }
            Err(crate::wire::WireError::Version { found }) => {
                self.refuse(
                    peer,
                    None,
                    Refusal::Wire(crate::wire::WireError::Version { found }),
                    &mut out,
                );
                self.incompatible(peer, found, true, &mut out);
                return out;
            }
            Err(e) => Err((None, Refusal::Wire(e))),
            // Fragments were reassembled above.
            Ok(Message::Fragment { .. }) => Ok(()),
            Ok(Message::Hello {
                coalitions,
                max_message,
                takes,
            }) => {
                self.on_limit(peer, max_message);
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.takes = takes
                        .iter()
                        .map(|t| {
                            (
                                (from_wire(&t.from), from_wire(&t.to)),
                                crate::wire::LinkTakes {
                                    threshold: t.threshold,
                                    kinds: t.kinds,
                                },
                            )
                        })
                        .collect();
                }
                self.on_hello(docs, peer, &coalitions, &mut out);
                Ok(())
            }
            Ok(Message::Join {
                coalition,
                secret,
                org,
            }) => {
                out.push(Output::JoinRequest {
                    peer,
                    coalition: from_wire(&coalition),
                    secret,
                    org,
                });
                Ok(())
            }
            Ok(Message::JoinRefused { coalition, reason }) => {
                self.join_refused(peer, from_wire(&coalition), reason, &mut out);
                Ok(())
            }
            Ok(Message::Sync {
                coalition,
                sync,
                heads,
                vouchers,
            }) => {
                let c = from_wire(&coalition);
                self.on_sync(docs, peer, &c, &sync, (&heads, &vouchers), &mut out)
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Changes {
                coalition,
                changes,
                heads,
                vouchers,
            }) => {
                let c = from_wire(&coalition);
                self.on_changes(docs, peer, &c, &changes, (&heads, &vouchers), &mut out)
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Fork {
                coalition,
                first,
                first_head,
                second,
                second_head,
            }) => {
                let c = from_wire(&coalition);
                self.check_shared(&peer, &c)
                    .and_then(|()| {
                        crate::forks::Fork::check(&first, &first_head, &second, &second_head)
                    })
                    .and_then(|fork| self.learn_fork(docs, Some(peer), &c, &fork, &mut out))
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Witness {
                coalition,
                path,
                head,
            }) => {
                let c = from_wire(&coalition);
                self.check_shared(&peer, &c)
                    .and_then(|()| crate::forks::Witness::check(&path, &head))
                    .and_then(|w| self.learn_witness(docs, Some(peer), &c, &w, &mut out))
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Addresses { records }) => self
                .on_addresses(docs, peer, records, &mut out)
                .map_err(|r| (None, r)),
            Ok(Message::Statements { file }) => {
                out.push(Output::Statements { peer, file: file.0 });
                Ok(())
            }
        };
        if let Err((coalition, reason)) = result {
            self.refuse(peer, coalition, reason, &mut out);
        }
        out
    }

    /// Adds a fragment; returns the whole message once its last piece has arrived.
    pub(crate) fn reassemble(
        &mut self,
        peer: NodeKey,
        index: u32,
        total: u32,
        bytes: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, crate::wire::WireError> {
        use crate::wire::WireError;
        let max = self.max_message;
        let Some(p) = self.peers.get_mut(&peer) else {
            return Ok(None);
        };
        // The rest of a message dropped to make room (see `make_room_for_assembly`): let go.
        if let Some((expected, next)) = p.discarding.as_mut()
            && index != 0
        {
            if *expected != total || *next != index {
                p.discarding = None;
                return Err(WireError::Malformed(format!(
                    "fragment {index} of {total} out of order"
                )));
            }
            *next += 1;
            if *next == total {
                p.discarding = None;
            }
            return Ok(None);
        }
        if index == 0 {
            p.discarding = None;
            p.assembly = Some((total, 0, Vec::new()));
        }
        let Some((expected, next, buf)) = p.assembly.as_mut() else {
            return Err(WireError::Malformed(format!(
                "fragment {index} without its first piece"
            )));
        };
        if *expected != total || *next != index {
            p.assembly = None;
            return Err(WireError::Malformed(format!(
                "fragment {index} of {total} out of order"
            )));
        }
        let len = buf.len() + bytes.len();
        if len > max {
            p.assembly = None;
            return Err(WireError::TooLarge(len));
        }
        buf.extend_from_slice(&bytes);
        *next += 1;
        if *next == total {
            return Ok(p.assembly.take().map(|(_, _, b)| b));
        }
        self.pieces += 1;
        p.assembled_at = self.pieces;
        self.make_room_for_assembly(peer);
        Ok(None)
    }

    /// Keeps the messages being reassembled within [`MAX_ASSEMBLING_MESSAGES`] messages at
    /// the limit, dropping those of other peers whose last piece came longest ago (their
    /// remaining pieces are let go unread, and their rounds start afresh: `restart_dropped`).
    fn make_room_for_assembly(&mut self, growing: NodeKey) {
        let most = self.max_message.saturating_mul(MAX_ASSEMBLING_MESSAGES);
        // What each holds allocated (a buffer grown by doubling holds up to twice its bytes).
        let size = |p: &Peer| p.assembly.as_ref().map_or(0, |(_, _, b)| b.capacity());
        let mut held: usize = self.peers.values().map(size).sum();
        while held > most {
            let Some((key, stale)) = self
                .peers
                .iter()
                .filter(|(k, p)| **k != growing && p.assembly.is_some())
                .min_by_key(|(_, p)| p.assembled_at)
                .map(|(k, p)| (*k, size(p)))
            else {
                return;
            };
            if let Some(p) = self.peers.get_mut(&key) {
                info!(peer = %key, bytes = stale, "dropping a message being reassembled: its last piece came longest ago and others need the room; its rounds start afresh");
                p.discarding = p.assembly.take().map(|(total, next, _)| (total, next));
                self.dropped_assemblies.push(key);
            }
            held = held.saturating_sub(stale);
        }
    }

    /// Starts afresh the rounds of every coalition with the peers whose message in pieces
    /// was dropped: it is lost, and each side would otherwise wait for the other.
    fn restart_dropped(&mut self, docs: &mut impl Documents, out: &mut Vec<Output>) {
        for peer in std::mem::take(&mut self.dropped_assemblies) {
            let coalitions: Vec<CoalitionId> = self
                .peers
                .get(&peer)
                .map(|p| p.docs.keys().cloned().collect())
                .unwrap_or_default();
            for c in coalitions {
                self.restart_rounds(docs, peer, &c, out);
            }
        }
    }

    pub(crate) fn refuse(
        &mut self,
        peer: NodeKey,
        coalition: Option<CoalitionId>,
        reason: Refusal,
        out: &mut Vec<Output>,
    ) {
        let counts = !matches!(reason, Refusal::Local(_));
        let coalition = coalition.filter(|c| {
            self.peers
                .get(&peer)
                .is_some_and(|p| p.docs.contains_key(c))
        });
        out.push(Output::Refused {
            peer,
            coalition,
            reason,
        });
        if let Some(p) = self.peers.get_mut(&peer)
            && counts
        {
            p.strikes += 1;
            if p.strikes >= MAX_STRIKES {
                self.disconnected(&peer);
                out.push(Output::Disconnect {
                    peer,
                    reason: format!("{MAX_STRIKES} refused messages"),
                });
            }
        }
    }

    pub(crate) fn on_hello(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        offered: &[WireCoalition],
        out: &mut Vec<Output>,
    ) {
        if let Some(p) = self.peers.get_mut(&peer) {
            p.greeted = true;
            p.offered = offered.iter().map(from_wire).collect();
        }
        let ours: BTreeSet<WireCoalition> = self.offer_for(docs, &peer).into_iter().collect();
        for w in offered {
            let c = from_wire(w);
            let joining = self.expected.get(&c) == Some(&peer);
            // Recovering after an identity import: a peer names a coalition only if this
            // node's key is a member's there, so take it in.
            let recovered = self.recovering && docs.entry(&c).is_none();
            if !ours.contains(w) && !joining && !recovered {
                // Not a coalition we share with this peer (as far as our copy knows): say nothing.
                continue;
            }
            if docs.entry(&c).is_none() && docs.create(&c).is_err() {
                continue;
            }
            if recovered {
                // As when joining: name it back, so that the peer syncs it with this node.
                self.expected.insert(c.clone(), peer);
                out.push(self.hello(docs, peer));
            }
            let Some(p) = self.peers.get_mut(&peer) else {
                return;
            };
            if p.docs.contains_key(&c) {
                continue;
            }
            p.docs.insert(c.clone(), PeerDoc::new());
            self.send_addresses(docs, peer, &c, out);
            self.send_forks(docs, peer, &c, out);
            self.sync_step(docs, peer, &c, out);
        }
    }

    /// Generates and queues the next Automerge sync message for (peer, coalition), if any.
    pub(crate) fn sync_step(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        if self.peer_doc(&peer, c).is_some_and(|d| d.paused.is_some()) {
            // No sync round goes to a peer while its rounds are paused (see `RESUME_AFTER`).
            return;
        }
        self.load_forks(docs, c);
        let forked = self.forks.get(c).is_some_and(|f| !f.is_empty());
        let limit = self.limit_for(&peer);
        let Some((doc, index)) = docs.entry(c) else {
            return;
        };
        let (voucher_heads, vouchers) = self.vouchers(c, index);
        let signers = index.actors() + voucher_heads.len();
        let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) else {
            return;
        };
        // The next page of a long catch-up, withheld so far (see `pages`), goes now if the
        // peer took the one before.
        // Only what Automerge still counts as not taken: what the peer's heads cover (it got
        // it from another member meanwhile) is not sent again.
        let released: Vec<ChangeHash> = pd
            .withheld
            .next()
            .into_iter()
            .filter(|h| pd.state.sent_hashes.remove(h))
            .collect();
        // A peer that holds nothing of the coalition gets it as one document (a snapshot,
        // checked on arrival by `snapshot::load`) instead of change by change: loading costs
        // about half of applying. Anyone else gets the changes it lacks.
        let fresh = pd.state.their_heads.as_ref().is_some_and(Vec::is_empty);
        // Only under the receiver's limit (`snapshot::ops_limit`, for what the peer takes),
        // which counts changes and successors too: the operations alone must be under it
        // before the document is saved, and the saved chunk, its changes, operations and
        // successors, is weighed before it goes (else the changes go instead).
        // (Not where a fork set changes aside: those need vouchers, which only travel with
        // individual changes.)
        let ops_limit = crate::snapshot::ops_limit(0, limit);
        let (heads, stats) = if fresh && !forked {
            let stats = automerge::ReadDoc::stats(doc.document());
            (doc.document().get_heads(), Some(stats))
        } else {
            (Vec::new(), None)
        };
        let offer = stats.as_ref().is_some_and(|s| {
            !self
                .too_heavy
                .get(c)
                .is_some_and(|(h, weighed)| h == &heads && limit <= *weighed)
                && s.num_ops < ops_limit
                && s.num_changes <= crate::snapshot::MAX_SNAPSHOT_CHANGES as u64
                && s.num_actors <= crate::snapshot::MAX_SNAPSHOT_ACTORS as u64
        });
        let before = offer.then(|| pd.state.clone());
        pd.state.their_capabilities = offer.then(|| vec![automerge::sync::Capability::MessageV2]);
        let started = std::time::Instant::now();
        let mut generated = doc.sync().generate_sync_message(&mut pd.state);
        if offer {
            debug!(coalition = %c, elapsed = ?started.elapsed(), "offered the coalition whole");
        }
        if let (Some(before), Some(msg)) = (before, &generated)
            && let Some((weight, most)) = whole_document(msg, limit)
            && weight >= most
        {
            debug!(coalition = %c, weight, "too heavy to send whole; sending the changes");
            self.too_heavy.insert(c.clone(), (heads, limit));
            pd.state = before;
            pd.state.their_capabilities = None;
            generated = doc.sync().generate_sync_message(&mut pd.state);
        }
        let Some(mut msg) = generated else {
            pd.idle = 0;
            pd.quiet = true;
            return;
        };
        pd.quiet = false;
        // The changes the message carries, parsed once (none for a whole document, which
        // carries no signatures of its own: parsing it would hash it all for nothing).
        let mut carried = Vec::new();
        if (!msg.changes.is_empty() || !released.is_empty()) && document_chunk(&msg).is_none() {
            // What the message takes besides its changes: Automerge's own fields, the signed
            // heads (one per actor at most, each under 128 bytes encoded) and the vouchers.
            let changes = std::mem::replace(&mut msg.changes, automerge::sync::ChunkList::empty());
            let bare = msg.clone().encode().len();
            msg.changes = changes;
            let overhead =
                bare + 128 * signers + vouchers.iter().map(|v| v.0.len() + 8).sum::<usize>() + 4096;
            carried = self.paged(docs, (peer, c), &mut msg, (limit, overhead), &released);
        }
        let Some((_, index)) = docs.entry(c) else {
            return;
        };
        let (heads, vouchers) = if msg.changes.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let all = index.all();
            let mut heads = wire::heads(&all);
            heads.extend(voucher_heads);
            // Automerge leaves out what it sent this peer before, so an actor's newest change
            // in this message need not be its newest signed one: sign for it with the
            // signature stored over it, if one is (every one received is kept).
            for hash in unsigned_tops(&carried, &all) {
                match docs.signature(c, &hash.0) {
                    Some(sig) => heads.extend(wire::heads(std::slice::from_ref(&sig))),
                    // Received in the middle of a batch, signed only by a later change: the
                    // peer asks again and gets that one with it.
                    None => {
                        debug!(coalition = %c, change = %hash, "no signature stored over a change sent")
                    }
                }
            }
            (heads, vouchers)
        };
        let message = Message::Sync {
            coalition: wire_id(c),
            sync: msg.encode(),
            heads,
            vouchers,
        };
        send(out, peer, &message);
    }

    /// Keeps a sync message for `peer` within what it takes (`limit`, of which the message
    /// besides its changes takes `overhead`): a catch-up heavier than that is cut into pages
    /// (see `pages`), the first left in `msg` and the others withheld, still in Automerge's
    /// record of what was sent, until the peer has taken the one before. `released` is the
    /// page released for this round: it goes whole, whatever Automerge's summary of what
    /// the peer holds (a Bloom filter, sometimes wrong) left out. Changes that depend on
    /// withheld ones wait at the end of the last page. Returns the changes `msg` carries,
    /// parsed.
    fn paged(
        &mut self,
        docs: &mut impl Documents,
        (peer, c): (NodeKey, &CoalitionId),
        msg: &mut automerge::sync::Message,
        (limit, overhead): (usize, usize),
        released: &[ChangeHash],
    ) -> Vec<Change> {
        let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) else {
            msg.changes = automerge::sync::ChunkList::empty();
            return Vec::new();
        };
        if pd.withheld.gave_up() {
            msg.changes = automerge::sync::ChunkList::empty();
            return Vec::new();
        }
        let parsed: Result<Vec<Change>, _> = msg.changes.iter().map(Change::try_from).collect();
        let Ok(parsed) = parsed else {
            // Automerge built these chunks from this node's own document: they parse. If one
            // ever did not, nothing goes rather than a message the peer may refuse.
            warn!(peer = %peer, coalition = %c, "a change of this node's own does not parse; not sending the changes this round");
            msg.changes = automerge::sync::ChunkList::empty();
            return Vec::new();
        };
        // What Automerge left out though the peer lacks it (see `left_out`) first, then in
        // the order Automerge gave them, then the released ones it left out: the same events
        // give the same messages.
        let mut seen: HashSet<ChangeHash> = parsed.iter().map(Change::hash).collect();
        // (The released page goes too: what depends on it is accounted for.)
        let going: HashSet<ChangeHash> = seen.iter().chain(released).copied().collect();
        let mut missed = match docs.entry(c) {
            Some((doc, _)) => left_out(doc.document(), &parsed, &going, &pd.state),
            None => Vec::new(),
        };
        // Only where the peer can check it: an actor's newest change in the message must be
        // held with its signature (see `verify::check_signatures`), else it would refuse the
        // message. Left out then as before, and the rounds catch up by asking again.
        if !missed.is_empty()
            && unsigned_tops(missed.iter().chain(&parsed), &[])
                .iter()
                .any(|h| missed.iter().any(|m| m.hash() == *h) && docs.signature(c, &h.0).is_none())
        {
            missed.clear();
        }
        let filled = !missed.is_empty();
        if filled {
            debug!(peer = %peer, coalition = %c, changes = missed.len(), "adding changes the peer lacks that its summary wrongly said it holds");
            // Counted as sent and not taken, as Automerge counts what it built itself, until
            // the peer's heads cover them (a page withheld with them is released with them).
            pd.state.sent_hashes.extend(missed.iter().map(Change::hash));
        }
        seen.extend(missed.iter().map(Change::hash));
        // (Moved, not copied: every message carrying changes comes this way.)
        let mut parsed = if filled {
            missed.extend(parsed);
            missed
        } else {
            parsed
        };
        if let Some((doc, _)) = docs.entry(c) {
            for h in released {
                if seen.insert(*h)
                    && let Some(ch) = doc.get_change_by_hash(h)
                {
                    parsed.push(ch);
                }
            }
        }
        let mut actors: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut items: Vec<pages::Item> = Vec::with_capacity(parsed.len());
        for ch in &parsed {
            let n = actors.len();
            let actor = *actors.entry(ch.actor_id().to_bytes().to_vec()).or_insert(n);
            items.push(pages::Item {
                hash: ch.hash(),
                deps: ch.deps().to_vec(),
                actor,
                weight: crate::verify::allowance_of(ch),
            });
        }
        let at: HashMap<ChangeHash, usize> = parsed
            .iter()
            .enumerate()
            .map(|(i, ch)| (ch.hash(), i))
            .collect();
        // The heads of the actors in these changes travel too.
        let overhead = overhead + 128 * actors.len();
        // Automerge started over (the peer said it holds nothing): see `pages::Reset`. The
        // first time, what went in pages and what is withheld stay as they were, and only
        // the rest goes on.
        let mut filtered = false;
        if items
            .iter()
            .any(|i| pd.withheld.contains(&i.hash) || pd.withheld.was_sent(&i.hash))
        {
            match pd.withheld.reset() {
                pages::Reset::Crossed => {
                    items.retain(|i| {
                        !pd.withheld.contains(&i.hash) && !pd.withheld.was_sent(&i.hash)
                    });
                    filtered = true;
                }
                pages::Reset::StartOver => {}
                pages::Reset::GiveUp => {
                    warn!(peer = %peer, coalition = %c, "the peer keeps saying it holds nothing while it is sent a catch-up in pages; no more pages to it on this connection");
                    msg.changes = automerge::sync::ChunkList::empty();
                    return Vec::new();
                }
            }
        }
        let mut waiting: HashSet<ChangeHash> = HashSet::new();
        let mut later = Vec::new();
        let mut ready = Vec::with_capacity(items.len());
        for item in pages::causal(items) {
            if item
                .deps
                .iter()
                .any(|d| waiting.contains(d) || pd.withheld.contains(d))
            {
                waiting.insert(item.hash);
                later.push(item.hash);
            } else {
                ready.push(item);
            }
        }
        let weight: usize = ready.iter().map(|i| i.weight).sum();
        let budget = pages::page_budget(limit, overhead);
        let paging = pd.withheld.active() || !released.is_empty();
        // (`later` fills only behind withheld pages, which `paging` covers.)
        if weight <= budget && !filtered && !paging {
            // Not a catch-up in pages: the message goes as Automerge made it, with what it
            // left out wrongly.
            if filled {
                msg.changes = automerge::sync::ChunkList::from(
                    parsed
                        .iter()
                        .map(|ch| ch.raw_bytes().to_vec())
                        .collect::<Vec<_>>(),
                );
            }
            return parsed;
        }
        let keep: Vec<ChangeHash> = if ready.is_empty() {
            Vec::new()
        } else {
            let count = ready.len();
            let all: Vec<ChangeHash> = ready.iter().map(|i| i.hash).collect();
            match pages::plan(ready, budget, |h| docs.signature(c, &h.0).is_some()) {
                Ok(plan) => {
                    let mut plan = plan.into_iter();
                    let first = plan.next().unwrap_or_default();
                    let rest: Vec<Vec<ChangeHash>> = plan.collect();
                    if !rest.is_empty() {
                        info!(peer = %peer, coalition = %c, changes = count, pages = rest.len() + 1 + pd.withheld.pages(), "the changes this peer lacks weigh more than it takes in one message; sending them in pages");
                    }
                    pd.withheld.push_front(rest);
                    first
                }
                // No signed change to end a page at: outside a paged catch-up, what fits in
                // one message goes whole, as it would without pages (the peer checks it as
                // any batch).
                _ if !paging && weight <= pages::room(limit, overhead) => all,
                _ => {
                    // All of it left in Automerge's record of what was sent (and what was
                    // withheld with it): not sent to this peer again on this connection.
                    warn!(peer = %peer, coalition = %c, changes = count, "the changes this peer lacks weigh more than it takes in one message, and no change held with its signature splits them into pages it could check; it must catch up from another member's node");
                    pd.withheld.give_up();
                    msg.changes = automerge::sync::ChunkList::empty();
                    return Vec::new();
                }
            }
        };
        if !later.is_empty() {
            pd.withheld.push_back(later);
        }
        let mut slots: Vec<Option<Change>> = parsed.into_iter().map(Some).collect();
        let kept: Vec<Change> = keep
            .iter()
            .filter_map(|h| {
                at.get(h)
                    .and_then(|&i| slots.get_mut(i))
                    .and_then(Option::take)
            })
            .collect();
        msg.changes = automerge::sync::ChunkList::from(
            kept.iter()
                .map(|ch| ch.raw_bytes().to_vec())
                .collect::<Vec<_>>(),
        );
        if !keep.is_empty() {
            // Counted as sent and not taken, as Automerge counts what it built itself (a
            // released change it had left out included), until the peer's heads cover it.
            pd.state.sent_hashes.extend(keep.iter().copied());
            pd.withheld.sent(keep);
        }
        kept
    }

    /// The sync state of `c` with `peer`, if they sync it.
    fn peer_doc(&self, peer: &NodeKey, c: &CoalitionId) -> Option<&PeerDoc> {
        self.peers.get(peer).and_then(|p| p.docs.get(c))
    }

    /// Pauses the sync of `c` with `peer` (see [`RESUME_AFTER`]): for that, doubled at each
    /// pause of this connection, up to [`MAX_PAUSE_FACTOR`] times it; and tells the peer why,
    /// without a strike (the pause bounds what such rounds cost).
    fn pause(
        &mut self,
        peer: NodeKey,
        c: &CoalitionId,
        (reason, why): (Refusal, &str),
        out: &mut Vec<Output>,
    ) {
        let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) else {
            return;
        };
        let factor = 1u32
            .checked_shl(pd.pauses)
            .unwrap_or(MAX_PAUSE_FACTOR)
            .min(MAX_PAUSE_FACTOR);
        pd.pauses = pd.pauses.saturating_add(1);
        let pause = RESUME_AFTER.saturating_mul(factor);
        pd.paused = Some(Pause::For(pause));
        pd.idle = 0;
        pd.start_overs = 0;
        info!(%peer, coalition = %c, why, ?pause, "pausing the sync of a coalition with a peer");
        out.push(Output::Refused {
            peer,
            coalition: Some(c.clone()),
            reason,
        });
    }

    /// Messages about a coalition count only from a peer it is being synced with.
    pub(crate) fn check_shared(&self, peer: &NodeKey, c: &CoalitionId) -> Result<(), Refusal> {
        match self.peers.get(peer) {
            Some(p) if p.docs.contains_key(c) => Ok(()),
            _ => Err(Refusal::NotShared),
        }
    }

    pub(crate) fn on_sync(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        sync: &[u8],
        (heads, vouchers): (&[SignedHead], &[ByteChunk]),
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.check_shared(&peer, c)?;
        let paused = self
            .peer_doc(&peer, c)
            .map(|d| (d.paused.is_some(), d.idle));
        if let Some((true, idle)) = paused
            && idle >= MAX_IDLE_ROUNDS
        {
            // An honest peer sends a round or two while not answered; past as many as earn
            // a pause, each is refused unread, and strikes end the connection.
            return Err(Refusal::TooMuchWork);
        }
        let paused = paused.is_some_and(|(p, _)| p);
        let (mut msg, carried) = decode_sync(sync, self.max_message)?;
        // A snapshot whose changes were read from it, not rebuilt (see `accept_read`).
        let mut read = None;
        let mut batch = match carried {
            Carried::Changes(changes) => Batch::from(changes),
            Carried::Snapshot(chunk) => {
                let Some((doc, _)) = docs.entry(c) else {
                    return Err(Refusal::NotShared);
                };
                // Weighed as a new member's whole coalition only where this node holds
                // nothing of it; else as changes (`snapshot::Holding`).
                let holding = if doc.get_heads().is_empty() {
                    crate::snapshot::Holding::Nothing
                } else {
                    crate::snapshot::Holding::Some
                };
                // A snapshot sent while this node held nothing can arrive once it holds some
                // (a second one, crossing the first): weighed (its columns inflated within
                // the message limit, its entries counted, bounded) and heavier than changes,
                // it is dropped, not loaded nor refused, and the round's heads say what to ask
                // for instead. One that cannot be weighed is refused.
                let unasked = paused || msg.heads.iter().all(|h| holds(doc, h));
                let to_weigh = !unasked && holding == crate::snapshot::Holding::Some;
                if to_weigh
                    && let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c))
                {
                    pd.crossed += 1;
                    if pd.crossed > MAX_CROSSED_SNAPSHOTS {
                        return Err(Refusal::MalformedSnapshot(
                            "whole documents sent over and over to a node holding some of the coalition".into(),
                        ));
                    }
                }
                let crossed = to_weigh
                    && crate::snapshot::weight(&chunk, self.max_message)?
                        >= crate::snapshot::limit_for(chunk.len(), self.max_message, holding);
                if unasked || crossed {
                    // A snapshot goes only to a node that asked, holding nothing: none while
                    // this node says nothing (paused), or nothing new (a second snapshot
                    // crossing our first answer): not loaded.
                    if crossed {
                        debug!(peer = %peer, coalition = %c, bytes = chunk.len(), "a whole document heavier than changes reached a node holding some of it; not loaded");
                    }
                    Batch::from(Vec::new())
                } else {
                    if !vouchers.is_empty() {
                        // Vouchers travel with changes only where a fork was found, and no
                        // node sends a whole document there.
                        return Err(Refusal::MalformedSnapshot(
                            "a whole document sent with vouchers".into(),
                        ));
                    }
                    let (snapshot, contents) =
                        crate::snapshot::load_read(&chunk, self.max_message, holding)?;
                    info!(peer = %peer, coalition = %c, changes = contents.len(), bytes = chunk.len(), "received the coalition as a snapshot; checking its changes");
                    match contents {
                        crate::snapshot::Contents::Read(changes) => {
                            read = Some((snapshot, changes));
                            Batch::from(Vec::new())
                        }
                        crate::snapshot::Contents::Rebuilt(changes) => Batch {
                            snapshot: Some(snapshot),
                            ..Batch::from(changes)
                        },
                    }
                }
            }
        };
        let used: usize = batch.changes.iter().map(crate::verify::allowance_of).sum();
        batch.vouchers = self.parse_vouchers(vouchers, self.max_message.saturating_sub(used))?;
        let carried_changes = !batch.changes.is_empty() || read.is_some();
        let signed = wire::signatures(heads);
        let applied = match read {
            // No voucher came with it: refused above.
            Some((snapshot, changes)) => {
                self.accept_read(docs, peer, c, snapshot, changes, &signed, out)?
            }
            None => self.accept(docs, peer, c, batch, &signed, out)?,
        }
        .count;
        msg.changes = automerge::sync::ChunkList::empty();
        // A coalition being joined has all arrived once this node holds all the heads a peer
        // syncing it names, whether the last of it came in this message (whole, a snapshot
        // or the last page of a long catch-up, see `pages`), an earlier one or pushed (pushes
        // alone never end a join: they say nothing of what the sender holds).
        if self.joins.contains_key(c)
            && !msg.heads.is_empty()
            && let Some((doc, _)) = docs.entry(c)
        {
            if msg.heads.iter().all(|h| holds(doc, h)) {
                self.joins.remove(c);
                out.push(Output::Joined {
                    peer,
                    coalition: c.clone(),
                });
            } else if applied > 0 {
                info!(peer = %peer, coalition = %c, changes = applied, "received part of the coalition being joined; more to come");
            }
        }
        // Flags would tell Automerge which message versions the peer takes; `sync_step`
        // decides that itself (a whole document only to a peer that holds nothing).
        msg.flags = None;
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) else {
            return Ok(());
        };
        let sent = pd.state.last_sent_heads.clone();
        let msg_heads = msg.heads.len();
        let mut started_over = false;
        if !paused
            && msg.heads.is_empty()
            && pd.state.their_heads.as_ref().is_some_and(|h| !h.is_empty())
        {
            pd.start_overs += 1;
            started_over = pd.start_overs > MAX_START_OVERS;
        }
        // Read whatever comes next (a pause included): the record of what the peer holds and
        // what was sent it stays true, so the rounds can go on from it.
        // What the peer's last message said it needs (Automerge keeps it until this one's).
        let needed_before = pd.state.their_need.take();
        let told_nothing_new =
            pd.quiet && pd.state.their_heads.as_deref() == Some(msg.heads.as_slice());
        doc.sync()
            .receive_sync_message(&mut pd.state, msg)
            .map_err(|e| Refusal::MalformedSync(e.to_string()))?;
        // What the peer still lacks goes again once it names a need two rounds in a row, though
        // it went once: Automerge sends nothing twice (a peer of Automerge's keeps a change
        // whose dependencies have not come, and takes it once they do), but this node drops a
        // batch with a dependency missing (see `accept`), and the peer then names the sender's
        // heads it lacks, not what they depend on. So all Automerge counts as sent and not
        // taken is forgotten, and it sends what the peer's summary says it lacks. Only changes
        // this node holds count (a need for others is no request it can answer). A need named
        // once may have crossed the change on its way; a catch-up in pages keeps its own record
        // (see `pages`); and a peer gets this at most `MAX_RESENDS` times a connection (one
        // more after each pause), so that asking again cannot make this node send its
        // history over and over; not while paused, when nothing would go.
        let need = pd.state.their_need.as_deref().unwrap_or_default();
        let asked_again = |before: &[ChangeHash]| {
            // (Both lists are bounded by what a sync message may name.)
            let before: HashSet<&ChangeHash> = before.iter().collect();
            need.iter().any(|h| before.contains(h) && holds(doc, h))
        };
        if pd.resends < MAX_RESENDS
            && !paused
            && !need.is_empty()
            && !pd.state.sent_hashes.is_empty()
            && !pd.withheld.active()
            && !pd.withheld.gave_up()
            && !need.iter().any(|h| pd.withheld.was_sent(h))
            && needed_before.as_deref().is_some_and(asked_again)
        {
            pd.resends += 1;
            debug!(peer = %peer, coalition = %c, needed = need.len(), unacknowledged = pd.state.sent_hashes.len(), "the peer asks again for what it lacks; sending it again");
            pd.state.sent_hashes.clear();
        }
        // While a catch-up goes in pages, a round in which the peer took the page sent last
        // is useful; any other is idle like any other.
        let holds_nothing = pd.state.their_heads.as_ref().is_none_or(Vec::is_empty);
        let took = pd.withheld.settle(&pd.state.sent_hashes, holds_nothing);
        if carried_changes {
            // The changes were applied above, not by Automerge: seeing the peer's heads equal
            // ours and no changes in the message, it would take it that the peer knows our
            // heads and never tell it them (a node that joined by snapshot would look, to the
            // node that sent it, as if it held nothing). What we last sent stands.
            pd.state.last_sent_heads = sent;
        }
        if paused {
            // Taken in, not answered: the rounds go on when the pause ends. Rounds that
            // bring nothing still count (see the top).
            if applied == 0 && !took {
                pd.idle += 1;
            }
            return Ok(());
        }
        if started_over {
            let why = "it keeps saying it holds nothing";
            self.pause(peer, c, (Refusal::StartedOver, why), out);
            return Ok(());
        }
        if applied == 0 && !took {
            pd.idle += 1;
            debug!(peer = %peer, coalition = %c, idle = pd.idle, carried_changes, heads = msg_heads, "a sync round brought nothing new");
            if pd.idle > MAX_IDLE_ROUNDS {
                let why = format!(
                    "{} rounds in a row brought nothing new; it holds {} heads, we {}, {} changes sent and not taken",
                    pd.idle,
                    pd.state.their_heads.as_ref().map_or(0, Vec::len),
                    doc.get_heads().len(),
                    pd.state.sent_hashes.len(),
                );
                self.pause(peer, c, (Refusal::TooMuchWork, &why), out);
                return Ok(());
            }
        } else {
            pd.idle = 0;
        }
        // A round that tells nothing new, answering nothing: an honest peer sends none
        // (Automerge answers only what changed), yet reading each makes Automerge walk the
        // history, and the round then ends with nothing to send, which resets `idle`.
        if applied == 0 && !took && told_nothing_new {
            pd.chatter += 1;
            if pd.chatter > MAX_IDLE_ROUNDS {
                let why = format!(
                    "{} rounds in a row told nothing new and answered nothing",
                    pd.chatter
                );
                pd.chatter = 0;
                self.pause(peer, c, (Refusal::TooMuchWork, &why), out);
                return Ok(());
            }
        } else {
            pd.chatter = 0;
        }
        self.sync_step(docs, peer, c, out);
        Ok(())
    }

    pub(crate) fn on_changes(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        chunks: &[ByteChunk],
        (heads, vouchers): (&[SignedHead], &[ByteChunk]),
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.check_shared(&peer, c)?;
        let mut changes = Vec::with_capacity(chunks.len());
        let mut budget = self.max_message;
        for chunk in chunks {
            changes.push(change_in_chunk(&chunk.0, &mut budget)?);
        }
        let vouchers = self.parse_vouchers(vouchers, budget)?;
        let batch = Batch {
            vouchers,
            ..Batch::from(changes)
        };
        let applied = self.accept(docs, peer, c, batch, &wire::signatures(heads), out)?;
        let Some((doc, _)) = docs.entry(c) else {
            return Ok(());
        };
        if applied.dangling > 0 || !doc.get_missing_deps(&[]).is_empty() {
            // We missed earlier changes: catch up with this peer.
            self.sync_step(docs, peer, c, out);
        }
        Ok(())
    }
}

/// The weight ([`crate::snapshot::weight`]) of the document a sync message carries whole,
/// and the limit it is held to ([`crate::snapshot::ops_limit`]), if it carries one; a chunk
/// that cannot be weighed counts as too heavy.
fn whole_document(msg: &automerge::sync::Message, max_message: usize) -> Option<(u64, u64)> {
    let only = document_chunk(msg)?;
    Some((
        crate::snapshot::weight(only, max_message).unwrap_or(u64::MAX),
        crate::snapshot::ops_limit(only.len(), max_message),
    ))
}

/// The whole document a sync message carries as its only chunk, if it does (read from the
/// chunk's header only, not weighed).
fn document_chunk(msg: &automerge::sync::Message) -> Option<&[u8]> {
    let mut chunks = msg.changes.iter();
    let (Some(only), None) = (chunks.next(), chunks.next()) else {
        return None;
    };
    matches!(crate::verify::chunk_extent(only), Ok((0, _))).then_some(only)
}

/// Most changes [`left_out`] adds to one message: past that, it adds none (a peer naming an
/// old head with a summary claiming everything would have it rebuild the history; the walk of
/// what the peer lacks, before this bound, costs what Automerge's own choice of what to send
/// does), and the rounds catch up by asking again.
pub(super) const MAX_LEFT_OUT: usize = 256;

/// The changes `state`'s peer lacks that Automerge left out of `sent` (`going`: the hashes of
/// what goes in the message) while sending changes that depend on them, with what they depend
/// on that the peer lacks too. The peer summarises what it holds as a Bloom filter, which
/// wrongly holds about one hash in a hundred; Automerge sends the changes the filter does not
/// hold and all that follow them, so a change whose own dependencies the peer holds and whose
/// hash the filter wrongly holds stays behind while the changes after it go. A peer of
/// Automerge's keeps those waiting and asks for the missing one by name; this node takes a
/// batch whole or not at all (`accept`) and names only the sender's heads, so without this
/// the two would go round without end (a restarted node once missed 500 changes so).
///
/// Exact only where this node holds every head the peer named (what it lacks is then what
/// does not precede them); otherwise, or past [`MAX_LEFT_OUT`], nothing is added, and the
/// rounds catch up once the peer's own changes have arrived here or it asks again. Costs one
/// look at each dependency of what is sent where each is in the message, was sent before or
/// is one of the peer's heads (a catch-up after the peer's last change); else one walk of
/// what the peer lacks.
fn left_out(
    doc: &automerge::Automerge,
    sent: &[Change],
    going: &HashSet<ChangeHash>,
    state: &State,
) -> Vec<Change> {
    let Some(heads) = state.their_heads.as_deref() else {
        return Vec::new();
    };
    if state.their_have.as_deref().is_none_or(<[_]>::is_empty) {
        return Vec::new();
    }
    let theirs: HashSet<&ChangeHash> = heads.iter().collect();
    let unaccounted = |d: &ChangeHash| {
        !going.contains(d) && !state.sent_hashes.contains(d) && !theirs.contains(d)
    };
    let mut stack: Vec<ChangeHash> = sent
        .iter()
        .flat_map(|ch| ch.deps().iter().copied())
        .filter(|d| unaccounted(d))
        .collect();
    if stack.is_empty()
        || heads
            .iter()
            .any(|h| doc.get_change_meta_by_hash(h).is_none())
    {
        return Vec::new();
    }
    // What the peer lacks: what does not precede its heads.
    let lacks: Vec<(ChangeHash, Vec<ChangeHash>)> = doc
        .get_changes_meta(heads)
        .into_iter()
        .map(|m| (m.hash, m.deps))
        .collect();
    let at: HashMap<ChangeHash, usize> = lacks
        .iter()
        .enumerate()
        .map(|(i, (h, _))| (*h, i))
        .collect();
    let mut missed: BTreeSet<usize> = BTreeSet::new();
    while let Some(h) = stack.pop() {
        if let Some(&i) = at.get(&h)
            && let Some((_, deps)) = lacks.get(i)
            && missed.insert(i)
        {
            if missed.len() > MAX_LEFT_OUT {
                return Vec::new();
            }
            stack.extend(deps.iter().copied().filter(|d| unaccounted(d)));
        }
    }
    // In the order Automerge keeps them (each after what it depends on).
    missed
        .into_iter()
        .filter_map(|i| lacks.get(i))
        .filter_map(|(h, _)| automerge::ReadDoc::get_change_by_hash(doc, h))
        .collect()
}
