//! Socket options: each declared once, in one table, with its C option and Rust type.
//!
//! A row names the option, its kind (how its C value maps to a Rust type) and its direction:
//! `get name` makes a getter, `set name` a setter. A read-only option has no setter and a
//! write-only option no getter, so using one the wrong way round does not compile. Attributes
//! on a row (its documentation, `#[cfg(zmq_draft)]`, `#[deprecated]`) go on every method the
//! row makes.
//!
//! The table has every socket option of libzmq 4.3.5. Its direction follows libzmq's
//! `options.cpp`, which answers a few options its manual calls write-only (`CONFLATE`,
//! `HEARTBEAT_IVL`, ...). An option can still be refused at run time: on a socket type it does
//! not apply to, or in a libzmq built without what it needs (CURVE, GSSAPI, NORM, VMCI, WSS),
//! the call fails with [`Error::InvalidArgument`], as libzmq reports it.

use std::mem::size_of;
use std::os::raw::{c_int, c_void};
use std::time::Duration;

use crate::context::Context;
use crate::curve::CurveKey;
use crate::error::{check, Error, Result};
use crate::poll_events::PollEvents;
use crate::socket::{Socket, SocketType};
use crate::sys;

/// What the option table's getters and setters work on: a handle owning a live libzmq
/// socket ([`Socket`], and with DRAFT the thread-safe handle).
pub(crate) trait RawSocket {
    /// The live `void *` socket.
    fn raw_socket(&self) -> *mut c_void;

    /// The context the socket belongs to.
    fn context(&self) -> &Context;
}

impl RawSocket for Socket {
    #[inline]
    fn raw_socket(&self) -> *mut c_void {
        self.as_ptr()
    }

    fn context(&self) -> &Context {
        Socket::context(self)
    }
}

/// How a readable option's C value maps to a Rust type.
pub(crate) trait Get {
    /// What the getter returns.
    type Value;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Self::Value>;
}

/// How a Rust value maps to a settable option's C value.
pub(crate) trait Set {
    /// What the setter takes.
    type Input<'a>;

    fn set(socket: &dyn RawSocket, option: c_int, value: Self::Input<'_>) -> Result<()>;
}

fn set_raw(socket: &dyn RawSocket, option: c_int, value: *const c_void, len: usize) -> Result<()> {
    // SAFETY: a live socket, and `value` points to `len` readable bytes for the whole call
    // (or is null with `len` 0, which libzmq reads as "no value").
    check(unsafe { sys::zmq_setsockopt(socket.raw_socket(), option, value, len) }).map(drop)
}

/// Sets a fixed-size option from `T`'s bytes.
fn set_value<T: Copy>(socket: &dyn RawSocket, option: c_int, value: T) -> Result<()> {
    set_raw(socket, option, (&value as *const T).cast(), size_of::<T>())
}

/// Reads a fixed-size option into `T`, honouring the size libzmq reports it wrote.
fn get_raw<T: Copy + Default>(socket: &dyn RawSocket, option: c_int) -> Result<T> {
    let mut value = T::default();
    let mut len = size_of::<T>();
    // ZMQ_EVENTS processes the socket's commands first, which a signal can interrupt.
    check(socket.context().uninterrupted(|| {
        // SAFETY: a live socket; `value` has room for `len` bytes and libzmq writes at most
        // that.
        unsafe {
            sys::zmq_getsockopt(
                socket.raw_socket(),
                option,
                (&mut value as *mut T).cast(),
                &mut len,
            )
        }
    }))?;
    if len != size_of::<T>() {
        // A C type other than the table's: refuse rather than guess at a partial value.
        return Err(Error::InvalidArgument);
    }
    Ok(value)
}

pub(crate) fn get_int(socket: &dyn RawSocket, option: c_int) -> Result<c_int> {
    get_raw::<c_int>(socket, option)
}

/// Reads a variable-size option, growing the buffer while libzmq says it is too small, and
/// keeps only the bytes libzmq says it wrote.
pub(crate) fn get_bytes(socket: &dyn RawSocket, option: c_int, initial: usize) -> Result<Vec<u8>> {
    const LARGEST: usize = 1 << 16;
    let mut capacity = initial;
    loop {
        let mut buf = vec![0u8; capacity];
        let mut len = buf.len();
        // SAFETY: a live socket; `buf` has room for `len` bytes and libzmq writes at most that.
        let rc = unsafe {
            sys::zmq_getsockopt(
                socket.raw_socket(),
                option,
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        match check(rc) {
            Ok(_) => {
                buf.truncate(len);
                return Ok(buf);
            }
            Err(Error::InvalidArgument) if capacity < LARGEST => capacity *= 2,
            Err(e) => return Err(e),
        }
    }
}

/// The error for a value libzmq returned that this crate has no Rust value for.
pub(crate) fn unknown_value() -> Error {
    Error::Other(libc::EINVAL)
}

/// Converts a duration for a millisecond option where -1 means "for ever". Sub-millisecond
/// parts round up, so a short timeout never turns into 0 ("do not wait at all").
pub(crate) fn millis_to_c(value: Option<Duration>) -> Result<c_int> {
    match value {
        None => Ok(-1),
        Some(d) => {
            let millis = d.as_nanos().div_ceil(1_000_000);
            c_int::try_from(millis).map_err(|_| Error::InvalidArgument)
        }
    }
}

fn millis_from_c(value: c_int) -> Option<Duration> {
    u64::try_from(value).ok().map(Duration::from_millis)
}

/// `int` options.
pub(crate) struct Int;

impl Get for Int {
    type Value = i32;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<i32> {
        get_int(socket, option)
    }
}

impl Set for Int {
    type Input<'a> = i32;

    fn set(socket: &dyn RawSocket, option: c_int, value: i32) -> Result<()> {
        set_value::<c_int>(socket, option, value)
    }
}

/// `int` options that are 0 or 1.
pub(crate) struct Bool;

impl Get for Bool {
    type Value = bool;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<bool> {
        get_int(socket, option).map(|v| v != 0)
    }
}

impl Set for Bool {
    type Input<'a> = bool;

    fn set(socket: &dyn RawSocket, option: c_int, value: bool) -> Result<()> {
        <Int as Set>::set(socket, option, c_int::from(value))
    }
}

/// `int` options that are -1 (leave it to the operating system: `None`), 0 or 1.
pub(crate) struct BoolOrDefault;

impl Get for BoolOrDefault {
    type Value = Option<bool>;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Option<bool>> {
        match get_int(socket, option)? {
            -1 => Ok(None),
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(unknown_value()),
        }
    }
}

impl Set for BoolOrDefault {
    type Input<'a> = Option<bool>;

    fn set(socket: &dyn RawSocket, option: c_int, value: Option<bool>) -> Result<()> {
        <Int as Set>::set(socket, option, value.map_or(-1, c_int::from))
    }
}

/// `int` millisecond options where -1 means infinite (or "never"): `None`.
pub(crate) struct Millis;

impl Get for Millis {
    type Value = Option<Duration>;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Option<Duration>> {
        get_int(socket, option).map(millis_from_c)
    }
}

impl Set for Millis {
    type Input<'a> = Option<Duration>;

    fn set(socket: &dyn RawSocket, option: c_int, value: Option<Duration>) -> Result<()> {
        <Int as Set>::set(socket, option, millis_to_c(value)?)
    }
}

/// `int` millisecond options that libzmq keeps at 0 or more (0 usually means "off").
pub(crate) struct Interval;

impl Get for Interval {
    type Value = Duration;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Duration> {
        millis_from_c(get_int(socket, option)?).ok_or_else(unknown_value)
    }
}

impl Set for Interval {
    type Input<'a> = Duration;

    fn set(socket: &dyn RawSocket, option: c_int, value: Duration) -> Result<()> {
        <Int as Set>::set(socket, option, millis_to_c(Some(value))?)
    }
}

/// `int` millisecond options that read -1 until set (libzmq then uses another option's value:
/// `None`), and can only be set to a duration.
pub(crate) struct MillisUnset;

impl Get for MillisUnset {
    type Value = Option<Duration>;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Option<Duration>> {
        match get_int(socket, option)? {
            -1 => Ok(None),
            millis => millis_from_c(millis).map(Some).ok_or_else(unknown_value),
        }
    }
}

impl Set for MillisUnset {
    type Input<'a> = Duration;

    fn set(socket: &dyn RawSocket, option: c_int, value: Duration) -> Result<()> {
        <Interval as Set>::set(socket, option, value)
    }
}

/// `int64_t` size limits where -1 means unlimited: `None`.
pub(crate) struct Limit64;

impl Get for Limit64 {
    type Value = Option<u64>;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Option<u64>> {
        get_raw::<i64>(socket, option).map(|v| u64::try_from(v).ok())
    }
}

impl Set for Limit64 {
    type Input<'a> = Option<u64>;

    fn set(socket: &dyn RawSocket, option: c_int, value: Option<u64>) -> Result<()> {
        let raw = match value {
            None => -1,
            Some(v) => i64::try_from(v).map_err(|_| Error::InvalidArgument)?,
        };
        set_value::<i64>(socket, option, raw)
    }
}

/// `uint64_t` options (bitmaps, sizes).
pub(crate) struct U64;

impl Get for U64 {
    type Value = u64;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<u64> {
        get_raw::<u64>(socket, option)
    }
}

impl Set for U64 {
    type Input<'a> = u64;

    fn set(socket: &dyn RawSocket, option: c_int, value: u64) -> Result<()> {
        set_value::<u64>(socket, option, value)
    }
}

/// 32-bit unsigned options (`uid_t`, `gid_t`).
pub(crate) struct U32;

impl Set for U32 {
    type Input<'a> = u32;

    fn set(socket: &dyn RawSocket, option: c_int, value: u32) -> Result<()> {
        set_value::<u32>(socket, option, value)
    }
}

/// Binary options (routing ids, subscriptions, messages): any bytes, NUL included.
pub(crate) struct Bytes;

impl Get for Bytes {
    type Value = Vec<u8>;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<Vec<u8>> {
        get_bytes(socket, option, 256)
    }
}

impl Set for Bytes {
    type Input<'a> = &'a [u8];

    fn set(socket: &dyn RawSocket, option: c_int, value: &[u8]) -> Result<()> {
        set_raw(socket, option, value.as_ptr().cast(), value.len())
    }
}

/// The longest subscription this crate hands libzmq; see [`Socket::MAX_SUBSCRIPTION`].
pub(crate) const MAX_SUBSCRIPTION: usize = 4096;

/// Subscriptions (`ZMQ_SUBSCRIBE`, `ZMQ_UNSUBSCRIBE`): bytes, at most [`MAX_SUBSCRIPTION`].
pub(crate) struct Topic;

impl Set for Topic {
    type Input<'a> = &'a [u8];

    fn set(socket: &dyn RawSocket, option: c_int, value: &[u8]) -> Result<()> {
        if value.len() > MAX_SUBSCRIPTION {
            return Err(Error::InvalidArgument);
        }
        <Bytes as Set>::set(socket, option, value)
    }
}

/// Text options (endpoints, names): NUL-terminated strings in C. A value with a NUL byte
/// inside is refused rather than cut short. The empty string is passed as libzmq's "no
/// value" (a null pointer), which clears the options that can be cleared.
pub(crate) struct Text;

impl Get for Text {
    type Value = String;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<String> {
        let mut bytes = get_bytes(socket, option, 256)?;
        if let Some(end) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(end);
        }
        String::from_utf8(bytes).map_err(Error::InvalidUtf8)
    }
}

impl Set for Text {
    type Input<'a> = &'a str;

    fn set(socket: &dyn RawSocket, option: c_int, value: &str) -> Result<()> {
        if let Some(position) = value.bytes().position(|b| b == 0) {
            return Err(Error::InteriorNul { position });
        }
        if value.is_empty() {
            return set_raw(socket, option, std::ptr::null(), 0);
        }
        set_raw(socket, option, value.as_ptr().cast(), value.len())
    }
}

/// The socket type (`ZMQ_TYPE`), read-only.
pub(crate) struct Type;

impl Get for Type {
    type Value = SocketType;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<SocketType> {
        SocketType::from_raw(get_int(socket, option)?).ok_or_else(unknown_value)
    }
}

/// The platform's raw file descriptor type, which `ZMQ_FD` reports.
#[cfg(unix)]
macro_rules! raw_fd {
    () => {
        std::os::fd::RawFd
    };
}

/// The platform's raw socket type, which `ZMQ_FD` reports.
#[cfg(not(unix))]
macro_rules! raw_fd {
    () => {
        crate::sys::zmq_fd_t
    };
}

/// The socket's signalling file descriptor (`ZMQ_FD`), read-only.
pub(crate) struct Fd;

impl Get for Fd {
    type Value = raw_fd!();

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<raw_fd!()> {
        get_raw::<raw_fd!()>(socket, option)
    }
}

impl Get for PollEvents {
    type Value = PollEvents;

    fn get(socket: &dyn RawSocket, option: c_int) -> Result<PollEvents> {
        let bits = get_int(socket, option)?;
        let bits = std::os::raw::c_short::try_from(bits).map_err(|_| unknown_value())?;
        Ok(PollEvents::from_bits_retain(bits))
    }
}

impl Get for CurveKey {
    type Value = CurveKey;

    /// Reads the 32 binary bytes (libzmq answers in Z85 text for a 41-byte buffer).
    fn get(socket: &dyn RawSocket, option: c_int) -> Result<CurveKey> {
        get_raw::<[u8; 32]>(socket, option).map(CurveKey::from_bytes)
    }
}

impl Set for CurveKey {
    type Input<'a> = &'a CurveKey;

    fn set(socket: &dyn RawSocket, option: c_int, value: &CurveKey) -> Result<()> {
        let bytes = value.as_bytes();
        set_raw(socket, option, bytes.as_ptr().cast(), bytes.len())
    }
}

/// An enum over the values of one `int` option.
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $raw:path,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// The libzmq constant.
            pub fn as_raw(self) -> c_int {
                match self {
                    $($name::$variant => $raw,)+
                }
            }

            /// The value for a libzmq constant, `None` for one this crate does not know.
            pub fn from_raw(raw: c_int) -> Option<$name> {
                [$($name::$variant),+].into_iter().find(|v| v.as_raw() == raw)
            }
        }

        impl Get for $name {
            type Value = $name;

            fn get(socket: &dyn RawSocket, option: c_int) -> Result<$name> {
                $name::from_raw(get_int(socket, option)?).ok_or_else(unknown_value)
            }
        }

        impl Set for $name {
            type Input<'a> = $name;

            fn set(socket: &dyn RawSocket, option: c_int, value: $name) -> Result<()> {
                <Int as Set>::set(socket, option, value.as_raw())
            }
        }
    };
}

int_enum! {
    /// The security mechanism of a socket (`ZMQ_MECHANISM`), which setting the PLAIN, CURVE
    /// or GSSAPI options chooses.
    pub enum Mechanism {
        /// `ZMQ_NULL`: no security (the default).
        Null = sys::ZMQ_NULL,
        /// `ZMQ_PLAIN`: a clear-text user name and password.
        Plain = sys::ZMQ_PLAIN,
        /// `ZMQ_CURVE`: CurveZMQ authentication and encryption.
        Curve = sys::ZMQ_CURVE,
        /// `ZMQ_GSSAPI`: Kerberos.
        Gssapi = sys::ZMQ_GSSAPI,
    }
}

int_enum! {
    /// How a GSSAPI principal name is to be read (`ZMQ_GSSAPI_PRINCIPAL_NAMETYPE`,
    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE`).
    pub enum GssapiNameType {
        /// `ZMQ_GSSAPI_NT_HOSTBASED`: a host-based service name (the default).
        HostBased = sys::ZMQ_GSSAPI_NT_HOSTBASED,
        /// `ZMQ_GSSAPI_NT_USER_NAME`: a local user name.
        UserName = sys::ZMQ_GSSAPI_NT_USER_NAME,
        /// `ZMQ_GSSAPI_NT_KRB5_PRINCIPAL`: a Kerberos principal name.
        Krb5Principal = sys::ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
    }
}

#[cfg(zmq_draft)]
int_enum! {
    /// The NORM sender's rate control (`ZMQ_NORM_MODE`, DRAFT).
    pub enum NormMode {
        /// `ZMQ_NORM_FIXED`: a fixed rate, set with `ZMQ_RATE`.
        Fixed = sys::ZMQ_NORM_FIXED,
        /// `ZMQ_NORM_CC`: TCP-friendly congestion control (the default).
        Cc = sys::ZMQ_NORM_CC,
        /// `ZMQ_NORM_CCL`: loss-tolerant congestion control.
        Ccl = sys::ZMQ_NORM_CCL,
        /// `ZMQ_NORM_CCE`: congestion control with explicit congestion notification (ECN).
        Cce = sys::ZMQ_NORM_CCE,
        /// `ZMQ_NORM_CCE_ECNONLY`: ECN-only congestion control.
        CceEcnOnly = sys::ZMQ_NORM_CCE_ECNONLY,
    }
}

#[cfg(zmq_draft)]
bitflags::bitflags! {
    /// Which peer events a ROUTER reports as an empty message after the peer's routing id
    /// (`ZMQ_ROUTER_NOTIFY`, DRAFT).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RouterNotify: c_int {
        /// `ZMQ_NOTIFY_CONNECT`: a peer connected.
        const CONNECT = sys::ZMQ_NOTIFY_CONNECT;
        /// `ZMQ_NOTIFY_DISCONNECT`: a peer disconnected.
        const DISCONNECT = sys::ZMQ_NOTIFY_DISCONNECT;
    }
}

#[cfg(zmq_draft)]
bitflags::bitflags! {
    /// When a connecting socket stops reconnecting (`ZMQ_RECONNECT_STOP`, DRAFT).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ReconnectStop: c_int {
        /// `ZMQ_RECONNECT_STOP_CONN_REFUSED`: the peer refused the connection (nothing is
        /// bound there).
        const CONN_REFUSED = sys::ZMQ_RECONNECT_STOP_CONN_REFUSED;
        /// `ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED`: the ZMTP handshake failed (the peer does
        /// not speak ZeroMQ; see `HANDSHAKE_IVL` for how long a handshake may take).
        const HANDSHAKE_FAILED = sys::ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED;
        /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`: [`Socket::disconnect`] was called.
        const AFTER_DISCONNECT = sys::ZMQ_RECONNECT_STOP_AFTER_DISCONNECT;
    }
}

/// Bitflags types as `int` options: every bit libzmq reports is kept, known or not.
macro_rules! int_flags {
    ($($(#[$attr:meta])* $name:ident;)*) => {$(
        $(#[$attr])*
        impl Get for $name {
            type Value = $name;

            fn get(socket: &dyn RawSocket, option: c_int) -> Result<$name> {
                get_int(socket, option).map($name::from_bits_retain)
            }
        }

        $(#[$attr])*
        impl Set for $name {
            type Input<'a> = $name;

            fn set(socket: &dyn RawSocket, option: c_int, value: $name) -> Result<()> {
                <Int as Set>::set(socket, option, value.bits())
            }
        }
    )*};
}

int_flags! {
    #[cfg(zmq_draft)]
    RouterNotify;
    #[cfg(zmq_draft)]
    ReconnectStop;
}

/// The Rust type a getter returns, spelled out so the documentation shows it.
macro_rules! option_value {
    (Int) => { i32 };
    (Bool) => { bool };
    (BoolOrDefault) => { Option<bool> };
    (Millis) => { Option<Duration> };
    (Interval) => { Duration };
    (MillisUnset) => { Option<Duration> };
    (Limit64) => { Option<u64> };
    (U64) => { u64 };
    (Bytes) => { Vec<u8> };
    (Text) => { String };
    (Type) => { SocketType };
    (Fd) => { raw_fd!() };
    ($own:ident) => { $own };
}

/// The Rust type a setter takes.
macro_rules! option_input {
    (Int) => { i32 };
    (Bool) => { bool };
    (BoolOrDefault) => { Option<bool> };
    (Millis) => { Option<Duration> };
    (Interval) => { Duration };
    (MillisUnset) => { Duration };
    (Limit64) => { Option<u64> };
    (U64) => { u64 };
    (U32) => { u32 };
    (Bytes) => { &[u8] };
    (Topic) => { &[u8] };
    (Text) => { &str };
    (CurveKey) => { &CurveKey };
    ($own:ident) => { $own };
}

/// One row of the option table, as the tests that walk it see it.
#[cfg(test)]
pub(crate) struct OptionRow {
    /// The C name, `ZMQ_LINGER`.
    pub(crate) name: &'static str,
    /// The C value.
    pub(crate) raw: c_int,
    /// The typed getter, its value formatted with `Debug`; `None` for a write-only option.
    pub(crate) get: Option<fn(&Socket) -> Result<String>>,
    /// Whether the row has a setter.
    pub(crate) writable: bool,
}

macro_rules! socket_options {
    ($(
        $(#[$($attr:tt)*])*
        $name:ident: $kind:ident $(, get $getter:ident)? $(, set $setter:ident)?;
    )*) => {
        impl Socket {$(
            socket_options!(
                @methods [$(#[$($attr)*])*] $name $kind [$($getter)?] [$($setter)?]
            );
        )*}

        // The same methods on the thread-safe handle, from the same rows.
        #[cfg(zmq_draft)]
        impl crate::thread_safe::ThreadSafeSocket {$(
            socket_options!(
                @methods [$(#[$($attr)*])*] $name $kind [$($getter)?] [$($setter)?]
            );
        )*}

        /// Every row of the table (those the build has), for the tests that walk it.
        #[cfg(test)]
        #[allow(deprecated)]
        pub(crate) fn all() -> Vec<OptionRow> {
            let mut rows = Vec::new();
            $(
                socket_options!(@push rows [$(#[$($attr)*])*] [] OptionRow {
                    name: stringify!($name),
                    raw: sys::$name,
                    get: socket_options!(@read_fn $($getter)?),
                    writable: socket_options!(@is_some $($setter)?),
                });
            )*
            rows
        }
    };
    (@methods $attrs:tt $name:ident $kind:ident [$($getter:ident)?] [$($setter:ident)?]) => {
        $(socket_options!(@get $getter $name $kind, $attrs);)?
        $(socket_options!(@set $setter $name $kind, $attrs);)?
    };
    (@get $getter:ident $name:ident $kind:ident, [$($attrs:tt)*]) => {
        #[doc = concat!("Reads `", stringify!($name), "`.")]
        #[doc = ""]
        $($attrs)*
        pub fn $getter(&self) -> Result<option_value!($kind)> {
            <$kind as Get>::get(self, sys::$name)
        }
    };
    (@set $setter:ident $name:ident $kind:ident, [$($attrs:tt)*]) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        #[doc = ""]
        $($attrs)*
        pub fn $setter(&self, value: option_input!($kind)) -> Result<()> {
            <$kind as Set>::set(self, sys::$name, value)
        }
    };
    // Pushes a row under the row's `cfg` attributes only (its other attributes are docs).
    (@push $rows:ident [] [$($cfg:tt)*] $row:expr) => {
        $($cfg)*
        $rows.push($row);
    };
    (@push $rows:ident [#[cfg $($c:tt)*] $($rest:tt)*] [$($cfg:tt)*] $row:expr) => {
        socket_options!(@push $rows [$($rest)*] [$($cfg)* #[cfg $($c)*]] $row)
    };
    (@push $rows:ident [#[$($other:tt)*] $($rest:tt)*] $cfg:tt $row:expr) => {
        socket_options!(@push $rows [$($rest)*] $cfg $row)
    };
    (@read_fn) => { None };
    (@read_fn $getter:ident) => {
        Some(|socket: &Socket| socket.$getter().map(|value| format!("{value:?}")))
    };
    (@is_some) => { false };
    (@is_some $setter:ident) => { true };
}

socket_options! {
    // ---- Identity and state -----------------------------------------------------------

    /// The socket's type.
    #[doc(alias = "ZMQ_TYPE")]
    ZMQ_TYPE: Type, get socket_type;

    /// Whether the socket may be used from several threads at once: `true` only for the
    /// DRAFT thread-safe types (SERVER, CLIENT, RADIO, DISH, ...).
    #[doc(alias = "ZMQ_THREAD_SAFE")]
    ZMQ_THREAD_SAFE: Bool, get thread_safe;

    /// The last endpoint this socket bound or connected to, with wildcards resolved
    /// (`tcp://127.0.0.1:*` becomes `tcp://127.0.0.1:41235`). Empty until the first bind or
    /// connect.
    #[doc(alias = "ZMQ_LAST_ENDPOINT")]
    ZMQ_LAST_ENDPOINT: Text, get last_endpoint;

    /// Whether more frames of the multipart message being received follow. Prefer
    /// [`Message::more`](crate::Message::more), which needs no extra call.
    #[doc(alias = "ZMQ_RCVMORE")]
    ZMQ_RCVMORE: Bool, get rcvmore;

    /// Whether a receive ([`PollEvents::POLLIN`]) or a send ([`PollEvents::POLLOUT`]) would
    /// go through now without blocking. Reading it also processes the socket's pending
    /// commands, so it is how an event loop re-arms after [`Socket::fd`] woke it.
    #[doc(alias = "ZMQ_EVENTS")]
    ZMQ_EVENTS: PollEvents, get events;

    /// The file descriptor that becomes readable, edge-triggered, when the socket's
    /// [`Socket::events`] may have changed: for integrating a socket into another event loop.
    /// Never read from, write to or close it. Thread-safe (DRAFT) sockets have none and
    /// answer [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_FD")]
    ZMQ_FD: Fd, get fd;

    // ---- Queues, timeouts and limits --------------------------------------------------

    /// The high-water mark for outgoing messages: how many may queue per peer before sends
    /// block or drop (depending on the socket type). 0 means no limit; default 1000.
    #[doc(alias = "ZMQ_SNDHWM")]
    ZMQ_SNDHWM: Int, get sndhwm, set set_sndhwm;

    /// The high-water mark for incoming messages, per peer. 0 means no limit; default 1000.
    #[doc(alias = "ZMQ_RCVHWM")]
    ZMQ_RCVHWM: Int, get rcvhwm, set set_rcvhwm;

    /// How long a receive blocks before failing with [`Error::WouldBlock`]: `None` for ever
    /// (default), `Some(Duration::ZERO)` not at all.
    #[doc(alias = "ZMQ_RCVTIMEO")]
    ZMQ_RCVTIMEO: Millis, get rcvtimeo, set set_rcvtimeo;

    /// How long a send blocks before failing with [`Error::WouldBlock`]: `None` for ever
    /// (default), `Some(Duration::ZERO)` not at all.
    #[doc(alias = "ZMQ_SNDTIMEO")]
    ZMQ_SNDTIMEO: Millis, get sndtimeo, set set_sndtimeo;

    /// How long a closed socket keeps trying to deliver its unsent messages: `None` for ever
    /// (default), `Some(Duration::ZERO)` to drop them at once. The context's termination
    /// waits for it.
    #[doc(alias = "ZMQ_LINGER")]
    ZMQ_LINGER: Millis, get linger, set set_linger;

    /// The largest inbound message accepted; a peer sending a larger one is disconnected.
    /// `None` (default) means no limit.
    #[doc(alias = "ZMQ_MAXMSGSIZE")]
    ZMQ_MAXMSGSIZE: Limit64, get maxmsgsize, set set_maxmsgsize;

    /// Keep only the last message: incoming and outgoing queues hold one message, newer ones
    /// replace it. Not for multipart messages. For PULL, PUSH, SUB, PUB and DEALER; default
    /// `false`.
    ///
    /// libzmq's conflating queue can miss waking the receiver: now and then (about 1 round in
    /// 3,000 of a burst of 1,000 messages over tcp) the last message of a burst stays unseen,
    /// no `POLLIN`, until the next message arrives and takes its place. A receiver that must
    /// have the latest value within a bound needs the sender to repeat it.
    #[doc(alias = "ZMQ_CONFLATE")]
    ZMQ_CONFLATE: Bool, get conflate, set set_conflate;

    /// Queue messages only to completed connections, so sends block (or fail) instead of
    /// queueing for peers that are not there yet. Default `false`.
    #[doc(alias = "ZMQ_IMMEDIATE")]
    #[doc(alias = "ZMQ_DELAY_ATTACH_ON_CONNECT")]
    ZMQ_IMMEDIATE: Bool, get immediate, set set_immediate;

    /// Which I/O threads (a bitmap over the context's threads) serve connections made from
    /// now on. Default 0: any.
    #[doc(alias = "ZMQ_AFFINITY")]
    ZMQ_AFFINITY: U64, get affinity, set set_affinity;

    /// The kernel's send buffer size in bytes (`SO_SNDBUF`); -1 (default) leaves the
    /// operating system's.
    #[doc(alias = "ZMQ_SNDBUF")]
    ZMQ_SNDBUF: Int, get sndbuf, set set_sndbuf;

    /// The kernel's receive buffer size in bytes (`SO_RCVBUF`); -1 (default) leaves the
    /// operating system's.
    #[doc(alias = "ZMQ_RCVBUF")]
    ZMQ_RCVBUF: Int, get rcvbuf, set set_rcvbuf;

    // ---- Connections ------------------------------------------------------------------

    /// The identity a ROUTER peer sees for this socket: 1 to 255 bytes, not starting with a
    /// zero byte. Set before connecting. Default: empty (the ROUTER makes one up).
    #[doc(alias = "ZMQ_ROUTING_ID")]
    #[doc(alias = "ZMQ_IDENTITY")]
    ZMQ_ROUTING_ID: Bytes, get routing_id, set set_routing_id;

    /// The routing id (1 to 255 bytes) this ROUTER or STREAM socket gives the peer of its
    /// next [`Socket::connect`], so it can send to it at once. Applies to that one connect.
    ///
    /// Known hazard, not yet guarded by the crate: libzmq aborts the process
    /// (`Assertion failed: !has_out_pipe (routing_id)`, src/router.cpp or src/stream.cpp)
    /// when the connection attaches while the socket already has a peer with that routing
    /// id: the same id given to two connects, or to a connect while the earlier connection
    /// with it is still being torn down, or a peer that connected to this socket's bind with
    /// that `ZMQ_ROUTING_ID`. Use each id for one live connection, and keep the ids this
    /// socket gives apart from those its peers choose.
    #[doc(alias = "ZMQ_CONNECT_ROUTING_ID")]
    #[doc(alias = "ZMQ_CONNECT_RID")]
    ZMQ_CONNECT_ROUTING_ID: Bytes, set set_connect_routing_id;

    /// How long to wait before reconnecting to a lost peer: default 100 ms; `None` means
    /// never reconnect.
    #[doc(alias = "ZMQ_RECONNECT_IVL")]
    ZMQ_RECONNECT_IVL: Millis, get reconnect_ivl, set set_reconnect_ivl;

    /// The longest reconnect interval: with a non-zero value, each failed attempt doubles the
    /// wait, from `RECONNECT_IVL` up to this. Default zero: always wait `RECONNECT_IVL`.
    #[doc(alias = "ZMQ_RECONNECT_IVL_MAX")]
    ZMQ_RECONNECT_IVL_MAX: Interval, get reconnect_ivl_max, set set_reconnect_ivl_max;

    /// How long a TCP connect may take before it is abandoned (and retried). Default zero:
    /// the operating system's timeout.
    #[doc(alias = "ZMQ_CONNECT_TIMEOUT")]
    ZMQ_CONNECT_TIMEOUT: Interval, get connect_timeout, set set_connect_timeout;

    /// How long the ZMTP handshake (and security mechanism) may take on a new connection
    /// before it is closed. Default 30 s; zero means no limit.
    #[doc(alias = "ZMQ_HANDSHAKE_IVL")]
    ZMQ_HANDSHAKE_IVL: Interval, get handshake_ivl, set set_handshake_ivl;

    /// How many connections may wait to be accepted by a bound socket (`listen` backlog).
    /// Default 100.
    #[doc(alias = "ZMQ_BACKLOG")]
    ZMQ_BACKLOG: Int, get backlog, set set_backlog;

    /// Use IPv6 as well as IPv4 for TCP (the context's `ipv6` sets the default). Default
    /// `false`.
    #[doc(alias = "ZMQ_IPV6")]
    ZMQ_IPV6: Bool, get ipv6, set set_ipv6;

    /// The listening file descriptor the next [`Socket::bind`] uses instead of opening its
    /// own (set with the `unsafe` [`Socket::set_use_fd`]). Default -1: none.
    #[doc(alias = "ZMQ_USE_FD")]
    ZMQ_USE_FD: Int, get use_fd;

    /// The network interface connections are bound to (`SO_BINDTODEVICE`, Linux, needs
    /// `CAP_NET_RAW`): at most 16 bytes; empty (default) for none.
    #[doc(alias = "ZMQ_BINDTODEVICE")]
    ZMQ_BINDTODEVICE: Text, get bindtodevice, set set_bindtodevice;

    /// The SOCKS5 proxy to connect through, `host:port`; empty (default) for none.
    #[doc(alias = "ZMQ_SOCKS_PROXY")]
    ZMQ_SOCKS_PROXY: Text, get socks_proxy, set set_socks_proxy;

    // ---- Heartbeats -------------------------------------------------------------------

    /// How often to send a ZMTP PING on an idle connection. Default zero: no heartbeats.
    #[doc(alias = "ZMQ_HEARTBEAT_IVL")]
    ZMQ_HEARTBEAT_IVL: Interval, get heartbeat_ivl, set set_heartbeat_ivl;

    /// How long the peer should wait for traffic before closing the connection, sent with
    /// each PING. libzmq keeps it in deciseconds: it rounds down to a tenth of a second, and
    /// refuses more than 6553.599 s with [`Error::InvalidArgument`]. Default zero: none.
    #[doc(alias = "ZMQ_HEARTBEAT_TTL")]
    ZMQ_HEARTBEAT_TTL: Interval, get heartbeat_ttl, set set_heartbeat_ttl;

    /// How long to wait for any traffic after a PING before closing the connection. Reads
    /// `None` until set, meaning `HEARTBEAT_IVL` is used.
    #[doc(alias = "ZMQ_HEARTBEAT_TIMEOUT")]
    ZMQ_HEARTBEAT_TIMEOUT: MillisUnset, get heartbeat_timeout, set set_heartbeat_timeout;

    // ---- TCP --------------------------------------------------------------------------

    /// TCP keep-alive (`SO_KEEPALIVE`): `None` (default) leaves the operating system's
    /// setting.
    #[doc(alias = "ZMQ_TCP_KEEPALIVE")]
    ZMQ_TCP_KEEPALIVE: BoolOrDefault, get tcp_keepalive, set set_tcp_keepalive;

    /// How many unanswered keep-alive probes close a TCP connection (`TCP_KEEPCNT`); -1
    /// (default) leaves the operating system's.
    #[doc(alias = "ZMQ_TCP_KEEPALIVE_CNT")]
    ZMQ_TCP_KEEPALIVE_CNT: Int, get tcp_keepalive_cnt, set set_tcp_keepalive_cnt;

    /// Seconds of idleness before the first keep-alive probe (`TCP_KEEPIDLE`); -1 (default)
    /// leaves the operating system's.
    #[doc(alias = "ZMQ_TCP_KEEPALIVE_IDLE")]
    ZMQ_TCP_KEEPALIVE_IDLE: Int, get tcp_keepalive_idle, set set_tcp_keepalive_idle;

    /// Seconds between keep-alive probes (`TCP_KEEPINTVL`); -1 (default) leaves the operating
    /// system's.
    #[doc(alias = "ZMQ_TCP_KEEPALIVE_INTVL")]
    ZMQ_TCP_KEEPALIVE_INTVL: Int, get tcp_keepalive_intvl, set set_tcp_keepalive_intvl;

    /// How long unacknowledged data may wait before the connection is dropped
    /// (`TCP_USER_TIMEOUT` on Linux). Default zero: the operating system's.
    #[doc(alias = "ZMQ_TCP_MAXRT")]
    ZMQ_TCP_MAXRT: Interval, get tcp_maxrt, set set_tcp_maxrt;

    /// The IP type-of-service (DSCP) byte of outgoing packets. Default 0.
    #[doc(alias = "ZMQ_TOS")]
    ZMQ_TOS: Int, get tos, set set_tos;

    // ---- Socket-type behaviour --------------------------------------------------------

    /// Subscribes a SUB (or XSUB) socket to messages that start with these bytes; empty
    /// bytes subscribe to everything. No subscription, no messages. On an XPUB with
    /// `XPUB_MANUAL`, adds a subscription for the last subscriber. A PUB refuses it with
    /// [`Error::InvalidArgument`].
    ///
    /// A subscription longer than [`Socket::MAX_SUBSCRIPTION`] (4096) bytes is
    /// [`Error::InvalidArgument`]: libzmq 4.3.5 keeps a SUB's subscriptions in a trie that
    /// recurses once per byte, so a long one would overflow the calling thread's stack.
    #[doc(alias = "ZMQ_SUBSCRIBE")]
    ZMQ_SUBSCRIBE: Topic, set set_subscribe;

    /// Removes one subscription made with `set_subscribe` with the same bytes (at most
    /// [`Socket::MAX_SUBSCRIPTION`] of them, as there).
    #[doc(alias = "ZMQ_UNSUBSCRIBE")]
    ZMQ_UNSUBSCRIBE: Topic, set set_unsubscribe;

    /// Makes a ROUTER fail sends to an unknown routing id with [`Error::HostUnreachable`]
    /// (and block or fail with [`Error::WouldBlock`] at the high-water mark) instead of
    /// dropping them silently. ROUTER only; default `false`.
    #[doc(alias = "ZMQ_ROUTER_MANDATORY")]
    #[doc(alias = "ZMQ_FAIL_UNROUTABLE")]
    ZMQ_ROUTER_MANDATORY: Bool, set set_router_mandatory;

    /// Lets a new connection with a routing id already in use take it over (the old one is
    /// disconnected) instead of being refused. ROUTER only; default `false`.
    #[doc(alias = "ZMQ_ROUTER_HANDOVER")]
    ZMQ_ROUTER_HANDOVER: Bool, set set_router_handover;

    /// Puts a ROUTER in raw mode, talking plain TCP without ZMTP framing. Deprecated by
    /// libzmq in favour of the STREAM socket type. ROUTER only; default `false`.
    #[doc(alias = "ZMQ_ROUTER_RAW")]
    ZMQ_ROUTER_RAW: Bool, set set_router_raw;

    /// Sends an empty message to each new peer on connect, so a ROUTER peer learns this
    /// socket's routing id at once. ROUTER, DEALER and REQ; default `false`.
    #[doc(alias = "ZMQ_PROBE_ROUTER")]
    ZMQ_PROBE_ROUTER: Bool, set set_probe_router;

    /// Makes a REQ socket tag requests with an id and drop replies that do not match the
    /// last request. REQ only; default `false`.
    #[doc(alias = "ZMQ_REQ_CORRELATE")]
    ZMQ_REQ_CORRELATE: Bool, set set_req_correlate;

    /// Lets a REQ socket send a new request without waiting for the reply to the last one
    /// (which is then dropped). Usually with `REQ_CORRELATE`. REQ only; default `false`.
    #[doc(alias = "ZMQ_REQ_RELAXED")]
    ZMQ_REQ_RELAXED: Bool, set set_req_relaxed;

    /// Makes a STREAM socket deliver an empty message when a peer connects or disconnects.
    /// STREAM only; default `true`.
    #[doc(alias = "ZMQ_STREAM_NOTIFY")]
    ZMQ_STREAM_NOTIFY: Bool, set set_stream_notify;

    /// Makes an XPUB pass every subscription to the application, not only new ones. XPUB
    /// only; default `false`.
    #[doc(alias = "ZMQ_XPUB_VERBOSE")]
    ZMQ_XPUB_VERBOSE: Bool, set set_xpub_verbose;

    /// Like `XPUB_VERBOSE`, and also passes every unsubscription. XPUB only; default `false`.
    #[doc(alias = "ZMQ_XPUB_VERBOSER")]
    ZMQ_XPUB_VERBOSER: Bool, set set_xpub_verboser;

    /// Makes sends on an XPUB (or PUB) at the high-water mark fail with
    /// [`Error::WouldBlock`] instead of dropping the message. Default `false`.
    #[doc(alias = "ZMQ_XPUB_NODROP")]
    ZMQ_XPUB_NODROP: Bool, set set_xpub_nodrop;

    /// Leaves an XPUB's subscriptions to the application: it receives them and subscribes
    /// with `set_subscribe`. XPUB only; default `false`.
    #[doc(alias = "ZMQ_XPUB_MANUAL")]
    ZMQ_XPUB_MANUAL: Bool, set set_xpub_manual;

    /// A message an XPUB sends to each new subscriber; empty (default) for none.
    #[doc(alias = "ZMQ_XPUB_WELCOME_MSG")]
    ZMQ_XPUB_WELCOME_MSG: Bytes, set set_xpub_welcome_msg;

    /// Inverts subscription matching: PUB and XPUB send to, and SUB receives, what does
    /// *not* match a subscription. Set on both sides. Default `false`.
    #[doc(alias = "ZMQ_INVERT_MATCHING")]
    ZMQ_INVERT_MATCHING: Bool, get invert_matching, set set_invert_matching;

    // ---- Security ---------------------------------------------------------------------

    /// The security mechanism the other security options chose. Default
    /// [`Mechanism::Null`].
    #[doc(alias = "ZMQ_MECHANISM")]
    ZMQ_MECHANISM: Mechanism, get mechanism;

    /// The ZAP domain, which tells the authentication handler which policy applies; empty
    /// (default) for none. libzmq refuses an empty value with [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_ZAP_DOMAIN")]
    ZMQ_ZAP_DOMAIN: Text, get zap_domain, set set_zap_domain;

    /// Makes the socket a PLAIN server (`true`) or back to no security (`false`). Default
    /// `false`.
    #[doc(alias = "ZMQ_PLAIN_SERVER")]
    ZMQ_PLAIN_SERVER: Bool, get plain_server, set set_plain_server;

    /// The PLAIN user name a client sends (1 to 255 bytes); setting it makes the socket a
    /// PLAIN client, setting it empty goes back to no security. Default empty.
    #[doc(alias = "ZMQ_PLAIN_USERNAME")]
    ZMQ_PLAIN_USERNAME: Text, get plain_username, set set_plain_username;

    /// The PLAIN password a client sends (1 to 255 bytes); setting it makes the socket a
    /// PLAIN client, setting it empty goes back to no security. Default empty.
    #[doc(alias = "ZMQ_PLAIN_PASSWORD")]
    ZMQ_PLAIN_PASSWORD: Text, get plain_password, set set_plain_password;

    /// Makes the socket a CURVE server (`true`; it also needs its secret key) or back to no
    /// security. Default `false`. Needs a libzmq with CURVE ([`crate::has`]`("curve")`),
    /// otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_CURVE_SERVER")]
    ZMQ_CURVE_SERVER: Bool, get curve_server, set set_curve_server;

    /// This socket's CURVE public key (a client's, or a server's own); setting it selects
    /// CURVE. Default all zeros. Needs CURVE, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_CURVE_PUBLICKEY")]
    ZMQ_CURVE_PUBLICKEY: CurveKey, get curve_publickey, set set_curve_publickey;

    /// This socket's CURVE secret key; setting it selects CURVE. Default all zeros. Needs
    /// CURVE, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_CURVE_SECRETKEY")]
    ZMQ_CURVE_SECRETKEY: CurveKey, get curve_secretkey, set set_curve_secretkey;

    /// The server's public key a CURVE client expects; setting it makes the socket a CURVE
    /// client. Default all zeros. Needs CURVE, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_CURVE_SERVERKEY")]
    ZMQ_CURVE_SERVERKEY: CurveKey, get curve_serverkey, set set_curve_serverkey;

    /// Makes the socket a GSSAPI (Kerberos) server. Default `false`. Only in a libzmq built
    /// with GSSAPI ([`crate::has`]`("gssapi")`), otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_GSSAPI_SERVER")]
    ZMQ_GSSAPI_SERVER: Bool, get gssapi_server, set set_gssapi_server;

    /// This socket's GSSAPI principal name (1 to 255 bytes); setting it selects GSSAPI.
    /// Default empty. Only with GSSAPI, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_GSSAPI_PRINCIPAL")]
    ZMQ_GSSAPI_PRINCIPAL: Text, get gssapi_principal, set set_gssapi_principal;

    /// The GSSAPI principal name of the server a client connects to; setting it makes the
    /// socket a GSSAPI client. Default empty. Only with GSSAPI, otherwise
    /// [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_GSSAPI_SERVICE_PRINCIPAL")]
    ZMQ_GSSAPI_SERVICE_PRINCIPAL: Text, get gssapi_service_principal,
        set set_gssapi_service_principal;

    /// Turns GSSAPI encryption off (authentication only). Default `false`. Only with
    /// GSSAPI, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_GSSAPI_PLAINTEXT")]
    ZMQ_GSSAPI_PLAINTEXT: Bool, get gssapi_plaintext, set set_gssapi_plaintext;

    /// How `GSSAPI_PRINCIPAL` is to be read. Default [`GssapiNameType::HostBased`]. Only
    /// with GSSAPI, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE")]
    ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: GssapiNameType, get gssapi_principal_nametype,
        set set_gssapi_principal_nametype;

    /// How `GSSAPI_SERVICE_PRINCIPAL` is to be read. Default [`GssapiNameType::HostBased`].
    /// Only with GSSAPI, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE")]
    ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: GssapiNameType,
        get gssapi_service_principal_nametype, set set_gssapi_service_principal_nametype;

    // ---- Multicast (PGM, NORM) --------------------------------------------------------

    /// The multicast data rate in kilobits per second (more than 0). Default 100.
    #[doc(alias = "ZMQ_RATE")]
    ZMQ_RATE: Int, get rate, set set_rate;

    /// How long a multicast receiver can be away and still recover lost data. Default 10 s.
    #[doc(alias = "ZMQ_RECOVERY_IVL")]
    ZMQ_RECOVERY_IVL: Interval, get recovery_ivl, set set_recovery_ivl;

    /// The time-to-live (hops) of multicast packets (more than 0). Default 1: the local
    /// network.
    #[doc(alias = "ZMQ_MULTICAST_HOPS")]
    ZMQ_MULTICAST_HOPS: Int, get multicast_hops, set set_multicast_hops;

    /// The largest multicast transport data unit in bytes (more than 0); keep it at or
    /// below the path MTU. Default 1500.
    #[doc(alias = "ZMQ_MULTICAST_MAXTPDU")]
    ZMQ_MULTICAST_MAXTPDU: Int, get multicast_maxtpdu, set set_multicast_maxtpdu;

    // ---- VMCI -------------------------------------------------------------------------

    /// The VMCI transport's buffer size in bytes (default 65546). Only in a libzmq built
    /// with VMCI ([`crate::has`]`("vmci")`), otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_VMCI_BUFFER_SIZE")]
    ZMQ_VMCI_BUFFER_SIZE: U64, set set_vmci_buffer_size;

    /// The VMCI transport's smallest buffer size in bytes (default 128). Only with VMCI,
    /// otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_VMCI_BUFFER_MIN_SIZE")]
    ZMQ_VMCI_BUFFER_MIN_SIZE: U64, set set_vmci_buffer_min_size;

    /// The VMCI transport's largest buffer size in bytes (default 262144). Only with VMCI,
    /// otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_VMCI_BUFFER_MAX_SIZE")]
    ZMQ_VMCI_BUFFER_MAX_SIZE: U64, set set_vmci_buffer_max_size;

    /// How long a VMCI connect may take: `None` (default) for the transport's own limit.
    /// Only with VMCI, otherwise [`Error::InvalidArgument`].
    #[doc(alias = "ZMQ_VMCI_CONNECT_TIMEOUT")]
    ZMQ_VMCI_CONNECT_TIMEOUT: Millis, set set_vmci_connect_timeout;

    // ---- Deprecated -------------------------------------------------------------------

    /// Restricts TCP to IPv4 (`true`, default); the inverse of `IPV6`.
    #[doc(alias = "ZMQ_IPV4ONLY")]
    #[deprecated(note = "libzmq deprecates ZMQ_IPV4ONLY: use `ipv6`/`set_ipv6` instead")]
    ZMQ_IPV4ONLY: Bool, get ipv4only, set set_ipv4only;

    /// Adds an address or network (`192.168.1.0/24`) that TCP connections are accepted
    /// from; an empty filter removes them all. Default: no filter (all accepted).
    #[doc(alias = "ZMQ_TCP_ACCEPT_FILTER")]
    #[deprecated(
        note = "libzmq deprecates ZMQ_TCP_ACCEPT_FILTER: authenticate with ZAP (ZMQ_ZAP_DOMAIN \
                and a ZAP handler) instead"
    )]
    ZMQ_TCP_ACCEPT_FILTER: Text, set set_tcp_accept_filter;

    /// Adds a process id that IPC connections are accepted from (Linux). Default: no
    /// filter.
    #[doc(alias = "ZMQ_IPC_FILTER_PID")]
    #[deprecated(
        note = "libzmq deprecates ZMQ_IPC_FILTER_PID: authenticate with ZAP, which sees the \
                peer's credentials, instead"
    )]
    ZMQ_IPC_FILTER_PID: Int, set set_ipc_filter_pid;

    /// Adds a user id that IPC connections are accepted from. Default: no filter.
    #[doc(alias = "ZMQ_IPC_FILTER_UID")]
    #[deprecated(
        note = "libzmq deprecates ZMQ_IPC_FILTER_UID: authenticate with ZAP, which sees the \
                peer's credentials, instead"
    )]
    ZMQ_IPC_FILTER_UID: U32, set set_ipc_filter_uid;

    /// Adds a group id that IPC connections are accepted from. Default: no filter.
    #[doc(alias = "ZMQ_IPC_FILTER_GID")]
    #[deprecated(
        note = "libzmq deprecates ZMQ_IPC_FILTER_GID: authenticate with ZAP, which sees the \
                peer's credentials, instead"
    )]
    ZMQ_IPC_FILTER_GID: U32, set set_ipc_filter_gid;

    // ---- DRAFT ------------------------------------------------------------------------

    /// Makes the ZAP handler refuse connections with an empty ZAP domain, as RFC 27 says.
    /// Default `false`. DRAFT.
    #[doc(alias = "ZMQ_ZAP_ENFORCE_DOMAIN")]
    #[cfg(zmq_draft)]
    ZMQ_ZAP_ENFORCE_DOMAIN: Bool, get zap_enforce_domain, set set_zap_enforce_domain;

    /// Uses the Windows TCP loopback fast path (`SIO_LOOPBACK_FAST_PATH`); no effect
    /// elsewhere. Default `false`. DRAFT.
    #[doc(alias = "ZMQ_LOOPBACK_FASTPATH")]
    #[cfg(zmq_draft)]
    ZMQ_LOOPBACK_FASTPATH: Bool, get loopback_fastpath, set set_loopback_fastpath;

    /// Adds an application metadata property, `"X-key:value"`, that peers read from the
    /// messages of the connection ([`Message::gets`](crate::Message::gets)). The key must start
    /// with `X-`. DRAFT.
    #[doc(alias = "ZMQ_METADATA")]
    #[cfg(zmq_draft)]
    ZMQ_METADATA: Text, set set_metadata;

    /// Whether UDP multicast sent by a RADIO loops back to the sending host. Default
    /// `true`. DRAFT.
    #[doc(alias = "ZMQ_MULTICAST_LOOP")]
    #[cfg(zmq_draft)]
    ZMQ_MULTICAST_LOOP: Bool, get multicast_loop, set set_multicast_loop;

    /// Which peer connects and disconnects a ROUTER reports, as an empty message after the
    /// peer's routing id. ROUTER only (any socket reads it); default empty. DRAFT.
    #[doc(alias = "ZMQ_ROUTER_NOTIFY")]
    #[cfg(zmq_draft)]
    ZMQ_ROUTER_NOTIFY: RouterNotify, get router_notify, set set_router_notify;

    /// Like `XPUB_MANUAL`, and sends the first message after a subscription only to the
    /// subscriber that sent it (for last-value caches). XPUB only; default `false`. DRAFT.
    #[doc(alias = "ZMQ_XPUB_MANUAL_LAST_VALUE")]
    #[cfg(zmq_draft)]
    ZMQ_XPUB_MANUAL_LAST_VALUE: Bool, set set_xpub_manual_last_value;

    /// The user name for the SOCKS5 proxy (at most 255 bytes); empty (default) for none.
    /// DRAFT.
    #[doc(alias = "ZMQ_SOCKS_USERNAME")]
    #[cfg(zmq_draft)]
    ZMQ_SOCKS_USERNAME: Text, get socks_username, set set_socks_username;

    /// The password for the SOCKS5 proxy (at most 255 bytes); empty (default) for none.
    /// DRAFT.
    #[doc(alias = "ZMQ_SOCKS_PASSWORD")]
    #[cfg(zmq_draft)]
    ZMQ_SOCKS_PASSWORD: Text, get socks_password, set set_socks_password;

    /// The most bytes read from the kernel in one system call (more than 0). Default 8192;
    /// libzmq advises against changing it, yet larger batches measured 2.4-2.8x the throughput
    /// at 1 KiB over tcp when both ends raise them, at a cost in request-reply latency at
    /// 64 KiB: see [`ThroughputSetup`](crate::ThroughputSetup), which sets both for streaming
    /// sockets. A connection takes the size when it is made. DRAFT: a libzmq built without the
    /// DRAFT API refuses it.
    #[doc(alias = "ZMQ_IN_BATCH_SIZE")]
    #[cfg(zmq_draft)]
    ZMQ_IN_BATCH_SIZE: Int, get in_batch_size, set set_in_batch_size;

    /// The most bytes written to the kernel in one system call (more than 0). Default 8192;
    /// libzmq advises against changing it, yet larger batches measured 2.4-2.8x the throughput
    /// at 1 KiB over tcp when both ends raise them, at a cost in request-reply latency at
    /// 64 KiB: see [`ThroughputSetup`](crate::ThroughputSetup), which sets both for streaming
    /// sockets. A connection takes the size when it is made. DRAFT: a libzmq built without the
    /// DRAFT API refuses it.
    #[doc(alias = "ZMQ_OUT_BATCH_SIZE")]
    #[cfg(zmq_draft)]
    ZMQ_OUT_BATCH_SIZE: Int, get out_batch_size, set set_out_batch_size;

    /// The PEM private key of a WSS server. Only in a libzmq built with WSS
    /// ([`crate::has`]`("WSS")`), otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_WSS_KEY_PEM")]
    #[cfg(zmq_draft)]
    ZMQ_WSS_KEY_PEM: Text, set set_wss_key_pem;

    /// The PEM certificate of a WSS server. Only with WSS, otherwise
    /// [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_WSS_CERT_PEM")]
    #[cfg(zmq_draft)]
    ZMQ_WSS_CERT_PEM: Text, set set_wss_cert_pem;

    /// The PEM certificate a WSS client trusts. Only with WSS, otherwise
    /// [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_WSS_TRUST_PEM")]
    #[cfg(zmq_draft)]
    ZMQ_WSS_TRUST_PEM: Text, set set_wss_trust_pem;

    /// The host name a WSS client checks the server's certificate against. Only with WSS,
    /// otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_WSS_HOSTNAME")]
    #[cfg(zmq_draft)]
    ZMQ_WSS_HOSTNAME: Text, set set_wss_hostname;

    /// Makes a WSS client trust the system's certificate authorities. Default `false`. Only
    /// with WSS, otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_WSS_TRUST_SYSTEM")]
    #[cfg(zmq_draft)]
    ZMQ_WSS_TRUST_SYSTEM: Bool, set set_wss_trust_system;

    /// Treats only the first frame of a multipart message as a (un)subscription and the
    /// rest as data. XPUB and XSUB; default `false`. DRAFT.
    #[doc(alias = "ZMQ_ONLY_FIRST_SUBSCRIBE")]
    #[cfg(zmq_draft)]
    ZMQ_ONLY_FIRST_SUBSCRIBE: Bool, set set_only_first_subscribe;

    /// When a connecting socket gives up reconnecting. Default empty: never. DRAFT.
    #[doc(alias = "ZMQ_RECONNECT_STOP")]
    #[cfg(zmq_draft)]
    ZMQ_RECONNECT_STOP: ReconnectStop, get reconnect_stop, set set_reconnect_stop;

    /// A message sent to every new peer as soon as the connection is up; empty (default)
    /// for none. ROUTER, DEALER, CLIENT, SERVER and PEER. DRAFT.
    #[doc(alias = "ZMQ_HELLO_MSG")]
    #[cfg(zmq_draft)]
    ZMQ_HELLO_MSG: Bytes, set set_hello_msg;

    /// A message the socket receives, as if from the peer, when a peer disconnects; empty
    /// (default) for none. ROUTER, SERVER and PEER. DRAFT.
    #[doc(alias = "ZMQ_DISCONNECT_MSG")]
    #[cfg(zmq_draft)]
    ZMQ_DISCONNECT_MSG: Bytes, set set_disconnect_msg;

    /// The protocol priority of outgoing packets (`SO_PRIORITY`; above 6 needs
    /// `CAP_NET_ADMIN` on Linux). Default 0. DRAFT.
    #[doc(alias = "ZMQ_PRIORITY")]
    #[cfg(zmq_draft)]
    ZMQ_PRIORITY: Int, get priority, set set_priority;

    /// Busy-polls the network device for lower latency at the cost of CPU
    /// (`SO_BUSY_POLL`). Default `false`. Reading it fails with [`Error::InvalidArgument`]
    /// in libzmq 4.3.5, whose getter never reports success. DRAFT.
    #[doc(alias = "ZMQ_BUSY_POLL")]
    #[cfg(zmq_draft)]
    ZMQ_BUSY_POLL: Bool, get busy_poll, set set_busy_poll;

    /// A message the socket receives, as if from the peer, when a connection it made drops
    /// and is re-established; empty (default) for none. DEALER, CLIENT and PEER. DRAFT.
    #[doc(alias = "ZMQ_HICCUP_MSG")]
    #[cfg(zmq_draft)]
    ZMQ_HICCUP_MSG: Bytes, set set_hiccup_msg;

    /// Makes an XSUB pass every unsubscription upstream, not only the last one for each
    /// topic. XSUB only; default `false`. DRAFT.
    #[doc(alias = "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE")]
    #[cfg(zmq_draft)]
    ZMQ_XSUB_VERBOSE_UNSUBSCRIBE: Bool, set set_xsub_verbose_unsubscribe;

    /// How many topics (prefixes) an XPUB or PUB has received subscriptions for, or an XSUB
    /// or SUB has subscribed to. Other socket types answer [`Error::InvalidArgument`].
    /// DRAFT.
    #[doc(alias = "ZMQ_TOPICS_COUNT")]
    #[cfg(zmq_draft)]
    ZMQ_TOPICS_COUNT: Int, get topics_count;

    /// The NORM sender's rate control. Default [`NormMode::Cc`]. Only in a libzmq built with
    /// NORM ([`crate::has`]`("norm")`), otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_MODE")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_MODE: NormMode, get norm_mode, set set_norm_mode;

    /// Makes NORM receivers send NACKs by unicast. Default `false`. Only with NORM,
    /// otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_UNICAST_NACK")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_UNICAST_NACK: Bool, get norm_unicast_nack, set set_norm_unicast_nack;

    /// The NORM buffer size in kilobytes (more than 0). Default 2048. Only with NORM,
    /// otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_BUFFER_SIZE")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_BUFFER_SIZE: Int, get norm_buffer_size, set set_norm_buffer_size;

    /// The NORM segment size in bytes (more than 0; keep it under the MTU). Default 1400.
    /// Only with NORM, otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_SEGMENT_SIZE")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_SEGMENT_SIZE: Int, get norm_segment_size, set set_norm_segment_size;

    /// Source segments per NORM FEC block (1 to 255). Default 16. Only with NORM,
    /// otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_BLOCK_SIZE")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_BLOCK_SIZE: Int, get norm_block_size, set set_norm_block_size;

    /// Parity segments the NORM sender computes per block (0 to 254). Default 4. Only with
    /// NORM, otherwise [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_NUM_PARITY")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_NUM_PARITY: Int, get norm_num_parity, set set_norm_num_parity;

    /// Parity segments the NORM sender sends unasked at the end of each block (0 to 254, at
    /// most `NORM_NUM_PARITY`). Default 0. Only with NORM, otherwise
    /// [`Error::InvalidArgument`]. DRAFT.
    #[doc(alias = "ZMQ_NORM_NUM_AUTOPARITY")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_NUM_AUTOPARITY: Int, get norm_num_autoparity, set set_norm_num_autoparity;

    /// NORM push mode: a full sender drops its oldest data instead of refusing new
    /// messages. Default `false`. Only with NORM, otherwise [`Error::InvalidArgument`].
    /// DRAFT.
    #[doc(alias = "ZMQ_NORM_PUSH")]
    #[cfg(zmq_draft)]
    ZMQ_NORM_PUSH: Bool, get norm_push, set set_norm_push;
}

/// The raw escape hatch: any option id, any bytes.
///
/// Whether this may be a safe function was decided by reading libzmq 4.3.5's `options.cpp`,
/// `socket_base.cpp` and every socket type's `xsetsockopt`/`xgetsockopt` (DEALER, REQ,
/// ROUTER, STREAM and the routing base, SUB, XSUB, XPUB, RADIO; the other types, DRAFT ones
/// included, have none), for every size:
///
/// - Setters read `optval` only after checking `optvallen` (an exact `sizeof(int)` or
///   `sizeof(int64_t)`, a 32/40/41-byte CURVE key, 1 to 255 bytes for routing ids, a maximum
///   for strings), or read exactly `optvallen` bytes (subscriptions, metadata, welcome,
///   hello, disconnect and hiccup messages). Nothing keeps the pointer after the call. The one
///   exception is XSUB's DRAFT `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE`, which reads an `int` whatever
///   the size: this crate refuses any other size for that id.
/// - Getters write only after checking `*optvallen` (an exact size for numbers and CURVE
///   keys; room for the string and its NUL for strings), and never more than `*optvallen`.
/// - Numbers are read and written through `int *` casts, which C++ requires to be aligned:
///   the bytes go through an 8-byte-aligned buffer on both ways.
/// - `ZMQ_SUBSCRIBE` and `ZMQ_UNSUBSCRIBE` read exactly the bytes given, but a SUB's trie
///   recurses once per byte: longer than `MAX_SUBSCRIPTION` is refused, as in the setters.
/// - `ZMQ_USE_FD` is not memory-unsafe, but it hands libzmq a file descriptor that the next
///   `bind` listens on and the socket's close closes: refused here, as something only code
///   that owns the descriptor should do.
mod raw_option {
    use std::os::raw::{c_int, c_void};

    use crate::error::{check, Error, Result};
    use crate::options::RawSocket;
    use crate::sys;

    /// An 8-byte-aligned scratch buffer with room for `len` bytes.
    fn aligned(len: usize) -> Vec<u64> {
        vec![0u64; len.div_ceil(8)]
    }

    pub(crate) fn set(socket: &dyn RawSocket, option: c_int, value: &[u8]) -> Result<()> {
        if option == sys::ZMQ_USE_FD {
            return Err(Error::NotSupported);
        }
        if option == sys::ZMQ_XSUB_VERBOSE_UNSUBSCRIBE && value.len() != size_of::<c_int>() {
            // libzmq 4.3.5 reads an int there without looking at the size.
            return Err(Error::InvalidArgument);
        }
        if option == sys::ZMQ_SUBSCRIBE || option == sys::ZMQ_UNSUBSCRIBE {
            // The typed setters' path, with its length limit (a trie that recurses once per
            // byte: see `Socket::MAX_SUBSCRIPTION`); bytes need no alignment.
            return <super::Topic as super::Set>::set(socket, option, value);
        }
        let mut buf = aligned(value.len());
        let ptr: *const c_void = if value.is_empty() {
            // libzmq's "no value": clears the options that can be cleared.
            std::ptr::null()
        } else {
            // SAFETY: `buf` has room for `value.len()` bytes and does not overlap `value`.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    value.as_ptr(),
                    buf.as_mut_ptr().cast::<u8>(),
                    value.len(),
                )
            };
            buf.as_ptr().cast()
        };
        // SAFETY: a live socket; `ptr` is null with a length of 0, or points to
        // `value.len()` readable, 8-byte-aligned bytes that outlive the call. libzmq checks
        // the length before reading for every option id but the one refused above, and
        // keeps no pointer (see the module's docs).
        check(unsafe { sys::zmq_setsockopt(socket.raw_socket(), option, ptr, value.len()) })
            .map(drop)
    }

    pub(crate) fn get(socket: &dyn RawSocket, option: c_int, out: &mut [u8]) -> Result<usize> {
        let mut buf = aligned(out.len());
        let mut len = out.len();
        // Retried if a signal interrupts ZMQ_EVENTS's command processing (before it reads).
        check(socket.context().uninterrupted(|| {
            // SAFETY: a live socket; `buf` has room for `len` bytes, 8-byte-aligned, and
            // libzmq writes at most `len` bytes (it checks the size first, see the module's
            // docs).
            unsafe {
                sys::zmq_getsockopt(
                    socket.raw_socket(),
                    option,
                    buf.as_mut_ptr().cast(),
                    &mut len,
                )
            }
        }))?;
        let written = len.min(out.len());
        // SAFETY: `buf` holds at least `written` initialised bytes; `out` has room for them.
        unsafe {
            std::ptr::copy_nonoverlapping(buf.as_ptr().cast::<u8>(), out.as_mut_ptr(), written)
        };
        Ok(len)
    }
}

impl Socket {
    /// Sets `ZMQ_USE_FD`: a file descriptor, already bound and listening, that [`Socket::bind`]
    /// (tcp or ipc) uses instead of opening its own, for systemd socket activation. -1 (the
    /// default) turns it off.
    ///
    /// libzmq takes the descriptor over: the listener made by `bind` closes it when the socket
    /// unbinds or closes. A descriptor that no `bind` used is not closed (it leaks).
    ///
    /// # Safety
    ///
    /// Unless `fd` is -1, the caller owns `fd`, an open listening socket, and gives it up:
    /// nothing else (no `OwnedFd`, `TcpListener` or C code) may use or close it afterwards.
    /// libzmq uses the value for *every* later bind of this socket, so bind at most once while
    /// it is set, then set -1 again before binding anything else; two listeners on one
    /// descriptor would close it twice, and the second close can hit an unrelated descriptor
    /// that reused the number.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a value below -1, as libzmq returns.
    pub unsafe fn set_use_fd(&self, fd: i32) -> Result<()> {
        <Int as Set>::set(self, sys::ZMQ_USE_FD, fd)
    }

    /// The longest subscription [`Socket::set_subscribe`] (and `set_unsubscribe`, and the
    /// raw `ZMQ_SUBSCRIBE`) accepts, in bytes. libzmq 4.3.5 keeps the subscriptions of SUB
    /// and XSUB sockets in a trie whose add, remove, resend and destructor recurse once per
    /// byte of a subscription, on the thread that calls it: a subscription of tens of
    /// kilobytes overflows a 2 MiB thread stack and aborts the process. 4096 bytes stay well
    /// inside any default stack. A subscription sent as a message on an XSUB socket (a
    /// first byte of 1, then the topic) is not checked: keep those short too.
    pub const MAX_SUBSCRIPTION: usize = MAX_SUBSCRIPTION;

    /// Sets any socket option by its libzmq id, from its C value's bytes: the way to reach
    /// options this crate has no typed setter for (those of a newer libzmq, say). Prefer
    /// the typed setters, which check the value's type and document its meaning.
    ///
    /// `value` is the option's C value in native byte order: an `int` as
    /// `42i32.to_ne_bytes()`, an `int64_t` as 8 bytes, a string without its NUL. An empty
    /// `value` is passed as a null pointer, libzmq's "no value", which clears the options
    /// that can be cleared.
    ///
    /// Any id and any size are safe: libzmq answers an unknown id, or a size or value it
    /// does not take, with [`Error::InvalidArgument`]. A subscription longer than
    /// [`Socket::MAX_SUBSCRIPTION`] is refused as [`Socket::set_subscribe`] refuses it. Two
    /// more ids are checked here first:
    /// `ZMQ_USE_FD` is refused with [`Error::NotSupported`] (it hands libzmq a file
    /// descriptor to listen on and close; use [`Socket::set_use_fd`]), and
    /// `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE` with a size other than 4 is [`Error::InvalidArgument`]
    /// (libzmq 4.3.5 would read 4 bytes anyway).
    ///
    /// ```
    /// let ctx = zmq::Context::new()?;
    /// let socket = ctx.socket(zmq::SocketType::Dealer)?;
    /// socket.set_option_raw(zmq::sys::ZMQ_LINGER, &250i32.to_ne_bytes())?;
    /// assert_eq!(socket.linger()?, Some(std::time::Duration::from_millis(250)));
    /// assert_eq!(
    ///     socket.set_option_raw(zmq::sys::ZMQ_LINGER, &[1, 2]),
    ///     Err(zmq::Error::InvalidArgument)
    /// );
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_setsockopt")]
    pub fn set_option_raw(&self, option: i32, value: &[u8]) -> Result<()> {
        raw_option::set(self, option, value)
    }

    /// Reads any socket option by its libzmq id into `buf`, and returns the size libzmq
    /// reports: the way to reach options this crate has no typed getter for. Prefer the
    /// typed getters.
    ///
    /// `buf` must have the size libzmq expects for the option: exactly 4 bytes for an
    /// `int`, 8 for an `int64_t`, 32 (binary) or 41 (Z85 text and its NUL) for a CURVE key,
    /// and for a string at least its length plus its NUL (libzmq then zeroes the rest of
    /// `buf`). Otherwise, and for an unknown or write-only id, [`Error::InvalidArgument`].
    ///
    /// ```
    /// let ctx = zmq::Context::new()?;
    /// let socket = ctx.socket(zmq::SocketType::Dealer)?;
    /// let mut int = [0u8; 4];
    /// assert_eq!(socket.get_option_raw(zmq::sys::ZMQ_TYPE, &mut int)?, 4);
    /// assert_eq!(i32::from_ne_bytes(int), zmq::sys::ZMQ_DEALER);
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_getsockopt")]
    pub fn get_option_raw(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        raw_option::get(self, option, buf)
    }
}

/// The same escape hatch on the thread-safe handle.
#[cfg(zmq_draft)]
impl crate::thread_safe::ThreadSafeSocket {
    /// Sets any socket option by its libzmq id, from its C value's bytes, exactly as
    /// [`Socket::set_option_raw`] does (the same checks and errors).
    #[doc(alias = "zmq_setsockopt")]
    pub fn set_option_raw(&self, option: i32, value: &[u8]) -> Result<()> {
        raw_option::set(self, option, value)
    }

    /// Reads any socket option by its libzmq id into `buf`, exactly as
    /// [`Socket::get_option_raw`] does.
    #[doc(alias = "zmq_getsockopt")]
    pub fn get_option_raw(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        raw_option::get(self, option, buf)
    }
}

#[cfg(test)]
mod tests;
