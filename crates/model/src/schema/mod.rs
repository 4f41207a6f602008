//! The shape of a coalition's Automerge document, as typed Rust values.
//!
//! One Automerge document holds one coalition: charter, members, issues, pools (with their
//! ledgers), proposals and meetings, each record in a map keyed by its id so that concurrent
//! additions on different nodes never collide. These types are hydrated from the document for
//! reading; writes go through [`crate::CoalitionDoc`], which touches only the fields an edit
//! changes so that concurrent edits to different fields merge instead of overwriting each other.
//!
//! The same types serialize to the JSON printed by `--json`; `schema` in the root names the
//! document layout version: a change to these types is a change to a script-facing contract,
//! and (through [`crate::layout`], which refuses unknown fields on receipt) to the protocol.
//!
//! The records by area: the whole coalition and how it is read (`coalition`), the charter and
//! its rules (`charter`), goals, members, issues, pools, proposals and meetings, and the
//! [`Prose`] their long texts are.

mod charter;
mod coalition;
mod goals;
mod issues;
mod links;
mod meetings;
mod members;
mod pools;
mod proposals;
mod prose;

pub use charter::{
    Charter, CharterVersion, MAX_WEIGHT, Roles, Rules, Weights, poll_rule_problem, rule_problem,
};
pub use coalition::{Coalition, Unreadable, record, records};
pub(crate) use coalition::{not_a_map_of_records, read_entry};
pub use goals::{Goal, Progress};
pub use issues::{Evidence, Issue};
pub use links::{LinkTerms, MAX_THRESHOLD, link_problem};
pub use meetings::{AccessNeed, Meeting};
pub use members::{Departure, DepartureStatus, Member};
pub use pools::{LedgerEntry, Pool};
pub(crate) use proposals::PollRead;
pub use proposals::{
    Amendment, BallotRecord, PollSpec, PositionRecord, Proposal, RuleChange, Subject, WeightChange,
    Written, option_labels, poll_kind_problem, written,
};
pub use prose::Prose;

/// Version of the document layout written by this code.
pub const SCHEMA_VERSION: u64 = 1;
