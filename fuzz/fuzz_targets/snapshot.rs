//! Whole-document snapshots from a peer (see `sync::fuzzing::snapshot`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sync::fuzzing::snapshot(data));
