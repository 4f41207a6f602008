//! Statements passed between nodes of linked coalitions that may share no coalition (issue
//! 20): a member node of a publishing coalition passes what it publishes on a link (the
//! statements file its export would write) to the connected member nodes of the coalition on
//! the other side, as it knows them from the rosters its own coalition takes from that one;
//! a node passed statements judges them (`Replica::receive_passed`: for a coalition it is a
//! member of, from a member node of a publisher its link takes from, each statement as every
//! node's rules judge it) and refuses the rest against the peer (`sync`'s strikes).
//!
//! Each file goes to a peer once, and again only when it changes (its checksum is kept per
//! peer and link until the peer disconnects). The member nodes of linked coalitions are kept
//! connected (`Core::linked`): not let go as strangers. Finding them: each file, exported or
//! passed, carries its writer's signed address record; a node taking a file keeps the records
//! of the publisher's member nodes (`commands::ops::statements::keep_addresses`) and dials
//! those not connected (`Core::dial_linked`). A node can also be given an address
//! (`--bootstrap`) or find one on its network (mDNS).

use super::*;

impl Core {
    /// Passes to each connected member node of a linked coalition what this node's
    /// coalitions publish to that coalition, where it changed since it was last passed; and
    /// renews the set of linked coalitions' member nodes.
    pub(super) fn pass_statements(&mut self) {
        let peers: Vec<NodeKey> = self.connected_at.keys().copied().collect();
        let ids = match self.replica.coalition_ids() {
            Ok(ids) => ids,
            Err(e) => {
                warn!(error = %e, "could not list coalitions to pass statements");
                return;
            }
        };
        self.refresh_linked();
        if peers.iter().all(|p| !self.carrying.linked.contains(p)) {
            return;
        }
        for p in ids {
            if self.replica.is_joining(&p) || self.replica.me(&p).is_err() {
                continue;
            }
            let _s = info_span!("coalition", coalition = %p).entered();
            if let Err(e) = self.pass_from(&p, &peers) {
                warn!(error = %e, "could not pass statements to linked coalitions");
            }
        }
    }

    /// What [`Core::pass_statements`] does for coalition `p`.
    fn pass_from(
        &mut self,
        p: &CoalitionId,
        peers: &[NodeKey],
    ) -> Result<(), replica::ReplicaError> {
        let links = self.replica.links(p)?;
        if links.is_empty() {
            return Ok(());
        }
        // Only a node its own coalition's newest roster lists passes: the other side tells its
        // member nodes by that roster.
        let own = self.replica.identity().node_key();
        let listed = self
            .replica
            .roster_chain(p)?
            .is_some_and(|c| c.newest().member_of(own.as_bytes()).is_some());
        if !listed {
            return Ok(());
        }
        let chains = self.replica.linked_chains(p)?;
        let own_address = commands::ops::statements::own_address(&self.replica);
        for (q, link) in &links {
            // The other side's member nodes, as the rosters this coalition takes from it say.
            let Some(chain) = chains.get(q) else {
                continue;
            };
            // A node in both coalitions carries the statements across itself (`carry`). A link
            // that publishes nothing passes the roster chain alone: the other side's nodes
            // then know this side's member nodes.
            if self.replica.me(q).is_ok() {
                continue;
            }
            // Grouped by what each takes: this link's threshold, or the fewest signers the
            // peer's greeting said its coalition takes if more, and of the kinds this link
            // publishes those the greeting said it takes (what it takes with fewer signers, or
            // a kind it does not take, is counted against this node).
            let mut by_taking: BTreeMap<(u64, Vec<model::SharedKind>), Vec<NodeKey>> =
                BTreeMap::new();
            for k in peers
                .iter()
                .filter(|k| chain.newest().member_of(k.as_bytes()).is_some())
            {
                let told = self.sync.takes_from(k, p, q);
                let threshold = link
                    .terms
                    .threshold
                    .max(told.map_or(0, |t| u64::from(t.threshold)));
                let publish = match told {
                    Some(t) => link.terms.publish_taken(t),
                    None => link.terms.publish.clone(),
                };
                by_taking.entry((threshold, publish)).or_default().push(*k);
            }
            for ((threshold, publish), targets) in by_taking {
                let terms = model::schema::LinkTerms {
                    threshold,
                    publish,
                    ..link.terms.clone()
                };
                self.pass_to(p, q, &terms, &targets, &own_address)?;
            }
        }
        Ok(())
    }

    /// Passes what coalition `p` publishes to `q` on a link with `terms` to `targets`, member
    /// nodes of `q`, each where it changed since it was last passed to it.
    fn pass_to(
        &mut self,
        p: &CoalitionId,
        q: &CoalitionId,
        terms: &model::schema::LinkTerms,
        targets: &[NodeKey],
        own_address: &[Vec<u8>],
    ) -> Result<(), replica::ReplicaError> {
        let Some(mut publication) = self.replica.publication(p, q, terms, true)? else {
            return Ok(());
        };
        if publication.file.items.len() > model::federation::MAX_ITEMS {
            warn!(to = %q, items = publication.file.items.len(), "more statements than one file holds: not passed");
            return Ok(());
        }
        // What changed is told by the statements alone (the file without addresses ends
        // with their checksum): a node re-signing where it listens sends nothing again.
        let bare = publication.file.encode();
        let sum: [u8; 32] = bare
            .get(bare.len().saturating_sub(32)..)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default();
        // Where this node listens (its roster lists it), so the other side reaches it.
        publication.file.addresses = own_address.to_vec();
        let bytes = if publication.file.addresses.is_empty() {
            bare
        } else {
            publication.file.encode()
        };
        for peer in targets.iter().copied() {
            let key = (peer, p.clone(), q.clone());
            if self.carrying.passed.get(&key) == Some(&sum) {
                continue;
            }
            let frames = self.sync.statements_to(peer, bytes.clone());
            if frames.is_empty() {
                if !self.sync.greeted(&peer) {
                    // Tried again once it greets (or it is let go).
                    self.carrying.due = true;
                } else {
                    // It takes no message that large: not tried again until this changes.
                    self.carrying.passed.insert(key, sum);
                }
                continue;
            }
            info!(%peer, to = %q, rosters = publication.rosters, statements = publication.statements, "passing statements to a member node of a linked coalition");
            self.carrying.passed.insert(key, sum);
            self.dispatch(frames);
        }
        Ok(())
    }

    /// Dials member nodes of linked coalitions this node is not connected to, at the addresses
    /// their statements files carried (`Replica::linked_address_records`), so that linked
    /// nodes find each other without `--bootstrap`: at most [`LINKED_DIALS`] a round, each
    /// node at most once every [`LINKED_REDIAL`], none while [`LINKED_PEERS`] are connected.
    pub(super) fn dial_linked(&mut self) {
        self.refresh_linked();
        if self.carrying.linked.is_empty() {
            return;
        }
        let kept = match self.replica.linked_address_records() {
            Ok(Some(bytes)) => sync::addresses::decode_kept(&bytes),
            Ok(None) => return,
            Err(e) => {
                warn!(error = %e, "could not read where linked coalitions' nodes listen");
                return;
            }
        };
        self.carrying
            .linked_dialed
            .retain(|_, at| at.elapsed() < LINKED_REDIAL);
        // Enough of them connected: statements pass through those.
        let connected = self
            .carrying
            .linked
            .iter()
            .filter(|k| self.sync.is_connected(k))
            .count();
        if connected >= LINKED_PEERS {
            return;
        }
        let own = self.replica.identity().node_key();
        let picked: Vec<sync::addresses::AddressRecord> = kept
            .into_iter()
            .filter(|r| {
                let node = NodeKey::from_bytes(r.node);
                node != own
                    && self.carrying.linked.contains(&node)
                    && !self.sync.is_connected(&node)
                    && !self.carrying.linked_dialed.contains_key(&node)
                    && r.check().is_ok()
            })
            .take(LINKED_DIALS)
            .collect();
        for r in picked {
            let node = NodeKey::from_bytes(r.node);
            self.carrying
                .linked_dialed
                .insert(node, std::time::Instant::now());
            for addr in super::peers::dialable(&r)
                .into_iter()
                .take(super::peers::DIALED_PER_NODE)
            {
                info!(peer = %node, %addr, "dialing a member node of a linked coalition");
                self.dial(crate::swarm::Command::DialOnce(addr));
            }
        }
    }

    /// Reads again which nodes are member nodes of linked coalitions
    /// (`Replica::linked_nodes`), at most once every [`LINKED_EVERY`].
    fn refresh_linked(&mut self) {
        if self
            .carrying
            .linked_at
            .is_some_and(|at| at.elapsed() < LINKED_EVERY)
        {
            return;
        }
        self.carrying.linked_at = Some(std::time::Instant::now());
        match self.replica.linked_nodes() {
            Ok(linked) => self.carrying.linked = linked,
            Err(e) => warn!(error = %e, "could not read the member nodes of linked coalitions"),
        }
    }

    /// `peer` passed the statements file `file`: judged and stored as the receiving
    /// coalition takes it; a refusal is counted against the peer.
    pub(super) fn passed(&mut self, peer: NodeKey, file: &[u8]) -> Vec<Output> {
        let _s = info_span!("peer", %peer).entered();
        // An honest node passes each link's file at most once a round (`CARRY_EVERY`).
        let now = std::time::Instant::now();
        let (since, count) = self.carrying.passed_in.entry(peer).or_insert((now, 0));
        if since.elapsed() >= CARRY_EVERY {
            (*since, *count) = (now, 0);
        }
        *count += 1;
        if *count > MAX_PASSED_PER_ROUND {
            return self.sync.refuse_statements(
                peer,
                format!(
                    "more than {MAX_PASSED_PER_ROUND} statements files within {} s: not judged",
                    CARRY_EVERY.as_secs()
                ),
            );
        }
        let sync = &self.sync;
        let told = |from: &CoalitionId, to: &CoalitionId| sync.told_to(&peer, from, to);
        match self.replica.receive_passed_told(&peer, file, told) {
            Ok(passed) => {
                let _s =
                    info_span!("coalition", coalition = %passed.to, from = %passed.from).entered();
                let stored = passed
                    .offers
                    .iter()
                    .filter(|(_, o)| matches!(o, model::Offer::Stored))
                    .count();
                info!(
                    stored,
                    offered = passed.offers.len(),
                    "took statements a linked coalition's node passed"
                );
                let learned = commands::ops::statements::keep_addresses(
                    &mut self.replica,
                    &passed.to,
                    &passed.from,
                    &passed.addresses,
                    &self.carrying.linked,
                );
                if learned > 0 {
                    info!(
                        records = learned,
                        "learned where a linked coalition's nodes listen"
                    );
                }
                // A roster stored may name other member nodes: read them again.
                if stored > 0 {
                    self.carrying.linked_at = None;
                }
                if stored == 0 {
                    return Vec::new();
                }
                // What was stored may be carried or passed on, and goes to members.
                self.carrying.due = true;
                self.push_local_changes()
            }
            Err(e) if e.counts() => {
                let stored = self.push_local_changes();
                let mut out = self.sync.refuse_statements(peer, e.to_string());
                out.extend(stored);
                out
            }
            Err(e) => {
                warn!(error = %e, "could not judge statements a peer passed");
                Vec::new()
            }
        }
    }

    /// Whether `peer` is a member node of a coalition linked with one of this node's (kept
    /// connected though it shares no coalition), as the rosters read at most
    /// [`LINKED_EVERY`] ago say.
    pub(super) fn linked(&mut self, peer: &NodeKey) -> bool {
        if !self.carrying.linked.contains(peer) {
            self.refresh_linked();
        }
        self.carrying.linked.contains(peer)
    }
}

/// Most member nodes of linked coalitions dialed in one round (`Core::dial_linked`).
pub(super) const LINKED_DIALS: usize = 4;
/// Member nodes of linked coalitions connected at which no more are dialed.
pub(super) const LINKED_PEERS: usize = 16;
/// Least time between two dials of one member node of a linked coalition.
pub(super) const LINKED_REDIAL: std::time::Duration = std::time::Duration::from_secs(600);

/// Most statements files a peer has judged within [`CARRY_EVERY`]; more are refused unread.
const MAX_PASSED_PER_ROUND: u32 = 16;

/// Least time between two readings of the member nodes of linked coalitions.
const LINKED_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
