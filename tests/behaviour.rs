//! Socket behaviour that libzmq's own test suite pins down, re-expressed through this crate:
//! high-water marks, ROUTER_MANDATORY, REQ_RELAXED and REQ_CORRELATE, CONFLATE, heartbeats,
//! reconnecting, IMMEDIATE, unbinding wildcards, over-long ipc paths and MAX_SOCKETS.
//!
//! The oracle for each test is the libzmq test named in its comment (`tests/test_*.cpp` of
//! libzmq 4.3.5).

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{
    assert_silent, bind, connected, context, eventually, socket, try_recv, unique_name, Transport,
    DEADLINE, TIMEOUT,
};
use zmq::{Context, Error, PollEvents, RecvFlags, SendFlags, Socket, SocketType};

/// Sends empty messages without waiting until the socket refuses one, and returns how many it
/// took. The refusal must be [`Error::WouldBlock`], and must hand the message back.
fn fill_until_would_block(sender: &Socket) -> usize {
    for sent in 0..100_000 {
        match sender.send(Vec::new(), SendFlags::DONTWAIT) {
            Ok(()) => {}
            Err(e) => {
                assert_eq!(e.error(), &Error::WouldBlock, "after {sent} sends");
                assert!(e.into_unsent().is_empty());
                return sent;
            }
        }
    }
    panic!("the socket never reached its high-water mark");
}

/// Sends `text` without waiting, retrying while the socket answers `WouldBlock`: a sender
/// learns that its peer read messages asynchronously.
fn send_eventually(sender: &Socket, text: &str) {
    eventually("the sender to have room again", || {
        match sender.send(text, SendFlags::DONTWAIT) {
            Ok(()) => Some(()),
            Err(e) if e.error() == &Error::WouldBlock => None,
            Err(e) => panic!("send: {e}"),
        }
    });
}

/// Receives everything already queued on `socket` and returns how many frames it was.
fn drain(socket: &Socket) -> usize {
    std::iter::from_fn(|| try_recv(socket)).count()
}

// --- High-water marks (test_hwm.cpp, test_sockopt_hwm.cpp, test_router_mandatory_hwm.cpp) ---

/// Which side of an inproc pair comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    BindFirst,
    ConnectFirst,
}

/// A sender connected over inproc to a receiver that binds, with the given marks, made in
/// the given order.
fn inproc_pair(
    ctx: &Context,
    (sender_type, sndhwm): (SocketType, i32),
    (receiver_type, rcvhwm): (SocketType, i32),
    order: Order,
) -> (Socket, Socket) {
    let endpoint = common::endpoint(Transport::Inproc);
    let sender = socket(ctx, sender_type);
    sender.set_sndhwm(sndhwm).unwrap();
    let receiver = socket(ctx, receiver_type);
    receiver.set_rcvhwm(rcvhwm).unwrap();
    if order == Order::BindFirst {
        receiver.bind(&endpoint).unwrap();
        sender.connect(&endpoint).unwrap();
    } else {
        sender.connect(&endpoint).unwrap();
        receiver.bind(&endpoint).unwrap();
    }
    (sender, receiver)
}

/// Over inproc, the pipe between two sockets holds the sender's SNDHWM plus the receiver's
/// RCVHWM, whichever side comes first; a sender that blocks at the mark fails a DONTWAIT send
/// with `WouldBlock`, and every message it accepted arrives.
fn hwm_blocks_at_sum(sender_type: SocketType, receiver_type: SocketType, sndhwm: i32, rcvhwm: i32) {
    for order in [Order::BindFirst, Order::ConnectFirst] {
        let ctx = context();
        let (sender, receiver) =
            inproc_pair(&ctx, (sender_type, sndhwm), (receiver_type, rcvhwm), order);
        let sent = fill_until_would_block(&sender);
        assert_eq!(sent, (sndhwm + rcvhwm) as usize, "{order:?}");
        assert_eq!(drain(&receiver), sent, "{order:?}");

        // Once drained, the pipe takes messages again (when the sender has heard of the
        // reads).
        send_eventually(&sender, "again");
        assert_eq!(receiver.recv_bytes(RecvFlags::empty()).unwrap(), b"again");
    }
}

#[test]
fn hwm_of_zero_on_either_side_means_no_limit() {
    // test_hwm: with a mark of 0 on one side, 10000 sends all go through.
    for (sndhwm, rcvhwm) in [(0, 0), (1, 0), (0, 1)] {
        for order in [Order::BindFirst, Order::ConnectFirst] {
            let ctx = context();
            let (push, pull) = inproc_pair(
                &ctx,
                (SocketType::Push, sndhwm),
                (SocketType::Pull, rcvhwm),
                order,
            );
            for n in 0..10_000 {
                push.send(&b""[..], SendFlags::DONTWAIT)
                    .unwrap_or_else(|e| panic!("({sndhwm}, {rcvhwm}) {order:?} send {n}: {e}"));
            }
            assert_eq!(drain(&pull), 10_000);
        }
    }
}

#[test]
fn push_blocks_at_the_default_hwm() {
    // Both marks default to 1000: test_hwm's test_defaults counts 2000.
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, Transport::Inproc);
    assert_eq!(
        (push.sndhwm().unwrap(), pull.rcvhwm().unwrap()),
        (1000, 1000)
    );
    let sent = fill_until_would_block(&push);
    assert_eq!(sent, 2000);
    assert_eq!(drain(&pull), 2000);
}

#[test]
fn push_blocks_at_sndhwm_plus_rcvhwm() {
    hwm_blocks_at_sum(SocketType::Push, SocketType::Pull, 3, 5);
    hwm_blocks_at_sum(SocketType::Push, SocketType::Pull, 1, 1);
}

#[test]
fn dealer_blocks_at_sndhwm_plus_rcvhwm() {
    hwm_blocks_at_sum(SocketType::Dealer, SocketType::Dealer, 4, 6);
}

#[test]
fn push_blocks_until_sndtimeo_at_the_hwm() {
    // A blocking send at the mark waits for SNDTIMEO, then fails with WouldBlock.
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(2).unwrap();
    let endpoint = bind(&pull, Transport::Inproc);
    let push = socket(&ctx, SocketType::Push);
    push.set_sndhwm(2).unwrap();
    push.connect(&endpoint).unwrap();
    assert_eq!(fill_until_would_block(&push), 4);
    push.set_sndtimeo(Some(Duration::from_millis(50))).unwrap();
    let started = Instant::now();
    let err = push
        .send(b"blocked".to_vec(), SendFlags::empty())
        .unwrap_err();
    assert_eq!(err.error(), &Error::WouldBlock);
    assert_eq!(&err.into_unsent()[..], b"blocked");
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!(drain(&pull), 4);
}

#[test]
fn router_mandatory_blocks_at_sndhwm_plus_rcvhwm() {
    let ctx = context();
    let router = socket(&ctx, SocketType::Router);
    router.set_router_mandatory(true).unwrap();
    router.set_sndhwm(3).unwrap();
    let endpoint = bind(&router, Transport::Inproc);
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer.set_routing_id(b"peer").unwrap();
    dealer.set_rcvhwm(4).unwrap();
    dealer.connect(&endpoint).unwrap();
    // The ROUTER knows the peer once its first message arrives.
    dealer.send("hello", SendFlags::empty()).unwrap();
    let hello = router.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!(hello.len(), 2);
    assert_eq!(&hello[0][..], b"peer");

    let mut sent = 0;
    let refused = loop {
        match router.send_multipart([&b"peer"[..], b"data"], SendFlags::DONTWAIT) {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
        assert!(
            sent < 10_000,
            "the ROUTER never reached its high-water mark"
        );
    };
    assert_eq!(refused.error(), &Error::WouldBlock);
    let unsent = refused.into_unsent();
    assert_eq!(unsent.len(), 2);
    assert_eq!(
        (&unsent[0][..], &unsent[1][..]),
        (&b"peer"[..], &b"data"[..])
    );
    assert_eq!(sent, 3 + 4);
    assert_eq!(drain(&dealer), sent);
}

/// A PUB and a SUB over inproc with small marks, subscribed to everything, with the
/// subscription known to have reached the publisher.
fn pub_sub_with_hwm(ctx: &Context, kind: SocketType, hwm: i32) -> (Socket, Socket) {
    let publisher = socket(ctx, kind);
    publisher.set_sndhwm(hwm).unwrap();
    let endpoint = bind(&publisher, Transport::Inproc);
    let subscriber = socket(ctx, SocketType::Sub);
    subscriber.set_rcvhwm(hwm).unwrap();
    subscriber.connect(&endpoint).unwrap();
    subscriber.set_subscribe(b"").unwrap();
    if kind == SocketType::XPub {
        // An XPUB hands the subscription to the application: then it is in place.
        let subscription = publisher.recv_bytes(RecvFlags::empty()).unwrap();
        assert_eq!(subscription, b"\x01");
    } else {
        // Slow joiner: publish probes until one gets through.
        eventually("the subscription to reach the PUB", || {
            publisher.send("probe", SendFlags::DONTWAIT).unwrap();
            try_recv(&subscriber)
        });
        drain(&subscriber);
    }
    (publisher, subscriber)
}

#[test]
fn pub_drops_beyond_the_hwm_and_never_blocks() {
    // test_hwm_pubsub.cpp: a PUB never blocks; what does not fit is dropped.
    let ctx = context();
    let (publisher, subscriber) = pub_sub_with_hwm(&ctx, SocketType::Pub, 5);
    // Neither a non-blocking nor a blocking send ever waits (a blocked one would fail
    // with WouldBlock after SNDTIMEO).
    let started = Instant::now();
    for n in 0..100 {
        let flags = if n % 2 == 0 {
            SendFlags::DONTWAIT
        } else {
            SendFlags::empty()
        };
        publisher
            .send(format!("{n}"), flags)
            .unwrap_or_else(|e| panic!("send {n}: {e}"));
    }
    assert!(started.elapsed() < TIMEOUT);
    let received: Vec<String> = std::iter::from_fn(|| try_recv(&subscriber))
        .map(|msg| String::from_utf8(msg.to_vec()).unwrap())
        .collect();
    // The pipe holds at most SNDHWM + RCVHWM: the first ones arrive, the rest are dropped.
    // (Fewer than ten when the publisher has not yet heard that the probes were read.)
    assert!(
        (1..=10).contains(&received.len()),
        "received {}: {received:?}",
        received.len()
    );
    let expected: Vec<String> = (0..received.len()).map(|n| n.to_string()).collect();
    assert_eq!(received, expected);
}

#[test]
fn xpub_nodrop_turns_drops_into_would_block() {
    // test_xpub_nodrop.cpp.
    let ctx = context();
    let (publisher, subscriber) = pub_sub_with_hwm(&ctx, SocketType::XPub, 5);
    publisher.set_xpub_nodrop(true).unwrap();
    let sent = fill_until_would_block(&publisher);
    assert_eq!(sent, 10);
    assert_eq!(drain(&subscriber), sent);
    // Room again once the subscriber has read.
    send_eventually(&publisher, "more");
    assert_eq!(subscriber.recv_bytes(RecvFlags::empty()).unwrap(), b"more");
}

// --- ROUTER_MANDATORY (test_router_mandatory.cpp) ---

#[test]
fn router_mandatory_refuses_an_unknown_routing_id() {
    let ctx = context();
    let (router, dealer) = connected(&ctx, SocketType::Router, SocketType::Dealer, Transport::Tcp);

    // Without the option, a message to nobody is silently dropped.
    router
        .send_multipart(["UNKNOWN", "DATA"], SendFlags::DONTWAIT)
        .unwrap();

    router.set_router_mandatory(true).unwrap();
    let err = router
        .send_multipart([&b"UNKNOWN"[..], b"DATA"], SendFlags::DONTWAIT)
        .unwrap_err();
    assert_eq!(err.error(), &Error::HostUnreachable);
    let unsent: Vec<Vec<u8>> = err.into_unsent().iter().map(|m| m.to_vec()).collect();
    assert_eq!(unsent, [b"UNKNOWN".to_vec(), b"DATA".to_vec()]);

    // The routing id frame alone fails the same way, handing back an owned frame.
    let err = router
        .send(
            b"UNKNOWN".to_vec(),
            SendFlags::SNDMORE | SendFlags::DONTWAIT,
        )
        .unwrap_err();
    assert_eq!(err.error(), &Error::HostUnreachable);
    assert_eq!(&err.into_unsent()[..], b"UNKNOWN");

    // A known peer is reachable: learn its routing id from its first message.
    dealer.send("hello", SendFlags::empty()).unwrap();
    let hello = router.recv_multipart(RecvFlags::empty()).unwrap();
    let id = hello[0].to_vec();
    router
        .send_multipart([id, b"reply".to_vec()], SendFlags::empty())
        .unwrap();
    assert_eq!(dealer.recv_bytes(RecvFlags::empty()).unwrap(), b"reply");
}

// --- REQ_RELAXED and REQ_CORRELATE (test_req_relaxed.cpp, test_req_correlate.cpp) ---

#[test]
fn strict_req_refuses_a_second_send() {
    let ctx = context();
    let (_rep, req) = connected(&ctx, SocketType::Rep, SocketType::Req, Transport::Inproc);
    req.send("first", SendFlags::empty()).unwrap();
    let err = req
        .send(b"second".to_vec(), SendFlags::empty())
        .unwrap_err();
    assert_eq!(err.error(), &Error::InvalidState);
    assert_eq!(&err.into_unsent()[..], b"second");
}

#[test]
fn req_relaxed_sends_again_and_discards_the_stale_reply() {
    let ctx = context();
    let (rep, req) = connected(&ctx, SocketType::Rep, SocketType::Req, Transport::Inproc);
    req.set_req_relaxed(true).unwrap();

    req.send("A", SendFlags::empty()).unwrap();
    assert_eq!(rep.recv_bytes(RecvFlags::empty()).unwrap(), b"A");
    rep.send("stale", SendFlags::empty()).unwrap();
    // The stale reply is waiting on the REQ...
    eventually("the stale reply to reach the REQ", || {
        req.events()
            .unwrap()
            .contains(PollEvents::POLLIN)
            .then_some(())
    });
    // ...and a new request, allowed without reading it, throws it away.
    req.send("B", SendFlags::empty()).unwrap();
    assert_eq!(rep.recv_bytes(RecvFlags::empty()).unwrap(), b"B");
    rep.send("fresh", SendFlags::empty()).unwrap();
    // The stale reply was ahead of it in the pipe: it was dropped.
    assert_eq!(req.recv_bytes(RecvFlags::empty()).unwrap(), b"fresh");
}

#[test]
fn req_correlate_tags_requests_and_drops_an_old_reply() {
    let ctx = context();
    let (router, req) = connected(&ctx, SocketType::Router, SocketType::Req, Transport::Inproc);
    req.set_req_correlate(true).unwrap();
    req.set_req_relaxed(true).unwrap();

    // Each request reaches the ROUTER as [routing id, request id, empty delimiter, body].
    req.send("first", SendFlags::empty()).unwrap();
    let first = router.recv_multipart(RecvFlags::empty()).unwrap();
    req.send("second", SendFlags::empty()).unwrap();
    let second = router.recv_multipart(RecvFlags::empty()).unwrap();
    for (request, body) in [(&first, &b"first"[..]), (&second, b"second")] {
        assert_eq!(request.len(), 4);
        assert_eq!(request[1].len(), 4, "the request id is a 32-bit integer");
        assert!(request[2].is_empty());
        assert_eq!(&request[3][..], body);
    }
    assert_ne!(first[1].to_vec(), second[1].to_vec());

    // A reply to the first request is dropped, the reply to the second arrives.
    let reply = |request: &zmq::Multipart, body: &str| {
        let frames = [
            request[0].to_vec(),
            request[1].to_vec(),
            Vec::new(),
            body.as_bytes().to_vec(),
        ];
        router.send_multipart(frames, SendFlags::empty()).unwrap();
    };
    reply(&first, "old");
    reply(&second, "new");
    // "old" was ahead of "new" in the pipe: the REQ dropped it.
    assert_eq!(req.recv_bytes(RecvFlags::empty()).unwrap(), b"new");
}

// --- CONFLATE (test_conflate.cpp) ---

#[test]
fn conflate_keeps_only_the_last_message_inproc() {
    // Over inproc the connecting side's CONFLATE makes the pipe keep one message, so once the
    // sends return only the last is there.
    let ctx = context();
    let push = socket(&ctx, SocketType::Push);
    let endpoint = bind(&push, Transport::Inproc);
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_conflate(true).unwrap();
    pull.connect(&endpoint).unwrap();
    for n in 0..20 {
        push.send(format!("{n}"), SendFlags::DONTWAIT).unwrap();
    }
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "19");
    assert_silent(&pull);
}

#[test]
fn conflate_keeps_only_the_last_message_tcp() {
    // libzmq's own test: a bound PULL with CONFLATE, a PUSH sending N messages.
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_conflate(true).unwrap();
    let endpoint = bind(&pull, Transport::Tcp);
    let push = socket(&ctx, SocketType::Push);
    push.connect(&endpoint).unwrap();
    const N: u32 = 1000;
    for n in 0..N {
        push.send(format!("{n}"), SendFlags::empty()).unwrap();
    }
    // Whatever arrives comes in order and ends with the last message; nothing follows it.
    // libzmq's conflating pipe can miss the reader's wake-up for the last message (its
    // `reader_awake` flag is read by the I/O thread while the reader clears it: in about 1 of
    // 3,000 rounds here the message sits unseen, no POLLIN, until another arrives), so a
    // receive that waits 1 s is answered by sending the last message again, twice at most.
    pull.set_rcvtimeo(Some(Duration::from_secs(1))).unwrap();
    let mut received = Vec::new();
    let mut resent = 0;
    while received.last() != Some(&(N - 1)) {
        match pull.recv_string(RecvFlags::empty()) {
            Ok(msg) => received.push(msg.parse::<u32>().unwrap()),
            Err(zmq::Error::WouldBlock) if resent < 2 => {
                resent += 1;
                push.send(format!("{}", N - 1), SendFlags::empty()).unwrap();
            }
            Err(error) => panic!("after {received:?}: {error}"),
        }
    }
    assert!(received.is_sorted(), "out of order: {received:?}");
    // The PULL reads only after the last send: whatever had arrived by then was one
    // message, the latest.
    assert!(received.len() < N as usize, "nothing was conflated");
    assert_silent(&pull);
}

// --- Heartbeats (test_heartbeats.cpp) ---

/// A ZMTP 3.0 greeting for the NULL mechanism, as a client.
const ZMTP_GREETING_NULL: [u8; 64] = {
    let mut greeting = [0u8; 64];
    greeting[0] = 0xff;
    greeting[9] = 0x7f;
    greeting[10] = 3; // version 3.0
    greeting[12] = b'N';
    greeting[13] = b'U';
    greeting[14] = b'L';
    greeting[15] = b'L';
    greeting
};

/// A ZMTP READY command for a DEALER with no routing id.
fn zmtp_ready_dealer() -> Vec<u8> {
    let mut body = vec![5];
    body.extend_from_slice(b"READY");
    for (name, value) in [(&b"Socket-Type"[..], &b"DEALER"[..]), (b"Identity", b"")] {
        body.push(name.len() as u8);
        body.extend_from_slice(name);
        body.extend_from_slice(&(value.len() as u32).to_be_bytes());
        body.extend_from_slice(value);
    }
    let mut frame = vec![0x04, body.len() as u8];
    frame.extend(body);
    frame
}

/// Reads one ZMTP frame: `None` if the peer closed the connection (EOF or reset) before it.
fn read_frame(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut flags = [0u8; 1];
    match stream.read(&mut flags) {
        Ok(0) => return None,
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => return None,
        Err(e) => panic!("read a ZMTP frame: {e}"),
    }
    let size = if flags[0] & 0x02 != 0 {
        let mut size = [0u8; 8];
        stream.read_exact(&mut size).ok()?;
        u64::from_be_bytes(size) as usize
    } else {
        let mut size = [0u8; 1];
        stream.read_exact(&mut size).ok()?;
        size[0] as usize
    };
    let mut body = vec![0u8; size];
    stream.read_exact(&mut body).ok()?;
    Some((flags[0], body))
}

/// Connects a raw TCP peer to `endpoint` and completes the ZMTP handshake as a DEALER, then
/// answers nothing.
fn silent_zmtp_peer(endpoint: &str) -> TcpStream {
    let address = endpoint.strip_prefix("tcp://").unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(&ZMTP_GREETING_NULL).unwrap();
    let mut greeting = [0u8; 64];
    stream.read_exact(&mut greeting).unwrap();
    assert_eq!((greeting[0], greeting[9], greeting[10]), (0xff, 0x7f, 3));
    assert_eq!(&greeting[12..16], b"NULL");
    stream.write_all(&zmtp_ready_dealer()).unwrap();
    let (flags, ready) = read_frame(&mut stream).expect("the server's READY");
    assert_eq!(flags & 0x04, 0x04, "a command");
    assert!(ready.starts_with(b"\x05READY"), "{ready:?}");
    stream
}

/// A ROUTER that pings every 100 ms and gives a peer 300 ms to answer.
fn heartbeating_router(ctx: &Context) -> Socket {
    let router = socket(ctx, SocketType::Router);
    router
        .set_heartbeat_ivl(Duration::from_millis(100))
        .unwrap();
    router
        .set_heartbeat_timeout(Duration::from_millis(300))
        .unwrap();
    router
}

#[test]
fn heartbeat_timeout_disconnects_a_silent_peer() {
    let ctx = context();
    let router = heartbeating_router(&ctx);
    router
        .set_heartbeat_ttl(Duration::from_millis(500))
        .unwrap();
    let endpoint = bind(&router, Transport::Tcp);
    let mut peer = silent_zmtp_peer(&endpoint);

    // The ROUTER pings the peer, which never answers, and then closes the connection, long
    // before the handshake interval (30 s) or any TCP timeout could.
    let started = Instant::now();
    let mut pings = 0;
    while let Some((flags, body)) = read_frame(&mut peer) {
        assert!(started.elapsed() < DEADLINE, "the ROUTER never hung up");
        assert_eq!(flags & 0x04, 0x04, "only commands, got {body:?}");
        assert!(body.starts_with(b"\x04PING"), "only PINGs, got {body:?}");
        // The TTL the peer is told to use, in deciseconds.
        assert_eq!(u16::from_be_bytes([body[5], body[6]]), 5);
        pings += 1;
    }
    assert!(pings >= 1, "closed without pinging first");
    assert!(started.elapsed() < DEADLINE);
}

#[test]
fn heartbeats_keep_a_peer_that_answers_connected() {
    // The same ROUTER keeps a peer that answers each PING with a PONG for many timeouts.
    let ctx = context();
    let router = heartbeating_router(&ctx);
    let endpoint = bind(&router, Transport::Tcp);
    let mut peer = silent_zmtp_peer(&endpoint);
    let mut pongs = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1200) {
        let (_, body) = read_frame(&mut peer).expect("the ROUTER hung up on a live peer");
        assert!(body.starts_with(b"\x04PING"), "only PINGs, got {body:?}");
        // A PONG carries the PING's context back.
        let context = &body[7..];
        let mut pong = vec![0x04, (5 + context.len()) as u8, 4];
        pong.extend_from_slice(b"PONG");
        pong.extend_from_slice(context);
        peer.write_all(&pong).unwrap();
        pongs += 1;
    }
    assert!(pongs >= 3, "only {pongs} PINGs in 1.2 s");
}

#[test]
fn a_zmq_peer_answers_ping_with_pong() {
    // test_heartbeats.cpp: a PING's context comes back in the PONG.
    let ctx = context();
    let router = socket(&ctx, SocketType::Router);
    let endpoint = bind(&router, Transport::Tcp);
    let mut peer = silent_zmtp_peer(&endpoint);
    let mut ping = vec![0x04, 10, 4];
    ping.extend_from_slice(b"PING");
    ping.extend_from_slice(&[0, 0]); // TTL
    ping.extend_from_slice(b"LOL");
    peer.write_all(&ping).unwrap();
    let (flags, body) = read_frame(&mut peer).expect("a PONG");
    assert_eq!(flags, 0x04);
    assert_eq!(body, b"\x04PONGLOL");
}

#[test]
fn without_heartbeats_a_silent_peer_stays_connected() {
    let ctx = context();
    let router = socket(&ctx, SocketType::Router);
    let endpoint = bind(&router, Transport::Tcp);
    let mut peer = silent_zmtp_peer(&endpoint);
    peer.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut byte = [0u8; 1];
    match peer.read(&mut byte) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("expected no traffic and no hang-up, got {other:?}"),
    }
}

// --- Reconnecting (test_reconnect_ivl.cpp) ---

/// Binds a PULL to exactly `endpoint`, retrying while the previous listener's port is still
/// being released.
fn bind_again(ctx: &Context, endpoint: &str) -> Socket {
    let pull = socket(ctx, SocketType::Pull);
    eventually("the port to be free again", || match pull.bind(endpoint) {
        Ok(()) => Some(()),
        Err(Error::AddrInUse) => None,
        Err(e) => panic!("bind {endpoint}: {e}"),
    });
    pull
}

/// A PUSH connected to a PULL over tcp or ipc, with one message through; the PULL is then closed
/// and a new one bound on the same endpoint. Returns the PUSH and the new PULL.
fn restart_server(
    ctx: &Context,
    transport: Transport,
    reconnect_ivl: Option<Duration>,
) -> (Socket, Socket) {
    let pull = socket(ctx, SocketType::Pull);
    let endpoint = bind(&pull, transport);
    let push = socket(ctx, SocketType::Push);
    push.set_reconnect_ivl(reconnect_ivl).unwrap();
    push.connect(&endpoint).unwrap();
    push.send("before", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_bytes(RecvFlags::empty()).unwrap(), b"before");
    drop(pull);
    let pull = bind_again(ctx, &endpoint);
    (push, pull)
}

/// Sends probes from `push` (dropping any it cannot queue) until one reaches `pull`, or
/// `wait` runs out; returns whether one arrived.
fn probe(push: &Socket, pull: &Socket, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        // With no connection the PUSH has nowhere to queue the probe: that is fine.
        if let Err(e) = push.send("probe", SendFlags::DONTWAIT) {
            assert_eq!(e.error(), &Error::WouldBlock);
        }
        pull.set_rcvtimeo(Some(Duration::from_millis(20))).unwrap();
        match pull.recv_bytes(RecvFlags::empty()) {
            Ok(msg) => {
                assert_eq!(msg, b"probe");
                return true;
            }
            Err(Error::WouldBlock) => {}
            Err(e) => panic!("receive: {e}"),
        }
    }
    false
}

#[test]
fn reconnects_after_the_server_restarts_tcp() {
    let ctx = context();
    let (push, pull) = restart_server(&ctx, Transport::Tcp, Some(Duration::from_millis(50)));
    assert!(probe(&push, &pull, DEADLINE), "the PUSH never reconnected");
}

#[test]
fn reconnects_after_the_server_restarts_ipc() {
    let ctx = context();
    let (push, pull) = restart_server(&ctx, Transport::Ipc, Some(Duration::from_millis(50)));
    assert!(probe(&push, &pull, DEADLINE), "the PUSH never reconnected");
}

#[test]
fn reconnect_ivl_none_never_reconnects() {
    let ctx = context();
    let (push, pull) = restart_server(&ctx, Transport::Tcp, None);
    assert_eq!(push.reconnect_ivl().unwrap(), None);
    // Far longer than the default reconnect interval (100 ms) several times over.
    assert!(
        !probe(&push, &pull, Duration::from_millis(1500)),
        "the PUSH reconnected although RECONNECT_IVL is -1"
    );
}

// --- IMMEDIATE (test_immediate.cpp) ---

/// A tcp endpoint on 127.0.0.1 whose port was free a moment ago and that nothing listens on.
fn free_tcp_endpoint(ctx: &Context) -> String {
    let probe = socket(ctx, SocketType::Pull);
    let endpoint = bind(&probe, Transport::Tcp);
    probe.unbind(&endpoint).unwrap();
    endpoint
}

#[test]
fn immediate_refuses_to_queue_without_a_connection() {
    let ctx = context();
    let endpoint = free_tcp_endpoint(&ctx);
    let push = socket(&ctx, SocketType::Push);
    push.set_immediate(true).unwrap();
    push.set_reconnect_ivl(Some(Duration::from_millis(20)))
        .unwrap();
    push.connect(&endpoint).unwrap();
    let err = push
        .send(b"queued?".to_vec(), SendFlags::DONTWAIT)
        .unwrap_err();
    assert_eq!(err.error(), &Error::WouldBlock);
    assert_eq!(&err.into_unsent()[..], b"queued?");
    assert!(!push.events().unwrap().contains(PollEvents::POLLOUT));
    // A blocking send waits for SNDTIMEO, then fails the same way.
    push.set_sndtimeo(Some(Duration::from_millis(50))).unwrap();
    let started = Instant::now();
    let err = push.send("blocked", SendFlags::empty()).unwrap_err();
    assert_eq!(err.error(), &Error::WouldBlock);
    assert!(started.elapsed() >= Duration::from_millis(50));

    // Once a peer is there and the connection complete, sends go through.
    let pull = bind_again(&ctx, &endpoint);
    let mut sent = false;
    eventually("the connection to complete", || {
        match push.send("hello", SendFlags::DONTWAIT) {
            Ok(()) => sent = true,
            Err(e) => assert_eq!(e.error(), &Error::WouldBlock),
        }
        sent.then_some(())
    });
    assert_eq!(pull.recv_bytes(RecvFlags::empty()).unwrap(), b"hello");
}

#[test]
fn immediate_sends_only_to_completed_connections() {
    // test_immediate.cpp: a PUSH connected to a dead endpoint and a live one sends
    // everything to the live one with IMMEDIATE; without it, round-robin queues some for
    // the dead one.
    for immediate in [true, false] {
        let ctx = context();
        let dead = free_tcp_endpoint(&ctx);
        let pull = socket(&ctx, SocketType::Pull);
        let live = bind(&pull, Transport::Tcp);
        let push = socket(&ctx, SocketType::Push);
        push.set_immediate(immediate).unwrap();
        push.connect(&dead).unwrap();
        push.connect(&live).unwrap();
        // Wait for the live connection: the first message through proves it.
        eventually("the live connection", || {
            if let Err(e) = push.send("first", SendFlags::DONTWAIT) {
                assert_eq!(e.error(), &Error::WouldBlock);
            }
            try_recv(&pull)
        });
        // Drop any extra "first" that was queued.
        drain(&pull);
        for n in 0..10 {
            push.send(format!("{n}"), SendFlags::DONTWAIT).unwrap();
        }
        let mut received = 0;
        if immediate {
            while received < 10 {
                let msg = pull.recv_string(RecvFlags::empty()).unwrap();
                if msg != "first" {
                    received += 1;
                }
            }
            assert_silent(&pull);
        } else {
            // Every other message waits for the dead peer.
            loop {
                pull.set_rcvtimeo(Some(common::QUIET)).unwrap();
                match pull.recv_string(RecvFlags::empty()) {
                    Ok(msg) if msg == "first" => {}
                    Ok(_) => received += 1,
                    Err(Error::WouldBlock) => break,
                    Err(e) => panic!("receive: {e}"),
                }
            }
            assert_eq!(received, 5, "immediate: {immediate}");
        }
    }
}

#[test]
fn without_immediate_messages_queue_until_the_peer_binds() {
    let ctx = context();
    let endpoint = free_tcp_endpoint(&ctx);
    let push = socket(&ctx, SocketType::Push);
    push.set_reconnect_ivl(Some(Duration::from_millis(20)))
        .unwrap();
    push.connect(&endpoint).unwrap();
    for n in 0..3 {
        push.send(format!("queued {n}"), SendFlags::DONTWAIT)
            .unwrap();
    }
    let pull = bind_again(&ctx, &endpoint);
    for n in 0..3 {
        assert_eq!(
            pull.recv_string(RecvFlags::empty()).unwrap(),
            format!("queued {n}")
        );
    }
}

// --- Unbinding a wildcard (test_unbind_wildcard.cpp) ---

#[test]
fn unbind_a_wildcard_only_through_last_endpoint() {
    let ctx = context();
    let rep = socket(&ctx, SocketType::Rep);
    rep.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = rep.last_endpoint().unwrap();
    assert_ne!(endpoint, "tcp://127.0.0.1:*");

    assert_eq!(
        rep.unbind("tcp://127.0.0.1:*"),
        Err(Error::EndpointNotFound)
    );
    // Still bound: a client gets through.
    let req = socket(&ctx, SocketType::Req);
    req.connect(&endpoint).unwrap();
    req.send("ping", SendFlags::empty()).unwrap();
    assert_eq!(rep.recv_bytes(RecvFlags::empty()).unwrap(), b"ping");
    rep.send("pong", SendFlags::empty()).unwrap();
    assert_eq!(req.recv_bytes(RecvFlags::empty()).unwrap(), b"pong");

    rep.unbind(&endpoint).unwrap();
    assert_eq!(rep.unbind(&endpoint), Err(Error::EndpointNotFound));
    // The port is free again: another socket can bind it.
    let other = bind_again(&ctx, &endpoint);
    assert_eq!(other.last_endpoint().unwrap(), endpoint);
}

// --- Over-long ipc paths ---

/// An ipc path under Cargo's scratch directory exactly `len` bytes long.
fn ipc_path_of_len(len: usize) -> String {
    let dir = env!("CARGO_TARGET_TMPDIR");
    let name = unique_name("long");
    let fixed = dir.len() + 1 + name.len() + ".ipc".len();
    assert!(
        fixed < len,
        "the scratch directory path is too long for this test"
    );
    format!("{dir}/{name}{}.ipc", "x".repeat(len - fixed))
}

#[test]
fn ipc_path_of_108_bytes_is_name_too_long() {
    let ctx = context();
    for len in [108, 109, 200] {
        let path = ipc_path_of_len(len);
        assert_eq!(path.len(), len);
        let pull = socket(&ctx, SocketType::Pull);
        assert_eq!(
            pull.bind(&format!("ipc://{path}")),
            Err(Error::Other(libc::ENAMETOOLONG)),
            "bind {len} bytes"
        );
        let push = socket(&ctx, SocketType::Push);
        assert_eq!(
            push.connect(&format!("ipc://{path}")),
            Err(Error::Other(libc::ENAMETOOLONG)),
            "connect {len} bytes"
        );
        // Nothing was created, not even under a truncated name.
        assert!(!std::path::Path::new(&path).exists());
        assert!(!std::path::Path::new(&path[..107]).exists());
    }
}

#[test]
fn ipc_path_of_107_bytes_works() {
    let ctx = context();
    let path = ipc_path_of_len(107);
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind(&format!("ipc://{path}")).unwrap();
    let push = socket(&ctx, SocketType::Push);
    push.connect(&format!("ipc://{path}")).unwrap();
    push.send("fits", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_bytes(RecvFlags::empty()).unwrap(), b"fits");
    let _ = std::fs::remove_file(&path);
}

// --- MAX_SOCKETS (test_many_sockets.cpp) ---

#[test]
fn max_sockets_refuses_one_more_socket() {
    const N: i32 = 3;
    let ctx = Context::builder()
        .max_sockets(N)
        .linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    assert_eq!(ctx.max_sockets().unwrap(), N);
    let mut sockets: Vec<Socket> = (0..N)
        .map(|n| {
            ctx.socket(SocketType::Pair)
                .unwrap_or_else(|e| panic!("socket {n}: {e}"))
        })
        .collect();
    assert_eq!(
        ctx.socket(SocketType::Pair).unwrap_err(),
        Error::TooManyOpenFiles
    );
    // Closing one makes room for one, once libzmq's reaper has released its slot.
    sockets.pop();
    sockets.push(eventually("a socket slot to be free again", || {
        match ctx.socket(SocketType::Push) {
            Ok(socket) => Some(socket),
            Err(Error::TooManyOpenFiles) => None,
            Err(e) => panic!("socket: {e}"),
        }
    }));
    assert_eq!(
        ctx.socket(SocketType::Pull).unwrap_err(),
        Error::TooManyOpenFiles
    );
}
