//! CURVE certificates in czmq's file format, which czmq (`zcert`, `zcertstore`, `zauth`) and
//! pyzmq (`zmq.auth.create_certificates`, `load_certificate`, `load_certificates`) read and
//! write.
//!
//! A certificate is a CURVE public key, optionally its secret key, and free-form metadata
//! (`name = "value"` pairs). On disk it is two text files in ZPL, the ZeroMQ Property Language
//! (rfc.zeromq.org spec 4): the *public* file holds the public key only and is what peers get;
//! the *secret* file, named like the public one plus `_secret`, holds both keys and stays
//! private. A public file looks like this (the secret one adds a `secret-key` line):
//!
//! ```text
//! #   ZeroMQ CURVE public certificate
//!
//! metadata
//!     name = "server"
//! curve
//!     public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
//! ```
//!
//! [`Certificate`] reads, checks and writes one certificate; [`public_keys_in_dir`] collects
//! the public keys of a directory of certificates, the allow-list of a CURVE server.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::curve::{CurveKey, CurveKeyPair};
use crate::error::{Error, Result};

/// What the name of a secret file adds to the name of its public file.
const SECRET_SUFFIX: &str = "_secret";

/// The largest file read as a certificate: real ones are a few hundred bytes, and a stray
/// large file in a certificate directory must not be read into memory whole.
pub const MAX_FILE_SIZE: u64 = 64 * 1024;

/// A CURVE certificate: a public key, optionally the secret key that goes with it, and
/// metadata, as czmq and pyzmq keep them in files.
///
/// A certificate with a secret key is one's own ([`Certificate::generate`],
/// [`Certificate::new`], or a loaded secret file) and gives a [`CurveKeyPair`] to set up a
/// socket with; one without is a peer's ([`Certificate::from_public`], or a loaded public
/// file), whose public key goes into an allow-list or `set_curve_serverkey`.
///
/// `Debug` shows the public key and the metadata, never the secret key.
///
/// # The file format
///
/// Writing ([`to_public_text`](Certificate::to_public_text),
/// [`to_secret_text`](Certificate::to_secret_text), [`save`](Certificate::save)) produces
/// exactly the layout czmq and pyzmq write: a few `#` comment lines, a blank line, a
/// `metadata` section with one `name = "value"` line per entry (indented by four spaces), then
/// a `curve` section with `public-key = "<40 Z85 characters>"` and, in the secret file only,
/// `secret-key = "..."`. pyzmq's `load_certificate` and `load_certificates` read them (the
/// tests check it); czmq's reader takes the same layout, which is what `zcert_save` writes.
/// Values are always quoted (with `'` when the value holds a `"`), so spaces, `=` and `#`
/// survive.
///
/// Reading ([`parse`](Certificate::parse), [`load`](Certificate::load)) is liberal in what
/// ZPL allows and what hand-edited files contain: `\n`, `\r\n` or `\r` line endings, a UTF-8
/// byte order mark, `#` comment lines and comments after a value, blank lines, any
/// consistent indentation (a tab counts as four columns), values in double quotes, single
/// quotes or none (an unquoted value ends at `#`), any spacing around `=`, and unknown
/// sections or properties, which are ignored. pyzmq writes metadata values without quotes;
/// like czmq, the reader then ends such a value at a `#`. ZPL has no escapes: a quoted value runs to the
/// next quote of the same kind. It is strict about what matters: the `curve` section must
/// have exactly one `public-key` of 40 Z85 characters, at most one `secret-key`, and a
/// secret key must belong to the public key. A metadata name that appears twice keeps its
/// first value, as czmq does.
///
/// ```
/// # if zmq::has("curve") {
/// use zmq::Certificate;
///
/// let mut mine = Certificate::generate()?;
/// mine.set_metadata("name", "server")?;
///
/// // The public text goes to peers, who learn only the public key.
/// let theirs = Certificate::parse(&mine.to_public_text())?;
/// assert_eq!(theirs.public(), mine.public());
/// assert_eq!(theirs.secret(), None);
/// assert_eq!(theirs.metadata().collect::<Vec<_>>(), [("name", "server")]);
///
/// // The secret text gives the whole key pair back.
/// let again = Certificate::parse(&mine.to_secret_text()?)?;
/// assert_eq!(again.key_pair(), mine.key_pair());
/// # }
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    public: CurveKey,
    secret: Option<CurveKey>,
    /// In the order they were set or read; names are unique.
    metadata: Vec<(String, String)>,
}

impl Certificate {
    /// A certificate of a key pair (one's own), with no metadata.
    pub fn new(keys: CurveKeyPair) -> Certificate {
        let (public, secret) = keys.into_parts();
        Certificate {
            public,
            secret: Some(secret),
            metadata: Vec::new(),
        }
    }

    /// A certificate of a new random key pair ([`CurveKeyPair::generate`]), with no metadata.
    ///
    /// [`Error::NotSupported`] when the linked libzmq has no CURVE.
    pub fn generate() -> Result<Certificate> {
        CurveKeyPair::generate().map(Certificate::new)
    }

    /// A peer's certificate: its public key only, with no metadata.
    pub fn from_public(public: CurveKey) -> Certificate {
        Certificate {
            public,
            secret: None,
            metadata: Vec::new(),
        }
    }

    /// The public key.
    pub fn public(&self) -> &CurveKey {
        &self.public
    }

    /// The secret key, when the certificate has one.
    pub fn secret(&self) -> Option<&CurveKey> {
        self.secret.as_ref()
    }

    /// Both keys, when the certificate has the secret one, to set up a CURVE socket with.
    pub fn key_pair(&self) -> Option<CurveKeyPair> {
        self.secret
            .map(|secret| CurveKeyPair::from_checked_parts(self.public, secret))
    }

    /// The metadata, as `(name, value)` pairs in the order they were set or read.
    pub fn metadata(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.metadata
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The value of one metadata entry, if the certificate has it.
    pub fn metadata_value(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// Sets a metadata entry, replacing the value of an entry with the same name.
    ///
    /// Values may hold spaces, `=`, `#` and either kind of quote (the file then quotes them
    /// with the other kind). [`Error::InvalidCertificate`] for what the file format cannot
    /// hold: an empty name, a name with characters other than ASCII letters, digits and
    /// `$-_@.&+/` (or with `/` first or last), a name starting with `public-key` or
    /// `secret-key` (pyzmq's loader would take the line for a key), and a value with a line
    /// break, a NUL, or both `"` and `'`.
    ///
    /// ```
    /// let mut cert = zmq::Certificate::from_public(zmq::CurveKey::from_bytes([1; 32]));
    /// cert.set_metadata("email", "ops@example.com")?;
    /// cert.set_metadata("email", "security@example.com")?;
    /// assert_eq!(cert.metadata_value("email"), Some("security@example.com"));
    /// assert!(cert.set_metadata("two words", "x").is_err());
    /// assert!(cert.set_metadata("motto", "line\nbreak").is_err());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn set_metadata(&mut self, name: &str, value: &str) -> Result<()> {
        check_metadata(name, value).map_err(|reason| invalid(None, reason))?;
        match self.metadata.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value.to_owned(),
            None => self.metadata.push((name.to_owned(), value.to_owned())),
        }
        Ok(())
    }

    /// A certificate from the text of a public or a secret certificate file (see
    /// [the format](Certificate#the-file-format)).
    ///
    /// The result has a secret key when the text has one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCertificate`] with the line and the reason for a syntax error, a
    /// missing `curve` section or `public-key`, a key that is not 40 Z85 characters, a key
    /// given twice, a secret key that does not belong to the public key, or metadata that
    /// [`set_metadata`](Certificate::set_metadata) would refuse. Checking a secret key needs
    /// CURVE: [`Error::NotSupported`] when the text has one and the linked libzmq has no
    /// CURVE.
    ///
    /// ```
    /// let text = "metadata\n    name = 'peer'\ncurve\n    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n";
    /// let cert = zmq::Certificate::parse(text)?;
    /// assert_eq!(cert.public().to_string(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    /// assert_eq!(cert.metadata_value("name"), Some("peer"));
    ///
    /// let error = zmq::Certificate::parse("curve\n    public-key = \"short\"\n").unwrap_err();
    /// let zmq::Error::InvalidCertificate(details) = error else { panic!("{error:?}") };
    /// assert_eq!(details.line(), Some(2));
    /// assert_eq!(details.reason(), "public-key must be 40 Z85 characters, found 5");
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Certificate> {
        parse_text(text)
    }

    /// The text of the public file: metadata and public key, never the secret key.
    pub fn to_public_text(&self) -> String {
        self.to_text(None)
    }

    /// The text of the secret file: metadata, public key and secret key.
    ///
    /// [`Error::InvalidCertificate`] when the certificate has no secret key.
    pub fn to_secret_text(&self) -> Result<String> {
        match &self.secret {
            Some(secret) => Ok(self.to_text(Some(secret))),
            None => Err(no_secret()),
        }
    }

    fn to_text(&self, secret: Option<&CurveKey>) -> String {
        let mut text = String::from("#   ZeroMQ CURVE ");
        match secret {
            None => text.push_str(
                "public certificate, written by the Rust zmq crate\n\
                 #   in czmq's format (ZPL). Give it to peers over a channel you trust,\n\
                 #   or compare its key with them another way.\n",
            ),
            Some(_) => text.push_str(
                "secret certificate, written by the Rust zmq crate\n\
                 #   in czmq's format (ZPL). It holds the SECRET key: keep it private,\n\
                 #   and give peers the public file of the same name without _secret.\n",
            ),
        }
        text.push_str("\nmetadata\n");
        for (name, value) in &self.metadata {
            // set_metadata and parse refuse values with both quotes.
            let quote = if value.contains('"') { '\'' } else { '"' };
            text.push_str(&format!("    {name} = {quote}{value}{quote}\n"));
        }
        text.push_str("curve\n");
        text.push_str(&format!("    public-key = \"{}\"\n", self.public));
        if let Some(secret) = secret {
            text.push_str(&format!("    secret-key = \"{secret}\"\n"));
        }
        text
    }

    /// Reads a certificate file: a public one or a secret one.
    ///
    /// When the file at `path` has no secret key and a file named `path` + `_secret` exists
    /// beside it (the pair [`save`](Certificate::save), czmq and pyzmq write), that secret
    /// file is read too, as czmq's `zcert_load` does, and the result is the secret file's
    /// certificate (both keys, and the secret file's metadata). Its public key must be the
    /// public file's. When there is no such file, the result has the public key only.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file when it cannot be read (a missing `path`; an existing
    /// `_secret` file that cannot be read). [`Error::InvalidCertificate`] naming the file for
    /// a file larger than [`MAX_FILE_SIZE`], text that is not UTF-8, everything
    /// [`parse`](Certificate::parse) refuses (including [`Error::NotSupported`] for a secret
    /// key without CURVE), a `_secret` file without a secret key, and a `_secret` file whose
    /// public key differs.
    pub fn load(path: impl AsRef<Path>) -> Result<Certificate> {
        let path = path.as_ref();
        let certificate = read_certificate(path)?;
        if certificate.secret.is_some() {
            return Ok(certificate);
        }
        let secret_path = secret_path(path);
        match fs::metadata(&secret_path) {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(certificate),
            Err(error) => return Err(Error::io("read", &secret_path, &error)),
        }
        let full = read_certificate(&secret_path)?;
        if full.secret.is_none() {
            return Err(in_file(
                invalid(None, "a _secret file without a secret-key"),
                &secret_path,
            ));
        }
        if full.public != certificate.public {
            let reason = format!("its public-key differs from the one in {}", path.display());
            return Err(in_file(invalid(None, reason), &secret_path));
        }
        Ok(full)
    }

    /// Writes the certificate as czmq does: the public file at `path` and, when the
    /// certificate has a secret key, the secret file at `path` + `_secret` (see
    /// [`save_secret`](Certificate::save_secret)). Existing files are replaced. A certificate
    /// without a secret key writes the public file only and leaves any `_secret` file there
    /// alone ([`load`](Certificate::load) would then find it and check it against the new
    /// public key).
    ///
    /// [`Error::Io`] naming the file that could not be written.
    ///
    /// ```no_run
    /// # fn main() -> zmq::Result<()> {
    /// let server = zmq::Certificate::generate()?;
    /// server.save("certificates/server.key")?; // and certificates/server.key_secret
    /// let loaded = zmq::Certificate::load("certificates/server.key")?;
    /// assert_eq!(loaded.key_pair(), server.key_pair());
    /// # Ok(()) }
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        self.save_public(path)?;
        if self.secret.is_some() {
            self.save_secret(secret_path(path))?;
        }
        Ok(())
    }

    /// Writes the public file (no secret key) at exactly `path`, replacing any file there.
    ///
    /// [`Error::Io`] naming the file when it cannot be written.
    pub fn save_public(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        fs::write(path, self.to_public_text()).map_err(|e| Error::io("write", path, &e))
    }

    /// Writes the secret file (both keys) at exactly `path`, replacing any file there. On
    /// Unix the file is readable and writable by its owner only (mode `0600`), also when it
    /// existed before with a wider mode.
    ///
    /// [`Error::InvalidCertificate`] when the certificate has no secret key (nothing is
    /// written); [`Error::Io`] naming the file when it cannot be written.
    pub fn save_secret(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = self.to_secret_text()?;
        write_private(path, text.as_bytes()).map_err(|e| Error::io("write", path, &e))
    }
}

/// What is wrong with a certificate, and where: the details of
/// [`Error::InvalidCertificate`].
///
/// `Display` gives all of it in one line: `invalid CURVE certificate <file> (line <n>):
/// <reason>`, leaving out what is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateError {
    path: Option<PathBuf>,
    line: Option<usize>,
    reason: String,
}

impl CertificateError {
    /// The file, when the certificate came from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based line the problem is on, when it is about one line.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong, in words.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid CURVE certificate")?;
        if let Some(path) = &self.path {
            write!(f, " {}", path.display())?;
        }
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("public", &format_args!("{}", self.public))
            .field(
                "secret",
                &format_args!(
                    "{}",
                    if self.secret.is_some() {
                        "Some(..)"
                    } else {
                        "None"
                    }
                ),
            )
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// The public keys of the certificates in a directory, sorted (by their bytes) and without
/// duplicates: the allow-list of a CURVE server, as czmq's `zcertstore` loads it.
///
/// Every regular file in `dir` and its subdirectories is read as a certificate file, the rule
/// of czmq's certificate store, except:
/// - files whose name ends in `_secret` (the secret halves; they are never opened);
/// - files and directories whose name starts with `.` (editor and system files);
/// - anything that is neither a regular file nor a directory (sockets, pipes), and
///   symbolic links to directories (which could loop); symbolic links to files are read.
///
/// pyzmq's `load_certificates` reads only `*.key` files of the top directory; the public files
/// it writes are such files, so a directory of pyzmq certificates gives the same keys here.
/// A file whose text has a secret key adds its public key (the secret key is checked against
/// it, see [`Certificate::parse`]).
///
/// # Errors
///
/// No file is skipped silently, as a missing key would lock a client out without a trace: a
/// file that is not a certificate (a `README`, binary junk, an empty file, a file larger than
/// [`MAX_FILE_SIZE`]) is an
/// [`Error::InvalidCertificate`] that names it, and one that cannot be read an
/// [`Error::Io`] that names it. [`Error::Io`] when `dir` cannot be listed (it does not exist,
/// it is not a directory).
pub fn public_keys_in_dir(dir: &Path) -> Result<Vec<CurveKey>> {
    let mut keys = Vec::new();
    collect_public_keys(dir, &mut keys)?;
    keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    keys.dedup();
    Ok(keys)
}

fn collect_public_keys(dir: &Path, keys: &mut Vec<CurveKey>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list the directory", dir, &e))?;
    let mut entries = entries
        .collect::<io::Result<Vec<_>>>()
        .map_err(|e| Error::io("list the directory", dir, &e))?;
    // A stable order, so the same directory reports the same first error.
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.as_encoded_bytes();
        if name.starts_with(b".") || name.ends_with(SECRET_SUFFIX.as_bytes()) {
            continue;
        }
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("inspect", &path, &e))?;
        if kind.is_dir() {
            collect_public_keys(&path, keys)?;
        } else if kind.is_file()
            || (kind.is_symlink()
                && fs::metadata(&path)
                    .map_err(|e| Error::io("follow the link", &path, &e))?
                    .is_file())
        {
            keys.push(read_certificate(&path)?.public);
        }
    }
    Ok(())
}

/// The path of the secret file that goes with a public file.
fn secret_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(SECRET_SUFFIX);
    PathBuf::from(name)
}

/// Reads and parses one file, naming it in every error.
fn read_certificate(path: &Path) -> Result<Certificate> {
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, &e))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        let reason = format!("larger than {MAX_FILE_SIZE} bytes, too large for a certificate");
        return Err(in_file(invalid(None, reason), path));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let good = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            return Err(in_file(
                invalid(Some(line), "not a text file (invalid UTF-8)"),
                path,
            ));
        }
    };
    parse_text(&text).map_err(|error| in_file(error, path))
}

/// Writes a file only its owner may read (on Unix), replacing what was there.
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        // The mode above applies to a new file only; an existing one keeps its mode.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(contents)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(contents)?;
        file.sync_all()
    }
}

fn invalid(line: Option<usize>, reason: impl Into<String>) -> Error {
    Error::InvalidCertificate(Box::new(CertificateError {
        path: None,
        line,
        reason: reason.into(),
    }))
}

fn no_secret() -> Error {
    invalid(None, "the certificate has no secret key")
}

/// Names the file in a certificate error that has no path yet.
fn in_file(mut error: Error, file: &Path) -> Error {
    if let Error::InvalidCertificate(details) = &mut error {
        details.path.get_or_insert_with(|| file.to_owned());
    }
    error
}

/// A ZPL name character, as czmq's `zconfig` reads them.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "$-_@.&+/".contains(c)
}

/// Why a metadata entry cannot be written in a certificate file, if it cannot.
fn check_metadata(name: &str, value: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("a metadata name cannot be empty".into());
    }
    if !name.chars().all(is_name_char) || name.starts_with('/') || name.ends_with('/') {
        return Err(format!(
            "the metadata name {:?} may only hold ASCII letters, digits and $-_@.&+/ (not / first or last)",
            snippet(name)
        ));
    }
    if name.starts_with("public-key") || name.starts_with("secret-key") {
        return Err(format!(
            "the metadata name {name:?} starts like a key, and pyzmq would read its line as one"
        ));
    }
    if value.contains(['\n', '\r', '\0']) {
        return Err(format!(
            "the value of metadata {name:?} holds a line break or a NUL"
        ));
    }
    if value.contains('"') && value.contains('\'') {
        return Err(format!(
            "the value of metadata {name:?} holds both \" and ', which ZPL cannot quote"
        ));
    }
    Ok(())
}

/// At most a few characters of some text, for an error message.
fn snippet(text: &str) -> String {
    const MAX: usize = 24;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// The lines of a text, ended by `\n`, `\r\n` or `\r`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\n', '\r']) {
            Some(end) => {
                let skip = if text[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&text[end + skip..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// The width of a line's indentation: a space is one column, a tab moves to the next multiple
/// of four.
fn indent_width(indent: &str) -> usize {
    indent.chars().fold(0, |width, c| match c {
        '\t' => width + 4 - width % 4,
        _ => width + 1,
    })
}

/// The value after a property's name: `None` for a bare name (a section), else the value
/// without its quotes. The error is the reason.
fn parse_value(rest: &str) -> std::result::Result<Option<String>, String> {
    let rest = rest.trim_start();
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    let Some(rest) = rest.strip_prefix('=') else {
        return Err(format!(
            "expected `=` or the end of the line after the name, found {:?}",
            snippet(rest)
        ));
    };
    let rest = rest.trim_start();
    let quote = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => quote,
        // An unquoted value runs to a comment or the end of the line.
        _ => {
            let value = rest.find('#').map_or(rest, |comment| &rest[..comment]);
            return Ok(Some(value.trim_end().to_owned()));
        }
    };
    let inner = &rest[1..];
    let Some(end) = inner.find(quote) else {
        return Err(format!("the value has no closing {quote}"));
    };
    let after = inner[end + 1..].trim_start();
    if !after.is_empty() && !after.starts_with('#') {
        return Err(format!(
            "unexpected {:?} after the quoted value",
            snippet(after)
        ));
    }
    Ok(Some(inner[..end].to_owned()))
}

/// A key in the `curve` section, from its value.
fn parse_key(line: usize, name: &str, value: Option<String>) -> Result<CurveKey> {
    let value = value.unwrap_or_default();
    let value = value.trim();
    let length = value.chars().count();
    if length != CurveKey::Z85_LEN {
        return Err(invalid(
            Some(line),
            format!("{name} must be 40 Z85 characters, found {length}"),
        ));
    }
    CurveKey::from_z85(value)
        .map_err(|error| invalid(Some(line), format!("{name} is not valid Z85: {error}")))
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Metadata,
    Curve,
    Other,
}

fn parse_text(text: &str) -> Result<Certificate> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut section: Option<Section> = None;
    // The indentation of the current section's properties, set by its first one.
    let mut property_indent: Option<usize> = None;
    let mut saw_curve = false;
    let mut public: Option<CurveKey> = None;
    let mut secret: Option<(CurveKey, usize)> = None;
    let mut metadata: Vec<(String, String)> = Vec::new();

    for (index, line) in lines(text).enumerate() {
        let number = index + 1;
        let line = line.trim_end();
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = indent_width(&line[..line.len() - body.len()]);
        let name_end = body.find(|c| !is_name_char(c)).unwrap_or(body.len());
        let name = &body[..name_end];
        if name.is_empty() {
            return Err(invalid(
                Some(number),
                format!("expected a name, found {:?}", snippet(body)),
            ));
        }
        let value = parse_value(&body[name_end..]).map_err(|r| invalid(Some(number), r))?;

        if indent == 0 {
            section = Some(match name {
                "metadata" => Section::Metadata,
                "curve" => Section::Curve,
                _ => Section::Other,
            });
            saw_curve |= name == "curve";
            property_indent = None;
            continue;
        }
        let Some(current) = section else {
            return Err(invalid(Some(number), "an indented line before any section"));
        };
        let indent_of_properties = *property_indent.get_or_insert(indent);
        if indent < indent_of_properties {
            return Err(invalid(
                Some(number),
                format!(
                    "indented by {indent} columns, less than the {indent_of_properties} of the lines above"
                ),
            ));
        }
        if indent > indent_of_properties {
            // A property of a property: not part of a certificate.
            continue;
        }
        match (current, name) {
            (Section::Metadata, _) => {
                let value = value.unwrap_or_default();
                check_metadata(name, &value).map_err(|r| invalid(Some(number), r))?;
                if !metadata.iter().any(|(n, _)| n == name) {
                    metadata.push((name.to_owned(), value));
                }
            }
            (Section::Curve, "public-key") => {
                if public.is_some() {
                    return Err(invalid(Some(number), "a second public-key"));
                }
                public = Some(parse_key(number, name, value)?);
            }
            (Section::Curve, "secret-key") => {
                if secret.is_some() {
                    return Err(invalid(Some(number), "a second secret-key"));
                }
                secret = Some((parse_key(number, name, value)?, number));
            }
            _ => {}
        }
    }

    let Some(public) = public else {
        let reason = if saw_curve {
            "the curve section has no public-key"
        } else {
            "no curve section with a public-key: not a CURVE certificate"
        };
        return Err(invalid(None, reason));
    };
    let secret = match secret {
        None => None,
        Some((secret, line)) => {
            let pair = CurveKeyPair::from_secret(secret)?;
            if *pair.public() != public {
                return Err(invalid(
                    Some(line),
                    "the secret-key does not belong to the public-key",
                ));
            }
            Some(secret)
        }
    };
    Ok(Certificate {
        public,
        secret,
        metadata,
    })
}
