// libzmq drops a zero-copy message's owner on whichever thread releases the message last,
// possibly one of its I/O threads: the owner must be `Send`.
use std::rc::Rc;

fn main() {
    let owner: Rc<[u8]> = Rc::from(&b"shared"[..]);
    let _msg = zmq::Message::from_owner(owner);
}
