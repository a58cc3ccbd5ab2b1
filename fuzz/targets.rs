//! The fuzz targets' bodies, shared by the cargo-fuzz binaries in `fuzz/fuzz_targets/` and by
//! the stable test `tests/fuzz_corpora.rs`, which replays every committed corpus file through
//! them in every configuration.
//!
//! Each function takes the fuzzer's bytes and panics only when the crate misbehaves: a panic
//! in the crate itself, an error where none is possible, or data that comes back different.
//! Every call that may fail for a good reason must return `Ok` or `Err`, never hang: sockets
//! have a linger of zero and every send and receive is non-blocking.
//!
//! Nothing here touches the network beyond the loopback interface or the file system: the
//! endpoints tried are inproc, abstract-namespace ipc (no file), or tcp, ws and udp with the
//! host fixed to 127.0.0.1.

// Each includer uses every function, but not every includer is a fuzz binary.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use zmq::{Context, Error, Message, RecvFlags, SendFlags, Socket, SocketType};

/// Reads the fuzzer's bytes front to back; past the end it reads zeros.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Input<'a> {
        Input { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&first, rest)) => {
                self.data = rest;
                first
            }
            None => 0,
        }
    }

    /// Up to `max` bytes, the count taken from the input.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let len = (usize::from(self.byte()) % (max + 1)).min(self.data.len());
        let (taken, rest) = self.data.split_at(len);
        self.data = rest;
        taken
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// One context for the targets that do not shut theirs down: making one per input would cost
/// an I/O thread each time.
fn shared_context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        Context::builder()
            .linger(Some(Duration::ZERO))
            .build()
            .expect("create a context")
    })
}

/// Every socket type of this build that a plain [`Socket`] can be (the DRAFT DGRAM included
/// when the build has DRAFT; the thread-safe types have their own handle).
fn socket_types() -> Vec<SocketType> {
    (0..=64)
        .filter_map(SocketType::from_raw)
        .filter(|t| !t.is_thread_safe())
        .collect()
}

/// Z85: decoding any text is `Ok` or `Err`; what decodes encodes back to the same text, and
/// libzmq agrees on what is valid.
pub fn z85(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match zmq::z85::decode(&text) {
        Ok(bytes) => {
            assert_eq!(bytes.len(), text.len() / 5 * 4);
            let again = zmq::z85::encode(&bytes).expect("decoded bytes encode");
            assert_eq!(again, text, "decode then encode changed the text");
        }
        Err(Error::InvalidZ85(_)) => {}
        Err(other) => panic!("z85::decode failed with {other:?}"),
    }
    match zmq::CurveKey::from_z85(&text) {
        Ok(key) => assert_eq!(key.to_z85(), text),
        Err(Error::InvalidArgument) => assert_ne!(text.len(), 40, "40 bytes of text"),
        Err(Error::InvalidZ85(_)) => assert_eq!(text.len(), 40),
        Err(other) => panic!("CurveKey::from_z85 failed with {other:?}"),
    }
    // Encoding: whole groups of 4 bytes only.
    match zmq::z85::encode(data) {
        Ok(text) => {
            assert_eq!(data.len() % 4, 0);
            assert_eq!(zmq::z85::decode(&text).as_deref(), Ok(data));
        }
        Err(Error::InvalidZ85(_)) => assert_ne!(data.len() % 4, 0),
        Err(other) => panic!("z85::encode failed with {other:?}"),
    }
}

/// The fixed beginnings of the endpoints tried, which keep them local: the rest comes from the
/// input. For the network ones the rest may not hold `:`, `;`, `/`, `[`, `]`, `@` or `%`, so
/// the host stays 127.0.0.1 (no name lookup, no other address).
const ENDPOINT_PREFIXES: &[(&str, bool)] = &[
    ("inproc://", false),
    ("ipc://@zmq-fuzz-", false),
    ("tcp://127.0.0.1:", true),
    ("tcp://127.0.0.1:0;127.0.0.1:", true),
    ("tcp://[::1]:", true),
    ("ws://127.0.0.1:", true),
    ("udp://127.0.0.1:", true),
    // No prefix: only transports libzmq does not know get through (see `local_only`).
    ("", false),
];

/// The transports that reach the network or the file system, which the unprefixed input may
/// not name.
const NETWORK_SCHEMES: &[&str] = &[
    "tcp", "ipc", "ws", "wss", "udp", "pgm", "epgm", "norm", "tipc", "vmci",
];

fn local_only(endpoint: &str) -> bool {
    match endpoint.split_once("://") {
        Some((scheme, _)) => !NETWORK_SCHEMES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(scheme.trim())),
        None => true,
    }
}

/// The endpoint the input describes, `None` if it could leave the machine's loopback. To
/// connect, a valid port becomes port 1 (privileged, so no test listens there): the fuzzer
/// must not knock on other programs' ports.
pub fn fuzz_endpoint(input: &mut Input<'_>, connect: bool) -> Option<String> {
    let (prefix, network) = ENDPOINT_PREFIXES[usize::from(input.byte()) % ENDPOINT_PREFIXES.len()];
    let mut rest = String::from_utf8_lossy(input.bytes(64)).into_owned();
    if network && rest.contains([':', ';', '/', '[', ']', '@', '%']) {
        return None;
    }
    if network
        && connect
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
        && rest
            .parse::<u32>()
            .is_ok_and(|port| (1..=65535).contains(&port))
    {
        rest = "1".to_owned();
    }
    let endpoint = format!("{prefix}{rest}");
    if prefix.is_empty() && !local_only(&endpoint) {
        return None;
    }
    Some(endpoint)
}

/// A socket of the type the input's next byte picks, on the shared context (`None` when
/// libzmq cannot make one, e.g. at its socket limit).
fn any_socket(input: &mut Input) -> Option<Socket> {
    let types = socket_types();
    let kind = types[usize::from(input.byte()) % types.len()];
    shared_context().socket(kind).ok()
}

/// Endpoints: bind, connect, unbind and disconnect with any endpoint give `Ok` or an `Err`;
/// a NUL byte is always `InteriorNul`; a failed bind binds nothing.
pub fn endpoints(data: &[u8]) {
    let mut input = Input::new(data);
    let Some(socket) = any_socket(&mut input) else {
        return;
    };
    while !input.is_empty() {
        let op = input.byte() % 4;
        let Some(endpoint) = fuzz_endpoint(&mut input, op == 1) else {
            continue;
        };
        let before = socket.last_endpoint().expect("read LAST_ENDPOINT");
        let result = match op {
            0 => socket.bind(&endpoint),
            1 => socket.connect(&endpoint),
            2 => socket.unbind(&endpoint),
            _ => socket.disconnect(&endpoint),
        };
        if let Some(position) = endpoint.find('\0') {
            assert_eq!(result, Err(Error::InteriorNul { position }), "{endpoint:?}");
        }
        match result {
            Ok(()) => {}
            Err(
                Error::InvalidArgument
                | Error::InteriorNul { .. }
                | Error::ProtocolNotSupported
                | Error::IncompatibleProtocol
                | Error::AddrInUse
                | Error::AddrNotAvailable
                | Error::EndpointNotFound
                | Error::NoSuchDevice
                | Error::NotSupported
                | Error::Other(_),
            ) => {
                if op < 2 {
                    assert_eq!(
                        socket.last_endpoint().expect("read LAST_ENDPOINT"),
                        before,
                        "a failed {} of {endpoint:?} changed LAST_ENDPOINT",
                        if op == 0 { "bind" } else { "connect" }
                    );
                }
            }
            Err(other) => panic!("endpoint call {op} on {endpoint:?}: unexpected {other:?}"),
        }
    }
}

/// Options: any id (0 to 120, beyond the last one libzmq knows) with any bytes, set and read
/// back raw on any socket type, and the typed string and byte setters with any value: `Ok` or
/// an `Err`, and what reads back fits the buffer.
pub fn options(data: &[u8]) {
    let mut input = Input::new(data);
    let Some(socket) = any_socket(&mut input) else {
        return;
    };
    while !input.is_empty() {
        let op = input.byte();
        let option = i32::from(input.byte() % 121);
        match op % 4 {
            0 | 1 => {
                let value = input.bytes(300);
                if let Err(error) = socket.set_option_raw(option, value) {
                    assert!(
                        matches!(
                            error,
                            Error::InvalidArgument | Error::NotSupported | Error::Other(_)
                        ),
                        "set option {option} ({} bytes): {error:?}",
                        value.len()
                    );
                }
            }
            2 => {
                let mut buf = vec![0xa5u8; usize::from(input.byte())];
                if let Ok(len) = socket.get_option_raw(option, &mut buf) {
                    assert!(len <= buf.len(), "option {option}: {len} > {}", buf.len());
                }
            }
            _ => typed_setter(&socket, op / 4, input.bytes(300)),
        }
    }
}

/// One of the typed setters that take text, bytes or a CURVE key (those of the stable API).
#[allow(deprecated)] // ZMQ_TCP_ACCEPT_FILTER: deprecated, still a setter to fuzz.
fn typed_setter(socket: &Socket, which: u8, value: &[u8]) {
    let text = String::from_utf8_lossy(value);
    let key = || zmq::CurveKey::from_z85(&text);
    let result = match which % 14 {
        0 => socket.set_routing_id(value),
        1 => socket.set_connect_routing_id(value),
        2 => socket.set_subscribe(value),
        3 => socket.set_unsubscribe(value),
        4 => socket.set_xpub_welcome_msg(value),
        5 => socket.set_zap_domain(&text),
        6 => socket.set_plain_username(&text),
        7 => socket.set_plain_password(&text),
        8 => socket.set_socks_proxy(&text),
        9 => socket.set_bindtodevice(&text),
        10 => socket.set_tcp_accept_filter(&text),
        11 => key().and_then(|key| socket.set_curve_publickey(&key)),
        12 => key().and_then(|key| socket.set_curve_secretkey(&key)),
        _ => key().and_then(|key| socket.set_curve_serverkey(&key)),
    };
    if let (Some(position), 5..=10) = (text.find('\0'), which % 14) {
        assert_eq!(result, Err(Error::InteriorNul { position }));
    }
}

/// Messages: built every way, cloned, written and compared, a message always holds what a
/// plain `Vec<u8>` model of it holds.
pub fn message(data: &[u8]) {
    let mut input = Input::new(data);
    let mut messages: Vec<(Message, Vec<u8>)> = Vec::new();
    while !input.is_empty() {
        let op = input.byte();
        match op % 10 {
            0 => {
                let bytes = input.bytes(200);
                messages.push((Message::from(bytes), bytes.to_vec()));
            }
            1 => {
                let bytes = input.bytes(200).to_vec();
                messages.push((Message::from(bytes.clone()), bytes));
            }
            2 => {
                let bytes = input.bytes(200).to_vec();
                let owner = bytes.clone().into_boxed_slice();
                messages.push((Message::from_owner(owner), bytes));
            }
            3 => {
                let len = usize::from(input.byte());
                let msg = Message::with_size(len).expect("a small message");
                messages.push((msg, vec![0; len]));
            }
            4 => {
                // Sizes no allocator can give (2^56 bytes and more): an error, never an
                // abort.
                assert_eq!(
                    Message::with_size(usize::MAX >> (input.byte() % 8)).err(),
                    Some(Error::OutOfMemory)
                );
            }
            5 => {
                if let Some(index) = pick(&mut input, messages.len()) {
                    let copy = (messages[index].0.clone(), messages[index].1.clone());
                    messages.push(copy);
                }
            }
            6 => {
                // Writing through DerefMut changes this message only.
                if let Some(index) = pick(&mut input, messages.len()) {
                    let at = usize::from(input.byte());
                    let value = input.byte();
                    let (msg, model) = &mut messages[index];
                    if !model.is_empty() {
                        let at = at % model.len();
                        msg[at] = value;
                        model[at] = value;
                    }
                }
            }
            7 => {
                if let Some(index) = pick(&mut input, messages.len()) {
                    drop(messages.swap_remove(index));
                }
            }
            8 => {
                let name = String::from_utf8_lossy(input.bytes(40)).into_owned();
                if let Some(index) = pick(&mut input, messages.len()) {
                    // A message that was never received has no metadata.
                    assert_eq!(messages[index].0.gets(&name), None);
                }
            }
            _ => {
                let bytes: &'static [u8] = match op % 3 {
                    0 => b"",
                    1 => b"static bytes",
                    _ => &[0u8; 64],
                };
                messages.push((Message::from_static(bytes), bytes.to_vec()));
            }
        }
        for (msg, model) in &messages {
            assert_eq!(&msg[..], &model[..]);
            assert!(!msg.more());
        }
    }
    for (i, (a, model_a)) in messages.iter().enumerate() {
        for (b, model_b) in &messages[i..] {
            assert_eq!(a == b, model_a == model_b);
        }
    }
}

fn pick(input: &mut Input<'_>, len: usize) -> Option<usize> {
    let choice = usize::from(input.byte());
    (len > 0).then(|| choice % len)
}

/// The pairs of socket types the state machine connects.
const PAIRS: &[(SocketType, SocketType)] = &[
    (SocketType::Pair, SocketType::Pair),
    (SocketType::Push, SocketType::Pull),
    (SocketType::Dealer, SocketType::Router),
    (SocketType::Dealer, SocketType::Dealer),
    (SocketType::Req, SocketType::Rep),
    (SocketType::Pub, SocketType::Sub),
];

/// A message the state machine sends: which side and which socket incarnation sent it, a
/// sequence number, then the fuzzer's bytes.
fn frame(side: u8, incarnation: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut frame = vec![side];
    frame.extend_from_slice(&incarnation.to_le_bytes());
    frame.extend_from_slice(&seq.to_le_bytes());
    frame.extend_from_slice(body);
    frame
}

struct Side {
    kind: SocketType,
    socket: Option<Socket>,
    incarnation: u32,
    seq: u32,
}

/// Sockets: two sockets of a connected pair, sent to, received from, closed, recreated and
/// their context shut down in the order the input says. Every call returns; what arrives was
/// sent by the other side, whole and in order per sender.
pub fn sockets(data: &[u8]) {
    let mut input = Input::new(data);
    let (a, b) = PAIRS[usize::from(input.byte()) % PAIRS.len()];
    let ctx = Context::builder()
        .linger(Some(Duration::ZERO))
        .build()
        .expect("create a context");
    let endpoint = match input.byte() % 2 {
        0 => format!("inproc://fuzz-{}", std::process::id()),
        _ => format!("ipc://@zmq-fuzz-sockets-{}", std::process::id()),
    };
    let mut sides = [
        Side {
            kind: a,
            socket: None,
            incarnation: 0,
            seq: 0,
        },
        Side {
            kind: b,
            socket: None,
            incarnation: 0,
            seq: 0,
        },
    ];
    // The last sequence number received from each (side, incarnation).
    let mut last_seen: HashMap<(u8, u32), u32> = HashMap::new();
    let mut shut_down = false;
    for (index, side) in sides.iter_mut().enumerate() {
        side.socket = open(&ctx, side.kind, &endpoint, index == 0);
    }
    while !input.is_empty() {
        let op = input.byte();
        let index = usize::from(op & 1);
        let other = 1 - index;
        match (op >> 1) % 6 {
            0 | 1 => {
                let body = input.bytes(100);
                let side = &mut sides[index];
                let Some(socket) = &side.socket else { continue };
                let msg = frame(index as u8, side.incarnation, side.seq, body);
                let result = if op & 0x40 != 0 {
                    socket
                        .send_multipart([&msg[..], body], SendFlags::DONTWAIT)
                        .map_err(Error::from)
                } else {
                    socket.send(msg, SendFlags::DONTWAIT).map_err(Error::from)
                };
                match result {
                    Ok(()) => side.seq += 1,
                    Err(error) => assert_expected(&error, shut_down, "send"),
                }
            }
            2 | 3 => {
                let Some(socket) = &sides[index].socket else {
                    continue;
                };
                match socket.recv_multipart(RecvFlags::DONTWAIT) {
                    Ok(frames) => check_received(&frames, other as u8, &mut last_seen),
                    Err(error) => assert_expected(&error, shut_down, "recv"),
                }
            }
            4 => {
                // Close (drop) the socket, and open a new one in its place.
                let side = &mut sides[index];
                drop(side.socket.take());
                side.incarnation += 1;
                side.seq = 0;
                if !shut_down {
                    side.socket = open(&ctx, side.kind, &endpoint, index == 0);
                }
            }
            _ => {
                if op & 0x80 != 0 {
                    ctx.shutdown();
                    shut_down = true;
                } else {
                    let _ = sides[index].socket.as_ref().map(Socket::events);
                }
            }
        }
    }
}

/// A socket of `kind`, bound or connected to `endpoint`, `None` if that is not possible now
/// (the address is still taken by the socket it replaces, say).
fn open(ctx: &Context, kind: SocketType, endpoint: &str, bind: bool) -> Option<Socket> {
    let socket = ctx.socket(kind).ok()?;
    if kind == SocketType::Sub {
        socket.set_subscribe(b"").ok()?;
    }
    let attached = if bind {
        socket.bind(endpoint)
    } else {
        socket.connect(endpoint)
    };
    attached.ok().map(|()| socket)
}

fn assert_expected(error: &Error, shut_down: bool, what: &str) {
    match error {
        Error::WouldBlock | Error::InvalidState | Error::NotSupported => {}
        Error::ContextTerminated if shut_down => {}
        other => panic!("{what}: unexpected {other:?}"),
    }
}

/// A received message was sent by `from`, intact, and after what came before from the same
/// socket.
fn check_received(frames: &[Message], from: u8, last_seen: &mut HashMap<(u8, u32), u32>) {
    // A ROUTER prepends the routing id; REQ/REP add and strip the empty delimiter.
    let frames: Vec<&Message> = frames.iter().collect();
    let start = frames
        .iter()
        .position(|f| f.len() >= 9 && f[0] == from)
        .unwrap_or_else(|| panic!("no frame sent by side {from} in {frames:?}"));
    let msg = frames[start];
    let incarnation = u32::from_le_bytes(msg[1..5].try_into().expect("4 bytes"));
    let seq = u32::from_le_bytes(msg[5..9].try_into().expect("4 bytes"));
    if let Some(body) = frames.get(start + 1) {
        assert_eq!(&body[..], &msg[9..], "the second frame is the body again");
    }
    if let Some(&previous) = last_seen.get(&(from, incarnation)) {
        assert!(seq > previous, "seq {seq} after {previous}: out of order");
    }
    last_seen.insert((from, incarnation), seq);
}
