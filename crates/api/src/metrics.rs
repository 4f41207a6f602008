//! What the node exposes to monitoring: Prometheus metrics (`/metrics`) and readiness
//! (`/ready`). The core loop updates them as it works; the API serves them without the token.

use std::sync::atomic::{AtomicBool, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Labels naming a coalition.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CoalitionLabel {
    /// The coalition id.
    pub coalition: String,
}

/// Labels naming a peer.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PeerLabel {
    /// The peer's node id.
    pub peer: String,
}

/// Labels naming why something was refused.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// The kind of refusal (a fixed vocabulary, e.g. `rule`, `bad-signature`).
    pub reason: String,
}

/// The node's metrics. Cheap to update from any thread.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Connected peers.
    pub peers: Gauge,
    /// Connected peers syncing each coalition.
    pub coalition_peers: Family<CoalitionLabel, Gauge>,
    /// Changes received from peers, stored and applied.
    pub changes_received: Family<CoalitionLabel, Counter>,
    /// Changes made on this node and pushed to peers.
    pub changes_sent: Family<CoalitionLabel, Counter>,
    /// Messages and changes refused, by kind of refusal.
    pub refused: Family<ReasonLabel, Counter>,
    /// Protocol messages received.
    pub frames_received: Counter,
    /// Bytes of protocol messages received.
    pub bytes_received: Counter,
    /// Protocol messages sent.
    pub frames_sent: Counter,
    /// Bytes of protocol messages sent.
    pub bytes_sent: Counter,
    /// Size of the store file, in bytes.
    pub store_bytes: Gauge,
    /// When a message from each peer was last handled without refusal (Unix seconds).
    pub last_sync: Family<PeerLabel, Gauge>,
    ready: AtomicBool,
}

impl Metrics {
    /// Marks the node ready (store open, network listening) or not.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }

    /// Whether the node is ready.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// The metrics in Prometheus' text format.
    pub fn encode(&self) -> String {
        let mut registry = Registry::with_prefix("coalesce");
        registry.register("peers_connected", "Connected peers", self.peers.clone());
        registry.register(
            "coalition_peers",
            "Connected peers syncing each coalition",
            self.coalition_peers.clone(),
        );
        registry.register(
            "changes_received",
            "Changes received from peers, stored and applied",
            self.changes_received.clone(),
        );
        registry.register(
            "changes_sent",
            "Changes made on this node and pushed to peers",
            self.changes_sent.clone(),
        );
        registry.register(
            "refused",
            "Messages and changes refused, by kind of refusal",
            self.refused.clone(),
        );
        registry.register(
            "frames_received",
            "Protocol messages received",
            self.frames_received.clone(),
        );
        registry.register(
            "bytes_received",
            "Bytes of protocol messages received",
            self.bytes_received.clone(),
        );
        registry.register(
            "frames_sent",
            "Protocol messages sent",
            self.frames_sent.clone(),
        );
        registry.register(
            "bytes_sent",
            "Bytes of protocol messages sent",
            self.bytes_sent.clone(),
        );
        registry.register(
            "store_bytes",
            "Size of the store file in bytes",
            self.store_bytes.clone(),
        );
        registry.register(
            "last_sync_timestamp_seconds",
            "When a message from each peer was last handled without refusal",
            self.last_sync.clone(),
        );
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}
