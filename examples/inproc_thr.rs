//! libzmq's `inproc_thr` perf tool in Rust: a PUSH socket on a second thread sends
//! MESSAGE_COUNT messages of MESSAGE_SIZE bytes over `inproc://` to a PULL socket, which
//! measures; prints exactly the C tool's lines.
//!
//! Each message is sent from one zeroed buffer of MESSAGE_SIZE bytes with `send(&[u8])`:
//! libzmq copies the bytes into a message of its own (`zmq_send`: the C tool's
//! `zmq_msg_init_size`, plus the copy). The C tool never writes its bytes; safe Rust cannot
//! send unwritten ones, so one pass over them is the price of safety here. With
//! `ZMQ_PERF_TUNED=1` (a build
//! with feature `draft`) both sockets get the tuned mode of `remote_thr` and the sender sends
//! clones of one payload.
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
use zmq::{Context, Message, RecvFlags, SocketType};

const USAGE: &str = "inproc_thr <message-size> <message-count>";
const ENDPOINT: &str = "inproc://thr_test";

fn main() -> ExitCode {
    support::run("inproc_thr", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let size = perf::size(&args, 0);
    let count = perf::count(&args, 1, "message count");

    let ctx = Context::new()?;
    let tuned = perf::tuned();
    let socket = ctx.socket(SocketType::Pull)?;
    if tuned {
        perf::tune(&socket)?;
    }
    socket.bind(ENDPOINT)?;
    let push = ctx.socket(SocketType::Push)?;
    if tuned {
        perf::tune(&push)?;
    }
    let worker = thread::spawn(move || -> zmq::Result<()> {
        push.connect(ENDPOINT)?;
        perf::send_all(&push, size, count, tuned)
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
