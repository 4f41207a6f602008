//! Statements received from linked coalitions (issue 20): stored in the receiving coalition's
//! document, each in the record of the member whose node carried it in, and taken only if
//! they prove themselves.
//!
//! Where: `members/<member>/received_rosters/<id>` holds the publishers' rosters and
//! `members/<member>/received/<id>` every other statement, each entry `{body, at}` (the signed
//! statement's bytes, `federation::Signed`, and when it was carried in), made once like a
//! draft. The receiving coalition has no field of the publisher's: the statement's own bytes
//! name its publisher, and the content proves itself, whichever member carried it.
//!
//! What is taken ([`taking`], [`Taking::judge`]), the same in the model before a node writes
//! and on receipt on every node (the rules, at the change's heads and time; the model checks
//! its changes with the rules themselves before they join the document): a statement of
//! another coalition
//! with which a link is in force here that takes statements (its terms name the roster it
//! trusts first), of a kind the link takes (rosters whenever it takes any), and
//! - a roster: one the chain of rosters received from that coalition takes, replayed from the
//!   roster the link pins ([`chain_of`]: the pinned one, then at each next version, of the
//!   rosters received that follow with a majority of the last one's members, the one most
//!   signed, then the lowest id);
//! - any other: one that verifies through that chain with the link's threshold for it
//!   (`their_threshold`).
//!
//! Readers take every entry at a statement's id from every member's record and join their
//! signatures ([`received`]): a statement carried in twice with other signatures counts them
//! all, and a junk signature beside a good one by the same key never hides it.
//!
//! Cost: reading the received statements reads every entry once; the rules replay a
//! publisher's chain from the rosters alone (kept apart for that), once per change.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use federation::{
    Cosign, Kind, Latest, Offered, RosterChain, Signed, StatementError, StatementId, Threshold,
    Verified,
};

use crate::ids::{CoalitionId, MemberId};
use crate::reports::LinkInForce;
use crate::values::Timestamp;

/// The field of a member record holding the rosters it carried in.
pub const ROSTERS: &str = "received_rosters";
/// The field of a member record holding the other statements it carried in.
pub const STATEMENTS: &str = "received";

/// The field a statement of `kind` is stored at.
pub fn field_for(kind: Kind) -> &'static str {
    if kind == Kind::Roster {
        ROSTERS
    } else {
        STATEMENTS
    }
}

/// A received statement as stored (`members/<member>/received.../<id>`).
#[derive(Debug, Clone, autosurgeon::Hydrate, autosurgeon::Reconcile)]
pub(crate) struct ReceivedRecord {
    pub(crate) body: autosurgeon::bytes::ByteVec,
    pub(crate) at: Timestamp,
}

/// A statement received, with every signature it was carried in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Its id.
    pub id: StatementId,
    /// The statement.
    pub statement: federation::Statement,
    /// Its canonical bytes.
    pub body: Vec<u8>,
    /// Its signatures, one per key, ascending by key (of two by one key, one that verifies).
    pub cosigns: Vec<Cosign>,
    /// The members whose nodes carried it in.
    pub carried_by: BTreeSet<MemberId>,
    /// When it was first carried in (as its entries state).
    pub at: Timestamp,
}

impl Received {
    /// When it counts as received: the later of when it was first carried in and the time it
    /// states (a time in time only if both the carrying member and the signers say so).
    pub fn counted_at(&self) -> Timestamp {
        self.at.max(Timestamp::from_millis(self.statement.as_of))
    }

    /// The statement with its signatures, as it travels.
    pub fn signed(&self) -> Signed {
        Signed {
            body: self.body.clone(),
            cosigns: self.cosigns.clone(),
        }
    }
}

/// A document as it is, or as it was at some heads.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub(crate) doc: &'a AutoCommit,
    pub(crate) heads: Option<&'a [ChangeHash]>,
}

impl View<'_> {
    fn all(&self, obj: &ObjId, key: &str) -> Vec<(Value<'_>, ObjId)> {
        match self.heads {
            Some(h) => self.doc.get_all_at(obj, key, h),
            None => self.doc.get_all(obj, key),
        }
        .unwrap_or_default()
    }

    fn maps(&self, obj: &ObjId, key: &str) -> Vec<ObjId> {
        self.all(obj, key)
            .into_iter()
            .filter(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
            .map(|(_, o)| o)
            .collect()
    }

    fn keys(&self, obj: &ObjId) -> Vec<String> {
        match self.heads {
            Some(h) => self.doc.keys_at(obj, h).collect(),
            None => self.doc.keys(obj).collect(),
        }
    }

    fn scalar(&self, obj: &ObjId, key: &str) -> Option<ScalarValue> {
        let got = match self.heads {
            Some(h) => self.doc.get_at(obj, key, h),
            None => self.doc.get(obj, key),
        };
        match got {
            Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
            _ => None,
        }
    }

    /// An entry as stored, read field by field.
    pub(crate) fn record(&self, entry: &ObjId) -> Option<ReceivedRecord> {
        let Some(ScalarValue::Bytes(body)) = self.scalar(entry, "body") else {
            return None;
        };
        let at = crate::owned::time(self.scalar(entry, "at")?)?;
        Some(ReceivedRecord {
            body: body.into(),
            at,
        })
    }

    /// Every member, with the maps its record holds at `field`.
    fn member_maps(&self, field: &str) -> Vec<(MemberId, Vec<ObjId>)> {
        let Some(members) = self.maps(&automerge::ROOT, "members").into_iter().next() else {
            return Vec::new();
        };
        self.keys(&members)
            .into_iter()
            .filter_map(|m| {
                let by = m.parse::<MemberId>().ok()?;
                let record = self.maps(&members, &m).into_iter().next()?;
                Some((by, self.maps(&record, field)))
            })
            .collect()
    }
}

/// Every statement stored at `field` in members' records, by id: each entry that reads as a
/// signed statement under its own id, the signatures of every entry of an id joined.
pub(crate) fn read(view: View<'_>, field: &str) -> BTreeMap<StatementId, Received> {
    let mut out: BTreeMap<StatementId, Received> = BTreeMap::new();
    for (by, maps) in view.member_maps(field) {
        for map in maps {
            for key in view.keys(&map) {
                for entry in view.maps(&map, &key) {
                    let Some(r) = view.record(&entry) else {
                        continue;
                    };
                    let Ok(signed) = Signed::decode(&r.body) else {
                        continue;
                    };
                    let Ok(opened) = signed.open() else { continue };
                    if opened.id.hex() != key {
                        continue;
                    }
                    join(&mut out, opened, signed.body, &by, r.at);
                }
            }
        }
    }
    out
}

/// Adds one entry's statement and signatures to what was read (in one pass over both lists,
/// each ascending by key).
pub(crate) fn join(
    out: &mut BTreeMap<StatementId, Received>,
    opened: federation::Opened,
    body: Vec<u8>,
    by: &MemberId,
    at: Timestamp,
) {
    let id = opened.id;
    let held = out.entry(id).or_insert_with(|| Received {
        id,
        statement: opened.statement,
        body,
        cosigns: Vec::new(),
        carried_by: BTreeSet::new(),
        at,
    });
    held.carried_by.insert(by.clone());
    held.at = held.at.min(at);
    let old = std::mem::take(&mut held.cosigns);
    let mut merged = Vec::with_capacity(old.len().max(opened.cosigns.len()));
    let (mut a, mut b) = (
        old.into_iter().peekable(),
        opened.cosigns.into_iter().peekable(),
    );
    loop {
        let next = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (Some(x), Some(y)) if x.key < y.key => a.next(),
            (Some(x), Some(y)) if y.key < x.key => b.next(),
            // Two signatures by one key: keep one that verifies (only then is either
            // verified).
            (Some(x), Some(y)) => {
                let keep_new = x != y && !x.verifies(&id) && y.verifies(&id);
                let (x, y) = (a.next(), b.next());
                if keep_new { y } else { x }
            }
        };
        merged.extend(next);
    }
    held.cosigns = merged;
}

/// Every statement received in coalition `doc`: rosters and the rest, by id.
pub fn received(doc: &crate::CoalitionDoc) -> BTreeMap<StatementId, Received> {
    let view = View {
        doc: doc.automerge(),
        heads: None,
    };
    let mut all = read(view, ROSTERS);
    all.extend(read(view, STATEMENTS));
    all
}

/// The rosters received in coalition `doc` (of every publisher), by id: all a chain is
/// replayed from, without reading the other statements.
pub fn received_rosters(doc: &crate::CoalitionDoc) -> BTreeMap<StatementId, Received> {
    read(
        View {
            doc: doc.automerge(),
            heads: None,
        },
        ROSTERS,
    )
}

/// Per coalition linked with this one by a link in force that takes its rosters
/// (`LinkTerms::takes_rosters`), the chain of its rosters taken from `rosters` (see
/// [`chain_of`]), once the pinned one is received.
pub fn linked_chains(
    rosters: &BTreeMap<StatementId, Received>,
    links: &BTreeMap<CoalitionId, LinkInForce>,
) -> BTreeMap<CoalitionId, RosterChain> {
    links
        .iter()
        .filter(|(_, l)| l.terms.takes_rosters())
        .filter_map(|(other, l)| {
            let pin = StatementId::from_hex(l.terms.roster.as_deref()?).ok()?;
            Some((other.clone(), chain_of(rosters.values(), other, &pin)?))
        })
        .collect()
}

/// The chain of `coalition`'s rosters this side takes from `rosters` (any received; others
/// are passed over): the one `pin` names, then at each next version, of those that follow with
/// a majority of the last one's members, the most signed (then the lowest id). None until the
/// pinned roster is received.
pub fn chain_of<'a>(
    rosters: impl IntoIterator<Item = &'a Received>,
    coalition: &CoalitionId,
    pin: &StatementId,
) -> Option<RosterChain> {
    let own = coalition.to_bytes();
    let mut pinned = None;
    let mut by_version: BTreeMap<u64, Vec<(StatementId, Signed)>> = BTreeMap::new();
    for r in rosters {
        if r.statement.coalition != own || r.statement.value.kind() != Kind::Roster {
            continue;
        }
        if r.id == *pin {
            pinned = Some(r.signed());
        } else {
            by_version
                .entry(r.statement.sequence)
                .or_default()
                .push((r.id, r.signed()));
        }
    }
    let chain = RosterChain::trust(pin, &pinned?).ok()?;
    Some(extend_chain(chain, by_version))
}

/// The chain of `coalition`'s rosters this side would take with `offered` (statements as
/// they arrive, of which only that coalition's rosters are read) beside those `received`: what
/// a node judges a peer passing them by, before anything is stored (see [`chain_of`]). None
/// while the pinned roster is in neither.
pub fn chain_with(
    received: &BTreeMap<StatementId, Received>,
    offered: &[Signed],
    coalition: &CoalitionId,
    pin: &StatementId,
) -> Option<RosterChain> {
    let own = coalition.to_bytes();
    let extra: Vec<Received> = offered
        .iter()
        .filter_map(|s| {
            let opened = s.open().ok()?;
            (opened.statement.coalition == own && opened.statement.value.kind() == Kind::Roster)
                .then(|| Received {
                    id: opened.id,
                    statement: opened.statement,
                    body: s.body.clone(),
                    cosigns: opened.cosigns,
                    carried_by: BTreeSet::new(),
                    at: Timestamp::default(),
                })
        })
        .collect();
    let held = received
        .values()
        .filter(|r| r.statement.value.kind() == Kind::Roster);
    chain_of(held.chain(&extra), coalition, pin)
}

/// `chain` extended by `candidates` by version: at each next version, of those that follow
/// with a majority of the newest's members, the one most of them signed with signatures that
/// verify (then the lowest id); it stops at the first version none follows at.
pub(crate) fn extend_chain(
    mut chain: RosterChain,
    candidates: BTreeMap<u64, Vec<(StatementId, Signed)>>,
) -> RosterChain {
    while let Some(next) = chain
        .version()
        .checked_add(1)
        .and_then(|v| candidates.get(&v))
    {
        // Ranked by the members of the newest roster whose signatures verify (signatures by
        // strangers or that do not verify rank nothing), then by id.
        let mut ranked: Vec<(usize, StatementId, &Signed)> = next
            .iter()
            .map(|(id, s)| (support(chain.newest(), id, s), *id, s))
            .collect();
        ranked.sort_by_key(|(n, id, _)| (std::cmp::Reverse(*n), *id));
        // `extend` changes nothing unless it takes the roster.
        if !ranked.iter().any(|(_, _, s)| chain.extend(s).is_ok()) {
            break;
        }
    }
    chain
}

/// How many members of `roster` signed `signed` (id `id`) with a signature that verifies.
fn support(roster: &federation::Roster, id: &StatementId, signed: &Signed) -> usize {
    let mut members = std::collections::BTreeSet::new();
    for c in &signed.cosigns {
        if let Some(m) = roster.member_of(&c.key)
            && c.verifies(id)
        {
            members.insert(m.member);
        }
    }
    members.len()
}

/// Why a statement is not taken from a linked coalition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveError {
    /// This coalition's own statement.
    #[error("the statement is this coalition's own: it is published, not received")]
    Own,
    /// No link in force with its publisher takes statements.
    #[error(
        "no link in force here takes statements from coalition {coalition} (`link list` shows \
         the links)"
    )]
    NotLinked {
        /// The publisher, as its id reads.
        coalition: String,
    },
    /// A kind the link does not take.
    #[error("the link with {name} does not take {kind} statements")]
    NotTaken {
        /// The publisher's name as the link gives it.
        name: String,
        /// The kind.
        kind: Kind,
    },
    /// The roster the link trusts first has not come.
    #[error(
        "the roster the link with {name} trusts first ({pin}) has not been received: it comes \
         before anything else from {name}"
    )]
    NoPinnedRoster {
        /// The publisher's name.
        name: String,
        /// The pinned roster's id, short.
        pin: String,
    },
    /// A roster the chain does not take.
    #[error(
        "roster {version} from {name} is not taken: the rosters received from {name} reach \
         version {newest}, and it does not follow it with a majority of its members' signatures \
         (or another roster of its version was taken)"
    )]
    NotInChain {
        /// The publisher's name.
        name: String,
        /// The roster's version.
        version: u64,
        /// The newest version taken.
        newest: u64,
    },
    /// The statement does not read or does not verify.
    #[error("from {name}: {error}")]
    Statement {
        /// The publisher's name (or id).
        name: String,
        /// What is wrong.
        error: StatementError,
    },
    /// Stored under another id than its own.
    #[error("it is stored under {key}, not its id")]
    WrongKey {
        /// The key, as stored (clipped).
        key: String,
    },
    /// A roster among the statements or the reverse.
    #[error("a {kind} statement is stored at `{expected}`")]
    WrongField {
        /// Its kind.
        kind: Kind,
        /// Where it belongs.
        expected: &'static str,
    },
}

impl ReceiveError {
    /// A short word for the reason, for counting refusals.
    pub fn code(&self) -> &'static str {
        match self {
            ReceiveError::Own => "own",
            ReceiveError::NotLinked { .. } => "not-linked",
            ReceiveError::NotTaken { .. } => "kind-not-taken",
            ReceiveError::NoPinnedRoster { .. } => "no-pinned-roster",
            ReceiveError::NotInChain { .. } => "roster-not-in-chain",
            ReceiveError::Statement { error, .. } => match error {
                StatementError::TooFewSigners { .. } => "too-few-signers",
                StatementError::StaleRoster { .. } => "stale-roster",
                StatementError::UnknownRoster { .. } => "unknown-roster",
                _ => "malformed",
            },
            ReceiveError::WrongKey { .. } | ReceiveError::WrongField { .. } => "malformed",
        }
    }
}

/// A statement of a linked coalition, of a kind its link takes, read and placed: what
/// [`Taking::judge`] then checks against the publisher's chain.
#[derive(Debug, Clone)]
pub struct Taking<'a> {
    /// The publisher.
    pub publisher: CoalitionId,
    /// The link's terms on this side.
    pub terms: &'a crate::schema::LinkTerms,
    /// The roster the link trusts first.
    pub pin: StatementId,
    /// The statement, read.
    pub opened: federation::Opened,
}

/// Whether coalition `own` may take `signed` (stored at `field` under `key`, or about to be)
/// from a coalition linked with it, before its chain is consulted ([`Taking::judge`]; see the
/// module).
pub fn taking<'a>(
    own: &CoalitionId,
    links: &'a BTreeMap<CoalitionId, LinkInForce>,
    field: Option<&str>,
    key: Option<&str>,
    signed: &Signed,
) -> Result<Taking<'a>, ReceiveError> {
    let opened = signed.open().map_err(|error| ReceiveError::Statement {
        name: "a linked coalition".into(),
        error,
    })?;
    if let Some(key) = key
        && opened.id.hex() != key
    {
        return Err(ReceiveError::WrongKey {
            key: key.chars().take(70).collect(),
        });
    }
    let kind = opened.statement.value.kind();
    if let Some(field) = field
        && field != field_for(kind)
    {
        return Err(ReceiveError::WrongField {
            kind,
            expected: field_for(kind),
        });
    }
    let publisher = CoalitionId::from_bytes(opened.statement.coalition);
    if publisher == *own {
        return Err(ReceiveError::Own);
    }
    let not_linked = || ReceiveError::NotLinked {
        coalition: publisher.to_string(),
    };
    let terms = links
        .get(&publisher)
        .map(|l| &l.terms)
        .filter(|t| t.takes_rosters())
        .ok_or_else(not_linked)?;
    if !terms.accepts(kind) {
        return Err(ReceiveError::NotTaken {
            name: terms.name.clone(),
            kind,
        });
    }
    let pin = terms
        .roster
        .as_deref()
        .and_then(|r| StatementId::from_hex(r).ok())
        .ok_or_else(|| ReceiveError::NoPinnedRoster {
            name: terms.name.clone(),
            pin: terms
                .roster
                .as_deref()
                .unwrap_or("none")
                .chars()
                .take(16)
                .collect(),
        })?;
    Ok(Taking {
        publisher,
        terms,
        pin,
        opened,
    })
}

impl Taking<'_> {
    /// Whether the statement is taken given `chain`, the publisher's chain replayed from the
    /// rosters received with this one among them ([`chain_of`]): a roster the chain took, or
    /// another statement verifying through it with the link's threshold (what verified).
    pub fn judge(
        &self,
        chain: Option<&RosterChain>,
        signed: &Signed,
    ) -> Result<Option<Verified>, ReceiveError> {
        let name = || self.terms.name.clone();
        let Some(chain) = chain else {
            return Err(ReceiveError::NoPinnedRoster {
                name: name(),
                pin: self.pin.short(),
            });
        };
        // Every signature stored counts: by a key the publisher's rosters list, verifying.
        // (Readers verify what is stored again; nothing else needs keeping.)
        if let Some(c) = signed
            .cosigns
            .iter()
            .find(|c| !chain.lists(&c.key) || !c.verifies(&self.opened.id))
        {
            return Err(ReceiveError::Statement {
                name: name(),
                error: StatementError::Malformed {
                    what: format!(
                        "a signature by key {} that {}: only signatures that count are stored",
                        hex::encode(&c.key[..4]),
                        if chain.lists(&c.key) {
                            "does not verify"
                        } else {
                            "no roster of the publisher lists"
                        }
                    ),
                },
            });
        }
        if self.opened.statement.value.kind() == Kind::Roster {
            if chain.ids().iter().any(|(_, id)| *id == self.opened.id) {
                return Ok(None);
            }
            return Err(ReceiveError::NotInChain {
                name: name(),
                version: self.opened.statement.sequence,
                newest: chain.version(),
            });
        }
        chain
            .verify(signed, Threshold::clamped(self.terms.their_threshold))
            .map(Some)
            .map_err(|error| ReceiveError::Statement {
                name: name(),
                error,
            })
    }
}

/// What this coalition holds from one linked coalition.
#[derive(Debug, Clone)]
pub struct FromLinked {
    /// The link in force.
    pub link: LinkInForce,
    /// The publisher's rosters taken (none before the pinned one comes).
    pub chain: Option<RosterChain>,
    /// Each statement that verifies now, as it verified (signers, roster); oldest first.
    pub verified: Vec<Verified>,
    /// The latest on each subject among them.
    pub latest: Latest,
    /// When each of them counts as carried in ([`Received::counted_at`]: the later of when it
    /// was first carried in and the time it states; the same on every node holding the same
    /// entries).
    pub carried: BTreeMap<StatementId, Timestamp>,
    /// Statements held that do not verify now (a roster not received yet...), and why.
    pub waiting: Vec<(Received, ReceiveError)>,
}

impl FromLinked {
    /// Whether statement `id` is the one shown on its subject.
    pub fn is_latest(&self, v: &Verified) -> bool {
        self.latest
            .get(&v.statement.subject())
            .is_some_and(|c| c.id == v.id)
    }
}

/// What this coalition holds from each coalition linked with it that it takes statements
/// from, replayed from `received` (see [`received`]).
pub fn from_linked(
    own: &CoalitionId,
    received: &BTreeMap<StatementId, Received>,
    links: &BTreeMap<CoalitionId, LinkInForce>,
) -> BTreeMap<CoalitionId, FromLinked> {
    let all: Vec<&Received> = received.values().collect();
    from_linked_among(own, &all, links)
}

/// [`from_linked`] replayed from some of the entries `received` holds, each once.
pub(crate) fn from_linked_among(
    own: &CoalitionId,
    received: &[&Received],
    links: &BTreeMap<CoalitionId, LinkInForce>,
) -> BTreeMap<CoalitionId, FromLinked> {
    let rosters: Vec<&Received> = received
        .iter()
        .copied()
        .filter(|r| r.statement.value.kind() == Kind::Roster)
        .collect();
    let mut out = BTreeMap::new();
    for (other, link) in links {
        if link.terms.accept.is_empty() {
            continue;
        }
        let chain = link
            .terms
            .roster
            .as_deref()
            .and_then(|r| StatementId::from_hex(r).ok())
            .and_then(|pin| chain_of(rosters.iter().copied(), other, &pin));
        let mut from = FromLinked {
            link: link.clone(),
            chain,
            verified: Vec::new(),
            latest: Latest::new(),
            carried: BTreeMap::new(),
            waiting: Vec::new(),
        };
        for r in received.iter().copied() {
            if r.statement.coalition != other.to_bytes() || r.statement.value.kind() == Kind::Roster
            {
                continue;
            }
            let signed = r.signed();
            let judged = taking(own, links, None, None, &signed)
                .and_then(|t| t.judge(from.chain.as_ref(), &signed));
            match judged {
                Ok(Some(v)) => {
                    from.carried.insert(v.id, r.counted_at());
                    from.verified.push(v);
                }
                Ok(None) => {}
                Err(e) => from.waiting.push((r.clone(), e)),
            }
        }
        from.verified
            .sort_by_key(|v| (v.statement.as_of, v.statement.sequence, v.id));
        // A statement under an older roster than another on its subject never replaces it:
        // members since removed cannot restate, dated back, what the newer roster said.
        let mut newest: BTreeMap<federation::Subject, u64> = BTreeMap::new();
        for v in &from.verified {
            let n = newest.entry(v.statement.subject()).or_default();
            *n = (*n).max(v.roster);
        }
        for v in &from.verified {
            if newest.get(&v.statement.subject()) == Some(&v.roster) {
                let _: Offered =
                    from.latest
                        .offer(v.statement.subject(), v.statement.sequence, v.id);
            }
        }
        out.insert(other.clone(), from);
    }
    out
}
