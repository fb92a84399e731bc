"""Sending one webhook: a signed JSON POST, bounded by a timeout, and what came of it.

The body is the event as the feed lists it; the headers name the event and the delivery and
carry the timestamp and the signature (`rules.signature`), which a receiver checks with its
secret before believing anything (docs/api-sync.md shows how).

A webhook goes only where a subscriber may send the server: the address's name is resolved,
every address it has is checked (public, or in a network the administrator allows), and the
connection goes to a checked address, never to a second lookup that could answer otherwise;
the Host header and TLS's server name stay the address's name (`thidua.lib.outbound`, which
the revocation lists share). A redirect is not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from thidua.lib import outbound
from thidua.lib.outbound import Unresolved

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


def allowed_networks() -> list[outbound.Network]:
    """The networks of internal receivers the administrator allows (none by default)."""
    try:
        return [
            ipaddress.ip_network(n, strict=False)
            for n in getattr(settings, "THIDUA_WEBHOOK_ALLOWED_NETWORKS", [])
        ]
    except ValueError as bad:
        raise ImproperlyConfigured(f"THIDUA_WEBHOOK_ALLOWED_NETWORKS: {bad}") from bad


def allowed_ports() -> tuple[int, ...]:
    return tuple(getattr(settings, "THIDUA_WEBHOOK_ALLOWED_PORTS", outbound.WEB_PORTS))


def target(url: str) -> outbound.Target:
    """Where `url` leads, every address of its name checked.

    Raises Forbidden for an address webhooks may not reach (a private, local or reserved
    one, a port not allowed), Unresolved for a name without an address.
    """
    try:
        return outbound.target(url, networks=allowed_networks(), ports=allowed_ports())
    except outbound.Refused as refused:
        raise Forbidden(refused.said(_refusals())) from None


def _refusals() -> outbound.Words:
    return outbound.Words(
        not_web=_("The webhook's address must begin with https:// (or http://) and name a server."),
        ports=_("A webhook may only be sent to the ports %(ports)s."),
        private=_(
            "The webhook's address %(host)s leads to %(address)s, in a private, local or "
            "reserved network: webhooks are only sent to public addresses."
        ),
    )


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
    connection = outbound.connection(where, timeout())
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
