"""The address a request comes from, read through the reverse proxies we trust and no others.

Behind nginx every request reaches Django from 127.0.0.1; the client's own address is in
X-Forwarded-For, which each proxy extends with the address it was reached from. Anyone can
send that header, so it is believed only as far as the trusted proxies wrote it: walking it
from the right, the first address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and networks ("127.0.0.1", "10.0.0.0/8", "::1"); ValueError on any other."""
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def parse_address(text: str) -> Address | None:
    """One address as proxies write it (with a port or IPv6 brackets too); None if it is not."""
    text = text.strip()
    if text.startswith("["):  # "[2001:db8::1]" or "[2001:db8::1]:443"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # "203.0.113.5:51234": IPv4 with a port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # One client is one address: ::ffff:203.0.113.5 is 203.0.113.5.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(remote_addr: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The client's address, given the connection's peer, X-Forwarded-For and the trusted proxies.

    The header is read only when the peer is a trusted proxy, and from the right, hop by hop,
    while each hop is one: what lies left of the first untrusted address was written by the
    client and proves nothing. A hop that is not an address ends the walk at the last proxy.
    """
    peer = parse_address(remote_addr)
    if peer is None:
        return remote_addr.strip()
    if not _is_trusted(peer, trusted):
        return str(peer)
    for entry in reversed(forwarded_for.split(",")):
        hop = parse_address(entry)
        if hop is None:
            break
        peer = hop
        if not _is_trusted(hop, trusted):
            break
    return str(peer)


def _is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


@functools.lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return networks(entries)


def of_request(request: Any) -> str:
    """The client's address of a Django request (AXES_CLIENT_IP_CALLABLE and the rest)."""
    meta = request.META
    return client_address(
        meta.get("REMOTE_ADDR", ""),
        meta.get("HTTP_X_FORWARDED_FOR", ""),
        _trusted(tuple(settings.THIDUA_TRUSTED_PROXIES)),
    )
