//! libzmq's `inproc_lat` perf tool in Rust: a REQ socket sends ROUNDTRIP_COUNT messages of
//! MESSAGE_SIZE bytes over `inproc://` to a REP socket on a second thread, which echoes each
//! one; prints the average one-way latency in exactly the C tool's lines.
//!
//! Usage: `inproc_lat <message-size> <roundtrip-count>`
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

const USAGE: &str = "inproc_lat <message-size> <roundtrip-count>";
const ENDPOINT: &str = "inproc://lat_test";

fn main() -> ExitCode {
    support::run("inproc_lat", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let size = perf::size(&args, 0);
    let roundtrips = perf::count(&args, 1, "roundtrip count");

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Req)?;
    socket.bind(ENDPOINT)?;
    let worker_ctx = ctx.clone();
    let worker = thread::spawn(move || -> zmq::Result<()> {
        let rep = worker_ctx.socket(SocketType::Rep)?;
        rep.connect(ENDPOINT)?;
        let mut msg = Message::new();
        for _ in 0..roundtrips {
            rep.recv(&mut msg, RecvFlags::empty())?;
            rep.send(std::mem::take(&mut msg), SendFlags::empty())?;
        }
        Ok(())
    });

    let mut msg = Message::with_size(size)?;
    println!("message size: {size} [B]");
    println!("roundtrip count: {roundtrips}");
    let watch = Stopwatch::start();
    for _ in 0..roundtrips {
        socket.send(std::mem::take(&mut msg), SendFlags::empty())?;
        socket.recv(&mut msg, RecvFlags::empty())?;
        perf::check_size(&msg, size)?;
    }
    let elapsed = watch.micros();
    worker.join().map_err(|_| "the echoing thread panicked")??;
    perf::print_lat_result(roundtrips, elapsed);
    Ok(())
}
