//! A bare libp2p node with a relay client, for tests that check what a node's relay service
//! grants to whom: the crate's relay tests run it in process, and the namespace tests as the
//! `relay_probe` example inside a namespace (a node that is no member's asks the public
//! member's relay for a slot). Not used by the node itself.
//!
//! The probe takes the node's sync streams and reads nothing from them: a node disconnects a
//! peer that refuses its sync protocol at once, and one that never greets after
//! `core::STRANGER_GRACE`, so the relay answers before either.

// libp2p's derive makes an event enum whose variants it leaves undocumented.
#![allow(missing_docs)]

use std::time::Duration;

use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, PeerId, identity, noise, relay, tcp, yamux};

/// The probe's behaviour: a relay client, and the node's sync protocol, taken and drained.
#[derive(NetworkBehaviour)]
#[allow(missing_debug_implementations)] // libp2p's behaviours are not Debug
pub struct Probe {
    /// The relay client.
    pub relay: relay::client::Behaviour,
    stream: libp2p_stream::Behaviour,
}

/// A probe's swarm.
pub type ProbeSwarm = libp2p::Swarm<Probe>;

/// Whether `event` is the relay granting the reservation asked for.
fn reserved(event: &SwarmEvent<ProbeEvent>) -> bool {
    matches!(
        event,
        SwarmEvent::Behaviour(ProbeEvent::Relay(
            relay::client::Event::ReservationReqAccepted { .. }
        ))
    )
}

/// How long a probe waits for the relay's answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// A bare node with `key` and a relay client, over TCP (within a Tokio runtime: the sync
/// streams it takes are drained by a task).
///
/// # Errors
/// When libp2p cannot set up the transport.
pub fn client(
    key: identity::Keypair,
) -> Result<ProbeSwarm, Box<dyn std::error::Error + Send + Sync>> {
    let swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )?
        .with_relay_client(noise::Config::new, yamux::Config::default)?
        .with_behaviour(|_, relay| Probe {
            relay,
            stream: libp2p_stream::Behaviour::new(),
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build();
    let mut incoming = swarm
        .behaviour()
        .stream
        .new_control()
        .accept(crate::swarm::PROTOCOL)?;
    tokio::spawn(async move {
        while let Some((_, mut stream)) = incoming.next().await {
            tokio::spawn(async move {
                let mut sink = [0u8; 4096];
                while futures::AsyncReadExt::read(&mut stream, &mut sink)
                    .await
                    .is_ok_and(|n| n > 0)
                {}
            });
        }
    });
    Ok(swarm)
}

/// `swarm` asks `relay` (its address with `/p2p/`) for a reservation: `Ok` once granted, or
/// why not (a refusal for not being a member's node reads
/// `Reservation(ResourceLimitExceeded)`), within [`PROBE_TIMEOUT`].
///
/// # Errors
/// The refusal, the failure to reach the relay, or `no answer`.
pub async fn reserve_with(swarm: &mut ProbeSwarm, relay: &Multiaddr) -> Result<(), String> {
    swarm
        .listen_on(relay.clone().with(Protocol::P2pCircuit))
        .map_err(|e| e.to_string())?;
    let outcome = async {
        // Why the relay's connection closed, if it did first.
        let mut closed = None;
        loop {
            match swarm.select_next_some().await {
                e if reserved(&e) => return Ok(()),
                SwarmEvent::ConnectionClosed { cause, .. } => {
                    closed = Some(cause.map_or("closed by this side".into(), |c| c.to_string()));
                }
                SwarmEvent::ListenerClosed { reason, .. } => {
                    return Err(match (reason.err(), &closed) {
                        (Some(e), _) => format!("{e:?}"),
                        (None, Some(c)) => format!("connection ended: {c}"),
                        (None, None) => "listener closed".into(),
                    });
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(PROBE_TIMEOUT, outcome)
        .await
        .unwrap_or_else(|_| Err("no answer".into()))
}

/// Dials `target` through `relay` from a bare node with `key`: `Ok` once a connection came
/// up, within [`PROBE_TIMEOUT`].
///
/// # Errors
/// Why the dial failed, or `no answer`.
pub async fn dial_through(
    key: identity::Keypair,
    relay: &Multiaddr,
    target: PeerId,
) -> Result<(), String> {
    let mut swarm = client(key).map_err(|e| e.to_string())?;
    swarm
        .dial(
            relay
                .clone()
                .with(Protocol::P2pCircuit)
                .with(Protocol::P2p(target)),
        )
        .map_err(|e| e.to_string())?;
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
    tokio::time::timeout(PROBE_TIMEOUT, outcome)
        .await
        .unwrap_or_else(|_| Err("no answer".into()))
}
