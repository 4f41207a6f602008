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
//!
//! In detail:
//!
//! - **Evidence** is built by the node that holds one version and receives the other, and sent to
//!   every peer syncing the coalition when learnt and to every peer that greets this node later.
//!   Its changes hold at most [`MAX_FORK_BYTES`] and cost at most [`MAX_FORK_ALLOWANCE`]: the same
//!   on every node, so that what one node learns every node can take. The version held here runs
//!   from the forked change up to the nearest change of its actor with a signature stored here (the
//!   store keeps every signature received), so a rollback far back is still shown in one or a few
//!   changes per version. A fork with more than two versions keeps evidence of each new one
//!   ([`MAX_EVIDENCE_PER_FORK`]), so every node can judge a witness of any of them; only a version
//!   in the evidence, signed by its actor, can be witnessed.
//! - **Ties** ([`Fork::tied_to`]), judged by what this fork cannot set aside: past sequence number
//!   1, both versions depend on the same change `s - 1` of the actor, held here; at 1, the actor is
//!   a member's key here, every dependency of both versions is held, none is the actor's, and a
//!   version without dependencies is this coalition's founding. Evidence whose ties have not
//!   arrived waits in memory ([`MAX_PENDING_FORKS`], oldest dropped first) and is tried again after
//!   each batch applied (a node holding nothing of the coalition yet waits for all); evidence that
//!   can never tie is dropped, and refused when a peer sent it (an honest peer sends only evidence
//!   tied to its copy, which holds what this one does of it). There is no cap on forks learnt (a
//!   cap would let nodes that saw them in different orders learn different ones).
//! - **Witnesses** count ([`Witness::counts_in`]) when the last change is signed by a key of a
//!   member other than the forked actor's member where the fork happened (the governance at the
//!   actor's change before the version, or at the version's dependencies for a first change, held),
//!   within the evidence limits. So a member removed since, or a key taken off its record since,
//!   still counts. A node holding a version makes one when it learns the fork and after each of its
//!   own edits while none decides (the earliest such change with a signature stored here, on a path
//!   through what is held: `build_witness`), and sends witnesses after the evidence they are about,
//!   on learning and on every greeting. At most two per fork are kept (two decide everything).
//! - **Rule**: a fork is identified by its actor's sequence number `s` and the change of the actor
//!   both versions continue (a change at `s` continuing another one is no version of it; nested
//!   forks are told apart). While no witness decides, neither version's holder applies the other
//!   nor what is built on it, and the rest of a batch goes on. Changes set aside are remembered by
//!   hash ([`MAX_SET_ASIDE`]; a pass over a batch or a document tracks all it sets aside, so the
//!   rule holds past that bound within it). On learning a witness that sets aside something held,
//!   the node rebuilds its document without it, keeps what it had stored of it apart, and stores
//!   the document whole (`Documents::rebuilt`); the record of forks and witnesses is stored after
//!   it (`forks/<coalition>`), and a node that finds a forks record on loading rebuilds again
//!   should a crash have come between the two. The replica refuses its own edits if its key is
//!   among the forked.
//! - **Proof sketch.** Let E be the evidence, W the witnesses and C the changes an honest node has
//!   received. What it holds is C minus what (E, W) sets aside, a function of (C, E, W) alone once
//!   a witness decides each fork: whether a change is set aside depends only on its actor, sequence
//!   number, hash and ancestors, never on arrival order (set aside in causal order: start
//!   operations grow along the change graph, and no change is empty). Whether evidence or a witness
//!   counts depends only on it and on changes it cannot set aside being held, which, once true,
//!   stays true; both are forwarded to every peer syncing the coalition on learning, and all of
//!   them on every greeting; changes spread by sync; so connected honest nodes reach the same (C,
//!   E, W) and hold identical documents. Witnesses only accumulate and each one only adds to what
//!   is set aside, so nothing set aside ever returns. An honest member whose changes were set aside
//!   writes its next changes with the same sequence numbers, and that is no fork: evidence one of
//!   whose versions is itself set aside by a known fork is ignored, and a node receives the new
//!   changes only after the evidence and witness that set the old ones aside (each connection is
//!   one ordered stream, and a node learns of them before syncing anything after). Nobody can make
//!   a witness for a version no other member built on, so a member forking one of its old changes
//!   (one every other member's node holds and built on) sets aside nothing but its new version, on
//!   every node. Tested by the simulation (a forking member in one seed of three, with partitions,
//!   restarts and broken connections: all nodes end identical and all learn of a fork any found),
//!   by `tests/adversarial/` (witnesses, ties, sizes, keys of no member, a rollback far back) and
//!   by `tests/hostile/` with real nodes.
//! - **Cost**, in detail: what a node had stored of changes set aside is kept in records
//!   `aside/<coalition>/<n>`, one per rebuild, of what was not kept already (never more than the
//!   store held), counted in `coalesce status` and listed by `coalesce audit aside`. The forked
//!   key's organization goes on with another key (`member key add` from another of its nodes, or a
//!   backup's new key). Rebuilding costs one reload of the coalition per witness that sets aside
//!   something held; making a witness, one pass over the changes after the version held; a
//!   coalition with a known fork is checked once more, in one pass over its history, the first time
//!   it is used after each start (the crash the rule above heals). Voucher chains are kept up to
//!   [`MAX_VOUCHER_BYTES`], once the batch carrying them is stored. Snapshots are not offered where
//!   a fork was found, nor taken when anything in them is set aside.
//! - **Flags** (`members/<m>/flagged`, `model::governance::InForce::flagged`). "Later" needs a
//!   moment every node agrees on, and the document gives one: once a node knows a key's forks all
//!   decided (a witness for each: `SyncNode::decided_keys`, on `Output::ForkDecided` and at start),
//!   its member, if in force and not the key's own, adds the key to its own record's `flagged`
//!   list: an ordinary signed edit, built on the version every node keeps (`Replica::flag_forked`:
//!   one edit for all the keys decided, skipping its own and those of no member in force). A key
//!   flagged by `FLAGS_TO_REFUSE` (two) members in force other than its own is refused by the rules
//!   like a revoked key (`Violation::KeyFlagged`), judged at each change's dependencies: whatever
//!   it writes after seeing both flags is refused on every node alike, what it wrote concurrently
//!   with them is not (the only "later" every node can tell), and a flagged key that keeps ignoring
//!   the flags cannot build on anything written after them. Two flags, not one, so that no member
//!   can silence another's key alone; hence a coalition of two members never refuses a forked key's
//!   later changes (the witness rule still decides its forks). The rules do not wait on the
//!   evidence at the receiver: a flag is a member's own record, judged like any other: written only
//!   by its member; a flag added names another member's key, not flagged by it yet; a new member
//!   record (and the founder's) flags nothing. Entries of a list a change makes whole are not
//!   judged one by one, so reading counts, per member, only another member's keys, each once, among
//!   its first `MAX_FLAGS` (`governance::flaggers` states the same rule for one key, for reports);
//!   duplicates within one change are not refused, only not counted twice. A member may withdraw
//!   its flag, and a flagger that leaves stops counting: a key's later changes are judged by the
//!   flags in force at their dependencies either way. The node whose key is refused refuses its own
//!   edits and `status` says so (who flagged, whether the key is refused). Under the invite
//!   admission rule (the founding charter's) any one member can admit another organization, so two
//!   flags are only as independent as admissions are: a member that admits an organization it
//!   controls can flag a key twice, and any two members acting together can silence a key that
//!   never forked (the rules cannot see the evidence; honest nodes flag only on evidence checked).
//!   Coalitions that need more make admission a vote. The `flagged` field came with protocol 5: a
//!   node of protocol 4 refuses member records carrying it. Tested in `model/tests/governance/`,
//!   by the simulation (the forking node writes after both flags: every node refuses it alike) and
//!   by `tests/hostile/`.
//! - **Limits (open).** A hostile forked key's changes on the kept version made before the second
//!   flag, or concurrently with the flags, are accepted; so is everything it writes in a coalition
//!   of two members. The coalition removes a hostile member by its membership rule. Before a
//!   witness, nodes that never received either version from the other side hold whichever arrived
//!   first. Two members can do together what one cannot: when a member's node is rolled back by
//!   accident and writes again, a hostile second member can build on the rolled-back version on
//!   purpose, and with the original's witnesses both versions are set aside with everything built
//!   since (a count of witnesses would decide better, but could then change its mind, and nothing
//!   set aside may come back). Without any hostile member, the same happens when the forked member
//!   shows its new version first to an honest node that was behind (offline, or restored) and did
//!   not hold the original yet, and that node's member writes. A member's changes made before any
//!   other member joined can never be witnessed: a fork of those is never decided, and a node that
//!   got the other version first (only from the forked member itself) keeps it. No rule can do
//!   better there: before the first admission the founder *is* the coalition, and a founder that
//!   writes two founding histories and admits different organizations on each makes two worlds that
//!   look alike to any rule; a rule that chose between them would let the founder choose (a hash
//!   order it can grind, a count it can pad), and one that set both aside would leave a coalition
//!   nobody can write in. Now each world goes on whole and consistent among its own members.
//!   Without malice (the founder's node rolled back to before the first admission, then written on)
//!   there is one world: the rolled-back node holds no member but its own, syncs with nobody, and
//!   its operator restores a newer backup or joins again by a member's invite. A forked key that
//!   keeps forking costs every node a pass per fork (and a reload where it sets aside something
//!   held) until it is flagged. A rollback whose held version has no signature stored near the
//!   forked change (it arrived in one batch with many later changes of its actor, signed only at
//!   the batch's end) may exceed the evidence limits: the other version is not applied where the
//!   original is held, and the rolled-back node stays apart until its operator restores a newer
//!   backup.

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
use crate::node::{Output, SyncNode, send, wire_id};
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
/// bytes, and [`wire::MESSAGE_BYTES_PER_OP`] per operation and per predecessor), the same on
/// every node. Larger
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
         {} per operation and per predecessor",
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
