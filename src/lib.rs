//! Safe, complete and fast bindings over libzmq, the ZeroMQ C library.
//!
//! ```
//! use std::thread;
//!
//! fn main() -> Result<(), zmq::Error> {
//!     let ctx = zmq::Context::new()?;
//!
//!     // A REP server: receives "Hello", answers "world".
//!     let server = ctx.socket(zmq::SocketType::Rep)?;
//!     server.bind("tcp://127.0.0.1:*")?;
//!     let endpoint = server.last_endpoint()?;
//!     let handle = thread::spawn(move || -> Result<(), zmq::Error> {
//!         let mut request = zmq::Message::new();
//!         for _ in 0..3 {
//!             server.recv(&mut request, zmq::RecvFlags::empty())?;
//!             assert_eq!(&request[..], b"Hello");
//!             server.send("world", zmq::SendFlags::empty())?;
//!         }
//!         Ok(())
//!     });
//!
//!     // A REQ client.
//!     let client = ctx.socket(zmq::SocketType::Req)?;
//!     client.connect(&endpoint)?;
//!     for _ in 0..3 {
//!         client.send("Hello", zmq::SendFlags::empty())?;
//!         let reply = client.recv_string(zmq::RecvFlags::empty())?;
//!         println!("Received {reply}");
//!     }
//!     handle.join().expect("server thread")?;
//!     Ok(())
//! }
//! ```
//!
//! # The pieces
//!
//! - [`Context`]: a cheap, cloneable, thread-safe handle; every socket holds one, and the last
//!   to go terminates libzmq's context. [`Context::shutdown`] wakes every blocked call.
//!   [`ContextBuilder`] sets the context options and default options for every socket.
//! - [`Socket`]: one libzmq socket; `Send`, not `Sync`. Every socket option of libzmq 4.3.5
//!   is a typed method (`set_linger`, `rcvhwm`, `set_curve_secretkey`, ...), documented
//!   with its default and the C option it maps to (search the docs for `ZMQ_LINGER`); a
//!   read-only option has no setter, a write-only one no getter, a DRAFT one exists only
//!   with the `draft` feature.
//! - [`Message`]: one frame, built without copying from owned bytes, received into again
//!   without allocating ([`Socket::recv`]). [`Multipart`] holds the frames of one message.
//! - [`poll`] waits until sockets (and plain file descriptors) are ready, each [`PollItem`]
//!   borrowing its socket; [`proxy`], [`proxy_steerable`] and [`Proxy::spawn`] (a proxy on
//!   its own thread, paused, resumed, counted and stopped through its handle) forward
//!   messages between sockets.
//! - With the `draft` feature (and a libzmq built with the DRAFT API): `ThreadSafeSocket`,
//!   a `Sync` handle for the thread-safe socket types (SERVER, CLIENT, RADIO, DISH, GATHER,
//!   SCATTER, PEER, CHANNEL) that one socket can be shared by several threads through, with
//!   single-frame messages addressed by routing id or group (`Message::set_routing_id`,
//!   `Message::set_group`); and `SocketType::Dgram` for UDP datagrams.
//! - [`Monitor`]: typed events of a socket ([`MonitorEvent`]: connected, disconnected,
//!   handshake failed, ...), from [`Socket::monitor`].
//! - [`Certificate`]: CURVE certificates in the files czmq and pyzmq write (a public file and
//!   a `_secret` one); [`cert::public_keys_in_dir`] reads a directory of them into an
//!   allow-list.
//! - Security: [`Socket::set_security`] sets up PLAIN or CURVE (client or server) in one
//!   call from a [`Security`]; a server must choose how clients are admitted
//!   ([`ClientAuth`]): an [`Authenticator`] (the ZAP handler, with a [`Policy`] per domain:
//!   addresses, PLAIN users, CURVE keys, a callback) or, for CURVE, any key. See the
//!   [`security`] and [`auth`] modules.
//! - Raw handles for C or C++ code in the same process: `as_raw`, `from_raw`,
//!   `from_raw_borrowed`, `into_raw` on [`Context`], [`Socket`] and [`Message`]; see
//!   [Sharing a context with C or C++](#sharing-a-context-with-c-or-c).
//! - [`Error`]: every failure, with the errno values callers branch on as variants. A failed
//!   send returns what it did not send inside a [`SendError`].
//!
//! # Security
//!
//! A CURVE server that admits only the clients whose public keys it knows: the
//! [`Authenticator`] is libzmq's ZAP handler for the context, and a server cannot be set up
//! without saying how it admits clients ([`ClientAuth`]).
//!
//! ```
//! # fn main() -> zmq::Result<()> {
//! # let client_keys = zmq::CurveKeyPair::generate()?;
//! # let client_public = client_keys.public().to_string();
//! use zmq::{Authenticator, CurveKeyPair, Policy, Security, SocketType};
//!
//! let ctx = zmq::Context::new()?;
//! let server_keys = CurveKeyPair::generate()?; // or CurveKeyPair::from_secret(stored key)
//! let auth = Authenticator::start(&ctx)?;
//! auth.set_policy("", Policy::new().allow_curve_keys([client_public.parse()?]))?;
//! let server = ctx.socket(SocketType::Rep)?;
//! server.set_security(&Security::curve_server(&server_keys, &auth))?;
//! server.bind("tcp://127.0.0.1:*")?;
//! # let client = ctx.socket(SocketType::Req)?;
//! # client.set_security(&Security::curve_client(&client_keys, server_keys.public()))?;
//! # client.connect(&server.last_endpoint()?)?;
//! # client.send("hi", zmq::SendFlags::empty())?;
//! let request = server.recv_msg(zmq::RecvFlags::empty())?;
//! println!("from {:?}", request.user_id()); // the client's public key, in Z85
//! # assert_eq!(request.user_id(), Some(client_public.as_str()));
//! # Ok(())
//! # }
//! ```
//!
//! - [`Security`] sets a socket up for PLAIN or CURVE, client or server, in one call
//!   ([`Socket::set_security`]); [`ClientAuth::AnyClientKey`] is the explicit choice of
//!   encryption without authentication.
//! - [`Policy`] says, per ZAP domain, which clients an [`Authenticator`] admits: by IP
//!   address, PLAIN user name and password, CURVE key (any, a list, or a directory of
//!   certificates), or a callback.
//! - [`CurveKeyPair`], [`CurveKey`] (Z85 text with `Display`/`FromStr`), [`z85`], and
//!   [`Certificate`] for czmq's certificate files (which pyzmq's `zmq.auth` reads and writes).
//! - A refused client gets nothing through; the server's [`Monitor`] reports
//!   [`MonitorEvent::HandshakeFailedAuth`] (status 400) or
//!   [`MonitorEvent::HandshakeFailedProtocol`].
//!
//! # Async (feature `tokio`)
//!
//! `AsyncSocket` (Unix) wraps a [`Socket`] for the tokio runtime: `async` `send`,
//! `send_multipart`, `recv` and `recv_multipart`, a `Stream` of received messages and a `Sink`
//! of messages to send, for every stable socket type. `AsyncSocket::split` gives a sending
//! and a receiving half for two tasks; neither ever misses a wake-up meant for it, at the
//! high-water mark or elsewhere. Cancelling a receive (in `select!` or a timeout) loses no
//! message; cancelling a send never leaves half a message sent, and keeps the message for
//! the next send (see `AsyncSocket`).
//!
//! With the features `tokio` and `draft` too, `AsyncThreadSafeSocket` does the same for the
//! DRAFT thread-safe types (`ThreadSafeSocket`: CLIENT/SERVER, RADIO/DISH,
//! SCATTER/GATHER, PEER, CHANNEL), single-frame messages with routing ids and groups: its
//! methods take `&self`, so several tasks can send and receive on one socket at once.
//! (These sockets have no `ZMQ_FD`: it waits on the descriptor of a private `zmq_poller`.)
//!
//! ```
//! # #[cfg(all(feature = "tokio", unix))]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let ctx = zmq::Context::new()?;
//! let pull = ctx.socket(zmq::SocketType::Pull)?;
//! pull.bind("inproc://async-doc")?;
//! let push = ctx.socket(zmq::SocketType::Push)?;
//! push.connect("inproc://async-doc")?;
//! let (mut pull, mut push) = (zmq::AsyncSocket::new(pull)?, zmq::AsyncSocket::new(push)?);
//!
//! let sender = tokio::spawn(async move {
//!     for n in 0..3 {
//!         push.send_multipart(["job".to_string(), n.to_string()]).await?;
//!     }
//!     Ok::<_, zmq::SendError<zmq::Multipart>>(())
//! });
//! for n in 0..3 {
//!     let job = pull.recv_multipart().await?;
//!     assert_eq!(job[1], n.to_string().as_str());
//! }
//! sender.await??;
//! # Ok(())
//! # })
//! # }
//! # #[cfg(not(all(feature = "tokio", unix)))]
//! # fn main() {}
//! ```
//!
//! # Linger: why a program may not exit
//!
//! libzmq's default linger is infinite: a socket closed with messages still queued for a peer
//! that is not there keeps them, and terminating the context (which happens when the last
//! [`Context`] handle and socket are dropped) waits for them, for ever. This is the hang
//! every ZeroMQ user meets once. Choose a finite linger for a socket
//! ([`Socket::set_linger`]) or for every socket of a context
//! ([`ContextBuilder::linger`], or any option with [`ContextBuilder::socket_defaults`]), or
//! call [`Context::shutdown`] first.
//!
//! Linger is not a delivery receipt. Over `ipc://`, a sender that closes its socket and exits
//! while a slow receiver has not read everything yet can lose the tail of the stream,
//! whatever the linger (libzmq issue #4660, 4.3.x; C programs see it too, and we met it in
//! our own perf tools). When the last messages matter,
//! have the receiver acknowledge them (a final request/reply, or a count it sends back)
//! before the sender exits.
//!
//! # Sharing a context with C or C++
//!
//! A program that embeds C or C++ code using libzmq (or is embedded in one) can put both
//! sides on one context and talk over `inproc://`, which only works within one context.
//! Every handle has a raw escape hatch, in the manner of git2's `Binding`: `as_raw` lends the
//! libzmq pointer, `unsafe from_raw` takes one over (with a `# Safety` section saying what
//! the caller promises), `into_raw` gives one away. Owned and borrowed are distinct
//! constructors, never a flag:
//!
//! - [`Context::from_raw_borrowed`]: a context that C or C++ owns (cppzmq's
//!   `context_t::handle()`). Its handles and sockets work as usual; dropping them never
//!   terminates it. The owner terminates it once every Rust handle is gone.
//! - [`Context::as_raw`]: the pointer of a Rust context for C or C++, valid while a Rust
//!   handle lives. [`Context::into_raw`] hands over a reference that keeps it alive with no
//!   Rust handle left, until [`Context::from_raw`] takes it back (each `into_raw` needs one
//!   `from_raw`); `from_raw` also takes over a context C or C++ made and gives away for good.
//!   C or C++ code never terminates a context it did not make.
//! - [`Socket::from_raw_borrowed`] (not closed on drop) and [`Socket::from_raw`] (closed on
//!   drop) wrap a socket C or C++ made on the context of a Rust handle; [`Socket::as_raw`]
//!   lends one, [`Socket::into_raw`] gives one away with the context handle to keep.
//! - [`Message::as_raw`], [`Message::as_mut_raw`], [`Message::into_raw`] and
//!   [`Message::from_raw`] move `zmq_msg_t`s across.
//!
//! [`Context::shutdown`] on a borrowed context is allowed: like `zmq_ctx_shutdown` called by
//! its owner, it wakes every blocked call on both sides and frees nothing.
//!
//! ```
//! let ctx = zmq::Context::new()?;
//! let raw = ctx.as_raw(); // what C or C++ would receive, or hand in
//! // SAFETY: a live context of this libzmq, which `ctx` keeps alive longer than `shared`.
//! let shared = unsafe { zmq::Context::from_raw_borrowed(raw) }?;
//! let server = shared.socket(zmq::SocketType::Pair)?;
//! server.bind("inproc://shared")?;
//! let client = ctx.socket(zmq::SocketType::Pair)?;
//! client.connect("inproc://shared")?;
//! client.send("over inproc", zmq::SendFlags::empty())?;
//! assert_eq!(server.recv_string(zmq::RecvFlags::empty())?, "over inproc");
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! **Both sides must use the same libzmq.** Two copies of libzmq in one process (a C++
//! library linking the system `libzmq.so` while this crate links its vendored, static
//! build, say) have incompatible contexts: a context of one must never reach the other, and
//! `inproc://` does not cross between them. So in-process sharing needs either
//!
//! - the system libzmq on both sides: build this crate with `--no-default-features` (or
//!   `ZMQ_LIB_DIR`) and link the C or C++ code against the same `libzmq.so`; or
//! - the C or C++ code built against this crate's libzmq: a build script of a crate that
//!   depends on `zmq-sys` reads its include directory from `DEP_ZMQ_INCLUDE` (and the
//!   vendored static library's directory from `DEP_ZMQ_LIB`), compiles the C or C++ code
//!   with that `zmq.h` (with the `cc` crate, say), and links no other libzmq: the one
//!   static libzmq in the final program serves both sides.
//!
//! The `from_raw` constructors check what can be checked and fail with
//! [`Error::ForeignHandle`]: a null pointer, a pointer libzmq's own tag check says is not a
//! context (`zmq_ctx_get` fails with `EFAULT`) or not a socket (`ENOTSOCK`), and, on Linux,
//! any pointer while another copy of libzmq is loaded in the process (a loaded object whose
//! `zmq_ctx_new` is not this crate's; the error names its path and `zmq_version`). libzmq's
//! tag is the same in every copy, so its own check cannot tell the copies apart, hence the
//! second check. A dangling pointer cannot be detected: that part of the contract is the
//! caller's.
//!
//! # Where libzmq comes from
//!
//! The `zmq-sys` crate finds or builds it, in this order:
//!
//! 1. `ZMQ_LIB_DIR` (and `ZMQ_INCLUDE_DIR`, `ZMQ_STATIC=1`): exactly that library.
//! 2. Feature `vendored` (default): libzmq 4.3.5 built from source, with CURVE through
//!    libsodium (both linked statically: libzmq is MPL-2.0, libsodium ISC).
//! 3. pkg-config `libzmq >= 4.3.3` (older ones carry remotely exploitable bugs;
//!    `ZMQ_ALLOW_OLD=1` accepts them with a warning). Build with `--no-default-features`.
//!
//! Feature `draft` enables libzmq's DRAFT API (with `vendored`, or a system libzmq built with
//! it); feature `bindgen` regenerates the raw bindings against the header in use. A vendored
//! build on Linux signals with an eventfd; `ZMQ_SYS_SIGNALER=socketpair` builds the socketpair
//! fallback instead (for measurements).

#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

pub use zmq_sys as sys;

// The README's examples run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

#[cfg(all(feature = "tokio", unix, zmq_draft))]
mod async_thread_safe;
#[cfg(all(feature = "tokio", unix))]
mod asynchronous;
pub mod auth;
pub mod cert;
mod context;
mod curve;
mod error;
mod inproc;
mod message;
mod monitor;
mod multipart;
mod options;
mod poll;
mod poll_events;
mod proxy;
mod raw;
pub mod security;
mod socket;
#[cfg(zmq_draft)]
mod thread_safe;
mod throughput;
pub mod z85;

use std::ffi::c_int;

#[cfg(all(feature = "tokio", unix, zmq_draft))]
pub use crate::async_thread_safe::AsyncThreadSafeSocket;
#[cfg(all(feature = "tokio", unix))]
pub use crate::asynchronous::{AsyncReceiver, AsyncSender, AsyncSocket};
pub use crate::auth::{Authenticator, Credentials, Policy, ZapDecision, ZapRequest};
pub use crate::cert::Certificate;
pub use crate::context::{Context, ContextBuilder};
pub use crate::curve::{CurveKey, CurveKeyPair};
pub use crate::error::{Error, Result, SendError};
pub use crate::message::{Message, UninitMessage};
#[cfg(zmq_draft)]
pub use crate::monitor::MonitorEventV2;
pub use crate::monitor::{
    Events, Monitor, MonitorEvent, MonitorEvents, MonitorFd, MonitorFormat, MonitorReader,
    ProtocolError,
};
pub use crate::multipart::Multipart;
pub use crate::options::{GssapiNameType, Mechanism};
#[cfg(zmq_draft)]
pub use crate::options::{NormMode, ReconnectStop, RouterNotify};
pub use crate::poll::{poll, PollItem};
#[cfg(zmq_draft)]
pub use crate::poll::{Event, Poller, PollerSocket};
pub use crate::poll_events::PollEvents;
pub use crate::proxy::{
    proxy, proxy_steerable, Proxy, ProxyCommand, ProxyControl, ProxyCounters, ProxyHandle,
    ProxyStatistics,
};
pub use crate::security::{ClientAuth, Security};
pub use crate::socket::{RecvFlags, SendFlags, Sendable, Socket, SocketType};
#[cfg(zmq_draft)]
pub use crate::thread_safe::{ThreadSafeSendFlags, ThreadSafeSocket, ThreadSafeType};
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub use crate::throughput::tune_malloc_for_large_messages;
#[cfg(zmq_draft)]
pub use crate::throughput::ThroughputSetup;

/// The version of the libzmq linked at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The major version (4).
    pub major: i32,
    /// The minor version.
    pub minor: i32,
    /// The patch version.
    pub patch: i32,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The version of the libzmq this program runs with.
///
/// ```
/// let version = zmq::version();
/// assert!(version >= zmq::Version { major: 4, minor: 3, patch: 0 });
/// ```
#[doc(alias = "zmq_version")]
pub fn version() -> Version {
    let (mut major, mut minor, mut patch): (c_int, c_int, c_int) = (0, 0, 0);
    // SAFETY: zmq_version only writes the three integers it is given.
    unsafe { sys::zmq_version(&mut major, &mut minor, &mut patch) };
    Version {
        major,
        minor,
        patch,
    }
}

/// Whether the linked libzmq has a capability: `"ipc"`, `"pgm"`, `"tipc"`, `"norm"`,
/// `"curve"`, `"gssapi"` or `"draft"`. An unknown name (or one with a NUL byte) is `false`.
///
/// ```
/// if zmq::has("curve") {
///     println!("CURVE security is available");
/// }
/// ```
#[doc(alias = "zmq_has")]
pub fn has(capability: &str) -> bool {
    let Ok(name) = crate::error::c_string(capability) else {
        return false;
    };
    // SAFETY: a NUL-terminated string that outlives the call.
    unsafe { sys::zmq_has(name.as_ptr()) == 1 }
}
