//! Statements, rosters, latest-wins and the file: what a hostile publisher, relay or file can
//! and cannot get past a receiver.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::path::Path;

use ed25519_dalek::SigningKey;
use federation::*;
use proptest::prelude::*;

const REGION: [u8; 16] = [7; 16];

fn key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

/// A roster of `n` members, member `i` holding the keys of secrets `[i, 100 + i]` (so each
/// member has two nodes).
fn members(n: u8) -> Vec<RosterMember> {
    (1..=n)
        .map(|i| {
            let mut keys = vec![key(&[i; 32]), key(&[100 + i; 32])];
            keys.sort();
            RosterMember {
                member: [i; 16],
                name: format!("Organization {i}"),
                keys,
            }
        })
        .collect()
}

fn roster_statement(
    version: u64,
    members: Vec<RosterMember>,
    before: Option<StatementId>,
) -> Statement {
    Statement {
        format: FORMAT,
        coalition: REGION,
        roster: version - 1,
        as_of: 1_700_000_000_000 + version as i64,
        heads: vec![[version as u8; 32]],
        sequence: version,
        supersedes: before.map(|b| b.0),
        value: Value::Roster(Roster { members }),
    }
}

fn signed_by(s: &Statement, secrets: &[u8]) -> Signed {
    let mut signed = Signed::new(s).unwrap();
    for i in secrets {
        signed.sign(&[*i; 32]).unwrap();
    }
    signed
}

fn goal(roster: u64, sequence: u64, value: i64) -> Statement {
    Statement {
        format: FORMAT,
        coalition: REGION,
        roster,
        as_of: 1_700_000_000_000,
        heads: vec![[1; 32], [2; 32]],
        sequence,
        supersedes: None,
        value: Value::Goal(GoalProgress {
            goal: [9; 16],
            title: "Homes kept from eviction".into(),
            unit: "homes".into(),
            target: 50_000,
            latest: Some(Mark {
                value,
                at: 1_700_000_000_000,
            }),
        }),
    }
}

/// A chain trusting a first roster of `n` members.
fn chain(n: u8) -> RosterChain {
    let first = signed_by(&roster_statement(1, members(n), None), &[]);
    RosterChain::trust(&first.id(), &first).unwrap()
}

fn k(n: u32) -> Threshold {
    Threshold::new(n).unwrap()
}

#[test]
fn a_total_signed_by_one_member_alone_is_refused_and_by_two_taken() {
    let chain = chain(3);
    // One member signing with both of its nodes is still one member.
    let alone = signed_by(&goal(1, 1, 10), &[1, 101]);
    let err = chain.verify(&alone, k(2)).unwrap_err();
    assert!(
        matches!(
            err,
            StatementError::TooFewSigners {
                signed: 1,
                needed: 2,
                members: 3,
                roster: 1,
                not_listed: 0,
                bad: 0
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "signed by 1 of the 3 members of roster 1; 2 must sign"
    );
    let two = signed_by(&goal(1, 1, 10), &[1, 2]);
    let v = chain.verify(&two, k(2)).unwrap();
    assert_eq!(v.signers, vec![[1; 16], [2; 16]]);
    assert_eq!((v.members, v.roster, v.ignored.len()), (3, 1, 0));
}

#[test]
fn a_threshold_above_the_rosters_size_verifies_nothing() {
    // A coalition of one, under a link asking two to sign: the one member alone never
    // publishes, even signing with every key it holds.
    let one = chain(1);
    let err = one
        .verify(&signed_by(&goal(1, 1, 10), &[1, 101]), k(2))
        .unwrap_err();
    assert!(
        err.to_string().contains("fewer members than the link asks"),
        "{err}"
    );
    assert!(one.verify(&signed_by(&goal(1, 1, 10), &[1]), k(1)).is_ok());
    let three = chain(3);
    assert!(
        three
            .verify(&signed_by(&goal(1, 1, 10), &[1, 2, 3]), k(4))
            .is_err()
    );
}

#[test]
fn signatures_by_strangers_or_over_other_bytes_are_not_counted_and_said_so() {
    let chain = chain(3);
    // A stranger's signature beside two members': counted out, the statement stands.
    let mut s = signed_by(&goal(1, 1, 10), &[1, 2]);
    s.sign(&[50; 32]).unwrap();
    let v = chain.verify(&s, k(2)).unwrap();
    assert_eq!(v.ignored, vec![Ignored::NotListed(key(&[50; 32]))]);
    // Beside one member's: too few, and the message says why.
    let mut s = signed_by(&goal(1, 1, 10), &[1]);
    s.sign(&[50; 32]).unwrap();
    let err = chain.verify(&s, k(2)).unwrap_err();
    assert!(
        matches!(
            err,
            StatementError::TooFewSigners {
                signed: 1,
                not_listed: 1,
                bad: 0,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("1 signature(s) by keys the roster does not list")
    );

    // Member 2's signature of another total, put on this one.
    let other = signed_by(&goal(1, 1, 999), &[2]);
    let mut forged = signed_by(&goal(1, 1, 10), &[1]);
    forged.add(other.cosigns[0].clone()).unwrap();
    assert!(matches!(
        chain.verify(&forged, k(2)),
        Err(StatementError::TooFewSigners {
            signed: 1,
            bad: 1,
            ..
        })
    ));
    // The honest signatures, on a total one member changed afterwards.
    let mut changed = signed_by(&goal(1, 1, 10), &[1, 2]);
    changed.body = goal(1, 1, 11).encode().unwrap();
    assert!(matches!(
        chain.verify(&changed, k(2)),
        Err(StatementError::TooFewSigners {
            signed: 0,
            bad: 2,
            ..
        })
    ));
}

/// The group order of Ed25519, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

#[test]
fn malleable_and_small_order_signatures_do_not_count() {
    let chain = chain(3);
    // S + ℓ: the same signature to a lax verifier.
    let mut s = signed_by(&goal(1, 1, 10), &[1, 2]);
    let sig = &mut s.cosigns[0].signature;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(sig[32 + i]) + u16::from(ELL[i]) + carry;
        sig[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert!(matches!(
        chain.verify(&s, k(2)),
        Err(StatementError::TooFewSigners {
            signed: 1,
            bad: 1,
            ..
        })
    ));

    // A member listing the identity point as its key, with a signature (R the identity, S
    // zero) that a lax verifier takes for any message.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut members = members(2);
    members.push(RosterMember {
        member: [9; 16],
        name: "Small order".into(),
        keys: vec![identity],
    });
    let first = signed_by(&roster_statement(1, members, None), &[]);
    let chain = RosterChain::trust(&first.id(), &first).unwrap();
    let mut s = signed_by(&goal(1, 1, 10), &[1]);
    let mut signature = [0u8; 64];
    signature[0] = 1;
    s.add(Cosign {
        key: identity,
        signature,
    })
    .unwrap();
    assert!(matches!(
        chain.verify(&s, k(2)),
        Err(StatementError::TooFewSigners {
            signed: 1,
            bad: 1,
            ..
        })
    ));
}

#[test]
fn a_removed_member_signs_nothing_dated_after_the_next_roster() {
    let first = signed_by(&roster_statement(1, members(3), None), &[]);
    let mut chain = RosterChain::trust(&first.id(), &first).unwrap();
    // Roster 2 leaves member 3 out, signed by two of roster 1's three.
    let second = signed_by(&roster_statement(2, members(2), Some(first.id())), &[1, 2]);
    assert_eq!(chain.extend(&second).unwrap(), second.id());
    assert_eq!(chain.version(), 2);
    assert_eq!(chain.ids().len(), 2);
    let after = |roster, sequence| Statement {
        as_of: 1_700_000_000_005,
        ..goal(roster, sequence, 10)
    };

    // Member 3 with member 1, under roster 2: member 3's key is no longer listed.
    let late = signed_by(&after(2, 2), &[1, 3]);
    assert!(matches!(
        chain.verify(&late, k(2)),
        Err(StatementError::TooFewSigners {
            signed: 1,
            not_listed: 1,
            ..
        })
    ));
    // The same two naming roster 1, dated after roster 2 replaced it.
    let stale = signed_by(&after(1, 2), &[1, 3]);
    assert!(matches!(
        chain.verify(&stale, k(2)),
        Err(StatementError::StaleRoster {
            named: 1,
            newest: 2
        })
    ));
    // Signed under roster 1 while it was in force, arriving after roster 2: still taken,
    // under roster 1.
    let earlier = signed_by(&goal(1, 1, 10), &[1, 3]);
    assert_eq!(chain.verify(&earlier, k(2)).unwrap().roster, 1);
    // Under a roster not received yet: may verify later.
    assert!(matches!(
        chain.verify(&signed_by(&after(3, 3), &[1, 2]), k(2)),
        Err(StatementError::UnknownRoster {
            named: 3,
            newest: 2
        })
    ));
    assert!(
        chain
            .verify(&signed_by(&after(2, 2), &[1, 2]), k(2))
            .is_ok()
    );
}

#[test]
fn a_forged_roster_is_refused_with_what_is_wrong() {
    let first = signed_by(&roster_statement(1, members(3), None), &[]);
    let mut chain = RosterChain::trust(&first.id(), &first).unwrap();
    let before = chain.clone();

    // A minority of roster 1 (one of three, with both its keys) adding a member.
    let minority = signed_by(
        &roster_statement(2, members(4), Some(first.id())),
        &[1, 101],
    );
    assert!(matches!(
        chain.extend(&minority),
        Err(StatementError::TooFewSigners {
            signed: 1,
            needed: 2,
            ..
        })
    ));
    // Skipping a version, or not superseding the newest, or dated before it.
    let skip = signed_by(
        &Statement {
            roster: 2,
            sequence: 3,
            ..roster_statement(3, members(2), Some(first.id()))
        },
        &[1, 2],
    );
    assert!(matches!(
        chain.extend(&skip),
        Err(StatementError::BrokenChain { .. })
    ));
    let elsewhere = signed_by(
        &roster_statement(2, members(2), Some(StatementId([3; 32]))),
        &[1, 2],
    );
    assert!(matches!(
        chain.extend(&elsewhere),
        Err(StatementError::BrokenChain { .. })
    ));
    let backdated = signed_by(
        &Statement {
            as_of: 0,
            ..roster_statement(2, members(2), Some(first.id()))
        },
        &[1, 2],
    );
    assert!(matches!(
        chain.extend(&backdated),
        Err(StatementError::BrokenChain { .. })
    ));
    // Another coalition's roster.
    let other = signed_by(
        &Statement {
            coalition: [8; 16],
            ..roster_statement(2, members(2), Some(first.id()))
        },
        &[1, 2],
    );
    assert!(matches!(
        chain.extend(&other),
        Err(StatementError::OtherCoalition { .. })
    ));
    // A statement is no roster.
    assert!(matches!(
        chain.extend(&signed_by(&goal(1, 1, 1), &[1, 2, 3])),
        Err(StatementError::WrongKind { .. })
    ));
    assert_eq!(chain, before, "a refused roster changes nothing");

    // Trusting a roster the link did not pin.
    assert!(matches!(
        RosterChain::trust(&StatementId([0; 32]), &first),
        Err(StatementError::NotPinned { .. })
    ));
    // Verifying a roster as a statement.
    assert!(matches!(
        chain.verify(&first, k(1)),
        Err(StatementError::WrongKind { .. })
    ));
}

/// A roster superseding one the chain holds is told apart as no chain would take it after
/// that one (a minority of it, a skipped version, dated before it) or as one that follows it
/// (a fork a majority signed: an honest publisher's chain may have taken it); a roster
/// superseding one not held is neither.
#[test]
fn a_roster_following_a_held_one_is_told_from_one_no_chain_takes() {
    let first = signed_by(&roster_statement(1, members(3), None), &[]);
    let mut chain = RosterChain::trust(&first.id(), &first).unwrap();
    let second = signed_by(&roster_statement(2, members(3), Some(first.id())), &[1, 2]);
    chain.extend(&second).unwrap();
    // A fork of version 2 that two of three signed: it follows roster 1.
    let fork = signed_by(&roster_statement(2, members(2), Some(first.id())), &[2, 3]);
    assert!(matches!(chain.follows_held(&fork), Some(Ok(()))));
    // One of three: it does not.
    let minority = signed_by(
        &roster_statement(2, members(4), Some(first.id())),
        &[1, 101],
    );
    assert!(matches!(
        chain.follows_held(&minority),
        Some(Err(StatementError::TooFewSigners { signed: 1, .. }))
    ));
    // A version skipped, or dated before the one it supersedes.
    let skip = signed_by(
        &Statement {
            roster: 3,
            sequence: 4,
            ..roster_statement(4, members(2), Some(second.id()))
        },
        &[1, 2, 3],
    );
    assert!(matches!(
        chain.follows_held(&skip),
        Some(Err(StatementError::BrokenChain { .. }))
    ));
    let backdated = signed_by(
        &Statement {
            as_of: 0,
            ..roster_statement(3, members(2), Some(second.id()))
        },
        &[1, 2, 3],
    );
    assert!(matches!(
        chain.follows_held(&backdated),
        Some(Err(StatementError::BrokenChain { .. }))
    ));
    // Superseding a roster not held, none, another coalition's, or no roster: nothing said.
    let elsewhere = signed_by(
        &roster_statement(2, members(2), Some(StatementId([3; 32]))),
        &[1],
    );
    assert!(chain.follows_held(&elsewhere).is_none());
    assert!(chain.follows_held(&first).is_none());
    let other = signed_by(
        &Statement {
            coalition: [8; 16],
            ..roster_statement(2, members(2), Some(first.id()))
        },
        &[1],
    );
    assert!(chain.follows_held(&other).is_none());
    assert!(
        chain
            .follows_held(&signed_by(&goal(1, 1, 1), &[1]))
            .is_none()
    );
}

#[test]
fn a_pinned_roster_at_the_last_version_takes_no_next_one_and_does_not_panic() {
    let last = signed_by(
        &Statement {
            roster: u64::MAX - 1,
            sequence: u64::MAX,
            ..roster_statement(2, members(2), Some(StatementId([1; 32])))
        },
        &[],
    );
    let mut chain = RosterChain::trust(&last.id(), &last).unwrap();
    let next = signed_by(
        &Statement {
            roster: u64::MAX - 1,
            sequence: u64::MAX,
            supersedes: Some(last.id().0),
            ..roster_statement(2, members(2), None)
        },
        &[1, 2],
    );
    assert!(matches!(
        chain.extend(&next),
        Err(StatementError::BrokenChain { .. })
    ));
}

#[test]
fn signed_statements_take_one_encoding_of_their_signatures() {
    let s = signed_by(&goal(1, 1, 10), &[1, 2]);
    let mut unsorted = s.clone();
    unsorted.cosigns.reverse();
    assert!(matches!(
        Signed::decode(&unsorted.encode()),
        Err(StatementError::NotCanonical { .. })
    ));
    let mut twice = s.clone();
    twice.cosigns.push(twice.cosigns[1].clone());
    assert!(matches!(
        Signed::decode(&twice.encode()),
        Err(StatementError::NotCanonical { .. })
    ));
    // A 63-byte signature: the bytes say 63, the reader wants 64.
    let mut bytes = s.encode();
    let sig_len_at = bytes.len() - 64 - 1;
    assert_eq!(bytes[sig_len_at], 64);
    bytes[sig_len_at] = 63;
    bytes.pop();
    assert!(matches!(
        Signed::decode(&bytes),
        Err(StatementError::Malformed { .. })
    ));
    // The statement's `roster` (1) written as an overlong varint: the same number, other bytes.
    let body = goal(1, 1, 10).encode().unwrap();
    assert_eq!(body[17], 1);
    let overlong = [&body[..17], &[0x81, 0x00], &body[18..]].concat();
    assert!(Statement::decode(&overlong).is_err());
    assert_eq!(Signed::decode(&s.encode()).unwrap(), s);
}

#[test]
fn rules_of_form_are_checked_when_encoding_and_decoding() {
    let bad = |s: Statement| {
        let err = s.encode().unwrap_err();
        // Built by hand past `encode`, the bytes are refused on decode too.
        let bytes = postcard::to_stdvec(&s).unwrap();
        assert!(Statement::decode(&bytes).is_err());
        err
    };
    let mut title = goal(1, 1, 1);
    if let Value::Goal(g) = &mut title.value {
        g.title = "line\u{0}break".into();
    }
    assert!(bad(title).to_string().contains("control character"));
    let mut long = goal(1, 1, 1);
    if let Value::Goal(g) = &mut long.value {
        g.title = "é".repeat(MAX_SHORT + 1);
    }
    assert!(matches!(bad(long), StatementError::TooLarge { .. }));
    // Two hundred accented letters are within a short text (counted as characters).
    let mut accents = goal(1, 1, 1);
    if let Value::Goal(g) = &mut accents.value {
        g.title = "é".repeat(MAX_SHORT);
    }
    assert!(accents.encode().is_ok());

    let mut unsorted = members(3);
    unsorted.swap(0, 1);
    assert!(matches!(
        bad(roster_statement(1, unsorted, None)),
        StatementError::NotCanonical { .. }
    ));
    let mut shared = members(2);
    shared[1].keys = shared[0].keys.clone();
    assert!(
        bad(roster_statement(1, shared, None))
            .to_string()
            .contains("two members")
    );
    assert!(
        bad(roster_statement(1, Vec::new(), None))
            .to_string()
            .contains("at least one")
    );
    assert!(
        bad(Statement {
            roster: 0,
            ..roster_statement(2, members(2), Some(StatementId([1; 32])))
        })
        .to_string()
        .contains("signed by roster 1")
    );
    assert!(
        bad(roster_statement(2, members(2), None))
            .to_string()
            .contains("names the one before")
    );
    assert!(matches!(
        bad(Statement {
            heads: vec![[2; 32], [1; 32]],
            ..goal(1, 1, 1)
        }),
        StatementError::NotCanonical { what: "heads" }
    ));
    assert!(
        bad(Statement {
            value: Value::Mandate(MandatePosition {
                question: [1; 16],
                caller: REGION,
                call: [0; 32],
                proposal: [2; 16],
                position: Position::For,
                counts: Counts::default(),
            }),
            ..goal(1, 1, 1)
        })
        .to_string()
        .contains("no call of its own")
    );
    assert!(matches!(
        bad(Statement {
            format: 2,
            ..goal(1, 1, 1)
        }),
        StatementError::Format { found: 2 }
    ));
}

#[test]
fn clean_texts_are_what_the_form_takes() {
    let messy = format!("{}\u{7}tab\there\nnew", "x".repeat(300));
    let short = clean_short(&messy);
    assert_eq!(short.chars().count(), MAX_SHORT);
    assert!(!short.contains('\u{7}'));
    let long = clean_long(&messy);
    assert!(long.contains("\there\nnew") && !long.contains('\u{7}'));
    assert_eq!(clean_tag("  a\u{0}b "), "  a b ");
}

#[test]
fn the_file_reads_back_and_names_damage() {
    let first = signed_by(&roster_statement(1, members(3), None), &[]);
    let total = signed_by(&goal(1, 1, 10), &[1, 2]);
    let file = StatementsFile {
        format: FORMAT,
        from: REGION,
        to: [8; 16],
        items: vec![first.encode(), total.encode()],
        addresses: vec![vec![1, 2, 3]],
    };
    let bytes = file.encode();
    assert_eq!(StatementsFile::decode(&bytes).unwrap(), file);

    assert_eq!(
        StatementsFile::decode(&bytes[..bytes.len() - 1]),
        Err(FileError::Damaged)
    );
    assert_eq!(
        StatementsFile::decode(&bytes[..30]),
        Err(FileError::Damaged)
    );
    assert_eq!(
        StatementsFile::decode(b"name,amount\nA,1\n"),
        Err(FileError::NotAStatementsFile)
    );
    let huge = vec![0; MAX_FILE + 1];
    assert!(matches!(
        StatementsFile::decode(&huge),
        Err(FileError::TooLarge { .. })
    ));
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(StatementsFile::decode(&longer), Err(FileError::Damaged));
}

/// A file's bytes around `body`, with a checksum that matches: what a hostile author writes.
fn file_around(body: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(body);
    let sum: [u8; 32] = sha2::Sha256::digest(&out).into();
    out.extend(sum);
    out
}

#[test]
fn a_file_with_a_good_checksum_is_still_read_within_its_bounds() {
    let body = |file: &StatementsFile| postcard::to_stdvec(file).unwrap();
    let file = |items: Vec<Vec<u8>>| StatementsFile {
        format: FORMAT,
        from: REGION,
        to: [8; 16],
        items,
        addresses: Vec::new(),
    };
    let malformed = |bytes: Vec<u8>| {
        let err = StatementsFile::decode(&file_around(&bytes)).unwrap_err();
        assert!(matches!(err, FileError::Malformed { .. }), "{err}");
        err.to_string()
    };
    // More statements than a file holds (each empty: the cheapest to send).
    let many = body(&file(vec![Vec::new(); MAX_ITEMS + 1]));
    assert!(malformed(many).contains("more items than its limit"));
    // Millions of items declared, none there.
    let mut declared = body(&file(Vec::new()));
    declared.pop(); // the empty list's length, 0
    declared.extend([0xff, 0xff, 0xff, 0x7f]);
    malformed(declared);
    // A statement over its limit.
    assert!(malformed(body(&file(vec![vec![0; MAX_SIGNED + 1]]))).contains("larger than"));
    // More address records than a file holds, and one over its limit.
    let addresses = |a: Vec<Vec<u8>>| StatementsFile {
        addresses: a,
        ..file(Vec::new())
    };
    malformed(body(&addresses(vec![Vec::new(); MAX_ADDRESSES + 1])));
    assert!(
        malformed(body(&addresses(vec![vec![0; MAX_ADDRESS + 1]]))).contains("address record 1")
    );
    let most = addresses(vec![vec![0; MAX_ADDRESS]; MAX_ADDRESSES]);
    assert_eq!(StatementsFile::decode(&most.encode()).unwrap(), most);
    // Another format, and bytes after the contents.
    malformed(body(&StatementsFile {
        format: 2,
        ..file(Vec::new())
    }));
    let mut trailing = body(&file(Vec::new()));
    trailing.push(0);
    assert!(malformed(trailing).contains("after the statements"));
    // What an honest node writes reads back.
    let ok = file(vec![signed_by(&goal(1, 1, 1), &[1]).encode()]);
    assert_eq!(
        StatementsFile::decode(&file_around(&body(&ok))).unwrap(),
        ok
    );
}

/// A statement of a million empty tags (the cheapest list item to send) is refused while it
/// is read, at the first tag past the bound.
#[test]
fn a_statement_declaring_endless_lists_is_refused_while_read() {
    let mut i = IssueFacts {
        issue: [1; 16],
        title: "t".into(),
        description: String::new(),
        tags: vec![String::new(); MAX_LIST + 1],
        lead: String::new(),
        status: "raised".into(),
        ranks: [0; 10],
        members: 1,
        priority: None,
        evidence: Vec::new(),
    };
    let s = Statement {
        value: Value::Issue(i.clone()),
        ..goal(1, 1, 1)
    };
    let err = Statement::decode(&postcard::to_stdvec(&s).unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("more items than its limit"),
        "{err}"
    );
    i.tags = vec![String::new(); 1_000_000];
    let s = Statement {
        value: Value::Issue(i),
        ..goal(1, 1, 1)
    };
    let bytes = postcard::to_stdvec(&s).unwrap();
    assert!(bytes.len() <= MAX_BODY);
    assert!(Statement::decode(&bytes).is_err());
}

/// A file changed on purpose, its checksum made anew: the change reaches the statement, whose
/// signatures then fail (or whose bytes no longer decode).
#[test]
fn a_file_with_one_byte_changed_and_its_checksum_mended_gets_no_statement_in() {
    let first = signed_by(&roster_statement(1, members(3), None), &[]);
    let chain = RosterChain::trust(&first.id(), &first).unwrap();
    let total = signed_by(&goal(1, 1, 10), &[1, 2]);
    let item = total.encode();
    for i in 0..item.len() {
        for flip in [1u8, 0x80] {
            let mut changed = item.clone();
            changed[i] ^= flip;
            let file = StatementsFile {
                format: FORMAT,
                from: REGION,
                to: [8; 16],
                items: vec![changed],
                addresses: Vec::new(),
            };
            let read = StatementsFile::decode(&file.encode()).unwrap();
            let verdict = Signed::decode(&read.items[0])
                .and_then(|s| chain.verify(&s, k(2)).map(|v| v.statement));
            assert!(
                verdict.is_err(),
                "byte {i} flipped by {flip:#x} still verified"
            );
        }
    }
}

fn sig_id(n: u8) -> StatementId {
    StatementId([n; 32])
}

#[test]
fn latest_wins_per_subject_and_replays_change_nothing() {
    let subject = goal(1, 1, 1).subject();
    let mut latest = Latest::new();
    assert_eq!(latest.offer(subject, 2, sig_id(2)), Offered::First);
    assert_eq!(latest.offer(subject, 2, sig_id(2)), Offered::Again);
    assert_eq!(
        latest.offer(subject, 1, sig_id(1)),
        Offered::Older { current: sig_id(2) }
    );
    assert_eq!(
        latest.offer(subject, 3, sig_id(9)),
        Offered::Replaced(sig_id(2))
    );
    assert_eq!(
        latest.offer(subject, 3, sig_id(4)),
        Offered::Contested { shown: sig_id(4) }
    );
    let shown = latest.get(&subject).unwrap();
    assert_eq!(
        (shown.id, shown.sequence, shown.contested),
        (sig_id(4), 3, true)
    );
    // Another subject is its own.
    let mut other = subject;
    other.record = [1; 16];
    assert_eq!(latest.offer(other, 1, sig_id(1)), Offered::First);
    assert_eq!(latest.iter().count(), 2);
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::char::any(), 0..max.min(40))
        .prop_map(|cs| clean_short(&cs.into_iter().collect::<String>()))
}

fn value() -> impl Strategy<Value = Value> {
    let id = any::<[u8; 16]>();
    prop_oneof![
        (
            id,
            text(MAX_SHORT),
            text(MAX_SHORT),
            prop::collection::vec(text(MAX_TAG), 0..5),
            any::<[u8; 10]>(),
            prop::option::of(any::<u32>())
        )
            .prop_map(|(issue, title, lead, tags, ranks, priority)| {
                let ranks = ranks.map(u32::from);
                Value::Issue(IssueFacts {
                    issue,
                    title,
                    description: "Rents rose 40%\nin two years".into(),
                    tags: tags.into_iter().map(|t| clean_tag(&t)).collect(),
                    lead,
                    status: "adopted".into(),
                    members: ranks.iter().sum::<u32>() + 1,
                    ranks,
                    priority,
                    evidence: vec![EvidenceFacts {
                        source: "county data".into(),
                        figure: "40%".into(),
                        disaggregation: "by race".into(),
                    }],
                })
            }),
        (
            id,
            text(MAX_SHORT),
            any::<i64>(),
            0..i64::MAX,
            any::<u64>(),
            any::<i128>()
        )
            .prop_map(
                |(pool, name, from, len, given, balance)| Value::Pool(PoolTotals {
                    pool,
                    name,
                    kind: "funds".into(),
                    unit: "USD".into(),
                    from,
                    to: from.saturating_add(len),
                    pledged: i128::from(given) * 2,
                    contributed: i128::from(given),
                    allocated: 0,
                    balance,
                })
            ),
        (
            id,
            text(MAX_SHORT),
            any::<i64>(),
            prop::option::of((any::<i64>(), any::<i64>()))
        )
            .prop_map(|(goal, title, target, latest)| Value::Goal(GoalProgress {
                goal,
                title,
                unit: "homes".into(),
                target,
                latest: latest.map(|(value, at)| Mark { value, at }),
            })),
        (
            id,
            text(MAX_SHORT),
            any::<[u64; 4]>(),
            prop::option::of(any::<i64>())
        )
            .prop_map(
                |(proposal, title, c, closed_at)| Value::Decision(DecisionFacts {
                    proposal,
                    title,
                    kind: "general".into(),
                    rule: "majority@2/3".into(),
                    counts: Counts {
                        agree: c[0],
                        abstain: c[1],
                        disagree: c[2],
                        block: c[3]
                    },
                    outcome: "passed".into(),
                    result: String::new(),
                    closed_at,
                })
            ),
        (id, text(MAX_SHORT), any::<i64>(), any::<bool>()).prop_map(
            |(proposal, title, closes_at, mandate)| Value::Call(Call {
                proposal,
                title,
                text: "Do we back the national rent bill?".into(),
                closes_at,
                mandate,
            })
        ),
        (id, id, any::<[u8; 32]>(), 0..3u8).prop_map(|(question, proposal, call, p)| {
            Value::Mandate(MandatePosition {
                question,
                caller: [8; 16],
                call,
                proposal,
                position: [Position::For, Position::Against, Position::Abstain][p as usize],
                counts: Counts::default(),
            })
        }),
        (1..6u8).prop_map(|n| Value::Roster(Roster {
            members: members(n)
        })),
    ]
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        value(),
        any::<i64>(),
        prop::collection::btree_set(any::<[u8; 32]>(), 0..4),
        1..u64::MAX,
        any::<bool>(),
    )
        .prop_map(|(value, as_of, heads, sequence, supersedes)| {
            let roster = if matches!(value, Value::Roster(_)) {
                sequence - 1
            } else {
                sequence
            };
            Statement {
                format: FORMAT,
                coalition: REGION,
                roster,
                as_of,
                heads: heads.into_iter().collect(),
                sequence,
                supersedes: if matches!(value, Value::Roster(_)) {
                    (sequence > 1).then_some([5; 32])
                } else {
                    supersedes.then_some([6; 32])
                },
                value,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any statement reads back as written; its id is its bytes'; a byte added, cut or
    /// changed either fails to read or reads as a statement with another id.
    #[test]
    fn a_statement_has_one_encoding_and_its_id_follows_its_bytes(
        s in statement(),
        at in any::<prop::sample::Index>(),
        flip in 1..=255u8,
    ) {
        let bytes = s.encode().unwrap();
        prop_assert_eq!(Statement::decode(&bytes).unwrap(), s.clone());
        let id = StatementId::of(&bytes);
        prop_assert_eq!(Signed::new(&s).unwrap().id(), id);

        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(Statement::decode(&longer).is_err());
        prop_assert!(Statement::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut changed = bytes.clone();
        let i = at.index(changed.len());
        changed[i] ^= flip;
        if let Ok(read) = Statement::decode(&changed) {
            prop_assert_ne!(&read, &s);
            prop_assert_ne!(StatementId::of(&changed), id);
            prop_assert_eq!(read.encode().unwrap(), changed);
        }
    }

    /// Whoever signs among a roster's members' keys and strangers' keys: a statement is taken
    /// exactly when the distinct members signing reach the threshold (strangers' signatures
    /// not counted, and said so); a roster smaller than the threshold takes nothing.
    #[test]
    fn a_statement_is_taken_exactly_when_enough_distinct_members_sign(
        n in 1..7u8,
        signing in prop::collection::btree_set(1..8u8, 0..7),
        second_nodes in prop::collection::btree_set(1..8u8, 0..7),
        threshold in 1..9u32,
    ) {
        let chain = chain(n);
        let secrets: Vec<u8> = signing.iter().copied()
            .chain(second_nodes.iter().map(|i| 100 + i))
            .collect();
        let signed = signed_by(&goal(1, 1, 10), &secrets);
        let stranger = signing.iter().chain(&second_nodes).any(|i| *i > n);
        let distinct: std::collections::BTreeSet<u8> =
            signing.iter().chain(&second_nodes).copied().collect();
        let members: std::collections::BTreeSet<u8> =
            distinct.iter().copied().filter(|i| *i <= n).collect();
        let verdict = chain.verify(&signed, k(threshold));
        if members.len() >= threshold as usize {
            let v = verdict.unwrap();
            prop_assert_eq!(v.signers.len(), members.len());
            prop_assert_eq!(v.ignored.is_empty(), !stranger);
        } else {
            let too_few = matches!(verdict, Err(StatementError::TooFewSigners { .. }));
            prop_assert!(too_few);
        }
    }

    /// The statement shown per subject is the same whatever order the statements arrive in,
    /// replays and equivocations included.
    #[test]
    fn latest_wins_whatever_the_order(
        offers in prop::collection::vec((0..3u8, 0..4u64, 0..4u8), 1..20),
        seed in any::<u64>(),
    ) {
        let subject = |r: u8| Subject { coalition: REGION, kind: Kind::Issue, record: [r; 16], within: [0; 16] };
        let mut a = Latest::new();
        for (r, seq, id) in &offers {
            a.offer(subject(*r), *seq, sig_id(*id));
        }
        let mut shuffled = offers.clone();
        // A Fisher-Yates shuffle from the seed (no randomness crate needed here).
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut b = Latest::new();
        for (r, seq, id) in &shuffled {
            b.offer(subject(*r), *seq, sig_id(*id));
        }
        prop_assert_eq!(a, b);
    }

    /// Any bytes: the fuzz target's path, never a panic.
    #[test]
    fn any_bytes_are_refused_or_read_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        federation::fuzzing::statements(&bytes);
    }
}

#[test]
fn the_fuzz_seeds_are_valid_and_every_byte_flip_of_them_is_handled() {
    let seeds = federation::fuzzing::seeds();
    let first = federation::fuzzing::roster();
    let mut chain = RosterChain::trust(&first.id(), &first).unwrap();
    let decision = Signed::decode(&seeds[1]).unwrap();
    assert_eq!(chain.verify(&decision, k(2)).unwrap().signers.len(), 2);
    chain.extend(&Signed::decode(&seeds[3]).unwrap()).unwrap();
    assert_eq!(StatementsFile::decode(&seeds[4]).unwrap().items.len(), 3);
    for seed in &seeds {
        for i in 0..seed.len().min(2_000) {
            let mut changed = seed.clone();
            changed[i] ^= 0x41;
            federation::fuzzing::statements(&changed);
        }
    }
}

/// Writes the fuzz target's seeds where `.ci/fuzz` asks (`FUZZ_SEEDS_OUT`); nothing otherwise.
#[test]
fn statements_seeds_can_be_written_for_the_fuzzer() {
    let Ok(dir) = std::env::var("FUZZ_SEEDS_OUT") else {
        return;
    };
    let d = Path::new(&dir).join("statements");
    std::fs::create_dir_all(&d).unwrap();
    for (i, seed) in federation::fuzzing::seeds().iter().enumerate() {
        std::fs::write(d.join(format!("seed-{i}")), seed).unwrap();
    }
}

#[test]
fn a_first_roster_is_taken_from_its_own_majority_only() {
    let first = roster_statement(1, members(3), None);
    assert!(matches!(
        RosterChain::first(&signed_by(&first, &[1, 101])),
        Err(StatementError::TooFewSigners {
            signed: 1,
            needed: 2,
            ..
        })
    ));
    let chain = RosterChain::first(&signed_by(&first, &[1, 2])).unwrap();
    assert_eq!(chain.version(), 1);
    let second = signed_by(
        &roster_statement(2, members(2), Some(chain.newest_id())),
        &[1, 2],
    );
    assert!(matches!(
        RosterChain::first(&second),
        Err(StatementError::BrokenChain { .. })
    ));
}

/// What a link takes is told over the wire a bit per kind: each kind its own bit, in the order
/// of `Kind::ALL`, and rosters taken with any kind.
#[test]
fn each_kind_has_its_own_bit_and_rosters_come_with_any() {
    for (i, k) in Kind::ALL.iter().enumerate() {
        assert_eq!(k.bit(), 1 << i, "{k}");
    }
    let goals = LinkTakes {
        threshold: 1,
        kinds: LinkTakes::kinds_of([Kind::Goal]),
    };
    assert!(goals.takes(Kind::Roster) && goals.takes(Kind::Goal));
    assert!(
        Kind::ALL[1..]
            .iter()
            .filter(|k| **k != Kind::Goal)
            .all(|k| !goals.takes(*k))
    );
}
