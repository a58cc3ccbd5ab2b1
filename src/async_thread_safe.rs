//! Async DRAFT thread-safe sockets for the tokio runtime (features `tokio` and `draft`, Unix
//! only): [`AsyncThreadSafeSocket`].
//!
//! # How readiness works, and why no wake-up is lost
//!
//! A thread-safe socket has no `ZMQ_FD`. What it has instead is a list of signalers: a
//! `zmq_poller` that watches the socket adds its own, whose file descriptor `zmq_poller_fd`
//! hands out. libzmq signals it each time a command (a peer's message arriving at an empty
//! pipe, room freed at the high-water mark, a new connection, termination) reaches the
//! socket's mailbox after the socket had processed every earlier one. A signal stays on the
//! descriptor until `zmq_poller_wait` consumes it (one signal per call), and that call then
//! reads `ZMQ_EVENTS`, which processes the socket's commands. So, with one private poller per
//! socket, its descriptor registered with tokio's reactor (never closed by it: it belongs to
//! libzmq):
//!
//! 1. A send or receive is tried first; only when it would block does the task register as a
//!    waiter and wait for the descriptor.
//! 2. Tokio's cached readiness is cleared only after a `zmq_poller_wait` that started after
//!    the readiness was observed, and only when the descriptor then holds no signal, so a
//!    signal never consumed always leaves readiness set or pending in the reactor.
//! 3. The reactor wakes one waker per registration: the socket's own, which wakes every
//!    waiting task. A task that consumes a signal wakes the waiters of each direction that
//!    `ZMQ_EVENTS` then reports ready, since they may have been relying on that signal.
//!
//! Failed attempts, registration and the consumption of signals happen under one lock, so a
//! change between a failed attempt and the registration cannot slip through. Successful
//! attempts take no lock of this crate (libzmq has its own), and the lock is never held
//! across an `.await`. Several tasks may send and receive on one socket at once.

use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::raw::c_void;
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use futures_sink::Sink;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::error::{check, Error, Result, SendError};
use crate::message::Message;
use crate::poll_events::PollEvents;
use crate::socket::RecvFlags;
use crate::sys;
use crate::thread_safe::{ThreadSafeSendFlags, ThreadSafeSocket};

/// A DRAFT thread-safe socket ([`ThreadSafeSocket`]: CLIENT, SERVER, RADIO, DISH, SCATTER,
/// GATHER, PEER, CHANNEL) driven by the tokio runtime: `async` send and receive of
/// single-frame messages, a [`Stream`] of received messages and a [`Sink`] of messages to
/// send. Needs the features `tokio` and `draft` (and a libzmq with the DRAFT API).
///
/// The methods take `&self`: like the socket, an `AsyncThreadSafeSocket` is `Send` and
/// `Sync`, so several tasks can send and receive on one socket at once (share it in an
/// `Arc`, or [`Clone`] the handle, which shares the socket). Addressing is in the message, as
/// on [`ThreadSafeSocket`]: routing ids on SERVER and PEER ([`Message::routing_id`],
/// [`Message::set_routing_id`]), groups on RADIO and DISH ([`Message::set_group`],
/// [`ThreadSafeSocket::join`] through [`AsyncThreadSafeSocket::socket`]).
///
/// Errors are the blocking API's: a GATHER socket sending gets [`Error::NotSupported`], a
/// SERVER sending to a routing id that is gone [`Error::HostUnreachable`].
/// [`Error::WouldBlock`] never comes out (the future waits instead), nor does
/// [`Error::Interrupted`] (what does not wait is not interrupted by a signal, or is tried
/// again).
///
/// # Cancellation
///
/// - **Receiving** takes a whole message in one step, so dropping a
///   [`recv`](AsyncThreadSafeSocket::recv) future (in `tokio::select!` or
///   `tokio::time::timeout`) loses nothing: the next receive gets the message.
/// - **Sending** with [`send`](AsyncThreadSafeSocket::send) is all or nothing: if the future
///   is dropped before it completes, the message was not sent, and it is dropped with the
///   future (as tokio's `mpsc::Sender::send`). To keep it instead, send from a slot you own
///   with [`send_from`](AsyncThreadSafeSocket::send_from), or use the [`Sink`], whose
///   one-message outbox keeps it for the next `poll_flush` or
///   [`take_unsent`](AsyncThreadSafeSocket::take_unsent).
/// - A send that fails for another reason than "would block" hands the message back in the
///   [`SendError`].
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use zmq::{AsyncThreadSafeSocket, Message, ThreadSafeType};
///
/// let ctx = zmq::Context::new()?;
/// let server = ctx.thread_safe_socket(ThreadSafeType::Server)?;
/// server.bind("tcp://127.0.0.1:*")?;
/// let endpoint = server.last_endpoint()?;
/// let server = AsyncThreadSafeSocket::new(server)?;
/// tokio::spawn(async move {
///     while let Ok(request) = server.recv().await {
///         let Some(client) = request.routing_id() else { continue };
///         let mut reply = Message::from("world");
///         if reply.set_routing_id(client).is_err() || server.send(reply).await.is_err() {
///             break;
///         }
///     }
/// });
///
/// let client = ctx.thread_safe_socket(ThreadSafeType::Client)?;
/// client.connect(&endpoint)?;
/// let client = AsyncThreadSafeSocket::new(client)?;
/// client.send("Hello").await?;
/// assert_eq!(&client.recv().await?[..], b"world");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncThreadSafeSocket {
    shared: Arc<Shared>,
    // The Sink's message, kept until libzmq has queued it. Only ever reached through
    // `&mut self` (`Mutex::get_mut`, no locking): the mutex only makes the handle `Sync`,
    // which a `Message` alone is not.
    outbox: Mutex<Option<Message>>,
    // The stream has ended: the context was terminated.
    ended: bool,
}

/// A new handle on the same socket, with its own (empty) [`Sink`] outbox and [`Stream`]
/// state.
impl Clone for AsyncThreadSafeSocket {
    fn clone(&self) -> AsyncThreadSafeSocket {
        AsyncThreadSafeSocket {
            shared: self.shared.clone(),
            outbox: Mutex::new(None),
            ended: false,
        }
    }
}

/// The state every handle on one socket shares.
struct Shared {
    // Field order matters: the registration with the reactor goes first (deregistering the
    // poller's descriptor), then the poller (which closes it and detaches from the socket),
    // then the socket.
    fd: AsyncFd<SignalFd>,
    poller: Mutex<SignalPoller>,
    waiters: Arc<Waiters>,
    // Wakes every waiter: the one waker the reactor keeps for the descriptor.
    fd_waker: Waker,
    socket: ThreadSafeSocket,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("socket", &self.socket)
            .field("fd", &self.fd.get_ref().0)
            .finish_non_exhaustive()
    }
}

/// The poller's descriptor, borrowed: it belongs to libzmq and is never closed here.
struct SignalFd(RawFd);

impl AsRawFd for SignalFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// A `zmq_poller` watching one thread-safe socket, for its signaler.
struct SignalPoller {
    raw: NonNull<c_void>,
}

// SAFETY: a zmq_poller may be used from any thread, one at a time; it is only used under
// `Shared::poller`'s lock.
unsafe impl Send for SignalPoller {}

impl SignalPoller {
    /// A poller watching `socket` for both directions, and its descriptor.
    fn new(socket: &ThreadSafeSocket) -> Result<(SignalPoller, RawFd)> {
        // SAFETY: plain FFI call; a null result is an error.
        let raw = NonNull::new(unsafe { sys::zmq_poller_new() }).ok_or_else(Error::last)?;
        let poller = SignalPoller { raw };
        let events = (PollEvents::POLLIN | PollEvents::POLLOUT).bits();
        // SAFETY: a live poller and a live socket; the poller is destroyed before the socket
        // is closed (field order of `Shared`). The null user data is never dereferenced.
        check(unsafe {
            sys::zmq_poller_add(raw.as_ptr(), socket.as_ptr(), ptr::null_mut(), events)
        })?;
        let mut fd: sys::zmq_fd_t = -1;
        // SAFETY: a live poller; libzmq writes one descriptor on success.
        check(unsafe { sys::zmq_poller_fd(raw.as_ptr(), &mut fd) })?;
        Ok((poller, fd))
    }

    /// Consumes one signal, if the descriptor holds any, and reports what the socket can do
    /// (reading `ZMQ_EVENTS`, which processes the socket's commands).
    fn consume(&mut self) -> Result<PollEvents> {
        let mut event = sys::zmq_poller_event_t {
            socket: ptr::null_mut(),
            fd: 0,
            user_data: ptr::null_mut(),
            events: 0,
        };
        // SAFETY: a live poller (used by one thread at a time) watching a live socket, and
        // room for one event; a zero timeout never blocks.
        let rc = unsafe { sys::zmq_poller_wait(self.raw.as_ptr(), &mut event, 0) };
        match check(rc) {
            Ok(_) => Ok(PollEvents::from_bits_retain(event.events)),
            Err(Error::WouldBlock) => Ok(PollEvents::empty()),
            Err(error) => Err(error),
        }
    }
}

impl Drop for SignalPoller {
    fn drop(&mut self) {
        let mut raw = self.raw.as_ptr();
        // SAFETY: the poller is live and destroyed only here; the socket it watches is still
        // open (field order of `Shared`), so detaching the signaler from it is sound.
        unsafe { sys::zmq_poller_destroy(&mut raw) };
    }
}

/// Whether the descriptor holds a signal (is readable), without consuming it. An error of
/// `poll(2)` (a signal cutting in) counts as "yes": the caller then looks again.
fn signalled(fd: RawFd) -> bool {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one pollfd, valid for the call; a zero timeout never blocks.
    let rc = unsafe { libc::poll(&mut pollfd, 1, 0) };
    rc != 0
}

/// Which way a task waits.
#[derive(Clone, Copy)]
enum Direction {
    Recv = 0,
    Send = 1,
}

/// The tasks waiting to receive and to send (several per direction).
#[derive(Default)]
struct Waiters {
    lists: Mutex<[Vec<Waker>; 2]>,
}

impl Waiters {
    fn lists(&self) -> MutexGuard<'_, [Vec<Waker>; 2]> {
        self.lists.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, direction: Direction, waker: &Waker) {
        let mut lists = self.lists();
        let list = &mut lists[direction as usize];
        if !list.iter().any(|w| w.will_wake(waker)) {
            list.push(waker.clone());
        }
    }

    /// Wakes the waiters of the directions `events` says are ready.
    fn wake_ready(&self, events: PollEvents) {
        let (recv, send) = {
            let mut lists = self.lists();
            let recv = if events.contains(PollEvents::POLLIN) {
                std::mem::take(&mut lists[Direction::Recv as usize])
            } else {
                Vec::new()
            };
            let send = if events.contains(PollEvents::POLLOUT) {
                std::mem::take(&mut lists[Direction::Send as usize])
            } else {
                Vec::new()
            };
            (recv, send)
        };
        recv.into_iter().chain(send).for_each(Waker::wake);
    }
}

impl Wake for Waiters {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_ready(PollEvents::POLLIN | PollEvents::POLLOUT);
    }
}

/// An error of the reactor: its runtime has gone, or the OS refused the descriptor.
fn reactor_error(error: io::Error) -> Error {
    match error.raw_os_error() {
        Some(errno) => Error::from_errno(errno),
        None => Error::NoRuntime,
    }
}

impl Shared {
    fn new(socket: ThreadSafeSocket) -> Result<Shared> {
        // Registering outside a runtime would panic inside tokio.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::NoRuntime);
        }
        let (poller, fd) = SignalPoller::new(&socket)?;
        // SAFETY: the descriptor stays open while it is registered: it is the poller's, the
        // poller is destroyed only after the `AsyncFd` is dropped (field order of `Shared`),
        // and nothing else closes it.
        let fd = unsafe { AsyncFd::register_with_interest(SignalFd(fd), Interest::READABLE) }
            .map_err(|e| reactor_error(e.into_parts().1))?;
        let waiters = Arc::new(Waiters::default());
        Ok(Shared {
            fd,
            poller: Mutex::new(poller),
            fd_waker: Waker::from(waiters.clone()),
            waiters,
            socket,
        })
    }

    fn poller(&self) -> MutexGuard<'_, SignalPoller> {
        // Nothing panics while holding the lock; if something did, the poller is still sound.
        self.poller.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `op` (a non-blocking send or receive) until it does not fail with
    /// [`Error::WouldBlock`], waiting for the socket in between.
    fn poll_op<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&ThreadSafeSocket) -> Result<R>,
    ) -> Poll<Result<R>> {
        // Rule 1: the fast path takes no lock. Sends and receives that do not wait are never
        // interrupted by a signal (the crate retries them).
        match op(&self.socket) {
            Err(Error::WouldBlock) => {}
            result => return Poll::Ready(result),
        }
        loop {
            {
                let _poller = self.poller();
                // Again under the lock: a signal consumed since the attempt above may have
                // been the one this task needed.
                match op(&self.socket) {
                    Err(Error::WouldBlock) => {}
                    result => return Poll::Ready(result),
                }
                // Under the lock: whoever consumes the next signal sees this waiter.
                self.waiters.register(direction, cx.waker());
            }
            let mut fd_cx = Context::from_waker(&self.fd_waker);
            let mut guard = match self.fd.poll_read_ready(&mut fd_cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(guard)) => guard,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(reactor_error(error))),
            };
            let events = {
                let mut poller = self.poller();
                let events = poller.consume();
                // Rule 2: clear only once no signal is left; a newer edge than the guard's
                // stays.
                if events.is_ok() && !signalled(self.fd.get_ref().0) {
                    guard.clear_ready();
                }
                events
            };
            match events {
                // Rule 3: the other waiters may have been relying on the consumed signal.
                Ok(events) => self.waiters.wake_ready(events),
                Err(error) => {
                    self.waiters
                        .wake_ready(PollEvents::POLLIN | PollEvents::POLLOUT);
                    if error != Error::Interrupted {
                        return Poll::Ready(Err(error));
                    }
                }
            }
        }
    }

    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<Message>> {
        self.poll_op(cx, Direction::Recv, |socket| {
            socket.recv_msg(RecvFlags::DONTWAIT)
        })
    }

    /// Sends the message in `slot`, if any; on an error other than would-block, the message
    /// leaves the slot inside the error.
    fn poll_send(
        &self,
        cx: &mut Context<'_>,
        slot: &mut Option<Message>,
    ) -> Poll<Result<(), SendError<Message>>> {
        if slot.is_none() {
            return Poll::Ready(Ok(()));
        }
        let sent = self.poll_op(cx, Direction::Send, |socket| {
            let Some(msg) = slot.take() else {
                return Ok(());
            };
            socket
                .send(msg, ThreadSafeSendFlags::DONTWAIT)
                .map_err(|error| {
                    let (error, msg) = error.into_parts();
                    *slot = Some(msg);
                    error
                })
        });
        match sent {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            Poll::Ready(Err(error)) => {
                Poll::Ready(Err(SendError::new(error, slot.take().unwrap_or_default())))
            }
        }
    }
}

impl AsyncThreadSafeSocket {
    /// Makes a thread-safe socket async: watches it with a private `zmq_poller` whose
    /// descriptor (`zmq_poller_fd`) is registered with the current tokio runtime's reactor.
    /// Configure the socket (bind, connect, join, options) before or through
    /// [`AsyncThreadSafeSocket::socket`].
    ///
    /// # Errors
    ///
    /// [`Error::NoRuntime`] when called outside a tokio runtime; any error creating the
    /// poller or registering its descriptor.
    ///
    /// # Panics
    ///
    /// Like every tokio I/O type, when the runtime was built without I/O
    /// (`enable_io` or `enable_all` on the runtime builder; `#[tokio::main]` has it).
    pub fn new(socket: ThreadSafeSocket) -> Result<AsyncThreadSafeSocket> {
        Ok(AsyncThreadSafeSocket {
            shared: Arc::new(Shared::new(socket)?),
            outbox: Mutex::new(None),
            ended: false,
        })
    }

    /// The socket, to read or set options, bind, connect, join or leave groups. Its blocking
    /// sends and receives work too (it is thread-safe), but would block the runtime's thread.
    pub fn socket(&self) -> &ThreadSafeSocket {
        &self.shared.socket
    }

    /// Sends one message. On SERVER and PEER it must carry its receiver's routing id, on
    /// RADIO its group ([`Message::set_routing_id`], [`Message::set_group`]).
    ///
    /// If the future is dropped before it completes, the message was not sent (and is
    /// dropped with it); see [`send_from`](AsyncThreadSafeSocket::send_from) to keep it.
    ///
    /// # Errors
    ///
    /// The socket's errors ([`Error::NotSupported`] on a receive-only type,
    /// [`Error::HostUnreachable`] for a routing id not connected, [`Error::ContextTerminated`]),
    /// with the message handed back.
    pub async fn send(&self, msg: impl Into<Message>) -> Result<(), SendError<Message>> {
        let mut slot = Some(msg.into());
        self.send_from(&mut slot).await
    }

    /// Sends the message in `slot`, taking it out only once libzmq has queued it: if the
    /// future is dropped first, the message is still in `slot`. An empty slot completes at
    /// once. Errors as for [`AsyncThreadSafeSocket::send`]; the message is then in the error
    /// and `slot` is empty.
    pub async fn send_from(&self, slot: &mut Option<Message>) -> Result<(), SendError<Message>> {
        poll_fn(|cx| self.shared.poll_send(cx, slot)).await
    }

    /// Polls to send the message in `slot`: the building block of
    /// [`send_from`](AsyncThreadSafeSocket::send_from), for hand-written futures.
    pub fn poll_send_from(
        &self,
        cx: &mut Context<'_>,
        slot: &mut Option<Message>,
    ) -> Poll<Result<(), SendError<Message>>> {
        self.shared.poll_send(cx, slot)
    }

    /// Receives one message. On SERVER and PEER it carries the sender's routing id, on DISH
    /// its group.
    ///
    /// # Errors
    ///
    /// The socket's errors: [`Error::NotSupported`] on a send-only type,
    /// [`Error::ContextTerminated`].
    pub async fn recv(&self) -> Result<Message> {
        poll_fn(|cx| self.shared.poll_recv(cx)).await
    }

    /// Polls for one message: the building block of [`recv`](AsyncThreadSafeSocket::recv)
    /// and of the [`Stream`].
    pub fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<Message>> {
        self.shared.poll_recv(cx)
    }

    /// Takes back the message the [`Sink`] still holds (accepted by `start_send`, not yet
    /// queued by libzmq), if any, instead of sending it.
    pub fn take_unsent(&mut self) -> Option<Message> {
        self.outbox_mut().take()
    }

    fn outbox_mut(&mut self) -> &mut Option<Message> {
        self.outbox
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Received messages. Errors are items and the stream goes on, except
/// [`Error::ContextTerminated`], after which it ends.
impl Stream for AsyncThreadSafeSocket {
    type Item = Result<Message>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let item = std::task::ready!(this.shared.poll_recv(cx));
        if matches!(item, Err(Error::ContextTerminated)) {
            this.ended = true;
        }
        Poll::Ready(Some(item))
    }
}

/// Messages to send. `poll_ready` waits until the message before has been queued by libzmq;
/// `start_send` keeps the message in this handle's outbox; `poll_flush` waits until libzmq
/// has queued it. If that fails (for another reason than would-block), `poll_flush` returns
/// the error and the message is dropped (the async [`AsyncThreadSafeSocket::send`] hands it
/// back instead). `start_send` without a ready `poll_ready` first is
/// [`Error::InvalidState`].
impl Sink<Message> for AsyncThreadSafeSocket {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.poll_flush(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Message) -> Result<()> {
        let outbox = self.get_mut().outbox_mut();
        if outbox.is_some() {
            return Err(Error::InvalidState);
        }
        *outbox = Some(item);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        let outbox = this
            .outbox
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        this.shared.poll_send(cx, outbox).map_err(Error::from)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.poll_flush(cx)
    }
}
