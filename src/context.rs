//! The libzmq context: the owner of I/O threads and of every socket made from it.

use std::fmt;
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::inproc::InprocNames;
use crate::options::millis_to_c;
use crate::raw::{check_foreign_pointer, HandedOver, Ownership};
use crate::socket::{Socket, SocketType};
use crate::sys;

/// A hook the context runs on every socket it creates.
type SocketDefault = Arc<dyn Fn(&Socket) -> Result<()> + Send + Sync>;

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
///
/// # `inproc://` connects that no bind ever answers
///
/// A socket may connect to an `inproc://` name before any socket binds it; the connection
/// waits in the context. Those still waiting when the context is shut down
/// ([`Context::shutdown`]) or terminated are completed by the crate on one short-lived
/// socket of its own (what was queued on them is dropped, as libzmq itself would), however
/// many there are. libzmq's own termination spends a socket slot on each and aborts the
/// process once the slots run out (1,023 by default, each connect counting, repeated ones
/// to one name too). If the crate cannot make its socket either, because the context was
/// shut down while every socket slot was taken (by sockets open or just closed, see
/// [`ContextBuilder::max_sockets`]) or by C code through [`Context::as_ptr`], the last
/// handle leaves the context unterminated rather than let libzmq abort: its two threads
/// stay idle and its memory stays until the process exits. A context borrowed from C is
/// the owner's to terminate, and not completed by the crate.
///
/// Closing or disconnecting such a connector while another thread binds the name is safe
/// through the crate (libzmq alone can abort there: the crate binds `inproc://` names and
/// ends waiting connections under one lock of the context's). With libzmq 4.3.4 and older,
/// a socket closed while its connect waited keeps its socket slot until the context
/// terminates, even once the name is bound; 4.3.5 frees it when the bind completes the
/// connection. A program that does this in a loop on an old system libzmq needs a fresh
/// context now and then, or [`ContextBuilder::max_sockets`] to match.
///
/// # fork
///
/// libzmq is not fork-safe: its I/O threads are not copied into a child process, so the
/// contexts and sockets a child inherits are dead copies. A forked child that needs ZeroMQ
/// makes its own context and sockets, and talks to its parent (or anyone) over `ipc://` or
/// `tcp://` like any other process; the parent's context and connections go on unaffected.
/// What a child inherits it must not use: libzmq fails every call on an inherited socket
/// (with [`Error::Interrupted`], even with `DONTWAIT`), and messages sent there would reach
/// no one. Dropping inherited handles in the child is safe: a socket is closed without
/// touching the parent's, and the last inherited [`Context`] handle does not terminate the
/// context (libzmq's `zmq_ctx_term` would fail with `EINTR` for ever in a child), so nothing
/// hangs; the memory is the child's copy and goes when it exits. The simplest course remains
/// to leave them alone: `exec`, or leave with `std::process::exit` or `libc::_exit`.
#[derive(Clone)]
pub struct Context {
    inner: Arc<RawContext>,
}

struct RawContext {
    ptr: NonNull<c_void>,
    socket_defaults: Vec<SocketDefault>,
    // A borrowed context belongs to C or C++ code, which terminates it; never this crate.
    ownership: Ownership,
    // The process that made (or took) the handle: a child forked from it must not terminate
    // the context it inherited (see `Drop`).
    pid: u32,
    // The `inproc://` names that may have connections waiting for a bind (src/inproc.rs).
    inproc: InprocNames,
}

/// The references that [`Context::into_raw`] hands over, until [`Context::from_raw`] takes
/// them back.
static HANDED_OVER: HandedOver<RawContext> = HandedOver::new();

// SAFETY: libzmq contexts are thread-safe; every zmq_ctx_* and zmq_socket call may come from
// any thread. The socket-default hooks are `Send + Sync` by their type.
unsafe impl Send for RawContext {}
// SAFETY: as above, concurrent calls on one context are allowed by libzmq.
unsafe impl Sync for RawContext {}

impl Drop for RawContext {
    fn drop(&mut self) {
        if self.ownership == Ownership::Borrowed {
            return;
        }
        if self.pid != std::process::id() {
            // A forked child dropping the context it inherited. libzmq's threads do not exist
            // in the child: its zmq_ctx_term closes the inherited descriptors and then fails
            // with EINTR for ever (libzmq emulates an interrupt in a forked child), so the
            // retry below would spin without end. The parent owns the context; the child
            // leaves it alone.
            return;
        }
        // No socket of this crate is left to bind a name; complete what still waits, so that
        // libzmq's termination has nothing left to complete (see src/inproc.rs).
        let completed =
            self.inproc
                .complete_pending(self.ptr.as_ptr(), Duration::from_secs(1), || {});
        if !completed {
            // No socket could be made: the context was shut down while every socket slot
            // was taken, or the slots stayed taken for a second. zmq_ctx_term would then need
            // a free slot per waiting connect, under a lock that keeps slots from being
            // freed, and abort the process without one. Leaving the context unterminated
            // (its threads idle, its memory kept until the process exits) is the safe side.
            return;
        }
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
    /// The socket gets the builder's socket defaults ([`ContextBuilder::linger`],
    /// [`ContextBuilder::socket_defaults`]), in the order they were given; if one fails, the
    /// socket is closed and its error returned.
    pub fn socket(&self, socket_type: SocketType) -> Result<Socket> {
        let socket = Socket::new(self.clone(), socket_type)?;
        for apply in &self.inner.socket_defaults {
            apply(&socket)?;
        }
        Ok(socket)
    }

    /// Shuts the context down: every blocking call on its sockets, in any thread, returns
    /// [`Error::ContextTerminated`], and so does every later call except closing.
    ///
    /// The context itself is terminated when its last handle and socket are dropped. Calling
    /// this more than once is harmless.
    ///
    /// On a context borrowed from C or C++ ([`Context::from_raw_borrowed`]) this shuts down
    /// the whole context, the C or C++ side's sockets too, exactly as `zmq_ctx_shutdown`
    /// called there would: it frees nothing, so it is safe, but it is the owner's decision
    /// to make. Terminating stays with the owner.
    #[doc(alias = "zmq_ctx_shutdown")]
    pub fn shutdown(&self) {
        let shut_down = || {
            // SAFETY: the pointer is a live context (this handle keeps it alive, or the lender
            // promised to); shutting down an already shut down context is a no-op in libzmq.
            unsafe { sys::zmq_ctx_shutdown(self.as_ptr()) };
        };
        if self.inner.ownership == Ownership::Owned && self.inner.pid == std::process::id() {
            // After the shutdown no socket can be made: the connections waiting for an
            // `inproc://` bind are completed now, not waiting for a free slot (this call is
            // meant to be prompt), see src/inproc.rs. Not in a forked child, where the
            // context is a dead copy that termination leaves alone anyway.
            self.inner
                .inproc
                .complete_pending(self.as_ptr(), Duration::ZERO, shut_down);
        } else {
            shut_down();
        }
    }

    /// The record of this context's `inproc://` names.
    pub(crate) fn inproc(&self) -> &InprocNames {
        &self.inner.inproc
    }

    /// Runs a libzmq call on one of this context's sockets that does not wait, again while a
    /// signal interrupts it (see [`uninterrupted`](crate::error::uninterrupted)).
    pub(crate) fn uninterrupted(&self, call: impl FnMut() -> c_int) -> c_int {
        crate::error::uninterrupted(self.inner.pid, call)
    }

    /// Runs `call` as [`Context::uninterrupted`] does when `retry`, once otherwise: a send or
    /// a receive is retried when it cannot wait (`DONTWAIT`, or a frame after the first of a
    /// multipart message), and run once when it can, so that a signal gets a waiting thread
    /// back with [`Error::Interrupted`](crate::Error).
    #[inline]
    pub(crate) fn uninterrupted_if(&self, retry: bool, mut call: impl FnMut() -> c_int) -> c_int {
        if retry {
            self.uninterrupted(call)
        } else {
            call()
        }
    }

    /// The raw `void *` context, for the C API. It stays valid while this handle lives. The
    /// same as [`Context::as_raw`].
    pub fn as_ptr(&self) -> *mut c_void {
        self.inner.ptr.as_ptr()
    }

    /// The raw `void *` context, for C or C++ code in the same process (cppzmq's
    /// `context_t::handle()`). It stays owned by this handle and valid while this handle
    /// (or any clone or socket) lives; to give C or C++ code a context that stays alive
    /// without a Rust handle, use [`Context::into_raw`].
    ///
    /// C or C++ code may create sockets on it and use them as usual, but must close them
    /// before the last Rust handle goes, or the termination then waits for them. It must
    /// never call `zmq_ctx_term` or `zmq_ctx_destroy` on it. See the crate docs, "Sharing a
    /// context with C or C++".
    pub fn as_raw(&self) -> *mut c_void {
        self.as_ptr()
    }

    /// Whether this handle owns its context (made here, or taken with [`Context::from_raw`]),
    /// rather than borrowing one from C or C++ ([`Context::from_raw_borrowed`]).
    pub fn is_owned(&self) -> bool {
        self.inner.ownership == Ownership::Owned
    }

    /// Hands one reference to the context over to C or C++ code: returns the raw `void *`
    /// context, which stays alive, even after every Rust handle and socket is gone, until
    /// [`Context::from_raw`] takes the reference back and the last handle goes.
    ///
    /// The protocol: Rust calls `into_raw` and gives the pointer to C or C++, which uses it
    /// as its context (creates, uses and closes sockets), never terminating it. When the C or
    /// C++ side is done with it, the pointer comes back to Rust (a return value, or an
    /// `extern "C"` function of the Rust side that C++ calls), which calls
    /// `Context::from_raw(ptr)` and drops the result: the context is terminated when that was
    /// the last reference. Each `into_raw` needs one `from_raw`, or the context is never
    /// terminated (a leak, not unsound).
    ///
    /// ```
    /// let ctx = zmq::Context::new()?;
    /// let raw = ctx.clone().into_raw();
    /// drop(ctx);
    /// // ... C or C++ code uses `raw` as its context ...
    /// // SAFETY: `raw` came from `into_raw`, and its reference is taken back once.
    /// let ctx = unsafe { zmq::Context::from_raw(raw) }?;
    /// assert_eq!(ctx.as_raw(), raw);
    /// drop(ctx); // the last reference: terminates the context
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn into_raw(self) -> *mut c_void {
        let ptr = self.as_ptr();
        HANDED_OVER.keep(self.inner);
        ptr
    }

    /// Takes ownership of one reference to a raw context: either one that
    /// [`Context::into_raw`] handed over (the same context state, socket defaults included,
    /// comes back), or a context that C or C++ code created with `zmq_ctx_new` and gives to
    /// Rust for good. The last handle terminates it, as for a context made here.
    ///
    /// To use a context that C or C++ code keeps owning, use [`Context::from_raw_borrowed`].
    ///
    /// Fails with [`Error::ForeignHandle`] for a null pointer, a pointer that libzmq says is
    /// not a context, or any pointer while another copy of libzmq is loaded in the process
    /// (see the crate docs, "Sharing a context with C or C++").
    ///
    /// # Safety
    ///
    /// `ptr` must be a live context of the libzmq this crate links (the checks above catch
    /// some mistakes, not all: a dangling pointer cannot be detected), and the caller must
    /// own the reference it gives up: a pointer from `into_raw` is taken back once, and a
    /// context from `zmq_ctx_new` must not be terminated or used by its creator once handed
    /// over, except through Rust handles or with sockets it closes before the last Rust
    /// handle goes.
    pub unsafe fn from_raw(ptr: *mut c_void) -> Result<Context> {
        if let Some(inner) = HANDED_OVER.take(ptr, |raw| raw.ptr.as_ptr()) {
            return Ok(Context { inner });
        }
        // SAFETY: the caller's promise.
        unsafe { Context::from_foreign(ptr, Ownership::Owned) }
    }

    /// Borrows a context that C or C++ code owns (cppzmq's `context_t::handle()`, pyzmq's
    /// `Context.underlying`): the handle, its clones and the sockets made from it work as
    /// usual, but dropping the last of them does not terminate the context; its owner does.
    /// The handle has no socket defaults.
    ///
    /// Fails with [`Error::ForeignHandle`] for a null pointer, a pointer that libzmq says is
    /// not a context (`zmq_ctx_get` fails with `EFAULT`), or any pointer while another copy
    /// of libzmq is loaded in the process (see the crate docs, "Sharing a context with C or
    /// C++").
    ///
    /// # Safety
    ///
    /// `ptr` must be a live context of the libzmq this crate links, and its owner must not
    /// terminate it (`zmq_ctx_term`, `zmq_ctx_destroy`, a `zmq::context_t` going out of
    /// scope) until every Rust handle made from it (this one, its clones, its sockets and
    /// their monitors) is dropped. Shutting it down (`zmq_ctx_shutdown`) is allowed at any
    /// time.
    pub unsafe fn from_raw_borrowed(ptr: *mut c_void) -> Result<Context> {
        // SAFETY: the caller's promise.
        unsafe { Context::from_foreign(ptr, Ownership::Borrowed) }
    }

    /// Checks a pointer from C or C++ and wraps it.
    ///
    /// # Safety
    ///
    /// As [`Context::from_raw_borrowed`].
    unsafe fn from_foreign(ptr: *mut c_void, ownership: Ownership) -> Result<Context> {
        check_foreign_pointer(ptr)?;
        // libzmq's own check: a context carries a tag, which zmq_ctx_get verifies.
        // SAFETY: the caller promises a live context of this libzmq (an object of another
        // kind fails the tag check with EFAULT).
        if unsafe { sys::zmq_ctx_get(ptr, sys::ZMQ_IO_THREADS) } == -1 {
            let error = Error::last();
            if error.errno() == libc::EFAULT {
                return Err(Error::ForeignHandle(
                    "libzmq says the pointer is not a context".to_owned(),
                ));
            }
            return Err(error);
        }
        let ptr = NonNull::new(ptr).ok_or(Error::InvalidArgument)?;
        Ok(Context {
            inner: Arc::new(RawContext {
                ptr,
                socket_defaults: Vec::new(),
                ownership,
                pid: std::process::id(),
                inproc: InprocNames::default(),
            }),
        })
    }

    /// How many references [`Context::into_raw`] handed over for this context and
    /// [`Context::from_raw`] has not taken back yet.
    pub fn handed_over(&self) -> usize {
        HANDED_OVER.count(self.as_ptr(), |raw| raw.ptr.as_ptr())
    }

    fn get_int(&self, option: c_int) -> Result<c_int> {
        // SAFETY: plain FFI call on a live context.
        check(unsafe { sys::zmq_ctx_get(self.as_ptr(), option) })
    }

    /// Reads a text option through `zmq_ctx_get_ext`, which copies the value without a NUL
    /// terminator and without reporting its length.
    #[cfg(zmq_draft)]
    fn get_text(&self, option: c_int) -> Result<String> {
        // Any size but sizeof(int), which libzmq answers with the value as a number.
        let mut buf = [0u8; 64];
        let mut len = buf.len();
        // SAFETY: a live context; `buf` has room for `len` bytes and libzmq writes at most
        // that (it refuses a value that does not fit).
        check(unsafe {
            sys::zmq_ctx_get_ext(self.as_ptr(), option, buf.as_mut_ptr().cast(), &mut len)
        })?;
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8(buf[..end].to_vec()).map_err(Error::InvalidUtf8)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("ptr", &self.inner.ptr)
            .field("ownership", &self.inner.ownership)
            .field("handles", &Arc::strong_count(&self.inner))
            .finish()
    }
}

/// Builds a [`Context`] with options other than libzmq's defaults, and with defaults for
/// every socket it creates.
///
/// The context options are applied in the order given, before the context has any socket
/// (libzmq reads most of them only when it starts its threads, at the first socket).
///
/// ```
/// use std::time::Duration;
/// let ctx = zmq::Context::builder()
///     .io_threads(2)
///     .linger(Some(Duration::from_millis(100)))
///     .socket_defaults(|socket| socket.set_sndhwm(10))
///     .build()?;
/// assert_eq!(ctx.io_threads()?, 2);
/// let socket = ctx.socket(zmq::SocketType::Push)?;
/// assert_eq!(socket.linger()?, Some(Duration::from_millis(100)));
/// assert_eq!(socket.sndhwm()?, 10);
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ContextBuilder {
    settings: Vec<(c_int, Setting)>,
    linger: Option<Option<Duration>>,
    socket_defaults: Vec<SocketDefault>,
}

/// A context option's value, as the builder keeps it until `build`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Setting {
    Int(c_int),
    Text(String),
}

impl fmt::Debug for ContextBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextBuilder")
            .field("settings", &self.settings)
            .field("linger", &self.linger)
            .field("socket_defaults", &self.socket_defaults.len())
            .finish()
    }
}

/// How a context option's Rust value maps to what the builder keeps and the getter reads.
trait ContextKind {
    type Input<'a>;
    fn setting(value: Self::Input<'_>) -> Setting;
}

/// `int` context options.
struct Int;

impl ContextKind for Int {
    type Input<'a> = i32;
    fn setting(value: i32) -> Setting {
        Setting::Int(value)
    }
}

impl Int {
    fn get(ctx: &Context, option: c_int) -> Result<i32> {
        ctx.get_int(option)
    }
}

/// `int` context options that are 0 or 1.
struct Bool;

impl ContextKind for Bool {
    type Input<'a> = bool;
    fn setting(value: bool) -> Setting {
        Setting::Int(c_int::from(value))
    }
}

impl Bool {
    fn get(ctx: &Context, option: c_int) -> Result<bool> {
        ctx.get_int(option).map(|v| v != 0)
    }
}

/// `int` context options that read -1 for "the operating system's default": `None`.
/// `zmq_ctx_get` answers -1 for errors too, but the only errors it has are a dead context
/// (impossible here) and an unknown option (not one of the table's).
struct IntOrDefault;

impl ContextKind for IntOrDefault {
    type Input<'a> = i32;
    fn setting(value: i32) -> Setting {
        Setting::Int(value)
    }
}

impl IntOrDefault {
    fn get(ctx: &Context, option: c_int) -> Result<Option<i32>> {
        // SAFETY: plain FFI call on a live context.
        let value = unsafe { sys::zmq_ctx_get(ctx.as_ptr(), option) };
        Ok((value != -1).then_some(value))
    }
}

/// Text context options.
struct Text;

impl ContextKind for Text {
    type Input<'a> = &'a str;
    fn setting(value: &str) -> Setting {
        Setting::Text(value.to_owned())
    }
}

#[cfg(zmq_draft)]
impl Text {
    fn get(ctx: &Context, option: c_int) -> Result<String> {
        ctx.get_text(option)
    }
}

/// The Rust type a context getter returns.
macro_rules! context_value {
    (Int) => { i32 };
    (Bool) => { bool };
    (IntOrDefault) => { Option<i32> };
    (Text) => { String };
}

/// The Rust type a builder method takes.
macro_rules! context_input {
    (Int) => {
        i32
    };
    (Bool) => {
        bool
    };
    (IntOrDefault) => {
        i32
    };
    (Text) => {
        &str
    };
}

/// Context options, each declared once: `get name` makes a [`Context`] getter, `builder name`
/// a [`ContextBuilder`] method, `set name` a [`Context`] setter (only for the options libzmq
/// reads again whenever it creates a socket, so that changing them later means something).
/// Attributes go on all three.
macro_rules! context_options {
    ($(
        $(#[$($attr:tt)*])*
        $name:ident: $kind:ident $(, get $getter:ident)? $(, builder $setter:ident)?
            $(, set $live:ident)?;
    )*) => {
        impl Context {$(
            context_options!(@get [$(#[$($attr)*])*] $name $kind $($getter)?);
            context_options!(@live [$(#[$($attr)*])*] $name $kind $($live)?);
        )*}

        impl ContextBuilder {$(
            context_options!(@set [$(#[$($attr)*])*] $name $kind $($setter)?);
        )*}
    };
    (@get $attrs:tt $name:ident $kind:ident) => {};
    (@get [$($attrs:tt)*] $name:ident $kind:ident $getter:ident) => {
        #[doc = concat!("Reads the context option `", stringify!($name), "`.")]
        #[doc = ""]
        $($attrs)*
        pub fn $getter(&self) -> Result<context_value!($kind)> {
            $kind::get(self, sys::$name)
        }
    };
    (@live $attrs:tt $name:ident $kind:ident) => {};
    (@live [$($attrs:tt)*] $name:ident $kind:ident $live:ident) => {
        #[doc = concat!("Changes the context option `", stringify!($name), "` for the sockets created from now on.")]
        #[doc = ""]
        $($attrs)*
        pub fn $live(&self, value: context_input!($kind)) -> Result<()> {
            apply_setting(self, sys::$name, &<$kind as ContextKind>::setting(value))
        }
    };
    (@set $attrs:tt $name:ident $kind:ident) => {};
    (@set [$($attrs:tt)*] $name:ident $kind:ident $setter:ident) => {
        #[doc = concat!("Sets the context option `", stringify!($name), "`.")]
        #[doc = ""]
        $($attrs)*
        pub fn $setter(mut self, value: context_input!($kind)) -> Self {
            self.settings.push((sys::$name, <$kind as ContextKind>::setting(value)));
            self
        }
    };
}

context_options! {
    /// The number of I/O threads: about one per gigabit per second of traffic; 0 for a
    /// context used only with `inproc`. Default 1.
    #[doc(alias = "ZMQ_IO_THREADS")]
    ZMQ_IO_THREADS: Int, get io_threads, builder io_threads;

    /// The largest number of sockets the context allows: 1 to [`Context::socket_limit`]
    /// (which libzmq itself does not enforce with every poller; the builder does). Default
    /// 1023.
    #[doc(alias = "ZMQ_MAX_SOCKETS")]
    ZMQ_MAX_SOCKETS: Int, get max_sockets, builder max_sockets;

    /// The largest `MAX_SOCKETS` the builder accepts: the I/O poller's limit where it has
    /// one, otherwise 65535.
    #[doc(alias = "ZMQ_SOCKET_LIMIT")]
    ZMQ_SOCKET_LIMIT: Int, get socket_limit;

    /// The scheduling priority of the context's threads, for the scheduling policy in
    /// `THREAD_SCHED_POLICY` (1 to 99 for `SCHED_FIFO` and `SCHED_RR` on Linux). Under the
    /// other policies, a value above 0 asks for the highest nice value (-20) instead.
    /// Default: the operating system's. Write-only: libzmq gives this option the number of
    /// `SOCKET_LIMIT`, so reading it would read that.
    ///
    /// libzmq applies it in each thread it starts and aborts the process if the system
    /// refuses; [`ContextBuilder::build`] tries it first on a scratch thread and returns the
    /// system's refusal as an error instead (`EPERM` for a missing privilege).
    #[doc(alias = "ZMQ_THREAD_PRIORITY")]
    ZMQ_THREAD_PRIORITY: Int, builder thread_priority;

    /// The scheduling policy of the context's threads (`SCHED_OTHER`, `SCHED_FIFO`, ... from
    /// `sched.h`). Reads `None` while left to the operating system (the default). Like
    /// `THREAD_PRIORITY`, [`ContextBuilder::build`] checks the system accepts it.
    #[doc(alias = "ZMQ_THREAD_SCHED_POLICY")]
    ZMQ_THREAD_SCHED_POLICY: IntOrDefault, get thread_sched_policy,
        builder thread_sched_policy;

    /// The largest message the context's sockets may send, in bytes (0 to `i32::MAX`, the
    /// default). libzmq 4.3.5 keeps the value but does not enforce it; to limit what peers
    /// may send, use the socket option [`Socket::set_maxmsgsize`].
    #[doc(alias = "ZMQ_MAX_MSGSZ")]
    ZMQ_MAX_MSGSZ: Int, get max_msgsz, builder max_msgsz, set set_max_msgsz;

    /// The size of libzmq's `zmq_msg_t` in bytes (64).
    #[doc(alias = "ZMQ_MSG_T_SIZE")]
    ZMQ_MSG_T_SIZE: Int, get msg_t_size;

    /// Adds a CPU to the set the context's threads may run on (Linux). Default: an empty
    /// set, which leaves the threads' affinity alone. [`ContextBuilder::build`] checks the
    /// system accepts the set (a CPU this process may not use is refused).
    #[doc(alias = "ZMQ_THREAD_AFFINITY_CPU_ADD")]
    ZMQ_THREAD_AFFINITY_CPU_ADD: Int, builder thread_affinity_cpu_add;

    /// Removes a CPU added with [`ContextBuilder::thread_affinity_cpu_add`]; removing one that
    /// is not in the set makes [`ContextBuilder::build`] fail with
    /// [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_THREAD_AFFINITY_CPU_REMOVE")]
    ZMQ_THREAD_AFFINITY_CPU_REMOVE: Int, builder thread_affinity_cpu_remove;

    /// The prefix of the names of the context's threads (`<prefix>/ZMQbg/IO/0`, as `top -H`
    /// shows them; Linux keeps the first 15 bytes): 1 to 16 bytes, no NUL. Default: none.
    ///
    /// A libzmq without the DRAFT API takes only a number as the prefix (its stable API
    /// passes an `int`): there, a prefix that is not a decimal `i32` makes
    /// [`ContextBuilder::build`] fail with [`Error::NotSupported`].
    #[doc(alias = "ZMQ_THREAD_NAME_PREFIX")]
    ZMQ_THREAD_NAME_PREFIX: Text, builder thread_name_prefix;

    /// Whether new sockets use IPv6 as well as IPv4 (each socket can change it with
    /// [`Socket::set_ipv6`]). Default `false`.
    #[doc(alias = "ZMQ_IPV6")]
    ZMQ_IPV6: Bool, get ipv6, builder ipv6, set set_ipv6;

    /// Whether terminating the context waits for sockets' linger (default `true`). With
    /// `false`, libzmq gives new sockets a linger of 0.
    #[doc(alias = "ZMQ_BLOCKY")]
    ZMQ_BLOCKY: Bool, get blocky, builder blocky, set set_blocky;

    /// Whether received messages keep the receive buffer they arrived in (zero copy,
    /// default `true`) or are copied out of it, which can use less memory. DRAFT.
    #[doc(alias = "ZMQ_ZERO_COPY_RECV")]
    #[cfg(zmq_draft)]
    ZMQ_ZERO_COPY_RECV: Bool, get zero_copy_recv, builder zero_copy_recv,
        set set_zero_copy_recv;
}

// Reading THREAD_NAME_PREFIX as text needs the DRAFT `zmq_ctx_get_ext` (the stable
// `zmq_ctx_get` reads it as a number), so its getter is a row of its own.
context_options! {
    /// The prefix of the names of the context's threads, as set with
    /// [`ContextBuilder::thread_name_prefix`]; empty if none. DRAFT (`zmq_ctx_get_ext`).
    #[doc(alias = "ZMQ_THREAD_NAME_PREFIX")]
    #[cfg(zmq_draft)]
    ZMQ_THREAD_NAME_PREFIX: Text, get thread_name_prefix;
}

impl ContextBuilder {
    /// The linger every socket of this context starts with: how long closing a socket keeps
    /// its unsent messages, `None` for ever (libzmq's default). A finite linger is the usual
    /// way to make sure a program ends even when a peer is gone.
    ///
    /// It is applied before the hooks of [`ContextBuilder::socket_defaults`].
    #[doc(alias = "ZMQ_LINGER")]
    pub fn linger(mut self, linger: Option<Duration>) -> Self {
        self.linger = Some(linger);
        self
    }

    /// Adds a hook that [`Context::socket`] runs on every new socket, to give it default
    /// options: any setter of [`Socket`] can be a default. Hooks run in the order they were
    /// added; if one fails, `Context::socket` returns its error.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = zmq::Context::builder()
    ///     .socket_defaults(|s| {
    ///         s.set_sndhwm(10)?;
    ///         s.set_rcvtimeo(Some(Duration::from_secs(1)))
    ///     })
    ///     .build()?;
    /// let socket = ctx.socket(zmq::SocketType::Dealer)?;
    /// assert_eq!(socket.sndhwm()?, 10);
    /// assert_eq!(socket.rcvtimeo()?, Some(Duration::from_secs(1)));
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn socket_defaults(
        mut self,
        apply: impl Fn(&Socket) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.socket_defaults.push(Arc::new(apply));
        self
    }

    /// Creates the context and applies the options, in the order they were given.
    ///
    /// Fails with the error libzmq reports for an option value it refuses (mostly
    /// [`Error::InvalidArgument`]), or the system's error for thread scheduling options it
    /// would refuse.
    pub fn build(self) -> Result<Context> {
        let mut socket_defaults = Vec::with_capacity(self.socket_defaults.len() + 1);
        if let Some(linger) = self.linger {
            millis_to_c(linger)?;
            socket_defaults
                .push(Arc::new(move |socket: &Socket| socket.set_linger(linger)) as SocketDefault);
        }
        socket_defaults.extend(self.socket_defaults);

        // SAFETY: plain FFI call; a null result is checked below.
        let ptr = NonNull::new(unsafe { sys::zmq_ctx_new() }).ok_or_else(Error::last)?;
        // From here on, dropping `ctx` terminates the context, also on an error below.
        let ctx = Context {
            inner: Arc::new(RawContext {
                ptr,
                socket_defaults,
                ownership: Ownership::Owned,
                pid: std::process::id(),
                inproc: InprocNames::default(),
            }),
        };
        for (option, value) in &self.settings {
            apply_setting(&ctx, *option, value)?;
        }
        check_thread_scheduling(&self.settings)?;
        Ok(ctx)
    }
}

fn apply_setting(ctx: &Context, option: c_int, value: &Setting) -> Result<()> {
    // libzmq sizes an array by MAX_SOCKETS when it starts, and with a poller that has no
    // limit of its own (epoll) takes any number, up to an int overflow.
    if let (sys::ZMQ_MAX_SOCKETS, Setting::Int(sockets)) = (option, value) {
        if *sockets > ctx.socket_limit()? {
            return Err(Error::InvalidArgument);
        }
    }
    match value {
        Setting::Int(value) => {
            // SAFETY: plain FFI call on a live context.
            check(unsafe { sys::zmq_ctx_set(ctx.as_ptr(), option, *value) }).map(drop)
        }
        Setting::Text(text) => set_text(ctx, option, text),
    }
}

/// Sets a text option through `zmq_ctx_set_ext` (DRAFT).
#[cfg(zmq_draft)]
fn set_text(ctx: &Context, option: c_int, text: &str) -> Result<()> {
    let value = crate::error::c_string(text)?;
    // libzmq reads a value of sizeof(int) bytes as a number, so a text of that length goes
    // with its NUL terminator (which ends the name in C just the same).
    let bytes = if text.len() == std::mem::size_of::<c_int>() {
        value.as_bytes_with_nul()
    } else {
        value.as_bytes()
    };
    // SAFETY: a live context, and `bytes` is readable for its length during the call.
    check(unsafe { sys::zmq_ctx_set_ext(ctx.as_ptr(), option, bytes.as_ptr().cast(), bytes.len()) })
        .map(drop)
}

/// Sets a text option through the stable `zmq_ctx_set`, which takes only numbers.
#[cfg(not(zmq_draft))]
fn set_text(ctx: &Context, option: c_int, text: &str) -> Result<()> {
    match text.parse::<c_int>() {
        // libzmq turns the number back into text: only a text that survives that is exact.
        Ok(number) if number.to_string() == text => {
            // SAFETY: plain FFI call on a live context.
            check(unsafe { sys::zmq_ctx_set(ctx.as_ptr(), option, number) }).map(drop)
        }
        _ => Err(Error::NotSupported),
    }
}

/// libzmq applies `THREAD_SCHED_POLICY`, `THREAD_PRIORITY` and the CPU affinity set inside
/// each thread it starts, and aborts the whole process when the system refuses them. This
/// makes the same calls on a scratch thread first, so a refusal is an error from `build`.
#[cfg(unix)]
fn check_thread_scheduling(settings: &[(c_int, Setting)]) -> Result<()> {
    use std::collections::BTreeSet;

    let (mut policy, mut priority, mut cpus, mut touched) = (None, None, BTreeSet::new(), false);
    for (option, value) in settings {
        let Setting::Int(value) = *value else {
            continue;
        };
        match *option {
            sys::ZMQ_THREAD_SCHED_POLICY => policy = Some(value),
            sys::ZMQ_THREAD_PRIORITY => priority = Some(value),
            sys::ZMQ_THREAD_AFFINITY_CPU_ADD => {
                cpus.insert(value);
            }
            sys::ZMQ_THREAD_AFFINITY_CPU_REMOVE => {
                cpus.remove(&value);
            }
            _ => continue,
        }
        touched = true;
    }
    if !touched {
        return Ok(());
    }
    let scratch = std::thread::Builder::new()
        .name("zmq-sched-check".to_owned())
        .spawn(move || apply_thread_scheduling(policy, priority, &cpus))
        .map_err(|e| Error::Other(e.raw_os_error().unwrap_or(libc::EAGAIN)))?;
    // The scratch thread does not panic; if it somehow did, refuse the settings.
    scratch.join().unwrap_or(Err(Error::InvalidArgument))
}

#[cfg(not(unix))]
fn check_thread_scheduling(_settings: &[(c_int, Setting)]) -> Result<()> {
    Ok(())
}

/// What libzmq's `thread_t::applySchedulingParameters` does, on the calling thread.
#[cfg(unix)]
fn apply_thread_scheduling(
    policy: Option<c_int>,
    priority: Option<c_int>,
    cpus: &std::collections::BTreeSet<c_int>,
) -> Result<()> {
    let os_error = |rc: c_int| Err(Error::from_errno(rc));
    // SAFETY: sched_param is a plain C struct, for which all zeros is a valid value.
    let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
    let mut current = 0;
    // SAFETY: both pointers are to live locals of the right types.
    let rc = unsafe { libc::pthread_getschedparam(libc::pthread_self(), &mut current, &mut param) };
    if rc != 0 {
        return os_error(rc);
    }
    let policy = policy.unwrap_or(current);
    let use_nice = policy != libc::SCHED_FIFO && policy != libc::SCHED_RR;
    if use_nice {
        param.sched_priority = 0;
    } else if let Some(priority) = priority {
        param.sched_priority = priority;
    }
    // SAFETY: `param` is a live, initialised sched_param.
    let rc = unsafe { libc::pthread_setschedparam(libc::pthread_self(), policy, &param) };
    if rc != 0 {
        return os_error(rc);
    }
    if use_nice && priority.is_some_and(|p| p > 0) {
        // SAFETY: plain libc call; on Linux it changes only this scratch thread's nice value.
        if unsafe { libc::nice(-20) } == -1 {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            if errno != 0 {
                return os_error(errno);
            }
        }
    }
    #[cfg(target_os = "linux")]
    if !cpus.is_empty() {
        // SAFETY: cpu_set_t is a plain bit array, for which all zeros is the empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let capacity = 8 * std::mem::size_of::<libc::cpu_set_t>();
        // libzmq's CPU_SET ignores CPUs beyond the set's capacity; so does this.
        for cpu in cpus.iter().filter_map(|&cpu| usize::try_from(cpu).ok()) {
            if cpu < capacity {
                // SAFETY: `cpu` is within the set's bits, checked above.
                unsafe { libc::CPU_SET(cpu, &mut set) };
            }
        }
        // SAFETY: `set` is a live cpu_set_t of the size given.
        let rc = unsafe {
            libc::pthread_setaffinity_np(
                libc::pthread_self(),
                std::mem::size_of::<libc::cpu_set_t>(),
                &set,
            )
        };
        if rc != 0 {
            return os_error(rc);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cpus;
    Ok(())
}
