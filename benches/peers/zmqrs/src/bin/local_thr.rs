use std::time::Instant;

use bench_peer_zmqrs::{args, frame_size, micros, print_thr};
use zeromq::{PullSocket, Socket, SocketRecv};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (endpoint, size, count) = args("local_thr <bind-to> <message-size> <message-count>");
    let mut socket = PullSocket::new();
    socket.bind(&endpoint).await.expect("bind");
    let first = socket.recv().await.expect("recv");
    assert_eq!(frame_size(&first), size, "message of incorrect size received");
    let start = Instant::now();
    for _ in 1..count {
        let message = socket.recv().await.expect("recv");
        assert_eq!(frame_size(&message), size, "message of incorrect size received");
    }
    print_thr(size, count, micros(start));
}
