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
