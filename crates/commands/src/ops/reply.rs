//! What an operation answers ([`Reply`]), and reading a reply as the type its caller expects
//! (`TryFrom<Reply>`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    audit, charter, coalitions, files, issues, joins, keys, meetings, members, people, plans,
    pools, proposals, reports, status, translations,
};

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

/// The coalition a request names, resolved (the reply to `GET /v1/coalitions/resolve`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResolvedCoalition {
    /// Its whole id.
    pub id: String,
    /// Whether it was chosen as the only coalition held, none being named.
    pub chosen: bool,
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
    /// A ballot cast.
    BallotCast(proposals::BallotCast),
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
    /// A progress report written.
    Progress(Box<reports::ProgressMade>),
    /// Translations, and what lacks one.
    Translations(Box<translations::TranslationsView>),
    /// Meeting plans with their best times.
    Plans(Box<plans::PlansView>),
    /// The links in force.
    Links(super::links::LinksView),
    /// The statements drafted.
    Statements(super::statements::StatementsView),
    /// A statements file written.
    StatementsExported(super::statements::StatementsExported),
    /// A statements file imported.
    StatementsImported(super::received::StatementsImported),
    /// The statements received.
    Received(super::received::ReceivedView),
    /// What the affiliates published, rolled up.
    Affiliates(Box<super::received::AffiliatesView>),
    /// The calls received.
    Calls(super::received::CallsView),
    /// The affiliates' positions on a proposal.
    Mandates(super::received::MandatesView),
    /// A statement received, verified again.
    StatementVerified(super::received::StatementVerified),
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
    /// A person's setup link.
    PersonSetup(people::PersonSetup),
    /// The people with accounts.
    People(Vec<people::PersonView>),
    /// What people did through the UI.
    PersonLog(Vec<replica::PersonAct>),
    /// A person's credentials, if they have an account.
    Credentials(Option<people::Credentials>),
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
    BallotCast => proposals::BallotCast,
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
    Progress => Box<reports::ProgressMade>,
    Translations => Box<translations::TranslationsView>,
    Plans => Box<plans::PlansView>,
    Links => super::links::LinksView,
    Statements => super::statements::StatementsView,
    StatementsExported => super::statements::StatementsExported,
    StatementsImported => super::received::StatementsImported,
    Received => super::received::ReceivedView,
    Affiliates => Box<super::received::AffiliatesView>,
    Calls => super::received::CallsView,
    Mandates => super::received::MandatesView,
    StatementVerified => super::received::StatementVerified,
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
    PersonSetup => people::PersonSetup,
    People => Vec<people::PersonView>,
    PersonLog => Vec<replica::PersonAct>,
    Credentials => Option<people::Credentials>,
}
