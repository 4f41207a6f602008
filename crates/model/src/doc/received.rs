//! Statements of linked coalitions a member's node carries in (see [`crate::received`]):
//! `members/<member>/received/<id>` and `members/<member>/received_rosters/<id>`, each made
//! once, written only once the model takes them as every node's rules will, and the changes
//! checked by the rules themselves before they join the document.

use super::*;
use crate::received::{ReceiveError, Received, ReceivedRecord};
use federation::{Signed, StatementId};

/// Most bytes of statements one change stores (a change peers take is at most 16 MiB).
pub(crate) const MAX_RECEIVED_CHANGE: usize = 4 << 20;

/// What became of one statement offered to a coalition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Taken and stored now.
    Stored,
    /// Taken, and held already: by this member (which stores an id once), or by another with
    /// every signature offered.
    Held,
    /// Not taken, and why.
    Refused(ReceiveError),
}

impl CoalitionDoc {
    /// The links in force at `now`, as the rules read them on receipt of a change made then
    /// (only link proposals are read whole; one that does not read is passed over).
    pub fn links_at(&self, now: Timestamp) -> BTreeMap<CoalitionId, crate::reports::LinkInForce> {
        let headers = self.headers::<crate::records::ProposalHeader>();
        crate::reports::links_of(
            headers.iter(),
            |p| Ok::<_, std::convert::Infallible>(self.proposal(p).ok().flatten()),
            now,
        )
        .unwrap_or_else(|never| match never {})
    }

    /// Stores what coalition this takes of `items` (statements of linked coalitions, in any
    /// order, an id any number of times: its signatures joined), in the acting member's
    /// record: each item's outcome, in the order given. Judged at the whole second at or after
    /// `at`, which the change states, as the rules judge it; a statement held already is not stored again; nothing is
    /// written if nothing is new. The changes are checked by the rules before they join the
    /// document: one they would refuse is not made (an error says why).
    pub fn receive_statements(
        &mut self,
        by: &MemberId,
        items: &[Signed],
        at: Timestamp,
    ) -> Result<Vec<(StatementId, Offer)>, EditError> {
        let own = self.id().clone();
        // The change states whole seconds, and the rules judge it at the second it states:
        // the next whole second, so that a link decided a moment ago is in force there.
        let at = Timestamp::from_secs(
            at.as_secs()
                .saturating_add(i64::from(at.as_millis().rem_euclid(1000) != 0)),
        );
        let links = self.links_at(at);
        let held = crate::received::received(self);
        // Each id once, the signatures of every copy joined as readers join them.
        let mut offered: BTreeMap<StatementId, Received> = BTreeMap::new();
        let mut out: Vec<(StatementId, Option<Offer>)> = Vec::with_capacity(items.len());
        for s in items {
            let id = s.id();
            match s.open() {
                Ok(opened) => {
                    crate::received::join(&mut offered, opened, s.body.clone(), by, at);
                    out.push((id, None));
                }
                Err(error) => out.push((
                    id,
                    Some(Offer::Refused(ReceiveError::Statement {
                        name: "a linked coalition".into(),
                        error,
                    })),
                )),
            }
        }
        // What would be stored: taken by its link, not held by this member (an id is stored
        // once per member), bringing a signature not held yet.
        let mut verdicts: BTreeMap<StatementId, Offer> = BTreeMap::new();
        let mut stored: Vec<(&'static str, Signed)> = Vec::new();
        let mut rosters: BTreeMap<StatementId, Received> = held
            .iter()
            .filter(|(_, r)| r.statement.value.kind() == federation::Kind::Roster)
            .map(|(id, r)| (*id, r.clone()))
            .collect();
        let mut candidates = Vec::new();
        for (id, r) in &offered {
            let signed = r.signed();
            let taking = match crate::received::taking(&own, &links, None, None, &signed) {
                Ok(t) => t,
                Err(e) => {
                    verdicts.insert(*id, Offer::Refused(e));
                    continue;
                }
            };
            let mine = held.get(id).is_some_and(|h| h.carried_by.contains(by));
            let covered = held.get(id).is_some_and(|h| {
                let held: std::collections::BTreeSet<([u8; 32], [u8; 64])> =
                    h.cosigns.iter().map(|c| (c.key, c.signature)).collect();
                r.cosigns
                    .iter()
                    .all(|c| held.contains(&(c.key, c.signature)))
            });
            if mine || covered {
                verdicts.insert(*id, Offer::Held);
                continue;
            }
            if taking.opened.statement.value.kind() == federation::Kind::Roster {
                // As readers will read it: what is held joined with this entry.
                let mut joined = BTreeMap::new();
                if let Some(h) = held.get(id) {
                    joined.insert(*id, h.clone());
                }
                crate::received::join(
                    &mut joined,
                    taking.opened.clone(),
                    signed.body.clone(),
                    by,
                    at,
                );
                rosters.extend(joined);
            }
            candidates.push((taking, signed));
        }
        // Rosters not taken change no chain (each is tried and passed over), so those
        // refused below leave the chains as they are.
        let mut chains = std::collections::HashMap::new();
        for (t, mut s) in candidates {
            let chain = chains
                .entry((t.publisher.clone(), t.pin))
                .or_insert_with(|| {
                    crate::received::chain_of(rosters.values(), &t.publisher, &t.pin)
                });
            let id = t.opened.id;
            // Only signatures that count are stored (by keys the publisher's rosters list,
            // verifying): the rules require it, and readers verify what is stored again.
            if let Some(chain) = chain.as_ref() {
                s.cosigns.retain(|c| chain.lists(&c.key) && c.verifies(&id));
            }
            match t.judge(chain.as_ref(), &s) {
                Ok(_) => {
                    let field = crate::received::field_for(t.opened.statement.value.kind());
                    stored.push((field, s));
                    verdicts.insert(id, Offer::Stored);
                }
                Err(e) => {
                    verdicts.insert(id, Offer::Refused(e));
                }
            }
        }
        let out = out
            .into_iter()
            .map(|(id, o)| {
                let o = o
                    .or_else(|| verdicts.get(&id).cloned())
                    .unwrap_or(Offer::Held);
                (id, o)
            })
            .collect();
        if stored.is_empty() {
            return Ok(out);
        }
        // Rosters first, in order of version, then the rest; in changes of at most
        // `MAX_RECEIVED_CHANGE` bytes of statements, which peers take (each judged at its own
        // heads, so each roster precedes what it verifies).
        stored.sort_by_key(|(field, s)| {
            let version = (*field == crate::received::ROSTERS)
                .then(|| federation::Statement::decode(&s.body).map_or(0, |st| st.sequence));
            (version.is_none(), version)
        });
        let mut batches: Vec<Vec<(&'static str, Signed)>> = vec![Vec::new()];
        let mut size = 0;
        for item in stored {
            let next = item.1.encode().len();
            if size + next > MAX_RECEIVED_CHANGE && batches.last().is_some_and(|b| !b.is_empty()) {
                batches.push(Vec::new());
                size = 0;
            }
            size += next;
            if let Some(b) = batches.last_mut() {
                b.push(item);
            }
        }
        // Made on a copy and checked by the rules there, then taken in whole.
        let actor = self.doc.get_actor().clone();
        let mut trial = CoalitionDoc {
            doc: self.doc.fork().with_actor(actor),
            id: self.id.clone(),
            gov: self.gov.clone(),
        };
        let before = trial.heads();
        for batch in &batches {
            trial.edit(by, "receive statements", at, |doc| {
                for (field, s) in batch {
                    let map = super::plans::own_map(doc, by, field)?;
                    let record = ReceivedRecord {
                        body: s.encode().into(),
                        at,
                    };
                    reconcile_prop(doc, &map, s.id().hex().as_str(), &record)?;
                }
                Ok(())
            })?;
        }
        let mut validator = crate::rules::Validator::new(true);
        for change in trial.doc.get_changes(&before) {
            validator
                .check(&trial.doc, &change)
                .map_err(|v| EditError::Refused {
                    why: format!("the rules would refuse these statements: {v}"),
                })?;
        }
        self.merge(&mut trial)?;
        Ok(out)
    }
}
