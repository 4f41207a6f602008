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
//! - **Witness** ([`Witness`], [`Message::Witness`]): proof that another member built on one
//!   version: the version, then changes each depending on the one before, the last signed
//!   by a key of a member other than the forked actor's, where the fork happened. Nobody
//!   can make one for a version no other member built on; any node holding a version that
//!   another member built on makes one (every signature is kept, so a near one is found).
//! - **Rule**: for each fork known, the versions are judged by the witnesses known: while
//!   none has one, nothing is set aside (each node keeps the version it holds, and does not
//!   apply the other); once one has, every other version is *set aside* with everything
//!   built on it; once two have, every version is. Set aside means not in the document, not
//!   applied, not relayed, not refused either (kept aside, and counted). Witnesses only
//!   accumulate, so what is set aside only grows: nothing set aside ever comes back, and a
//!   member whose own changes were set aside may write again with the same sequence
//!   numbers without that ever being a fork. Which changes are set aside depends only on the
//!   evidence, the witnesses and the change graph, never on arrival order; evidence and
//!   witnesses spread like any message, so honest nodes converge. Before any witness they
//!   may hold different versions of the forked change: that lasts until any other member
//!   writes on one.
//! - **Cost**: a member forking one of its old changes sets aside nothing but its new
//!   version (every other member holds and built on the old one; none can build on the new
//!   one). Across a partition where members on both sides built on different versions,
//!   both are set aside with what was built on them, on every node: out of the document
//!   until their authors enter them again, kept apart in the stores that held them
//!   (`Documents::rebuilt`, `coalesce audit aside`), not lost. The forked key is flagged
//!   and its node writes nothing more; its organization goes on with another key.
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
pub const MAX_FORK_ALLOWANCE: usize = 4 * wire::MIN_MESSAGE_LIMIT;

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
            let continues = previous_own(doc, a).is_some_and(|p| b.deps().contains(&p));
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
                && model::rules::governance_at(doc, deps)
                    .is_some_and(|g| g.record_holding(&self.actor).is_some())
        });
        if member { Tie::Tied } else { Tie::Never }
    }

    /// The actor's change both versions continue (held in `doc`), or zeros at sequence
    /// number 1: where the fork is (see `ForkAt`).
    pub fn base(&self, doc: &mut automerge::AutoCommit) -> Option<[u8; 32]> {
        if self.seq == 1 {
            return Some([0; 32]);
        }
        previous_own(doc, &self.first[0])
            .filter(|p| self.second[0].deps().contains(p))
            .map(|p| p.0)
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

    fn stored(&self, base: [u8; 32]) -> StoredFork {
        let raw = |c: &[Change]| c.iter().map(|c| c.raw_bytes().to_vec()).collect();
        StoredFork {
            base,
            first: raw(&self.first),
            first_head: (self.first_head.hash, self.first_head.signature.to_vec()),
            second: raw(&self.second),
            second_head: (self.second_head.hash, self.second_head.signature.to_vec()),
        }
    }
}

/// Checked proof that another member built on one version of a fork (a *witness*): the
/// version, then changes each depending on the one before, the last signed by its author,
/// whose key must be another member's where the fork happened ([`Witness::counts_in`]).
#[derive(Debug, Clone)]
pub struct Witness {
    path: Vec<Change>,
    head: ChangeSignature,
}

impl Witness {
    /// Checks a witness as received, within the evidence limits ([`MAX_FORK_BYTES`],
    /// [`MAX_FORK_ALLOWANCE`]), the same on every node.
    pub fn check(path: &[ByteChunk], head: &SignedHead) -> Result<Self, Refusal> {
        if path.len() < 2 || path.len() > wire::MAX_FORK_CHAIN {
            return Err(bad("a witness of fewer than 2 or too many changes"));
        }
        let mut budget = MAX_FORK_ALLOWANCE;
        let path = path
            .iter()
            .map(|c| {
                change_in_chunk(&c.0, &mut budget)
                    .map_err(|e| bad(format!("witness over {} or malformed: {e}", limits())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_path(path, ChangeSignature::from(head))
    }

    /// A witness from its path (the version first) and the signature over its last change.
    pub fn from_path(path: Vec<Change>, head: ChangeSignature) -> Result<Self, Refusal> {
        if path.len() < 2 || path.len() > wire::MAX_FORK_CHAIN || !fits(&path, &[]) {
            return Err(bad(format!(
                "a witness is the version and at least one change after it, within {}",
                limits()
            )));
        }
        for w in path.windows(2) {
            if !w[1].deps().contains(&w[0].hash()) {
                return Err(bad(
                    "a witness's changes do not each depend on the one before",
                ));
            }
        }
        let (version, last) = (&path[0], &path[path.len() - 1]);
        if last.hash().0 != head.hash {
            return Err(bad("the signature is not over the witness's last change"));
        }
        if last.actor_id() == version.actor_id() {
            return Err(bad("a key does not witness its own version"));
        }
        crate::verify::actor_key(version.actor_id())?;
        check_signatures(std::slice::from_ref(last), std::slice::from_ref(&head), &[])?;
        Ok(Self { path, head })
    }

    /// The version it witnesses.
    pub fn version(&self) -> &Change {
        // A witness holds at least two changes (checked when it was made).
        &self.path[0]
    }

    /// The key that signed it (its last change's actor).
    pub fn witness_key(&self) -> [u8; 32] {
        self.path
            .last()
            .and_then(|c| <[u8; 32]>::try_from(c.actor_id().to_bytes()).ok())
            .unwrap_or_default()
    }

    /// Whether the witness counts in `doc`'s coalition: the version's fork is known (in
    /// `forks`), and where the fork happened (the actor's change before it, or for its first
    /// change the version's dependencies, held here) the witness's key is a member's, not
    /// the forked actor's member's.
    pub fn counts_in(&self, doc: &mut automerge::AutoCommit, forks: &Forks) -> Tie {
        let v = self.version();
        let Ok(actor) = <[u8; 32]>::try_from(v.actor_id().to_bytes()) else {
            return Tie::Never;
        };
        let Some(key) = forks.fork_of(v) else {
            return Tie::Waiting;
        };
        // Only a version the actor signed (one of the evidence's two) can be witnessed:
        // anyone can write a "version" of another key's change, nobody but the actor can
        // sign it, and a witness signs only its own last change.
        if !forks.versions_of(&key).contains(&v.hash()) {
            return Tie::Waiting;
        }
        let base: Vec<ChangeHash> = if v.seq() > 1 {
            vec![ChangeHash(key.2)]
        } else if v.deps().is_empty() {
            vec![v.hash()]
        } else {
            v.deps().to_vec()
        };
        if base
            .iter()
            .any(|d| doc.document().get_change_meta_by_hash(d).is_none())
        {
            return Tie::Waiting;
        }
        let Some(g) = model::rules::governance_at(doc, &base) else {
            return Tie::Never;
        };
        match (
            g.record_holding(&self.witness_key()),
            g.record_holding(&actor),
        ) {
            (Some(w), forked) if forked != Some(w) => Tie::Tied,
            _ => Tie::Never,
        }
    }

    /// The witness as a message.
    pub fn message(&self, coalition: WireCoalition) -> Message {
        Message::Witness {
            coalition,
            path: self
                .path
                .iter()
                .map(|c| ByteChunk(c.raw_bytes().to_vec()))
                .collect(),
            head: SignedHead::from(&self.head),
        }
    }

    fn stored(&self) -> StoredWitness {
        StoredWitness {
            path: self.path.iter().map(|c| c.raw_bytes().to_vec()).collect(),
            head: (self.head.hash, self.head.signature.to_vec()),
        }
    }
}

/// A fork as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFork {
    base: [u8; 32],
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

impl Voucher {
    /// The first change of its chain (just after the newest kept change it vouches for).
    fn first(&self) -> Option<Change> {
        Change::from_bytes(self.chain.first()?.clone()).ok()
    }
}

/// A witness as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredWitness {
    path: Vec<Vec<u8>>,
    head: ([u8; 32], Vec<u8>),
}

/// Where a fork is: the actor, the sequence number of its versions, and the actor's change
/// before them that both continue (zeros at sequence number 1). A change of that actor and
/// number that continues another change is no version of this fork (a fork on another
/// version, itself set aside or not).
type ForkAt = ([u8; 32], u64, [u8; 32]);

/// What a node knows of forks in one coalition, and what they set aside.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Forks {
    evidence: Vec<StoredFork>,
    /// Per forked actor, its lowest forked sequence number (its key is flagged).
    from: BTreeMap<[u8; 32], u64>,
    /// The forks known.
    known: BTreeSet<ForkAt>,
    /// Per fork, the versions a witness is known for, with the first witness of each (two
    /// at most: two set every version aside, whatever else is known).
    witnessed: BTreeMap<ForkAt, Vec<([u8; 32], StoredWitness)>>,
    /// Changes set aside.
    aside: BTreeSet<[u8; 32]>,
    /// Per actor, what vouches for its kept changes when its newest signed one is set aside.
    vouchers: BTreeMap<[u8; 32], Voucher>,
}

/// Most pieces of evidence kept per fork (each brings a version not known yet): past it, a
/// key signing ever more versions of one change costs no more.
pub const MAX_EVIDENCE_PER_FORK: usize = 16;

/// Where the stored evidence `f` is (see [`ForkAt`]).
fn at(f: &StoredFork) -> Option<ForkAt> {
    let c = Change::from_bytes(f.first.first()?.clone()).ok()?;
    Some((
        crate::verify::actor_key(c.actor_id()).ok()?,
        c.seq(),
        f.base,
    ))
}

/// Format of [`Forks::to_bytes`].
const FORKS_FORMAT: u8 = 2;

/// Evidence as format 1 stored it (protocol 3).
#[derive(Deserialize)]
struct StoredForkV1 {
    _first: Vec<Vec<u8>>,
    _first_head: ([u8; 32], Vec<u8>),
    _second: Vec<Vec<u8>>,
    _second_head: ([u8; 32], Vec<u8>),
}

/// The record as format 1 stored it (protocol 3, which set aside every change of a forked
/// key from the fork on).
#[derive(Deserialize)]
struct FormatV1 {
    _evidence: Vec<StoredForkV1>,
    from: BTreeMap<[u8; 32], u64>,
    aside: BTreeSet<[u8; 32]>,
    vouchers: BTreeMap<[u8; 32], Voucher>,
}

impl Forks {
    /// Reads what [`Forks::to_bytes`] wrote, or what format 1 did: its flagged keys, the
    /// changes it set aside (they stay aside: nothing set aside comes back) and its vouchers
    /// are kept, its evidence is not (it comes again from peers, judged by witnesses now).
    /// Anything else reads as no forks known.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match bytes.split_first() {
            Some((&FORKS_FORMAT, rest)) => postcard::from_bytes(rest).unwrap_or_default(),
            Some((1, rest)) => postcard::from_bytes::<FormatV1>(rest)
                .map(|v1| Self {
                    from: v1.from,
                    aside: v1.aside,
                    vouchers: v1.vouchers,
                    ..Self::default()
                })
                .unwrap_or_default(),
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

    /// Keys that forked, with their lowest forked sequence number.
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

    /// Whether `change` is a version of a known fork that the witnesses known set aside:
    /// none while no version has a witness (each node keeps the version it holds), every
    /// other one once one version has, every one once two have.
    fn losing_version(&self, change: &Change) -> bool {
        let Some(key) = self.fork_of(change) else {
            return false;
        };
        match self.witnessed.get(&key).map(Vec::as_slice) {
            None | Some([]) => false,
            Some([(kept, _)]) => *kept != change.hash().0,
            Some(_) => true,
        }
    }

    /// Whether `change` is set aside by the forks known (without remembering it).
    fn would_set_aside(&self, change: &Change) -> bool {
        self.losing_version(change) || change.deps().iter().any(|d| self.aside.contains(&d.0))
    }

    /// The known fork `change` is a version of, if any: one of its actor at its sequence
    /// number that `change` continues the base of.
    fn fork_of(&self, change: &Change) -> Option<ForkAt> {
        let actor = <[u8; 32]>::try_from(change.actor_id().to_bytes()).ok()?;
        let seq = change.seq();
        self.known
            .range((actor, seq, [0; 32])..=(actor, seq, [0xff; 32]))
            .find(|(_, _, base)| {
                if seq == 1 {
                    *base == [0; 32]
                } else {
                    change.deps().contains(&ChangeHash(*base))
                }
            })
            .copied()
    }

    /// The versions of forks of `actor` at `seq` a witness is known for.
    pub fn witnessed(&self, actor: &[u8; 32], seq: u64) -> Vec<ChangeHash> {
        self.witnessed
            .range((*actor, seq, [0; 32])..=(*actor, seq, [0xff; 32]))
            .flat_map(|(_, w)| w.iter().map(|(v, _)| ChangeHash(*v)))
            .collect()
    }

    /// Forgets `w` (it could not be applied here).
    fn remove_witness(&mut self, w: &Witness) {
        if let Some(key) = self.fork_of(w.version())
            && let Some(list) = self.witnessed.get_mut(&key)
        {
            list.retain(|(h, _)| *h != w.version().hash().0);
        }
    }

    /// Whether `w` is known already, or its fork decided for good (two witnesses).
    fn has_witness(&self, w: &Witness) -> bool {
        self.fork_of(w.version())
            .and_then(|key| self.witnessed.get(&key))
            .is_some_and(|list| {
                list.len() >= 2 || list.iter().any(|(h, _)| *h == w.version().hash().0)
            })
    }

    /// Records a witness of a version of a known fork (checked: see
    /// [`Witness::counts_in`]); whether it changed what is set aside.
    pub fn add_witness(&mut self, w: &Witness) -> bool {
        let v = w.version();
        let Some(key) = self.fork_of(v) else {
            return false;
        };
        let list = self.witnessed.entry(key).or_default();
        if list.len() >= 2 || list.iter().any(|(h, _)| *h == v.hash().0) {
            return false;
        }
        list.push((v.hash().0, w.stored()));
        true
    }

    /// Records evidence of a fork continuing `base` (see [`Fork::base`]); whether it was new.
    /// Evidence one of whose versions is itself set aside by a fork known is no fork: a
    /// member whose changes were set aside because they built on another's fork writes its
    /// next changes with the same sequence numbers, and that is not equivocation.
    pub fn add(&mut self, fork: &Fork, base: [u8; 32]) -> bool {
        let key = (fork.actor, fork.seq, base);
        if self.known.contains(&key) {
            // More than two versions: evidence bringing one not known yet is kept too (up to
            // `MAX_EVIDENCE_PER_FORK`), so that every node can judge a witness of any of them.
            let versions = self.versions_of(&key);
            let new = [&fork.first[0], &fork.second[0]]
                .iter()
                .any(|v| !versions.contains(&v.hash()));
            let pieces = self.evidence.iter().filter(|f| at(f) == Some(key)).count();
            if !new || pieces >= MAX_EVIDENCE_PER_FORK {
                return false;
            }
            self.evidence.push(fork.stored(base));
            return true;
        }
        if self.would_set_aside(&fork.first[0]) || self.would_set_aside(&fork.second[0]) {
            return false;
        }
        self.known.insert(key);
        let from = self.from.entry(fork.actor).or_insert(fork.seq);
        *from = (*from).min(fork.seq);
        self.evidence.push(fork.stored(base));
        true
    }

    /// Keys every known fork of which has a version with a witness.
    pub fn decided(&self) -> Vec<[u8; 32]> {
        let undecided: BTreeSet<[u8; 32]> = self
            .known
            .iter()
            .filter(|f| self.witnessed.get(*f).is_none_or(Vec::is_empty))
            .map(|(a, _, _)| *a)
            .collect();
        let mut keys: Vec<[u8; 32]> = self.known.iter().map(|(a, _, _)| *a).collect();
        keys.dedup(); // `known` is ordered by actor first
        keys.retain(|a| !undecided.contains(a));
        keys
    }

    /// Whether `change` is a version of a known fork.
    pub fn knows(&self, change: &Change) -> bool {
        self.fork_of(change).is_some()
    }

    /// The versions (first changes) of the known fork `key`, in all its evidence.
    fn versions_of(&self, key: &ForkAt) -> Vec<ChangeHash> {
        let mut out = Vec::new();
        for f in self.evidence.iter().filter(|f| at(f) == Some(*key)) {
            for raw in [f.first.first(), f.second.first()].into_iter().flatten() {
                if let Ok(c) = Change::from_bytes(raw.clone())
                    && !out.contains(&c.hash())
                {
                    out.push(c.hash());
                }
            }
        }
        out
    }

    /// The evidence known, as messages for a peer.
    pub fn messages(&self, coalition: WireCoalition) -> Vec<Message> {
        let evidence = self.evidence.iter().map(|f| Message::Fork {
            coalition,
            first: f.first.iter().cloned().map(ByteChunk).collect(),
            first_head: head_of(&f.first_head),
            second: f.second.iter().cloned().map(ByteChunk).collect(),
            second_head: head_of(&f.second_head),
        });
        // Witnesses after the evidence they are about.
        let witnesses = self
            .witnessed
            .values()
            .flatten()
            .map(|(_, w)| Message::Witness {
                coalition,
                path: w.path.iter().cloned().map(ByteChunk).collect(),
                head: head_of(&w.head),
            });
        evidence.chain(witnesses).collect()
    }

    /// Whether a change is set aside by the forks known: it is a version of a fork that the
    /// witnesses known set aside, or it depends on a change set aside. Changes must be asked about in
    /// causal order; one set aside is remembered (up to [`MAX_SET_ASIDE`]).
    /// `seen` holds what this pass set aside (unbounded: the pass itself is bounded by the
    /// document or the batch), so that the rule holds even past what is remembered.
    pub fn sets_aside(&mut self, change: &Change, seen: &mut HashSet<ChangeHash>) -> bool {
        let aside = self.losing_version(change)
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
        let first_seq = |v: &Voucher| v.first().map(|c| c.seq());
        if others + size(&voucher) > MAX_VOUCHER_BYTES
            || self.vouchers.get(&actor).is_some_and(|v| {
                // The same, or one vouching for later kept changes than this one would.
                v.head == voucher.head || first_seq(v) > first_seq(&voucher)
            })
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
        let first = self.vouchers.get(actor)?.first()?;
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
            .filter_map(|(a, v)| Some((*a, v.first()?.seq(), v.chain.len())))
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

// How a `SyncNode` learns, keeps and applies forks.
use std::collections::HashMap;

use automerge::AutoCommit;
use model::CoalitionId;
use model::NodeKey;
use model::signing::HeadIndex;
use tracing::{info, warn};

use crate::docs::Documents;
use crate::node::{Output, PeerDoc, SyncNode, send, wire_id};

/// The change of `actor` with sequence number `seq` held in `doc`: found down its chain from
/// its newest signed change; `Some(None)` if none is held, `None` if this cannot tell (no
/// signature of the actor here, or its newest held changes are vouched for, not signed).
fn held_at(
    doc: &mut AutoCommit,
    index: &HeadIndex,
    actor: &automerge::ActorId,
    seq: u64,
) -> Option<Option<ChangeHash>> {
    // Without a signature here, what is held of the actor (if anything) is vouched for:
    // this cannot tell.
    let newest = index.newest(actor.to_bytes())?;
    let mut hash = ChangeHash(newest.hash);
    loop {
        let (at, deps) = doc
            .document()
            .get_change_meta_by_hash(&hash)
            .map(|m| (m.seq, m.deps.clone()))?;
        if at < seq {
            return None;
        }
        if at == seq {
            return Some(Some(hash));
        }
        hash = own_previous(doc, actor, &deps, at)?;
    }
}

/// Among `deps` (of a change of `actor` with sequence number `seq`), the actor's change just
/// before it, if held in `doc`.
pub(crate) fn own_previous(
    doc: &mut AutoCommit,
    actor: &automerge::ActorId,
    deps: &[ChangeHash],
    seq: u64,
) -> Option<ChangeHash> {
    deps.iter().copied().find(|d| {
        doc.document()
            .get_change_meta_by_hash(d)
            .is_some_and(|m| m.actor.as_ref() == actor && m.seq + 1 == seq)
    })
}

/// The change of `change`'s actor just before it, among its dependencies, if held in `doc`.
pub(crate) fn previous_own(doc: &mut AutoCommit, change: &Change) -> Option<ChangeHash> {
    own_previous(doc, change.actor_id(), change.deps(), change.seq())
}

/// Adds `item` to a waiting list unless one `same` is there, dropping the oldest past
/// [`MAX_PENDING_FORKS`].
fn wait_in<T: Clone>(pending: &mut Vec<T>, item: &T, same: impl Fn(&T) -> bool) {
    if pending.iter().any(same) {
        return;
    }
    if pending.len() >= MAX_PENDING_FORKS {
        pending.remove(0);
    }
    pending.push(item.clone());
}

/// Whether changes by `by`'s key count as witnesses of `version` (judged as if on a
/// one-change path: only the keys and where the fork happened matter).
fn counts_as_witness(doc: &mut AutoCommit, forks: &Forks, version: &Change, by: &Change) -> bool {
    Witness {
        path: vec![version.clone(), by.clone()],
        head: ChangeSignature {
            hash: by.hash().0,
            signature: [0; 64],
        },
    }
    .counts_in(doc, forks)
        == Tie::Tied
}

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
        let mut hash = match tail.first() {
            // The newest kept change, just before the voucher's chain.
            Some(v) => own_previous(doc, actor, v.deps(), v.seq()).ok_or_else(equivocation)?,
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
            hash = own_previous(doc, actor, &deps, at).ok_or_else(equivocation)?;
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

    /// Learns a fork (found here, or sent by `from`): records it, flags the key, tells
    /// every other peer syncing `c`, and starts syncing `c` again with each (the batch that
    /// showed it is taken again, without the other version). Nothing is set aside until a
    /// witness of a version is known: this node then proves its own version's if it can.
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
                wait_in(pending, fork, |p| p.same_as(fork));
                return Ok(());
            }
        }
        let Some((doc, _)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let Some(base) = fork.base(doc) else {
            return Ok(());
        };
        let forks = self.forks.entry(c.clone()).or_default();
        if !forks.add(fork, base) {
            return Ok(());
        }
        self.save_forks(docs, c)?;
        let key = NodeKey::from_bytes(fork.actor);
        warn!(coalition = %c, key = %key, seq = fork.seq, "a member's node forked its history (two different changes with one sequence number): its key is flagged; the version another member built on is kept on every node, and neither if both were");
        let message = fork.message(wire_id(c));
        self.tell_syncing(from, c, &message, out);
        self.witness_held(docs, c, None, out);
        let set_aside = self.forks.get(c).map_or(0, Forks::set_aside);
        out.push(Output::Forked {
            coalition: c.clone(),
            key,
            seq: fork.seq,
            set_aside,
        });
        self.retry_pending_witnesses(docs, c, out);
        self.resync(docs, c, out);
        Ok(())
    }

    /// Learns the witnesses waiting for `c` that now count.
    fn retry_pending_witnesses(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        let Some(pending) = self.pending_witnesses.remove(c) else {
            return;
        };
        for w in pending {
            // Those still waiting are queued again by `learn_witness`.
            if let Err(e) = self.learn_witness(docs, None, c, &w, out) {
                warn!(coalition = %c, error = %e, "could not learn a witness");
            }
        }
    }

    /// Sends `message` to every peer syncing `c` but `from`.
    fn tell_syncing(
        &self,
        from: Option<NodeKey>,
        c: &CoalitionId,
        message: &Message,
        out: &mut Vec<Output>,
    ) {
        for (peer, p) in &self.peers {
            if p.docs.contains_key(c) && Some(*peer) != from {
                send(out, *peer, message);
            }
        }
    }

    /// Starts syncing `c` afresh with every peer syncing it.
    fn resync(&mut self, docs: &mut impl Documents, c: &CoalitionId, out: &mut Vec<Output>) {
        let syncing: Vec<NodeKey> = self
            .peers
            .iter()
            .filter(|(_, p)| p.docs.contains_key(c))
            .map(|(k, _)| *k)
            .collect();
        for peer in syncing {
            if let Some(p) = self.peers.get_mut(&peer) {
                p.docs.insert(c.clone(), PeerDoc::new());
            }
            self.sync_step(docs, peer, c, out);
        }
    }

    /// Learns a witness (built here, or sent by `from`): if it counts and decides more than
    /// was known, sets aside what the versions it leaves out set aside, and tells every
    /// other peer syncing `c`.
    pub(crate) fn learn_witness(
        &mut self,
        docs: &mut impl Documents,
        from: Option<NodeKey>,
        c: &CoalitionId,
        w: &Witness,
        out: &mut Vec<Output>,
    ) -> Result<(), Refusal> {
        self.load_forks(docs, c);
        let Some((doc, index)) = docs.entry(c) else {
            return Err(Refusal::NotShared);
        };
        let forks = self.forks.entry(c.clone()).or_default();
        // Known already, or the fork decided for good: nothing more to judge.
        if forks.has_witness(w) {
            return Ok(());
        }
        match w.counts_in(doc, forks) {
            Tie::Tied => {}
            Tie::Never => return Ok(()),
            Tie::Waiting => {
                // Its fork is not known here yet, or happened where this node has not caught
                // up: tried again after each fork learnt and each batch applied.
                // Only a member's key's witness waits (an outsider's could crowd the list).
                if !crate::docs::member_keys(doc).contains(&w.witness_key()) {
                    return Ok(());
                }
                let pending = self.pending_witnesses.entry(c.clone()).or_default();
                wait_in(pending, w, |p| {
                    p.version().hash() == w.version().hash() && p.witness_key() == w.witness_key()
                });
                return Ok(());
            }
        }
        // Whether this node holds a version the witness sets aside (or cannot tell).
        let v = w.version();
        let loses_held = match held_at(doc, index, v.actor_id(), v.seq()) {
            Some(Some(held)) => held != v.hash(),
            Some(None) => false,
            None => true,
        };
        forks.add_witness(w);
        let changed = if loses_held {
            match self.rebuild_without_aside(docs, c) {
                Ok(changed) => changed,
                Err(e) => {
                    // Not recorded, so that it is judged again when it comes again.
                    if let Some(f) = self.forks.get_mut(c) {
                        f.remove_witness(w);
                    }
                    return Err(e);
                }
            }
        } else {
            false
        };
        self.save_forks(docs, c)?;
        let v = w.version();
        info!(coalition = %c, seq = v.seq(), version = %v.hash(), set_aside = self.forks.get(c).map_or(0, Forks::set_aside), "another member built on a version of a fork: versions without a witness are set aside");
        self.tell_syncing(from, c, &w.message(wire_id(c)), out);
        out.push(Output::ForkDecided {
            coalition: c.clone(),
        });
        if changed {
            self.resync(docs, c, out);
        }
        Ok(())
    }

    /// For each fork known in `c` whose version held here has no witness yet while fewer
    /// than two versions have one, proves one if this node can (a change of another member
    /// built on it, signed) and learns it. After a local edit (`made`, which builds on
    /// every version held), only where that edit itself counts as a witness: the search
    /// is not repeated on every edit of a node whose member cannot witness.
    pub(crate) fn witness_held(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        made: Option<&Change>,
        out: &mut Vec<Output>,
    ) {
        let Some(forks) = self.forks.get(c) else {
            return;
        };
        let mut wanted = Vec::new();
        for key in &forks.known {
            let witnessed: Vec<ChangeHash> = forks
                .witnessed
                .get(key)
                .map(|w| w.iter().map(|(v, _)| ChangeHash(*v)).collect())
                .unwrap_or_default();
            if witnessed.len() >= 2 {
                continue;
            }
            for v in forks.versions_of(key) {
                if !witnessed.contains(&v) {
                    wanted.push(v);
                }
            }
        }
        for v in wanted {
            let Some((doc, _)) = docs.entry(c) else {
                return;
            };
            let Some(version) = automerge::ReadDoc::get_change_by_hash(doc.document(), &v) else {
                continue;
            };
            if let (Some(made), Some(forks)) = (made, self.forks.get(c))
                && !counts_as_witness(doc, forks, &version, made)
            {
                continue;
            }
            if let Some(w) = self.build_witness(docs, c, &v)
                && let Err(e) = self.learn_witness(docs, None, c, &w, out)
            {
                warn!(coalition = %c, error = %e, "could not learn a witness built here");
            }
        }
    }

    /// A witness of the version `v` (held here): the earliest change built on it by a key
    /// of another member where the fork happened, with a signature stored here, and the
    /// shortest path of changes from `v` up to it that fits the evidence limits.
    fn build_witness(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        v: &ChangeHash,
    ) -> Option<Witness> {
        let (doc, _) = docs.entry(c)?;
        let version = automerge::ReadDoc::get_change_by_hash(doc.document(), v)?;
        // Later changes in causal order, each with the dependency it descends from `v` by.
        let mut later = doc.get_changes(&[*v]);
        later.sort_by_key(|ch| (ch.start_op().get(), ch.hash()));
        let mut parent: HashMap<ChangeHash, ChangeHash> = HashMap::new();
        let mut candidates = Vec::new();
        let forks = self.forks.get(c)?;
        let mut keys_checked: HashMap<Vec<u8>, bool> = HashMap::new();
        let mut by_hash: HashMap<ChangeHash, &Change> = HashMap::new();
        for ch in &later {
            let Some(d) = ch
                .deps()
                .iter()
                .find(|d| *d == v || parent.contains_key(d))
                .copied()
            else {
                continue;
            };
            parent.insert(ch.hash(), d);
            by_hash.insert(ch.hash(), ch);
            let actor = ch.actor_id().to_bytes().to_vec();
            if actor.as_slice() == version.actor_id().to_bytes() {
                continue;
            }
            let counts = *keys_checked
                .entry(actor)
                .or_insert_with(|| counts_as_witness(doc, forks, &version, ch));
            if counts {
                candidates.push(ch.hash());
            }
        }
        let mut sigs = Vec::new();
        for h in candidates.iter().take(256) {
            if let Some(sig) = docs.signature(c, &h.0) {
                sigs.push(sig);
            }
        }
        for sig in sigs {
            let mut path = vec![by_hash.get(&ChangeHash(sig.hash)).map(|c| (*c).clone())?];
            let mut cur = ChangeHash(sig.hash);
            while let Some(p) = parent.get(&cur) {
                if p == v {
                    break;
                }
                path.push(by_hash.get(p).map(|c| (*c).clone())?);
                cur = *p;
                if path.len() > wire::MAX_FORK_CHAIN {
                    break;
                }
            }
            path.push(version.clone());
            path.reverse();
            if let Ok(w) = Witness::from_path(path, sig) {
                return Some(w);
            }
        }
        None
    }

    /// Learns the evidence waiting for `c` that is now tied to what is held.
    pub(crate) fn retry_pending_forks(
        &mut self,
        docs: &mut impl Documents,
        c: &CoalitionId,
        out: &mut Vec<Output>,
    ) {
        self.retry_waiting_forks(docs, c, out);
        self.retry_pending_witnesses(docs, c, out);
    }

    fn retry_waiting_forks(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of format 1 (protocol 3) keeps its flagged keys, what it set aside and its
    /// vouchers; its evidence comes again from peers.
    #[test]
    fn a_format_1_record_keeps_its_flags_and_what_it_set_aside() {
        type EvidenceV1 = (
            Vec<Vec<u8>>,
            ([u8; 32], Vec<u8>),
            Vec<Vec<u8>>,
            ([u8; 32], Vec<u8>),
        );
        let evidence: Vec<EvidenceV1> = vec![(
            vec![vec![1]],
            ([2; 32], vec![3; 64]),
            vec![vec![4]],
            ([5; 32], vec![6; 64]),
        )];
        let from = BTreeMap::from([([7u8; 32], 3u64)]);
        let aside = BTreeSet::from([[8u8; 32]]);
        let vouchers = BTreeMap::from([(
            [7u8; 32],
            Voucher {
                head: ([9; 32], vec![1; 64]),
                chain: vec![vec![2]],
            },
        )]);
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&(evidence, from, aside, vouchers)).unwrap());
        let forks = Forks::from_bytes(&bytes);
        assert_eq!(forks.forked().get(&[7; 32]), Some(&3));
        assert!(forks.is_aside(&ChangeHash([8; 32])));
        assert!(forks.vouchers.contains_key(&[7; 32]));
        assert!(forks.known.is_empty());
        let again = Forks::from_bytes(&forks.to_bytes());
        assert_eq!(again.forked(), forks.forked());
        assert!(again.is_aside(&ChangeHash([8; 32])));
    }
}
