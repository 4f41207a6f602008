//! libp2p: transports (TCP with Noise and Yamux, QUIC, circuits through relays), discovery
//! (mDNS, identify, addresses from invites and configuration), reaching across NATs (AutoNAT,
//! a relay service for member nodes, relay slots, DCUtR hole punching: `reach`), and the sync
//! stream protocol.
//!
//! One task owns the [`Swarm`]; frames to and from peers travel over one ordered stream per
//! direction and peer (`/coalesce/sync/1`), each frame a 4-byte big-endian length and the bytes.
//!
//! Redials back off up to [`MAX_BACKOFF`]; peers found by mDNS are kept among those redialed.
//! Redial targets are bounded ([`MAX_DIAL_TARGETS`], for every source: bootstrap and remembered
//! peers, mDNS, the core's `Dial`); addresses a member node named for itself are dialed once
//! ([`Command::DialOnce`]), never kept for redial. Bootstrap addresses are handed to the swarm task
//! itself, not through its command channel (which it alone reads).
//!
//! Neither a peer's writer task nor the core ever waits on the swarm task (which waits on the
//! core): what does not fit its channel is kept and handed over shortly after, so core, writer and
//! swarm cannot deadlock. Per-peer rate limits (`governor`, keyed by node key, shared by all a
//! peer's streams): frames reach the core at most at `--peer-frames-per-second`
//! ([`FRAMES_PER_SECOND`] by default, bursts of twice that) and [`KIB_PER_SECOND`]; a peer over its
//! limit is slowed, not cut off: its reader waits, transport flow control holds the peer back, and
//! every other peer's frames keep reaching the core. Connection limits (`connection_limits`,
//! `--max-connections`, `--max-connections-per-peer`) refuse connections beyond them, pending
//! handshakes included; the sync state machine refuses a message, whole or reassembled, above
//! `--max-message-bytes` (between `sync::wire::MIN_MESSAGE_LIMIT` and `sync::wire::MAX_MESSAGE`).

mod drive;
mod reach;
mod streams;

pub use drive::*;
pub use reach::*;
pub use streams::*;

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::time::Duration;

use futures::StreamExt;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use libp2p::identity::{Keypair, PublicKey};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, autonat, connection_limits, dcutr, identify, mdns,
    noise, relay, tcp, yamux,
};
use model::NodeKey;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use crate::core::{Event, Outgoing};

/// The sync protocol's stream name.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/coalesce/sync/1");
/// Longest wait between redials of a peer that stays unreachable.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Frames queued for one peer before it is considered too slow and disconnected.
pub const PEER_QUEUE: usize = 512;
/// Frames one peer may hand the core per second, on average, by default.
pub const FRAMES_PER_SECOND: u32 = 500;
/// KiB one peer may hand the core per second, on average and at once (at least one largest
/// frame, so that a frame within the size limit always gets through in time).
pub const KIB_PER_SECOND: u32 = 64 * 1024;

/// Per-peer rate limits on what reaches the core, shared by all of a peer's streams. A peer
/// over its limit is slowed down, not cut off: its reader waits, so the transport's flow
/// control holds the peer back while every other peer's frames keep reaching the core.
#[derive(Debug)]
struct PeerLimits {
    frames: governor::DefaultKeyedRateLimiter<NodeKey>,
    kib: governor::DefaultKeyedRateLimiter<NodeKey>,
}

impl PeerLimits {
    /// Limits of `frames_per_second` on average, with bursts of twice that.
    fn new(frames_per_second: NonZeroU32) -> Self {
        use governor::Quota;
        let burst = frames_per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1));
        let kib = NonZeroU32::new(KIB_PER_SECOND).unwrap_or(NonZeroU32::MAX);
        Self {
            frames: governor::RateLimiter::keyed(
                Quota::per_second(frames_per_second).allow_burst(burst),
            ),
            kib: governor::RateLimiter::keyed(Quota::per_second(kib)),
        }
    }

    /// Waits until `peer` may hand the core a frame of `len` bytes; returns whether it had to.
    async fn admit(&self, peer: &NodeKey, len: usize) -> bool {
        let kib = u32::try_from(len.div_ceil(1024))
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MIN);
        let mut waited = false;
        if self.frames.check_key(peer).is_err() {
            waited = true;
            self.frames.until_key_ready(peer).await;
        }
        if !matches!(self.kib.check_key_n(peer, kib), Ok(Ok(_))) {
            waited = true;
            // A frame above the burst cannot occur: frames are at most MAX_FRAME (32 MiB).
            let _ = self.kib.until_key_n_ready(peer, kib).await;
        }
        waited
    }
}

/// The network side could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The node key could not be used as a libp2p identity.
    #[error("the node key cannot be used for libp2p: {0}")]
    Key(String),
    /// A transport could not be set up.
    #[error("could not set up the network transports: {0}")]
    Transport(String),
    /// An address could not be listened on.
    #[error("could not listen on {addr}: {detail}")]
    Listen {
        /// The address.
        addr: Multiaddr,
        /// Why.
        detail: String,
    },
}

/// What the network side is configured with.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// The node key's secret bytes (the libp2p identity is the same Ed25519 key).
    pub secret: [u8; 32],
    /// Addresses to listen on.
    pub listen: Vec<Multiaddr>,
    /// Addresses other machines reach this node at that it cannot see itself (the operator's
    /// `--announce`: a public address, a forwarded port): told to peers through identify.
    pub external: Vec<Multiaddr>,
    /// Whether to discover peers on the local network with mDNS.
    pub mdns: bool,
    /// Peers to dial at start and keep redialing (configured ones and those remembered).
    pub bootstrap: Vec<Multiaddr>,
    /// The operator's own bootstrap peers among them (`--bootstrap`): kept connected even
    /// while they share nothing with this node (never let go as strangers).
    pub keep: Vec<Multiaddr>,
    /// Frames one peer may hand the core per second on average (bursts of twice that); a
    /// peer sending faster is slowed down.
    pub frames_per_second: NonZeroU32,
    /// Connections established at once, in and out; more are refused.
    pub max_connections: u32,
    /// Connections established at once with one peer.
    pub max_connections_per_peer: u32,
    /// Largest frame taken from a peer: the node's message limit (plus a frame's own
    /// overhead), at most the protocol's [`sync::wire::MAX_FRAME`]. A larger announced
    /// length closes the stream before anything is read or allocated.
    pub max_frame: usize,
    /// The relay service's limits; `None` when this node relays for nobody (`--no-relay`).
    pub relay: Option<RelayLimits>,
    /// Shared with the core: the member nodes relayed for, and what the network side learns.
    pub shared: std::sync::Arc<Shared>,
}

/// What a frame carries beside a message of the node's limit (version byte, encoding).
pub const FRAME_OVERHEAD: usize = 64 * 1024;

/// The frame limit for a node taking messages of at most `max_message` bytes.
pub fn frame_limit(max_message: usize) -> usize {
    max_message
        .saturating_add(FRAME_OVERHEAD)
        .min(sync::wire::MAX_FRAME)
}

/// Default for [`NetConfig::max_connections`].
pub const MAX_CONNECTIONS: u32 = 256;
/// Default for [`NetConfig::max_connections_per_peer`]: a peer reachable over TCP and QUIC,
/// dialing while dialed, can briefly hold a few.
pub const MAX_CONNECTIONS_PER_PEER: u32 = 8;

#[derive(NetworkBehaviour)]
struct Behaviour {
    limits: connection_limits::Behaviour,
    stream: libp2p_stream::Behaviour,
    identify: identify::Behaviour,
    mdns: Toggle<mdns::tokio::Behaviour>,
    /// Whether this node can be dialed from outside: asks connected peers (in either
    /// direction) to dial it back, and dials back those that ask, at the address they were
    /// seen at only (AutoNAT).
    reach: autonat::Behaviour,
    /// The relay service, for member nodes only (off with `--no-relay`).
    relay: Toggle<relay::Behaviour>,
    /// Reservations on relays and connections through them.
    relayed: relay::client::Behaviour,
    /// Upgrades relayed connections to direct ones by hole punching.
    punch: dcutr::Behaviour,
}

/// The node key of a peer id (Coalesce peers are Ed25519 keys, inlined in their peer ids).
pub fn node_key(peer: &PeerId) -> Option<NodeKey> {
    let mh: &libp2p::multihash::Multihash<64> = peer.as_ref();
    if mh.code() != 0 {
        return None;
    }
    let pk = PublicKey::try_decode_protobuf(mh.digest()).ok()?;
    Some(NodeKey::from_bytes(pk.try_into_ed25519().ok()?.to_bytes()))
}

/// The peer id of a node key.
pub fn peer_id(key: &NodeKey) -> Option<PeerId> {
    let ed = libp2p::identity::ed25519::PublicKey::try_from_bytes(key.as_bytes()).ok()?;
    Some(PeerId::from_public_key(&PublicKey::from(ed)))
}

/// `addr` ending in `peer`'s id, once: any peer id it names (a peer's own announcement may
/// name any) is dropped first.
pub fn with_peer(addr: Multiaddr, peer: PeerId) -> Multiaddr {
    use libp2p::multiaddr::Protocol;
    let bare: Multiaddr = addr
        .iter()
        .filter(|p| !matches!(p, Protocol::P2p(_)))
        .collect();
    bare.with(Protocol::P2p(peer))
}

/// Commands to the swarm task.
#[derive(Debug)]
pub enum Command {
    /// Dial an address (and keep redialing it with backoff while disconnected, as long as
    /// there is room among the [`MAX_DIAL_TARGETS`]).
    Dial(Multiaddr),
    /// Dial an address once (one a member node named for itself: a member must not be able
    /// to make every node redial a host of its choosing forever).
    DialOnce(Multiaddr),
    /// Close every connection to a peer.
    Disconnect(NodeKey),
    /// A peer shares nothing with this node, or is a member node let go to keep the peer
    /// set bounded (`core::peerset`, whose address the core keeps): close its connections
    /// (unless `false`: it is gone already, and a new connection must not be cut), stop
    /// redialing it, and leave its mDNS announcements alone for [`STRANGER_QUIET`]. It may still connect, and dials
    /// asked for by the core (a join, a member's address) still reach it.
    Stranger(NodeKey, bool),
    /// Whether every coalition has the peer set's bound of peers connected: while it does,
    /// only peers reached at a `--bootstrap` address are redialed (`core::peerset`).
    Enough(bool),
    /// This node joins through a peer: if it was left alone as a stranger, no more, and it is
    /// dialed at the addresses the LAN announced for it.
    Welcome(NodeKey),
}

/// How long a node found to share nothing is not dialed again when the LAN announces it.
pub const STRANGER_QUIET: Duration = Duration::from_secs(600);
/// Most strangers kept quiet at once (the oldest are dropped first).
pub const MAX_QUIET: usize = 256;
/// How often the network side gives the core a [`crate::core::Event::Tick`].
pub const TICK: Duration = Duration::from_secs(2);

/// A handle to the running network side.
#[derive(Debug, Clone)]
pub struct Handle {
    commands: mpsc::Sender<Command>,
}

impl Handle {
    /// The channel for commands to the swarm.
    pub fn sender(&self) -> mpsc::Sender<Command> {
        self.commands.clone()
    }

    /// Asks the swarm to dial `addr` and keep it connected.
    pub async fn dial(&self, addr: Multiaddr) {
        let _ = self.commands.send(Command::Dial(addr)).await;
    }
}

/// Starts the network side: returns the addresses it listens on and a handle, and spawns the
/// tasks that carry frames between peers and the core.
pub async fn start(
    config: NetConfig,
    to_core: mpsc::Sender<Event>,
    from_core: mpsc::Receiver<Outgoing>,
) -> Result<(Vec<Multiaddr>, Handle), NetError> {
    let keypair =
        Keypair::ed25519_from_bytes(config.secret).map_err(|e| NetError::Key(e.to_string()))?;
    let public = keypair.public();
    let me = public.to_peer_id();
    let use_mdns = config.mdns;
    let relay_limits = config.relay;
    let shared = config.shared.clone();
    let limits = connection_limits::ConnectionLimits::default()
        .with_max_established(Some(config.max_connections))
        .with_max_established_per_peer(Some(config.max_connections_per_peer))
        // Connections being set up (handshakes) cost work before the peer is known: bound them
        // by the same figure.
        .with_max_pending_incoming(Some(config.max_connections));
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| NetError::Transport(e.to_string()))?
        .with_quic()
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(|e| NetError::Transport(e.to_string()))?
        .with_behaviour(|key, relayed| {
            let mdns = if use_mdns {
                mdns::tokio::Behaviour::new(mdns::Config::default(), key.public().to_peer_id()).ok()
            } else {
                None
            };
            Behaviour {
                limits: connection_limits::Behaviour::new(limits),
                stream: libp2p_stream::Behaviour::new(),
                identify: identify::Behaviour::new(identify::Config::new(
                    "/coalesce/1".into(),
                    public.clone(),
                )),
                mdns: Toggle::from(mdns),
                reach: autonat::Behaviour::new(me, reach_config()),
                relay: Toggle::from(
                    relay_limits.map(|l| relay::Behaviour::new(me, relay_config(l, &shared))),
                ),
                relayed,
                punch: dcutr::Behaviour::new(me),
            }
        })
        .map_err(|e| NetError::Transport(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build();
    for addr in &config.listen {
        port_free(addr)?;
    }
    for addr in &config.external {
        swarm.add_external_address(addr.clone());
    }
    // Streams peers open as soon as they connect are taken from the start.
    let control = swarm.behaviour().stream.new_control();
    let mut incoming = control
        .clone()
        .accept(PROTOCOL)
        .map_err(|_| NetError::Transport("the sync protocol is already registered".into()))?;
    let mut listeners = HashSet::new();
    for addr in &config.listen {
        let id = swarm
            .listen_on(addr.clone())
            .map_err(|e| NetError::Listen {
                addr: addr.clone(),
                detail: e.to_string(),
            })?;
        listeners.insert(id);
    }
    // Wait for every listener to report its real addresses (port 0 picks a free port; an
    // unspecified address reports one per interface, one event each), then a moment more for
    // the rest of them. Other events are kept for the swarm task, in order.
    let mut listening = Vec::new();
    let mut early: Vec<Multiaddr> = Vec::new();
    let mut stashed: std::collections::VecDeque<SwarmEvent<BehaviourEvent>> = Default::default();
    // With nothing to listen on, nothing to wait for.
    let mut until: Option<tokio::time::Instant> =
        listeners.is_empty().then(tokio::time::Instant::now);
    loop {
        let event = match until {
            None => swarm.select_next_some().await,
            Some(t) => match tokio::time::timeout_at(t, swarm.select_next_some()).await {
                Ok(event) => event,
                Err(_) => break,
            },
        };
        match event {
            SwarmEvent::NewListenAddr {
                listener_id,
                address,
            } => {
                info!(%address, "listening");
                listening.push(address);
                listeners.remove(&listener_id);
                if listeners.is_empty() && until.is_none() {
                    until = Some(tokio::time::Instant::now() + LISTEN_SETTLE);
                }
            }
            SwarmEvent::ListenerError { error, .. } => {
                return Err(NetError::Transport(error.to_string()));
            }
            // Peers found on the LAN while starting: dial them now (mDNS asks again only
            // every few minutes).
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                early.extend(
                    found
                        .into_iter()
                        .map(|(peer, addr)| addr.with_p2p(peer).unwrap_or_else(|a| a)),
                );
            }
            SwarmEvent::ListenerClosed {
                addresses, reason, ..
            } => {
                let detail = reason
                    .err()
                    .map_or_else(|| "closed".into(), |e| e.to_string());
                return Err(NetError::Listen {
                    addr: addresses.first().cloned().unwrap_or(Multiaddr::empty()),
                    detail,
                });
            }
            // A peer connecting already: the swarm task tells the core.
            // Connections opening and closing are always kept: the core must know them (bounded
            // by the connection limits within the short settle window).
            other @ (SwarmEvent::ConnectionEstablished { .. }
            | SwarmEvent::ConnectionClosed { .. }) => stashed.push_back(other),
            other => {
                if stashed.len() < MAX_STASHED {
                    stashed.push_back(other);
                }
            }
        }
    }
    let (commands_tx, commands_rx) = mpsc::channel(64);
    let handle = Handle {
        commands: commands_tx.clone(),
    };

    // Inbound streams: one reader task per stream, frames to the core within each peer's
    // rate limits.
    let core = to_core.clone();
    let limits = std::sync::Arc::new(PeerLimits::new(config.frames_per_second));
    let max_frame = config.max_frame.min(sync::wire::MAX_FRAME);
    tokio::spawn(async move {
        while let Some((peer, stream)) = incoming.next().await {
            let Some(key) = node_key(&peer) else { continue };
            tokio::spawn(read_frames(
                key,
                stream,
                core.clone(),
                limits.clone(),
                max_frame,
            ));
        }
    });

    // Outbound: one writer task and queue per peer.
    tokio::spawn(write_frames(control, from_core, commands_tx));

    // The swarm task dials these itself: sent as commands before it runs, more than the
    // channel holds would wait forever.
    let first: Vec<Multiaddr> = config.bootstrap.into_iter().chain(early).collect();
    let keep_ids: Vec<PeerId> = config
        .keep
        .iter()
        .filter_map(|a| {
            a.iter().find_map(|p| match p {
                libp2p::multiaddr::Protocol::P2p(id) => Some(id),
                _ => None,
            })
        })
        .collect();
    let keep = config.keep.into_iter().map(without_p2p).collect();
    let mut reach = Reach::new(me, config.shared.clone(), &config.external);
    // Announced addresses are tested like any (identify never offers one already external),
    // and the relay is offered exactly while the node has an address of its own.
    for addr in &config.external {
        swarm.behaviour_mut().reach.probe_address(addr.clone());
    }
    reach.relaying(relay_status(&mut swarm, !config.external.is_empty()));
    tokio::spawn(drive(
        swarm,
        commands_rx,
        to_core,
        stashed,
        first,
        (keep, keep_ids),
        reach,
    ));
    Ok((listening, handle))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer task never waits on the swarm task: with the swarm's command channel full
    /// and nobody reading it, the core can still hand the writer everything (core -> writer
    /// -> swarm -> core cannot deadlock).
    #[tokio::test]
    async fn the_writer_keeps_taking_from_the_core_when_the_swarm_is_busy() {
        let control = libp2p_stream::Behaviour::new().new_control();
        let (to_swarm, _swarm_never_reads) = mpsc::channel(1);
        let (to_writer, from_core) = mpsc::channel(8);
        tokio::spawn(write_frames(control, from_core, to_swarm));
        let all = async {
            for i in 0..500u32 {
                let mut key = [0u8; 32];
                key[..4].copy_from_slice(&i.to_le_bytes());
                to_writer
                    .send(Outgoing::Disconnect(NodeKey::from_bytes(key)))
                    .await
                    .unwrap();
            }
        };
        tokio::time::timeout(Duration::from_secs(10), all)
            .await
            .expect("the writer stopped taking frames from the core");
    }

    /// Beyond its burst, a peer gets no more than its rate: at 20 frames a second with bursts
    /// of 40, 60 frames take at least one second. (A lower bound: a slow machine only makes
    /// it longer, so the test cannot flake.)
    #[tokio::test]
    async fn a_peer_beyond_its_burst_gets_its_rate_and_no_more() {
        let limits = PeerLimits::new(NonZeroU32::new(20).unwrap());
        let peer = NodeKey::from_bytes([1; 32]);
        let other = NodeKey::from_bytes([2; 32]);
        let start = std::time::Instant::now();
        let mut waited = false;
        for _ in 0..60 {
            waited |= limits.admit(&peer, 100).await;
        }
        assert!(waited);
        assert!(
            start.elapsed() >= Duration::from_millis(950),
            "{:?}",
            start.elapsed()
        );
        // Another peer is not held back by the first one's flood.
        assert!(!limits.admit(&other, 100).await);
    }
}
