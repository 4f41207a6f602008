//! What an operation takes: [`Request`], one variant per operation, saying once what it needs
//! (see [`super::Reply`] for what it answers).

use serde::{Deserialize, Serialize};

use super::{
    audit, charter, coalitions, files, issues, joins, keys, meetings, members, people, pools,
    proposals,
};

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
        /// The proposal (boxed, as the amendment: it would size every other request).
        body: Box<proposals::NewProposalRequest>,
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
    /// Cast a ballot in a poll ([`proposals::cast_ballot`]).
    ProposalBallot {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The poll: id or unique prefix.
        proposal: String,
        /// The ballot.
        body: proposals::BallotRequest,
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
        /// The amendment (boxed: the largest request, it would size every other).
        body: Box<charter::AmendmentRequest>,
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
    /// The overlap report ([`super::reports::overlap`]).
    ReportOverlap {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The equity report ([`super::reports::equity`]).
    ReportEquity {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The power audit ([`super::reports::power`]).
    ReportPower {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The progress report over a period, written out ([`super::reports::progress`]).
    ReportProgress {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which days, language and form.
        query: super::reports::ProgressQuery,
    },
    /// Propose times for a meeting ([`super::plans::propose`]).
    PlanCreate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The meeting and its times.
        body: super::plans::PlanRequest,
    },
    /// Answer a meeting plan's times ([`super::plans::answer`]).
    PlanAnswer {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The plan: `PLANNER.PLAN`, or its id or a unique prefix.
        plan: String,
        /// The answers.
        body: super::plans::AnswerRequest,
    },
    /// Every meeting plan with its best times ([`super::plans::list`]).
    PlanList {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Propose a link with another coalition ([`super::links::propose`]).
    LinkPropose {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The link's terms and its proposal (boxed: a large request).
        body: Box<super::links::LinkRequest>,
    },
    /// Propose the end of a link ([`super::links::end`]).
    LinkEnd {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which link, and the proposal.
        body: super::links::LinkEndRequest,
    },
    /// The links in force ([`super::links::list`]).
    LinkList {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Draft a statement and co-sign it ([`super::statements::draft`]).
    StatementDraft {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// What it states.
        body: super::statements::StatementDraftRequest,
    },
    /// Co-sign a draft ([`super::statements::sign`]).
    StatementSign {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The statement: id or unique prefix.
        statement: String,
    },
    /// The statements drafted ([`super::statements::list`]).
    StatementList {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Write the statements complete for a link to a file ([`super::statements::export`]).
    StatementExport {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which link, and the file.
        body: super::statements::StatementExportRequest,
    },
    /// The calls received from coalitions this one is an affiliate of
    /// ([`super::received::calls`]).
    StatementCalls {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// What the affiliates published, rolled up ([`super::received::affiliates`]).
    LinkAffiliates {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// The affiliates' positions on a proposal, weighted ([`super::received::mandates`]).
    LinkMandates {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The proposal asked about: id or unique prefix.
        proposal: String,
    },
    /// Import a statements file from a linked coalition ([`super::received::import`]).
    StatementImport {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The file.
        body: super::received::StatementImportRequest,
    },
    /// The statements received from linked coalitions ([`super::received::list`]).
    StatementReceived {
        /// The coalition: id or unique prefix.
        coalition: String,
    },
    /// Verify a statement received again ([`super::received::verify`]).
    StatementVerify {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// The statement: id or unique prefix.
        statement: String,
    },
    /// Write this organization's translation of a shared record's field
    /// ([`super::translations::translate`]).
    Translate {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// What, into which language.
        body: super::translations::TranslateRequest,
    },
    /// The translations a coalition holds, and what lacks one
    /// ([`super::translations::list`]).
    TranslationList {
        /// The coalition: id or unique prefix.
        coalition: String,
        /// Which.
        query: super::translations::TranslationsQuery,
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
    /// This node, its network and its coalitions' member nodes ([`super::status::report`]; the
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
        /// Whether to wait for the stage to move before answering.
        wait: joins::JoinWait,
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
    /// Give a person an account for the UI on the LAN ([`people::add`]; the running node
    /// answers it, with the setup link on its TLS address).
    PersonAdd {
        /// Who, and their role.
        body: people::PersonAddRequest,
    },
    /// The people with accounts ([`people::list`]).
    PersonList,
    /// Remove a person's account ([`people::remove`]).
    PersonRemove {
        /// Their name (any case).
        name: String,
    },
    /// A new setup link for a person ([`people::reset`]; the running node answers it).
    PersonReset {
        /// Their name (any case).
        name: String,
        /// A new role, if any.
        body: people::PersonResetRequest,
    },
    /// What people did through the UI ([`people::log`]).
    PersonLog,
    /// A person's credentials, for the UI's sign-in (no API route).
    PersonCredentials {
        /// Their name (any case).
        name: String,
    },
    /// The person a setup code is for, if it works (no API route).
    PersonSetupFor {
        /// The code from the setup link.
        code: String,
    },
    /// Spend a setup code, keeping the password's hash (no API route).
    PersonSetupFinish {
        /// The code from the setup link.
        code: String,
        /// The password's Argon2id PHC string.
        password_hash: String,
    },
    /// Make the running node's core panic (only a node started with
    /// `COALESCE_DEBUG_PANIC=1` obeys; for testing that it then stops visibly).
    DebugPanic,
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
            Self::ProposalBallot { .. } => "proposal_ballot",
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
            Self::ReportProgress { .. } => "report_progress",
            Self::Translate { .. } => "translate",
            Self::PlanCreate { .. } => "plan_create",
            Self::PlanAnswer { .. } => "plan_answer",
            Self::PlanList { .. } => "plan_list",
            Self::LinkPropose { .. } => "link_propose",
            Self::LinkEnd { .. } => "link_end",
            Self::LinkList { .. } => "link_list",
            Self::StatementDraft { .. } => "statement_draft",
            Self::StatementSign { .. } => "statement_sign",
            Self::StatementList { .. } => "statement_list",
            Self::StatementExport { .. } => "statement_export",
            Self::StatementImport { .. } => "statement_import",
            Self::LinkAffiliates { .. } => "link_affiliates",
            Self::StatementCalls { .. } => "statement_calls",
            Self::LinkMandates { .. } => "link_mandates",
            Self::StatementReceived { .. } => "statement_received",
            Self::StatementVerify { .. } => "statement_verify",
            Self::TranslationList { .. } => "translation_list",
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
            Self::PersonAdd { .. } => "person_add",
            Self::PersonList => "person_list",
            Self::PersonRemove { .. } => "person_remove",
            Self::PersonReset { .. } => "person_reset",
            Self::PersonLog => "person_log",
            Self::PersonCredentials { .. } => "person_credentials",
            Self::PersonSetupFor { .. } => "person_setup_for",
            Self::PersonSetupFinish { .. } => "person_setup_finish",
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
            | Self::PersonAdd { .. }
            | Self::PersonList
            | Self::PersonRemove { .. }
            | Self::PersonReset { .. }
            | Self::PersonLog
            | Self::PersonCredentials { .. }
            | Self::PersonSetupFor { .. }
            | Self::PersonSetupFinish { .. }
            | Self::DebugPanic => None,
            Self::JoinCancel { coalition } | Self::JoinStage { coalition, .. } => Some(coalition),
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
            | Self::ProposalBallot { coalition, .. }
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
            | Self::ReportProgress { coalition, .. }
            | Self::Translate { coalition, .. }
            | Self::TranslationList { coalition, .. }
            | Self::PlanCreate { coalition, .. }
            | Self::PlanAnswer { coalition, .. }
            | Self::PlanList { coalition }
            | Self::LinkPropose { coalition, .. }
            | Self::LinkEnd { coalition, .. }
            | Self::LinkList { coalition }
            | Self::StatementDraft { coalition, .. }
            | Self::StatementSign { coalition, .. }
            | Self::StatementList { coalition }
            | Self::StatementExport { coalition, .. }
            | Self::StatementImport { coalition, .. }
            | Self::StatementReceived { coalition }
            | Self::LinkAffiliates { coalition }
            | Self::StatementCalls { coalition }
            | Self::LinkMandates { coalition, .. }
            | Self::StatementVerify { coalition, .. }
            | Self::History { coalition, .. }
            | Self::HistoryRestore { coalition, .. }
            | Self::Aside { coalition }
            | Self::InviteCreate { coalition, .. }
            | Self::Export { coalition, .. } => Some(coalition),
        }
    }

    /// Whether only the web UI's sign-in asks for it: no route of the API carries it (a
    /// person's credentials, setup codes).
    pub fn ui_only(&self) -> bool {
        matches!(
            self,
            Self::PersonCredentials { .. }
                | Self::PersonSetupFor { .. }
                | Self::PersonSetupFinish { .. }
        )
    }

    /// Whether it writes or reads files on the node's machine (at a path the request gives).
    pub fn writes_files(&self) -> bool {
        matches!(
            self,
            Self::Backup { .. }
                | Self::Export { .. }
                | Self::StatementExport { .. }
                | Self::StatementImport { .. }
        )
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
                | Self::ProposalBallot { .. }
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
                | Self::Translate { .. }
                | Self::PlanCreate { .. }
                | Self::PlanAnswer { .. }
                | Self::LinkPropose { .. }
                | Self::LinkEnd { .. }
                | Self::StatementDraft { .. }
                | Self::StatementSign { .. }
                | Self::StatementImport { .. }
                | Self::InviteCreate { .. }
                | Self::JoinStart { .. }
                | Self::JoinCancel { .. }
                | Self::Backup { .. }
        )
    }
}
