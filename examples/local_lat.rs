//! libzmq's `local_lat` perf tool in Rust: binds a REP socket and echoes ROUNDTRIP_COUNT
//! messages of MESSAGE_SIZE bytes back to `remote_lat` (this crate's or libzmq's C one), which
//! measures. Prints nothing.
//!
//! For a wildcard (`tcp://127.0.0.1:*`, `ipc://*`), which the C tool has no use for, it first
//! prints `BOUND <endpoint>` with what libzmq chose (as the other examples do).
//!
//! Usage: `local_lat <bind-to> <message-size> <roundtrip-count> [<enable_curve>]`
//!
//! The echo sends back the very message it received, as the C tool does, without copying.
//! Bad arguments exit with status 2; a failure, or a message of the wrong size, with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::perf;
use support::Args;
use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "local_lat <bind-to> <message-size> <roundtrip-count> [<enable_curve>]";

fn main() -> ExitCode {
    support::run("local_lat", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let bind_to = args.required(0, "bind-to");
    let size = perf::size(&args, 1);
    let roundtrips = perf::count(&args, 2, "roundtrip count");
    let curve = perf::curve(&args, 3);

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Rep)?;
    if curve {
        perf::curve_server(&socket)?;
    }
    support::bind(&socket, bind_to)?;

    let mut msg = Message::new();
    for _ in 0..roundtrips {
        socket.recv(&mut msg, RecvFlags::empty())?;
        perf::check_size(&msg, size)?;
        socket.send(std::mem::take(&mut msg), SendFlags::empty())?;
    }
    // As the C tool: give the last reply a moment to leave before the socket closes.
    std::thread::sleep(Duration::from_secs(1));
    Ok(())
}
