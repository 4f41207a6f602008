//! [`SyncNode`]: one node's side of the sync protocol with all its peers.
//!
//! Events go in (a peer connected, a frame arrived, a local edit was made); [`Output`]s come
//! out (frames to send, refusals to log and count, peers to drop). No sockets, no clock, no
//! randomness: the same events give the same outputs, so a simulation can replay any run.
//!
//! Per peer and shared coalition it runs Automerge's sync protocol to catch up after a
//! disconnection, and pushes signed changes as they are made.

mod accept;
mod joins;
mod pages;
mod receive;

use accept::*;
pub use joins::{JoinProgress, JoinRequest, MAX_REFUSED_JOINS};

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use automerge::sync::{State, SyncDoc};
use automerge::{AutoCommit, Change, ChangeHash};
use model::ops::ChangeFacts;
use model::rules::Validator;
use model::{CoalitionId, NodeKey};
use tracing::{debug, info, warn};

use crate::addresses::{AddressBook, AddressRecord};

use crate::docs::Documents;
use crate::verify::ChangeSignature;
use crate::verify::{Carried, Refusal, change_in_chunk, check_signatures, decode_sync};
use crate::wire::{self, ByteChunk, LinkTakes, Message, SignedHead, WireCoalition};

/// Sync messages in a row that bring nothing new before a peer is cut off for a coalition (a
/// round in which the peer took a page of a long catch-up sent to it counts as useful, see
/// `pages`).
pub const MAX_IDLE_ROUNDS: u32 = 12;
/// Refusals before a peer is disconnected.
pub const MAX_STRIKES: u32 = 8;

/// Something for the node's I/O layer to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send a frame to a peer.
    Send {
        /// The peer.
        peer: NodeKey,
        /// The encoded message.
        frame: Vec<u8>,
    },
    /// A message or change from a peer was refused: log it and count it against the peer.
    Refused {
        /// The peer that sent it.
        peer: NodeKey,
        /// The coalition concerned, when known and shared.
        coalition: Option<CoalitionId>,
        /// The rule it broke.
        reason: Refusal,
    },
    /// Close the connection to a peer.
    Disconnect {
        /// The peer.
        peer: NodeKey,
        /// Why.
        reason: String,
    },
    /// A peer presented an invite's secret to join a coalition; the node decides.
    JoinRequest {
        /// The peer (its key becomes the new member's node key if admitted).
        peer: NodeKey,
        /// The coalition.
        coalition: CoalitionId,
        /// The invite's secret.
        secret: [u8; 16],
        /// The new member organization's name.
        org: String,
    },
    /// The node this one asked to join through refused (used or expired invite...).
    JoinRefused {
        /// The inviting peer.
        peer: NodeKey,
        /// The coalition.
        coalition: CoalitionId,
        /// Why.
        reason: String,
    },
    /// A member's node was found to have forked its history (two different changes with
    /// one sequence number): its key is flagged, and the version another member built on is
    /// kept, the others set aside with what was built on them (see [`crate::forks`]).
    Forked {
        /// The coalition.
        coalition: CoalitionId,
        /// The key that forked.
        key: NodeKey,
        /// The sequence number of its versions.
        seq: u64,
        /// How many changes this node holds set aside in the coalition.
        set_aside: usize,
    },
    /// A version of a fork in the coalition got a witness here (see [`crate::forks`]): the
    /// forks of some keys may all be decided now ([`SyncNode::decided_keys`]), and this
    /// node's member may flag those keys.
    ForkDecided {
        /// The coalition.
        coalition: CoalitionId,
    },
    /// A peer speaks another protocol version: it has been told which one this node speaks
    /// (when it did not tell first) and is disconnected.
    Incompatible {
        /// The peer.
        peer: NodeKey,
        /// The version it speaks.
        speaks: u8,
    },
    /// Newer records of where member nodes listen (checked, see [`crate::addresses`]): keep
    /// them, and reach those nodes.
    Addresses {
        /// The records.
        records: Vec<AddressRecord>,
    },
    /// A peer passed statements of a linked coalition (a statements file, see
    /// [`Message::Statements`]): the node judges them, and says what it refused with
    /// [`SyncNode::refuse_statements`].
    Statements {
        /// The peer.
        peer: NodeKey,
        /// The file's bytes (at most `model::federation::MAX_FILE`).
        file: Vec<u8>,
    },
    /// New changes from a peer were stored and applied.
    Applied {
        /// The peer they came from.
        peer: NodeKey,
        /// The coalition.
        coalition: CoalitionId,
        /// How many changes.
        changes: usize,
    },
    /// A coalition this node asked to join has arrived (it holds all a peer syncing it held:
    /// one message brought it, or the last of several pages): the join is over, and its
    /// request no longer presented.
    Joined {
        /// The inviting peer it came from.
        peer: NodeKey,
        /// The coalition.
        coalition: CoalitionId,
    },
}

/// Changes received from a peer, as [`SyncNode::accept`] takes them.
pub(crate) struct Batch {
    pub(crate) changes: Vec<Change>,
    /// When the changes came as a checked whole document, that document: it replaces an
    /// empty one instead of the changes being applied one by one.
    pub(crate) snapshot: Option<AutoCommit>,
    /// Changes carried only to vouch for the others (see [`crate::forks`]); never applied.
    pub(crate) vouchers: Vec<Change>,
}

impl From<Vec<Change>> for Batch {
    fn from(changes: Vec<Change>) -> Self {
        Self {
            changes,
            snapshot: None,
            vouchers: Vec::new(),
        }
    }
}

/// What [`SyncNode::accept`] did with a batch.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Changes stored and applied.
    pub(crate) count: usize,
    /// Changes left out because they depend on changes not here.
    dangling: usize,
}

#[derive(Debug)]
pub(crate) struct PeerDoc {
    pub(crate) state: State,
    idle: u32,
    /// Changes the peer is known to hold beyond the heads of the last sync round: those it
    /// sent, and those sent to it on the live connection (newest last, at most
    /// `MAX_KNOWN_HASHES`).
    known: std::collections::VecDeque<ChangeHash>,
    /// Pages of a long catch-up not sent yet (see `pages`).
    withheld: pages::Withheld,
    /// Times the peer said it holds nothing after saying it held something, in this sync
    /// session (each makes Automerge build all it lacks again): at most
    /// [`MAX_START_OVERS`].
    start_overs: u32,
    /// No sync round goes to the peer while paused (see [`RESUME_AFTER`]).
    paused: Option<Pause>,
    /// Pauses so far on this connection (each twice as long as the one before).
    pauses: u32,
    /// Times it was sent again what it lacks on this connection (at most [`MAX_RESENDS`]).
    resends: u32,
    /// The last sync round for the peer sent it nothing (nothing new to say).
    quiet: bool,
    /// Whole documents it sent while this node held some of the coalition, weighed (see
    /// `on_sync`): one may cross this node's first round, honestly; past
    /// [`MAX_CROSSED_SNAPSHOTS`] each is refused unweighed.
    crossed: u32,
    /// Its sync messages in a row that told nothing new (the same heads, no change taken)
    /// while this node had nothing to say either (at most [`MAX_IDLE_ROUNDS`]): Automerge
    /// answers none such, so they are not reset by the rounds ending as `idle` is.
    chatter: u32,
}

/// Bytes of messages being reassembled from fragments, from all peers together, in messages
/// as large as the node takes (its message limit): past that, the message whose last piece
/// came longest ago is dropped, its remaining pieces let go unread (no refusal: the peer may
/// be honest and slow) and the rounds with that peer started afresh. A peer stalling before
/// its last piece held its bytes for as long as it stayed connected, and each of a member's
/// keys could do so at once.
pub const MAX_ASSEMBLING_MESSAGES: usize = 2;

/// Whole documents a peer may send, in one sync session of a coalition, to a node that holds
/// some of it, before the next is refused unweighed: a snapshot sent to a node holding
/// nothing crosses the node's first round at most once, and weighing one inflates its columns
/// (up to the message limit) and counts its entries.
pub const MAX_CROSSED_SNAPSHOTS: u32 = 2;

/// Times a peer may say it holds nothing of a coalition after saying it held some, in one
/// sync session of it (a connection, started afresh when the members in force change, or
/// after a pause), before that coalition's rounds with it are paused ([`RESUME_AFTER`]): each
/// makes Automerge build again all it lacks, and an honest node loses its copy once in a
/// while, not round after round.
pub const MAX_START_OVERS: u32 = 2;

/// Most changes relayed to the other peers as one pushed batch. A larger batch is a catch-up,
/// not live edits (and a pushed batch over [`wire::MAX_CHANGES`] would be refused): the
/// other peers are offered it through a sync round instead, which sends each only what it
/// lacks.
pub const MAX_RELAY: usize = 1_000;

/// Times per connection and coalition a peer that asks again is sent again what it lacks
/// (see `on_sync`), one more after each pause: an honest node needs it after a batch it could
/// not take, rarely twice.
pub const MAX_RESENDS: u32 = 3;

/// Changes remembered per peer and coalition beyond the last sync round's heads.
const MAX_KNOWN_HASHES: usize = 64;

impl PeerDoc {
    pub(crate) fn new() -> Self {
        Self {
            state: State::new(),
            idle: 0,
            known: std::collections::VecDeque::new(),
            withheld: pages::Withheld::default(),
            start_overs: 0,
            paused: None,
            pauses: 0,
            resends: 0,
            quiet: false,
            chatter: 0,
            crossed: 0,
        }
    }

    /// A fresh sync state for the same peer and coalition that keeps a pause under way and
    /// the count of pauses and of resends (a restart of the rounds must not end or reset them).
    pub(crate) fn restarted(&self) -> Self {
        Self {
            paused: self.paused,
            pauses: self.pauses,
            resends: self.resends,
            ..Self::new()
        }
    }

    fn note(&mut self, hashes: impl IntoIterator<Item = ChangeHash>) {
        for h in hashes {
            if self.known.len() == MAX_KNOWN_HASHES {
                self.known.pop_front();
            }
            self.known.push_back(h);
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Peer {
    pub(crate) docs: BTreeMap<CoalitionId, PeerDoc>,
    /// Coalitions the peer offered in its last Hello.
    offered: BTreeSet<CoalitionId>,
    /// Whether a Hello came from it on this connection.
    greeted: bool,
    /// A fragmented message being reassembled: (pieces expected, next index, bytes so far).
    assembly: Option<(u32, u32, Vec<u8>)>,
    /// When a piece of it last came, counted in pieces received from any peer (see
    /// [`MAX_ASSEMBLING_MESSAGES`]).
    assembled_at: u64,
    /// A message dropped to make room for others': (pieces expected, next index). Its
    /// remaining pieces are let go unread, and the peer's sync rounds were started afresh.
    discarding: Option<(u32, u32)>,
    strikes: u32,
    /// The largest message it takes, as its Hello said (within the wire's bounds).
    limit: Option<usize>,
    /// What it takes from this node's coalitions, as its last Hello said: the fewest signers
    /// and the kinds per (publisher, its coalition).
    takes: BTreeMap<(CoalitionId, CoalitionId), LinkTakes>,
    /// What this node told it it takes, as every Hello of the connection told: the fewest
    /// signers and every kind told per (its coalition, this node's), kept only where every
    /// Hello named the pair (none before the first).
    told: Option<BTreeMap<(CoalitionId, CoalitionId), LinkTakes>>,
}

/// How long the sync of a coalition with a peer is paused, the first time in a connection,
/// after rounds that brought nothing ([`MAX_IDLE_ROUNDS`]) or repeated start-overs
/// ([`MAX_START_OVERS`]); each later pause of the same coalition with the same peer lasts
/// twice the one before, up to [`MAX_PAUSE_FACTOR`] times this. While paused, what the peer
/// sends is taken in (its changes checked and applied, its sync messages read, so that the
/// two sides' records of what the other holds stay true; no snapshot is loaded) but no sync
/// round goes to it (pushed changes, forks and addresses still do); then the rounds go on
/// from there. Past [`MAX_IDLE_ROUNDS`] rounds that bring nothing within one pause, each is
/// refused unread, with a strike ([`MAX_STRIKES`] end the connection): an honest peer, not
/// answered, sends a round or two. The pause itself counts no strike. An honest peer caught
/// by the limit is late, not left behind for the rest of its connection.
pub const RESUME_AFTER: std::time::Duration = std::time::Duration::from_secs(30);
/// Longest pause, as a multiple of [`RESUME_AFTER`].
pub const MAX_PAUSE_FACTOR: u32 = 8;

/// A pause of a coalition's rounds with a peer. The state machine reads no clock: a pause
/// is timed from the first [`SyncNode::resume_paused`] that sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pause {
    /// Begun, for this long, not timed yet.
    For(std::time::Duration),
    /// Ends then.
    Until(std::time::Instant),
}

/// Pushes a message for `peer`, as one frame or as fragments.
pub(crate) fn send(out: &mut Vec<Output>, peer: NodeKey, msg: &Message) {
    for frame in msg.frames() {
        out.push(Output::Send { peer, frame });
    }
}

/// The hashes of the changes in `changes` that are the newest there of their actor, where
/// that is not the actor's newest signed change in `signed` (whose signatures are sent
/// anyway).
fn unsigned_tops<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
    signed: &[ChangeSignature],
) -> Vec<ChangeHash> {
    let mut newest: BTreeMap<Vec<u8>, (u64, ChangeHash)> = BTreeMap::new();
    for ch in changes {
        let e = newest
            .entry(ch.actor_id().to_bytes().to_vec())
            .or_insert((0, ch.hash()));
        if ch.seq() >= e.0 {
            *e = (ch.seq(), ch.hash());
        }
    }
    let signed: HashSet<[u8; 32]> = signed.iter().map(|s| s.hash).collect();
    newest
        .into_values()
        .map(|(_, h)| h)
        .filter(|h| !signed.contains(&h.0))
        .collect()
}

/// One node's sync state with all its connected peers.
#[derive(Debug)]
pub struct SyncNode {
    pub(crate) peers: BTreeMap<NodeKey, Peer>,
    /// Coalitions this node is joining, and the peer that invited it.
    expected: BTreeMap<CoalitionId, NodeKey>,
    /// What this node presents to the inviter of each coalition it asked to join (`joins`).
    joins: BTreeMap<CoalitionId, JoinRequest>,
    /// Joins the inviting node refused, with its reason (bounded: [`MAX_REFUSED_JOINS`]).
    refused_joins: BTreeMap<CoalitionId, String>,
    /// Recovering after an identity import: take in coalitions peers name.
    recovering: bool,
    /// Largest message taken from a peer, whole or reassembled from fragments.
    pub(crate) max_message: usize,
    /// Pieces of fragmented messages received so far, from any peer.
    pub(crate) pieces: u64,
    /// Peers whose message in pieces was just dropped to make room: their rounds start
    /// afresh (the message is lost, and each side would wait for the other).
    pub(crate) dropped_assemblies: Vec<NodeKey>,
    /// What is known of forks per coalition (loaded from the documents when first needed).
    pub(crate) forks: BTreeMap<CoalitionId, crate::forks::Forks>,
    /// Evidence of forks not yet tied to what is held of its coalition (in memory, bounded).
    pub(crate) pending_forks: BTreeMap<CoalitionId, Vec<crate::forks::Fork>>,
    /// Witnesses whose fork is not known here yet, or not tied to what is held (in memory,
    /// bounded like `pending_forks`).
    pub(crate) pending_witnesses: BTreeMap<CoalitionId, Vec<crate::forks::Witness>>,
    /// Where member nodes listen, as they signed it.
    pub(crate) book: AddressBook,
    /// This node's own record, given to peers it syncs with.
    pub(crate) own: Option<AddressRecord>,
    /// Records of nodes not known as members yet (see `addresses`), at most
    /// `addresses::MAX_PENDING`.
    pub(crate) pending: BTreeMap<[u8; 32], crate::addresses::Held>,
    /// The time, as the node last gave it (for address records only).
    pub(crate) now: Option<u64>,
    /// Coalitions whose document was weighed too heavy to send whole, with the heads it had
    /// then and the message limit it was weighed for: not saved and weighed again for a new
    /// member taking no more until it changes (one entry per coalition held).
    pub(crate) too_heavy: BTreeMap<CoalitionId, (Vec<automerge::ChangeHash>, usize)>,
    /// The governance after the last batch judged per coalition, with the heads it holds at:
    /// a change made on those heads (a live edit arriving) is judged without reading the
    /// governance at past heads again (`Validator::knowing`). Keyed by heads, so it is never
    /// wrong for a document rolled back, reloaded or rebuilt since: it is just not used.
    pub(crate) governance: BTreeMap<CoalitionId, Known>,
}

/// The governance at a set of heads (see `SyncNode::governance`).
pub(crate) type Known = (
    Vec<automerge::ChangeHash>,
    std::sync::Arc<model::governance::Governance>,
);

impl Default for SyncNode {
    fn default() -> Self {
        Self {
            peers: BTreeMap::new(),
            expected: BTreeMap::new(),
            joins: BTreeMap::new(),
            refused_joins: BTreeMap::new(),
            recovering: false,
            max_message: crate::wire::MAX_MESSAGE,
            pieces: 0,
            dropped_assemblies: Vec::new(),
            forks: BTreeMap::new(),
            pending_forks: BTreeMap::new(),
            pending_witnesses: BTreeMap::new(),
            book: AddressBook::default(),
            own: None,
            pending: BTreeMap::new(),
            too_heavy: BTreeMap::new(),
            governance: BTreeMap::new(),
            now: None,
        }
    }
}

pub(crate) fn wire_id(c: &CoalitionId) -> WireCoalition {
    c.to_bytes()
}

fn from_wire(c: &WireCoalition) -> CoalitionId {
    CoalitionId::from_bytes(*c)
}

impl SyncNode {
    /// A node with no peers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes messages from peers of at most `bytes` (whole or reassembled), within
    /// [`wire::MIN_MESSAGE_LIMIT`] and
    /// [`wire::MAX_MESSAGE`]; a larger message is refused like a
    /// malformed one. Lowering it bounds the memory one peer can make this node hold; peers
    /// are told it in the Hello, and send a longer catch-up in pages (see `pages`).
    pub fn set_max_message(&mut self, bytes: usize) {
        self.max_message = bytes.clamp(crate::wire::MIN_MESSAGE_LIMIT, crate::wire::MAX_MESSAGE);
    }

    /// How many pieces of evidence and witnesses wait in memory for `c` (for tests and
    /// diagnostics).
    #[doc(hidden)]
    pub fn waiting(&self, c: &CoalitionId) -> (usize, usize) {
        (
            self.pending_forks.get(c).map_or(0, Vec::len),
            self.pending_witnesses.get(c).map_or(0, Vec::len),
        )
    }

    /// Keys that forked in `c` whose every fork known has a version with a witness: the
    /// version kept is settled, so flagging them (see `model::CoalitionDoc::flag_key`) builds
    /// on what every node keeps, not on a version that may yet be set aside.
    pub fn decided_keys(&mut self, docs: &mut impl Documents, c: &CoalitionId) -> Vec<NodeKey> {
        self.load_forks(docs, c);
        self.forks
            .get(c)
            .map(|f| f.decided().into_iter().map(NodeKey::from_bytes).collect())
            .unwrap_or_default()
    }

    /// The largest message this node takes from a peer.
    pub fn max_message(&self) -> usize {
        self.max_message
    }

    /// How many address records are held aside, of nodes not known as members yet.
    pub fn held_aside(&self) -> usize {
        self.pending.len()
    }

    /// Peers currently connected.
    pub fn peers(&self) -> impl Iterator<Item = &NodeKey> {
        self.peers.keys()
    }

    /// Whether `peer` is connected (its frames are handled).
    pub fn is_connected(&self, peer: &NodeKey) -> bool {
        self.peers.contains_key(peer)
    }

    /// Whether this node syncs coalition `c` with the connected `peer` (both sides named it).
    pub fn syncs_with(&self, peer: &NodeKey, c: &CoalitionId) -> bool {
        self.peers.get(peer).is_some_and(|p| p.docs.contains_key(c))
    }

    /// A message from `peer` arriving in pieces: (pieces received, pieces in all, bytes so
    /// far), if one is.
    pub fn assembling(&self, peer: &NodeKey) -> Option<(u32, u32, usize)> {
        let (of, next, bytes) = self.peers.get(peer)?.assembly.as_ref()?;
        Some((*next, *of, bytes.len()))
    }

    /// The coalitions this node syncs with a connected `peer`, when that is all they do
    /// together and they are in step: it greeted, syncs at least one coalition, offered none
    /// that is not synced (a join through this node, a newer copy), this node joins nothing
    /// through it, no message from it is being reassembled, no long catch-up to it is under
    /// way, and a sync round of each coalition came from it. `None` otherwise: such a peer
    /// is never let go to keep the peer set bounded (a join's catch-up is never cut short).
    pub fn settled_coalitions(&self, peer: &NodeKey) -> Option<Vec<CoalitionId>> {
        let p = self.peers.get(peer)?;
        let settled = p.greeted
            && !p.docs.is_empty()
            && p.assembly.is_none()
            && p.docs
                .values()
                .all(|d| d.withheld.is_empty() && d.state.their_heads.is_some())
            && p.offered.iter().all(|c| p.docs.contains_key(c))
            && !self.expected.values().any(|inviter| inviter == peer);
        settled.then(|| p.docs.keys().cloned().collect())
    }

    /// Whether this node is joining a coalition that has not all arrived yet.
    pub fn joining(&self) -> bool {
        !self.joins.is_empty()
    }

    /// Whether a connected `peer` has greeted this node (sent its Hello).
    pub fn greeted(&self, peer: &NodeKey) -> bool {
        self.peers.get(peer).is_some_and(|p| p.greeted)
    }

    /// Whether a connected `peer` shares nothing with this node, as far as the greetings tell:
    /// no coalition synced with it, none it named that this node holds (a member whose copy
    /// is newer, a node joining through this one), and none this node would name to it (it
    /// is a member here, or this node joins through it). Such a peer is a stranger: there is
    /// no reason to stay connected. A peer that has not greeted yet cannot be told apart
    /// (it may be a member's node this copy does not know of yet): it does not count as a
    /// stranger. A peer not connected shares nothing.
    pub fn shares_nothing(&self, docs: &mut impl Documents, peer: &NodeKey) -> bool {
        let Some(p) = self.peers.get(peer) else {
            return true;
        };
        if !p.greeted || !p.docs.is_empty() {
            return false;
        }
        let held = docs.coalitions();
        if p.offered.iter().any(|c| held.contains(c)) || (self.recovering && !p.offered.is_empty())
        {
            return false;
        }
        self.offer_for(docs, peer).is_empty()
    }

    /// Changes `peer` is known to hold of coalition `c`, if it syncs it: the heads of the
    /// last sync round and the changes exchanged live since. Changes of this node that are
    /// not among them or their ancestors are what the peer is behind by.
    pub fn peer_heads(&self, peer: &NodeKey, c: &CoalitionId) -> Option<Vec<ChangeHash>> {
        let d = self.peers.get(peer)?.docs.get(c)?;
        let mut heads = d.state.their_heads.clone().unwrap_or_default();
        heads.extend(d.known.iter().copied());
        Some(heads)
    }

    /// Ends the connection with a peer speaking protocol version `speaks`, telling it first
    /// which version this node speaks (unless it told this node first).
    fn incompatible(&mut self, peer: NodeKey, speaks: u8, tell: bool, out: &mut Vec<Output>) {
        if tell {
            out.push(Output::Send {
                peer,
                frame: crate::wire::version_notice(),
            });
        }
        out.push(Output::Incompatible { peer, speaks });
        out.push(Output::Disconnect {
            peer,
            reason: format!(
                "it speaks protocol version {speaks}; this node speaks {}",
                crate::wire::VERSION
            ),
        });
    }

    /// Takes in (or not) every coalition a peer names in its Hello that this node does not
    /// hold: a node recovering its coalitions after an identity import.
    pub fn set_recovering(&mut self, recovering: bool) {
        self.recovering = recovering;
    }

    /// How many connected peers sync each coalition.
    pub fn sharing(&self) -> BTreeMap<CoalitionId, usize> {
        self.sharing_among(|_| true)
    }

    /// How many connected peers that `counted` says count sync each coalition.
    pub fn sharing_among(
        &self,
        counted: impl Fn(&NodeKey) -> bool,
    ) -> BTreeMap<CoalitionId, usize> {
        let mut out = BTreeMap::new();
        for (_, p) in self.peers.iter().filter(|(k, _)| counted(k)) {
            for c in p.docs.keys() {
                *out.entry(c.clone()).or_insert(0) += 1;
            }
        }
        out
    }

    /// Coalitions to name in a Hello to `peer`: those where it is a member, plus any this node
    /// is joining through it.
    fn offer_for(&self, docs: &mut impl Documents, peer: &NodeKey) -> Vec<WireCoalition> {
        let mut out = BTreeSet::new();
        for c in docs.coalitions() {
            if docs
                .member_key_map(&c)
                .is_some_and(|keys| keys.contains_key(peer.as_bytes()))
            {
                out.insert(wire_id(&c));
            }
        }
        for (c, inviter) in &self.expected {
            if inviter == peer {
                out.insert(wire_id(c));
            }
        }
        out.into_iter().collect()
    }

    fn hello(&mut self, docs: &mut impl Documents, peer: NodeKey) -> Output {
        let coalitions = self.offer_for(docs, &peer);
        let mut takes = docs.takes_for(&peer);
        takes.truncate(crate::wire::MAX_TAKES);
        let now: BTreeMap<(CoalitionId, CoalitionId), LinkTakes> = takes
            .iter()
            .map(|(from, to, k)| ((from.clone(), to.clone()), *k))
            .collect();
        if let Some(p) = self.peers.get_mut(&peer) {
            p.told = Some(match p.told.take() {
                None => now,
                // Only pairs every Hello told, at the fewest signers told and with every kind
                // told: what an honest peer may have passed from any of them.
                Some(mut told) => {
                    told.retain(|pair, k| match now.get(pair) {
                        Some(n) => {
                            k.threshold = k.threshold.min(n.threshold);
                            k.kinds |= n.kinds;
                            true
                        }
                        None => false,
                    });
                    told
                }
            });
        }
        Output::Send {
            peer,
            frame: Message::Hello {
                coalitions,
                max_message: self.max_message as u64,
                takes: takes
                    .iter()
                    .map(|(from, to, taking)| crate::wire::Takes {
                        from: wire_id(from),
                        to: wire_id(to),
                        threshold: taking.threshold,
                        kinds: taking.kinds,
                    })
                    .collect(),
            }
            .encode(),
        }
    }

    /// The fewest signers and the kinds `peer` takes on a statement of `from` (this node's
    /// coalition) for `to` (the peer's), as its last Hello said; none where it said nothing of
    /// the pair.
    pub fn takes_from(
        &self,
        peer: &NodeKey,
        from: &CoalitionId,
        to: &CoalitionId,
    ) -> Option<LinkTakes> {
        self.peers
            .get(peer)?
            .takes
            .get(&(from.clone(), to.clone()))
            .copied()
    }

    /// What this node told `peer` it takes on a statement of `from` (the peer's coalition)
    /// for `to` (this node's), in every Hello of this connection: the fewest signers any
    /// told, and every kind any told. A statement of `from` the peer passes with fewer signers,
    /// or of a kind none told, is one it knew would not count. None where a Hello left the
    /// pair out.
    pub fn told_to(
        &self,
        peer: &NodeKey,
        from: &CoalitionId,
        to: &CoalitionId,
    ) -> Option<LinkTakes> {
        self.peers
            .get(peer)?
            .told
            .as_ref()?
            .get(&(from.clone(), to.clone()))
            .copied()
    }

    /// Forgets everything about a coalition this node no longer holds (a join cancelled or
    /// refused): what each peer syncs of it, and its fork state. A peer's later messages
    /// about it are then answered as about any coalition not shared.
    pub fn forget(&mut self, coalition: &CoalitionId) {
        self.expected.remove(coalition);
        self.joins.remove(coalition);
        for p in self.peers.values_mut() {
            p.docs.remove(coalition);
            p.offered.remove(coalition);
        }
        self.forks.remove(coalition);
        self.pending_forks.remove(coalition);
        self.pending_witnesses.remove(coalition);
        self.too_heavy.remove(coalition);
        self.governance.remove(coalition);
    }

    /// The largest message `peer` takes, as its Hello said, read within the wire's bounds.
    fn on_limit(&mut self, peer: NodeKey, bytes: u64) {
        if let Some(p) = self.peers.get_mut(&peer) {
            let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
            p.limit = Some(bytes.clamp(crate::wire::MIN_MESSAGE_LIMIT, crate::wire::MAX_MESSAGE));
        }
    }

    /// The largest message to send `peer`: what it takes (a peer that has not said is taken
    /// to take as much as this node).
    pub(crate) fn limit_for(&self, peer: &NodeKey) -> usize {
        self.peers
            .get(peer)
            .and_then(|p| p.limit)
            .unwrap_or(self.max_message)
    }

    /// The frames that pass statements `file` (a statements file) to `peer`: none when it is
    /// not connected and greeted, or takes no message that large (the file is then left for
    /// another way, and logged).
    pub fn statements_to(&self, peer: NodeKey, file: Vec<u8>) -> Vec<Output> {
        if !self.greeted(&peer) {
            return Vec::new();
        }
        let message = Message::Statements {
            file: crate::wire::ByteChunk(file),
        };
        let frames = message.frames();
        let size: usize = frames.iter().map(Vec::len).sum();
        if size > self.limit_for(&peer) {
            info!(%peer, size, limit = self.limit_for(&peer), "statements not passed to a peer: more than it takes in one message");
            return Vec::new();
        }
        frames
            .into_iter()
            .map(|frame| Output::Send { peer, frame })
            .collect()
    }

    /// The node did not take statements `peer` passed ([`Output::Statements`]), for `why`:
    /// the refusal, counted against the peer like any other (enough end the connection).
    pub fn refuse_statements(&mut self, peer: NodeKey, why: String) -> Vec<Output> {
        let mut out = Vec::new();
        if self.peers.contains_key(&peer) {
            self.refuse(peer, None, Refusal::Statements(why), &mut out);
        }
        out
    }

    /// A connection to `peer` was established (its key authenticated by the transport).
    pub fn connected(&mut self, docs: &mut impl Documents, peer: NodeKey) -> Vec<Output> {
        self.peers.insert(peer, Peer::default());
        let mut out = vec![self.hello(docs, peer)];
        self.join_frames_for(&peer, &mut out);
        out
    }

    /// The connection to `peer` closed; its sync state is forgotten, with the address
    /// records it sent that are held aside (it sends them again when it reconnects).
    pub fn disconnected(&mut self, peer: &NodeKey) {
        self.peers.remove(peer);
        self.pending.retain(|_, h| h.from != *peer);
    }

    /// Whether the sync of some coalition with some peer is paused (see [`RESUME_AFTER`]).
    pub fn any_paused(&self) -> bool {
        self.peers
            .values()
            .any(|p| p.docs.values().any(|d| d.paused.is_some()))
    }

    /// Goes on with the sync of each coalition paused with a peer ([`RESUME_AFTER`]) whose
    /// pause has ended at `now`, and times the pauses begun since the last call from `now`;
    /// the node calls it at each tick. (A peer no longer a member has no sync state left to
    /// resume: a change of members ends it.)
    pub fn resume_paused(
        &mut self,
        docs: &mut impl Documents,
        now: std::time::Instant,
    ) -> Vec<Output> {
        let mut due: Vec<(NodeKey, CoalitionId)> = Vec::new();
        for (k, p) in &mut self.peers {
            for (c, d) in &mut p.docs {
                match d.paused {
                    Some(Pause::For(pause)) => d.paused = Some(Pause::Until(now + pause)),
                    Some(Pause::Until(until)) if until <= now => {
                        d.paused = None;
                        d.idle = 0;
                        // One more resend for the rounds going on (see `on_sync`): a batch
                        // dropped later on a long connection is not left stalled; the pause
                        // bounds how often a peer asking again gets the history.
                        d.resends = d.resends.saturating_sub(1);
                        due.push((*k, c.clone()));
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for (peer, c) in due {
            info!(%peer, coalition = %c, "going on with the sync of a coalition with a peer after a pause");
            self.sync_step(docs, peer, &c, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ROOT};

    use super::*;

    /// Changes of two actors, three of `a` then one of `b`.
    fn changes() -> Vec<Change> {
        let mut doc = AutoCommit::new().with_actor(ActorId::from([1u8; 32].as_slice()));
        for i in 0..3i64 {
            doc.put(ROOT, "a", i).unwrap();
            doc.commit();
        }
        let mut other = doc.fork().with_actor(ActorId::from([2u8; 32].as_slice()));
        other.put(ROOT, "b", 1).unwrap();
        other.commit();
        doc.merge(&mut other).unwrap();
        doc.get_changes(&[])
    }

    /// A signature record over `c` (its bytes unchecked here).
    pub(super) fn signed(c: &Change) -> ChangeSignature {
        ChangeSignature {
            hash: c.hash().0,
            signature: [0; 64],
        }
    }

    #[test]
    fn a_message_whose_newest_change_of_an_actor_is_not_its_newest_signed_one_names_it() {
        let all = changes();
        let (a, b) = (&all[..3], &all[3]);
        // a's first two only (its third was sent before), b's: the signatures sent anyway
        // are over a's third and b's, so a's second needs its own.
        let newest = [signed(&a[2]), signed(b)];
        let sent = [a[0].clone(), a[1].clone(), b.clone()];
        assert_eq!(unsigned_tops(&sent, &newest), vec![a[1].hash()]);
        // Everything up to each actor's newest signed change: nothing more to sign for.
        let sent = [a[0].clone(), a[1].clone(), a[2].clone(), b.clone()];
        assert!(unsigned_tops(&sent, &newest).is_empty());
    }

    /// What a node tells a peer it takes is kept as every greeting of the connection told
    /// it (the fewest signers, every kind, none where one left the pair out); what the peer's
    /// greeting says it takes is its last one's.
    #[test]
    fn what_each_greeting_tells_a_peer_it_takes_is_kept_at_its_fewest() {
        use model::federation::Kind;
        let peer = NodeKey::from_bytes([7; 32]);
        let (p, q, r) = (
            CoalitionId::from_bytes([1; 16]),
            CoalitionId::from_bytes([2; 16]),
            CoalitionId::from_bytes([3; 16]),
        );
        let taking = |threshold, kinds: &[Kind]| LinkTakes {
            threshold,
            kinds: kinds.iter().fold(0, |bits, k| bits | k.bit()),
        };
        let mut docs = crate::docs::MemoryDocs::new(NodeKey::from_bytes([8; 32]));
        let mut node = SyncNode::new();
        assert_eq!(node.told_to(&peer, &p, &q), None);
        docs.takes.insert(
            peer,
            vec![
                (p.clone(), q.clone(), taking(3, &[Kind::Goal])),
                (r.clone(), q.clone(), taking(2, &[Kind::Issue])),
            ],
        );
        node.connected(&mut docs, peer);
        assert_eq!(node.told_to(&peer, &p, &q), Some(taking(3, &[Kind::Goal])));
        // A later greeting telling fewer signers and another kind, and leaving a pair out:
        // the fewest signers, every kind told.
        docs.takes
            .insert(peer, vec![(p.clone(), q.clone(), taking(2, &[Kind::Pool]))]);
        node.hello(&mut docs, peer);
        let told = node.told_to(&peer, &p, &q).unwrap();
        assert_eq!(told, taking(2, &[Kind::Goal, Kind::Pool]));
        assert!(told.takes(Kind::Goal) && told.takes(Kind::Pool) && !told.takes(Kind::Issue));
        assert_eq!(node.told_to(&peer, &r, &q), None);
        // More again: the fewest told stands; the pair left out is not told again.
        docs.takes.insert(
            peer,
            vec![
                (p.clone(), q.clone(), taking(5, &[Kind::Goal])),
                (r.clone(), q.clone(), taking(5, &[Kind::Goal])),
            ],
        );
        node.hello(&mut docs, peer);
        assert_eq!(
            node.told_to(&peer, &p, &q),
            Some(taking(2, &[Kind::Goal, Kind::Pool]))
        );
        assert_eq!(node.told_to(&peer, &r, &q), None);
        // The peer's greeting: what it takes of ours, as its last one said.
        let hello = |threshold, kinds| {
            Message::Hello {
                coalitions: Vec::new(),
                max_message: crate::wire::MAX_MESSAGE as u64,
                takes: vec![crate::wire::Takes {
                    from: q.to_bytes(),
                    to: p.to_bytes(),
                    threshold,
                    kinds,
                }],
            }
            .encode()
        };
        node.received(&mut docs, peer, &hello(4, Kind::Goal.bit()));
        assert_eq!(
            node.takes_from(&peer, &q, &p),
            Some(taking(4, &[Kind::Goal]))
        );
        node.received(&mut docs, peer, &hello(1, Kind::Call.bit()));
        assert_eq!(
            node.takes_from(&peer, &q, &p),
            Some(taking(1, &[Kind::Call]))
        );
        // A new connection starts afresh.
        node.disconnected(&peer);
        assert_eq!(
            (node.told_to(&peer, &p, &q), node.takes_from(&peer, &q, &p)),
            (None, None)
        );
    }
}
