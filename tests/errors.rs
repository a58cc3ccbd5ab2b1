//! Failures: what each kind of misuse returns, that a failed send hands its message back, and
//! the `Error` type's conversions.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::{bind, connected, context, socket, unused_endpoint, Transport};
use zmq::{Error, Message, RecvFlags, SendError, SendFlags, Socket, SocketType};

/// Bytes large enough that libzmq takes them without copying, and small ones it copies.
fn payloads() -> [Vec<u8>; 2] {
    [vec![0xab; 1000], b"small".to_vec()]
}

/// Asserts that a send failed with `expected` and handed back a message holding `bytes`.
fn assert_handed_back(result: Result<(), SendError<Message>>, expected: Error, bytes: &[u8]) {
    let (error, unsent) = result.expect_err("the send should fail").into_parts();
    assert_eq!(error, expected);
    assert_eq!(&unsent[..], bytes);
}

#[test]
fn req_sending_twice_is_invalid_state_and_hands_back_the_message() {
    let ctx = context();
    let (rep, req) = connected(&ctx, SocketType::Rep, SocketType::Req, Transport::Inproc);
    req.send("request", SendFlags::empty()).unwrap();

    for bytes in payloads() {
        let result = req.send(Message::from(bytes.clone()), SendFlags::empty());
        assert_handed_back(result, Error::InvalidState, &bytes);
        let result = req.send(bytes.clone(), SendFlags::empty());
        assert_handed_back(result, Error::InvalidState, &bytes);
    }

    // Borrowed data stays with the caller: nothing to hand back.
    let error = req.send("again", SendFlags::empty()).unwrap_err();
    assert_eq!(error.error(), &Error::InvalidState);
    let () = error.into_unsent();

    // A multipart send hands back every frame.
    let error = req
        .send_multipart(["a", "b", "c"], SendFlags::empty())
        .unwrap_err();
    assert_eq!(error.error(), &Error::InvalidState);
    let unsent: Vec<Message> = error.into_unsent();
    assert_eq!(unsent, ["a", "b", "c"].map(Message::from));

    // The refused sends left nothing behind: the exchange goes on as if they never happened.
    assert_eq!(rep.recv_string(RecvFlags::empty()).unwrap(), "request");
    rep.send("reply", SendFlags::empty()).unwrap();
    assert_eq!(req.recv_string(RecvFlags::empty()).unwrap(), "reply");
    req.send("next request", SendFlags::empty()).unwrap();
    assert_eq!(rep.recv_string(RecvFlags::empty()).unwrap(), "next request");

    // Nor may a REQ receive before sending, or a REP send before receiving.
    let fresh_req = socket(&ctx, SocketType::Req);
    assert_eq!(
        fresh_req.recv_msg(RecvFlags::DONTWAIT),
        Err(Error::InvalidState)
    );
    let fresh_rep = socket(&ctx, SocketType::Rep);
    let error = fresh_rep.send("reply", SendFlags::DONTWAIT).unwrap_err();
    assert_eq!(error.error(), &Error::InvalidState);
}

#[test]
fn empty_multipart_is_invalid_argument() {
    let ctx = context();
    let push = socket(&ctx, SocketType::Push);
    let error = push
        .send_multipart(Vec::<Message>::new(), SendFlags::DONTWAIT)
        .unwrap_err();
    assert_eq!(error.error(), &Error::InvalidArgument);
    assert!(error.unsent().is_empty());
}

#[test]
fn dontwait_recv_on_an_empty_socket_would_block() {
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    bind(&pull, Transport::Inproc);
    let flags = RecvFlags::DONTWAIT;
    let mut msg = Message::from("kept");
    assert_eq!(pull.recv(&mut msg, flags), Err(Error::WouldBlock));
    assert_eq!(pull.recv_msg(flags), Err(Error::WouldBlock));
    assert_eq!(pull.recv_bytes(flags), Err(Error::WouldBlock));
    assert_eq!(pull.recv_string(flags), Err(Error::WouldBlock));
    assert_eq!(pull.recv_into(&mut [0; 8], flags), Err(Error::WouldBlock));
    assert_eq!(pull.recv_multipart(flags), Err(Error::WouldBlock));
}

#[test]
fn dontwait_send_without_peer_hands_back_the_message_to_resend() {
    let ctx = context();
    let push = socket(&ctx, SocketType::Push);
    let unsent: Vec<Message> = payloads()
        .into_iter()
        .map(|bytes| {
            let result = push.send(bytes.clone(), SendFlags::DONTWAIT);
            let error = result.expect_err("no peer to queue for");
            assert_eq!(error.error(), &Error::WouldBlock);
            let unsent = error.into_unsent();
            assert_eq!(&unsent[..], bytes);
            unsent
        })
        .collect();

    // A multipart message whose first frame cannot be queued comes back whole.
    let error = push
        .send_multipart(payloads(), SendFlags::DONTWAIT)
        .unwrap_err();
    assert_eq!(error.error(), &Error::WouldBlock);
    let frames = error.into_unsent();
    assert_eq!(frames, payloads().map(Message::from));

    let pull = socket(&ctx, SocketType::Pull);
    push.connect(&bind(&pull, Transport::Tcp)).unwrap();
    for (msg, bytes) in unsent.into_iter().zip(payloads()) {
        push.send(msg, SendFlags::empty()).unwrap();
        assert_eq!(pull.recv_bytes(RecvFlags::empty()).unwrap(), bytes);
    }
    push.send_multipart(frames, SendFlags::empty()).unwrap();
    let received = pull.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!(received.into_vec(), payloads().map(Message::from));
}

/// Asserts that `call` failed with `WouldBlock`, after about `timeout` and not much later.
fn assert_times_out<T: std::fmt::Debug>(timeout: Duration, call: impl FnOnce() -> zmq::Result<T>) {
    let start = Instant::now();
    let result = call();
    let elapsed = start.elapsed();
    assert_eq!(result.unwrap_err(), Error::WouldBlock);
    assert!(elapsed >= timeout / 2, "gave up after {elapsed:?}");
    assert!(elapsed < common::TIMEOUT, "gave up only after {elapsed:?}");
}

#[test]
fn timeouts_give_would_block() {
    let timeout = Duration::from_millis(200);
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    bind(&pull, Transport::Inproc);
    pull.set_rcvtimeo(Some(timeout)).unwrap();
    assert_times_out(timeout, || pull.recv_msg(RecvFlags::empty()));

    let push = socket(&ctx, SocketType::Push);
    push.set_sndtimeo(Some(timeout)).unwrap();
    let bytes = b"never sent".to_vec();
    let mut unsent = None;
    assert_times_out(timeout, || {
        push.send(bytes.clone(), SendFlags::empty()).map_err(|e| {
            let (error, msg) = e.into_parts();
            unsent = Some(msg);
            error
        })
    });
    assert_eq!(&unsent.expect("the message handed back")[..], bytes);
}

#[test]
fn interior_nul_in_endpoints_is_refused() {
    let ctx = context();
    let socket = socket(&ctx, SocketType::Pair);
    type Call = fn(&Socket, &str) -> zmq::Result<()>;
    let calls: [(&str, Call); 4] = [
        ("bind", Socket::bind),
        ("connect", Socket::connect),
        ("unbind", Socket::unbind),
        ("disconnect", Socket::disconnect),
    ];
    for (endpoint, position) in [("tcp://127.0.0.1:\0", 16), ("inproc://a\0b", 10)] {
        for (name, call) in calls {
            assert_eq!(
                call(&socket, endpoint),
                Err(Error::InteriorNul { position }),
                "{name} {endpoint:?}"
            );
        }
    }
    assert!(!zmq::has("ipc\0"));
    assert!(!zmq::has("\0"));
}

#[test]
fn message_property_with_nul_is_none() {
    let ctx = context();
    let (pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, Transport::Tcp);
    push.send("with metadata", SendFlags::empty()).unwrap();
    let msg = pull.recv_msg(RecvFlags::empty()).unwrap();
    // The property is there: the NUL is what makes the lookups below fail.
    assert_eq!(msg.gets("Socket-Type"), Some("PUSH"));
    assert_eq!(msg.gets("Socket-Type\0"), None);
    assert_eq!(msg.gets("Socket\0-Type"), None);
    assert_eq!(msg.gets_bytes("Socket-Type\0"), None);
    assert_eq!(Message::new().gets("\0"), None);
}

#[test]
fn bad_endpoints_are_refused() {
    let ctx = context();
    let socket = socket(&ctx, SocketType::Pull);
    assert_eq!(socket.bind("foo://x"), Err(Error::ProtocolNotSupported));
    assert_eq!(socket.connect("foo://x"), Err(Error::ProtocolNotSupported));
    assert_eq!(socket.bind("tcp://127.0.0.1"), Err(Error::InvalidArgument));
    assert_eq!(
        socket.connect("tcp://127.0.0.1"),
        Err(Error::InvalidArgument)
    );
    for transport in [Transport::Inproc, Transport::Ipc, Transport::Tcp] {
        let never_used = unused_endpoint(transport);
        assert_eq!(socket.unbind(&never_used), Err(Error::EndpointNotFound));
        assert_eq!(socket.disconnect(&never_used), Err(Error::EndpointNotFound));
    }
}

#[test]
fn binding_a_port_twice_is_addr_in_use() {
    let ctx = context();
    let first = socket(&ctx, SocketType::Pull);
    let taken = bind(&first, Transport::Tcp);
    let second = socket(&ctx, SocketType::Pull);
    assert_eq!(second.bind(&taken), Err(Error::AddrInUse));
    assert_eq!(first.bind(&taken), Err(Error::AddrInUse));
}

/// Every variant with an errno of its own.
fn named_errors() -> [Error; 17] {
    [
        Error::WouldBlock,
        Error::Interrupted,
        Error::ContextTerminated,
        Error::InvalidState,
        Error::HostUnreachable,
        Error::AddrInUse,
        Error::AddrNotAvailable,
        Error::EndpointNotFound,
        Error::ProtocolNotSupported,
        Error::IncompatibleProtocol,
        Error::NotSupported,
        Error::InvalidArgument,
        Error::NoIoThread,
        Error::TooManyOpenFiles,
        Error::NotSocket,
        Error::OutOfMemory,
        Error::NoSuchDevice,
    ]
}

#[test]
fn errno_round_trips() {
    let errors = named_errors();
    for error in &errors {
        assert_eq!(&Error::from_errno(error.errno()), error);
    }
    let mut errnos: Vec<i32> = errors.iter().map(Error::errno).collect();
    errnos.sort_unstable();
    errnos.dedup();
    assert_eq!(errnos.len(), errors.len(), "two variants share an errno");

    // libzmq's own errno values.
    assert_eq!(Error::ContextTerminated.errno(), zmq::sys::ETERM);
    assert_eq!(Error::InvalidState.errno(), zmq::sys::EFSM);
    assert_eq!(
        Error::IncompatibleProtocol.errno(),
        zmq::sys::ENOCOMPATPROTO
    );
    assert_eq!(Error::NoIoThread.errno(), zmq::sys::EMTHREAD);

    for unknown in [123_456, -1, 0] {
        let error = Error::from_errno(unknown);
        assert_eq!(error, Error::Other(unknown));
        assert_eq!(error.errno(), unknown);
        assert!(!error.to_string().is_empty());
    }
    assert!(Error::Other(123_456).to_string().contains("123456"));

    // The binding's own errors stand for EINVAL.
    let utf8 = String::from_utf8(vec![0xff]).unwrap_err();
    for error in [
        Error::InteriorNul { position: 3 },
        Error::InvalidUtf8(utf8),
        Error::InvalidZ85(zmq::z85::Z85Error::TextLength(3)),
    ] {
        assert_eq!(Error::from_errno(error.errno()), Error::InvalidArgument);
    }
}

#[test]
fn errno_values_are_the_operating_systems() {
    // The standard library classifies the raw OS errno the same way the crate does.
    let errors = [
        Error::WouldBlock,
        Error::Interrupted,
        Error::HostUnreachable,
        Error::AddrInUse,
        Error::AddrNotAvailable,
        Error::EndpointNotFound,
        Error::InvalidArgument,
        Error::OutOfMemory,
    ];
    for error in errors {
        let os = io::Error::from_raw_os_error(error.errno()).kind();
        assert_eq!(io::Error::from(error.clone()).kind(), os, "{error:?}");
    }
}

#[test]
fn display_uses_libzmq_messages() {
    let utf8 = String::from_utf8(vec![b'a', 0xff]).unwrap_err();
    let own = [
        Error::InteriorNul { position: 7 },
        Error::InvalidUtf8(utf8),
        Error::InvalidZ85(zmq::z85::Z85Error::Overflow { position: 5 }),
        Error::Other(123_456),
    ];
    for error in named_errors().iter().chain(&own) {
        assert!(!error.to_string().trim().is_empty(), "{error:?}");
    }
    assert!(Error::WouldBlock
        .to_string()
        .contains("Resource temporarily unavailable"));
    assert!(Error::InteriorNul { position: 7 }.to_string().contains('7'));
}

#[test]
fn conversion_into_io_error_keeps_the_kind_and_the_error() {
    let kinds = [
        (Error::WouldBlock, io::ErrorKind::WouldBlock),
        (Error::InvalidArgument, io::ErrorKind::InvalidInput),
        (
            Error::InteriorNul { position: 0 },
            io::ErrorKind::InvalidInput,
        ),
        (
            Error::InvalidZ85(zmq::z85::Z85Error::DataLength(3)),
            io::ErrorKind::InvalidInput,
        ),
        (Error::Interrupted, io::ErrorKind::Interrupted),
        (Error::AddrInUse, io::ErrorKind::AddrInUse),
    ];
    for (error, kind) in kinds {
        let converted = io::Error::from(error.clone());
        assert_eq!(converted.kind(), kind, "{error:?}");
        let inner = converted.into_inner().expect("the zmq error inside");
        assert_eq!(inner.downcast_ref::<Error>(), Some(&error));
    }
}

/// `?` on a failed owned send, into `zmq::Error`.
fn send_owned(socket: &Socket, data: Vec<u8>) -> zmq::Result<()> {
    socket.send(data, SendFlags::DONTWAIT)?;
    Ok(())
}

/// `?` on a failed borrowed send, into `io::Error`.
fn send_borrowed(socket: &Socket, data: &str) -> io::Result<()> {
    socket.send(data, SendFlags::DONTWAIT)?;
    Ok(())
}

#[test]
fn question_mark_converts_send_errors() {
    let ctx = context();
    let push = socket(&ctx, SocketType::Push);
    assert_eq!(
        send_owned(&push, b"no peer".to_vec()),
        Err(Error::WouldBlock)
    );
    let error = send_borrowed(&push, "no peer").unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::WouldBlock);

    let send_error = push.send("no peer", SendFlags::DONTWAIT).unwrap_err();
    assert!(send_error
        .to_string()
        .contains("Resource temporarily unavailable"));
    let source = std::error::Error::source(&send_error).expect("a source");
    assert_eq!(source.downcast_ref::<Error>(), Some(&Error::WouldBlock));

    let pull = socket(&ctx, SocketType::Pull);
    push.connect(&bind(&pull, Transport::Inproc)).unwrap();
    send_owned(&push, b"owned".to_vec()).unwrap();
    send_borrowed(&push, "borrowed").unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "owned");
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "borrowed");
}

#[test]
fn shutdown_terminates_the_context() {
    let ctx = context();
    let pull = socket(&ctx, SocketType::Pull);
    bind(&pull, Transport::Inproc);
    ctx.shutdown();
    assert_eq!(
        ctx.socket(SocketType::Pair).err(),
        Some(Error::ContextTerminated)
    );
    assert_eq!(
        pull.recv_msg(RecvFlags::empty()),
        Err(Error::ContextTerminated)
    );
    ctx.shutdown();
    assert_eq!(
        ctx.clone().socket(SocketType::Push).err(),
        Some(Error::ContextTerminated)
    );
}
