// A monitor borrows the socket it watches: the socket cannot be dropped while the monitor
// lives (dropping the monitor stops monitoring on that socket).
fn main() {
    let ctx = zmq::Context::new().unwrap();
    let socket = ctx.socket(zmq::SocketType::Rep).unwrap();
    let monitor = socket.monitor(zmq::MonitorEvents::all()).unwrap();
    drop(socket);
    let _ = monitor.try_event();
}
