"""The unread count beside the user's name, on every page, at no query on most of them.

The count is kept in the session with the audit stamp's head it was counted at: people are
told in a transaction that records an audit entry (a new head), and what they read drops it
(views.py). It is counted when they log in, and again only once one of these changed.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from thidua.audit.stamp import stamp

from . import reads

KEPT = "notifications_unread"


def unread(request: HttpRequest) -> dict[str, Any]:
    """`notifications_unread`: the count, read only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": partial(counted, request, user)}


def counted(request: HttpRequest, user: Any) -> int:
    """The user's unread count: as kept in the session, or counted and kept."""
    head = stamp()[1]
    kept = request.session.get(KEPT)
    if kept is not None and kept[:2] == [head, user.organization_id]:
        return int(kept[2])
    count = reads.unread_count(user)
    request.session[KEPT] = [head, user.organization_id, count]
    return count


def forget(request: HttpRequest) -> None:
    """The user read something: count again on the next page."""
    request.session.pop(KEPT, None)


def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        counted(request, user)
