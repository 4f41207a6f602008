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
//!   `tests/rules.rs` check that every edit passes the receipt checks.
//!
//! A test (`every_schema_field_is_in_the_layout`) reconciles every record type and checks that
//! each place written resolves here, so a field added to a record without being added here
//! is refused on receipt, in the tests, before it ships.

use std::borrow::Cow;

use automerge::{ObjType, ScalarValue};
use autosurgeon::Hydrate;

use crate::doc::{MAX_LONG, MAX_SHORT};
use crate::schema;
use crate::values::{
    Amount, Day, DecisionKind, EntryKind, Fraction, IssueStatus, MethodName, NodeKey, PoolKind,
    Rank, RuleKind, Stance, Timestamp,
};

/// Longest tag, in characters.
pub const MAX_TAG: usize = 40;

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

/// The keys of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Record ids (32 hex digits).
    Ids,
    /// Charter version numbers, six digits.
    Versions,
}

impl Keys {
    fn admit(self, key: &str) -> bool {
        match self {
            Keys::Ids => crate::ids::is_id(key),
            Keys::Versions => key.len() == 6 && key.bytes().all(|b| b.is_ascii_digit()),
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
}

const fn field(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        fixed: false,
    }
}

const fn fixed(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        fixed: true,
    }
}

fn reads_as<T: Hydrate>(doc: &crate::rules::At<'_>, obj: &automerge::ObjId) -> Result<(), String> {
    T::hydrate_map(doc, obj)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn typed<T: Hydrate>(v: &ScalarValue) -> bool {
    T::hydrate_scalar(Cow::Borrowed(v)).is_ok()
}

fn text_up_to(v: &ScalarValue, max: usize) -> bool {
    matches!(v, ScalarValue::Str(s) if s.chars().count() <= max)
}

const SHORT: Shape = Shape::Scalar(Scalar {
    what: "a text of at most 200 characters",
    check: |v| text_up_to(v, MAX_SHORT),
});
const LONG: Shape = Shape::Scalar(Scalar {
    what: "a text of at most 20,000 characters",
    check: |v| text_up_to(v, MAX_LONG),
});
const TAG: Shape = Shape::Scalar(Scalar {
    what: "a tag of at most 40 characters",
    check: |v| text_up_to(v, MAX_TAG),
});
const ID: Shape = Shape::Scalar(Scalar {
    what: "an id (32 hex digits)",
    check: |v| matches!(v, ScalarValue::Str(s) if crate::ids::is_id(s)),
});
/// A proposal's subject: `pool/entry`, `admit/member` or `remove/member`.
const SUBJECT: Shape = Shape::Scalar(Scalar {
    what: "a subject (pool/entry, admit/member or remove/member)",
    check: typed::<schema::Subject>,
});
const KEY: Shape = Shape::Scalar(Scalar {
    what: "a node key",
    check: typed::<NodeKey>,
});
const TIME: Shape = Shape::Scalar(Scalar {
    what: "a time",
    check: typed::<Timestamp>,
});
const NUMBER: Shape = Shape::Scalar(Scalar {
    what: "a whole number",
    check: typed::<u64>,
});
const DAY: Shape = Shape::Scalar(Scalar {
    what: "a day (YYYY-MM-DD)",
    check: typed::<Day>,
});
const AMOUNT: Shape = Shape::Scalar(Scalar {
    what: "an amount",
    check: typed::<Amount>,
});
const RANK: Shape = Shape::Scalar(Scalar {
    what: "a rank",
    check: typed::<Rank>,
});
const FRACTION: Shape = Shape::Scalar(Scalar {
    what: "a fraction",
    check: typed::<Fraction>,
});
const METHOD: Shape = Shape::Scalar(Scalar {
    what: "a decision method",
    check: typed::<MethodName>,
});
const DECISION: Shape = Shape::Scalar(Scalar {
    what: "a decision kind",
    check: typed::<DecisionKind>,
});
const RULE_KIND: Shape = Shape::Scalar(Scalar {
    what: "a rule kind",
    check: typed::<RuleKind>,
});
const POOL_KIND: Shape = Shape::Scalar(Scalar {
    what: "a pool kind",
    check: typed::<PoolKind>,
});
const ISSUE_STATUS: Shape = Shape::Scalar(Scalar {
    what: "an issue status",
    check: typed::<IssueStatus>,
});
const STANCE: Shape = Shape::Scalar(Scalar {
    what: "a position",
    check: typed::<Stance>,
});
const ENTRY_KIND: Shape = Shape::Scalar(Scalar {
    what: "a ledger entry kind",
    check: typed::<EntryKind>,
});

const SHORTS: Shape = Shape::List(&SHORT);
const IDS: Shape = Shape::List(&ID);
const KEYS: Shape = Shape::List(&KEY);

/// A decision rule.
pub static RULE: Record = Record {
    name: "rule",
    fields: &[
        field("method", METHOD),
        field("fraction", Shape::Optional(&FRACTION)),
        field("quorum", FRACTION),
    ],
    reads: Some(reads_as::<crate::tally::Rule>),
};

/// The decision rules of a charter.
pub static RULES: Record = Record {
    name: "rules",
    fields: &[
        field("amendment", Shape::Record(&RULE)),
        field("membership", Shape::Record(&RULE)),
        field("allocation", Shape::Record(&RULE)),
        field("public_statement", Shape::Record(&RULE)),
        field("general", Shape::Record(&RULE)),
        field("admission", Shape::Optional(&Shape::Record(&RULE))),
    ],
    reads: None,
};

/// The roles a charter assigns.
pub static ROLES: Record = Record {
    name: "roles",
    fields: &[
        field("facilitator_rotation", IDS),
        field("spokespeople", IDS),
        field("statement_signoff", IDS),
    ],
    reads: None,
};

/// A dated measurement of a goal's progress.
pub static PROGRESS: Record = Record {
    name: "progress entry",
    fields: &[
        fixed("day", DAY),
        fixed("value", AMOUNT),
        fixed("note", SHORT),
        fixed("by", ID),
    ],
    reads: None,
};

/// A shared goal.
pub static GOAL: Record = Record {
    name: "goal",
    fields: &[
        fixed("id", ID),
        field("title", SHORT),
        field("target", AMOUNT),
        field("unit", SHORT),
        field("progress", Shape::List(&Shape::Record(&PROGRESS))),
        fixed("added_by", ID),
    ],
    reads: None,
};

/// The charter as stored.
pub static CHARTER: Record = Record {
    name: "charter",
    fields: &[
        field("name", SHORT),
        field("frame", Shape::Prose),
        field("values", SHORTS),
        field("commitments", SHORTS),
        field("rules", Shape::Record(&RULES)),
        field("roles", Shape::Record(&ROLES)),
        field("equity_threshold", FRACTION),
        field("goals", Shape::Map(Keys::Ids, &Shape::Record(&GOAL))),
        field("version", NUMBER),
    ],
    reads: None,
};

/// A ratified charter version.
pub static CHARTER_VERSION: Record = Record {
    name: "charter version",
    fields: &[
        fixed("number", NUMBER),
        fixed("ratified_at", TIME),
        fixed("proposal", Shape::Optional(&ID)),
        fixed("agreed_by", IDS),
        fixed("name", SHORT),
        fixed("frame", LONG),
        fixed("values", SHORTS),
        fixed("commitments", SHORTS),
        fixed("rules", Shape::Record(&RULES)),
        fixed("roles", Shape::Record(&ROLES)),
        fixed("equity_threshold", FRACTION),
    ],
    reads: None,
};

/// A member organization.
pub static MEMBER: Record = Record {
    name: "member",
    fields: &[
        fixed("id", ID),
        field("name", SHORT),
        field("communities", SHORTS),
        field("languages", SHORTS),
        field("accessibility", SHORTS),
        field("contact", SHORT),
        field("keys", Shape::List(&KEY)),
        fixed("joined_at", TIME),
        field("left_at", Shape::Optional(&TIME)),
        fixed("admission", Shape::Optional(&ID)),
        field("flagged", KEYS),
    ],
    reads: None,
};

/// A piece of evidence for an issue.
pub static EVIDENCE: Record = Record {
    name: "evidence",
    fields: &[
        field("source", SHORT),
        field("figure", SHORT),
        field("disaggregation", SHORT),
        fixed("added_by", ID),
    ],
    reads: None,
};

/// An issue of the joint inventory.
pub static ISSUE: Record = Record {
    name: "issue",
    fields: &[
        fixed("id", ID),
        field("title", SHORT),
        field("description", Shape::Prose),
        fixed("raised_by", ID),
        field("lead", ID),
        field("tags", Shape::List(&TAG)),
        field("evidence", Shape::List(&Shape::Record(&EVIDENCE))),
        field("status", ISSUE_STATUS),
        field("ranks", Shape::Map(Keys::Ids, &RANK)),
        fixed("created_at", TIME),
    ],
    reads: None,
};

/// An entry of a pool's ledger.
pub static LEDGER_ENTRY: Record = Record {
    name: "ledger entry",
    fields: &[
        fixed("id", ID),
        fixed("kind", ENTRY_KIND),
        fixed("member", ID),
        fixed("amount", AMOUNT),
        fixed("note", SHORT),
        fixed("at", TIME),
        fixed("proposal", Shape::Optional(&ID)),
    ],
    reads: None,
};

/// A resource pool.
pub static POOL: Record = Record {
    name: "pool",
    fields: &[
        fixed("id", ID),
        field("name", SHORT),
        fixed("kind", POOL_KIND),
        field("unit", SHORT),
        field("description", Shape::Prose),
        fixed("created_by", ID),
        fixed("created_at", TIME),
        field(
            "ledger",
            Shape::Map(Keys::Ids, &Shape::Record(&LEDGER_ENTRY)),
        ),
    ],
    reads: None,
};

/// One rule an amendment sets.
pub static RULE_CHANGE: Record = Record {
    name: "rule change",
    fields: &[
        fixed("kind", RULE_KIND),
        fixed("rule", Shape::Optional(&Shape::Record(&RULE))),
    ],
    reads: None,
};

/// What an amendment changes.
pub static AMENDMENT: Record = Record {
    name: "amendment",
    fields: &[
        fixed("frame", Shape::Optional(&LONG)),
        fixed("add_values", SHORTS),
        fixed("add_commitments", SHORTS),
        fixed("rules", Shape::List(&Shape::Record(&RULE_CHANGE))),
        fixed("equity_threshold", Shape::Optional(&FRACTION)),
    ],
    reads: None,
};

/// A member's position on a proposal.
pub static POSITION: Record = Record {
    name: "position",
    fields: &[
        field("stance", STANCE),
        field("reason", SHORT),
        field("at", TIME),
    ],
    reads: None,
};

/// A proposal.
pub static PROPOSAL: Record = Record {
    name: "proposal",
    fields: &[
        fixed("id", ID),
        fixed("kind", DECISION),
        fixed("title", SHORT),
        fixed("text", Shape::Prose),
        fixed("author", ID),
        fixed("created_at", TIME),
        fixed("closes_at", Shape::Optional(&TIME)),
        fixed("rule", Shape::Record(&RULE)),
        fixed("electorate", IDS),
        field(
            "positions",
            Shape::Map(Keys::Ids, &Shape::Record(&POSITION)),
        ),
        fixed("subject", Shape::Optional(&SUBJECT)),
        fixed("amendment", Shape::Optional(&Shape::Record(&AMENDMENT))),
    ],
    reads: None,
};

/// A meeting record.
pub static MEETING: Record = Record {
    name: "meeting",
    fields: &[
        fixed("id", ID),
        field("day", DAY),
        field("facilitator", ID),
        field("attendance", IDS),
        field("agenda", SHORTS),
        field("minutes", Shape::Prose),
        field("decisions", IDS),
        fixed("recorded_by", ID),
    ],
    reads: None,
};

/// The document's root. (Its reading is the coalition's, which applies governance; here
/// only its fields matter: the root is written once, by the founding change.)
pub static ROOT: Record = Record {
    name: "coalition",
    fields: &[
        fixed("schema", NUMBER),
        fixed("id", ID),
        fixed("created_at", TIME),
        field("charter", Shape::Record(&CHARTER)),
        field(
            "charter_versions",
            Shape::Map(Keys::Versions, &Shape::Record(&CHARTER_VERSION)),
        ),
        field("members", Shape::Map(Keys::Ids, &Shape::Record(&MEMBER))),
        field("issues", Shape::Map(Keys::Ids, &Shape::Record(&ISSUE))),
        field("pools", Shape::Map(Keys::Ids, &Shape::Record(&POOL))),
        field(
            "proposals",
            Shape::Map(Keys::Ids, &Shape::Record(&PROPOSAL)),
        ),
        field("meetings", Shape::Map(Keys::Ids, &Shape::Record(&MEETING))),
    ],
    reads: None,
};

/// A place in the document, as [`resolve`] found it.
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    /// A place holding a value of this shape.
    Value {
        /// What may be written there.
        shape: Shape,
        /// A record field, rather than a list item or map entry.
        field: bool,
    },
    /// A character of a text object.
    Character,
}

/// Why a path names no place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaced {
    /// No such field or position (the path up to it).
    Unknown(String),
    /// A map key of the wrong form: the map's path and the key.
    BadKey(String, String),
}

/// The place a path (map keys, `*` for list positions) names, and whether a field along it
/// is fixed once its record is written.
pub fn resolve(path: &[&str]) -> Result<(Slot, bool), Unplaced> {
    let mut shape = Shape::Record(&ROOT);
    let mut is_field = true;
    let mut fixed = false;
    let unknown = |i: usize| Unplaced::Unknown(path[..=i].join("/"));
    for (i, seg) in path.iter().enumerate() {
        if let Shape::Optional(inner) = shape {
            shape = *inner;
        }
        match shape {
            Shape::Record(r) => {
                let f = r
                    .fields
                    .iter()
                    .find(|f| f.name == *seg)
                    .ok_or_else(|| unknown(i))?;
                fixed |= f.fixed;
                shape = f.shape;
                is_field = true;
            }
            Shape::Map(keys, item) => {
                if !keys.admit(seg) {
                    return Err(Unplaced::BadKey(path[..i].join("/"), (*seg).to_owned()));
                }
                shape = *item;
                is_field = false;
            }
            Shape::List(item) if *seg == "*" => {
                shape = *item;
                is_field = false;
            }
            Shape::Prose if *seg == "*" && i + 1 == path.len() => {
                return Ok((Slot::Character, fixed));
            }
            _ => return Err(unknown(i)),
        }
    }
    Ok((
        Slot::Value {
            shape,
            field: is_field,
        },
        fixed,
    ))
}

/// What an operation does, for [`Slot::admits`].
#[derive(Debug, Clone, Copy)]
pub enum Write<'a> {
    /// Writes a scalar.
    Put(&'a ScalarValue),
    /// Makes an object of a kind.
    Make(ObjType),
    /// Deletes what is there.
    Delete,
}

impl Slot {
    /// Whether `write` may happen at this place; the error says what belongs there.
    pub fn admits(&self, write: Write<'_>) -> Result<(), String> {
        let shape = match self {
            Slot::Character => {
                return match write {
                    Write::Put(ScalarValue::Str(_)) | Write::Delete => Ok(()),
                    _ => Err("a text holds characters only".into()),
                };
            }
            Slot::Value { shape, .. } => *shape,
        };
        let wanted = |s: Shape| describe(s);
        match write {
            // Deleting a record's field is allowed only where another value stays (Automerge
            // deletes the losers of a conflict that way): the caller checks it stays.
            Write::Delete => Ok(()),
            Write::Put(v) => {
                let ok = match shape {
                    Shape::Scalar(s) => (s.check)(v),
                    Shape::Optional(inner) => {
                        matches!(v, ScalarValue::Null)
                            || matches!(inner, Shape::Scalar(s) if (s.check)(v))
                            || matches!(inner, Shape::Prose if text_up_to(v, MAX_LONG))
                    }
                    Shape::Prose => text_up_to(v, MAX_LONG),
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{} belongs there, not {}", wanted(shape), shown(v)))
                }
            }
            Write::Make(t) => {
                let inner = match shape {
                    Shape::Optional(inner) => *inner,
                    s => s,
                };
                let ok = matches!(
                    (inner, t),
                    (Shape::Record(_) | Shape::Map(..), ObjType::Map)
                        | (Shape::List(_), ObjType::List)
                        | (Shape::Prose, ObjType::Text)
                );
                if ok {
                    Ok(())
                } else {
                    Err(format!("{} belongs there, not a {t:?}", wanted(shape)))
                }
            }
        }
    }

    /// Whether this is a record's field (which must keep a value), not a list item or map
    /// entry (which may be removed).
    pub fn is_field(&self) -> bool {
        matches!(self, Slot::Value { field: true, .. })
    }

    /// The record kind at this place, if it holds records.
    pub fn record(&self) -> Option<&'static Record> {
        match self {
            Slot::Value {
                shape: Shape::Record(r),
                ..
            }
            | Slot::Value {
                shape: Shape::Optional(Shape::Record(r)),
                ..
            } => Some(r),
            _ => None,
        }
    }
}

fn describe(s: Shape) -> String {
    match s {
        Shape::Scalar(sc) => sc.what.to_owned(),
        Shape::Optional(inner) => format!("nothing or {}", describe(*inner)),
        Shape::Prose => "a text".to_owned(),
        Shape::List(_) => "a list".to_owned(),
        Shape::Map(..) => "a map".to_owned(),
        Shape::Record(r) => format!("a {} record", r.name),
    }
}

fn shown(v: &ScalarValue) -> String {
    match v {
        ScalarValue::Str(s) if s.chars().count() > 40 => {
            format!("a text of {} characters", s.chars().count())
        }
        other => format!("{other}"),
    }
}
