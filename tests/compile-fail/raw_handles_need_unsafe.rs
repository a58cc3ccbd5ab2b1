// Adopting a raw libzmq handle cannot be checked by the compiler: it takes `unsafe`.
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let ptr = std::ptr::null_mut();
    let _socket = zmq::Socket::from_raw(&ctx, ptr);
    let _borrowed = zmq::Socket::from_raw_borrowed(&ctx, ptr);
}
