//! Z85 (RFC 32): the spec's vector, edge cases, every error, property tests, and agreement
//! with libzmq's own `zmq_z85_encode`/`zmq_z85_decode`.

use std::ffi::{c_char, CStr, CString};

use proptest::prelude::*;
use zmq::z85::{self, Z85Error};
use zmq::Error;

const HELLO: [u8; 8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
const ALPHABET: &str =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

#[test]
fn the_spec_vector() {
    assert_eq!(z85::encode(&HELLO).unwrap(), "HelloWorld");
    assert_eq!(z85::decode("HelloWorld").unwrap(), HELLO);
}

#[test]
fn empty_input_is_empty_output() {
    assert_eq!(z85::encode(&[]).unwrap(), "");
    assert_eq!(z85::decode("").unwrap(), Vec::<u8>::new());
}

#[test]
fn the_smallest_and_largest_groups() {
    assert_eq!(z85::encode(&[0; 4]).unwrap(), "00000");
    assert_eq!(z85::decode("00000").unwrap(), [0; 4]);
    assert_eq!(z85::encode(&[0xFF; 4]).unwrap(), "%nSc0");
    assert_eq!(z85::decode("%nSc0").unwrap(), [0xFF; 4]);
}

#[test]
fn every_character_decodes_to_its_value() {
    for (value, c) in ALPHABET.chars().enumerate() {
        let text = format!("0000{c}");
        assert_eq!(
            z85::decode(&text).unwrap(),
            (value as u32).to_be_bytes(),
            "{text}"
        );
    }
}

#[test]
fn groups_above_32_bits_are_refused() {
    assert_eq!(
        z85::decode("%nSc1"),
        Err(Error::InvalidZ85(Z85Error::Overflow { position: 0 }))
    );
    assert_eq!(
        z85::decode("#####"),
        Err(Error::InvalidZ85(Z85Error::Overflow { position: 0 }))
    );
    // In a later group, the position is that group's start.
    assert_eq!(
        z85::decode("HelloWorld#####"),
        Err(Error::InvalidZ85(Z85Error::Overflow { position: 10 }))
    );
    // The largest first digit that can still fit, and the first that cannot.
    assert!(z85::decode("%0000").is_ok());
    assert!(z85::decode("$0000").is_err());
}

#[test]
fn lengths_that_are_not_whole_groups_are_refused() {
    for len in [1, 2, 3, 5, 7, 33] {
        assert_eq!(
            z85::encode(&vec![0; len]),
            Err(Error::InvalidZ85(Z85Error::DataLength(len)))
        );
    }
    for len in [1, 4, 6, 9, 39, 41] {
        assert_eq!(
            z85::decode(&"0".repeat(len)),
            Err(Error::InvalidZ85(Z85Error::TextLength(len)))
        );
    }
}

#[test]
fn characters_outside_the_alphabet_are_refused() {
    for (text, position, character) in [
        ("Hello World", 5, ' '), // 11 bytes: the length is checked first, below
        ("Hell World", 4, ' '),
        ("HelloWorl\"", 9, '"'),
        ("Hello,orld", 5, ','),
        ("\0ello", 0, '\0'),
        ("Hell\u{e9}", 4, '\u{e9}'), // 6 bytes
        ("Hel\u{e9}World", 3, '\u{e9}'),
        ("~~~~~", 0, '~'),
        ("_aaaa", 0, '_'),
        ("aaaa'", 4, '\''),
        ("aaaa;", 4, ';'),
        ("aa\\aa", 2, '\\'),
        ("aa`aa", 2, '`'),
        ("aa|aa", 2, '|'),
        ("aa,aa", 2, ','),
        ("aa\naa", 2, '\n'),
    ] {
        let result = z85::decode(text);
        if text.len() % 5 != 0 {
            assert_eq!(
                result,
                Err(Error::InvalidZ85(Z85Error::TextLength(text.len()))),
                "{text:?}"
            );
        } else {
            assert_eq!(
                result,
                Err(Error::InvalidZ85(Z85Error::InvalidCharacter {
                    position,
                    character
                })),
                "{text:?}"
            );
        }
    }
}

#[test]
fn errors_read_well_and_are_einval() {
    let error = z85::decode("#####").unwrap_err();
    assert_eq!(error.errno(), libc_einval());
    let message = error.to_string();
    assert!(
        message.contains("Z85") && message.contains("0xFFFFFFFF"),
        "{message}"
    );

    let message = z85::decode("aa aa").unwrap_err().to_string();
    assert!(
        message.contains("' '") && message.contains("position 2"),
        "{message}"
    );

    let message = z85::encode(&[1, 2, 3]).unwrap_err().to_string();
    assert!(
        message.contains("3 bytes") && message.contains("multiple of 4"),
        "{message}"
    );

    let io: std::io::Error = z85::decode("abc").unwrap_err().into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
}

fn libc_einval() -> i32 {
    zmq::Error::InvalidArgument.errno()
}

/// libzmq's encoder; `None` where it refuses.
fn libzmq_encode(data: &[u8]) -> Option<String> {
    let mut dest = vec![0u8; data.len() / 4 * 5 + 1];
    // SAFETY: `dest` has room for the encoding and its NUL; `data` is `data.len()` bytes.
    let result = unsafe {
        zmq::sys::zmq_z85_encode(
            dest.as_mut_ptr().cast::<c_char>(),
            data.as_ptr(),
            data.len(),
        )
    };
    if result.is_null() {
        return None;
    }
    let text = CStr::from_bytes_until_nul(&dest).expect("NUL-terminated");
    Some(text.to_str().expect("ASCII").to_owned())
}

/// libzmq's decoder; `None` where it refuses (it also refuses empty text).
fn libzmq_decode(text: &str) -> Option<Vec<u8>> {
    let text = CString::new(text).ok()?;
    let mut dest = vec![0u8; text.as_bytes().len() / 5 * 4];
    // SAFETY: `text` is NUL-terminated; `dest` has room for 4 bytes per 5 characters.
    let result = unsafe { zmq::sys::zmq_z85_decode(dest.as_mut_ptr(), text.as_ptr()) };
    if result.is_null() {
        None
    } else {
        Some(dest)
    }
}

#[test]
fn libzmq_agrees_on_the_edge_cases() {
    assert_eq!(libzmq_encode(&HELLO).as_deref(), Some("HelloWorld"));
    assert_eq!(libzmq_decode("HelloWorld"), Some(HELLO.to_vec()));
    assert_eq!(libzmq_decode("%nSc0"), Some(vec![0xFF; 4]));
    assert_eq!(libzmq_decode("%nSc1"), None);
    assert_eq!(libzmq_decode("#####"), None);
    assert_eq!(libzmq_encode(&[1, 2, 3]), None);
}

/// Whole groups of alphabet characters: valid text, except that a group whose value is
/// above 32 bits (most starting with `%`, `$` or `#`) overflows.
fn z85_like_text() -> impl Strategy<Value = String> {
    let character = prop::sample::select(ALPHABET.as_bytes().to_vec());
    prop::collection::vec(prop::collection::vec(character, 5), 1..8)
        .prop_map(|groups| String::from_utf8(groups.concat()).expect("ASCII"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trips_any_data(groups in prop::collection::vec(any::<[u8; 4]>(), 0..64)) {
        let data = groups.concat();
        let text = z85::encode(&data).unwrap();
        prop_assert_eq!(text.len(), data.len() / 4 * 5);
        prop_assert!(text.bytes().all(|b| ALPHABET.as_bytes().contains(&b)));
        prop_assert_eq!(z85::decode(&text).unwrap(), data);
    }

    #[test]
    fn decode_never_panics(text in any::<String>()) {
        let _ = z85::decode(&text);
    }

    #[test]
    fn decode_never_panics_on_near_misses(text in "[ -~]{0,30}") {
        if let Ok(data) = z85::decode(&text) {
            // Anything accepted re-encodes to itself.
            prop_assert_eq!(z85::encode(&data).unwrap(), text);
        }
    }

    #[test]
    fn encode_never_panics(data in prop::collection::vec(any::<u8>(), 0..64)) {
        let result = z85::encode(&data);
        prop_assert_eq!(result.is_ok(), data.len() % 4 == 0);
    }

    #[test]
    fn libzmq_encodes_the_same(groups in prop::collection::vec(any::<[u8; 4]>(), 1..64)) {
        let data = groups.concat();
        prop_assert_eq!(z85::encode(&data).ok(), libzmq_encode(&data));
    }

    #[test]
    fn libzmq_decodes_the_same(text in "[ -~]{5,30}") {
        // Printable ASCII, of any length: libzmq and this crate accept and refuse the same.
        prop_assert_eq!(z85::decode(&text).ok(), libzmq_decode(&text));
    }

    #[test]
    fn libzmq_decodes_valid_text_the_same(groups in prop::collection::vec(any::<[u8; 4]>(), 1..64)) {
        let text = z85::encode(&groups.concat()).unwrap();
        prop_assert_eq!(z85::decode(&text).ok(), libzmq_decode(&text));
    }

    #[test]
    fn libzmq_agrees_on_alphabet_text(text in z85_like_text()) {
        prop_assert_eq!(z85::decode(&text).ok(), libzmq_decode(&text));
    }
}
