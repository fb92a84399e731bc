"""Cursor pages and conditional answers for the API's lists, so that a mirror polls cheaply.

A cursor is opaque to the client and signed by the server: it holds the last row's key and a
digest of the filters the page was asked with. A cursor altered by hand, or brought to a list
with other filters, is refused (400, 422) rather than silently paging something else.

Every list answers with an `ETag` (a digest of the exact body) and, when its rows have a time,
`Last-Modified`; a client that sends back `If-None-Match` gets `304 Not Modified` and no body
when nothing changed. `If-Modified-Since` alone is answered in full: a date is to the second,
and a row's time is taken before its transaction commits, so no date proves that nothing
changed since (docs/api.md, "Conditional requests").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from thidua.errors import ActionRefused, Refusal

SALT = "thidua.api.cursor"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

M = TypeVar("M", bound=Model)


class CursorRefused(HttpError):
    """A real cursor brought to a list with other filters (422). One the server never gave
    is refused as any value the user can correct (`ActionRefused`, 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(422, message)


def _forged() -> ActionRefused:
    return ActionRefused(
        _("query.after: this cursor is not one the server gave; start the list again."),
        kind=Refusal.INVALID,
    )


def _digest(filters: Mapping[str, Any]) -> str:
    text = json.dumps(dict(filters), sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_cursor(filters: Mapping[str, Any], last: int) -> str:
    """The cursor that continues a list asked with `filters` after the row keyed `last`."""
    # Not timestamped (as `signing.dumps` would): the same page gives the same cursor, so a
    # list's ETag changes only when its rows do.
    return signing.Signer(salt=SALT).sign_object({"f": _digest(filters), "k": last}, compress=True)


def read_cursor(cursor: str | None, filters: Mapping[str, Any]) -> int | None:
    """The key a cursor continues after (None: from the start); refused when it does not
    belong to this list with these filters."""
    if not cursor:
        return None
    try:
        data = signing.Signer(salt=SALT).unsign_object(cursor)
    except signing.BadSignature:
        raise _forged() from None
    if not isinstance(data, dict) or not isinstance(data.get("k"), int):
        raise _forged()
    if data.get("f") != _digest(filters):
        raise CursorRefused(
            _(
                "query.after: this cursor was made for a list with other filters; use it with "
                "the same filters, or start the list again."
            )
        )
    return int(data["k"])


def page(
    rows: QuerySet[M],
    *,
    after: str | None,
    filters: Mapping[str, Any],
    limit: int,
    key: str = "pk",
) -> tuple[list[M], str | None, bool]:
    """One page of `rows` in increasing `key` order after the cursor; the cursor after its
    last row (the one given, for an empty page: nothing new yet); whether more rows wait.

    A feed's reader keeps the cursor and asks again later: rows that come meanwhile follow.
    None is skipped when the rows' keys are taken in commit order, as the audit entries' and
    the events' are, under the audit chain's lock (docs/api.md, "Why a cursor misses
    nothing"; tests/test_feed_order.py).
    """
    last = read_cursor(after, filters)
    ordered = rows.order_by(key)
    if last is not None:
        ordered = ordered.filter(**{f"{key}__gt": last})
    found = list(ordered[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    next_cursor = make_cursor(filters, getattr(found[-1], key)) if found else after or None
    return found, next_cursor, more


def etag_of(body: Any) -> str:
    """A strong validator of the body the client would get."""
    text = json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])


def _matches(header: str, etag: str) -> bool:
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def conditional(
    request: HttpRequest,
    response: HttpResponse,
    body: Any,
    *,
    last_modified: dt.datetime | None = None,
) -> Any:
    """The body, with its `ETag` (and `Last-Modified`) set on the answer, or a bodiless
    304 when the client's `If-None-Match` names the body's ETag.

    The ETag alone decides. `Last-Modified` says when the newest row shown was written, but
    `If-Modified-Since` never answers 304: a change in the same second as the client's copy,
    a row written earlier but committed later, or a year the reader may now see would all
    leave the date as it was. A full answer in place of a 304 is always correct.
    """
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and _matches(if_none_match, etag):
        not_modified = HttpResponse(status=304)
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    for name, value in headers.items():
        response[name] = value
    return body


def latest(times: Sequence[dt.datetime | None]) -> dt.datetime | None:
    """The latest of the rows' times (None for a list without any)."""
    known = [t for t in times if t is not None]
    return max(known) if known else None
