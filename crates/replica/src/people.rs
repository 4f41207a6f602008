//! The people of this organization who use the node's web UI from other machines on its LAN:
//! each with a name, a role (`editor` or `viewer`), a password hashed with Argon2id, and while
//! they have not chosen one, a one-time setup code (kept as its SHA-256 only).
//!
//! People are this node's alone: node record [`PEOPLE`], never part of a coalition and never
//! synced. Every change is still signed by the organization's node key; which person made it
//! is kept in this node's log [`PEOPLE_LOG`] (the newest [`PEOPLE_LOG_KEEP`]).
//!
//! Bounded: at most [`MAX_PEOPLE`] people, names of at most [`MAX_PERSON_NAME`] characters,
//! passwords of [`MIN_PASSWORD`] to [`MAX_PASSWORD`] characters.

use std::collections::BTreeMap;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::*;

/// The node record holding the people.
pub(crate) const PEOPLE: &str = "people";
/// The node log of what people did through the UI.
pub(crate) const PEOPLE_LOG: &str = "people-log";
/// How many entries the people log keeps.
pub const PEOPLE_LOG_KEEP: usize = 10_000;
/// Most people one node keeps.
pub const MAX_PEOPLE: usize = 200;
/// Longest person's name, in characters.
pub const MAX_PERSON_NAME: usize = 64;
/// Shortest password, in characters.
pub const MIN_PASSWORD: usize = 10;
/// Longest password, in characters.
pub const MAX_PASSWORD: usize = 256;
/// How long a setup link works, in milliseconds (three days).
pub const SETUP_LIFETIME_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// What a person may do in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything and changes records (for the organization, signed by its node).
    Editor,
    /// Reads everything, changes nothing.
    Viewer,
}

impl Role {
    /// The role's word, as the command line takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = PeopleError;
    fn from_str(s: &str) -> Result<Self, PeopleError> {
        match s {
            "editor" => Ok(Self::Editor),
            "viewer" => Ok(Self::Viewer),
            other => Err(PeopleError::Invalid(format!(
                "`{}` is not a role: editor or viewer",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }
}

/// A setup code waiting to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSetup {
    /// The code's SHA-256, hex.
    pub code_sha256: String,
    /// When it stops working (Unix milliseconds).
    pub expires_at: i64,
}

/// One person with an account on this node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The name they sign in with, as given.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Their password as an Argon2id PHC string, once they chose one.
    pub password: Option<String>,
    /// The setup code waiting, until they choose a password.
    pub setup: Option<PendingSetup>,
    /// Drawn at random when the account is made and at each reset: a session opened under
    /// another epoch (before a reset, or for an earlier account of the same name) is over.
    pub epoch: u64,
    /// When the account was made (Unix milliseconds).
    pub added_at: i64,
}

/// A person as a session needs them: who, what they may do, which epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The name as given.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Their password's PHC string, if set.
    pub password: Option<String>,
    /// The account's epoch.
    pub epoch: u64,
}

/// A new setup code, to show once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupCode {
    /// The person's name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// The code (hex), in the clear: only this answer has it.
    pub code: String,
    /// When it stops working (Unix milliseconds).
    pub expires_at: i64,
}

/// What one person did through the UI, as this node's log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonAct {
    /// When (Unix milliseconds).
    pub at: i64,
    /// The person's name.
    pub person: String,
    /// The operation that changed something (`issue_create`, `proposal_position`, …).
    pub op: String,
    /// The coalition, when the operation names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coalition: Option<String>,
    /// The record it made or changed, as the node answered (an id), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// Why a change to the people was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeopleError {
    /// A name, role or password that is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// No person has that name.
    #[error(
        "no person named `{0}` has an account on this node (`coalesce person list` lists them)"
    )]
    NotFound(String),
    /// The name is taken.
    #[error(
        "a person named `{0}` already has an account on this node (`coalesce person reset` gives them a new setup link)"
    )]
    Exists(String),
    /// Too many people.
    #[error("this node already has {MAX_PEOPLE} people, the most it keeps: remove one first")]
    Full,
    /// A setup code that is unknown, used or expired.
    #[error("this setup link is not valid: it was used, replaced or is too old; ask for a new one")]
    SetupInvalid,
    /// The store failed, or the record is damaged.
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    /// No randomness, or the hash could not be made.
    #[error("could not {0}")]
    Crypto(&'static str),
}

/// The key people are kept under: the name, trimmed, in lower case (names are unique
/// without regard to case).
fn key_of(name: &str) -> String {
    name.trim().to_lowercase()
}

/// `name` trimmed, if it is acceptable as a person's name: 1 to [`MAX_PERSON_NAME`]
/// characters, no control character.
pub fn person_name(name: &str) -> Result<String, PeopleError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PeopleError::Invalid(
            "a person's name cannot be empty".into(),
        ));
    }
    if name.chars().count() > MAX_PERSON_NAME {
        return Err(PeopleError::Invalid(format!(
            "a person's name is at most {MAX_PERSON_NAME} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(PeopleError::Invalid(
            "a person's name cannot hold control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Whether `password` is acceptable: [`MIN_PASSWORD`] to [`MAX_PASSWORD`] characters.
pub fn check_password(password: &str) -> Result<(), PeopleError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(PeopleError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    if n > MAX_PASSWORD {
        return Err(PeopleError::Invalid(format!(
            "a password is at most {MAX_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// `password` hashed with Argon2id (a fresh salt, the crate's recommended parameters), as a
/// PHC string. Slow on purpose: call it off any thread that answers others.
pub fn hash_password(password: &str) -> Result<String, PeopleError> {
    check_password(password)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| PeopleError::Crypto("hash the password"))
}

/// Whether `password` matches the PHC string `hash`. Slow on purpose, like [`hash_password`].
pub fn verify_password(hash: &str, password: &str) -> bool {
    password.len() <= MAX_PASSWORD * 4
        && argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash)
            .is_ok()
}

fn sha256_hex(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

fn new_code() -> Result<String, PeopleError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|_| PeopleError::Crypto("draw a setup code"))?;
    Ok(hex::encode(b))
}

/// A fresh account epoch: random, so that no earlier session (of an account removed and
/// made again under the same name, say) can match it.
fn new_epoch() -> Result<u64, PeopleError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|_| PeopleError::Crypto("draw an account epoch"))?;
    Ok(u64::from_le_bytes(b))
}

impl Replica {
    /// The people with accounts on this node, by their name trimmed and in lower case.
    pub fn people(&self) -> Result<BTreeMap<String, Person>, PeopleError> {
        match self.record(PEOPLE)? {
            None => Ok(BTreeMap::new()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                PeopleError::Replica(ReplicaError::DamagedRecord {
                    record: PEOPLE.to_owned(),
                    detail: format!(
                        "{e}; nobody can sign in to the UI from other machines until it is replaced (people are not in backups: `coalesce person add` them again on a new home)"
                    ),
                })
            }),
        }
    }

    fn put_people(&self, people: &BTreeMap<String, Person>) -> Result<(), PeopleError> {
        let bytes =
            serde_json::to_vec(people).map_err(|_| PeopleError::Crypto("encode the people"))?;
        Ok(self.put_record(PEOPLE, &bytes)?)
    }

    /// Gives `name` an account with `role`; the setup code to send them.
    pub fn add_person(&self, name: &str, role: Role, now: i64) -> Result<SetupCode, PeopleError> {
        let name = person_name(name)?;
        let mut people = self.people()?;
        let key = key_of(&name);
        if people.contains_key(&key) {
            return Err(PeopleError::Exists(name));
        }
        if people.len() >= MAX_PEOPLE {
            return Err(PeopleError::Full);
        }
        let code = new_code()?;
        let expires_at = now.saturating_add(SETUP_LIFETIME_MS);
        people.insert(
            key,
            Person {
                name: name.clone(),
                role,
                password: None,
                setup: Some(PendingSetup {
                    code_sha256: sha256_hex(&code),
                    expires_at,
                }),
                epoch: new_epoch()?,
                added_at: now,
            },
        );
        self.put_people(&people)?;
        Ok(SetupCode {
            name,
            role,
            code,
            expires_at,
        })
    }

    /// Removes `name`'s account (their sessions end at their next request).
    pub fn remove_person(&self, name: &str) -> Result<Person, PeopleError> {
        let mut people = self.people()?;
        let gone = people
            .remove(&key_of(name))
            .ok_or_else(|| PeopleError::NotFound(name.trim().to_owned()))?;
        self.put_people(&people)?;
        Ok(gone)
    }

    /// Forgets `name`'s password and ends their sessions: a new setup code, and the role
    /// changed to `role` if given.
    pub fn reset_person(
        &self,
        name: &str,
        role: Option<Role>,
        now: i64,
    ) -> Result<SetupCode, PeopleError> {
        let mut people = self.people()?;
        let person = people
            .get_mut(&key_of(name))
            .ok_or_else(|| PeopleError::NotFound(name.trim().to_owned()))?;
        let code = new_code()?;
        let expires_at = now.saturating_add(SETUP_LIFETIME_MS);
        person.password = None;
        person.setup = Some(PendingSetup {
            code_sha256: sha256_hex(&code),
            expires_at,
        });
        person.epoch = new_epoch()?;
        if let Some(role) = role {
            person.role = role;
        }
        let out = SetupCode {
            name: person.name.clone(),
            role: person.role,
            code,
            expires_at,
        };
        self.put_people(&people)?;
        Ok(out)
    }

    /// The person a setup code is for, if it is waiting and not expired.
    pub fn setup_for(&self, code: &str, now: i64) -> Result<Credentials, PeopleError> {
        let digest = sha256_hex(code);
        self.people()?
            .into_values()
            .find(|p| {
                p.setup
                    .as_ref()
                    .is_some_and(|s| s.expires_at > now && s.code_sha256 == digest)
            })
            .map(|p| Credentials {
                name: p.name,
                role: p.role,
                password: None,
                epoch: p.epoch,
            })
            .ok_or(PeopleError::SetupInvalid)
    }

    /// Spends a setup code: the person it is for gets `password_hash` (a PHC string from
    /// [`hash_password`]); their credentials as they are now.
    pub fn finish_setup(
        &self,
        code: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Credentials, PeopleError> {
        if !password_hash.starts_with("$argon2id$") || password_hash.len() > 512 {
            return Err(PeopleError::Invalid(
                "a password is kept only as an Argon2id hash".into(),
            ));
        }
        let who = self.setup_for(code, now)?;
        let mut people = self.people()?;
        let person = people
            .get_mut(&key_of(&who.name))
            .ok_or(PeopleError::SetupInvalid)?;
        person.password = Some(password_hash.to_owned());
        person.setup = None;
        let out = Credentials {
            name: person.name.clone(),
            role: person.role,
            password: person.password.clone(),
            epoch: person.epoch,
        };
        self.put_people(&people)?;
        Ok(out)
    }

    /// `name`'s credentials, if they have an account (names match without regard to case).
    pub fn credentials(&self, name: &str) -> Result<Option<Credentials>, PeopleError> {
        Ok(self.people()?.remove(&key_of(name)).map(|p| Credentials {
            name: p.name,
            role: p.role,
            password: p.password,
            epoch: p.epoch,
        }))
    }

    /// Keeps what a person did in this node's people log.
    pub fn log_person_act(&self, act: &PersonAct) -> Result<(), ReplicaError> {
        let bytes = serde_json::to_vec(act).map_err(|e| ReplicaError::DamagedRecord {
            record: PEOPLE_LOG.to_owned(),
            detail: format!("an entry did not encode: {e}"),
        })?;
        Ok(self.store.append_log(PEOPLE_LOG, &bytes, PEOPLE_LOG_KEEP)?)
    }

    /// The people log, oldest first; a damaged entry is skipped.
    pub fn person_acts(&self) -> Result<Vec<PersonAct>, ReplicaError> {
        Ok(self
            .store
            .log(PEOPLE_LOG)?
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica() -> (tempfile::TempDir, Replica) {
        let dir = tempfile::tempdir().unwrap();
        Replica::init(dir.path(), "Northside").unwrap();
        let r = Replica::open(dir.path()).unwrap();
        (dir, r)
    }

    #[test]
    fn a_person_sets_a_password_once_and_a_reset_ends_it() {
        let (_d, r) = replica();
        let setup = r.add_person("  Ana Ruiz ", Role::Editor, 1_000).unwrap();
        assert_eq!(setup.name, "Ana Ruiz");
        assert!(matches!(
            r.add_person("ana ruiz", Role::Viewer, 1_000),
            Err(PeopleError::Exists(_))
        ));
        let who = r.setup_for(&setup.code, 2_000).unwrap();
        assert_eq!((who.name.as_str(), who.role), ("Ana Ruiz", Role::Editor));
        assert!(matches!(
            r.setup_for(&setup.code, 1_000 + SETUP_LIFETIME_MS),
            Err(PeopleError::SetupInvalid)
        ));
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let done = r.finish_setup(&setup.code, &hash, 3_000).unwrap();
        let first_epoch = done.epoch;
        assert!(
            matches!(
                r.finish_setup(&setup.code, &hash, 3_000),
                Err(PeopleError::SetupInvalid)
            ),
            "a setup code works once"
        );
        let creds = r.credentials("ANA RUIZ").unwrap().unwrap();
        assert!(verify_password(
            creds.password.as_ref().unwrap(),
            "correct horse battery"
        ));
        assert!(!verify_password(
            creds.password.as_ref().unwrap(),
            "wrong horse battery"
        ));

        let again = r
            .reset_person("ana ruiz", Some(Role::Viewer), 4_000)
            .unwrap();
        let creds = r.credentials("Ana Ruiz").unwrap().unwrap();
        assert_eq!((creds.password, creds.role), (None, Role::Viewer));
        assert_ne!(creds.epoch, first_epoch, "a reset ends earlier sessions");
        assert_ne!(again.code, setup.code);
        r.remove_person("Ana Ruiz").unwrap();
        assert!(r.credentials("Ana Ruiz").unwrap().is_none());
        // Made again under the same name: no earlier session matches the new account.
        r.add_person("Ana Ruiz", Role::Viewer, 5_000).unwrap();
        let anew = r.credentials("ana ruiz").unwrap().unwrap();
        assert!(anew.epoch != first_epoch && anew.epoch != creds.epoch);
        r.remove_person("Ana Ruiz").unwrap();
        assert!(matches!(
            r.remove_person("Ana Ruiz"),
            Err(PeopleError::NotFound(_))
        ));
        assert!(matches!(
            r.setup_for(&again.code, 4_001),
            Err(PeopleError::SetupInvalid)
        ));
    }

    #[test]
    fn bad_names_passwords_and_hashes_are_refused() {
        let (_d, r) = replica();
        for bad in ["", "   ", "a\u{7}b", &"x".repeat(MAX_PERSON_NAME + 1)] {
            assert!(matches!(
                r.add_person(bad, Role::Editor, 0),
                Err(PeopleError::Invalid(_))
            ));
        }
        assert!(check_password("short").is_err());
        assert!(check_password(&"p".repeat(MAX_PASSWORD + 1)).is_err());
        let s = r.add_person("Bo", Role::Viewer, 0).unwrap();
        assert!(matches!(
            r.finish_setup(&s.code, "plaintext", 1),
            Err(PeopleError::Invalid(_))
        ));
        assert!(!verify_password("not a hash", "whatever password"));
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn people_are_bounded_and_the_log_is_kept() {
        let (_d, r) = replica();
        for i in 0..MAX_PEOPLE {
            r.add_person(&format!("p{i}"), Role::Viewer, 0).unwrap();
        }
        assert!(matches!(
            r.add_person("one more", Role::Viewer, 0),
            Err(PeopleError::Full)
        ));
        let act = PersonAct {
            at: 5,
            person: "p1".into(),
            op: "issue_create".into(),
            coalition: Some("c".into()),
            record: Some("0a".into()),
        };
        r.log_person_act(&act).unwrap();
        assert_eq!(r.person_acts().unwrap(), vec![act]);
    }
}

#[cfg(test)]
mod damaged {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever bytes the people record holds (a damaged store, a hand edit), reading it
        /// answers the people or says the record is damaged; nothing panics, and a sign-in
        /// against it finds nobody rather than somebody wrong.
        #[test]
        fn any_people_record_reads_or_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let dir = tempfile::tempdir().unwrap();
            Replica::init(dir.path(), "Northside").unwrap();
            let r = Replica::open(dir.path()).unwrap();
            r.put_record(PEOPLE, &bytes).unwrap();
            match r.people() {
                Ok(_) => {}
                Err(e) => prop_assert!(e.to_string().contains("damaged"), "{e}"),
            }
            prop_assert!(r.setup_for("00", 0).is_err());
        }
    }
}
