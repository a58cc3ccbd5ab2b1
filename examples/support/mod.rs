//! What the guide's examples share: reading their arguments, the usage error for bad ones,
//! how a failure is reported, and a small random number generator.
//!
//! Each example takes it in with `#[path = "support/mod.rs"] mod support;`. Cargo builds every
//! `examples/*.rs` as an example, but not this folder, which has no `main.rs`.
//!
//! The conventions, the same for every example: bad arguments print `<name>: <problem>` and
//! `usage: <usage>` on stderr and exit with status 2; any other failure prints
//! `<name>: <error>` on stderr and exits with status 1. An example that binds an endpoint with
//! a wildcard port (`tcp://127.0.0.1:*`) prints `BOUND <endpoint>` with the port chosen (see
//! [`bind`]), so that a script or test can connect to it.

// Each example uses only some of these helpers.
#![allow(dead_code)]

pub mod perf;

use std::error::Error;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs example `name`: reads its arguments (see [`Args::parse`]) and hands them to `body`.
/// Status 0 when `body` returns `Ok`; otherwise `<name>: <error>` on stderr (the error's
/// `Display`, not its `Debug`) and status 1.
pub fn run(
    name: &'static str,
    usage: &'static str,
    max: usize,
    body: impl FnOnce(Args) -> Result<(), Box<dyn Error>>,
) -> ExitCode {
    match body(Args::parse(name, usage, max)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `socket` to `endpoint`; for a wildcard (a port `...:*`, or `ipc://*`) also prints
/// `BOUND <endpoint>` with the port or path libzmq chose, once the socket is bound.
pub fn bind(socket: &zmq::Socket, endpoint: &str) -> zmq::Result<()> {
    socket.bind(endpoint)?;
    if is_wildcard(endpoint) {
        println!("BOUND {}", socket.last_endpoint()?);
    }
    Ok(())
}

/// Whether libzmq chooses where `endpoint` binds: a wildcard port or an `ipc://*` path.
pub fn is_wildcard(endpoint: &str) -> bool {
    endpoint.ends_with(":*") || endpoint == "ipc://*"
}

/// The sockets of the guide's request-reply brokers (`rrbroker`, `msgqueue`): a ROUTER for
/// the clients bound at argument 0 (default `tcp://*:5559`), then a DEALER for the workers
/// bound at argument 1 (default `tcp://*:5560`), each printing its `BOUND` line in that order.
pub fn broker_sockets(ctx: &zmq::Context, args: &Args) -> zmq::Result<(zmq::Socket, zmq::Socket)> {
    let frontend = ctx.socket(zmq::SocketType::Router)?;
    bind(&frontend, args.text_or(0, "tcp://*:5559"))?;
    let backend = ctx.socket(zmq::SocketType::Dealer)?;
    bind(&backend, args.text_or(1, "tcp://*:5560"))?;
    Ok((frontend, backend))
}

/// The sockets of the guide's multiple-socket readers (`msreader`, `mspoller`): a PULL
/// connected to the ventilator at argument 0 (default `tcp://localhost:5557`), then a SUB
/// subscribed to zipcode 10001's updates (`"10001 "`) and connected to the weather server at
/// argument 1 (default `tcp://localhost:5556`).
pub fn reader_sockets(ctx: &zmq::Context, args: &Args) -> zmq::Result<(zmq::Socket, zmq::Socket)> {
    let receiver = ctx.socket(zmq::SocketType::Pull)?;
    receiver.connect(args.text_or(0, "tcp://localhost:5557"))?;
    let subscriber = ctx.socket(zmq::SocketType::Sub)?;
    subscriber.connect(args.text_or(1, "tcp://localhost:5556"))?;
    subscriber.set_subscribe(b"10001 ")?;
    Ok((receiver, subscriber))
}

/// The last line of the multiple-socket readers: how many messages of each kind they read.
pub fn print_read_totals(tasks: u64, updates: u64) {
    println!(
        "Read {} messages: {tasks} tasks, {updates} weather updates",
        tasks + updates
    );
}

/// An example's command-line arguments, all UTF-8 and no more than it takes.
pub struct Args {
    name: &'static str,
    usage: &'static str,
    values: Vec<String>,
}

impl Args {
    /// Reads the arguments of example `name`, whose usage line is `usage`. An argument that is
    /// not UTF-8, or more than `max` of them, is a usage error.
    pub fn parse(name: &'static str, usage: &'static str, max: usize) -> Args {
        let mut args = Args {
            name,
            usage,
            values: Vec::new(),
        };
        for arg in std::env::args_os().skip(1) {
            match arg.into_string() {
                Ok(text) => args.values.push(text),
                Err(arg) => args.usage_error(format!("{arg:?} is not UTF-8")),
            }
        }
        if args.values.len() > max {
            args.usage_error(if max == 0 {
                "takes no arguments"
            } else {
                "too many arguments"
            });
        }
        args
    }

    /// The argument at `index` (from 0), if it was given.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.values.get(index).map(String::as_str)
    }

    /// The argument at `index`; its absence is a usage error that calls it `what`.
    pub fn required(&self, index: usize, what: &str) -> &str {
        self.text(index)
            .unwrap_or_else(|| self.usage_error(format!("{what} is missing")))
    }

    /// How many arguments were given.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The CURVE key at `index`, written in Z85 (40 characters); anything else there, or
    /// nothing, is a usage error that calls it `what`.
    pub fn curve_key(&self, index: usize, what: &str) -> zmq::CurveKey {
        let text = self.required(index, what);
        text.parse().unwrap_or_else(|error| {
            self.usage_error(format!(
                "{what} must be a CURVE key in Z85 (40 characters), not {text:?}: {error}"
            ))
        })
    }

    /// The argument at `index`, or `default` when it was not given.
    pub fn text_or<'a>(&'a self, index: usize, default: &'a str) -> &'a str {
        self.text(index).unwrap_or(default)
    }

    /// The whole number at `index`, if it was given; anything else there is a usage error
    /// that calls it `what`.
    pub fn number<T: FromStr>(&self, index: usize, what: &str) -> Option<T> {
        let text = self.text(index)?;
        let number = text.parse().unwrap_or_else(|_| {
            self.usage_error(format!("{what} must be a whole number, not {text:?}"))
        });
        Some(number)
    }

    /// The whole number at `index`, or `default` when it was not given.
    pub fn number_or<T: FromStr>(&self, index: usize, what: &str, default: T) -> T {
        self.number(index, what).unwrap_or(default)
    }

    /// The whole number at `index` within `range`, or `default` when it was not given.
    pub fn number_in<T>(&self, index: usize, what: &str, range: RangeInclusive<T>, default: T) -> T
    where
        T: FromStr + PartialOrd + Display,
    {
        let Some(text) = self.text(index) else {
            return default;
        };
        match text.parse() {
            Ok(number) if range.contains(&number) => number,
            _ => self.usage_error(format!(
                "{what} must be a whole number from {} to {}, not {text:?}",
                range.start(),
                range.end()
            )),
        }
    }

    /// Explains what is wrong with the arguments and exits with status 2.
    pub fn usage_error(&self, problem: impl Display) -> ! {
        eprintln!("{}: {problem}\nusage: {}", self.name, self.usage);
        std::process::exit(2)
    }
}

/// xorshift64*: small and fast, and plenty for made-up workloads and weather.
pub struct Rng(u64);

impl Rng {
    /// Seeded from the clock and the process id, so that each run differs.
    pub fn from_clock() -> Rng {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64);
        let pid = u64::from(std::process::id());
        // Never zero: xorshift would stay at zero for ever.
        Rng((nanos ^ pid.rotate_left(32)) | 1)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let random = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
        ((random * u64::from(n)) >> 32) as u32
    }
}
