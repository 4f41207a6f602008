//! A statement: one immutable fact a coalition tells a linked coalition, in one canonical
//! encoding, identified by the hash of those bytes.
//!
//! A statement says who publishes it (`coalition`), which of its rosters signs it (`roster`),
//! what it says (`value`: a roster, an issue, a pool's totals, a goal's progress, a decision, a
//! call from a national coalition, a mandate position), when (`as_of`), from which state of the
//! publisher's document (`heads`), and where it stands among the statements on its subject
//! (`sequence`, `supersedes`). Its subject (what a newer statement replaces: an issue, a pool, a
//! proposal...) is read from its value, never stated twice.
//!
//! The encoding is postcard's, of these types in this order: every value has one encoding, and
//! [`Statement::decode`] takes only that one (it encodes what it read again and compares), so the
//! same statement always hashes the same on every node. Every text, list and the whole are
//! bounded ([`MAX_BODY`] and the constants below): the whole before decoding, each list while
//! it is read (a list past its bound stops the read, `bounded`), each text's length once read
//! (its bytes are in the input), so decoding allocates a bounded multiple of the bytes given.

use serde::{Deserialize, Serialize};

use crate::error::StatementError;

/// The format this crate writes and reads.
pub const FORMAT: u8 = 1;
/// The largest encoded statement, in bytes.
pub const MAX_BODY: usize = 1 << 20;
/// Longest short text (a title, a name, a word), in characters: the model's own bound.
pub const MAX_SHORT: usize = 200;
/// Longest long text (a description, a call's text), in characters: the model's own bound.
pub const MAX_LONG: usize = 20_000;
/// Most items in a list of an issue (tags, evidence).
pub const MAX_LIST: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG: usize = 40;
/// Most heads of the publisher's document a statement names.
pub const MAX_HEADS: usize = 64;
/// Most members in a roster (coalitions of hundreds).
pub const MAX_ROSTER: usize = 1000;
/// Most node keys a roster lists for one member: a member with more signs with these.
pub const MAX_KEYS: usize = 16;

/// A coalition's, member's or record's id: the model's 16 bytes.
pub type RecordId = [u8; 16];

/// One statement, decoded and within its bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// [`FORMAT`].
    pub format: u8,
    /// The coalition that publishes it.
    pub coalition: RecordId,
    /// The version of the publisher's roster whose members sign it. A roster statement names the
    /// one before it (its own version less one: 0 for a first roster, signed by its own members).
    pub roster: u64,
    /// When the publisher's nodes computed it, in Unix milliseconds.
    pub as_of: i64,
    /// The publisher's document heads it was computed at, in ascending order.
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_HEADS }, _, _>")]
    pub heads: Vec<[u8; 32]>,
    /// Its place among the statements on its subject: a higher one replaces a lower one. A
    /// roster's version.
    pub sequence: u64,
    /// The id of the statement on the same subject it replaces, if any (a roster names the one
    /// before it).
    pub supersedes: Option<[u8; 32]>,
    /// What it says.
    pub value: Value,
}

/// What a statement says; its variant is the statement's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    /// The member organizations in force and their node keys.
    Roster(Roster),
    /// An issue of the inventory.
    Issue(IssueFacts),
    /// A resource pool's totals over a period.
    Pool(PoolTotals),
    /// A shared goal's progress.
    Goal(GoalProgress),
    /// A decision: a proposal, its rule, the positions counted, its outcome.
    Decision(DecisionFacts),
    /// A question or call to action a coalition sends to its affiliates.
    Call(Call),
    /// An affiliate's position on a call, as its own decision came out.
    Mandate(MandatePosition),
}

/// The kinds of statement, as the words links, commands and pages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A roster.
    Roster,
    /// An issue.
    Issue,
    /// A pool's totals.
    Pool,
    /// A goal's progress.
    Goal,
    /// A decision.
    Decision,
    /// A call.
    Call,
    /// A mandate position.
    Mandate,
}

impl Kind {
    /// Every kind, in order.
    pub const ALL: [Kind; 7] = [
        Kind::Roster,
        Kind::Issue,
        Kind::Pool,
        Kind::Goal,
        Kind::Decision,
        Kind::Call,
        Kind::Mandate,
    ];
    /// The kind's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Roster => "roster",
            Kind::Issue => "issue",
            Kind::Pool => "pool",
            Kind::Goal => "goal",
            Kind::Decision => "decision",
            Kind::Call => "call",
            Kind::Mandate => "mandate",
        }
    }

    /// The kind's bit in a set of kinds told over the wire: bit `i` for [`Kind::ALL`]`[i]`.
    pub fn bit(self) -> u8 {
        match self {
            Kind::Roster => 1,
            Kind::Issue => 1 << 1,
            Kind::Pool => 1 << 2,
            Kind::Goal => 1 << 3,
            Kind::Decision => 1 << 4,
            Kind::Call => 1 << 5,
            Kind::Mandate => 1 << 6,
        }
    }
}

/// What a coalition takes on a link from a publisher, as its nodes tell the publisher's nodes
/// (sync's Hello): statements with at least `threshold` signers, of the `kinds` it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LinkTakes {
    /// The fewest signers a statement needs.
    pub threshold: u32,
    /// The kinds taken, a bit each ([`Kind::bit`]): bits no kind has mean nothing.
    pub kinds: u8,
}

impl LinkTakes {
    /// Whether it takes statements of `kind`.
    pub fn takes(self, kind: Kind) -> bool {
        self.kinds & kind.bit() != 0
    }

    /// The bits of `kinds`, rosters with them (a link taking any kind takes rosters).
    pub fn kinds_of(kinds: impl IntoIterator<Item = Kind>) -> u8 {
        kinds
            .into_iter()
            .fold(Kind::Roster.bit(), |bits, k| bits | k.bit())
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = StatementError;
    fn from_str(s: &str) -> Result<Self, StatementError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| StatementError::Malformed {
                what: format!(
                    "no kind of statement is called {:?}: roster, issue, pool, goal, decision, call or mandate",
                    crate::error::clip(s)
                ),
            })
    }
}

/// What a newer statement replaces: statements of one publisher, kind, record and scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    /// The publisher.
    pub coalition: RecordId,
    /// The kind.
    pub kind: Kind,
    /// The record it is about (the issue, pool, goal or proposal; for a mandate position the
    /// call's proposal; zeros for a roster).
    pub record: RecordId,
    /// Within the record: a pool's period (its start and end, big-endian), a mandate's
    /// calling coalition; zeros otherwise.
    pub within: [u8; 16],
}

/// A roster: the members in force and the node keys each signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    /// Members in ascending order of id, at most [`MAX_ROSTER`].
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_ROSTER }, _, _>")]
    pub members: Vec<RosterMember>,
}

/// One member of a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterMember {
    /// The member's id in the publishing coalition.
    pub member: RecordId,
    /// The organization's name.
    pub name: String,
    /// Its node keys, ascending, at most [`MAX_KEYS`]; no key is two members'.
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_KEYS }, _, _>")]
    pub keys: Vec<[u8; 32]>,
}

/// An issue as the publisher's inventory holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueFacts {
    /// The issue's id in the publishing coalition.
    pub issue: RecordId,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Its tags.
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_LIST }, _, _>")]
    pub tags: Vec<String>,
    /// The lead organization's name.
    pub lead: String,
    /// Its status word (raised, adopted, parallel, won, dropped).
    pub status: String,
    /// How many members gave it each rank: `ranks[0]` rank 1 (the highest), ... `ranks[9]`
    /// rank 10. Their sum is how many members share it.
    pub ranks: [u32; 10],
    /// How many members the coalition had in force.
    pub members: u32,
    /// Its place in the coalition's priority order (1 first), if it has one.
    pub priority: Option<u32>,
    /// Its evidence.
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_LIST }, _, _>")]
    pub evidence: Vec<EvidenceFacts>,
}

impl IssueFacts {
    /// How many members share the issue (gave it a rank).
    pub fn sharing(&self) -> u64 {
        self.ranks.iter().map(|r| u64::from(*r)).sum()
    }
}

/// One piece of an issue's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFacts {
    /// Where it comes from.
    pub source: String,
    /// The figure.
    pub figure: String,
    /// How it is broken down.
    pub disaggregation: String,
}

/// A pool's totals over a period, in hundredths of its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolTotals {
    /// The pool's id in the publishing coalition.
    pub pool: RecordId,
    /// Its name.
    pub name: String,
    /// Its kind word (funds, hours, space, equipment).
    pub kind: String,
    /// Its unit.
    pub unit: String,
    /// The period's start (Unix milliseconds, included).
    pub from: i64,
    /// The period's end (Unix milliseconds, excluded).
    pub to: i64,
    /// Pledged in the period.
    pub pledged: i128,
    /// Contributed in the period.
    pub contributed: i128,
    /// Allocated (requests funded) in the period.
    pub allocated: i128,
    /// The balance at the period's end.
    pub balance: i128,
}

/// A goal's progress, in hundredths of its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalProgress {
    /// The goal's id in the publishing coalition.
    pub goal: RecordId,
    /// Its title.
    pub title: String,
    /// Its unit.
    pub unit: String,
    /// Its target.
    pub target: i64,
    /// The latest progress recorded, if any: the value and the day it was for (Unix
    /// milliseconds of its midnight, UTC).
    pub latest: Option<Mark>,
}

/// One progress value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The value, in hundredths.
    pub value: i64,
    /// When (Unix milliseconds).
    pub at: i64,
}

/// A decision as the publisher's tally came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFacts {
    /// The proposal's id in the publishing coalition.
    pub proposal: RecordId,
    /// Its title.
    pub title: String,
    /// Its decision kind's word.
    pub kind: String,
    /// Its rule, as the charter writes it (`consent`, `majority@2/3`, `ranked`...).
    pub rule: String,
    /// The positions counted (with their weights).
    pub counts: Counts,
    /// Its outcome's word (passed, failed, blocked, no-quorum, open).
    pub outcome: String,
    /// For a poll, its result in words; else empty.
    pub result: String,
    /// When it closed (Unix milliseconds), if it has.
    pub closed_at: Option<i64>,
}

/// Positions counted, each with its weight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Agreeing.
    pub agree: u64,
    /// Abstaining.
    pub abstain: u64,
    /// Disagreeing.
    pub disagree: u64,
    /// Blocking.
    pub block: u64,
}

/// A question or call to action sent to affiliates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The proposal in the calling coalition it comes from.
    pub proposal: RecordId,
    /// Its title.
    pub title: String,
    /// What it asks.
    pub text: String,
    /// By when an affiliate's own proposal must be decided for its position to answer the
    /// call (Unix milliseconds; the calling proposal's closing time).
    pub closes_at: i64,
    /// Whether it asks each affiliate for a position (a mandate), or only informs.
    pub mandate: bool,
}

/// An affiliate's position on a call, from its own decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandatePosition {
    /// The call's proposal in the calling coalition (the subject).
    pub question: RecordId,
    /// The calling coalition.
    pub caller: RecordId,
    /// The id of the call statement answered.
    pub call: [u8; 32],
    /// The affiliate's own proposal that decided it.
    pub proposal: RecordId,
    /// The position its outcome gives.
    pub position: Position,
    /// Its positions counted.
    pub counts: Counts,
}

/// A mandate position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// For (the affiliate's proposal passed).
    For,
    /// Against (it failed, its quorum missed included, or was blocked).
    Against,
    /// Abstaining (kept in the format for a coalition that decides to abstain; this version's
    /// model writes none).
    Abstain,
}

impl Position {
    /// The position's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::For => "for",
            Position::Against => "against",
            Position::Abstain => "abstain",
        }
    }
}

impl Value {
    /// The statement's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Roster(_) => Kind::Roster,
            Value::Issue(_) => Kind::Issue,
            Value::Pool(_) => Kind::Pool,
            Value::Goal(_) => Kind::Goal,
            Value::Decision(_) => Kind::Decision,
            Value::Call(_) => Kind::Call,
            Value::Mandate(_) => Kind::Mandate,
        }
    }

    /// What, within its record, the statement is about: a pool's period, a mandate's caller.
    pub fn within(&self) -> [u8; 16] {
        match self {
            Value::Pool(p) => period(p.from, p.to),
            Value::Mandate(m) => m.caller,
            _ => [0; 16],
        }
    }

    /// The record the statement is about (zeros for a roster).
    pub fn record(&self) -> RecordId {
        match self {
            Value::Roster(_) => [0; 16],
            Value::Issue(i) => i.issue,
            Value::Pool(p) => p.pool,
            Value::Goal(g) => g.goal,
            Value::Decision(d) => d.proposal,
            Value::Call(c) => c.proposal,
            Value::Mandate(m) => m.question,
        }
    }
}

/// A pool's period as a subject holds it (`Subject::within`): its start and end, big-endian.
pub fn period(from: i64, to: i64) -> [u8; 16] {
    let mut w = [0; 16];
    w[..8].copy_from_slice(&from.to_be_bytes());
    w[8..].copy_from_slice(&to.to_be_bytes());
    w
}

impl Statement {
    /// What a newer statement replaces.
    pub fn subject(&self) -> Subject {
        Subject {
            coalition: self.coalition,
            kind: self.value.kind(),
            record: self.value.record(),
            within: self.value.within(),
        }
    }

    /// The canonical bytes, after checking every bound.
    pub fn encode(&self) -> Result<Vec<u8>, StatementError> {
        self.check()?;
        let bytes = postcard::to_stdvec(self).map_err(|e| StatementError::Malformed {
            what: format!("cannot encode: {e}"),
        })?;
        if bytes.len() > MAX_BODY {
            return Err(StatementError::TooLarge {
                what: "statement",
                size: bytes.len(),
                limit: MAX_BODY,
            });
        }
        Ok(bytes)
    }

    /// Reads a statement from its canonical bytes: any other encoding, anything out of bounds
    /// and any trailing byte is refused.
    pub fn decode(bytes: &[u8]) -> Result<Self, StatementError> {
        if bytes.len() > MAX_BODY {
            return Err(StatementError::TooLarge {
                what: "statement",
                size: bytes.len(),
                limit: MAX_BODY,
            });
        }
        if let Some(&f) = bytes.first()
            && f != FORMAT
        {
            return Err(StatementError::Format { found: f });
        }
        let (statement, rest): (Statement, _) =
            postcard::take_from_bytes(bytes).map_err(|e| StatementError::Malformed {
                what: format!("statement: {}", crate::bounded::why(&e)),
            })?;
        if !rest.is_empty() {
            return Err(StatementError::Malformed {
                what: format!("{} bytes after the statement", rest.len()),
            });
        }
        statement.check()?;
        if postcard::to_stdvec(&statement).ok().as_deref() != Some(bytes) {
            return Err(StatementError::NotCanonical { what: "statement" });
        }
        Ok(statement)
    }

    /// Checks every bound and every rule of form: texts, lists, order, a roster's place.
    pub fn check(&self) -> Result<(), StatementError> {
        if self.format != FORMAT {
            return Err(StatementError::Format { found: self.format });
        }
        count("heads", self.heads.len(), MAX_HEADS)?;
        ascending("heads", &self.heads)?;
        match &self.value {
            Value::Roster(r) => {
                if self.sequence == 0 {
                    return Err(malformed("a roster's version starts at 1"));
                }
                if self.roster != self.sequence - 1 {
                    return Err(malformed(format!(
                        "roster {} must be signed by roster {}, not {}",
                        self.sequence,
                        self.sequence - 1,
                        self.roster
                    )));
                }
                if self.supersedes.is_some() != (self.sequence > 1) {
                    return Err(malformed(
                        "a roster names the one before it, and only the first names none",
                    ));
                }
                r.check()
            }
            Value::Issue(i) => {
                short("issue title", &i.title)?;
                long("issue description", &i.description)?;
                count("tags", i.tags.len(), MAX_LIST)?;
                for t in &i.tags {
                    text("tag", t, MAX_TAG, Lines::One)?;
                }
                short("issue lead", &i.lead)?;
                short("issue status", &i.status)?;
                count("evidence", i.evidence.len(), MAX_LIST)?;
                for e in &i.evidence {
                    short("evidence source", &e.source)?;
                    short("evidence figure", &e.figure)?;
                    short("evidence disaggregation", &e.disaggregation)?;
                }
                if i.sharing() > u64::from(i.members) {
                    return Err(malformed(format!(
                        "an issue shared by {} of {} members",
                        i.sharing(),
                        i.members
                    )));
                }
                Ok(())
            }
            Value::Pool(p) => {
                short("pool name", &p.name)?;
                short("pool kind", &p.kind)?;
                short("pool unit", &p.unit)?;
                if p.from > p.to {
                    return Err(malformed("a pool's period ends before it starts"));
                }
                if p.pledged < 0 || p.contributed < 0 || p.allocated < 0 {
                    return Err(malformed(
                        "a pool's pledges, contributions and allocations are never negative",
                    ));
                }
                Ok(())
            }
            Value::Goal(g) => {
                short("goal title", &g.title)?;
                short("goal unit", &g.unit)
            }
            Value::Decision(d) => {
                short("decision title", &d.title)?;
                short("decision kind", &d.kind)?;
                short("decision rule", &d.rule)?;
                short("decision outcome", &d.outcome)?;
                long("decision result", &d.result)
            }
            Value::Call(c) => {
                short("call title", &c.title)?;
                long("call text", &c.text)
            }
            Value::Mandate(m) => {
                if m.caller == self.coalition {
                    return Err(malformed("a coalition answers no call of its own"));
                }
                Ok(())
            }
        }
    }
}

impl Roster {
    /// Checks the roster's bounds and order: members ascending by id, each one's keys
    /// ascending, no key listed twice.
    pub fn check(&self) -> Result<(), StatementError> {
        count("roster members", self.members.len(), MAX_ROSTER)?;
        if self.members.is_empty() {
            return Err(malformed("a roster lists at least one member"));
        }
        let ids: Vec<RecordId> = self.members.iter().map(|m| m.member).collect();
        ascending("roster members", &ids)?;
        let mut all: Vec<([u8; 32], RecordId)> = Vec::new();
        for m in &self.members {
            short("member name", &m.name)?;
            count("a member's keys", m.keys.len(), MAX_KEYS)?;
            if m.keys.is_empty() {
                return Err(malformed("a roster member has at least one key"));
            }
            ascending("a member's keys", &m.keys)?;
            all.extend(m.keys.iter().map(|k| (*k, m.member)));
        }
        all.sort_unstable();
        if let Some(w) = all.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(malformed(format!(
                "key {} is listed for two members, {} and {}",
                hex::encode(w[0].0),
                hex::encode(w[0].1),
                hex::encode(w[1].1)
            )));
        }
        Ok(())
    }

    /// The member a key belongs to.
    pub fn member_of(&self, key: &[u8; 32]) -> Option<&RosterMember> {
        self.members.iter().find(|m| m.keys.contains(key))
    }
}

fn malformed(what: impl Into<String>) -> StatementError {
    StatementError::Malformed { what: what.into() }
}

fn count(what: &'static str, n: usize, limit: usize) -> Result<(), StatementError> {
    if n > limit {
        return Err(StatementError::TooMany {
            what,
            count: n,
            limit,
        });
    }
    Ok(())
}

fn ascending<T: Ord>(what: &'static str, items: &[T]) -> Result<(), StatementError> {
    if items.windows(2).any(|w| w[0] >= w[1]) {
        return Err(StatementError::NotCanonical { what });
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

fn short(what: &'static str, s: &str) -> Result<(), StatementError> {
    text(what, s, MAX_SHORT, Lines::One)
}

fn long(what: &'static str, s: &str) -> Result<(), StatementError> {
    text(what, s, MAX_LONG, Lines::Many)
}

/// A text within `max` characters (as the model counts them), without control characters (a
/// long one may hold line breaks and tabs): whoever builds a statement from a record replaces
/// the others, the same way on every node.
fn text(what: &'static str, s: &str, max: usize, lines: Lines) -> Result<(), StatementError> {
    let chars = s.chars().count();
    if chars > max {
        return Err(StatementError::TooLarge {
            what,
            size: chars,
            limit: max,
        });
    }
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(StatementError::Malformed {
            what: format!("the {what} holds a control character"),
        });
    }
    Ok(())
}

/// A short text as a statement holds it: control characters made spaces, cut to
/// [`MAX_SHORT`] characters. Every node builds the same text from the same record.
pub fn clean_short(s: &str) -> String {
    clean(s, MAX_SHORT, Lines::One)
}

/// A long text as a statement holds it: control characters other than line breaks and tabs
/// made spaces, cut to [`MAX_LONG`] characters.
pub fn clean_long(s: &str) -> String {
    clean(s, MAX_LONG, Lines::Many)
}

/// A tag as a statement holds it.
pub fn clean_tag(s: &str) -> String {
    clean(s, MAX_TAG, Lines::One)
}

fn clean(s: &str, max: usize, lines: Lines) -> String {
    s.chars()
        .map(|c| {
            let kept = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
            if c.is_control() && !kept { ' ' } else { c }
        })
        .take(max)
        .collect()
}
