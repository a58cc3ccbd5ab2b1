//! Bad input at every entry point that takes text or bytes: endpoints (bind, connect, unbind,
//! disconnect, bind_ephemeral_port), capability names, message properties, option setters
//! (typed and raw), monitor events, Z85, CURVE keys and certificates (text and files). Any
//! input, NUL bytes and unicode included, gives `Ok` or an `Err`, never a panic; a NUL byte
//! in text handed to libzmq is always `Error::InteriorNul` at its position.
//!
//! A heavy target of its own (`test = false` in Cargo.toml): scripts/test runs it once, with
//! `PROPTEST_CASES` set to what fits the CI budget; the requirement is 100,000 cases per
//! property (`PROPTEST_CASES=100000 cargo test --test bad_input --no-default-features
//! --release`). Without `PROPTEST_CASES`, proptest's default of 256 applies.
//!
//! Endpoints stay local: a transport that reaches the network or the file system gets a
//! fixed host (127.0.0.1) or an abstract ipc name, the random part never names another host,
//! and connecting to a valid port becomes port 1 (nothing listens there).

mod common;

use std::cell::RefCell;
use std::io::Write;

use proptest::prelude::*;
use zmq::{Certificate, CurveKey, Error, Message, MonitorEvent, MonitorEvents, Socket, SocketType};

fn config() -> ProptestConfig {
    // The default reads PROPTEST_CASES.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that is often awkward: any unicode, ASCII with control characters, NUL bytes at
/// random places, and long runs.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f]{0,40}",
        "[0-9*:;/@%.\\[\\] -]{0,20}",
        (any::<String>(), any::<prop::sample::Index>()).prop_map(|(text, at)| {
            let mut chars: Vec<char> = text.chars().collect();
            let at = at.index(chars.len() + 1);
            chars.insert(at, '\0');
            chars.into_iter().collect()
        }),
        (".{0,4}", 100usize..5000).prop_map(|(unit, n)| unit.repeat(n)),
    ]
}

fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        nasty_text().prop_map(String::into_bytes),
    ]
}

/// Beginnings that keep an endpoint local, and whether the rest could name a host.
const PREFIXES: &[(&str, bool)] = &[
    ("inproc://", false),
    ("ipc://@zmq-bad-input-", false),
    ("tcp://127.0.0.1:", true),
    ("tcp://[::1]:", true),
    ("tcp://127.0.0.1:0;127.0.0.1:", true),
    ("ws://127.0.0.1:", true),
    ("wss://127.0.0.1:", true),
    ("udp://127.0.0.1:", true),
    ("pgm://127.0.0.1;239.192.1.1:", true),
    ("bogus://", false),
    ("TCP://", false),
    ("", false),
];

/// Transports that reach the network or the file system: a random endpoint naming one is
/// not tried as it is.
const NETWORK_SCHEMES: &[&str] = &[
    "tcp", "ipc", "ws", "wss", "udp", "pgm", "epgm", "norm", "tipc", "vmci",
];

/// A local endpoint from a prefix and random text, or `None` if it could leave the machine.
fn local_endpoint(prefix: usize, rest: &str, connect: bool) -> Option<String> {
    let (prefix, network) = PREFIXES[prefix % PREFIXES.len()];
    if network && rest.contains([':', ';', '/', '[', ']', '@', '%', '?', '#']) {
        return None;
    }
    let mut rest = rest.to_owned();
    if network && connect && rest.parse::<u16>().is_ok_and(|port| port != 0) {
        rest = "1".to_owned();
    }
    let endpoint = format!("{prefix}{rest}");
    if prefix.is_empty() {
        let scheme = endpoint.split_once("://").map(|(scheme, _)| scheme)?;
        if NETWORK_SCHEMES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(scheme.trim()))
        {
            return None;
        }
    }
    Some(endpoint)
}

thread_local! {
    static CONTEXT: zmq::Context = common::context();
    /// A received message, which has metadata to look up.
    static RECEIVED: RefCell<Option<Message>> = const { RefCell::new(None) };
}

/// Runs `f` on a socket of a context of its own: one context for every case ran into
/// libzmq's socket limit (closed sockets are reaped in the background). Terminating each one
/// also exercises the crate's completion of inproc connects still waiting for a bind (libzmq
/// 4.3 alone aborts with over a thousand of them: tests/lifecycle.rs).
fn with_socket<R>(kind: SocketType, f: impl FnOnce(&Socket) -> R) -> R {
    let ctx = common::context();
    let socket = common::socket(&ctx, kind);
    f(&socket)
}

fn is_binding_error(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidArgument
            | Error::InteriorNul { .. }
            | Error::ProtocolNotSupported
            | Error::IncompatibleProtocol
            | Error::AddrInUse
            | Error::AddrNotAvailable
            | Error::EndpointNotFound
            | Error::NoSuchDevice
            | Error::Other(_)
    )
}

fn expect_nul_error<T: std::fmt::Debug>(text: &str, result: &zmq::Result<T>) {
    if let Some(position) = text.find('\0') {
        assert!(
            matches!(result, Err(Error::InteriorNul { position: p }) if *p == position),
            "{text:?}: {result:?}"
        );
    }
}

fn received() -> Message {
    RECEIVED.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                CONTEXT.with(|ctx| {
                    let (pull, push) = common::connected(
                        ctx,
                        SocketType::Pull,
                        SocketType::Push,
                        common::Transport::Tcp,
                    );
                    push.send("with metadata", zmq::SendFlags::empty())
                        .expect("send");
                    pull.recv_msg(zmq::RecvFlags::empty()).expect("receive")
                })
            })
            .clone()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn endpoint_calls_give_ok_or_an_error(
        prefix in any::<usize>(),
        rest in nasty_text(),
        call in 0usize..4,
    ) {
        if let Some(endpoint) = local_endpoint(prefix, &rest, call == 1) {
            with_socket(SocketType::Pair, |socket| {
                let result = match call {
                    0 => socket.bind(&endpoint),
                    1 => socket.connect(&endpoint),
                    2 => socket.unbind(&endpoint),
                    _ => socket.disconnect(&endpoint),
                };
                expect_nul_error(&endpoint, &result);
                if let Err(error) = &result {
                    assert!(is_binding_error(error), "{call} {endpoint:?}: {error:?}");
                    if call < 2 {
                        assert_eq!(socket.last_endpoint().as_deref(), Ok(""));
                    }
                }
            });
        }
    }

    #[test]
    fn bind_ephemeral_port_gives_ok_or_an_error(rest in nasty_text(), scheme in 0usize..4) {
        if !rest.contains([':', ';', '/', '[', ']', '@', '%', '?', '#', '*']) {
            let address = match scheme {
                0 => format!("tcp://127.0.0.1{rest}"),
                1 => format!("ws://127.0.0.1{rest}"),
                2 => format!("inproc://{rest}"),
                _ => rest.clone(),
            };
            with_socket(SocketType::Pair, |socket| {
                match socket.bind_ephemeral_port(&address) {
                    // 127.0.0.1 and a digit is still loopback (127.0.0.10): bound there.
                    Ok(endpoint) => assert!(
                        endpoint.starts_with(&format!("{address}:")),
                        "{address:?} bound {endpoint}"
                    ),
                    Err(error) => assert!(is_binding_error(&error), "{address:?}: {error:?}"),
                }
            });
        }
    }

    #[test]
    fn capability_names_give_a_bool(name in nasty_text()) {
        let has = zmq::has(&name);
        if name.contains('\0') {
            assert!(!has);
        }
    }

    #[test]
    fn message_properties_give_some_or_none(name in nasty_text()) {
        let msg = received();
        let value = msg.gets_bytes(&name);
        if name.contains('\0') {
            assert_eq!(value, None);
        }
        assert_eq!(msg.gets(&name).map(str::as_bytes), value.filter(|v| std::str::from_utf8(v).is_ok()));
        assert_eq!(Message::new().gets(&name), None);
    }

    #[test]
    fn text_option_setters_give_ok_or_an_error(value in nasty_text(), which in 0usize..7, kind in 0usize..12) {
        with_socket(SocketType::ALL[kind], |socket| {
            let result = match which {
                0 => socket.set_zap_domain(&value),
                1 => socket.set_plain_username(&value),
                2 => socket.set_plain_password(&value),
                3 => socket.set_socks_proxy(&value),
                4 => socket.set_bindtodevice(&value),
                5 => {
                    #[allow(deprecated)]
                    let result = socket.set_tcp_accept_filter(&value);
                    result
                }
                _ => socket.set_gssapi_principal(&value),
            };
            expect_nul_error(&value, &result);
            if let Err(error) = result {
                assert!(
                    matches!(error, Error::InvalidArgument | Error::InteriorNul { .. }),
                    "option {which}, {value:?}: {error:?}"
                );
            }
        });
    }

    #[test]
    fn byte_option_setters_give_ok_or_an_error(value in nasty_bytes(), which in 0usize..5, kind in 0usize..12) {
        with_socket(SocketType::ALL[kind], |socket| {
            let result = match which {
                0 => socket.set_routing_id(&value),
                1 => socket.set_connect_routing_id(&value),
                2 => socket.set_subscribe(&value),
                3 => socket.set_unsubscribe(&value),
                _ => socket.set_xpub_welcome_msg(&value),
            };
            if let Err(error) = result {
                assert!(
                    matches!(error, Error::InvalidArgument | Error::NotSupported),
                    "option {which}, {} bytes: {error:?}", value.len()
                );
            }
        });
    }

    #[test]
    fn raw_options_give_ok_or_an_error(
        option in -5i32..130,
        value in nasty_bytes(),
        buf_len in 0usize..300,
        kind in 0usize..12,
    ) {
        with_socket(SocketType::ALL[kind], |socket| {
            if let Err(error) = socket.set_option_raw(option, &value) {
                assert!(matches!(error, Error::InvalidArgument | Error::NotSupported), "{error:?}");
            }
            let mut buf = vec![0u8; buf_len];
            match socket.get_option_raw(option, &mut buf) {
                Ok(len) => assert!(len <= buf_len),
                Err(error) => assert_eq!(error, Error::InvalidArgument),
            }
        });
    }

    #[test]
    fn monitor_takes_any_event_bits(bits in any::<u16>()) {
        with_socket(SocketType::Pair, |socket| {
            match socket.monitor(MonitorEvents::from_bits_retain(bits)) {
                Ok(monitor) => drop(monitor),
                Err(error) => assert_eq!(error, Error::InvalidArgument),
            }
        });
    }

    #[test]
    fn monitor_frames_parse_or_fail(frames in prop::collection::vec(nasty_bytes(), 0..4)) {
        let _ = MonitorEvent::parse(&frames);
    }

    #[test]
    fn z85_gives_ok_or_an_error(text in nasty_text(), data in nasty_bytes()) {
        if let Ok(bytes) = zmq::z85::decode(&text) {
            assert_eq!(zmq::z85::encode(&bytes).as_deref(), Ok(text.as_str()));
        }
        match zmq::z85::encode(&data) {
            Ok(encoded) => assert_eq!(zmq::z85::decode(&encoded), Ok(data)),
            Err(error) => assert!(matches!(error, Error::InvalidZ85(_))),
        }
        let parsed = text.parse::<CurveKey>();
        assert_eq!(parsed, CurveKey::from_z85(&text));
        if let Ok(key) = parsed {
            assert_eq!(key.to_z85(), text);
        }
    }

    #[test]
    fn certificate_text_parses_or_fails(text in nasty_text()) {
        if let Ok(cert) = Certificate::parse(&text) {
            let again = Certificate::parse(&cert.to_public_text()).expect("what parsed writes back");
            assert_eq!(again.public(), cert.public());
        }
    }

    #[test]
    fn certificate_files_load_or_fail(contents in nasty_bytes()) {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("bad-input-{}.cert", std::process::id()));
        std::fs::File::create(&path)
            .and_then(|mut file| file.write_all(&contents))
            .expect("write the certificate file");
        match Certificate::load(&path) {
            Ok(cert) => assert!(std::str::from_utf8(&contents).is_ok(), "{cert:?} from non-UTF-8"),
            Err(error) => assert!(
                matches!(error, Error::InvalidCertificate(_) | Error::Io { .. } | Error::InvalidZ85(_) | Error::NotSupported),
                "{error:?}"
            ),
        }
    }

    #[test]
    fn certificate_metadata_is_set_or_refused(name in nasty_text(), value in nasty_text()) {
        let mut cert = Certificate::from_public(CurveKey::from_bytes([7; 32]));
        if cert.set_metadata(&name, &value).is_ok() {
            let parsed = Certificate::parse(&cert.to_public_text()).expect("it writes back");
            assert_eq!(parsed.metadata_value(&name), Some(value.as_str()));
        }
    }

    #[test]
    fn socket_type_names_are_known_or_not(name in nasty_text()) {
        if let Some(kind) = SocketType::from_name(&name) {
            assert_eq!(kind.name(), name);
        }
    }

    #[test]
    fn impossible_message_sizes_are_out_of_memory(shift in 0u32..8) {
        assert_eq!(Message::with_size(usize::MAX >> shift).err(), Some(Error::OutOfMemory));
    }
}

#[cfg(zmq_draft)]
proptest! {
    #![proptest_config(config())]

    #[test]
    fn groups_give_ok_or_an_error(group in nasty_text()) {
        let mut msg = Message::from("x");
        let result = msg.set_group(&group);
        expect_nul_error(&group, &result);
        if result.is_ok() {
            assert_eq!(msg.group(), (!group.is_empty()).then_some(group.as_str()));
        }
        let ctx = common::context();
        let dish = ctx
            .thread_safe_socket(zmq::ThreadSafeType::Dish)
            .expect("a DISH socket");
        let joined = dish.join(&group);
        expect_nul_error(&group, &joined);
        if joined.is_ok() {
            dish.leave(&group).expect("leave what was joined");
        }
    }
}
