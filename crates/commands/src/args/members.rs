//! `coalesce member` and `coalesce member key`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// List member organizations
    List {
        #[command(flatten)]
        c: CoalitionArg,
        /// Also list former members and members awaiting an admission vote
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        format: Format,
    },
    /// Propose removing a member: opens a membership proposal decided by the other members
    /// under the charter's membership rule; prints its id
    Remove {
        #[command(flatten)]
        c: CoalitionArg,
        /// The member to remove (id, prefix or exact name)
        member: String,
        /// Why (up to 200 characters)
        #[arg(long, default_value = "")]
        reason: String,
        /// When positions stop counting: a day (YYYY-MM-DD, end of that day UTC) or a
        /// duration from now (7d, 48h, 30m)
        #[arg(long, value_name = "WHEN")]
        closes: Option<String>,
    },
    /// Your organization's node keys: list them, add another device (a second laptop running
    /// its own node) or revoke one
    #[command(subcommand)]
    Key(KeyCmd),
    /// Leave a coalition: your organization writes nothing more to it and the other nodes
    /// stop sending it to you; what you wrote stays in its history. On a terminal it asks
    /// first
    Leave {
        #[command(flatten)]
        c: CoalitionArg,
        /// Leave without asking (for scripts; without a terminal it does not ask either)
        #[arg(long)]
        yes: bool,
    },
    /// Update your organization's profile in a coalition (lists given replace the old ones)
    Update {
        #[command(flatten)]
        c: CoalitionArg,
        /// Organization name (up to 200 characters)
        #[arg(long)]
        name: Option<String>,
        /// A community you represent, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "community", value_name = "TEXT")]
        communities: Vec<String>,
        /// A language you work in, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "language", value_name = "TEXT")]
        languages: Vec<String>,
        /// An accessibility need to plan for, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "accessibility", value_name = "TEXT")]
        accessibility: Vec<String>,
        /// How to reach you (up to 200 characters)
        #[arg(long)]
        contact: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// List your organization's node keys: this node, backups' and other devices', when each
    /// was added and when this node last saw it at work
    List {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Let another node act for your organization: give its node id (printed by its
    /// `coalesce init`)
    Add {
        #[command(flatten)]
        c: CoalitionArg,
        /// The other node's id
        key: model::NodeKey,
    },
    /// Stop a node acting for your organization: what it signs from now on is refused
    Revoke {
        #[command(flatten)]
        c: CoalitionArg,
        /// The node's id
        key: model::NodeKey,
    },
}
