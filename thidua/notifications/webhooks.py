"""Sending one webhook: a signed JSON POST, bounded by a timeout, and what came of it.

The body is the event as the feed lists it; the headers name the event and the delivery and
carry the timestamp and the signature (`rules.signature`), which a receiver checks with its
secret before believing anything (docs/api-sync.md shows how).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from . import rules
from .models import FeedEvent

# The most of an answer's body kept as the last error.
ERROR_CHARS = 500


@dataclass(frozen=True)
class Sent:
    """How one attempt went: delivered (a 2xx answer), or the status and error to keep."""

    delivered: bool
    status: int | None
    error: str


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


def post(url: str, secret: str, *, event: FeedEvent, delivery_id: int) -> Sent:
    """POST the event to `url` once; each wait (to connect, for the answer) is bounded by
    the timeout, so an address that hangs costs one timeout, not the worker."""
    body = json.dumps(event_body(event), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    stamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "thidua-webhooks/1",
            "X-Thidua-Event": event.kind,
            "X-Thidua-Event-Id": str(event.pk),
            "X-Thidua-Delivery": str(delivery_id),
            "X-Thidua-Timestamp": str(stamp),
            "X-Thidua-Signature": rules.signature(secret, stamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as answer:
            answer.read(ERROR_CHARS)
            return Sent(True, answer.status, "")
    except urllib.error.HTTPError as refused:
        text = refused.read(ERROR_CHARS).decode("utf-8", "replace")
        return Sent(False, refused.code, f"HTTP {refused.code}: {text}".strip())
    except TimeoutError:
        return Sent(False, None, _no_answer())
    except (urllib.error.URLError, OSError, ValueError) as failed:
        reason = getattr(failed, "reason", failed)
        if isinstance(reason, TimeoutError):
            return Sent(False, None, _no_answer())
        return Sent(False, None, str(reason)[:ERROR_CHARS])


def _no_answer() -> str:
    return _("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout():g}"}
