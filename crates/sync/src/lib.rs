//! The Coalesce sync protocol as a pure state machine.
//!
//! [`SyncNode`] takes events (a peer connected, a frame arrived, a local edit) and returns
//! [`Output`]s (frames to send, refusals, disconnections). It never touches a socket, a clock
//! or a random number generator, so a test can run many nodes in one process with injected
//! loss, duplication, reordering, partitions and restarts, and replay any run from its seed.
//!
//! Guarantees:
//!
//! - Every change is verified before it is stored or applied, whichever peer relayed it: its
//!   actor is a 32-byte node key, a signature by that key over the actor's newest change in the
//!   batch verifies (one check per actor, not per change: each actor's changes form a hash
//!   chain), its author is a member's key, and it does not equivocate.
//! - Messages are parsed strictly ([`wire`], [`verify::decode_sync`]): wrong version,
//!   oversized, malformed or trailing bytes refuse the whole message.
//! - A peer learns of a coalition only if its key is a member's there ([`Message::Hello`]).
//! - A peer that keeps sending useless sync rounds is cut off ([`node::MAX_IDLE_ROUNDS`]);
//!   repeated refusals disconnect it ([`node::MAX_STRIKES`]).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod addresses;
pub(crate) mod chain;
pub(crate) mod columns;
pub mod docs;
pub mod forks;
#[doc(hidden)]
pub mod fuzzing;
pub mod invite;
pub mod node;
pub mod snapshot;
pub mod verify;
pub mod wire;

pub use docs::{Documents, HeadIndex, MemoryDocs};
pub use node::{Output, SyncNode};
pub use verify::{ChangeSignature, Refusal, sign, signing_payload};
pub use wire::{Message, SignedHead};
