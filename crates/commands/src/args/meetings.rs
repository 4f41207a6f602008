//! `coalesce meeting`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// Record a meeting; prints its id
    Add {
        #[command(flatten)]
        c: CoalitionArg,
        /// Day it was held, YYYY-MM-DD
        #[arg(long)]
        date: model::Day,
        /// Facilitating member (id, prefix or exact name) [default: the next in the charter's
        /// rotation, the member with the fewest turns]
        #[arg(long, value_name = "MEMBER")]
        facilitator: Option<String>,
        /// A member present (repeat for several)
        #[arg(long = "attend", value_name = "MEMBER")]
        attendance: Vec<String>,
        /// An agenda item, up to 200 characters (repeat for several, up to 50); ITEM@MINUTES
        /// gives it a time box, e.g. --agenda "Fare campaign@20"
        #[arg(long = "agenda", value_name = "ITEM")]
        agenda: Vec<String>,
        /// A member that spoke in the check-in round (repeat for each, in the order they
        /// spoke; each must be present)
        #[arg(long = "checkin", value_name = "MEMBER")]
        checkins: Vec<String>,
        /// Minutes, up to 20,000 characters
        #[arg(long, default_value = "")]
        minutes: String,
        /// Read the minutes from FILE instead, `-` for standard input (text, up to 20,000
        /// characters)
        #[arg(long, value_name = "FILE", conflicts_with = "minutes")]
        minutes_file: Option<PathBuf>,
        /// A proposal decided at the meeting (repeat for several)
        #[arg(long = "decision", value_name = "PROPOSAL")]
        decisions: Vec<String>,
    },
    /// Propose a meeting and the times it could start, for members to answer; prints the plan's
    /// id
    Plan {
        #[command(flatten)]
        c: CoalitionArg,
        /// What the meeting is (up to 200 characters)
        #[arg(long)]
        title: String,
        /// A time it could start, in UTC: "2026-12-10 18:00", or RFC 3339 with its offset
        /// (repeat for each, up to 20)
        #[arg(long = "slot", value_name = "TIME", required = true)]
        slots: Vec<String>,
    },
    /// Answer a meeting plan's times for your organization, one answer per time in the plan's
    /// order: yes, if-needed or no (answering again replaces your answers)
    Answer {
        #[command(flatten)]
        c: CoalitionArg,
        /// The plan: id or unique prefix
        plan: String,
        /// One answer per time, e.g. yes no if-needed
        #[arg(required = true, num_args = 1..)]
        answers: Vec<String>,
    },
    /// Meeting plans, newest first: each time, those that work for the most members first,
    /// with who it leaves out and who has not answered
    Plans {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Show a meeting: who facilitated and was present, the check-in order, the agenda with
    /// its time boxes, the access plan (interpretation, accessibility needs, childcare and who
    /// asked), minutes and decisions
    Show {
        #[command(flatten)]
        c: CoalitionArg,
        /// Meeting id or unique prefix
        meeting: String,
        #[command(flatten)]
        format: Format,
    },
    /// List meetings, newest first
    List {
        #[command(flatten)]
        c: CoalitionArg,
        /// Only meetings this member attended or facilitated (id, prefix or exact name; a
        /// former member's too)
        #[arg(long, value_name = "MEMBER")]
        member: Option<String>,
        /// Only meetings held on or after this day, YYYY-MM-DD
        #[arg(long, value_name = "DAY")]
        from: Option<model::Day>,
        /// Only meetings held on or before this day, YYYY-MM-DD
        #[arg(long, value_name = "DAY")]
        to: Option<model::Day>,
        #[command(flatten)]
        format: Format,
    },
}
