//! What the build said about the linked libzmq must be what the library says at run time.

#[test]
fn the_vendored_build_has_curve() {
    if cfg!(zmq_vendored) {
        // rust-zmq's vendored build silently has no CURVE; ours must.
        assert!(
            zmq::has("curve"),
            "the vendored libzmq was built without CURVE"
        );
        assert_eq!(zmq::version().to_string(), "4.3.5");
    } else {
        println!(
            "system libzmq {}: curve {}",
            zmq::version(),
            zmq::has("curve")
        );
    }
}

#[test]
fn build_time_capabilities_match_the_library() {
    assert_eq!(
        cfg!(zmq_has_curve),
        zmq::has("curve"),
        "zmq-sys's curve metadata disagrees with zmq_has(\"curve\")"
    );
    assert_eq!(
        cfg!(zmq_draft),
        zmq::has("draft"),
        "zmq-sys's draft metadata disagrees with zmq_has(\"draft\")"
    );
    assert_eq!(
        env!("ZMQ_BUILD_LIBZMQ_VERSION"),
        zmq::version().to_string(),
        "built against one libzmq, running with another"
    );
}

#[test]
fn the_linked_libzmq_is_not_a_vulnerable_one() {
    let version = zmq::version();
    assert!(
        version
            >= zmq::Version {
                major: 4,
                minor: 3,
                patch: 3
            },
        "libzmq {version} carries known remote vulnerabilities"
    );
    assert!(zmq::has("ipc"));
    assert!(!zmq::has("no-such-capability"));
    assert!(!zmq::has("no-such\0thing"));
    assert!(!zmq::has("ipc\0"), "a NUL must not cut the name short");
}

/// How libzmq signals a socket's mailbox, read from what its `ZMQ_FD` is: an eventfd or one
/// end of a socketpair (Linux only: from `/proc/self/fd`).
#[cfg(target_os = "linux")]
fn signaler_in_use() -> String {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Pull).unwrap();
    let fd = socket.fd().unwrap();
    let target = std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap();
    let target = target.to_string_lossy();
    if target.contains("eventfd") {
        "eventfd".to_owned()
    } else if target.starts_with("socket:") {
        "socketpair".to_owned()
    } else {
        format!("unexpected {target}")
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_vendored_build_signals_as_zmq_sys_said() {
    let built = env!("ZMQ_BUILD_SIGNALER");
    let in_use = signaler_in_use();
    if cfg!(zmq_vendored) {
        // eventfd unless the build asked for the fallback (ZMQ_SYS_SIGNALER=socketpair), which
        // zeromq-src alone would build.
        assert_eq!(
            in_use, built,
            "zmq-sys built one signaler, libzmq uses another"
        );
        if option_env!("ZMQ_SYS_SIGNALER").is_none() {
            assert_eq!(
                in_use, "eventfd",
                "the vendored libzmq must signal with eventfd"
            );
        }
    } else {
        assert_eq!(built, "unknown");
        assert!(in_use == "eventfd" || in_use == "socketpair", "{in_use}");
        println!("system libzmq signals with {in_use}");
    }
}
