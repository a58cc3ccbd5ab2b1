//! Opt-in tuning beyond libzmq's defaults for streaming sockets: [`ThroughputSetup`] (per
//! socket, needs a libzmq with the DRAFT API) and [`tune_malloc_for_large_messages`]
//! (process-wide, glibc only). Nothing here is ever applied behind the user's back.
//!
//! What they do was measured side by side on tcp loopback (2-core machine, libzmq
//! 4.3.4/4.3.5, medians of alternating runs; `BENCHMARKS.md` and `scripts/bench` have the
//! figures and the way to rerun them).

#[cfg(zmq_draft)]
use crate::error::{Error, Result};
#[cfg(zmq_draft)]
use crate::socket::{Socket, SocketType};

/// libzmq's default for both batch sizes, in bytes.
#[cfg(zmq_draft)]
const LIBZMQ_BATCH_SIZE: i32 = 8192;

/// A named throughput setup for streaming sockets (PUSH/PULL, PUB/SUB, XPUB/XSUB), applied
/// with [`Socket::apply_throughput_setup`]: larger batches, so libzmq moves more messages per
/// system call (`ZMQ_IN_BATCH_SIZE` and `ZMQ_OUT_BATCH_SIZE`, 8 KiB by default).
///
/// Measured over tcp with 256 KiB batches on both sides ([`ThroughputSetup::STREAMING`]):
/// 2.4-2.8x the messages per second of libzmq's defaults at 1 KiB, 1.1-1.5x at 64 KiB;
/// raising one side only gives 1.04-1.36x. Small-message latency does not change, but a
/// request-reply round trip of 64 KiB took 1.25-1.6x as long (0.62-0.80x the speed), which
/// is why the setup refuses request-reply sockets and is never a default.
///
/// The batch sizes are DRAFT options of libzmq 4.3: a libzmq built without the DRAFT API
/// (Debian's and Ubuntu's `libzmq5`, for one) refuses them, so this type exists only when the
/// linked libzmq has the DRAFT API (features `vendored` and `draft`).
///
/// ```
/// # fn main() -> zmq::Result<()> {
/// let ctx = zmq::Context::new()?;
/// let push = ctx.socket(zmq::SocketType::Push)?;
/// // Before bind or connect: a connection takes the sizes when it is made.
/// push.apply_throughput_setup(&zmq::ThroughputSetup::STREAMING)?;
/// assert_eq!(push.out_batch_size()?, 256 * 1024);
/// # Ok(())
/// # }
/// ```
#[cfg(zmq_draft)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThroughputSetup {
    in_batch_size: i32,
    out_batch_size: i32,
}

#[cfg(zmq_draft)]
impl ThroughputSetup {
    /// 256 KiB batches in both directions: the sizes measured above.
    pub const STREAMING: ThroughputSetup = ThroughputSetup {
        in_batch_size: 256 * 1024,
        out_batch_size: 256 * 1024,
    };

    /// libzmq's defaults (8 KiB each way): applying it undoes a setup.
    pub const LIBZMQ_DEFAULTS: ThroughputSetup = ThroughputSetup {
        in_batch_size: LIBZMQ_BATCH_SIZE,
        out_batch_size: LIBZMQ_BATCH_SIZE,
    };

    /// Both batch sizes, in bytes: the most libzmq reads from (`in_batch_size`) or writes
    /// to (`out_batch_size`) the kernel in one system call. Each must be more than 0
    /// ([`Error::InvalidArgument`] otherwise); libzmq allocates a buffer of each size per
    /// connection.
    pub fn new(in_batch_size: i32, out_batch_size: i32) -> Result<ThroughputSetup> {
        if in_batch_size <= 0 || out_batch_size <= 0 {
            return Err(Error::InvalidArgument);
        }
        Ok(ThroughputSetup {
            in_batch_size,
            out_batch_size,
        })
    }

    /// The receive batch size, in bytes.
    pub fn in_batch_size(&self) -> i32 {
        self.in_batch_size
    }

    /// The send batch size, in bytes.
    pub fn out_batch_size(&self) -> i32 {
        self.out_batch_size
    }
}

#[cfg(zmq_draft)]
impl Default for ThroughputSetup {
    /// [`ThroughputSetup::STREAMING`].
    fn default() -> ThroughputSetup {
        ThroughputSetup::STREAMING
    }
}

#[cfg(zmq_draft)]
impl Socket {
    /// Applies a [`ThroughputSetup`] to this socket: sets `ZMQ_IN_BATCH_SIZE` and
    /// `ZMQ_OUT_BATCH_SIZE`. Call it before [`bind`](Socket::bind) and
    /// [`connect`](Socket::connect): each connection takes the sizes when it is made, so
    /// connections made before keep the old ones. Both ends gain from it; one end alone gains
    /// less (see [`ThroughputSetup`]).
    ///
    /// Only for streaming sockets: PUSH, PULL, PUB, SUB, XPUB and XSUB. Any other type is
    /// [`Error::NotSupported`] and left unchanged: large batches cost request-reply latency
    /// (REQ, REP, DEALER, ROUTER, PAIR), where the typed options
    /// ([`set_in_batch_size`](Socket::set_in_batch_size),
    /// [`set_out_batch_size`](Socket::set_out_batch_size)) remain for a deliberate choice.
    /// Errors from libzmq (a closed context, say) are returned as they come; the first option
    /// may then be set and the second not.
    pub fn apply_throughput_setup(&self, setup: &ThroughputSetup) -> Result<()> {
        match self.socket_type()? {
            SocketType::Push
            | SocketType::Pull
            | SocketType::Pub
            | SocketType::Sub
            | SocketType::XPub
            | SocketType::XSub => {}
            _ => return Err(Error::NotSupported),
        }
        self.set_in_batch_size(setup.in_batch_size)?;
        self.set_out_batch_size(setup.out_batch_size)
    }
}

/// The glibc malloc thresholds that help large messages, for the whole process:
/// `M_MMAP_THRESHOLD` 32 MiB and `M_TRIM_THRESHOLD` 128 MiB (`mallopt`).
///
/// libzmq allocates each message's bytes with `malloc`. With glibc's defaults, a block over
/// the mmap threshold (128 KiB at first, rising with the blocks freed) is mapped and unmapped
/// on every message, and freed memory above the trim threshold goes back to the kernel, to
/// be faulted in again; raising both keeps a message-sized block on the heap. Measured: 1.25-1.6x
/// the throughput at 64 KiB over tcp, no change at 1 KiB or on latency.
///
/// **Process-wide**: it changes every `malloc` in the process, including Rust's when the
/// global allocator is the system one (the default). The price is memory: up to 128 MiB of
/// freed heap may stay mapped, and blocks up to 32 MiB come from the heap. That is why it is
/// a separate call the application makes once, early, and never something this crate does
/// on its own. A custom global allocator (jemalloc, mimalloc) is not affected, while libzmq's
/// own allocations are.
///
/// Only on Linux with glibc. Returns [`Error::NotSupported`](crate::Error::NotSupported) if
/// the `malloc` in use refuses a setting (the first may then be in effect): glibc accepts
/// both values, so that means another allocator took `malloc`'s place (AddressSanitizer's, or
/// one preloaded with `LD_PRELOAD`), which these thresholds would not concern anyway.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_malloc_for_large_messages() -> crate::Result<()> {
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    const TRIM_THRESHOLD: libc::c_int = 128 << 20;
    for (param, value) in [
        (libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD),
    ] {
        // SAFETY: mallopt only records a tuning parameter under glibc's own lock; it is safe
        // to call at any time from any thread.
        if unsafe { libc::mallopt(param, value) } != 1 {
            return Err(crate::Error::NotSupported);
        }
    }
    Ok(())
}
