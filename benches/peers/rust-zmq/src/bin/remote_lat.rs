use std::time::Instant;

use bench_peer_rust_zmq::{args, check, micros, print_lat};

fn main() {
    let (args, size, roundtrips) = args("remote_lat <connect-to> <message-size> <roundtrip-count>", 1);
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REQ).unwrap();
    socket.connect(&args[0]).unwrap();
    let mut msg = zmq::Message::with_size(size);
    let start = Instant::now();
    for _ in 0..roundtrips {
        socket.send(std::mem::replace(&mut msg, zmq::Message::new()), 0).unwrap();
        socket.recv(&mut msg, 0).unwrap();
        check(&msg, size);
    }
    print_lat(size, roundtrips, micros(start));
}
