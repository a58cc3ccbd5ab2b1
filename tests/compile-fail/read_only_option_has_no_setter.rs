// ZMQ_RCVMORE is read-only: there is no setter to call.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Sub).unwrap();
    socket.set_rcvmore(true).unwrap();
}
