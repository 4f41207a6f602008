//! Carrying out an operation on an open replica: [`handle`] for the API (listings in pages,
//! paths checked), `run` for this process's own replica (listings whole).

use replica::Replica;

use super::{
    Created, KnownPeers, OpError, Reply, Request, ResolvedCoalition, Updated, audit, charter,
    coalition, coalitions, files, issues, joins, keys, meetings, members, people, plans, pools,
    proposals, reports, status, translations,
};

/// Carries out one operation on an open replica.
pub fn handle(r: &mut Replica, req: Request) -> Result<Reply, OpError> {
    let checked = match &req {
        Request::Backup { body } => files::require_absolute(&body.file, "backup file"),
        Request::Export { body, .. } => files::require_absolute(&body.dir, "export folder"),
        Request::StatementExport { body, .. } => {
            files::require_absolute(&body.file, "statements file")
        }
        Request::StatementImport { body, .. } => {
            files::require_absolute(&body.file, "statements file")
        }
        _ => Ok(()),
    };
    checked
        .and_then(|()| run(r, req, MAX_PAGE))
        .map_err(|e| OpError::from_anyhow(&e))
}

/// Most records in a page of a listing the API answers.
pub const MAX_PAGE: usize = 500;

/// Carries out `req`, answering listings with pages of at most `max_page` records.
pub(crate) fn run(r: &mut Replica, req: Request, max_page: usize) -> anyhow::Result<Reply> {
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
            let id = proposals::create(r, &c, *body)?;
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
        Request::ProposalBallot {
            coalition: c,
            proposal,
            body,
        } => {
            let c = coalition(r, &c)?;
            Reply::BallotCast(proposals::cast_ballot(r, &c, &proposal, body)?)
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
            let id = charter::amend(r, &c, *body)?;
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
        Request::Translate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            Reply::Updated(Updated {
                id: translations::translate(r, &c, body)?,
            })
        }
        Request::PlanCreate { coalition: c, body } => {
            let c = coalition(r, &c)?;
            Reply::Created(Created {
                id: plans::propose(r, &c, body)?.to_string(),
            })
        }
        Request::PlanAnswer {
            coalition: c,
            plan,
            body,
        } => {
            let c = coalition(r, &c)?;
            Reply::Updated(Updated {
                id: plans::answer(r, &c, &plan, body)?,
            })
        }
        Request::PlanList { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Plans(Box::new(plans::list(r, &c)?))
        }
        Request::LinkPropose { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = super::links::propose(r, &c, *body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::LinkEnd { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = super::links::end(r, &c, body)?;
            Reply::Created(Created { id: id.to_string() })
        }
        Request::LinkList { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Links(super::links::list(r, &c)?)
        }
        Request::StatementDraft { coalition: c, body } => {
            let c = coalition(r, &c)?;
            let id = super::statements::draft(r, &c, body)?;
            Reply::Created(Created { id: id.hex() })
        }
        Request::StatementSign {
            coalition: c,
            statement,
        } => {
            let c = coalition(r, &c)?;
            let id = super::statements::sign(r, &c, &statement)?;
            Reply::Updated(Updated { id: id.hex() })
        }
        Request::StatementList { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Statements(super::statements::list(r, &c)?)
        }
        Request::StatementExport { coalition: c, body } => {
            let c = coalition(r, &c)?;
            Reply::StatementsExported(super::statements::export(r, &c, body)?)
        }
        Request::StatementImport { coalition: c, body } => {
            let c = coalition(r, &c)?;
            Reply::StatementsImported(super::received::import(r, &c, body)?)
        }
        Request::StatementCalls { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Calls(super::received::calls(r, &c)?)
        }
        Request::LinkAffiliates { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Affiliates(Box::new(super::received::affiliates(r, &c)?))
        }
        Request::LinkMandates {
            coalition: c,
            proposal,
        } => {
            let c = coalition(r, &c)?;
            Reply::Mandates(super::received::mandates(r, &c, &proposal)?)
        }
        Request::StatementReceived { coalition: c } => {
            let c = coalition(r, &c)?;
            Reply::Received(super::received::list(r, &c)?)
        }
        Request::StatementVerify {
            coalition: c,
            statement,
        } => {
            let c = coalition(r, &c)?;
            Reply::StatementVerified(super::received::verify(r, &c, &statement)?)
        }
        Request::TranslationList {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::Translations(Box::new(translations::list(r, &c, &query)?))
        }
        Request::ReportProgress {
            coalition: c,
            query,
        } => {
            let c = coalition(r, &c)?;
            Reply::Progress(Box::new(reports::progress(r, &c, &query)?))
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
            let peers = r.known_peers_stored()?.unwrap_or_else(|| b"{}".to_vec());
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
        Request::PersonAdd { .. } | Request::PersonReset { .. } => {
            return Err(joins::NeedsNode(format!(
                "a person's setup link comes from the running node, which serves the UI to other machines: start `coalesce-node --home {}` with --api beyond loopback and TLS first",
                r.home().display()
            ))
            .into());
        }
        Request::PersonList => Reply::People(people::list(r)?),
        Request::PersonRemove { name } => Reply::Updated(Updated {
            id: people::remove(r, &name)?,
        }),
        Request::PersonLog => Reply::PersonLog(people::log(r)?),
        Request::PersonCredentials { name } => {
            Reply::Credentials(r.credentials(&name)?.map(Into::into))
        }
        Request::PersonSetupFor { code } => {
            let who = r.setup_for(&code, replica::now().as_millis());
            Reply::Credentials(who.ok().map(Into::into))
        }
        Request::PersonSetupFinish {
            code,
            password_hash,
        } => Reply::Credentials(Some(
            r.finish_setup(&code, &password_hash, replica::now().as_millis())?
                .into(),
        )),
    })
}
