//! Equivocation: a member's node that writes two different changes with one actor and
//! sequence number (a *fork* of its history), on purpose or because its home was copied or a
//! VM snapshot rolled back.
//!
//! Automerge cannot hold both versions (operation ids are counter and actor, so they would
//! collide), and before this module each honest node kept the version it saw first and
//! refused the other's: honest nodes split for good. Kleppmann ("Making CRDTs Byzantine Fault
//! Tolerant", PaPoC 2022) makes ids hashes so that both versions can be kept; Automerge's ids
//! cannot be changed, so Coalesce makes the document a deterministic function of what is
//! known instead:
//!
//! - **Evidence** ([`Fork`]): the two versions, each with the actor's later changes up to one
//!   it signed. Anyone can check it; it travels as [`Message::Fork`] to every peer sharing the
//!   coalition (when found, and when a peer starts syncing).
//! - **Rule**: once an actor is known to have forked at sequence number `s`, every change of
//!   that actor from `s` on (both versions, and any later one) and every change that depends
//!   on one of them is *set aside*: not in the document, not applied, not relayed, not refused
//!   either (kept aside, and counted). Which changes are set aside depends only on the evidence
//!   and the change graph, never on arrival order, so every honest node that holds the same
//!   evidence and changes holds the same document: they converge. Evidence spreads like any
//!   message, so they all end up with it.
//! - **Cost**: changes by honest members made on top of the forked changes (after receiving
//!   one version, before the evidence arrived) are set aside too: out of the document until
//!   their authors enter them again. Those a node had stored are kept apart in its store
//!   (`Documents::rebuilt`, `coalesce audit aside`), not lost. The forked key writes nothing
//!   more ("its later changes refused everywhere alike"); its organization goes on with
//!   another key.
//! - **Limit**: a member that signs a second version of one of its *old* changes sets aside
//!   everything built since, on every node (kept apart, but out of the coalition). The rule
//!   cannot tell that from a home restored from an old backup; keeping the version others
//!   built on needs the losing branch rewritten to ids of its own (Kleppmann's approach,
//!   with signatures over rewritten changes), which is not done yet.
//! - **Ties**: evidence counts in a coalition only if both versions hang off its history
//!   ([`Fork::tied_to`]): a key belongs to several coalitions, each with its own sequence
//!   numbers. Evidence not tied yet waits in memory until what it builds on arrives.
//! - **Vouching**: a signature vouches for the actor's earlier changes through their hash
//!   chain. When an actor's newest signed change is set aside, its earlier, kept changes have
//!   no signature of their own; the chain from the newest kept one up to the signed one is
//!   carried as *vouchers* with them (never applied), so that they still verify anywhere.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use automerge::{Change, ChangeHash};
use serde::{Deserialize, Serialize};

use crate::verify::{ChangeSignature, Refusal, change_in_chunk, check_signatures};
use crate::wire::{self, ByteChunk, Message, SignedHead, WireCoalition};

/// Most changes set aside that a node remembers per coalition (hashes, to recognise what is
/// built on them). Past it, such changes look like ones whose dependencies are missing: they
/// wait, and are never applied either.
pub const MAX_SET_ASIDE: usize = 100_000;
/// Most bytes of voucher chains kept per coalition.
pub const MAX_VOUCHER_BYTES: usize = 16 * 1024 * 1024;
/// Most pieces of evidence per coalition waiting (in memory) for the changes that tie them
/// to it; the oldest is dropped for a new one (peers send what they know again when they
/// next greet this node).
pub const MAX_PENDING_FORKS: usize = 8;
/// Most bytes the changes of one piece of evidence hold, the same on every node (half the
/// smallest message limit, so that every node can take it): evidence is built only within
/// it and taken only within it, whatever a node's own message limit.
pub const MAX_FORK_BYTES: usize = wire::MIN_MESSAGE_LIMIT / 2;
/// The allowance of one piece of evidence while it is parsed and checked (its changes'
/// bytes, and [`wire::MESSAGE_BYTES_PER_OP`] per operation), the same on every node. Larger
/// than [`MAX_FORK_BYTES`]: one honest change may write a text of 20,000 characters, one
/// operation each, and evidence of a fork at such a change must travel.
pub const MAX_FORK_ALLOWANCE: usize = 16 * 1024 * 1024;

fn bad(why: impl Into<String>) -> Refusal {
    Refusal::MalformedFork(why.into())
}

/// Whether two versions fit the evidence limits ([`MAX_FORK_BYTES`] and
/// [`MAX_FORK_ALLOWANCE`]): evidence built within them is taken within them by every node.
fn fits(first: &[Change], second: &[Change]) -> bool {
    let all = || first.iter().chain(second);
    all().map(|c| c.raw_bytes().len()).sum::<usize>() <= MAX_FORK_BYTES
        && all().map(crate::verify::allowance_of).sum::<usize>() <= MAX_FORK_ALLOWANCE
}

/// The evidence limits, for messages.
fn limits() -> String {
    format!(
        "{MAX_FORK_BYTES} bytes of changes, or an allowance of {MAX_FORK_ALLOWANCE} counting \
         {} per operation",
        wire::MESSAGE_BYTES_PER_OP
    )
}

/// Whether evidence is tied to a coalition's history (see [`Fork::tied_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// It is: it counts.
    Tied,
    /// Not yet: what it builds on has not arrived.
    Waiting,
    /// It never will be: it is not about this coalition.
    Never,
}

/// Checked evidence that an actor forked its history.
#[derive(Debug, Clone)]
pub struct Fork {
    /// The actor.
    pub actor: [u8; 32],
    /// The sequence number both versions have.
    pub seq: u64,
    first: Vec<Change>,
    first_head: ChangeSignature,
    second: Vec<Change>,
    second_head: ChangeSignature,
}

impl Fork {
    /// Checks evidence: each version is a chain of the actor's changes with consecutive
    /// sequence numbers, each depending on the one before, the last signed by the actor; both
    /// start at the same sequence number with different changes.
    pub fn check(
        first: &[ByteChunk],
        first_head: &SignedHead,
        second: &[ByteChunk],
        second_head: &SignedHead,
    ) -> Result<Self, Refusal> {
        // The same allowance on every node, whatever its own message limit.
        let mut budget = MAX_FORK_ALLOWANCE;
        let mut parse = |chain: &[ByteChunk]| -> Result<Vec<Change>, Refusal> {
            if chain.is_empty() || chain.len() > wire::MAX_FORK_CHAIN {
                return Err(bad("a version of 0 or too many changes"));
            }
            chain
                .iter()
                .map(|c| {
                    change_in_chunk(&c.0, &mut budget)
                        .map_err(|e| bad(format!("evidence over {} or malformed: {e}", limits())))
                })
                .collect()
        };
        let first = parse(first)?;
        let second = parse(second)?;
        if !fits(&first, &second) {
            return Err(bad(format!("evidence over {}", limits())));
        }
        let first_head = ChangeSignature::from(first_head);
        let second_head = ChangeSignature::from(second_head);
        Self::from_chains(first, first_head, second, second_head)
    }

    /// Evidence from two chains (each starting with one version).
    pub fn from_chains(
        first: Vec<Change>,
        first_head: ChangeSignature,
        second: Vec<Change>,
        second_head: ChangeSignature,
    ) -> Result<Self, Refusal> {
        let chain = |c: &[Change], head: &ChangeSignature| -> Result<(), Refusal> {
            for w in c.windows(2) {
                if w[1].actor_id() != w[0].actor_id()
                    || w[1].seq() != w[0].seq() + 1
                    || !w[1].deps().contains(&w[0].hash())
                {
                    return Err(bad("a version is not one actor's chain of changes"));
                }
            }
            let last = c.last().ok_or_else(|| bad("an empty version"))?;
            if last.hash().0 != head.hash {
                return Err(bad("the signature is not over the version's last change"));
            }
            check_signatures(c, std::slice::from_ref(head), &[])?;
            Ok(())
        };
        chain(&first, &first_head)?;
        chain(&second, &second_head)?;
        let (a, b) = (&first[0], &second[0]);
        if a.actor_id() != b.actor_id() || a.seq() != b.seq() || a.hash() == b.hash() {
            return Err(bad(
                "the two versions are not different changes with one sequence number",
            ));
        }
        let actor = crate::verify::actor_key(a.actor_id())?;
        Ok(Self {
            actor,
            seq: a.seq(),
            first,
            first_head,
            second,
            second_head,
        })
    }

    /// Whether the evidence is tied to `doc`'s history (a node key belongs to several
    /// coalitions, each with its own sequence numbers: two of its honest changes from two
    /// coalitions are no fork in either). Past sequence number 1, both versions must continue
    /// the same change of the actor held here (its change `seq - 1`, which this fork cannot
    /// set aside); at 1, the actor must be a member's key where the versions were written,
    /// every dependency of both versions must be held, none of them the actor's, and a
    /// version without any must be this coalition's founding.
    pub fn tied_to(&self, doc: &mut automerge::AutoCommit) -> Tie {
        let (a, b) = (&self.first[0], &self.second[0]);
        let actor = a.actor_id();
        if self.seq > 1 {
            let continues = a.deps().iter().filter(|d| b.deps().contains(d)).any(|d| {
                doc.document()
                    .get_change_meta_by_hash(d)
                    .is_some_and(|m| m.actor.as_ref() == actor && m.seq + 1 == self.seq)
            });
            return if continues { Tie::Tied } else { Tie::Waiting };
        }
        // A change with no dependencies founds a coalition: only this one's founding (held)
        // belongs here.
        for v in [a, b] {
            if v.deps().is_empty() && doc.document().get_change_meta_by_hash(&v.hash()).is_none() {
                return Tie::Never;
            }
        }
        let mut all_held = true;
        for d in a.deps().iter().chain(b.deps()) {
            match doc.document().get_change_meta_by_hash(d) {
                Some(m) if m.actor.as_ref() == actor => return Tie::Never,
                Some(_) => {}
                None => all_held = false,
            }
        }
        if !all_held {
            return Tie::Waiting;
        }
        // A member's key where the versions were written (not now: a member can take a key
        // off its record afterwards, and nodes learning the evidence later must agree).
        let member = [a.deps(), b.deps()].iter().any(|deps| {
            !deps.is_empty()
                && model::rules::governance_at(doc, deps).is_some_and(|g| {
                    g.records
                        .values()
                        .any(|m| m.keys.iter().any(|k| k.as_bytes() == &self.actor))
                })
        });
        if member { Tie::Tied } else { Tie::Never }
    }

    /// Whether `other` is the same evidence (the same two first changes).
    pub fn same_as(&self, other: &Fork) -> bool {
        let firsts = |f: &Fork| {
            let mut h = [f.first[0].hash(), f.second[0].hash()];
            h.sort();
            h
        };
        firsts(self) == firsts(other)
    }

    /// The evidence as a message.
    pub fn message(&self, coalition: WireCoalition) -> Message {
        let chunks = |c: &[Change]| {
            c.iter()
                .map(|c| ByteChunk(c.raw_bytes().to_vec()))
                .collect()
        };
        Message::Fork {
            coalition,
            first: chunks(&self.first),
            first_head: SignedHead::from(&self.first_head),
            second: chunks(&self.second),
            second_head: SignedHead::from(&self.second_head),
        }
    }

    fn stored(&self) -> StoredFork {
        let raw = |c: &[Change]| c.iter().map(|c| c.raw_bytes().to_vec()).collect();
        StoredFork {
            first: raw(&self.first),
            first_head: (self.first_head.hash, self.first_head.signature.to_vec()),
            second: raw(&self.second),
            second_head: (self.second_head.hash, self.second_head.signature.to_vec()),
        }
    }
}

/// A fork as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFork {
    first: Vec<Vec<u8>>,
    first_head: ([u8; 32], Vec<u8>),
    second: Vec<Vec<u8>>,
    second_head: ([u8; 32], Vec<u8>),
}

/// What vouches for an actor's kept changes, found in a batch: the actor, the signature
/// over a change set aside, and the chain (raw changes, oldest first) down to its newest
/// kept change.
pub(crate) type Vouch = ([u8; 32], ChangeSignature, Vec<Vec<u8>>);

/// A signature over a change set aside, and the chain down to the newest kept change of its
/// actor: what vouches for that actor's kept changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Voucher {
    head: ([u8; 32], Vec<u8>),
    chain: Vec<Vec<u8>>,
}

/// What a node knows of forks in one coalition, and what they set aside.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Forks {
    evidence: Vec<StoredFork>,
    /// Per forked actor, the first sequence number set aside.
    from: BTreeMap<[u8; 32], u64>,
    /// Changes set aside.
    aside: BTreeSet<[u8; 32]>,
    /// Per actor, what vouches for its kept changes when its newest signed one is set aside.
    vouchers: BTreeMap<[u8; 32], Voucher>,
}

/// Format of [`Forks::to_bytes`].
const FORKS_FORMAT: u8 = 1;

impl Forks {
    /// Reads what [`Forks::to_bytes`] wrote; anything else reads as no forks known (the
    /// evidence comes again from peers).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match bytes.split_first() {
            Some((&FORKS_FORMAT, rest)) => postcard::from_bytes(rest).unwrap_or_default(),
            _ => Self::default(),
        }
    }

    /// The stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![FORKS_FORMAT];
        // Serializing owned data into a Vec cannot fail.
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    /// Whether any fork is known.
    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }

    /// Keys that forked, with the first sequence number set aside.
    pub fn forked(&self) -> &BTreeMap<[u8; 32], u64> {
        &self.from
    }

    /// How many changes are set aside.
    pub fn set_aside(&self) -> usize {
        self.aside.len()
    }

    /// Whether `hash` was set aside.
    pub fn is_aside(&self, hash: &ChangeHash) -> bool {
        self.aside.contains(&hash.0)
    }

    /// Whether `change` is set aside by the forks known (without remembering it).
    fn would_set_aside(&self, change: &Change) -> bool {
        let forked = <[u8; 32]>::try_from(change.actor_id().to_bytes())
            .ok()
            .and_then(|a| self.from.get(&a))
            .is_some_and(|s| change.seq() >= *s);
        forked || change.deps().iter().any(|d| self.aside.contains(&d.0))
    }

    /// Records evidence; whether it sets aside anything more than what was known. Evidence
    /// one of whose versions is itself set aside by a fork known is no fork: a member whose
    /// changes were set aside because they built on another's fork writes its next changes
    /// with the same sequence numbers, and that is not equivocation.
    pub fn add(&mut self, fork: &Fork) -> bool {
        let known = self.from.get(&fork.actor).is_some_and(|s| *s <= fork.seq);
        if known || self.would_set_aside(&fork.first[0]) || self.would_set_aside(&fork.second[0]) {
            return false;
        }
        self.from.insert(fork.actor, fork.seq);
        self.evidence
            .retain(|f| first_of(f).is_none_or(|(a, _)| a != fork.actor));
        self.evidence.push(fork.stored());
        true
    }

    /// The evidence known, as messages for a peer.
    pub fn messages(&self, coalition: WireCoalition) -> Vec<Message> {
        self.evidence
            .iter()
            .map(|f| Message::Fork {
                coalition,
                first: f.first.iter().cloned().map(ByteChunk).collect(),
                first_head: head_of(&f.first_head),
                second: f.second.iter().cloned().map(ByteChunk).collect(),
                second_head: head_of(&f.second_head),
            })
            .collect()
    }

    /// Whether a change is set aside by the forks known: its actor forked at or before its
    /// sequence number, or it depends on a change set aside. Changes must be asked about in
    /// causal order; one set aside is remembered (up to [`MAX_SET_ASIDE`]).
    /// `seen` holds what this pass set aside (unbounded: the pass itself is bounded by the
    /// document or the batch), so that the rule holds even past what is remembered.
    pub fn sets_aside(&mut self, change: &Change, seen: &mut HashSet<ChangeHash>) -> bool {
        let actor = change.actor_id().to_bytes();
        let forked = <[u8; 32]>::try_from(actor)
            .ok()
            .and_then(|a| self.from.get(&a))
            .is_some_and(|s| change.seq() >= *s);
        let aside = forked
            || change
                .deps()
                .iter()
                .any(|d| seen.contains(d) || self.aside.contains(&d.0));
        if aside {
            seen.insert(change.hash());
            if self.aside.len() < MAX_SET_ASIDE {
                self.aside.insert(change.hash().0);
            }
        }
        aside
    }

    /// Remembers what vouches for an actor's kept changes: the signature `head` over a change
    /// set aside, and the actor's chain from just after its newest kept change up to it
    /// (replacing what vouched for that actor). Whether it was kept: not past
    /// [`MAX_VOUCHER_BYTES`] in all, nor the same as what was kept.
    pub fn vouch(&mut self, actor: [u8; 32], head: &ChangeSignature, chain: Vec<Vec<u8>>) -> bool {
        let size = |v: &Voucher| v.chain.iter().map(Vec::len).sum::<usize>();
        let others: usize = self
            .vouchers
            .iter()
            .filter(|(a, _)| **a != actor)
            .map(|(_, v)| size(v))
            .sum();
        let voucher = Voucher {
            head: (head.hash, head.signature.to_vec()),
            chain,
        };
        if others + size(&voucher) > MAX_VOUCHER_BYTES
            || self
                .vouchers
                .get(&actor)
                .is_some_and(|v| v.head == voucher.head)
        {
            return false;
        }
        self.vouchers.insert(actor, voucher);
        true
    }

    /// The newest kept sequence number of `actor` a voucher vouches for (the one just before
    /// its chain), with the dependencies of the chain's first change (one of which is that
    /// kept change), if there is a voucher.
    pub fn vouched(&self, actor: &[u8]) -> Option<(Vec<ChangeHash>, u64)> {
        let v = self.vouchers.get(actor)?;
        let first = Change::from_bytes(v.chain.first()?.clone()).ok()?;
        Some((first.deps().to_vec(), first.seq().checked_sub(1)?))
    }

    /// The voucher of `actor`: its chain (oldest first) and the signature over its last.
    fn voucher_of(&self, actor: &[u8]) -> Option<(Vec<Change>, ChangeSignature)> {
        let v = self.vouchers.get(actor)?;
        let chain = v
            .chain
            .iter()
            .map(|b| Change::from_bytes(b.clone()).ok())
            .collect::<Option<Vec<_>>>()?;
        let head = head_of(&v.head);
        Some((chain, ChangeSignature::from(&head)))
    }

    /// Per actor with a voucher: the first sequence number of its chain and its length (for
    /// tests and diagnostics).
    #[doc(hidden)]
    pub fn voucher_spans(&self) -> Vec<([u8; 32], u64, usize)> {
        self.vouchers
            .iter()
            .filter_map(|(a, v)| {
                let first = Change::from_bytes(v.chain.first()?.clone()).ok()?;
                Some((*a, first.seq(), v.chain.len()))
            })
            .collect()
    }

    /// The signatures and chains that vouch for actors whose newest signed change is set
    /// aside, for a message carrying their kept changes; `signed` says up to which sequence
    /// number an actor's changes are signed here anyway (a voucher below that is no longer
    /// needed).
    pub fn vouchers(
        &self,
        signed: impl Fn(&[u8]) -> Option<u64>,
    ) -> (Vec<SignedHead>, Vec<ByteChunk>) {
        let mut heads = Vec::new();
        let mut chunks = Vec::new();
        for (actor, v) in &self.vouchers {
            let covers = self.vouched(actor).map(|(_, s)| s);
            if signed(actor).is_some_and(|s| covers.is_none_or(|c| s >= c)) {
                continue;
            }
            heads.push(head_of(&v.head));
            chunks.extend(v.chain.iter().cloned().map(ByteChunk));
        }
        (heads, chunks)
    }
}

fn head_of(h: &([u8; 32], Vec<u8>)) -> SignedHead {
    let mut signature = [0u8; 64];
    if h.1.len() == 64 {
        signature.copy_from_slice(&h.1);
    }
    SignedHead {
        hash: h.0,
        signature,
    }
}

/// The actor and sequence number of a stored fork.
fn first_of(f: &StoredFork) -> Option<([u8; 32], u64)> {
    let c = Change::from_bytes(f.first.first()?.clone()).ok()?;
    Some((crate::verify::actor_key(c.actor_id()).ok()?, c.seq()))
}

// How a `SyncNode` learns, keeps and applies forks.
use std::collections::HashMap;

use automerge::AutoCommit;
use model::CoalitionId;
use model::NodeKey;
use model::signing::HeadIndex;
use tracing::warn;

use crate::docs::Documents;
use crate::node::{Output, PeerDoc, SyncNode, send, wire_id};

fn local(e: impl std::fmt::Display) -> Refusal {
    Refusal::Local(e.to_string())
}

/// Follows `actor`'s own chain back from `tip` through `pool`: the changes from just after
/// the newest one not in `pool` up to `tip`, oldest first, if the chain stays in the pool
/// down to a change `kept` says is held.
fn chain_back<'a>(
    tip: &'a Change,
    pool: &HashMap<ChangeHash, &'a Change>,
    kept: impl Fn(&ChangeHash) -> Option<(automerge::ActorId, u64)>,
) -> Option<Vec<&'a Change>> {
    let actor = tip.actor_id();
    let mut chain = vec![tip];
    let mut cur = tip;
    loop {
        if cur.seq() == 1 {
            return None;
        }
        let own = cur.deps().iter().find_map(|d| {
            pool.get(d)
                .filter(|p| p.actor_id() == actor && p.seq() + 1 == cur.seq())
        });
        match own {
            Some(p) => {
                chain.push(p);
                cur = p;
            }
            // Its own previous change is not set aside: it must be held.
            None if cur
                .deps()
                .iter()
                .any(|d| kept(d).is_some_and(|(a, seq)| &a == actor && seq + 1 == cur.seq())) =>
            {
                chain.reverse();
                return Some(chain);
            }
            None => return None,
        }
    }
}

impl SyncNode {
    /// Loads what is known of forks in `c`, once.
    ///
    /// A document stored before its forks record (a crash between the two) still holds
    /// what the record sets aside: it is rebuilt without it here.
    pub(crate) fn load_forks(&mut self, docs: &mut impl Documents, c: &CoalitionId) {
        if !self.forks.contains_key(c) {
            let forks = docs
                .load_forks(c)
                .map(|b| Forks::from_bytes(&b))
                .unwrap_or_default();
            let known = !forks.is_empty();
            self.forks.insert(c.clone(), forks);
            if known && let Err(e) = self.rebuild_without_aside(docs, c) {
                warn!(coalition = %c, error = %e, "could not set aside what a known fork sets aside");
            }
        }
    }

    fn save_forks(&mut self, docs: &mut impl Documents, c: &CoalitionId) -> Result<(), Refusal> {
        let Some(forks) = self.forks.get(c) else {
            return Ok(());
        };
        let forked: Vec<[u8; 32]> = forks.forked().keys().copied().collect();
        docs.save_forks(c, &forks.to_bytes(), &forked)
            .map_err(Refusal::Local)
    }

    /// Parses the changes a message carries only to vouch for others, within `budget`:
    /// what is left of the message's allowance.
    pub(crate) fn parse_vouchers(
        &self,
        chunks: &[ByteChunk],
        mut budget: usize,
    ) -> Result<Vec<Change>, Refusal> {
        chunks
            .iter()
            .map(|c| change_in_chunk(&c.0, &mut budget))
            .collect()
    }

    /// What vouches for kept changes whose signed successors were set aside in `c`.
    pub(crate) fn vouchers(
        &self,
        c: &CoalitionId,
        index: &HeadIndex,
    ) -> (Vec<SignedHead>, Vec<ByteChunk>) {
        self.forks
            .get(c)
            .map(|f| f.vouchers(|a| index.max_seq(a)))
            .unwrap_or_default()
    }

    /// Tells a peer starting to sync `c` of every fork known there.
    pub(crate) fn send_forks(
        &mut self,
        docs: &mut impl Documents,
        peer: NodeKey,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        self.load_forks(docs, c);
        if let Some(forks) = self.forks.get(c) {
            for m in forks.messages(wire_id(c)) {
                send(out, peer, &m);
            }
        }
    }

    /// Takes out of `new` (verified, not held) what the forks known set aside, remembering
    /// it; returns the rest, and what vouches for kept changes whose signature came over a
    /// change set aside (to keep with [`SyncNode::keep_vouchers`] once they are stored).
    pub(crate) fn set_aside_arriving(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        mut new: Vec<Change>,
        vouchers: &[Change],
        used: &[ChangeSignature],
    ) -> Result<(Vec<Change>, Vec<Vouch>), Refusal> {
        let forks = self.forks.entry(c.clone()).or_default();
        let remembered = forks.set_aside();
        let (aside, kept): (Vec<Change>, Vec<Change>) = if forks.is_empty() {
            (Vec::new(), new)
        } else {
            // Start operations grow along the change graph: a causal order for the rule.
            new.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
            let mut seen = HashSet::new();
            new.into_iter()
                .partition(|ch| forks.sets_aside(ch, &mut seen))
        };
        if aside.is_empty() && vouchers.is_empty() {
            return Ok((kept, Vec::new()));
        }
        if forks.set_aside() > remembered {
            self.save_forks(docs, c)?;
        }
        let pool: HashMap<ChangeHash, &Change> = aside
            .iter()
            .chain(vouchers)
            .map(|ch| (ch.hash(), ch))
            .collect();
        let kept_meta: HashMap<ChangeHash, (automerge::ActorId, u64)> = kept
            .iter()
            .map(|ch| (ch.hash(), (ch.actor_id().clone(), ch.seq())))
            .collect();
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let am = doc.document();
        let mut vouches = Vec::new();
        for sig in used {
            let Some(tip) = pool.get(&ChangeHash(sig.hash)) else {
                continue;
            };
            let held = |h: &ChangeHash| {
                kept_meta.get(h).cloned().or_else(|| {
                    am.get_change_meta_by_hash(h)
                        .map(|m| (m.actor.into_owned(), m.seq))
                })
            };
            if let (Some(chain), Ok(actor)) = (
                chain_back(tip, &pool, held),
                crate::verify::actor_key(tip.actor_id()),
            ) {
                let raw = chain.iter().map(|c| c.raw_bytes().to_vec()).collect();
                vouches.push((actor, sig.clone(), raw));
            }
        }
        Ok((kept, vouches))
    }

    /// Keeps what vouches for an actor's kept changes, once they are stored. Failing to is
    /// this node's own trouble (its store), not the peer's: logged, and peers carry the
    /// vouchers again with the changes they vouch for.
    pub(crate) fn keep_vouchers(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        vouches: Vec<Vouch>,
    ) {
        if vouches.is_empty() {
            return;
        }
        let forks = self.forks.entry(c.clone()).or_default();
        let mut changed = false;
        for (actor, sig, chain) in vouches {
            changed |= forks.vouch(actor, &sig, chain);
        }
        if changed && let Err(e) = self.save_forks(docs, c) {
            warn!(coalition = %c, error = %e, "could not keep what vouches for changes");
        }
    }

    /// Evidence of a fork: `incoming` (verified, in `new` with `vouchers` and signed as
    /// `used` says) and the version of it held here.
    pub(crate) fn evidence(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        incoming: &Change,
        new: &[Change],
        vouchers: &[Change],
        used: &[ChangeSignature],
    ) -> Result<Fork, Refusal> {
        let equivocation = || Refusal::Equivocation {
            actor: incoming.actor_id().to_hex_string(),
            seq: incoming.seq(),
        };
        let actor = incoming.actor_id();
        let seq = incoming.seq();
        // The incoming version, up to the actor's signed change in the batch.
        let pool: HashMap<ChangeHash, &Change> = new
            .iter()
            .chain(vouchers)
            .map(|ch| (ch.hash(), ch))
            .collect();
        let (second_head, tip) = used
            .iter()
            .find_map(|s| {
                pool.get(&ChangeHash(s.hash))
                    .filter(|c| c.actor_id() == actor)
                    .map(|c| (s.clone(), *c))
            })
            .ok_or_else(equivocation)?;
        let mut second = vec![tip.clone()];
        while second.last().is_some_and(|c| c.seq() > seq) {
            let cur = second.last().ok_or_else(equivocation)?;
            let prev = cur
                .deps()
                .iter()
                .find_map(|d| pool.get(d).filter(|p| p.actor_id() == actor))
                .ok_or_else(equivocation)?;
            second.push((*prev).clone());
        }
        second.reverse();
        // The version held here: the actor's chain from `seq` up to the nearest change of it
        // with a signature stored here (every signature received is kept), found below its
        // newest signed change held, or below its newest kept one and then its voucher (the
        // chain set aside up to a signed change).
        let voucher = self
            .forks
            .get(c)
            .and_then(|f| f.voucher_of(actor.to_bytes()));
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let (mut first_head, mut tail) = match index.newest(actor.to_bytes()) {
            Some(h)
                if doc
                    .document()
                    .get_change_meta_by_hash(&ChangeHash(h.hash))
                    .is_some_and(|m| m.seq >= seq) =>
            {
                (h.clone(), Vec::new())
            }
            _ => {
                let (chain, head) = voucher.ok_or_else(equivocation)?;
                (head, chain)
            }
        };
        let previous_own = |doc: &mut AutoCommit, deps: &[ChangeHash], of: u64| {
            deps.iter().copied().find(|d| {
                doc.document()
                    .get_change_meta_by_hash(d)
                    .is_some_and(|m| m.actor.as_ref() == actor && m.seq + 1 == of)
            })
        };
        let mut hash = match tail.first() {
            // The newest kept change, just before the voucher's chain.
            Some(v) => previous_own(doc, v.deps(), v.seq()).ok_or_else(equivocation)?,
            None => ChangeHash(first_head.hash),
        };
        // Down to `seq` through the changes' metadata (nothing rebuilt on the way).
        let mut hashes = Vec::new();
        loop {
            let (at, deps) = doc
                .document()
                .get_change_meta_by_hash(&hash)
                .map(|m| (m.seq, m.deps.clone()))
                .ok_or_else(equivocation)?;
            hashes.push(hash);
            if at <= seq {
                break;
            }
            hash = previous_own(doc, &deps, at).ok_or_else(equivocation)?;
        }
        hashes.reverse();
        // The nearest signature to `seq` shortens the chain (a far one cannot travel).
        for (i, h) in hashes.iter().enumerate().take(wire::MAX_FORK_CHAIN) {
            if let Some(sig) = docs.signature(c, &h.0) {
                hashes.truncate(i + 1);
                first_head = sig;
                tail.clear();
                break;
            }
        }
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let mut first = Vec::with_capacity(hashes.len());
        for h in &hashes {
            first.push(
                automerge::ReadDoc::get_change_by_hash(doc.document(), h)
                    .ok_or_else(equivocation)?,
            );
            if first.len() > wire::MAX_FORK_CHAIN {
                break;
            }
        }
        first.append(&mut tail);
        // Evidence that peers would refuse as too large is not learnt either: every node
        // must be able to check what sets changes aside here.
        if first.len() > wire::MAX_FORK_CHAIN
            || second.len() > wire::MAX_FORK_CHAIN
            || !fits(&first, &second)
        {
            tracing::warn!(coalition = %c, actor = %actor, seq, "a member's node forked its history too far back for evidence to travel: the other version is not applied here");
            return Err(equivocation());
        }
        Fork::from_chains(first, first_head, second, second_head)
    }

    /// Learns a fork (found here, or sent by `from`): records it, sets aside what it sets
    /// aside, tells every other peer syncing `c`, and starts syncing `c` again with each.
    pub(crate) fn learn_fork(
        &mut self,
        docs: &mut impl Documents,
        from: Option<NodeKey>,
        c: &CoalitionId,
        fork: &Fork,
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.load_forks(docs, c);
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        match fork.tied_to(doc) {
            Tie::Tied => {}
            Tie::Never => return Ok(()),
            Tie::Waiting => {
                // This node has not caught up with what the versions build on yet: tried
                // again after each batch applied, while it waits in memory.
                let pending = self.pending_forks.entry(c.clone()).or_default();
                if !pending.iter().any(|p| p.same_as(fork)) {
                    if pending.len() >= MAX_PENDING_FORKS {
                        pending.remove(0);
                    }
                    pending.push(fork.clone());
                }
                return Ok(());
            }
        }
        // Whether this node holds any change the fork sets aside: the actor's newest held
        // change is signed here (or vouched for), so its sequence number tells.
        let holds_some = docs
            .entry(c)
            .is_some_and(|(_, index)| index.max_seq(&fork.actor).is_some_and(|m| m >= fork.seq));
        let forks = self.forks.entry(c.clone()).or_default();
        let vouched = forks.vouchers.contains_key(&fork.actor);
        if !forks.add(fork) {
            return Ok(());
        }
        let key = NodeKey::from_bytes(fork.actor);
        let changed = if holds_some || vouched {
            self.rebuild_without_aside(docs, c)?
        } else {
            false
        };
        self.save_forks(docs, c)?;
        let set_aside = self.forks.get(c).map_or(0, Forks::set_aside);
        warn!(coalition = %c, key = %key, seq = fork.seq, set_aside, "a member's node forked its history (two different changes with one sequence number): its changes from there on, and what was built on them, are set aside on every node");
        out.push(Output::Forked {
            coalition: c.clone(),
            key,
            seq: fork.seq,
            set_aside,
        });
        let message = fork.message(wire_id(c));
        let syncing: Vec<NodeKey> = self
            .peers
            .iter()
            .filter(|(_, p)| p.docs.contains_key(c))
            .map(|(k, _)| *k)
            .collect();
        for peer in syncing {
            if Some(peer) != from {
                send(out, peer, &message);
            }
            // Only a document that lost changes needs syncing afresh.
            if changed {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.docs.insert(c.clone(), PeerDoc::new());
                }
                self.sync_step(docs, peer, c, out);
            }
        }
        Ok(())
    }

    /// Learns the evidence waiting for `c` that is now tied to what is held.
    pub(crate) fn retry_pending_forks(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let Some(pending) = self.pending_forks.remove(c) else {
            return;
        };
        let Some((doc, _)) = docs.entry(c) else {
            return;
        };
        let mut tied = Vec::new();
        let mut waiting = Vec::new();
        for f in pending {
            match f.tied_to(doc) {
                Tie::Tied => tied.push(f),
                Tie::Waiting => waiting.push(f),
                Tie::Never => {}
            }
        }
        if !waiting.is_empty() {
            self.pending_forks.insert(c.clone(), waiting);
        }
        for fork in tied {
            // The batch that tied it is stored already: a failure here is this node's own
            // (its store), reported, and the evidence comes again from peers.
            if let Err(e) = self.learn_fork(docs, None, c, &fork, out) {
                warn!(coalition = %c, error = %e, "could not learn a fork");
            }
        }
    }

    /// Rebuilds the document of `c` without what the forks known set aside; keeps what
    /// vouches for actors whose newest signed change was set aside; stores the result.
    /// Returns whether anything was set aside.
    pub(crate) fn rebuild_without_aside(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
    ) -> Result<bool, Refusal> {
        let Some(forks) = self.forks.get_mut(c) else {
            return Ok(false);
        };
        let Some((doc, index)) = docs.entry(c) else {
            return Ok(false);
        };
        let mut all = doc.get_changes(&[]);
        // Start operations grow along the change graph (see `chain`): a causal order, which
        // the rule needs (Automerge's own order need not be one).
        all.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
        let mut seen = HashSet::new();
        let (aside, kept): (Vec<Change>, Vec<Change>) = all
            .into_iter()
            .partition(|ch| forks.sets_aside(ch, &mut seen));
        if aside.is_empty() {
            return Ok(false);
        }
        let sigs = index.signatures();
        let mut fresh = AutoCommit::new().with_actor(doc.get_actor().clone());
        fresh.apply_changes(kept.iter().cloned()).map_err(local)?;
        *doc = fresh;
        *index = HeadIndex::rebuild(doc, sigs.clone());
        // Actors whose newest kept change has no signature here any more: vouch for it with
        // the chain up to their signed change set aside.
        let mut newest_kept: HashMap<Vec<u8>, u64> = HashMap::new();
        for ch in &kept {
            let e = newest_kept
                .entry(ch.actor_id().to_bytes().to_vec())
                .or_default();
            *e = (*e).max(ch.seq());
        }
        // The changes a voucher already carries count as set aside too: a fork found at an
        // earlier sequence number extends their chains down to what is kept now.
        let mut heads = sigs.clone();
        let mut earlier: Vec<Change> = Vec::new();
        for actor in forks.vouchers.keys().copied().collect::<Vec<_>>() {
            if let Some((chain, head)) = forks.voucher_of(&actor) {
                earlier.extend(chain);
                heads.push(head);
            }
        }
        let pool: HashMap<ChangeHash, &Change> = aside
            .iter()
            .chain(&earlier)
            .map(|ch| (ch.hash(), ch))
            .collect();
        let kept_meta: HashMap<ChangeHash, (automerge::ActorId, u64)> = kept
            .iter()
            .map(|ch| (ch.hash(), (ch.actor_id().clone(), ch.seq())))
            .collect();
        for sig in &heads {
            let Some(tip) = pool.get(&ChangeHash(sig.hash)) else {
                continue;
            };
            let a = tip.actor_id().to_bytes();
            let signed = index.max_seq(a);
            if newest_kept
                .get(a)
                .is_none_or(|n| signed.is_some_and(|s| s >= *n))
            {
                continue;
            }
            if let (Some(chain), Ok(actor)) = (
                chain_back(tip, &pool, |h| kept_meta.get(h).cloned()),
                crate::verify::actor_key(tip.actor_id()),
            ) {
                forks.vouch(
                    actor,
                    sig,
                    chain.iter().map(|c| c.raw_bytes().to_vec()).collect(),
                );
            }
        }
        docs.rebuilt(c, &aside).map_err(Refusal::Local)?;
        Ok(true)
    }
}
