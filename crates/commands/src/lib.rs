//! The `coalesce` commands: the clap grammar ([`args`]), their execution over an open
//! [`replica::Replica`] ([`run`]), and the output layer ([`output::Out`]) that prints to the
//! terminal or captures for the node's control API.
//!
//! The command-line binary runs a command itself on a stopped node's home, or sends it to the
//! running node, which runs it here with its replica and returns the captured output; either
//! way the same code runs, so the two paths cannot drift apart.

pub mod args;
mod cmd;
pub mod ops;
pub mod output;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cmd::status::render as render_status;
pub use cmd::{coalition, init, read_limited, rename, restore, run, run_typed};
pub use ops::proposals::{closing_time, deadline};
pub use ops::status::{ApiTls, Live};
