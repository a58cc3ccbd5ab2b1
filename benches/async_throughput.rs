//! Throughput of async sockets against blocking ones (feature `tokio`): PUSH -> PULL, one
//! sender and one receiver, for 1 B, 1 KiB and 64 KiB messages over inproc and tcp, printed
//! as messages per second and the async/blocking ratio (the goal: 0.9 or more from 1 KiB up).
//!
//! `cargo bench --features tokio --bench async_throughput [-- tcp|inproc]`. Without `--bench` (as
//! `cargo test --benches` runs it) it sends only a few messages, to check that it works.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use zmq::{AsyncSocket, Context, Message, RecvFlags, SendFlags, Socket, SocketType};

/// A bound PULL and a PUSH connected to it, over `transport` (`inproc` or `tcp`).
fn sockets(ctx: &Context, transport: &str, name: &str) -> (Socket, Socket) {
    let pull = ctx.socket(SocketType::Pull).expect("PULL");
    let endpoint = match transport {
        "inproc" => {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            format!(
                "inproc://bench-{name}-{}",
                NEXT.fetch_add(1, Ordering::Relaxed)
            )
        }
        _ => "tcp://127.0.0.1:*".to_owned(),
    };
    pull.bind(&endpoint).expect("bind");
    let endpoint = pull.last_endpoint().expect("endpoint");
    let push = ctx.socket(SocketType::Push).expect("PUSH");
    push.connect(&endpoint).expect("connect");
    (pull, push)
}

fn blocking(ctx: &Context, transport: &str, size: usize, count: usize) -> Duration {
    let (pull, push) = sockets(ctx, transport, &format!("blocking-{size}"));
    let payload = vec![7u8; size];
    let started = Instant::now();
    let sender = thread::spawn(move || {
        for _ in 0..count {
            push.send(&payload[..], SendFlags::empty()).expect("send");
        }
        push
    });
    let mut msg = Message::new();
    for _ in 0..count {
        pull.recv(&mut msg, RecvFlags::empty()).expect("recv");
        assert_eq!(msg.len(), size);
    }
    let elapsed = started.elapsed();
    drop(sender.join().expect("sender"));
    elapsed
}

fn asynchronous(ctx: &Context, transport: &str, size: usize, count: usize) -> Duration {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (pull, push) = sockets(ctx, transport, &format!("async-{size}"));
    runtime.block_on(async move {
        let mut pull = AsyncSocket::new(pull).expect("async PULL");
        let mut push = AsyncSocket::new(push).expect("async PUSH");
        let payload = vec![7u8; size];
        let started = Instant::now();
        let sender = tokio::spawn(async move {
            for _ in 0..count {
                push.send(&payload[..]).await.expect("send");
            }
            push
        });
        // The receiver runs as a task on a worker, as in a server: the thread of `block_on`
        // is no worker, and every wake-up of a future it runs crosses threads.
        let receiver = tokio::spawn(async move {
            for _ in 0..count {
                let msg = pull.recv().await.expect("recv");
                assert_eq!(msg.len(), size);
            }
            started.elapsed()
        });
        let elapsed = receiver.await.expect("receiver");
        drop(sender.await.expect("sender"));
        elapsed
    })
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    // Other arguments that are not options name the transports to run (default: both).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let ctx = Context::new().expect("context");
    println!(
        "{:<8} {:>7} {:>9} {:>14} {:>14} {:>7}",
        "", "size", "messages", "blocking/s", "async/s", "ratio"
    );
    for transport in ["inproc", "tcp"] {
        if !only.is_empty() && !only.iter().any(|t| t == transport) {
            continue;
        }
        for (size, count) in [(1, 1_000_000), (1024, 500_000), (65536, 20_000)] {
            let count = if full { count } else { 100 };
            // The faster of two runs of each, to damp the noise of a shared machine.
            let best = |run: &dyn Fn() -> Duration| run().min(run());
            let blocking = best(&|| blocking(&ctx, transport, size, count));
            let asynchronous = best(&|| asynchronous(&ctx, transport, size, count));
            let rate = |d: Duration| count as f64 / d.as_secs_f64();
            println!(
                "{transport:<8} {size:>7} {count:>9} {:>14.0} {:>14.0} {:>7.2}",
                rate(blocking),
                rate(asynchronous),
                blocking.as_secs_f64() / asynchronous.as_secs_f64()
            );
        }
    }
}
