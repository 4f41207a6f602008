//! What the node exposes to monitoring: Prometheus metrics and readiness (`/ready`). The core
//! loop updates them as it works.
//!
//! Two views, because coalition ids and member nodes' keys are secret from non-members:
//! [`Metrics::encode_public`] (`GET /metrics`, no token) carries only aggregate counts — no
//! coalition id, no peer key, nothing a label could leak; [`Metrics::encode_detailed`]
//! (`GET /v1/metrics`, token) adds the per-coalition and per-peer families.
//!
//! The public view: peers, coalitions synced, changes received and sent, refusals by kind
//! (`Refusal::kind`, a fixed vocabulary, so no peer controls a label), frames and bytes each way,
//! store size, newest sync. The core loop updates the per-coalition family only when it changed, so
//! a scrape never sees it half rebuilt.

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

/// Labels naming how reachable the node is.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReachabilityLabel {
    /// `public`, `private` or `unknown` (a fixed vocabulary).
    pub status: String,
}

/// The node's metrics. Cheap to update from any thread.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Connected peers.
    pub peers: Gauge,
    /// Coalitions at least one connected peer syncs.
    pub coalitions_synced: Gauge,
    /// Changes received from peers, stored and applied (all coalitions).
    pub changes_received_all: Counter,
    /// Changes made on this node and pushed to peers (all coalitions).
    pub changes_sent_all: Counter,
    /// Messages and changes refused, by kind of refusal.
    pub refused: Family<ReasonLabel, Counter>,
    /// Member nodes found to have forked their history (equivocation).
    pub forks: Counter,
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
    /// When a message from any peer was last handled without refusal (Unix seconds).
    pub last_sync_any: Gauge,
    /// 1 for how reachable from outside the node is now (`public`, `private`, `unknown`), 0
    /// for the others.
    pub reachability: Family<ReachabilityLabel, Gauge>,
    /// Connected peers reached only through a relay.
    pub peers_relayed: Gauge,
    /// 1 while the node relays for member nodes.
    pub relaying: Gauge,
    /// Detailed (token only): connected peers syncing each coalition.
    pub coalition_peers: Family<CoalitionLabel, Gauge>,
    /// Detailed (token only): changes received per coalition.
    pub changes_received: Family<CoalitionLabel, Counter>,
    /// Detailed (token only): changes sent per coalition.
    pub changes_sent: Family<CoalitionLabel, Counter>,
    /// Detailed (token only): when a message from each peer was last handled without refusal.
    pub last_sync: Family<PeerLabel, Gauge>,
    ready: AtomicBool,
    /// Why the node can no longer work (its core stopped), once it cannot.
    failure: std::sync::Mutex<Option<String>>,
}

impl Metrics {
    /// Sets how reachable the node is: `status` is `public`, `private` or `unknown`.
    pub fn set_reachability(&self, status: &str) {
        for s in ["public", "private", "unknown"] {
            self.reachability
                .get_or_create(&ReachabilityLabel {
                    status: s.to_owned(),
                })
                .set(i64::from(s == status));
        }
    }

    /// Marks the node ready (store open, network listening) or not.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }

    /// Whether the node is ready.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// The node can no longer work (its core stopped): `/health` answers 503 with `why`.
    pub fn fail(&self, why: impl Into<String>) {
        self.set_ready(false);
        if let Ok(mut f) = self.failure.lock() {
            *f = Some(why.into());
        }
    }

    /// Why the node can no longer work, if it cannot.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    /// `n` changes of `coalition` received from a peer were stored and applied.
    pub fn received(&self, coalition: &str, n: u64) {
        self.changes_received_all.inc_by(n);
        self.changes_received
            .get_or_create(&CoalitionLabel {
                coalition: coalition.to_owned(),
            })
            .inc_by(n);
    }

    /// `n` changes of `coalition` made here were pushed to peers.
    pub fn sent(&self, coalition: &str, n: u64) {
        self.changes_sent_all.inc_by(n);
        self.changes_sent
            .get_or_create(&CoalitionLabel {
                coalition: coalition.to_owned(),
            })
            .inc_by(n);
    }

    /// A message from `peer` was handled without refusal at `unix_secs`.
    pub fn synced(&self, peer: &str, unix_secs: i64) {
        self.last_sync_any.set(unix_secs);
        self.last_sync
            .get_or_create(&PeerLabel {
                peer: peer.to_owned(),
            })
            .set(unix_secs);
    }

    /// The aggregate metrics, for `GET /metrics` without the token: no coalition id, no
    /// peer key.
    pub fn encode_public(&self) -> String {
        encode(&self.public_registry())
    }

    /// Every metric, per coalition and per peer included, for `GET /v1/metrics` (token).
    pub fn encode_detailed(&self) -> String {
        let mut registry = self.public_registry();
        registry.register(
            "coalition_peers",
            "Connected peers syncing each coalition",
            self.coalition_peers.clone(),
        );
        registry.register(
            "coalition_changes_received",
            "Changes received from peers, stored and applied, per coalition",
            self.changes_received.clone(),
        );
        registry.register(
            "coalition_changes_sent",
            "Changes made on this node and pushed to peers, per coalition",
            self.changes_sent.clone(),
        );
        registry.register(
            "peer_last_sync_timestamp_seconds",
            "When a message from each peer was last handled without refusal",
            self.last_sync.clone(),
        );
        encode(&registry)
    }

    fn public_registry(&self) -> Registry {
        let mut registry = Registry::with_prefix("coalesce");
        registry.register("peers_connected", "Connected peers", self.peers.clone());
        registry.register(
            "coalitions_synced",
            "Coalitions at least one connected peer syncs",
            self.coalitions_synced.clone(),
        );
        registry.register(
            "changes_received",
            "Changes received from peers, stored and applied",
            self.changes_received_all.clone(),
        );
        registry.register(
            "changes_sent",
            "Changes made on this node and pushed to peers",
            self.changes_sent_all.clone(),
        );
        registry.register(
            "refused",
            "Messages and changes refused, by kind of refusal",
            self.refused.clone(),
        );
        registry.register(
            "forks",
            "Member nodes found to have forked their history (equivocation)",
            self.forks.clone(),
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
            "When a message from any peer was last handled without refusal",
            self.last_sync_any.clone(),
        );
        registry.register(
            "reachability",
            "1 for how reachable from outside the node is (public, private, unknown)",
            self.reachability.clone(),
        );
        registry.register(
            "peers_relayed",
            "Connected peers reached only through a relay",
            self.peers_relayed.clone(),
        );
        registry.register(
            "relaying",
            "1 while the node relays for member nodes",
            self.relaying.clone(),
        );
        registry
    }
}

fn encode(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, registry);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_view_names_no_coalition_and_no_peer() {
        let m = Metrics::default();
        m.received("c0ffee00c0ffee00c0ffee00c0ffee00", 3);
        m.sent("c0ffee00c0ffee00c0ffee00c0ffee00", 2);
        m.synced("ab12ab12", 1_700_000_000);
        m.coalition_peers
            .get_or_create(&CoalitionLabel {
                coalition: "c0ffee00c0ffee00c0ffee00c0ffee00".into(),
            })
            .set(1);
        let public = m.encode_public();
        assert!(!public.contains("c0ffee00"), "{public}");
        assert!(!public.contains("ab12ab12"), "{public}");
        assert!(
            public.contains("coalesce_changes_received_total 3"),
            "{public}"
        );
        assert!(
            public.contains("coalesce_last_sync_timestamp_seconds 1700000000"),
            "{public}"
        );
        let detailed = m.encode_detailed();
        assert!(detailed.contains("coalition=\"c0ffee00"), "{detailed}");
        assert!(detailed.contains("peer=\"ab12ab12\""), "{detailed}");
    }
}
