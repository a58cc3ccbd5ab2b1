//! Messages: zero-copy construction, the free function running exactly once, and copy on
//! write wherever the bytes may be seen by someone else.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zmq::{Context, Message, RecvFlags, SendFlags, Socket, SocketType};

const TIMEOUT: Duration = Duration::from_secs(5);
/// Larger than libzmq's in-message storage, so the bytes live in a separate buffer.
const LARGE: usize = 1000;

/// Counts its drops; its bytes are a fixed pattern.
struct Counted {
    bytes: Vec<u8>,
    drops: Arc<AtomicUsize>,
}

impl AsRef<[u8]> for Counted {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted(len: usize) -> (Counted, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let owner = Counted {
        bytes: (0..len).map(|i| i as u8).collect(),
        drops: drops.clone(),
    };
    (owner, drops)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let socket = ctx.socket(kind).unwrap();
    socket.set_rcvtimeo(Some(TIMEOUT)).unwrap();
    socket.set_sndtimeo(Some(TIMEOUT)).unwrap();
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    socket
}

/// A connected PUSH/PULL pair over `endpoint` (`inproc://…` or `tcp://127.0.0.1:*`).
fn pipe(ctx: &Context, endpoint: &str) -> (Socket, Socket) {
    let pull = socket(ctx, SocketType::Pull);
    pull.bind(endpoint).unwrap();
    let push = socket(ctx, SocketType::Push);
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    (push, pull)
}

#[test]
fn a_vec_is_taken_without_copying_or_reallocating() {
    let mut data = Vec::with_capacity(4 * LARGE);
    data.extend((0..LARGE).map(|i| i as u8));
    let address = data.as_ptr();
    let msg = Message::from(data);
    assert_eq!(
        msg.as_ptr(),
        address,
        "the message must use the Vec's own buffer"
    );
    assert_eq!(msg.len(), LARGE);
    assert!(msg.iter().enumerate().all(|(i, &b)| b == i as u8));
}

#[test]
fn boxed_slices_and_strings_are_taken_without_copying() {
    let boxed: Box<[u8]> = vec![3u8; LARGE].into_boxed_slice();
    let address = boxed.as_ptr();
    assert_eq!(Message::from(boxed).as_ptr(), address);

    let text = "x".repeat(LARGE);
    let address = text.as_ptr();
    assert_eq!(Message::from(text).as_ptr(), address);
}

#[test]
fn static_bytes_are_referenced_not_copied() {
    static DATA: [u8; LARGE] = [9; LARGE];
    let msg = Message::from_static(&DATA);
    assert_eq!(msg.as_ptr(), DATA.as_ptr());
    assert_eq!(&msg[..], &DATA[..]);
    assert!(Message::from_static(b"").is_empty());
}

#[test]
fn small_and_borrowed_data_is_copied() {
    let data = b"short".to_vec();
    let msg = Message::from(data.clone());
    assert_eq!(&msg[..], b"short");
    let borrowed = Message::from(&data[..]);
    assert_ne!(borrowed.as_ptr(), data.as_ptr());
    assert_eq!(borrowed, msg);
    assert_eq!(Message::with_size(7).unwrap().len(), 7);
    assert!(Message::new().is_empty());
}

#[test]
fn impossible_sizes_are_an_error_not_an_abort() {
    for len in [usize::MAX, usize::MAX - 10, isize::MAX as usize, 1 << 62] {
        assert_eq!(
            Message::with_size(len).map(|m| m.len()),
            Err(zmq::Error::OutOfMemory),
            "{len}"
        );
    }
}

#[test]
fn with_size_gives_zeroed_bytes_that_safe_code_may_read() {
    // Small sizes live inside the message, large ones are malloc'd by libzmq: both are zeroed
    // even when the allocator hands back memory that held other data.
    for len in [1, 33, 34, 4096, 1 << 20] {
        for _ in 0..3 {
            let mut dirty = Message::with_size(len).unwrap();
            dirty.fill(0xA5);
            drop(dirty);
            let msg = Message::with_size(len).unwrap();
            assert_eq!(msg.len(), len);
            assert!(msg.iter().all(|&b| b == 0), "{len} bytes not zeroed");
        }
    }
}

#[test]
fn the_owner_is_dropped_exactly_once_when_the_message_is_dropped() {
    let (owner, drops) = counted(LARGE);
    let address = owner.bytes.as_ptr();
    let msg = Message::from_owner(owner);
    assert_eq!(msg.as_ptr(), address);
    let clone = msg.clone();
    drop(msg);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "a clone still shares the bytes"
    );
    assert_eq!(clone.len(), LARGE);
    drop(clone);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn the_owner_is_dropped_exactly_once_after_travelling_over_inproc() {
    let ctx = Context::new().unwrap();
    let (push, pull) = pipe(&ctx, "inproc://message-owner");
    let (owner, drops) = counted(LARGE);
    let address = owner.bytes.as_ptr();
    push.send(Message::from_owner(owner), SendFlags::empty())
        .unwrap();
    let received = pull.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(
        received.as_ptr(),
        address,
        "inproc passes the buffer itself"
    );
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(received);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn the_owner_is_dropped_exactly_once_after_travelling_over_tcp() {
    let ctx = Context::new().unwrap();
    let (push, pull) = pipe(&ctx, "tcp://127.0.0.1:*");
    let (owner, drops) = counted(LARGE);
    push.send(Message::from_owner(owner), SendFlags::empty())
        .unwrap();
    let received = pull.recv_msg(RecvFlags::empty()).unwrap();
    assert!(received.iter().enumerate().all(|(i, &b)| b == i as u8));
    // libzmq's I/O thread releases the sent buffer once it is written to the socket.
    wait_for("the owner to be dropped", || {
        drops.load(Ordering::SeqCst) == 1
    });
    drop((push, pull, ctx));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_failed_send_keeps_the_owner_alive_inside_the_error() {
    let ctx = Context::new().unwrap();
    let push = socket(&ctx, SocketType::Push);
    let (owner, drops) = counted(LARGE);
    let error = push
        .send(Message::from_owner(owner), SendFlags::DONTWAIT)
        .unwrap_err();
    assert_eq!(*error.error(), zmq::Error::WouldBlock);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    let unsent = error.into_unsent();
    assert!(unsent.iter().enumerate().all(|(i, &b)| b == i as u8));
    drop(unsent);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

struct PanicsOnDrop(Vec<u8>);

impl AsRef<[u8]> for PanicsOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("an owner whose drop panics");
    }
}

#[test]
fn a_panicking_owner_never_unwinds_into_libzmq() {
    // Dropped on this thread by zmq_msg_close, inside libzmq's free callback.
    drop(Message::from_owner(PanicsOnDrop(vec![1; LARGE])));
    // And on an I/O thread, after a TCP send.
    let ctx = Context::new().unwrap();
    let (push, pull) = pipe(&ctx, "tcp://127.0.0.1:*");
    push.send(
        Message::from_owner(PanicsOnDrop(vec![2; LARGE])),
        SendFlags::empty(),
    )
    .unwrap();
    assert_eq!(pull.recv_bytes(RecvFlags::empty()).unwrap(), vec![2; LARGE]);
    // Still alive and working: the process was not aborted.
    push.send("after", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "after");
}

#[test]
fn writing_to_a_clone_copies_first() {
    for len in [5, LARGE] {
        let original = Message::from(vec![1u8; len]);
        let mut clone = original.clone();
        clone[0] = 2;
        assert_eq!(
            original[0], 1,
            "len {len}: the write showed in the original"
        );
        assert_eq!(clone[0], 2);
        let mut original = original;
        original[1] = 3;
        assert_eq!(clone[1], 1, "len {len}: the write showed in the clone");
    }
}

#[test]
fn writing_to_an_exclusive_message_does_not_copy() {
    let msg_data = vec![0u8; LARGE];
    let address = msg_data.as_ptr();
    let mut msg = Message::from(msg_data);
    msg[0] = 1;
    assert_eq!(
        msg.as_ptr(),
        address,
        "nothing else saw the bytes: no copy needed"
    );
    let mut sized = Message::with_size(LARGE).unwrap();
    let address = sized.as_ptr();
    sized.fill(4);
    assert_eq!(sized.as_ptr(), address);
}

#[test]
fn writing_to_static_or_owned_bytes_copies_first() {
    static DATA: [u8; LARGE] = [7; LARGE];
    let mut msg = Message::from_static(&DATA);
    msg[0] = 8; // would fault on read-only memory without the copy
    assert_eq!(msg[0], 8);
    assert_eq!(DATA[0], 7);
    assert_ne!(msg.as_ptr(), DATA.as_ptr());

    let shared: Arc<[u8]> = Arc::from(vec![5u8; LARGE]);
    let mut msg = Message::from_owner(shared.clone());
    msg[0] = 6;
    assert_eq!(shared[0], 5, "the write showed in the Arc's other handle");
    assert_eq!(msg[0], 6);
}

#[test]
fn a_published_message_fanned_out_in_process_is_copied_before_a_write() {
    let ctx = Context::new().unwrap();
    let publisher = socket(&ctx, SocketType::Pub);
    publisher.bind("inproc://message-fanout").unwrap();
    let subscribers: Vec<Socket> = (0..2)
        .map(|_| {
            let sub = socket(&ctx, SocketType::Sub);
            sub.set_subscribe(b"").unwrap();
            sub.connect("inproc://message-fanout").unwrap();
            sub
        })
        .collect();
    // inproc subscriptions arrive asynchronously: publish until both have one.
    let mut received = Vec::new();
    for sub in &subscribers {
        let msg = loop {
            publisher
                .send(vec![b'a'; LARGE], SendFlags::empty())
                .unwrap();
            match sub.recv_msg(RecvFlags::DONTWAIT) {
                Ok(msg) => break msg,
                Err(zmq::Error::WouldBlock) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => panic!("receive failed: {e}"),
            }
        };
        received.push(msg);
    }
    // Drain until both subscribers hold the same published message.
    let last = Message::from(vec![b'z'; LARGE]);
    publisher.send(&last, SendFlags::empty()).unwrap();
    let mut last_received: Vec<Message> = subscribers
        .iter()
        .map(|sub| loop {
            let msg = sub.recv_msg(RecvFlags::empty()).unwrap();
            if msg[0] == b'z' {
                break msg;
            }
        })
        .collect();
    assert_eq!(
        last_received[0].as_ptr(),
        last_received[1].as_ptr(),
        "inproc fan-out shares one buffer between the subscribers"
    );
    last_received[0][0] = b'!';
    assert_eq!(last_received[0][0], b'!');
    assert_eq!(
        last_received[1][0], b'z',
        "one receiver's write showed in the other's"
    );
    assert_eq!(
        last[0], b'z',
        "a receiver's write showed in the sender's message"
    );
    drop(received);
}

#[test]
fn more_flags_and_metadata() {
    let ctx = Context::new().unwrap();
    let (push, pull) = pipe(&ctx, "tcp://127.0.0.1:*");
    push.send_multipart(["a", "b"], SendFlags::empty()).unwrap();
    let first = pull.recv_msg(RecvFlags::empty()).unwrap();
    let second = pull.recv_msg(RecvFlags::empty()).unwrap();
    assert!(first.more());
    assert!(!second.more());
    assert_eq!(first.gets("Socket-Type"), Some("PUSH"));
    assert_eq!(first.gets("Peer-Address"), Some("127.0.0.1"));
    assert_eq!(first.gets("No-Such-Property"), None);
    assert_eq!(first.peer_socket_type(), Some(SocketType::Push));
    assert_eq!(first.peer_address(), Some("127.0.0.1"));
    assert_eq!(first.user_id(), None, "no authentication, no user id");
    assert_eq!(first.gets("Socket-Type\0"), None);
    assert!(!Message::from("x").more());
}

#[test]
fn metadata_carries_the_peer_routing_id() {
    let ctx = Context::new().unwrap();
    let router = socket(&ctx, SocketType::Router);
    router.bind("tcp://127.0.0.1:*").unwrap();
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer.set_routing_id(b"dealer-7").unwrap();
    dealer.connect(&router.last_endpoint().unwrap()).unwrap();
    dealer.send("hi", SendFlags::empty()).unwrap();
    let parts = router.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!(parts[0], "dealer-7");
    assert_eq!(parts[1].peer_routing_id(), Some(&b"dealer-7"[..]));
    assert_eq!(parts[1].peer_socket_type(), Some(SocketType::Dealer));
}

#[test]
fn socket_type_names_round_trip() {
    for kind in SocketType::ALL {
        assert_eq!(SocketType::from_name(kind.name()), Some(kind));
        assert_eq!(SocketType::from_raw(kind.as_raw()), Some(kind));
        assert_eq!(kind.to_string(), kind.name());
    }
    assert_eq!(SocketType::from_name("rep"), None);
    assert_eq!(SocketType::from_raw(-1), None);
}

#[test]
fn messages_are_send_and_compare_by_content() {
    fn assert_send<T: Send>() {}
    assert_send::<Message>();
    let msg = Message::from("abc");
    assert_eq!(msg, "abc");
    assert_eq!(msg, &b"abc"[..]);
    assert_eq!(msg, b"abc");
    assert_eq!(msg, Message::from(String::from("abc")));
    assert!(format!("{msg:?}").contains("abc"));
    let moved = std::thread::spawn(move || msg.to_vec()).join().unwrap();
    assert_eq!(moved, b"abc");
}

#[test]
fn an_uninit_message_becomes_a_message_only_once_written() {
    for len in [0usize, 1, 33, LARGE, 1 << 20] {
        let msg = Message::with_size_uninit(len).unwrap();
        assert_eq!(msg.len(), len);
        assert_eq!(msg.is_empty(), len == 0);
        assert!(msg.fill(0xA5).iter().all(|&b| b == 0xA5));

        let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        let msg = Message::with_size_uninit(len).unwrap();
        assert_eq!(&msg.copy_from_slice(&data).unwrap()[..], &data[..]);

        let mut msg = Message::with_size_uninit(len).unwrap();
        for (slot, byte) in msg.as_uninit_mut().iter_mut().zip(&data) {
            slot.write(*byte);
        }
        // SAFETY: the loop wrote all `len` bytes (`data` is exactly as long).
        let msg = unsafe { msg.assume_init() };
        assert_eq!(&msg[..], &data[..]);
    }
    // Zeroed, as documented.
    assert!(Message::with_size(LARGE).unwrap().iter().all(|&b| b == 0));
}

#[test]
fn an_uninit_message_refuses_a_slice_of_another_length() {
    for (len, given) in [(4usize, 3usize), (4, 5), (LARGE, 0), (0, 1)] {
        let msg = Message::with_size_uninit(len).unwrap();
        assert_eq!(
            msg.copy_from_slice(&vec![1u8; given]).unwrap_err(),
            zmq::Error::InvalidArgument
        );
    }
}

#[test]
fn a_message_built_uninit_is_exclusive_and_sends_its_bytes() {
    let ctx = Context::new().unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(TIMEOUT)).unwrap();
    pull.bind("inproc://uninit-send").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://uninit-send").unwrap();

    let data: Vec<u8> = (0..LARGE).map(|i| i as u8).collect();
    let mut msg = Message::with_size_uninit(LARGE)
        .unwrap()
        .copy_from_slice(&data)
        .unwrap();
    // Written in place, no copy: the data pointer stays where libzmq allocated it.
    let before = msg.as_ptr();
    msg[0] = 0xFF;
    assert_eq!(
        msg.as_ptr(),
        before,
        "an exclusive message must not copy on write"
    );
    push.send(msg, SendFlags::empty()).unwrap();
    let got = pull.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(got[0], 0xFF);
    assert_eq!(&got[1..], &data[1..]);
}
