//! Writing back what a shared record said before (a member undoing an edit).

use super::*;

impl CoalitionDoc {
    /// Writes, as a new change, the value a shared record's `field` had just after the change
    /// `change` (a hash or unique prefix). Returns the record's id.
    pub fn restore(
        &mut self,
        by: &MemberId,
        record: &str,
        field: &str,
        change: &str,
        at: Timestamp,
    ) -> Result<String, EditError> {
        // The change graph's metadata names every change without rebuilding any.
        let hashes: Vec<String> = self
            .doc
            .get_changes_meta(&[])
            .iter()
            .map(|c| c.hash.to_string())
            .collect();
        let hash: ChangeHash =
            resolve(change, "change", &hashes)?
                .parse()
                .map_err(|_| EditError::Unknown {
                    what: "change",
                    id: change.to_owned(),
                })?;
        self.edit(by, "restore earlier value", at, |doc| {
            // (collection, its restorable fields, record id) for every restorable record.
            let mut found = Vec::new();
            for (collection, fields) in RESTORABLE {
                for id in keys_of(doc, &[collection])? {
                    found.push((*collection, *fields, id));
                }
            }
            let ids: Vec<String> = found.iter().map(|(_, _, id)| id.clone()).collect();
            let id = resolve(record, "record", &ids)?;
            let (collection, fields, _) = found
                .into_iter()
                .find(|(_, _, i)| *i == id)
                .ok_or_else(|| shape_error(&[record]))?;
            if !fields.contains(&field) {
                return Err(EditError::Unknown {
                    what: "field to restore",
                    id: format!(
                        "{field} (a {collection} record restores {})",
                        fields.join(", ")
                    ),
                });
            }
            let obj = map_at(doc, &[collection, id.as_str()])?;
            let heads = [hash];
            match doc.get_at(&obj, field, &heads)? {
                Some((automerge::Value::Object(ObjType::Text), old)) => {
                    let value = doc.text_at(&old, &heads)?;
                    let text = text_at(doc, &obj, field)?;
                    doc.update_text(&text, value)?;
                }
                Some((automerge::Value::Scalar(v), _)) => {
                    let value = v.into_owned();
                    doc.put(&obj, field, value)?;
                }
                _ => {
                    return Err(EditError::Unknown {
                        what: "earlier value",
                        id: format!("{field} of {id} had no value just after change {hash}"),
                    });
                }
            }
            Ok(id)
        })
    }
}

/// Shared records whose fields `restore` writes back, with those fields.
pub(super) const RESTORABLE: &[(&str, &[&str])] = &[
    ("issues", &["title", "description", "status", "lead"]),
    ("pools", &["name", "unit", "description"]),
    ("meetings", &["minutes"]),
];
