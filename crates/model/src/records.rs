//! Reading some records of a coalition without hydrating the rest: one record by id, or the
//! few fields a listing sorts and filters by. What commands use to cost what they touch.
//!
//! A listing's headers ([`IssueHeader`]: title, status, lead, tags, ranks, date;
//! [`ProposalHeader`]: title, kind, dates, author, electorate, stances) are
//! read in one pass over their collection ([`headers`]); after changes, [`update_headers`] reads
//! again only the records they wrote to (found by `CoalitionDoc::touched_since`, else everything is
//! read again), which is property-tested against a whole read. Records that do not read are left
//! out, as from the whole read.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, ReadDoc};

use automerge::{ObjType, ScalarValueRef as Scalar, ValueRef};

use crate::schema::{Issue, Unreadable};
use crate::{DecisionKind, IssueId, IssueStatus, MemberId, ProposalId, Rank, Stance, Timestamp};

/// What a listing of issues sorts and filters by, and what the overlap report counts, read
/// without the issues' descriptions or evidence.
#[derive(Debug, Clone, PartialEq, Hydrate)]
pub struct IssueHeader {
    /// Short title.
    pub title: String,
    /// Where it stands.
    pub status: IssueStatus,
    /// The lead member.
    pub lead: MemberId,
    /// The member that raised it (whose words its title is).
    pub raised_by: MemberId,
    /// Identity tags it touches.
    pub tags: Vec<String>,
    /// Each sharing member's rank.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub ranks: BTreeMap<MemberId, Rank>,
    /// When it was raised.
    pub created_at: Timestamp,
}

/// What a listing of proposals sorts and filters by, and what the power audit counts, read
/// without their texts or positions' reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalHeader {
    /// Its title (what a listing counts as lacking a translation).
    pub title: String,
    /// Kind of decision.
    pub kind: DecisionKind,
    /// When it opened.
    pub created_at: Timestamp,
    /// When it closes, if it does.
    pub closes_at: Option<Timestamp>,
    /// Who proposed it.
    pub author: MemberId,
    /// Who may take a position.
    pub electorate: Vec<MemberId>,
    /// Each position's stance, by member.
    pub positions: BTreeMap<MemberId, Stance>,
    /// The members that cast a ballot, where it is a poll.
    pub ballots: std::collections::BTreeSet<MemberId>,
    /// Whether it is a poll (decided by ballots, not positions).
    pub poll: bool,
    /// Whether it is a poll over the issue inventory (its result becomes the inventory's
    /// priority: `reports::inventory_priority_of`).
    pub ranks_issues: bool,
    /// Its rule's quorum (what a poll's outcome turns on), where it reads.
    pub quorum: Option<crate::Fraction>,
    /// The pool whose requests it funds, where it is a budget poll over them (an allocation
    /// under `allocation=budget`: `reports::budgets_over`).
    pub budget_pool: Option<crate::ids::PoolId>,
    /// The role it fills, where it is an election of role holders (`reports::elections_of`).
    pub role: Option<crate::values::RoleName>,
    /// The call it answers, where it answers one (`schema::Proposal::answers`).
    pub answers: Option<federation::StatementId>,
}

/// A kind of record a listing reads headers of: its collection, and how one header reads
/// from the record's key and fields.
pub trait Header: Sized + Clone {
    /// The record's id.
    type Id: Ord + Clone + std::str::FromStr;
    /// The collection at the document's root.
    const COLLECTION: &'static str;
    /// The header of the record stored as the map `obj`.
    fn read<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, &'static str>;
    /// Where a listing places the record (records of one rank by id).
    type Rank: Ord + Copy;
    /// Its rank.
    fn rank(&self) -> Self::Rank;
}

impl Header for IssueHeader {
    type Id = IssueId;
    const COLLECTION: &'static str = "issues";
    /// Oldest first.
    type Rank = Timestamp;
    fn rank(&self) -> Timestamp {
        self.created_at
    }
    fn read<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, &'static str> {
        let (mut status, mut tags, mut created_at) = (None, None, None);
        let (mut title, mut lead, mut ranks, mut raised_by) = (None, None, None, None);
        for field in doc.map_range(obj, ..) {
            match (field.key.as_ref(), &field.value) {
                ("created_at", v) => created_at = timestamp(v),
                ("status", ValueRef::Scalar(Scalar::Str(s))) => {
                    status = s.parse::<IssueStatus>().ok();
                }
                ("title", ValueRef::Scalar(Scalar::Str(s))) => title = Some(s.to_string()),
                ("lead", ValueRef::Scalar(Scalar::Str(s))) => lead = s.parse::<MemberId>().ok(),
                ("raised_by", ValueRef::Scalar(Scalar::Str(s))) => {
                    raised_by = s.parse::<MemberId>().ok();
                }
                ("ranks", ValueRef::Object(ObjType::Map)) => {
                    let mut read = BTreeMap::new();
                    for r in doc.map_range(field.id(), ..) {
                        let member = r
                            .key
                            .parse::<MemberId>()
                            .map_err(|_| "a rank's key is not a member id")?;
                        let rank = match &r.value {
                            ValueRef::Scalar(Scalar::Uint(u)) => Rank::new(*u).ok(),
                            ValueRef::Scalar(Scalar::Int(i)) => {
                                u64::try_from(*i).ok().and_then(|u| Rank::new(u).ok())
                            }
                            _ => None,
                        }
                        .ok_or("a rank is not from 1 to 10")?;
                        read.insert(member, rank);
                    }
                    ranks = Some(read);
                }
                ("tags", ValueRef::Object(ObjType::List)) => {
                    let mut list = Vec::new();
                    for t in doc.list_range(field.id(), ..) {
                        match &t.value {
                            ValueRef::Scalar(Scalar::Str(s)) => list.push(s.to_string()),
                            _ => return Err("a tag is not text"),
                        }
                    }
                    tags = Some(list);
                }
                _ => {}
            }
        }
        Ok(Self {
            title: title.ok_or("no readable title")?,
            status: status.ok_or("no readable status")?,
            lead: lead.ok_or("no readable lead")?,
            raised_by: raised_by.ok_or("no readable raised_by")?,
            tags: tags.ok_or("no readable tags")?,
            ranks: ranks.ok_or("no readable ranks")?,
            created_at: created_at.ok_or("no readable created_at")?,
        })
    }
}

impl Header for ProposalHeader {
    type Id = ProposalId;
    const COLLECTION: &'static str = "proposals";
    /// Newest first.
    type Rank = std::cmp::Reverse<Timestamp>;
    fn rank(&self) -> std::cmp::Reverse<Timestamp> {
        std::cmp::Reverse(self.created_at)
    }
    fn read<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Result<Self, &'static str> {
        let (mut kind, mut created_at, mut closes_at) = (None, None, None);
        let (mut author, mut electorate, mut positions) = (None, None, None);
        let mut title = None;
        let mut ballots = std::collections::BTreeSet::new();
        let (mut poll, mut ranks_issues, mut quorum) = (false, false, None);
        let (mut budget_pool, mut role, mut answers) = (None, None, None);
        for field in doc.map_range(obj, ..) {
            match (field.key.as_ref(), &field.value) {
                ("answers", ValueRef::Scalar(Scalar::Str(s))) => {
                    answers = federation::StatementId::from_hex(s).ok();
                }
                ("created_at", v) => created_at = timestamp(v),
                ("closes_at", v) => closes_at = timestamp(v),
                ("title", ValueRef::Scalar(Scalar::Str(s))) => title = Some(s.to_string()),
                ("rule", ValueRef::Object(ObjType::Map)) => {
                    quorum = match doc.get(&field.id(), "quorum") {
                        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
                            automerge::ScalarValue::Str(s) => s.parse().ok(),
                            _ => None,
                        },
                        _ => None,
                    };
                }
                ("poll", ValueRef::Object(ObjType::Map)) => {
                    poll = true;
                    ranks_issues = matches!(
                        doc.get(&field.id(), "issues"),
                        Ok(Some((automerge::Value::Object(ObjType::List), list)))
                            if doc.length(&list) > 0
                    );
                    let text = |key: &str| match doc.get(&field.id(), key) {
                        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
                            automerge::ScalarValue::Str(s) => Some(s.to_string()),
                            _ => None,
                        },
                        _ => None,
                    };
                    budget_pool = text("pool").and_then(|s| s.parse().ok());
                    role = text("role").and_then(|s| s.parse().ok());
                }
                ("ballots", ValueRef::Object(ObjType::Map)) => {
                    for b in doc.map_range(field.id(), ..) {
                        ballots.insert(
                            b.key
                                .parse::<MemberId>()
                                .map_err(|_| "a ballot's key is not a member id")?,
                        );
                    }
                }
                ("kind", ValueRef::Scalar(Scalar::Str(s))) => {
                    kind = s.parse::<DecisionKind>().ok();
                }
                ("author", ValueRef::Scalar(Scalar::Str(s))) => author = s.parse::<MemberId>().ok(),
                ("electorate", ValueRef::Object(ObjType::List)) => {
                    let mut list = Vec::new();
                    for m in doc.list_range(field.id(), ..) {
                        match &m.value {
                            ValueRef::Scalar(Scalar::Str(s)) => list.push(
                                s.parse::<MemberId>()
                                    .map_err(|_| "an elector is not a member id")?,
                            ),
                            _ => return Err("an elector is not text"),
                        }
                    }
                    electorate = Some(list);
                }
                ("positions", ValueRef::Object(ObjType::Map)) => {
                    let mut read = BTreeMap::new();
                    for p in doc.map_range(field.id(), ..) {
                        let member = p
                            .key
                            .parse::<MemberId>()
                            .map_err(|_| "a position's key is not a member id")?;
                        let stance = match doc.get(&p.id(), "stance") {
                            Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
                                automerge::ScalarValue::Str(s) => s.parse::<Stance>().ok(),
                                _ => None,
                            },
                            _ => None,
                        }
                        .ok_or("a position has no readable stance")?;
                        read.insert(member, stance);
                    }
                    positions = Some(read);
                }
                _ => {}
            }
        }
        Ok(Self {
            title: title.ok_or("no readable title")?,
            kind: kind.ok_or("no readable kind")?,
            created_at: created_at.ok_or("no readable created_at")?,
            closes_at,
            author: author.ok_or("no readable author")?,
            electorate: electorate.ok_or("no readable electorate")?,
            positions: positions.ok_or("no readable positions")?,
            ballots,
            poll,
            ranks_issues,
            quorum,
            budget_pool,
            role,
            answers,
        })
    }
}

/// A proposal's kind alone (what the governance needs to tell the proposals that govern),
/// read without its other fields.
pub(crate) fn proposal_kind<D: ReadDoc>(doc: &D, obj: &automerge::ObjId) -> Option<DecisionKind> {
    doc.map_range(obj, ..)
        .find_map(|field| match (field.key.as_ref(), &field.value) {
            ("kind", ValueRef::Scalar(Scalar::Str(s))) => s.parse::<DecisionKind>().ok(),
            _ => None,
        })
}

/// Every proposal's kind, in one pass over the proposals; a proposal whose key is not an id,
/// that is not a map or has no readable kind is left out.
pub(crate) fn proposal_kinds<D: ReadDoc>(doc: &D) -> BTreeMap<ProposalId, DecisionKind> {
    let Some(proposals) = collection(doc, "proposals") else {
        return BTreeMap::new();
    };
    doc.map_range(&proposals, ..)
        .filter_map(|item| {
            let id = item.key.parse::<ProposalId>().ok()?;
            match &item.value {
                ValueRef::Object(ObjType::Map) => Some((id, proposal_kind(doc, &item.id())?)),
                _ => None,
            }
        })
        .collect()
}

/// A stored time, if it is one.
fn timestamp(v: &ValueRef<'_>) -> Option<Timestamp> {
    match v {
        ValueRef::Scalar(Scalar::Timestamp(t) | Scalar::Int(t)) => Some(Timestamp::from_millis(*t)),
        _ => None,
    }
}

/// The header of each record of `H`'s collection (`IssueHeader`, `ProposalHeader`); none if
/// the coalition has no such collection yet. A record whose key is not an id, that is not a
/// map, or whose header does not read (a status of a newer version, say) is left out and named
/// in `unreadable`, as [`crate::schema::records`] does: one bad record never hides the others.
///
/// One pass over the collection and one over each record's fields: Automerge looks each key
/// up from the top of the document, so reading three fields by name cost 4.3 times as much
/// on a coalition of 10,000 issues.
pub fn headers<D: ReadDoc, H: Header>(
    doc: &D,
    unreadable: &mut Vec<Unreadable>,
) -> BTreeMap<H::Id, H> {
    let Some(collection) = collection(doc, H::COLLECTION) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for item in doc.map_range(&collection, ..) {
        let header = match (item.key.parse::<H::Id>(), &item.value) {
            (Ok(id), ValueRef::Object(ObjType::Map)) => H::read(doc, &item.id()).map(|h| (id, h)),
            (Err(_), _) => Err("not a record id"),
            (Ok(_), _) => Err("not a record"),
        };
        match header {
            Ok((id, h)) => {
                out.insert(id, h);
            }
            Err(error) => unreadable.push(Unreadable {
                path: format!("{}/{}", H::COLLECTION, item.key),
                error: error.to_owned(),
            }),
        }
    }
    out
}

/// The map at the root key `key`, if there is one.
pub(crate) fn collection<D: ReadDoc>(doc: &D, key: &str) -> Option<automerge::ObjId> {
    match doc.get(&automerge::ROOT, key) {
        Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => Some(obj),
        _ => None,
    }
}

/// Brings `headers` up to date for the records whose ids are `touched`: each is read again,
/// and left out if it is gone or no longer reads.
pub fn update_headers<D: ReadDoc, H: Header>(
    doc: &D,
    headers: &mut BTreeMap<H::Id, H>,
    touched: &std::collections::BTreeSet<String>,
) {
    let collection = collection(doc, H::COLLECTION);
    for key in touched {
        let Ok(id) = key.parse::<H::Id>() else {
            continue;
        };
        let header = collection
            .as_ref()
            .and_then(|c| match doc.get(c, key.as_str()) {
                Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => H::read(doc, &obj).ok(),
                _ => None,
            });
        match header {
            Some(h) => {
                headers.insert(id, h);
            }
            None => {
                headers.remove(&id);
            }
        }
    }
}

/// One issue, read alone.
pub fn issue<D: ReadDoc>(doc: &D, id: &IssueId) -> Result<Option<Issue>, Unreadable> {
    crate::schema::record(doc, "issues", id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    /// The one-pass reader gives what hydrating each header by name gives, after edits of
    /// status and tags too.
    #[test]
    fn headers_read_in_one_pass_are_the_hydrated_ones() {
        let key = NodeKey::from_bytes([1; 32]);
        let founder = MemberId::from_bytes([2; 16]);
        let mut doc = CoalitionDoc::found(
            key,
            Founding {
                id: CoalitionId::from_bytes([3; 16]),
                name: "Transit Justice".into(),
                frame: "Fare-free buses".into(),
                values: vec![],
                commitments: vec![],
                equity_threshold: None,
                founder_id: founder.clone(),
                founder: MemberProfile::named("Northside"),
                at: Timestamp::from_millis(0),
            },
        )
        .unwrap();
        assert!(headers::<_, IssueHeader>(doc.automerge(), &mut Vec::new()).is_empty());
        for n in 0..40u8 {
            let id = IssueId::from_bytes([n; 16]);
            let tags = ["race", "class", "disability"][..usize::from(n % 4).min(3)]
                .iter()
                .map(|t| (*t).to_owned())
                .collect();
            let new = NewIssue {
                id: id.clone(),
                title: format!("Issue {n}"),
                description: "x".repeat(usize::from(n) * 10),
                tags,
                lead: None,
            };
            doc.add_issue(&founder, new, Timestamp::from_millis(1 + i64::from(n)))
                .unwrap();
            if n % 3 == 0 {
                let edit = IssueEdit {
                    status: Some(IssueStatus::Adopted),
                    add_tags: vec!["language".into()],
                    ..Default::default()
                };
                doc.edit_issue(&founder, &id, edit, Timestamp::from_millis(100))
                    .unwrap();
            }
        }
        let am = doc.automerge();
        let mut unreadable = Vec::new();
        let hydrated: BTreeMap<IssueId, IssueHeader> =
            crate::schema::records(am, "issues", &mut unreadable);
        assert!(unreadable.is_empty());
        assert_eq!(hydrated.len(), 40);
        let mut skipped = Vec::new();
        assert_eq!(headers::<_, IssueHeader>(am, &mut skipped), hydrated);
        assert!(skipped.is_empty());

        // A status this version does not know (a newer version's) leaves that issue out and
        // names it; the others still read.
        let bad = IssueId::from_bytes([7; 16]);
        let am = doc.automerge_mut();
        let (_, issues) = am.get(&automerge::ROOT, "issues").unwrap().unwrap();
        let (_, record) = am.get(&issues, bad.as_str()).unwrap().unwrap();
        automerge::transaction::Transactable::put(am, &record, "status", "paused").unwrap();
        let mut skipped = Vec::new();
        let headers = headers::<_, IssueHeader>(doc.automerge(), &mut skipped);
        assert_eq!(headers.len(), 39);
        assert!(!headers.contains_key(&bad));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].path, format!("issues/{bad}"));
    }

    use crate::testing::founded;

    /// One step of a history: an issue raised, its status or tags edited, here or on
    /// another node whose changes are then merged (concurrent with this node's).
    #[derive(Debug, Clone)]
    enum Step {
        Raise(u8),
        Status(u8, u8),
        Tag(u8),
        Elsewhere(u8, u8),
        Proposal(u8),
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            any::<u8>().prop_map(Step::Raise),
            (any::<u8>(), 0u8..5).prop_map(|(i, s)| Step::Status(i, s)),
            any::<u8>().prop_map(Step::Tag),
            (any::<u8>(), 0u8..5).prop_map(|(i, s)| Step::Elsewhere(i, s)),
            any::<u8>().prop_map(Step::Proposal),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Headers brought up to date from the changes' operations are the headers read
        /// again whole, whatever was edited, here or merged from elsewhere.
        #[test]
        fn headers_updated_from_changes_are_the_headers_read_again(
            steps in proptest::collection::vec(step(), 1..24)
        ) {
            let (founder, mut doc) = founded();
            let statuses = [
                IssueStatus::Raised,
                IssueStatus::Adopted,
                IssueStatus::ParallelCampaign,
                IssueStatus::Won,
                IssueStatus::Dropped,
            ];
            let mut issues: Vec<IssueId> = Vec::new();
            let mut heads = doc.heads();
            let mut cached: BTreeMap<IssueId, IssueHeader> = doc.headers();
            let mut proposals: BTreeMap<ProposalId, ProposalHeader> = doc.headers();
            for (n, s) in steps.into_iter().enumerate() {
                let at = Timestamp::from_millis(1_000 * (n as i64 + 1));
                let pick = |i: u8, issues: &[IssueId]| issues.get(usize::from(i) % issues.len().max(1)).cloned();
                match s {
                    Step::Raise(i) => {
                        let id = IssueId::from_bytes([i, n as u8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
                        let new = NewIssue {
                            id: id.clone(),
                            title: format!("Issue {n}"),
                            description: String::new(),
                            tags: vec!["race".into()],
                            lead: None,
                        };
                        doc.add_issue(&founder, new, at).unwrap();
                        issues.push(id);
                    }
                    Step::Status(i, st) | Step::Elsewhere(i, st) => {
                        let Some(id) = pick(i, &issues) else { continue };
                        let edit = IssueEdit {
                            status: Some(statuses[usize::from(st)]),
                            ..Default::default()
                        };
                        if matches!(s, Step::Elsewhere(..)) {
                            // Another node edits while this one edits too; then they merge.
                            let mut other = doc.fork_as(NodeKey::from_bytes([5; 32]));
                            other.edit_issue(&founder, &id, edit, at).unwrap();
                            let here = IssueEdit {
                                add_tags: vec!["class".into()],
                                ..Default::default()
                            };
                            doc.edit_issue(&founder, &id, here, at).unwrap();
                            doc.merge(&mut other).unwrap();
                        } else {
                            doc.edit_issue(&founder, &id, edit, at).unwrap();
                        }
                    }
                    Step::Tag(i) => {
                        let Some(id) = pick(i, &issues) else { continue };
                        let edit = IssueEdit {
                            add_tags: vec![format!("tag{i}")],
                            ..Default::default()
                        };
                        doc.edit_issue(&founder, &id, edit, at).unwrap();
                    }
                    Step::Proposal(i) => {
                        let new = NewProposal {
                            id: ProposalId::from_bytes([i, n as u8, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]),
                            kind: DecisionKind::General,
                            title: format!("Proposal {n}"),
                            text: String::new(),
                            closes_at: None,
                        };
                        doc.new_proposal(&founder, new, at).unwrap();
                    }
                }
                let touched = doc.touched_since(&heads, "issues").unwrap();
                update_headers(doc.automerge(), &mut cached, &touched);
                let touched = doc.touched_since(&heads, "proposals").unwrap();
                update_headers(doc.automerge(), &mut proposals, &touched);
                heads = doc.heads();
                proptest::prop_assert_eq!(&cached, &doc.headers::<IssueHeader>());
                proptest::prop_assert_eq!(&proposals, &doc.headers::<ProposalHeader>());
            }
        }
    }

    /// A head this document does not hold, or too many changes, and the caller reads again.
    #[test]
    fn what_is_not_cheap_to_tell_is_read_again() {
        let (founder, mut doc) = founded();
        let unknown = [automerge::ChangeHash([7; 32])];
        assert!(doc.touched_since(&unknown, "issues").is_none());
        let heads = doc.heads();
        for n in 0..=crate::MAX_TOUCHED_CHANGES as u8 {
            let new = NewIssue {
                id: IssueId::from_bytes([n; 16]),
                title: format!("Issue {n}"),
                description: String::new(),
                tags: vec![],
                lead: None,
            };
            doc.add_issue(&founder, new, Timestamp::from_millis(1 + i64::from(n)))
                .unwrap();
        }
        assert!(doc.touched_since(&heads, "issues").is_none());
        let one = doc.heads();
        let edit = IssueEdit {
            title: Some("Renamed".into()),
            ..Default::default()
        };
        doc.edit_issue(
            &founder,
            &IssueId::from_bytes([3; 16]),
            edit,
            Timestamp::from_millis(500),
        )
        .unwrap();
        let touched = doc.touched_since(&one, "issues").unwrap();
        assert_eq!(touched.len(), 1);
        assert!(doc.touched_since(&one, "proposals").unwrap().is_empty());
    }
}
