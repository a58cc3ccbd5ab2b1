//! Z85, ZeroMQ's text encoding of binary data ([RFC 32](https://rfc.zeromq.org/spec/32/)),
//! in which CURVE keys are usually written down and exchanged.
//!
//! Every 4 bytes (one big-endian 32-bit value) become 5 characters of an 85-letter alphabet
//! that needs no quoting in source code, JSON or shell: `0-9 a-z A-Z .-:+=^!/*?&<>()[]{}@%$#`.
//! The binary data must be a multiple of 4 bytes long, the text a multiple of 5 characters.
//!
//! This is a pure-Rust implementation (no call into libzmq, no NUL-terminated buffers); it
//! agrees with libzmq's `zmq_z85_encode` and `zmq_z85_decode` on every valid input, and
//! also accepts empty input (libzmq's decoder refuses it). Every failure is
//! [`Error::InvalidZ85`] with a [`Z85Error`] saying what is wrong.
//!
//! ```
//! let text = zmq::z85::encode(&[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])?;
//! assert_eq!(text, "HelloWorld");
//! assert_eq!(zmq::z85::decode("HelloWorld")?, [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]);
//!
//! // "#####" would be 85^5 - 1, more than 32 bits hold.
//! assert!(matches!(
//!     zmq::z85::decode("#####"),
//!     Err(zmq::Error::InvalidZ85(zmq::z85::Z85Error::Overflow { position: 0 }))
//! ));
//! # Ok::<(), zmq::Error>(())
//! ```

use std::fmt;

use crate::error::{Error, Result};

/// The 85 characters, in the order of their values.
const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Not a Z85 character, in [`DECODER`].
const INVALID: u8 = 0xFF;

/// The value of each byte as a Z85 character, or [`INVALID`].
const DECODER: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut value = 0;
    while value < ALPHABET.len() {
        table[ALPHABET[value] as usize] = value as u8;
        value += 1;
    }
    table
};

/// What is wrong with the input of [`encode`] or [`decode`]; carried by
/// [`Error::InvalidZ85`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Z85Error {
    /// [`encode`]: the data is this many bytes long, not a multiple of 4.
    DataLength(usize),
    /// [`decode`]: the text is this many bytes long, not a multiple of 5.
    TextLength(usize),
    /// [`decode`]: the character at this byte position is not in the Z85 alphabet.
    InvalidCharacter {
        /// The byte position of the character in the text.
        position: usize,
        /// The character.
        character: char,
    },
    /// [`decode`]: the 5 characters starting at this byte position stand for a value above
    /// `0xFFFFFFFF`, which 4 bytes cannot hold (`"#####"`, for example).
    Overflow {
        /// The byte position of the group's first character.
        position: usize,
    },
}

impl fmt::Display for Z85Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Z85Error::DataLength(len) => {
                write!(f, "the data is {len} bytes long, not a multiple of 4")
            }
            Z85Error::TextLength(len) => {
                write!(f, "the text is {len} bytes long, not a multiple of 5")
            }
            Z85Error::InvalidCharacter {
                position,
                character,
            } => write!(
                f,
                "{character:?} at position {position} is not a Z85 character"
            ),
            Z85Error::Overflow { position } => write!(
                f,
                "the group at position {position} stands for a value above 0xFFFFFFFF"
            ),
        }
    }
}

impl std::error::Error for Z85Error {}

/// Encodes binary data, a multiple of 4 bytes long, as Z85 text (5 characters for every 4
/// bytes). Other lengths are [`Error::InvalidZ85`]`(`[`Z85Error::DataLength`]`)`.
///
/// ```
/// assert_eq!(zmq::z85::encode(&[0xFF; 4])?, "%nSc0");
/// assert_eq!(zmq::z85::encode(&[])?, "");
/// assert!(zmq::z85::encode(&[1, 2, 3]).is_err());
/// # Ok::<(), zmq::Error>(())
/// ```
#[doc(alias = "zmq_z85_encode")]
pub fn encode(data: &[u8]) -> Result<String> {
    if data.len() % 4 != 0 {
        return Err(Error::InvalidZ85(Z85Error::DataLength(data.len())));
    }
    let mut text = String::with_capacity(data.len() / 4 * 5);
    for group in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes([group[0], group[1], group[2], group[3]]);
        let mut chars = [0u8; 5];
        for slot in chars.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        text.extend(chars.iter().map(|&c| char::from(c)));
    }
    Ok(text)
}

/// Decodes Z85 text, a multiple of 5 characters long, into binary data (4 bytes for every 5
/// characters).
///
/// Fails with [`Error::InvalidZ85`] when the length is not a multiple of 5
/// ([`Z85Error::TextLength`]), a character is outside the alphabet
/// ([`Z85Error::InvalidCharacter`]), or a group of 5 characters stands for a value above
/// `0xFFFFFFFF` ([`Z85Error::Overflow`]).
///
/// ```
/// assert_eq!(zmq::z85::decode("%nSc0")?, [0xFF; 4]);
/// assert!(zmq::z85::decode("%nSc1").is_err()); // 0xFFFFFFFF + 1
/// assert!(zmq::z85::decode("Hello World").is_err()); // 11 characters, and a space
/// # Ok::<(), zmq::Error>(())
/// ```
#[doc(alias = "zmq_z85_decode")]
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 5 != 0 {
        return Err(Error::InvalidZ85(Z85Error::TextLength(bytes.len())));
    }
    let mut data = Vec::with_capacity(bytes.len() / 5 * 4);
    for (index, group) in bytes.chunks_exact(5).enumerate() {
        let start = index * 5;
        let mut value: u64 = 0;
        for (offset, &byte) in group.iter().enumerate() {
            let digit = DECODER[usize::from(byte)];
            if digit == INVALID {
                let position = start + offset;
                // Every byte before this one is an ASCII alphabet character, so `position` is
                // on a character boundary.
                let character = text[position..].chars().next().unwrap_or('\u{FFFD}');
                return Err(Error::InvalidZ85(Z85Error::InvalidCharacter {
                    position,
                    character,
                }));
            }
            value = value * 85 + u64::from(digit);
        }
        let value = u32::try_from(value)
            .map_err(|_| Error::InvalidZ85(Z85Error::Overflow { position: start }))?;
        data.extend_from_slice(&value.to_be_bytes());
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_is_85_distinct_printable_characters() {
        let valid = DECODER.iter().filter(|&&d| d != INVALID).count();
        assert_eq!(valid, 85);
        assert!(ALPHABET.iter().all(|c| c.is_ascii_graphic()));
        for (value, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(usize::from(DECODER[usize::from(c)]), value);
        }
    }
}
