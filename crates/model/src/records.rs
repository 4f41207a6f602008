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
/// does not read (a status of a newer version, say) is left out and named in `unreadable`, as
/// [`crate::schema::records`] does: one bad record never hides the others.
///
/// One pass over the issue map and one over each issue's fields: Automerge looks each key up
/// from the top of the document, so reading three fields by name cost 4.3 times as much on a
/// coalition of 10,000 issues.
pub fn issue_headers<D: ReadDoc>(
    doc: &D,
    unreadable: &mut Vec<Unreadable>,
) -> BTreeMap<IssueId, IssueHeader> {
    use automerge::{ObjType, Value};
    let obj = match doc.get(&automerge::ROOT, "issues") {
        Ok(Some((Value::Object(ObjType::Map), obj))) => obj,
        _ => return BTreeMap::new(),
    };
    let mut out = BTreeMap::new();
    for item in doc.map_range(&obj, ..) {
        match header(doc, &item) {
            Ok((id, h)) => {
                out.insert(id, h);
            }
            Err(error) => unreadable.push(Unreadable {
                path: format!("issues/{}", item.key),
                error: error.to_owned(),
            }),
        }
    }
    out
}

/// One issue's header, or what does not read.
fn header<D: ReadDoc>(
    doc: &D,
    item: &automerge::iter::MapRangeItem<'_>,
) -> Result<(IssueId, IssueHeader), &'static str> {
    use automerge::{ObjType, ScalarValueRef as Scalar, ValueRef};
    let id: IssueId = item.key.parse().map_err(|_| "not an issue id")?;
    if !matches!(item.value, ValueRef::Object(ObjType::Map)) {
        return Err("not a record");
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
                        _ => return Err("a tag is not text"),
                    }
                }
                tags = Some(list);
            }
            _ => {}
        }
    }
    let header = IssueHeader {
        status: status.ok_or("no readable status")?,
        tags: tags.ok_or("no readable tags")?,
        created_at: created_at.ok_or("no readable created_at")?,
    };
    Ok((id, header))
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
        assert!(issue_headers(doc.automerge(), &mut Vec::new()).is_empty());
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
        let mut skipped = Vec::new();
        assert_eq!(issue_headers(am, &mut skipped), hydrated);
        assert!(skipped.is_empty());

        // A status this version does not know (a newer version's) leaves that issue out and
        // names it; the others still read.
        let bad = IssueId::from_bytes([7; 16]);
        let am = doc.automerge_mut();
        let (_, issues) = am.get(&automerge::ROOT, "issues").unwrap().unwrap();
        let (_, record) = am.get(&issues, bad.as_str()).unwrap().unwrap();
        automerge::transaction::Transactable::put(am, &record, "status", "paused").unwrap();
        let mut skipped = Vec::new();
        let headers = issue_headers(doc.automerge(), &mut skipped);
        assert_eq!(headers.len(), 39);
        assert!(!headers.contains_key(&bad));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].path, format!("issues/{bad}"));
    }
}
