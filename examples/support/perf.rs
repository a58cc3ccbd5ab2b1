//! What libzmq's perf tools share, for their Rust counterparts (`local_thr`, `remote_thr`,
//! `local_lat`, `remote_lat`, `inproc_thr`, `inproc_lat`): the arguments, the optional CURVE
//! keys, the clock, and the exact lines they print, so that each pairs with libzmq's C tool
//! of the same name in either direction.

use std::error::Error;
use std::time::Instant;

use super::Args;

/// The keys libzmq's perf tools use with `[curve]`, so a Rust tool pairs with a C one.
const SERVER_PUBLIC: &str = "DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH";
const SERVER_SECRET: &str = "{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8";
const CLIENT_PUBLIC: &str = "<n^oA}I:66W+*ds3tAmi1+KJzv-}k&fC2aA5Bj0K";
const CLIENT_SECRET: &str = "9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx";

/// The message size at `index`, in bytes.
pub fn size(args: &Args, index: usize) -> usize {
    args.number(index, "message size")
        .unwrap_or_else(|| args.usage_error("the message size is missing"))
}

/// The message or round-trip count at `index`: at least 1.
pub fn count(args: &Args, index: usize, what: &str) -> u64 {
    match args.number::<u64>(index, what) {
        Some(0) => args.usage_error(format!("the {what} must be at least 1")),
        Some(count) => count,
        None => args.usage_error(format!("the {what} is missing")),
    }
}

/// Whether the optional `[curve]` argument at `index` asks for CURVE: a whole number that is
/// not 0, as the C tools read it.
pub fn curve(args: &Args, index: usize) -> bool {
    args.number::<i64>(index, "curve (0 or 1)").unwrap_or(0) != 0
}

/// Makes `socket` the CURVE server of the perf tools' fixed key pair, as the C tools do: with
/// no ZAP handler libzmq admits any client key (the tools measure encryption, not
/// authentication).
pub fn curve_server(socket: &zmq::Socket) -> zmq::Result<()> {
    // The options the C tool sets, in its order.
    socket.set_curve_secretkey(&SERVER_SECRET.parse()?)?;
    socket.set_curve_server(true)
}

/// Makes `socket` a CURVE client of [`curve_server`] with the perf tools' client key pair.
pub fn curve_client(socket: &zmq::Socket) -> zmq::Result<()> {
    socket.set_curve_secretkey(&CLIENT_SECRET.parse()?)?;
    socket.set_curve_publickey(&CLIENT_PUBLIC.parse()?)?;
    socket.set_curve_serverkey(&SERVER_PUBLIC.parse()?)
}

/// libzmq's stopwatch: whole microseconds since it started.
pub struct Stopwatch(Instant);

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch(Instant::now())
    }

    /// Microseconds elapsed, as the C tools count them (whole, unsigned).
    pub fn micros(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// The first two lines of a throughput report.
pub fn print_thr_header(size: usize, count: u64) {
    println!("message size: {size} [B]");
    println!("message count: {count}");
}

/// The throughput lines, computed as `local_thr` does: messages per second from whole
/// microseconds (at least 1), then megabits per second.
pub fn print_thr_results(size: usize, count: u64, elapsed_us: u64) {
    let elapsed = elapsed_us.max(1) as f64;
    let throughput = count as f64 / elapsed * 1_000_000.0;
    let megabits = throughput * size as f64 * 8.0 / 1_000_000.0;
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

/// The latency lines: half the average round trip, in microseconds.
pub fn print_lat(size: usize, roundtrips: u64, elapsed_us: u64) {
    println!("message size: {size} [B]");
    println!("roundtrip count: {roundtrips}");
    print_lat_result(roundtrips, elapsed_us);
}

/// The last latency line alone (`inproc_lat` prints the others first).
pub fn print_lat_result(roundtrips: u64, elapsed_us: u64) {
    let latency = elapsed_us as f64 / (roundtrips as f64 * 2.0);
    println!("average latency: {latency:.3} [us]");
}

/// The environment variable that asks the throughput tools (`local_thr`, `remote_thr`,
/// `inproc_thr`) for this crate's opt-in tuning: `ZMQ_PERF_TUNED=1`. The C tools have no such
/// mode; the arguments and printed lines stay the same.
pub const TUNED_VAR: &str = "ZMQ_PERF_TUNED";

/// Whether `ZMQ_PERF_TUNED` asks for the tuned mode (`1`, `true`, `yes` or `on`).
pub fn tuned() -> bool {
    std::env::var(TUNED_VAR).is_ok_and(|v| matches!(v.as_str(), "1" | "true" | "yes" | "on"))
}

/// The tuned mode for one streaming socket, before it binds or connects: the crate's
/// [`zmq::ThroughputSetup::STREAMING`] and, once per process,
/// [`zmq::tune_malloc_for_large_messages`]. Only with a libzmq that has the DRAFT API
/// (features `vendored` and `draft`): otherwise an error that says so.
pub fn tune(socket: &zmq::Socket) -> Result<(), Box<dyn Error>> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    match zmq::tune_malloc_for_large_messages() {
        // NotSupported: the malloc in use is not glibc's (a sanitizer's, a preloaded one),
        // which the thresholds would not concern; the rest of the tuned mode still applies.
        Ok(()) | Err(zmq::Error::NotSupported) => {}
        Err(error) => return Err(error.into()),
    }
    #[cfg(zmq_draft)]
    {
        socket.apply_throughput_setup(&zmq::ThroughputSetup::STREAMING)?;
        Ok(())
    }
    #[cfg(not(zmq_draft))]
    {
        let _ = socket;
        Err(format!(
            "{TUNED_VAR}: the throughput setup needs a libzmq with the DRAFT API \
             (build with --features draft)"
        )
        .into())
    }
}

/// Sends `count` messages of `size` bytes: each copied by libzmq from one zeroed buffer
/// (`zmq_send`, which is `zmq_msg_init_size` as in the C tool, plus the copy: the one pass
/// over the bytes that safe Rust cannot skip, since it cannot send unwritten ones), or
/// in tuned mode clones of one message (sharing its bytes, no allocation per message beyond
/// libzmq's reference-counted copy), as the zmq.rs peer sends clones of one `Bytes`.
pub fn send_all(socket: &zmq::Socket, size: usize, count: u64, tuned: bool) -> zmq::Result<()> {
    if tuned {
        let payload = zmq::Message::with_size(size)?;
        for _ in 0..count {
            socket.send(payload.clone(), zmq::SendFlags::empty())?;
        }
    } else {
        let payload = vec![0u8; size];
        for _ in 0..count {
            socket.send(&payload[..], zmq::SendFlags::empty())?;
        }
    }
    Ok(())
}

/// Checks a received message's size as the C tools do.
pub fn check_size(msg: &zmq::Message, size: usize) -> Result<(), String> {
    if msg.len() == size {
        Ok(())
    } else {
        Err(format!(
            "message of incorrect size received: {} bytes, expected {size}",
            msg.len()
        ))
    }
}
