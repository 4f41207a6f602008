//! A statement with its co-signatures: the canonical bytes of the statement, and each
//! signature over its id by one node key.
//!
//! A statement's id is the SHA-256 of its bytes (after a domain tag: no other hash in
//! Coalesce can be mistaken for one). A node key signs the id (after another tag), so a
//! signature vouches for exactly these bytes; who may sign, and how many must, is the roster's
//! business ([`crate::RosterChain`]). Signatures are held in ascending order of key, one per
//! key, at most [`MAX_SIGNATURES`]; [`Signed::decode`] takes only that canonical form.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::StatementError;
use crate::statement::{MAX_BODY, MAX_ROSTER, Statement};

/// Most signatures on one statement: one per member of the largest roster.
pub const MAX_SIGNATURES: usize = MAX_ROSTER;
/// The largest signed statement, in bytes.
pub const MAX_SIGNED: usize = MAX_BODY + MAX_SIGNATURES * 100 + 16;

const ID_TAG: &[u8] = b"coalesce statement v1\0";
const SIGNATURE_TAG: &[u8] = b"coalesce statement signature v1\0";

/// A statement's id: the SHA-256 of its canonical bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StatementId(pub [u8; 32]);

impl StatementId {
    /// The id of a statement's canonical bytes.
    pub fn of(body: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(ID_TAG);
        h.update(body);
        Self(h.finalize().into())
    }
    /// The id in hex.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Its first eight hex digits, as pages show it.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
    /// Reads a whole id in hex.
    pub fn from_hex(s: &str) -> Result<Self, StatementError> {
        let mut out = [0; 32];
        hex::decode_to_slice(s.trim(), &mut out).map_err(|_| StatementError::Malformed {
            what: format!(
                "{:?} is not a statement id (64 hex digits)",
                crate::error::clip(s)
            ),
        })?;
        Ok(Self(out))
    }
    fn payload(&self) -> Vec<u8> {
        [SIGNATURE_TAG, &self.0[..]].concat()
    }
}

impl std::fmt::Display for StatementId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

/// One node key's signature over a statement's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cosign {
    /// The node key.
    pub key: [u8; 32],
    /// Its Ed25519 signature over the statement's id.
    #[serde(with = "sig_bytes")]
    pub signature: [u8; 64],
}

impl Cosign {
    /// Signs statement `id` with the node key whose secret is `secret`.
    pub fn sign(secret: &[u8; 32], id: &StatementId) -> Self {
        let key = SigningKey::from_bytes(secret);
        Self {
            key: key.verifying_key().to_bytes(),
            signature: key.sign(&id.payload()).to_bytes(),
        }
    }

    /// Whether this is a valid signature of `id` by its key (strict verification: no
    /// malleable or small-order forms).
    pub fn verifies(&self, id: &StatementId) -> bool {
        VerifyingKey::from_bytes(&self.key).is_ok_and(|k| {
            k.verify_strict(&id.payload(), &Signature::from_bytes(&self.signature))
                .is_ok()
        })
    }
}

/// A statement's canonical bytes with its co-signatures, as it travels and is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The statement's canonical bytes.
    pub body: Vec<u8>,
    /// Signatures, ascending by key, one per key.
    #[serde(deserialize_with = "crate::bounded::up_to::<{ MAX_SIGNATURES }, _, _>")]
    pub cosigns: Vec<Cosign>,
}

/// A signed statement read and checked for form (not yet for who signed it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// Its id.
    pub id: StatementId,
    /// The statement.
    pub statement: Statement,
    /// Its signatures, ascending by key.
    pub cosigns: Vec<Cosign>,
}

impl Signed {
    /// A statement to be signed: its canonical bytes and no signature yet.
    pub fn new(statement: &Statement) -> Result<Self, StatementError> {
        Ok(Self {
            body: statement.encode()?,
            cosigns: Vec::new(),
        })
    }

    /// Its id.
    pub fn id(&self) -> StatementId {
        StatementId::of(&self.body)
    }

    /// Adds a signature in its place (replacing one by the same key). Refused past
    /// [`MAX_SIGNATURES`].
    pub fn add(&mut self, cosign: Cosign) -> Result<(), StatementError> {
        match self.cosigns.binary_search_by(|c| c.key.cmp(&cosign.key)) {
            Ok(i) => self.cosigns[i] = cosign,
            Err(i) => {
                if self.cosigns.len() >= MAX_SIGNATURES {
                    return Err(StatementError::TooMany {
                        what: "signatures",
                        count: self.cosigns.len() + 1,
                        limit: MAX_SIGNATURES,
                    });
                }
                self.cosigns.insert(i, cosign)
            }
        }
        Ok(())
    }

    /// Signs it with the node key whose secret is `secret`.
    pub fn sign(&mut self, secret: &[u8; 32]) -> Result<(), StatementError> {
        let id = self.id();
        self.add(Cosign::sign(secret, &id))
    }

    /// The canonical bytes of the statement with its signatures.
    pub fn encode(&self) -> Vec<u8> {
        // Encoding bytes and fixed arrays into a vector cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Reads a signed statement from its canonical bytes, checking the statement's form and the
    /// signatures' order and count (not whether they verify: see [`crate::RosterChain`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, StatementError> {
        if bytes.len() > MAX_SIGNED {
            return Err(StatementError::TooLarge {
                what: "signed statement",
                size: bytes.len(),
                limit: MAX_SIGNED,
            });
        }
        let (signed, rest): (Signed, _) =
            postcard::take_from_bytes(bytes).map_err(|e| StatementError::Malformed {
                what: format!("signed statement: {}", crate::bounded::why(&e)),
            })?;
        if !rest.is_empty() {
            return Err(StatementError::Malformed {
                what: format!("{} bytes after the signed statement", rest.len()),
            });
        }
        // Their count was bounded while read (`bounded::up_to`).
        if signed.cosigns.windows(2).any(|w| w[0].key >= w[1].key) {
            return Err(StatementError::NotCanonical { what: "signatures" });
        }
        if signed.encode() != bytes {
            return Err(StatementError::NotCanonical {
                what: "signed statement",
            });
        }
        Ok(signed)
    }

    /// Reads the statement it carries.
    pub fn open(&self) -> Result<Opened, StatementError> {
        if self.cosigns.windows(2).any(|w| w[0].key >= w[1].key) {
            return Err(StatementError::NotCanonical { what: "signatures" });
        }
        Ok(Opened {
            id: self.id(),
            statement: Statement::decode(&self.body)?,
            cosigns: self.cosigns.clone(),
        })
    }
}

mod sig_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(sig: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(sig)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let bytes: &[u8] = Deserialize::deserialize(d)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::invalid_length(bytes.len(), &"64 bytes"))
    }
}
