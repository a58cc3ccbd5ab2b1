//! Replays, on demand, a race inside libzmq that aborts the process, and shows that the
//! crate's sockets cannot run into it: `scripts/races` builds this against a copy of libzmq
//! with delays injected into the racing steps (see `delays.py`) and runs it.
//!
//! The race: a connect to an `inproc://` name nobody has bound leaves the connection's far end
//! in the connecting socket. Whatever ends that far end (the connector's disconnect, its
//! close, a PAIR refusing a second connection) is processed later by whoever processes the
//! connector's commands: the connector's thread, or libzmq's reaper thread once it is closed.
//! A PUB binding the name at that moment marks the far end no-delay and reads it; if the end
//! is processed between the read's state check and the delimiter it reads, libzmq asserts
//! (`_state == active || _state == waiting_for_delimiter`, src/pipe.cpp). The sockets fuzz
//! target found it once without any delay; with them, the C calls abort most of the time.
//!
//! Each scenario runs in a child process, many times, twice: with the C calls straight
//! (which must abort at least once: otherwise the delays no longer open the race and the
//! crate's result proves nothing) and with the crate's sockets (which must never abort).

use std::ffi::CString;
use std::os::raw::{c_int, c_void};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};
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
}

const SCENARIOS: [(&str, Scenario); 4] = [
    ("close then bind, one thread", Scenario::CloseThenBind),
    ("close during a bind", Scenario::CloseWhileBinding),
    ("disconnect during a bind", Scenario::DisconnectWhileBinding),
    (
        "PAIR refusal during a bind",
        Scenario::PairRefusalWhileBinding,
    ),
];

/// The steps of a scenario, in C or through the crate.
trait Steps: Send + 'static {
    type Socket: Send + 'static;
    fn sub(&self) -> Self::Socket;
    fn pair(&self) -> Self::Socket;
    fn publisher(&self) -> Self::Socket;
    fn connect(&self, socket: &Self::Socket, name: &str);
    fn bind(&self, socket: &Self::Socket, name: &str);
    fn disconnect(&self, socket: &Self::Socket, name: &str);
    /// Makes the socket process its pending commands (reads `ZMQ_EVENTS`).
    fn process_commands(&self, socket: &Self::Socket);
    fn close(&self, socket: Self::Socket);
}

/// libzmq's API, straight.
struct Raw(*mut c_void);

// SAFETY: a libzmq context may be used from any thread.
unsafe impl Send for Raw {}
// SAFETY: a libzmq context may be used from several threads at once.
unsafe impl Sync for Raw {}

/// A raw socket, handed to one thread at a time.
struct RawSocket(*mut c_void);

// SAFETY: a libzmq socket may be used from any thread, one at a time.
unsafe impl Send for RawSocket {}

impl Raw {
    fn new() -> Raw {
        // SAFETY: no arguments; checked for null below.
        let ctx = unsafe { sys::zmq_ctx_new() };
        assert!(!ctx.is_null(), "zmq_ctx_new failed");
        Raw(ctx)
    }

    fn socket(&self, kind: c_int) -> RawSocket {
        // SAFETY: a live context; checked for null below.
        let socket = unsafe { sys::zmq_socket(self.0, kind) };
        assert!(!socket.is_null(), "zmq_socket failed");
        RawSocket(socket)
    }

    fn endpoint_call(
        &self,
        socket: &RawSocket,
        name: &str,
        call: unsafe extern "C" fn(*mut c_void, *const std::os::raw::c_char) -> c_int,
        what: &str,
    ) {
        let name = CString::new(name).expect("no NUL");
        // SAFETY: a live socket and a NUL-terminated endpoint.
        let rc = unsafe { call(socket.0, name.as_ptr()) };
        assert_eq!(rc, 0, "{what} failed");
    }
}

impl Steps for Raw {
    type Socket = RawSocket;
    fn sub(&self) -> RawSocket {
        self.socket(sys::ZMQ_SUB)
    }
    fn pair(&self) -> RawSocket {
        self.socket(sys::ZMQ_PAIR)
    }
    fn publisher(&self) -> RawSocket {
        self.socket(sys::ZMQ_PUB)
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
    fn sub(&self) -> zmq::Socket {
        self.0.socket(zmq::SocketType::Sub).expect("SUB")
    }
    fn pair(&self) -> zmq::Socket {
        self.0.socket(zmq::SocketType::Pair).expect("PAIR")
    }
    fn publisher(&self) -> zmq::Socket {
        self.0.socket(zmq::SocketType::Pub).expect("PUB")
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
    fn close(&self, socket: zmq::Socket) {
        drop(socket);
    }
}

/// Runs `scenario` once with `steps`.
fn run<S: Steps + Sync>(steps: S, scenario: Scenario) {
    let steps = Arc::new(steps);
    // Starts libzmq's threads and lets them settle, as in a program that has been running.
    steps.close(steps.sub());
    thread::sleep(Duration::from_millis(10));

    let connector = match scenario {
        Scenario::PairRefusalWhileBinding => {
            let pair = steps.pair();
            steps.connect(&pair, OTHER);
            steps.connect(&pair, NAME);
            pair
        }
        _ => {
            let sub = steps.sub();
            steps.connect(&sub, NAME);
            sub
        }
    };
    let publisher = steps.publisher();
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
                    Scenario::CloseWhileBinding => steps.close(connector),
                    Scenario::DisconnectWhileBinding => {
                        steps.disconnect(&connector, NAME);
                        steps.process_commands(&connector);
                        steps.close(connector);
                    }
                    _ => {
                        steps.process_commands(&connector);
                        steps.close(connector);
                    }
                }
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

/// How one child ended.
enum Outcome {
    Clean,
    Abort,
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
    if status.signal() == Some(libc::SIGABRT) && stderr.contains("Assertion failed") {
        return Ok(Outcome::Abort);
    }
    Err(format!("{status}: {}", stderr.trim()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "child" {
        let scenario = SCENARIOS[args[2].parse::<usize>().expect("scenario index")].1;
        if args[3] == "raw" {
            run(Raw::new(), scenario);
        } else {
            run(Safe(zmq::Context::new().expect("context")), scenario);
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
    println!(
        "{:<30} {:>14} {:>14}",
        "scenario", "C aborts", "crate aborts"
    );
    for (index, (name, _)) in SCENARIOS.iter().enumerate() {
        let mut aborts = [0usize; 2];
        for (column, raw) in [(0, true), (1, false)] {
            for _ in 0..rounds {
                match child(exe, index, raw) {
                    Ok(Outcome::Abort) => aborts[column] += 1,
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
            "{name:<30} {:>14} {:>14}",
            format!("{}/{rounds}", aborts[0]),
            format!("{}/{rounds}", aborts[1])
        );
        if aborts[0] == 0 {
            println!("  the C calls never aborted: the delays no longer open this race");
            failed = true;
        }
        if aborts[1] != 0 {
            println!("  the crate's sockets aborted");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        println!("every scenario aborts in C and never through the crate");
        ExitCode::SUCCESS
    }
}
