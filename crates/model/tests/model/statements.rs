//! Statements of a coalition's records: every member's copy computes the same bytes at the
//! same heads, a false total is told apart, and what came after the heads is not in it.

use model::federation::{self, RosterChain, Signed, Threshold, Value};
use model::statements::{BuildError, Expected, Stated, Topic, recompute, statement_at};
use model::*;

use crate::{World, gift, new_issue, new_pool, request, t, world};

/// What a node expects of a first statement on its subject under `roster`, its clock well
/// after the world's changes.
fn first(roster: u64) -> Expected<'static> {
    Expected {
        now: t(60_000),
        roster,
        previous: None,
    }
}

fn stated(sequence: u64) -> Stated {
    Stated {
        as_of: t(100),
        roster: 1,
        sequence,
        supersedes: None,
    }
}

/// A coalition of three with an issue two of them rank, a pool with a pledge, contributions
/// and a funded request, a goal with progress, and the request's decision.
fn busy() -> (World, IssueId, PoolId, GoalId, ProposalId) {
    let mut w = world(3);
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let issue = IssueId::from_bytes([3; 16]);
    w.doc
        .add_issue(&ids[0], new_issue(3, "Rents\u{7} up 40%"), t(1))
        .unwrap();
    w.doc
        .share_issue(&ids[0], &issue, Rank::new(1).unwrap(), t(2))
        .unwrap();
    w.doc
        .share_issue(&ids[1], &issue, Rank::new(3).unwrap(), t(3))
        .unwrap();
    let pool = PoolId::from_bytes([5; 16]);
    w.doc
        .create_pool(&ids[0], new_pool(&pool, "Legal defense fund"), t(4))
        .unwrap();
    w.doc
        .give(&ids[0], &pool, gift(1, GiftKind::Pledge, "500"), t(5))
        .unwrap();
    w.doc
        .give(&ids[0], &pool, gift(2, GiftKind::Contribution, "400"), t(6))
        .unwrap();
    let amount = "300".parse().unwrap();
    let proposal = w
        .doc
        .request_allocation(&ids[2], &pool, request(4, amount, "bail fund"), t(7))
        .unwrap()
        .unwrap();
    w.doc
        .take_position(&ids[0], &proposal, Stance::Agree, "", t(8))
        .unwrap();
    w.doc
        .take_position(&ids[1], &proposal, Stance::Agree, "", t(9))
        .unwrap();
    let goal = GoalId::from_bytes([6; 16]);
    w.doc
        .add_goal(
            &ids[0],
            &goal,
            "Homes kept",
            "100".parse().unwrap(),
            "homes",
            t(10),
        )
        .unwrap();
    w.doc
        .record_progress(
            &ids[1],
            &goal,
            "2026-11-20".parse().unwrap(),
            "42".parse().unwrap(),
            "",
            t(11),
        )
        .unwrap();
    (w, issue, pool, goal, proposal)
}

fn topics(issue: &IssueId, pool: &PoolId, goal: &GoalId, proposal: &ProposalId) -> Vec<Topic> {
    vec![
        Topic::Roster,
        Topic::Issue(issue.clone()),
        Topic::Pool {
            pool: pool.clone(),
            from: t(0),
            to: t(100),
        },
        Topic::Goal(goal.clone()),
        Topic::Decision(proposal.clone()),
    ]
}

#[test]
fn every_members_copy_computes_the_same_statement_and_co_signs_it() {
    let (mut w, issue, pool, goal, proposal) = busy();
    let heads = w.doc.heads();
    // Another member's node, holding the same changes (saved and loaded: its own copy).
    let mut theirs = CoalitionDoc::load(&w.doc.save(), NodeKey::from_bytes([2; 32])).unwrap();
    for topic in topics(&issue, &pool, &goal, &proposal) {
        let s = if topic == Topic::Roster {
            Stated {
                roster: 0,
                ..stated(1)
            }
        } else {
            stated(1)
        };
        let mine = statement_at(&mut w.doc, &heads, &topic, s).unwrap();
        assert_eq!(topic.subject(mine.coalition), mine.subject(), "{topic:?}");
        recompute(&mut theirs, &mine, first(s.roster)).unwrap();
        assert_eq!(
            statement_at(&mut theirs, &heads, &topic, s)
                .unwrap()
                .encode()
                .unwrap(),
            mine.encode().unwrap()
        );
    }

    let mut facts = |topic| {
        statement_at(&mut w.doc, &heads, &topic, stated(1))
            .unwrap()
            .value
    };
    let Value::Issue(i) = facts(Topic::Issue(issue.clone())) else {
        panic!()
    };
    assert_eq!(
        i.title, "Rents  up 40%",
        "a control character is made a space"
    );
    assert_eq!(
        (i.ranks[0], i.ranks[2], i.sharing(), i.members),
        (1, 1, 2, 3)
    );
    let Value::Pool(p) = facts(Topic::Pool {
        pool: pool.clone(),
        from: t(0),
        to: t(100),
    }) else {
        panic!()
    };
    assert_eq!(
        (p.pledged, p.contributed, p.allocated, p.balance),
        (50_000, 40_000, 30_000, 10_000)
    );
    let Value::Goal(g) = facts(Topic::Goal(goal.clone())) else {
        panic!()
    };
    assert_eq!(g.latest.map(|m| m.value), Some(4_200));
    assert_eq!(g.latest.map(|m| m.at), Some(1_795_132_800_000));
    let Value::Decision(d) = facts(Topic::Decision(proposal.clone())) else {
        panic!()
    };
    assert_eq!((d.counts.agree, d.outcome.as_str()), (2, "passed"));
}

#[test]
fn a_false_total_is_told_apart_and_not_co_signed() {
    let (mut w, _, pool, _, _) = busy();
    let heads = w.doc.heads();
    let topic = Topic::Pool {
        pool,
        from: t(0),
        to: t(100),
    };
    let mut draft = statement_at(&mut w.doc, &heads, &topic, stated(1)).unwrap();
    if let Value::Pool(p) = &mut draft.value {
        p.contributed *= 10;
    }
    let e = recompute(&mut w.doc, &draft, first(1)).unwrap_err();
    assert!(
        matches!(
            e,
            BuildError::Differs {
                what: "pool's totals",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .ends_with("contributed is 400000 in the draft, 40000 here"),
        "{e}"
    );
    // Another coalition's statement is not this one's to check.
    draft.coalition = [1; 16];
    assert!(matches!(
        recompute(&mut w.doc, &draft, first(1)),
        Err(BuildError::OtherCoalition { .. })
    ));
}

#[test]
fn a_statement_speaks_of_its_heads_and_waits_for_heads_it_lacks() {
    let (mut w, _, pool, _, _) = busy();
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let before = w.doc.heads();
    let mut behind = CoalitionDoc::load(&w.doc.save(), NodeKey::from_bytes([3; 32])).unwrap();
    w.doc
        .give(
            &ids[1],
            &pool,
            gift(9, GiftKind::Contribution, "1000"),
            t(20),
        )
        .unwrap();
    let topic = Topic::Pool {
        pool,
        from: t(0),
        to: t(100),
    };
    let at_before = statement_at(&mut w.doc, &before, &topic, stated(1)).unwrap();
    let now = w.doc.heads();
    let at_now = statement_at(&mut w.doc, &now, &topic, stated(2)).unwrap();
    let contributed = |s: &federation::Statement| match &s.value {
        Value::Pool(p) => p.contributed,
        _ => panic!(),
    };
    assert_eq!(
        (contributed(&at_before), contributed(&at_now)),
        (40_000, 140_000)
    );
    // A node that lacks the newer heads co-signs the older statement and waits for the other.
    recompute(&mut behind, &at_before, first(1)).unwrap();
    assert!(matches!(
        recompute(&mut behind, &at_now, first(1)),
        Err(BuildError::NotYet { missing: 1 })
    ));
    // A record that is not there at the heads.
    assert!(matches!(
        statement_at(
            &mut w.doc,
            &now,
            &Topic::Issue(IssueId::from_bytes([77; 16])),
            stated(1)
        ),
        Err(BuildError::NoSuchRecord { .. })
    ));
}

/// The public node key of secret `[i; 32]`.
fn public(i: u8) -> NodeKey {
    NodeKey::from_bytes(
        ed25519_dalek::SigningKey::from_bytes(&[i; 32])
            .verifying_key()
            .to_bytes(),
    )
}

/// The roster a coalition computes is one a receiver can trust and verify statements against:
/// its members' node keys sign, and two of three are needed.
#[test]
fn a_roster_built_from_the_records_verifies_its_members_statements() {
    let founder = MemberId::from_bytes([1; 16]);
    let mut doc = CoalitionDoc::found(
        public(1),
        Founding {
            id: CoalitionId::from_bytes([9; 16]),
            name: "Coastal Housing Coalition".into(),
            frame: "Homes for all".into(),
            values: vec![],
            commitments: vec![],
            equity_threshold: None,
            founder_id: founder.clone(),
            founder: MemberProfile::named("Eastside Tenants"),
            at: t(0),
        },
    )
    .unwrap();
    for i in 2..=3u8 {
        doc.admit_member(
            &founder,
            &MemberId::from_bytes([i; 16]),
            &MemberProfile::named(format!("Org {i}")),
            public(i),
            t(i64::from(i)),
        )
        .unwrap();
    }
    let goal = GoalId::from_bytes([6; 16]);
    doc.add_goal(
        &founder,
        &goal,
        "Homes kept",
        "100".parse().unwrap(),
        "homes",
        t(5),
    )
    .unwrap();
    let heads = doc.heads();
    let roster = statement_at(
        &mut doc,
        &heads,
        &Topic::Roster,
        Stated {
            roster: 0,
            ..stated(1)
        },
    )
    .unwrap();
    let Value::Roster(r) = &roster.value else {
        panic!()
    };
    assert_eq!(r.members.len(), 3);
    assert_eq!(r.members[1].name, "Org 2");
    assert_eq!(r.members[1].keys, vec![*public(2).as_bytes()]);
    let roster = Signed::new(&roster).unwrap();
    let chain = RosterChain::trust(&roster.id(), &roster).unwrap();

    let total = statement_at(&mut doc, &heads, &Topic::Goal(goal), stated(1)).unwrap();
    let mut signed = Signed::new(&total).unwrap();
    signed.sign(&[1; 32]).unwrap();
    let two = Threshold::new(2).unwrap();
    assert!(chain.verify(&signed, two).is_err(), "one member alone");
    signed.sign(&[3; 32]).unwrap();
    assert_eq!(
        chain.verify(&signed, two).unwrap().signers,
        vec![[1; 16], [3; 16]]
    );
}

/// Two members' nodes edit apart and then merge, each the other's changes in its own order:
/// at the merged heads both compute the same bytes.
#[test]
fn nodes_that_merged_in_either_order_compute_the_same_statement() {
    let (mut w, issue, pool, goal, proposal) = busy();
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let mut b = w.doc.fork_as(NodeKey::from_bytes([2; 32]));
    w.doc
        .give(&ids[0], &pool, gift(10, GiftKind::Contribution, "7"), t(30))
        .unwrap();
    w.doc
        .share_issue(&ids[2], &issue, Rank::new(2).unwrap(), t(31))
        .unwrap();
    b.give(&ids[1], &pool, gift(11, GiftKind::Pledge, "9"), t(30))
        .unwrap();
    b.share_issue(&ids[1], &issue, Rank::new(10).unwrap(), t(32))
        .unwrap();
    let mut a = w.doc;
    let mut b2 = b.fork_as(NodeKey::from_bytes([2; 32]));
    a.merge(&mut b).unwrap();
    let mut a2 = a.fork_as(NodeKey::from_bytes([1; 32]));
    b2.merge(&mut a2).unwrap();
    let heads = a.heads();
    assert_eq!(heads, b2.heads());
    for topic in topics(&issue, &pool, &goal, &proposal) {
        let s = Stated {
            as_of: t(200),
            roster: u64::from(topic != Topic::Roster),
            ..stated(1)
        };
        assert_eq!(
            statement_at(&mut a, &heads, &topic, s).unwrap(),
            statement_at(&mut b2, &heads, &topic, s).unwrap()
        );
    }
}

/// What a draft states besides its value: a drafter cannot sign under another roster, date a
/// statement in the future or before its heads, or pass old facts off as newer ones.
#[test]
fn a_draft_states_what_the_coalition_published_before_it() {
    let (mut w, _, pool, _, _) = busy();
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let old = w.doc.heads();
    w.doc
        .give(
            &ids[1],
            &pool,
            gift(9, GiftKind::Contribution, "1000"),
            t(50),
        )
        .unwrap();
    let new = w.doc.heads();
    let topic = Topic::Pool {
        pool,
        from: t(0),
        to: t(100),
    };
    let at = |doc: &mut CoalitionDoc, heads: &[automerge::ChangeHash], s: Stated| {
        statement_at(doc, heads, &topic, s).unwrap()
    };
    let unexpected = |r: Result<(), BuildError>| match r {
        Err(BuildError::Unexpected(why)) => why,
        other => panic!("{other:?}"),
    };
    let one = at(&mut w.doc, &new, stated(1));
    recompute(&mut w.doc, &one, first(1)).unwrap();

    // The next one follows it: number two, superseding it.
    let id = Signed::new(&one).unwrap().id();
    let two = at(
        &mut w.doc,
        &new,
        Stated {
            supersedes: Some(id.0),
            ..stated(2)
        },
    );
    let after_one = Expected {
        previous: Some(&one),
        ..first(1)
    };
    recompute(&mut w.doc, &two, after_one).unwrap();
    // Old facts as a newer statement: its heads do not hold the heads of the one it follows.
    let replay = at(
        &mut w.doc,
        &old,
        Stated {
            supersedes: Some(id.0),
            ..stated(2)
        },
    );
    assert!(unexpected(recompute(&mut w.doc, &replay, after_one)).contains("do not hold"));
    // Not following it: another number, or superseding nothing.
    let unfollowing = at(&mut w.doc, &new, stated(2));
    assert!(unexpected(recompute(&mut w.doc, &unfollowing, after_one)).contains("does not follow"));
    assert!(
        unexpected(recompute(&mut w.doc, &unfollowing, first(1))).contains("has none before it")
    );
    // Under a roster that is not in force.
    assert!(unexpected(recompute(&mut w.doc, &one, first(2))).contains("roster in force is 2"));
    // In the future, or before its heads' changes.
    let future = at(
        &mut w.doc,
        &new,
        Stated {
            as_of: t(3_600_000),
            ..stated(1)
        },
    );
    assert!(unexpected(recompute(&mut w.doc, &future, first(1))).contains("later than now"));
    let early = at(
        &mut w.doc,
        &new,
        Stated {
            as_of: t(-3_600_000),
            ..stated(1)
        },
    );
    assert!(unexpected(recompute(&mut w.doc, &early, first(1))).contains("before the changes"));
    // Dated within a second: what it says is judged at whole seconds.
    let mut odd = one.clone();
    odd.as_of += 1;
    assert!(unexpected(recompute(&mut w.doc, &odd, first(1))).contains("whole seconds"));
}

/// A key two members list (one listed it concurrently with the other's admission): the
/// roster leaves it out of both rather than failing for everyone.
#[test]
fn a_key_two_members_list_is_left_out_of_the_roster() {
    let mut w = world(2);
    let ids: Vec<MemberId> = w.members.iter().map(|m| m.0.clone()).collect();
    let shared = NodeKey::from_bytes([42; 32]);
    let mut other = w.doc.fork_as(NodeKey::from_bytes([2; 32]));
    w.doc.add_device_key(&ids[0], shared, t(10)).unwrap();
    other.add_device_key(&ids[1], shared, t(11)).unwrap();
    w.doc.merge(&mut other).unwrap();
    let heads = w.doc.heads();
    let roster = statement_at(
        &mut w.doc,
        &heads,
        &Topic::Roster,
        Stated {
            roster: 0,
            ..stated(1)
        },
    )
    .unwrap();
    let Value::Roster(r) = roster.value else {
        panic!()
    };
    assert_eq!(r.members.len(), 2);
    assert!(
        r.members
            .iter()
            .all(|m| !m.keys.contains(shared.as_bytes()))
    );
}

/// The roster a coalition publishes under is the one most of its members signed: a member's
/// roster of its own making, signed by itself alone, does not displace it whatever its id.
#[test]
fn a_roster_of_one_members_making_does_not_displace_the_one_most_signed() {
    use model::federation::{Cosign, FORMAT, Roster, RosterMember, Statement, StatementId};
    use model::statements::{Draft, roster_chain};
    let key = |i: u8| *public(i).as_bytes();
    let roster = |members: &[u8]| Statement {
        format: FORMAT,
        coalition: [9; 16],
        roster: 0,
        as_of: 0,
        heads: vec![],
        sequence: 1,
        supersedes: None,
        value: Value::Roster(Roster {
            members: members
                .iter()
                .map(|i| RosterMember {
                    member: [*i; 16],
                    name: format!("Org {i}"),
                    keys: vec![key(*i)],
                })
                .collect(),
        }),
    };
    let draft = |s: Statement, signers: &[u8]| {
        let signed = Signed::new(&s).unwrap();
        let id = signed.id();
        Draft {
            id,
            body: signed.body,
            statement: s,
            drafted_by: MemberId::from_bytes([signers[0]; 16]),
            at: t(0),
            cosigns: signers
                .iter()
                .map(|i| {
                    (
                        MemberId::from_bytes([*i; 16]),
                        vec![Cosign::sign(&[*i; 32], &id)],
                    )
                })
                .collect(),
        }
    };
    let honest = draft(roster(&[1, 2, 3]), &[1, 2]);
    // Member 3's own roster, listing itself alone: whatever the ids, most signatures win.
    let mut mine = draft(roster(&[3]), &[3]);
    let mut n = 0;
    while mine.id > honest.id {
        n += 1;
        mine = draft(
            Statement {
                as_of: n,
                ..roster(&[3])
            },
            &[3],
        );
    }
    let drafts: std::collections::BTreeMap<StatementId, Draft> =
        [(honest.id, honest.clone()), (mine.id, mine)]
            .into_iter()
            .collect();
    assert_eq!(roster_chain(&drafts, 3).unwrap().newest_id(), honest.id);
    // Before the honest one has its majority, member 3's own is no first roster either: it
    // has one of the three members in force.
    let early = draft(roster(&[1, 2, 3]), &[1]);
    let mine = drafts.values().find(|d| d.id != honest.id).unwrap().clone();
    let drafts: std::collections::BTreeMap<StatementId, Draft> =
        [(early.id, early), (mine.id, mine)].into_iter().collect();
    assert!(roster_chain(&drafts, 3).is_none());
    // In a coalition of two, one member's own roster is no first roster.
    let two: std::collections::BTreeMap<StatementId, Draft> = [draft(roster(&[2]), &[2])]
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    assert!(roster_chain(&two, 2).is_none());
}
