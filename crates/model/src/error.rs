//! Errors of the model: one enum for loading a document, one for edits.

use crate::values::ValueError;

/// A coalition document could not be loaded or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// The bytes are not an Automerge document.
    #[error("not a readable Automerge document: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    /// The document does not have the shape of a coalition.
    #[error("the document is not a valid coalition: {0}")]
    Shape(Box<autosurgeon::HydrateError>),
    /// Writing typed values into the document failed.
    #[error("could not write to the coalition document: {0}")]
    Write(Box<autosurgeon::ReconcileError>),
    /// The document was written with a newer layout than this program knows.
    #[error(
        "the coalition document uses layout version {found}, newer than this program's {supported}; upgrade Coalesce"
    )]
    NewerSchema {
        /// Version in the document.
        found: u64,
        /// Version this program writes.
        supported: u64,
    },
}

impl From<automerge::AutomergeError> for DocError {
    fn from(e: automerge::AutomergeError) -> Self {
        DocError::Automerge(Box::new(e))
    }
}

impl From<autosurgeon::HydrateError> for DocError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        DocError::Shape(Box::new(e))
    }
}

impl From<autosurgeon::ReconcileError> for DocError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        DocError::Write(Box::new(e))
    }
}

/// An edit was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// A required text was empty.
    #[error("{field} must not be empty")]
    Empty {
        /// Which field.
        field: &'static str,
    },
    /// A text was longer than allowed.
    #[error("{field} is too long: {len} characters, at most {max}")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A list had too many entries.
    #[error("too many {field}: {len}, at most {max}")]
    TooMany {
        /// Which list.
        field: &'static str,
        /// How many were given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A referenced record does not exist.
    #[error("unknown {what} `{id}`")]
    Unknown {
        /// Kind of record.
        what: &'static str,
        /// The id given.
        id: String,
    },
    /// No record has the whole id an edit was given.
    #[error("no {what} with id `{id}`")]
    NotFound {
        /// Kind of record.
        what: &'static str,
        /// The id given.
        id: String,
    },
    /// A record with this id already exists.
    #[error("a {what} with id `{id}` already exists")]
    Exists {
        /// Kind of record.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A value was out of range.
    #[error(transparent)]
    Value(#[from] ValueError),
    /// The acting node's key belongs to no member of the coalition.
    #[error(
        "this node is not a member of coalition `{coalition}` (never admitted, awaiting an \
         admission vote, removed, or left)"
    )]
    NotAMember {
        /// The coalition.
        coalition: String,
    },
    /// This node's key was flagged for writing two histories by two other members: what it
    /// writes now would be refused by every node.
    #[error(
        "this node's key was flagged by two other members for writing two histories (a fork) \
         in coalition {coalition}: it can no longer write there; add a new key for your \
         organization from another of its nodes, or restore a backup (which draws a new key)"
    )]
    KeyFlagged {
        /// The coalition.
        coalition: String,
    },
    /// The charter's rules do not allow the edit; the message says why.
    #[error("{why}")]
    Refused {
        /// Why, naming the rule.
        why: String,
    },
    /// A block was given without a reason.
    #[error("a block needs a reason: the other members must know what to address")]
    BlockWithoutReason,
    /// An amendment was proposed that changes nothing.
    #[error(
        "an amendment must change something: the frame, the values, the commitments, a \
         decision rule or the equity threshold"
    )]
    EmptyAmendment,
    /// Positions can no longer be taken on a decided or closed proposal.
    #[error("proposal `{id}` is already {outcome}; positions can no longer change it")]
    ProposalDecided {
        /// The proposal.
        id: String,
        /// Its outcome.
        outcome: crate::tally::Outcome,
    },
    /// The member is not in the proposal's electorate.
    #[error(
        "member `{member}` was not a member when proposal `{id}` opened, so it takes no position on it"
    )]
    NotInElectorate {
        /// The proposal.
        id: String,
        /// The member.
        member: String,
    },
    /// An allocation request asked for more than the pool holds.
    #[error(
        "pool `{pool}` holds {available} {unit}; a request for {requested} {unit} cannot be met"
    )]
    InsufficientBalance {
        /// The pool.
        pool: String,
        /// Its balance.
        available: String,
        /// The amount asked.
        requested: String,
        /// The pool's unit.
        unit: String,
    },
    /// The amount was zero.
    #[error("the amount must be more than zero")]
    ZeroAmount,
    /// The document could not be read or written.
    #[error(transparent)]
    Doc(Box<DocError>),
}

impl From<DocError> for EditError {
    fn from(e: DocError) -> Self {
        EditError::Doc(Box::new(e))
    }
}

impl From<automerge::AutomergeError> for EditError {
    fn from(e: automerge::AutomergeError) -> Self {
        DocError::from(e).into()
    }
}

impl From<autosurgeon::ReconcileError> for EditError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        DocError::from(e).into()
    }
}

impl From<autosurgeon::HydrateError> for EditError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        DocError::from(e).into()
    }
}
