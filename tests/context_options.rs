//! Context options through the builder and the context's getters, and the builder's default
//! socket options.

mod common;

use std::time::Duration;

use zmq::{Context, Error, SocketType};

#[test]
fn a_new_context_reads_libzmqs_defaults() {
    let ctx = Context::new().expect("create a context");
    assert_eq!(ctx.io_threads(), Ok(1));
    assert_eq!(ctx.max_sockets(), Ok(1023));
    let limit = ctx.socket_limit().expect("read SOCKET_LIMIT");
    assert!(
        (1023..=65535).contains(&limit),
        "SOCKET_LIMIT {limit} is not between the default MAX_SOCKETS and 65535"
    );
    assert_eq!(ctx.thread_sched_policy(), Ok(None));
    assert_eq!(ctx.max_msgsz(), Ok(i32::MAX));
    assert_eq!(ctx.msg_t_size(), Ok(64));
    assert_eq!(
        usize::try_from(ctx.msg_t_size().expect("read MSG_T_SIZE")),
        Ok(std::mem::size_of::<zmq::sys::zmq_msg_t>()),
        "libzmq's zmq_msg_t is the size the bindings declare"
    );
    assert_eq!(ctx.ipv6(), Ok(false));
    assert_eq!(ctx.blocky(), Ok(true));
    #[cfg(zmq_draft)]
    {
        assert_eq!(ctx.zero_copy_recv(), Ok(true));
        assert_eq!(ctx.thread_name_prefix(), Ok(String::new()));
    }
}

#[test]
fn the_builder_sets_what_the_context_reads_back() {
    let ctx = Context::builder()
        .io_threads(2)
        .max_sockets(64)
        .max_msgsz(1 << 20)
        .thread_sched_policy(libc::SCHED_OTHER)
        .thread_priority(0)
        .ipv6(true)
        .blocky(false)
        .build()
        .expect("build");
    assert_eq!(ctx.io_threads(), Ok(2));
    assert_eq!(ctx.max_sockets(), Ok(64));
    assert_eq!(ctx.max_msgsz(), Ok(1 << 20));
    assert_eq!(ctx.thread_sched_policy(), Ok(Some(libc::SCHED_OTHER)));
    assert_eq!(ctx.ipv6(), Ok(true));
    assert_eq!(ctx.blocky(), Ok(false));

    // New sockets take IPV6 from the context, and a linger of 0 from BLOCKY = false.
    let socket = ctx.socket(SocketType::Dealer).expect("create a socket");
    assert_eq!(socket.ipv6(), Ok(true));
    assert_eq!(socket.linger(), Ok(Some(Duration::ZERO)));
}

#[test]
fn max_sockets_is_enforced() {
    let ctx = Context::builder().max_sockets(2).build().expect("build");
    let _a = ctx.socket(SocketType::Pair).expect("first socket");
    let _b = ctx.socket(SocketType::Pair).expect("second socket");
    assert_eq!(
        ctx.socket(SocketType::Pair).err(),
        Some(Error::TooManyOpenFiles)
    );
}

#[test]
fn values_libzmq_refuses_fail_the_build() {
    let refused = |builder: zmq::ContextBuilder| builder.build().err();
    assert_eq!(
        refused(Context::builder().io_threads(-1)),
        Some(Error::InvalidArgument)
    );
    assert_eq!(
        refused(Context::builder().max_sockets(0)),
        Some(Error::InvalidArgument)
    );
    let limit = Context::new()
        .and_then(|ctx| ctx.socket_limit())
        .expect("read SOCKET_LIMIT");
    assert_eq!(
        refused(Context::builder().max_sockets(limit + 1)),
        Some(Error::InvalidArgument)
    );
    assert_eq!(
        refused(Context::builder().max_msgsz(-1)),
        Some(Error::InvalidArgument)
    );
    assert_eq!(
        refused(Context::builder().thread_priority(-5)),
        Some(Error::InvalidArgument)
    );
    // Removing a CPU that was never added.
    assert_eq!(
        refused(Context::builder().thread_affinity_cpu_remove(0)),
        Some(Error::InvalidArgument)
    );
    assert_eq!(
        refused(Context::builder().linger(Some(Duration::from_secs(u64::MAX)))),
        Some(Error::InvalidArgument)
    );
}

/// libzmq applies scheduling options inside its I/O threads and aborts the process when the
/// system refuses them; the builder must refuse them first. Reaching the end of this test is
/// the point: an abort would kill the whole test binary.
#[cfg(target_os = "linux")]
#[test]
fn scheduling_the_system_refuses_is_an_error_not_an_abort() {
    // No such scheduling policy.
    let policy = Context::builder().thread_sched_policy(12345).build();
    assert_eq!(policy.err(), Some(Error::InvalidArgument));

    // A CPU that no machine running these tests has.
    let cpu = Context::builder().thread_affinity_cpu_add(1000).build();
    assert_eq!(cpu.err(), Some(Error::InvalidArgument));

    // A real-time priority out of range.
    let priority = Context::builder()
        .thread_sched_policy(libc::SCHED_FIFO)
        .thread_priority(1000)
        .build();
    assert!(priority.is_err(), "priority 1000 accepted: {priority:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn cpu_affinity_the_process_has_is_accepted() {
    // SAFETY: sched_getcpu has no preconditions.
    let cpu = unsafe { libc::sched_getcpu() };
    assert!(cpu >= 0, "sched_getcpu failed");
    let ctx = Context::builder()
        .thread_affinity_cpu_add(cpu)
        .thread_affinity_cpu_add(cpu + 4096)
        .thread_affinity_cpu_remove(cpu + 4096)
        .build()
        .expect("build");
    // The I/O thread starts, with that affinity, at the first socket.
    let (a, b) = common::connected(
        &ctx,
        SocketType::Pair,
        SocketType::Pair,
        common::Transport::Tcp,
    );
    a.send("pinned", zmq::SendFlags::empty()).expect("send");
    assert_eq!(
        b.recv_string(zmq::RecvFlags::empty()).as_deref(),
        Ok("pinned")
    );
}

/// The names of this process's threads.
#[cfg(target_os = "linux")]
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("list /proc/self/task")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn threads_carry_the_name_prefix() {
    // A number, which even the stable API takes; four bytes, which the DRAFT one must not
    // mistake for an int.
    let ctx = Context::builder()
        .thread_name_prefix("7315")
        .build()
        .expect("build");
    #[cfg(zmq_draft)]
    assert_eq!(ctx.thread_name_prefix().as_deref(), Ok("7315"));
    // libzmq starts (and names) its threads with the first socket.
    let _socket = ctx.socket(SocketType::Pair).expect("create a socket");
    let name = common::eventually("a thread named 7315/ZMQbg/...", || {
        thread_names()
            .into_iter()
            .find(|name| name.starts_with("7315/ZMQbg/"))
    });
    println!("thread: {name}");
}

#[cfg(all(target_os = "linux", zmq_draft))]
#[test]
fn a_text_name_prefix_needs_the_draft_api() {
    let ctx = Context::builder()
        .thread_name_prefix("zt-app")
        .build()
        .expect("build");
    assert_eq!(ctx.thread_name_prefix().as_deref(), Ok("zt-app"));
    let _socket = ctx.socket(SocketType::Pair).expect("create a socket");
    common::eventually("a thread named zt-app/ZMQbg/...", || {
        thread_names()
            .into_iter()
            .find(|name| name.starts_with("zt-app/ZMQbg/"))
    });

    // libzmq takes 1 to 16 bytes.
    let long = Context::builder()
        .thread_name_prefix(&"x".repeat(17))
        .build();
    assert_eq!(long.err(), Some(Error::InvalidArgument));
    let empty = Context::builder().thread_name_prefix("").build();
    assert_eq!(empty.err(), Some(Error::InvalidArgument));
    let nul = Context::builder().thread_name_prefix("a\0b").build();
    assert_eq!(nul.err(), Some(Error::InteriorNul { position: 1 }));
}

#[cfg(not(zmq_draft))]
#[test]
fn a_text_name_prefix_needs_the_draft_api() {
    let text = Context::builder().thread_name_prefix("app").build();
    assert_eq!(text.err(), Some(Error::NotSupported));
    // A number that would not read back the same is not what the caller wrote.
    let padded = Context::builder().thread_name_prefix("007").build();
    assert_eq!(padded.err(), Some(Error::NotSupported));
}

#[test]
fn socket_defaults_apply_to_every_new_socket_in_order() {
    let ctx = Context::builder()
        .linger(Some(Duration::from_millis(100)))
        .socket_defaults(|s| {
            s.set_sndhwm(10)?;
            s.set_linger(Some(Duration::ZERO))
        })
        .socket_defaults(|s| s.set_sndhwm(20))
        .socket_defaults(|s| {
            // A default can depend on the socket type.
            if s.socket_type()? == SocketType::Sub {
                s.set_subscribe(b"")?;
            }
            Ok(())
        })
        .build()
        .expect("build");
    for kind in [SocketType::Push, SocketType::Sub, SocketType::Router] {
        let socket = ctx.socket(kind).expect("create a socket");
        assert_eq!(socket.sndhwm(), Ok(20), "{kind:?}: the later hook wins");
        assert_eq!(
            socket.linger(),
            Ok(Some(Duration::ZERO)),
            "{kind:?}: hooks run after the builder's linger"
        );
        assert_eq!(socket.rcvhwm(), Ok(1000), "{kind:?}: untouched");
    }

    // The SUB really subscribed: it receives from a PUB without subscribing itself.
    let publisher = common::socket(&ctx, SocketType::Pub);
    let endpoint = common::bind(&publisher, common::Transport::Inproc);
    let subscriber = ctx.socket(SocketType::Sub).expect("create a socket");
    subscriber
        .set_rcvtimeo(Some(common::TIMEOUT))
        .expect("set RCVTIMEO");
    subscriber.connect(&endpoint).expect("connect");
    common::eventually("the subscription to reach the PUB", || {
        publisher.send("news", zmq::SendFlags::empty()).ok()?;
        common::try_recv(&subscriber)
    });
}

#[test]
fn the_builders_linger_still_works_alone() {
    let ctx = Context::builder()
        .linger(Some(Duration::from_millis(250)))
        .build()
        .expect("build");
    let socket = ctx.socket(SocketType::Push).expect("create a socket");
    assert_eq!(socket.linger(), Ok(Some(Duration::from_millis(250))));
    // A socket without builder defaults keeps libzmq's.
    let plain = Context::new().expect("create a context");
    let socket = plain.socket(SocketType::Push).expect("create a socket");
    assert_eq!(socket.linger(), Ok(None));
}

#[test]
fn a_failing_default_fails_socket_creation() {
    let ctx = Context::builder()
        .linger(Some(Duration::ZERO))
        .socket_defaults(|s| s.set_sndhwm(-1))
        .build()
        .expect("build");
    assert_eq!(
        ctx.socket(SocketType::Push).err(),
        Some(Error::InvalidArgument)
    );
    // Every later socket goes through the same hook.
    assert_eq!(
        ctx.socket(SocketType::Pull).err(),
        Some(Error::InvalidArgument)
    );
}

#[test]
fn a_context_and_its_builder_are_shareable() {
    fn shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shareable::<Context>();
    shareable::<zmq::ContextBuilder>();
}

#[test]
fn live_settings_apply_to_sockets_created_afterwards() {
    let ctx = Context::new().unwrap();
    let before = ctx.socket(SocketType::Pull).unwrap();
    ctx.set_ipv6(true).unwrap();
    assert!(ctx.ipv6().unwrap());
    let after = ctx.socket(SocketType::Pull).unwrap();
    assert!(
        !before.ipv6().unwrap(),
        "an existing socket keeps its setting"
    );
    assert!(after.ipv6().unwrap(), "a new socket takes the context's");

    ctx.set_blocky(false).unwrap();
    assert!(!ctx.blocky().unwrap());
    // Without blocky, libzmq gives new sockets a linger of zero.
    let unblocked = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(unblocked.linger().unwrap(), Some(Duration::ZERO));

    ctx.set_max_msgsz(4096).unwrap();
    assert_eq!(ctx.max_msgsz().unwrap(), 4096);
    assert_eq!(ctx.set_max_msgsz(-1), Err(Error::InvalidArgument));
}
