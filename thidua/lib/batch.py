"""Helpers for work over many rows at once."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar, cast

log = logging.getLogger(__name__)
T = TypeVar("T")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch builds many small objects.

    A national batch makes millions of tuples and records that form no reference cycles;
    the collector would walk all of them again and again as they accumulate (it runs every
    few hundred allocations), which costs more than the work itself. Reference counting
    still frees everything; the collector resumes, if it was running, when the batch ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a child process forked from this one; call the result for its return.

    For CPU-bound Python over independent parts of a batch, which threads cannot share
    (the GIL keeps them on one core). The child starts with this process's memory, so
    nothing is sent to it; it opens its own database connections (caller: only outside a
    transaction, the child sees committed rows only) and keeps the ones it inherited,
    untouched, until it ends without running finalizers — closing a copy would end this
    process's database session. The return value comes back pickled. Should the child fail
    or die, the work runs here instead, so the caller always gets its result.
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_run_child, args=(work, sending), daemon=True)
    child.start()
    sending.close()

    def result() -> T:
        try:
            succeeded, value = receiving.recv()
        except (EOFError, OSError):
            succeeded, value = False, "the child process ended without an answer"
        finally:
            receiving.close()
            child.join()
        if succeeded:
            return cast(T, value)
        log.warning("work in a child process failed; running it here: %s", value)
        return work()

    return result


def _run_child(work: Callable[[], Any], sending: Connection) -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        _INHERITED.append(connection.connection)
        connection.connection = None  # the next query opens this process's own
    try:
        answer = (True, work())
    except BaseException:
        answer = (False, traceback.format_exc(limit=5))
    sending.send(answer)
    sending.close()


_INHERITED: list[Any] = []  # the parent's connections, kept unclosed in a child
