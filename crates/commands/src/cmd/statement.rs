//! `coalesce statement`: the statements this coalition publishes to linked coalitions.

use anyhow::Result;

use super::{on, short};
use crate::args::StatementCmd;
use crate::ops::received::{
    CallsView, ReceivedView, StatementImportRequest, StatementVerified, StatementsImported,
};
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
            call,
            from,
            to,
        } => {
            let coalition = on(x, &c, out)?;
            // What the other members' nodes do with it: rosters and what links publish are
            // co-signed on their own; calls and positions drafted by hand, by hand.
            use model::federation::Kind;
            let next = match kind.parse::<Kind>() {
                Ok(Kind::Roster) => {
                    "The other members' nodes co-sign it on their own when they compute the \
                     same (`coalesce statement sign ID` does it by hand); it takes effect once a \
                     majority has signed."
                }
                Ok(Kind::Call) => {
                    "Ask the other members to run `coalesce statement sign ID` on their nodes: a \
                     call is co-signed by hand, each node signing only if it computes the same."
                }
                Ok(Kind::Mandate) => {
                    "The other members' nodes co-sign it on their own if it comes from the first \
                     proposal opened to answer the call and they compute the same; otherwise ask \
                     them to run `coalesce statement sign ID`."
                }
                _ => {
                    "The other members' nodes co-sign it on their own when a link publishes its \
                     kind and they compute the same; otherwise ask them to run \
                     `coalesce statement sign ID`."
                }
            };
            let body = StatementDraftRequest {
                kind,
                record,
                call,
                from,
                to,
            };
            let made: Created = x
                .call(Request::StatementDraft { coalition, body })?
                .try_into()?;
            out.note(&format!(
                "Statement drafted and signed by this node. {next}"
            ));
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
        StatementCmd::Import { c, file, format } => {
            let coalition = on(x, &c, out)?;
            let body = StatementImportRequest {
                file: super::files::path_for(x, &file)?,
            };
            let done: StatementsImported = x
                .call(Request::StatementImport { coalition, body })?
                .try_into()?;
            if format.json {
                return out.json(&done);
            }
            out.note(&format!(
                "Took {} statement(s) from coalition {} ({} held already); refused {}.",
                done.stored + done.held,
                short(&done.from),
                done.held,
                done.refused.len()
            ));
            let rows = done
                .refused
                .iter()
                .map(|r| vec![short(&r.id).to_owned(), r.code.clone(), line(&r.reason)])
                .collect();
            out.table(&["REFUSED", "CODE", "WHY"], rows, "Nothing refused.")?;
        }
        StatementCmd::Received { c, format } => {
            let coalition = on(x, &c, out)?;
            let got: ReceivedView = x
                .call(Request::StatementReceived { coalition })?
                .try_into()?;
            if format.json {
                return out.json(&got);
            }
            let rows = got
                .statements
                .iter()
                .map(|s| {
                    vec![
                        short(&s.id).to_owned(),
                        line(&s.from_name),
                        s.kind.clone(),
                        line(&s.summary),
                        format!("{} of {}", s.signed, s.members),
                        s.as_of.clone(),
                        if s.latest { "latest" } else { "replaced" }.to_owned(),
                    ]
                })
                .collect();
            out.table(
                &["ID", "FROM", "KIND", "STATES", "SIGNED", "AS OF", "SHOWN"],
                rows,
                "No statements received.",
            )?;
            if !got.waiting.is_empty() {
                out.note(&format!(
                    "{} statement(s) held do not verify now:",
                    got.waiting.len()
                ));
                for w in &got.waiting {
                    out.note(&format!("  {}: {}", short(&w.id), line(&w.reason)));
                }
            }
        }
        StatementCmd::Calls { c, format } => {
            let coalition = on(x, &c, out)?;
            let got: CallsView = x.call(Request::StatementCalls { coalition })?.try_into()?;
            if format.json {
                return out.json(&got);
            }
            let rows = got
                .calls
                .iter()
                .map(|k| {
                    vec![
                        short(&k.id).to_owned(),
                        line(&k.from_name),
                        line(&k.title),
                        format!("{}{}", k.closes_at, if k.open { "" } else { " (closed)" }),
                        if k.answered_by.is_empty() {
                            "-".to_owned()
                        } else {
                            k.answered_by
                                .iter()
                                .map(|p| short(p).to_owned())
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                    ]
                })
                .collect();
            out.table(
                &["CALL", "FROM", "ASKS", "DECIDE BY", "ANSWERED BY"],
                rows,
                "No calls received.",
            )?;
        }
        StatementCmd::Verify {
            c,
            statement,
            format,
        } => {
            let coalition = on(x, &c, out)?;
            let checked: StatementVerified = x
                .call(Request::StatementVerify {
                    coalition,
                    statement,
                })?
                .try_into()?;
            if format.json {
                out.json(&checked)?;
            } else if let Some(s) = &checked.statement {
                out.text(&format!(
                    "Verified: {} ({}: {}).",
                    line(&s.provenance),
                    s.kind,
                    line(&s.summary)
                ))?;
            }
            if !checked.verifies {
                anyhow::bail!(
                    "statement {} does not verify: {}",
                    short(&checked.id),
                    checked.reason.as_deref().unwrap_or("no reason given")
                );
            }
        }
    }
    Ok(())
}
