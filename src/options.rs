//! Socket options: each declared once, in one table, with its C option and Rust type.
//!
//! A row names the option, its kind (how its C value maps to a Rust type) and its direction:
//! `get name` makes a getter, `set name` a setter. A read-only option has no setter and a
//! write-only option no getter, so using one the wrong way round does not compile.

use std::mem::size_of;
use std::os::raw::{c_int, c_void};
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::socket::{Socket, SocketType};
use crate::sys;

/// How a readable option's C value maps to a Rust type.
pub(crate) trait Get {
    /// What the getter returns.
    type Value;

    fn get(socket: &Socket, option: c_int) -> Result<Self::Value>;
}

/// How a Rust value maps to a settable option's C value.
pub(crate) trait Set {
    /// What the setter takes.
    type Input<'a>;

    fn set(socket: &Socket, option: c_int, value: Self::Input<'_>) -> Result<()>;
}

fn set_raw(socket: &Socket, option: c_int, value: *const c_void, len: usize) -> Result<()> {
    // SAFETY: a live socket, and `value` points to `len` readable bytes for the whole call.
    check(unsafe { sys::zmq_setsockopt(socket.as_ptr(), option, value, len) }).map(drop)
}

/// Reads a fixed-size option into `T`, honouring the size libzmq reports it wrote.
fn get_raw<T: Copy + Default>(socket: &Socket, option: c_int) -> Result<T> {
    let mut value = T::default();
    let mut len = size_of::<T>();
    // SAFETY: a live socket; `value` has room for `len` bytes and libzmq writes at most that.
    check(unsafe {
        sys::zmq_getsockopt(
            socket.as_ptr(),
            option,
            (&mut value as *mut T).cast(),
            &mut len,
        )
    })?;
    if len != size_of::<T>() {
        // A C type other than the table's: refuse rather than guess at a partial value.
        return Err(Error::InvalidArgument);
    }
    Ok(value)
}

pub(crate) fn get_int(socket: &Socket, option: c_int) -> Result<c_int> {
    get_raw::<c_int>(socket, option)
}

/// Reads a variable-size option, growing the buffer while libzmq says it is too small.
pub(crate) fn get_bytes(socket: &Socket, option: c_int, initial: usize) -> Result<Vec<u8>> {
    const LARGEST: usize = 1 << 16;
    let mut capacity = initial;
    loop {
        let mut buf = vec![0u8; capacity];
        let mut len = buf.len();
        // SAFETY: a live socket; `buf` has room for `len` bytes and libzmq writes at most that.
        let rc = unsafe {
            sys::zmq_getsockopt(socket.as_ptr(), option, buf.as_mut_ptr().cast(), &mut len)
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

    fn get(socket: &Socket, option: c_int) -> Result<i32> {
        get_int(socket, option)
    }
}

impl Set for Int {
    type Input<'a> = i32;

    fn set(socket: &Socket, option: c_int, value: i32) -> Result<()> {
        set_raw(
            socket,
            option,
            (&value as *const c_int).cast(),
            size_of::<c_int>(),
        )
    }
}

/// `int` options that are 0 or 1.
pub(crate) struct Bool;

impl Get for Bool {
    type Value = bool;

    fn get(socket: &Socket, option: c_int) -> Result<bool> {
        get_int(socket, option).map(|v| v != 0)
    }
}

impl Set for Bool {
    type Input<'a> = bool;

    fn set(socket: &Socket, option: c_int, value: bool) -> Result<()> {
        <Int as Set>::set(socket, option, c_int::from(value))
    }
}

/// `int` millisecond options where -1 means infinite (or "never"): `None`.
pub(crate) struct Millis;

impl Get for Millis {
    type Value = Option<Duration>;

    fn get(socket: &Socket, option: c_int) -> Result<Option<Duration>> {
        get_int(socket, option).map(millis_from_c)
    }
}

impl Set for Millis {
    type Input<'a> = Option<Duration>;

    fn set(socket: &Socket, option: c_int, value: Option<Duration>) -> Result<()> {
        <Int as Set>::set(socket, option, millis_to_c(value)?)
    }
}

/// `int64_t` size limits where -1 means unlimited: `None`.
pub(crate) struct Limit64;

impl Get for Limit64 {
    type Value = Option<u64>;

    fn get(socket: &Socket, option: c_int) -> Result<Option<u64>> {
        get_raw::<i64>(socket, option).map(|v| u64::try_from(v).ok())
    }
}

impl Set for Limit64 {
    type Input<'a> = Option<u64>;

    fn set(socket: &Socket, option: c_int, value: Option<u64>) -> Result<()> {
        let raw = match value {
            None => -1,
            Some(v) => i64::try_from(v).map_err(|_| Error::InvalidArgument)?,
        };
        set_raw(
            socket,
            option,
            (&raw as *const i64).cast(),
            size_of::<i64>(),
        )
    }
}

/// Binary options (routing ids, subscriptions): any bytes, NUL included.
pub(crate) struct Bytes;

impl Get for Bytes {
    type Value = Vec<u8>;

    fn get(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
        get_bytes(socket, option, 256)
    }
}

impl Set for Bytes {
    type Input<'a> = &'a [u8];

    fn set(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
        set_raw(socket, option, value.as_ptr().cast(), value.len())
    }
}

/// The Rust type a getter returns, spelled out so the documentation shows it.
macro_rules! option_value {
    (Int) => { i32 };
    (Bool) => { bool };
    (Millis) => { Option<Duration> };
    (Limit64) => { Option<u64> };
    (Bytes) => { Vec<u8> };
    (Text) => { String };
    (Type) => { SocketType };
}

/// The Rust type a setter takes.
macro_rules! option_input {
    (Int) => { i32 };
    (Bool) => { bool };
    (Millis) => { Option<Duration> };
    (Limit64) => { Option<u64> };
    (Bytes) => { &[u8] };
    (Text) => { &str };
}

/// Text options (endpoints, names): NUL-terminated strings in C. A value with a NUL byte
/// inside is refused rather than cut short.
pub(crate) struct Text;

impl Get for Text {
    type Value = String;

    fn get(socket: &Socket, option: c_int) -> Result<String> {
        let mut bytes = get_bytes(socket, option, 256)?;
        if let Some(end) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(end);
        }
        String::from_utf8(bytes).map_err(Error::InvalidUtf8)
    }
}

impl Set for Text {
    type Input<'a> = &'a str;

    fn set(socket: &Socket, option: c_int, value: &str) -> Result<()> {
        if let Some(position) = value.bytes().position(|b| b == 0) {
            return Err(Error::InteriorNul { position });
        }
        set_raw(socket, option, value.as_ptr().cast(), value.len())
    }
}

/// The socket type (`ZMQ_TYPE`), read-only.
pub(crate) struct Type;

impl Get for Type {
    type Value = SocketType;

    fn get(socket: &Socket, option: c_int) -> Result<SocketType> {
        SocketType::from_raw(get_int(socket, option)?).ok_or(Error::Other(libc::EINVAL))
    }
}

macro_rules! socket_options {
    ($(
        $(#[$attr:meta])*
        $name:ident: $kind:ident, $($access:ident $method:ident),+;
    )*) => {
        impl Socket {$(
            socket_options!(@row [$(#[$attr])*] $name $kind, [$($access $method)+]);
        )*}
    };
    (@row $attrs:tt $name:ident $kind:ident, [$($access:ident $method:ident)+]) => {
        $(socket_options!(@$access $method $name $kind, $attrs);)+
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
}

socket_options! {
    /// The socket's type.
    #[doc(alias = "ZMQ_TYPE")]
    ZMQ_TYPE: Type, get socket_type;

    /// The last endpoint this socket bound or connected to, with wildcards resolved
    /// (`tcp://127.0.0.1:*` becomes `tcp://127.0.0.1:41235`).
    #[doc(alias = "ZMQ_LAST_ENDPOINT")]
    ZMQ_LAST_ENDPOINT: Text, get last_endpoint;

    /// Whether more frames of the multipart message being received follow. Prefer
    /// [`Message::more`](crate::Message::more), which needs no extra call.
    #[doc(alias = "ZMQ_RCVMORE")]
    ZMQ_RCVMORE: Bool, get rcvmore;

    /// How long a closed socket keeps trying to deliver its unsent messages: `None` for ever
    /// (default), `Some(Duration::ZERO)` to drop them at once. The context's termination
    /// waits for it.
    #[doc(alias = "ZMQ_LINGER")]
    ZMQ_LINGER: Millis, get linger, set set_linger;

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

    /// Subscribes a SUB (or XSUB) socket to messages that start with these bytes; empty
    /// bytes subscribe to everything. No subscription, no messages.
    #[doc(alias = "ZMQ_SUBSCRIBE")]
    ZMQ_SUBSCRIBE: Bytes, set set_subscribe;

    /// Removes one subscription made with `set_subscribe` with the same bytes.
    #[doc(alias = "ZMQ_UNSUBSCRIBE")]
    ZMQ_UNSUBSCRIBE: Bytes, set set_unsubscribe;

    /// The identity a ROUTER peer sees for this socket: 1 to 255 bytes, not starting with a
    /// zero byte. Set before connecting. Default: empty (the ROUTER makes one up).
    #[doc(alias = "ZMQ_ROUTING_ID")]
    #[doc(alias = "ZMQ_IDENTITY")]
    ZMQ_ROUTING_ID: Bytes, get routing_id, set set_routing_id;

    /// Queue messages only to completed connections, so sends block (or fail) instead of
    /// queueing for peers that are not there yet. Default `false`.
    #[doc(alias = "ZMQ_IMMEDIATE")]
    ZMQ_IMMEDIATE: Bool, get immediate, set set_immediate;

    /// How long to wait before reconnecting to a lost peer: default 100 ms; `None` means
    /// never reconnect.
    #[doc(alias = "ZMQ_RECONNECT_IVL")]
    ZMQ_RECONNECT_IVL: Millis, get reconnect_ivl, set set_reconnect_ivl;

    /// The largest inbound message accepted; a peer sending a larger one is disconnected.
    /// `None` (default) means no limit.
    #[doc(alias = "ZMQ_MAXMSGSIZE")]
    ZMQ_MAXMSGSIZE: Limit64, get maxmsgsize, set set_maxmsgsize;
}
