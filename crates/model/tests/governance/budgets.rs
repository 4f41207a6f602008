//! Allocations by budget polls (`allocation=budget`): once the charter says so, a request
//! opens no proposal and awaits a budget poll over the pool's requests; the requests the
//! poll's count funds are allocated at its close, most given first, while the pool holds
//! enough; each request is decided once. A poll naming what is no awaiting request, or asking
//! another amount, is refused by the model and on receipt.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::reports::Funding;
use model::rules::Violation;
use model::schema::{Amendment, PollSpec};
use model::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three, vote};

const POOL: [u8; 16] = [0x70; 16];
/// When the polls close.
const CLOSES: i64 = 1000;

fn pool() -> PoolId {
    PoolId::from_bytes(POOL)
}

fn entry(n: u8) -> EntryId {
    EntryId::from_bytes([0x80 + n; 16])
}

fn a(s: &str) -> Amount {
    s.parse().unwrap()
}

/// Member `who` asks `amount` from the pool as entry `n`; the proposal it opens, if any.
fn ask(doc: &mut CoalitionDoc, who: u8, n: u8, amount: &str, at: i64) -> Option<ProposalId> {
    act(doc, who, |d| {
        d.request_allocation(
            &member(who),
            &pool(),
            AllocationRequest {
                entry: entry(n),
                proposal: ProposalId::from_bytes([0x90 + n; 16]),
                amount: a(amount),
                reason: format!("Request {n}"),
            },
            t(at),
        )
        .unwrap()
    })
}

fn budget(requests: &[u8], asks: &[&str]) -> PollSpec {
    PollSpec {
        method: "budget:50000".parse().unwrap(),
        options: requests.iter().map(|n| format!("Request {n}")).collect(),
        asks: asks.iter().map(|s| a(s)).collect(),
        issues: Vec::new(),
        pool: Some(pool()),
        requests: requests.iter().map(|n| entry(*n)).collect(),
        role: None,
        candidates: Vec::new(),
    }
}

fn allocation(id: ProposalId) -> NewProposal {
    NewProposal {
        id,
        kind: DecisionKind::Allocation,
        title: "This season's grants".into(),
        text: String::new(),
        closes_at: Some(t(CLOSES)),
    }
}

/// A fund of 1,000 in the three members' coalition, one request by positions made before
/// the charter said `allocation=budget`, which then passed.
fn under_budget_rule() -> CoalitionDoc {
    let mut doc = three();
    doc.create_pool(
        &member(1),
        NewPool {
            id: pool(),
            name: "Grants".into(),
            kind: PoolKind::Funds,
            unit: "USD".into(),
            description: String::new(),
        },
        t(2),
    )
    .unwrap();
    doc.give(
        &member(1),
        &pool(),
        Gift {
            entry: entry(0),
            kind: GiftKind::Contribution,
            amount: a("1000"),
            note: String::new(),
        },
        t(3),
    )
    .unwrap();
    assert!(
        ask(&mut doc, 2, 1, "50", 4).is_some(),
        "by positions, before"
    );
    let e = "allocation=ranked"
        .parse::<schema::RuleChange>()
        .unwrap_err();
    assert!(e.to_string().contains("budget polls only"), "{e}");
    doc.propose_amendment(
        &member(1),
        new(pid(1), "Participatory budgets"),
        Amendment {
            rules: vec![rule("allocation=budget@1/2")],
            ..Default::default()
        },
        t(5),
    )
    .unwrap();
    for who in 1..=3 {
        vote(&mut doc, who, &pid(1), Stance::Agree, 5 + i64::from(who));
    }
    assert_eq!(
        doc.read().unwrap().charter.rules.allocation.to_string(),
        "budget@1/2"
    );
    doc
}

#[test]
fn a_budget_poll_funds_the_requests_it_gives_their_asks_once_it_closes() {
    let mut doc = under_budget_rule();
    assert_eq!(ask(&mut doc, 2, 2, "600", 10), None, "awaits a budget poll");
    assert_eq!(ask(&mut doc, 3, 3, "300", 11), None);
    let c = doc.read().unwrap();
    assert_eq!(c.pools[pool().as_str()].ledger[&entry(2)].proposal, None);

    // What the model refuses (and the rules on receipt, below).
    for (kind, spec, says) in [
        (
            DecisionKind::General,
            budget(&[2, 3], &["600", "300"]),
            "an allocation",
        ),
        (
            DecisionKind::Allocation,
            PollSpec {
                method: "dots".parse().unwrap(),
                asks: Vec::new(),
                ..budget(&[2, 3], &[])
            },
            "a budget",
        ),
        (
            DecisionKind::Allocation,
            budget(&[1, 3], &["50", "300"]),
            "not a request awaiting",
        ),
        (
            DecisionKind::Allocation,
            budget(&[0, 3], &["1000", "300"]),
            "not a request awaiting",
        ),
        (
            DecisionKind::Allocation,
            budget(&[2, 9], &["600", "300"]),
            "not in the pool",
        ),
        (
            DecisionKind::Allocation,
            budget(&[2, 2], &["600", "600"]),
            "listed twice",
        ),
    ] {
        let e = doc
            .open_poll(
                &member(1),
                NewProposal {
                    kind,
                    ..allocation(pid(2))
                },
                spec,
                t(12),
            )
            .unwrap_err();
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    // The options and asks are the model's to write, whatever the author gave.
    doc.open_poll(
        &member(1),
        allocation(pid(2)),
        PollSpec {
            options: vec!["Pay me".into(), "Not this".into()],
            ..budget(&[2, 3], &["6000", "1"])
        },
        t(12),
    )
    .unwrap();
    let names = doc.read().unwrap().members;
    let spec = doc.read().unwrap().proposals[pid(2).as_str()]
        .poll
        .clone()
        .unwrap();
    assert_eq!(
        spec.options,
        vec![
            format!("{}: Request 2", names[&member(2)].name),
            format!("{}: Request 3", names[&member(3)].name)
        ]
    );
    assert_eq!(spec.asks, vec![a("600"), a("300")]);
    let give = |gifts: &[(usize, u64)]| poll::Ballot::Budget(gifts.iter().copied().collect());
    for (who, gifts) in [
        (1u8, give(&[(0, 50_000)])),
        (2, give(&[(0, 10_000), (1, 20_000)])),
        (3, give(&[(1, 5_000)])),
    ] {
        act(&mut doc, who, |d| {
            d.cast_ballot(&member(who), &pid(2), gifts, t(20 + i64::from(who)))
                .unwrap()
        });
    }
    let funds = |doc: &CoalitionDoc, now: i64| {
        let c = doc.read_at(t(now)).unwrap();
        reports::funds(&c, &c.pools[pool().as_str()], t(now))
    };
    // Open until it closes: nothing allocated.
    let open = funds(&doc, 100);
    assert_eq!(open.requests[&entry(2)], Funding::NotDecided);
    assert_eq!(open.balance, 100_000);
    // Closed: request 2 was given its 600, request 3 only 250 of its 300.
    let closed = funds(&doc, CLOSES + 1);
    assert_eq!(
        closed.requests[&entry(2)],
        Funding::Funded { at: t(CLOSES) }
    );
    assert_eq!(closed.requests[&entry(3)], Funding::NotDecided);
    assert_eq!(closed.balance, 100_000 - 60_000);
    let c = doc.read_at(t(CLOSES + 1)).unwrap();
    let ledger = reports::ledger(&c, &c.pools[pool().as_str()], t(CLOSES + 1));
    let line = |n: u8| ledger.entries.iter().find(|l| l.entry == entry(n)).unwrap();
    assert_eq!(line(2).decision, Some(Outcome::Passed));
    assert_eq!(line(3).decision, Some(Outcome::Open));

    // Request 2, funded, is decided: no later poll lists it.
    let e = doc
        .open_poll(
            &member(1),
            allocation(pid(5)),
            budget(&[2, 3], &["600", "300"]),
            t(CLOSES + 5),
        )
        .unwrap_err();
    assert!(e.to_string().contains("decided by an earlier poll"), "{e}");
    // A later poll funds what the first left, while the pool holds enough.
    act(&mut doc, 2, |d| {
        d.open_poll(
            &member(2),
            NewProposal {
                closes_at: Some(t(2 * CLOSES)),
                ..allocation(pid(3))
            },
            budget(&[3], &["300"]),
            t(CLOSES + 10),
        )
        .unwrap()
    });
    // (Two ballots of three: its quorum of one half.)
    for (who, gift) in [(3u8, 30_000), (1, 1_000)] {
        act(&mut doc, who, |d| {
            d.cast_ballot(&member(who), &pid(3), give(&[(0, gift)]), t(CLOSES + 20))
                .unwrap()
        });
    }
    let later = funds(&doc, 2 * CLOSES + 1);
    assert_eq!(
        later.requests[&entry(3)],
        Funding::Funded { at: t(2 * CLOSES) }
    );
    assert_eq!(later.balance, 100_000 - 60_000 - 30_000);

    // Funded at one moment, requests take the pool's money (and stand in its ledger) in the
    // order the poll funded them, most given first, whatever their ids.
    ask(&mut doc, 2, 4, "50", 2 * CLOSES + 10);
    ask(&mut doc, 3, 5, "40", 2 * CLOSES + 11);
    doc.open_poll(
        &member(1),
        NewProposal {
            closes_at: Some(t(3 * CLOSES)),
            ..allocation(pid(4))
        },
        budget(&[4, 5], &["50", "40"]),
        t(2 * CLOSES + 12),
    )
    .unwrap();
    for who in [1u8, 2] {
        act(&mut doc, who, |d| {
            d.cast_ballot(
                &member(who),
                &pid(4),
                give(&[(0, 3_000), (1, 4_000)]),
                t(2 * CLOSES + 20),
            )
            .unwrap()
        });
    }
    let now = 3 * CLOSES + 1;
    let last = funds(&doc, now);
    assert_eq!(last.balance, 10_000 - 5_000 - 4_000);
    let n = last.decided.len();
    assert_eq!(last.decided[n - 2..], [entry(5), entry(4)]);
    let c = doc.read_at(t(now)).unwrap();
    let ledger = reports::ledger(&c, &c.pools[pool().as_str()], t(now));
    let lines: Vec<EntryId> = ledger.entries.iter().map(|l| l.entry.clone()).collect();
    assert_eq!(lines[lines.len() - 2..], [entry(5), entry(4)]);
    assert_eq!(verdict(&mut doc), Ok(()));
}

/// Member 2's node writes an allocation poll by hand over `requests` asking `asks`, of
/// `kind`, as one change.
fn handmade_poll(
    doc: &mut CoalitionDoc,
    kind: &str,
    requests: &[u8],
    asks: &[&str],
) -> CoalitionDoc {
    handmade(doc, kind, requests, asks, None, false)
}

/// [`handmade_poll`], its first option worded `label` if given (else as the model words it),
/// deciding request 1 by positions too if `subject`.
fn handmade(
    doc: &mut CoalitionDoc,
    kind: &str,
    requests: &[u8],
    asks: &[&str],
    label: Option<&str>,
    subject: bool,
) -> CoalitionDoc {
    let names = doc.read().unwrap().members;
    // Who asked for each entry (`ask`), as the model words its option.
    let option = |n: u8| {
        let who = match n {
            0 => 1,
            3 => 3,
            _ => 2,
        };
        format!("{}: Request {n}", names[&member(who)].name)
    };
    let h = crate::ByHand {
        id: pid(9),
        kind,
        quorum: "1/2",
        rule_poll: (kind == "allocation").then_some("budget"),
        closes: CLOSES,
        subject: subject.then(|| format!("{}/{}", pool(), entry(1))),
    };
    crate::by_hand(doc, h, |am, p| {
        let s = am.put_object(p, "poll", ObjType::Map).unwrap();
        am.put(&s, "method", "budget:50000").unwrap();
        let options = am.put_object(&s, "options", ObjType::List).unwrap();
        let list = am.put_object(&s, "asks", ObjType::List).unwrap();
        let named = am.put_object(&s, "requests", ObjType::List).unwrap();
        for (i, (n, ask)) in requests.iter().zip(asks).enumerate() {
            let text = match (i, label) {
                (0, Some(l)) => l.to_owned(),
                _ => option(*n),
            };
            am.insert(&options, i, text).unwrap();
            am.insert(&list, i, a(ask).hundredths()).unwrap();
            am.insert(&named, i, entry(*n).as_str()).unwrap();
        }
        am.put_object(&s, "issues", ObjType::List).unwrap();
        am.put(&s, "pool", pool().as_str()).unwrap();
    })
}

#[test]
fn an_allocation_poll_written_by_hand_is_judged_on_receipt() {
    let mut doc = under_budget_rule();
    ask(&mut doc, 2, 2, "600", 10);
    ask(&mut doc, 3, 3, "300", 11);
    for (kind, requests, asks, says) in [
        ("allocation", &[2u8, 3][..], &["600", "30"][..], "asks 300"),
        (
            "allocation",
            &[0, 3],
            &["1000", "300"],
            "not a request awaiting",
        ),
        (
            "allocation",
            &[1, 3],
            &["50", "300"],
            "not a request awaiting",
        ),
        ("allocation", &[2, 2], &["600", "600"], "listed twice"),
        ("general", &[2, 3], &["600", "300"], "an allocation"),
    ] {
        let mut d = handmade_poll(&mut doc, kind, requests, asks);
        let err = verdict(&mut d).unwrap_err();
        assert!(
            matches!(&err, Violation::BadRecord { .. }) && err.to_string().contains(says),
            "{says}: {err}"
        );
    }
    // An option worded otherwise than the model words it, or an allocation poll deciding a
    // request by positions too (its request paid whatever the count), is refused.
    let mut d = handmade(
        &mut doc,
        "allocation",
        &[2, 3],
        &["600", "300"],
        Some("Me"),
        false,
    );
    let err = verdict(&mut d).unwrap_err();
    assert!(err.to_string().contains("members and reasons"), "{err}");
    let mut d = handmade(&mut doc, "allocation", &[2, 3], &["600", "300"], None, true);
    let err = verdict(&mut d).unwrap_err();
    assert!(err.to_string().contains("no one request"), "{err}");
    let mut d = handmade_poll(&mut doc, "allocation", &[2, 3], &["600", "300"]);
    assert_eq!(verdict(&mut d), Ok(()));
    // Under a rule naming no poll method, allocations are by positions only.
    let majority: Rule = "majority".parse().unwrap();
    let why = schema::poll_rule_problem(
        DecisionKind::Allocation,
        &majority,
        Some("budget:100".parse().unwrap()),
    )
    .unwrap();
    assert!(why.contains("by positions"), "{why}");
}
