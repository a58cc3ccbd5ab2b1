//! The DRAFT thread-safe socket types (SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER, PEER,
//! CHANNEL) behind one `Sync` handle that speaks single-frame messages, routing ids and groups.

use std::fmt;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;

use crate::context::Context;
use crate::error::{c_string, check, Error, Result, SendError};
use crate::inproc::EndpointOp;
use crate::message::Message;
use crate::options::RawSocket;
use crate::socket::{check_ports, endpoint_call, receive, RecvFlags, Socket, SocketType};
use crate::sys;

/// The thread-safe socket types of libzmq's DRAFT API, which a [`ThreadSafeSocket`] can be.
///
/// Messages on these types are single frames: libzmq refuses multipart messages on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadSafeType {
    /// `ZMQ_SERVER`: receives from clients, each message carrying the routing id of the client
    /// that sent it ([`Message::routing_id`]); replies by setting that routing id on the reply
    /// ([`Message::set_routing_id`]).
    Server,
    /// `ZMQ_CLIENT`: sends to servers, load-balanced, and receives their replies.
    Client,
    /// `ZMQ_RADIO`: sends each message to the dishes that joined its group
    /// ([`Message::set_group`]). Send only; drops at the high-water mark.
    Radio,
    /// `ZMQ_DISH`: receives the messages of the groups it joined ([`ThreadSafeSocket::join`]).
    /// Receive only.
    Dish,
    /// `ZMQ_GATHER`: receives from scatterers, fair-queued. Receive only.
    Gather,
    /// `ZMQ_SCATTER`: sends to gatherers, load-balanced. Send only.
    Scatter,
    /// `ZMQ_PEER`: connects to peers with [`ThreadSafeSocket::connect_peer`], which returns
    /// the peer's routing id; messages are addressed and received by routing id, as on
    /// SERVER.
    Peer,
    /// `ZMQ_CHANNEL`: an exclusive connection to one other CHANNEL.
    Channel,
}

impl ThreadSafeType {
    /// Every thread-safe type.
    pub const ALL: [ThreadSafeType; 8] = [
        ThreadSafeType::Server,
        ThreadSafeType::Client,
        ThreadSafeType::Radio,
        ThreadSafeType::Dish,
        ThreadSafeType::Gather,
        ThreadSafeType::Scatter,
        ThreadSafeType::Peer,
        ThreadSafeType::Channel,
    ];

    /// The socket type.
    pub fn socket_type(self) -> SocketType {
        match self {
            ThreadSafeType::Server => SocketType::Server,
            ThreadSafeType::Client => SocketType::Client,
            ThreadSafeType::Radio => SocketType::Radio,
            ThreadSafeType::Dish => SocketType::Dish,
            ThreadSafeType::Gather => SocketType::Gather,
            ThreadSafeType::Scatter => SocketType::Scatter,
            ThreadSafeType::Peer => SocketType::Peer,
            ThreadSafeType::Channel => SocketType::Channel,
        }
    }

    /// The thread-safe type for a socket type, `None` for one that is not thread-safe.
    pub fn from_socket_type(socket_type: SocketType) -> Option<ThreadSafeType> {
        ThreadSafeType::ALL
            .into_iter()
            .find(|t| t.socket_type() == socket_type)
    }
}

impl From<ThreadSafeType> for SocketType {
    fn from(kind: ThreadSafeType) -> SocketType {
        kind.socket_type()
    }
}

impl fmt::Display for ThreadSafeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.socket_type().name())
    }
}

bitflags::bitflags! {
    /// Flags for sending on a [`ThreadSafeSocket`]. There is no `SNDMORE`: the thread-safe
    /// types carry single-frame messages only.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ThreadSafeSendFlags: c_int {
        /// `ZMQ_DONTWAIT`: fail with [`Error::WouldBlock`] instead of blocking.
        const DONTWAIT = sys::ZMQ_DONTWAIT;
    }
}

/// A socket of a DRAFT thread-safe type ([`ThreadSafeType`]), which may be used from several
/// threads at once: it is `Send` and `Sync`, so threads can share it by reference (an `Arc`,
/// or `std::thread::scope`). Made by [`Context::thread_safe_socket`].
///
/// Messages are single frames: [`ThreadSafeSendFlags`] has no `SNDMORE`, and there is no
/// multipart API. Addressing is in the message: the routing id on SERVER and PEER
/// ([`Message::routing_id`], [`Message::set_routing_id`]), the group on RADIO and DISH
/// ([`Message::group`], [`Message::set_group`]). Every socket option of the option table is
/// a method here as on [`Socket`]; one that does not apply fails as libzmq reports it:
/// `fd()` is [`Error::InvalidArgument`] (a thread-safe socket has no `ZMQ_FD`; wait on it
/// with a [`Poller`](crate::Poller)), and `rcvmore()` is always `false`. Dropping the handle
/// closes the socket.
///
/// # No `inproc://`
///
/// Binding or connecting a thread-safe socket to an `inproc://` endpoint fails with
/// [`Error::IncompatibleProtocol`]. libzmq guards each thread-safe socket with a lock that it
/// holds while it hands commands to the socket's peers, and a thread-safe peer's mailbox
/// takes that peer's own lock: over `inproc://`, where two sockets hand commands straight to
/// each other, a CLIENT receiving on one thread while its SERVER receives on another each
/// wait for the other's lock for ever (within a few hundred messages at high-water marks of
/// 10), and closing one while the other binds hangs libzmq's reaper thread (libzmq#3048,
/// closed unfixed). Over `ipc://` and `tcp://` the commands pass through an I/O thread,
/// which holds no socket lock. Within one process, `ipc://` costs little more.
///
/// ```
/// # fn main() -> zmq::Result<()> {
/// use zmq::{Message, RecvFlags, ThreadSafeSendFlags, ThreadSafeType};
///
/// let ctx = zmq::Context::new()?;
/// let server = ctx.thread_safe_socket(ThreadSafeType::Server)?;
/// server.bind("tcp://127.0.0.1:*")?;
/// let client = ctx.thread_safe_socket(ThreadSafeType::Client)?;
/// client.connect(&server.last_endpoint()?)?;
///
/// client.send("ping", ThreadSafeSendFlags::empty())?;
/// let request = server.recv_msg(RecvFlags::empty())?;
/// let mut reply = Message::from("pong");
/// reply.set_routing_id(request.routing_id().ok_or(zmq::Error::InvalidArgument)?)?;
/// server.send(reply, ThreadSafeSendFlags::empty())?;
/// assert_eq!(client.recv_string(RecvFlags::empty())?, "pong");
/// # Ok(())
/// # }
/// ```
pub struct ThreadSafeSocket {
    raw: NonNull<c_void>,
    // Keeps the context alive until after the socket is closed in Drop.
    ctx: Context,
}

// SAFETY: a libzmq socket may be used from any thread.
unsafe impl Send for ThreadSafeSocket {}
// SAFETY: libzmq guards every call on a thread-safe socket type with the socket's mutex.
unsafe impl Sync for ThreadSafeSocket {}

impl Drop for ThreadSafeSocket {
    fn drop(&mut self) {
        // Thread-safe sockets refuse inproc, so they leave no names bound or waiting.
        // SAFETY: the socket is live and closed only here (no other reference exists during
        // drop); its context is still alive (`self.ctx` is dropped after this body).
        unsafe { sys::zmq_close(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for ThreadSafeSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ThreadSafeSocket");
        s.field("ptr", &self.raw);
        if let Ok(kind) = self.socket_type() {
            s.field("type", &kind);
        }
        s.finish()
    }
}

impl RawSocket for ThreadSafeSocket {
    #[inline]
    fn raw_socket(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    fn context(&self) -> &Context {
        &self.ctx
    }
}

impl Context {
    /// Creates a socket of a thread-safe DRAFT type, applying the context's socket defaults
    /// ([`ContextBuilder::linger`](crate::ContextBuilder::linger),
    /// [`ContextBuilder::socket_defaults`](crate::ContextBuilder::socket_defaults)) as
    /// [`Context::socket`] does.
    pub fn thread_safe_socket(&self, kind: ThreadSafeType) -> Result<ThreadSafeSocket> {
        self.socket(kind.socket_type())
            .map(ThreadSafeSocket::from_socket)
    }
}

impl ThreadSafeSocket {
    fn from_socket(socket: Socket) -> ThreadSafeSocket {
        let (raw, ctx) = socket.into_raw_parts();
        ThreadSafeSocket { raw, ctx }
    }

    /// The raw `void *` socket, for the C API. It stays owned by this handle.
    pub fn as_ptr(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// The context this socket was made from.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Accepts connections on an endpoint, as [`Socket::bind`] does (same port checks).
    /// RADIO and DISH also take `udp://` endpoints (a DISH binds `udp://127.0.0.1:5555`).
    /// `inproc://` is [`Error::IncompatibleProtocol`] ([why](ThreadSafeSocket#no-inproc)).
    #[doc(alias = "zmq_bind")]
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Bind)
    }

    /// Connects to an endpoint, as [`Socket::connect`] does. `inproc://` is
    /// [`Error::IncompatibleProtocol`] ([why](ThreadSafeSocket#no-inproc)).
    #[doc(alias = "zmq_connect")]
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Connect)
    }

    /// Stops accepting on an endpoint given to [`ThreadSafeSocket::bind`].
    #[doc(alias = "zmq_unbind")]
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Unbind)
    }

    /// Disconnects from an endpoint given to [`ThreadSafeSocket::connect`].
    #[doc(alias = "zmq_disconnect")]
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        endpoint_call(&self.ctx, self.raw, endpoint, EndpointOp::Disconnect)
    }

    /// PEER only: connects to a PEER at `endpoint` and returns the routing id that addresses
    /// it ([`Message::set_routing_id`]). Messages may be sent to it at once; libzmq queues
    /// them until the connection is up. On another socket type it fails with
    /// [`Error::NotSupported`]; with `ZMQ_IMMEDIATE` set, libzmq refuses it (`EFAULT`,
    /// [`Error::Other`]).
    #[doc(alias = "zmq_connect_peer")]
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        let c_endpoint = c_string(endpoint)?;
        check_ports(endpoint, false)?;
        crate::socket::refuse_inproc_if_thread_safe(&self.ctx, self.as_ptr(), endpoint)?;
        // Not inproc, so nothing for the context's inproc record to track.
        let mut routing_id = 0;
        check(self.ctx.uninterrupted(|| {
            // SAFETY: a live socket and a NUL-terminated string that outlives the call.
            routing_id = unsafe { sys::zmq_connect_peer(self.as_ptr(), c_endpoint.as_ptr()) };
            // zmq_connect_peer fails with routing id 0 and errno set.
            if routing_id == 0 {
                -1
            } else {
                0
            }
        }))?;
        Ok(routing_id)
    }

    /// DISH only: receives the messages sent to `group` from now on. A group is at most 255
    /// bytes ([`Error::InvalidArgument`]) without NUL bytes ([`Error::InteriorNul`]). Joining
    /// a group twice is [`Error::InvalidArgument`]; on another socket type,
    /// [`Error::NotSupported`].
    #[doc(alias = "zmq_join")]
    pub fn join(&self, group: &str) -> Result<()> {
        let group = group_c_string(group)?;
        // SAFETY: a live socket and a NUL-terminated string that outlives the call.
        check(unsafe { sys::zmq_join(self.as_ptr(), group.as_ptr()) }).map(drop)
    }

    /// DISH only: stops receiving the messages of a joined `group` (one not joined is
    /// [`Error::InvalidArgument`]).
    #[doc(alias = "zmq_leave")]
    pub fn leave(&self, group: &str) -> Result<()> {
        let group = group_c_string(group)?;
        // SAFETY: a live socket and a NUL-terminated string that outlives the call.
        check(unsafe { sys::zmq_leave(self.as_ptr(), group.as_ptr()) }).map(drop)
    }

    /// Sends one message. `msg` is anything that becomes a [`Message`] (owned bytes are taken
    /// without copying, borrowed ones copied once). On SERVER and PEER the message must carry
    /// the routing id of its receiver, on RADIO its group; both are set on the [`Message`].
    ///
    /// A send that fails hands the message back inside the [`SendError`]. SERVER and PEER
    /// fail with [`Error::HostUnreachable`] for a routing id that is not (or no longer)
    /// connected.
    #[doc(alias = "zmq_msg_send")]
    pub fn send(
        &self,
        msg: impl Into<Message>,
        flags: ThreadSafeSendFlags,
    ) -> Result<(), SendError<Message>> {
        let mut msg = msg.into();
        let dontwait = flags.contains(ThreadSafeSendFlags::DONTWAIT);
        let rc = self.ctx.uninterrupted_if(dontwait, || {
            // SAFETY: a live socket and message; on success libzmq takes the content and
            // leaves the message empty but initialised, on failure it leaves the message as
            // it was.
            unsafe { sys::zmq_msg_send(msg.as_mut_ptr(), self.as_ptr(), flags.bits()) }
        });
        match check(rc) {
            Ok(_) => {
                msg.set_emptied();
                Ok(())
            }
            Err(error) => Err(SendError::new(error, msg)),
        }
    }

    /// Receives one message into `msg`, replacing what it held (no allocation in a loop). On
    /// SERVER and PEER it carries the sender's routing id, on DISH its group.
    #[doc(alias = "zmq_msg_recv")]
    pub fn recv(&self, msg: &mut Message, flags: RecvFlags) -> Result<()> {
        receive::into_message(self, msg, flags)
    }

    /// Receives one message as a new [`Message`].
    pub fn recv_msg(&self, flags: RecvFlags) -> Result<Message> {
        receive::message(self, flags)
    }

    /// Receives one message as a `Vec<u8>` (a copy of its bytes; the routing id and group
    /// are not kept).
    pub fn recv_bytes(&self, flags: RecvFlags) -> Result<Vec<u8>> {
        receive::bytes(self, flags)
    }

    /// Receives one message into `buf` and returns its full size, as [`Socket::recv_into`]
    /// does: a larger message is cut to fit, and the size returned says so.
    #[doc(alias = "zmq_recv")]
    pub fn recv_into(&self, buf: &mut [u8], flags: RecvFlags) -> Result<usize> {
        receive::into_buffer(self, buf, flags)
    }

    /// Receives one message as a `String`. A message that is not UTF-8 is
    /// [`Error::InvalidUtf8`], which keeps the received bytes.
    pub fn recv_string(&self, flags: RecvFlags) -> Result<String> {
        receive::string(self, flags)
    }
}

/// A group name for libzmq: at most `ZMQ_GROUP_MAX_LENGTH` (255) bytes, no NUL byte.
pub(crate) fn group_c_string(group: &str) -> Result<std::ffi::CString> {
    let c_group = c_string(group)?;
    if group.len() > sys::ZMQ_GROUP_MAX_LENGTH as usize {
        return Err(Error::InvalidArgument);
    }
    Ok(c_group)
}
