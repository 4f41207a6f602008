//! What people type to name a record, resolved to the whole id the model's edits take: a
//! record's id or a unique prefix of it ([`resolve`]), a member's id, prefix or exact name
//! ([`find_member`], [`member`]).

use model::schema::Member;
use model::{CoalitionId, MemberId};
use replica::{PrefixError, Replica};
use std::collections::BTreeMap;

/// The record of the collection `key` whose id `given` is or starts with (a kind of record
/// named `what` in messages): [`resolve_among`] that one collection.
pub(crate) fn resolve<T: std::str::FromStr>(
    r: &mut Replica,
    c: &CoalitionId,
    key: &str,
    what: &'static str,
    given: &str,
) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    Ok(resolve_among(r, c, &[key], what, given)?.parse()?)
}

/// The id of the one record of `collections` (paths such as `issues` or `charter/goals`)
/// whose id `given` is or starts with, found where the prefix falls among each collection's
/// sorted keys: the cost follows the records that match, not the collections' size. Keys that
/// are not ids (written by a newer version, or damaged) name no record.
pub(crate) fn resolve_among(
    r: &mut Replica,
    c: &CoalitionId,
    collections: &[&str],
    what: &'static str,
    given: &str,
) -> anyhow::Result<String> {
    Ok(locate_among(r, c, collections, what, given)?.1)
}

/// [`resolve_among`], with the collection the record was found in.
pub(crate) fn locate_among<'a>(
    r: &mut Replica,
    c: &CoalitionId,
    collections: &[&'a str],
    what: &'static str,
    given: &str,
) -> anyhow::Result<(&'a str, String)> {
    use anyhow::Context;
    let lower = given.to_ascii_lowercase();
    if lower.is_empty() {
        return Err(PrefixError::Empty { what }.into());
    }
    let mut ids: Vec<(&'a str, String)> = Vec::new();
    for collection in collections {
        let found = r
            .record_ids_starting(c, collection, &lower)
            .with_context(|| format!("could not read coalition {c}"))?;
        ids.extend(
            found
                .into_iter()
                .filter(|k| model::is_id(k))
                .map(|k| (*collection, k)),
        );
    }
    let id = replica::resolve_prefix(given, what, ids.iter().map(|(_, k)| k.as_str()))?;
    // Found among `ids` just above.
    let (collection, id) =
        ids.iter()
            .find(|(_, k)| k == id)
            .ok_or_else(|| PrefixError::NotFound {
                what,
                given: given.to_owned(),
            })?;
    Ok((*collection, id.clone()))
}

/// The member `given` names among `members`: an id or unique id prefix, or else an
/// organization's exact name (people know each other by name).
pub(crate) fn find_member<'a, M: std::borrow::Borrow<Member>>(
    members: &'a BTreeMap<MemberId, M>,
    given: &str,
) -> Result<&'a MemberId, PrefixError> {
    let by_id = replica::resolve_prefix(given, "member", members.keys().map(MemberId::as_str))
        .map(|id| members.get_key_value(id).map(|(k, _)| k));
    if let Ok(Some(id)) = by_id {
        return Ok(id);
    }
    let by_name: Vec<&Member> = members
        .values()
        .map(|m| m.borrow())
        .filter(|m| m.name.eq_ignore_ascii_case(given.trim()))
        .collect();
    match by_name.as_slice() {
        [m] => Ok(&m.id),
        // Two members of one name (a member can rename itself to another's): say so, with
        // their ids, rather than that there is none.
        [_, _, ..] if !matches!(by_id, Err(PrefixError::Ambiguous { .. })) => {
            Err(PrefixError::Ambiguous {
                what: "member",
                given: given.to_owned(),
                count: by_name.len(),
                examples: by_name
                    .iter()
                    .take(5)
                    .map(|m| m.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
        _ => by_id.and_then(|id| {
            id.ok_or_else(|| PrefixError::NotFound {
                what: "member",
                given: given.to_owned(),
            })
        }),
    }
}

/// The member in force that `given` names (id, prefix or exact name), from the governance.
pub(crate) fn member(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<MemberId> {
    use anyhow::Context;
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    Ok(find_member(&gov.members, given)?.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{ErrorCode, OpError};
    use model::{IssueId, NewIssue};

    /// Ids that share prefixes, resolved through the collection's sorted keys as they were
    /// among every id: a whole id, a unique prefix in any case, an ambiguous one naming its
    /// matches, none, empty.
    #[test]
    fn a_prefix_names_the_one_record_it_starts_or_says_why_not() {
        let (_dir, mut r, c) = crate::testing::replica();
        let ids: Vec<IssueId> = [[0xab; 16], [0xac; 16], [0x12; 16]]
            .into_iter()
            .map(IssueId::from_bytes)
            .collect();
        for id in &ids {
            let new = NewIssue {
                id: id.clone(),
                title: "Bus fares".into(),
                description: String::new(),
                tags: Vec::new(),
                lead: None,
            };
            r.edit(&c, |doc, a| doc.add_issue(&a.member, new, a.now))
                .unwrap();
        }
        let found =
            |r: &mut Replica, given: &str| resolve::<IssueId>(r, &c, "issues", "issue", given);
        assert_eq!(found(&mut r, ids[0].as_str()).unwrap(), ids[0]);
        assert_eq!(found(&mut r, "ABA").unwrap(), ids[0]);
        assert_eq!(found(&mut r, "1").unwrap(), ids[2]);
        let e = found(&mut r, "a").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("`a` matches 2 issues: {}, {}", ids[0], ids[1])
        );
        assert_eq!(OpError::from_anyhow(&e).code, ErrorCode::Ambiguous);
        let e = found(&mut r, "ff").unwrap_err();
        assert_eq!(e.to_string(), "no issue with id `ff`");
        assert_eq!(OpError::from_anyhow(&e).code, ErrorCode::NotFound);
        let e = found(&mut r, "").unwrap_err();
        assert_eq!(OpError::from_anyhow(&e).code, ErrorCode::Invalid);
    }

    /// Two members of one name (a member can rename itself to another's): naming it says
    /// which two, not that there is none.
    #[test]
    fn a_name_two_members_hold_is_ambiguous_and_names_both() {
        let members: std::collections::BTreeMap<model::MemberId, Member> = [0xa1u8, 0xb2, 0xc3]
            .into_iter()
            .map(|b| {
                let id = model::MemberId::from_bytes([b; 16]);
                let name = if b == 0xc3 { "Eastside" } else { "Northside" };
                let m = Member {
                    id: id.clone(),
                    name: name.to_owned(),
                    communities: Vec::new(),
                    languages: Vec::new(),
                    accessibility: Vec::new(),
                    contact: String::new(),
                    keys: Vec::new(),
                    joined_at: model::Timestamp::from_millis(0),
                    left_at: None,
                    admission: None,
                    flagged: Vec::new(),
                };
                (id, m)
            })
            .collect();
        assert_eq!(
            find_member(&members, "eastside").unwrap().as_str(),
            "c3".repeat(16)
        );
        let e = find_member(&members, "Northside").unwrap_err();
        assert!(matches!(e, PrefixError::Ambiguous { count: 2, .. }), "{e}");
        assert!(e.to_string().contains(&"a1".repeat(16)), "{e}");
    }
}
