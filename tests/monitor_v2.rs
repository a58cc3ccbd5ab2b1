//! Version 2 monitor events (DRAFT): all values, both endpoints, and pipe statistics.
#![cfg(zmq_draft)]

mod common;

use std::time::{Duration, Instant};

use common::{context, socket, TIMEOUT};
use zmq::{Error, MonitorEvent, MonitorEventV2, MonitorEvents, SendFlags, SocketType};

/// Waits for the first event whose typed part `wanted` accepts.
fn wait_for(
    monitor: &zmq::Monitor<'_, MonitorEventV2>,
    what: &str,
    wanted: impl Fn(&MonitorEvent) -> bool,
) -> MonitorEventV2 {
    common::wait_for_event(monitor, what, |e| wanted(&e.event)).0
}

#[test]
fn events_carry_both_endpoints_of_a_connection() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    let server_monitor = server.monitor_v2(MonitorEvents::ALL).unwrap();
    let endpoint = server.bind_ephemeral_port("tcp://127.0.0.1").unwrap();
    let listening = wait_for(&server_monitor, "LISTENING", |e| {
        matches!(e, MonitorEvent::Listening { .. })
    });
    assert_eq!(listening.local_endpoint, endpoint);
    assert_eq!(listening.remote_endpoint, "");
    assert_eq!(listening.event.endpoint(), Some(endpoint.as_str()));

    let client = socket(&ctx, SocketType::Push);
    let client_monitor = client.monitor_v2(MonitorEvents::ALL).unwrap();
    client.connect(&endpoint).unwrap();

    let connected = wait_for(&client_monitor, "CONNECTED", |e| {
        matches!(e, MonitorEvent::Connected { .. })
    });
    assert_eq!(connected.remote_endpoint, endpoint);
    assert!(
        matches!(&connected.event, MonitorEvent::Connected { fd, endpoint: at } if *fd >= 0 && *at == endpoint),
        "{connected:?}"
    );
    let accepted = wait_for(&server_monitor, "ACCEPTED", |e| {
        matches!(e, MonitorEvent::Accepted { .. })
    });
    assert_eq!(accepted.local_endpoint, endpoint);
    // The server sees the client's ephemeral port, the client its own end of the same
    // connection.
    let client_end = accepted.remote_endpoint.clone();
    assert!(
        client_end.starts_with("tcp://127.0.0.1:") && client_end != endpoint,
        "{accepted:?}"
    );
    let handshake = wait_for(&client_monitor, "HANDSHAKE_SUCCEEDED", |e| {
        matches!(e, MonitorEvent::HandshakeSucceeded { .. })
    });
    assert_eq!(handshake.remote_endpoint, endpoint);
    assert_eq!(handshake.local_endpoint, client_end);

    client_monitor.stop().unwrap();
    drop(client);
    let disconnected = wait_for(&server_monitor, "DISCONNECTED", |e| {
        matches!(e, MonitorEvent::Disconnected { .. })
    });
    assert_eq!(disconnected.remote_endpoint, client_end);
    server_monitor.stop().unwrap();
}

#[test]
fn pipes_stats_count_the_queued_messages_on_each_connection() {
    let ctx = context();
    let sender = socket(&ctx, SocketType::Push);
    let monitor = sender.monitor_v2(MonitorEvents::empty()).unwrap();
    let endpoint = sender.bind_ephemeral_port("tcp://127.0.0.1").unwrap();
    // No connection yet: nothing to report.
    assert_eq!(sender.request_pipes_stats(), Err(Error::WouldBlock));

    // A receiver that never reads, so what is sent stays queued somewhere along the way.
    let receiver = socket(&ctx, SocketType::Pull);
    receiver.connect(&endpoint).unwrap();
    common::eventually("the connection", || {
        sender
            .send("probe", SendFlags::DONTWAIT)
            .ok()
            .map(|()| receiver.recv_msg(zmq::RecvFlags::empty()).unwrap())
    });
    for n in 0..5u8 {
        sender.send(&[n][..], SendFlags::empty()).unwrap();
    }
    sender.request_pipes_stats().unwrap();
    // The answer travels through the I/O thread and is published when the socket next
    // processes commands: any call on it does, so keep asking for its events meanwhile.
    let deadline = Instant::now() + TIMEOUT;
    let stats = loop {
        assert!(Instant::now() < deadline, "no PIPES_STATS event");
        let _ = sender.events().unwrap();
        if let Some(event) = monitor.next_event(Some(Duration::from_millis(20))).unwrap() {
            break event;
        }
    };
    let MonitorEvent::PipesStats {
        outbound,
        inbound,
        endpoint: at,
    } = stats.event
    else {
        panic!("expected PIPES_STATS, got {stats:?}")
    };
    // A PUSH socket receives nothing. Its egress count is what was written to the pipe less
    // what the I/O thread acknowledged reading, which it does in batches: at most the six
    // messages sent on this connection (the probe and five).
    assert_eq!(inbound, 0);
    assert!(outbound <= 6, "{outbound}");
    assert_eq!(stats.local_endpoint, endpoint);
    assert_eq!(at, stats.remote_endpoint);
    monitor.stop().unwrap();
}

#[test]
fn pipes_stats_need_a_version_2_monitor() {
    let ctx = context();
    let sender = socket(&ctx, SocketType::Push);
    assert_eq!(sender.request_pipes_stats(), Err(Error::InvalidArgument));
    let v1 = sender.monitor(MonitorEvents::ALL).unwrap();
    assert_eq!(sender.request_pipes_stats(), Err(Error::InvalidArgument));
    v1.stop().unwrap();
}

#[test]
fn dropping_a_version_2_monitor_stops_it_and_a_new_one_replaces_it() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Rep);
    let first = server.monitor_v2(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    // A second monitor (version 1 this time) replaces it: the first ends with MONITOR_STOPPED.
    let second = server.monitor(MonitorEvents::ALL).unwrap();
    let mut stopped = false;
    for event in first.iter(Some(TIMEOUT)) {
        assert!(!stopped);
        if event.unwrap().event == MonitorEvent::MonitorStopped {
            stopped = true;
        }
    }
    let started = Instant::now();
    drop(first);
    drop(second);
    assert!(started.elapsed() < Duration::from_secs(2));
}

fn number(n: u64) -> Vec<u8> {
    n.to_ne_bytes().to_vec()
}

#[test]
fn the_parser_refuses_malformed_frames_and_keeps_unknown_events() {
    let event = |frames: &[Vec<u8>]| MonitorEventV2::parse(frames);
    let ends = || [b"tcp://a:1".to_vec(), b"tcp://b:2".to_vec()];
    // An unknown event with 64-bit number and value.
    let unknown = event(
        &[
            vec![number(1 << 40), number(1), number(u64::MAX)],
            ends().to_vec(),
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(
        unknown.event,
        MonitorEvent::Unknown {
            event: 1 << 40,
            value: u64::MAX,
            endpoint: "tcp://b:2".into()
        }
    );
    // An fd of -1, widened to 64 bits, reads back as -1.
    let closed = event(
        &[
            vec![
                number(zmq::sys::ZMQ_EVENT_CLOSED as u64),
                number(1),
                number(u64::MAX),
            ],
            ends().to_vec(),
        ]
        .concat(),
    )
    .unwrap();
    assert!(
        matches!(closed.event, MonitorEvent::Closed { fd: -1, .. }),
        "{closed:?}"
    );
    // A count that does not match the frames, short numbers, a missing endpoint, no values.
    let bad: [Vec<Vec<u8>>; 5] = [
        [vec![number(1), number(2), number(0)], ends().to_vec()].concat(),
        [vec![number(1), number(1), vec![0; 4]], ends().to_vec()].concat(),
        vec![number(1), number(1), number(0), b"tcp://a:1".to_vec()],
        [vec![number(1), number(0)], ends().to_vec()].concat(),
        [
            vec![
                number(zmq::sys::ZMQ_EVENT_PIPES_STATS as u64),
                number(1),
                number(3),
            ],
            ends().to_vec(),
        ]
        .concat(),
    ];
    for frames in bad {
        assert_eq!(
            event(&frames),
            Err(Error::Other(libc::EPROTO)),
            "{frames:?}"
        );
    }
    assert!(MonitorEventV2::parse::<Vec<u8>>(&[]).is_err());
}
