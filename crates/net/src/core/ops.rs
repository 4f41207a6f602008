//! The typed operations as the running node carries them out: those that need what only it
//! knows (its network, its joins, when peers last synced) here, the rest on its replica
//! ([`commands::ops::handle`]).
//!
//! The core answers itself `status` (with its network), invites (with its addresses), joins, the
//! key listing and backups (after saving when peers last synced), people's setup links (on the
//! address it serves the UI at over TLS), and the debug panic (obeyed only
//! by a node started with `COALESCE_DEBUG_PANIC=1`); everything else goes to
//! `commands::ops::handle`.

use commands::ops::joins::{JoinStages, JoinStarted};
use commands::ops::status::StatusDetail;
use commands::ops::{OpError, Reply, Request, Updated};

use super::Core;

impl Core {
    /// Carries out one typed operation.
    pub(super) fn op(&mut self, req: Request) -> Result<Reply, OpError> {
        let failed = |e: anyhow::Error| OpError::from_anyhow(&e);
        match req {
            Request::Status => self
                .status_report()
                .map(|status| Reply::Status(Box::new(StatusDetail { status })))
                .map_err(failed),
            Request::KeyList { .. } | Request::Backup { .. } => {
                // These read when each key last synced from the store.
                self.save_last_sync(true);
                commands::ops::handle(&mut self.replica, req)
            }
            Request::DebugPanic => {
                if std::env::var("COALESCE_DEBUG_PANIC").as_deref() == Ok("1") {
                    panic!("a debug panic, asked for with `coalesce debug panic`");
                }
                Err(OpError::new(
                    commands::ops::ErrorCode::Forbidden,
                    "this node was not started with COALESCE_DEBUG_PANIC=1",
                ))
            }
            Request::InviteCreate { coalition, body } => {
                let expires = body.expires.as_deref().unwrap_or("7d");
                self.invite(&coalition, expires)
                    .map(Reply::Invite)
                    .map_err(failed)
            }
            Request::JoinStart { body } => self
                .join(&body.code, body.org)
                .map(|id| {
                    Reply::JoinStarted(JoinStarted {
                        coalition: id.to_string(),
                    })
                })
                .map_err(failed),
            Request::JoinList => {
                let ids: Vec<_> = self
                    .replica
                    .pending_joins()
                    .map(|j| j.into_keys().collect())
                    .unwrap_or_default();
                let stages: JoinStages = ids
                    .into_iter()
                    .map(|id| {
                        let stage = self.join_stage(&id).stage;
                        (id, stage)
                    })
                    .collect();
                commands::ops::joins::pending(&self.replica, Some(&stages))
                    .map(Reply::Joins)
                    .map_err(failed)
            }
            Request::JoinCancel { coalition } => self
                .cancel_join(&coalition)
                .map(|id| Reply::Updated(Updated { id: id.to_string() }))
                .map_err(failed),
            Request::JoinStage { coalition, .. } => self
                .join_stage_of(&coalition)
                .map(Reply::JoinStage)
                .map_err(failed),
            Request::PersonAdd { body } => {
                let Some(base) = &self.people_url else {
                    return Err(OpError::from_anyhow(
                        &commands::ops::people::no_lan_ui().into(),
                    ));
                };
                commands::ops::people::add(&self.replica, body, base)
                    .map(Reply::PersonSetup)
                    .map_err(|e| OpError::from_anyhow(&e.into()))
            }
            Request::PersonReset { name, body } => {
                let Some(base) = &self.people_url else {
                    return Err(OpError::from_anyhow(
                        &commands::ops::people::no_lan_ui().into(),
                    ));
                };
                commands::ops::people::reset(&self.replica, &name, body, base)
                    .map(Reply::PersonSetup)
                    .map_err(|e| OpError::from_anyhow(&e.into()))
            }
            req => commands::ops::handle(&mut self.replica, req),
        }
    }
}
