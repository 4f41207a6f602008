//! `status`: this node, its network, and how far each member node is behind. The network
//! part ([`Live`]) only the running node knows; on a stopped node the report says so and reads
//! what the store keeps (when each peer last synced).
//!
//! Per coalition it reads the governance, the coalition's name, its forks record (keys that forked,
//! who flagged them, whether this node's key is refused) and its records that do not read
//! ([`Replica::unreadable`], kept up to date from what each change wrote to), never the whole
//! coalition. How far behind a member node is, [`Replica::missing_from`] counts from the change
//! graph's metadata, against the changes the peer is known to hold (`SyncNode::peer_heads`: the
//! last sync round's heads plus the changes exchanged live since, including those a peer sent that
//! were held here already). The last sync is a frame received without refusal, or one sent; the
//! running node keeps it for its newest 1,024 peers and saves it in the store.

use std::collections::BTreeMap;

use model::NodeKey;
use model::automerge::ChangeHash;
use model::governance::{FLAGS_TO_REFUSE, flaggers};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// Whether the node can be reached from outside: `public`, `private` or `unknown`.
    pub reachability: Option<String>,
    /// Its external addresses: confirmed by a peer dialing back, or announced.
    pub external: Vec<String>,
    /// Whether it relays for member nodes now.
    pub relaying: bool,
    /// How each connected peer is reached: `None` directly, or through this relay.
    pub paths: BTreeMap<NodeKey, Option<NodeKey>>,
    /// Why the last dial of a peer failed, if it did.
    pub failed: BTreeMap<NodeKey, String>,
}

/// The status as the API answers it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusDetail {
    /// The report (what `coalesce status --json` prints).
    #[schema(value_type = Object)]
    pub status: StatusView,
}

/// What `status` reports: this node, its network, and each coalition's member nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusView {
    /// The node's key (or, in a row, the other node's key).
    pub node: String,
    /// This node's organization.
    pub org: String,
    /// The sync protocol version it speaks.
    pub protocol: u8,
    /// Whether the node is running (a stopped node knows no network).
    pub running: bool,
    /// The control API's address.
    pub api: Option<String>,
    /// The API's TLS listener, when it serves TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_tls: Option<ApiTls>,
    /// Addresses other nodes reach it at.
    pub addresses: Vec<String>,
    /// Whether it can be reached from outside its network, as member nodes found by dialing
    /// it back: `public`, `private` (behind a NAT or firewall) or `unknown` (not tested yet);
    /// `null` on a stopped node.
    #[serde(default)]
    pub reachability: Option<String>,
    /// Its external addresses: confirmed by a member node dialing back, or announced.
    #[serde(default)]
    pub external_addresses: Vec<String>,
    /// Whether it relays for member nodes now (it can be reached from outside and
    /// relaying is not turned off).
    #[serde(default)]
    pub relaying: bool,
    /// Each coalition held here whose data has arrived.
    pub coalitions: Vec<CoalitionStatus>,
    /// Peers disconnected because they speak another protocol version.
    pub incompatible_peers: Vec<Incompatible>,
    /// Nodes connected, or lately disconnected, that are no member's node in any coalition
    /// held here.
    pub other_nodes: Vec<OtherNode>,
}

/// A node that shares nothing with this one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherNode {
    /// The node's key (or, in a row, the other node's key).
    pub node: String,
    /// Whether it is connected now.
    pub connected: bool,
    /// Where it was reached, if known.
    pub address: Option<String>,
    /// When it was disconnected for sharing nothing with this node, if it was.
    pub disconnected_at: Option<model::Timestamp>,
}

/// Where the API serves TLS, and its certificate's SHA-256 fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiTls {
    /// The TLS listener's address.
    pub addr: String,
    /// The certificate's fingerprint, for clients to pin.
    pub cert_sha256: String,
}

/// A peer that speaks another protocol version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incompatible {
    /// The node's key (or, in a row, the other node's key).
    pub node: String,
    /// The sync protocol version it speaks.
    pub protocol: u8,
}

/// One coalition's member nodes, forks and unreadable records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoalitionStatus {
    /// The coalition's id.
    pub id: String,
    /// Its name (a member's name, in a member's row).
    pub name: String,
    /// The other member nodes.
    pub member_nodes: Vec<MemberNode>,
    /// Records that do not read and are left out of every listing and report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<model::schema::Unreadable>,
    /// Member node keys that forked their history (two different changes with one sequence
    /// number) at `from_seq`: each member's node keeps the version another member built on
    /// and sets the others aside, with what was built on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forked: Vec<Forked>,
    /// Changes this node holds set aside because of those forks.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub set_aside: usize,
    /// Of those, the ones this node had stored before the fork was known, kept apart
    /// (`coalesce audit aside`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub kept_aside: usize,
    /// Whether enough other members flagged this node's key for writing two histories that
    /// what it writes here is refused (its edits are refused here too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_refused: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A member node key that forked its history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forked {
    /// The node's key (or, in a row, the other node's key).
    pub node: String,
    /// The member holding the key, if known.
    pub member: Option<model::MemberId>,
    /// That member's name.
    pub name: Option<String>,
    /// The sequence number at which it forked.
    pub from_seq: u64,
    /// Whether it is this node's own key.
    pub this_node: bool,
    /// Members in force, other than its own, whose nodes flagged the key.
    pub flagged_by: Vec<model::MemberId>,
    /// Whether enough have ([`model::governance::FLAGS_TO_REFUSE`]) for what the key writes
    /// after seeing their flags to be refused on every node.
    pub refused: bool,
}

/// Another member's node, as this node sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberNode {
    /// The node's key (or, in a row, the other node's key).
    pub node: String,
    /// The member it acts for.
    pub member: model::MemberId,
    /// Its name (a member's name, in a member's row).
    pub name: String,
    /// Whether it is connected now.
    pub connected: bool,
    /// When this node last exchanged messages with it (one received without refusal, or
    /// one sent), kept across restarts; `null` if never.
    pub last_sync: Option<model::Timestamp>,
    /// Changes this node holds that it lacks, if known; `null` when it holds changes this
    /// node lacks or has not synced since this node started.
    pub behind: Option<usize>,
    /// The protocol version it speaks, when it is not this node's.
    pub incompatible_protocol: Option<u8>,
    /// How it is connected: `direct`, or `relayed` (through the node `via`); `null` when
    /// not connected (or not known yet).
    #[serde(default)]
    pub path: Option<String>,
    /// The relay's node key, when connected through one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Why the last dial of it failed, when it is not connected and one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_dial_error: Option<String>,
}

/// The member, in force or not, holding `key`.
fn holding<'a>(
    gov: &'a model::governance::InForce,
    key: &model::NodeKey,
) -> Option<&'a model::schema::Member> {
    gov.every_member().find(|m| m.keys.contains(key))
}

/// The status; `live` is the running node's view (none on a stopped node). Each coalition's
/// members are those in force at the current second (as edits judge them), read from the
/// governance the replica keeps, with its name and its unreadable records: never a whole
/// read of the coalition.
pub fn report(r: &mut Replica, live: Option<Live>) -> anyhow::Result<StatusView> {
    let me = r.identity().node_key();
    let running = live.is_some();
    let mut live = live.unwrap_or_default();
    if !running {
        // A stopped node still knows when it last synced with each peer.
        live.last_sync = r.last_syncs()?;
    }
    let mut coalitions = Vec::new();
    let mut member_nodes = std::collections::BTreeSet::new();
    let mut arrived = Vec::new();
    for id in r.coalition_ids()? {
        if r.is_joining(&id) {
            continue;
        }
        arrived.push((r.name(&id)?, id));
    }
    arrived.sort();
    for (name, id) in arrived {
        let gov = r.in_force(&id)?;
        member_nodes.extend(gov.members.values().flat_map(|m| m.keys.iter().copied()));
        let mut nodes = Vec::new();
        for m in gov.members.values() {
            for key in m.keys.iter().filter(|k| **k != me) {
                let behind = match live.peer_heads.get(&(id.clone(), *key)) {
                    Some(heads) => r.missing_from(&id, heads)?,
                    None => None,
                };
                let connected = live.connected.contains(key);
                nodes.push(MemberNode {
                    node: key.to_string(),
                    member: m.id.clone(),
                    name: m.name.clone(),
                    connected,
                    last_sync: live
                        .last_sync
                        .get(key)
                        .map(|t| model::Timestamp::from_millis(*t)),
                    behind,
                    incompatible_protocol: live.incompatible.get(key).copied(),
                    path: live
                        .paths
                        .get(key)
                        .filter(|_| connected)
                        .map(|via| if via.is_some() { "relayed" } else { "direct" }.to_owned()),
                    via: live
                        .paths
                        .get(key)
                        .copied()
                        .flatten()
                        .filter(|_| connected)
                        .map(|r| r.to_string()),
                    last_dial_error: (!connected)
                        .then(|| live.failed.get(key).cloned())
                        .flatten(),
                });
            }
        }
        let forks = r
            .forks_stored(&id)?
            .map(|b| sync::forks::Forks::from_bytes(&b))
            .unwrap_or_default();
        let forked = forks
            .forked()
            .iter()
            .map(|(key, seq)| {
                let key = model::NodeKey::from_bytes(*key);
                let owner = holding(&gov, &key);
                let flagged_by: Vec<model::MemberId> =
                    flaggers(&gov.members, owner.map(|o| &o.id), &key)
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
        let own = holding(&gov, &me).map(|m| &m.id);
        let key_refused = flaggers(&gov.members, own, &me).len() >= FLAGS_TO_REFUSE;
        coalitions.push(CoalitionStatus {
            key_refused,
            id: id.to_string(),
            name,
            member_nodes: nodes,
            unreadable: r.unreadable(&id)?,
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
        reachability: live.reachability,
        external_addresses: live.external,
        relaying: live.relaying,
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
    Ok(view)
}
