//! The guide's message queue broker: `rrbroker` with libzmq's built-in proxy (`zmq::proxy`)
//! in place of its poll loop.
//!
//! Usage: `msgqueue [FRONTEND] [BACKEND]` (defaults `tcp://*:5559` and `tcp://*:5560`).
//!
//! It binds a ROUTER socket for the clients (`rrclient`) at FRONTEND and a DEALER socket for
//! the workers (`rrworker`) at BACKEND, printing `BOUND <endpoint>` for an endpoint with a
//! wildcard port: the frontend's line first, then the backend's. Nothing else is printed.
//! Then the proxy passes every message, whole, from each socket to the other until the
//! process is killed.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `msgqueue: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::Context;

const USAGE: &str = "msgqueue [FRONTEND] [BACKEND]";

fn main() -> ExitCode {
    support::run("msgqueue", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let (frontend, backend) = support::broker_sockets(&ctx, &args)?;
    // Runs until the context is shut down, which nothing here does.
    zmq::proxy(&frontend, &backend, None)?;
    Ok(())
}
