"""The client's address, behind the proxies the deployment trusts.

`TRUSTED_PROXIES` lists the addresses and networks of the deployment's own proxies (nginx,
a load balancer). A request that arrives from one of them has its client in
`X-Forwarded-For`: the right-most entry that is not a trusted proxy (each proxy appends the
address it saw, so entries further left were written by the client and prove nothing). A
request from anywhere else is its own client, whatever it says. The event API's limits and
django-axes (`AXES_CLIENT_IP_CALLABLE`) both key on this. See docs/deploy.md."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse `TRUSTED_PROXIES` entries (addresses or CIDRs); ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network (CIDR).") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def client_address_from(remote: str, forwarded: str, networks: Sequence[Network]) -> str:
    """The client of a request from `remote` carrying X-Forwarded-For `forwarded`."""
    peer = _address(remote)
    if peer is None or not _trusted(peer, networks):
        return remote
    client: Address = peer
    for entry in reversed(forwarded.split(",")):
        hop = _address(entry)
        if hop is None:
            break  # not written by a proxy of ours: the hop to its right is the client
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)


def client_address(request: HttpRequest) -> str:
    """The request's client address (see the module's docstring)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks:
        return remote
    return client_address_from(remote, str(request.META.get("HTTP_X_FORWARDED_FOR", "")), networks)
