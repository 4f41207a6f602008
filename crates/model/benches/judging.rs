//! How the rules' time to judge a whole history grows with what one member makes of it: `n`
//! changes of one kind by member 3, concurrent with `n` issues by member 2, judged as a node
//! receiving them whole judges them. Each kind in two orders: along Automerge's clock cache,
//! and against it (what a history's author can choose, see `tests/rules/clocks.rs`). Reported
//! as ratios measured in this run: against / along at the same size, and each order's time at
//! 2n / at n (2.0 grows linearly, 4.0 quadratically).
//!
//! And memory: what the rules hold while judging one member's device key edits in a coalition
//! with ten passed amendments of long texts, in one of 30 members with full profiles, and
//! where the member's own ten nodes each listed 50 communities, languages and needs at once,
//! against what Automerge holds for the document.
//!
//! Run: `cargo bench -p model --bench judging` (figures go in BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use model::automerge::Change;
use model::rules::Validator;
use model::*;

#[allow(dead_code)] // shared with the rules' tests, which use what this bench does not
#[path = "../tests/rules/clocks.rs"]
mod clocks;

const SIZES: [usize; 3] = [1_000, 2_000, 4_000];
const ROUNDS: usize = 3;

fn key(n: u8) -> NodeKey {
    NodeKey::from_bytes([n; 32])
}

fn member(n: u8) -> MemberId {
    MemberId::from_bytes([n; 16])
}

fn at(n: usize) -> Timestamp {
    Timestamp::from_millis(1_700_000_010_000 + n as i64)
}

/// Three members (1 founded, admitted 2 and 3); 1 opened an amendment and a general
/// proposal, each with a long text.
fn coalition() -> CoalitionDoc {
    let mut doc = CoalitionDoc::found(
        key(1),
        Founding::new(
            CoalitionId::from_bytes([9; 16]),
            "Transit Justice",
            member(1),
            MemberProfile::named("Northside Tenants Union"),
            at(0),
        ),
    )
    .unwrap();
    for i in 2..=3 {
        doc.admit_member(
            &member(1),
            &member(i),
            &MemberProfile::named(format!("Org {i}")),
            key(i),
            at(1),
        )
        .unwrap();
    }
    let proposal = NewProposal {
        id: ProposalId::from_bytes([0x61; 16]),
        kind: DecisionKind::Amendment,
        title: "Language justice".into(),
        text: "Every meeting is held in English and Spanish. ".repeat(200),
        closes_at: None,
    };
    let amendment = schema::Amendment {
        add_values: vec!["language justice".into()],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), proposal, amendment, at(2))
        .unwrap();
    let general = NewProposal {
        id: ProposalId::from_bytes([0x62; 16]),
        kind: DecisionKind::General,
        title: "March on City Hall".into(),
        text: "We march on City Hall on the first of May. ".repeat(200),
        closes_at: None,
    };
    doc.new_proposal(&member(1), general, at(2)).unwrap();
    doc
}

/// Member 3's `i`-th change of `kind`.
fn edit(kind: &str, doc: &mut CoalitionDoc, i: usize) {
    let me = member(3);
    match kind {
        "profile edits" => {
            let update = ProfileUpdate {
                name: Some(format!("Eastside Tenants {i}")),
                ..Default::default()
            };
            doc.update_profile(&me, update, at(10 + i)).unwrap();
        }
        "device keys" if i.is_multiple_of(2) => {
            doc.add_device_key(&me, key(9), at(10 + i)).unwrap()
        }
        "device keys" => doc.revoke_device_key(&me, key(9), at(10 + i)).unwrap(),
        _ => {
            let stance = if i.is_multiple_of(2) {
                Stance::Abstain
            } else {
                Stance::Agree
            };
            let on = if kind == "positions on an amendment" {
                0x61
            } else {
                0x62
            };
            let id = ProposalId::from_bytes([on; 16]);
            doc.take_position(&me, &id, stance, "", at(10 + i)).unwrap();
        }
    }
}

/// The median time to judge `order` whole.
fn judge(order: &[Change]) -> Duration {
    let doc = clocks::loaded(order);
    let changes = doc.clone().get_changes(&[]);
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            let mut rules = Validator::new(false);
            for c in &changes {
                rules.check(&doc, c).unwrap();
            }
            start.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}

/// The process's resident memory now, in bytes (Linux).
fn resident() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// [`coalition`] with ten more amendments passed, each a 19,000-character text and frame.
fn amended() -> CoalitionDoc {
    let mut doc = coalition();
    for a in 0..10u8 {
        let id = ProposalId::from_bytes([0x70 + a; 16]);
        let proposal = NewProposal {
            id: id.clone(),
            kind: DecisionKind::Amendment,
            title: format!("Frame {a}"),
            text: "Why we reword the frame, at length. ".repeat(530),
            closes_at: None,
        };
        let amendment = schema::Amendment {
            frame: Some(format!("{a}: we organize for fare-free buses. ").repeat(500)),
            ..Default::default()
        };
        doc.propose_amendment(&member(1), proposal, amendment, at(3))
            .unwrap();
        for m in 1..=3 {
            let mut mine = doc.fork_as(key(m));
            mine.take_position(&member(m), &id, Stance::Agree, "", at(4))
                .unwrap();
            doc.merge(&mut mine).unwrap();
        }
    }
    doc
}

/// [`coalition`] with 27 more members admitted, each with a full profile: 50 communities,
/// languages and accessibility needs of 100 characters (the bounds the rules keep).
fn crowded() -> CoalitionDoc {
    let mut doc = coalition();
    for i in 4..=30u8 {
        let full = |what: &str| {
            (0..MAX_LIST)
                .map(|n| format!("{what} {n} ").repeat(30)[..100].to_owned())
                .collect()
        };
        let profile = MemberProfile {
            name: format!("Org {i}"),
            communities: full("community"),
            languages: full("language"),
            accessibility: full("need"),
            contact: "the office".into(),
        };
        doc.admit_member(&member(1), &member(i), &profile, key(i + 100), at(3))
            .unwrap();
    }
    doc
}

/// [`coalition`] where member 3's ten nodes each listed 50 communities, languages and
/// accessibility needs of 100 characters at once: merged, 500 of each (every change within
/// the bound the rules keep where it was made).
fn listed() -> CoalitionDoc {
    let mut doc = coalition();
    let node = |i: u8| NodeKey::from_bytes([0x60 + i; 32]);
    let mut third = doc.fork_as(key(3));
    for i in 1..10 {
        third.add_device_key(&member(3), node(i), at(3)).unwrap();
    }
    doc.merge(&mut third).unwrap();
    let mut nodes: Vec<CoalitionDoc> = (0..10)
        .map(|i| doc.fork_as(if i == 0 { key(3) } else { node(i) }))
        .collect();
    for (i, n) in nodes.iter_mut().enumerate() {
        let full = |what: &str| {
            Some(
                (0..MAX_LIST)
                    .map(|j| format!("{what} {i}.{j} ").repeat(30)[..100].to_owned())
                    .collect(),
            )
        };
        let update = ProfileUpdate {
            communities: full("community"),
            languages: full("language"),
            accessibility: full("need"),
            ..Default::default()
        };
        n.update_profile(&member(3), update, at(4)).unwrap();
    }
    for n in &mut nodes {
        doc.merge(n).unwrap();
    }
    doc
}

/// Memory the rules hold after judging member 3's 4,000 device key edits in `doc`, against
/// the memory of the document they judge, loaded: both as resident memory grown.
fn memory(case: &str, doc: CoalitionDoc) {
    let orders = clocks::orders(doc, 4_000, |doc, i| edit("device keys", doc, i));
    let before = resident();
    let mut doc = clocks::loaded(&orders.along);
    let loaded = resident();
    let changes = doc.get_changes(&[]);
    let listed = resident();
    let mut rules = Validator::new(false);
    for c in &changes {
        rules.check(&doc, c).unwrap();
    }
    let judged = resident();
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "| {case} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.2} |",
        mib(loaded.saturating_sub(before)),
        mib(listed.saturating_sub(loaded)),
        mib(judged.saturating_sub(listed)),
        judged.saturating_sub(listed) as f64 / loaded.saturating_sub(before).max(1) as f64,
    );
    drop((rules, changes, doc));
}

fn main() {
    // Each memory case in a process of its own, on a heap that has held nothing before.
    let cases = [
        "ten passed amendments of long texts",
        "30 members with full profiles",
        "its own ten nodes' lists, merged",
    ];
    if let Some(case) = std::env::args().skip_while(|a| a != "--memory-case").nth(1) {
        match case.as_str() {
            "0" => memory(cases[0], amended()),
            "1" => memory(cases[1], crowded()),
            _ => memory(cases[2], listed()),
        }
        return;
    }
    println!(
        "| 4,000 key edits beside | document loaded | its changes listed | the rules after judging | rules / document |"
    );
    println!("|---|---|---|---|---|");
    for case in ["0", "1", "2"] {
        let me = std::env::current_exe().unwrap();
        let out = std::process::Command::new(me)
            .args(["--memory-case", case])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    println!();
    println!(
        "| member 3 makes | n | along the clocks | against them | against / along | along 2n / n | against 2n / n |"
    );
    println!("|---|---|---|---|---|---|---|");
    for kind in [
        "profile edits",
        "device keys",
        "positions on an amendment",
        "positions on a general proposal",
    ] {
        let mut last: Option<(Duration, Duration)> = None;
        for n in SIZES {
            let orders = clocks::orders(coalition(), n, |doc, i| edit(kind, doc, i));
            let along = judge(&orders.along);
            let against = judge(&orders.against);
            let growth = |now: Duration, before: Duration| {
                format!("{:.2}", now.as_secs_f64() / before.as_secs_f64())
            };
            let (g_along, g_against) = match last {
                Some((a, x)) => (growth(along, a), growth(against, x)),
                None => ("".into(), "".into()),
            };
            println!(
                "| {kind} | {n} | {:.3} s | {:.3} s | {:.2} | {g_along} | {g_against} |",
                along.as_secs_f64(),
                against.as_secs_f64(),
                against.as_secs_f64() / along.as_secs_f64(),
            );
            last = Some((along, against));
        }
    }
}
