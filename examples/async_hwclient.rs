//! The guide's "Hello World" REQ client on tokio (feature `tokio`): the same contract as
//! `hwclient`. Sends `Hello` COUNT times and prints each reply.
//!
//! Usage: `async_hwclient [ENDPOINT] [COUNT]` (defaults `tcp://localhost:5555` and 10). Exits
//! 0 when every request was answered; fails if a reply takes longer than ten seconds.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `async_hwclient: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{AsyncSocket, Context, SocketType};

const USAGE: &str = "async_hwclient [ENDPOINT] [COUNT]";
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    support::run("async_hwclient", USAGE, 2, |args| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(run(args))
    })
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://localhost:5555");
    let count: u64 = args.number_or(1, "COUNT", 10);

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Req)?;
    // Do not let an unanswered request keep the process alive at exit.
    socket.set_linger(Some(Duration::ZERO))?;
    socket.connect(endpoint)?;
    let mut socket = AsyncSocket::new(socket)?;

    for n in 1..=count {
        println!("Sending Hello {n}");
        socket.send("Hello").await?;
        // Cancelling the receive on timeout loses nothing; here it ends the client.
        match tokio::time::timeout(REPLY_TIMEOUT, socket.recv()).await {
            Ok(reply) => println!("Received {} {n}", String::from_utf8_lossy(&reply?)),
            Err(_) => {
                return Err(format!("no reply from {endpoint} within {REPLY_TIMEOUT:?}").into())
            }
        }
    }
    Ok(())
}
