//! libzmq's `remote_thr` perf tool in Rust: connects a PUSH socket and sends MESSAGE_COUNT
//! messages of MESSAGE_SIZE bytes to `local_thr` (this crate's or libzmq's C one), which
//! measures. Prints nothing; exits once every message is sent and delivered (libzmq's default
//! linger waits for the queue to drain when the context terminates).
//!
//! Usage: `remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]`
//!
//! Each message is sent from one zeroed buffer of MESSAGE_SIZE bytes with `send(&[u8])`:
//! libzmq copies the bytes into a message of its own (`zmq_send`: the C tool's
//! `zmq_msg_init_size`, no allocation at all up to 33 bytes, plus the copy). The C tool
//! never writes its bytes; safe Rust cannot send unwritten ones. With `ZMQ_PERF_TUNED=1` (a
//! build with feature `draft`) the socket gets [`zmq::ThroughputSetup::STREAMING`], the
//! process [`zmq::tune_malloc_for_large_messages`], and every message is a clone of one
//! payload.
//! Bad arguments exit with status 2; a failure with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::perf;
use support::Args;
use zmq::{Context, SocketType};

const USAGE: &str = "remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]";

fn main() -> ExitCode {
    support::run("remote_thr", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let connect_to = args.required(0, "connect-to");
    let size = perf::size(&args, 1);
    let count = perf::count(&args, 2, "message count");
    let curve = perf::curve(&args, 3);

    let tuned = perf::tuned();
    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Push)?;
    if tuned {
        perf::tune(&socket)?;
    }
    if curve {
        perf::curve_client(&socket)?;
    }
    socket.connect(connect_to)?;

    perf::send_all(&socket, size, count, tuned)?;
    Ok(())
}
