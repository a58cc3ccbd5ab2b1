//! The security examples run as processes: `curve_server` and `curve_client` against each
//! other and against CURVE sockets of this test, and `ironhouse` on its own.
//!
//! The example binaries are built by `cargo test` (or `cargo build --examples`), not by
//! `cargo test --test security_examples` alone.

use std::time::Duration;

use support::{example, within, Peer, STEP_TIMEOUT};
use zmq::{CurveKeyPair, RecvFlags, Security, SendFlags, SocketType};

mod common;
mod support;

/// A REQ socket of this test with `keys`, talking CURVE to the server with public key
/// `server`: sends `text` and returns the reply, or `None` when none comes within `wait`.
fn ask(
    endpoint: &str,
    keys: &CurveKeyPair,
    server: &zmq::CurveKey,
    text: &str,
    wait: Duration,
) -> Option<Vec<String>> {
    let ctx = common::context();
    let client = common::socket(&ctx, SocketType::Req);
    client
        .set_security(&Security::curve_client(keys, server))
        .expect("CURVE client setup");
    client.set_rcvtimeo(Some(wait)).expect("set RCVTIMEO");
    client.connect(endpoint).expect("connect");
    client.send(text, SendFlags::empty()).expect("send");
    match client.recv_multipart(RecvFlags::empty()) {
        Ok(reply) => Some(
            reply
                .iter()
                .map(|frame| String::from_utf8_lossy(frame).into_owned())
                .collect(),
        ),
        Err(zmq::Error::WouldBlock) => None,
        Err(e) => panic!("receive the reply: {e}"),
    }
}

#[test]
fn curve_server_with_an_allow_list_echoes_allowed_clients_only() {
    within(|| {
        let server_keys = CurveKeyPair::generate().unwrap();
        let allowed = CurveKeyPair::generate().unwrap();
        let secret = server_keys.secret().to_string();
        let allowed_public = allowed.public().to_string();
        let mut server = Peer::spawn(
            "curve_server",
            example("curve_server"),
            [
                "tcp://127.0.0.1:*",
                secret.as_str(),
                allowed_public.as_str(),
            ],
        );
        let endpoint = server.bound_endpoint();

        let reply = ask(
            &endpoint,
            &allowed,
            server_keys.public(),
            "hi",
            STEP_TIMEOUT,
        );
        assert_eq!(
            reply,
            Some(vec!["hi".to_owned()]),
            "{}",
            server.stderr_note()
        );
        server.expect_line(&format!("Received hi from {allowed_public}"));

        // curve_client makes a key of its own, which is not on the list: refused, and it says
        // so within its five seconds.
        let public = server_keys.public().to_string();
        let refused = Peer::spawn(
            "curve_client",
            example("curve_client"),
            [endpoint.as_str(), public.as_str(), "let me in"],
        )
        .finish();
        assert_eq!(refused.status.code(), Some(1), "{}", refused.stderr);
        assert!(refused.stdout.is_empty(), "{:?}", refused.stdout);
        assert!(
            refused.stderr.contains("refused") && refused.stderr.contains("400"),
            "{}",
            refused.stderr
        );

        // A client with the wrong idea of the server's key gets nothing either.
        let impostor = CurveKeyPair::generate().unwrap();
        assert_eq!(
            ask(
                &endpoint,
                &allowed,
                impostor.public(),
                "hi",
                Duration::from_millis(500)
            ),
            None
        );

        // The server is still serving, and saw nothing from the refused ones.
        let reply = ask(
            &endpoint,
            &allowed,
            server_keys.public(),
            "again",
            STEP_TIMEOUT,
        );
        assert_eq!(reply, Some(vec!["again".to_owned()]));
        server.expect_line(&format!("Received again from {allowed_public}"));
    });
}

#[test]
fn curve_server_without_client_keys_admits_any_key_and_curve_client_prints_the_echo() {
    within(|| {
        let server_keys = CurveKeyPair::generate().unwrap();
        let secret = server_keys.secret().to_string();
        let mut server = Peer::spawn(
            "curve_server",
            example("curve_server"),
            ["tcp://127.0.0.1:*", secret.as_str()],
        );
        let endpoint = server.bound_endpoint();
        let public = server_keys.public().to_string();

        let client = Peer::spawn(
            "curve_client",
            example("curve_client"),
            [endpoint.as_str(), public.as_str()],
        )
        .finish();
        client.assert_success();
        assert_eq!(client.stdout, ["hello"]);
        server.expect_line("Received hello from an unauthenticated key");

        let client = Peer::spawn(
            "curve_client",
            example("curve_client"),
            [endpoint.as_str(), public.as_str(), "two words"],
        )
        .finish();
        client.assert_success();
        assert_eq!(client.stdout, ["two words"]);

        // With a wrong server key there is no handshake: status 1 and a reason.
        let wrong = CurveKeyPair::generate().unwrap().public().to_string();
        let lost = Peer::spawn(
            "curve_client",
            example("curve_client"),
            [endpoint.as_str(), wrong.as_str()],
        )
        .finish();
        assert_eq!(lost.status.code(), Some(1), "{}", lost.stderr);
        assert!(lost.stdout.is_empty(), "{:?}", lost.stdout);
        assert!(lost.stderr.contains("no reply"), "{}", lost.stderr);
    });
}

#[test]
fn ironhouse_runs_the_whole_pattern() {
    within(|| {
        let run = Peer::spawn("ironhouse", example("ironhouse"), [""; 0]).finish();
        run.assert_success();
        assert_eq!(run.stdout, ["Ironhouse test OK"]);
    });
}

#[test]
fn security_examples_reject_bad_arguments_with_status_2() {
    within(|| {
        let key = CurveKeyPair::generate().unwrap().public().to_string();
        let cases: [(&str, Vec<&str>); 7] = [
            ("curve_server", vec![]),
            ("curve_server", vec!["tcp://127.0.0.1:*"]),
            ("curve_server", vec!["tcp://127.0.0.1:*", "not a key"]),
            ("curve_server", vec!["tcp://127.0.0.1:*", &key, "#####"]),
            ("curve_client", vec!["tcp://127.0.0.1:1"]),
            ("curve_client", vec!["tcp://127.0.0.1:1", &key[1..]]),
            ("curve_client", vec!["tcp://127.0.0.1:1", &key, "a", "b"]),
        ];
        for (name, args) in cases {
            let run = Peer::spawn(name, example(name), &args).finish();
            assert_eq!(
                run.status.code(),
                Some(2),
                "{name} {args:?}: exit status (stderr: {})",
                run.stderr
            );
            assert!(
                run.stderr.starts_with(&format!("{name}: ")) && run.stderr.contains("usage: "),
                "{name} {args:?}: stderr {:?}",
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{name} {args:?}: {:?}", run.stdout);
        }
        let run = Peer::spawn("ironhouse", example("ironhouse"), ["extra"]).finish();
        assert_eq!(run.status.code(), Some(2));
    });
}
