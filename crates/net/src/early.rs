//! Frames that arrive before their connection is reported.
//!
//! A peer's frames reach the core from its stream's reader task, and the news that its
//! connection is up from the swarm task: nothing orders the two. A peer that dialed this node
//! opens its stream and sends its greeting (and a join request) at once, and on a busy machine
//! those frames can reach the core before the connection does. Dropped, they are lost for
//! good: each side then waits for the other's greeting, and the join or catch-up never starts.
//! So the core holds them here, bounded, and hands them over when the connection is reported.
//! A peer over the bounds loses what was held and is disconnected: it reconnects, and both
//! sides start over.
//!
//! The bounds: at most [`EARLY_PEERS`] peers, [`EARLY_FRAMES`] frames and [`EARLY_PEER_BYTES`] per
//! peer, [`EARLY_BYTES`] in all, each held for [`EARLY_TTL`]; held frames are handled, in order,
//! right after the connection's greeting. Within those bounds, no frame of a connected peer is
//! dropped for arriving early. Known limit: frames still in flight from a connection that closed
//! are held too, and can reach the next connection if it comes within [`EARLY_TTL`] (the sync
//! protocol treats them as any peer's message; a stray fragment counts a strike). Telling them
//! apart needs connection ids on frames.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use model::NodeKey;

/// How long a held frame waits for its connection to be reported.
pub const EARLY_TTL: Duration = Duration::from_secs(10);
/// Most peers with frames held at once.
pub const EARLY_PEERS: usize = 64;
/// Most frames held for one peer.
pub const EARLY_FRAMES: usize = 64;
/// Most bytes held for one peer (a greeting and a join request are a few KiB).
pub const EARLY_PEER_BYTES: usize = 4 * 1024 * 1024;
/// Most bytes held for all peers together.
pub const EARLY_BYTES: usize = 32 * 1024 * 1024;

/// What is held for one peer.
#[derive(Debug)]
struct Held {
    since: Instant,
    frames: Vec<Vec<u8>>,
    bytes: usize,
}

/// Frames from peers whose connection has not been reported yet, bounded in peers, frames,
/// bytes and time.
#[derive(Debug, Default)]
pub struct EarlyFrames {
    peers: HashMap<NodeKey, Held>,
    bytes: usize,
}

impl EarlyFrames {
    /// Holds `frame` from `peer`, received at `now`. Returns whether it was held: over a
    /// limit, nothing of the peer's stays held (what followed a lost frame would make no
    /// sense), and the caller should close its connection.
    pub fn hold(&mut self, peer: NodeKey, frame: Vec<u8>, now: Instant) -> bool {
        self.expire(now);
        let len = frame.len();
        let (frames, bytes) = self
            .peers
            .get(&peer)
            .map_or((0, 0), |h| (h.frames.len(), h.bytes));
        let room = (frames > 0 || self.peers.len() < EARLY_PEERS)
            && frames < EARLY_FRAMES
            && bytes.saturating_add(len) <= EARLY_PEER_BYTES
            && self.bytes.saturating_add(len) <= EARLY_BYTES;
        if !room {
            self.forget(&peer);
            return false;
        }
        let held = self.peers.entry(peer).or_insert_with(|| Held {
            since: now,
            frames: Vec::new(),
            bytes: 0,
        });
        held.bytes += len;
        held.frames.push(frame);
        self.bytes += len;
        true
    }

    /// The connection to `peer` was reported at `now`: the frames held for it, in the order
    /// they arrived, if they arrived within [`EARLY_TTL`].
    pub fn release(&mut self, peer: &NodeKey, now: Instant) -> Vec<Vec<u8>> {
        self.expire(now);
        let Some(held) = self.peers.remove(peer) else {
            return Vec::new();
        };
        self.bytes -= held.bytes;
        held.frames
    }

    /// The peer's connection closed: what it sent before is no longer wanted.
    pub fn forget(&mut self, peer: &NodeKey) {
        if let Some(held) = self.peers.remove(peer) {
            self.bytes -= held.bytes;
        }
    }

    /// Bytes held for all peers.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn expire(&mut self, now: Instant) {
        let bytes = &mut self.bytes;
        self.peers.retain(|_, held| {
            let keep = now.saturating_duration_since(held.since) < EARLY_TTL;
            if !keep {
                *bytes -= held.bytes;
            }
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> NodeKey {
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(&i.to_le_bytes());
        NodeKey::from_bytes(k)
    }

    #[test]
    fn frames_wait_for_their_connection_in_order() {
        let mut early = EarlyFrames::default();
        let t = Instant::now();
        assert!(early.hold(key(1), b"hello".to_vec(), t));
        assert!(early.hold(key(1), b"join".to_vec(), t));
        assert!(early.hold(key(2), b"other".to_vec(), t));
        let got = early.release(&key(1), t + Duration::from_millis(5));
        assert_eq!(got, vec![b"hello".to_vec(), b"join".to_vec()]);
        // Taken once only; the other peer's frames are still held.
        assert!(early.release(&key(1), t).is_empty());
        assert_eq!(early.bytes(), 5);
        early.forget(&key(2));
        assert_eq!(early.bytes(), 0);
    }

    #[test]
    fn frames_whose_connection_never_comes_expire() {
        let mut early = EarlyFrames::default();
        let t = Instant::now();
        assert!(early.hold(key(1), vec![0; 100], t));
        assert!(
            early
                .release(&key(1), t + EARLY_TTL + Duration::from_millis(1))
                .is_empty()
        );
        assert_eq!(early.bytes(), 0);
    }

    #[test]
    fn a_peer_over_its_limits_loses_what_was_held() {
        let mut early = EarlyFrames::default();
        let t = Instant::now();
        for _ in 0..EARLY_FRAMES {
            assert!(early.hold(key(1), vec![1], t));
        }
        assert!(!early.hold(key(1), vec![1], t));
        assert_eq!(early.bytes(), 0);
        assert!(early.release(&key(1), t).is_empty());
        // One frame over the per-peer bytes.
        assert!(!early.hold(key(2), vec![0; EARLY_PEER_BYTES + 1], t));
        assert_eq!(early.bytes(), 0);
    }

    #[test]
    fn peers_and_bytes_are_bounded_overall() {
        let t = Instant::now();
        let mut early = EarlyFrames::default();
        let per = (EARLY_BYTES / EARLY_PEER_BYTES) as u32;
        for i in 0..per {
            assert!(early.hold(key(i), vec![0; EARLY_PEER_BYTES], t));
        }
        assert_eq!(early.bytes(), EARLY_BYTES);
        assert!(!early.hold(key(per), vec![0; 1], t));

        let mut early = EarlyFrames::default();
        for i in 0..EARLY_PEERS as u32 {
            assert!(early.hold(key(i), vec![0; 1], t));
        }
        assert!(!early.hold(key(EARLY_PEERS as u32), vec![0; 1], t));
        assert!(early.release(&key(EARLY_PEERS as u32), t).is_empty());
    }
}
