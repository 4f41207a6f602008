//! One function per command. Each opens the replica, acts, and prints through [`Out`].

mod coalition;
mod issue;
mod pool;
mod proposal;

use std::path::Path;

use anyhow::{Context, Result};
use model::{Coalition, CoalitionId, Timestamp};
use replica::Replica;

use crate::args::{CoalitionArg, Command};
use crate::output::Out;

/// Runs one command against the node in `home`.
pub fn run(home: &Path, command: Command, out: &Out) -> Result<()> {
    match command {
        Command::Init { org } => coalition::init(home, &org, out),
        Command::Coalition(c) => coalition::coalition(home, c, out),
        Command::Charter(c) => coalition::charter(home, c, out),
        Command::Member(c) => coalition::member(home, c, out),
        Command::Export { c, out: dir } => coalition::export(home, &c, &dir, out),
        Command::Issue(c) => issue::run(home, c, out),
        Command::Pool(c) => pool::run(home, c, out),
        Command::Proposal(c) => proposal::proposal(home, c, out),
        Command::Meeting(c) => proposal::meeting(home, c, out),
        Command::Debug(c) => issue::debug(home, c, out),
    }
}

/// The replica in `home` and the coalition a command names.
pub struct Ctx {
    pub replica: Replica,
    pub id: CoalitionId,
}

impl Ctx {
    pub fn open(home: &Path, c: &CoalitionArg) -> Result<Self> {
        let replica = open(home)?;
        let id = replica.resolve(&c.id)?;
        Ok(Self { replica, id })
    }

    pub fn read(&mut self) -> Result<Coalition> {
        self.replica
            .read(&self.id)
            .with_context(|| format!("could not read coalition {}", self.id))
    }
}

pub fn open(home: &Path) -> Result<Replica> {
    Ok(Replica::open(home)?)
}

/// A member's name for tables, or the id if the member is unknown.
pub fn name_of(c: &Coalition, member: &str) -> String {
    c.members
        .get(member)
        .map_or_else(|| short(member).to_owned(), |m| m.name.clone())
}

/// The first eight characters of an id.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A day for tables.
pub fn day(t: Timestamp) -> String {
    model::Day::of(t).to_string()
}
