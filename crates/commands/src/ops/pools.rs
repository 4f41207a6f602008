//! Resource pools: create one, pledge or contribute, request an allocation, list pools with
//! their balances, read one pool's ledger. A pool's figures are computed from its own record
//! and the proposals deciding its requests, each read alone.

use std::collections::BTreeMap;

use anyhow::Context;
use model::schema::{Pool, Proposal};
use model::{
    Amount, CoalitionId, EntryId, GiftKind, MemberId, PoolId, PoolKind, ProposalId, reports,
};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A pool's ledger, as the ledger route answers it.
pub use model::reports::{LedgerLine, LedgerReport};

/// A pool to create.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPoolRequest {
    /// Its name.
    pub name: String,
    /// What it holds: `funds`, `volunteer-hours`, `space` or `equipment`.
    pub kind: String,
    /// The unit of its amounts (USD, hours, rooms...).
    pub unit: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// A pledge or a contribution to a pool, for this node's organization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftRequest {
    /// `pledge` (promised) or `contribution` (given).
    pub kind: String,
    /// How much, in the pool's unit: above zero, at most two decimals (`500`, `12.50`).
    pub amount: String,
    /// A note for the ledger.
    #[serde(default)]
    pub note: String,
}

/// A request for an allocation to this node's organization; members decide it on the
/// proposal it opens.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRequestBody {
    /// How much, in the pool's unit: above zero, at most two decimals.
    pub amount: String,
    /// Why it is needed, up to 200 characters.
    pub reason: String,
}

/// What a request for an allocation made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllocationRequested {
    /// The ledger entry of the request.
    #[schema(value_type = String)]
    pub entry: EntryId,
    /// The allocation proposal that decides it; none where the charter decides allocations
    /// by budget polls (`allocation=budget`): the request then awaits the next budget poll
    /// over the pool's requests.
    #[schema(value_type = Option<String>)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<ProposalId>,
}

/// A pool with its totals, as `coalesce pool list --json` prints it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PoolSummary {
    /// Its id.
    #[schema(value_type = String)]
    pub id: PoolId,
    /// Its name.
    pub name: String,
    /// What it holds.
    #[schema(value_type = String)]
    pub kind: PoolKind,
    /// The unit of its amounts.
    pub unit: String,
    /// Total pledged.
    pub pledged: String,
    /// Total contributed.
    pub contributed: String,
    /// Total allocated by passed and funded requests.
    pub allocated: String,
    /// Contributions less funded allocations.
    pub balance: String,
}

/// Creates a pool.
pub fn create(r: &mut Replica, c: &CoalitionId, req: NewPoolRequest) -> anyhow::Result<PoolId> {
    let kind: PoolKind = req.kind.parse()?;
    let id = PoolId::from_bytes(replica::fresh_id_bytes()?);
    let new = model::NewPool {
        id: id.clone(),
        name: req.name,
        kind,
        unit: req.unit,
        description: req.description,
    };
    r.edit(c, |doc, a| doc.create_pool(&a.member, new, a.now))?;
    Ok(id)
}

/// Pledges or contributes to the pool `pool` (id or unique prefix); returns the entry.
pub fn give(
    r: &mut Replica,
    c: &CoalitionId,
    pool: &str,
    req: GiftRequest,
) -> anyhow::Result<EntryId> {
    let kind = match req.kind.as_str() {
        "pledge" => GiftKind::Pledge,
        "contribution" => GiftKind::Contribution,
        other => {
            return Err(super::Invalid(format!(
                "invalid gift kind `{other}`: expected pledge or contribution"
            ))
            .into());
        }
    };
    let entry = EntryId::from_bytes(replica::fresh_id_bytes()?);
    let gift = model::Gift {
        entry: entry.clone(),
        kind,
        amount: req.amount.parse::<Amount>()?,
        note: req.note,
    };
    let pool: PoolId = super::resolve(r, c, "pools", "pool", pool)?;
    r.edit(c, |doc, a| doc.give(&a.member, &pool, gift, a.now))?;
    Ok(entry)
}

/// Requests an allocation from the pool `pool` (id or unique prefix), opening the proposal
/// that decides it, unless the charter decides allocations by budget polls.
pub fn request(
    r: &mut Replica,
    c: &CoalitionId,
    pool: &str,
    req: AllocationRequestBody,
) -> anyhow::Result<AllocationRequested> {
    let entry = EntryId::from_bytes(replica::fresh_id_bytes()?);
    let proposal = ProposalId::from_bytes(replica::fresh_id_bytes()?);
    let request = model::AllocationRequest {
        entry: entry.clone(),
        proposal: proposal.clone(),
        amount: req.amount.parse::<Amount>()?,
        reason: req.reason,
    };
    let pool: PoolId = super::resolve(r, c, "pools", "pool", pool)?;
    let proposal = r.edit(c, |doc, a| {
        doc.request_allocation(&a.member, &pool, request, a.now)
    })?;
    Ok(AllocationRequested { entry, proposal })
}

/// The pools' ids, reading no pool.
fn pool_ids(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<Vec<PoolId>> {
    Ok(r.record_ids(c, "pools")
        .with_context(|| format!("could not read coalition {c}"))?
        .into_iter()
        .filter_map(|i| i.parse().ok())
        .collect())
}

/// A pool (as the replica keeps it) and the proposals deciding its requests.
pub(crate) type PoolRead = (std::sync::Arc<Pool>, BTreeMap<ProposalId, Proposal>);

/// A pool read alone, with the proposals deciding its requests; `None` if it is not there
/// or does not read (left out of the whole read too).
pub(crate) fn read_pool(
    r: &mut Replica,
    c: &CoalitionId,
    id: &PoolId,
) -> anyhow::Result<Option<PoolRead>> {
    let Some(pool) = super::alone(c, r.pool(c, id))? else {
        return Ok(None);
    };
    let headers = r
        .proposal_headers(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    // The budget polls over its requests that passed (`allocation=budget`), told from the
    // headers: only they fund any.
    let now = replica::now();
    let budget_polls = headers
        .iter()
        .filter(|(_, h)| {
            h.budget_pool.as_ref() == Some(id)
                && reports::header_outcome(h, now) == model::Outcome::Passed
        })
        .map(|(p, _)| p);
    let mut proposals = BTreeMap::new();
    for p in pool
        .ledger
        .values()
        .filter_map(|e| e.proposal.as_ref())
        .chain(budget_polls)
    {
        if let Some(proposal) = super::alone(c, r.proposal(c, p))? {
            proposals.insert(p.clone(), proposal);
        }
    }
    Ok(Some((pool, proposals)))
}

/// What became of `pool`'s requests at `now`, from the proposals deciding them as
/// [`read_pool`] reads them (their own allocation proposals and the budget polls over them).
pub(crate) fn funds(
    pool: &Pool,
    deciding: &BTreeMap<ProposalId, Proposal>,
    now: model::Timestamp,
) -> reports::Funds {
    let budgets = reports::budgets_over(&pool.id, deciding.values(), now);
    reports::funds_of(
        pool,
        |id| deciding.get(id).map(|p| reports::decision(p, now)),
        &budgets,
    )
}

/// The ledger of one pool read with what decides it.
fn ledger_of(
    pool: &Pool,
    proposals: &BTreeMap<ProposalId, Proposal>,
    names: &BTreeMap<MemberId, String>,
) -> reports::LedgerReport {
    let now = replica::now();
    let budgets = reports::budgets_over(&pool.id, proposals.values(), now);
    reports::ledger_of(
        pool,
        |id| proposals.get(id),
        &budgets,
        |m| names.get(m).cloned(),
        now,
    )
}

/// The names of the members in force (a ledger shows others by id).
fn names_in_force(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<BTreeMap<MemberId, String>> {
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    Ok(gov
        .members
        .iter()
        .map(|(id, m)| (id.clone(), m.name.clone()))
        .collect())
}

/// Every pool with its totals, by name.
pub fn list(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<Vec<PoolSummary>> {
    let mut out = Vec::new();
    for id in pool_ids(r, c)? {
        let Some((pool, proposals)) = read_pool(r, c, &id)? else {
            continue;
        };
        // Totals only: no names needed.
        let l = ledger_of(&pool, &proposals, &BTreeMap::new());
        out.push(PoolSummary {
            id: pool.id.clone(),
            name: pool.name.clone(),
            kind: pool.kind,
            unit: pool.unit.clone(),
            pledged: l.pledged,
            contributed: l.contributed,
            allocated: l.allocated,
            balance: l.balance,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The ledger of the pool `given` (id or unique prefix), in the order entries took effect.
pub fn ledger(
    r: &mut Replica,
    c: &CoalitionId,
    given: &str,
) -> anyhow::Result<reports::LedgerReport> {
    let id: PoolId = super::resolve(r, c, "pools", "pool", given)?;
    let (pool, proposals) =
        read_pool(r, c, &id)?.ok_or_else(|| replica::PrefixError::NotFound {
            what: "pool",
            given: given.to_owned(),
        })?;
    let names = names_in_force(r, c)?;
    Ok(ledger_of(&pool, &proposals, &names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;
    use crate::ops::{ErrorCode, OpError};

    fn code(e: anyhow::Error) -> ErrorCode {
        OpError::from_anyhow(&e).code
    }

    fn gift(kind: &str, amount: &str) -> GiftRequest {
        GiftRequest {
            kind: kind.into(),
            amount: amount.into(),
            note: String::new(),
        }
    }

    #[test]
    fn a_pool_read_alone_has_the_figures_of_the_whole_read() {
        let (_dir, mut r, c) = replica();
        let new = NewPoolRequest {
            name: "Legal defense fund".into(),
            kind: "funds".into(),
            unit: "USD".into(),
            description: String::new(),
        };
        let pool = create(&mut r, &c, new).unwrap();
        let p = &pool.as_str()[..6];
        give(&mut r, &c, p, gift("pledge", "100")).unwrap();
        give(&mut r, &c, p, gift("contribution", "40")).unwrap();
        let asked = AllocationRequestBody {
            amount: "30".into(),
            reason: "Bus passes".into(),
        };
        let made = request(&mut r, &c, p, asked).unwrap();
        crate::testing::agree(&mut r, &c, &made.proposal.unwrap());

        let state = r.read(&c).unwrap();
        let whole = reports::ledger(&state, &state.pools[pool.as_str()], replica::now());
        let alone = ledger(&mut r, &c, p).unwrap();
        assert_eq!(
            serde_json::to_value(&alone).unwrap(),
            serde_json::to_value(&whole).unwrap()
        );
        assert_eq!(alone.balance, "10");
        let listed = list(&mut r, &c).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].pledged.as_str(), listed[0].allocated.as_str()),
            ("100", "30")
        );
    }

    #[test]
    fn refusals_carry_codes_a_client_can_act_on() {
        let (_dir, mut r, c) = replica();
        let bad_kind = NewPoolRequest {
            name: "Fund".into(),
            kind: "gold".into(),
            unit: "USD".into(),
            description: String::new(),
        };
        assert_eq!(
            code(create(&mut r, &c, bad_kind).unwrap_err()),
            ErrorCode::Invalid
        );
        let new = NewPoolRequest {
            name: "Fund".into(),
            kind: "funds".into(),
            unit: "USD".into(),
            description: String::new(),
        };
        let pool = create(&mut r, &c, new).unwrap();
        let p = pool.as_str();
        for (kind, amount) in [
            ("gift", "10"),
            ("pledge", "0"),
            ("pledge", "-5"),
            ("pledge", "ten"),
        ] {
            let e = give(&mut r, &c, p, gift(kind, amount)).unwrap_err();
            assert_eq!(code(e), ErrorCode::Invalid, "{kind} {amount}");
        }
        let e = give(&mut r, &c, "ffff", gift("pledge", "10")).unwrap_err();
        assert_eq!(code(e), ErrorCode::NotFound);
        assert_eq!(
            code(ledger(&mut r, &c, "ffff").unwrap_err()),
            ErrorCode::NotFound
        );
        let too_much = AllocationRequestBody {
            amount: "500".into(),
            reason: "Rent".into(),
        };
        let e = request(&mut r, &c, p, too_much).unwrap_err();
        assert_eq!(code(e), ErrorCode::Conflict);
    }

    /// Under `allocation=budget` a request opens nothing and awaits a budget poll, which
    /// `proposal new --kind allocation --method budget:SHARE --pool P --request all` opens
    /// over every awaiting request (their members and reasons the options, their amounts the
    /// asks); asking for what is no awaiting request is refused in plain words.
    #[test]
    fn a_budget_poll_is_opened_over_the_requests_awaiting_one() {
        let (_dir, mut r, c) = replica();
        let new = NewPoolRequest {
            name: "Grants".into(),
            kind: "funds".into(),
            unit: "USD".into(),
            description: String::new(),
        };
        let pool = create(&mut r, &c, new).unwrap();
        let p = pool.as_str()[..6].to_owned();
        give(&mut r, &c, &p, gift("contribution", "1000")).unwrap();
        let asked = |amount: &str, reason: &str| AllocationRequestBody {
            amount: amount.into(),
            reason: reason.into(),
        };
        let before = request(&mut r, &c, &p, asked("50", "Printing")).unwrap();
        assert!(
            before.proposal.is_some(),
            "by positions until the charter says"
        );
        let amend = crate::ops::charter::AmendmentRequest {
            rules: vec!["allocation=budget".into()],
            ..Default::default()
        };
        crate::testing::amended(&mut r, &c, amend);
        let open = |r: &mut Replica, requests: Vec<&str>, options: Vec<&str>, kind: &str| {
            crate::ops::proposals::create(
                r,
                &c,
                crate::ops::proposals::NewProposalRequest {
                    kind: kind.into(),
                    title: "Spring grants".into(),
                    closes: Some("7d".into()),
                    method: Some("budget:500".into()),
                    options: options.into_iter().map(Into::into).collect(),
                    pool: Some(p.clone()),
                    requests: requests.into_iter().map(Into::into).collect(),
                    ..Default::default()
                },
            )
        };
        let refused = |e: anyhow::Error, says: &str| {
            let op = crate::ops::OpError::from_anyhow(&e);
            assert_eq!(op.code, crate::ops::ErrorCode::Invalid, "{says}: {op:?}");
            assert!(op.message.contains(says), "{says}: {op:?}");
        };
        refused(
            open(&mut r, vec!["all"], vec![], "allocation").unwrap_err(),
            "no request",
        );
        let bus = request(&mut r, &c, &p, asked("600", "Bus passes")).unwrap();
        assert_eq!(bus.proposal, None, "awaits a budget poll");
        let rent = request(&mut r, &c, &p, asked("300", "Rent relief")).unwrap();
        refused(
            open(
                &mut r,
                vec![&before.entry.as_str()[..8]],
                vec![],
                "allocation",
            )
            .unwrap_err(),
            "not a request awaiting",
        );
        refused(
            open(
                &mut r,
                vec![bus.entry.as_str(), bus.entry.as_str()],
                vec![],
                "allocation",
            )
            .unwrap_err(),
            "listed twice",
        );
        refused(
            open(&mut r, vec!["all"], vec!["Bus"], "allocation").unwrap_err(),
            "not options",
        );
        refused(
            open(&mut r, vec!["all"], vec![], "general").unwrap_err(),
            "an allocation",
        );
        let poll = open(&mut r, vec!["all"], vec![], "allocation").unwrap();
        let v = crate::ops::proposals::show(&mut r, &c, poll.as_str()).unwrap();
        let spec = v.proposal.proposal.poll.clone().unwrap();
        assert_eq!(spec.pool.as_ref(), Some(&pool));
        assert_eq!(spec.requests, vec![bus.entry.clone(), rent.entry.clone()]);
        assert_eq!(
            spec.options,
            vec![
                "Northside Tenants Union: Bus passes".to_owned(),
                "Northside Tenants Union: Rent relief".to_owned()
            ]
        );
        assert_eq!(
            spec.asks,
            vec!["600".parse().unwrap(), "300".parse().unwrap()]
        );
        // Open, it funds nothing yet; the ledger says the requests await their decision.
        let l = ledger(&mut r, &c, &p).unwrap();
        let line = |e: &EntryId| l.entries.iter().find(|x| x.entry == *e).unwrap();
        assert_eq!(line(&bus.entry).decision, Some(model::Outcome::Open));
        assert_eq!(l.balance, "1000");
    }
}
