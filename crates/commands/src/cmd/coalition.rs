//! `init`, `coalition`, `charter`, `member` and `export`.

use std::path::Path;

use anyhow::{Context, Result};
use model::{GoalId, schema::Charter};
use replica::{NewCoalition, Replica};

use super::{Ctx, day, name_of, short};
use crate::args::{CharterCmd, CoalitionArg, CoalitionCmd, GoalCmd, MemberCmd};
use crate::output::Out;

/// Sets up a node in `home` and prints its id.
pub fn init(home: &Path, org: &str, out: &Out) -> Result<()> {
    let key = Replica::init(home, org)?;
    out.note(&format!(
        "Node set up for {} in {}",
        org.trim(),
        home.display()
    ));
    out.id(key)
}

pub fn coalition(r: &mut Replica, cmd: CoalitionCmd, out: &Out) -> Result<()> {
    match cmd {
        CoalitionCmd::Create {
            name,
            frame,
            values,
            commitments,
            equity_threshold,
        } => {
            let id = r.found_coalition(NewCoalition {
                name,
                frame,
                values,
                commitments,
                equity_threshold: Some(equity_threshold),
            })?;
            out.note("Coalition founded; your organization is its first member.");
            out.id(id)
        }
        CoalitionCmd::List { format } => {
            let list = r.coalitions()?;
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

fn render_charter(c: &model::Coalition, ch: &Charter) -> String {
    let mut s = format!("{} (charter version {})\n\n", ch.name, ch.version);
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
                    .map(|i| format!("  - {i}\n"))
                    .collect::<String>()
            )
        }
    };
    s += &list("Values", &ch.values);
    s += &list("Commitments", &ch.commitments);
    s += "Decision rules (method@quorum):\n";
    for (kind, rule) in [
        ("amendment", ch.rules.amendment),
        ("membership", ch.rules.membership),
        ("allocation", ch.rules.allocation),
        ("public-statement", ch.rules.public_statement),
        ("general", ch.rules.general),
    ] {
        s += &format!("  {kind:<17} {rule}\n");
    }
    let names = |ids: &[String]| {
        ids.iter()
            .map(|m| name_of(c, m))
            .collect::<Vec<_>>()
            .join(", ")
    };
    s += &format!(
        "\nRoles:\n  facilitator rotation: {}\n  spokespeople:         {}\n  statement sign-off:   {}\n",
        names(&ch.roles.facilitator_rotation),
        names(&ch.roles.spokespeople),
        names(&ch.roles.statement_signoff)
    );
    s += &format!(
        "\nEquity flag above: {} of a pool's allocations to one member\n",
        ch.equity_threshold
    );
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
                g.title,
                g.target,
                g.unit
            );
        }
    }
    s
}

pub fn charter(r: &mut Replica, cmd: CharterCmd, out: &Out) -> Result<()> {
    match cmd {
        CharterCmd::Show { c, format } => {
            let mut ctx = Ctx::new(r, &c)?;
            let state = ctx.read()?;
            if format.json {
                return out.json(&state.charter);
            }
            out.text(&render_charter(&state, &state.charter))
        }
        CharterCmd::Versions { c, format } => {
            let mut ctx = Ctx::new(r, &c)?;
            let state = ctx.read()?;
            let versions: Vec<_> = state.charter_versions.values().collect();
            if format.json {
                return out.json(&versions);
            }
            let rows = versions
                .iter()
                .map(|v| {
                    vec![
                        v.number.to_string(),
                        day(v.ratified_at),
                        v.proposal.as_deref().map_or("founding", short).to_owned(),
                        v.agreed_by
                            .iter()
                            .map(|m| name_of(&state, m))
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
        CharterCmd::Goal(GoalCmd::Add {
            c,
            title,
            target,
            unit,
        }) => {
            let ctx = Ctx::new(r, &c)?;
            let id = GoalId::from_bytes(replica::fresh_id_bytes()?);
            ctx.replica.edit(&ctx.id, |doc, a| {
                doc.add_goal(&a.member, &id, &title, target, &unit, a.now)
            })?;
            out.id(id)
        }
        CharterCmd::Goal(GoalCmd::Progress {
            c,
            goal,
            value,
            date,
            note: text,
        }) => {
            let ctx = Ctx::new(r, &c)?;
            let id = ctx.replica.edit(&ctx.id, |doc, a| {
                let day = date.unwrap_or_else(|| model::Day::of(a.now));
                doc.record_progress(&a.member, &goal, day, value, &text, a.now)
            })?;
            out.note(&format!(
                "Progress recorded for goal {}.",
                short(id.as_str())
            ));
            Ok(())
        }
    }
}

pub fn member(r: &mut Replica, cmd: MemberCmd, out: &Out) -> Result<()> {
    let (c, format) = match cmd {
        MemberCmd::List { c, format } => (c, format),
        MemberCmd::Update {
            c,
            name,
            communities,
            languages,
            accessibility,
            contact,
        } => {
            let some = |l: Vec<String>| (!l.is_empty()).then_some(l);
            let update = model::ProfileUpdate {
                name,
                communities: some(communities),
                languages: some(languages),
                accessibility: some(accessibility),
                contact,
            };
            let ctx = Ctx::new(r, &c)?;
            ctx.replica.edit(&ctx.id, |doc, a| {
                doc.update_profile(&a.member, update, a.now)
            })?;
            out.note("Profile updated.");
            return Ok(());
        }
    };
    let mut ctx = Ctx::new(r, &c)?;
    let state = ctx.read()?;
    let mut members: Vec<_> = state.members.values().collect();
    members.sort_by(|a, b| a.name.cmp(&b.name));
    if format.json {
        return out.json(&members);
    }
    let rows = members
        .iter()
        .map(|m| {
            vec![
                short(&m.id).to_owned(),
                m.name.clone(),
                m.communities.join(", "),
                m.languages.join(", "),
                day(m.joined_at),
                m.keys.len().to_string(),
            ]
        })
        .collect();
    out.table(
        &["ID", "NAME", "COMMUNITIES", "LANGUAGES", "JOINED", "NODES"],
        rows,
        "No members.",
    )
}

pub fn export(r: &mut Replica, c: &CoalitionArg, dir: &Path, out: &Out) -> Result<()> {
    let mut ctx = Ctx::new(r, c)?;
    let state = ctx.read()?;
    let bytes = ctx.replica.save(&ctx.id)?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let am = dir.join(format!("{}.automerge", ctx.id));
    let json = dir.join(format!("{}.json", ctx.id));
    write_atomically(&am, &bytes)?;
    let text =
        serde_json::to_vec_pretty(&state).context("could not encode the coalition as JSON")?;
    write_atomically(&json, &text)?;
    out.note(&format!(
        "Exported {} ({} bytes of Automerge, readable by any Automerge implementation).",
        state.charter.name,
        bytes.len()
    ));
    out.text(&format!("{}\n{}", am.display(), json.display()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not write {}", path.display()))
}
