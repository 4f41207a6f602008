//! Statements between linked coalitions: what crosses a link from a regional coalition to a
//! national one and back, and how a receiver knows it is what the publisher's members agreed.
//!
//! Everything here is pure: bytes and keys in, decisions out; no I/O, no clock, no document.
//!
//! - [`Statement`] (`statement`): one fact (a roster, an issue, a pool's totals, a goal's
//!   progress, a decision, a call, a mandate position), in one canonical encoding with every
//!   size bounded; its id is the hash of those bytes ([`StatementId`]).
//! - [`Signed`] (`signed`): the statement's bytes with co-signatures by node keys
//!   ([`Cosign`]).
//! - [`RosterChain`] (`roster`): the publisher's rosters a receiver trusts, from the one its
//!   link pinned; each next roster signed by a majority of the last; a statement verified
//!   against the newest by a threshold of its members ([`Threshold`], [`Verified`]).
//! - [`Latest`] (`latest`): latest wins per subject, the same on every node whatever the order.
//! - [`StatementsFile`] (`file`): the file carried by hand between nodes that never connect.
//!
//! ```
//! use federation::*;
//! let (alice, bea) = ([1u8; 32], [2u8; 32]);
//! let key = |s: &[u8; 32]| ed25519_dalek::SigningKey::from_bytes(s).verifying_key().to_bytes();
//! let roster = Statement {
//!     format: FORMAT, coalition: [7; 16], roster: 0, as_of: 0, heads: vec![],
//!     sequence: 1, supersedes: None,
//!     value: Value::Roster(Roster { members: vec![
//!         RosterMember { member: [1; 16], name: "Eastside Tenants".into(), keys: vec![key(&alice)] },
//!         RosterMember { member: [2; 16], name: "Faith in Action".into(), keys: vec![key(&bea)] },
//!     ] }),
//! };
//! let roster = Signed::new(&roster).unwrap();
//! let chain = RosterChain::trust(&roster.id(), &roster).unwrap();
//!
//! let goal = Statement {
//!     format: FORMAT, coalition: [7; 16], roster: 1, as_of: 0, heads: vec![],
//!     sequence: 1, supersedes: None,
//!     value: Value::Goal(GoalProgress { goal: [9; 16], title: "Homes".into(),
//!         unit: "homes".into(), target: 10_000, latest: None }),
//! };
//! let mut signed = Signed::new(&goal).unwrap();
//! signed.sign(&alice).unwrap();
//! let two = Threshold::new(2).unwrap();
//! assert!(chain.verify(&signed, two).is_err()); // one member alone
//! signed.sign(&bea).unwrap();
//! assert_eq!(chain.verify(&signed, two).unwrap().signers.len(), 2);
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod bounded;
mod error;
mod file;
pub mod fuzzing;
mod latest;
mod roster;
mod signed;
mod statement;

pub use error::{FileError, StatementError};
pub use file::{MAGIC, MAX_ADDRESS, MAX_ADDRESSES, MAX_FILE, MAX_ITEMS, StatementsFile};
pub use latest::{Current, Latest, Offered};
pub use roster::{Ignored, MAX_KEPT_ROSTERS, RosterChain, Threshold, Verified};
pub use signed::{Cosign, MAX_SIGNATURES, MAX_SIGNED, Opened, Signed, StatementId};
pub use statement::{
    Call, Counts, DecisionFacts, EvidenceFacts, FORMAT, GoalProgress, IssueFacts, Kind, LinkTakes,
    MAX_BODY, MAX_HEADS, MAX_KEYS, MAX_LIST, MAX_LONG, MAX_ROSTER, MAX_SHORT, MAX_TAG,
    MandatePosition, Mark, PoolTotals, Position, RecordId, Roster, RosterMember, Statement,
    Subject, Value, clean_long, clean_short, clean_tag, period,
};
