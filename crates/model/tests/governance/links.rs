//! Links with other coalitions (`link` decisions): made and ended by a passed link proposal
//! under the charter's link rule (the amendment rule unless it names one), their terms
//! checked when the proposal opens and on receipt.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::reports::links;
use model::rules::Violation;
use model::schema::{Amendment, LinkTerms};
use model::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three, vote};

const NATIONAL: [u8; 16] = [0x4e; 16];
const ROSTER: &str = "3f2a000000000000000000000000000000000000000000000000000000000001";

/// A region's terms: it is the national coalition's affiliate, publishes its issues and
/// pools' totals (two co-signing), takes the national calls (two of theirs signing).
fn terms() -> LinkTerms {
    LinkTerms {
        coalition: CoalitionId::from_bytes(NATIONAL),
        name: "National Housing Alliance".into(),
        relation: LinkRelation::Parent,
        publish: vec![SharedKind::Pool, SharedKind::Issue, SharedKind::Pool],
        tags: vec!["Housing Justice".into()],
        goals: Vec::new(),
        pools: Vec::new(),
        threshold: 2,
        accept: vec![SharedKind::Call],
        their_threshold: 2,
        roster: Some(ROSTER.into()),
        weight: None,
    }
}

fn link_proposal(id: ProposalId) -> NewProposal {
    NewProposal {
        kind: DecisionKind::Link,
        closes_at: Some(t(1000)),
        ..new(id, "Link with the national alliance")
    }
}

fn in_force(doc: &CoalitionDoc, at: i64) -> Vec<(CoalitionId, LinkRelation)> {
    let c = doc.read_at(t(at)).unwrap();
    links(c.proposals.values(), t(at))
        .into_iter()
        .map(|(id, l)| (id, l.terms.relation))
        .collect()
}

#[test]
fn a_link_passes_under_the_amendment_rule_and_an_end_ends_it() {
    let mut doc = three();
    let rules = doc.read().unwrap().charter.rules;
    assert_eq!(rules.get(RuleKind::Link), Some(rules.amendment));
    let e = doc
        .new_proposal(&member(1), link_proposal(pid(1)), t(2))
        .unwrap_err();
    assert!(e.to_string().contains("link propose"), "{e}");

    doc.propose_link(&member(1), link_proposal(pid(1)), terms(), t(2))
        .unwrap();
    let p = &doc.read().unwrap().proposals[&pid(1)];
    assert_eq!(p.kind, DecisionKind::Link);
    assert_eq!(p.rule, rules.amendment);
    let stored = p.link.clone().unwrap();
    assert_eq!(stored.publish, vec![SharedKind::Issue, SharedKind::Pool]);
    assert_eq!(stored.tags, vec!["housing-justice".to_owned()]);
    assert!(verdict(&mut doc).is_ok());

    vote(&mut doc, 1, &pid(1), Stance::Agree, 3);
    vote(&mut doc, 2, &pid(1), Stance::Agree, 4);
    assert!(
        in_force(&doc, 5).is_empty(),
        "consensus waits for every member"
    );
    vote(&mut doc, 3, &pid(1), Stance::Agree, 5);
    assert_eq!(
        in_force(&doc, 6),
        vec![(CoalitionId::from_bytes(NATIONAL), LinkRelation::Parent)]
    );

    // Ended by this side's own decision.
    let end = LinkTerms::end(CoalitionId::from_bytes(NATIONAL), "National".into());
    act(&mut doc, 2, |d| {
        d.propose_link(&member(2), link_proposal(pid(2)), end, t(7))
            .unwrap()
    });
    for who in 1..=3 {
        vote(&mut doc, who, &pid(2), Stance::Agree, 7 + i64::from(who));
    }
    assert!(in_force(&doc, 11).is_empty());
    assert_eq!(verdict(&mut doc), Ok(()));
}

/// Amends the charter so that links are decided by majority (proposal `pid(1)`, agreed by all
/// three at `t(3..6)`).
fn links_by_majority(doc: &mut CoalitionDoc) {
    doc.propose_amendment(
        &member(1),
        new(pid(1), "Links by majority"),
        Amendment {
            rules: vec![rule("link=majority@1/2")],
            ..Default::default()
        },
        t(2),
    )
    .unwrap();
    for who in 1..=3 {
        vote(doc, who, &pid(1), Stance::Agree, 2 + i64::from(who));
    }
}

#[test]
fn an_amendment_gives_links_a_rule_of_their_own() {
    let mut doc = three();
    let e = "link=ranked".parse::<schema::RuleChange>().unwrap_err();
    assert!(e.to_string().contains("positions"), "{e}");
    links_by_majority(&mut doc);
    let rules = doc.read().unwrap().charter.rules;
    assert_eq!(
        rules.get(RuleKind::Link).unwrap().to_string(),
        "majority@1/2"
    );
    assert_ne!(rules.amendment.to_string(), "majority@1/2");
    act(&mut doc, 2, |d| {
        d.propose_link(&member(2), link_proposal(pid(2)), terms(), t(6))
            .unwrap()
    });
    vote(&mut doc, 1, &pid(2), Stance::Agree, 7);
    vote(&mut doc, 2, &pid(2), Stance::Agree, 8);
    assert_eq!(in_force(&doc, 9).len(), 1, "two of three, by majority");
    assert!(verdict(&mut doc).is_ok());
}

#[test]
fn link_terms_that_make_no_sense_are_refused_in_plain_words() {
    let mut doc = three();
    let own = doc.id().clone();
    type Change = Box<dyn Fn(&mut LinkTerms)>;
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(move |l| l.coalition = own.clone()), "itself"),
        (Box::new(|l| l.name = "  ".into()), "name"),
        (Box::new(|l| l.threshold = 0), "threshold is from 1"),
        (
            Box::new(|l| l.their_threshold = 5000),
            "their threshold is from 1",
        ),
        (Box::new(|l| l.roster = None), "roster it trusts first"),
        (
            Box::new(|l| l.roster = Some("3F2A".into())),
            "not a roster id",
        ),
        (
            Box::new(|l| l.publish = vec![SharedKind::Call]),
            "calls go to affiliates",
        ),
        (
            Box::new(|l| {
                l.relation = LinkRelation::Affiliate;
                l.accept = vec![SharedKind::Call];
            }),
            "calls go to affiliates",
        ),
        (
            Box::new(|l| l.weight = Some(3)),
            "only an affiliate has a weight",
        ),
        (
            Box::new(|l| {
                l.relation = LinkRelation::Affiliate;
                l.accept = vec![SharedKind::Mandate];
                l.weight = Some(0);
            }),
            "weight is from 1",
        ),
        (
            Box::new(|l| {
                l.publish.clear();
                l.accept.clear();
            }),
            "at least one kind",
        ),
        (
            Box::new(|l| l.relation = LinkRelation::End),
            "names no terms",
        ),
        (
            Box::new(|l| l.goals = vec![GoalId::from_bytes([9; 16])]),
            "goal",
        ),
        (Box::new(|l| l.tags = vec!["".into()]), "tag"),
    ];
    for (change, says) in cases {
        let mut l = terms();
        change(&mut l);
        let e = doc
            .propose_link(&member(1), link_proposal(pid(1)), l, t(2))
            .unwrap_err();
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    let unclosed = NewProposal {
        closes_at: None,
        ..link_proposal(pid(1))
    };
    let e = doc
        .propose_link(&member(1), unclosed, terms(), t(2))
        .unwrap_err();
    assert!(e.to_string().contains("closing time"), "{e}");
}

/// What a hand-written link proposal states: its terms' threshold, roster (and whether its key
/// is there at all), lists, and whether it closes.
#[derive(Clone, Copy)]
struct Hand {
    threshold: u64,
    roster: Option<&'static str>,
    roster_key: bool,
    closes: bool,
    publish: &'static [&'static str],
    tags: &'static [&'static str],
    pools: &'static [&'static str],
}

impl Default for Hand {
    fn default() -> Self {
        Self {
            threshold: 2,
            roster: Some(ROSTER),
            roster_key: true,
            closes: true,
            publish: &["issue", "pool"],
            tags: &["housing-justice"],
            pools: &[],
        }
    }
}

/// Link terms written by hand, as a modified node could: judged on receipt by the same rule
/// the model applies, and only a link proposal may carry them.
#[test]
fn link_terms_written_by_hand_are_judged_on_receipt() {
    let mut doc = three();
    // By hand, proposals are written under `majority@1/2`: links take that rule first.
    links_by_majority(&mut doc);
    let write = |o: Hand| {
        move |am: &mut model::automerge::AutoCommit, p: &model::automerge::ObjId| {
            if !o.closes {
                am.put(p, "closes_at", ()).unwrap();
            }
            let l = am.put_object(p, "link", ObjType::Map).unwrap();
            am.put(&l, "coalition", CoalitionId::from_bytes(NATIONAL).as_str())
                .unwrap();
            am.put(&l, "name", "National").unwrap();
            am.put(&l, "relation", "parent").unwrap();
            for (list, items) in [
                ("publish", o.publish),
                ("tags", o.tags),
                ("goals", &[][..]),
                ("pools", o.pools),
                ("accept", &["call"][..]),
            ] {
                let obj = am.put_object(&l, list, ObjType::List).unwrap();
                for (i, item) in items.iter().enumerate() {
                    am.insert(&obj, i, *item).unwrap();
                }
            }
            am.put(&l, "threshold", o.threshold).unwrap();
            am.put(&l, "their_threshold", 2u64).unwrap();
            match o.roster {
                Some(r) => am.put(&l, "roster", r).unwrap(),
                None if o.roster_key => am.put(&l, "roster", ()).unwrap(),
                None => {}
            }
            am.put(&l, "weight", ()).unwrap();
        }
    };
    let hand = |kind| crate::ByHand {
        id: pid(9),
        kind,
        quorum: "1/2",
        rule_poll: None,
        closes: 1000,
        subject: None,
    };
    let refused = |d: &mut CoalitionDoc, says: &str| {
        let err = verdict(d).unwrap_err();
        assert!(
            matches!(&err, Violation::BadRecord { .. }) && err.to_string().contains(says),
            "{says}: {err}"
        );
    };
    let good = Hand::default();
    let mut ok = crate::by_hand(&mut doc, hand("link"), write(good));
    assert_eq!(verdict(&mut ok), Ok(()));
    for (o, says) in [
        (
            Hand {
                threshold: 0,
                ..good
            },
            "threshold is from 1",
        ),
        (
            Hand {
                roster: None,
                ..good
            },
            "roster it trusts first",
        ),
        (
            Hand {
                roster: None,
                roster_key: false,
                ..good
            },
            "roster it trusts first",
        ),
        (
            Hand {
                closes: false,
                ..good
            },
            "no closing time",
        ),
        (
            Hand {
                publish: &["pool", "issue"],
                ..good
            },
            "in order",
        ),
        (
            Hand {
                publish: &["issue", "issue"],
                ..good
            },
            "in order",
        ),
        (
            Hand {
                tags: &["Housing Justice"],
                ..good
            },
            "not written as tags are",
        ),
        (
            Hand {
                pools: &["70707070707070707070707070707070"],
                ..good
            },
            "not there",
        ),
    ] {
        let mut d = crate::by_hand(&mut doc, hand("link"), write(o));
        refused(&mut d, says);
    }
    let mut bare = crate::by_hand(&mut doc, hand("link"), |_, _| {});
    refused(&mut bare, "carries its terms");
    let mut general = crate::by_hand(&mut doc, hand("general"), write(good));
    refused(&mut general, "only a link proposal");
    // A call answered: only by a general proposal, and named by a statement id.
    let call = "ab".repeat(32);
    let answers = |id: String| {
        move |am: &mut model::automerge::AutoCommit, p: &model::automerge::ObjId| {
            am.put(p, "answers", id.as_str()).unwrap();
        }
    };
    let mut answer = crate::by_hand(&mut doc, hand("general"), answers(call.clone()));
    verdict(&mut answer).unwrap();
    let mut statement = crate::by_hand(&mut doc, hand("public-statement"), answers(call));
    refused(&mut statement, "only a general proposal answers a call");
    let mut junk = crate::by_hand(&mut doc, hand("general"), answers("AB".repeat(32)));
    let err = verdict(&mut junk).unwrap_err();
    assert!(err.to_string().contains("statement id"), "{err}");
}
