//! Statements of linked coalitions a member's node carries in (see [`crate::received`]):
//! `members/<member>/received/<id>` and `members/<member>/received_rosters/<id>`, each made
//! once, written only once the model takes them as every node's rules will.

use super::*;
use crate::received::{ReceiveError, Received, ReceivedRecord};
use crate::reports::LinkInForce;
use federation::{Signed, StatementId};

/// Most bytes of statements one change stores (a change peers take is at most 16 MiB).
pub(crate) const MAX_RECEIVED_CHANGE: usize = 4 << 20;

/// What became of one statement offered to a coalition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Taken and stored now.
    Stored,
    /// Taken, and held already with every signature it carries.
    Held,
    /// Not taken, and why.
    Refused(ReceiveError),
}

impl CoalitionDoc {
    /// Stores what coalition this takes of `items` (statements of linked coalitions, in any
    /// order), in the acting member's record, in one change, given `links`, the links in force
    /// at `at`: each item's outcome, in the order given. A statement held already with all its
    /// signatures is not stored again; nothing is written if nothing is new.
    pub fn receive_statements(
        &mut self,
        by: &MemberId,
        links: &BTreeMap<CoalitionId, LinkInForce>,
        items: &[Signed],
        at: Timestamp,
    ) -> Result<Vec<(StatementId, Offer)>, EditError> {
        let own = self.id().clone();
        let held = crate::received::received(self);
        let mine: std::collections::BTreeSet<StatementId> = held
            .values()
            .filter(|r| r.carried_by.contains(by))
            .map(|r| r.id)
            .collect();
        let takings: Vec<_> = items
            .iter()
            .map(|s| crate::received::taking(&own, links, None, None, s))
            .collect();
        // The rosters as the change would leave them: those held and those offered that a
        // link takes (the rules replay each publisher's chain from exactly those).
        let mut rosters: BTreeMap<StatementId, Received> = held
            .values()
            .filter(|r| r.statement.value.kind() == federation::Kind::Roster)
            .map(|r| (r.id, r.clone()))
            .collect();
        for (t, s) in takings.iter().zip(items) {
            if let Ok(t) = t
                && t.opened.statement.value.kind() == federation::Kind::Roster
            {
                let r = rosters.entry(t.opened.id).or_insert_with(|| Received {
                    id: t.opened.id,
                    statement: t.opened.statement.clone(),
                    body: s.body.clone(),
                    cosigns: Vec::new(),
                    carried_by: Default::default(),
                    at,
                });
                for c in &t.opened.cosigns {
                    if let Err(i) = r.cosigns.binary_search_by(|h| h.key.cmp(&c.key)) {
                        r.cosigns.insert(i, c.clone());
                    }
                }
            }
        }
        let mut chains = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(items.len());
        let mut new: Vec<(&'static str, StatementId, &Signed)> = Vec::new();
        for (t, s) in takings.into_iter().zip(items) {
            let id = s.id();
            let judged = t.and_then(|t| {
                let chain = chains
                    .entry((t.publisher.clone(), t.pin))
                    .or_insert_with(|| {
                        crate::received::chain_of(rosters.values(), &t.publisher, &t.pin)
                    });
                t.judge(chain.as_ref(), s)
                    .map(|_| crate::received::field_for(t.opened.statement.value.kind()))
            });
            let field = match judged {
                Ok(field) => field,
                Err(e) => {
                    out.push((id, Offer::Refused(e)));
                    continue;
                }
            };
            let covered = held
                .get(&id)
                .is_some_and(|h| s.cosigns.iter().all(|c| h.cosigns.contains(c)));
            if covered || mine.contains(&id) || new.iter().any(|(_, n, _)| *n == id) {
                out.push((id, Offer::Held));
            } else {
                new.push((field, id, s));
                out.push((id, Offer::Stored));
            }
        }
        // Rosters first, in order of version, then the rest; in changes of at most
        // `MAX_RECEIVED_CHANGE` bytes of statements, which peers take (each judged at its own
        // heads, so each roster precedes what it verifies).
        new.sort_by_key(|(field, _, s)| {
            let version = (*field == crate::received::ROSTERS)
                .then(|| federation::Statement::decode(&s.body).map_or(0, |st| st.sequence));
            (version.is_none(), version)
        });
        let mut batch: Vec<&(&'static str, StatementId, &Signed)> = Vec::new();
        let mut size = 0;
        for item in new.iter().map(Some).chain([None]) {
            let next = item.map_or(0, |(_, _, s)| s.body.len() + s.cosigns.len() * 100);
            if !batch.is_empty() && (item.is_none() || size + next > MAX_RECEIVED_CHANGE) {
                self.edit(by, "receive statements", at, |doc| {
                    for (field, id, s) in &batch {
                        let map = super::plans::own_map(doc, by, field)?;
                        let record = ReceivedRecord {
                            body: s.encode().into(),
                            at,
                        };
                        reconcile_prop(doc, &map, id.hex().as_str(), &record)?;
                    }
                    Ok(())
                })?;
                batch.clear();
                size = 0;
            }
            if let Some(item) = item {
                batch.push(item);
                size += next;
            }
        }
        Ok(out)
    }
}
