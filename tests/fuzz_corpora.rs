//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/`) through the same target
//! functions the cargo-fuzz binaries run (`fuzz/targets.rs`), on stable and in every
//! configuration: what the fuzzer once found interesting, crashes it was fixed for included,
//! keeps being checked without nightly.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

/// Runs every file of one target's corpus; fails if the corpus is missing or empty, since
/// then nothing would be checked.
fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    for file in &files {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        // A panic names the file to replay with `cargo +nightly fuzz run <target> <file>`.
        let name = file.display().to_string();
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            eprintln!("fuzz target {target} failed on {name}");
            std::panic::resume_unwind(panic);
        }
    }
}

#[test]
fn z85_corpus() {
    replay("z85", targets::z85);
}

#[test]
fn endpoints_corpus() {
    replay("endpoints", targets::endpoints);
}

#[test]
fn options_corpus() {
    replay("options", targets::options);
}

#[test]
fn message_corpus() {
    replay("message", targets::message);
}

#[test]
fn sockets_corpus() {
    replay("sockets", targets::sockets);
}
