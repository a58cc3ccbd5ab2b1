//! The raw option escape hatch, `Socket::set_option_raw` and `Socket::get_option_raw`: every
//! option id (0 to 120, beyond the last one libzmq 4.3.5 knows) with every awkward size, on
//! every socket type, gives `Ok` or an error and never reads or writes outside the buffer;
//! what it sets is what the typed getters read.

mod common;

use std::time::Duration;

use common::context;
use zmq::{sys, Error, Socket, SocketType};

/// The sizes libzmq's length checks must hold against: empty, shorter than an `int`, an
/// `int`, an `int64_t`, the longest routing id, one more.
const SIZES: [usize; 7] = [0, 1, 3, 4, 8, 255, 256];

/// Every option id the fuzz covers: libzmq 4.3.5's last is 116.
const IDS: std::ops::RangeInclusive<i32> = 0..=120;

/// Every socket type of this build, the DRAFT ones included when it has them.
fn socket_types() -> Vec<SocketType> {
    let types: Vec<SocketType> = (0..=64).filter_map(SocketType::from_raw).collect();
    assert!(types.len() >= SocketType::ALL.len());
    types
}

fn is_expected_error(error: &Error) -> bool {
    matches!(error, Error::InvalidArgument | Error::NotSupported)
}

#[test]
fn every_id_and_size_on_every_socket_type_is_ok_or_an_error() {
    let ctx = context();
    for kind in socket_types() {
        let socket = ctx.socket(kind).expect("create a socket");
        for option in IDS {
            for size in SIZES {
                for fill in [0x00u8, 0x01, 0xff] {
                    let value = vec![fill; size];
                    if let Err(error) = socket.set_option_raw(option, &value) {
                        assert!(
                            is_expected_error(&error),
                            "{kind} set {option} with {size} bytes of {fill:#x}: {error:?}"
                        );
                    }
                }
                // A guard zone after the part libzmq is told about: it must stay as it was.
                let mut buf = vec![0xa5u8; size + 64];
                match socket.get_option_raw(option, &mut buf[..size]) {
                    Ok(len) => assert!(len <= size, "{kind} get {option}: {len} > {size}"),
                    Err(error) => assert!(
                        is_expected_error(&error),
                        "{kind} get {option} into {size} bytes: {error:?}"
                    ),
                }
                assert!(
                    buf[size..].iter().all(|&b| b == 0xa5),
                    "{kind} get {option} wrote past {size} bytes"
                );
            }
        }
        // The socket still answers after all that.
        assert_eq!(socket.socket_type(), Ok(kind));
    }
}

#[test]
fn ids_libzmq_does_not_know_are_invalid_argument() {
    let ctx = context();
    let socket = ctx.socket(SocketType::Dealer).expect("create a socket");
    for option in [-1, 117, 118, 119, 120, 1000, i32::MAX, i32::MIN] {
        for size in SIZES {
            assert_eq!(
                socket.set_option_raw(option, &vec![1; size]),
                Err(Error::InvalidArgument),
                "set {option} with {size} bytes"
            );
            assert_eq!(
                socket.get_option_raw(option, &mut vec![0; size]),
                Err(Error::InvalidArgument),
                "get {option} into {size} bytes"
            );
        }
    }
}

#[test]
fn an_int_option_takes_exactly_four_bytes() {
    let ctx = context();
    let socket = ctx.socket(SocketType::Pair).expect("create a socket");
    socket
        .set_option_raw(sys::ZMQ_LINGER, &1234i32.to_ne_bytes())
        .expect("set LINGER raw");
    assert_eq!(socket.linger(), Ok(Some(Duration::from_millis(1234))));
    for size in [0, 1, 3, 8, 255] {
        assert_eq!(
            socket.set_option_raw(sys::ZMQ_LINGER, &vec![0; size]),
            Err(Error::InvalidArgument),
            "{size} bytes"
        );
        assert_eq!(
            socket.get_option_raw(sys::ZMQ_LINGER, &mut vec![0; size]),
            Err(Error::InvalidArgument),
            "{size} bytes"
        );
    }
    // Refused sizes changed nothing.
    let mut int = [0u8; 4];
    assert_eq!(socket.get_option_raw(sys::ZMQ_LINGER, &mut int), Ok(4));
    assert_eq!(i32::from_ne_bytes(int), 1234);

    // An int64_t option takes exactly eight.
    socket
        .set_option_raw(sys::ZMQ_MAXMSGSIZE, &4096i64.to_ne_bytes())
        .expect("set MAXMSGSIZE raw");
    assert_eq!(socket.maxmsgsize(), Ok(Some(4096)));
    assert_eq!(
        socket.set_option_raw(sys::ZMQ_MAXMSGSIZE, &4096i32.to_ne_bytes()),
        Err(Error::InvalidArgument)
    );
}

#[test]
fn a_routing_id_is_1_to_255_bytes() {
    let ctx = context();
    let socket = ctx.socket(SocketType::Dealer).expect("create a socket");
    let longest: Vec<u8> = (0..=254).collect();
    socket
        .set_option_raw(sys::ZMQ_ROUTING_ID, &longest)
        .expect("255 bytes");
    assert_eq!(socket.routing_id().as_deref(), Ok(&longest[..]));
    assert_eq!(
        socket.set_option_raw(sys::ZMQ_ROUTING_ID, &[7; 256]),
        Err(Error::InvalidArgument)
    );
    // Read back raw: too small a buffer is refused, a large one says how much it holds.
    assert_eq!(
        socket.get_option_raw(sys::ZMQ_ROUTING_ID, &mut [0; 254]),
        Err(Error::InvalidArgument)
    );
    let mut buf = [0u8; 300];
    assert_eq!(
        socket.get_option_raw(sys::ZMQ_ROUTING_ID, &mut buf),
        Ok(255)
    );
    assert_eq!(&buf[..255], &longest[..]);
}

#[test]
fn a_string_reads_back_with_its_nul_and_needs_room_for_it() {
    let ctx = context();
    let socket = ctx.socket(SocketType::Dealer).expect("create a socket");
    socket
        .set_option_raw(sys::ZMQ_ZAP_DOMAIN, b"global")
        .expect("set ZAP_DOMAIN raw");
    assert_eq!(socket.zap_domain().as_deref(), Ok("global"));
    assert_eq!(
        socket.get_option_raw(sys::ZMQ_ZAP_DOMAIN, &mut [0; 6]),
        Err(Error::InvalidArgument),
        "no room for the NUL"
    );
    let mut buf = [0xffu8; 10];
    assert_eq!(socket.get_option_raw(sys::ZMQ_ZAP_DOMAIN, &mut buf), Ok(7));
    assert_eq!(&buf[..7], b"global\0");
    // An empty value is libzmq's "no value" (a null pointer), which clears the options that
    // can be cleared (the SOCKS proxy), and which the others refuse (the ZAP domain).
    socket
        .set_option_raw(sys::ZMQ_SOCKS_PROXY, b"127.0.0.1:1080")
        .expect("set SOCKS_PROXY raw");
    assert_eq!(socket.socks_proxy().as_deref(), Ok("127.0.0.1:1080"));
    socket
        .set_option_raw(sys::ZMQ_SOCKS_PROXY, b"")
        .expect("clear SOCKS_PROXY");
    assert_eq!(socket.socks_proxy().as_deref(), Ok(""));
    assert_eq!(
        socket.set_option_raw(sys::ZMQ_ZAP_DOMAIN, b""),
        Err(Error::InvalidArgument)
    );
    assert_eq!(socket.zap_domain().as_deref(), Ok("global"));
}

#[test]
fn the_socket_type_reads_raw() {
    let ctx = context();
    for kind in socket_types() {
        let socket = ctx.socket(kind).expect("create a socket");
        let mut int = [0u8; 4];
        assert_eq!(socket.get_option_raw(sys::ZMQ_TYPE, &mut int), Ok(4));
        assert_eq!(i32::from_ne_bytes(int), kind.as_raw(), "{kind}");
        // Read-only: setting it is refused.
        assert_eq!(
            socket.set_option_raw(sys::ZMQ_TYPE, &int),
            Err(Error::InvalidArgument)
        );
    }
}

#[test]
fn use_fd_is_refused_whatever_the_value() {
    let ctx = context();
    let socket = ctx.socket(SocketType::Pull).expect("create a socket");
    for value in [
        vec![],
        0i32.to_ne_bytes().to_vec(),
        1i32.to_ne_bytes().to_vec(),
    ] {
        assert_eq!(
            socket.set_option_raw(sys::ZMQ_USE_FD, &value),
            Err(Error::NotSupported)
        );
    }
    // Nothing reached libzmq: it still reads "no descriptor".
    assert_eq!(socket.use_fd(), Ok(-1));
}

#[test]
fn xsub_verbose_unsubscribe_takes_only_an_int() {
    let ctx = context();
    let socket = ctx.socket(SocketType::XSub).expect("create a socket");
    // libzmq 4.3.5 reads four bytes there whatever the size: refused before it sees them.
    for size in [0, 1, 3, 8, 255] {
        assert_eq!(
            socket.set_option_raw(sys::ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, &vec![1; size]),
            Err(Error::InvalidArgument),
            "{size} bytes"
        );
    }
    let expected = if zmq::has("draft") {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    };
    assert_eq!(
        socket.set_option_raw(sys::ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, &1i32.to_ne_bytes()),
        expected
    );
}

#[test]
fn curve_keys_take_32_40_or_41_bytes() {
    if !common::curve_or_skip() {
        return;
    }
    let ctx = context();
    let socket = ctx.socket(SocketType::Dealer).expect("create a socket");
    let pair = zmq::CurveKeyPair::generate().expect("generate a key pair");
    let z85 = pair.public().to_z85();
    let mut with_nul = z85.clone().into_bytes();
    with_nul.push(0);
    for value in [&pair.public().as_bytes()[..], z85.as_bytes(), &with_nul] {
        socket
            .set_option_raw(sys::ZMQ_CURVE_SERVERKEY, value)
            .unwrap_or_else(|e| panic!("{} bytes: {e}", value.len()));
        assert_eq!(socket.curve_serverkey().as_ref(), Ok(pair.public()));
    }
    for size in [0, 1, 31, 33, 39, 42] {
        assert_eq!(
            socket.set_option_raw(sys::ZMQ_CURVE_SERVERKEY, &vec![b'a'; size]),
            Err(Error::InvalidArgument),
            "{size} bytes"
        );
    }
    // 41 bytes without a NUL where it belongs: not Z85, refused.
    assert_eq!(
        socket.set_option_raw(sys::ZMQ_CURVE_SERVERKEY, &[b'a'; 41]),
        Err(Error::InvalidArgument)
    );
    // Read back as 41 bytes: Z85 and its NUL.
    let mut buf = [0u8; 41];
    assert_eq!(
        socket.get_option_raw(sys::ZMQ_CURVE_SERVERKEY, &mut buf),
        Ok(41)
    );
    assert_eq!(&buf[..40], z85.as_bytes());
    assert_eq!(buf[40], 0);
}

/// The raw calls work on any handle the user holds: a socket moved to another thread too.
#[test]
fn raw_options_on_a_socket_moved_to_another_thread() {
    let ctx = context();
    let socket: Socket = ctx.socket(SocketType::Sub).expect("create a socket");
    std::thread::spawn(move || {
        socket
            .set_option_raw(sys::ZMQ_SUBSCRIBE, b"topic")
            .expect("subscribe raw");
        socket
            .set_option_raw(sys::ZMQ_UNSUBSCRIBE, b"topic")
            .expect("unsubscribe raw");
    })
    .join()
    .expect("the thread ends");
}

#[cfg(zmq_draft)]
#[test]
fn the_thread_safe_handle_has_the_same_escape_hatch() {
    let ctx = context();
    let server = ctx
        .thread_safe_socket(zmq::ThreadSafeType::Server)
        .expect("create a SERVER socket");
    server
        .set_option_raw(sys::ZMQ_SNDHWM, &77i32.to_ne_bytes())
        .expect("set SNDHWM raw");
    assert_eq!(server.sndhwm(), Ok(77));
    let mut int = [0u8; 4];
    assert_eq!(server.get_option_raw(sys::ZMQ_SNDHWM, &mut int), Ok(4));
    assert_eq!(i32::from_ne_bytes(int), 77);
    assert_eq!(
        server.set_option_raw(sys::ZMQ_USE_FD, &3i32.to_ne_bytes()),
        Err(Error::NotSupported)
    );
    assert_eq!(
        server.get_option_raw(sys::ZMQ_SNDHWM, &mut [0; 3]),
        Err(Error::InvalidArgument)
    );
}

/// Found by tests/bad_input.rs: libzmq 4.3.5's SUB and XSUB keep subscriptions in a trie that
/// recurses once per byte, and an 18 KB subscription overflowed a test thread's stack. The
/// typed and raw setters refuse what is longer than `Socket::MAX_SUBSCRIPTION`.
#[test]
fn long_subscriptions_are_refused_before_they_overflow_the_stack() {
    let ctx = context();
    assert_eq!(Socket::MAX_SUBSCRIPTION, 4096);
    // XSUB subscribes with messages, not this option.
    let kind = SocketType::Sub;
    let socket = ctx.socket(kind).expect("create a socket");
    let longest = vec![b'x'; Socket::MAX_SUBSCRIPTION];
    socket
        .set_subscribe(&longest)
        .expect("the longest subscription");
    socket
        .set_option_raw(sys::ZMQ_SUBSCRIBE, &longest)
        .expect("the longest subscription, raw");
    for len in [Socket::MAX_SUBSCRIPTION + 1, 20_000, 1 << 20] {
        let topic = vec![b'x'; len];
        assert_eq!(
            socket.set_subscribe(&topic),
            Err(Error::InvalidArgument),
            "{kind}, {len}"
        );
        assert_eq!(
            socket.set_unsubscribe(&topic),
            Err(Error::InvalidArgument),
            "{kind}, {len}"
        );
        for option in [sys::ZMQ_SUBSCRIBE, sys::ZMQ_UNSUBSCRIBE] {
            assert_eq!(
                socket.set_option_raw(option, &topic),
                Err(Error::InvalidArgument),
                "{kind}, raw {option}, {len}"
            );
        }
    }
    socket.set_unsubscribe(&longest).expect("unsubscribe");
}
