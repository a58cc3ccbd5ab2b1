//! The interop peers' tools: a Python with pyzmq and C++ programs compiled with g++ against
//! cppzmq and the system libzmq, found once per test process, and the rule for when one is
//! missing (skip loudly, or fail where peers are required).

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;

use super::Peer;

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

pub fn target_dir() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
}

pub fn peer_source(name: &str) -> PathBuf {
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
        .get_or_init(|| {
            let flags: Vec<String> = libzmq_flags()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            compile_cpp("hwserver.cpp", "hwserver-cpp", &flags)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// Compiles the C++ peer `tests/interop/<source>` with g++ (C++17, then `args`: the libzmq
/// flags, and `-shared -fPIC` for a library) into `target/tmp/interop/<output>`. A missing
/// tool or header is an `Err` that names the Debian package; a peer that does not compile
/// fails the test.
pub fn compile_cpp(source: &str, output: &str, args: &[String]) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let built = dir.join(output);
    // Written under a name of its own, then renamed: a concurrent test run never sees (or
    // loads) half a file.
    let partial = dir.join(format!("{}.{output}", std::process::id()));
    let compiled = Command::new("g++")
        .args(["-std=c++17", "-O1", "-o"])
        .arg(&partial)
        .arg(peer_source(source))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run g++ (Debian: g++): {e}"))?;
    let errors = String::from_utf8_lossy(&compiled.stderr);
    if !compiled.status.success() {
        let _ = fs::remove_file(&partial);
        if errors.contains("zmq.hpp") {
            return Err("no zmq.hpp (Debian: cppzmq-dev)".to_owned());
        }
        if errors.contains("zmq.h") {
            return Err("no zmq.h (Debian: libzmq3-dev)".to_owned());
        }
        if errors.contains("-lzmq") {
            return Err(format!(
                "no libzmq to link the C++ peer {source} (Debian: libzmq3-dev)"
            ));
        }
        panic!("tests/interop/{source} does not compile:\n{errors}");
    }
    fs::rename(&partial, &built).map_err(|e| format!("cannot move {}: {e}", partial.display()))?;
    Ok(built)
}

/// valgrind, if it is installed.
pub fn valgrind() -> Result<(), String> {
    Command::new("valgrind")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map(drop)
        .map_err(|e| format!("valgrind is not installed (Debian: valgrind): {e}"))
}

/// Reruns the test named `test` of this very test binary under valgrind and fails unless it
/// passes with no memory error and no definite leak. Call it after [`valgrind`] said yes.
/// The suppressions are scripts/valgrind's (tests/valgrind.supp).
pub fn assert_clean_under_valgrind(test: &str) {
    let suppressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valgrind.supp");
    let mut command = Command::new("valgrind");
    command
        .args([
            "--error-exitcode=97",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite",
            "--quiet",
        ])
        .arg(format!("--suppressions={}", suppressions.display()))
        .arg(env::current_exe().expect("the test's own path"));
    assert_test_passes(command, test, "under valgrind");
}

/// Runs the test named `test` alone through `command` (this very test binary, or a tool
/// wrapping it, already given the binary's path) and fails, saying `how` it ran and with all
/// it printed, unless the process succeeds and the test passed: a crash (an abort inside
/// libzmq, a valgrind error) fails the calling test instead of the whole test binary.
pub fn assert_test_passes(mut command: Command, test: &str, how: &str) {
    let output = command
        .args(["--exact", test, "--test-threads=1"])
        .stdin(Stdio::null())
        .output()
        .expect("rerun the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{test} {how} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

/// The compiler and linker flags of the system libzmq (pkg-config), or plain `-lzmq`.
pub fn libzmq_flags() -> String {
    Command::new("pkg-config")
        .args(["--cflags", "--libs", "libzmq"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map_or_else(
            || "-lzmq".to_owned(),
            |out| String::from_utf8_lossy(&out.stdout).into_owned(),
        )
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines().last().unwrap_or("").to_owned()
}
