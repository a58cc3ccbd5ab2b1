//! The readiness flags of a socket: what `ZMQ_EVENTS` reports and what polling asks for.

use std::os::raw::c_short;

use crate::sys;

bitflags::bitflags! {
    /// Readiness of a socket: whether a receive or a send would go through without blocking.
    ///
    /// [`Socket::events`](crate::Socket::events) reads it (`ZMQ_EVENTS`, which only ever
    /// reports [`POLLIN`](PollEvents::POLLIN) and [`POLLOUT`](PollEvents::POLLOUT)); polling
    /// uses the same type for what to wait for and what happened.
    ///
    /// ```
    /// let ctx = zmq::Context::new()?;
    /// let (a, b) = (ctx.socket(zmq::SocketType::Pair)?, ctx.socket(zmq::SocketType::Pair)?);
    /// a.bind("inproc://doc-events")?;
    /// b.connect("inproc://doc-events")?;
    /// assert!(!b.events()?.contains(zmq::PollEvents::POLLIN));
    /// a.send("x", zmq::SendFlags::empty())?;
    /// assert!(b.events()?.contains(zmq::PollEvents::POLLIN));
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PollEvents: c_short {
        /// `ZMQ_POLLIN`: a message can be received without blocking (for a polled file
        /// descriptor: it is readable).
        const POLLIN = sys::ZMQ_POLLIN as c_short;
        /// `ZMQ_POLLOUT`: a message can be sent without blocking (for a polled file
        /// descriptor: it is writable).
        const POLLOUT = sys::ZMQ_POLLOUT as c_short;
        /// `ZMQ_POLLERR`: an error condition on a polled file descriptor (`POLLERR`,
        /// `POLLHUP`, `POLLNVAL` of `poll(2)`). libzmq never reports it for a socket.
        const POLLERR = sys::ZMQ_POLLERR as c_short;
        /// `ZMQ_POLLPRI`: urgent data on a polled file descriptor. libzmq ignores it for
        /// sockets.
        const POLLPRI = sys::ZMQ_POLLPRI as c_short;
    }
}
