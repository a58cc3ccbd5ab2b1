// Message metadata (`gets`, `peer_address`, `user_id`, ...) is borrowed from the message:
// libzmq frees it with the message, so a property cannot outlive it.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Pull).unwrap();
    let property = {
        let msg = socket.recv_msg(zmq::RecvFlags::empty()).unwrap();
        msg.gets("Peer-Address")
    };
    println!("{property:?}");
}
