"""A TCP fault proxy on 127.0.0.1: forwards connections to a real server (PostgreSQL) and
can cut them all at once, as a network failure or a database failover does.

Threads, not asyncio, so the test process's Django code needs nothing special. `cut()`
closes every open connection both ways (the client sees the connection drop mid-query,
the server sees EOF and rolls the transaction back); new connections are accepted again
at once unless `refuse` is set."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field


@dataclass
class _Pair:
    client: socket.socket
    upstream: socket.socket

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                # SO_LINGER 0: a reset, not a graceful FIN, like a dropped link.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


@dataclass
class TcpFaultProxy:
    target_host: str
    target_port: int
    refuse: bool = False
    cuts: int = 0
    _pairs: list[_Pair] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> TcpFaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        self.cut()

    def upstream_ports(self) -> set[int]:
        """The local ports of the proxy's connections to the server: what the server sees
        as each client's port (pg_stat_activity.client_port)."""
        with self._lock:
            ports = set()
            for pair in self._pairs:
                with contextlib.suppress(OSError):
                    ports.add(pair.upstream.getsockname()[1])
            return ports

    def cut(self) -> int:
        """Drop every open connection; return how many were cut."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            pair.close()
        self.cuts += 1
        return len(pairs)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refuse:
                client.close()
                continue
            try:
                upstream = socket.create_connection((self.target_host, self.target_port), 5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)  # the connect timeout must not end idle connections
            try:
                for sock in (client, upstream):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the client gave up meanwhile
                _Pair(client, upstream).close()
                continue
            pair = _Pair(client, upstream)
            with self._lock:
                self._pairs.append(pair)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(pair, source, sink), daemon=True).start()

    def _pipe(self, pair: _Pair, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        with self._lock:
            if pair in self._pairs:
                self._pairs.remove(pair)
        pair.close()
