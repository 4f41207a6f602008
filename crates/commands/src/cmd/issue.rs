//! `issue` commands and the hidden `debug write-loop`.

use replica::Replica;

use anyhow::Result;
use model::{IssueId, MemberId, NewIssue, reports};
use serde::Serialize;

use super::{Ctx, day, named, short};
use crate::args::{DebugCmd, IssueCmd};
use crate::ops::issues;
use crate::output::Out;

pub(crate) fn run(r: &mut Replica, cmd: IssueCmd, out: &Out) -> Result<()> {
    match cmd {
        IssueCmd::Add {
            c,
            title,
            description,
            tags,
            lead,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let req = issues::NewIssueRequest {
                title,
                description,
                tags,
                lead,
            };
            out.id(issues::create(ctx.replica, &ctx.id, req)?)
        }
        IssueCmd::Edit {
            c,
            issue,
            title,
            description,
            status,
            lead,
            tags,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let req = issues::IssueEditRequest {
                title,
                description,
                status: status.map(|s| s.to_string()),
                lead,
                add_tags: tags,
            };
            let id = issues::edit(ctx.replica, &ctx.id, &issue, req)?;
            out.note(&format!("Issue {} updated.", id.short()));
            Ok(())
        }
        IssueCmd::Evidence {
            c,
            issue,
            source,
            figure,
            disaggregation,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            let id = ctx.replica.edit(&ctx.id, |doc, a| {
                doc.add_evidence(&a.member, &issue, &source, &figure, &disaggregation, a.now)
            })?;
            out.note(&format!("Evidence added to issue {}.", id.short()));
            Ok(())
        }
        IssueCmd::Share { c, issue, rank } => {
            let ctx = Ctx::new(r, &c, out)?;
            let id = ctx.replica.edit(&ctx.id, |doc, a| {
                doc.share_issue(&a.member, &issue, rank, a.now)
            })?;
            out.note(&format!(
                "Your organization shares issue {} at rank {rank}.",
                id.short()
            ));
            Ok(())
        }
        IssueCmd::Unshare { c, issue } => {
            let ctx = Ctx::new(r, &c, out)?;
            let id = ctx.replica.edit(&ctx.id, |doc, a| {
                doc.unshare_issue(&a.member, &issue, a.now)
            })?;
            out.note(&format!(
                "Your organization no longer shares issue {}.",
                id.short()
            ));
            Ok(())
        }
        IssueCmd::List {
            c,
            tag,
            status,
            format,
        } => {
            let ctx = Ctx::new(r, &c, out)?;
            // Every issue: the command line prints the whole list.
            let query = issues::IssueQuery {
                tag,
                status: status.map(|s| s.to_string()),
                offset: 0,
                limit: Some(usize::MAX),
            };
            let page = issues::list_limited(ctx.replica, &ctx.id, &query, usize::MAX)?;
            if format.json {
                return out.json(&page.issues);
            }
            let name = |m: &MemberId| named(&page.names, m);
            let rows = page
                .issues
                .iter()
                .map(|i| {
                    vec![
                        short(&i.id).to_owned(),
                        i.title.clone(),
                        i.status.to_string(),
                        name(&i.lead),
                        i.tags.join(", "),
                        i.ranks.len().to_string(),
                        day(i.created_at),
                    ]
                })
                .collect();
            out.table(
                &[
                    "ID",
                    "TITLE",
                    "STATUS",
                    "LEAD",
                    "TAGS",
                    "SHARED BY",
                    "RAISED",
                ],
                rows,
                "No issues yet. Raise one with `coalesce issue add`.",
            )
        }
        IssueCmd::Show { c, issue, format } => {
            let ctx = Ctx::new(r, &c, out)?;
            let detail = issues::show(ctx.replica, &ctx.id, &issue)?;
            let i = &detail.issue;
            if format.json {
                return out.json(i);
            }
            let name = |m: &MemberId| named(&detail.names, m);
            let mut s = format!("{}  [{}]\n{}\n\n", i.title, i.status, i.id);
            s += &format!(
                "Raised by {} on {}; lead: {}\n",
                name(&i.raised_by),
                day(i.created_at),
                name(&i.lead)
            );
            if !i.tags.is_empty() {
                s += &format!("Tags: {}\n", i.tags.join(", "));
            }
            if !i.description.is_empty() {
                s += &format!("\n{}\n", i.description);
            }
            if !i.evidence.is_empty() {
                s += "\nEvidence:\n";
                for e in &i.evidence {
                    let note = if e.disaggregation.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", e.disaggregation)
                    };
                    s += &format!("  - {} — {}{note}\n", e.figure, e.source);
                }
            }
            if !i.ranks.is_empty() {
                s += "\nShared by:\n";
                let mut ranks: Vec<_> = i.ranks.iter().collect();
                ranks.sort_by_key(|(_, r)| **r);
                for (m, r) in ranks {
                    s += &format!("  {} (rank {r})\n", name(m));
                }
            }
            out.text(&s)
        }
        IssueCmd::Overlap { c, format } => {
            let mut ctx = Ctx::new(r, &c, out)?;
            let state = ctx.read()?;
            let report = reports::overlap(&state);
            if format.json {
                return out.json(&report);
            }
            let rows = report
                .issues
                .iter()
                .enumerate()
                .map(|(n, row)| {
                    vec![
                        (n + 1).to_string(),
                        short(&row.issue).to_owned(),
                        row.title.clone(),
                        format!("{}/{}", row.members_sharing, state.members.len()),
                        row.score.to_string(),
                        row.shared_by
                            .iter()
                            .map(|s| format!("{} (#{})", s.name, s.rank))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect();
            out.table(
                &["#", "ID", "ISSUE", "SHARED", "SCORE", "SHARED BY (RANK)"],
                rows,
                "No issues to compare yet.",
            )
        }
    }
}

/// One issue `debug write-loop` stored: its number and id.
#[derive(Serialize)]
struct Written<'a> {
    n: u64,
    id: &'a str,
}

pub(crate) fn debug(r: &mut Replica, cmd: DebugCmd, out: &Out) -> Result<()> {
    if let DebugCmd::KnownPeers = cmd {
        let peers = r
            .record(replica::PEERS_RECORD)?
            .unwrap_or_else(|| b"{}".to_vec());
        return out.text_raw(&String::from_utf8_lossy(&peers));
    }
    let DebugCmd::WriteLoop { c, count } = cmd else {
        anyhow::bail!("this command needs the running node");
    };
    let ctx = Ctx::new(r, &c, out)?;
    for n in 0..count {
        let id = IssueId::from_bytes(replica::fresh_id_bytes()?);
        let new = NewIssue {
            id: id.clone(),
            title: format!("Issue {n}"),
            description: String::new(),
            tags: vec![],
            lead: None,
        };
        ctx.replica
            .edit(&ctx.id, |doc, a| doc.add_issue(&a.member, new, a.now))?;
        // Printed only after the change is durable: the crash test relies on it.
        out.text(&serde_json::to_string(&Written { n, id: id.as_str() })?)?;
    }
    Ok(())
}
