//! Security interop with pyzmq: pyzmq's `ThreadAuthenticator` against this crate's PLAIN and
//! CURVE clients, with czmq certificate files written here and read by pyzmq, and
//! certificates pyzmq wrote read by this crate's authenticator. (A pyzmq CURVE client against
//! this crate's allow-list is in tests/security.rs.)
//!
//! A missing Python or pyzmq skips with a `SKIPPED:` line, or fails under `CI=true` /
//! `ZMQ_REQUIRE_PEERS=1` (see tests/interop.rs). Every refusal is checked both ways: the
//! refused side gets no reply, and nothing reaches the server's application.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use support::peers::{hex, python, python_peer, require};
use support::{within, Peer, STEP_TIMEOUT};
use zmq::{
    Authenticator, Certificate, CurveKeyPair, Policy, RecvFlags, Security, SendFlags, SocketType,
};

mod common;
mod support;

const REFUSED_WAIT: Duration = Duration::from_millis(700);

fn python_or_skip() -> Option<&'static std::path::Path> {
    require(python())
}

/// The pyzmq server of tests/interop/py_auth_server.py, started with `args`.
fn python_auth_server(python: &std::path::Path, args: &[&str]) -> (Peer, String) {
    let mut all = vec!["tcp://127.0.0.1:*"];
    all.extend_from_slice(args);
    let mut server = python_peer(python, "py_auth_server.py", all);
    let endpoint = server.bound_endpoint();
    (server, endpoint)
}

/// A REQ socket set up with `security`: sends `text`, returns the reply or `None` when none
/// comes within `wait`.
fn request(endpoint: &str, security: &Security<'_>, text: &str, wait: Duration) -> Option<String> {
    let ctx = common::context();
    let client = common::socket(&ctx, SocketType::Req);
    client.set_security(security).unwrap();
    client.set_rcvtimeo(Some(wait)).unwrap();
    client.connect(endpoint).unwrap();
    client.send(text, SendFlags::empty()).unwrap();
    match client.recv_string(RecvFlags::empty()) {
        Ok(reply) => Some(reply),
        Err(zmq::Error::WouldBlock) => None,
        Err(e) => panic!("receive the reply: {e}"),
    }
}

#[test]
fn pyzmq_thread_authenticator_admits_rust_plain_clients_with_the_right_password() {
    within(|| {
        let Some(python) = python_or_skip() else {
            return;
        };
        let (mut server, endpoint) =
            python_auth_server(python, &["plain", "admin:secret", "guest:letmein"]);
        let reply = request(
            &endpoint,
            &Security::plain_client("admin", "secret"),
            "hello",
            STEP_TIMEOUT,
        );
        assert_eq!(
            reply.as_deref(),
            Some("hello from admin"),
            "{}",
            server.stderr_note()
        );
        server.expect_line(&format!("REQUEST {} FROM admin", hex(b"hello")));

        for (user, password) in [
            ("admin", "wrong"),
            ("nobody", "secret"),
            ("guest", "secret"),
        ] {
            let reply = request(
                &endpoint,
                &Security::plain_client(user, password),
                "intruder",
                REFUSED_WAIT,
            );
            assert_eq!(reply, None, "{user}:{password} got a reply");
        }
        // The server's application saw none of them; the right user still gets through.
        let reply = request(
            &endpoint,
            &Security::plain_client("guest", "letmein"),
            "later",
            STEP_TIMEOUT,
        );
        assert_eq!(reply.as_deref(), Some("later from guest"));
        server.expect_line(&format!("REQUEST {} FROM guest", hex(b"later")));
        let finished = server.finish();
        finished.assert_success();
        assert!(
            finished
                .stdout
                .iter()
                .all(|line| !line.contains(&hex(b"intruder"))),
            "{:?}",
            finished.stdout
        );
    });
}

#[test]
fn pyzmq_thread_authenticator_admits_the_rust_curve_client_whose_certificate_it_reads() {
    within(|| {
        let Some(python) = python_or_skip() else {
            return;
        };
        // The authorized clients' directory, with our client's public certificate in czmq's
        // format, which pyzmq's zmq.auth reads (it looks at *.key files).
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("interop-certs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let client_cert = Certificate::generate().unwrap();
        client_cert.save_public(dir.join("client.key")).unwrap();
        // A secret file next to it is not a client to allow.
        let other = Certificate::generate().unwrap();
        other.save_secret(dir.join("other.key_secret")).unwrap();

        let server_keys = CurveKeyPair::generate().unwrap();
        let secret = server_keys.secret().to_string();
        let dir_text = dir.to_str().unwrap().to_owned();
        let (mut server, endpoint) =
            python_auth_server(python, &["curve", secret.as_str(), dir_text.as_str()]);

        let client_keys = client_cert.key_pair().unwrap();
        let reply = request(
            &endpoint,
            &Security::curve_client(&client_keys, server_keys.public()),
            "hello",
            STEP_TIMEOUT,
        );
        let user = client_cert.public().to_string();
        assert_eq!(
            reply,
            Some(format!("hello from {user}")),
            "{}",
            server.stderr_note()
        );
        server.expect_line(&format!("REQUEST {} FROM {user}", hex(b"hello")));

        for keys in [other.key_pair().unwrap(), CurveKeyPair::generate().unwrap()] {
            let reply = request(
                &endpoint,
                &Security::curve_client(&keys, server_keys.public()),
                "intruder",
                REFUSED_WAIT,
            );
            assert_eq!(reply, None, "a client not in the directory got a reply");
        }
        let finished = server.finish();
        finished.assert_success();
        assert!(
            finished
                .stdout
                .iter()
                .all(|line| !line.contains(&hex(b"intruder"))),
            "{:?}",
            finished.stdout
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn rust_authenticator_reads_certificates_that_pyzmq_wrote() {
    within(|| {
        let Some(python) = python_or_skip() else {
            return;
        };
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("interop-pycerts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // pyzmq writes client.key and client.key_secret, as czmq would.
        let made = Peer::spawn(
            "python",
            python,
            [
                "-c",
                "import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], 'client')",
                dir.to_str().unwrap(),
            ],
        )
        .finish();
        made.assert_success();
        let client_cert = Certificate::load(dir.join("client.key_secret")).unwrap();

        let ctx = common::context();
        let auth = Authenticator::start(&ctx).unwrap();
        auth.set_policy(
            "",
            Policy::new()
                .allow_addresses([IpAddr::V4(Ipv4Addr::LOCALHOST)])
                .allow_curve_certificates(&dir),
        )
        .unwrap();
        let server_keys = CurveKeyPair::generate().unwrap();
        let server = common::socket(&ctx, SocketType::Pull);
        server
            .set_security(&Security::curve_server(&server_keys, &auth))
            .unwrap();
        server.set_rcvtimeo(Some(STEP_TIMEOUT)).unwrap();
        let endpoint = server.bind_ephemeral_port("tcp://127.0.0.1").unwrap();

        let client = common::socket(&ctx, SocketType::Push);
        let keys = client_cert
            .key_pair()
            .expect("the _secret file has the secret key");
        client
            .set_security(&Security::curve_client(&keys, server_keys.public()))
            .unwrap();
        client.connect(&endpoint).unwrap();
        client.send("signed by pyzmq", SendFlags::empty()).unwrap();
        let message = server.recv_msg(RecvFlags::empty()).unwrap();
        assert_eq!(&message[..], b"signed by pyzmq");
        assert_eq!(
            message.user_id(),
            Some(client_cert.public().to_string().as_str())
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}
