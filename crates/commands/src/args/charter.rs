//! `coalesce charter` and `coalesce goal`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum CharterCmd {
    /// Show the charter in force
    Show {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Open an amendment to the charter; prints the proposal's id. Once it passes under the
    /// charter's amendment rule it becomes the next charter version on every node
    Amend {
        #[command(flatten)]
        c: CoalitionArg,
        /// A new unifying frame (up to 20,000 characters)
        #[arg(long)]
        frame: Option<String>,
        /// A value to add, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "add-value", value_name = "TEXT")]
        add_values: Vec<String>,
        /// A commitment to add, up to 200 characters (repeat for several, up to 50)
        #[arg(long = "add-commitment", value_name = "TEXT")]
        add_commitments: Vec<String>,
        /// A decision rule to set: KIND=METHOD[:FRACTION][@QUORUM], KIND one of amendment,
        /// admission, membership (removal), allocation, public-statement, general, role, link
        /// (links with other coalitions: the amendment rule unless set); METHOD one
        /// of consensus, consent, majority, super-majority (with a FRACTION), or for
        /// admission `invite`; for general decisions also a poll method (choose, score, dots,
        /// ranked, condorcet, stv, time, budget; with its settings to fix them, e.g. score:10
        /// or stv:2): every general decision is then a poll by it, its quorum the share of
        /// members casting a ballot; for allocations `budget` (participatory budgets over a
        /// pool's requests); for role (elections of spokespeople, statement sign-off and
        /// delegates) stv, stv:SEATS, stv:SEATS:scottish, ranked or condorcet. E.g. --rule amendment=super-majority:2/3@1/2,
        /// --rule general=ranked@2/3, --rule allocation=budget, --rule role=stv:2 (repeat for
        /// several)
        #[arg(long = "rule", value_name = "KIND=METHOD")]
        rules: Vec<model::schema::RuleChange>,
        /// A new share above which one member is flagged (pool equity and the power audit)
        #[arg(long, value_name = "FRACTION")]
        equity_threshold: Option<model::Fraction>,
        /// A member's weight in polls: KIND:MEMBER=WEIGHT, KIND general, allocation (budget
        /// polls: its share counts that many times) or role (elections),
        /// MEMBER an organization's id or exact name, WEIGHT from 1 to 1000000 (by people
        /// represented, say; 1 weighs as every other member). Every ballot in a poll opened
        /// after the amendment passes counts its member's weight times. E.g. --weight
        /// "general:Eastside Tenants=3" (repeat for several)
        #[arg(long = "weight", value_name = "KIND:MEMBER=WEIGHT")]
        weights: Vec<String>,
        /// Short title, up to 200 characters [default: a summary of the changes]
        #[arg(long)]
        title: Option<String>,
        /// Why: the amendment's full text, up to 20,000 characters
        #[arg(long, default_value = "")]
        text: String,
        /// When positions stop counting: a day (YYYY-MM-DD, end of that day UTC) or a
        /// duration from now (7d, 48h, 30m)
        #[arg(long, value_name = "WHEN")]
        closes: Option<String>,
    },
    /// List ratified charter versions and who agreed to each
    Versions {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Shared goals with measurable benchmarks
    #[command(subcommand)]
    Goal(GoalCmd),
}

#[derive(Debug, Subcommand)]
pub enum GoalCmd {
    /// Add a shared goal; prints its id
    Add {
        #[command(flatten)]
        c: CoalitionArg,
        /// What the coalition wants to achieve (up to 200 characters)
        title: String,
        /// The benchmark's target figure
        #[arg(long, allow_negative_numbers = true)]
        target: Amount,
        /// Unit of the target (percent, households, USD...; up to 200 characters)
        #[arg(long)]
        unit: String,
    },
    /// Record progress towards a goal
    Progress {
        #[command(flatten)]
        c: CoalitionArg,
        /// Goal id or unique prefix
        goal: String,
        /// The figure reached
        #[arg(long, allow_negative_numbers = true)]
        value: Amount,
        /// Day of the measurement, YYYY-MM-DD [default: today]
        #[arg(long)]
        date: Option<model::Day>,
        /// How it was measured (up to 200 characters)
        #[arg(long, default_value = "")]
        note: String,
    },
}
