//! The guide's examples (chapters 1 and 2) run as processes, against each other and against
//! sockets of this test, over loopback TCP on ephemeral ports.
//!
//! The example binaries are built by `cargo test` (or `cargo build --examples`), not by
//! `cargo test --test examples` alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use zmq::{Error, RecvFlags, SendFlags, Socket, SocketType};

use support::{example, within, Peer, STEP_TIMEOUT};

mod common;
mod support;

/// A socket of this test bound to an ephemeral loopback TCP port, and that port's endpoint.
fn bound(ctx: &zmq::Context, kind: SocketType) -> (Socket, String) {
    let socket = common::socket(ctx, kind);
    let endpoint = common::bind(&socket, common::Transport::Tcp);
    (socket, endpoint)
}

/// The first subscription a SUB peer sends to an XPUB socket, without its leading 1 byte.
fn subscription(xpub: &Socket) -> String {
    xpub.set_rcvtimeo(Some(STEP_TIMEOUT)).expect("set RCVTIMEO");
    let frame = xpub
        .recv_bytes(RecvFlags::empty())
        .expect("the subscriber's subscription");
    match frame.split_first() {
        Some((1, topic)) => String::from_utf8_lossy(topic).into_owned(),
        _ => panic!("expected a subscription, got {frame:?}"),
    }
}

/// The number in a line `<prefix><number><suffix>`.
fn number_in(line: &str, prefix: &str, suffix: &str) -> i64 {
    line.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("expected `{prefix}<number>{suffix}`, got {line:?}"))
}

#[test]
fn version_prints_the_linked_version() {
    within(|| {
        let run = Peer::spawn("version", example("version"), [""; 0]).finish();
        run.assert_success();
        assert_eq!(
            run.stdout,
            [format!("Current 0MQ version is {}", zmq::version())]
        );
    });
}

#[test]
fn wuserver_publishes_well_formed_updates() {
    within(|| {
        let mut server = Peer::spawn("wuserver", example("wuserver"), ["tcp://127.0.0.1:*", "10"]);
        let endpoint = server.bound_endpoint();

        let ctx = common::context();
        let sub = common::socket(&ctx, SocketType::Sub);
        sub.set_rcvtimeo(Some(STEP_TIMEOUT)).expect("set RCVTIMEO");
        sub.set_subscribe(b"").expect("subscribe to everything");
        sub.connect(&endpoint).expect("connect to wuserver");

        let mut zipcodes_seen = [false; 10];
        for _ in 0..500 {
            let update = sub
                .recv_string(RecvFlags::empty())
                .unwrap_or_else(|e| panic!("an update from wuserver: {e}{}", server.stderr_note()));
            let fields: Vec<&str> = update.split(' ').collect();
            let [zipcode, temperature, humidity] = fields[..] else {
                panic!("update {update:?} is not three fields");
            };
            assert_eq!(zipcode.len(), 5, "zipcode of {update:?} has five digits");
            let zipcode: usize = zipcode.parse().expect("a numeric zipcode");
            let temperature: i32 = temperature.parse().expect("a numeric temperature");
            let humidity: i32 = humidity.parse().expect("a numeric humidity");
            assert!(zipcode < 10, "zipcode of {update:?} is below ZIPCODES");
            assert!(
                (-80..=134).contains(&temperature),
                "temperature of {update:?}"
            );
            assert!((10..=59).contains(&humidity), "humidity of {update:?}");
            zipcodes_seen[zipcode] = true;
        }
        // 500 draws miss one of 10 zipcodes with a probability of about 10^-22.
        assert_eq!(zipcodes_seen, [true; 10], "zipcodes drawn from 0..10");
    });
}

/// Checks what a wuclient run for zipcode 7 printed: the banner, then an average of the
/// temperatures wuserver draws.
fn assert_wuclient_averaged_zipcode_7(client: Peer) {
    let client = client.finish();
    client.assert_success();
    let [collecting, average] = &client.stdout[..] else {
        panic!("wuclient printed {:#?}", client.stdout);
    };
    assert_eq!(collecting, "Collecting updates from weather server...");
    let average = number_in(average, "Average temperature for zipcode '00007' was ", "F");
    assert!(
        (-80..=134).contains(&average),
        "an average of temperatures from -80 to 134"
    );
}

/// A wuserver publishing updates for ten zipcodes only, so that 100 updates for one of them
/// come quickly, and the endpoint it bound.
fn narrow_wuserver() -> (Peer, String) {
    let mut server = Peer::spawn("wuserver", example("wuserver"), ["tcp://127.0.0.1:*", "10"]);
    let endpoint = server.bound_endpoint();
    (server, endpoint)
}

#[test]
fn wuclient_averages_wuserver_updates_for_its_zipcode() {
    within(|| {
        let (_server, endpoint) = narrow_wuserver();
        let client = Peer::spawn("wuclient", example("wuclient"), [endpoint.as_str(), "7"]);
        assert_wuclient_averaged_zipcode_7(client);
    });
}

/// wuclient subscribes through wuproxy, whose XPUB passes the subscription on to wuserver and
/// whose XSUB takes the updates.
#[test]
fn wuclient_averages_wuserver_updates_through_wuproxy() {
    within(|| {
        let (_server, server_endpoint) = narrow_wuserver();
        let mut proxy = Peer::spawn(
            "wuproxy",
            example("wuproxy"),
            [server_endpoint.as_str(), "tcp://127.0.0.1:*"],
        );
        let proxy_endpoint = proxy.bound_endpoint();
        let client = Peer::spawn(
            "wuclient",
            example("wuclient"),
            [proxy_endpoint.as_str(), "7"],
        );
        assert_wuclient_averaged_zipcode_7(client);
        let proxy = proxy.stop();
        assert!(
            proxy.stdout.is_empty(),
            "wuproxy printed {:#?}",
            proxy.stdout
        );
    });
}

/// The subscription is `"10001 "`: updates for zipcode 100011 never reach the client, and the
/// average is of zipcode 10001's temperatures only, rounded towards zero as in C.
#[test]
fn wuclient_subscribes_to_exactly_its_zipcode() {
    within(|| {
        let ctx = common::context();
        let (xpub, endpoint) = bound(&ctx, SocketType::XPub);
        // No ZIPCODE argument: the default, 10001.
        let client = Peer::spawn("wuclient", example("wuclient"), [endpoint.as_str()]);

        assert_eq!(subscription(&xpub), "10001 ", "wuclient's subscription");
        for i in 0..100 {
            for update in ["100011 134 50".to_owned(), format!("10001 {} 40", i - 60)] {
                xpub.send(update, SendFlags::empty())
                    .unwrap_or_else(|e| panic!("publish: {e}"));
            }
        }

        let client = client.finish();
        client.assert_success();
        // The temperatures -60..=39 sum to -1050: an average of -10.5.
        assert_eq!(
            client.stdout,
            [
                "Collecting updates from weather server...",
                "Average temperature for zipcode '10001' was -10F"
            ]
        );
    });
}

#[test]
fn wuclient_fails_on_a_malformed_update() {
    within(|| {
        let ctx = common::context();
        let (xpub, endpoint) = bound(&ctx, SocketType::XPub);
        let client = Peer::spawn(
            "wuclient",
            example("wuclient"),
            [endpoint.as_str(), "10001"],
        );

        assert_eq!(subscription(&xpub), "10001 ", "wuclient's subscription");
        xpub.send("10001 20 40", SendFlags::empty())
            .expect("publish");
        xpub.send("10001 hot 40", SendFlags::empty())
            .expect("publish");

        let client = client.finish();
        assert_eq!(client.status.code(), Some(1), "wuclient's exit status");
        assert_eq!(
            client.stderr, "wuclient: malformed update \"10001 hot 40\"\n",
            "wuclient's complaint"
        );
    });
}

/// The guide's pipeline: ventilator, two workers, sink. Every task is done once, and the
/// ventilator's expected cost is the sum of the workloads the workers did.
#[test]
fn task_pipeline_runs_a_batch_through_two_workers() {
    within(|| {
        const TASKS: usize = 20;
        let tasks = TASKS.to_string();
        let mut sink = Peer::spawn(
            "tasksink",
            example("tasksink"),
            ["tcp://127.0.0.1:*", tasks.as_str()],
        );
        let sink_endpoint = sink.bound_endpoint();
        let mut vent = Peer::spawn(
            "taskvent",
            example("taskvent"),
            ["tcp://127.0.0.1:*", sink_endpoint.as_str(), tasks.as_str()],
        );
        let vent_endpoint = vent.bound_endpoint();
        vent.expect_line("Press Enter when the workers are ready");

        let workers: Vec<Peer> = (1..=2)
            .map(|n| {
                Peer::spawn(
                    &format!("taskwork {n}"),
                    example("taskwork"),
                    [vent_endpoint.as_str(), sink_endpoint.as_str()],
                )
            })
            .collect();
        // As a person pressing Enter would: give the workers a moment to connect. How the
        // tasks are shared out is not checked, so this only makes the test more typical.
        thread::sleep(Duration::from_millis(200));
        vent.send_line("");
        vent.expect_line("Sending tasks to workers...");

        let vent = vent.finish();
        vent.assert_success();
        let [expected] = &vent.stdout[..] else {
            panic!("taskvent printed {:#?}", vent.stdout);
        };
        let expected = number_in(expected, "Total expected cost: ", " msec");

        let sink = sink.finish();
        sink.assert_success();
        let [progress, elapsed] = &sink.stdout[..] else {
            panic!("tasksink printed {:#?}", sink.stdout);
        };
        assert_eq!(progress, ".........:.........:", "tasksink's progress");
        let elapsed = number_in(elapsed, "Total elapsed time: ", " msec");
        // Two workers share the batch: one of them sleeps at least half of the expected cost
        // after the start signal (less a little for the signal's own trip).
        assert!(
            2 * elapsed + 200 >= expected,
            "a batch of {expected} msec of work done by two workers in {elapsed} msec"
        );

        let mut workloads = Vec::new();
        for worker in workers {
            let worker = worker.stop();
            for line in &worker.stdout {
                let workload: i64 = line
                    .parse()
                    .unwrap_or_else(|_| panic!("a worker printed {line:?}, not a workload"));
                assert!((1..=100).contains(&workload), "workload {workload}");
                workloads.push(workload);
            }
        }
        assert_eq!(workloads.len(), TASKS, "tasks done: {workloads:?}");
        assert_eq!(
            workloads.iter().sum::<i64>(),
            expected,
            "the workloads done, against taskvent's expected cost"
        );
    });
}

/// End of input on stdin starts the ventilator as Enter does; a batch of nothing still
/// signals the start, and the sink finishes it at once.
#[test]
fn taskvent_starts_at_end_of_input_and_an_empty_batch_finishes() {
    within(|| {
        let mut sink = Peer::spawn("tasksink", example("tasksink"), ["tcp://127.0.0.1:*", "0"]);
        let sink_endpoint = sink.bound_endpoint();
        let mut vent = Peer::spawn(
            "taskvent",
            example("taskvent"),
            ["tcp://127.0.0.1:*", sink_endpoint.as_str(), "0"],
        );
        vent.bound_endpoint();
        vent.close_stdin();

        let vent = vent.finish();
        vent.assert_success();
        assert_eq!(
            vent.stdout,
            [
                "Press Enter when the workers are ready",
                "Sending tasks to workers...",
                "Total expected cost: 0 msec"
            ]
        );
        let sink = sink.finish();
        sink.assert_success();
        let [progress, elapsed] = &sink.stdout[..] else {
            panic!("tasksink printed {:#?}", sink.stdout);
        };
        assert_eq!(progress, "", "no progress for no tasks");
        // Nothing to wait for: 0 msec, unless the machine is very busy.
        let elapsed = number_in(elapsed, "Total elapsed time: ", " msec");
        assert!(elapsed < 1000, "an empty batch took {elapsed} msec");
    });
}

/// msreader takes what both its sockets get, weather for zipcode 10001 only, and stops after
/// COUNT messages.
#[test]
fn msreader_reads_tasks_and_weather_until_its_count() {
    within(|| reads_tasks_and_weather_until_its_count("msreader"));
}

/// mspoller polls where msreader loops, and prints the same.
#[test]
fn mspoller_reads_tasks_and_weather_until_its_count() {
    within(|| reads_tasks_and_weather_until_its_count("mspoller"));
}

/// Feeds `name` (msreader or mspoller) five tasks and ten weather updates, five of them for
/// zipcode 10001, and checks that it printed the tasks and those five updates and stopped at
/// its COUNT of 10.
fn reads_tasks_and_weather_until_its_count(name: &'static str) {
    let ctx = common::context();
    let (push, tasks_endpoint) = bound(&ctx, SocketType::Push);
    push.set_sndtimeo(Some(STEP_TIMEOUT)).expect("set SNDTIMEO");
    let (xpub, weather_endpoint) = bound(&ctx, SocketType::XPub);
    let reader = Peer::spawn(
        name,
        example(name),
        [tasks_endpoint.as_str(), weather_endpoint.as_str(), "10"],
    );

    assert_eq!(subscription(&xpub), "10001 ", "{name}'s subscription");
    for i in 1..=5 {
        // A PUSH waits for the reader to connect before it sends the first task.
        push.send(format!("{i}"), SendFlags::empty())
            .unwrap_or_else(|e| panic!("send a task: {e}{}", reader.stderr_note()));
        for update in [format!("10002 {i} 10"), format!("10001 {i} 20")] {
            xpub.send(update, SendFlags::empty()).expect("publish");
        }
    }

    let reader = reader.finish();
    reader.assert_success();
    let (tasks, others): (Vec<&str>, Vec<&str>) = reader
        .stdout
        .iter()
        .map(String::as_str)
        .partition(|line| line.starts_with("task "));
    assert_eq!(tasks, ["task 1", "task 2", "task 3", "task 4", "task 5"]);
    assert_eq!(
        others,
        [
            "weather 10001 1 20",
            "weather 10001 2 20",
            "weather 10001 3 20",
            "weather 10001 4 20",
            "weather 10001 5 20",
            "Read 10 messages: 5 tasks, 5 weather updates"
        ]
    );
    assert_eq!(
        reader.stdout.last().map(String::as_str),
        Some("Read 10 messages: 5 tasks, 5 weather updates"),
        "{name}'s last line"
    );
}

/// The guide's rrbroker, in miniature: a ROUTER frontend and a DEALER backend, each message
/// passed on whole, with the same non-blocking loop as msreader. Stops when dropped.
struct Broker {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<zmq::Result<()>>>,
    frontend: String,
    backend: String,
}

impl Broker {
    fn start(ctx: &zmq::Context) -> Broker {
        let (frontend, frontend_endpoint) = bound(ctx, SocketType::Router);
        let (backend, backend_endpoint) = bound(ctx, SocketType::Dealer);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::spawn(move || -> zmq::Result<()> {
            while !stopped.load(Ordering::Relaxed) {
                let mut idle = true;
                for (from, to) in [(&frontend, &backend), (&backend, &frontend)] {
                    match from.recv_multipart(RecvFlags::DONTWAIT) {
                        Ok(frames) => {
                            to.send_multipart(frames.into_vec(), SendFlags::empty())?;
                            idle = false;
                        }
                        Err(Error::WouldBlock) => {}
                        Err(e) => return Err(e),
                    }
                }
                if idle {
                    thread::sleep(Duration::from_millis(1));
                }
            }
            Ok(())
        });
        Broker {
            stop,
            thread: Some(thread),
            frontend: frontend_endpoint,
            backend: backend_endpoint,
        }
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread
                .join()
                .expect("the broker thread panicked")
                .expect("the broker forwards without errors");
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Runs two rrworkers on a broker's `backend` and an rrclient on its `frontend`, and checks
/// that every request reached a worker and every reply the client.
fn rrclient_and_two_rrworkers_talk_through(frontend: &str, backend: &str) {
    const REQUESTS: usize = 10;
    let workers: Vec<Peer> = (1..=2)
        .map(|n| Peer::spawn(&format!("rrworker {n}"), example("rrworker"), [backend]))
        .collect();
    let client = Peer::spawn(
        "rrclient",
        example("rrclient"),
        [frontend, &REQUESTS.to_string()],
    );
    let client = client.finish();
    client.assert_success();
    let expected: Vec<String> = (1..=REQUESTS)
        .map(|n| format!("Received reply {n} [World]"))
        .collect();
    assert_eq!(client.stdout, expected, "rrclient's replies");

    // The client has every reply, so the workers printed every request before answering it.
    let mut requests = Vec::new();
    for worker in workers {
        requests.extend(worker.stop().stdout);
    }
    assert_eq!(
        requests,
        vec!["Received request: [Hello]"; REQUESTS],
        "the requests the workers took"
    );
}

/// Starts a broker example (rrbroker or msgqueue) on two wildcard ports and runs rrclient and
/// rrworkers through it; the broker prints its frontend's endpoint, then its backend's.
fn rrclient_and_rrworkers_talk_through_example(name: &str) {
    let mut broker = Peer::spawn(
        name,
        example(name),
        ["tcp://127.0.0.1:*", "tcp://127.0.0.1:*"],
    );
    let frontend = broker.bound_endpoint();
    let backend = broker.bound_endpoint();
    rrclient_and_two_rrworkers_talk_through(&frontend, &backend);
    let broker = broker.stop();
    assert!(
        broker.stdout.is_empty(),
        "{name} printed {:#?}",
        broker.stdout
    );
}

#[test]
fn rrclient_and_rrworker_talk_through_a_broker() {
    within(|| {
        let ctx = common::context();
        let broker = Broker::start(&ctx);
        rrclient_and_two_rrworkers_talk_through(&broker.frontend, &broker.backend);
        broker.stop();
    });
}

#[test]
fn rrclient_and_rrworker_talk_through_rrbroker() {
    within(|| rrclient_and_rrworkers_talk_through_example("rrbroker"));
}

#[test]
fn rrclient_and_rrworker_talk_through_msgqueue() {
    within(|| rrclient_and_rrworkers_talk_through_example("msgqueue"));
}

/// Arguments that make no sense: a message and exit status 2, before any networking.
#[test]
fn examples_reject_bad_arguments_with_status_2() {
    within(|| {
        let cases: [(&str, &[&str]); 14] = [
            ("version", &["extra"]),
            ("wuserver", &["tcp://127.0.0.1:*", "0"]),
            ("wuclient", &["tcp://127.0.0.1:1", "100000"]),
            ("wuclient", &["tcp://127.0.0.1:1", "zip"]),
            (
                "taskvent",
                &["tcp://127.0.0.1:*", "tcp://127.0.0.1:1", "-1"],
            ),
            ("taskwork", &["a", "b", "c"]),
            ("tasksink", &["tcp://127.0.0.1:*", "many"]),
            (
                "msreader",
                &["tcp://127.0.0.1:1", "tcp://127.0.0.1:1", "ten"],
            ),
            ("rrclient", &["tcp://127.0.0.1:1", "1.5"]),
            ("rrworker", &["tcp://127.0.0.1:1", "extra"]),
            (
                "mspoller",
                &["tcp://127.0.0.1:1", "tcp://127.0.0.1:1", "ten"],
            ),
            ("rrbroker", &["tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "x"]),
            ("msgqueue", &["tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "x"]),
            ("wuproxy", &["tcp://127.0.0.1:1", "tcp://127.0.0.1:*", "x"]),
        ];
        for (name, args) in cases {
            let run = Peer::spawn(name, example(name), args).finish();
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
            assert!(
                run.stdout.is_empty(),
                "{name} {args:?}: stdout {:?}",
                run.stdout
            );
        }
    });
}
