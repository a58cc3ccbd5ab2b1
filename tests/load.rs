//! Load tests (issue 7, "Load"): a soak of 1000 sockets, messages from 1 KiB to 256 MiB, and
//! ten million small messages in order. They take a minute or more, so this target has
//! `test = false` in Cargo.toml and runs once, by its own step in scripts/test:
//!
//! ```text
//! cargo test --workspace --no-default-features --test load -- --nocapture
//! ```
//!
//! Why a debug build of the system-libzmq configuration: that step reuses every artifact of
//! the `cargo test --workspace --no-default-features` step before it (only this file is
//! compiled; without `--workspace` the features of shared dependencies resolve differently
//! and 40 s go to rebuilding them), while a release build would compile the crate and all
//! dev-dependencies once more. The work that matters runs in libzmq, which is the optimised
//! system library; the Rust side is a thin loop. The whole step took 104 s on a busy
//! 2-core machine (soak 60 s, large messages 8 s, ten million messages 33 s at 300,000/s).
//!
//! `ZMQ_SOAK_SECS` sets the soak's duration (default 10 s; scripts/test sets 60, 600 is a
//! run by hand). `ZMQ_LOAD_SMALL_MESSAGES` lowers the ten million for a quick local run.
//! The tests take one lock, so they never run at the same time: each one measures the
//! process's memory or file descriptors.

mod common;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use common::{socket, Transport};
use zmq::{Context, Error, Message, RecvFlags, SendFlags, Socket, SocketType};

/// One test at a time: each measures the whole process.
fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn env_number(name: &str, default: u64) -> u64 {
    match env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
        Err(_) => default,
    }
}

/// Resident memory of this process in bytes, from /proc/self/statm.
fn rss_bytes() -> u64 {
    let statm = fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm's second field");
    // SAFETY: sysconf only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).expect("a positive page size")
}

/// How many file descriptors this process has open.
fn open_fds() -> usize {
    // The directory handle read_dir holds is one of the entries, in every count alike.
    fs::read_dir("/proc/self/fd")
        .expect("list /proc/self/fd")
        .count()
}

/// Raises the soft limit on open files to at least `wanted` (up to the hard limit).
fn raise_fd_limit(wanted: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct it is given.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    if limit.rlim_cur >= wanted {
        return;
    }
    assert!(
        limit.rlim_max >= wanted,
        "the soak needs {wanted} file descriptors; the hard limit is {}",
        limit.rlim_max
    );
    limit.rlim_cur = wanted;
    // SAFETY: setrlimit reads one rlimit; raising the soft limit up to the hard one is allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

/// A directory of its own for ipc socket files, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = env::temp_dir().join(format!("{name}-{}", std::process::id()));
        // A directory left by an earlier process with the same id is stale.
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the ipc directory");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Binds `socket` to a fresh endpoint on `transport` (ipc files under `ipc_dir`) and returns
/// the endpoint to connect to.
fn bind_fresh(socket: &Socket, transport: Transport, ipc_dir: &Path, name: &str) -> String {
    let endpoint = match transport {
        Transport::Inproc => format!("inproc://{name}"),
        Transport::Ipc => format!("ipc://{}/{name}", ipc_dir.display()),
        Transport::Tcp => "tcp://127.0.0.1:*".to_owned(),
    };
    socket
        .bind(&endpoint)
        .unwrap_or_else(|e| panic!("bind {endpoint}: {e}"));
    socket.last_endpoint().expect("read LAST_ENDPOINT")
}

// ---------------------------------------------------------------------------------------
// Soak
// ---------------------------------------------------------------------------------------

/// Sockets per soak thread (half bound, half connected): 2 threads x 500 = 1000 sockets.
const SOCKETS_PER_THREAD: usize = 500;
/// Messages each pair carries per round (well under the default HWM of 1000).
const BATCH: u64 = 20;

#[derive(Debug, Clone, Copy)]
enum Pattern {
    PushPull,
    DealerRouter,
    PubSub,
}

/// One connected pair and the numbers that check its traffic.
struct Pair {
    pattern: Pattern,
    transport: Transport,
    /// PULL, ROUTER or SUB: the bound side.
    server: Socket,
    /// PUSH, DEALER or PUB: the connecting side.
    client: Socket,
    /// The next number the client sends.
    sent: u64,
    /// The next number the server expects (PUSH/PULL, DEALER/ROUTER requests).
    received: u64,
    /// The next number the DEALER expects back from the ROUTER.
    echoed: u64,
    /// PUB/SUB: how many arrived; the next must be above the last.
    sub_count: u64,
    sub_last: Option<u64>,
}

fn payload(pair: usize, seq: u64) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&(pair as u64).to_le_bytes());
    bytes[8..].copy_from_slice(&seq.to_le_bytes());
    bytes
}

/// The pair id and sequence number of a soak message, checking its shape.
fn parse(msg: &[u8]) -> (usize, u64) {
    assert_eq!(msg.len(), 16, "a soak message is 16 bytes, got {msg:?}");
    let pair = u64::from_le_bytes(msg[..8].try_into().expect("8 bytes"));
    let seq = u64::from_le_bytes(msg[8..].try_into().expect("8 bytes"));
    (usize::try_from(pair).expect("a pair index"), seq)
}

impl Pair {
    fn new(ctx: &Context, id: usize, ipc_dir: &Path) -> Pair {
        let pattern = [Pattern::PushPull, Pattern::DealerRouter, Pattern::PubSub][id % 3];
        let transport = [Transport::Inproc, Transport::Ipc, Transport::Tcp][(id / 3) % 3];
        let (server_type, client_type) = match pattern {
            Pattern::PushPull => (SocketType::Pull, SocketType::Push),
            Pattern::DealerRouter => (SocketType::Router, SocketType::Dealer),
            Pattern::PubSub => (SocketType::Sub, SocketType::Pub),
        };
        let server = socket(ctx, server_type);
        let client = socket(ctx, client_type);
        if let Pattern::PubSub = pattern {
            server.set_subscribe(b"").expect("subscribe to everything");
        }
        if let Pattern::DealerRouter = pattern {
            client
                .set_routing_id(&(id as u64).to_le_bytes())
                .expect("set the dealer's routing id");
            // A reply to a peer that is gone must fail, not vanish.
            server.set_router_mandatory(true).expect("ROUTER_MANDATORY");
        }
        let endpoint = bind_fresh(&server, transport, ipc_dir, &format!("soak-{id}"));
        client
            .connect(&endpoint)
            .unwrap_or_else(|e| panic!("connect {endpoint}: {e}"));
        Pair {
            pattern,
            transport,
            server,
            client,
            sent: 0,
            received: 0,
            echoed: 0,
            sub_count: 0,
            sub_last: None,
        }
    }

    /// PUB/SUB: publishes empty messages until the subscription has reached the publisher
    /// (one arrives), so that what follows is not dropped for want of a subscriber.
    fn join_subscription(&self) {
        let deadline = Instant::now() + common::DEADLINE;
        self.server
            .set_rcvtimeo(Some(Duration::from_millis(20)))
            .expect("set RCVTIMEO");
        loop {
            self.client
                .send(&b""[..], SendFlags::empty())
                .expect("publish");
            match self.server.recv_msg(RecvFlags::empty()) {
                Ok(msg) if msg.is_empty() => break,
                Ok(msg) => panic!("expected an empty message, got {:?}", &msg[..]),
                Err(Error::WouldBlock) => {
                    assert!(Instant::now() < deadline, "the SUB never joined")
                }
                Err(e) => panic!("receive on SUB: {e}"),
            }
        }
        // The empty messages still on their way are skipped when counting.
        self.server
            .set_rcvtimeo(Some(common::TIMEOUT))
            .expect("set RCVTIMEO");
    }

    fn send_batch(&mut self, id: usize) {
        for _ in 0..BATCH {
            let bytes = payload(id, self.sent);
            self.client
                .send(&bytes[..], SendFlags::empty())
                .unwrap_or_else(|e| {
                    panic!("{:?} over {:?}: send: {e}", self.pattern, self.transport)
                });
            self.sent += 1;
        }
    }

    fn receive_batch(&mut self, id: usize, msg: &mut Message) {
        let what = format!("{:?} over {:?} (pair {id})", self.pattern, self.transport);
        let recv = |socket: &Socket, msg: &mut Message, flags| match socket.recv(msg, flags) {
            Ok(()) => true,
            Err(Error::WouldBlock) if flags == RecvFlags::DONTWAIT => false,
            Err(e) => panic!("{what}: receive: {e} (lost a message?)"),
        };
        match self.pattern {
            Pattern::PushPull => {
                for _ in 0..BATCH {
                    recv(&self.server, msg, RecvFlags::empty());
                    assert_eq!(parse(msg), (id, self.received), "{what}: wrong message");
                    self.received += 1;
                }
            }
            Pattern::DealerRouter => {
                for _ in 0..BATCH {
                    recv(&self.server, msg, RecvFlags::empty());
                    assert_eq!(&msg[..], &(id as u64).to_le_bytes(), "{what}: routing id");
                    assert!(
                        msg.more(),
                        "{what}: a ROUTER message has the routing id first"
                    );
                    let routing_id = std::mem::take(msg);
                    recv(&self.server, msg, RecvFlags::empty());
                    assert_eq!(parse(msg), (id, self.received), "{what}: wrong request");
                    self.received += 1;
                    let reply = std::mem::take(msg);
                    self.server
                        .send_multipart([routing_id, reply], SendFlags::empty())
                        .unwrap_or_else(|e| panic!("{what}: reply: {e}"));
                }
                for _ in 0..BATCH {
                    recv(&self.client, msg, RecvFlags::empty());
                    assert_eq!(parse(msg), (id, self.echoed), "{what}: wrong reply");
                    self.echoed += 1;
                }
            }
            Pattern::PubSub => {
                // Take what has arrived; the rest comes in a later round (or is dropped at
                // the HWM, which PUB/SUB may do).
                while recv(&self.server, msg, RecvFlags::DONTWAIT) {
                    if msg.is_empty() {
                        continue; // left over from join_subscription
                    }
                    let (pair, seq) = parse(msg);
                    assert_eq!(pair, id, "{what}: a message for another pair");
                    assert!(seq < self.sent, "{what}: {seq} was never sent");
                    if let Some(last) = self.sub_last {
                        assert!(
                            seq > last,
                            "{what}: {seq} after {last}: duplicated or reordered"
                        );
                    }
                    self.sub_last = Some(seq);
                    self.sub_count += 1;
                }
            }
        }
    }
}

#[derive(Debug, Default)]
struct SoakStats {
    rounds: u64,
    /// Messages checked on PUSH/PULL and DEALER/ROUTER (requests and replies).
    blocking: u64,
    published: u64,
    subscribed: u64,
}

/// One soak thread: builds its pairs, then sends a batch on every pair and receives it, round
/// after round, until `stop`; each pair's numbers are checked as they arrive.
fn soak_thread(
    ctx: Context,
    first_id: usize,
    ipc_dir: PathBuf,
    ready: mpsc::Sender<()>,
    stop: Arc<AtomicBool>,
) -> SoakStats {
    let mut pairs: Vec<Pair> = (first_id..first_id + SOCKETS_PER_THREAD / 2)
        .map(|id| Pair::new(&ctx, id, &ipc_dir))
        .collect();
    for pair in &pairs {
        if let Pattern::PubSub = pair.pattern {
            pair.join_subscription();
        }
    }
    ready.send(()).expect("the test waits for its threads");
    let mut msg = Message::new();
    let mut stats = SoakStats::default();
    while !stop.load(Ordering::Relaxed) {
        for (n, pair) in pairs.iter_mut().enumerate() {
            pair.send_batch(first_id + n);
        }
        for (n, pair) in pairs.iter_mut().enumerate() {
            pair.receive_batch(first_id + n, &mut msg);
        }
        stats.rounds += 1;
    }
    // The last publications may still be on their way: give them a moment, then count.
    thread::sleep(Duration::from_millis(200));
    for (n, pair) in pairs.iter_mut().enumerate() {
        if let Pattern::PubSub = pair.pattern {
            pair.receive_batch(first_id + n, &mut msg);
        }
    }
    for pair in &pairs {
        match pair.pattern {
            Pattern::PushPull => {
                assert_eq!(pair.received, pair.sent);
                stats.blocking += pair.received;
            }
            Pattern::DealerRouter => {
                assert_eq!((pair.received, pair.echoed), (pair.sent, pair.sent));
                stats.blocking += pair.received + pair.echoed;
            }
            Pattern::PubSub => {
                assert!(
                    pair.sub_count > 0,
                    "PUB/SUB over {:?}: nothing arrived of {}",
                    pair.transport,
                    pair.sent
                );
                stats.published += pair.sent;
                stats.subscribed += pair.sub_count;
            }
        }
    }
    stats
}

/// 2 threads x 500 sockets (PUSH/PULL, DEALER/ROUTER, PUB/SUB over inproc, ipc and tcp) for
/// `ZMQ_SOAK_SECS`: no message lost or out of order on the blocking types, resident memory
/// after the run within 5% of what it was after the warm-up, and as many file descriptors
/// open after closing everything as before.
#[test]
fn soak_two_threads_of_500_sockets() {
    let _lock = exclusive();
    let secs = env_number("ZMQ_SOAK_SECS", 10).max(2);
    let duration = Duration::from_secs(secs);
    // Warm-up: a fifth of the run (at least 3 s, in which the queues and caches fill), after
    // which memory should be flat.
    let warm_up = (duration / 5).max(Duration::from_secs(3)).min(duration);
    // Each socket has a mailbox eventfd; tcp and ipc pairs add a connection on each side and
    // a listener: about 2500 in all.
    raise_fd_limit(4096);

    let fds_before = open_fds();
    let ipc_dir = TempDir::new("zmq-soak");
    let ctx = Context::builder()
        .max_sockets(2048)
        .linger(Some(Duration::ZERO))
        .build()
        .expect("create a context");
    let stop = Arc::new(AtomicBool::new(false));
    let (ready, setup_done) = mpsc::channel();
    let setup_started = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (ctx, stop, dir) = (ctx.clone(), stop.clone(), ipc_dir.path().to_owned());
            let ready = ready.clone();
            thread::Builder::new()
                .name(format!("soak-{t}"))
                .spawn(move || soak_thread(ctx, t * SOCKETS_PER_THREAD / 2, dir, ready, stop))
                .expect("spawn a soak thread")
        })
        .collect();
    drop(ready);
    // The clock starts once both threads have their sockets connected. A thread that ends
    // before (it panicked) ends the test with its panic.
    let mut waiting = 2;
    while waiting > 0 {
        match setup_done.recv_timeout(Duration::from_millis(100)) {
            Ok(()) => waiting -= 1,
            Err(_) if threads.iter().any(|t| t.is_finished()) => {
                stop.store(true, Ordering::Relaxed);
                for thread in threads {
                    if let Err(panic) = thread.join() {
                        std::panic::resume_unwind(panic);
                    }
                }
                panic!("a soak thread ended during setup");
            }
            Err(_) => assert!(
                setup_started.elapsed() < Duration::from_secs(60),
                "the soak threads did not set up their sockets within 60 s"
            ),
        }
    }
    let setup = setup_started.elapsed();
    let started = Instant::now();

    // Sample resident memory every 250 ms; the baseline is the highest sample of the last
    // second of the warm-up, the result the highest of the last second of the run.
    let mut samples: Vec<(Duration, u64)> = Vec::new();
    while started.elapsed() < duration && !threads.iter().any(|t| t.is_finished()) {
        thread::sleep(Duration::from_millis(250));
        samples.push((started.elapsed(), rss_bytes()));
    }
    stop.store(true, Ordering::Relaxed);
    let mut stats = SoakStats::default();
    for thread in threads {
        match thread.join() {
            Ok(s) => {
                stats.rounds += s.rounds;
                stats.blocking += s.blocking;
                stats.published += s.published;
                stats.subscribed += s.subscribed;
            }
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    let elapsed = started.elapsed();
    drop(ctx);
    drop(ipc_dir);
    let fds_after = open_fds();

    let highest_in = |from: Duration, to: Duration| {
        samples
            .iter()
            .filter(|(at, _)| *at >= from && *at <= to)
            .map(|&(_, rss)| rss)
            .max()
    };
    let baseline = highest_in(warm_up.saturating_sub(Duration::from_secs(1)), warm_up)
        .expect("memory samples during the warm-up");
    let last = samples.last().expect("memory samples").0;
    let end = highest_in(last.saturating_sub(Duration::from_secs(1)), last).expect("samples");
    let growth = (end as f64 - baseline as f64) / baseline as f64 * 100.0;
    let peak = samples.iter().map(|&(_, rss)| rss).max().unwrap_or(0);
    println!(
        "soak: {:.1} s (after {:.1} s of setup), 1000 sockets, {} rounds per thread; {} messages checked on PUSH/PULL and \
         DEALER/ROUTER ({:.0}/s), PUB/SUB {} of {} arrived; RSS {:.1} MiB after warm-up, \
         {:.1} MiB at the end ({growth:+.2}%), peak {:.1} MiB; fds {fds_before} before, \
         {fds_after} after",
        elapsed.as_secs_f64(),
        setup.as_secs_f64(),
        stats.rounds / 2,
        stats.blocking,
        stats.blocking as f64 / elapsed.as_secs_f64(),
        stats.subscribed,
        stats.published,
        baseline as f64 / 1048576.0,
        end as f64 / 1048576.0,
        peak as f64 / 1048576.0,
    );
    assert!(stats.blocking > 0, "no traffic");
    assert!(
        growth < 5.0,
        "resident memory grew by {growth:.2}% after the warm-up (samples: {samples:?})"
    );
    assert_eq!(
        fds_after, fds_before,
        "file descriptors open after closing every socket and the context"
    );
}

// ---------------------------------------------------------------------------------------
// Large messages
// ---------------------------------------------------------------------------------------

/// `len` pseudo-random bytes: one random MiB (xorshift64*), repeated with each MiB's number
/// written over its first 8 bytes, so that no two MiB are alike and a misplaced or repeated
/// block shows. (Random bytes made one word at a time take seconds in a debug build; copying
/// takes milliseconds.)
fn test_bytes(len: usize) -> Vec<u8> {
    const BLOCK: usize = 1 << 20;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut block = Vec::with_capacity(BLOCK);
    while block.len() < BLOCK {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        block.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    let mut bytes = Vec::with_capacity(len);
    for number in 0u64.. {
        if bytes.len() >= len {
            break;
        }
        let start = bytes.len();
        bytes.extend_from_slice(&block);
        bytes[start..start + 8].copy_from_slice(&number.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// Messages of 1 KiB, 2 KiB, ... 256 MiB over inproc, ipc and tcp arrive byte for byte, each
/// sent without copying (from a `Vec`).
///
/// Received messages are compared with what was sent in full (`==` on byte slices is a
/// `memcmp`), which is stronger than comparing hashes and, in a debug build, far cheaper: a
/// word-by-word hash of the 1.5 GiB took over 40 s.
#[test]
fn messages_from_1_kib_to_256_mib_arrive_intact() {
    let _lock = exclusive();
    const SMALLEST: usize = 1 << 10;
    const LARGEST: usize = 1 << 28;
    let started = Instant::now();
    let source = test_bytes(LARGEST);
    let sizes: Vec<usize> = (0..)
        .map(|n| SMALLEST << n)
        .take_while(|&size| size <= LARGEST)
        .collect();
    let prepared = started.elapsed();

    let ipc_dir = TempDir::new("zmq-large");
    let ctx = common::context();
    let mut report = Vec::new();
    for transport in [Transport::Inproc, Transport::Ipc, Transport::Tcp] {
        let pull = socket(&ctx, SocketType::Pull);
        // A 256 MiB message takes longer than the default 5 s on a busy machine.
        pull.set_rcvtimeo(Some(Duration::from_secs(30)))
            .expect("set RCVTIMEO");
        let endpoint = bind_fresh(&pull, transport, ipc_dir.path(), "large");
        let push = socket(&ctx, SocketType::Push);
        push.connect(&endpoint).expect("connect");
        let transport_started = Instant::now();
        for &size in &sizes {
            let sent = &source[..size];
            push.send(Message::from(sent.to_vec()), SendFlags::empty())
                .unwrap_or_else(|e| panic!("send {size} bytes over {transport:?}: {e}"));
            let msg = pull
                .recv_msg(RecvFlags::empty())
                .unwrap_or_else(|e| panic!("receive {size} bytes over {transport:?}: {e}"));
            assert_eq!(msg.len(), size, "{transport:?}: the message's length");
            assert!(!msg.more(), "{transport:?}: one frame");
            if msg[..] != *sent {
                let at = msg.iter().zip(sent).position(|(a, b)| a != b);
                panic!("{transport:?}: {size} bytes arrived changed, first at byte {at:?}");
            }
        }
        report.push(format!(
            "{transport:?} {:.1} s",
            transport_started.elapsed().as_secs_f64()
        ));
    }
    println!(
        "large messages: {} sizes, 1 KiB to 256 MiB (512 MiB per transport), all byte-exact: \
         source {:.1} s; {}",
        sizes.len(),
        prepared.as_secs_f64(),
        report.join(", ")
    );
}

// ---------------------------------------------------------------------------------------
// Many small messages
// ---------------------------------------------------------------------------------------

/// The content of small message `n`: `n % 33` bytes (0 to 32) derived from `n`, so that a
/// lost, repeated or reordered message shows as a wrong length or wrong bytes.
fn small_message(n: u64, buf: &mut [u8; 32]) -> &[u8] {
    let len = (n % 33) as usize;
    let n_bytes = n.to_le_bytes();
    for (j, byte) in buf[..len].iter_mut().enumerate() {
        *byte = n_bytes[j % 8] ^ (j as u8).wrapping_mul(37);
    }
    &buf[..len]
}

/// Ten million messages of 0 to 32 bytes, PUSH to PULL over tcp with a high-water mark of
/// 1000 on both sides: every one arrives, in the order sent.
#[test]
fn ten_million_small_messages_arrive_in_order_over_tcp() {
    let _lock = exclusive();
    let count = env_number("ZMQ_LOAD_SMALL_MESSAGES", 10_000_000);
    let ctx = common::context();
    let pull = socket(&ctx, SocketType::Pull);
    pull.set_rcvhwm(1000).expect("set RCVHWM");
    let endpoint = common::bind(&pull, Transport::Tcp);
    let push = socket(&ctx, SocketType::Push);
    push.set_sndhwm(1000).expect("set SNDHWM");
    push.connect(&endpoint).expect("connect");

    let started = Instant::now();
    let sender = thread::spawn(move || {
        let mut buf = [0u8; 32];
        for n in 0..count {
            push.send(small_message(n, &mut buf), SendFlags::empty())
                .unwrap_or_else(|e| panic!("send message {n}: {e}"));
        }
        push
    });
    let mut msg = Message::new();
    let mut buf = [0u8; 32];
    for n in 0..count {
        pull.recv(&mut msg, RecvFlags::empty())
            .unwrap_or_else(|e| panic!("receive message {n} of {count}: {e}"));
        let expected = small_message(n, &mut buf);
        if msg[..] != *expected {
            panic!(
                "message {n}: got {} bytes {:?}, expected {} bytes {expected:?}: lost or reordered",
                msg.len(),
                &msg[..],
                expected.len()
            );
        }
    }
    let elapsed = started.elapsed();
    let push = sender.join().expect("the sender");
    assert!(
        matches!(
            pull.recv(&mut msg, RecvFlags::DONTWAIT),
            Err(Error::WouldBlock)
        ),
        "a message beyond the last one sent"
    );
    drop(push);
    println!(
        "small messages: {count} over tcp with HWM 1000 in {:.1} s ({:.0} msg/s), all in order",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
