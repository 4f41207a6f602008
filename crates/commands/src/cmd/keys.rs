//! `member key` and `backup`: the node keys that act for this organization, and backups,
//! each of which certifies one.

use std::path::Path;

use anyhow::{Context, Result};
use model::{NodeKey, Timestamp};
use replica::Replica;

use super::{day, on};
use crate::args::{Format, KeyCmd};
use crate::ops::keys::KeyView;
use crate::ops::{Exec, Request, Updated};
use crate::output::Out;

pub(crate) fn list(views: &[KeyView], format: Format, out: &Out) -> Result<()> {
    if format.json {
        return out.json(&views);
    }
    let when = |t: Option<Timestamp>| t.map_or_else(|| "never".to_owned(), |t| t.to_string());
    let rows = views
        .iter()
        .map(|v| {
            vec![
                v.key.to_string(),
                match v.backup_taken {
                    Some(t) => format!("backup of {}", day(t)),
                    None => v.kind.to_owned(),
                },
                v.added.map_or_else(|| "-".to_owned(), day),
                if v.kind == "this node" {
                    "now".to_owned()
                } else {
                    when(v.last_seen())
                },
                v.changes.to_string(),
            ]
        })
        .collect();
    out.table(
        &["KEY", "NODE", "ADDED", "LAST SEEN", "CHANGES"],
        rows,
        "No node keys.",
    )?;
    if views
        .iter()
        .any(|v| v.kind != "this node" && v.last_seen().is_none())
    {
        out.note(
            "A key never seen is a node that has not connected yet, or a backup not restored. If its backup file is gone, revoke it: `coalesce member key revoke KEY`.",
        );
    }
    Ok(())
}

pub(crate) fn key(x: &mut dyn Exec, cmd: KeyCmd, out: &Out) -> Result<()> {
    match cmd {
        KeyCmd::List { c, format } => {
            let coalition = on(x, &c, out)?;
            let views: Vec<KeyView> = x.call(Request::KeyList { coalition })?.try_into()?;
            list(&views, format, out)
        }
        KeyCmd::Add { c, key } => {
            let coalition = on(x, &c, out)?;
            let body = crate::ops::keys::KeyRequest {
                key: key.to_string(),
            };
            let _: Updated = x.call(Request::KeyAdd { coalition, body })?.try_into()?;
            out.note(&format!("Node {key} now acts for your organization."));
            Ok(())
        }
        KeyCmd::Revoke { c, key } => {
            let coalition = on(x, &c, out)?;
            let req = Request::KeyRevoke {
                coalition,
                key: key.to_string(),
            };
            let _: Updated = x.call(req)?.try_into()?;
            out.note(&format!(
                "Node {key} no longer acts for your organization; what it signs from now on is refused."
            ));
            Ok(())
        }
    }
}

/// `backup`: writes a backup to `file`, which must not exist unless `force`. A file replaced
/// that is an earlier backup of this organization whose device key was never seen at work
/// has its key revoked in every coalition: the file that held the key's secret is gone.
/// Only a plain file with no other name counts as gone (a link's target, or another name
/// of the same file, still holds the key).
pub(crate) fn backup(r: &mut Replica, file: &Path, force: bool, out: &Out) -> Result<()> {
    let replaced = match std::fs::symlink_metadata(file) {
        Ok(_) if !force => anyhow::bail!(
            "{} already exists: give --force to replace it (a backup replaced whose device key was never used is revoked then)",
            file.display()
        ),
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("{} is a folder: give a file's name", file.display())
        }
        Ok(meta) if meta.is_file() && only_name(&meta) => backup_key(file),
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("could not check {}", file.display())),
    };
    // Before a key is certified: a backup that cannot be written must not leave one behind.
    writable_beside(file)?;
    let (bytes, key) = r.backup()?;
    replica::write_private(file, &bytes)?;
    out.note(&format!(
        "Backup written to {} ({} bytes). It holds the secret of a new device key, certified in every coalition: keep it like a password, and restore it once.",
        file.display(),
        bytes.len()
    ));
    if let Some(old) = replaced {
        // The backup is written: whatever happens to the old key, say so rather than fail.
        if let Err(e) = retire(r, old, out) {
            out.note(&format!(
                "The replaced backup's device key {old} could not be revoked ({e:#}); revoke it with `coalesce member key revoke {old}` in each coalition."
            ));
        }
    }
    out.id(key)
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
fn writable_beside(file: &Path) -> Result<()> {
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
        .with_context(|| format!("cannot write a backup into {}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The device key of the backup in `file`, if it is one.
fn backup_key(file: &Path) -> Option<NodeKey> {
    let head = super::read_prefix(file, replica::backup::HEAD_BYTES).ok()?;
    let (secret, _) = replica::backup::read_head(&head).ok()?;
    Some(replica::Identity::from_secret("", secret).node_key())
}

/// Revokes `old`, a replaced backup's key, in every coalition where it acts for this
/// organization and was never seen at work; says where it was kept because it was.
fn retire(r: &mut Replica, old: NodeKey, out: &Out) -> Result<()> {
    if old == r.identity().node_key() {
        return Ok(());
    }
    let (mut revoked, mut kept) = (0, 0);
    for id in r.coalition_ids()? {
        if r.is_joining(&id) {
            continue;
        }
        let Ok(views) = crate::ops::keys::list(r, &id) else {
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
        out.note(&format!(
            "The replaced backup's device key {old} was never used: revoked in {revoked} coalition(s)."
        ));
    }
    if kept > 0 {
        out.note(&format!(
            "The replaced backup's device key {old} has been at work (a node restored from it?): it still acts for your organization in {kept} coalition(s). If that node is gone, revoke it: `coalesce member key revoke {old}`."
        ));
    }
    Ok(())
}
