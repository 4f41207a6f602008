//! Whole-node backups and restores, and importing an identity.
//!
//! [`Replica::restore`] checks everything in a backup before writing, and writes into a home with
//! no node, the identity last. Importing a sealed identity opens a recovery window
//! ([`RECOVERY_WINDOW_MS`], record `recover-until`) during which the sync node takes in every
//! coalition a peer names in its greeting (`SyncNode::set_recovering`; peers name only coalitions
//! where this key is a member's).

use super::*;

/// How long a node with an imported identity takes in coalitions its peers share with it.
pub const RECOVERY_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
pub(crate) const RECOVER_RECORD: &str = "recover-until";
/// Node-wide record of the peers' addresses this node reached (peer key → multiaddr, JSON).
pub(crate) const PEERS_RECORD: &str = "peers";
/// Node-wide record of where member nodes listen, as each signed it (postcard, see
/// `sync::addresses`).
pub(crate) const ADDRESSES_RECORD: &str = "addresses";
/// Node-wide record of where member nodes of linked coalitions listen, as each signed it
/// (postcard, see `sync::addresses::merge_kept`): taken from the statements files they
/// published.
pub(crate) const LINKED_ADDRESSES_RECORD: &str = "linked-addresses";
/// Node-wide record of this node's own address record, as it last signed it (postcard, see
/// `sync::addresses::encode_record`): what the statements files it writes carry of it.
pub(crate) const OWN_ADDRESS_RECORD: &str = "own-address";
/// Node-wide record of the backups this node took: device key → when (Unix milliseconds,
/// JSON), so that `member key list` can say which keys are backups'.
pub const BACKUPS_RECORD: &str = "backups";
/// Most backups remembered in [`BACKUPS_RECORD`] (the oldest are forgotten first).
pub const MAX_BACKUPS_REMEMBERED: usize = 1024;

impl Replica {
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
            peers: self.known_peers_stored()?,
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
