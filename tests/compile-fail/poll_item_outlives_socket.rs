// A poll item borrows its socket: it cannot outlive it.

fn main() {
    let ctx = zmq::Context::new().unwrap();
    let mut items = {
        let socket = ctx.socket(zmq::SocketType::Pull).unwrap();
        [socket.as_poll_item(zmq::PollEvents::POLLIN)]
    };
    let _ = zmq::poll(&mut items, None);
}
