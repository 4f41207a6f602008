//! Elections of role holders (`role` decisions): always a poll among members in force, by
//! the charter's rule for them (`stv` unless amended); once the latest election of a role
//! passes, those it elected hold the role, as long as they are members in force.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::records::ProposalHeader;
use model::rules::Violation;
use model::schema::{Amendment, PollSpec};
use model::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three, vote};

const CLOSES: i64 = 1000;

fn election(method: &str, role: Option<RoleName>, candidates: &[u8]) -> PollSpec {
    PollSpec {
        method: method.parse().unwrap(),
        options: candidates.iter().map(|m| format!("Member {m}")).collect(),
        asks: Vec::new(),
        issues: Vec::new(),
        pool: None,
        requests: Vec::new(),
        role,
        candidates: candidates.iter().map(|m| member(*m)).collect(),
    }
}

fn role_poll(id: ProposalId, closes: i64) -> NewProposal {
    NewProposal {
        id,
        kind: DecisionKind::Role,
        title: "Spokespeople for 2027".into(),
        text: String::new(),
        closes_at: Some(t(closes)),
    }
}

#[test]
fn the_latest_election_of_a_role_to_pass_names_its_holders() {
    let mut doc = three();
    let spokes = Some(RoleName::Spokespeople);
    assert_eq!(
        doc.read().unwrap().charter.rules.role.to_string(),
        "stv@1/2",
        "elections by STV unless the charter says otherwise"
    );
    for (kind, spec, says) in [
        (
            DecisionKind::Role,
            election("dots", spokes, &[1, 2, 3]),
            "stv, ranked or condorcet",
        ),
        (
            DecisionKind::Role,
            election("stv:2", None, &[1, 2, 3]),
            "names the role",
        ),
        (
            DecisionKind::Role,
            election("stv:2", spokes, &[1, 2, 9]),
            "not a member in force",
        ),
        (
            DecisionKind::Role,
            election("stv:2", spokes, &[1, 2, 2]),
            "listed twice",
        ),
        (
            DecisionKind::General,
            election("stv:2", spokes, &[1, 2, 3]),
            "only a role election",
        ),
    ] {
        let e = doc
            .open_poll(
                &member(1),
                NewProposal {
                    kind,
                    ..role_poll(pid(2), CLOSES)
                },
                spec,
                t(10),
            )
            .unwrap_err();
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    // Holders are elected, not agreed to.
    let e = doc
        .new_proposal(&member(1), role_poll(pid(2), CLOSES), t(10))
        .unwrap_err();
    assert!(e.to_string().contains("by stv polls"), "{e}");
    let e = "role=majority".parse::<schema::RuleChange>().unwrap_err();
    assert!(e.to_string().contains("elected by a poll"), "{e}");

    doc.open_poll(
        &member(1),
        role_poll(pid(2), CLOSES),
        election("stv:2", spokes, &[1, 2, 3]),
        t(10),
    )
    .unwrap();
    // Members 2 and 3 rank themselves first, member 1 ranks 3 then 2.
    for (who, rank) in [(1u8, vec![2usize, 1]), (2, vec![1, 2]), (3, vec![2, 1])] {
        act(&mut doc, who, |d| {
            d.cast_ballot(
                &member(who),
                &pid(2),
                poll::Ballot::Rank(rank),
                t(20 + i64::from(who)),
            )
            .unwrap()
        });
    }
    let founder_only = vec![member(1)];
    assert_eq!(
        doc.read_at(t(100)).unwrap().charter.roles.spokespeople,
        founder_only
    );
    let c = doc.read_at(t(CLOSES + 1)).unwrap();
    let mut held = c.charter.roles.spokespeople.clone();
    held.sort();
    assert_eq!(held, vec![member(2), member(3)]);
    assert_eq!(
        c.charter.roles.statement_signoff, founder_only,
        "another role, unchanged"
    );
    // Read from the headers alone, the same.
    let headers = doc.headers::<ProposalHeader>();
    let from_headers = reports::elections_of(
        headers.iter(),
        |id| Ok::<_, std::convert::Infallible>(doc.proposal(id).ok().flatten()),
        t(CLOSES + 1),
    )
    .unwrap();
    assert_eq!(
        from_headers,
        reports::elections(c.proposals.values(), t(CLOSES + 1))
    );
    assert_eq!(from_headers[&RoleName::Spokespeople].proposal, pid(2));

    // A later election by the charter's amended rule replaces them.
    doc.propose_amendment(
        &member(1),
        new(pid(3), "Ranked elections"),
        Amendment {
            rules: vec![rule("role=ranked")],
            ..Default::default()
        },
        t(CLOSES + 10),
    )
    .unwrap();
    for who in 1..=3 {
        vote(
            &mut doc,
            who,
            &pid(3),
            Stance::Agree,
            CLOSES + 10 + i64::from(who),
        );
    }
    let e = doc
        .open_poll(
            &member(1),
            role_poll(pid(4), 2 * CLOSES),
            election("stv:1", spokes, &[1, 2]),
            t(CLOSES + 20),
        )
        .unwrap_err();
    assert!(e.to_string().contains("by ranked polls"), "{e}");
    doc.open_poll(
        &member(1),
        role_poll(pid(4), 2 * CLOSES),
        election("ranked", spokes, &[1, 2]),
        t(CLOSES + 20),
    )
    .unwrap();
    for who in [1u8, 3] {
        act(&mut doc, who, |d| {
            d.cast_ballot(
                &member(who),
                &pid(4),
                poll::Ballot::Rank(vec![0, 1]),
                t(CLOSES + 30),
            )
            .unwrap()
        });
    }
    let c = doc.read_at(t(2 * CLOSES + 1)).unwrap();
    assert_eq!(c.charter.roles.spokespeople, founder_only);
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn an_election_among_non_members_is_refused_on_receipt() {
    let mut doc = three();
    let names = doc.read().unwrap().members;
    let name = |m: u8| names[&member(m)].name.clone();
    for (candidate, label, says) in [
        (9u8, None, Some("not a member in force")),
        (3, Some("Someone else"), Some("not its candidates' names")),
        (3, None, None),
    ] {
        let h = crate::ByHand {
            id: pid(9),
            kind: "role",
            quorum: "1/2",
            rule_poll: Some("stv"),
            closes: CLOSES,
            subject: None,
        };
        let mut d = crate::by_hand(&mut doc, h, |am, p| {
            let s = am.put_object(p, "poll", ObjType::Map).unwrap();
            am.put(&s, "method", "stv:1:meek").unwrap();
            let options = am.put_object(&s, "options", ObjType::List).unwrap();
            let named = am.put_object(&s, "candidates", ObjType::List).unwrap();
            for (i, m) in [1u8, candidate].iter().enumerate() {
                let text = match (i, label) {
                    (1, Some(l)) => l.to_owned(),
                    _ if *m == 9 => member(9).to_string(),
                    _ => name(*m),
                };
                am.insert(&options, i, text).unwrap();
                am.insert(&named, i, member(*m).as_str()).unwrap();
            }
            am.put_object(&s, "asks", ObjType::List).unwrap();
            am.put_object(&s, "issues", ObjType::List).unwrap();
            am.put_object(&s, "requests", ObjType::List).unwrap();
            am.put(&s, "pool", ()).unwrap();
            am.put(&s, "role", "spokespeople").unwrap();
        });
        match says {
            Some(says) => {
                let err = verdict(&mut d).unwrap_err();
                assert!(
                    matches!(&err, Violation::BadRecord { .. }) && err.to_string().contains(says),
                    "{err}"
                );
            }
            None => assert_eq!(verdict(&mut d), Ok(())),
        }
    }
}
