//! The guide's Ironhouse pattern, in one process: CURVE encryption plus an authenticator
//! that admits only known client keys, from known addresses.
//!
//! Usage: `ironhouse` (no arguments).
//!
//! It makes certificates for a server and a client, writes the client's public certificate
//! into a directory of authorized clients (czmq's file format, as `zmq.auth` in pyzmq reads
//! it too), and starts an [`Authenticator`](zmq::Authenticator) that allows 127.0.0.1 and the
//! keys found there. The client then PUSHes to the server's PULL socket over CURVE, and the
//! server checks that each message's User-Id is the client's key; an intruder with a key of
//! its own sends too, and nothing of it may arrive. Prints `Ironhouse test OK` and exits 0,
//! or says what went wrong and exits 1.

#[path = "support/mod.rs"]
mod support;

use std::error::Error;
use std::fs;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use support::Args;
use zmq::{
    Authenticator, Certificate, Context, Policy, RecvFlags, Security, SendFlags, SocketType,
};

const TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    support::run("ironhouse", "ironhouse", 0, |_args: Args| {
        let dir = std::env::temp_dir().join(format!("zmq-ironhouse-{}", std::process::id()));
        let result = ironhouse(&dir);
        let _ = fs::remove_dir_all(&dir);
        result
    })
}

fn ironhouse(dir: &PathBuf) -> Result<(), Box<dyn Error>> {
    // Certificates: normally made once (by this crate, czmq or pyzmq) and kept on disk.
    let server_cert = Certificate::generate()?;
    let mut client_cert = Certificate::generate()?;
    client_cert.set_metadata("name", "ironhouse client")?;
    fs::create_dir_all(dir)?;
    client_cert.save_public(dir.join("client.key"))?;

    let ctx = Context::new()?;
    let auth = Authenticator::start(&ctx)?;
    auth.set_policy(
        "",
        Policy::new()
            .allow_addresses([IpAddr::V4(Ipv4Addr::LOCALHOST)])
            .allow_curve_certificates(dir),
    )?;

    let server_keys = server_cert
        .key_pair()
        .ok_or("the server certificate has no secret key")?;
    let server = ctx.socket(SocketType::Pull)?;
    server.set_security(&Security::curve_server(&server_keys, &auth))?;
    server.set_rcvtimeo(Some(TIMEOUT))?;
    let endpoint = server.bind_ephemeral_port("tcp://127.0.0.1")?;

    // An intruder that knows the server's public key but whose own key is not on the list:
    // its handshake is refused, so what it sends never arrives.
    let intruder_keys = zmq::CurveKeyPair::generate()?;
    let intruder = ctx.socket(SocketType::Push)?;
    intruder.set_security(&Security::curve_client(
        &intruder_keys,
        server_cert.public(),
    ))?;
    intruder.set_linger(Some(Duration::ZERO))?;
    intruder.connect(&endpoint)?;
    if let Err(e) = intruder.send("intrusion", SendFlags::DONTWAIT) {
        // Nothing to queue it to: what a refused peer may well see.
        if *e.error() != zmq::Error::WouldBlock {
            return Err(e.into());
        }
    }

    let client_keys = client_cert
        .key_pair()
        .ok_or("the client certificate has no secret key")?;
    let client = ctx.socket(SocketType::Push)?;
    client.set_security(&Security::curve_client(&client_keys, server_cert.public()))?;
    client.connect(&endpoint)?;

    let expected_user = client_cert.public().to_string();
    for text in ["Hello", "again"] {
        client.send(text, SendFlags::empty())?;
        let message = match server.recv_msg(RecvFlags::empty()) {
            Err(zmq::Error::WouldBlock) => {
                return Err(format!("no message within {TIMEOUT:?}").into())
            }
            other => other?,
        };
        if &message[..] != text.as_bytes() {
            let got = String::from_utf8_lossy(&message);
            return Err(format!("received {got:?}, expected {text:?}").into());
        }
        // The authenticator names the client by its public key.
        if message.user_id() != Some(expected_user.as_str()) {
            return Err(
                format!("User-Id {:?}, expected {expected_user}", message.user_id()).into(),
            );
        }
    }
    server.set_rcvtimeo(Some(Duration::from_millis(500)))?;
    match server.recv_msg(RecvFlags::empty()) {
        Err(zmq::Error::WouldBlock) => {}
        Ok(message) => {
            let got = String::from_utf8_lossy(&message);
            return Err(format!("a refused peer got a message through: {got:?}").into());
        }
        Err(error) => return Err(error.into()),
    }
    println!("Ironhouse test OK");
    Ok(())
}
