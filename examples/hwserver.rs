//! The guide's "Hello World" REP server, ported from the C++ version: binds, prints each
//! request as `Received <text>` and answers the five bytes `world`, until it is killed.
//!
//! Usage: `hwserver [ENDPOINT]` (default `tcp://*:5555`). For an endpoint with a wildcard
//! port (`tcp://127.0.0.1:*`) it first prints `BOUND <endpoint>` with the port chosen.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `hwserver: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::Args;
use zmq::{Context, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "hwserver [ENDPOINT]";

fn main() -> ExitCode {
    support::run("hwserver", USAGE, 1, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://*:5555");

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Rep)?;
    support::bind(&socket, endpoint)?;

    let mut request = zmq::Message::new();
    loop {
        socket.recv(&mut request, RecvFlags::empty())?;
        println!("Received {}", String::from_utf8_lossy(&request));
        // A REP socket routes the reply to the peer that asked; if that peer is gone, libzmq
        // drops the reply and the server goes on with the next request.
        socket.send("world", SendFlags::empty())?;
    }
}
