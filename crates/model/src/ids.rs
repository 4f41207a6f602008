//! Identifiers of coalitions, members, and the records inside a coalition.
//!
//! Every id is 32 lowercase hex digits (128 bits). The model never invents ids: callers
//! (the replica) draw them from a random or seeded source and pass them in, so that the
//! model stays deterministic.
//!
//! Records refer to each other by these typed ids (record keys, authors, leads, electorates,
//! positions, subjects), never by free strings: what the layout calls an `ID` is what these types
//! hydrate and reconcile, so a reference that is not an id is refused on receipt and, if one was
//! stored before that check, its record alone does not read. Values compared by kind are enums
//! likewise (`Subject` for `admit/<m>`, `remove/<m>` and `<pool>/<entry>`; `DepartureStatus`,
//! `GiftKind`, `EntryKind`...), whose JSON is the strings they replaced.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Number of hex digits in every record id.
pub const ID_LEN: usize = 32;

/// An id string was not 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a valid {what} id (expected {ID_LEN} hex digits)")]
pub struct IdError {
    /// The kind of id that was expected, e.g. "issue".
    pub what: &'static str,
    /// What was given.
    pub given: String,
}

/// Whether `s` has the shape of an id: [`ID_LEN`] lowercase hex digits.
pub fn is_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Formats 16 bytes as an id string.
pub fn id_from_bytes(bytes: [u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        crate::values::deserialize_from_str!($name);

        impl $name {
            /// Builds the id from 16 random (or seeded) bytes.
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(id_from_bytes(bytes))
            }

            /// The id as a string of hex digits.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The 16 bytes the id stands for.
            pub fn to_bytes(&self) -> [u8; 16] {
                let mut out = [0u8; 16];
                for (i, b) in out.iter_mut().enumerate() {
                    // Every id holds exactly ID_LEN hex digits (checked when it was built).
                    *b = self.0.get(2 * i..2 * i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0);
                }
                out
            }

            /// The first eight digits, for tables meant for people.
            pub fn short(&self) -> &str {
                &self.0[..8]
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                if is_id(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(IdError { what: $what, given: s.to_owned() })
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Ordered, compared and hashed as its string: maps keyed by ids answer lookups by
        // `&str` too.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        // Stored as its string; a stored value that is not an id does not read (the
        // receipt rules refuse writing one: `layout`'s `ID`).
        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(&self.0)
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|e: IdError| {
                    autosurgeon::HydrateError::unexpected(format!("a {} id", e.what), e.given)
                })
            }
        }
    };
}

id_type!(
    /// A coalition, and the Automerge document that holds it.
    CoalitionId, "coalition"
);
id_type!(
    /// A member organization within one coalition.
    MemberId, "member"
);
id_type!(
    /// An issue in the joint inventory.
    IssueId, "issue"
);
id_type!(
    /// A resource pool.
    PoolId, "pool"
);
id_type!(
    /// An entry in a pool's ledger (pledge, contribution, allocation request).
    EntryId, "ledger entry"
);
id_type!(
    /// A proposal.
    ProposalId, "proposal"
);
id_type!(
    /// A meeting record.
    MeetingId, "meeting"
);
id_type!(
    /// A shared goal in the charter.
    GoalId, "goal"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_bad_shapes() {
        let id = IssueId::from_bytes([0xab; 16]);
        assert_eq!(id.as_str().len(), ID_LEN);
        assert_eq!(id.as_str().parse::<IssueId>().unwrap(), id);
        assert!("ABAB".parse::<IssueId>().is_err());
        assert!("zz".repeat(16).parse::<IssueId>().is_err());
        assert_eq!(id.short(), "abababab");
        assert_eq!(id.to_bytes(), [0xab; 16]);
    }
}
