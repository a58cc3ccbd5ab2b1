//! Endpoints: ports out of range are refused before libzmq (which would take them modulo
//! 65536), wildcard ports stay for binding, source addresses keep working, and
//! `bind_ephemeral_port` hands back where it bound.

mod common;

use common::{context, socket, Transport};
use zmq::{Error, RecvFlags, SendFlags, Socket, SocketType};

/// Ports no call may use: beyond 65535, negative, or not a number.
const BAD_PORTS: &[&str] = &[
    "tcp://127.0.0.1:99999",
    "tcp://127.0.0.1:65536",
    "tcp://127.0.0.1:-1",
    "tcp://[::1]:70000",
    "tcp://127.0.0.1:5555abc",
    "tcp://127.0.0.1:+80",
    "tcp://127.0.0.1:",
    "tcp://127.0.0.1:4294967297",
    "ws://127.0.0.1:70000/path",
    "wss://127.0.0.1:-1",
    "udp://127.0.0.1:65536",
    "tcp://127.0.0.1:70000;127.0.0.1:5555",
];

/// Exchanges one message between two connected sockets, both ways.
fn assert_connected(a: &Socket, b: &Socket) {
    a.send("ping", SendFlags::empty()).expect("send");
    assert_eq!(b.recv_string(RecvFlags::empty()).as_deref(), Ok("ping"));
    b.send("pong", SendFlags::empty()).expect("send");
    assert_eq!(a.recv_string(RecvFlags::empty()).as_deref(), Ok("pong"));
}

#[test]
fn ports_out_of_range_are_refused_by_every_endpoint_call() {
    let ctx = context();
    let s = socket(&ctx, SocketType::Pair);
    for &endpoint in BAD_PORTS {
        assert_eq!(
            s.bind(endpoint),
            Err(Error::InvalidArgument),
            "bind {endpoint}"
        );
        assert_eq!(
            s.connect(endpoint),
            Err(Error::InvalidArgument),
            "connect {endpoint}"
        );
        assert_eq!(
            s.unbind(endpoint),
            Err(Error::InvalidArgument),
            "unbind {endpoint}"
        );
        assert_eq!(
            s.disconnect(endpoint),
            Err(Error::InvalidArgument),
            "disconnect {endpoint}"
        );
    }
    // Nothing was bound or connected on the way.
    assert_eq!(s.last_endpoint().as_deref(), Ok(""));
}

#[test]
fn any_port_is_for_binding_only() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pair);
    for endpoint in ["tcp://127.0.0.1:*", "tcp://127.0.0.1:0"] {
        server
            .bind(endpoint)
            .unwrap_or_else(|e| panic!("bind {endpoint}: {e}"));
        let bound = server.last_endpoint().expect("read LAST_ENDPOINT");
        let port: u16 = bound
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {bound}"));
        assert_ne!(port, 0, "{endpoint} bound {bound}");
        server.unbind(&bound).expect("unbind");
    }
    let client = socket(&ctx, SocketType::Pair);
    for endpoint in ["tcp://127.0.0.1:*", "tcp://127.0.0.1:0"] {
        assert_eq!(
            client.connect(endpoint),
            Err(Error::InvalidArgument),
            "{endpoint}"
        );
    }
}

#[test]
fn the_highest_and_lowest_ports_pass_the_check() {
    let ctx = context();
    let client = socket(&ctx, SocketType::Pair);
    // Connecting is asynchronous: nothing needs to listen there.
    for endpoint in [
        "tcp://127.0.0.1:65535",
        "tcp://127.0.0.1:1",
        "tcp://localhost:00080",
    ] {
        client
            .connect(endpoint)
            .unwrap_or_else(|e| panic!("connect {endpoint}: {e}"));
        client
            .disconnect(endpoint)
            .unwrap_or_else(|e| panic!("disconnect {endpoint}: {e}"));
    }
}

#[test]
fn a_source_address_still_works() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pair);
    let endpoint = common::bind(&server, Transport::Tcp);
    let port = endpoint.rsplit_once(':').map(|(_, p)| p).expect("a port");
    let client = socket(&ctx, SocketType::Pair);
    client
        .connect(&format!("tcp://127.0.0.1:0;127.0.0.1:{port}"))
        .expect("connect with a source address");
    assert_connected(&server, &client);

    let other = socket(&ctx, SocketType::Pair);
    assert_eq!(
        other.connect(&format!("tcp://127.0.0.1:0;127.0.0.1:{}", 65536 + 1)),
        Err(Error::InvalidArgument),
        "the peer's port is checked"
    );
    assert_eq!(
        other.connect("tcp://127.0.0.1:0;127.0.0.1:0"),
        Err(Error::InvalidArgument),
        "the peer's port may not be 'any'"
    );
    other
        .connect(&format!("tcp://127.0.0.1:*;127.0.0.1:{port}"))
        .expect("the source port may be '*'");
}

#[test]
fn other_transports_are_left_to_libzmq() {
    let ctx = context();
    let s = socket(&ctx, SocketType::Pair);
    // No port to check; libzmq decides.
    let ipc = format!("ipc://{}", common::ipc_path("endpoints"));
    s.bind(&ipc).expect("bind ipc");
    s.bind(&format!("inproc://{}", common::unique_name("endpoints")))
        .expect("bind inproc");
    assert_eq!(
        s.bind("bogus://127.0.0.1:99999"),
        Err(Error::ProtocolNotSupported)
    );
    // A missing port is libzmq's own EINVAL.
    assert_eq!(s.connect("tcp://127.0.0.1"), Err(Error::InvalidArgument));
}

#[test]
fn bind_ephemeral_port_returns_the_bound_endpoint() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Rep);
    let endpoint = server
        .bind_ephemeral_port("tcp://127.0.0.1")
        .expect("bind to any port");
    let port: u16 = endpoint
        .strip_prefix("tcp://127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("unexpected endpoint {endpoint}"));
    assert_ne!(port, 0);
    assert_eq!(server.last_endpoint().as_deref(), Ok(endpoint.as_str()));

    let client = socket(&ctx, SocketType::Req);
    client.connect(&endpoint).expect("connect");
    assert_connected(&client, &server);

    // The endpoint it returns is the one to unbind.
    server.unbind(&endpoint).expect("unbind");
}

#[test]
fn bind_ephemeral_port_takes_an_address_without_a_port() {
    let ctx = context();
    let s = socket(&ctx, SocketType::Pair);
    for address in [
        "tcp://127.0.0.1:5555",
        "tcp://127.0.0.1:*",
        "tcp://::1",
        "tcp://[::1]:5555",
        "tcp://",
        "tcp://127.0.0.1:0;127.0.0.1",
        "127.0.0.1",
        "ipc:///tmp/zmq-endpoints-test",
        "inproc://name",
        "ws://127.0.0.1:80/path",
    ] {
        assert_eq!(
            s.bind_ephemeral_port(address),
            Err(Error::InvalidArgument),
            "{address}"
        );
    }
    assert_eq!(s.last_endpoint().as_deref(), Ok(""), "nothing was bound");
}

#[test]
fn bind_ephemeral_port_over_websockets() {
    if !zmq::has("WS") {
        // The vendored build always has it; only another libzmq may lack it.
        if cfg!(zmq_vendored) {
            panic!("the vendored libzmq has no WebSocket transport");
        }
        eprintln!("SKIPPED: this libzmq has no WebSocket transport");
        return;
    }
    let ctx = context();
    let server = socket(&ctx, SocketType::Pair);
    let endpoint = server
        .bind_ephemeral_port("ws://127.0.0.1/zmq")
        .expect("bind to any port");
    assert!(
        endpoint.starts_with("ws://127.0.0.1:") && endpoint.ends_with("/zmq"),
        "unexpected endpoint {endpoint}"
    );
    let client = socket(&ctx, SocketType::Pair);
    client.connect(&endpoint).expect("connect");
    assert_connected(&server, &client);
}
