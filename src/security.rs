//! One-call security setup: [`Security`] names a mechanism with everything it needs, and
//! [`Socket::set_security`] sets every option for it, in the right order, refusing mistakes
//! before libzmq sees them.
//!
//! A PLAIN or CURVE server must say how its clients are admitted ([`ClientAuth`]): libzmq's
//! CURVE server with no ZAP handler admits every key pair, which is easy to get by accident;
//! here that is a named choice, [`ClientAuth::AnyClientKey`].
//!
//! A CURVE server that admits only known clients (the guide's "Ironhouse" pattern):
//!
//! ```
//! use std::time::Duration;
//! use zmq::{Authenticator, CurveKeyPair, Policy, RecvFlags, Security, SendFlags, SocketType};
//!
//! let ctx = zmq::Context::new()?;
//! let (server_keys, client_keys) = (CurveKeyPair::generate()?, CurveKeyPair::generate()?);
//!
//! let auth = Authenticator::start(&ctx)?;
//! auth.set_policy("", Policy::new().allow_curve_keys([*client_keys.public()]))?;
//! let server = ctx.socket(SocketType::Rep)?;
//! server.set_security(&Security::curve_server(&server_keys, &auth))?;
//! server.bind("tcp://127.0.0.1:*")?;
//!
//! let client = ctx.socket(SocketType::Req)?;
//! client.set_security(&Security::curve_client(&client_keys, server_keys.public()))?;
//! client.connect(&server.last_endpoint()?)?;
//! client.send("hello", SendFlags::empty())?;
//!
//! server.set_rcvtimeo(Some(Duration::from_secs(5)))?;
//! let request = server.recv_msg(RecvFlags::empty())?;
//! assert_eq!(request.user_id(), Some(client_keys.public().to_z85().as_str()));
//! # Ok::<(), zmq::Error>(())
//! ```

use std::fmt;

use crate::auth::Authenticator;
use crate::context::Context;
use crate::curve::{CurveKey, CurveKeyPair};
use crate::error::{Error, Result};
use crate::options::{Bool, Get, RawSocket, Set, Text};
use crate::socket::Socket;
use crate::sys;

/// A security mechanism with what it needs, applied by [`Socket::set_security`] in one call.
///
/// Build one with the constructors ([`Security::plain_client`], [`Security::curve_server`],
/// ...) and [`Security::with_domain`]. The ZAP domain of a server (default `""`) chooses the
/// [`Policy`](crate::Policy) its [`Authenticator`] applies.
///
/// `Debug` never shows a PLAIN password (nor a secret key).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Security<'a> {
    /// No security (ZMTP's NULL mechanism), libzmq's default. libzmq consults no ZAP handler.
    Null,
    /// NULL with a ZAP domain: libzmq asks the context's ZAP handler about every peer (only
    /// when a domain is set), so an [`Authenticator`] can admit or refuse by address
    /// ([`Policy::allow_null`](crate::Policy::allow_null), address lists). With no handler
    /// running, every peer is admitted.
    NullWithDomain {
        /// The ZAP domain (not empty).
        domain: &'a str,
    },
    /// A PLAIN client: a clear-text user name and password (no encryption).
    PlainClient {
        /// The user name (1 to 255 bytes, no NUL).
        username: &'a str,
        /// The password (1 to 255 bytes, no NUL).
        password: &'a str,
    },
    /// A PLAIN server, whose clients the authenticator checks.
    PlainServer {
        /// The ZAP handler that checks user names and passwords.
        authenticator: &'a Authenticator,
        /// The ZAP domain.
        domain: &'a str,
    },
    /// A CURVE client: its own key pair and the server's public key.
    CurveClient {
        /// The client's long-term key pair.
        keys: &'a CurveKeyPair,
        /// The server's public key.
        server: &'a CurveKey,
    },
    /// A CURVE server: its own key pair and how clients are admitted.
    CurveServer {
        /// The server's long-term key pair.
        keys: &'a CurveKeyPair,
        /// How clients are admitted.
        clients: ClientAuth<'a>,
        /// The ZAP domain.
        domain: &'a str,
    },
}

/// How a PLAIN or CURVE server decides which clients to admit. There is no default.
#[derive(Debug, Clone, Copy)]
pub enum ClientAuth<'a> {
    /// The authenticator's policy for the server's ZAP domain decides.
    Authenticator(&'a Authenticator),
    /// CURVE only: every client key pair is admitted; the connection is encrypted but the
    /// client is not authenticated (the guide's "Stonehouse" without a handler).
    ///
    /// libzmq still asks a ZAP handler if one runs on the socket's context: with an
    /// [`Authenticator`] on the same context, give the server's domain a policy with
    /// [`Policy::allow_any_curve_key`](crate::Policy::allow_any_curve_key) (or use
    /// `ClientAuth::Authenticator` with that policy).
    AnyClientKey,
}

impl fmt::Debug for Security<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Security::Null => f.write_str("Null"),
            Security::NullWithDomain { domain } => f
                .debug_struct("NullWithDomain")
                .field("domain", domain)
                .finish(),
            Security::PlainClient { username, .. } => f
                .debug_struct("PlainClient")
                .field("username", username)
                .field("password", &"..")
                .finish(),
            Security::PlainServer {
                authenticator,
                domain,
            } => f
                .debug_struct("PlainServer")
                .field("authenticator", authenticator)
                .field("domain", domain)
                .finish(),
            Security::CurveClient { keys, server } => f
                .debug_struct("CurveClient")
                .field("keys", keys)
                .field("server", &server.to_z85())
                .finish(),
            Security::CurveServer {
                keys,
                clients,
                domain,
            } => f
                .debug_struct("CurveServer")
                .field("keys", keys)
                .field("clients", clients)
                .field("domain", domain)
                .finish(),
        }
    }
}

impl<'a> From<&'a Authenticator> for ClientAuth<'a> {
    fn from(authenticator: &'a Authenticator) -> ClientAuth<'a> {
        ClientAuth::Authenticator(authenticator)
    }
}

impl<'a> Security<'a> {
    /// A PLAIN client sending `username` and `password`.
    pub fn plain_client(username: &'a str, password: &'a str) -> Security<'a> {
        Security::PlainClient { username, password }
    }

    /// A PLAIN server whose clients `authenticator` checks ([`Policy::plain_users`]). PLAIN
    /// always needs one: libzmq refuses every PLAIN client when no ZAP handler runs.
    ///
    /// [`Policy::plain_users`]: crate::Policy::plain_users
    pub fn plain_server(authenticator: &'a Authenticator) -> Security<'a> {
        Security::PlainServer {
            authenticator,
            domain: "",
        }
    }

    /// A CURVE client with its key pair `keys`, talking to the server whose public key is
    /// `server`.
    pub fn curve_client(keys: &'a CurveKeyPair, server: &'a CurveKey) -> Security<'a> {
        Security::CurveClient { keys, server }
    }

    /// A CURVE server with its key pair `keys`, admitting clients as `clients` says: an
    /// `&Authenticator`, or [`ClientAuth::AnyClientKey`].
    pub fn curve_server(
        keys: &'a CurveKeyPair,
        clients: impl Into<ClientAuth<'a>>,
    ) -> Security<'a> {
        Security::CurveServer {
            keys,
            clients: clients.into(),
            domain: "",
        }
    }

    /// Sets the ZAP domain (default `""`), which picks the authenticator's policy for a
    /// server. For [`Security::Null`] a non-empty domain turns on ZAP for NULL connections
    /// ([`Security::NullWithDomain`]). A client never consults ZAP, so its domain is not
    /// used.
    pub fn with_domain(self, domain: &'a str) -> Security<'a> {
        match self {
            Security::Null | Security::NullWithDomain { .. } if domain.is_empty() => Security::Null,
            Security::Null | Security::NullWithDomain { .. } => Security::NullWithDomain { domain },
            Security::PlainServer { authenticator, .. } => Security::PlainServer {
                authenticator,
                domain,
            },
            Security::CurveServer { keys, clients, .. } => Security::CurveServer {
                keys,
                clients,
                domain,
            },
            client @ (Security::PlainClient { .. } | Security::CurveClient { .. }) => client,
        }
    }

    /// The ZAP domain: `""` when none is set (and for clients).
    pub fn domain(&self) -> &'a str {
        match *self {
            Security::NullWithDomain { domain }
            | Security::PlainServer { domain, .. }
            | Security::CurveServer { domain, .. } => domain,
            _ => "",
        }
    }
}

/// Checks a PLAIN user name or password as libzmq will take it.
fn plain_field(value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 255 {
        return Err(Error::InvalidArgument);
    }
    if let Some(position) = value.bytes().position(|b| b == 0) {
        return Err(Error::InteriorNul { position });
    }
    Ok(())
}

fn check_authenticator(authenticator: &Authenticator, ctx: &Context) -> Result<()> {
    if authenticator.context().as_ptr() != ctx.as_ptr() {
        return Err(Error::InvalidArgument);
    }
    authenticator.check_running()
}

fn require_curve() -> Result<()> {
    if crate::has("curve") {
        Ok(())
    } else {
        Err(Error::NotSupported)
    }
}

fn domain_field(domain: &str) -> Result<()> {
    if domain.len() > 255 {
        return Err(Error::InvalidArgument);
    }
    if let Some(position) = domain.bytes().position(|b| b == 0) {
        return Err(Error::InteriorNul { position });
    }
    Ok(())
}

/// The one implementation behind `set_security` on every socket handle: checks everything
/// first, then sets the options.
pub(crate) fn apply(socket: &dyn RawSocket, ctx: &Context, security: &Security<'_>) -> Result<()> {
    // Refuse mistakes before changing anything.
    domain_field(security.domain())?;
    let is_client = matches!(
        security,
        Security::PlainClient { .. } | Security::CurveClient { .. }
    );
    // libzmq 4.3 cannot clear a ZAP domain once set (an empty value is refused).
    if !is_client
        && security.domain().is_empty()
        && !Text::get(socket, sys::ZMQ_ZAP_DOMAIN)?.is_empty()
    {
        return Err(Error::InvalidArgument);
    }
    match *security {
        Security::Null | Security::NullWithDomain { .. } => {}
        Security::PlainClient { username, password } => {
            plain_field(username)?;
            plain_field(password)?;
        }
        Security::PlainServer { authenticator, .. } => check_authenticator(authenticator, ctx)?,
        Security::CurveClient { .. } => require_curve()?,
        Security::CurveServer { clients, .. } => {
            require_curve()?;
            if let ClientAuth::Authenticator(authenticator) = clients {
                check_authenticator(authenticator, ctx)?;
            }
        }
    }

    // An empty domain is libzmq's default, which the check above found in place.
    let set_domain = |domain: &str| {
        if domain.is_empty() {
            Ok(())
        } else {
            Text::set(socket, sys::ZMQ_ZAP_DOMAIN, domain)
        }
    };
    match *security {
        Security::Null | Security::NullWithDomain { .. } => {
            // PLAIN_SERVER = 0 makes the mechanism NULL and the socket not a server.
            Bool::set(socket, sys::ZMQ_PLAIN_SERVER, false)?;
            set_domain(security.domain())
        }
        Security::PlainClient { username, password } => {
            // Each sets the mechanism to PLAIN and the socket to client.
            Text::set(socket, sys::ZMQ_PLAIN_USERNAME, username)?;
            Text::set(socket, sys::ZMQ_PLAIN_PASSWORD, password)
        }
        Security::PlainServer { domain, .. } => {
            set_domain(domain)?;
            Bool::set(socket, sys::ZMQ_PLAIN_SERVER, true)
        }
        Security::CurveClient { keys, server } => {
            // SERVERKEY first: it makes the socket a client (and the mechanism CURVE).
            CurveKey::set(socket, sys::ZMQ_CURVE_SERVERKEY, server)?;
            CurveKey::set(socket, sys::ZMQ_CURVE_PUBLICKEY, keys.public())?;
            CurveKey::set(socket, sys::ZMQ_CURVE_SECRETKEY, keys.secret())
        }
        Security::CurveServer { keys, domain, .. } => {
            set_domain(domain)?;
            CurveKey::set(socket, sys::ZMQ_CURVE_PUBLICKEY, keys.public())?;
            CurveKey::set(socket, sys::ZMQ_CURVE_SECRETKEY, keys.secret())?;
            // Last: the socket becomes a server only once its keys are in place.
            Bool::set(socket, sys::ZMQ_CURVE_SERVER, true)
        }
    }
}

impl Socket {
    /// Sets up a security mechanism in one call: every option it needs, in the right order
    /// (see [`Security`]). Call it before `bind` or `connect`: libzmq applies security
    /// options to connections made afterwards.
    ///
    /// Refused before any option changes:
    /// - a PLAIN user name or password that is empty or longer than 255 bytes:
    ///   [`Error::InvalidArgument`]; one with a NUL byte: [`Error::InteriorNul`];
    /// - a ZAP domain longer than 255 bytes: [`Error::InvalidArgument`], one with a NUL byte:
    ///   [`Error::InteriorNul`]; a server (or NULL) setup without a domain on a socket that
    ///   already has one: [`Error::InvalidArgument`] (libzmq 4.3 cannot clear a ZAP domain);
    /// - CURVE when the linked libzmq has none ([`crate::has`]`("curve")` is `false`):
    ///   [`Error::NotSupported`];
    /// - an [`Authenticator`] of another context than the socket's (it would never be
    ///   asked): [`Error::InvalidArgument`]; one that has stopped (after
    ///   [`Context::shutdown`]): [`Error::InvalidState`].
    ///
    /// ```
    /// let ctx = zmq::Context::new()?;
    /// let client = ctx.socket(zmq::SocketType::Req)?;
    /// client.set_security(&zmq::Security::plain_client("admin", "secret"))?;
    /// assert_eq!(client.mechanism()?, zmq::Mechanism::Plain);
    /// assert_eq!(
    ///     client.set_security(&zmq::Security::plain_client("", "secret")),
    ///     Err(zmq::Error::InvalidArgument)
    /// );
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn set_security(&self, security: &Security<'_>) -> Result<()> {
        apply(self, self.context(), security)
    }
}

#[cfg(zmq_draft)]
impl crate::thread_safe::ThreadSafeSocket {
    /// Sets up a security mechanism in one call, as [`Socket::set_security`] does (same
    /// checks, same errors).
    pub fn set_security(&self, security: &Security<'_>) -> Result<()> {
        apply(self, self.context(), security)
    }
}
