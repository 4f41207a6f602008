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

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use model::{CoalitionId, NodeKey};
use serde::{Deserialize, Serialize};
use tracing::debug;

use crate::docs::{Documents, member_keys};
use crate::node::{Output, SyncNode, send};
use crate::verify::Refusal;
use crate::wire::Message;

/// Most addresses in one record.
pub const MAX_ADDRS: usize = 8;
/// Longest address, in bytes.
pub const MAX_ADDR_LEN: usize = 256;
/// Most records in one message.
pub const MAX_RECORDS: usize = 512;
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
        let addrs: Vec<String> = addrs
            .iter()
            .filter(|a| plain(a))
            .take(MAX_ADDRS)
            .cloned()
            .collect();
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
        let node = hex(&self.node);
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The newest record known of each node, bounded by [`MAX_BOOK`].
#[derive(Debug, Default, Clone)]
pub struct AddressBook {
    records: BTreeMap<[u8; 32], AddressRecord>,
}

impl AddressBook {
    /// Takes `record` (already checked) if it is newer than the one held of its node; returns
    /// whether it did. A full book takes no new nodes.
    pub fn offer(&mut self, record: AddressRecord) -> bool {
        match self.records.get(&record.node) {
            Some(held) if held.at >= record.at => false,
            None if self.records.len() >= MAX_BOOK => false,
            _ => {
                self.records.insert(record.node, record);
                true
            }
        }
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

/// The member keys of each coalition in `coalitions` held in `docs`.
fn members_of<'a>(
    docs: &mut impl Documents,
    coalitions: impl Iterator<Item = &'a CoalitionId>,
) -> Vec<BTreeSet<[u8; 32]>> {
    coalitions
        .filter_map(|c| docs.entry(c).map(|(doc, _)| member_keys(doc)))
        .collect()
}

impl SyncNode {
    /// Sets this node's own record, given to every peer it syncs a coalition with.
    pub fn set_own_addresses(&mut self, record: AddressRecord) {
        self.own = Some(record);
    }

    /// Takes records kept from before (checked again; the bad ones dropped); returns how many
    /// were taken.
    pub fn learn_addresses(&mut self, records: Vec<AddressRecord>) -> usize {
        let mine = self.own.as_ref().map(|r| r.node);
        records
            .into_iter()
            .filter(|r| Some(r.node) != mine && r.check().is_ok())
            .filter(|r| self.book.offer(r.clone()))
            .count()
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
        let Some((doc, _)) = docs.entry(c) else {
            return;
        };
        let members = member_keys(doc);
        let records: Vec<AddressRecord> = self
            .own
            .iter()
            .chain(
                self.book
                    .records()
                    .filter(|r| r.node != *peer.as_bytes() && members.contains(&r.node)),
            )
            .take(MAX_RECORDS)
            .cloned()
            .collect();
        if !records.is_empty() {
            send(out, peer, &Message::Addresses { records });
        }
    }

    /// Records from `peer`: each must check; those of nodes that are members' in a coalition
    /// the peer syncs with this node, and newer than what is held, are kept, passed on to the
    /// other peers that share a coalition with their node, and reported.
    pub(crate) fn on_addresses(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        records: Vec<AddressRecord>,
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        for r in &records {
            r.check()?;
        }
        let Some(p) = self.peers.get(&peer) else {
            return Ok(());
        };
        let shared = members_of(docs, p.docs.keys());
        let mine = self.own.as_ref().map(|r| r.node);
        let mut learned = Vec::new();
        for r in records {
            if Some(r.node) == mine || !shared.iter().any(|m| m.contains(&r.node)) {
                continue;
            }
            if self.book.offer(r.clone()) {
                learned.push(r);
            }
        }
        if learned.is_empty() {
            return Ok(());
        }
        debug!(%peer, records = learned.len(), "learned where member nodes listen");
        let others: Vec<(NodeKey, Vec<CoalitionId>)> = self
            .peers
            .iter()
            .filter(|(k, _)| **k != peer)
            .map(|(k, p)| (*k, p.docs.keys().cloned().collect()))
            .collect();
        for (other, coalitions) in others {
            let members = members_of(docs, coalitions.iter());
            let pass: Vec<AddressRecord> = learned
                .iter()
                .filter(|r| {
                    r.node != *other.as_bytes() && members.iter().any(|m| m.contains(&r.node))
                })
                .cloned()
                .collect();
            if !pass.is_empty() {
                send(out, other, &Message::Addresses { records: pass });
            }
        }
        out.push(Output::Addresses { records: learned });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
