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
        /// Kind of decision: public-statement, general, or role (an election: --role,
        /// --candidate). Amendments are opened by `charter amend`, allocations by `pool
        /// request` (or, under the charter's allocation=budget, by a budget poll here: --kind
        /// allocation --method budget:SHARE --pool POOL --request all), removals by `member
        /// remove`.
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
        /// Decide by a poll among options instead of positions (a general proposal, with
        /// --option and --closes): choose (pick one), choose:MIN-MAX (approval), score[:MAX]
        /// (0 to 5 unless said), dots[:N] (8 unless said), ranked (instant runoff), condorcet
        /// (Schulze), stv:SEATS[:meek|:scottish] (an election), time (each option a time),
        /// budget:SHARE (each member gives up to SHARE over requests). Ballots are never
        /// anonymous: each is signed by its organization's node, as positions are
        #[arg(long, value_name = "METHOD")]
        method: Option<String>,
        /// An option of the poll, in order (repeat): a wording, a candidate, a time, a
        /// request
        #[arg(long = "option", value_name = "TEXT")]
        options: Vec<String>,
        /// For a budget: a request's ask, in the options' order (repeat)
        #[arg(long = "ask", value_name = "AMOUNT")]
        asks: Vec<String>,
        /// A poll over the issue inventory (--method dots or score): an issue it ranks, by
        /// id or prefix (repeat), or `all` for every issue not won or dropped; their titles
        /// are the options. Once it closes with its quorum its result is the inventory's
        /// priority (`issue list --by priority`)
        #[arg(long = "issue", value_name = "ISSUE", conflicts_with = "options")]
        issues: Vec<String>,
        /// An allocation decided by a budget poll (--kind allocation --method budget:SHARE,
        /// under the charter's allocation=budget): the pool, by id or prefix, whose
        /// requests it funds
        #[arg(long, value_name = "POOL", requires = "requests")]
        pool: Option<String>,
        /// With --pool: a request it funds, by its entry's id or prefix (repeat), or `all`
        /// for every request awaiting a budget poll; each request's member and reason is an
        /// option and its amount the ask. Once it closes with its quorum, the requests its
        /// count funds are allocated, most given first, while the pool holds enough
        #[arg(
            long = "request",
            value_name = "ENTRY",
            requires = "pool",
            conflicts_with_all = ["options", "asks", "issues"]
        )]
        requests: Vec<String>,
        /// An election of role holders (--kind role --method stv:SEATS, ranked or
        /// condorcet): the role it fills: spokespeople, statement-signoff or delegates (to the
        /// coalitions it links with). Once it closes
        /// with its quorum, those it elects hold the role until a later election of it passes
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// With --role: a candidate, a member by id, prefix or exact name (repeat), or `all`
        /// for every member in force; their names are the options
        #[arg(
            long = "candidate",
            value_name = "MEMBER",
            requires = "role",
            conflicts_with_all = ["options", "asks", "issues", "requests"]
        )]
        candidates: Vec<String>,
        /// Answer a call from a coalition we are an affiliate of (--kind general): the call's
        /// id or prefix (`statement received` lists calls). The proposal closes when the call
        /// does; once decided, its outcome is our mandate position
        /// (passed: for; failed or blocked: against), drafted by this node and co-signed by the
        /// members' nodes on their own
        #[arg(
            long,
            value_name = "CALL",
            conflicts_with_all = ["method", "options", "asks", "issues", "pool", "requests", "role"]
        )]
        answers: Option<String>,
    },
    /// Take (or change) your organization's position on an open proposal, or its ballot in
    /// an open poll
    ///
    /// A block always carries its reason. Under consensus and consent a single block stops
    /// the proposal (its outcome is `blocked`); under majority and super-majority a block
    /// counts as a no, and the proposal passes or fails by the count.
    ///
    /// In a poll, give the ballot its method takes, naming options by their text or their
    /// number from 1 (by number where a text holds a comma): --rank 2,1,3 (ranked, condorcet,
    /// stv), --choose 1,3, --score 1=4,2=5, --dots 1=5,2=3, --slot 1=yes --slot 2=if-needed
    /// (time; a time left out is a no), --give 1=150,3=100 (budget). Casting again changes
    /// the ballot. Ballots are signed by your node: they are not anonymous.
    Vote {
        #[command(flatten)]
        c: CoalitionArg,
        /// Proposal id or unique prefix
        proposal: String,
        /// agree, abstain, disagree or block (not in a poll)
        stance: Option<Stance>,
        /// In a ranked, condorcet or stv poll: options from most to least preferred
        #[arg(long, value_delimiter = ',', value_name = "OPTIONS")]
        rank: Vec<String>,
        /// In a choose poll: the options picked
        #[arg(long, value_delimiter = ',', value_name = "OPTIONS")]
        choose: Vec<String>,
        /// In a score poll: OPTION=SCORE for each option scored
        #[arg(long, value_delimiter = ',', value_name = "OPTION=SCORE")]
        score: Vec<String>,
        /// In a dots poll: OPTION=DOTS
        #[arg(long, value_delimiter = ',', value_name = "OPTION=DOTS")]
        dots: Vec<String>,
        /// In a time poll: OPTION=yes, OPTION=if-needed or OPTION=no (repeat)
        #[arg(long = "slot", value_name = "OPTION=ANSWER")]
        slots: Vec<String>,
        /// In a budget poll: OPTION=AMOUNT given to each request
        #[arg(long, value_delimiter = ',', value_name = "OPTION=AMOUNT")]
        give: Vec<String>,
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
