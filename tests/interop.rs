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

use peers::{cpp_hwserver, hex, python, python_peer, require};
use support::{example, within, IpcPath, Peer, STEP_TIMEOUT};

mod support;

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

        let client = python_peer(python, "py_req.py", [endpoint.as_str(), "3"]).finish();
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

        let client = python_peer(python, "py_req.py", [endpoint.as_str(), "10"]).finish();
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
        let quitter = python_peer(python, "py_req.py", [endpoint.as_str(), "1", "--abandon"]);
        quitter.finish().assert_success();
        server.expect_line("Received Hello");

        let client = python_peer(python, "py_req.py", [endpoint.as_str(), "3"]).finish();
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
    let mut publisher = python_peer(python, "py_pub.py", [endpoint.as_str()]);
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
    let mut puller = python_peer(python, "py_pull.py", [endpoint.as_str(), count.as_str()]);
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

/// The interop peers (a C++ server, pyzmq scripts), the tools that make them, and the rules for
/// missing ones. The process harness that runs them is in tests/support/.
mod peers {
    use std::env;
    use std::ffi::OsString;
    use std::fs;
    use std::io::{self, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::OnceLock;
    use std::thread;

    use crate::support::Peer;

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

    /// Runs one of the Python peers in tests/interop/.
    pub fn python_peer<'a>(
        python: &Path,
        script: &str,
        args: impl IntoIterator<Item = &'a str>,
    ) -> Peer {
        let mut argv = vec![peer_source(script).into_os_string()];
        argv.extend(args.into_iter().map(OsString::from));
        Peer::spawn(script, python, argv)
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

    pub fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn last_line(bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        text.lines().last().unwrap_or("").to_owned()
    }
}
