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

use std::error::Error;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zmq::{Context, SendFlags, SocketType};

const USAGE: &str = "wuserver [ENDPOINT] [ZIPCODES]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("wuserver: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(2);
    let endpoint = args.first().map_or("tcp://*:5556", String::as_str);
    let zipcodes: u32 = match args.get(1) {
        None => 100_000,
        Some(text) => match text.parse() {
            Ok(n @ 1..=100_000) => n,
            _ => usage_error(format!(
                "ZIPCODES must be a whole number from 1 to 100000, not {text:?}"
            )),
        },
    };

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(endpoint)?;
    if endpoint.ends_with(":*") {
        println!("BOUND {}", publisher.last_endpoint()?);
    }

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

/// xorshift64*: small and fast, and plenty for made-up weather.
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
    eprintln!("wuserver: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
