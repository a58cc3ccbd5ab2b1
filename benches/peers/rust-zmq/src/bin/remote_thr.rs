use bench_peer_rust_zmq::args;

fn main() {
    let (args, size, count) = args("remote_thr <connect-to> <message-size> <message-count>", 1);
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::PUSH).unwrap();
    socket.connect(&args[0]).unwrap();
    for _ in 0..count {
        socket.send(zmq::Message::with_size(size), 0).unwrap();
    }
}
