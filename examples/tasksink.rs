//! The guide's task sink: collects the results of one batch of tasks from the workers
//! (`taskwork`) and prints how long the batch took.
//!
//! Usage: `tasksink [PULL_ENDPOINT] [TASKS]` (defaults `tcp://*:5558` and 100).
//!
//! It binds a PULL socket (printing `BOUND <endpoint>` first for a wildcard port) and waits
//! for the ventilator's start signal (`taskvent` sends `0`; whatever comes first counts as
//! it). The clock starts then. It collects TASKS results, printing on one line `:` for every
//! tenth and `.` for the others, then prints `Total elapsed time: <N> msec` and exits 0.
//! It waits for results as long as it takes.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `tasksink: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use support::Args;
use zmq::{Context, Message, RecvFlags, SocketType};

const USAGE: &str = "tasksink [PULL_ENDPOINT] [TASKS]";

fn main() -> ExitCode {
    support::run("tasksink", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://*:5558");
    let tasks: u32 = args.number_or(1, "TASKS", 100);

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let receiver = ctx.socket(SocketType::Pull)?;
    support::bind(&receiver, endpoint)?;

    let mut msg = Message::new();
    // Wait for the start of the batch.
    receiver.recv(&mut msg, RecvFlags::empty())?;
    let start = Instant::now();

    let mut stdout = io::stdout();
    for task in 1..=tasks {
        receiver.recv(&mut msg, RecvFlags::empty())?;
        stdout.write_all(if task % 10 == 0 { b":" } else { b"." })?;
        stdout.flush()?;
    }
    println!();
    println!("Total elapsed time: {} msec", start.elapsed().as_millis());
    Ok(())
}
