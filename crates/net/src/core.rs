//! The node's core: the replica and the sync state machine, on one dedicated thread (Automerge
//! work is CPU-bound and must not block the async runtime). Events come in on one bounded
//! channel — API commands, connections, frames — and outgoing frames leave on another.

use std::collections::{BTreeMap, HashMap};

use model::CoalitionId;
use model::NodeKey;
use model::automerge::{AutoCommit, Change};
use model::signing::{ChangeSignature, HeadIndex};
use replica::Replica;
use serde::{Deserialize, Serialize};
use sync::invite::Invite;
use sync::{Documents, Output, SyncNode};
use tokio::sync::mpsc;
use tracing::{debug, info, info_span, warn};

mod joins;
mod ops;
mod peers;

pub use peers::{MAX_KNOWN_PEERS, known_peers};
use peers::{hex, stored_addresses};

/// Capacity of the channels into and out of the core.
pub const CHANNEL: usize = 1024;

/// Something for the core to handle.
#[derive(Debug)]
pub enum Event {
    /// A command from the control API.
    Api(api::Job),
    /// A peer's connection was established.
    Connected(NodeKey),
    /// A peer's last connection closed.
    Disconnected(NodeKey),
    /// A frame from a peer.
    Frame(NodeKey, Vec<u8>),
    /// Join a coalition offered by a peer (from an invite).
    Expect(CoalitionId, NodeKey),
    /// Ask the network side to dial (and keep dialing) a peer.
    Dial(crate::swarm::Command),
    /// A peer was reached by dialing this address: remember it for restarts.
    Reached(NodeKey, String),
    /// Time passed (every [`crate::swarm::TICK`]): look at peers connected a while.
    Tick,
    /// A peer was reached at a `--bootstrap` address: never let it go as a stranger.
    Keep(NodeKey),
    /// Stop.
    Shutdown,
}

/// Something for the network side to do.
#[derive(Debug)]
pub enum Outgoing {
    /// Send a frame to a peer.
    Send(NodeKey, Vec<u8>),
    /// Close the connections to a peer.
    Disconnect(NodeKey),
    /// A peer's connection changed: frames from now on go over a fresh stream.
    Reset(NodeKey),
}

/// The replica seen as the sync protocol's documents.
struct ReplicaDocs<'a>(&'a mut Replica);

impl Documents for ReplicaDocs<'_> {
    fn coalitions(&self) -> Vec<CoalitionId> {
        self.0.coalition_ids().unwrap_or_default()
    }

    fn entry(&mut self, coalition: &CoalitionId) -> Option<(&mut AutoCommit, &mut HeadIndex)> {
        self.0.sync_entry(coalition).ok()
    }

    fn create(&mut self, coalition: &CoalitionId) -> Result<(), String> {
        self.0.create_joining(coalition).map_err(|e| e.to_string())
    }

    fn persist(
        &mut self,
        coalition: &CoalitionId,
        changes: &[Change],
        heads: &[ChangeSignature],
    ) -> Result<(), String> {
        self.0
            .persist_remote(coalition, changes, heads)
            .map_err(|e| e.to_string())
    }

    fn discard(&mut self, coalition: &CoalitionId) {
        self.0.discard(coalition);
    }

    fn load_forks(&mut self, coalition: &CoalitionId) -> Option<Vec<u8>> {
        self.0
            .record(&replica::forks_record(coalition))
            .ok()
            .flatten()
    }

    fn save_forks(
        &mut self,
        coalition: &CoalitionId,
        record: &[u8],
        forked: &[[u8; 32]],
    ) -> Result<(), String> {
        let keys: Vec<NodeKey> = forked.iter().map(|k| NodeKey::from_bytes(*k)).collect();
        self.0
            .save_forks(coalition, record, &keys)
            .map_err(|e| e.to_string())
    }

    fn rebuilt(&mut self, coalition: &CoalitionId, aside: &[Change]) -> Result<(), String> {
        let raw: Vec<&[u8]> = aside.iter().map(|c| c.raw_bytes()).collect();
        self.0
            .store_whole(coalition, &raw)
            .map_err(|e| e.to_string())
    }

    fn signature(&mut self, coalition: &CoalitionId, hash: &[u8; 32]) -> Option<ChangeSignature> {
        // A store that cannot be read answers as if no signature were there (logged): the
        // evidence is built from the newest one instead, or not at all.
        self.0
            .signature(coalition, hash)
            .inspect_err(|e| tracing::warn!(coalition = %coalition, error = %e, "could not read a signature from the store"))
            .ok()
            .flatten()
    }
}

/// What the inviting node keeps of an invite, under `invite/<secret>`.
#[derive(Debug, Serialize, Deserialize)]
struct InviteRecord {
    coalition: String,
    expires_at: i64,
    used: bool,
}

/// A join this node asked for and that has not completed yet.
#[derive(Debug, Clone)]
struct PendingJoin {
    coalition: CoalitionId,
    secret: [u8; 16],
    org: String,
}

/// How long a connected peer has to show it shares something with this node (its greeting
/// names a coalition held here, or it is a member's node) before it is disconnected as a
/// stranger.
pub const STRANGER_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// Most refused joins remembered for `join` to report (forgotten all at once beyond).
const MAX_PENDING_JOINS_REFUSED: usize = 256;
/// Most strangers remembered for `status`.
pub const MAX_STRANGERS: usize = 64;

/// A node that connected and shared nothing with this one.
#[derive(Debug, Clone)]
struct Stranger {
    /// Where it was reached, if known.
    addr: Option<String>,
    /// When it was last disconnected as a stranger (Unix milliseconds).
    seen: i64,
}

/// Most peers whose last sync is remembered (and saved).
const MAX_LAST_SYNC: usize = 1024;

/// How often, at most, the core saves when peers last synced.
const LAST_SYNC_SAVE: std::time::Duration = std::time::Duration::from_secs(30);

/// The replica and the sync state machine.
pub struct Core {
    replica: Replica,
    sync: SyncNode,
    out: mpsc::Sender<Outgoing>,
    dial: mpsc::Sender<crate::swarm::Command>,
    /// Addresses peers can reach this node at, for invites.
    addrs: Vec<String>,
    joins: HashMap<NodeKey, Vec<PendingJoin>>,
    /// Joins the inviting node refused, with its reason.
    refused_joins: HashMap<CoalitionId, String>,
    progress: Option<std::sync::mpsc::Sender<(CoalitionId, usize)>>,
    metrics: std::sync::Arc<api::Metrics>,
    /// When this node last exchanged frames with each peer: a frame from it handled without
    /// refusal, or one sent to it (Unix milliseconds). Saved in the store now and then and at
    /// shutdown, so `status` still knows it after a restart.
    last_sync: BTreeMap<NodeKey, i64>,
    /// When `last_sync` was last saved, and whether it changed since.
    last_sync_saved: (std::time::Instant, bool),
    /// Peers that speak another protocol version, with the version.
    incompatible: HashMap<NodeKey, u8>,
    /// Connected peers per coalition as last published in the metrics.
    published_sharing: BTreeMap<CoalitionId, usize>,
    /// Dials the swarm task had no room for yet.
    pending_dials: Vec<crate::swarm::Command>,
    /// Frames from peers whose connection the swarm has not reported yet.
    early: crate::early::EarlyFrames,
    /// Peers connected whose sharing is not judged yet, with when they connected.
    unjudged: HashMap<NodeKey, std::time::Instant>,
    /// Nodes found to share nothing with this one (see [`STRANGER_GRACE`]).
    strangers: BTreeMap<NodeKey, Stranger>,
    /// Peers reached at a `--bootstrap` address (see [`Event::Keep`]).
    kept: std::collections::HashSet<NodeKey>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core over an open replica, sending frames to `out`, dial requests to `dial`, and
    /// naming `addrs` in its invites.
    pub fn new(
        replica: Replica,
        out: mpsc::Sender<Outgoing>,
        dial: mpsc::Sender<crate::swarm::Command>,
        addrs: Vec<String>,
    ) -> Self {
        let mut sync = SyncNode::new();
        sync.set_recovering(replica.recovering());
        let now_ms = u64::try_from(replica::now().as_millis()).unwrap_or(0);
        sync.set_time(now_ms);
        sync.set_own_addresses(sync::addresses::AddressRecord::sign(
            &replica.identity().secret_bytes(),
            &addrs,
            now_ms,
        ));
        let learned = sync.learn_addresses(stored_addresses(&replica));
        debug!(records = learned, "where member nodes listen, as kept");
        let last_sync = replica.last_syncs().unwrap_or_else(|e| {
            warn!(error = %e, "could not read when peers last synced");
            BTreeMap::new()
        });
        Self {
            replica,
            sync,
            out,
            dial,
            addrs,
            joins: HashMap::new(),
            refused_joins: HashMap::new(),
            progress: None,
            metrics: std::sync::Arc::default(),
            last_sync,
            last_sync_saved: (std::time::Instant::now(), false),
            incompatible: HashMap::new(),
            published_sharing: BTreeMap::new(),
            pending_dials: Vec::new(),
            early: crate::early::EarlyFrames::default(),
            unjudged: HashMap::new(),
            strangers: BTreeMap::new(),
            kept: std::collections::HashSet::new(),
        }
    }

    /// Takes messages from peers of at most `bytes` (see `SyncNode::set_max_message`).
    pub fn with_max_message(mut self, bytes: usize) -> Self {
        self.sync.set_max_message(bytes);
        self
    }

    /// Keeps `metrics` up to date as the core works.
    pub fn with_metrics(mut self, metrics: std::sync::Arc<api::Metrics>) -> Self {
        self.metrics = metrics;
        self.update_gauges(true);
        self
    }

    /// Reports every batch of changes applied from peers (coalition, how many) to `tx`.
    pub fn with_progress(mut self, tx: std::sync::mpsc::Sender<(CoalitionId, usize)>) -> Self {
        self.progress = Some(tx);
        self
    }

    /// Handles events until [`Event::Shutdown`] or until every sender is gone.
    pub fn run(mut self, mut events: mpsc::Receiver<Event>) -> Replica {
        // Forks learnt before a stop whose keys this member had not flagged yet.
        let ids = self.replica.coalition_ids().unwrap_or_else(|e| {
            warn!(error = %e, "could not list the coalitions to flag forked keys in");
            Vec::new()
        });
        for c in ids {
            let more = self.flag_forked(&c);
            self.dispatch(more);
        }
        // Records of nodes that are no longer members' anywhere here are dropped (and from the
        // store); the member nodes they name are dialed, once each.
        let before = self.sync.address_book().len();
        self.sync
            .prune_addresses(&mut ReplicaDocs(&mut self.replica));
        if self.sync.address_book().len() != before {
            self.save_addresses();
        }
        let kept: Vec<_> = self.sync.address_book().records().cloned().collect();
        self.dial_members(&kept);
        self.resume_joins();
        while let Some(event) = events.blocking_recv() {
            if matches!(event, Event::Shutdown) {
                break;
            }
            self.handle(event);
        }
        self.save_last_sync(true);
        self.replica
    }

    fn handle(&mut self, event: Event) {
        if matches!(event, Event::Tick) {
            // Only what time passing asks for; no sync work, no gauges.
            if !self.unjudged.is_empty() {
                self.judge_strangers();
            }
            if !self.pending_dials.is_empty() {
                self.flush_dials();
            }
            self.save_last_sync(false);
            return;
        }
        self.sync
            .set_time(u64::try_from(replica::now().as_millis()).unwrap_or(0));
        if !self.pending_dials.is_empty() {
            self.flush_dials();
        }
        let from = match &event {
            Event::Frame(peer, frame) => {
                self.metrics.frames_received.inc();
                self.metrics.bytes_received.inc_by(frame.len() as u64);
                Some(*peer)
            }
            _ => None,
        };
        // Reads through the typed routes do not grow the store.
        let local_edit = match &event {
            Event::Api(api::Job::Op(req, _)) => req.writes(),
            _ => false,
        };
        let outputs = self.outputs_for(event);
        // Only edits and applied changes grow the store.
        let stored = local_edit || outputs.iter().any(|o| matches!(o, Output::Applied { .. }));
        if let Some(peer) = from
            && !outputs
                .iter()
                .any(|o| matches!(o, Output::Refused { peer: p, .. } if *p == peer))
        {
            self.synced(peer, true);
        }
        self.dispatch(outputs);
        self.save_last_sync(false);
        self.update_gauges(stored);
    }

    /// Notes that this node just exchanged a frame with `peer`; the per-peer metric counts
    /// frames `received` only (as it always did: a greeting sent to any connecting key would
    /// otherwise add a label per key).
    fn synced(&mut self, peer: NodeKey, received: bool) {
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
    fn save_last_sync(&mut self, now: bool) {
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
    fn update_gauges(&mut self, stored: bool) {
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
        if stored && let Ok(meta) = std::fs::metadata(self.replica.home().join(replica::STORE_FILE))
        {
            m.store_bytes
                .set(i64::try_from(meta.len()).unwrap_or(i64::MAX));
        }
    }

    fn outputs_for(&mut self, event: Event) -> Vec<Output> {
        match event {
            Event::Api(api::Job::Op(req, reply)) => {
                let _s =
                    info_span!("operation", op = req.name(), coalition = req.coalition()).entered();
                let writes = req.writes();
                let _ = reply.send(self.op(req));
                if writes {
                    self.push_local_changes()
                } else {
                    Vec::new()
                }
            }
            Event::Connected(peer) => {
                let _s = info_span!("peer", %peer).entered();
                info!("peer connected");
                let _ = self.out.blocking_send(Outgoing::Reset(peer));
                if !self.kept.contains(&peer) {
                    self.unjudged.insert(peer, std::time::Instant::now());
                }
                let mut outputs = self
                    .sync
                    .connected(&mut ReplicaDocs(&mut self.replica), peer);
                for j in self.joins.get(&peer).into_iter().flatten() {
                    outputs.push(Output::Send {
                        peer,
                        frame: SyncNode::join_frame(&j.coalition, j.secret, &j.org),
                    });
                }
                // What the peer sent before its connection was reported, after our greeting.
                let early = self.early.release(&peer, std::time::Instant::now());
                if !early.is_empty() {
                    debug!(
                        frames = early.len(),
                        "handling frames that arrived before the connection"
                    );
                }
                for frame in early {
                    outputs.extend(self.sync.received(
                        &mut ReplicaDocs(&mut self.replica),
                        peer,
                        &frame,
                    ));
                }
                outputs
            }
            Event::Disconnected(peer) => {
                let _s = info_span!("peer", %peer).entered();
                info!("peer disconnected");
                let _ = self.out.blocking_send(Outgoing::Reset(peer));
                // Gone before it was judged (the other side let go first): judged now, so
                // that this side does not redial a stranger either.
                if self.unjudged.remove(&peer).is_some()
                    && !self.kept.contains(&peer)
                    && self
                        .sync
                        .shares_nothing(&mut ReplicaDocs(&mut self.replica), &peer)
                {
                    self.let_go(peer, false);
                }
                self.sync.disconnected(&peer);
                self.early.forget(&peer);
                Vec::new()
            }
            // Handled before (see `handle`).
            Event::Tick => Vec::new(),
            Event::Keep(peer) => {
                if self.kept.len() < crate::swarm::MAX_DIAL_TARGETS {
                    self.kept.insert(peer);
                }
                self.unjudged.remove(&peer);
                self.strangers.remove(&peer);
                Vec::new()
            }
            Event::Frame(peer, frame) => {
                let _s = info_span!("peer", %peer).entered();
                if self.sync.is_connected(&peer) {
                    self.sync
                        .received(&mut ReplicaDocs(&mut self.replica), peer, &frame)
                } else {
                    // The stream's reader got here before the swarm reported the connection
                    // (see `early`).
                    if !self.early.hold(peer, frame, std::time::Instant::now()) {
                        warn!(
                            "a peer sent more before its connection was reported than is held; disconnecting it to start over"
                        );
                        let _ = self.out.blocking_send(Outgoing::Disconnect(peer));
                    }
                    Vec::new()
                }
            }
            Event::Dial(cmd) => {
                self.dial(cmd);
                Vec::new()
            }
            Event::Reached(peer, addr) => {
                self.remember(peer, addr);
                Vec::new()
            }
            Event::Expect(coalition, inviter) => {
                self.sync
                    .expect(&mut ReplicaDocs(&mut self.replica), coalition, inviter)
            }
            Event::Shutdown => Vec::new(),
        }
    }

    /// Flags the keys whose forks are decided in `coalition` as this node's member (see
    /// [`replica::Replica::flag_forked`]); what that writes goes to the peers.
    fn flag_forked(&mut self, coalition: &CoalitionId) -> Vec<Output> {
        let _s = info_span!("coalition", %coalition).entered();
        let keys = self
            .sync
            .decided_keys(&mut ReplicaDocs(&mut self.replica), coalition);
        if keys.is_empty() {
            return Vec::new();
        }
        match self.replica.flag_forked(coalition, &keys) {
            Ok(0) => Vec::new(),
            Ok(_) => self.push_local_changes(),
            Err(e) => {
                warn!(error = %e, "could not flag the keys that forked");
                Vec::new()
            }
        }
    }

    fn push_local_changes(&mut self) -> Vec<Output> {
        let mut outputs = Vec::new();
        for local in self.replica.drain_local_changes() {
            self.metrics
                .sent(local.coalition.as_ref(), local.changes.len() as u64);
            outputs.extend(self.sync.local_changes(
                &mut ReplicaDocs(&mut self.replica),
                &local.coalition,
                &local.changes,
                local.signature,
            ));
        }
        outputs
    }

    fn dispatch(&mut self, outputs: Vec<Output>) {
        // Noted once per peer for the whole batch (a relay sends a peer many frames).
        let sent_to: std::collections::BTreeSet<NodeKey> = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Send { peer, .. } => Some(*peer),
                _ => None,
            })
            .collect();
        for peer in sent_to {
            self.synced(peer, false);
        }
        for o in outputs {
            let next = match o {
                Output::Send { peer, frame } => {
                    self.metrics.frames_sent.inc();
                    self.metrics.bytes_sent.inc_by(frame.len() as u64);
                    Outgoing::Send(peer, frame)
                }
                Output::Disconnect { peer, reason } => {
                    warn!(%peer, %reason, "disconnecting peer");
                    Outgoing::Disconnect(peer)
                }
                Output::Incompatible { peer, speaks } => {
                    warn!(%peer, speaks, ours = sync::wire::VERSION, "peer speaks another protocol version");
                    self.incompatible.insert(peer, speaks);
                    continue;
                }
                Output::Refused {
                    peer,
                    coalition,
                    reason,
                } => {
                    self.metrics
                        .refused
                        .get_or_create(&api::metrics::ReasonLabel {
                            reason: reason.kind().to_owned(),
                        })
                        .inc();
                    let coalition = coalition.as_ref().map(|c| c.to_string());
                    warn!(%peer, coalition, %reason, "refused a message from a peer");
                    let logged = self.replica.log_refusal(replica::Refusal {
                        at: replica::now().as_millis(),
                        peer: peer.to_string(),
                        coalition,
                        reason: reason.to_string(),
                    });
                    if let Err(e) = logged {
                        warn!(error = %e, "could not log the refusal");
                    }
                    continue;
                }
                Output::Applied {
                    peer,
                    coalition,
                    changes,
                } => {
                    self.metrics.received(coalition.as_ref(), changes as u64);
                    debug!(%peer, %coalition, changes, "applied changes from a peer");
                    if let Some(p) = &self.progress {
                        let _ = p.send((coalition.clone(), changes));
                    }
                    if self.drop_pending_join(&coalition)
                        && let Err(e) = self.replica.end_join(&coalition)
                    {
                        warn!(%coalition, error = %e, "could not forget the completed join");
                    }
                    continue;
                }
                Output::Forked {
                    coalition,
                    key,
                    seq,
                    set_aside,
                } => {
                    self.metrics.forks.inc();
                    if key == self.replica.identity().node_key() {
                        tracing::error!(%coalition, seq, "THIS node's key forked its history (was its home copied, or a VM snapshot restored?): it can no longer write in this coalition; add a new key for your organization from another of its nodes, or restore a backup");
                    } else {
                        warn!(%coalition, %key, seq, set_aside, "a member node's key forked its history; see `coalesce status`");
                    }
                    continue;
                }
                Output::Addresses { records } => {
                    self.learned_addresses(&records);
                    continue;
                }
                Output::ForkDecided { coalition } => {
                    let more = self.flag_forked(&coalition);
                    self.dispatch(more);
                    continue;
                }
                Output::JoinRefused {
                    peer,
                    coalition,
                    reason,
                } => {
                    warn!(%peer, %coalition, %reason, "the inviting node refused to admit this node");
                    self.drop_pending_join(&coalition);
                    self.sync.forget(&coalition);
                    if self.refused_joins.len() >= MAX_PENDING_JOINS_REFUSED {
                        self.refused_joins.clear();
                    }
                    if let Err(e) = self.replica.end_join(&coalition) {
                        warn!(%coalition, error = %e, "could not forget the refused join");
                    }
                    self.refused_joins.insert(coalition, reason);
                    continue;
                }
                Output::JoinRequest {
                    peer,
                    coalition,
                    secret,
                    org,
                } => {
                    let more = self.admit(peer, &coalition, secret, &org);
                    self.dispatch(more);
                    continue;
                }
            };
            if self.out.blocking_send(next).is_err() {
                return;
            }
        }
    }

    /// Runs a command-line command with this node's replica, capturing its output.
    /// `coalesce status` with what only the running node knows.
    /// The status, with what only the running node knows (its peers and network).
    fn status_report(&mut self) -> anyhow::Result<commands::ops::status::StatusView> {
        let file = api::ApiFile::read(self.replica.home()).ok().flatten();
        let mut live = commands::Live {
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
        let known = self.known_peer_map();
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
