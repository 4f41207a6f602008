//! `coalesce proposal`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum ProposalCmd {
    /// Open a proposal; prints its id
    New {
        #[command(flatten)]
        c: CoalitionArg,
        /// Kind of decision: public-statement or general. Amendments are opened by `charter
        /// amend`, allocations by `pool request`, removals by `member remove`.
        #[arg(long)]
        kind: DecisionKind,
        /// Short title, up to 200 characters
        title: String,
        /// Full text, up to 20,000 characters
        #[arg(long, default_value = "")]
        text: String,
        /// When positions stop counting: a day (YYYY-MM-DD, end of that day UTC) or a
        /// duration from now (7d, 48h, 30m)
        #[arg(long, value_name = "WHEN")]
        closes: Option<String>,
    },
    /// Take (or change) your organization's position on an open proposal
    ///
    /// A block always carries its reason. Under consensus and consent a single block stops
    /// the proposal (its outcome is `blocked`); under majority and super-majority a block
    /// counts as a no, and the proposal passes or fails by the count.
    Vote {
        #[command(flatten)]
        c: CoalitionArg,
        /// Proposal id or unique prefix
        proposal: String,
        /// agree, abstain, disagree or block
        stance: Stance,
        /// Why, up to 200 characters (required for a block)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Show a proposal, its positions and its outcome
    Show {
        #[command(flatten)]
        c: CoalitionArg,
        /// Proposal id or unique prefix
        proposal: String,
        #[command(flatten)]
        format: Format,
    },
    /// List proposals with their outcomes
    List {
        #[command(flatten)]
        c: CoalitionArg,
        /// Only the open proposals waiting for this organization's position, soonest closing
        /// first
        #[arg(long)]
        waiting: bool,
        #[command(flatten)]
        format: Format,
    },
}
