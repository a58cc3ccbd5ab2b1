#!/usr/bin/env python3
"""Certificate peer: pyzmq's zmq.auth certificate functions, driven by tests/cert.rs.

  create DIR NAME [KEY=VALUE ...]  zmq.auth.create_certificates(DIR, NAME, metadata), then
                                   prints the new keys as pyzmq reads them back from the
                                   secret file: `PUBLIC <z85>` and `SECRET <z85>`
  load FILE                        zmq.auth.load_certificate(FILE): `PUBLIC <z85>` and
                                   `SECRET <z85>` (or `SECRET NONE`)
  load-dir DIR                     zmq.auth.load_certificates(DIR): `KEY <z85>` per key, sorted

Exits 0 on success; an exception (a file pyzmq cannot read) exits 1 with its traceback.
"""

import sys

import zmq.auth


def print_keys(public, secret):
    print("PUBLIC", public.decode("ascii"))
    print("SECRET", secret.decode("ascii") if secret else "NONE")


def main(argv):
    command, rest = argv[1], argv[2:]
    if command == "create":
        directory, name = rest[0], rest[1]
        metadata = dict(item.split("=", 1) for item in rest[2:])
        _, secret_file = zmq.auth.create_certificates(directory, name, metadata=metadata or None)
        print_keys(*zmq.auth.load_certificate(secret_file))
    elif command == "load":
        print_keys(*zmq.auth.load_certificate(rest[0]))
    elif command == "load-dir":
        for key in sorted(zmq.auth.load_certificates(rest[0])):
            print("KEY", key.decode("ascii"))
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
