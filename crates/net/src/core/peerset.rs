//! The peer set: how many member nodes this node stays connected to per coalition. A node
//! need not connect to every member (every member node passes on the changes it verified), so
//! in a coalition of hundreds each keeps a bounded set.
//!
//! **Dialing.** The bound counts the member nodes this node dialed, per coalition: peers that
//! dialed it are theirs to keep or let go. Member nodes named in address records are dialed
//! only while one of the coalitions they are members of has fewer than the bound dialed (or
//! picked already in the same pass): one node per member before a second of any (so that a
//! member with many node keys cannot fill the set), and within that those with an address
//! that needs no relay first, then in an order drawn at random by each node, so that the nodes' choices make a
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
pub const PEERS_PER_COALITION: usize = 8;
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
    /// them), one node per member before a second of any (a member with many node keys does
    /// not fill the set), and within that direct addresses first, then at random. None before the member
    /// nodes were read (`Core::refresh_members`).
    pub(super) fn pick_to_dial<'a>(
        &self,
        records: impl IntoIterator<Item = &'a sync::addresses::AddressRecord>,
    ) -> Vec<sync::addresses::AddressRecord> {
        let Some(members) = &self.members else {
            return Vec::new();
        };
        let counts = self.dialed_counts(&self.net.view());
        let random = std::collections::hash_map::RandomState::new();
        let dialable: Vec<Dialable<'_, &sync::addresses::AddressRecord>> = records
            .into_iter()
            .filter(|r| {
                !self.sync.is_connected(&NodeKey::from_bytes(r.node)) && !self.tried_lately(r)
            })
            .map(|r| Dialable {
                relayed_only: super::peers::dialable(r)
                    .iter()
                    .all(|a| crate::swarm::relay_of(a).is_some()),
                draw: random.hash_one(r.node),
                of: members
                    .nodes
                    .get(&r.node)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                node: r,
            })
            .collect();
        choose_to_dial(dialable, counts, self.peer_bound)
            .into_iter()
            .cloned()
            .collect()
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
                candidates.push(Connected {
                    relayed,
                    since: *since,
                    peer: *peer,
                    of,
                    dialed: out,
                });
            }
        }
        let let_go = choose_to_let_go(candidates, (dialed, all), bound);
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

/// A member node that could be dialed, as [`choose_to_dial`] weighs it.
struct Dialable<'m, N> {
    /// Reachable only through a relay.
    relayed_only: bool,
    /// Its place in this node's random order.
    draw: u64,
    /// Its coalitions, and its member in each (none if not known as a member yet).
    of: &'m [(CoalitionId, MemberId)],
    node: N,
}

/// Of `dialable`, those to dial while their coalitions have fewer than `bound` dialed
/// (`counts`, counting those picked before): one node per member (as its first coalition
/// says) before a second of any, and within that direct ones first, then by draw. A node not known as a member
/// anywhere yet (its record came early) is picked: this copy may not have caught up with it.
fn choose_to_dial<N>(
    mut dialable: Vec<Dialable<'_, N>>,
    mut counts: BTreeMap<CoalitionId, usize>,
    bound: usize,
) -> Vec<N> {
    dialable.sort_by_key(|d| (d.relayed_only, d.draw));
    // Each node's rank among its member's, in that order; then by rank first.
    let mut seen: BTreeMap<Option<&(CoalitionId, MemberId)>, usize> = BTreeMap::new();
    let mut ranked: Vec<(usize, Dialable<'_, N>)> = dialable
        .into_iter()
        .map(|d| {
            let rank = seen.entry(d.of.first()).or_insert(0);
            *rank += 1;
            (*rank, d)
        })
        .collect();
    // Rank first: a member with many direct nodes does not come before other members'
    // first nodes that only a relay reaches.
    ranked.sort_by_key(|(rank, d)| (*rank, d.relayed_only, d.draw));
    let mut picked = Vec::new();
    for (_, d) in ranked {
        let short =
            d.of.iter()
                .any(|(c, _)| counts.get(c).copied().unwrap_or(0) < bound);
        if !d.of.is_empty() && !short {
            continue;
        }
        for (c, _) in d.of {
            *counts.entry(c.clone()).or_insert(0) += 1;
        }
        picked.push(d.node);
    }
    picked
}

/// A connected member node that may be let go, as [`choose_to_let_go`] weighs it.
struct Connected {
    /// Its connection goes through a relay.
    relayed: bool,
    since: std::time::Instant,
    peer: NodeKey,
    /// The coalitions it syncs here.
    of: Vec<CoalitionId>,
    /// This node dialed it.
    dialed: bool,
}

/// Of `candidates`, those to let go, given per coalition the peers this node dialed and all
/// its peers: one it dialed when every coalition it syncs has more than `bound` dialed, one
/// that dialed it when each has more than [`INBOUND_FACTOR`] × `bound` in all; relayed ones
/// first, then the newest, each one let go counted out before the next is weighed.
fn choose_to_let_go(
    mut candidates: Vec<Connected>,
    (mut dialed, mut all): (BTreeMap<CoalitionId, usize>, BTreeMap<CoalitionId, usize>),
    bound: usize,
) -> BTreeSet<NodeKey> {
    let over = |counts: &BTreeMap<CoalitionId, usize>, of: &[CoalitionId], limit: usize| {
        of.iter()
            .all(|c| counts.get(c).copied().unwrap_or(0) > limit)
    };
    candidates.sort_by(|a, b| b.relayed.cmp(&a.relayed).then(b.since.cmp(&a.since)));
    let mut let_go = BTreeSet::new();
    for p in candidates {
        let go = if p.dialed {
            over(&dialed, &p.of, bound)
        } else {
            over(&all, &p.of, bound.saturating_mul(INBOUND_FACTOR))
        };
        if !go {
            continue;
        }
        for c in &p.of {
            if let Some(n) = all.get_mut(c) {
                *n -= 1;
            }
            if p.dialed
                && let Some(n) = dialed.get_mut(c)
            {
                *n -= 1;
            }
        }
        let_go.insert(p.peer);
    }
    let_go
}

/// A digest of a record's addresses (to tell whether a node moved).
pub(super) fn digest(addrs: &[String]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    addrs.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node to dial: reachable only through a relay or not, its place in the draw, its
    /// coalitions and members, and what names it.
    fn at<N>(
        relayed_only: bool,
        draw: u64,
        of: &[(CoalitionId, MemberId)],
        node: N,
    ) -> Dialable<'_, N> {
        Dialable {
            relayed_only,
            draw,
            of,
            node,
        }
    }

    fn coalition(n: u8) -> CoalitionId {
        CoalitionId::from_bytes([n; 16])
    }

    fn member(c: u8, m: u8) -> (CoalitionId, MemberId) {
        (coalition(c), MemberId::from_bytes([m; 16]))
    }

    fn key(n: u8) -> NodeKey {
        NodeKey::from_bytes([n; 32])
    }

    fn counts(of: &[(u8, usize)]) -> BTreeMap<CoalitionId, usize> {
        of.iter().map(|(c, n)| (coalition(*c), *n)).collect()
    }

    #[test]
    fn direct_nodes_are_dialed_before_relayed_ones_and_only_up_to_the_bound() {
        let a = [member(1, 1)];
        let b = [member(1, 2)];
        let c = [member(1, 3)];
        let d = [member(1, 4)];
        let dialable = vec![
            at(true, 0, &a, 'a'),
            at(false, 9, &b, 'b'),
            at(false, 5, &c, 'c'),
            at(true, 1, &d, 'd'),
        ];
        // One dialed already, bound 3: two more, both direct, in the order drawn.
        assert_eq!(
            choose_to_dial(dialable, counts(&[(1, 1)]), 3),
            vec!['c', 'b']
        );
    }

    #[test]
    fn each_member_gets_one_node_dialed_before_any_gets_a_second() {
        // Member 1 runs three nodes, drawn first; members 2 and 3 one each.
        let one = [member(1, 1)];
        let two = [member(1, 2)];
        let three = [member(1, 3)];
        let dialable = vec![
            at(false, 0, &one, "1a"),
            at(false, 1, &one, "1b"),
            at(false, 2, &one, "1c"),
            at(false, 3, &two, "2"),
            at(false, 4, &three, "3"),
        ];
        assert_eq!(
            choose_to_dial(dialable, BTreeMap::new(), 4),
            vec!["1a", "2", "3", "1b"]
        );
    }

    #[test]
    fn a_member_with_many_direct_nodes_does_not_crowd_out_others_reached_by_relay() {
        let one = [member(1, 1)];
        let two = [member(1, 2)];
        let three = [member(1, 3)];
        let dialable = vec![
            at(false, 0, &one, "1a"),
            at(false, 1, &one, "1b"),
            at(false, 2, &one, "1c"),
            at(true, 3, &two, "2"),
            at(true, 4, &three, "3"),
        ];
        assert_eq!(
            choose_to_dial(dialable, BTreeMap::new(), 3),
            vec!["1a", "2", "3"]
        );
    }

    #[test]
    fn a_node_is_dialed_while_any_of_its_coalitions_is_short_and_counts_in_all() {
        let both = [member(1, 1), member(2, 1)];
        let first = [member(1, 2)];
        let second = [member(2, 3)];
        let unknown: [(CoalitionId, MemberId); 0] = [];
        let dialable = vec![
            at(false, 0, &both, "both"),
            at(false, 1, &first, "first"),
            at(false, 2, &second, "second"),
            at(false, 3, &unknown, "unknown"),
        ];
        // Coalition 1 is full once "both" is dialed; coalition 2 has room for one more.
        assert_eq!(
            choose_to_dial(dialable, counts(&[(1, 1), (2, 0)]), 2),
            vec!["both", "second", "unknown"]
        );
    }

    fn connected(peer: u8, relayed: bool, age_s: u64, of: &[u8], dialed: bool) -> Connected {
        let now = std::time::Instant::now();
        Connected {
            relayed,
            since: now
                .checked_sub(std::time::Duration::from_secs(age_s))
                .unwrap_or(now),
            peer: key(peer),
            of: of.iter().map(|c| coalition(*c)).collect(),
            dialed,
        }
    }

    #[test]
    fn dialed_peers_over_the_bound_go_relayed_first_then_the_newest_down_to_the_bound() {
        let candidates = vec![
            connected(1, false, 300, &[1], true),
            connected(2, false, 100, &[1], true),
            connected(3, true, 500, &[1], true),
            connected(4, false, 200, &[1], true),
        ];
        // Four dialed in coalition 1, bound 2: two go, the relayed one and the newest.
        let go = choose_to_let_go(candidates, (counts(&[(1, 4)]), counts(&[(1, 4)])), 2);
        assert_eq!(go, BTreeSet::from([key(3), key(2)]));
    }

    #[test]
    fn a_peer_is_kept_while_one_of_its_coalitions_needs_it() {
        let candidates = vec![
            connected(1, false, 10, &[1, 2], true),
            connected(2, false, 20, &[1], true),
        ];
        // Coalition 1 is over the bound, coalition 2 is not: only the peer of 1 alone goes.
        let go = choose_to_let_go(
            candidates,
            (counts(&[(1, 3), (2, 1)]), counts(&[(1, 3), (2, 1)])),
            2,
        );
        assert_eq!(go, BTreeSet::from([key(2)]));
    }

    #[test]
    fn peers_that_dialed_in_go_only_beyond_the_inbound_factor() {
        let bound = 2;
        let inbound = |n: u8| connected(n, false, u64::from(n), &[1], false);
        let at_limit = bound * INBOUND_FACTOR;
        let candidates: Vec<Connected> = (1..=3).map(inbound).collect();
        // Exactly at the limit in all: none go, however few this node dialed.
        let go = choose_to_let_go(
            candidates,
            (counts(&[(1, 0)]), counts(&[(1, at_limit)])),
            bound,
        );
        assert!(go.is_empty());
        // Two over: the two newest go.
        let candidates: Vec<Connected> = (1..=3).map(inbound).collect();
        let go = choose_to_let_go(
            candidates,
            (counts(&[(1, 0)]), counts(&[(1, at_limit + 2)])),
            bound,
        );
        assert_eq!(go, BTreeSet::from([key(1), key(2)]));
    }
}
