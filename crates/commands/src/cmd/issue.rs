//! `issue` commands.

use anyhow::Result;
use model::MemberId;

use std::collections::BTreeMap;

use super::{day, named, on, short};
use crate::args::IssueCmd;
use crate::ops::issues::IssueOrder;
use crate::ops::{Created, Exec, Request, Updated, issues};
use crate::output::{Out, line};

pub(crate) fn run(x: &mut dyn Exec, cmd: IssueCmd, out: &Out) -> Result<()> {
    match cmd {
        IssueCmd::Add {
            c,
            title,
            description,
            tags,
            lead,
        } => {
            let coalition = on(x, &c, out)?;
            let body = issues::NewIssueRequest {
                title,
                description,
                tags,
                lead,
            };
            let made: Created = x
                .call(Request::IssueCreate { coalition, body })?
                .try_into()?;
            out.id(made.id)?;
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
            let coalition = on(x, &c, out)?;
            let body = issues::IssueEditRequest {
                title,
                description,
                status: status.map(|s| s.to_string()),
                lead,
                add_tags: tags,
            };
            let done: Updated = x
                .call(Request::IssueEdit {
                    coalition,
                    issue,
                    body,
                })?
                .try_into()?;
            out.note(&format!("Issue {} updated.", short(&done.id)));
        }
        IssueCmd::Evidence {
            c,
            issue,
            source,
            figure,
            disaggregation,
        } => {
            let coalition = on(x, &c, out)?;
            let body = issues::EvidenceRequest {
                source,
                figure,
                disaggregation,
            };
            let done: Updated = x
                .call(Request::IssueEvidence {
                    coalition,
                    issue,
                    body,
                })?
                .try_into()?;
            out.note(&format!("Evidence added to issue {}.", short(&done.id)));
        }
        IssueCmd::Share { c, issue, rank } => {
            let coalition = on(x, &c, out)?;
            let body = issues::ShareRequest {
                rank: u64::from(rank.get()),
            };
            let done: Updated = x
                .call(Request::IssueShare {
                    coalition,
                    issue,
                    body,
                })?
                .try_into()?;
            out.note(&format!(
                "Your organization shares issue {} at rank {rank}.",
                short(&done.id)
            ));
        }
        IssueCmd::Unshare { c, issue } => {
            let coalition = on(x, &c, out)?;
            let done: Updated = x
                .call(Request::IssueUnshare { coalition, issue })?
                .try_into()?;
            out.note(&format!(
                "Your organization no longer shares issue {}.",
                short(&done.id)
            ));
        }
        IssueCmd::List {
            c,
            tag,
            status,
            by,
            format,
        } => {
            let coalition = on(x, &c, out)?;
            // Every issue: the command line prints the whole list (the poll that decided the
            // priority, from the first page, said above it).
            let mut priority = None;
            let (listed, names) = super::every_with::<issues::IssuePage>(
                x,
                |offset| Request::IssueList {
                    coalition: coalition.clone(),
                    query: issues::IssueQuery {
                        tag: tag.clone(),
                        status: status.map(|s| s.to_string()),
                        offset,
                        limit: Some(usize::MAX),
                        by: Some(by.as_str().to_owned()),
                    },
                },
                |first| priority.clone_from(&first.priority),
            )?;
            list(&listed, &names, (priority.as_ref(), by), format.json, out)?;
        }
        IssueCmd::Show { c, issue, format } => {
            let coalition = on(x, &c, out)?;
            let detail: Box<issues::IssueDetail> = x
                .call(Request::IssueShow { coalition, issue })?
                .try_into()?;
            show(&detail, format.json, out)?;
        }
        IssueCmd::Overlap { c, format } => {
            let coalition = on(x, &c, out)?;
            let view: Box<crate::ops::reports::OverlapView> =
                x.call(Request::ReportOverlap { coalition })?.try_into()?;
            if format.json {
                return out.json(&view.report);
            }
            let rows = view
                .report
                .issues
                .iter()
                .enumerate()
                .map(|(n, row)| {
                    vec![
                        (n + 1).to_string(),
                        short(&row.issue).to_owned(),
                        row.title.clone(),
                        format!("{}/{}", row.members_sharing, view.members),
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
            )?;
        }
    }
    Ok(())
}

/// `issue list`'s table (or JSON).
fn list(
    issues: &[issues::IssueView],
    names: &BTreeMap<MemberId, String>,
    (priority, by): (Option<&model::reports::Priority>, IssueOrder),
    json: bool,
    out: &Out,
) -> Result<()> {
    if json {
        return out.json(&issues);
    }
    let name = |m: &MemberId| named(names, m);
    let by_priority = by == IssueOrder::Priority;
    if by_priority {
        match priority {
            Some(p) => out.text(&format!(
                "Priority decided by the poll \"{}\" ({}), closed {}; the issues it did not rank follow, oldest first.",
                line(&p.title),
                short(&p.proposal),
                day(p.closed_at)
            ))?,
            None if !issues.is_empty() => out.text(
                "No poll over issues has decided a priority yet (open one with `coalesce proposal new --method dots --issue ID ...`); oldest first.",
            )?,
            None => {}
        }
    }
    let rows = issues
        .iter()
        .map(|i| {
            let mut row = vec![
                short(&i.id).to_owned(),
                i.title.clone(),
                i.status.to_string(),
                name(&i.lead),
                i.tags.join(", "),
                i.ranks.len().to_string(),
                day(i.created_at),
            ];
            if by_priority {
                row.insert(0, i.place.map_or_else(|| "-".to_owned(), |p| p.to_string()));
            }
            row
        })
        .collect();
    let mut headers = vec![
        "ID",
        "TITLE",
        "STATUS",
        "LEAD",
        "TAGS",
        "SHARED BY",
        "RAISED",
    ];
    if by_priority {
        headers.insert(0, "PLACE");
    }
    out.table(
        &headers,
        rows,
        "No issues yet. Raise one with `coalesce issue add`.",
    )
}

/// `issue show`'s text (or JSON).
fn show(detail: &issues::IssueDetail, json: bool, out: &Out) -> Result<()> {
    let i = &detail.issue;
    if json {
        return out.json(i);
    }
    let name = |m: &MemberId| named(&detail.names, m);
    let mut s = format!("{}  [{}]\n{}\n\n", line(&i.title), i.status, i.id);
    s += &format!(
        "Raised by {} on {}; lead: {}\n",
        name(&i.raised_by),
        day(i.created_at),
        name(&i.lead)
    );
    if !i.tags.is_empty() {
        let tags: Vec<String> = i.tags.iter().map(|t| line(t)).collect();
        s += &format!("Tags: {}\n", tags.join(", "));
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
                format!(" ({})", line(&e.disaggregation))
            };
            s += &format!("  - {} — {}{note}\n", line(&e.figure), line(&e.source));
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
