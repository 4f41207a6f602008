//! `member key` and `backup`: the node keys that act for this organization, and backups,
//! each of which certifies one.

use std::path::Path;

use anyhow::{Context, Result};
use model::{CoalitionId, NodeKey, Timestamp};
use replica::Replica;
use serde::Serialize;

use super::{Ctx, day};
use crate::args::{Format, KeyCmd};
use crate::output::Out;

/// One of this organization's node keys, as `member key list` shows it.
#[derive(Debug, Serialize)]
struct KeyView {
    key: NodeKey,
    /// `this node`, `backup` (a backup this node took) or `device`.
    kind: &'static str,
    /// When the backup was taken, for a backup's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    backup_taken: Option<Timestamp>,
    /// When the organization certified it, as its change states.
    added: Option<Timestamp>,
    /// How many changes it signed.
    changes: u64,
    /// When it signed its newest change, as it states.
    last_change: Option<Timestamp>,
    /// When this node last exchanged a message with it.
    last_sync: Option<Timestamp>,
    /// When it last signed where it listens, as a record this node keeps (it was running
    /// and syncing with some member).
    announced: Option<Timestamp>,
}

impl KeyView {
    /// When this node last saw the key at work, if ever: its newest change, its last sync
    /// with this node, or its newest signed addresses.
    fn last_seen(&self) -> Option<Timestamp> {
        self.last_change.max(self.last_sync).max(self.announced)
    }
}

pub(crate) fn key(r: &mut Replica, cmd: KeyCmd, out: &Out) -> Result<()> {
    match cmd {
        KeyCmd::List { c, format } => {
            let ctx = Ctx::new(r, &c, out)?;
            let id = ctx.id.clone();
            list(ctx.replica, &id, format, out)
        }
        KeyCmd::Add { c, key } => {
            let ctx = Ctx::new(r, &c, out)?;
            ctx.replica
                .edit(&ctx.id, |doc, a| doc.add_device_key(&a.member, key, a.now))?;
            out.note(&format!("Node {key} now acts for your organization."));
            Ok(())
        }
        KeyCmd::Revoke { c, key } => {
            let ctx = Ctx::new(r, &c, out)?;
            ctx.replica.edit(&ctx.id, |doc, a| {
                doc.revoke_device_key(&a.member, key, a.now)
            })?;
            out.note(&format!(
                "Node {key} no longer acts for your organization; what it signs from now on is refused."
            ));
            Ok(())
        }
    }
}

/// This organization's node keys in coalition `id`, with what this node knows of each.
fn keys(r: &mut Replica, id: &CoalitionId) -> Result<Vec<KeyView>> {
    let me = r.me(id)?;
    // Only the members in force are read, not the coalition's other records.
    let gov = r
        .in_force(id)
        .with_context(|| format!("could not read coalition {id}"))?;
    let Some(member) = gov.members.get(me.as_str()) else {
        anyhow::bail!(
            "your organization is not a member in force of coalition {}: it has no node keys there",
            id.short()
        );
    };
    let this = r.identity().node_key();
    let backups = r.backups_taken()?;
    let synced = r.last_syncs()?;
    let announced: std::collections::BTreeMap<NodeKey, Timestamp> = r
        .record(replica::ADDRESSES_RECORD)?
        .map(|b| sync::addresses::decode_kept(&b))
        .unwrap_or_default()
        .into_iter()
        .map(|rec| {
            // The other node's clock: never later than this one's.
            let at = i64::try_from(rec.at)
                .unwrap_or(i64::MAX)
                .min(replica::now().as_millis());
            (NodeKey::from_bytes(rec.node), Timestamp::from_millis(at))
        })
        .collect();
    Ok(r.key_activity(id, member)?
        .into_iter()
        .map(|a| {
            let backup_taken = backups.get(&a.key).map(|t| Timestamp::from_millis(*t));
            KeyView {
                key: a.key,
                kind: if a.key == this {
                    "this node"
                } else if backup_taken.is_some() {
                    "backup"
                } else {
                    "device"
                },
                backup_taken,
                added: a.added,
                changes: a.changes,
                last_change: a.last_change,
                last_sync: synced.get(&a.key).map(|t| Timestamp::from_millis(*t)),
                announced: announced.get(&a.key).copied(),
            }
        })
        .collect())
}

fn list(r: &mut Replica, id: &CoalitionId, format: Format, out: &Out) -> Result<()> {
    let views = keys(r, id)?;
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
        let Ok(views) = keys(r, &id) else {
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
