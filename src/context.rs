//! The libzmq context: the owner of I/O threads and of every socket made from it.

use std::fmt;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::options::millis_to_c;
use crate::socket::{Socket, SocketType};
use crate::sys;

/// A libzmq context: a cheap, cloneable handle that is `Send + Sync`.
///
/// Every [`Socket`] holds a clone, so no drop order can terminate a context under a live
/// socket or terminate it twice. When the last handle goes (the last `Context` clone and the
/// last socket), the context is terminated with `zmq_ctx_term`, which waits for the sockets'
/// queued messages as their linger allows (libzmq's default linger is infinite: nothing
/// queued is dropped silently). Choose a finite default with [`ContextBuilder::linger`], or
/// call [`Context::shutdown`] to make every blocking call return
/// [`Error::ContextTerminated`].
///
/// ```
/// let ctx = zmq::Context::new()?;
/// let a = ctx.socket(zmq::SocketType::Pair)?;
/// let b = ctx.clone().socket(zmq::SocketType::Pair)?;
/// a.bind("inproc://doc-context")?;
/// b.connect("inproc://doc-context")?;
/// a.send("ping", zmq::SendFlags::empty())?;
/// assert_eq!(b.recv_string(zmq::RecvFlags::empty())?, "ping");
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<RawContext>,
}

struct RawContext {
    ptr: NonNull<c_void>,
    default_linger: Option<Option<Duration>>,
}

// SAFETY: libzmq contexts are thread-safe; every zmq_ctx_* and zmq_socket call may come from any thread.
unsafe impl Send for RawContext {}
// SAFETY: as above, concurrent calls on one context are allowed by libzmq.
unsafe impl Sync for RawContext {}

impl Drop for RawContext {
    fn drop(&mut self) {
        loop {
            // SAFETY: this is the only owner left of a live context (every socket holds a
            // clone of the Arc, so all sockets are closed), and it is terminated only here.
            let rc = unsafe { sys::zmq_ctx_term(self.ptr.as_ptr()) };
            if rc == 0 || Error::last() != Error::Interrupted {
                break;
            }
        }
    }
}

impl Context {
    /// A context with libzmq's defaults: one I/O thread, 1023 sockets at most, infinite
    /// linger.
    ///
    /// Fails only when libzmq cannot create a context at all: out of memory, or out of file
    /// descriptors for its internal signalling ([`Error::TooManyOpenFiles`]).
    pub fn new() -> Result<Context> {
        ContextBuilder::default().build()
    }

    /// A builder for a context with other options.
    pub fn builder() -> ContextBuilder {
        ContextBuilder::default()
    }

    /// Creates a socket of the given type on this context.
    ///
    /// The socket gets the context's default linger if the builder set one.
    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        let socket = Socket::new(self.clone(), socket_type)?;
        if let Some(linger) = self.inner.default_linger {
            socket.set_linger(linger)?;
        }
        Ok(socket)
    }

    /// Shuts the context down: every blocking call on its sockets, in any thread, returns
    /// [`Error::ContextTerminated`], and so does every later call except closing.
    ///
    /// The context itself is terminated when its last handle and socket are dropped. Calling
    /// this more than once is harmless.
    #[doc(alias = "zmq_ctx_shutdown")]
    pub fn shutdown(&self) {
        // SAFETY: the pointer is a live context (this handle keeps it alive); shutting down an
        // already shut down context is a no-op in libzmq.
        unsafe { sys::zmq_ctx_shutdown(self.as_ptr()) };
    }

    /// The number of I/O threads.
    #[doc(alias = "ZMQ_IO_THREADS")]
    pub fn io_threads(&self) -> Result<i32> {
        self.get(sys::ZMQ_IO_THREADS)
    }

    /// The largest number of sockets the context allows.
    #[doc(alias = "ZMQ_MAX_SOCKETS")]
    pub fn max_sockets(&self) -> Result<i32> {
        self.get(sys::ZMQ_MAX_SOCKETS)
    }

    /// Whether new sockets use IPv6 as well as IPv4.
    #[doc(alias = "ZMQ_IPV6")]
    pub fn ipv6(&self) -> Result<bool> {
        self.get(sys::ZMQ_IPV6).map(|v| v != 0)
    }

    /// Whether terminating the context blocks on sockets' linger (libzmq's default, `true`).
    #[doc(alias = "ZMQ_BLOCKY")]
    pub fn blocky(&self) -> Result<bool> {
        self.get(sys::ZMQ_BLOCKY).map(|v| v != 0)
    }

    fn get(&self, option: c_int) -> Result<i32> {
        // SAFETY: plain FFI call on a live context.
        check(unsafe { sys::zmq_ctx_get(self.as_ptr(), option) })
    }

    /// The raw `void *` context, for the C API. It stays valid while this handle lives.
    pub fn as_ptr(&self) -> *mut c_void {
        self.inner.ptr.as_ptr()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("ptr", &self.inner.ptr)
            .field("handles", &Arc::strong_count(&self.inner))
            .finish()
    }
}

/// Builds a [`Context`] with options other than libzmq's defaults.
///
/// ```
/// use std::time::Duration;
/// let ctx = zmq::Context::builder()
///     .io_threads(2)
///     .linger(Some(Duration::from_millis(100)))
///     .build()?;
/// assert_eq!(ctx.io_threads()?, 2);
/// let socket = ctx.socket(zmq::SocketType::Push)?;
/// assert_eq!(socket.linger()?, Some(Duration::from_millis(100)));
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ContextBuilder {
    io_threads: Option<i32>,
    max_sockets: Option<i32>,
    ipv6: Option<bool>,
    blocky: Option<bool>,
    linger: Option<Option<Duration>>,
}

impl ContextBuilder {
    /// The number of I/O threads (default 1; about one per gigabit per second of traffic).
    #[doc(alias = "ZMQ_IO_THREADS")]
    pub fn io_threads(mut self, threads: i32) -> Self {
        self.io_threads = Some(threads);
        self
    }

    /// The largest number of sockets (default 1023).
    #[doc(alias = "ZMQ_MAX_SOCKETS")]
    pub fn max_sockets(mut self, sockets: i32) -> Self {
        self.max_sockets = Some(sockets);
        self
    }

    /// Whether sockets use IPv6 as well as IPv4 (default `false`).
    #[doc(alias = "ZMQ_IPV6")]
    pub fn ipv6(mut self, enabled: bool) -> Self {
        self.ipv6 = Some(enabled);
        self
    }

    /// Whether terminating the context waits for sockets' linger (default `true`). With
    /// `false`, libzmq gives new sockets a linger of 0.
    #[doc(alias = "ZMQ_BLOCKY")]
    pub fn blocky(mut self, blocky: bool) -> Self {
        self.blocky = Some(blocky);
        self
    }

    /// The linger every socket of this context starts with: how long closing a socket keeps
    /// its unsent messages, `None` for ever (libzmq's default). A finite linger is the usual
    /// way to make sure a program ends even when a peer is gone.
    #[doc(alias = "ZMQ_LINGER")]
    pub fn linger(mut self, linger: Option<Duration>) -> Self {
        self.linger = Some(linger);
        self
    }

    /// Creates the context.
    pub fn build(self) -> Result<Context> {
        if let Some(linger) = self.linger {
            millis_to_c(linger)?;
        }
        // SAFETY: plain FFI call; a null result is checked below.
        let ptr = NonNull::new(unsafe { sys::zmq_ctx_new() }).ok_or_else(Error::last)?;
        // From here on, dropping `ctx` terminates the context, also on an error below.
        let ctx = Context {
            inner: Arc::new(RawContext {
                ptr,
                default_linger: self.linger,
            }),
        };
        let settings = [
            (sys::ZMQ_IO_THREADS, self.io_threads),
            (sys::ZMQ_MAX_SOCKETS, self.max_sockets),
            (sys::ZMQ_IPV6, self.ipv6.map(c_int::from)),
            (sys::ZMQ_BLOCKY, self.blocky.map(c_int::from)),
        ];
        for (option, value) in settings {
            if let Some(value) = value {
                // SAFETY: plain FFI call on the live context created above.
                check(unsafe { sys::zmq_ctx_set(ctx.as_ptr(), option, value) })?;
            }
        }
        Ok(ctx)
    }
}
