"""Requests the server sends to addresses others chose (a webhook's receiver, the authority a
certificate names for its revocation list), so that no one can make it reach its own network.

An address may be reached when it is public in every form it carries, or inside a network the
administrator allows, on an allowed port. The name is resolved once, every address it has is
checked, and the connection goes to a checked address, never to a second lookup that could
answer otherwise; the Host header and TLS's server name stay the name. Nothing here follows a
redirect. Each caller keeps its settings, its words and what it sends; no Django here.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The ports an address may name unless the administrator allows others.
WEB_PORTS = (80, 443)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def carried(address: Address) -> list[Address]:
    """The address and every IPv4 address an IPv6 form carries (mapped, 6to4, Teredo's
    client, NAT64's well-known prefix), each of which the packets may reach."""
    if isinstance(address, ipaddress.IPv4Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]  # the IPv4 address itself, on a dual-stack socket
    found: list[Address] = [address]
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.append(address.teredo[1])
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def public(address: Address) -> bool:
    # is_global already leaves out loopback, private (RFC 1918, fc00::/7), link-local
    # (169.254/16, fe80::/10), unspecified, CGNAT (100.64/10) and the IANA special ranges;
    # it lets multicast and some reserved ranges through, hence the two further tests.
    return address.is_global and not address.is_multicast and not address.is_reserved


def address_allowed(address: Address, allowed: Iterable[Network]) -> bool:
    """Whether the server may connect to `address`: a public address (every form of it), or
    one inside a network the administrator allows (an internal receiver or authority)."""
    networks = list(allowed)
    return all(
        public(a) or any(a in n for n in networks if a.version == n.version)
        for a in carried(address)
    )


# --- resolving the name, connecting to the address checked -------------------------------------


@dataclass(frozen=True)
class Words:
    """What a caller says of each refusal, in its own (translated) words: `ports` names
    %(ports)s, `private` names %(host)s and %(address)s."""

    not_web: str
    ports: str
    private: str


class Refused(Exception):
    """The address may not be reached; the subclass says why, `said` in the caller's words."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host

    def said(self, words: Words) -> str:
        raise NotImplementedError


class NotWeb(Refused):
    """Not an http or https address naming a server."""

    def said(self, words: Words) -> str:
        return words.not_web


class PortRefused(Refused):
    """A port the administrator has not allowed; `ports` lists those allowed ("80, 443")."""

    def __init__(self, host: str, allowed: Iterable[int]) -> None:
        super().__init__(host)
        self.ports = ", ".join(str(p) for p in allowed)

    def said(self, words: Words) -> str:
        return words.ports % {"ports": self.ports}


class NotPublic(Refused):
    """The name leads to `address`, in a private, local or reserved network not allowed."""

    def __init__(self, host: str, address: Address) -> None:
        super().__init__(host)
        self.address = address

    def said(self, words: Words) -> str:
        return words.private % {"host": self.host, "address": self.address}


class Unresolved(Exception):
    """The name has no address (now): the server may yet appear."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


@dataclass(frozen=True)
class Target:
    """Where one request goes: the name it is addressed to, and the checked addresses to reach."""

    https: bool
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def target(url: str, *, networks: Iterable[Network], ports: Sequence[int]) -> Target:
    """Where `url` leads, every address of its name checked against `networks` (those allowed
    besides the public ones) and its port against `ports`.

    Raises a Refused (NotWeb, PortRefused, NotPublic) for an address that may not be reached,
    Unresolved for a name without an address.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise NotWeb(host)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # not a number, or past 65535
        port = -1
    if port not in ports:
        raise PortRefused(host, ports)
    try:  # a decimal or octal form of an address (http://2130706433/) is read as one here
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as failed:
        raise Unresolved(host) from failed
    allowed = list(networks)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        if not address_allowed(address, allowed):
            raise NotPublic(host, address)
        addresses.append(str(address))
    if not addresses:
        raise Unresolved(host)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme == "https", host, port, path, tuple(dict.fromkeys(addresses)))


def connection(where: Target, timeout: float) -> http.client.HTTPConnection:
    """An HTTP(S) connection to the checked addresses, addressed to the name; each wait (to
    connect, for the answer) is bounded by `timeout`."""
    return (_PinnedTLS if where.https else _Pinned)(where, timeout)


def _connect(addresses: Sequence[str], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first checked address that answers; one that hangs costs the
    timeout, once."""
    failure: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except TimeoutError:
            raise
        except OSError as failed:  # refused, unreachable: the next address
            failure = failed
    raise failure


class _Pinned(http.client.HTTPConnection):
    """HTTP to the checked addresses, with the Host header of the name."""

    def __init__(self, where: Target, timeout: float) -> None:
        super().__init__(where.host, where.port, timeout=timeout)
        self.addresses = where.addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to the checked addresses; the certificate is checked against the name."""

    def __init__(self, where: Target, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(where.host, where.port, timeout=timeout, context=self.tls)
        self.addresses = where.addresses

    def connect(self) -> None:
        raw = _connect(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
