//! Turns what `zmq-sys` found (its `DEP_ZMQ_*` link metadata) into `cfg`s for this crate:
//!
//! - `zmq_draft`: the linked libzmq has the DRAFT API and the `draft` feature is on;
//! - `zmq_has_curve`: the linked libzmq was built with CURVE (`zmq::has("curve")` at run time
//!   stays the authority);
//! - `zmq_vendored`: libzmq was built from source by `zmq-sys`.

use std::env;

fn flag(name: &str) -> bool {
    env::var(format!("DEP_ZMQ_{name}")).as_deref() == Ok("true")
}

fn main() {
    for cfg in ["zmq_draft", "zmq_has_curve", "zmq_vendored"] {
        println!("cargo:rustc-check-cfg=cfg({cfg})");
    }
    if flag("DRAFT") {
        println!("cargo:rustc-cfg=zmq_draft");
    }
    if flag("CURVE") {
        println!("cargo:rustc-cfg=zmq_has_curve");
    }
    if flag("VENDORED") {
        println!("cargo:rustc-cfg=zmq_vendored");
    }
    // For tests that compile C or C++ code against the libzmq in use (tests/inproc_cpp.rs).
    let include = env::var("DEP_ZMQ_INCLUDE").unwrap_or_default();
    println!("cargo:rustc-env=ZMQ_BUILD_INCLUDE_DIR={include}");
    if flag("VENDORED") && env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        // The vendored libzmq is linked statically into each test binary. Exporting its
        // symbols lets C++ code that a test loads into its process (tests/inproc_cpp.rs) use
        // that one copy rather than bring a second one, as a C++ part linked into the same
        // program would.
        println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic");
    }
    // How a vendored libzmq signals between threads (`eventfd`, `socketpair`; `unknown` for
    // a library not built here), for tests/build_config.rs.
    let signaler = env::var("DEP_ZMQ_SIGNALER").unwrap_or_default();
    println!("cargo:rustc-env=ZMQ_BUILD_SIGNALER={signaler}");
    let version = env::var("DEP_ZMQ_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=ZMQ_BUILD_LIBZMQ_VERSION={version}");
}
