"""The audit chain's head as a version stamp of the data, and figures kept per stamp.

Every attributed change appends an entry to the chain under a lock on the single chain-head
row, held until it commits (`thidua.audit.record`): the head's hash changes with every
committed change, in commit order, and names the whole history before it. Figures computed
from attributed data (a year's verdicts, its ranking) can therefore be kept in the process,
under the stamp read *before* they were computed: a request that finds the same stamp gets
them back; one that finds a newer stamp computes them again. A figure computed while a change
was committing is at least as new as its stamp, never older.

Rows written in this process through the ORM without an entry (a test's fixtures, a shell
session) change the stamp too: any model saved or deleted here starts a new generation. Rows
written elsewhere without an entry (a data migration) are seen after a restart; `thidua
restore` appends an entry once the database is back, so a restore is seen at once.

Within one request the head is read once: a page that keeps several things (the year, the
user's roles, its figures) reads them all as of the same stamp, the one read first; a save in
this process during the request (an action recording its entry) starts a new generation and
the head is read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.core.signals import request_finished, request_started
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .models import ChainHead

V = TypeVar("V")
M = TypeVar("M", bound=Model)

# Saves that say nothing about the data figures are computed from: a session's expiry, a
# background job's progress bar.
_UNRELATED_APPS = frozenset({"sessions", "jobs"})
_generation = 0


def _new_generation(sender: Any, **kwargs: Any) -> None:
    global _generation
    if sender._meta.app_label not in _UNRELATED_APPS:
        _generation += 1


post_save.connect(_new_generation, dispatch_uid="thidua.audit.stamp.save")
post_delete.connect(_new_generation, dispatch_uid="thidua.audit.stamp.delete")


class _Request(threading.local):
    """The stamp read by the request this thread serves, if it serves one."""

    serving = False
    stamp: tuple[int, str | None] | None = None


_request = _Request()


def _request_started(**kwargs: Any) -> None:
    _request.serving, _request.stamp = True, None


def _request_finished(**kwargs: Any) -> None:
    _request.serving, _request.stamp = False, None


request_started.connect(_request_started, dispatch_uid="thidua.audit.stamp.started")
request_finished.connect(_request_finished, dispatch_uid="thidua.audit.stamp.finished")


def stamp() -> tuple[int, str | None]:
    """The version of the attributed data now: this process's generation and the chain's head.

    Read once per request while nothing is saved in this process (see the module's note).
    """
    generation = _generation  # read first: a save during the query makes the stamp older
    read = _request.stamp
    if read is not None and read[0] == generation:
        return read
    head = ChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    current = (generation, head)
    if _request.serving:
        _request.stamp = current
    return current


class StampedCache(Generic[V]):
    """Values computed from attributed data, kept per key while the stamp does not change.

    Bounded (least recently used go first) and safe across threads. The values are shared by
    every request of the process: callers must not change them.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[tuple[int, str | None], V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value under `key` as of now: kept, or computed (outside the lock) and kept."""
        current = stamp()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == current:
                self._entries.move_to_end(key)
                return found[1]
        value = compute()
        with self._lock:
            self._entries[key] = (current, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def fresh_copy(instance: M) -> M:
    """A new instance with the same field values and related objects as a kept `instance`.

    Kept rows are shared by the process's requests; a request gets its own copy, which it may
    change (or cache things on) without another request seeing it.
    """
    names = [field.attname for field in instance._meta.concrete_fields]
    copy = type(instance).from_db(
        instance._state.db, names, [instance.__dict__[name] for name in names]
    )
    for name, related in instance._state.fields_cache.items():
        copy._state.fields_cache[name] = None if related is None else fresh_copy(related)
    return copy
