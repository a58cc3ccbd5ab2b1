//! The guide's task ventilator: sends a batch of tasks to workers (`taskwork`) over PUSH,
//! after telling the sink (`tasksink`) that the batch starts.
//!
//! Usage: `taskvent [PUSH_ENDPOINT] [SINK_ENDPOINT] [TASKS]` (defaults `tcp://*:5557`,
//! `tcp://localhost:5558` and 100).
//!
//! It binds a PUSH socket for the workers at PUSH_ENDPOINT (printing `BOUND <endpoint>` first
//! for a wildcard port) and connects another PUSH socket to the sink at SINK_ENDPOINT. Then,
//! as in the guide, it waits until the workers are ready: it prints
//! `Press Enter when the workers are ready` and reads one line from stdin, or end of input,
//! so `taskvent < /dev/null` starts at once and a script or test can write the line when its
//! workers are up. A PUSH socket deals tasks out to the workers connected *when it sends*, so
//! workers that connect late get nothing of this batch.
//!
//! It then prints `Sending tasks to workers...`, sends the start signal `0` to the sink and
//! TASKS tasks, each a random workload from 1 to 100 milliseconds written as decimal text,
//! prints `Total expected cost: <sum of workloads> msec` and exits 0. Sending waits for at
//! least one worker to connect; at exit, unsent tasks are given up to ten seconds (the
//! linger) to reach their workers.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `taskvent: <error>` on stderr and exits with status 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::io::{self, BufRead};
use std::process::ExitCode;
use std::time::Duration;

use support::{Args, Rng};
use zmq::{Context, SendFlags, SocketType};

const USAGE: &str = "taskvent [PUSH_ENDPOINT] [SINK_ENDPOINT] [TASKS]";
const LINGER: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    support::run("taskvent", USAGE, 3, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let workers_endpoint = args.text_or(0, "tcp://*:5557");
    let sink_endpoint = args.text_or(1, "tcp://localhost:5558");
    let tasks: u32 = args.number_or(2, "TASKS", 100);

    let ctx = Context::builder().linger(Some(LINGER)).build()?;
    let sender = ctx.socket(SocketType::Push)?;
    support::bind(&sender, workers_endpoint)?;
    let sink = ctx.socket(SocketType::Push)?;
    sink.connect(sink_endpoint)?;

    println!("Press Enter when the workers are ready");
    io::stdin().lock().read_line(&mut String::new())?;
    println!("Sending tasks to workers...");

    // The first message is "0" and signals the start of the batch.
    sink.send("0", SendFlags::empty())?;

    let mut rng = Rng::from_clock();
    let mut total_msec: u64 = 0;
    for _ in 0..tasks {
        let workload = rng.below(100) + 1;
        total_msec += u64::from(workload);
        sender.send(workload.to_string(), SendFlags::empty())?;
    }
    println!("Total expected cost: {total_msec} msec");
    Ok(())
}
