//! The statements file: what `coalesce statement export` writes and `coalesce statement
//! import` reads, for organizations that meet in person or only exchange email.
//!
//! A file is [`MAGIC`], then the postcard encoding of the publishing and receiving coalitions
//! and the signed statements (each in its own canonical bytes, [`crate::Signed::encode`]), then
//! the SHA-256 of everything before it. The checksum tells a file changed or cut by accident
//! from one that was not ([`FileError::Damaged`]); it proves nothing about who wrote it: each
//! statement in it is verified on import exactly as if it had arrived over the network, so a
//! file changed on purpose (checksum made anew) gets no further than its signatures. At most
//! [`MAX_FILE`] bytes (checked first) and [`MAX_ITEMS`] statements (the read stops past
//! them), each at most [`crate::MAX_SIGNED`], and [`MAX_ADDRESSES`] address records of the
//! publisher's member nodes, each at most [`MAX_ADDRESS`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::FileError;
use crate::signed::MAX_SIGNED;
use crate::statement::{FORMAT, RecordId};

/// How a statements file starts.
pub const MAGIC: &[u8; 20] = b"coalesce statements\n";
/// The largest statements file, in bytes.
pub const MAX_FILE: usize = 64 << 20;
/// Most statements in one file.
pub const MAX_ITEMS: usize = 4096;
/// Most address records in one file.
pub const MAX_ADDRESSES: usize = 64;
/// The largest address record in a file, in bytes.
pub const MAX_ADDRESS: usize = 4096;

/// A statements file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementsFile {
    /// [`FORMAT`].
    pub format: u8,
    /// The coalition whose link it was exported for, on the exporting side.
    pub from: RecordId,
    /// The linked coalition it is for.
    pub to: RecordId,
    /// The signed statements, each in its canonical bytes (rosters first, oldest first).
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_ITEMS }, _, _>")]
    pub items: Vec<Vec<u8>>,
    /// Where member nodes of the publishing coalition listen: address records each signed by
    /// its node (`sync::addresses::AddressRecord`, postcard), so that the receiving side's
    /// nodes can reach them. Each is checked, and kept only for a node the publisher's roster
    /// lists, by whoever takes the file; here only their number and size are bounded.
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_ADDRESSES }, _, _>")]
    pub addresses: Vec<Vec<u8>>,
}

impl StatementsFile {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        // Encoding bytes and fixed arrays into a vector cannot fail.
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        let sum: [u8; 32] = Sha256::digest(&out).into();
        out.extend(sum);
        out
    }

    /// Reads a file: its size, start and checksum first, then its contents, strictly (each
    /// statement is checked on import, not here).
    pub fn decode(bytes: &[u8]) -> Result<Self, FileError> {
        if bytes.len() > MAX_FILE {
            return Err(FileError::TooLarge {
                size: bytes.len(),
                limit: MAX_FILE,
            });
        }
        let Some(rest) = bytes.strip_prefix(&MAGIC[..]) else {
            return Err(FileError::NotAStatementsFile);
        };
        let Some(split) = bytes.len().checked_sub(32).filter(|s| *s >= MAGIC.len()) else {
            return Err(FileError::Damaged);
        };
        let (covered, sum) = bytes.split_at(split);
        if Sha256::digest(covered).as_slice() != sum {
            return Err(FileError::Damaged);
        }
        // `split` is at least the start's length from the front, so `rest` holds the 32
        // bytes of the checksum at its end.
        let body = &rest[..rest.len() - 32];
        let malformed = |what: String| FileError::Malformed { what };
        let (file, left): (StatementsFile, _) =
            postcard::take_from_bytes(body).map_err(|e| malformed(crate::bounded::why(&e)))?;
        if !left.is_empty() {
            return Err(malformed(format!(
                "{} bytes after the statements",
                left.len()
            )));
        }
        if file.format != FORMAT {
            return Err(malformed(format!(
                "format {} (this node reads {FORMAT})",
                file.format
            )));
        }
        // Their count was bounded while read (`bounded::up_to`).
        if let Some(i) = file.items.iter().position(|i| i.len() > MAX_SIGNED) {
            return Err(malformed(format!(
                "statement {} is larger than {MAX_SIGNED} bytes",
                i + 1
            )));
        }
        if let Some(i) = file.addresses.iter().position(|a| a.len() > MAX_ADDRESS) {
            return Err(malformed(format!(
                "address record {} is larger than {MAX_ADDRESS} bytes",
                i + 1
            )));
        }
        if postcard::to_stdvec(&file).ok().as_deref() != Some(body) {
            return Err(malformed("not in its one canonical form".into()));
        }
        Ok(file)
    }
}
