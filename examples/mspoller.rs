//! The guide's multiple-socket poller: takes tasks from a ventilator (`taskvent`) and weather
//! updates for zipcode 10001 from a weather server (`wuserver`) at once, as `msreader` does,
//! but waits for them with `zmq::poll` instead of looping round and sleeping.
//!
//! Usage: `mspoller [PULL_ENDPOINT] [SUB_ENDPOINT] [COUNT]` (defaults `tcp://localhost:5557`,
//! `tcp://localhost:5556`, and no limit).
//!
//! It connects a PULL socket to the ventilator and a SUB socket, subscribed to `"10001 "`, to
//! the weather server. Then it polls both sockets, waiting as long as it takes, and takes one
//! message from each socket that has one. Its output is `msreader`'s: `task <body>` or
//! `weather <body>` for each message. It runs until killed, or with COUNT, stops after COUNT
//! messages in all, prints `Read <COUNT> messages: <T> tasks, <W> weather updates` and exits 0.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `mspoller: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, Message, PollEvents, RecvFlags};

const USAGE: &str = "mspoller [PULL_ENDPOINT] [SUB_ENDPOINT] [COUNT]";

fn main() -> ExitCode {
    support::run("mspoller", USAGE, 3, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let limit: Option<u64> = args.number(2, "COUNT");

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let (receiver, subscriber) = support::reader_sockets(&ctx, &args)?;

    let sockets = [(&receiver, "task"), (&subscriber, "weather")];
    // Messages read from each socket, in the order of `sockets`.
    let mut read = [0u64; 2];
    let mut msg = Message::new();
    let done = |read: &[u64; 2]| limit.is_some_and(|limit| read.iter().sum::<u64>() >= limit);
    while !done(&read) {
        let mut items = sockets.map(|(socket, _)| socket.as_poll_item(PollEvents::POLLIN));
        // Wait for ever: until at least one socket has a message.
        zmq::poll(&mut items, None)?;
        for (index, item) in items.iter().enumerate() {
            if !item.is_readable() || done(&read) {
                continue;
            }
            let (socket, kind) = sockets[index];
            socket.recv(&mut msg, RecvFlags::DONTWAIT)?;
            println!("{kind} {}", String::from_utf8_lossy(&msg));
            read[index] += 1;
        }
    }
    let [tasks, updates] = read;
    support::print_read_totals(tasks, updates);
    Ok(())
}
