//! A member pushing signed changes with arbitrary contents (see `sync::fuzzing::batch`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sync::fuzzing::batch(data);
});
