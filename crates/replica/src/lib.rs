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
//! What it keeps:
//!
//! - The node key is the Automerge actor id of every change this node makes, and its libp2p
//!   identity.
//! - [`Replica::edit`] persists the edit's changes and the signature of its newest change before
//!   returning `Ok`; if persisting fails, the in-memory document is dropped so that it cannot run
//!   ahead of the store. Once the append committed, the edit is reported stored and pushed whatever
//!   happens next: a compaction that fails is logged and retried later, also for changes received
//!   from peers (a node that only receives compacts too). See `changes`.
//! - Documents are loaded lazily, from snapshot plus changes, and compacted once [`COMPACT_AFTER`]
//!   changes wait, off the way of reads and syncs: when the running node is idle
//!   ([`Replica::compact_due`]), as the replica closes, or at once past [`COMPACT_NOW`]; keeping
//!   every signature (evidence of a fork runs up to the nearest one; the head
//!   index in memory holds each actor's newest).
//! - Local changes wait in a bounded queue ([`MAX_OUTBOX`]) for the sync protocol to push; dropping
//!   the oldest only delays them until peers catch up.
//! - A node whose key forked refuses its own edits (`ReplicaError::KeyForked`), so it cannot fork
//!   again by writing on.
//! - Reads cost what they touch: one record by id, a listing's headers, the governance, the records
//!   that do not read, each kept with the loaded document and brought up to date from what changed
//!   (`reads`); a whole read is for reports.
//! - The home folder is `0700` and the store `0600`: created so, and an older, looser home is
//!   tightened whenever it is opened, and logged (`home`); `identity.json` is written atomically
//!   and owner-only (`identity`). A store held by another process is waited for up to
//!   [`STORE_WAIT`], saying so after a second.
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

mod aside;
pub mod backup;
mod changes;
mod coalitions;
mod error;
mod home;
mod identity;
mod invites;
mod joins;
mod node_records;
mod peers;
mod people;
mod prefix;
mod publishing;
mod reads;
mod received;
mod refusals;
mod restore;
pub mod sealed;
mod statements;

pub use aside::*;
pub use changes::*;
pub use coalitions::*;
pub use error::*;
pub use home::*;
pub use invites::*;
pub use joins::*;
pub use node_records::*;
pub use people::*;
pub use prefix::{PrefixError, resolve_prefix};
pub use publishing::{DEFAULT_PUBLISH_EVERY, MAX_DRAFTS_PER_ROUND, Publishing};
pub use reads::*;
pub use received::{Carried, CarryRefusal, MAX_NEW_ROSTERS, Passed, PassedError, Publication};
pub use refusals::*;
pub use restore::*;
pub use statements::{MAX_COSIGN_TRIES, MAX_REFUSED_KEPT, SignError};

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
/// After this many changes stored since the last snapshot, a document is due to be compacted
/// ([`Replica::compact_due`], when the node has time, or as the replica closes).
pub const COMPACT_AFTER: usize = 1000;

/// After this many, a document is compacted at once, busy or not: a node that is never idle
/// still loads from a recent snapshot.
pub const COMPACT_NOW: usize = 20 * COMPACT_AFTER;

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
    /// The records that do not read, as of some heads, likewise.
    unreadable: Option<model::unreadable::Unreadables>,
    /// The pools read so far, with their ledgers, as of some heads (a pool's page reads again
    /// only the ledger entries written since).
    pools: reads::Pools,
    /// The history read so far (a record's history reads only the changes since).
    history: model::history::Log,
    /// The heads at which the records that do not read and the history were last kept in the
    /// store for the next run (`reads::keep_reads` writes only what moved since).
    kept_at: reads::KeptAt,
    /// Each actor's newest signed change.
    index: HeadIndex,
    /// Changes stored since the last snapshot.
    since_snapshot: usize,
    /// The store's next sequence number as of the newest change stored (what a compaction
    /// now would cover).
    stored_upto: u64,
    /// The document's heads as of the newest change stored: a document whose heads differ is
    /// not what the store holds, and is never compacted.
    stored_heads: Vec<model::automerge::ChangeHash>,
    /// A join of this coalition is pending (its record kept until the coalition has all
    /// arrived: a long one arrives in parts, see `sync`).
    joining: bool,
}

/// A node's local copy of its coalitions, opened exclusively.
pub struct Replica {
    home: PathBuf,
    identity: Identity,
    store: Store,
    docs: HashMap<CoalitionId, Loaded>,
    outbox: Vec<LocalChange>,
    /// What this node's coalitions take from linked coalitions (`Replica::takes_from`), as of
    /// the heads of the coalitions it was read at: read again only when one moved.
    takes: Option<received::TakesTable>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("home", &self.home)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
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

impl Drop for Replica {
    /// What is due to be compacted is compacted as the replica closes (not while a panic
    /// unwinds: the documents in memory may then be ahead of the store).
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.compact_due();
        }
    }
}

impl Replica {
    fn loaded(&mut self, id: &CoalitionId) -> Result<&mut Loaded, ReplicaError> {
        if !self.docs.contains_key(id) {
            let stored = self
                .store
                .load(id.as_str())?
                .ok_or_else(|| PrefixError::NotFound {
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
            let stored_heads = doc.heads();
            let joining = self.pending_joins()?.contains_key(id);
            let loaded = Loaded {
                doc,
                issue_headers: None,
                proposal_headers: None,
                pools: reads::Pools::default(),
                history: model::history::Log::default(),
                kept_at: reads::KeptAt::default(),
                unreadable: None,
                index,
                since_snapshot: stored.changes.len(),
                stored_upto: stored.next_seq,
                stored_heads,
                joining,
            };
            // Compacted when the node has time (`compact_due`), not on the way to the read
            // or the sync that loaded it.
            self.docs.insert(id.clone(), loaded);
        }
        // Inserted just above when missing.
        self.docs.get_mut(id).ok_or_else(|| {
            PrefixError::NotFound {
                what: "coalition",
                given: id.to_string(),
            }
            .into()
        })
    }

    fn arrived_or_err(&mut self, id: &CoalitionId) -> Result<(), ReplicaError> {
        if self.is_joining(id) {
            return Err(ReplicaError::NotArrived {
                coalition: id.to_string(),
            });
        }
        Ok(())
    }
}
