//! Backups: everything a node needs to come back as the same organization.
//!
//! A restored node must never write under the device key of the node that was backed up:
//! that node may have made changes after the backup, and two different changes with one
//! actor and sequence number would split the coalition. So taking a backup draws a **new
//! device key**, which the organization certifies there and then: the node adds it to its
//! member record in every coalition it belongs to (a signed change like any other, which
//! reaches the other members' nodes by sync, and is also in the backup). The backup holds
//! that key's secret; a restored node acts under it and catches up from its peers.
//!
//! The file: `MAGIC`, then a postcard-encoded [`BackupFile`] (a versioned wire type). It is
//! at most [`MAX_BACKUP_BYTES`], and holds a secret key: it is written readable by its owner
//! only, and must be kept like one. Restore a backup once: a second node restored from the
//! same file would write under the same key.

use serde::{Deserialize, Serialize};

/// First bytes of a backup file.
pub const MAGIC: &[u8; 16] = b"COALESCE-BACKUP\n";
/// Largest backup file read, in bytes.
pub const MAX_BACKUP_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Backup format written by this code.
pub const BACKUP_VERSION: u32 = 1;

/// A backup's contents (the on-disk form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupFile {
    /// [`BACKUP_VERSION`].
    pub version: u32,
    /// The organization's name on this node.
    pub org: String,
    /// Secret of the device key certified for the restored node.
    pub secret_key: [u8; 32],
    /// When the backup was taken (Unix milliseconds).
    pub taken_at: i64,
    /// Every coalition held.
    pub coalitions: Vec<BackupCoalition>,
    /// The peers' addresses the node knew (the `peers` record), to reconnect after a restore.
    pub peers: Option<Vec<u8>>,
}

/// One coalition in a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCoalition {
    /// Coalition id.
    pub id: String,
    /// The whole document, in Automerge's format.
    pub document: Vec<u8>,
    /// Change signatures held: (change hash, 64-byte Ed25519 signature).
    pub signatures: Vec<([u8; 32], Vec<u8>)>,
}

/// A backup file that cannot be used; the message says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// Not a backup file.
    #[error("not a Coalesce backup file")]
    NotABackup,
    /// Written by a newer version of Coalesce.
    #[error(
        "backup format {found} is newer than this program reads ({BACKUP_VERSION}); upgrade Coalesce"
    )]
    Newer {
        /// The format found.
        found: u32,
    },
    /// Larger than any backup this program writes.
    #[error("{0} bytes is larger than a backup file can be")]
    TooLarge(u64),
    /// Damaged.
    #[error("the backup file is damaged: {0}")]
    Damaged(String),
}

impl BackupFile {
    /// The file's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, BackupError> {
        let mut out = MAGIC.to_vec();
        let body = postcard::to_stdvec(self).map_err(|e| BackupError::Damaged(e.to_string()))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Reads a backup file's bytes strictly: magic, version, no trailing bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, BackupError> {
        if bytes.len() as u64 > MAX_BACKUP_BYTES {
            return Err(BackupError::TooLarge(bytes.len() as u64));
        }
        let body = bytes.strip_prefix(MAGIC).ok_or(BackupError::NotABackup)?;
        // The version leads the body, so a newer format is named even if the rest differs.
        let (version, _): (u32, _) =
            postcard::take_from_bytes(body).map_err(|e| BackupError::Damaged(e.to_string()))?;
        if version > BACKUP_VERSION {
            return Err(BackupError::Newer { found: version });
        }
        let (file, rest): (BackupFile, _) =
            postcard::take_from_bytes(body).map_err(|e| BackupError::Damaged(e.to_string()))?;
        if !rest.is_empty() {
            return Err(BackupError::Damaged(format!(
                "{} bytes after the backup",
                rest.len()
            )));
        }
        if file.version != BACKUP_VERSION {
            return Err(BackupError::Damaged(format!(
                "format {} is not one this program writes",
                file.version
            )));
        }
        Ok(file)
    }
}

/// How many first bytes of a backup file [`read_head`] needs at most.
pub const HEAD_BYTES: u64 = 64 * 1024;

/// The fields a backup file starts with.
#[derive(Deserialize)]
struct Head {
    _version: u32,
    _org: String,
    secret_key: [u8; 32],
    taken_at: i64,
}

/// The device key's secret and the time (Unix milliseconds) of the backup whose first bytes
/// are `head`: enough to tell which key a backup file holds without reading it whole.
pub fn read_head(head: &[u8]) -> Result<([u8; 32], i64), BackupError> {
    let body = head.strip_prefix(MAGIC).ok_or(BackupError::NotABackup)?;
    let damaged = |e: postcard::Error| BackupError::Damaged(e.to_string());
    let (version, _): (u32, _) = postcard::take_from_bytes(body).map_err(damaged)?;
    if version > BACKUP_VERSION {
        return Err(BackupError::Newer { found: version });
    }
    let (h, _): (Head, _) = postcard::take_from_bytes(body).map_err(damaged)?;
    Ok((h.secret_key, h.taken_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> BackupFile {
        BackupFile {
            version: BACKUP_VERSION,
            org: "Northside Tenants Union".into(),
            secret_key: [7; 32],
            taken_at: 1_700_000_000_000,
            coalitions: vec![BackupCoalition {
                id: "c".into(),
                document: vec![1, 2, 3],
                signatures: vec![([1; 32], vec![2; 64])],
            }],
            peers: Some(b"{}".to_vec()),
        }
    }

    #[test]
    fn a_backup_reads_back_and_newer_or_foreign_files_are_named() {
        let bytes = sample().encode().unwrap();
        assert_eq!(BackupFile::decode(&bytes).unwrap(), sample());
        assert_eq!(
            BackupFile::decode(b"not a backup"),
            Err(BackupError::NotABackup)
        );
        let mut newer = MAGIC.to_vec();
        newer.extend(postcard::to_stdvec(&(BACKUP_VERSION + 1)).unwrap());
        assert_eq!(
            BackupFile::decode(&newer),
            Err(BackupError::Newer {
                found: BACKUP_VERSION + 1
            })
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(
            BackupFile::decode(&trailing),
            Err(BackupError::Damaged(_))
        ));
        // The head alone names the key and time; a head cut before the key does not.
        let head = &bytes[..MAGIC.len() + 64];
        assert_eq!(read_head(head), Ok(([7; 32], 1_700_000_000_000)));
        assert_eq!(
            read_head(&newer),
            Err(BackupError::Newer {
                found: BACKUP_VERSION + 1
            })
        );
        assert!(matches!(
            read_head(&bytes[..MAGIC.len() + 20]),
            Err(BackupError::Damaged(_))
        ));
        assert_eq!(read_head(b"not a backup"), Err(BackupError::NotABackup));
    }

    proptest! {
        /// Any bytes after the magic are refused with an error or read as a backup; never a
        /// panic. Truncations and bit flips of a real backup likewise.
        #[test]
        fn arbitrary_and_damaged_backups_never_panic(
            tail in proptest::collection::vec(any::<u8>(), 0..512),
            cut in 0usize..400,
            flip in 0usize..400,
        ) {
            let mut bytes = MAGIC.to_vec();
            bytes.extend(&tail);
            let _ = BackupFile::decode(&bytes);
            let _ = read_head(&bytes);
            let good = sample().encode().unwrap();
            let _ = BackupFile::decode(&good[..cut.min(good.len())]);
            let mut flipped = good.clone();
            let i = flip % flipped.len();
            flipped[i] ^= 0x55;
            let _ = BackupFile::decode(&flipped);
            let _ = read_head(&flipped);
        }
    }
}
