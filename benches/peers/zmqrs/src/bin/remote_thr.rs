use std::time::Duration;

use bench_peer_zmqrs::args;
use bytes::Bytes;
use zeromq::{PushSocket, Socket, SocketSend, ZmqMessage};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (endpoint, size, count) = args("remote_thr <connect-to> <message-size> <message-count>");
    let mut socket = PushSocket::new();
    socket.connect(&endpoint).await.expect("connect");
    // One buffer, shared by every message (reference counted): no allocation per message.
    let payload = Bytes::from(vec![0u8; size]);
    for _ in 0..count {
        socket.send(ZmqMessage::from(payload.clone())).await.expect("send");
    }
    // zmq.rs has no linger, and `send` returns once a message is queued locally: give its
    // writer time to flush before the socket goes (local_thr's clock stops at its last
    // message, so this wait is not measured). 200 ms lost the tail of 64 KiB runs.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let _ = socket.close().await;
}
