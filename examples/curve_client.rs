//! A CURVE REQ client: generates a key pair, sends one message to a CURVE server and prints
//! the reply.
//!
//! Usage: `curve_client ENDPOINT SERVER_PUBLIC_Z85 [MESSAGE]` (default message `hello`).
//!
//! The client's public key is printed on stderr first (`curve_client: client public key
//! <z85>`). The reply's frames are printed on stdout, one per line, and the client exits with
//! status 0. When no reply comes within five seconds it exits with status 1 and says why
//! it thinks so: refused by the server's authenticator (the server answered the handshake
//! with an error), or no handshake at all (the server's public key is wrong, or no CURVE
//! server listens there).
//!
//! Bad arguments print a message and the usage, and exit with status 2.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{
    Context, CurveKeyPair, MonitorEvent, MonitorEvents, RecvFlags, Security, SendFlags, SocketType,
};

const USAGE: &str = "curve_client ENDPOINT SERVER_PUBLIC_Z85 [MESSAGE]";
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    support::run("curve_client", USAGE, 3, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.required(0, "ENDPOINT");
    let server = args.curve_key(1, "SERVER_PUBLIC_Z85");
    let message = args.text_or(2, "hello");

    let keys = CurveKeyPair::generate()?;
    eprintln!("curve_client: client public key {}", keys.public());
    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Req)?;
    socket.set_security(&Security::curve_client(&keys, &server))?;
    socket.set_rcvtimeo(Some(REPLY_TIMEOUT))?;
    // An unanswered request must not keep the process alive at exit.
    socket.set_linger(Some(Duration::ZERO))?;
    // Watched only to explain a missing reply.
    let monitor = socket.monitor(
        MonitorEvents::HANDSHAKE_FAILED_AUTH
            | MonitorEvents::HANDSHAKE_FAILED_PROTOCOL
            | MonitorEvents::HANDSHAKE_FAILED_NO_DETAIL
            | MonitorEvents::HANDSHAKE_SUCCEEDED,
    )?;
    socket.connect(endpoint)?;
    socket.send(message, SendFlags::empty())?;
    match socket.recv_multipart(RecvFlags::empty()) {
        Ok(reply) => {
            for frame in reply.iter() {
                println!("{}", String::from_utf8_lossy(frame));
            }
            Ok(())
        }
        Err(zmq::Error::WouldBlock) => Err(format!(
            "no reply from {endpoint} within {REPLY_TIMEOUT:?}: {}",
            why(&monitor)?
        )
        .into()),
        Err(error) => Err(error.into()),
    }
}

/// What the monitor saw of the handshakes, as the likely reason for a missing reply.
fn why(monitor: &zmq::Monitor<'_>) -> zmq::Result<String> {
    let mut reason = "no CURVE handshake completed: is the server's public key right, and is a CURVE server listening there?".to_owned();
    while let Some(event) = monitor.try_event()? {
        reason = match event {
            MonitorEvent::HandshakeFailedAuth { status, .. } => {
                format!(
                    "the server refused this client (ZAP status {status}): its key is not allowed"
                )
            }
            MonitorEvent::HandshakeFailedProtocol { error, .. } => {
                format!("the CURVE handshake failed ({error:?}): wrong server key or not a CURVE server?")
            }
            MonitorEvent::HandshakeFailedNoDetail { error, .. } => {
                format!("the handshake failed: {error}")
            }
            MonitorEvent::HandshakeSucceeded { .. } => {
                "the handshake succeeded but the server did not answer".to_owned()
            }
            _ => reason,
        };
    }
    Ok(reason)
}
