//! The one-time invites this node made: for which coalition, until when, and whether one was
//! used. Stored as node-wide records `invite/<secret in hex>` (JSON), so an invite outlives
//! restarts; only the inviting node ever holds its record.

use serde::{Deserialize, Serialize};

use super::*;

/// An invite this node made, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRecord {
    /// The coalition it admits to.
    coalition: String,
    /// When it expires (Unix milliseconds).
    expires_at: i64,
    /// Whether a node was admitted with it.
    used: bool,
}

/// Why an invite cannot admit a node now (the words are what the joining node is told).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteRefused {
    /// No invite with that secret was made here.
    #[error("unknown invite")]
    Unknown,
    /// The invite is for another coalition.
    #[error("invite is for another coalition")]
    OtherCoalition,
    /// A node was admitted with it already.
    #[error("invite already used")]
    Used,
    /// Past its expiry.
    #[error("invite expired")]
    Expired,
}

impl InviteRecord {
    /// As stored. (JSON of a text, a number and a flag cannot fail to encode.)
    fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether it can admit a node now: unused and not expired.
    pub fn usable_at(&self, now: Timestamp) -> Result<(), InviteRefused> {
        if self.used {
            return Err(InviteRefused::Used);
        }
        if now.as_millis() >= self.expires_at {
            return Err(InviteRefused::Expired);
        }
        Ok(())
    }
}

/// The record key of the invite with `secret`.
fn invite_key(secret: &[u8; 16]) -> String {
    format!("invite/{}", hex::encode(secret))
}

impl Replica {
    /// Records a new one-time invite to `coalition` with `secret`, valid until `expires_at`.
    pub fn record_invite(
        &self,
        coalition: &CoalitionId,
        secret: &[u8; 16],
        expires_at: Timestamp,
    ) -> Result<(), ReplicaError> {
        let record = InviteRecord {
            coalition: coalition.to_string(),
            expires_at: expires_at.as_millis(),
            used: false,
        };
        self.put_record(&invite_key(secret), &record.to_json())
    }

    /// The invite with `secret`, if it was made here for `coalition`; an error if the store
    /// could not be read (no reason to refuse the joining node: it asks again).
    pub fn invite_for(
        &self,
        coalition: &CoalitionId,
        secret: &[u8; 16],
    ) -> Result<Result<InviteRecord, InviteRefused>, ReplicaError> {
        let record: Option<InviteRecord> = self
            .record(&invite_key(secret))?
            .and_then(|b| serde_json::from_slice(&b).ok());
        Ok(match record {
            None => Err(InviteRefused::Unknown),
            Some(r) if r.coalition != coalition.as_str() => Err(InviteRefused::OtherCoalition),
            Some(r) => Ok(r),
        })
    }

    /// Marks the invite with `secret` used: it admits no other node.
    pub fn use_invite(
        &self,
        mut record: InviteRecord,
        secret: &[u8; 16],
    ) -> Result<(), ReplicaError> {
        record.used = true;
        self.put_record(&invite_key(secret), &record.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An invite admits once, only to its coalition, only before it expires; it outlives the
    /// replica being opened again.
    #[test]
    fn an_invite_admits_once_to_its_coalition_before_it_expires() {
        let home = tempfile::tempdir().unwrap();
        Replica::init(home.path(), "Northside").unwrap();
        let r = Replica::open(home.path()).unwrap();
        let c = CoalitionId::from_bytes([3; 16]);
        let other = CoalitionId::from_bytes([4; 16]);
        let secret = [7; 16];
        let at = Timestamp::from_millis(1_000);
        assert_eq!(
            r.invite_for(&c, &secret).unwrap(),
            Err(InviteRefused::Unknown)
        );
        r.record_invite(&c, &secret, Timestamp::from_millis(2_000))
            .unwrap();
        drop(r);
        let r = Replica::open(home.path()).unwrap();
        assert_eq!(
            r.invite_for(&other, &secret).unwrap(),
            Err(InviteRefused::OtherCoalition)
        );
        let invite = r.invite_for(&c, &secret).unwrap().unwrap();
        assert_eq!(invite.usable_at(at), Ok(()));
        assert_eq!(
            invite.usable_at(Timestamp::from_millis(2_000)),
            Err(InviteRefused::Expired)
        );
        r.use_invite(invite, &secret).unwrap();
        let invite = r.invite_for(&c, &secret).unwrap().unwrap();
        assert_eq!(invite.usable_at(at), Err(InviteRefused::Used));
        assert_eq!(InviteRefused::Used.to_string(), "invite already used");
    }
}
