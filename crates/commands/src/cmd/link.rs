//! `coalesce link`: links with other coalitions.

use anyhow::Result;

use super::{on, short};
use crate::args::LinkCmd;
use crate::ops::links::{LinkEndRequest, LinkRequest, LinksView};
use crate::ops::{Created, Exec, Request};
use crate::output::Out;

pub(crate) fn run(x: &mut dyn Exec, cmd: LinkCmd, out: &Out) -> Result<()> {
    match cmd {
        LinkCmd::Propose {
            c,
            with,
            name,
            relation,
            publish,
            tags,
            goals,
            pools,
            threshold,
            accept,
            their_threshold,
            roster,
            weight,
            title,
            text,
            closes,
        } => {
            let coalition = on(x, &c, out)?;
            let body = LinkRequest {
                with,
                name,
                relation,
                publish,
                tags,
                goals,
                pools,
                threshold,
                accept,
                their_threshold,
                roster,
                weight,
                title,
                text,
                closes,
            };
            let made: Created = x
                .call(Request::LinkPropose {
                    coalition,
                    body: Box::new(body),
                })?
                .try_into()?;
            out.note(
                "Link proposed; once it passes here, the link is in force on this side (the \
                 other coalition decides its own side).",
            );
            out.id(made.id)?;
        }
        LinkCmd::End {
            c,
            with,
            title,
            text,
            closes,
        } => {
            let coalition = on(x, &c, out)?;
            let body = LinkEndRequest {
                with,
                title,
                text,
                closes,
            };
            let made: Created = x.call(Request::LinkEnd { coalition, body })?.try_into()?;
            out.note("End of the link proposed; once it passes, the link is no longer in force.");
            out.id(made.id)?;
        }
        LinkCmd::List { c, format } => {
            let coalition = on(x, &c, out)?;
            let listed: LinksView = x.call(Request::LinkList { coalition })?.try_into()?;
            if format.json {
                return out.json(&listed.links);
            }
            let kinds = |ks: &[String]| {
                if ks.is_empty() {
                    "-".to_owned()
                } else {
                    ks.join(",")
                }
            };
            let rows = listed
                .links
                .iter()
                .map(|l| {
                    vec![
                        l.coalition.clone(),
                        l.name.clone(),
                        l.relation.clone(),
                        format!("{} ({} co-signers)", kinds(&l.publish), l.threshold),
                        format!("{} ({} co-signers)", kinds(&l.accept), l.their_threshold),
                        short(&l.proposal).to_owned(),
                    ]
                })
                .collect();
            out.table(
                &[
                    "COALITION",
                    "NAME",
                    "RELATION",
                    "PUBLISH",
                    "TAKE",
                    "DECIDED BY",
                ],
                rows,
                "No links in force.",
            )?;
        }
    }
    Ok(())
}
