//! The crate's error type.

use std::ffi::CStr;
use std::fmt;
use std::io;
use std::string::FromUtf8Error;

use crate::cert::CertificateError;
use crate::sys;
use crate::z85::Z85Error;

/// A specialised `Result` for libzmq operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call to libzmq, and the few things the binding itself
/// refuses before calling it.
///
/// The errno values that callers branch on have their own variants; every other errno is
/// [`Error::Other`], so an unknown value never panics. [`Error::errno`] gives the raw value
/// back, and `Display` uses libzmq's own `zmq_strerror`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `EAGAIN`: a non-blocking call would block, or a timeout (`RCVTIMEO`, `SNDTIMEO`) ran out.
    #[error("{}", strerror(libc::EAGAIN))]
    WouldBlock,
    /// `EINTR`: a signal handler ran while a call was waiting (a send or receive without
    /// `DONTWAIT`, [`poll`](crate::poll), a proxy). Calls that do not wait (bind, connect,
    /// options, sends and receives with `DONTWAIT`) never return it: libzmq can be cut short
    /// there too, before doing anything, and the crate calls it again. On the sockets that a
    /// forked child inherited, every call returns it.
    #[error("{}", strerror(libc::EINTR))]
    Interrupted,
    /// `ETERM`: the context was shut down or is terminating.
    #[error("{}", strerror(sys::ETERM))]
    ContextTerminated,
    /// `EFSM`: the operation is not valid in the socket's current state (a REQ socket sending
    /// twice without receiving, for example).
    #[error("{}", strerror(sys::EFSM))]
    InvalidState,
    /// `EHOSTUNREACH`: a ROUTER with `ROUTER_MANDATORY` has no peer with that routing id.
    #[error("{}", strerror(libc::EHOSTUNREACH))]
    HostUnreachable,
    /// `EADDRINUSE`: the address is already bound.
    #[error("{}", strerror(libc::EADDRINUSE))]
    AddrInUse,
    /// `EADDRNOTAVAIL`: the address is not local, or not available.
    #[error("{}", strerror(libc::EADDRNOTAVAIL))]
    AddrNotAvailable,
    /// `ENOENT`: `unbind` or `disconnect` of an endpoint the socket is not bound or connected to.
    #[error("{}", strerror(libc::ENOENT))]
    EndpointNotFound,
    /// `EPROTONOSUPPORT`: the transport is unknown or not compiled into libzmq.
    #[error("{}", strerror(libc::EPROTONOSUPPORT))]
    ProtocolNotSupported,
    /// `ENOCOMPATPROTO`: the transport does not fit the socket type (`udp://` on a type
    /// other than RADIO and DISH; from the crate, `inproc://` on a thread-safe DRAFT type,
    /// see `ThreadSafeSocket`).
    #[error("{}", strerror(sys::ENOCOMPATPROTO))]
    IncompatibleProtocol,
    /// `ENOTSUP`: the operation is not supported by this socket type or this libzmq.
    #[error("{}", strerror(libc::ENOTSUP))]
    NotSupported,
    /// `EINVAL`: an argument libzmq refuses (an unknown option, a value out of range, a
    /// malformed endpoint).
    #[error("{}", strerror(libc::EINVAL))]
    InvalidArgument,
    /// `EMTHREAD`: no I/O thread is available for the operation.
    #[error("{}", strerror(sys::EMTHREAD))]
    NoIoThread,
    /// `EMFILE`: too many open sockets or files (see the context's `max_sockets`).
    #[error("{}", strerror(libc::EMFILE))]
    TooManyOpenFiles,
    /// `ENOTSOCK`: the handle is not a libzmq socket.
    #[error("{}", strerror(libc::ENOTSOCK))]
    NotSocket,
    /// `ENOMEM`: libzmq could not allocate memory.
    #[error("{}", strerror(libc::ENOMEM))]
    OutOfMemory,
    /// `ENODEV`: the network interface named in the endpoint does not exist.
    #[error("{}", strerror(libc::ENODEV))]
    NoSuchDevice,
    /// A string handed to libzmq (an endpoint, an option value) contains a NUL byte, which C
    /// would silently cut it at.
    #[error("the string has a NUL byte at position {position}, which libzmq cannot take")]
    InteriorNul {
        /// Where the first NUL byte is.
        position: usize,
    },
    /// A message received as a string is not UTF-8. The error keeps the bytes
    /// ([`FromUtf8Error::into_bytes`]), so nothing received is lost.
    #[error("the message is not valid UTF-8: {0}")]
    InvalidUtf8(FromUtf8Error),
    /// Data or text that [`z85::encode`](crate::z85::encode), [`z85::decode`](crate::z85::decode)
    /// or a CURVE key's `FromStr` refuses; the [`Z85Error`] says what is wrong and where.
    /// Its [`errno`](Error::errno) is `EINVAL`.
    #[error("invalid Z85: {0}")]
    InvalidZ85(Z85Error),
    /// A CURVE certificate (czmq's ZPL text format, see [`Certificate`](crate::Certificate))
    /// that cannot be read or written: a syntax error, a missing or malformed key, a secret
    /// key that does not belong to the public key, metadata that the format cannot hold, or
    /// a secret file asked of a certificate without a secret key. The
    /// [`CertificateError`] says which file, which line and what; it is boxed so that every
    /// `Result` stays small. Its [`errno`](Error::errno) is `EINVAL`.
    #[error("{0}")]
    InvalidCertificate(Box<CertificateError>),
    /// A file or directory operation failed (reading or writing a certificate file, listing
    /// a certificate directory). `std::io::Error` is neither `Clone` nor `PartialEq`, so this
    /// keeps its kind and its text, which names the path. Its [`errno`](Error::errno) is the
    /// closest errno (`ENOENT`, `EACCES`, ...), else `EIO`.
    #[error("{message}")]
    Io {
        /// The kind of the `std::io::Error`; `From<Error> for std::io::Error` keeps it.
        kind: io::ErrorKind,
        /// What failed, on which path, and why.
        message: String,
    },
    /// A raw pointer given to [`Context::from_raw_borrowed`](crate::Context::from_raw_borrowed),
    /// [`Socket::from_raw_borrowed`](crate::Socket::from_raw_borrowed) or their owning
    /// variants is not a handle of the libzmq this crate links: libzmq's own check refused
    /// it (it is not a context, or not a socket), or another copy of libzmq is loaded in the
    /// process, whose contexts and sockets this copy must never touch. The text says which.
    /// Its [`errno`](Error::errno) is `EFAULT`, libzmq's answer to a bad handle.
    #[error("not a handle of the libzmq this crate links: {0}")]
    ForeignHandle(String),
    /// An async socket needs a running tokio runtime: it was made outside one, or the
    /// runtime it was made in has shut down. Its [`errno`](Error::errno) is `EINVAL`.
    #[cfg(feature = "tokio")]
    #[error("no tokio runtime is running (or it has shut down): async sockets need one")]
    NoRuntime,
    /// Any other errno value, as libzmq reported it.
    #[error("{} (errno {errno})", strerror(*.0), errno = .0)]
    Other(i32),
}

impl Error {
    /// The error for an errno value, as libzmq reports them.
    pub fn from_errno(errno: i32) -> Error {
        match errno {
            libc::EAGAIN => Error::WouldBlock,
            libc::EINTR => Error::Interrupted,
            sys::ETERM => Error::ContextTerminated,
            sys::EFSM => Error::InvalidState,
            libc::EHOSTUNREACH => Error::HostUnreachable,
            libc::EADDRINUSE => Error::AddrInUse,
            libc::EADDRNOTAVAIL => Error::AddrNotAvailable,
            libc::ENOENT => Error::EndpointNotFound,
            libc::EPROTONOSUPPORT => Error::ProtocolNotSupported,
            sys::ENOCOMPATPROTO => Error::IncompatibleProtocol,
            libc::ENOTSUP => Error::NotSupported,
            libc::EINVAL => Error::InvalidArgument,
            sys::EMTHREAD => Error::NoIoThread,
            libc::EMFILE => Error::TooManyOpenFiles,
            libc::ENOTSOCK => Error::NotSocket,
            libc::ENOMEM => Error::OutOfMemory,
            libc::ENODEV => Error::NoSuchDevice,
            other => Error::Other(other),
        }
    }

    /// The errno value behind this error. Errors the binding raises itself map to `EINVAL`.
    pub fn errno(&self) -> i32 {
        match self {
            Error::WouldBlock => libc::EAGAIN,
            Error::Interrupted => libc::EINTR,
            Error::ContextTerminated => sys::ETERM,
            Error::InvalidState => sys::EFSM,
            Error::HostUnreachable => libc::EHOSTUNREACH,
            Error::AddrInUse => libc::EADDRINUSE,
            Error::AddrNotAvailable => libc::EADDRNOTAVAIL,
            Error::EndpointNotFound => libc::ENOENT,
            Error::ProtocolNotSupported => libc::EPROTONOSUPPORT,
            Error::IncompatibleProtocol => sys::ENOCOMPATPROTO,
            Error::NotSupported => libc::ENOTSUP,
            Error::InvalidArgument
            | Error::InteriorNul { .. }
            | Error::InvalidUtf8(_)
            | Error::InvalidZ85(_)
            | Error::InvalidCertificate(_) => libc::EINVAL,
            Error::Io { kind, .. } => io_kind_errno(*kind),
            #[cfg(feature = "tokio")]
            Error::NoRuntime => libc::EINVAL,
            Error::NoIoThread => sys::EMTHREAD,
            Error::TooManyOpenFiles => libc::EMFILE,
            Error::NotSocket => libc::ENOTSOCK,
            Error::OutOfMemory => libc::ENOMEM,
            Error::NoSuchDevice => libc::ENODEV,
            Error::ForeignHandle(_) => libc::EFAULT,
            Error::Other(errno) => *errno,
        }
    }

    /// The error libzmq reported for the call that just failed on this thread.
    #[cold]
    #[inline(never)]
    pub(crate) fn last() -> Error {
        // SAFETY: zmq_errno only reads this thread's errno.
        Error::from_errno(unsafe { sys::zmq_errno() })
    }

    fn io_kind(&self) -> io::ErrorKind {
        use io::ErrorKind as K;
        match self {
            Error::WouldBlock => K::WouldBlock,
            Error::Interrupted => K::Interrupted,
            Error::AddrInUse => K::AddrInUse,
            Error::AddrNotAvailable => K::AddrNotAvailable,
            Error::HostUnreachable => K::HostUnreachable,
            Error::EndpointNotFound => K::NotFound,
            Error::NotSupported | Error::ProtocolNotSupported => K::Unsupported,
            Error::InvalidArgument
            | Error::InteriorNul { .. }
            | Error::InvalidZ85(_)
            | Error::ForeignHandle(_) => K::InvalidInput,
            Error::InvalidUtf8(_) | Error::InvalidCertificate(_) => K::InvalidData,
            Error::Io { kind, .. } => *kind,
            Error::OutOfMemory => K::OutOfMemory,
            Error::ContextTerminated => K::BrokenPipe,
            _ => K::Other,
        }
    }
}

impl Error {
    /// An [`Error::Io`] for a failed operation on a path: the message says what was done to
    /// which path, and why it failed.
    pub(crate) fn io(what: &str, path: &std::path::Path, error: &io::Error) -> Error {
        Error::Io {
            kind: error.kind(),
            message: format!("cannot {what} {}: {error}", path.display()),
        }
    }
}

/// The errno closest to an I/O error kind, for [`Error::errno`].
fn io_kind_errno(kind: io::ErrorKind) -> i32 {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => libc::ENOENT,
        K::PermissionDenied => libc::EACCES,
        K::AlreadyExists => libc::EEXIST,
        K::InvalidInput | K::InvalidData => libc::EINVAL,
        K::Interrupted => libc::EINTR,
        K::WouldBlock => libc::EAGAIN,
        K::OutOfMemory => libc::ENOMEM,
        K::Unsupported => libc::ENOTSUP,
        _ => libc::EIO,
    }
}

/// libzmq's description of an errno value.
fn strerror(errno: i32) -> String {
    // SAFETY: zmq_strerror returns a pointer to a static NUL-terminated string for any value.
    let text = unsafe { CStr::from_ptr(sys::zmq_strerror(errno)) };
    text.to_string_lossy().into_owned()
}

impl From<Error> for io::Error {
    fn from(error: Error) -> io::Error {
        io::Error::new(error.io_kind(), error)
    }
}

/// The error of a failed send, which hands back what was not sent.
///
/// Like [`std::sync::mpsc::SendError`], a send that fails (would block, interrupted, no route)
/// never drops the message: take it back with [`SendError::into_unsent`] and retry. For data
/// the caller only lent (`&[u8]`, `&str`, `&Message`), there is nothing to hand back and the
/// unsent value is `()`. `?` converts it into an [`Error`].
#[derive(Clone, PartialEq, Eq)]
pub struct SendError<T> {
    error: Error,
    unsent: T,
}

impl<T> SendError<T> {
    pub(crate) fn new(error: Error, unsent: T) -> Self {
        SendError { error, unsent }
    }

    /// Why the send failed.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The value that was not sent.
    pub fn unsent(&self) -> &T {
        &self.unsent
    }

    /// Takes back the value that was not sent.
    pub fn into_unsent(self) -> T {
        self.unsent
    }

    /// Both parts: the error and the unsent value.
    pub fn into_parts(self) -> (Error, T) {
        (self.error, self.unsent)
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("error", &self.error)
            .field("unsent", &std::any::type_name::<T>())
            .finish()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "send failed: {}", self.error)
    }
}

impl<T> std::error::Error for SendError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<T> From<SendError<T>> for Error {
    fn from(error: SendError<T>) -> Error {
        error.error
    }
}

impl<T> From<SendError<T>> for io::Error {
    fn from(error: SendError<T>) -> io::Error {
        error.error.into()
    }
}

/// Converts a string for libzmq, refusing interior NUL bytes instead of panicking.
pub(crate) fn c_string(text: &str) -> Result<std::ffi::CString> {
    std::ffi::CString::new(text).map_err(|e| Error::InteriorNul {
        position: e.nul_position(),
    })
}

/// Runs a libzmq call that does not wait, again for as long as it fails with `EINTR`, and
/// returns its last return code (with errno as that call left it).
///
/// `zmq_bind`, `zmq_connect`, `zmq_unbind`, `zmq_disconnect`, `zmq_socket_monitor` and
/// reading `ZMQ_EVENTS` start by processing the socket's pending commands, behind a poll
/// with no timeout that a signal arriving at that moment interrupts: the call then fails
/// with EINTR before it has done anything, so calling it again is safe, and the caller,
/// which asked for nothing that waits, never sees a spurious [`Error::Interrupted`]. Except
/// in a forked child (`owner`, the process that made the context, is not this one), where
/// libzmq fails every call with EINTR for ever: there the error is returned.
pub(crate) fn uninterrupted(
    owner: u32,
    mut call: impl FnMut() -> std::os::raw::c_int,
) -> std::os::raw::c_int {
    loop {
        let rc = call();
        // getpid (on the failure path only) leaves errno alone.
        if rc != -1 || Error::last() != Error::Interrupted || std::process::id() != owner {
            return rc;
        }
    }
}

/// Turns a libzmq return code into a `Result`, reading errno on failure.
#[inline]
pub(crate) fn check(rc: std::os::raw::c_int) -> Result<std::os::raw::c_int> {
    if rc == -1 {
        Err(Error::last())
    } else {
        Ok(rc)
    }
}
