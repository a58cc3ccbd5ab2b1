//! Async sockets for the tokio runtime (feature `tokio`, Unix only).
//!
//! # How readiness works, and why no wake-up is lost
//!
//! libzmq gives every socket a signalling file descriptor (`ZMQ_FD`). It is edge-triggered and
//! says only "something changed": it becomes readable when commands reach the socket's
//! mailbox, and stays quiet once they are processed, whether by `ZMQ_EVENTS` or by a send or
//! receive. The fd is registered with tokio's reactor (through [`AsyncFd`], never closed by
//! it: it belongs to libzmq), and three rules keep every task that waits on the socket awake
//! when it should be:
//!
//! 1. Tokio's cached readiness is cleared only after a `ZMQ_EVENTS` call that started after
//!    the readiness was observed, so an unprocessed command always leaves readiness set or
//!    pending in the reactor.
//! 2. The reactor wakes one waker per registration, so the one registered is the socket's
//!    own: it wakes the task waiting to receive and the task waiting to send, whichever
//!    polled last. After clearing readiness, the task that cleared it wakes the other
//!    direction's waiter if `ZMQ_EVENTS` says that direction is ready.
//! 3. Every send or receive may change what the other direction can do without any command
//!    (a REQ socket can send once it received its reply) and may consume the fd's edge, so
//!    after each one the other direction's waiter, if any, is woken to try again.
//!
//! Waiters register under the same lock as the operations, so a change between a failed
//! attempt and the registration cannot slip through. The lock is never held across an
//! `.await`.

use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use futures_sink::Sink;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::error::{Error, Result, SendError};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::poll_events::PollEvents;
use crate::socket::{RecvFlags, SendFlags, Socket};

/// A libzmq socket driven by the tokio runtime: `async` send and receive, a
/// [`Stream`] of received messages and a [`Sink`] of messages to send.
///
/// Any of the twelve stable socket types works. Built from a configured [`Socket`]
/// ([`AsyncSocket::new`]); options can still be read and set through
/// [`AsyncSocket::with_socket`]. [`AsyncSocket::split`] gives a sending and a receiving half
/// that two tasks can use at once. `AsyncSocket`, its halves and their futures are `Send`:
/// they can move between the worker threads of a multi-thread runtime.
///
/// Errors are the blocking API's: a REQ socket sending twice gets [`Error::InvalidState`],
/// a PUB socket receiving [`Error::NotSupported`]. [`Error::WouldBlock`] never comes out
/// (the future waits instead), nor does [`Error::Interrupted`] (what does not wait is not
/// interrupted by a signal).
///
/// # Cancellation
///
/// - **Receiving** takes a whole message (every frame of a multipart) in one step, so
///   dropping a [`recv`](AsyncSocket::recv) or [`recv_multipart`](AsyncSocket::recv_multipart)
///   future (in `tokio::select!` or `tokio::time::timeout`) loses nothing: the next receive
///   gets the message, whole.
/// - **Sending** is never partial: libzmq queues a multipart message whole or not at all.
///   A message handed to [`send`](AsyncSocket::send) or
///   [`send_multipart`](AsyncSocket::send_multipart) goes into the socket's one-message
///   outbox before the first attempt. If the future is dropped before it completes, the
///   message stays there: the next send, [`flush`](AsyncSocket::flush) or `Sink` call sends
///   it first, and [`take_unsent`](AsyncSocket::take_unsent) hands it back instead. The one
///   exception: while the outbox still holds such an earlier message, a new send waits for
///   that one first, and if it is dropped during that wait, its own message (not yet
///   accepted) is dropped unsent.
/// - A send that fails for another reason than "would block" returns the message in the
///   [`SendError`] and empties the outbox, so nothing is lost silently.
/// - Dropping the socket (both halves) drops a message still in the outbox, unsent: flush
///   before, or take it back with [`take_unsent`](AsyncSocket::take_unsent).
///
/// Why a multipart send cannot be partial: libzmq queues a message only once its last frame
/// is in, and once the first frame of a message is accepted the others are too (the
/// high-water mark counts whole messages). The one exception is a peer that goes away
/// half-way through a message: libzmq then drops what it had of the message and reports
/// would-block; the socket finishes that message (libzmq drops the rest) and sends the whole
/// message again, from copies that share the frames' data.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let ctx = zmq::Context::new()?;
/// let server = ctx.socket(zmq::SocketType::Rep)?;
/// server.bind("tcp://127.0.0.1:*")?;
/// let endpoint = server.last_endpoint()?;
/// let mut server = zmq::AsyncSocket::new(server)?;
/// tokio::spawn(async move {
///     while let Ok(request) = server.recv().await {
///         assert_eq!(&request[..], b"Hello");
///         if server.send("world").await.is_err() {
///             break;
///         }
///     }
/// });
///
/// let client = ctx.socket(zmq::SocketType::Req)?;
/// client.connect(&endpoint)?;
/// let mut client = zmq::AsyncSocket::new(client)?;
/// client.send("Hello").await?;
/// assert_eq!(&client.recv().await?[..], b"world");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncSocket {
    sender: AsyncSender,
    receiver: AsyncReceiver,
}

/// The sending half of an [`AsyncSocket`], from [`AsyncSocket::split`]: `async` sends and a
/// [`Sink`] of [`Multipart`] messages. Cancellation works as for [`AsyncSocket`].
#[derive(Debug)]
pub struct AsyncSender {
    shared: Arc<Shared>,
    outbox: Outbox,
}

/// The receiving half of an [`AsyncSocket`], from [`AsyncSocket::split`]: `async` receives
/// and a [`Stream`] of [`Multipart`] messages.
#[derive(Debug)]
pub struct AsyncReceiver {
    shared: Arc<Shared>,
    // The stream has ended: the context was terminated.
    ended: bool,
}

/// The state the halves share.
struct Shared {
    // Field order matters: the registration with the reactor goes (deregistering the fd)
    // before the socket, whose close closes the fd.
    fd: AsyncFd<SignalFd>,
    socket: Mutex<Socket>,
    waiters: Arc<Waiters>,
    // Wakes both waiters: the one waker the reactor keeps for the fd.
    fd_waker: Waker,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("fd", &self.fd.get_ref().0)
            .finish_non_exhaustive()
    }
}

/// The socket's `ZMQ_FD`, borrowed: it belongs to libzmq and is never closed here.
struct SignalFd(RawFd);

impl AsRawFd for SignalFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Which way a task waits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Recv = 0,
    Send = 1,
}

impl Direction {
    fn other(self) -> Direction {
        match self {
            Direction::Recv => Direction::Send,
            Direction::Send => Direction::Recv,
        }
    }

    fn event(self) -> PollEvents {
        match self {
            Direction::Recv => PollEvents::POLLIN,
            Direction::Send => PollEvents::POLLOUT,
        }
    }
}

/// The tasks waiting to receive and to send.
#[derive(Default)]
struct Waiters {
    slots: Mutex<[Option<Waker>; 2]>,
    // Bit `direction` is set while that slot holds a waker, so that the hot path (a send or
    // receive that went through) need not take the lock to find the other slot empty. It
    // changes only under `slots`' lock; an operation reads it under the socket's lock, which
    // a task also holds while it registers, so no registration goes unseen.
    waiting: AtomicU8,
}

impl Waiters {
    fn slots(&self) -> MutexGuard<'_, [Option<Waker>; 2]> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, direction: Direction, waker: &Waker) {
        let mut slots = self.slots();
        let slot = &mut slots[direction as usize];
        match slot {
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
        self.waiting
            .fetch_or(1 << direction as u8, Ordering::Release);
    }

    fn is_waiting(&self, direction: Direction) -> bool {
        self.waiting.load(Ordering::Acquire) & (1 << direction as u8) != 0
    }

    fn wake_one(&self, direction: Direction) {
        if !self.is_waiting(direction) {
            return;
        }
        let waker = {
            let mut slots = self.slots();
            self.waiting
                .fetch_and(!(1 << direction as u8), Ordering::Release);
            slots[direction as usize].take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Wake for Waiters {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let [recv, send] = {
            let mut slots = self.slots();
            self.waiting.store(0, Ordering::Release);
            [slots[0].take(), slots[1].take()]
        };
        recv.into_iter().chain(send).for_each(Waker::wake);
    }
}

/// An error of the reactor: its runtime has gone, or the OS refused the fd.
fn reactor_error(error: io::Error) -> Error {
    match error.raw_os_error() {
        Some(errno) => Error::from_errno(errno),
        None => Error::NoRuntime,
    }
}

impl Shared {
    fn new(socket: Socket) -> Result<Shared> {
        // Registering outside a runtime would panic inside tokio.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::NoRuntime);
        }
        let fd = SignalFd(socket.fd()?);
        // SAFETY: the fd stays open while it is registered: it is the socket's, the socket
        // is closed only after the `AsyncFd` is dropped (field order of `Shared`), and
        // nothing else closes it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
            .map_err(|e| reactor_error(e.into_parts().1))?;
        let waiters = Arc::new(Waiters::default());
        Ok(Shared {
            fd,
            socket: Mutex::new(socket),
            fd_waker: Waker::from(waiters.clone()),
            waiters,
        })
    }

    fn socket(&self) -> MutexGuard<'_, Socket> {
        // Nothing panics while holding the lock; if something did, the socket is still sound.
        self.socket.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One non-blocking send of a single frame, as [`Shared::poll_op`] makes its first
    /// attempt; a frame not sent comes back in the error.
    fn try_send_one(&self, frame: Message) -> Result<(), SendError<Message>> {
        // A send that does not wait is never interrupted by a signal (the crate retries it).
        self.socket().send(frame, SendFlags::DONTWAIT)?;
        // Rule 3, as after any send.
        self.waiters.wake_one(Direction::Recv);
        Ok(())
    }

    /// Runs `op` (a non-blocking send or receive) until it does not fail with
    /// [`Error::WouldBlock`], waiting for the socket in between.
    fn poll_op<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&Socket) -> Result<R>,
    ) -> Poll<Result<R>> {
        loop {
            {
                let socket = self.socket();
                // Sends and receives that do not wait, and reading the events, are never
                // interrupted by a signal (the crate retries them).
                match op(&socket) {
                    Err(Error::WouldBlock) => {}
                    result => {
                        // Rule 3: the other direction may be ready now, its edge consumed.
                        self.waiters.wake_one(direction.other());
                        return Poll::Ready(result);
                    }
                }
                // Under the lock: any later operation will see this waiter and wake it.
                self.waiters.register(direction, cx.waker());
                // Rule 3 for a failed attempt: it may have processed the commands the other
                // direction waits for (consuming their edge).
                let other = direction.other();
                if self.waiters.is_waiting(other) {
                    match socket.events() {
                        Ok(events) if !events.contains(other.event()) => {}
                        _ => self.waiters.wake_one(other),
                    }
                }
            }
            let mut fd_cx = Context::from_waker(&self.fd_waker);
            let mut guard = match self.fd.poll_read_ready(&mut fd_cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(guard)) => guard,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(reactor_error(error))),
            };
            // Rule 1: process the commands the edge announced, then clear readiness (which
            // keeps any edge newer than the guard).
            let events = self.socket().events();
            match events {
                Ok(events) => {
                    guard.clear_ready();
                    // Rule 2: the other waiter may have been relying on this readiness.
                    if events.contains(direction.other().event()) {
                        self.waiters.wake_one(direction.other());
                    }
                }
                Err(error) => {
                    self.waiters.wake_one(direction.other());
                    return Poll::Ready(Err(error));
                }
            }
        }
    }

    fn poll_recv_multipart(&self, cx: &mut Context<'_>) -> Poll<Result<Multipart>> {
        // libzmq delivers a multipart message whole: once the first frame is there, so are
        // the others, so this takes all or nothing.
        self.poll_op(cx, Direction::Recv, |socket| {
            socket.recv_multipart(RecvFlags::DONTWAIT)
        })
    }

    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<Message>> {
        self.poll_op(cx, Direction::Recv, |socket| {
            socket.recv_msg(RecvFlags::DONTWAIT)
        })
    }

    /// Sends the outbox's message, if any. On an error other than would-block, the message
    /// leaves the outbox inside the error.
    fn poll_send(
        &self,
        cx: &mut Context<'_>,
        outbox: &mut Outbox,
    ) -> Poll<Result<(), SendError<Multipart>>> {
        if outbox.pending.is_none() {
            return Poll::Ready(Ok(()));
        }
        match self.poll_op(cx, Direction::Send, |socket| outbox.try_send(socket)) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            Poll::Ready(Err(error)) => {
                let unsent = outbox.pending.take().unwrap_or_default();
                Poll::Ready(Err(SendError::new(error, Multipart::from(unsent))))
            }
        }
    }
}

/// The message being sent, kept until libzmq has queued it.
#[derive(Debug, Default)]
struct Outbox {
    pending: Option<Vec<Message>>,
    // The vector of the last message sent, emptied, for the next one (so that the hot path
    // does not allocate).
    spare: Vec<Message>,
    // Copies of the frames already handed to libzmq during one attempt (reused, so that the
    // hot path does not allocate).
    sent: Vec<Message>,
}

impl Outbox {
    /// Puts a message in the empty outbox; a message of no frames is refused.
    fn put(&mut self, frames: Vec<Message>) -> Result<(), SendError<Multipart>> {
        if frames.is_empty() {
            return Err(SendError::new(Error::InvalidArgument, frames.into()));
        }
        debug_assert!(self.pending.is_none());
        self.pending = Some(frames);
        Ok(())
    }

    /// One or two non-blocking attempts to send the pending message whole. On success the
    /// outbox is empty; on failure it holds the whole message again.
    fn try_send(&mut self, socket: &Socket) -> Result<()> {
        // A second attempt only after libzmq dropped a message half-way (see below), which
        // moves on to another peer.
        for _ in 0..2 {
            match self.attempt(socket) {
                Attempt::Sent => {
                    if let Some(mut frames) = self.pending.take() {
                        frames.clear();
                        self.spare = frames;
                    }
                    return Ok(());
                }
                Attempt::Failed(error) => return Err(error),
                Attempt::Dropped => {}
            }
        }
        Err(Error::WouldBlock)
    }

    fn attempt(&mut self, socket: &Socket) -> Attempt {
        let Some(frames) = self.pending.as_mut() else {
            return Attempt::Sent;
        };
        let last = frames.len() - 1;
        self.sent.clear();
        for index in 0..=last {
            let flags = if index < last {
                SendFlags::DONTWAIT | SendFlags::SNDMORE
            } else {
                SendFlags::DONTWAIT
            };
            let frame = std::mem::take(&mut frames[index]);
            // Once a frame is handed over, only a copy (which shares the data) can bring it
            // back if a later frame fails.
            let copy = (index < last).then(|| frame.clone());
            match socket.send(frame, flags) {
                Ok(()) => self.sent.extend(copy),
                Err(error) => {
                    let (error, frame) = error.into_parts();
                    frames[index] = frame;
                    if index == 0 {
                        // Nothing was handed over: the socket is as before.
                        return Attempt::Failed(error);
                    }
                    // libzmq dropped the frames already queued (the peer went away half-way
                    // through the message, which libzmq's load balancer reports as
                    // would-block); it drops the rest of this message too, so the empty
                    // frames below only end it, and the whole message is retried.
                    if error == Error::WouldBlock {
                        for rest in index + 1..=last {
                            let flags = if rest < last {
                                SendFlags::DONTWAIT | SendFlags::SNDMORE
                            } else {
                                SendFlags::DONTWAIT
                            };
                            // Dropped by libzmq whatever the result.
                            let _ = socket.send(Message::new(), flags);
                        }
                    }
                    for (slot, copy) in frames.iter_mut().zip(self.sent.drain(..)) {
                        *slot = copy;
                    }
                    return match error {
                        Error::WouldBlock => Attempt::Dropped,
                        error => Attempt::Failed(error),
                    };
                }
            }
        }
        self.sent.clear();
        Attempt::Sent
    }
}

enum Attempt {
    Sent,
    Dropped,
    Failed(Error),
}

impl AsyncSocket {
    /// Makes a socket async: registers its `ZMQ_FD` with the current tokio runtime's
    /// reactor. Configure the socket (bind, connect, options) before or through
    /// [`AsyncSocket::with_socket`].
    ///
    /// # Errors
    ///
    /// [`Error::NoRuntime`] when called outside a tokio runtime; any error reading
    /// `ZMQ_FD` or registering it.
    ///
    /// # Panics
    ///
    /// Like every tokio I/O type, when the runtime was built without I/O
    /// (`enable_io` or `enable_all` on the runtime builder; `#[tokio::main]` has it).
    pub fn new(socket: Socket) -> Result<AsyncSocket> {
        let shared = Arc::new(Shared::new(socket)?);
        Ok(AsyncSocket {
            sender: AsyncSender {
                shared: shared.clone(),
                outbox: Outbox::default(),
            },
            receiver: AsyncReceiver {
                shared,
                ended: false,
            },
        })
    }

    /// Runs `f` on the socket, to read or set options, bind or connect. `f` runs under the
    /// socket's lock: it must not block (no blocking send or receive).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), zmq::Error> {
    /// # let ctx = zmq::Context::new()?;
    /// let sub = zmq::AsyncSocket::new(ctx.socket(zmq::SocketType::Sub)?)?;
    /// sub.with_socket(|s| s.set_subscribe(b"weather"))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_socket<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        self.sender.with_socket(f)
    }

    /// Sends one frame (a message of one part). See the type's docs for cancellation.
    ///
    /// # Errors
    ///
    /// The socket's errors ([`Error::InvalidState`] for a REQ socket that must receive
    /// first, [`Error::NotSupported`] for a SUB socket, [`Error::ContextTerminated`]), with
    /// the message handed back. If an earlier, cancelled send's message was still in the
    /// outbox and fails, the error carries that one and this message waits in the outbox.
    pub async fn send<T: Into<Message>>(&mut self, frame: T) -> Result<(), SendError<Multipart>> {
        self.sender.send(frame).await
    }

    /// Sends a multipart message, whole. Errors as for [`AsyncSocket::send`]; a message of no
    /// frames is [`Error::InvalidArgument`].
    pub async fn send_multipart<I>(&mut self, frames: I) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        self.sender.send_multipart(frames).await
    }

    /// Sends the message a cancelled send left in the outbox, if any.
    pub async fn flush(&mut self) -> Result<(), SendError<Multipart>> {
        self.sender.flush().await
    }

    /// Takes back the message a cancelled send left in the outbox, if any, instead of
    /// sending it.
    pub fn take_unsent(&mut self) -> Option<Multipart> {
        self.sender.take_unsent()
    }

    /// Receives one frame. If the message has more frames ([`Message::more`]), the next
    /// receives return them.
    pub async fn recv(&mut self) -> Result<Message> {
        self.receiver.recv().await
    }

    /// Receives every frame of one message.
    pub async fn recv_multipart(&mut self) -> Result<Multipart> {
        self.receiver.recv_multipart().await
    }

    /// Polls for one whole message: the building block of the [`Stream`].
    pub fn poll_recv_multipart(&mut self, cx: &mut Context<'_>) -> Poll<Result<Multipart>> {
        self.receiver.poll_recv_multipart(cx)
    }

    /// Splits into a sending and a receiving half, for two tasks. They share the socket; an
    /// operation on one never waits for the other.
    pub fn split(self) -> (AsyncSender, AsyncReceiver) {
        (self.sender, self.receiver)
    }

    /// Joins the halves of one socket again; halves of different sockets come back as they
    /// were.
    pub fn reunite(
        sender: AsyncSender,
        receiver: AsyncReceiver,
    ) -> Result<AsyncSocket, (AsyncSender, AsyncReceiver)> {
        if Arc::ptr_eq(&sender.shared, &receiver.shared) {
            Ok(AsyncSocket { sender, receiver })
        } else {
            Err((sender, receiver))
        }
    }
}

impl AsyncSender {
    /// As [`AsyncSocket::with_socket`].
    pub fn with_socket<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        f(&self.shared.socket())
    }

    /// As [`AsyncSocket::send`].
    pub async fn send<T: Into<Message>>(&mut self, frame: T) -> Result<(), SendError<Multipart>> {
        let frame = frame.into();
        if self.outbox.pending.is_some() {
            // A message an earlier, cancelled send left behind goes first.
            return self.send_multipart([frame]).await;
        }
        // The hot path: one attempt before anything is awaited (so nothing can be
        // cancelled half-way), without the outbox's bookkeeping for multipart messages.
        let frame = match self.shared.try_send_one(frame) {
            Ok(()) => return Ok(()),
            Err(error) => match error.into_parts() {
                (Error::WouldBlock, frame) => frame,
                (error, frame) => return Err(SendError::new(error, Multipart::from(vec![frame]))),
            },
        };
        self.send_multipart([frame]).await
    }

    /// As [`AsyncSocket::send_multipart`].
    pub async fn send_multipart<I>(&mut self, frames: I) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut spare = std::mem::take(&mut self.outbox.spare);
        spare.clear();
        spare.extend(frames.into_iter().map(Into::into));
        let frames = spare;
        if frames.is_empty() {
            return Err(SendError::new(Error::InvalidArgument, frames.into()));
        }
        // A message an earlier, cancelled send left behind goes first.
        if let Err(error) = self.flush().await {
            self.outbox.pending = Some(frames);
            return Err(error);
        }
        self.outbox.put(frames)?;
        self.flush().await
    }

    /// As [`AsyncSocket::flush`].
    pub async fn flush(&mut self) -> Result<(), SendError<Multipart>> {
        poll_fn(|cx| self.shared.poll_send(cx, &mut self.outbox)).await
    }

    /// As [`AsyncSocket::take_unsent`].
    pub fn take_unsent(&mut self) -> Option<Multipart> {
        self.outbox.pending.take().map(Multipart::from)
    }
}

impl AsyncReceiver {
    /// As [`AsyncSocket::with_socket`].
    pub fn with_socket<R>(&self, f: impl FnOnce(&Socket) -> R) -> R {
        f(&self.shared.socket())
    }

    /// As [`AsyncSocket::recv`].
    pub async fn recv(&mut self) -> Result<Message> {
        poll_fn(|cx| self.shared.poll_recv(cx)).await
    }

    /// As [`AsyncSocket::recv_multipart`].
    pub async fn recv_multipart(&mut self) -> Result<Multipart> {
        poll_fn(|cx| self.shared.poll_recv_multipart(cx)).await
    }

    /// As [`AsyncSocket::poll_recv_multipart`].
    pub fn poll_recv_multipart(&mut self, cx: &mut Context<'_>) -> Poll<Result<Multipart>> {
        self.shared.poll_recv_multipart(cx)
    }
}

/// Received messages, whole. Errors are items and the stream goes on, except
/// [`Error::ContextTerminated`], after which it ends.
impl Stream for AsyncReceiver {
    type Item = Result<Multipart>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let item = std::task::ready!(this.shared.poll_recv_multipart(cx));
        if matches!(item, Err(Error::ContextTerminated)) {
            this.ended = true;
        }
        Poll::Ready(Some(item))
    }
}

/// As for [`AsyncReceiver`].
impl Stream for AsyncSocket {
    type Item = Result<Multipart>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().receiver).poll_next(cx)
    }
}

/// Messages to send, each whole. `poll_ready` waits until the message before has been queued
/// by libzmq; `start_send` keeps the message in the socket; `poll_flush` waits until libzmq
/// has queued it. If it fails (for another reason than would-block), `poll_flush` returns
/// the error and the message is dropped (the async [`AsyncSender::send`] hands it back
/// instead). A message of no frames is [`Error::InvalidArgument`], and `start_send` without a
/// ready `poll_ready` first is [`Error::InvalidState`].
impl Sink<Multipart> for AsyncSender {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.poll_flush(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Multipart) -> Result<()> {
        let this = self.get_mut();
        if this.outbox.pending.is_some() {
            return Err(Error::InvalidState);
        }
        this.outbox.put(item.into_vec()).map_err(Error::from)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        this.shared
            .poll_send(cx, &mut this.outbox)
            .map_err(Error::from)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.poll_flush(cx)
    }
}

/// As for [`AsyncSender`].
impl Sink<Multipart> for AsyncSocket {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Pin::new(&mut self.get_mut().sender).poll_ready(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Multipart) -> Result<()> {
        Pin::new(&mut self.get_mut().sender).start_send(item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Pin::new(&mut self.get_mut().sender).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Pin::new(&mut self.get_mut().sender).poll_close(cx)
    }
}
