#!/usr/bin/env python3
"""CURVE REQ client: connect to ENDPOINT as a CURVE client and send MESSAGE once.

  py_curve_client.py ENDPOINT SERVER_PUBLIC CLIENT_SECRET MESSAGE [TIMEOUT_SECONDS]

The client uses the key pair CLIENT_SECRET (Z85; the public key is derived from it) and
expects the server's public key SERVER_PUBLIC (Z85). On a reply it prints "REPLY " followed
by the reply's frames as lowercase hex separated by "|", and exits 0. With no reply within
TIMEOUT_SECONDS (default 10) it prints "NO REPLY" and exits 3 (a refused client gets no reply: that is
what the refusal tests expect). Anything else wrong exits 1.
"""

import sys

import zmq


def main() -> int:
    # Read by position, not with argparse: a Z85 key may begin with "-", which argparse
    # would take for an option.
    if len(sys.argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 1
    endpoint, server_public, client_secret, message = sys.argv[1:5]
    timeout = float(sys.argv[5]) if len(sys.argv) == 6 else 10.0

    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    sock.rcvtimeo = int(timeout * 1000)
    secret = client_secret.encode()
    sock.curve_secretkey = secret
    sock.curve_publickey = zmq.curve_public(secret)
    sock.curve_serverkey = server_public.encode()
    sock.connect(endpoint)
    try:
        sock.send(message.encode())
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
