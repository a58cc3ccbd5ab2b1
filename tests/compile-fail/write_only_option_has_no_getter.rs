// ZMQ_SUBSCRIBE is write-only: there is no getter to call.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Sub).unwrap();
    let _ = socket.subscribe();
}
