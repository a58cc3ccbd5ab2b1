//! What must not compile: sharing a socket between threads, using an option the wrong way
//! round, and DRAFT options without the DRAFT API; and every borrowing rule soundness rests
//! on: poll items and monitors cannot outlive their socket (nor a monitor leave its socket's
//! thread), message metadata and bytes cannot outlive the message or a receive into it, a
//! zero-copy owner must be `Send + 'static`, and adopting raw handles takes `unsafe`.

#[test]
#[cfg_attr(
    zmq_vendored,
    ignore = "checked in the system-libzmq configuration (--no-default-features), where trybuild \
              does not have to build its own copy of the vendored libzmq"
)]
fn misuse_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}

#[test]
#[cfg_attr(
    any(zmq_vendored, zmq_draft),
    ignore = "checked in the system-libzmq configuration without the DRAFT API"
)]
fn draft_options_need_the_draft_api() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/without-draft/*.rs");
}
