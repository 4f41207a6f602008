//! A deterministic simulation of many nodes syncing one coalition over a network that drops
//! connections, duplicates messages and interleaves connections in any order (each
//! connection in order, as a libp2p stream is), partitions and heals, and restarts nodes —
//! all in one process, driven by a seed. After the network heals, every node must hold the same document.
//!
//! `SIM_SEEDS=N` runs seeds 0..N (default 40, split over two tests); `SIM_SEED=S` replays one
//! seed exactly; `SIM_DEBUG=1` also checks the head index after every event; `SIM_TRACE=1`
//! prints refusals and forks as they happen (with `-- --nocapture`).
//!
//! In one seed of three, node 1 is a hostile member sending broken and forged changes; in
//! another, node 2 forks its history (two different changes with one sequence number, each
//! told to half its peers, the other pushed again later). Honest nodes must still end
//! identical, refuse nothing of each other's, and all learn of a fork any of them found;
//! witnesses (other members writing on a version) must decide some of those forks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod convergence;
mod edits;
mod misbehaviour;
mod network;

use std::collections::{BTreeMap, BTreeSet};

use automerge::AutoCommit;
use ed25519_dalek::SigningKey;
use model::{CoalitionId, IssueId, MemberId, NodeKey};
use rand_chacha::ChaCha8Rng;
use sync::{MemoryDocs, Refusal, SyncNode};

use convergence::run;

const NODES: usize = 8;
/// The node that starts holding nothing and joins through node 0.
const JOINER: usize = NODES - 1;

struct Node {
    key: NodeKey,
    signing: SigningKey,
    member: MemberId,
    docs: MemoryDocs,
    sync: SyncNode,
    edits: Vec<IssueId>,
}

struct Frame {
    from: usize,
    to: usize,
    epoch: u64,
    bytes: Vec<u8>,
}

struct Sim {
    rng: ChaCha8Rng,
    nodes: Vec<Node>,
    coalition: CoalitionId,
    queue: Vec<Frame>,
    /// Connection epoch per unordered pair; frames of an older epoch are dropped on delivery.
    epochs: BTreeMap<(usize, usize), u64>,
    links: BTreeSet<(usize, usize)>,
    /// Which side of a partition each node is on (all 0 when healed).
    side: Vec<u8>,
    /// Links cut by a disconnection until the next partition change.
    cut: BTreeSet<(usize, usize)>,
    clock: i64,
    issues: Vec<IssueId>,
    /// Refusals, with the peer whose message was refused.
    refusals: Vec<(NodeKey, Refusal)>,
    log: Vec<String>,
    /// The member node that sends broken and forged changes, in a share of the seeds.
    hostile: Option<usize>,
    /// Attacks it sent.
    attacks: usize,
    /// The member node that forks its history (two versions of one change, each sent to
    /// half its peers), in another share of the seeds.
    forker: Option<usize>,
    /// Forks it made.
    forks: usize,
    /// The version it did not keep (its document with that version, and the signature),
    /// which it goes on pushing to one peer at a time.
    shadow: Option<(AutoCommit, sync::ChangeSignature)>,
    /// Nodes told a fork got a witness, whose member flags the keys decided (as
    /// `coalesce-node` does).
    to_flag: Vec<usize>,
    /// Changes the forking node wrote after seeing its key flagged by two members.
    after_flags: Vec<automerge::ChangeHash>,
    /// Requests to join that the inviting node (node 0) heard.
    join_requests: usize,
    /// Nodes told the coalition they asked to join had arrived.
    joined: Vec<usize>,
}

/// What the joining node presents to node 0, which admitted it already (the request is
/// heard, and needs no answer).
fn join_request(inviter: NodeKey) -> sync::JoinRequest {
    sync::JoinRequest {
        inviter,
        secret: [7; 16],
        org: "Joining Org".into(),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().take(3).map(|x| format!("{x:02x}")).collect()
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

/// What one seed exercised.
#[derive(Default)]
struct Seen {
    /// Attacks the hostile member sent.
    attacks: usize,
    /// Whether a fork was found.
    forks: usize,
    /// Versions of forks a witness decided.
    witnessed: usize,
    /// Changes the forking node wrote after two flags on its key, refused.
    refused_after_flags: usize,
}

/// Seeds that found bugs: 162 (a hostile member's honest-looking change it never applied
/// itself, a fork the checks must not count as the forking node's), 265 (a sync message
/// whose newest change of an actor was not that actor's newest signed one: Automerge leaves
/// out what it sent before, and a peer that left that out now needs the rest signed).
const REGRESSION_SEEDS: &[u64] = &[162, 265];

/// Seeds past the default count where the forking node's change written after the flags on
/// its key is refused for them (one per test). In most seeds that change builds on the
/// version of its fork the others set aside, and is set aside with it, unjudged (no node holds
/// it either way); which happens turns on the run's random path, so these keep the refusal
/// exercised whatever the default seeds do.
const COVERAGE_SEEDS: &[u64] = &[94, 199];

/// Runs the seeds `first, first + step, ...` below the seed count (or the one in `SIM_SEED`),
/// and the [`REGRESSION_SEEDS`] and [`COVERAGE_SEEDS`] of the same parity.
fn run_seeds(first: u64, step: usize) {
    if let Ok(seed) = std::env::var("SIM_SEED") {
        if first == 0 {
            run(seed.parse().expect("SIM_SEED must be a number"));
        }
        return;
    }
    let mut total = Seen::default();
    let seeds: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    // Seeds that once failed, and those that cover what the default ones may miss, beyond
    // the default count, run always (split between the two tests by parity like the rest).
    let past = REGRESSION_SEEDS
        .iter()
        .chain(COVERAGE_SEEDS)
        .copied()
        .filter(|s| *s >= seeds && (*s - first).is_multiple_of(step as u64));
    for seed in (first..seeds).step_by(step).chain(past) {
        let result = std::panic::catch_unwind(|| run(seed));
        if let Ok(seen) = &result {
            total.attacks += seen.attacks;
            total.forks += seen.forks;
            total.witnessed += seen.witnessed;
            total.refused_after_flags += seen.refused_after_flags;
        }
        if let Err(e) = result {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("simulation failed for seed {seed} (replay with SIM_SEED={seed}): {msg}");
        }
    }
    assert!(
        total.attacks > 0,
        "no hostile member attacked in these seeds"
    );
    assert!(total.forks > 0, "no fork was found in these seeds");
    assert!(
        total.witnessed > 0,
        "no witness decided a fork in these seeds"
    );
    assert!(
        total.refused_after_flags > 0,
        "no change of a flagged key was refused in these seeds"
    );
}

#[test]
fn eight_nodes_converge_after_loss_duplication_reordering_partitions_and_restarts_even_seeds() {
    run_seeds(0, 2);
}

#[test]
fn eight_nodes_converge_after_loss_duplication_reordering_partitions_and_restarts_odd_seeds() {
    run_seeds(1, 2);
}
