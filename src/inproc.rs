//! The `inproc://` names a context's sockets connected to before anything bound them, kept so
//! that shutting down or terminating the context cannot abort the process.
//!
//! libzmq lets a socket connect to an `inproc://` name nobody has bound yet: the connection
//! waits in the context (`ctx_t::_pending_connections`) until a socket binds the name. If none
//! ever does, `zmq_ctx_term` completes each waiting connection itself by creating a PAIR socket
//! per waiting connect and binding it, while holding the lock that socket slots are freed
//! under, and asserts that each creation succeeds. With more waiting connects than free slots
//! (1,023 sockets by default, counting every connect, even repeated ones to one name) that
//! assertion aborts the process (`Assertion failed: s (src/ctx.cpp)`), from a program that did
//! nothing wrong.
//!
//! So the crate remembers the names it connected to while no socket of the context had bound
//! them through this crate, forgets a name once a socket binds it, and completes every
//! remembered name itself, on one PULL socket of its own that binds them all and closes:
//! when the context is shut down (after that no socket can be made, so this is the last
//! chance) and when it is terminated. The waiting connections attach to a socket that is gone
//! at once, as with libzmq's own pass, with one socket however many there are.
//!
//! The completing socket is a PULL because it accepts every pipe offered to it. A PAIR (what
//! libzmq uses, one per connect) keeps the first and terminates the others at once; libzmq
//! then writes the routing id a live ROUTER connector expects into the terminated pipe and
//! asserts (`written`, src/pipe.cpp): found by the sockets fuzz target when this ran at
//! shutdown with the user's sockets alive.
//!
//! A waiting connection's far end belongs to the connecting socket until a bind takes it: the
//! command that ends it (sent when the connector disconnects, closes, or, as a PAIR, refuses a
//! second connection) is processed by whichever thread next processes the connector's
//! commands, the connector's or, once closed, libzmq's reaper thread. A bind on another thread
//! attaching that far end at the same moment works on the same pipe from two threads: a PUB
//! or RADIO binder marks it no-delay and reads it, the ending command then skips the wait for
//! the delimiter the binder is about to read, and libzmq asserts (`_state == active ||
//! _state == waiting_for_delimiter`, src/pipe.cpp), aborting the process. So the crate binds
//! `inproc://` names under the record's lock, and under the same lock makes the connector
//! process such a command as soon as it can exist: after each connect and disconnect, and,
//! before it closes a socket, after disconnecting it from the names it may have left waiting
//! (see [`release_waiting`]). The far end then takes its end while it still waits for the
//! delimiter, and no bind can be halfway through attaching it meanwhile. `scripts/races`
//! shows the abort, and that the crate prevents it, on a libzmq with delays injected into the
//! racing steps.
//!
//! A connector that takes its peers' routing ids (ROUTER, REP) must not leave a waiting
//! connection behind ended: libzmq keeps the waiting record after a disconnect, and a later
//! bind of the name (or the completion above) writes the binder's routing id into the ended
//! far end while the connector is alive, and asserts (`written`, src/pipe.cpp; found by the
//! endpoints fuzz target). So such a disconnect (or unbind, which libzmq treats alike for
//! inproc) first completes the name on a socket of the crate's own, unbound and closed right
//! after, and is refused with `InvalidState` if other sockets wait for the name too; and the
//! crate closes a socket under the record's lock, so that no bind sees it alive after its
//! close-time disconnects.
//!
//! A name this crate does not know to be bound is remembered in case it is not: a name bound
//! by C code on a shared context, or a connect racing with a bind, costs one refused bind,
//! never a missed one.

use std::collections::{HashMap, HashSet};
use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_void};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{check, Error, Result};
use crate::sys;

/// What an endpoint call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointOp {
    Bind,
    Connect,
    Unbind,
    Disconnect,
}

/// One context's record of `inproc://` names (full endpoints, `inproc://name`).
#[derive(Debug, Default)]
pub(crate) struct InprocNames {
    names: Mutex<Names>,
}

#[derive(Debug, Default)]
struct Names {
    /// Names bound through this crate, with the socket (its address) that bound each.
    bound: HashMap<CString, usize>,
    /// Names connected to while not in `bound`: possibly waiting for a bind.
    pending: HashSet<CString>,
    /// The same, by the socket (its address) that connected: what it may leave waiting when
    /// it closes.
    waiting: HashMap<usize, HashSet<CString>>,
}

impl Names {
    /// `endpoint` was bound, or its waiting connections completed: nothing waits for it.
    fn forget_pending(&mut self, endpoint: &CStr) {
        if self.pending.remove(endpoint) {
            for waiting in self.waiting.values_mut() {
                waiting.remove(endpoint);
            }
        }
    }
}

/// What [`InprocNames::track`] has libzmq do around an endpoint call, on the socket making it.
pub(crate) trait Effects {
    /// Makes the socket process its pending commands now, on this thread.
    fn settle(&self);
    /// Whether the socket takes its peers' routing ids (ROUTER, REP).
    fn receives_routing_ids(&self) -> bool;
    /// Completes the connections waiting for `name` to be bound, by binding it on a socket of
    /// its own, which is returned for [`Effects::close`] (`None` if the name turned out to be
    /// bound). Fails if no socket can be made.
    fn complete(&self, name: &CStr) -> Result<Option<*mut c_void>>;
    /// Closes a socket [`Effects::complete`] made for `name`, releasing the name at once.
    fn close(&self, completing: *mut c_void, name: &CStr);
}

/// The [`Effects`] of a live socket of a live context.
pub(crate) struct LiveSocket<'a> {
    pub(crate) ctx: &'a crate::Context,
    pub(crate) socket: *mut c_void,
}

impl Effects for LiveSocket<'_> {
    fn settle(&self) {
        process_commands(self.ctx, self.socket);
    }

    fn receives_routing_ids(&self) -> bool {
        matches!(
            crate::socket::int_option(self.ctx, self.socket, sys::ZMQ_TYPE),
            Ok(sys::ZMQ_ROUTER | sys::ZMQ_REP)
        )
    }

    fn complete(&self, name: &CStr) -> Result<Option<*mut c_void>> {
        // Sockets closed just before are freed by libzmq's reaper thread soon.
        let completing = completing_socket(self.ctx.as_ptr(), Duration::from_millis(100))?;
        let rc = self.ctx.uninterrupted(|| {
            // SAFETY: the live socket just made and a NUL-terminated endpoint.
            unsafe { sys::zmq_bind(completing, name.as_ptr()) }
        });
        if rc != 0 {
            // Bound after all (by C code on a shared context): nothing waits.
            // SAFETY: the socket just made, closed once.
            unsafe { sys::zmq_close(completing) };
            return Ok(None);
        }
        Ok(Some(completing))
    }

    fn close(&self, completing: *mut c_void, name: &CStr) {
        // Unbound first: libzmq releases a closed socket's names only when its reaper thread
        // gets to it, and a bind of the name meanwhile would fail with `AddrInUse`.
        self.ctx.uninterrupted(|| {
            // SAFETY: a live socket made by `complete` and a NUL-terminated endpoint.
            unsafe { sys::zmq_unbind(completing, name.as_ptr()) }
        });
        // SAFETY: a socket made by `complete`, closed once.
        unsafe { sys::zmq_close(completing) };
    }
}

impl InprocNames {
    fn lock(&self) -> MutexGuard<'_, Names> {
        // Nothing panics while the lock is held; a poisoned lock still holds consistent sets.
        self.names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `call`, the libzmq call doing `op` for `endpoint` on `socket`, and keeps the record
    /// up to date. The result is read (errno included) right after `call`, before any lock is
    /// released. For an `inproc://` bind, connect, unbind or disconnect the lock is held
    /// across the call and what `effects` do around it: see the module's documentation.
    pub(crate) fn track(
        &self,
        op: EndpointOp,
        socket: *mut c_void,
        endpoint: &CStr,
        call: impl FnOnce() -> c_int,
        effects: &dyn Effects,
    ) -> Result<()> {
        if !endpoint.to_bytes().starts_with(b"inproc://") {
            return check(call()).map(drop);
        }
        let id = socket as usize;
        let mut names = self.lock();
        match op {
            EndpointOp::Bind => {
                let result = check(call()).map(drop);
                if result.is_ok() {
                    names.forget_pending(endpoint);
                    names.bound.insert(endpoint.to_owned(), id);
                }
                result
            }
            EndpointOp::Connect => {
                // Also so that an unbind cannot slip between seeing the name bound and libzmq
                // connecting (which would then wait unseen).
                if !names.bound.contains_key(endpoint) {
                    names.pending.insert(endpoint.to_owned());
                    names
                        .waiting
                        .entry(id)
                        .or_default()
                        .insert(endpoint.to_owned());
                }
                let result = check(call()).map(drop);
                effects.settle();
                result
            }
            EndpointOp::Unbind | EndpointOp::Disconnect => {
                // An unbind of its own bind is forgotten before the call: from then on a
                // connect is remembered, in case it lands after the unbind.
                if op == EndpointOp::Unbind && names.bound.get(endpoint) == Some(&id) {
                    names.bound.remove(endpoint);
                }
                // libzmq disconnects an inproc name on an unbind too.
                let completing = if names
                    .waiting
                    .get(&id)
                    .is_some_and(|waiting| waiting.contains(endpoint))
                    && effects.receives_routing_ids()
                {
                    let shared = names
                        .waiting
                        .iter()
                        .any(|(&other, waiting)| other != id && waiting.contains(endpoint));
                    if shared {
                        return Err(Error::InvalidState);
                    }
                    let completing = effects.complete(endpoint)?;
                    names.forget_pending(endpoint);
                    completing
                } else {
                    None
                };
                let result = check(call()).map(drop);
                if let Some(completing) = completing {
                    effects.close(completing, endpoint);
                }
                effects.settle();
                result
            }
        }
    }

    /// The socket at `socket` is about to be closed or handed to C: the names it bound are no
    /// longer known to be bound (libzmq releases them when it reaps the socket). Runs
    /// `release` with the names it connected to that may still wait for a bind (they stay in
    /// `pending`), under the lock, so that no bind can take their far ends meanwhile (see
    /// [`release_waiting`]).
    pub(crate) fn forget_socket(
        &self,
        socket: *mut c_void,
        release: impl FnOnce(&HashSet<CString>),
    ) {
        let id = socket as usize;
        let mut names = self.lock();
        if !names.bound.is_empty() {
            names.bound.retain(|_, owner| *owner != id);
        }
        release(&names.waiting.remove(&id).unwrap_or_default());
    }

    /// How many names may still be waiting for a bind.
    #[cfg(test)]
    fn pending_len(&self) -> usize {
        self.lock().pending.len()
    }

    /// Completes the connections that may be waiting for a bind, on the live context `ctx`:
    /// binds each remembered name on one PULL socket (linger 0) and closes it, then runs
    /// `then` before a new connect can be recorded (connects take the same lock), so that
    /// `then` can shut the context down with nothing left waiting.
    ///
    /// A name that turns out bound is refused and skipped. If no socket can be made (the
    /// context already shut down, or every slot taken, for `wait` at most: sockets closed
    /// just before are freed by libzmq's reaper thread soon), the names stay remembered, for
    /// libzmq's own pass at termination. Returns whether nothing is left waiting.
    pub(crate) fn complete_pending(
        &self,
        ctx: *mut c_void,
        wait: Duration,
        then: impl FnOnce(),
    ) -> bool {
        let mut names = self.lock();
        if !names.pending.is_empty() {
            if let Ok(socket) = completing_socket(ctx, wait) {
                for name in &names.pending {
                    // Again if a signal interrupts it before it binds: the callers run in the
                    // process that made the context, so the retry ends.
                    crate::error::uninterrupted(std::process::id(), || {
                        // SAFETY: a live socket and a NUL-terminated endpoint. A refusal (the
                        // name is bound after all) leaves nothing to complete for it.
                        unsafe { sys::zmq_bind(socket, name.as_ptr()) }
                    });
                }
                names.pending.clear();
                names.waiting.clear();
                // SAFETY: the socket made by `completing_socket`, closed once.
                unsafe { sys::zmq_close(socket) };
            }
        }
        then();
        names.pending.is_empty()
    }
}

/// Before the crate closes `socket`, an owned socket of `ctx` that connected to `names` while
/// no socket had bound them, under the record's lock (from [`InprocNames::forget_socket`]):
/// disconnects from each and processes the socket's commands, so that the waiting
/// connection's far end takes its end now, on this thread, while no bind can be attaching
/// it. Closed with that still to come, libzmq's reaper thread would do it later, at the
/// same time as a bind of the name on another thread. A name not waiting any more is refused
/// by libzmq, which is fine. The caller closes the socket before it releases the lock: a
/// ROUTER or REP still open after these disconnects would make a bind abort (see the
/// module's documentation).
pub(crate) fn release_waiting(ctx: &crate::Context, socket: *mut c_void, names: &HashSet<CString>) {
    if names.is_empty() {
        return;
    }
    for name in names {
        ctx.uninterrupted(|| {
            // SAFETY: a live socket and a NUL-terminated endpoint.
            unsafe { sys::zmq_disconnect(socket, name.as_ptr()) }
        });
    }
    process_commands(ctx, socket);
}

/// Makes `socket`, a live socket of `ctx`, process its pending commands now, on this thread
/// (by reading `ZMQ_EVENTS`, whose value is not needed; nor is a failure's, after a shutdown).
pub(crate) fn process_commands(ctx: &crate::Context, socket: *mut c_void) {
    let _ = crate::socket::int_option(ctx, socket, sys::ZMQ_EVENTS);
}

/// A PULL socket with linger 0 on `ctx`, trying for `wait` while every slot is taken.
fn completing_socket(ctx: *mut c_void, wait: Duration) -> Result<*mut c_void> {
    let deadline = Instant::now() + wait;
    let socket = loop {
        // SAFETY: the caller's live context; a null result is handled below.
        let socket = unsafe { sys::zmq_socket(ctx, sys::ZMQ_PULL) };
        if !socket.is_null() {
            break socket;
        }
        let error = Error::last();
        if error != Error::TooManyOpenFiles || Instant::now() >= deadline {
            return Err(error);
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let linger: c_int = 0;
    // SAFETY: a live socket and a c_int option value of the size given. Linger 0: what
    // reaches this socket is dropped when it closes, as libzmq's own pass would.
    unsafe {
        sys::zmq_setsockopt(
            socket,
            sys::ZMQ_LINGER,
            (&linger as *const c_int).cast(),
            std::mem::size_of::<c_int>(),
        )
    };
    Ok(socket)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Effects that do nothing; the socket takes routing ids if `routing_ids`.
    struct Recorded {
        routing_ids: bool,
        completed: std::cell::RefCell<Vec<CString>>,
    }

    fn plain() -> Recorded {
        Recorded {
            routing_ids: false,
            completed: Default::default(),
        }
    }

    impl Effects for Recorded {
        fn settle(&self) {}
        fn receives_routing_ids(&self) -> bool {
            self.routing_ids
        }
        fn complete(&self, name: &CStr) -> Result<Option<*mut c_void>> {
            self.completed.borrow_mut().push(name.to_owned());
            Ok(None)
        }
        fn close(&self, _: *mut c_void, _: &CStr) {}
    }

    fn track_with(
        names: &InprocNames,
        op: EndpointOp,
        socket: usize,
        endpoint: &str,
        effects: &Recorded,
    ) -> Result<()> {
        let endpoint = CString::new(endpoint).unwrap();
        names.track(op, socket as *mut c_void, &endpoint, || 0, effects)
    }

    fn track(names: &InprocNames, op: EndpointOp, socket: usize, endpoint: &str) {
        track_with(names, op, socket, endpoint, &plain()).unwrap();
    }

    #[test]
    fn remembers_only_names_not_bound_through_the_crate() {
        let names = InprocNames::default();
        track(&names, EndpointOp::Connect, 1, "inproc://early");
        track(&names, EndpointOp::Connect, 1, "tcp://127.0.0.1:5555");
        assert_eq!(names.pending_len(), 1);
        // Binding the name completes the waiting connection.
        track(&names, EndpointOp::Bind, 2, "inproc://early");
        assert_eq!(names.pending_len(), 0);
        // Connecting to a bound name waits for nothing.
        track(&names, EndpointOp::Connect, 3, "inproc://early");
        assert_eq!(names.pending_len(), 0);
        // Only the binder's unbind forgets the bind.
        track(&names, EndpointOp::Unbind, 3, "inproc://early");
        track(&names, EndpointOp::Connect, 3, "inproc://early");
        assert_eq!(names.pending_len(), 0);
        track(&names, EndpointOp::Unbind, 2, "inproc://early");
        track(&names, EndpointOp::Connect, 3, "inproc://early");
        assert_eq!(names.pending_len(), 1);
    }

    #[test]
    fn closing_the_binder_forgets_its_names() {
        let names = InprocNames::default();
        track(&names, EndpointOp::Bind, 7, "inproc://a");
        track(&names, EndpointOp::Bind, 8, "inproc://b");
        names.forget_socket(7 as *mut c_void, |_| ());
        track(&names, EndpointOp::Connect, 9, "inproc://a");
        track(&names, EndpointOp::Connect, 9, "inproc://b");
        assert_eq!(names.pending_len(), 1);
    }

    #[test]
    fn a_closing_connector_is_given_the_names_it_may_leave_waiting() {
        let names = InprocNames::default();
        track(&names, EndpointOp::Bind, 1, "inproc://bound");
        track(&names, EndpointOp::Connect, 2, "inproc://bound");
        track(&names, EndpointOp::Connect, 2, "inproc://waits");
        track(&names, EndpointOp::Connect, 2, "inproc://bound-later");
        track(&names, EndpointOp::Connect, 3, "inproc://waits");
        track(&names, EndpointOp::Bind, 4, "inproc://bound-later");
        let given = |socket: usize| {
            let mut given = HashSet::new();
            names.forget_socket(socket as *mut c_void, |waiting| given = waiting.clone());
            given
        };
        let waits = HashSet::from([CString::new("inproc://waits").unwrap()]);
        assert_eq!(given(2), waits);
        // Given once; the name stays waiting for the other connector and for completion.
        assert!(given(2).is_empty());
        assert_eq!(names.pending_len(), 1);
        assert_eq!(given(3), waits);
    }

    #[test]
    fn a_failed_bind_is_not_a_bind() {
        let names = InprocNames::default();
        let endpoint = CString::new("inproc://x").unwrap();
        let result = names.track(
            EndpointOp::Bind,
            1 as *mut c_void,
            &endpoint,
            || -1,
            &plain(),
        );
        assert!(result.is_err());
        track(&names, EndpointOp::Connect, 2, "inproc://x");
        assert_eq!(names.pending_len(), 1);
    }

    #[test]
    fn a_router_disconnecting_a_waiting_name_completes_it_first_unless_others_wait() {
        let names = InprocNames::default();
        let router = Recorded {
            routing_ids: true,
            completed: Default::default(),
        };
        track(&names, EndpointOp::Connect, 1, "inproc://alone");
        track(&names, EndpointOp::Connect, 1, "inproc://shared");
        track(&names, EndpointOp::Connect, 2, "inproc://shared");
        // Alone on the name: completed, then disconnected; nothing waits any more.
        track_with(&names, EndpointOp::Disconnect, 1, "inproc://alone", &router).unwrap();
        assert_eq!(
            router.completed.borrow().as_slice(),
            [CString::new("inproc://alone").unwrap()]
        );
        assert_eq!(names.pending_len(), 1);
        // Another socket waits for the name too: completing it would cut that one off.
        assert_eq!(
            track_with(&names, EndpointOp::Unbind, 1, "inproc://shared", &router),
            Err(Error::InvalidState)
        );
        assert_eq!(router.completed.borrow().len(), 1);
        // A socket that takes no routing ids disconnects as it is.
        track(&names, EndpointOp::Disconnect, 2, "inproc://shared");
        assert_eq!(names.pending_len(), 1);
    }
}
