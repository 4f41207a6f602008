//! The layout of a coalition document: every place a value may be written, the shape and
//! type of what may be written there, and which fields never change once their record is
//! written. One description, used three ways:
//!
//! - **on receipt**, [`crate::rules`] resolves the place every operation of a change writes
//!   to ([`resolve`]) and checks the operation against it ([`Slot::admits`]), and checks that
//!   every record a change creates reads back as its typed record ([`Record::reads`]): a
//!   wrong type, a wrong shape, an unknown field or a missing one is refused like any other
//!   rule break;
//! - **when reading**, the typed records of [`crate::schema`] are what [`Record::reads`]
//!   hydrates, so what passes on receipt is what reads back;
//! - **when editing**, the model's edits write those typed records, and the property tests in
//!   `tests/rules/` check that every edit passes the receipt checks.
//!
//! A test (`every_place_the_model_writes_is_in_the_layout`, in
//! `tests/rules/layout_and_new_records.rs`) walks every place the model's edits write, every
//! field of every record kind, and checks that each resolves here, so a field added to a record
//! without being added here is refused on receipt, in the tests, before it ships.
//! Unknown fields are refused, so a newer layout is a protocol change.
//!
//! The kinds a layout is described with are here; the layout itself (every record kind and
//! its fields) is in `table`, and resolving a path to its place and checking a write there in
//! `places`.

mod places;
mod table;

pub use places::{Slot, Unplaced, Write, resolve};
pub use table::{
    ACCESS_NEED, AMENDMENT, AVAILABILITY, CHARTER, CHARTER_VERSION, EVIDENCE, GOAL, ISSUE,
    LEDGER_ENTRY, MAX_TAG, MEETING, MEETING_PLAN, MEMBER, POOL, POSITION, PROGRESS, PROPOSAL,
    ROLES, ROOT, RULE, RULE_CHANGE, RULES, TRANSLATION,
};

use automerge::ScalarValue;

/// A scalar value's type: a name for messages, and the check.
#[derive(Clone, Copy)]
pub struct Scalar {
    /// What it is, for messages ("a short text", "an amount").
    pub what: &'static str,
    check: fn(&ScalarValue) -> bool,
}

impl std::fmt::Debug for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.what)
    }
}

/// What may be stored at a place.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A scalar of one type.
    Scalar(Scalar),
    /// Null, or the shape inside.
    Optional(&'static Shape),
    /// Long text: a text object (concurrent edits merge character by character) or a string.
    Prose,
    /// A list of items of one shape.
    List(&'static Shape),
    /// A map from keys of one kind to items of one shape.
    Map(Keys, &'static Shape),
    /// A record with named fields.
    Record(&'static Record),
}

impl Shape {
    /// Whether a record's field of this shape may be missing: it reads as none (every
    /// `Option` field of the schema says `missing = "Default::default"`; autosurgeon would
    /// refuse a missing key otherwise).
    pub fn optional(&self) -> bool {
        matches!(self, Shape::Optional(_))
    }
}

/// The longest map key of any place of the layout, in bytes: record ids are 32 characters,
/// versions 6, field names shorter; an answers key two ids and a dot (65); a translation's key
/// the path of what it translates and its language (a member's reason on a proposal, into a
/// language with its region: 100). `sync` refuses a change writing a longer one (tested).
pub const MAX_KEY: usize = 128;

/// The keys of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Record ids (32 hex digits).
    Ids,
    /// Charter version numbers, six digits.
    Versions,
    /// What a translation translates and into which language
    /// ([`crate::translations::key`]).
    Translations,
    /// A proposed meeting's planner and id: `MEMBER.PLAN` ([`crate::plans::answer_key`]).
    PlanRefs,
    /// Statement ids: 64 lowercase hex digits (`federation::StatementId::hex`).
    StatementIds,
}

impl Keys {
    fn admit(self, key: &str) -> bool {
        if key.len() > MAX_KEY {
            return false;
        }
        match self {
            Keys::Ids => crate::ids::is_id(key),
            Keys::Versions => key.len() == 6 && key.bytes().all(|b| b.is_ascii_digit()),
            Keys::Translations => crate::translations::parse_key(key).is_some(),
            Keys::PlanRefs => crate::plans::parse_answer_key(key).is_some(),
            Keys::StatementIds => crate::statements::is_id(key),
        }
    }
}

/// A record kind: its fields, and how a whole one is read back.
pub struct Record {
    /// The record's name, for messages.
    pub name: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
    /// For kinds whose fields constrain each other beyond their own shapes (a super-majority
    /// rule needs its fraction): how a new one is read back whole.
    reads: Option<ReadBack>,
}

/// How a new record of a kind is read back whole.
type ReadBack = fn(&crate::rules::At<'_>, &automerge::ObjId) -> Result<(), String>;

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("name", &self.name).finish()
    }
}

impl Record {
    /// Whether the object `obj` of `doc` reads as a whole record of this kind (always, for a
    /// kind that is not read back: its fields' shapes say all).
    pub fn reads(&self, doc: &crate::rules::At<'_>, obj: &automerge::ObjId) -> Result<(), String> {
        self.reads.map_or(Ok(()), |reads| reads(doc, obj))
    }
}

/// A field of a record.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its key.
    pub name: &'static str,
    /// What it holds.
    pub shape: Shape,
    /// Written once, with its record, and never changed or removed after.
    pub fixed: bool,
    /// Added to its record kind after records of it were written: a new record may lack it
    /// (one a node of an earlier layout made, judged again in a whole history), and reads
    /// as empty then (the schema's `missing = "Default::default"`).
    pub later: bool,
}

fn text_up_to(v: &ScalarValue, max: usize) -> bool {
    matches!(v, ScalarValue::Str(s) if s.chars().count() <= max)
}
