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

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use support::Args;
use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

const USAGE: &str = "taskwork [PULL_ENDPOINT] [PUSH_ENDPOINT]";
/// How long a result may wait for the sink when the worker stops on an error.
const LINGER: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    support::run("taskwork", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let tasks_endpoint = args.text_or(0, "tcp://localhost:5557");
    let sink_endpoint = args.text_or(1, "tcp://localhost:5558");

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
