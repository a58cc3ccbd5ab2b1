//! The perf tools (libzmq's `local_thr`, `remote_thr`, `local_lat`, `remote_lat`,
//! `inproc_thr`, `inproc_lat`, in Rust) run as processes, in pairs, with small counts: they
//! finish, agree on sizes and counts, and print exactly the C tools' lines. (How fast they
//! are is measured by `scripts/bench`, never by tests.)

use support::{example, within, Peer};

mod support;

/// Checks the lines of a throughput report and returns the messages per second.
fn thr_report(lines: &[String], size: usize, count: u64) -> u64 {
    let [size_line, count_line, msgs, megabits] = lines else {
        panic!("expected 4 lines, got {lines:?}");
    };
    assert_eq!(size_line, &format!("message size: {size} [B]"));
    assert_eq!(count_line, &format!("message count: {count}"));
    let per_second: u64 = msgs
        .strip_prefix("mean throughput: ")
        .and_then(|rest| rest.strip_suffix(" [msg/s]"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad line {msgs:?}"));
    assert!(per_second > 0);
    let mbps: f64 = megabits
        .strip_prefix("mean throughput: ")
        .and_then(|rest| rest.strip_suffix(" [Mb/s]"))
        .filter(|n| {
            n.split_once('.')
                .is_some_and(|(_, decimals)| decimals.len() == 3)
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad line {megabits:?}"));
    let expected = per_second as f64 * size as f64 * 8.0 / 1e6;
    assert!(
        (mbps - expected).abs() <= expected * 1e-3 + 0.002,
        "{mbps} Mb/s for {per_second} msg/s of {size} B"
    );
    per_second
}

/// Checks the lines of a latency report and returns the latency in microseconds.
fn lat_report(lines: &[String], size: usize, roundtrips: u64) -> f64 {
    let [size_line, count_line, latency] = lines else {
        panic!("expected 3 lines, got {lines:?}");
    };
    assert_eq!(size_line, &format!("message size: {size} [B]"));
    assert_eq!(count_line, &format!("roundtrip count: {roundtrips}"));
    let us: f64 = latency
        .strip_prefix("average latency: ")
        .and_then(|rest| rest.strip_suffix(" [us]"))
        .filter(|n| {
            n.split_once('.')
                .is_some_and(|(_, decimals)| decimals.len() == 3)
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad line {latency:?}"));
    assert!(us > 0.0);
    us
}

fn thr_pair(endpoint: &str, size: usize, count: u64, curve: bool) {
    thr_pair_of(["local_thr", "remote_thr"], endpoint, size, count, curve);
}

/// A throughput pair of the given receiving and sending tools.
fn thr_pair_of(
    [local_tool, remote_tool]: [&str; 2],
    endpoint: &str,
    size: usize,
    count: u64,
    curve: bool,
) {
    let (size_arg, count_arg) = (size.to_string(), count.to_string());
    let mut args = vec![endpoint, size_arg.as_str(), count_arg.as_str()];
    if curve {
        args.push("1");
    }
    let mut local = Peer::spawn(local_tool, example(local_tool), &args);
    let bound = if endpoint.ends_with(":*") {
        local.bound_endpoint()
    } else {
        endpoint.to_owned()
    };
    args[0] = bound.as_str();
    let remote = Peer::spawn(remote_tool, example(remote_tool), &args).finish();
    remote.assert_success();
    assert!(remote.stdout.is_empty(), "{:?}", remote.stdout);
    let local = local.finish();
    local.assert_success();
    thr_report(&local.stdout, size, count);
}

fn lat_pair(endpoint: &str, size: usize, roundtrips: u64, curve: bool) {
    let (size_arg, count_arg) = (size.to_string(), roundtrips.to_string());
    let mut args = vec![endpoint, size_arg.as_str(), count_arg.as_str()];
    if curve {
        args.push("1");
    }
    let mut local = Peer::spawn("local_lat", example("local_lat"), &args);
    let bound = if endpoint.ends_with(":*") {
        local.bound_endpoint()
    } else {
        endpoint.to_owned()
    };
    args[0] = bound.as_str();
    let remote = Peer::spawn("remote_lat", example("remote_lat"), &args).finish();
    remote.assert_success();
    lat_report(&remote.stdout, size, roundtrips);
    let local = local.finish();
    local.assert_success();
    assert!(local.stdout.is_empty(), "{:?}", local.stdout);
}

#[test]
fn throughput_pair_over_tcp_with_and_without_curve() {
    within(|| {
        thr_pair("tcp://127.0.0.1:*", 100, 10_000, false);
        thr_pair("tcp://127.0.0.1:*", 0, 1_000, false);
        thr_pair("tcp://127.0.0.1:*", 70_000, 200, false);
        // Every build this project tests has CURVE (the build script says so): only a library
        // without it may leave this out.
        if zmq::has("curve") || cfg!(zmq_has_curve) {
            thr_pair("tcp://127.0.0.1:*", 1024, 1_000, true);
        }
    });
}

/// Over ipc only the latency pair: libzmq 4.3 can drop what a PUSH socket still holds when
/// its process exits over ipc, whatever the linger (libzmq issue #4660; the C tools lose
/// messages the same way), so a throughput pair there may never finish.
#[test]
fn latency_pair_over_ipc() {
    within(|| {
        // A REQ client that connects before the server has bound just waits for it.
        let path = support::IpcPath::new("perf-lat");
        lat_pair(&path.endpoint(), 1, 200, false);
    });
}

#[test]
fn latency_pair_over_tcp_with_and_without_curve() {
    within(|| {
        lat_pair("tcp://127.0.0.1:*", 1, 200, false);
        lat_pair("tcp://127.0.0.1:*", 65_536, 50, false);
        // Every build this project tests has CURVE (the build script says so): only a library
        // without it may leave this out.
        if zmq::has("curve") || cfg!(zmq_has_curve) {
            lat_pair("tcp://127.0.0.1:*", 1024, 100, true);
        }
    });
}

#[test]
fn inproc_tools_report_in_the_c_format() {
    within(|| {
        let run = Peer::spawn("inproc_thr", example("inproc_thr"), ["256", "20000"]).finish();
        run.assert_success();
        thr_report(&run.stdout, 256, 20_000);
        let run = Peer::spawn("inproc_lat", example("inproc_lat"), ["64", "1000"]).finish();
        run.assert_success();
        lat_report(&run.stdout, 64, 1_000);
    });
}

/// Each tool, run with its arguments, exits with status 2 and prints its usage.
fn assert_rejects_bad_arguments(cases: &[(&str, &[&str])]) {
    for &(name, args) in cases {
        let run = Peer::spawn(name, example(name), args).finish();
        assert_eq!(
            run.status.code(),
            Some(2),
            "{name} {args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("usage: "),
            "{name} {args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn perf_tools_reject_bad_arguments_with_status_2() {
    within(|| {
        let cases: [(&str, &[&str]); 8] = [
            ("local_thr", &["tcp://127.0.0.1:*", "10"]),
            ("local_thr", &["tcp://127.0.0.1:*", "ten", "10"]),
            ("remote_thr", &["tcp://127.0.0.1:1", "10", "0"]),
            ("remote_thr", &["tcp://127.0.0.1:1", "10", "10", "yes"]),
            ("local_lat", &["tcp://127.0.0.1:*", "-1", "10"]),
            ("remote_lat", &["tcp://127.0.0.1:1", "10"]),
            ("inproc_thr", &["10", "10", "10"]),
            ("inproc_lat", &["10"]),
        ];
        assert_rejects_bad_arguments(&cases);
    });
}

/// The async perf tools (feature `tokio`) pair with each other and with the blocking ones,
/// print the blocking tools' lines, and reject bad arguments the same way.
#[cfg(all(feature = "tokio", unix))]
#[test]
fn async_throughput_tools_pair_and_report_in_the_c_format() {
    within(|| {
        thr_pair_of(
            ["async_local_thr", "async_remote_thr"],
            "tcp://127.0.0.1:*",
            100,
            10_000,
            false,
        );
        thr_pair_of(
            ["async_local_thr", "remote_thr"],
            "tcp://127.0.0.1:*",
            70_000,
            200,
            false,
        );
        thr_pair_of(
            ["local_thr", "async_remote_thr"],
            "tcp://127.0.0.1:*",
            0,
            1_000,
            false,
        );
        if zmq::has("curve") || cfg!(zmq_has_curve) {
            thr_pair_of(
                ["async_local_thr", "async_remote_thr"],
                "tcp://127.0.0.1:*",
                1024,
                1_000,
                true,
            );
        }
        let run = Peer::spawn(
            "async_inproc_thr",
            example("async_inproc_thr"),
            ["256", "20000"],
        )
        .finish();
        run.assert_success();
        thr_report(&run.stdout, 256, 20_000);

        let cases: [(&str, &[&str]); 4] = [
            ("async_local_thr", &["tcp://127.0.0.1:*", "10"]),
            ("async_remote_thr", &["tcp://127.0.0.1:1", "10", "0"]),
            (
                "async_remote_thr",
                &["tcp://127.0.0.1:1", "10", "10", "yes"],
            ),
            ("async_inproc_thr", &["ten", "10"]),
        ];
        assert_rejects_bad_arguments(&cases);
    });
}

/// `ZMQ_PERF_TUNED=1` keeps the output contract where the throughput setup exists (feature
/// `draft`), and elsewhere fails with status 1 saying what it needs, never silently untuned.
#[test]
fn the_tuned_mode_reports_alike_or_says_it_needs_draft() {
    within(|| {
        let out = std::process::Command::new(example("inproc_thr"))
            .args(["1000", "20000"])
            .env("ZMQ_PERF_TUNED", "1")
            .output()
            .expect("run inproc_thr");
        let stdout: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if cfg!(zmq_draft) {
            assert!(out.status.success(), "{stderr}");
            thr_report(&stdout, 1000, 20_000);
        } else {
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains("DRAFT"), "{stderr}");
            assert!(stdout.is_empty(), "{stdout:?}");
        }
    });
}
