//! Inputs that once crashed a fuzz target (`fuzz/regressions/<target>/`), replayed on every
//! test run the way the target feeds them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    assert!(!out.is_empty(), "no regression inputs in {}", dir.display());
    out
}

/// The inputs kept for a target that may have none yet.
fn inputs_if_any(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    if dir.is_dir() {
        inputs(target)
    } else {
        Vec::new()
    }
}

/// Panics anywhere in this process so far, caught or not. The node catches Automerge's
/// panics as a last resort (it refuses the batch and reloads); the fuzzer counts any panic
/// as a crash, and so do these replays.
fn panics_so_far() -> usize {
    use std::sync::Once;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
    PANICS.load(Ordering::SeqCst)
}

#[test]
fn signed_batches_with_any_contents_never_panic_and_honest_ones_apply() {
    assert_eq!(panics_so_far(), 0);
    let seeds = sync::fuzzing::batch_seeds();
    assert!(seeds.len() >= 3);
    // The last seed holds every honest change: all apply.
    assert_eq!(sync::fuzzing::batch(seeds.last().unwrap()), seeds.len() - 1);
    // Every byte of every seed changed, one at a time, and every crasher kept.
    let mut runs = 0;
    for seed in &seeds {
        for i in 2..seed.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut m = seed.clone();
                m[i] ^= flip;
                sync::fuzzing::batch(&m);
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "{runs}");
    assert_eq!(panics_so_far(), 0, "a changed seed panics (even if caught)");
    for (name, data) in inputs_if_any("batch") {
        let result = std::panic::catch_unwind(|| sync::fuzzing::batch(&data));
        assert!(result.is_ok(), "{name} panics again");
        assert_eq!(panics_so_far(), 0, "{name} panics again (caught)");
    }
}

/// Past crashers of the `statements` target (statements, signed statements and their file;
/// `model::federation::fuzzing`), replayed the same way (none yet), and its seeds, each also
/// with one byte changed.
#[test]
fn past_statements_crashers_are_refused_without_panic() {
    panics_so_far();
    let seeds = model::federation::fuzzing::seeds().into_iter().enumerate();
    let changed = seeds.clone().map(|(i, mut d)| {
        let middle = d.len() / 2;
        if let Some(b) = d.get_mut(middle) {
            *b ^= 0x5a;
        }
        (format!("seed {i}, changed"), d)
    });
    let seeds = seeds.map(|(i, d)| (format!("seed {i}"), d));
    for (name, data) in inputs_if_any("statements")
        .into_iter()
        .chain(seeds)
        .chain(changed)
    {
        let result = std::panic::catch_unwind(|| model::federation::fuzzing::statements(&data));
        assert!(result.is_ok(), "{name} panics again");
        assert_eq!(panics_so_far(), 0, "{name} panics again (caught)");
    }
}

#[test]
fn past_wire_crashers_are_refused_without_panic() {
    panics_so_far();
    for (name, data) in inputs("wire") {
        let result = std::panic::catch_unwind(|| sync::fuzzing::wire(&data));
        assert!(result.is_ok(), "{name} panics again");
        assert_eq!(panics_so_far(), 0, "{name} panics again (caught)");
    }
}

#[test]
fn unsorted_hash_lists_are_refused_not_asserted_on() {
    // heads: two hashes in descending order.
    let mut msg = vec![0x42, 2];
    msg.extend([0xff; 32]);
    msg.extend([0x00; 32]);
    msg.extend([0, 0, 0]);
    let err = sync::verify::decode_sync(&msg, sync::wire::MAX_MESSAGE).unwrap_err();
    assert!(err.to_string().contains("canonical"), "{err}");
}

/// With `FUZZ_SEEDS_OUT=DIR`, writes seed corpora for the `batch`, `wire` and `snapshot`
/// targets into `DIR/<target>` (what `.ci/fuzz` starts from), so the seeds follow the code
/// that makes them.
#[test]
fn batch_seeds_can_be_written_for_the_fuzzer() {
    let Ok(dir) = std::env::var("FUZZ_SEEDS_OUT") else {
        return;
    };
    let write = |target: &str, seeds: Vec<Vec<u8>>| {
        let d = Path::new(&dir).join(target);
        std::fs::create_dir_all(&d).unwrap();
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(d.join(format!("seed-{i}")), seed).unwrap();
        }
    };
    let batch = sync::fuzzing::batch_seeds();
    // The same honest changes as a pushed frame, and the coalition as a document.
    let frames = batch
        .iter()
        .map(|b| {
            let chunk = sync::fuzzing::change_chunk(&b[2..]);
            sync::Message::Changes {
                coalition: [7; 16],
                changes: vec![sync::wire::ByteChunk(chunk)],
                heads: vec![],
                vouchers: Vec::new(),
            }
            .encode()
        })
        .collect();
    write("wire", frames);
    write("snapshot", vec![sync::fuzzing::batch_document()]);
    write("batch", batch);
}
