//! Proxies: libzmq's built-in forwarder between a frontend and a backend socket, in this
//! thread ([`proxy`], [`proxy_steerable`]) or in a thread of its own ([`Proxy::spawn`]).
//! What differs between libzmq versions is documented on [`ProxyControl`].

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::poll::poll;
use crate::poll_events::PollEvents;
use crate::socket::{RecvFlags, SendFlags, Socket, SocketType};
use crate::sys;
use crate::Version;

/// Turns the end of a proxy into a `Result`: libzmq ends it with -1/`ETERM` when the context
/// is shut down, which for a proxy is the normal way to stop.
fn proxy_result(rc: std::os::raw::c_int) -> Result<()> {
    if rc == 0 {
        return Ok(());
    }
    match Error::last() {
        Error::ContextTerminated => Ok(()),
        error => Err(error),
    }
}

/// Runs libzmq's proxy in this thread: forwards every message from `frontend` to `backend`
/// and back, and a copy of each to `capture` (sent with `SNDMORE` between the frames of a
/// multipart message), until the context is shut down.
///
/// Shutting down the context ([`Context::shutdown`](crate::Context::shutdown), from any
/// thread) is the only way to stop it, and then it returns `Ok(())`: for a proxy that is the
/// normal end, not an error. [`proxy_steerable`] and [`Proxy::spawn`] can also be stopped on
/// command.
///
/// Errors: [`Error::Interrupted`] when a signal interrupts it (call again to go on
/// forwarding; libzmq does not retry, and a signal that lands in a send that had to block,
/// halfway through a multipart message, loses that frame), and whatever libzmq reports when
/// forwarding fails (a capture socket that cannot send, for example).
///
/// `frontend` and `backend` may be the same socket (a ROUTER that routes to its own peers,
/// say). The proxy sends the copies to `capture` with blocking sends: choose a capture socket
/// that never blocks (PUB) or whose reader keeps up, or a stalled reader stalls the proxy.
#[doc(alias = "zmq_proxy")]
pub fn proxy(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    let capture = capture.map_or(std::ptr::null_mut(), Socket::as_ptr);
    // SAFETY: live sockets (borrowed for the whole call), used by this thread only; a null
    // capture means none.
    proxy_result(unsafe { sys::zmq_proxy(frontend.as_ptr(), backend.as_ptr(), capture) })
}

/// Runs libzmq's proxy in this thread, like [`proxy`], and obeys [`ProxyCommand`]s arriving
/// on `control`.
///
/// Returns `Ok(())` when [`ProxyCommand::Terminate`] arrives or the context is shut down.
/// `control` is the proxy's end of the control channel: a PAIR socket (the portable choice)
/// or a REP socket (libzmq 4.3.5 and later), whose peer steers the proxy through a
/// [`ProxyControl`]. Errors are as for [`proxy`].
#[doc(alias = "zmq_proxy_steerable")]
pub fn proxy_steerable(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    control: &Socket,
) -> Result<()> {
    let capture = capture.map_or(std::ptr::null_mut(), Socket::as_ptr);
    // SAFETY: live sockets (borrowed for the whole call), used by this thread only; a null
    // capture means none.
    proxy_result(unsafe {
        sys::zmq_proxy_steerable(
            frontend.as_ptr(),
            backend.as_ptr(),
            capture,
            control.as_ptr(),
        )
    })
}

/// A command for a steerable proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyCommand {
    /// Stop forwarding; messages wait in the sockets' queues.
    Pause,
    /// Forward again after a pause.
    Resume,
    /// End the proxy: [`proxy_steerable`] returns `Ok(())`.
    Terminate,
    /// Ask for the counts of messages and bytes forwarded so far ([`ProxyStatistics`]).
    Statistics,
}

impl ProxyCommand {
    /// The command word libzmq documents (`PAUSE`, `RESUME`, `TERMINATE`, `STATISTICS`).
    ///
    /// This is not always what goes on the wire: see [`ProxyControl`] for libzmq 4.3.5.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            ProxyCommand::Pause => b"PAUSE",
            ProxyCommand::Resume => b"RESUME",
            ProxyCommand::Terminate => b"TERMINATE",
            ProxyCommand::Statistics => b"STATISTICS",
        }
    }
}

/// The traffic of one side of a proxy, as counted by libzmq.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProxyCounters {
    /// Messages received by this socket (frames with libzmq 4.3.5; whole multipart
    /// messages before).
    pub messages_in: u64,
    /// Bytes received by this socket.
    pub bytes_in: u64,
    /// Messages sent by this socket (counted as `messages_in`).
    pub messages_out: u64,
    /// Bytes sent by this socket.
    pub bytes_out: u64,
}

/// The answer to [`ProxyCommand::Statistics`]: what the frontend and the backend received and
/// sent since the proxy started. Captured copies are not counted.
///
/// libzmq sends it as eight frames of one native-endian `uint64_t` each: frontend messages
/// in, bytes in, messages out, bytes out, then the same for the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProxyStatistics {
    /// The frontend socket's counts.
    pub frontend: ProxyCounters,
    /// The backend socket's counts.
    pub backend: ProxyCounters,
}

impl ProxyStatistics {
    /// Parses the eight frames of a STATISTICS reply; anything else is a protocol error.
    fn from_frames(frames: &[crate::Message]) -> Result<ProxyStatistics> {
        let protocol_error = Error::Other(libc::EPROTO);
        if frames.len() != 8 {
            return Err(protocol_error);
        }
        let mut values = [0u64; 8];
        for (value, frame) in values.iter_mut().zip(frames) {
            let bytes: [u8; 8] = frame[..].try_into().map_err(|_| protocol_error.clone())?;
            *value = u64::from_ne_bytes(bytes);
        }
        let [fmi, fbi, fmo, fbo, bmi, bbi, bmo, bbo] = values;
        Ok(ProxyStatistics {
            frontend: ProxyCounters {
                messages_in: fmi,
                bytes_in: fbi,
                messages_out: fmo,
                bytes_out: fbo,
            },
            backend: ProxyCounters {
                messages_in: bmi,
                bytes_in: bbi,
                messages_out: bmo,
                bytes_out: bbo,
            },
        })
    }
}

/// How the linked libzmq's proxy speaks on its control socket (see [`ProxyControl`]).
#[derive(Debug, Clone, Copy)]
struct Dialect {
    /// libzmq 4.3.5: PAUSE and RESUME are swapped.
    swapped: bool,
    /// PAUSE, RESUME and TERMINATE are answered with one (empty) frame.
    replies: bool,
    /// STATISTICS is understood (anything not understood aborts libzmq before 4.3.5).
    statistics: bool,
}

impl Dialect {
    /// The dialect for a control channel whose steering end is of type `peer`.
    fn for_peer(peer: SocketType) -> Result<Dialect> {
        const FIXED_AFTER: Version = Version {
            major: 4,
            minor: 3,
            patch: 5,
        };
        const STATISTICS_SINCE: Version = Version {
            major: 4,
            minor: 3,
            patch: 3,
        };
        let version = crate::version();
        let replies = match peer {
            // The proxy's end is PAIR: only 4.3.5 answers.
            SocketType::Pair => version == FIXED_AFTER,
            // The proxy's end is REP: 4.3.5 and later answer; before, a REP control socket
            // cannot work at all (nothing answers, so it can never receive again).
            SocketType::Req if version >= FIXED_AFTER => true,
            SocketType::Req => return Err(Error::NotSupported),
            _ => return Err(Error::InvalidArgument),
        };
        Ok(Dialect {
            swapped: version == FIXED_AFTER,
            replies,
            statistics: version >= STATISTICS_SINCE,
        })
    }

    /// The bytes that make this libzmq do what `command` says.
    fn wire(self, command: ProxyCommand) -> &'static [u8] {
        match (command, self.swapped) {
            (ProxyCommand::Pause, true) => ProxyCommand::Resume.as_bytes(),
            (ProxyCommand::Resume, true) => ProxyCommand::Pause.as_bytes(),
            (command, _) => command.as_bytes(),
        }
    }
}

/// Sends `command` on `socket` and takes the answer, if one comes, calling `ready(events)`
/// first whenever the socket must become ready for `events`.
fn exchange(
    socket: &Socket,
    dialect: Dialect,
    command: ProxyCommand,
    flags: (SendFlags, RecvFlags),
    ready: &mut dyn FnMut(PollEvents) -> Result<()>,
) -> Result<Option<ProxyStatistics>> {
    let (send_flags, recv_flags) = flags;
    if command == ProxyCommand::Statistics && !dialect.statistics {
        return Err(Error::NotSupported);
    }
    ready(PollEvents::POLLOUT)?;
    socket.send(dialect.wire(command), send_flags)?;
    if command == ProxyCommand::Statistics {
        ready(PollEvents::POLLIN)?;
        let frames = socket.recv_multipart(recv_flags)?;
        return ProxyStatistics::from_frames(&frames).map(Some);
    }
    if dialect.replies {
        ready(PollEvents::POLLIN)?;
        // One empty frame; recv_multipart drains anything unexpected along with it.
        socket.recv_multipart(recv_flags)?;
    } else if command != ProxyCommand::Terminate && dialect.statistics {
        // No answer: a STATISTICS round trip is the barrier. The proxy handles commands in
        // order and answers STATISTICS only after the command before it took effect, so the
        // caller's next message meets a paused (or resumed) proxy.
        exchange(socket, dialect, ProxyCommand::Statistics, flags, ready)?;
    }
    Ok(None)
}

/// Steers a [`proxy_steerable`] running elsewhere, through the peer of its control socket.
///
/// The socket is a PAIR connected to the proxy's PAIR control socket (works with every
/// libzmq), or a REQ connected to its REP control socket (libzmq 4.3.5 and later;
/// [`Error::NotSupported`] before, where the proxy never answers a REP request). Any other
/// type is [`Error::InvalidArgument`].
///
/// Commands block as the socket's `SNDTIMEO` and `RCVTIMEO` allow (for ever by default).
///
/// # What differs between libzmq versions
///
/// A steerable proxy reads commands ([`ProxyCommand`]) from a control socket. libzmq's
/// handling of them changed between releases, and [`ProxyControl`] and [`ProxyHandle`] follow
/// the libzmq they run with (`zmq::version()`), so that the same program behaves the same:
///
/// - libzmq 4.3.5 swaps PAUSE and RESUME: its proxy pauses on `RESUME` and resumes on
///   `PAUSE` (fixed upstream after the release). On 4.3.5 the helpers send the other word, so
///   [`ProxyControl::pause`] pauses.
/// - libzmq 4.3.5 answers every command with an empty frame, whatever the control socket's
///   type; earlier versions never answer PAUSE, RESUME or TERMINATE, and later ones answer
///   only on a REP control socket. The helpers wait for, and consume, the answer exactly when
///   one comes, so a later STATISTICS reply is never confused with it.
/// - Without an answer, a command takes effect some time after it was sent: libzmq 4.3.4
///   still forwards most messages sent right after a PAUSE. So when no answer comes, the
///   helpers follow PAUSE and RESUME with a STATISTICS request and wait for its reply, which
///   the proxy sends only after handling the command before it: when [`ProxyControl::pause`]
///   returns, the proxy is paused. (Before 4.3.3, where STATISTICS is not used, it is not.)
/// - libzmq before 4.3.5 counts a multipart message as one message in its statistics, and
///   copies each control command to the capture socket; 4.3.5 counts frames and does not.
/// - libzmq before 4.3.5 aborts the whole process (an assertion) on a command it does not
///   know; the typed commands here are the only ones it knows.
///
/// ```
/// use std::thread;
/// use zmq::{ProxyControl, SocketType};
///
/// let ctx = zmq::Context::new()?;
/// let frontend = ctx.socket(SocketType::Pull)?;
/// frontend.bind("inproc://doc-steer-in")?;
/// let backend = ctx.socket(SocketType::Push)?;
/// backend.bind("inproc://doc-steer-out")?;
/// let control = ctx.socket(SocketType::Pair)?;
/// control.bind("inproc://doc-steer-control")?;
/// let steering = ctx.socket(SocketType::Pair)?;
/// steering.connect("inproc://doc-steer-control")?;
///
/// let proxy = thread::spawn(move || zmq::proxy_steerable(&frontend, &backend, None, &control));
/// let steer = ProxyControl::new(&steering)?;
/// steer.pause()?;
/// steer.resume()?;
/// let stats = steer.statistics()?;
/// assert_eq!(stats.frontend.messages_in, 0);
/// steer.terminate()?;
/// proxy.join().unwrap()?;
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct ProxyControl<'s> {
    socket: &'s Socket,
    dialect: Dialect,
}

impl fmt::Debug for ProxyControl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyControl")
            .field("socket", self.socket)
            .finish_non_exhaustive()
    }
}

impl<'s> ProxyControl<'s> {
    /// Steers through `socket`, the peer of the proxy's control socket.
    pub fn new(socket: &'s Socket) -> Result<ProxyControl<'s>> {
        let dialect = Dialect::for_peer(socket.socket_type()?)?;
        Ok(ProxyControl { socket, dialect })
    }

    /// Sends one command and waits for its answer if one comes: for
    /// [`ProxyCommand::Statistics`] the statistics, `None` for the others.
    ///
    /// STATISTICS on a libzmq older than 4.3.3 is [`Error::NotSupported`] and nothing is sent
    /// (older versions may abort on a command they do not know). A reply that is not eight
    /// 8-byte frames is `Error::Other(EPROTO)`.
    pub fn send(&self, command: ProxyCommand) -> Result<Option<ProxyStatistics>> {
        exchange(
            self.socket,
            self.dialect,
            command,
            (SendFlags::empty(), RecvFlags::empty()),
            &mut |_| Ok(()),
        )
    }

    /// Pauses the proxy: it stops forwarding until [`ProxyControl::resume`].
    pub fn pause(&self) -> Result<()> {
        self.send(ProxyCommand::Pause).map(drop)
    }

    /// Resumes a paused proxy.
    pub fn resume(&self) -> Result<()> {
        self.send(ProxyCommand::Resume).map(drop)
    }

    /// Ends the proxy: its [`proxy_steerable`] call returns `Ok(())`.
    pub fn terminate(&self) -> Result<()> {
        self.send(ProxyCommand::Terminate).map(drop)
    }

    /// The proxy's counts of messages and bytes forwarded so far.
    pub fn statistics(&self) -> Result<ProxyStatistics> {
        self.send(ProxyCommand::Statistics)?
            .ok_or(Error::Other(libc::EPROTO))
    }
}

/// A proxy in a thread of its own: see [`Proxy::spawn`].
///
/// This type has no values; it only names the constructor of a [`ProxyHandle`].
#[derive(Debug)]
pub enum Proxy {}

/// How often a [`ProxyHandle`] waiting for its proxy checks that the proxy thread still runs.
const LIVENESS_CHECK: Duration = Duration::from_millis(50);

impl Proxy {
    /// Starts [`proxy_steerable`] in a new thread, forwarding between `frontend` and
    /// `backend` (and copying to `capture`), and returns the handle that steers and stops it.
    ///
    /// The sockets move into the proxy thread: a socket is `Send` but not `Sync`, so it can
    /// be used by one thread only, and from now on that is the proxy's. They are closed when
    /// the proxy ends. The proxy is steered through an `inproc` PAIR socket pair created on
    /// the frontend's context (one end in the thread, the other in the handle); bind and
    /// connect the sockets before, since the proxy thread owns them afterwards.
    ///
    /// The proxy ends when the handle is stopped or dropped ([`ProxyHandle::stop`] sends
    /// TERMINATE and joins the thread) or when the frontend's or backend's context is shut
    /// down ([`Context::shutdown`](crate::Context::shutdown)); after a shutdown the handle's
    /// commands fail with [`Error::ContextTerminated`] and stopping it only joins the thread,
    /// which has already ended.
    ///
    /// With libzmq before 4.3.5, the proxy also copies every command it receives (including
    /// the STATISTICS requests that [`ProxyHandle::pause`] and [`ProxyHandle::resume`] use as
    /// a barrier there) to `capture`; see [`proxy`] about capture sockets that block.
    ///
    /// Errors: creating or binding the control sockets (a context already shut down,
    /// [`Error::ContextTerminated`]; too many sockets), or the thread not starting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq::{Proxy, RecvFlags, SendFlags, SocketType};
    ///
    /// let ctx = zmq::Context::builder().linger(Some(Duration::ZERO)).build()?;
    /// let frontend = ctx.socket(SocketType::Pull)?;
    /// frontend.bind("inproc://doc-spawn-in")?;
    /// let backend = ctx.socket(SocketType::Push)?;
    /// backend.bind("inproc://doc-spawn-out")?;
    ///
    /// let proxy = Proxy::spawn(frontend, backend, None)?;
    ///
    /// let producer = ctx.socket(SocketType::Push)?;
    /// producer.connect("inproc://doc-spawn-in")?;
    /// let consumer = ctx.socket(SocketType::Pull)?;
    /// consumer.connect("inproc://doc-spawn-out")?;
    /// producer.send("job", SendFlags::empty())?;
    /// assert_eq!(consumer.recv_string(RecvFlags::empty())?, "job");
    ///
    /// assert_eq!(proxy.statistics()?.backend.messages_out, 1);
    /// proxy.stop()?; // or drop it
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn spawn(
        frontend: Socket,
        backend: Socket,
        capture: Option<Socket>,
    ) -> Result<ProxyHandle> {
        let ctx = frontend.context().clone();
        let control = ctx.socket(SocketType::Pair)?;
        control.set_linger(Some(Duration::ZERO))?;
        let endpoint = bind_unique(&control)?;
        let proxy_end = ctx.socket(SocketType::Pair)?;
        proxy_end.set_linger(Some(Duration::ZERO))?;
        proxy_end.connect(&endpoint)?;
        let dialect = Dialect::for_peer(SocketType::Pair)?;

        let thread = thread::Builder::new()
            .name("zmq-proxy".to_owned())
            .spawn(move || {
                let result = proxy_steerable(&frontend, &backend, capture.as_ref(), &proxy_end);
                // Close the sockets here, in the thread that used them.
                drop((frontend, backend, capture, proxy_end));
                result
            })
            .map_err(|e| Error::from_errno(e.raw_os_error().unwrap_or(libc::EAGAIN)))?;

        Ok(ProxyHandle {
            control,
            thread: Some(thread),
            dialect,
        })
    }
}

/// Binds `socket` to an `inproc` endpoint that nothing else of this process uses.
fn bind_unique(socket: &Socket) -> Result<String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let endpoint = format!("inproc://zmq-rs-proxy-control-{n}");
        match socket.bind(&endpoint) {
            Ok(()) => return Ok(endpoint),
            // Someone took the name by hand: try the next.
            Err(Error::AddrInUse) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Steers and stops a proxy started by [`Proxy::spawn`]; dropping it stops the proxy.
///
/// The handle is `Send`, not `Sync` (it holds the steering end of the control channel, a
/// socket): move it to another thread if needed, but steer from one thread at a time. It
/// steers as [`ProxyControl`] does, with the same care for what differs between libzmq
/// versions: when [`ProxyHandle::pause`] returns, the proxy is paused.
///
/// Every command waits for the proxy only while its thread runs, so none can hang on a proxy
/// that has ended (it then fails with [`Error::InvalidState`], or
/// [`Error::ContextTerminated`] if the context was shut down). A proxy forwards messages in
/// bursts and handles commands between them; a send that blocks inside a burst (a peer that
/// stopped reading and a socket type that blocks at its high-water mark) delays commands and
/// stopping until the peer reads or the context is shut down.
pub struct ProxyHandle {
    control: Socket,
    thread: Option<JoinHandle<Result<()>>>,
    dialect: Dialect,
}

impl fmt::Debug for ProxyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyHandle")
            .field("running", &!self.is_finished())
            .finish_non_exhaustive()
    }
}

impl ProxyHandle {
    /// Whether the proxy thread has ended (stopped, failed, or its context shut down).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits until the control socket is ready for `events`, as long as the proxy runs.
    fn ready(&self, events: PollEvents) -> Result<()> {
        loop {
            let finished = self.is_finished();
            let mut items = [self.control.as_poll_item(events)];
            // After the thread ended, look once more without waiting: what it sent before
            // ending is already queued.
            let timeout = if finished {
                Duration::ZERO
            } else {
                LIVENESS_CHECK
            };
            match poll(&mut items, Some(timeout)) {
                Ok(0) if finished => return Err(Error::InvalidState),
                Ok(0) | Err(Error::Interrupted) => continue,
                Ok(_) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn command(&self, command: ProxyCommand) -> Result<Option<ProxyStatistics>> {
        exchange(
            &self.control,
            self.dialect,
            command,
            (SendFlags::DONTWAIT, RecvFlags::DONTWAIT),
            &mut |events| self.ready(events),
        )
    }

    /// Pauses the proxy: it stops forwarding (messages wait in the sockets' queues) until
    /// [`ProxyHandle::resume`].
    pub fn pause(&self) -> Result<()> {
        self.command(ProxyCommand::Pause).map(drop)
    }

    /// Resumes a paused proxy.
    pub fn resume(&self) -> Result<()> {
        self.command(ProxyCommand::Resume).map(drop)
    }

    /// The proxy's counts of messages and bytes forwarded so far.
    ///
    /// [`Error::NotSupported`] with a libzmq older than 4.3.3.
    pub fn statistics(&self) -> Result<ProxyStatistics> {
        self.command(ProxyCommand::Statistics)?
            .ok_or(Error::Other(libc::EPROTO))
    }

    /// Stops the proxy (TERMINATE) and waits for its thread to end, then returns how the
    /// proxy ended: `Ok(())` when stopped or when its context was shut down, the error that
    /// ended it otherwise.
    pub fn stop(mut self) -> Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        if !thread.is_finished() {
            // TERMINATE's answer, if any, is not needed: joining waits for the end.
            let dialect = Dialect {
                replies: false,
                ..self.dialect
            };
            let sent = exchange(
                &self.control,
                dialect,
                ProxyCommand::Terminate,
                (SendFlags::DONTWAIT, RecvFlags::DONTWAIT),
                &mut |events| self.ready(events),
            );
            match sent {
                // Sent, or the proxy has ended or is ending by itself: joining cannot hang.
                Ok(_) | Err(Error::InvalidState) | Err(Error::ContextTerminated) => {}
                // The proxy cannot be told to stop: leave its thread rather than hang.
                Err(e) => return Err(e),
            }
        }
        // The thread only calls libzmq and cannot panic; if it did, say the proxy failed.
        thread.join().unwrap_or(Err(Error::InvalidState))
    }
}

impl Drop for ProxyHandle {
    fn drop(&mut self) {
        // Best effort: how the proxy ended is for stop() to tell.
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;

    fn frames(values: [u64; 8]) -> Vec<Message> {
        values
            .iter()
            .map(|v| Message::from(&v.to_ne_bytes()[..]))
            .collect()
    }

    #[test]
    fn statistics_frames_map_to_the_documented_fields_in_order() {
        let stats = ProxyStatistics::from_frames(&frames([1, 2, 3, 4, 5, 6, 7, 8])).unwrap();
        assert_eq!(
            stats.frontend,
            ProxyCounters {
                messages_in: 1,
                bytes_in: 2,
                messages_out: 3,
                bytes_out: 4
            }
        );
        assert_eq!(
            stats.backend,
            ProxyCounters {
                messages_in: 5,
                bytes_in: 6,
                messages_out: 7,
                bytes_out: 8
            }
        );
    }

    #[test]
    fn malformed_statistics_are_a_protocol_error() {
        let eproto = Err(Error::Other(libc::EPROTO));
        let mut seven = frames([0; 8]);
        seven.pop();
        assert_eq!(ProxyStatistics::from_frames(&seven), eproto);
        let mut short = frames([0; 8]);
        short[3] = Message::from(&[0u8; 4][..]);
        assert_eq!(ProxyStatistics::from_frames(&short), eproto);
        assert_eq!(ProxyStatistics::from_frames(&[]), eproto);
    }

    #[test]
    fn only_libzmq_4_3_5_gets_pause_and_resume_swapped() {
        let plain = Dialect {
            swapped: false,
            replies: false,
            statistics: true,
        };
        let swapped = Dialect {
            swapped: true,
            ..plain
        };
        assert_eq!(plain.wire(ProxyCommand::Pause), b"PAUSE");
        assert_eq!(plain.wire(ProxyCommand::Resume), b"RESUME");
        assert_eq!(swapped.wire(ProxyCommand::Pause), b"RESUME");
        assert_eq!(swapped.wire(ProxyCommand::Resume), b"PAUSE");
        for dialect in [plain, swapped] {
            assert_eq!(dialect.wire(ProxyCommand::Terminate), b"TERMINATE");
            assert_eq!(dialect.wire(ProxyCommand::Statistics), b"STATISTICS");
        }
        let linked = Dialect::for_peer(SocketType::Pair).unwrap();
        let is_4_3_5 = crate::version()
            == Version {
                major: 4,
                minor: 3,
                patch: 5,
            };
        assert_eq!(linked.swapped, is_4_3_5);
        assert_eq!(linked.replies, is_4_3_5);
    }
}
