//! The README's demo: a REP server thread and a REQ client in one process exchange ten
//! `Hello`/`world` pairs over TCP loopback.
//!
//! Run it with `cargo run --example hello`.

use std::error::Error;
use std::thread;

use zmq::{Context, RecvFlags, SendFlags, SocketType};

const ROUNDS: usize = 10;

fn main() -> Result<(), Box<dyn Error>> {
    println!("libzmq {}, CURVE: {}", zmq::version(), zmq::has("curve"));
    let ctx = Context::new()?;

    let server = ctx.socket(SocketType::Rep)?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.last_endpoint()?;
    println!("server bound to {endpoint}");

    let server = thread::spawn(move || -> zmq::Result<()> {
        let mut request = zmq::Message::new();
        for _ in 0..ROUNDS {
            server.recv(&mut request, RecvFlags::empty())?;
            println!("server received {}", String::from_utf8_lossy(&request));
            server.send("world", SendFlags::empty())?;
        }
        Ok(())
    });

    let client = ctx.socket(SocketType::Req)?;
    client.connect(&endpoint)?;
    for round in 1..=ROUNDS {
        client.send("Hello", SendFlags::empty())?;
        let reply = client.recv_string(RecvFlags::empty())?;
        println!("client received {reply} ({round}/{ROUNDS})");
    }

    server.join().map_err(|_| "the server thread panicked")??;
    println!("done: {ROUNDS} requests answered");
    Ok(())
}
