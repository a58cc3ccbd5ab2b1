//! The committed bindings must be exactly what `bindgen.rs` generates from libzmq 4.3.5's
//! `zmq.h`. Run with `ZMQ_SYS_UPDATE_BINDINGS=1` to rewrite `src/bindings.rs` instead.
//!
//! Needs libclang at run time (Debian: `libclang-dev`), which the project's test command installs.

#[path = "../bindgen.rs"]
mod generate;

use std::path::Path;

#[test]
#[cfg_attr(
    not(zmq_sys_header_4_3_5),
    ignore = "the committed bindings come from libzmq 4.3.5's zmq.h; this build uses another header"
)]
fn committed_bindings_match_the_header() {
    let include_dir = Path::new(env!("ZMQ_SYS_INCLUDE_DIR"));
    let generated = generate::generate(include_dir).expect("bindgen runs (is libclang installed?)");
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bindings.rs");
    if std::env::var_os("ZMQ_SYS_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &generated).expect("write src/bindings.rs");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).expect("read src/bindings.rs");
    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "lengths differ".to_owned(),
                |i| format!("line {}", i + 1),
            );
        panic!(
            "src/bindings.rs differs from what bindgen generates from {} (first difference: {}); \
             rerun with ZMQ_SYS_UPDATE_BINDINGS=1 and review the diff",
            include_dir.display(),
            first_difference
        );
    }
}
