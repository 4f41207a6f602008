//! `member key`: the node keys that act for this organization.

use anyhow::Result;
use model::Timestamp;

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
