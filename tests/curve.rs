//! CURVE keys in Z85 and key pairs: generation, consistency, text round trips, and a real
//! CURVE handshake with generated keys.

mod common;

use std::time::Duration;

use common::{bind, context, socket};
use proptest::prelude::*;
use zmq::{CurveKey, CurveKeyPair, Error, RecvFlags, SendFlags, SocketType};

#[test]
fn a_key_displays_as_40_z85_characters_and_parses_back() {
    // The server's keys from libzmq's zmq_curve.txt.
    let text = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    let key: CurveKey = text.parse().unwrap();
    assert_eq!(key.to_string(), text);
    assert_eq!(key.to_z85(), text);
    assert_eq!(CurveKey::from_z85(text), Ok(key));
    assert_eq!(key.as_bytes(), &zmq::z85::decode(text).unwrap()[..]);
    // Debug still hides it.
    assert_eq!(format!("{key:?}"), "CurveKey(..)");
}

#[test]
fn only_40_z85_characters_parse_as_a_key() {
    for text in [
        "",
        "HelloWorld",
        &"0".repeat(39),
        &"0".repeat(41),
        &"0".repeat(45),
    ] {
        assert_eq!(
            text.parse::<CurveKey>(),
            Err(Error::InvalidArgument),
            "{text:?}"
        );
    }
    assert!(matches!(
        format!("{}#####", "0".repeat(35)).parse::<CurveKey>(),
        Err(Error::InvalidZ85(zmq::z85::Z85Error::Overflow {
            position: 35
        }))
    ));
    assert!(matches!(
        format!("{} ", "0".repeat(39)).parse::<CurveKey>(),
        Err(Error::InvalidZ85(zmq::z85::Z85Error::InvalidCharacter {
            position: 39,
            ..
        }))
    ));
    // 40 bytes, but not 40 characters.
    assert!(format!("{}\u{e9}", "0".repeat(38))
        .parse::<CurveKey>()
        .is_err());
}

#[test]
fn the_documented_pair_is_consistent() {
    if !common::curve_or_skip() {
        return;
    }
    let secret: CurveKey = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs".parse().unwrap();
    let pair = CurveKeyPair::from_secret(secret).unwrap();
    assert_eq!(
        pair.public().to_string(),
        "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    );
    assert_eq!(pair.secret(), &secret);
}

#[test]
fn generated_pairs_are_consistent_and_differ() {
    if !common::curve_or_skip() {
        return;
    }
    let pair = CurveKeyPair::generate().unwrap();
    let again = CurveKeyPair::from_secret(*pair.secret()).unwrap();
    assert_eq!(again, pair);
    assert_eq!(again.public(), pair.public());
    assert_ne!(pair.public(), pair.secret());

    let other = CurveKeyPair::generate().unwrap();
    assert_ne!(other.public(), pair.public());
    assert_ne!(other.secret(), pair.secret());

    let (public, secret) = pair.clone().into_parts();
    assert_eq!((&public, &secret), (pair.public(), pair.secret()));
}

#[test]
fn generated_keys_round_trip_through_text() {
    if !common::curve_or_skip() {
        return;
    }
    for _ in 0..20 {
        let pair = CurveKeyPair::generate().unwrap();
        for key in [pair.public(), pair.secret()] {
            let text = key.to_string();
            assert_eq!(text.len(), CurveKey::Z85_LEN);
            assert_eq!(text.parse::<CurveKey>().as_ref(), Ok(key));
        }
    }
}

#[test]
fn a_pair_never_shows_its_secret_in_debug() {
    if !common::curve_or_skip() {
        return;
    }
    let pair = CurveKeyPair::generate().unwrap();
    let debug = format!("{pair:?}");
    let pretty = format!("{pair:#?}");
    let secret = pair.secret().to_string();
    for shown in [&debug, &pretty] {
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.contains(&pair.public().to_string()), "{shown}");
    }
}

#[test]
fn key_pairs_exist_exactly_when_curve_does() {
    let generated = CurveKeyPair::generate();
    let derived = CurveKeyPair::from_secret(CurveKey::from_bytes([1; 32]));
    if zmq::has("curve") {
        assert!(generated.is_ok(), "{generated:?}");
        assert!(derived.is_ok(), "{derived:?}");
    } else {
        assert_eq!(generated, Err(Error::NotSupported));
        assert_eq!(derived, Err(Error::NotSupported));
    }
}

#[test]
fn a_curve_handshake_works_with_generated_keys() {
    if !common::curve_or_skip() {
        return;
    }
    let server_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    let ctx = context();

    let server = socket(&ctx, SocketType::Rep);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(server_keys.secret()).unwrap();
    let endpoint = bind(&server, common::Transport::Tcp);

    let client = socket(&ctx, SocketType::Req);
    client.set_curve_serverkey(server_keys.public()).unwrap();
    client.set_curve_publickey(client_keys.public()).unwrap();
    client.set_curve_secretkey(client_keys.secret()).unwrap();
    client.connect(&endpoint).unwrap();

    client.send("Hello", SendFlags::empty()).unwrap();
    assert_eq!(server.recv_string(RecvFlags::empty()).unwrap(), "Hello");
    server.send("World", SendFlags::empty()).unwrap();
    assert_eq!(client.recv_string(RecvFlags::empty()).unwrap(), "World");
    assert_eq!(client.mechanism(), Ok(zmq::Mechanism::Curve));
}

#[test]
fn a_client_with_the_wrong_server_key_gets_nothing() {
    if !common::curve_or_skip() {
        return;
    }
    let server_keys = CurveKeyPair::generate().unwrap();
    let impostor_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    let ctx = context();

    let server = socket(&ctx, SocketType::Rep);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(server_keys.secret()).unwrap();
    server
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    let endpoint = bind(&server, common::Transport::Tcp);

    let client = socket(&ctx, SocketType::Req);
    client.set_curve_serverkey(impostor_keys.public()).unwrap();
    client.set_curve_publickey(client_keys.public()).unwrap();
    client.set_curve_secretkey(client_keys.secret()).unwrap();
    client
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    client
        .set_sndtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    client.connect(&endpoint).unwrap();

    // The send is only queued (or times out): the handshake never completes.
    if let Err(error) = client.send("Hello", SendFlags::empty()) {
        assert_eq!(error.error(), &Error::WouldBlock);
    }
    assert_eq!(
        client.recv_string(RecvFlags::empty()),
        Err(Error::WouldBlock)
    );
    assert_eq!(
        server.recv_string(RecvFlags::empty()),
        Err(Error::WouldBlock)
    );
}

proptest! {
    #[test]
    fn any_key_round_trips_through_text(bytes in any::<[u8; 32]>()) {
        let key = CurveKey::from_bytes(bytes);
        let text = key.to_string();
        prop_assert_eq!(text.len(), 40);
        prop_assert_eq!(text.parse::<CurveKey>(), Ok(key));
    }

    #[test]
    fn parsing_any_text_never_panics(text in any::<String>()) {
        let _ = text.parse::<CurveKey>();
    }
}
