//! The messaging patterns end to end, each over inproc, ipc and tcp; receiving in its
//! several forms; endpoints; socket and context options; the library's version and
//! capabilities.

mod common;

use std::thread;
use std::time::Duration;

use common::{assert_silent, bind, connected, context, eventually, socket, try_recv, Transport};
use zmq::{Context, Error, Message, Multipart, RecvFlags, SendFlags, Socket, SocketType};

/// Generates, for each named `fn(Transport)`, a module of the same name with one test per
/// transport, so a failure names the transport (`req_rep::ipc`).
macro_rules! per_transport {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::common::Transport;

            #[test]
            fn inproc() {
                super::$name(Transport::Inproc)
            }

            #[test]
            fn ipc() {
                super::$name(Transport::Ipc)
            }

            #[test]
            fn tcp() {
                super::$name(Transport::Tcp)
            }
        }
    )*};
}

per_transport!(
    req_rep,
    pub_sub_filters_by_prefix,
    push_pull_delivers_in_order,
    push_load_balances_over_pulls,
    dealer_router_addresses_by_routing_id,
    pair_both_directions,
    multipart_is_atomic,
    recv_into_reports_full_size,
    recv_string_keeps_invalid_utf8,
    recv_reuses_one_message,
    unbind_stops_new_connections,
    disconnect_removes_the_peer,
);

const NON_UTF8: &[u8] = &[0xff, 0x00, 0xfe, 0x80, b'a', 0xc3];

fn req_rep(transport: Transport) {
    let ctx = context();
    let (rep, req) = connected(&ctx, SocketType::Rep, SocketType::Req, transport);
    let large = vec![b'x'; 5000];
    let requests: [&[u8]; 5] = [b"hello", b"", NON_UTF8, &large, b"bye"];
    for request in requests {
        req.send(request, SendFlags::empty()).unwrap();
        let received = rep.recv_msg(RecvFlags::empty()).unwrap();
        assert_eq!(&received[..], request);
        assert!(!received.more());

        // The reply is the request reversed: empty for the empty request, non-UTF-8 for it.
        let reply: Vec<u8> = request.iter().rev().copied().collect();
        rep.send(reply.clone(), SendFlags::empty()).unwrap();
        assert_eq!(req.recv_bytes(RecvFlags::empty()).unwrap(), reply);
    }
}

fn pub_sub_filters_by_prefix(transport: Transport) {
    let ctx = context();
    let (publisher, subscriber) = connected(&ctx, SocketType::Pub, SocketType::Sub, transport);
    subscriber.set_subscribe(b"weather").unwrap();

    // Receives what is queued, checking that no unsubscribed topic ever gets through.
    let drain = |allowed: &[&str]| -> Vec<String> {
        std::iter::from_fn(|| try_recv(&subscriber))
            .map(|msg| String::from_utf8(msg.to_vec()).unwrap())
            .inspect(|text| {
                assert!(
                    allowed.iter().any(|topic| text.starts_with(topic)),
                    "received {text:?}, subscribed only to {allowed:?}"
                )
            })
            .collect()
    };

    // Slow joiner: what is published before the subscription reaches the publisher is lost,
    // so keep publishing until a few updates got through.
    let mut weather = Vec::new();
    let mut n = 0;
    eventually("three weather updates", || {
        publisher
            .send(format!("weather {n}"), SendFlags::empty())
            .unwrap();
        publisher
            .send(format!("sports {n}"), SendFlags::empty())
            .unwrap();
        n += 1;
        weather.extend(drain(&["weather"]));
        (weather.len() >= 3).then_some(())
    });
    let numbers: Vec<u32> = weather
        .iter()
        .map(|text| text["weather ".len()..].parse().unwrap())
        .collect();
    assert!(numbers.is_sorted(), "out of order: {weather:?}");
    // Flush what is still on its way, then listen for a while: no sports.
    publisher.send("sports last", SendFlags::empty()).unwrap();
    publisher.send("weather last", SendFlags::empty()).unwrap();
    receive_until(&subscriber, "weather last", "weather");
    assert_silent(&subscriber);

    // Subscription changes reach the publisher in order, so once a marker arrives the
    // unsubscription has too. The SUB also filters what is already queued: from here on,
    // no weather at all.
    subscriber.set_unsubscribe(b"weather").unwrap();
    subscriber.set_subscribe(b"marker").unwrap();
    eventually("a marker after unsubscribing", || {
        for topic in ["weather", "sports", "marker"] {
            publisher.send(topic, SendFlags::empty()).unwrap();
        }
        (!drain(&["marker"]).is_empty()).then_some(())
    });
    for _ in 0..10 {
        publisher.send("weather late", SendFlags::empty()).unwrap();
    }
    publisher.send("marker end", SendFlags::empty()).unwrap();
    receive_until(&subscriber, "marker end", "marker");
}

/// Receives until `last`, asserting every message received starts with `prefix`.
fn receive_until(subscriber: &Socket, last: &str, prefix: &str) {
    loop {
        let text = subscriber.recv_string(RecvFlags::empty()).unwrap();
        assert!(
            text.starts_with(prefix),
            "received {text:?}, expected only {prefix:?}"
        );
        if text == last {
            return;
        }
    }
}

fn push_pull_delivers_in_order(transport: Transport) {
    const COUNT: u32 = 1000;
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, transport);
    // The pusher is handed back so that it (and its linger of zero) outlives the receiving.
    let sender = thread::spawn(move || {
        for i in 0..COUNT {
            push.send(&i.to_be_bytes(), SendFlags::empty()).unwrap();
        }
        push
    });
    for i in 0..COUNT {
        let msg = pull.recv_msg(RecvFlags::empty()).unwrap();
        assert_eq!(&msg[..], i.to_be_bytes(), "message {i}");
    }
    let _push = sender.join().expect("sender thread");
    assert_silent(&pull);
}

fn push_load_balances_over_pulls(transport: Transport) {
    const COUNT: u32 = 100;
    let ctx = context();
    let pulls = [
        socket(&ctx, SocketType::Pull),
        socket(&ctx, SocketType::Pull),
    ];
    let push = socket(&ctx, SocketType::Push);
    // Connecting (not binding) gives the PUSH both pipes at once, before any handshake, so
    // both PULLs are there before the first send.
    for pull in &pulls {
        push.connect(&bind(pull, transport)).unwrap();
    }
    for i in 0..COUNT {
        push.send(&i.to_be_bytes(), SendFlags::empty()).unwrap();
    }

    let mut shares = [Vec::new(), Vec::new()];
    eventually("every message", || {
        for (pull, share) in pulls.iter().zip(&mut shares) {
            while let Some(msg) = try_recv(pull) {
                share.push(u32::from_be_bytes(msg[..].try_into().unwrap()));
            }
        }
        (shares.iter().map(Vec::len).sum::<usize>() >= COUNT as usize).then_some(())
    });
    for share in &shares {
        assert!(!share.is_empty(), "a PULL got nothing: {shares:?}");
        assert!(share.is_sorted(), "out of order: {share:?}");
    }
    let mut all: Vec<u32> = shares.concat();
    all.sort_unstable();
    assert_eq!(all, (0..COUNT).collect::<Vec<_>>());
    pulls.iter().for_each(assert_silent);
}

fn dealer_router_addresses_by_routing_id(transport: Transport) {
    let ctx = context();
    let router = socket(&ctx, SocketType::Router);
    let endpoint = bind(&router, transport);
    let dealers: Vec<(&str, Socket)> = ["dealer-1", "dealer-2"]
        .into_iter()
        .map(|id| {
            let dealer = socket(&ctx, SocketType::Dealer);
            dealer.set_routing_id(id.as_bytes()).unwrap();
            dealer.connect(&endpoint).unwrap();
            (id, dealer)
        })
        .collect();

    // Each dealer sends a request in REQ's format: an empty delimiter, then the body.
    for (id, dealer) in &dealers {
        dealer
            .send_multipart(["", "hello from", *id], SendFlags::empty())
            .unwrap();
    }
    for _ in &dealers {
        let request = router.recv_multipart(RecvFlags::empty()).unwrap();
        assert_eq!(request.len(), 4, "{request:?}");
        let id = std::str::from_utf8(&request[0]).unwrap().to_owned();
        assert!(id == "dealer-1" || id == "dealer-2", "routing id {id:?}");
        assert_eq!(request.envelope(), Some(&[Message::from(&id)][..]));
        assert_eq!(
            request.body(),
            [Message::from("hello from"), Message::from(&id)]
        );

        let (envelope, body) = request.split_envelope();
        assert_eq!(envelope, [Message::from(&id)]);
        assert_eq!(body, [Message::from("hello from"), Message::from(&id)]);

        // Reply by putting the routing id (and the delimiter) back in front.
        let reply = envelope
            .into_iter()
            .chain([Message::new(), Message::from(format!("reply to {id}"))]);
        router.send_multipart(reply, SendFlags::empty()).unwrap();
    }

    // Each reply reached the dealer it was addressed to.
    for (id, dealer) in &dealers {
        let reply = dealer.recv_multipart(RecvFlags::empty()).unwrap();
        assert_eq!(reply.len(), 2, "{reply:?}");
        assert_eq!(reply.envelope(), Some(&[][..]));
        assert_eq!(reply.body(), [Message::from(format!("reply to {id}"))]);
        assert_silent(dealer);
    }

    // The envelope ends at the first empty frame; without one, everything is body.
    let (id, dealer) = &dealers[0];
    type Frames<'a> = &'a [&'a str];
    // What the dealer sends, then the envelope and body of what the router receives.
    let cases: [(Frames, Option<Frames>, Frames); 3] = [
        (&["hop", "", "body"], Some(&[id, "hop"]), &["body"]),
        (&["", ""], Some(&[id]), &[""]),
        (&["no", "delimiter"], None, &[id, "no", "delimiter"]),
    ];
    let to_messages = |frames: &[&str]| {
        frames
            .iter()
            .copied()
            .map(Message::from)
            .collect::<Vec<_>>()
    };
    for (sent, envelope, body) in cases {
        dealer
            .send_multipart(sent.iter().copied(), SendFlags::empty())
            .unwrap();
        let request = router.recv_multipart(RecvFlags::empty()).unwrap();
        let (envelope, body) = (envelope.map(to_messages), to_messages(body));
        assert_eq!(request.envelope(), envelope.as_deref(), "{sent:?}");
        assert_eq!(request.body(), body, "{sent:?}");
        assert_eq!(
            request.split_envelope(),
            (envelope.unwrap_or_default(), body),
            "{sent:?}"
        );
    }
}

fn pair_both_directions(transport: Transport) {
    let ctx = context();
    let (a, b) = connected(&ctx, SocketType::Pair, SocketType::Pair, transport);
    for round in 0..3 {
        a.send(format!("ping {round}"), SendFlags::empty()).unwrap();
        assert_eq!(
            b.recv_string(RecvFlags::empty()).unwrap(),
            format!("ping {round}")
        );
        b.send(format!("pong {round}"), SendFlags::empty()).unwrap();
        assert_eq!(
            a.recv_string(RecvFlags::empty()).unwrap(),
            format!("pong {round}")
        );
    }
    assert_silent(&a);
    assert_silent(&b);
}

/// Asserts that `parts` holds exactly `expected`, with `more()` set on all but the last frame.
fn assert_frames(parts: &Multipart, expected: &[&[u8]]) {
    let frames: Vec<&[u8]> = parts.iter().map(|frame| &frame[..]).collect();
    assert_eq!(frames, expected);
    for (index, frame) in parts.iter().enumerate() {
        assert_eq!(
            frame.more(),
            index + 1 < parts.len(),
            "more() of frame {index}"
        );
    }
}

fn multipart_is_atomic(transport: Transport) {
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, transport);

    // An empty socket: nothing, and nothing half-received either.
    assert_eq!(
        pull.recv_multipart(RecvFlags::DONTWAIT),
        Err(Error::WouldBlock)
    );
    assert!(!pull.rcvmore().unwrap());

    let large = vec![7u8; 300];
    let frames: Vec<Message> = vec![
        vec![1u8, 2, 3].into(),
        "two".into(),
        Message::new(),
        Message::from(NON_UTF8),
        large.clone().into(),
    ];
    push.send_multipart(frames, SendFlags::empty()).unwrap();
    let parts = pull.recv_multipart(RecvFlags::empty()).unwrap();
    assert_frames(&parts, &[&[1, 2, 3], b"two", b"", NON_UTF8, &large]);
    assert!(!pull.rcvmore().unwrap());

    // Iterators of any one convertible type.
    push.send_multipart(["a", "b"], SendFlags::empty()).unwrap();
    push.send_multipart(vec![b"only".to_vec()], SendFlags::empty())
        .unwrap();
    assert_frames(
        &pull.recv_multipart(RecvFlags::empty()).unwrap(),
        &[b"a", b"b"],
    );
    assert_frames(
        &pull.recv_multipart(RecvFlags::empty()).unwrap(),
        &[b"only"],
    );

    // A non-blocking receive gets a whole message or nothing.
    push.send_multipart(["x", "y", "z"], SendFlags::empty())
        .unwrap();
    let parts = eventually("a three-frame message", || {
        match pull.recv_multipart(RecvFlags::DONTWAIT) {
            Ok(parts) => Some(parts),
            Err(Error::WouldBlock) => None,
            Err(e) => panic!("recv_multipart: {e}"),
        }
    });
    assert_frames(&parts, &[b"x", b"y", b"z"]);
    assert_eq!(
        pull.recv_multipart(RecvFlags::DONTWAIT),
        Err(Error::WouldBlock)
    );
}

fn recv_into_reports_full_size(transport: Transport) {
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, transport);
    for data in [&b"0123456789"[..], b"abc", b"four", b""] {
        push.send(data, SendFlags::empty()).unwrap();
        let mut buf = [b'-'; 4];
        let size = pull.recv_into(&mut buf, RecvFlags::empty()).unwrap();
        assert_eq!(size, data.len(), "size of {data:?}");
        let kept = data.len().min(buf.len());
        assert_eq!(&buf[..kept], &data[..kept], "prefix of {data:?}");
        assert!(
            buf[kept..].iter().all(|&b| b == b'-'),
            "wrote past the frame"
        );
    }
}

fn recv_string_keeps_invalid_utf8(transport: Transport) {
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, transport);
    push.send(NON_UTF8, SendFlags::empty()).unwrap();
    push.send("valid ü", SendFlags::empty()).unwrap();
    match pull.recv_string(RecvFlags::empty()) {
        Err(Error::InvalidUtf8(e)) => assert_eq!(e.into_bytes(), NON_UTF8),
        other => panic!("expected InvalidUtf8, got {other:?}"),
    }
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "valid ü");
}

fn recv_reuses_one_message(transport: Transport) {
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, transport);
    let long = vec![b'L'; 1000];
    let singles: [&[u8]; 5] = [&long, b"short", b"", NON_UTF8, &long[..40]];
    for data in singles {
        push.send(data, SendFlags::empty()).unwrap();
    }
    push.send_multipart(["first", "second"], SendFlags::empty())
        .unwrap();

    let mut msg = Message::new();
    for data in singles {
        pull.recv(&mut msg, RecvFlags::empty()).unwrap();
        assert_eq!(&msg[..], data);
        assert!(!msg.more());
    }
    pull.recv(&mut msg, RecvFlags::empty()).unwrap();
    assert_eq!((&msg[..], msg.more()), (&b"first"[..], true));
    pull.recv(&mut msg, RecvFlags::empty()).unwrap();
    assert_eq!((&msg[..], msg.more()), (&b"second"[..], false));

    // A failed receive leaves a usable message behind.
    assert_eq!(
        pull.recv(&mut msg, RecvFlags::DONTWAIT),
        Err(Error::WouldBlock)
    );
    push.send("again", SendFlags::empty()).unwrap();
    pull.recv(&mut msg, RecvFlags::empty()).unwrap();
    assert_eq!(&msg[..], b"again");
}

/// Sends `text` on a new PUSH connected to `endpoint`, which is returned (with its queue).
fn push_to(ctx: &Context, endpoint: &str, text: &str) -> Socket {
    let push = socket(ctx, SocketType::Push);
    push.connect(endpoint).unwrap();
    push.send(text, SendFlags::empty()).unwrap();
    push
}

fn unbind_stops_new_connections(transport: Transport) {
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    let endpoint = bind(&pull, transport);
    let _before = push_to(&ctx, &endpoint, "before");
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "before");

    pull.unbind(&endpoint).unwrap();
    let _after = push_to(&ctx, &endpoint, "after");
    assert_silent(&pull);
    assert_eq!(pull.unbind(&endpoint), Err(Error::EndpointNotFound));
}

fn disconnect_removes_the_peer(transport: Transport) {
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    let endpoint = bind(&pull, transport);
    let push = push_to(&ctx, &endpoint, "connected");
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "connected");

    push.disconnect(&endpoint).unwrap();
    // The PUSH has no peer left: a send cannot be queued anywhere.
    let unsent = push.send("disconnected", SendFlags::DONTWAIT).unwrap_err();
    assert_eq!(unsent.error(), &Error::WouldBlock);
    assert_silent(&pull);
    assert_eq!(push.disconnect(&endpoint), Err(Error::EndpointNotFound));
}

#[test]
fn last_endpoint_resolves_a_wildcard_port() {
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let resolved = pull.last_endpoint().unwrap();
    let port = resolved
        .strip_prefix("tcp://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected endpoint {resolved}"));
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| panic!("port of {resolved}"));
    assert!(port > 0);

    let push = push_to(&ctx, &resolved, "over the resolved port");
    assert_eq!(
        pull.recv_string(RecvFlags::empty()).unwrap(),
        "over the resolved port"
    );
    assert_eq!(push.last_endpoint().unwrap(), resolved);
}

#[test]
fn socket_option_defaults_are_libzmqs() {
    let ctx = Context::new().unwrap();
    let socket = ctx.socket(SocketType::Dealer).unwrap();
    assert_eq!(socket.linger().unwrap(), None);
    assert_eq!(socket.sndhwm().unwrap(), 1000);
    assert_eq!(socket.rcvhwm().unwrap(), 1000);
    assert_eq!(socket.rcvtimeo().unwrap(), None);
    assert_eq!(socket.sndtimeo().unwrap(), None);
    assert_eq!(socket.routing_id().unwrap(), b"");
    assert!(!socket.immediate().unwrap());
    assert_eq!(
        socket.reconnect_ivl().unwrap(),
        Some(Duration::from_millis(100))
    );
    assert_eq!(socket.maxmsgsize().unwrap(), None);
    assert!(!socket.rcvmore().unwrap());
}

#[test]
fn socket_options_round_trip() {
    let ctx = context();
    let socket = socket(&ctx, SocketType::Dealer);
    let millis = [
        None,
        Some(Duration::ZERO),
        Some(Duration::from_millis(1234)),
    ];
    for value in millis {
        socket.set_linger(value).unwrap();
        assert_eq!(socket.linger().unwrap(), value);
        socket.set_rcvtimeo(value).unwrap();
        assert_eq!(socket.rcvtimeo().unwrap(), value);
        socket.set_sndtimeo(value).unwrap();
        assert_eq!(socket.sndtimeo().unwrap(), value);
        socket.set_reconnect_ivl(value).unwrap();
        assert_eq!(socket.reconnect_ivl().unwrap(), value);
    }
    for hwm in [0, 1, 42, 100_000] {
        socket.set_sndhwm(hwm).unwrap();
        assert_eq!(socket.sndhwm().unwrap(), hwm);
        socket.set_rcvhwm(hwm + 1).unwrap();
        assert_eq!(socket.rcvhwm().unwrap(), hwm + 1);
    }
    for limit in [Some(0), Some(4096), Some(i64::MAX as u64), None] {
        socket.set_maxmsgsize(limit).unwrap();
        assert_eq!(socket.maxmsgsize().unwrap(), limit);
    }
    // libzmq's limit is an int64_t.
    assert_eq!(
        socket.set_maxmsgsize(Some(i64::MAX as u64 + 1)),
        Err(Error::InvalidArgument)
    );
    for immediate in [true, false] {
        socket.set_immediate(immediate).unwrap();
        assert_eq!(socket.immediate().unwrap(), immediate);
    }
    let long_id = [b'i'; 255];
    for id in [&b"dealer-1"[..], b"a\0b\xff", &long_id] {
        socket.set_routing_id(id).unwrap();
        assert_eq!(socket.routing_id().unwrap(), id);
    }
    assert!(!socket.rcvmore().unwrap());
}

#[test]
fn millisecond_options_round_up_and_refuse_overflow() {
    let ctx = context();
    let socket = socket(&ctx, SocketType::Pull);
    let ms = Duration::from_millis;
    let rounded = [
        (Duration::from_nanos(1), ms(1)),
        (Duration::from_micros(999), ms(1)),
        (Duration::from_micros(1001), ms(2)),
        (ms(i32::MAX as u64), ms(i32::MAX as u64)),
    ];
    for (value, expected) in rounded {
        socket.set_rcvtimeo(Some(value)).unwrap();
        assert_eq!(socket.rcvtimeo().unwrap(), Some(expected), "{value:?}");
    }

    socket.set_linger(Some(ms(7))).unwrap();
    let too_large = [
        ms(i32::MAX as u64 + 1),
        Duration::from_nanos(i32::MAX as u64 * 1_000_000 + 1),
        Duration::MAX,
    ];
    for value in too_large {
        assert_eq!(
            socket.set_linger(Some(value)),
            Err(Error::InvalidArgument),
            "{value:?}"
        );
    }
    // A refused value changes nothing.
    assert_eq!(socket.linger().unwrap(), Some(ms(7)));
    let builder = Context::builder().linger(Some(Duration::MAX));
    assert_eq!(builder.build().err(), Some(Error::InvalidArgument));
}

#[test]
fn socket_type_reads_back() {
    let ctx = context();
    for kind in SocketType::ALL {
        let socket = ctx.socket(kind).unwrap();
        assert_eq!(socket.socket_type().unwrap(), kind);
    }
}

#[test]
fn context_options_read_back() {
    let defaults = Context::new().unwrap();
    assert_eq!(defaults.io_threads().unwrap(), 1);
    assert_eq!(defaults.max_sockets().unwrap(), 1023);
    assert!(!defaults.ipv6().unwrap());
    assert!(defaults.blocky().unwrap());

    let linger = Some(Duration::from_millis(50));
    let ctx = Context::builder()
        .io_threads(2)
        .max_sockets(64)
        .ipv6(true)
        .blocky(false)
        .linger(linger)
        .build()
        .unwrap();
    assert_eq!(ctx.io_threads().unwrap(), 2);
    assert_eq!(ctx.max_sockets().unwrap(), 64);
    assert!(ctx.ipv6().unwrap());
    assert!(!ctx.blocky().unwrap());
    for kind in [SocketType::Push, SocketType::Router] {
        assert_eq!(ctx.socket(kind).unwrap().linger().unwrap(), linger);
    }

    // Without a linger of its own, a non-blocky context gives its sockets libzmq's 0.
    let ctx = Context::builder().blocky(false).build().unwrap();
    assert_eq!(
        ctx.socket(SocketType::Push).unwrap().linger().unwrap(),
        Some(Duration::ZERO)
    );
}
