//! The people of this organization who use the node's web UI from other machines on its LAN
//! (`coalesce person add|list|remove|reset|log`): accounts of this node alone, never synced
//! (see `replica::people`). Adding or resetting someone makes a one-time setup link on the
//! address the node serves its UI at over TLS, which only the running node knows; the rest
//! reads or writes the node's own records.
//!
//! Three operations serve the UI's sign-in alone and have no API route: a person's
//! credentials, the person a setup code is for, and spending that code.

use model::Timestamp;
use replica::{PeopleError, Replica, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::joins::NeedsNode;

pub use replica::PersonAct;

/// A person to give an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonAddRequest {
    /// The name they will sign in with (1 to 64 characters; unique on this node whatever the
    /// case).
    pub name: String,
    /// What they may do: `editor` (read and change records) or `viewer` (read only).
    #[schema(value_type = String)]
    pub role: Role,
}

/// A reset: a new setup link (their password and sessions end), and a new role if given.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonResetRequest {
    /// Their new role: `editor` or `viewer`; left out, it stays.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
}

/// A one-time setup link, to send to the person it is for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonSetup {
    /// Their name.
    pub name: String,
    /// Their role.
    #[schema(value_type = String)]
    pub role: Role,
    /// The link where they choose their password; it works once.
    pub setup_url: String,
    /// When the link stops working.
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
}

/// One person with an account, as `person list` shows them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonView {
    /// Their name.
    pub name: String,
    /// Their role.
    #[schema(value_type = String)]
    pub role: Role,
    /// `active` (a password is set), `waiting` (their setup link works) or `expired` (their
    /// setup link is too old: reset them).
    pub state: String,
    /// When the account was made.
    #[schema(value_type = String)]
    pub added_at: Timestamp,
    /// When they last did something through the UI, as the people log keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub last_act: Option<Timestamp>,
}

/// A person's credentials for the UI's sign-in (no route of the API gives them).
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their password's Argon2id PHC string, if they set one.
    #[serde(skip)]
    pub password: Option<String>,
    /// Their account's epoch: a session of an earlier epoch is over.
    pub epoch: u64,
}

impl From<replica::Credentials> for Credentials {
    fn from(c: replica::Credentials) -> Self {
        Self {
            name: c.name,
            role: c.role,
            password: c.password,
            epoch: c.epoch,
        }
    }
}

/// The refusal of adding or resetting a person when no UI is served to other machines.
pub fn no_lan_ui() -> NeedsNode {
    NeedsNode(
        "people sign in to the UI from other machines, which this node does not serve: start it with --api on an address beyond loopback and TLS (--api-tls-self-signed, or --api-tls-cert and --api-tls-key), for example `coalesce-node --api 0.0.0.0:7443 --api-tls-self-signed`"
            .into(),
    )
}

fn setup_view(s: replica::SetupCode, base: &str) -> PersonSetup {
    PersonSetup {
        setup_url: format!("{base}/setup?code={}", s.code),
        name: s.name,
        role: s.role,
        expires_at: Timestamp::from_millis(s.expires_at),
    }
}

/// Gives a person an account: their setup link on the UI served at `base`
/// (`https://HOST:PORT`).
pub fn add(r: &Replica, req: PersonAddRequest, base: &str) -> Result<PersonSetup, PeopleError> {
    let now = replica::now().as_millis();
    Ok(setup_view(r.add_person(&req.name, req.role, now)?, base))
}

/// A new setup link for `name`, ending their password and sessions.
pub fn reset(
    r: &Replica,
    name: &str,
    req: PersonResetRequest,
    base: &str,
) -> Result<PersonSetup, PeopleError> {
    let now = replica::now().as_millis();
    Ok(setup_view(r.reset_person(name, req.role, now)?, base))
}

/// The people with accounts, by name.
pub fn list(r: &Replica) -> Result<Vec<PersonView>, PeopleError> {
    let now = replica::now().as_millis();
    let mut last = std::collections::HashMap::new();
    for act in r.person_acts()? {
        last.insert(act.person.to_lowercase(), act.at);
    }
    // Kept by their names in lower case: listed in that order.
    let people: Vec<PersonView> = r
        .people()?
        .into_iter()
        .map(|(key, p)| PersonView {
            state: match (&p.password, &p.setup) {
                (Some(_), _) => "active",
                (None, Some(s)) if s.expires_at > now => "waiting",
                (None, _) => "expired",
            }
            .to_owned(),
            last_act: last.get(&key).map(|t| Timestamp::from_millis(*t)),
            name: p.name,
            role: p.role,
            added_at: Timestamp::from_millis(p.added_at),
        })
        .collect();
    Ok(people)
}

/// Removes a person's account: the name as stored.
pub fn remove(r: &Replica, name: &str) -> Result<String, PeopleError> {
    Ok(r.remove_person(name)?.name)
}

/// What people did through the UI, oldest first (the newest kept).
pub fn log(r: &Replica) -> Result<Vec<PersonAct>, PeopleError> {
    Ok(r.person_acts()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{ErrorCode, OpError};

    #[test]
    fn people_are_listed_with_their_state_and_refusals_have_codes() {
        let dir = tempfile::tempdir().unwrap();
        Replica::init(dir.path(), "Northside").unwrap();
        let r = Replica::open(dir.path()).unwrap();
        let base = "https://10.0.0.5:7443";
        let made = add(
            &r,
            PersonAddRequest {
                name: "Ana".into(),
                role: Role::Editor,
            },
            base,
        )
        .unwrap();
        assert!(
            made.setup_url
                .starts_with("https://10.0.0.5:7443/setup?code=")
        );
        let listed = list(&r).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].state, "waiting");
        let code = |e: PeopleError| OpError::from_anyhow(&e.into()).code;
        let again = add(
            &r,
            PersonAddRequest {
                name: "ana".into(),
                role: Role::Viewer,
            },
            base,
        );
        assert_eq!(code(again.unwrap_err()), ErrorCode::Conflict);
        assert_eq!(code(remove(&r, "Bo").unwrap_err()), ErrorCode::NotFound);
        let bad = add(
            &r,
            PersonAddRequest {
                name: " ".into(),
                role: Role::Viewer,
            },
            base,
        );
        assert_eq!(code(bad.unwrap_err()), ErrorCode::Invalid);
        let reset = reset(
            &r,
            "ANA",
            PersonResetRequest {
                role: Some(Role::Viewer),
            },
            base,
        )
        .unwrap();
        assert_eq!(reset.role, Role::Viewer);
        assert_eq!(remove(&r, "ana").unwrap(), "Ana");
        assert!(list(&r).unwrap().is_empty());
    }
}
