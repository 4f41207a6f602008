//! This organization's node keys in a coalition: each with what this node knows of it (when it
//! was certified, what it signed, when it was last seen), and certifying or revoking one.

use anyhow::Context;
use model::{CoalitionId, NodeKey, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A node key to certify or revoke.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// The node key (as `coalesce init` or `coalesce status` prints it).
    pub key: String,
}

/// One of this organization's node keys, as `member key list` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeyView {
    /// The node key.
    #[schema(value_type = String)]
    pub key: NodeKey,
    /// `this node`, `backup` (a backup this node took) or `device`.
    pub kind: String,
    /// When the backup was taken, for a backup's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub backup_taken: Option<Timestamp>,
    /// When the organization certified it, as its change states.
    #[schema(value_type = Option<String>)]
    pub added: Option<Timestamp>,
    /// How many changes it signed.
    pub changes: u64,
    /// When it signed its newest change, as it states.
    #[schema(value_type = Option<String>)]
    pub last_change: Option<Timestamp>,
    /// When this node last exchanged a message with it.
    #[schema(value_type = Option<String>)]
    pub last_sync: Option<Timestamp>,
    /// When it last signed where it listens, as a record this node keeps (it was running
    /// and syncing with some member).
    #[schema(value_type = Option<String>)]
    pub announced: Option<Timestamp>,
}

impl KeyView {
    /// When this node last saw the key at work, if ever: its newest change, its last sync
    /// with this node, or its newest signed addresses.
    pub fn last_seen(&self) -> Option<Timestamp> {
        self.last_change.max(self.last_sync).max(self.announced)
    }
}

/// This organization's node keys in coalition `id`, with what this node knows of each.
pub fn list(r: &mut Replica, id: &CoalitionId) -> anyhow::Result<Vec<KeyView>> {
    let me = r.me(id)?;
    // Only the members in force are read, not the coalition's other records.
    let gov = r
        .in_force(id)
        .with_context(|| format!("could not read coalition {id}"))?;
    let Some(member) = gov.members.get(me.as_str()) else {
        anyhow::bail!(
            "your organization is not a member in force of coalition {}: it has no node keys there",
            id.short()
        );
    };
    let this = r.identity().node_key();
    let backups = r.backups_taken()?;
    let synced = r.last_syncs()?;
    let announced: std::collections::BTreeMap<NodeKey, Timestamp> = r
        .address_records()?
        .map(|b| sync::addresses::decode_kept(&b))
        .unwrap_or_default()
        .into_iter()
        .map(|rec| {
            // The other node's clock: never later than this one's.
            let at = i64::try_from(rec.at)
                .unwrap_or(i64::MAX)
                .min(replica::now().as_millis());
            (NodeKey::from_bytes(rec.node), Timestamp::from_millis(at))
        })
        .collect();
    Ok(r.key_activity(id, member)?
        .into_iter()
        .map(|a| {
            let backup_taken = backups.get(&a.key).map(|t| Timestamp::from_millis(*t));
            KeyView {
                key: a.key,
                kind: if a.key == this {
                    "this node"
                } else if backup_taken.is_some() {
                    "backup"
                } else {
                    "device"
                }
                .to_owned(),
                backup_taken,
                added: a.added,
                changes: a.changes,
                last_change: a.last_change,
                last_sync: synced.get(&a.key).map(|t| Timestamp::from_millis(*t)),
                announced: announced.get(&a.key).copied(),
            }
        })
        .collect())
}

/// Certifies another node key to act for this organization.
pub fn add(r: &mut Replica, c: &CoalitionId, req: KeyRequest) -> anyhow::Result<NodeKey> {
    let key: NodeKey = req.key.parse()?;
    r.edit(c, |doc, a| doc.add_device_key(&a.member, key, a.now))?;
    Ok(key)
}

/// Revokes one of this organization's node keys: what it signs from now on is refused.
pub fn revoke(r: &mut Replica, c: &CoalitionId, key: &str) -> anyhow::Result<NodeKey> {
    let key: NodeKey = key.parse()?;
    r.edit(c, |doc, a| doc.revoke_device_key(&a.member, key, a.now))?;
    Ok(key)
}
