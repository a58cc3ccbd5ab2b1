#!/usr/bin/env python3
"""CURVE REQ client: connect to ENDPOINT as a CURVE client and send MESSAGE once.

The client uses the key pair CLIENT_SECRET (Z85; the public key is derived from it) and
expects the server's public key SERVER_PUBLIC (Z85). On a reply it prints "REPLY " followed
by the reply's frames as lowercase hex separated by "|", and exits 0. With no reply within
--timeout seconds it prints "NO REPLY" and exits 3 (a refused client gets no reply: that is
what the refusal tests expect). Anything else wrong exits 1.
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
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the reply")
    args = parser.parse_args()

    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    sock.rcvtimeo = int(args.timeout * 1000)
    secret = args.client_secret.encode()
    sock.curve_secretkey = secret
    sock.curve_publickey = zmq.curve_public(secret)
    sock.curve_serverkey = args.server_public.encode()
    sock.connect(args.endpoint)
    try:
        sock.send(args.message.encode())
        try:
            frames = sock.recv_multipart()
        except zmq.Again:
            print("NO REPLY", flush=True)
            return 3
        print("REPLY " + "|".join(frame.hex() for frame in frames), flush=True)
        return 0
    finally:
        sock.close()
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
