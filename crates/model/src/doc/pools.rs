//! Resource pools and their ledgers: pledges, contributions, allocation requests.

use super::*;

impl CoalitionDoc {
    /// Creates a resource pool.
    pub fn create_pool(
        &mut self,
        by: &MemberId,
        new: NewPool,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let id = &new.id;
        let pool = Pool {
            id: id.clone(),
            name: short("pool name", &new.name)?,
            kind: new.kind,
            unit: short("unit", &new.unit)?,
            description: Prose(long("description", &new.description)?),
            created_by: by.clone(),
            created_at: at,
            ledger: BTreeMap::new(),
        };
        self.edit(by, "create pool", at, |doc| {
            if exists(doc, &["pools", id.as_str()])? {
                return Err(EditError::Exists {
                    what: "pool",
                    id: id.to_string(),
                });
            }
            let pools = map_at(doc, &["pools"])?;
            reconcile_prop(doc, &pools, id.as_str(), &pool)?;
            Ok(())
        })
    }

    /// Appends a pledge or contribution by the acting member to a pool's ledger.
    pub fn give(
        &mut self,
        by: &MemberId,
        pool: &PoolId,
        gift: Gift,
        at: Timestamp,
    ) -> Result<PoolId, EditError> {
        let Gift {
            entry,
            kind,
            amount,
            note,
        } = gift;
        if amount.is_zero() {
            return Err(EditError::ZeroAmount);
        }
        let note = optional_short("note", &note)?;
        let message = match kind {
            GiftKind::Pledge => "pledge",
            GiftKind::Contribution => "contribute",
        };
        self.edit(by, message, at, |doc| {
            record_in(doc, &["pools"], pool.as_str(), "pool")?;
            let record = LedgerEntry {
                id: entry.clone(),
                kind: kind.into(),
                member: by.clone(),
                amount,
                note,
                at,
                proposal: None,
            };
            append_entry(doc, pool.as_str(), &record)?;
            Ok(pool.clone())
        })
    }

    /// Requests an allocation from a pool for the acting member; opens the allocation
    /// proposal that decides it (`Some`), unless the charter decides allocations by budget
    /// polls (`allocation=budget`): then the request awaits the next budget poll over the
    /// pool's requests (`open_poll`) and opens nothing (`None`).
    pub fn request_allocation(
        &mut self,
        by: &MemberId,
        pool: &PoolId,
        request: AllocationRequest,
        at: Timestamp,
    ) -> Result<Option<ProposalId>, EditError> {
        let AllocationRequest {
            entry,
            proposal,
            amount,
            reason,
        } = request;
        let (entry, proposal) = (&entry, &proposal);
        if amount.is_zero() {
            return Err(EditError::ZeroAmount);
        }
        let reason = short("reason", &reason)?;
        self.edit_governed(by, "request allocation", at, |doc, gov| {
            record_in(doc, &["pools"], pool.as_str(), "pool")?;
            let p: Pool = read_at(doc, &["pools", pool.as_str()])?;
            let balance = funds_in(doc, &p, at).balance;
            if i128::from(amount.hundredths()) > balance {
                return Err(EditError::InsufficientBalance {
                    pool: pool.to_string(),
                    available: Amount::format_total(balance),
                    requested: amount.to_string(),
                    unit: p.unit.clone(),
                });
            }
            let by_budget = gov.rules.allocation.poll().is_some();
            let record = LedgerEntry {
                id: entry.clone(),
                kind: EntryKind::Request,
                member: by.clone(),
                amount,
                note: reason.clone(),
                at,
                proposal: (!by_budget).then(|| proposal.clone()),
            };
            append_entry(doc, pool.as_str(), &record)?;
            if by_budget {
                return Ok(None);
            }
            let title = format!(
                "Allocate {amount} {} from {} to {}",
                p.unit,
                p.name,
                member_name(doc, by.as_str())
            );
            let new = NewProposal {
                id: proposal.clone(),
                kind: DecisionKind::Allocation,
                title,
                text: reason,
                closes_at: None,
            };
            let subject = Subject {
                subject: Some(crate::schema::Subject::Request {
                    pool: pool.clone(),
                    entry: entry.clone(),
                }),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, subject, at)?;
            Ok(Some(proposal.clone()))
        })
    }
}

/// What became of `pool`'s requests at `at`, read from `doc`: their own proposals, and the
/// passed budget polls over it where any request awaits one (found from the proposal
/// headers, only those read whole).
pub(super) fn funds_in(doc: &AutoCommit, pool: &Pool, at: Timestamp) -> crate::reports::Funds {
    let read =
        |proposal: &ProposalId| read_at::<Proposal>(doc, &["proposals", proposal.as_str()]).ok();
    let awaiting = pool
        .ledger
        .values()
        .any(|e| e.kind == EntryKind::Request && e.proposal.is_none());
    let budgets = if awaiting {
        let headers =
            crate::records::headers::<_, crate::records::ProposalHeader>(doc, &mut Vec::new());
        crate::reports::budgets_over(
            &pool.id,
            headers
                .iter()
                .filter(|(_, h)| {
                    h.budget_pool.as_ref() == Some(&pool.id)
                        && crate::reports::header_outcome(h, at) == crate::Outcome::Passed
                })
                .filter_map(|(id, _)| read(id)),
            at,
        )
    } else {
        Vec::new()
    };
    crate::reports::funds_of(
        pool,
        |proposal| read(proposal).map(|p| crate::reports::decision(&p, at)),
        &budgets,
    )
}

pub(super) fn append_entry(
    doc: &mut AutoCommit,
    pool: &str,
    record: &LedgerEntry,
) -> Result<(), EditError> {
    if exists(doc, &["pools", pool, "ledger", record.id.as_str()])? {
        return Err(EditError::Exists {
            what: "ledger entry",
            id: record.id.to_string(),
        });
    }
    let ledger = map_at(doc, &["pools", pool, "ledger"])?;
    reconcile_prop(doc, &ledger, record.id.as_str(), record)?;
    Ok(())
}
