//! A table of malformed endpoints, each with the error it must get: unknown transports,
//! missing hosts or ports, bad ports, overlong ipc paths, spaces, unicode, transports that do
//! not fit the socket type, addresses that are not local. The errors are libzmq's (checked
//! against its 4.3.5 sources: `parse_uri`, `check_protocol`, the tcp address check in
//! `connect`, the bindable-address resolver, `ipc_address_t::resolve`), except for ports,
//! which this crate checks first (libzmq would take them modulo 65536).
//!
//! Every row runs on a fresh PAIR socket (PUB for the multicast transports); nothing in the
//! table binds or connects successfully, and nothing resolves a host name.

mod common;

use common::{bind, context, socket, Transport};
use zmq::{Error, Socket, SocketType};

/// Which calls a row makes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Call {
    Bind,
    Connect,
    /// Bind and connect.
    Both,
    /// Bind, connect, unbind and disconnect: the port checks every call makes.
    All,
}

struct Row {
    endpoint: String,
    call: Call,
    expected: Error,
    socket_type: SocketType,
}

fn row(endpoint: impl Into<String>, call: Call, expected: Error) -> Row {
    Row {
        endpoint: endpoint.into(),
        call,
        expected,
        socket_type: SocketType::Pair,
    }
}

const ENAMETOOLONG: Error = Error::Other(libc::ENAMETOOLONG);

/// Ports no call may use, for any host and any of tcp, ws, wss and udp: the crate's check.
const BAD_PORTS: &[&str] = &[
    "65536",
    "65537",
    "99999",
    "100000",
    "4294967296",
    "18446744073709551617",
    "-1",
    "-65535",
    "+80",
    "0x50",
    "80a",
    "a80",
    " 80",
    "80 ",
    "8 0",
    "8\t0",
    "80.0",
    "1e3",
    "٨٠",   // Arabic-Indic digits
    "８０", // fullwidth digits
    "80\u{0301}",
    "**",
    "*1",
];

/// The whole table.
fn table() -> Vec<Row> {
    use Call::*;
    let mut rows = Vec::new();

    // ---- Bad ports, on every transport with ports and every kind of host -----------------
    for port in BAD_PORTS {
        for prefix in [
            "tcp://127.0.0.1:",
            "tcp://[::1]:",
            "tcp://localhost:",
            "ws://127.0.0.1:",
            "wss://127.0.0.1:",
            "udp://127.0.0.1:",
        ] {
            rows.push(row(format!("{prefix}{port}"), All, Error::InvalidArgument));
        }
        rows.push(row(
            format!("tcp://127.0.0.1:0;127.0.0.1:{port}"),
            All,
            Error::InvalidArgument,
        ));
        rows.push(row(
            format!("ws://127.0.0.1:{port}/path"),
            All,
            Error::InvalidArgument,
        ));
    }
    // A source address's port is checked too, and "any" is for binding only.
    for port in ["65536", "-1", "x"] {
        rows.push(row(
            format!("tcp://127.0.0.1:{port};127.0.0.1:5555"),
            All,
            Error::InvalidArgument,
        ));
    }
    for endpoint in [
        "tcp://127.0.0.1:*",
        "tcp://127.0.0.1:0",
        "tcp://[::1]:*",
        "tcp://127.0.0.1:0;127.0.0.1:0",
        "tcp://127.0.0.1:0;127.0.0.1:*",
    ] {
        rows.push(row(endpoint, Connect, Error::InvalidArgument));
    }

    // ---- Not an endpoint at all: no "://", nothing before or after it ---------------------
    for endpoint in [
        "",
        " ",
        "tcp",
        "tcp:",
        "tcp:/",
        "tcp:/127.0.0.1:5555",
        "tcp//127.0.0.1:5555",
        "tcp:\\\\127.0.0.1:5555",
        "127.0.0.1:5555",
        "localhost",
        "://",
        "://127.0.0.1:5555",
        "tcp://",
        "ipc://",
        "inproc://",
        "ws://",
        "udp://",
        "é://x",
    ] {
        let expected = if endpoint.contains("://") && !endpoint.starts_with("://") {
            // A transport but no address: libzmq's parse_uri.
            if endpoint.starts_with("é") {
                Error::ProtocolNotSupported
            } else {
                Error::InvalidArgument
            }
        } else {
            Error::InvalidArgument
        };
        rows.push(row(endpoint, Both, expected));
    }

    // ---- Unknown transports: the name is case-sensitive and exact ------------------------
    for endpoint in [
        "foo://x",
        "bogus://127.0.0.1:5555",
        "http://127.0.0.1:80",
        "https://127.0.0.1:443",
        "TCP://127.0.0.1:5555",
        "Tcp://127.0.0.1:5555",
        "IPC:///tmp/x",
        "INPROC://x",
        "tcp ://127.0.0.1:5555",
        " tcp://127.0.0.1:5555",
        "tcp4://127.0.0.1:5555",
        "tcp6://[::1]:5555",
        "ipcc:///tmp/x",
        "in proc://x",
        "tcp\u{00a0}://127.0.0.1:5555",
        "тcp://127.0.0.1:5555",
        "💥://x",
        "unix:///tmp/socket",
        "file:///tmp/x",
        "zmq://127.0.0.1:5555",
        "zmtp://127.0.0.1:5555",
        "sctp://127.0.0.1:5555",
        "quic://127.0.0.1:5555",
        "vsock://1:5555",
        "x://",
    ] {
        let expected = if endpoint.ends_with("://") {
            Error::InvalidArgument
        } else {
            Error::ProtocolNotSupported
        };
        rows.push(row(endpoint, Both, expected));
    }

    // ---- Transports that do not fit the socket type, or are not built in --------------------
    // UDP is for RADIO, DISH and DGRAM only.
    for endpoint in ["udp://127.0.0.1:5555", "udp://*:5555", "udp://127.0.0.1:*"] {
        let call = if endpoint.ends_with('*') { Bind } else { Both };
        rows.push(row(endpoint, call, Error::IncompatibleProtocol));
    }
    // PGM, EPGM and NORM: multicast, PUB/SUB only (when libzmq has them at all).
    for (transport, capability) in [("pgm", "pgm"), ("epgm", "pgm"), ("norm", "norm")] {
        let endpoint = format!("{transport}://127.0.0.1;239.192.1.1:5555");
        let expected = if zmq::has(capability) {
            Error::IncompatibleProtocol
        } else {
            Error::ProtocolNotSupported
        };
        rows.push(row(endpoint, Both, expected));
    }
    // vmci is never built in by the builds this crate makes or Debian's.
    rows.push(row("vmci://1:5555", Both, Error::ProtocolNotSupported));

    // ---- TCP: a host but no port, a port but no host, spaces, unicode ------------------------
    for endpoint in [
        "tcp://127.0.0.1",
        "tcp://[::1]",
        "tcp://localhost",
        "tcp://*",
    ] {
        rows.push(row(endpoint, Both, Error::InvalidArgument));
    }
    // A source address without its peer's port: libzmq's connect takes "5555;127.0.0.1" for
    // a port and fails later, in the background; bind refuses it.
    rows.push(row(
        "tcp://127.0.0.1:5555;127.0.0.1",
        Bind,
        Error::InvalidArgument,
    ));
    // libzmq's syntax check for connect: the host must be letters, digits, '.', '-', '_', ...
    for endpoint in [
        "tcp:// 127.0.0.1:5555",
        "tcp://127.0.0.1 :5555",
        "tcp://127. 0.0.1:5555",
        "tcp://\t127.0.0.1:5555",
        "tcp://höst:5555",
        "tcp://ホスト:5555",
        "tcp://🦀:5555",
        "tcp://host name:5555",
        "tcp://host/path:5555",
        "tcp://host?x=1:5555",
        "tcp://user@host:5555",
        "tcp://\"host\":5555",
        "tcp://<host>:5555",
        "tcp://host,other:5555",
        "tcp://-:5555",
    ] {
        rows.push(row(endpoint, Connect, Error::InvalidArgument));
    }
    // Binding needs a local interface or address: anything else is no such device.
    for endpoint in [
        "tcp:// 127.0.0.1:5555",
        "tcp://127.0.0.1 :5555",
        "tcp://127. 0.0.1:5555",
        "tcp://höst:5555",
        "tcp://ホスト:5555",
        "tcp://🦀:5555",
        "tcp://host name:5555",
        "tcp://no-such-interface-zmq:5555",
        "tcp://eth99999:5555",
        "tcp://localhost.localdomain.invalid:5555",
        "tcp://256.0.0.1:5555",
        "tcp://127.0.0.1.1:5555",
        "tcp://1.2.3.4.5:5555",
        "tcp://[::1:5555",
        "tcp://::1]:5555",
    ] {
        rows.push(row(endpoint, Bind, Error::NoSuchDevice));
    }
    // Addresses that are well formed but not this machine's.
    for endpoint in [
        "tcp://192.0.2.1:*",
        "tcp://198.51.100.7:*",
        "tcp://203.0.113.200:*",
        "tcp://8.8.8.8:*",
    ] {
        rows.push(row(endpoint, Bind, Error::AddrNotAvailable));
    }

    // ---- IPC: paths longer than a Unix socket address holds ---------------------------------
    for len in [108, 109, 200, 1000, 4096] {
        let path = "p".repeat(len);
        rows.push(row(format!("ipc:///{path}"), Both, ENAMETOOLONG));
        rows.push(row(format!("ipc://@{path}"), Both, ENAMETOOLONG));
        rows.push(row(format!("ipc://{path}"), Both, ENAMETOOLONG));
    }
    // An abstract name needs a name.
    rows.push(row("ipc://@", Both, Error::InvalidArgument));

    // ---- Never bound or connected: nothing to unbind or disconnect -------------------------
    rows
}

/// One of the endpoint calls, with its name.
type EndpointCall = (&'static str, fn(&Socket, &str) -> zmq::Result<()>);

fn calls(call: Call) -> &'static [EndpointCall] {
    const BIND: EndpointCall = ("bind", Socket::bind);
    const CONNECT: EndpointCall = ("connect", Socket::connect);
    const UNBIND: EndpointCall = ("unbind", Socket::unbind);
    const DISCONNECT: EndpointCall = ("disconnect", Socket::disconnect);
    match call {
        Call::Bind => &[BIND],
        Call::Connect => &[CONNECT],
        Call::Both => &[BIND, CONNECT],
        Call::All => &[BIND, CONNECT, UNBIND, DISCONNECT],
    }
}

#[test]
fn every_malformed_endpoint_gets_its_error() {
    let rows = table();
    assert!(rows.len() >= 200, "only {} rows", rows.len());
    let ctx = context();
    let mut failures = Vec::new();
    for row in &rows {
        for (name, call) in calls(row.call) {
            let socket = socket(&ctx, row.socket_type);
            let result = call(&socket, &row.endpoint);
            if result != Err(row.expected.clone()) {
                failures.push(format!(
                    "{name}({:?}): expected {:?}, got {result:?}",
                    row.endpoint, row.expected
                ));
            }
            // A refused endpoint leaves nothing behind.
            let last = socket.last_endpoint();
            if last.as_deref() != Ok("") {
                failures.push(format!("{name}({:?}) left {last:?}", row.endpoint));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn endpoints_in_use_or_unknown_to_the_socket() {
    let ctx = context();
    let holder = socket(&ctx, SocketType::Pair);
    let tcp = bind(&holder, Transport::Tcp);
    let inproc = bind(&holder, Transport::Inproc);
    let ipc = bind(&holder, Transport::Ipc);
    let other = socket(&ctx, SocketType::Pair);
    // libzmq binds an ipc path again, taking it over (it removes the file first, as a stale
    // socket left by a crashed run would be): not an error.
    other
        .bind(&ipc)
        .expect("binding an ipc path again takes it over");
    for taken in [&tcp, &inproc] {
        assert_eq!(other.bind(taken), Err(Error::AddrInUse), "{taken}");
        assert_eq!(holder.bind(taken), Err(Error::AddrInUse), "{taken}");
        // Bound by another socket: not this one's to unbind, nor connected to.
        assert_eq!(other.unbind(taken), Err(Error::EndpointNotFound), "{taken}");
        assert_eq!(
            other.disconnect(taken),
            Err(Error::EndpointNotFound),
            "{taken}"
        );
    }
    // A wildcard is not what was bound: unbind wants the resolved endpoint.
    assert_eq!(
        holder.unbind("tcp://127.0.0.1:*"),
        Err(Error::EndpointNotFound)
    );
    holder.unbind(&tcp).expect("unbind the resolved endpoint");
    assert_eq!(holder.unbind(&tcp), Err(Error::EndpointNotFound), "twice");
}
