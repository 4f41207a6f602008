//! `backup`, `export` and the hidden `debug` commands. Backups and exports are written on the
//! node's machine, where the command line runs: it hands the node absolute paths.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::on;
use crate::args::{CoalitionArg, DebugCmd};
use crate::ops::files::{BackupMade, BackupRequest, ExportRequest, Exported};
use crate::ops::joins::JoinStage;
use crate::ops::{Created, Exec, KnownPeers, Request, issues};
use crate::output::Out;

/// `path` as the node must see it: whole (relative to this process's folder) for the running
/// node, as given for this process's own replica.
pub(super) fn path_for(x: &dyn Exec, path: &Path) -> Result<String> {
    if !x.is_running_node() {
        return path
            .to_str()
            .map(ToOwned::to_owned)
            .with_context(|| format!("{} is not a path in UTF-8", path.display()));
    }
    let whole = std::path::absolute(path)
        .with_context(|| format!("could not make {} an absolute path", path.display()))?;
    whole
        .to_str()
        .map(ToOwned::to_owned)
        .with_context(|| format!("{} is not a path in UTF-8", whole.display()))
}

/// `backup FILE`: prints what happened, then the new device key alone on standard output.
pub(crate) fn backup(x: &mut dyn Exec, file: &Path, force: bool, out: &Out) -> Result<()> {
    let body = BackupRequest {
        file: path_for(x, file)?,
        force,
    };
    let made: BackupMade = x.call(Request::Backup { body })?.try_into()?;
    for note in &made.notes {
        out.note(note);
    }
    out.id(made.key)
}

/// `export --out DIR [--csv]`: prints what was written, one file a line.
pub(crate) fn export(
    x: &mut dyn Exec,
    c: &CoalitionArg,
    dir: &Path,
    csv: bool,
    out: &Out,
) -> Result<()> {
    let coalition = on(x, c, out)?;
    let body = ExportRequest {
        dir: path_for(x, dir)?,
        csv,
    };
    let done: Exported = x.call(Request::Export { coalition, body })?.try_into()?;
    out.note(&format!(
        "Exported {} ({} bytes of Automerge, readable by any Automerge implementation).",
        crate::output::line(&done.name),
        done.bytes
    ));
    let mut files = vec![done.automerge, done.json];
    files.extend(done.csv);
    out.text(&files.join("\n"))
}

/// One issue `debug write-loop` stored: its number and id.
#[derive(Serialize)]
struct Written<'a> {
    n: u64,
    id: &'a str,
}

/// The hidden `debug` commands.
pub(crate) fn debug(x: &mut dyn Exec, cmd: DebugCmd, out: &Out) -> Result<()> {
    match cmd {
        DebugCmd::KnownPeers => {
            let peers: KnownPeers = x.call(Request::KnownPeers)?.try_into()?;
            // Addresses other nodes announced: escaped like any text from elsewhere.
            out.text(&peers.json)
        }
        DebugCmd::JoinStatus { coalition } => {
            let stage: JoinStage = x
                .call(Request::JoinStage {
                    coalition,
                    wait: crate::ops::joins::JoinWait::default(),
                })?
                .try_into()?;
            out.text(&stage.stage)
        }
        DebugCmd::Panic => {
            x.call(Request::DebugPanic)?;
            Ok(())
        }
        DebugCmd::WriteLoop { c, count } => {
            let coalition = on(x, &c, out)?;
            for n in 0..count {
                let body = issues::NewIssueRequest {
                    title: format!("Issue {n}"),
                    ..Default::default()
                };
                let made: Created = x
                    .call(Request::IssueCreate {
                        coalition: coalition.clone(),
                        body,
                    })?
                    .try_into()?;
                // Printed only after the change is durable (the operation answers once it
                // is): the crash test relies on it.
                out.text(&serde_json::to_string(&Written { n, id: &made.id })?)?;
            }
            Ok(())
        }
    }
}
