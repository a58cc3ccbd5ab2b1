//! CURVE certificate files: round trips, the liberal reader, clear errors for malformed
//! files, certificate directories, files exchanged with pyzmq in both directions, and a real
//! CURVE handshake with keys loaded from certificates.

mod common;
mod support;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use common::{assert_silent, bind, context, socket, Transport};
use proptest::prelude::*;
use support::peers::{python, python_peer, require};
use support::within;
use zmq::cert::public_keys_in_dir;
use zmq::{Certificate, CurveKey, CurveKeyPair, Error, RecvFlags, SendFlags, SocketType};

/// The example key pair of libzmq's zmq_curve.txt.
const PUBLIC: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const SECRET: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
/// The server's public key of the same document: a valid key that is not `PUBLIC`'s.
const OTHER_PUBLIC: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

fn key(z85: &str) -> CurveKey {
    z85.parse().expect("a valid Z85 key")
}

/// An empty directory of its own for one test, under Cargo's scratch space for tests.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cert-{test}"));
    match fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot clear {}: {e}", dir.display()),
    }
    fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

fn secret_file(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("_secret");
    PathBuf::from(name)
}

/// The reason and line of an `InvalidCertificate`, or a failure naming what came instead.
fn invalid(result: zmq::Result<Certificate>) -> (Option<PathBuf>, Option<usize>, String) {
    match result {
        Err(Error::InvalidCertificate(e)) => (
            e.path().map(Path::to_owned),
            e.line(),
            e.reason().to_owned(),
        ),
        other => panic!("expected InvalidCertificate, got {other:?}"),
    }
}

#[test]
fn a_generated_certificate_saves_and_loads_with_both_keys() {
    if !common::curve_or_skip() {
        return;
    }
    let dir = scratch_dir("generated");
    let path = dir.join("server.key");
    let mut cert = Certificate::generate().unwrap();
    cert.set_metadata("name", "server").unwrap();
    cert.save(&path).unwrap();

    // The public file holds the public key only, the secret file both.
    let public_text = fs::read_to_string(&path).unwrap();
    let secret_text = fs::read_to_string(secret_file(&path)).unwrap();
    let secret_z85 = cert.secret().unwrap().to_string();
    assert!(public_text.contains(&cert.public().to_string()));
    assert!(!public_text.contains(&secret_z85));
    assert!(secret_text.contains(&secret_z85));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(secret_file(&path))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the secret file is private");
    }

    // The public path finds the secret file beside it, as czmq does; so does the secret path.
    let loaded = Certificate::load(&path).unwrap();
    assert_eq!(loaded, cert);
    assert_eq!(loaded.key_pair(), cert.key_pair());
    assert_eq!(Certificate::load(secret_file(&path)).unwrap(), cert);

    // Without the secret file, only the public key is left.
    fs::remove_file(secret_file(&path)).unwrap();
    let public = Certificate::load(&path).unwrap();
    assert_eq!(public.public(), cert.public());
    assert_eq!(public.secret(), None);
    assert_eq!(public.key_pair(), None);
    assert_eq!(public.metadata_value("name"), Some("server"));
}

#[test]
fn a_secret_file_keeps_its_mode_private_when_it_existed_with_a_wider_one() {
    if !common::curve_or_skip() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch_dir("wider-mode");
        let path = dir.join("mine.key_secret");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let cert = Certificate::generate().unwrap();
        cert.save_secret(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(Certificate::load(&path).unwrap(), cert);
    }
}

#[test]
fn a_public_certificate_saves_only_the_public_file() {
    let dir = scratch_dir("public-only");
    let path = dir.join("peer.key");
    let cert = Certificate::from_public(key(PUBLIC));
    cert.save(&path).unwrap();
    assert!(!secret_file(&path).exists());
    let loaded = Certificate::load(&path).unwrap();
    assert_eq!(loaded, cert);
    assert_eq!(loaded.secret(), None);

    // There is no secret file to write or text to give.
    let error = cert.save_secret(dir.join("peer.key_secret")).unwrap_err();
    assert!(matches!(error, Error::InvalidCertificate(_)), "{error:?}");
    assert!(!secret_file(&path).exists());
    assert!(cert.to_secret_text().is_err());
}

#[test]
fn metadata_with_spaces_quotes_equals_and_hashes_round_trips() {
    let values = [
        ("name", "Pieter Hintjens"),
        ("equation", "a = b == c"),
        ("quoted", "say \"hi\""),
        ("apostrophe", "it's"),
        ("hash", "# not a comment"),
        ("padded", "  spaces around  "),
        ("empty", ""),
        ("unicode", "Zoë, 東京"),
        ("org.example/team-1_$@&+", "ok"),
    ];
    let mut cert = Certificate::from_public(key(PUBLIC));
    for (name, value) in values {
        cert.set_metadata(name, value).unwrap();
    }
    let again = Certificate::parse(&cert.to_public_text()).unwrap();
    assert_eq!(again.metadata().collect::<Vec<_>>(), values);
    assert_eq!(again, cert);
}

#[test]
fn metadata_the_format_cannot_hold_is_refused() {
    let mut cert = Certificate::from_public(key(PUBLIC));
    for (name, value) in [
        ("", "x"),
        ("two words", "x"),
        ("name=x", "x"),
        ("/leading", "x"),
        ("trailing/", "x"),
        ("public-key", "x"),
        ("secret-key-backup", "x"),
        ("line", "a\nb"),
        ("cr", "a\rb"),
        ("nul", "a\0b"),
        ("quotes", "both \" and '"),
    ] {
        let error = cert.set_metadata(name, value).unwrap_err();
        assert!(
            matches!(error, Error::InvalidCertificate(_)),
            "{name:?} = {value:?}: {error:?}"
        );
    }
    assert_eq!(cert.metadata().count(), 0);
}

#[test]
fn the_written_layout_is_the_one_czmq_and_pyzmq_write() {
    if !common::curve_or_skip() {
        return;
    }
    let pair = CurveKeyPair::from_secret(key(SECRET)).unwrap();
    let mut cert = Certificate::new(pair);
    cert.set_metadata("name", "x").unwrap();
    let secret = cert.to_secret_text().unwrap();
    let body: Vec<&str> = secret.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        body,
        [
            "",
            "metadata",
            "    name = \"x\"",
            "curve",
            &format!("    public-key = \"{PUBLIC}\""),
            &format!("    secret-key = \"{SECRET}\""),
        ]
    );
    let public = cert.to_public_text();
    assert!(public.ends_with(&format!("curve\n    public-key = \"{PUBLIC}\"\n")));
    assert!(!public.contains("secret-key"));
}

#[test]
fn the_reader_is_liberal_in_layout() {
    if !common::curve_or_skip() {
        return;
    }
    let variants = [
        // czmq's layout with CRLF line endings and a byte order mark.
        format!("\u{feff}#   comment\r\n\r\nmetadata\r\n    name = \"n\"\r\ncurve\r\n    public-key = \"{PUBLIC}\"\r\n    secret-key = \"{SECRET}\"\r\n"),
        // Tabs, single quotes, no spaces around `=`, comments after values, lone CRs.
        format!("metadata\r\tname='n' # a comment\rcurve\r\tpublic-key='{PUBLIC}'\r\tsecret-key=\"{SECRET}\"   # mine\r"),
        // Unquoted values, two-space indentation, unknown sections and properties, no final
        // line break, curve first.
        format!("context\n  iothreads = 1\n  nested\n      deeper = yes\ncurve\n  comment = anything\n  public-key = {PUBLIC}\n  secret-key = {SECRET}\nmetadata\n  name = n   # trailing\nunknown"),
        // Spaces inside the quotes around a key, as a hand edit leaves them.
        format!("curve\n    public-key = \" {PUBLIC} \"\n    secret-key = \"{SECRET}\"\nmetadata\n    name = n\n"),
    ];
    for text in &variants {
        let cert = Certificate::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(cert.public(), &key(PUBLIC), "{text}");
        assert_eq!(cert.secret(), Some(&key(SECRET)), "{text}");
        assert_eq!(
            cert.metadata().collect::<Vec<_>>(),
            [("name", "n")],
            "{text}"
        );
    }
}

#[test]
fn a_repeated_metadata_name_keeps_its_first_value() {
    let text = format!("metadata\n    a = 1\n    a = 2\ncurve\n    public-key = \"{PUBLIC}\"\n");
    let cert = Certificate::parse(&text).unwrap();
    assert_eq!(cert.metadata().collect::<Vec<_>>(), [("a", "1")]);
}

#[test]
fn malformed_certificates_are_clear_errors() {
    if !common::curve_or_skip() {
        return;
    }
    let short = &PUBLIC[..39];
    let cases: Vec<(String, Option<usize>, &str)> = vec![
        (String::new(), None, "no curve section"),
        ("# only a comment\n\n".into(), None, "no curve section"),
        ("metadata\n    name = \"x\"\n".into(), None, "no curve section"),
        ("curve\n    secret-key = \"x\"\n".into(), Some(2), "40 Z85 characters"),
        (format!("curve\n    secret-key = \"{SECRET}\"\n"), None, "no public-key"),
        ("curve\n".into(), None, "no public-key"),
        (format!("curve\n    public-key = \"{short}\"\n"), Some(2), "found 39"),
        (format!("curve\n    public-key = \"{PUBLIC}x\"\n"), Some(2), "found 41"),
        (format!("curve\n    public-key = \"{}~\"\n", &PUBLIC[..39]), Some(2), "not valid Z85"),
        (format!("curve\n    public-key = \"{PUBLIC}\"\n    public-key = \"{PUBLIC}\"\n"), Some(3), "second public-key"),
        (format!("curve\n    public-key = \"{PUBLIC}\"\n    secret-key = \"{SECRET}\"\n    secret-key = \"{SECRET}\"\n"), Some(4), "second secret-key"),
        (format!("curve\n    public-key = \"{OTHER_PUBLIC}\"\n    secret-key = \"{SECRET}\"\n"), Some(3), "does not belong"),
        (format!("curve\n    public-key = \"{PUBLIC}\n"), Some(2), "no closing \""),
        (format!("curve\n    public-key = \"{PUBLIC}\" junk\n"), Some(2), "after the quoted value"),
        (format!("curve\n    public-key: \"{PUBLIC}\"\n"), Some(2), "expected `=`"),
        (format!("    public-key = \"{PUBLIC}\"\n"), Some(1), "before any section"),
        (format!("curve\n        x = 1\n    public-key = \"{PUBLIC}\"\n"), Some(3), "less than"),
        (format!("metadata\n    bad = 'both \" and ''\ncurve\n    public-key = \"{PUBLIC}\"\n"), Some(2), "after the quoted value"),
        (format!("metadata\n    secret-key-copy = x\ncurve\n    public-key = \"{PUBLIC}\"\n"), Some(2), "starts like a key"),
        ("\u{0}\u{1}\u{2}binary\u{7f}".into(), Some(1), "expected a name"),
        ("{\"json\": true}".into(), Some(1), "expected a name"),
    ];
    for (text, line, reason) in cases {
        let (path, got_line, got_reason) = invalid(Certificate::parse(&text));
        assert_eq!(path, None);
        assert_eq!(got_line, line, "{text:?}: {got_reason}");
        assert!(
            got_reason.contains(reason),
            "{text:?}: {got_reason:?} lacks {reason:?}"
        );
    }
}

#[test]
fn load_errors_name_the_file() {
    if !common::curve_or_skip() {
        return;
    }
    let dir = scratch_dir("load-errors");

    let missing = dir.join("missing.key");
    match Certificate::load(&missing) {
        Err(error @ Error::Io { kind, .. }) => {
            assert_eq!(kind, io::ErrorKind::NotFound);
            assert_eq!(io::Error::from_raw_os_error(error.errno()).kind(), kind);
            assert!(error.to_string().contains("missing.key"), "{error}");
            assert_eq!(io::Error::from(error).kind(), io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }

    let binary = dir.join("binary.key");
    fs::write(&binary, b"curve\n\xff\xfe\x00junk").unwrap();
    let (path, line, reason) = invalid(Certificate::load(&binary));
    assert_eq!(path.as_deref(), Some(binary.as_path()));
    assert_eq!(line, Some(2));
    assert!(reason.contains("UTF-8"), "{reason}");

    let empty = dir.join("empty.key");
    fs::write(&empty, "").unwrap();
    let error = Certificate::load(&empty).unwrap_err();
    assert!(error.to_string().contains("empty.key"), "{error}");
    assert!(matches!(error, Error::InvalidCertificate(_)));

    // A _secret file beside a public file must hold the secret of that public key.
    let public = dir.join("pair.key");
    Certificate::from_public(key(OTHER_PUBLIC))
        .save_public(&public)
        .unwrap();
    let pair = CurveKeyPair::from_secret(key(SECRET)).unwrap();
    Certificate::new(pair)
        .save_secret(secret_file(&public))
        .unwrap();
    let (path, _, reason) = invalid(Certificate::load(&public));
    assert_eq!(path, Some(secret_file(&public)));
    assert!(reason.contains("differs"), "{reason}");

    // ... and hold a secret at all.
    Certificate::from_public(key(OTHER_PUBLIC))
        .save_public(secret_file(&public))
        .unwrap();
    let (path, _, reason) = invalid(Certificate::load(&public));
    assert_eq!(path, Some(secret_file(&public)));
    assert!(reason.contains("without a secret-key"), "{reason}");
}

#[test]
fn debug_never_shows_the_secret_key() {
    if !common::curve_or_skip() {
        return;
    }
    let mut cert = Certificate::generate().unwrap();
    cert.set_metadata("name", "me").unwrap();
    let secret = cert.secret().unwrap().to_string();
    let debug = format!("{cert:?}");
    assert!(!debug.contains(&secret), "{debug}");
    assert!(debug.contains(&cert.public().to_string()), "{debug}");
    assert!(
        debug.contains("Some(..)") && debug.contains("me"),
        "{debug}"
    );
    assert!(format!("{:?}", Certificate::from_public(key(PUBLIC))).contains("None"));
}

#[test]
fn public_keys_in_dir_reads_every_certificate_but_secret_and_hidden_files() {
    if !common::curve_or_skip() {
        return;
    }
    let dir = scratch_dir("keys-in-dir");
    let alice = Certificate::generate().unwrap();
    let bob = Certificate::generate().unwrap();
    let carol = Certificate::generate().unwrap();
    alice.save(dir.join("alice.key")).unwrap(); // and alice.key_secret
    alice.save_public(dir.join("alice-copy.txt")).unwrap(); // a duplicate key
    bob.save_secret(dir.join("bob.key")).unwrap(); // a secret text under a public name
    fs::create_dir(dir.join("team")).unwrap();
    carol.save(dir.join("team/carol")).unwrap();
    // Never opened: secret halves (even junk ones) and hidden files.
    fs::write(dir.join("junk_secret"), b"\x00\xffnot a certificate").unwrap();
    fs::write(dir.join(".swap"), b"\x00\xffnot a certificate").unwrap();
    fs::create_dir(dir.join(".git")).unwrap();
    fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();

    let mut expected = vec![*alice.public(), *bob.public(), *carol.public()];
    expected.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(public_keys_in_dir(&dir).unwrap(), expected);

    // A file that is not a certificate is an error naming it, not a key silently missing.
    let readme = dir.join("team/README");
    fs::write(&readme, "Put the team's public certificates here.\n").unwrap();
    match public_keys_in_dir(&dir) {
        Err(Error::InvalidCertificate(e)) => assert_eq!(e.path(), Some(readme.as_path())),
        other => panic!("expected InvalidCertificate naming README, got {other:?}"),
    }
    fs::remove_file(&readme).unwrap();
    fs::write(dir.join("binary.bin"), b"\x7fELF\x02\x01\x01\x00\x00\xff").unwrap();
    let error = public_keys_in_dir(&dir).unwrap_err();
    assert!(error.to_string().contains("binary.bin"), "{error}");
    fs::remove_file(dir.join("binary.bin")).unwrap();
    fs::write(dir.join("empty"), "").unwrap();
    let error = public_keys_in_dir(&dir).unwrap_err();
    assert!(error.to_string().contains("empty"), "{error}");
    fs::remove_file(dir.join("empty")).unwrap();
    assert_eq!(public_keys_in_dir(&dir).unwrap(), expected);

    let empty_dir = scratch_dir("keys-in-empty-dir");
    assert_eq!(public_keys_in_dir(&empty_dir).unwrap(), []);
    match public_keys_in_dir(&dir.join("no-such-dir")) {
        Err(Error::Io { kind, message }) => {
            assert_eq!(kind, io::ErrorKind::NotFound);
            assert!(message.contains("no-such-dir"), "{message}");
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
    match public_keys_in_dir(&dir.join("alice.key")) {
        Err(Error::Io { message, .. }) => assert!(message.contains("alice.key"), "{message}"),
        other => panic!("expected Error::Io for a file, got {other:?}"),
    }
}

/// The lines `PUBLIC <z85>` and `SECRET <z85 or NONE>` py_certs.py prints.
fn pyzmq_keys(lines: &[String]) -> (CurveKey, Option<CurveKey>) {
    let [public, secret] = lines else {
        panic!("expected PUBLIC and SECRET lines, got {lines:?}");
    };
    let public = key(public.strip_prefix("PUBLIC ").expect("PUBLIC line"));
    let secret = match secret.strip_prefix("SECRET ").expect("SECRET line") {
        "NONE" => None,
        z85 => Some(key(z85)),
    };
    (public, secret)
}

#[test]
fn certificates_written_by_pyzmq_load_here() {
    if !common::curve_or_skip() {
        return;
    }
    within(|| {
        let Some(python) = require(python()) else {
            return;
        };
        let dir = scratch_dir("from-pyzmq");
        let dir_text = dir.to_str().expect("a UTF-8 path");
        let created = python_peer(
            python,
            "py_certs.py",
            [
                "create",
                dir_text,
                "server",
                "email=ops@example.com",
                "name=Server One",
            ],
        )
        .finish();
        created.assert_success();
        let (public, secret) = pyzmq_keys(&created.stdout);
        let secret = secret.expect("pyzmq's secret file has the secret key");

        // The public file, with the secret file beside it, gives both keys and the metadata
        // pyzmq writes (unquoted) into the secret file.
        let loaded = Certificate::load(dir.join("server.key")).unwrap();
        assert_eq!(loaded.public(), &public);
        assert_eq!(loaded.secret(), Some(&secret));
        assert_eq!(
            loaded.metadata().collect::<Vec<_>>(),
            [("email", "ops@example.com"), ("name", "Server One")]
        );
        assert_eq!(
            Certificate::load(dir.join("server.key_secret")).unwrap(),
            loaded
        );
        let public_file = fs::read_to_string(dir.join("server.key")).unwrap();
        let public_only = Certificate::parse(&public_file).unwrap();
        assert_eq!(public_only.public(), &public);
        assert_eq!(public_only.secret(), None);

        assert_eq!(public_keys_in_dir(&dir).unwrap(), [public]);
    });
}

#[test]
fn certificates_written_here_load_in_pyzmq() {
    if !common::curve_or_skip() {
        return;
    }
    within(|| {
        let Some(python) = require(python()) else {
            return;
        };
        let dir = scratch_dir("to-pyzmq");
        let mut server = Certificate::generate().unwrap();
        server
            .set_metadata("name", "say \"hi\" = ok # fine")
            .unwrap();
        server.save(dir.join("server.key")).unwrap();
        let client = Certificate::generate().unwrap();
        client.save(dir.join("client.key")).unwrap();
        let peer = Certificate::from_public(key(PUBLIC));
        peer.save(dir.join("peer.key")).unwrap();

        let load = |file: &str| {
            let path = dir.join(file);
            let finished = python_peer(
                python,
                "py_certs.py",
                ["load", path.to_str().expect("a UTF-8 path")],
            )
            .finish();
            finished.assert_success();
            pyzmq_keys(&finished.stdout)
        };
        assert_eq!(load("server.key"), (*server.public(), None));
        assert_eq!(
            load("server.key_secret"),
            (*server.public(), server.secret().copied())
        );
        assert_eq!(load("peer.key"), (key(PUBLIC), None));

        let listed = python_peer(
            python,
            "py_certs.py",
            ["load-dir", dir.to_str().expect("a UTF-8 path")],
        )
        .finish();
        listed.assert_success();
        let mut seen: Vec<CurveKey> = listed
            .stdout
            .iter()
            .map(|line| key(line.strip_prefix("KEY ").expect("KEY line")))
            .collect();
        seen.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        // pyzmq and this crate see the same allow-list in the directory.
        assert_eq!(seen, public_keys_in_dir(&dir).unwrap());
        assert_eq!(seen.len(), 3);
    });
}

#[test]
fn keys_loaded_from_certificates_do_a_curve_handshake() {
    if !common::curve_or_skip() {
        return;
    }
    let dir = scratch_dir("handshake");
    Certificate::generate()
        .unwrap()
        .save(dir.join("server.key"))
        .unwrap();
    Certificate::generate()
        .unwrap()
        .save(dir.join("client.key"))
        .unwrap();

    // The server's own certificate with its secret; the client knows the server's public
    // file only.
    let server_cert = Certificate::load(dir.join("server.key_secret")).unwrap();
    let client_cert = Certificate::load(dir.join("client.key")).unwrap();
    let server_public = fs::read_to_string(dir.join("server.key")).unwrap();
    let server_public = Certificate::parse(&server_public).unwrap();
    let server_pair = server_cert
        .key_pair()
        .expect("the secret file has a secret");
    let client_pair = client_cert.key_pair().expect("the secret file was found");

    let ctx = context();
    let server = socket(&ctx, SocketType::Rep);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(server_pair.secret()).unwrap();
    let endpoint = bind(&server, Transport::Tcp);

    // A client that expects another server key gets nothing through: the keys are in use.
    let stranger = socket(&ctx, SocketType::Req);
    stranger.set_curve_serverkey(&key(OTHER_PUBLIC)).unwrap();
    stranger.set_curve_publickey(client_pair.public()).unwrap();
    stranger.set_curve_secretkey(client_pair.secret()).unwrap();
    stranger.connect(&endpoint).unwrap();
    stranger.send("intruder", SendFlags::empty()).unwrap();
    assert_silent(&server);

    let client = socket(&ctx, SocketType::Req);
    client.set_curve_serverkey(server_public.public()).unwrap();
    client.set_curve_publickey(client_pair.public()).unwrap();
    client.set_curve_secretkey(client_pair.secret()).unwrap();
    client.connect(&endpoint).unwrap();

    client.send("hello", SendFlags::empty()).unwrap();
    let request = server.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(&request[..], b"hello");
    server.send("world", SendFlags::empty()).unwrap();
    assert_eq!(client.recv_string(RecvFlags::empty()).unwrap(), "world");
}

/// Fragments that put random text close to a certificate, so the reader's deeper paths run.
fn near_certificate() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(vec![
        "curve",
        "metadata",
        "public-key",
        "secret-key",
        " = ",
        "=",
        "\"",
        "'",
        "#",
        "    ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        PUBLIC,
        SECRET,
        "name",
        "x",
        "\u{feff}",
        "\0",
        "é",
    ]);
    prop::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn any_text_gives_ok_or_err_never_a_panic(text in any::<String>()) {
        let _ = Certificate::parse(&text);
    }

    #[test]
    fn any_bytes_give_ok_or_err_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Certificate::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn near_certificates_give_ok_or_err_and_what_parses_writes_back(text in near_certificate()) {
        if let Ok(cert) = Certificate::parse(&text) {
            let again = Certificate::parse(&cert.to_public_text()).unwrap();
            prop_assert_eq!(again.public(), cert.public());
            prop_assert_eq!(again.metadata().collect::<Vec<_>>(), cert.metadata().collect::<Vec<_>>());
            if cert.secret().is_some() {
                prop_assert_eq!(Certificate::parse(&cert.to_secret_text().unwrap()).unwrap(), cert);
            }
        }
    }

    #[test]
    fn accepted_metadata_round_trips(name in "[a-zA-Z0-9$_@.&+/-]{0,12}", value in any::<String>()) {
        let mut cert = Certificate::from_public(CurveKey::from_bytes([9; 32]));
        if cert.set_metadata(&name, &value).is_ok() {
            let again = Certificate::parse(&cert.to_public_text()).unwrap();
            prop_assert_eq!(again.metadata_value(&name), Some(value.as_str()));
        }
    }
}

#[test]
fn certificate_and_io_errors_have_errno_kind_and_text() {
    let dir = scratch_dir("error-text");
    let file = dir.join("server.key");
    fs::write(&file, "metadata\n    name = \"x\n").unwrap();
    let error = Certificate::load(&file).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "invalid CURVE certificate {} (line 2): the value has no closing \"",
            file.display()
        )
    );
    // Stands for EINVAL like the binding's other own errors; invalid data for io.
    assert_eq!(Error::from_errno(error.errno()), Error::InvalidArgument);
    let converted = io::Error::from(error.clone());
    assert_eq!(converted.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        converted.into_inner().unwrap().downcast_ref::<Error>(),
        Some(&error)
    );
    assert_eq!(
        Certificate::parse("").unwrap_err().to_string(),
        "invalid CURVE certificate: no curve section with a public-key: not a CURVE certificate"
    );
    // The error stays small: it is boxed.
    assert!(std::mem::size_of::<Error>() <= 48);

    // An I/O error keeps its kind through io::Error, and its errno is the OS's for that kind.
    for kind in [
        io::ErrorKind::NotFound,
        io::ErrorKind::PermissionDenied,
        io::ErrorKind::AlreadyExists,
    ] {
        let error = Error::Io {
            kind,
            message: "cannot read x: failed".into(),
        };
        assert_eq!(error.to_string(), "cannot read x: failed");
        assert_eq!(io::Error::from(error.clone()).kind(), kind);
        assert_eq!(io::Error::from_raw_os_error(error.errno()).kind(), kind);
    }
}

#[test]
fn a_file_too_large_for_a_certificate_is_refused_unread() {
    let dir = scratch_dir("too-large");
    let big = dir.join("big.log");
    // A valid certificate followed by comment lines past the limit.
    let mut text = Certificate::from_public(key(PUBLIC)).to_public_text();
    let limit = usize::try_from(zmq::cert::MAX_FILE_SIZE).unwrap();
    while text.len() <= limit {
        text.push_str("# padding padding padding padding padding padding padding\n");
    }
    fs::write(&big, &text).unwrap();
    let (path, _, reason) = invalid(Certificate::load(&big));
    assert_eq!(path, Some(big.clone()));
    assert!(reason.contains("too large"), "{reason}");
    assert!(public_keys_in_dir(&dir).is_err());

    // At the limit it is still read.
    let mut fits = Certificate::from_public(key(PUBLIC)).to_public_text();
    fits.push_str(&"#".repeat(limit - fits.len()));
    fs::write(&big, &fits).unwrap();
    assert_eq!(fits.len(), limit);
    assert_eq!(Certificate::load(&big).unwrap().public(), &key(PUBLIC));
}
