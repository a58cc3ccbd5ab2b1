//! The guide's task worker: takes tasks from a ventilator (`taskvent`), does them, and
//! reports each one done to a sink (`tasksink`), until it is killed.
//!
//! Usage: `taskwork [PULL_ENDPOINT] [PUSH_ENDPOINT]` (defaults `tcp://localhost:5557` and
//! `tcp://localhost:5558`).
//!
//! It connects a PULL socket to the ventilator and a PUSH socket to the sink. A task is its
//! workload in milliseconds as decimal text: the worker prints the workload on a line of its
//! own, sleeps that long, and sends an empty message to the sink. A task that is not a
//! number is reported on stderr and counts as no work, but is still reported done, so that
//! the sink's count of the batch comes out right.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `taskwork: <error>` on stderr and exits with status 1.

use std::error::Error;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "taskwork [PULL_ENDPOINT] [PUSH_ENDPOINT]";
/// How long a result may wait for the sink when the worker stops on an error.
const LINGER: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("taskwork: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(2);
    let tasks_endpoint = args.first().map_or("tcp://localhost:5557", String::as_str);
    let sink_endpoint = args.get(1).map_or("tcp://localhost:5558", String::as_str);

    let ctx = Context::builder().linger(Some(LINGER)).build()?;
    let receiver = ctx.socket(SocketType::Pull)?;
    receiver.connect(tasks_endpoint)?;
    let sender = ctx.socket(SocketType::Push)?;
    sender.connect(sink_endpoint)?;

    let mut task = Message::new();
    loop {
        receiver.recv(&mut task, RecvFlags::empty())?;
        let text = String::from_utf8_lossy(&task);
        match text.parse::<u64>() {
            Ok(msec) => {
                println!("{msec}");
                thread::sleep(Duration::from_millis(msec));
            }
            Err(_) => eprintln!("taskwork: task {text:?} is not a workload in milliseconds"),
        }
        sender.send(Message::new(), SendFlags::empty())?;
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
    eprintln!("taskwork: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
