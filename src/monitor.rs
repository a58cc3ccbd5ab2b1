//! Socket monitoring: typed events parsed from libzmq's `zmq_socket_monitor` frames.

use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_long, c_short};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::{c_string, check, Error, Result};
use crate::multipart::Multipart;
use crate::socket::{RecvFlags, Socket, SocketType};
use crate::sys;

/// The operating system's handle of a connection, as monitor events report it: a file
/// descriptor on Unix (`-1` where libzmq reports none), a `SOCKET` on Windows (cut to 32 bits
/// by libzmq's version 1 events).
#[cfg(unix)]
pub type MonitorFd = std::os::unix::io::RawFd;
/// The operating system's handle of a connection, as monitor events report it: a file
/// descriptor on Unix (`-1` where libzmq reports none), a `SOCKET` on Windows (cut to 32 bits
/// by libzmq's version 1 events).
#[cfg(windows)]
pub type MonitorFd = std::os::windows::io::RawSocket;

/// How long stopping a monitor waits for libzmq's `MONITOR_STOPPED` before giving up.
const STOP_DEADLINE: Duration = Duration::from_secs(1);

bitflags::bitflags! {
    /// Which events a [`Monitor`] reports: the `ZMQ_EVENT_*` masks of `zmq_socket_monitor`.
    ///
    /// [`MONITOR_STOPPED`](MonitorEvents::MONITOR_STOPPED) is always added: the monitor needs
    /// it to know when libzmq is done.
    ///
    /// ```
    /// let events = zmq::MonitorEvents::CONNECTED | zmq::MonitorEvents::DISCONNECTED;
    /// assert!(zmq::MonitorEvents::ALL.contains(events));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MonitorEvents: u16 {
        /// `ZMQ_EVENT_CONNECTED`: a connection to a remote peer is established.
        const CONNECTED = sys::ZMQ_EVENT_CONNECTED as u16;
        /// `ZMQ_EVENT_CONNECT_DELAYED`: a connect could not complete at once and is pending.
        const CONNECT_DELAYED = sys::ZMQ_EVENT_CONNECT_DELAYED as u16;
        /// `ZMQ_EVENT_CONNECT_RETRIED`: a reconnect is scheduled.
        const CONNECT_RETRIED = sys::ZMQ_EVENT_CONNECT_RETRIED as u16;
        /// `ZMQ_EVENT_LISTENING`: the socket is bound and listens.
        const LISTENING = sys::ZMQ_EVENT_LISTENING as u16;
        /// `ZMQ_EVENT_BIND_FAILED`: binding failed.
        const BIND_FAILED = sys::ZMQ_EVENT_BIND_FAILED as u16;
        /// `ZMQ_EVENT_ACCEPTED`: a connection from a remote peer was accepted.
        const ACCEPTED = sys::ZMQ_EVENT_ACCEPTED as u16;
        /// `ZMQ_EVENT_ACCEPT_FAILED`: accepting a connection failed.
        const ACCEPT_FAILED = sys::ZMQ_EVENT_ACCEPT_FAILED as u16;
        /// `ZMQ_EVENT_CLOSED`: a connection's or listener's handle was closed.
        const CLOSED = sys::ZMQ_EVENT_CLOSED as u16;
        /// `ZMQ_EVENT_CLOSE_FAILED`: closing a handle failed.
        const CLOSE_FAILED = sys::ZMQ_EVENT_CLOSE_FAILED as u16;
        /// `ZMQ_EVENT_DISCONNECTED`: a session was broken off unexpectedly.
        const DISCONNECTED = sys::ZMQ_EVENT_DISCONNECTED as u16;
        /// `ZMQ_EVENT_MONITOR_STOPPED`: monitoring stopped; the last event.
        const MONITOR_STOPPED = sys::ZMQ_EVENT_MONITOR_STOPPED as u16;
        /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`: a ZMTP handshake failed for a reason
        /// other than the protocol or authentication.
        const HANDSHAKE_FAILED_NO_DETAIL = sys::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL as u16;
        /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`: a ZMTP handshake (security included) succeeded.
        const HANDSHAKE_SUCCEEDED = sys::ZMQ_EVENT_HANDSHAKE_SUCCEEDED as u16;
        /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`: a ZMTP handshake failed on a protocol
        /// error.
        const HANDSHAKE_FAILED_PROTOCOL = sys::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL as u16;
        /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`: the ZAP handler refused the peer.
        const HANDSHAKE_FAILED_AUTH = sys::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH as u16;
        /// `ZMQ_EVENT_ALL`: every event.
        const ALL = sys::ZMQ_EVENT_ALL as u16;
    }
}

/// Why a ZMTP handshake failed: the `ZMQ_PROTOCOL_ERROR_*` value of
/// [`MonitorEvent::HandshakeFailedProtocol`]. A value this crate does not know is
/// [`ProtocolError::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolError {
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED`: a ZMTP error without detail.
    ZmtpUnspecified,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND`: a command that does not belong here.
    ZmtpUnexpectedCommand,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE`: a CURVE nonce out of sequence.
    ZmtpInvalidSequence,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE`: the CURVE key exchange failed.
    ZmtpKeyExchange,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED`: a malformed command.
    ZmtpMalformedCommandUnspecified,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE`: a malformed MESSAGE command.
    ZmtpMalformedCommandMessage,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO`: a malformed HELLO command.
    ZmtpMalformedCommandHello,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE`: a malformed INITIATE command.
    ZmtpMalformedCommandInitiate,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR`: a malformed ERROR command.
    ZmtpMalformedCommandError,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY`: a malformed READY command.
    ZmtpMalformedCommandReady,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME`: a malformed WELCOME command.
    ZmtpMalformedCommandWelcome,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA`: invalid metadata in a command.
    ZmtpInvalidMetadata,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC`: a CURVE box that does not open (wrong keys).
    ZmtpCryptographic,
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH`: the peers use different security
    /// mechanisms (NULL against CURVE, say).
    ZmtpMechanismMismatch,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED`: a ZAP error without detail.
    ZapUnspecified,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY`: the ZAP handler's reply is malformed.
    ZapMalformedReply,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID`: the ZAP reply answers another request.
    ZapBadRequestId,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION`: the ZAP reply has the wrong version.
    ZapBadVersion,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE`: the ZAP reply's status code is not 200,
    /// 300, 400 or 500.
    ZapInvalidStatusCode,
    /// `ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA`: the ZAP reply's metadata is invalid.
    ZapInvalidMetadata,
    /// `ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED`: a WebSocket transport error.
    WsUnspecified,
    /// A value libzmq 4.3.5 does not define.
    Unknown(u32),
}

macro_rules! protocol_errors {
    ($($variant:ident = $constant:ident,)*) => {
        impl ProtocolError {
            /// The error for a `ZMQ_PROTOCOL_ERROR_*` value; [`ProtocolError::Unknown`] for
            /// any other.
            pub fn from_raw(raw: u32) -> ProtocolError {
                $(if raw == sys::$constant as u32 {
                    return ProtocolError::$variant;
                })*
                ProtocolError::Unknown(raw)
            }

            /// The `ZMQ_PROTOCOL_ERROR_*` value.
            pub fn as_raw(self) -> u32 {
                match self {
                    $(ProtocolError::$variant => sys::$constant as u32,)*
                    ProtocolError::Unknown(raw) => raw,
                }
            }
        }
    };
}

protocol_errors! {
    ZmtpUnspecified = ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    ZmtpUnexpectedCommand = ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ZmtpInvalidSequence = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    ZmtpKeyExchange = ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    ZmtpMalformedCommandUnspecified = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ZmtpMalformedCommandMessage = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    ZmtpMalformedCommandHello = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    ZmtpMalformedCommandInitiate = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    ZmtpMalformedCommandError = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    ZmtpMalformedCommandReady = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
    ZmtpMalformedCommandWelcome = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
    ZmtpInvalidMetadata = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    ZmtpCryptographic = ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    ZmtpMechanismMismatch = ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ZapUnspecified = ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
    ZapMalformedReply = ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
    ZapBadRequestId = ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
    ZapBadVersion = ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION,
    ZapInvalidStatusCode = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    ZapInvalidMetadata = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA,
    WsUnspecified = ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED,
}

/// One event of a monitored socket, parsed from libzmq's two monitor frames.
///
/// `endpoint` is the endpoint the event is about (`tcp://127.0.0.1:5555`), as libzmq
/// reports it (bytes that are not UTF-8 are replaced). An event this crate does not know is
/// [`MonitorEvent::Unknown`], never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorEvent {
    /// `ZMQ_EVENT_CONNECTED`: connected to a peer.
    Connected {
        /// The connection's handle.
        fd: MonitorFd,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_CONNECT_DELAYED`: a connect is pending.
    ConnectDelayed {
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_CONNECT_RETRIED`: libzmq will try to connect again after `interval`.
    ConnectRetried {
        /// The reconnect interval.
        interval: Duration,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_LISTENING`: bound and listening.
    Listening {
        /// The listener's handle.
        fd: MonitorFd,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_BIND_FAILED`: binding failed.
    BindFailed {
        /// Why.
        error: Error,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_ACCEPTED`: accepted a connection.
    Accepted {
        /// The connection's handle.
        fd: MonitorFd,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_ACCEPT_FAILED`: accepting a connection failed.
    AcceptFailed {
        /// Why.
        error: Error,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_CLOSED`: a connection or listener was closed.
    Closed {
        /// The handle that was closed.
        fd: MonitorFd,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_CLOSE_FAILED`: closing failed.
    CloseFailed {
        /// Why.
        error: Error,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_DISCONNECTED`: a session was broken off.
    Disconnected {
        /// The connection's handle.
        fd: MonitorFd,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_MONITOR_STOPPED`: monitoring stopped; no event follows.
    MonitorStopped,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`: a handshake failed.
    HandshakeFailedNoDetail {
        /// Why.
        error: Error,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`: a handshake succeeded.
    HandshakeSucceeded {
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`: a handshake failed on a protocol error.
    HandshakeFailedProtocol {
        /// The protocol error.
        error: ProtocolError,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`: the ZAP handler refused the peer.
    HandshakeFailedAuth {
        /// The ZAP status code (`400`, `500`, ...).
        status: u32,
        /// The endpoint.
        endpoint: String,
    },
    /// `ZMQ_EVENT_PIPES_STATS` (DRAFT, version 2 monitors only): the messages queued on one
    /// connection, in answer to [`Socket::request_pipes_stats`].
    #[cfg(zmq_draft)]
    PipesStats {
        /// Messages queued to send to the peer (the egress queue).
        outbound: u64,
        /// Messages received from the peer and not yet read (the ingress queue).
        inbound: u64,
        /// The endpoint.
        endpoint: String,
    },
    /// An event this crate does not know, as libzmq sent it.
    Unknown {
        /// The event number (16 bits in version 1 events, 64 in version 2).
        event: u64,
        /// The event's (first) value (32 bits in version 1 events, 64 in version 2).
        value: u64,
        /// The endpoint.
        endpoint: String,
    },
}

impl MonitorEvent {
    /// Parses the two frames of a version 1 monitor event: 6 bytes of event number (16 bits)
    /// and value (32 bits) in native byte order, then the endpoint.
    ///
    /// Frames of another count or size are an error ([`Error::Other`] with `EPROTO`), never a
    /// panic; an unknown event number is [`MonitorEvent::Unknown`].
    ///
    /// ```
    /// let mut head = 1u16.to_ne_bytes().to_vec(); // ZMQ_EVENT_CONNECTED
    /// head.extend_from_slice(&7u32.to_ne_bytes());
    /// let event = zmq::MonitorEvent::parse(&[&head[..], b"tcp://127.0.0.1:5555"])?;
    /// assert_eq!(
    ///     event,
    ///     zmq::MonitorEvent::Connected { fd: 7, endpoint: "tcp://127.0.0.1:5555".into() }
    /// );
    /// assert!(zmq::MonitorEvent::parse(&[&head[..1]]).is_err());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn parse<F: AsRef<[u8]>>(frames: &[F]) -> Result<MonitorEvent> {
        let [head, endpoint] = frames else {
            return Err(malformed());
        };
        let head: &[u8; 6] = head.as_ref().try_into().map_err(|_| malformed())?;
        let event = u16::from_ne_bytes([head[0], head[1]]);
        let value = u32::from_ne_bytes([head[2], head[3], head[4], head[5]]);
        MonitorEvent::from_parts(event.into(), &[value.into()], text(endpoint))
    }

    /// The event for an event number and its values; `Err` when an event that has values
    /// comes without them.
    fn from_parts(event: u64, values: &[u64], endpoint: String) -> Result<MonitorEvent> {
        #[cfg(zmq_draft)]
        if event == sys::ZMQ_EVENT_PIPES_STATS as u64 {
            let [outbound, inbound, ..] = *values else {
                return Err(malformed());
            };
            return Ok(MonitorEvent::PipesStats {
                outbound,
                inbound,
                endpoint,
            });
        }
        let Some(&value) = values.first() else {
            return Err(malformed());
        };
        let Ok(known) = u16::try_from(event) else {
            return Ok(MonitorEvent::Unknown {
                event,
                value,
                endpoint,
            });
        };
        // The value is an fd (bit for bit; version 2 widens it with its sign), an errno, a
        // millisecond count or a status code.
        let fd = value as i64 as MonitorFd;
        let error = Error::from_errno(value as i32);
        let code = u32::try_from(value).unwrap_or(u32::MAX);
        Ok(match MonitorEvents::from_bits_retain(known) {
            MonitorEvents::CONNECTED => MonitorEvent::Connected { fd, endpoint },
            MonitorEvents::CONNECT_DELAYED => MonitorEvent::ConnectDelayed { endpoint },
            MonitorEvents::CONNECT_RETRIED => MonitorEvent::ConnectRetried {
                interval: Duration::from_millis(value),
                endpoint,
            },
            MonitorEvents::LISTENING => MonitorEvent::Listening { fd, endpoint },
            MonitorEvents::BIND_FAILED => MonitorEvent::BindFailed { error, endpoint },
            MonitorEvents::ACCEPTED => MonitorEvent::Accepted { fd, endpoint },
            MonitorEvents::ACCEPT_FAILED => MonitorEvent::AcceptFailed { error, endpoint },
            MonitorEvents::CLOSED => MonitorEvent::Closed { fd, endpoint },
            MonitorEvents::CLOSE_FAILED => MonitorEvent::CloseFailed { error, endpoint },
            MonitorEvents::DISCONNECTED => MonitorEvent::Disconnected { fd, endpoint },
            MonitorEvents::MONITOR_STOPPED => MonitorEvent::MonitorStopped,
            MonitorEvents::HANDSHAKE_FAILED_NO_DETAIL => {
                MonitorEvent::HandshakeFailedNoDetail { error, endpoint }
            }
            MonitorEvents::HANDSHAKE_SUCCEEDED => MonitorEvent::HandshakeSucceeded { endpoint },
            MonitorEvents::HANDSHAKE_FAILED_PROTOCOL => MonitorEvent::HandshakeFailedProtocol {
                error: ProtocolError::from_raw(code),
                endpoint,
            },
            MonitorEvents::HANDSHAKE_FAILED_AUTH => MonitorEvent::HandshakeFailedAuth {
                status: code,
                endpoint,
            },
            _ => MonitorEvent::Unknown {
                event,
                value,
                endpoint,
            },
        })
    }

    /// The endpoint the event is about; `None` for [`MonitorEvent::MonitorStopped`].
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            MonitorEvent::MonitorStopped => None,
            MonitorEvent::Connected { endpoint, .. }
            | MonitorEvent::ConnectDelayed { endpoint }
            | MonitorEvent::ConnectRetried { endpoint, .. }
            | MonitorEvent::Listening { endpoint, .. }
            | MonitorEvent::BindFailed { endpoint, .. }
            | MonitorEvent::Accepted { endpoint, .. }
            | MonitorEvent::AcceptFailed { endpoint, .. }
            | MonitorEvent::Closed { endpoint, .. }
            | MonitorEvent::CloseFailed { endpoint, .. }
            | MonitorEvent::Disconnected { endpoint, .. }
            | MonitorEvent::HandshakeFailedNoDetail { endpoint, .. }
            | MonitorEvent::HandshakeSucceeded { endpoint }
            | MonitorEvent::HandshakeFailedProtocol { endpoint, .. }
            | MonitorEvent::HandshakeFailedAuth { endpoint, .. }
            | MonitorEvent::Unknown { endpoint, .. } => Some(endpoint),
            #[cfg(zmq_draft)]
            MonitorEvent::PipesStats { endpoint, .. } => Some(endpoint),
        }
    }
}

/// A malformed monitor event: `EPROTO`.
fn malformed() -> Error {
    Error::Other(libc::EPROTO)
}

/// A frame as text; bytes that are not UTF-8 are replaced.
fn text(frame: impl AsRef<[u8]>) -> String {
    String::from_utf8_lossy(frame.as_ref()).into_owned()
}

/// A version 2 monitor event (DRAFT): the event with all its values, and both ends of the
/// connection it is about.
///
/// Made by monitors from [`Socket::monitor_v2`]. The `endpoint` inside [`event`](Self::event)
/// is the remote endpoint, or the local one for events that have no remote end (a listener
/// bound, say); [`local_endpoint`](Self::local_endpoint) and
/// [`remote_endpoint`](Self::remote_endpoint) are both as libzmq reported them (either may be
/// empty).
#[cfg(zmq_draft)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MonitorEventV2 {
    /// The event and its values.
    pub event: MonitorEvent,
    /// This socket's end of the connection, or the endpoint it is bound to.
    pub local_endpoint: String,
    /// The peer's end of the connection (empty for events about a listener).
    pub remote_endpoint: String,
}

#[cfg(zmq_draft)]
impl MonitorEventV2 {
    /// Parses the frames of a version 2 monitor event: the event number (64 bits), the
    /// number of values (64 bits), that many values (64 bits each), then the local and the
    /// remote endpoint; all integers in native byte order.
    ///
    /// Frames that do not have this shape are an error ([`Error::Other`] with `EPROTO`),
    /// never a panic; an unknown event number is [`MonitorEvent::Unknown`].
    ///
    /// ```
    /// let number = |n: u64| n.to_ne_bytes().to_vec();
    /// let frames = [
    ///     number(zmq::sys::ZMQ_EVENT_PIPES_STATS as u64),
    ///     number(2),
    ///     number(5),
    ///     number(0),
    ///     b"tcp://127.0.0.1:5555".to_vec(),
    ///     b"tcp://127.0.0.1:40000".to_vec(),
    /// ];
    /// let event = zmq::MonitorEventV2::parse(&frames)?;
    /// assert_eq!(event.local_endpoint, "tcp://127.0.0.1:5555");
    /// assert!(matches!(
    ///     event.event,
    ///     zmq::MonitorEvent::PipesStats { outbound: 5, inbound: 0, .. }
    /// ));
    /// assert!(zmq::MonitorEventV2::parse(&frames[..5]).is_err());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn parse<F: AsRef<[u8]>>(frames: &[F]) -> Result<MonitorEventV2> {
        let number = |frame: &F| -> Result<u64> {
            let bytes: [u8; 8] = frame.as_ref().try_into().map_err(|_| malformed())?;
            Ok(u64::from_ne_bytes(bytes))
        };
        let [event, count, rest @ ..] = frames else {
            return Err(malformed());
        };
        let [values @ .., local, remote] = rest else {
            return Err(malformed());
        };
        if usize::try_from(number(count)?).ok() != Some(values.len()) {
            return Err(malformed());
        }
        let values = values.iter().map(number).collect::<Result<Vec<u64>>>()?;
        let (local_endpoint, remote_endpoint) = (text(local), text(remote));
        let endpoint = if remote_endpoint.is_empty() {
            local_endpoint.clone()
        } else {
            remote_endpoint.clone()
        };
        Ok(MonitorEventV2 {
            event: MonitorEvent::from_parts(number(event)?, &values, endpoint)?,
            local_endpoint,
            remote_endpoint,
        })
    }
}

mod private {
    pub trait Sealed {}
}

/// The events a monitor yields: [`MonitorEvent`] (version 1, [`Socket::monitor`]) or, with
/// the DRAFT API, `MonitorEventV2` (from `Socket::monitor_v2`). Sealed.
pub trait MonitorFormat: private::Sealed + Sized {
    /// Parses one event's frames.
    #[doc(hidden)]
    fn from_frames(frames: &Multipart) -> Result<Self>;
    /// Whether this is `MONITOR_STOPPED`, the last event.
    #[doc(hidden)]
    fn is_monitor_stopped(&self) -> bool;
}

impl private::Sealed for MonitorEvent {}
impl MonitorFormat for MonitorEvent {
    fn from_frames(frames: &Multipart) -> Result<Self> {
        MonitorEvent::parse(frames.as_slice())
    }
    fn is_monitor_stopped(&self) -> bool {
        *self == MonitorEvent::MonitorStopped
    }
}

#[cfg(zmq_draft)]
impl private::Sealed for MonitorEventV2 {}
#[cfg(zmq_draft)]
impl MonitorFormat for MonitorEventV2 {
    fn from_frames(frames: &Multipart) -> Result<Self> {
        MonitorEventV2::parse(frames.as_slice())
    }
    fn is_monitor_stopped(&self) -> bool {
        self.event == MonitorEvent::MonitorStopped
    }
}

/// Reads the events of a monitored socket: the PAIR socket libzmq sends them to. It owns no
/// reference to the monitored socket, so it is `Send` and may be read on any thread.
///
/// Made by [`Monitor::detach`]. Monitoring then stops when the monitored socket is closed
/// (libzmq sends [`MonitorEvent::MonitorStopped`] then), when its context is shut down, or
/// when a new monitor is started on the same socket.
///
/// ```
/// let ctx = zmq::Context::new()?;
/// let server = ctx.socket(zmq::SocketType::Rep)?;
/// let reader = server.monitor(zmq::MonitorEvents::ALL)?.detach();
/// let events = std::thread::spawn(move || reader.iter(None).collect::<Vec<_>>());
/// server.bind("tcp://127.0.0.1:*")?;
/// drop(server); // libzmq sends MONITOR_STOPPED, which ends the iterator
/// let events = events.join().unwrap();
/// assert!(matches!(events[0], Ok(zmq::MonitorEvent::Listening { .. })));
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct MonitorReader<E: MonitorFormat = MonitorEvent> {
    pair: Socket,
    stopped: std::cell::Cell<bool>,
    // Only the type of the events; `fn() -> E` keeps the reader `Send` whatever `E` is.
    format: PhantomData<fn() -> E>,
}

impl<E: MonitorFormat> fmt::Debug for MonitorReader<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MonitorReader")
            .field("pair", &self.pair)
            .field("stopped", &self.stopped.get())
            .finish()
    }
}

impl<E: MonitorFormat> MonitorReader<E> {
    /// Waits for the next event, at most `timeout` (`None`: for ever); `Ok(None)` when the
    /// timeout runs out.
    ///
    /// Once [`MonitorEvent::MonitorStopped`] has been returned, no event can follow and every
    /// later call returns `Ok(None)` at once, whatever the timeout. A context shut down is
    /// [`Error::ContextTerminated`].
    pub fn next_event(&self, timeout: Option<Duration>) -> Result<Option<E>> {
        if self.stopped.get() {
            return Ok(None);
        }
        if !self.wait(timeout)? {
            return Ok(None);
        }
        // libzmq delivers a multipart message whole: all its frames are there now.
        let frames = self.pair.recv_multipart(RecvFlags::DONTWAIT)?;
        let event = E::from_frames(&frames)?;
        if event.is_monitor_stopped() {
            self.stopped.set(true);
        }
        Ok(Some(event))
    }

    /// The next event if one is already there, without waiting.
    pub fn try_event(&self) -> Result<Option<E>> {
        self.next_event(Some(Duration::ZERO))
    }

    /// An iterator over the events, each waited for at most `timeout` (`None`: for ever).
    ///
    /// It ends at [`MonitorEvent::MonitorStopped`] (which it does not yield), when a wait
    /// times out, or after yielding an error.
    pub fn iter(&self, timeout: Option<Duration>) -> Events<'_, E> {
        Events {
            reader: self,
            timeout,
            done: false,
        }
    }

    /// Whether the reader has seen [`MonitorEvent::MonitorStopped`].
    pub fn is_stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Waits until an event can be received: `Ok(false)` on timeout.
    fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        let timeout: c_long = match timeout {
            None => -1,
            Some(d) => c_long::try_from(d.as_nanos().div_ceil(1_000_000))
                .unwrap_or(c_long::MAX)
                .min(c_long::from(i32::MAX)),
        };
        let mut item = sys::zmq_pollitem_t {
            socket: self.pair.as_ptr(),
            fd: 0,
            events: sys::ZMQ_POLLIN as c_short,
            revents: 0,
        };
        // SAFETY: one poll item for a live socket, which outlives the call.
        let ready = check(unsafe { sys::zmq_poll(&mut item, 1, timeout) })?;
        Ok(ready > 0)
    }

    /// Drains events until MONITOR_STOPPED or `deadline`: `true` when it arrived.
    fn drain(&self, deadline: Instant) -> bool {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_event(Some(left)) {
                Ok(Some(event)) if event.is_monitor_stopped() => return true,
                // A malformed event: skip it.
                Ok(Some(_)) | Err(Error::Other(libc::EPROTO)) => {}
                Err(Error::Interrupted) if !left.is_zero() => {}
                // Timed out, context terminated, or any other failure: stop waiting.
                Ok(None) | Err(_) => return false,
            }
        }
    }
}

/// An iterator over a monitor's events; see [`MonitorReader::iter`] and [`Monitor::iter`].
#[derive(Debug)]
pub struct Events<'r, E: MonitorFormat = MonitorEvent> {
    reader: &'r MonitorReader<E>,
    timeout: Option<Duration>,
    done: bool,
}

impl<E: MonitorFormat> Iterator for Events<'_, E> {
    type Item = Result<E>;

    fn next(&mut self) -> Option<Result<E>> {
        if self.done {
            return None;
        }
        match self.reader.next_event(self.timeout) {
            Ok(None) => {
                self.done = true;
                None
            }
            Ok(Some(event)) if event.is_monitor_stopped() => {
                self.done = true;
                None
            }
            Ok(Some(event)) => Some(Ok(event)),
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

/// Monitors a socket: made by [`Socket::monitor`], it borrows the socket and reads its events.
///
/// Dropping it, or [`Monitor::stop`], stops monitoring (`zmq_socket_monitor(socket, NULL,
/// 0)`) and waits briefly (a second at most) for libzmq's [`MonitorEvent::MonitorStopped`],
/// so that it never hangs, even after the context was shut down.
///
/// The monitor borrows the socket, which is not `Sync`, so it stays on the socket's thread.
/// To read events on another thread, [`Monitor::detach`] it into a [`MonitorReader`], which is
/// `Send`; monitoring then stops when the socket closes.
///
/// ```
/// use std::time::Duration;
/// use zmq::{MonitorEvent, MonitorEvents, SocketType};
///
/// let ctx = zmq::Context::new()?;
/// let server = ctx.socket(SocketType::Rep)?;
/// let monitor = server.monitor(MonitorEvents::ALL)?;
/// server.bind("tcp://127.0.0.1:*")?;
/// let event = monitor.next_event(Some(Duration::from_secs(5)))?;
/// assert!(matches!(event, Some(MonitorEvent::Listening { .. })));
/// monitor.stop()?;
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct Monitor<'a, E: MonitorFormat = MonitorEvent> {
    reader: MonitorReader<E>,
    socket: &'a Socket,
    generation: u64,
    active: bool,
}

impl<E: MonitorFormat> fmt::Debug for Monitor<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitor")
            .field("socket", &self.socket)
            .field("reader", &self.reader)
            .finish()
    }
}

impl Socket {
    /// Starts monitoring this socket for `events` (plus
    /// [`MonitorEvents::MONITOR_STOPPED`], always): `zmq_socket_monitor` on a fresh
    /// `inproc://` endpoint, with a PAIR socket of the same context connected to it.
    ///
    /// A socket has one monitor at a time: starting another stops the previous one (which
    /// then receives [`MonitorEvent::MonitorStopped`]).
    ///
    /// Events wait, without limit, until they are read or the monitor is stopped: libzmq
    /// would otherwise block the monitored socket (and its I/O thread) once a thousand or so
    /// waited unread. A monitor that is kept but not read therefore grows in memory.
    #[doc(alias = "zmq_socket_monitor")]
    pub fn monitor(&self, events: MonitorEvents) -> Result<Monitor<'_>> {
        let mask = (events | MonitorEvents::MONITOR_STOPPED).bits();
        self.start_monitor(|socket, endpoint| {
            // SAFETY: a live socket and a NUL-terminated endpoint that outlives the call.
            unsafe { sys::zmq_socket_monitor(socket, endpoint, c_int::from(mask)) }
        })
    }

    /// Starts a version 2 monitor (DRAFT): like [`Socket::monitor`], but each event carries
    /// all its values and both the local and the remote endpoint ([`MonitorEventV2`]).
    ///
    /// [`MonitorEvent::PipesStats`] is always included: it comes only when asked for, with
    /// [`Socket::request_pipes_stats`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq::{MonitorEvent, MonitorEvents, SocketType};
    ///
    /// let ctx = zmq::Context::new()?;
    /// let server = ctx.socket(SocketType::Pull)?;
    /// let monitor = server.monitor_v2(MonitorEvents::ACCEPTED)?;
    /// let endpoint = server.bind_ephemeral_port("tcp://127.0.0.1")?;
    /// let client = ctx.socket(SocketType::Push)?;
    /// client.connect(&endpoint)?;
    /// let accepted = monitor.next_event(Some(Duration::from_secs(5)))?.unwrap();
    /// assert!(matches!(accepted.event, MonitorEvent::Accepted { .. }));
    /// assert_eq!(accepted.local_endpoint, endpoint);
    /// assert!(accepted.remote_endpoint.starts_with("tcp://127.0.0.1:"));
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_socket_monitor_versioned")]
    pub fn monitor_v2(&self, events: MonitorEvents) -> Result<Monitor<'_, MonitorEventV2>> {
        let mask = u64::from((events | MonitorEvents::MONITOR_STOPPED).bits())
            | sys::ZMQ_EVENT_PIPES_STATS as u64;
        self.start_monitor(|socket, endpoint| {
            // SAFETY: a live socket and a NUL-terminated endpoint that outlives the call.
            unsafe {
                sys::zmq_socket_monitor_versioned(
                    socket,
                    endpoint,
                    mask,
                    sys::ZMQ_CURRENT_EVENT_VERSION_DRAFT as c_int,
                    sys::ZMQ_PAIR as c_int,
                )
            }
        })
    }

    /// Asks libzmq for a [`MonitorEvent::PipesStats`] event per connection (DRAFT,
    /// `zmq_socket_monitor_pipes_stats`), which a [`Socket::monitor_v2`] monitor then
    /// receives. The numbers are measured asynchronously: they may be stale on arrival.
    ///
    /// Errors: [`Error::InvalidArgument`] when no version 2 monitor is running on the socket,
    /// [`Error::WouldBlock`] when the socket has no connection to report on.
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_socket_monitor_pipes_stats")]
    pub fn request_pipes_stats(&self) -> Result<()> {
        // SAFETY: a live socket.
        check(unsafe { sys::zmq_socket_monitor_pipes_stats(self.as_ptr()) }).map(drop)
    }

    /// Starts monitoring with `start(socket, endpoint)` (a libzmq call returning -1 with
    /// errno on failure) on a fresh `inproc://` endpoint and connects the reading PAIR socket
    /// to it.
    fn start_monitor<E: MonitorFormat>(
        &self,
        mut start: impl FnMut(*mut std::ffi::c_void, *const std::os::raw::c_char) -> c_int,
    ) -> Result<Monitor<'_, E>> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let endpoint = format!(
            "inproc://zmq-monitor-{}-{:p}-{n}",
            std::process::id(),
            self.as_ptr()
        );
        let c_endpoint = c_string(&endpoint)?;
        // libzmq binds the endpoint, which a signal can interrupt before anything is done.
        check(
            self.context()
                .uninterrupted(|| start(self.as_ptr(), c_endpoint.as_ptr())),
        )?;
        let generation = self
            .monitor_generation
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
        let reader = self.context().socket(SocketType::Pair).and_then(|pair| {
            pair.set_linger(Some(Duration::ZERO))?;
            // No high-water mark: libzmq's monitor sends block (the caller's bind, or the I/O
            // thread) once the pipe is full, so unread events queue up instead.
            pair.set_rcvhwm(0)?;
            pair.connect_bound(&c_endpoint)?;
            Ok(MonitorReader {
                pair,
                stopped: std::cell::Cell::new(false),
                format: PhantomData,
            })
        });
        match reader {
            Ok(reader) => Ok(Monitor {
                reader,
                socket: self,
                generation,
                active: true,
            }),
            Err(error) => {
                // SAFETY: a live socket; a null endpoint stops monitoring.
                unsafe { sys::zmq_socket_monitor(self.as_ptr(), ptr::null(), 0) };
                Err(error)
            }
        }
    }
}

impl<'a, E: MonitorFormat> Monitor<'a, E> {
    /// Waits for the next event, at most `timeout` (`None`: for ever); `Ok(None)` when the
    /// timeout runs out. See [`MonitorReader::next_event`].
    pub fn next_event(&self, timeout: Option<Duration>) -> Result<Option<E>> {
        self.reader.next_event(timeout)
    }

    /// The next event if one is already there, without waiting.
    pub fn try_event(&self) -> Result<Option<E>> {
        self.reader.try_event()
    }

    /// An iterator over the events, each waited for at most `timeout`; it ends at
    /// [`MonitorEvent::MonitorStopped`], on a timeout, or after an error. See
    /// [`MonitorReader::iter`].
    pub fn iter(&self, timeout: Option<Duration>) -> Events<'_, E> {
        self.reader.iter(timeout)
    }

    /// The socket being monitored.
    pub fn socket(&self) -> &'a Socket {
        self.socket
    }

    /// Stops monitoring and waits (a second at most) for libzmq's
    /// [`MonitorEvent::MonitorStopped`], dropping the events before it.
    ///
    /// Returns [`Error::WouldBlock`] if it did not arrive in time. After the context was shut
    /// down there is nothing to stop and it returns `Ok`.
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    /// Keeps monitoring but gives up the borrow of the socket: the returned reader is `Send`
    /// and reads the events on any thread, until the socket closes (libzmq then sends
    /// [`MonitorEvent::MonitorStopped`]), its context is shut down, or a new monitor replaces
    /// this one.
    pub fn detach(self) -> MonitorReader<E> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped (so monitoring is not stopped), and the reader is
        // moved out exactly once; the other fields are a reference and plain values, with
        // nothing to drop.
        unsafe { ptr::read(&this.reader) }
    }

    fn stop_inner(&mut self) -> Result<()> {
        if !self.active {
            return Ok(());
        }
        self.active = false;
        if self.socket.monitor_generation.load(Ordering::Relaxed) != self.generation {
            // A newer monitor replaced this one: libzmq already sent MONITOR_STOPPED here.
            self.reader.drain(Instant::now() + STOP_DEADLINE);
            return Ok(());
        }
        // SAFETY: a live socket (borrowed for 'a); a null endpoint stops monitoring and makes
        // libzmq send MONITOR_STOPPED.
        let rc = unsafe { sys::zmq_socket_monitor(self.socket.as_ptr(), ptr::null(), 0) };
        if rc == -1 {
            return match Error::last() {
                // Shut down: libzmq stopped the monitor itself.
                Error::ContextTerminated => Ok(()),
                error => Err(error),
            };
        }
        if self.reader.is_stopped()
            || self.reader.drain(Instant::now() + STOP_DEADLINE)
            || self.reader.pair.context_is_terminated()
        {
            Ok(())
        } else {
            Err(Error::WouldBlock)
        }
    }
}

impl Socket {
    /// Whether this socket's context was shut down (a non-blocking receive reports it).
    fn context_is_terminated(&self) -> bool {
        matches!(self.events(), Err(Error::ContextTerminated))
    }
}

impl<E: MonitorFormat> Drop for Monitor<'_, E> {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}
