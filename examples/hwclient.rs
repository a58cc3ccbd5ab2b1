//! The guide's "Hello World" REQ client: sends `Hello` COUNT times and prints each reply.
//!
//! Usage: `hwclient [ENDPOINT] [COUNT]` (defaults `tcp://localhost:5555` and 10). Exits 0
//! when every request was answered; fails if a reply takes longer than ten seconds.

use std::error::Error;
use std::time::Duration;

use zmq::{Context, RecvFlags, SendFlags, SocketType};

const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .unwrap_or_else(|| "tcp://localhost:5555".to_owned());
    let count: u64 = match args.next() {
        Some(text) => text
            .parse()
            .map_err(|_| format!("COUNT must be a whole number, not {text:?}"))?,
        None => 10,
    };

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Req)?;
    socket.set_rcvtimeo(Some(REPLY_TIMEOUT))?;
    // Do not let an unanswered request keep the process alive at exit.
    socket.set_linger(Some(Duration::ZERO))?;
    socket.connect(&endpoint)?;

    for n in 1..=count {
        println!("Sending Hello {n}");
        socket.send("Hello", SendFlags::empty())?;
        match socket.recv_string(RecvFlags::empty()) {
            Ok(reply) => println!("Received {reply} {n}"),
            Err(zmq::Error::WouldBlock) => {
                return Err(format!("no reply from {endpoint} within {REPLY_TIMEOUT:?}").into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
