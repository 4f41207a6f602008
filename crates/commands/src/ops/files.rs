//! What writes files on the node's machine, at a path the caller gives (the command line
//! runs there, and hands the node absolute paths): a backup of the node, and a coalition's
//! export (with its tables as CSV files, if asked).
//!
//! Through the API the path must be absolute (the node runs in a folder of its own) and outside the
//! node's home folder; `force` replaces only a file that is an earlier backup (whose device key, if
//! never seen at work, is then revoked). Over TLS the API refuses these operations altogether
//! (`api::remote_router`).

use std::path::Path;

use anyhow::Context;
use model::{CoalitionId, NodeKey};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A backup to write.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    /// The file to write, an absolute path on the node's machine.
    pub file: String,
    /// Replace the file if it exists (a backup replaced whose device key was never used is
    /// revoked then).
    #[serde(default)]
    pub force: bool,
}

/// A backup written.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BackupMade {
    /// The new device key the backup holds, certified in every coalition.
    pub key: String,
    /// What to tell the person who asked, in order.
    pub notes: Vec<String>,
}

/// A coalition to export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The folder to write into (created if missing), an absolute path on the node's machine.
    pub dir: String,
    /// Also write the issue inventory, the ledgers, the decisions, the members and the goals'
    /// progress as CSV files a spreadsheet program opens.
    #[serde(default)]
    pub csv: bool,
}

/// A coalition exported.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Exported {
    /// The coalition's name.
    pub name: String,
    /// The size of its Automerge document, in bytes.
    pub bytes: u64,
    /// The file holding the Automerge document.
    pub automerge: String,
    /// The file holding it as JSON.
    pub json: String,
    /// The CSV files written, if asked for.
    #[serde(default)]
    pub csv: Vec<String>,
}

/// Refuses a file in the node's home folder (or below it): a backup or export written there
/// could replace the node's own identity or store, and goes with the node if its disk does.
pub(crate) fn outside_home(r: &Replica, file: &Path) -> anyhow::Result<()> {
    let folder = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let home = r.home().canonicalize().with_context(|| {
        format!(
            "could not find the node's home folder {}",
            r.home().display()
        )
    })?;
    if landing(&folder)?.starts_with(&home) {
        return Err(super::Invalid(format!(
            "{} is in the node's home folder ({}): write backups and exports elsewhere",
            file.display(),
            home.display()
        ))
        .into());
    }
    Ok(())
}

/// Where `folder` is, or will be once made, walked one step at a time as the system will:
/// a step that exists is resolved (links followed), one that does not is a plain folder to be
/// made, and a `..` goes up from wherever the walk stands (so a link reached after a `..` is
/// followed too).
fn landing(folder: &Path) -> anyhow::Result<std::path::PathBuf> {
    use std::path::Component;
    let start = if folder.is_absolute() {
        std::path::PathBuf::from("/")
    } else {
        std::path::PathBuf::from(".")
    };
    let mut at = start
        .canonicalize()
        .with_context(|| format!("could not find {}", start.display()))?;
    for c in folder.components() {
        match c {
            Component::ParentDir => {
                at.pop();
            }
            Component::Normal(name) => {
                at.push(name);
                if let Ok(real) = at.canonicalize() {
                    at = real;
                }
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Ok(at)
}

/// Refuses a path that is not absolute, for a request that came through the API: the node
/// runs in a folder of its own, so a relative path would not be where the caller meant. (In
/// the command line's own process a relative path is the caller's, and prints as given.)
pub(crate) fn require_absolute(path: &str, what: &str) -> anyhow::Result<()> {
    if Path::new(path).is_absolute() {
        Ok(())
    } else {
        Err(super::Invalid(format!(
            "the {what} must be an absolute path on the node's machine (got `{path}`)"
        ))
        .into())
    }
}

/// Writes the coalition into `dir` (created if missing) as Automerge bytes and as JSON.
pub fn export(r: &mut Replica, c: &CoalitionId, req: ExportRequest) -> anyhow::Result<Exported> {
    let dir = Path::new(&req.dir);
    outside_home(r, &dir.join("export"))?;
    let state = r
        .read(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let bytes = r.save(c)?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    // The folder as made, checked again: nothing between the check and here moves it home.
    outside_home(r, &dir.join("export"))?;
    let am = dir.join(format!("{c}.automerge"));
    let json = dir.join(format!("{c}.json"));
    // Owner-only, as the coalition's data is its members' alone.
    replica::write_private(&am, &bytes)?;
    let text =
        serde_json::to_string_pretty(&state).context("could not encode the coalition as JSON")?;
    // Escaped as every JSON this node hands out: the file may be printed to a terminal.
    let text = crate::output::escape_json(&text);
    replica::write_private(&json, text.as_bytes())?;
    let mut csv = Vec::new();
    if req.csv {
        for t in report::tables(&state, replica::now()) {
            let file = dir.join(format!("{c}.{}", t.name));
            replica::write_private(&file, &t.bytes)?;
            csv.push(file.display().to_string());
        }
    }
    Ok(Exported {
        name: state.charter.name,
        bytes: bytes.len() as u64,
        automerge: am.display().to_string(),
        json: json.display().to_string(),
        csv,
    })
}

/// `backup`: writes a backup to `file`, which must not exist unless `force`. A file replaced
/// that is an earlier backup of this organization whose device key was never seen at work
/// has its key revoked in every coalition: the file that held the key's secret is gone.
/// Only a plain file with no other name counts as gone (a link's target, or another name
/// of the same file, still holds the key).
pub fn backup(r: &mut Replica, req: BackupRequest) -> anyhow::Result<BackupMade> {
    let file = Path::new(&req.file);
    let force = req.force;
    let mut notes = Vec::new();
    outside_home(r, file)?;
    let replaced = match std::fs::symlink_metadata(file) {
        Ok(_) if !force => {
            return Err(super::Conflict(format!(
                "{} already exists: give --force to replace it (a backup replaced whose device key was never used is revoked then)",
                file.display()
            ))
            .into());
        }
        Ok(meta) if meta.is_dir() => {
            return Err(super::Invalid(format!(
                "{} is a folder: give a file's name",
                file.display()
            ))
            .into());
        }
        // `--force` replaces a backup (or a link to one), never another file given by
        // mistake; the replaced backup's key is retired only if that file had no other name
        // (a link's target, or another name of the same file, still holds the key).
        // Only a regular file (a link's target included) is read: opening a pipe would wait.
        Ok(meta) => match std::fs::metadata(file)
            .is_ok_and(|m| m.is_file())
            .then(|| backup_key(file))
            .flatten()
        {
            Some(key) if meta.is_file() && only_name(&meta) => Some(key),
            Some(_) => None,
            None => {
                return Err(super::Conflict(format!(
                    "{} is not a Coalesce backup: it is not replaced (give another file's name)",
                    file.display()
                ))
                .into());
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("could not check {}", file.display())),
    };
    // Before a key is certified: a backup that cannot be written must not leave one behind.
    writable_beside(file)?;
    let (bytes, key) = r.backup()?;
    replica::write_private(file, &bytes)?;
    notes.push(format!(
        "Backup written to {} ({} bytes). It holds the secret of a new device key, certified in every coalition: keep it like a password, and restore it once.",
        file.display(),
        bytes.len()
    ));
    if let Some(old) = replaced {
        // The backup is written: whatever happens to the old key, say so rather than fail.
        if let Err(e) = retire(r, old, &mut notes) {
            notes.push(format!(
                "The replaced backup's device key {old} could not be revoked ({e:#}); revoke it with `coalesce member key revoke {old}` in each coalition."
            ));
        }
    }
    Ok(BackupMade {
        key: key.to_string(),
        notes,
    })
}

/// Whether a file has no other name (hard link) than the one given.
fn only_name(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() == 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

/// Fails, naming the problem, if a file cannot be created beside `file` (a missing or
/// read-only folder).
fn writable_beside(file: &Path) -> anyhow::Result<()> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    // A fresh name, created only if nothing (not even a link) has it.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let probe = dir.join(format!(
        ".coalesce-backup-check-{}-{nanos}",
        std::process::id()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .with_context(|| super::Invalid(format!("cannot write a backup into {}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The device key of the backup in `file`, if it is one.
fn backup_key(file: &Path) -> Option<NodeKey> {
    let head = crate::cmd::read_prefix(file, replica::backup::HEAD_BYTES).ok()?;
    let (secret, _) = replica::backup::read_head(&head).ok()?;
    Some(replica::Identity::from_secret("", secret).node_key())
}

/// Revokes `old`, a replaced backup's key, in every coalition where it acts for this
/// organization and was never seen at work; says where it was kept because it was.
fn retire(r: &mut Replica, old: NodeKey, notes: &mut Vec<String>) -> anyhow::Result<()> {
    if old == r.identity().node_key() {
        return Ok(());
    }
    let (mut revoked, mut kept) = (0, 0);
    for id in r.coalition_ids()? {
        if r.is_joining(&id) {
            continue;
        }
        let Ok(views) = super::keys::list(r, &id) else {
            continue;
        };
        let Some(v) = views.iter().find(|v| v.key == old) else {
            continue;
        };
        if v.last_seen().is_some() || views.len() == 1 {
            kept += 1;
            continue;
        }
        r.edit(&id, |doc, a| doc.revoke_device_key(&a.member, old, a.now))?;
        revoked += 1;
    }
    if revoked > 0 {
        notes.push(format!(
            "The replaced backup's device key {old} was never used: revoked in {revoked} coalition(s)."
        ));
    }
    if kept > 0 {
        notes.push(format!(
            "The replaced backup's device key {old} has been at work (a node restored from it?): it still acts for your organization in {kept} coalition(s). If that node is gone, revoke it: `coalesce member key revoke {old}`."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_and_backups_go_where_an_absolute_path_says_and_nowhere_else() {
        let (home, mut r, c) = crate::ops::tests::replica();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("exported");
        let done = export(
            &mut r,
            &c,
            ExportRequest {
                dir: out.display().to_string(),
                csv: false,
            },
        )
        .unwrap();
        assert_eq!(done.name, "Transit Justice");
        assert!(Path::new(&done.automerge).starts_with(&out));
        assert!(std::fs::metadata(&done.json).unwrap().len() > 0);
        assert!(done.csv.is_empty(), "CSV files only when asked");
        let with_csv = export(
            &mut r,
            &c,
            ExportRequest {
                dir: out.display().to_string(),
                csv: true,
            },
        )
        .unwrap();
        assert_eq!(with_csv.csv.len(), 5);
        for f in &with_csv.csv {
            assert!(Path::new(f).starts_with(&out), "{f}");
            let bytes = std::fs::read(f).unwrap();
            assert!(bytes.starts_with("\u{feff}".as_bytes()), "{f}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(f).unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "{f} is the owner's alone");
            }
        }
        assert!(with_csv.csv[0].ends_with(&format!("{c}.issues.csv")));
        let relative = crate::ops::Request::Export {
            coalition: c.to_string(),
            body: ExportRequest {
                dir: "out".into(),
                csv: true,
            },
        };
        let err = crate::ops::handle(&mut r, relative).unwrap_err();
        assert!(err.message.contains("absolute path"), "{err}");

        let file = dir.path().join("node.backup");
        let made = backup(
            &mut r,
            BackupRequest {
                file: file.display().to_string(),
                force: false,
            },
        )
        .unwrap();
        assert!(
            made.notes[0].starts_with("Backup written to"),
            "{:?}",
            made.notes
        );
        // Not replaced without `force`; not written where a relative path would land.
        let again = BackupRequest {
            file: file.display().to_string(),
            force: false,
        };
        assert!(
            backup(&mut r, again)
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
        let relative = crate::ops::Request::Backup {
            body: BackupRequest {
                file: "node.backup".into(),
                force: true,
            },
        };
        let err = crate::ops::handle(&mut r, relative).unwrap_err();
        assert!(err.message.contains("absolute path"), "{err}");
        assert!(!Path::new("node.backup").exists());
        // Not into the node's home, where it could replace the node's identity or store.
        for target in [
            home.path().join(replica::IDENTITY_FILE),
            home.path().join("sub").join("x.backup"),
        ] {
            let req = BackupRequest {
                file: target.display().to_string(),
                force: true,
            };
            let err = backup(&mut r, req).unwrap_err().to_string();
            assert!(err.contains("home folder"), "{err}");
        }
        // Nor reached by a detour: `..` past a folder not made yet, or a link to the home.
        let home_name = home
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let detours = [
            home.path().display().to_string(),
            format!(
                "{}/not-yet/../../{home_name}",
                dir.path().display().to_string().trim_end_matches('/')
            ),
        ];
        let mut detours = detours.to_vec();
        #[cfg(unix)]
        {
            let link = dir.path().join("to-home");
            std::os::unix::fs::symlink(home.path(), &link).unwrap();
            detours.push(link.display().to_string());
            detours.push(link.join("deeper").display().to_string());
            // A link reached after a `..` past a folder not made yet is followed too.
            detours.push(
                dir.path()
                    .join("not-made")
                    .join("..")
                    .join("to-home")
                    .display()
                    .to_string(),
            );
        }
        for d in detours {
            let err = export(
                &mut r,
                &c,
                ExportRequest {
                    dir: d.clone(),
                    csv: false,
                },
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("home folder"), "{d}: {err}");
        }
        let written: Vec<_> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            !written
                .iter()
                .any(|n| n.to_string_lossy().ends_with(".json")
                    && n.to_string_lossy() != "identity.json"
                    && n.to_string_lossy() != "api.json"),
            "{written:?}"
        );
        // `--force` replaces a backup, not any file.
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "mine").unwrap();
        let req = BackupRequest {
            file: other.display().to_string(),
            force: true,
        };
        let err =
            crate::ops::handle(&mut r, crate::ops::Request::Backup { body: req }).unwrap_err();
        assert_eq!(err.code, crate::ops::ErrorCode::Conflict, "{err}");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "mine");
    }
}
