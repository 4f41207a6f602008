//! `coalesce issue`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum IssueCmd {
    /// Raise an issue; prints its id
    Add {
        #[command(flatten)]
        c: CoalitionArg,
        /// Short title, up to 200 characters
        title: String,
        /// Longer description, up to 20,000 characters
        #[arg(long, default_value = "")]
        description: String,
        /// Identity tag it touches, e.g. race, gender, disability, language,
        /// immigration-status, class (repeat for several; any tag is accepted)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Lead member (id, prefix or exact name) [default: your organization]
        #[arg(long, value_name = "MEMBER")]
        lead: Option<String>,
    },
    /// Edit an issue's shared record
    Edit {
        #[command(flatten)]
        c: CoalitionArg,
        /// Issue id or unique prefix
        issue: String,
        /// New title (up to 200 characters)
        #[arg(long)]
        title: Option<String>,
        /// New description (up to 20,000 characters)
        #[arg(long)]
        description: Option<String>,
        /// New status: raised, adopted, parallel-campaign, won, dropped
        #[arg(long)]
        status: Option<IssueStatus>,
        /// New lead member
        #[arg(long, value_name = "MEMBER")]
        lead: Option<String>,
        /// Tag to add (repeat for several)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Add evidence to an issue
    Evidence {
        #[command(flatten)]
        c: CoalitionArg,
        /// Issue id or unique prefix
        issue: String,
        /// Where it comes from (up to 200 characters)
        #[arg(long)]
        source: String,
        /// The figure or finding (up to 200 characters)
        #[arg(long)]
        figure: String,
        /// How the data is disaggregated (by race, gender, language...; up to 200 characters)
        #[arg(long, default_value = "")]
        disaggregation: String,
    },
    /// Mark an issue as shared by your organization, with its priority (1 = highest, 10 = lowest)
    Share {
        #[command(flatten)]
        c: CoalitionArg,
        /// Issue id or unique prefix
        issue: String,
        /// Your priority for it: 1 (highest) to 10
        #[arg(long)]
        rank: Rank,
    },
    /// Withdraw your organization's share of an issue
    Unshare {
        #[command(flatten)]
        c: CoalitionArg,
        /// Issue id or unique prefix
        issue: String,
    },
    /// List issues
    List {
        #[command(flatten)]
        c: CoalitionArg,
        /// Only issues with this tag
        #[arg(long)]
        tag: Option<String>,
        /// Only issues with this status
        #[arg(long)]
        status: Option<IssueStatus>,
        /// The order: oldest first, or the priority the latest poll over issues decided
        /// (`proposal new --method dots --issue ...`), then the issues it did not rank
        #[arg(long, value_enum, default_value = "age")]
        by: crate::ops::issues::IssueOrder,
        #[command(flatten)]
        format: Format,
    },
    /// Show one issue in full
    Show {
        #[command(flatten)]
        c: CoalitionArg,
        /// Issue id or unique prefix
        issue: String,
        #[command(flatten)]
        format: Format,
    },
    /// Rank issues by how many members share them and how high they rank them
    Overlap {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
}
