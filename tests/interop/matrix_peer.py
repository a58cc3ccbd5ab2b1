#!/usr/bin/env python3
"""The pyzmq peer of the interop matrix (tests/interop_matrix.rs; INTEROP.md describes it).

  matrix_peer.py ROLE MODE ENDPOINT SCRIPT MECHANISM [MECHANISM ARGUMENTS]
  matrix_peer.py gencerts DIRECTORY

ROLE      REQ REP DEALER ROUTER PAIR-ask PAIR-echo PUSH PULL PUB SUB STREAM RAW
MODE      bind | connect   (bind prints "BOUND <endpoint>" first)
SCRIPT    payloads | refused
MECHANISM null | plain-client USER PASSWORD | plain-server USER PASSWORD
          | curve-client CLIENT_SECRET_CERT SERVER_PUBLIC_CERT
          | curve-server SERVER_SECRET_CERT ALLOWED_DIRECTORY

"ask" roles send each payload and check the reply, "echo" roles check each payload and send
it back, PUSH and PUB send, PULL and SUB check. Every payload received prints
"RECEIVED <name> <frame sizes, comma separated> ok" (or "MISMATCH <why>" instead of "ok").
PUB and SUB synchronise first: PUB sends "sync" until a "GO" line arrives on stdin, SUB prints
"SYNCED" when the first "sync" arrives. STREAM (bind) echoes what RAW, a plain TCP client,
sends. The refused script sends the single frame "intruder" and prints "NO REPLY" (client) or
"NOTHING ARRIVED" (server) when nothing comes back. "DONE" ends a run (exit status 0),
"FAIL <reason>" a broken one (exit status 1); every receive gives up after 20 s.
gencerts writes czmq certificate files: server, client and intruder (.key and .key_secret),
and allowed/client.key.
"""

import os
import select
import shutil
import socket
import sys
import time

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

TIMEOUT_MS = 20000
REFUSED_MS = 1500
ROUTING_ID = b"matrix-dealer"
TOPIC = b"ab.data"
STREAM_CHUNK = 65536


def big():
    block = bytes(range(251))
    size = 16 * 1024 * 1024
    return (block * (size // len(block) + 1))[:size]


PAYLOADS = [
    ("empty", [b""]),
    ("one-byte", [b"\x00"]),
    ("five-frames", [b"frame-1", b"", b"\x00\x01\x02", b"frame-4 " * 100, b"last"]),
    ("non-utf8", [b"\xff\xfe\xfd\x80\xc0\xaf caf\xe9 \xed\xa0\x80"]),
    ("16MiB", [big()]),
]
STREAM_PAYLOADS = [(name, b"".join(frames)) for name, frames in PAYLOADS
                   if name in ("one-byte", "non-utf8", "16MiB")]


def out(*words):
    print(*words, flush=True)


def report(name, got, expected):
    sizes = ",".join(str(len(frame)) for frame in got)
    if len(got) != len(expected):
        verdict = f"MISMATCH {len(got)} frames, expected {len(expected)}"
    else:
        bad = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
        verdict = f"MISMATCH frame {bad[0]} differs" if bad else "ok"
    out("RECEIVED", name, sizes, verdict)


def recv(sock):
    try:
        return sock.recv_multipart()
    except zmq.Again:
        raise SystemExit(fail("timed out receiving"))


def fail(reason):
    out("FAIL", reason)
    return 1


def ask(sock, envelope):
    for name, frames in PAYLOADS:
        sock.send_multipart(envelope + frames)
        got = recv(sock)
        if got[:len(envelope)] != envelope:
            return fail(f"{name}: reply envelope {got[:len(envelope)]!r}")
        report(name, got[len(envelope):], frames)
    return 0


def echo(sock, envelope):
    for name, frames in PAYLOADS:
        got = recv(sock)
        if got[:len(envelope)] != envelope:
            return fail(f"{name}: envelope {got[:len(envelope)]!r}")
        report(name, got[len(envelope):], frames)
        sock.send_multipart(got)
    return 0


def publish(sock):
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        if time.monotonic() > deadline:
            return fail("no GO on stdin")
        sock.send(b"sync")
        ready, _, _ = select.select([sys.stdin], [], [], 0.02)
        if ready and sys.stdin.readline().strip() == "GO":
            break
    for name, frames in PAYLOADS:
        sock.send_multipart([b"a", b"not subscribed"])
        sock.send_multipart([b"ba", b"not subscribed"])
        sock.send_multipart([TOPIC] + frames)
    sock.send_multipart([b"a", b"not subscribed"])
    sock.send(b"ab.end")
    return 0


def subscribe(sock):
    # "ab" first: a PUB that sends "sync" then has "ab" too (subscriptions apply in order).
    sock.subscribe(b"ab")
    sock.subscribe(b"sync")
    got = recv(sock)
    if got != [b"sync"]:
        return fail(f"first message {got[:1]!r} is not sync")
    out("SYNCED")
    got = recv(sock)
    while got == [b"sync"]:
        got = recv(sock)
    for name, frames in PAYLOADS:
        if got[0] != TOPIC:
            return fail(f"{name}: topic {got[0][:20]!r}")
        report(name, got[1:], frames)
        got = recv(sock)
    if got != [b"ab.end"]:
        return fail(f"after the payloads: {got[0][:20]!r}")
    return 0


def stream_echo(sock):
    ident, hello = recv(sock)
    if hello != b"":
        return fail("no connection notification")
    for name, data in STREAM_PAYLOADS:
        got = bytearray()
        while len(got) < len(data):
            peer, chunk = recv(sock)
            if peer != ident:
                return fail(f"{name}: another connection")
            got += chunk
            sock.send_multipart([ident, chunk])
        out("RECEIVED", name, len(got), "ok" if got == data else "MISMATCH bytes differ")
    return 0


def raw_client(endpoint):
    host, port = endpoint[len("tcp://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=TIMEOUT_MS / 1000) as conn:
        for name, data in STREAM_PAYLOADS:
            got = bytearray()
            for start in range(0, len(data), STREAM_CHUNK):
                chunk = data[start:start + STREAM_CHUNK]
                conn.sendall(chunk)
                want = len(got) + len(chunk)
                while len(got) < want:
                    more = conn.recv(want - len(got))
                    if not more:
                        return fail(f"{name}: connection closed")
                    got += more
            out("RECEIVED", name, len(got), "ok" if got == data else "MISMATCH bytes differ")
    return 0


def refused(sock, role):
    if role in ("REQ", "DEALER", "PUSH", "PAIR-ask"):
        sock.send(b"intruder")
        if sock.poll(REFUSED_MS):
            return fail("a reply arrived")
        out("NO REPLY")
    else:
        if sock.poll(REFUSED_MS):
            report("intruder", sock.recv_multipart(), [b"intruder"])
        else:
            out("NOTHING ARRIVED")
    return 0


def gencerts(directory):
    allowed = os.path.join(directory, "allowed")
    os.makedirs(allowed, exist_ok=True)
    for name in ("server", "client", "intruder"):
        zmq.auth.create_certificates(directory, name)
    shutil.copy(os.path.join(directory, "client.key"), allowed)
    out("DONE")
    return 0


SOCKET_TYPES = {
    "REQ": zmq.REQ, "REP": zmq.REP, "DEALER": zmq.DEALER, "ROUTER": zmq.ROUTER,
    "PAIR-ask": zmq.PAIR, "PAIR-echo": zmq.PAIR, "PUSH": zmq.PUSH, "PULL": zmq.PULL,
    "PUB": zmq.PUB, "SUB": zmq.SUB, "STREAM": zmq.STREAM,
}


def main(argv):
    if len(argv) == 3 and argv[1] == "gencerts":
        return gencerts(argv[2])
    # Read by position, not with argparse: a Z85 key may begin with "-".
    if len(argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    role, mode, endpoint, script, mechanism, settings = (
        argv[1], argv[2], argv[3], argv[4], argv[5], argv[6:])
    if role == "RAW":
        status = raw_client(endpoint)
        out("DONE")
        return status

    ctx = zmq.Context()
    auth = None
    sock = ctx.socket(SOCKET_TYPES[role])
    sock.linger = 5000
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    if role == "DEALER":
        sock.routing_id = ROUTING_ID
    if mechanism == "plain-client":
        sock.plain_username, sock.plain_password = (s.encode() for s in settings)
    elif mechanism == "plain-server":
        auth = ThreadAuthenticator(ctx)
        auth.start()
        auth.configure_plain(domain="*", passwords={settings[0]: settings[1]})
        sock.plain_server = True
    elif mechanism == "curve-client":
        public, secret = zmq.auth.load_certificate(settings[0])
        server_public, _ = zmq.auth.load_certificate(settings[1])
        sock.curve_publickey, sock.curve_secretkey = public, secret
        sock.curve_serverkey = server_public
    elif mechanism == "curve-server":
        public, secret = zmq.auth.load_certificate(settings[0])
        auth = ThreadAuthenticator(ctx)
        auth.start()
        auth.configure_curve(domain="*", location=settings[1])
        sock.curve_publickey, sock.curve_secretkey = public, secret
        sock.curve_server = True
    elif mechanism != "null":
        return fail(f"unknown mechanism {mechanism}")

    if mode == "bind":
        sock.bind(endpoint)
        out("BOUND", sock.last_endpoint.decode())
    else:
        sock.connect(endpoint)

    try:
        if script == "refused":
            status = refused(sock, role)
        elif role in ("REQ", "PAIR-ask"):
            status = ask(sock, [])
        elif role == "DEALER":
            status = ask(sock, [b""])
        elif role in ("REP", "PAIR-echo"):
            status = echo(sock, [])
        elif role == "ROUTER":
            status = echo(sock, [ROUTING_ID, b""])
        elif role == "PUSH":
            status = 0
            for _, frames in PAYLOADS:
                sock.send_multipart(frames)
        elif role == "PULL":
            status = 0
            for name, frames in PAYLOADS:
                report(name, recv(sock), frames)
        elif role == "PUB":
            status = publish(sock)
        elif role == "SUB":
            status = subscribe(sock)
        else:
            status = stream_echo(sock)
    finally:
        sock.close()
        if auth is not None:
            auth.stop()
        ctx.term()
    if status == 0:
        out("DONE")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
