//! A REP server secured with CURVE that echoes every request.
//!
//! Usage: `curve_server ENDPOINT SERVER_SECRET_Z85 [CLIENT_PUBLIC_Z85 ...]`
//!
//! The server's key pair comes from its secret key (the public key is derived from it and
//! printed on stderr). With client keys listed, an [`Authenticator`] admits only clients with
//! those public keys; with none, any client that knows the server's public key is admitted
//! (its traffic is encrypted, but it is not authenticated). Each request is printed as
//! `Received <text> from <client public key>` and sent back unchanged, frame for frame.
//! Refused clients never reach the application and do not stop the server, which runs until
//! it is killed. For an endpoint with a wildcard port (`tcp://127.0.0.1:*`) it first prints
//! `BOUND <endpoint>` with the port chosen.
//!
//! Bad arguments (a key that is not 40 Z85 characters, say) print a message and the usage and
//! exit with status 2; any other failure prints `curve_server: <error>` and exits with 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::process::ExitCode;

use support::Args;
use zmq::{
    Authenticator, ClientAuth, Context, CurveKeyPair, Policy, Security, SendFlags, SocketType,
};

const USAGE: &str = "curve_server ENDPOINT SERVER_SECRET_Z85 [CLIENT_PUBLIC_Z85 ...]";

fn main() -> ExitCode {
    support::run("curve_server", USAGE, usize::MAX, run)
}

fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let endpoint = args.required(0, "ENDPOINT");
    let keys = CurveKeyPair::from_secret(args.curve_key(1, "SERVER_SECRET_Z85"))?;
    let clients: Vec<_> = (2..args.len())
        .map(|i| args.curve_key(i, "CLIENT_PUBLIC_Z85"))
        .collect();

    let ctx = Context::new()?;
    let socket = ctx.socket(SocketType::Rep)?;
    // Kept alive for as long as the server runs: dropping it would stop authentication.
    let authenticator;
    if clients.is_empty() {
        eprintln!("curve_server: admitting any client key (encryption only)");
        socket.set_security(&Security::curve_server(&keys, ClientAuth::AnyClientKey))?;
    } else {
        eprintln!("curve_server: admitting {} client key(s)", clients.len());
        authenticator = Authenticator::start(&ctx)?;
        authenticator.set_policy("", Policy::new().allow_curve_keys(clients))?;
        socket.set_security(&Security::curve_server(&keys, &authenticator))?;
    }
    eprintln!("curve_server: server public key {}", keys.public());
    support::bind(&socket, endpoint)?;

    loop {
        let request = socket.recv_multipart(zmq::RecvFlags::empty())?;
        let text: Vec<_> = request.iter().map(|f| String::from_utf8_lossy(f)).collect();
        // The User-Id of a CURVE client is its public key (set by the authenticator); with
        // any key admitted libzmq sets none.
        let client = request
            .iter()
            .next()
            .and_then(|frame| frame.user_id())
            .unwrap_or("an unauthenticated key");
        println!("Received {} from {client}", text.join("|"));
        socket.send_multipart(request, SendFlags::empty())?;
    }
}
