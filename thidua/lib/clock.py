"""The one "now" of the domain: what every action stamps on the records it writes.

In use it is the real time. The demo plays a past year (2016) and sets the moment of each
step with `at`, so the pledge is signed, the ballots cast and the report finalised on their
true dates; documents then print the dates the records carry. Infrastructure that measures
real time (job leases, worker heartbeats, tokens, backups, health) reads the real clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_moment: ContextVar[dt.datetime | None] = ContextVar("thidua_clock_moment", default=None)


def now() -> dt.datetime:
    """The current moment in UTC, as `timezone.now()` gives it, or the one `at` has set."""
    moment = _moment.get()
    return timezone.now() if moment is None else moment.astimezone(dt.UTC)


def today() -> dt.date:
    """Today's date in the site's time zone, or the set moment's."""
    return timezone.localdate(now())


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Let `now()` answer `moment` inside the block (an aware datetime)."""
    if timezone.is_naive(moment):
        raise ValueError("clock.at needs an aware datetime")
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)
