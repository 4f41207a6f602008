//! What can go wrong in the replica.

use super::*;

/// Something a replica could not do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicaError {
    /// The home folder has no identity yet.
    #[error("no Coalesce node is set up in {home}; run `coalesce init --org NAME` first")]
    NotInitialized {
        /// The home folder.
        home: PathBuf,
    },
    /// The home folder already has an identity.
    #[error("a Coalesce node is already set up in {home}")]
    AlreadyInitialized {
        /// The home folder.
        home: PathBuf,
    },
    /// The identity file is unreadable.
    #[error("the identity file {path} is not valid: {detail}")]
    Identity {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The system's random source failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
    /// The store could not be opened.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The coalition named does not exist here.
    #[error(transparent)]
    Coalition(#[from] crate::PrefixError),
    /// No coalition was named and this node holds none.
    #[error(
        "this node holds no coalition yet: create one with `coalesce coalition create NAME`, \
         or join one with `coalesce join CODE`"
    )]
    NoCoalition,
    /// No coalition was named and this node holds several.
    #[error(
        "this node holds {count} coalitions; say which with --coalition ID (or a unique \
         prefix, or COALESCE_COALITION): {list}"
    )]
    WhichCoalition {
        /// How many.
        count: usize,
        /// Each one's short id and name.
        list: String,
    },
    /// A stored coalition document could not be read.
    #[error("coalition {coalition}: {source}")]
    Doc {
        /// The coalition.
        coalition: String,
        /// The cause.
        source: Box<DocError>,
    },
    /// The edit was refused.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// A record this node wrote does not read back (damaged on disk).
    #[error("the record {record} in the store is damaged: {detail}")]
    DamagedRecord {
        /// The record's key.
        record: String,
        /// What is wrong.
        detail: String,
    },
    /// A coalition this node is joining or recovering has not arrived yet.
    #[error("coalition {coalition} has not arrived from the other members' nodes yet")]
    NotArrived {
        /// The coalition.
        coalition: String,
    },
    /// A backup file cannot be used.
    #[error(transparent)]
    Backup(#[from] backup::BackupError),
    /// A sealed identity cannot be made or opened.
    #[error("sealed identity: {0}")]
    Sealed(String),
    /// This node's key forked its history in the coalition (two different changes with one
    /// sequence number): it is flagged on every node, which keeps only the version another
    /// member built on.
    #[error(
        "this node's key can no longer write in coalition {coalition}: it wrote two different \
         changes with one sequence number (after its home was copied, or a VM snapshot \
         restored?), so every member's node keeps only the version another member built on. Add a new \
         key for your organization from another of its nodes (`coalesce member key add`), or \
         restore a backup (which draws a new key)"
    )]
    KeyForked {
        /// The coalition.
        coalition: String,
    },
    /// A record of a coalition does not read (written so by another node).
    #[error(
        "the record {record} does not read ({detail}); `coalesce status` lists the records that do not read"
    )]
    Unreadable {
        /// Where it is, e.g. `proposals/<id>`.
        record: String,
        /// Why it does not read.
        detail: String,
    },
    /// Too many joins are pending.
    #[error(
        "{MAX_PENDING_JOINS} joins are pending already: cancel some first (`coalesce join --cancel ID`)"
    )]
    TooManyJoins,
}

/// A record that does not read, as the replica's error.
pub(crate) fn unreadable(u: model::schema::Unreadable) -> ReplicaError {
    ReplicaError::Unreadable {
        record: u.path,
        detail: u.error,
    }
}
