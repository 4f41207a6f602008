//! The peers the core knows: their addresses (remembered, and dialed again after a restart),
//! handing dials to the network side, and letting go of nodes that share nothing with this
//! one.
//!
//! **Strangers.** A peer connected for [`super::STRANGER_GRACE`] that shares nothing with this node
//! (`SyncNode::shares_nothing`: it has greeted, and no coalition is synced with it, none named in
//! its greeting is held here, none this node would name to it; so members, joiners in either
//! direction and a recovering node are never strangers), or one that leaves before it is judged and
//! shares nothing, is let go: its address is forgotten (no redial after a restart), it is kept for
//! `status` (at most [`super::MAX_STRANGERS`]), and the swarm disconnects it, drops it from its
//! redial targets and ignores its mDNS announcements for `swarm::STRANGER_QUIET`
//! (`Command::Stranger`; `Command::Welcome` lifts that when this node joins through it, dialing it
//! at the addresses mDNS found; when the quiet time is over, a stranger mDNS still announces is
//! dialed once more). A peer that has not greeted when its grace is over is disconnected but not
//! judged a stranger (a node at work greets at once; a silent one would otherwise hold a connection
//! for good). A node that names a coalition held here cannot sync it without being a member's node,
//! so the connection limits are what bound such nodes. A peer is judged once: one that shares
//! nothing only later (a join cancelled, a member removed) stays connected until it leaves. Peers
//! reached at a `--bootstrap` address (`Event::Keep`) are never judged by the node configured so
//! (the other side still lets it go while they share nothing: the two reconnect about every grace
//! period until one joins a coalition of the other).
//!
//! **Addresses.** The records of where member nodes listen are kept in the store
//! (`Replica::address_records`, checked again on loading; those of nodes no longer members
//! anywhere dropped), stored again whenever newer ones are learnt; the member nodes they name that
//! are not connected are dialed once each (an address naming another node's key is skipped; at
//! most `DIALED_PER_NODE` per node), at start and when learnt, as far as the peer set wants
//! them (`core::peerset`). A member node reached so is remembered
//! like any peer reached by dialing ([`known_peers`], at most [`MAX_KNOWN_PEERS`], redialed with
//! backoff), and so is a peer that dialed this node, at the address it listens on (identify):
//! members reconnect to each other after a restart or a restore with the node that invited them
//! down, while an address nobody answers at is not tried forever: the peer set tries address
//! records again only while short of peers, each at most once per `peerset::RETRY_AFTER`.

use super::*;

/// Most peer addresses remembered.
pub const MAX_KNOWN_PEERS: usize = 256;

/// Most member nodes remembered as dialed lately (as many as the address book holds).
pub(super) const MAX_TRIED: usize = sync::addresses::MAX_BOOK;

/// Addresses of peers this node reached, to dial again after a restart (where member nodes
/// said they listen is dialed once by the core, see [`Core::run`]).
pub fn known_peers(replica: &Replica) -> Vec<String> {
    replica
        .known_peers()
        .map(|m| m.into_values().collect())
        .unwrap_or_default()
}

/// Most addresses of one member node dialed, at start or when learned (the first ones: those
/// other machines can use).
pub(super) const DIALED_PER_NODE: usize = 4;

/// The records of where member nodes listen kept in the store (unchecked).
pub(super) fn stored_addresses(replica: &Replica) -> Vec<sync::addresses::AddressRecord> {
    replica
        .address_records()
        .ok()
        .flatten()
        .map(|b| sync::addresses::decode_kept(&b))
        .unwrap_or_default()
}

/// Keeps this node's own address record, for the statements files it writes
/// (`commands::ops::statements::own_address`).
pub(super) fn save_own_record(replica: &Replica, record: &sync::addresses::AddressRecord) {
    if let Err(e) = replica.save_own_address_record(&sync::addresses::encode_record(record)) {
        warn!(error = %e, "could not keep this node's own address record");
    }
}

/// The addresses of a record that can be dialed, each naming the record's node: one that
/// names another node is skipped.
pub(super) fn dialable(record: &sync::addresses::AddressRecord) -> Vec<libp2p::Multiaddr> {
    let Some(id) = crate::swarm::peer_id(&NodeKey::from_bytes(record.node)) else {
        return Vec::new();
    };
    record
        .addrs
        .iter()
        .filter_map(|a| a.parse::<libp2p::Multiaddr>().ok()?.with_p2p(id).ok())
        .collect()
}

impl Core {
    /// Hands a dial to the swarm task without waiting on it: the swarm task may be waiting
    /// on the core (its events channel full), so waiting here could deadlock. A dial that
    /// does not fit now is kept (at most [`CHANNEL`]) and handed over with the next event;
    /// returns whether it was handed over or kept.
    pub(super) fn dial(&mut self, cmd: crate::swarm::Command) -> bool {
        // Behind those waiting already, so that the network side sees them in order (a
        // `Welcome` must not overtake a `Stranger` for the same peer).
        if !self.pending_dials.is_empty() {
            if self.pending_dials.len() < CHANNEL {
                self.pending_dials.push(cmd);
                return true;
            }
            warn!("could not hand a dial to the network side: too many waiting");
            return false;
        }
        match self.dial.try_send(cmd) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(cmd)) if self.pending_dials.len() < CHANNEL => {
                self.pending_dials.push(cmd);
                true
            }
            Err(e) => {
                warn!(error = %e, "could not hand a dial to the network side");
                false
            }
        }
    }

    /// Hands over the dials that did not fit before, as far as they fit now.
    pub(super) fn flush_dials(&mut self) {
        let pending = std::mem::take(&mut self.pending_dials);
        let mut rest = pending.into_iter();
        for cmd in rest.by_ref() {
            if let Err(e) = self.dial.try_send(cmd) {
                match e {
                    mpsc::error::TrySendError::Full(cmd) => {
                        self.pending_dials.push(cmd);
                        break;
                    }
                    mpsc::error::TrySendError::Closed(_) => return,
                }
            }
        }
        self.pending_dials.extend(rest);
    }

    /// Keeps newer records of where member nodes listen, and dials those not connected.
    pub(super) fn learned_addresses(&mut self, records: &[sync::addresses::AddressRecord]) {
        self.save_addresses();
        self.dial_members(records);
    }

    /// Stores the address book as it is now.
    pub(super) fn save_addresses(&mut self) {
        let bytes = sync::addresses::encode_kept(self.sync.address_book().records());
        if let Err(e) = self.replica.save_address_records(&bytes) {
            warn!(error = %e, "could not keep where member nodes listen");
        }
    }

    /// Dials, once each, the member nodes `records` name that are not connected, as far as
    /// the peer set's bound wants them (`Core::pick_to_dial`).
    pub(super) fn dial_members(&mut self, records: &[sync::addresses::AddressRecord]) {
        let picked = self.pick_to_dial(records);
        self.dial_picked(&picked);
    }

    /// Dials the member nodes `picked` name, each once.
    pub(super) fn dial_picked(&mut self, picked: &[sync::addresses::AddressRecord]) {
        for r in picked {
            let node = NodeKey::from_bytes(r.node);
            self.note_tried(node, super::peerset::digest(&r.addrs));
            for addr in dialable(r).into_iter().take(DIALED_PER_NODE) {
                debug!(peer = %node, %addr, "dialing a member node another member told of");
                self.dial(crate::swarm::Command::DialOnce(addr));
            }
        }
    }

    /// Disconnects peers connected for [`STRANGER_GRACE`] that have not greeted, or that share
    /// nothing with this node, and has the network side leave the latter alone (see `swarm::Command::Stranger`); their
    /// address is forgotten, so that a restart does not dial them again.
    pub(super) fn judge_strangers(&mut self) {
        let due: Vec<NodeKey> = self
            .unjudged
            .iter()
            .filter(|(_, at)| at.elapsed() >= STRANGER_GRACE)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in due {
            self.unjudged.remove(&peer);
            if !self.sync.is_connected(&peer) || self.kept.contains(&peer) {
                continue;
            }
            if !self.sync.greeted(&peer) {
                // A node at work greets as soon as it connects; one silent through its grace
                // would otherwise hold a connection for good (keys cost nothing, so a few
                // could hold them all). Disconnected, not judged: it may be a member's node
                // that was slow, and may connect again.
                let _s = info_span!("peer", %peer).entered();
                info!("disconnecting a node that has not greeted this one");
                let _ = self.out.blocking_send(Outgoing::Disconnect(peer));
            } else if self
                .sync
                .shares_nothing(&mut ReplicaDocs(&mut self.replica), &peer)
                && !self.linked(&peer)
            {
                self.let_go(peer, true);
            }
        }
    }

    /// Records `peer` as a stranger and has the network side leave it alone (and disconnect
    /// it if `disconnect`).
    pub(super) fn let_go(&mut self, peer: NodeKey, disconnect: bool) {
        let _s = info_span!("peer", %peer).entered();
        info!("letting go of a node that shares no coalition with this one");
        let addr = self.forget(&peer);
        if self.strangers.len() >= MAX_STRANGERS
            && !self.strangers.contains_key(&peer)
            && let Some(oldest) = self
                .strangers
                .iter()
                .min_by_key(|(_, s)| s.seen)
                .map(|(k, _)| *k)
        {
            self.strangers.remove(&oldest);
        }
        let seen = replica::now().as_millis();
        let entry = self
            .strangers
            .entry(peer)
            .or_insert(Stranger { addr: None, seen });
        entry.seen = seen;
        if addr.is_some() {
            entry.addr = addr;
        }
        self.dial(crate::swarm::Command::Stranger(peer, disconnect));
    }

    /// Drops `peer` from the addresses redialed after a restart; returns its address.
    pub(super) fn forget(&mut self, peer: &NodeKey) -> Option<String> {
        self.replica.forget_peer(peer).unwrap_or_else(|e| {
            warn!(error = %e, "could not forget a peer's address");
            None
        })
    }

    /// Remembers where `peer` was reached, to dial it again after a restart (at most
    /// [`MAX_KNOWN_PEERS`]).
    pub(super) fn remember(&mut self, peer: NodeKey, addr: String) {
        if let Err(e) = self.replica.remember_peer(&peer, &addr, MAX_KNOWN_PEERS) {
            warn!(error = %e, "could not remember a peer's address");
        }
    }
}

/// Shortest time between two address records this node signs: a little more than peers' own
/// bound ([`sync::addresses::MIN_UPDATE`]), so that none is ignored.
pub(super) const RESIGN_EVERY: std::time::Duration = std::time::Duration::from_secs(12);

impl Core {
    /// At start and at each tick: tells the network side the member nodes it relays for, and
    /// takes the addresses it learned (confirmed external, relayed) into invites, the address
    /// record (signed again and told to peers, at most every [`RESIGN_EVERY`]) and
    /// `addresses.json`.
    pub(super) fn follow_network(&mut self) {
        // The member keys change with the coalitions (and with time, as terms end): read
        // again after changes, and at least every `MEMBERS_EVERY`, not at every tick.
        if self
            .signing
            .members_due
            .is_none_or(|t| t.elapsed() >= MEMBERS_EVERY)
            || std::mem::take(&mut self.signing.members_changed)
        {
            self.refresh_members();
        }
        let view = self.net.view();
        self.metrics.set_reachability(view.reachability.as_str());
        let relayed = view
            .paths
            .values()
            .filter(|p| matches!(p, crate::swarm::Path::Relayed(_)))
            .count();
        self.metrics
            .peers_relayed
            .set(i64::try_from(relayed).unwrap_or(i64::MAX));
        self.metrics.relaying.set(i64::from(view.relaying));
        let me = self.replica.identity().node_key();
        let Some(id) = crate::swarm::peer_id(&me) else {
            return;
        };
        // At most two of each: what peers confirmed, and relayed addresses, are told by
        // others (a member's node confirming, a member's relay), so they never crowd out
        // the node's own.
        let external: Vec<String> = view
            .external
            .iter()
            .take(2)
            .map(|a| crate::swarm::with_peer(a.clone(), id).to_string())
            .collect();
        let relayed: Vec<String> = view
            .relayed
            .iter()
            .take(2)
            .map(ToString::to_string)
            .collect();
        let addrs = unique(
            self.base_addrs
                .iter()
                .chain(&external)
                .chain(&relayed)
                .take(sync::invite::MAX_ADDRS),
        );
        if addrs != self.addrs {
            self.addrs = addrs;
            if let Err(e) = write_addresses(self.replica.home(), &self.addrs) {
                warn!(error = %e, "could not write where this node can be reached");
            }
        }
        // The record holds few addresses: those other machines can use first.
        let order = unique(relayed.iter().chain(&external).chain(&self.base_addrs));
        let since = self.signing.at.elapsed();
        if order != self.signing.record && since >= RESIGN_EVERY {
            let now_ms = u64::try_from(replica::now().as_millis()).unwrap_or(0);
            let record = sync::addresses::AddressRecord::sign(
                &self.replica.identity().secret_bytes(),
                &order,
                now_ms,
            );
            info!(addrs = ?record.addrs, "telling member nodes where this node can be reached now");
            self.signing.at = std::time::Instant::now();
            self.signing.record = order;
            self.signing.resent = false;
            save_own_record(&self.replica, &record);
            let out = self.sync.update_own_addresses(record);
            self.dispatch(out);
        } else if !self.signing.resent && since >= RESIGN_EVERY {
            // Once more, a little later: a peer that took this node's previous record less
            // than `sync::addresses::MIN_UPDATE` before ignored the new one.
            self.signing.resent = true;
            let out = self.sync.resend_own_addresses();
            self.dispatch(out);
        }
    }

    /// Reads the coalitions held and their member nodes again (kept in `Core::members` for
    /// the peer set), and tells the network side the member nodes it relays for and asks to
    /// dial this node back; a store that cannot be read keeps the set as it was.
    pub(super) fn refresh_members(&mut self) {
        let ids = match self.replica.coalition_ids() {
            Ok(ids) => ids,
            Err(e) => {
                warn!(error = %e, "could not list the coalitions to relay for their members");
                return;
            }
        };
        let mut nodes: std::collections::BTreeMap<[u8; 32], crate::swarm::Memberships> =
            Default::default();
        for c in &ids {
            if let Some(keys) = self.replica.member_key_map(c) {
                for (k, m) in keys {
                    nodes.entry(k).or_default().push((c.clone(), m));
                }
            }
        }
        self.net.set_members(
            nodes
                .iter()
                .map(|(k, m)| (NodeKey::from_bytes(*k), m.clone())),
        );
        self.members = Some(Members { ids, nodes });
        self.signing.members_due = Some(std::time::Instant::now());
    }

    /// A member node reached through a relay disconnected without this node closing the
    /// connection (a relayed connection ends when the relay's limits are reached): dial its
    /// relayed addresses again, once, and at most once every [`REDIAL_RELAYED_EVERY`] (a
    /// relay refusing again must not be asked in a loop). Addresses through this node are
    /// skipped.
    pub(super) fn redial_relayed(&mut self, peer: &NodeKey) {
        // Not when this node has peers enough without it (it may have let this node go).
        if !self.short_for(peer) {
            debug!(%peer, "not dialing a member node through its relay again: peers enough");
            return;
        }
        let now = std::time::Instant::now();
        self.redialed
            .retain(|_, at| now.duration_since(*at) < REDIAL_RELAYED_EVERY);
        if self.redialed.contains_key(peer) {
            debug!(%peer, "not dialing a member node through its relay again so soon");
            return;
        }
        let Some(record) = self.sync.address_book().get(peer.as_bytes()).cloned() else {
            return;
        };
        let me = crate::swarm::peer_id(&self.replica.identity().node_key());
        let through: Vec<_> = dialable(&record)
            .into_iter()
            .filter(|a| crate::swarm::relay_of(a).is_some_and(|r| Some(r) != me))
            .take(DIALED_PER_NODE)
            .collect();
        if through.is_empty() {
            return;
        }
        self.redialed.insert(*peer, now);
        for addr in through {
            debug!(%addr, "dialing a member node again through its relay");
            self.dial(crate::swarm::Command::DialOnce(addr));
        }
    }
}

/// Shortest time between two dials of one member node through its relay after its relayed
/// connection ended.
pub(super) const REDIAL_RELAYED_EVERY: std::time::Duration = crate::swarm::RELAY_RETRY;

/// The coalitions held here and the member nodes of each, as last read.
#[derive(Debug, Default)]
pub(super) struct Members {
    /// The coalitions held.
    pub(super) ids: Vec<CoalitionId>,
    /// Each member node's coalitions and member in each.
    pub(super) nodes: std::collections::BTreeMap<[u8; 32], crate::swarm::Memberships>,
}

/// How often the member keys are read again when nothing changed (terms end with time).
pub(super) const MEMBERS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Where this node stands in telling its addresses to member nodes.
#[derive(Debug)]
pub(super) struct Signing {
    /// When it last signed its address record.
    pub(super) at: std::time::Instant,
    /// The addresses that record names.
    pub(super) record: Vec<String>,
    /// Whether it was sent once more since.
    pub(super) resent: bool,
    /// When the member keys were last told to the network side.
    pub(super) members_due: Option<std::time::Instant>,
    /// Whether changes were made or applied, or a coalition joined, since (the members in
    /// force may differ).
    pub(super) members_changed: bool,
}

/// `addrs` without repeats, in order.
fn unique<'a>(addrs: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    addrs.filter(|a| seen.insert(a.as_str())).cloned().collect()
}

/// The file naming where a node can be reached (the addresses its invites carry).
pub const ADDRESSES_FILE: &str = "addresses.json";

/// Writes `addrs` to [`ADDRESSES_FILE`] in `home`.
pub fn write_addresses(home: &std::path::Path, addrs: &[String]) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(&serde_json::json!({ "addrs": addrs }))?;
    std::fs::write(home.join(ADDRESSES_FILE), text)
}
