//! `coalesce status`: the first thing an operator runs when something looks wrong.

use std::collections::BTreeMap;

use anyhow::Result;
use model::NodeKey;
use model::automerge::ChangeHash;
use model::governance::{FLAGS_TO_REFUSE, flaggers};
use replica::Replica;
use serde::Serialize;

use super::short;
use crate::output::Out;

/// What only the running node knows: its network and its peers.
#[derive(Debug, Default)]
pub struct Live {
    /// The control API's address.
    pub api: Option<String>,
    /// The API's TLS listener, when it serves TLS.
    pub api_tls: Option<ApiTls>,
    /// Addresses other nodes reach it at.
    pub addresses: Vec<String>,
    /// Connected peers.
    pub connected: Vec<NodeKey>,
    /// When this node last exchanged a message with each peer: one received without refusal,
    /// or one sent (Unix milliseconds).
    pub last_sync: BTreeMap<NodeKey, i64>,
    /// Per coalition and peer, the changes the peer is known to hold.
    pub peer_heads: BTreeMap<(model::CoalitionId, NodeKey), Vec<ChangeHash>>,
    /// Peers that speak another protocol version, with the version they speak.
    pub incompatible: BTreeMap<NodeKey, u8>,
    /// Nodes that share nothing with this one (found on the LAN, say), connected now or
    /// lately: where they were reached, if known, and when they were disconnected for it
    /// (Unix milliseconds; none while still connected).
    pub strangers: BTreeMap<NodeKey, (Option<String>, Option<i64>)>,
}

#[derive(Serialize)]
struct StatusView {
    node: String,
    org: String,
    protocol: u8,
    running: bool,
    api: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_tls: Option<ApiTls>,
    addresses: Vec<String>,
    coalitions: Vec<CoalitionStatus>,
    /// Peers disconnected because they speak another protocol version.
    incompatible_peers: Vec<Incompatible>,
    /// Nodes connected, or lately disconnected, that are no member's node in any coalition
    /// held here.
    other_nodes: Vec<OtherNode>,
}

#[derive(Serialize)]
struct OtherNode {
    node: String,
    connected: bool,
    /// Where it was reached, if known.
    address: Option<String>,
    /// When it was disconnected for sharing nothing with this node, if it was.
    disconnected_at: Option<model::Timestamp>,
}

/// Where the API serves TLS, and its certificate's SHA-256 fingerprint.
#[derive(Debug, Clone, Serialize)]
pub struct ApiTls {
    /// The TLS listener's address.
    pub addr: String,
    /// The certificate's fingerprint, for clients to pin.
    pub cert_sha256: String,
}

#[derive(Serialize)]
struct Incompatible {
    node: String,
    protocol: u8,
}

#[derive(Serialize)]
struct CoalitionStatus {
    id: String,
    name: String,
    member_nodes: Vec<MemberNode>,
    /// Records that do not read and are left out of every listing and report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unreadable: Vec<model::schema::Unreadable>,
    /// Member node keys that forked their history (two different changes with one sequence
    /// number) at `from_seq`: each member's node keeps the version another member built on
    /// and sets the others aside, with what was built on them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    forked: Vec<Forked>,
    /// Changes this node holds set aside because of those forks.
    #[serde(skip_serializing_if = "is_zero")]
    set_aside: usize,
    /// Of those, the ones this node had stored before the fork was known, kept apart
    /// (`coalesce audit aside`).
    #[serde(skip_serializing_if = "is_zero")]
    kept_aside: usize,
    /// Whether enough other members flagged this node's key for writing two histories that
    /// what it writes here is refused (its edits are refused here too).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    key_refused: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Forked {
    node: String,
    member: Option<model::MemberId>,
    name: Option<String>,
    from_seq: u64,
    this_node: bool,
    /// Members in force, other than its own, whose nodes flagged the key.
    flagged_by: Vec<model::MemberId>,
    /// Whether enough have ([`model::governance::FLAGS_TO_REFUSE`]) for what the key writes
    /// after seeing their flags to be refused on every node.
    refused: bool,
}

#[derive(Serialize)]
struct MemberNode {
    node: String,
    member: model::MemberId,
    name: String,
    connected: bool,
    /// When this node last exchanged messages with it (one received without refusal, or
    /// one sent), kept across restarts; `null` if never.
    last_sync: Option<model::Timestamp>,
    /// Changes this node holds that it lacks, if known; `null` when it holds changes this
    /// node lacks or has not synced since this node started.
    behind: Option<usize>,
    /// The protocol version it speaks, when it is not this node's.
    incompatible_protocol: Option<u8>,
}

/// Prints the status; `live` is the running node's view (none on a stopped node).
pub fn status(r: &mut Replica, live: Option<Live>, json: bool, out: &Out) -> Result<()> {
    let me = r.identity().node_key();
    let running = live.is_some();
    let mut live = live.unwrap_or_default();
    if !running {
        // A stopped node still knows when it last synced with each peer.
        live.last_sync = r.last_syncs()?;
    }
    let mut coalitions = Vec::new();
    let mut member_nodes = std::collections::BTreeSet::new();
    for (id, state) in r.arrived()? {
        member_nodes.extend(state.members.values().flat_map(|m| m.keys.iter().copied()));
        let mut nodes = Vec::new();
        for m in state.members.values() {
            for key in m.keys.iter().filter(|k| **k != me) {
                let behind = match live.peer_heads.get(&(id.clone(), *key)) {
                    Some(heads) => r.missing_from(&id, heads)?,
                    None => None,
                };
                nodes.push(MemberNode {
                    node: key.to_string(),
                    member: m.id.clone(),
                    name: m.name.clone(),
                    connected: live.connected.contains(key),
                    last_sync: live
                        .last_sync
                        .get(key)
                        .map(|t| model::Timestamp::from_millis(*t)),
                    behind,
                    incompatible_protocol: live.incompatible.get(key).copied(),
                });
            }
        }
        let forks = r
            .record(&replica::forks_record(&id))?
            .map(|b| sync::forks::Forks::from_bytes(&b))
            .unwrap_or_default();
        let forked = forks
            .forked()
            .iter()
            .map(|(key, seq)| {
                let key = model::NodeKey::from_bytes(*key);
                let owner = super::member_with_key(&state, &key);
                let flagged_by: Vec<model::MemberId> =
                    flaggers(&state.members, owner.map(|o| &o.id), &key)
                        .into_iter()
                        .cloned()
                        .collect();
                Forked {
                    node: key.to_string(),
                    member: owner.map(|m| m.id.clone()),
                    name: owner.map(|m| m.name.clone()),
                    from_seq: *seq,
                    this_node: key == me,
                    refused: flagged_by.len() >= FLAGS_TO_REFUSE,
                    flagged_by,
                }
            })
            .collect();
        let own = super::member_with_key(&state, &me).map(|m| &m.id);
        let key_refused = flaggers(&state.members, own, &me).len() >= FLAGS_TO_REFUSE;
        coalitions.push(CoalitionStatus {
            key_refused,
            id: id.to_string(),
            name: state.charter.name,
            member_nodes: nodes,
            unreadable: state.unreadable,
            forked,
            set_aside: forks.set_aside(),
            kept_aside: r.aside_count(&id)?,
        });
    }
    let view = StatusView {
        other_nodes: live
            .strangers
            .iter()
            .filter(|(k, _)| !member_nodes.contains(*k) && **k != me)
            .map(|(key, (addr, at))| OtherNode {
                node: key.to_string(),
                connected: live.connected.contains(key),
                address: addr.clone(),
                disconnected_at: at.map(model::Timestamp::from_millis),
            })
            .collect(),
        node: me.to_string(),
        org: r.org_name(),
        protocol: sync::wire::VERSION,
        running,
        api: live.api,
        api_tls: live.api_tls,
        addresses: live.addresses,
        coalitions,
        incompatible_peers: live
            .incompatible
            .iter()
            .map(|(k, v)| Incompatible {
                node: k.to_string(),
                protocol: *v,
            })
            .collect(),
    };
    if json {
        return out.json(&view);
    }
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
        out.text(&format!("\n{} ({})", c.name, short(&c.id)))?;
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
                ]
            })
            .collect();
        out.table(
            &["MEMBER", "NODE", "CONNECTED", "LAST SYNC", "BEHIND"],
            rows,
            "No other member nodes yet: invite an organization with `coalesce invite create`.",
        )?;
        for f in &c.forked {
            let who = f.name.as_deref().unwrap_or("an unknown member");
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
