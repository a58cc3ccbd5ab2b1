#!/usr/bin/env python3
"""PUB peer: bind ENDPOINT and publish "weather <n>" and "sports <n>" in turn.

The first line on stdout is "BOUND <endpoint actually bound>" (so ENDPOINT may be
tcp://127.0.0.1:*). Then it publishes one pair every --interval seconds, so that a subscriber
that joins late still gets messages, until stdin reaches end of file or --duration runs out.
Exits 0.
"""

import argparse
import os
import sys
import threading
import time

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint")
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between pairs")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds before giving up")
    args = parser.parse_args()

    stop = threading.Event()

    def stop_at_eof() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the
        # interpreter at exit.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            return  # no usable stdin: run for --duration
        stop.set()

    threading.Thread(target=stop_at_eof, daemon=True).start()

    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUB)
    sock.linger = 0
    sock.bind(args.endpoint)
    print("BOUND", sock.last_endpoint.decode(), flush=True)

    deadline = time.monotonic() + args.duration
    n = 1
    while not stop.is_set() and time.monotonic() < deadline:
        sock.send_string(f"weather {n}")
        sock.send_string(f"sports {n}")
        n += 1
        stop.wait(args.interval)

    sock.close()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
