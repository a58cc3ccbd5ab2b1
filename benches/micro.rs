//! Micro-benchmarks for what the perf tools cannot isolate: building and dropping messages
//! (copying vs taking ownership), one send + receive over inproc against raw `zmq-sys`
//! calls doing the same work, multipart messages, and socket options.
//!
//! `cargo bench --bench micro`; the side-by-side run against libzmq's C tools is
//! `scripts/bench`.

use std::ffi::c_void;
use std::hint::black_box;
use std::os::raw::c_int;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use zmq::{sys, Context, Message, RecvFlags, SendFlags, Socket, SocketType};

const SIZES: [usize; 4] = [8, 1024, 65536, 1 << 20];

fn message_construction(c: &mut Criterion) {
    let mut group = c.benchmark_group("message/new+drop");
    for size in SIZES {
        let data = vec![5u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("copy &[u8]", size), &data, |b, data| {
            b.iter(|| black_box(Message::from(&data[..])))
        });
        // The owned sources include making them (a Vec allocation, a copy into it), as a
        // program that has the bytes in a Vec would have paid anyway; compare with the
        // plain Vec baseline.
        group.bench_with_input(BenchmarkId::new("Vec baseline", size), &data, |b, data| {
            b.iter(|| black_box(data.clone()))
        });
        group.bench_with_input(BenchmarkId::new("from Vec", size), &data, |b, data| {
            b.iter(|| black_box(Message::from(data.clone())))
        });
        group.bench_with_input(
            BenchmarkId::new("from Box<[u8]>", size),
            &data,
            |b, data| b.iter(|| black_box(Message::from(data.clone().into_boxed_slice()))),
        );
        let shared = bytes::Bytes::from(data.clone());
        group.bench_with_input(
            BenchmarkId::new("from Bytes (shared)", size),
            &shared,
            |b, s| b.iter(|| black_box(Message::from_owner(s.clone()))),
        );
        group.bench_function(BenchmarkId::new("with_size", size), |b| {
            b.iter(|| black_box(Message::with_size(size).unwrap()))
        });
        // The bytes left unwritten: what C's zmq_msg_init_size costs (dropped unread).
        group.bench_function(BenchmarkId::new("with_size_uninit", size), |b| {
            b.iter(|| black_box(Message::with_size_uninit(size).unwrap()))
        });
    }
    group.finish();
}

/// Three ways to build a message holding bytes the program has in a slice: zeroed then
/// written (`with_size` + `DerefMut`), written once (`with_size_uninit` + `copy_from_slice`),
/// and a Vec copy handed over without another copy (`from Vec`).
fn message_from_bytes(c: &mut Criterion) {
    let mut group = c.benchmark_group("message/build from a slice");
    for size in SIZES {
        let data = vec![9u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("with_size + write", size),
            &data,
            |b, data| {
                b.iter(|| {
                    let mut msg = Message::with_size(data.len()).unwrap();
                    msg.copy_from_slice(data);
                    black_box(msg)
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("with_size_uninit + copy_from_slice", size),
            &data,
            |b, data| {
                b.iter(|| {
                    black_box(
                        Message::with_size_uninit(data.len())
                            .unwrap()
                            .copy_from_slice(data)
                            .unwrap(),
                    )
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("from Vec", size), &data, |b, data| {
            b.iter(|| black_box(Message::from(data.to_vec())))
        });
    }
    group.finish();
}

/// A connected inproc PUSH/PULL pair.
fn pair(ctx: &Context, name: &str) -> (Socket, Socket) {
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind(name).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(name).unwrap();
    (push, pull)
}

fn send_recv(c: &mut Criterion) {
    let ctx = Context::new().unwrap();
    let mut group = c.benchmark_group("inproc/send+recv");
    for size in [8usize, 1024, 65536] {
        let data = vec![3u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        let (push, pull) = pair(&ctx, &format!("inproc://bench-{size}"));
        let mut msg = Message::new();
        group.bench_function(BenchmarkId::new("zmq", size), |b| {
            b.iter(|| {
                push.send(&data[..], SendFlags::empty()).unwrap();
                pull.recv(&mut msg, RecvFlags::empty()).unwrap();
                black_box(msg.len());
            })
        });
        let (push, pull) = pair(&ctx, &format!("inproc://bench-raw-{size}"));
        let (push_raw, pull_raw) = (push.as_ptr(), pull.as_ptr());
        let mut raw = sys::zmq_msg_t { __: [0; 64] };
        // SAFETY: a zmq_msg_t initialised before use and closed after the benchmark.
        unsafe { sys::zmq_msg_init(&mut raw) };
        group.bench_function(BenchmarkId::new("zmq-sys", size), |b| {
            b.iter(|| {
                // SAFETY: live sockets (owned above), a live message, and `data` outlives
                // the call (zmq_send copies it).
                unsafe {
                    let rc = sys::zmq_send(push_raw, data.as_ptr().cast::<c_void>(), data.len(), 0);
                    assert!(rc >= 0);
                    let rc = sys::zmq_msg_recv(&mut raw, pull_raw, 0);
                    assert!(rc >= 0);
                    black_box(sys::zmq_msg_size(&raw));
                }
            })
        });
        // SAFETY: initialised above, not used afterwards.
        unsafe { sys::zmq_msg_close(&mut raw) };
    }
    group.finish();
}

fn multipart(c: &mut Criterion) {
    let ctx = Context::new().unwrap();
    let (push, pull) = pair(&ctx, "inproc://bench-multipart");
    let frames: Vec<Vec<u8>> = (0..5).map(|i| vec![i; 64]).collect();
    c.bench_function("inproc/multipart 5x64B send+recv", |b| {
        b.iter(|| {
            push.send_multipart(frames.iter().map(|f| &f[..]), SendFlags::empty())
                .unwrap();
            black_box(pull.recv_multipart(RecvFlags::empty()).unwrap());
        })
    });
}

fn options(c: &mut Criterion) {
    let ctx = Context::new().unwrap();
    let socket = ctx.socket(SocketType::Dealer).unwrap();
    let mut group = c.benchmark_group("options");
    group.bench_function("rcvhwm get (zmq)", |b| {
        b.iter(|| black_box(socket.rcvhwm().unwrap()))
    });
    group.bench_function("rcvhwm get (zmq-sys)", |b| {
        b.iter(|| {
            let mut value: c_int = 0;
            let mut len = std::mem::size_of::<c_int>();
            // SAFETY: a live socket and an int-sized buffer with its length.
            let rc = unsafe {
                sys::zmq_getsockopt(
                    socket.as_ptr(),
                    sys::ZMQ_RCVHWM as c_int,
                    (&mut value as *mut c_int).cast(),
                    &mut len,
                )
            };
            assert_eq!(rc, 0);
            black_box(value)
        })
    });
    group.bench_function("rcvhwm set (zmq)", |b| {
        b.iter(|| socket.set_rcvhwm(black_box(1000)).unwrap())
    });
    group.bench_function("routing_id set (zmq)", |b| {
        b.iter(|| socket.set_routing_id(black_box(b"bench")).unwrap())
    });
    group.bench_function("events (zmq)", |b| {
        b.iter(|| black_box(socket.events().unwrap()))
    });
    group.finish();
}

criterion_group!(
    benches,
    message_construction,
    message_from_bytes,
    send_recv,
    multipart,
    options
);
criterion_main!(benches);
