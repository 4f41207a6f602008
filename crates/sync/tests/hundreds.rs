//! A coalition of 200 member nodes where each node is connected to a few others only (a
//! bounded peer set, as a real node keeps), over a network that cuts connections (losing what
//! was in flight), partitions and heals, and restarts nodes: all converge, because every node
//! passes on what it verified. Deterministic, driven by a seed (`HUNDREDS_SEED=S` replays one,
//! `HUNDREDS_SEEDS=N` runs N; default 1: one seed takes minutes in a debug build, most of it
//! Automerge syncing nodes whose peer state a restart emptied).
//!
//! It then measures one edit in the healed network: the rounds until every node holds it (a
//! round delivers every frame sent in the one before), the frames delivered, and the copies of the
//! change each node receives; `-- --nocapture` prints them. The goal is a small constant per
//! node, bounded by the peer set, not growing with the member count.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use automerge::AutoCommit;
use ed25519_dalek::SigningKey;
use model::{
    CoalitionDoc, CoalitionId, Founding, IssueId, MemberId, MemberProfile, NewIssue, NodeKey,
    Timestamp,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sync::{Documents, MemoryDocs, Message, Output, SyncNode};

/// Member nodes.
const NODES: usize = 200;
/// Most peers each node is connected to.
const DEGREE: usize = 8;
/// Edits made while the network misbehaves.
const EDITS: usize = 30;

struct Node {
    key: NodeKey,
    signing: SigningKey,
    member: MemberId,
    docs: MemoryDocs,
    sync: SyncNode,
}

struct Frame {
    from: usize,
    to: usize,
    epoch: u64,
    bytes: Vec<u8>,
}

struct Net {
    rng: ChaCha8Rng,
    nodes: Vec<Node>,
    by_key: BTreeMap<NodeKey, usize>,
    coalition: CoalitionId,
    /// The bounded peer sets: each node's links, at most [`DEGREE`].
    topology: BTreeSet<(usize, usize)>,
    /// Links up now.
    up: BTreeSet<(usize, usize)>,
    epochs: BTreeMap<(usize, usize), u64>,
    queue: VecDeque<Frame>,
    clock: i64,
    issues: Vec<IssueId>,
    /// Frames delivered, and change copies each node received (live pushes and sync rounds).
    frames: usize,
    copies: Vec<usize>,
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

/// The base document every node starts from: node 0 founded the coalition and admitted the
/// others. Built once (admitting 199 members takes a while).
fn base(nodes: &[Node]) -> (CoalitionId, Vec<u8>, sync::ChangeSignature) {
    let coalition = CoalitionId::from_bytes([0xc1; 16]);
    let mut doc = CoalitionDoc::found(
        nodes[0].key,
        Founding::new(
            coalition.clone(),
            "National Housing Coalition",
            nodes[0].member.clone(),
            MemberProfile::named("Org 0"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    for (i, n) in nodes.iter().enumerate().skip(1) {
        doc.admit_member(
            &nodes[0].member,
            &n.member,
            &MemberProfile::named(format!("Org {i}")),
            n.key,
            Timestamp::from_millis(i as i64),
        )
        .unwrap();
    }
    let head = sync::sign(&nodes[0].signing, &doc.heads()[0]);
    (coalition, doc.save(), head)
}

impl Net {
    fn new(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut nodes = Vec::new();
        for i in 0..NODES {
            let mut secret = [0u8; 32];
            rng.fill_bytes(&mut secret);
            let signing = SigningKey::from_bytes(&secret);
            let key = NodeKey::from_bytes(signing.verifying_key().to_bytes());
            let mut member = [0u8; 16];
            member[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
            nodes.push(Node {
                key,
                signing,
                member: MemberId::from_bytes(member),
                docs: MemoryDocs::new(key),
                sync: SyncNode::new(),
            });
        }
        let (coalition, bytes, head) = base(&nodes);
        for n in &mut nodes {
            let copy = AutoCommit::load(&bytes).unwrap().with_actor(n.key.actor());
            n.docs.insert(coalition.clone(), copy, vec![head.clone()]);
        }
        // A ring keeps the graph connected; random links fill each peer set up to DEGREE.
        let mut topology = BTreeSet::new();
        let mut degree = vec![0usize; NODES];
        for a in 0..NODES {
            let b = (a + 1) % NODES;
            topology.insert(pair(a, b));
            degree[a] += 1;
            degree[b] += 1;
        }
        for _ in 0..NODES * DEGREE {
            let a = (rng.next_u64() % NODES as u64) as usize;
            let b = (rng.next_u64() % NODES as u64) as usize;
            if a != b && degree[a] < DEGREE && degree[b] < DEGREE && topology.insert(pair(a, b)) {
                degree[a] += 1;
                degree[b] += 1;
            }
        }
        let by_key = nodes.iter().enumerate().map(|(i, n)| (n.key, i)).collect();
        let mut net = Net {
            rng,
            nodes,
            by_key,
            coalition,
            topology,
            up: BTreeSet::new(),
            epochs: BTreeMap::new(),
            queue: VecDeque::new(),
            clock: 1_000,
            issues: Vec::new(),
            frames: 0,
            copies: vec![0; NODES],
        };
        let links: Vec<_> = net.topology.iter().copied().collect();
        for (a, b) in links {
            net.connect(a, b);
        }
        net
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.next_u64() % 100 < percent
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    fn connect(&mut self, a: usize, b: usize) {
        if !self.up.insert(pair(a, b)) {
            return;
        }
        *self.epochs.entry(pair(a, b)).or_default() += 1;
        let (ka, kb) = (self.nodes[a].key, self.nodes[b].key);
        let n = &mut self.nodes[a];
        let out = n.sync.connected(&mut n.docs, kb);
        self.handle(a, out);
        let n = &mut self.nodes[b];
        let out = n.sync.connected(&mut n.docs, ka);
        self.handle(b, out);
    }

    /// Cuts a link: what was in flight on it is lost.
    fn disconnect(&mut self, a: usize, b: usize) {
        if !self.up.remove(&pair(a, b)) {
            return;
        }
        *self.epochs.entry(pair(a, b)).or_default() += 1;
        let (ka, kb) = (self.nodes[a].key, self.nodes[b].key);
        self.nodes[a].sync.disconnected(&kb);
        self.nodes[b].sync.disconnected(&ka);
    }

    fn handle(&mut self, from: usize, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Send { peer, frame } => {
                    let to = self.by_key[&peer];
                    let epoch = self.epochs[&pair(from, to)];
                    self.queue.push_back(Frame {
                        from,
                        to,
                        epoch,
                        bytes: frame,
                    });
                }
                Output::Refused { peer, reason, .. } => {
                    panic!(
                        "node {from} refused {reason} from honest node {}",
                        self.by_key[&peer]
                    );
                }
                Output::Disconnect { peer, reason } => {
                    panic!("node {from} disconnected {}: {reason}", self.by_key[&peer]);
                }
                _ => {}
            }
        }
    }

    /// Change copies a frame carries.
    fn copies_in(frame: &[u8]) -> usize {
        match Message::decode(frame) {
            Ok(Message::Changes { changes, .. }) => changes.len(),
            Ok(Message::Sync { sync, .. }) => automerge::sync::Message::decode(&sync)
                .map(|m| m.changes.len())
                .unwrap_or(0),
            _ => 0,
        }
    }

    fn deliver(&mut self, f: Frame) {
        if self.epochs.get(&pair(f.from, f.to)) != Some(&f.epoch)
            || !self.up.contains(&pair(f.from, f.to))
        {
            return;
        }
        self.frames += 1;
        self.copies[f.to] += Self::copies_in(&f.bytes);
        let key = self.nodes[f.from].key;
        let n = &mut self.nodes[f.to];
        let out = n.sync.received(&mut n.docs, key, &f.bytes);
        self.handle(f.to, out);
    }

    /// Node `i` raises an issue, signs and pushes it, as its replica does.
    fn edit(&mut self, i: usize) {
        self.clock += 1;
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let id = IssueId::from_bytes(id);
        let c = self.coalition.clone();
        let n = &mut self.nodes[i];
        let (doc, _) = n.docs.entry(&c).unwrap();
        let before = doc.get_heads();
        let mut model_doc =
            CoalitionDoc::from_automerge(std::mem::replace(doc, AutoCommit::new())).unwrap();
        model_doc
            .add_issue(
                &n.member,
                NewIssue {
                    id: id.clone(),
                    title: format!("Raised by org {i}"),
                    description: "Rents up 30 % in two years; evictions follow.".into(),
                    tags: vec!["housing".into(), "tenants".into()],
                    lead: None,
                },
                Timestamp::from_millis(self.clock),
            )
            .unwrap();
        *n.docs.entry(&c).unwrap().0 = model_doc.into_automerge();
        let doc = n.docs.entry(&c).unwrap().0;
        let changes = doc.get_changes(&before);
        let newest = changes.last().unwrap().hash();
        let head = sync::sign(&n.signing, &newest);
        n.docs.local_edit(&c, &changes, head.clone());
        let out = n.sync.local_changes(&mut n.docs, &c, &changes, head);
        self.issues.push(id);
        self.handle(i, out);
    }

    fn restart(&mut self, i: usize) {
        let links: Vec<_> = self
            .up
            .iter()
            .copied()
            .filter(|(a, b)| *a == i || *b == i)
            .collect();
        for (a, b) in &links {
            self.disconnect(*a, *b);
        }
        let n = &mut self.nodes[i];
        n.docs.restart();
        n.sync = SyncNode::new();
        for (a, b) in links {
            self.connect(a, b);
        }
    }

    /// Edits while links are cut, the network is split in two and nodes restart; frames are
    /// delivered a few at a time in between.
    fn chaos(&mut self) {
        let mut split: Option<usize> = None;
        let mut split_once = false;
        for e in 0..EDITS {
            let i = self.pick(NODES);
            self.edit(i);
            for _ in 0..self.pick(400) {
                match self.queue.pop_front() {
                    Some(f) => self.deliver(f),
                    None => break,
                }
            }
            if self.chance(30) {
                let links: Vec<_> = self.up.iter().copied().collect();
                if !links.is_empty() {
                    let (a, b) = links[self.pick(links.len())];
                    self.disconnect(a, b);
                }
            }
            if self.chance(10) {
                let i = self.pick(NODES);
                self.restart(i);
            }
            // A split comes by chance, and surely by a third of the edits.
            if split.is_none() && (self.chance(10) || (!split_once && e >= EDITS / 3)) {
                split_once = true;
                // Nodes below the cut lose every link to those above it.
                let cut = 1 + self.pick(NODES - 1);
                split = Some(cut);
                let across: Vec<_> = self
                    .up
                    .iter()
                    .copied()
                    .filter(|(a, b)| (*a < cut) != (*b < cut))
                    .collect();
                for (a, b) in across {
                    self.disconnect(a, b);
                }
            } else if split.is_some() && self.chance(20) {
                split = None;
                self.heal();
            }
        }
    }

    /// Every link of the peer sets up again.
    fn heal(&mut self) {
        let links: Vec<_> = self.topology.iter().copied().collect();
        for (a, b) in links {
            self.connect(a, b);
        }
    }

    /// Delivers round by round until nothing is left; returns the rounds.
    fn settle(&mut self) -> usize {
        let mut rounds = 0;
        while !self.queue.is_empty() {
            rounds += 1;
            assert!(rounds < 10_000, "the network never settles");
            let round: Vec<Frame> = self.queue.drain(..).collect();
            for f in round {
                self.deliver(f);
            }
        }
        rounds
    }

    fn heads(&mut self, i: usize) -> Vec<automerge::ChangeHash> {
        let c = self.coalition.clone();
        let mut h = self.nodes[i].docs.entry(&c).unwrap().0.get_heads();
        h.sort();
        h
    }
}

// The measurements are printed for `-- --nocapture`, on purpose.
#[allow(clippy::print_stdout)]
fn run(seed: u64) {
    let mut net = Net::new(seed);
    net.settle();
    net.chaos();
    net.heal();
    net.settle();
    let first = net.heads(0);
    for i in 1..NODES {
        assert_eq!(
            net.heads(i),
            first,
            "seed {seed}: node {i} did not converge"
        );
    }
    let c = net.coalition.clone();
    let state = CoalitionDoc::from_automerge(net.nodes[NODES - 1].docs.doc(&c).unwrap().fork())
        .unwrap()
        .read()
        .unwrap();
    for id in &net.issues {
        assert!(
            state.issues.contains_key(id.as_str()),
            "seed {seed}: an issue was lost"
        );
    }

    // One edit in the healed network.
    net.frames = 0;
    net.copies = vec![0; NODES];
    let author = net.pick(NODES);
    net.edit(author);
    let rounds = net.settle();
    let newest = net.heads(author);
    for i in 0..NODES {
        assert_eq!(
            net.heads(i),
            newest,
            "seed {seed}: node {i} missed the edit"
        );
    }
    let copies: Vec<usize> = (0..NODES)
        .filter(|i| *i != author)
        .map(|i| net.copies[i])
        .collect();
    let max = copies.iter().copied().max().unwrap_or(0);
    let min = copies.iter().copied().min().unwrap_or(0);
    let mean = copies.iter().sum::<usize>() as f64 / copies.len() as f64;
    println!(
        "seed {seed}: {NODES} nodes, at most {DEGREE} peers each: one edit reached all in {rounds} rounds, {} frames delivered ({:.1} per node), copies per node: min {min}, mean {mean:.2}, max {max}",
        net.frames,
        net.frames as f64 / NODES as f64
    );
    assert!(
        max <= DEGREE,
        "seed {seed}: a node received {max} copies of one change, more than its {DEGREE} peers"
    );
    assert!(min >= 1, "seed {seed}: a node received no copy");
}

#[test]
fn two_hundred_nodes_with_bounded_peer_sets_converge_and_each_receives_a_change_a_few_times() {
    if let Ok(seed) = std::env::var("HUNDREDS_SEED") {
        run(seed.parse().expect("HUNDREDS_SEED must be a number"));
        return;
    }
    let seeds: u64 = std::env::var("HUNDREDS_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for seed in 0..seeds {
        run(seed);
    }
}
