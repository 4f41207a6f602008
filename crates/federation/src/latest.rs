//! Latest wins per subject: of the statements on one subject, the one with the highest
//! sequence is the one views show; an older one, or one offered again, is kept in history but
//! changes nothing.
//!
//! Two different statements with the same sequence on one subject (signed concurrently, or by
//! members who equivocate) are both valid; the one with the lower id is shown, marked
//! contested, so every node shows the same one whatever the order they arrived in
//! (property-tested).

use std::collections::BTreeMap;

use crate::signed::StatementId;
use crate::statement::Subject;

/// The statement shown for a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current {
    /// Its id.
    pub id: StatementId,
    /// Its sequence.
    pub sequence: u64,
    /// Whether another statement with the same sequence was offered.
    pub contested: bool,
}

/// What offering a statement changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offered {
    /// The first on its subject: now shown.
    First,
    /// Newer than the one shown, which it replaces.
    Replaced(StatementId),
    /// Older than the one shown: history only.
    Older {
        /// The one shown.
        current: StatementId,
    },
    /// The one shown, offered again.
    Again,
    /// As new as the one shown but different: the lower id of the two is shown.
    Contested {
        /// The one shown now.
        shown: StatementId,
    },
}

/// The statement shown per subject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Latest {
    current: BTreeMap<Subject, Current>,
}

impl Latest {
    /// None shown yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers statement `id`, with `sequence` on `subject`.
    pub fn offer(&mut self, subject: Subject, sequence: u64, id: StatementId) -> Offered {
        let Some(held) = self.current.get_mut(&subject) else {
            self.current.insert(
                subject,
                Current {
                    id,
                    sequence,
                    contested: false,
                },
            );
            return Offered::First;
        };
        if sequence > held.sequence {
            let old = held.id;
            *held = Current {
                id,
                sequence,
                contested: false,
            };
            Offered::Replaced(old)
        } else if sequence < held.sequence {
            Offered::Older { current: held.id }
        } else if id == held.id {
            Offered::Again
        } else {
            held.id = held.id.min(id);
            held.contested = true;
            Offered::Contested { shown: held.id }
        }
    }

    /// The statement shown for `subject`.
    pub fn get(&self, subject: &Subject) -> Option<&Current> {
        self.current.get(subject)
    }

    /// Every subject with the statement shown, in order of subject.
    pub fn iter(&self) -> impl Iterator<Item = (&Subject, &Current)> {
        self.current.iter()
    }
}
