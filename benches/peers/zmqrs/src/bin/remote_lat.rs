use std::time::Instant;

use bench_peer_zmqrs::{args, frame_size, micros, print_lat};
use bytes::Bytes;
use zeromq::{ReqSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (endpoint, size, roundtrips) =
        args("remote_lat <connect-to> <message-size> <roundtrip-count>");
    let mut socket = ReqSocket::new();
    socket.connect(&endpoint).await.expect("connect");
    let mut message = ZmqMessage::from(Bytes::from(vec![0u8; size]));
    let start = Instant::now();
    for _ in 0..roundtrips {
        socket.send(message).await.expect("send");
        message = socket.recv().await.expect("recv");
        assert_eq!(frame_size(&message), size, "message of incorrect size received");
    }
    print_lat(size, roundtrips, micros(start));
}
