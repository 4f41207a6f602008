//! What the sync state machine needs from the node's documents: the [`Documents`] trait (the
//! node implements it over its replica; tests over [`MemoryDocs`]), and the [`HeadIndex`] of
//! each actor's newest signed change.

use std::collections::BTreeMap;

use automerge::{AutoCommit, Change};
use model::{CoalitionId, NodeKey};

use crate::wire::LinkTakes;

pub use model::signing::{ChangeSignature, HeadIndex};

/// The node's documents, as the sync state machine sees them.
pub trait Documents {
    /// Every coalition held.
    fn coalitions(&self) -> Vec<CoalitionId>;
    /// A coalition's document and head index.
    fn entry(&mut self, coalition: &CoalitionId) -> Option<(&mut AutoCommit, &mut HeadIndex)>;
    /// Creates an empty document for a coalition this node is joining.
    fn create(&mut self, coalition: &CoalitionId) -> Result<(), String>;
    /// Makes verified changes and their signed heads durable. Called once they are applied
    /// in memory and have passed the rules; on an error the state machine takes them back
    /// out of the document, so memory never runs ahead of the store.
    fn persist(
        &mut self,
        coalition: &CoalitionId,
        changes: &[Change],
        heads: &[ChangeSignature],
    ) -> Result<(), String>;
    /// Makes a coalition durable whole, as a snapshot put it in place of nothing (its changes
    /// verified and judged like any others), with the signed heads that vouch for it. On an
    /// error the state machine takes the snapshot back out of the document.
    fn persist_snapshot(
        &mut self,
        coalition: &CoalitionId,
        heads: &[ChangeSignature],
    ) -> Result<(), String>;
    /// The governance at `heads` of a coalition, as the rules found it judging the batch just
    /// stored: kept if the replica reads the governance too (by default, not kept).
    fn governance_known(
        &mut self,
        _coalition: &CoalitionId,
        _heads: &[automerge::ChangeHash],
        _governance: std::sync::Arc<model::governance::Governance>,
    ) {
    }
    /// Forgets the in-memory document of a coalition, to be loaded again from what was
    /// persisted: Automerge panicked on it, so it may be inconsistent.
    fn discard(&mut self, coalition: &CoalitionId);
    /// The coalition's record of forks (see [`crate::forks`]), as stored, if any.
    fn load_forks(&mut self, coalition: &CoalitionId) -> Option<Vec<u8>>;
    /// Stores the coalition's record of forks; `forked` are the node keys that forked (a
    /// node whose own key is among them must not write there any more).
    fn save_forks(
        &mut self,
        coalition: &CoalitionId,
        record: &[u8],
        forked: &[[u8; 32]],
    ) -> Result<(), String>;
    /// The coalition's document was rebuilt in memory without the changes a fork sets
    /// aside (`aside`): keep those apart, then store the document whole, replacing what was
    /// stored.
    fn rebuilt(&mut self, coalition: &CoalitionId, aside: &[Change]) -> Result<(), String>;
    /// The signature stored over a change, if any (every signature received is kept, not
    /// only the newest per actor that [`HeadIndex`] holds).
    fn signature(&mut self, coalition: &CoalitionId, hash: &[u8; 32]) -> Option<ChangeSignature>;
    /// For each link of this node's coalitions taking statements from a coalition whose
    /// newest roster (as held here) lists `peer`: (that coalition, this node's, the fewest
    /// signers the link takes and the kinds it takes). Told in each Hello to `peer`
    /// (`wire::Takes`). None by default.
    fn takes_for(&mut self, peer: &NodeKey) -> Vec<(CoalitionId, CoalitionId, LinkTakes)> {
        let _ = peer;
        Vec::new()
    }
    /// [`member_key_map`] of the coalition's document; `None` if it is not held. Asked
    /// after every change applied or made: a store that keeps the governance between
    /// changes (the replica does) answers without reading it again.
    fn member_key_map(
        &mut self,
        coalition: &CoalitionId,
    ) -> Option<BTreeMap<[u8; 32], model::MemberId>> {
        self.entry(coalition).map(|(doc, _)| member_key_map(doc))
    }
}

/// The node keys of a coalition's members in force, at the latest moment its document
/// records (only these nodes receive the coalition), each with the member that holds it.
pub fn member_key_map(doc: &mut AutoCommit) -> BTreeMap<[u8; 32], model::MemberId> {
    let Some(gov) = model::governance::Governance::read(doc) else {
        return BTreeMap::new();
    };
    gov.in_force(model::governance::heads_moment(doc))
        .members
        .values()
        .flat_map(|m| m.keys.iter().map(|k| (*k.as_bytes(), m.id.clone())))
        .collect()
}

/// Documents in memory, with what was "persisted" kept so that a restart can be simulated.
#[derive(Debug, Default)]
pub struct MemoryDocs {
    docs: BTreeMap<CoalitionId, (AutoCommit, HeadIndex)>,
    /// Per coalition: every persisted change (raw bytes) and signed head.
    pub persisted: BTreeMap<CoalitionId, (Vec<Vec<u8>>, Vec<ChangeSignature>)>,
    /// Per coalition: the record of forks, and the keys that forked.
    pub forks: BTreeMap<CoalitionId, (Vec<u8>, Vec<[u8; 32]>)>,
    /// Per coalition: the changes held that a fork set aside (raw bytes), kept apart.
    pub kept_aside: BTreeMap<CoalitionId, Vec<Vec<u8>>>,
    /// The actor this node's documents edit as.
    actor: Option<automerge::ActorId>,
    /// Per coalition: the member keys as of the heads they were read at (read again only
    /// when the heads moved, as the replica keeps the governance between changes).
    members: BTreeMap<CoalitionId, MembersAt>,
    /// What this node tells each peer it takes from linked coalitions (`Documents::takes_for`).
    pub takes: BTreeMap<NodeKey, Vec<(CoalitionId, CoalitionId, LinkTakes)>>,
}

/// Member keys read at some heads.
type MembersAt = (
    Vec<automerge::ChangeHash>,
    BTreeMap<[u8; 32], model::MemberId>,
);

impl MemoryDocs {
    /// Empty, editing as `key`.
    pub fn new(key: NodeKey) -> Self {
        Self {
            actor: Some(key.actor()),
            ..Default::default()
        }
    }

    /// Adds a document (e.g. one this node founded), persisting all its changes.
    pub fn insert(
        &mut self,
        coalition: CoalitionId,
        mut doc: AutoCommit,
        heads: Vec<ChangeSignature>,
    ) {
        let changes: Vec<Vec<u8>> = doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        let index = HeadIndex::rebuild(&mut doc, heads.clone());
        self.persisted.insert(coalition.clone(), (changes, heads));
        self.docs.insert(coalition, (doc, index));
    }

    /// Records a local edit: persists its changes and signed head, indexes the head.
    pub fn local_edit(
        &mut self,
        coalition: &CoalitionId,
        changes: &[Change],
        head: ChangeSignature,
    ) {
        if let Some((doc, index)) = self.docs.get_mut(coalition) {
            let p = self.persisted.entry(coalition.clone()).or_default();
            p.0.extend(changes.iter().map(|c| c.raw_bytes().to_vec()));
            p.1.push(head.clone());
            index.offer(doc, head);
        }
    }

    /// Forgets everything in memory and reloads from what was persisted, as after a crash.
    pub fn restart(&mut self) {
        self.docs.clear();
        let held: Vec<CoalitionId> = self.persisted.keys().cloned().collect();
        for c in held {
            self.reload(&c);
        }
    }

    fn reload(&mut self, c: &CoalitionId) {
        let Some((changes, heads)) = self.persisted.get(c) else {
            return;
        };
        let mut doc = AutoCommit::new();
        if let Some(a) = &self.actor {
            doc.set_actor(a.clone());
        }
        let parsed: Vec<Change> = changes
            .iter()
            .filter_map(|b| Change::from_bytes(b.clone()).ok())
            .collect();
        // Persisted changes were verified before they were stored.
        let _ = doc.apply_changes(parsed);
        let index = HeadIndex::rebuild(&mut doc, heads.clone());
        self.docs.insert(c.clone(), (doc, index));
    }

    /// Persists every change of a coalition's document in memory, in place of what was.
    fn persist_whole(&mut self, coalition: &CoalitionId) -> Result<(), String> {
        let Some((doc, _)) = self.docs.get_mut(coalition) else {
            return Err("no such coalition".into());
        };
        let changes = doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        self.persisted.entry(coalition.clone()).or_default().0 = changes;
        Ok(())
    }

    /// A document, for inspection.
    pub fn doc(&mut self, coalition: &CoalitionId) -> Option<&mut AutoCommit> {
        self.docs.get_mut(coalition).map(|(d, _)| d)
    }
}

impl Documents for MemoryDocs {
    fn member_key_map(
        &mut self,
        coalition: &CoalitionId,
    ) -> Option<BTreeMap<[u8; 32], model::MemberId>> {
        let (doc, _) = self.docs.get_mut(coalition)?;
        let heads = doc.get_heads();
        if let Some((at, keys)) = self.members.get(coalition)
            && *at == heads
        {
            return Some(keys.clone());
        }
        let keys = member_key_map(doc);
        self.members
            .insert(coalition.clone(), (heads, keys.clone()));
        Some(keys)
    }

    fn takes_for(&mut self, peer: &NodeKey) -> Vec<(CoalitionId, CoalitionId, LinkTakes)> {
        self.takes.get(peer).cloned().unwrap_or_default()
    }

    fn coalitions(&self) -> Vec<CoalitionId> {
        self.docs.keys().cloned().collect()
    }

    fn entry(&mut self, coalition: &CoalitionId) -> Option<(&mut AutoCommit, &mut HeadIndex)> {
        self.docs.get_mut(coalition).map(|(d, i)| (d, i))
    }

    fn create(&mut self, coalition: &CoalitionId) -> Result<(), String> {
        let mut doc = AutoCommit::new();
        if let Some(a) = &self.actor {
            doc.set_actor(a.clone());
        }
        self.docs
            .entry(coalition.clone())
            .or_insert((doc, HeadIndex::default()));
        self.persisted.entry(coalition.clone()).or_default();
        Ok(())
    }

    fn persist(
        &mut self,
        coalition: &CoalitionId,
        changes: &[Change],
        heads: &[ChangeSignature],
    ) -> Result<(), String> {
        let p = self.persisted.entry(coalition.clone()).or_default();
        p.0.extend(changes.iter().map(|c| c.raw_bytes().to_vec()));
        p.1.extend(heads.iter().cloned());
        Ok(())
    }

    fn persist_snapshot(
        &mut self,
        coalition: &CoalitionId,
        heads: &[ChangeSignature],
    ) -> Result<(), String> {
        self.persist_whole(coalition)?;
        let p = self.persisted.entry(coalition.clone()).or_default();
        p.1.extend(heads.iter().cloned());
        Ok(())
    }

    fn discard(&mut self, coalition: &CoalitionId) {
        self.docs.remove(coalition);
        self.reload(coalition);
    }

    fn load_forks(&mut self, coalition: &CoalitionId) -> Option<Vec<u8>> {
        self.forks.get(coalition).map(|(r, _)| r.clone())
    }

    fn save_forks(
        &mut self,
        coalition: &CoalitionId,
        record: &[u8],
        forked: &[[u8; 32]],
    ) -> Result<(), String> {
        self.forks
            .insert(coalition.clone(), (record.to_vec(), forked.to_vec()));
        Ok(())
    }

    fn rebuilt(&mut self, coalition: &CoalitionId, aside: &[Change]) -> Result<(), String> {
        self.kept_aside
            .entry(coalition.clone())
            .or_default()
            .extend(aside.iter().map(|c| c.raw_bytes().to_vec()));
        self.persist_whole(coalition)?;
        let Some((_, index)) = self.docs.get_mut(coalition) else {
            return Err("no such coalition".into());
        };
        let p = self.persisted.entry(coalition.clone()).or_default();
        for s in index.signatures() {
            if !p.1.contains(&s) {
                p.1.push(s);
            }
        }
        Ok(())
    }

    fn signature(&mut self, coalition: &CoalitionId, hash: &[u8; 32]) -> Option<ChangeSignature> {
        self.persisted
            .get(coalition)?
            .1
            .iter()
            .find(|s| &s.hash == hash)
            .cloned()
    }
}
