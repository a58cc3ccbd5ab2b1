// A CURVE key is a `CurveKey`, never loose bytes: a slice of the wrong length cannot reach
// libzmq; `CurveKey::try_from` checks it.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Dealer).unwrap();
    socket.set_curve_secretkey(&[0u8; 39][..]).unwrap();
}
