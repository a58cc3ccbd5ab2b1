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

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "rrclient [ENDPOINT] [COUNT]";
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rrclient: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(2);
    let endpoint = args.first().map_or("tcp://localhost:5559", String::as_str);
    let count: u64 = match args.get(1) {
        None => 10,
        Some(text) => text
            .parse()
            .unwrap_or_else(|_| usage_error(format!("COUNT must be a whole number, not {text:?}"))),
    };

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
    eprintln!("rrclient: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
