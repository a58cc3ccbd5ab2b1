use std::thread;
use std::time::Instant;

use bench_peer_rust_zmq::{args, check, micros, print_thr_header, print_thr_results};

fn main() {
    let (_, size, count) = args("inproc_thr <message-size> <message-count>", 0);
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::PULL).unwrap();
    socket.bind("inproc://thr_test").unwrap();
    let worker_ctx = ctx.clone();
    let worker = thread::spawn(move || {
        let push = worker_ctx.socket(zmq::PUSH).unwrap();
        push.connect("inproc://thr_test").unwrap();
        for _ in 0..count {
            push.send(zmq::Message::with_size(size), 0).unwrap();
        }
    });
    print_thr_header(size, count);
    let mut msg = zmq::Message::new();
    socket.recv(&mut msg, 0).unwrap();
    check(&msg, size);
    let start = Instant::now();
    for _ in 1..count {
        socket.recv(&mut msg, 0).unwrap();
        check(&msg, size);
    }
    let elapsed = micros(start);
    worker.join().unwrap();
    print_thr_results(size, count, elapsed);
}
