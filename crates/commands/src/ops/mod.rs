//! Typed operations: what the API (and the coming web UI) call with JSON, and what the
//! command line's commands call after resolving what people typed. Each operation is a
//! function over an open [`Replica`] taking a request type and returning a response type,
//! both serde and described for OpenAPI ([`utoipa::ToSchema`]); the `api` crate serves each
//! family on its own routes and generates the OpenAPI document from these types.
//!
//! An operation reads only what it needs (one record by id, the headers a listing sorts by,
//! the governance for names), never the whole coalition, so its cost follows the work.
//!
//! Failures are [`OpError`]: a stable [`ErrorCode`] for programs, and the message a person
//! reads, the same as the command line prints.

pub mod audit;
pub mod charter;
pub mod coalitions;
pub mod files;
pub mod issues;
pub mod joins;
pub mod keys;
pub mod meetings;
pub mod members;
pub mod pools;
pub mod proposals;
pub mod reports;
pub mod status;

use std::collections::BTreeMap;

use model::{CoalitionId, MemberId};
use replica::{Replica, ReplicaError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of failure an operation met, stable across versions (programs branch on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request does not have a valid form (a missing field, a malformed value).
    BadRequest,
    /// The API token was missing or wrong.
    Unauthorized,
    /// The route does not take this HTTP method.
    WrongMethod,
    /// No coalition, record or member has the id given.
    NotFound,
    /// The prefix given matches more than one record.
    Ambiguous,
    /// A value is not acceptable: empty, too long, too many, not one of the allowed words.
    Invalid,
    /// The coalition's rules do not let this node do it (not a member, a flagged key...).
    Forbidden,
    /// The record's state does not allow it (already exists, already decided, no balance).
    Conflict,
    /// The coalition has not arrived from the other members' nodes yet.
    NotArrived,
    /// The request body is larger than the API accepts.
    TooLarge,
    /// The node is shutting down.
    Unavailable,
    /// Something failed on this node (the store, the document); the message says what.
    Internal,
}

impl ErrorCode {
    /// The HTTP status the API answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::WrongMethod => 405,
            Self::Ambiguous | Self::Conflict | Self::NotArrived => 409,
            Self::TooLarge => 413,
            Self::Invalid => 422,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }
}

/// An operation's failure: a code for programs, a message for people.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What went wrong, with its causes, as a sentence for a person.
    pub message: String,
    /// The same, one part per line: what failed first, then each cause in turn (what the
    /// command line prints as `error:` and `caused by:` lines). Left out when the error has
    /// no cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
}

impl OpError {
    /// An error of the given kind.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            causes: Vec::new(),
        }
    }

    /// The error with its code read off its causes: the first cause of a known kind decides.
    pub fn from_anyhow(e: &anyhow::Error) -> Self {
        // A kind given as context (`.context(Invalid(..))`) is found on the error itself.
        let given = if e.downcast_ref::<Invalid>().is_some() {
            Some(ErrorCode::Invalid)
        } else if e.downcast_ref::<Conflict>().is_some() {
            Some(ErrorCode::Conflict)
        } else {
            None
        };
        let code = given
            .or_else(|| e.chain().find_map(code_of))
            .unwrap_or(ErrorCode::Internal);
        let causes = if e.chain().nth(1).is_some() {
            e.chain().map(ToString::to_string).collect()
        } else {
            Vec::new()
        };
        Self {
            causes,
            ..Self::new(code, format!("{e:#}"))
        }
    }

    /// The error as this process's own, its causes chained as they were where it happened
    /// (the command line prints each on its line).
    pub fn into_anyhow(self) -> anyhow::Error {
        let mut parts = self.causes.into_iter().rev();
        let Some(innermost) = parts.next() else {
            return anyhow::Error::msg(self.message);
        };
        parts.fold(anyhow::Error::msg(innermost), |e, outer| e.context(outer))
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OpError {}

/// A request value that is not acceptable, beyond what the model checks (a page of no
/// issues, say).
#[derive(Debug)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// A request that the state of things here does not allow (a coalition already held, say).
#[derive(Debug)]
pub struct Conflict(pub String);

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Conflict {}

/// The code of one error in a chain, if it is of a kind that has one.
fn code_of(e: &(dyn std::error::Error + 'static)) -> Option<ErrorCode> {
    use model::{EditError, PrefixError};
    if e.downcast_ref::<Invalid>().is_some() {
        return Some(ErrorCode::Invalid);
    }
    if e.downcast_ref::<Conflict>().is_some() {
        return Some(ErrorCode::Conflict);
    }
    if e.downcast_ref::<model::IdError>().is_some() {
        return Some(ErrorCode::Invalid);
    }
    if e.downcast_ref::<sync::invite::InviteError>().is_some() {
        return Some(ErrorCode::Invalid);
    }
    if e.downcast_ref::<joins::NeedsNode>().is_some() {
        return Some(ErrorCode::Unavailable);
    }
    if let Some(joins::NoPendingJoin(p)) = e.downcast_ref::<joins::NoPendingJoin>() {
        return code_of(p);
    }
    if let Some(e) = e.downcast_ref::<PrefixError>() {
        return Some(match e {
            PrefixError::NotFound { .. } => ErrorCode::NotFound,
            PrefixError::Ambiguous { .. } => ErrorCode::Ambiguous,
            _ => ErrorCode::Invalid,
        });
    }
    if e.downcast_ref::<model::ValueError>().is_some() {
        return Some(ErrorCode::Invalid);
    }
    if let Some(e) = e.downcast_ref::<EditError>() {
        return match e {
            EditError::Empty { .. }
            | EditError::TooLong { .. }
            | EditError::TooMany { .. }
            | EditError::BlockWithoutReason
            | EditError::ZeroAmount => Some(ErrorCode::Invalid),
            EditError::Unknown { .. } => Some(ErrorCode::NotFound),
            EditError::Exists { .. }
            | EditError::ProposalDecided { .. }
            | EditError::InsufficientBalance { .. } => Some(ErrorCode::Conflict),
            EditError::NotAMember { .. }
            | EditError::KeyFlagged { .. }
            | EditError::Refused { .. }
            | EditError::NotInElectorate { .. } => Some(ErrorCode::Forbidden),
            // Transparent wrappers do not show their inner error as a cause: look inside.
            EditError::Prefix(p) => code_of(p),
            EditError::Value(_) => Some(ErrorCode::Invalid),
            _ => None,
        };
    }
    if let Some(e) = e.downcast_ref::<ReplicaError>() {
        return match e {
            ReplicaError::NotArrived { .. } => Some(ErrorCode::NotArrived),
            ReplicaError::KeyForked { .. } => Some(ErrorCode::Forbidden),
            ReplicaError::NoCoalition | ReplicaError::WhichCoalition { .. } => {
                Some(ErrorCode::NotFound)
            }
            ReplicaError::Edit(e) => code_of(e),
            ReplicaError::Coalition(p) => code_of(p),
            _ => None,
        };
    }
    None
}

/// The id of a record just made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: String,
}

/// The id of a record just changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Updated {
    /// Its id.
    pub id: String,
}

/// Where operations run: this process's open replica ([`Replica`] implements it), or the
/// running node reached through its API (`api::Client`). The command line's commands build
/// requests and print replies the same way on either.
pub trait Exec {
    /// Carries out one operation.
    fn call(&mut self, req: Request) -> anyhow::Result<Reply>;

    /// The coalition `given` names, as the id to put in requests; when none is given, the
    /// only one held (and `true`: chosen, not named).
    fn coalition(&mut self, given: Option<&str>) -> anyhow::Result<(String, bool)>;

    /// Whether the operations run on the running node (which knows its network and talks to
    /// other nodes), not on a replica of this process's own.
    fn is_running_node(&self) -> bool {
        true
    }
}

impl Exec for Replica {
    fn is_running_node(&self) -> bool {
        false
    }

    fn call(&mut self, req: Request) -> anyhow::Result<Reply> {
        // In this process a listing is not cut into pages: the command line lists everything.
        run(self, req, usize::MAX)
    }

    fn coalition(&mut self, given: Option<&str>) -> anyhow::Result<(String, bool)> {
        let (id, chosen) = self.resolve_or_only(given)?;
        Ok((id.to_string(), chosen))
    }
}

/// The coalition a request names, resolved ([`Request::CoalitionResolve`]).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResolvedCoalition {
    /// Its whole id.
    pub id: String,
    /// Whether it was chosen as the only coalition held, none being named.
    pub chosen: bool,
}

/// What to resolve ([`Request::CoalitionResolve`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResolveQuery {
    /// An id or unique prefix; left out, the only coalition held.
    #[serde(default)]
    pub coalition: Option<String>,
}

/// One operation with what it takes: how the API hands an operation to the node's core. Each
/// variant says, once, what it needs (see [`Request::coalition`], [`Request::writes`]).
#[derive(Debug, Clone)]
pub enum Request {
    /// The coalitions held here ([`coalitions::list`]).
    CoalitionList,
    /// The coalition an id or prefix names, or the only one held.
    CoalitionResolve {
        /// What was given.
        query: ResolveQuery,
    },
    /// Found a coalition ([`coalitions::create`]).
    CoalitionCreate {
        /// The coalition.
        body: coalitions::NewCoalitionRequest,
    },
    /// Raise an issue ([`issues::create`]).
    IssueCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The issue.
        body: issues::NewIssueRequest,
    },
    /// Edit an issue ([`issues::edit`]).
    IssueEdit {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The issue: id or unique prefix.
        issue: String,
        /// The changes.
        body: issues::IssueEditRequest,
    },
    /// Add evidence to an issue ([`issues::add_evidence`]).
    IssueEvidence {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The issue: id or unique prefix.
        issue: String,
        /// The evidence.
        body: issues::EvidenceRequest,
    },
    /// Share an issue, with a rank ([`issues::share`]).
    IssueShare {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The issue: id or unique prefix.
        issue: String,
        /// The rank.
        body: issues::ShareRequest,
    },
    /// Withdraw this organization's share of an issue ([`issues::unshare`]).
    IssueUnshare {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The issue: id or unique prefix.
        issue: String,
    },
    /// One issue ([`issues::show`]).
    IssueShow {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The issue: id or unique prefix.
        issue: String,
    },
    /// A page of issues ([`issues::list`]).
    IssueList {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which issues.
        query: issues::IssueQuery,
    },
    /// Open a proposal ([`proposals::create`]).
    ProposalCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The proposal.
        body: proposals::NewProposalRequest,
    },
    /// Take a position on a proposal ([`proposals::take_position`]).
    ProposalPosition {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The proposal: id or unique prefix.
        proposal: String,
        /// The position.
        body: proposals::PositionRequest,
    },
    /// One proposal ([`proposals::show`]).
    ProposalShow {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The proposal: id or unique prefix.
        proposal: String,
    },
    /// A page of proposals ([`proposals::list`]).
    ProposalList {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which proposals.
        query: proposals::ProposalQuery,
    },
    /// Create a pool ([`pools::create`]).
    PoolCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The pool.
        body: pools::NewPoolRequest,
    },
    /// Pledge or contribute to a pool ([`pools::give`]).
    PoolGive {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The pool: id or unique prefix.
        pool: String,
        /// The gift.
        body: pools::GiftRequest,
    },
    /// Request an allocation ([`pools::request`]).
    PoolRequest {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The pool: id or unique prefix.
        pool: String,
        /// The request.
        body: pools::AllocationRequestBody,
    },
    /// Every pool with its totals ([`pools::list`]).
    PoolList {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// One pool's ledger ([`pools::ledger`]).
    PoolLedger {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The pool: id or unique prefix.
        pool: String,
    },
    /// Record a meeting ([`meetings::create`]).
    MeetingCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The meeting.
        body: meetings::NewMeetingRequest,
    },
    /// A page of meetings ([`meetings::list`]).
    MeetingList {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which meetings.
        query: meetings::MeetingQuery,
    },
    /// One meeting ([`meetings::show`]).
    MeetingShow {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The meeting: id or unique prefix.
        meeting: String,
    },
    /// The charter in force ([`charter::show`]).
    CharterShow {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Add a shared goal ([`charter::add_goal`]).
    GoalCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The goal.
        body: charter::NewGoalRequest,
    },
    /// Record progress towards a goal ([`charter::record_progress`]).
    GoalProgress {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The goal: id or unique prefix.
        goal: String,
        /// The progress.
        body: charter::ProgressRequest,
    },
    /// Every ratified version of the charter ([`charter::versions`]).
    CharterVersions {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The member organizations ([`members::list`]).
    MemberList {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which members.
        query: members::MemberQuery,
    },
    /// Update this organization's profile ([`members::update_profile`]).
    ProfileUpdate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The changes.
        body: members::ProfileRequest,
    },
    /// Propose a member's removal ([`members::propose_removal`]).
    MemberRemoval {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The member: id, unique prefix or exact name.
        member: String,
        /// Why, and when positions stop counting.
        body: members::RemovalRequest,
    },
    /// This organization leaves the coalition ([`members::leave`]).
    MemberLeave {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Propose an amendment to the charter ([`charter::amend`]).
    CharterAmend {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The amendment.
        body: charter::AmendmentRequest,
    },
    /// This organization's node keys ([`keys::list`]).
    KeyList {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Certify another node key for this organization ([`keys::add`]).
    KeyAdd {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The key.
        body: keys::KeyRequest,
    },
    /// Revoke one of this organization's node keys ([`keys::revoke`]).
    KeyRevoke {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The key.
        key: String,
    },
    /// The overlap report ([`reports::overlap`]).
    ReportOverlap {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The equity report ([`reports::equity`]).
    ReportEquity {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The power audit ([`reports::power`]).
    ReportPower {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The coalition's history ([`audit::history`]).
    History {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which changes.
        query: audit::HistoryQuery,
    },
    /// Restore a field as it was ([`audit::restore`]).
    HistoryRestore {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// What to restore.
        body: audit::RestoreRequest,
    },
    /// The edits a fork set aside ([`audit::aside`]).
    Aside {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// What this node refused from peers ([`audit::refused`]).
    Refused,
    /// This node, its network and its coalitions' member nodes ([`status::report`]; the
    /// network part only from the running node, which answers it itself).
    Status,
    /// Make a one-time invite (the running node answers it).
    InviteCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Its expiry.
        body: joins::InviteRequest,
    },
    /// Start joining a coalition with an invite code (the running node answers it).
    JoinStart {
        /// The code.
        body: joins::JoinRequest,
    },
    /// The joins this node started that have not completed ([`joins::pending`]).
    JoinList,
    /// Stop a pending join ([`joins::cancel`]).
    JoinCancel {
        /// The coalition: id or unique prefix among the pending joins.
        coalition: String,
    },
    /// How a join is going (the running node answers it).
    JoinStage {
        /// The coalition's whole id.
        coalition: String,
    },
    /// Back the node up into a file on its machine ([`files::backup`]).
    Backup {
        /// Where.
        body: files::BackupRequest,
    },
    /// Export a coalition into a folder on the node's machine ([`files::export`]).
    Export {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Where.
        body: files::ExportRequest,
    },
    /// The peers' addresses this node remembers.
    KnownPeers,
    /// Make the running node's core panic (only a node started with
    /// `COALESCE_DEBUG_PANIC=1` obeys; for testing that it then stops visibly).
    DebugPanic,
}

/// What an operation answers.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Reply {
    /// A record was made.
    Created(Created),
    /// A record was changed.
    Updated(Updated),
    /// One issue.
    Issue(Box<issues::IssueDetail>),
    /// A page of issues.
    Issues(issues::IssuePage),
    /// A position taken.
    PositionTaken(proposals::PositionTaken),
    /// One proposal.
    Proposal(Box<proposals::ProposalDetail>),
    /// A page of proposals.
    Proposals(proposals::ProposalPage),
    /// An allocation requested.
    Requested(pools::AllocationRequested),
    /// Every pool.
    Pools(Vec<pools::PoolSummary>),
    /// One pool's ledger.
    Ledger(Box<model::reports::LedgerReport>),
    /// A page of meetings.
    Meetings(meetings::MeetingPage),
    /// One meeting.
    Meeting(Box<meetings::MeetingDetail>),
    /// The member organizations.
    Members(Vec<members::MemberEntry>),
    /// The charter in force.
    Charter(Box<charter::CharterDetail>),
    /// The charter's ratified versions.
    CharterVersions(charter::CharterVersions),
    /// The coalitions held here.
    Coalitions(Vec<coalitions::CoalitionSummary>),
    /// A coalition resolved.
    Resolved(ResolvedCoalition),
    /// This organization's node keys.
    Keys(Vec<keys::KeyView>),
    /// The overlap report.
    Overlap(Box<reports::OverlapView>),
    /// The equity report.
    Equity(Box<reports::EquityView>),
    /// The power audit.
    Power(Box<reports::PowerView>),
    /// A coalition's history.
    History(audit::HistoryView),
    /// The edits set aside.
    Aside(audit::AsideView),
    /// What this node refused.
    Refused(Vec<replica::Refusal>),
    /// The status.
    Status(Box<status::StatusDetail>),
    /// An invite made.
    Invite(joins::InviteMade),
    /// A join started.
    JoinStarted(joins::JoinStarted),
    /// The pending joins.
    Joins(Vec<joins::PendingJoinView>),
    /// How a join is going.
    JoinStage(joins::JoinStage),
    /// A backup written.
    Backup(files::BackupMade),
    /// A coalition exported.
    Exported(files::Exported),
    /// The peers' addresses remembered.
    KnownPeers(KnownPeers),
}

/// The peers' addresses this node remembers, as it stores them: a JSON object of node key to
/// address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KnownPeers {
    /// The JSON text.
    pub json: String,
}

/// A reply of the kind expected, or an error saying which came instead.
macro_rules! reply_kinds {
    ($($variant:ident => $ty:ty),+ $(,)?) => {$(
        impl TryFrom<Reply> for $ty {
            type Error = anyhow::Error;
            fn try_from(reply: Reply) -> anyhow::Result<Self> {
                match reply {
                    Reply::$variant(v) => Ok(v),
                    other => Err(anyhow::anyhow!(
                        "the node answered with {} where {} was expected",
                        other.kind(),
                        stringify!($variant)
                    )),
                }
            }
        }
    )+

        impl Reply {
            /// The reply's kind, for errors.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => stringify!($variant)),+
                }
            }
        }
    };
}

reply_kinds! {
    Created => Created,
    Updated => Updated,
    Issue => Box<issues::IssueDetail>,
    Issues => issues::IssuePage,
    PositionTaken => proposals::PositionTaken,
    Proposal => Box<proposals::ProposalDetail>,
    Proposals => proposals::ProposalPage,
    Requested => pools::AllocationRequested,
    Pools => Vec<pools::PoolSummary>,
    Ledger => Box<model::reports::LedgerReport>,
    Meetings => meetings::MeetingPage,
    Meeting => Box<meetings::MeetingDetail>,
    Members => Vec<members::MemberEntry>,
    Charter => Box<charter::CharterDetail>,
    CharterVersions => charter::CharterVersions,
    Coalitions => Vec<coalitions::CoalitionSummary>,
    Resolved => ResolvedCoalition,
    Keys => Vec<keys::KeyView>,
    Overlap => Box<reports::OverlapView>,
    Equity => Box<reports::EquityView>,
    Power => Box<reports::PowerView>,
    History => audit::HistoryView,
    Aside => audit::AsideView,
    Refused => Vec<replica::Refusal>,
    Status => Box<status::StatusDetail>,
    Invite => joins::InviteMade,
    JoinStarted => joins::JoinStarted,
    Joins => Vec<joins::PendingJoinView>,
    JoinStage => joins::JoinStage,
    Backup => files::BackupMade,
    Exported => files::Exported,
    KnownPeers => KnownPeers,
}

impl Request {
    /// The operation's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CoalitionList => "coalition_list",
            Self::CoalitionResolve { .. } => "coalition_resolve",
            Self::CoalitionCreate { .. } => "coalition_create",
            Self::IssueCreate { .. } => "issue_create",
            Self::IssueEdit { .. } => "issue_edit",
            Self::IssueShow { .. } => "issue_show",
            Self::IssueEvidence { .. } => "issue_evidence",
            Self::IssueShare { .. } => "issue_share",
            Self::IssueUnshare { .. } => "issue_unshare",
            Self::GoalCreate { .. } => "goal_create",
            Self::GoalProgress { .. } => "goal_progress",
            Self::IssueList { .. } => "issue_list",
            Self::ProposalCreate { .. } => "proposal_create",
            Self::ProposalPosition { .. } => "proposal_position",
            Self::ProposalShow { .. } => "proposal_show",
            Self::ProposalList { .. } => "proposal_list",
            Self::PoolCreate { .. } => "pool_create",
            Self::PoolGive { .. } => "pool_give",
            Self::PoolRequest { .. } => "pool_request",
            Self::PoolList { .. } => "pool_list",
            Self::PoolLedger { .. } => "pool_ledger",
            Self::MeetingCreate { .. } => "meeting_create",
            Self::MeetingList { .. } => "meeting_list",
            Self::MeetingShow { .. } => "meeting_show",
            Self::CharterShow { .. } => "charter_show",
            Self::CharterVersions { .. } => "charter_versions",
            Self::MemberList { .. } => "member_list",
            Self::ProfileUpdate { .. } => "profile_update",
            Self::MemberRemoval { .. } => "member_removal",
            Self::MemberLeave { .. } => "member_leave",
            Self::CharterAmend { .. } => "charter_amend",
            Self::KeyList { .. } => "key_list",
            Self::KeyAdd { .. } => "key_add",
            Self::KeyRevoke { .. } => "key_revoke",
            Self::ReportOverlap { .. } => "report_overlap",
            Self::ReportEquity { .. } => "report_equity",
            Self::ReportPower { .. } => "report_power",
            Self::History { .. } => "history",
            Self::HistoryRestore { .. } => "history_restore",
            Self::Aside { .. } => "aside",
            Self::Refused => "refused",
            Self::Status => "status",
            Self::InviteCreate { .. } => "invite_create",
            Self::JoinStart { .. } => "join_start",
            Self::JoinList => "join_list",
            Self::JoinCancel { .. } => "join_cancel",
            Self::JoinStage { .. } => "join_stage",
            Self::Backup { .. } => "backup",
            Self::Export { .. } => "export",
            Self::KnownPeers => "known_peers",
            Self::DebugPanic => "debug_panic",
        }
    }

    /// The coalition it acts on, as given.
    pub fn coalition(&self) -> Option<&str> {
        match self {
            Self::CoalitionList
            | Self::CoalitionCreate { .. }
            | Self::Refused
            | Self::Status
            | Self::JoinStart { .. }
            | Self::JoinList
            | Self::Backup { .. }
            | Self::KnownPeers
            | Self::DebugPanic => None,
            Self::JoinCancel { coalition } | Self::JoinStage { coalition } => Some(coalition),
            Self::CoalitionResolve { query } => query.coalition.as_deref(),
            Self::IssueCreate { coalition, .. }
            | Self::IssueEdit { coalition, .. }
            | Self::IssueShow { coalition, .. }
            | Self::IssueEvidence { coalition, .. }
            | Self::IssueShare { coalition, .. }
            | Self::IssueUnshare { coalition, .. }
            | Self::GoalCreate { coalition, .. }
            | Self::GoalProgress { coalition, .. }
            | Self::IssueList { coalition, .. }
            | Self::ProposalCreate { coalition, .. }
            | Self::ProposalPosition { coalition, .. }
            | Self::ProposalShow { coalition, .. }
            | Self::ProposalList { coalition, .. }
            | Self::PoolCreate { coalition, .. }
            | Self::PoolGive { coalition, .. }
            | Self::PoolRequest { coalition, .. }
            | Self::PoolList { coalition }
            | Self::PoolLedger { coalition, .. }
            | Self::MeetingCreate { coalition, .. }
            | Self::MeetingList { coalition, .. }
            | Self::MeetingShow { coalition, .. }
            | Self::CharterShow { coalition }
            | Self::CharterVersions { coalition }
            | Self::MemberList { coalition, .. }
            | Self::ProfileUpdate { coalition, .. }
            | Self::MemberRemoval { coalition, .. }
            | Self::MemberLeave { coalition }
            | Self::CharterAmend { coalition, .. }
            | Self::KeyList { coalition }
            | Self::KeyAdd { coalition, .. }
            | Self::KeyRevoke { coalition, .. }
            | Self::ReportOverlap { coalition }
            | Self::ReportEquity { coalition }
            | Self::ReportPower { coalition }
            | Self::History { coalition, .. }
            | Self::HistoryRestore { coalition, .. }
            | Self::Aside { coalition }
            | Self::InviteCreate { coalition, .. }
            | Self::Export { coalition, .. } => Some(coalition),
        }
    }

    /// Whether it writes a change (which the running node then sends to its peers).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Self::CoalitionCreate { .. }
                | Self::IssueCreate { .. }
                | Self::IssueEdit { .. }
                | Self::IssueEvidence { .. }
                | Self::IssueShare { .. }
                | Self::IssueUnshare { .. }
                | Self::GoalCreate { .. }
                | Self::GoalProgress { .. }
                | Self::ProposalCreate { .. }
                | Self::ProposalPosition { .. }
                | Self::PoolCreate { .. }
                | Self::PoolGive { .. }
                | Self::PoolRequest { .. }
                | Self::MeetingCreate { .. }
                | Self::ProfileUpdate { .. }
                | Self::MemberRemoval { .. }
                | Self::MemberLeave { .. }
                | Self::CharterAmend { .. }
                | Self::KeyAdd { .. }
                | Self::KeyRevoke { .. }
                | Self::HistoryRestore { .. }
                | Self::InviteCreate { .. }
                | Self::JoinStart { .. }
                | Self::JoinCancel { .. }
                | Self::Backup { .. }
        )
    }
}

/// Carries out one operation on an open replica.
pub fn handle(r: &mut Replica, req: Request) -> Result<Reply, OpError> {
    let checked = match &req {
        Request::Backup { body } => files::require_absolute(&body.file, "backup file"),
        Request::Export { body, .. } => files::require_absolute(&body.dir, "export folder"),
        _ => Ok(()),
    };
    checked
        .and_then(|()| run(r, req, MAX_PAGE))
        .map_err(|e| OpError::from_anyhow(&e))
}

/// Most records in a page of a listing the API answers.
pub const MAX_PAGE: usize = 500;

/// Carries out `req`, answering listings with pages of at most `max_page` records.
fn run(r: &mut Replica, req: Request, max_page: usize) -> anyhow::Result<Reply> {
    Ok(match req {
        Request::CoalitionList => Reply::Coalitions(coalitions::list(r)?),
        Request::CoalitionResolve { query } => {
            let (id, chosen) = r.resolve_or_only(query.coalition.as_deref())?;
            Reply::Resolved(ResolvedCoalition {
                id: id.to_string(),
                chosen,
            })
        }
        Request::CoalitionCreate { body } => {
            let id = coalitions::create(r, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::IssueCreate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = issues::create(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::IssueEdit {
            coalition: c,
            issue,
            body,
        } => {
            let c = coalition(r, &c)?;
            let id = issues::edit(r, &c, &issue, body)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::IssueEvidence {
            coalition: c,
            issue,
            body,
        } => {
            let c = coalition(r, &c)?;
            let id = issues::add_evidence(r, &c, &issue, body)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::IssueShare {
            coalition: c,
            issue,
            body,
        } => {
            let c = coalition(r, &c)?;
            let id = issues::share(r, &c, &issue, body)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::IssueUnshare {
            coalition: c,
            issue,
        } => {
            let c = coalition(r, &c)?;
            let id = issues::unshare(r, &c, &issue)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::GoalCreate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = charter::add_goal(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::GoalProgress {
            coalition: c,
            goal,
            body,
        } => {
            let c = coalition(r, &c)?;
            let id = charter::record_progress(r, &c, &goal, body)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::IssueShow {
            coalition: c,
            issue,
        } => {
            let c = coalition(r, &c)?;
            Reply::Issue(Box::new(issues::show(r, &c, &issue)?))
        }
        Request::IssueList {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::Issues(issues::list_limited(r, &c, &query, max_page)?)
        }
        Request::ProposalCreate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = proposals::create(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::ProposalPosition {
            coalition: c,
            proposal,
            body,
        } => {
            let c = coalition(r, &c)?;
            Reply::PositionTaken(proposals::take_position(r, &c, &proposal, body)?)
        }
        Request::ProposalShow {
            coalition: c,
            proposal,
        } => {
            let c = coalition(r, &c)?;
            Reply::Proposal(Box::new(proposals::show(r, &c, &proposal)?))
        }
        Request::ProposalList {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::Proposals(proposals::list_limited(r, &c, &query, max_page)?)
        }
        Request::PoolCreate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = pools::create(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::PoolGive {
            coalition: c,
            pool,
            body,
        } => {
            let c = coalition(r, &c)?;
            let id = pools::give(r, &c, &pool, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::PoolRequest {
            coalition: c,
            pool,
            body,
        } => {
            let c = coalition(r, &c)?;
            Reply::Requested(pools::request(r, &c, &pool, body)?)
        }
        Request::PoolList { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Pools(pools::list(r, &c)?)
        }
        Request::PoolLedger { coalition: c, pool } => {
            let c = coalition(r, &c)?;
            Reply::Ledger(Box::new(pools::ledger(r, &c, &pool)?))
        }
        Request::MeetingCreate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = meetings::create(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::MeetingList {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::Meetings(meetings::list_limited(r, &c, &query, max_page)?)
        }
        Request::MeetingShow {
            coalition: c,
            meeting,
        } => {
            let c = coalition(r, &c)?;
            Reply::Meeting(Box::new(meetings::show(r, &c, &meeting)?))
        }
        Request::CharterShow { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Charter(Box::new(charter::show(r, &c)?))
        }
        Request::CharterVersions { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::CharterVersions(charter::versions(r, &c)?)
        }
        Request::MemberList {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::Members(members::list(r, &c, &query)?)
        }
        Request::ProfileUpdate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = members::update_profile(r, &c, body)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::MemberRemoval {
            coalition: c,
            member,
            body,
        } => {
            let c = coalition(r, &c)?;
            let id = members::propose_removal(r, &c, &member, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::MemberLeave { coalition: c } => {
            let c = coalition(r, &c)?;
            let id = members::leave(r, &c)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
        Request::CharterAmend { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = charter::amend(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::KeyList { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Keys(keys::list(r, &c)?)
        }
        Request::KeyAdd { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let key = keys::add(r, &c, body)?;
            Reply::Updated(Updated {
                id: key.to_string(),
            })
        }
        Request::KeyRevoke { coalition: c, key } => {
            let c = coalition(r, &c)?;
            let key = keys::revoke(r, &c, &key)?;
            Reply::Updated(Updated {
                id: key.to_string(),
            })
        }
        Request::ReportOverlap { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Overlap(Box::new(reports::overlap(r, &c)?))
        }
        Request::ReportEquity { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Equity(Box::new(reports::equity(r, &c)?))
        }
        Request::ReportPower { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Power(Box::new(reports::power(r, &c)?))
        }
        Request::History {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::History(audit::history(r, &c, &query)?)
        }
        Request::HistoryRestore { coalition: c, body } => {
            let c = coalition(r, &c)?;
            Reply::Updated(Updated {
                id: audit::restore(r, &c, body)?,
            })
        }
        Request::Aside { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Aside(audit::aside(r, &c)?)
        }
        Request::Refused => Reply::Refused(audit::refused(r)?),
        // On a replica of its own (a stopped node): no network to report.
        Request::Status => Reply::Status(Box::new(status::StatusDetail {
            status: status::report(r, None)?,
        })),
        Request::InviteCreate { .. } => return Err(joins::invite_needs_node(r).into()),
        Request::JoinStart { .. } | Request::JoinStage { .. } => {
            return Err(joins::join_needs_node(r).into());
        }
        Request::JoinList => Reply::Joins(joins::pending(r, None)?),
        Request::Backup { body } => Reply::Backup(files::backup(r, body)?),
        Request::Export { coalition: c, body } => {
            let c = coalition(r, &c)?;
            Reply::Exported(files::export(r, &c, body)?)
        }
        Request::KnownPeers => {
            let peers = r
                .record(replica::PEERS_RECORD)?
                .unwrap_or_else(|| b"{}".to_vec());
            Reply::KnownPeers(KnownPeers {
                json: String::from_utf8_lossy(&peers).into_owned(),
            })
        }
        Request::DebugPanic => {
            return Err(joins::NeedsNode("this command needs the running node".into()).into());
        }
        Request::JoinCancel { coalition } => {
            let id = joins::cancel(r, &coalition)?;
            Reply::Updated(Updated { id: id.to_string() })
        }
    })
}

/// The coalition an API path names: its id, or a unique prefix of it.
pub fn coalition(r: &Replica, given: &str) -> anyhow::Result<CoalitionId> {
    Ok(r.resolve(given)?)
}

/// The record of the collection `key` whose id `given` is or starts with (a kind of record
/// named `what` in messages): a whole id is looked up alone; a prefix is resolved among the
/// record ids (keys that are not ids, written by a newer version or damaged, are not among
/// them).
pub(crate) fn resolve<T: std::str::FromStr>(
    r: &mut Replica,
    c: &CoalitionId,
    key: &str,
    what: &'static str,
    given: &str,
) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    use anyhow::Context;
    let context = || format!("could not read coalition {c}");
    let lower = given.to_ascii_lowercase();
    if model::is_id(&lower) && r.has_record(c, key, &lower).with_context(context)? {
        return Ok(lower.parse()?);
    }
    let ids: Vec<String> = r
        .record_ids(c, key)
        .with_context(context)?
        .into_iter()
        .filter(|i| i.parse::<T>().is_ok())
        .collect();
    Ok(model::resolve_prefix(given, what, ids.iter().map(String::as_str))?.parse()?)
}

/// A record read alone: one that is missing or does not read is `None` (it is left out of
/// the whole read too); any other failure is the coalition's.
pub(crate) fn alone<T>(
    c: &CoalitionId,
    read: Result<Option<T>, ReplicaError>,
) -> anyhow::Result<Option<T>> {
    use anyhow::Context;
    match read {
        Ok(found) => Ok(found),
        Err(ReplicaError::Unreadable { .. }) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("could not read coalition {c}")),
    }
}

/// How many records a page of `what` holds: `given`, else `default`, at most `max`; none is
/// refused.
pub(crate) fn page_limit(
    given: Option<usize>,
    default: usize,
    max: usize,
    what: &str,
) -> anyhow::Result<usize> {
    let limit = given.unwrap_or(default).min(max);
    if limit == 0 {
        return Err(Invalid(format!(
            "a page holds at least one {what}: limit must be from 1 to {max}"
        ))
        .into());
    }
    Ok(limit)
}

/// One page of `sorted` (the ids of every matching record, in the listing's order): `limit`
/// of them after `offset`, each read alone by `read` (one that does not read is left out, and
/// still counted in the total, which counts the headers, the same on every page); with the
/// offset of the next page, if there is one.
pub(crate) fn read_page<K, T>(
    c: &CoalitionId,
    sorted: &[&K],
    offset: usize,
    limit: usize,
    mut read: impl FnMut(&K) -> Result<Option<T>, ReplicaError>,
) -> anyhow::Result<(Vec<T>, Option<usize>)> {
    let ids = sorted.get(offset..).unwrap_or_default();
    let ids = &ids[..limit.min(ids.len())];
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        records.extend(alone(c, read(id))?);
    }
    let end = offset.saturating_add(ids.len());
    Ok((records, (end < sorted.len()).then_some(end)))
}

/// The names of the members (former ones too) among `ids`, from the governance alone; a
/// member this node does not know is left out (readers show its short id).
pub fn names<'a>(
    r: &mut Replica,
    c: &CoalitionId,
    ids: impl IntoIterator<Item = &'a MemberId>,
) -> anyhow::Result<BTreeMap<MemberId, String>> {
    let gov = r.in_force(c)?;
    Ok(names_in(&gov, ids))
}

/// The names of the members (former ones too) among `ids`, from a governance already read.
pub(crate) fn names_in<'a>(
    gov: &model::governance::InForce,
    ids: impl IntoIterator<Item = &'a MemberId>,
) -> BTreeMap<MemberId, String> {
    ids.into_iter()
        .filter_map(|id| gov.name_of(id).map(|n| (id.clone(), n.to_owned())))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) use crate::testing::replica;

    use crate::testing::request;

    /// An error read back from the API prints as it did where it happened: each cause on
    /// its line.
    #[test]
    fn an_error_keeps_its_causes_across_the_api() {
        let e = anyhow::anyhow!("the store is locked")
            .context("could not read coalition 0123")
            .context("could not list issues");
        let sent: OpError =
            serde_json::from_str(&serde_json::to_string(&OpError::from_anyhow(&e)).unwrap())
                .unwrap();
        let back = sent.into_anyhow();
        let chain = |e: &anyhow::Error| e.chain().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(chain(&back), chain(&e));
        let single = OpError::from_anyhow(&anyhow::anyhow!("no issue with id `x`"));
        assert!(single.causes.is_empty());
        assert_eq!(chain(&single.into_anyhow()), ["no issue with id `x`"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever a client sends, an operation answers or refuses with a code a client can
        /// act on (never `internal`, never a panic), and the coalition still reads after.
        #[test]
        fn any_request_is_answered_or_refused_with_a_code(
            reqs in proptest::collection::vec(request("@".into()), 1..8)
        ) {
            let (_dir, mut r, c) = replica();
            for mut req in reqs {
                // Backups and exports write where they are told: tested with real folders in
                // `files` and end to end, not with any text as a path.
                if matches!(req, Request::Backup { .. } | Request::Export { .. }) {
                    continue;
                }
                // "@" stands for this coalition's id.
                match &mut req {
                    Request::IssueCreate { coalition, .. }
                    | Request::IssueEdit { coalition, .. }
                    | Request::IssueShow { coalition, .. }
                    | Request::IssueEvidence { coalition, .. }
                    | Request::IssueShare { coalition, .. }
                    | Request::IssueUnshare { coalition, .. }
                    | Request::GoalCreate { coalition, .. }
                    | Request::GoalProgress { coalition, .. }
                    | Request::IssueList { coalition, .. }
                    | Request::ProposalCreate { coalition, .. }
                    | Request::ProposalPosition { coalition, .. }
                    | Request::ProposalShow { coalition, .. }
                    | Request::ProposalList { coalition, .. }
                    | Request::PoolCreate { coalition, .. }
                    | Request::PoolGive { coalition, .. }
                    | Request::PoolRequest { coalition, .. }
                    | Request::PoolList { coalition }
                    | Request::PoolLedger { coalition, .. }
                    | Request::MeetingCreate { coalition, .. }
                    | Request::MeetingList { coalition, .. }
                    | Request::MeetingShow { coalition, .. }
                    | Request::CharterShow { coalition }
                    | Request::CharterVersions { coalition }
                    | Request::MemberList { coalition, .. }
                    | Request::ProfileUpdate { coalition, .. }
                    | Request::MemberRemoval { coalition, .. }
                    | Request::MemberLeave { coalition }
                    | Request::CharterAmend { coalition, .. }
                    | Request::KeyList { coalition }
                    | Request::KeyAdd { coalition, .. }
                    | Request::KeyRevoke { coalition, .. }
                    | Request::ReportOverlap { coalition }
                    | Request::ReportEquity { coalition }
                    | Request::ReportPower { coalition }
                    | Request::History { coalition, .. }
                    | Request::HistoryRestore { coalition, .. }
                    | Request::Aside { coalition }
                    | Request::InviteCreate { coalition, .. }
                    | Request::Export { coalition, .. } => {
                        if coalition == "@" {
                            *coalition = c.to_string();
                        }
                    }
                    Request::CoalitionList
                    | Request::CoalitionCreate { .. }
                    | Request::CoalitionResolve { .. }
                    | Request::Refused
                    | Request::Status
                    | Request::JoinStart { .. }
                    | Request::JoinList
                    | Request::JoinCancel { .. }
                    | Request::JoinStage { .. }
                    | Request::Backup { .. }
                    | Request::KnownPeers
                    | Request::DebugPanic => {}
                }
                match handle(&mut r, req.clone()) {
                    Ok(_) => {}
                    Err(e) => prop_assert!(
                        e.code != ErrorCode::Internal && !e.message.is_empty(),
                        "{req:?}: {e:?}"
                    ),
                }
            }
            prop_assert!(r.read(&c).is_ok());
        }
    }
}
