use std::thread;
use std::time::Instant;

use bench_peer_rust_zmq::{args, check, micros};

fn main() {
    let (_, size, roundtrips) = args("inproc_lat <message-size> <roundtrip-count>", 0);
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REQ).unwrap();
    socket.bind("inproc://lat_test").unwrap();
    let worker_ctx = ctx.clone();
    let worker = thread::spawn(move || {
        let rep = worker_ctx.socket(zmq::REP).unwrap();
        rep.connect("inproc://lat_test").unwrap();
        let mut msg = zmq::Message::new();
        for _ in 0..roundtrips {
            rep.recv(&mut msg, 0).unwrap();
            rep.send(std::mem::replace(&mut msg, zmq::Message::new()), 0).unwrap();
        }
    });
    let mut msg = zmq::Message::with_size(size);
    println!("message size: {size} [B]");
    println!("roundtrip count: {roundtrips}");
    let start = Instant::now();
    for _ in 0..roundtrips {
        socket.send(std::mem::replace(&mut msg, zmq::Message::new()), 0).unwrap();
        socket.recv(&mut msg, 0).unwrap();
        check(&msg, size);
    }
    let elapsed = micros(start);
    worker.join().unwrap();
    println!(
        "average latency: {:.3} [us]",
        elapsed as f64 / (roundtrips as f64 * 2.0)
    );
}
