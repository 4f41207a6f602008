//! An identity sealed with a passphrase (`coalesce export-identity`), for safekeeping in case
//! the node's machine is lost: the node key and organization name, and the peers' addresses
//! to reconnect to, encrypted with XChaCha20-Poly1305 under a key derived from the
//! passphrase by Argon2id. The file is JSON (printable, easy to store), at most
//! [`MAX_SEALED_BYTES`].

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use crate::{Identity, ReplicaError};

/// Largest sealed identity file read, in bytes.
pub const MAX_SEALED_BYTES: usize = 256 * 1024;
/// Shortest passphrase accepted when sealing.
pub const MIN_PASSPHRASE: usize = 8;
const FORMAT: &str = "coalesce-identity";
const VERSION: u32 = 1;

/// The file (a versioned wire type).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedFile {
    format: String,
    version: u32,
    kdf: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
    nonce: String,
    sealed: String,
}

/// What is sealed.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    org: String,
    secret_key: String,
    peers: Option<String>,
}

fn bad(detail: impl Into<String>) -> ReplicaError {
    ReplicaError::Sealed(detail.into())
}

fn cipher(
    passphrase: &str,
    salt: &[u8],
    params: Params,
) -> Result<XChaCha20Poly1305, ReplicaError> {
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| bad(format!("could not derive a key from the passphrase: {e}")))?;
    Ok(XChaCha20Poly1305::new((&key).into()))
}

/// Seals `identity` (and the peers record, if any) with `passphrase`.
pub fn seal(
    identity: &Identity,
    peers: Option<&[u8]>,
    passphrase: &str,
) -> Result<String, ReplicaError> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(bad(format!(
            "the passphrase must have at least {MIN_PASSPHRASE} characters"
        )));
    }
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt).map_err(|e| ReplicaError::Random(e.to_string()))?;
    getrandom::fill(&mut nonce).map_err(|e| ReplicaError::Random(e.to_string()))?;
    let params = Params::default();
    let contents = Contents {
        org: identity.org().to_owned(),
        secret_key: hex::encode(identity.secret_bytes()),
        peers: peers.map(|p| String::from_utf8_lossy(p).into_owned()),
    };
    let plain = serde_json::to_vec(&contents).map_err(|e| bad(e.to_string()))?;
    let sealed = cipher(passphrase, &salt, params.clone())?
        .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
        .map_err(|_| bad("could not encrypt the identity"))?;
    let file = SealedFile {
        format: FORMAT.into(),
        version: VERSION,
        kdf: "argon2id".into(),
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        parallelism: params.p_cost(),
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
    };
    serde_json::to_string_pretty(&file).map_err(|e| bad(e.to_string()))
}

/// Opens a sealed identity with `passphrase`: the identity and the peers record.
pub fn unseal(text: &str, passphrase: &str) -> Result<(Identity, Option<Vec<u8>>), ReplicaError> {
    if text.len() > MAX_SEALED_BYTES {
        return Err(bad(format!(
            "{} bytes is larger than a sealed identity can be",
            text.len()
        )));
    }
    let file: SealedFile =
        serde_json::from_str(text).map_err(|e| bad(format!("not a sealed identity: {e}")))?;
    if file.format != FORMAT {
        return Err(bad(format!(
            "not a sealed identity (format `{}`)",
            file.format
        )));
    }
    if file.version != VERSION || file.kdf != "argon2id" {
        return Err(bad(format!(
            "sealed identity version {} with {} is not one this program reads; upgrade Coalesce",
            file.version, file.kdf
        )));
    }
    // Bounded so a crafted file cannot make the key derivation take the machine.
    if file.memory_kib > 1024 * 1024 || file.iterations > 64 || file.parallelism > 16 {
        return Err(bad("key derivation parameters out of range"));
    }
    let params = Params::new(file.memory_kib, file.iterations, file.parallelism, Some(32))
        .map_err(|e| bad(format!("key derivation parameters: {e}")))?;
    let hexed = |what: &str, s: &str| hex::decode(s).map_err(|_| bad(format!("{what} is not hex")));
    let salt = hexed("salt", &file.salt)?;
    let nonce = hexed("nonce", &file.nonce)?;
    if nonce.len() != 24 {
        return Err(bad("the nonce is not 24 bytes"));
    }
    let sealed = hexed("sealed", &file.sealed)?;
    let plain = cipher(passphrase, &salt, params)?
        .decrypt(XNonce::from_slice(&nonce), sealed.as_slice())
        .map_err(|_| bad("wrong passphrase, or the file was altered"))?;
    let contents: Contents =
        serde_json::from_slice(&plain).map_err(|e| bad(format!("sealed contents: {e}")))?;
    let secret: [u8; 32] = hex::decode(&contents.secret_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("the sealed key is not 32 bytes"))?;
    Ok((
        Identity::from_secret(&contents.org, secret),
        contents.peers.map(String::into_bytes),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_identity_opens_with_its_passphrase_only() {
        let id = Identity::from_secret("Northside", [9; 32]);
        let text = seal(&id, Some(b"{\"k\":\"v\"}"), "correct horse battery").unwrap();
        assert!(
            !text.contains(&hex::encode([9u8; 32])),
            "the key is not in clear"
        );
        let (back, peers) = unseal(&text, "correct horse battery").unwrap();
        assert_eq!(back.node_key(), id.node_key());
        assert_eq!(back.org(), "Northside");
        assert_eq!(peers.as_deref(), Some(b"{\"k\":\"v\"}".as_slice()));
        let err = unseal(&text, "wrong horse battery")
            .unwrap_err()
            .to_string();
        assert!(err.contains("wrong passphrase"), "{err}");
        assert!(
            seal(&id, None, "short")
                .unwrap_err()
                .to_string()
                .contains("at least")
        );
        let tampered = text.replacen("\"sealed\": \"", "\"sealed\": \"00", 1);
        assert!(unseal(&tampered, "correct horse battery").is_err());
        for junk in ["", "{}", "[1,2]", "not json"] {
            assert!(unseal(junk, "correct horse battery").is_err(), "{junk}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

        /// Any text is refused or opened, never a panic; a sealed file with any one character
        /// changed never opens as a different identity.
        #[test]
        fn arbitrary_and_altered_files_never_panic_or_open_wrongly(
            junk in ".{0,300}",
            at in 0usize..2000,
            with in proptest::char::range('!', '~'),
        ) {
            let _ = unseal(&junk, "correct horse battery");
            let id = Identity::from_secret("Northside", [9; 32]);
            let text = seal(&id, None, "correct horse battery").unwrap();
            let i = at % text.len();
            let mut altered = text.clone();
            altered.replace_range(i..=i, &with.to_string());
            if let Ok((back, _)) = unseal(&altered, "correct horse battery") {
                proptest::prop_assert_eq!(back.node_key(), id.node_key());
                proptest::prop_assert_eq!(back.org(), "Northside");
            }
        }
    }
}
