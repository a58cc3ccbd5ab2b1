//! The guide's Lazy Pirate client: reliable request-reply on the client side. It sends
//! numbered requests to a REP server (`lpserver`) and waits a while for each reply; when none
//! comes, it closes its REQ socket (dropping the request that may be stuck in it), opens a
//! fresh one and sends the same request again, up to a number of retries.
//!
//! Usage: `lpclient [ENDPOINT] [REQUESTS] [TIMEOUT_MS] [RETRIES]` (defaults
//! `tcp://localhost:5555`, 10 requests, 2500 ms, 3 retries: the guide's values).
//!
//! Request `n` (from 1) is the text `n`; the server answers with the same text. The client
//! prints `OK <n>` once for each request answered, in order, and `RETRY <n>` for each
//! retry. A reply that is not the request it waits for is reported on stderr and ignored (it
//! cannot happen with a fresh socket per try, but a server may misbehave). When a request has
//! no reply after the last retry, it prints `Server seems to be offline, abandoning` on
//! stderr and exits with status 1; after the last reply, with status 0.
//!
//! Bad arguments print a message and the usage, and exit with status 2.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use support::Args;
use zmq::{Context, PollEvents, RecvFlags, SendFlags, Socket, SocketType};

const USAGE: &str = "lpclient [ENDPOINT] [REQUESTS] [TIMEOUT_MS] [RETRIES]";

fn main() -> ExitCode {
    support::run("lpclient", USAGE, 4, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.text_or(0, "tcp://localhost:5555");
    let requests: u64 = args.number_in(1, "REQUESTS", 1..=u64::MAX, 10);
    let timeout = Duration::from_millis(args.number_in(2, "TIMEOUT_MS", 1..=3_600_000, 2500));
    let retries: u32 = args.number_in(3, "RETRIES", 0..=u32::MAX, 3);

    // Linger 0 for every socket: a socket given up on is closed with its request unsent, and
    // the program never waits for a server that is gone.
    let ctx = Context::builder().linger(Some(Duration::ZERO)).build()?;
    let mut client = connect(&ctx, endpoint)?;
    for sequence in 1..=requests {
        let request = sequence.to_string();
        let mut retries_left = retries;
        client.send(request.as_str(), SendFlags::empty())?;
        let mut deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut items = [client.as_poll_item(PollEvents::POLLIN)];
            let reply = match zmq::poll(&mut items, Some(left)) {
                // A signal: wait on for the rest of the time.
                Err(zmq::Error::Interrupted) => continue,
                Err(error) => return Err(error.into()),
                Ok(0) => None,
                Ok(_) => Some(client.recv_bytes(RecvFlags::empty())?),
            };
            match reply {
                Some(reply) if reply == request.as_bytes() => {
                    println!("OK {sequence}");
                    break;
                }
                Some(reply) => {
                    // The REQ socket waits on for the real reply.
                    eprintln!(
                        "lpclient: malformed reply from server: {:?}",
                        String::from_utf8_lossy(&reply)
                    );
                }
                None if retries_left == 0 => {
                    eprintln!("Server seems to be offline, abandoning");
                    return Err("no reply after the last retry".into());
                }
                None => {
                    retries_left -= 1;
                    println!("RETRY {sequence}");
                    // A REQ socket that sent and got no reply can only be closed: open a new
                    // one and send the request again.
                    client = connect(&ctx, endpoint)?;
                    client.send(request.as_str(), SendFlags::empty())?;
                    deadline = Instant::now() + timeout;
                }
            }
        }
    }
    Ok(())
}

fn connect(ctx: &Context, endpoint: &str) -> zmq::Result<Socket> {
    let client = ctx.socket(SocketType::Req)?;
    client.connect(endpoint)?;
    Ok(client)
}
