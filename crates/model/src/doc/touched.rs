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
        let paths: Vec<Vec<&str>> = roots.iter().map(|r| vec![*r]).collect();
        self.touched_under(since, &paths)
    }

    /// [`Self::touched_in`] for maps anywhere in the document, each named by its path of map
    /// keys from the root (`["pools", id, "ledger"]`): per path, the keys of that map the
    /// changes since `since` wrote to or wrote under; `None` for a path when the map itself
    /// (or a map above it) was written, or something in it that is not keyed; `None` in all
    /// when it is not cheap to tell.
    pub fn touched_under(
        &mut self,
        since: &[ChangeHash],
        paths: &[Vec<&str>],
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
        let mut touched: Vec<Option<BTreeSet<String>>> = vec![Some(BTreeSet::new()); paths.len()];
        let mut objects: HashMap<ObjectId, Vec<String>> = HashMap::new();
        for change in &changes {
            for op in change.decode().operations {
                let at = match objects.get(&op.obj) {
                    Some(p) => p,
                    None => {
                        let p = crate::rules::legacy_object_path(&self.doc, &op.obj)?;
                        objects.entry(op.obj.clone()).or_insert(p)
                    }
                };
                for (path, found) in paths.iter().zip(touched.iter_mut()) {
                    let Some(f) = found else { continue };
                    match written(path, at, &op.key) {
                        Written::Nothing => {}
                        Written::Key(k) => {
                            f.insert(k);
                        }
                        Written::Whole => *found = None,
                    }
                }
            }
        }
        Some(touched)
    }
}

/// What an operation on the object at `at` with `key` wrote, seen from the map at `path`.
enum Written {
    /// Nothing in that map.
    Nothing,
    /// The map's key given, or something under it.
    Key(String),
    /// The map itself, or something in it that is not keyed.
    Whole,
}

fn written(path: &[&str], at: &[String], key: &Key) -> Written {
    let n = path.len();
    let within = at.len().min(n);
    if path[..within]
        .iter()
        .zip(&at[..within])
        .any(|(p, a)| p != a)
    {
        return Written::Nothing;
    }
    match at.len().cmp(&n) {
        // Below the map: the key of the map it falls under.
        std::cmp::Ordering::Greater => Written::Key(at[n].clone()),
        std::cmp::Ordering::Equal => match key {
            Key::Map(k) => Written::Key(k.to_string()),
            Key::Seq(_) => Written::Whole,
        },
        // Above it: only a write of the key leading to it matters.
        std::cmp::Ordering::Less => match key {
            Key::Map(k) if k.as_str() == path[at.len()] => Written::Whole,
            _ => Written::Nothing,
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failure is a panic
    use crate::testing::founded;
    use crate::{Gift, GiftKind, NewPool, PoolId, PoolKind, Timestamp};

    /// A gift to a pool is seen as written under the pools (that pool), under the pool (its
    /// ledger) and under the ledger (that entry); a new pool is the pool written whole.
    #[test]
    fn writes_are_told_at_every_depth_of_a_path() {
        let (founder, mut doc) = founded();
        let pool = PoolId::from_bytes([4; 16]);
        let before = doc.heads();
        let new = NewPool {
            id: pool.clone(),
            name: "Legal defense fund".into(),
            kind: PoolKind::Funds,
            unit: "USD".into(),
            description: String::new(),
        };
        doc.create_pool(&founder, new, Timestamp::from_millis(1))
            .unwrap();
        let created = doc.heads();
        let gift = Gift {
            entry: crate::EntryId::from_bytes([5; 16]),
            kind: GiftKind::Pledge,
            amount: "25".parse().unwrap(),
            note: "for bail".into(),
        };
        doc.give(&founder, &pool, gift, Timestamp::from_millis(2))
            .unwrap();
        let id = pool.as_str();
        let paths = [
            vec!["pools"],
            vec!["pools", id],
            vec!["pools", id, "ledger"],
            vec!["issues"],
        ];
        let keys = |t: &Option<std::collections::BTreeSet<String>>| {
            t.as_ref().map(|s| s.iter().cloned().collect::<Vec<_>>())
        };
        let t = doc.touched_under(&created, &paths).unwrap();
        let entry = crate::EntryId::from_bytes([5; 16]).to_string();
        assert_eq!(keys(&t[0]), Some(vec![id.to_owned()]));
        assert_eq!(keys(&t[1]), Some(vec!["ledger".to_owned()]));
        assert_eq!(keys(&t[2]), Some(vec![entry]));
        assert_eq!(keys(&t[3]), Some(vec![]));
        // From before the pool: the pool itself was written, and what is under it with it.
        let t = doc.touched_under(&before, &paths).unwrap();
        assert_eq!(keys(&t[0]), Some(vec![id.to_owned()]));
        assert!(t[1].is_none() && t[2].is_none());
    }
}
