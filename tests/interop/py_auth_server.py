#!/usr/bin/env python3
"""REP server peer secured with pyzmq's ThreadAuthenticator; runs until killed.

  py_auth_server.py plain USER PASSWORD      PLAIN server admitting USER with PASSWORD
  py_auth_server.py curve SERVER_SECRET_Z85  CURVE server admitting any client key

Binds tcp://127.0.0.1:* and prints `BOUND <endpoint>`. Answers every request with
`<User-Id>:<request>`, so the client sees the User-Id that the authenticator gave it.
"""

import sys

import zmq
from zmq.auth import CURVE_ALLOW_ANY
from zmq.auth.thread import ThreadAuthenticator


def main() -> int:
    mode = sys.argv[1]
    ctx = zmq.Context()
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.allow("127.0.0.1")
    server = ctx.socket(zmq.REP)
    server.linger = 0
    if mode == "plain":
        auth.configure_plain(domain="*", passwords={sys.argv[2]: sys.argv[3]})
        server.plain_server = True
    elif mode == "curve":
        secret = sys.argv[2].encode("ascii")
        auth.configure_curve(domain="*", location=CURVE_ALLOW_ANY)
        server.curve_secretkey = secret
        server.curve_publickey = zmq.curve_public(secret)
        server.curve_server = True
    else:
        print(f"py_auth_server: unknown mode {mode!r}", file=sys.stderr)
        return 2
    server.bind("tcp://127.0.0.1:*")
    print(f"BOUND {server.last_endpoint.decode()}", flush=True)
    while True:
        frame = server.recv(copy=False)
        user_id = frame.get("User-Id")
        server.send(user_id.encode("utf-8") + b":" + frame.bytes)


if __name__ == "__main__":
    sys.exit(main())
