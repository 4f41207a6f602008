//! The governance as stored (member records, founding rules, governing proposals), read once
//! per change of governance rather than once per edit: on a coalition with 30,000 issues and
//! 300 proposals reading it took 1.8 ms, seven times the edit itself, and grew with the
//! coalition.
//!
//! It is kept with the heads it was read at. At other heads it is kept if the changes since
//! wrote no member record, not the charter's rules, and no proposal that governs (by its kind,
//! fixed when it opens) before or after; otherwise, or when that is not cheap to tell, it is
//! read again. So what [`CoalitionDoc::in_force`] answers is always what reading the
//! document whole again would answer (property-tested in
//! `tests/governance/arrival_order_and_cache.rs`), given that what
//! [`CoalitionDoc::know_governance`] is told is the rules' reading at its heads (the model's
//! tests check that reading against the document's own).

use super::*;

impl CoalitionDoc {
    /// The governance as stored, read again only when a change may have changed it.
    pub(super) fn governance(&mut self) -> Result<Arc<Governance>, EditError> {
        let read = |doc: &AutoCommit| {
            Governance::read(doc)
                .map(Arc::new)
                .ok_or_else(|| shape_error(&["members"]))
        };
        // Writes not committed yet (made straight on the Automerge document) are read as
        // they are, rather than committed only to learn the heads.
        if self.doc.pending_ops() > 0 {
            return read(&self.doc);
        }
        let heads = self.doc.get_heads();
        if let Some((at, gov)) = self.gov.take()
            && (at == heads || self.governance_untouched(&at, &gov))
        {
            self.gov = Some((heads, gov.clone()));
            return Ok(gov);
        }
        let gov = read(&self.doc)?;
        self.gov = Some((heads, gov.clone()));
        Ok(gov)
    }

    /// Keeps `gov` as the governance at `heads`, if those are the document's heads now (with
    /// nothing uncommitted): what the rules found judging the changes that led there
    /// (`Validator::governance_after`), so the next read or edit need not tell again whether
    /// those changes touched it. At other heads it is ignored. The caller must give what
    /// reading the document at `heads` gives (`rules::governance_at`): it is trusted, and
    /// answered until the document changes.
    pub fn know_governance(&mut self, heads: &[ChangeHash], gov: Arc<Governance>) {
        if self.doc.pending_ops() > 0 {
            return;
        }
        // Both as Automerge gives heads: sorted.
        if self.doc.get_heads() == heads {
            self.gov = Some((heads.to_vec(), gov));
        }
    }

    /// Whether the changes since `since` leave `gov` as it is.
    fn governance_untouched(&mut self, since: &[ChangeHash], gov: &Governance) -> bool {
        let Some(touched) = self.touched_in(since, &["members", "charter", "proposals"]) else {
            return false;
        };
        let [Some(members), Some(charter), Some(proposals)] = touched.as_slice() else {
            return false;
        };
        if charter.contains("rules") {
            return false;
        }
        if !members.is_empty() {
            // Members' translations, meeting plans and answers to them leave governance as it is: any other write to a member
            // record may not.
            let records: Vec<Vec<&str>> = members
                .iter()
                .map(|m| vec!["members", m.as_str()])
                .collect();
            let Some(fields) = self.touched_under(since, &records) else {
                return false;
            };
            if !fields.iter().all(|f| {
                f.as_ref().is_some_and(|f| {
                    f.iter()
                        .all(|k| crate::owned::OWN_FIELDS.contains(&k.as_str()))
                })
            }) {
                return false;
            }
        }
        let Some(collection) = crate::records::collection(&self.doc, "proposals") else {
            return false;
        };
        proposals.iter().all(|key| {
            let governed = key
                .parse::<ProposalId>()
                .is_ok_and(|id| gov.proposals.contains_key(&id));
            let governs = match self.doc.get(&collection, key.as_str()) {
                Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => {
                    crate::records::proposal_kind(&self.doc, &obj)
                        .is_some_and(crate::governance::governs)
                }
                _ => false,
            };
            !governed && !governs
        })
    }
}
