// A libzmq socket must not be used from two threads at once: `Socket` is not `Sync`.
fn require_sync<T: Sync>(_: &T) {}

fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Pair).unwrap();
    require_sync(&socket);
}
