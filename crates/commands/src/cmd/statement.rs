//! `coalesce statement`: the statements this coalition publishes to linked coalitions.

use anyhow::Result;

use super::{on, short};
use crate::args::StatementCmd;
use crate::ops::statements::{
    StatementDraftRequest, StatementExportRequest, StatementsExported, StatementsView,
};
use crate::ops::{Created, Exec, Request, Updated};
use crate::output::{Out, line};

pub(crate) fn run(x: &mut dyn Exec, cmd: StatementCmd, out: &Out) -> Result<()> {
    match cmd {
        StatementCmd::Draft {
            c,
            kind,
            record,
            from,
            to,
        } => {
            let coalition = on(x, &c, out)?;
            let body = StatementDraftRequest {
                kind,
                record,
                from,
                to,
            };
            let made: Created = x
                .call(Request::StatementDraft { coalition, body })?
                .try_into()?;
            out.note(
                "Statement drafted and signed by this node. Ask the other members to run \
                 `coalesce statement sign ID` on their nodes: each signs only if it computes the \
                 same (a roster takes effect once a majority has signed).",
            );
            out.id(made.id)?;
        }
        StatementCmd::Sign { c, statement } => {
            let coalition = on(x, &c, out)?;
            let done: Updated = x
                .call(Request::StatementSign {
                    coalition,
                    statement,
                })?
                .try_into()?;
            out.note("Computed the same from this node's copy: co-signed.");
            out.id(done.id)?;
        }
        StatementCmd::List { c, format } => {
            let coalition = on(x, &c, out)?;
            let listed: StatementsView =
                x.call(Request::StatementList { coalition })?.try_into()?;
            if format.json {
                return out.json(&listed.statements);
            }
            let rows = listed
                .statements
                .iter()
                .map(|s| {
                    vec![
                        short(&s.id).to_owned(),
                        s.kind.clone(),
                        s.record.as_deref().map_or("-", short).to_owned(),
                        s.sequence.to_string(),
                        s.as_of.clone(),
                        line(&s.signed_by.join(", ")),
                    ]
                })
                .collect();
            out.table(
                &["ID", "KIND", "RECORD", "NUMBER", "AS OF", "SIGNED BY"],
                rows,
                "No statements drafted.",
            )?;
        }
        StatementCmd::Export { c, link, out: file } => {
            let coalition = on(x, &c, out)?;
            let body = StatementExportRequest {
                with: link,
                file: super::files::path_for(x, &file)?,
            };
            let done: StatementsExported = x
                .call(Request::StatementExport { coalition, body })?
                .try_into()?;
            out.note(&format!(
                "Wrote {} roster(s) and {} statement(s), {} bytes.",
                done.rosters, done.statements, done.bytes
            ));
            if done.left_out > 0 {
                out.note(&format!(
                    "Left out {} statement(s) not yet signed by enough members for this link \
                     (`statement list` shows who signed).",
                    done.left_out
                ));
            }
            out.text(&done.file)?;
        }
    }
    Ok(())
}
