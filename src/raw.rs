//! Raw handles shared with C or C++ code in the same process: who owns them, the check that
//! a foreign pointer belongs to the libzmq this crate links, and the references that
//! [`Context::into_raw`](crate::Context::into_raw) hands over.

use std::os::raw::c_void;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};
use crate::sys;

/// Whether a handle ends the libzmq object it wraps (terminates the context, closes the
/// socket) when it goes, or leaves that to the C or C++ code that lent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// Made by this crate, or handed to it with `from_raw`: ended on drop.
    Owned,
    /// Lent with `from_raw_borrowed`: never ended by this crate.
    Borrowed,
}

/// Refuses a null pointer, and any pointer at all while another copy of libzmq is loaded in
/// the process: a context or socket of that copy has the same tag libzmq checks, so its own
/// check cannot tell the copies apart, and this one must not touch the other's objects.
pub(crate) fn check_foreign_pointer(ptr: *mut c_void) -> Result<()> {
    if ptr.is_null() {
        return Err(Error::ForeignHandle("a null pointer".to_owned()));
    }
    match other_libzmq() {
        Some(other) => Err(Error::ForeignHandle(format!(
            "another libzmq ({other}) is loaded in this process besides the one this crate \
             links (libzmq {}{}); in-process sharing needs one libzmq for both sides",
            crate::version(),
            if cfg!(zmq_vendored) {
                ", built from source and linked statically"
            } else {
                ""
            }
        ))),
        None => Ok(()),
    }
}

/// Another copy of libzmq in this process, described by its path and version: a loaded
/// object whose `zmq_ctx_new` is not the one this crate calls.
#[cfg(target_os = "linux")]
fn other_libzmq() -> Option<String> {
    use std::ffi::{CStr, CString};
    use std::os::raw::c_int;

    unsafe extern "C" fn collect(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        names: *mut c_void,
    ) -> c_int {
        // SAFETY: `names` is the Vec passed to dl_iterate_phdr below, alive and not otherwise
        // borrowed during the call; `info` points to a valid entry whose name, when not null,
        // is a NUL-terminated string.
        unsafe {
            let names = &mut *names.cast::<Vec<CString>>();
            let name = (*info).dlpi_name;
            if !name.is_null() && *name != 0 {
                names.push(CStr::from_ptr(name).to_owned());
            }
        }
        0
    }

    let mut names: Vec<CString> = Vec::new();
    // SAFETY: the callback only pushes onto `names`, which outlives the call, and never
    // unwinds (pushing can only abort on allocation failure).
    unsafe { libc::dl_iterate_phdr(Some(collect), (&mut names as *mut Vec<CString>).cast()) };
    let ours = sys::zmq_ctx_new as *const () as usize;
    for name in names {
        // SAFETY: RTLD_NOLOAD only looks up an object already loaded; the handle is closed
        // right after the lookup, which leaves the object loaded.
        let theirs = unsafe {
            let handle = libc::dlopen(name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_NOLOAD);
            if handle.is_null() {
                continue;
            }
            let symbol = libc::dlsym(handle, c"zmq_ctx_new".as_ptr());
            let version = libc::dlsym(handle, c"zmq_version".as_ptr());
            libc::dlclose(handle);
            (symbol, version)
        };
        if theirs.0.is_null() || theirs.0 as usize == ours {
            continue;
        }
        let mut version = String::new();
        if !theirs.1.is_null() {
            let (mut major, mut minor, mut patch): (c_int, c_int, c_int) = (0, 0, 0);
            // SAFETY: `zmq_version` of a loaded libzmq, with its C signature; it only writes
            // the three integers.
            unsafe {
                let zmq_version: unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int) =
                    std::mem::transmute(theirs.1);
                zmq_version(&mut major, &mut minor, &mut patch);
            }
            version = format!("libzmq {major}.{minor}.{patch} ");
        }
        return Some(format!(
            "{version}from {}",
            defining_object(theirs.0).unwrap_or_else(|| name.to_string_lossy().into_owned())
        ));
    }
    None
}

/// The path of the loaded object that defines `symbol`.
#[cfg(target_os = "linux")]
fn defining_object(symbol: *mut c_void) -> Option<String> {
    // SAFETY: Dl_info is a plain C struct, for which all zeros is a valid value.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the address and fills `info`; the name it returns points
    // into the loader's data of a loaded object.
    unsafe {
        if libc::dladdr(symbol, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr(info.dli_fname)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// Elsewhere, only libzmq's own checks apply.
#[cfg(not(target_os = "linux"))]
fn other_libzmq() -> Option<String> {
    None
}

/// Context references handed to C or C++ code by `Context::into_raw`, until
/// `Context::from_raw` takes them back. `T` is the context's shared state.
pub(crate) struct HandedOver<T> {
    references: Mutex<Vec<Arc<T>>>,
}

impl<T> HandedOver<T> {
    pub(crate) const fn new() -> Self {
        HandedOver {
            references: Mutex::new(Vec::new()),
        }
    }

    /// Keeps one reference alive on behalf of the C or C++ side.
    pub(crate) fn keep(&self, reference: Arc<T>) {
        self.lock().push(reference);
    }

    /// Takes back one reference kept for the raw pointer `ptr`, if any.
    pub(crate) fn take(&self, ptr: *mut c_void, raw: impl Fn(&T) -> *mut c_void) -> Option<Arc<T>> {
        let mut references = self.lock();
        let at = references.iter().position(|r| raw(r) == ptr)?;
        Some(references.swap_remove(at))
    }

    /// How many references are kept for `ptr`.
    pub(crate) fn count(&self, ptr: *mut c_void, raw: impl Fn(&T) -> *mut c_void) -> usize {
        self.lock().iter().filter(|r| raw(r) == ptr).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<T>>> {
        // A panic while holding the lock cannot leave the Vec inconsistent.
        self.references
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
