#!/usr/bin/env python3
"""REQ client peer: send b"Hello" COUNT times to ENDPOINT, expect b"world" back each time.

Prints each reply on its own line. Exits 0 when all COUNT replies were b"world", 1 on a wrong
reply or a timeout, so it can never hang.

With --abandon it sends one request and exits without reading the reply: a client that goes
away in the middle of a request.
"""

import argparse
import sys

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint")
    parser.add_argument("count", type=int, nargs="?", default=1)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per send or receive")
    parser.add_argument("--abandon", action="store_true", help="send one request, never read the reply")
    args = parser.parse_args()

    timeout_ms = int(args.timeout * 1000)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.sndtimeo = timeout_ms
    sock.rcvtimeo = timeout_ms
    sock.connect(args.endpoint)
    try:
        if args.abandon:
            sock.send(b"Hello")
            # Let the request reach the server before the socket goes away.
            sock.close(linger=timeout_ms)
            return 0
        for i in range(args.count):
            sock.send(b"Hello")
            reply = sock.recv()
            print(reply.decode("utf-8", "backslashreplace"), flush=True)
            if reply != b"world":
                print(f"py_req: reply {i + 1} is {reply!r}, expected b'world'", file=sys.stderr)
                return 1
        return 0
    except zmq.Again:
        print(f"py_req: timed out after {args.timeout} s talking to {args.endpoint}", file=sys.stderr)
        return 1
    finally:
        sock.close(linger=0)
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
