//! The guide's request-reply broker: passes requests from clients (`rrclient`) to workers
//! (`rrworker`) and their replies back, with its own poll loop. `msgqueue` is the same broker
//! built on `zmq::proxy`.
//!
//! Usage: `rrbroker [FRONTEND] [BACKEND]` (defaults `tcp://*:5559` and `tcp://*:5560`).
//!
//! It binds a ROUTER socket for the clients at FRONTEND and a DEALER socket for the workers at
//! BACKEND. For an endpoint with a wildcard port (`tcp://127.0.0.1:*`) it prints
//! `BOUND <endpoint>` with the port chosen: the frontend's line first, then the backend's.
//! Nothing else is printed. It runs until killed.
//!
//! It polls both sockets and passes each message that arrives on one, whole, to the other:
//! every frame of a multipart message (`recv_multipart` reads frames while `more()` says
//! another follows) is sent on, and `send_multipart` sends them as one message. The frontend
//! ROUTER puts the client's identity frame in front of each request, the DEALER deals the
//! requests out to the workers in turn, and the identity frame that comes back in front of
//! each reply tells the ROUTER which client to send it to.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `rrbroker: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, PollEvents, RecvFlags, SendFlags, Socket};

const USAGE: &str = "rrbroker [FRONTEND] [BACKEND]";

fn main() -> ExitCode {
    support::run("rrbroker", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let (frontend, backend) = support::broker_sockets(&ctx, &args)?;

    loop {
        let mut items = [
            frontend.as_poll_item(PollEvents::POLLIN),
            backend.as_poll_item(PollEvents::POLLIN),
        ];
        zmq::poll(&mut items, None)?;
        if items[0].is_readable() {
            forward(&frontend, &backend)?;
        }
        if items[1].is_readable() {
            forward(&backend, &frontend)?;
        }
    }
}

/// Passes one whole message, every frame of it, from `from` to `to`.
fn forward(from: &Socket, to: &Socket) -> zmq::Result<()> {
    let message = from.recv_multipart(RecvFlags::empty())?;
    to.send_multipart(message, SendFlags::empty())?;
    Ok(())
}
