//! `coalesce pool`.
//! (Doc comments are `--help` text, as in the parent module.)
#![allow(missing_docs, rustdoc::broken_intra_doc_links)]

use super::*;

#[derive(Debug, Subcommand)]
pub enum PoolCmd {
    /// Create a resource pool; prints its id
    Create {
        #[command(flatten)]
        c: CoalitionArg,
        /// Pool name (up to 200 characters)
        name: String,
        /// What it holds: funds, volunteer-hours, space, equipment
        #[arg(long)]
        kind: PoolKind,
        /// Unit of its amounts (USD, hours, rooms...; up to 200 characters)
        #[arg(long)]
        unit: String,
        /// What the pool is for (up to 20,000 characters)
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Pledge to a pool; prints the ledger entry id
    Pledge(Gift),
    /// Record a contribution actually given; prints the ledger entry id
    Contribute(Gift),
    /// Request an allocation for your organization; opens the allocation proposal that decides
    /// it and prints the proposal's id
    ///
    /// A request that passes is paid only if the pool still holds enough when it is decided:
    /// allocations are taken in the order they were decided, the same on every node, and one
    /// that no longer fits is shown as passed but unfunded (nothing is paid).
    Request {
        #[command(flatten)]
        c: CoalitionArg,
        /// Pool id or unique prefix
        pool: String,
        /// Amount, e.g. 500 or 12.50
        #[arg(allow_negative_numbers = true, value_parser = positive_amount)]
        amount: Amount,
        /// Why it is needed, up to 200 characters
        #[arg(long)]
        reason: String,
    },
    /// List pools with their balances
    List {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
    /// A pool's append-only ledger with running balance
    Ledger {
        #[command(flatten)]
        c: CoalitionArg,
        /// Pool id or unique prefix
        pool: String,
        #[command(flatten)]
        format: Format,
    },
    /// Per member and pool: share given versus share received, flagging capture
    Equity {
        #[command(flatten)]
        c: CoalitionArg,
        #[command(flatten)]
        format: Format,
    },
}

/// An amount above zero: a bad amount is a usage error (exit 2), zero included.
fn positive_amount(s: &str) -> Result<Amount, String> {
    let amount: Amount = s.parse().map_err(|e: model::ValueError| e.to_string())?;
    if amount.is_zero() {
        return Err(format!(
            "invalid amount `{s}`: it must be more than zero, such as 500 or 12.50"
        ));
    }
    Ok(amount)
}

/// A pledge or contribution.
#[derive(Debug, Args)]
pub struct Gift {
    #[command(flatten)]
    pub c: CoalitionArg,
    /// Pool id or unique prefix
    pub pool: String,
    /// Amount, e.g. 500 or 12.50
    #[arg(allow_negative_numbers = true, value_parser = positive_amount)]
    pub amount: Amount,
    /// A note for the ledger
    #[arg(long, default_value = "")]
    pub note: String,
}
