//! The guide's weather update proxy: takes a weather server's (`wuserver`) updates and
//! publishes them again on an endpoint of its own, for subscribers (`wuclient`) that cannot
//! reach the server, with libzmq's built-in proxy (`zmq::proxy`).
//!
//! Usage: `wuproxy [XSUB_CONNECT] [XPUB_BIND]` (defaults `tcp://localhost:5556` and
//! `tcp://*:8100`).
//!
//! Its frontend, an XSUB socket, connects to the weather server at XSUB_CONNECT; its backend,
//! an XPUB socket, binds XPUB_BIND for the subscribers (printing `BOUND <endpoint>` for a
//! wildcard port; nothing else is printed). The proxy passes updates from the frontend to the
//! backend and, the other way, the subscribers' subscriptions, so that the server sends on
//! only what some subscriber wants. It runs until killed.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `wuproxy: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, SocketType};

const USAGE: &str = "wuproxy [XSUB_CONNECT] [XPUB_BIND]";

fn main() -> ExitCode {
    support::run("wuproxy", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let server_endpoint = args.text_or(0, "tcp://localhost:5556");
    let subscribers_endpoint = args.text_or(1, "tcp://*:8100");

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    // Where the weather server sits.
    let frontend = ctx.socket(SocketType::XSub)?;
    frontend.connect(server_endpoint)?;
    // The public endpoint for subscribers.
    let backend = ctx.socket(SocketType::XPub)?;
    support::bind(&backend, subscribers_endpoint)?;

    // Runs until the context is shut down, which nothing here does.
    zmq::proxy(&frontend, &backend, None)?;
    Ok(())
}
