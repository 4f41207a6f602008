//! Reading some records of a coalition without hydrating the rest: one record by id, or the
//! few fields a listing sorts and filters by. What commands use to cost what they touch.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, ReadDoc};

use crate::schema::{Issue, Unreadable};
use crate::{IssueId, IssueStatus, Timestamp};

/// What a listing of issues sorts and filters by, read without the issues' texts, evidence
/// or ranks.
#[derive(Debug, Clone, PartialEq, Hydrate)]
pub struct IssueHeader {
    /// Where it stands.
    pub status: IssueStatus,
    /// Identity tags it touches.
    pub tags: Vec<String>,
    /// When it was raised.
    pub created_at: Timestamp,
}

/// The headers of every issue; none if the coalition has no issue map yet. A record that
/// does not read is an error naming it (changes are checked on receipt, so it is damage).
///
/// One pass over the issue map and one over each issue's fields: Automerge looks each key up
/// from the top of the document, so reading three fields by name costs three lookups, and a
/// header read that way cost three times as much on a coalition of 10,000 issues.
pub fn issue_headers<D: ReadDoc>(doc: &D) -> Result<BTreeMap<IssueId, IssueHeader>, Unreadable> {
    use automerge::{ObjType, ScalarValueRef as Scalar, Value, ValueRef};
    let obj = match doc.get(&automerge::ROOT, "issues") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => obj,
        _ => return Ok(BTreeMap::new()),
    };
    let mut out = BTreeMap::new();
    for item in doc.map_range(&obj, ..) {
        let key: &str = item.key.as_ref();
        let unreadable = |error: &str| Unreadable {
            path: format!("issues/{key}"),
            error: error.to_owned(),
        };
        let id: IssueId = key.parse().map_err(|_| unreadable("not an issue id"))?;
        if !matches!(item.value, ValueRef::Object(ObjType::Map)) {
            return Err(unreadable("not a record"));
        }
        let (mut status, mut tags, mut created_at) = (None, None, None);
        for field in doc.map_range(item.id(), ..) {
            match (field.key.as_ref(), &field.value) {
                ("created_at", ValueRef::Scalar(Scalar::Timestamp(t) | Scalar::Int(t))) => {
                    created_at = Some(Timestamp::from_millis(*t));
                }
                ("status", ValueRef::Scalar(Scalar::Str(s))) => {
                    status = s.parse::<IssueStatus>().ok();
                }
                ("tags", ValueRef::Object(ObjType::List)) => {
                    let mut list = Vec::new();
                    for t in doc.list_range(field.id(), ..) {
                        match &t.value {
                            ValueRef::Scalar(Scalar::Str(s)) => list.push(s.to_string()),
                            _ => return Err(unreadable("a tag is not text")),
                        }
                    }
                    tags = Some(list);
                }
                _ => {}
            }
        }
        let header = IssueHeader {
            status: status.ok_or_else(|| unreadable("no readable status"))?,
            tags: tags.ok_or_else(|| unreadable("no readable tags"))?,
            created_at: created_at.ok_or_else(|| unreadable("no readable created_at"))?,
        };
        out.insert(id, header);
    }
    Ok(out)
}

/// One issue, read alone.
pub fn issue<D: ReadDoc>(doc: &D, id: &IssueId) -> Result<Option<Issue>, Unreadable> {
    crate::schema::record(doc, "issues", id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    /// The one-pass reader gives what hydrating each header by name gives, after edits of
    /// status and tags too.
    #[test]
    fn headers_read_in_one_pass_are_the_hydrated_ones() {
        let key = NodeKey::from_bytes([1; 32]);
        let founder = MemberId::from_bytes([2; 16]);
        let mut doc = CoalitionDoc::found(
            key,
            Founding {
                id: CoalitionId::from_bytes([3; 16]),
                name: "Transit Justice".into(),
                frame: "Fare-free buses".into(),
                values: vec![],
                commitments: vec![],
                equity_threshold: None,
                founder_id: founder.clone(),
                founder: MemberProfile::named("Northside"),
                at: Timestamp::from_millis(0),
            },
        )
        .unwrap();
        assert!(issue_headers(doc.automerge()).unwrap().is_empty());
        for n in 0..40u8 {
            let id = IssueId::from_bytes([n; 16]);
            let tags = ["race", "class", "disability"][..usize::from(n % 4).min(3)]
                .iter()
                .map(|t| (*t).to_owned())
                .collect();
            let new = NewIssue {
                id: id.clone(),
                title: format!("Issue {n}"),
                description: "x".repeat(usize::from(n) * 10),
                tags,
                lead: None,
            };
            doc.add_issue(&founder, new, Timestamp::from_millis(1 + i64::from(n)))
                .unwrap();
            if n % 3 == 0 {
                let edit = IssueEdit {
                    status: Some(IssueStatus::Adopted),
                    add_tags: vec!["language".into()],
                    ..Default::default()
                };
                doc.edit_issue(&founder, id.as_str(), edit, Timestamp::from_millis(100))
                    .unwrap();
            }
        }
        let am = doc.automerge();
        let mut unreadable = Vec::new();
        let hydrated: BTreeMap<IssueId, IssueHeader> =
            crate::schema::records(am, "issues", &mut unreadable);
        assert!(unreadable.is_empty());
        assert_eq!(hydrated.len(), 40);
        assert_eq!(issue_headers(am).unwrap(), hydrated);
    }
}
