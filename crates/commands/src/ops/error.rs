//! How an operation fails: a stable [`ErrorCode`] for programs, read off the error's causes,
//! and the message a person reads ([`OpError`]).

use replica::ReplicaError;

use super::joins;
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
    /// An error read from elsewhere keeps at most [`MAX_CAUSES`] causes of at most
    /// [`MAX_CAUSE_CHARS`] characters each (the rest cut, and said so).
    pub fn into_anyhow(self) -> anyhow::Error {
        let mut causes = self.causes;
        causes.truncate(MAX_CAUSES);
        let mut parts = causes.into_iter().map(|c| bounded(&c)).rev();
        let Some(innermost) = parts.next() else {
            return anyhow::Error::msg(bounded(&self.message));
        };
        parts.fold(anyhow::Error::msg(innermost), |e, outer| e.context(outer))
    }
}

/// Most causes an error read from elsewhere keeps.
pub const MAX_CAUSES: usize = 16;
/// Most characters of one cause (or message) of an error read from elsewhere.
pub const MAX_CAUSE_CHARS: usize = 4096;

/// `text` cut to [`MAX_CAUSE_CHARS`] characters, saying so.
pub fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_CAUSE_CHARS) {
        Some((cut, _)) => format!("{}… (cut)", &text[..cut]),
        None => text.to_owned(),
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
    use model::EditError;
    use replica::PrefixError;
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
    if let Some(e) = e.downcast_ref::<replica::PeopleError>() {
        use replica::PeopleError as P;
        return match e {
            P::Invalid(_) | P::SetupInvalid => Some(ErrorCode::Invalid),
            P::NotFound(_) => Some(ErrorCode::NotFound),
            P::Exists(_) | P::Full => Some(ErrorCode::Conflict),
            P::Replica(r) => code_of(r),
            _ => None,
        };
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
            | EditError::EmptyAmendment
            | EditError::ZeroAmount => Some(ErrorCode::Invalid),
            EditError::Unknown { .. } | EditError::NotFound { .. } => Some(ErrorCode::NotFound),
            EditError::Exists { .. }
            | EditError::ProposalDecided { .. }
            | EditError::InsufficientBalance { .. } => Some(ErrorCode::Conflict),
            EditError::NotAMember { .. }
            | EditError::KeyFlagged { .. }
            | EditError::Refused { .. }
            | EditError::NotInElectorate { .. } => Some(ErrorCode::Forbidden),
            EditError::Value(_) => Some(ErrorCode::Invalid),
            _ => None,
        };
    }
    // Statements: what was given is no statement, or a draft is not what this node computes
    // or does not follow what was published (which the drafter must mend), or names none.
    if e.downcast_ref::<model::federation::StatementError>()
        .is_some()
        || e.downcast_ref::<model::federation::FileError>().is_some()
    {
        return Some(ErrorCode::Invalid);
    }
    if let Some(e) = e.downcast_ref::<model::statements::BuildError>() {
        use model::statements::BuildError;
        return match e {
            BuildError::NotYet { .. } => Some(ErrorCode::NotArrived),
            BuildError::NoSuchRecord { .. } => Some(ErrorCode::NotFound),
            BuildError::Read(_) | BuildError::Governance(_) => None,
            _ => Some(ErrorCode::Conflict),
        };
    }
    if let Some(e) = e.downcast_ref::<replica::SignError>() {
        use replica::SignError;
        return match e {
            SignError::NoDraft(_) => Some(ErrorCode::NotFound),
            SignError::NoRoster => Some(ErrorCode::Conflict),
            SignError::Differs(b) => code_of(b),
            SignError::Replica(r) => code_of(r),
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
