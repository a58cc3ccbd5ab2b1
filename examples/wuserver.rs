//! The guide's weather update server: a PUB socket that publishes made-up weather updates as
//! fast as it can, until it is killed.
//!
//! Usage: `wuserver [ENDPOINT] [ZIPCODES]` (defaults `tcp://*:5556` and 100000).
//!
//! Each update is one frame of text, `"%05d %d %d"`: a zipcode drawn from `0..ZIPCODES`, a
//! temperature from -80 to 134 and a relative humidity from 10 to 59. ZIPCODES is the
//! guide's 100000 unless narrowed (a test narrows it so that one zipcode comes up often).
//! For an endpoint with a wildcard port (`tcp://127.0.0.1:*`) the first line printed is
//! `BOUND <endpoint>` with the port chosen; nothing else is printed.
//!
//! A PUB socket sends each update only to the subscribers whose subscriptions match it and
//! drops it when nobody wants it, so the server publishes whether or not anyone listens.
//! Its linger is zero: updates still queued when it stops are not worth waiting for.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `wuserver: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use support::{Args, Rng};
use zmq::{Context, SendFlags, SocketType};

const USAGE: &str = "wuserver [ENDPOINT] [ZIPCODES]";

fn main() -> ExitCode {
    support::run("wuserver", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://*:5556");
    let zipcodes: u32 = args.number_in(1, "ZIPCODES", 1..=100_000, 100_000);

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let publisher = ctx.socket(SocketType::Pub)?;
    support::bind(&publisher, endpoint)?;

    let mut rng = Rng::from_clock();
    // One buffer for every update: libzmq copies it on send.
    let mut update = String::new();
    loop {
        let zipcode = rng.below(zipcodes);
        let temperature = i64::from(rng.below(215)) - 80;
        let relhumidity = rng.below(50) + 10;
        update.clear();
        write!(update, "{zipcode:05} {temperature} {relhumidity}")?;
        publisher.send(update.as_str(), SendFlags::empty())?;
    }
}
