//! Invite codes as people paste them (see `sync::fuzzing::invite`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sync::fuzzing::invite(data));
