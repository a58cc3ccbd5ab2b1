//! In-process interop with C++: one libzmq context shared across the language boundary.
//!
//! `tests/interop/inproc_peer.cpp` is compiled here with g++ into a shared library and
//! loaded into this test process with `dlopen`, so the C++ code runs in the same process as
//! the Rust code and both talk over `inproc://` on one context. The library must use the
//! libzmq this crate links:
//!
//! - with the system libzmq (`--no-default-features`), it links the same `libzmq.so`
//!   (pkg-config);
//! - with the vendored libzmq, linked statically into the test, it is compiled against the
//!   vendored `zmq.h` (zmq-sys's `DEP_ZMQ_INCLUDE`) and links no libzmq: its calls resolve
//!   to the test binary's copy, which the build script exports for the tests
//!   (`--export-dynamic`), as they would in a program that links C++ and Rust together.
//!
//! With the vendored libzmq, a second library linking the system `libzmq.so` brings a second
//! copy into a child test process, whose contexts and sockets must be refused with
//! [`zmq::Error::ForeignHandle`] instead of being used.
//!
//! A missing g++ or `zmq.h` skips a test with a `SKIPPED:` line on stderr, or fails it when
//! `CI=true` or `ZMQ_REQUIRE_PEERS=1`.

use std::ffi::{c_char, c_int, c_void, CString};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use support::peers::{assert_clean_under_valgrind, compile_cpp, libzmq_flags, require, valgrind};
use support::within;
use zmq::{Context, Error, Socket, SocketType};

mod support;

/// The C++ library's functions (see tests/interop/inproc_peer.cpp).
#[allow(dead_code)]
struct Cpp {
    ctx_new: unsafe extern "C" fn() -> *mut c_void,
    ctx_term: unsafe extern "C" fn(*mut c_void) -> c_int,
    serve: unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut c_void,
    join: unsafe extern "C" fn(*mut c_void) -> i64,
    socket: unsafe extern "C" fn(*mut c_void, c_int) -> *mut c_void,
    close: unsafe extern "C" fn(*mut c_void) -> c_int,
    send: unsafe extern "C" fn(*mut c_void, *const u8, usize, c_int) -> c_int,
    recv: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> c_int,
    msg_init: unsafe extern "C" fn(*mut zmq::sys::zmq_msg_t, *const u8, usize) -> c_int,
    msg_take: unsafe extern "C" fn(*mut zmq::sys::zmq_msg_t, *mut u8, usize) -> c_int,
    version: unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int),
}

/// The C++ library on this crate's libzmq, compiled and loaded once per test process.
fn cpp() -> Option<&'static Cpp> {
    static CPP: OnceLock<Result<Cpp, String>> = OnceLock::new();
    require(
        CPP.get_or_init(|| compile(Libzmq::This).map(|path| load(&path, Libzmq::This)))
            .as_ref()
            .map_err(Clone::clone),
    )
}

/// Which libzmq the C++ library uses.
#[derive(Clone, Copy, PartialEq)]
enum Libzmq {
    /// The one this crate links.
    This,
    /// The system `libzmq.so`, which is a second copy when this crate links the vendored one.
    #[cfg_attr(not(zmq_vendored), allow(dead_code))]
    System,
}

impl Libzmq {
    /// The compiler and linker flags that build against it.
    fn flags(self) -> Vec<String> {
        if self == Libzmq::This && cfg!(zmq_vendored) {
            // The vendored header, and no libzmq: the test binary exports its own.
            vec![format!("-I{}", env!("ZMQ_BUILD_INCLUDE_DIR"))]
        } else {
            libzmq_flags()
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Libzmq::This => "libinproc_peer",
            Libzmq::System => "libinproc_peer_system",
        }
    }
}

/// Compiles the peer into `target/tmp/interop/<name>.so` with g++ for `libzmq`. A missing
/// tool is an `Err`; a peer that does not compile fails the test.
fn compile(libzmq: Libzmq) -> Result<PathBuf, String> {
    let mut args: Vec<String> = ["-shared", "-fPIC", "-pthread"].map(str::to_owned).into();
    args.extend(libzmq.flags());
    compile_cpp(
        "inproc_peer.cpp",
        &format!("{}.so", libzmq.file_name()),
        &args,
    )
}

/// Loads the library for good (it is never unloaded: its threads and its libzmq live as long
/// as the process) and looks its functions up. A library on the system libzmq is loaded
/// with `RTLD_DEEPBIND`, so that it calls that copy even where the test binary exports
/// its own.
fn load(path: &Path, libzmq: Libzmq) -> Cpp {
    let name = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let mut mode = libc::RTLD_NOW | libc::RTLD_LOCAL;
    if libzmq == Libzmq::System {
        mode |= libc::RTLD_DEEPBIND;
    }
    // SAFETY: a library of ours, whose initialisers only set up libstdc++ and libzmq.
    let handle = unsafe { libc::dlopen(name.as_ptr(), mode) };
    assert!(!handle.is_null(), "cannot load {}", path.display());
    /// The function `name`, as the function pointer type `F` of its field.
    fn symbol<F: Copy>(handle: *mut c_void, name: &str) -> F {
        assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
        let c_name = CString::new(name).unwrap();
        // SAFETY: a live handle and a NUL-terminated name.
        let found = unsafe { libc::dlsym(handle, c_name.as_ptr()) };
        assert!(!found.is_null(), "{name} is not in the C++ library");
        // SAFETY: `F` is the pointer type of the extern "C" function of inproc_peer.cpp
        // named `name` (the fields below pair them), of the size checked above.
        unsafe { std::mem::transmute_copy::<*mut c_void, F>(&found) }
    }
    Cpp {
        ctx_new: symbol(handle, "peer_ctx_new"),
        ctx_term: symbol(handle, "peer_ctx_term"),
        serve: symbol(handle, "peer_serve"),
        join: symbol(handle, "peer_join"),
        socket: symbol(handle, "peer_socket"),
        close: symbol(handle, "peer_close"),
        send: symbol(handle, "peer_send"),
        recv: symbol(handle, "peer_recv"),
        msg_init: symbol(handle, "peer_msg_init"),
        msg_take: symbol(handle, "peer_msg_take"),
        version: symbol(handle, "peer_version"),
    }
}

/// Safe wrappers over the C++ functions, for the pointers the tests pass.
impl Cpp {
    fn ctx_new(&self) -> *mut c_void {
        // SAFETY: plain call; the C++ side returns a new context.
        let ctx = unsafe { (self.ctx_new)() };
        assert!(!ctx.is_null(), "zmq_ctx_new failed in C++");
        ctx
    }

    /// Terminates a C++-owned context, failing the test if it takes more than seconds.
    fn ctx_term(&'static self, ctx: *mut c_void) {
        let ctx = ctx as usize;
        finishes("zmq_ctx_term in C++", move || {
            // SAFETY: a live context that no Rust handle uses any more.
            let rc = unsafe { (self.ctx_term)(ctx as *mut c_void) };
            assert_eq!(rc, 0, "zmq_ctx_term failed in C++");
        });
    }

    /// Starts the C++ REP server on `ctx`, bound to `endpoint` when this returns.
    fn serve(&self, ctx: *mut c_void, endpoint: &str) -> Server {
        let endpoint = CString::new(endpoint).unwrap();
        // SAFETY: a live context and a NUL-terminated endpoint.
        let handle = unsafe { (self.serve)(ctx, endpoint.as_ptr()) };
        assert!(!handle.is_null(), "the C++ server could not bind");
        Server(handle as usize)
    }

    /// Waits for the C++ server to end and returns how many requests it answered.
    fn join(&'static self, server: Server) -> i64 {
        // SAFETY: a server handle from `serve`, joined once.
        finishes("the C++ server", move || unsafe {
            (self.join)(server.0 as *mut c_void)
        })
    }
}

/// A running C++ server (its address, to cross threads).
struct Server(usize);

/// Runs `work` on its own thread and fails if it does not finish within seconds.
fn finishes<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what} did not finish within 20 s"))
}

#[test]
fn a_null_or_non_context_pointer_is_refused() {
    // SAFETY: a null pointer is checked before anything reads it.
    let null = unsafe { Context::from_raw_borrowed(std::ptr::null_mut()) };
    assert!(matches!(null, Err(Error::ForeignHandle(_))), "{null:?}");
    // SAFETY: as above.
    let null = unsafe { Context::from_raw(std::ptr::null_mut()) };
    assert!(matches!(null, Err(Error::ForeignHandle(_))), "{null:?}");

    let ctx = Context::new().unwrap();
    // SAFETY: as above.
    let null = unsafe { Socket::from_raw_borrowed(&ctx, std::ptr::null_mut()) };
    assert!(matches!(null, Err(Error::ForeignHandle(_))), "{null:?}");
    // A socket is not a context: libzmq's tag check (or, with a second libzmq loaded by
    // another test, the copy check) refuses it.
    let socket = ctx.socket(SocketType::Pair).unwrap();
    // SAFETY: a live socket, larger than a context, so libzmq's check reads within it.
    let wrong = unsafe { Context::from_raw_borrowed(socket.as_raw()) };
    let Err(Error::ForeignHandle(why)) = wrong else {
        panic!("a socket was taken for a context: {wrong:?}");
    };
    assert!(why.contains("not a context") || why.contains("another libzmq"));
    assert_eq!(Error::ForeignHandle(why).errno(), libc::EFAULT);
}

#[test]
fn messages_cross_as_raw_zmq_msg_t() {
    let mut msg = zmq::Message::from(vec![7u8; 1 << 20]);
    assert!(!msg.as_raw().is_null());
    assert_eq!(msg.as_mut_raw(), msg.as_mut_ptr());
    let raw = msg.into_raw();
    // SAFETY: `raw` was given up by `into_raw` and is taken back once.
    let back = unsafe { zmq::Message::from_raw(raw) };
    assert_eq!(back.len(), 1 << 20);
    assert!(back.iter().all(|&b| b == 7));
}

/// The C++ library uses this crate's libzmq: both sides share it.
mod shared_libzmq {
    use super::*;
    use std::time::Duration;
    use zmq::{Message, RecvFlags, SendFlags};

    const MIB: usize = 1 << 20;

    /// A REQ socket on `ctx` connected to the C++ server at `endpoint`.
    fn client(ctx: &Context, endpoint: &str) -> Socket {
        let req = ctx.socket(SocketType::Req).unwrap();
        req.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
        req.set_sndtimeo(Some(Duration::from_secs(10))).unwrap();
        req.set_linger(Some(Duration::ZERO)).unwrap();
        req.connect(endpoint).unwrap();
        req
    }

    /// One request of `frames`, checked against the C++ server's reply: the frames reversed,
    /// then "cpp:<frames>:<bytes>".
    fn exchange(req: &Socket, frames: &[Vec<u8>]) {
        req.send_multipart(frames.iter().cloned(), SendFlags::empty())
            .unwrap();
        let reply = req.recv_multipart(RecvFlags::empty()).unwrap();
        let total: usize = frames.iter().map(Vec::len).sum();
        assert_eq!(reply.len(), frames.len() + 1);
        for (got, sent) in reply.iter().zip(frames.iter().rev()) {
            assert!(
                got[..] == sent[..],
                "a frame of {} bytes came back changed",
                sent.len()
            );
        }
        let summary = format!("cpp:{}:{total}", frames.len());
        assert_eq!(&reply[frames.len()][..], summary.as_bytes());
    }

    fn stop(req: &Socket) {
        req.send("STOP", SendFlags::empty()).unwrap();
        assert_eq!(req.recv_string(RecvFlags::empty()).unwrap(), "BYE");
    }

    /// Multipart and 1 MiB messages, both ways (the C++ side sends back what it received).
    fn big_and_multipart(req: &Socket) {
        let pattern: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
        exchange(req, std::slice::from_ref(&pattern));
        exchange(
            req,
            &[b"head".to_vec(), Vec::new(), pattern, b"tail".to_vec()],
        );
    }

    #[test]
    fn the_cpp_library_runs_on_this_libzmq() {
        let Some(cpp) = cpp() else { return };
        let (mut major, mut minor, mut patch) = (0, 0, 0);
        // SAFETY: the function only writes the three integers.
        unsafe { (cpp.version)(&mut major, &mut minor, &mut patch) };
        let version = zmq::version();
        assert_eq!(
            (major, minor, patch),
            (version.major, version.minor, version.patch)
        );
    }

    /// The first story: C++ owns the context and binds a REP socket; Rust borrows
    /// the context, connects a REQ socket, exchanges 1,000 messages and drops its handles;
    /// the context lives on (a second borrow still reaches the server), and C++ terminates
    /// it without a hang.
    #[test]
    fn rust_borrows_a_cpp_context_and_talks_to_its_rep_socket() {
        within(|| {
            let Some(cpp) = cpp() else { return };
            let raw_ctx = cpp.ctx_new();
            let server = cpp.serve(raw_ctx, "inproc://cpp-owned-rep");

            // SAFETY: a live context of the same libzmq, terminated by C++ only after every
            // Rust handle is dropped below.
            let ctx = unsafe { Context::from_raw_borrowed(raw_ctx) }.unwrap();
            assert!(!ctx.is_owned());
            assert_eq!(ctx.as_raw(), raw_ctx);
            let req = client(&ctx, "inproc://cpp-owned-rep");
            let mut reply = Message::new();
            for i in 0..1000 {
                let request = format!("request {i}");
                req.send(&request, SendFlags::empty()).unwrap();
                req.recv(&mut reply, RecvFlags::empty()).unwrap();
                assert_eq!(&reply[..], request.as_bytes());
                assert!(reply.more());
                req.recv(&mut reply, RecvFlags::empty()).unwrap();
                assert_eq!(reply, format!("cpp:1:{}", request.len()).as_str());
            }
            big_and_multipart(&req);
            // Dropping the borrowed handle and its socket must not terminate the context
            // (which would wait for ever on the C++ server's open socket).
            finishes("dropping the borrowed context", move || {
                drop(req);
                drop(ctx);
            });

            // SAFETY: as above.
            let again = unsafe { Context::from_raw_borrowed(raw_ctx) }.unwrap();
            let req = client(&again, "inproc://cpp-owned-rep");
            stop(&req);
            drop(req);
            drop(again);
            assert_eq!(cpp.join(server), 1002);
            cpp.ctx_term(raw_ctx);
        });
    }

    /// The reverse: Rust owns the context and C++ binds its REP socket through the raw
    /// pointer.
    #[test]
    fn cpp_binds_on_a_rust_context() {
        within(|| {
            let Some(cpp) = cpp() else { return };
            let ctx = Context::new().unwrap();
            let server = cpp.serve(ctx.as_raw(), "inproc://rust-owned-rep");
            let req = client(&ctx, "inproc://rust-owned-rep");
            for i in 0..100 {
                exchange(&req, &[format!("{i}").into_bytes(), b"second".to_vec()]);
            }
            big_and_multipart(&req);
            stop(&req);
            assert_eq!(cpp.join(server), 102);
            drop(req);
            finishes("terminating the Rust context", move || drop(ctx));
        });
    }

    /// Hand-over: `into_raw` keeps the context alive for C++ with no Rust handle left, until
    /// `from_raw` takes the reference back; dropping that terminates it.
    #[test]
    fn a_context_handed_over_with_into_raw_lives_until_taken_back() {
        within(|| {
            let Some(cpp) = cpp() else { return };
            let ctx = Context::new().unwrap();
            let raw = ctx.clone().into_raw();
            assert_eq!(ctx.handed_over(), 1);
            drop(ctx);

            // No Rust handle left: the context must still be alive for C++.
            let server = cpp.serve(raw, "inproc://handed-over-rep");
            {
                // SAFETY: a live context (the handed-over reference keeps it).
                let view = unsafe { Context::from_raw_borrowed(raw) }.unwrap();
                let req = client(&view, "inproc://handed-over-rep");
                exchange(&req, &[b"over".to_vec(), b"there".to_vec()]);
                stop(&req);
            }
            assert_eq!(cpp.join(server), 1);

            // SAFETY: `raw` came from `into_raw`; its reference is taken back once.
            let back = unsafe { Context::from_raw(raw) }.unwrap();
            assert!(back.is_owned());
            assert_eq!(back.handed_over(), 0);
            let socket = back.socket(SocketType::Pair).unwrap();
            drop(socket);
            finishes("terminating the context taken back", move || drop(back));
        });
    }

    /// A socket C++ lends is used through the crate's API and stays open when the Rust
    /// handle goes: C++ then still receives on it.
    #[test]
    fn a_borrowed_cpp_socket_is_not_closed_on_drop() {
        within(|| {
            let Some(cpp) = cpp() else { return };
            let raw_ctx = cpp.ctx_new();
            // SAFETY: a live context of the same libzmq.
            let raw_pull = unsafe { (cpp.socket)(raw_ctx, zmq::sys::ZMQ_PULL) };
            assert!(!raw_pull.is_null());
            {
                // SAFETY: as above; C++ terminates it after the Rust handles go.
                let ctx = unsafe { Context::from_raw_borrowed(raw_ctx) }.unwrap();
                // SAFETY: a live socket of that context, used only here until dropped.
                let pull = unsafe { Socket::from_raw_borrowed(&ctx, raw_pull) }.unwrap();
                assert!(!pull.is_owned());
                assert_eq!(pull.socket_type().unwrap(), SocketType::Pull);
                pull.bind("inproc://borrowed-pull").unwrap();
                let push = client_push(&ctx, "inproc://borrowed-pull");
                push.send("to rust", SendFlags::empty()).unwrap();
                pull.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
                assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "to rust");
                drop(pull);
                push.send("to c++", SendFlags::empty()).unwrap();
            }
            let mut buffer = [0u8; 16];
            // SAFETY: the live socket; the buffer has room for `len` bytes.
            let len = unsafe { (cpp.recv)(raw_pull, buffer.as_mut_ptr(), buffer.len()) };
            assert_eq!(len, 6, "the borrowed socket was closed by Rust");
            assert_eq!(&buffer[..6], b"to c++");
            // SAFETY: the live socket, closed once.
            assert_eq!(unsafe { (cpp.close)(raw_pull) }, 0);
            cpp.ctx_term(raw_ctx);
        });
    }

    fn client_push(ctx: &Context, endpoint: &str) -> Socket {
        let push = ctx.socket(SocketType::Push).unwrap();
        push.set_linger(Some(Duration::ZERO)).unwrap();
        push.connect(endpoint).unwrap();
        push
    }

    /// A socket C++ gives away with `from_raw` is closed by Rust: C++ can then terminate
    /// its context (which would wait for ever on an open socket).
    #[test]
    fn a_cpp_socket_taken_over_is_closed_on_drop() {
        within(|| {
            let Some(cpp) = cpp() else { return };
            let raw_ctx = cpp.ctx_new();
            // SAFETY: a live context of the same libzmq.
            let raw_pair = unsafe { (cpp.socket)(raw_ctx, zmq::sys::ZMQ_PAIR) };
            {
                // SAFETY: as above; C++ terminates it after the Rust handles go.
                let ctx = unsafe { Context::from_raw_borrowed(raw_ctx) }.unwrap();
                // SAFETY: a live socket of that context, given up by C++.
                let pair = unsafe { Socket::from_raw(&ctx, raw_pair) }.unwrap();
                assert!(pair.is_owned());
                pair.bind("inproc://taken-over").unwrap();
            }
            cpp.ctx_term(raw_ctx);
        });
    }

    /// Messages move between the sides as `zmq_msg_t`, without copies of their bytes.
    #[test]
    fn messages_cross_to_and_from_cpp() {
        let Some(cpp) = cpp() else { return };
        let data: Vec<u8> = (0..MIB).map(|i| (i % 253) as u8).collect();
        let mut raw = std::mem::MaybeUninit::<zmq::sys::zmq_msg_t>::uninit();
        // SAFETY: C++ initialises the message from `data`'s bytes.
        let rc = unsafe { (cpp.msg_init)(raw.as_mut_ptr(), data.as_ptr(), data.len()) };
        assert_eq!(rc, 0);
        // SAFETY: initialised by zmq_msg_init_size in C++, which gives it up.
        let mut msg = unsafe { Message::from_raw(raw.assume_init()) };
        assert!(msg[..] == data[..]);
        msg[0] = 1;

        let mut buffer = vec![0u8; MIB];
        let mut raw = msg.into_raw();
        // SAFETY: a live message given up by Rust, which C++ reads and closes.
        let len = unsafe { (cpp.msg_take)(&mut raw, buffer.as_mut_ptr(), buffer.len()) };
        assert_eq!(len as usize, MIB);
        assert_eq!(buffer[0], 1);
        assert!(buffer[1..] == data[1..]);
    }

    /// Reruns the borrowed-context story in this same test binary under valgrind: no memory
    /// error and no definite leak across the two languages' handles.
    #[test]
    fn the_borrowed_context_story_is_clean_under_valgrind() {
        if require(valgrind()).is_none() || cpp().is_none() {
            return;
        }
        assert_clean_under_valgrind(
            "shared_libzmq::rust_borrows_a_cpp_context_and_talks_to_its_rep_socket",
        );
    }
}

/// With the vendored libzmq linked statically into this test, a C++ library linking the
/// system libzmq brings a second copy: its handles are refused, never used. That copy stays
/// in the process that loads it, so this runs in a child process of its own.
#[cfg(zmq_vendored)]
mod second_libzmq {
    use std::process::Command;

    use super::*;

    const CHILD: &str = "ZMQ_TEST_SECOND_LIBZMQ_CHILD";

    #[test]
    fn handles_of_a_second_libzmq_are_refused() {
        if std::env::var_os(CHILD).is_some() {
            return refuse_handles_of_the_system_libzmq();
        }
        let test = "second_libzmq::handles_of_a_second_libzmq_are_refused";
        let output = Command::new(std::env::current_exe().unwrap())
            .env(CHILD, "1")
            .args(["--exact", test, "--test-threads=1", "--nocapture"])
            .output()
            .expect("rerun the test binary");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // A skipped child (no g++ or zmq.h) says so; pass its note on.
        if stderr.contains("SKIPPED") {
            eprint!("{stderr}");
            return;
        }
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "the child test failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
    }

    fn refuse_handles_of_the_system_libzmq() {
        static CPP: OnceLock<Result<Cpp, String>> = OnceLock::new();
        let loaded =
            CPP.get_or_init(|| compile(Libzmq::System).map(|path| load(&path, Libzmq::System)));
        let Some(cpp) = require(loaded.as_ref().map_err(Clone::clone)) else {
            return;
        };
        let raw_ctx = cpp.ctx_new();
        // SAFETY: a live context, of the other libzmq: the check must refuse it unread.
        let borrowed = unsafe { Context::from_raw_borrowed(raw_ctx) };
        let Err(Error::ForeignHandle(why)) = borrowed else {
            panic!("a context of a second libzmq was accepted: {borrowed:?}");
        };
        println!("refused: {why}");
        assert!(why.contains("another libzmq"), "{why}");
        assert!(
            why.contains("libzmq.so"),
            "the message names the other copy: {why}"
        );
        // SAFETY: as above.
        let owned = unsafe { Context::from_raw(raw_ctx) };
        assert!(matches!(owned, Err(Error::ForeignHandle(_))), "{owned:?}");

        // SAFETY: a live context of the other libzmq.
        let raw_socket = unsafe { (cpp.socket)(raw_ctx, zmq::sys::ZMQ_PAIR) };
        assert!(!raw_socket.is_null());
        let ours = Context::new().unwrap();
        // SAFETY: a live socket, of the other libzmq: refused unread.
        let socket = unsafe { Socket::from_raw_borrowed(&ours, raw_socket) };
        assert!(matches!(socket, Err(Error::ForeignHandle(_))), "{socket:?}");
        // SAFETY: the live socket and context of the C++ side, closed and terminated once.
        unsafe {
            assert_eq!((cpp.close)(raw_socket), 0);
            assert_eq!((cpp.ctx_term)(raw_ctx), 0);
        }
    }
}
