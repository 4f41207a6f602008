use std::collections::BTreeMap;

use proptest::prelude::*;

use super::ledger::ledger_order;
use super::*;
use crate::ids::{EntryId, MemberId, PoolId, ProposalId};
use crate::schema::{LedgerEntry, Pool, Prose};
use crate::tally::Outcome;
use crate::values::{Amount, EntryKind, PoolKind, Timestamp};

/// (is a contribution, amount, written at, decided at if a passed request)
type Entry = (bool, i64, i64, Option<i64>);

fn pool_of(entries: &[Entry]) -> (Pool, BTreeMap<ProposalId, Decided>) {
    let mut ledger = BTreeMap::new();
    let mut decisions = BTreeMap::new();
    for (i, (contribution, amount, at, decided)) in entries.iter().enumerate() {
        let id = EntryId::from_bytes([i as u8; 16]);
        let proposal = ProposalId::from_bytes([i as u8; 16]);
        decisions.insert(
            proposal.clone(),
            Decided {
                outcome: if decided.is_some() {
                    Outcome::Passed
                } else {
                    Outcome::Open
                },
                at: decided.map(Timestamp::from_millis),
            },
        );
        ledger.insert(
            id.clone(),
            LedgerEntry {
                id,
                kind: if *contribution {
                    EntryKind::Contribution
                } else {
                    EntryKind::Request
                },
                member: MemberId::from_bytes([1; 16]),
                amount: Amount::from_hundredths(*amount).unwrap(),
                note: String::new(),
                at: Timestamp::from_millis(*at),
                proposal: (!contribution).then_some(proposal),
            },
        );
    }
    let pool = Pool {
        id: PoolId::from_bytes([0; 16]),
        name: "Fund".into(),
        kind: PoolKind::Funds,
        unit: "USD".into(),
        description: Prose(String::new()),
        created_by: MemberId::from_bytes([1; 16]),
        created_at: Timestamp::from_millis(0),
        ledger,
    };
    (pool, decisions)
}

proptest! {
    /// Whatever is contributed, requested and decided, and when: the balance never goes
    /// below zero at any step, funded and balance add up to what was contributed, and a
    /// request is unfunded only when it did not fit.
    #[test]
    fn funding_never_overdraws_a_pool(
        entries in proptest::collection::vec(
            (any::<bool>(), 1i64..5_000, 0i64..20, proptest::option::of(0i64..20)), 0..24),
    ) {
        let (pool, decisions) = pool_of(&entries);
        let funds = funds_of(&pool, |p| decisions.get(p).copied(), &[]);
        prop_assert!(funds.balance >= 0);
        let contributed: i128 = entries.iter().filter(|e| e.0).map(|e| i128::from(e.1)).sum();
        let funded: i128 = pool
            .ledger
            .values()
            .filter(|e| funds.is_funded(&e.id))
            .map(|e| i128::from(e.amount.hundredths()))
            .sum();
        prop_assert_eq!(funds.balance, contributed - funded);
        for e in pool.ledger.values() {
            if let Some(Funding::Unfunded { available, .. }) = funds.requests.get(&e.id) {
                let held: Amount = available.parse().unwrap();
                prop_assert!(held.hundredths() < e.amount.hundredths());
            }
        }
        // The ledger's running balance never shows a negative figure either.
        let state_free = ledger_balances(&pool, &funds);
        prop_assert!(state_free.iter().all(|b| *b >= 0), "{:?}", state_free);
    }
}

/// The running balance in the ledger's order (effective time, contributions first, id).
fn ledger_balances(pool: &Pool, funds: &Funds) -> Vec<i128> {
    let mut balance = 0;
    ledger_order(pool, funds)
        .into_iter()
        .map(|(_, e)| {
            match e.kind {
                EntryKind::Contribution => balance += i128::from(e.amount.hundredths()),
                EntryKind::Request if funds.is_funded(&e.id) => {
                    balance -= i128::from(e.amount.hundredths())
                }
                _ => {}
            }
            balance
        })
        .collect()
}
