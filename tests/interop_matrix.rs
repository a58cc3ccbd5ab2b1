//! The interop matrix: this crate against pyzmq and against C++ programs written with cppzmq,
//! every cell in both directions (INTEROP.md lists the cells and the versions, and says how
//! to run one).
//!
//! One generic peer per language (tests/interop/matrix_peer.py and matrix_peer.cpp, which
//! take the cell's role, endpoint, script and mechanism on the command line) plays a fixed
//! exchange against a socket of this crate: five payloads (empty, one byte, five frames,
//! 16 MiB, non-UTF-8 bytes), checked frame by frame on both sides. The peer prints one line
//! per payload it received (`RECEIVED <name> <frame sizes> ok`); this side checks its own
//! receptions and the peer's lines. Refused cells check that nothing arrives on either side.
//!
//! This is a test target of its own (`test = false` in Cargo.toml), run once by scripts/test:
//! `cargo test --no-default-features --test interop_matrix -- --nocapture`. It prints the
//! table (also written to target/interop-matrix.md) and fails naming the failed cells.
//! `ZMQ_INTEROP_CELL=<text>` runs only the cells whose name contains `<text>`. A missing peer
//! tool skips its cells with `SKIPPED` in the table, or fails under `CI=true` /
//! `ZMQ_REQUIRE_PEERS=1`.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use support::peers::{compile_cpp, libzmq_flags, peer_source, python, require, target_dir};
use support::{IpcPath, Peer};
use zmq::{
    Authenticator, Certificate, Context, CurveKey, CurveKeyPair, MonitorEvent, MonitorEvents,
    Policy, Proxy, RecvFlags, Security, SendFlags, Socket, SocketType,
};

mod support;

/// How long any receive of this side waits (the peers wait as long).
const TIMEOUT: Duration = Duration::from_secs(20);
/// How long a refused cell waits for what must not come, once the refusal is seen.
const REFUSED_WAIT: Duration = Duration::from_millis(1000);
const ROUTING_ID: &[u8] = b"matrix-dealer";
const TOPIC: &[u8] = b"ab.data";
const STREAM_CHUNK: usize = 65536;
const USER: &str = "admin";
const PASSWORD: &str = "secret";
/// Cells run this many at a time.
const WORKERS: usize = 3;
/// The longest the whole matrix may run (it takes under two minutes).
const MATRIX_TIMEOUT: Duration = Duration::from_secs(540);

type Frames = Vec<Vec<u8>>;

/// The payloads every cell sends, in this order; the peers build the same ones.
fn payloads() -> &'static [(&'static str, Frames)] {
    static PAYLOADS: OnceLock<Vec<(&'static str, Frames)>> = OnceLock::new();
    PAYLOADS.get_or_init(|| {
        let big: Vec<u8> = (0..16usize << 20).map(|i| (i % 251) as u8).collect();
        vec![
            ("empty", vec![vec![]]),
            ("one-byte", vec![vec![0]]),
            (
                "five-frames",
                vec![
                    b"frame-1".to_vec(),
                    vec![],
                    vec![0, 1, 2],
                    b"frame-4 ".repeat(100),
                    b"last".to_vec(),
                ],
            ),
            (
                "non-utf8",
                vec![b"\xff\xfe\xfd\x80\xc0\xaf caf\xe9 \xed\xa0\x80".to_vec()],
            ),
            ("16MiB", vec![big]),
        ]
    })
}

/// The payloads of STREAM cells: a byte stream has no frames, and no empty message.
fn stream_payloads() -> Vec<(&'static str, Vec<u8>)> {
    payloads()
        .iter()
        .filter(|(name, _)| matches!(*name, "one-byte" | "non-utf8" | "16MiB"))
        .map(|(name, frames)| (*name, frames.concat()))
        .collect()
}

fn sizes(frames: &[Vec<u8>]) -> String {
    frames
        .iter()
        .map(|frame| frame.len().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Req,
    Rep,
    Dealer,
    Router,
    PairAsk,
    PairEcho,
    Push,
    Pull,
    Pub,
    Sub,
    Stream,
    Raw,
}

impl Role {
    /// The role's name on the peers' command line.
    fn arg(self) -> &'static str {
        match self {
            Role::Req => "REQ",
            Role::Rep => "REP",
            Role::Dealer => "DEALER",
            Role::Router => "ROUTER",
            Role::PairAsk => "PAIR-ask",
            Role::PairEcho => "PAIR-echo",
            Role::Push => "PUSH",
            Role::Pull => "PULL",
            Role::Pub => "PUB",
            Role::Sub => "SUB",
            Role::Stream => "STREAM",
            Role::Raw => "RAW",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::PairAsk => "PAIR(ask)",
            Role::PairEcho => "PAIR(echo)",
            other => other.arg(),
        }
    }

    fn socket_type(self) -> SocketType {
        match self {
            Role::Req => SocketType::Req,
            Role::Rep => SocketType::Rep,
            Role::Dealer => SocketType::Dealer,
            Role::Router => SocketType::Router,
            Role::PairAsk | Role::PairEcho => SocketType::Pair,
            Role::Push => SocketType::Push,
            Role::Pull => SocketType::Pull,
            Role::Pub => SocketType::Pub,
            Role::Sub => SocketType::Sub,
            // A raw client is a plain TCP socket; this is its STREAM counterpart.
            Role::Stream | Role::Raw => SocketType::Stream,
        }
    }

    /// Whether the role speaks first (the client of a secured cell).
    fn speaks_first(self) -> bool {
        matches!(
            self,
            Role::Req | Role::Dealer | Role::PairAsk | Role::Push | Role::Pub | Role::Raw
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Py,
    Cpp,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::Py => "py",
            Lang::Cpp => "cpp",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Transport {
    Tcp,
    Ipc,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mech {
    Null,
    Plain,
    PlainWrongPassword,
    Curve,
    CurveRefusedKey,
}

impl Mech {
    fn refused(self) -> bool {
        matches!(self, Mech::PlainWrongPassword | Mech::CurveRefusedKey)
    }
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    /// A socket of this crate and the peer's, one binding, the other connecting.
    Direct {
        rust: Role,
        peer: Role,
        rust_binds: bool,
    },
    /// PUB and SUB both connect to an XSUB/XPUB proxy of this crate; `rust` is PUB or SUB.
    Proxy { rust: Role, peer: Role },
    /// A STREAM socket (binding) and a plain TCP client; one is this crate's, `rust`.
    Stream { rust: Role, peer: Role },
}

#[derive(Clone, Copy, Debug)]
struct Cell {
    lang: Lang,
    transport: Transport,
    mech: Mech,
    shape: Shape,
}

impl Cell {
    /// `connecting side -> binding side transport mechanism`, as in `py/REQ->rust/REP tcp NULL`.
    fn name(&self) -> String {
        let peer = |role: Role| format!("{}/{}", self.lang.name(), role.label());
        let rust = |role: Role| format!("rust/{}", role.label());
        let sides = match self.shape {
            Shape::Direct {
                rust: r,
                peer: p,
                rust_binds: true,
            } => format!("{}->{}", peer(p), rust(r)),
            Shape::Direct {
                rust: r, peer: p, ..
            } => format!("{}->{}", rust(r), peer(p)),
            Shape::Proxy { rust: r, peer: p } if r == Role::Pub => {
                format!("{}->rust/proxy(XSUB|XPUB)<-{}", rust(r), peer(p))
            }
            Shape::Proxy { rust: r, peer: p } => {
                format!("{}->rust/proxy(XSUB|XPUB)<-{}", peer(p), rust(r))
            }
            Shape::Stream { rust: r, peer: p } if r == Role::Stream => {
                format!("{}->{}", peer(p), rust(r))
            }
            Shape::Stream { rust: r, peer: p } => format!("{}->{}", rust(r), peer(p)),
        };
        let transport = match self.transport {
            Transport::Tcp => "tcp",
            Transport::Ipc => "ipc",
        };
        // CURVE certificates are written by the server's side and read by the client's.
        let server_side = match self.shape {
            Shape::Direct { rust, .. } if !rust.speaks_first() => "rust",
            _ => self.lang.name(),
        };
        let mech = match self.mech {
            Mech::Null => "NULL".to_owned(),
            Mech::Plain => "PLAIN".to_owned(),
            Mech::PlainWrongPassword => "PLAIN(wrong password)".to_owned(),
            Mech::Curve => format!("CURVE(allowed key, {server_side} certs)"),
            Mech::CurveRefusedKey => format!("CURVE(refused key, {server_side} certs)"),
        };
        format!("{sides} {transport} {mech}")
    }
}

/// Every cell: the patterns over both transports with NULL, each way round (which side
/// plays which role, which side binds); the mechanisms on tcp with REQ/REP and PUSH/PULL,
/// with the server on either side.
fn cells() -> Vec<Cell> {
    let patterns = [
        (Role::Req, Role::Rep),
        (Role::Pub, Role::Sub),
        (Role::Push, Role::Pull),
        (Role::Dealer, Role::Router),
        (Role::PairAsk, Role::PairEcho),
    ];
    let mut cells = Vec::new();
    for lang in [Lang::Py, Lang::Cpp] {
        for transport in [Transport::Tcp, Transport::Ipc] {
            for (a, b) in patterns {
                for (rust, peer) in [(a, b), (b, a)] {
                    for rust_binds in [true, false] {
                        cells.push(Cell {
                            lang,
                            transport,
                            mech: Mech::Null,
                            shape: Shape::Direct {
                                rust,
                                peer,
                                rust_binds,
                            },
                        });
                    }
                }
            }
            for (rust, peer) in [(Role::Pub, Role::Sub), (Role::Sub, Role::Pub)] {
                cells.push(Cell {
                    lang,
                    transport,
                    mech: Mech::Null,
                    shape: Shape::Proxy { rust, peer },
                });
            }
        }
        for (rust, peer) in [(Role::Stream, Role::Raw), (Role::Raw, Role::Stream)] {
            cells.push(Cell {
                lang,
                transport: Transport::Tcp,
                mech: Mech::Null,
                shape: Shape::Stream { rust, peer },
            });
        }
        for (client, server) in [(Role::Req, Role::Rep), (Role::Push, Role::Pull)] {
            for (rust, peer) in [(server, client), (client, server)] {
                for mech in [
                    Mech::Plain,
                    Mech::PlainWrongPassword,
                    Mech::Curve,
                    Mech::CurveRefusedKey,
                ] {
                    cells.push(Cell {
                        lang,
                        transport: Transport::Tcp,
                        mech,
                        shape: Shape::Direct {
                            rust,
                            peer,
                            rust_binds: rust == server,
                        },
                    });
                }
            }
        }
    }
    cells
}

/// The peer programs found (or `None`: skipped).
struct Tools {
    python: Option<PathBuf>,
    cpp: Option<PathBuf>,
}

impl Tools {
    fn find(langs: &[Lang]) -> Tools {
        let python = if langs.contains(&Lang::Py) {
            require(python()).map(Path::to_path_buf)
        } else {
            None
        };
        let cpp = if langs.contains(&Lang::Cpp) {
            let mut flags: Vec<String> = libzmq_flags()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            flags.push("-pthread".to_owned());
            require(compile_cpp("matrix_peer.cpp", "matrix-peer-cpp", &flags))
        } else {
            None
        };
        Tools { python, cpp }
    }

    fn has(&self, lang: Lang) -> bool {
        match lang {
            Lang::Py => self.python.is_some(),
            Lang::Cpp => self.cpp.is_some(),
        }
    }

    fn spawn(&self, lang: Lang, name: &str, args: &[String]) -> Peer {
        let (program, mut argv): (&Path, Vec<OsString>) = match lang {
            Lang::Py => (
                self.python.as_deref().expect("python was found"),
                vec![peer_source("matrix_peer.py").into_os_string()],
            ),
            Lang::Cpp => (self.cpp.as_deref().expect("the C++ peer was built"), vec![]),
        };
        argv.extend(args.iter().map(OsString::from));
        Peer::spawn(name, program, argv)
    }

    /// The versions each peer reports, for the table's header.
    fn versions(&self) -> Vec<String> {
        let build = if cfg!(feature = "vendored") {
            "vendored"
        } else {
            "system"
        };
        let mut lines = vec![format!(
            "this crate: libzmq {} ({build} build)",
            zmq::version()
        )];
        let mut run = |label: &str, program: Option<&Path>, args: &[&str]| {
            let Some(program) = program else { return };
            let text = Command::new(program)
                .args(args)
                .output()
                .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
                .unwrap_or_else(|e| format!("cannot run: {e}"));
            lines.push(format!("{label}: {text}"));
        };
        run(
            "python peer",
            self.python.as_deref(),
            &[
                "-c",
                "import sys, zmq; print('pyzmq', zmq.pyzmq_version(), 'with libzmq', \
                 zmq.zmq_version(), '(Python', sys.version.split()[0] + ')')",
            ],
        );
        run("C++ peer", self.cpp.as_deref(), &["version"]);
        lines
    }
}

/// A fresh directory for one cell's certificates.
fn cell_dir(index: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("interop-matrix-{}", std::process::id()))
        .join(index.to_string());
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("allowed")).expect("create the cell's directory");
    dir
}

fn path_arg(path: &Path) -> String {
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// This side's security for one cell, and the peer's mechanism arguments.
struct Secured {
    rust: RustSecurity,
    peer_args: Vec<String>,
    /// The `User-Id` this side's server must see on what it receives.
    user_id: Option<String>,
}

enum RustSecurity {
    Null,
    PlainClient(&'static str),
    PlainServer(Authenticator),
    CurveClient(CurveKeyPair, CurveKey),
    CurveServer(CurveKeyPair, Authenticator),
}

impl Secured {
    fn new(
        cell: &Cell,
        index: usize,
        rust_is_server: bool,
        ctx: &Context,
        tools: &Tools,
    ) -> Result<Secured, String> {
        let fail = |what: &str, e: zmq::Error| format!("rust: {what}: {e}");
        let plain_password = if cell.mech == Mech::PlainWrongPassword {
            "wrong"
        } else {
            PASSWORD
        };
        let client_cert = if cell.mech == Mech::CurveRefusedKey {
            "intruder.key_secret"
        } else {
            "client.key_secret"
        };
        let mut curve_user = None;
        let (rust, peer_args) = match (cell.mech, rust_is_server) {
            (Mech::Null, _) => (RustSecurity::Null, vec!["null".to_owned()]),
            (Mech::Plain | Mech::PlainWrongPassword, true) => {
                let auth = Authenticator::start(ctx).map_err(|e| fail("start ZAP", e))?;
                auth.set_policy("", Policy::new().plain_users([(USER, PASSWORD)]))
                    .map_err(|e| fail("set the policy", e))?;
                let args = ["plain-client", USER, plain_password];
                (
                    RustSecurity::PlainServer(auth),
                    args.map(str::to_owned).to_vec(),
                )
            }
            (Mech::Plain | Mech::PlainWrongPassword, false) => (
                RustSecurity::PlainClient(plain_password),
                ["plain-server", USER, PASSWORD].map(str::to_owned).to_vec(),
            ),
            (Mech::Curve | Mech::CurveRefusedKey, true) => {
                // This side writes every certificate; the peer reads its own and the server's.
                let dir = cell_dir(index);
                let generate = || Certificate::generate().map_err(|e| fail("generate", e));
                let server = generate()?;
                let client = generate()?;
                curve_user = Some(client.public().to_string());
                for (cert, name) in [
                    (&server, "server"),
                    (&client, "client"),
                    (&generate()?, "intruder"),
                ] {
                    cert.save(dir.join(format!("{name}.key")))
                        .map_err(|e| fail("save a certificate", e))?;
                }
                client
                    .save_public(dir.join("allowed/client.key"))
                    .map_err(|e| fail("save a certificate", e))?;
                let auth = Authenticator::start(ctx).map_err(|e| fail("start ZAP", e))?;
                auth.set_policy(
                    "",
                    Policy::new().allow_curve_certificates(dir.join("allowed")),
                )
                .map_err(|e| fail("set the policy", e))?;
                let keys = server
                    .key_pair()
                    .ok_or("rust: a certificate without its secret")?;
                (
                    RustSecurity::CurveServer(keys, auth),
                    vec![
                        "curve-client".to_owned(),
                        path_arg(&dir.join(client_cert)),
                        path_arg(&dir.join("server.key")),
                    ],
                )
            }
            (Mech::Curve | Mech::CurveRefusedKey, false) => {
                // The peer writes every certificate; this side reads its own and the server's.
                let dir = cell_dir(index);
                let made = tools
                    .spawn(
                        cell.lang,
                        "gencerts",
                        &["gencerts".to_owned(), path_arg(&dir)],
                    )
                    .finish();
                if !made.status.success() || made.stdout != ["DONE"] {
                    return Err(format!(
                        "peer gencerts failed: {:?} {}",
                        made.stdout, made.stderr
                    ));
                }
                let load = |name: &str| {
                    Certificate::load(dir.join(name)).map_err(|e| fail("load a certificate", e))
                };
                let keys = load(client_cert)?
                    .key_pair()
                    .ok_or("rust: no secret key in the peer's certificate")?;
                let server = *load("server.key")?.public();
                (
                    RustSecurity::CurveClient(keys, server),
                    vec![
                        "curve-server".to_owned(),
                        path_arg(&dir.join("server.key_secret")),
                        path_arg(&dir.join("allowed")),
                    ],
                )
            }
        };
        let user_id = match &rust {
            RustSecurity::PlainServer(_) => Some(USER.to_owned()),
            RustSecurity::CurveServer(..) => curve_user,
            _ => None,
        };
        Ok(Secured {
            rust,
            peer_args,
            user_id,
        })
    }

    fn apply(&self, socket: &Socket) -> zmq::Result<()> {
        match &self.rust {
            RustSecurity::Null => Ok(()),
            RustSecurity::PlainClient(password) => {
                socket.set_security(&Security::plain_client(USER, password))
            }
            RustSecurity::PlainServer(auth) => socket.set_security(&Security::plain_server(auth)),
            RustSecurity::CurveClient(keys, server) => {
                socket.set_security(&Security::curve_client(keys, server))
            }
            RustSecurity::CurveServer(keys, auth) => {
                socket.set_security(&Security::curve_server(keys, auth))
            }
        }
    }
}

fn rust_socket(ctx: &Context, kind: SocketType) -> Result<Socket, String> {
    let setup = || -> zmq::Result<Socket> {
        let socket = ctx.socket(kind)?;
        // The peer has received everything before this side's sockets close.
        socket.set_linger(Some(Duration::ZERO))?;
        socket.set_rcvtimeo(Some(TIMEOUT))?;
        socket.set_sndtimeo(Some(TIMEOUT))?;
        Ok(socket)
    };
    setup().map_err(|e| format!("rust: create a socket: {e}"))
}

/// Binds to an ephemeral port or to `ipc`, and returns the endpoint.
fn bind(socket: &Socket, transport: Transport, ipc: &IpcPath) -> Result<String, String> {
    match transport {
        Transport::Tcp => socket.bind_ephemeral_port("tcp://127.0.0.1"),
        Transport::Ipc => socket.bind(&ipc.endpoint()).map(|()| ipc.endpoint()),
    }
    .map_err(|e| format!("rust: bind: {e}"))
}

fn send(socket: &Socket, frames: &[Vec<u8>]) -> Result<(), String> {
    socket
        .send_multipart(frames.iter().map(Vec::as_slice), SendFlags::empty())
        .map_err(|e| format!("rust: send: {}", e.error()))
}

fn recv(socket: &Socket) -> Result<Frames, String> {
    recv_from(socket, None)
}

/// Receives a message and, with `user`, checks the `User-Id` the authenticator gave its
/// sender.
fn recv_from(socket: &Socket, user: Option<&str>) -> Result<Frames, String> {
    let parts = socket
        .recv_multipart(RecvFlags::empty())
        .map_err(|e| format!("rust: receive: {e}"))?;
    if let Some(user) = user {
        let got = parts.first().and_then(|frame| frame.user_id());
        if got != Some(user) {
            return Err(format!("rust: User-Id {got:?}, expected {user:?}"));
        }
    }
    Ok(parts.iter().map(|frame| frame.to_vec()).collect())
}

/// Checks a payload received by this side, frame by frame.
fn check(name: &str, got: &[Vec<u8>], expected: &[Vec<u8>]) -> Result<(), String> {
    if got == expected {
        return Ok(());
    }
    let detail = match got.iter().zip(expected).position(|(a, b)| a != b) {
        Some(frame) if got.len() == expected.len() => format!("frame {frame} differs"),
        _ => format!("{} frames, expected {}", got.len(), expected.len()),
    };
    Err(format!(
        "rust received {name} with sizes {} (expected {}): {detail}",
        sizes(got),
        sizes(expected)
    ))
}

fn ask(socket: &Socket, envelope: &[Vec<u8>]) -> Result<(), String> {
    for (name, frames) in payloads() {
        send(socket, &[envelope, frames].concat())?;
        let got = recv(socket)?;
        let (head, body) = got.split_at(envelope.len().min(got.len()));
        if head != envelope {
            return Err(format!("rust: {name}: the reply's envelope is {head:?}"));
        }
        check(name, body, frames)?;
    }
    Ok(())
}

fn echo(socket: &Socket, envelope: &[Vec<u8>], user: Option<&str>) -> Result<(), String> {
    for (name, frames) in payloads() {
        let got = recv_from(socket, user)?;
        let (head, body) = got.split_at(envelope.len().min(got.len()));
        if head != envelope {
            return Err(format!("rust: {name}: the envelope is {head:?}"));
        }
        check(name, body, frames)?;
        send(socket, &got)?;
    }
    Ok(())
}

/// Sends "sync" until the peer's SUB says it got one, then the payloads, each after two
/// messages that the subscription does not match, and "ab.end".
fn publish(socket: &Socket, peer: &mut Peer) -> Result<(), String> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if Instant::now() > deadline {
            return Err("rust: the SUB never got a sync message".to_owned());
        }
        send(socket, &[b"sync".to_vec()])?;
        match peer.next_line_within(Duration::from_millis(20)) {
            Some(line) if line == "SYNCED" => break,
            Some(line) => return Err(format!("peer said {line:?} while syncing")),
            None => {}
        }
    }
    let unmatched = |topic: &[u8]| vec![topic.to_vec(), b"not subscribed".to_vec()];
    for (_, frames) in payloads() {
        send(socket, &unmatched(b"a"))?;
        send(socket, &unmatched(b"ba"))?;
        send(socket, &[vec![TOPIC.to_vec()], frames.clone()].concat())?;
    }
    send(socket, &unmatched(b"a"))?;
    send(socket, &[b"ab.end".to_vec()])
}

/// Subscribes to "ab" and then "sync", tells the peer's PUB to go on the first "sync", then
/// expects exactly the payloads and "ab.end".
///
/// "ab" goes first: a PUB applies subscriptions in the order they come, so one that sent a
/// "sync" has "ab" too. The other order once lost every payload: libzmq's PUB took in "sync"
/// alone, the GO came back within the millisecond in which its sends skip reading commands,
/// and "ab" took effect only by "ab.end".
fn subscribe(socket: &Socket, peer: &mut Peer) -> Result<(), String> {
    let sync = vec![b"sync".to_vec()];
    for prefix in [&b"ab"[..], b"sync"] {
        socket
            .set_subscribe(prefix)
            .map_err(|e| format!("rust: subscribe: {e}"))?;
    }
    let first = recv(socket)?;
    if first != sync {
        return Err(format!("rust: the first message is {first:?}, not sync"));
    }
    peer.send_line("GO");
    let mut got = recv(socket)?;
    while got == sync {
        got = recv(socket)?;
    }
    for (name, frames) in payloads() {
        if got[0] != TOPIC {
            return Err(format!(
                "rust: {name}: topic {:?}",
                String::from_utf8_lossy(&got[0][..got[0].len().min(20)])
            ));
        }
        check(name, &got[1..], frames)?;
        got = recv(socket)?;
    }
    if got != [b"ab.end".to_vec()] {
        return Err(format!("rust: after the payloads came {got:?}"));
    }
    Ok(())
}

fn stream_echo(socket: &Socket) -> Result<(), String> {
    let hello = recv(socket)?;
    if hello.len() != 2 || !hello[1].is_empty() {
        return Err("rust: STREAM: no connection notification".to_owned());
    }
    let id = hello[0].clone();
    for (name, data) in stream_payloads() {
        let mut got = Vec::new();
        while got.len() < data.len() {
            let chunk = recv(socket)?;
            if chunk.len() != 2 || chunk[0] != id {
                return Err(format!("rust: STREAM: {name}: from another connection"));
            }
            got.extend_from_slice(&chunk[1]);
            send(socket, &chunk)?;
        }
        if got != data {
            return Err(format!("rust: STREAM: {name}: the bytes differ"));
        }
    }
    Ok(())
}

/// A plain TCP client (std::net) against the peer's STREAM socket: sends each payload in
/// chunks and reads each chunk's echo before the next.
fn raw_client(endpoint: &str) -> Result<(), String> {
    let address = endpoint
        .strip_prefix("tcp://")
        .ok_or_else(|| format!("not a tcp endpoint: {endpoint}"))?;
    let io = |e: std::io::Error| format!("rust: raw TCP: {e}");
    let mut conn = TcpStream::connect(address).map_err(io)?;
    conn.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    conn.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    for (name, data) in stream_payloads() {
        let mut got = Vec::with_capacity(data.len());
        for chunk in data.chunks(STREAM_CHUNK) {
            conn.write_all(chunk).map_err(io)?;
            let start = got.len();
            got.resize(start + chunk.len(), 0);
            conn.read_exact(&mut got[start..]).map_err(io)?;
        }
        if got != data {
            return Err(format!("rust: raw TCP: {name}: the echoed bytes differ"));
        }
    }
    Ok(())
}

/// This side's part of a normal cell; `user` is the `User-Id` a server of this side must see.
fn play(role: Role, socket: &Socket, peer: &mut Peer, user: Option<&str>) -> Result<(), String> {
    let delimited = [ROUTING_ID.to_vec(), vec![]];
    match role {
        Role::Req | Role::PairAsk => ask(socket, &[]),
        Role::Dealer => ask(socket, &[vec![]]),
        Role::Rep | Role::PairEcho => echo(socket, &[], user),
        Role::Router => echo(socket, &delimited, user),
        Role::Push => payloads()
            .iter()
            .try_for_each(|(_, frames)| send(socket, frames)),
        Role::Pull => payloads()
            .iter()
            .try_for_each(|(name, frames)| check(name, &recv_from(socket, user)?, frames)),
        Role::Pub => publish(socket, peer),
        Role::Sub => subscribe(socket, peer),
        Role::Stream => stream_echo(socket),
        Role::Raw => Err("a raw client has no socket".to_owned()),
    }
}

/// This side's part of a refused cell: a client sends "intruder"; then either side waits
/// for the refusal (its monitor's HANDSHAKE_FAILED_AUTH with ZAP status 400, which a
/// client learns from the server's ERROR command) and checks that nothing arrives.
fn play_refused(role: Role, socket: &Socket, monitor: &zmq::Monitor<'_>) -> Result<(), String> {
    if role.speaks_first() {
        send(socket, &[b"intruder".to_vec()])?;
    }
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match monitor.next_event(Some(left)) {
            Ok(Some(MonitorEvent::HandshakeFailedAuth { status: 400, .. })) => break,
            Ok(Some(_)) => {}
            Ok(None) => return Err("rust: no HANDSHAKE_FAILED_AUTH event".to_owned()),
            Err(e) => return Err(format!("rust: monitor: {e}")),
        }
    }
    if role == Role::Push {
        return Ok(()); // nothing can come back to a PUSH socket
    }
    socket
        .set_rcvtimeo(Some(REFUSED_WAIT))
        .map_err(|e| format!("rust: {e}"))?;
    match socket.recv_multipart(RecvFlags::empty()) {
        Err(zmq::Error::WouldBlock) => Ok(()),
        Err(e) => Err(format!("rust: receive: {e}")),
        Ok(parts) => Err(format!(
            "rust: {} frames arrived from a refused peer",
            parts.len()
        )),
    }
}

/// What the peer prints after its BOUND line (and after the SYNCED line a SUB peer prints
/// for this side's PUB, which `publish` reads).
fn expected_lines(peer: Role, refused: bool) -> Vec<String> {
    let mut lines: Vec<String> = if refused {
        let line = if peer.speaks_first() {
            "NO REPLY"
        } else {
            "NOTHING ARRIVED"
        };
        vec![line.to_owned()]
    } else {
        match peer {
            Role::Push | Role::Pub => vec![],
            Role::Stream | Role::Raw => stream_payloads()
                .iter()
                .map(|(name, data)| format!("RECEIVED {name} {} ok", data.len()))
                .collect(),
            _ => payloads()
                .iter()
                .map(|(name, frames)| format!("RECEIVED {name} {} ok", sizes(frames)))
                .collect(),
        }
    };
    lines.push("DONE".to_owned());
    lines
}

/// Waits for the peer and compares what it printed with `expected`.
fn judge(outcome: Result<(), String>, peer: Peer, expected: &[String]) -> Result<(), String> {
    let finished = peer.finish();
    let peer_ok = finished.status.success() && finished.stdout == expected;
    match outcome {
        Ok(()) if peer_ok => Ok(()),
        outcome => {
            let mut reason = outcome.err().unwrap_or_default();
            if !peer_ok {
                let _ = write!(
                    reason,
                    "{}peer ({}) printed {:?}, expected {:?}",
                    if reason.is_empty() { "" } else { "; " },
                    finished.status,
                    finished.stdout,
                    expected
                );
            }
            let stderr = finished.stderr.trim();
            if !stderr.is_empty() {
                let _ = write!(reason, "; peer stderr: {stderr}");
            }
            Err(reason)
        }
    }
}

fn peer_args(
    role: Role,
    mode: &str,
    endpoint: &str,
    refused: bool,
    mech: &[String],
) -> Vec<String> {
    let script = if refused { "refused" } else { "payloads" };
    let mut args: Vec<String> = [role.arg(), mode, endpoint, script]
        .map(str::to_owned)
        .to_vec();
    args.extend_from_slice(mech);
    args
}

fn run_direct(
    cell: &Cell,
    index: usize,
    tools: &Tools,
    rust: Role,
    peer_role: Role,
    rust_binds: bool,
) -> Result<(), String> {
    let ctx = Context::new().map_err(|e| format!("rust: context: {e}"))?;
    let refused = cell.mech.refused();
    let secured = Secured::new(cell, index, !rust.speaks_first(), &ctx, tools)?;
    let socket = rust_socket(&ctx, rust.socket_type())?;
    secured
        .apply(&socket)
        .map_err(|e| format!("rust: set security: {e}"))?;
    if rust == Role::Dealer {
        socket
            .set_routing_id(ROUTING_ID)
            .map_err(|e| format!("rust: routing id: {e}"))?;
    }
    let monitor = if refused {
        Some(
            socket
                .monitor(MonitorEvents::HANDSHAKE_FAILED_AUTH)
                .map_err(|e| format!("rust: monitor: {e}"))?,
        )
    } else {
        None
    };
    let ipc = IpcPath::new(&format!("matrix-{index}"));
    let name = cell.name();
    let mut peer = if rust_binds {
        let endpoint = bind(&socket, cell.transport, &ipc)?;
        let args = peer_args(peer_role, "connect", &endpoint, refused, &secured.peer_args);
        tools.spawn(cell.lang, &name, &args)
    } else {
        let spec = match cell.transport {
            Transport::Tcp => "tcp://127.0.0.1:*".to_owned(),
            Transport::Ipc => ipc.endpoint(),
        };
        let args = peer_args(peer_role, "bind", &spec, refused, &secured.peer_args);
        let mut peer = tools.spawn(cell.lang, &name, &args);
        let endpoint = peer.bound_endpoint();
        socket
            .connect(&endpoint)
            .map_err(|e| format!("rust: connect: {e}"))?;
        peer
    };
    let outcome = match &monitor {
        Some(monitor) => play_refused(rust, &socket, monitor),
        None => play(rust, &socket, &mut peer, secured.user_id.as_deref()),
    };
    judge(outcome, peer, &expected_lines(peer_role, refused))
}

fn run_proxy(
    cell: &Cell,
    index: usize,
    tools: &Tools,
    rust: Role,
    peer_role: Role,
) -> Result<(), String> {
    let ctx = Context::new().map_err(|e| format!("rust: context: {e}"))?;
    let frontend = rust_socket(&ctx, SocketType::XSub)?;
    let backend = rust_socket(&ctx, SocketType::XPub)?;
    let (front_ipc, back_ipc) = (
        IpcPath::new(&format!("matrix-{index}-front")),
        IpcPath::new(&format!("matrix-{index}-back")),
    );
    let front = bind(&frontend, cell.transport, &front_ipc)?;
    let back = bind(&backend, cell.transport, &back_ipc)?;
    let proxy = Proxy::spawn(frontend, backend, None).map_err(|e| format!("rust: proxy: {e}"))?;
    let socket = rust_socket(&ctx, rust.socket_type())?;
    let (ours, theirs) = if rust == Role::Pub {
        (front, back)
    } else {
        (back, front)
    };
    socket
        .connect(&ours)
        .map_err(|e| format!("rust: connect: {e}"))?;
    let args = peer_args(peer_role, "connect", &theirs, false, &["null".to_owned()]);
    let mut peer = tools.spawn(cell.lang, &cell.name(), &args);
    let outcome = play(rust, &socket, &mut peer, None);
    let verdict = judge(outcome, peer, &expected_lines(peer_role, false));
    proxy
        .stop()
        .map_err(|e| format!("rust: stop the proxy: {e}"))?;
    verdict
}

fn run_stream(cell: &Cell, tools: &Tools, rust: Role, peer_role: Role) -> Result<(), String> {
    let name = cell.name();
    if rust == Role::Raw {
        let args = peer_args(
            peer_role,
            "bind",
            "tcp://127.0.0.1:*",
            false,
            &["null".to_owned()],
        );
        let mut peer = tools.spawn(cell.lang, &name, &args);
        let endpoint = peer.bound_endpoint();
        let outcome = raw_client(&endpoint);
        return judge(outcome, peer, &expected_lines(peer_role, false));
    }
    let ctx = Context::new().map_err(|e| format!("rust: context: {e}"))?;
    let socket = rust_socket(&ctx, SocketType::Stream)?;
    let endpoint = socket
        .bind_ephemeral_port("tcp://127.0.0.1")
        .map_err(|e| format!("rust: bind: {e}"))?;
    let args = peer_args(peer_role, "connect", &endpoint, false, &["null".to_owned()]);
    let peer = tools.spawn(cell.lang, &name, &args);
    let outcome = stream_echo(&socket);
    judge(outcome, peer, &expected_lines(peer_role, false))
}

fn run_cell(cell: &Cell, index: usize, tools: &Tools) -> Result<(), String> {
    match cell.shape {
        Shape::Direct {
            rust,
            peer,
            rust_binds,
        } => run_direct(cell, index, tools, rust, peer, rust_binds),
        Shape::Proxy { rust, peer } => run_proxy(cell, index, tools, rust, peer),
        Shape::Stream { rust, peer } => run_stream(cell, tools, rust, peer),
    }
}

/// Runs one cell, turning a panic (a peer helper's timeout, say) into a failure.
fn run_or_skip(cell: &Cell, index: usize, tools: &Tools) -> Outcome {
    if !tools.has(cell.lang) {
        return Outcome::Skipped;
    }
    match panic::catch_unwind(AssertUnwindSafe(|| run_cell(cell, index, tools))) {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(reason)) => Outcome::Failed(reason),
        Err(payload) => Outcome::Failed(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panicked".to_owned()),
        ),
    }
}

enum Outcome {
    Passed,
    Failed(String),
    Skipped,
}

#[test]
fn interop_matrix() {
    let started = Instant::now();
    let filter = std::env::var("ZMQ_INTEROP_CELL").unwrap_or_default();
    let cells: Vec<Cell> = cells()
        .into_iter()
        .filter(|cell| cell.name().contains(&filter))
        .collect();
    assert!(
        !cells.is_empty(),
        "no cell name contains ZMQ_INTEROP_CELL={filter:?}"
    );
    let langs: Vec<Lang> = cells.iter().map(|cell| cell.lang).collect();
    let tools = Tools::find(&langs);
    payloads(); // built once, before the workers start

    let queue = Mutex::new(cells.iter().enumerate().collect::<VecDeque<_>>());
    let results: Vec<Mutex<Option<(Outcome, Duration)>>> =
        cells.iter().map(|_| Mutex::new(None)).collect();
    // The cell each worker is running, for the watchdog to name.
    let running: Vec<Mutex<Option<String>>> = (0..WORKERS).map(|_| Mutex::new(None)).collect();
    let (finished, watch) = mpsc::channel::<()>();
    thread::scope(|scope| {
        let running_cells = &running;
        scope.spawn(move || {
            // Every step of a cell has a timeout; this catches a hang that has none.
            if let Err(RecvTimeoutError::Timeout) = watch.recv_timeout(MATRIX_TIMEOUT) {
                let stuck: Vec<String> = running_cells
                    .iter()
                    .filter_map(|cell| cell.lock().unwrap().clone())
                    .collect();
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "interop matrix: still running after {MATRIX_TIMEOUT:?}: {stuck:?}"
                );
                std::process::exit(1);
            }
        });
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let (queue, results, running, tools) = (&queue, &results, &running, &tools);
                scope.spawn(move || loop {
                    let Some((index, cell)) = queue.lock().unwrap().pop_front() else {
                        return;
                    };
                    *running[worker].lock().unwrap() = Some(cell.name());
                    let cell_started = Instant::now();
                    let outcome = run_or_skip(cell, index, tools);
                    *results[index].lock().unwrap() = Some((outcome, cell_started.elapsed()));
                    *running[worker].lock().unwrap() = None;
                })
            })
            .collect();
        for worker in workers {
            let _ = worker.join();
        }
        drop(finished);
    });

    let mut table = String::from("# Interop matrix\n\n");
    for line in tools.versions() {
        let _ = writeln!(table, "- {line}");
    }
    table.push_str("\n| cell | result | seconds |\n|---|---|---|\n");
    let mut failed = Vec::new();
    let mut passed = 0;
    for (cell, result) in cells.iter().zip(&results) {
        let (outcome, took) = result.lock().unwrap().take().expect("every cell ran");
        let verdict = match outcome {
            Outcome::Passed => {
                passed += 1;
                "ok".to_owned()
            }
            Outcome::Skipped => "SKIPPED (peer missing)".to_owned(),
            Outcome::Failed(reason) => {
                failed.push(format!("{}: {reason}", cell.name()));
                let short: String = reason.chars().take(300).collect();
                format!("FAIL: {}", short.replace('|', "/").replace('\n', " "))
            }
        };
        let _ = writeln!(
            table,
            "| {} | {verdict} | {:.1} |",
            cell.name(),
            took.as_secs_f64()
        );
    }
    let _ = writeln!(
        table,
        "\n{passed} of {} cells passed, {} failed, in {:.0} s.",
        cells.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    println!("\n{table}");
    let report = target_dir().join("interop-matrix.md");
    if let Err(e) = fs::write(&report, &table) {
        println!("cannot write {}: {e}", report.display());
    }
    let _ = fs::remove_dir_all(
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("interop-matrix-{}", std::process::id())),
    );
    assert!(
        failed.is_empty(),
        "{} interop cells failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
