// A monitor borrows its socket, which may be used from one thread at a time: the monitor
// cannot move to another thread while the socket stays (detach it into a `MonitorReader`).
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Rep).unwrap();
    let monitor = socket.monitor(zmq::MonitorEvents::all()).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || monitor.try_event());
        socket.bind("inproc://monitored").unwrap();
    });
}
