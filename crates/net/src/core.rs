//! The node's core: the replica and the sync state machine, on one dedicated thread (Automerge
//! work is CPU-bound and must not block the async runtime). Events come in on one bounded
//! channel — API commands, connections, frames — and outgoing frames leave on another.
//!
//! The core gives the sync state machine the time before each event, and signs this node's own
//! address record at start (the addresses its invites carry, other machines' usable ones first).
//! The swarm gives it a [`Event::Tick`] every `swarm::TICK`, never waiting on it; the core then
//! only judges peers due, hands over waiting dials, saves last syncs if due, answers the join
//! stages held long enough, follows the network side (member keys for the relay, when something
//! changed or a minute passed; new addresses into invites and the address record), looks at the
//! peer set, goes on with sync rounds whose pause ended (`SyncNode::resume_paused`), and
//! compacts the coalitions due for it once a whole tick's time passed
//! with nothing else to do (`compact_when_idle`; a request arriving meanwhile waits for it).
//! Its parts: the
//! replica as `sync::Documents` (`documents`), outputs carried out (`dispatch`), API operations
//! (`ops`), invites and joins (`joins`), peers' addresses, dials and strangers (`peers`), the
//! bounded peer set per coalition (`peerset`, looked at each tick), and what
//! `status` and the metrics report (`status`).

use std::collections::{BTreeMap, HashMap};

use model::CoalitionId;
use model::NodeKey;
use model::automerge::{AutoCommit, Change};
use model::signing::{ChangeSignature, HeadIndex};
use replica::Replica;
use sync::invite::Invite;
use sync::{Documents, Output, SyncNode};
use tokio::sync::mpsc;
use tracing::{debug, info, info_span, warn};

mod dispatch;
mod documents;
mod joins;
mod ops;
mod passing;
mod peers;
mod peerset;
mod status;

use documents::ReplicaDocs;

pub use peers::{ADDRESSES_FILE, MAX_KNOWN_PEERS, known_peers, write_addresses};
use peers::{save_own_record, stored_addresses};
pub use peerset::{INBOUND_FACTOR, PEERS_PER_COALITION};

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
    /// A peer's last connection, which went through a relay, closed without this node
    /// closing it (sent after [`Event::Disconnected`]): a relayed connection ends when the
    /// relay's limits are reached, so it is dialed through its relay again.
    RelayLost(NodeKey),
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

/// How long a connected peer has to show it shares something with this node (its greeting
/// names a coalition held here, or it is a member's node) before it is disconnected as a
/// stranger.
pub const STRANGER_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
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

/// Ticks a compaction that is due waits for a quiet one before it is done anyway (about a
/// minute at `swarm::TICK`): a node never quiet still compacts.
pub const COMPACT_WAIT_TICKS: u32 = 30;

/// The replica and the sync state machine.
pub struct Core {
    replica: Replica,
    sync: SyncNode,
    out: mpsc::Sender<Outgoing>,
    dial: mpsc::Sender<crate::swarm::Command>,
    /// Addresses peers can reach this node at, for invites.
    addrs: Vec<String>,
    /// Those it had at start (announced, then its own); `addrs` adds what the network side
    /// learns (confirmed external addresses, relayed ones).
    base_addrs: Vec<String>,
    /// Telling member nodes where this node can be reached.
    signing: peers::Signing,
    /// Shared with the network side: member nodes relayed for, reachability and paths.
    net: std::sync::Arc<crate::swarm::Shared>,
    progress: Option<std::sync::mpsc::Sender<(CoalitionId, usize)>>,
    /// Where the coalitions whose records changed (from peers or here) are told, for pages
    /// open in a browser.
    changed: Option<tokio::sync::broadcast::Sender<CoalitionId>>,
    /// Where the UI is served to other machines (`https://HOST:PORT`), for people's setup
    /// links; `None` when it is not.
    people_url: Option<String>,
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
    /// When the core last finished handling anything but a tick (`None`: nothing yet).
    /// Measured in time, not in ticks: ticks sent while the core was busy wait in its queue
    /// and arrive one after the other once it is done.
    last_work: Option<std::time::Instant>,
    /// Member nodes dialed again through their relay, and when (see
    /// `Core::redial_relayed`).
    redialed: HashMap<NodeKey, std::time::Instant>,
    /// Connected peers, since when.
    connected_at: HashMap<NodeKey, std::time::Instant>,
    /// Member nodes dialed at an address record or disconnected, when, and a digest of the
    /// addresses they had then (see `core::peerset`).
    tried: HashMap<NodeKey, (std::time::Instant, u64)>,
    /// Member nodes kept connected per coalition, at most (see `core::peerset`).
    peer_bound: usize,
    /// When the peer set was last looked at.
    trimmed: std::time::Instant,
    /// Whether the network side was told every coalition has peers enough.
    enough: Option<bool>,
    /// Member nodes let go for the peer set lately, and when: not let go again soon (one
    /// that comes straight back needs this node, as its bootstrap peer, say).
    let_go_at: HashMap<NodeKey, std::time::Instant>,
    /// The coalitions held here and their member nodes, as last read (`Core::refresh_members`);
    /// `None` until read.
    members: Option<peers::Members>,
    /// Ticks a due compaction has waited for a quiet one.
    compact_waited: u32,
    /// Joins' stages asked for with a wait, held until they move.
    join_waiters: Vec<joins::JoinWaiter>,
    /// Carrying statements between coalitions this node belongs to (`Core::carry`).
    carrying: Carrying,
}

/// When this node last carried statements between the coalitions it belongs to, whether
/// something changed since, and what was refused (with how many signatures), not offered
/// again.
#[derive(Debug, Default)]
struct Carrying {
    due: bool,
    at: Option<std::time::Instant>,
    refused: std::collections::HashSet<replica::CarryRefusal>,
    /// Drafts this node would not co-sign (computed otherwise, out of date...).
    not_signed: std::collections::HashSet<model::federation::StatementId>,
    /// The checksum of the statements file last passed to a peer, by peer, publishing
    /// coalition and receiving coalition (see `passing`); a peer's are dropped when it
    /// disconnects.
    passed: HashMap<(NodeKey, CoalitionId, CoalitionId), [u8; 32]>,
    /// The member nodes of coalitions linked with this node's, as the rosters taken from
    /// them say: kept connected.
    linked: std::collections::HashSet<NodeKey>,
    /// When `linked` was last read.
    linked_at: Option<std::time::Instant>,
    /// Member nodes of linked coalitions dialed lately at the addresses their statements files
    /// carried, and when (`Core::dial_linked`).
    linked_dialed: HashMap<NodeKey, std::time::Instant>,
    /// Proposals answering calls whose mandate position this node drafted, or would not.
    answered: std::collections::HashSet<(CoalitionId, model::ProposalId)>,
    /// Per peer, since when and how many statements files it passed (see `passing`).
    passed_in: HashMap<NodeKey, (std::time::Instant, u32)>,
    /// Drafting on its own what the links share (`Replica::draft_shared`).
    publishing: replica::Publishing,
}

/// Least time between two rounds of carrying statements between coalitions.
pub const CARRY_EVERY: std::time::Duration = std::time::Duration::from_secs(10);
/// Most time between two rounds, changes or not (a proposal answering a call is decided when
/// it closes, which no change says).
pub const CARRY_AT_LEAST_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

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
        let own = sync::addresses::AddressRecord::sign(
            &replica.identity().secret_bytes(),
            &addrs,
            now_ms,
        );
        save_own_record(&replica, &own);
        sync.set_own_addresses(own);
        let learned = sync.learn_addresses(stored_addresses(&replica));
        debug!(records = learned, "where member nodes listen, as kept");
        let last_sync = replica.last_syncs().unwrap_or_else(|e| {
            warn!(error = %e, "could not read when peers last synced");
            BTreeMap::new()
        });
        let signing = peers::Signing {
            at: std::time::Instant::now(),
            record: addrs.clone(),
            resent: true,
            members_due: None,
            members_changed: false,
        };
        Self {
            replica,
            sync,
            out,
            dial,
            base_addrs: addrs.clone(),
            addrs,
            signing,
            net: std::sync::Arc::default(),
            progress: None,
            changed: None,
            people_url: None,
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
            last_work: None,
            redialed: HashMap::new(),
            connected_at: HashMap::new(),
            tried: HashMap::new(),
            peer_bound: PEERS_PER_COALITION,
            trimmed: std::time::Instant::now(),
            enough: None,
            let_go_at: HashMap::new(),
            members: None,
            compact_waited: 0,
            join_waiters: Vec::new(),
            carrying: Carrying {
                due: true,
                ..Default::default()
            },
        }
    }

    /// At a tick: compacts the coalitions due for it once a whole tick's time
    /// ([`crate::swarm::TICK`]) passed with nothing else to do (or a due compaction waited
    /// [`COMPACT_WAIT_TICKS`]), so that compacting a whole history is not on the way of a
    /// catch-up, an edit or an answer: not between the pages of a catch-up either, when the
    /// ticks queued while a page was applied arrive together, except once the wait is over
    /// (about a minute, so a catch-up in pages longer than that compacts once a minute).
    fn compact_when_idle(&mut self) {
        let busy = self
            .last_work
            .is_some_and(|at| at.elapsed() < crate::swarm::TICK);
        if !self.replica.compaction_due() {
            self.compact_waited = 0;
            return;
        }
        self.compact_waited += 1;
        if busy && self.compact_waited < COMPACT_WAIT_TICKS {
            return;
        }
        self.compact_waited = 0;
        let done = self.replica.compact_due();
        debug!(coalitions = done, "compacted while idle");
    }

    /// Drafts the mandate positions its member's decided answers give
    /// (`Replica::draft_mandates`), co-signs the drafts this node computes the same
    /// (`Replica::cosign_pending`), drafts what the links share as records change when it is
    /// its turn (`Replica::draft_shared`) and carries
    /// statements between the coalitions this node belongs to (`Replica::carry_statements`),
    /// and passes what they publish to connected member nodes of linked coalitions
    /// (`passing`), at most every [`CARRY_EVERY`], after something changed or a peer
    /// connected, and at least every [`CARRY_AT_LEAST_EVERY`]; what it writes goes to peers
    /// like any edit.
    fn carry(&mut self) {
        let since = self.carrying.at.map(|at| at.elapsed());
        // Proposals answering calls are decided by time as well as by positions.
        if since.is_some_and(|s| s >= CARRY_AT_LEAST_EVERY) {
            self.carrying.due = true;
        }
        if !self.carrying.due || since.is_some_and(|s| s < CARRY_EVERY) {
            return;
        }
        self.carrying.due = false;
        self.carrying.at = Some(std::time::Instant::now());
        let mut wrote = false;
        match self.replica.draft_mandates(&mut self.carrying.answered) {
            Ok(drafted) => wrote |= !drafted.is_empty(),
            Err(e) => warn!(error = %e, "could not draft mandate positions"),
        }
        let refusals = self.carrying.not_signed.len();
        match self.replica.cosign_pending(&mut self.carrying.not_signed) {
            Ok(signed) => {
                for (c, id) in &signed {
                    info!(coalition = %c, statement = %id.short(), "co-signed a statement this node computes the same");
                }
                wrote |= !signed.is_empty();
            }
            Err(e) => warn!(error = %e, "could not co-sign statements"),
        }
        // After co-signing: the drafts this node co-signed are those it waits for.
        match self
            .replica
            .draft_shared(&mut self.carrying.publishing, replica::now())
        {
            Ok(drafted) => wrote |= !drafted.is_empty(),
            Err(e) => warn!(error = %e, "could not draft what the links share"),
        }
        let carried = match self.replica.carry_statements(&mut self.carrying.refused) {
            Ok(c) => c,
            Err(e) => {
                warn!(error = %e, "could not carry statements between coalitions");
                Vec::new()
            }
        };
        for c in carried {
            let _s = info_span!("coalition", coalition = %c.to, from = %c.from).entered();
            let stored = c
                .offers
                .iter()
                .filter(|(_, o)| matches!(o, model::Offer::Stored))
                .count();
            if stored > 0 {
                info!(stored, "carried statements in from a linked coalition");
                wrote = true;
            }
        }
        // What this round wrote may let more be signed or carried (a roster in force, a
        // statement now verifying), and a round that refused drafts may have stopped at its
        // bound: another round follows.
        if wrote || self.carrying.not_signed.len() > refusals {
            self.carrying.due = true;
        }
        if wrote {
            let outputs = self.push_local_changes();
            self.dispatch(outputs);
        }
        self.pass_statements();
        self.dial_linked();
    }

    /// Shares with the network side (see [`crate::swarm::Shared`]).
    pub fn with_network(mut self, shared: std::sync::Arc<crate::swarm::Shared>) -> Self {
        self.net = shared;
        self
    }

    /// Keeps `n` member nodes dialed per coalition (see `core::peerset`; at least 2, so that
    /// the nodes' choices make a connected graph).
    pub fn with_peer_bound(mut self, n: usize) -> Self {
        self.peer_bound = n.max(2);
        self
    }

    /// Drafts a statement a link shares at most once every `every` on a subject, waiting that
    /// long for each member before its own (`None`: drafts nothing on its own; see
    /// `Replica::draft_shared`).
    pub fn with_publish_every(mut self, every: Option<std::time::Duration>) -> Self {
        self.carrying.publishing = replica::Publishing::new(every);
        self
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

    /// Tells `tx` each coalition whose records changed: changes applied from a peer, or an
    /// edit made here. (A receiver that lags loses the oldest; nobody listening is fine.)
    pub fn with_changes(mut self, tx: tokio::sync::broadcast::Sender<CoalitionId>) -> Self {
        self.changed = Some(tx);
        self
    }

    /// People's setup links point at the UI served at `url` (`https://HOST:PORT`).
    pub fn with_people_url(mut self, url: String) -> Self {
        self.people_url = Some(url);
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
        // The member nodes, to choose which to dial.
        self.refresh_members();
        let kept: Vec<_> = self.sync.address_book().records().cloned().collect();
        self.dial_members(&kept);
        self.resume_joins();
        self.follow_network();
        while let Some(event) = events.blocking_recv() {
            if matches!(event, Event::Shutdown) {
                break;
            }
            let work = !matches!(event, Event::Tick);
            self.handle(event);
            if work {
                self.last_work = Some(std::time::Instant::now());
            }
        }
        self.release_join_waiters();
        self.save_last_sync(true);
        self.replica.keep_reads();
        self.replica
    }

    fn handle(&mut self, event: Event) {
        if matches!(event, Event::Tick) {
            // Only what time passing asks for (sync rounds only where a pause ended); no
            // gauges.
            if !self.unjudged.is_empty() {
                self.judge_strangers();
            }
            if !self.pending_dials.is_empty() {
                self.flush_dials();
            }
            self.save_last_sync(false);
            self.wake_join_waiters();
            self.follow_network();
            self.trim_peers();
            // Coalitions whose sync with a peer was paused for rounds that brought nothing
            // go on once their pause is over.
            let outputs = self.sync.resume_paused(
                &mut ReplicaDocs(&mut self.replica),
                std::time::Instant::now(),
            );
            if !outputs.is_empty() {
                self.dispatch(outputs);
            }
            self.compact_when_idle();
            self.carry();
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
            Event::Api(job) => job.request().writes(),
            _ => false,
        };
        let edited = match &event {
            Event::Api(job) if job.request().writes() => job
                .request()
                .coalition()
                .and_then(|c| c.parse::<CoalitionId>().ok()),
            _ => None,
        };
        let outputs = self.outputs_for(event);
        if let Some(tx) = &self.changed {
            let applied = outputs.iter().filter_map(|o| match o {
                Output::Applied { coalition, .. } => Some(coalition.clone()),
                _ => None,
            });
            let changed: std::collections::BTreeSet<CoalitionId> = applied.chain(edited).collect();
            for c in changed {
                let _ = tx.send(c);
            }
        }
        // Only edits and applied changes grow the store.
        let stored = local_edit || outputs.iter().any(|o| matches!(o, Output::Applied { .. }));
        self.carrying.due |= stored;
        // The members in force may differ: read again at the next tick.
        if stored
            || outputs
                .iter()
                .any(|o| matches!(o, Output::Joined { .. } | Output::ForkDecided { .. }))
        {
            self.signing.members_changed = true;
        }
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
        self.wake_join_waiters();
    }
}
