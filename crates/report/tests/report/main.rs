//! The progress report and the CSV tables, made from a realistic coalition: plain language
//! measured, every table read back field by field, hostile text kept in its place.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic
#![allow(clippy::print_stdout)] // the scores measured are printed, for the notes

mod fixture;
mod readability;
mod tables;
mod writing;
