//! `remote_thr` on the async API (feature `tokio`): connects a PUSH socket and sends
//! MESSAGE_COUNT messages of MESSAGE_SIZE bytes with [`zmq::AsyncSocket::send`] on a
//! current-thread tokio runtime to `local_thr`, `async_local_thr` or libzmq's C
//! `local_thr`, which measures. Prints nothing; exits once every message is sent and
//! delivered (libzmq's default linger waits for the queue to drain).
//!
//! Usage: `async_remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]`
//!
//! Bad arguments exit with status 2; a failure with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::perf;
use support::Args;
use zmq::{AsyncSocket, Context, Message, SocketType};

const USAGE: &str = "async_remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]";

fn main() -> ExitCode {
    support::run("async_remote_thr", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let connect_to = args.required(0, "connect-to");
    let size = perf::size(&args, 1);
    let count = perf::count(&args, 2, "message count");
    let curve = perf::curve(&args, 3);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let ctx = Context::new()?;
        let socket = ctx.socket(SocketType::Push)?;
        if curve {
            perf::curve_client(&socket)?;
        }
        socket.connect(connect_to)?;
        let mut socket = AsyncSocket::new(socket)?;
        for _ in 0..count {
            socket.send(Message::with_size(size)?).await?;
        }
        Ok::<(), Box<dyn Error>>(())
    })
}
