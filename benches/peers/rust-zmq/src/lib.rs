//! What the rust-zmq perf tools share: arguments and the lines libzmq's C tools print.

use std::time::Instant;

/// The arguments after the program name, as `(texts, size, count)` for tools whose last two
/// arguments are the message size and the count; exits 1 with the usage otherwise (as the C
/// tools do).
pub fn args(usage: &str, before: usize) -> (Vec<String>, usize, u64) {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() == before + 2 {
        let count = args.pop().unwrap().parse().ok().filter(|&c: &u64| c > 0);
        let size = args.pop().unwrap().parse().ok();
        if let (Some(size), Some(count)) = (size, count) {
            return (args, size, count);
        }
    }
    eprintln!("usage: {usage}");
    std::process::exit(1)
}

pub fn micros(start: Instant) -> u64 {
    start.elapsed().as_micros().max(1) as u64
}

pub fn print_thr_header(size: usize, count: u64) {
    println!("message size: {size} [B]");
    println!("message count: {count}");
}

pub fn print_thr_results(size: usize, count: u64, elapsed_us: u64) {
    let throughput = count as f64 / elapsed_us as f64 * 1_000_000.0;
    let megabits = throughput * size as f64 * 8.0 / 1_000_000.0;
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

pub fn check(msg: &zmq::Message, size: usize) {
    assert_eq!(msg.len(), size, "message of incorrect size received");
}
