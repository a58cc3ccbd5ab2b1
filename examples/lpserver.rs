//! The guide's Lazy Pirate server: a REP server that answers every request with the request
//! itself, until it is killed. Kill it and start it again while `lpclient` runs: the client
//! notices the silence, retries, and loses no request.
//!
//! Usage: `lpserver [ENDPOINT]` (default `tcp://*:5555`). For an endpoint with a wildcard
//! port (`tcp://127.0.0.1:*`) it first prints `BOUND <endpoint>` with the port chosen. It
//! prints `Normal request (<text>)` for each request, as the guide's server does.
//!
//! The guide's server also simulates crashes and overload at random; this one leaves the
//! crashing to whoever kills it, so that a test can choose the moment.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `lpserver: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::Args;
use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "lpserver [ENDPOINT]";

fn main() -> ExitCode {
    support::run("lpserver", USAGE, 1, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://*:5555");

    let ctx = Context::new()?;
    let server = ctx.socket(SocketType::Rep)?;
    support::bind(&server, endpoint)?;

    let mut request = Message::new();
    loop {
        server.recv(&mut request, RecvFlags::empty())?;
        println!("Normal request ({})", String::from_utf8_lossy(&request));
        // The reply is the request: the client checks that it got the answer to what it
        // asked, not to an earlier try. A client that gave up on this request (and closed its
        // socket) is gone; libzmq then drops the reply.
        server.send(&request, SendFlags::empty())?;
    }
}
