//! `audit` and `history`: how power is shared, what peers sent that broke the rules, and
//! who changed what.

use anyhow::{Context, Result};
use model::Timestamp;

use super::{named, on, short};
use crate::args::{AuditCmd, HistoryArgs};
use crate::ops::{Exec, Request, Updated};
use crate::output::Out;

pub(crate) fn audit(x: &mut dyn Exec, cmd: AuditCmd, out: &Out) -> Result<()> {
    match cmd {
        AuditCmd::Refused { format } => refused(x, format.json, out),
        AuditCmd::Aside { c, format } => aside(x, &c, format.json, out),
        AuditCmd::Power { c, format } => {
            let coalition = on(x, &c, out)?;
            let view: Box<crate::ops::reports::PowerView> =
                x.call(Request::ReportPower { coalition })?.try_into()?;
            let report = &view.report;
            if format.json {
                return out.json(&report);
            }
            let units = |m: &std::collections::BTreeMap<String, String>| {
                if m.is_empty() {
                    "-".to_owned()
                } else {
                    m.iter()
                        .map(|(u, a)| format!("{a} {u}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let rows = report
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.name.clone(),
                        format!("{} ({}%)", m.proposals_authored, m.share_authored),
                        format!("{} ({}%)", m.facilitation_turns, m.share_facilitation),
                        m.checkins.to_string(),
                        units(&m.given),
                        format!("{} ({}%)", units(&m.received), m.share_received),
                        format!("{}/{} ({}%)", m.positions, m.open_to, m.participation),
                        m.blocks.to_string(),
                        if m.flags.is_empty() {
                            String::new()
                        } else {
                            format!("over {}: {}", report.threshold, m.flags.join(", "))
                        },
                    ]
                })
                .collect();
            out.table(
                &[
                    "MEMBER",
                    "PROPOSED",
                    "FACILITATED",
                    "CHECK-INS",
                    "GAVE",
                    "RECEIVED",
                    "POSITIONS",
                    "BLOCKS",
                    "FLAG",
                ],
                rows,
                "No members in force.",
            )?;
            if report.flagged.is_empty() {
                out.note(&format!(
                    "No member holds more than {} of proposals, facilitation or allocations.",
                    report.threshold
                ));
            }
            Ok(())
        }
    }
}

fn refused(x: &mut dyn Exec, json: bool, out: &Out) -> Result<()> {
    let log: Vec<replica::Refusal> = x.call(Request::Refused)?.try_into()?;
    if json {
        return out.json(&log);
    }
    let rows = log
        .iter()
        .map(|f| {
            vec![
                Timestamp::from_millis(f.at).to_string(),
                short(&f.peer).to_owned(),
                f.coalition.as_deref().map_or("-", short).to_owned(),
                f.reason.clone(),
            ]
        })
        .collect();
    out.table(
        &["WHEN", "PEER", "COALITION", "REFUSED BECAUSE"],
        rows,
        "Nothing refused: every message from peers so far followed the rules.",
    )
}

fn aside(x: &mut dyn Exec, c: &crate::args::CoalitionArg, json: bool, out: &Out) -> Result<()> {
    let coalition = on(x, c, out)?;
    let view: crate::ops::audit::AsideView = x.call(Request::Aside { coalition })?.try_into()?;
    let kept = view.kept;
    if json {
        return out.json(&kept);
    }
    let rows = kept
        .iter()
        .map(|a| {
            let member = a.node.and_then(|key| view.names.get(&key.to_string()));
            vec![
                // A change that states no time (made by hand) says so.
                if a.at.as_millis() == 0 {
                    "-".to_owned()
                } else {
                    a.at.to_string()
                },
                member.map_or_else(|| "(unknown key)".to_owned(), Clone::clone),
                a.message.clone(),
                short(&a.change).to_owned(),
            ]
        })
        .collect();
    out.table(
        &["WHEN", "MEMBER", "EDIT", "CHANGE"],
        rows,
        "No edit of this coalition was set aside on this node.",
    )?;
    if !kept.is_empty() {
        out.note(
            "These edits are not in the coalition: they were made by a member node that forked \
             its history, or built on its edits. Enter again the ones that should count.",
        );
    }
    Ok(())
}

pub(crate) fn history(x: &mut dyn Exec, args: HistoryArgs, out: &Out) -> Result<()> {
    let HistoryArgs {
        c,
        record,
        restore,
        field,
        format,
    } = args;
    let coalition = on(x, &c, out)?;
    if let (Some(change), Some(record), Some(field)) = (restore, &record, field) {
        let body = crate::ops::audit::RestoreRequest {
            record: record.clone(),
            field: field.clone(),
            change: change.clone(),
        };
        let done: Updated = x
            .call(Request::HistoryRestore { coalition, body })?
            .try_into()?;
        out.note(&format!(
            "Restored the {field} of {} as it was after change {}, as a new change.",
            short(&done.id),
            short(&change)
        ));
        return Ok(());
    }
    let query = crate::ops::audit::HistoryQuery { record };
    let view: crate::ops::audit::HistoryView =
        x.call(Request::History { coalition, query })?.try_into()?;
    if format.json {
        return out.json(&view.entries);
    }
    let rows = view
        .entries
        .iter()
        .map(|e| {
            vec![
                short(&e.change).to_owned(),
                e.at.to_string(),
                e.member
                    .as_ref()
                    .map_or_else(|| "(unknown key)".to_owned(), |m| named(&view.names, m)),
                e.message.clone(),
                e.fields
                    .iter()
                    .map(|f| readable_field(f))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    out.table(
        &["CHANGE", "WHEN", "BY", "EDIT", "WROTE"],
        rows,
        "No changes.",
    )
}

/// `issues/0123…/description` as `issues/01234567/description`: ids shortened, field names
/// whole.
fn readable_field(f: &str) -> String {
    f.split('/')
        .map(|seg| {
            if seg.len() >= 16 && seg.bytes().all(|b| b.is_ascii_hexdigit()) {
                short(seg)
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `report`: the progress report, written to standard output or to `--out FILE` (in this
/// process: the report is text the node sends back).
pub(crate) fn progress(x: &mut dyn Exec, args: crate::args::ReportArgs, out: &Out) -> Result<()> {
    let query = crate::ops::reports::ProgressQuery {
        from: args.from,
        to: args.to,
        lang: Some(args.lang),
        format: Some(args.format),
    };
    // Checked here too, so a mistyped flag is named before the node is asked.
    crate::ops::reports::progress_terms(&query)?;
    let coalition = on(x, &args.c, out)?;
    let made: Box<crate::ops::reports::ProgressMade> = x
        .call(Request::ReportProgress { coalition, query })?
        .try_into()?;
    match args.out {
        Some(file) => {
            std::fs::write(&file, &made.text)
                .with_context(|| format!("could not write {}", file.display()))?;
            out.note(&format!(
                "Wrote the progress report of {} ({}, {}) to {}.",
                crate::output::line(&made.name),
                made.format,
                made.lang,
                file.display()
            ));
            Ok(())
        }
        // JSON escaped as every JSON printed; HTML and Markdown hold no character a terminal
        // must not get (the report leaves members' controls out), and are escaped if they did.
        None if made.format == "json" => {
            out.text_raw(&format!("{}\n", crate::output::escape_json(&made.text)))
        }
        None => out.text(&made.text),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn history_shortens_ids_not_field_names() {
        assert_eq!(
            super::readable_field("issues/0123456789abcdef0123456789abcdef/description"),
            "issues/01234567/description"
        );
        assert_eq!(
            super::readable_field("members/0123456789abcdef0123456789abcdef/accessibility"),
            "members/01234567/accessibility"
        );
    }
}
