"""The user's inbox in the API: their notifications, marking them read, and which kinds come
by e-mail, as the notifications pages do.

A person sees the notifications told through the unit they belong to now (the list page's);
another person's notification, or one told through a unit they left, is 404. The list is paged
with a cursor, oldest first, so that a mirror keeps its place and polls with `If-None-Match`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.notifications import actions, reads
from thidua.notifications.forms import PreferencesForm
from thidua.notifications.models import Kind, Notification

from . import paging
from .forms import bound, cleaned
from .schemas import ERRORS, NO_NUL, Id

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    kind: Kind
    text: str
    url: str = Field(description="The page it concerns, on this site.")
    cluster: str | None
    year: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    notifications: list[NotificationOut]
    unread: int = Field(description="How many of all your notifications are unread.")
    next: str | None = Field(
        description="The cursor after this page's last notification, to read what follows."
    )
    more: bool = Field(description="Whether more notifications already follow this page.")


class NotificationFilters(Schema):
    after: str | None = Field(
        default=None,
        max_length=2000,
        pattern=NO_NUL,
        description="The cursor a previous page gave as `next`, with the same filters.",
    )
    unread: bool = Field(default=False, description="Only the unread ones.")
    limit: int = Field(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT)


class MarkedRead(Schema):
    marked: int = Field(description="How many were unread.")


class KindChoice(Schema):
    kind: Kind
    label: str
    email: bool


class Preferences(Schema):
    kinds: list[KindChoice] = Field(description="Every kind, and whether it comes by e-mail.")


class PreferencesIn(Schema):
    email: list[Kind] = Field(
        max_length=len(Kind.values),
        description="The kinds to receive by e-mail too; every kind is listed here anyway.",
    )


def _notification(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": n.text,
        "url": n.url,
        "cluster": n.cluster.slug if n.cluster is not None else None,
        "year": n.year.year if n.year is not None else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("/notifications", response={200: NotificationPage, 304: None, **ERRORS})
def notifications(
    request: SignedInRequest, response: HttpResponse, filters: Query[NotificationFilters]
) -> Any:
    """Your notifications, oldest first, a page after the cursor `after`."""
    access.require(request.user, "notifications.list")
    found = reads.listed(request.user)
    if filters.unread:
        found = found.filter(read_at__isnull=True)
    rows, next_cursor, more = paging.page(
        found.select_related("cluster", "year"),
        after=filters.after,
        filters={"unread": filters.unread},
        limit=filters.limit,
    )
    body = {
        "notifications": [_notification(n) for n in rows],
        "unread": reads.unread_count(request.user),
        "next": next_cursor,
        "more": more,
    }
    # No Last-Modified: reading one changes it without a time of its own to say so.
    return paging.conditional(request, response, body)


def _own(request: SignedInRequest, notification_id: int) -> Notification:
    """The user's own notification; 404 for any other (nobody learns another's exists)."""
    found = (
        Notification.objects.select_related("cluster", "year").filter(pk=notification_id).first()
    )
    if found is None or not request.user.has_perm("notifications.read", found):
        raise Http404
    return found


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def mark_read(request: SignedInRequest, notification_id: Id) -> Any:
    """Mark one of your notifications read (again: nothing changes)."""
    user: Any = request.user
    return _notification(actions.do_mark_read(_own(request, notification_id), acting_user=user))


@router.post("/notifications/read-all", response={200: MarkedRead, **ERRORS})
def mark_all_read(request: SignedInRequest) -> Any:
    """Mark every notification of yours read."""
    user: Any = request.user
    return {"marked": actions.do_mark_all_read(acting_user=user)}


def _preferences(user: Any) -> dict[str, Any]:
    by_email = reads.email_kinds([user.pk])[user.pk]
    return {
        "kinds": [
            {"kind": kind.value, "label": str(kind.label), "email": kind.value in by_email}
            for kind in Kind
        ]
    }


@router.get("/notifications/preferences", response={200: Preferences, **ERRORS})
def preferences(request: SignedInRequest) -> Any:
    """Which kinds of notification come to you by e-mail too."""
    access.require(request.user, "notifications.list")
    return _preferences(request.user)


@router.post("/notifications/preferences", response={200: Preferences, **ERRORS})
def set_preferences(request: SignedInRequest, body: PreferencesIn) -> Any:
    """Choose the kinds that come by e-mail too (those not named come only to the inbox)."""
    user: Any = request.user
    access.require(user, "notifications.list")
    by_email = reads.email_kinds([user.pk])[user.pk]
    chosen = {kind.value: kind in body.email for kind in Kind}
    form = bound(PreferencesForm, chosen, by_email=by_email)
    cleaned(form)
    actions.do_set_preferences(by_email=form.chosen(), acting_user=user)
    return _preferences(user)
