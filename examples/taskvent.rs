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

use std::error::Error;
use std::io::{self, BufRead};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zmq::{Context, SendFlags, SocketType};

const USAGE: &str = "taskvent [PUSH_ENDPOINT] [SINK_ENDPOINT] [TASKS]";
const LINGER: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("taskvent: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(3);
    let workers_endpoint = args.first().map_or("tcp://*:5557", String::as_str);
    let sink_endpoint = args.get(1).map_or("tcp://localhost:5558", String::as_str);
    let tasks: u32 = match args.get(2) {
        None => 100,
        Some(text) => text
            .parse()
            .unwrap_or_else(|_| usage_error(format!("TASKS must be a whole number, not {text:?}"))),
    };

    let ctx = Context::builder().linger(Some(LINGER)).build()?;
    let sender = ctx.socket(SocketType::Push)?;
    sender.bind(workers_endpoint)?;
    if workers_endpoint.ends_with(":*") {
        println!("BOUND {}", sender.last_endpoint()?);
    }
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

/// xorshift64*: small and fast, and plenty for made-up workloads.
struct Rng(u64);

impl Rng {
    fn from_clock() -> Rng {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64);
        let pid = u64::from(std::process::id());
        // Never zero: xorshift would stay at zero for ever.
        Rng((nanos ^ pid.rotate_left(32)) | 1)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let random = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
        ((random * u64::from(n)) >> 32) as u32
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
    eprintln!("taskvent: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
