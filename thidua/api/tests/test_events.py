"""Events out: the feed read with a cursor, and webhooks sent to a real HTTP server on
loopback that answers 200, answers 500, or hangs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from thidua.api.api import api as ninja_api
from thidua.api.events import DeliveryStatus
from thidua.audit.record import record
from thidua.cycle.actions import do_move_phase
from thidua.cycle.models import Phase
from thidua.errors import ActionRefused
from thidua.notifications import actions, rules, tasks
from thidua.notifications.models import FeedEvent, Subscription, WebhookDelivery
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    """What the loopback server received, and its address."""

    base: str
    received: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """/ok answers 200, /fail 500, /hang only after 5 s (longer than the test's timeout).

    On loopback, which webhooks may reach only because the test allows it (and its port), as
    an administrator allows an internal receiver (THIDUA_WEBHOOK_ALLOWED_NETWORKS)."""
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if self.path == "/hang":
                time.sleep(5)
            status = 200 if self.path == "/ok" else 500
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"server exploded")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.THIDUA_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.THIDUA_WEBHOOK_ALLOWED_PORTS = [80, 443, server.server_address[1]]
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", got)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _short_timeout(settings: Any) -> None:
    settings.THIDUA_WEBHOOK_TIMEOUT_SECONDS = 1


def open_pledge(world: World, capture: Any) -> FeedEvent:
    world.launch()
    with capture(execute=True):
        do_move_phase(world.year, target=Phase.PLEDGE, acting_user=world.son_la_officer)
    return FeedEvent.objects.get(kind="phase.opened")


def subscribe(api: Any, user: Any, url: str, kinds: list[str]) -> dict[str, Any]:
    response = api(user).post(
        "/api/v1/webhooks", {"url": url, "kinds": kinds}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_the_feed_lists_a_phase_opened_to_members_and_not_to_outsiders(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    event = open_pledge(world, django_capture_on_commit_callbacks)
    member = api(world.lai_chau_officer).get("/api/v1/events").json()
    assert [(e["kind"], e["data"]["phase"]) for e in member["events"]] == [
        ("phase.opened", "pledge")
    ]
    assert member["events"][0]["id"] == event.pk and member["events"][0]["year"] == 2016
    outsider = api(world.outsider).get("/api/v1/events").json()
    assert outsider == {"events": [], "next": None, "more": False}


def test_the_feed_carries_a_returned_nomination_only_with_whitelisted_values(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry = record(
            "poll.close",
            world.year,
            actor=world.son_la_officer,
            year=world.year,
            after={"status": "closed", "voted": ["Sở Kế hoạch và Đầu tư tỉnh Lai Châu"]},
        )
    event = FeedEvent.objects.get(entry=entry)
    assert event.kind == "poll.closed"
    assert event.data == {"object": entry.object_repr, "status": "closed"}  # not who voted


def test_a_subscription_refuses_a_bad_address_and_unknown_kinds(api: Any, world: World) -> None:
    client = api(world.lai_chau_officer)
    bad = client.post(
        "/api/v1/webhooks",
        {"url": "ftp://example.org/x", "kinds": ["phase.opened"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "body.url" in bad.json()["detail"]
    # The action refuses it too, for its other callers.
    with pytest.raises(ActionRefused) as refused:
        actions.do_subscribe(
            url="ftp://example.org/x", kinds=["phase.opened"], acting_user=world.lai_chau_officer
        )
    assert refused.value.status == 400
    assert refused.value.message.startswith("Địa chỉ webhook phải bắt đầu bằng https://")
    unknown = client.post(
        "/api/v1/webhooks",
        {"url": "https://example.org/x", "kinds": ["phase.closed"]},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert "body.kinds.0" in unknown.json()["detail"]


def test_a_webhook_is_signed_and_delivered_once_to_whoever_may_see_it(
    api: Any, world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    member = subscribe(api, world.lai_chau_officer, receiver.url("/ok"), ["phase.opened"])
    subscribe(api, world.outsider, receiver.url("/ok"), ["phase.opened"])
    subscribe(api, world.cao_bang_officer, receiver.url("/ok"), ["poll.opened"])
    event = open_pledge(world, django_capture_on_commit_callbacks)
    # Only the member subscribed to the kind is queued; the outsider may not see the year.
    queued = WebhookDelivery.objects.get()
    assert queued.subscription_id == member["id"] and queued.event == event
    assert actions.do_send_webhooks() == {"delivered": 1}
    assert len(receiver.received) == 1
    got = receiver.received[0]
    stamp, body = got["headers"]["X-Thidua-Timestamp"], got["body"]
    expected = hmac.new(
        member["secret"].encode(), stamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert got["headers"]["X-Thidua-Signature"] == "sha256=" + expected
    assert got["headers"]["X-Thidua-Event"] == "phase.opened"
    assert json.loads(body)["id"] == event.pk
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_status) == ("delivered", 1, 200)
    assert actions.do_send_webhooks() == {}  # nothing sent twice


def test_a_refusing_endpoint_is_retried_with_growing_pauses_then_failed(
    api: Any, world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(api, world.lai_chau_officer, receiver.url("/fail"), ["phase.opened"])
    open_pledge(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    pauses = []
    for attempt in range(1, rules.WEBHOOK_MAX_ATTEMPTS + 1):
        assert actions.do_send_webhooks(now=now) in ({"pending": 1}, {"failed": 1})
        delivery = WebhookDelivery.objects.get()
        assert delivery.attempts == attempt and delivery.last_status == 500
        assert "server exploded" in delivery.last_error
        if delivery.status == "failed":
            break
        pauses.append(delivery.next_attempt_at - now)
        assert actions.do_send_webhooks(now=now) == {}  # not before its time
        now = delivery.next_attempt_at
    assert delivery.status == "failed" and attempt == rules.WEBHOOK_MAX_ATTEMPTS
    assert pauses[:3] == [dt.timedelta(seconds=s) for s in (30, 60, 120)]
    assert max(pauses) <= rules.WEBHOOK_LONGEST_PAUSE
    assert len(receiver.received) == rules.WEBHOOK_MAX_ATTEMPTS


def test_a_hanging_endpoint_costs_one_timeout(
    api: Any, world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(api, world.lai_chau_officer, receiver.url("/hang"), ["phase.opened"])
    open_pledge(world, django_capture_on_commit_callbacks)
    started = time.monotonic()
    assert actions.do_send_webhooks() == {"pending": 1}
    assert time.monotonic() - started < 4
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == "Không có phản hồi trong 1 giây."
    assert delivery.last_status is None and delivery.attempts == 1


def test_the_administrator_sees_and_replays_a_failed_delivery(
    api: Any,
    world: World,
    receiver: Receiver,
    as_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sub = subscribe(api, world.lai_chau_officer, receiver.url("/ok"), ["phase.opened"])
    open_pledge(world, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.update(status="failed", attempts=8, last_error="HTTP 500")
    delivery = WebhookDelivery.objects.get()
    admin = as_user(world.admin)
    page = admin.get("/admin/notifications/webhookdelivery/")
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()
    response = admin.post(
        "/admin/notifications/webhookdelivery/",
        {"action": "send_again", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "1 webhook sẽ được gửi lại." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert actions.do_send_webhooks() == {"delivered": 1}
    # The owner reads what was sent, with the same cursors as every list.
    listed = api(world.lai_chau_officer).get(f"/api/v1/webhooks/{sub['id']}/deliveries").json()
    assert [(d["status"], d["attempts"]) for d in listed["deliveries"]] == [("delivered", 1)]


def test_a_member_may_not_replay_nor_read_another_users_webhook(
    api: Any, world: World, receiver: Receiver
) -> None:
    sub = subscribe(api, world.lai_chau_officer, receiver.url("/ok"), ["phase.opened"])
    other = api(world.cao_bang_officer)
    assert other.get(f"/api/v1/webhooks/{sub['id']}").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{sub['id']}").status_code == 404
    assert other.get(f"/api/v1/webhooks/{sub['id']}/deliveries").status_code == 404
    with pytest.raises(PermissionDenied):  # only the administrator replays
        actions.do_replay_webhook(
            WebhookDelivery(subscription_id=sub["id"]), acting_user=world.lai_chau_officer
        )
    owner = api(world.lai_chau_officer)
    stopped = owner.delete(f"/api/v1/webhooks/{sub['id']}")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    again = owner.delete(f"/api/v1/webhooks/{sub['id']}")
    assert again.status_code == 409
    assert Subscription.objects.get().secret not in json.dumps(owner.get("/api/v1/webhooks").json())


def test_a_committed_event_queues_the_worker(
    api: Any, world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(api, world.lai_chau_officer, receiver.url("/ok"), ["phase.opened"])
    open_pledge(world, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.filter(task_path=tasks.WEBHOOKS_PATH)
    assert queued.count() == 1
    assert tasks.send_webhooks.call() == "webhooks {'delivered': 1}"


def test_the_delivery_filter_offers_exactly_the_deliveries_statuses() -> None:
    assert [s.value for s in DeliveryStatus] == list(WebhookDelivery.Status.values)
    schema = ninja_api.get_openapi_schema()["components"]["schemas"]
    assert schema["DeliveryStatus"]["enum"] == list(WebhookDelivery.Status.values)
