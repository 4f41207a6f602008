//! Every frame a peer can send (see `sync::fuzzing::wire`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sync::fuzzing::wire(data));
