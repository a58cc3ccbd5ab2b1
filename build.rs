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
    let version = env::var("DEP_ZMQ_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=ZMQ_BUILD_LIBZMQ_VERSION={version}");
}
