//! `inproc_thr` on the async API (feature `tokio`): on a tokio runtime of two worker
//! threads, a task with an async PUSH socket sends MESSAGE_COUNT messages of MESSAGE_SIZE
//! bytes over `inproc://` to an async PULL socket, which measures; prints exactly
//! `inproc_thr`'s lines, so the two compare side by side.
//!
//! Usage: `async_inproc_thr <message-size> <message-count>`
//!
//! Bad arguments exit with status 2; a failure, or a message of the wrong size, with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::perf::{self, Stopwatch};
use support::Args;
use zmq::{AsyncSocket, Context, Message, SocketType};

const USAGE: &str = "async_inproc_thr <message-size> <message-count>";
const ENDPOINT: &str = "inproc://thr_test";

fn main() -> ExitCode {
    support::run("async_inproc_thr", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let size = perf::size(&args, 0);
    let count = perf::count(&args, 1, "message count");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let ctx = Context::new()?;
        let socket = ctx.socket(SocketType::Pull)?;
        socket.bind(ENDPOINT)?;
        let mut socket = AsyncSocket::new(socket)?;
        let push = ctx.socket(SocketType::Push)?;
        push.connect(ENDPOINT)?;
        let mut push = AsyncSocket::new(push)?;
        let sender = tokio::spawn(async move {
            for _ in 0..count {
                push.send(Message::with_size(size)?).await?;
            }
            Ok::<_, zmq::Error>(())
        });

        perf::print_thr_header(size, count);
        perf::check_size(&socket.recv().await?, size)?;
        let watch = Stopwatch::start();
        for _ in 1..count {
            perf::check_size(&socket.recv().await?, size)?;
        }
        let elapsed = watch.micros();
        sender.await.map_err(|_| "the sending task panicked")??;
        perf::print_thr_results(size, count, elapsed);
        Ok::<(), Box<dyn Error>>(())
    })
}
