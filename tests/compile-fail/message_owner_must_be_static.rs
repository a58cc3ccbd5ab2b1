// A zero-copy message may outlive any scope (it can sit in a queue after the send), so its
// bytes cannot be borrowed: `from_owner` needs `'static`, `from_static` a `'static` slice.
fn main() {
    let local = vec![1u8, 2, 3];
    let _owned = zmq::Message::from_owner(&local[..]);
    let _static = zmq::Message::from_static(&local[..]);
}
