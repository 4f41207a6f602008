//! The typed operations as a client calls them: each [`Request`] sent to its route, its reply
//! read back into its type ([`Client`] is an [`Exec`], so the command line's commands run on
//! the running node exactly as on the replica in their own process).
//!
//! The routes are written here and in [`crate::routes`]; a test sends a request of every
//! operation through the real router and checks that the core receives it as sent.
//!
//! Each request becomes its method, path (segments percent-encoded) and body (`call_of`), and the
//! reply is read back into its type (`reply_of`); an error is rebuilt with its causes
//! (`OpError::causes`), so a command prints the same failure on either side. The tests send
//! requests of every operation (`commands::testing::request`) through the real router, and fail for
//! a route of [`crate::ApiDoc`] the client never sends.

use commands::ops::{
    Created, ErrorCode, Exec, OpError, Reply, Request, ResolveQuery, ResolvedCoalition, Updated,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Client;

/// An HTTP method of the typed routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reads.
    Get,
    /// Makes a record.
    Post,
    /// Replaces this organization's own record (a position).
    Put,
    /// Changes some fields of a record.
    Patch,
    /// Withdraws this organization's own record (a share).
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// One request as HTTP: method, path with its query, and JSON body.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method.
    pub method: Method,
    /// The path, its segments percent-encoded, and the query if any.
    pub path: String,
    /// The JSON body, if the route takes one.
    pub body: Option<serde_json::Value>,
}

/// A path segment as typed (a member's name may hold spaces or slashes); an empty one, which
/// no route takes, is refused as the node refuses an empty id.
fn seg(s: &str, what: &'static str) -> anyhow::Result<String> {
    if s.is_empty() {
        return Err(commands::PrefixError::Empty { what }.into());
    }
    Ok(utf8_percent_encode(s, NON_ALPHANUMERIC).to_string())
}

/// A query string (with its `?`), or nothing when every field is left out.
fn query(q: &impl Serialize) -> anyhow::Result<String> {
    let text = serde_urlencoded::to_string(q)?;
    Ok(if text.is_empty() {
        text
    } else {
        format!("?{text}")
    })
}

fn body(b: &impl Serialize) -> anyhow::Result<Option<serde_json::Value>> {
    Ok(Some(serde_json::to_value(b)?))
}

/// The route of `req` under `/v1`.
pub fn call_of(req: &Request) -> anyhow::Result<Call> {
    use Method::{Delete, Get, Patch, Post, Put};
    let c = |c: &str| -> anyhow::Result<String> {
        Ok(format!("/v1/coalitions/{}", seg(c, "coalition")?))
    };
    let (method, path, body) = match req {
        Request::CoalitionList => (Get, "/v1/coalitions".to_owned(), None),
        Request::CoalitionResolve { query: q } => {
            (Get, format!("/v1/coalitions/resolve{}", query(q)?), None)
        }
        Request::CoalitionCreate { body: b } => (Post, "/v1/coalitions".to_owned(), body(b)?),
        Request::IssueCreate { coalition, body: b } => {
            (Post, format!("{}/issues", c(coalition)?), body(b)?)
        }
        Request::IssueEdit {
            coalition,
            issue,
            body: b,
        } => (
            Patch,
            format!("{}/issues/{}", c(coalition)?, seg(issue, "issue")?),
            body(b)?,
        ),
        Request::IssueEvidence {
            coalition,
            issue,
            body: b,
        } => (
            Post,
            format!("{}/issues/{}/evidence", c(coalition)?, seg(issue, "issue")?),
            body(b)?,
        ),
        Request::IssueShare {
            coalition,
            issue,
            body: b,
        } => (
            Put,
            format!("{}/issues/{}/share", c(coalition)?, seg(issue, "issue")?),
            body(b)?,
        ),
        Request::IssueUnshare { coalition, issue } => (
            Delete,
            format!("{}/issues/{}/share", c(coalition)?, seg(issue, "issue")?),
            None,
        ),
        Request::GoalCreate { coalition, body: b } => {
            (Post, format!("{}/charter/goals", c(coalition)?), body(b)?)
        }
        Request::GoalProgress {
            coalition,
            goal,
            body: b,
        } => (
            Post,
            format!(
                "{}/charter/goals/{}/progress",
                c(coalition)?,
                seg(goal, "goal")?
            ),
            body(b)?,
        ),
        Request::MemberLeave { coalition } => (Post, format!("{}/leave", c(coalition)?), None),
        Request::CharterAmend { coalition, body: b } => (
            Post,
            format!("{}/charter/amendments", c(coalition)?),
            body(b)?,
        ),
        Request::KeyList { coalition } => (Get, format!("{}/keys", c(coalition)?), None),
        Request::KeyAdd { coalition, body: b } => {
            (Post, format!("{}/keys", c(coalition)?), body(b)?)
        }
        Request::KeyRevoke { coalition, key } => (
            Delete,
            format!("{}/keys/{}", c(coalition)?, seg(key, "node key")?),
            None,
        ),
        Request::ReportOverlap { coalition } => {
            (Get, format!("{}/reports/overlap", c(coalition)?), None)
        }
        Request::ReportEquity { coalition } => {
            (Get, format!("{}/reports/equity", c(coalition)?), None)
        }
        Request::ReportPower { coalition } => {
            (Get, format!("{}/reports/power", c(coalition)?), None)
        }
        Request::PlanCreate { coalition, body: b } => {
            (Post, format!("{}/plans", c(coalition)?), body(b)?)
        }
        Request::PlanAnswer {
            coalition,
            plan,
            body: b,
        } => (
            Put,
            format!(
                "{}/plans/{}/answers",
                c(coalition)?,
                seg(plan, "meeting plan")?
            ),
            body(b)?,
        ),
        Request::PlanList { coalition } => (Get, format!("{}/plans", c(coalition)?), None),
        Request::LinkList { coalition } => (Get, format!("{}/links", c(coalition)?), None),
        Request::LinkPropose { coalition, body: b } => {
            (Post, format!("{}/links", c(coalition)?), body(b)?)
        }
        Request::LinkEnd { coalition, body: b } => {
            (Post, format!("{}/links/end", c(coalition)?), body(b)?)
        }
        Request::StatementList { coalition } => {
            (Get, format!("{}/statements", c(coalition)?), None)
        }
        Request::StatementDraft { coalition, body: b } => {
            (Post, format!("{}/statements", c(coalition)?), body(b)?)
        }
        Request::StatementSign {
            coalition,
            statement,
        } => (
            Post,
            format!(
                "{}/statements/{}/sign",
                c(coalition)?,
                seg(statement, "statement")?
            ),
            None,
        ),
        Request::StatementExport { coalition, body: b } => (
            Post,
            format!("{}/statements/export", c(coalition)?),
            body(b)?,
        ),
        Request::StatementImport { coalition, body: b } => (
            Post,
            format!("{}/statements/import", c(coalition)?),
            body(b)?,
        ),
        Request::LinkMandates {
            coalition,
            proposal,
        } => (
            Get,
            format!(
                "{}/links/mandates/{}",
                c(coalition)?,
                seg(proposal, "proposal")?
            ),
            None,
        ),
        Request::LinkAffiliates { coalition } => {
            (Get, format!("{}/links/affiliates", c(coalition)?), None)
        }
        Request::StatementCalls { coalition } => {
            (Get, format!("{}/statements/calls", c(coalition)?), None)
        }
        Request::StatementReceived { coalition } => {
            (Get, format!("{}/statements/received", c(coalition)?), None)
        }
        Request::StatementVerify {
            coalition,
            statement,
        } => (
            Get,
            format!(
                "{}/statements/received/{}",
                c(coalition)?,
                seg(statement, "statement")?
            ),
            None,
        ),
        Request::Translate { coalition, body: b } => {
            (Post, format!("{}/translations", c(coalition)?), body(b)?)
        }
        Request::TranslationList {
            coalition,
            query: q,
        } => (
            Get,
            format!("{}/translations{}", c(coalition)?, query(q)?),
            None,
        ),
        Request::ReportProgress {
            coalition,
            query: q,
        } => (
            Get,
            format!("{}/reports/progress{}", c(coalition)?, query(q)?),
            None,
        ),
        Request::History {
            coalition,
            query: q,
        } => (Get, format!("{}/history{}", c(coalition)?, query(q)?), None),
        Request::HistoryRestore { coalition, body: b } => {
            (Post, format!("{}/history/restore", c(coalition)?), body(b)?)
        }
        Request::Aside { coalition } => (Get, format!("{}/aside", c(coalition)?), None),
        Request::Refused => (Get, "/v1/refused".to_owned(), None),
        Request::Status => (Get, "/v1/status".to_owned(), None),
        Request::InviteCreate { coalition, body: b } => {
            (Post, format!("{}/invites", c(coalition)?), body(b)?)
        }
        Request::JoinStart { body: b } => (Post, "/v1/joins".to_owned(), body(b)?),
        Request::JoinList => (Get, "/v1/joins".to_owned(), None),
        Request::JoinCancel { coalition } => (
            Delete,
            format!("/v1/joins/{}", seg(coalition, "pending join")?),
            None,
        ),
        Request::JoinStage { coalition, wait } => (
            Get,
            format!(
                "/v1/joins/{}{}",
                seg(coalition, "pending join")?,
                query(wait)?
            ),
            None,
        ),
        Request::Backup { body: b } => (Post, "/v1/backups".to_owned(), body(b)?),
        Request::Export { coalition, body: b } => {
            (Post, format!("{}/exports", c(coalition)?), body(b)?)
        }
        Request::KnownPeers => (Get, "/v1/peers/known".to_owned(), None),
        Request::PersonList => (Get, "/v1/people".to_owned(), None),
        Request::PersonAdd { body: b } => (Post, "/v1/people".to_owned(), body(b)?),
        Request::PersonRemove { name } => (
            Delete,
            format!("/v1/people/{}", seg(name, "person's name")?),
            None,
        ),
        Request::PersonReset { name, body: b } => (
            Post,
            format!("/v1/people/{}/reset", seg(name, "person's name")?),
            body(b)?,
        ),
        Request::PersonLog => (Get, "/v1/people-log".to_owned(), None),
        Request::PersonCredentials { .. }
        | Request::PersonSetupFor { .. }
        | Request::PersonSetupFinish { .. } => {
            anyhow::bail!("this operation is the web UI's own sign-in and has no API route")
        }
        Request::DebugPanic => (Post, "/v1/debug/panic".to_owned(), None),
        Request::IssueShow { coalition, issue } => (
            Get,
            format!("{}/issues/{}", c(coalition)?, seg(issue, "issue")?),
            None,
        ),
        Request::IssueList {
            coalition,
            query: q,
        } => (Get, format!("{}/issues{}", c(coalition)?, query(q)?), None),
        Request::ProposalCreate { coalition, body: b } => {
            (Post, format!("{}/proposals", c(coalition)?), body(b)?)
        }
        Request::ProposalPosition {
            coalition,
            proposal,
            body: b,
        } => (
            Put,
            format!(
                "{}/proposals/{}/position",
                c(coalition)?,
                seg(proposal, "proposal")?
            ),
            body(b)?,
        ),
        Request::ProposalBallot {
            coalition,
            proposal,
            body: b,
        } => (
            Put,
            format!(
                "{}/proposals/{}/ballot",
                c(coalition)?,
                seg(proposal, "proposal")?
            ),
            body(b)?,
        ),
        Request::ProposalShow {
            coalition,
            proposal,
        } => (
            Get,
            format!("{}/proposals/{}", c(coalition)?, seg(proposal, "proposal")?),
            None,
        ),
        Request::ProposalList {
            coalition,
            query: q,
        } => (
            Get,
            format!("{}/proposals{}", c(coalition)?, query(q)?),
            None,
        ),
        Request::PoolCreate { coalition, body: b } => {
            (Post, format!("{}/pools", c(coalition)?), body(b)?)
        }
        Request::PoolGive {
            coalition,
            pool,
            body: b,
        } => (
            Post,
            format!("{}/pools/{}/entries", c(coalition)?, seg(pool, "pool")?),
            body(b)?,
        ),
        Request::PoolRequest {
            coalition,
            pool,
            body: b,
        } => (
            Post,
            format!("{}/pools/{}/requests", c(coalition)?, seg(pool, "pool")?),
            body(b)?,
        ),
        Request::PoolList { coalition } => (Get, format!("{}/pools", c(coalition)?), None),
        Request::PoolLedger { coalition, pool } => (
            Get,
            format!("{}/pools/{}", c(coalition)?, seg(pool, "pool")?),
            None,
        ),
        Request::MeetingCreate { coalition, body: b } => {
            (Post, format!("{}/meetings", c(coalition)?), body(b)?)
        }
        Request::MeetingList {
            coalition,
            query: q,
        } => (
            Get,
            format!("{}/meetings{}", c(coalition)?, query(q)?),
            None,
        ),
        Request::MeetingShow { coalition, meeting } => (
            Get,
            format!("{}/meetings/{}", c(coalition)?, seg(meeting, "meeting")?),
            None,
        ),
        Request::CharterShow { coalition } => (Get, format!("{}/charter", c(coalition)?), None),
        Request::CharterVersions { coalition } => {
            (Get, format!("{}/charter/versions", c(coalition)?), None)
        }
        Request::MemberList {
            coalition,
            query: q,
        } => (Get, format!("{}/members{}", c(coalition)?, query(q)?), None),
        Request::ProfileUpdate { coalition, body: b } => {
            (Patch, format!("{}/profile", c(coalition)?), body(b)?)
        }
        Request::MemberRemoval {
            coalition,
            member,
            body: b,
        } => (
            Post,
            format!(
                "{}/members/{}/removal",
                c(coalition)?,
                seg(member, "member")?
            ),
            body(b)?,
        ),
    };
    Ok(Call { method, path, body })
}

/// The reply to `req`, read from the JSON the route answered with.
fn reply_of(req: &Request, text: &[u8]) -> anyhow::Result<Reply> {
    fn read<T: DeserializeOwned>(text: &[u8]) -> anyhow::Result<T> {
        Ok(serde_json::from_slice(text)?)
    }
    Ok(match req {
        Request::CoalitionList => Reply::Coalitions(read(text)?),
        Request::CoalitionResolve { .. } => Reply::Resolved(read(text)?),
        Request::IssueShow { .. } => Reply::Issue(read(text)?),
        Request::IssueList { .. } => Reply::Issues(read(text)?),
        Request::ProposalPosition { .. } => Reply::PositionTaken(read(text)?),
        Request::ProposalBallot { .. } => Reply::BallotCast(read(text)?),
        Request::ProposalShow { .. } => Reply::Proposal(read(text)?),
        Request::ProposalList { .. } => Reply::Proposals(read(text)?),
        Request::PoolRequest { .. } => Reply::Requested(read(text)?),
        Request::PoolList { .. } => Reply::Pools(read(text)?),
        Request::PoolLedger { .. } => Reply::Ledger(read(text)?),
        Request::MeetingList { .. } => Reply::Meetings(read(text)?),
        Request::MeetingShow { .. } => Reply::Meeting(read(text)?),
        Request::CharterShow { .. } => Reply::Charter(read(text)?),
        Request::CharterVersions { .. } => Reply::CharterVersions(read(text)?),
        Request::MemberList { .. } => Reply::Members(read(text)?),
        Request::KeyList { .. } => Reply::Keys(read(text)?),
        Request::ReportOverlap { .. } => Reply::Overlap(read(text)?),
        Request::ReportEquity { .. } => Reply::Equity(read(text)?),
        Request::ReportPower { .. } => Reply::Power(read(text)?),
        Request::ReportProgress { .. } => Reply::Progress(read(text)?),
        Request::Translate { .. } => Reply::Updated(read(text)?),
        Request::PlanCreate { .. } => Reply::Created(read(text)?),
        Request::PlanAnswer { .. } => Reply::Updated(read(text)?),
        Request::PlanList { .. } => Reply::Plans(read(text)?),
        Request::LinkList { .. } => Reply::Links(read(text)?),
        Request::StatementList { .. } => Reply::Statements(read(text)?),
        Request::StatementExport { .. } => Reply::StatementsExported(read(text)?),
        Request::StatementImport { .. } => Reply::StatementsImported(read(text)?),
        Request::StatementReceived { .. } => Reply::Received(read(text)?),
        Request::LinkAffiliates { .. } => Reply::Affiliates(read(text)?),
        Request::StatementCalls { .. } => Reply::Calls(read(text)?),
        Request::LinkMandates { .. } => Reply::Mandates(read(text)?),
        Request::StatementVerify { .. } => Reply::StatementVerified(read(text)?),
        Request::TranslationList { .. } => Reply::Translations(read(text)?),
        Request::History { .. } => Reply::History(read(text)?),
        Request::Aside { .. } => Reply::Aside(read(text)?),
        Request::Refused => Reply::Refused(read(text)?),
        Request::Status => Reply::Status(read(text)?),
        Request::InviteCreate { .. } => Reply::Invite(read(text)?),
        Request::JoinStart { .. } => Reply::JoinStarted(read(text)?),
        Request::JoinList => Reply::Joins(read(text)?),
        Request::JoinStage { .. } => Reply::JoinStage(read(text)?),
        Request::Backup { .. } => Reply::Backup(read(text)?),
        Request::Export { .. } => Reply::Exported(read(text)?),
        Request::KnownPeers => Reply::KnownPeers(read(text)?),
        Request::PersonAdd { .. } | Request::PersonReset { .. } => Reply::PersonSetup(read(text)?),
        Request::PersonList => Reply::People(read(text)?),
        Request::PersonLog => Reply::PersonLog(read(text)?),
        Request::PersonRemove { .. } => Reply::Updated(read(text)?),
        Request::PersonCredentials { .. }
        | Request::PersonSetupFor { .. }
        | Request::PersonSetupFinish { .. } => {
            anyhow::bail!("this operation is the web UI's own sign-in and has no API route")
        }
        // It answers only if the node did not panic, and then with an error.
        Request::DebugPanic => Reply::Updated(read::<Updated>(text)?),
        Request::IssueEdit { .. }
        | Request::MemberLeave { .. }
        | Request::KeyAdd { .. }
        | Request::KeyRevoke { .. }
        | Request::HistoryRestore { .. }
        | Request::JoinCancel { .. }
        | Request::ProfileUpdate { .. }
        | Request::IssueEvidence { .. }
        | Request::IssueShare { .. }
        | Request::IssueUnshare { .. }
        | Request::GoalProgress { .. }
        | Request::StatementSign { .. } => Reply::Updated(read::<Updated>(text)?),
        Request::CoalitionCreate { .. }
        | Request::IssueCreate { .. }
        | Request::ProposalCreate { .. }
        | Request::PoolCreate { .. }
        | Request::PoolGive { .. }
        | Request::MeetingCreate { .. }
        | Request::MemberRemoval { .. }
        | Request::GoalCreate { .. }
        | Request::LinkPropose { .. }
        | Request::LinkEnd { .. }
        | Request::StatementDraft { .. }
        | Request::CharterAmend { .. } => Reply::Created(read::<Created>(text)?),
    })
}

/// Most bytes of a reply read (a page of 500 long issues fits many times over).
const MAX_REPLY: u64 = 64 * 1024 * 1024;

impl Client {
    /// A one-time link signing this machine's browser in to the node's web UI.
    pub fn sign_in_link(&self) -> anyhow::Result<crate::SignInLink> {
        use anyhow::Context;
        let url = format!("http://{}{}", self.file.addr, crate::SIGN_IN_ROUTE);
        let mut resp = self
            .agent
            .post(&url)
            .header("authorization", &format!("Bearer {}", self.file.token))
            .send_empty()
            .with_context(|| format!("could not reach the running node at {}", self.file.addr))?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_REPLY)
            .read_to_vec()
            .context("could not read the node's answer")?;
        if !status.is_success() {
            let e: OpError = serde_json::from_slice(&text).unwrap_or_else(|_| {
                OpError::new(
                    ErrorCode::Internal,
                    format!("the node answered {status} without saying why"),
                )
            });
            anyhow::bail!(e.message);
        }
        serde_json::from_slice(&text).context("the node's sign-in link is not the JSON expected")
    }

    /// Carries out one operation on the running node.
    pub fn call(&self, req: &Request) -> Result<Reply, OpError> {
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            OpError::new(
                ErrorCode::Internal,
                format!(
                    "could not {what} the running node at {}: {e}",
                    self.file.addr
                ),
            )
        };
        let call = call_of(req).map_err(|e| {
            if e.downcast_ref::<commands::PrefixError>().is_some() {
                OpError::from_anyhow(&e)
            } else {
                failed("build a request for", &e)
            }
        })?;
        let url = format!("http://{}{}", self.file.addr, call.path);
        let agent = &self.agent;
        let auth = format!("Bearer {}", self.file.token);
        let sent = match (call.method, call.body) {
            (Method::Get, _) => agent.get(&url).header("authorization", &auth).call(),
            (Method::Delete, _) => agent.delete(&url).header("authorization", &auth).call(),
            (m, body) => {
                let builder = match m {
                    Method::Post => agent.post(&url),
                    Method::Put => agent.put(&url),
                    _ => agent.patch(&url),
                };
                builder
                    .header("authorization", &auth)
                    .send_json(body.unwrap_or(serde_json::Value::Null))
            }
        };
        let mut resp = sent.map_err(|e| failed("reach", &e))?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_REPLY)
            .read_to_vec()
            .map_err(|e| failed("read the answer of", &e))?;
        if !status.is_success() {
            return Err(
                serde_json::from_slice::<OpError>(&text).unwrap_or_else(|_| {
                    OpError::new(
                        ErrorCode::Internal,
                        format!(
                            "the running node answered {status}: {}",
                            commands::ops::bounded(&String::from_utf8_lossy(
                                text.get(..1024).unwrap_or(&text)
                            ))
                        ),
                    )
                }),
            );
        }
        reply_of(req, &text).map_err(|e| failed("read the answer of", &e))
    }
}

impl Exec for Client {
    fn call(&mut self, req: Request) -> anyhow::Result<Reply> {
        Client::call(self, &req).map_err(OpError::into_anyhow)
    }

    fn coalition(&mut self, given: Option<&str>) -> anyhow::Result<(String, bool)> {
        if let Some(given) = given {
            // The node resolves it with each operation.
            return Ok((given.to_owned(), false));
        }
        let req = Request::CoalitionResolve {
            query: ResolveQuery { coalition: None },
        };
        let resolved: ResolvedCoalition = Exec::call(self, req)?.try_into()?;
        Ok((resolved.id, resolved.chosen))
    }
}

#[cfg(test)]
mod tests;
