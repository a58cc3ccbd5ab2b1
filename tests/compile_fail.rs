//! What must not compile: sharing a socket between threads, and using an option the wrong
//! way round.

#[test]
#[cfg_attr(
    zmq_vendored,
    ignore = "checked in the system-libzmq configuration (--no-default-features), where trybuild \
              does not have to build its own copy of the vendored libzmq"
)]
fn misuse_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}
