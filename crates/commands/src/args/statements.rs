//! `coalesce statement`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum StatementCmd {
    /// Draft a statement of this coalition's records for its links, computed from this node's
    /// copy now, and co-sign it; prints its id. The other members then run `statement sign ID`
    /// on their nodes, each signing only if it computes the same
    Draft {
        #[command(flatten)]
        c: CoalitionArg,
        /// What it states: roster (the members and their node keys), issue, pool (totals over
        /// a period), goal (progress), decision, call (asks affiliates their position on a
        /// proposal of ours) or mandate (our position on a call we received, as our own
        /// proposal decided it)
        #[arg(long)]
        kind: String,
        /// The record it is about: an issue, pool, goal or proposal id, or the start of one
        /// (none for a roster; our proposal for a call or a mandate)
        #[arg(long)]
        record: Option<String>,
        /// For a mandate: the call it answers (its id or the start of it, `statement received`)
        #[arg(long)]
        call: Option<String>,
        /// For a pool's totals: the period's first day (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// For a pool's totals: the period's last day (YYYY-MM-DD, included)
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
    },
    /// Co-sign a statement another member drafted: this node computes it again from its own
    /// copy and signs only if the bytes are the same (else it says what differs)
    Sign {
        #[command(flatten)]
        c: CoalitionArg,
        /// The statement: its id or the start of it (`statement list`)
        statement: String,
    },
    /// The statements drafted, with who co-signed each
    List {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Write the statements complete for a link (co-signed by enough members) to a file, for
    /// organizations that exchange files rather than connect
    Export {
        #[command(flatten)]
        c: CoalitionArg,
        /// The linked coalition: its id or the start of it (`link list`)
        #[arg(long = "link", value_name = "COALITION")]
        link: String,
        /// The file to write (replaced if it exists)
        #[arg(long = "out", value_name = "FILE")]
        out: PathBuf,
    },
    /// Import a statements file a linked coalition exported: each statement is checked as if it
    /// arrived over the network (the link takes its kind; enough members of the publisher's
    /// roster signed it) and stored, or refused with the reason
    Import {
        #[command(flatten)]
        c: CoalitionArg,
        /// The statements file
        file: PathBuf,
        #[command(flatten)]
        format: Format,
    },
    /// The statements received from linked coalitions, with where each came from (who signed,
    /// as of when) and whether a later one replaced it
    Received {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// The calls received from coalitions we are an affiliate of: what each asks, by when a
    /// position must be decided, and our proposals answering it (`proposal new --answers`)
    Calls {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// Check a statement received again: that enough members of its publisher's roster signed
    /// it, as the link asks; prints where it came from, or why it does not verify (and fails)
    Verify {
        #[command(flatten)]
        c: CoalitionArg,
        /// The statement: its id or the start of it (`statement received`)
        statement: String,
        #[command(flatten)]
        format: Format,
    },
}
