//! `coalesce status`: the first thing an operator runs when something looks wrong.

use anyhow::Result;
use model::governance::FLAGS_TO_REFUSE;

use super::short;
use crate::ops::status::{StatusDetail, StatusView};
use crate::ops::{Exec, Request};
use crate::output::{Out, line};

/// Prints the status of the node `x` reaches (the running node's, with its network).
pub(crate) fn status(x: &mut dyn Exec, json: bool, out: &Out) -> Result<()> {
    let detail: Box<StatusDetail> = x.call(Request::Status)?.try_into()?;
    render(&detail.status, json, out)
}

/// Prints a status report.
pub(crate) fn render(view: &StatusView, json: bool, out: &Out) -> Result<()> {
    if json {
        return out.json(view);
    }
    let running = view.running;
    let mut s = format!(
        "Node {} ({}), protocol {}\n",
        view.node, view.org, view.protocol
    );
    if running {
        s += &format!("Running; API on {}\n", view.api.as_deref().unwrap_or("-"));
        if let Some(tls) = &view.api_tls {
            s += &format!(
                "API over TLS on {} (certificate SHA-256 {})\n",
                tls.addr, tls.cert_sha256
            );
        }
        s += "Reachable at:\n";
        for a in &view.addresses {
            s += &format!("  {a}\n");
        }
        s += &reach_text(view);
    } else {
        s += "Not running: start `coalesce-node` to sync with the other members' nodes.\n";
    }
    for p in &view.incompatible_peers {
        s += &format!(
            "Peer {} speaks protocol {}, this node {}: disconnected; one of you needs to upgrade.\n",
            short(&p.node),
            p.protocol,
            view.protocol
        );
    }
    out.text(&s)?;
    for c in &view.coalitions {
        out.text(&format!("\n{} ({})", line(&c.name), short(&c.id)))?;
        let rows = c
            .member_nodes
            .iter()
            .map(|n| {
                vec![
                    n.name.clone(),
                    short(&n.node).to_owned(),
                    if n.connected { "yes" } else { "no" }.to_owned(),
                    n.last_sync
                        .map_or_else(|| "-".to_owned(), |t| t.to_string()),
                    behind_text(n.incompatible_protocol, n.behind),
                    path_text(n),
                ]
            })
            .collect();
        out.table(
            &["MEMBER", "NODE", "CONNECTED", "LAST SYNC", "BEHIND", "PATH"],
            rows,
            "No other member nodes yet: invite an organization with `coalesce invite create`.",
        )?;
        for f in &c.forked {
            let who = f
                .name
                .as_deref()
                .map_or_else(|| "an unknown member".to_owned(), line);
            let flags = if f.refused {
                format!(
                    "{} other members flagged it: what it writes after seeing their flags is \
                     refused on every node.",
                    f.flagged_by.len()
                )
            } else {
                format!(
                    "{} of the {} other members needed have flagged it so far; once they have, \
                     what it writes after seeing their flags is refused on every node.",
                    f.flagged_by.len(),
                    FLAGS_TO_REFUSE
                )
            };
            out.text(&if f.this_node {
                format!(
                    "Warning: THIS node's key wrote two different changes with one sequence number \
                     (was its home copied, or a VM snapshot restored?), at its change {}. Every \
                     member's node keeps the version another member built on and sets the other \
                     aside ({} change(s) set aside here); this node can no longer write in this \
                     coalition. Add a new key for {who} from another of its nodes (`coalesce member \
                     key add`), or restore a backup (which draws a new key). {flags}\n",
                    f.from_seq, c.set_aside
                )
            } else {
                format!(
                    "Warning: node {} of {who} wrote two different changes with one sequence number \
                     (its change {}). Every member's node keeps the version another member built on \
                     and sets the other aside ({} change(s) set aside here). {flags} Its \
                     organization can go on with another key.\n",
                    short(&f.node),
                    f.from_seq,
                    c.set_aside
                )
            })?;
        }
        if c.key_refused && !c.forked.iter().any(|f| f.this_node) {
            out.text(
                "Warning: other members flagged THIS node's key for writing two histories: it \
                 can no longer write in this coalition. Add a new key for your organization \
                 from another of its nodes (`coalesce member key add`), or restore a backup \
                 (which draws a new key).\n",
            )?;
        }
        if c.kept_aside > 0 {
            out.text(&format!(
                "{} edit(s) this node had stored were set aside and are kept apart: \
                 `coalesce audit aside --coalition {}` lists them.\n",
                c.kept_aside,
                short(&c.id)
            ))?;
        }
        if !c.unreadable.is_empty() {
            let mut w = format!(
                "Warning: {} record(s) of this coalition do not read and are left out of every listing:\n",
                c.unreadable.len()
            );
            for u in &c.unreadable {
                w += &format!("  {}: {}\n", u.path, u.error);
            }
            out.text(&w)?;
        }
    }
    if !view.other_nodes.is_empty() {
        out.text("\nOther nodes: no member's node in a coalition held here (found on the local network, say); one that shares nothing is disconnected and not dialed again for a while")?;
        let rows = view
            .other_nodes
            .iter()
            .map(|o| {
                vec![
                    short(&o.node).to_owned(),
                    o.address.clone().unwrap_or_else(|| "-".to_owned()),
                    if o.connected { "yes" } else { "no" }.to_owned(),
                    o.disconnected_at
                        .map_or_else(|| "-".to_owned(), |t| t.to_string()),
                ]
            })
            .collect();
        out.table(
            &["NODE", "ADDRESS", "CONNECTED", "DISCONNECTED AT"],
            rows,
            "",
        )?;
    }
    Ok(())
}

/// How reachable the node is from outside, in words.
fn reach_text(view: &StatusView) -> String {
    let mut s = match view.reachability.as_deref() {
        Some("public") => "Reachable from outside its network: yes (member nodes dialed it back)".to_owned(),
        Some("private") => "Reachable from outside its network: no (behind a NAT or firewall); members reach it through a member's relay, or once you announce a forwarded port with --announce".to_owned(),
        _ => "Reachable from outside its network: not known yet (no member node has tried dialing it back)".to_owned(),
    };
    s.push('\n');
    for a in &view.external_addresses {
        s += &format!("  external: {a}\n");
    }
    if view.relaying {
        s += "Relaying for member nodes that cannot be reached directly\n";
    }
    s
}

/// The PATH column: how a member node is connected, or why the last dial of it failed.
fn path_text(n: &crate::ops::status::MemberNode) -> String {
    match (n.path.as_deref(), &n.via, &n.last_dial_error) {
        (Some("relayed"), Some(via), _) => format!("relayed (via {})", short(via)),
        (Some(p), _, _) => p.to_owned(),
        (None, _, Some(why)) => format!("not connected: {why}"),
        (None, _, None) => "-".to_owned(),
    }
}

/// The BEHIND column: the protocol a peer speaks if not ours, else how many changes it
/// lacks, `?` when not known.
fn behind_text(incompatible: Option<u8>, behind: Option<usize>) -> String {
    match (incompatible, behind) {
        (Some(v), _) => format!("speaks protocol {v}"),
        (None, Some(1)) => "1 change".to_owned(),
        (None, Some(b)) => format!("{b} changes"),
        (None, None) => "?".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn behind_counts_read_as_english() {
        use super::behind_text;
        assert_eq!(behind_text(None, Some(1)), "1 change");
        assert_eq!(behind_text(None, Some(0)), "0 changes");
        assert_eq!(behind_text(None, Some(16)), "16 changes");
        assert_eq!(behind_text(None, None), "?");
        assert_eq!(behind_text(Some(4), Some(1)), "speaks protocol 4");
    }
}
