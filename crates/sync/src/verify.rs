//! Strict parsing of the changes a message carries, and the checks every received change
//! passes before it is stored or applied: a valid signature by its actor vouching for it, an
//! actor that is a member's node key, and no equivocation.
//!
//! They are the first two steps of the order the crate docs give for everything a peer sends:
//!
//! - **Bytes**, before Automerge parses anything ([`prescan_change`], before `Change::try_from`): a
//!   compressed chunk is inflated by the node, up to what is left of the message's allowance (the
//!   node's message limit in all, [`MAX_CHANGE_BYTES`] each); then the checksum, the header's
//!   counts and ranges, and every column read run by run (`columns::validate`), nothing after the
//!   columns. A snapshot's columns get the same, change columns included (`snapshot`). A sync
//!   message ([`decode_sync`]) carries at most one `have`, Bloom filters with usable parameters,
//!   and must be in canonical form, checked piece by piece without copying the changes.
//! - **Operations and signatures**: every change has at least one operation (honest nodes never
//!   commit an empty change; one would share its start operation with its successor, and start
//!   operations order a batch causally where forks set changes aside). Each operation, and each
//!   predecessor an operation names, counts [`crate::wire::MESSAGE_BYTES_PER_OP`] bytes against
//!   the message's allowance while its change is parsed, before its operations are decoded
//!   ([`allowance_of`]), so no message makes the node read or apply more operations than its
//!   limit allows, whatever the columns claim. Then the
//!   signatures ([`check_signatures`]): linear in the batch, each actor's changes walked along
//!   their own chain, one signature check per actor.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::{ActorId, Change, ChangeHash};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

pub use model::signing::{ChangeSignature, signing_payload};

use crate::change_ops::PRED_GROUP;

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
    /// The peer keeps saying it holds nothing of a coalition after saying it held some
    /// (each time, all it lacks is built again).
    #[error("the peer keeps saying it lost all it held of the coalition")]
    StartedOver,
    /// Applying or storing the changes failed here (not the peer's fault).
    #[error("could not store changes: {0}")]
    Local(String),
    /// Evidence of a fork (equivocation) that does not hold up.
    #[error("malformed evidence of a fork: {0}")]
    MalformedFork(String),
    /// A record of a node's addresses that is malformed or not signed by that node.
    #[error(transparent)]
    Addresses(#[from] crate::addresses::AddressError),
    /// Statements of a linked coalition this node does not take from this peer (see
    /// [`crate::Message::Statements`]): why, as the node judged them.
    #[error("statements not taken: {0}")]
    Statements(String),
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
            Refusal::StartedOver => "started-over",
            Refusal::Local(_) => "local",
            Refusal::MalformedFork(_) => "malformed-fork",
            Refusal::Addresses(_) => "bad-addresses",
            Refusal::Statements(_) => "statements",
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

/// Most operations one change may hold (a 20,000-character text pasted at once is 20,000).
pub const MAX_CHANGE_OPS: u64 = 100_000;
/// Most dependencies one change may name (the heads its author saw).
pub const MAX_DEPS: usize = 1_000;
/// Most other actors one change's operations may refer to.
pub const MAX_OTHER_ACTORS: usize = 10_000;
/// The latest time a change may state, in seconds since the Unix epoch (the end of year 9999).
pub const MAX_CHANGE_TIME: i64 = 253_402_300_799;
/// Largest change, uncompressed (the store's own limit).
pub const MAX_CHANGE_BYTES: usize = 16 * 1024 * 1024;

fn bad_change(why: String) -> Refusal {
    Refusal::MalformedChange(why)
}

/// The chunk type of a change, and of a compressed change.
const CHANGE: u8 = 1;
const COMPRESSED: u8 = 2;

/// The checksum and hash Automerge gives a chunk of type `kind` holding `data`.
fn chunk_hash(kind: u8, data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update([kind]);
    let mut len = Vec::with_capacity(10);
    // Writing into a Vec cannot fail.
    let _ = leb128::write::unsigned(&mut len, data.len() as u64);
    h.update(&len);
    h.update(data);
    h.finalize().into()
}

/// The hash Automerge gives the change in a plain change chunk (its header's length read
/// as written; the chunk is not otherwise checked).
pub fn chunk_hash_of(chunk: &[u8]) -> [u8; 32] {
    let mut rest = chunk.get(9..).unwrap_or_default();
    let _ = leb128::read::unsigned(&mut rest);
    chunk_hash(CHANGE, rest)
}

/// Checks one change chunk's bytes before Automerge parses them, and returns it as a plain
/// (uncompressed) change chunk, which hashes the same.
///
/// Automerge's parser inflates a compressed chunk without bound and trusts every count and
/// length it reads; here a compressed chunk is inflated up to what is left of `budget` (the
/// message's allowance, at most [`MAX_CHANGE_BYTES`]), and the header and every column are
/// read strictly: a valid checksum; at most [`MAX_DEPS`] dependencies, sorted and distinct; a
/// 32-byte actor and other actors; a sequence number and start operation that fit Automerge's
/// `u32`s; a time between 0 and [`MAX_CHANGE_TIME`]; uncompressed columns in order, each
/// parsing to its end with as many rows as the others (at most [`MAX_CHANGE_OPS`]), counters
/// within `u32`, actor indices in range, values as long as their metadata says; and nothing
/// after the columns.
pub fn prescan_change<'a>(
    chunk: &'a [u8],
    budget: &mut usize,
) -> Result<std::borrow::Cow<'a, [u8]>, Refusal> {
    use crate::columns::Reader;
    let (kind, total) = chunk_extent(chunk)?;
    if total != chunk.len() {
        return Err(bad_change(format!(
            "chunk of {total} bytes followed by {} more",
            chunk.len().saturating_sub(total)
        )));
    }
    let mut r = Reader::new(chunk, bad_change);
    r.take(4)?;
    let checksum = r.take(4)?;
    r.take(1)?;
    r.uleb()?;
    let data = r.bytes;
    let (data, plain) = match kind {
        CHANGE => (std::borrow::Cow::Borrowed(data), true),
        COMPRESSED => {
            use std::io::Read;
            let limit = (*budget).min(MAX_CHANGE_BYTES);
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(data)
                .take(limit as u64 + 1)
                .read_to_end(&mut inflated)
                .map_err(|e| bad_change(format!("compressed change does not inflate: {e}")))?;
            if inflated.len() > limit {
                return Err(bad_change(format!(
                    "compressed change inflates beyond {limit} bytes"
                )));
            }
            (std::borrow::Cow::Owned(inflated), false)
        }
        0 | 3 => {
            return Err(bad_change(
                "document and bundle chunks are not accepted here; send individual changes".into(),
            ));
        }
        other => return Err(bad_change(format!("unknown chunk type {other}"))),
    };
    if data.len() > MAX_CHANGE_BYTES {
        return Err(bad_change(format!(
            "change of {} bytes, over {MAX_CHANGE_BYTES}",
            data.len()
        )));
    }
    *budget = budget
        .checked_sub(data.len())
        .ok_or_else(|| bad_change("changes larger than the message limit".into()))?;
    if chunk_hash(CHANGE, &data)[..4] != *checksum {
        return Err(bad_change("wrong checksum".into()));
    }
    // Operations count against the allowance too (see `wire::MESSAGE_BYTES_PER_OP`), before
    // their columns are read: columns can claim far more operations than they have bytes.
    let per_op = crate::wire::MESSAGE_BYTES_PER_OP;
    let most = MAX_CHANGE_OPS.min((*budget / per_op) as u64);
    let (ops, preds) = check_change_body(&data, most)?;
    // Predecessors too: a change of one operation can name 100,000 of them in a few bytes,
    // and each is held and checked like an operation.
    *budget = (ops.saturating_add(preds) as usize)
        .checked_mul(per_op)
        .and_then(|charge| budget.checked_sub(charge))
        .ok_or_else(|| {
            bad_change("operations and predecessors beyond the message's allowance".into())
        })?;
    if plain {
        return Ok(std::borrow::Cow::Borrowed(chunk));
    }
    let mut out = Vec::with_capacity(data.len() + 14);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(checksum);
    out.push(CHANGE);
    // Writing into a Vec cannot fail.
    let _ = leb128::write::unsigned(&mut out, data.len() as u64);
    out.extend_from_slice(&data);
    Ok(std::borrow::Cow::Owned(out))
}

/// What a parsed change took of a message's allowance, at most: its whole chunk (a little
/// more than [`prescan_change`] counts) and [`crate::wire::MESSAGE_BYTES_PER_OP`] per
/// operation and per predecessor.
pub fn allowance_of(change: &Change) -> usize {
    let preds = predecessors_of(change.raw_bytes());
    change.raw_bytes().len()
        + (change.len() as u64).saturating_add(preds) as usize * crate::wire::MESSAGE_BYTES_PER_OP
}

/// A change's operation columns: (spec, bytes), in the order listed.
pub(crate) type Columns<'a> = Vec<(u32, &'a [u8])>;

/// Most columns [`change_columns`] reads (Automerge writes 14 kinds for a change).
const MOST_COLUMNS: usize = 64;

/// A plain change chunk's operation columns, as (spec, bytes) in the order listed, and the
/// bytes after them; `None` for a chunk that is not a whole plain change chunk or whose
/// layout does not read. The header's fields are skipped, not judged: a parsed [`Change`]
/// gives them (its actor, start operation, other actors), and [`prescan_change`] judges a
/// peer's.
pub(crate) fn change_columns(chunk: &[u8]) -> Option<(Columns<'_>, &[u8])> {
    use crate::columns::Reader;
    let quiet = |_: String| Refusal::MalformedChange(String::new());
    let mut r = Reader::new(chunk, quiet);
    // Magic, checksum, type (a plain change), length, body.
    r.take(8).ok()?;
    if r.take(1).ok()? != [CHANGE] {
        return None;
    }
    let len = r.len().ok()?;
    let body = r.take(len).ok()?;
    if !r.is_empty() {
        return None;
    }
    let mut r = Reader::new(body, quiet);
    let deps = r.len().ok()?;
    r.take(deps.checked_mul(32)?).ok()?;
    let n = r.len().ok()?;
    r.take(n).ok()?;
    r.uleb().ok()?;
    r.uleb().ok()?;
    r.sleb().ok()?;
    r.str().ok()?;
    for _ in 0..r.len().ok()? {
        let n = r.len().ok()?;
        r.take(n).ok()?;
    }
    let n = r.len().ok()?;
    if n > MOST_COLUMNS {
        return None;
    }
    let mut specs = Vec::with_capacity(n);
    for _ in 0..n {
        let spec = u32::try_from(r.uleb().ok()?).ok()?;
        specs.push((spec, r.len().ok()?));
    }
    let mut cols = Vec::with_capacity(n);
    for (spec, len) in specs {
        cols.push((spec, r.take(len).ok()?));
    }
    Some((cols, r.bytes))
}

/// How many predecessors a change's operations name in all: the sum of its predecessor
/// group column (0 for a chunk whose columns do not read: every chunk [`prescan_change`]
/// passed reads).
fn predecessors_of(chunk: &[u8]) -> u64 {
    let Some((cols, _)) = change_columns(chunk) else {
        return 0;
    };
    cols.iter()
        .find(|(spec, _)| *spec == PRED_GROUP)
        .and_then(|(_, col)| crate::columns::group_total(col, bad_change).ok())
        .unwrap_or(0)
}

/// The body of a change chunk (after its header), read strictly: see [`prescan_change`].
/// Returns how many operations it holds (at most `most`) and how many predecessors they name
/// (at most `most` too, as `validate` holds every group).
fn check_change_body(data: &[u8], most: u64) -> Result<(u64, u64), Refusal> {
    use crate::columns::{COUNTER, Layout, Reader, validate};
    let mut r = Reader::new(data, bad_change);
    let deps = r.len()?;
    if deps > MAX_DEPS {
        return Err(bad_change(format!("{deps} dependencies, over {MAX_DEPS}")));
    }
    let hashes = r.take(
        deps.checked_mul(32)
            .ok_or_else(|| bad_change("too many dependencies".into()))?,
    )?;
    if !hashes
        .chunks(32)
        .zip(hashes.chunks(32).skip(1))
        .all(|(a, b)| a < b)
    {
        return Err(bad_change("dependencies not sorted and distinct".into()));
    }
    if r.len()? != 32 {
        return Err(bad_change("the actor is not a 32-byte node key".into()));
    }
    r.take(32)?;
    let seq = r.uleb()?;
    let start_op = r.uleb()?;
    let time = r.sleb()?;
    let in_u32 = |v: u64| v >= 1 && v <= u64::from(u32::MAX);
    if !in_u32(seq) || !in_u32(start_op) {
        return Err(bad_change(
            "sequence number or start operation out of range".into(),
        ));
    }
    if !(0..=MAX_CHANGE_TIME).contains(&time) {
        return Err(bad_change(format!("time {time} out of range")));
    }
    r.str()?;
    let others = r.len()?;
    if others > MAX_OTHER_ACTORS {
        return Err(bad_change(format!("{others} other actors")));
    }
    for _ in 0..others {
        if r.len()? != 32 {
            return Err(bad_change("an actor is not a 32-byte node key".into()));
        }
        r.take(32)?;
    }
    let n = r.len()?;
    if n > 64 {
        return Err(bad_change("too many columns".into()));
    }
    let mut specs = Vec::with_capacity(n);
    for _ in 0..n {
        let spec = u32::try_from(r.uleb()?).map_err(|_| bad_change("bad column spec".into()))?;
        specs.push((spec, r.len()?));
    }
    if !specs.windows(2).all(|w| w[0].0 < w[1].0) {
        return Err(bad_change("columns not in order".into()));
    }
    let mut cols = std::collections::BTreeMap::new();
    for (spec, len) in specs {
        cols.insert(spec, std::borrow::Cow::Borrowed(r.take(len)?));
    }
    if !r.is_empty() {
        return Err(bad_change("bytes after the operations".into()));
    }
    let ops = validate(&cols, &Layout { ranges: &[] }, others + 1, most, bad_change)?;
    if start_op.saturating_add(ops) > COUNTER.max as u64 {
        return Err(bad_change("operation counters out of range".into()));
    }
    if ops == 0 {
        return Err(bad_change("a change with no operations".into()));
    }
    let preds = cols
        .get(&PRED_GROUP)
        .map_or(Ok(0), |c| crate::columns::group_total(c, bad_change))?;
    Ok((ops, preds))
}

/// Splits bytes holding one or more whole Automerge change chunks into individual changes, strictly: every byte must belong to a well-formed chunk.
pub fn changes_in_chunks(mut bytes: &[u8], budget: &mut usize) -> Result<Vec<Change>, Refusal> {
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
        out.push(change_in_chunk(chunk, budget)?);
        bytes = rest;
    }
    Ok(out)
}

/// Parses exactly one chunk holding one change (plain or compressed), with nothing after it,
/// once [`prescan_change`] has passed it; `budget` is what the message may still inflate to.
pub fn change_in_chunk(chunk: &[u8], budget: &mut usize) -> Result<Change, Refusal> {
    let plain = prescan_change(chunk, budget)?;
    Change::try_from(&plain[..]).map_err(|e| Refusal::MalformedChange(e.to_string()))
}

/// What a sync message carries.
#[derive(Debug)]
pub enum Carried {
    /// Individual changes (parsed).
    Changes(Vec<Change>),
    /// One whole-document chunk, to be checked by [`crate::snapshot::load`].
    Snapshot(Vec<u8>),
}

/// Most `have` entries in a sync message (Automerge sends one).
const MAX_HAVES: usize = 1;
/// Bloom filter parameters far beyond Automerge's own (10 bits per entry, 7 probes).
const MAX_BLOOM_BITS_PER_ENTRY: u64 = 64;
const MAX_BLOOM_PROBES: u64 = 64;

/// A `have` entry's Bloom filter, refused if its parameters would make Automerge divide by
/// zero, overflow, or spin: at most [`MAX_BLOOM_PROBES`] probes and
/// [`MAX_BLOOM_BITS_PER_ENTRY`] bits per entry, and some bits if it has entries.
fn check_bloom(bloom: &automerge::sync::BloomFilter) -> Result<(), Refusal> {
    let bytes = bloom.to_bytes();
    if bytes.is_empty() {
        return Ok(());
    }
    let mut r = crate::columns::Reader::new(&bytes, Refusal::MalformedSync);
    let (entries, per_entry, probes) = (r.uleb()?, r.uleb()?, r.uleb()?);
    let bits = r.bytes.len() as u64 * 8;
    if entries == 0
        || per_entry == 0
        || per_entry > MAX_BLOOM_BITS_PER_ENTRY
        || probes == 0
        || probes > MAX_BLOOM_PROBES
        || bits == 0
        || bits >= u64::from(u32::MAX)
    {
        return Err(Refusal::MalformedSync(
            "Bloom filter with unusable parameters".into(),
        ));
    }
    Ok(())
}

/// Whether `bytes` is exactly how Automerge encodes `msg`, checked piece by piece so that the
/// changes it carries are not copied to find out.
fn canonical(msg: &automerge::sync::Message, bytes: &[u8]) -> bool {
    let head = |flags| automerge::sync::Message {
        heads: msg.heads.clone(),
        need: msg.need.clone(),
        have: msg.have.clone(),
        changes: automerge::sync::ChunkList::empty(),
        flags,
        version: msg.version.clone(),
    };
    // Without changes and flags: everything before the changes, then a zero count.
    let bare = head(None).encode();
    let with_flags = head(msg.flags).encode();
    let Some((prefix, suffix)) = bare
        .split_last()
        .map(|(_, p)| p)
        .zip(with_flags.get(bare.len()..))
    else {
        return false;
    };
    let Some(mut rest) = bytes.strip_prefix(prefix) else {
        return false;
    };
    let mut expect = |part: &[u8]| match rest.strip_prefix(part) {
        Some(r) => {
            rest = r;
            true
        }
        None => false,
    };
    let mut n = Vec::new();
    let _ = leb128::write::unsigned(&mut n, msg.changes.len() as u64);
    if !expect(&n) {
        return false;
    }
    for chunk in msg.changes.iter() {
        n.clear();
        let _ = leb128::write::unsigned(&mut n, chunk.len() as u64);
        if !expect(&n) || !expect(chunk) {
            return false;
        }
    }
    rest == suffix
}

/// Decodes an Automerge sync message strictly (re-encoding must give back the same bytes)
/// and returns it with what it carries: individual changes (checked by [`prescan_change`],
/// inflating to at most `max_inflated` bytes in all), or a whole document when that is the
/// message's only chunk.
pub fn decode_sync(
    bytes: &[u8],
    max_inflated: usize,
) -> Result<(automerge::sync::Message, Carried), Refusal> {
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
    // Each head, each hash asked for and each head a summary was made since is looked up in
    // the document (`holds`, Automerge's own `need` and `get_hashes`): no more than a
    // message's signed heads.
    let most = crate::wire::MAX_HEADS;
    let since = msg
        .have
        .iter()
        .map(|h| h.last_sync.len())
        .max()
        .unwrap_or(0);
    if msg.heads.len() > most || msg.need.len() > most || since > most {
        return Err(Refusal::MalformedSync(format!(
            "{} heads, {} changes asked for and {since} heads a summary starts from; at most {most} each",
            msg.heads.len(),
            msg.need.len()
        )));
    }
    if msg.have.len() > MAX_HAVES {
        return Err(Refusal::MalformedSync(format!(
            "{} summaries of what the peer has; at most {MAX_HAVES}",
            msg.have.len()
        )));
    }
    for have in &msg.have {
        check_bloom(&have.bloom)?;
    }
    if !canonical(&msg, bytes) {
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
    let mut budget = max_inflated;
    let mut changes = Vec::new();
    for chunk in msg.changes.iter() {
        changes.extend(changes_in_chunks(chunk, &mut budget)?);
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
/// `heads` over its newest change in `new` (or, where the message carries them, in
/// `vouchers`: its later changes set aside elsewhere, carried only to vouch) verifies under
/// the actor's key, and every other change of that actor in `new` is an ancestor of that
/// newest change.
///
/// Returns the signed heads that were used (one per actor). Cost: one signature check per
/// actor, not per change.
pub fn check_signatures<C: model::ops::ChangeFacts>(
    new: &[C],
    heads: &[ChangeSignature],
    vouchers: &[C],
) -> Result<Vec<ChangeSignature>, Refusal> {
    let by_hash: HashMap<ChangeHash, &C> =
        new.iter().chain(vouchers).map(|c| (c.hash(), c)).collect();
    let sigs: HashMap<[u8; 32], &ChangeSignature> = heads.iter().map(|h| (h.hash, h)).collect();
    let mut by_actor: BTreeMap<Vec<u8>, Vec<&C>> = BTreeMap::new();
    for c in new {
        by_actor
            .entry(c.actor_id().to_bytes().to_vec())
            .or_default()
            .push(c);
    }
    let mut newest: BTreeMap<Vec<u8>, &C> = by_actor
        .iter()
        .filter_map(|(a, cs)| Some((a.clone(), *cs.iter().max_by_key(|c| c.seq())?)))
        .collect();
    // An actor's newest change here may be unsigned if a later one, signed, was set aside
    // and is carried as a voucher: the signed voucher is then the top.
    for v in vouchers {
        if let Some(e) = newest.get_mut(v.actor_id().to_bytes())
            && !sigs.contains_key(&e.hash().0)
            && v.seq() > e.seq()
            && sigs.contains_key(&v.hash().0)
        {
            *e = v;
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
        // Everything of this actor in the batch must hang off the signed change, through the
        // actor's own changes (each continues the one before: `chain` requires it anyway).
        // Walking only those keeps the work linear in the batch, however many actors it has.
        let mut seen: HashSet<ChangeHash> = HashSet::new();
        let mut stack = vec![top.hash()];
        while let Some(h) = stack.pop() {
            if !seen.insert(h) {
                continue;
            }
            if let Some(c) = by_hash.get(&h) {
                stack.extend(
                    c.deps()
                        .iter()
                        .copied()
                        .filter(|d| by_hash.get(d).is_some_and(|p| p.actor_id() == actor)),
                );
            }
        }
        if let Some(c) = by_actor
            .get(actor.to_bytes())
            .into_iter()
            .flatten()
            .find(|c| !seen.contains(&c.hash()))
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
