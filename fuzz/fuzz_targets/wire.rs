//! Every frame a peer can send: decoded strictly, and, for sync and change messages, the
//! embedded Automerge data parsed the way a node parses it before verifying anything.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync::Message;

fuzz_target!(|data: &[u8]| {
    // Half the inputs get a valid version byte so the fuzzer reaches the body parser.
    let framed;
    let frame = if data.first().is_some_and(|b| b & 1 == 0) {
        framed = [&[sync::wire::VERSION][..], &data[1..]].concat();
        &framed[..]
    } else {
        data
    };
    match Message::decode(frame) {
        Ok(Message::Sync { sync, .. }) => {
            let _ = sync::verify::decode_sync(&sync);
        }
        Ok(Message::Changes { changes, .. }) => {
            for c in changes {
                let _ = sync::verify::changes_in_chunk(&c.0);
            }
        }
        _ => {}
    }
    // The Automerge sync message parser on raw bytes too.
    let _ = sync::verify::decode_sync(data);
    let _ = sync::verify::changes_in_chunks(data);
});
