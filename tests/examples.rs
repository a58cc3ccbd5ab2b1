//! The guide's examples (chapters 1 and 2) run as processes, against each other and against
//! sockets of this test, over loopback TCP on ephemeral ports.
//!
//! The example binaries are built by `cargo test` (or `cargo build --examples`), not by
//! `cargo test --test examples` alone.

use support::{example, within, Peer};

mod support;

#[test]
fn version_prints_the_linked_version() {
    within(|| {
        let run = Peer::spawn("version", example("version"), [""; 0]).finish();
        run.assert_success();
        assert_eq!(
            run.stdout,
            [format!("Current 0MQ version is {}", zmq::version())]
        );
    });
}
