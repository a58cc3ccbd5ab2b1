//! zmq::proxy, zmq::proxy_steerable with ProxyControl, and the background Proxy.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{assert_silent, bind, context, eventually, socket, Transport, TIMEOUT};
use zmq::{
    Context, Error, Proxy, ProxyCommand, ProxyControl, RecvFlags, SendFlags, Socket, SocketType,
    Version,
};

const V4_3_5: Version = Version {
    major: 4,
    minor: 3,
    patch: 5,
};

fn recv_string(socket: &Socket) -> String {
    socket.recv_string(RecvFlags::empty()).expect("receive")
}

/// A PULL frontend and a PUSH backend bound to fresh inproc endpoints, with a producer
/// connected to the frontend and a consumer to the backend.
struct Pipeline {
    frontend: Socket,
    backend: Socket,
    producer: Socket,
    consumer: Socket,
}

fn pipeline(ctx: &zmq::Context) -> Pipeline {
    let frontend = socket(ctx, SocketType::Pull);
    let backend = socket(ctx, SocketType::Push);
    let producer = socket(ctx, SocketType::Push);
    let consumer = socket(ctx, SocketType::Pull);
    producer
        .connect(&bind(&frontend, Transport::Inproc))
        .unwrap();
    consumer
        .connect(&bind(&backend, Transport::Inproc))
        .unwrap();
    Pipeline {
        frontend,
        backend,
        producer,
        consumer,
    }
}

#[test]
fn proxy_forwards_req_router_dealer_rep_and_ends_ok_on_shutdown() {
    let ctx = context();
    let frontend = socket(&ctx, SocketType::Router);
    let backend = socket(&ctx, SocketType::Dealer);
    let front_endpoint = bind(&frontend, Transport::Tcp);
    let back_endpoint = bind(&backend, Transport::Tcp);
    let proxy = thread::spawn(move || zmq::proxy(&frontend, &backend, None));

    let worker = socket(&ctx, SocketType::Rep);
    worker.connect(&back_endpoint).unwrap();
    let clients: Vec<Socket> = (0..3)
        .map(|_| {
            let client = socket(&ctx, SocketType::Req);
            client.connect(&front_endpoint).unwrap();
            client
        })
        .collect();
    for (i, client) in clients.iter().enumerate() {
        client
            .send(format!("request {i}"), SendFlags::empty())
            .unwrap();
        let request = recv_string(&worker);
        worker
            .send(format!("reply to {request}"), SendFlags::empty())
            .unwrap();
        // The reply finds its way back to the client that asked.
        assert_eq!(recv_string(client), format!("reply to request {i}"));
    }

    ctx.shutdown();
    assert_eq!(
        proxy.join().unwrap(),
        Ok(()),
        "a proxy ended by its context's shutdown ends normally"
    );
}

#[test]
fn proxy_copies_every_frame_to_the_capture_socket() {
    let ctx = context();
    let p = pipeline(&ctx);
    let capture = socket(&ctx, SocketType::Push);
    let tap = socket(&ctx, SocketType::Pull);
    tap.connect(&bind(&capture, Transport::Inproc)).unwrap();
    let handle = Proxy::spawn(p.frontend, p.backend, Some(capture)).unwrap();

    p.producer
        .send_multipart(["head", "tail"], SendFlags::empty())
        .unwrap();
    p.producer.send("single", SendFlags::empty()).unwrap();

    let forwarded = p.consumer.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!(forwarded.len(), 2);
    assert_eq!(forwarded[0], "head");
    assert_eq!(forwarded[1], "tail");
    assert_eq!(recv_string(&p.consumer), "single");

    // The copies keep the frame boundaries (SNDMORE between the frames of a message).
    let copied = tap.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!(copied.len(), 2);
    assert_eq!(copied[0], "head");
    assert_eq!(copied[1], "tail");
    assert_eq!(recv_string(&tap), "single");

    // Stop before the tap goes: libzmq before 4.3.5 copies TERMINATE to the capture socket
    // too, and a PUSH with no reader would block the proxy.
    assert_eq!(handle.stop(), Ok(()));
}

/// A steerable proxy in its own thread, steered through a PAIR or REQ peer.
fn steerable_proxy(
    ctx: &zmq::Context,
    control_type: SocketType,
) -> (Socket, Socket, Socket, thread::JoinHandle<zmq::Result<()>>) {
    let p = pipeline(ctx);
    let (proxy_end_type, steering_type) = match control_type {
        SocketType::Rep => (SocketType::Rep, SocketType::Req),
        _ => (SocketType::Pair, SocketType::Pair),
    };
    let control = socket(ctx, proxy_end_type);
    let steering = socket(ctx, steering_type);
    steering
        .connect(&bind(&control, Transport::Inproc))
        .unwrap();
    let (frontend, backend) = (p.frontend, p.backend);
    let proxy = thread::spawn(move || zmq::proxy_steerable(&frontend, &backend, None, &control));
    (p.producer, p.consumer, steering, proxy)
}

/// PAUSE holds messages back, RESUME lets them through, STATISTICS counts what went through,
/// TERMINATE ends the proxy: checked through whichever control channel `steer` uses.
fn exercise_steering(producer: &Socket, consumer: &Socket, steer: &ProxyControl<'_>) {
    let sizes = [1usize, 10, 100];
    for size in sizes {
        producer.send(vec![b'x'; size], SendFlags::empty()).unwrap();
        assert_eq!(consumer.recv_bytes(RecvFlags::empty()).unwrap().len(), size);
    }
    let stats = steer.statistics().unwrap();
    let total: u64 = sizes.iter().map(|&s| s as u64).sum();
    assert_eq!(stats.frontend.messages_in, 3);
    assert_eq!(stats.frontend.bytes_in, total);
    assert_eq!(stats.backend.messages_out, 3);
    assert_eq!(stats.backend.bytes_out, total);
    assert_eq!(
        stats.frontend.messages_out, 0,
        "nothing went back: {stats:?}"
    );
    assert_eq!(stats.backend.messages_in, 0, "nothing went back: {stats:?}");

    steer.pause().unwrap();
    producer.send("held", SendFlags::empty()).unwrap();
    assert_silent(consumer);
    // Commands still work while paused, and the statistics did not move.
    assert_eq!(steer.statistics().unwrap(), stats);

    steer.resume().unwrap();
    assert_eq!(recv_string(consumer), "held");
    let stats = steer.statistics().unwrap();
    assert_eq!(stats.frontend.messages_in, 4);
    assert_eq!(stats.backend.bytes_out, total + 4);

    steer.terminate().unwrap();
}

#[test]
fn steerable_proxy_obeys_pause_resume_statistics_and_terminate_over_pair() {
    let ctx = context();
    let (producer, consumer, steering, proxy) = steerable_proxy(&ctx, SocketType::Pair);
    let steer = ProxyControl::new(&steering).unwrap();
    exercise_steering(&producer, &consumer, &steer);
    assert_eq!(proxy.join().unwrap(), Ok(()));
}

#[test]
fn steerable_proxy_over_req_rep_needs_libzmq_4_3_5() {
    let ctx = context();
    if zmq::version() < V4_3_5 {
        // Older proxies never answer a REP control socket, so a REQ could never ask twice.
        let req = socket(&ctx, SocketType::Req);
        assert_eq!(
            ProxyControl::new(&req).unwrap_err(),
            Error::NotSupported,
            "libzmq {} cannot be steered over REQ/REP",
            zmq::version()
        );
        return;
    }
    let (producer, consumer, steering, proxy) = steerable_proxy(&ctx, SocketType::Rep);
    let steer = ProxyControl::new(&steering).unwrap();
    exercise_steering(&producer, &consumer, &steer);
    assert_eq!(proxy.join().unwrap(), Ok(()));
}

#[test]
fn proxy_control_needs_a_pair_or_req_socket() {
    let ctx = context();
    let push = socket(&ctx, SocketType::Push);
    assert_eq!(
        ProxyControl::new(&push).unwrap_err(),
        Error::InvalidArgument
    );
}

#[test]
fn a_handle_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<zmq::ProxyHandle>();
}

#[test]
fn the_command_words_are_libzmqs() {
    assert_eq!(ProxyCommand::Pause.as_bytes(), b"PAUSE");
    assert_eq!(ProxyCommand::Resume.as_bytes(), b"RESUME");
    assert_eq!(ProxyCommand::Terminate.as_bytes(), b"TERMINATE");
    assert_eq!(ProxyCommand::Statistics.as_bytes(), b"STATISTICS");
}

#[test]
fn background_proxy_is_steered_through_its_handle() {
    let ctx = context();
    let p = pipeline(&ctx);
    let handle = Proxy::spawn(p.frontend, p.backend, None).unwrap();
    assert!(!handle.is_finished());

    p.producer.send("one", SendFlags::empty()).unwrap();
    assert_eq!(recv_string(&p.consumer), "one");

    handle.pause().unwrap();
    p.producer.send("two", SendFlags::empty()).unwrap();
    assert_silent(&p.consumer);
    handle.resume().unwrap();
    assert_eq!(recv_string(&p.consumer), "two");

    let stats = handle.statistics().unwrap();
    assert_eq!(stats.frontend.messages_in, 2);
    assert_eq!(stats.frontend.bytes_in, 6);
    assert_eq!(stats.backend.messages_out, 2);
    assert_eq!(stats.backend.bytes_out, 6);

    assert_eq!(handle.stop(), Ok(()));
}

#[test]
fn dropping_the_handle_stops_the_proxy_and_closes_its_sockets() {
    let ctx = context();
    let frontend = socket(&ctx, SocketType::Pull);
    let endpoint = bind(&frontend, Transport::Inproc);
    let backend = socket(&ctx, SocketType::Push);
    let handle = Proxy::spawn(frontend, backend, None).unwrap();

    // While the proxy runs, its frontend holds the endpoint.
    let other = socket(&ctx, SocketType::Pull);
    assert_eq!(other.bind(&endpoint), Err(Error::AddrInUse));

    drop(handle);
    // The proxy thread closed the frontend before the drop returned; libzmq releases the
    // endpoint of a closed socket soon after, in its reaper thread.
    eventually("the frontend's endpoint to be released", || {
        other.bind(&endpoint).ok()
    });
}

#[test]
fn a_context_shutdown_ends_the_background_proxy() {
    let ctx = context();
    let p = pipeline(&ctx);
    let handle = Proxy::spawn(p.frontend, p.backend, None).unwrap();
    p.producer.send("before", SendFlags::empty()).unwrap();
    assert_eq!(recv_string(&p.consumer), "before");

    ctx.shutdown();
    eventually("the proxy thread to end", || {
        handle.is_finished().then_some(())
    });
    assert_eq!(handle.pause(), Err(Error::ContextTerminated));
    assert_eq!(handle.statistics(), Err(Error::ContextTerminated));
    let start = Instant::now();
    assert_eq!(handle.stop(), Ok(()), "a shutdown is the normal end");
    assert!(start.elapsed() < TIMEOUT);
}

#[test]
fn commands_to_a_proxy_that_has_ended_fail_with_invalid_state() {
    let ctx = context();
    // Shut down a second context whose socket the proxy uses as its backend: the proxy ends
    // with ETERM (Ok) while the handle's context still runs, so the handle sees a proxy that
    // is gone without a shutdown of its own.
    let other = context();
    let frontend = socket(&ctx, SocketType::Pull);
    let backend = socket(&other, SocketType::Push);
    let handle = Proxy::spawn(frontend, backend, None).unwrap();
    other.shutdown();
    eventually("the proxy thread to end", || {
        handle.is_finished().then_some(())
    });
    assert_eq!(handle.pause(), Err(Error::InvalidState));
    assert_eq!(handle.statistics(), Err(Error::InvalidState));
    assert_eq!(handle.stop(), Ok(()));
}

#[test]
fn a_thousand_proxies_start_and_stop_without_hanging() {
    // Closed sockets count against MAX_SOCKETS until libzmq's reaper thread has freed them;
    // on a loaded machine it lags, and the default 1023 was once hit (TooManyOpenFiles).
    let ctx = Context::builder().max_sockets(8192).build().unwrap();
    let start = Instant::now();
    for round in 0..1000 {
        let frontend = socket(&ctx, SocketType::Pull);
        let backend = socket(&ctx, SocketType::Push);
        let handle = Proxy::spawn(frontend, backend, None).unwrap();
        if round % 2 == 0 {
            assert_eq!(handle.stop(), Ok(()), "round {round}");
        } else {
            drop(handle);
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "1000 rounds took {:?}",
        start.elapsed()
    );
}
