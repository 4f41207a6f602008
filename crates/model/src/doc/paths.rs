//! Finding, reading and making the objects an edit writes to, by path from the root, with
//! the errors that name what is not the shape it should be.

use super::*;

/// Checks that the map at `path` holds a record under `id`, looked up alone (an edit costs the
/// same however many records the map holds): `NotFound` otherwise. Edits take whole ids; what
/// people type (a prefix, a name) is resolved before, by `commands`.
pub(super) fn record_in(
    doc: &AutoCommit,
    path: &[&str],
    id: &str,
    what: &'static str,
) -> Result<(), EditError> {
    match doc.get(&map_at(doc, path)?, id)? {
        Some((automerge::Value::Object(ObjType::Map), _)) => Ok(()),
        _ => Err(EditError::NotFound {
            what,
            id: id.to_owned(),
        }),
    }
}

/// The member records (small: read whole for every edit).
pub(super) fn members(doc: &AutoCommit) -> Result<BTreeMap<MemberId, Member>, EditError> {
    // A record that does not read is left out (see `schema::records`).
    Ok(crate::schema::records(doc, "members", &mut Vec::new()))
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

    /// An edit finds a record by its whole id alone; a prefix or a key that holds no record
    /// is unknown, named as given.
    #[test]
    fn an_edit_finds_a_record_by_its_whole_id_only() {
        let mut doc = AutoCommit::new();
        let issues = doc.put_object(ROOT, "issues", ObjType::Map).unwrap();
        for key in ["ab12", "cd56"] {
            doc.put_object(&issues, key, ObjType::Map).unwrap();
        }
        doc.put(&issues, "ef78", "not a record").unwrap();
        let found = |id: &str| record_in(&doc, &["issues"], id, "issue");
        assert!(found("ab12").is_ok());
        assert!(found("cd56").is_ok());
        for id in ["ab", "cd", "AB12", "ef78", ""] {
            assert_eq!(
                found(id).unwrap_err().to_string(),
                format!("no issue with id `{id}`")
            );
        }
        assert!(record_in(&doc, &["pools"], "ab12", "pool").is_err());
    }
}
