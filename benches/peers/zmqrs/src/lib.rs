//! What the zmq.rs perf tools share: arguments and the lines libzmq's C tools print.

use std::time::Instant;

/// `<endpoint> <message-size> <count>`, as the C tools take them; exits 1 with the usage
/// otherwise (as they do).
pub fn args(usage: &str) -> (String, usize, u64) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match &args[..] {
        [endpoint, size, count] => size
            .parse()
            .ok()
            .zip(count.parse().ok().filter(|&c: &u64| c > 0))
            .map(|(size, count)| (endpoint.clone(), size, count)),
        _ => None,
    };
    parsed.unwrap_or_else(|| {
        eprintln!("usage: {usage}");
        std::process::exit(1)
    })
}

pub fn micros(start: Instant) -> u64 {
    start.elapsed().as_micros().max(1) as u64
}

pub fn print_thr(size: usize, count: u64, elapsed_us: u64) {
    let throughput = count as f64 / elapsed_us as f64 * 1_000_000.0;
    let megabits = throughput * size as f64 * 8.0 / 1_000_000.0;
    println!("message size: {size} [B]");
    println!("message count: {count}");
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

pub fn print_lat(size: usize, roundtrips: u64, elapsed_us: u64) {
    println!("message size: {size} [B]");
    println!("roundtrip count: {roundtrips}");
    println!(
        "average latency: {:.3} [us]",
        elapsed_us as f64 / (roundtrips as f64 * 2.0)
    );
}

/// The size of a single-frame message, or a failure.
pub fn frame_size(message: &zeromq::ZmqMessage) -> usize {
    assert_eq!(message.len(), 1, "expected one frame");
    message.get(0).map_or(0, |frame| frame.len())
}
