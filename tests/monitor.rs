//! Socket monitoring: the typed events libzmq reports, and monitors that always stop.

mod common;

use std::time::{Duration, Instant};

use common::{context, socket, wait_for_event as wait_for, TIMEOUT};
use zmq::{MonitorEvent, MonitorEvents, ProtocolError, SocketType};

#[test]
fn tcp_connect_sequence_on_both_sides() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Rep);
    let server_monitor = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();

    let (event, _) = wait_for(&server_monitor, "LISTENING", |e| {
        matches!(e, MonitorEvent::Listening { .. })
    });
    let MonitorEvent::Listening { fd, endpoint: at } = event else {
        unreachable!()
    };
    assert!(fd >= 0);
    assert_eq!(at, endpoint);

    let client = socket(&ctx, SocketType::Req);
    let client_monitor = client.monitor(MonitorEvents::ALL).unwrap();
    client.connect(&endpoint).unwrap();

    let (connected, before) = wait_for(&client_monitor, "CONNECTED", |e| {
        matches!(e, MonitorEvent::Connected { .. })
    });
    assert!(
        matches!(&connected, MonitorEvent::Connected { fd, endpoint: at } if *fd >= 0 && *at == endpoint),
        "{connected:?}"
    );
    // CONNECT_DELAYED comes first when the TCP connect does not complete at once.
    for event in &before {
        assert_eq!(
            event,
            &MonitorEvent::ConnectDelayed {
                endpoint: endpoint.clone()
            }
        );
    }
    let (_, between) = wait_for(&client_monitor, "HANDSHAKE_SUCCEEDED", |e| {
        *e == MonitorEvent::HandshakeSucceeded {
            endpoint: endpoint.clone(),
        }
    });
    assert!(between.is_empty(), "{between:?}");

    let (accepted, _) = wait_for(&server_monitor, "ACCEPTED", |e| {
        matches!(e, MonitorEvent::Accepted { .. })
    });
    assert!(matches!(accepted, MonitorEvent::Accepted { fd, .. } if fd >= 0));
    let (handshake, _) = wait_for(&server_monitor, "HANDSHAKE_SUCCEEDED", |e| {
        matches!(e, MonitorEvent::HandshakeSucceeded { .. })
    });
    assert!(handshake
        .endpoint()
        .unwrap()
        .starts_with("tcp://127.0.0.1:"));

    // The connection works.
    client.send("ping", zmq::SendFlags::empty()).unwrap();
    assert_eq!(server.recv_string(zmq::RecvFlags::empty()).unwrap(), "ping");

    client_monitor.stop().unwrap();
    server_monitor.stop().unwrap();
}

#[test]
fn disconnected_after_the_peer_closes() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pair);
    let monitor = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let client = socket(&ctx, SocketType::Pair);
    client.connect(&endpoint).unwrap();
    wait_for(&monitor, "HANDSHAKE_SUCCEEDED", |e| {
        matches!(e, MonitorEvent::HandshakeSucceeded { .. })
    });
    drop(client);
    let (event, _) = wait_for(&monitor, "DISCONNECTED", |e| {
        matches!(e, MonitorEvent::Disconnected { .. })
    });
    assert!(matches!(event, MonitorEvent::Disconnected { fd, .. } if fd >= 0));
}

#[test]
fn closed_on_unbind() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let monitor = server
        .monitor(MonitorEvents::LISTENING | MonitorEvents::CLOSED)
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let (listening, _) = wait_for(&monitor, "LISTENING", |e| {
        matches!(e, MonitorEvent::Listening { .. })
    });
    server.unbind(&endpoint).unwrap();
    let (closed, before) = wait_for(&monitor, "CLOSED", |e| {
        matches!(e, MonitorEvent::Closed { .. })
    });
    assert!(before.is_empty(), "{before:?}");
    let (MonitorEvent::Listening { fd: open_fd, .. }, MonitorEvent::Closed { fd, endpoint: at }) =
        (listening, closed)
    else {
        unreachable!()
    };
    assert_eq!(fd, open_fd);
    assert_eq!(at, endpoint);
}

#[test]
fn connect_retried_when_nobody_listens() {
    let ctx = context();
    // A port that was free a moment ago: bind, read it, close.
    let endpoint = {
        let probe = socket(&ctx, SocketType::Pull);
        probe.bind("tcp://127.0.0.1:*").unwrap();
        probe.last_endpoint().unwrap()
    };
    let client = socket(&ctx, SocketType::Push);
    client
        .set_reconnect_ivl(Some(Duration::from_millis(50)))
        .unwrap();
    let monitor = client.monitor(MonitorEvents::ALL).unwrap();
    client.connect(&endpoint).unwrap();
    let (event, _) = wait_for(&monitor, "CONNECT_RETRIED", |e| {
        matches!(e, MonitorEvent::ConnectRetried { .. })
    });
    let MonitorEvent::ConnectRetried {
        interval,
        endpoint: at,
    } = event
    else {
        unreachable!()
    };
    assert_eq!(at, endpoint);
    assert!(interval <= Duration::from_millis(100), "{interval:?}");
}

#[test]
fn curve_server_refuses_a_null_client() {
    if !zmq::has("curve") {
        eprintln!("libzmq without CURVE: skipped");
        return;
    }
    let mut public = [0u8; 41];
    let mut secret = [0u8; 41];
    // SAFETY: zmq_curve_keypair writes two 40-character Z85 keys and their NUL terminators
    // into the 41-byte buffers it is given.
    let rc = unsafe {
        zmq::sys::zmq_curve_keypair(public.as_mut_ptr().cast(), secret.as_mut_ptr().cast())
    };
    assert_eq!(rc, 0);
    let mut secret_bytes = [0u8; 32];
    // SAFETY: a NUL-terminated 40-character Z85 string decodes into 32 bytes.
    let decoded =
        unsafe { zmq::sys::zmq_z85_decode(secret_bytes.as_mut_ptr(), secret.as_ptr().cast()) };
    assert!(!decoded.is_null());

    let ctx = context();
    let server = socket(&ctx, SocketType::Rep);
    server.set_curve_server(true).unwrap();
    server
        .set_curve_secretkey(&zmq::CurveKey::from_bytes(secret_bytes))
        .unwrap();
    let monitor = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let client = socket(&ctx, SocketType::Req);
    client.connect(&endpoint).unwrap();
    let (event, before) = wait_for(&monitor, "a handshake failure", |e| {
        matches!(
            e,
            MonitorEvent::HandshakeFailedProtocol { .. }
                | MonitorEvent::HandshakeFailedNoDetail { .. }
                | MonitorEvent::HandshakeFailedAuth { .. }
        )
    });
    assert!(
        !before
            .iter()
            .any(|e| matches!(e, MonitorEvent::HandshakeSucceeded { .. })),
        "{before:?}"
    );
    assert!(
        matches!(
            event,
            MonitorEvent::HandshakeFailedProtocol {
                error: ProtocolError::ZmtpMechanismMismatch,
                ..
            }
        ),
        "{event:?}"
    );
}

#[test]
fn parser_reports_unknown_events_and_refuses_malformed_frames() {
    let frame = |event: u16, value: u32| {
        let mut head = event.to_ne_bytes().to_vec();
        head.extend_from_slice(&value.to_ne_bytes());
        head
    };
    assert_eq!(
        MonitorEvent::parse(&[frame(0x8000, 42), b"inproc://x".to_vec()]).unwrap(),
        MonitorEvent::Unknown {
            event: 0x8000,
            value: 42,
            endpoint: "inproc://x".into()
        }
    );
    // Two bits at once is not one event.
    assert!(matches!(
        MonitorEvent::parse(&[frame(3, 0), Vec::new()]).unwrap(),
        MonitorEvent::Unknown { event: 3, .. }
    ));
    assert_eq!(
        MonitorEvent::parse(&[
            frame(sys_event(zmq::sys::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL), 7),
            Vec::new()
        ])
        .unwrap(),
        MonitorEvent::HandshakeFailedProtocol {
            error: ProtocolError::Unknown(7),
            endpoint: String::new()
        }
    );
    assert_eq!(
        MonitorEvent::parse(&[
            frame(
                sys_event(zmq::sys::ZMQ_EVENT_BIND_FAILED),
                libc_eaddrinuse()
            ),
            b"e".to_vec()
        ])
        .unwrap(),
        MonitorEvent::BindFailed {
            error: zmq::Error::AddrInUse,
            endpoint: "e".into()
        }
    );
    assert_eq!(
        MonitorEvent::parse(&[
            frame(sys_event(zmq::sys::ZMQ_EVENT_CONNECT_RETRIED), 250),
            b"e".to_vec()
        ])
        .unwrap(),
        MonitorEvent::ConnectRetried {
            interval: Duration::from_millis(250),
            endpoint: "e".into()
        }
    );
    // A closed fd of -1 (libzmq's retired fd) and a non-UTF-8 endpoint.
    assert_eq!(
        MonitorEvent::parse(&[
            frame(sys_event(zmq::sys::ZMQ_EVENT_CLOSED), u32::MAX),
            vec![0xff]
        ])
        .unwrap(),
        MonitorEvent::Closed {
            fd: -1,
            endpoint: "\u{fffd}".into()
        }
    );
    let malformed: [&[Vec<u8>]; 4] = [
        &[],
        &[frame(1, 1)],
        &[frame(1, 1), Vec::new(), Vec::new()],
        &[vec![1, 0, 0], Vec::new()],
    ];
    for frames in malformed {
        assert!(MonitorEvent::parse(frames).is_err(), "{frames:?}");
    }
    for raw in [0, 1, u32::MAX, 0x1100_0002, 0x2000_0005] {
        assert_eq!(ProtocolError::from_raw(raw).as_raw(), raw);
    }
}

fn sys_event(raw: i32) -> u16 {
    u16::try_from(raw).unwrap()
}

fn libc_eaddrinuse() -> u32 {
    u32::try_from(zmq::Error::AddrInUse.errno()).unwrap()
}

#[test]
fn monitor_stopped_ends_the_iterator() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let reader = server.monitor(MonitorEvents::LISTENING).unwrap().detach();
    server.bind("tcp://127.0.0.1:*").unwrap();
    // Closing the socket makes libzmq send MONITOR_STOPPED.
    drop(server);
    let events: Vec<_> = reader.iter(Some(TIMEOUT)).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(matches!(events[0], Ok(MonitorEvent::Listening { .. })));
    assert!(reader.is_stopped());
    // Nothing follows, and asking does not wait.
    let start = Instant::now();
    assert_eq!(reader.next_event(None).unwrap(), None);
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn detached_reader_reads_on_another_thread() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let reader = server.monitor(MonitorEvents::ALL).unwrap().detach();
    let events = std::thread::spawn(move || reader.iter(Some(TIMEOUT)).collect::<Vec<_>>());
    server.bind("tcp://127.0.0.1:*").unwrap();
    drop(server);
    let events = events.join().unwrap();
    assert!(
        matches!(events.first(), Some(Ok(MonitorEvent::Listening { .. }))),
        "{events:?}"
    );
    assert!(events.iter().all(Result::is_ok), "{events:?}");
}

#[test]
fn try_event_and_timeouts_do_not_wait() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let monitor = server.monitor(MonitorEvents::ALL).unwrap();
    assert_eq!(monitor.try_event().unwrap(), None);
    let start = Instant::now();
    assert_eq!(
        monitor.next_event(Some(Duration::from_millis(50))).unwrap(),
        None
    );
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(monitor.iter(Some(Duration::from_millis(10))).count(), 0);
}

#[test]
fn stop_receives_monitor_stopped() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let monitor = server.monitor(MonitorEvents::empty()).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let start = Instant::now();
    monitor.stop().unwrap();
    assert!(start.elapsed() < Duration::from_secs(1));
    // The socket can be monitored again.
    let again = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    assert!(matches!(
        again.next_event(Some(TIMEOUT)).unwrap(),
        Some(MonitorEvent::Listening { .. })
    ));
}

#[test]
fn a_new_monitor_replaces_the_old_one() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let first = server.monitor(MonitorEvents::ALL).unwrap();
    let second = server.monitor(MonitorEvents::ALL).unwrap();
    assert_eq!(
        first.next_event(Some(TIMEOUT)).unwrap(),
        Some(MonitorEvent::MonitorStopped)
    );
    // Dropping the replaced monitor leaves the new one running.
    drop(first);
    server.bind("tcp://127.0.0.1:*").unwrap();
    assert!(matches!(
        second.next_event(Some(TIMEOUT)).unwrap(),
        Some(MonitorEvent::Listening { .. })
    ));
}

#[test]
fn dropping_never_hangs() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);

    // With unread events queued.
    let monitor = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let start = Instant::now();
    drop(monitor);
    assert!(start.elapsed() < Duration::from_secs(2));

    // After the context was shut down.
    let monitor = server.monitor(MonitorEvents::ALL).unwrap();
    ctx.shutdown();
    let start = Instant::now();
    assert!(matches!(
        monitor.next_event(None),
        Err(zmq::Error::ContextTerminated) | Ok(Some(MonitorEvent::MonitorStopped))
    ));
    drop(monitor);
    assert!(start.elapsed() < Duration::from_secs(2));

    // Starting one on a shut down context fails cleanly.
    assert!(server.monitor(MonitorEvents::ALL).is_err());
}

#[test]
fn stop_after_context_shutdown_is_ok() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let monitor = server.monitor(MonitorEvents::ALL).unwrap();
    ctx.shutdown();
    let start = Instant::now();
    monitor.stop().unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn detached_reader_after_context_shutdown() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let reader = server.monitor(MonitorEvents::ALL).unwrap().detach();
    ctx.shutdown();
    // Either libzmq's MONITOR_STOPPED got through first or the shutdown is reported.
    let events: Vec<_> = reader.iter(Some(TIMEOUT)).collect();
    assert!(
        events.is_empty() || matches!(events[..], [Err(zmq::Error::ContextTerminated)]),
        "{events:?}"
    );
    drop(server);
    drop(reader);
}

#[test]
fn unread_events_never_block_the_monitored_socket() {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let ctx = context();
        let server = socket(&ctx, SocketType::Pull);
        let monitor = server.monitor(MonitorEvents::ALL).unwrap();
        // Two events each (LISTENING, CLOSED), far more than libzmq's default high-water
        // marks of the monitor's pipe, none read.
        for _ in 0..2_500 {
            server.bind("tcp://127.0.0.1:*").unwrap();
            let endpoint = server.last_endpoint().unwrap();
            server.unbind(&endpoint).unwrap();
        }
        let _ = done_tx.send(());
        let first = monitor.try_event().unwrap();
        assert!(
            matches!(first, Some(MonitorEvent::Listening { .. })),
            "{first:?}"
        );
        drop(monitor);
    });
    let finished = done_rx.recv_timeout(Duration::from_secs(30));
    assert!(
        finished.is_ok(),
        "binding blocked on the unread monitor events"
    );
    worker.join().unwrap();
}
