//! The DRAFT socket types: SERVER/CLIENT with routing ids, one thread-safe socket shared by
//! several threads, RADIO/DISH groups over tcp and udp, GATHER/SCATTER, PEER, CHANNEL, DGRAM,
//! and the limits on groups and routing ids. Compiled only with the DRAFT API.

#![cfg(zmq_draft)]

mod common;

use std::collections::BTreeSet;
use std::thread;
use std::time::Duration;

use common::{context, eventually, socket, unique_name, TIMEOUT};
use zmq::{
    Context, Error, Message, RecvFlags, SendFlags, SocketType, ThreadSafeSendFlags,
    ThreadSafeSocket, ThreadSafeType,
};

const NO_FLAGS: ThreadSafeSendFlags = ThreadSafeSendFlags::empty();

/// A thread-safe socket whose sends and receives give up after [`TIMEOUT`], linger zero.
fn ts_socket(ctx: &Context, kind: ThreadSafeType) -> ThreadSafeSocket {
    let socket = ctx.thread_safe_socket(kind).expect("create a socket");
    socket.set_rcvtimeo(Some(TIMEOUT)).expect("set RCVTIMEO");
    socket.set_sndtimeo(Some(TIMEOUT)).expect("set SNDTIMEO");
    socket.set_linger(Some(Duration::ZERO)).expect("set LINGER");
    socket
}

/// Binds to any free port of 127.0.0.1 and returns the endpoint bound.
fn bind_tcp(socket: &ThreadSafeSocket) -> String {
    socket.bind("tcp://127.0.0.1:*").expect("bind");
    socket.last_endpoint().expect("read LAST_ENDPOINT")
}

/// `N` different UDP ports of 127.0.0.1 that were free a moment ago (all probed at once, so
/// the operating system cannot hand out one twice).
fn free_udp_ports<const N: usize>() -> [u16; N] {
    let probes: Vec<std::net::UdpSocket> = (0..N)
        .map(|_| std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket"))
        .collect();
    std::array::from_fn(|i| probes[i].local_addr().expect("local address").port())
}

/// Receives one message without waiting: `None` if nothing is queued.
fn try_recv(socket: &ThreadSafeSocket) -> Option<Message> {
    match socket.recv_msg(RecvFlags::DONTWAIT) {
        Ok(msg) => Some(msg),
        Err(Error::WouldBlock) => None,
        Err(e) => panic!("receive failed: {e}"),
    }
}

fn group_message(group: &str, body: &str) -> Message {
    let mut msg = Message::from(body);
    msg.set_group(group).expect("set the group");
    msg
}

#[test]
fn draft_socket_types_have_their_names_and_values() {
    let expected = [
        (SocketType::Server, 12, "SERVER"),
        (SocketType::Client, 13, "CLIENT"),
        (SocketType::Radio, 14, "RADIO"),
        (SocketType::Dish, 15, "DISH"),
        (SocketType::Gather, 16, "GATHER"),
        (SocketType::Scatter, 17, "SCATTER"),
        (SocketType::Dgram, 18, "DGRAM"),
        (SocketType::Peer, 19, "PEER"),
        (SocketType::Channel, 20, "CHANNEL"),
    ];
    assert_eq!(SocketType::DRAFT.len(), expected.len());
    for (kind, (expected_kind, raw, name)) in SocketType::DRAFT.into_iter().zip(expected) {
        assert_eq!(kind, expected_kind);
        assert_eq!(kind.as_raw(), raw);
        assert_eq!(kind.name(), name);
        assert_eq!(kind.to_string(), name);
        assert_eq!(SocketType::from_raw(raw), Some(kind));
        assert_eq!(SocketType::from_name(name), Some(kind));
        assert_eq!(kind.is_thread_safe(), kind != SocketType::Dgram, "{kind}");
        assert!(
            !SocketType::ALL.contains(&kind),
            "ALL stays the stable list"
        );
    }
    for kind in SocketType::ALL {
        assert!(!kind.is_thread_safe(), "{kind}");
    }
    assert_eq!(SocketType::from_raw(21), None);
}

#[test]
fn every_thread_safe_type_makes_a_thread_safe_socket() {
    let ctx = context();
    for kind in ThreadSafeType::ALL {
        assert_eq!(
            ThreadSafeType::from_socket_type(kind.socket_type()),
            Some(kind)
        );
        assert_eq!(SocketType::from(kind), kind.socket_type());
        assert_eq!(kind.to_string(), kind.socket_type().name());
        let socket = ctx.thread_safe_socket(kind).expect("create a socket");
        assert_eq!(
            socket.socket_type().expect("read ZMQ_TYPE"),
            kind.socket_type()
        );
        assert!(
            socket.thread_safe().expect("read ZMQ_THREAD_SAFE"),
            "{kind}"
        );
        assert!(format!("{socket:?}").contains(&format!("{:?}", kind.socket_type())));
    }
    assert_eq!(ThreadSafeType::from_socket_type(SocketType::Dgram), None);
    assert_eq!(ThreadSafeType::from_socket_type(SocketType::Req), None);
}

#[test]
fn thread_safe_socket_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ThreadSafeSocket>();
}

#[test]
fn options_work_on_a_thread_safe_socket() {
    let ctx = context();
    let socket = ctx
        .thread_safe_socket(ThreadSafeType::Client)
        .expect("create a socket");
    socket
        .set_rcvtimeo(Some(Duration::from_millis(250)))
        .expect("set RCVTIMEO");
    assert_eq!(
        socket.rcvtimeo().expect("read RCVTIMEO"),
        Some(Duration::from_millis(250))
    );
    socket.set_sndhwm(7).expect("set SNDHWM");
    assert_eq!(socket.sndhwm().expect("read SNDHWM"), 7);
    assert_eq!(socket.rcvmore(), Ok(false));
    // A thread-safe socket has no file descriptor to wait on: use a Poller.
    assert_eq!(socket.fd(), Err(Error::InvalidArgument));
    // Nothing arrives: the receive times out.
    assert_eq!(socket.recv_msg(RecvFlags::empty()), Err(Error::WouldBlock));
}

#[test]
fn context_defaults_apply_to_thread_safe_sockets() {
    let ctx = Context::builder()
        .linger(Some(Duration::from_millis(42)))
        .build()
        .expect("create a context");
    let socket = ctx
        .thread_safe_socket(ThreadSafeType::Server)
        .expect("create a socket");
    assert_eq!(
        socket.linger().expect("read LINGER"),
        Some(Duration::from_millis(42))
    );
}

#[test]
fn server_replies_to_the_routing_id_of_each_request() {
    let ctx = context();
    let server = ts_socket(&ctx, ThreadSafeType::Server);
    let endpoint = bind_tcp(&server);
    let clients: Vec<ThreadSafeSocket> = (0..3)
        .map(|_| {
            let client = ts_socket(&ctx, ThreadSafeType::Client);
            client.connect(&endpoint).expect("connect");
            client
        })
        .collect();

    for (i, client) in clients.iter().enumerate() {
        client
            .send(format!("request {i}"), NO_FLAGS)
            .expect("send a request");
    }
    let mut request = Message::new();
    let mut routing_ids = BTreeSet::new();
    for _ in 0..clients.len() {
        server
            .recv(&mut request, RecvFlags::empty())
            .expect("receive a request");
        let routing_id = request.routing_id().expect("a request has a routing id");
        routing_ids.insert(routing_id);
        let text = std::str::from_utf8(&request).expect("UTF-8").to_owned();
        let mut reply = Message::from(text.replace("request", "reply"));
        reply
            .set_routing_id(routing_id)
            .expect("set the routing id");
        assert_eq!(reply.routing_id(), Some(routing_id));
        server.send(reply, NO_FLAGS).expect("send the reply");
    }
    assert_eq!(
        routing_ids.len(),
        clients.len(),
        "one routing id per client"
    );
    for (i, client) in clients.iter().enumerate() {
        let reply = client
            .recv_msg(RecvFlags::empty())
            .expect("receive the reply");
        assert_eq!(reply, format!("reply {i}").as_str());
        assert_eq!(reply.routing_id(), None, "a CLIENT receives no routing id");
    }
}

#[test]
fn server_hands_back_a_message_for_an_unknown_routing_id() {
    let ctx = context();
    let server = ts_socket(&ctx, ThreadSafeType::Server);
    bind_tcp(&server);
    let mut msg = Message::from("nobody");
    msg.set_routing_id(12345).expect("set the routing id");
    let error = server.send(msg, NO_FLAGS).expect_err("no such peer");
    assert_eq!(*error.error(), Error::HostUnreachable);
    let unsent = error.into_unsent();
    assert_eq!(unsent, "nobody");
    assert_eq!(unsent.routing_id(), Some(12345));
}

#[test]
fn one_client_shared_by_several_threads_delivers_every_message() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 100;
    let ctx = context();
    let server = ts_socket(&ctx, ThreadSafeType::Server);
    let endpoint = bind_tcp(&server);
    let client = ts_socket(&ctx, ThreadSafeType::Client);
    client.connect(&endpoint).expect("connect");

    let mut received = BTreeSet::new();
    thread::scope(|scope| {
        for t in 0..THREADS {
            let client = &client;
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    client
                        .send(format!("{t}:{i}"), NO_FLAGS)
                        .expect("send from a thread");
                }
            });
        }
        // The server receives on this thread while the others send.
        let mut msg = Message::new();
        for _ in 0..THREADS * PER_THREAD {
            server
                .recv(&mut msg, RecvFlags::empty())
                .expect("receive every message");
            received.insert(String::from_utf8(msg.to_vec()).expect("UTF-8"));
        }
    });
    let expected: BTreeSet<String> = (0..THREADS)
        .flat_map(|t| (0..PER_THREAD).map(move |i| format!("{t}:{i}")))
        .collect();
    assert_eq!(received, expected);
}

#[test]
fn threads_receive_and_send_on_one_socket_at_once() {
    let ctx = context();
    let server = ts_socket(&ctx, ThreadSafeType::Server);
    let endpoint = bind_tcp(&server);
    let client = ts_socket(&ctx, ThreadSafeType::Client);
    client.connect(&endpoint).expect("connect");

    thread::scope(|scope| {
        // A thread blocked receiving on the client does not keep another from sending on it.
        let receiver = scope.spawn(|| client.recv_string(RecvFlags::empty()));
        client.send("ping", NO_FLAGS).expect("send");
        let request = server.recv_msg(RecvFlags::empty()).expect("receive");
        let mut reply = Message::from("pong");
        reply
            .set_routing_id(request.routing_id().expect("a routing id"))
            .expect("set the routing id");
        server.send(reply, NO_FLAGS).expect("reply");
        assert_eq!(
            receiver.join().expect("receiver thread").as_deref(),
            Ok("pong")
        );
    });
}

#[test]
fn shutdown_wakes_a_thread_blocked_on_a_thread_safe_socket() {
    let ctx = context();
    let socket = ctx
        .thread_safe_socket(ThreadSafeType::Gather)
        .expect("create a socket");
    socket.set_rcvtimeo(Some(TIMEOUT)).expect("set RCVTIMEO");
    thread::scope(|scope| {
        let blocked = scope.spawn(|| socket.recv_msg(RecvFlags::empty()));
        thread::sleep(Duration::from_millis(100));
        ctx.shutdown();
        assert_eq!(
            blocked.join().expect("receiver thread").map(|_| ()),
            Err(Error::ContextTerminated)
        );
    });
}

#[test]
fn radio_dish_over_tcp_follows_join_and_leave() {
    let ctx = context();
    let radio = ts_socket(&ctx, ThreadSafeType::Radio);
    let endpoint = bind_tcp(&radio);
    let dish = ts_socket(&ctx, ThreadSafeType::Dish);
    dish.join("Movies").expect("join");
    dish.connect(&endpoint).expect("connect");

    // The join travels to the radio after the connection is up: publish until it arrives.
    // A group the dish did not join is never delivered.
    let first = eventually("the first Movies message", || {
        radio
            .send(group_message("TV", "Friends"), NO_FLAGS)
            .expect("send TV");
        radio
            .send(group_message("Movies", "Godfather"), NO_FLAGS)
            .expect("send Movies");
        try_recv(&dish)
    });
    assert_eq!(first.group(), Some("Movies"));
    assert_eq!(first, "Godfather");

    dish.join("TV").expect("join TV");
    let tv = eventually("a TV message after joining", || {
        radio
            .send(group_message("TV", "Friends"), NO_FLAGS)
            .expect("send TV");
        try_recv(&dish).filter(|msg| msg.group() == Some("TV"))
    });
    assert_eq!(tv, "Friends");

    // After leaving, the dish drops the group's messages even if they are already queued.
    dish.leave("TV").expect("leave TV");
    radio
        .send(group_message("TV", "Friends"), NO_FLAGS)
        .expect("send TV");
    radio
        .send(group_message("Movies", "Alien"), NO_FLAGS)
        .expect("send Movies");
    loop {
        let msg = dish.recv_msg(RecvFlags::empty()).expect("receive");
        assert_eq!(msg.group(), Some("Movies"), "left TV: {msg:?}");
        if msg == "Alien" {
            break;
        }
    }
    assert_eq!(dish.leave("TV"), Err(Error::InvalidArgument), "not joined");
}

#[test]
fn radio_dish_over_udp() {
    let ctx = context();
    let [port] = free_udp_ports();
    let dish = ts_socket(&ctx, ThreadSafeType::Dish);
    dish.bind(&format!("udp://127.0.0.1:{port}"))
        .expect("bind udp");
    dish.join("weather").expect("join");
    let radio = ts_socket(&ctx, ThreadSafeType::Radio);
    radio
        .connect(&format!("udp://127.0.0.1:{port}"))
        .expect("connect udp");

    let msg = eventually("a datagram", || {
        radio
            .send(group_message("news", "ignored"), NO_FLAGS)
            .expect("send news");
        radio
            .send(group_message("weather", "sunny"), NO_FLAGS)
            .expect("send weather");
        try_recv(&dish)
    });
    assert_eq!(msg.group(), Some("weather"));
    assert_eq!(msg, "sunny");
}

#[test]
fn gather_receives_what_scatter_sends() {
    let ctx = context();
    let gather = ts_socket(&ctx, ThreadSafeType::Gather);
    let endpoint = format!("ipc://{}", common::ipc_path("gather"));
    gather.bind(&endpoint).expect("bind");
    let scatter = ts_socket(&ctx, ThreadSafeType::Scatter);
    scatter.connect(&endpoint).expect("connect");

    for i in 0..10 {
        scatter.send(vec![i as u8; 100], NO_FLAGS).expect("send");
    }
    let mut msg = Message::new();
    for i in 0..10 {
        gather.recv(&mut msg, RecvFlags::empty()).expect("receive");
        assert_eq!(&msg[..], &[i as u8; 100][..]);
        assert!(!msg.more());
    }
    // SCATTER cannot receive, GATHER cannot send.
    assert_eq!(
        scatter.recv_msg(RecvFlags::DONTWAIT).map(drop),
        Err(Error::NotSupported)
    );
    assert_eq!(
        gather.send("x", NO_FLAGS).map_err(|e| e.error().clone()),
        Err(Error::NotSupported)
    );
}

#[test]
fn peers_address_each_other_by_routing_id() {
    let ctx = context();
    let bound = ts_socket(&ctx, ThreadSafeType::Peer);
    let endpoint = bind_tcp(&bound);
    let connecting = ts_socket(&ctx, ThreadSafeType::Peer);
    let peer_id = connecting.connect_peer(&endpoint).expect("connect_peer");
    assert_ne!(peer_id, 0);

    let mut hello = Message::from("hello");
    hello.set_routing_id(peer_id).expect("set the routing id");
    // The connection may not be up yet: retry while the peer is unreachable.
    let mut pending = Some(hello);
    eventually("the connection to the peer", || {
        let msg = pending.take()?;
        match connecting.send(msg, NO_FLAGS) {
            Ok(()) => Some(()),
            Err(e) if *e.error() == Error::HostUnreachable => {
                pending = Some(e.into_unsent());
                None
            }
            Err(e) => panic!("send: {}", e.error()),
        }
    });

    let request = bound.recv_msg(RecvFlags::empty()).expect("receive");
    assert_eq!(request, "hello");
    let back_id = request.routing_id().expect("the sender's routing id");
    let mut reply = Message::from("welcome");
    reply.set_routing_id(back_id).expect("set the routing id");
    bound.send(reply, NO_FLAGS).expect("reply");

    let reply = connecting.recv_msg(RecvFlags::empty()).expect("receive");
    assert_eq!(reply, "welcome");
    assert_eq!(reply.routing_id(), Some(peer_id));
}

#[test]
fn channels_talk_both_ways() {
    let ctx = context();
    let a = ts_socket(&ctx, ThreadSafeType::Channel);
    let endpoint = format!("ipc://{}", common::ipc_path("channel"));
    a.bind(&endpoint).expect("bind");
    let b = ts_socket(&ctx, ThreadSafeType::Channel);
    b.connect(&endpoint).expect("connect");

    a.send("ping", NO_FLAGS).expect("send");
    assert_eq!(b.recv_string(RecvFlags::empty()).as_deref(), Ok("ping"));
    b.send(Message::from("pong"), NO_FLAGS).expect("send");
    assert_eq!(
        a.recv_bytes(RecvFlags::empty()).as_deref(),
        Ok(&b"pong"[..])
    );

    // recv_into reports the full size of a message larger than the buffer.
    a.send(&b"0123456789"[..], NO_FLAGS).expect("send");
    let mut buf = [0u8; 4];
    assert_eq!(b.recv_into(&mut buf, RecvFlags::empty()), Ok(10));
    assert_eq!(&buf, b"0123");
}

#[test]
fn dgram_round_trip_with_the_address_frame() {
    let ctx = context();
    let [listener_port, sender_port] = free_udp_ports();
    let listener = socket(&ctx, SocketType::Dgram);
    listener
        .bind(&format!("udp://127.0.0.1:{listener_port}"))
        .expect("bind the listener");
    let sender = socket(&ctx, SocketType::Dgram);
    sender
        .bind(&format!("udp://127.0.0.1:{sender_port}"))
        .expect("bind the sender");
    assert_eq!(sender.socket_type(), Ok(SocketType::Dgram));
    assert_eq!(sender.thread_safe(), Ok(false));

    let listener_address = format!("127.0.0.1:{listener_port}");
    sender
        .send_multipart([listener_address.as_str(), "question"], SendFlags::empty())
        .expect("send a datagram");
    let datagram = listener
        .recv_multipart(RecvFlags::empty())
        .expect("receive a datagram");
    assert_eq!(datagram.len(), 2);
    // libzmq puts the address in the frame as a C string, with its terminating NUL.
    assert_eq!(datagram[0], format!("127.0.0.1:{sender_port}\0").as_str());
    assert_eq!(datagram[1], "question");

    // Reply to the address that came with the datagram.
    listener
        .send_multipart([&datagram[0], &Message::from("answer")], SendFlags::empty())
        .expect("reply");
    let reply = sender
        .recv_multipart(RecvFlags::empty())
        .expect("receive the reply");
    assert_eq!(reply[0], format!("{listener_address}\0").as_str());
    assert_eq!(reply[1], "answer");
}

#[test]
fn groups_are_limited_to_255_bytes_without_nul() {
    let mut msg = Message::from("body");
    assert_eq!(msg.group(), None);
    assert_eq!(msg.group_bytes(), None);

    let longest = "g".repeat(255);
    msg.set_group(&longest).expect("255 bytes is allowed");
    assert_eq!(msg.group(), Some(longest.as_str()));
    // Replacing a long group (libzmq keeps it outside the message) by a short one, a long
    // one, and a short one by a short one; the bytes and the routing id stay.
    msg.set_routing_id(7).expect("set the routing id");
    msg.set_group("fourteen bytes").expect("a 14-byte group");
    assert_eq!(msg.group(), Some("fourteen bytes"));
    msg.set_group(&"h".repeat(100)).expect("a long group");
    msg.set_group(&"i".repeat(15)).expect("another long group");
    assert_eq!(msg.group(), Some("i".repeat(15).as_str()));
    msg.set_group("short").expect("a short group");
    assert_eq!(msg.group(), Some("short"));
    assert_eq!(msg, "body");
    assert_eq!(msg.routing_id(), Some(7));

    assert_eq!(msg.set_group(&"g".repeat(256)), Err(Error::InvalidArgument));
    assert_eq!(
        msg.set_group("bad\0group"),
        Err(Error::InteriorNul { position: 3 })
    );
    assert_eq!(
        msg.group(),
        Some("short"),
        "a refused group changes nothing"
    );

    let ctx = context();
    let dish = ctx
        .thread_safe_socket(ThreadSafeType::Dish)
        .expect("create a dish");
    assert_eq!(dish.join(&"g".repeat(256)), Err(Error::InvalidArgument));
    assert_eq!(dish.join("a\0b"), Err(Error::InteriorNul { position: 1 }));
    dish.join(&longest).expect("join a 255-byte group");
    assert_eq!(dish.join(&longest), Err(Error::InvalidArgument), "twice");
}

#[test]
fn routing_id_zero_means_none() {
    let mut msg = Message::from("x");
    assert_eq!(msg.routing_id(), None);
    assert_eq!(msg.set_routing_id(0), Err(Error::InvalidArgument));
    msg.set_routing_id(u32::MAX).expect("any non-zero id");
    assert_eq!(msg.routing_id(), Some(u32::MAX));
    // A clone keeps the routing id and the group.
    msg.set_group("g").expect("set the group");
    let copy = msg.clone();
    assert_eq!(copy.routing_id(), Some(u32::MAX));
    assert_eq!(copy.group(), Some("g"));
}

#[test]
fn join_and_connect_peer_belong_to_their_socket_types() {
    let ctx = context();
    let client = ctx
        .thread_safe_socket(ThreadSafeType::Client)
        .expect("create a client");
    assert_eq!(client.join("g"), Err(Error::NotSupported));
    assert_eq!(client.leave("g"), Err(Error::NotSupported));
    assert_eq!(
        client.connect_peer("tcp://127.0.0.1:5555"),
        Err(Error::NotSupported)
    );
    let peer = ctx
        .thread_safe_socket(ThreadSafeType::Peer)
        .expect("create a peer");
    assert_eq!(
        peer.connect_peer("tcp://127.0.0.1:70000"),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        peer.connect_peer("tcp://127.0.0.1:1\0"),
        Err(Error::InteriorNul { position: 17 })
    );
}

#[test]
fn dontwait_on_an_empty_thread_safe_socket_would_block() {
    let ctx = context();
    let client = ts_socket(&ctx, ThreadSafeType::Client);
    assert_eq!(
        client.recv_msg(RecvFlags::DONTWAIT).map(drop),
        Err(Error::WouldBlock)
    );
    // No server connected: a CLIENT cannot send without waiting.
    let error = client
        .send("queued nowhere", ThreadSafeSendFlags::DONTWAIT)
        .expect_err("no peer");
    assert_eq!(*error.error(), Error::WouldBlock);
    assert_eq!(error.into_unsent(), "queued nowhere");
}

#[test]
fn a_poller_watches_thread_safe_and_plain_sockets() {
    let ctx = context();
    let server = ts_socket(&ctx, ThreadSafeType::Server);
    let endpoint = bind_tcp(&server);
    let client = ts_socket(&ctx, ThreadSafeType::Client);
    client.connect(&endpoint).expect("connect");
    let pull = socket(&ctx, SocketType::Pull);

    let mut poller = zmq::Poller::new().expect("create a poller");
    poller
        .add(&server, zmq::PollEvents::POLLIN, "server")
        .expect("add the server");
    poller
        .add(&pull, zmq::PollEvents::POLLIN, "pull")
        .expect("add a plain socket");
    assert_eq!(
        poller
            .wait(Some(Duration::from_millis(50)))
            .map(|e| *e.data()),
        Err(Error::WouldBlock)
    );

    client.send("wake up", NO_FLAGS).expect("send");
    let event = poller.wait(Some(TIMEOUT)).expect("an event");
    assert_eq!(event.data(), &"server");
    assert!(event.is_readable());
    assert_eq!(
        server.recv_string(RecvFlags::DONTWAIT).as_deref(),
        Ok("wake up")
    );

    poller
        .modify(&server, zmq::PollEvents::POLLOUT)
        .expect("modify");
    assert_eq!(poller.remove(&server), Ok("server"));
    assert_eq!(poller.remove(&server), Err(Error::InvalidArgument));
}

#[test]
fn application_metadata_reaches_the_peer() {
    let ctx = context();
    let router = socket(&ctx, SocketType::Router);
    router.bind("tcp://127.0.0.1:*").unwrap();
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer.set_metadata("X-Service:weather").unwrap();
    dealer.set_metadata("X-Region:north").unwrap();
    dealer.connect(&router.last_endpoint().unwrap()).unwrap();
    dealer.send("hello", SendFlags::empty()).unwrap();
    let parts = router.recv_multipart(RecvFlags::empty()).unwrap();
    let body = &parts[1];
    assert_eq!(body.gets("X-Service"), Some("weather"));
    assert_eq!(body.gets("X-Region"), Some("north"));
    assert_eq!(body.gets("X-Missing"), None);
    // Only application properties may be set, and they must name a value.
    assert_eq!(
        dealer.set_metadata("Service:weather"),
        Err(zmq::Error::InvalidArgument)
    );
}

/// Two thread-safe sockets talking over inproc deadlock inside libzmq (libzmq#3048: each
/// holds its own lock while taking the other's; scripts/races shows it in C): the crate
/// refuses inproc for every thread-safe type, whichever handle holds the socket, and leaves
/// the other transports and the other types alone.
#[test]
fn thread_safe_types_refuse_inproc() {
    let ctx = context();
    for kind in ThreadSafeType::ALL {
        let name = format!("inproc://{}", unique_name("refused"));
        let shared = ts_socket(&ctx, kind);
        let plain = socket(&ctx, kind.socket_type());
        let refused = Err(Error::IncompatibleProtocol);
        for (handle, bind, connect) in [
            (
                "ThreadSafeSocket",
                shared.bind(&name),
                shared.connect(&name),
            ),
            ("Socket", plain.bind(&name), plain.connect(&name)),
        ] {
            assert_eq!((&bind, &connect), (&refused, &refused), "{kind:?} {handle}");
        }
        if kind == ThreadSafeType::Peer {
            assert_eq!(shared.connect_peer(&name), Err(Error::IncompatibleProtocol));
        }
        // Nothing was left waiting for the name: a PAIR binds it and nobody connects.
        let pair = socket(&ctx, SocketType::Pair);
        pair.bind(&name).expect("the name is free");
        assert_eq!(
            pair.recv_msg(RecvFlags::DONTWAIT).map(drop),
            Err(Error::WouldBlock)
        );
        bind_tcp(&shared);
    }
}
