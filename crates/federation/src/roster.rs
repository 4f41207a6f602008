//! Who may sign a coalition's statements: its rosters, from the one a link pins onwards.
//!
//! A receiving coalition verifies a publisher's statements without holding the publisher's
//! document. It trusts one roster by its id (the one its link decision pinned,
//! [`RosterChain::trust`]); each later roster must follow the newest held (version one more,
//! naming it as the one it supersedes) and carry the signatures of a strict majority of the
//! newest's members ([`RosterChain::extend`]), so a roster cannot be forged by fewer than
//! half of those already trusted. A statement must be signed under the newest roster held, by
//! at least the link's threshold of its members (each member counted once whatever keys it
//! signed with; a threshold above the roster's size asks for every member), every signature
//! by a key that roster lists and verifying ([`RosterChain::verify`]): a key removed from the
//! roster signs nothing after, and one member alone cannot reach a threshold above one.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::StatementError;
use crate::signed::{Opened, Signed, StatementId};
use crate::statement::{Kind, RecordId, Roster, Statement, Value};

/// How many members of a roster must sign a statement: at least one (`k` in a link's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Threshold(u32);

impl Threshold {
    /// Most a threshold can be: the largest roster.
    pub const MAX: u32 = crate::statement::MAX_ROSTER as u32;

    /// A threshold of `k` members, from 1 to [`Threshold::MAX`].
    pub fn new(k: u32) -> Result<Self, StatementError> {
        if (1..=Self::MAX).contains(&k) {
            Ok(Self(k))
        } else {
            Err(StatementError::Malformed {
                what: format!(
                    "a co-signature threshold is from 1 to {} members, not {k}",
                    Self::MAX
                ),
            })
        }
    }
    /// `k`.
    pub fn get(self) -> u32 {
        self.0
    }
    /// How many of a roster of `members` must sign: `k`, or all of them if fewer.
    pub fn needed(self, members: usize) -> usize {
        (self.0 as usize).min(members)
    }
}

/// A statement whose signatures met its threshold under the roster it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Its id.
    pub id: StatementId,
    /// The statement.
    pub statement: Statement,
    /// The members whose keys signed it, ascending.
    pub signers: Vec<RecordId>,
    /// How many members the roster had.
    pub members: usize,
    /// The roster's version.
    pub roster: u64,
}

/// The rosters of one publishing coalition a receiver trusts: the newest held, and the ids of
/// every one since the pinned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterChain {
    coalition: RecordId,
    version: u64,
    newest: Roster,
    /// Who holds each key of the newest roster.
    holders: BTreeMap<[u8; 32], RecordId>,
    ids: Vec<(u64, StatementId)>,
}

fn holders(roster: &Roster) -> BTreeMap<[u8; 32], RecordId> {
    roster
        .members
        .iter()
        .flat_map(|m| m.keys.iter().map(|k| (*k, m.member)))
        .collect()
}

impl RosterChain {
    /// Trusts the roster `signed` because its id is `pinned` (the link decision named it): its
    /// signatures are not what makes it trusted.
    pub fn trust(pinned: &StatementId, signed: &Signed) -> Result<Self, StatementError> {
        let opened = signed.open()?;
        if opened.id != *pinned {
            return Err(StatementError::NotPinned {
                pinned: pinned.hex(),
                found: opened.id.hex(),
            });
        }
        let roster = as_roster(&opened.statement)?;
        Ok(Self {
            coalition: opened.statement.coalition,
            version: opened.statement.sequence,
            holders: holders(roster),
            newest: roster.clone(),
            ids: vec![(opened.statement.sequence, opened.id)],
        })
    }

    /// The publishing coalition.
    pub fn coalition(&self) -> RecordId {
        self.coalition
    }

    /// The newest roster's version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The newest roster.
    pub fn newest(&self) -> &Roster {
        &self.newest
    }

    /// The newest roster's id.
    pub fn newest_id(&self) -> StatementId {
        // The chain is made with one roster and only grows, so `ids` is never empty.
        self.ids.last().map_or(StatementId([0; 32]), |(_, id)| *id)
    }

    /// The versions and ids of the rosters held, oldest first.
    pub fn ids(&self) -> &[(u64, StatementId)] {
        &self.ids
    }

    /// Takes the next roster: it must follow the newest (version one more, superseding it) and
    /// be signed by a strict majority of the newest's members.
    pub fn extend(&mut self, signed: &Signed) -> Result<StatementId, StatementError> {
        let opened = signed.open()?;
        self.same_coalition(&opened.statement)?;
        let roster = as_roster(&opened.statement)?.clone();
        let s = &opened.statement;
        let broken = |what| StatementError::BrokenChain {
            version: s.sequence,
            newest: self.version,
            what,
        };
        if s.sequence != self.version + 1 {
            return Err(broken("its version is not the next"));
        }
        if s.supersedes != Some(self.newest_id().0) {
            return Err(broken("it does not supersede the newest roster"));
        }
        let majority = self.newest.members.len() / 2 + 1;
        signers(self, &opened, majority)?;
        self.version = s.sequence;
        self.holders = holders(&roster);
        self.newest = roster;
        self.ids.push((s.sequence, opened.id));
        Ok(opened.id)
    }

    /// Verifies a statement (not a roster): published by this chain's coalition, signed under
    /// the newest roster by at least `threshold` of its members.
    pub fn verify(
        &self,
        signed: &Signed,
        threshold: Threshold,
    ) -> Result<Verified, StatementError> {
        let opened = signed.open()?;
        self.same_coalition(&opened.statement)?;
        if opened.statement.value.kind() == Kind::Roster {
            return Err(StatementError::WrongKind {
                expected: "a statement other than a roster (rosters extend the chain)",
                found: Kind::Roster,
            });
        }
        if opened.statement.roster != self.version {
            return Err(StatementError::StaleRoster {
                named: opened.statement.roster,
                newest: self.version,
            });
        }
        let needed = threshold.needed(self.newest.members.len());
        let signers = signers(self, &opened, needed)?;
        Ok(Verified {
            id: opened.id,
            statement: opened.statement,
            signers,
            members: self.newest.members.len(),
            roster: self.version,
        })
    }

    fn same_coalition(&self, s: &Statement) -> Result<(), StatementError> {
        if s.coalition != self.coalition {
            return Err(StatementError::OtherCoalition {
                expected: hex::encode(self.coalition),
                found: hex::encode(s.coalition),
            });
        }
        Ok(())
    }
}

fn as_roster(s: &Statement) -> Result<&Roster, StatementError> {
    match &s.value {
        Value::Roster(r) => Ok(r),
        other => Err(StatementError::WrongKind {
            expected: "a roster",
            found: other.kind(),
        }),
    }
}

/// The members of the chain's newest roster whose keys signed `opened`, if at least `needed`:
/// every signature must be by a key the roster lists and verify.
fn signers(
    chain: &RosterChain,
    opened: &Opened,
    needed: usize,
) -> Result<Vec<RecordId>, StatementError> {
    let version = chain.version;
    let mut members = BTreeSet::new();
    // Who holds each key is checked for every signature before any is verified: a
    // stranger's signatures cost no verification.
    let mut holders = Vec::with_capacity(opened.cosigns.len());
    for c in &opened.cosigns {
        let m = chain
            .holders
            .get(&c.key)
            .ok_or_else(|| StatementError::UnknownSigner {
                key: hex::encode(c.key),
                roster: version,
            })?;
        holders.push(*m);
    }
    for (c, m) in opened.cosigns.iter().zip(holders) {
        if !c.verifies(&opened.id) {
            return Err(StatementError::BadSignature {
                key: hex::encode(c.key),
            });
        }
        members.insert(m);
    }
    if members.len() < needed {
        return Err(StatementError::TooFewSigners {
            signed: members.len(),
            needed,
            members: chain.newest.members.len(),
            roster: version,
        });
    }
    Ok(members.into_iter().collect())
}
