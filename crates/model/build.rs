//! Names this build of the model for what it keeps across restarts (`kept`): a fingerprint of
//! its sources, so that what another build read is read again rather than trusted.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut all = Vec::new();
    files(Path::new("src"), &mut all);
    all.sort();
    let mut h = DefaultHasher::new();
    for path in &all {
        h.write(path.to_string_lossy().as_bytes());
        h.write(&std::fs::read(path).unwrap_or_default());
    }
    println!(
        "cargo:rustc-env=MODEL_SOURCE_FINGERPRINT={:016x}",
        h.finish()
    );
}
