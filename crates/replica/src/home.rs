//! A node's home folder: setting it up, opening it, its organization's name, the store.

use super::*;

/// The name a node set up without one carries until its operator names it.
pub const UNNAMED_ORG: &str = "Unnamed organization";

/// An organization name must be text of 1 to `MAX_SHORT` characters.
pub fn check_org(org: &str) -> Result<(), ReplicaError> {
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
pub(crate) fn fresh_home(home: &Path) -> Result<(PathBuf, Store), ReplicaError> {
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
pub(crate) fn keep_private(home: &Path) -> Result<(), ReplicaError> {
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
pub(crate) fn open_store(home: &Path) -> Result<Store, ReplicaError> {
    let path = home.join(STORE_FILE);
    Ok(Store::open_waiting(&path, STORE_WAIT, || {
        tracing::warn!(
            store = %path.display(),
            "the store is in use by another process (a coalesce command or node); waiting up to {} s for it",
            STORE_WAIT.as_secs()
        );
    })?)
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
            takes: None,
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

    /// The underlying store (for status reports).
    pub fn store(&self) -> &Store {
        &self.store
    }
}
