// ZMQ_ROUTER_NOTIFY is a DRAFT option: without the DRAFT API, neither its getter nor its
// setter exists (the row's #[cfg(zmq_draft)] reaches both).
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Router).unwrap();
    let _ = socket.router_notify();
    let _ = socket.set_router_notify(Default::default());
}
