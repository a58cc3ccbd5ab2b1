//! czmq certificate files. TEMPORARY: only what the authenticator needs, until the
//! certificate module of issue 4 replaces this file.

use std::fs;
use std::path::Path;

use crate::curve::CurveKey;
use crate::error::{Error, Result};

fn io_error(error: &std::io::Error) -> Error {
    Error::from_errno(error.raw_os_error().unwrap_or(libc::EIO))
}

/// The public keys of the certificates in `dir`: every regular file whose name does not end
/// in `_secret`, with a line `public-key = "<40 Z85 characters>"`. Files without one are
/// skipped; a directory that cannot be read is an error.
pub(crate) fn public_keys_in_dir(dir: &Path) -> Result<Vec<CurveKey>> {
    let mut keys = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_error(&e))? {
        let entry = entry.map_err(|e| io_error(&e))?;
        let path = entry.path();
        if !path.is_file() || path.to_string_lossy().ends_with("_secret") {
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let key = text.lines().find_map(|line| {
            let (name, value) = line.trim().split_once('=')?;
            if name.trim() != "public-key" {
                return None;
            }
            value.trim().trim_matches('"').parse::<CurveKey>().ok()
        });
        keys.extend(key);
    }
    Ok(keys)
}
