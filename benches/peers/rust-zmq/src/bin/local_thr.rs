use std::time::Instant;

use bench_peer_rust_zmq::{args, check, micros, print_thr_header, print_thr_results};

fn main() {
    let (args, size, count) = args("local_thr <bind-to> <message-size> <message-count>", 1);
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::PULL).unwrap();
    socket.bind(&args[0]).unwrap();
    let mut msg = zmq::Message::new();
    socket.recv(&mut msg, 0).unwrap();
    check(&msg, size);
    let start = Instant::now();
    for _ in 1..count {
        socket.recv(&mut msg, 0).unwrap();
        check(&msg, size);
    }
    let elapsed = micros(start);
    print_thr_header(size, count);
    print_thr_results(size, count, elapsed);
}
