//! One-call security setup and the ZAP `Authenticator`: every refused client delivers
//! nothing (a receive with a short timeout times out) and the server's monitor says why.
//! The last tests talk to pyzmq peers (tests/interop/py_curve_client.py, py_auth_server.py):
//! a missing pyzmq skips them loudly, or fails them where peers are required (see
//! tests/support/peers.rs).

mod common;
mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{assert_silent, context, socket, unique_name, TIMEOUT};
use support::peers::{hex, python, python_peer, require};
use support::{within, STEP_TIMEOUT};
use zmq::{
    Authenticator, ClientAuth, Context, Credentials, CurveKey, CurveKeyPair, Error, Mechanism,
    Monitor, MonitorEvent, MonitorEvents, Policy, ProtocolError, RecvFlags, Security, SendFlags,
    Socket, SocketType, ZapDecision,
};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const OTHER_LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
/// How long a refused client waits for the reply (or a message) that must not come.
const REFUSED: Duration = Duration::from_secs(1);

/// The handshake events a server's monitor reports.
fn handshake_events() -> MonitorEvents {
    MonitorEvents::HANDSHAKE_FAILED_AUTH
        | MonitorEvents::HANDSHAKE_FAILED_PROTOCOL
        | MonitorEvents::HANDSHAKE_FAILED_NO_DETAIL
        | MonitorEvents::HANDSHAKE_SUCCEEDED
}

/// A PULL server with `security`, bound to an ephemeral TCP port; returns it and its endpoint.
fn server(ctx: &Context, security: &Security<'_>) -> (Socket, String) {
    let server = socket(ctx, SocketType::Pull);
    server
        .set_security(security)
        .expect("set the server's security");
    server.bind("tcp://127.0.0.1:*").expect("bind");
    let endpoint = server.last_endpoint().expect("LAST_ENDPOINT");
    (server, endpoint)
}

/// A PUSH client with `security`, connected to `endpoint`, that has sent `text`.
fn client_sends(ctx: &Context, security: &Security<'_>, endpoint: &str, text: &str) -> Socket {
    let client = socket(ctx, SocketType::Push);
    client
        .set_security(security)
        .expect("set the client's security");
    client.connect(endpoint).expect("connect");
    client.send(text, SendFlags::empty()).expect("send");
    client
}

/// The next message on `server`, which must come within the test timeout.
fn receive(server: &Socket) -> zmq::Message {
    server.recv_msg(RecvFlags::empty()).expect("a message")
}

/// Waits for the first monitor event `wanted` accepts, skipping others; fails after
/// [`TIMEOUT`].
fn wait_for(monitor: &Monitor<'_>, wanted: impl Fn(&MonitorEvent) -> bool) -> MonitorEvent {
    common::wait_for_event(monitor, "the expected monitor event", wanted).0
}

fn refused_with(monitor: &Monitor<'_>, status: u32) {
    wait_for(monitor, |event| match event {
        MonitorEvent::HandshakeFailedAuth { status: s, .. } => {
            assert_eq!(*s, status, "{event:?}");
            true
        }
        MonitorEvent::HandshakeSucceeded { .. } => panic!("the handshake succeeded"),
        _ => false,
    });
}

fn failed_protocol(monitor: &Monitor<'_>) -> ProtocolError {
    match wait_for(monitor, |event| {
        assert!(
            !matches!(event, MonitorEvent::HandshakeSucceeded { .. }),
            "the handshake succeeded"
        );
        matches!(event, MonitorEvent::HandshakeFailedProtocol { .. })
    }) {
        MonitorEvent::HandshakeFailedProtocol { error, .. } => error,
        _ => unreachable!(),
    }
}

fn keys() -> CurveKeyPair {
    CurveKeyPair::generate().expect("generate a CURVE key pair (this build has CURVE)")
}

// ---- CURVE ----------------------------------------------------------------------------------

#[test]
fn a_curve_client_on_the_allow_list_passes_with_its_key_as_user_id() {
    let ctx = context();
    let (server_keys, client_keys) = (keys(), keys());
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().allow_curve_keys([*client_keys.public()]))
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    assert_eq!(server.mechanism().unwrap(), Mechanism::Curve);
    assert!(server.curve_server().unwrap());
    let client = client_sends(
        &ctx,
        &Security::curve_client(&client_keys, server_keys.public()),
        &endpoint,
        "hello",
    );
    assert!(!client.curve_server().unwrap());
    let msg = receive(&server);
    assert_eq!(&msg[..], b"hello");
    assert_eq!(msg.user_id(), Some(client_keys.public().to_z85().as_str()));
}

#[test]
fn a_curve_client_with_the_wrong_server_key_gets_nothing_through() {
    let ctx = context();
    let (server_keys, client_keys, impostor) = (keys(), keys(), keys());
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().allow_any_curve_key())
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    let monitor = server.monitor(handshake_events()).unwrap();
    let _client = client_sends(
        &ctx,
        &Security::curve_client(&client_keys, impostor.public()),
        &endpoint,
        "hello",
    );
    // The server cannot open the client's HELLO box.
    assert_eq!(failed_protocol(&monitor), ProtocolError::ZmtpCryptographic);
    assert_silent(&server);
}

#[test]
fn an_unknown_curve_key_under_an_allow_list_is_refused_with_400() {
    let ctx = context();
    let (server_keys, known, stranger) = (keys(), keys(), keys());
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().allow_curve_keys([*known.public()]))
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    let monitor = server.monitor(handshake_events()).unwrap();
    let _client = client_sends(
        &ctx,
        &Security::curve_client(&stranger, server_keys.public()),
        &endpoint,
        "hello",
    );
    refused_with(&monitor, 400);
    assert_silent(&server);
}

#[test]
fn all_zero_client_keys_get_nothing_through() {
    let ctx = context();
    let server_keys = keys();
    let zero = CurveKey::from_bytes([0; 32]);
    let auth = Authenticator::start(&ctx).unwrap();
    // Even under a policy that admits any key: the handshake itself fails.
    auth.set_policy("", Policy::new().allow_any_curve_key())
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    let monitor = server.monitor(handshake_events()).unwrap();
    // A key pair of zeros cannot be a CurveKeyPair: the raw setters make one.
    let client = socket(&ctx, SocketType::Push);
    client.set_curve_serverkey(server_keys.public()).unwrap();
    client.set_curve_publickey(&zero).unwrap();
    client.set_curve_secretkey(&zero).unwrap();
    client.connect(&endpoint).unwrap();
    client.send("hello", SendFlags::empty()).unwrap();
    assert_eq!(failed_protocol(&monitor), ProtocolError::ZmtpCryptographic);
    assert_silent(&server);
}

#[test]
fn an_all_zero_server_key_gets_nothing_through() {
    let ctx = context();
    let (server_keys, client_keys) = (keys(), keys());
    let zero = CurveKey::from_bytes([0; 32]);
    let (server, endpoint) = server(
        &ctx,
        &Security::curve_server(&server_keys, ClientAuth::AnyClientKey),
    );
    let monitor = server.monitor(handshake_events()).unwrap();
    let _client = client_sends(
        &ctx,
        &Security::curve_client(&client_keys, &zero),
        &endpoint,
        "hello",
    );
    assert_silent(&server);
    // Whatever the client managed to send, the server never completed a handshake.
    while let Some(event) = monitor.try_event().unwrap() {
        assert!(
            !matches!(event, MonitorEvent::HandshakeSucceeded { .. }),
            "{event:?}"
        );
    }
}

#[test]
fn null_and_plain_clients_get_nothing_through_a_curve_server() {
    let ctx = context();
    let server_keys = keys();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy(
        "",
        Policy::new()
            .allow_any_curve_key()
            .allow_null()
            .plain_users([("admin", "secret")]),
    )
    .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    for client_security in [Security::Null, Security::plain_client("admin", "secret")] {
        let monitor = server.monitor(handshake_events()).unwrap();
        let _client = client_sends(&ctx, &client_security, &endpoint, "hello");
        assert_eq!(
            failed_protocol(&monitor),
            ProtocolError::ZmtpMechanismMismatch,
            "{client_security:?}"
        );
        assert_silent(&server);
    }
}

#[test]
fn any_client_key_admits_every_key_pair() {
    let ctx = context();
    let server_keys = keys();
    let (server, endpoint) = server(
        &ctx,
        &Security::curve_server(&server_keys, ClientAuth::AnyClientKey),
    );
    let clients: Vec<Socket> = (0..3)
        .map(|i| {
            client_sends(
                &ctx,
                &Security::curve_client(&keys(), server_keys.public()),
                &endpoint,
                &format!("client {i}"),
            )
        })
        .collect();
    let mut received: Vec<String> = (0..clients.len())
        .map(|_| String::from_utf8(receive(&server).to_vec()).unwrap())
        .collect();
    received.sort();
    assert_eq!(received, ["client 0", "client 1", "client 2"]);
}

/// A fresh directory under Cargo's scratch directory for integration tests.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(unique_name(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A certificate file as czmq writes it.
fn certificate(public: &CurveKey, secret: Option<&CurveKey>) -> String {
    let mut text = String::from(
        "#   ****  Generated by a test  ****\n#   ZeroMQ CURVE Public Certificate\n\
         metadata\n    name = \"test\"\ncurve\n",
    );
    text += &format!("    public-key = \"{public}\"\n");
    if let Some(secret) = secret {
        text += &format!("    secret-key = \"{secret}\"\n");
    }
    text
}

#[test]
fn allow_curve_certificates_admits_the_keys_in_a_directory() {
    let ctx = context();
    let (server_keys, listed, secret_only) = (keys(), keys(), keys());
    let dir = scratch_dir("certificates");
    std::fs::write(dir.join("client.key"), certificate(listed.public(), None)).unwrap();
    // Only a `_secret` file for this one: it is not a public certificate, so not admitted.
    std::fs::write(
        dir.join("other.key_secret"),
        certificate(secret_only.public(), Some(secret_only.secret())),
    )
    .unwrap();

    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().allow_curve_certificates(&dir))
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    let _ok = client_sends(
        &ctx,
        &Security::curve_client(&listed, server_keys.public()),
        &endpoint,
        "listed",
    );
    let msg = receive(&server);
    assert_eq!(&msg[..], b"listed");
    assert_eq!(msg.user_id(), Some(listed.public().to_z85().as_str()));

    let monitor = server.monitor(handshake_events()).unwrap();
    let _refused = client_sends(
        &ctx,
        &Security::curve_client(&secret_only, server_keys.public()),
        &endpoint,
        "secret only",
    );
    refused_with(&monitor, 400);
    assert_silent(&server);

    // A directory that cannot be read is an error, and the old policy stays.
    assert!(auth
        .set_policy(
            "",
            Policy::new().allow_curve_certificates(dir.join("missing"))
        )
        .is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- PLAIN ----------------------------------------------------------------------------------

fn plain_setup(ctx: &Context, auth: &Authenticator) -> (Socket, String) {
    auth.set_policy("", Policy::new().plain_users([("admin", "secret")]))
        .unwrap();
    server(ctx, &Security::plain_server(auth))
}

#[test]
fn plain_with_the_right_password_passes_with_the_user_name_as_user_id() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    let (server, endpoint) = plain_setup(&ctx, &auth);
    assert!(server.plain_server().unwrap());
    let _client = client_sends(
        &ctx,
        &Security::plain_client("admin", "secret"),
        &endpoint,
        "hello",
    );
    let msg = receive(&server);
    assert_eq!(&msg[..], b"hello");
    assert_eq!(msg.user_id(), Some("admin"));
}

#[test]
fn plain_with_a_wrong_password_or_an_unknown_user_is_refused_with_400() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    let (server, endpoint) = plain_setup(&ctx, &auth);
    for (user, password) in [
        ("admin", "wrong"),
        ("admin", "secret "),
        ("nobody", "secret"),
    ] {
        let monitor = server.monitor(handshake_events()).unwrap();
        let _client = client_sends(
            &ctx,
            &Security::plain_client(user, password),
            &endpoint,
            "hello",
        );
        refused_with(&monitor, 400);
        assert_silent(&server);
    }
}

/// libzmq 4.3 refuses every PLAIN client when no ZAP handler runs (plain_server.cpp: the
/// ZAP connection fails, the handshake fails with no detail, errno EFAULT). The raw option
/// setters can build that server; `Security::plain_server` cannot, as it needs an
/// `Authenticator`.
#[test]
fn a_plain_server_without_an_authenticator_admits_nobody() {
    let ctx = context();
    let server = socket(&ctx, SocketType::Pull);
    server.set_plain_server(true).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let monitor = server.monitor(handshake_events()).unwrap();
    let _client = client_sends(
        &ctx,
        &Security::plain_client("admin", "secret"),
        &endpoint,
        "hello",
    );
    match wait_for(&monitor, |_| true) {
        MonitorEvent::HandshakeFailedNoDetail { error, .. } => {
            assert_eq!(error.errno(), libc::EFAULT)
        }
        other => panic!("expected a handshake failure with no detail, got {other:?}"),
    }
    assert_silent(&server);
}

#[test]
fn plain_credentials_are_checked_before_any_option_changes() {
    let ctx = context();
    let client = socket(&ctx, SocketType::Push);
    let long = "x".repeat(256);
    for (user, password) in [
        ("", "secret"),
        ("admin", ""),
        (long.as_str(), "p"),
        ("u", &long),
    ] {
        assert_eq!(
            client.set_security(&Security::plain_client(user, password)),
            Err(Error::InvalidArgument),
            "{user:?} {password:?}"
        );
    }
    assert_eq!(
        client.set_security(&Security::plain_client("ad\0min", "secret")),
        Err(Error::InteriorNul { position: 2 })
    );
    assert_eq!(client.mechanism().unwrap(), Mechanism::Null);
    // 255 bytes is the longest libzmq takes.
    let longest = "x".repeat(255);
    client
        .set_security(&Security::plain_client(&longest, &longest))
        .unwrap();
    assert_eq!(client.plain_username().unwrap(), longest);
    assert_eq!(client.mechanism().unwrap(), Mechanism::Plain);
    // Back to NULL.
    client.set_security(&Security::Null).unwrap();
    assert_eq!(client.mechanism().unwrap(), Mechanism::Null);
}

#[test]
fn an_authenticator_of_another_context_or_a_stopped_one_is_refused() {
    let (ctx, other) = (context(), context());
    let auth = Authenticator::start(&other).unwrap();
    let server_keys = keys();
    let socket = socket(&ctx, SocketType::Pull);
    assert_eq!(
        socket.set_security(&Security::plain_server(&auth)),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        socket.set_security(&Security::curve_server(&server_keys, &auth)),
        Err(Error::InvalidArgument)
    );
    assert_eq!(socket.mechanism().unwrap(), Mechanism::Null);

    let shut = context();
    let stopped = Authenticator::start(&shut).unwrap();
    let doomed = shut.socket(SocketType::Pull).unwrap();
    shut.shutdown();
    common::eventually("the authenticator to stop", || {
        (!stopped.is_running()).then_some(())
    });
    assert_eq!(
        doomed.set_security(&Security::plain_server(&stopped)),
        Err(Error::InvalidState)
    );
    assert_eq!(
        stopped.set_policy("", Policy::new()),
        Err(Error::InvalidState)
    );
}

// ---- Addresses, NULL, domains -----------------------------------------------------------------

/// Connects a CURVE client from `source` and says whether its message got through within
/// `wait`.
fn passes_from(
    ctx: &Context,
    server: &Socket,
    endpoint: &str,
    source: IpAddr,
    server_key: &CurveKey,
    wait: Duration,
) -> bool {
    let port = endpoint.rsplit(':').next().unwrap();
    let client = socket(ctx, SocketType::Push);
    client
        .set_security(&Security::curve_client(&keys(), server_key))
        .unwrap();
    client
        .connect(&format!("tcp://{source}:0;127.0.0.1:{port}"))
        .unwrap();
    client.send("hello", SendFlags::empty()).unwrap();
    server.set_rcvtimeo(Some(wait)).unwrap();
    let received = server.recv_msg(RecvFlags::empty());
    server.set_rcvtimeo(Some(TIMEOUT)).unwrap();
    match received {
        Ok(msg) => {
            assert_eq!(msg.peer_address(), Some(source.to_string().as_str()));
            true
        }
        Err(Error::WouldBlock) => false,
        Err(e) => panic!("receive: {e}"),
    }
}

#[test]
fn addresses_are_checked_before_the_mechanism() {
    let ctx = context();
    let server_keys = keys();
    let auth = Authenticator::start(&ctx).unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    let key = *server_keys.public();

    // A deny list.
    auth.set_policy(
        "",
        Policy::new()
            .deny_addresses([OTHER_LOOPBACK])
            .allow_any_curve_key(),
    )
    .unwrap();
    let monitor = server.monitor(handshake_events()).unwrap();
    assert!(!passes_from(
        &ctx,
        &server,
        &endpoint,
        OTHER_LOOPBACK,
        &key,
        REFUSED
    ));
    refused_with(&monitor, 400);
    assert!(passes_from(
        &ctx, &server, &endpoint, LOCALHOST, &key, TIMEOUT
    ));

    // An allow list: only 127.0.0.1 (and it wins over the deny list).
    auth.set_policy(
        "",
        Policy::new()
            .allow_addresses([LOCALHOST])
            .deny_addresses([OTHER_LOOPBACK, LOCALHOST])
            .allow_any_curve_key(),
    )
    .unwrap();
    assert!(!passes_from(
        &ctx,
        &server,
        &endpoint,
        OTHER_LOOPBACK,
        &key,
        REFUSED
    ));
    assert!(passes_from(
        &ctx, &server, &endpoint, LOCALHOST, &key, TIMEOUT
    ));
    assert_silent(&server);
}

#[test]
fn null_with_a_domain_asks_the_authenticator() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("open", Policy::new().allow_null()).unwrap();
    auth.set_policy("closed", Policy::new()).unwrap();

    let (open, open_endpoint) = server(&ctx, &Security::Null.with_domain("open"));
    assert_eq!(open.zap_domain().unwrap(), "open");
    let _a = client_sends(&ctx, &Security::Null, &open_endpoint, "in");
    assert_eq!(&receive(&open)[..], b"in");

    let (closed, closed_endpoint) = server(&ctx, &Security::Null.with_domain("closed"));
    let monitor = closed.monitor(handshake_events()).unwrap();
    let _b = client_sends(&ctx, &Security::Null, &closed_endpoint, "out");
    refused_with(&monitor, 400);
    assert_silent(&closed);
}

#[test]
fn null_without_a_domain_is_not_sent_to_the_authenticator() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    let asked = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&asked);
    auth.set_policy(
        "",
        Policy::new().callback(move |_| {
            *counter.lock().unwrap() += 1;
            ZapDecision::deny("no")
        }),
    )
    .unwrap();
    let (server, endpoint) = server(&ctx, &Security::Null);
    let _client = client_sends(&ctx, &Security::Null, &endpoint, "hello");
    assert_eq!(&receive(&server)[..], b"hello");
    assert_eq!(*asked.lock().unwrap(), 0);
    // An empty domain is no domain.
    assert!(matches!(Security::Null.with_domain(""), Security::Null));
}

#[test]
fn each_domain_has_its_own_policy() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("a", Policy::new().plain_users([("alice", "pa")]))
        .unwrap();
    auth.set_policy("b", Policy::new().plain_users([("bob", "pb")]))
        .unwrap();
    let (a, a_endpoint) = server(&ctx, &Security::plain_server(&auth).with_domain("a"));
    let (b, b_endpoint) = server(&ctx, &Security::plain_server(&auth).with_domain("b"));

    let _alice = client_sends(
        &ctx,
        &Security::plain_client("alice", "pa"),
        &a_endpoint,
        "to a",
    );
    assert_eq!(receive(&a).user_id(), Some("alice"));
    let _bob = client_sends(
        &ctx,
        &Security::plain_client("bob", "pb"),
        &b_endpoint,
        "to b",
    );
    assert_eq!(receive(&b).user_id(), Some("bob"));

    let monitor = b.monitor(handshake_events()).unwrap();
    let _alice_at_b = client_sends(
        &ctx,
        &Security::plain_client("alice", "pa"),
        &b_endpoint,
        "no",
    );
    refused_with(&monitor, 400);
    assert_silent(&b);

    // A domain without a policy refuses everyone.
    let (c, c_endpoint) = server(&ctx, &Security::plain_server(&auth).with_domain("c"));
    let monitor = c.monitor(handshake_events()).unwrap();
    let _alice_at_c = client_sends(
        &ctx,
        &Security::plain_client("alice", "pa"),
        &c_endpoint,
        "no",
    );
    refused_with(&monitor, 400);
    assert_silent(&c);
}

// ---- Callbacks and live changes -------------------------------------------------------------

#[test]
fn a_callback_decides_what_the_built_in_rules_do_not_admit() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    auth.set_policy(
        "custom",
        Policy::new()
            .plain_users([("admin", "secret")])
            .callback(move |request| {
                let Credentials::Plain { username, password } = request.credentials else {
                    return ZapDecision::deny("PLAIN only");
                };
                record.lock().unwrap().push((
                    request.domain.to_owned(),
                    request.ip(),
                    request.mechanism,
                    username.to_owned(),
                ));
                if username == "carol" && password == "c" {
                    ZapDecision::allow("custom-carol")
                } else {
                    ZapDecision::Deny {
                        status: 400,
                        reason: "unknown".to_owned(),
                    }
                }
            }),
    )
    .unwrap();
    let (server, endpoint) = server(&ctx, &Security::plain_server(&auth).with_domain("custom"));

    // The built-in table admits admin without asking the callback.
    let _admin = client_sends(
        &ctx,
        &Security::plain_client("admin", "secret"),
        &endpoint,
        "a",
    );
    assert_eq!(receive(&server).user_id(), Some("admin"));
    let _carol = client_sends(&ctx, &Security::plain_client("carol", "c"), &endpoint, "c");
    assert_eq!(receive(&server).user_id(), Some("custom-carol"));
    let monitor = server.monitor(handshake_events()).unwrap();
    let _dave = client_sends(&ctx, &Security::plain_client("dave", "d"), &endpoint, "d");
    refused_with(&monitor, 400);
    assert_silent(&server);

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[0],
        (
            "custom".to_owned(),
            Some(LOCALHOST),
            Mechanism::Plain,
            "carol".to_owned()
        )
    );
    assert_eq!(seen[1].3, "dave");
}

#[test]
fn a_replaced_policy_applies_to_new_handshakes() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().plain_users([("alice", "a")]))
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::plain_server(&auth));
    let alice = client_sends(&ctx, &Security::plain_client("alice", "a"), &endpoint, "1");
    assert_eq!(receive(&server).user_id(), Some("alice"));

    auth.set_policy("", Policy::new().plain_users([("bob", "b")]))
        .unwrap();
    // Alice's connection was admitted before: it stays.
    alice.send("2", SendFlags::empty()).unwrap();
    assert_eq!(&receive(&server)[..], b"2");
    // A new Alice is refused, Bob admitted.
    let monitor = server.monitor(handshake_events()).unwrap();
    let _alice2 = client_sends(&ctx, &Security::plain_client("alice", "a"), &endpoint, "3");
    refused_with(&monitor, 400);
    let _bob = client_sends(&ctx, &Security::plain_client("bob", "b"), &endpoint, "4");
    assert_eq!(receive(&server).user_id(), Some("bob"));

    auth.remove_policy("").unwrap();
    let monitor = server.monitor(handshake_events()).unwrap();
    let _bob2 = client_sends(&ctx, &Security::plain_client("bob", "b"), &endpoint, "5");
    refused_with(&monitor, 400);
    assert_silent(&server);
}

// ---- Lifecycle -------------------------------------------------------------------------------

#[test]
fn a_context_has_one_authenticator_at_a_time() {
    let ctx = context();
    let first = Authenticator::start(&ctx).unwrap();
    assert_eq!(Authenticator::start(&ctx).map(drop), Err(Error::AddrInUse));
    first.stop().unwrap();
    // Stopping unbound the ZAP endpoint.
    let second = Authenticator::start(&ctx).unwrap();
    assert!(second.is_running());
    // Another context has its own.
    let other = context();
    let _third = Authenticator::start(&other).unwrap();
}

#[test]
fn dropping_an_authenticator_joins_its_thread_quickly() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    let started = Instant::now();
    drop(auth);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let _again = Authenticator::start(&ctx).unwrap();

    // After the context is shut down too.
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    ctx.shutdown();
    let started = Instant::now();
    drop(auth);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    ctx.shutdown();
    let started = Instant::now();
    assert_eq!(auth.stop(), Ok(()));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        Authenticator::start(&ctx).map(drop),
        Err(Error::ContextTerminated)
    );
}

// ---- Malformed input -------------------------------------------------------------------------

#[test]
fn malformed_zap_requests_get_500_and_the_handler_keeps_serving() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().plain_users([("admin", "secret")]))
        .unwrap();
    let requester = socket(&ctx, SocketType::Req);
    requester.connect("inproc://zeromq.zap.01").unwrap();

    let short_key = [1u8; 31];
    let requests: Vec<(Vec<&[u8]>, &[u8])> = vec![
        (vec![b"garbage"], b""),
        (vec![b"2.0", b"7", b"", b"127.0.0.1", b"", b"NULL"], b"7"),
        (vec![b"1.0", b"8", b"", b"127.0.0.1", b"", b"MAGIC"], b"8"),
        (
            vec![b"1.0", b"9", b"", b"127.0.0.1", b"", b"PLAIN", b"admin"],
            b"9",
        ),
        (
            vec![b"1.0", b"10", b"", b"127.0.0.1", b"", b"CURVE", &short_key],
            b"10",
        ),
        (vec![b"1.0", b"11", b"", b"127.0.0.1"], b"11"),
    ];
    for (request, id) in requests {
        requester
            .send_multipart(request.iter().copied(), SendFlags::empty())
            .unwrap();
        let reply = requester.recv_multipart(RecvFlags::empty()).unwrap();
        assert_eq!(reply.len(), 6, "{request:?}: {reply:?}");
        assert_eq!(&reply[0][..], b"1.0");
        assert_eq!(&reply[1][..], id, "{request:?}");
        assert_eq!(&reply[2][..], b"500", "{request:?}");
        assert!(reply[4].is_empty());
    }

    // A well-formed request, by hand.
    let good: [&[u8]; 8] = [
        b"1.0",
        b"12",
        b"",
        b"127.0.0.1",
        b"",
        b"PLAIN",
        b"admin",
        b"secret",
    ];
    requester.send_multipart(good, SendFlags::empty()).unwrap();
    let reply = requester.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!(&reply[2][..], b"200");
    assert_eq!(&reply[4][..], b"admin");

    // And a real handshake.
    let (server, endpoint) = server(&ctx, &Security::plain_server(&auth));
    let _client = client_sends(
        &ctx,
        &Security::plain_client("admin", "secret"),
        &endpoint,
        "still here",
    );
    assert_eq!(&receive(&server)[..], b"still here");
}

#[test]
fn a_raw_tcp_peer_sending_junk_to_a_curve_server_delivers_nothing() {
    let ctx = context();
    let server_keys = keys();
    let client_keys = keys();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().allow_curve_keys([*client_keys.public()]))
        .unwrap();
    let (server, endpoint) = server(&ctx, &Security::curve_server(&server_keys, &auth));
    let address = endpoint.trim_start_matches("tcp://");

    let monitor = server.monitor(handshake_events()).unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut greeting = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0];
    let mut mechanism = b"CURVE".to_vec();
    mechanism.resize(20, 0);
    greeting.extend_from_slice(&mechanism);
    greeting.push(0); // as-server
    greeting.extend_from_slice(&[0; 31]);
    assert_eq!(greeting.len(), 64);
    stream.write_all(&greeting).unwrap();
    // A short command frame "HELLO" with no body, then junk.
    stream
        .write_all(&[0x04, 0x06, 5, b'H', b'E', b'L', b'L', b'O'])
        .unwrap();
    stream.write_all(&[0xAB; 300]).unwrap();

    // The server hangs up.
    let mut answer = Vec::new();
    let started = Instant::now();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server did not hang up: {e}"),
        }
        assert!(started.elapsed() < TIMEOUT, "the server did not hang up");
    }
    // The server refused the malformed HELLO.
    let error = failed_protocol(&monitor);
    assert!(
        matches!(
            error,
            ProtocolError::ZmtpMalformedCommandHello | ProtocolError::ZmtpUnexpectedCommand
        ),
        "{error:?}"
    );
    drop(monitor);
    // What arrived before the hang-up is the server's greeting (a reset may discard it).
    assert!(
        answer.len() < 10 || (answer[0] == 0xFF && answer[9] == 0x7F),
        "{answer:?}"
    );
    assert_silent(&server);

    // The server still serves a real client.
    let _client = client_sends(
        &ctx,
        &Security::curve_client(&client_keys, server_keys.public()),
        &endpoint,
        "real",
    );
    assert_eq!(&receive(&server)[..], b"real");
}

// ---- Interop with pyzmq (more in tests/interop_security.rs) ----------------------------------

#[test]
fn a_pyzmq_curve_client_passes_the_allow_list_of_a_rust_server() {
    within(|| {
        let Some(python) = require(python()) else {
            return;
        };
        let ctx = context();
        let (server_keys, allowed, stranger) = (keys(), keys(), keys());
        let auth = Authenticator::start(&ctx).unwrap();
        auth.set_policy("", Policy::new().allow_curve_keys([*allowed.public()]))
            .unwrap();
        let server = socket(&ctx, SocketType::Rep);
        server
            .set_security(&Security::curve_server(&server_keys, &auth))
            .unwrap();
        server.bind("tcp://127.0.0.1:*").unwrap();
        let endpoint = server.last_endpoint().unwrap();
        let server_public = server_keys.public().to_z85();

        let allowed_secret = allowed.secret().to_z85();
        let client = python_peer(
            python,
            "py_curve_client.py",
            [
                endpoint.as_str(),
                server_public.as_str(),
                allowed_secret.as_str(),
                "from python",
            ],
        );
        // Python may take a while to start on a loaded machine.
        server.set_rcvtimeo(Some(STEP_TIMEOUT)).unwrap();
        let request = receive(&server);
        server.set_rcvtimeo(Some(TIMEOUT)).unwrap();
        assert_eq!(&request[..], b"from python");
        assert_eq!(request.user_id(), Some(allowed.public().to_z85().as_str()));
        server.send("echo", SendFlags::empty()).unwrap();
        let finished = client.finish();
        finished.assert_success();
        assert_eq!(finished.stdout, [format!("REPLY {}", hex(b"echo"))]);

        let monitor = server.monitor(handshake_events()).unwrap();
        let stranger_secret = stranger.secret().to_z85();
        let refused = python_peer(
            python,
            "py_curve_client.py",
            [
                endpoint.as_str(),
                server_public.as_str(),
                stranger_secret.as_str(),
                "stranger",
                "1",
            ],
        );
        refused_with(&monitor, 400);
        assert_silent(&server);
        let finished = refused.finish();
        assert_eq!(finished.status.code(), Some(3), "the stranger got a reply");
        assert_eq!(finished.stdout, ["NO REPLY"]);
    });
}

#[test]
fn debug_output_never_shows_a_password() {
    let security = Security::plain_client("admin", "hunter2");
    let text = format!("{security:?}");
    assert!(
        text.contains("admin") && !text.contains("hunter2"),
        "{text}"
    );
    let policy = Policy::new().plain_users([("admin", "hunter2")]);
    let text = format!("{policy:?}");
    assert!(
        text.contains("admin") && !text.contains("hunter2"),
        "{text}"
    );
    let credentials = Credentials::Plain {
        username: "admin",
        password: "hunter2",
    };
    let text = format!("{credentials:?}");
    assert!(
        text.contains("admin") && !text.contains("hunter2"),
        "{text}"
    );
}

#[test]
fn an_authenticator_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    shareable(&auth);
    std::thread::scope(|scope| {
        for i in 0..4 {
            let auth = &auth;
            scope.spawn(move || {
                auth.set_policy(&format!("d{i}"), Policy::new().allow_null())
                    .unwrap()
            });
        }
    });
    let text = format!("{auth:?}");
    assert!(text.contains("d0") && text.contains("d3"), "{text}");
}

/// The thread-safe handle shares `set_security` with `Socket`: a CURVE CLIENT reaches a
/// CURVE SERVER with an allow-list, and its messages carry its key as `User-Id`.
#[cfg(zmq_draft)]
#[test]
fn thread_safe_sockets_take_the_same_security() {
    use zmq::{ThreadSafeSendFlags, ThreadSafeType};
    let ctx = context();
    let (server_keys, client_keys) = (keys(), keys());
    let auth = Authenticator::start(&ctx).unwrap();
    auth.set_policy("", Policy::new().allow_curve_keys([*client_keys.public()]))
        .unwrap();
    let server = ctx.thread_safe_socket(ThreadSafeType::Server).unwrap();
    server.set_rcvtimeo(Some(TIMEOUT)).unwrap();
    server
        .set_security(&Security::curve_server(&server_keys, &auth))
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let client = ctx.thread_safe_socket(ThreadSafeType::Client).unwrap();
    client
        .set_security(&Security::curve_client(&client_keys, server_keys.public()))
        .unwrap();
    client.connect(&endpoint).unwrap();
    client.send("hello", ThreadSafeSendFlags::empty()).unwrap();
    let msg = server.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(&msg[..], b"hello");
    assert_eq!(msg.user_id(), Some(client_keys.public().to_z85().as_str()));
    assert_eq!(
        client.set_security(&Security::plain_client("", "x")),
        Err(Error::InvalidArgument)
    );
}

#[test]
fn zap_domains_are_checked_and_never_silently_kept() {
    let ctx = context();
    let auth = Authenticator::start(&ctx).unwrap();
    let server = socket(&ctx, SocketType::Pull);
    let long = "d".repeat(256);
    assert_eq!(
        server.set_security(&Security::plain_server(&auth).with_domain(&long)),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        server.set_security(&Security::Null.with_domain("a\0b")),
        Err(Error::InteriorNul { position: 1 })
    );
    assert_eq!(server.mechanism().unwrap(), Mechanism::Null);
    server
        .set_security(&Security::plain_server(&auth).with_domain("one"))
        .unwrap();
    assert_eq!(server.zap_domain().unwrap(), "one");
    // libzmq 4.3 cannot clear a domain: a setup without one is refused, not half-applied.
    assert_eq!(
        server.set_security(&Security::plain_server(&auth)),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        server.set_security(&Security::Null),
        Err(Error::InvalidArgument)
    );
    assert!(server.plain_server().unwrap());
    // Another domain replaces it; clients ignore the domain.
    server
        .set_security(&Security::Null.with_domain("two"))
        .unwrap();
    assert_eq!(server.zap_domain().unwrap(), "two");
    assert_eq!(server.mechanism().unwrap(), Mechanism::Null);
    server
        .set_security(&Security::plain_client("u", "p").with_domain("ignored"))
        .unwrap();
    assert_eq!(server.zap_domain().unwrap(), "two");
}
