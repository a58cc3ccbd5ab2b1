// Cloning a message updates libzmq's sharing flags, so a `&Message` must stay on one thread.
fn require_sync<T: Sync>(_: &T) {}

fn main() {
    let msg = zmq::Message::from("x");
    require_sync(&msg);
}
