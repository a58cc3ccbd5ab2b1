//! Helpers shared by the integration tests: fresh endpoints on every transport, sockets that
//! cannot hang a test, and bounded waiting for asynchronous delivery.

// Each test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Error, Message, RecvFlags, Socket, SocketType};

/// How long one blocking send or receive may take before it fails the test instead of hanging.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// How long [`eventually`] keeps trying before it fails the test.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// How long to listen for a message that must not arrive.
pub const QUIET: Duration = Duration::from_millis(300);

/// The transports every pattern is tested over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Inproc,
    Ipc,
    Tcp,
}

/// A name no other endpoint of this test run has.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// A fresh endpoint to bind to: a unique `inproc://` name, a unique `ipc://` path (see
/// [`ipc_path`]), or `tcp://127.0.0.1:*` for any free port (see [`Socket::last_endpoint`]).
pub fn endpoint(transport: Transport) -> String {
    match transport {
        Transport::Inproc => format!("inproc://{}", unique_name("zmq-test")),
        Transport::Ipc => format!("ipc://{}", ipc_path("zmq-test")),
        Transport::Tcp => "tcp://127.0.0.1:*".to_owned(),
    }
}

/// A unique path for an ipc socket file, in Cargo's scratch directory for integration tests
/// (libzmq 4.3 leaves the file behind when the socket closes; `cargo clean` removes it), or
/// in the system's temporary directory if that path would be too long for a Unix socket.
pub fn ipc_path(prefix: &str) -> String {
    // sockaddr_un holds 108 bytes on Linux, 104 on macOS, NUL included.
    const LONGEST: usize = 100;
    let name = unique_name(prefix) + ".ipc";
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(&name);
    let path = path.to_string_lossy();
    if path.len() <= LONGEST {
        path.into_owned()
    } else {
        std::env::temp_dir()
            .join(name)
            .to_string_lossy()
            .into_owned()
    }
}

/// An endpoint on `transport` that nothing binds to: a unique name or path, never a wildcard.
pub fn unused_endpoint(transport: Transport) -> String {
    match transport {
        Transport::Inproc => format!("inproc://{}", unique_name("zmq-test-unused")),
        Transport::Ipc => format!("ipc://{}", ipc_path("zmq-test-unused")),
        // Port 1 is privileged: no test binds it.
        Transport::Tcp => "tcp://127.0.0.1:1".to_owned(),
    }
}

/// A context whose sockets start with a linger of zero, so that terminating it never waits
/// for a peer that is gone.
pub fn context() -> Context {
    Context::builder()
        .linger(Some(Duration::ZERO))
        .build()
        .expect("create a context")
}

/// A socket whose sends and receives give up after [`TIMEOUT`] and whose linger is zero.
pub fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let socket = ctx.socket(kind).expect("create a socket");
    socket.set_rcvtimeo(Some(TIMEOUT)).expect("set RCVTIMEO");
    socket.set_sndtimeo(Some(TIMEOUT)).expect("set SNDTIMEO");
    socket.set_linger(Some(Duration::ZERO)).expect("set LINGER");
    socket
}

/// Binds `socket` to a fresh endpoint and returns the endpoint peers connect to, with any
/// wildcard resolved.
pub fn bind(socket: &Socket, transport: Transport) -> String {
    let endpoint = endpoint(transport);
    socket
        .bind(&endpoint)
        .unwrap_or_else(|e| panic!("bind {endpoint}: {e}"));
    socket.last_endpoint().expect("read LAST_ENDPOINT")
}

/// A socket of type `bound` bound to a fresh endpoint, and one of type `connecting` connected
/// to it, in that order.
pub fn connected(
    ctx: &Context,
    bound: SocketType,
    connecting: SocketType,
    transport: Transport,
) -> (Socket, Socket) {
    let server = socket(ctx, bound);
    let endpoint = bind(&server, transport);
    let client = socket(ctx, connecting);
    client
        .connect(&endpoint)
        .unwrap_or_else(|e| panic!("connect {endpoint}: {e}"));
    (server, client)
}

/// Receives one frame without waiting: `None` if nothing is queued.
pub fn try_recv(socket: &Socket) -> Option<Message> {
    match socket.recv_msg(RecvFlags::DONTWAIT) {
        Ok(msg) => Some(msg),
        Err(Error::WouldBlock) => None,
        Err(e) => panic!("receive failed: {e}"),
    }
}

/// Calls `attempt`, pausing briefly between calls, until it returns `Some`; fails the test
/// if that takes longer than [`DEADLINE`].
pub fn eventually<T>(what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = attempt() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for the first event of `monitor` that `wanted` accepts, failing the test (naming
/// `what` and what came instead) after [`TIMEOUT`]; returns it and every event before it.
pub fn wait_for_event<E: zmq::MonitorFormat + std::fmt::Debug>(
    monitor: &zmq::Monitor<'_, E>,
    what: &str,
    wanted: impl Fn(&E) -> bool,
) -> (E, Vec<E>) {
    let deadline = Instant::now() + TIMEOUT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match monitor
            .next_event(Some(left))
            .expect("read a monitor event")
        {
            Some(event) if wanted(&event) => return (event, seen),
            Some(event) => seen.push(event),
            None => panic!("timed out waiting for {what}; saw {seen:?}"),
        }
    }
}

/// Asserts that nothing arrives on `socket` for [`QUIET`].
pub fn assert_silent(socket: &Socket) {
    socket.set_rcvtimeo(Some(QUIET)).expect("set RCVTIMEO");
    let received = socket.recv_msg(RecvFlags::empty());
    socket.set_rcvtimeo(Some(TIMEOUT)).expect("set RCVTIMEO");
    match received {
        Err(Error::WouldBlock) => {}
        other => panic!("expected nothing to arrive, got {other:?}"),
    }
}

/// Whether the linked libzmq has CURVE, for the tests that need it. Every build this project
/// tests has it (the vendored one always does, and the build script says so through
/// `cfg(zmq_has_curve)`), so a missing CURVE fails the test there; only a build whose library
/// has none prints SKIPPED and gets `false`.
pub fn curve_or_skip() -> bool {
    if zmq::has("curve") {
        return true;
    }
    if cfg!(zmq_has_curve) {
        panic!("the build found CURVE but the library has none");
    }
    eprintln!("SKIPPED: this libzmq has no CURVE");
    false
}
