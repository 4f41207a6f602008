//! Invite codes: what a new member's node needs to join a coalition — the coalition id, the
//! inviting node's key and addresses, a one-time secret and an expiry — as one line of text
//! (`coalesce-invite-1:` and hex), so it can be pasted into a chat or an e-mail.

use serde::{Deserialize, Serialize};

/// Text every invite code starts with.
pub const PREFIX: &str = "coalesce-invite-1:";
/// Longest invite code accepted, in characters.
pub const MAX_CODE: usize = 8192;
/// Most addresses in one invite.
pub const MAX_ADDRS: usize = 32;

/// The contents of an invite code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    /// The coalition.
    pub coalition: [u8; 16],
    /// The inviting node's key.
    pub inviter: [u8; 32],
    /// Where the inviting node listens (multiaddrs).
    pub addrs: Vec<String>,
    /// The one-time secret.
    pub secret: [u8; 16],
    /// Milliseconds since the epoch after which the invite is refused.
    pub expires_at: i64,
}

/// An invite code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InviteError {
    /// Not a Coalesce invite code.
    #[error("this is not a Coalesce invite code (it should start with {PREFIX})")]
    NotAnInvite,
    /// Too long.
    #[error("the invite code is too long ({0} characters)")]
    TooLong(usize),
    /// Damaged (mistyped or cut short).
    #[error("the invite code is damaged (was it copied whole?)")]
    Damaged,
}

impl Invite {
    /// The code as one line of text.
    pub fn encode(&self) -> String {
        let bytes = postcard::to_stdvec(self).unwrap_or_default();
        let mut out = String::with_capacity(PREFIX.len() + bytes.len() * 2);
        out.push_str(PREFIX);
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// Reads a code strictly.
    pub fn decode(code: &str) -> Result<Self, InviteError> {
        let code = code.trim();
        if code.len() > MAX_CODE {
            return Err(InviteError::TooLong(code.len()));
        }
        let hex = code.strip_prefix(PREFIX).ok_or(InviteError::NotAnInvite)?;
        if hex.len() % 2 != 0 {
            return Err(InviteError::Damaged);
        }
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<_>>()
            .ok_or(InviteError::Damaged)?;
        let (invite, rest): (Invite, &[u8]) =
            postcard::take_from_bytes(&bytes).map_err(|_| InviteError::Damaged)?;
        if !rest.is_empty() || invite.addrs.len() > MAX_ADDRS {
            return Err(InviteError::Damaged);
        }
        Ok(invite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn invite() -> impl Strategy<Value = Invite> {
        (
            any::<[u8; 16]>(),
            any::<[u8; 32]>(),
            proptest::collection::vec("/ip4/[0-9.]{7,15}/tcp/[0-9]{1,5}", 0..4),
            any::<[u8; 16]>(),
            any::<i64>(),
        )
            .prop_map(|(coalition, inviter, addrs, secret, expires_at)| Invite {
                coalition,
                inviter,
                addrs,
                secret,
                expires_at,
            })
    }

    proptest! {
        #[test]
        fn codes_round_trip(i in invite()) {
            prop_assert_eq!(Invite::decode(&i.encode()).unwrap(), i);
        }

        #[test]
        fn cut_or_altered_codes_are_refused_or_read_without_panic(i in invite(), cut in any::<prop::sample::Index>(), garbage in "[ -~]{0,64}") {
            let code = i.encode();
            let cut = cut.index(code.len());
            let _ = Invite::decode(&code[..cut]);
            let _ = Invite::decode(&format!("{code}{garbage}"));
            let _ = Invite::decode(&garbage);
            if cut > PREFIX.len() && cut < code.len() {
                prop_assert!(Invite::decode(&code[..cut]).is_err());
            }
        }
    }

    #[test]
    fn other_text_is_not_an_invite() {
        assert_eq!(Invite::decode("hello"), Err(InviteError::NotAnInvite));
        assert_eq!(
            Invite::decode(&"x".repeat(MAX_CODE + 1)),
            Err(InviteError::TooLong(MAX_CODE + 1))
        );
    }
}
