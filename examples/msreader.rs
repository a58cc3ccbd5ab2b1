//! The guide's multiple-socket reader: takes tasks from a ventilator (`taskvent`) and weather
//! updates for zipcode 10001 from a weather server (`wuserver`) at once, with the crude loop
//! the guide shows before it introduces polling.
//!
//! Usage: `msreader [PULL_ENDPOINT] [SUB_ENDPOINT] [COUNT]` (defaults `tcp://localhost:5557`,
//! `tcp://localhost:5556`, and no limit).
//!
//! It connects a PULL socket to the ventilator and a SUB socket, subscribed to `"10001 "`, to
//! the weather server. Then, round and round: it takes every task waiting and then every
//! update waiting, without blocking (`DONTWAIT`), and sleeps a millisecond when both are
//! empty. It prints `task <body>` or `weather <body>` for each message. It runs until killed,
//! or with COUNT, stops after COUNT messages in all, prints
//! `Read <COUNT> messages: <T> tasks, <W> weather updates` and exits 0.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `msreader: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use support::Args;
use zmq::{Context, Message, RecvFlags, Socket};

const USAGE: &str = "msreader [PULL_ENDPOINT] [SUB_ENDPOINT] [COUNT]";

fn main() -> ExitCode {
    support::run("msreader", USAGE, 3, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let limit: Option<u64> = args.number(2, "COUNT");

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let (receiver, subscriber) = support::reader_sockets(&ctx, &args)?;

    let mut reader = Reader {
        msg: Message::new(),
        limit,
        tasks: 0,
        updates: 0,
    };
    while !reader.done() {
        // Process any waiting tasks, then any waiting weather updates.
        let tasks = reader.drain(&receiver, "task")?;
        let updates = reader.drain(&subscriber, "weather")?;
        reader.tasks += tasks;
        reader.updates += updates;
        // No more waiting messages: don't spin.
        if tasks + updates == 0 {
            thread::sleep(Duration::from_millis(1));
        }
    }
    support::print_read_totals(reader.tasks, reader.updates);
    Ok(())
}

struct Reader {
    msg: Message,
    limit: Option<u64>,
    tasks: u64,
    updates: u64,
}

impl Reader {
    fn done(&self) -> bool {
        self.limit
            .is_some_and(|limit| self.tasks + self.updates >= limit)
    }

    /// Takes and prints the messages waiting on `socket` (stopping at the limit) and
    /// returns how many there were.
    fn drain(&mut self, socket: &Socket, kind: &str) -> zmq::Result<u64> {
        let mut read = 0;
        let room = self
            .limit
            .map_or(u64::MAX, |limit| limit - self.tasks - self.updates);
        while read < room {
            match socket.recv(&mut self.msg, RecvFlags::DONTWAIT) {
                Ok(()) => {
                    println!("{kind} {}", String::from_utf8_lossy(&self.msg));
                    read += 1;
                }
                Err(zmq::Error::WouldBlock) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(read)
    }
}
