//! The rules every node enforces on every change it receives, whichever peer relayed it.
//!
//! A modified node can write whatever it likes into its own copy; these rules decide what
//! any other node accepts from it. A change is judged against the coalition *as its author
//! saw it*: the member list and charter at the change's dependencies, never at the receiving
//! node's current state. Every node therefore reaches the same verdict on every change,
//! whatever order changes arrive in, so honest nodes never split over a verdict.
//!
//! What the rules say, by the path a change writes to:
//!
//! | path | who may write |
//! |---|---|
//! | `members/<m>/…` | only member `m` (its profile and its device keys) |
//! | `members/<m>` (a new record) | any member: admission by invite, the founding rule |
//! | `proposals/<p>` (a new record) | any member, as its author, with the charter's rule for its kind and the membership as electorate, no positions |
//! | `proposals/<p>/positions/<m>` | only member `m` |
//! | `issues/<i>/ranks/<m>` | only member `m` |
//! | `pools/<p>/ledger/<e>` (a new entry) | any member, in its own name; entries never change |
//! | `issues`, `pools`, `meetings`, `charter/goals` records | any member (shared records); a new record names its writer |
//! | the rest of `charter`, `charter_versions`, the root | nobody after the founding change: they change only through passed proposals |
//!
//! [`Validator`] checks a batch of changes already applied to a document (the caller rolls
//! the document back if any is refused). It caches the governance state along the batch so
//! that a long catch-up costs one cheap step per change, not a read of the history each.
//!
//! The submodules: reading a document as of past heads (`at`), the [`Validator`] walking a
//! batch (`validator`), where each operation writes (`placement`) and who may write there
//! (`permit`).

mod at;
mod permit;
mod placement;
mod validator;

pub use at::{At, governance_at};
pub(crate) use placement::object_path;
pub use validator::Validator;

use crate::tally::Outcome;

/// A change broke a rule; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// The change's author key belonged to no member when the change was made.
    #[error("written by key {key}, which was not a member's when the change was made")]
    NotAMember {
        /// The author key, hex.
        key: String,
    },
    /// The change's author key had been flagged for writing two histories by two members
    /// other than its own, and the change was made after it could see both flags.
    #[error(
        "written by key {key} after two other members flagged it for writing two histories \
         (a fork): changes it makes from then on are refused"
    )]
    KeyFlagged {
        /// The author key, hex.
        key: String,
    },
    /// A member wrote what belongs to another member.
    #[error("member {writer} wrote {path}, which only member {owner} may write")]
    NotOwner {
        /// The writing member.
        writer: String,
        /// What it wrote.
        path: String,
        /// Whose it is.
        owner: String,
    },
    /// A write to what changes only through a passed proposal.
    #[error("{path} changes only through a passed proposal, not by a member's edit")]
    Governed {
        /// What was written.
        path: String,
    },
    /// A write to a record that never changes once written.
    #[error("{path} is a permanent record and cannot be changed or removed")]
    Permanent {
        /// What was written.
        path: String,
    },
    /// A new record that misstates its writer, rule or electorate.
    #[error("new record {path} is not valid: {why}")]
    BadRecord {
        /// The record.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// A write outside the coalition's layout.
    #[error("{path} is not part of a coalition document")]
    Unknown {
        /// What was written.
        path: String,
    },
    /// A value of the wrong type or shape for its place (see [`crate::layout`]).
    #[error("{path}: {why}")]
    BadValue {
        /// Where it was written.
        path: String,
        /// What belongs there instead.
        why: String,
    },
    /// A position on a proposal already decided when the change was made.
    #[error("{path}: proposal {proposal} was already {outcome}; positions can no longer change it")]
    Decided {
        /// What was written.
        path: String,
        /// The proposal.
        proposal: String,
        /// Its outcome then.
        outcome: Outcome,
    },
    /// A second founding change (one with no dependencies).
    #[error("a second founding change for a coalition that already exists")]
    SecondFounding,
    /// The founding change does not found a coalition held by its author.
    #[error("the founding change is not valid: {why}")]
    BadFounding {
        /// What is wrong with it.
        why: String,
    },
}
