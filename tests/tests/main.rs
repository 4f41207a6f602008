//! End-to-end tests of the real binaries, one module per feature.

mod api;
mod backup;
mod cli;
mod crash;
mod daemon;
mod deploy;
mod export;
mod federation;
mod governance;
mod hostile;
mod lan;
mod meetings;
mod nat;
mod netns;
mod network;
mod polls;
mod translations;
mod ui;
