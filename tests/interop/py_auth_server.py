#!/usr/bin/env python3
"""A pyzmq REP server guarded by pyzmq's ThreadAuthenticator; answers each request with
the request's bytes, then " from ", then the User-Id the authenticator set.

  py_auth_server.py ENDPOINT plain USER:PASSWORD [USER:PASSWORD ...]
  py_auth_server.py ENDPOINT curve SERVER_SECRET_Z85 CERTIFICATE_DIRECTORY

PLAIN admits the listed users; CURVE admits the client keys of the certificates in the
directory (read with pyzmq's zmq.auth, as czmq's certificate files). Both allow only
127.0.0.1. The first line on stdout is "BOUND <endpoint>"; each request is then printed as
"REQUEST <hex> FROM <user id>". Runs until stdin closes.
"""

import sys
import threading

import zmq
from zmq.auth.thread import ThreadAuthenticator


def main() -> int:
    # Read by position, not with argparse: a Z85 key may begin with "-", which argparse
    # would take for an option.
    if len(sys.argv) < 4 or sys.argv[2] not in ("plain", "curve"):
        print(__doc__, file=sys.stderr)
        return 1
    endpoint, mechanism, settings = sys.argv[1], sys.argv[2], sys.argv[3:]

    ctx = zmq.Context()
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.allow("127.0.0.1")
    sock = ctx.socket(zmq.REP)
    sock.linger = 0
    if mechanism == "plain":
        users = dict(setting.split(":", 1) for setting in settings)
        auth.configure_plain(domain="*", passwords=users)
        sock.plain_server = True
    else:
        secret, directory = settings
        auth.configure_curve(domain="*", location=directory)
        sock.curve_secretkey = secret.encode()
        sock.curve_publickey = zmq.curve_public(secret.encode())
        sock.curve_server = True
    sock.bind(endpoint)
    print("BOUND", sock.last_endpoint.decode(), flush=True)

    # Stop when the test closes stdin.
    stop = threading.Event()

    def watch_stdin() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    try:
        while not stop.is_set():
            if not poller.poll(100):
                continue
            frame = sock.recv(copy=False)
            user = frame.get("User-Id")
            print(f"REQUEST {frame.bytes.hex()} FROM {user}", flush=True)
            sock.send(frame.bytes + b" from " + user.encode())
        return 0
    finally:
        sock.close()
        auth.stop()
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
