//! The guide's version report: prints `Current 0MQ version is X.Y.Z`, the version of the
//! libzmq this program runs with (`zmq::version()`, that is `zmq_version`).
//!
//! Usage: `version` (no arguments; any is a usage error, exit 2).

#[path = "support/mod.rs"]
mod support;

use support::Args;

fn main() {
    Args::parse("version", "version", 0);
    println!("Current 0MQ version is {}", zmq::version());
}
