//! The Coalesce sync protocol as a pure state machine.
//!
//! [`SyncNode`] takes events (a peer connected, a frame arrived, a local edit) and returns
//! [`Output`]s (frames to send, refusals, disconnections). It never touches a socket, a clock or a
//! random number generator, so a test can run many nodes in one process with injected loss,
//! duplication, reordering, partitions and restarts, and replay any run from its seed:
//! `tests/simulation/` runs eight nodes so. One starts holding nothing and joins through node 0,
//! so catching up from a snapshot runs under the same faults; in one seed of three a member is
//! hostile, in another one forks its history.
//!
//! Guarantees:
//!
//! - Every change is verified before it is stored or applied, whichever peer relayed it: its
//!   actor is a 32-byte node key, a signature by that key over the actor's newest change in the
//!   batch verifies (one check per actor, not per change: each actor's changes form a hash
//!   chain), its author is a member's key, and it does not equivocate.
//! - Messages are parsed strictly ([`wire`], [`verify::decode_sync`]): wrong version,
//!   oversized, malformed or trailing bytes refuse the whole message.
//! - A peer learns of a coalition only if its key is a member's in force there
//!   ([`Message::Hello`]), or if it is the node that invited this one.
//! - A peer that keeps sending useless sync rounds ([`node::MAX_IDLE_ROUNDS`]), or keeps
//!   saying it lost all it held ([`node::MAX_START_OVERS`]), has that coalition's rounds
//!   paused for [`node::RESUME_AFTER`], twice as long at each pause of the connection (at
//!   most [`node::MAX_PAUSE_FACTOR`] times): what it sends is still read, no sync round is
//!   answered, and past as many useless rounds again each is refused unread; then the rounds
//!   go on from where they were. Refusals count strikes (a pause itself does not), and
//!   repeated ones disconnect it ([`node::MAX_STRIKES`]).
//! - No sync message is heavier than its receiver takes (its Hello says how much): a longer
//!   catch-up goes in pages, each checked like any batch (`node::pages`).
//!
//! **Nothing a peer sends reaches Automerge unchecked.** Automerge 0.12 trusts its input: its
//! parser inflates compressed chunks without bound and reserves memory by counts it reads; its
//! `apply_changes` panics on a sequence gap, an unknown object or list element, a counter past
//! `u32`, and silently keeps duplicate operation ids or misplaced predecessors, after which the
//! document no longer saves, loads or syncs. So, in this order:
//!
//! 1. bytes: sizes and counts bounded before Automerge parses anything ([`verify`], `columns`,
//!    [`wire`]);
//! 2. operations and signatures: operations counted against the message's allowance, signatures
//!    checked per actor ([`verify`]);
//! 3. history and references, in causal order (`chain`); a whole document by [`snapshot`] first;
//! 4. apply, under `catch_unwind` (`node::accept`);
//! 5. the rules and layout (`model::rules`), then storage.
//!
//! The places in automerge 0.12 known to panic, abort or misbehave on a peer's input, and what
//! keeps each out of reach (read from its source; the files are automerge's):
//!
//! | in automerge | on | kept out by |
//! |---|---|---|
//! | `chunk.rs` inflate without bound; `raw_column.rs` column inflate | compressed change or column | `prescan_change` inflates itself within the message's allowance; `snapshot` counts every column against the limit |
//! | RLE runs claiming 2^62 rows, groups of 2^40, values of 1 GB (`change_op_columns.rs`, `opid_list.rs`, `decodable_impls.rs`) | change or snapshot columns | `columns::validate`: rows counted run by run against `MAX_CHANGE_OPS` / `snapshot::ops_limit`, value lengths against the value column |
//! | `OpId::new` unwraps counters into `u32` (`types.rs`) | counters, start op | `validate` keeps counters within `u32`; `prescan_change` start op + ops within `u32` |
//! | actor index out of range (`change.rs` decode, `batch.rs`) | ops' actor columns | `validate`: actor indices below the actors listed; `chain`: every other actor listed is referred to |
//! | sequence gap, first change of an actor not seq 1 (`change_graph.rs`, `batch.rs`) | change metadata | `chain`: seq 1, or a dependency that is the actor's previous change |
//! | start op overlapping earlier ops: duplicate op ids, later `collector.rs` assert/unwrap | change metadata | `chain`: start op exactly one past the dependencies' last op (and a reused sequence number is a fork: [`forks`]) |
//! | object or list element not found (`batch.rs` obj and elem lookups) | op references | `chain`: objects, elements, predecessors exist, older, of the right kind, in the change's own history (else refused) |
//! | an op naming what its change's history does not hold: resolved against whatever version a node holds, panics rebuilding a fork's kept side (`batch.rs` "Missing from Index") | op references | `chain::past`: every reference is to an operation of the change's history (a clock per change, from its dependencies) |
//! | predecessor in another place, delete of nothing: misplaced ops, `collector.rs` assert at rebuild | op references | `chain` confirms predecessors and elements at their place before applying; nothing rebuilds a received change; `apply_and_judge` applies under `catch_unwind` and reloads the document on a panic |
//! | counters, increments, marks (overflow in `value.rs`, mark pairing on load) | op kinds | `chain` refuses them: a coalition document has none |
//! | extra bytes (author footer) on a change not seq 1 (`change_graph.rs`) | change / snapshot | `prescan_change` refuses bytes after the columns; `snapshot` refuses extra bytes in a snapshot |
//! | forward or out-of-range dependency index (`change_graph.rs`, `collector.rs`) | snapshot change columns | `snapshot`: dependencies point to earlier changes only |
//! | Bloom filter of zero bits, huge probe count (`bloom.rs`) | sync `have` | `verify`: usable parameters; at most one `have` |
//! | `receive_sync_message` loading raw chunks | sync message changes | the changes are taken out and applied only after the checks above |
//!
//! The attack classes are tested in `tests/bounds.rs` (bytes), `tests/adversarial/` (history,
//! references, forks), `model/tests/rules/` (types, shapes, permanence), the simulation and,
//! against a real node, the workspace's `tests/hostile/`. The decoders have `cargo fuzz` targets
//! (`fuzz/`, outside the workspace; see `fuzzing`).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod addresses;
mod beside;
pub(crate) mod chain;
mod change_ops;
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
pub use node::{JoinProgress, JoinRequest, MAX_REFUSED_JOINS, Output, SyncNode};
pub use verify::{ChangeSignature, Refusal, sign, signing_payload};
pub use wire::{LinkTakes, Message, SignedHead};
