"""Helpers for work over many rows at once."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar, cast

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
    """Whether forking is possible here and safe now: the system forks, and this process
    runs one thread. A child forked while another thread holds a lock (logging's, a database
    driver's) starts with that lock held and nobody to release it; a threaded web worker
    therefore judges its batch in one process, as a batch inside a transaction does."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class Forked(Generic[T]):
    """`work` running in a child process forked from this one; `result()` waits for it.

    For CPU-bound Python over independent parts of a batch, which threads cannot share
    (the GIL keeps them on one core). The child starts with this process's memory, so
    nothing is sent to it; it opens its own database connections (the caller: only outside
    a transaction, since the child sees committed rows only) and keeps the ones it
    inherited, untouched, until it ends without running finalizers — closing a copy would
    end this process's database session. The return value comes back pickled. Should the
    child fail, die or not answer in time, the work runs here instead, so the caller always
    gets its result; `cancel()` ends a child whose result is no longer wanted.
    """

    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work
        context = multiprocessing.get_context("fork")
        self._receiving, sending = context.Pipe(duplex=False)
        self._child = context.Process(target=_run_child, args=(work, sending), daemon=True)
        self._child.start()
        sending.close()

    def result(self, timeout: float | None = None) -> T:
        """The child's result (waiting up to `timeout` seconds), else the work done here."""
        try:
            if self._receiving.poll(timeout):
                succeeded, value = self._receiving.recv()
            else:
                succeeded, value = False, f"no answer within {timeout} s"
        except (EOFError, OSError):
            succeeded, value = False, "the child process ended without an answer"
        finally:
            self.cancel()
        if succeeded:
            return cast(T, value)
        log.warning("work in a child process failed; running it here: %s", value)
        return self.work()

    def cancel(self) -> None:
        """End the child (if it still runs) and free its pipe."""
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._receiving.close()


def _run_child(work: Callable[[], Any], sending: Connection) -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        _INHERITED.append(connection.connection)
        connection.connection = None  # the next query opens this process's own
    try:
        try:
            sending.send((True, work()))
        except Exception:  # the work's error, or a result that cannot be pickled
            sending.send((False, traceback.format_exc(limit=5)))
    except OSError:  # the parent stopped listening (it cancelled): nothing to tell
        pass
    finally:
        sending.close()


_INHERITED: list[Any] = []  # the parent's connections, kept unclosed in a child
