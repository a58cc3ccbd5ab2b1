// Borrowing one socket from two scoped threads needs `Sync`, which `Socket` is not.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Pair).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| socket.bind("inproc://a"));
        s.spawn(|| socket.connect("inproc://a"));
    });
}
