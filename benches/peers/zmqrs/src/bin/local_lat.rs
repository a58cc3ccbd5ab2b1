use std::time::Duration;

use bench_peer_zmqrs::{args, frame_size};
use zeromq::{RepSocket, Socket, SocketRecv, SocketSend};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (endpoint, size, roundtrips) =
        args("local_lat <bind-to> <message-size> <roundtrip-count>");
    let mut socket = RepSocket::new();
    socket.bind(&endpoint).await.expect("bind");
    for _ in 0..roundtrips {
        let message = socket.recv().await.expect("recv");
        assert_eq!(frame_size(&message), size, "message of incorrect size received");
        socket.send(message).await.expect("send");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
}
