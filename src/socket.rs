//! Sockets: the blocking API over one libzmq socket.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU64;

use crate::context::Context;
use crate::error::{c_string, check, Error, Result, SendError};
use crate::inproc::EndpointOp;
use crate::message::Message;
use crate::multipart::Multipart;
use crate::raw::{check_foreign_pointer, Ownership};
use crate::sys;

/// The type of a socket, which fixes its messaging pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketType {
    /// `ZMQ_PAIR`: an exclusive connection to one peer.
    Pair,
    /// `ZMQ_PUB`: publishes to every subscriber; never blocks (drops at the high-water mark).
    Pub,
    /// `ZMQ_SUB`: receives what publishers send, filtered by subscribed prefixes.
    Sub,
    /// `ZMQ_REQ`: sends a request, then receives its reply, strictly alternating.
    Req,
    /// `ZMQ_REP`: receives a request, then sends its reply, strictly alternating.
    Rep,
    /// `ZMQ_DEALER`: asynchronous requests, load-balanced over peers.
    Dealer,
    /// `ZMQ_ROUTER`: asynchronous replies, addressed by the peer's routing id frame.
    Router,
    /// `ZMQ_PULL`: receives from a pipeline, fair-queued over peers.
    Pull,
    /// `ZMQ_PUSH`: sends into a pipeline, load-balanced over peers.
    Push,
    /// `ZMQ_XPUB`: a PUB that also receives subscriptions as messages.
    XPub,
    /// `ZMQ_XSUB`: a SUB that sends subscriptions as messages.
    XSub,
    /// `ZMQ_STREAM`: raw TCP, each message prefixed with the connection's routing id.
    Stream,
    /// `ZMQ_SERVER` (DRAFT, thread-safe): replies to [`Client`](SocketType::Client)s,
    /// addressing each by the routing id of the messages it received
    /// ([`Message::routing_id`]). Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Server,
    /// `ZMQ_CLIENT` (DRAFT, thread-safe): talks to a [`Server`](SocketType::Server),
    /// load-balanced over servers. Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Client,
    /// `ZMQ_RADIO` (DRAFT, thread-safe): publishes each message to a group
    /// ([`Message::set_group`]). Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Radio,
    /// `ZMQ_DISH` (DRAFT, thread-safe): receives what radios publish to the groups it joined.
    /// Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Dish,
    /// `ZMQ_GATHER` (DRAFT, thread-safe): receives from scatterers, fair-queued (a
    /// single-frame PULL). Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Gather,
    /// `ZMQ_SCATTER` (DRAFT, thread-safe): sends to gatherers, load-balanced (a single-frame
    /// PUSH). Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Scatter,
    /// `ZMQ_DGRAM` (DRAFT, not thread-safe): UDP datagrams over `udp://` endpoints, each a
    /// two-frame message of the peer's address (`127.0.0.1:5555`) and the body. A plain
    /// [`Socket`]: send and receive with [`Socket::send_multipart`] and
    /// [`Socket::recv_multipart`]. The received address frame ends with a NUL byte (libzmq
    /// puts it there as a C string); it can be sent back as it is.
    #[cfg(zmq_draft)]
    Dgram,
    /// `ZMQ_PEER` (DRAFT, thread-safe): peer-to-peer messaging by routing id, connecting with
    /// [`ThreadSafeSocket::connect_peer`](crate::ThreadSafeSocket::connect_peer).
    #[cfg(zmq_draft)]
    Peer,
    /// `ZMQ_CHANNEL` (DRAFT, thread-safe): an exclusive connection to one peer (a
    /// single-frame PAIR). Use it through [`ThreadSafeSocket`](crate::ThreadSafeSocket).
    #[cfg(zmq_draft)]
    Channel,
}

impl SocketType {
    /// The libzmq constant (`ZMQ_REP`, ...).
    pub fn as_raw(self) -> c_int {
        match self {
            SocketType::Pair => sys::ZMQ_PAIR,
            SocketType::Pub => sys::ZMQ_PUB,
            SocketType::Sub => sys::ZMQ_SUB,
            SocketType::Req => sys::ZMQ_REQ,
            SocketType::Rep => sys::ZMQ_REP,
            SocketType::Dealer => sys::ZMQ_DEALER,
            SocketType::Router => sys::ZMQ_ROUTER,
            SocketType::Pull => sys::ZMQ_PULL,
            SocketType::Push => sys::ZMQ_PUSH,
            SocketType::XPub => sys::ZMQ_XPUB,
            SocketType::XSub => sys::ZMQ_XSUB,
            SocketType::Stream => sys::ZMQ_STREAM,
            #[cfg(zmq_draft)]
            SocketType::Server => sys::ZMQ_SERVER,
            #[cfg(zmq_draft)]
            SocketType::Client => sys::ZMQ_CLIENT,
            #[cfg(zmq_draft)]
            SocketType::Radio => sys::ZMQ_RADIO,
            #[cfg(zmq_draft)]
            SocketType::Dish => sys::ZMQ_DISH,
            #[cfg(zmq_draft)]
            SocketType::Gather => sys::ZMQ_GATHER,
            #[cfg(zmq_draft)]
            SocketType::Scatter => sys::ZMQ_SCATTER,
            #[cfg(zmq_draft)]
            SocketType::Dgram => sys::ZMQ_DGRAM,
            #[cfg(zmq_draft)]
            SocketType::Peer => sys::ZMQ_PEER,
            #[cfg(zmq_draft)]
            SocketType::Channel => sys::ZMQ_CHANNEL,
        }
    }

    /// The name libzmq uses for the type in the ZMTP handshake and in the `Socket-Type`
    /// metadata property: `"REP"`, `"DEALER"`, ...
    pub fn name(self) -> &'static str {
        match self {
            SocketType::Pair => "PAIR",
            SocketType::Pub => "PUB",
            SocketType::Sub => "SUB",
            SocketType::Req => "REQ",
            SocketType::Rep => "REP",
            SocketType::Dealer => "DEALER",
            SocketType::Router => "ROUTER",
            SocketType::Pull => "PULL",
            SocketType::Push => "PUSH",
            SocketType::XPub => "XPUB",
            SocketType::XSub => "XSUB",
            SocketType::Stream => "STREAM",
            #[cfg(zmq_draft)]
            SocketType::Server => "SERVER",
            #[cfg(zmq_draft)]
            SocketType::Client => "CLIENT",
            #[cfg(zmq_draft)]
            SocketType::Radio => "RADIO",
            #[cfg(zmq_draft)]
            SocketType::Dish => "DISH",
            #[cfg(zmq_draft)]
            SocketType::Gather => "GATHER",
            #[cfg(zmq_draft)]
            SocketType::Scatter => "SCATTER",
            #[cfg(zmq_draft)]
            SocketType::Dgram => "DGRAM",
            #[cfg(zmq_draft)]
            SocketType::Peer => "PEER",
            #[cfg(zmq_draft)]
            SocketType::Channel => "CHANNEL",
        }
    }

    /// Every socket type this build knows: [`SocketType::ALL`], then (with DRAFT)
    /// `SocketType::DRAFT`.
    fn known() -> impl Iterator<Item = SocketType> {
        let all = SocketType::ALL.into_iter();
        #[cfg(zmq_draft)]
        let all = all.chain(SocketType::DRAFT);
        all
    }

    /// The socket type with a ZMTP name (see [`SocketType::name`]), `None` if unknown. With
    /// DRAFT, the DRAFT types' names are known too.
    pub fn from_name(name: &str) -> Option<SocketType> {
        SocketType::known().find(|t| t.name() == name)
    }

    /// The socket type for a libzmq constant, `None` for a value this crate does not know.
    /// With DRAFT, the DRAFT types' constants are known too.
    pub fn from_raw(raw: c_int) -> Option<SocketType> {
        SocketType::known().find(|t| t.as_raw() == raw)
    }

    /// Whether libzmq guards sockets of this type with a mutex, so that one socket may be
    /// used from several threads at once (`ZMQ_THREAD_SAFE`): the DRAFT types SERVER,
    /// CLIENT, RADIO, DISH, GATHER, SCATTER, PEER and CHANNEL. See
    /// `ThreadSafeType`.
    pub fn is_thread_safe(self) -> bool {
        #[cfg(zmq_draft)]
        let safe = crate::thread_safe::ThreadSafeType::from_socket_type(self).is_some();
        #[cfg(not(zmq_draft))]
        let safe = false;
        safe
    }

    /// Every socket type of libzmq's stable API. The DRAFT types are in
    /// `SocketType::DRAFT`, which exists only with DRAFT.
    pub const ALL: [SocketType; 12] = [
        SocketType::Pair,
        SocketType::Pub,
        SocketType::Sub,
        SocketType::Req,
        SocketType::Rep,
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pull,
        SocketType::Push,
        SocketType::XPub,
        SocketType::XSub,
        SocketType::Stream,
    ];

    /// Every socket type of libzmq's DRAFT API (4.3.5): SERVER, CLIENT, RADIO, DISH, GATHER,
    /// SCATTER, DGRAM, PEER and CHANNEL.
    #[cfg(zmq_draft)]
    pub const DRAFT: [SocketType; 9] = [
        SocketType::Server,
        SocketType::Client,
        SocketType::Radio,
        SocketType::Dish,
        SocketType::Gather,
        SocketType::Scatter,
        SocketType::Dgram,
        SocketType::Peer,
        SocketType::Channel,
    ];
}

impl fmt::Display for SocketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

bitflags::bitflags! {
    /// Flags for sending.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SendFlags: c_int {
        /// `ZMQ_DONTWAIT`: fail with [`Error::WouldBlock`] instead of blocking.
        const DONTWAIT = sys::ZMQ_DONTWAIT;
        /// `ZMQ_SNDMORE`: more frames of the same multipart message follow.
        const SNDMORE = sys::ZMQ_SNDMORE;
    }
}

bitflags::bitflags! {
    /// Flags for receiving.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RecvFlags: c_int {
        /// `ZMQ_DONTWAIT`: fail with [`Error::WouldBlock`] instead of blocking.
        const DONTWAIT = sys::ZMQ_DONTWAIT;
    }
}

/// A libzmq socket.
///
/// A socket is `Send` but not `Sync`: libzmq sockets may move between threads but must not be
/// used from two at once. Every method takes `&self`. Dropping the socket closes it (it never
/// panics); its unsent messages then live on for its linger, and the context it came from
/// lives at least as long as the socket.
pub struct Socket {
    raw: NonNull<c_void>,
    // Keeps the context alive until after the socket is closed in Drop.
    ctx: Context,
    // A borrowed socket belongs to C or C++ code, which closes it; never this crate.
    ownership: Ownership,
    // Cell<()> is Send and !Sync: exactly the thread rules of a libzmq socket.
    _not_sync: PhantomData<Cell<()>>,
    // Counts the monitors started on this socket, so that only the latest one (the one
    // libzmq still feeds) stops monitoring when it goes. Atomic only to keep `Cell<()>`
    // the one marker of `!Sync`; the socket is used by one thread at a time.
    pub(crate) monitor_generation: AtomicU64,
}

// SAFETY: a libzmq socket may be used from any thread, one at a time; !Sync keeps it to one.
unsafe impl Send for Socket {}

impl Drop for Socket {
    fn drop(&mut self) {
        let owned = self.ownership != Ownership::Borrowed;
        self.ctx
            .inproc()
            .forget_socket(self.raw.as_ptr(), |waiting| {
                if owned {
                    crate::inproc::release_waiting(&self.ctx, self.raw.as_ptr(), waiting);
                    // SAFETY: the socket is live and closed only here; its context is still
                    // alive (`self.ctx` is dropped after this body). Closed under the inproc
                    // record's lock: see `release_waiting`.
                    unsafe { sys::zmq_close(self.raw.as_ptr()) };
                }
            });
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Socket");
        s.field("ptr", &self.raw);
        if let Ok(kind) = self.socket_type() {
            s.field("type", &kind);
        }
        s.finish()
    }
}

impl Socket {
    pub(crate) fn new(ctx: Context, socket_type: SocketType) -> Result<Socket> {
        // SAFETY: plain FFI call on a live context; a null result is an error.
        let raw = unsafe { sys::zmq_socket(ctx.as_ptr(), socket_type.as_raw()) };
        let raw = NonNull::new(raw).ok_or_else(Error::last)?;
        Ok(Socket::wrap(raw, ctx, Ownership::Owned))
    }

    fn wrap(raw: NonNull<c_void>, ctx: Context, ownership: Ownership) -> Socket {
        Socket {
            raw,
            ctx,
            ownership,
            _not_sync: PhantomData,
            monitor_generation: AtomicU64::new(0),
        }
    }

    /// The raw `void *` socket, for the C API. It stays owned by this `Socket`. The same as
    /// [`Socket::as_raw`].
    #[inline]
    pub fn as_ptr(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// The raw `void *` socket, for C or C++ code in the same process (cppzmq wraps it with
    /// `zmq::socket_ref(zmq::from_handle, ptr)`). It stays owned by this `Socket` and valid
    /// while it lives; the C or C++ code must not close it, nor use it from another thread
    /// while Rust uses it (libzmq sockets are not thread-safe).
    pub fn as_raw(&self) -> *mut c_void {
        self.as_ptr()
    }

    /// Whether this `Socket` closes its socket on drop (made here, or taken with
    /// [`Socket::from_raw`]), rather than borrowing one from C or C++
    /// ([`Socket::from_raw_borrowed`]).
    pub fn is_owned(&self) -> bool {
        self.ownership == Ownership::Owned
    }

    /// Hands the socket over to C or C++ code without closing it: the raw `void *` socket,
    /// and the [`Context`] handle that kept its context alive. Keep that handle (or another
    /// of the same context) until the C or C++ side has closed the socket: dropping the last
    /// one before makes the context's termination wait for the socket's close. For a
    /// borrowed socket, the pointer simply goes back to its owner.
    pub fn into_raw(self) -> (*mut c_void, Context) {
        // Still open in C's hands: what it may leave waiting is C's to close.
        self.ctx.inproc().forget_socket(self.as_ptr(), |_| ());
        let (raw, ctx) = self.into_raw_parts();
        (raw.as_ptr(), ctx)
    }

    /// Takes ownership of a socket that C or C++ code created on `ctx`'s context: it is used
    /// as any [`Socket`] and closed when dropped (the C or C++ side must not close it).
    ///
    /// Fails with [`Error::ForeignHandle`] for a null pointer, a pointer that libzmq says is
    /// not a socket (`ENOTSOCK`), or any pointer while another copy of libzmq is loaded in
    /// the process (see the crate docs, "Sharing a context with C or C++").
    ///
    /// # Safety
    ///
    /// `ptr` must be a live socket of the libzmq this crate links, created on the context of
    /// `ctx` (libzmq cannot tell which context a socket belongs to), that nothing else closes
    /// or uses from now on except through this `Socket`.
    pub unsafe fn from_raw(ctx: &Context, ptr: *mut c_void) -> Result<Socket> {
        // SAFETY: the caller's promise.
        unsafe { Socket::from_foreign(ctx, ptr, Ownership::Owned) }
    }

    /// Borrows a socket that C or C++ code owns, to use it through this crate's API: dropping
    /// the `Socket` does not close it. The options it was given stay as they are (the
    /// context's socket defaults are not applied).
    ///
    /// Fails as [`Socket::from_raw`] does.
    ///
    /// # Safety
    ///
    /// `ptr` must be a live socket of the libzmq this crate links, created on the context of
    /// `ctx`; its owner must not close it until the `Socket` (and any monitor started on it)
    /// is dropped, nor use it while Rust does (libzmq sockets are not thread-safe: one
    /// thread at a time).
    pub unsafe fn from_raw_borrowed(ctx: &Context, ptr: *mut c_void) -> Result<Socket> {
        // SAFETY: the caller's promise.
        unsafe { Socket::from_foreign(ctx, ptr, Ownership::Borrowed) }
    }

    /// Checks a pointer from C or C++ and wraps it.
    ///
    /// # Safety
    ///
    /// As [`Socket::from_raw_borrowed`].
    unsafe fn from_foreign(
        ctx: &Context,
        ptr: *mut c_void,
        ownership: Ownership,
    ) -> Result<Socket> {
        check_foreign_pointer(ptr)?;
        let mut kind: c_int = 0;
        let mut len = std::mem::size_of::<c_int>();
        // libzmq's own check: a socket carries a tag, which every socket call verifies.
        // SAFETY: the caller promises a live socket of this libzmq (an object of another
        // kind fails the tag check with ENOTSOCK); `kind` has room for the int written.
        let rc = unsafe {
            sys::zmq_getsockopt(
                ptr,
                sys::ZMQ_TYPE,
                (&mut kind as *mut c_int).cast(),
                &mut len,
            )
        };
        if rc == -1 {
            let error = Error::last();
            if error == Error::NotSocket {
                return Err(Error::ForeignHandle(
                    "libzmq says the pointer is not a socket".to_owned(),
                ));
            }
            return Err(error);
        }
        let raw = NonNull::new(ptr).ok_or(Error::InvalidArgument)?;
        Ok(Socket::wrap(raw, ctx.clone(), ownership))
    }

    /// The context this socket was made from.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Gives up the socket without closing it: its raw pointer and its context, which the
    /// caller must keep alive until it closes the socket.
    pub(crate) fn into_raw_parts(self) -> (NonNull<c_void>, Context) {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the context is moved out exactly once.
        let ctx = unsafe { std::ptr::read(&this.ctx) };
        (this.raw, ctx)
    }

    /// Accepts connections on an endpoint: `tcp://127.0.0.1:5555`, `tcp://*:*` (any free
    /// port, see [`Socket::last_endpoint`] and [`Socket::bind_ephemeral_port`]),
    /// `ipc:///tmp/socket`, `inproc://name`.
    ///
    /// A TCP, WebSocket or UDP port must be `*` or `0` (any free port) or 1 to 65535;
    /// anything else is [`Error::InvalidArgument`] (libzmq itself would silently take a
    /// larger number modulo 65536).
    ///
    /// A socket of a thread-safe DRAFT type (SERVER, CLIENT, RADIO, DISH, SCATTER, GATHER,
    /// PEER, CHANNEL) refuses `inproc://` with [`Error::IncompatibleProtocol`], here and in
    /// [`Socket::connect`]: two of them deadlock inside libzmq when they talk over it
    /// (libzmq#3048); `ipc://` or `tcp://` serve instead.
    #[doc(alias = "zmq_bind")]
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Bind)
    }

    /// Binds to any free port of `address`, an endpoint without its port (`tcp://127.0.0.1`,
    /// `tcp://[::1]`, `tcp://*`, `ws://127.0.0.1/path`), and returns the endpoint bound, with
    /// the port the operating system chose: `tcp://127.0.0.1:41235`. A wildcard host comes
    /// back as `0.0.0.0` (or `[::]`).
    ///
    /// Only for `tcp`, `ws` and `wss`; another transport, or an address that already has a
    /// port (IPv6 addresses go in brackets), is [`Error::InvalidArgument`].
    ///
    /// ```
    /// let ctx = zmq::Context::new()?;
    /// let server = ctx.socket(zmq::SocketType::Rep)?;
    /// let endpoint = server.bind_ephemeral_port("tcp://127.0.0.1")?;
    /// assert!(endpoint.starts_with("tcp://127.0.0.1:"));
    /// let client = ctx.socket(zmq::SocketType::Req)?;
    /// client.connect(&endpoint)?;
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "bind_to_random_port")]
    pub fn bind_ephemeral_port(&self, address: &str) -> Result<String> {
        let (scheme, rest) = address.split_once("://").ok_or(Error::InvalidArgument)?;
        let (host, path) = match scheme {
            "tcp" => (rest, ""),
            "ws" | "wss" => rest.split_at(rest.find('/').unwrap_or(rest.len())),
            _ => return Err(Error::InvalidArgument),
        };
        // A colon outside an IPv6 address's brackets starts a port.
        let after_brackets = host.rsplit_once(']').map_or(host, |(_, after)| after);
        if host.is_empty() || after_brackets.contains(':') || host.contains(';') {
            return Err(Error::InvalidArgument);
        }
        self.bind(&format!("{scheme}://{host}:*{path}"))?;
        self.last_endpoint()
    }

    /// Connects to an endpoint. Connecting is asynchronous: it succeeds before the peer is
    /// there, and libzmq keeps reconnecting.
    ///
    /// A TCP, WebSocket or UDP port must be 1 to 65535, or [`Error::InvalidArgument`]. A
    /// TCP source address goes before the peer's, with a `;`:
    /// `tcp://127.0.0.1:0;127.0.0.1:5555` (the source port may be `*` or `0`: any).
    #[doc(alias = "zmq_connect")]
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Connect)
    }

    /// Connects to an `inproc://` endpoint bound at this moment (a monitor's, which
    /// `zmq_socket_monitor` bound), so that the context need not remember it as possibly
    /// waiting for a bind.
    pub(crate) fn connect_bound(&self, endpoint: &std::ffi::CStr) -> Result<()> {
        check(self.ctx.uninterrupted(|| {
            // SAFETY: a live socket and a NUL-terminated string that outlives the call.
            unsafe { sys::zmq_connect(self.as_ptr(), endpoint.as_ptr()) }
        }))
        .map(drop)
    }

    /// Stops accepting on an endpoint given to [`Socket::bind`] (for a wildcard bind, the
    /// resolved endpoint from [`Socket::last_endpoint`]). Ports are checked as in `bind`.
    /// (Given an `inproc://` name this socket connected to, libzmq 4.3.4 disconnects it, as
    /// [`Socket::disconnect`] does, under the same rule.)
    #[doc(alias = "zmq_unbind")]
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Unbind)
    }

    /// Disconnects from an endpoint given to [`Socket::connect`]. Ports are checked as in
    /// `connect`.
    ///
    /// A ROUTER or REP leaving an `inproc://` name that no socket has bound yet: the crate
    /// first completes the waiting connection on a short-lived socket of its own (libzmq
    /// would otherwise abort when the name is bound later, writing the binder's routing id
    /// into the ended connection). If other sockets wait for the same name, that would cut
    /// them off too, so the call fails with [`Error::InvalidState`] and the connection stays
    /// (as it does, with [`Error::TooManyOpenFiles`], if every socket slot stays taken for
    /// 100 ms).
    #[doc(alias = "zmq_disconnect")]
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Disconnect)
    }

    /// Sends one frame.
    ///
    /// `data` is anything [`Sendable`]: borrowed bytes (`&[u8]`, `&str`, `b"…"`) are copied by
    /// libzmq straight from the caller's buffer (`zmq_send`), owned ones (`Vec<u8>`, `String`,
    /// `Box<[u8]>`, [`Message`]) are handed over without copying. A send that fails returns
    /// what it did not send inside the [`SendError`] (`()` for borrowed data, which the
    /// caller still has), so nothing is lost; `?` turns it into an [`Error`].
    ///
    /// With [`SendFlags::SNDMORE`], the frame is part of a multipart message that the next
    /// send without it completes; [`Socket::send_multipart`] does this atomically.
    ///
    /// A send that has to wait (at the high-water mark) returns [`Error::Interrupted`] when a
    /// signal handler runs in this thread meanwhile (libzmq never restarts the wait, whatever
    /// `SA_RESTART` says), with the data handed back: send it again, with what is left of
    /// the send timeout if one matters. This is how a program's Ctrl-C handler gets a blocked
    /// thread back. A send timeout that runs out is [`Error::WouldBlock`]. A send with
    /// [`SendFlags::DONTWAIT`] is never interrupted.
    #[doc(alias = "zmq_send")]
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send<T: Sendable>(&self, data: T, flags: SendFlags) -> Result<(), SendError<T::Unsent>> {
        data.send_on(self, flags)
    }

    /// Sends a multipart message: every item becomes one frame.
    ///
    /// The frames are converted before anything is sent, and libzmq delivers a multipart
    /// message whole or not at all. If the first frame cannot be sent (would block,
    /// interrupted), the error hands back every frame and the socket is as before. Once the
    /// first frame is queued libzmq accepts the rest without blocking (a signal that cuts it
    /// short then is retried, so never leaves half a message queued). What can still fail
    /// then: the context being terminated, and the error hands back the frames not sent; or,
    /// for the load-balancing types (PUSH, DEALER, REQ), the peer the message was going to
    /// disconnecting in the middle: libzmq then discards the whole message (it never arrives
    /// in part) and, when the send may block (no [`SendFlags::DONTWAIT`], a send timeout other
    /// than zero), reports success, as in C; otherwise that frame fails with
    /// [`Error::WouldBlock`] and the error hands back the frames not sent.
    /// An empty iterator is [`Error::InvalidArgument`]: there is no message of zero frames.
    pub fn send_multipart<I>(
        &self,
        frames: I,
        flags: SendFlags,
    ) -> Result<(), SendError<Vec<Message>>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut frames: Vec<Message> = frames.into_iter().map(Into::into).collect();
        if frames.is_empty() {
            return Err(SendError::new(Error::InvalidArgument, frames));
        }
        let last = frames.len() - 1;
        for index in 0..frames.len() {
            let frame_flags = if index < last {
                flags | SendFlags::SNDMORE
            } else {
                flags
            };
            // After the first frame libzmq takes the rest without waiting, and a signal can
            // only cut it short before it takes one: retried, so that a signal never leaves
            // half a message queued.
            if let Err(error) = self.send_frame(&mut frames[index], frame_flags, index > 0) {
                return Err(SendError::new(error, frames.split_off(index)));
            }
        }
        Ok(())
    }

    /// Sends the content of `msg`, leaving it empty on success and untouched on failure.
    #[inline]
    fn send_msg(&self, msg: &mut Message, flags: SendFlags) -> Result<()> {
        self.send_frame(msg, flags, false)
    }

    /// [`Socket::send_msg`] for one frame of a message, `later` than its first or not: one
    /// that cannot wait (a later frame, or `DONTWAIT`) is called again while a signal
    /// interrupts it.
    #[inline]
    fn send_frame(&self, msg: &mut Message, flags: SendFlags, later: bool) -> Result<()> {
        let retry = later || flags.contains(SendFlags::DONTWAIT);
        check(self.ctx.uninterrupted_if(retry, || {
            // SAFETY: a live socket and message; on success libzmq takes the content and
            // leaves the message empty but initialised, on failure it leaves the message as
            // it was.
            unsafe { sys::zmq_msg_send(msg.as_mut_ptr(), self.as_ptr(), flags.bits()) }
        }))?;
        msg.set_emptied();
        Ok(())
    }

    fn send_bytes(&self, data: &[u8], flags: SendFlags) -> Result<()> {
        check(
            self.ctx
                .uninterrupted_if(flags.contains(SendFlags::DONTWAIT), || {
                    // SAFETY: a live socket; libzmq copies `data.len()` bytes from `data` before
                    // returning.
                    unsafe {
                        sys::zmq_send(
                            self.as_ptr(),
                            data.as_ptr().cast(),
                            data.len(),
                            flags.bits(),
                        )
                    }
                }),
        )
        .map(drop)
    }

    /// Receives one frame into `msg`, replacing what it held: the allocation-free way to
    /// receive in a loop.
    ///
    /// ```
    /// # let ctx = zmq::Context::new()?;
    /// # let (a, b) = (ctx.socket(zmq::SocketType::Pair)?, ctx.socket(zmq::SocketType::Pair)?);
    /// # a.bind("inproc://doc-recv")?; b.connect("inproc://doc-recv")?;
    /// # for i in 0..3 { a.send(format!("{i}"), zmq::SendFlags::empty())?; }
    /// let mut msg = zmq::Message::new();
    /// for _ in 0..3 {
    ///     b.recv(&mut msg, zmq::RecvFlags::empty())?;
    ///     println!("{:?} (more: {})", &msg[..], msg.more());
    /// }
    /// # Ok::<(), zmq::Error>(())
    /// ```
    ///
    /// A receive that waits returns [`Error::Interrupted`] when a signal handler runs in this
    /// thread meanwhile (libzmq never restarts the wait, whatever `SA_RESTART` says), having
    /// taken nothing: call again, with what is left of the receive timeout if one matters.
    /// The same holds for every receive method. A receive timeout that runs out is
    /// [`Error::WouldBlock`]. A receive with [`RecvFlags::DONTWAIT`] is never interrupted.
    #[doc(alias = "zmq_msg_recv")]
    #[inline]
    pub fn recv(&self, msg: &mut Message, flags: RecvFlags) -> Result<()> {
        receive::into_message(self, msg, flags)
    }

    /// Receives one frame as a new [`Message`].
    pub fn recv_msg(&self, flags: RecvFlags) -> Result<Message> {
        receive::message(self, flags)
    }

    /// Receives one frame as a `Vec<u8>` (a copy of the message's bytes).
    pub fn recv_bytes(&self, flags: RecvFlags) -> Result<Vec<u8>> {
        receive::bytes(self, flags)
    }

    /// Receives one frame into `buf` and returns the frame's full size.
    ///
    /// A frame larger than `buf` is cut to fit and the rest discarded, as `zmq_recv` does;
    /// the returned size is then larger than `buf.len()`, so truncation is never silent.
    #[doc(alias = "zmq_recv")]
    pub fn recv_into(&self, buf: &mut [u8], flags: RecvFlags) -> Result<usize> {
        receive::into_buffer(self, buf, flags)
    }

    /// Receives one frame as a `String`. A frame that is not UTF-8 is
    /// [`Error::InvalidUtf8`], which keeps the received bytes.
    pub fn recv_string(&self, flags: RecvFlags) -> Result<String> {
        receive::string(self, flags)
    }

    /// Receives every frame of one multipart message.
    ///
    /// libzmq delivers a multipart message whole: once its first frame is there, so are the
    /// others, and with [`RecvFlags::DONTWAIT`] either all frames are received or none. A
    /// signal can interrupt the wait for the first frame only ([`Error::Interrupted`], nothing
    /// taken).
    pub fn recv_multipart(&self, flags: RecvFlags) -> Result<Multipart> {
        let mut frames = Vec::new();
        loop {
            // The frames after the first are there already: a signal can only cut libzmq
            // short before it takes one, and that is retried, so none is lost.
            let mut msg = Message::new();
            receive::frame(self, &mut msg, flags, !frames.is_empty())?;
            let more = msg.more();
            frames.push(msg);
            if !more {
                return Ok(Multipart::from(frames));
            }
        }
    }
}

/// Calls `zmq_bind`, `zmq_connect`, `zmq_unbind` or `zmq_disconnect` on a live socket of
/// `ctx`, after refusing an endpoint with a NUL byte or a bad port, and keeps the context's
/// record of `inproc://` names.
pub(crate) fn endpoint_call(
    ctx: &Context,
    socket: NonNull<c_void>,
    endpoint: &str,
    op: EndpointOp,
) -> Result<()> {
    let c_endpoint = c_string(endpoint)?;
    check_ports(
        endpoint,
        matches!(op, EndpointOp::Bind | EndpointOp::Unbind),
    )?;
    if matches!(op, EndpointOp::Bind | EndpointOp::Connect) {
        refuse_inproc_if_thread_safe(ctx, socket.as_ptr(), endpoint)?;
    }
    let call = match op {
        EndpointOp::Bind => sys::zmq_bind,
        EndpointOp::Connect => sys::zmq_connect,
        EndpointOp::Unbind => sys::zmq_unbind,
        EndpointOp::Disconnect => sys::zmq_disconnect,
    };
    ctx.inproc().track(
        op,
        socket.as_ptr(),
        &c_endpoint,
        || {
            ctx.uninterrupted(|| {
                // SAFETY: the caller's live socket and a NUL-terminated string that outlives
                // the call.
                unsafe { call(socket.as_ptr(), c_endpoint.as_ptr()) }
            })
        },
        &crate::inproc::LiveSocket {
            ctx,
            socket: socket.as_ptr(),
        },
    )
}

/// Refuses an `inproc://` bind or connect of a socket of a thread-safe (DRAFT) type with
/// [`Error::IncompatibleProtocol`]: two such sockets talking over `inproc://` deadlock inside
/// libzmq (libzmq#3048). Each holds its own lock while it hands a command to the other, which
/// takes the other's lock: a CLIENT receiving on one thread and its SERVER receiving on
/// another hang within a few hundred messages, and a socket closed while its peer binds hangs
/// libzmq's reaper thread. Over `tcp://` and `ipc://` the commands go through an I/O thread
/// that holds no socket lock.
pub(crate) fn refuse_inproc_if_thread_safe(
    ctx: &Context,
    socket: *mut c_void,
    endpoint: &str,
) -> Result<()> {
    if !endpoint.starts_with("inproc://") {
        return Ok(());
    }
    if int_option(ctx, socket, sys::ZMQ_THREAD_SAFE)? != 0 {
        return Err(Error::IncompatibleProtocol);
    }
    Ok(())
}

/// Reads the `int` socket option `option` of `socket`, a live socket of `ctx`, without the
/// typed option layer (for the crate's own bookkeeping). Reading `ZMQ_EVENTS` this way makes
/// the socket process its pending commands.
pub(crate) fn int_option(ctx: &Context, socket: *mut c_void, option: c_int) -> Result<c_int> {
    let mut value: c_int = 0;
    let mut len = std::mem::size_of::<c_int>();
    check(ctx.uninterrupted(|| {
        // SAFETY: the caller's live socket and a c_int with its size.
        unsafe { sys::zmq_getsockopt(socket, option, (&mut value as *mut c_int).cast(), &mut len) }
    }))?;
    Ok(value)
}

/// Refuses a TCP, WebSocket or UDP port that is not a number from 1 to 65535 (or, where
/// `any_port`, `*` or `0`) before libzmq sees it: libzmq reads the port with `atoi` and keeps
/// it modulo 65536, so `tcp://127.0.0.1:70000` would quietly mean port 4464 and `:-1` port
/// 65535. Other transports, and addresses libzmq would refuse anyway, pass through.
pub(crate) fn check_ports(endpoint: &str, any_port: bool) -> Result<()> {
    let Some((scheme, address)) = endpoint.split_once("://") else {
        return Ok(());
    };
    match scheme {
        "tcp" => match address.rsplit_once(';') {
            // A source address: its port may always be "any".
            Some((source, peer)) => {
                check_port(source, true)?;
                check_port(peer, any_port)
            }
            None => check_port(address, any_port),
        },
        // `ws://host:port/path`.
        "ws" | "wss" => check_port(address.split('/').next().unwrap_or(address), any_port),
        // `udp://[interface;]host:port`: the interface has no port.
        "udp" => check_port(
            address.rsplit_once(';').map_or(address, |(_, peer)| peer),
            any_port,
        ),
        _ => Ok(()),
    }
}

/// Checks the port after the last colon of `host:port`, as libzmq finds it.
fn check_port(host_port: &str, any_port: bool) -> Result<()> {
    let Some((_, port)) = host_port.rsplit_once(':') else {
        // No port at all: libzmq refuses that itself.
        return Ok(());
    };
    if any_port && port == "*" {
        return Ok(());
    }
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidArgument);
    }
    match port.parse::<u32>() {
        Ok(1..=65535) => Ok(()),
        Ok(0) if any_port => Ok(()),
        _ => Err(Error::InvalidArgument),
    }
}

/// The receive calls shared by every kind of socket handle.
pub(crate) mod receive {
    use crate::error::{check, Error, Result};
    use crate::message::Message;
    use crate::options::RawSocket;
    use crate::socket::RecvFlags;
    use crate::sys;

    #[inline]
    pub(crate) fn into_message(
        socket: &impl RawSocket,
        msg: &mut Message,
        flags: RecvFlags,
    ) -> Result<()> {
        frame(socket, msg, flags, false)
    }

    /// [`into_message`] for one frame of a message, `later` than its first or not: one that
    /// cannot wait (a later frame, or `DONTWAIT`) is called again while a signal interrupts
    /// it.
    #[inline]
    pub(crate) fn frame(
        socket: &impl RawSocket,
        msg: &mut Message,
        flags: RecvFlags,
        later: bool,
    ) -> Result<()> {
        let retry = later || flags.contains(RecvFlags::DONTWAIT);
        let rc = socket.context().uninterrupted_if(retry, || {
            // SAFETY: a live socket and an initialised message, whose old content libzmq
            // releases before storing the new one; on failure the message is left empty
            // or as it was, initialised either way.
            unsafe { sys::zmq_msg_recv(msg.as_mut_ptr(), socket.raw_socket(), flags.bits()) }
        });
        msg.set_received();
        check(rc).map(drop)
    }

    pub(crate) fn message(socket: &impl RawSocket, flags: RecvFlags) -> Result<Message> {
        let mut msg = Message::new();
        into_message(socket, &mut msg, flags)?;
        Ok(msg)
    }

    pub(crate) fn bytes(socket: &impl RawSocket, flags: RecvFlags) -> Result<Vec<u8>> {
        message(socket, flags).map(|msg| msg.to_vec())
    }

    pub(crate) fn string(socket: &impl RawSocket, flags: RecvFlags) -> Result<String> {
        String::from_utf8(bytes(socket, flags)?).map_err(Error::InvalidUtf8)
    }

    pub(crate) fn into_buffer(
        socket: &impl RawSocket,
        buf: &mut [u8],
        flags: RecvFlags,
    ) -> Result<usize> {
        let dontwait = flags.contains(RecvFlags::DONTWAIT);
        let size = check(socket.context().uninterrupted_if(dontwait, || {
            // SAFETY: a live socket; libzmq writes at most `buf.len()` bytes into `buf`.
            unsafe {
                sys::zmq_recv(
                    socket.raw_socket(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    flags.bits(),
                )
            }
        }))?;
        // check() returned a non-negative size.
        Ok(size as usize)
    }
}

mod private {
    pub trait Sealed {}
}

/// What [`Socket::send`] accepts: borrowed bytes, which libzmq copies, or owned ones, which
/// it takes without copying.
///
/// Sealed: implemented for `&[u8]`, `&[u8; N]`, `&str`, `&String`, `&Vec<u8>`, `&Message`
/// (all `Unsent = ()`), and `Vec<u8>`, `String`, `Box<[u8]>`, [`Message`]
/// (`Unsent = Message`).
pub trait Sendable: private::Sealed {
    /// What a failed send hands back.
    type Unsent;

    #[doc(hidden)]
    fn send_on(self, socket: &Socket, flags: SendFlags) -> Result<(), SendError<Self::Unsent>>;
}

macro_rules! sendable_borrowed {
    ($($(#[$attr:meta])* [$($generics:tt)*] $ty:ty;)*) => {$(
        impl<$($generics)*> private::Sealed for $ty {}
        $(#[$attr])*
        impl<$($generics)*> Sendable for $ty {
            type Unsent = ();

            fn send_on(self, socket: &Socket, flags: SendFlags) -> Result<(), SendError<()>> {
                let bytes: &[u8] = self.as_ref();
                socket.send_bytes(bytes, flags).map_err(|e| SendError::new(e, ()))
            }
        }
    )*};
}

sendable_borrowed! {
    ['a] &'a [u8];
    ['a, const N: usize] &'a [u8; N];
    ['a] &'a str;
    ['a] &'a String;
    ['a] &'a Vec<u8>;
}

macro_rules! sendable_owned {
    ($($ty:ty),*) => {$(
        impl private::Sealed for $ty {}
        impl Sendable for $ty {
            type Unsent = Message;

            fn send_on(self, socket: &Socket, flags: SendFlags) -> Result<(), SendError<Message>> {
                Message::from(self).send_on(socket, flags)
            }
        }
    )*};
}

sendable_owned!(Vec<u8>, String, Box<[u8]>);

impl private::Sealed for Message {}
impl Sendable for Message {
    type Unsent = Message;

    #[inline]
    fn send_on(mut self, socket: &Socket, flags: SendFlags) -> Result<(), SendError<Message>> {
        match socket.send_msg(&mut self, flags) {
            Ok(()) => Ok(()),
            Err(e) => Err(SendError::new(e, self)),
        }
    }
}

impl private::Sealed for &Message {}
impl Sendable for &Message {
    type Unsent = ();

    /// Sends a copy that shares the bytes (`zmq_msg_copy`): the caller keeps the message,
    /// to send again (to several sockets, say) without copying the data.
    fn send_on(self, socket: &Socket, flags: SendFlags) -> Result<(), SendError<()>> {
        let mut copy = self.clone();
        socket
            .send_msg(&mut copy, flags)
            .map_err(|e| SendError::new(e, ()))
    }
}
