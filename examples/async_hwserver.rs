//! The guide's "Hello World" REP server on tokio (feature `tokio`): the same contract as
//! `hwserver`. Binds, prints each request as `Received <text>` and answers the five bytes
//! `world`, until it is killed.
//!
//! Usage: `async_hwserver [ENDPOINT]` (default `tcp://*:5555`). For an endpoint with a
//! wildcard port (`tcp://127.0.0.1:*`) it first prints `BOUND <endpoint>` with the port chosen.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `async_hwserver: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::Args;
use zmq::{AsyncSocket, Context, SocketType};

const USAGE: &str = "async_hwserver [ENDPOINT]";

fn main() -> ExitCode {
    support::run("async_hwserver", USAGE, 1, |args| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(run(args))
    })
}

async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://*:5555");

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Rep)?;
    support::bind(&socket, endpoint)?;
    let mut socket = AsyncSocket::new(socket)?;

    loop {
        let request = socket.recv().await?;
        println!("Received {}", String::from_utf8_lossy(&request));
        // A REP socket routes the reply to the peer that asked; if that peer is gone, libzmq
        // drops the reply and the server goes on with the next request.
        socket.send("world").await?;
    }
}
