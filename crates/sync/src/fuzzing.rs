//! Entry points shared by the `cargo fuzz` targets (`fuzz/`) and the tests that replay their
//! past crashers (`tests/regressions.rs`), so both feed input the same way.

use crate::Message;

/// Every frame a peer can send: decoded strictly and, for sync and change messages, the
/// embedded Automerge data parsed the way a node parses it before verifying anything. Half the
/// inputs get a valid version byte so that the body parser is reached.
pub fn wire(data: &[u8]) {
    let framed;
    let frame = if data.first().is_some_and(|b| b & 1 == 0) {
        framed = [
            &[crate::wire::VERSION][..],
            data.get(1..).unwrap_or_default(),
        ]
        .concat();
        &framed[..]
    } else {
        data
    };
    match Message::decode(frame) {
        Ok(Message::Sync { sync, .. }) => {
            let _ = crate::verify::decode_sync(&sync, crate::wire::MIN_MESSAGE_LIMIT);
        }
        Ok(Message::Changes { changes, .. }) => {
            for c in changes {
                let _ = crate::verify::change_in_chunk(
                    &c.0,
                    &mut crate::wire::MIN_MESSAGE_LIMIT.clone(),
                );
            }
        }
        _ => {}
    }
    let _ = crate::verify::decode_sync(data, crate::wire::MIN_MESSAGE_LIMIT);
    let _ = crate::verify::changes_in_chunks(data, &mut crate::wire::MIN_MESSAGE_LIMIT.clone());
}

/// Invite codes as people paste them.
pub fn invite(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::invite::Invite::decode(text);
        let _ = crate::invite::Invite::decode(&format!("{}{text}", crate::invite::PREFIX));
    }
}

/// Whole-document snapshots as a peer sends them: the bytes as they come, and the bytes as
/// the body of a document chunk, so that the column parser is reached.
pub fn snapshot(data: &[u8]) {
    let _ = crate::snapshot::load(data, crate::wire::MAX_MESSAGE);
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 0];
    // Writing to a Vec cannot fail.
    let _ = leb128::write::unsigned(&mut chunk, data.len() as u64);
    chunk.extend_from_slice(data);
    let _ = crate::snapshot::load(&chunk, crate::wire::MAX_MESSAGE);
}
