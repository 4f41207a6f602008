//! How glibc's allocator keeps the node's heap.
//!
//! A member joining a coalition takes the whole document at once (about 7 GB of heap for
//! 100,000 issues), and Automerge's load frees and allocates large buffers as it goes. By
//! default glibc gives freed memory back to the kernel (trimming, and `mmap` for blocks over
//! 128 KiB), so the node takes the same pages again as fresh ones, each zeroed by the kernel
//! on first touch: measured, half the joining node's time at 100,000 issues was the kernel
//! zeroing pages (BENCHMARKS.md). With glibc keeping what it frees (no trimming, blocks under
//! 32 MiB kept off `mmap`), the join at 100,000 took 28.6–36.3 s instead of 59–66 s, level
//! at 1,000 and 10,000. The cost: the heap stays at its peak once reached.
//!
//! glibc reads its tunables only from `GLIBC_TUNABLES` as a process starts, so a node started
//! without them runs itself again, in the same process (`exec` of its own program, so that
//! its name stays `coalesce-node`), with them added. Left as is: a node whose environment
//! sets either already (an operator's choice: `GLIBC_TUNABLES` naming one, such as
//! `glibc.malloc.trim_threshold=134217728` to give memory back past 128 MiB, or glibc's older
//! `MALLOC_TRIM_THRESHOLD_` or `MALLOC_MMAP_THRESHOLD_`); a `GLIBC_TUNABLES` that is not
//! UTF-8; a system whose C library is not glibc; and a second run, which [`MARK`] tells apart
//! (should the tunables not reach it, it never runs itself a third time). Should the new run
//! not start (its program replaced or deleted since, say), this one goes on as it was.

/// Set in the environment of the node's second run.
const MARK: &str = "COALESCE_HEAP_KEPT";

/// glibc's tunables, as the node sets them: trimming only past 64 GiB free at the top of the
/// heap (never, in practice), and `mmap` only for blocks of 32 MiB or more (glibc's largest
/// default threshold).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TUNABLES: [(&str, &str); 2] = [
    ("glibc.malloc.trim_threshold", "68719476736"),
    ("glibc.malloc.mmap_threshold", "33554432"),
];

/// What became of the heap's tunables, for the log once it is set up.
pub(crate) enum Heap {
    /// This is the second run, with glibc keeping what it frees.
    Kept,
    /// Left as the environment has it (see the module documentation).
    Left,
    /// The new run could not start: why.
    NotRestarted(String),
}

/// Runs this node again with glibc keeping what it frees (see the module documentation):
/// returns only where it does not, or where the new run could not start.
pub(crate) fn keep_freed_memory() -> Heap {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os(MARK).is_some() {
            // Kept only if the tunables reached this run (the marker alone, inherited or set
            // by hand, says nothing of the allocator).
            let set = std::env::var("GLIBC_TUNABLES").is_ok_and(|t| {
                TUNABLES
                    .iter()
                    .all(|(n, v)| t.contains(&format!("{n}={v}")))
            });
            return if set { Heap::Kept } else { Heap::Left };
        }
        if ["MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"]
            .iter()
            .any(|v| std::env::var_os(v).is_some())
        {
            return Heap::Left;
        }
        let given = match std::env::var_os("GLIBC_TUNABLES") {
            None => String::new(),
            Some(v) => match v.into_string() {
                Ok(v) => v,
                Err(_) => return Heap::Left,
            },
        };
        if TUNABLES.iter().any(|(name, _)| given.contains(name)) {
            return Heap::Left;
        }
        // Its own program by name (not `/proc/self/exe`, which would name the process `exe`).
        let program = match std::env::current_exe() {
            Ok(p) => p,
            Err(e) => return Heap::NotRestarted(e.to_string()),
        };
        let mut tunables: Vec<String> = TUNABLES.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if !given.is_empty() {
            tunables.insert(0, given);
        }
        let mut args = std::env::args_os();
        let mut again = std::process::Command::new(program);
        if let Some(name) = args.next() {
            again.arg0(name);
        }
        // `exec` returns only if the new run did not start.
        let failed = again
            .args(args)
            .env("GLIBC_TUNABLES", tunables.join(":"))
            .env(MARK, "1")
            .exec();
        Heap::NotRestarted(failed.to_string())
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = MARK;
        Heap::Left
    }
}
