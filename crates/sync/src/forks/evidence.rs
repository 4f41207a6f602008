//! The records anyone can check: a fork's evidence ([`Fork`]) and a witness that another
//! member built on one version ([`Witness`]).

use super::*;

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
    pub(super) first: Vec<Change>,
    pub(super) first_head: ChangeSignature,
    pub(super) second: Vec<Change>,
    pub(super) second_head: ChangeSignature,
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
        // Nothing of the coalition here yet (a node joining it): nothing can be judged.
        if doc.get_heads().is_empty() {
            return Tie::Waiting;
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

    pub(crate) fn stored(&self, base: [u8; 32]) -> StoredFork {
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
    pub(super) path: Vec<Change>,
    pub(super) head: ChangeSignature,
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

    pub(crate) fn stored(&self) -> StoredWitness {
        StoredWitness {
            path: self.path.iter().map(|c| c.raw_bytes().to_vec()).collect(),
            head: (self.head.hash, self.head.signature.to_vec()),
        }
    }
}
