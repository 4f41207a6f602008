//! The task that owns the swarm: dials, listeners, connections and streams, and the events
//! it hands the core.
//!
//! At start, a TCP or UDP port already in use is refused (`port_free`, binding as libp2p does, IPv6
//! only on an IPv6 address: libp2p listens on TCP with `SO_REUSEPORT`, so two nodes would otherwise
//! share a port); the sync protocol is accepted before listening; the node then waits until every
//! listener reported an address, and `LISTEN_SETTLE` more for the rest (one per interface), keeping
//! every connection event (and up to `MAX_STASHED` others) for the task, which handles those first.

use super::*;

/// Most addresses kept to redial (bootstrap peers, remembered peers, peers found by mDNS).
pub const MAX_DIAL_TARGETS: usize = 256;

/// `addr` without its `/p2p/…` part.
pub(super) fn without_p2p(addr: Multiaddr) -> Multiaddr {
    addr.into_iter()
        .filter(|p| !matches!(p, libp2p::multiaddr::Protocol::P2p(_)))
        .collect()
}

/// The task that owns the swarm.
pub(super) async fn drive(
    mut swarm: Swarm<Behaviour>,
    mut commands: mpsc::Receiver<Command>,
    core: mpsc::Sender<Event>,
    mut stashed: std::collections::VecDeque<SwarmEvent<BehaviourEvent>>,
    first: Vec<Multiaddr>,
    (keep, keep_ids): (HashSet<Multiaddr>, Vec<PeerId>),
    mut reach: Reach,
) {
    // Peers reached at a `--bootstrap` address, or named in one: never let go as strangers
    // (at most `MAX_DIAL_TARGETS`, as the core keeps them).
    let mut kept: HashSet<PeerId> = HashSet::new();
    for id in keep_ids.into_iter().take(MAX_DIAL_TARGETS) {
        if kept.insert(id)
            && let Some(key) = node_key(&id)
        {
            let _ = core.send(Event::Keep(key)).await;
        }
    }
    let mut dial_targets: HashSet<Multiaddr> = HashSet::new();
    for addr in first {
        // Kept for redial while there is room; dialed at least once either way.
        if dial_targets.len() < MAX_DIAL_TARGETS {
            dial_targets.insert(addr.clone());
        }
        let _ = swarm.dial(addr);
    }
    // Peers this node reached by dialing: their address is known already.
    let mut dialed: HashSet<PeerId> = HashSet::new();
    let mut backoff = Duration::from_secs(1);
    let mut redial = tokio::time::interval(Duration::from_secs(1));
    let mut next_redial = tokio::time::Instant::now();
    // Refused connections are logged at most once a minute: a flood must not flood the log.
    let mut last_denied_log: Option<tokio::time::Instant> = None;
    // Strangers whose mDNS announcements are ignored, until when.
    let mut quiet: HashMap<PeerId, tokio::time::Instant> = HashMap::new();
    // Whether every coalition has peers enough: then only bootstrap peers are redialed.
    let mut enough = false;
    let mut tick = tokio::time::interval(TICK);
    loop {
        // Events kept while starting come first.
        let event = if let Some(e) = stashed.pop_front() {
            e
        } else {
            tokio::select! {
                cmd = commands.recv() => { match cmd {
                    None => return,
                    Some(Command::Dial(addr)) => {
                        // Kept among those redialed while there is room.
                        if dial_targets.len() < MAX_DIAL_TARGETS {
                            dial_targets.insert(addr.clone());
                        }
                        if let Err(e) = swarm.dial(addr.clone()) {
                            debug!(%addr, error = %e, "dial failed");
                        }
                    }
                    Some(Command::DialOnce(addr)) => {
                        if let Err(e) = swarm.dial(addr.clone()) {
                            debug!(%addr, error = %e, "dial failed");
                        }
                    }
                    Some(Command::Disconnect(peer)) => {
                        if let Some(id) = peer_id(&peer) {
                            let _ = swarm.disconnect_peer_id(id);
                        }
                    }
                    Some(Command::Stranger(peer, disconnect)) => {
                        if let Some(id) = peer_id(&peer).filter(|id| !kept.contains(id)) {
                            if disconnect {
                                let _ = swarm.disconnect_peer_id(id);
                            }
                            dial_targets.retain(|a| !a.iter().any(|p| p == libp2p::multiaddr::Protocol::P2p(id)));
                            let now = tokio::time::Instant::now();
                            quiet.retain(|_, until| *until > now);
                            if quiet.len() >= MAX_QUIET
                                && let Some(oldest) = quiet.iter().min_by_key(|(_, u)| **u).map(|(p, _)| *p)
                            {
                                quiet.remove(&oldest);
                            }
                            quiet.insert(id, now + STRANGER_QUIET);
                        }
                    }
                    Some(Command::Enough(now)) => enough = now,
                    Some(Command::Welcome(peer)) => {
                        if let Some(id) = peer_id(&peer)
                            && quiet.remove(&id).is_some()
                            && !swarm.is_connected(&id)
                        {
                            // Dialed by its id alone, at the addresses mDNS found for it.
                            if let Err(e) = swarm.dial(id) {
                                debug!(peer = %peer, error = %e, "dial failed");
                            }
                        }
                    }
                } continue; }
                _ = tick.tick() => {
                    // Never waits: a busy core catches up with the next one.
                    let _ = core.try_send(Event::Tick);
                    reach.update_servers(&mut swarm.behaviour_mut().reach);
                    reach.reserve(&mut swarm);
                    // A stranger's quiet time is over: dialed once more at the addresses mDNS
                    // keeps for it (mDNS reports a peer only when it first appears), to learn
                    // whether it shares something now.
                    let now = tokio::time::Instant::now();
                    let over: Vec<PeerId> = quiet
                        .iter()
                        .filter(|(_, until)| **until <= now)
                        .map(|(p, _)| *p)
                        .collect();
                    for id in over {
                        quiet.remove(&id);
                        let announced = swarm
                            .behaviour()
                            .mdns
                            .as_ref()
                            .is_some_and(|m| m.discovered_nodes().any(|p| *p == id));
                        if announced && !swarm.is_connected(&id) {
                            let _ = swarm.dial(id);
                        }
                    }
                    continue;
                }
                _ = redial.tick() => {
                    if tokio::time::Instant::now() >= next_redial && !dial_targets.is_empty() {
                        let mut dialed = false;
                        for addr in &dial_targets {
                            // The peer an address reaches is its last id (the first one of
                            // a relayed address is the relay's).
                            let target = addr.iter().filter_map(|p| match p {
                                libp2p::multiaddr::Protocol::P2p(id) => Some(id),
                                _ => None,
                            }).last();
                            let connected = target.map(|id| swarm.is_connected(&id));
                            // With peers enough, only bootstrap peers are redialed.
                            let wanted = !enough
                                || target.is_none_or(|id| kept.contains(&id))
                                || keep.contains(&without_p2p(addr.clone()));
                            if connected != Some(true) && wanted {
                                let _ = swarm.dial(addr.clone());
                                dialed = true;
                            }
                        }
                        // Back off only while some peer stays unreachable.
                        if dialed {
                            next_redial = tokio::time::Instant::now() + backoff;
                            backoff = (backoff * 2).min(MAX_BACKOFF);
                        } else {
                            backoff = Duration::from_secs(1);
                        }
                    }
                    continue;
                }
                event = swarm.select_next_some() => event,
            }
        };
        match event {
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                num_established,
                endpoint,
                ..
            } => {
                backoff = Duration::from_secs(1);
                reach.connected(peer_id, connection_id, &endpoint);
                // A member connected directly can be asked to dial this node back at once.
                reach.update_servers(&mut swarm.behaviour_mut().reach);
                if let Some(key) = node_key(&peer_id) {
                    if endpoint.is_dialer() {
                        dialed.insert(peer_id);
                        let addr = endpoint.get_remote_address().clone();
                        let addr = if addr
                            .iter()
                            .any(|p| matches!(p, libp2p::multiaddr::Protocol::P2p(_)))
                        {
                            addr
                        } else {
                            addr.with(libp2p::multiaddr::Protocol::P2p(peer_id))
                        };
                        if kept.len() < MAX_DIAL_TARGETS
                            && keep.contains(&without_p2p(addr.clone()))
                            && kept.insert(peer_id)
                        {
                            let _ = core.send(Event::Keep(key)).await;
                        }
                        let _ = core.send(Event::Reached(key, addr.to_string())).await;
                    }
                    if num_established.get() == 1 {
                        debug!(peer = %key, addr = %endpoint.get_remote_address(), "connected");
                        if core.send(Event::Connected(key)).await.is_err() {
                            return;
                        }
                    }
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                cause,
                ..
            } => {
                let relayed = reach.closed(peer_id, connection_id);
                reach.update_servers(&mut swarm.behaviour_mut().reach);
                if num_established > 0 {
                    continue;
                }
                // Try to get back to it right away (then back off if it stays away).
                next_redial = tokio::time::Instant::now();
                // Closed here (on purpose: a stranger, strikes, another version, the peer
                // set), libp2p gives no cause; closed by the other side or the relay, one.
                let on_purpose = cause.is_none();
                if let Some(key) = node_key(&peer_id) {
                    if core.send(Event::Disconnected(key)).await.is_err() {
                        return;
                    }
                    if relayed.is_some()
                        && !on_purpose
                        && core.send(Event::RelayLost(key)).await.is_err()
                    {
                        return;
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                let now = tokio::time::Instant::now();
                for (peer, addr) in found {
                    if quiet.get(&peer).is_some_and(|until| *until > now) {
                        continue;
                    }
                    let addr = addr.with_p2p(peer).unwrap_or_else(|a| a);
                    // Keep it among the peers to redial: it may not be listening yet. A
                    // local network full of announcements cannot grow the list without
                    // bound.
                    if dial_targets.len() < MAX_DIAL_TARGETS {
                        dial_targets.insert(addr.clone());
                    }
                    if !swarm.is_connected(&peer) {
                        let _ = swarm.dial(addr);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => {
                debug!(%peer_id, addrs = info.listen_addrs.len(), "identified peer");
                reach.identified(peer_id, &info);
                reach.reserve(&mut swarm);
                // A peer that dialed this node: remember where it listens (preferring a
                // routable address), so that this node can redial it after a restart or
                // a restore from backup.
                if !dialed.contains(&peer_id)
                    && let Some(key) = node_key(&peer_id)
                    && let Some(addr) = info
                        .listen_addrs
                        .iter()
                        .find(|a| !is_loopback(a))
                        .or_else(|| info.listen_addrs.first())
                {
                    // An address it announces may end in its id already.
                    let addr = super::with_peer(addr.clone(), peer_id);
                    let _ = core.send(Event::Reached(key, addr.to_string())).await;
                }
                // Remember where the peer listens, so that later dials can reach it.
                for addr in info.listen_addrs.into_iter().take(16) {
                    swarm.add_peer_address(peer_id, addr);
                }
            }
            SwarmEvent::NewListenAddr {
                listener_id,
                address,
            } => {
                info!(%address, "listening");
                reach.listening(listener_id, &address);
            }
            SwarmEvent::ExpiredListenAddr {
                listener_id,
                address,
            } => reach.unlistening(listener_id, &[address], None),
            SwarmEvent::ListenerClosed {
                listener_id,
                addresses,
                reason,
            } => reach.unlistening(
                listener_id,
                &addresses,
                Some(reason.err().map(|e| e.to_string())),
            ),
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                debug!(%error, "connection failed");
                if let Some(peer) = peer_id {
                    reach.dial_failed(peer, &error);
                }
            }
            SwarmEvent::ExternalAddrConfirmed { address } => {
                if reach.keeps_confirmed(&address) {
                    debug!(%address, "an external address of this node");
                    let own = reach.external(address, true);
                    reach.relaying(relay_status(&mut swarm, own));
                } else {
                    debug!(%address, "a dial-back reached this node at an address, but it is not reachable from outside: not kept");
                    swarm.remove_external_address(&address);
                }
            }
            SwarmEvent::ExternalAddrExpired { address } => {
                let own = reach.external(address, false);
                reach.relaying(relay_status(&mut swarm, own));
            }
            SwarmEvent::Behaviour(BehaviourEvent::Reach(e)) => {
                if let autonat::Event::OutboundProbe(autonat::OutboundProbeEvent::Response {
                    peer,
                    address,
                    ..
                }) = &e
                {
                    reach.probed(*peer, address);
                }
                let status = swarm.behaviour().reach.nat_status();
                let stale = reach.nat(&status);
                if !stale.is_empty() {
                    let mut own = false;
                    for addr in stale {
                        swarm.remove_external_address(&addr);
                        own = reach.external(addr, false);
                    }
                    reach.relaying(relay_status(&mut swarm, own));
                }
                reach.reserve(&mut swarm);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Relay(e)) => {
                match &e {
                    relay::Event::ReservationReqAccepted {
                        src_peer_id,
                        renewed: false,
                    } => {
                        reach.slot_held(*src_peer_id, true);
                    }
                    // libp2p's relay tells a reservation closed when any connection of the
                    // peer closes, reserved or not: the slot counts as gone once the peer
                    // is gone (or the reservation ran out).
                    relay::Event::ReservationClosed { src_peer_id }
                        if !swarm.is_connected(src_peer_id) =>
                    {
                        reach.slot_held(*src_peer_id, false);
                    }
                    relay::Event::ReservationTimedOut { src_peer_id } => {
                        reach.slot_held(*src_peer_id, false);
                    }
                    _ => {}
                }
                relay_served(e);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Relayed(
                relay::client::Event::ReservationReqAccepted {
                    relay_peer_id,
                    renewal: false,
                    ..
                },
            )) => info!(relay = %relay_peer_id, "a member's node holds a relay slot for this one"),
            SwarmEvent::Behaviour(BehaviourEvent::Punch(dcutr::Event {
                remote_peer_id,
                result,
            })) => match result {
                Ok(_) => info!(peer = %remote_peer_id, "hole punched: connected directly"),
                Err(e) => {
                    debug!(peer = %remote_peer_id, error = %e, "no hole punched: staying connected through the relay")
                }
            },
            SwarmEvent::IncomingConnectionError {
                error: libp2p::swarm::ListenError::Denied { cause },
                send_back_addr,
                ..
            } => {
                let now = tokio::time::Instant::now();
                if last_denied_log.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(60))
                {
                    last_denied_log = Some(now);
                    warn!(from = %send_back_addr, reason = %cause, "refused a connection over the limit (max-connections, max-connections-per-peer); further refusals this minute are not logged");
                }
            }
            _ => {}
        }
    }
}

/// Offers the relay service exactly while this node has an external address of its own
/// (libp2p's own choice would count a relayed address too, and make relays of nodes behind
/// NAT); returns whether it is offered (never with `--no-relay`).
pub(super) fn relay_status(swarm: &mut Swarm<Behaviour>, own_external: bool) -> bool {
    match swarm.behaviour_mut().relay.as_mut() {
        Some(relay) => {
            relay.set_status(Some(if own_external {
                relay::Status::Enable
            } else {
                relay::Status::Disable
            }));
            own_external
        }
        None => false,
    }
}

/// Logs what the relay service did that an operator would want to know.
fn relay_served(event: relay::Event) {
    match event {
        relay::Event::ReservationReqAccepted {
            src_peer_id,
            renewed: false,
        } => info!(peer = %src_peer_id, "holding a relay slot for a member's node"),
        other => debug!(?other, "relay"),
    }
}

/// How long a node waits at start, once every listener reported an address, for the rest of
/// their addresses (one per interface).
pub(super) const LISTEN_SETTLE: Duration = Duration::from_millis(150);
/// Most events kept while starting for the swarm task (connections from peers already).
pub(super) const MAX_STASHED: usize = 1024;

/// Refuses a TCP or UDP port another program (another node, say) already listens on. libp2p
/// listens on TCP with `SO_REUSEPORT`, so without this a second node would start on the same
/// port and the kernel would share the connections between them.
pub(super) fn port_free(addr: &Multiaddr) -> Result<(), NetError> {
    use libp2p::multiaddr::Protocol;
    let mut ip = None;
    let mut port = None;
    for p in addr.iter() {
        match p {
            Protocol::Ip4(a) => ip = Some(std::net::IpAddr::V4(a)),
            Protocol::Ip6(a) => ip = Some(std::net::IpAddr::V6(a)),
            Protocol::Tcp(n) => port = Some(("TCP", n)),
            Protocol::Udp(n) => port = Some(("UDP", n)),
            _ => {}
        }
    }
    let (Some(ip), Some((kind, n))) = (ip, port) else {
        return Ok(());
    };
    if n == 0 {
        return Ok(());
    }
    let at = std::net::SocketAddr::new(ip, n);
    // Bound as libp2p binds: IPv6 alone on an IPv6 address (a program on the IPv4 port is no
    // conflict), address reuse on for TCP (a closed connection's TIME_WAIT is none either).
    let bound = (|| {
        use socket2::{Domain, Protocol as P, Socket, Type};
        let tcp = kind == "TCP";
        let (ty, proto) = if tcp {
            (Type::STREAM, P::TCP)
        } else {
            (Type::DGRAM, P::UDP)
        };
        let socket = Socket::new(Domain::for_address(at), ty, Some(proto))?;
        if at.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        if tcp {
            socket.set_reuse_address(true)?;
        }
        socket.bind(&at.into())
    })();
    match bound {
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(NetError::Listen {
            addr: addr.clone(),
            detail: format!(
                "{kind} port {n} is already in use (by another node, or another program); stop it, or give this node another port with --listen"
            ),
        }),
        // Anything else (an address not on this machine...) is for the transport to report.
        _ => Ok(()),
    }
}

/// Whether an address is on the loopback interface.
pub(super) fn is_loopback(addr: &Multiaddr) -> bool {
    addr.iter().any(|p| match p {
        libp2p::multiaddr::Protocol::Ip4(ip) => ip.is_loopback(),
        libp2p::multiaddr::Protocol::Ip6(ip) => ip.is_loopback(),
        _ => false,
    })
}
