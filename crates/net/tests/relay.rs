//! The relay service serves member nodes only: a node whose key is no member's in force of a
//! coalition held here is refused a reservation (libp2p tells it as a resource limit: the
//! refusal is the membership check, which runs as the relay's rate limiter), one whose key is
//! gets it in the same setting. Real libp2p over
//! TCP on loopback: the node's own network side, and a bare relay client for the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, identity, noise, relay, tcp, yamux};
use model::NodeKey;
use net::swarm::{NetConfig, RelayLimits, Shared};
use tokio::sync::mpsc;

/// A free TCP port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a node relaying for `shared`'s members, announcing its loopback address (so that
/// it offers the service); returns where to reach it.
async fn relay_node(
    shared: Arc<Shared>,
) -> (
    Multiaddr,
    mpsc::Receiver<net::core::Event>,
    mpsc::Sender<net::core::Outgoing>,
) {
    let port = free_port();
    let addr: Multiaddr = format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap();
    let (events_tx, events_rx) = mpsc::channel(1024);
    let (out_tx, out_rx) = mpsc::channel(16);
    let secret = [7u8; 32];
    let config = NetConfig {
        secret,
        listen: vec![addr.clone()],
        external: vec![addr.clone()],
        mdns: false,
        bootstrap: vec![],
        keep: vec![],
        frames_per_second: std::num::NonZeroU32::new(100).unwrap(),
        max_connections: 64,
        max_connections_per_peer: 8,
        max_frame: sync::wire::MAX_FRAME,
        relay: Some(RelayLimits::default()),
        shared,
    };
    net::swarm::start(config, events_tx, out_rx).await.unwrap();
    let key = identity::Keypair::ed25519_from_bytes(secret).unwrap();
    (
        addr.with(Protocol::P2p(key.public().to_peer_id())),
        events_rx,
        out_tx,
    )
}

/// A bare node with a relay client.
fn client(key: identity::Keypair) -> libp2p::Swarm<relay::client::Behaviour> {
    libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .unwrap()
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .unwrap()
        .with_behaviour(|_, client| client)
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build()
}

/// A bare node that asks `relay` for a reservation; whether it got one.
async fn reserve(key: identity::Keypair, relay: &Multiaddr) -> Result<(), String> {
    reserve_with(&mut client(key), relay).await
}

/// `swarm` asks `relay` for a reservation; whether it got one.
async fn reserve_with(
    swarm: &mut libp2p::Swarm<relay::client::Behaviour>,
    relay: &Multiaddr,
) -> Result<(), String> {
    swarm
        .listen_on(relay.clone().with(Protocol::P2pCircuit))
        .unwrap();
    let outcome = async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::Behaviour(relay::client::Event::ReservationReqAccepted { .. }) => {
                    return Ok(());
                }
                SwarmEvent::ListenerClosed { reason, .. } => {
                    return Err(format!("{:?}", reason.err()));
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), outcome)
        .await
        .unwrap_or_else(|_| Err("no answer".into()))
}

fn node_key(key: &identity::Keypair) -> NodeKey {
    let ed = key.clone().try_into_ed25519().unwrap();
    NodeKey::from_bytes(ed.public().to_bytes())
}

#[tokio::test]
async fn a_node_that_is_no_members_is_refused_a_relay_slot_and_a_members_gets_one() {
    let shared = Arc::new(Shared::default());
    let member = identity::Keypair::generate_ed25519();
    let stranger = identity::Keypair::generate_ed25519();
    shared.set_members([node_key(&member)]);
    let (relay, _events, _frames) = relay_node(shared.clone()).await;

    let refused = reserve(stranger, &relay).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("Reservation(ResourceLimitExceeded)")),
        "a stranger got a relay slot, or was not told no: {refused:?}"
    );
    reserve(member.clone(), &relay)
        .await
        .expect("a member's node is refused a relay slot");

    // A member removed (the core tells the network side at its next tick) is refused too.
    shared.set_members([]);
    let refused = reserve(member, &relay).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("Reservation(ResourceLimitExceeded)")),
        "{refused:?}"
    );
}

/// Dials `target` through `relay` from a bare node with `key`; whether a connection came up.
async fn dial_through(
    key: identity::Keypair,
    relay: &Multiaddr,
    target: PeerId,
) -> Result<(), String> {
    let mut swarm = client(key);
    swarm
        .dial(
            relay
                .clone()
                .with(Protocol::P2pCircuit)
                .with(Protocol::P2p(target)),
        )
        .unwrap();
    let outcome = async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::ConnectionEstablished { peer_id, .. } if peer_id == target => {
                    return Ok(());
                }
                SwarmEvent::OutgoingConnectionError { error, .. } => {
                    return Err(error.to_string());
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), outcome)
        .await
        .unwrap_or_else(|_| Err("no answer".into()))
}

/// A member's node holding a slot is reached through the relay by another member's node,
/// never by a stranger's.
#[tokio::test]
async fn only_member_nodes_open_connections_through_the_relay() {
    let shared = Arc::new(Shared::default());
    let (held, member, stranger) = (
        identity::Keypair::generate_ed25519(),
        identity::Keypair::generate_ed25519(),
        identity::Keypair::generate_ed25519(),
    );
    shared.set_members([node_key(&held), node_key(&member)]);
    let (relay, _events, _frames) = relay_node(shared.clone()).await;
    let target = held.public().to_peer_id();
    let mut holder = client(held);
    reserve_with(&mut holder, &relay).await.unwrap();
    // The holder keeps running, accepting what the relay brings it.
    tokio::spawn(async move {
        loop {
            holder.select_next_some().await;
        }
    });
    let refused = dial_through(stranger, &relay, target).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("resource limit exceeded")),
        "a stranger reached a member's node through the relay, or was not told no: {refused:?}"
    );
    dial_through(member, &relay, target)
        .await
        .expect("a member's node cannot reach another through the relay");
}
