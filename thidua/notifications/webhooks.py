"""Sending one webhook: a signed JSON POST, bounded by a timeout, and what came of it.

The body is the event as the feed lists it; the headers name the event and the delivery and
carry the timestamp and the signature (`rules.signature`), which a receiver checks with its
secret before believing anything (docs/api-sync.md shows how).

A webhook goes only where a subscriber may send the server: the address's name is resolved,
every address it has is checked (`rules.webhook_address_allowed`: public, or in a network the
administrator allows), and the connection goes to a checked address, never to a second lookup
that could answer otherwise; the Host header and TLS's server name stay the address's name.
A redirect is not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from . import rules
from .models import FeedEvent

# The most of an answer's body kept as the last error.
ERROR_CHARS = 500


@dataclass(frozen=True)
class Sent:
    """How one attempt went: delivered (a 2xx answer), or the status and error to keep;
    `refused` when the guard would not send it at all (trying again will not help)."""

    delivered: bool
    status: int | None
    error: str
    refused: bool = False


class Forbidden(Exception):
    """The address is one webhooks may not be sent to; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unresolved(Exception):
    """The address's name has no address (now): the receiver may yet appear."""


@dataclass(frozen=True)
class Target:
    """Where one POST goes: the name it is addressed to, and the checked addresses to reach."""

    https: bool
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def event_body(event: FeedEvent) -> dict[str, Any]:
    """The event as the feed and the webhooks write it."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "at": event.at,
        "cluster": event.cluster.slug,
        "year": event.year.year,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
    }


def timeout() -> float:
    return float(getattr(settings, "THIDUA_WEBHOOK_TIMEOUT_SECONDS", 10))


def allowed_networks() -> list[rules.Network]:
    """The networks of internal receivers the administrator allows (none by default)."""
    try:
        return [
            ipaddress.ip_network(n, strict=False)
            for n in getattr(settings, "THIDUA_WEBHOOK_ALLOWED_NETWORKS", [])
        ]
    except ValueError as bad:
        raise ImproperlyConfigured(f"THIDUA_WEBHOOK_ALLOWED_NETWORKS: {bad}") from bad


def allowed_ports() -> tuple[int, ...]:
    return tuple(getattr(settings, "THIDUA_WEBHOOK_ALLOWED_PORTS", rules.WEBHOOK_PORTS))


def target(url: str) -> Target:
    """Where `url` leads, every address of its name checked.

    Raises Forbidden for an address webhooks may not reach (a private, local or reserved
    one, a port not allowed), Unresolved for a name without an address.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise Forbidden(
            _("The webhook's address must begin with https:// (or http://) and name a server.")
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # not a number, or past 65535
        port = -1
    ports = allowed_ports()
    if port not in ports:
        raise Forbidden(
            _("A webhook may only be sent to the ports %(ports)s.")
            % {"ports": ", ".join(str(p) for p in ports)}
        )
    try:  # a decimal or octal form of an address (http://2130706433/) is read as one here
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as failed:
        raise Unresolved(host) from failed
    networks = allowed_networks()
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        if not rules.webhook_address_allowed(address, networks):
            raise Forbidden(
                _(
                    "The webhook's address %(host)s leads to %(address)s, in a private, local or "
                    "reserved network: webhooks are only sent to public addresses."
                )
                % {"host": host, "address": address}
            )
        addresses.append(str(address))
    if not addresses:
        raise Unresolved(host)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme == "https", host, port, path, tuple(dict.fromkeys(addresses)))


def _connect(addresses: tuple[str, ...], port: int, timeout: float | None) -> socket.socket:
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


def post(url: str, secret: str, *, event: FeedEvent, delivery_id: int) -> Sent:
    """POST the event to `url` once, if it may be sent there; each wait (to connect, for the
    answer) is bounded by the timeout, so an address that hangs costs one timeout, not the
    worker."""
    try:
        where = target(url)
    except Forbidden as forbidden:
        return Sent(False, None, _("Not sent: %(reason)s") % {"reason": forbidden.message}, True)
    except Unresolved:
        host = urlsplit(url).hostname
        return Sent(False, None, _("No server named %(host)s was found.") % {"host": host})
    body = json.dumps(event_body(event), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "thidua-webhooks/1",
        "X-Thidua-Event": event.kind,
        "X-Thidua-Event-Id": str(event.pk),
        "X-Thidua-Delivery": str(delivery_id),
        "X-Thidua-Timestamp": str(stamp),
        "X-Thidua-Signature": rules.signature(secret, stamp, body),
    }
    connection = (_PinnedTLS if where.https else _Pinned)(where, timeout())
    try:
        connection.request("POST", where.path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(ERROR_CHARS).decode("utf-8", "replace")
    except TimeoutError:
        return Sent(False, None, _no_answer())
    except (OSError, http.client.HTTPException, ValueError) as failed:
        return Sent(False, None, (str(failed) or type(failed).__name__)[:ERROR_CHARS])
    finally:
        connection.close()
    status = answer.status
    if 200 <= status < 300:
        return Sent(True, status, "")
    if 300 <= status < 400:
        location = (answer.getheader("Location") or "")[:200]
        return Sent(
            False,
            status,
            _(
                "The receiver answered with a redirect (HTTP %(status)s to %(location)s): "
                "webhooks do not follow redirects."
            )
            % {"status": status, "location": location},
        )
    return Sent(False, status, f"HTTP {status}: {text}".strip())


def _no_answer() -> str:
    return _("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout():g}"}
