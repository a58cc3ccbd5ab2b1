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

use support::peers::{cpp_hwserver, hex, python, python_peer, require};
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
