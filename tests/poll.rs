//! zmq::poll over sockets and raw file descriptors, and (with the DRAFT API) zmq::Poller.

mod common;

use std::io::Write;
use std::os::unix::io::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{connected, context, eventually, socket, Transport, TIMEOUT};
use zmq::{Error, PollEvents, PollItem, RecvFlags, SendFlags, SocketType};

#[test]
fn pollin_is_reported_once_a_message_arrives() {
    let ctx = context();
    let (a, b) = connected(&ctx, SocketType::Pair, SocketType::Pair, Transport::Inproc);
    let mut items = [b.as_poll_item(PollEvents::POLLIN)];

    assert_eq!(zmq::poll(&mut items, Some(Duration::ZERO)).unwrap(), 0);
    assert!(!items[0].is_readable());
    assert_eq!(items[0].revents(), PollEvents::empty());

    a.send("ping", SendFlags::empty()).unwrap();
    assert_eq!(zmq::poll(&mut items, Some(TIMEOUT)).unwrap(), 1);
    assert!(items[0].is_readable());
    assert!(!items[0].is_writable(), "POLLOUT was not asked for");
    assert_eq!(items[0].revents(), PollEvents::POLLIN);
    assert!(items[0].has_socket(&b));
    assert!(!items[0].has_socket(&a));
    assert_eq!(items[0].fd(), None);

    assert_eq!(b.recv_string(RecvFlags::DONTWAIT).unwrap(), "ping");
    assert_eq!(zmq::poll(&mut items, Some(Duration::ZERO)).unwrap(), 0);
    assert!(
        !items[0].is_readable(),
        "revents is recomputed on every call"
    );
}

#[test]
fn pollout_needs_a_connected_peer() {
    let ctx = context();
    let lonely = socket(&ctx, SocketType::Push);
    let mut items = [lonely.as_poll_item(PollEvents::POLLOUT)];
    assert_eq!(
        zmq::poll(&mut items, Some(Duration::from_millis(50))).unwrap(),
        0,
        "a PUSH with no peer cannot send"
    );

    let (_pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, Transport::Tcp);
    let mut items = [push.as_poll_item(PollEvents::POLLIN | PollEvents::POLLOUT)];
    let ready = eventually("POLLOUT on a connected PUSH", || {
        let n = zmq::poll(&mut items, Some(Duration::from_millis(100))).unwrap();
        (n == 1).then_some(n)
    });
    assert_eq!(ready, 1);
    assert!(items[0].is_writable());
    assert!(
        !items[0].is_readable(),
        "a PUSH never has anything to receive"
    );
}

#[test]
fn a_timeout_with_nothing_ready_returns_zero_after_waiting() {
    let ctx = context();
    let (_a, b) = connected(&ctx, SocketType::Pair, SocketType::Pair, Transport::Inproc);
    let mut items = [b.as_poll_item(PollEvents::POLLIN)];

    let start = Instant::now();
    assert_eq!(
        zmq::poll(&mut items, Some(Duration::from_millis(100))).unwrap(),
        0
    );
    assert!(start.elapsed() >= Duration::from_millis(100));

    // Less than a millisecond rounds up to one: it still waits, rather than only checking.
    let start = Instant::now();
    assert_eq!(
        zmq::poll(&mut items, Some(Duration::from_micros(10))).unwrap(),
        0
    );
    assert!(start.elapsed() >= Duration::from_millis(1));
}

#[test]
fn timeouts_libzmq_cannot_take_and_empty_infinite_polls_are_refused() {
    let ctx = context();
    let s = socket(&ctx, SocketType::Pull);
    let mut items = [s.as_poll_item(PollEvents::POLLIN)];
    assert_eq!(
        zmq::poll(&mut items, Some(Duration::MAX)),
        Err(Error::InvalidArgument)
    );

    let mut none: [PollItem<'_>; 0] = [];
    assert_eq!(zmq::poll(&mut none, None), Err(Error::InvalidArgument));
    let start = Instant::now();
    assert_eq!(zmq::poll(&mut none, Some(Duration::from_millis(20))), Ok(0));
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn sockets_and_raw_fds_mix_in_one_poll() {
    let ctx = context();
    let (a, b) = connected(&ctx, SocketType::Pair, SocketType::Pair, Transport::Inproc);
    let (mut writer, reader) = UnixStream::pair().unwrap();

    let mut items = [
        b.as_poll_item(PollEvents::POLLIN),
        PollItem::from_fd(reader.as_raw_fd(), PollEvents::POLLIN),
    ];
    assert_eq!(items[1].fd(), Some(reader.as_raw_fd()));
    assert!(!items[1].has_socket(&b));
    assert_eq!(zmq::poll(&mut items, Some(Duration::ZERO)).unwrap(), 0);

    writer.write_all(b"x").unwrap();
    assert_eq!(zmq::poll(&mut items, Some(TIMEOUT)).unwrap(), 1);
    assert!(!items[0].is_readable());
    assert!(items[1].is_readable());

    a.send("ping", SendFlags::empty()).unwrap();
    assert_eq!(zmq::poll(&mut items, Some(TIMEOUT)).unwrap(), 2);
    assert!(items[0].is_readable());
    assert!(items[1].is_readable());

    // Only the socket, now: stop asking about the descriptor.
    items[1].set_events(PollEvents::empty());
    assert_eq!(items[1].events(), PollEvents::empty());
    assert_eq!(zmq::poll(&mut items, Some(TIMEOUT)).unwrap(), 1);
    assert!(!items[1].is_readable());
}

#[test]
fn a_hung_up_descriptor_reports_pollerr() {
    let (writer, reader) = UnixStream::pair().unwrap();
    drop(writer);
    let mut items = [PollItem::from_fd(reader.as_raw_fd(), PollEvents::POLLIN)];
    assert_eq!(zmq::poll(&mut items, Some(TIMEOUT)).unwrap(), 1);
    assert!(items[0].is_error(), "POLLHUP maps to POLLERR: {items:?}");
}

#[test]
fn a_poll_returns_context_terminated_when_the_context_shuts_down() {
    let ctx = context();
    let s = socket(&ctx, SocketType::Pull);
    s.bind("inproc://poll-shutdown").unwrap();
    let (done, result) = mpsc::channel();
    let poller = thread::spawn(move || {
        let mut items = [s.as_poll_item(PollEvents::POLLIN)];
        let _ = done.send(zmq::poll(&mut items, None));
    });
    // Let it block first (a shutdown before the poll makes it fail at once as well).
    thread::sleep(Duration::from_millis(100));
    ctx.shutdown();
    let result = result
        .recv_timeout(TIMEOUT)
        .expect("the poll did not return after the shutdown");
    assert_eq!(result, Err(Error::ContextTerminated));
    poller.join().unwrap();
}

extern "C" fn ignore_signal(_: libc::c_int) {}

#[test]
fn a_signal_interrupts_a_poll_with_interrupted() {
    // SAFETY: installs a handler that does nothing, for a signal no other test uses, without
    // SA_RESTART (libzmq would not restart poll anyway).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
    let ctx = context();
    let (thread_id_tx, thread_id_rx) = mpsc::channel();
    let (done, result) = mpsc::channel();
    let s = socket(&ctx, SocketType::Pull);
    let poller = thread::spawn(move || {
        // SAFETY: pthread_self only names the calling thread.
        let _ = thread_id_tx.send(unsafe { libc::pthread_self() });
        let mut items = [s.as_poll_item(PollEvents::POLLIN)];
        let _ = done.send(zmq::poll(&mut items, None));
    });
    let thread_id = thread_id_rx.recv_timeout(TIMEOUT).unwrap();
    // A signal that lands before the poll starts is lost: send until one interrupts it.
    let deadline = Instant::now() + TIMEOUT;
    let result = loop {
        // SAFETY: the thread is alive until it has sent its result, which is checked next.
        unsafe { libc::pthread_kill(thread_id, libc::SIGUSR1) };
        if let Ok(result) = result.recv_timeout(Duration::from_millis(20)) {
            break result;
        }
        assert!(Instant::now() < deadline, "the poll was never interrupted");
    };
    assert_eq!(result, Err(Error::Interrupted));
    poller.join().unwrap();
}

#[cfg(zmq_draft)]
mod poller {
    use std::rc::Rc;

    use super::*;
    use zmq::Poller;

    #[test]
    fn events_carry_the_user_data_of_their_registration() {
        let ctx = context();
        let (a_in, a) = connected(&ctx, SocketType::Pair, SocketType::Pair, Transport::Inproc);
        let (b_in, b) = connected(&ctx, SocketType::Pair, SocketType::Pair, Transport::Inproc);
        let mut poller = Poller::new().unwrap();
        poller.add(&a, PollEvents::POLLIN, "a".to_owned()).unwrap();
        poller.add(&b, PollEvents::POLLIN, "b".to_owned()).unwrap();
        assert_eq!(poller.len(), 2);

        assert_eq!(
            poller.wait(Some(Duration::from_millis(20))).unwrap_err(),
            Error::WouldBlock
        );
        let mut events = Vec::new();
        assert_eq!(
            poller
                .wait_all(&mut events, Some(Duration::from_millis(20)))
                .unwrap(),
            0
        );
        assert!(events.is_empty());

        b_in.send("to b", SendFlags::empty()).unwrap();
        let event = poller.wait(Some(TIMEOUT)).unwrap();
        assert_eq!(event.data(), "b");
        assert!(event.is_readable());
        assert!(!event.is_writable());
        assert_eq!(event.fd(), None);

        a_in.send("to a", SendFlags::empty()).unwrap();
        assert_eq!(poller.wait_all(&mut events, Some(TIMEOUT)).unwrap(), 2);
        let mut names: Vec<&str> = events.iter().map(|e| e.data().as_str()).collect();
        names.sort();
        assert_eq!(names, ["a", "b"]);
        drop(events);

        assert_eq!(poller.remove(&a).unwrap(), "a");
        assert_eq!(poller.remove(&a), Err(Error::InvalidArgument));
        assert_eq!(poller.len(), 1);
        let event = poller.wait(Some(TIMEOUT)).unwrap();
        assert_eq!(event.data(), "b");
    }

    #[test]
    fn modify_changes_what_is_waited_for() {
        let ctx = context();
        let (_pull, push) = connected(&ctx, SocketType::Pull, SocketType::Push, Transport::Tcp);
        let mut poller = Poller::new().unwrap();
        poller.add(&push, PollEvents::POLLIN, 7u32).unwrap();
        assert_eq!(
            poller.wait(Some(Duration::from_millis(50))).unwrap_err(),
            Error::WouldBlock
        );
        poller.modify(&push, PollEvents::POLLOUT).unwrap();
        let event = eventually("POLLOUT through the poller", || {
            poller
                .wait(Some(Duration::from_millis(100)))
                .ok()
                .map(|e| (*e.data(), e.events()))
        });
        assert_eq!(event, (7, PollEvents::POLLOUT));

        let stranger = socket(&ctx, SocketType::Pull);
        assert_eq!(
            poller.modify(&stranger, PollEvents::POLLIN),
            Err(Error::InvalidArgument)
        );
    }

    #[test]
    fn raw_fds_are_registered_with_their_own_data() {
        let ctx = context();
        let s = socket(&ctx, SocketType::Pull);
        let (mut writer, reader) = UnixStream::pair().unwrap();
        let fd = reader.as_raw_fd();
        let mut poller = Poller::new().unwrap();
        poller.add(&s, PollEvents::POLLIN, "socket").unwrap();
        poller.add_fd(fd, PollEvents::POLLIN, "stream").unwrap();
        assert_eq!(
            poller.add_fd(fd, PollEvents::POLLIN, "again"),
            Err(Error::InvalidArgument)
        );

        writer.write_all(b"x").unwrap();
        let event = poller.wait(Some(TIMEOUT)).unwrap();
        assert_eq!(*event.data(), "stream");
        assert_eq!(event.fd(), Some(fd));
        assert!(event.is_readable());

        poller.modify_fd(fd, PollEvents::empty()).unwrap();
        assert_eq!(
            poller.wait(Some(Duration::from_millis(20))).unwrap_err(),
            Error::WouldBlock
        );
        assert_eq!(poller.remove_fd(fd).unwrap(), "stream");
        assert_eq!(poller.remove_fd(fd), Err(Error::InvalidArgument));
    }

    #[test]
    fn user_data_is_dropped_exactly_once_and_slots_are_reused() {
        let ctx = context();
        let (a, b) = connected(&ctx, SocketType::Pair, SocketType::Pair, Transport::Inproc);
        let c = socket(&ctx, SocketType::Pull);
        let data = Rc::new(());
        {
            let mut poller = Poller::new().unwrap();
            poller
                .add(&a, PollEvents::POLLIN, Rc::clone(&data))
                .unwrap();
            // A refused registration drops its data at once.
            assert_eq!(
                poller.add(&a, PollEvents::POLLIN, Rc::clone(&data)),
                Err(Error::InvalidArgument)
            );
            assert_eq!(Rc::strong_count(&data), 2);
            poller
                .add(&b, PollEvents::POLLIN, Rc::clone(&data))
                .unwrap();
            assert_eq!(Rc::strong_count(&data), 3);

            // Removing hands the data back; the freed slot serves the next registration.
            drop(poller.remove(&a).unwrap());
            assert_eq!(Rc::strong_count(&data), 2);
            poller
                .add(&c, PollEvents::POLLIN, Rc::clone(&data))
                .unwrap();
            assert_eq!(Rc::strong_count(&data), 3);
            assert_eq!(poller.len(), 2);
        }
        assert_eq!(
            Rc::strong_count(&data),
            1,
            "dropping the poller drops its data"
        );
    }

    #[test]
    fn waiting_for_ever_on_nothing_is_refused() {
        let poller: Poller<'_, ()> = Poller::new().unwrap();
        assert!(poller.is_empty());
        assert_eq!(poller.wait(None).unwrap_err(), Error::InvalidArgument);
        let mut events = Vec::new();
        assert_eq!(
            poller.wait_all(&mut events, None),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            poller.wait(Some(Duration::from_millis(10))).unwrap_err(),
            Error::WouldBlock
        );
    }

    #[test]
    fn only_a_poller_with_thread_safe_sockets_has_an_fd() {
        let ctx = context();
        let s = socket(&ctx, SocketType::Pull);
        let mut poller = Poller::new().unwrap();
        poller.add(&s, PollEvents::POLLIN, ()).unwrap();
        assert_eq!(poller.fd(), Err(Error::InvalidArgument));
    }

    #[test]
    fn a_wait_returns_context_terminated_when_the_context_shuts_down() {
        let ctx = context();
        let s = socket(&ctx, SocketType::Pull);
        let (done, result) = mpsc::channel();
        let waiter = thread::spawn(move || {
            let mut poller = Poller::new().unwrap();
            poller.add(&s, PollEvents::POLLIN, ()).unwrap();
            let _ = done.send(poller.wait(None).map(|_| ()));
        });
        thread::sleep(Duration::from_millis(100));
        ctx.shutdown();
        let result = result
            .recv_timeout(TIMEOUT)
            .expect("the wait did not return after the shutdown");
        assert_eq!(result, Err(Error::ContextTerminated));
        waiter.join().unwrap();
    }
}
