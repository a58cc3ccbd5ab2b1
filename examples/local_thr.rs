//! libzmq's `local_thr` perf tool in Rust: binds a PULL socket, receives MESSAGE_COUNT messages
//! of MESSAGE_SIZE bytes from `remote_thr` (this crate's or libzmq's C one) and prints the
//! throughput, timed from the first message to the last, in exactly the C tool's lines.
//!
//! For a wildcard (`tcp://127.0.0.1:*`, `ipc://*`), which the C tool has no use for, it first
//! prints `BOUND <endpoint>` with what libzmq chose (as the other examples do).
//!
//! Usage: `local_thr <bind-to> <message-size> <message-count> [<enable_curve>]`
//!
//! The receive loop reuses one [`zmq::Message`]: no allocation per message beyond libzmq's
//! own. With `ZMQ_PERF_TUNED=1` (a build with feature `draft`) the socket gets
//! [`zmq::ThroughputSetup::STREAMING`] and the process
//! [`zmq::tune_malloc_for_large_messages`]. Bad arguments exit with status 2; a failure, or a message of the wrong size, with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::perf::{self, Stopwatch};
use support::Args;
use zmq::{Context, Message, RecvFlags, SocketType};

const USAGE: &str = "local_thr <bind-to> <message-size> <message-count> [<enable_curve>]";

fn main() -> ExitCode {
    support::run("local_thr", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let bind_to = args.required(0, "bind-to");
    let size = perf::size(&args, 1);
    let count = perf::count(&args, 2, "message count");
    let curve = perf::curve(&args, 3);

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Pull)?;
    if perf::tuned() {
        perf::tune(&socket)?;
    }
    if curve {
        perf::curve_server(&socket)?;
    }
    support::bind(&socket, bind_to)?;

    let mut msg = Message::new();
    socket.recv(&mut msg, RecvFlags::empty())?;
    perf::check_size(&msg, size)?;
    let watch = Stopwatch::start();
    for _ in 1..count {
        socket.recv(&mut msg, RecvFlags::empty())?;
        perf::check_size(&msg, size)?;
    }
    let elapsed = watch.micros();

    perf::print_thr_header(size, count);
    perf::print_thr_results(size, count, elapsed);
    Ok(())
}
