//! Statements a member drafts for its coalition to publish, and its co-signatures of them, in
//! its own member record (see [`crate::statements`]): `members/<member>/statements/<id>` and
//! `members/<member>/cosigns/<id>`, each made once.

use super::*;
use crate::statements::{CosignRecord, DraftRecord};

impl CoalitionDoc {
    /// Drafts `statement` (of this coalition) for members to co-sign; its id. Drafting the same
    /// statement again changes nothing.
    pub fn draft_statement(
        &mut self,
        by: &MemberId,
        statement: &federation::Statement,
        at: Timestamp,
    ) -> Result<federation::StatementId, EditError> {
        if statement.coalition != self.id().to_bytes() {
            return Err(EditError::Refused {
                why: "a statement drafted here is this coalition's".into(),
            });
        }
        let body = statement
            .encode()
            .map_err(|e| EditError::Refused { why: e.to_string() })?;
        let id = federation::StatementId::of(&body);
        self.edit(by, "draft statement", at, |doc| {
            let map = super::plans::own_map(doc, by, "statements")?;
            if doc.get(&map, id.hex().as_str())?.is_none() {
                let record = DraftRecord {
                    body: body.into(),
                    at,
                };
                reconcile_prop(doc, &map, id.hex().as_str(), &record)?;
            }
            Ok(())
        })?;
        Ok(id)
    }

    /// Records this node's co-signature `cosign` of statement `id` for the acting member: by
    /// this node's own key, verifying over `id`. Signing again changes nothing.
    pub fn cosign_statement(
        &mut self,
        by: &MemberId,
        id: &federation::StatementId,
        cosign: &federation::Cosign,
        at: Timestamp,
    ) -> Result<(), EditError> {
        if cosign.key != self.doc.get_actor().to_bytes() {
            return Err(EditError::Refused {
                why: "a node co-signs with its own key".into(),
            });
        }
        if !cosign.verifies(id) {
            return Err(EditError::Refused {
                why: format!(
                    "the signature does not verify over statement {}",
                    id.short()
                ),
            });
        }
        self.edit(by, "co-sign statement", at, |doc| {
            let map = super::plans::own_map(doc, by, "cosigns")?;
            if doc.get(&map, id.hex().as_str())?.is_none() {
                let record = CosignRecord {
                    key: crate::values::NodeKey::from_bytes(cosign.key),
                    signature: cosign.signature.into(),
                    at,
                };
                reconcile_prop(doc, &map, id.hex().as_str(), &record)?;
            }
            Ok(())
        })
    }
}
