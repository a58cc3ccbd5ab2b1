//! cargo-fuzz target: see `fuzz/targets.rs`, `targets::endpoints`.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::endpoints(data));
