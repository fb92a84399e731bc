"""Events out: the event feed a client reads with a cursor, and the webhooks a program
subscribes to (docs/api-sync.md).

The feed lists what the inbox tells of (a phase opened, a nomination returned, a decision
recorded, a poll opened) and a poll closed, each only to a reader allowed to see its year's
object through `thidua.access`. A subscription belongs to its owner: another user's is 404.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.http import Http404, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from thidua import access
from thidua.access import SignedInRequest
from thidua.cycle.models import EmulationYear
from thidua.notifications import actions as notification_actions
from thidua.notifications.models import (
    EventKind,
    FeedEvent,
    Subscription,
    WebhookDelivery,
)
from thidua.notifications.webhooks import event_body

from . import paging
from .schemas import ERRORS, NO_NUL, Error, Id

router = Router(tags=["events and webhooks"])


class EventOut(Schema):
    id: int
    kind: EventKind
    at: dt.datetime
    cluster: str
    year: int
    object_type: str
    object_id: str
    data: dict[str, Any] = Field(description="The object's name and what changed.")


class EventPage(Schema):
    events: list[EventOut]
    next: str | None = Field(
        description="The cursor after this page's last event, to read what follows (now or "
        "later); the one given when the page is empty, null before any event."
    )
    more: bool = Field(description="Whether more events already follow this page.")


class EventFilters(Schema):
    after: str | None = Field(
        default=None,
        max_length=2000,
        pattern=NO_NUL,
        description="The cursor a previous page gave as `next`, with the same filters.",
    )
    kind: EventKind | None = None
    cluster: str | None = Field(default=None, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    limit: int = Field(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT)


def _visible_years(user: Any, cluster: str | None) -> list[int]:
    """The years whose events the user may read (every kind is seen by who sees the year)."""
    years = EmulationYear.objects.filter(cluster__in=access.clusters_visible_to(user))
    if cluster:
        years = years.filter(cluster__slug=cluster)
    return [y.pk for y in years.select_related("cluster") if user.has_perm("cycle.view_year", y)]


@router.get("/events", response={200: EventPage, 304: None, **ERRORS})
def event_feed(
    request: SignedInRequest, response: HttpResponse, filters: Query[EventFilters]
) -> Any:
    """The events the user may see, oldest first, a page after the cursor `after`.

    A mirror keeps the last `next` it read and polls with it (and `If-None-Match`); while
    `more` is true, the next page is already waiting.
    """
    user: Any = request.user
    chosen = {"kind": filters.kind, "cluster": filters.cluster}
    found = FeedEvent.objects.filter(year_id__in=_visible_years(user, filters.cluster))
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    rows, next_cursor, more = paging.page(
        found.select_related("year__cluster", "cluster"),
        after=filters.after,
        filters=chosen,
        limit=filters.limit,
    )
    shown = [e for e in rows if notification_actions.may_see_event(user, e)]
    body = {"events": [event_body(e) for e in shown], "next": next_cursor, "more": more}
    return paging.conditional(
        request, response, body, last_modified=paging.latest([e.recorded_at for e in shown])
    )


# --- webhooks ---------------------------------------------------------------------------------


# An http(s) address naming a server; its path in printable ASCII (anything else is written
# percent-encoded, as an address is sent).
URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$"


class SubscriptionIn(Schema):
    url: str = Field(
        max_length=500, pattern=URL, description="https:// address the events are posted to."
    )
    kinds: list[EventKind] = Field(min_length=1, max_length=len(EventKind.values))


class SubscriptionOut(Schema):
    id: int
    url: str
    kinds: list[str]
    active: bool
    created_at: dt.datetime


class NewSubscription(SubscriptionOut):
    secret: str = Field(description="Signs every webhook; shown this once only.")


class DeliveryOut(Schema):
    id: int
    event_id: int
    kind: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None


class DeliveryPage(Schema):
    deliveries: list[DeliveryOut]
    next: str | None
    more: bool


class DeliveryStatus(StrEnum):
    """A delivery's status (`WebhookDelivery.Status`), under a name of its own in the schema,
    where another area's `Status` would take its place."""

    PENDING = WebhookDelivery.Status.PENDING.value
    DELIVERED = WebhookDelivery.Status.DELIVERED.value
    FAILED = WebhookDelivery.Status.FAILED.value


class DeliveryFilters(Schema):
    after: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)
    status: DeliveryStatus | None = None
    limit: int = Field(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT)


def _subscription(s: Subscription) -> dict[str, Any]:
    return {
        "id": s.pk,
        "url": s.url,
        "kinds": list(s.kinds),
        "active": s.active,
        "created_at": s.created_at,
    }


def _own(request: SignedInRequest, subscription_id: int) -> Subscription:
    found = Subscription.objects.filter(pk=subscription_id, owner_id=request.user.pk).first()
    if found is None:
        raise Http404
    return found


def _links(**targets: str) -> dict[str, Any]:
    """OpenAPI links from a created subscription's id to the operations that read it."""
    return {
        name: {"operationId": operation, "parameters": {"subscription_id": "$response.body#/id"}}
        for name, operation in targets.items()
    }


@router.post(
    "/webhooks",
    response={201: NewSubscription, 409: Error, **ERRORS},
    openapi_extra={
        "responses": {
            201: {
                "links": _links(
                    GetSubscription="thidua_api_events_subscription",
                    GetDeliveries="thidua_api_events_deliveries",
                    StopSubscription="thidua_api_events_unsubscribe",
                )
            }
        }
    },
)
def subscribe(request: SignedInRequest, body: SubscriptionIn) -> Any:
    """Have the events of `kinds` that you may see posted to `url`, signed (see the docs)."""
    subscription = notification_actions.do_subscribe(
        url=body.url, kinds=[str(k) for k in body.kinds], acting_user=request.user
    )
    return Status(201, {**_subscription(subscription), "secret": subscription.secret})


@router.get("/webhooks", response={200: list[SubscriptionOut], 304: None, **ERRORS})
def subscriptions(request: SignedInRequest, response: HttpResponse) -> Any:
    """Your webhook subscriptions, stopped ones included."""
    body = [_subscription(s) for s in Subscription.objects.filter(owner_id=request.user.pk)]
    return paging.conditional(request, response, body)


@router.get("/webhooks/{subscription_id}", response={200: SubscriptionOut, **ERRORS})
def subscription(request: SignedInRequest, subscription_id: Id) -> Any:
    return _subscription(_own(request, subscription_id))


@router.delete("/webhooks/{subscription_id}", response={200: SubscriptionOut, 409: Error, **ERRORS})
def unsubscribe(request: SignedInRequest, subscription_id: Id) -> Any:
    """Stop the webhook; what it was sent stays listed."""
    stopped = notification_actions.do_unsubscribe(
        _own(request, subscription_id), acting_user=request.user
    )
    return _subscription(stopped)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response={200: DeliveryPage, 304: None, **ERRORS},
)
def deliveries(
    request: SignedInRequest,
    response: HttpResponse,
    subscription_id: Id,
    filters: Query[DeliveryFilters],
) -> Any:
    """What was sent to the webhook, oldest first: status, attempts and the last error."""
    own = _own(request, subscription_id)
    found = WebhookDelivery.objects.filter(subscription=own).select_related("event")
    if filters.status is not None:
        found = found.filter(status=filters.status)
    rows, next_cursor, more = paging.page(
        found,
        after=filters.after,
        filters={"subscription": own.pk, "status": filters.status},
        limit=filters.limit,
    )
    body = {
        "deliveries": [
            {
                "id": d.pk,
                "event_id": d.event_id,
                "kind": d.event.kind,
                "status": d.status,
                "attempts": d.attempts,
                "last_status": d.last_status,
                "last_error": d.last_error,
                "next_attempt_at": (
                    d.next_attempt_at if d.status == WebhookDelivery.Status.PENDING else None
                ),
                "delivered_at": d.delivered_at,
            }
            for d in rows
        ],
        "next": next_cursor,
        "more": more,
    }
    # No Last-Modified: an attempt changes a delivery without a time of its own to say so.
    return paging.conditional(request, response, body)
