//! Frames on a peer's streams: read from one, written to the other by a writer task per
//! peer with a bounded queue and a write timeout.
//!
//! A reader refuses a frame announced beyond the node's own limit (`super::frame_limit`) and grows
//! its buffer with the bytes that arrive, reserving nothing for an announced length. A peer that
//! does not keep up with its queue ([`super::PEER_QUEUE`]), or takes longer than [`WRITE_TIMEOUT`]
//! to take a frame, is disconnected and resyncs later. A disconnection the core asks for goes
//! through the peer's writer: frames queued before it (a refusal, a version notice) are sent first,
//! and the peer gets up to [`CLOSE_GRACE`] to read them.

use super::*;

pub(super) async fn read_frames(
    peer: NodeKey,
    mut stream: libp2p::Stream,
    core: mpsc::Sender<Event>,
    limits: std::sync::Arc<PeerLimits>,
    max_frame: usize,
) {
    let mut throttled = false;
    loop {
        let mut len = [0u8; 4];
        if stream.read_exact(&mut len).await.is_err() {
            return;
        }
        let len = u32::from_be_bytes(len) as usize;
        if len > max_frame {
            warn!(%peer, len, max_frame, "peer announced a frame over this node's limit; closing its stream");
            return;
        }
        // The buffer grows with the bytes that actually arrive: announcing a length costs a
        // peer nothing, so nothing is reserved for it up front.
        let mut frame = Vec::new();
        match (&mut stream).take(len as u64).read_to_end(&mut frame).await {
            Ok(n) if n == len => {}
            _ => return,
        }
        if limits.admit(&peer, len).await && !throttled {
            throttled = true;
            warn!(%peer, "peer is sending faster than its rate limit; slowing it down");
        }
        if core.send(Event::Frame(peer, frame)).await.is_err() {
            return;
        }
    }
}

/// A peer's writer: the queue into its task, and which generation it is.
pub(super) struct Writer {
    pub(super) tx: mpsc::Sender<ToWriter>,
    pub(super) generation: u64,
}

/// What a peer's writer task is given, in order.
pub(super) enum ToWriter {
    /// A frame to send.
    Frame(Vec<u8>),
    /// Send what is queued before this, then close the connection.
    Close,
}

/// Longest a frame may take to be written to a peer before it counts as not keeping up.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a peer being disconnected is given to read the frames sent before.
pub const CLOSE_GRACE: Duration = Duration::from_secs(2);

pub(super) async fn write_frames(
    control: libp2p_stream::Control,
    mut from_core: mpsc::Receiver<Outgoing>,
    swarm: mpsc::Sender<Command>,
) {
    let mut writers: HashMap<NodeKey, Writer> = HashMap::new();
    let mut generation = 0u64;
    let (failed_tx, mut failed_rx) = mpsc::channel::<(NodeKey, u64)>(64);
    // Disconnections for the swarm task, handed over without ever waiting on it: the swarm
    // task may itself be waiting on the core, and the core on this task (core -> writer ->
    // swarm -> core would otherwise deadlock with all three channels full).
    let mut to_disconnect: std::collections::BTreeSet<NodeKey> = Default::default();
    let mut retry = tokio::time::interval(Duration::from_millis(100));
    loop {
        let disconnect = |peer: NodeKey, pending: &mut std::collections::BTreeSet<NodeKey>| {
            if swarm.try_send(Command::Disconnect(peer)).is_err() {
                pending.insert(peer);
            }
        };
        tokio::select! {
            _ = retry.tick(), if !to_disconnect.is_empty() => {
                let pending = std::mem::take(&mut to_disconnect);
                for peer in pending {
                    disconnect(peer, &mut to_disconnect);
                }
            }
            failed = failed_rx.recv() => {
                let Some((peer, generation)) = failed else { return };
                // Only the current writer's failure means frames were lost on the live
                // connection: start over with a fresh connection and sync.
                if writers.get(&peer).is_some_and(|w| w.generation == generation) {
                    writers.remove(&peer);
                    disconnect(peer, &mut to_disconnect);
                }
            }
            out = from_core.recv() => match out {
                None => return,
                Some(Outgoing::Reset(peer)) => {
                    writers.remove(&peer);
                }
                Some(Outgoing::Disconnect(peer)) => {
                    // Frames queued before the disconnection (a refusal, a version notice)
                    // still go out: the writer closes the connection once they are sent.
                    let queued = writers
                        .remove(&peer)
                        .is_some_and(|w| w.tx.try_send(ToWriter::Close).is_ok());
                    if !queued {
                        disconnect(peer, &mut to_disconnect);
                    }
                }
                Some(Outgoing::Send(peer, frame)) => {
                    let writer = writers.entry(peer).or_insert_with(|| {
                        generation += 1;
                        Writer { tx: spawn_writer(control.clone(), peer, generation, failed_tx.clone(), swarm.clone()), generation }
                    });
                    match writer.tx.try_send(ToWriter::Frame(frame)) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            warn!(%peer, "peer is not keeping up; disconnecting it");
                            writers.remove(&peer);
                            disconnect(peer, &mut to_disconnect);
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => {
                            // Its task ended and reported why; the failure path decides.
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn spawn_writer(
    mut control: libp2p_stream::Control,
    peer: NodeKey,
    generation: u64,
    failed: mpsc::Sender<(NodeKey, u64)>,
    swarm: mpsc::Sender<Command>,
) -> mpsc::Sender<ToWriter> {
    let (tx, mut rx) = mpsc::channel::<ToWriter>(PEER_QUEUE);
    tokio::spawn(async move {
        let Some(id) = peer_id(&peer) else { return };
        let mut stream = match control.open_stream(id, PROTOCOL).await {
            Ok(s) => s,
            Err(e) => {
                debug!(%peer, error = %e, "could not open a sync stream");
                let _ = failed.send((peer, generation)).await;
                return;
            }
        };
        while let Some(next) = rx.recv().await {
            let frame = match next {
                ToWriter::Frame(frame) => frame,
                ToWriter::Close => {
                    // Close this side, then give the peer a moment to read what was sent:
                    // its reader drops the stream once it reaches the end, which ends ours.
                    let closed = async {
                        stream.close().await?;
                        stream.read(&mut [0u8; 1]).await
                    };
                    let _ = tokio::time::timeout(CLOSE_GRACE, closed).await;
                    let _ = swarm.send(Command::Disconnect(peer)).await;
                    return;
                }
            };
            let len = u32::try_from(frame.len()).unwrap_or(u32::MAX).to_be_bytes();
            let sent = async {
                stream.write_all(&len).await?;
                stream.write_all(&frame).await?;
                stream.flush().await
            };
            let result = match tokio::time::timeout(WRITE_TIMEOUT, sent).await {
                Ok(r) => r,
                Err(_) => Err(std::io::Error::from(std::io::ErrorKind::TimedOut)),
            };
            if let Err(e) = result {
                debug!(%peer, error = %e, "sync stream failed");
                let _ = failed.send((peer, generation)).await;
                return;
            }
        }
    });
    tx
}
