//! Reaching this node and its peers across NATs: what the network side learns (reachability by
//! AutoNAT, confirmed external addresses, relayed addresses, each peer's connection path and
//! last failed dial) and the member nodes this node relays for, shared with the core
//! ([`Shared`]).
//!
//! **Reachability** is `public` once a member's node connected directly (either side may have
//! dialed) dialed this node back at an address the operator announced, or nodes of two member
//! organizations did at a public IP address of its own (it is then confirmed external; one hostile member
//! alone cannot make a node behind NAT drop its relay slots), and stays so for [`PUBLIC_FOR`]
//! whatever other members answer; `private` once such dial-backs failed, or only reached it at a private address (a
//! member on the same LAN); `unknown` before any. AutoNAT dials back only the IP address a
//! peer was seen at, so it cannot be used to make this node dial elsewhere, and only member
//! nodes are asked, so a stranger cannot tell this node where it is reachable. Announced
//! addresses are tested too (`probe_address` at start). Confirmed external addresses are
//! forgotten when the node is no longer `public`.
//!
//! **Relay service** (circuit relay v2, unless `--no-relay`): offered only while the node has an
//! external address of its own, confirmed or announced (a relayed one does not count:
//! `drive::relay_status`). A reservation, or a circuit from a source, is refused to any key that
//! is not a member's node in force in a coalition held here ([`Shared::set_members`], kept by
//! the core); the counts, the bytes and the duration of circuits are bounded by
//! [`RelayLimits`].
//!
//! **Relay use**: while this node is not `public`, it reserves a slot on up to [`MAX_RELAYS`]
//! member nodes that offer the relay service and are connected directly, and its relayed
//! addresses join those it names in invites and in its signed address record. A member that dials
//! it through the relay gets a relayed connection, which DCUtR then tries to upgrade to a direct
//! one by hole punching; where that fails (symmetric NATs), sync keeps running over the relay.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use libp2p::core::transport::ListenerId;
use libp2p::swarm::ConnectionId;

use libp2p::{Multiaddr, PeerId};
use model::{CoalitionId, MemberId, NodeKey};

/// Most relays this node holds a reservation on at once.
pub const MAX_RELAYS: usize = 2;
/// Most peers whose last failed dial is remembered.
pub const MAX_FAILED: usize = 256;
/// Longest reason of a failed dial kept, in characters.
pub const MAX_REASON: usize = 240;
/// Most confirmed external and relayed addresses kept each.
pub const MAX_OWN: usize = 8;
/// How long after a reservation failed this node asks that relay again.
pub const RELAY_RETRY: Duration = Duration::from_secs(30);

/// Whether this node can be reached from outside its network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reachability {
    /// A peer dialed it back at one of its addresses.
    Public,
    /// Every address peers tried dialing back failed: behind a NAT or a firewall.
    Private,
    /// Not tested yet.
    #[default]
    Unknown,
}

impl Reachability {
    /// `public`, `private` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Unknown => "unknown",
        }
    }
}

/// How a connected peer is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// At least one connection goes straight to it.
    Direct,
    /// Only through a relay: this node's key.
    Relayed(NodeKey),
}

/// What the network side knows about reaching this node and its peers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetView {
    /// Whether this node is reachable from outside.
    pub reachability: Reachability,
    /// Its external addresses: confirmed by a peer's dial-back, or announced by the operator.
    pub external: Vec<Multiaddr>,
    /// Its addresses through relays (each ends in `/p2p-circuit/p2p/` and this node's id).
    pub relayed: Vec<Multiaddr>,
    /// Whether it offers the relay service now (it has an external address and relaying is
    /// on).
    pub relaying: bool,
    /// How each connected peer is reached.
    pub paths: BTreeMap<NodeKey, Path>,
    /// Why the last dial of a peer failed, for peers whose last dial failed.
    pub failed: BTreeMap<NodeKey, String>,
    /// Connected peers this node dialed (at least one of their connections).
    pub dialed: BTreeSet<NodeKey>,
    /// Member nodes holding a relay slot on this node (as many as the relay's reservations
    /// allow).
    pub relaying_for: BTreeSet<NodeKey>,
    /// Relays this node holds (or asked for) a slot on.
    pub relays: BTreeSet<NodeKey>,
}

/// What the network side and the core share.
#[derive(Debug, Default)]
pub struct Shared {
    /// Member nodes in force, each with the coalitions and members it is a node of.
    members: RwLock<HashMap<PeerId, Memberships>>,
    view: Mutex<NetView>,
}

/// The coalitions held here a node is a member's node of, with the member in each.
pub type Memberships = Vec<(CoalitionId, MemberId)>;

impl Shared {
    /// Sets the member nodes this node relays for (and reserves relay slots on): the keys of
    /// members in force of the coalitions held here, each with the coalitions and members it
    /// is a node of.
    pub fn set_members(&self, nodes: impl IntoIterator<Item = (NodeKey, Memberships)>) {
        let ids: HashMap<PeerId, Memberships> = nodes
            .into_iter()
            .filter_map(|(k, m)| Some((super::peer_id(&k)?, m)))
            .collect();
        // A poisoned lock only means a writer panicked: the set is replaced whole anyway.
        let mut held = self.members.write().unwrap_or_else(|e| e.into_inner());
        if *held != ids {
            *held = ids;
        }
    }

    /// Whether `peer` is a member's node in force in a coalition held here.
    pub fn is_member(&self, peer: &PeerId) -> bool {
        self.members
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(peer)
    }

    /// The coalitions and members `peer` is a node of (none if it is no member's node).
    pub fn memberships(&self, peer: &PeerId) -> Memberships {
        self.members
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(peer)
            .cloned()
            .unwrap_or_default()
    }

    /// What the network side knows now.
    pub fn view(&self) -> NetView {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Changes the view.
    pub(super) fn update(&self, f: impl FnOnce(&mut NetView)) {
        f(&mut self.view.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// Bounds on the relay service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayLimits {
    /// Reservations held at once (one per relayed member node, usually).
    pub reservations: usize,
    /// Circuits open at once.
    pub circuits: usize,
    /// Bytes one circuit carries, both ways together, before it is closed.
    pub circuit_bytes: u64,
    /// How long one circuit stays open.
    pub circuit_duration: Duration,
}

/// Default for [`RelayLimits::reservations`].
pub const RELAY_RESERVATIONS: usize = 128;
/// Default for [`RelayLimits::circuits`].
pub const RELAY_CIRCUITS: usize = 64;
/// Default for [`RelayLimits::circuit_bytes`], in MiB: a whole catch-up of a large coalition
/// fits.
pub const RELAY_CIRCUIT_MIB: u64 = 1024;
/// Default for [`RelayLimits::circuit_duration`], in minutes.
pub const RELAY_CIRCUIT_MINUTES: u64 = 60;

impl Default for RelayLimits {
    fn default() -> Self {
        Self {
            reservations: RELAY_RESERVATIONS,
            circuits: RELAY_CIRCUITS,
            circuit_bytes: RELAY_CIRCUIT_MIB * 1024 * 1024,
            circuit_duration: Duration::from_secs(RELAY_CIRCUIT_MINUTES * 60),
        }
    }
}

/// How this node asks member nodes to dial it back (AutoNAT): soon after start, again after a
/// failure within twenty seconds, a confirmed status every ten minutes. Only the member nodes
/// connected directly are asked (`Reach::update_servers`), never any connected peer. Private
/// addresses are tested too (so that a node on a LAN learns it is reachable there only: see
/// `Reach::nat`). As a server, it dials back at most eight addresses of a peer, each at the
/// IP address the peer was seen at, for at most eight requests every fifteen seconds, one
/// per peer.
pub(super) fn reach_config() -> libp2p::autonat::Config {
    libp2p::autonat::Config {
        boot_delay: Duration::from_secs(3),
        retry_interval: Duration::from_secs(20),
        refresh_interval: Duration::from_secs(600),
        throttle_server_period: Duration::from_secs(15),
        use_connected: false,
        only_global_ips: false,
        max_peer_addresses: 8,
        throttle_clients_global_max: 8,
        throttle_clients_peer_max: 1,
        throttle_clients_period: Duration::from_secs(15),
        ..Default::default()
    }
}

/// The relay service's configuration: `limits`, and reservations and circuits only for
/// `shared`'s member nodes.
pub(super) fn relay_config(
    limits: RelayLimits,
    shared: &std::sync::Arc<Shared>,
) -> libp2p::relay::Config {
    let (reserving, sourcing) = (shared.clone(), shared.clone());
    let mut config = libp2p::relay::Config {
        max_reservations: limits.reservations,
        max_reservations_per_peer: 4,
        max_circuits: limits.circuits,
        max_circuits_per_peer: 8,
        max_circuit_duration: limits.circuit_duration,
        max_circuit_bytes: limits.circuit_bytes,
        ..Default::default()
    };
    // First, before libp2p's own per-IP limits: strangers behind a member's IP address do not
    // use up its allowance.
    config.reservation_rate_limiters.insert(0, Box::new(
        move |peer: PeerId, _: &Multiaddr, _: Instant| {
            let member = reserving.is_member(&peer);
            if !member {
                tracing::debug!(%peer, "refused a relay reservation: not a member's node in any coalition held here");
            }
            member
        },
    ));
    config.circuit_src_rate_limiters.insert(0, Box::new(
        move |peer: PeerId, _: &Multiaddr, _: Instant| {
            let member = sourcing.is_member(&peer);
            if !member {
                tracing::debug!(%peer, "refused a relayed connection: not a member's node in any coalition held here");
            }
            member
        },
    ));
    config
}

/// `addr`'s relay, if it goes through one: the peer id before `/p2p-circuit`.
pub fn relay_of(addr: &Multiaddr) -> Option<PeerId> {
    use libp2p::multiaddr::Protocol;
    let mut last = None;
    for p in addr.iter() {
        match p {
            Protocol::P2p(id) => last = Some(id),
            Protocol::P2pCircuit => return last,
            _ => {}
        }
    }
    None
}

/// Whether `addr` reaches a machine at an IP address or a DNS name without a relay.
fn direct_ip(addr: &Multiaddr) -> bool {
    use libp2p::multiaddr::Protocol;
    !addr.iter().any(|p| p == Protocol::P2pCircuit)
        && addr.iter().any(|p| {
            matches!(
                p,
                Protocol::Ip4(_)
                    | Protocol::Ip6(_)
                    | Protocol::Dns(_)
                    | Protocol::Dns4(_)
                    | Protocol::Dns6(_)
            )
        })
}

/// Whether `addr`'s host is reachable beyond a local network: not loopback, private
/// (RFC 1918, shared address space of carrier-grade NAT, IPv6 unique local), link-local or
/// unspecified. (Documentation ranges count as public: the tests' simulated internet uses
/// them.)
pub fn public_ip(addr: &Multiaddr) -> bool {
    use libp2p::multiaddr::Protocol;
    addr.iter().any(|p| match p {
        Protocol::Ip4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || (a == 100 && (64..128).contains(&b)))
        }
        Protocol::Ip6(ip) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
        Protocol::Dns(_) | Protocol::Dns4(_) | Protocol::Dns6(_) => true,
        _ => false,
    })
}

/// The reason a dial failed, bounded.
pub(super) fn reason(error: &impl std::fmt::Display) -> String {
    let text = error.to_string();
    if text.chars().count() <= MAX_REASON {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_REASON - 1).collect();
    cut.push('…');
    cut
}

/// What the swarm task keeps to follow reachability, relays and paths.
#[derive(Debug)]
pub(super) struct Reach {
    me: PeerId,
    shared: std::sync::Arc<Shared>,
    /// Each connected peer's connections: through which relay, if any, and the address it
    /// was dialed at, if this node dialed it directly.
    conns: HashMap<PeerId, HashMap<ConnectionId, Conn>>,
    /// Peers offering the relay service, with an address to reach them at.
    offering: HashMap<PeerId, Multiaddr>,
    /// Reservations asked for or held: the listener, its relay, and the relayed address
    /// this node names for it (built here from where the relay was reached, never taken
    /// from what the relay says).
    reserved: HashMap<ListenerId, (PeerId, Multiaddr)>,
    /// Addresses the operator announced: external without a test, and counted as this
    /// node's own whatever their kind (a DNS name, a private address forwarded to).
    announced: Vec<Multiaddr>,
    /// Member nodes asked to dial this node back (AutoNAT servers): only members, so that a
    /// stranger cannot tell this node it is reachable at an address of its choosing.
    servers: HashSet<PeerId>,
    /// When a relay whose reservation ended may be asked again.
    retry: HashMap<PeerId, Instant>,
    /// When the swarm task started: a node whose reachability stays unknown for
    /// [`UNKNOWN_GRACE`] reserves relay slots as a private one does.
    started: Instant,
    /// When this node was last found reachable at an address of its own (see
    /// [`Reach::probed`]).
    public_at: Option<Instant>,
    /// Members (per coalition) whose nodes dialed this node back at a public address of its
    /// own, and when.
    confirmers: HashMap<(CoalitionId, MemberId), Instant>,
}

/// Most members remembered as having dialed this node back.
const MAX_CONFIRMERS: usize = 64;

/// How long a dial-back that made this node `public` (at an announced address, or by nodes
/// of two members of one coalition, see `Reach::probed`) keeps it so whatever other
/// answers say (short of AutoNAT's `private`); also how long a member's dial-back counts
/// towards the two: a little more than two of AutoNAT's refreshes.
pub const PUBLIC_FOR: Duration = Duration::from_secs(21 * 60);

/// How long a node whose reachability is still unknown waits before it reserves relay slots.
pub const UNKNOWN_GRACE: Duration = Duration::from_secs(30);

/// A connection: through which relay, if any, the address it was dialed at, if this node
/// dialed it directly, and whether this node dialed it.
type Conn = (Option<PeerId>, Option<Multiaddr>, bool);

/// Through which relay a connection goes, if any.
fn via(endpoint: &libp2p::core::ConnectedPoint) -> Option<PeerId> {
    use libp2p::core::ConnectedPoint;
    let addr = match endpoint {
        ConnectedPoint::Dialer { address, .. } => address,
        ConnectedPoint::Listener { local_addr, .. } => local_addr,
    };
    relay_of(addr)
}

impl Reach {
    pub(super) fn new(me: PeerId, shared: std::sync::Arc<Shared>, announced: &[Multiaddr]) -> Self {
        shared.update(|v| {
            v.relaying = false;
            v.external = announced.iter().take(MAX_OWN).cloned().collect();
        });
        Self {
            me,
            shared,
            announced: announced.to_vec(),
            servers: HashSet::new(),
            conns: HashMap::new(),
            offering: HashMap::new(),
            reserved: HashMap::new(),
            retry: HashMap::new(),
            started: Instant::now(),
            public_at: None,
            confirmers: HashMap::new(),
        }
    }

    /// The path to `peer` as its connections are now, told to the view.
    fn repath(&self, peer: PeerId) {
        let Some(key) = super::node_key(&peer) else {
            return;
        };
        let dialed = self
            .conns
            .get(&peer)
            .is_some_and(|c| c.values().any(|(.., out)| *out));
        let path = self.conns.get(&peer).and_then(|c| {
            if c.values().any(|(relay, ..)| relay.is_none()) {
                Some(Path::Direct)
            } else {
                c.values()
                    .find_map(|(relay, ..)| *relay)
                    .and_then(|r| super::node_key(&r))
                    .map(Path::Relayed)
            }
        });
        self.shared.update(|v| {
            match path {
                Some(p) => {
                    v.paths.insert(key, p);
                    v.failed.remove(&key);
                }
                None => {
                    v.paths.remove(&key);
                }
            }
            if dialed {
                v.dialed.insert(key);
            } else {
                v.dialed.remove(&key);
            }
        });
    }

    /// A connection was established.
    pub(super) fn connected(
        &mut self,
        peer: PeerId,
        id: ConnectionId,
        endpoint: &libp2p::core::ConnectedPoint,
    ) {
        let relay = via(endpoint);
        let dialed = (relay.is_none() && endpoint.is_dialer())
            .then(|| endpoint.get_remote_address().clone());
        let was_relayed = self
            .conns
            .get(&peer)
            .is_some_and(|c| !c.is_empty() && c.values().all(|(r, ..)| r.is_some()));
        self.conns
            .entry(peer)
            .or_default()
            .insert(id, (relay, dialed, endpoint.is_dialer()));
        if was_relayed && relay.is_none() {
            tracing::info!(%peer, "now connected directly to a node reached through a relay");
        }
        self.repath(peer);
    }

    /// A connection was closed; returns the relay its last connection went through, when
    /// that was its last one and it went through a relay (not this node).
    pub(super) fn closed(&mut self, peer: PeerId, id: ConnectionId) -> Option<PeerId> {
        let mut lost = None;
        if let Some(c) = self.conns.get_mut(&peer) {
            let gone = c.remove(&id);
            if c.is_empty() {
                self.conns.remove(&peer);
                self.offering.remove(&peer);
                lost = gone.and_then(|(relay, ..)| relay).filter(|r| *r != self.me);
            }
        }
        self.repath(peer);
        lost
    }

    /// A dial of `peer` failed.
    pub(super) fn dial_failed(&mut self, peer: PeerId, error: &impl std::fmt::Display) {
        // Only member nodes are shown in status: dial-backs and hole punches to others are
        // not kept.
        if !self.shared.is_member(&peer) || self.conns.contains_key(&peer) {
            return;
        }
        let Some(key) = super::node_key(&peer) else {
            return;
        };
        let why = reason(error);
        self.shared.update(|v| {
            if v.failed.len() >= MAX_FAILED
                && !v.failed.contains_key(&key)
                && let Some(first) = v.failed.keys().next().copied()
            {
                v.failed.remove(&first);
            }
            v.failed.insert(key, why);
        });
    }

    /// `peer` identified itself: whether it offers the relay service, and where it listens.
    pub(super) fn identified(&mut self, peer: PeerId, info: &libp2p::identify::Info) {
        if !info.protocols.contains(&libp2p::relay::HOP_PROTOCOL_NAME) {
            self.offering.remove(&peer);
            return;
        }
        // Where this node dialed it, then where it says it listens; an address other
        // machines can use first (a relayed address built on a LAN or container address
        // would serve only the relay's neighbours).
        let dialed = self
            .conns
            .get(&peer)
            .into_iter()
            .flat_map(|c| c.values().filter_map(|(_, a, _)| a.clone()));
        let listed = info
            .listen_addrs
            .iter()
            .filter(|a| !super::drive::is_loopback(a) && relay_of(a).is_none())
            .take(16)
            .cloned();
        let candidates: Vec<Multiaddr> = dialed.chain(listed).collect();
        let best = candidates
            .iter()
            .find(|a| public_ip(a))
            .or(candidates.first())
            .cloned();
        if let Some(addr) = best {
            let bare = super::drive::without_p2p(addr);
            self.offering.insert(peer, bare);
        }
    }

    /// A member's node (`peer`) answered a dial-back request (AutoNAT): it reached this node
    /// at `addr`. Remembered when `addr` is this node's own (see [`Reach::own`]), so that a
    /// member on the same LAN answering later does not make it private again. An address
    /// the operator announced counts at once; another one when nodes of two members of one
    /// coalition said so within [`PUBLIC_FOR`] (AutoNAT does not check what a server says it
    /// dialed: one hostile member alone, whatever its nodes and coalitions, must not make a
    /// node behind NAT give up its relay slots).
    pub(super) fn probed(&mut self, peer: PeerId, addr: &Multiaddr) {
        if !self.own(addr) {
            return;
        }
        let now = Instant::now();
        if self.is_announced(addr) {
            self.public_at = Some(now);
            return;
        }
        self.confirmers
            .retain(|_, at| now.duration_since(*at) < PUBLIC_FOR);
        for membership in self.shared.memberships(&peer) {
            if self.confirmers.len() < MAX_CONFIRMERS || self.confirmers.contains_key(&membership) {
                self.confirmers.insert(membership, now);
            }
        }
        // Two members of one coalition.
        let mut by_coalition: BTreeMap<&CoalitionId, BTreeSet<&MemberId>> = BTreeMap::new();
        for (c, m) in self.confirmers.keys() {
            by_coalition.entry(c).or_default().insert(m);
        }
        if by_coalition.values().any(|members| members.len() >= 2) {
            self.public_at = Some(now);
        }
    }

    /// Whether the operator announced `addr`.
    fn is_announced(&self, addr: &Multiaddr) -> bool {
        let bare = super::drive::without_p2p(addr.clone());
        self.announced
            .iter()
            .any(|a| super::drive::without_p2p(a.clone()) == bare)
    }

    /// What is assumed of reaching this node, after any AutoNAT event (AutoNAT reports no
    /// change from one public address to another, so its status is read again each time);
    /// returns the confirmed external addresses to forget when it is no longer public
    /// (AutoNAT never expires them itself). A dial-back at a private address (a member on
    /// the same LAN) does not make this node public: members elsewhere still cannot reach
    /// it. One at an address of its own does for [`PUBLIC_FOR`], unless AutoNAT turns to
    /// `private` (dial-backs failing again and again).
    pub(super) fn nat(&mut self, status: &libp2p::autonat::NatStatus) -> Vec<Multiaddr> {
        use libp2p::autonat::NatStatus;
        let recent = self.public_at.is_some_and(|t| t.elapsed() < PUBLIC_FOR);
        let now = match status {
            NatStatus::Public(_) | NatStatus::Unknown if recent => Reachability::Public,
            // One member's word for an address not announced: not yet.
            NatStatus::Public(addr) if self.own(addr) => Reachability::Unknown,
            NatStatus::Public(_) => Reachability::Private,
            NatStatus::Private => {
                self.public_at = None;
                Reachability::Private
            }
            NatStatus::Unknown => Reachability::Unknown,
        };
        if now == self.reachability() {
            return Vec::new();
        }
        match (now, status) {
            (Reachability::Public, _) => {
                tracing::info!("reachable from outside: a member's node dialed this node back");
            }
            (Reachability::Private, NatStatus::Public(addr)) => {
                tracing::info!(%addr, "reachable on the local network only");
            }
            (Reachability::Private, _) => tracing::info!(
                "not reachable from outside (behind a NAT or firewall): member nodes could not dial this node back"
            ),
            (Reachability::Unknown, _) => {}
        }
        let mut external = Vec::new();
        self.shared.update(|v| {
            v.reachability = now;
            if now != Reachability::Public {
                external = v.external.clone();
            }
        });
        external.retain(|a| !self.is_announced(a));
        external
    }

    /// Whether `addr` is one of this node's own from outside: announced, or a public IP
    /// address reached without a relay.
    fn own(&self, addr: &Multiaddr) -> bool {
        self.is_announced(addr) || (direct_ip(addr) && public_ip(addr))
    }

    /// Keeps the member nodes connected directly as the only ones asked to dial this node
    /// back.
    pub(super) fn update_servers(&mut self, autonat: &mut libp2p::autonat::Behaviour) {
        let wanted: HashSet<PeerId> = self
            .conns
            .iter()
            .filter(|(p, c)| {
                self.shared.is_member(p) && c.values().any(|(relay, ..)| relay.is_none())
            })
            .map(|(p, _)| *p)
            .collect();
        if wanted == self.servers {
            return;
        }
        for gone in self.servers.difference(&wanted) {
            autonat.remove_server(gone);
        }
        for new in wanted.difference(&self.servers) {
            autonat.add_server(*new, None);
        }
        self.servers = wanted;
    }

    fn reachability(&self) -> Reachability {
        self.shared
            .view
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reachability
    }

    /// An external address was confirmed, or expired; returns whether this node has an
    /// external address of its own now. Only its own count (see [`Reach::own`]): a relayed
    /// one, which the relay client confirms as soon as it holds a slot, or a private one a
    /// member on the LAN confirmed, is no such thing.
    pub(super) fn external(&mut self, addr: Multiaddr, confirmed: bool) -> bool {
        let own = self.own(&addr);
        let mut any = false;
        self.shared.update(|v| {
            v.external.retain(|a| *a != addr);
            if confirmed && own && v.external.len() < MAX_OWN {
                v.external.push(addr);
            }
            any = !v.external.is_empty();
        });
        any
    }

    /// A member node was given a relay slot on this node (`true`), or no longer holds one
    /// (it disconnected, or its reservation ran out): it is in [`NetView::relaying_for`]
    /// while it holds one.
    pub(super) fn slot_held(&mut self, peer: PeerId, held: bool) {
        let Some(key) = super::node_key(&peer) else {
            return;
        };
        self.shared.update(|v| {
            if held {
                v.relaying_for.insert(key);
            } else {
                v.relaying_for.remove(&key);
            }
        });
    }

    /// Tells the view which relays this node holds a slot on.
    fn tell_relays(&self) {
        let relays: BTreeSet<NodeKey> = self
            .reserved
            .values()
            .filter_map(|(r, _)| super::node_key(r))
            .collect();
        self.shared.update(|v| v.relays = relays);
    }

    /// Whether an address a dial-back confirmed is to be kept: AutoNAT confirms every address
    /// a member dialed back at, even while the status it keeps stays `private` (or a LAN
    /// member's answer left this node private); such a public address is not this node's
    /// while it is not `public`, unless the operator announced it.
    pub(super) fn keeps_confirmed(&self, addr: &Multiaddr) -> bool {
        self.is_announced(addr)
            || !(direct_ip(addr) && public_ip(addr))
            || self.reachability() == Reachability::Public
    }

    /// Whether the relay service is offered now.
    pub(super) fn relaying(&mut self, on: bool) {
        let was = self.shared.view().relaying;
        if was != on {
            tracing::info!(relaying = on, "relay service for member nodes");
        }
        self.shared.update(|v| v.relaying = on);
    }

    /// A listener has a new address: if it is a reservation, the relay holds a slot, and
    /// this node is reachable at the relayed address it built (one per relay).
    pub(super) fn listening(&mut self, listener: ListenerId, _reported: &Multiaddr) {
        let Some((relay, addr)) = self.reserved.get(&listener).cloned() else {
            return;
        };
        tracing::info!(%relay, %addr, "reachable through a member's relay");
        self.shared.update(|v| {
            if !v.relayed.contains(&addr) && v.relayed.len() < MAX_RELAYS {
                v.relayed.push(addr);
            }
        });
    }

    /// A listener's addresses are gone (`closed`: the listener closed, with why, if it
    /// failed): a reservation ended.
    pub(super) fn unlistening(
        &mut self,
        listener: ListenerId,
        addrs: &[Multiaddr],
        closed: Option<Option<String>>,
    ) {
        let Some((relay, addr)) = self.reserved.get(&listener).cloned() else {
            return;
        };
        if !addrs.is_empty() || closed.is_some() {
            self.shared.update(|v| v.relayed.retain(|a| *a != addr));
        }
        let Some(why) = closed else {
            return;
        };
        self.reserved.remove(&listener);
        self.tell_relays();
        match why {
            Some(why) => tracing::warn!(%relay, reason = %why, "a relay reservation ended"),
            None => tracing::info!(%relay, "a relay reservation ended"),
        }
        self.retry.insert(relay, Instant::now() + RELAY_RETRY);
    }

    /// Reserves slots on member relays while this node is not public (up to [`MAX_RELAYS`]),
    /// and gives them up once it is.
    pub(super) fn reserve<B: libp2p::swarm::NetworkBehaviour>(
        &mut self,
        swarm: &mut libp2p::Swarm<B>,
    ) {
        let now = Instant::now();
        let wanted = match self.reachability() {
            Reachability::Public => false,
            Reachability::Private => true,
            Reachability::Unknown => now.duration_since(self.started) >= UNKNOWN_GRACE,
        };
        if !wanted {
            for (listener, (relay, _)) in self.reserved.drain() {
                tracing::info!(%relay, "public now: giving up a relay reservation");
                swarm.remove_listener(listener);
            }
            self.shared.update(|v| v.relayed.clear());
            self.tell_relays();
            return;
        }
        self.retry.retain(|_, at| *at > now);
        let mut candidates: Vec<(PeerId, Multiaddr)> = self
            .offering
            .iter()
            .filter(|(peer, _)| {
                self.shared.is_member(peer)
                    && !self.reserved.values().any(|(r, _)| r == *peer)
                    && !self.retry.contains_key(*peer)
                    && self
                        .conns
                        .get(*peer)
                        .is_some_and(|c| c.values().any(|(r, ..)| r.is_none()))
            })
            .map(|(p, a)| (*p, a.clone()))
            .collect();
        candidates.sort();
        for (relay, addr) in candidates {
            if self.reserved.len() >= MAX_RELAYS {
                break;
            }
            let circuit = addr
                .with(libp2p::multiaddr::Protocol::P2p(relay))
                .with(libp2p::multiaddr::Protocol::P2pCircuit);
            match swarm.listen_on(circuit.clone()) {
                Ok(listener) => {
                    tracing::info!(%relay, "asking a member's node for a relay reservation");
                    let named = circuit
                        .clone()
                        .with(libp2p::multiaddr::Protocol::P2p(self.me));
                    self.reserved.insert(listener, (relay, named));
                    self.tell_relays();
                }
                Err(e) => {
                    tracing::debug!(%circuit, error = %e, "could not ask for a relay reservation");
                    self.retry.insert(relay, now + RELAY_RETRY);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_of_a_circuit_address_is_the_peer_before_the_circuit() {
        let relay = PeerId::random();
        let me = PeerId::random();
        let a: Multiaddr = format!("/ip4/203.0.113.1/tcp/7421/p2p/{relay}/p2p-circuit/p2p/{me}")
            .parse()
            .unwrap();
        assert_eq!(relay_of(&a), Some(relay));
        let direct: Multiaddr = format!("/ip4/203.0.113.1/tcp/7421/p2p/{me}")
            .parse()
            .unwrap();
        assert_eq!(relay_of(&direct), None);
    }

    #[test]
    fn only_member_nodes_are_members() {
        let shared = Shared::default();
        let key = key();
        let id = super::super::peer_id(&key).unwrap();
        assert!(!shared.is_member(&id));
        shared.set_members([(key, vec![])]);
        assert!(shared.is_member(&id));
        assert!(!shared.is_member(&PeerId::random()));
        shared.set_members([]);
        assert!(!shared.is_member(&id));
    }

    fn addr(s: &str) -> Multiaddr {
        s.parse().unwrap()
    }

    fn key() -> NodeKey {
        NodeKey::from_bytes(
            libp2p::identity::Keypair::generate_ed25519()
                .try_into_ed25519()
                .unwrap()
                .public()
                .to_bytes(),
        )
    }

    #[test]
    fn a_dial_back_on_the_lan_does_not_make_a_node_public_nor_undo_one_from_outside() {
        use libp2p::autonat::NatStatus;
        let shared = std::sync::Arc::new(Shared::default());
        let mut reach = Reach::new(PeerId::random(), shared.clone(), &[]);
        let lan = addr("/ip4/192.168.1.20/tcp/7421");
        let outside = addr("/ip4/203.0.113.7/tcp/40000");
        // A member on the same LAN answers first: reachable there only.
        assert!(reach.nat(&NatStatus::Public(lan.clone())).is_empty());
        assert_eq!(shared.view().reachability, Reachability::Private);
        // Then one elsewhere (AutoNAT reports no change between two public addresses): one
        // member's word is not enough, whatever its nodes and coalitions; two members of one
        // coalition are.
        let (first, second, third) = (key(), key(), key());
        let (c1, c2) = (
            CoalitionId::from_bytes([1; 16]),
            CoalitionId::from_bytes([2; 16]),
        );
        let (m1, m2, m3) = (
            MemberId::from_bytes([1; 16]),
            MemberId::from_bytes([2; 16]),
            MemberId::from_bytes([3; 16]),
        );
        shared.set_members([
            // One member, a node in each coalition, under another member id in the second.
            (first, vec![(c1.clone(), m1)]),
            (second, vec![(c2.clone(), m2)]),
            (third, vec![(c1, m3)]),
        ]);
        let id = |k: &NodeKey| super::super::peer_id(k).unwrap();
        reach.probed(id(&first), &outside);
        reach.probed(id(&second), &outside);
        reach.nat(&NatStatus::Public(outside.clone()));
        assert_ne!(shared.view().reachability, Reachability::Public);
        reach.probed(id(&third), &outside);
        reach.nat(&NatStatus::Public(outside.clone()));
        assert_eq!(shared.view().reachability, Reachability::Public);
        assert!(reach.external(outside.clone(), true));
        // The LAN member answering again does not undo it.
        reach.probed(PeerId::random(), &lan);
        reach.nat(&NatStatus::Public(lan));
        assert_eq!(shared.view().reachability, Reachability::Public);
        // Dial-backs failing again and again do; the confirmed address is forgotten.
        let stale = reach.nat(&NatStatus::Private);
        assert_eq!(shared.view().reachability, Reachability::Private);
        assert_eq!(stale, vec![outside.clone()]);
        assert!(!reach.external(outside, false));
    }

    #[test]
    fn announced_addresses_are_never_forgotten() {
        use libp2p::autonat::NatStatus;
        let shared = std::sync::Arc::new(Shared::default());
        let announced = addr("/dns4/node.example.org/tcp/7421");
        let mut reach = Reach::new(
            PeerId::random(),
            shared.clone(),
            std::slice::from_ref(&announced),
        );
        reach.probed(PeerId::random(), &announced);
        reach.nat(&NatStatus::Public(announced.clone()));
        assert_eq!(shared.view().reachability, Reachability::Public);
        assert!(reach.nat(&NatStatus::Private).is_empty());
        assert_eq!(shared.view().external, vec![announced]);
    }

    #[test]
    fn a_long_reason_is_cut() {
        let long = "x".repeat(1000);
        assert_eq!(reason(&long).chars().count(), MAX_REASON);
        assert_eq!(reason(&"short"), "short");
    }
}
