//! Bookkeeping of change signatures, shared by the replica (which signs its own changes) and
//! the sync protocol (which verifies everyone's). No cryptography here: the payload a node
//! signs, the signature record, and the index of each actor's newest signed change.
//!
//! A signature over an actor's newest change vouches for all its earlier ones (each change
//! names its predecessors by hash), so the index holds one signature per actor to vouch for
//! everything a node holds and relays. (The store keeps every signature received: evidence
//! of a fork runs up to the nearest one.)

use std::collections::{BTreeMap, HashMap};

use automerge::{AutoCommit, ChangeHash};

/// Most signatures kept for changes not applied yet (waiting for their dependencies).
pub const MAX_PENDING_SIGNATURES: usize = 4096;

/// What a node signs for a change: a domain tag and the change hash.
pub fn signing_payload(hash: &ChangeHash) -> Vec<u8> {
    let mut p = b"coalesce/change/v1\0".to_vec();
    p.extend_from_slice(&hash.0);
    p
}

/// A change hash and its actor's Ed25519 signature over [`signing_payload`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeSignature {
    /// The change hash.
    pub hash: [u8; 32],
    /// The signature.
    pub signature: [u8; 64],
}

/// For each actor, its newest applied change and the signature over it.
#[derive(Debug, Clone, Default)]
pub struct HeadIndex {
    newest: BTreeMap<Vec<u8>, (u64, ChangeSignature)>,
    pending: HashMap<[u8; 32], ChangeSignature>,
}

impl HeadIndex {
    /// Rebuilds the index from a document and every signature stored for it.
    pub fn rebuild(
        doc: &mut AutoCommit,
        signatures: impl IntoIterator<Item = ChangeSignature>,
    ) -> Self {
        let mut index = Self::default();
        for s in signatures {
            index.offer(doc, s);
        }
        index
    }

    /// Records a signature: indexed if its change is applied and newer than what the actor
    /// had, kept pending (bounded) if its change is not applied yet.
    pub fn offer(&mut self, doc: &mut AutoCommit, sig: ChangeSignature) {
        // The change graph's metadata: no change is rebuilt from the document to read it.
        match doc
            .document()
            .get_change_meta_by_hash(&ChangeHash(sig.hash))
        {
            Some(c) => {
                let actor = c.actor.to_bytes().to_vec();
                let seq = c.seq;
                if self.newest.get(&actor).is_none_or(|(s, _)| seq > *s) {
                    self.newest.insert(actor, (seq, sig));
                }
            }
            None if self.pending.len() < MAX_PENDING_SIGNATURES => {
                self.pending.insert(sig.hash, sig);
            }
            None => {}
        }
    }

    /// Promotes pending signatures whose changes have since been applied.
    pub fn settle(&mut self, doc: &mut AutoCommit) {
        let pending: Vec<ChangeSignature> = self.pending.drain().map(|(_, s)| s).collect();
        for s in pending {
            self.offer(doc, s);
        }
    }

    /// The newest applied sequence number of `actor`.
    pub fn max_seq(&self, actor: &[u8]) -> Option<u64> {
        self.newest.get(actor).map(|(s, _)| *s)
    }

    /// The newest signature of `actor`, over its newest applied change that has one.
    pub fn newest(&self, actor: &[u8]) -> Option<&ChangeSignature> {
        self.newest.get(actor).map(|(_, s)| s)
    }

    /// How many actors have a newest signature (what [`HeadIndex::all`] would return, counted).
    pub fn actors(&self) -> usize {
        self.newest.len()
    }

    /// Every actor's newest signature.
    pub fn all(&self) -> Vec<ChangeSignature> {
        self.newest.values().map(|(_, s)| s.clone()).collect()
    }

    /// Every signature held: the newest per actor and the pending ones.
    pub fn signatures(&self) -> Vec<ChangeSignature> {
        self.newest
            .values()
            .map(|(_, s)| s.clone())
            .chain(self.pending.values().cloned())
            .collect()
    }
}
