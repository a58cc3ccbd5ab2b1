//! The guide's request-reply worker for a broker: answers every request that a broker's
//! backend (a DEALER, as in `rrbroker`) passes it with `World`, until it is killed.
//!
//! Usage: `rrworker [ENDPOINT]` (default `tcp://localhost:5560`).
//!
//! It connects a REP socket to ENDPOINT and, for each request, prints
//! `Received request: [<text>]` and replies `World`. The guide's worker also sleeps a second
//! per request to play at working; this one answers at once, like `hwserver`.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `rrworker: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "rrworker [ENDPOINT]";

fn main() -> ExitCode {
    support::run("rrworker", USAGE, 1, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://localhost:5560");

    // A reply to a client that is gone is not worth waiting for at exit.
    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let responder = ctx.socket(SocketType::Rep)?;
    responder.connect(endpoint)?;

    let mut request = Message::new();
    loop {
        responder.recv(&mut request, RecvFlags::empty())?;
        println!("Received request: [{}]", String::from_utf8_lossy(&request));
        responder.send("World", SendFlags::empty())?;
    }
}
