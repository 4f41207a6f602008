//! Statements, signed statements and statements files as a peer or a file carries them (see
//! `federation::fuzzing::statements`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| federation::fuzzing::statements(data));
