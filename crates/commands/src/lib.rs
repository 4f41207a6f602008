//! The `coalesce` commands: the clap grammar ([`args`]), the typed operations they are made of
//! ([`ops`], which the node's API serves), and the output layer ([`output::Out`]).
//!
//! A command builds requests from what people typed, carries them out through an
//! [`ops::Exec`] — a stopped node's [`replica::Replica`] in this process, or the running
//! node's API — and prints the replies ([`run_typed`]); either way the same code prints, so
//! the two paths cannot drift apart.

pub mod args;
mod cmd;
pub mod ops;
pub mod output;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cmd::{init, read_limited, rename, restore, run, run_typed};
pub use ops::proposals::{closing_time, deadline};
pub use ops::status::{ApiTls, Live};
pub use replica::PrefixError;
