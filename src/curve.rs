//! CURVE keys: the 32-byte public and secret keys of the CURVE security mechanism.

use std::ffi::{c_char, CStr};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{check, Error, Result};
use crate::{sys, z85};

/// The length of a key in Z85, plus libzmq's terminating NUL.
const Z85_BUFFER: usize = CurveKey::Z85_LEN + 1;

/// A CURVE public or secret key: 32 bytes.
///
/// The socket options `CURVE_PUBLICKEY`, `CURVE_SECRETKEY` and `CURVE_SERVERKEY` take and
/// return this type ([`Socket::set_curve_publickey`](crate::Socket::set_curve_publickey),
/// ...), so a key of the wrong length cannot reach libzmq: building one from a slice checks
/// the length.
///
/// `Debug` never prints the bytes, so a secret key does not end up in a log by accident, and
/// comparing two keys takes the same time whatever bytes differ.
///
/// `Display` writes the key as 40 [Z85](crate::z85) characters, the form libzmq's tools and
/// other ZeroMQ bindings use, and `FromStr` (or [`CurveKey::from_z85`]) reads it back. Mind
/// that `Display` prints a secret key in full, as asked; only `Debug` hides it.
/// [`CurveKeyPair`] generates keys.
///
/// ```
/// use zmq::CurveKey;
/// let key = CurveKey::from_bytes([7; 32]);
/// assert_eq!(key.as_bytes(), &[7; 32]);
/// assert_eq!(CurveKey::try_from(&[7u8; 32][..])?, key);
/// assert_eq!(CurveKey::try_from(&[7u8; 39][..]), Err(zmq::Error::InvalidArgument));
/// assert_eq!(format!("{key:?}"), "CurveKey(..)");
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone, Copy, Eq, Default)]
pub struct CurveKey([u8; 32]);

impl CurveKey {
    /// The length of a key in bytes.
    pub const LEN: usize = 32;

    /// A key from its 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> CurveKey {
        CurveKey(bytes)
    }

    /// The key's 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The length of a key in Z85 characters.
    pub const Z85_LEN: usize = 40;

    /// A key from its 40 Z85 characters, the same as `text.parse()`.
    ///
    /// Text that is not 40 bytes long is [`Error::InvalidArgument`] (as a byte slice that is
    /// not 32 bytes long is); text with a character outside the Z85 alphabet, or a group
    /// above `0xFFFFFFFF`, is [`Error::InvalidZ85`].
    ///
    /// ```
    /// use zmq::CurveKey;
    /// let key = CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")?;
    /// assert_eq!(key.to_z85(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    /// assert_eq!("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7".parse::<CurveKey>()?, key);
    /// assert_eq!(CurveKey::from_z85("HelloWorld"), Err(zmq::Error::InvalidArgument));
    /// assert!(CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf ").is_err());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn from_z85(text: &str) -> Result<CurveKey> {
        if text.len() != Self::Z85_LEN {
            return Err(Error::InvalidArgument);
        }
        let bytes = z85::decode(text)?;
        CurveKey::try_from(&bytes[..])
    }

    /// The key as 40 Z85 characters, the same as `key.to_string()`.
    pub fn to_z85(&self) -> String {
        // 32 bytes are a multiple of 4: encoding cannot fail.
        z85::encode(&self.0).unwrap_or_default()
    }

    /// The key as a NUL-terminated Z85 buffer, for libzmq's functions.
    fn to_z85_buffer(self) -> [u8; Z85_BUFFER] {
        let mut buffer = [0u8; Z85_BUFFER];
        if let Ok(text) = z85::encode(&self.0) {
            buffer[..Self::Z85_LEN].copy_from_slice(text.as_bytes());
        }
        buffer
    }

    /// A key from a NUL-terminated Z85 buffer libzmq filled.
    fn from_z85_buffer(buffer: &[u8; Z85_BUFFER]) -> Result<CurveKey> {
        let text = CStr::from_bytes_until_nul(buffer).map_err(|_| Error::InvalidArgument)?;
        let text = text.to_str().map_err(|_| Error::InvalidArgument)?;
        CurveKey::from_z85(text)
    }
}

impl fmt::Display for CurveKey {
    /// The key as 40 Z85 characters. This prints a secret key in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_z85())
    }
}

impl FromStr for CurveKey {
    type Err = Error;

    /// A key from its 40 Z85 characters; see [`CurveKey::from_z85`].
    fn from_str(text: &str) -> Result<CurveKey> {
        CurveKey::from_z85(text)
    }
}

impl From<[u8; 32]> for CurveKey {
    fn from(bytes: [u8; 32]) -> CurveKey {
        CurveKey(bytes)
    }
}

impl TryFrom<&[u8]> for CurveKey {
    type Error = Error;

    /// A key from a slice of exactly 32 bytes; any other length is
    /// [`Error::InvalidArgument`].
    fn try_from(bytes: &[u8]) -> Result<CurveKey, Error> {
        <[u8; 32]>::try_from(bytes)
            .map(CurveKey)
            .map_err(|_| Error::InvalidArgument)
    }
}

impl AsRef<[u8]> for CurveKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq for CurveKey {
    /// Compares every byte, whichever differ first, so the time taken says nothing about
    /// where two keys differ.
    fn eq(&self, other: &CurveKey) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

impl Hash for CurveKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for CurveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CurveKey(..)")
    }
}

/// Overwrites a buffer that held a secret key, in a way the compiler does not remove.
fn wipe(buffer: &mut [u8]) {
    for byte in buffer.iter_mut() {
        // SAFETY: `byte` is a valid, aligned, exclusive reference to a u8.
        unsafe { std::ptr::write_volatile(byte, 0) };
    }
}

/// A CURVE key pair: a public key to hand out and the secret key that goes with it.
///
/// A CURVE server needs its own pair ([`Socket::set_curve_secretkey`] and
/// [`Socket::set_curve_server`]) and gives its public key to the clients; a client needs a
/// pair of its own too ([`Socket::set_curve_publickey`], [`Socket::set_curve_secretkey`])
/// and the server's public key ([`Socket::set_curve_serverkey`]).
///
/// `Debug` shows the public key (in Z85) and never the secret one.
///
/// [`Socket::set_curve_secretkey`]: crate::Socket::set_curve_secretkey
/// [`Socket::set_curve_server`]: crate::Socket::set_curve_server
/// [`Socket::set_curve_publickey`]: crate::Socket::set_curve_publickey
/// [`Socket::set_curve_serverkey`]: crate::Socket::set_curve_serverkey
///
/// ```
/// if zmq::has("curve") {
///     let pair = zmq::CurveKeyPair::generate()?;
///     let again = zmq::CurveKeyPair::from_secret(*pair.secret())?;
///     assert_eq!(again.public(), pair.public());
///     assert!(!format!("{pair:?}").contains(&pair.secret().to_string()));
/// }
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CurveKeyPair {
    public: CurveKey,
    secret: CurveKey,
}

impl CurveKeyPair {
    /// A new random key pair, from libzmq (`zmq_curve_keypair`, through libsodium).
    ///
    /// [`Error::NotSupported`] when the linked libzmq has no CURVE ([`crate::has`]`("curve")`
    /// is `false`).
    #[doc(alias = "zmq_curve_keypair")]
    pub fn generate() -> Result<CurveKeyPair> {
        if !crate::has("curve") {
            return Err(Error::NotSupported);
        }
        let mut public = [0u8; Z85_BUFFER];
        let mut secret = [0u8; Z85_BUFFER];
        // SAFETY: both buffers hold the 41 bytes (40 Z85 characters and a NUL) libzmq writes.
        let rc = unsafe {
            sys::zmq_curve_keypair(
                public.as_mut_ptr().cast::<c_char>(),
                secret.as_mut_ptr().cast::<c_char>(),
            )
        };
        let pair = check(rc).and_then(|_| {
            Ok(CurveKeyPair {
                public: CurveKey::from_z85_buffer(&public)?,
                secret: CurveKey::from_z85_buffer(&secret)?,
            })
        });
        wipe(&mut secret);
        pair
    }

    /// The pair of a secret key: computes its public key (`zmq_curve_public`).
    ///
    /// [`Error::NotSupported`] when the linked libzmq has no CURVE.
    ///
    /// ```
    /// # if zmq::has("curve") {
    /// // The example keys of libzmq's documentation (zmq_curve.txt).
    /// let secret: zmq::CurveKey = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs".parse()?;
    /// let pair = zmq::CurveKeyPair::from_secret(secret)?;
    /// assert_eq!(pair.public().to_string(), "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    /// # }
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_curve_public")]
    pub fn from_secret(secret: CurveKey) -> Result<CurveKeyPair> {
        if !crate::has("curve") {
            return Err(Error::NotSupported);
        }
        let mut public = [0u8; Z85_BUFFER];
        let mut secret_z85 = secret.to_z85_buffer();
        // SAFETY: `public` holds the 41 bytes libzmq writes; `secret_z85` is 40 Z85
        // characters and a NUL, and outlives the call.
        let rc = unsafe {
            sys::zmq_curve_public(
                public.as_mut_ptr().cast::<c_char>(),
                secret_z85.as_ptr().cast::<c_char>(),
            )
        };
        wipe(&mut secret_z85);
        check(rc)?;
        Ok(CurveKeyPair {
            public: CurveKey::from_z85_buffer(&public)?,
            secret,
        })
    }

    /// A pair from two keys the caller has already checked belong together.
    pub(crate) fn from_checked_parts(public: CurveKey, secret: CurveKey) -> CurveKeyPair {
        CurveKeyPair { public, secret }
    }

    /// The public key, to give to peers.
    pub fn public(&self) -> &CurveKey {
        &self.public
    }

    /// The secret key, to keep.
    pub fn secret(&self) -> &CurveKey {
        &self.secret
    }

    /// Both keys: `(public, secret)`.
    pub fn into_parts(self) -> (CurveKey, CurveKey) {
        (self.public, self.secret)
    }
}

impl fmt::Debug for CurveKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurveKeyPair")
            .field("public", &format_args!("{}", self.public))
            .finish_non_exhaustive()
    }
}
