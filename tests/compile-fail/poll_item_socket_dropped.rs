// A socket cannot be dropped while a poll item still refers to it.

fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Pull).unwrap();
    let mut items = [socket.as_poll_item(zmq::PollEvents::POLLIN)];
    drop(socket);
    let _ = zmq::poll(&mut items, None);
}
