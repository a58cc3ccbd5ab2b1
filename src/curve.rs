//! CURVE keys: the 32-byte public and secret keys of the CURVE security mechanism.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::error::Error;

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
/// The Z85 text form (`Display`/`FromStr`) and key-pair generation belong to the security
/// module and are not here yet.
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
