//! Statements, signed statements and statements files as a peer or a file carries them (see
//! `federation::fuzzing::statements`), and the address records a file carries as a node reads
//! them (`sync::addresses::from_file`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    federation::fuzzing::statements(data);
    let _ = sync::addresses::from_file(&[data.to_vec()], |_| true, Some(0));
    if let Ok(file) = federation::StatementsFile::decode(data) {
        let _ = sync::addresses::from_file(&file.addresses, |_| true, None);
    }
});
