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

use std::error::Error;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, Message, RecvFlags, Socket, SocketType};

const USAGE: &str = "msreader [PULL_ENDPOINT] [SUB_ENDPOINT] [COUNT]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("msreader: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(3);
    let tasks_endpoint = args.first().map_or("tcp://localhost:5557", String::as_str);
    let weather_endpoint = args.get(1).map_or("tcp://localhost:5556", String::as_str);
    let limit: Option<u64> = args.get(2).map(|text| {
        text.parse()
            .unwrap_or_else(|_| usage_error(format!("COUNT must be a whole number, not {text:?}")))
    });

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let receiver = ctx.socket(SocketType::Pull)?;
    receiver.connect(tasks_endpoint)?;
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(weather_endpoint)?;
    subscriber.set_subscribe(b"10001 ")?;

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
    println!(
        "Read {} messages: {} tasks, {} weather updates",
        reader.tasks + reader.updates,
        reader.tasks,
        reader.updates
    );
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
    eprintln!("msreader: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
