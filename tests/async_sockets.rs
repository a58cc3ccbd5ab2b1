//! Async sockets (feature `tokio`): no lost wake-ups at the high-water mark or across split
//! halves, cancellation that loses nothing, every stable socket type, and async sockets
//! talking to blocking ones and to pyzmq. Every scenario runs on the current-thread and the
//! multi-thread runtime.
//!
//! The message counts are the (1,000,000 through a high-water mark of 10, 100,000
//! REQ/REP round trips) in CI (`CI=true`) or with `ZMQ_ASYNC_TEST_FULL=1`; elsewhere a tenth
//! of them, because an unoptimised build on a busy machine needs up to a minute for the full
//! count (`scripts/test` runs with `CI=true` in CI).
#![cfg(all(feature = "tokio", unix))]

use std::future::Future;
use std::thread;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::timeout;
use zmq::{AsyncSocket, Context, Error, Message, Multipart, RecvFlags, SendFlags, SocketType};

use common::Transport;
use support::peers::{python, python_peer, require};
use support::{example, Peer};

mod common;
mod support;

/// Whether to run the full message counts.
fn full_size() -> bool {
    let set = |name: &str, value: &str| std::env::var(name).is_ok_and(|v| v == value);
    set("CI", "true") || set("ZMQ_ASYNC_TEST_FULL", "1")
}

/// Whether scripts/valgrind runs this (it sets `ZMQ_UNDER_VALGRIND=1`): code runs some 50
/// times slower there, so the volume tests send a thousandth of the counts, enough
/// to go through every path (the high-water mark, parked senders) while valgrind watches.
fn under_valgrind() -> bool {
    std::env::var("ZMQ_UNDER_VALGRIND").is_ok_and(|v| v == "1")
}

/// How long one whole test may take before it fails instead of hanging.
fn test_limit() -> Duration {
    Duration::from_secs(if full_size() || under_valgrind() {
        300
    } else {
        60
    })
}

/// The message count, a thousandth of it under valgrind, or a tenth of it (see the
/// module docs).
fn count(full: u32) -> u32 {
    if under_valgrind() {
        (full / 1000).max(100)
    } else if full_size() {
        full
    } else {
        full / 10
    }
}

/// Runs `test` on a fresh runtime of the given flavour, failing after [`test_limit`].
fn run<F, Fut>(multi_thread: bool, test: F)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    let runtime = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("build a runtime");
    runtime.block_on(async {
        timeout(test_limit(), test())
            .await
            .expect("the test hung: a wake-up was lost")
    });
}

/// One test per runtime flavour: `name::current_thread` and `name::multi_thread`.
macro_rules! on_both_runtimes {
    ($(fn $name:ident() $body:block)*) => {$(
        mod $name {
            use super::*;

            async fn body() $body

            #[test]
            fn current_thread() {
                run(false, body);
            }

            #[test]
            fn multi_thread() {
                run(true, body);
            }
        }
    )*};
}

fn ctx() -> Context {
    common::context()
}

fn socket(ctx: &Context, kind: SocketType) -> zmq::Socket {
    common::socket(ctx, kind)
}

/// An async socket of type `bound` on a fresh endpoint and one of type `connecting`
/// connected to it.
fn pair(
    ctx: &Context,
    bound: SocketType,
    connecting: SocketType,
    transport: Transport,
) -> (AsyncSocket, AsyncSocket) {
    let (server, client) = common::connected(ctx, bound, connecting, transport);
    (
        AsyncSocket::new(server).expect("async server"),
        AsyncSocket::new(client).expect("async client"),
    )
}

/// PUSH -> PULL through SNDHWM = RCVHWM = 10: the sender parks at the high-water mark over and
/// over, and every message must arrive, in order.
async fn push_pull_through_hwm(transport: Transport) {
    let ctx = ctx();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(10).unwrap();
    let endpoint = common::bind(&pull, transport);
    let push = socket(&ctx, SocketType::Push);
    push.set_sndhwm(10).unwrap();
    push.connect(&endpoint).unwrap();
    let mut pull = AsyncSocket::new(pull).unwrap();
    let mut push = AsyncSocket::new(push).unwrap();
    let total = count(1_000_000);

    let sender = tokio::spawn(async move {
        for i in 0..total {
            push.send(i.to_le_bytes().to_vec()).await.expect("send");
        }
        push
    });
    let receiver = tokio::spawn(async move {
        for i in 0..total {
            let msg = pull.recv().await.expect("recv");
            assert_eq!(&msg[..], &i.to_le_bytes(), "message {i} out of order");
            assert!(!msg.more());
        }
        pull
    });
    let _push = sender.await.expect("sender task");
    let pull = receiver.await.expect("receiver task");
    // Nothing more than was sent.
    assert_eq!(pull.with_socket(common::try_recv), None);
}

on_both_runtimes! {
    fn push_pull_million_inproc() {
        push_pull_through_hwm(Transport::Inproc).await;
    }

    fn push_pull_million_tcp() {
        push_pull_through_hwm(Transport::Tcp).await;
    }

    fn req_rep_round_trips() {
        let ctx = ctx();
        let (mut rep, mut req) = pair(&ctx, SocketType::Rep, SocketType::Req, Transport::Tcp);
        let total = count(100_000);
        let server = tokio::spawn(async move {
            for _ in 0..total {
                let request = rep.recv_multipart().await.expect("request");
                rep.send_multipart(request).await.expect("reply");
            }
        });
        for i in 0..total {
            req.send(i.to_le_bytes().to_vec()).await.expect("request");
            let reply = req.recv().await.expect("reply");
            assert_eq!(&reply[..], &i.to_le_bytes());
        }
        server.await.expect("server task");
    }

    // tmq#50: a DEALER's Stream and Sink halves on two tasks, both directions parked at the
    // high-water mark in turn, against a ROUTER echoing everything back.
    fn dealer_split_across_tasks() {
        let ctx = ctx();
        let router = socket(&ctx, SocketType::Router);
        // At the high-water mark a ROUTER drops messages, unless it must report it.
        router.set_router_mandatory(true).unwrap();
        router.set_sndhwm(10).unwrap();
        router.set_rcvhwm(10).unwrap();
        let endpoint = common::bind(&router, Transport::Tcp);
        let dealer = socket(&ctx, SocketType::Dealer);
        dealer.set_sndhwm(10).unwrap();
        dealer.set_rcvhwm(10).unwrap();
        dealer.connect(&endpoint).unwrap();
        let mut router = AsyncSocket::new(router).unwrap();
        let (mut sink, mut stream) = AsyncSocket::new(dealer).unwrap().split();
        let total = count(100_000);

        let echo = tokio::spawn(async move {
            for _ in 0..total {
                let parts = router.recv_multipart().await.expect("router recv");
                router.send_multipart(parts).await.expect("router send");
            }
        });
        let writer = tokio::spawn(async move {
            for i in 0..total {
                let parts = Multipart::from(vec![Message::from("x"), Message::from(i.to_le_bytes().to_vec())]);
                SinkExt::send(&mut sink, parts).await.expect("dealer send");
            }
            sink
        });
        let reader = tokio::spawn(async move {
            for i in 0..total {
                let parts = stream.next().await.expect("stream ended").expect("dealer recv");
                assert_eq!(parts.len(), 2);
                assert_eq!(parts[0], "x");
                assert_eq!(&parts[1][..], &i.to_le_bytes());
            }
            stream
        });
        let sink = writer.await.expect("writer task");
        let stream = reader.await.expect("reader task");
        echo.await.expect("echo task");
        assert!(AsyncSocket::reunite(sink, stream).is_ok());
    }

    // A receive cancelled by a timeout, again and again, loses nothing: each message still
    // arrives whole, in order.
    fn cancelled_recv_loses_nothing() {
        let ctx = ctx();
        let (mut pull, mut push) = pair(&ctx, SocketType::Pull, SocketType::Push, Transport::Tcp);
        for _ in 0..20 {
            let waited = timeout(Duration::from_millis(1), pull.recv_multipart()).await;
            assert!(waited.is_err(), "nothing was sent yet");
        }
        let sender = tokio::spawn(async move {
            for i in 0..200u32 {
                push.send_multipart([b"head".to_vec(), i.to_le_bytes().to_vec(), b"tail".to_vec()])
                    .await
                    .expect("send");
                if i % 20 == 0 {
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            }
            push
        });
        let mut i = 0u32;
        let mut cancelled = 0;
        while i < 200 {
            match timeout(Duration::from_micros(200), pull.recv_multipart()).await {
                Err(_) => cancelled += 1,
                Ok(parts) => {
                    let parts = parts.expect("recv");
                    let expected = [b"head".to_vec(), i.to_le_bytes().to_vec(), b"tail".to_vec()];
                    assert_eq!(parts.iter().map(|m| m.to_vec()).collect::<Vec<_>>(), expected);
                    i += 1;
                }
            }
        }
        assert!(cancelled > 0, "the receives were never cancelled: the test tested nothing");
        let _push = sender.await.expect("sender task");
    }

    // A send cancelled at the high-water mark leaves its message whole in the outbox: sent by
    // the next flush, or handed back by take_unsent.
    fn cancelled_send_keeps_the_message() {
        let ctx = ctx();
        let push = socket(&ctx, SocketType::Push);
        let endpoint = common::endpoint(Transport::Tcp);
        push.bind(&endpoint).unwrap();
        let endpoint = push.last_endpoint().unwrap();
        let mut push = AsyncSocket::new(push).unwrap();
        // No peer: PUSH cannot send.
        let sent = timeout(Duration::from_millis(50), push.send_multipart(["a", "b", "c"])).await;
        assert!(sent.is_err(), "a PUSH without peers cannot send");
        let unsent = push.take_unsent().expect("the message stays in the outbox");
        assert_eq!(unsent.iter().map(|m| m.to_vec()).collect::<Vec<_>>(), [b"a", b"b", b"c"]);
        assert!(push.take_unsent().is_none());

        let sent = timeout(Duration::from_millis(50), push.send_multipart(["d", "e"])).await;
        assert!(sent.is_err());
        let pull = socket(&ctx, SocketType::Pull);
        pull.connect(&endpoint).unwrap();
        let mut pull = AsyncSocket::new(pull).unwrap();
        push.flush().await.expect("flush the kept message");
        push.send("f").await.expect("send after the flush");
        let got = pull.recv_multipart().await.unwrap();
        assert_eq!(got.iter().map(|m| m.to_vec()).collect::<Vec<_>>(), [b"d", b"e"]);
        assert_eq!(pull.recv_multipart().await.unwrap()[0], "f");
    }

    // Async sockets talk to blocking ones on plain threads, both ways.
    fn async_and_blocking_sockets() {
        let ctx = ctx();
        let (rep, req) = common::connected(&ctx, SocketType::Rep, SocketType::Req, Transport::Tcp);
        let blocking_server = thread::spawn(move || {
            for _ in 0..100 {
                let request = rep.recv_msg(RecvFlags::empty()).expect("blocking recv");
                let mut reply = b"re:".to_vec();
                reply.extend_from_slice(&request);
                rep.send(reply, SendFlags::empty()).expect("blocking send");
            }
        });
        let mut req = AsyncSocket::new(req).unwrap();
        for i in 0..100 {
            req.send(format!("{i}")).await.unwrap();
            assert_eq!(req.recv().await.unwrap(), format!("re:{i}").as_str());
        }
        tokio::task::spawn_blocking(move || blocking_server.join())
            .await
            .unwrap()
            .expect("blocking server");

        let (pull, push) = common::connected(&ctx, SocketType::Pull, SocketType::Push, Transport::Ipc);
        pull.set_rcvhwm(5).unwrap();
        let mut pull = AsyncSocket::new(pull).unwrap();
        let blocking_client = thread::spawn(move || {
            for i in 0..1000u32 {
                push.send(i.to_le_bytes().to_vec(), SendFlags::empty()).expect("blocking send");
            }
            // Closed only once everything is received: its linger is zero.
            push
        });
        for i in 0..1000u32 {
            assert_eq!(&pull.recv().await.unwrap()[..], &i.to_le_bytes());
        }
        tokio::task::spawn_blocking(move || blocking_client.join())
            .await
            .unwrap()
            .expect("blocking client");
    }

    // The twelve stable socket types, each in its pattern.
    fn every_stable_socket_type() {
        let ctx = ctx();
        use SocketType::*;
        for (bound, connecting) in [(Pair, Pair), (Push, Pull), (Pull, Push), (Rep, Req), (Router, Dealer), (Dealer, Dealer)] {
            let (mut a, mut b) = pair(&ctx, bound, connecting, Transport::Inproc);
            let (sender, receiver) = if matches!(bound, Pull | Rep | Router) { (&mut b, &mut a) } else { (&mut a, &mut b) };
            sender.send_multipart(["one", "two"]).await.unwrap();
            let got = receiver.recv_multipart().await.unwrap();
            assert_eq!(got.last().unwrap(), "two", "{bound}/{connecting}");
        }

        // PUB/SUB and XPUB/XSUB: the subscription travels first.
        for (publisher, subscriber) in [(Pub, Sub), (XPub, XSub)] {
            let (mut publ, mut sub) = pair(&ctx, publisher, subscriber, Transport::Tcp);
            if subscriber == Sub {
                sub.with_socket(|s| s.set_subscribe(b"news")).unwrap();
            } else {
                sub.send(b"\x01news".to_vec()).await.unwrap();
            }
            if publisher == XPub {
                assert_eq!(&publ.recv().await.unwrap()[..], b"\x01news");
            }
            // Until the subscription has reached the publisher, messages are dropped.
            loop {
                publ.send_multipart(["news", "flash"]).await.unwrap();
                if let Ok(got) = timeout(Duration::from_millis(20), sub.recv_multipart()).await {
                    assert_eq!(got.unwrap()[1], "flash");
                    break;
                }
            }
        }

        // STREAM: raw TCP, each message behind the connection's routing id.
        let stream = socket(&ctx, Stream);
        let endpoint = common::bind(&stream, Transport::Tcp);
        let mut stream = AsyncSocket::new(stream).unwrap();
        let address = endpoint.trim_start_matches("tcp://").to_owned();
        let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
        let connected = stream.recv_multipart().await.unwrap();
        assert_eq!(connected.len(), 2);
        assert!(connected[1].is_empty(), "a connection is announced by an empty frame");
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        tcp.write_all(b"ping").await.unwrap();
        let got = stream.recv_multipart().await.unwrap();
        assert_eq!(got[0], connected[0]);
        assert_eq!(got[1], "ping");
        stream.send_multipart([got[0].clone(), Message::from("pong")]).await.unwrap();
        let mut buf = [0u8; 4];
        tcp.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
    }

    // Errors of the socket's state machine and type come out as errors, with the message.
    fn errors_surface() {
        let ctx = ctx();
        let (mut rep, mut req) = pair(&ctx, SocketType::Rep, SocketType::Req, Transport::Inproc);
        assert_eq!(req.recv().await.unwrap_err(), Error::InvalidState);
        let error = rep.send("too early").await.unwrap_err();
        assert_eq!(*error.error(), Error::InvalidState);
        assert_eq!(error.into_unsent()[0], "too early");
        req.send("ok").await.unwrap();
        assert_eq!(*req.send("twice").await.unwrap_err().error(), Error::InvalidState);
        let error = req.send_multipart(Vec::<Message>::new()).await.unwrap_err();
        assert_eq!(*error.error(), Error::InvalidArgument);

        let mut publ = AsyncSocket::new(socket(&ctx, SocketType::Pub)).unwrap();
        assert_eq!(publ.recv().await.unwrap_err(), Error::NotSupported);
        let mut sub = AsyncSocket::new(socket(&ctx, SocketType::Sub)).unwrap();
        assert_eq!(*sub.send("x").await.unwrap_err().error(), Error::NotSupported);
    }

    // Stream and Sink: forward a batch with send_all, read it back with the stream.
    fn stream_and_sink() {
        let ctx = ctx();
        let (mut pull, mut push) = pair(&ctx, SocketType::Pull, SocketType::Push, Transport::Tcp);
        push.with_socket(|s| s.set_sndhwm(2)).unwrap();
        let mut batch = futures_util::stream::iter(
            (0..500u32).map(|i| Ok(Multipart::from(vec![Message::from(i.to_le_bytes().to_vec())]))),
        );
        let sender = tokio::spawn(async move {
            push.send_all(&mut batch).await.expect("send_all");
            push.close().await.expect("close");
        });
        let got: Vec<Multipart> = (&mut pull).take(500).map(|m| m.expect("recv")).collect().await;
        for (i, parts) in got.iter().enumerate() {
            assert_eq!(&parts[0][..], &(i as u32).to_le_bytes());
        }
        sender.await.unwrap();
    }

    // Shutting the context down wakes a waiting receive; the stream then ends.
    fn context_shutdown_ends_the_stream() {
        let ctx = ctx();
        let pull = socket(&ctx, SocketType::Pull);
        common::bind(&pull, Transport::Inproc);
        let (_sender, mut receiver) = AsyncSocket::new(pull).unwrap().split();
        let waiting = tokio::spawn(async move {
            let first = receiver.next().await;
            (first, receiver.next().await)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        ctx.shutdown();
        let (first, second) = waiting.await.unwrap();
        assert_eq!(first.map(|r| r.map(drop)), Some(Err(Error::ContextTerminated)));
        assert!(second.is_none());
    }
}

#[test]
fn outside_a_runtime_is_an_error() {
    let ctx = ctx();
    let error = AsyncSocket::new(socket(&ctx, SocketType::Pull)).unwrap_err();
    assert_eq!(error, Error::NoRuntime);
}

#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_type<T: Send>() {}
    assert_send_type::<AsyncSocket>();
    assert_send_type::<zmq::AsyncSender>();
    assert_send_type::<zmq::AsyncReceiver>();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let ctx = ctx();
    let mut socket = AsyncSocket::new(socket(&ctx, SocketType::Dealer)).unwrap();
    assert_send(&socket.recv());
    assert_send(&socket.recv_multipart());
    assert_send(&socket.send("x"));
    assert_send(&socket.send_multipart(["x"]));
}

/// An async PUSH feeds a pyzmq PULL peer.
#[test]
fn async_push_to_pyzmq_pull() {
    support::within(|| {
        let Some(python) = require(python()) else {
            return;
        };
        let mut peer = python_peer(python, "py_pull.py", ["tcp://127.0.0.1:*", "3"]);
        let endpoint = peer.bound_endpoint();
        run(true, || async move {
            let ctx = ctx();
            let push = socket(&ctx, SocketType::Push);
            push.connect(&endpoint).unwrap();
            let mut push = AsyncSocket::new(push).unwrap();
            push.send("hi").await.unwrap();
            push.send_multipart(["a", "", "c"]).await.unwrap();
            push.send(Message::new()).await.unwrap();
            // Let the messages go before the socket (linger zero) closes.
            tokio::task::spawn_blocking(move || {
                peer.expect_line("MSG 6869");
                peer.expect_line("MSG 61||63");
                peer.expect_line("MSG ");
                peer.finish().assert_success();
            })
            .await
            .unwrap();
        });
    });
}

/// The async examples keep the blocking ones' contract: `async_hwclient` against
/// `async_hwserver`, then pyzmq's REQ against `async_hwserver`.
#[test]
fn async_hwclient_talks_to_async_hwserver() {
    support::within(|| {
        let mut server = Peer::spawn(
            "async_hwserver",
            example("async_hwserver"),
            ["tcp://127.0.0.1:*"],
        );
        let endpoint = server.bound_endpoint();
        let client = Peer::spawn(
            "async_hwclient",
            example("async_hwclient"),
            [endpoint.as_str(), "5"],
        )
        .finish();
        client.assert_success();
        let expected: Vec<String> = (1..=5)
            .flat_map(|n| [format!("Sending Hello {n}"), format!("Received world {n}")])
            .collect();
        assert_eq!(client.stdout, expected);
        for _ in 0..5 {
            server.expect_line("Received Hello");
        }

        let Some(python) = require(python()) else {
            return;
        };
        let client = python_peer(python, "py_req.py", [endpoint.as_str(), "3"]).finish();
        client.assert_success();
        assert_eq!(client.stdout, ["world"; 3], "py_req's replies");
        for _ in 0..3 {
            server.expect_line("Received Hello");
        }
    });
}

#[test]
fn async_hwclient_fails_without_a_server() {
    support::within(|| {
        // Nothing listens there: the request is never answered. The reply timeout is ten
        // seconds, within the harness's limit.
        let endpoint = common::unused_endpoint(Transport::Tcp);
        let client = Peer::spawn(
            "async_hwclient",
            example("async_hwclient"),
            [endpoint.as_str(), "1"],
        )
        .finish();
        assert_eq!(client.status.code(), Some(1), "{}", client.stderr);
        assert!(client.stderr.contains("no reply"), "{}", client.stderr);
    });
}

#[test]
fn async_pubsub_delivers_only_its_topic() {
    support::within(|| {
        let run = Peer::spawn("async_pubsub", example("async_pubsub"), ["5"]).finish();
        run.assert_success();
        assert_eq!(run.stdout.len(), 5, "{:?}", run.stdout);
        let mut last = None;
        for line in &run.stdout {
            let n: u64 = line
                .strip_prefix("weather ")
                .unwrap_or_else(|| panic!("not a weather update: {line:?}"))
                .parse()
                .expect("an update number");
            // In order, none twice (some may be missed before the subscription arrives).
            assert!(last.is_none_or(|last| n > last), "{:?}", run.stdout);
            last = Some(n);
        }
    });
}

#[test]
fn async_examples_reject_bad_arguments_with_status_2() {
    support::within(|| {
        for (name, args) in [
            ("async_hwserver", vec!["a", "b"]),
            ("async_hwclient", vec!["tcp://127.0.0.1:1", "many"]),
            ("async_pubsub", vec!["-1"]),
        ] {
            let run = Peer::spawn(name, example(name), args).finish();
            assert_eq!(run.status.code(), Some(2), "{name}: {}", run.stderr);
            assert!(run.stderr.contains("usage:"), "{name}: {}", run.stderr);
        }
    });
}

/// The DRAFT thread-safe types through `AsyncThreadSafeSocket` (features `tokio` and
/// `draft`): the same shapes as above, plus several tasks on one socket.
#[cfg(zmq_draft)]
mod thread_safe_types {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use zmq::{AsyncThreadSafeSocket, ThreadSafeSocket, ThreadSafeType};

    /// A thread-safe socket with linger zero and both high-water marks at `hwm`.
    fn ts_socket(ctx: &Context, kind: ThreadSafeType, hwm: i32) -> ThreadSafeSocket {
        let socket = ctx.thread_safe_socket(kind).expect("create a socket");
        socket.set_linger(Some(Duration::ZERO)).unwrap();
        socket.set_sndhwm(hwm).unwrap();
        socket.set_rcvhwm(hwm).unwrap();
        socket
    }

    /// An async socket of type `bound` on a fresh endpoint and one of type `connecting`
    /// connected to it, both with high-water marks of `hwm`.
    fn ts_pair(
        ctx: &Context,
        bound: ThreadSafeType,
        connecting: ThreadSafeType,
        transport: Transport,
        hwm: i32,
    ) -> (AsyncThreadSafeSocket, AsyncThreadSafeSocket) {
        let server = ts_socket(ctx, bound, hwm);
        server.bind(&common::endpoint(transport)).unwrap();
        let endpoint = server.last_endpoint().unwrap();
        let client = ts_socket(ctx, connecting, hwm);
        client.connect(&endpoint).unwrap();
        (
            AsyncThreadSafeSocket::new(server).expect("async server"),
            AsyncThreadSafeSocket::new(client).expect("async client"),
        )
    }

    /// SCATTER -> GATHER through high-water marks of 10: every message arrives, in order.
    async fn scatter_gather_through_hwm(transport: Transport) {
        let ctx = ctx();
        let (gather, scatter) = ts_pair(
            &ctx,
            ThreadSafeType::Gather,
            ThreadSafeType::Scatter,
            transport,
            10,
        );
        let total = count(1_000_000);
        let sender = tokio::spawn(async move {
            for i in 0..total {
                scatter.send(i.to_le_bytes().to_vec()).await.expect("send");
            }
            scatter
        });
        let receiver = tokio::spawn(async move {
            for i in 0..total {
                let msg = gather.recv().await.expect("recv");
                assert_eq!(&msg[..], &i.to_le_bytes(), "message {i} out of order");
            }
            gather
        });
        let _scatter = sender.await.expect("sender task");
        let gather = receiver.await.expect("receiver task");
        assert_eq!(
            gather.socket().recv_msg(RecvFlags::DONTWAIT).map(drop),
            Err(Error::WouldBlock),
            "nothing more than was sent"
        );
    }

    on_both_runtimes! {
        fn scatter_gather_million_ipc() {
            scatter_gather_through_hwm(Transport::Ipc).await;
        }

        fn scatter_gather_million_tcp() {
            scatter_gather_through_hwm(Transport::Tcp).await;
        }

        // CLIENT -> SERVER through high-water marks of 10, each message carrying the
        // client's routing id; then replies addressed by that id.
        fn client_to_server_million_tcp() {
            let ctx = ctx();
            let (server, client) =
                ts_pair(&ctx, ThreadSafeType::Server, ThreadSafeType::Client, Transport::Tcp, 10);
            let total = count(1_000_000);
            let sender = tokio::spawn(async move {
                for i in 0..total {
                    client.send(i.to_le_bytes().to_vec()).await.expect("send");
                }
                client
            });
            let mut routing_id = None;
            for i in 0..total {
                let msg = server.recv().await.expect("recv");
                assert_eq!(&msg[..], &i.to_le_bytes(), "message {i} out of order");
                let id = msg.routing_id().expect("a routing id");
                assert_eq!(*routing_id.get_or_insert(id), id, "one client, one routing id");
            }
            let client = sender.await.expect("sender task");
            let mut reply = Message::from("reply");
            reply.set_routing_id(routing_id.unwrap()).unwrap();
            server.send(reply).await.unwrap();
            assert_eq!(client.recv().await.unwrap(), "reply");
        }

        // Request and reply, addressed by routing id, over and over.
        fn client_server_round_trips() {
            let ctx = ctx();
            let (server, client) =
                ts_pair(&ctx, ThreadSafeType::Server, ThreadSafeType::Client, Transport::Tcp, 10);
            let total = count(100_000);
            let echo = tokio::spawn(async move {
                for _ in 0..total {
                    let request = server.recv().await.expect("request");
                    let mut reply = Message::from(request.to_vec());
                    reply.set_routing_id(request.routing_id().unwrap()).unwrap();
                    server.send(reply).await.expect("reply");
                }
            });
            for i in 0..total {
                client.send(i.to_le_bytes().to_vec()).await.expect("request");
                assert_eq!(&client.recv().await.expect("reply")[..], &i.to_le_bytes());
            }
            echo.await.expect("echo task");
        }

        // One CLIENT shared by a writing task and a reading task (both parked at the
        // high-water mark in turn) against a SERVER echoing everything back.
        fn one_client_shared_by_two_tasks() {
            let ctx = ctx();
            let (server, client) =
                ts_pair(&ctx, ThreadSafeType::Server, ThreadSafeType::Client, Transport::Tcp, 10);
            let client = Arc::new(client);
            let total = count(100_000);
            let echo = tokio::spawn(async move {
                for _ in 0..total {
                    let msg = server.recv().await.expect("server recv");
                    server.send(msg).await.expect("server send");
                }
            });
            let writer = {
                let client = client.clone();
                tokio::spawn(async move {
                    for i in 0..total {
                        client.send(i.to_le_bytes().to_vec()).await.expect("client send");
                    }
                })
            };
            let reader = {
                let client = client.clone();
                tokio::spawn(async move {
                    for i in 0..total {
                        let msg = client.recv().await.expect("client recv");
                        assert_eq!(&msg[..], &i.to_le_bytes(), "echo {i} out of order");
                    }
                })
            };
            writer.await.expect("writer task");
            reader.await.expect("reader task");
            echo.await.expect("echo task");
        }

        // Two tasks receive from one GATHER and two send on one SCATTER (cloned handles):
        // every message arrives exactly once.
        fn several_tasks_per_direction() {
            let ctx = ctx();
            let (gather, scatter) =
                ts_pair(&ctx, ThreadSafeType::Gather, ThreadSafeType::Scatter, Transport::Tcp, 10);
            let per_task = count(20_000);
            let senders: Vec<_> = (0..2u32)
                .map(|task| {
                    let scatter = scatter.clone();
                    tokio::spawn(async move {
                        for i in 0..per_task {
                            let n = task * per_task + i;
                            scatter.send(n.to_le_bytes().to_vec()).await.expect("send");
                        }
                    })
                })
                .collect();
            let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
            let receivers: Vec<_> = (0..2)
                .map(|_| {
                    let gather = gather.clone();
                    let done_tx = done_tx.clone();
                    tokio::spawn(async move {
                        loop {
                            let msg = gather.recv().await.expect("recv");
                            let n = u32::from_le_bytes(msg[..].try_into().expect("4 bytes"));
                            if done_tx.send(n).is_err() {
                                break;
                            }
                        }
                    })
                })
                .collect();
            let mut seen = BTreeSet::new();
            while seen.len() < (2 * per_task) as usize {
                let n = done_rx.recv().await.expect("a receiver died");
                assert!(seen.insert(n), "message {n} received twice");
            }
            assert_eq!(seen.last(), Some(&(2 * per_task - 1)));
            for sender in senders {
                sender.await.expect("sender task");
            }
            drop(done_rx);
            for receiver in receivers {
                receiver.abort();
            }
        }

        // A receive cancelled by a timeout, again and again, loses nothing.
        fn cancelled_recv_loses_nothing() {
            let ctx = ctx();
            let (gather, scatter) =
                ts_pair(&ctx, ThreadSafeType::Gather, ThreadSafeType::Scatter, Transport::Tcp, 1000);
            for _ in 0..20 {
                let waited = timeout(Duration::from_millis(1), gather.recv()).await;
                assert!(waited.is_err(), "nothing was sent yet");
            }
            let sender = tokio::spawn(async move {
                for i in 0..200u32 {
                    scatter.send(i.to_le_bytes().to_vec()).await.expect("send");
                    if i % 20 == 0 {
                        tokio::time::sleep(Duration::from_millis(3)).await;
                    }
                }
                scatter
            });
            let mut i = 0u32;
            let mut cancelled = 0;
            while i < 200 {
                match timeout(Duration::from_micros(200), gather.recv()).await {
                    Err(_) => cancelled += 1,
                    Ok(msg) => {
                        assert_eq!(&msg.expect("recv")[..], &i.to_le_bytes());
                        i += 1;
                    }
                }
            }
            assert!(cancelled > 0, "the receives were never cancelled: the test tested nothing");
            let _scatter = sender.await.expect("sender task");
        }

        // send_from keeps a cancelled send's message in the caller's slot; the Sink keeps it
        // in its outbox.
        fn cancelled_send_keeps_the_message() {
            let ctx = ctx();
            let scatter = ts_socket(&ctx, ThreadSafeType::Scatter, 10);
            scatter.bind("tcp://127.0.0.1:*").unwrap();
            let endpoint = scatter.last_endpoint().unwrap();
            let mut scatter = AsyncThreadSafeSocket::new(scatter).unwrap();
            // No peer: SCATTER cannot send.
            let mut slot = Some(Message::from("kept"));
            let sent = timeout(Duration::from_millis(50), scatter.send_from(&mut slot)).await;
            assert!(sent.is_err(), "a SCATTER without peers cannot send");
            assert_eq!(slot.clone().expect("the message stays in the slot"), "kept");
            let sent = timeout(Duration::from_millis(50), SinkExt::send(&mut scatter, Message::from("outbox"))).await;
            assert!(sent.is_err());
            assert_eq!(scatter.take_unsent().expect("the Sink keeps it"), "outbox");
            assert!(scatter.take_unsent().is_none());

            let gather = ts_socket(&ctx, ThreadSafeType::Gather, 10);
            gather.connect(&endpoint).unwrap();
            let gather = AsyncThreadSafeSocket::new(gather).unwrap();
            scatter.send_from(&mut slot).await.expect("send the kept message");
            assert!(slot.is_none());
            scatter.send("next").await.unwrap();
            assert_eq!(gather.recv().await.unwrap(), "kept");
            assert_eq!(gather.recv().await.unwrap(), "next");
        }

        // Stream and Sink: forward a batch with send_all, read it back with the stream.
        fn stream_and_sink() {
            let ctx = ctx();
            let (mut gather, mut scatter) =
                ts_pair(&ctx, ThreadSafeType::Gather, ThreadSafeType::Scatter, Transport::Tcp, 2);
            let mut batch = futures_util::stream::iter(
                (0..500u32).map(|i| Ok(Message::from(i.to_le_bytes().to_vec()))),
            );
            let sender = tokio::spawn(async move {
                scatter.send_all(&mut batch).await.expect("send_all");
                scatter.close().await.expect("close");
            });
            let got: Vec<Message> = (&mut gather).take(500).map(|m| m.expect("recv")).collect().await;
            for (i, msg) in got.iter().enumerate() {
                assert_eq!(&msg[..], &(i as u32).to_le_bytes());
            }
            sender.await.unwrap();
        }

        // RADIO/DISH: a dish gets the groups it joined, and only those.
        fn radio_dish_groups() {
            let ctx = ctx();
            let (dish, radio) =
                ts_pair(&ctx, ThreadSafeType::Dish, ThreadSafeType::Radio, Transport::Tcp, 1000);
            dish.socket().join("weather").unwrap();
            // Until the join has reached the radio, its messages are dropped.
            let first = loop {
                for group in ["sports", "weather"] {
                    let mut msg = Message::from(group);
                    msg.set_group(group).unwrap();
                    radio.send(msg).await.unwrap();
                }
                if let Ok(got) = timeout(Duration::from_millis(20), dish.recv()).await {
                    break got.unwrap();
                }
            };
            assert_eq!(first.group(), Some("weather"));
            assert_eq!(first, "weather");
            // Whatever else arrived is of the joined group too.
            while let Ok(got) = timeout(Duration::from_millis(50), dish.recv()).await {
                assert_eq!(got.unwrap().group(), Some("weather"));
            }
        }

        // Errors of the socket type come out as errors, with the message.
        fn errors_surface() {
            let ctx = ctx();
            let gather = AsyncThreadSafeSocket::new(ts_socket(&ctx, ThreadSafeType::Gather, 10)).unwrap();
            let error = gather.send("x").await.unwrap_err();
            assert_eq!(*error.error(), Error::NotSupported);
            assert_eq!(error.into_unsent(), "x");
            let scatter = AsyncThreadSafeSocket::new(ts_socket(&ctx, ThreadSafeType::Scatter, 10)).unwrap();
            assert_eq!(scatter.recv().await.unwrap_err(), Error::NotSupported);
            let server = AsyncThreadSafeSocket::new(ts_socket(&ctx, ThreadSafeType::Server, 10)).unwrap();
            let mut msg = Message::from("nobody");
            msg.set_routing_id(12345).unwrap();
            assert_eq!(*server.send(msg).await.unwrap_err().error(), Error::HostUnreachable);
        }

        // Shutting the context down wakes a waiting receive; the stream then ends.
        fn context_shutdown_ends_the_stream() {
            let ctx = ctx();
            let gather = ts_socket(&ctx, ThreadSafeType::Gather, 10);
            gather.bind(&common::endpoint(Transport::Ipc)).unwrap();
            let mut gather = AsyncThreadSafeSocket::new(gather).unwrap();
            let waiting = tokio::spawn(async move {
                let first = gather.next().await;
                (first, gather.next().await)
            });
            tokio::time::sleep(Duration::from_millis(20)).await;
            ctx.shutdown();
            let (first, second) = waiting.await.unwrap();
            assert_eq!(first.map(|r| r.map(drop)), Some(Err(Error::ContextTerminated)));
            assert!(second.is_none());
        }
    }

    #[test]
    fn outside_a_runtime_is_an_error() {
        let ctx = ctx();
        let error =
            AsyncThreadSafeSocket::new(ts_socket(&ctx, ThreadSafeType::Client, 10)).unwrap_err();
        assert_eq!(error, Error::NoRuntime);
    }

    #[test]
    fn futures_are_send_and_the_socket_sync() {
        fn assert_send<T: Send>(_: &T) {}
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<AsyncThreadSafeSocket>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        let ctx = ctx();
        let socket =
            AsyncThreadSafeSocket::new(ts_socket(&ctx, ThreadSafeType::Client, 10)).unwrap();
        assert_send(&socket.recv());
        assert_send(&socket.send("x"));
        let mut slot = None;
        assert_send(&socket.send_from(&mut slot));
    }
}
