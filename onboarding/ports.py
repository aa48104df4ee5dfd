"""Free ports for the servers `make demo` starts (and the tests and benchmarks that start
it), chosen below the kernel's ephemeral range.

A port found free is only free until something binds it. Ports from the ephemeral range
(what binding to port 0 gives) are also what every outgoing connection and every test
server bound to port 0 takes, so one could take ours between the choice and the bind: a
CI run lost its demo so ("That port is already in use"). Below that range only servers
that choose their port explicitly bind, and these choose at random."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_LOWEST = 15000
_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _ephemeral_start() -> int:
    try:
        return int(_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def bindable(port: int) -> bool:
    """Nothing listens on `port` now."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, pair: bool = False) -> int:
    """A port nothing listens on (with `pair`, the next one is free too)."""
    high = _ephemeral_start() - (2 if pair else 1)
    if high > _LOWEST + 1000:
        for _ in range(200):
            port = random.randint(_LOWEST, high)  # noqa: S311 - not a secret
            if bindable(port) and (not pair or bindable(port + 1)):
                return port
    with socket.socket() as sock:  # an odd kernel range: let the kernel choose
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
