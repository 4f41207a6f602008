//! Durable storage of documents as a snapshot plus the changes made since (redb).
//!
//! The store knows nothing of Automerge or coalitions: a document is a name, an optional
//! snapshot (bytes) and an ordered list of change records (bytes). Its promises:
//!
//! - [`Store::append`] returns only after the changes are on disk (redb commits with fsync);
//!   a crash at any moment loses nothing that was reported written, and the file opens
//!   cleanly afterwards.
//! - [`Store::compact`] replaces a prefix of the changes by a snapshot in one transaction:
//!   after a crash either the old changes or the new snapshot are there, never neither.
//! - One process holds a store at a time; a second gets [`OpenError::Locked`].
//!   [`Store::open_waiting`] waits a bounded time for another process to let go.
//! - No removal can lose data: [`Store::remove_if_empty`] deletes only a document holding no
//!   change, snapshot or signature (a join that never completed).
//! - Every record kind has a size limit ([`MAX_CHANGE_BYTES`], [`MAX_SNAPSHOT_BYTES`],
//!   [`MAX_LOG_ENTRY_BYTES`], [`MAX_NAME_BYTES`]). Besides documents it keeps signatures by change
//!   hash, node-wide records by name, and logs: a log append costs the same whatever the log's
//!   length, and trims to the newest entries in the same transaction.
//! - A file that is not a Coalesce store, is damaged, or was written by a newer format gets a
//!   clear [`OpenError`], never a panic.
//! - A store written by an older format is migrated when opened, in one transaction, after a
//!   copy of the old file is kept beside it (`store.redb.format-N`): a failed or interrupted
//!   migration leaves the old format in place, and nothing stored is lost.
//!
//! Formats: 1 kept the node's refusal log as one JSON array under the record `refused`,
//! rewritten whole on every entry; 2 keeps logs entry by entry ([`Store::append_log`]).
//! The file carries its format ([`FORMAT_VERSION`]); a newer one is refused by name, an older one
//! migrated by the steps in `migrations`, all in one transaction with the version bump.
//! `tests/fixtures/format-1.redb` is a store written by format 1, migrated in the tests.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let store = store::Store::open(&dir.path().join("store.redb")).unwrap();
//! store.append("doc", &[b"change one".as_slice()]).unwrap();
//! let stored = store.load("doc").unwrap().unwrap();
//! assert_eq!(stored.changes, vec![b"change one".to_vec()]);
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod migrations;

pub use error::*;
use migrations::*;

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

/// Format version of the store file written by this code.
pub const FORMAT_VERSION: u64 = 2;
/// Largest change record accepted, in bytes.
pub const MAX_CHANGE_BYTES: usize = 16 * 1024 * 1024;
/// Largest snapshot accepted, in bytes.
pub const MAX_SNAPSHOT_BYTES: usize = 1024 * 1024 * 1024;
/// Longest document name, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// Largest log entry accepted, in bytes.
pub const MAX_LOG_ENTRY_BYTES: usize = 64 * 1024;

const MAGIC: &[u8] = b"coalesce-store";

/// Key → value: `magic`, `version` and other store-wide settings.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Document name → sequence number the next appended change gets.
const DOCS: TableDefinition<&str, u64> = TableDefinition::new("docs");
/// (document name, sequence number) → change record.
const CHANGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("changes");
/// Document name → (first sequence number not covered, snapshot bytes).
const SNAPSHOTS: TableDefinition<&str, (u64, &[u8])> = TableDefinition::new("snapshots");
/// (document name, 32-byte change hash) → 64-byte signature over it.
const SIGNATURES: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("signatures");
/// (log name, sequence number) → entry (format 2 on).
const LOGS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("logs");

/// A change hash and a signature over it, as stored.
pub type StoredSignature = ([u8; 32], [u8; 64]);

/// A document as stored: the latest snapshot, if any, and the changes after it, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredDoc {
    /// The snapshot, if one was written.
    pub snapshot: Option<Vec<u8>>,
    /// Change records written after the snapshot, oldest first.
    pub changes: Vec<Vec<u8>>,
    /// Sequence number the next change will get; pass it to [`Store::compact`].
    pub next_seq: u64,
}

impl StoredDoc {
    /// Snapshot and changes concatenated: the bytes an Automerge `load` takes.
    pub fn concatenated(&self) -> Vec<u8> {
        let len = self.snapshot.as_ref().map_or(0, Vec::len)
            + self.changes.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        if let Some(s) = &self.snapshot {
            out.extend_from_slice(s);
        }
        for c in &self.changes {
            out.extend_from_slice(c);
        }
        out
    }
}

/// An open store file, held exclusively by this process.
#[derive(Debug)]
pub struct Store {
    db: Database,
    path: PathBuf,
}

/// Adds `signatures` of `doc` within the transaction `tx`.
fn put_signatures(
    tx: &redb::WriteTransaction,
    doc: &str,
    signatures: &[StoredSignature],
) -> Result<(), StoreError> {
    if !signatures.is_empty() {
        let mut sigs = tx.open_table(SIGNATURES)?;
        for (hash, sig) in signatures {
            sigs.insert((doc, hash.as_slice()), sig.as_slice())?;
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(StoreError::BadName(name.chars().take(64).collect()));
    }
    Ok(())
}

impl Store {
    /// Opens the store at `path`, creating it if there is no file there.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        let existed = path.exists();
        let db = Database::builder()
            .set_check_integrity_on_open(true)
            .create(path)
            .map_err(|e| classify_open_error(path, existed, e))?;
        let store = Store {
            db,
            path: path.to_owned(),
        };
        store.check_or_init(existed)?;
        tracing::debug!(path = %path.display(), "store opened");
        Ok(store)
    }

    /// Opens the store like [`Store::open`], but while another process holds it (a
    /// `coalesce` command that happens to have it open, or a node starting), waits up to
    /// `wait` for it, trying again every 50 ms; `waiting` is called once, after a second, if
    /// the store is still held, so the caller can say why it waits.
    pub fn open_waiting(
        path: &Path,
        wait: std::time::Duration,
        mut waiting: impl FnMut(),
    ) -> Result<Self, OpenError> {
        let started = std::time::Instant::now();
        let mut told = false;
        loop {
            match Self::open(path) {
                Err(OpenError::Locked { .. }) if started.elapsed() < wait => {
                    if !told && started.elapsed() >= std::time::Duration::from_secs(1) {
                        waiting();
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    /// The store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check_or_init(&self, existed: bool) -> Result<(), OpenError> {
        let init = |source: StoreError| OpenError::Init {
            path: self.path.clone(),
            source,
        };
        let read = self.db.begin_read().map_err(|e| init(e.into()))?;
        let meta = match read.open_table(META) {
            Ok(t) => Some(t),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(init(e.into())),
        };
        let magic = meta
            .as_ref()
            .map(|m| m.get("magic"))
            .transpose()
            .map_err(|e| init(e.into()))?
            .flatten();
        match magic {
            Some(m) if m.value() == MAGIC => {}
            Some(_) => {
                return Err(OpenError::Foreign {
                    path: self.path.clone(),
                    detail: "a redb database of another program".into(),
                });
            }
            None if existed
                && read
                    .list_tables()
                    .map_err(|e| init(e.into()))?
                    .next()
                    .is_some() =>
            {
                return Err(OpenError::Foreign {
                    path: self.path.clone(),
                    detail: "a redb database of another program".into(),
                });
            }
            None => {
                drop(read);
                return self.init().map_err(init);
            }
        }
        let version = meta
            .as_ref()
            .map(|m| m.get("version"))
            .transpose()
            .map_err(|e| init(e.into()))?
            .flatten()
            .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
            .map(u64::from_le_bytes)
            .unwrap_or(0);
        if version > FORMAT_VERSION {
            return Err(OpenError::Newer {
                path: self.path.clone(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if version == 0 {
            return Err(OpenError::Corrupt {
                path: self.path.clone(),
                detail: "the format version is missing".into(),
            });
        }
        drop(meta);
        drop(read);
        if version < FORMAT_VERSION {
            self.migrate(version)?;
        }
        Ok(())
    }

    /// Brings a store of format `from` to [`FORMAT_VERSION`], keeping a copy of the old file.
    fn migrate(&self, from: u64) -> Result<(), OpenError> {
        let failed = |source: StoreError| OpenError::Migration {
            path: self.path.clone(),
            from,
            to: FORMAT_VERSION,
            source: Box::new(source),
        };
        let mut copy = self.path.clone().into_os_string();
        copy.push(format!(".format-{from}"));
        // Nothing writes to the file while this process holds it and no transaction is open,
        // so the copy is the store as last committed.
        std::fs::copy(&self.path, &copy).map_err(|e| failed(StoreError::Io(e)))?;
        let run = || -> Result<(), StoreError> {
            let tx = self.db.begin_write()?;
            for step in from..FORMAT_VERSION {
                // `step` is at least 1 (format 0 was refused above) and below FORMAT_VERSION.
                MIGRATIONS[(step - 1) as usize](&tx)?;
            }
            tx.open_table(META)?
                .insert("version", FORMAT_VERSION.to_le_bytes().as_slice())?;
            tx.commit()?;
            Ok(())
        };
        run().map_err(failed)?;
        tracing::info!(
            path = %self.path.display(),
            from,
            to = FORMAT_VERSION,
            copy = %std::path::Path::new(&copy).display(),
            "store migrated; the old file was kept as a copy"
        );
        Ok(())
    }

    fn init(&self) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            meta.insert("magic", MAGIC)?;
            meta.insert("version", FORMAT_VERSION.to_le_bytes().as_slice())?;
            tx.open_table(DOCS)?;
            tx.open_table(CHANGES)?;
            tx.open_table(SNAPSHOTS)?;
            tx.open_table(SIGNATURES)?;
            tx.open_table(LOGS)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Names of every stored document, sorted.
    pub fn doc_names(&self) -> Result<Vec<String>, StoreError> {
        let read = self.db.begin_read()?;
        let docs = read.open_table(DOCS)?;
        let mut names = Vec::new();
        for row in docs.iter()? {
            names.push(row?.0.value().to_owned());
        }
        Ok(names)
    }

    /// Appends change records to `doc` (creating it), durably: when this returns `Ok`, the
    /// changes survive a crash or power loss.
    pub fn append(&self, doc: &str, changes: &[&[u8]]) -> Result<u64, StoreError> {
        self.append_signed(doc, changes, &[])
    }

    /// Appends change records and signatures to `doc` in one durable transaction.
    pub fn append_signed(
        &self,
        doc: &str,
        changes: &[&[u8]],
        signatures: &[StoredSignature],
    ) -> Result<u64, StoreError> {
        check_name(doc)?;
        if let Some(big) = changes.iter().find(|c| c.len() > MAX_CHANGE_BYTES) {
            return Err(StoreError::TooLarge {
                what: "change",
                len: big.len(),
                max: MAX_CHANGE_BYTES,
            });
        }
        let tx = self.db.begin_write()?;
        let next = {
            let mut docs = tx.open_table(DOCS)?;
            let mut table = tx.open_table(CHANGES)?;
            let mut seq = docs.get(doc)?.map_or(0, |v| v.value());
            for change in changes {
                table.insert((doc, seq), *change)?;
                seq += 1;
            }
            docs.insert(doc, seq)?;
            put_signatures(&tx, doc, signatures)?;
            seq
        };
        tx.commit()?;
        Ok(next)
    }

    /// Every signature stored for `doc`.
    pub fn signatures(&self, doc: &str) -> Result<Vec<StoredSignature>, StoreError> {
        let read = self.db.begin_read()?;
        let table = match read.open_table(SIGNATURES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for row in table.range((doc, [].as_slice())..=(doc, [0xffu8; 33].as_slice()))? {
            let (k, v) = row?;
            let (_, hash) = k.value();
            if let (Ok(hash), Ok(sig)) =
                (<[u8; 32]>::try_from(hash), <[u8; 64]>::try_from(v.value()))
            {
                out.push((hash, sig));
            }
        }
        Ok(out)
    }

    /// The signature stored over the change `hash` of `doc`, if any.
    pub fn signature(&self, doc: &str, hash: &[u8; 32]) -> Result<Option<[u8; 64]>, StoreError> {
        let read = self.db.begin_read()?;
        let table = match read.open_table(SIGNATURES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table
            .get((doc, hash.as_slice()))?
            .and_then(|v| <[u8; 64]>::try_from(v.value()).ok()))
    }

    /// The stored snapshot and changes of `doc`, or `None` if it was never written.
    pub fn load(&self, doc: &str) -> Result<Option<StoredDoc>, StoreError> {
        let read = self.db.begin_read()?;
        let docs = read.open_table(DOCS)?;
        let Some(next_seq) = docs.get(doc)?.map(|v| v.value()) else {
            return Ok(None);
        };
        let snapshots = read.open_table(SNAPSHOTS)?;
        let (from, snapshot) = match snapshots.get(doc)? {
            Some(v) => {
                let (from, bytes) = v.value();
                (from, Some(bytes.to_vec()))
            }
            None => (0, None),
        };
        let table = read.open_table(CHANGES)?;
        let mut changes = Vec::new();
        for row in table.range((doc, from)..(doc, u64::MAX))? {
            changes.push(row?.1.value().to_vec());
        }
        Ok(Some(StoredDoc {
            snapshot,
            changes,
            next_seq,
        }))
    }

    /// Deletes `doc` if it holds nothing (no change, no snapshot, no signature): a document
    /// created for a join that never completed. Returns whether it was deleted; a document
    /// holding anything is left as it is.
    pub fn remove_if_empty(&self, doc: &str) -> Result<bool, StoreError> {
        check_name(doc)?;
        let tx = self.db.begin_write()?;
        {
            let mut docs = tx.open_table(DOCS)?;
            let Some(next) = docs.get(doc)?.map(|v| v.value()) else {
                return Ok(false);
            };
            let snapshots = tx.open_table(SNAPSHOTS)?;
            let changes = tx.open_table(CHANGES)?;
            let signatures = tx.open_table(SIGNATURES)?;
            let held = next > 0
                || snapshots.get(doc)?.is_some()
                || changes.range((doc, 0)..(doc, u64::MAX))?.next().is_some()
                || signatures
                    .range((doc, &[][..])..)?
                    .next()
                    .transpose()?
                    .is_some_and(|(k, _)| k.value().0 == doc);
            if held {
                return Ok(false);
            }
            docs.remove(doc)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Replaces every change of `doc` before `upto` (a [`StoredDoc::next_seq`] read earlier)
    /// by `snapshot`, which must contain them all. Atomic: a crash leaves either the old
    /// changes or the new snapshot.
    pub fn compact(&self, doc: &str, snapshot: &[u8], upto: u64) -> Result<(), StoreError> {
        self.compact_signed(doc, snapshot, upto, &[])
    }

    /// [`Store::compact`], adding `signatures` in the same transaction: a document received
    /// whole is stored with what vouches for it, or not at all.
    pub fn compact_signed(
        &self,
        doc: &str,
        snapshot: &[u8],
        upto: u64,
        signatures: &[StoredSignature],
    ) -> Result<(), StoreError> {
        check_name(doc)?;
        if snapshot.len() > MAX_SNAPSHOT_BYTES {
            return Err(StoreError::TooLarge {
                what: "snapshot",
                len: snapshot.len(),
                max: MAX_SNAPSHOT_BYTES,
            });
        }
        let tx = self.db.begin_write()?;
        {
            let mut snapshots = tx.open_table(SNAPSHOTS)?;
            let mut table = tx.open_table(CHANGES)?;
            let mut docs = tx.open_table(DOCS)?;
            let next = docs.get(doc)?.map_or(0, |v| v.value());
            if upto > next {
                return Err(StoreError::BadName(format!(
                    "{doc}: compaction beyond the last change"
                )));
            }
            snapshots.insert(doc, (upto, snapshot))?;
            table.retain_in((doc, 0)..(doc, upto), |_, _| false)?;
            docs.insert(doc, next)?;
            put_signatures(&tx, doc, signatures)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds `entry` to the end of the log `name`, keeping only its newest `keep` entries, in
    /// one durable transaction. The cost does not grow with the log's length.
    pub fn append_log(&self, name: &str, entry: &[u8], keep: usize) -> Result<(), StoreError> {
        check_name(name)?;
        if entry.len() > MAX_LOG_ENTRY_BYTES {
            return Err(StoreError::TooLarge {
                what: "log entry",
                len: entry.len(),
                max: MAX_LOG_ENTRY_BYTES,
            });
        }
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(LOGS)?;
            let next = table
                .range((name, 0)..=(name, u64::MAX))?
                .next_back()
                .transpose()?
                .map_or(0, |(k, _)| k.value().1 + 1);
            table.insert((name, next), entry)?;
            let first_kept = (next + 1).saturating_sub(keep as u64);
            table.retain_in((name, 0)..(name, first_kept), |_, _| false)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every entry of the log `name`, oldest first (empty if it was never written).
    pub fn log(&self, name: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let read = self.db.begin_read()?;
        let table = read.open_table(LOGS)?;
        let mut out = Vec::new();
        for row in table.range((name, 0)..=(name, u64::MAX))? {
            out.push(row?.1.value().to_vec());
        }
        Ok(out)
    }

    /// A node-wide setting or record (key prefix `node/`), e.g. an invite.
    pub fn get_record(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let read = self.db.begin_read()?;
        let meta = read.open_table(META)?;
        Ok(meta
            .get(format!("node/{key}").as_str())?
            .map(|v| v.value().to_vec()))
    }

    /// Writes a node-wide record durably.
    pub fn put_record(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        check_name(key)?;
        let tx = self.db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            meta.insert(format!("node/{key}").as_str(), value)?;
        }
        tx.commit()?;
        Ok(())
    }
}
