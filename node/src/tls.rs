//! TLS for a control API that listens beyond loopback: the operator's certificate and key
//! (PEM files), or a self-signed pair the node generates once in its home folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// Folder in the home holding a generated certificate and key.
pub(crate) const SELF_SIGNED_DIR: &str = "tls";
/// Largest certificate or key file read, in bytes.
pub(crate) const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// A server configuration from PEM files, and the SHA-256 fingerprint of the certificate (the
/// first in the chain), which clients can pin.
pub(crate) fn server_config(
    cert: &Path,
    key: &Path,
) -> Result<(Arc<rustls::ServerConfig>, String)> {
    let read = |path: &Path, what: &str| -> Result<Vec<u8>> {
        commands::read_limited(path, MAX_PEM_BYTES).with_context(|| format!("the API's TLS {what}"))
    };
    let chain = CertificateDer::pem_slice_iter(&read(cert, "certificate")?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            anyhow::anyhow!(
                "api-tls-cert: {} is not a PEM certificate file: {e}",
                cert.display()
            )
        })?;
    let Some(leaf) = chain.first() else {
        bail!(
            "api-tls-cert: {} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            cert.display()
        );
    };
    let fingerprint = fingerprint(leaf);
    let secret = PrivateKeyDer::from_pem_slice(&read(key, "key")?).map_err(|e| {
        anyhow::anyhow!(
            "api-tls-key: {} holds no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {e}",
            key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("no TLS protocol version available")?
        .with_no_client_auth()
        .with_single_cert(chain, secret)
        .map_err(|e| {
            anyhow::anyhow!(
                "api-tls-cert and api-tls-key ({} and {}) do not make a usable pair: {e}",
                cert.display(),
                key.display()
            )
        })?;
    Ok((Arc::new(config), fingerprint))
}

/// The SHA-256 fingerprint of a certificate, as colon-separated hex pairs (as `openssl x509
/// -fingerprint -sha256` prints it).
pub(crate) fn fingerprint(cert: &CertificateDer<'_>) -> String {
    Sha256::digest(cert.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The home folder's self-signed certificate and key, generated on first use for `names`
/// (host names and IP addresses clients use to reach the API). The key is written readable
/// by its owner only; an existing pair is kept as it is, so clients that pinned it go on
/// trusting it.
pub(crate) fn self_signed(home: &Path, names: &[String]) -> Result<(PathBuf, PathBuf)> {
    let dir = home.join(SELF_SIGNED_DIR);
    let (cert, key) = (dir.join("api-cert.pem"), dir.join("api-key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    let generated = rcgen::generate_simple_self_signed(names.to_vec())
        .context("could not generate a self-signed certificate for the API")?;
    replica::write_private(&key, generated.key_pair.serialize_pem().as_bytes())
        .with_context(|| format!("could not write {}", key.display()))?;
    std::fs::write(&cert, generated.cert.pem())
        .with_context(|| format!("could not write {}", cert.display()))?;
    tracing::info!(cert = %cert.display(), names = ?names, "generated a self-signed certificate for the API");
    Ok((cert, key))
}

/// Names a generated certificate covers: loopback, the address the API binds if specific,
/// and this machine's host name when it can be read.
pub(crate) fn default_names(api: std::net::SocketAddr) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !api.ip().is_unspecified() && !api.ip().is_loopback() {
        names.push(api.ip().to_string());
    }
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let host = host.trim();
        if !host.is_empty() && host.len() < 254 && !names.iter().any(|n| n == host) {
            names.push(host.to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_loads_and_is_kept() {
        let home = tempfile::tempdir().unwrap();
        let names = default_names("0.0.0.0:7420".parse().unwrap());
        let (cert, key) = self_signed(home.path(), &names).unwrap();
        let (_, first) = server_config(&cert, &key).unwrap();
        assert_eq!(first.len(), 32 * 3 - 1);
        let again = self_signed(home.path(), &names).unwrap();
        assert_eq!(again, (cert.clone(), key.clone()));
        let (_, second) = server_config(&cert, &key).unwrap();
        assert_eq!(first, second, "the pair is generated once");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is readable by its owner only");
        }
    }

    #[test]
    fn bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed(dir.path(), &["localhost".into()]).unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "meeting notes\n").unwrap();
        let err = format!("{:#}", server_config(&junk, &key).unwrap_err());
        assert!(
            err.contains("api-tls-cert") && err.contains("junk.pem"),
            "{err}"
        );
        let err = format!("{:#}", server_config(&cert, &junk).unwrap_err());
        assert!(
            err.contains("api-tls-key") && err.contains("junk.pem"),
            "{err}"
        );
        let err = format!("{:#}", server_config(&key, &cert).unwrap_err());
        assert!(err.contains("api-tls"), "{err}");
        let missing = dir.path().join("missing.pem");
        let err = format!("{:#}", server_config(&missing, &key).unwrap_err());
        assert!(err.contains("missing.pem"), "{err}");
        // A certificate with another key does not make a pair.
        let other = tempfile::tempdir().unwrap();
        let (_, other_key) = self_signed(other.path(), &["localhost".into()]).unwrap();
        let err = format!("{:#}", server_config(&cert, &other_key).unwrap_err());
        assert!(err.contains("usable pair"), "{err}");
    }
}
