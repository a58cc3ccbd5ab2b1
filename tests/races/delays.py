"""Injects delays into a copy of libzmq's sources (the zeromq-src crate's vendor/src).

Each delay sleeps for the microseconds in its environment variable, when set, at one step of
the race between a bind of an inproc name and the end of a waiting connection's far end:

- ZMQ_RACE_BIND_DELAY_US: ctx_t::connect_inproc_sockets, before the binder takes the far end
  (`set_tid`), so that what the connector does just before lands first;
- ZMQ_RACE_TERM_DELAY_US: pipe_t::process_pipe_term, before it decides between waiting for
  the delimiter and acknowledging at once (which depends on the no-delay flag a binder sets);
- ZMQ_RACE_READ_DELAY_US: pipe_t::read of a no-delay pipe, between its state check and
  reading the next message (the delimiter).

Usage: python3 delays.py <vendor/src directory>. Fails if libzmq's code no longer has the
places it patches.
"""

import pathlib
import sys

HELPER = """
#include <stdlib.h>
#include <unistd.h>
//  Injected by tests/races/delays.py.
static inline void zmq_race_delay (const char *name_)
{
    const char *value = getenv (name_);
    if (value && *value)
        usleep ((useconds_t) atoi (value));
}
"""

PATCHES = {
    "ctx.cpp": [
        (
            "  side side_)\n{\n    bind_socket_->inc_seqnum ();\n",
            "  side side_)\n{\n    zmq_race_delay (\"ZMQ_RACE_BIND_DELAY_US\");\n"
            "    bind_socket_->inc_seqnum ();\n",
        ),
    ],
    "pipe.cpp": [
        (
            "bool zmq::pipe_t::read (msg_t *msg_)\n{\n"
            "    if (unlikely (!_in_active))\n        return false;\n"
            "    if (unlikely (_state != active && _state != waiting_for_delimiter))\n"
            "        return false;\n",
            "bool zmq::pipe_t::read (msg_t *msg_)\n{\n"
            "    if (unlikely (!_in_active))\n        return false;\n"
            "    if (unlikely (_state != active && _state != waiting_for_delimiter))\n"
            "        return false;\n"
            "    if (!_delay)\n        zmq_race_delay (\"ZMQ_RACE_READ_DELAY_US\");\n",
        ),
        (
            "void zmq::pipe_t::process_pipe_term ()\n{\n",
            "void zmq::pipe_t::process_pipe_term ()\n{\n"
            "    zmq_race_delay (\"ZMQ_RACE_TERM_DELAY_US\");\n",
        ),
    ],
}


def main() -> None:
    src = pathlib.Path(sys.argv[1])
    for name, patches in PATCHES.items():
        path = src / name
        text = path.read_text()
        if "zmq_race_delay" in text:
            continue
        include = '#include "precompiled.hpp"\n'
        if include not in text:
            sys.exit(f"delays.py: no {include.strip()} in {path}")
        text = text.replace(include, include + HELPER, 1)
        for old, new in patches:
            if text.count(old) != 1:
                sys.exit(f"delays.py: {path} no longer has, once, the code to patch:\n{old}")
            text = text.replace(old, new)
        path.write_text(text)
        print(f"delays.py: patched {path}")


main()
