//! What members keep in their own member records beside their profile (translations, meeting
//! plans, answers to them): each member's maps at one field, read alike. A member's nodes may
//! make such a map at once; Automerge keeps both, and both are read.

use automerge::{ObjId, ObjType, ScalarValue, Value};

use crate::ids::MemberId;
use crate::values::Timestamp;

/// The fields of a member record that hold the member's own words beside its profile: its
/// translations, meeting plans and answers to them, and the statements it drafts and
/// co-signs, and the statements of linked coalitions it carried in. No governance is derived from them and no rule reads them (member records are
/// read by their fields' names), so writing them changes no governance; no admission holds
/// one.
pub(crate) const OWN_FIELDS: [&str; 7] = [
    "translations",
    "plans",
    "availability",
    "statements",
    "cosigns",
    crate::received::STATEMENTS,
    crate::received::ROSTERS,
];

/// The scalar at `key` of `obj`, if one is there.
pub(crate) fn scalar<D: automerge::ReadDoc>(
    doc: &D,
    obj: &ObjId,
    key: &str,
) -> Option<ScalarValue> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
        _ => None,
    }
}

/// `v` as a time, as the layout's times read.
pub(crate) fn time(v: ScalarValue) -> Option<Timestamp> {
    use autosurgeon::Hydrate;
    Timestamp::hydrate_scalar(std::borrow::Cow::Owned(v)).ok()
}

/// The maps `record` holds at `field` (each of them, when its nodes made it at once).
pub(crate) fn maps<D: automerge::ReadDoc>(doc: &D, record: &ObjId, field: &str) -> Vec<ObjId> {
    doc.get_all(record, field)
        .unwrap_or_default()
        .into_iter()
        .filter(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
        .map(|(_, id)| id)
        .collect()
}

/// The member record of `member`, if there is one.
pub(crate) fn record<D: automerge::ReadDoc>(doc: &D, member: &MemberId) -> Option<ObjId> {
    let Ok(Some((Value::Object(ObjType::Map), members))) = doc.get(&automerge::ROOT, "members")
    else {
        return None;
    };
    match doc.get(&members, member.as_str()) {
        Ok(Some((Value::Object(ObjType::Map), record))) => Some(record),
        _ => None,
    }
}

/// Every member, with the maps its record holds at `field`.
pub(crate) fn member_maps<D: automerge::ReadDoc>(
    doc: &D,
    field: &str,
) -> Vec<(MemberId, Vec<ObjId>)> {
    let Ok(Some((Value::Object(ObjType::Map), members))) = doc.get(&automerge::ROOT, "members")
    else {
        return Vec::new();
    };
    doc.keys(&members)
        .filter_map(|member| {
            let by = member.parse::<MemberId>().ok()?;
            let Ok(Some((Value::Object(ObjType::Map), record))) =
                doc.get(&members, member.as_str())
            else {
                return None;
            };
            Some((by, maps(doc, &record, field)))
        })
        .collect()
}
