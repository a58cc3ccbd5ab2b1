//! The guide's version report: prints `Current 0MQ version is X.Y.Z`, the version of the
//! libzmq this program runs with (`zmq::version()`, that is `zmq_version`).
//!
//! Usage: `version` (no arguments; any is a usage error, exit 2).

fn main() {
    if std::env::args_os().len() > 1 {
        eprintln!("version: takes no arguments\nusage: version");
        std::process::exit(2);
    }
    println!("Current 0MQ version is {}", zmq::version());
}
