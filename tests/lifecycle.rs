//! Context and socket lifetimes: shutdown wakes blocked calls, every drop order finishes, and
//! the whole is clean under valgrind.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use support::peers::{assert_clean_under_valgrind, assert_test_passes, require, valgrind};
use zmq::{Context, Message, RecvFlags, SendFlags, Socket, SocketType};

mod support;

/// Long enough for a loaded machine, short enough that a hang fails the test.
const BOUND: Duration = Duration::from_secs(10);

/// Runs `work` on its own thread and fails if it does not finish within `BOUND`.
fn finishes<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(work());
    });
    match finished.recv_timeout(BOUND) {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {BOUND:?}"),
    }
}

#[test]
fn handles_are_send_and_sync_where_libzmq_allows() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<Context>();
    assert_send::<Socket>();
    assert_send::<Message>();
}

#[test]
fn shutdown_wakes_a_recv_blocked_in_another_thread() {
    let ctx = Context::new().unwrap();
    let socket = ctx.socket(SocketType::Pull).unwrap();
    socket.bind("inproc://lifecycle-shutdown").unwrap();
    let (started, is_started) = mpsc::channel();
    let (result, got_result) = mpsc::channel();
    let receiver = thread::spawn(move || {
        started.send(()).unwrap();
        result.send(socket.recv_msg(RecvFlags::empty())).unwrap();
        // The socket is dropped here, in its thread, after the context was shut down.
    });
    is_started.recv().unwrap();
    thread::sleep(Duration::from_millis(50));
    ctx.shutdown();
    let outcome = got_result
        .recv_timeout(BOUND)
        .expect("shutdown did not wake the blocked recv");
    assert_eq!(outcome.unwrap_err(), zmq::Error::ContextTerminated);
    receiver.join().unwrap();
    // Every later call fails the same way, and a second shutdown is harmless.
    assert_eq!(
        ctx.socket(SocketType::Push).unwrap_err(),
        zmq::Error::ContextTerminated
    );
    ctx.shutdown();
    finishes("dropping the shut-down context", move || drop(ctx));
}

#[test]
fn shutdown_wakes_a_send_blocked_at_the_high_water_mark() {
    let ctx = Context::new().unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_sndhwm(1).unwrap();
    push.set_linger(Some(Duration::ZERO)).unwrap();
    // A peer that never reads: the pipe fills and send blocks.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvhwm(1).unwrap();
    pull.bind("inproc://lifecycle-hwm").unwrap();
    push.connect("inproc://lifecycle-hwm").unwrap();
    let sender = thread::spawn(move || loop {
        if let Err(e) = push.send(&b"fill"[..], SendFlags::empty()) {
            return e.into_parts().0;
        }
    });
    thread::sleep(Duration::from_millis(100));
    ctx.shutdown();
    let error = finishes("the blocked send", move || sender.join().unwrap());
    assert_eq!(error, zmq::Error::ContextTerminated);
    drop(pull);
    finishes("dropping the context", move || drop(ctx));
}

/// Everything one drop order can hold: a context, two connected sockets (one with a queued
/// message nobody will read), and a received message.
enum Item {
    Context(Context),
    Socket(Socket),
    Message(Message),
}

fn items(name: &str, linger: Option<Duration>) -> Vec<Item> {
    let mut builder = Context::builder();
    if let Some(linger) = linger {
        builder = builder.linger(Some(linger));
    }
    let ctx = builder.build().unwrap();
    let endpoint = format!("inproc://lifecycle-{name}");
    let a = ctx.socket(SocketType::Pair).unwrap();
    let b = ctx.socket(SocketType::Pair).unwrap();
    a.bind(&endpoint).unwrap();
    b.connect(&endpoint).unwrap();
    a.send(vec![1u8; 100], SendFlags::empty()).unwrap();
    let msg = b.recv_msg(RecvFlags::empty()).unwrap();
    // Queued for `b`, never read: with an infinite linger and a live peer this is delivered
    // into b's pipe, so termination does not wait on it.
    a.send("unread", SendFlags::empty()).unwrap();
    vec![
        Item::Context(ctx),
        Item::Socket(a),
        Item::Socket(b),
        Item::Message(msg),
    ]
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut order = rest.clone();
            order.insert(at, n - 1);
            all.push(order);
        }
    }
    all
}

/// Drops the items in `order`; the message is read after the context is gone if it
/// outlives it, to show it owns its bytes.
fn drop_in_order(mut items: Vec<Option<Item>>, order: &[usize]) {
    for &index in order {
        match items[index].take() {
            Some(Item::Message(msg)) => {
                assert_eq!(&msg[..], &[1u8; 100][..]);
                drop(msg);
            }
            Some(Item::Context(ctx)) => drop(ctx),
            Some(Item::Socket(socket)) => drop(socket),
            None => unreachable!("each index appears once"),
        }
    }
}

#[test]
fn every_drop_order_finishes() {
    for (linger_name, linger) in [("infinite", None), ("zero", Some(Duration::ZERO))] {
        for (n, order) in permutations(4).into_iter().enumerate() {
            let name = format!("{linger_name}-{n}");
            let items: Vec<Option<Item>> = items(&name, linger).into_iter().map(Some).collect();
            let what = format!("drop order {order:?} with {linger_name} linger");
            finishes(&what, move || drop_in_order(items, &order));
        }
    }
}

#[test]
fn dropping_from_several_threads_finishes() {
    for round in 0..20 {
        let mut items = items(&format!("threads-{round}"), None);
        let handles: Vec<_> = items
            .drain(..)
            .map(|item| thread::spawn(move || drop(item)))
            .collect();
        finishes("dropping from four threads", move || {
            for handle in handles {
                handle.join().unwrap();
            }
        });
    }
}

/// Reruns `every_drop_order_finishes` and the shutdown test in this same test binary under
/// valgrind, failing on any memory error or definite leak.
#[test]
fn drop_orders_are_clean_under_valgrind() {
    if require(valgrind()).is_none() {
        return;
    }
    for test in [
        "every_drop_order_finishes",
        "shutdown_wakes_a_recv_blocked_in_another_thread",
    ] {
        assert_clean_under_valgrind(test);
    }
}

/// Runs the test `name` of this binary in a child process (with `ZMQ_LIFECYCLE_CHILD` set),
/// so that an abort inside libzmq fails this test, not the whole test binary.
fn in_child_process(name: &str) {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.env("ZMQ_LIFECYCLE_CHILD", "1");
    assert_test_passes(command, name, "in a child process");
}

fn is_child() -> bool {
    std::env::var_os("ZMQ_LIFECYCLE_CHILD").is_some()
}

/// Connects one socket `per_name` times to each of `names` inproc names that nothing binds,
/// closes it, and drops the context, within `BOUND`.
fn terminate_with_waiting_connects(ctx: Context, names: usize, per_name: usize) {
    finishes("terminating with waiting inproc connects", move || {
        let socket = ctx.socket(SocketType::Push).unwrap();
        socket.set_linger(Some(Duration::ZERO)).unwrap();
        for name in 0..names {
            for _ in 0..per_name {
                socket.connect(&format!("inproc://nobody-{name}")).unwrap();
            }
        }
        drop(socket);
        drop(ctx);
    });
}

// libzmq's zmq_ctx_term completes each connect still waiting for an inproc bind with a PAIR
// socket of its own, and asserts that it could make one: with more waiting connects than free
// socket slots it aborted the process. The crate completes them first, on one socket.

#[test]
fn many_connects_waiting_for_an_inproc_bind_do_not_abort_termination() {
    if !is_child() {
        return in_child_process(
            "many_connects_waiting_for_an_inproc_bind_do_not_abort_termination",
        );
    }
    // Distinct names, then one name connected to many times (one waiting entry per connect),
    // each beyond the default 1,023 sockets.
    terminate_with_waiting_connects(Context::new().unwrap(), 1500, 1);
    terminate_with_waiting_connects(Context::new().unwrap(), 1, 1500);
    // And on a small context, where a few are already too many.
    let small = Context::builder().max_sockets(4).build().unwrap();
    terminate_with_waiting_connects(small, 40, 2);
}

/// Every stable socket type but STREAM (which has no inproc), as a connector to a name
/// nothing binds.
fn connectors() -> impl Iterator<Item = SocketType> {
    SocketType::ALL
        .into_iter()
        .filter(|kind| *kind != SocketType::Stream)
}

// After `Context::shutdown` no socket can be made, so the crate completes the waiting connects
// in `shutdown` itself, while the user's sockets are still open. Done on one PAIR, that made
// libzmq assert (`written`, pipe.cpp): a PAIR terminates every pipe but its first, and libzmq
// then writes the routing id a live ROUTER connector expects into the terminated pipe.

#[test]
fn many_connects_waiting_for_an_inproc_bind_do_not_abort_shutdown() {
    if !is_child() {
        return in_child_process("many_connects_waiting_for_an_inproc_bind_do_not_abort_shutdown");
    }
    let ctx = Context::builder()
        .linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    // Open sockets of every type, each connected twice to several names (two waiting entries
    // per name, several names per socket), and closed sockets whose connects still wait,
    // 1,540 waiting connects from the stable types.
    let mut open = Vec::new();
    for round in 0..7 {
        for (index, kind) in connectors().enumerate() {
            let socket = ctx.socket(kind).unwrap();
            for name in 0..10 {
                let endpoint = format!("inproc://unbound-{round}-{index}-{name}");
                socket.connect(&endpoint).unwrap();
                socket.connect(&endpoint).unwrap();
            }
            if (round + index) % 2 == 0 {
                open.push(socket);
            }
        }
    }
    // The DRAFT types open too; the thread-safe ones refuse inproc (two of them deadlock over
    // it inside libzmq), so they leave nothing waiting.
    #[cfg(feature = "draft")]
    for kind in SocketType::DRAFT {
        if kind == SocketType::Dgram {
            continue; // udp only
        }
        let socket = ctx.socket(kind).unwrap();
        for name in 0..3 {
            assert_eq!(
                socket.connect(&format!("inproc://unbound-{kind:?}-{name}")),
                Err(zmq::Error::IncompatibleProtocol)
            );
        }
        open.push(socket);
    }
    // And one blocked in `recv` on another thread, which the shutdown wakes.
    let blocked = ctx.socket(SocketType::Pull).unwrap();
    blocked.connect("inproc://unbound-blocked").unwrap();
    let waiter = thread::spawn(move || {
        let result = blocked.recv_msg(RecvFlags::empty());
        (blocked, result)
    });
    thread::sleep(Duration::from_millis(50));
    ctx.shutdown();
    let (blocked, result) = finishes("a recv woken by shutdown", move || waiter.join().unwrap());
    assert_eq!(result.unwrap_err(), zmq::Error::ContextTerminated);
    finishes("terminating after a shutdown", move || {
        drop((open, blocked));
        drop(ctx);
    });
}

// With every socket slot taken at the shutdown, not even the crate's one socket can be made,
// then or after: libzmq's termination would abort (`Assertion failed: s`, ctx.cpp). The last
// handle leaves such a context unterminated instead.

#[test]
fn a_shutdown_with_every_slot_taken_and_connects_waiting_does_not_abort() {
    if !is_child() {
        return in_child_process(
            "a_shutdown_with_every_slot_taken_and_connects_waiting_does_not_abort",
        );
    }
    let ctx = Context::builder().max_sockets(4).build().unwrap();
    let sockets: Vec<Socket> = (0..4)
        .map(|index| {
            let socket = ctx.socket(SocketType::Push).unwrap();
            socket.connect(&format!("inproc://full-{index}")).unwrap();
            socket
        })
        .collect();
    assert_eq!(
        ctx.socket(SocketType::Push).unwrap_err(),
        zmq::Error::TooManyOpenFiles
    );
    ctx.shutdown();
    finishes("dropping a full context after a shutdown", move || {
        drop(sockets);
        drop(ctx);
    });
}

#[test]
fn connects_waiting_for_an_inproc_bind_still_complete_when_it_comes() {
    let ctx = Context::new().unwrap();
    let early = ctx.socket(SocketType::Push).unwrap();
    early.connect("inproc://late-binder").unwrap();
    early
        .send("queued before the bind", SendFlags::empty())
        .unwrap();
    // A name bound, unbound and bound again by another socket, connected in between.
    let first = ctx.socket(SocketType::Pull).unwrap();
    first.bind("inproc://rebound").unwrap();
    first.unbind("inproc://rebound").unwrap();
    let between = ctx.socket(SocketType::Push).unwrap();
    between.connect("inproc://rebound").unwrap();
    between
        .send("sent while unbound", SendFlags::empty())
        .unwrap();

    let late = ctx.socket(SocketType::Pull).unwrap();
    late.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    late.bind("inproc://late-binder").unwrap();
    assert_eq!(
        late.recv_string(RecvFlags::empty()).unwrap(),
        "queued before the bind"
    );
    let second = ctx.socket(SocketType::Pull).unwrap();
    second.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    second.bind("inproc://rebound").unwrap();
    assert_eq!(
        second.recv_string(RecvFlags::empty()).unwrap(),
        "sent while unbound"
    );
    // A connect to a bound name is not completed elsewhere at termination: the message
    // arrives here, and the context still terminates.
    let after = ctx.socket(SocketType::Push).unwrap();
    after.connect("inproc://late-binder").unwrap();
    after.send("to a bound name", SendFlags::empty()).unwrap();
    assert_eq!(
        late.recv_string(RecvFlags::empty()).unwrap(),
        "to a bound name"
    );
    finishes("terminating", move || {
        drop((ctx, early, between, late, second, after, first))
    });
}

/// A socket that connected to an `inproc://` name nobody had bound, sent, and closed: the
/// bind that comes later still gets what it sent, and the close gives libzmq's reaper thread
/// nothing to do to that waiting connection while the bind works on it (the crate ends the
/// connection on the closing thread first; a race there aborted the sockets fuzz target once,
/// in src/pipe.cpp). Round after round, the bind right after the close; a new context every
/// 50 rounds, since libzmq 4.3.4 keeps such closed connectors (in its socket slots) until the
/// context terminates.
#[test]
fn a_closed_connector_waiting_for_an_inproc_bind_still_delivers_to_it() {
    finishes("1,000 rounds of connect, send, close, bind", || {
        for batch in 0..20 {
            let ctx = Context::new().unwrap();
            for round in batch * 50..(batch + 1) * 50 {
                let name = format!("inproc://closed-connector-{round}");
                for n in 0..3 {
                    let early = ctx.socket(SocketType::Push).unwrap();
                    early.connect(&name).unwrap();
                    early
                        .send(format!("{round}.{n}"), SendFlags::empty())
                        .unwrap();
                }
                let late = ctx.socket(SocketType::Pull).unwrap();
                late.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
                late.bind(&name).unwrap();
                let mut got: Vec<String> = (0..3)
                    .map(|_| late.recv_string(RecvFlags::empty()).unwrap())
                    .collect();
                got.sort();
                assert_eq!(got, [0, 1, 2].map(|n| format!("{round}.{n}")));
            }
        }
    });
}

// A ROUTER or REP (the types that take their peers' routing ids) that disconnects from an
// inproc name still waiting for a bind leaves libzmq's waiting record of it behind, ended; a
// later bind of the name, or the crate's completion at shutdown, then writes the binder's
// routing id into the ended pipe, and libzmq asserts (`written`, src/pipe.cpp): found by the
// endpoints fuzz target (an unbind, which libzmq treats as a disconnect for inproc). The
// crate completes such a name on a socket of its own before the disconnect, or refuses the
// disconnect (`InvalidState`) while other sockets wait for the name too.

#[test]
fn a_router_or_rep_leaving_a_waiting_inproc_name_does_not_abort_a_later_bind() {
    if !is_child() {
        return in_child_process(
            "a_router_or_rep_leaving_a_waiting_inproc_name_does_not_abort_a_later_bind",
        );
    }
    let ctx = Context::new().unwrap();
    for (round, kind) in [SocketType::Router, SocketType::Rep]
        .into_iter()
        .enumerate()
    {
        for leave in [Socket::disconnect, Socket::unbind] {
            let name = format!("inproc://left-{round}-{}", leave as usize);
            let connector = ctx.socket(kind).unwrap();
            connector.connect(&name).unwrap();
            // libzmq 4.3.5 answers an unbind of a connected inproc name with ENOENT.
            let left = leave(&connector, &name);
            assert!(
                matches!(left, Ok(()) | Err(zmq::Error::EndpointNotFound)),
                "{kind:?}: {left:?}"
            );
            // The name binds at once, and what the binder sends reaches no one if the
            // connector left it.
            let binder = ctx.socket(SocketType::Dealer).unwrap();
            binder.bind(&name).unwrap();
            binder.send("after", SendFlags::DONTWAIT).ok();
            thread::sleep(Duration::from_millis(20));
            if left.is_ok() {
                assert_eq!(
                    connector.recv_msg(RecvFlags::DONTWAIT).map(drop),
                    Err(zmq::Error::WouldBlock),
                    "{kind:?} still connected"
                );
            }
        }
    }
    // With another socket waiting for the name too, the disconnect is refused and the
    // connection stays.
    let router = ctx.socket(SocketType::Router).unwrap();
    let other = ctx.socket(SocketType::Pull).unwrap();
    router.connect("inproc://left-shared").unwrap();
    other.connect("inproc://left-shared").unwrap();
    assert_eq!(
        router.disconnect("inproc://left-shared"),
        Err(zmq::Error::InvalidState)
    );
    // A ROUTER that left a waiting name, with the context shut down while it is open.
    let leaving = ctx.socket(SocketType::Router).unwrap();
    leaving.connect("inproc://left-at-shutdown").unwrap();
    leaving.disconnect("inproc://left-at-shutdown").unwrap();
    finishes("a shutdown after a ROUTER left a waiting name", move || {
        ctx.shutdown();
        drop((router, other, leaving));
        drop(ctx);
    });
}
