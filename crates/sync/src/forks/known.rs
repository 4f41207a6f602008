//! What a node knows of the forks of one coalition ([`Forks`]): evidence, witnesses, what is
//! set aside, vouchers; and how that is stored.

use super::*;

/// A fork as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredFork {
    pub(super) base: [u8; 32],
    pub(super) first: Vec<Vec<u8>>,
    pub(super) first_head: ([u8; 32], Vec<u8>),
    pub(super) second: Vec<Vec<u8>>,
    pub(super) second_head: ([u8; 32], Vec<u8>),
}

/// What vouches for an actor's kept changes, found in a batch: the actor, the signature
/// over a change set aside, and the chain (raw changes, oldest first) down to its newest
/// kept change.
pub(crate) type Vouch = ([u8; 32], ChangeSignature, Vec<Vec<u8>>);

/// A signature over a change set aside, and the chain down to the newest kept change of its
/// actor: what vouches for that actor's kept changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Voucher {
    pub(super) head: ([u8; 32], Vec<u8>),
    pub(super) chain: Vec<Vec<u8>>,
}

impl Voucher {
    /// The first change of its chain (just after the newest kept change it vouches for).
    pub(crate) fn first(&self) -> Option<Change> {
        Change::from_bytes(self.chain.first()?.clone()).ok()
    }
}

/// A witness as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredWitness {
    pub(super) path: Vec<Vec<u8>>,
    pub(super) head: ([u8; 32], Vec<u8>),
}

/// Where a fork is: the actor, the sequence number of its versions, and the actor's change
/// before them that both continue (zeros at sequence number 1). A change of that actor and
/// number that continues another change is no version of this fork (a fork on another
/// version, itself set aside or not).
pub(crate) type ForkAt = ([u8; 32], u64, [u8; 32]);

/// What a node knows of forks in one coalition, and what they set aside.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Forks {
    pub(super) evidence: Vec<StoredFork>,
    /// Per forked actor, its lowest forked sequence number (its key is flagged).
    pub(super) from: BTreeMap<[u8; 32], u64>,
    /// The forks known.
    pub(super) known: BTreeSet<ForkAt>,
    /// Per fork, the versions a witness is known for, with the first witness of each (two
    /// at most: two set every version aside, whatever else is known).
    pub(super) witnessed: BTreeMap<ForkAt, Vec<([u8; 32], StoredWitness)>>,
    /// Changes set aside.
    pub(super) aside: BTreeSet<[u8; 32]>,
    /// Per actor, what vouches for its kept changes when its newest signed one is set aside.
    pub(super) vouchers: BTreeMap<[u8; 32], Voucher>,
}

/// Most pieces of evidence kept per fork (each brings a version not known yet): past it, a
/// key signing ever more versions of one change costs no more.
pub const MAX_EVIDENCE_PER_FORK: usize = 16;

/// Where the stored evidence `f` is (see [`ForkAt`]).
pub(crate) fn at(f: &StoredFork) -> Option<ForkAt> {
    let c = Change::from_bytes(f.first.first()?.clone()).ok()?;
    Some((
        crate::verify::actor_key(c.actor_id()).ok()?,
        c.seq(),
        f.base,
    ))
}

/// Format of [`Forks::to_bytes`].
pub(crate) const FORKS_FORMAT: u8 = 2;

/// Evidence as format 1 stored it (protocol 3).
#[derive(Deserialize)]
pub(crate) struct StoredForkV1 {
    pub(super) _first: Vec<Vec<u8>>,
    pub(super) _first_head: ([u8; 32], Vec<u8>),
    pub(super) _second: Vec<Vec<u8>>,
    pub(super) _second_head: ([u8; 32], Vec<u8>),
}

/// The record as format 1 stored it (protocol 3, which set aside every change of a forked
/// key from the fork on).
#[derive(Deserialize)]
pub(crate) struct FormatV1 {
    pub(super) _evidence: Vec<StoredForkV1>,
    pub(super) from: BTreeMap<[u8; 32], u64>,
    pub(super) aside: BTreeSet<[u8; 32]>,
    pub(super) vouchers: BTreeMap<[u8; 32], Voucher>,
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
    pub(crate) fn losing_version(&self, change: &Change) -> bool {
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
    pub(crate) fn would_set_aside(&self, change: &Change) -> bool {
        self.losing_version(change) || change.deps().iter().any(|d| self.aside.contains(&d.0))
    }

    /// The known fork `change` is a version of, if any: one of its actor at its sequence
    /// number that `change` continues the base of.
    pub(crate) fn fork_of(&self, change: &Change) -> Option<ForkAt> {
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
    pub(crate) fn remove_witness(&mut self, w: &Witness) {
        if let Some(key) = self.fork_of(w.version())
            && let Some(list) = self.witnessed.get_mut(&key)
        {
            list.retain(|(h, _)| *h != w.version().hash().0);
        }
    }

    /// Whether `w` is known already, or its fork decided for good (two witnesses).
    pub(crate) fn has_witness(&self, w: &Witness) -> bool {
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
    pub(crate) fn versions_of(&self, key: &ForkAt) -> Vec<ChangeHash> {
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
    pub(crate) fn voucher_of(&self, actor: &[u8]) -> Option<(Vec<Change>, ChangeSignature)> {
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

pub(crate) fn head_of(h: &([u8; 32], Vec<u8>)) -> SignedHead {
    let mut signature = [0u8; 64];
    if h.1.len() == 64 {
        signature.copy_from_slice(&h.1);
    }
    SignedHead {
        hash: h.0,
        signature,
    }
}
