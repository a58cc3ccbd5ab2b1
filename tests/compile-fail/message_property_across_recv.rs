// Receiving into a message replaces its content and metadata: a property read before cannot
// be used after, nor can the bytes.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Pull).unwrap();
    let mut msg = zmq::Message::new();
    socket.recv(&mut msg, zmq::RecvFlags::empty()).unwrap();
    let user_id = msg.user_id();
    let bytes: &[u8] = &msg;
    socket.recv(&mut msg, zmq::RecvFlags::empty()).unwrap();
    println!("{user_id:?} {bytes:?}");
}
