//! Invite codes as people paste them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sync::invite::Invite::decode(text);
        let _ = sync::invite::Invite::decode(&format!("{}{text}", sync::invite::PREFIX));
    }
});
