//! Which records the changes made since some heads wrote to, read from the changes'
//! operations: what lets the caches of readers (listing headers, unreadable records, the
//! governance) read again only what changed.

use std::collections::{BTreeSet, HashMap};

use automerge::legacy::{Key, ObjectId};

use super::*;

impl CoalitionDoc {
    /// The ids of the records of the root collection `collection` (`issues`...) that the
    /// changes made since `since` wrote to, from the changes' operations; `None` when that is
    /// not cheap to tell (a head of `since` unknown here, more than [`MAX_TOUCHED_CHANGES`]
    /// changes or `MAX_TOUCHED_OPS` operations, an object not found, or the collection itself
    /// written): read it all again.
    pub fn touched_since(
        &mut self,
        since: &[ChangeHash],
        collection: &str,
    ) -> Option<BTreeSet<String>> {
        self.touched_in(since, &[collection])?.pop().flatten()
    }

    /// [`Self::touched_since`] for several root keys in one pass over the changes: per key
    /// of `roots`, the keys under it written to, or `None` if the key itself was written
    /// (or something under it that is not keyed); `None` in all when it is not cheap to tell.
    pub fn touched_in(
        &mut self,
        since: &[ChangeHash],
        roots: &[&str],
    ) -> Option<Vec<Option<BTreeSet<String>>>> {
        if since
            .iter()
            .any(|h| self.doc.get_change_meta_by_hash(h).is_none())
        {
            return None;
        }
        // Counted from their metadata first: after a long catch-up the changes are not
        // rebuilt only to be thrown away.
        if self.doc.get_changes_meta(since).len() > MAX_TOUCHED_CHANGES {
            return None;
        }
        let changes = self.doc.get_changes(since);
        // Their operations counted before any is decoded: one long text is thousands.
        if changes.iter().map(Change::len).sum::<usize>() > MAX_TOUCHED_OPS {
            return None;
        }
        let mut touched: Vec<Option<BTreeSet<String>>> = vec![Some(BTreeSet::new()); roots.len()];
        let mut paths: HashMap<ObjectId, Vec<String>> = HashMap::new();
        for change in &changes {
            for op in change.decode().operations {
                let path = match paths.get(&op.obj) {
                    Some(p) => p,
                    None => {
                        let p = crate::rules::object_path(&self.doc, &op.obj)?;
                        paths.entry(op.obj.clone()).or_insert(p)
                    }
                };
                for (root, found) in roots.iter().zip(touched.iter_mut()) {
                    match (path.first(), path.get(1), &op.key) {
                        // On the root: only the collection itself matters.
                        (None, _, Key::Map(k)) if k.as_str() == *root => *found = None,
                        (Some(c), Some(id), _) if c == root => {
                            if let Some(f) = found {
                                f.insert(id.clone());
                            }
                        }
                        // On the collection: the key is the record's id.
                        (Some(c), None, Key::Map(id)) if c == root => {
                            if let Some(f) = found {
                                f.insert(id.to_string());
                            }
                        }
                        (Some(c), None, _) if c == root => *found = None,
                        _ => {}
                    }
                }
            }
        }
        Some(touched)
    }
}
