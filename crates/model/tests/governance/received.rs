//! Statements received from a linked coalition: taken only if a link in force takes their
//! kind and they verify through the publisher's rosters from the one the link pins, in the
//! model before a node writes and on receipt on every node; readers show the latest on each
//! subject with who signed it.

use model::automerge::transaction::Transactable;
use model::automerge::{ObjType, ReadDoc};
use model::federation::{
    self, FORMAT, GoalProgress, IssueFacts, Roster, RosterMember, Signed, Statement, StatementId,
    Value,
};
use model::received::{ReceiveError, from_linked, received};
use model::schema::LinkTerms;
use model::*;

use crate::common::*;
use crate::{act, new, pid, t, three, vote};

/// The region whose statements are received.
const REGION: [u8; 16] = [0x52; 16];

fn public(secret: u8) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&[secret; 32])
        .verifying_key()
        .to_bytes()
}

/// A statement of the region, sequence `sequence` on its subject, as of `as_of` seconds.
fn of_region(roster: u64, sequence: u64, as_of: i64, value: Value) -> Statement {
    Statement {
        format: FORMAT,
        coalition: REGION,
        roster,
        as_of: t(as_of).as_millis(),
        heads: vec![],
        sequence,
        supersedes: None,
        value,
    }
}

/// The region's roster: its members `secrets` (member id and key from each).
fn roster(version: u64, secrets: &[u8], supersedes: Option<StatementId>) -> Statement {
    Statement {
        supersedes: supersedes.map(|s| s.0),
        ..of_region(
            version - 1,
            version,
            version as i64,
            Value::Roster(Roster {
                members: secrets
                    .iter()
                    .map(|s| RosterMember {
                        member: [*s; 16],
                        name: format!("Region org {s}"),
                        keys: vec![public(*s)],
                    })
                    .collect(),
            }),
        )
    }
}

fn goal(roster: u64, sequence: u64, as_of: i64, homes: u64) -> Statement {
    of_region(
        roster,
        sequence,
        as_of,
        Value::Goal(GoalProgress {
            goal: [6; 16],
            title: "Homes kept".into(),
            unit: "homes".into(),
            target: 100,
            latest: (homes > 0).then(|| federation::Mark {
                value: homes as i64 * 100,
                at: t(as_of).as_millis(),
            }),
        }),
    )
}

fn signed(s: &Statement, by: &[u8]) -> Signed {
    let mut signed = Signed::new(s).unwrap();
    for secret in by {
        signed.sign(&[*secret; 32]).unwrap();
    }
    signed
}

/// A national coalition of three that has taken the region as an affiliate taking its goals
/// (two signing), trusting `pin` first.
fn national(pin: StatementId) -> CoalitionDoc {
    linked_to_region(pin, LinkRelation::Affiliate, SharedKind::Goal)
}

/// A coalition of three linked with the region as `relation`, taking `kind` from it (two
/// signing), trusting `pin` first.
fn linked_to_region(pin: StatementId, relation: LinkRelation, kind: SharedKind) -> CoalitionDoc {
    let mut doc = three();
    let terms = LinkTerms {
        coalition: CoalitionId::from_bytes(REGION),
        name: "Coastal Housing Coalition".into(),
        relation,
        publish: vec![],
        tags: vec![],
        goals: vec![],
        pools: vec![],
        threshold: 2,
        accept: vec![kind],
        their_threshold: 2,
        roster: Some(pin.hex()),
        weight: None,
    };
    act(&mut doc, 1, |d| {
        d.propose_link(
            &member(1),
            NewProposal {
                kind: DecisionKind::Link,
                closes_at: Some(t(1000)),
                ..new(pid(1), "Accept the Coastal Housing Coalition")
            },
            terms,
            t(2),
        )
        .unwrap()
    });
    for who in 1..=3 {
        vote(&mut doc, who, &pid(1), Stance::Agree, 3);
    }
    doc
}

fn links_at(
    doc: &CoalitionDoc,
    at: i64,
) -> std::collections::BTreeMap<CoalitionId, model::reports::LinkInForce> {
    let c = doc.read_at(t(at)).unwrap();
    model::reports::links(c.proposals.values(), t(at))
}

/// Member `who` of the national coalition carries `items` in at `at` seconds.
fn carry(doc: &mut CoalitionDoc, who: u8, items: &[Signed], at: i64) -> Vec<Offer> {
    act(doc, who, |d| {
        d.receive_statements(&member(who), items, t(at))
            .unwrap()
            .into_iter()
            .map(|(_, o)| o)
            .collect()
    })
}

fn refused_for(offer: &Offer) -> &'static str {
    match offer {
        Offer::Refused(e) => e.code(),
        other => panic!("taken: {other:?}"),
    }
}

#[test]
fn a_linked_coalitions_statements_are_taken_through_its_rosters_and_the_latest_shown() {
    let first = signed(&roster(1, &[1, 2, 3], None), &[1, 2]);
    let mut doc = national(first.id());
    let progress = signed(&goal(1, 1, 5, 10), &[1, 3]);
    let later = signed(
        &Statement {
            supersedes: Some(progress.id().0),
            ..goal(1, 2, 6, 25)
        },
        &[2, 3],
    );

    // Nothing before the pinned roster; then the roster and both statements, in any order.
    let none = carry(&mut doc, 1, std::slice::from_ref(&progress), 10);
    assert_eq!(refused_for(&none[0]), "no-pinned-roster");
    let taken = carry(
        &mut doc,
        1,
        &[later.clone(), first.clone(), progress.clone()],
        10,
    );
    assert_eq!(taken, vec![Offer::Stored; 3]);
    assert_eq!(verdict(&mut doc), Ok(()));
    // Carried in again by another member: held already, nothing written.
    let heads = doc.heads();
    let again = carry(&mut doc, 2, &[first.clone(), progress.clone()], 11);
    assert_eq!(again, vec![Offer::Held; 2]);
    assert_eq!(doc.heads(), heads);

    let all = received(&doc);
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[&progress.id()]
            .carried_by
            .iter()
            .cloned()
            .collect::<Vec<_>>(),
        vec![member(1)]
    );
    let own = doc.id().clone();
    let views = from_linked(&own, &all, &links_at(&doc, 12));
    let region = &views[&CoalitionId::from_bytes(REGION)];
    assert_eq!(region.chain.as_ref().unwrap().version(), 1);
    assert!(region.waiting.is_empty());
    let shown: Vec<_> = region
        .verified
        .iter()
        .map(|v| (v.id, v.signers.len(), v.members, region.is_latest(v)))
        .collect();
    // The older one is kept in history and shown as replaced.
    assert_eq!(
        shown,
        vec![(progress.id(), 2, 3, false), (later.id(), 2, 3, true)]
    );
}

#[test]
fn what_the_link_does_not_take_or_does_not_verify_is_refused_with_its_reason() {
    let first = signed(&roster(1, &[1, 2, 3], None), &[1, 2]);
    let mut doc = national(first.id());
    // One member alone (a false total nobody else computed).
    let alone = signed(&goal(1, 1, 5, 999), &[1]);
    // A kind the link does not take.
    let issue = signed(
        &of_region(
            1,
            1,
            5,
            Value::Issue(IssueFacts {
                issue: [4; 16],
                title: "Rents up".into(),
                description: String::new(),
                tags: vec![],
                lead: "Region org 1".into(),
                status: "raised".into(),
                ranks: [0; 10],
                members: 3,
                priority: None,
                evidence: vec![],
            }),
        ),
        &[1, 2],
    );
    // Another coalition's roster, and the region's second roster signed by one member.
    let stranger = signed(
        &Statement {
            coalition: [0x53; 16],
            ..roster(1, &[1, 2, 3], None)
        },
        &[1, 2],
    );
    let forged = signed(&roster(2, &[1], Some(first.id())), &[1]);
    let out = carry(
        &mut doc,
        1,
        &[first.clone(), alone, issue, stranger, forged],
        10,
    );
    assert_eq!(out[0], Offer::Stored);
    let codes: Vec<_> = out[1..].iter().map(refused_for).collect();
    assert_eq!(
        codes,
        vec![
            "too-few-signers",
            "kind-not-taken",
            "not-linked",
            "roster-not-in-chain"
        ]
    );
    if let Offer::Refused(e) = &out[1] {
        assert!(
            e.to_string().contains("signed by 1 of the 3 members"),
            "{e}"
        );
    }

    // A member removed from the roster signs nothing dated after: roster 2 (members 1 and 2,
    // signed by both) and a goal under it co-signed by member 3.
    let second = signed(&roster(2, &[1, 2], Some(first.id())), &[1, 2]);
    let removed = signed(&goal(2, 1, 7, 50), &[1, 3]);
    // And one under roster 1 dated after roster 2 replaced it.
    let stale = signed(&goal(1, 1, 7, 50), &[1, 3]);
    let out = carry(&mut doc, 2, &[second, removed, stale], 11);
    assert_eq!(out[0], Offer::Stored);
    assert_eq!(refused_for(&out[1]), "too-few-signers");
    assert_eq!(refused_for(&out[2]), "stale-roster");
    assert_eq!(verdict(&mut doc), Ok(()));

    // Once the link ends, nothing more is taken.
    let e = LinkTerms::end(CoalitionId::from_bytes(REGION), "Coastal".into());
    act(&mut doc, 1, |d| {
        d.propose_link(
            &member(1),
            NewProposal {
                kind: DecisionKind::Link,
                closes_at: Some(t(1000)),
                ..new(pid(2), "End")
            },
            e,
            t(20),
        )
        .unwrap()
    });
    for who in 1..=3 {
        vote(&mut doc, who, &pid(2), Stance::Agree, 21);
    }
    let late = signed(&goal(2, 1, 22, 60), &[1, 2]);
    let out = carry(&mut doc, 3, &[late], 30);
    assert!(matches!(
        out[0],
        Offer::Refused(ReceiveError::NotLinked { .. })
    ));
}

/// What a modified node writes by hand into its member's record.
fn by_hand(
    doc: &mut CoalitionDoc,
    who: u8,
    at: i64,
    write: impl FnOnce(&mut model::automerge::AutoCommit, &model::automerge::ObjId),
) -> CoalitionDoc {
    let mut d = doc.fork_as(key(who));
    let am = d.automerge_mut();
    let record = obj(am, &["members", member(who).as_str()]);
    write(am, &record);
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(at).as_secs()),
    );
    d
}

fn entry(
    field: &'static str,
    key: String,
    s: &Signed,
) -> impl FnOnce(&mut model::automerge::AutoCommit, &model::automerge::ObjId) {
    let body = s.encode();
    move |am, record| {
        let map = match am.get(record, field).unwrap() {
            Some((_, map)) => map,
            None => am.put_object(record, field, ObjType::Map).unwrap(),
        };
        let e = am.put_object(&map, key.as_str(), ObjType::Map).unwrap();
        am.put(&e, "body", body).unwrap();
        am.put(&e, "at", t(10).as_millis()).unwrap();
    }
}

fn refused(d: &mut CoalitionDoc, says: &str) {
    let err = verdict(d).unwrap_err();
    assert!(err.to_string().contains(says), "{says}: {err}");
}

#[test]
fn statements_written_by_hand_are_judged_on_receipt() {
    let first = signed(&roster(1, &[1, 2, 3], None), &[1, 2]);
    let mut doc = national(first.id());
    let progress = signed(&goal(1, 1, 5, 10), &[1, 3]);
    let alone = signed(&goal(1, 1, 5, 999), &[1]);

    // Before the link is decided (its proposal open at 2, decided at 3).
    let mut early = by_hand(
        &mut doc,
        1,
        2,
        entry("received_rosters", first.id().hex(), &first),
    );
    refused(&mut early, "no link in force");
    let mut ok = by_hand(
        &mut doc,
        1,
        10,
        entry("received_rosters", first.id().hex(), &first),
    );
    assert_eq!(verdict(&mut ok), Ok(()));
    let mut ok = by_hand(
        &mut ok,
        2,
        10,
        entry("received", progress.id().hex(), &progress),
    );
    assert_eq!(verdict(&mut ok), Ok(()));
    // A statement before the pinned roster is held.
    let mut before = by_hand(
        &mut doc,
        2,
        10,
        entry("received", progress.id().hex(), &progress),
    );
    refused(&mut before, "has not been received");
    // A stranger's signature stored beside the good ones: only signatures that count are.
    let mut padded = progress.clone();
    padded
        .add(federation::Cosign {
            key: [0xee; 32],
            signature: [1; 64],
        })
        .unwrap();
    let mut junk_kept = by_hand(
        &mut ok,
        3,
        11,
        entry("received", padded.id().hex(), &padded),
    );
    refused(&mut junk_kept, "only signatures that count");
    // One member's false total.
    let mut false_total = by_hand(&mut ok, 3, 11, entry("received", alone.id().hex(), &alone));
    refused(&mut false_total, "signed by 1 of the 3 members");
    // Under another id, in the wrong field, in bytes that are no signed statement.
    let mut misnamed = by_hand(
        &mut ok,
        3,
        11,
        entry("received", StatementId([1; 32]).hex(), &progress),
    );
    refused(&mut misnamed, "not its id");
    let mut misplaced = by_hand(
        &mut ok,
        3,
        11,
        entry("received_rosters", progress.id().hex(), &progress),
    );
    refused(&mut misplaced, "is stored at `received`");
    let mut junk = by_hand(&mut ok, 3, 11, |am, record| {
        let map = am.put_object(record, "received", ObjType::Map).unwrap();
        let e = am
            .put_object(&map, progress.id().hex().as_str(), ObjType::Map)
            .unwrap();
        am.put(&e, "body", vec![1u8, 2, 3]).unwrap();
        am.put(&e, "at", t(10).as_millis()).unwrap();
    });
    refused(&mut junk, "malformed");
    // Removed or made again.
    let mut gone = by_hand(&mut ok, 2, 12, |am, record| {
        let (_, map) = am.get(record, "received").unwrap().unwrap();
        am.delete(&map, progress.id().hex().as_str()).unwrap();
    });
    let err = verdict(&mut gone).unwrap_err();
    assert!(
        matches!(err, model::rules::Violation::Permanent { .. }),
        "{err}"
    );
    // Into another member's record.
    let mut d = ok.fork_as(key(3));
    let am = d.automerge_mut();
    let record = obj(am, &["members", member(2).as_str()]);
    entry("received", alone.id().hex(), &progress)(am, &record);
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(12).as_secs()),
    );
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(err, model::rules::Violation::NotOwner { .. }),
        "{err}"
    );
}

/// Copies of one statement with other signatures are joined before they are judged and
/// stored together; junk signatures neither choose between two rosters of a version nor
/// reach the document; a statement under a roster since replaced, dated back with a high
/// sequence, does not displace what the newer roster said.
#[test]
fn copies_junk_signatures_and_backdated_statements_change_nothing() {
    let first = signed(&roster(1, &[1, 2, 3], None), &[1, 2]);
    let mut doc = national(first.id());
    // Roster 2 in two copies, each signed by one member of three: together a majority.
    let next = roster(2, &[1, 2], Some(first.id()));
    let (one, two) = (signed(&next, &[1]), signed(&next, &[2]));
    // And junk: 300 signatures by keys no roster lists, on a copy of the first roster.
    let mut padded = first.clone();
    for i in 0..300u16 {
        let mut key = [0xee; 32];
        key[..2].copy_from_slice(&i.to_be_bytes());
        padded
            .add(federation::Cosign {
                key,
                signature: [7; 64],
            })
            .unwrap();
    }
    let out = carry(&mut doc, 1, &[padded, one, two], 10);
    assert_eq!(out, vec![Offer::Stored, Offer::Stored, Offer::Stored]);
    assert_eq!(verdict(&mut doc), Ok(()));
    let all = received(&doc);
    assert_eq!(
        all[&first.id()].cosigns.len(),
        2,
        "only listed keys are stored"
    );
    assert_eq!(all[&signed(&next, &[]).id()].cosigns.len(), 2);

    // Two rosters 3 of one version, each signed by both members; one padded with junk
    // signatures: the choice is the same as without the junk (the lower id).
    let second = signed(&next, &[]).id();
    let a = roster(3, &[1, 2, 4], Some(second));
    let b = Statement {
        as_of: a.as_of + 1000,
        ..a.clone()
    };
    let (a, b) = (signed(&a, &[1, 2]), signed(&b, &[1, 2]));
    let lower = a.id().min(b.id());
    let mut higher = if lower == a.id() {
        b.clone()
    } else {
        a.clone()
    };
    for i in 0..200u16 {
        let mut key = [0xdd; 32];
        key[..2].copy_from_slice(&i.to_be_bytes());
        higher
            .add(federation::Cosign {
                key,
                signature: [9; 64],
            })
            .unwrap();
    }
    let lower_signed = if lower == a.id() { a } else { b };
    carry(&mut doc, 2, &[higher, lower_signed], 11);
    assert_eq!(verdict(&mut doc), Ok(()));
    let own = doc.id().clone();
    let views = from_linked(&own, &received(&doc), &links_at(&doc, 12));
    let chain = views[&CoalitionId::from_bytes(REGION)]
        .chain
        .clone()
        .unwrap();
    assert_eq!(chain.newest_id(), lower);

    // Under roster 3, a goal; then one under roster 1, dated before roster 2 replaced it,
    // with a high sequence, signed by member 3 (removed) and member 1.
    let now = signed(&goal(3, 1, 20, 40), &[1, 2]);
    let back = signed(&goal(1, 99, 1, 999), &[1, 3]);
    let out = carry(&mut doc, 3, &[now.clone(), back.clone()], 21);
    assert_eq!(out, vec![Offer::Stored, Offer::Stored]);
    let views = from_linked(&own, &received(&doc), &links_at(&doc, 22));
    let region = &views[&CoalitionId::from_bytes(REGION)];
    let shown: Vec<_> = region
        .verified
        .iter()
        .filter(|v| region.is_latest(v))
        .map(|v| v.id)
        .collect();
    assert_eq!(shown, vec![now.id()]);
}

/// A mandate position answers a call received with a proposal decided by the call's closing
/// time: passed is for; one decided later answers nothing.
#[test]
fn a_mandate_position_is_its_proposals_outcome_decided_by_the_calls_close() {
    use model::statements::{Stated, Topic, statement_of};
    let first = signed(&roster(1, &[1, 2, 3], None), &[1, 2]);
    // Here the region is the coalition this one is an affiliate of: it calls, we answer.
    let mut doc = linked_to_region(first.id(), LinkRelation::Parent, SharedKind::Call);
    let call = signed(
        &of_region(
            1,
            1,
            4,
            Value::Call(federation::Call {
                proposal: [0x51; 16],
                title: "Back the cap".into(),
                text: String::new(),
                closes_at: t(20).as_millis(),
                mandate: true,
            }),
        ),
        &[1, 2],
    );
    assert_eq!(
        carry(&mut doc, 1, &[first, call.clone()], 10),
        vec![Offer::Stored; 2]
    );
    let answer = |doc: &mut CoalitionDoc, id: u8, agree_at: i64| {
        act(doc, 1, |d| {
            d.new_proposal(
                &member(1),
                NewProposal {
                    kind: DecisionKind::General,
                    closes_at: Some(t(1000)),
                    ..new(pid(id), "Back the cap")
                },
                t(agree_at - 1),
            )
            .unwrap()
        });
        // A majority: two of three agreeing decide it.
        for who in 1..=2 {
            vote(doc, who, &pid(id), Stance::Agree, agree_at);
        }
    };
    answer(&mut doc, 5, 15);
    answer(&mut doc, 6, 25);
    let stated = Stated {
        as_of: t(30),
        roster: 1,
        sequence: 1,
        supersedes: None,
    };
    let topic = |p: u8| Topic::Mandate {
        call: call.id(),
        question: [0x51; 16],
        caller: REGION,
        proposal: pid(p),
    };
    let made = statement_of(&mut doc, &topic(5), stated).unwrap();
    let Value::Mandate(m) = made.value else {
        panic!("a mandate position: {made:?}");
    };
    assert_eq!(m.position, federation::Position::For);
    assert_eq!(m.call, call.id().0);
    let late = statement_of(&mut doc, &topic(6), stated).unwrap_err();
    assert!(late.to_string().contains("after the call closed"), "{late}");
    let unknown = Topic::Mandate {
        call: StatementId([3; 32]),
        question: [0x51; 16],
        caller: REGION,
        proposal: pid(5),
    };
    let e = statement_of(&mut doc, &unknown, stated).unwrap_err();
    assert!(e.to_string().contains("no call"), "{e}");
}

mod any_order {
    use super::*;
    use proptest::prelude::*;

    /// The region's statements, good and bad: rosters 1 and 2 (2 dropping member 3), goals
    /// under each, one signed by one member alone, one by a member removed, a superseding one.
    fn statements() -> Vec<Signed> {
        let first = signed(&roster(1, &[1, 2, 3], None), &[1, 2]);
        let second = signed(&roster(2, &[1, 2], Some(first.id())), &[1, 2]);
        let a = signed(&goal(1, 1, 1, 10), &[1, 3]);
        let b = signed(
            &Statement {
                supersedes: Some(a.id().0),
                ..goal(2, 2, 5, 20)
            },
            &[1, 2],
        );
        vec![
            first,
            second,
            a,
            b,
            signed(&goal(2, 3, 6, 999), &[1]),
            signed(&goal(2, 3, 6, 30), &[1, 3]),
        ]
    }

    /// What the national coalition shows after taking `batches` in turn, then all of them
    /// again: each verifying statement with whether it is the latest.
    fn shown(batches: &[Vec<Signed>]) -> Vec<(StatementId, bool)> {
        let first = statements()[0].id();
        let mut doc = national(first);
        for (i, batch) in batches.iter().enumerate() {
            carry(&mut doc, 1 + (i % 3) as u8, batch, 10 + i as i64);
        }
        carry(&mut doc, 1, &statements(), 50);
        assert_eq!(verdict(&mut doc), Ok(()));
        let own = doc.id().clone();
        let views = from_linked(&own, &received(&doc), &links_at(&doc, 60));
        let region = &views[&CoalitionId::from_bytes(REGION)];
        let mut out: Vec<_> = region
            .verified
            .iter()
            .map(|v| (v.id, region.is_latest(v)))
            .collect();
        out.sort();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Whatever order and batches the statements arrive in, by whichever members, the
        /// same ones are taken and the same one is shown on each subject.
        #[test]
        fn what_is_shown_does_not_depend_on_the_order_of_arrival(
            order in Just((0..6).collect::<Vec<usize>>()).prop_shuffle(),
            cuts in proptest::collection::vec(0usize..6, 0..4),
        ) {
            let all = statements();
            let mut batches = vec![Vec::new()];
            for (place, i) in order.iter().enumerate() {
                if cuts.contains(&place) && !batches.last().unwrap().is_empty() {
                    batches.push(Vec::new());
                }
                batches.last_mut().unwrap().push(all[*i].clone());
            }
            let expected = shown(std::slice::from_ref(&all));
            prop_assert_eq!(expected.len(), 2);
            prop_assert_eq!(shown(&batches), expected);
        }
    }

    /// A statement of the pool with junk signatures added (keys no roster lists, or a
    /// listed key's signature over other bytes) and some of its own taken off.
    fn mangled(s: &Signed, junk: &[(u8, bool)], drop: usize) -> Signed {
        let mut out = s.clone();
        let keep = out.cosigns.len().saturating_sub(drop % 2);
        out.cosigns.truncate(keep);
        for (k, listed) in junk {
            let key = if *listed { public(1 + k % 3) } else { [*k; 32] };
            let _ = out.add(federation::Cosign {
                key,
                signature: [*k; 64],
            });
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Whatever copies, junk signatures and batches are offered, what the model stores
        /// passes the rules on receipt (it never writes what peers refuse), and it never
        /// fails.
        #[test]
        fn what_the_model_stores_always_passes_the_rules(
            offers in proptest::collection::vec(
                (
                    0usize..6,
                    proptest::collection::vec((any::<u8>(), any::<bool>()), 0..4),
                    0usize..2,
                ),
                1..10,
            ),
            cuts in proptest::collection::vec(0usize..10, 0..3),
        ) {
            let all = statements();
            let first = all[0].id();
            let mut doc = national(first);
            let mut batch = Vec::new();
            let mut round = 0;
            for (place, (i, junk, drop)) in offers.iter().enumerate() {
                batch.push(mangled(&all[*i], junk, *drop));
                if cuts.contains(&place) {
                    carry(&mut doc, 1 + (round % 3) as u8, &batch, 10 + round as i64);
                    batch.clear();
                    round += 1;
                }
            }
            carry(&mut doc, 1 + (round % 3) as u8, &batch, 10 + round as i64);
            prop_assert_eq!(verdict(&mut doc), Ok(()));
        }
    }
}
