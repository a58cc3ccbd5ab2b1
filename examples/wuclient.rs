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

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{Context, Message, RecvFlags, SocketType};

const USAGE: &str = "wuclient [ENDPOINT] [ZIPCODE]";
const UPDATES: i64 = 100;

fn main() -> ExitCode {
    support::run("wuclient", USAGE, 2, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://localhost:5556");
    let zipcode: u32 = args.number_in(1, "ZIPCODE", 0..=99_999, 10_001);
    let zipcode = format!("{zipcode:05}");

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
