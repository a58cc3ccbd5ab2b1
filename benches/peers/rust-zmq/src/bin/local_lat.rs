use std::time::Duration;

use bench_peer_rust_zmq::{args, check};

fn main() {
    let (args, size, roundtrips) = args("local_lat <bind-to> <message-size> <roundtrip-count>", 1);
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REP).unwrap();
    socket.bind(&args[0]).unwrap();
    let mut msg = zmq::Message::new();
    for _ in 0..roundtrips {
        socket.recv(&mut msg, 0).unwrap();
        check(&msg, size);
        socket.send(std::mem::replace(&mut msg, zmq::Message::new()), 0).unwrap();
    }
    std::thread::sleep(Duration::from_secs(1));
}
