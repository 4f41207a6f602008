//! Reading some records of a coalition without hydrating the rest: one record by id, or the
//! few fields a listing sorts and filters by. What commands use to cost what they touch.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, ReadDoc};

use automerge::{ObjType, ScalarValueRef as Scalar, ValueRef};

use crate::schema::{Issue, Unreadable};
use crate::{DecisionKind, IssueId, IssueStatus, ProposalId, Timestamp};

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
pub fn issue_headers<D: ReadDoc>(
    doc: &D,
    unreadable: &mut Vec<Unreadable>,
) -> BTreeMap<IssueId, IssueHeader> {
    headers(doc, "issues", unreadable, |item, fields| {
        let id: IssueId = item.key.parse().map_err(|_| "not an issue id")?;
        let (mut status, mut tags, mut created_at) = (None, None, None);
        for field in fields {
            match (field.key.as_ref(), &field.value) {
                ("created_at", v) => created_at = timestamp(v),
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
    })
}

/// What a listing of proposals sorts and filters by, read without their texts or positions.
#[derive(Debug, Clone, PartialEq, Hydrate)]
pub struct ProposalHeader {
    /// Kind of decision.
    pub kind: DecisionKind,
    /// When it opened.
    pub created_at: Timestamp,
}

/// The headers of every proposal, as [`issue_headers`] reads the issues'.
pub fn proposal_headers<D: ReadDoc>(
    doc: &D,
    unreadable: &mut Vec<Unreadable>,
) -> BTreeMap<ProposalId, ProposalHeader> {
    headers(doc, "proposals", unreadable, |item, fields| {
        let id: ProposalId = item.key.parse().map_err(|_| "not a proposal id")?;
        let (mut kind, mut created_at) = (None, None);
        for field in fields {
            match (field.key.as_ref(), &field.value) {
                ("created_at", v) => created_at = timestamp(v),
                ("kind", ValueRef::Scalar(Scalar::Str(s))) => {
                    kind = s.parse::<DecisionKind>().ok();
                }
                _ => {}
            }
        }
        let header = ProposalHeader {
            kind: kind.ok_or("no readable kind")?,
            created_at: created_at.ok_or("no readable created_at")?,
        };
        Ok((id, header))
    })
}

/// A stored time, if it is one.
fn timestamp(v: &ValueRef<'_>) -> Option<Timestamp> {
    match v {
        ValueRef::Scalar(Scalar::Timestamp(t) | Scalar::Int(t)) => Some(Timestamp::from_millis(*t)),
        _ => None,
    }
}

/// The header `read` makes of each record of the collection `key`, from the record's key
/// and its fields; a record that is not a map, or that `read` refuses, is named in
/// `unreadable`.
///
/// One pass over the collection and one over each record's fields: Automerge looks each key
/// up from the top of the document, so reading three fields by name cost 4.3 times as much
/// on a coalition of 10,000 issues.
fn headers<'d, D: ReadDoc, K: Ord, H>(
    doc: &'d D,
    key: &str,
    unreadable: &mut Vec<Unreadable>,
    read: impl Fn(
        &automerge::iter::MapRangeItem<'d>,
        automerge::iter::MapRange<'d>,
    ) -> Result<(K, H), &'static str>,
) -> BTreeMap<K, H> {
    let obj = match doc.get(&automerge::ROOT, key) {
        Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => obj,
        _ => return BTreeMap::new(),
    };
    let mut out = BTreeMap::new();
    for item in doc.map_range(&obj, ..) {
        let header = if matches!(item.value, ValueRef::Object(ObjType::Map)) {
            read(&item, doc.map_range(item.id(), ..))
        } else {
            Err("not a record")
        };
        match header {
            Ok((id, h)) => {
                out.insert(id, h);
            }
            Err(error) => unreadable.push(Unreadable {
                path: format!("{key}/{}", item.key),
                error: error.to_owned(),
            }),
        }
    }
    out
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
