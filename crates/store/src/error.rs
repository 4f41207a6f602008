//! What can go wrong opening a store, and using one.

use super::*;

/// The store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Another process holds the store.
    #[error(
        "the store {path} is in use by another process (is coalesce-node running on this home?)"
    )]
    Locked {
        /// The store file.
        path: PathBuf,
    },
    /// The file is not a Coalesce store.
    #[error("{path} is not a Coalesce store: {detail}")]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
    /// The file is a store but is damaged.
    #[error(
        "the store {path} is damaged and cannot be opened safely: {detail}; restore it from a backup"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What redb reported.
        detail: String,
    },
    /// The file was written by a newer format.
    #[error(
        "the store {path} uses format {found}, newer than this program's {supported}; upgrade Coalesce to open it"
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Format in the file.
        found: u64,
        /// Format this program writes.
        supported: u64,
    },
    /// Migrating an older format failed; the store was left in its old format.
    #[error(
        "could not migrate the store {path} from format {from} to {to}: {source}; the store is unchanged"
    )]
    Migration {
        /// The file.
        path: PathBuf,
        /// Format found in the file.
        from: u64,
        /// Format this program writes.
        to: u64,
        /// The cause.
        source: Box<StoreError>,
    },
    /// The file could not be read or created.
    #[error("could not open the store {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Setting up a new store failed.
    #[error("could not initialize the store {path}: {source}")]
    Init {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: StoreError,
    },
}

/// A read or write failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The storage engine failed (disk error, full disk...).
    #[error("storage failure: {0}")]
    Storage(#[from] redb::Error),
    /// A record was larger than allowed.
    #[error("a {what} of {len} bytes is larger than the limit of {max} bytes")]
    TooLarge {
        /// What kind of record.
        what: &'static str,
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A file beside the store could not be written.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// A document name was empty or too long.
    #[error("invalid document name `{0}`")]
    BadName(String),
}

macro_rules! storage_error {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Storage(e.into())
            }
        }
    )*};
}
storage_error!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

pub(crate) fn classify_open_error(path: &Path, existed: bool, e: redb::DatabaseError) -> OpenError {
    let path = path.to_owned();
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => OpenError::Locked { path },
        redb::DatabaseError::Storage(redb::StorageError::Io(source)) => {
            if existed && source.kind() == std::io::ErrorKind::InvalidData {
                OpenError::Foreign {
                    path,
                    detail: source.to_string(),
                }
            } else {
                OpenError::Io { path, source }
            }
        }
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(detail)) => {
            if looks_foreign(&path) {
                OpenError::Foreign {
                    path,
                    detail: "no store header".into(),
                }
            } else {
                OpenError::Corrupt { path, detail }
            }
        }
        other => {
            if existed && looks_foreign(&path) {
                OpenError::Foreign {
                    path,
                    detail: "no store header".into(),
                }
            } else {
                OpenError::Corrupt {
                    path,
                    detail: other.to_string(),
                }
            }
        }
    }
}

/// Whether the file lacks redb's magic number (so it is some other kind of file).
pub(crate) fn looks_foreign(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 9];
    match std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head != b"redb\x1A\x0A\xA9\x0D\x0A",
        Err(_) => true,
    }
}
