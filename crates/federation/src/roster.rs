//! Who may sign a coalition's statements: its rosters, from the one a link pins onwards.
//!
//! A receiving coalition verifies a publisher's statements without holding the publisher's
//! document. It trusts one roster by its id (the one its link decision pinned,
//! [`RosterChain::trust`]); each later roster must follow the newest held (version one more,
//! naming it as the one it supersedes, dated no earlier) and carry the signatures of a strict
//! majority of the newest's members ([`RosterChain::extend`]), so a roster cannot be forged by
//! fewer than half of those already trusted.
//!
//! A statement is verified against the roster it names ([`RosterChain::verify`]): the newest,
//! or an earlier one still held if the statement is dated before the roster that replaced it
//! (it was signed while that roster was in force; honest nodes sign only under the roster in
//! force, so a key removed from the roster signs nothing dated after). At least the link's
//! threshold of that roster's members must have signed it, each member counted once whatever
//! keys it signed with; a roster with fewer members than the threshold verifies nothing (the
//! link's threshold must be lowered by its own decision first), so one member alone never
//! reaches a threshold above one. Signatures by keys the roster does not list (costing no
//! verification) and signatures that do not verify are not counted, and said so
//! ([`Verified::ignored`], and in [`StatementError::TooFewSigners`]): a stray or junk signature
//! beside enough good ones neither vetoes a statement nor counts for it.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::StatementError;
use crate::signed::{Opened, Signed, StatementId};
use crate::statement::{Kind, RecordId, Roster, Statement, Value};

/// How many rosters a chain keeps the keys of (the newest ones); statements under older ones
/// are refused as stale.
pub const MAX_KEPT_ROSTERS: usize = 64;

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
    /// A threshold of `k` members brought within 1 to [`Threshold::MAX`].
    pub fn clamped(k: u64) -> Self {
        Self(u32::try_from(k).unwrap_or(Self::MAX).clamp(1, Self::MAX))
    }
    /// `k`.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A signature that was not counted, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// By a key the roster does not list (not verified).
    NotListed([u8; 32]),
    /// By a listed key, but it does not verify.
    BadSignature([u8; 32]),
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
    /// Signatures not counted.
    pub ignored: Vec<Ignored>,
}

/// One roster a chain holds the keys of.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    version: u64,
    id: StatementId,
    as_of: i64,
    members: usize,
    /// Who holds each key.
    holders: BTreeMap<[u8; 32], RecordId>,
}

impl Held {
    fn of(id: StatementId, s: &Statement, roster: &Roster) -> Self {
        Self {
            version: s.sequence,
            id,
            as_of: s.as_of,
            members: roster.members.len(),
            holders: roster
                .members
                .iter()
                .flat_map(|m| m.keys.iter().map(|k| (*k, m.member)))
                .collect(),
        }
    }
}

/// The rosters of one publishing coalition a receiver trusts: the newest, the keys of the
/// [`MAX_KEPT_ROSTERS`] newest, and the ids of every one since the pinned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterChain {
    coalition: RecordId,
    newest: Roster,
    /// Oldest first; never empty (made with one, only grows, drops from the front).
    held: Vec<Held>,
    ids: Vec<(u64, StatementId)>,
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
            held: vec![Held::of(opened.id, &opened.statement, roster)],
            newest: roster.clone(),
            ids: vec![(opened.statement.sequence, opened.id)],
        })
    }

    /// Takes a coalition's first roster (version 1) as its own members made it: signed by a
    /// strict majority of the members it lists. What a publisher replays its rosters from; a
    /// receiver trusts by a pin instead ([`RosterChain::trust`]).
    pub fn first(signed: &Signed) -> Result<Self, StatementError> {
        let opened = signed.open()?;
        let roster = as_roster(&opened.statement)?;
        if opened.statement.sequence != 1 {
            return Err(StatementError::BrokenChain {
                version: opened.statement.sequence,
                newest: 0,
                what: "a first roster is version 1",
            });
        }
        let held = Held::of(opened.id, &opened.statement, roster);
        signers(&held, &opened, roster.members.len() / 2 + 1)?;
        Ok(Self {
            coalition: opened.statement.coalition,
            held: vec![held],
            newest: roster.clone(),
            ids: vec![(1, opened.id)],
        })
    }

    /// The publishing coalition.
    pub fn coalition(&self) -> RecordId {
        self.coalition
    }

    fn newest_held(&self) -> &Held {
        // `held` is never empty: see its field.
        &self.held[self.held.len() - 1]
    }

    /// The newest roster's version.
    pub fn version(&self) -> u64 {
        self.newest_held().version
    }

    /// The newest roster.
    pub fn newest(&self) -> &Roster {
        &self.newest
    }

    /// The newest roster's id.
    pub fn newest_id(&self) -> StatementId {
        self.newest_held().id
    }

    /// Whether a roster this chain keeps the keys of lists `key`.
    pub fn lists(&self, key: &[u8; 32]) -> bool {
        self.held.iter().any(|h| h.holders.contains_key(key))
    }

    /// The versions and ids of the rosters taken, oldest first.
    pub fn ids(&self) -> &[(u64, StatementId)] {
        &self.ids
    }

    /// Takes the next roster: it must follow the newest (version one more, superseding it,
    /// dated no earlier) and be signed by a strict majority of the newest's members.
    pub fn extend(&mut self, signed: &Signed) -> Result<StatementId, StatementError> {
        let opened = signed.open()?;
        self.same_coalition(&opened.statement)?;
        let roster = as_roster(&opened.statement)?.clone();
        let s = &opened.statement;
        let newest = self.newest_held();
        if s.supersedes != Some(newest.id.0) {
            return Err(StatementError::BrokenChain {
                version: s.sequence,
                newest: newest.version,
                what: if newest.version.checked_add(1) != Some(s.sequence) {
                    "its version is not the next"
                } else {
                    "it does not supersede the newest roster"
                },
            });
        }
        follows(newest, &opened)?;
        let held = Held::of(opened.id, s, &roster);
        self.held.push(held);
        if self.held.len() > MAX_KEPT_ROSTERS {
            self.held.remove(0);
        }
        self.ids.push((s.sequence, opened.id));
        self.newest = roster;
        Ok(opened.id)
    }

    /// Whether roster `signed`, which supersedes a roster this chain holds the keys of,
    /// follows that one as [`RosterChain::extend`] takes a next roster (version one more,
    /// dated no earlier, signed by a strict majority of its members with signatures that
    /// verify): `None` where it supersedes no roster held, or is no roster of this chain's
    /// coalition. The answer depends only on the two rosters' bytes, so a roster that does
    /// not follow the one it supersedes is one no chain ever takes after it.
    pub fn follows_held(&self, signed: &Signed) -> Option<Result<(), StatementError>> {
        let opened = signed.open().ok()?;
        as_roster(&opened.statement).ok()?;
        self.same_coalition(&opened.statement).ok()?;
        let before = opened.statement.supersedes?;
        let held = self.held.iter().find(|h| h.id.0 == before)?;
        Some(follows(held, &opened))
    }

    /// Verifies a statement (not a roster): published by this chain's coalition, signed under
    /// a roster held (the newest, or one it replaced if the statement is dated before the
    /// replacement) by at least `threshold` of its members.
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
        let named = opened.statement.roster;
        let newest = self.version();
        if named > newest {
            return Err(StatementError::UnknownRoster { named, newest });
        }
        let at = self
            .held
            .iter()
            .position(|h| h.version == named)
            .ok_or(StatementError::StaleRoster { named, newest })?;
        if let Some(next) = self.held.get(at + 1)
            && opened.statement.as_of >= next.as_of
        {
            return Err(StatementError::StaleRoster { named, newest });
        }
        let roster = &self.held[at];
        let (signers, ignored) = signers(roster, &opened, threshold.get() as usize)?;
        Ok(Verified {
            id: opened.id,
            statement: opened.statement,
            signers,
            members: roster.members,
            roster: roster.version,
            ignored,
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

/// Whether roster `opened` follows roster `before` (which it supersedes): version one more,
/// dated no earlier, signed by a strict majority of its members.
fn follows(before: &Held, opened: &Opened) -> Result<(), StatementError> {
    let s = &opened.statement;
    let broken = |what| StatementError::BrokenChain {
        version: s.sequence,
        newest: before.version,
        what,
    };
    if before.version.checked_add(1) != Some(s.sequence) {
        return Err(broken("its version is not the next"));
    }
    if s.as_of < before.as_of {
        return Err(broken("it is dated before the roster it follows"));
    }
    signers(before, opened, before.members / 2 + 1).map(|_| ())
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

/// The members of `roster` whose keys signed `opened` and the signatures not counted, if at
/// least `needed` members signed.
fn signers(
    roster: &Held,
    opened: &Opened,
    needed: usize,
) -> Result<(Vec<RecordId>, Vec<Ignored>), StatementError> {
    let mut members = BTreeSet::new();
    let mut ignored = Vec::new();
    for c in &opened.cosigns {
        // A stranger's signature costs no verification.
        let Some(m) = roster.holders.get(&c.key) else {
            ignored.push(Ignored::NotListed(c.key));
            continue;
        };
        if c.verifies(&opened.id) {
            members.insert(*m);
        } else {
            ignored.push(Ignored::BadSignature(c.key));
        }
    }
    if members.len() < needed {
        let not_listed = ignored
            .iter()
            .filter(|i| matches!(i, Ignored::NotListed(_)))
            .count();
        return Err(StatementError::TooFewSigners {
            signed: members.len(),
            needed,
            members: roster.members,
            roster: roster.version,
            not_listed,
            bad: ignored.len() - not_listed,
        });
    }
    Ok((members.into_iter().collect(), ignored))
}
