//! libzmq's `remote_lat` perf tool in Rust: connects a REQ socket, sends ROUNDTRIP_COUNT
//! messages of MESSAGE_SIZE bytes to `local_lat` (this crate's or libzmq's C one), waiting
//! for each echo, and prints the average one-way latency in exactly the C tool's lines.
//!
//! Usage: `remote_lat <connect-to> <message-size> <roundtrip-count> [<enable_curve>]`
//!
//! One message goes back and forth: the echo received is the next request sent, without
//! copying. Bad arguments exit with status 2; a failure, or a message of the wrong size,
//! with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::perf::{self, Stopwatch};
use support::Args;
use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "remote_lat <connect-to> <message-size> <roundtrip-count> [<enable_curve>]";

fn main() -> ExitCode {
    support::run("remote_lat", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let connect_to = args.required(0, "connect-to");
    let size = perf::size(&args, 1);
    let roundtrips = perf::count(&args, 2, "roundtrip count");
    let curve = perf::curve(&args, 3);

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Req)?;
    if curve {
        perf::curve_client(&socket)?;
    }
    socket.connect(connect_to)?;

    let mut msg = Message::with_size(size)?;
    let watch = Stopwatch::start();
    for _ in 0..roundtrips {
        socket.send(std::mem::take(&mut msg), SendFlags::empty())?;
        socket.recv(&mut msg, RecvFlags::empty())?;
        perf::check_size(&msg, size)?;
    }
    let elapsed = watch.micros();
    perf::print_lat(size, roundtrips, elapsed);
    Ok(())
}
