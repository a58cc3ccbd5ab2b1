//! EINTR: a SIGALRM every millisecond (a handler without `SA_RESTART`) while 10,000 blocking
//! calls run: recv, send at a full high-water mark, poll, and recv and send with a timeout.
//!
//! What the API documents, and this checks: a signal that lands in a blocking call makes it
//! return `Error::Interrupted` (libzmq never restarts its waits, `SA_RESTART` or not) with
//! nothing lost: no message was taken by an interrupted receive, an interrupted send hands
//! its message back. No other error comes out, a call that is retried gets the right message
//! in order, exactly once, and a timeout that runs out (`WouldBlock`) never does so early;
//! retried with the time left, the whole wait lasts the timeout. Calls that do not wait
//! (bind, connect, `ZMQ_EVENTS`, `DONTWAIT` sends and receives, unbind, disconnect, monitor)
//! never return `Error::Interrupted`, even with a SIGALRM every 50 µs (libzmq is cut short
//! there too, before it does anything, and the crate retries), and a multipart message is
//! never sent or taken in part: a signal interrupts at most the first frame.
//!
//! Its own test binary without libtest's harness (`harness = false`, `test = false`, run by
//! scripts/test): the timer's signals go to the whole process, so no other test may share
//! it, and `main` is the only thread that does not block SIGALRM.

use std::io::{self, Write};
use std::mem;
use std::os::raw::c_int;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Error, Message, PollEvents, RecvFlags, SendFlags, Socket, SocketType};

/// The SIGALRM interval while the calls that do not wait run.
const STORM_INTERVAL: Duration = Duration::from_micros(50);
/// The longest the calls that do not wait run, waiting for enough signals.
const STORM_LIMIT: Duration = Duration::from_secs(60);

/// What [`calls_that_do_not_wait`] did.
struct NoWait {
    rounds: usize,
    calls: usize,
    /// Multipart sends and receives interrupted before their first frame (nothing done).
    interrupted_whole: usize,
    signals: usize,
    took: Duration,
}

/// How many SIGALRMs the handler has seen.
static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_alarm(_signal: c_int) {
    // Async-signal-safe: one atomic add.
    SIGNALS.fetch_add(1, Ordering::Relaxed);
}

/// Blocks or unblocks SIGALRM for the calling thread (threads spawned later inherit it).
fn mask_alarm(how: c_int) {
    // SAFETY: a zeroed sigset_t is a valid argument to sigemptyset, which initialises it.
    let mut set: libc::sigset_t = unsafe { mem::zeroed() };
    // SAFETY: `set` is a live sigset_t; the old mask is not wanted (null).
    let rc = unsafe {
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGALRM);
        libc::pthread_sigmask(how, &set, ptr::null_mut())
    };
    assert_eq!(rc, 0, "pthread_sigmask");
}

/// Installs the handler without SA_RESTART and starts a 1 ms interval timer.
fn start_alarms() {
    // SAFETY: a zeroed sigaction is valid (no flags, empty mask once sigemptyset ran); the
    // handler is an `extern "C" fn(c_int)` that only does an atomic add.
    unsafe {
        let mut action: libc::sigaction = mem::zeroed();
        action.sa_sigaction = on_alarm as extern "C" fn(c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0; // no SA_RESTART
        assert_eq!(
            libc::sigaction(libc::SIGALRM, &action, ptr::null_mut()),
            0,
            "sigaction"
        );
    }
    set_timer(Duration::from_millis(1));
}

fn set_timer(interval: Duration) {
    let tick = libc::timeval {
        tv_sec: 0,
        tv_usec: interval.as_micros() as libc::suseconds_t,
    };
    let timer = libc::itimerval {
        it_interval: tick,
        it_value: tick,
    };
    // SAFETY: a live itimerval; the old value is not wanted (null).
    let rc = unsafe { libc::setitimer(libc::ITIMER_REAL, &timer, ptr::null_mut()) };
    assert_eq!(rc, 0, "setitimer");
}

/// Counts of what the calls returned.
#[derive(Default, Debug)]
struct Tally {
    /// The blocking operations asked for, each done by one call or more.
    operations: usize,
    calls: usize,
    interrupted: usize,
}

fn pair(ctx: &Context, name: &str, sender: SocketType, receiver: SocketType) -> (Socket, Socket) {
    let (tx, rx) = (
        ctx.socket(sender).expect("socket"),
        ctx.socket(receiver).expect("socket"),
    );
    let endpoint = format!("inproc://eintr-{name}");
    rx.bind(&endpoint).expect("bind");
    tx.connect(&endpoint).expect("connect");
    (tx, rx)
}

/// A helper thread (SIGALRM blocked) that sends 0..count to `tx`, pausing before each.
fn paced_sender(tx: Socket, count: u64) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for seq in 0..count {
            thread::sleep(Duration::from_micros(200));
            tx.send(seq.to_le_bytes().to_vec(), SendFlags::empty())
                .expect("helper send");
        }
    })
}

fn seq_of(msg: &Message) -> u64 {
    u64::from_le_bytes(msg[..].try_into().expect("an 8-byte sequence number"))
}

/// Blocking receives, each retried while interrupted.
fn blocking_recv(ctx: &Context, count: u64) -> Tally {
    let (tx, rx) = pair(ctx, "recv", SocketType::Push, SocketType::Pull);
    let helper = paced_sender(tx, count);
    let mut tally = Tally {
        operations: count as usize,
        ..Tally::default()
    };
    let mut msg = Message::new();
    for expected in 0..count {
        loop {
            tally.calls += 1;
            match rx.recv(&mut msg, RecvFlags::empty()) {
                Ok(()) => break,
                Err(Error::Interrupted) => tally.interrupted += 1,
                Err(e) => panic!("recv {expected}: unexpected {e:?}"),
            }
        }
        assert_eq!(seq_of(&msg), expected, "recv: order and no loss");
    }
    helper.join().expect("helper");
    tally
}

/// Polls, each retried while interrupted, then takes the message without waiting.
fn blocking_poll(ctx: &Context, count: u64) -> Tally {
    let (tx, rx) = pair(ctx, "poll", SocketType::Push, SocketType::Pull);
    let helper = paced_sender(tx, count);
    let mut tally = Tally {
        operations: count as usize,
        ..Tally::default()
    };
    for expected in 0..count {
        loop {
            tally.calls += 1;
            let mut items = [rx.as_poll_item(PollEvents::POLLIN)];
            match zmq::poll(&mut items, None) {
                Ok(1) => break,
                Ok(n) => panic!("poll with no timeout returned {n}"),
                Err(Error::Interrupted) => tally.interrupted += 1,
                Err(e) => panic!("poll {expected}: unexpected {e:?}"),
            }
        }
        let msg = rx
            .recv_msg(RecvFlags::DONTWAIT)
            .expect("poll said readable");
        assert_eq!(seq_of(&msg), expected, "poll: order and no loss");
    }
    helper.join().expect("helper");
    tally
}

/// Blocking sends at a full high-water mark, drained slowly by a helper; an interrupted send
/// hands its message back, which is sent again.
fn blocking_send(ctx: &Context, count: u64) -> Tally {
    let (tx, rx) = pair(ctx, "send", SocketType::Push, SocketType::Pull);
    tx.set_sndhwm(1).expect("sndhwm");
    rx.set_rcvhwm(1).expect("rcvhwm");
    let helper = thread::spawn(move || {
        let mut msg = Message::new();
        for expected in 0..count {
            thread::sleep(Duration::from_micros(200));
            rx.recv(&mut msg, RecvFlags::empty()).expect("helper recv");
            assert_eq!(seq_of(&msg), expected, "send: order, no loss, no duplicate");
        }
        assert_eq!(
            rx.recv(&mut msg, RecvFlags::DONTWAIT),
            Err(Error::WouldBlock),
            "send: nothing more than was sent"
        );
    });
    let mut tally = Tally {
        operations: count as usize,
        ..Tally::default()
    };
    for seq in 0..count {
        let mut msg = Message::from(seq.to_le_bytes().to_vec());
        loop {
            tally.calls += 1;
            match tx.send(msg, SendFlags::empty()) {
                Ok(()) => break,
                Err(e) => match e.into_parts() {
                    (Error::Interrupted, unsent) => {
                        tally.interrupted += 1;
                        msg = unsent;
                    }
                    (e, _) => panic!("send {seq}: unexpected {e:?}"),
                },
            }
        }
    }
    helper.join().expect("helper");
    tally
}

/// Calls that do not wait (bind, connect, reading `ZMQ_EVENTS`, sends and receives with
/// `DONTWAIT`, disconnect, unbind, starting a monitor, over inproc and tcp), in rounds, while
/// SIGALRM comes every [`STORM_INTERVAL`], until `min_rounds` rounds are done and
/// `min_signals` signals arrived (or [`STORM_LIMIT`] passed): libzmq starts each of them with
/// a poll that a signal interrupts, which the crate retries, so every one must succeed. And
/// blocking multipart sends and receives of 64 frames, which a signal may interrupt before
/// the first frame only: never half a message sent or taken.
fn calls_that_do_not_wait(ctx: &Context, min_rounds: usize, min_signals: usize) -> NoWait {
    // The kernel's timer rather than a thread sending signals: a thread would need a core of
    // its own, which a busy machine may not give it.
    set_timer(STORM_INTERVAL);
    let started = Instant::now();
    mask_alarm(libc::SIG_UNBLOCK);
    let before = SIGNALS.load(Ordering::Relaxed);
    // `rx` and `tx` bind, connect, disconnect and unbind; the data goes over a pair of its
    // own, connected once, so that no message can take a connection being torn down.
    let (rx, tx) = (
        ctx.socket(SocketType::Pull).expect("socket"),
        ctx.socket(SocketType::Push).expect("socket"),
    );
    let (data_tx, data_rx) = pair(ctx, "nowait-data", SocketType::Push, SocketType::Pull);
    let mut calls = 0;
    let (mut multipart_calls, mut interrupted_whole) = (0, 0);
    let mut ok = |what: &str, round: usize, result: Result<(), Error>| {
        calls += 1;
        if let Err(e) = result {
            panic!("{what} (round {round}) under a signal storm: {e:?}");
        }
    };
    let mut rounds = 0;
    while rounds < min_rounds || SIGNALS.load(Ordering::Relaxed) - before < min_signals {
        if started.elapsed() > STORM_LIMIT {
            break;
        }
        let round = rounds;
        rounds += 1;
        let name = format!("inproc://eintr-nowait-{round}");
        ok("bind inproc", round, rx.bind(&name));
        ok("connect inproc", round, tx.connect(&name));
        ok("events", round, rx.events().map(drop));
        ok("events", round, tx.events().map(drop));
        ok(
            "send DONTWAIT",
            round,
            data_tx
                .send(&name, SendFlags::DONTWAIT)
                .map_err(Error::from),
        );
        let got = data_rx.recv_string(RecvFlags::DONTWAIT);
        ok("recv DONTWAIT", round, got.map(|got| assert_eq!(got, name)));
        let mut buf = [0u8; 8];
        let empty = match data_rx.recv_into(&mut buf, RecvFlags::DONTWAIT) {
            Err(Error::WouldBlock) => Ok(()),
            Ok(n) => panic!("recv DONTWAIT (round {round}): {n} bytes from an empty queue"),
            Err(e) => Err(e),
        };
        ok("recv DONTWAIT, nothing queued", round, empty);
        let frames: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; usize::from(i % 8)]).collect();
        loop {
            multipart_calls += 1;
            match data_tx.send_multipart(frames.clone(), SendFlags::empty()) {
                Ok(()) => break,
                Err(e) => match e.into_parts() {
                    (Error::Interrupted, unsent) if unsent.len() == frames.len() => {
                        interrupted_whole += 1;
                    }
                    (e, unsent) => panic!(
                        "send_multipart (round {round}): {e:?} with {} of {} frames unsent",
                        unsent.len(),
                        frames.len()
                    ),
                },
            }
        }
        let got = loop {
            multipart_calls += 1;
            match data_rx.recv_multipart(RecvFlags::empty()) {
                Ok(got) => break got,
                Err(Error::Interrupted) => interrupted_whole += 1,
                Err(e) => panic!("recv_multipart (round {round}): {e:?}"),
            }
        };
        let got: Vec<Vec<u8>> = got.iter().map(|frame| frame.to_vec()).collect();
        assert_eq!(
            got, frames,
            "recv_multipart (round {round}): the message, whole"
        );
        ok("disconnect inproc", round, tx.disconnect(&name));
        ok("unbind inproc", round, rx.unbind(&name));
        if round % 10 == 0 {
            let endpoint = rx.bind_ephemeral_port("tcp://127.0.0.1");
            let endpoint = endpoint.unwrap_or_else(|e| panic!("bind tcp (round {round}): {e:?}"));
            ok("connect tcp", round, tx.connect(&endpoint));
            ok("disconnect tcp", round, tx.disconnect(&endpoint));
            ok("unbind tcp", round, rx.unbind(&endpoint));
            ok(
                "monitor",
                round,
                rx.monitor(zmq::MonitorEvents::ALL).map(drop),
            );
        }
    }
    let signals = SIGNALS.load(Ordering::Relaxed) - before;
    mask_alarm(libc::SIG_BLOCK);
    set_timer(Duration::from_millis(1));
    NoWait {
        rounds,
        calls: calls + multipart_calls,
        interrupted_whole,
        signals,
        took: started.elapsed(),
    }
}

/// Waits that must time out: `call` with the timeout set to what is left, retried while
/// interrupted. Returns the tally and the shortest and longest whole waits.
fn timed_out(
    count: usize,
    timeout: Duration,
    set_timeout: impl Fn(Duration),
    call: impl Fn() -> Result<(), Error>,
) -> (Tally, Duration, Duration) {
    let mut tally = Tally {
        operations: count,
        ..Tally::default()
    };
    let (mut shortest, mut longest) = (Duration::MAX, Duration::ZERO);
    for _ in 0..count {
        let start = Instant::now();
        let mut left = timeout;
        loop {
            set_timeout(left);
            tally.calls += 1;
            let result = call();
            let elapsed = start.elapsed();
            match result {
                Err(Error::WouldBlock) => {
                    // libzmq's own timeout ran out: never before the time asked for (it
                    // counts whole milliseconds on a coarse clock: up to 1 ms early).
                    assert!(
                        elapsed + Duration::from_millis(1) >= timeout,
                        "timed out after {elapsed:?} of {timeout:?}"
                    );
                    break;
                }
                Err(Error::Interrupted) => {
                    tally.interrupted += 1;
                    // The caller's part: wait on for the time left, if any (a signal every
                    // millisecond would otherwise interrupt a 1 ms wait for ever).
                    left = timeout.saturating_sub(elapsed);
                    if left.is_zero() {
                        break;
                    }
                }
                other => panic!("a wait with nothing to do returned {other:?}"),
            }
        }
        let waited = start.elapsed();
        shortest = shortest.min(waited);
        longest = longest.max(waited);
    }
    (tally, shortest, longest)
}

fn main() {
    let started = Instant::now();
    // Only this thread takes the signals: every helper thread (and libzmq's own threads,
    // which block all signals anyway) starts with SIGALRM blocked.
    mask_alarm(libc::SIG_BLOCK);
    start_alarms();
    let ctx = Context::builder()
        .linger(Some(Duration::ZERO))
        .build()
        .expect("context");
    // The I/O thread starts with the first socket, while SIGALRM is blocked here.
    let (idle_tx, idle_rx) = pair(&ctx, "idle", SocketType::Push, SocketType::Pull);
    drop(idle_tx);

    let timeout = Duration::from_millis(3);
    let mut results = Vec::new();
    let run = |name: &str, f: &dyn Fn() -> Tally| {
        mask_alarm(libc::SIG_UNBLOCK);
        let before = SIGNALS.load(Ordering::Relaxed);
        let tally = f();
        let signals = SIGNALS.load(Ordering::Relaxed) - before;
        mask_alarm(libc::SIG_BLOCK);
        (name.to_owned(), tally, signals)
    };
    results.push(run("recv", &|| blocking_recv(&ctx, 3000)));
    results.push(run("send at HWM", &|| blocking_send(&ctx, 3000)));
    results.push(run("poll", &|| blocking_poll(&ctx, 3000)));

    // recv with RCVTIMEO, nothing to receive.
    let windows = std::cell::RefCell::new(Vec::new());
    results.push(run("recv RCVTIMEO 3 ms", &|| {
        let (tally, shortest, longest) = timed_out(
            500,
            timeout,
            |left| idle_rx.set_rcvtimeo(Some(left)).expect("rcvtimeo"),
            || idle_rx.recv_msg(RecvFlags::empty()).map(drop),
        );
        windows.borrow_mut().push(("recv", shortest, longest));
        tally
    }));
    // send with SNDTIMEO on a PUSH whose queue is full.
    let (full, _reader) = pair(&ctx, "full", SocketType::Push, SocketType::Pull);
    full.set_sndhwm(1).expect("sndhwm");
    _reader.set_rcvhwm(1).expect("rcvhwm");
    while full.send("fill", SendFlags::DONTWAIT).is_ok() {}
    results.push(run("send SNDTIMEO 3 ms", &|| {
        let (tally, shortest, longest) = timed_out(
            500,
            timeout,
            |left| full.set_sndtimeo(Some(left)).expect("sndtimeo"),
            || full.send("late", SendFlags::empty()).map_err(Error::from),
        );
        windows.borrow_mut().push(("send", shortest, longest));
        tally
    }));

    let mut out = io::stdout().lock();
    let (mut calls, mut operations, mut interrupted, mut signals) = (0, 0, 0, 0);
    for (name, tally, n) in &results {
        writeln!(
            out,
            "eintr: {name}: {} operations, {} calls, {} interrupted, {n} signals",
            tally.operations, tally.calls, tally.interrupted
        )
        .expect("stdout");
        calls += tally.calls;
        operations += tally.operations;
        interrupted += tally.interrupted;
        signals += n;
    }
    for (name, shortest, longest) in windows.borrow().iter() {
        writeln!(
            out,
            "eintr: {name} with a {timeout:?} timeout retried with the time left: whole wait \
             {shortest:?} to {longest:?}"
        )
        .expect("stdout");
        // libzmq counts whole milliseconds on a clock it reads coarsely: up to 1 ms early.
        assert!(
            *shortest >= timeout - Duration::from_millis(1),
            "{name}: a {timeout:?} timeout ran out after {shortest:?}"
        );
        assert!(
            *longest < timeout + Duration::from_millis(100),
            "{name}: a {timeout:?} timeout took {longest:?}"
        );
    }
    assert_eq!(operations, 10_000, "the blocking calls that completed");
    assert!(
        signals > 1_000,
        "only {signals} signals arrived: the storm did not happen"
    );
    assert!(
        interrupted > 100,
        "only {interrupted} calls were interrupted: the signals missed the blocking calls"
    );

    let nowait = calls_that_do_not_wait(&ctx, 1_000, 100_000);
    writeln!(
        out,
        "eintr: {} calls that do not wait or send and receive multipart messages in {} rounds, \
         all Ok ({} multipart calls interrupted before the first frame, whole), under {} \
         signals in {:?}",
        nowait.calls, nowait.rounds, nowait.interrupted_whole, nowait.signals, nowait.took
    )
    .expect("stdout");
    assert!(
        nowait.signals >= 100_000,
        "only {} signals arrived in {STORM_LIMIT:?} of calls that do not wait: no storm",
        nowait.signals
    );

    // Terminating the context with the timer still running (Drop retries on EINTR).
    mask_alarm(libc::SIG_UNBLOCK);
    drop((idle_rx, full, _reader));
    drop(ctx);
    set_timer(Duration::ZERO);
    writeln!(
        out,
        "eintr: ok: {operations} blocking calls completed ({calls} calls, {interrupted} \
         interrupted, {signals} SIGALRMs) in {:?}",
        started.elapsed()
    )
    .expect("stdout");
}
