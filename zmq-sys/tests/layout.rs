//! The Rust declarations of libzmq's public structs must have the layout the C compiler gives
//! them. bindgen's compile-time assertions check its own idea of the layout; this test asks the
//! real C compiler, on the header this build links against.

use std::mem::{align_of, offset_of, size_of};
use std::path::Path;
use std::process::Command;

use zmq_sys::{zmq_msg_t, zmq_pollitem_t};

const PROBE: &str = r#"
#include <stdio.h>
#include <stddef.h>
#include <zmq.h>
int main(void) {
    printf("%zu %zu %zu %zu %zu %zu %zu %zu\n",
           sizeof(zmq_msg_t), _Alignof(zmq_msg_t),
           sizeof(zmq_pollitem_t), _Alignof(zmq_pollitem_t),
           offsetof(zmq_pollitem_t, socket), offsetof(zmq_pollitem_t, fd),
           offsetof(zmq_pollitem_t, events), offsetof(zmq_pollitem_t, revents));
    return 0;
}
"#;

fn c_layout() -> Vec<usize> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zmq-sys-layout");
    std::fs::create_dir_all(&dir).expect("create the probe directory");
    let source = dir.join("probe.c");
    let binary = dir.join("probe");
    std::fs::write(&source, PROBE).expect("write the probe");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let status = Command::new(&compiler)
        .arg("-std=c11")
        .arg(format!("-I{}", env!("ZMQ_SYS_INCLUDE_DIR")))
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {compiler:?}: {e}"));
    assert!(status.success(), "the layout probe did not compile");
    let output = Command::new(&binary).output().expect("run the probe");
    String::from_utf8(output.stdout)
        .expect("the probe prints ASCII")
        .split_whitespace()
        .map(|n| n.parse().expect("the probe prints numbers"))
        .collect()
}

#[test]
fn zmq_msg_t_and_zmq_pollitem_t_match_the_c_compiler() {
    let rust = vec![
        size_of::<zmq_msg_t>(),
        align_of::<zmq_msg_t>(),
        size_of::<zmq_pollitem_t>(),
        align_of::<zmq_pollitem_t>(),
        offset_of!(zmq_pollitem_t, socket),
        offset_of!(zmq_pollitem_t, fd),
        offset_of!(zmq_pollitem_t, events),
        offset_of!(zmq_pollitem_t, revents),
    ];
    assert_eq!(rust, c_layout(), "sizes, alignments and offsets differ");
}

#[test]
fn zmq_msg_t_is_64_pointer_aligned_bytes() {
    assert_eq!(size_of::<zmq_msg_t>(), 64);
    assert_eq!(align_of::<zmq_msg_t>(), align_of::<*const u8>());
}
