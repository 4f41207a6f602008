//! What callers give an edit (new records, edits of them, profiles) and the checks of
//! their texts: lengths and list sizes, before anything is written.

use super::*;

/// Longest short text (names, titles, units, notes), in characters.
pub const MAX_SHORT: usize = 200;
/// Longest long text (frames, descriptions, minutes), in characters.
pub const MAX_LONG: usize = 20_000;
/// Most entries in a list given in one edit (tags, values, agenda items...).
pub const MAX_LIST: usize = 50;
/// Most members present at one meeting.
pub const MAX_ATTENDANCE: usize = 1000;

pub(super) fn short(field: &'static str, value: &str) -> Result<String, EditError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(EditError::Empty { field });
    }
    optional_short(field, v)
}

pub(super) fn optional_short(field: &'static str, value: &str) -> Result<String, EditError> {
    let v = value.trim();
    let len = v.chars().count();
    if len > MAX_SHORT {
        return Err(EditError::TooLong {
            field,
            len,
            max: MAX_SHORT,
        });
    }
    Ok(v.to_owned())
}

pub(super) fn long(field: &'static str, value: &str) -> Result<String, EditError> {
    let len = value.chars().count();
    if len > MAX_LONG {
        return Err(EditError::TooLong {
            field,
            len,
            max: MAX_LONG,
        });
    }
    Ok(value.trim().to_owned())
}

pub(super) fn short_list(field: &'static str, items: &[String]) -> Result<Vec<String>, EditError> {
    if items.len() > MAX_LIST {
        return Err(EditError::TooMany {
            field,
            len: items.len(),
            max: MAX_LIST,
        });
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let v = short(field, item)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// A new member organization's profile.
#[derive(Debug, Clone, Default)]
pub struct MemberProfile {
    /// Organization name.
    pub name: String,
    /// Communities it represents.
    pub communities: Vec<String>,
    /// Languages it works in.
    pub languages: Vec<String>,
    /// Accessibility needs.
    pub accessibility: Vec<String>,
    /// How to reach it.
    pub contact: String,
}

impl MemberProfile {
    /// A profile with a name only.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Default::default()
        }
    }
}

/// Changes to a member's own profile; `None` leaves a field as it is, a list replaces the list.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// New organization name.
    pub name: Option<String>,
    /// Communities it represents.
    pub communities: Option<Vec<String>>,
    /// Languages it works in.
    pub languages: Option<Vec<String>>,
    /// Accessibility needs.
    pub accessibility: Option<Vec<String>>,
    /// How to reach it.
    pub contact: Option<String>,
}

/// What a coalition is founded with.
#[derive(Debug, Clone)]
pub struct Founding {
    /// The coalition's id.
    pub id: CoalitionId,
    /// Its name.
    pub name: String,
    /// Its unifying frame.
    pub frame: String,
    /// Core values.
    pub values: Vec<String>,
    /// Non-negotiable commitments.
    pub commitments: Vec<String>,
    /// Share of a pool's allocations above which one member receiving it is flagged
    /// (default one half).
    pub equity_threshold: Option<Fraction>,
    /// The founding member's id.
    pub founder_id: MemberId,
    /// The founding member's profile.
    pub founder: MemberProfile,
    /// When it was founded.
    pub at: Timestamp,
}

impl Founding {
    /// A coalition founded with a name only: no frame, values or commitments yet, the
    /// default equity threshold.
    pub fn new(
        id: CoalitionId,
        name: impl Into<String>,
        founder_id: MemberId,
        founder: MemberProfile,
        at: Timestamp,
    ) -> Self {
        Self {
            id,
            name: name.into(),
            frame: String::new(),
            values: Vec::new(),
            commitments: Vec::new(),
            equity_threshold: None,
            founder_id,
            founder,
            at,
        }
    }
}

/// A new issue.
#[derive(Debug, Clone)]
pub struct NewIssue {
    /// Its id.
    pub id: IssueId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Identity tags.
    pub tags: Vec<String>,
    /// Lead member (default: the member raising it).
    pub lead: Option<MemberId>,
}

/// Changes to an issue's shared record; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct IssueEdit {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New status.
    pub status: Option<IssueStatus>,
    /// New lead member.
    pub lead: Option<MemberId>,
    /// Tags to add.
    pub add_tags: Vec<String>,
}

/// A new resource pool.
#[derive(Debug, Clone)]
pub struct NewPool {
    /// Its id.
    pub id: PoolId,
    /// Name.
    pub name: String,
    /// What it holds.
    pub kind: PoolKind,
    /// Unit of its amounts.
    pub unit: String,
    /// What it is for.
    pub description: String,
}

/// What a member gives a pool: the ledger entry kinds a member writes for itself (a request
/// is made with [`CoalitionDoc::request_allocation`], which opens its proposal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiftKind {
    /// A promise to give.
    Pledge,
    /// Something given.
    Contribution,
}

impl From<GiftKind> for EntryKind {
    fn from(k: GiftKind) -> Self {
        match k {
            GiftKind::Pledge => EntryKind::Pledge,
            GiftKind::Contribution => EntryKind::Contribution,
        }
    }
}

/// A pledge or contribution to a pool.
#[derive(Debug, Clone)]
pub struct Gift {
    /// The ledger entry's id.
    pub entry: EntryId,
    /// A pledge or a contribution.
    pub kind: GiftKind,
    /// How much.
    pub amount: Amount,
    /// A note for the ledger.
    pub note: String,
}

/// A request to receive from a pool.
#[derive(Debug, Clone)]
pub struct AllocationRequest {
    /// The ledger entry's id.
    pub entry: EntryId,
    /// The id of the allocation proposal that decides it.
    pub proposal: ProposalId,
    /// How much.
    pub amount: Amount,
    /// Why it is needed.
    pub reason: String,
}

/// A new meeting record.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// Its id.
    pub id: MeetingId,
    /// The day it was held.
    pub day: Day,
    /// Facilitator.
    pub facilitator: MemberId,
    /// Members present.
    pub attendance: Vec<MemberId>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Proposals decided.
    pub decisions: Vec<ProposalId>,
    /// Members that spoke in the check-in round, in order (each one present).
    pub checkins: Vec<MemberId>,
    /// Each agenda item's time box in minutes (0: none), in the agenda's order (at most one
    /// per item, each at most 1440).
    pub timeboxes: Vec<u64>,
}

/// The charter in force, its ratified versions (by key, the version number zero-padded) and
/// the governance it was derived under (for the names of the members it names).
#[derive(Debug, Clone)]
pub struct CharterInForce {
    /// The charter in force.
    pub charter: crate::schema::Charter,
    /// Every ratified version, by key.
    pub versions: BTreeMap<String, crate::schema::CharterVersion>,
    /// The governance in force at the moment it was read.
    pub governance: Arc<InForce>,
}

/// A new proposal.
#[derive(Debug, Clone)]
pub struct NewProposal {
    /// Its id.
    pub id: ProposalId,
    /// Kind of decision.
    pub kind: DecisionKind,
    /// Title.
    pub title: String,
    /// Full text.
    pub text: String,
    /// When positions stop counting.
    pub closes_at: Option<Timestamp>,
}
