//! The command-line grammar: `coalesce NOUN VERB [ARGS]`.
//!
//! Doc comments here are the command line's `--help` text, which people and scripts rely
//! on: the fields that hold a subcommand or a flattened group of options, and the enums of
//! subcommands, carry their help where they are defined, so they have none of their own
//! (`missing_docs` is allowed for this module alone). Their brackets are the usual notation
//! of optional parts (`KIND=METHOD[:FRACTION]`), not links.
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use model::{Amount, DecisionKind, IssueStatus, PoolKind, Rank, Stance};

mod charter;
mod issues;
mod links;
mod meetings;
mod members;
mod pools;
mod proposals;
mod statements;

pub use charter::*;
pub use issues::*;
pub use links::*;
pub use meetings::*;
pub use members::*;
pub use pools::*;
pub use proposals::*;
pub use statements::*;

/// Keep a coalition's charter, joint issues, resource pools and decisions on your own node.
///
/// Every command works on the node in --home (or $COALESCE_HOME). Commands that create
/// something print its id alone on standard output; messages go to standard error. Ids can be
/// shortened to any unique prefix.
#[derive(Debug, Parser)]
#[command(
    name = "coalesce",
    version = concat!(env!("CARGO_PKG_VERSION"), " (protocol 17)"),
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The node's data folder [default: the user's data directory]
    #[arg(long, global = true, env = "COALESCE_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up this node: a node key for your organization and an empty store; prints the node
    /// id. On a node that was started without a name, names it
    Init {
        /// Your organization's name, as other members will see it (up to 200 characters)
        #[arg(long)]
        org: String,
    },
    /// Rename your organization on this node (the name it gives when it joins a coalition);
    /// your name inside a coalition is changed with `member update --name`
    Rename {
        /// The new name (up to 200 characters)
        org: String,
    },
    /// Found and list coalitions
    #[command(subcommand)]
    Coalition(CoalitionCmd),
    /// The charter: read it, amend it, its ratified versions, shared goals
    #[command(subcommand)]
    Charter(CharterCmd),
    /// Member organizations: list, remove, leave, device keys
    #[command(subcommand)]
    Member(MemberCmd),
    /// The joint issue inventory
    #[command(subcommand)]
    Issue(IssueCmd),
    /// Resource pools: pledges, contributions, requests, ledger and equity
    #[command(subcommand)]
    Pool(PoolCmd),
    /// Proposals and positions
    #[command(subcommand)]
    Proposal(ProposalCmd),
    /// Meeting records
    #[command(subcommand)]
    Meeting(MeetingCmd),
    /// Links with other coalitions (regional and national partners): propose, end, list
    #[command(subcommand)]
    Link(LinkCmd),
    /// Statements this coalition publishes to its links: draft, co-sign, list, export
    #[command(subcommand)]
    Statement(StatementCmd),
    /// Invite another organization's node to a coalition (needs the running node)
    #[command(subcommand)]
    Invite(InviteCmd),
    /// Join a coalition with an invite code (needs the running node); prints the coalition id
    /// once its data has arrived, and on the way how the join is going. A join left waiting
    /// (Ctrl-C, --wait) goes on in the node, across restarts too, until it completes or is
    /// cancelled
    #[command(group(clap::ArgGroup::new("what").args(["code", "pending", "cancel"]).required(true)))]
    Join {
        /// The invite code, as the inviting organization sent it
        code: Option<String>,
        /// Your organization's name, as other members will see it (up to 200 characters)
        #[arg(long, requires = "code")]
        org: Option<String>,
        /// How long to wait for the coalition to arrive, in seconds
        #[arg(long, default_value_t = 60)]
        wait: u64,
        /// List the joins this node started that have not completed
        #[arg(long)]
        pending: bool,
        /// Stop joining a coalition (its id or a prefix, as `join --pending` lists it)
        #[arg(long, value_name = "COALITION")]
        cancel: Option<String>,
        #[command(flatten)]
        format: Format,
    },
    /// This node: its id, addresses, coalitions, and for each member node whether it is
    /// connected, when it last synced and how many changes it is behind
    Status {
        #[command(flatten)]
        format: Format,
    },
    /// Print a one-time link that signs this machine's browser in to the node's web UI
    /// (it works once, for 10 minutes); the node must be running
    Ui {
        /// Also open the link in this machine's browser
        #[arg(long)]
        open: bool,
    },
    /// People of your organization who use this node's web UI from other machines on its LAN
    /// (over TLS, with a password): add, list, remove, reset; what they did. People are this
    /// node's alone, never shared with other members (needs the running node)
    #[command(subcommand)]
    Person(PersonCmd),
    /// Who changed what and when in shared records; restore an earlier value
    History(HistoryArgs),
    /// Translate a shared record's text into a language members work in. The translation is
    /// your organization's own (only it can change it) and names you as translator; the
    /// original stays as written
    Translate(TranslateArgs),
    /// Translations of shared records, and how many records still lack one in each language
    /// the members work in
    Translations(TranslationsArgs),
    /// Audits: how power is shared in a coalition, and what this node refused from peers
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Write a coalition as a standard .automerge file plus readable JSON (and, with --csv,
    /// its tables for spreadsheets)
    Export {
        #[command(flatten)]
        c: CoalitionArg,
        /// Folder to write into (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also write the issue inventory, ledgers, decisions, members and goal progress as
        /// CSV files (UTF-8, a header row) that spreadsheet programs open. A cell a member
        /// wrote that a spreadsheet would run as a formula (=, +, -, @) starts with '
        #[arg(long)]
        csv: bool,
    },
    /// A progress report in plain language over a period: goals against their targets,
    /// decisions, resources, who benefits and who is left out, who took part, charter
    /// changes. Written to standard output, or to --out FILE
    Report(ReportArgs),
    /// Back up this node into one file (while the node runs, too): its coalitions and a new
    /// device key that your organization certifies now; prints that key. Keep the file like
    /// a password
    Backup {
        /// The backup file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists. If it holds an earlier backup whose device key was
        /// never used, that key is revoked in every coalition
        #[arg(long)]
        force: bool,
    },
    /// Set up a node in --home from a backup: the same organization, under the backup's
    /// device key; it catches up from its peers once `coalesce-node` runs. Restore a backup
    /// once
    Restore {
        /// The backup file
        file: PathBuf,
    },
    /// Write this node's identity (its key, organization name and known peers) sealed with a
    /// passphrase, for safekeeping in case the machine is lost
    ExportIdentity {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Read the passphrase from this file [default: $COALESCE_PASSPHRASE, else ask]
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Set up a node in --home from a sealed identity: it takes in every coalition its peers
    /// share with it during the next 7 days. Only if the old node is gone for good: two
    /// nodes under one key split a coalition
    ImportIdentity {
        /// The sealed identity file
        file: PathBuf,
        /// Read the passphrase from this file [default: $COALESCE_PASSPHRASE, else ask]
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Print a shell completion script: `coalesce completions bash > ~/.local/share/bash-completion/completions/coalesce`
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Write man pages for coalesce and every subcommand into a folder
    Man {
        /// Folder to write into (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Tools for testing the node itself
    #[command(subcommand, hide = true)]
    Debug(DebugCmd),
}

/// What a person may do in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    /// Read everything and change records, for your organization
    Editor,
    /// Read everything, change nothing
    Viewer,
}

impl From<RoleArg> for replica::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Editor => Self::Editor,
            RoleArg::Viewer => Self::Viewer,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PersonCmd {
    /// Give a person an account; prints their one-time setup link (it works for 3 days),
    /// where they choose a password. Send it to them privately
    Add {
        /// The name they sign in with (up to 64 characters; any case)
        name: String,
        /// editor (reads and changes records) or viewer (reads only)
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// The people with accounts: role, state (active, waiting for setup, expired), last change
    List {
        #[command(flatten)]
        format: Format,
    },
    /// Remove a person's account; they are signed out at their next page
    Remove {
        /// Their name (any case)
        name: String,
    },
    /// Forget a person's password (and sign them out); prints a new setup link. Also to change
    /// their role
    Reset {
        /// Their name (any case)
        name: String,
        /// Their new role [default: unchanged]
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
    },
    /// What people did through the UI (each change is signed by your node; this log, kept on
    /// this node only, says who made it), oldest first
    Log {
        /// Only this person's
        #[arg(long)]
        person: Option<String>,
        #[command(flatten)]
        format: Format,
    },
}

/// `coalesce history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub c: CoalitionArg,
    /// Only changes to this record (issue, pool, meeting, proposal or goal id, or prefix)
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
    /// With --record and --field: write the value the field had just after this change
    /// (hash or unique prefix, from the history) as a new change
    #[arg(long, value_name = "CHANGE", requires_all = ["record", "field"])]
    pub restore: Option<String>,
    /// The field to restore: title, description, status, lead, name, unit or minutes
    #[arg(long, requires = "restore")]
    pub field: Option<String>,
    #[command(flatten)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Per member: share of proposals authored, facilitation turns, resources given and
    /// received, participation and blocks; flags a member above the charter's share
    Power {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Messages and changes this node refused from peers, newest last, with the rule each
    /// broke and the peer that sent it
    Refused {
        #[command(flatten)]
        format: Format,
    },
    /// Edits this node had stored that were set aside because a member's node forked its
    /// history (they, or what they built on, came from the forked key): kept here, out of
    /// the coalition, to be entered again
    Aside {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
}

/// Which coalition a command acts on.
#[derive(Debug, Args)]
pub struct CoalitionArg {
    /// Coalition id or unique prefix; may be left out when this node holds one coalition
    #[arg(long = "coalition", env = "COALESCE_COALITION", value_name = "ID")]
    pub id: Option<String>,
}

/// `--json` for listings.
#[derive(Debug, Args, Clone, Copy)]
pub struct Format {
    /// Print JSON for scripts instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CoalitionCmd {
    /// Found a coalition with your organization as first member; prints its id
    Create {
        /// The coalition's name (up to 200 characters)
        name: String,
        /// The unifying frame: what brings the members together (up to 20,000 characters)
        #[arg(long, default_value = "")]
        frame: String,
        /// A core value, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "value", value_name = "TEXT")]
        values: Vec<String>,
        /// A non-negotiable commitment, e.g. nonviolence, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "commitment", value_name = "TEXT")]
        commitments: Vec<String>,
        /// Flag a member that receives more than this share of a pool's allocations
        #[arg(long, value_name = "FRACTION", default_value = "1/2")]
        equity_threshold: model::Fraction,
    },
    /// List the coalitions this node holds
    List {
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum InviteCmd {
    /// Create a one-time invite code; prints it alone on standard output
    Create {
        #[command(flatten)]
        c: CoalitionArg,
        /// How long the code stays valid: a duration in days, hours or minutes (7d, 48h,
        /// 30m), or a day (2026-12-31: through the end of that day, UTC)
        #[arg(long, default_value = "7d")]
        expires: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DebugCmd {
    /// The peers' addresses this node remembers (JSON)
    KnownPeers,
    /// Where a join stands: joined, pending, or refused with the reason (running node only)
    JoinStatus {
        /// The coalition id
        coalition: String,
    },
    /// Raise COUNT issues one by one, printing each id once it is durably stored
    WriteLoop {
        #[command(flatten)]
        c: CoalitionArg,
        /// How many issues to raise
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
    /// Make the running node's core thread panic, to test that the node then stops visibly
    /// (only a node started with COALESCE_DEBUG_PANIC=1 obeys)
    #[command(hide = true)]
    Panic,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// The help of the argument `arg` of the command at `path`.
    fn help(path: &[&str], arg: &str) -> String {
        let mut cmd = Cli::command();
        for name in path {
            cmd = cmd
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("no command {name} in {path:?}"))
                .clone();
        }
        let a = cmd
            .get_arguments()
            .find(|a| a.get_id() == arg)
            .unwrap_or_else(|| panic!("no argument {arg} of {path:?}"));
        a.get_help().map(ToString::to_string).unwrap_or_default()
    }

    /// Every free text a person types says how long it may be, as the model checks it:
    /// 200 characters for names, titles, reasons and list items, 20,000 for texts.
    #[test]
    fn every_free_text_says_its_limit_in_help() {
        let short = "up to 200 characters";
        let long = "up to 20,000 characters";
        let cases: &[(&[&str], &str, &str)] = &[
            (&["init"], "org", short),
            (&["rename"], "org", short),
            (&["join"], "org", short),
            (&["coalition", "create"], "name", short),
            (&["coalition", "create"], "frame", long),
            (&["coalition", "create"], "values", short),
            (&["coalition", "create"], "commitments", short),
            (&["charter", "amend"], "frame", long),
            (&["charter", "amend"], "add_values", short),
            (&["charter", "amend"], "add_commitments", short),
            (&["charter", "amend"], "title", short),
            (&["charter", "amend"], "text", long),
            (&["charter", "goal", "add"], "title", short),
            (&["charter", "goal", "add"], "unit", short),
            (&["charter", "goal", "progress"], "note", short),
            (&["member", "remove"], "reason", short),
            (&["member", "update"], "name", short),
            (&["member", "update"], "communities", short),
            (&["member", "update"], "languages", short),
            (&["member", "update"], "accessibility", short),
            (&["member", "update"], "contact", short),
            (&["issue", "add"], "title", short),
            (&["issue", "add"], "description", long),
            (&["issue", "edit"], "title", short),
            (&["issue", "edit"], "description", long),
            (&["issue", "evidence"], "source", short),
            (&["issue", "evidence"], "figure", short),
            (&["issue", "evidence"], "disaggregation", short),
            (&["pool", "create"], "name", short),
            (&["pool", "create"], "unit", short),
            (&["pool", "create"], "description", long),
            (&["pool", "request"], "reason", short),
            (&["proposal", "new"], "title", short),
            (&["proposal", "new"], "text", long),
            (&["proposal", "vote"], "reason", short),
            (&["meeting", "add"], "agenda", short),
            (&["meeting", "add"], "minutes", long),
        ];
        for (path, arg, limit) in cases {
            let h = help(path, arg);
            assert!(
                h.contains(limit),
                "{path:?} {arg}: {h:?} does not say {limit:?}"
            );
        }
    }
}

/// `report`: which progress report, and where it goes.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub c: CoalitionArg,
    /// First day covered, YYYY-MM-DD [default: the first record]
    #[arg(long, value_name = "DAY")]
    pub from: Option<String>,
    /// Last day covered, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "DAY")]
    pub to: Option<String>,
    /// Language of the report: en (English) or es (Spanish)
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// html: one file with its charts inside, to print (A4 or Letter) or share; md: Markdown;
    /// json: the figures and the words, for scripts
    #[arg(long, value_name = "FORMAT", default_value = "html")]
    pub format: String,
    /// Write the report to this file instead of standard output (replaced if it exists)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `translate`: a translation of one field of a shared record.
#[derive(Debug, Args)]
pub struct TranslateArgs {
    #[command(flatten)]
    pub c: CoalitionArg,
    /// The record: an issue's, proposal's, meeting's or goal's id or unique prefix, or
    /// `charter`
    pub record: String,
    /// The field: title or description (an issue), title, text or reason:MEMBER (a
    /// proposal), minutes (a meeting), title (a goal), frame, value:N or commitment:N (the
    /// charter, N from 1), evidence:N (an issue's Nth piece of evidence)
    #[arg(long)]
    pub field: String,
    /// The language you translate into: a code such as es, en, fr, vi, zh or es-MX
    #[arg(long, value_name = "LANG")]
    pub lang: String,
    /// The translation (up to 20,000 characters)
    pub text: String,
    /// Say that a machine translated it (readers are told); no outside service is called
    #[arg(long)]
    pub machine: bool,
}

/// `translations`: which translations a coalition holds, and what lacks one.
#[derive(Debug, Args)]
pub struct TranslationsArgs {
    #[command(flatten)]
    pub c: CoalitionArg,
    /// Only translations into this language, and what lacks one in it
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Only translations of this record (an id or unique prefix, or `charter`)
    #[arg(long, value_name = "RECORD")]
    pub record: Option<String>,
    #[command(flatten)]
    pub format: Format,
}
