#!/usr/bin/env python3
"""pyzmq as a peer of scripts/bench: libzmq's perf tools with their arguments and output.

  perf.py local_thr <bind-to> <message-size> <message-count>
  perf.py remote_thr <connect-to> <message-size> <message-count>
  perf.py local_lat <bind-to> <message-size> <roundtrip-count>
  perf.py remote_lat <connect-to> <message-size> <roundtrip-count>
  perf.py inproc_thr <message-size> <message-count>
  perf.py inproc_lat <message-size> <roundtrip-count>

Written the fastest idiomatic pyzmq way: one payload object sent without copying, frames
received without copying from 64 KiB up (below that, copying into bytes is cheaper).
"""

import sys
import threading
import time

import zmq

COPY_BELOW = 65536


def usage() -> None:
    print("\n".join(__doc__.strip().splitlines()[2:8]), file=sys.stderr)
    sys.exit(1)


def micros(start: float) -> int:
    return max(1, int((time.perf_counter() - start) * 1_000_000))


def print_thr(size: int, count: int, elapsed: int, header: bool = True) -> None:
    throughput = count / elapsed * 1_000_000
    if header:
        print(f"message size: {size} [B]")
        print(f"message count: {count}")
    print(f"mean throughput: {int(throughput)} [msg/s]")
    print(f"mean throughput: {throughput * size * 8 / 1_000_000:.3f} [Mb/s]")


def print_lat(size: int, roundtrips: int, elapsed: int) -> None:
    print(f"message size: {size} [B]")
    print(f"roundtrip count: {roundtrips}")
    print(f"average latency: {elapsed / (roundtrips * 2):.3f} [us]")


def receive_all(sock: zmq.Socket, size: int, count: int) -> int:
    copy = size < COPY_BELOW
    first = sock.recv(copy=copy)
    assert len(first) == size, "message of incorrect size received"
    start = time.perf_counter()
    for _ in range(count - 1):
        msg = sock.recv(copy=copy)
        assert len(msg) == size, "message of incorrect size received"
    return micros(start)


def send_all(sock: zmq.Socket, size: int, count: int) -> None:
    payload = bytes(size)
    copy = size < COPY_BELOW
    for _ in range(count):
        sock.send(payload, copy=copy)


def echo(sock: zmq.Socket, size: int, roundtrips: int) -> None:
    copy = size < COPY_BELOW
    for _ in range(roundtrips):
        msg = sock.recv(copy=copy)
        assert len(msg) == size, "message of incorrect size received"
        sock.send(msg, copy=copy)


def ping(sock: zmq.Socket, size: int, roundtrips: int) -> int:
    copy = size < COPY_BELOW
    msg = bytes(size)
    start = time.perf_counter()
    for _ in range(roundtrips):
        sock.send(msg, copy=copy)
        msg = sock.recv(copy=copy)
        assert len(msg) == size, "message of incorrect size received"
    return micros(start)


def main() -> None:
    if len(sys.argv) < 2:
        usage()
    tool, args = sys.argv[1], sys.argv[2:]
    ctx = zmq.Context()
    if tool in ("inproc_thr", "inproc_lat"):
        if len(args) != 2:
            usage()
        size, count = int(args[0]), int(args[1])
        if tool == "inproc_thr":
            pull = ctx.socket(zmq.PULL)
            pull.bind("inproc://thr_test")

            def worker() -> None:
                push = ctx.socket(zmq.PUSH)
                push.connect("inproc://thr_test")
                send_all(push, size, count)
                push.close()

            thread = threading.Thread(target=worker)
            thread.start()
            print(f"message size: {size} [B]")
            print(f"message count: {count}")
            elapsed = receive_all(pull, size, count)
            thread.join()
            print_thr(size, count, elapsed, header=False)
        else:
            req = ctx.socket(zmq.REQ)
            req.bind("inproc://lat_test")

            def worker() -> None:
                rep = ctx.socket(zmq.REP)
                rep.connect("inproc://lat_test")
                echo(rep, size, count)
                rep.close()

            thread = threading.Thread(target=worker)
            thread.start()
            elapsed = ping(req, size, count)
            thread.join()
            print_lat(size, count, elapsed)
        return
    if len(args) != 3:
        usage()
    endpoint, size, count = args[0], int(args[1]), int(args[2])
    if tool == "local_thr":
        sock = ctx.socket(zmq.PULL)
        sock.bind(endpoint)
        elapsed = receive_all(sock, size, count)
        print_thr(size, count, elapsed)
    elif tool == "remote_thr":
        sock = ctx.socket(zmq.PUSH)
        sock.connect(endpoint)
        send_all(sock, size, count)
    elif tool == "local_lat":
        sock = ctx.socket(zmq.REP)
        sock.bind(endpoint)
        echo(sock, size, count)
        time.sleep(1)
    elif tool == "remote_lat":
        sock = ctx.socket(zmq.REQ)
        sock.connect(endpoint)
        print_lat(size, count, ping(sock, size, count))
    else:
        usage()
    sock.close()
    ctx.term()


if __name__ == "__main__":
    main()
