//! `coalesce link`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

// Parsed once per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum LinkCmd {
    /// Propose a link with another coalition (a regional coalition with a national partner);
    /// prints the proposal's id. Once it passes under the charter's link rule (the amendment
    /// rule unless the charter names one), the link is in force on this side; the other
    /// coalition decides its own side by its own rules
    Propose {
        #[command(flatten)]
        c: CoalitionArg,
        /// The other coalition: its id (ask one of its members: `coalition list --json` prints
        /// it whole), or the start of it if this node is a member of it too
        #[arg(long = "with", value_name = "COALITION")]
        with: String,
        /// Its name (by default the name it gives itself, if this node holds it)
        #[arg(long)]
        name: Option<String>,
        /// What the other coalition is to this one: affiliate (a region of ours, whose statements
        /// we take) or parent (we are its affiliate, and publish to it)
        #[arg(long)]
        relation: String,
        /// Kinds of statement to publish to it, comma-separated: issue, pool, goal, decision,
        /// and call (to an affiliate) or mandate (to a parent)
        #[arg(long, value_name = "KINDS")]
        publish: Vec<String>,
        /// Publish only issues with this tag (repeat for several; none: every issue)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Publish only this goal's progress (id or prefix; repeat; none: every goal)
        #[arg(long = "goal", value_name = "GOAL")]
        goals: Vec<String>,
        /// Publish only this pool's totals (id or prefix; repeat; none: every pool)
        #[arg(long = "pool", value_name = "POOL")]
        pools: Vec<String>,
        /// How many of our members co-sign each statement we publish (default 2: one member
        /// alone never speaks for the coalition)
        #[arg(long, value_name = "K")]
        threshold: Option<u64>,
        /// Kinds of statement to take from it, comma-separated (as --publish)
        #[arg(long, value_name = "KINDS")]
        accept: Vec<String>,
        /// How many of its members must sign each statement we take (default 2)
        #[arg(long, value_name = "K")]
        their_threshold: Option<u64>,
        /// The id of its roster to trust first (64 hex digits), when taking statements: get it
        /// from one of its members. Named by a link that only publishes too, our nodes take its
        /// rosters and so know its member nodes, to pass our statements to them
        #[arg(long, value_name = "ID")]
        roster: Option<String>,
        /// For an affiliate, its weight in our mandates: a whole number, or `members` (its
        /// number of members, the default)
        #[arg(long, value_name = "WEIGHT")]
        weight: Option<String>,
        /// Short title (by default "Link with NAME")
        #[arg(long)]
        title: Option<String>,
        /// Why: the proposal's full text
        #[arg(long, default_value = "")]
        text: String,
        /// When positions stop counting: a day (YYYY-MM-DD) or a duration from now (7d, 48h);
        /// 14 days by default
        #[arg(long, value_name = "WHEN")]
        closes: Option<String>,
    },
    /// Propose ending a link; prints the proposal's id. Once it passes, the link is no longer
    /// in force on this side (what was published before stays published)
    End {
        #[command(flatten)]
        c: CoalitionArg,
        /// The linked coalition: its id or the start of it (`link list`)
        #[arg(long = "with", value_name = "COALITION")]
        with: String,
        /// Short title (by default "End the link with NAME")
        #[arg(long)]
        title: Option<String>,
        /// Why: the proposal's full text
        #[arg(long, default_value = "")]
        text: String,
        /// When positions stop counting: a day (YYYY-MM-DD) or a duration from now (7d, 48h);
        /// 14 days by default
        #[arg(long, value_name = "WHEN")]
        closes: Option<String>,
    },
    /// The links in force: with whom, what we publish to each and take from it
    List {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// What the affiliates published, rolled up: their issues and the tags several share,
    /// their pools' totals, their goals' progress, their decisions, each with where it came
    /// from (`statement verify` checks one again)
    Affiliates {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// The affiliates' positions on one of our proposals (a call asked them), each decided by
    /// the affiliate's own proposal and counted with its link's weight, beside our own
    /// members' positions
    Mandates {
        #[command(flatten)]
        c: CoalitionArg,
        /// The proposal: its id or the start of it
        proposal: String,
        #[command(flatten)]
        format: Format,
    },
}
