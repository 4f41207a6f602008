//! Where an operation writes: the path of the object it writes in, and whether the layout
//! admits the operation there.

use std::collections::HashMap;

use automerge::legacy::ObjectId;
use automerge::{ActorId, AutoCommit, Prop, ReadDoc};

use super::Violation;
use crate::ops::{Action, ChangeOps, KeyRef};

/// The map keys from the root to `obj` (list positions as `*`); `None` if the document has
/// no such object.
pub(crate) fn legacy_object_path(doc: &AutoCommit, obj: &ObjectId) -> Option<Vec<String>> {
    match obj {
        ObjectId::Root => Some(Vec::new()),
        ObjectId::Id(id) => object_path(doc, id.0, &id.1),
    }
}

/// The deepest an object may lie in a coalition's document, counted in steps from the root:
/// past every place of the layout (the tests say how deep it goes), so a path longer than
/// this is no place of it.
pub(crate) const MAX_PATH: usize = 32;

/// The map keys from the root to the object made by operation (`counter`, `actor`) (list
/// positions as `*`); `None` if the document has no such object, or none within
/// [`MAX_PATH`] steps of the root (the walk stops there, whatever the document holds).
pub(crate) fn object_path(doc: &AutoCommit, counter: u64, actor: &ActorId) -> Option<Vec<String>> {
    let (exid, _) = doc.import(&format!("{counter}@{actor}")).ok()?;
    let mut path: Vec<String> = doc
        .parents(&exid)
        .ok()?
        .take(MAX_PATH + 1)
        .map(|p| match p.prop {
            Prop::Map(k) => k,
            Prop::Seq(_) => "*".to_owned(),
        })
        .collect();
    if path.len() > MAX_PATH {
        return None;
    }
    path.reverse();
    Some(path)
}

/// The place `path` names in the layout admits the operation `action`; the place, and whether
/// a field along it is fixed once its record is written.
pub(super) fn layout_admits(
    path: &[String],
    action: Action<'_>,
) -> Result<(crate::layout::Slot, bool), Violation> {
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    let (slot, fixed) = crate::layout::resolve(&segments).map_err(|e| match e {
        crate::layout::Unplaced::Unknown(path) => Violation::Unknown { path },
        crate::layout::Unplaced::BadKey(path, key) => Violation::BadValue {
            path,
            why: format!("`{key}` is not a valid key here"),
        },
    })?;
    slot_admits(slot, path, action)?;
    Ok((slot, fixed))
}

/// The part of [`layout_admits`] that depends on the operation: whether `slot` (the place at
/// `path`) admits what it writes.
pub(super) fn slot_admits(
    slot: crate::layout::Slot,
    path: &[String],
    action: Action<'_>,
) -> Result<(), Violation> {
    let write = match action {
        Action::Put(v) => crate::layout::Write::Put(v),
        Action::Make(t) => crate::layout::Write::Make(t),
        Action::Delete => crate::layout::Write::Delete,
        Action::Other(other) => {
            return Err(Violation::BadValue {
                path: path.join("/"),
                why: format!("{other} is not written in a coalition document"),
            });
        }
    };
    slot.admits(write).map_err(|why| Violation::BadValue {
        path: path.join("/"),
        why,
    })
}

/// Every operation of a founding change writes where the layout has a place for it, a value
/// of the right type (the founding creates everything it writes into).
pub(super) fn check_founding_layout(ops: &ChangeOps) -> Result<(), Violation> {
    let mut created: HashMap<u64, Vec<String>> = HashMap::new();
    for op in ops.iter() {
        let mut path = match op.obj() {
            crate::ops::ObjRef::Root => Vec::new(),
            crate::ops::ObjRef::Id(..) => op
                .obj_by_author()
                .and_then(|parent| created.get(&parent))
                .cloned()
                .ok_or_else(|| Violation::BadFounding {
                    why: "it writes into an object it did not make".into(),
                })?,
        };
        path.push(match op.key() {
            KeyRef::Map(k) => k.to_owned(),
            _ => "*".to_owned(),
        });
        layout_admits(&path, op.action())?;
        if let Action::Make(_) = op.action() {
            created.insert(op.id(), path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::layout::{Record, Shape};

    /// How many steps from `shape` its deepest place lies (a record's field, a map's or a
    /// list's item each one step); `None` past `most` (a layout naming itself).
    fn depth(shape: &Shape, most: usize) -> Option<usize> {
        let record = |r: &Record, most: usize| -> Option<usize> {
            r.fields
                .iter()
                .map(|f| depth(&f.shape, most.checked_sub(1)?).map(|d| d + 1))
                .try_fold(0, |deepest, d| Some(deepest.max(d?)))
        };
        match shape {
            Shape::Scalar(_) | Shape::Prose => Some(0),
            Shape::Optional(inner) => depth(inner, most),
            Shape::List(item) | Shape::Map(_, item) => {
                depth(item, most.checked_sub(1)?).map(|d| d + 1)
            }
            Shape::Record(r) => record(r, most),
        }
    }

    #[test]
    fn every_place_of_the_layout_lies_within_the_deepest_path_walked() {
        let deepest = depth(&Shape::Record(&crate::layout::ROOT), super::MAX_PATH)
            .expect("the layout is no deeper than MAX_PATH");
        assert!(deepest < super::MAX_PATH, "{deepest}");
    }
}
