//! `person`: the people of this organization who use the node's web UI from other machines.

use anyhow::Result;
use model::Timestamp;

use crate::args::{Format, PersonCmd};
use crate::ops::people::{
    PersonAct, PersonAddRequest, PersonResetRequest, PersonSetup, PersonView,
};
use crate::ops::{Exec, Request, Updated};
use crate::output::Out;

/// Prints a setup link: the link alone on standard output, what to do with it on standard
/// error.
fn setup(s: &PersonSetup, out: &Out) -> Result<()> {
    out.text_raw(&format!("{}\n", s.setup_url))?;
    out.note(&format!(
        "Send this link to {} privately: it works once, until {}, on this organization's network. There they choose a password, then sign in as {} ({}). Their browser will warn about the node's certificate if it is self-signed; `coalesce status` shows its fingerprint to compare. If people reach this node at another name or address, start it with --ui-host NAME.",
        s.name,
        s.expires_at,
        s.name,
        s.role.as_str()
    ));
    Ok(())
}

fn when(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "never".to_owned(), |t| t.to_string())
}

pub(crate) fn run(x: &mut dyn Exec, cmd: PersonCmd, out: &Out) -> Result<()> {
    match cmd {
        PersonCmd::Add { name, role } => {
            let body = PersonAddRequest {
                name,
                role: role.into(),
            };
            let made: PersonSetup = x.call(Request::PersonAdd { body })?.try_into()?;
            setup(&made, out)
        }
        PersonCmd::Reset { name, role } => {
            let body = PersonResetRequest {
                role: role.map(Into::into),
            };
            let made: PersonSetup = x.call(Request::PersonReset { name, body })?.try_into()?;
            setup(&made, out)
        }
        PersonCmd::Remove { name } => {
            let gone: Updated = x.call(Request::PersonRemove { name })?.try_into()?;
            out.note(&format!(
                "{} no longer has an account on this node; they are signed out.",
                gone.id
            ));
            Ok(())
        }
        PersonCmd::List { format } => {
            let people: Vec<PersonView> = x.call(Request::PersonList)?.try_into()?;
            list(&people, format, out)
        }
        PersonCmd::Log { person, format } => {
            let mut acts: Vec<PersonAct> = x.call(Request::PersonLog)?.try_into()?;
            if let Some(p) = person {
                let p = p.trim().to_lowercase();
                acts.retain(|a| a.person.to_lowercase() == p);
            }
            if format.json {
                return out.json(&acts);
            }
            let rows = acts
                .iter()
                .map(|a| {
                    vec![
                        Timestamp::from_millis(a.at).to_string(),
                        a.person.clone(),
                        a.op.clone(),
                        a.coalition.clone().unwrap_or_else(|| "-".to_owned()),
                        a.record.clone().unwrap_or_else(|| "-".to_owned()),
                    ]
                })
                .collect();
            out.table(
                &["WHEN", "PERSON", "OPERATION", "COALITION", "RECORD"],
                rows,
                "No one has changed anything through the UI from another machine yet.",
            )
        }
    }
}

fn list(people: &[PersonView], format: Format, out: &Out) -> Result<()> {
    if format.json {
        return out.json(&people);
    }
    let rows = people
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.role.as_str().to_owned(),
                match p.state.as_str() {
                    "waiting" => "waiting for setup".to_owned(),
                    "expired" => "setup link expired".to_owned(),
                    other => other.to_owned(),
                },
                when(p.last_act),
            ]
        })
        .collect();
    out.table(
        &["NAME", "ROLE", "STATE", "LAST CHANGE"],
        rows,
        "No people have accounts: `coalesce person add NAME --role editor` gives one.",
    )?;
    if people.iter().any(|p| p.state == "expired") {
        out.note("A setup link expired: `coalesce person reset NAME` makes a new one.");
    }
    Ok(())
}
