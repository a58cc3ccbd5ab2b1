//! What the hot paths allocate, counted by a global allocator: receiving into a reused
//! `Message` makes no Rust heap allocation per message, and sending an owned 1 MiB `Vec<u8>`
//! hands its buffer to libzmq without copying (libzmq frees that very buffer, later, from its
//! own thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use zmq::{Context, Message, RecvFlags, SendFlags, SocketType};

/// Counts this thread's allocations, and records who frees the one watched address.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The address whose deallocation is watched (0: none).
static WATCHED: AtomicUsize = AtomicUsize::new(0);
/// The thread (`pthread_self`) that freed the watched address, and how many times it was
/// freed.
static FREED_BY: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to the system allocator unchanged; the bookkeeping allocates
// nothing (a thread-local counter, atomics, `pthread_self`).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize == WATCHED.load(Ordering::SeqCst) {
            FREES.fetch_add(1, Ordering::SeqCst);
            // Not `thread::current()`, which may allocate on a thread Rust did not start.
            FREED_BY.store(this_thread(), Ordering::SeqCst);
        }
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is System's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn this_thread() -> usize {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() as usize }
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn receiving_into_a_reused_message_allocates_nothing_per_message() {
    for (endpoint, size) in [
        ("inproc://alloc-small", 8),
        ("inproc://alloc-large", 4096),
        ("tcp://127.0.0.1:*", 8),
        ("tcp://127.0.0.1:*", 100_000),
    ] {
        let ctx = Context::new().unwrap();
        let pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set_rcvtimeo(Some(TIMEOUT)).unwrap();
        pull.bind(endpoint).unwrap();
        let endpoint = pull.last_endpoint().unwrap();
        const COUNT: usize = 2_000;
        let sender = thread::spawn({
            let ctx = ctx.clone();
            move || {
                let push = ctx.socket(SocketType::Push).unwrap();
                push.connect(&endpoint).unwrap();
                let payload = vec![7u8; size];
                for _ in 0..COUNT {
                    push.send(&payload, SendFlags::empty()).unwrap();
                }
            }
        });
        let mut msg = Message::new();
        // The first receive may set things up (a thread-local in the test harness, say).
        pull.recv(&mut msg, RecvFlags::empty()).unwrap();
        let before = allocations();
        for _ in 1..COUNT {
            pull.recv(&mut msg, RecvFlags::empty()).unwrap();
            assert_eq!(msg.len(), size);
        }
        let made = allocations() - before;
        assert_eq!(
            made, 0,
            "{made} allocations receiving {COUNT} messages of {size} B"
        );
        sender.join().unwrap();
    }
}

#[test]
fn sending_an_owned_mebibyte_hands_the_buffer_over_without_copying() {
    let ctx = Context::new().unwrap();

    // Over inproc the receiver gets the very buffer that was sent.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(TIMEOUT)).unwrap();
    pull.bind("inproc://zero-copy").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://zero-copy").unwrap();
    let data = vec![1u8; 1 << 20];
    let address = data.as_ptr();
    push.send(data, SendFlags::empty()).unwrap();
    let received = pull.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(received.as_ptr(), address, "inproc delivered a copy");
    assert_eq!(received.len(), 1 << 20);
    drop(received);

    // Over tcp libzmq writes the buffer from its I/O thread and frees it there afterwards:
    // a copy would have freed the original inside `send`, on this thread.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(TIMEOUT)).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    let data = vec![2u8; 1 << 20];
    WATCHED.store(data.as_ptr() as usize, Ordering::SeqCst);
    push.send(data, SendFlags::empty()).unwrap();
    let received = pull.recv_msg(RecvFlags::empty()).unwrap();
    assert!(received.iter().all(|&b| b == 2) && received.len() == 1 << 20);
    // The sender frees after writing, which may be a moment after the receiver has it all.
    let deadline = std::time::Instant::now() + TIMEOUT;
    while FREES.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    WATCHED.store(0, Ordering::SeqCst);
    assert_eq!(FREES.load(Ordering::SeqCst), 1, "the buffer was freed once");
    assert_ne!(
        FREED_BY.load(Ordering::SeqCst),
        this_thread(),
        "freed by the sending thread: it was copied"
    );
}
