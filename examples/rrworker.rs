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

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "rrworker [ENDPOINT]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rrworker: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(1);
    let endpoint = args.first().map_or("tcp://localhost:5560", String::as_str);

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

/// The arguments, at most `max` of them; anything else is a usage error.
fn arguments(max: usize) -> Vec<String> {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .unwrap_or_else(|arg| usage_error(format!("{arg:?} is not UTF-8")))
        })
        .collect();
    if args.len() > max {
        usage_error("too many arguments");
    }
    args
}

/// Explains what is wrong with the arguments and exits with status 2.
fn usage_error(problem: impl std::fmt::Display) -> ! {
    eprintln!("rrworker: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
