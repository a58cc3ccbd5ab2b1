//! The guide's "Hello World" REQ client: sends `Hello` COUNT times and prints each reply.
//!
//! Usage: `hwclient [ENDPOINT] [COUNT]` (defaults `tcp://localhost:5555` and 10). Exits 0
//! when every request was answered; fails if a reply takes longer than ten seconds.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `hwclient: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "hwclient [ENDPOINT] [COUNT]";
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    support::run("hwclient", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://localhost:5555");
    let count: u64 = args.number_or(1, "COUNT", 10);

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Req)?;
    socket.set_rcvtimeo(Some(REPLY_TIMEOUT))?;
    // Do not let an unanswered request keep the process alive at exit.
    socket.set_linger(Some(Duration::ZERO))?;
    socket.connect(endpoint)?;

    for n in 1..=count {
        println!("Sending Hello {n}");
        socket.send("Hello", SendFlags::empty())?;
        match socket.recv_string(RecvFlags::empty()) {
            Ok(reply) => println!("Received {reply} {n}"),
            Err(zmq::Error::WouldBlock) => {
                return Err(format!("no reply from {endpoint} within {REPLY_TIMEOUT:?}").into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
