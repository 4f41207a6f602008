//! [`SyncNode`]: one node's side of the sync protocol with all its peers.
//!
//! Events go in (a peer connected, a frame arrived, a local edit was made); [`Output`]s come
//! out (frames to send, refusals to log and count, peers to drop). No sockets, no clock, no
//! randomness: the same events give the same outputs, so a simulation can replay any run.
//!
//! Per peer and shared coalition it runs Automerge's sync protocol to catch up after a
//! disconnection, and pushes signed changes as they are made.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use automerge::sync::{State, SyncDoc};
use automerge::{AutoCommit, Change, ChangeHash};
use model::rules::Validator;
use model::{CoalitionId, NodeKey};
use tracing::{debug, info};

use crate::addresses::{AddressBook, AddressRecord};

use crate::docs::{Documents, member_keys};
use crate::verify::ChangeSignature;
use crate::verify::{Carried, Refusal, change_in_chunk, check_signatures, decode_sync};
use crate::wire::{self, ByteChunk, Message, SignedHead, WireCoalition};

/// Sync messages in a row that bring nothing new before a peer is cut off for a coalition.
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
    /// New changes from a peer were stored and applied.
    Applied {
        /// The peer they came from.
        peer: NodeKey,
        /// The coalition.
        coalition: CoalitionId,
        /// How many changes.
        changes: usize,
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
struct Applied {
    /// Changes stored and applied.
    count: usize,
    /// Changes left out because they depend on changes not here.
    dangling: usize,
}

#[derive(Debug)]
pub(crate) struct PeerDoc {
    state: State,
    idle: u32,
    /// Changes the peer is known to hold beyond the heads of the last sync round: those it
    /// sent, and those sent to it on the live connection (newest last, at most
    /// `MAX_KNOWN_HASHES`).
    known: std::collections::VecDeque<ChangeHash>,
}

/// Most changes relayed to the other peers as one pushed batch. A larger batch is a catch-up,
/// not live edits (and a pushed batch over [`wire::MAX_CHANGES`] would be refused): the
/// other peers are offered it through a sync round instead, which sends each only what it
/// lacks.
pub const MAX_RELAY: usize = 1_000;

/// Changes remembered per peer and coalition beyond the last sync round's heads.
const MAX_KNOWN_HASHES: usize = 64;

impl PeerDoc {
    pub(crate) fn new() -> Self {
        Self {
            state: State::new(),
            idle: 0,
            known: std::collections::VecDeque::new(),
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
    strikes: u32,
}

/// Pushes a message for `peer`, as one frame or as fragments.
pub(crate) fn send(out: &mut Vec<Output>, peer: NodeKey, msg: &Message) {
    for frame in msg.frames() {
        out.push(Output::Send { peer, frame });
    }
}

/// The hashes of the changes in `chunks` that are the newest there of their actor, where
/// that is not the actor's newest signed change in `signed` (whose signatures are sent
/// anyway). Chunks that do not parse are skipped: they are this node's own.
fn unsigned_tops(
    chunks: &automerge::sync::ChunkList,
    signed: &[ChangeSignature],
) -> Vec<ChangeHash> {
    let mut newest: BTreeMap<Vec<u8>, (u64, ChangeHash)> = BTreeMap::new();
    for chunk in chunks.iter() {
        // A whole document (a snapshot) carries no signatures of its own; parsing it would
        // hash it all for nothing.
        if crate::verify::chunk_extent(chunk).is_ok_and(|(kind, _)| kind == 0) {
            continue;
        }
        let Ok(ch) = Change::try_from(chunk) else {
            continue;
        };
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
    /// Recovering after an identity import: take in coalitions peers name.
    recovering: bool,
    /// Largest message taken from a peer, whole or reassembled from fragments.
    pub(crate) max_message: usize,
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
}

impl Default for SyncNode {
    fn default() -> Self {
        Self {
            peers: BTreeMap::new(),
            expected: BTreeMap::new(),
            recovering: false,
            max_message: crate::wire::MAX_MESSAGE,
            forks: BTreeMap::new(),
            pending_forks: BTreeMap::new(),
            pending_witnesses: BTreeMap::new(),
            book: AddressBook::default(),
            own: None,
            pending: BTreeMap::new(),
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
    /// malformed one. Lowering it bounds the memory one peer can make this node hold, and
    /// also the longest catch-up this node can take in one message.
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

    /// Joining: accept `coalition` from `inviter` although this node does not hold it yet. If
    /// already connected to the inviter, tells it so with a fresh Hello (which now offers the
    /// coalition), so that both sides start syncing once it admits this node.
    pub fn expect(
        &mut self,
        docs: &mut impl Documents,
        coalition: CoalitionId,
        inviter: NodeKey,
    ) -> Vec<Output> {
        self.expected.insert(coalition, inviter);
        if self.peers.contains_key(&inviter) {
            vec![self.hello(docs, inviter)]
        } else {
            Vec::new()
        }
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
        let mut out = BTreeMap::new();
        for p in self.peers.values() {
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
            if let Some((doc, _)) = docs.entry(&c)
                && member_keys(doc).contains(peer.as_bytes())
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

    fn hello(&self, docs: &mut impl Documents, peer: NodeKey) -> Output {
        let coalitions = self.offer_for(docs, &peer);
        Output::Send {
            peer,
            frame: Message::Hello { coalitions }.encode(),
        }
    }

    /// The frame a joining node sends to its inviter.
    pub fn join_frame(coalition: &CoalitionId, secret: [u8; 16], org: &str) -> Vec<u8> {
        Message::Join {
            coalition: wire_id(coalition),
            secret,
            org: org.to_owned(),
        }
        .encode()
    }

    /// The frame an inviting node sends when it refuses a join.
    pub fn join_refused_frame(coalition: &CoalitionId, reason: &str) -> Vec<u8> {
        Message::JoinRefused {
            coalition: wire_id(coalition),
            reason: reason.chars().take(200).collect(),
        }
        .encode()
    }

    /// Forgets everything about a coalition this node no longer holds (a join cancelled or
    /// refused): what each peer syncs of it, and its fork state. A peer's later messages
    /// about it are then answered as about any coalition not shared.
    pub fn forget(&mut self, coalition: &CoalitionId) {
        self.expected.remove(coalition);
        for p in self.peers.values_mut() {
            p.docs.remove(coalition);
            p.offered.remove(coalition);
        }
        self.forks.remove(coalition);
        self.pending_forks.remove(coalition);
        self.pending_witnesses.remove(coalition);
    }

    /// A connection to `peer` was established (its key authenticated by the transport).
    pub fn connected(&mut self, docs: &mut impl Documents, peer: NodeKey) -> Vec<Output> {
        self.peers.insert(peer, Peer::default());
        vec![self.hello(docs, peer)]
    }

    /// The connection to `peer` closed; its sync state is forgotten, with the address
    /// records it sent that are held aside (it sends them again when it reconnects).
    pub fn disconnected(&mut self, peer: &NodeKey) {
        self.peers.remove(peer);
        self.pending.retain(|_, h| h.from != *peer);
    }

    /// A frame arrived from `peer`.
    pub fn received(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        frame: &[u8],
    ) -> Vec<Output> {
        if !self.peers.contains_key(&peer) {
            debug!(%peer, "a frame from a peer not connected; dropped");
            return Vec::new();
        }
        let mut out = Vec::new();
        let decoded = match Message::decode_within(frame, self.max_message) {
            Ok(Message::Fragment {
                index,
                total,
                bytes,
            }) => match self.reassemble(peer, index, total, bytes.0) {
                Ok(None) => return out,
                Ok(Some(whole)) => match Message::decode_reassembled(&whole) {
                    Ok(Message::Fragment { .. }) => Err(crate::wire::WireError::Malformed(
                        "a fragment inside a fragment".into(),
                    )),
                    other => other,
                },
                Err(e) => Err(e),
            },
            other => other,
        };
        let result = match decoded {
            Err(crate::wire::WireError::PeerSpeaks { speaks }) => {
                self.incompatible(peer, speaks, false, &mut out);
                return out;
            }
            Err(crate::wire::WireError::Version { found }) => {
                self.refuse(
                    peer,
                    None,
                    Refusal::Wire(crate::wire::WireError::Version { found }),
                    &mut out,
                );
                self.incompatible(peer, found, true, &mut out);
                return out;
            }
            Err(e) => Err((None, Refusal::Wire(e))),
            // Fragments were reassembled above.
            Ok(Message::Fragment { .. }) => Ok(()),
            Ok(Message::Hello { coalitions }) => {
                self.on_hello(docs, peer, &coalitions, &mut out);
                Ok(())
            }
            Ok(Message::Join {
                coalition,
                secret,
                org,
            }) => {
                out.push(Output::JoinRequest {
                    peer,
                    coalition: from_wire(&coalition),
                    secret,
                    org,
                });
                Ok(())
            }
            Ok(Message::JoinRefused { coalition, reason }) => {
                let c = from_wire(&coalition);
                if self.expected.get(&c) == Some(&peer) {
                    out.push(Output::JoinRefused {
                        peer,
                        coalition: c,
                        reason,
                    });
                }
                Ok(())
            }
            Ok(Message::Sync {
                coalition,
                sync,
                heads,
                vouchers,
            }) => {
                let c = from_wire(&coalition);
                self.on_sync(docs, peer, &c, &sync, (&heads, &vouchers), &mut out)
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Changes {
                coalition,
                changes,
                heads,
                vouchers,
            }) => {
                let c = from_wire(&coalition);
                self.on_changes(docs, peer, &c, &changes, (&heads, &vouchers), &mut out)
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Fork {
                coalition,
                first,
                first_head,
                second,
                second_head,
            }) => {
                let c = from_wire(&coalition);
                self.check_shared(&peer, &c)
                    .and_then(|()| {
                        crate::forks::Fork::check(&first, &first_head, &second, &second_head)
                    })
                    .and_then(|fork| self.learn_fork(docs, Some(peer), &c, &fork, &mut out))
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Witness {
                coalition,
                path,
                head,
            }) => {
                let c = from_wire(&coalition);
                self.check_shared(&peer, &c)
                    .and_then(|()| crate::forks::Witness::check(&path, &head))
                    .and_then(|w| self.learn_witness(docs, Some(peer), &c, &w, &mut out))
                    .map_err(|r| (Some(c), r))
            }
            Ok(Message::Addresses { records }) => self
                .on_addresses(docs, peer, records, &mut out)
                .map_err(|r| (None, r)),
        };
        if let Err((coalition, reason)) = result {
            self.refuse(peer, coalition, reason, &mut out);
        }
        out
    }

    /// Adds a fragment; returns the whole message once its last piece has arrived.
    fn reassemble(
        &mut self,
        peer: NodeKey,
        index: u32,
        total: u32,
        bytes: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, crate::wire::WireError> {
        use crate::wire::WireError;
        let max = self.max_message;
        let Some(p) = self.peers.get_mut(&peer) else {
            return Ok(None);
        };
        if index == 0 {
            p.assembly = Some((total, 0, Vec::new()));
        }
        let Some((expected, next, buf)) = p.assembly.as_mut() else {
            return Err(WireError::Malformed(format!(
                "fragment {index} without its first piece"
            )));
        };
        if *expected != total || *next != index {
            p.assembly = None;
            return Err(WireError::Malformed(format!(
                "fragment {index} of {total} out of order"
            )));
        }
        let len = buf.len() + bytes.len();
        if len > max {
            p.assembly = None;
            return Err(WireError::TooLarge(len));
        }
        buf.extend_from_slice(&bytes);
        *next += 1;
        if *next == total {
            return Ok(p.assembly.take().map(|(_, _, b)| b));
        }
        Ok(None)
    }

    fn refuse(
        &mut self,
        peer: NodeKey,
        coalition: Option<CoalitionId>,
        reason: Refusal,
        out: &mut Vec<Output>,
    ) {
        let counts = !matches!(reason, Refusal::Local(_));
        let coalition = coalition.filter(|c| {
            self.peers
                .get(&peer)
                .is_some_and(|p| p.docs.contains_key(c))
        });
        out.push(Output::Refused {
            peer,
            coalition,
            reason,
        });
        if let Some(p) = self.peers.get_mut(&peer)
            && counts
        {
            p.strikes += 1;
            if p.strikes >= MAX_STRIKES {
                self.disconnected(&peer);
                out.push(Output::Disconnect {
                    peer,
                    reason: format!("{MAX_STRIKES} refused messages"),
                });
            }
        }
    }

    fn on_hello(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        offered: &[WireCoalition],
        out: &mut Vec<Output>,
    ) {
        if let Some(p) = self.peers.get_mut(&peer) {
            p.greeted = true;
            p.offered = offered.iter().map(from_wire).collect();
        }
        let ours: BTreeSet<WireCoalition> = self.offer_for(docs, &peer).into_iter().collect();
        for w in offered {
            let c = from_wire(w);
            let joining = self.expected.get(&c) == Some(&peer);
            // Recovering after an identity import: a peer names a coalition only if this
            // node's key is a member's there, so take it in.
            let recovered = self.recovering && docs.entry(&c).is_none();
            if !ours.contains(w) && !joining && !recovered {
                // Not a coalition we share with this peer (as far as our copy knows): say nothing.
                continue;
            }
            if docs.entry(&c).is_none() && docs.create(&c).is_err() {
                continue;
            }
            if recovered {
                // As when joining: name it back, so that the peer syncs it with this node.
                self.expected.insert(c.clone(), peer);
                out.push(self.hello(docs, peer));
            }
            let Some(p) = self.peers.get_mut(&peer) else {
                return;
            };
            if p.docs.contains_key(&c) {
                continue;
            }
            p.docs.insert(c.clone(), PeerDoc::new());
            self.send_addresses(docs, peer, &c, out);
            self.send_forks(docs, peer, &c, out);
            self.sync_step(docs, peer, &c, out);
        }
    }

    /// Generates and queues the next Automerge sync message for (peer, coalition), if any.
    pub(crate) fn sync_step(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        self.load_forks(docs, c);
        let forked = self.forks.get(c).is_some_and(|f| !f.is_empty());
        let Some((doc, index)) = docs.entry(c) else {
            return;
        };
        let (voucher_heads, vouchers) = self.vouchers(c, index);
        let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) else {
            return;
        };
        // A peer that holds nothing of the coalition gets it as one document (a snapshot,
        // checked on arrival by `snapshot::load`) instead of change by change: loading costs
        // about half of applying. Anyone else gets the changes it lacks.
        let fresh = pd.state.their_heads.as_ref().is_some_and(Vec::is_empty);
        // Half the receiver's limit, which counts successors too (each one an overwrite or
        // deletion: fewer than the operations in any ordinary history).
        // (Not where a fork set changes aside: those need vouchers, which only travel with
        // individual changes.)
        let offer = fresh
            && !forked
            && automerge::ReadDoc::stats(doc.document()).num_ops
                <= (crate::snapshot::MAX_SNAPSHOT_OPS / 2) as u64;
        pd.state.their_capabilities = offer.then(|| vec![automerge::sync::Capability::MessageV2]);
        let Some(msg) = doc.sync().generate_sync_message(&mut pd.state) else {
            pd.idle = 0;
            return;
        };
        let (heads, vouchers) = if msg.changes.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let all = index.all();
            let mut heads = wire::heads(&all);
            heads.extend(voucher_heads);
            // Automerge leaves out what it sent this peer before, so an actor's newest change
            // in this message need not be its newest signed one: sign for it with the
            // signature stored over it, if one is (every one received is kept).
            for hash in unsigned_tops(&msg.changes, &all) {
                match docs.signature(c, &hash.0) {
                    Some(sig) => heads.extend(wire::heads(std::slice::from_ref(&sig))),
                    // Received in the middle of a batch, signed only by a later change: the
                    // peer asks again and gets that one with it.
                    None => {
                        debug!(coalition = %c, change = %hash, "no signature stored over a change sent")
                    }
                }
            }
            (heads, vouchers)
        };
        let message = Message::Sync {
            coalition: wire_id(c),
            sync: msg.encode(),
            heads,
            vouchers,
        };
        send(out, peer, &message);
    }

    /// Messages about a coalition count only from a peer it is being synced with.
    fn check_shared(&self, peer: &NodeKey, c: &CoalitionId) -> Result<(), Refusal> {
        match self.peers.get(peer) {
            Some(p) if p.docs.contains_key(c) => Ok(()),
            _ => Err(Refusal::NotShared),
        }
    }

    fn on_sync(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        sync: &[u8],
        (heads, vouchers): (&[SignedHead], &[ByteChunk]),
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.check_shared(&peer, c)?;
        let (mut msg, carried) = decode_sync(sync, self.max_message)?;
        let mut batch = match carried {
            Carried::Changes(changes) => Batch::from(changes),
            Carried::Snapshot(chunk) => {
                let Some((doc, _)) = docs.entry(c) else {
                    return Err(Refusal::NotShared);
                };
                if msg.heads.iter().all(|h| holds(doc, h)) {
                    // Nothing new (a second snapshot crossing our first answer): not loaded.
                    Batch::from(Vec::new())
                } else {
                    let (snapshot, changes) = crate::snapshot::load(&chunk, self.max_message)?;
                    info!(peer = %peer, coalition = %c, changes = changes.len(), bytes = chunk.len(), "received the coalition as a snapshot; checking its changes");
                    Batch {
                        changes,
                        snapshot: Some(snapshot),
                        vouchers: Vec::new(),
                    }
                }
            }
        };
        let used: usize = batch.changes.iter().map(crate::verify::allowance_of).sum();
        batch.vouchers = self.parse_vouchers(vouchers, self.max_message.saturating_sub(used))?;
        let carried_changes = !batch.changes.is_empty();
        let applied = self
            .accept(docs, peer, c, batch, &wire::signatures(heads), out)?
            .count;
        msg.changes = automerge::sync::ChunkList::empty();
        // Flags would tell Automerge which message versions the peer takes; `sync_step`
        // decides that itself (a whole document only to a peer that holds nothing).
        msg.flags = None;
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let Some(pd) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c)) else {
            return Ok(());
        };
        let sent = pd.state.last_sent_heads.clone();
        doc.sync()
            .receive_sync_message(&mut pd.state, msg)
            .map_err(|e| Refusal::MalformedSync(e.to_string()))?;
        if carried_changes {
            // The changes were applied above, not by Automerge: seeing the peer's heads equal
            // ours and no changes in the message, it would take it that the peer knows our
            // heads and never tell it them (a node that joined by snapshot would look, to the
            // node that sent it, as if it held nothing). What we last sent stands.
            pd.state.last_sent_heads = sent;
        }
        if applied == 0 {
            pd.idle += 1;
            if pd.idle > MAX_IDLE_ROUNDS {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.docs.remove(c);
                }
                return Err(Refusal::TooMuchWork);
            }
        } else {
            pd.idle = 0;
        }
        self.sync_step(docs, peer, c, out);
        Ok(())
    }

    fn on_changes(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        chunks: &[ByteChunk],
        (heads, vouchers): (&[SignedHead], &[ByteChunk]),
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.check_shared(&peer, c)?;
        let mut changes = Vec::with_capacity(chunks.len());
        let mut budget = self.max_message;
        for chunk in chunks {
            changes.push(change_in_chunk(&chunk.0, &mut budget)?);
        }
        let vouchers = self.parse_vouchers(vouchers, budget)?;
        let batch = Batch {
            changes,
            snapshot: None,
            vouchers,
        };
        let applied = self.accept(docs, peer, c, batch, &wire::signatures(heads), out)?;
        let Some((doc, _)) = docs.entry(c) else {
            return Ok(());
        };
        if applied.dangling > 0 || !doc.get_missing_deps(&[]).is_empty() {
            // We missed earlier changes: catch up with this peer.
            self.sync_step(docs, peer, c, out);
        }
        Ok(())
    }

    /// Verifies, stores and applies changes from `peer`; relays the new ones to the other
    /// peers sharing the coalition. Returns how many were new.
    fn accept(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        batch: Batch,
        heads: &[ChangeSignature],
        out: &mut Vec<Output>,
    ) -> Result<Applied, Refusal> {
        let Batch {
            changes,
            snapshot,
            vouchers,
        } = batch;
        self.load_forks(docs, c);
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let mut seen = BTreeSet::new();
        let total = changes.len();
        let forks = self.forks.get(c);
        let mut vouchers = vouchers;
        let mut new: Vec<Change> = Vec::with_capacity(changes.len());
        // Changes held here already that the peer sent: it holds them too (so `status` does
        // not count a node that joined by snapshot, and relayed what it got, as behind).
        let mut held_by_peer = Vec::new();
        for ch in changes {
            if holds(doc, &ch.hash()) {
                held_by_peer.push(ch.hash());
                continue;
            }
            if !seen.insert(ch.hash()) {
                continue;
            }
            if forks.is_some_and(|f| f.is_aside(&ch.hash())) {
                // Set aside here already, but the sender may not know yet: its signature can
                // still vouch for the sender's earlier changes, as a voucher does.
                vouchers.push(ch);
            } else {
                new.push(ch);
            }
        }
        if !held_by_peer.is_empty()
            && let Some(d) = self.peers.get_mut(&peer).and_then(|p| p.docs.get_mut(c))
        {
            d.note(held_by_peer);
        }
        if new.is_empty() {
            return Ok(Applied::default());
        }
        // Honest nodes never make a change with no operations; one would share its start
        // operation with the next change, and start operations order changes causally here.
        if new.iter().any(Change::is_empty) {
            return Err(Refusal::MalformedChange(
                "a change with no operations".into(),
            ));
        }
        let used = check_signatures(&new, heads, &vouchers)?;
        // What the forks known set aside is neither applied nor refused (see `forks`).
        let arriving = new.len();
        let (new, vouches) = self.set_aside_arriving(docs, c, new, &vouchers, &used)?;
        if new.is_empty() {
            self.keep_vouchers(docs, c, vouches);
            return Ok(Applied::default());
        }
        // A snapshot stands in for applying only if every one of its changes is new here
        // and none is set aside (the snapshot would hold those too).
        let snapshot = snapshot.filter(|_| new.len() == total && arriving == total);
        // An actor's changes held here go up to its newest signed one, or to the one a
        // voucher vouches for, if that one is held.
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let forks = self.forks.get(c);
        let mut conflicting: Vec<Change> = Vec::new();
        for ch in &new {
            let actor = ch.actor_id().to_bytes();
            let signed = index.max_seq(actor).is_some_and(|max| ch.seq() <= max);
            let vouched = forks
                .and_then(|f| f.vouched(actor))
                .is_some_and(|(deps, seq)| {
                    ch.seq() <= seq
                        && deps.iter().any(|d| {
                            doc.document()
                                .get_change_meta_by_hash(d)
                                .is_some_and(|m| m.actor.as_ref() == ch.actor_id() && m.seq == seq)
                        })
                });
            if signed || vouched {
                conflicting.push(ch.clone());
            }
        }
        // Left out of this batch: versions of known forks other than the one held here, and
        // changes continuing a change not held here (a version of an earlier change that is
        // not applied here: no new fork for this node). Any other change conflicting with
        // one held here is a new fork.
        conflicting.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
        let mut apart: HashSet<ChangeHash> = HashSet::new();
        let mut fresh = Vec::new();
        for ch in &conflicting {
            let continues_held = ch.seq() == 1 || crate::forks::previous_own(doc, ch).is_some();
            if !forks.is_some_and(|f| f.knows(ch))
                && continues_held
                && !ch.deps().iter().any(|d| apart.contains(d))
            {
                fresh.push(ch.clone());
            }
            apart.insert(ch.hash());
        }
        for ch in fresh {
            // Signed by its actor yet another version of a change held here: evidence of a
            // fork, learnt and sent on; the batch is synced again afterwards.
            // Evidence that cannot be made here (what is held of that actor is not vouched
            // for here, or it is too large) is made by the node holding the other version,
            // when this one reaches it; meanwhile the change is left out here with what
            // builds on it, the rest of the batch goes on, and nobody is blamed.
            if let Ok(fork) = self.evidence(docs, c, &ch, &new, &vouchers, &used) {
                self.learn_fork(docs, None, c, &fork, out)?;
                return Ok(Applied::default());
            }
        }
        let mut new = new;
        let mut snapshot = snapshot;
        if !conflicting.is_empty() {
            // Versions of known forks other than the one held here, and what builds on them:
            // not applied here while no witness decides between the versions (each node
            // keeps the one it holds, see `forks`); the rest of the batch goes on.
            // An actor whose signature here is over a change left out has nothing here to
            // vouch for the rest of its changes: those are left out too (they come again,
            // signed, from a node that holds them).
            new.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
            loop {
                for ch in &new {
                    if ch.deps().iter().any(|d| apart.contains(d)) {
                        apart.insert(ch.hash());
                    }
                }
                let unvouched: Vec<Vec<u8>> = used
                    .iter()
                    .filter(|sig| apart.contains(&ChangeHash(sig.hash)))
                    .filter_map(|sig| {
                        new.iter()
                            .find(|ch| ch.hash().0 == sig.hash)
                            .map(|ch| ch.actor_id().to_bytes().to_vec())
                    })
                    .collect();
                let before = apart.len();
                for ch in &new {
                    if unvouched
                        .iter()
                        .any(|a| a.as_slice() == ch.actor_id().to_bytes())
                    {
                        apart.insert(ch.hash());
                    }
                }
                if apart.len() == before {
                    break;
                }
            }
            new.retain(|ch| !apart.contains(&ch.hash()));
            snapshot = None;
            if new.is_empty() {
                return Ok(Applied::default());
            }
        }
        // Only changes whose dependencies (and whatever they refer to) are here or in the
        // batch can be judged; the rest wait for a catch-up with the peer. Each change must
        // continue its actor's history and refer only to what exists (`chain`), which
        // Automerge assumes and does not check.
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        // A snapshot's changes too: Automerge rebuilt them from a document whose operations
        // `snapshot::check` did not all relate to each other (an object older than what is
        // written in it, of the right kind), and the rules walk those relations.
        let checked = crate::chain::check(doc.document(), new)?;
        if checked.dangling > 0 {
            // Taken whole or not at all, so that the signatures stored vouch for what is here.
            return Ok(Applied {
                count: 0,
                dangling: checked.dangling,
            });
        }
        let new = checked.order;
        let before = doc.get_heads();
        let applied = apply_and_judge(doc, &new, &checked.decoded, snapshot, !before.is_empty());
        let governance_changed = match applied {
            Ok(changed) => changed,
            Err(Failure::Refused(refusal)) => {
                roll_back(doc, &before)?;
                return Err(refusal);
            }
            Err(Failure::Broken(refusal)) => {
                // Automerge panicked or kept something it cannot give back: the document
                // may be inconsistent. Reload it from the store, which holds only what was
                // checked and applied before.
                tracing::warn!(peer = %peer, coalition = %c, %refusal, "discarding the in-memory document after a failed apply; reloading it from the store");
                docs.discard(c);
                return Err(refusal);
            }
        };
        if let Err(e) = docs.persist(c, &new, &used) {
            if let Some((doc, _)) = docs.entry(c) {
                roll_back(doc, &before)?;
            }
            return Err(Refusal::Local(e));
        }
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        for h in &used {
            index.offer(doc, h.clone());
        }
        index.settle(doc);
        self.keep_vouchers(docs, c, vouches);
        debug!(peer = %peer, coalition = %c, changes = new.len(), "applied changes");
        out.push(Output::Applied {
            peer,
            coalition: c.clone(),
            changes: new.len(),
        });
        let hashes: Vec<ChangeHash> = new.iter().map(Change::hash).collect();
        let relay = new.len() <= MAX_RELAY;
        let mut relay_to: Vec<NodeKey> = Vec::new();
        for (other, p) in &mut self.peers {
            if let Some(d) = p.docs.get_mut(c) {
                // The sender holds them; the others are about to be sent them.
                if relay || *other == peer {
                    d.note(hashes.iter().copied());
                }
                if *other != peer {
                    relay_to.push(*other);
                }
            }
        }
        if !relay {
            for other in relay_to {
                self.sync_step(docs, other, c, out);
            }
        } else if !relay_to.is_empty() {
            let (mut voucher_heads, vouchers) = match docs.entry(c) {
                Some((_, index)) => self.vouchers(c, index),
                None => Default::default(),
            };
            voucher_heads.retain(|v| !used.iter().any(|u| u.hash == v.hash));
            let mut heads = wire::heads(&used);
            heads.extend(voucher_heads);
            let frames = Message::Changes {
                coalition: wire_id(c),
                changes: new
                    .iter()
                    .map(|ch| ByteChunk(ch.raw_bytes().to_vec()))
                    .collect(),
                // The relayed batch is exactly `new`, so the signatures that vouched for it
                // do (with what vouches for changes whose signed successor was set aside).
                heads,
                vouchers,
            }
            .frames();
            for other in relay_to {
                for frame in &frames {
                    out.push(Output::Send {
                        peer: other,
                        frame: frame.clone(),
                    });
                }
            }
        }
        let count = new.len();
        // The members in force are re-derived only when they may have changed (a removal
        // that closing time decides is seen at the next local change or governance write).
        if governance_changed || !self.peers.values().all(|p| p.docs.contains_key(c)) {
            self.rehello(docs, c, out);
        }
        self.retry_pending_forks(docs, c, out);
        self.retry_pending_addresses(docs, c, out);
        Ok(Applied { count, dangling: 0 })
    }

    /// Changes made on this node (already stored, applied and indexed): push them to every
    /// peer sharing the coalition.
    pub fn local_changes(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        changes: &[Change],
        head: ChangeSignature,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        let frames = Message::Changes {
            coalition: wire_id(c),
            changes: changes
                .iter()
                .map(|ch| ByteChunk(ch.raw_bytes().to_vec()))
                .collect(),
            heads: vec![SignedHead::from(&head)],
            vouchers: Vec::new(),
        }
        .frames();
        for (peer, p) in &mut self.peers {
            if let Some(d) = p.docs.get_mut(c) {
                d.note(changes.iter().map(Change::hash));
                for frame in &frames {
                    out.push(Output::Send {
                        peer: *peer,
                        frame: frame.clone(),
                    });
                }
            }
        }
        self.rehello(docs, c, &mut out);
        // A change made on a version of a fork that no witness decided yet is one.
        if let Some(made) = changes.last() {
            self.witness_held(docs, c, Some(made), &mut out);
        }
        out
    }

    /// After a coalition changed, offer it to connected peers that have become members, and
    /// start syncing with those that already offered it (a node that just joined); stop
    /// syncing it with peers that are no longer members (removed, or left).
    fn rehello(&mut self, docs: &mut impl Documents, c: &CoalitionId, out: &mut Vec<Output>) {
        let Some((doc, _)) = docs.entry(c) else {
            return;
        };
        let keys = member_keys(doc);
        for (peer, p) in &mut self.peers {
            if p.docs.contains_key(c) && !keys.contains(peer.as_bytes()) {
                p.docs.remove(c);
                p.offered.remove(c);
                info!(peer = %peer, coalition = %c, "peer is no longer a member: not syncing with it");
            }
        }
        let newly: Vec<(NodeKey, bool)> = self
            .peers
            .iter()
            .filter(|(k, p)| !p.docs.contains_key(c) && keys.contains(k.as_bytes()))
            .map(|(k, p)| (*k, p.offered.contains(c)))
            .collect();
        for (peer, offered) in newly {
            out.push(self.hello(docs, peer));
            if offered && let Some(p) = self.peers.get_mut(&peer) {
                p.docs.insert(c.clone(), PeerDoc::new());
                self.send_addresses(docs, peer, c, out);
                self.send_forks(docs, peer, c, out);
                self.sync_step(docs, peer, c, out);
            }
        }
    }
}

/// Why a batch was not applied.
enum Failure {
    /// It broke a rule: the document can be rolled back to before it.
    Refused(Refusal),
    /// Automerge panicked on it or kept it wrongly: the document must be reloaded.
    Broken(Refusal),
}

/// Applies `new` (in causal order) and judges every change against the coalition's rules.
/// On error the document may hold part of the batch: the caller rolls it back
/// (or, for a [`Failure::Broken`] one, reloads it). Returns whether the batch may have
/// changed the members in force.
fn apply_and_judge(
    doc: &mut AutoCommit,
    new: &[Change],
    decoded: &[automerge::ExpandedChange],
    snapshot: Option<AutoCommit>,
    founded: bool,
) -> Result<bool, Failure> {
    let broken = |why: &str| Failure::Broken(Refusal::MalformedChange(why.to_owned()));
    match snapshot {
        // `doc` holds nothing and `new` are all the snapshot's changes (checked): the
        // snapshot is the document applying them would give.
        Some(snapshot) if !founded => {
            let actor = doc.get_actor().clone();
            *doc = snapshot.with_actor(actor);
        }
        _ => {
            // `chain::check` rules out every input known to make Automerge panic; should
            // another exist, it costs this batch and a reload, not the node.
            let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                doc.apply_changes(new.to_vec())
            }))
            .map_err(|_| broken("Automerge could not apply it"))?;
            applied.map_err(|e| {
                Failure::Refused(match e {
                    automerge::AutomergeError::DuplicateSeqNumber(seq, actor) => {
                        Refusal::Equivocation {
                            actor: actor.to_hex_string(),
                            seq,
                        }
                    }
                    other => Refusal::MalformedChange(other.to_string()),
                })
            })?;
        }
    }
    let mut rules = Validator::new(founded);
    // The rules read the document Automerge built; should a reading path still panic on
    // what a peer sent, it costs the batch and a reload, not the node.
    let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // Decoded by `chain::check`, one per change.
        for (ch, expanded) in new.iter().zip(decoded) {
            rules
                .check_decoded(doc, ch, expanded)
                .map_err(|v| Failure::Refused(v.into()))?;
        }
        Ok(())
    }))
    .map_err(|_| broken("the rules could not read what it wrote"))?;
    judged?;
    Ok(rules.governance_changed())
}

/// Takes a refused or unstored batch back out: the document as it was at `before`.
fn roll_back(doc: &mut AutoCommit, before: &[ChangeHash]) -> Result<(), Refusal> {
    let actor = doc.get_actor().clone();
    let restored = if before.is_empty() {
        AutoCommit::new()
    } else {
        doc.fork_at(before)
            .map_err(|e| Refusal::Local(format!("could not roll back: {e}")))?
    };
    *doc = restored.with_actor(actor);
    Ok(())
}

/// Whether `doc` holds the change `hash` (a lookup in its change graph; nothing is rebuilt).
fn holds(doc: &mut AutoCommit, hash: &ChangeHash) -> bool {
    doc.document().get_change_meta_by_hash(hash).is_some()
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

    fn signed(c: &Change) -> ChangeSignature {
        ChangeSignature {
            hash: c.hash().0,
            signature: [0; 64],
        }
    }

    #[test]
    fn a_message_whose_newest_change_of_an_actor_is_not_its_newest_signed_one_names_it() {
        let all = changes();
        let (a, b) = (&all[..3], &all[3]);
        let chunks = |cs: &[&Change]| {
            automerge::sync::ChunkList::from(
                cs.iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect::<Vec<_>>(),
            )
        };
        // a's first two only (its third was sent before), b's: the signatures sent anyway
        // are over a's third and b's, so a's second needs its own.
        let newest = [signed(&a[2]), signed(b)];
        assert_eq!(
            unsigned_tops(&chunks(&[&a[0], &a[1], b]), &newest),
            vec![a[1].hash()]
        );
        // Everything up to each actor's newest signed change: nothing more to sign for.
        assert!(unsigned_tops(&chunks(&[&a[0], &a[1], &a[2], b]), &newest).is_empty());
        // A whole document is not taken apart.
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "x", 1).unwrap();
        let snapshot = automerge::sync::ChunkList::from(doc.save());
        assert!(unsigned_tops(&snapshot, &[]).is_empty());
    }
}
