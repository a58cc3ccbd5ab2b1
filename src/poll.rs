//! Polling: waiting until sockets (and plain file descriptors) can be read or written.
//!
//! [`poll`] is `zmq_poll`: it takes a slice of [`PollItem`]s, each borrowing the socket it
//! watches, so no item can outlive its socket. With the DRAFT API (`cfg(zmq_draft)`),
//! [`Poller`] is `zmq_poller_*`: a set of registrations kept between waits, each with typed
//! user data.

use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_long};
#[cfg(unix)]
use std::os::unix::io::RawFd;
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::poll_events::PollEvents;
use crate::socket::Socket;
use crate::sys;

/// One entry of a [`poll`] call: a socket or a file descriptor, the events to wait for, and,
/// after the call, the events that occurred.
///
/// This is libzmq's `zmq_pollitem_t` itself (`repr(transparent)`), so a slice of items goes
/// to `zmq_poll` as it is, without copying. The lifetime ties an item to the socket it
/// borrows: the socket cannot be dropped, or moved to another thread, while the item lives.
/// Items for file descriptors ([`PollItem::from_fd`]) borrow nothing.
///
/// Build one with [`Socket::as_poll_item`] or [`PollItem::from_fd`].
#[repr(transparent)]
pub struct PollItem<'a> {
    raw: sys::zmq_pollitem_t,
    _socket: PhantomData<&'a Socket>,
}

impl Socket {
    /// An item for [`poll`] that waits for `events` on this socket (usually
    /// [`PollEvents::POLLIN`], [`PollEvents::POLLOUT`] or both).
    ///
    /// The item borrows the socket, so the socket outlives it.
    pub fn as_poll_item(&self, events: PollEvents) -> PollItem<'_> {
        PollItem {
            raw: sys::zmq_pollitem_t {
                socket: self.as_ptr(),
                fd: 0,
                events: events.bits(),
                revents: 0,
            },
            _socket: PhantomData,
        }
    }
}

impl PollItem<'static> {
    /// An item for [`poll`] that waits for `events` on a plain file descriptor (a pipe, a TCP
    /// stream, a Unix socket, ...), which libzmq hands to `poll(2)`.
    ///
    /// The descriptor is only polled, never read, written or closed, so any value is safe: one
    /// that is not open reports [`PollEvents::POLLERR`]. Keep it open while polling, or the
    /// number may by then belong to another file.
    #[cfg(unix)]
    pub fn from_fd(fd: RawFd, events: PollEvents) -> PollItem<'static> {
        PollItem {
            raw: sys::zmq_pollitem_t {
                socket: std::ptr::null_mut(),
                fd,
                events: events.bits(),
                revents: 0,
            },
            _socket: PhantomData,
        }
    }
}

impl PollItem<'_> {
    /// The events this item waits for.
    pub fn events(&self) -> PollEvents {
        PollEvents::from_bits_retain(self.raw.events)
    }

    /// Changes the events this item waits for, for the next [`poll`].
    pub fn set_events(&mut self, events: PollEvents) {
        self.raw.events = events.bits();
    }

    /// The events that occurred in the last [`poll`] (empty before the first).
    pub fn revents(&self) -> PollEvents {
        PollEvents::from_bits_retain(self.raw.revents)
    }

    /// Whether the last [`poll`] found a message to receive (or the descriptor readable).
    pub fn is_readable(&self) -> bool {
        self.revents().contains(PollEvents::POLLIN)
    }

    /// Whether the last [`poll`] found that a message can be sent (or the descriptor
    /// writable).
    pub fn is_writable(&self) -> bool {
        self.revents().contains(PollEvents::POLLOUT)
    }

    /// Whether the last [`poll`] found an error condition on the file descriptor.
    pub fn is_error(&self) -> bool {
        self.revents().contains(PollEvents::POLLERR)
    }

    /// Whether this item polls `socket`.
    pub fn has_socket(&self, socket: &Socket) -> bool {
        self.raw.socket == socket.as_ptr()
    }

    /// The file descriptor this item polls, `None` for an item that polls a socket.
    #[cfg(unix)]
    pub fn fd(&self) -> Option<RawFd> {
        self.raw.socket.is_null().then_some(self.raw.fd)
    }
}

impl fmt::Debug for PollItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("PollItem");
        if self.raw.socket.is_null() {
            s.field("fd", &self.raw.fd);
        } else {
            s.field("socket", &self.raw.socket);
        }
        s.field("events", &self.events())
            .field("revents", &self.revents())
            .finish()
    }
}

/// Converts a poll timeout into libzmq's milliseconds: `None` is -1 (for ever), a duration is
/// rounded up to whole milliseconds (so 1 µs waits 1 ms rather than not at all), and one
/// longer than a C `long` of milliseconds is refused.
pub(crate) fn timeout_to_c(timeout: Option<Duration>) -> Result<c_long> {
    match timeout {
        None => Ok(-1),
        Some(d) => {
            let millis = d.as_nanos().div_ceil(1_000_000);
            c_long::try_from(millis).map_err(|_| Error::InvalidArgument)
        }
    }
}

/// Waits until at least one item is ready, or the timeout runs out, and returns how many items
/// are ready (0 on timeout). Each item's [`PollItem::revents`] says what happened to it.
///
/// - `timeout`: `None` waits for ever; `Some(Duration::ZERO)` only checks; other durations are
///   rounded up to whole milliseconds. A duration of more than `c_long::MAX` milliseconds
///   (292 million years where `long` has 64 bits, 24.8 days where it has 32) is
///   [`Error::InvalidArgument`]: use `None` to wait for ever.
/// - A signal that interrupts the wait makes it return [`Error::Interrupted`]; call again to
///   go on waiting (libzmq does not restart it).
/// - If the context of a polled socket is shut down ([`Context::shutdown`], in any thread), the
///   call returns [`Error::ContextTerminated`].
/// - With no items, it sleeps for the timeout and returns 0; with no items and no timeout it
///   would sleep for ever, so it returns [`Error::InvalidArgument`] instead.
///
/// libzmq reports readiness of a socket as it is at the time of the call, so a message can
/// still be taken by someone else; receive with [`RecvFlags::DONTWAIT`](crate::RecvFlags) if
/// that matters.
///
/// ```
/// use std::time::Duration;
/// use zmq::{PollEvents, RecvFlags, SendFlags, SocketType};
///
/// let ctx = zmq::Context::new()?;
/// let (a, b) = (ctx.socket(SocketType::Pair)?, ctx.socket(SocketType::Pair)?);
/// a.bind("inproc://doc-poll")?;
/// b.connect("inproc://doc-poll")?;
///
/// let mut items = [b.as_poll_item(PollEvents::POLLIN)];
/// // Nothing sent yet: the poll times out.
/// assert_eq!(zmq::poll(&mut items, Some(Duration::from_millis(10)))?, 0);
///
/// a.send("hello", SendFlags::empty())?;
/// assert_eq!(zmq::poll(&mut items, None)?, 1);
/// assert!(items[0].is_readable());
/// assert_eq!(b.recv_string(RecvFlags::DONTWAIT)?, "hello");
/// # Ok::<(), zmq::Error>(())
/// ```
///
/// [`Context::shutdown`]: crate::Context::shutdown
#[doc(alias = "zmq_poll")]
pub fn poll(items: &mut [PollItem<'_>], timeout: Option<Duration>) -> Result<usize> {
    let millis = timeout_to_c(timeout)?;
    let count = c_int::try_from(items.len()).map_err(|_| Error::InvalidArgument)?;
    if count == 0 {
        // libzmq would usleep(timeout * 1000), which for -1 is a bogus, huge sleep.
        return match timeout {
            None => Err(Error::InvalidArgument),
            Some(duration) => {
                std::thread::sleep(duration);
                Ok(0)
            }
        };
    }
    // SAFETY: PollItem is a repr(transparent) zmq_pollitem_t, so the slice is an array of
    // `count` of them that libzmq may read and write (it only writes `revents`). Every socket
    // pointer comes from a live Socket that the items borrow for the whole call.
    let ready = check(unsafe {
        sys::zmq_poll(
            items.as_mut_ptr().cast::<sys::zmq_pollitem_t>(),
            count,
            millis,
        )
    })?;
    // check() returned a non-negative count.
    Ok(ready as usize)
}

#[cfg(zmq_draft)]
pub use self::draft::{Event, Poller, PollerSocket};

#[cfg(zmq_draft)]
mod draft {
    use std::cell::RefCell;
    use std::fmt;
    use std::marker::PhantomData;
    use std::os::raw::c_void;
    #[cfg(unix)]
    use std::os::unix::io::RawFd;
    use std::ptr::{self, NonNull};
    use std::time::Duration;

    use super::{timeout_to_c, PollEvents};
    use crate::error::{check, Error, Result};
    use crate::socket::Socket;
    use crate::sys;
    use crate::thread_safe::ThreadSafeSocket;

    mod sealed {
        pub trait Sealed {}
    }

    /// A socket a [`Poller`] can watch: a [`Socket`], or a [`ThreadSafeSocket`] (which only a
    /// `Poller` can watch: [`poll`](super::poll) takes plain sockets). Sealed.
    pub trait PollerSocket: sealed::Sealed {
        #[doc(hidden)]
        fn poller_socket_ptr(&self) -> *mut c_void;
    }

    impl sealed::Sealed for Socket {}
    impl PollerSocket for Socket {
        fn poller_socket_ptr(&self) -> *mut c_void {
            self.as_ptr()
        }
    }

    impl sealed::Sealed for ThreadSafeSocket {}
    impl PollerSocket for ThreadSafeSocket {
        fn poller_socket_ptr(&self) -> *mut c_void {
            self.as_ptr()
        }
    }

    /// What a registration watches.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Target {
        Socket(*mut c_void),
        Fd(sys::zmq_fd_t),
    }

    struct Entry<T> {
        target: Target,
        data: T,
    }

    /// A set of sockets and file descriptors to wait on, each registered once with the events
    /// to wait for and a piece of user data of type `T` that each [`Event`] hands back
    /// (`zmq_poller_*`, DRAFT API: only with `cfg(zmq_draft)`).
    ///
    /// Unlike [`poll`](super::poll), registrations stay between waits, and an event names its
    /// registration by its user data: an index, an enum of roles, a handler.
    ///
    /// The poller borrows every socket registered with it for `'a`, so a socket cannot be
    /// dropped (or moved to another thread) while the poller may still refer to it. The user
    /// data is kept in the poller itself (libzmq only sees its slot number) and dropped with
    /// the registration: [`Poller::remove`] hands it back, dropping the poller drops the rest.
    ///
    /// A poller is not thread-safe; it stays in the thread of the sockets it borrows.
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq::{PollEvents, Poller, SendFlags, SocketType};
    ///
    /// #[derive(Debug, PartialEq)]
    /// enum Role { Work, Control }
    ///
    /// let ctx = zmq::Context::new()?;
    /// let (work_in, work) = (ctx.socket(SocketType::Pair)?, ctx.socket(SocketType::Pair)?);
    /// work_in.bind("inproc://doc-poller-work")?;
    /// work.connect("inproc://doc-poller-work")?;
    /// let control = ctx.socket(SocketType::Pull)?;
    ///
    /// let mut poller = Poller::new()?;
    /// poller.add(&work, PollEvents::POLLIN, Role::Work)?;
    /// poller.add(&control, PollEvents::POLLIN, Role::Control)?;
    ///
    /// work_in.send("job", SendFlags::empty())?;
    /// let event = poller.wait(Some(Duration::from_secs(5)))?;
    /// assert_eq!(event.data(), &Role::Work);
    /// assert!(event.is_readable());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_poller_new")]
    pub struct Poller<'a, T> {
        raw: NonNull<c_void>,
        // Slot i holds the registration whose user data libzmq knows as the number i.
        entries: Vec<Option<Entry<T>>>,
        // Slots freed by remove, reused by the next add.
        free: Vec<usize>,
        // Scratch space for zmq_poller_wait_all, one event per registration.
        scratch: RefCell<Vec<sys::zmq_poller_event_t>>,
        _sockets: PhantomData<&'a Socket>,
    }

    impl<T> Drop for Poller<'_, T> {
        fn drop(&mut self) {
            let mut raw = self.raw.as_ptr();
            // SAFETY: the poller is live and destroyed only here; libzmq does not own the
            // user data (slot numbers), which `entries` drops after this body.
            unsafe { sys::zmq_poller_destroy(&mut raw) };
        }
    }

    impl<T> fmt::Debug for Poller<'_, T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Poller")
                .field("ptr", &self.raw)
                .field("registrations", &self.len())
                .finish()
        }
    }

    fn slot_to_user_data(slot: usize) -> *mut c_void {
        // libzmq only stores and returns the pointer, never dereferences it.
        ptr::null_mut::<c_void>().wrapping_add(slot)
    }

    fn user_data_to_slot(user_data: *mut c_void) -> usize {
        user_data as usize
    }

    impl<'a, T> Poller<'a, T> {
        /// An empty poller.
        ///
        /// Fails only when libzmq cannot allocate it ([`Error::OutOfMemory`]).
        pub fn new() -> Result<Poller<'a, T>> {
            // SAFETY: plain FFI call; a null result is an error.
            let raw = NonNull::new(unsafe { sys::zmq_poller_new() }).ok_or_else(Error::last)?;
            Ok(Poller {
                raw,
                entries: Vec::new(),
                free: Vec::new(),
                scratch: RefCell::new(Vec::new()),
                _sockets: PhantomData,
            })
        }

        /// The number of registrations.
        pub fn len(&self) -> usize {
            self.entries.len() - self.free.len()
        }

        /// Whether nothing is registered.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        fn find(&self, target: Target) -> Option<usize> {
            self.entries
                .iter()
                .position(|e| e.as_ref().is_some_and(|e| e.target == target))
        }

        /// Stores `data` in a free slot and registers it with `register(slot)`; on failure
        /// the slot is freed again and `data` dropped.
        fn insert(
            &mut self,
            target: Target,
            data: T,
            register: impl FnOnce(*mut c_void) -> std::os::raw::c_int,
        ) -> Result<()> {
            let slot = match self.free.pop() {
                Some(slot) => slot,
                None => {
                    self.entries.push(None);
                    self.entries.len() - 1
                }
            };
            if let Err(error) = check(register(slot_to_user_data(slot))) {
                self.free.push(slot);
                return Err(error);
            }
            self.entries[slot] = Some(Entry { target, data });
            Ok(())
        }

        fn take(&mut self, target: Target) -> Result<T> {
            let slot = self.find(target).ok_or(Error::InvalidArgument)?;
            let entry = self.entries[slot].take().ok_or(Error::InvalidArgument)?;
            self.free.push(slot);
            Ok(entry.data)
        }

        /// Registers `socket`, to wait for `events`, with `data` handed back by each event.
        ///
        /// A socket already registered is [`Error::InvalidArgument`] (use
        /// [`Poller::modify`]), and `data` is dropped.
        #[doc(alias = "zmq_poller_add")]
        pub fn add<S: PollerSocket + ?Sized>(
            &mut self,
            socket: &'a S,
            events: PollEvents,
            data: T,
        ) -> Result<()> {
            let raw = self.raw.as_ptr();
            let socket = socket.poller_socket_ptr();
            let target = Target::Socket(socket);
            self.insert(target, data, |user_data| {
                // SAFETY: a live poller and a live socket, which the poller borrows for 'a;
                // the user data is an opaque number that libzmq never dereferences.
                unsafe { sys::zmq_poller_add(raw, socket, user_data, events.bits()) }
            })
        }

        /// Changes the events a registered socket is waited for.
        ///
        /// A socket that is not registered is [`Error::InvalidArgument`].
        #[doc(alias = "zmq_poller_modify")]
        pub fn modify<S: PollerSocket + ?Sized>(
            &mut self,
            socket: &S,
            events: PollEvents,
        ) -> Result<()> {
            let socket = socket.poller_socket_ptr();
            // SAFETY: a live poller and socket; libzmq refuses sockets it does not hold.
            check(unsafe { sys::zmq_poller_modify(self.raw.as_ptr(), socket, events.bits()) })
                .map(drop)
        }

        /// Unregisters a socket and hands back its user data.
        ///
        /// A socket that is not registered is [`Error::InvalidArgument`].
        #[doc(alias = "zmq_poller_remove")]
        pub fn remove<S: PollerSocket + ?Sized>(&mut self, socket: &S) -> Result<T> {
            let socket = socket.poller_socket_ptr();
            let target = Target::Socket(socket);
            if self.find(target).is_none() {
                return Err(Error::InvalidArgument);
            }
            // SAFETY: a live poller and socket, registered (checked just above).
            check(unsafe { sys::zmq_poller_remove(self.raw.as_ptr(), socket) })?;
            self.take(target)
        }

        /// Registers a plain file descriptor, to wait for `events`, with `data` handed back by
        /// each event.
        ///
        /// The descriptor is only polled, never read, written or closed; keep it open while it
        /// is registered. A descriptor already registered is [`Error::InvalidArgument`].
        #[cfg(unix)]
        #[doc(alias = "zmq_poller_add_fd")]
        pub fn add_fd(&mut self, fd: RawFd, events: PollEvents, data: T) -> Result<()> {
            let raw = self.raw.as_ptr();
            self.insert(Target::Fd(fd), data, |user_data| {
                // SAFETY: a live poller; the descriptor is only handed to poll(2), and the
                // user data is an opaque number that libzmq never dereferences.
                unsafe { sys::zmq_poller_add_fd(raw, fd, user_data, events.bits()) }
            })
        }

        /// Changes the events a registered file descriptor is waited for.
        #[cfg(unix)]
        #[doc(alias = "zmq_poller_modify_fd")]
        pub fn modify_fd(&mut self, fd: RawFd, events: PollEvents) -> Result<()> {
            // SAFETY: a live poller; libzmq refuses descriptors it does not hold.
            check(unsafe { sys::zmq_poller_modify_fd(self.raw.as_ptr(), fd, events.bits()) })
                .map(drop)
        }

        /// Unregisters a file descriptor and hands back its user data.
        #[cfg(unix)]
        #[doc(alias = "zmq_poller_remove_fd")]
        pub fn remove_fd(&mut self, fd: RawFd) -> Result<T> {
            if self.find(Target::Fd(fd)).is_none() {
                return Err(Error::InvalidArgument);
            }
            // SAFETY: a live poller and a registered descriptor (checked just above).
            check(unsafe { sys::zmq_poller_remove_fd(self.raw.as_ptr(), fd) })?;
            self.take(Target::Fd(fd))
        }

        /// The user data of the registration libzmq reported, or `None` for a slot number
        /// that does not name one (which libzmq never reports).
        fn event_from_raw(&self, raw: &sys::zmq_poller_event_t) -> Option<Event<'_, T>> {
            let slot = user_data_to_slot(raw.user_data);
            let entry = self.entries.get(slot)?.as_ref()?;
            Some(Event {
                data: &entry.data,
                events: PollEvents::from_bits_retain(raw.events),
                fd: match entry.target {
                    Target::Fd(fd) => Some(fd),
                    Target::Socket(_) => None,
                },
            })
        }

        fn check_wait(&self, timeout: Option<Duration>) -> Result<std::os::raw::c_long> {
            if self.is_empty() && timeout.is_none() {
                // libzmq refuses it (EFAULT): nothing could ever end the wait.
                return Err(Error::InvalidArgument);
            }
            timeout_to_c(timeout)
        }

        /// Waits until one registration is ready and returns it.
        ///
        /// `timeout` is as for [`poll`](super::poll): `None` waits for ever (and with nothing
        /// registered is [`Error::InvalidArgument`]), durations round up to whole
        /// milliseconds. When the timeout runs out, the result is [`Error::WouldBlock`], as
        /// for a receive that times out. A signal makes it [`Error::Interrupted`], a shut down
        /// context [`Error::ContextTerminated`].
        #[doc(alias = "zmq_poller_wait")]
        pub fn wait(&self, timeout: Option<Duration>) -> Result<Event<'_, T>> {
            let timeout = self.check_wait(timeout)?;
            let mut raw = sys::zmq_poller_event_t {
                socket: ptr::null_mut(),
                fd: 0,
                user_data: ptr::null_mut(),
                events: 0,
            };
            // SAFETY: a live poller and room for one event; every registered socket is
            // borrowed by the poller, so alive.
            check(unsafe { sys::zmq_poller_wait(self.raw.as_ptr(), &mut raw, timeout) })?;
            self.event_from_raw(&raw).ok_or(Error::InvalidState)
        }

        /// Waits until at least one registration is ready, replaces the content of `events`
        /// with every ready one, and returns how many there are: 0 when the timeout runs out.
        ///
        /// `timeout` is as for [`Poller::wait`]. `events` keeps its allocation between calls.
        #[doc(alias = "zmq_poller_wait_all")]
        pub fn wait_all<'p>(
            &'p self,
            events: &mut Vec<Event<'p, T>>,
            timeout: Option<Duration>,
        ) -> Result<usize> {
            events.clear();
            let timeout = self.check_wait(timeout)?;
            let capacity = self.len().max(1);
            let mut scratch = self
                .scratch
                .try_borrow_mut()
                .map_err(|_| Error::InvalidState)?;
            scratch.clear();
            scratch.resize(
                capacity,
                sys::zmq_poller_event_t {
                    socket: ptr::null_mut(),
                    fd: 0,
                    user_data: ptr::null_mut(),
                    events: 0,
                },
            );
            let count =
                std::os::raw::c_int::try_from(capacity).map_err(|_| Error::InvalidArgument)?;
            // SAFETY: a live poller and room for `count` events; every registered socket is
            // borrowed by the poller, so alive.
            let rc = unsafe {
                sys::zmq_poller_wait_all(self.raw.as_ptr(), scratch.as_mut_ptr(), count, timeout)
            };
            let ready = match check(rc) {
                Ok(ready) => ready as usize,
                Err(Error::WouldBlock) => return Ok(0),
                Err(e) => return Err(e),
            };
            for raw in scratch.iter().take(ready) {
                events.push(self.event_from_raw(raw).ok_or(Error::InvalidState)?);
            }
            Ok(events.len())
        }

        /// The poller's own file descriptor (`zmq_poller_fd`), readable when one of its
        /// thread-safe (DRAFT) sockets is ready, for use in another event loop.
        ///
        /// Only a poller with a thread-safe socket has one; otherwise this is
        /// [`Error::InvalidArgument`].
        #[cfg(unix)]
        #[doc(alias = "zmq_poller_fd")]
        pub fn fd(&self) -> Result<RawFd> {
            let mut fd: sys::zmq_fd_t = -1;
            // SAFETY: a live poller; libzmq writes one descriptor on success.
            check(unsafe { sys::zmq_poller_fd(self.raw.as_ptr(), &mut fd) })?;
            Ok(fd)
        }
    }

    /// A ready registration of a [`Poller`]: its user data and what happened.
    #[derive(Debug)]
    pub struct Event<'p, T> {
        data: &'p T,
        events: PollEvents,
        fd: Option<sys::zmq_fd_t>,
    }

    impl<T> Clone for Event<'_, T> {
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<T> Copy for Event<'_, T> {}

    impl<'p, T> Event<'p, T> {
        /// The user data the registration was made with.
        pub fn data(&self) -> &'p T {
            self.data
        }

        /// The events that occurred.
        pub fn events(&self) -> PollEvents {
            self.events
        }

        /// Whether a message can be received (or the descriptor read) without blocking.
        pub fn is_readable(&self) -> bool {
            self.events.contains(PollEvents::POLLIN)
        }

        /// Whether a message can be sent (or the descriptor written) without blocking.
        pub fn is_writable(&self) -> bool {
            self.events.contains(PollEvents::POLLOUT)
        }

        /// The file descriptor, for a registration made with [`Poller::add_fd`].
        #[cfg(unix)]
        pub fn fd(&self) -> Option<RawFd> {
            self.fd
        }
    }
}
