//! Entry points shared by the `statements` fuzz target (`fuzz/`) and the tests that replay its
//! past crashers and write its seeds (`tests/statements.rs`), so both feed input the same way.

use crate::{
    Counts, DecisionFacts, FORMAT, Roster, RosterChain, RosterMember, Signed, Statement,
    StatementsFile, Threshold, Value,
};

/// The secrets of the three node keys the fuzz roster lists.
pub const SECRETS: [[u8; 32]; 3] = [[1; 32], [2; 32], [3; 32]];
/// The coalition of the fuzz roster.
pub const COALITION: [u8; 16] = [7; 16];

/// The first roster of [`COALITION`]: three members, one key each from [`SECRETS`], signed by
/// all three.
pub fn roster() -> Signed {
    let key = |s: &[u8; 32]| {
        ed25519_dalek::SigningKey::from_bytes(s)
            .verifying_key()
            .to_bytes()
    };
    let mut members: Vec<RosterMember> = SECRETS
        .iter()
        .enumerate()
        .map(|(i, s)| RosterMember {
            member: [i as u8 + 1; 16],
            name: format!("Member {}", i + 1),
            keys: vec![key(s)],
        })
        .collect();
    members.sort_by_key(|m| m.member);
    let s = Statement {
        format: FORMAT,
        coalition: COALITION,
        roster: 0,
        as_of: 0,
        heads: Vec::new(),
        sequence: 1,
        supersedes: None,
        value: Value::Roster(Roster { members }),
    };
    // The statement above is within every bound, so it encodes.
    let mut signed = Signed::new(&s).unwrap_or_else(|_| Signed {
        body: Vec::new(),
        cosigns: Vec::new(),
    });
    for s in &SECRETS {
        let _ = signed.sign(s);
    }
    signed
}

/// Any bytes as a statement, a signed statement and a statements file: what decodes is
/// verified against a chain trusting [`roster`], taken as the next roster, and each
/// statement in a file likewise.
pub fn statements(data: &[u8]) {
    let _ = Statement::decode(data);
    signed(data);
    if let Ok(file) = StatementsFile::decode(data) {
        for item in &file.items {
            signed(item);
        }
    }
}

/// The chain trusting [`roster`], made once (it signs three times).
fn chain() -> Option<&'static RosterChain> {
    static CHAIN: std::sync::OnceLock<Option<RosterChain>> = std::sync::OnceLock::new();
    CHAIN
        .get_or_init(|| {
            let first = roster();
            RosterChain::trust(&first.id(), &first).ok()
        })
        .as_ref()
}

fn signed(data: &[u8]) {
    let Ok(signed) = Signed::decode(data) else {
        return;
    };
    let Some(chain) = chain() else {
        return;
    };
    if let Ok(k) = Threshold::new(2) {
        let _ = chain.verify(&signed, k);
    }
    let _ = chain.clone().extend(&signed);
}

/// Valid inputs for the fuzzer to start from: the roster, a decision signed by two of its
/// members, a roster that follows it, and a file of all three.
pub fn seeds() -> Vec<Vec<u8>> {
    let first = roster();
    let decision = Statement {
        format: FORMAT,
        coalition: COALITION,
        roster: 1,
        as_of: 1_700_000_000_000,
        heads: vec![[4; 32], [5; 32]],
        sequence: 1,
        supersedes: None,
        value: Value::Decision(DecisionFacts {
            proposal: [9; 16],
            title: "Join the statewide rent campaign".into(),
            kind: "general".into(),
            rule: "majority".into(),
            counts: Counts {
                agree: 2,
                abstain: 0,
                disagree: 1,
                block: 0,
            },
            outcome: "passed".into(),
            result: String::new(),
            closed_at: Some(1_700_000_000_000),
        }),
    };
    let mut seeds = vec![first.encode()];
    let mut items = vec![first.encode()];
    if let Ok(mut d) = Signed::new(&decision) {
        let _ = d.sign(&SECRETS[0]);
        let _ = d.sign(&SECRETS[1]);
        seeds.push(d.encode());
        items.push(d.encode());
        seeds.push(decision.encode().unwrap_or_default());
    }
    if let Ok(Value::Roster(r)) = Statement::decode(&first.body).map(|s| s.value) {
        let next = Statement {
            format: FORMAT,
            coalition: COALITION,
            roster: 1,
            as_of: 1_700_000_000_000,
            heads: Vec::new(),
            sequence: 2,
            supersedes: Some(first.id().0),
            value: Value::Roster(Roster {
                members: r.members[..2].to_vec(),
            }),
        };
        if let Ok(mut n) = Signed::new(&next) {
            let _ = n.sign(&SECRETS[0]);
            let _ = n.sign(&SECRETS[1]);
            seeds.push(n.encode());
            items.push(n.encode());
        }
    }
    seeds.push(
        StatementsFile {
            format: FORMAT,
            from: COALITION,
            to: [8; 16],
            items,
            addresses: vec![vec![0; 8]],
        }
        .encode(),
    );
    seeds
}
