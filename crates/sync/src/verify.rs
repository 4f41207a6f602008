//! Strict parsing of the changes a message carries, and the checks every received change
//! passes before it is stored or applied: a valid signature by its actor vouching for it, an
//! actor that is a member's node key, and no equivocation.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::{ActorId, Change, ChangeHash};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

pub use model::signing::{ChangeSignature, signing_payload};

/// Signs a change hash with a node key.
pub fn sign(key: &SigningKey, hash: &ChangeHash) -> ChangeSignature {
    ChangeSignature {
        hash: hash.0,
        signature: key.sign(&signing_payload(hash)).to_bytes(),
    }
}

/// Why a message, or a change in it, was refused. Each names the rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The frame could not be decoded.
    #[error(transparent)]
    Wire(#[from] crate::wire::WireError),
    /// The embedded Automerge sync message is malformed or not canonical.
    #[error("malformed Automerge sync message: {0}")]
    MalformedSync(String),
    /// A change chunk is malformed.
    #[error("malformed change: {0}")]
    MalformedChange(String),
    /// A whole-document chunk (snapshot) is malformed, or writes something no change in it
    /// vouches for (see [`crate::snapshot`]).
    #[error("malformed or unvouched document snapshot: {0}")]
    MalformedSnapshot(String),
    /// A change's actor is not a 32-byte node key.
    #[error("change by actor {actor} which is not a node key")]
    NotANodeKey {
        /// The actor, hex.
        actor: String,
    },
    /// No signature was sent for an actor's newest change.
    #[error("no signature for the newest change of {actor}")]
    MissingSignature {
        /// The actor, hex.
        actor: String,
    },
    /// A signature did not verify.
    #[error("bad signature on a change of {actor}")]
    BadSignature {
        /// The actor, hex.
        actor: String,
    },
    /// A change is not an ancestor of its actor's signed change.
    #[error("change {seq} of {actor} is not vouched for by its signed newest change")]
    Unvouched {
        /// The actor, hex.
        actor: String,
        /// Its sequence number.
        seq: u64,
    },
    /// A change breaks one of the coalition's rules (see `model::rules`).
    #[error("change breaks a rule: {0}")]
    Rule(#[from] model::rules::Violation),
    /// Two different changes with one actor and sequence number.
    #[error("equivocation: a second, different change {seq} of {actor}")]
    Equivocation {
        /// The actor, hex.
        actor: String,
        /// The sequence number.
        seq: u64,
    },
    /// A message about a coalition this peer does not share with us.
    #[error("message about a coalition not shared with this peer")]
    NotShared,
    /// The peer keeps sending messages that change nothing.
    #[error("too many sync rounds without progress")]
    TooMuchWork,
    /// Applying or storing the changes failed here (not the peer's fault).
    #[error("could not store changes: {0}")]
    Local(String),
}

impl Refusal {
    /// A short, fixed name for the kind of refusal (a metrics label: never carries data).
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::Wire(_) => "wire",
            Refusal::MalformedSync(_) => "malformed-sync",
            Refusal::MalformedChange(_) => "malformed-change",
            Refusal::MalformedSnapshot(_) => "malformed-snapshot",
            Refusal::NotANodeKey { .. } => "not-a-node-key",
            Refusal::MissingSignature { .. } => "missing-signature",
            Refusal::BadSignature { .. } => "bad-signature",
            Refusal::Unvouched { .. } => "unvouched",
            Refusal::Rule(_) => "rule",
            Refusal::Equivocation { .. } => "equivocation",
            Refusal::NotShared => "not-shared",
            Refusal::TooMuchWork => "too-much-work",
            Refusal::Local(_) => "local",
        }
    }
}

pub(crate) const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Reads a chunk header and returns (chunk type, total length of the chunk).
pub(crate) fn chunk_extent(bytes: &[u8]) -> Result<(u8, usize), Refusal> {
    let bad = |why: &str| Refusal::MalformedChange(why.to_owned());
    if bytes.len() < 10 || bytes[..4] != MAGIC {
        return Err(bad("not an Automerge chunk"));
    }
    let kind = bytes[8];
    let mut rest = &bytes[9..];
    let len = leb128::read::unsigned(&mut rest).map_err(|e| match e {
        leb128::read::Error::Overflow => bad("chunk length too large"),
        leb128::read::Error::IoError(_) => bad("truncated chunk header"),
    })?;
    let header = bytes.len() - rest.len();
    let total = usize::try_from(len)
        .ok()
        .and_then(|l| l.checked_add(header))
        .ok_or_else(|| bad("chunk length too large"))?;
    Ok((kind, total))
}

/// Splits bytes holding one or more whole Automerge change chunks into individual changes, strictly: every byte must belong to a well-formed chunk.
pub fn changes_in_chunks(mut bytes: &[u8]) -> Result<Vec<Change>, Refusal> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (_, total) = chunk_extent(bytes)?;
        if total > bytes.len() {
            return Err(Refusal::MalformedChange(format!(
                "chunk of {total} bytes but only {} left",
                bytes.len()
            )));
        }
        let (chunk, rest) = bytes.split_at(total);
        out.extend(changes_in_chunk(chunk)?);
        bytes = rest;
    }
    Ok(out)
}

/// Parses exactly one chunk holding one change (plain or compressed), with nothing after it.
pub fn changes_in_chunk(chunk: &[u8]) -> Result<Vec<Change>, Refusal> {
    let (kind, total) = chunk_extent(chunk)?;
    if total != chunk.len() {
        return Err(Refusal::MalformedChange(format!(
            "chunk of {total} bytes followed by {} more",
            chunk.len().saturating_sub(total)
        )));
    }
    match kind {
        1 | 2 => Ok(vec![
            Change::try_from(chunk).map_err(|e| Refusal::MalformedChange(e.to_string()))?,
        ]),
        // A document chunk is taken only as the whole of a sync message to a node that holds
        // nothing yet, and only after `snapshot::load` has checked it (see `decode_sync`).
        0 | 3 => Err(Refusal::MalformedChange(
            "document and bundle chunks are not accepted here; send individual changes".into(),
        )),
        other => Err(Refusal::MalformedChange(format!(
            "unknown chunk type {other}"
        ))),
    }
}

/// What a sync message carries.
#[derive(Debug)]
pub enum Carried {
    /// Individual changes (parsed).
    Changes(Vec<Change>),
    /// One whole-document chunk, to be checked by [`crate::snapshot::load`].
    Snapshot(Vec<u8>),
}

/// Decodes an Automerge sync message strictly (re-encoding must give back the same bytes)
/// and returns it with what it carries: individual changes, or a whole document when that
/// is the message's only chunk.
pub fn decode_sync(bytes: &[u8]) -> Result<(automerge::sync::Message, Carried), Refusal> {
    let msg = automerge::sync::Message::decode(bytes)
        .map_err(|e| Refusal::MalformedSync(e.to_string()))?;
    // Automerge writes hash lists sorted (and asserts it when encoding): refuse others before
    // re-encoding, rather than trip that assertion on a peer's input. Found by `cargo fuzz`.
    let sorted = |hs: &[ChangeHash]| hs.windows(2).all(|w| w[0] <= w[1]);
    if !sorted(&msg.heads) || !sorted(&msg.need) || !msg.have.iter().all(|h| sorted(&h.last_sync)) {
        return Err(Refusal::MalformedSync(
            "hash lists not in canonical order".into(),
        ));
    }
    if msg.clone().encode() != bytes {
        return Err(Refusal::MalformedSync(
            "not in canonical form (trailing or altered bytes)".into(),
        ));
    }
    let snapshot = {
        let mut chunks = msg.changes.iter();
        match (chunks.next(), chunks.next()) {
            (Some(only), None) if chunk_extent(only)?.0 == 0 => Some(only.to_vec()),
            _ => None,
        }
    };
    if let Some(doc) = snapshot {
        return Ok((msg, Carried::Snapshot(doc)));
    }
    let mut changes = Vec::new();
    for chunk in msg.changes.iter() {
        changes.extend(changes_in_chunks(chunk)?);
    }
    Ok((msg, Carried::Changes(changes)))
}

fn actor_hex(actor: &ActorId) -> String {
    actor.to_hex_string()
}

/// The node key an actor id stands for.
pub fn actor_key(actor: &ActorId) -> Result<[u8; 32], Refusal> {
    actor
        .to_bytes()
        .try_into()
        .map_err(|_| Refusal::NotANodeKey {
            actor: actor_hex(actor),
        })
}

/// Checks that each change in `new` is vouched for: for every actor, the signature in
/// `heads` over its newest change in `new` verifies under the actor's key, and every other
/// change of that actor in `new` is an ancestor of that newest change.
///
/// Returns the signed heads that were used (one per actor). Cost: one signature check per
/// actor, not per change.
pub fn check_signatures(
    new: &[Change],
    heads: &[ChangeSignature],
) -> Result<Vec<ChangeSignature>, Refusal> {
    let by_hash: HashMap<ChangeHash, &Change> = new.iter().map(|c| (c.hash(), c)).collect();
    let sigs: HashMap<[u8; 32], &ChangeSignature> = heads.iter().map(|h| (h.hash, h)).collect();
    let mut newest: BTreeMap<Vec<u8>, &Change> = BTreeMap::new();
    for c in new {
        let e = newest.entry(c.actor_id().to_bytes().to_vec()).or_insert(c);
        if c.seq() > e.seq() {
            *e = c;
        }
    }
    let mut used = Vec::with_capacity(newest.len());
    for top in newest.values() {
        let actor = top.actor_id();
        let key = actor_key(actor)?;
        let head = sigs
            .get(&top.hash().0)
            .ok_or_else(|| Refusal::MissingSignature {
                actor: actor_hex(actor),
            })?;
        let vk = VerifyingKey::from_bytes(&key).map_err(|_| Refusal::NotANodeKey {
            actor: actor_hex(actor),
        })?;
        vk.verify_strict(
            &signing_payload(&top.hash()),
            &Signature::from_bytes(&head.signature),
        )
        .map_err(|_| Refusal::BadSignature {
            actor: actor_hex(actor),
        })?;
        // Everything of this actor in the batch must hang off the signed change.
        let mut seen: HashSet<ChangeHash> = HashSet::new();
        let mut stack = vec![top.hash()];
        while let Some(h) = stack.pop() {
            if !seen.insert(h) {
                continue;
            }
            if let Some(c) = by_hash.get(&h) {
                stack.extend(c.deps().iter().copied());
            }
        }
        if let Some(c) = new
            .iter()
            .find(|c| c.actor_id() == actor && !seen.contains(&c.hash()))
        {
            return Err(Refusal::Unvouched {
                actor: actor_hex(actor),
                seq: c.seq(),
            });
        }
        used.push((*head).clone());
    }
    Ok(used)
}
