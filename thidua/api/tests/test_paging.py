"""Cursor pages, filters, ETags and Last-Modified on the API's lists."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import signing

from thidua.api import paging
from thidua.audit.record import record
from thidua.cycle.models import EmulationYear
from thidua.errors import ActionRefused
from thidua.notifications.models import FeedEvent
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db


def events(world: World, capture: Any, count: int, action: str = "poll.open") -> None:
    """`count` audited actions the feed carries, committed (as the actions' would be)."""
    with capture(execute=True):
        for n in range(count):
            record(
                action,
                world.year,
                actor=world.son_la_officer,
                year=world.year,
                after={"status": f"open-{n}"},
            )


def test_the_feed_pages_with_cursors_to_the_end_and_follows_later(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    events(world, django_capture_on_commit_callbacks, 7)
    client = api(world.lai_chau_officer)
    seen: list[int] = []
    url = "/api/v1/events?limit=3"
    pages = 0
    while True:
        page = client.get(url).json()
        pages += 1
        seen += [e["id"] for e in page["events"]]
        url = f"/api/v1/events?limit=3&after={page['next']}"
        if not page["more"]:
            break
    assert seen == sorted(FeedEvent.objects.values_list("pk", flat=True))
    assert len(seen) == 7 and pages == 3
    # Nothing new yet: an empty page that gives the same cursor back.
    idle = client.get(url).json()
    assert idle["events"] == [] and idle["more"] is False
    assert idle["next"] == url.rsplit("after=", 1)[1]
    # A mirror polling with its last cursor sees only what came since.
    events(world, django_capture_on_commit_callbacks, 2)
    newer = client.get(url).json()
    assert [e["data"]["status"] for e in newer["events"]] == ["open-0", "open-1"]


def test_a_cursor_from_another_filter_or_altered_is_refused(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    events(world, django_capture_on_commit_callbacks, 3)
    client = api(world.lai_chau_officer)
    first = client.get("/api/v1/events?limit=1&kind=poll.opened").json()
    cursor = first["next"]
    assert cursor and first["more"]
    other = client.get(f"/api/v1/events?limit=1&after={cursor}")
    assert other.status_code == 422
    assert other.json()["detail"] == (
        "query.after: con trỏ này được cấp cho danh sách với bộ lọc khác; hãy dùng đúng "
        "bộ lọc đó, hoặc đọc lại danh sách từ đầu."
    )
    forged = signing.dumps({"f": "x", "k": 0}, salt="another")
    altered = client.get(f"/api/v1/events?after={forged}")
    assert altered.status_code == 400
    assert "không do máy chủ cấp" in altered.json()["detail"]
    same = client.get(f"/api/v1/events?limit=1&kind=poll.opened&after={cursor}")
    assert same.status_code == 200 and len(same.json()["events"]) == 1


def test_filters_choose_the_kind_and_the_cluster(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    events(world, django_capture_on_commit_callbacks, 2, "poll.open")
    events(world, django_capture_on_commit_callbacks, 1, "poll.close")
    client = api(world.supervisor)
    closed = client.get("/api/v1/events?kind=poll.closed").json()["events"]
    assert [e["kind"] for e in closed] == ["poll.closed"]
    assert client.get("/api/v1/events?cluster=another").json()["events"] == []
    bad = client.get("/api/v1/events?kind=poll.forgotten")
    assert bad.status_code == 422


def test_the_etag_answers_304_until_something_changes(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    events(world, django_capture_on_commit_callbacks, 2)
    client = api(world.lai_chau_officer)
    first = client.get("/api/v1/events")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/api/v1/events", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    # A date alone never answers 304 (paging.conditional): the whole list, the same ETag.
    since = client.get("/api/v1/events", HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 200 and since.headers["ETag"] == etag
    # Another reader's view of the same list differs: the ETag is of the body each gets.
    events(world, django_capture_on_commit_callbacks, 1)
    changed = client.get("/api/v1/events", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(changed.json()["events"]) == 3
    # If-None-Match decides when both are sent (as HTTP says).
    both = client.get(
        "/api/v1/events", HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=modified
    )
    assert both.status_code == 200


def test_an_outsider_polling_the_feed_sees_nothing_of_the_cluster(
    api: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    events(world, django_capture_on_commit_callbacks, 2)
    other_year = EmulationYear.objects.exclude(pk=world.year.pk)
    assert not other_year.exists()
    page = api(world.outsider).get("/api/v1/events").json()
    assert page == {"events": [], "next": None, "more": False}


def test_the_cursor_helpers_round_trip_and_refuse() -> None:
    cursor = paging.make_cursor({"kind": "x"}, 42)
    assert paging.read_cursor(cursor, {"kind": "x"}) == 42
    assert paging.read_cursor(None, {"kind": "x"}) is None
    with pytest.raises(paging.CursorRefused):
        paging.read_cursor(cursor, {"kind": "y"})
    with pytest.raises(ActionRefused):
        paging.read_cursor(cursor[:-2] + "xx", {"kind": "x"})


def test_the_same_page_gives_the_same_cursor_whenever_it_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cursor holds no time: a list's ETag changes with its rows, not with the clock."""
    first = paging.make_cursor({"kind": "x"}, 42)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert paging.make_cursor({"kind": "x"}, 42) == first
