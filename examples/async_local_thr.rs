//! `local_thr` on the async API (feature `tokio`): binds a PULL socket, receives
//! MESSAGE_COUNT messages of MESSAGE_SIZE bytes from `remote_thr` or `async_remote_thr` (or
//! libzmq's C `remote_thr`) with [`zmq::AsyncSocket::recv`] on a current-thread tokio
//! runtime, and prints the throughput in exactly `local_thr`'s lines, so the two compare
//! side by side.
//!
//! Usage: `async_local_thr <bind-to> <message-size> <message-count> [<enable_curve>]`
//!
//! For a wildcard (`tcp://127.0.0.1:*`) it first prints `BOUND <endpoint>`. Bad arguments
//! exit with status 2; a failure, or a message of the wrong size, with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::perf::{self, Stopwatch};
use support::Args;
use zmq::{AsyncSocket, Context, SocketType};

const USAGE: &str = "async_local_thr <bind-to> <message-size> <message-count> [<enable_curve>]";

fn main() -> ExitCode {
    support::run("async_local_thr", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let bind_to = args.required(0, "bind-to");
    let size = perf::size(&args, 1);
    let count = perf::count(&args, 2, "message count");
    let curve = perf::curve(&args, 3);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let ctx = Context::new()?;
        let socket = ctx.socket(SocketType::Pull)?;
        if curve {
            perf::curve_server(&socket)?;
        }
        support::bind(&socket, bind_to)?;
        let mut socket = AsyncSocket::new(socket)?;

        perf::check_size(&socket.recv().await?, size)?;
        let watch = Stopwatch::start();
        for _ in 1..count {
            perf::check_size(&socket.recv().await?, size)?;
        }
        let elapsed = watch.micros();

        perf::print_thr_header(size, count);
        perf::print_thr_results(size, count, elapsed);
        Ok::<(), Box<dyn Error>>(())
    })
}
