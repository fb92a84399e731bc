"""A mirror reading the event feed or the history with a cursor misses nothing, even when
transactions overlap on PostgreSQL (docs/api.md, "Why a cursor misses nothing").

The cursor pages by id, and ids are taken when a row is inserted, not when it commits. Two
writers could then commit out of id order and a reader skip the smaller id. They cannot here:
an entry and its event are written under the audit chain's head, locked until the writer's
transaction ends, so the next writer takes its ids only after the last one committed. These
tests run two real transactions (two connections, as two requests) against a reader.

SQLite lets one writer at a time: a second transaction cannot write before the first commits,
so its ids commit in order by construction; the tests are PostgreSQL's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from thidua.audit.record import record
from thidua.cycle.models import EmulationYear
from thidua.testing.personas import World, build_world

from .conftest import year_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers: ids commit in their order by construction.",
    ),
]


class Writer(threading.Thread):
    """One transaction on its own connection: `before` runs in it, then an audited action the
    feed carries is recorded, then it waits for `release` before committing."""

    def __init__(self, world: World, name: str, before: Callable[[], None] = lambda: None):
        super().__init__(daemon=True)
        self.world, self.label, self.before = world, name, before
        self.began = threading.Event()
        self.recorded = threading.Event()
        self.release = threading.Event()
        self.entry_id: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.began.set()
                self.before()
                entry = record(
                    "poll.open",
                    self.world.year,
                    actor=self.world.son_la_officer,
                    year=self.world.year,
                    after={"status": self.label},
                )
                self.entry_id = entry.pk
                self.recorded.set()
                assert self.release.wait(timeout=30), "never released"
        except BaseException as error:
            self.error = error
        finally:
            connection.close()


@pytest.fixture
def writers() -> Iterator[list[Writer]]:
    started: list[Writer] = []
    yield started
    for writer in started:
        writer.release.set()
        writer.join(timeout=30)


def _waiting_on_a_lock() -> int:
    """How many other connections of this database wait for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _ids_taken() -> tuple[int, int]:
    """The last id each of the entries' and the events' sequences gave (committed or not:
    a sequence is outside transactions)."""
    taken = []
    with connection.cursor() as cursor:
        for table in ("audit_auditentry", "notifications_feedevent"):
            cursor.execute(
                "SELECT last_value FROM pg_sequences "
                "WHERE schemaname || '.' || sequencename = pg_get_serial_sequence(%s, 'id')",
                [table],
            )
            row = cursor.fetchone()
            taken.append(int(row[0]) if row and row[0] is not None else 0)
    return taken[0], taken[1]


def _until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class Mirror:
    """A client polling the feed and the history, keeping each list's last cursor."""

    def __init__(self, client: Any, world: World) -> None:
        self.client, self.world = client, world
        self.cursors: dict[str, str | None] = {"events": None, "history": None}
        self.seen: dict[str, list[int]] = {"events": [], "history": []}

    def poll(self) -> None:
        urls = {"events": "/api/v1/events", "history": year_url(self.world) + "/history"}
        for name, url in urls.items():
            while True:
                after = self.cursors[name]
                answer = self.client.get(url, {"limit": 2, **({"after": after} if after else {})})
                assert answer.status_code == 200, answer.content
                body = answer.json()
                rows = body["events"] if name == "events" else body["entries"]
                self.seen[name] += [row["id"] for row in rows]
                self.cursors[name] = body["next"]
                if not body["more"]:
                    break

    def event_statuses(self) -> list[str]:
        answer = self.client.get("/api/v1/events", {"limit": 1000}).json()
        return [e["data"]["status"] for e in answer["events"] if e["id"] in self.seen["events"]]


def _mirror(api: Any) -> tuple[World, Mirror]:
    world = build_world()
    mirror = Mirror(api(world.lai_chau_officer), world)
    mirror.poll()
    return world, mirror


def test_a_second_writer_takes_no_id_until_the_first_commits(
    api: Any, writers: list[Writer]
) -> None:
    world, mirror = _mirror(api)
    before_events = list(mirror.seen["events"])
    first = Writer(world, "first")
    writers.append(first)
    first.start()
    assert first.recorded.wait(timeout=10)
    taken = _ids_taken()
    second = Writer(world, "second")
    writers.append(second)
    second.start()
    # The second writer waits for the chain's head, before taking an entry's or an event's id.
    assert _until(lambda: _waiting_on_a_lock() == 1)
    assert not second.recorded.is_set()
    assert _ids_taken() == taken
    mirror.poll()
    assert mirror.seen["events"] == before_events  # nothing committed yet
    first.release.set()
    first.join(timeout=30)
    assert second.recorded.wait(timeout=10)
    mirror.poll()  # the first is committed, the second still open
    second.release.set()
    second.join(timeout=30)
    mirror.poll()
    assert first.error is None and second.error is None
    assert first.entry_id is not None and second.entry_id is not None
    assert first.entry_id < second.entry_id
    assert mirror.seen["history"][-2:] == [first.entry_id, second.entry_id]
    assert mirror.event_statuses()[-2:] == ["first", "second"]
    assert len(set(mirror.seen["events"])) == len(mirror.seen["events"])


def test_a_transaction_begun_first_and_committed_last_is_not_skipped(
    api: Any, writers: list[Writer]
) -> None:
    world, mirror = _mirror(api)
    began_first = Writer(world, "began first")
    writers.append(began_first)
    # It begins and works (it reads the year) before the other even starts, but records its
    # entry only after the other has committed: its ids are then the larger.
    go_on = threading.Event()

    def work() -> None:
        EmulationYear.objects.get(pk=world.year.pk)
        assert go_on.wait(timeout=30)

    began_first.before = work
    began_first.start()
    assert began_first.began.wait(timeout=10)
    quick = Writer(world, "quick")
    writers.append(quick)
    quick.start()
    assert quick.recorded.wait(timeout=10)
    quick.release.set()
    quick.join(timeout=30)
    mirror.poll()  # the quick one is read, its cursor kept
    assert mirror.event_statuses()[-1:] == ["quick"]
    go_on.set()
    assert began_first.recorded.wait(timeout=10)
    mirror.poll()  # still open: nothing new
    assert mirror.event_statuses()[-1:] == ["quick"]
    began_first.release.set()
    began_first.join(timeout=30)
    mirror.poll()
    assert quick.error is None and began_first.error is None
    assert mirror.event_statuses()[-2:] == ["quick", "began first"]
    assert mirror.seen["history"][-2:] == [quick.entry_id, began_first.entry_id]
