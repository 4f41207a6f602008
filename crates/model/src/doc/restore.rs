//! Writing back what a shared record said before (a member undoing an edit).

use super::*;

impl CoalitionDoc {
    /// Writes, as a new change, the value a shared record's `field` had just after the change
    /// `change`. `record` is a whole id, of any restorable collection. Returns the record's id.
    pub fn restore(
        &mut self,
        by: &MemberId,
        record: &str,
        field: &str,
        change: ChangeHash,
        at: Timestamp,
    ) -> Result<String, EditError> {
        if self.doc.get_change_meta_by_hash(&change).is_none() {
            return Err(EditError::NotFound {
                what: "change",
                id: change.to_string(),
            });
        }
        self.edit(by, "restore earlier value", at, |doc| {
            // The restorable collection that holds `record`, each looked up alone.
            let mut holding = None;
            for (collection, fields) in RESTORABLE {
                if exists(doc, &[collection, record])? {
                    holding = Some((*collection, *fields));
                    break;
                }
            }
            let (collection, fields) = holding.ok_or_else(|| EditError::NotFound {
                what: "record",
                id: record.to_owned(),
            })?;
            let id = record.to_owned();
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
            let heads = [change];
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
                        id: format!("{field} of {id} had no value just after change {change}"),
                    });
                }
            }
            Ok(id)
        })
    }
}

/// Shared records whose fields `restore` writes back, with those fields.
pub const RESTORABLE: &[(&str, &[&str])] = &[
    ("issues", &["title", "description", "status", "lead"]),
    ("pools", &["name", "unit", "description"]),
    ("meetings", &["minutes"]),
];
