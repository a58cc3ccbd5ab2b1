//! The guide's request-reply client for a broker: sends `Hello` COUNT times through a
//! broker's frontend (a ROUTER, as in `rrbroker`) and prints each reply.
//!
//! Usage: `rrclient [ENDPOINT] [COUNT]` (defaults `tcp://localhost:5559` and 10).
//!
//! It connects a REQ socket to ENDPOINT and, for each request in turn, prints
//! `Received reply <n> [<reply>]` (n from 1). It exits 0 when every request was answered,
//! and fails (exit 1) if a reply takes longer than ten seconds.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `rrclient: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "rrclient [ENDPOINT] [COUNT]";
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    support::run("rrclient", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://localhost:5559");
    let count: u64 = args.number_or(1, "COUNT", 10);

    // Do not let an unanswered request keep the process alive at exit.
    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let requester = ctx.socket(SocketType::Req)?;
    requester.set_rcvtimeo(Some(REPLY_TIMEOUT))?;
    requester.connect(endpoint)?;

    for n in 1..=count {
        requester.send("Hello", SendFlags::empty())?;
        match requester.recv_string(RecvFlags::empty()) {
            Ok(reply) => println!("Received reply {n} [{reply}]"),
            Err(zmq::Error::WouldBlock) => {
                return Err(format!("no reply from {endpoint} within {REPLY_TIMEOUT:?}").into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
