//! The peer set: how many member nodes this node stays connected to per coalition. A node
//! need not connect to every member (every member node passes on the changes it verified), so
//! in a coalition of hundreds each keeps a bounded set.
//!
//! **Dialing.** The bound counts the member nodes this node dialed, per coalition: peers that
//! dialed it are theirs to keep or let go. Member nodes named in address records are dialed
//! only while one of the coalitions they are members of has fewer than the bound dialed (or
//! picked already in the same pass): those with an address that needs no relay first, then in
//! an order drawn at random by each node, one node per member before a second of any (so
//! that a member with many node keys cannot fill the set), so that the nodes' choices make a
//! random graph, which stays connected; and after a split healed, nodes short of the peers they dialed dial
//! again, across it too.
//!
//! **Letting go.** At most every [`TRIM_EVERY`], a member node connected for at least
//! [`super::STRANGER_GRACE`] is let go when this node dialed it and every coalition it syncs
//! here has more than the bound dialed, or when it dialed this node and every such coalition
//! has more than [`INBOUND_FACTOR`] times the bound of peers in all (short of being everyone's
//! hub, a node keeps the peers that chose it). Relayed peers go first, then the newest. Never
//! let go: peers reached at a `--bootstrap` address; peers not in step (a join, an offer of a
//! coalition not synced yet, a long catch-up or a message in pieces under way:
//! `SyncNode::settled_coalitions`); member nodes holding a relay slot here, and the relays
//! this node holds one on; and one let go within [`RETRY_AFTER`] that came back (it needs this
//! node: it has it as its bootstrap peer, say). A peer let go is left alone as a stranger is
//! (`swarm::Command::Stranger`: not redialed, its mDNS announcements ignored for a while),
//! but its address is kept. It is not told (that needs a wire message): it may come back once.
//!
//! **Enough.** While every coalition held has the bound of peers connected, whoever dialed
//! (and no join is under way), the network side redials only `--bootstrap` peers, not
//! remembered or mDNS ones (`swarm::Command::Enough`, told at each tick when it changes): a node let go by another
//! does not dial it again at once, while it has peers enough.
//!
//! **Filling.** At most every [`TRIM_EVERY`], while a coalition has fewer peers dialed than
//! the bound (peers left, or let this node go), member nodes from the address book not dialed
//! nor disconnected for [`RETRY_AFTER`] at the addresses they have now are dialed as above.

use std::collections::{BTreeMap, BTreeSet};

use model::MemberId;
use std::hash::BuildHasher;

use super::*;

/// Default for the bound on connected member nodes per coalition (`--peers-per-coalition`).
pub const PEERS_PER_COALITION: usize = 16;
/// Peers this node did not dial are let go only beyond this many times the bound.
pub const INBOUND_FACTOR: usize = 3;
/// How long after a member node was dialed to fill the peer set it may be dialed again.
pub(super) const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(300);
/// How often the peer set is looked at.
pub(super) const TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl Core {
    /// Per coalition, the member nodes connected that this node dialed (the peer set's bound
    /// counts these: peers that dialed this node are theirs to keep or let go).
    fn dialed_counts(&self, view: &crate::swarm::NetView) -> BTreeMap<CoalitionId, usize> {
        self.sync.sharing_among(|peer| view.dialed.contains(peer))
    }

    /// Whether one of `coalitions` has fewer than the bound in `counts`.
    fn below<'c>(
        &self,
        counts: &BTreeMap<CoalitionId, usize>,
        mut coalitions: impl Iterator<Item = &'c CoalitionId>,
    ) -> bool {
        coalitions.any(|c| counts.get(c).copied().unwrap_or(0) < self.peer_bound)
    }

    /// Whether a coalition `peer` is a member's node of here (or any, if none is known) has
    /// fewer member nodes dialed than the bound.
    pub(super) fn short_for(&self, peer: &NodeKey) -> bool {
        let counts = self.dialed_counts(&self.net.view());
        let of = self
            .members
            .as_ref()
            .and_then(|m| m.nodes.get(peer.as_bytes()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        of.is_empty() || self.below(&counts, of.iter().map(|(c, _)| c))
    }

    /// Of `records`, those to dial now: member nodes not connected nor tried lately, of a
    /// coalition with fewer than the bound of peers dialed (counting those picked before
    /// them), direct addresses first, then at random, one node per member before a second
    /// of any (a member with many node keys does not fill the set). None before the member
    /// nodes were read (`Core::refresh_members`).
    pub(super) fn pick_to_dial<'a>(
        &self,
        records: impl IntoIterator<Item = &'a sync::addresses::AddressRecord>,
    ) -> Vec<sync::addresses::AddressRecord> {
        let Some(members) = &self.members else {
            return Vec::new();
        };
        let mut counts = self.dialed_counts(&self.net.view());
        let random = std::collections::hash_map::RandomState::new();
        let mut order: Vec<(bool, u64, &sync::addresses::AddressRecord)> = records
            .into_iter()
            .filter(|r| {
                !self.sync.is_connected(&NodeKey::from_bytes(r.node)) && !self.tried_lately(r)
            })
            .map(|r| {
                let relayed_only = super::peers::dialable(r)
                    .iter()
                    .all(|a| crate::swarm::relay_of(a).is_some());
                (relayed_only, random.hash_one(r.node), r)
            })
            .collect();
        order.sort_by_key(|(relayed, draw, _)| (*relayed, *draw));
        // Each node's rank among its member's (as the first coalition naming it says), in
        // that order; then by rank first.
        let mut seen: BTreeMap<Option<&(CoalitionId, MemberId)>, usize> = BTreeMap::new();
        let mut ranked: Vec<(bool, usize, u64, &sync::addresses::AddressRecord)> = order
            .into_iter()
            .map(|(relayed, draw, r)| {
                let member = members.nodes.get(&r.node).and_then(|m| m.first());
                let rank = seen.entry(member).or_insert(0);
                *rank += 1;
                (relayed, *rank, draw, r)
            })
            .collect();
        ranked.sort_by_key(|(relayed, rank, draw, _)| (*relayed, *rank, *draw));
        let mut picked = Vec::new();
        for (.., r) in ranked {
            // A node not known as a member anywhere yet (its record came early) is dialed:
            // it may be one this copy has not caught up with.
            let of = members
                .nodes
                .get(&r.node)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if !of.is_empty() && !self.below(&counts, of.iter().map(|(c, _)| c)) {
                continue;
            }
            for (c, _) in of {
                *counts.entry(c.clone()).or_insert(0) += 1;
            }
            picked.push(r.clone());
        }
        picked
    }

    /// Lets go of member nodes beyond the bound (see the module's documentation); at most
    /// every [`TRIM_EVERY`].
    pub(super) fn trim_peers(&mut self) {
        self.tell_enough();
        if self.trimmed.elapsed() < TRIM_EVERY {
            return;
        }
        self.trimmed = std::time::Instant::now();
        let view = self.net.view();
        self.fill_peers(&view);
        let bound = self.peer_bound;
        // Per coalition: peers this node dialed, and all.
        let mut dialed: BTreeMap<CoalitionId, usize> = BTreeMap::new();
        let mut all: BTreeMap<CoalitionId, usize> = BTreeMap::new();
        // (relayed, connected since, key, coalitions, dialed here)
        let mut candidates = Vec::new();
        for (peer, since) in &self.connected_at {
            let Some(of) = self.sync.settled_coalitions(peer) else {
                continue;
            };
            let out = view.dialed.contains(peer);
            for c in &of {
                *all.entry(c.clone()).or_insert(0) += 1;
                if out {
                    *dialed.entry(c.clone()).or_insert(0) += 1;
                }
            }
            let exempt = self.kept.contains(peer)
                || view.relaying_for.contains(peer)
                || view.relays.contains(peer)
                || self
                    .let_go_at
                    .get(peer)
                    .is_some_and(|at| at.elapsed() < RETRY_AFTER);
            if since.elapsed() >= STRANGER_GRACE && !exempt {
                let relayed = matches!(view.paths.get(peer), Some(crate::swarm::Path::Relayed(_)));
                candidates.push((relayed, *since, *peer, of, out));
            }
        }
        let over = |counts: &BTreeMap<CoalitionId, usize>, of: &[CoalitionId], limit: usize| {
            of.iter()
                .all(|c| counts.get(c).copied().unwrap_or(0) > limit)
        };
        // Relayed first, then the newest.
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        let mut let_go = BTreeSet::new();
        for (_, _, peer, of, out) in candidates {
            let go = if out {
                over(&dialed, &of, bound)
            } else {
                over(&all, &of, bound.saturating_mul(INBOUND_FACTOR))
            };
            if !go {
                continue;
            }
            for c in &of {
                if let Some(n) = all.get_mut(c) {
                    *n -= 1;
                }
                if out && let Some(n) = dialed.get_mut(c) {
                    *n -= 1;
                }
            }
            let_go.insert(peer);
        }
        let now = std::time::Instant::now();
        self.let_go_at
            .retain(|_, at| now.duration_since(*at) < RETRY_AFTER);
        for peer in let_go {
            if self.let_go_at.len() < super::peers::MAX_TRIED {
                self.let_go_at.insert(peer, now);
            }
            let _s = info_span!("peer", %peer).entered();
            info!(
                bound,
                "letting go of a member node: its coalitions have more peers connected than the bound"
            );
            self.dial(crate::swarm::Command::Stranger(peer, true));
        }
    }

    /// Dials member nodes not dialed (nor disconnected) for [`RETRY_AFTER`] at the addresses
    /// they have now, while a coalition has fewer peers than the bound (peers left, or let
    /// this node go).
    fn fill_peers(&mut self, view: &crate::swarm::NetView) {
        let counts = self.dialed_counts(view);
        let ids = self
            .members
            .as_ref()
            .map(|m| m.ids.as_slice())
            .unwrap_or_default();
        if !self.below(&counts, ids.iter()) {
            return;
        }
        let picked = self.pick_to_dial(self.sync.address_book().records());
        self.dial_picked(&picked);
    }

    /// Remembers that `node` was dialed, or disconnected, at addresses with `digest`: it is
    /// not dialed again at those for [`RETRY_AFTER`] (a node that let this one go would
    /// otherwise be dialed back at once; one at new addresses, restarted elsewhere, is).
    pub(super) fn note_tried(&mut self, node: NodeKey, digest: u64) {
        if self.tried.len() >= super::peers::MAX_TRIED && !self.tried.contains_key(&node) {
            self.tried.retain(|_, (at, _)| at.elapsed() < RETRY_AFTER);
            if self.tried.len() >= super::peers::MAX_TRIED
                && let Some(oldest) = self
                    .tried
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| *k)
            {
                self.tried.remove(&oldest);
            }
        }
        self.tried.insert(node, (std::time::Instant::now(), digest));
    }

    /// Whether `record`'s node was dialed or disconnected at its addresses lately.
    fn tried_lately(&self, record: &sync::addresses::AddressRecord) -> bool {
        self.tried
            .get(&NodeKey::from_bytes(record.node))
            .is_some_and(|(at, d)| at.elapsed() < RETRY_AFTER && *d == digest(&record.addrs))
    }

    /// A peer disconnected: not dialed again at the same addresses for a while.
    pub(super) fn disconnected_from(&mut self, peer: NodeKey) {
        if !crate::swarm::peer_id(&peer).is_some_and(|id| self.net.is_member(&id)) {
            return;
        }
        let d = self
            .sync
            .address_book()
            .get(peer.as_bytes())
            .map(|r| digest(&r.addrs))
            .unwrap_or(0);
        self.note_tried(peer, d);
    }

    /// Tells the network side whether every coalition held has the bound of peers connected
    /// (dialed or not), when that changed: it then redials only `--bootstrap` peers (`swarm::Command::Enough`),
    /// so that a node another let go does not come back at once, and again and again.
    fn tell_enough(&mut self) {
        // All peers count here: a node another let go still has the peers that dialed it.
        let counts = self.sync.sharing();
        let ids = self
            .members
            .as_ref()
            .map(|m| m.ids.as_slice())
            .unwrap_or_default();
        // A join under way may need its inviter redialed.
        let enough = !ids.is_empty() && !self.sync.joining() && !self.below(&counts, ids.iter());
        if self.enough != Some(enough) {
            debug!(enough, "peers connected per coalition, against the bound");
            // Told again at the next tick if it could not be handed over.
            if self.dial(crate::swarm::Command::Enough(enough)) {
                self.enough = Some(enough);
            }
        }
    }
}

/// A digest of a record's addresses (to tell whether a node moved).
pub(super) fn digest(addrs: &[String]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    addrs.hash(&mut h);
    h.finish()
}
