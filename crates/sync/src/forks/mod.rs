//! Equivocation: a member's node that writes two different changes with one actor and
//! sequence number (a *fork* of its history), on purpose or because its home was copied or a
//! VM snapshot rolled back.
//!
//! Automerge cannot hold both versions (operation ids are counter and actor, so they would
//! collide), and before this module each honest node kept the version it saw first and
//! refused the other's: honest nodes split for good. Kleppmann ("Making CRDTs Byzantine Fault
//! Tolerant", PaPoC 2022) makes ids hashes so that both versions can be kept; Automerge's ids
//! cannot be changed, so Coalesce makes the document a deterministic function of what is
//! known instead:
//!
//! - **Evidence** ([`Fork`]): the two versions, each with the actor's later changes up to one
//!   it signed. Anyone can check it; it travels as [`Message::Fork`] to every peer sharing the
//!   coalition (when found, and when a peer starts syncing).
//! - **Witness** ([`Witness`], [`Message::Witness`]): proof that another member built on one
//!   version: the version, then changes each depending on the one before, the last signed
//!   by a key of a member other than the forked actor's, where the fork happened. Nobody
//!   can make one for a version no other member built on; any node holding a version that
//!   another member built on makes one (every signature is kept, so a near one is found).
//! - **Rule**: for each fork known, the versions are judged by the witnesses known: while
//!   none has one, nothing is set aside (each node keeps the version it holds, and does not
//!   apply the other); once one has, every other version is *set aside* with everything
//!   built on it; once two have, every version is. Set aside means not in the document, not
//!   applied, not relayed, not refused either (kept aside, and counted). Witnesses only
//!   accumulate, so what is set aside only grows: nothing set aside ever comes back, and a
//!   member whose own changes were set aside may write again with the same sequence
//!   numbers without that ever being a fork. Which changes are set aside depends only on the
//!   evidence, the witnesses and the change graph, never on arrival order; evidence and
//!   witnesses spread like any message, so honest nodes converge. Before any witness they
//!   may hold different versions of the forked change: that lasts until any other member
//!   writes on one.
//! - **Cost**: a member forking one of its old changes sets aside nothing but its new
//!   version (every other member holds and built on the old one; none can build on the new
//!   one). Across a partition where members on both sides built on different versions,
//!   both are set aside with what was built on them, on every node: out of the document
//!   until their authors enter them again, kept apart in the stores that held them
//!   (`Documents::rebuilt`, `coalesce audit aside`), not lost. The forked key is flagged
//!   and its node writes nothing more; its organization goes on with another key.
//! - **Ties**: evidence counts in a coalition only if both versions hang off its history
//!   ([`Fork::tied_to`]): a key belongs to several coalitions, each with its own sequence
//!   numbers. Evidence not tied yet waits in memory until what it builds on arrives.
//! - **Vouching**: a signature vouches for the actor's earlier changes through their hash
//!   chain. When an actor's newest signed change is set aside, its earlier, kept changes have
//!   no signature of their own; the chain from the newest kept one up to the signed one is
//!   carried as *vouchers* with them (never applied), so that they still verify anywhere.

mod arriving;
mod chains;
mod evidence;
mod known;
mod witnesses;

pub(crate) use chains::*;
pub use evidence::*;
pub use known::*;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use automerge::{AutoCommit, Change, ChangeHash};
use model::signing::HeadIndex;
use model::{CoalitionId, NodeKey};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use crate::docs::Documents;
use crate::node::{Output, PeerDoc, SyncNode, send, wire_id};
use crate::verify::{ChangeSignature, Refusal, change_in_chunk, check_signatures};
use crate::wire::{self, ByteChunk, Message, SignedHead, WireCoalition};

/// Most changes set aside that a node remembers per coalition (hashes, to recognise what is
/// built on them). Past it, such changes look like ones whose dependencies are missing: they
/// wait, and are never applied either.
pub const MAX_SET_ASIDE: usize = 100_000;
/// Most bytes of voucher chains kept per coalition.
pub const MAX_VOUCHER_BYTES: usize = 16 * 1024 * 1024;
/// Most pieces of evidence per coalition waiting (in memory) for the changes that tie them
/// to it; the oldest is dropped for a new one (peers send what they know again when they
/// next greet this node).
pub const MAX_PENDING_FORKS: usize = 8;
/// Most bytes the changes of one piece of evidence hold, the same on every node (half the
/// smallest message limit, so that every node can take it): evidence is built only within
/// it and taken only within it, whatever a node's own message limit.
pub const MAX_FORK_BYTES: usize = wire::MIN_MESSAGE_LIMIT / 2;
/// The allowance of one piece of evidence while it is parsed and checked (its changes'
/// bytes, and [`wire::MESSAGE_BYTES_PER_OP`] per operation), the same on every node. Larger
/// than [`MAX_FORK_BYTES`]: one honest change may write a text of 20,000 characters, one
/// operation each, and evidence of a fork at such a change must travel.
pub const MAX_FORK_ALLOWANCE: usize = 4 * wire::MIN_MESSAGE_LIMIT;

fn bad(why: impl Into<String>) -> Refusal {
    Refusal::MalformedFork(why.into())
}

/// Whether two versions fit the evidence limits ([`MAX_FORK_BYTES`] and
/// [`MAX_FORK_ALLOWANCE`]): evidence built within them is taken within them by every node.
fn fits(first: &[Change], second: &[Change]) -> bool {
    let all = || first.iter().chain(second);
    all().map(|c| c.raw_bytes().len()).sum::<usize>() <= MAX_FORK_BYTES
        && all().map(crate::verify::allowance_of).sum::<usize>() <= MAX_FORK_ALLOWANCE
}

/// The evidence limits, for messages.
fn limits() -> String {
    format!(
        "{MAX_FORK_BYTES} bytes of changes, or an allowance of {MAX_FORK_ALLOWANCE} counting \
         {} per operation",
        wire::MESSAGE_BYTES_PER_OP
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of format 1 (protocol 3) keeps its flagged keys, what it set aside and its
    /// vouchers; its evidence comes again from peers.
    #[test]
    fn a_format_1_record_keeps_its_flags_and_what_it_set_aside() {
        type EvidenceV1 = (
            Vec<Vec<u8>>,
            ([u8; 32], Vec<u8>),
            Vec<Vec<u8>>,
            ([u8; 32], Vec<u8>),
        );
        let evidence: Vec<EvidenceV1> = vec![(
            vec![vec![1]],
            ([2; 32], vec![3; 64]),
            vec![vec![4]],
            ([5; 32], vec![6; 64]),
        )];
        let from = BTreeMap::from([([7u8; 32], 3u64)]);
        let aside = BTreeSet::from([[8u8; 32]]);
        let vouchers = BTreeMap::from([(
            [7u8; 32],
            Voucher {
                head: ([9; 32], vec![1; 64]),
                chain: vec![vec![2]],
            },
        )]);
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&(evidence, from, aside, vouchers)).unwrap());
        let forks = Forks::from_bytes(&bytes);
        assert_eq!(forks.forked().get(&[7; 32]), Some(&3));
        assert!(forks.is_aside(&ChangeHash([8; 32])));
        assert!(forks.vouchers.contains_key(&[7; 32]));
        assert!(forks.known.is_empty());
        let again = Forks::from_bytes(&forks.to_bytes());
        assert_eq!(again.forked(), forks.forked());
        assert!(again.is_aside(&ChangeHash([8; 32])));
    }
}
