//! Messages: one frame of a ZeroMQ message, owning a `zmq_msg_t`.

use std::alloc::{handle_alloc_error, Layout};
use std::cell::UnsafeCell;
use std::ffi::CStr;
use std::fmt;
use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::error::{c_string, check, Result};
use crate::socket::SocketType;
use crate::sys;

/// Sizes up to this fit inside the `zmq_msg_t` itself (libzmq's "very small message", 33
/// bytes on 64-bit targets), so copying them costs no allocation, while handing libzmq a
/// buffer to share costs one for its reference count. Only a speed threshold: nothing
/// depends on it being exact.
const INLINE_SIZE: usize = 64 - 3 - 16 - 4 - std::mem::size_of::<*const u8>();

/// One frame of a ZeroMQ message.
///
/// A `Message` owns a libzmq `zmq_msg_t`: it dereferences to its bytes, and is closed on drop.
/// Building one from owned bytes takes them without copying ([`From<Vec<u8>>`],
/// [`Box<[u8]>`](From<Box<[u8]>>), [`String`], [`Message::from_static`],
/// [`Message::from_owner`]); libzmq frees them on whichever thread drops its last reference.
///
/// `Clone` shares the bytes through `zmq_msg_copy`. Writing (`DerefMut`) to bytes that may be
/// shared (with a clone, another receiver of the same published message, or an owner such as
/// a `&'static` slice) first copies them, so a write never shows anywhere else.
///
/// ```
/// let mut msg = zmq::Message::from(vec![1u8, 2, 3]);
/// let copy = msg.clone();
/// msg[0] = 9; // copies first: `copy` shares the buffer
/// assert_eq!(&msg[..], &[9, 2, 3]);
/// assert_eq!(&copy[..], &[1, 2, 3]);
/// ```
pub struct Message {
    // libzmq writes to a message through calls that look like reads in Rust (zmq_msg_copy
    // marks its source as shared), hence the UnsafeCell; it also makes `Message` !Sync.
    raw: UnsafeCell<sys::zmq_msg_t>,
    // True when nothing but this message can see its bytes (they were allocated for it, or
    // handed over by an owner that gave them up), so writing needs no copy as long as libzmq
    // has not marked them shared since.
    exclusive: bool,
}

// SAFETY: a zmq_msg_t may move between threads (libzmq does so itself over inproc); shared
// content is reference-counted atomically, and owners passed to from_owner are Send.
unsafe impl Send for Message {}

impl Message {
    /// An empty message.
    pub fn new() -> Message {
        let mut raw = MaybeUninit::<sys::zmq_msg_t>::uninit();
        // SAFETY: zmq_msg_init initialises the message and cannot fail.
        unsafe { sys::zmq_msg_init(raw.as_mut_ptr()) };
        // SAFETY: initialised just above.
        Message::wrap(unsafe { raw.assume_init() }, true)
    }

    /// A message of `len` zero bytes, to be written through `DerefMut` before sending: one
    /// allocation by libzmq for the bytes (none up to 33 bytes, which live inside the
    /// message), as `zmq_msg_init_size` makes.
    ///
    /// The bytes are zeroed because libzmq leaves them uninitialised, and safe code may read
    /// them. Zeroing costs a pass over the bytes (and, for large messages, touching every
    /// page): to write the content only once, build the message with
    /// [`Message::with_size_uninit`], or from the bytes themselves ([`From<&[u8]>`] copies
    /// them once, [`From<Vec<u8>>`] takes them without copying).
    ///
    /// Returns [`Error::OutOfMemory`](crate::Error::OutOfMemory) when libzmq cannot allocate it, never aborts.
    #[inline]
    pub fn with_size(len: usize) -> Result<Message> {
        // The length is known here: no zmq_msg_size call, as `fill` needs.
        Ok(Message::with_size_uninit(len)?.fill_len(len, 0))
    }

    /// A message of `len` bytes that are not written yet, as `zmq_msg_init_size` makes it:
    /// one allocation by libzmq (none up to 33 bytes), and no pass over the bytes. Write them
    /// through [`UninitMessage`] ([`copy_from_slice`](UninitMessage::copy_from_slice),
    /// [`fill`](UninitMessage::fill), or [`as_uninit_mut`](UninitMessage::as_uninit_mut)
    /// then the `unsafe` [`assume_init`](UninitMessage::assume_init)), which turns into a
    /// [`Message`] only once they are.
    ///
    /// Returns [`Error::OutOfMemory`](crate::Error::OutOfMemory) when libzmq cannot allocate
    /// it, never aborts.
    ///
    /// ```
    /// let header = *b"HDR1";
    /// let body = [7u8; 60];
    /// let mut msg = zmq::Message::with_size_uninit(header.len() + body.len())?;
    /// let buf = msg.as_uninit_mut();
    /// for (slot, byte) in buf.iter_mut().zip(header.iter().chain(&body)) {
    ///     slot.write(*byte);
    /// }
    /// // SAFETY: the loop above wrote every byte (the chain is exactly as long as `buf`).
    /// let msg = unsafe { msg.assume_init() };
    /// assert_eq!(&msg[..4], b"HDR1");
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_msg_init_size")]
    #[inline]
    pub fn with_size_uninit(len: usize) -> Result<UninitMessage> {
        let mut raw = MaybeUninit::<sys::zmq_msg_t>::uninit();
        // SAFETY: plain FFI call; on failure the message is left uninitialised and not used.
        check(unsafe { sys::zmq_msg_init_size(raw.as_mut_ptr(), len) })?;
        // SAFETY: zmq_msg_init_size succeeded, so the zmq_msg_t is initialised (its bytes
        // are not, which UninitMessage keeps from safe code until they are written).
        Ok(UninitMessage {
            msg: Message::wrap(unsafe { raw.assume_init() }, true),
        })
    }

    /// A message that refers to static bytes without copying them.
    pub fn from_static(data: &'static [u8]) -> Message {
        if data.is_empty() {
            return Message::new();
        }
        let mut raw = MaybeUninit::<sys::zmq_msg_t>::uninit();
        // SAFETY: without a free function libzmq makes a constant message that only reads
        // `data`, which lives for ever. It fails only when out of memory.
        let rc = unsafe {
            sys::zmq_msg_init_data(
                raw.as_mut_ptr(),
                data.as_ptr() as *mut c_void,
                data.len(),
                None,
                ptr::null_mut(),
            )
        };
        if rc == -1 {
            handle_alloc_error(Layout::new::<sys::zmq_msg_t>());
        }
        // SAFETY: initialised by the successful call above. The bytes are static and may be
        // read-only: never exclusive, so a write copies them first.
        Message::wrap(unsafe { raw.assume_init() }, false)
    }

    /// A message that takes ownership of `owner` and sends its bytes without copying them.
    ///
    /// libzmq drops `owner` once the last copy of the message is gone, possibly on one of its
    /// I/O threads (hence `Send + 'static`). A panic in `owner`'s `Drop` is caught there and
    /// never unwinds into C. The bytes are never written through the message: a write copies
    /// them first, since other handles (a `bytes::Bytes` clone, an `Arc`) may share them.
    pub fn from_owner<T: AsRef<[u8]> + Send + 'static>(owner: T) -> Message {
        let owner = Box::new(owner);
        // Take the address after boxing: the bytes of an inline owner move with it.
        let data = (*owner).as_ref();
        let (ptr, len) = (data.as_ptr(), data.len());
        if len == 0 {
            return Message::new();
        }
        let hint = Box::into_raw(owner);
        // SAFETY: ptr/len are the bytes of the boxed owner, which stays alive (and does not
        // move) until libzmq calls drop_owner::<T> with `hint` exactly once.
        unsafe { Message::from_raw_parts(ptr as *mut u8, len, drop_owner::<T>, hint.cast(), false) }
    }

    /// Wraps zero-copy bytes; on failure releases them through `free` and reports the
    /// allocation failure.
    ///
    /// # Safety
    ///
    /// `data` must point to `len` bytes that stay valid until `free(data, hint)` is called,
    /// and `free` must release them exactly once. When `exclusive` is true, nothing else may
    /// read or write the bytes while the message lives.
    unsafe fn from_raw_parts(
        data: *mut u8,
        len: usize,
        free: unsafe extern "C" fn(*mut c_void, *mut c_void),
        hint: *mut c_void,
        exclusive: bool,
    ) -> Message {
        let mut raw = MaybeUninit::<sys::zmq_msg_t>::uninit();
        // SAFETY: the caller guarantees data/len/free/hint; libzmq calls free exactly once
        // when the last reference goes, on success only.
        let rc =
            unsafe { sys::zmq_msg_init_data(raw.as_mut_ptr(), data.cast(), len, Some(free), hint) };
        if rc == -1 {
            // libzmq could not allocate its reference count and did not take the bytes.
            // SAFETY: the bytes were not taken, so they are released here, once.
            unsafe { free(data.cast(), hint) };
            handle_alloc_error(Layout::new::<sys::zmq_msg_t>());
        }
        // SAFETY: initialised by the successful call above.
        Message::wrap(unsafe { raw.assume_init() }, exclusive)
    }

    #[inline]
    fn wrap(raw: sys::zmq_msg_t, exclusive: bool) -> Message {
        Message {
            raw: UnsafeCell::new(raw),
            exclusive,
        }
    }

    /// The raw `zmq_msg_t`, for the C API. It stays owned by this message. The same as
    /// [`Message::as_mut_raw`].
    #[inline]
    pub fn as_mut_ptr(&mut self) -> *mut sys::zmq_msg_t {
        self.raw.get_mut()
    }

    /// The raw `zmq_msg_t`, for C or C++ calls that only read it (`zmq_msg_data`,
    /// `zmq_msg_size`, `zmq_msg_more`, `zmq_msg_gets`, or `zmq_msg_copy` as the source). It
    /// stays owned by this message and valid while the message lives and does not move. The
    /// C API takes `zmq_msg_t *` even where it only reads: cast with `cast_mut()`, and write
    /// nothing through it (use [`Message::as_mut_raw`] to change the message).
    pub fn as_raw(&self) -> *const sys::zmq_msg_t {
        self.raw.get()
    }

    /// The raw `zmq_msg_t`, for C or C++ calls that change it (`zmq_msg_send`,
    /// `zmq_msg_recv`, `zmq_msg_move`, ...). It stays owned by this message: do not close
    /// it. After a call that put new content in it, the message copies its bytes before
    /// its first write through [`DerefMut`], as after a receive.
    pub fn as_mut_raw(&mut self) -> *mut sys::zmq_msg_t {
        // Whatever C does with it, the bytes may be shared from now on.
        self.exclusive = false;
        self.raw.get_mut()
    }

    /// Gives the `zmq_msg_t` up without closing it, to C or C++ code, which then owns it
    /// and must close it (`zmq_msg_close`) or send it (`zmq_msg_send`). Moving a
    /// `zmq_msg_t` to another address is what libzmq itself does: its content does not
    /// point into the struct.
    pub fn into_raw(self) -> sys::zmq_msg_t {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the message is moved out exactly once and
        // closed by its new owner only.
        unsafe { std::ptr::read(this.raw.get()) }
    }

    /// Takes ownership of a `zmq_msg_t` from C or C++ code (initialised with
    /// `zmq_msg_init*`, or received): the message closes it when dropped. Its bytes may be
    /// shared, so a write through [`DerefMut`] copies them first.
    ///
    /// # Safety
    ///
    /// `raw` must be an initialised, not yet closed message of the libzmq this crate links,
    /// moved out of its C or C++ owner, which must not close or use it any more. A message
    /// made with `zmq_msg_init_data` must have a free function that may run on any thread.
    pub unsafe fn from_raw(raw: sys::zmq_msg_t) -> Message {
        Message::wrap(raw, false)
    }

    /// The raw message for calls that only read it, or whose writes Rust cannot observe
    /// (the UnsafeCell allows them).
    #[inline]
    fn raw_ptr(&self) -> *mut sys::zmq_msg_t {
        self.raw.get()
    }

    /// Called after libzmq put new content into this message (a receive): nothing is known
    /// about who else sees those bytes (over inproc they may be another program's), so a
    /// write copies them first.
    #[inline]
    pub(crate) fn set_received(&mut self) {
        self.exclusive = false;
    }

    /// Called after libzmq took this message's content (a successful send) and left it empty.
    #[inline]
    pub(crate) fn set_emptied(&mut self) {
        self.exclusive = true;
    }

    /// The number of bytes (`zmq_msg_size`): the same as the slice's `len()`, without
    /// asking libzmq for the data pointer too.
    #[doc(alias = "zmq_msg_size")]
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: zmq_msg_size only reads a live message.
        unsafe { sys::zmq_msg_size(self.raw_ptr()) }
    }

    /// Whether the message has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether more frames of the same multipart message follow this one.
    #[doc(alias = "zmq_msg_more")]
    pub fn more(&self) -> bool {
        // SAFETY: zmq_msg_more only reads a live message.
        unsafe { sys::zmq_msg_more(self.raw_ptr()) == 1 }
    }

    /// A metadata property of a received message: `Socket-Type`, `Routing-Id`, `User-Id`,
    /// `Peer-Address`, or an application's own (`X-…`) property. `None` if the message has no
    /// such property, or its value is not UTF-8 (see [`Message::gets_bytes`]).
    #[doc(alias = "zmq_msg_gets")]
    pub fn gets(&self, property: &str) -> Option<&str> {
        self.gets_bytes(property)
            .and_then(|value| std::str::from_utf8(value).ok())
    }

    /// A metadata property as bytes; `None` if absent or if `property` contains a NUL byte.
    pub fn gets_bytes(&self, property: &str) -> Option<&[u8]> {
        let name = c_string(property).ok()?;
        // SAFETY: zmq_msg_gets reads the message's metadata, which the message holds a
        // reference to; the returned string lives as long as that metadata, so as long as
        // `self` (borrowed for the result's lifetime) is neither dropped nor changed.
        let value = unsafe { sys::zmq_msg_gets(self.raw_ptr(), name.as_ptr()) };
        if value.is_null() {
            return None;
        }
        // SAFETY: non-null results are NUL-terminated strings owned by the metadata.
        Some(unsafe { CStr::from_ptr(value) }.to_bytes())
    }

    /// The type of the socket that sent this message (the `Socket-Type` property of its
    /// connection), for messages received over tcp or ipc.
    pub fn peer_socket_type(&self) -> Option<SocketType> {
        self.gets("Socket-Type").and_then(SocketType::from_name)
    }

    /// The routing id the sending socket announced in its handshake, if it set one. Cut at
    /// its first NUL byte, as every metadata value is.
    pub fn peer_routing_id(&self) -> Option<&[u8]> {
        // libzmq 4.3 documents `Routing-Id` but stores the handshake's property under its
        // ZMTP name `Identity`, which is the only name that finds it.
        self.gets_bytes("Routing-Id")
            .or_else(|| self.gets_bytes("Identity"))
    }

    /// The address of the peer that sent this message (`Peer-Address`): its IP address over
    /// tcp.
    pub fn peer_address(&self) -> Option<&str> {
        self.gets("Peer-Address")
    }

    /// The user id a ZAP handler assigned to the connection (`User-Id`): the authenticated
    /// identity of the sender, when the socket uses authentication.
    pub fn user_id(&self) -> Option<&str> {
        self.gets("User-Id")
    }

    /// The routing id of a message received on a SERVER or PEER socket: the connection it
    /// came from, to set on the reply ([`Message::set_routing_id`]). `None` when the message
    /// has none (libzmq's 0).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_routing_id")]
    pub fn routing_id(&self) -> Option<u32> {
        // SAFETY: zmq_msg_routing_id only reads a live message.
        let id = unsafe { sys::zmq_msg_routing_id(self.raw_ptr()) };
        (id != 0).then_some(id)
    }

    /// Addresses the message to the connection with this routing id, for sending on a
    /// SERVER or PEER socket. 0 (no routing id) is [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_set_routing_id")]
    pub fn set_routing_id(&mut self, routing_id: u32) -> Result<()> {
        // SAFETY: a live message; libzmq only stores the number in it.
        check(unsafe { sys::zmq_msg_set_routing_id(self.as_mut_ptr(), routing_id) }).map(drop)
    }

    /// The group of a message received on a DISH socket (or set for a RADIO one). `None` when
    /// the message has none (the empty group), or when the group is not UTF-8 (see
    /// [`Message::group_bytes`]).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_group")]
    pub fn group(&self) -> Option<&str> {
        self.group_bytes()
            .and_then(|group| std::str::from_utf8(group).ok())
    }

    /// The group as bytes, `None` when the message has none. Groups that arrive over UDP from
    /// another program may be any bytes but NUL.
    #[cfg(zmq_draft)]
    pub fn group_bytes(&self) -> Option<&[u8]> {
        // SAFETY: zmq_msg_group only reads a live message. It returns a NUL-terminated string
        // stored inside the zmq_msg_t or in storage the message holds a reference to, so it
        // lives while `self` (borrowed for the result's lifetime) is neither moved, dropped
        // nor changed.
        let group = unsafe { sys::zmq_msg_group(self.raw_ptr()) };
        if group.is_null() {
            return None;
        }
        // SAFETY: a non-null NUL-terminated string, valid as said above.
        let group = unsafe { CStr::from_ptr(group) }.to_bytes();
        (!group.is_empty()).then_some(group)
    }

    /// Sets the group, for sending on a RADIO socket. A group is at most 255 bytes
    /// ([`Error::InvalidArgument`](crate::Error::InvalidArgument); libzmq would silently cut a
    /// longer one) and has no NUL byte ([`Error::InteriorNul`](crate::Error::InteriorNul)).
    ///
    /// Replacing a group longer than 14 bytes copies the message's bytes into a new message
    /// first (keeping its routing id): libzmq 4.3.5 keeps such a group in separate storage
    /// that `zmq_msg_set_group` would leak, or corrupt if the new group is short.
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_set_group")]
    pub fn set_group(&mut self, group: &str) -> Result<()> {
        /// The longest group libzmq 4.3.5 stores inside the `zmq_msg_t` itself.
        const SHORT_GROUP_MAX: usize = 14;
        let group = crate::thread_safe::group_c_string(group)?;
        if self
            .group_bytes()
            .is_some_and(|old| old.len() > SHORT_GROUP_MAX)
        {
            let mut fresh = Message::from(&self[..]);
            if let Some(routing_id) = self.routing_id() {
                fresh.set_routing_id(routing_id)?;
            }
            // Dropping the old message releases its long group properly (zmq_msg_close).
            *self = fresh;
        }
        // SAFETY: a live message and a NUL-terminated string of at most 255 bytes, which
        // libzmq copies into the message.
        check(unsafe { sys::zmq_msg_set_group(self.as_mut_ptr(), group.as_ptr()) }).map(drop)
    }

    fn is_shared(&self) -> bool {
        // SAFETY: zmq_msg_get only reads a live message.
        unsafe { sys::zmq_msg_get(self.raw_ptr(), sys::ZMQ_SHARED) == 1 }
    }

    /// Makes the bytes this message's own before a write: copies them unless nothing else
    /// can see them.
    fn make_exclusive(&mut self) {
        if self.exclusive && !self.is_shared() {
            return;
        }
        *self = Message::copy_of(self);
    }

    /// A new exclusive message holding a copy of `data`, written once (no zeroing first).
    /// Aborts through `handle_alloc_error` when out of memory, as `Vec` does.
    fn copy_of(data: &[u8]) -> Message {
        match Message::with_size_uninit(data.len()).and_then(|msg| msg.copy_from_slice(data)) {
            Ok(msg) => msg,
            // Only allocation can fail: the length is the message's own.
            Err(_) => {
                handle_alloc_error(Layout::array::<u8>(data.len()).unwrap_or(Layout::new::<u8>()))
            }
        }
    }

    /// The bytes, writable without any check: only for messages known to be exclusive.
    fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.len();
        if len == 0 {
            return &mut [];
        }
        // SAFETY: a non-empty message's data pointer is valid for `len` bytes, and `&mut self`
        // means no Rust reference to them is alive; callers ensure no one else sees them.
        unsafe { std::slice::from_raw_parts_mut(sys::zmq_msg_data(self.as_mut_ptr()).cast(), len) }
    }
}

/// A message whose bytes are allocated but not written yet, from
/// [`Message::with_size_uninit`]: the fast way to build a message from data produced in
/// place (serialised, read from a file, copied from several slices), writing each byte once.
///
/// Safe code cannot read the bytes; it turns into a [`Message`] once they are written, by
/// [`copy_from_slice`](UninitMessage::copy_from_slice), [`fill`](UninitMessage::fill), or by
/// writing [`as_uninit_mut`](UninitMessage::as_uninit_mut) and calling the `unsafe`
/// [`assume_init`](UninitMessage::assume_init). Dropping it frees the bytes unsent.
pub struct UninitMessage {
    // Exclusive, and its bytes (but not its zmq_msg_t) uninitialised until turned into a
    // Message.
    msg: Message,
}

impl UninitMessage {
    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.msg.len()
    }

    /// Whether the message has no bytes (then [`fill`](UninitMessage::fill) makes it a
    /// [`Message`] at no cost).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, to be written: `MaybeUninit::write`, `copy_from_slice` through a cast by
    /// the caller, or from I/O that fills uninitialised buffers.
    pub fn as_uninit_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        let len = self.len();
        if len == 0 {
            return &mut [];
        }
        // SAFETY: a non-empty message's data pointer is valid for `len` bytes; nothing else
        // sees them (the message was just made and not shared), and `&mut self` means no other
        // Rust reference to them is alive. MaybeUninit<u8> has no validity requirement.
        unsafe {
            std::slice::from_raw_parts_mut(sys::zmq_msg_data(self.msg.as_mut_ptr()).cast(), len)
        }
    }

    /// The message, its bytes now written.
    ///
    /// # Safety
    ///
    /// Every one of the [`len`](UninitMessage::len) bytes must have been written through
    /// [`as_uninit_mut`](UninitMessage::as_uninit_mut). Reading uninitialised bytes (which
    /// includes sending them) is undefined behaviour.
    pub unsafe fn assume_init(self) -> Message {
        self.msg
    }

    /// The message with every byte set to `byte`.
    #[inline]
    pub fn fill(self, byte: u8) -> Message {
        let len = self.len();
        self.fill_len(len, byte)
    }

    /// `fill`, for a caller that knows the length (`len` must be the message's).
    #[inline]
    fn fill_len(mut self, len: usize, byte: u8) -> Message {
        debug_assert_eq!(len, self.len());
        if len > 0 {
            // SAFETY: the message owns `len` writable bytes at its data pointer, seen by
            // nothing else.
            unsafe {
                ptr::write_bytes(
                    sys::zmq_msg_data(self.msg.as_mut_ptr()).cast::<u8>(),
                    byte,
                    len,
                )
            };
        }
        self.msg
    }

    /// The message with `data` copied into it, written once.
    ///
    /// `data` must be exactly [`len`](UninitMessage::len) bytes long: otherwise
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument), and the message is dropped.
    pub fn copy_from_slice(mut self, data: &[u8]) -> Result<Message> {
        if data.len() != self.len() {
            return Err(crate::Error::InvalidArgument);
        }
        if !data.is_empty() {
            // SAFETY: the message owns exactly `data.len()` writable bytes at its data
            // pointer, seen by nothing else, and they cannot overlap `data`, which the caller
            // borrows.
            unsafe {
                ptr::copy_nonoverlapping(
                    data.as_ptr(),
                    sys::zmq_msg_data(self.msg.as_mut_ptr()).cast::<u8>(),
                    data.len(),
                )
            };
        }
        Ok(self.msg)
    }
}

impl fmt::Debug for UninitMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UninitMessage")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// Frees a `Vec<u8>`'s buffer handed to libzmq; the capacity travels in `hint`.
unsafe extern "C" fn drop_vec(data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `data` and the capacity in `hint` come from a Vec<u8> given up in
    // `From<Vec<u8>>`; libzmq calls this exactly once. Length 0 needs no initialised bytes,
    // and freeing u8s cannot panic.
    drop(unsafe { Vec::from_raw_parts(data.cast::<u8>(), 0, hint as usize) });
}

/// Drops the owner handed to libzmq by [`Message::from_owner`].
unsafe extern "C" fn drop_owner<T>(_data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `hint` is the Box<T> leaked in from_owner; libzmq calls this exactly once.
    let owner = unsafe { Box::from_raw(hint.cast::<T>()) };
    // This runs on a libzmq thread: a panic must not unwind into C. There is nobody to
    // report it to, and the owner is gone either way.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(owner)));
}

impl Drop for Message {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the message is initialised and closed only here.
        unsafe { sys::zmq_msg_close(self.raw.get_mut()) };
    }
}

impl Default for Message {
    fn default() -> Message {
        Message::new()
    }
}

impl Clone for Message {
    /// Shares the bytes with the new message (`zmq_msg_copy`): no copy of the data.
    fn clone(&self) -> Message {
        let mut copy = Message::new();
        // SAFETY: both messages are live; zmq_msg_copy marks the source as shared, a write
        // the UnsafeCell allows behind `&self`. It fails only on invalid messages.
        unsafe { sys::zmq_msg_copy(copy.as_mut_ptr(), self.raw_ptr()) };
        copy.exclusive = self.exclusive;
        copy
    }
}

impl Deref for Message {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: zmq_msg_size and zmq_msg_data only read a live message.
        let len = unsafe { sys::zmq_msg_size(self.raw_ptr()) };
        if len == 0 {
            return &[];
        }
        // SAFETY: a non-empty message's data is valid for `len` bytes while the message is
        // neither dropped nor changed, which the borrow of `self` guarantees.
        unsafe { std::slice::from_raw_parts(sys::zmq_msg_data(self.raw_ptr()).cast(), len) }
    }
}

impl DerefMut for Message {
    /// Copies the bytes first when anything else may see them (see the type's docs).
    fn deref_mut(&mut self) -> &mut [u8] {
        self.make_exclusive();
        self.bytes_mut()
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 32;
        let bytes: &[u8] = self;
        let mut s = f.debug_struct("Message");
        s.field("len", &bytes.len()).field("more", &self.more());
        match std::str::from_utf8(&bytes[..bytes.len().min(SHOWN)]) {
            Ok(text) => s.field("text", &text),
            Err(_) => s.field("bytes", &&bytes[..bytes.len().min(SHOWN)]),
        };
        s.finish()
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Message {}

impl PartialEq<[u8]> for Message {
    fn eq(&self, other: &[u8]) -> bool {
        self[..] == *other
    }
}

impl PartialEq<&[u8]> for Message {
    fn eq(&self, other: &&[u8]) -> bool {
        self[..] == **other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Message {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self[..] == other[..]
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self[..] == *other.as_bytes()
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self[..] == *other.as_bytes()
    }
}

impl From<&[u8]> for Message {
    /// Copies the bytes.
    fn from(data: &[u8]) -> Message {
        Message::copy_of(data)
    }
}

impl<const N: usize> From<&[u8; N]> for Message {
    /// Copies the bytes.
    fn from(data: &[u8; N]) -> Message {
        Message::from(&data[..])
    }
}

impl From<&str> for Message {
    /// Copies the bytes.
    fn from(text: &str) -> Message {
        Message::from(text.as_bytes())
    }
}

impl From<&String> for Message {
    /// Copies the bytes.
    fn from(text: &String) -> Message {
        Message::from(text.as_bytes())
    }
}

impl From<&Vec<u8>> for Message {
    /// Copies the bytes.
    fn from(data: &Vec<u8>) -> Message {
        Message::from(&data[..])
    }
}

impl From<Vec<u8>> for Message {
    /// Takes the vector's buffer without copying or reallocating it (small vectors, whose
    /// bytes fit inside the message, are copied instead, which is cheaper).
    fn from(data: Vec<u8>) -> Message {
        if data.len() <= INLINE_SIZE {
            return Message::from(&data[..]);
        }
        let mut data = std::mem::ManuallyDrop::new(data);
        let (ptr, len, capacity) = (data.as_mut_ptr(), data.len(), data.capacity());
        // SAFETY: the Vec was given up above; drop_vec rebuilds it from the pointer and the
        // capacity in `hint`, once. Nothing else refers to the buffer: it is exclusive.
        unsafe { Message::from_raw_parts(ptr, len, drop_vec, capacity as *mut c_void, true) }
    }
}

impl From<Box<[u8]>> for Message {
    /// Takes the buffer without copying it.
    fn from(data: Box<[u8]>) -> Message {
        Message::from(Vec::from(data))
    }
}

impl From<String> for Message {
    /// Takes the string's buffer without copying it.
    fn from(text: String) -> Message {
        Message::from(text.into_bytes())
    }
}

impl From<&Message> for Message {
    /// Shares the bytes, like `clone`.
    fn from(msg: &Message) -> Message {
        msg.clone()
    }
}
