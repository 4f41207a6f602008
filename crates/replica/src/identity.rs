//! The node's identity: its organization name and Ed25519 node key, kept in `identity.json`
//! in the home folder (readable by the owner only).

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};
use model::NodeKey;
use model::automerge::ChangeHash;
use model::signing::{ChangeSignature, signing_payload};
use serde::{Deserialize, Serialize};

use crate::ReplicaError;

/// Largest identity file accepted, in bytes.
pub const MAX_IDENTITY_BYTES: u64 = 64 * 1024;
const IDENTITY_VERSION: u32 = 1;

/// The on-disk form of an identity (a wire type: versioned, separate from [`Identity`]).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityFile {
    version: u32,
    org: String,
    secret_key: String,
}

/// A node's organization name and signing key.
pub struct Identity {
    org: String,
    key: SigningKey,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret key.
        f.debug_struct("Identity")
            .field("org", &self.org)
            .field("node", &self.node_key())
            .finish()
    }
}

impl Identity {
    /// A new identity with a fresh random key.
    pub fn generate(org: &str) -> Result<Self, ReplicaError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| ReplicaError::Random(e.to_string()))?;
        Ok(Self::from_secret(org, secret))
    }

    /// An identity from a known secret (for tests and restores).
    pub fn from_secret(org: &str, secret: [u8; 32]) -> Self {
        Self {
            org: org.trim().to_owned(),
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// The organization's name.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// The node's public key: its id, and its Automerge actor id.
    pub fn node_key(&self) -> NodeKey {
        NodeKey::from_bytes(self.key.verifying_key().to_bytes())
    }

    /// The secret key bytes, for the network transport (libp2p uses the same Ed25519 key, so
    /// a peer's transport identity is its node key).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Signs a change this node made.
    pub fn sign(&self, hash: &ChangeHash) -> ChangeSignature {
        ChangeSignature {
            hash: hash.0,
            signature: self.key.sign(&signing_payload(hash)).to_bytes(),
        }
    }

    /// Reads `path`, refusing anything that is not a well-formed identity file.
    pub fn read(path: &Path) -> Result<Self, ReplicaError> {
        let bad = |detail: String| ReplicaError::Identity {
            path: path.to_owned(),
            detail,
        };
        let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
        if meta.len() > MAX_IDENTITY_BYTES {
            return Err(bad(format!(
                "{} bytes is larger than an identity file can be",
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let file: IdentityFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if file.version != IDENTITY_VERSION {
            return Err(bad(format!(
                "identity format {} is not supported (expected {IDENTITY_VERSION})",
                file.version
            )));
        }
        let bytes: [u8; 32] = hex::decode(&file.secret_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("secret_key is not 64 hex digits".into()))?;
        Ok(Self::from_secret(&file.org, bytes))
    }

    /// Writes the identity to `path` atomically (temporary file, fsync, rename), readable by
    /// the owner only. Refuses to replace an existing file.
    pub fn write_new(&self, path: &Path) -> Result<(), ReplicaError> {
        if path.exists() {
            return Err(ReplicaError::AlreadyInitialized {
                home: path.parent().map(Path::to_owned).unwrap_or_default(),
            });
        }
        self.write(path)
    }

    /// The same key under another organization name.
    pub fn renamed(&self, org: &str) -> Self {
        Self::from_secret(org, self.key.to_bytes())
    }

    /// Writes the identity to `path` atomically, replacing what is there.
    pub fn write(&self, path: &Path) -> Result<(), ReplicaError> {
        let file = IdentityFile {
            version: IDENTITY_VERSION,
            org: self.org.clone(),
            secret_key: hex::encode(self.key.to_bytes()),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| ReplicaError::Identity {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
        write_private(path, text.as_bytes())
    }
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename, directory fsync),
/// readable by its owner only; replaces a file already there. For secrets: identities,
/// backups, sealed identities.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ReplicaError> {
    // A fresh temporary file, made here and nowhere else: two writers cannot mix their
    // bytes, and a name planted beforehand (a link to another file, say) is refused rather
    // than followed (`create_new` fails on anything already at that name, links included).
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|e| ReplicaError::Random(e.to_string()))?;
    let mut tmp: PathBuf = path.to_owned();
    tmp.as_mut_os_string().push(format!(
        ".tmp{}-{}",
        std::process::id(),
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).map_err(|e| io(&tmp, e))?;
    // A file replaced keeps its owner: root renaming a node that runs as its own user (a
    // systemd unit) must not leave it a file it cannot read. Only a plain file with one name
    // is such a file: the owner of a link's target, or of a file with other names, is not
    // handed what is written here.
    #[cfg(unix)]
    if let Ok(old) = std::fs::symlink_metadata(path)
        && old.is_file()
        && std::os::unix::fs::MetadataExt::nlink(&old) == 1
    {
        use std::os::unix::fs::MetadataExt;
        if let Err(e) = std::os::unix::fs::fchown(&f, Some(old.uid()), Some(old.gid())) {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(path, e));
        }
    }
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io(dir, e))?;
    }
    Ok(())
}

pub(crate) fn io(path: &Path, source: std::io::Error) -> ReplicaError {
    ReplicaError::Io {
        path: path.to_owned(),
        source,
    }
}
