//! The opt-in throughput setup: the batch-size options it sets, the socket types it refuses,
//! and that it still delivers every message intact; and the process-wide malloc tuning.

mod common;

use common::Transport;
use zmq::{RecvFlags, SendFlags, SocketType};

#[cfg(zmq_draft)]
#[test]
fn the_streaming_setup_raises_both_batch_sizes_on_streaming_sockets() {
    use zmq::ThroughputSetup;
    let ctx = common::context();
    for kind in [
        SocketType::Push,
        SocketType::Pull,
        SocketType::Pub,
        SocketType::Sub,
        SocketType::XPub,
        SocketType::XSub,
    ] {
        let socket = common::socket(&ctx, kind);
        assert_eq!(socket.in_batch_size().unwrap(), 8192, "{kind:?}");
        socket
            .apply_throughput_setup(&ThroughputSetup::STREAMING)
            .unwrap();
        assert_eq!(socket.in_batch_size().unwrap(), 256 * 1024, "{kind:?}");
        assert_eq!(socket.out_batch_size().unwrap(), 256 * 1024, "{kind:?}");
        let custom = ThroughputSetup::new(65536, 32768).unwrap();
        socket.apply_throughput_setup(&custom).unwrap();
        assert_eq!(socket.in_batch_size().unwrap(), 65536);
        assert_eq!(socket.out_batch_size().unwrap(), 32768);
        socket
            .apply_throughput_setup(&ThroughputSetup::LIBZMQ_DEFAULTS)
            .unwrap();
        assert_eq!(socket.in_batch_size().unwrap(), 8192);
        assert_eq!(socket.out_batch_size().unwrap(), 8192);
    }
}

#[cfg(zmq_draft)]
#[test]
fn the_setup_refuses_request_reply_sockets_and_leaves_them_unchanged() {
    let ctx = common::context();
    for kind in [
        SocketType::Req,
        SocketType::Rep,
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pair,
    ] {
        let socket = common::socket(&ctx, kind);
        assert_eq!(
            socket.apply_throughput_setup(&zmq::ThroughputSetup::STREAMING),
            Err(zmq::Error::NotSupported),
            "{kind:?}"
        );
        assert_eq!(socket.in_batch_size().unwrap(), 8192, "{kind:?}");
        assert_eq!(socket.out_batch_size().unwrap(), 8192, "{kind:?}");
        // The typed options stay available for a deliberate choice.
        socket.set_out_batch_size(65536).unwrap();
        assert_eq!(socket.out_batch_size().unwrap(), 65536);
    }
}

#[cfg(zmq_draft)]
#[test]
fn batch_sizes_must_be_positive() {
    assert_eq!(
        zmq::ThroughputSetup::new(0, 8192),
        Err(zmq::Error::InvalidArgument)
    );
    assert_eq!(
        zmq::ThroughputSetup::new(8192, -1),
        Err(zmq::Error::InvalidArgument)
    );
    let ctx = common::context();
    let socket = common::socket(&ctx, SocketType::Push);
    assert_eq!(
        socket.set_in_batch_size(0),
        Err(zmq::Error::InvalidArgument)
    );
    assert_eq!(
        socket.set_out_batch_size(-5),
        Err(zmq::Error::InvalidArgument)
    );
    assert_eq!(socket.in_batch_size().unwrap(), 8192);
}

#[cfg(zmq_draft)]
#[test]
fn tuned_sockets_deliver_every_message_intact() {
    let ctx = common::context();
    let pull = common::socket(&ctx, SocketType::Pull);
    pull.apply_throughput_setup(&zmq::ThroughputSetup::STREAMING)
        .unwrap();
    let endpoint = common::bind(&pull, Transport::Tcp);
    let push = common::socket(&ctx, SocketType::Push);
    push.apply_throughput_setup(&zmq::ThroughputSetup::STREAMING)
        .unwrap();
    push.connect(&endpoint).unwrap();
    // Sizes around the batch size, so messages straddle and exceed batches.
    let sizes = [1usize, 1000, 8192, 100_000, 262_144, 300_000];
    for round in 0..20u8 {
        for &size in &sizes {
            let payload = vec![round ^ (size as u8); size];
            push.send(payload, SendFlags::empty()).unwrap();
        }
    }
    let mut msg = zmq::Message::new();
    for round in 0..20u8 {
        for &size in &sizes {
            pull.recv(&mut msg, RecvFlags::empty()).unwrap();
            assert_eq!(msg.len(), size);
            assert!(msg.iter().all(|&b| b == round ^ (size as u8)));
        }
    }
}

/// Without the DRAFT API the batch sizes are refused by libzmq itself, which is why the typed
/// options and the setup exist only with feature `draft`. (A libzmq with the DRAFT API
/// linked without the feature takes them through the raw escape hatch.)
#[cfg(not(zmq_draft))]
#[test]
fn a_libzmq_without_draft_refuses_the_batch_sizes() {
    let ctx = common::context();
    let socket = common::socket(&ctx, SocketType::Push);
    let expected = if zmq::has("draft") {
        Ok(())
    } else {
        Err(zmq::Error::InvalidArgument)
    };
    for option in [zmq::sys::ZMQ_IN_BATCH_SIZE, zmq::sys::ZMQ_OUT_BATCH_SIZE] {
        assert_eq!(
            socket.set_option_raw(option, &262_144i32.to_ne_bytes()),
            expected,
            "option {option}"
        );
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_malloc_tuning_is_accepted_and_large_messages_still_flow() {
    // Under scripts/asan, AddressSanitizer's allocator replaces glibc's malloc and refuses
    // mallopt: the tuning says so instead of claiming an effect.
    let expected = if std::env::var("ZMQ_UNDER_ASAN").is_ok_and(|v| v == "1") {
        Err(zmq::Error::NotSupported)
    } else {
        Ok(())
    };
    assert_eq!(zmq::tune_malloc_for_large_messages(), expected);
    // Twice is fine: it only sets the same thresholds again.
    assert_eq!(zmq::tune_malloc_for_large_messages(), expected);
    let ctx = common::context();
    let (pull, push) =
        common::connected(&ctx, SocketType::Pull, SocketType::Push, Transport::Inproc);
    for i in 0..8u8 {
        push.send(
            zmq::Message::with_size_uninit(1 << 20).unwrap().fill(i),
            SendFlags::empty(),
        )
        .unwrap();
    }
    for i in 0..8u8 {
        let msg = pull.recv_msg(RecvFlags::empty()).unwrap();
        assert_eq!(msg.len(), 1 << 20);
        assert!(msg.iter().all(|&b| b == i));
    }
}
