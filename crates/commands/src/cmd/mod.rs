//! One function per command, by noun, each building requests from what people typed, carrying them
//! out through an [`Exec`] (reached from [`run_typed`]) and printing the replies through [`Out`].
//! Only the commands that work on the home folder itself (`init`, `rename`, `restore`, completions,
//! man pages, identity export and import) are not operations. A listing printed whole is read page
//! by page from the node (`every`); a command that names no coalition asks [`Exec::coalition`].

mod audit;
mod coalition;
mod files;
mod issue;
mod join;
mod keys;
mod link;
mod people;
mod poll;
mod pool;
pub(crate) mod proposal;
mod statement;
pub(crate) mod status;
mod translate;

use anyhow::{Context, Result};
use model::Timestamp;
use replica::Replica;

use crate::args::{CoalitionArg, Command};
use crate::ops::Exec;
use crate::output::Out;

pub use coalition::{init, rename, restore};

/// Runs a command's typed operations ([`crate::ops`]) on `x`: this process's replica or the
/// running node's API; the command prints the replies. Answers with the command back only for
/// those that work on the home folder itself (`init`, `rename`, `restore`, completions, man
/// pages, identity export and import), which the command line handles before.
pub fn run_typed(x: &mut dyn Exec, command: Command, out: &Out) -> Result<Option<Command>> {
    Ok(match command {
        Command::Proposal(c) => {
            proposal::proposal(x, c, out)?;
            None
        }
        Command::Meeting(c) => {
            proposal::meeting(x, c, out)?;
            None
        }
        Command::Link(c) => {
            link::run(x, c, out)?;
            None
        }
        Command::Statement(c) => {
            statement::run(x, c, out)?;
            None
        }
        Command::Issue(c) => {
            issue::run(x, c, out)?;
            None
        }
        Command::Pool(c) => {
            pool::run(x, c, out)?;
            None
        }
        Command::Coalition(c) => {
            coalition::coalition(x, c, out)?;
            None
        }
        Command::Charter(c) => {
            coalition::charter(x, c, out)?;
            None
        }
        Command::Member(c) => {
            coalition::member(x, c, out)?;
            None
        }
        Command::Audit(c) => {
            audit::audit(x, c, out)?;
            None
        }
        Command::History(h) => {
            audit::history(x, h, out)?;
            None
        }
        Command::Translate(t) => {
            translate::translate(x, t, out)?;
            None
        }
        Command::Translations(t) => {
            translate::list(x, t, out)?;
            None
        }
        Command::Person(c) => {
            people::run(x, c, out)?;
            None
        }
        Command::Status { format } => {
            status::status(x, format.json, out)?;
            None
        }
        Command::Invite(crate::args::InviteCmd::Create { c, expires }) => {
            join::invite(x, &c, expires, out)?;
            None
        }
        Command::Join {
            code: Some(code),
            org,
            ..
        } => {
            join::start(x, code, org, out)?;
            None
        }
        Command::Join {
            cancel: Some(c), ..
        } => {
            join::cancel(x, c, out)?;
            None
        }
        Command::Join { format, .. } => {
            join::pending(x, format.json, out)?;
            None
        }
        Command::Backup { out: file, force } => {
            files::backup(x, &file, force, out)?;
            None
        }
        Command::Export { c, out: dir, csv } => {
            files::export(x, &c, &dir, csv, out)?;
            None
        }
        Command::Report(args) => {
            audit::progress(x, args, out)?;
            None
        }
        Command::Debug(c) => {
            files::debug(x, c, out)?;
            None
        }
        other => Some(other),
    })
}

/// What a command made of typed operations answers if it reaches the untyped path (it cannot:
/// [`run_typed`] carries those out first).
const TYPED: &str = "this command is made of typed operations, carried out before";

/// Runs one command against an open replica. `init` is not among them: it creates the home
/// folder a replica opens (see [`init`]).
pub fn run(r: &mut Replica, command: Command, out: &Out) -> Result<()> {
    let Some(command) = run_typed(r, command, out)? else {
        return Ok(());
    };
    match command {
        Command::Init { .. } => anyhow::bail!(
            "a Coalesce node is already set up in {}",
            r.home().display()
        ),
        Command::Rename { org } => coalition::rename(r.home(), &org, out),
        Command::Coalition(_)
        | Command::Proposal(_)
        | Command::Meeting(_)
        | Command::Link(_)
        | Command::Statement(_)
        | Command::Charter(_)
        | Command::Member(_)
        | Command::Audit(_)
        | Command::Person(_)
        | Command::History(_)
        | Command::Translate(_)
        | Command::Translations(_)
        | Command::Issue(_)
        | Command::Pool(_)
        | Command::Status { .. }
        | Command::Invite(_)
        | Command::Join { .. }
        | Command::Backup { .. }
        | Command::Export { .. }
        | Command::Report(_)
        | Command::Debug(_) => anyhow::bail!(TYPED),
        Command::Restore { .. } => anyhow::bail!(
            "a node is already set up in {}: restore into a new, empty home (--home DIR)",
            r.home().display()
        ),
        Command::Ui { .. } => anyhow::bail!(
            "the web UI is served by the running node: start it first (coalesce-node --home {}), then run `coalesce ui` again",
            r.home().display()
        ),
        Command::Completions { .. }
        | Command::Man { .. }
        | Command::ExportIdentity { .. }
        | Command::ImportIdentity { .. } => {
            anyhow::bail!("this command is handled by the `coalesce` command line itself")
        }
    }
}

/// Reads a file of at most `max` bytes. Reading stops one byte past the limit, so a larger
/// file, or an endless one such as a device, is refused without being read whole.
pub fn read_limited(path: &std::path::Path, max: u64) -> Result<Vec<u8>> {
    let bytes = read_prefix(path, max.saturating_add(1))?;
    if bytes.len() as u64 > max {
        anyhow::bail!(
            "{} is larger than expected (more than {max} bytes)",
            path.display()
        );
    }
    Ok(bytes)
}

/// The first `len` bytes of a file (fewer if it is shorter).
pub(crate) fn read_prefix(path: &std::path::Path, len: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let context = || format!("could not read {}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .with_context(context)?
        .take(len)
        .read_to_end(&mut bytes)
        .with_context(context)?;
    Ok(bytes)
}

/// The coalition `c` names, as the id to put in requests, or the only one held (saying so).
pub(crate) fn on(x: &mut dyn Exec, c: &CoalitionArg, out: &Out) -> Result<String> {
    let (id, chosen) = x.coalition(c.id.as_deref())?;
    if chosen {
        out.note(&format!(
            "Using coalition {} (the only one this node holds).",
            short(&id)
        ));
    }
    Ok(id)
}

/// Most records a listing read page by page may hold (a node answering without end cannot
/// make the command line read for ever).
const MAX_LISTED: usize = 10_000_000;

/// A page of a listing, as the command line gathers pages into the whole list.
pub(crate) trait Page {
    /// A record of the listing.
    type Item;
    /// Its records, the names they name, the next page's offset, and the listing's total.
    fn parts(self) -> (Vec<Self::Item>, Names, Option<usize>, usize);
}

/// Members' names by id, as replies carry them.
pub(crate) type Names = std::collections::BTreeMap<model::MemberId, String>;

macro_rules! page {
    ($page:ty, $items:ident, $item:ty) => {
        impl Page for $page {
            type Item = $item;
            fn parts(self) -> (Vec<$item>, Names, Option<usize>, usize) {
                (self.$items, self.names, self.next, self.total)
            }
        }
    };
}

page!(
    crate::ops::issues::IssuePage,
    issues,
    crate::ops::issues::IssueView
);
page!(
    crate::ops::proposals::ProposalPage,
    proposals,
    crate::ops::proposals::ProposalView
);
page!(
    crate::ops::meetings::MeetingPage,
    meetings,
    crate::ops::meetings::MeetingView
);

/// Every record of a listing, with the names they name: `ask(offset)` is the request for the
/// page from `offset` on. (In this process a listing comes whole; the node's API answers in
/// pages.) Reading stops at the first page's total, at a page that adds nothing, or at a next
/// page that is not further on, so a node that answered wrongly cannot keep it reading.
pub(crate) fn every<P>(
    x: &mut dyn Exec,
    ask: impl FnMut(usize) -> crate::ops::Request,
) -> Result<(Vec<P::Item>, Names)>
where
    P: Page + TryFrom<crate::ops::Reply, Error = anyhow::Error>,
{
    every_with::<P>(x, ask, |_| {})
}

/// [`every`], showing `first` the first page before its records are taken.
pub(crate) fn every_with<P>(
    x: &mut dyn Exec,
    mut ask: impl FnMut(usize) -> crate::ops::Request,
    mut first: impl FnMut(&P),
) -> Result<(Vec<P::Item>, Names)>
where
    P: Page + TryFrom<crate::ops::Reply, Error = anyhow::Error>,
{
    let (mut all, mut names) = (Vec::new(), Names::new());
    let mut offset = 0;
    let mut total = None;
    loop {
        let page = P::try_from(x.call(ask(offset))?)?;
        if total.is_none() {
            first(&page);
        }
        let (items, more, next, counted) = page.parts();
        let added = !items.is_empty();
        all.extend(items);
        names.extend(more);
        if all.len() > MAX_LISTED {
            anyhow::bail!(
                "the node's listing holds more than {MAX_LISTED} records, more than the command line prints"
            );
        }
        let total = *total.get_or_insert(counted);
        match next {
            Some(next) if next > offset && added && all.len() < total => offset = next,
            _ => return Ok((all, names)),
        }
    }
}

/// A member's name from the names an operation returned, or the short id if it has none (or
/// one that shows nothing). A name that reads like another member's (the same, or the same
/// but for case, spacing or characters that draw nothing) carries the short id beside it:
/// a member renamed to another's cannot pass its positions off as the other's.
pub(crate) fn named(
    names: &std::collections::BTreeMap<model::MemberId, String>,
    member: &model::MemberId,
) -> String {
    match model::shown_name(names, member) {
        model::ShownName::Id => short(member).to_owned(),
        model::ShownName::Alike(name) => {
            format!("{} ({})", crate::output::line(name), short(member))
        }
        model::ShownName::Own(name) => crate::output::line(name),
    }
}

/// The first eight characters of an id.
pub(crate) fn short(id: &(impl AsRef<str> + ?Sized)) -> &str {
    let id = id.as_ref();
    id.get(..8).unwrap_or(id)
}

/// A day for tables.
pub(crate) fn day(t: Timestamp) -> String {
    model::Day::of(t).to_string()
}

#[cfg(test)]
mod tests {
    /// A member renamed to another's name (or to it with a zero-width space, or to nothing
    /// at all) is shown with its short id, and so is the one it copies; others by name.
    #[test]
    fn names_that_read_alike_are_told_apart_by_their_ids() {
        use model::MemberId;
        let (a, b, c, d) = (
            MemberId::from_bytes([0xa1; 16]),
            MemberId::from_bytes([0xb2; 16]),
            MemberId::from_bytes([0xc3; 16]),
            MemberId::from_bytes([0xd4; 16]),
        );
        let names: std::collections::BTreeMap<MemberId, String> = [
            (a.clone(), "Northside Tenants Union".to_owned()),
            (b.clone(), "northside\u{200b} tenants union".to_owned()),
            (c.clone(), "Eastside".to_owned()),
            (d.clone(), "\u{2800}".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            super::named(&names, &a),
            "Northside Tenants Union (a1a1a1a1)"
        );
        assert!(super::named(&names, &b).ends_with("(b2b2b2b2)"));
        assert_eq!(super::named(&names, &c), "Eastside");
        assert_eq!(super::named(&names, &d), "d4d4d4d4");
    }

    #[test]
    fn a_file_over_the_limit_or_without_end_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(super::read_limited(&path, 5).unwrap(), b"12345");
        let err = super::read_limited(&path, 4).unwrap_err().to_string();
        assert!(err.contains("larger than expected"), "{err}");
        #[cfg(unix)]
        {
            let err = super::read_limited(std::path::Path::new("/dev/zero"), 1024)
                .unwrap_err()
                .to_string();
            assert!(err.contains("/dev/zero"), "{err}");
        }
    }
}
