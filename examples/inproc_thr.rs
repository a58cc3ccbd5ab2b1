//! libzmq's `inproc_thr` perf tool in Rust: a PUSH socket on a second thread sends
//! MESSAGE_COUNT messages of MESSAGE_SIZE bytes over `inproc://` to a PULL socket, which
//! measures; prints exactly the C tool's lines.
//!
//! Usage: `inproc_thr <message-size> <message-count>`
//!
//! Bad arguments exit with status 2; a failure, or a message of the wrong size, with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::thread;

use support::perf::{self, Stopwatch};
use support::Args;
use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "inproc_thr <message-size> <message-count>";
const ENDPOINT: &str = "inproc://thr_test";

fn main() -> ExitCode {
    support::run("inproc_thr", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let size = perf::size(&args, 0);
    let count = perf::count(&args, 1, "message count");

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Pull)?;
    socket.bind(ENDPOINT)?;
    let worker_ctx = ctx.clone();
    let worker = thread::spawn(move || -> zmq::Result<()> {
        let push = worker_ctx.socket(SocketType::Push)?;
        push.connect(ENDPOINT)?;
        for _ in 0..count {
            push.send(Message::with_size(size)?, SendFlags::empty())?;
        }
        Ok(())
    });

    perf::print_thr_header(size, count);
    let mut msg = Message::new();
    socket.recv(&mut msg, RecvFlags::empty())?;
    perf::check_size(&msg, size)?;
    let watch = Stopwatch::start();
    for _ in 1..count {
        socket.recv(&mut msg, RecvFlags::empty())?;
        perf::check_size(&msg, size)?;
    }
    let elapsed = watch.micros();
    worker.join().map_err(|_| "the sending thread panicked")??;
    perf::print_thr_results(size, count, elapsed);
    Ok(())
}
