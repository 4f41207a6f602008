//! A hostile peer against one honest node: every attack is refused with the rule it broke,
//! nothing it sends gets stored or applied, and nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod canonical_columns;
mod forks;
mod frames;
mod malformed_changes;
#[path = "../parts/mod.rs"]
mod parts;
mod signatures;
mod witnesses;

use automerge::{AutoCommit, Change};
use ed25519_dalek::SigningKey;
use model::{
    CoalitionDoc, CoalitionId, Founding, IssueId, MemberId, MemberProfile, NewIssue, NodeKey,
    Timestamp,
};
use sync::wire::ByteChunk;
use sync::{ChangeSignature, MemoryDocs, Message, Output, Refusal, SyncNode};

struct Party {
    signing: SigningKey,
    key: NodeKey,
    member: MemberId,
}

fn party(n: u8) -> Party {
    let signing = SigningKey::from_bytes(&[n; 32]);
    let key = NodeKey::from_bytes(signing.verifying_key().to_bytes());
    Party {
        signing,
        key,
        member: MemberId::from_bytes([n; 16]),
    }
}

struct World {
    peer: Party,
    outsider: Party,
    coalition: CoalitionId,
    /// The coalition as both members hold it.
    base: Vec<u8>,
    node: SyncNode,
    docs: MemoryDocs,
}

fn wire(c: &CoalitionId) -> [u8; 16] {
    c.to_bytes()
}

impl World {
    /// An honest node (member A) connected to a member peer B that has said Hello.
    fn new() -> Self {
        let (honest, peer, outsider) = (party(1), party(2), party(3));
        let coalition = CoalitionId::from_bytes([7; 16]);
        let mut doc = CoalitionDoc::found(
            honest.key,
            Founding::new(
                coalition.clone(),
                "Transit Justice",
                honest.member.clone(),
                MemberProfile::named("A"),
                Timestamp::from_millis(0),
            ),
        )
        .unwrap();
        doc.admit_member(
            &honest.member,
            &peer.member,
            &MemberProfile::named("B"),
            peer.key,
            Timestamp::from_millis(1),
        )
        .unwrap();
        let head = sync::sign(&honest.signing, &doc.heads()[0]);
        let base = doc.save();
        let mut docs = MemoryDocs::new(honest.key);
        docs.insert(
            coalition.clone(),
            AutoCommit::load(&base)
                .unwrap()
                .with_actor(honest.key.actor()),
            vec![head],
        );
        let mut node = SyncNode::new();
        node.connected(&mut docs, peer.key);
        let hello = Message::Hello {
            coalitions: vec![wire(&coalition)],
            max_message: sync::wire::MAX_MESSAGE as u64,
            takes: Vec::new(),
        }
        .encode();
        node.received(&mut docs, peer.key, &hello);
        World {
            peer,
            outsider,
            coalition,
            base,
            node,
            docs,
        }
    }

    /// A copy of the coalition editing as `who`, with one new issue raised by `member`.
    fn edit_as(&self, who: &Party, member: &MemberId, title: &str) -> (AutoCommit, Vec<Change>) {
        let mut doc = CoalitionDoc::load(&self.base, who.key).unwrap();
        let before = doc.heads();
        let id = IssueId::from_bytes([title.len() as u8; 16]);
        // A hostile node can write whatever it likes into its own copy: bypass validation by
        // acting as a member id it claims.
        let _ = doc.add_issue(
            member,
            NewIssue {
                id,
                title: title.into(),
                description: String::new(),
                tags: vec![],
                lead: None,
            },
            Timestamp::from_millis(5),
        );
        let changes = doc.changes_since(&before);
        (doc.into_automerge(), changes)
    }

    fn push(
        &mut self,
        from: NodeKey,
        changes: &[Change],
        heads: Vec<ChangeSignature>,
    ) -> Vec<Output> {
        let frame = Message::Changes {
            coalition: wire(&self.coalition),
            changes: changes
                .iter()
                .map(|c| ByteChunk(c.raw_bytes().to_vec()))
                .collect(),
            heads: sync::wire::heads(&heads),
            vouchers: Vec::new(),
        }
        .encode();
        self.node.received(&mut self.docs, from, &frame)
    }

    /// Pushes `changes` from the member peer B, signed by it over the last one.
    fn push_signed(&mut self, changes: &[Change]) -> Vec<Output> {
        let head = sync::sign(&self.peer.signing, &changes.last().unwrap().hash());
        self.push(self.peer.key, changes, vec![head])
    }

    fn issues(&mut self) -> usize {
        let doc = self.docs.doc(&self.coalition).unwrap().fork();
        CoalitionDoc::from_automerge(doc)
            .unwrap()
            .read()
            .unwrap()
            .issues
            .len()
    }

    fn persisted(&self) -> usize {
        self.docs.persisted[&self.coalition].0.len()
    }
}

fn refusal(out: &[Output]) -> Option<&Refusal> {
    out.iter().find_map(|o| match o {
        Output::Refused { reason, .. } => Some(reason),
        _ => None,
    })
}

/// The honest node (member A) raises an issue on what it holds, as its replica would: the
/// change is applied, stored with its signature, and handed to the sync protocol.
fn local_issue(w: &mut World, n: u8, title: &str) -> Vec<Output> {
    let honest = party(1);
    let held = w.docs.doc(&w.coalition).unwrap().fork();
    let mut doc = CoalitionDoc::from_automerge(held.with_actor(honest.key.actor())).unwrap();
    let changes = raise(&mut doc, &honest.member, n, title, "");
    let head = sync::sign(&honest.signing, &changes.last().unwrap().hash());
    w.docs
        .doc(&w.coalition)
        .unwrap()
        .apply_changes(changes.clone())
        .unwrap();
    w.docs.local_edit(&w.coalition, &changes, head.clone());
    w.node
        .local_changes(&mut w.docs, &w.coalition, &changes, head)
}

/// The frames of kind `kind` sent in `out`.
fn sent(out: &[Output], kind: fn(&Message) -> bool) -> Vec<Message> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { frame, .. } => Message::decode(frame).ok().filter(&kind),
            _ => None,
        })
        .collect()
}

/// Raises issue `n` (as `who`) on `doc`, and returns the changes it made.
fn raise(
    doc: &mut CoalitionDoc,
    who: &MemberId,
    n: u8,
    title: &str,
    description: &str,
) -> Vec<Change> {
    let before = doc.heads();
    doc.add_issue(
        who,
        NewIssue {
            id: IssueId::from_bytes([n; 16]),
            title: title.into(),
            description: description.into(),
            tags: vec![],
            lead: None,
        },
        Timestamp::from_millis(5),
    )
    .unwrap();
    doc.changes_since(&before)
}
