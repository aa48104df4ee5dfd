"""Outbound requests reach only the public internet (SSRF guard).

A webhook or notify URL is refused when its host is, or resolves to, any address that is
not globally routable (loopback, private, link-local, shared, reserved, unspecified),
multicast, or a cloud metadata address — unless the host is in the
`CHANNELS_OUTBOUND_ALLOWED_HOSTS` setting. The check runs at import and publish
(`url_problem`), and again on the socket actually connected at send time (`guarded_session`),
so DNS rebinding or a redirect cannot slip past it (redirects are not followed either)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Global addresses that still answer with cloud credentials or host control.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "168.63.129.16", "100.100.100.200", "fd00:ec2::254")
)
Resolver = Callable[[str], Iterable[str]]


class UnsafeURL(ValueError):
    """The URL points somewhere Stepwise must not send requests to."""


def _resolve(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def allowed_hosts() -> frozenset[str]:
    return frozenset(h.strip().lower() for h in settings.CHANNELS_OUTBOUND_ALLOWED_HOSTS if h)


def address_refusal(address: str) -> str | None:
    """Why an IP address is off limits, or None for a public one."""
    ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return f"{ip} is this machine (loopback)"
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if not ip.is_global:
        return f"{ip} is a private or reserved address"
    return None


def url_problem(url: str, *, resolve: Resolver = _resolve) -> str | None:
    """Why a URL may not be called, in plain words; None when it may (or when its name does
    not resolve here: it is checked again when sending)."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    if not host:
        return "The URL has no host."
    if host in allowed_hosts():
        return None
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list(resolve(host))
        except (OSError, UnicodeError):
            return None
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            return (
                f"Stepwise does not send to internal addresses ({host}: {reason}): "
                "use a public address."
            )
    return None


def _check_peer(sock: socket.socket, host: str) -> None:
    if host.lower() in allowed_hosts():
        return
    peer = sock.getpeername()[0]
    reason = address_refusal(peer)
    if reason is not None:
        sock.close()
        raise UnsafeURL(f"Refused to connect to {host}: {reason}.")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def guarded_session() -> requests.Session:
    """A requests session whose every connection is checked where it actually lands;
    it ignores proxy settings from the environment and follows no redirect by itself."""
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = 0
    adapter = _GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
