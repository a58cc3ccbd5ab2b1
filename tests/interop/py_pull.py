#!/usr/bin/env python3
"""PULL peer: bind ENDPOINT, receive COUNT messages, print each one on its own line.

The first line on stdout is "BOUND <endpoint actually bound>" (so ENDPOINT may be
tcp://127.0.0.1:*). Each message is then printed as "MSG " followed by the lowercase hex of
each frame, frames separated by "|": b"hi" is "MSG 6869", an empty message is "MSG ", and the
three frames b"a", b"", b"c" are "MSG 61||63". Exits 0 after COUNT messages, 1 if a message
does not come within --timeout seconds.
"""

import argparse
import sys

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint")
    parser.add_argument("count", type=int)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait per message")
    args = parser.parse_args()

    ctx = zmq.Context()
    sock = ctx.socket(zmq.PULL)
    sock.linger = 0
    sock.rcvtimeo = int(args.timeout * 1000)
    sock.bind(args.endpoint)
    print("BOUND", sock.last_endpoint.decode(), flush=True)
    try:
        for received in range(args.count):
            try:
                frames = sock.recv_multipart()
            except zmq.Again:
                print(
                    f"py_pull: timed out after {received} of {args.count} messages",
                    file=sys.stderr,
                )
                return 1
            print("MSG " + "|".join(frame.hex() for frame in frames), flush=True)
        return 0
    finally:
        sock.close()
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
