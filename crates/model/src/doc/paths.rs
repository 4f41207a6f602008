//! Finding, reading and making the objects an edit writes to, by path from the root, with
//! the errors that name what is not the shape it should be.

use super::*;

impl EditError {
    pub(super) fn from_id(e: crate::ids::IdError) -> Self {
        EditError::Unknown {
            what: e.what,
            id: e.given,
        }
    }
}

pub(super) fn resolve(
    prefix: &str,
    what: &'static str,
    keys: &[String],
) -> Result<String, EditError> {
    Ok(resolve_prefix(prefix, what, keys.iter().map(String::as_str))?.to_owned())
}

/// The key of the map at `path` that `given` names: the key itself when there is one (a whole
/// id, looked up alone), else the one key it is a unique prefix of (every key read). So an
/// edit given a whole id costs the same however many records the map holds.
pub(super) fn resolve_in(
    doc: &AutoCommit,
    path: &[&str],
    given: &str,
    what: &'static str,
) -> Result<String, EditError> {
    let exact = given.to_ascii_lowercase();
    if !exact.is_empty() && doc.get(&map_at(doc, path)?, exact.as_str())?.is_some() {
        return Ok(exact);
    }
    resolve(given, what, &keys_of(doc, path)?)
}

/// The member records (small: read whole for every edit).
pub(super) fn members(doc: &AutoCommit) -> Result<BTreeMap<MemberId, Member>, EditError> {
    // A record that does not read is left out (see `schema::records`).
    Ok(crate::schema::records(doc, "members", &mut Vec::new()))
}

/// Keys of the map at `path`.
pub(super) fn keys_of(doc: &AutoCommit, path: &[&str]) -> Result<Vec<String>, EditError> {
    let obj = map_at(doc, path)?;
    Ok(doc.keys(&obj).collect())
}

/// Whether the map entry at `path` exists.
pub(super) fn exists(doc: &AutoCommit, path: &[&str]) -> Result<bool, EditError> {
    let Some((last, parent)) = path.split_last() else {
        return Ok(true);
    };
    let obj = map_at(doc, parent)?;
    Ok(doc.get(&obj, *last)?.is_some())
}

/// The typed value at `path`, which must exist.
pub(super) fn read_at<T: autosurgeon::Hydrate>(
    doc: &AutoCommit,
    path: &[&str],
) -> Result<T, EditError> {
    let props = path.iter().map(|p| autosurgeon::Prop::Key((*p).into()));
    autosurgeon::hydrate_path(doc, &ROOT, props)?.ok_or_else(|| shape_error(path))
}

/// The object at `path` (map keys from the root), which must be a map.
pub(super) fn map_at(doc: &AutoCommit, path: &[&str]) -> Result<ObjId, EditError> {
    obj_at(doc, path, ObjType::Map)
}

/// Appends `item` to the list `field` of the record at `record` (made, if the record is from
/// before that field existed).
pub(super) fn append(
    doc: &mut AutoCommit,
    record: &[&str],
    field: &str,
    item: String,
) -> Result<(), EditError> {
    let obj = map_at(doc, record)?;
    let list = match doc.get(&obj, field)? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        Some(_) => return Err(shape_error(&[record, &[field]].concat())),
        None => doc.put_object(&obj, field, ObjType::List)?,
    };
    let len = doc.length(&list);
    doc.insert(&list, len, item)?;
    Ok(())
}

/// The object at `path`, which must be a list.
pub(super) fn list_at(doc: &AutoCommit, path: &[&str]) -> Result<ObjId, EditError> {
    obj_at(doc, path, ObjType::List)
}

pub(super) fn obj_at(doc: &AutoCommit, path: &[&str], want: ObjType) -> Result<ObjId, EditError> {
    let mut obj = ROOT;
    for key in path {
        match doc.get(&obj, *key)? {
            Some((automerge::Value::Object(_), id)) => obj = id,
            _ => return Err(shape_error(path)),
        }
    }
    if doc.object_type(&obj)? != want {
        return Err(shape_error(path));
    }
    Ok(obj)
}

/// The text object at `key` of `obj`; a plain string there is converted to text first.
pub(super) fn text_at(doc: &mut AutoCommit, obj: &ObjId, key: &str) -> Result<ObjId, EditError> {
    match doc.get(obj, key)? {
        Some((automerge::Value::Object(ObjType::Text), id)) => Ok(id),
        _ => Ok(doc.put_object(obj, key, ObjType::Text)?),
    }
}

pub(super) fn shape_error(path: &[&str]) -> EditError {
    DocError::from(autosurgeon::HydrateError::unexpected(
        "an object",
        format!("nothing usable at {}", path.join("/")),
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    /// A whole id is found alone, in any case; a prefix among every key, unique or refused.
    #[test]
    fn a_whole_id_is_looked_up_alone_and_a_prefix_among_every_key() {
        let mut doc = AutoCommit::new();
        let issues = doc.put_object(ROOT, "issues", ObjType::Map).unwrap();
        for key in ["ab12", "ab34", "cd56"] {
            doc.put_object(&issues, key, ObjType::Map).unwrap();
        }
        let found = |given: &str| resolve_in(&doc, &["issues"], given, "issue");
        assert_eq!(found("ab12").unwrap(), "ab12");
        assert_eq!(found("AB12").unwrap(), "ab12");
        assert_eq!(found("cd").unwrap(), "cd56");
        assert!(found("ab").unwrap_err().to_string().contains("ab"));
        assert!(found("ef").is_err());
        assert!(found("").is_err());
        assert!(resolve_in(&doc, &["pools"], "ab12", "pool").is_err());
    }
}
