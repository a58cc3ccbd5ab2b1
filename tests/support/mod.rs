//! Example programs and peers run as processes by the integration tests (interop.rs,
//! examples.rs): kill-on-drop children whose stdout is read line by line with a timeout,
//! a hard time limit per test, and the paths of the example binaries.

// Each test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

pub mod peers;

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::panic;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
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
    let name = thread::current().name().unwrap_or("test").to_owned();
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

/// An example binary, which `cargo test` builds into `target/<profile>/examples/`.
pub fn example(name: &str) -> PathBuf {
    // A test runs as target/<profile>/deps/<test>-<hash>.
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
        let mut dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ipc");
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
        command.args(args);
        Peer::spawn_command(name, command)
    }

    /// Starts a peer from a prepared command (environment, working directory, ...); its
    /// stdin, stdout and stderr are replaced by pipes.
    pub fn spawn_command(name: &str, mut command: Command) -> Peer {
        command
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

    /// The next line on stdout if one comes within `timeout`; `None` when none does or
    /// stdout is closed.
    pub fn next_line_within(&mut self, timeout: Duration) -> Option<String> {
        self.stdout.recv_timeout(timeout).ok()
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

    /// Writes one line to the peer's stdin (taskvent starts on one).
    pub fn send_line(&mut self, line: &str) {
        let name = &self.name;
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("{name}: stdin is already closed"));
        if let Err(e) = writeln!(stdin, "{line}").and_then(|()| stdin.flush()) {
            panic!("{name}: cannot write to stdin: {e}{}", self.stderr_note());
        }
    }

    /// Waits for the peer to exit by itself (killing it and failing the test if it does not
    /// in time) and collects what it printed.
    pub fn finish(mut self) -> Finished {
        self.close_stdin();
        let deadline = Instant::now() + STEP_TIMEOUT;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                Ok(None) => panic!(
                    "{} did not exit within {STEP_TIMEOUT:?}{}",
                    self.name,
                    self.stderr_note()
                ),
                Err(e) => panic!("{}: cannot wait for it: {e}", self.name),
            }
        };
        self.collect(status, deadline)
    }

    /// Kills a peer that runs until it is killed (a server, a worker) and collects what it
    /// printed.
    pub fn stop(mut self) -> Finished {
        let _ = self.child.kill();
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("{}: cannot wait for it: {e}", self.name));
        self.collect(status, Instant::now() + STEP_TIMEOUT)
    }

    /// The rest of the output of a peer that has exited.
    fn collect(&mut self, status: ExitStatus, deadline: Instant) -> Finished {
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
