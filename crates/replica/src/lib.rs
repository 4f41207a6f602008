//! A node's local copy of its coalitions.
//!
//! [`Replica`] opens a home folder (identity and store), loads coalition documents, turns an
//! edit into an Automerge change authored by the node's key, and persists that change durably
//! before reporting success. Both the daemon and the offline command line go through it; nothing
//! else opens the store.
//!
//! Home folder layout:
//!
//! - `identity.json`: organization name and node key (owner-only permissions);
//! - `store.redb`: every coalition document as snapshot plus changes.
//!
//! ```
//! let home = tempfile::tempdir().unwrap();
//! replica::Replica::init(home.path(), "Northside Tenants Union").unwrap();
//! let mut node = replica::Replica::open(home.path()).unwrap();
//! let id = node.found_coalition(replica::NewCoalition {
//!     name: "Transit Justice".into(), frame: "Fare-free buses".into(), ..Default::default()
//! }).unwrap();
//! assert_eq!(node.coalitions().unwrap()[0].id, id);
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod backup;
mod identity;
pub mod sealed;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use model::automerge::{AutoCommit, Change};
use model::signing::{ChangeSignature, HeadIndex};
use model::{
    Coalition, CoalitionDoc, CoalitionId, DocError, EditError, MemberId, MemberProfile, NodeKey,
    Timestamp,
};
use store::{OpenError, Store, StoreError};
use tracing::{debug, info, instrument};

pub use identity::{Identity, MAX_IDENTITY_BYTES, write_private};

/// File name of the identity in a home folder.
pub const IDENTITY_FILE: &str = "identity.json";
/// File name of the store in a home folder.
pub const STORE_FILE: &str = "store.redb";
/// After this many changes stored since the last snapshot, a document is compacted.
pub const COMPACT_AFTER: usize = 1000;

/// How many refusals the node's refusal log keeps.
pub const MAX_REFUSALS: usize = 1000;
const REFUSALS: &str = "refused";
/// Longest reason kept in the refusal log, in bytes.
const MAX_REFUSAL_REASON: usize = 4096;

/// A message or change from a peer that this node refused: kept for the operator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refusal {
    /// When (milliseconds since the Unix epoch).
    pub at: i64,
    /// The peer that sent it (node key, hex).
    pub peer: String,
    /// The coalition concerned, when known and shared with the peer.
    pub coalition: Option<String>,
    /// The rule it broke.
    pub reason: String,
}

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
    Coalition(#[from] model::PrefixError),
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

/// Record holding a coalition's forks (evidence and what it sets aside), as the sync
/// protocol stores it.
pub fn forks_record(id: &CoalitionId) -> String {
    format!("forks/{id}")
}

/// Record listing the node keys that forked in a coalition (hex, JSON).
pub fn forked_record(id: &CoalitionId) -> String {
    format!("forked/{id}")
}

/// Record `n` of those keeping the changes this node had stored that a fork later set aside
/// (see `sync::forks`): out of the document, not lost. Each rebuild adds one record, of the
/// changes not kept already; they are never more than what the store held.
pub fn aside_record(id: &CoalitionId, n: usize) -> String {
    format!("aside/{id}/{n}")
}

/// Format of the [`aside_record`].
const ASIDE_FORMAT: u8 = 1;

/// A change this node had stored that a fork set aside.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AsideChange {
    /// The change's hash (hex).
    pub change: String,
    /// The node key that wrote it.
    pub node: Option<NodeKey>,
    /// Its sequence number among that key's changes.
    pub seq: u64,
    /// When it was made, as its author states.
    pub at: model::Timestamp,
    /// The edit, as its author's node named it.
    pub message: String,
}

/// How long a node with an imported identity takes in coalitions its peers share with it.
pub const RECOVERY_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
const RECOVER_RECORD: &str = "recover-until";
/// Node-wide record of the peers' addresses this node reached (peer key → multiaddr, JSON).
pub const PEERS_RECORD: &str = "peers";
/// Node-wide record of where member nodes listen, as each signed it (postcard, see
/// `sync::addresses`).
pub const ADDRESSES_RECORD: &str = "addresses";
/// Node-wide record of the backups this node took: device key → when (Unix milliseconds,
/// JSON), so that `member key list` can say which keys are backups'.
pub const BACKUPS_RECORD: &str = "backups";
/// Node-wide record of the joins this node started that have not completed: coalition id →
/// [`PendingJoin`] (JSON), so that a restarted node takes them up again.
pub const JOINS_RECORD: &str = "joins";
/// Most joins pending at once.
pub const MAX_PENDING_JOINS: usize = 64;

/// A join this node started and has not completed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingJoin {
    /// The invite code it was started with.
    pub code: String,
    /// The organization's name given to the inviting node.
    pub org: String,
    /// When it was started (Unix milliseconds).
    pub started_at: i64,
}

/// Most backups remembered in [`BACKUPS_RECORD`] (the oldest are forgotten first).
pub const MAX_BACKUPS_REMEMBERED: usize = 1024;

/// What a new coalition is founded with.
#[derive(Debug, Clone, Default)]
pub struct NewCoalition {
    /// Name.
    pub name: String,
    /// Unifying frame.
    pub frame: String,
    /// Core values.
    pub values: Vec<String>,
    /// Non-negotiable commitments.
    pub commitments: Vec<String>,
    /// Share of a pool's allocations above which one member is flagged (default 1/2).
    pub equity_threshold: Option<model::Fraction>,
}

/// One line of the coalition list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoalitionSummary {
    /// Coalition id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: CoalitionId,
    /// Name.
    pub name: String,
    /// Number of members.
    pub members: usize,
    /// Number of issues.
    pub issues: usize,
    /// Number of pools.
    pub pools: usize,
    /// Number of proposals.
    pub proposals: usize,
    /// This node's member id in it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub me: Option<MemberId>,
}

/// Context handed to an edit: who is acting and when.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The acting member (the organization this node belongs to).
    pub member: MemberId,
    /// Now.
    pub now: Timestamp,
}

struct Loaded {
    doc: CoalitionDoc,
    /// The issue headers read at these heads (listings page through them without reading
    /// the issues again while nothing changes).
    issue_headers: Option<Headers<model::records::IssueHeader>>,
    /// The proposal headers read at these heads, likewise.
    proposal_headers: Option<Headers<model::records::ProposalHeader>>,
    /// Each actor's newest signed change.
    index: HeadIndex,
    /// Changes stored since the last snapshot.
    since_snapshot: usize,
}

/// What a listing of issues sorts and filters by, for every issue of a coalition.
pub type IssueHeaders = std::sync::Arc<BTreeMap<model::IssueId, model::records::IssueHeader>>;

/// What a listing of proposals sorts and filters by, for every proposal of a coalition.
pub type ProposalHeaders =
    std::sync::Arc<BTreeMap<model::ProposalId, model::records::ProposalHeader>>;

/// Changes this node made, signed, for the sync protocol to push to peers.
#[derive(Debug, Clone)]
pub struct LocalChange {
    /// The coalition.
    pub coalition: CoalitionId,
    /// The changes, oldest first.
    pub changes: Vec<Change>,
    /// This node's signature over the newest of them.
    pub signature: ChangeSignature,
}

/// The record of when this node last synced with each peer.
pub const LAST_SYNC_RECORD: &str = "last_sync";

/// Most local changes kept for the sync protocol before the oldest are dropped (peers then
/// get them by catching up instead).
pub const MAX_OUTBOX: usize = 10_000;

/// A map of node keys to times as JSON (keys in hex).
fn json_map(map: &BTreeMap<model::NodeKey, i64>) -> Vec<u8> {
    let stored: BTreeMap<String, i64> = map.iter().map(|(k, t)| (k.to_string(), *t)).collect();
    // A map of strings and integers always serializes.
    serde_json::to_vec(&stored).unwrap_or_default()
}

/// [`json_map`]'s bytes read back; unreadable bytes and entries are left out.
fn read_json_map(bytes: &[u8]) -> BTreeMap<model::NodeKey, i64> {
    let stored: BTreeMap<String, i64> = serde_json::from_slice(bytes).unwrap_or_default();
    stored
        .into_iter()
        .filter_map(|(k, t)| Some((k.parse().ok()?, t)))
        .collect()
}

fn stored_signatures(sigs: &[ChangeSignature]) -> Vec<store::StoredSignature> {
    sigs.iter().map(|s| (s.hash, s.signature)).collect()
}

/// A node's local copy of its coalitions, opened exclusively.
pub struct Replica {
    home: PathBuf,
    identity: Identity,
    store: Store,
    docs: HashMap<CoalitionId, Loaded>,
    outbox: Vec<LocalChange>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("home", &self.home)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// Headers of every record of a collection, and the heads they were read at.
type Headers<H> = (
    Vec<model::automerge::ChangeHash>,
    std::sync::Arc<BTreeMap<<H as model::records::Header>::Id, H>>,
);

/// The headers `slot` holds, brought up to the document's heads: if it was read at other
/// heads, only the records the changes since wrote to are read again (when that is cheap to
/// tell, else every header); kept in `slot` for the next call. Records that do not read are
/// left out, as from the whole read (`Coalition::unreadable`).
fn cached<H: model::records::Header>(
    slot: &mut Option<Headers<H>>,
    doc: &mut CoalitionDoc,
) -> std::sync::Arc<BTreeMap<H::Id, H>> {
    let heads = doc.heads();
    if let Some((at, value)) = slot {
        if *at == heads {
            return value.clone();
        }
        if let Some(touched) = doc.touched_since(at, H::COLLECTION) {
            model::records::update_headers(
                doc.automerge(),
                std::sync::Arc::make_mut(value),
                &touched,
            );
            *at = heads;
            return value.clone();
        }
    }
    let value = std::sync::Arc::new(doc.headers::<H>());
    *slot = Some((heads, value.clone()));
    value
}

/// A record that does not read, as the replica's error.
fn unreadable(u: model::schema::Unreadable) -> ReplicaError {
    ReplicaError::Unreadable {
        record: u.path,
        detail: u.error,
    }
}

/// Milliseconds since the epoch now.
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// 16 fresh random bytes for a new record id.
pub fn fresh_id_bytes() -> Result<[u8; 16], ReplicaError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ReplicaError::Random(e.to_string()))?;
    Ok(b)
}

impl Replica {
    /// Sets up a new node in `home` (created if missing): identity and empty store.
    /// Returns the node key.
    pub fn init(home: &Path, org: &str) -> Result<NodeKey, ReplicaError> {
        check_org(org)?;
        // Create the store first: if another process holds it, nothing is written.
        let (id_path, store) = fresh_home(home)?;
        drop(store);
        let identity = Identity::generate(org)?;
        identity.write_new(&id_path)?;
        info!(home = %home.display(), node = %identity.node_key(), "node initialized");
        Ok(identity.node_key())
    }

    /// Opens the node in `home`.
    pub fn open(home: &Path) -> Result<Self, ReplicaError> {
        let id_path = home.join(IDENTITY_FILE);
        if !id_path.exists() {
            return Err(ReplicaError::NotInitialized {
                home: home.to_owned(),
            });
        }
        let identity = Identity::read(&id_path)?;
        let store = open_store(home)?;
        keep_private(home)?;
        Ok(Self {
            home: home.to_owned(),
            identity,
            store,
            docs: HashMap::new(),
            outbox: Vec::new(),
        })
    }

    /// The home folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The node's identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The organization's name as the identity file now says: `coalesce rename` rewrites
    /// that file while a node may be running, and what the node writes next (a coalition
    /// founded, a join, a backup) carries the new name without a restart. A file that does
    /// not read, or holds another key, changes nothing.
    pub fn org_name(&mut self) -> String {
        if let Ok(on_disk) = Identity::read(&self.home.join(IDENTITY_FILE))
            && on_disk.node_key() == self.identity.node_key()
            && on_disk.org() != self.identity.org()
        {
            info!(
                org = on_disk.org(),
                "organization renamed while the node ran"
            );
            self.identity = self.identity.renamed(on_disk.org());
        }
        self.identity.org().to_owned()
    }

    /// A node-wide record (invites and the like).
    pub fn record(&self, key: &str) -> Result<Option<Vec<u8>>, ReplicaError> {
        Ok(self.store.get_record(key)?)
    }

    /// Writes a node-wide record durably.
    pub fn put_record(&self, key: &str, value: &[u8]) -> Result<(), ReplicaError> {
        Ok(self.store.put_record(key, value)?)
    }

    /// When this node last synced with each peer (Unix milliseconds), as last saved by
    /// [`Replica::save_last_syncs`]: kept across restarts so that `status` does not forget
    /// it. An unreadable record reads as empty (it is rewritten at the next save).
    pub fn last_syncs(&self) -> Result<BTreeMap<model::NodeKey, i64>, ReplicaError> {
        Ok(self
            .record(LAST_SYNC_RECORD)?
            .map(|bytes| read_json_map(&bytes))
            .unwrap_or_default())
    }

    /// The backups this node took: each one's device key and when (Unix milliseconds). An
    /// unreadable record reads as empty.
    pub fn backups_taken(&self) -> Result<BTreeMap<model::NodeKey, i64>, ReplicaError> {
        Ok(self
            .record(BACKUPS_RECORD)?
            .map(|bytes| read_json_map(&bytes))
            .unwrap_or_default())
    }

    /// Saves when this node last synced with each peer.
    pub fn save_last_syncs(
        &self,
        last: &BTreeMap<model::NodeKey, i64>,
    ) -> Result<(), ReplicaError> {
        self.put_record(LAST_SYNC_RECORD, &json_map(last))
    }

    /// Keeps a refused message or change in the node's refusal log (the newest
    /// [`MAX_REFUSALS`]), for `coalesce audit refused`.
    pub fn log_refusal(&self, mut refusal: Refusal) -> Result<(), ReplicaError> {
        // A peer chooses much of a refusal's reason: keep the entry well under the store's
        // limit for one log entry.
        if refusal.reason.len() > MAX_REFUSAL_REASON {
            let mut end = MAX_REFUSAL_REASON;
            while !refusal.reason.is_char_boundary(end) {
                end -= 1;
            }
            refusal.reason.truncate(end);
            refusal.reason.push('…');
        }
        // Serializing plain strings and numbers cannot fail.
        let bytes = serde_json::to_vec(&refusal).unwrap_or_default();
        Ok(self.store.append_log(REFUSALS, &bytes, MAX_REFUSALS)?)
    }

    /// The refusal log, oldest first. A damaged entry is skipped rather than failing.
    pub fn refusals(&self) -> Result<Vec<Refusal>, ReplicaError> {
        Ok(self
            .store
            .log(REFUSALS)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }

    /// The underlying store (for status reports).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Ids of every coalition held here.
    pub fn coalition_ids(&self) -> Result<Vec<CoalitionId>, ReplicaError> {
        Ok(self
            .store
            .doc_names()?
            .into_iter()
            .filter_map(|n| n.parse().ok())
            .collect())
    }

    /// Resolves a coalition id or unique prefix.
    pub fn resolve(&self, prefix: &str) -> Result<CoalitionId, ReplicaError> {
        let names = self.store.doc_names()?;
        let found = model::resolve_prefix(prefix, "coalition", names.iter().map(String::as_str))?;
        found.parse().map_err(|e: model::IdError| {
            ReplicaError::Coalition(model::PrefixError::NotFound {
                what: "coalition",
                given: e.given,
            })
        })
    }

    /// The coalition `given` names (an id or unique prefix); when none is given, the only one
    /// this node holds (and `true`: chosen, not named).
    pub fn resolve_or_only(
        &mut self,
        given: Option<&str>,
    ) -> Result<(CoalitionId, bool), ReplicaError> {
        if let Some(prefix) = given {
            return Ok((self.resolve(prefix)?, false));
        }
        // Counted from the store's names; the documents are read only to list them.
        let mut ids = self.coalition_ids()?;
        match ids.len() {
            0 => Err(ReplicaError::NoCoalition),
            1 => Ok((ids.remove(0), true)),
            count => {
                // Their names alone (no counts): the list a person picks from, by name.
                let mut named = Vec::new();
                for id in ids {
                    if self.is_joining(&id) {
                        continue;
                    }
                    let name = self.loaded(&id)?.doc.name().unwrap_or_default();
                    named.push((name, id));
                }
                named.sort();
                Err(ReplicaError::WhichCoalition {
                    count,
                    list: named
                        .iter()
                        .map(|(name, id)| format!("{} ({name})", id.short()))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }

    /// A summary of every coalition held here, by name.
    pub fn coalitions(&mut self) -> Result<Vec<CoalitionSummary>, ReplicaError> {
        let key = self.identity.node_key();
        let mut out = Vec::new();
        for id in self.coalition_ids()? {
            if self.is_joining(&id) {
                // Being joined: nothing has arrived yet.
                continue;
            }
            // Counted from the governance, the listings' headers and the pools, not from a
            // whole read of every coalition.
            let gov = self.in_force(&id)?;
            let issues = self.issue_headers(&id)?.len();
            let proposals = self.proposal_headers(&id)?.len();
            let loaded = self.loaded(&id)?;
            let name = loaded.doc.name().map_err(|source| ReplicaError::Doc {
                coalition: id.to_string(),
                source: Box::new(source),
            })?;
            let pools = loaded.doc.pool_count();
            out.push(CoalitionSummary {
                me: gov
                    .members
                    .values()
                    .find(|m| m.keys.contains(&key))
                    .map(|m| m.id.clone()),
                members: gov.members.len(),
                id,
                name,
                issues,
                pools,
                proposals,
            });
        }
        out.sort_by(|a, b| (a.name.as_str(), &a.id).cmp(&(b.name.as_str(), &b.id)));
        Ok(out)
    }

    /// Every coalition held here whose data has arrived, read once each, by name.
    pub fn arrived(&mut self) -> Result<Vec<(CoalitionId, Coalition)>, ReplicaError> {
        let mut out = Vec::new();
        for id in self.coalition_ids()? {
            match self.read(&id) {
                Ok(c) => out.push((id, c)),
                // Being joined: nothing has arrived yet.
                Err(ReplicaError::NotArrived { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| {
            (a.1.charter.name.as_str(), &a.0).cmp(&(b.1.charter.name.as_str(), &b.0))
        });
        Ok(out)
    }

    /// Founds a new coalition with this node's organization as first member.
    #[instrument(skip_all, fields(coalition))]
    pub fn found_coalition(&mut self, new: NewCoalition) -> Result<CoalitionId, ReplicaError> {
        let id = CoalitionId::from_bytes(fresh_id_bytes()?);
        tracing::Span::current().record("coalition", tracing::field::display(&id));
        let founding = model::Founding {
            id: id.clone(),
            name: new.name,
            frame: new.frame,
            values: new.values,
            commitments: new.commitments,
            equity_threshold: new.equity_threshold,
            founder_id: MemberId::from_bytes(fresh_id_bytes()?),
            founder: MemberProfile::named(self.org_name()),
            at: now(),
        };
        let mut doc = CoalitionDoc::found(self.identity.node_key(), founding)?;
        let changes = doc.changes_since(&[]);
        let raw: Vec<&[u8]> = changes.iter().map(|c| c.raw_bytes()).collect();
        let sigs: Vec<ChangeSignature> = changes
            .last()
            .map(|c| self.identity.sign(&c.hash()))
            .into_iter()
            .collect();
        self.store
            .append_signed(id.as_str(), &raw, &stored_signatures(&sigs))?;
        let since_snapshot = raw.len();
        let mut index = HeadIndex::default();
        for sig in sigs {
            index.offer(doc.automerge_mut(), sig);
        }
        info!("coalition founded");
        self.docs.insert(
            id.clone(),
            Loaded {
                doc,
                issue_headers: None,
                proposal_headers: None,
                index,
                since_snapshot,
            },
        );
        Ok(id)
    }

    fn loaded(&mut self, id: &CoalitionId) -> Result<&mut Loaded, ReplicaError> {
        if !self.docs.contains_key(id) {
            let stored =
                self.store
                    .load(id.as_str())?
                    .ok_or_else(|| model::PrefixError::NotFound {
                        what: "coalition",
                        given: id.to_string(),
                    })?;
            let bytes = stored.concatenated();
            let mut doc = if bytes.is_empty() {
                // A coalition being joined whose changes have not arrived yet.
                CoalitionDoc::joining(id.clone(), self.identity.node_key())
            } else {
                CoalitionDoc::load(&bytes, self.identity.node_key()).map_err(|source| {
                    ReplicaError::Doc {
                        coalition: id.to_string(),
                        source: Box::new(source),
                    }
                })?
            };
            let sigs = self.store.signatures(id.as_str())?;
            let index = HeadIndex::rebuild(
                doc.automerge_mut(),
                sigs.into_iter()
                    .map(|(hash, signature)| ChangeSignature { hash, signature }),
            );
            debug!(coalition = %id, changes = stored.changes.len(), snapshot = stored.snapshot.is_some(), "document loaded");
            let mut loaded = Loaded {
                doc,
                issue_headers: None,
                proposal_headers: None,
                index,
                since_snapshot: stored.changes.len(),
            };
            compact_if_due(&self.store, id, &mut loaded, stored.next_seq);
            self.docs.insert(id.clone(), loaded);
        }
        // Inserted just above when missing.
        self.docs.get_mut(id).ok_or_else(|| {
            model::PrefixError::NotFound {
                what: "coalition",
                given: id.to_string(),
            }
            .into()
        })
    }

    /// The ids of a coalition's records in the collection `key`, without reading them.
    pub fn record_ids(&mut self, id: &CoalitionId, key: &str) -> Result<Vec<String>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.record_ids(key))
    }

    /// Whether the collection `key` of a coalition holds a record under `record` (a whole id),
    /// looked up alone.
    pub fn has_record(
        &mut self,
        id: &CoalitionId,
        key: &str,
        record: &str,
    ) -> Result<bool, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.has_record(key, record))
    }

    fn arrived_or_err(&mut self, id: &CoalitionId) -> Result<(), ReplicaError> {
        if self.is_joining(id) {
            return Err(ReplicaError::NotArrived {
                coalition: id.to_string(),
            });
        }
        Ok(())
    }

    /// One proposal of a coalition, read alone.
    pub fn proposal(
        &mut self,
        id: &CoalitionId,
        proposal: &model::ProposalId,
    ) -> Result<Option<model::schema::Proposal>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.proposal(proposal).map_err(unreadable)
    }

    /// One pool of a coalition with its ledger, read alone.
    pub fn pool(
        &mut self,
        id: &CoalitionId,
        pool: &model::PoolId,
    ) -> Result<Option<model::schema::Pool>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.pool(pool).map_err(unreadable)
    }

    /// The charter of a coalition in force now, with its ratified versions and the
    /// governance it was derived under, without its other records.
    pub fn charter(&mut self, id: &CoalitionId) -> Result<model::CharterInForce, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.charter_at(now())?)
    }

    /// One meeting of a coalition, read alone.
    pub fn meeting(
        &mut self,
        id: &CoalitionId,
        meeting: &model::MeetingId,
    ) -> Result<Option<model::schema::Meeting>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.meeting(meeting).map_err(unreadable)
    }

    /// Every meeting of a coalition that reads, without its other records.
    pub fn meetings(
        &mut self,
        id: &CoalitionId,
    ) -> Result<std::collections::BTreeMap<model::MeetingId, model::schema::Meeting>, ReplicaError>
    {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.meetings())
    }

    /// One issue of a coalition, read alone.
    pub fn issue(
        &mut self,
        id: &CoalitionId,
        issue: &model::IssueId,
    ) -> Result<Option<model::schema::Issue>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.issue(issue).map_err(unreadable)
    }

    /// What a listing of a coalition's issues sorts and filters by, without their texts (the
    /// issues that read); after a change, only the issues it wrote to are read again.
    pub fn issue_headers(&mut self, id: &CoalitionId) -> Result<IssueHeaders, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        Ok(cached(&mut loaded.issue_headers, &mut loaded.doc))
    }

    /// What a listing of a coalition's proposals sorts and filters by, as
    /// [`Replica::issue_headers`] for issues.
    pub fn proposal_headers(&mut self, id: &CoalitionId) -> Result<ProposalHeaders, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        Ok(cached(&mut loaded.proposal_headers, &mut loaded.doc))
    }

    /// The governance of a coalition in force now: its members in force, rules and passed
    /// decisions (without reading its other records).
    pub fn in_force(
        &mut self,
        id: &CoalitionId,
    ) -> Result<std::sync::Arc<model::governance::InForce>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.in_force(now())?)
    }

    /// The whole state of a coalition in force now (proposals past their closing time are
    /// decided).
    pub fn read(&mut self, id: &CoalitionId) -> Result<Coalition, ReplicaError> {
        if self.is_joining(id) {
            return Err(ReplicaError::NotArrived {
                coalition: id.to_string(),
            });
        }
        let loaded = self.loaded(id)?;
        loaded
            .doc
            .read_at(now())
            .map_err(|source| ReplicaError::Doc {
                coalition: id.to_string(),
                source: Box::new(source),
            })
    }

    /// How many of this node's changes of a coalition a peer whose heads are `heads` lacks;
    /// `None` if some of those heads are unknown here (the peer has changes this node lacks).
    pub fn missing_from(
        &mut self,
        id: &CoalitionId,
        heads: &[model::automerge::ChangeHash],
    ) -> Result<Option<usize>, ReplicaError> {
        let doc = self.loaded(id)?.doc.automerge_mut();
        if heads
            .iter()
            .any(|h| doc.document().get_change_meta_by_hash(h).is_none())
        {
            return Ok(None);
        }
        // Counted from the change graph's metadata: no change is rebuilt.
        Ok(Some(doc.document().get_changes_meta(heads).len()))
    }

    /// Every change of a coalition, oldest first; only those touching `record` if given.
    pub fn history(
        &mut self,
        id: &CoalitionId,
        record: Option<&str>,
    ) -> Result<Vec<model::history::Entry>, ReplicaError> {
        let loaded = self.loaded(id)?;
        loaded
            .doc
            .history(record)
            .map_err(|source| ReplicaError::Doc {
                coalition: id.to_string(),
                source: Box::new(source),
            })
    }

    /// When each of `member`'s node keys was certified in coalition `id` and what it signed.
    pub fn key_activity(
        &mut self,
        id: &CoalitionId,
        member: &model::schema::Member,
    ) -> Result<Vec<model::history::KeyActivity>, ReplicaError> {
        Ok(self.loaded(id)?.doc.key_activity(member))
    }

    /// The member this node acts for in a coalition.
    pub fn me(&mut self, id: &CoalitionId) -> Result<MemberId, ReplicaError> {
        let key = self.identity.node_key();
        Ok(self.loaded(id)?.doc.member_for_key(key)?)
    }

    /// Flags, as this node's member, `keys` found writing two histories in coalition `id`
    /// (the sync protocol checked the evidence and knows which version is kept, see
    /// `sync::forks`): once two members other than its own have, what such a key writes
    /// after seeing the flags is refused on every node. Keys this member flagged already,
    /// its own organization's keys and keys of no member in force are skipped, and a member
    /// not in force (or a node whose own key forked) flags nothing. Returns how many keys it
    /// flagged now.
    #[instrument(skip_all, fields(coalition = %id))]
    pub fn flag_forked(
        &mut self,
        id: &CoalitionId,
        keys: &[NodeKey],
    ) -> Result<usize, ReplicaError> {
        if keys.is_empty() {
            return Ok(0);
        }
        match self.edit(id, |doc, a| doc.flag_keys(&a.member, keys, a.now)) {
            Ok(n) => {
                if n > 0 {
                    info!(
                        keys = n,
                        "flagged member nodes' keys that wrote two histories"
                    );
                }
                Ok(n)
            }
            // No member's key here any more, or this node's own key forked or refused:
            // nothing to flag.
            Err(
                ReplicaError::KeyForked { .. }
                | ReplicaError::Edit(EditError::NotAMember { .. } | EditError::KeyFlagged { .. }),
            ) => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Runs an edit as this node's member and stores the resulting change durably before
    /// returning. If storing fails, the in-memory copy is dropped so it cannot run ahead of
    /// the store.
    #[instrument(skip_all, fields(coalition = %id))]
    pub fn edit<T>(
        &mut self,
        id: &CoalitionId,
        f: impl FnOnce(&mut CoalitionDoc, &Actor) -> Result<T, EditError>,
    ) -> Result<T, ReplicaError> {
        if self.forked(id)?.contains(&self.identity.node_key()) {
            return Err(ReplicaError::KeyForked {
                coalition: id.to_string(),
            });
        }
        let member = self.me(id)?;
        let actor = Actor { member, now: now() };
        let loaded = self.loaded(id)?;
        let before = loaded.doc.heads();
        let value = f(&mut loaded.doc, &actor)?;
        let changes = loaded.doc.changes_since(&before);
        let Some(newest) = changes.last().map(Change::hash) else {
            return Ok(value); // the edit changed nothing
        };
        let signature = self.identity.sign(&newest);
        let raw: Vec<&[u8]> = changes.iter().map(|c| c.raw_bytes()).collect();
        match self.store.append_signed(
            id.as_str(),
            &raw,
            &stored_signatures(std::slice::from_ref(&signature)),
        ) {
            Ok(next_seq) => {
                debug!(changes = raw.len(), "edit stored");
                let count = raw.len();
                drop(raw);
                if let Some(loaded) = self.docs.get_mut(id) {
                    loaded
                        .index
                        .offer(loaded.doc.automerge_mut(), signature.clone());
                    loaded.since_snapshot += count;
                    // The edit is stored: a compaction that fails now is retried later and
                    // never reported as the edit failing (a retry would make a duplicate).
                    compact_if_due(&self.store, id, loaded, next_seq);
                }
                if self.outbox.len() >= MAX_OUTBOX {
                    self.outbox.remove(0);
                }
                self.outbox.push(LocalChange {
                    coalition: id.clone(),
                    changes,
                    signature,
                });
                Ok(value)
            }
            Err(e) => {
                self.docs.remove(id);
                Err(e.into())
            }
        }
    }

    /// Local changes made since the last call, for the sync protocol to push.
    pub fn drain_local_changes(&mut self) -> Vec<LocalChange> {
        std::mem::take(&mut self.outbox)
    }

    /// A coalition's Automerge document and head index, for the sync protocol.
    pub fn sync_entry(
        &mut self,
        id: &CoalitionId,
    ) -> Result<(&mut AutoCommit, &mut HeadIndex), ReplicaError> {
        let loaded = self.loaded(id)?;
        Ok((loaded.doc.automerge_mut(), &mut loaded.index))
    }

    /// Makes changes received from peers (already verified) and their signatures durable.
    pub fn persist_remote(
        &mut self,
        id: &CoalitionId,
        changes: &[Change],
        signatures: &[ChangeSignature],
    ) -> Result<(), ReplicaError> {
        let raw: Vec<&[u8]> = changes.iter().map(|c| c.raw_bytes()).collect();
        let next_seq =
            self.store
                .append_signed(id.as_str(), &raw, &stored_signatures(signatures))?;
        if let Some(loaded) = self.docs.get_mut(id) {
            loaded.since_snapshot += raw.len();
            // A node that only receives compacts too.
            compact_if_due(&self.store, id, loaded, next_seq);
        }
        Ok(())
    }

    /// The node keys known to have forked their history in a coalition (see `sync::forks`).
    pub fn forked(&self, id: &CoalitionId) -> Result<Vec<NodeKey>, ReplicaError> {
        let Some(bytes) = self.record(&forked_record(id))? else {
            return Ok(Vec::new());
        };
        let keys: Vec<String> = serde_json::from_slice(&bytes).unwrap_or_default();
        Ok(keys.iter().filter_map(|k| k.parse().ok()).collect())
    }

    /// Stores a coalition's forks record and the keys that forked.
    pub fn save_forks(
        &mut self,
        id: &CoalitionId,
        record: &[u8],
        forked: &[NodeKey],
    ) -> Result<(), ReplicaError> {
        self.put_record(&forks_record(id), record)?;
        let keys: Vec<String> = forked.iter().map(ToString::to_string).collect();
        // A list of strings always serializes.
        let json = serde_json::to_vec(&keys).unwrap_or_default();
        self.put_record(&forked_record(id), &json)
    }

    /// Stores the in-memory document of a coalition whole (after changes were set aside),
    /// replacing what was stored; the changes set aside (`aside`, raw) are kept first in
    /// the coalition's [`aside_record`]s.
    pub fn store_whole(&mut self, id: &CoalitionId, aside: &[&[u8]]) -> Result<(), ReplicaError> {
        self.keep_aside(id, aside)?;
        let next = self.store.load(id.as_str())?.map_or(0, |s| s.next_seq);
        self.loaded(id)?;
        match self.docs.get_mut(id) {
            Some(loaded) => compact(&self.store, id, loaded, next),
            None => Ok(()),
        }
    }

    /// The signature stored over a change of a coalition, if any.
    pub fn signature(
        &self,
        id: &CoalitionId,
        hash: &[u8; 32],
    ) -> Result<Option<ChangeSignature>, ReplicaError> {
        Ok(self
            .store
            .signature(id.as_str(), hash)?
            .map(|signature| ChangeSignature {
                hash: *hash,
                signature,
            }))
    }

    /// Every change kept aside in a coalition, raw, and how many records hold them.
    fn aside_raw(&self, id: &CoalitionId) -> Result<(Vec<Vec<u8>>, usize), ReplicaError> {
        let mut all = Vec::new();
        let mut n = 0;
        while let Some(bytes) = self.record(&aside_record(id, n))? {
            // Said rather than skipped: the edits it holds exist nowhere else.
            let damaged = |detail: String| ReplicaError::DamagedRecord {
                record: aside_record(id, n),
                detail,
            };
            match bytes.split_first() {
                Some((&ASIDE_FORMAT, rest)) => all.extend(
                    postcard::from_bytes::<Vec<Vec<u8>>>(rest)
                        .map_err(|e| damaged(e.to_string()))?,
                ),
                _ => return Err(damaged("unknown format".into())),
            }
            n += 1;
        }
        Ok((all, n))
    }

    fn keep_aside(&self, id: &CoalitionId, aside: &[&[u8]]) -> Result<(), ReplicaError> {
        if aside.is_empty() {
            return Ok(());
        }
        let (kept, n) = self.aside_raw(id)?;
        let known: std::collections::HashSet<&[u8]> = kept.iter().map(Vec::as_slice).collect();
        let new: Vec<&[u8]> = aside
            .iter()
            .copied()
            .filter(|raw| !known.contains(raw))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let mut out = vec![ASIDE_FORMAT];
        // Serializing byte slices into a Vec cannot fail.
        out.extend(postcard::to_stdvec(&new).unwrap_or_default());
        self.put_record(&aside_record(id, n), &out)
    }

    /// How many changes this node keeps aside in a coalition (the changes are not parsed).
    pub fn aside_count(&self, id: &CoalitionId) -> Result<usize, ReplicaError> {
        Ok(self.aside_raw(id)?.0.len())
    }

    /// The changes this node had stored in a coalition that a fork set aside, as kept.
    pub fn aside(&self, id: &CoalitionId) -> Result<Vec<AsideChange>, ReplicaError> {
        Ok(self
            .aside_raw(id)?
            .0
            .into_iter()
            .filter_map(|raw| Change::from_bytes(raw).ok())
            .map(|c| AsideChange {
                change: c.hash().to_string(),
                node: <[u8; 32]>::try_from(c.actor_id().to_bytes())
                    .ok()
                    .map(NodeKey::from_bytes),
                seq: c.seq(),
                // Changes state their time in seconds (`CoalitionDoc` commits so).
                at: model::Timestamp::from_secs(c.timestamp()),
                message: c.message().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Forgets the in-memory copy of a coalition; the next use loads it again from the store.
    /// For a document Automerge panicked on, which may be inconsistent: the store holds only
    /// what was checked and applied.
    pub fn discard(&mut self, id: &CoalitionId) {
        self.docs.remove(id);
    }

    /// Whether a coalition is held but none of it has arrived yet (being joined).
    pub fn is_joining(&mut self, id: &CoalitionId) -> bool {
        self.loaded(id).is_ok_and(|l| l.doc.heads().is_empty())
    }

    /// The joins this node started that have not completed. An unreadable record reads as
    /// none.
    pub fn pending_joins(&self) -> Result<BTreeMap<CoalitionId, PendingJoin>, ReplicaError> {
        let stored: BTreeMap<String, PendingJoin> = self
            .record(JOINS_RECORD)?
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Ok(stored
            .into_iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
            .collect())
    }

    fn save_pending_joins(
        &self,
        joins: &BTreeMap<CoalitionId, PendingJoin>,
    ) -> Result<(), ReplicaError> {
        let stored: BTreeMap<String, &PendingJoin> =
            joins.iter().map(|(k, v)| (k.to_string(), v)).collect();
        // Strings and integers always serialize.
        let bytes = serde_json::to_vec(&stored).unwrap_or_default();
        self.put_record(JOINS_RECORD, &bytes)
    }

    /// Starts holding coalition `id`, which this node joins with `join`, and remembers the
    /// join until it completes or is ended (see [`Replica::end_join`]).
    pub fn start_join(&mut self, id: &CoalitionId, join: PendingJoin) -> Result<(), ReplicaError> {
        let mut joins = self.pending_joins()?;
        if joins.len() >= MAX_PENDING_JOINS && !joins.contains_key(id) {
            return Err(ReplicaError::TooManyJoins);
        }
        self.create_joining(id)?;
        joins.insert(id.clone(), join);
        self.save_pending_joins(&joins)
    }

    /// Ends the pending join of `id` (completed, refused or cancelled): forgets it and, if
    /// nothing of the coalition arrived, stops holding it. Returns whether a join was pending.
    pub fn end_join(&mut self, id: &CoalitionId) -> Result<bool, ReplicaError> {
        let mut joins = self.pending_joins()?;
        let pending = joins.remove(id).is_some();
        if pending {
            self.save_pending_joins(&joins)?;
        }
        if self.store.remove_if_empty(id.as_str())? {
            self.docs.remove(id);
        }
        Ok(pending)
    }

    /// Starts holding a coalition this node is joining, before any of it has arrived.
    pub fn create_joining(&mut self, id: &CoalitionId) -> Result<(), ReplicaError> {
        if self.store.load(id.as_str())?.is_none() {
            self.store.append(id.as_str(), &[])?;
        }
        self.loaded(id)?;
        Ok(())
    }

    /// The coalition's document in Automerge's standard format.
    pub fn save(&mut self, id: &CoalitionId) -> Result<Vec<u8>, ReplicaError> {
        Ok(self.loaded(id)?.doc.save())
    }

    /// Takes a backup (see [`backup`]): draws a new device key, adds it to this node's member
    /// record in every coalition where its organization is a member in force (changes pushed
    /// to peers like any edit), and returns the backup file's bytes with the new key.
    #[instrument(skip_all)]
    pub fn backup(&mut self) -> Result<(Vec<u8>, NodeKey), ReplicaError> {
        let next = Identity::generate(&self.org_name())?;
        let key = next.node_key();
        let mut coalitions = Vec::new();
        for id in self.coalition_ids()? {
            if self.is_joining(&id) {
                continue;
            }
            let me = self.me(&id)?;
            let member = self
                .loaded(&id)?
                .doc
                .in_force(now())?
                .members
                .contains_key(me.as_str());
            if member {
                self.edit(&id, |doc, a| doc.add_device_key(&a.member, key, a.now))?;
            }
            coalitions.push(backup::BackupCoalition {
                id: id.to_string(),
                document: self.save(&id)?,
                signatures: self
                    .store
                    .signatures(id.as_str())?
                    .into_iter()
                    .map(|(hash, sig)| (hash, sig.to_vec()))
                    .collect(),
            });
        }
        let file = backup::BackupFile {
            version: backup::BACKUP_VERSION,
            org: self.identity.org().to_owned(),
            secret_key: next.secret_bytes(),
            taken_at: now().as_millis(),
            coalitions,
            peers: self.record(PEERS_RECORD)?,
        };
        let bytes = file.encode()?;
        let mut taken = self.backups_taken()?;
        taken.insert(key, file.taken_at);
        while taken.len() > MAX_BACKUPS_REMEMBERED {
            let Some(oldest) = taken.iter().min_by_key(|(_, t)| **t).map(|(k, _)| *k) else {
                break;
            };
            taken.remove(&oldest);
        }
        self.put_record(BACKUPS_RECORD, &json_map(&taken))?;
        info!(device = %key, "backup taken; its device key is certified in every coalition");
        Ok((bytes, key))
    }

    /// Sets up a node in `home` (which must not hold one) from a sealed identity: the same
    /// node key, an empty store, the peers it knew, and a recovery window of
    /// [`RECOVERY_WINDOW_MS`] during which it takes in every coalition its peers share with
    /// it (they share only those where its key is a member's). Returns the node key.
    pub fn import_identity(
        sealed: &str,
        passphrase: &str,
        home: &Path,
    ) -> Result<NodeKey, ReplicaError> {
        let (identity, peers) = sealed::unseal(sealed, passphrase)?;
        let (id_path, store) = fresh_home(home)?;
        if let Some(peers) = &peers {
            store.put_record(PEERS_RECORD, peers)?;
        }
        let until = now().as_millis() + RECOVERY_WINDOW_MS;
        store.put_record(RECOVER_RECORD, until.to_string().as_bytes())?;
        drop(store);
        identity.write_new(&id_path)?;
        info!(home = %home.display(), node = %identity.node_key(), "identity imported; recovering coalitions from peers");
        Ok(identity.node_key())
    }

    /// Whether this node is recovering its coalitions after an identity import (and so takes
    /// in coalitions its peers share with it).
    pub fn recovering(&self) -> bool {
        self.record(RECOVER_RECORD)
            .ok()
            .flatten()
            .and_then(|b| String::from_utf8(b).ok()?.parse::<i64>().ok())
            .is_some_and(|until| now().as_millis() < until)
    }

    /// Sets up a node in `home` (which must not hold one) from a backup file's bytes, acting
    /// under the device key the backup certified. Everything is checked before anything is
    /// written. Returns that key.
    pub fn restore(bytes: &[u8], home: &Path) -> Result<NodeKey, ReplicaError> {
        let file = backup::BackupFile::decode(bytes)?;
        let identity = Identity::from_secret(&file.org, file.secret_key);
        let mut checked = Vec::new();
        for c in &file.coalitions {
            let id: CoalitionId = c.id.parse().map_err(|e: model::IdError| {
                backup::BackupError::Damaged(format!("coalition id: {}", e.given))
            })?;
            CoalitionDoc::load(&c.document, identity.node_key()).map_err(|source| {
                ReplicaError::Doc {
                    coalition: id.to_string(),
                    source: Box::new(source),
                }
            })?;
            let signatures = c
                .signatures
                .iter()
                .map(|(hash, sig)| {
                    <[u8; 64]>::try_from(sig.as_slice())
                        .map(|sig| (*hash, sig))
                        .map_err(|_| {
                            backup::BackupError::Damaged("a signature is not 64 bytes".into())
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            checked.push((id, c, signatures));
        }
        let (id_path, store) = fresh_home(home)?;
        for (id, c, signatures) in checked {
            // The document as a snapshot, with no changes after it yet.
            store.append_signed(id.as_str(), &[], &signatures)?;
            store.compact(id.as_str(), &c.document, 0)?;
        }
        if let Some(peers) = &file.peers {
            store.put_record(PEERS_RECORD, peers)?;
        }
        drop(store);
        // The identity last: a home with an identity is a node, and this one is complete.
        identity.write_new(&id_path)?;
        info!(home = %home.display(), node = %identity.node_key(), "node restored from a backup");
        Ok(identity.node_key())
    }
}

/// The name a node set up without one carries until its operator names it.
pub const UNNAMED_ORG: &str = "Unnamed organization";

/// An organization name must be text of 1 to `MAX_SHORT` characters.
fn check_org(org: &str) -> Result<(), ReplicaError> {
    if org.trim().is_empty() {
        return Err(EditError::Empty {
            field: "organization name",
        }
        .into());
    }
    if org.trim().chars().count() > model::MAX_SHORT {
        return Err(EditError::TooLong {
            field: "organization name",
            len: org.trim().chars().count(),
            max: model::MAX_SHORT,
        }
        .into());
    }
    Ok(())
}

/// Renames the organization of the node set up in `home` (its key stays); returns the old
/// name. What the node tells inviting nodes when it joins; a member's name inside a coalition
/// is its profile's, changed there.
pub fn rename_org(home: &Path, org: &str) -> Result<String, ReplicaError> {
    check_org(org)?;
    let path = home.join(IDENTITY_FILE);
    if !path.exists() {
        return Err(ReplicaError::NotInitialized {
            home: home.to_owned(),
        });
    }
    let identity = Identity::read(&path)?;
    identity.renamed(org).write(&path)?;
    info!(home = %home.display(), "organization renamed");
    Ok(identity.org().to_owned())
}

/// Opens the store of a home that holds no node yet (creating the folder), and names where
/// its identity goes: identities are written last, so a home with one is a complete node.
fn fresh_home(home: &Path) -> Result<(PathBuf, Store), ReplicaError> {
    let id_path = home.join(IDENTITY_FILE);
    if id_path.exists() {
        return Err(ReplicaError::AlreadyInitialized {
            home: home.to_owned(),
        });
    }
    if !home.exists() {
        if let Some(parent) = home.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| identity::io(parent, e))?;
        }
        let mut dir = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
        dir.create(home).map_err(|e| identity::io(home, e))?;
    }
    let store = open_store(home)?;
    keep_private(home)?;
    Ok((id_path, store))
}

/// Makes the home folder and the store readable by their owner only: they hold every
/// coalition this node belongs to. Homes made before this rule (folder `0755`, store `0644`)
/// are tightened when opened, and say so.
fn keep_private(home: &Path) -> Result<(), ReplicaError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (path, mode) in [(home.to_owned(), 0o700), (home.join(STORE_FILE), 0o600)] {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let now = meta.permissions().mode() & 0o777;
            if now & 0o077 != 0 {
                // A home this user may read but not change (another user's) still opens.
                if let Err(e) =
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(now & mode))
                {
                    tracing::warn!(path = %path.display(), error = %e, "could not make it readable by its owner only");
                    continue;
                }
                tracing::info!(path = %path.display(), from = format!("{now:o}"), to = format!("{:o}", now & mode), "made readable by its owner only");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = home;
    Ok(())
}

/// How long opening a store waits for another process to let go of it.
pub const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens the home's store, waiting up to [`STORE_WAIT`] (and saying so after a second) while
/// another process holds it: two `coalesce` commands, or a command and a starting node, that
/// happen to overlap take turns instead of one failing.
fn open_store(home: &Path) -> Result<Store, ReplicaError> {
    let path = home.join(STORE_FILE);
    Ok(Store::open_waiting(&path, STORE_WAIT, || {
        tracing::warn!(
            store = %path.display(),
            "the store is in use by another process (a coalesce command or node); waiting up to {} s for it",
            STORE_WAIT.as_secs()
        );
    })?)
}

/// Compacts a coalition once [`COMPACT_AFTER`] changes have been stored since its snapshot.
/// A failure is logged and left for the next time: what was appended is stored either way.
fn compact_if_due(store: &Store, id: &CoalitionId, loaded: &mut Loaded, upto: u64) {
    if loaded.since_snapshot < COMPACT_AFTER {
        return;
    }
    if let Err(e) = compact(store, id, loaded, upto) {
        tracing::warn!(coalition = %id, error = %e, "could not compact the stored changes; will try again after the next ones");
    }
}

fn compact(
    store: &Store,
    id: &CoalitionId,
    loaded: &mut Loaded,
    upto: u64,
) -> Result<(), ReplicaError> {
    let snapshot = loaded.doc.save();
    store.compact(id.as_str(), &snapshot, upto)?;
    // Every signature is kept, not only each actor's newest (which vouches for everything
    // held): evidence of a fork is a chain from the forked change up to one its actor
    // signed, and the nearest signature keeps it short however far back the fork is.
    info!(coalition = %id, changes = loaded.since_snapshot, bytes = snapshot.len(), "document compacted");
    loaded.since_snapshot = 0;
    Ok(())
}
