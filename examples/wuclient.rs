//! The guide's weather update client: subscribes to one zipcode's updates from a weather
//! server (`wuserver`), reads 100 of them and prints their average temperature.
//!
//! Usage: `wuclient [ENDPOINT] [ZIPCODE]` (defaults `tcp://localhost:5556` and `10001`).
//!
//! It prints `Collecting updates from weather server...`, then, after 100 updates,
//! `Average temperature for zipcode '10001' was <T>F` (T rounded towards zero) and exits 0.
//! ZIPCODE is a whole number below 100000, written with five digits as the server does.
//!
//! A SUB socket filters by prefix, so the subscription is the zipcode *and the space after
//! it*, `"10001 "`: `"10001"` alone would also take the updates of zipcode 100011. An update
//! that is not `ZIPCODE TEMPERATURE HUMIDITY` for the zipcode asked for is an error (exit 1).
//! The client waits for updates as long as it takes: the server may start after it.
//!
//! Bad arguments print a message and the usage, and exit with status 2; any other failure
//! prints `wuclient: <error>` on stderr and exits with status 1.

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, Message, RecvFlags, SocketType};

const USAGE: &str = "wuclient [ENDPOINT] [ZIPCODE]";
const UPDATES: i64 = 100;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("wuclient: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = arguments(2);
    let endpoint = args.first().map_or("tcp://localhost:5556", String::as_str);
    let zipcode = match args.get(1) {
        None => "10001".to_owned(),
        Some(text) => match text.parse::<u32>() {
            Ok(n @ 0..=99_999) => format!("{n:05}"),
            _ => usage_error(format!(
                "ZIPCODE must be a whole number from 0 to 99999, not {text:?}"
            )),
        },
    };

    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(endpoint)?;
    subscriber.set_subscribe(format!("{zipcode} ").as_bytes())?;
    println!("Collecting updates from weather server...");

    let mut update = Message::new();
    let mut total_temperature: i64 = 0;
    for _ in 0..UPDATES {
        subscriber.recv(&mut update, RecvFlags::empty())?;
        total_temperature += temperature(&update, &zipcode)?;
    }
    println!(
        "Average temperature for zipcode '{zipcode}' was {}F",
        total_temperature / UPDATES
    );
    Ok(())
}

/// The temperature of an update `"ZIPCODE TEMPERATURE HUMIDITY"` for `zipcode`.
fn temperature(update: &[u8], zipcode: &str) -> Result<i64, String> {
    let malformed = || format!("malformed update {:?}", String::from_utf8_lossy(update));
    let text = std::str::from_utf8(update).map_err(|_| malformed())?;
    let fields: Vec<&str> = text.split(' ').collect();
    let [code, temperature, humidity] = fields[..] else {
        return Err(malformed());
    };
    if code != zipcode {
        return Err(format!("update {text:?} is not for zipcode {zipcode}"));
    }
    humidity.parse::<i64>().map_err(|_| malformed())?;
    temperature.parse().map_err(|_| malformed())
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
    eprintln!("wuclient: {problem}\nusage: {USAGE}");
    std::process::exit(2)
}
