//! What the node keeps across restarts only to save reading again ([`crate::unreadable`],
//! [`crate::history`]): sealed with a digest of its bytes and the fingerprint of the build
//! that wrote it, so that bytes damaged or written by another build are read again, never
//! trusted over the document.

use std::hash::{DefaultHasher, Hasher};

/// This build of the model: a fingerprint of its sources (`build.rs`).
const BUILD: &str = env!("MODEL_SOURCE_FINGERPRINT");

fn digest(payload: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    h.write(BUILD.as_bytes());
    h.write(payload);
    format!("{:016x}", h.finish())
}

/// `payload` sealed: its digest (with this build's fingerprint), a newline, the payload.
pub(crate) fn seal(payload: &[u8]) -> Vec<u8> {
    let mut out = digest(payload).into_bytes();
    out.push(b'\n');
    out.extend_from_slice(payload);
    out
}

/// The payload of `bytes` if this build sealed it and nothing changed since.
pub(crate) fn open(bytes: &[u8]) -> Option<&[u8]> {
    let (head, payload) = (bytes.get(..16)?, bytes.get(17..)?);
    (bytes.get(16) == Some(&b'\n') && head == digest(payload).as_bytes()).then_some(payload)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn sealed_bytes_open_only_unchanged() {
        let sealed = seal(b"{\"a\":1}");
        assert_eq!(open(&sealed), Some(&b"{\"a\":1}"[..]));
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() = b']';
        assert_eq!(open(&changed), None);
        assert_eq!(open(b""), None);
        assert_eq!(open(b"{\"a\":1}"), None);
        assert_eq!(open(&sealed[..16]), None);
    }
}
