#!/usr/bin/env python3
"""CURVE REQ client peer: send MESSAGE to ENDPOINT once and print the reply.

The client's key pair comes from CLIENT_SECRET_Z85 (its public key is derived with
zmq.curve_public); the server's public key is SERVER_PUBLIC_Z85. Exits 0 after printing the
reply, 1 when no reply comes within the timeout (a refused client), so it never hangs.
"""

import argparse
import sys

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint")
    parser.add_argument("server_public")
    parser.add_argument("client_secret")
    parser.add_argument("message")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the reply")
    args = parser.parse_args()

    timeout_ms = int(args.timeout * 1000)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    sock.sndtimeo = timeout_ms
    sock.rcvtimeo = timeout_ms
    secret = args.client_secret.encode("ascii")
    sock.curve_secretkey = secret
    sock.curve_publickey = zmq.curve_public(secret)
    sock.curve_serverkey = args.server_public.encode("ascii")
    sock.connect(args.endpoint)
    try:
        sock.send(args.message.encode("utf-8"))
        print(sock.recv().decode("utf-8", "backslashreplace"), flush=True)
        return 0
    except zmq.Again:
        print(f"py_curve_client: no reply within {args.timeout} s", file=sys.stderr)
        return 1
    finally:
        sock.close(linger=0)
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
