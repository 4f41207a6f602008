//! What the core keeps of its peers for `status` and the metrics: when each last synced
//! (saved now and then), the gauges, and the status report.

use super::*;

impl Core {
    /// Notes that this node just exchanged a frame with `peer`; the per-peer metric counts
    /// frames `received` only (as it always did: a greeting sent to any connecting key would
    /// otherwise add a label per key).
    pub(super) fn synced(&mut self, peer: NodeKey, received: bool) {
        let now_ms = replica::now().as_millis();
        // Any node that connects is sent a greeting: keys cost nothing to make, so the
        // record keeps the most recent `MAX_LAST_SYNC` peers only.
        if !self.last_sync.contains_key(&peer)
            && self.last_sync.len() >= MAX_LAST_SYNC
            && let Some(oldest) = self
                .last_sync
                .iter()
                .min_by_key(|(_, t)| **t)
                .map(|(k, _)| *k)
        {
            self.last_sync.remove(&oldest);
        }
        self.last_sync.insert(peer, now_ms);
        self.last_sync_saved.1 = true;
        if received {
            self.metrics.synced(&peer.to_string(), now_ms / 1000);
        }
    }

    /// Saves when peers last synced if it changed, at most every [`LAST_SYNC_SAVE`] unless
    /// `now` (at shutdown).
    pub(super) fn save_last_sync(&mut self, now: bool) {
        let (at, changed) = self.last_sync_saved;
        if !changed || (!now && at.elapsed() < LAST_SYNC_SAVE) {
            return;
        }
        if let Err(e) = self.replica.save_last_syncs(&self.last_sync) {
            warn!(error = %e, "could not save when peers last synced");
        }
        self.last_sync_saved = (std::time::Instant::now(), false);
    }

    /// Connected peers and peers per coalition; the store's size if it may have grown.
    pub(super) fn update_gauges(&mut self, stored: bool) {
        let m = &self.metrics;
        m.peers.set(self.sync.peers().count() as i64);
        // Republished only when it changed (most frames change nothing here), so a scrape
        // never sees the family half rebuilt. Coalitions no peer syncs any more drop out
        // rather than linger at their last count.
        let sharing = self.sync.sharing();
        if sharing != self.published_sharing {
            m.coalitions_synced.set(sharing.len() as i64);
            m.coalition_peers.clear();
            for (c, n) in &sharing {
                m.coalition_peers
                    .get_or_create(&api::metrics::CoalitionLabel {
                        coalition: c.to_string(),
                    })
                    .set(*n as i64);
            }
            self.published_sharing = sharing;
        }
        if stored && let Some(bytes) = self.replica.store_bytes() {
            m.store_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
    }

    /// The status, with what only the running node knows (its peers and network).
    pub(super) fn status_report(&mut self) -> anyhow::Result<commands::ops::status::StatusView> {
        let file = api::ApiFile::read(self.replica.home()).ok().flatten();
        let net = self.net.view();
        let mut live = commands::Live {
            reachability: Some(net.reachability.as_str().to_owned()),
            external: net.external.iter().map(ToString::to_string).collect(),
            relaying: net.relaying,
            paths: net
                .paths
                .iter()
                .map(|(k, p)| {
                    let via = match p {
                        crate::swarm::Path::Direct => None,
                        crate::swarm::Path::Relayed(r) => Some(*r),
                    };
                    (*k, via)
                })
                .collect(),
            failed: net.failed.clone(),
            api: file.as_ref().map(|f| f.addr.to_string()),
            api_tls: file.and_then(|f| f.tls).map(|t| commands::ApiTls {
                addr: t.addr.to_string(),
                cert_sha256: t.cert_sha256,
            }),
            addresses: self.addrs.clone(),
            connected: self.sync.peers().copied().collect(),
            last_sync: self.last_sync.iter().map(|(k, t)| (*k, *t)).collect(),
            peer_heads: Default::default(),
            incompatible: self.incompatible.iter().map(|(k, v)| (*k, *v)).collect(),
            strangers: self
                .strangers
                .iter()
                .map(|(k, s)| (*k, (s.addr.clone(), Some(s.seen))))
                .collect(),
        };
        let known = self.replica.known_peers().unwrap_or_default();
        for peer in &live.connected {
            if self
                .sync
                .shares_nothing(&mut ReplicaDocs(&mut self.replica), peer)
            {
                live.strangers
                    .insert(*peer, (known.get(&peer.to_string()).cloned(), None));
            }
        }
        for c in self.replica.coalition_ids()? {
            for peer in &live.connected {
                if let Some(heads) = self.sync.peer_heads(peer, &c) {
                    live.peer_heads.insert((c.clone(), *peer), heads);
                }
            }
        }
        commands::ops::status::report(&mut self.replica, Some(live))
    }
}
