//! `init`, `coalition`, `charter`, `member` and `export`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use model::schema::Charter;
use replica::Replica;

use super::{day, named, on, short};
use crate::args::{CharterCmd, CoalitionCmd, GoalCmd, MemberCmd};
use crate::ops::{Created, Exec, Request, Updated};
use crate::output::{Out, line};

/// Sets up a node in `home` and prints its id. A node set up without a name (its first start
/// without `--org`) is named instead, and its id printed all the same.
pub fn init(home: &Path, org: &str, out: &Out) -> Result<()> {
    let key = match Replica::init(home, org) {
        Err(e @ replica::ReplicaError::AlreadyInitialized { .. }) => {
            let Some(unnamed) = replica::Identity::read(&home.join(replica::IDENTITY_FILE))
                .ok()
                .filter(|i| i.org() == replica::UNNAMED_ORG)
            else {
                return Err(e.into());
            };
            rename(home, org, out)?;
            out.note(NEXT);
            return out.id(unnamed.node_key());
        }
        other => other?,
    };
    out.note(&format!(
        "Node set up for {} in {}. {NEXT}",
        org.trim(),
        home.display()
    ));
    out.id(key)
}

/// What a node just set up or named does next.
const NEXT: &str = "Next: found a coalition (`coalesce coalition create NAME`), or join one with \
     the invite code another organization sent you (`coalesce join CODE`, with the node \
     running: `coalesce-node`).";

/// `rename`: the organization's name on this node.
pub fn rename(home: &Path, org: &str, out: &Out) -> Result<()> {
    let old = replica::rename_org(home, org)?;
    out.note(&format!(
        "This node's organization is now named {} (was {old}). A running node uses it from its next command on (coalitions it founds or joins); your name inside each coalition is your member profile's: change it with `coalesce member update --name`.",
        org.trim()
    ));
    Ok(())
}

pub(crate) fn coalition(x: &mut dyn Exec, cmd: CoalitionCmd, out: &Out) -> Result<()> {
    match cmd {
        CoalitionCmd::Create {
            name,
            frame,
            values,
            commitments,
            equity_threshold,
        } => {
            let body = crate::ops::coalitions::NewCoalitionRequest {
                name,
                frame,
                values,
                commitments,
                equity_threshold: Some(equity_threshold.to_string()),
            };
            let made: Created = x.call(Request::CoalitionCreate { body })?.try_into()?;
            out.note("Coalition founded; your organization is its first member.");
            out.id(made.id)
        }
        CoalitionCmd::List { format } => {
            let list: Vec<crate::ops::coalitions::CoalitionSummary> =
                x.call(Request::CoalitionList)?.try_into()?;
            if format.json {
                return out.json(&list);
            }
            let rows = list
                .iter()
                .map(|c| {
                    vec![
                        c.id.short().to_owned(),
                        c.name.clone(),
                        c.members.to_string(),
                        c.issues.to_string(),
                        c.pools.to_string(),
                        c.proposals.to_string(),
                    ]
                })
                .collect();
            out.table(
                &["ID", "NAME", "MEMBERS", "ISSUES", "POOLS", "PROPOSALS"],
                rows,
                "No coalitions yet. Found one with `coalesce coalition create NAME`.",
            )
        }
    }
}

fn render_charter(names: &BTreeMap<model::MemberId, String>, ch: &Charter) -> String {
    let mut s = format!("{} (charter version {})\n\n", line(&ch.name), ch.version);
    if !ch.frame.as_str().is_empty() {
        s += &format!("Frame:\n  {}\n\n", ch.frame.as_str().replace('\n', "\n  "));
    }
    let list = |title: &str, items: &[String]| {
        if items.is_empty() {
            String::new()
        } else {
            format!(
                "{title}:\n{}\n",
                items
                    .iter()
                    .map(|i| format!("  - {}\n", line(i)))
                    .collect::<String>()
            )
        }
    };
    s += &list("Values", &ch.values);
    s += &list("Commitments", &ch.commitments);
    s += "Decision rules (method@quorum):\n";
    for kind in model::RuleKind::ALL {
        let rule = ch
            .rules
            .get(*kind)
            .map_or_else(|| "invite (any one member's)".to_owned(), |r| r.to_string());
        s += &format!("  {:<17} {rule}\n", kind.as_str());
    }
    let list_names = |ids: &[model::MemberId]| {
        ids.iter()
            .map(|m| named(names, m))
            .collect::<Vec<_>>()
            .join(", ")
    };
    s += &format!(
        "\nRoles:\n  facilitator rotation: {}\n  spokespeople:         {}\n  statement sign-off:   {}\n",
        list_names(&ch.roles.facilitator_rotation),
        list_names(&ch.roles.spokespeople),
        list_names(&ch.roles.statement_signoff)
    );
    // (Added after the lines scripts read, and only once an election filled the role.)
    if !ch.roles.delegates.is_empty() {
        s += &format!(
            "  delegates:            {}\n",
            list_names(&ch.roles.delegates)
        );
    }
    s += &format!(
        "\nEquity flag above: {} of a pool's allocations to one member\n",
        ch.equity_threshold
    );
    if ch.weights.all_equal() {
        s += "Weights in polls: every member weighs one\n";
    } else {
        s += "Weights in polls (every other member weighs one):\n";
        for kind in model::DecisionKind::ALL {
            let w = ch.weights.for_kind(*kind);
            if !w.is_empty() {
                let each: Vec<String> = w
                    .iter()
                    .map(|(m, w)| format!("{} {w}", named(names, m)))
                    .collect();
                s += &format!("  {:<17} {}\n", kind.as_str(), each.join(", "));
            }
        }
    }
    if !ch.goals.is_empty() {
        s += "\nShared goals:\n";
        for g in ch.goals.values() {
            let latest = g.progress.last().map_or_else(
                || "no progress recorded".to_owned(),
                |p| format!("{} {} on {}", p.value, g.unit, p.day),
            );
            s += &format!(
                "  {}  {} — target {} {} ({latest})\n",
                short(&g.id),
                line(&g.title),
                g.target,
                line(&g.unit)
            );
        }
    }
    s
}

pub(crate) fn charter(x: &mut dyn Exec, cmd: CharterCmd, out: &Out) -> Result<()> {
    match cmd {
        CharterCmd::Show { c, format } => {
            let coalition = on(x, &c, out)?;
            let shown: Box<crate::ops::charter::CharterDetail> =
                x.call(Request::CharterShow { coalition })?.try_into()?;
            if format.json {
                out.json(&shown.charter)?;
            } else {
                out.text(&render_charter(&shown.names, &shown.charter))?;
            }
        }
        CharterCmd::Versions { c, format } => {
            let coalition = on(x, &c, out)?;
            let listed: crate::ops::charter::CharterVersions =
                x.call(Request::CharterVersions { coalition })?.try_into()?;
            versions(&listed, format.json, out)?;
        }
        CharterCmd::Goal(GoalCmd::Add {
            c,
            title,
            target,
            unit,
        }) => {
            let coalition = on(x, &c, out)?;
            let body = crate::ops::charter::NewGoalRequest {
                title,
                target: target.to_string(),
                unit,
            };
            let made: Created = x
                .call(Request::GoalCreate { coalition, body })?
                .try_into()?;
            out.id(made.id)?;
        }
        CharterCmd::Goal(GoalCmd::Progress {
            c,
            goal,
            value,
            date,
            note,
        }) => {
            let coalition = on(x, &c, out)?;
            let body = crate::ops::charter::ProgressRequest {
                value: value.to_string(),
                date: date.map(|d| d.to_string()),
                note,
            };
            let done: Updated = x
                .call(Request::GoalProgress {
                    coalition,
                    goal,
                    body,
                })?
                .try_into()?;
            out.note(&format!("Progress recorded for goal {}.", short(&done.id)));
        }
        CharterCmd::Amend {
            c,
            frame,
            add_values,
            add_commitments,
            rules,
            equity_threshold,
            weights,
            title,
            text,
            closes,
        } => {
            let coalition = on(x, &c, out)?;
            let body = crate::ops::charter::AmendmentRequest {
                frame,
                add_values,
                add_commitments,
                rules: rules.iter().map(ToString::to_string).collect(),
                equity_threshold: equity_threshold.map(|t| t.to_string()),
                weights,
                title,
                text,
                closes,
            };
            // The model refuses it too, in words without the flags.
            if body.changes_nothing() {
                anyhow::bail!(
                    "an amendment must change something: give --frame, --add-value, \
                     --add-commitment, --rule, --equity-threshold or --weight"
                );
            }
            let made: Created = x
                .call(Request::CharterAmend {
                    coalition,
                    body: Box::new(body),
                })?
                .try_into()?;
            out.note("Amendment opened; once it passes it becomes the next charter version.");
            out.id(made.id)?;
        }
    }
    Ok(())
}

/// `charter versions`' table (or JSON).
fn versions(listed: &crate::ops::charter::CharterVersions, json: bool, out: &Out) -> Result<()> {
    if json {
        return out.json(&listed.versions);
    }
    let rows = listed
        .versions
        .iter()
        .map(|v| {
            vec![
                v.number.to_string(),
                day(v.ratified_at),
                v.proposal.as_ref().map_or("founding", short).to_owned(),
                v.agreed_by
                    .iter()
                    .map(|m| named(&listed.names, m))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    out.table(
        &["VERSION", "RATIFIED", "PROPOSAL", "AGREED BY"],
        rows,
        "No charter versions.",
    )
}

pub(crate) fn member(x: &mut dyn Exec, cmd: MemberCmd, out: &Out) -> Result<()> {
    use crate::ops::members;
    match cmd {
        MemberCmd::List { c, all, format } => {
            let coalition = on(x, &c, out)?;
            let query = members::MemberQuery { all };
            let listed: Vec<members::MemberEntry> = x
                .call(Request::MemberList { coalition, query })?
                .try_into()?;
            member_list(&listed, format.json, out)?;
        }
        MemberCmd::Remove {
            c,
            member,
            reason,
            closes,
        } => {
            let coalition = on(x, &c, out)?;
            let body = members::RemovalRequest { reason, closes };
            let made: Created = x
                .call(Request::MemberRemoval {
                    coalition,
                    member,
                    body,
                })?
                .try_into()?;
            out.note("Removal proposed; the other members decide it under the charter's membership rule.");
            out.id(made.id)?;
        }
        MemberCmd::Update {
            c,
            name,
            communities,
            languages,
            accessibility,
            contact,
        } => {
            // On the command line a list left out stays as it is.
            let some = |l: Vec<String>| (!l.is_empty()).then_some(l);
            let body = members::ProfileRequest {
                name,
                communities: some(communities),
                languages: some(languages),
                accessibility: some(accessibility),
                contact,
            };
            let coalition = on(x, &c, out)?;
            let _: Updated = x
                .call(Request::ProfileUpdate { coalition, body })?
                .try_into()?;
            out.note("Profile updated.");
        }
        MemberCmd::Leave { c, .. } => {
            let coalition = on(x, &c, out)?;
            let _: Updated = x.call(Request::MemberLeave { coalition })?.try_into()?;
            out.note("Your organization has left the coalition. What it wrote stays in the coalition's history; the other members' nodes stop sending it to this node.");
        }
        MemberCmd::Key(k) => super::keys::key(x, k, out)?,
    }
    Ok(())
}

/// `member list`'s table (or JSON).
fn member_list(members: &[crate::ops::members::MemberEntry], json: bool, out: &Out) -> Result<()> {
    if json {
        return out.json(&members);
    }
    let rows = members
        .iter()
        .map(|v| {
            let m = &v.member;
            vec![
                short(&m.id).to_owned(),
                m.name.clone(),
                v.status.clone(),
                m.communities.join(", "),
                m.languages.join(", "),
                day(m.joined_at),
                m.keys.len().to_string(),
            ]
        })
        .collect();
    out.table(
        &[
            "ID",
            "NAME",
            "STATUS",
            "COMMUNITIES",
            "LANGUAGES",
            "JOINED",
            "NODES",
        ],
        rows,
        "No members.",
    )
}

/// Sets up a node in `home` from the backup `file` and prints its device key.
pub fn restore(home: &Path, file: &Path, out: &Out) -> Result<()> {
    let bytes = super::read_limited(file, replica::backup::MAX_BACKUP_BYTES)?;
    let key = Replica::restore(&bytes, home)
        .with_context(|| format!("could not restore {}", file.display()))?;
    out.note(&format!(
        "Node restored in {}; start `coalesce-node --home {}` to catch up from the other members' nodes.",
        home.display(),
        home.display()
    ));
    out.id(key)
}
