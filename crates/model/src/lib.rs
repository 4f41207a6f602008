//! The coalition domain on Automerge.
//!
//! A coalition lives in one Automerge document ([`CoalitionDoc`]): its charter, members, joint
//! issue inventory, resource pools with their ledgers, proposals and meeting records. This crate
//! gives typed reads ([`Coalition`] and the records in [`schema`]), validated edits (each one
//! Automerge change authored by the acting node's key), the decision rules and their [`tally`],
//! and the reports organizers read ([`reports`]).
//!
//! The model does no I/O, reads no clock and draws no random numbers: timestamps and ids come
//! from the caller, so the same inputs give the same document on every node.
//!
//! ```
//! use model::*;
//! let key = NodeKey::from_bytes([1; 32]);
//! let founder = MemberId::from_bytes([2; 16]);
//! let mut doc = CoalitionDoc::found(key, Founding {
//!     id: CoalitionId::from_bytes([3; 16]),
//!     name: "Transit Justice".into(),
//!     frame: "Fare-free, accessible buses".into(),
//!     values: vec![], commitments: vec!["nonviolence".into()], equity_threshold: None,
//!     founder_id: founder.clone(),
//!     founder: MemberProfile::named("Northside Tenants Union"),
//!     at: Timestamp::from_millis(0),
//! }).unwrap();
//! let issue = IssueId::from_bytes([4; 16]);
//! doc.add_issue(&founder, NewIssue { id: issue.clone(), title: "Bus fare equity".into(),
//!     description: String::new(), tags: vec!["race".into()], lead: None }, Timestamp::from_millis(1)).unwrap();
//! doc.share_issue(&founder, &issue, Rank::new(1).unwrap(), Timestamp::from_millis(2)).unwrap();
//! let report = reports::overlap(&doc.read().unwrap());
//! assert_eq!(report.issues[0].members_sharing, 1);
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod doc;
mod error;
pub mod governance;
pub mod history;
mod ids;
mod kept;
pub mod layout;
pub mod ops;
mod owned;
pub mod plans;
pub mod poll;
pub mod publishing;
pub mod received;
pub mod records;
pub mod reports;
pub mod rules;
pub mod schema;
pub mod signing;
pub mod statements;
mod tally;
#[cfg(test)]
mod testing;
pub mod translations;
pub mod unreadable;
mod values;

pub use automerge;
pub use doc::{
    AllocationRequest, CharterInForce, CoalitionDoc, Founding, Gift, GiftKind, IssueEdit,
    MAX_ATTENDANCE, MAX_LIST, MAX_LONG, MAX_SHORT, MAX_TOUCHED_CHANGES, MemberProfile, NewIssue,
    NewMeeting, NewPool, NewProposal, Offer, ProfileUpdate, RESTORABLE,
};
pub use error::{DocError, EditError};
pub use federation;
pub use ids::{
    CoalitionId, EntryId, GoalId, ID_LEN, IdError, IssueId, MeetingId, MemberId, PoolId,
    ProposalId, id_from_bytes, is_id,
};
pub use schema::Coalition;
pub use tally::{Method, Outcome, Rule, Tally, Weighed, tally, weighed_tally};
pub use values::{
    AccessKind, Amount, Answer, Day, DecisionKind, EntryKind, Fraction, IssueStatus, LinkRelation,
    MethodName, NodeKey, PoolKind, Rank, RoleName, RuleKind, SUGGESTED_TAGS, SharedKind, ShownName,
    Stance, Timestamp, ValueError, is_bidi_control, is_blank, name_as_read, normalize_tag,
    shown_name,
};
