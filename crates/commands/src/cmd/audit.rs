//! `audit` and `history`: how power is shared, what peers sent that broke the rules, and
//! who changed what.

use anyhow::Result;
use model::{Timestamp, reports};
use replica::Replica;

use super::{Ctx, member_with_key, name_of, short};
use crate::args::{AuditCmd, HistoryArgs};
use crate::output::Out;

pub(crate) fn audit(r: &mut Replica, cmd: AuditCmd, out: &Out) -> Result<()> {
    match cmd {
        AuditCmd::Refused { format } => refused(r, format.json, out),
        AuditCmd::Aside { c, format } => aside(r, &c, format.json, out),
        AuditCmd::Power { c, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let report = reports::power(&state, replica::now());
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

fn refused(r: &mut Replica, json: bool, out: &Out) -> Result<()> {
    let log = r.refusals()?;
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

fn aside(r: &mut Replica, c: &crate::args::CoalitionArg, json: bool, out: &Out) -> Result<()> {
    let mut ctx = Ctx::new(r, c, out)?;
    let kept = ctx.replica.aside(&ctx.id)?;
    if json {
        return out.json(&kept);
    }
    let state = ctx.read()?;
    let rows = kept
        .iter()
        .map(|a| {
            let member = a.node.and_then(|key| member_with_key(&state, &key));
            vec![
                // A change that states no time (made by hand) says so.
                if a.at.as_millis() == 0 {
                    "-".to_owned()
                } else {
                    a.at.to_string()
                },
                member.map_or_else(|| "(unknown key)".to_owned(), |m| m.name.clone()),
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

pub(crate) fn history(r: &mut Replica, args: HistoryArgs, out: &Out) -> Result<()> {
    let HistoryArgs {
        c,
        record,
        restore,
        field,
        format,
    } = args;
    let mut ctx = Ctx::new(r, &c, out)?;
    if let (Some(change), Some(record), Some(field)) = (restore, &record, field) {
        let id = ctx.replica.edit(&ctx.id, |doc, a| {
            doc.restore(&a.member, record, &field, &change, a.now)
        })?;
        out.note(&format!(
            "Restored the {field} of {} as it was after change {}, as a new change.",
            short(&id),
            short(&change)
        ));
        return Ok(());
    }
    let state = ctx.read()?;
    let record = match record {
        Some(given) => Some(full_record_id(&state, &given)?),
        None => None,
    };
    let entries = ctx.replica.history(&ctx.id, record.as_deref())?;
    if format.json {
        return out.json(&entries);
    }
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                short(&e.change).to_owned(),
                e.at.to_string(),
                e.member
                    .as_ref()
                    .map_or_else(|| "(unknown key)".to_owned(), |m| name_of(&state, m)),
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

/// The full id of a record named by id or prefix, in any collection.
fn full_record_id(state: &model::Coalition, given: &str) -> Result<String> {
    let ids = state
        .issues
        .keys()
        .map(AsRef::as_ref)
        .chain(state.pools.keys().map(AsRef::as_ref))
        .chain(state.meetings.keys().map(AsRef::as_ref))
        .chain(state.proposals.keys().map(AsRef::as_ref))
        .chain(state.charter.goals.keys().map(AsRef::as_ref))
        .chain(state.members.keys().map(AsRef::as_ref))
        .chain(state.former_members.keys().map(AsRef::as_ref));
    Ok(model::resolve_prefix(given, "record", ids)?.to_owned())
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
