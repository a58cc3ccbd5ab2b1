//! Oversized messages from peers: with `MAXMSGSIZE` a message one byte too large drops that
//! peer's connection only, and a peer announcing a frame of 2^63 bytes allocates nothing,
//! with the limit and without it.
//!
//! What libzmq 4.3.5 does (`v2_decoder_t::size_ready`): it compares the announced size with
//! `MAXMSGSIZE` before allocating, and fails the connection with `EMSGSIZE`; with no limit it
//! asks `malloc` for the whole size at once (`msg_t::init_size`, which checks the size for
//! overflow), and a size no allocator can give fails the connection with `ENOMEM`. Either
//! way only that connection goes, and the socket keeps working.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{bind, context, socket, Transport, TIMEOUT};
use zmq::{RecvFlags, SendFlags, Socket, SocketType};

const MIB: usize = 1 << 20;

/// The process's resident memory, from `/proc/self/statm` (pages times the page size).
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("the resident field of statm");
    // SAFETY: sysconf only reads a system setting.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * usize::try_from(page).expect("a positive page size")
}

/// A ZMTP 3.0 greeting for the NULL mechanism, as a client.
fn greeting() -> Vec<u8> {
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0];
    let mut mechanism = b"NULL".to_vec();
    mechanism.resize(20, 0);
    greeting.extend_from_slice(&mechanism);
    greeting.push(0); // as-server: no
    greeting.resize(64, 0);
    greeting
}

/// The NULL mechanism's READY command, saying this peer is a PUSH socket.
fn ready_command() -> Vec<u8> {
    let mut body = vec![5];
    body.extend_from_slice(b"READY");
    body.push(11);
    body.extend_from_slice(b"Socket-Type");
    body.extend_from_slice(&4u32.to_be_bytes());
    body.extend_from_slice(b"PUSH");
    let mut command = vec![0x04, u8::try_from(body.len()).expect("a short command")];
    command.extend_from_slice(&body);
    command
}

/// A raw TCP peer that does the ZMTP handshake by hand, then announces a message frame of
/// `size` bytes and sends 16 of them.
fn raw_peer(endpoint: &str, size: u64) -> TcpStream {
    let address = endpoint.strip_prefix("tcp://").expect("a tcp endpoint");
    let mut stream = TcpStream::connect(address).expect("connect to the PULL socket");
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("set a read timeout");
    let mut out = greeting();
    out.extend_from_slice(&ready_command());
    stream.write_all(&out).expect("send the greeting and READY");
    // Wait for libzmq's greeting and READY (its Socket-Type, PULL, is as long as PUSH): a
    // frame that arrives in the same read as the handshake is taken for a handshake command
    // and fails it, so a peer must wait, as libzmq's own do.
    let mut answer = vec![0u8; greeting().len() + ready_command().len()];
    stream
        .read_exact(&mut answer)
        .expect("libzmq's greeting and READY");
    assert_eq!(&answer[answer.len() - 4..], b"PULL");
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("set a read timeout");
    // A long message frame: flags 0x02 (long size, last frame), then 8 bytes of size.
    let mut out = vec![0x02];
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(&[0x55; 16]);
    stream
        .write_all(&out)
        .expect("send the handshake and frame");
    stream
}

/// Whether libzmq closes the connection within `wait`.
fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return true,
            Err(e) => panic!("reading from the PULL socket: {e}"),
        }
    }
    false
}

/// The raw peer announcing `size` bytes is disconnected.
fn announce_frame(endpoint: &str, size: u64) -> bool {
    closed_within(&mut raw_peer(endpoint, size), TIMEOUT)
}

/// A PUSH peer connected to `endpoint` delivers `text`: the socket still works.
fn still_receives(ctx: &zmq::Context, pull: &Socket, endpoint: &str, text: &str) {
    let push = socket(ctx, SocketType::Push);
    push.connect(endpoint).expect("connect");
    push.send(text, SendFlags::empty()).expect("send");
    assert_eq!(pull.recv_string(RecvFlags::empty()).as_deref(), Ok(text));
}

#[test]
fn a_message_one_byte_over_the_limit_drops_only_that_connection() {
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_maxmsgsize(Some(MIB as u64))
        .expect("set MAXMSGSIZE");
    let endpoint = bind(&pull, Transport::Tcp);

    let good = socket(&ctx, SocketType::Push);
    good.connect(&endpoint).expect("connect");
    good.send("before", SendFlags::empty()).expect("send");
    assert_eq!(
        pull.recv_string(RecvFlags::empty()).as_deref(),
        Ok("before")
    );

    // Exactly the limit is allowed.
    let big = socket(&ctx, SocketType::Push);
    big.connect(&endpoint).expect("connect");
    big.send(vec![1u8; MIB], SendFlags::empty()).expect("send");
    assert_eq!(
        pull.recv_bytes(RecvFlags::empty()).map(|m| m.len()),
        Ok(MIB)
    );

    // One byte more: that connection goes, and the message never arrives.
    big.send(vec![2u8; MIB + 1], SendFlags::empty())
        .expect("send");
    good.send("after", SendFlags::empty()).expect("send");
    assert_eq!(pull.recv_string(RecvFlags::empty()).as_deref(), Ok("after"));
    pull.set_rcvtimeo(Some(common::QUIET))
        .expect("set RCVTIMEO");
    match pull.recv_bytes(RecvFlags::empty()) {
        Err(zmq::Error::WouldBlock) => {}
        Ok(message) => panic!(
            "received {} bytes after the oversized message",
            message.len()
        ),
        Err(e) => panic!("receive: {e}"),
    }
    // The other connection is still there, and so is the dropped peer's next message once
    // it has reconnected.
    pull.set_rcvtimeo(Some(TIMEOUT)).expect("set RCVTIMEO");
    good.send("still here", SendFlags::empty()).expect("send");
    assert_eq!(
        pull.recv_string(RecvFlags::empty()).as_deref(),
        Ok("still here")
    );
    big.send("small again", SendFlags::empty()).expect("send");
    assert_eq!(
        pull.recv_string(RecvFlags::empty()).as_deref(),
        Ok("small again")
    );
}

#[test]
fn the_hand_made_peer_speaks_zmtp() {
    // The control for the tests below: the same handshake and a frame of the 16 bytes it
    // sends are delivered, and the connection stays.
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_maxmsgsize(Some(MIB as u64))
        .expect("set MAXMSGSIZE");
    let endpoint = bind(&pull, Transport::Tcp);
    let mut peer = raw_peer(&endpoint, 16);
    assert_eq!(pull.recv_bytes(RecvFlags::empty()), Ok(vec![0x55; 16]));
    let message = pull.recv_msg(RecvFlags::DONTWAIT);
    assert_eq!(message.err(), Some(zmq::Error::WouldBlock));
    assert!(!closed_within(&mut peer, common::QUIET));
}

#[test]
fn a_frame_of_2_to_the_63_bytes_allocates_nothing_with_or_without_a_limit() {
    let ctx = context();
    for limit in [Some(MIB as u64), None] {
        let pull = socket(&ctx, SocketType::Pull);
        pull.set_maxmsgsize(limit).expect("set MAXMSGSIZE");
        assert_eq!(pull.maxmsgsize(), Ok(limit));
        let endpoint = bind(&pull, Transport::Tcp);

        let before = resident_bytes();
        for size in [1u64 << 63, u64::MAX, (1 << 63) + 1] {
            assert!(
                announce_frame(&endpoint, size),
                "limit {limit:?}: a frame of {size} bytes did not close the connection"
            );
        }
        let grown = resident_bytes().saturating_sub(before);
        assert!(
            grown < 64 * MIB,
            "limit {limit:?}: resident memory grew by {grown} bytes"
        );
        // Nothing was delivered, and the socket still works for a well-behaved peer.
        assert_eq!(
            pull.recv_bytes(RecvFlags::DONTWAIT),
            Err(zmq::Error::WouldBlock)
        );
        still_receives(&ctx, &pull, &endpoint, "after the huge frame");
    }
}

#[test]
fn a_frame_over_the_limit_is_refused_before_its_bytes_arrive() {
    // 64 MiB announced, 16 bytes sent: with the limit, libzmq refuses at the size and closes
    // at once instead of waiting for the rest.
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_maxmsgsize(Some(MIB as u64))
        .expect("set MAXMSGSIZE");
    let endpoint = bind(&pull, Transport::Tcp);
    assert!(announce_frame(&endpoint, 64 * MIB as u64));
    still_receives(&ctx, &pull, &endpoint, "next");

    // The contrast: without a limit, libzmq takes the size and waits for the bytes.
    let unlimited = socket(&ctx, SocketType::Pull);
    let endpoint = bind(&unlimited, Transport::Tcp);
    let mut peer = raw_peer(&endpoint, 64 * MIB as u64);
    assert!(!closed_within(&mut peer, common::QUIET));
}
