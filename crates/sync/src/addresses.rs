//! Where member nodes listen, signed by each node, so that members reach each other and not
//! only the node that invited them (which may be down).
//!
//! A node signs a record of its own addresses ([`AddressRecord::sign`]). When a peer starts
//! syncing a coalition with it, a node sends that peer its own record and the records it holds
//! of the coalition's other member nodes; records it learns that are newer than what it held,
//! it passes on to the other peers that share a coalition with the record's node. A record is
//! taken only with a valid signature by the node it describes, and only for a node that is a
//! member's in a coalition the sending peer syncs with this node: nobody learns of strangers,
//! and a member cannot make others dial an address in another node's name. (It can name any
//! address in its own record: a dial there fails its handshake, since the address carries the
//! node's key.)
//!
//! A record holds at most [`MAX_ADDRS`] addresses of [`MAX_ADDR_LEN`] printable bytes; a newer `at`
//! replaces an older record. The [`AddressBook`] keeps the newest per node, at most [`MAX_BOOK`];
//! records learnt are reported as `Output::Addresses` for the node to keep and dial, and a bad one
//! refuses the message (`Refusal::Addresses`), unless it is a record of a node no member holds
//! that could not be held aside anyway: those are dropped before their signatures are checked. Only a peer that syncs a coalition with this node is
//! heard (a stranger costs no signature check); of each node only the newest record in a message
//! counts, and only if newer than the one held, at most [`MAX_CLOCK_AHEAD`] ahead of the time the
//! node gave (`SyncNode::set_time`) and at least [`MIN_UPDATE`] after the last replacement, all
//! before its signature is checked. At most [`MAX_RECORDS`] per message, so a full message fits the
//! smallest message limit.
//!
//! Records of nodes not known as members yet (a joining node holds no member list when its inviter
//! first sends them) are held aside and taken once applied changes make them members: at most
//! [`MAX_PENDING`] in all, [`MAX_PENDING_PER_MEMBER`] for the member organization of a coalition
//! whose node sent them (all its device keys share that quota, so more devices buy no more room; an
//! organization that is a member of several coalitions with this node has a quota in each), and
//! [`MAX_PENDING_PER_NODE`] for a node no member list here names (only a join's expected inviter
//! is). They are dropped when the sending peer disconnects and not taken over by another peer's
//! newer record, so one member cannot fill or empty the table for the others.
//!
//! Limit: a member may list as its own any key not held by another member of that coalition, so it
//! could learn the addresses of that key's node from a node sharing another coalition with it
//! (membership carries no proof of holding a key).

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use model::{CoalitionId, NodeKey};
use serde::{Deserialize, Serialize};
use tracing::debug;

use crate::docs::Documents;
use crate::node::{Output, SyncNode, send};
use crate::verify::Refusal;
use crate::wire::Message;

/// Most addresses in one record.
pub const MAX_ADDRS: usize = 8;
/// Longest address, in bytes.
pub const MAX_ADDR_LEN: usize = 256;
/// Most records in one message: with the largest records, well within the smallest message
/// limit a node may set.
pub const MAX_RECORDS: usize = 256;
/// Most records held aside, of nodes not known as members yet.
pub const MAX_PENDING: usize = 1024;
/// Most of those held for one member organization of one coalition, every device key of it
/// together (an organization in several coalitions with this node is a member of each, with a
/// quota in each): sixteen members are needed to fill the table.
pub const MAX_PENDING_PER_MEMBER: usize = MAX_PENDING / 16;
/// Most held for a node no member list here names: a joining node's inviter, which tells it
/// where every member node listens before the joiner holds the member list (as many as one
/// message carries). Only an inviter a join expects is such a peer.
pub const MAX_PENDING_PER_NODE: usize = MAX_RECORDS;

/// Who a record held aside counts against.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Holder {
    /// The member organization of a coalition whose node sent it (member ids are per
    /// coalition): every node key it certifies shares one quota, so more devices buy no more
    /// room.
    Member(CoalitionId, model::MemberId),
    /// The node that sent it, while this node holds no member list naming that node (a
    /// joiner's inviter, before the coalition arrives).
    Node(NodeKey),
}

/// A record held aside: the peer that sent it (it goes when that peer disconnects), whom it
/// counts against, and the record.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) from: NodeKey,
    holder: Holder,
    record: AddressRecord,
}
/// How far ahead of this node's clock a record may be signed (milliseconds).
pub const MAX_CLOCK_AHEAD: u64 = 24 * 3600 * 1000;
/// Shortest time between two records of one node taken (milliseconds): a member churning
/// its record cannot make every node dial new addresses faster.
pub const MIN_UPDATE: u64 = 10_000;
/// Most records a node keeps (one per member node).
pub const MAX_BOOK: usize = 4096;

/// A node's addresses, signed by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressRecord {
    /// The node's key.
    pub node: [u8; 32],
    /// Where it listens (multiaddrs, as text).
    pub addrs: Vec<String>,
    /// When it signed this, in its own clock's Unix milliseconds: a newer record replaces an
    /// older one.
    pub at: u64,
    /// Ed25519 signature by `node` over [`AddressRecord::payload`].
    #[serde(with = "crate::wire::sig_bytes")]
    pub signature: [u8; 64],
}

/// Why an address record was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Too many addresses, or one too long or not plain text.
    #[error("address record of {node}: {what}")]
    Malformed {
        /// The node, hex.
        node: String,
        /// What is wrong.
        what: String,
    },
    /// The signature does not verify against the node's key.
    #[error("address record of {node} is not signed by that node")]
    BadSignature {
        /// The node, hex.
        node: String,
    },
}

impl AddressRecord {
    /// Signs `addrs` (at most [`MAX_ADDRS`], longer ones dropped) as the node whose secret key
    /// is `secret`, at `at`.
    pub fn sign(secret: &[u8; 32], addrs: &[String], at: u64) -> Self {
        let key = SigningKey::from_bytes(secret);
        // Addresses other machines can use first: loopback ones only if there is room.
        let mut seen = BTreeSet::new();
        let mut addrs: Vec<String> = addrs
            .iter()
            .filter(|a| plain(a) && seen.insert(a.as_str()))
            .cloned()
            .collect();
        addrs.sort_by_key(|a| a.starts_with("/ip4/127.") || a.starts_with("/ip6/::1/"));
        addrs.truncate(MAX_ADDRS);
        let node = key.verifying_key().to_bytes();
        let signature = key.sign(&payload(&node, &addrs, at)).to_bytes();
        Self {
            node,
            addrs,
            at,
            signature,
        }
    }

    /// What the node signs: a domain tag, its key, the time and each address with its length.
    pub fn payload(&self) -> Vec<u8> {
        payload(&self.node, &self.addrs, self.at)
    }

    /// Checks the bounds and the signature.
    pub fn check(&self) -> Result<(), AddressError> {
        let node = NodeKey::from_bytes(self.node).to_string();
        if self.addrs.len() > MAX_ADDRS {
            return Err(AddressError::Malformed {
                node,
                what: format!("{} addresses (at most {MAX_ADDRS})", self.addrs.len()),
            });
        }
        if let Some(bad) = self.addrs.iter().find(|a| !plain(a)) {
            return Err(AddressError::Malformed {
                node,
                what: format!(
                    "an address of {} bytes that is not plain text of at most {MAX_ADDR_LEN}",
                    bad.len()
                ),
            });
        }
        let bad = || AddressError::BadSignature { node: node.clone() };
        let key = VerifyingKey::from_bytes(&self.node).map_err(|_| bad())?;
        key.verify_strict(&self.payload(), &Signature::from_bytes(&self.signature))
            .map_err(|_| bad())
    }
}

/// An address fit to keep and show: short, printable ASCII, no spaces.
fn plain(addr: &str) -> bool {
    !addr.is_empty() && addr.len() <= MAX_ADDR_LEN && addr.bytes().all(|b| b.is_ascii_graphic())
}

fn payload(node: &[u8; 32], addrs: &[String], at: u64) -> Vec<u8> {
    let mut p = b"coalesce/addresses/v1\0".to_vec();
    p.extend_from_slice(node);
    p.extend_from_slice(&at.to_be_bytes());
    // Bounded by MAX_ADDRS and MAX_ADDR_LEN, so the lengths fit.
    p.extend_from_slice(&(addrs.len() as u32).to_be_bytes());
    for a in addrs {
        p.extend_from_slice(&(a.len() as u32).to_be_bytes());
        p.extend_from_slice(a.as_bytes());
    }
    p
}

/// The records a node keeps in its store (its address book, postcard), as
/// [`encode_kept`] wrote them; bytes that do not read give none. They are checked again
/// before use.
pub fn decode_kept(bytes: &[u8]) -> Vec<AddressRecord> {
    postcard::from_bytes(bytes).unwrap_or_default()
}

/// The records to keep in the store (see [`decode_kept`]).
pub fn encode_kept<'a>(records: impl Iterator<Item = &'a AddressRecord>) -> Vec<u8> {
    let all: Vec<&AddressRecord> = records.collect();
    // Byte arrays, strings and integers always encode.
    postcard::to_stdvec(&all).unwrap_or_default()
}

/// The record as a statements file carries it (`federation::StatementsFile::addresses`, at
/// most `federation::MAX_ADDRESS` bytes: a record within [`MAX_ADDRS`] and [`MAX_ADDR_LEN`]
/// fits).
pub fn encode_record(record: &AddressRecord) -> Vec<u8> {
    // Byte arrays, strings and integers always encode.
    postcard::to_stdvec(record).unwrap_or_default()
}

/// A record as [`encode_record`] wrote it, if the bytes read whole (unchecked).
pub fn decode_record(bytes: &[u8]) -> Option<AddressRecord> {
    match postcard::take_from_bytes::<AddressRecord>(bytes) {
        Ok((record, [])) => Some(record),
        _ => None,
    }
}

/// Of the address records a statements file carries (each as [`encode_record`] wrote it),
/// those of the nodes `listed` names (the publisher's roster: a file names no stranger's
/// address) that read whole, are not more than [`MAX_CLOCK_AHEAD`] ahead of `now` and check
/// ([`AddressRecord::check`]): of each node the newest. The cheap tests come first: a record
/// of a node not listed costs no signature check.
pub fn from_file(
    items: &[Vec<u8>],
    listed: impl Fn(&[u8; 32]) -> bool,
    now: Option<u64>,
) -> Vec<AddressRecord> {
    let mut newest: BTreeMap<[u8; 32], AddressRecord> = BTreeMap::new();
    for bytes in items {
        let Some(record) = decode_record(bytes) else {
            continue;
        };
        if !listed(&record.node) || !fresh(&record, now) {
            continue;
        }
        if newest.get(&record.node).is_some_and(|n| n.at >= record.at) {
            continue;
        }
        if record.check().is_ok() {
            newest.insert(record.node, record);
        }
    }
    newest.into_values().collect()
}

/// The records kept in `kept` (as [`encode_kept`] wrote them) with `new` (checked) taken where
/// newer, those of nodes `keep` does not name dropped, at most [`MAX_BOOK`]: the bytes to keep,
/// and how many of `new` were taken.
pub fn merge_kept(
    kept: &[u8],
    new: Vec<AddressRecord>,
    keep: impl Fn(&[u8; 32]) -> bool,
) -> (Vec<u8>, usize) {
    let mut book = AddressBook::default();
    for r in decode_kept(kept) {
        book.offer(r);
    }
    book.retain(|k| keep(k));
    let taken = new
        .into_iter()
        .filter(|r| keep(&r.node))
        .filter(|r| book.offer(r.clone()))
        .count();
    (encode_kept(book.records()), taken)
}

/// The newest record known of each node, bounded by [`MAX_BOOK`].
#[derive(Debug, Default, Clone)]
pub struct AddressBook {
    records: BTreeMap<[u8; 32], AddressRecord>,
    /// When each node's record was last replaced, by this node's clock (when known).
    replaced: BTreeMap<[u8; 32], u64>,
}

impl AddressBook {
    /// Takes `record` (already checked) if it is newer than the one held of its node; returns
    /// whether it did. A full book takes no new nodes.
    pub fn offer(&mut self, record: AddressRecord) -> bool {
        self.offer_at(record, None)
    }

    /// Whether `record` would be taken at `now`: newer than the one held, not within
    /// [`MIN_UPDATE`] of the last replacement, and room for a new node.
    pub fn wants(&self, record: &AddressRecord, now: Option<u64>) -> bool {
        match self.records.get(&record.node) {
            Some(held) if held.at >= record.at => false,
            Some(_) => match (now, self.replaced.get(&record.node)) {
                // A clock set back does not hold updates until it catches up.
                (Some(now), Some(last)) => now < *last || now - *last >= MIN_UPDATE,
                _ => true,
            },
            None => self.records.len() < MAX_BOOK,
        }
    }

    /// Takes `record` (already checked) at `now` if [`AddressBook::wants`] it.
    pub fn offer_at(&mut self, record: AddressRecord, now: Option<u64>) -> bool {
        if !self.wants(&record, now) {
            return false;
        }
        if let Some(now) = now {
            self.replaced.insert(record.node, now);
        }
        self.records.insert(record.node, record);
        true
    }

    /// The record held of `node`.
    pub fn get(&self, node: &[u8; 32]) -> Option<&AddressRecord> {
        self.records.get(node)
    }

    /// Every record held.
    pub fn records(&self) -> impl Iterator<Item = &AddressRecord> {
        self.records.values()
    }

    /// Forgets the nodes for which `keep` is false.
    pub fn retain(&mut self, mut keep: impl FnMut(&[u8; 32]) -> bool) {
        self.records.retain(|k, _| keep(k));
        let records = &self.records;
        self.replaced.retain(|k, _| records.contains_key(k));
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The member keys of each coalition in `coalitions` held in `docs`, each with its member.
type MemberKeys = BTreeMap<CoalitionId, BTreeMap<[u8; 32], model::MemberId>>;

/// The member keys of each coalition in `coalitions` held in `docs`.
fn members_of<'a>(
    docs: &mut impl Documents,
    coalitions: impl Iterator<Item = &'a CoalitionId>,
) -> MemberKeys {
    coalitions
        .filter_map(|c| docs.member_key_map(c).map(|keys| (c.clone(), keys)))
        .collect()
}

/// Whom records held aside from `peer` count against: the member whose key it is in the
/// first of `coalitions` that names it, else the peer itself.
fn holder_of(members: &MemberKeys, coalitions: &[CoalitionId], peer: &NodeKey) -> Holder {
    coalitions
        .iter()
        .find_map(|c| Some((c, members.get(c)?.get(peer.as_bytes())?)))
        .map_or(Holder::Node(*peer), |(c, m)| {
            Holder::Member(c.clone(), m.clone())
        })
}

/// Whether `node` is a member's key in one of `coalitions`, as `members` has them.
fn member_in(members: &MemberKeys, coalitions: &[CoalitionId], node: &[u8; 32]) -> bool {
    coalitions
        .iter()
        .any(|c| members.get(c).is_some_and(|m| m.contains_key(node)))
}

impl SyncNode {
    /// Sets this node's own record, given to every peer it syncs a coalition with.
    pub fn set_own_addresses(&mut self, record: AddressRecord) {
        self.own = Some(record);
    }

    /// Tells every peer this node syncs a coalition with its own record again.
    pub fn resend_own_addresses(&mut self) -> Vec<Output> {
        match self.own.clone() {
            Some(record) => self.update_own_addresses(record),
            None => Vec::new(),
        }
    }

    /// Replaces this node's own record (its addresses changed: a relay slot, an external
    /// address confirmed) and tells every peer it syncs a coalition with. Peers take a node's
    /// record at most every [`MIN_UPDATE`]: the caller re-signs no more often than that.
    pub fn update_own_addresses(&mut self, record: AddressRecord) -> Vec<Output> {
        let mut out = Vec::new();
        for (peer, p) in &self.peers {
            if !p.docs.is_empty() {
                send(
                    &mut out,
                    *peer,
                    &Message::Addresses {
                        records: vec![record.clone()],
                    },
                );
            }
        }
        self.own = Some(record);
        out
    }

    /// Tells the state machine the time (Unix milliseconds), for address records only: one
    /// signed more than [`MAX_CLOCK_AHEAD`] ahead of it is ignored (it would never be replaced),
    /// and a node's record is replaced at most every [`MIN_UPDATE`].
    pub fn set_time(&mut self, unix_ms: u64) {
        self.now = Some(unix_ms);
    }

    /// Takes records kept from before (checked again; the bad ones dropped); returns how many
    /// were taken.
    pub fn learn_addresses(&mut self, records: Vec<AddressRecord>) -> usize {
        let mine = self.own.as_ref().map(|r| r.node);
        let now = self.now;
        records
            .into_iter()
            .filter(|r| Some(r.node) != mine && fresh(r, now) && r.check().is_ok())
            .filter(|r| self.book.offer(r.clone()))
            .count()
    }

    /// Forgets the records of nodes that are no longer a member's key in any coalition held.
    pub fn prune_addresses(&mut self, docs: &mut impl Documents) {
        let held = docs.coalitions();
        let members = members_of(docs, held.iter());
        self.book
            .retain(|node| members.values().any(|m| m.contains_key(node)));
    }

    /// What is known of where member nodes listen.
    pub fn address_book(&self) -> &AddressBook {
        &self.book
    }

    /// `peer` starts syncing coalition `c` with this node: tell it where this node and the
    /// coalition's other member nodes listen.
    pub(crate) fn send_addresses(
        &self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let Some(members) = docs.member_key_map(c) else {
            return;
        };
        let records: Vec<AddressRecord> = self
            .own
            .iter()
            .chain(
                self.book
                    .records()
                    .filter(|r| r.node != *peer.as_bytes() && members.contains_key(&r.node)),
            )
            .take(MAX_RECORDS)
            .cloned()
            .collect();
        if !records.is_empty() {
            send(out, peer, &Message::Addresses { records });
        }
    }

    /// Records from `peer`. Only a peer that syncs a coalition with this node is heard. Of
    /// each node, the newest record in the message counts, if it is newer than the one held,
    /// not too far ahead, and not too soon after the last; then it must check (a bad one
    /// refuses the message). Records of nodes that are members' in a coalition the peer syncs
    /// with this node are kept, passed on to the other peers sharing a coalition with their
    /// node, and reported; records of nodes not (yet) known as members are held aside, and
    /// taken when a change makes them members (a node that is joining holds no member list
    /// when its inviter first tells it where the members are).
    pub(crate) fn on_addresses(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        records: Vec<AddressRecord>,
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        let Some(p) = self.peers.get(&peer) else {
            return Ok(());
        };
        let theirs: Vec<CoalitionId> = p.docs.keys().cloned().collect();
        if theirs.is_empty() {
            return Ok(());
        }
        let mine = self.own.as_ref().map(|r| r.node);
        let mut newest: BTreeMap<[u8; 32], AddressRecord> = BTreeMap::new();
        for r in records {
            if Some(r.node) == mine || !fresh(&r, self.now) {
                continue;
            }
            match newest.get(&r.node) {
                Some(held) if held.at >= r.at => {}
                _ => {
                    newest.insert(r.node, r);
                }
            }
        }
        newest.retain(|node, r| {
            self.book.wants(r, self.now)
                && self.pending.get(node).is_none_or(|h| h.record.at < r.at)
        });
        if newest.is_empty() {
            // Nothing new: no member list is read.
            return Ok(());
        }
        let members = members_of(docs, theirs.iter());
        // Whom records held aside from this peer count against, and how many it holds:
        // found once per message, and only if one is to be held.
        let mut quota: Option<(Holder, usize)> = None;
        // Records of nodes no member in force holds that could not be held aside (the table
        // or this peer's holder's share of it full, or held for another peer) are dropped
        // before their signatures are checked: a peer resending them would otherwise cost
        // a check each, every time, for nothing.
        let mut room = None;
        newest.retain(|node, _| {
            if member_in(&members, &theirs, node) {
                return true;
            }
            match self.pending.get(node) {
                Some(h) => h.from == peer,
                None => {
                    let left = room.get_or_insert_with(|| {
                        let holder = holder_of(&members, &theirs, &peer);
                        let held = self.pending.values().filter(|h| h.holder == holder).count();
                        let most = match holder {
                            Holder::Member(..) => MAX_PENDING_PER_MEMBER,
                            Holder::Node(_) => MAX_PENDING_PER_NODE,
                        };
                        most.saturating_sub(held)
                            .min(MAX_PENDING.saturating_sub(self.pending.len()))
                    });
                    let fits = *left > 0;
                    *left = left.saturating_sub(1);
                    fits
                }
            }
        });
        for r in newest.values() {
            r.check()?;
        }
        let mut learned = Vec::new();
        for (node, r) in newest {
            if member_in(&members, &theirs, &node) {
                if self.book.offer_at(r.clone(), self.now) {
                    learned.push(r);
                }
                continue;
            }
            // Held for the peer that sent it, until that peer disconnects: one member cannot
            // fill the table for the others, nor take over what others sent.
            let (holder, held) = quota.get_or_insert_with(|| {
                let holder = holder_of(&members, &theirs, &peer);
                let held = self.pending.values().filter(|h| h.holder == holder).count();
                (holder, held)
            });
            match self.pending.get_mut(&node) {
                // A newer record of a node this peer's is held for: replaced, still counted
                // against whom it was.
                Some(h) if h.from == peer => h.record = r,
                Some(_) => {}
                None => {
                    let most = match holder {
                        Holder::Member(..) => MAX_PENDING_PER_MEMBER,
                        Holder::Node(_) => MAX_PENDING_PER_NODE,
                    };
                    if self.pending.len() < MAX_PENDING && *held < most {
                        *held += 1;
                        let held = Held {
                            from: peer,
                            holder: holder.clone(),
                            record: r,
                        };
                        self.pending.insert(node, held);
                    }
                }
            }
        }
        self.spread_learned(docs, Some(peer), learned, out);
        Ok(())
    }

    /// After changes were applied to `c`: records held aside of nodes that are now members'
    /// there are taken.
    pub(crate) fn retry_pending_addresses(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        if self.pending.is_empty() {
            return;
        }
        let Some(members) = docs.member_key_map(c) else {
            return;
        };
        let now = self.now;
        let ready: Vec<[u8; 32]> = self
            .pending
            .keys()
            .filter(|k| members.contains_key(*k))
            .copied()
            .collect();
        let mut learned = Vec::new();
        for node in ready {
            if let Some(h) = self.pending.remove(&node)
                && self.book.offer_at(h.record.clone(), now)
            {
                learned.push(h.record);
            }
        }
        self.spread_learned(docs, None, learned, out);
    }

    /// Passes `learned` records on to the connected peers (but `from`) that share a coalition
    /// with their node, and reports them.
    fn spread_learned(
        &mut self,
        docs: &mut impl Documents,
        from: Option<NodeKey>,
        learned: Vec<AddressRecord>,
        out: &mut Vec<Output>,
    ) {
        if learned.is_empty() {
            return;
        }
        debug!(records = learned.len(), "learned where member nodes listen");
        let others: Vec<(NodeKey, Vec<CoalitionId>)> = self
            .peers
            .iter()
            .filter(|(k, _)| Some(**k) != from)
            .map(|(k, p)| (*k, p.docs.keys().cloned().collect()))
            .collect();
        let all: BTreeSet<CoalitionId> = others.iter().flat_map(|(_, cs)| cs.clone()).collect();
        let members = members_of(docs, all.iter());
        for (other, coalitions) in others {
            let pass: Vec<AddressRecord> = learned
                .iter()
                .filter(|r| {
                    r.node != *other.as_bytes() && member_in(&members, &coalitions, &r.node)
                })
                .cloned()
                .collect();
            if !pass.is_empty() {
                send(out, other, &Message::Addresses { records: pass });
            }
        }
        out.push(Output::Addresses { records: learned });
    }
}

/// Whether a record is not signed too far ahead of `now` (when the time is known).
fn fresh(r: &AddressRecord, now: Option<u64>) -> bool {
    now.is_none_or(|now| r.at <= now.saturating_add(MAX_CLOCK_AHEAD))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A statements file's records: only listed nodes', read whole, signed, not too far
    /// ahead, the newest of each; merged into what is kept where newer.
    #[test]
    fn records_a_file_carries_are_taken_for_listed_nodes_only() {
        let a = AddressRecord::sign(&[1; 32], &addrs(), 1_000);
        let newer = AddressRecord::sign(&[1; 32], &addrs()[..1], 2_000);
        let b = AddressRecord::sign(&[2; 32], &addrs(), 1_000);
        let mut forged = AddressRecord::sign(&[3; 32], &addrs(), 1_000);
        forged.addrs.push("/ip4/203.0.113.9/tcp/1".into());
        let ahead = AddressRecord::sign(&[4; 32], &addrs(), 10 * MAX_CLOCK_AHEAD);
        let mut trailing = encode_record(&b);
        trailing.push(0);
        let items = vec![
            encode_record(&a),
            encode_record(&newer),
            trailing,
            encode_record(&forged),
            encode_record(&ahead),
            vec![0xff; 40],
        ];
        let listed = [a.node, b.node, forged.node, ahead.node];
        let taken = from_file(&items, |k| listed.contains(k), Some(5_000));
        assert_eq!(taken, vec![newer.clone()]);
        let none = from_file(&items, |_| false, Some(5_000));
        assert!(none.is_empty());
        let (kept, n) = merge_kept(&[], vec![a.clone(), b.clone()], |_| true);
        assert_eq!(n, 2);
        let (kept, n) = merge_kept(&kept, vec![newer.clone(), a.clone()], |k| *k != b.node);
        assert_eq!(n, 1, "the newer of a; b no longer kept");
        assert_eq!(decode_kept(&kept), vec![newer]);
    }

    fn addrs() -> Vec<String> {
        vec![
            "/ip4/192.168.1.20/tcp/7421".into(),
            "/ip4/192.168.1.20/udp/7421/quic-v1".into(),
        ]
    }

    #[test]
    fn a_signed_record_checks_and_a_changed_one_does_not() {
        let r = AddressRecord::sign(&[7; 32], &addrs(), 1_000);
        assert_eq!(r.check(), Ok(()));
        let mut moved = r.clone();
        moved.addrs[0] = "/ip4/10.0.0.1/tcp/22".into();
        assert!(matches!(
            moved.check(),
            Err(AddressError::BadSignature { .. })
        ));
        let mut later = r.clone();
        later.at += 1;
        assert!(later.check().is_err());
        let mut other = r.clone();
        other.node = AddressRecord::sign(&[8; 32], &addrs(), 1_000).node;
        assert!(other.check().is_err());
    }

    #[test]
    fn bounds_are_checked_before_the_signature() {
        let mut r = AddressRecord::sign(&[7; 32], &addrs(), 1);
        r.addrs = vec!["/ip4/1.2.3.4/tcp/1".into(); MAX_ADDRS + 1];
        assert!(matches!(r.check(), Err(AddressError::Malformed { .. })));
        r.addrs = vec!["x".repeat(MAX_ADDR_LEN + 1)];
        assert!(matches!(r.check(), Err(AddressError::Malformed { .. })));
        r.addrs = vec!["/ip4/1.2.3.4/tcp/1\u{1b}[31m".into()];
        assert!(matches!(r.check(), Err(AddressError::Malformed { .. })));
        // Signing keeps only what would check.
        let r = AddressRecord::sign(&[7; 32], &["bad addr".into(), "x".repeat(300)], 1);
        assert!(r.addrs.is_empty());
        assert_eq!(r.check(), Ok(()));
    }

    #[test]
    fn the_book_keeps_the_newest_record_of_each_node() {
        let mut book = AddressBook::default();
        let old = AddressRecord::sign(&[7; 32], &addrs(), 10);
        let new = AddressRecord::sign(&[7; 32], &addrs()[..1], 20);
        assert!(book.offer(new.clone()));
        assert!(!book.offer(old));
        assert!(
            !book.offer(new.clone()),
            "the same record again is not news"
        );
        assert_eq!(book.get(&new.node), Some(&new));
        assert_eq!(book.len(), 1);
    }

    proptest! {
        /// Whatever a record holds, it checks if and only if it is exactly what its node
        /// signed; checking never panics.
        #[test]
        fn only_what_was_signed_checks(
            secret in any::<[u8; 32]>(),
            list in proptest::collection::vec("[ -~]{0,40}", 0..12),
            at in any::<u64>(),
            flip in any::<(usize, u8)>(),
        ) {
            let r = AddressRecord::sign(&secret, &list, at);
            prop_assert!(r.check().is_ok());
            let mut bytes = postcard::to_stdvec(&r).unwrap();
            let i = flip.0 % bytes.len();
            bytes[i] ^= flip.1.max(1);
            if let Ok(changed) = postcard::from_bytes::<AddressRecord>(&bytes) {
                prop_assert!(changed == r || changed.check().is_err());
            }
        }
    }
}
