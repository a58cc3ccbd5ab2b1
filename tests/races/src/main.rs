//! Replays, on demand, failures inside libzmq that the crate's sockets must never run into:
//! `scripts/races` builds this against a copy of libzmq with delays injected into the racing
//! steps (see `delays.py`) and runs it.
//!
//! The abort: a connect to an `inproc://` name nobody has bound leaves the connection's far
//! end in the connecting socket. Whatever ends that far end (the connector's disconnect, its
//! close, a PAIR refusing a second connection) is processed later by whoever processes the
//! connector's commands: the connector's thread, or libzmq's reaper thread once it is closed.
//! A PUB binding the name at that moment marks the far end no-delay and reads it; if the end
//! is processed between the read's state check and the delimiter it reads, libzmq asserts
//! (`_state == active || _state == waiting_for_delimiter`, src/pipe.cpp). The sockets fuzz
//! target found it once without any delay; with them, the C calls abort most of the time.
//!
//! The deadlock (libzmq#3048): two sockets of thread-safe DRAFT types talking over
//! `inproc://` each hold their own lock while taking the other's, and two CHANNELs sending
//! and receiving on threads of their own hang within moments, no delay needed. The crate
//! refuses `inproc://` for those types.
//!
//! Each scenario runs in a child process, many times, twice: with the C calls straight
//! (which must fail at least once: otherwise the scenario no longer shows the failure and the
//! crate's result proves nothing) and with the crate's sockets (which must never fail).

use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use zmq_sys as sys;

const NAME: &str = "inproc://race";
const OTHER: &str = "inproc://race-other";

/// The delays the patched libzmq reads, in microseconds: the binder waits before it takes the
/// far end, the end then waits before it looks at the no-delay flag, and the binder's read
/// waits between its state check and the delimiter. Wide margins, for a loaded machine.
const DELAYS: [(&str, &str); 3] = [
    ("ZMQ_RACE_BIND_DELAY_US", "2000"),
    ("ZMQ_RACE_TERM_DELAY_US", "4000"),
    ("ZMQ_RACE_READ_DELAY_US", "20000"),
];

/// How long a child may take before it counts as hung.
const CHILD_LIMIT: Duration = Duration::from_secs(20);

/// The exit status of a child whose traffic stopped moving: deadlocked.
const DEADLOCKED: i32 = 3;

/// How long traffic may stand still before the child calls it a deadlock.
const STILL: Duration = Duration::from_secs(2);

#[derive(Clone, Copy)]
enum Scenario {
    /// One thread: a SUB connects and closes, then a PUB binds (what the fuzzer found).
    CloseThenBind,
    /// A SUB closes on one thread while a PUB binds on another.
    CloseWhileBinding,
    /// A SUB disconnects (and processes its commands) on one thread while a PUB binds on
    /// another.
    DisconnectWhileBinding,
    /// A PAIR connects to two unbound names (it refuses the second connection) and processes
    /// its commands on one thread while a PUB binds the second name on another.
    PairRefusalWhileBinding,
    /// Two CHANNELs over `inproc://` send to each other and receive, each direction on
    /// threads of its own, high-water marks of 10 (no delay involved).
    ThreadSafeTraffic,
}

const SCENARIOS: [(&str, Scenario); 5] = [
    ("close then bind, one thread", Scenario::CloseThenBind),
    ("close during a bind", Scenario::CloseWhileBinding),
    ("disconnect during a bind", Scenario::DisconnectWhileBinding),
    (
        "PAIR refusal during a bind",
        Scenario::PairRefusalWhileBinding,
    ),
    ("CHANNEL traffic, both ways", Scenario::ThreadSafeTraffic),
];

/// The socket types the scenarios use.
#[derive(Clone, Copy)]
enum Kind {
    Sub,
    Pair,
    Pub,
    Channel,
}

/// The steps of a scenario, in C or through the crate.
trait Steps: Send + Sync + 'static {
    type Socket: Send + 'static;
    /// The socket, with high-water marks of 10 for the thread-safe types.
    fn socket(&self, kind: Kind) -> Self::Socket;
    fn connect(&self, socket: &Self::Socket, name: &str);
    fn bind(&self, socket: &Self::Socket, name: &str);
    fn disconnect(&self, socket: &Self::Socket, name: &str);
    /// Makes the socket process its pending commands (reads `ZMQ_EVENTS`).
    fn process_commands(&self, socket: &Self::Socket);
    fn send(&self, socket: &Self::Socket);
    fn recv(&self, socket: &Self::Socket);
    fn close(&self, socket: Self::Socket);
}

/// libzmq's API, straight.
struct Raw(*mut c_void);

// SAFETY: a libzmq context may be used from any thread.
unsafe impl Send for Raw {}
// SAFETY: a libzmq context may be used from several threads at once.
unsafe impl Sync for Raw {}

/// A raw socket: of a thread-safe type when shared between threads.
struct RawSocket(*mut c_void);

// SAFETY: a libzmq socket may be used from any thread, one at a time.
unsafe impl Send for RawSocket {}
// SAFETY: shared only when of a thread-safe type (the CHANNELs of the traffic).
unsafe impl Sync for RawSocket {}

type EndpointFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;

impl Raw {
    fn new() -> Raw {
        // SAFETY: no arguments; checked for null below.
        let ctx = unsafe { sys::zmq_ctx_new() };
        assert!(!ctx.is_null(), "zmq_ctx_new failed");
        Raw(ctx)
    }

    fn endpoint_call(&self, socket: &RawSocket, name: &str, call: EndpointFn, what: &str) {
        let name = CString::new(name).expect("no NUL");
        // SAFETY: a live socket and a NUL-terminated endpoint.
        let rc = unsafe { call(socket.0, name.as_ptr()) };
        assert_eq!(rc, 0, "{what} failed");
    }

    fn set_int(&self, socket: &RawSocket, option: c_int, value: c_int) {
        // SAFETY: a live socket and a c_int option value with its size.
        let rc = unsafe {
            sys::zmq_setsockopt(
                socket.0,
                option,
                (&value as *const c_int).cast(),
                std::mem::size_of::<c_int>(),
            )
        };
        assert_eq!(rc, 0, "zmq_setsockopt failed");
    }
}

impl Steps for Raw {
    type Socket = RawSocket;
    fn socket(&self, kind: Kind) -> RawSocket {
        let kind = match kind {
            Kind::Sub => sys::ZMQ_SUB,
            Kind::Pair => sys::ZMQ_PAIR,
            Kind::Pub => sys::ZMQ_PUB,
            Kind::Channel => sys::ZMQ_CHANNEL,
        };
        // SAFETY: a live context; checked for null below.
        let socket = RawSocket(unsafe { sys::zmq_socket(self.0, kind) });
        assert!(!socket.0.is_null(), "zmq_socket failed");
        if kind == sys::ZMQ_CHANNEL {
            self.set_int(&socket, sys::ZMQ_SNDHWM, 10);
            self.set_int(&socket, sys::ZMQ_RCVHWM, 10);
        }
        socket
    }
    fn connect(&self, socket: &RawSocket, name: &str) {
        self.endpoint_call(socket, name, sys::zmq_connect, "zmq_connect");
    }
    fn bind(&self, socket: &RawSocket, name: &str) {
        self.endpoint_call(socket, name, sys::zmq_bind, "zmq_bind");
    }
    fn disconnect(&self, socket: &RawSocket, name: &str) {
        self.endpoint_call(socket, name, sys::zmq_disconnect, "zmq_disconnect");
    }
    fn process_commands(&self, socket: &RawSocket) {
        let mut events: c_int = 0;
        let mut len = std::mem::size_of::<c_int>();
        // SAFETY: a live socket and a c_int with its size.
        let rc = unsafe {
            sys::zmq_getsockopt(
                socket.0,
                sys::ZMQ_EVENTS,
                (&mut events as *mut c_int).cast(),
                &mut len,
            )
        };
        assert_eq!(rc, 0, "zmq_getsockopt(ZMQ_EVENTS) failed");
    }
    fn send(&self, socket: &RawSocket) {
        // SAFETY: a live socket and one byte to copy.
        let rc = unsafe { sys::zmq_send(socket.0, b"x".as_ptr().cast(), 1, 0) };
        assert_eq!(rc, 1, "zmq_send failed");
    }
    fn recv(&self, socket: &RawSocket) {
        let mut byte = 0u8;
        // SAFETY: a live socket and a one-byte buffer.
        let rc = unsafe { sys::zmq_recv(socket.0, (&mut byte as *mut u8).cast(), 1, 0) };
        assert_eq!(rc, 1, "zmq_recv failed");
    }
    fn close(&self, socket: RawSocket) {
        // SAFETY: a live socket, closed once.
        unsafe { sys::zmq_close(socket.0) };
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: a live context, every socket of which is closed.
        unsafe { sys::zmq_ctx_term(self.0) };
    }
}

/// The crate's API.
struct Safe(zmq::Context);

impl Steps for Safe {
    type Socket = zmq::Socket;
    fn socket(&self, kind: Kind) -> zmq::Socket {
        let kind = match kind {
            Kind::Sub => zmq::SocketType::Sub,
            Kind::Pair => zmq::SocketType::Pair,
            Kind::Pub => zmq::SocketType::Pub,
            // Reached only to check that the crate refuses inproc for it.
            Kind::Channel => zmq::SocketType::Channel,
        };
        self.0.socket(kind).expect("socket")
    }
    fn connect(&self, socket: &zmq::Socket, name: &str) {
        socket.connect(name).expect("connect");
    }
    fn bind(&self, socket: &zmq::Socket, name: &str) {
        socket.bind(name).expect("bind");
    }
    fn disconnect(&self, socket: &zmq::Socket, name: &str) {
        socket.disconnect(name).expect("disconnect");
    }
    fn process_commands(&self, socket: &zmq::Socket) {
        socket.events().expect("events");
    }
    fn send(&self, _: &zmq::Socket) {
        unreachable!("the crate's scenarios send nothing")
    }
    fn recv(&self, _: &zmq::Socket) {
        unreachable!("the crate's scenarios receive nothing")
    }
    fn close(&self, socket: zmq::Socket) {
        drop(socket);
    }
}

/// Runs one of the bind races once with `steps`.
fn bind_race<S: Steps>(steps: S, scenario: Scenario) {
    let steps = Arc::new(steps);
    // Starts libzmq's threads and lets them settle, as in a program that has been running.
    steps.close(steps.socket(Kind::Sub));
    thread::sleep(Duration::from_millis(10));

    let connector = match scenario {
        Scenario::PairRefusalWhileBinding => {
            let pair = steps.socket(Kind::Pair);
            steps.connect(&pair, OTHER);
            steps.connect(&pair, NAME);
            pair
        }
        _ => {
            let sub = steps.socket(Kind::Sub);
            steps.connect(&sub, NAME);
            sub
        }
    };
    let publisher = steps.socket(Kind::Pub);
    if let Scenario::CloseThenBind = scenario {
        steps.close(connector);
        steps.bind(&publisher, NAME);
    } else {
        let start = Arc::new(Barrier::new(2));
        let other = thread::spawn({
            let steps = Arc::clone(&steps);
            let start = Arc::clone(&start);
            move || {
                start.wait();
                match scenario {
                    Scenario::CloseWhileBinding => {}
                    Scenario::DisconnectWhileBinding => {
                        steps.disconnect(&connector, NAME);
                        steps.process_commands(&connector);
                    }
                    _ => steps.process_commands(&connector),
                }
                steps.close(connector);
            }
        });
        start.wait();
        steps.bind(&publisher, NAME);
        other.join().expect("the connector's thread");
    }
    // Lets the ends settle before the close.
    thread::sleep(Duration::from_millis(20));
    steps.close(publisher);
}

/// Two CHANNELs over inproc, each sending 100,000 messages to the other on one thread and
/// receiving on another; exits the process with [`DEADLOCKED`] if the traffic stops moving.
fn thread_safe_traffic(steps: Raw) {
    const MESSAGES: u64 = 100_000;
    let a = steps.socket(Kind::Channel);
    steps.bind(&a, NAME);
    let b = steps.socket(Kind::Channel);
    steps.connect(&b, NAME);
    let received = AtomicU64::new(0);
    thread::scope(|scope| {
        for (from, to) in [(&a, &b), (&b, &a)] {
            let (steps, received) = (&steps, &received);
            scope.spawn(move || (0..MESSAGES).for_each(|_| steps.send(from)));
            scope.spawn(move || {
                for _ in 0..MESSAGES {
                    steps.recv(to);
                    received.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let mut last = (0, Instant::now());
        while received.load(Ordering::Relaxed) < 2 * MESSAGES {
            thread::sleep(Duration::from_millis(50));
            let now = received.load(Ordering::Relaxed);
            if now != last.0 {
                last = (now, Instant::now());
            } else if last.1.elapsed() > STILL {
                eprintln!("deadlocked after {now} messages");
                std::process::exit(DEADLOCKED);
            }
        }
    });
    steps.close(a);
    steps.close(b);
}

/// The crate's side of the traffic: `inproc://` is refused for a CHANNEL, through `Socket`
/// and `ThreadSafeSocket` alike.
fn thread_safe_traffic_refused(steps: Safe) {
    let socket = steps.socket(Kind::Channel);
    assert_eq!(socket.bind(NAME), Err(zmq::Error::IncompatibleProtocol));
    assert_eq!(socket.connect(NAME), Err(zmq::Error::IncompatibleProtocol));
    let socket = steps
        .0
        .thread_safe_socket(zmq::ThreadSafeType::Channel)
        .expect("socket");
    assert_eq!(socket.bind(NAME), Err(zmq::Error::IncompatibleProtocol));
    assert_eq!(socket.connect(NAME), Err(zmq::Error::IncompatibleProtocol));
}

/// How one child ended.
enum Outcome {
    Clean,
    Failed,
}

fn child(exe: &str, scenario: usize, raw: bool) -> Result<Outcome, String> {
    let mut command = Command::new(exe);
    command
        .args([
            "child",
            &scenario.to_string(),
            if raw { "raw" } else { "crate" },
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in DELAYS {
        command.env(name, value);
    }
    let mut process = command.spawn().map_err(|e| format!("spawn: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = process.try_wait().map_err(|e| format!("wait: {e}"))? {
            break status;
        }
        if started.elapsed() > CHILD_LIMIT {
            let _ = process.kill();
            let _ = process.wait();
            return Err(format!("hung for {CHILD_LIMIT:?}"));
        }
        thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = process.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    if status.success() {
        return Ok(Outcome::Clean);
    }
    let aborted = status.signal() == Some(libc::SIGABRT) && stderr.contains("Assertion failed");
    if aborted || status.code() == Some(DEADLOCKED) {
        return Ok(Outcome::Failed);
    }
    Err(format!("{status}: {}", stderr.trim()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "child" {
        let scenario = SCENARIOS[args[2].parse::<usize>().expect("scenario index")].1;
        let raw = args[3] == "raw";
        match (scenario, raw) {
            (Scenario::ThreadSafeTraffic, true) => thread_safe_traffic(Raw::new()),
            (Scenario::ThreadSafeTraffic, false) => {
                thread_safe_traffic_refused(Safe(zmq::Context::new().expect("context")))
            }
            (_, true) => bind_race(Raw::new(), scenario),
            (_, false) => bind_race(Safe(zmq::Context::new().expect("context")), scenario),
        }
        return ExitCode::SUCCESS;
    }
    let rounds: usize = match args.get(1).map(|r| r.parse()) {
        None => 20,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        _ => {
            eprintln!("usage: zmq-races [rounds per scenario and API, default 20]");
            return ExitCode::from(2);
        }
    };
    let exe = &args[0];
    let mut failed = false;
    println!("C fails: aborts in src/pipe.cpp, or deadlocks; the crate's sockets must do neither");
    println!("{:<30} {:>10} {:>13}", "scenario", "C fails", "crate fails");
    for (index, (name, scenario)) in SCENARIOS.iter().enumerate() {
        // The traffic deadlock needs no delays and costs seconds per failure: fewer rounds.
        let rounds = match scenario {
            Scenario::ThreadSafeTraffic => rounds.div_ceil(4),
            _ => rounds,
        };
        let mut failures = [0usize; 2];
        let mut runs = [0usize; 2];
        for (column, raw) in [(0, true), (1, false)] {
            // Through C, up to three times the rounds while none has failed: a race that
            // fails in a third of the runs may miss twenty on a loaded machine.
            while runs[column] < rounds || (raw && failures[0] == 0 && runs[0] < 3 * rounds) {
                runs[column] += 1;
                match child(exe, index, raw) {
                    Ok(Outcome::Failed) => failures[column] += 1,
                    Ok(Outcome::Clean) => {}
                    Err(error) => {
                        let api = if raw { "C" } else { "crate" };
                        println!("{name} ({api}): failed otherwise: {error}");
                        failed = true;
                    }
                }
            }
        }
        println!(
            "{name:<30} {:>10} {:>13}",
            format!("{}/{}", failures[0], runs[0]),
            format!("{}/{}", failures[1], runs[1])
        );
        if failures[0] == 0 {
            println!("  the C calls never failed: the scenario no longer shows the failure");
            failed = true;
        }
        if failures[1] != 0 {
            println!("  the crate's sockets failed");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        println!("every scenario fails in C and never through the crate");
        ExitCode::SUCCESS
    }
}
