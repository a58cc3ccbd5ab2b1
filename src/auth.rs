//! A ZAP handler (RFC 27, the ZeroMQ Authentication Protocol): the [`Authenticator`] decides
//! which peers a PLAIN, CURVE (or NULL with a ZAP domain) server admits.
//!
//! libzmq does not decide itself who may connect to a server socket: during each handshake
//! it asks the ZAP handler bound at `inproc://zeromq.zap.01` on the socket's context. An
//! [`Authenticator`] is that handler, running on its own thread, with one [`Policy`] per ZAP
//! domain (a server socket's domain is set with [`Socket::set_security`] and
//! [`Security::with_domain`]; the default domain is `""`).
//!
//! A policy checks, in this order:
//!
//! 1. the peer's IP address: with an allow list ([`Policy::allow_addresses`]), only those
//!    addresses pass; otherwise the addresses of the deny list
//!    ([`Policy::deny_addresses`]) are refused. A refusal here is final.
//! 2. the mechanism's built-in rules: NULL clients pass with [`Policy::allow_null`]; PLAIN
//!    clients whose user name and password are in the table ([`Policy::plain_users`]);
//!    CURVE clients whose public key is allowed ([`Policy::allow_curve_keys`],
//!    [`Policy::allow_curve_certificates`]) or any key ([`Policy::allow_any_curve_key`]).
//! 3. when the built-in rules do not admit the client, the [`Policy::callback`], if any,
//!    decides; without one the client is refused.
//!
//! A refused client gets status 400 and the server's monitor reports
//! [`MonitorEvent::HandshakeFailedAuth`](crate::MonitorEvent::HandshakeFailedAuth); nothing
//! it sends is delivered. An admitted client's messages carry a `User-Id`
//! ([`Message::user_id`](crate::Message::user_id)): the user name for PLAIN, the client's
//! public key in Z85 for CURVE, `""` for NULL (or whatever a callback chose).
//!
//! ```
//! use std::time::Duration;
//! use zmq::{Authenticator, Policy, RecvFlags, Security, SendFlags, SocketType};
//!
//! let ctx = zmq::Context::new()?;
//! let auth = Authenticator::start(&ctx)?;
//! auth.set_policy("", Policy::new().plain_users([("admin", "secret")]))?;
//!
//! let server = ctx.socket(SocketType::Rep)?;
//! server.set_security(&Security::plain_server(&auth))?;
//! server.bind("tcp://127.0.0.1:*")?;
//!
//! let client = ctx.socket(SocketType::Req)?;
//! client.set_security(&Security::plain_client("admin", "secret"))?;
//! client.connect(&server.last_endpoint()?)?;
//! client.send("hello", SendFlags::empty())?;
//!
//! server.set_rcvtimeo(Some(Duration::from_secs(5)))?;
//! let request = server.recv_msg(RecvFlags::empty())?;
//! assert_eq!(request.user_id(), Some("admin"));
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! [`Socket::set_security`]: crate::Socket::set_security
//! [`Security::with_domain`]: crate::Security::with_domain

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::context::Context;
use crate::curve::CurveKey;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::options::Mechanism;
use crate::poll::poll;
use crate::poll_events::PollEvents;
use crate::socket::{RecvFlags, SendFlags, Socket, SocketType};

/// Where libzmq looks for the ZAP handler of a context (RFC 27).
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The ZAP version this handler speaks.
const ZAP_VERSION: &[u8] = b"1.0";

/// A custom decision, shared by the clones of a policy.
type Callback = Arc<dyn Fn(&ZapRequest<'_>) -> ZapDecision + Send + Sync>;

/// The rules for one ZAP domain: which addresses, mechanisms and credentials an
/// [`Authenticator`] admits. A builder: start from [`Policy::new`], which admits nobody.
///
/// The order of the checks is in the [module documentation](crate::auth). `Debug` shows the
/// rules but never a password.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// let policy = zmq::Policy::new()
///     .allow_addresses([IpAddr::V4(Ipv4Addr::LOCALHOST)])
///     .plain_users([("admin", "secret")]);
/// assert!(!format!("{policy:?}").contains("secret"));
/// ```
#[derive(Clone, Default)]
pub struct Policy {
    allow: HashSet<IpAddr>,
    deny: HashSet<IpAddr>,
    null: bool,
    plain: HashMap<String, String>,
    any_curve_key: bool,
    curve_keys: HashSet<CurveKey>,
    curve_dirs: Vec<PathBuf>,
    callback: Option<Callback>,
}

impl Policy {
    /// A policy that admits nobody yet: every request is refused with status 400.
    pub fn new() -> Policy {
        Policy::default()
    }

    /// Admits only peers with these IP addresses (an allow list; calls add up). When an
    /// allow list is set, the deny list is not consulted, as in czmq's `zauth`. Peers without
    /// an IP address (`ipc://`, `inproc://`) never match an allow list, so they are refused.
    pub fn allow_addresses(mut self, ips: impl IntoIterator<Item = IpAddr>) -> Policy {
        self.allow.extend(ips);
        self
    }

    /// Refuses peers with these IP addresses (a deny list; calls add up). Ignored when an
    /// allow list is set ([`Policy::allow_addresses`]).
    pub fn deny_addresses(mut self, ips: impl IntoIterator<Item = IpAddr>) -> Policy {
        self.deny.extend(ips);
        self
    }

    /// Admits PLAIN clients with one of these user names and its password (calls add up; a
    /// user name given again takes the later password). The `User-Id` is the user name.
    pub fn plain_users<U, P>(mut self, users: impl IntoIterator<Item = (U, P)>) -> Policy
    where
        U: Into<String>,
        P: Into<String>,
    {
        self.plain
            .extend(users.into_iter().map(|(u, p)| (u.into(), p.into())));
        self
    }

    /// Admits every CURVE client, whatever its public key (the connection is still
    /// encrypted). The `User-Id` is the client's public key in Z85.
    pub fn allow_any_curve_key(mut self) -> Policy {
        self.any_curve_key = true;
        self
    }

    /// Admits CURVE clients with these public keys (calls add up). The `User-Id` is the
    /// client's public key in Z85.
    pub fn allow_curve_keys(mut self, keys: impl IntoIterator<Item = CurveKey>) -> Policy {
        self.curve_keys.extend(keys);
        self
    }

    /// Admits CURVE clients whose public key is in one of the certificates in `dir` (czmq's
    /// certificate files, as pyzmq's `zmq.auth.create_certificates` writes them; `_secret`
    /// files are not read).
    ///
    /// The directory is read when the policy is installed with
    /// [`Authenticator::set_policy`] (which fails if it cannot be read), not at each
    /// handshake: after changing the files, call `set_policy` again.
    pub fn allow_curve_certificates(mut self, dir: impl Into<PathBuf>) -> Policy {
        self.curve_dirs.push(dir.into());
        self
    }

    /// Admits NULL clients (servers with no security and a ZAP domain) that passed the
    /// address check. The `User-Id` is empty.
    pub fn allow_null(mut self) -> Policy {
        self.null = true;
        self
    }

    /// Decides about the clients the built-in rules did not admit (after the address check,
    /// which is final): return [`ZapDecision::Allow`] with the `User-Id` to give the client,
    /// or [`ZapDecision::Deny`]. It runs on the authenticator's thread, one request at a
    /// time, so it should be quick. A panic in it refuses the client with status 500; the
    /// authenticator keeps serving. A later call replaces an earlier callback.
    ///
    /// ```
    /// use zmq::{Credentials, Policy, ZapDecision};
    /// let policy = Policy::new().callback(|request| match request.credentials {
    ///     Credentials::Plain { username, password } if password == username.to_uppercase() => {
    ///         ZapDecision::allow(username)
    ///     }
    ///     _ => ZapDecision::deny("no"),
    /// });
    /// ```
    pub fn callback(
        mut self,
        f: impl Fn(&ZapRequest<'_>) -> ZapDecision + Send + Sync + 'static,
    ) -> Policy {
        self.callback = Some(Arc::new(f));
        self
    }

    /// The address check: `Some(reason)` when the address is refused.
    fn refuses_address(&self, address: Option<IpAddr>) -> Option<&'static str> {
        if !self.allow.is_empty() {
            match address {
                Some(ip) if self.allow.contains(&ip) => None,
                _ => Some("Address not in the allow list"),
            }
        } else {
            match address {
                Some(ip) if self.deny.contains(&ip) => Some("Address denied"),
                _ => None,
            }
        }
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut users: Vec<&String> = self.plain.keys().collect();
        users.sort();
        f.debug_struct("Policy")
            .field("allow_addresses", &self.allow)
            .field("deny_addresses", &self.deny)
            .field("allow_null", &self.null)
            .field("plain_users", &users)
            .field("allow_any_curve_key", &self.any_curve_key)
            .field("curve_keys", &self.curve_keys.len())
            .field("curve_certificates", &self.curve_dirs)
            .field("callback", &self.callback.is_some())
            .finish()
    }
}

/// A policy with its certificate directories read.
struct Installed {
    policy: Policy,
    certificate_keys: HashSet<CurveKey>,
}

/// What the client presented, by mechanism. `Debug` never shows a PLAIN password.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials<'a> {
    /// NULL: nothing.
    Null,
    /// PLAIN: a user name and a password (requests whose credentials are not UTF-8 are
    /// refused before any policy sees them).
    Plain {
        /// The user name.
        username: &'a str,
        /// The password.
        password: &'a str,
    },
    /// CURVE: the client's long-term public key.
    Curve {
        /// The public key.
        public_key: CurveKey,
    },
    /// GSSAPI: the client's principal, as libzmq sent it.
    Gssapi {
        /// The principal.
        principal: &'a [u8],
    },
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Null => f.write_str("Null"),
            Credentials::Plain { username, .. } => f
                .debug_struct("Plain")
                .field("username", username)
                .field("password", &"..")
                .finish(),
            Credentials::Curve { public_key } => f
                .debug_struct("Curve")
                .field("public_key", &public_key.to_z85())
                .finish(),
            Credentials::Gssapi { principal } => f
                .debug_struct("Gssapi")
                .field("principal", &String::from_utf8_lossy(principal))
                .finish(),
        }
    }
}

/// One ZAP request, as a [`Policy::callback`] sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ZapRequest<'a> {
    /// The server socket's ZAP domain.
    pub domain: &'a str,
    /// The peer's address as libzmq reports it: an IP address for TCP (`127.0.0.1`, `::1`),
    /// empty or a path for other transports. [`ZapRequest::ip`] parses it.
    pub address: &'a str,
    /// The server socket's routing id (`ZMQ_ROUTING_ID`), usually empty.
    pub routing_id: &'a [u8],
    /// The security mechanism.
    pub mechanism: Mechanism,
    /// What the client presented.
    pub credentials: Credentials<'a>,
}

impl ZapRequest<'_> {
    /// The peer's IP address, `None` when the address is not one (ipc, inproc).
    pub fn ip(&self) -> Option<IpAddr> {
        self.address.parse().ok()
    }
}

/// A [`Policy::callback`]'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZapDecision {
    /// Admit the client (status 200), whose messages then carry this `User-Id`.
    Allow {
        /// The `User-Id` (at most 255 bytes; a longer one is refused with status 500).
        user_id: String,
    },
    /// Refuse the client.
    Deny {
        /// The status: 400 (refused), 300 (temporary failure) or 500 (internal error). Any
        /// other value is sent as 500.
        status: u16,
        /// Why, for the logs (RFC 27's status text; at most 255 bytes, longer is cut).
        reason: String,
    },
}

impl ZapDecision {
    /// Admit with this `User-Id`.
    pub fn allow(user_id: impl Into<String>) -> ZapDecision {
        ZapDecision::Allow {
            user_id: user_id.into(),
        }
    }

    /// Refuse with status 400.
    pub fn deny(reason: impl Into<String>) -> ZapDecision {
        ZapDecision::Deny {
            status: 400,
            reason: reason.into(),
        }
    }
}

/// The state the handler thread and the handle share.
#[derive(Default)]
struct Shared {
    policies: Mutex<HashMap<String, Arc<Installed>>>,
    running: AtomicBool,
}

impl Shared {
    fn policies(&self) -> MutexGuard<'_, HashMap<String, Arc<Installed>>> {
        // A panic while holding the lock cannot leave the map half-changed (each change is
        // one insert or remove), so a poisoned lock is still good.
        self.policies.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A ZAP handler for one [`Context`], on its own thread: it admits or refuses the clients of
/// the context's PLAIN, CURVE (and NULL with a ZAP domain) servers by the [`Policy`] of each
/// server's ZAP domain. A domain with no policy refuses everyone (status 400).
///
/// `Send + Sync`: share it by reference (or in an `Arc`) with the threads that change
/// policies. Dropping it stops the thread and waits for it (no longer than the request being
/// answered), which unbinds `inproc://zeromq.zap.01`; [`Authenticator::stop`] does the same
/// and reports errors. After [`Context::shutdown`] the thread ends by itself.
///
/// Stopping it does not make the servers it served refuse everyone: libzmq's CURVE server
/// with no ZAP handler admits every client (and a NULL server with a domain does too), a
/// PLAIN server refuses everyone. Keep it running as long as its servers.
///
/// See the [module documentation](crate::auth) for the order of the checks and an example.
pub struct Authenticator {
    ctx: Context,
    shared: Arc<Shared>,
    /// Our end of the stop pipe; a mutex makes the handle `Sync`.
    control: Mutex<Socket>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut domains: Vec<String> = self.shared.policies().keys().cloned().collect();
        domains.sort();
        f.debug_struct("Authenticator")
            .field("domains", &domains)
            .field("running", &self.is_running())
            .finish()
    }
}

impl Authenticator {
    /// Starts the handler for `ctx`: binds `inproc://zeromq.zap.01` (before returning, so no
    /// handshake can miss it) and serves requests on a new thread. No domain has a policy
    /// yet: add them with [`Authenticator::set_policy`].
    ///
    /// A context has one ZAP handler: a second one fails with [`Error::AddrInUse`]. A
    /// context that was shut down fails with [`Error::ContextTerminated`].
    pub fn start(ctx: &Context) -> Result<Authenticator> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let zap = ctx.socket(SocketType::Router)?;
        zap.set_linger(Some(Duration::ZERO))?;
        zap.bind(ZAP_ENDPOINT)?;

        let pipe = format!(
            "inproc://zmq-authenticator-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let control = ctx.socket(SocketType::Pair)?;
        control.set_linger(Some(Duration::ZERO))?;
        control.bind(&pipe)?;
        let stop = ctx.socket(SocketType::Pair)?;
        stop.set_linger(Some(Duration::ZERO))?;
        stop.connect(&pipe)?;

        let shared = Arc::new(Shared::default());
        shared.running.store(true, Ordering::SeqCst);
        let thread_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("zmq-authenticator".to_owned())
            .spawn(move || {
                let result = serve(&zap, &stop, &thread_shared);
                // Closing a socket releases its inproc endpoint only later, on libzmq's
                // reaper thread: unbind now, so that a new authenticator can bind as soon as
                // this one is joined. (After a context shutdown this fails, harmlessly.)
                let _ = zap.unbind(ZAP_ENDPOINT);
                thread_shared.running.store(false, Ordering::SeqCst);
                result
            })
            .map_err(|e| Error::from_errno(e.raw_os_error().unwrap_or(libc::EAGAIN)))?;
        Ok(Authenticator {
            ctx: ctx.clone(),
            shared,
            control: Mutex::new(control),
            thread: Some(thread),
        })
    }

    /// Installs `policy` for the ZAP domain `domain` (`""` is the default domain of every
    /// server that sets none), replacing the one it had. It applies to handshakes that start
    /// afterwards; connections already admitted stay.
    ///
    /// The certificate directories of [`Policy::allow_curve_certificates`] are read now: one
    /// that cannot be read is an error (the errno of the failed read), and the old policy
    /// stays. A stopped authenticator ([`Authenticator::is_running`] is `false`) refuses
    /// with [`Error::InvalidState`].
    pub fn set_policy(&self, domain: &str, policy: Policy) -> Result<()> {
        self.check_running()?;
        let mut certificate_keys = HashSet::new();
        for dir in &policy.curve_dirs {
            certificate_keys.extend(crate::cert::public_keys_in_dir(dir)?);
        }
        self.shared.policies().insert(
            domain.to_owned(),
            Arc::new(Installed {
                policy,
                certificate_keys,
            }),
        );
        Ok(())
    }

    /// Removes the policy of `domain`, whose clients are then refused (status 400). Removing
    /// a domain without a policy does nothing. A stopped authenticator refuses with
    /// [`Error::InvalidState`].
    pub fn remove_policy(&self, domain: &str) -> Result<()> {
        self.check_running()?;
        self.shared.policies().remove(domain);
        Ok(())
    }

    /// The context this authenticator serves.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Whether the handler thread is still serving. It stops after [`Context::shutdown`]
    /// (and on an unexpected libzmq error).
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::SeqCst)
    }

    pub(crate) fn check_running(&self) -> Result<()> {
        if self.is_running() {
            Ok(())
        } else {
            Err(Error::InvalidState)
        }
    }

    /// Stops the handler thread and waits for it, which unbinds `inproc://zeromq.zap.01`
    /// (so another authenticator can start on the context).
    ///
    /// Returns the error that ended the thread before it was asked to stop, if any (a
    /// [`Context::shutdown`] is not one: the thread then ends normally).
    pub fn stop(mut self) -> Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        {
            let control = self.control.lock().unwrap_or_else(|e| e.into_inner());
            // A context that was shut down refuses the send; the thread then ends by itself.
            let _ = control.send("STOP", SendFlags::DONTWAIT);
        }
        match thread.join() {
            Ok(result) => result,
            // The thread catches the callbacks' panics; anything else is a bug, reported as
            // a state error rather than a panic in the caller.
            Err(_) => Err(Error::InvalidState),
        }
    }
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// The handler loop: answers requests until the stop pipe speaks or the context ends.
fn serve(zap: &Socket, stop: &Socket, shared: &Shared) -> Result<()> {
    loop {
        let (zap_ready, stop_ready) = {
            let mut items = [
                zap.as_poll_item(PollEvents::POLLIN),
                stop.as_poll_item(PollEvents::POLLIN),
            ];
            match poll(&mut items, None) {
                Ok(_) => {}
                Err(Error::Interrupted) => continue,
                Err(Error::ContextTerminated) => return Ok(()),
                Err(e) => return Err(e),
            }
            (items[0].is_readable(), items[1].is_readable())
        };
        if stop_ready {
            return Ok(());
        }
        if zap_ready {
            match answer_one(zap, shared) {
                Ok(()) | Err(Error::WouldBlock) | Err(Error::Interrupted) => {}
                // The requester went away before its answer: nothing to do.
                Err(Error::HostUnreachable) => {}
                Err(Error::ContextTerminated) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }
}

/// Receives one request and sends its answer (or drops it if it has no envelope to answer).
fn answer_one(zap: &Socket, shared: &Shared) -> Result<()> {
    let frames = zap.recv_multipart(RecvFlags::DONTWAIT)?.into_vec();
    // A ROUTER puts the requester's routing id first; a REQ-style requester (libzmq's own
    // sessions) adds an empty delimiter after it, which the reply must carry back.
    let envelope_len = match frames.iter().skip(1).position(|f| f.is_empty()) {
        Some(delimiter) => delimiter + 2,
        None => 1,
    };
    if frames.len() < envelope_len {
        return Ok(());
    }
    let (envelope, body) = frames.split_at(envelope_len);
    let reply = reply_to(body, shared);
    let mut out: Vec<Message> = envelope.to_vec();
    out.push(Message::from(ZAP_VERSION));
    out.push(Message::from(reply.request_id));
    out.push(Message::from(reply.status.as_bytes()));
    out.push(Message::from(truncated(&reply.text)));
    out.push(Message::from(truncated(&reply.user_id)));
    // Metadata: none (the ZMTP property encoding of nothing is empty).
    out.push(Message::new());
    zap.send_multipart(out, SendFlags::DONTWAIT)
        .map_err(|e| e.error().clone())
}

fn truncated(text: &str) -> &[u8] {
    &text.as_bytes()[..text.len().min(255)]
}

/// A reply before framing.
struct Reply<'a> {
    request_id: &'a [u8],
    status: &'static str,
    text: String,
    user_id: String,
}

impl<'a> Reply<'a> {
    fn error(request_id: &'a [u8], text: &str) -> Reply<'a> {
        Reply {
            request_id,
            status: "500",
            text: text.to_owned(),
            user_id: String::new(),
        }
    }
}

/// Validates the request body (RFC 27: version, request id, domain, address, identity,
/// mechanism, credentials...) and decides.
fn reply_to<'a>(body: &'a [Message], shared: &Shared) -> Reply<'a> {
    let request_id: &[u8] = body.get(1).map_or(&[], |m| &m[..]);
    if body.len() < 6 {
        return Reply::error(request_id, "Malformed request: too few frames");
    }
    if &body[0][..] != ZAP_VERSION {
        return Reply::error(request_id, "Unsupported ZAP version");
    }
    let credentials = &body[6..];
    let (mechanism, credentials) = match (&body[5][..], credentials) {
        (b"NULL", []) => (Mechanism::Null, Credentials::Null),
        (b"PLAIN", [username, password]) => {
            match (std::str::from_utf8(username), std::str::from_utf8(password)) {
                (Ok(username), Ok(password)) => {
                    (Mechanism::Plain, Credentials::Plain { username, password })
                }
                _ => {
                    return deny(request_id, "Credentials are not UTF-8");
                }
            }
        }
        (b"CURVE", [key]) => match CurveKey::try_from(&key[..]) {
            Ok(public_key) => (Mechanism::Curve, Credentials::Curve { public_key }),
            Err(_) => return Reply::error(request_id, "Malformed CURVE key"),
        },
        (b"GSSAPI", [principal]) => (
            Mechanism::Gssapi,
            Credentials::Gssapi {
                principal: &principal[..],
            },
        ),
        (b"NULL" | b"PLAIN" | b"CURVE" | b"GSSAPI", _) => {
            return Reply::error(request_id, "Malformed credentials");
        }
        _ => return Reply::error(request_id, "Unknown mechanism"),
    };
    let (Ok(domain), Ok(address)) = (std::str::from_utf8(&body[2]), std::str::from_utf8(&body[3]))
    else {
        return deny(request_id, "Domain or address is not UTF-8");
    };
    let request = ZapRequest {
        domain,
        address,
        routing_id: &body[4],
        mechanism,
        credentials,
    };
    // Not under the lock: a callback may change policies.
    let installed = shared.policies().get(domain).cloned();
    let decision = match installed {
        None => ZapDecision::deny("No policy for this domain"),
        Some(installed) => decide(&installed, &request),
    };
    match decision {
        ZapDecision::Allow { user_id } if user_id.len() <= 255 => Reply {
            request_id,
            status: "200",
            text: "OK".to_owned(),
            user_id,
        },
        ZapDecision::Allow { .. } => Reply::error(request_id, "User-Id longer than 255 bytes"),
        ZapDecision::Deny { status, reason } => {
            let status = match status {
                300 => "300",
                400 => "400",
                _ => "500",
            };
            Reply {
                request_id,
                status,
                text: reason,
                user_id: String::new(),
            }
        }
    }
}

fn deny<'a>(request_id: &'a [u8], text: &str) -> Reply<'a> {
    Reply {
        request_id,
        status: "400",
        text: text.to_owned(),
        user_id: String::new(),
    }
}

/// Applies one domain's policy.
fn decide(installed: &Installed, request: &ZapRequest<'_>) -> ZapDecision {
    let policy = &installed.policy;
    if let Some(reason) = policy.refuses_address(request.ip()) {
        return ZapDecision::deny(reason);
    }
    let built_in = match request.credentials {
        Credentials::Null => policy.null.then(String::new),
        Credentials::Plain { username, password } => policy
            .plain
            .get(username)
            .filter(|expected| same_bytes(expected.as_bytes(), password.as_bytes()))
            .map(|_| username.to_owned()),
        Credentials::Curve { public_key } => (policy.any_curve_key
            || policy.curve_keys.contains(&public_key)
            || installed.certificate_keys.contains(&public_key))
        .then(|| public_key.to_z85()),
        Credentials::Gssapi { .. } => None,
    };
    if let Some(user_id) = built_in {
        return ZapDecision::Allow { user_id };
    }
    match &policy.callback {
        None => ZapDecision::deny("Not allowed by the policy"),
        Some(callback) => panic::catch_unwind(AssertUnwindSafe(|| callback(request)))
            .unwrap_or_else(|_| ZapDecision::Deny {
                status: 500,
                reason: "The policy's callback panicked".to_owned(),
            }),
    }
}

/// Compares two byte strings in time that depends only on their lengths.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(parts: &[&[u8]]) -> Vec<Message> {
        parts.iter().map(|p| Message::from(*p)).collect()
    }

    fn shared_with(domain: &str, policy: Policy) -> Shared {
        let shared = Shared::default();
        shared.policies().insert(
            domain.to_owned(),
            Arc::new(Installed {
                policy,
                certificate_keys: HashSet::new(),
            }),
        );
        shared
    }

    #[test]
    fn malformed_requests_get_500_with_their_request_id() {
        let shared = shared_with("", Policy::new().allow_null());
        let key = [7u8; 31];
        for body in [
            frames(&[b"1.0", b"id"]),
            frames(&[b"2.0", b"id", b"", b"127.0.0.1", b"", b"NULL"]),
            frames(&[b"1.0", b"id", b"", b"127.0.0.1", b"", b"BOGUS"]),
            frames(&[b"1.0", b"id", b"", b"127.0.0.1", b"", b"PLAIN", b"user"]),
            frames(&[b"1.0", b"id", b"", b"127.0.0.1", b"", b"CURVE", &key]),
            frames(&[b"1.0", b"id", b"", b"127.0.0.1", b"", b"NULL", b"extra"]),
        ] {
            let reply = reply_to(&body, &shared);
            assert_eq!(reply.status, "500", "{body:?}");
            assert_eq!(reply.request_id, b"id");
        }
    }

    #[test]
    fn an_unknown_domain_is_refused_and_a_known_one_decides() {
        let shared = shared_with("", Policy::new().allow_null());
        let ok = frames(&[b"1.0", b"1", b"", b"127.0.0.1", b"", b"NULL"]);
        assert_eq!(reply_to(&ok, &shared).status, "200");
        let other = frames(&[b"1.0", b"1", b"other", b"127.0.0.1", b"", b"NULL"]);
        assert_eq!(reply_to(&other, &shared).status, "400");
    }

    #[test]
    fn the_allow_list_wins_over_the_deny_list() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let policy = Policy::new()
            .allow_addresses([local])
            .deny_addresses([local]);
        assert_eq!(policy.refuses_address(Some(local)), None);
        assert!(policy
            .refuses_address(Some("127.0.0.2".parse().unwrap()))
            .is_some());
        assert!(policy.refuses_address(None).is_some());
        let deny_only = Policy::new().deny_addresses([local]);
        assert!(deny_only.refuses_address(Some(local)).is_some());
        assert_eq!(deny_only.refuses_address(None), None);
    }

    #[test]
    fn a_panicking_callback_refuses_with_500() {
        let shared = shared_with("", Policy::new().callback(|_| panic!("boom")));
        let body = frames(&[b"1.0", b"1", b"", b"127.0.0.1", b"", b"NULL"]);
        let reply = reply_to(&body, &shared);
        assert_eq!(reply.status, "500");
    }

    #[test]
    fn plain_passwords_compare_exactly() {
        assert!(same_bytes(b"secret", b"secret"));
        assert!(!same_bytes(b"secret", b"secreT"));
        assert!(!same_bytes(b"secret", b"secrets"));
    }
}
