//! Interop: the crate and its examples against real peers, as separate processes.
//!
//! The peers live in `tests/interop/`: the guide's hello-world REP server written with cppzmq
//! (compiled here with g++), and small pyzmq scripts (REQ, PUB, PULL). They talk to the
//! `hwserver` and `hwclient` examples and to sockets of this crate over loopback TCP and ipc.
//!
//! A peer whose tools are missing (g++, `zmq.hpp`, Python, pyzmq) skips its test with a
//! `SKIPPED:` line on stderr, or fails it when `CI=true` or `ZMQ_REQUIRE_PEERS=1`.
//! `scripts/test` installs all of them. Python is `$ZMQ_TEST_PYTHON`, else
//! `target/interop-venv/bin/python`, else `python3`.

use std::time::Duration;

use harness::{cpp_hwserver, example, hex, python, require, within, IpcPath, Peer, STEP_TIMEOUT};

/// The peers run from the guide's first example, before the crate is involved: when this
/// fails, the fault is in the peers or their tools, not in the crate.
#[test]
fn python_req_talks_to_cpp_hwserver() {
    within(|| {
        let (Some(server_exe), Some(python)) = (require(cpp_hwserver()), require(python())) else {
            return;
        };
        let mut server = Peer::spawn("C++ hwserver", server_exe, ["tcp://127.0.0.1:*"]);
        let endpoint = server.bound_endpoint();

        let client = Peer::python(python, "py_req.py", [endpoint.as_str(), "3"]).finish();
        client.assert_success();
        assert_eq!(client.stdout, ["world"; 3], "py_req's replies");
        for _ in 0..3 {
            server.expect_line("Received Hello");
        }
    });
}

#[test]
fn rust_hwclient_talks_to_cpp_hwserver() {
    within(|| {
        let Some(server_exe) = require(cpp_hwserver()) else {
            return;
        };
        let mut server = Peer::spawn("C++ hwserver", server_exe, ["tcp://127.0.0.1:*"]);
        let endpoint = server.bound_endpoint();

        let client =
            Peer::spawn("hwclient", example("hwclient"), [endpoint.as_str(), "10"]).finish();
        client.assert_success();
        let worlds: usize = client
            .stdout
            .iter()
            .map(|line| line.matches("world").count())
            .sum();
        assert_eq!(
            worlds, 10,
            "replies printed by hwclient: {:#?}",
            client.stdout
        );
        for _ in 0..10 {
            server.expect_line("Received Hello");
        }
    });
}

#[test]
fn python_req_talks_to_rust_hwserver() {
    within(|| {
        let Some(python) = require(python()) else {
            return;
        };
        let mut server = Peer::spawn("hwserver", example("hwserver"), ["tcp://127.0.0.1:*"]);
        let endpoint = server.bound_endpoint();

        let client = Peer::python(python, "py_req.py", [endpoint.as_str(), "10"]).finish();
        client.assert_success();
        assert_eq!(client.stdout, ["world"; 10], "py_req's replies");
        for _ in 0..10 {
            server.expect_line("Received Hello");
        }
    });
}

#[test]
fn rust_hwserver_outlives_a_client_that_leaves_mid_request() {
    within(|| {
        let Some(python) = require(python()) else {
            return;
        };
        let mut server = Peer::spawn("hwserver", example("hwserver"), ["tcp://127.0.0.1:*"]);
        let endpoint = server.bound_endpoint();

        // Sends one request and exits without reading the reply.
        let quitter = Peer::python(python, "py_req.py", [endpoint.as_str(), "1", "--abandon"]);
        quitter.finish().assert_success();
        server.expect_line("Received Hello");

        let client = Peer::python(python, "py_req.py", [endpoint.as_str(), "3"]).finish();
        client.assert_success();
        assert_eq!(
            client.stdout, ["world"; 3],
            "py_req's replies after the quitter"
        );
        for _ in 0..3 {
            server.expect_line("Received Hello");
        }
    });
}

#[test]
fn python_pub_feeds_rust_sub_over_tcp() {
    within(|| python_pub_feeds_rust_sub("tcp://127.0.0.1:*".to_owned()));
}

#[test]
fn python_pub_feeds_rust_sub_over_ipc() {
    within(|| {
        let ipc = IpcPath::new("pub-sub");
        python_pub_feeds_rust_sub(ipc.endpoint());
    });
}

/// A SUB subscribed to `weather` gets only weather, and all of it: five consecutive reports.
fn python_pub_feeds_rust_sub(endpoint: String) {
    let Some(python) = require(python()) else {
        return;
    };
    let mut publisher = Peer::python(python, "py_pub.py", [endpoint.as_str()]);
    let bound = publisher.bound_endpoint();

    let received = subscribe_and_receive(&bound, b"weather", 5)
        .unwrap_or_else(|e| panic!("SUB on {bound}: {e}{}", publisher.stderr_note()));
    for message in &received {
        assert!(
            message.starts_with("weather "),
            "got {message:?}, subscribed to weather only"
        );
    }
    let numbers: Vec<u64> = received
        .iter()
        .map(|m| {
            m["weather ".len()..]
                .parse()
                .expect("py_pub numbers its messages")
        })
        .collect();
    assert!(
        numbers.windows(2).all(|pair| pair[1] == pair[0] + 1),
        "weather reports skipped or repeated: {received:?}"
    );

    publisher.close_stdin();
    publisher.finish().assert_success();
}

fn subscribe_and_receive(endpoint: &str, prefix: &[u8], count: usize) -> zmq::Result<Vec<String>> {
    let ctx = zmq::Context::new()?;
    let sub = ctx.socket(zmq::SocketType::Sub)?;
    sub.set_rcvtimeo(Some(STEP_TIMEOUT))?;
    sub.set_linger(Some(Duration::ZERO))?;
    sub.set_subscribe(prefix)?;
    sub.connect(endpoint)?;
    (0..count)
        .map(|_| sub.recv_string(zmq::RecvFlags::empty()))
        .collect()
}

#[test]
fn rust_push_feeds_python_pull_over_tcp() {
    within(|| rust_push_feeds_python_pull("tcp://127.0.0.1:*".to_owned()));
}

#[test]
fn rust_push_feeds_python_pull_over_ipc() {
    within(|| {
        let ipc = IpcPath::new("push-pull");
        rust_push_feeds_python_pull(ipc.endpoint());
    });
}

/// Every message arrives, in order, byte for byte, with its frame boundaries.
fn rust_push_feeds_python_pull(endpoint: String) {
    let Some(python) = require(python()) else {
        return;
    };
    let messages = messages_to_push();
    let count = messages.len().to_string();
    let mut puller = Peer::python(python, "py_pull.py", [endpoint.as_str(), count.as_str()]);
    let bound = puller.bound_endpoint();

    push(&bound, &messages)
        .unwrap_or_else(|e| panic!("PUSH to {bound}: {e}{}", puller.stderr_note()));

    let pulled = puller.finish();
    pulled.assert_success();
    // py_pull's format: "MSG " and the hex of each frame, frames separated by "|".
    let expected: Vec<String> = messages
        .iter()
        .map(|frames| {
            let frames: Vec<String> = frames.iter().map(|frame| hex(frame)).collect();
            format!("MSG {}", frames.join("|"))
        })
        .collect();
    assert_eq!(pulled.stdout, expected, "what py_pull received");
}

/// A hundred messages: text, an empty one, one that is not UTF-8, one of three frames.
fn messages_to_push() -> Vec<Vec<Vec<u8>>> {
    (0..100)
        .map(|i| match i {
            10 => vec![Vec::new()],
            20 => vec![vec![0xff, 0x00, 0xfe]],
            30 => vec![b"first".to_vec(), Vec::new(), b"third \xff".to_vec()],
            _ => vec![format!("message {i}").into_bytes()],
        })
        .collect()
}

fn push(endpoint: &str, messages: &[Vec<Vec<u8>>]) -> zmq::Result<()> {
    let ctx = zmq::Context::new()?;
    let push = ctx.socket(zmq::SocketType::Push)?;
    push.set_sndtimeo(Some(STEP_TIMEOUT))?;
    // Long enough to deliver everything queued before the context terminates.
    push.set_linger(Some(STEP_TIMEOUT))?;
    push.connect(endpoint)?;
    for frames in messages {
        match frames.as_slice() {
            [frame] => push.send(frame.as_slice(), zmq::SendFlags::empty())?,
            _ => push.send_multipart(frames.iter().map(Vec::as_slice), zmq::SendFlags::empty())?,
        }
    }
    Ok(())
}

/// Peer processes, the tools that make them, and the rules for missing ones.
mod harness {
    use std::env;
    use std::ffi::{OsStr, OsString};
    use std::fs;
    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::panic;
    use std::path::{Path, PathBuf};
    use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
    use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
    use std::sync::{Arc, Mutex, OnceLock};
    use std::thread;
    use std::time::{Duration, Instant};

    /// The longest any one step may take: a line from a peer, a peer's exit, a receive.
    pub const STEP_TIMEOUT: Duration = Duration::from_secs(30);
    /// The longest a whole test may take.
    const TEST_TIMEOUT: Duration = Duration::from_secs(120);

    /// Runs a test body with a hard time limit, failing the test when it runs out.
    ///
    /// Every step already has its own timeout; this catches what has none (a hang inside
    /// libzmq, say). The body's thread is then left behind, and the peers it started die with
    /// the test process (see `die_with_parent`).
    pub fn within(body: impl FnOnce() + Send + 'static) {
        let name = thread::current()
            .name()
            .unwrap_or("interop test")
            .to_owned();
        let (done, finished) = mpsc::channel();
        let worker = thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                body();
                let _ = done.send(());
            })
            .expect("spawn the test thread");
        match finished.recv_timeout(TEST_TIMEOUT) {
            Ok(()) => {}
            Err(RecvTimeoutError::Disconnected) => {
                if let Err(payload) = worker.join() {
                    panic::resume_unwind(payload);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("{name} did not finish within {TEST_TIMEOUT:?}")
            }
        }
    }

    /// Passes a found tool through; for a missing one, fails the test where peers are required
    /// (`CI=true`, `ZMQ_REQUIRE_PEERS=1`) and otherwise says loudly that the test is skipped.
    pub fn require<T>(tool: Result<T, String>) -> Option<T> {
        let reason = match tool {
            Ok(tool) => return Some(tool),
            Err(reason) => reason,
        };
        let required = env::var("CI").is_ok_and(|v| v == "true")
            || env::var("ZMQ_REQUIRE_PEERS").is_ok_and(|v| v == "1");
        if required {
            panic!("interop peer missing: {reason}. CI=true or ZMQ_REQUIRE_PEERS=1 forbids skipping; scripts/test installs the peers");
        }
        let test = thread::current()
            .name()
            .unwrap_or("interop test")
            .to_owned();
        // Straight to stderr: libtest hides what a passing test prints with eprintln!.
        let _ = writeln!(
            io::stderr().lock(),
            "SKIPPED: {test}: {reason} (scripts/test installs the peers)"
        );
        None
    }

    fn target_dir() -> &'static Path {
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("CARGO_TARGET_TMPDIR is target/tmp")
    }

    fn peer_source(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/interop")
            .join(name)
    }

    /// A Python with pyzmq: `$ZMQ_TEST_PYTHON`, else the venv scripts/test makes, else `python3`.
    pub fn python() -> Result<&'static Path, String> {
        static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        PYTHON
            .get_or_init(find_python)
            .as_deref()
            .map_err(Clone::clone)
    }

    fn find_python() -> Result<PathBuf, String> {
        let venv = target_dir().join("interop-venv/bin/python");
        let (python, origin) = match env::var_os("ZMQ_TEST_PYTHON") {
            Some(python) => (PathBuf::from(python), "from ZMQ_TEST_PYTHON"),
            None if venv.exists() => (venv, "the interop venv"),
            None => (PathBuf::from("python3"), "from PATH"),
        };
        let probe = Command::new(&python)
            .args(["-c", "import zmq"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run Python {} ({origin}): {e}", python.display()))?;
        if !probe.status.success() {
            return Err(format!(
                "Python {} ({origin}) has no pyzmq: {}",
                python.display(),
                last_line(&probe.stderr)
            ));
        }
        Ok(python)
    }

    /// The cppzmq hello-world server, compiled once per test run into the target directory.
    pub fn cpp_hwserver() -> Result<&'static Path, String> {
        static SERVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        SERVER
            .get_or_init(compile_cpp_hwserver)
            .as_deref()
            .map_err(Clone::clone)
    }

    fn compile_cpp_hwserver() -> Result<PathBuf, String> {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let exe = dir.join("hwserver-cpp");
        // Written under a name of its own, then renamed: a concurrent test run never sees half a binary.
        let partial = dir.join(format!("hwserver-cpp.{}", std::process::id()));
        let zmq_flags = Command::new("pkg-config")
            .args(["--cflags", "--libs", "libzmq"])
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map_or_else(
                || "-lzmq".to_owned(),
                |out| String::from_utf8_lossy(&out.stdout).into_owned(),
            );
        let compiled = Command::new("g++")
            .args(["-std=c++17", "-O1", "-o"])
            .arg(&partial)
            .arg(peer_source("hwserver.cpp"))
            .args(zmq_flags.split_whitespace())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run g++ (Debian: g++): {e}"))?;
        let errors = String::from_utf8_lossy(&compiled.stderr);
        if !compiled.status.success() {
            let _ = fs::remove_file(&partial);
            if errors.contains("zmq.hpp") {
                return Err("no zmq.hpp (Debian: cppzmq-dev)".to_owned());
            }
            if errors.contains("-lzmq") {
                return Err("no libzmq to link the C++ server (Debian: libzmq3-dev)".to_owned());
            }
            panic!("tests/interop/hwserver.cpp does not compile:\n{errors}");
        }
        fs::rename(&partial, &exe)
            .map_err(|e| format!("cannot move {}: {e}", partial.display()))?;
        Ok(exe)
    }

    /// An example binary, which `cargo test` builds into `target/<profile>/examples/`.
    pub fn example(name: &str) -> PathBuf {
        // This test runs as target/<profile>/deps/interop-<hash>.
        let exe = env::current_exe().expect("the test's own path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>/deps");
        let path = profile_dir
            .join("examples")
            .join(format!("{name}{}", env::consts::EXE_SUFFIX));
        assert!(
            path.is_file(),
            "example binary {} is missing: run these tests with `cargo test`, which builds the examples \
             (or `cargo build --examples` first)",
            path.display()
        );
        path
    }

    /// The file of an `ipc://` endpoint, in the target directory (or in the system temp
    /// directory when that path would be too long for a Unix socket), removed when dropped.
    pub struct IpcPath(PathBuf);

    impl IpcPath {
        pub fn new(name: &str) -> IpcPath {
            let file = format!("{name}-{}.ipc", std::process::id());
            let mut dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
            if dir.join(&file).as_os_str().len() > 100 {
                dir = env::temp_dir();
            }
            fs::create_dir_all(&dir).expect("create the ipc directory");
            let path = dir.join(file);
            let _ = fs::remove_file(&path); // left over from a killed run
            IpcPath(path)
        }

        pub fn endpoint(&self) -> String {
            format!("ipc://{}", self.0.display())
        }
    }

    impl Drop for IpcPath {
        fn drop(&mut self) {
            let _ = fs::remove_file(&self.0);
        }
    }

    pub fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn last_line(bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        text.lines().last().unwrap_or("").to_owned()
    }

    /// A peer process, killed when dropped. Its stdout arrives line by line, its stderr is kept
    /// to explain failures.
    pub struct Peer {
        name: String,
        child: Child,
        stdin: Option<ChildStdin>,
        stdout: Receiver<String>,
        stderr: Arc<Mutex<Vec<u8>>>,
        stderr_closed: Receiver<()>,
    }

    /// A peer that has exited.
    pub struct Finished {
        name: String,
        pub status: ExitStatus,
        /// The lines it printed that were not read while it ran.
        pub stdout: Vec<String>,
        pub stderr: String,
    }

    impl Peer {
        pub fn spawn<I, S>(name: &str, program: impl AsRef<OsStr>, args: I) -> Peer
        where
            I: IntoIterator<Item = S>,
            S: AsRef<OsStr>,
        {
            let mut command = Command::new(program);
            command
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            die_with_parent(&mut command);
            let mut child = command
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}"));

            let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
            let (line_tx, lines) = mpsc::channel();
            thread::spawn(move || {
                for line in stdout.split(b'\n') {
                    let Ok(mut line) = line else { break };
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    if line_tx
                        .send(String::from_utf8_lossy(&line).into_owned())
                        .is_err()
                    {
                        break;
                    }
                }
            });

            let mut stderr_pipe = child.stderr.take().expect("piped stderr");
            let stderr = Arc::new(Mutex::new(Vec::new()));
            let (closed_tx, stderr_closed) = mpsc::channel();
            let sink = Arc::clone(&stderr);
            thread::spawn(move || {
                let mut buf = [0; 4096];
                while let Ok(n @ 1..) = stderr_pipe.read(&mut buf) {
                    sink.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend_from_slice(&buf[..n]);
                }
                let _ = closed_tx.send(());
            });

            Peer {
                name: name.to_owned(),
                stdin: child.stdin.take(),
                child,
                stdout: lines,
                stderr,
                stderr_closed,
            }
        }

        /// Runs one of the Python peers in tests/interop/.
        pub fn python<'a>(
            python: &Path,
            script: &str,
            args: impl IntoIterator<Item = &'a str>,
        ) -> Peer {
            let mut argv = vec![peer_source(script).into_os_string()];
            argv.extend(args.into_iter().map(OsString::from));
            Peer::spawn(script, python, argv)
        }

        /// The next line on stdout; fails the test if none comes in time.
        pub fn next_line(&mut self) -> String {
            match self.stdout.recv_timeout(STEP_TIMEOUT) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{}: no line on stdout within {STEP_TIMEOUT:?}{}",
                    self.name,
                    self.stderr_note()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "{}: stdout closed early (exit: {:?}){}",
                    self.name,
                    self.child.try_wait().ok().flatten(),
                    self.stderr_note()
                ),
            }
        }

        pub fn expect_line(&mut self, expected: &str) {
            let line = self.next_line();
            assert_eq!(line, expected, "{}: unexpected line on stdout", self.name);
        }

        /// Reads the `BOUND <endpoint>` line a peer prints after binding a wildcard endpoint.
        pub fn bound_endpoint(&mut self) -> String {
            let line = self.next_line();
            match line.strip_prefix("BOUND ") {
                Some(endpoint) => endpoint.to_owned(),
                None => panic!(
                    "{}: expected `BOUND <endpoint>` first, got {line:?}",
                    self.name
                ),
            }
        }

        /// Closes the peer's stdin: py_pub stops publishing then.
        pub fn close_stdin(&mut self) {
            drop(self.stdin.take());
        }

        /// Waits for the peer to exit by itself (killing it and failing the test if it does not
        /// in time) and collects what it printed.
        pub fn finish(mut self) -> Finished {
            self.close_stdin();
            let deadline = Instant::now() + STEP_TIMEOUT;
            let status = loop {
                match self.child.try_wait() {
                    Ok(Some(status)) => break status,
                    Ok(None) if Instant::now() < deadline => {
                        thread::sleep(Duration::from_millis(10))
                    }
                    Ok(None) => panic!(
                        "{} did not exit within {STEP_TIMEOUT:?}{}",
                        self.name,
                        self.stderr_note()
                    ),
                    Err(e) => panic!("{}: cannot wait for it: {e}", self.name),
                }
            };
            let left = || deadline.saturating_duration_since(Instant::now());
            let mut stdout = Vec::new();
            loop {
                match self.stdout.recv_timeout(left()) {
                    Ok(line) => stdout.push(line),
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {
                        panic!("{}: stdout still open after exit", self.name)
                    }
                }
            }
            let _ = self.stderr_closed.recv_timeout(left());
            Finished {
                name: self.name.clone(),
                status,
                stdout,
                stderr: self.stderr_text(),
            }
        }

        fn stderr_text(&self) -> String {
            let bytes = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
            String::from_utf8_lossy(&bytes).into_owned()
        }

        /// What the peer wrote to stderr so far, to append to a failure message.
        pub fn stderr_note(&self) -> String {
            match self.stderr_text().trim_end() {
                "" => String::new(),
                text => format!("\n--- {} stderr ---\n{text}", self.name),
            }
        }
    }

    impl Drop for Peer {
        fn drop(&mut self) {
            // Both fail harmlessly when the peer has already exited and been waited for.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl Finished {
        pub fn assert_success(&self) {
            assert!(
                self.status.success(),
                "{} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.name,
                self.status,
                self.stdout.join("\n"),
                self.stderr.trim_end()
            );
        }
    }

    /// Has the kernel kill the peer if the thread that started it dies, so that not even a test
    /// that hangs and is abandoned by `within` leaves a server running after the test process.
    #[cfg(target_os = "linux")]
    fn die_with_parent(command: &mut Command) {
        use std::os::raw::{c_int, c_ulong};
        use std::os::unix::process::CommandExt;

        extern "C" {
            fn prctl(option: c_int, ...) -> c_int;
        }
        const PR_SET_PDEATHSIG: c_int = 1;
        const SIGKILL: c_ulong = 9;

        // SAFETY: the closure runs in the forked child before exec and only makes one
        // async-signal-safe system call, which changes nothing but the child's own settings.
        unsafe {
            command.pre_exec(|| {
                if prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn die_with_parent(_command: &mut Command) {}
}
